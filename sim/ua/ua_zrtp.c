/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zRTP (RFC 6189) for the bench UA through linphone's bzrtp: the key
 * agreement runs in the media path (same 5-tuple as RTP, packets marked by
 * the magic cookie), then SRTP starts with the negotiated keys and both
 * ends hold the same SAS. Until then a zRTP call sends no RTP at all, so
 * a canary never crosses in clear.
 *
 * bzrtp draws its own randomness (its DH secrets must be unpredictable), so
 * zRTP packet bytes differ between runs; timing stays on our clock.
 * No ZID cache: every call is a first contact (SAS unverified).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ua/ua_int.h"

static int z_send(void *cd, const uint8_t *p, uint16_t len)
{
	struct ua_call *c = cd;
	struct ua *ua = c->ua;
	struct net_addr src = ua->media;

	net_addr_set_port(&src, c->rtp_port);
	src.tp = NET_UDP;
	if (!c->have_remote)
		return -1;
	return ua_send(ua, &src, &c->rtp_remote, 0, p, len) ? -1 : 0;
}

static int z_secrets(void *cd, const bzrtpSrtpSecrets_t *s, uint8_t part)
{
	struct ua_call *c = cd;

	if ((part & ZRTP_SRTP_SECRETS_FOR_SENDER) &&
	    s->selfSrtpKeyLength == 16 && s->selfSrtpSaltLength == 14) {
		memcpy(c->key_local, s->selfSrtpKey, 16);
		memcpy(c->key_local + 16, s->selfSrtpSalt, 14);
	}
	if ((part & ZRTP_SRTP_SECRETS_FOR_RECEIVER) &&
	    s->peerSrtpKeyLength == 16 && s->peerSrtpSaltLength == 14) {
		memcpy(c->key_remote, s->peerSrtpKey, 16);
		memcpy(c->key_remote + 16, s->peerSrtpSalt, 14);
	}
	return 0;
}

static int z_start(void *cd, const bzrtpSrtpSecrets_t *s, int32_t verified)
{
	struct ua_call *c = cd;
	struct ua *ua = c->ua;

	(void)verified;
	snprintf(c->sas, sizeof(c->sas), "%s", s->sas ? s->sas : "");
	c->srtp_on = 1;
	if (ua_srtp_setup(c)) {
		c->srtp_on = 0;
		ua_emit(ua, UA_EV_ZRTP_FAILED, 0, c->handle, c->peer,
			"SRTP setup with zRTP keys failed");
		return 0;
	}
	c->zrtp_secure = 1;
	ua_emit(ua, UA_EV_ZRTP_SECURE, 0, c->handle, c->peer, c->sas);
	return 0;
}

static int z_status(void *cd, const uint8_t lvl, const uint8_t id,
		    const char *msg)
{
	struct ua_call *c = cd;

	if (c && c->ua)
		LOG_D(c->ua->log, "zrtp: level %u code %u %s", lvl, id,
		      msg ? msg : "");
	return 0;
}

int ua_zrtp_init(struct ua *ua, struct ua_call *c)
{
	bzrtpCallbacks_t cbs;
	uint8_t hash[80];

	if (c->zrtp)
		return 0;
	memset(&cbs, 0, sizeof(cbs));
	cbs.bzrtp_sendData = z_send;
	cbs.bzrtp_statusMessage = z_status;
	cbs.bzrtp_messageLevel = BZRTP_MESSAGE_WARNING;
	cbs.bzrtp_srtpSecretsAvailable = z_secrets;
	cbs.bzrtp_startSrtpSession = z_start;
	c->ua = ua;
	if (!c->ssrc)
		c->ssrc = rng_u32(&ua->rng) | 1;
	c->zrtp = bzrtp_createBzrtpContext();
	if (!c->zrtp)
		return ENOMEM;
	if (bzrtp_setCallbacks(c->zrtp, &cbs) ||
	    bzrtp_initBzrtpContext(c->zrtp, c->ssrc) ||
	    bzrtp_setClientData(c->zrtp, c->ssrc, c) ||
	    bzrtp_getSelfHelloHash(c->zrtp, c->ssrc, hash, sizeof(hash))) {
		ua_zrtp_fini(c);
		return EIO;
	}
	/* "1.10 <64 hex>" as a=zrtp-hash carries it (RFC 6189 8.1) */
	snprintf(c->zrtp_hash, sizeof(c->zrtp_hash), "%s", (char *)hash);
	return 0;
}

void ua_zrtp_peer_hash(struct ua_call *c, const struct pl *aval)
{
	char h[96];

	if (!c->zrtp || pl_strcpy(aval, h, sizeof(h)))
		return;
	/* a mismatch makes bzrtp refuse the peer's Hello: a hash that did
	 * not survive the proxy shows as a failed key agreement */
	bzrtp_setPeerHelloHash(c->zrtp, c->ssrc, (uint8_t *)h, strlen(h));
}

int ua_zrtp_start(struct ua *ua, struct ua_call *c)
{
	if (!c->zrtp)
		return EINVAL;
	c->ua = ua;
	return bzrtp_startChannelEngine(c->zrtp, c->ssrc) ? EIO : 0;
}

void ua_zrtp_tick(struct ua *ua, struct ua_call *c)
{
	if (c->zrtp)
		bzrtp_iterate(c->zrtp, c->ssrc, ua->now_us / 1000);
}

int ua_zrtp_input(struct ua *ua, struct ua_call *c, const uint8_t *p,
		  size_t len)
{
	uint8_t tmp[2048];

	/* RFC 6189 5: first byte 0x10, magic cookie in bytes 4..7 */
	if (len < 12 || len > sizeof(tmp) || p[0] != 0x10 || p[4] != 0x5a ||
	    p[5] != 0x52 || p[6] != 0x54 || p[7] != 0x50)
		return 0;
	ua->st.zrtp_recv++;
	if (c->zrtp) {
		memcpy(tmp, p, len);
		c->ua = ua;
		bzrtp_processMessage(c->zrtp, c->ssrc, tmp, (uint16_t)len);
	}
	return 1;
}

void ua_zrtp_fini(struct ua_call *c)
{
	if (c->zrtp)
		bzrtp_destroyBzrtpContext(c->zrtp, c->ssrc);
	c->zrtp = NULL;
}

int ua_call_sas(struct ua *ua, uint32_t call, char *out, size_t n)
{
	size_t i;

	for (i = 0; i < UA_MAX_CALLS; i++) {
		struct ua_call *c = &ua->calls[i];
		if (c->state != UC_FREE && c->handle == call) {
			if (!c->zrtp_secure)
				return ENOENT;
			snprintf(out, n, "%s", c->sas);
			return 0;
		}
	}
	return ENOENT;
}
