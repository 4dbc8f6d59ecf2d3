/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench UA media: the SDP offer/answer it writes and reads, and RTP at
 * 20 ms G.711 packets. Payload layout: "RTCB", one length byte, the call's
 * canary, then silence (0xff). A receiver that finds "RTCB" after
 * decryption proves end-to-end delivery; a sniffer or relay that finds the
 * canary proves the payload crossed in clear. SRTP (SDES, RFC 4568) uses
 * libsrtp2 with AES_CM_128_HMAC_SHA1_80.
 *
 * zRTP calls run the key agreement first (ua_zrtp.c) and send RTP only
 * once SRTP is keyed from it.
 *
 * Known limits: one audio stream per call; no RTCP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "base/mem.h"
#include "rtp/rtp.h"
#include "sdp/sdp.h"
#include "ua/ua_int.h"

#define RTP_HDR 12
#define MAGIC "RTCB"
#define STAMP_OFF (RTP_HDR + UA_RTP_PAYLOAD - 8)	/* send time, us */

int ua_sdp_offer(struct ua *ua, struct ua_call *c, struct buf *b)
{
	char ip[64], key64[64];
	int v6 = net_addr_family(&ua->media) == AF_INET6, err = 0;
	enum ua_media m = c->opt.media;

	if (m == UA_MEDIA_NONE)
		return 0;
	net_addr_host(&ua->media, ip, sizeof(ip));
	err |= buf_printf(b, "v=0\r\no=%s %u %u IN %s %s\r\ns=rtcbench\r\n"
			  "c=IN %s %s\r\nt=0 0\r\n", ua->user, c->handle,
			  c->lcseq, v6 ? "IP6" : "IP4", ip,
			  v6 ? "IP6" : "IP4", ip);
	err |= buf_printf(b, "m=audio %u %s 0\r\na=rtpmap:0 PCMU/8000\r\n"
			  "a=ptime:20\r\na=%s\r\n", c->rtp_port,
			  m == UA_MEDIA_SRTP ? "RTP/SAVP" : "RTP/AVP",
			  c->hold ? "sendonly" : "sendrecv");
	if (c->msrp_local[0])
		err |= buf_printf(b, "m=message 9 TCP/MSRP *\r\n"
				  "a=accept-types:message/cpim text/plain\r\n"
				  "a=path:%s\r\n", c->msrp_local);
	if (m == UA_MEDIA_SRTP) {
		if (!c->key_local[0] && !c->key_local[1])
			rng_bytes(&ua->rng, c->key_local,
				  sizeof(c->key_local));
		EVP_EncodeBlock((unsigned char *)key64, c->key_local,
				sizeof(c->key_local));
		err |= buf_printf(b, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
				  "inline:%s\r\n", key64);
	} else if (m == UA_MEDIA_ZRTP) {
		if (ua_zrtp_init(ua, c))
			return EIO;
		err |= buf_printf(b, "a=zrtp-hash:%s\r\n", c->zrtp_hash);
	}
	return err ? ENOMEM : 0;
}

static void take_crypto(struct ua_call *c, const struct pl *aval)
{
	/* "1 AES_CM_128_HMAC_SHA1_80 inline:KEY[|lifetime][|mki]" */
	struct pl v = *aval, key;
	const char *in = NULL;
	unsigned char raw[64];
	char k64[64];
	int n;
	struct pl inl = PL("inline:");

	in = pl_find(&v, &inl);
	if (!in)
		return;
	key.p = in + inl.len;
	key.len = v.len - (size_t)(key.p - v.p);
	if (pl_chr(&key, '|'))
		key.len = (size_t)(pl_chr(&key, '|') - key.p);
	if (pl_strcpy(&key, k64, sizeof(k64)) || key.len != 40)
		return;
	n = EVP_DecodeBlock(raw, (const unsigned char *)k64, 40);
	if (n < 30)
		return;
	memcpy(c->key_remote, raw, 30);
	c->srtp_on = 1;
}

int ua_sdp_take(struct ua *ua, struct ua_call *c, const struct pl *body)
{
	struct sdp_session *s = mem_alloc(sizeof(*s));
	const struct sdp_conn *cn;
	struct net_addr a;
	size_t i;
	int l, err = 0;

	if (!s)
		return ENOMEM;
	if (sdp_decode(s, body)) {
		err = EBADMSG;
		goto out;
	}
	for (i = 0; i < s->media_cnt; i++) {
		struct sdp_media *md = &s->media[i];
		const struct sdp_line *pa;
		int it = -1;

		if (pl_caseeq_str(&md->type, "message") && md->port_n &&
		    c->msrp_local[0] &&
		    (pa = sdp_attr_next(s, (int)i, "path", &it)))
			pl_strcpy(&pa->aval, c->msrp_remote,
				  sizeof(c->msrp_remote));
	}
	for (i = 0; i < s->media_cnt; i++) {
		struct sdp_media *md = &s->media[i];
		if (!pl_caseeq_str(&md->type, "audio"))
			continue;
		cn = sdp_media_conn(s, i);
		if (!cn || net_addr_parse(&cn->addr, md->port_n, &a)) {
			err = EBADMSG;
			goto out;
		}
		a.tp = NET_UDP;
		c->rtp_remote = a;
		c->have_remote = md->port_n != 0;
		if (!c->zrtp_secure)
			c->srtp_on = 0;
		/* A callee answers in kind: SRTP for an SDES offer, a
		 * zrtp-hash for a zRTP one. */
		if (!c->outgoing && c->state != UC_UP)
			c->opt.media = md->flags & SDP_SEC_CRYPTO ?
				UA_MEDIA_SRTP : md->flags & SDP_SEC_ZRTP ?
				UA_MEDIA_ZRTP : UA_MEDIA_RTP;
		for (l = md->line; l < md->end_line; l++)
			if (s->lines[l].attr == SDP_ATTR_CRYPTO)
				take_crypto(c, &s->lines[l].aval);
		if (c->opt.media == UA_MEDIA_ZRTP && !ua_zrtp_init(ua, c))
			for (l = md->line; l < md->end_line; l++)
				if (s->lines[l].attr == SDP_ATTR_ZRTP_HASH)
					ua_zrtp_peer_hash(c,
							  &s->lines[l].aval);
		if (c->opt.media != UA_MEDIA_SRTP && !c->zrtp_secure)
			c->srtp_on = 0;
		break;
	}
out:
	mem_free(s);
	return err;
}

int ua_srtp_setup(struct ua_call *c)
{
	srtp_policy_t p;

	memset(&p, 0, sizeof(p));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
	p.ssrc.type = ssrc_any_outbound;
	p.key = c->key_local;
	p.window_size = 128;
	if (srtp_create(&c->srtp_tx, &p) != srtp_err_status_ok)
		return EINVAL;
	p.ssrc.type = ssrc_any_inbound;
	p.key = c->key_remote;
	if (srtp_create(&c->srtp_rx, &p) != srtp_err_status_ok) {
		srtp_dealloc(c->srtp_tx);
		c->srtp_tx = NULL;
		return EINVAL;
	}
	return 0;
}

void ua_media_start(struct ua *ua, struct ua_call *c)
{
	if (!c->have_remote || c->opt.media == UA_MEDIA_NONE || c->t_rtp)
		return;
	if (!c->ssrc)	/* zRTP fixed it when it made its channel */
		c->ssrc = rng_u32(&ua->rng);
	c->seq = (uint16_t)rng_u32(&ua->rng);
	c->ts = rng_u32(&ua->rng);
	if (c->srtp_on && !c->srtp_tx && ua_srtp_setup(c))
		c->srtp_on = 0;
	if (c->opt.media == UA_MEDIA_ZRTP)
		ua_zrtp_start(ua, c);
	ua_timer(ua, &c->t_rtp, ua->now_us, UT_RTP, c);
}

/* Fold a call's receive statistics into the UA's totals. */
static void rx_fold(struct ua *ua, struct ua_call *c)
{
	uint64_t expected, jit;

	if (!c->rx_started)
		return;
	expected = (uint64_t)c->rx_cycles + c->rx_max_seq - c->rx_base_seq + 1;
	ua->st.rtp_expected += expected;
	if (expected > c->rx_received)
		ua->st.rtp_lost += expected - c->rx_received;
	jit = (uint64_t)c->rx_jitter_us;
	ua->st.jitter_us_sum += jit;
	ua->st.jitter_n++;
	if (jit > ua->st.jitter_us_max)
		ua->st.jitter_us_max = jit;
	c->rx_started = 0;
}

void ua_media_stop(struct ua *ua, struct ua_call *c)
{
	rx_fold(ua, c);
	ua_zrtp_fini(c);
	ua_timer_stop(ua, &c->t_rtp);
	if (c->srtp_tx)
		srtp_dealloc(c->srtp_tx);
	if (c->srtp_rx)
		srtp_dealloc(c->srtp_rx);
	c->srtp_tx = c->srtp_rx = NULL;
}

void ua_rtp_tick(struct ua *ua, struct ua_call *c)
{
	uint8_t pkt[RTP_HDR + UA_RTP_PAYLOAD + SRTP_MAX_TRAILER_LEN];
	struct net_addr src = ua->media;
	size_t clen = strlen(c->canary);
	int len = RTP_HDR + UA_RTP_PAYLOAD;

	if (c->state != UC_UP)
		return;
	ua_zrtp_tick(ua, c);
	/* zRTP: nothing in clear before the keys exist */
	if (!c->hold && (c->opt.media != UA_MEDIA_ZRTP || c->zrtp_secure)) {
		struct rtp_hdr h = { .pt = 0 /* PCMU */, .seq = c->seq,
				     .ts = c->ts, .ssrc = c->ssrc };

		rtp_hdr_encode(pkt, &h);
		memset(pkt + RTP_HDR, 0xff, UA_RTP_PAYLOAD);
		memcpy(pkt + RTP_HDR, MAGIC, 4);
		if (clen > UA_RTP_PAYLOAD - 5)
			clen = UA_RTP_PAYLOAD - 5;
		if (clen > STAMP_OFF - RTP_HDR - 5)
			clen = STAMP_OFF - RTP_HDR - 5;
		pkt[RTP_HDR + 4] = (uint8_t)clen;
		memcpy(pkt + RTP_HDR + 5, c->canary, clen);
		memcpy(pkt + STAMP_OFF, &ua->now_us, 8);
		if (c->srtp_on && c->srtp_tx &&
		    srtp_protect(c->srtp_tx, pkt, &len) != srtp_err_status_ok)
			len = 0;
		net_addr_set_port(&src, c->rtp_port);
		src.tp = NET_UDP;
		if (len && ua_send(ua, &src, &c->rtp_remote, 0, pkt,
				   (size_t)len) == 0)
			ua->st.rtp_sent++;
	}
	c->seq++;
	c->ts += 160;
	ua_timer(ua, &c->t_rtp, ua->now_us + UA_RTP_PTIME_US, UT_RTP, c);
}

/* Sequence tracking and interarrival jitter (RFC 3550 A.1, A.8), with
 * 8 kHz timestamps converted to microseconds. */
static void rx_update(struct ua *ua, struct ua_call *c, const uint8_t *p,
		      size_t len)
{
	struct rtp_hdr h;
	uint16_t seq;
	uint32_t ts;
	uint64_t sent;

	if (rtp_hdr_decode(p, len, &h))
		return;
	seq = h.seq;
	ts = h.ts;

	if (!c->rx_started) {
		c->rx_started = 1;
		c->rx_base_seq = c->rx_max_seq = seq;
		c->rx_cycles = 0;
		c->rx_received = 0;
		c->rx_jitter_us = 0;
	} else {
		uint16_t delta = (uint16_t)(seq - c->rx_max_seq);
		if (delta && delta < 3000) {
			if (seq < c->rx_max_seq)
				c->rx_cycles += 65536;
			c->rx_max_seq = seq;
		}
		{
			double d = ((double)ua->now_us -
				    (double)c->rx_last_arrival_us) -
				   (double)(int32_t)(ts - c->rx_last_ts) * 125.0;
			if (d < 0)
				d = -d;
			c->rx_jitter_us += (d - c->rx_jitter_us) / 16.0;
		}
	}
	c->rx_received++;
	c->rx_last_ts = ts;
	c->rx_last_arrival_us = ua->now_us;
	if (len >= STAMP_OFF + 8 && !memcmp(p + RTP_HDR, MAGIC, 4)) {
		memcpy(&sent, p + STAMP_OFF, 8);
		if (sent <= ua->now_us) {
			uint64_t d = ua->now_us - sent;
			ua->st.rtp_delay_us_sum += d;
			ua->st.rtp_delay_n++;
			if (d > ua->st.rtp_delay_us_max)
				ua->st.rtp_delay_us_max = d;
		}
	}
}

void ua_rtp_input(struct ua *ua, const struct net_pkt *in)
{
	uint8_t pkt[2048];
	uint16_t port = net_addr_port(&in->to);
	struct ua_call *c = NULL;
	int len = (int)in->len;
	size_t i;

	for (i = 0; i < UA_MAX_CALLS; i++)
		if (ua->calls[i].state != UC_FREE &&
		    ua->calls[i].rtp_port == port)
			c = &ua->calls[i];
	if (!c || !in->data || in->len < RTP_HDR || in->len > sizeof(pkt))
		return;
	if (ua_zrtp_input(ua, c, in->data, in->len))
		return;
	if ((in->data[0] & 0xc0) != 0x80)
		return;
	memcpy(pkt, in->data, in->len);
	if (c->srtp_on && c->srtp_rx &&
	    srtp_unprotect(c->srtp_rx, pkt, &len) != srtp_err_status_ok)
		return;
	ua->st.rtp_recv++;
	ua->st.rtp_bytes_recv += (uint64_t)len;
	rx_update(ua, c, pkt, (size_t)len);
	if (len >= RTP_HDR + 5 && !memcmp(pkt + RTP_HDR, MAGIC, 4) &&
	    pkt[RTP_HDR + 4])
		ua->st.rtp_canary_recv++;
}

int ua_call_sdes_keys(struct ua *ua, uint32_t call, char *local,
		      char *remote, size_t n)
{
	static const uint8_t none[30];
	size_t i;

	if (n < 41)
		return ENOSPC;	/* base64 of 30 bytes */
	for (i = 0; i < UA_MAX_CALLS; i++) {
		struct ua_call *c = &ua->calls[i];

		if (c->state == UC_FREE || c->handle != call)
			continue;
		if (c->opt.media != UA_MEDIA_SRTP ||
		    !memcmp(c->key_local, none, 30) ||
		    !memcmp(c->key_remote, none, 30))
			return ENOENT;
		EVP_EncodeBlock((unsigned char *)local, c->key_local, 30);
		EVP_EncodeBlock((unsigned char *)remote, c->key_remote, 30);
		return 0;
	}
	return ENOENT;
}

const char *ua_last_digest(const struct ua *ua)
{
	return ua->last_digest;
}

struct pl ua_last_message(const struct ua *ua)
{
	return pl_from_mem(ua->msg_rx.data, ua->msg_rx.len);
}
