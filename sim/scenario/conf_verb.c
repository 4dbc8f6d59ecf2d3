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
 * In the in-process modes the focus runs on the virtual network beside
 * the proxy (scn_conf_inproc), at 127.0.0.11 (SIP port 5070, RTP ports
 * 42000-42199), behind the proxy's static route like in refd.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
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
};

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
	char to[200];
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

		struct scn_ua *s = NULL;

		p[n].name = st->argv[i];
		rc = a ? scn_uas_add(c, ip, a, SCN_UA_CALLER, NULL, t->via,
				     &s) : ENOENT;
		p[n].ui = ip->nua - 1;
		if (!rc)
			rc = ua_call(s->ua, ip->drv->now(ip->arg), to, &o,
				     &p[n].call);
		if (rc) {
			snprintf(err, errsz, "participant %s: %s", p[n].name,
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
		    struct conf_focus **out, struct sip_static_route *route,
		    char *err, size_t errsz)
{
	struct conf_focus_cfg fc;
	struct pl sip = PL("127.0.0.11:5070"), media = PL("127.0.0.11");
	struct net_addr a[2];
	int rc;

	memset(&fc, 0, sizeof(fc));
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
