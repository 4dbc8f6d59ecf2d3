/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Push notifications on the proxy side (RFC 8599 5, POLICY P9). A device
 * that registered with pn-provider/pn-prid(/pn-param) in its Contact URI
 * may be asleep: a call or message for its user sends one wake-up per such
 * binding through the store's push hook (refd queues it for its HTTP push
 * worker; nothing here blocks). When every binding of the user is
 * push-capable, an INVITE (or a MESSAGE the store did not keep) is parked
 * until one of them re-registers, then forked to the refreshed bindings;
 * after push_wait_s it is answered 480. A CANCEL of a parked INVITE gets
 * its 487 here, since no branch exists to answer it.
 *
 * What reaches the hook is the user, the push parameters and the kind,
 * never the caller, the subject or a message body.
 *
 * Known limit: parked requests sit on one list, walked on each REGISTER
 * that refreshes a binding while any request is parked (few at a time:
 * each lives push_wait_s at most).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

struct pwait {
	struct pwait *next;
	struct tsx *t;
	char user[128];
	uint32_t timer;
};

size_t pn_request(struct sip_proxy *p, const char *user, const char *kind,
		  size_t *npush)
{
	struct reg_target tg[TSX_MAX_KIDS];
	struct sip_push ev;
	char aor[200];
	size_t n, i;

	*npush = 0;
	n = reg_lookup(p, user, tg, TSX_MAX_KIDS);
	if (!p->cfg.store.push)
		return n;
	snprintf(aor, sizeof(aor), "%s@%s", user, p->domain);
	for (i = 0; i < n; i++) {
		if (!tg[i].pn_provider[0] || !tg[i].pn_prid[0])
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.user = pl_from_str(aor);
		ev.provider = pl_from_str(tg[i].pn_provider);
		ev.prid = pl_from_str(tg[i].pn_prid);
		ev.param = pl_from_str(tg[i].pn_param);
		ev.kind = kind;
		ev.wall_us = wall_us(p);
		p->cfg.store.push(p->cfg.store.arg, &ev);
		p->st.pushes++;
		(*npush)++;
	}
	return n;
}

bool pn_park(struct sip_proxy *p, struct tsx *t, const char *user)
{
	struct pwait *w = mem_zalloc(sizeof(*w));
	uint64_t wait_us = (uint64_t)(p->cfg.push_wait_s ?
				      p->cfg.push_wait_s : 10) * 1000000ull;

	if (!w)
		return false;
	w->t = t;
	snprintf(w->user, sizeof(w->user), "%s", user);
	if (tq_add(&p->tq, p->now + wait_us, TM_PUSH, w, &w->timer)) {
		mem_free(w);
		return false;
	}
	w->next = p->pwaits;
	p->pwaits = w;
	t->push_wait = true;
	p->st.push_waits++;
	return true;
}

/* Unlink w (and its timer); the tsx stays. */
static void unlink_w(struct sip_proxy *p, struct pwait *w)
{
	struct pwait **pp;

	for (pp = &p->pwaits; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	if (w->timer)
		tq_cancel(&p->tq, w->timer);
	w->t->push_wait = false;
	mem_free(w);
}

static struct pwait *find_t(struct sip_proxy *p, const struct tsx *t)
{
	struct pwait *w;

	for (w = p->pwaits; w; w = w->next)
		if (w->t == t)
			return w;
	return NULL;
}

/* Final answer of parked t without a branch. */
static void answer(struct sip_proxy *p, struct tsx *t, uint16_t code,
		   const char *why)
{
	struct sip_msg *m = &p->m3;

	if (t->call)
		cdr_call_final(p, t->call, code, NULL, NULL);
	t->call = NULL;
	if (!sip_msg_decode(m, t->req, t->req_len))
		px_reply(p, t, m, code, why, NULL, 0, NULL, NULL);
}

void pn_registered(struct sip_proxy *p, const char *user)
{
	struct pwait *w, *next;
	struct sip_msg *m = &p->m3;
	struct tsx *t;
	int err;

	for (w = p->pwaits; w; w = next) {
		next = w->next;
		if (strcmp(w->user, user))
			continue;
		t = w->t;
		unlink_w(p, w);
		if (t->final_sent)
			continue;
		err = sip_msg_decode(m, t->req, t->req_len);
		if (!err)
			err = route_fork(p, t, m, user);
		if (err) {
			answer(p, t, 480, err == EPERM ? "TLS Required" :
			       NULL);
			continue;
		}
		p->st.push_forked++;
		/* Re-read next: forking may not touch the list, but a
		 * reply can free nothing here either; keep the walk
		 * simple and restart from the head. */
		next = p->pwaits;
	}
}

bool pn_cancel(struct sip_proxy *p, struct tsx *t)
{
	struct pwait *w = t->push_wait ? find_t(p, t) : NULL;

	if (!w)
		return false;
	unlink_w(p, w);
	answer(p, t, 487, NULL);
	return true;
}

void pn_timer(struct sip_proxy *p, void *arg)
{
	struct pwait *w = arg;
	struct tsx *t = w->t;

	w->timer = TQ_NONE;
	unlink_w(p, w);
	p->st.push_timeouts++;
	if (!t->final_sent)
		answer(p, t, 480, "Device Not Woken");
}

void pn_drop(struct sip_proxy *p, struct tsx *t)
{
	struct pwait *w = find_t(p, t);

	if (w)
		unlink_w(p, w);
}

void pn_fini(struct sip_proxy *p)
{
	while (p->pwaits)
		unlink_w(p, p->pwaits);
}
