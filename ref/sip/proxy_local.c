/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Requests whose Request-URI is us (RFC 3261 16.5: we are responsible),
 * split from proxy_route.c: REGISTER to the registrar, presence to the
 * presence agent, OPTIONS/501 for the domain itself, and requests for a
 * local user: MESSAGE stored (P10), calls started for the CDR (P16),
 * push-capable devices woken (RFC 8599), then forked to the bindings,
 * with the failure route and 480/202 when nobody can take it.
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

#define ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, MESSAGE, " \
	"SUBSCRIBE, NOTIFY, PUBLISH, INFO, PRACK, UPDATE, REFER"

static void local_user(struct sip_proxy *p, const struct sip_uri *u,
		       char *user, size_t sz)
{
	size_t n;

	if (sip_unescape(&u->user, user, sz, &n))
		snprintf(user, sz, "%.*s", PL_ARG(u->user));
}

static bool user_exists(struct sip_proxy *p, const char *user)
{
	char ha1[SIP_HA1_MAX];
	const struct sip_store_ops *s = &p->cfg.store;

	if (s->user_exists)
		return !s->user_exists(s->arg, user, p->domain);
	if (s->ha1_get)
		return !s->ha1_get(s->arg, user, p->domain, SIP_AUTH_MD5, ha1,
				   sizeof(ha1));
	return true;
}

static void store_message(struct sip_proxy *p, const struct sip_msg *msg,
			  struct tsx *t, bool *stored)
{
	struct sip_message_rec m;
	const struct sip_hdr *ct = sip_msg_hdr(msg, SIP_HDR_CONTENT_TYPE);
	char from[200], to[200];

	*stored = false;
	if (!p->cfg.store.message_store)
		return;
	px_aor(p, &msg->from.uri, from, sizeof(from));
	px_aor(p, &msg->ruri, to, sizeof(to));
	memset(&m, 0, sizeof(m));
	m.from = pl_from_str(from);
	m.to = pl_from_str(to);
	if (ct)
		m.ctype = ct->val;
	m.body = msg->body;
	m.wall_us = wall_us(p);
	m.id_out = &t->msg_id;
	if (!p->cfg.store.message_store(p->cfg.store.arg, &m)) {
		*stored = true;
		p->st.messages++;
	}
}

/* RFC 8599: wake the user's push-capable devices. When they are all the
 * user has, a stored MESSAGE is answered 202 (delivered when a device
 * registers) and anything else waits for the woken device. true: t is
 * answered or parked. */
static bool push_first(struct sip_proxy *p, struct tsx *t,
		       const struct sip_msg *msg, const char *user,
		       bool stored)
{
	bool inv = msg->mid == SIP_M_INVITE;
	size_t n, npush;

	n = pn_request(p, user, inv ? "call" : "message", &npush);
	if (!n || npush < n)
		return false;
	if (!inv && stored) {
		px_reply(p, t, msg, 202, NULL, NULL, 0, NULL, NULL);
		return true;
	}
	return pn_park(p, t, user);
}

/* Requests whose Request-URI is us (RFC 3261 16.5: we are responsible). */
void route_local(struct sip_proxy *p, const struct net_pkt *pkt,
		 struct sip_msg *msg, struct tsx *t)
{
	static const struct sip_hdr_add allow = { "Allow",
		{ ALLOW, sizeof(ALLOW) - 1 } };
	char user[128];
	bool from_local, stored = false;
	int err;

	if (msg->mid == SIP_M_REGISTER) {
		reg_register(p, pkt, msg, t);
		return;
	}
	if (pres_owns(p, msg)) {
		if (msg->mid == SIP_M_SUBSCRIBE)
			pres_subscribe(p, pkt, msg, t);
		else
			px_reply(p, t, msg, 405, NULL, &allow, 1, NULL, NULL);
		return;
	}
	if (!pl_isset(&msg->ruri.user)) {
		if (msg->mid == SIP_M_OPTIONS)
			px_reply(p, t, msg, 200, NULL, &allow, 1, NULL, NULL);
		else if (msg->mid == SIP_M_OTHER)	/* RFC 3261 8.2.1 */
			px_reply(p, t, msg, 501, NULL, &allow, 1, NULL, NULL);
		else
			px_reply(p, t, msg, 404, NULL, NULL, 0, NULL, NULL);
		return;
	}
	if (pl_isset(&msg->to.tag)) {
		/* In-dialog request addressed to an AOR: not a dialog of
		 * ours (we record-route, so peers target contacts). */
		px_reply(p, t, msg, 481, NULL, NULL, 0, NULL, NULL);
		return;
	}
	from_local = px_host_is_us(p, &msg->from.uri.host, 0);
	if (p->cfg.auth && from_local && !route_static_src(p, &pkt->from) &&
	    auth_check(p, pkt, msg, t))
		return;
	if (msg->mid == SIP_M_SUBSCRIBE) {
		pres_subscribe(p, pkt, msg, t);
		return;
	}
	if (msg->mid == SIP_M_PUBLISH) {
		pres_publish(p, pkt, msg, t);
		return;
	}
	local_user(p, &msg->ruri, user, sizeof(user));
	if (!user_exists(p, user)) {
		if (msg->mid == SIP_M_INVITE)
			cdr_call_refused(p, pkt, msg, 404);
		px_reply(p, t, msg, 404, NULL, NULL, 0, NULL, NULL);
		return;
	}
	if (msg->mid == SIP_M_MESSAGE)
		store_message(p, msg, t, &stored);
	if (msg->mid == SIP_M_INVITE)
		t->call = cdr_call_start(p, pkt, msg);
	if ((msg->mid == SIP_M_INVITE || msg->mid == SIP_M_MESSAGE) &&
	    push_first(p, t, msg, user, stored))
		return;
	err = route_fork(p, t, msg, user);
	if (!err) {
		if (msg->mid == SIP_M_INVITE)
			route_ring_arm(p, t, user);
		return;
	}
	if (msg->mid == SIP_M_INVITE && !route_failover(p, t, msg))
		return;
	if (msg->mid == SIP_M_MESSAGE && stored) {
		px_reply(p, t, msg, 202, NULL, NULL, 0, NULL, NULL);
		return;
	}
	if (err == PX_E_RELAY_FULL || err == PX_E_BAD_SDP) {
		const char *why;
		uint16_t code = route_err_code(err, &why);

		if (t->call) {
			cdr_call_final(p, t->call, code, NULL, NULL);
			t->call = NULL;
		}
		route_err_reply(p, t, msg, code, why);
		return;
	}
	if (t->call) {
		cdr_call_final(p, t->call, 480, NULL, NULL);
		t->call = NULL;
	}
	px_reply(p, t, msg, 480, err == EPERM ? "TLS Required" : NULL, NULL,
		 0, NULL, NULL);
}
