/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic verbs carried by the bench user agents (sim/ua), under any
 * driver (the in-process virtual network, or real loopback sockets through
 * the live epoll loop): the driver is a small table of now / attach /
 * kick / run_until. Where each canary goes:
 *   register   the device's User-Agent (REGISTER only: the device is
 *              never used to place calls);
 *   call       a fresh calling device whose User-Agent is the CDR canary,
 *              the INVITE Subject is the trace canary, RTP payloads carry
 *              the media canary; the callee's registered devices answer;
 *   message    the body, from a fresh sending device;
 *   subscribe  a fresh subscriber whose User-Agent is the canary;
 *   publish    the PIDF note;
 *   push       the pn-provider of a fresh push-capable device (RFC 8599),
 *              which only the platform's push log may keep.
 * Every wait is bounded in virtual time and names what did not happen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "scenario/uas.h"
#include "ua/pgp.h"
#include "ua/emodel.h"
#include "scenario/run_steps.h"
#include "replay/rpl_live.h"

#define SLICE_US 20000ULL

static struct net_addr mkaddr(unsigned n, unsigned net, uint16_t port,
			      enum net_tp tp)
{
	struct net_addr a;
	char s[64];
	struct pl p;

	snprintf(s, sizeof(s), "127.%u.%u.%u:%u", net, 1 + n / 250,
		 1 + n % 250, port);
	p = pl_from_str(s);
	memset(&a, 0, sizeof(a));
	net_addr_parse(&p, 0, &a);
	a.tp = tp;
	return a;
}

static enum net_tp tp_of(const char *via)
{
	return !strcmp(via, "tcp") ? NET_TCP : !strcmp(via, "tls") ? NET_TLS :
	       NET_UDP;
}

static int ua_add_cp(struct scn_ctx *c, struct scn_uas *ip,
		     const struct scn_acct *a, enum scn_ua_role role,
		     const char *uagent, const char *via,
		     const char *cparams, struct scn_ua **out)
{
	struct scn_ua *nv, *s;
	struct ua_cfg cfg;
	enum net_tp tp = tp_of(via);
	unsigned n = (unsigned)ip->nua, na = n + ip->addr_base;
	const struct rpl_acct *ta;
	int rc;

	if (n >= 250 * 200)
		return EOVERFLOW;
	nv = mem_realloc(ip->ua, (ip->nua + 1) * sizeof(*nv));
	if (!nv)
		return ENOMEM;
	ip->ua = nv;
	s = &nv[ip->nua];
	memset(s, 0, sizeof(*s));
	snprintf(s->acct, sizeof(s->acct), "%s", a->name);
	s->role = role;
	memset(&cfg, 0, sizeof(cfg));
	ta = scn_target_acct(c, a->name);	/* --accounts mapping */
	cfg.user = ta ? ta->user : a->name;
	cfg.domain = ta ? ta->domain : c->domain;
	cfg.password = ta ? ta->password : a->password;
	cfg.local = mkaddr(na, 1, (uint16_t)((ip->sip_port ? ip->sip_port :
						  5060) + (tp == NET_TLS)), tp);
	cfg.proxy = ip->proxy[tp == NET_TCP ? 1 : tp == NET_TLS ? 2 : 0];
	cfg.media = mkaddr(na, 2, ip->media_port ? ip->media_port : 30000,
			   NET_UDP);
	cfg.user_agent = uagent ? uagent : "rtcbench-ua/1";
	cfg.contact_params = cparams;
	cfg.seed = c->o->seed * 100003 + n + 1;
	cfg.wall_offset_us = (uint64_t)ip->drv->wall_offset_us;
	cfg.ev_count = &ip->ev_count;
	rc = ua_new(&s->ua, &cfg);
	if (rc)
		return rc;
	s->idx = ip->drv->attach(ip->arg, s->ua, &cfg);
	if (s->idx < 0) {
		ua_free(s->ua);
		/* its addresses may be half taken (SIP joined a full LAN,
		 * media did not): the next device gets fresh ones */
		ip->addr_base++;
		return -s->idx;
	}
	ip->nua++;
	*out = s;
	return 0;
}

static int ua_add(struct scn_ctx *c, struct scn_uas *ip,
		  const struct scn_acct *a, enum scn_ua_role role,
		  const char *uagent, const char *via, struct scn_ua **out)
{
	return ua_add_cp(c, ip, a, role, uagent, via, NULL, out);
}

int scn_uas_add(struct scn_ctx *c, struct scn_uas *u,
		const struct scn_acct *a, enum scn_ua_role role,
		const char *uagent, const char *via, struct scn_ua **out)
{
	return ua_add(c, u, a, role, uagent, via, out);
}

/* Keep what the call step checks afterwards: each UA's zRTP outcome. */
static void note(struct scn_ua *s, const struct ua_event *ev)
{
	if (ev->type == UA_EV_ZRTP_SECURE)
		snprintf(s->sas, sizeof(s->sas), "%.*s",
			 (int)sizeof(s->sas) - 1, ev->detail);
	else if (ev->type == UA_EV_ZRTP_FAILED)
		s->zrtp_failed = true;
}

static struct scn_ua *ua_of(struct scn_uas *ip, const struct ua *ua)
{
	size_t i;

	for (i = 0; ua && i < ip->nua; i++)
		if (ip->ua[i].ua == ua)
			return &ip->ua[i];
	return NULL;
}

void scn_uas_drain(struct scn_uas *ip)
{
	struct ua_event e;
	size_t i;

	for (i = 0; i < ip->nua; i++)
		while (ua_event_next(ip->ua[i].ua, &e) == 0)
			note(&ip->ua[i], &e);
}

/*
 * A failure the UA made itself (no final response before Timer B/F) is a
 * 408 with a reason in detail; a peer's final response has none. The
 * step then says it timed out, naming the step (issue 6: a platform that
 * does not answer fails the step with a timeout, never a hang).
 */
static bool ev_timeout(const struct ua_event *e)
{
	return e->status == 408 && e->detail[0];
}

static const char *ev_how(const struct ua_event *e)
{
	return ev_timeout(e) ? "timed out" : "refused";
}

static int ev_rc(const struct ua_event *e)
{
	return ev_timeout(e) ? ETIMEDOUT : EPROTO;
}

/*
 * Run the network until ua reports one of the event types in mask (bit =
 * 1 << type) or limit_us of virtual time pass. Events of other UAs are
 * dropped as they come (no verb waits on two UAs at once). The sweep over
 * the other UAs runs only after a slice in which some UA queued an event
 * (the shared ev_count moved): most 20 ms slices of a call carry RTP only,
 * and asking 1,100 UAs each slice was the largest bench-side cost of
 * `rtcbench perf load`.
 */
static int wait_ev(struct scn_uas *ip, struct ua *ua, unsigned mask,
		   uint64_t limit_us, struct ua_event *ev)
{
	uint64_t end = ip->drv->now(ip->arg) + limit_us;
	struct scn_ua *me = ua_of(ip, ua);
	size_t i;
	int rc;

	for (;;) {
		while (ua_event_next(ua, ev) == 0) {
			if (me)
				note(me, ev);
			if (mask & (1u << ev->type))
				return 0;
		}
		for (i = 0; ip->ev_count != ip->ev_drained && i < ip->nua;
		     i++)
			if (ip->ua[i].ua != ua) {
				struct ua_event x;

				while (ua_event_next(ip->ua[i].ua, &x) == 0)
					note(&ip->ua[i], &x);
			}
		ip->ev_drained = ip->ev_count;
		if (ip->drv->now(ip->arg) >= end)
			return ETIMEDOUT;
		rc = ip->drv->run_until(ip->arg, ip->drv->now(ip->arg) +
					SLICE_US);
		if (rc)
			return rc;
	}
}

#define EVB(t) (1u << (t))

static int do_register(struct scn_ctx *c, struct scn_uas *ip,
		       const struct scn_traffic *t, int unreg, char *err,
		       size_t errsz)
{
	uint64_t n = unreg ? 0 : scn_opt_u64(t->st, "devices", 1), i;
	uint32_t exp = (uint32_t)(scn_opt_dur_us(t->st, "expires",
						 3600000000ULL) / 1000000);
	struct ua_event e;
	struct scn_ua *s;
	size_t k;
	int rc;

	if (unreg) {
		for (k = 0; k < ip->nua; k++) {
			s = &ip->ua[k];
			if (strcmp(s->acct, t->a->name) || !s->registered)
				continue;
			ua_register(s->ua, ip->drv->now(ip->arg), 0);
			ip->drv->kick(ip->arg, s->idx);
			rc = wait_ev(ip, s->ua, EVB(UA_EV_REGISTERED) |
				     EVB(UA_EV_REG_FAILED), 40000000, &e);
			if (rc || e.type != UA_EV_REGISTERED) {
				snprintf(err, errsz, "un-REGISTER of %s: %s",
					 t->a->name, rc ? "no answer in 40 s" :
					 "refused");
				return rc ? rc : EPROTO;
			}
			s->registered = false;
		}
		return 0;
	}
	for (i = 0; i < (n ? n : 1); i++) {
		rc = ua_add(c, ip, t->a, SCN_UA_DEVICE, t->canary, t->via, &s);
		if (rc) {
			snprintf(err, errsz, "device for %s: %s", t->a->name,
				 strerror(rc));
			return rc;
		}
		rc = ua_register(s->ua, ip->drv->now(ip->arg), exp);
		if (rc) {
			snprintf(err, errsz, "REGISTER: %s", strerror(rc));
			return rc;
		}
		ip->drv->kick(ip->arg, s->idx);
		rc = wait_ev(ip, s->ua, EVB(UA_EV_REGISTERED) |
			     EVB(UA_EV_REG_FAILED), 40000000, &e);
		if (rc) {
			snprintf(err, errsz, "REGISTER of %s: no final answer "
				 "within 40 s (timeout)", t->a->name);
			return ETIMEDOUT;
		}
		if (e.type != UA_EV_REGISTERED) {
			snprintf(err, errsz, "REGISTER of %s %s: %u%s%s",
				 t->a->name, ev_how(&e), e.status,
				 e.detail[0] ? " " : "", e.detail);
			return ev_rc(&e);
		}
		s->registered = true;
	}
	return 0;
}

/* Receive quality of one direction: the receiver's stats now minus at
 * the call's start. */
struct dir_q {
	uint64_t recv, expected, lost;
	double loss_pct, delay_ms, jitter_ms, r, mos;
};

static void dir_quality(const struct ua_stats *now, const struct ua_stats *b0,
			struct dir_q *q)
{
	uint64_t dn = now->rtp_delay_n - b0->rtp_delay_n;
	uint64_t jn = now->jitter_n - b0->jitter_n;

	memset(q, 0, sizeof(*q));
	q->recv = now->rtp_recv - b0->rtp_recv;
	q->expected = now->rtp_expected - b0->rtp_expected;
	q->lost = now->rtp_lost - b0->rtp_lost;
	/* packets never seen at all count as lost too */
	if (q->expected)
		q->loss_pct = 100.0 * (double)q->lost / (double)q->expected;
	q->delay_ms = dn ? (double)(now->rtp_delay_us_sum -
			   b0->rtp_delay_us_sum) / (double)dn / 1000.0 : 0;
	q->jitter_ms = jn ? (double)(now->jitter_us_sum - b0->jitter_us_sum) /
		       (double)jn / 1000.0 : 0;
	q->r = ua_emodel_r(q->delay_ms, q->jitter_ms, q->loss_pct);
	q->mos = q->recv ? ua_emodel_mos(q->r) : 1.0;
}

static bool has_topology(const struct scn *s)
{
	size_t i;

	for (i = 0; i < s->cnt; i++)
		if (s->steps[i].verb == SCN_LINK || s->steps[i].verb == SCN_NAT ||
		    s->steps[i].verb == SCN_LAN)
			return true;
	return false;
}

/*
 * After an answered call in a mode that knows its network: media must
 * have flowed both ways (or, with blocked=yes, must not have), and the
 * worse direction's E-model MOS must meet mos_min / mos_max. Figures go
 * into the summary's metrics as "FILE:LINE call_mos" etc. when the
 * scenario has a topology or asks for a MOS.
 */
static int call_quality(struct scn_ctx *c, struct scn_uas *ip,
			const struct scn_traffic *t, struct ua *caller,
			struct ua *callee, const struct ua_stats *cb0,
			char *err, size_t errsz)
{
	const char *blk = scn_opt(t->st, "blocked");
	const char *mmin = scn_opt(t->st, "mos_min");
	const char *mmax = scn_opt(t->st, "mos_max");
	struct ua_stats ca, cb, z;
	struct dir_q ab, ba, *w;
	char why[400] = "", key[600], fig[200];
	bool blocked;

	if (!ip->drv->why_lost || !callee)
		return 0;
	memset(&z, 0, sizeof(z));
	ua_stats(caller, &ca);
	ua_stats(callee, &cb);
	dir_quality(&cb, cb0, &ab);
	dir_quality(&ca, &z, &ba);
	w = ab.mos <= ba.mos ? &ab : &ba;
	blocked = !ab.recv || !ba.recv;
	snprintf(fig, sizeof(fig), "MOS %.2f (R %.1f; loss %.1f%%/%.1f%%, "
		 "delay %.0f/%.0f ms, jitter %.1f/%.1f ms)", w->mos, w->r,
		 ab.loss_pct, ba.loss_pct, ab.delay_ms, ba.delay_ms,
		 ab.jitter_ms, ba.jitter_ms);
	/* a blocked call has no quality to plot, only a setup delay */
	if ((has_topology(c->s) || mmin || mmax) && !blocked) {
		snprintf(key, sizeof(key), "%s:%u call_mos", c->s->file,
			 t->st->line);
		rep_summary_metric(c->sum, key, w->mos);
		snprintf(key, sizeof(key), "%s:%u call_loss_pct", c->s->file,
			 t->st->line);
		rep_summary_metric(c->sum, key, w->loss_pct);
	}
	if (has_topology(c->s) || mmin || mmax) {
		snprintf(key, sizeof(key), "%s:%u call_setup_ms", c->s->file,
			 t->st->line);
		rep_summary_metric(c->sum, key, ca.calls_ok ?
				   (double)ca.setup_us_sum / 1000.0 /
				   (double)ca.calls_ok : 0);
	}
	if (blocked)
		ip->drv->why_lost(ip->arg, why, sizeof(why));
	if (blk && !strcmp(blk, "yes")) {
		if (!blocked) {
			snprintf(err, errsz, "media was expected to be blocked "
				 "but flowed both ways (%llu and %llu packets "
				 "received)", (unsigned long long)ab.recv,
				 (unsigned long long)ba.recv);
			return EPROTO;
		}
		return scn_check(c, t->st, true, "media blocked as expected: "
				 "%s -> %s %llu packets, %s -> %s %llu; %s",
				 t->a->name, t->b->name,
				 (unsigned long long)ab.recv, t->b->name,
				 t->a->name, (unsigned long long)ba.recv,
				 *why ? why : "no NAT counted a drop");
	}
	if (blocked) {
		snprintf(err, errsz, "call %s -> %s set up but no RTP reached "
			 "%s: %s", t->a->name, t->b->name, !ab.recv ?
			 t->b->name : t->a->name, *why ? why :
			 "nothing on the network counted a drop");
		return EPROTO;
	}
	if ((mmin && w->mos < strtod(mmin, NULL)) ||
	    (mmax && w->mos > strtod(mmax, NULL))) {
		snprintf(err, errsz, "call %s -> %s: %s, outside mos_min=%s "
			 "mos_max=%s", t->a->name, t->b->name, fig,
			 mmin ? mmin : "-", mmax ? mmax : "-");
		return EPROTO;
	}
	if (mmin || mmax)
		return scn_check(c, t->st, true, "call %s -> %s: %s",
				 t->a->name, t->b->name, fig);
	return 0;
}

/*
 * A zRTP call: both ends must have completed the key agreement, with the
 * same SAS (a relay or anyone else in the media path that tampered with
 * the exchange would show as different SASes).
 */
static int zrtp_check(struct scn_uas *ip, struct ua *caller,
		      struct ua *callee, char *err, size_t errsz)
{
	struct scn_ua *a, *b;

	scn_uas_drain(ip);
	a = ua_of(ip, caller);
	b = ua_of(ip, callee);
	if (a && b && a->sas[0] && !strcmp(a->sas, b->sas))
		return 0;
	snprintf(err, errsz, "zRTP: SAS caller '%s', callee '%s'%s",
		 a ? a->sas : "", b ? b->sas : "",
		 (a && a->zrtp_failed) || (b && b->zrtp_failed) ?
		 " (key agreement failed)" : "");
	return EPROTO;
}

static int do_call(struct scn_ctx *c, struct scn_uas *ip,
		   const struct scn_traffic *t, char *err, size_t errsz)
{
	const char *ans = scn_opt(t->st, "answer"), *media;
	enum ua_answer am = !ans || !strcmp(ans, "yes") ? UA_ANSWER_YES :
		!strcmp(ans, "busy") ? UA_ANSWER_BUSY : UA_ANSWER_NO;
	uint64_t dur = scn_opt_dur_us(t->st, "duration", 30000000ULL);
	struct ua_call_opt o;
	struct ua_event e;
	struct scn_ua *s;
	struct ua *callee = NULL;
	struct ua_stats cb0;
	char to[200];
	uint32_t h;
	size_t k;
	int rc, first;

	media = scn_opt(t->st, "media");
	/*
	 * One device answers; the others ring until the proxy cancels them.
	 * Two answering devices would make the extra dialog end with a BYE
	 * from a registered device, carrying its REGISTER canary into a
	 * (legitimately stored) trace.
	 */
	for (k = 0, first = 1; k < ip->nua; k++)
		if (!strcmp(ip->ua[k].acct, t->b->name) &&
		    ip->ua[k].role == SCN_UA_DEVICE) {
			ua_set_answer(ip->ua[k].ua, first ? am :
				      UA_ANSWER_NO);
			if (first) {
				callee = ip->ua[k].ua;
				ua_stats(callee, &cb0);
			}
			ip->ua[k].sas[0] = '\0';
			ip->ua[k].zrtp_failed = false;
			first = 0;
		}
	rc = ua_add(c, ip, t->a, SCN_UA_CALLER, t->ua_canary, t->via, &s);
	if (rc) {
		snprintf(err, errsz, "calling device: %s", strerror(rc));
		return rc;
	}
	memset(&o, 0, sizeof(o));
	o.duration_us = dur;
	o.media = media && !strcmp(media, "srtp") ? UA_MEDIA_SRTP :
		  media && !strcmp(media, "zrtp") ? UA_MEDIA_ZRTP :
		  UA_MEDIA_RTP;
	o.canary = t->canary;
	o.subject = t->subject;
	scn_aor(c, t->b->name, to, sizeof(to));
	rc = ua_call(s->ua, ip->drv->now(ip->arg), to, &o, &h);
	if (rc) {
		snprintf(err, errsz, "INVITE: %s", strerror(rc));
		return rc;
	}
	ip->drv->kick(ip->arg, s->idx);
	rc = wait_ev(ip, s->ua, EVB(UA_EV_CALL_ANSWERED) |
		     EVB(UA_EV_CALL_FAILED) | (am == UA_ANSWER_NO ?
		     EVB(UA_EV_CALL_RINGING) : 0), 64000000, &e);
	if (rc) {
		snprintf(err, errsz, "INVITE %s -> %s: no final answer within "
			 "64 s (timeout)", t->a->name, t->b->name);
		return ETIMEDOUT;
	}
	if (e.type == UA_EV_CALL_RINGING) {
		/* Unanswered: ring for the duration, then CANCEL. */
		rc = wait_ev(ip, s->ua, EVB(UA_EV_CALL_FAILED), dur, &e);
		if (rc == ETIMEDOUT) {
			ua_hangup(s->ua, ip->drv->now(ip->arg), h);
			ip->drv->kick(ip->arg, s->idx);
			rc = wait_ev(ip, s->ua, EVB(UA_EV_CALL_FAILED),
				     40000000, &e);
		}
		if (rc) {
			snprintf(err, errsz, "CANCEL of the unanswered call "
				 "got no final answer (timeout)");
			return ETIMEDOUT;
		}
		return 0;
	}
	if (e.type == UA_EV_CALL_FAILED)
		return (am == UA_ANSWER_BUSY && e.status == 486) ? 0 :
			(snprintf(err, errsz, "call %s -> %s %s: %u%s%s",
				  t->a->name, t->b->name, ev_how(&e), e.status,
				  e.detail[0] ? " " : "", e.detail), ev_rc(&e));
	if (am != UA_ANSWER_YES) {
		snprintf(err, errsz, "call was answered, expected answer=%s",
			 ans);
		return EPROTO;
	}
	if (t->secrets) {
		struct scn_secrets *sk = t->secrets;

		if (ua_call_sdes_keys(s->ua, h, sk->sdes_caller,
				      sk->sdes_callee, sizeof(sk->sdes_caller)))
			sk->sdes_caller[0] = sk->sdes_callee[0] = '\0';
		snprintf(sk->digest, sizeof(sk->digest), "%s",
			 ua_last_digest(s->ua));
	}
	rc = wait_ev(ip, s->ua, EVB(UA_EV_CALL_ENDED), dur + 40000000, &e);
	if (rc) {
		snprintf(err, errsz, "call %s -> %s did not end within its "
			 "duration + 40 s", t->a->name, t->b->name);
		return ETIMEDOUT;
	}
	/* Let the BYE transaction and the last RTP drain. */
	rc = ip->drv->run_until(ip->arg, ip->drv->now(ip->arg) + 2000000);
	if (rc)
		return rc;
	if (o.media == UA_MEDIA_ZRTP && (rc = zrtp_check(ip, s->ua, callee,
							 err, errsz)))
		return rc;
	return call_quality(c, ip, t, s->ua, callee, &cb0, err, errsz);
}

/* A UA for a traffic verb outside this file (uas_push.c). */
int scn_uas_add_cp(struct scn_ctx *c, struct scn_uas *ip,
		   const struct scn_acct *a, int role, const char *via,
		   const char *cparams, struct scn_ua **out)
{
	return ua_add_cp(c, ip, a, (enum scn_ua_role)role, NULL, via,
			 cparams, out);
}

int scn_uas_wait(struct scn_uas *ip, struct ua *ua, unsigned mask,
		 uint64_t limit_us, struct ua_event *ev)
{
	return wait_ev(ip, ua, mask, limit_us, ev);
}

/*
 * subscribe A B expect=...: what RFC 5025 says watcher A gets from B's
 * pres-rules, seen from A's side: blocked = 403 and no NOTIFY; pending =
 * 2xx and a NOTIFY without state; polite = 2xx and a neutral "closed";
 * active = 2xx and B's published "open" state. The final answer and the
 * first NOTIFY may come in either order.
 */
static int sub_expect(struct scn_uas *ip, struct scn_ua *s,
		      const struct scn_traffic *t, char *err, size_t errsz)
{
	const char *want = scn_opt(t->st, "expect");
	bool blocked = !strcmp(want, "blocked"), got_final = false;
	bool got_notify = false, ok;
	char body[sizeof(((struct ua_event *)0)->detail)] = "";
	uint16_t status = 0;
	struct ua_event e;

	while (!got_final || (!got_notify && status < 300)) {
		if (wait_ev(ip, s->ua, EVB(UA_EV_SUBSCRIBED) |
			    EVB(UA_EV_NOTIFY_RECEIVED), 40000000, &e)) {
			snprintf(err, errsz, "%s within 40 s (timeout)",
				 got_final ? "no NOTIFY" : "no final answer");
			return ETIMEDOUT;
		}
		if (e.type == UA_EV_SUBSCRIBED) {
			got_final = true;
			status = e.status;
		} else if (!got_notify) {
			got_notify = true;
			snprintf(body, sizeof(body), "%s", e.detail);
		}
	}
	if (blocked)
		ok = status == 403 && !got_notify;
	else if (!strcmp(want, "pending"))
		ok = status < 300 && !body[0];
	else if (!strcmp(want, "polite"))
		ok = status < 300 && strstr(body, "<basic>closed</basic>");
	else
		ok = status < 300 && strstr(body, "<basic>open</basic>");
	if (!ok) {
		snprintf(err, errsz, "want %s, got %u with NOTIFY %s'%.60s'",
			 want, status, got_notify ? "" : "(none) ", body);
		return EPROTO;
	}
	return 0;
}

static int do_simple(struct scn_ctx *c, struct scn_uas *ip,
		     const struct scn_traffic *t, char *err, size_t errsz)
{
	enum scn_verb v = t->st->verb;
	/*
	 * Always a fresh sender: a registered device's User-Agent is its
	 * REGISTER canary (P7) and must not travel in other requests.
	 */
	struct scn_ua *s = NULL;
	struct ua_event e;
	const struct ua_pgp *key = NULL;
	bool pgp = v == SCN_MESSAGE && !strcmp(scn_opt(t->st, "body"), "pgp");
	char to[200];
	unsigned want;
	int rc;

	if (!s) {
		rc = ua_add(c, ip, t->a, SCN_UA_OTHER, v == SCN_SUBSCRIBE ?
			    t->canary : NULL, t->via, &s);
		if (rc) {
			snprintf(err, errsz, "device: %s", strerror(rc));
			return rc;
		}
	}
	if (t->b)
		scn_aor(c, t->b->name, to, sizeof(to));
	if (pgp) {
		rc = scn_uas_pgp_send(c, ip, s, t->b->name, to, t->canary,
				      &key);
		want = EVB(UA_EV_MESSAGE_SENT);
	} else if (v == SCN_MESSAGE) {
		rc = ua_message(s->ua, ip->drv->now(ip->arg), to, "text/plain",
				(const uint8_t *)t->canary, strlen(t->canary));
		want = EVB(UA_EV_MESSAGE_SENT);
	} else if (v == SCN_SUBSCRIBE) {
		rc = ua_subscribe(s->ua, ip->drv->now(ip->arg), to, 600);
		want = EVB(UA_EV_SUBSCRIBED);
	} else {
		rc = ua_publish(s->ua, ip->drv->now(ip->arg), t->canary);
		want = EVB(UA_EV_PUBLISHED);
	}
	if (rc) {
		snprintf(err, errsz, "%s: %s", scn_verb_name(v), strerror(rc));
		return rc;
	}
	ip->drv->kick(ip->arg, s->idx);
	if (v == SCN_SUBSCRIBE && scn_opt(t->st, "expect"))
		return sub_expect(ip, s, t, err, errsz);
	rc = wait_ev(ip, s->ua, want, 40000000, &e);
	if (rc) {
		snprintf(err, errsz, "%s from %s: no final answer within 40 s "
			 "(timeout)", scn_verb_name(v), t->a->name);
		rc = ETIMEDOUT;
	} else if (e.status < 200 || e.status >= 300) {
		snprintf(err, errsz, "%s from %s %s: %u%s%s",
			 scn_verb_name(v), t->a->name, ev_how(&e), e.status,
			 e.detail[0] ? " " : "", e.detail);
		rc = ev_rc(&e);
	} else if (pgp) {
		rc = scn_uas_pgp_check(ip, t->b->name, t->canary, key, err,
				       errsz);
	}
	return rc;
}

int scn_uas_traffic(struct scn_ctx *c, struct scn_uas *ip,
		       const struct scn_traffic *t, char *err, size_t errsz)
{
	switch (t->st->verb) {
	case SCN_REGISTER:
		return do_register(c, ip, t, 0, err, errsz);
	case SCN_UNREGISTER:
		return do_register(c, ip, t, 1, err, errsz);
	case SCN_CALL:
		return do_call(c, ip, t, err, errsz);
	case SCN_MESSAGE:
	case SCN_SUBSCRIBE:
	case SCN_PUBLISH:
		return do_simple(c, ip, t, err, errsz);
	case SCN_CHAT:
		return scn_uas_chat(c, ip, t, err, errsz);
	case SCN_CONFERENCE:
		return scn_conf_traffic(c, ip, t, err, errsz);
	case SCN_PUSH:
		return scn_uas_push(c, ip, t, err, errsz);
	case SCN_FILE:
	case SCN_VOICEMAIL:
	case SCN_BUDDIES:
	case SCN_PRESRULES:
		return scn_store_traffic(c, ip, t, err, errsz);
	default:
		snprintf(err, errsz, "not a traffic verb");
		return EINVAL;
	}
}

int scn_uas_registered(struct scn_ctx *c, struct scn_uas *ip,
		       const struct scn_acct *a, int *yes, char *err,
		       size_t errsz)
{
	struct scn_ua *s;
	struct ua_event e;
	char to[200];
	int rc;

	rc = ua_add(c, ip, a, SCN_UA_OTHER, NULL, "udp", &s);
	if (rc) {
		snprintf(err, errsz, "probe device: %s", strerror(rc));
		return rc;
	}
	scn_aor(c, a->name, to, sizeof(to));
	rc = ua_options(s->ua, ip->drv->now(ip->arg), to);
	if (rc) {
		snprintf(err, errsz, "OPTIONS: %s", strerror(rc));
		return rc;
	}
	ip->drv->kick(ip->arg, s->idx);
	rc = wait_ev(ip, s->ua, EVB(UA_EV_OPTIONS_DONE), 40000000, &e);
	if (rc) {
		snprintf(err, errsz, "OPTIONS to %s: no final answer within "
			 "40 s (timeout)", to);
		return ETIMEDOUT;
	}
	if (e.status >= 200 && e.status < 300) {
		*yes = 1;
		return 0;
	}
	if (e.status == 480 || e.status == 404) {
		*yes = 0;
		return 0;
	}
	snprintf(err, errsz, "OPTIONS to %s answered %u", to, e.status);
	return EPROTO;
}

void scn_uas_free(struct scn_uas *ip)
{
	size_t i;

	for (i = 0; i < ip->nua; i++)
		ua_free(ip->ua[i].ua);
	mem_free(ip->ua);
	ip->ua = NULL;
	ip->nua = 0;
	for (i = 0; i < ip->nchat; i++)
		ua_msrp_free(ip->chat[i]);
	mem_free(ip->chat);
	ip->chat = NULL;
	ip->nchat = 0;
}
