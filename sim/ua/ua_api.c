/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench UA: the actions a scenario asks for (register, call, hang up,
 * hold, MESSAGE, SUBSCRIBE, PUBLISH). Each builds its request and starts
 * a client transaction; results come back as events.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "ua/ua_int.h"

static int start(struct ua *ua, enum sip_method m, const char *ruri,
		 const char *to_uri, const char *to_tag, const char *ftag,
		 const char *call_id, uint32_t cseq, struct ua_call *c,
		 const char *extra, const char *ctype, const void *body,
		 size_t len, struct ua_tx **tp)
{
	char branch[40];
	struct buf b;
	int err;

	ua_new_branch(ua, branch, sizeof(branch));
	buf_init(&b);
	err = ua_build_request(ua, &b, m, ruri, to_uri, to_tag, ftag, call_id,
			       cseq, branch, c, extra, ctype, body, len);
	if (!err)
		err = ua_tx_start(ua, m, &b, branch, cseq,
				  c ? (int)(c - ua->calls) : -1, tp);
	buf_fini(&b);
	return err;
}

int ua_register(struct ua *ua, uint64_t now_us, uint32_t expires)
{
	char ruri[160], to[160], extra[48];
	struct ua_tx *t;
	int err;

	ua->now_us = now_us;
	snprintf(ruri, sizeof(ruri), "sip:%s", ua->domain);
	snprintf(to, sizeof(to), "sip:%s", ua->aor);
	snprintf(extra, sizeof(extra), "Expires: %u\r\n", expires);
	err = start(ua, SIP_M_REGISTER, ruri, to, NULL, ua->reg_tag,
		    ua->reg_call_id, ++ua->reg_cseq, NULL, extra, NULL, NULL,
		    0, &t);
	if (!err)
		t->reg_expires = expires;
	return err;
}

int ua_call(struct ua *ua, uint64_t now_us, const char *to,
	    const struct ua_call_opt *opt, uint32_t *call)
{
	return ua_call_chat(ua, now_us, to, opt, NULL, call);
}

int ua_call_chat(struct ua *ua, uint64_t now_us, const char *to,
		 const struct ua_call_opt *opt, const char *msrp_path,
		 uint32_t *call)
{
	struct ua_call *c;
	char uri[160], hp[NET_ADDR_STRLEN], extra[200] = "";
	struct buf sdp;
	int err;

	ua->now_us = now_us;
	if (!to || !strchr(to, '@'))
		return EINVAL;
	c = ua_call_new(ua);
	if (!c)
		return EBUSY;
	c->outgoing = 1;
	if (opt)
		c->opt = *opt;
	snprintf(c->canary, sizeof(c->canary), "%s",
		 opt && opt->canary ? opt->canary : "");
	c->opt.canary = NULL;
	snprintf(c->msrp_local, sizeof(c->msrp_local), "%s",
		 msrp_path ? msrp_path : "");
	snprintf(c->peer, sizeof(c->peer), "%s", to);
	net_addr_host(&ua->local, hp, sizeof(hp));
	ua_rand_token(ua, c->call_id, 20);
	snprintf(c->call_id + 20, sizeof(c->call_id) - 20, "@%s", hp);
	c->lcseq = c->invite_cseq = 1;
	c->invite_at_us = now_us;
	if (opt && opt->subject)
		snprintf(extra, sizeof(extra), "Subject: %s\r\n",
			 opt->subject);
	snprintf(uri, sizeof(uri), "sip:%s", to);
	buf_init(&sdp);
	err = ua_sdp_offer(ua, c, &sdp);
	if (!err)
		err = start(ua, SIP_M_INVITE, uri, uri, NULL, c->ltag,
			    c->call_id, c->invite_cseq, c, extra,
			    c->opt.media == UA_MEDIA_NONE ? NULL
							  : "application/sdp",
			    sdp.data, sdp.len, NULL);
	buf_fini(&sdp);
	if (err) {
		ua_call_free(ua, c);
		return err;
	}
	if (call)
		*call = c->handle;
	return 0;
}

static struct ua_call *by_handle(struct ua *ua, uint32_t h)
{
	size_t i;

	for (i = 0; i < UA_MAX_CALLS; i++)
		if (ua->calls[i].state != UC_FREE && ua->calls[i].handle == h)
			return &ua->calls[i];
	return NULL;
}

/* CANCEL: same branch, Call-ID, From, To and CSeq number as the INVITE
 * (RFC 3261 9.1). */
static int send_cancel(struct ua *ua, struct ua_call *c)
{
	struct ua_tx *inv = c->invite_tx >= 0 ? &ua->tx[c->invite_tx] : NULL;
	char uri[160];
	struct buf b;
	int err;

	if (!inv || !inv->used)
		return ENOENT;
	snprintf(uri, sizeof(uri), "sip:%s", c->peer);
	buf_init(&b);
	err = ua_build_request(ua, &b, SIP_M_CANCEL, uri, uri, NULL, c->ltag,
			       c->call_id, c->invite_cseq, inv->branch, NULL,
			       NULL, NULL, NULL, 0);
	if (!err)
		err = ua_tx_start(ua, SIP_M_CANCEL, &b, inv->branch,
				  c->invite_cseq, -1, NULL);
	buf_fini(&b);
	c->state = UC_CANCELLING;
	return err;
}

int ua_hangup(struct ua *ua, uint64_t now_us, uint32_t call)
{
	struct ua_call *c = by_handle(ua, call);
	struct sip_msg *inv;
	struct net_pkt in;
	int err = 0;

	ua->now_us = now_us;
	if (!c)
		return ENOENT;
	switch (c->state) {
	case UC_UP:
		return ua_send_bye(ua, c);
	case UC_CALLING:
	case UC_RINGING:
		if (c->outgoing)
			return send_cancel(ua, c);
		/* a ringing incoming call: decline it (603) */
		inv = mem_alloc(sizeof(*inv));
		if (!inv)
			return ENOMEM;
		err = sip_msg_decode(inv, c->inv_raw.data, c->inv_raw.len);
		if (!err) {
			struct buf out;
			struct pl tag = pl_from_str(c->ltag);
			buf_init(&out);
			memset(&in, 0, sizeof(in));
			err = sip_encode_response(&out, inv, 603, NULL, &tag,
						  NULL, 0, NULL, NULL);
			if (!err)
				err = ua_send(ua, &ua->local, &c->inv_peer,
					      c->inv_conn, out.data, out.len);
			buf_fini(&out);
		}
		mem_free(inv);
		ua_emit(ua, UA_EV_CALL_FAILED, 603, c->handle, c->peer,
			"declined");
		ua_call_free(ua, c);
		return err;
	default:
		return ENOENT;
	}
}

int ua_hold(struct ua *ua, uint64_t now_us, uint32_t call, int on)
{
	struct ua_call *c = by_handle(ua, call);
	char to_uri[160], ruri[300];
	struct buf sdp;
	int err;

	ua->now_us = now_us;
	if (!c || c->state != UC_UP)
		return ENOENT;
	c->hold = on;
	snprintf(to_uri, sizeof(to_uri), "sip:%s", c->peer);
	snprintf(ruri, sizeof(ruri), "%s",
		 *c->remote_uri ? c->remote_uri : to_uri);
	buf_init(&sdp);
	err = ua_sdp_offer(ua, c, &sdp);
	c->lcseq++;
	c->invite_cseq = c->lcseq;
	if (!err)
		err = start(ua, SIP_M_INVITE, ruri, to_uri, c->rtag, c->ltag,
			    c->call_id, c->lcseq, c, NULL, "application/sdp",
			    sdp.data, sdp.len, NULL);
	buf_fini(&sdp);
	return err;
}

static int out_of_dialog(struct ua *ua, enum sip_method m, const char *to,
			 const char *extra, const char *ctype,
			 const void *body, size_t len)
{
	char uri[160], call_id[96], tag[16], hp[NET_ADDR_STRLEN];
	struct ua_tx *t;
	int err;

	if (!to || !strchr(to, '@'))
		return EINVAL;
	snprintf(uri, sizeof(uri), "sip:%s", to);
	net_addr_host(&ua->local, hp, sizeof(hp));
	ua_rand_token(ua, call_id, 20);
	snprintf(call_id + 20, sizeof(call_id) - 20, "@%s", hp);
	ua_rand_token(ua, tag, 10);
	err = start(ua, m, uri, uri, NULL, tag, call_id, 1, NULL, extra,
		    ctype, body, len, &t);
	if (!err)
		snprintf(t->target, sizeof(t->target), "%s", to);
	return err;
}

int ua_message(struct ua *ua, uint64_t now_us, const char *to,
	       const char *ctype, const uint8_t *body, size_t len)
{
	ua->now_us = now_us;
	return out_of_dialog(ua, SIP_M_MESSAGE, to, NULL,
			     ctype ? ctype : "text/plain", body, len);
}

int ua_options(struct ua *ua, uint64_t now_us, const char *to)
{
	ua->now_us = now_us;
	return out_of_dialog(ua, SIP_M_OPTIONS, to, NULL, NULL, NULL, 0);
}

int ua_subscribe(struct ua *ua, uint64_t now_us, const char *to,
		 uint32_t expires)
{
	char extra[128];

	ua->now_us = now_us;
	snprintf(extra, sizeof(extra),
		 "Event: presence\r\nAccept: application/pidf+xml\r\n"
		 "Expires: %u\r\n", expires);
	return out_of_dialog(ua, SIP_M_SUBSCRIBE, to, extra, NULL, NULL, 0);
}

int ua_publish(struct ua *ua, uint64_t now_us, const char *note)
{
	char extra[160], body[1024];
	int n;

	ua->now_us = now_us;
	n = snprintf(body, sizeof(body),
		     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
		     "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
		     "entity=\"sip:%s\">\r\n<tuple id=\"t1\"><status><basic>"
		     "open</basic></status><note>%s</note></tuple>\r\n"
		     "</presence>\r\n", ua->aor, note ? note : "");
	if (n < 0 || (size_t)n >= sizeof(body))
		return EINVAL;
	snprintf(extra, sizeof(extra), "Event: presence\r\nExpires: 3600\r\n%s%s%s",
		 *ua->pub_etag ? "SIP-If-Match: " : "", ua->pub_etag,
		 *ua->pub_etag ? "\r\n" : "");
	return out_of_dialog(ua, SIP_M_PUBLISH, ua->aor, extra,
			     "application/pidf+xml", body, (size_t)n);
}

int ua_call_msrp_path(struct ua *ua, uint32_t call, char *out, size_t n)
{
	size_t i;

	for (i = 0; i < UA_MAX_CALLS; i++) {
		struct ua_call *c = &ua->calls[i];

		if (c->state != UC_FREE && c->handle == call) {
			if (!c->msrp_remote[0])
				return ENOENT;
			snprintf(out, n, "%s", c->msrp_remote);
			return 0;
		}
	}
	return ENOENT;
}
