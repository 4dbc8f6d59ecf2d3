/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bench verb `push A kind=call|message [canary=]` (POLICY P9): a fresh
 * device of A registers with RFC 8599 push parameters (pn-provider = the
 * canary, a random pn-prid, pn-param) and goes to sleep; then a call (from
 * another device of A) or a MESSAGE for A makes the platform wake it. The
 * bench plays the woken phone: one second later the device re-registers,
 * and the parked call must reach it and be answered (RFC 8599 5), or the
 * MESSAGE must be accepted (202, stored for delivery). A platform that
 * forwards the call before the wake-up REGISTER, with the device as A's
 * only binding, fails the step. The device unregisters at the end so
 * later steps do not wait on a sleeping phone.
 *
 * The canary is only ever in the REGISTER (never stored, P7) and in the
 * platform's push log, where it must stay for [push] retention and then
 * be gone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "scenario/run_steps.h"
#include "scenario/uas.h"

#define EVB(t) (1u << (t))
#define WAKE_US 1000000ULL

static int reg(struct scn_uas *ip, struct ua *ua, int idx, uint32_t exp,
	       const char *who, char *err, size_t errsz)
{
	struct ua_event e;
	int rc;

	ua_register(ua, ip->drv->now(ip->arg), exp);
	ip->drv->kick(ip->arg, idx);
	rc = scn_uas_wait(ip, ua, EVB(UA_EV_REGISTERED) |
			  EVB(UA_EV_REG_FAILED), 40000000, &e);
	if (rc || e.type != UA_EV_REGISTERED) {
		snprintf(err, errsz, "%s of the push device of %s: %s",
			 exp ? "REGISTER" : "un-REGISTER", who,
			 rc ? "no answer in 40 s" : "refused");
		return rc ? rc : EPROTO;
	}
	return 0;
}

/* Did the sleeping device get the call before it was woken? */
static bool rang_early(struct ua *dev)
{
	struct ua_event e;
	bool rang = false;

	while (ua_event_next(dev, &e) == 0)
		if (e.type == UA_EV_CALL_INCOMING)
			rang = true;
	return rang;
}

static int trigger(struct scn_ctx *c, struct scn_uas *ip,
		   const struct scn_traffic *t, bool call, struct ua *dev,
		   int didx, bool alone, char *err, size_t errsz)
{
	struct ua_call_opt o;
	struct ua_event e;
	struct scn_ua *s;
	char to[200];
	uint32_t h;
	int rc;

	rc = scn_uas_add_cp(c, ip, t->a, call ? SCN_UA_CALLER : SCN_UA_OTHER,
			 t->via, NULL, &s);
	if (rc) {
		snprintf(err, errsz, "sending device: %s", strerror(rc));
		return rc;
	}
	scn_aor(c, t->a->name, to, sizeof(to));
	if (call) {
		memset(&o, 0, sizeof(o));
		o.duration_us = 1000000;
		o.media = UA_MEDIA_RTP;
		rc = ua_call(s->ua, ip->drv->now(ip->arg), to, &o, &h);
	} else {
		rc = ua_message(s->ua, ip->drv->now(ip->arg), to,
				"text/plain", (const uint8_t *)"wake up", 7);
	}
	if (rc) {
		snprintf(err, errsz, "%s: %s", call ? "INVITE" : "MESSAGE",
			 strerror(rc));
		return rc;
	}
	ip->drv->kick(ip->arg, s->idx);
	if (!call) {
		rc = scn_uas_wait(ip, s->ua, EVB(UA_EV_MESSAGE_SENT), 40000000,
				  &e);
		if (rc || e.status < 200 || e.status >= 300) {
			snprintf(err, errsz, "MESSAGE for the sleeping device "
				 "of %s: %s", t->a->name, rc ? "no answer in "
				 "40 s" : "refused");
			return rc ? rc : EPROTO;
		}
		return reg(ip, dev, didx, 600, t->a->name, err, errsz);
	}
	/* The phone sleeps while the push travels: only the network runs. */
	if ((rc = ip->drv->run_until(ip->arg, ip->drv->now(ip->arg) +
				     WAKE_US)))
		return rc;
	/* With other devices of A up, the platform forks at once (the
	 * pushed one may answer while still "asleep"): no wake-up needed,
	 * and waiting on the device would drop the caller's events. */
	if (alone) {
		if (rang_early(dev)) {
			snprintf(err, errsz, "the call reached %s's sleeping "
				 "device before its wake-up REGISTER (no RFC "
				 "8599 push)", t->a->name);
			return EPROTO;
		}
		if ((rc = reg(ip, dev, didx, 600, t->a->name, err, errsz)))
			return rc;
	}
	rc = scn_uas_wait(ip, s->ua, EVB(UA_EV_CALL_ANSWERED) |
			  EVB(UA_EV_CALL_FAILED), 40000000, &e);
	if (rc) {
		snprintf(err, errsz, "call for the woken device of %s: no "
			 "answer in 40 s", t->a->name);
		return rc;
	}
	if (e.type != UA_EV_CALL_ANSWERED) {
		snprintf(err, errsz, "call for the woken device of %s "
			 "failed: %u", t->a->name, e.status);
		return EPROTO;
	}
	rc = scn_uas_wait(ip, s->ua, EVB(UA_EV_CALL_ENDED), 40000000, &e);
	if (rc) {
		snprintf(err, errsz, "call for the woken device of %s did not "
			 "end", t->a->name);
		return rc;
	}
	return ip->drv->run_until(ip->arg, ip->drv->now(ip->arg) + 2000000);
}

int scn_uas_push(struct scn_ctx *c, struct scn_uas *ip,
		 const struct scn_traffic *t, char *err, size_t errsz)
{
	const char *kind = scn_opt(t->st, "kind");
	bool call = !kind || !strcmp(kind, "call"), alone = true;
	char cp[256], prid[40];
	struct scn_ua *s;
	struct ua *dev;
	size_t k;
	int rc, idx;

	/* Only the pushed device answers: a registered device's answer
	 * would carry its REGISTER canary into a stored trace (P7). */
	for (k = 0; k < ip->nua; k++)
		if (!strcmp(ip->ua[k].acct, t->a->name) &&
		    ip->ua[k].role == SCN_UA_DEVICE) {
			ua_set_answer(ip->ua[k].ua, UA_ANSWER_NO);
			if (ip->ua[k].registered)
				alone = false;
		}
	scn_canary_make(c, 9, prid, sizeof(prid));
	snprintf(cp, sizeof(cp), ";pn-provider=%s;pn-prid=%s;"
		 "pn-param=bench.voip", t->canary, prid);
	rc = scn_uas_add_cp(c, ip, t->a, SCN_UA_DEVICE, t->via, cp, &s);
	if (rc) {
		snprintf(err, errsz, "push device for %s: %s", t->a->name,
			 strerror(rc));
		return rc;
	}
	dev = s->ua;	/* s moves when the next UA is added */
	idx = s->idx;
	if ((rc = reg(ip, dev, idx, 600, t->a->name, err, errsz)))
		return rc;
	rc = trigger(c, ip, t, call, dev, idx, alone, err, errsz);
	if (!rc)
		rc = reg(ip, dev, idx, 0, t->a->name, err, errsz);
	return rc;
}
