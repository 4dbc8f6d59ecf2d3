/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `conference [ROOM] A B C... [duration=] [canary=]` verb, carried by
 * the bench user agents under any driver: one fresh calling device per
 * participant dials sip:room-ROOM@DOMAIN through the platform's proxy
 * (digest auth, the proxy's static route to the conference focus) at the
 * same instant, all must be answered, each sends RTP whose payloads carry
 * the media canary for the duration, then hangs up. ROOM may be left out:
 * a first word that names a declared account is a participant, and the
 * room is then "bench". The room prefix is refd's default, "room-".
 *
 * chat=yes: before dialing, each participant also gets an MSRP client
 * AUTHed at the platform's MSRP relay, and its INVITE offers an MSRP chat
 * line whose a=path is the relay's Use-Path then its own URI; every
 * answer must accept it (the focus's URI in a=path). Once all are in, the
 * first participant SENDs "CANARY-CHAT" (the canary= text with "-CHAT",
 * or a fixed text) to the focus through the relay, and each of the
 * others must receive it (wrapped in message/cpim by the focus) within
 * 10 s; the sender must not get it back.
 *
 * In the in-process modes the focus runs on the virtual network beside
 * the proxy (scn_conf_inproc), at 127.0.0.11 (SIP port 5070, RTP ports
 * 42000-42199), its chat at 127.0.0.12:2856 (TCP), behind the proxy's
 * static route like in refd.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "conf/conf_chat.h"
#include "conf/conf_focus.h"
#include "inproc/vnet.h"
#include "scenario/run_steps.h"
#include "scenario/uas.h"

#define CONF_PREFIX "room-"
#define SLICE_US 20000ULL
#define MAX_PARTS 32

struct part {
	size_t ui;		/* index in u->ua (which moves as it grows) */
	const char *name;
	uint32_t call;
	bool answered, ended;
	unsigned failed;	/* final status of a refused INVITE */
	const struct scn_acct *a;
	struct ua_msrp *m;	/* chat=yes: its MSRP client */
	int mi;			/* the client's driver index */
	char path[700];		/* its a=path: Use-Path, own URI */
};

static bool want_chat(const struct scn_step *st)
{
	const char *v = scn_opt(st, "chat");

	return v && (!strcmp(v, "yes") || !strcmp(v, "on"));
}

/* chat=yes, before the calls: an MSRP client per participant, AUTHed at
 * the relay; its a=path into p[i].path. */
static int chat_setup(struct scn_ctx *c, struct scn_uas *ip, struct part *p,
		      size_t n, char *err, size_t errsz)
{
	struct ua_msrp_stats st;
	size_t i, done = 0;
	unsigned k;
	int rc;

	if (!net_addr_port(&ip->msrp[0])) {
		snprintf(err, errsz, "chat=yes: no MSRP relay in this mode");
		return ENOTSUP;
	}
	for (i = 0; i < n; i++) {
		rc = scn_chat_client(c, ip, p[i].a, &ip->msrp[0], &p[i].m,
				     &p[i].mi);
		if (rc) {
			snprintf(err, errsz, "MSRP client of %s: %s",
				 p[i].name, strerror(rc));
			return rc;
		}
		ua_msrp_auth(p[i].m, ip->drv->now(ip->arg));
		ip->drv->kick(ip->arg, p[i].mi);
	}
	for (k = 0; k < 500 && done < n; k++) {
		for (i = 0, done = 0; i < n; i++) {
			ua_msrp_stats(p[i].m, &st);
			done += st.authed ? 1 : 0;
		}
		if (done < n && (rc = ip->drv->run_until(ip->arg,
				  ip->drv->now(ip->arg) + SLICE_US)))
			return rc;
	}
	for (i = 0; i < n; i++) {
		ua_msrp_stats(p[i].m, &st);
		if (!st.authed) {
			snprintf(err, errsz, "%s: MSRP AUTH at the relay "
				 "failed (%u)", p[i].name, st.last_status);
			return EACCES;
		}
		snprintf(p[i].path, sizeof(p[i].path), "%s %s",
			 ua_msrp_use_path(p[i].m), ua_msrp_uri(p[i].m));
	}
	return 0;
}

/* chat=yes, all answered: the first one's text reaches every other. */
static int chat_check(struct scn_uas *ip, struct part *p, size_t n,
		      const char *text, char *err, size_t errsz)
{
	struct ua_msrp_stats st;
	unsigned before[MAX_PARTS];
	char fpath[300], to[1100];
	struct pl got;
	size_t i, done = 0;
	unsigned k;
	int rc;

	for (i = 0; i < n; i++) {
		if (ua_call_msrp_path(ip->ua[p[i].ui].ua, p[i].call, fpath,
				      sizeof(fpath))) {
			snprintf(err, errsz, "the focus refused %s's chat "
				 "(no MSRP line in its answer)", p[i].name);
			return EPROTO;
		}
		ua_msrp_stats(p[i].m, &st);
		before[i] = st.received;
	}
	ua_call_msrp_path(ip->ua[p[0].ui].ua, p[0].call, fpath,
			  sizeof(fpath));
	snprintf(to, sizeof(to), "%s %s", ua_msrp_use_path(p[0].m), fpath);
	rc = ua_msrp_send(p[0].m, ip->drv->now(ip->arg), to, "text/plain",
			  (const uint8_t *)text, strlen(text));
	if (rc) {
		snprintf(err, errsz, "chat SEND: %s", strerror(rc));
		return rc;
	}
	ip->drv->kick(ip->arg, p[0].mi);
	for (k = 0; k < 500 && done < n - 1; k++) {
		for (i = 1, done = 0; i < n; i++) {
			ua_msrp_stats(p[i].m, &st);
			got = ua_msrp_last(p[i].m);
			if (st.received > before[i] &&
			    memmem(got.p, got.len, text, strlen(text)))
				done++;
		}
		if (done < n - 1 && (rc = ip->drv->run_until(ip->arg,
				  ip->drv->now(ip->arg) + SLICE_US)))
			return rc;
	}
	ua_msrp_stats(p[0].m, &st);
	if (done < n - 1 || st.received != before[0]) {
		snprintf(err, errsz, "chat: %s's message %s within 10 s",
			 p[0].name, done < n - 1 ? "did not reach everyone" :
			 "came back to its sender");
		return ETIMEDOUT;
	}
	return 0;
}

/* Run the network until every participant passed `answered` (want 0) or
 * `ended` (want 1), or limit_us of virtual time went by. */
static int wait_all(struct scn_uas *ip, struct part *p, size_t n, int want,
		    uint64_t limit_us)
{
	uint64_t end = ip->drv->now(ip->arg) + limit_us;
	struct ua_event e;
	size_t i, k, done;
	int rc;

	for (;;) {
		for (k = 0; k < ip->nua; k++) {
			for (i = 0; i < n && p[i].ui != k; i++)
				;
			while (ua_event_next(ip->ua[k].ua, &e) == 0) {
				if (i == n)
					continue;	/* not ours: dropped */
				if (e.type == UA_EV_CALL_ANSWERED)
					p[i].answered = true;
				else if (e.type == UA_EV_CALL_FAILED)
					p[i].failed = e.status ? e.status : 1;
				else if (e.type == UA_EV_CALL_ENDED)
					p[i].ended = true;
			}
		}
		for (i = 0, done = 0; i < n; i++)
			if (p[i].failed || (want ? p[i].ended : p[i].answered))
				done++;
		if (done == n)
			return 0;
		if (ip->drv->now(ip->arg) >= end)
			return ETIMEDOUT;
		rc = ip->drv->run_until(ip->arg, ip->drv->now(ip->arg) +
					SLICE_US);
		if (rc)
			return rc;
	}
}

int scn_conf_traffic(struct scn_ctx *c, struct scn_uas *ip,
		     const struct scn_traffic *t, char *err, size_t errsz)
{
	const struct scn_step *st = t->st;
	uint64_t dur = scn_opt_dur_us(st, "duration", 30000000ULL);
	const char *media = scn_opt(st, "media");
	struct part p[MAX_PARTS];
	struct ua_call_opt o;
	const char *room = "bench";
	bool chat = want_chat(st);
	char to[200], text[160];
	size_t first = 0, n = 0, i;
	int rc;

	if (scn_acct_find(c, st->argv[0]) == NULL) {
		room = st->argv[0];
		first = 1;
	}
	if (st->argc - first < 2) {
		snprintf(err, errsz, "a conference needs two participants");
		return EINVAL;
	}
	if (st->argc - first > MAX_PARTS) {
		snprintf(err, errsz, "at most %d participants", MAX_PARTS);
		return EINVAL;
	}
	snprintf(to, sizeof(to), CONF_PREFIX "%s@%s", room, c->domain);
	memset(p, 0, sizeof(p));
	memset(&o, 0, sizeof(o));
	o.duration_us = dur;
	o.media = media && !strcmp(media, "srtp") ? UA_MEDIA_SRTP :
		  media && !strcmp(media, "zrtp") ? UA_MEDIA_ZRTP :
		  UA_MEDIA_RTP;
	o.canary = t->canary;
	for (i = first; i < st->argc; i++, n++) {
		const struct scn_acct *a = scn_acct_find(c, st->argv[i]);

		p[n].name = st->argv[i];
		p[n].a = a;
		if (!a) {
			snprintf(err, errsz, "participant %s: no such "
				 "account", p[n].name);
			return ENOENT;
		}
	}
	if (chat && (rc = chat_setup(c, ip, p, n, err, errsz)))
		return rc;
	for (i = 0; i < n; i++) {
		struct scn_ua *s = NULL;

		rc = scn_uas_add(c, ip, p[i].a, SCN_UA_CALLER, NULL, t->via,
				 &s);
		p[i].ui = ip->nua - 1;
		if (!rc)
			rc = ua_call_chat(s->ua, ip->drv->now(ip->arg), to,
					  &o, chat ? p[i].path : NULL,
					  &p[i].call);
		if (rc) {
			snprintf(err, errsz, "participant %s: %s", p[i].name,
				 strerror(rc));
			return rc;
		}
		ip->drv->kick(ip->arg, s->idx);
	}
	rc = wait_all(ip, p, n, 0, 64000000);
	for (i = 0; i < n; i++) {
		if (p[i].failed || (rc && !p[i].answered)) {
			snprintf(err, errsz, "%s could not join %s: %s",
				 p[i].name, to, p[i].failed ?
				 (snprintf(to, sizeof(to), "%u", p[i].failed),
				  to) : "no answer within 64 s (timeout)");
			return p[i].failed ? EPROTO : ETIMEDOUT;
		}
	}
	if (rc)
		return rc;
	snprintf(text, sizeof(text), "%s-CHAT",
		 t->canary ? t->canary : "CONFERENCE");
	if (chat && (rc = chat_check(ip, p, n, text, err, errsz)))
		return rc;
	rc = wait_all(ip, p, n, 1, dur + 40000000);
	if (rc) {
		snprintf(err, errsz, "the conference in %s did not end within "
			 "its duration + 40 s", to);
		return rc;
	}
	/* Let the BYE transactions and the last RTP drain. */
	return ip->drv->run_until(ip->arg, ip->drv->now(ip->arg) + 2000000);
}

int scn_conf_inproc(struct vnet *v, const char *domain, uint64_t seed,
		    struct conf_focus **out, struct conf_chat **chat, struct sip_static_route *route,
		    char *err, size_t errsz)
{
	struct conf_focus_cfg fc;
	struct pl sip = PL("127.0.0.11:5070"), media = PL("127.0.0.11");
	struct pl msrp = PL("127.0.0.12:2856");
	struct conf_chat_cfg cc;
	struct net_addr a[2];
	int rc;

	memset(&cc, 0, sizeof(cc));
	net_addr_parse(&msrp, 0, &cc.addr);
	cc.addr.tp = NET_TCP;
	cc.seed = seed ^ 0x63686174u;
	rc = conf_chat_new(chat, &cc);
	if (!rc && vnet_attach(v, (struct core_ref){ &conf_chat_ops, *chat },
			       &cc.addr, 1) < 0)
		rc = EEXIST;
	if (rc) {
		snprintf(err, errsz, "conference chat: %s", strerror(rc));
		return rc;
	}
	memset(&fc, 0, sizeof(fc));
	fc.chat = *chat;
	net_addr_parse(&sip, 0, &fc.sip_addr);
	net_addr_parse(&media, 0, &fc.media_addr);
	fc.sip_addr.tp = fc.media_addr.tp = NET_UDP;
	fc.room_prefix = CONF_PREFIX;
	fc.domain = domain;
	fc.port_min = 42000;
	fc.port_max = 42199;
	fc.room_max = 8;
	fc.media_timeout_us = 30000000;
	fc.seed = seed;
	rc = conf_focus_new(out, &fc);
	/* The media address with port 0 claims every port of its IP. */
	a[0] = fc.sip_addr;
	a[1] = fc.media_addr;
	if (!rc && vnet_attach(v, (struct core_ref){ &conf_focus_ops, *out },
			       a, 2) < 0)
		rc = EEXIST;
	if (rc) {
		snprintf(err, errsz, "conference focus: %s", strerror(rc));
		return rc;
	}
	memset(route, 0, sizeof(*route));
	snprintf(route->prefix, sizeof(route->prefix), CONF_PREFIX);
	route->dst = fc.sip_addr;
	snprintf(route->kind, sizeof(route->kind), "conference");
	return 0;
}
