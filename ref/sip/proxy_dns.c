/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hops that are host names (a Route, or the Request-URI of an
 * in-dialog request): the core does no DNS (sans-IO), so it asks the
 * driver through resolver.lookup() and parks the request; the driver
 * answers with sip_proxy_resolved() and the request is routed again
 * (route_request, without a second digest check). Answers are cached for
 * dns_ttl_s (failures 10 s); a request waits dns_wait_ms at most, then
 * 404 Unresolvable Destination. Only the first address of a name is used
 * (no RFC 3263 NAPTR/SRV: A/AAAA as the system resolver gives them,
 * /etc/hosts included).
 *
 * Known limit: the cache and the waiting requests are lists, walked per
 * lookup (a proxy for one domain names few hops).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

#define DNS_MAX 256
#define NEG_TTL_US 10000000ull

struct dns_ent {
	struct dns_ent *next;
	char name[64];
	bool pending, ok;
	struct net_addr addr;
	uint64_t expires;
};

struct dns_wait {
	struct dns_wait *next;
	struct tsx *t;
	char name[64];
	uint32_t timer;
};

static struct dns_ent *ent_find(struct sip_proxy *p, const char *name)
{
	struct dns_ent *e;

	for (e = p->dns; e; e = e->next)
		if (!strcasecmp(e->name, name))
			return e;
	return NULL;
}

int dns_get(struct sip_proxy *p, const char *name, struct net_addr *dst)
{
	struct dns_ent *e, **pp;
	size_t n = 0;

	if (!p->cfg.resolver.lookup)
		return EHOSTUNREACH;
	e = ent_find(p, name);
	if (e && !e->pending && e->expires <= p->now) {
		for (pp = &p->dns; *pp != e; pp = &(*pp)->next)
			;
		*pp = e->next;
		mem_free(e);
		e = NULL;
	}
	if (e && !e->pending) {
		if (!e->ok)
			return EHOSTUNREACH;
		*dst = e->addr;
		return 0;
	}
	snprintf(p->dns_name, sizeof(p->dns_name), "%s", name);
	if (e)
		return EAGAIN;	/* in flight */
	for (e = p->dns; e; e = e->next)
		n++;
	if (n >= DNS_MAX)
		return EHOSTUNREACH;
	e = mem_zalloc(sizeof(*e));
	if (!e)
		return ENOMEM;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->pending = true;
	e->next = p->dns;
	p->dns = e;
	p->st.dns_lookups++;
	p->cfg.resolver.lookup(p->cfg.resolver.arg, e->name);
	return EAGAIN;
}

bool dns_park(struct sip_proxy *p, struct tsx *t, const char *name)
{
	uint64_t wait = (uint64_t)(p->cfg.dns_wait_ms ? p->cfg.dns_wait_ms :
				   5000) * 1000ull;
	struct dns_wait *w;

	if (!t || t->dns_wait || t->dns_resumed)
		return false;	/* once: a second name is not waited for */
	w = mem_zalloc(sizeof(*w));
	if (!w)
		return false;
	w->t = t;
	snprintf(w->name, sizeof(w->name), "%s", name ? name : p->dns_name);
	if (tq_add(&p->tq, p->now + wait, TM_DNS, w, &w->timer)) {
		mem_free(w);
		return false;
	}
	w->next = p->dns_waits;
	p->dns_waits = w;
	t->dns_wait = true;
	p->st.dns_parked++;
	return true;
}

static void unlink_w(struct sip_proxy *p, struct dns_wait *w)
{
	struct dns_wait **pp;

	for (pp = &p->dns_waits; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	if (w->timer)
		tq_cancel(&p->tq, w->timer);
	w->t->dns_wait = false;
	mem_free(w);
}

/* Route t again now that its name has an answer (or none). */
static void resume(struct sip_proxy *p, struct tsx *t)
{
	struct sip_msg *m = &p->m3;
	struct net_pkt pkt;

	if (t->final_sent || sip_msg_decode(m, t->req, t->req_len))
		return;
	memset(&pkt, 0, sizeof(pkt));
	pkt.from = t->peer;
	pkt.to = t->local;
	pkt.conn_id = t->conn_id;
	pkt.data = t->req;
	pkt.len = t->req_len;
	t->dns_resumed = true;
	route_request(p, &pkt, m, t);
}

/* The first address of a family we listen on ("localhost" gives ::1 and
 * 127.0.0.1; an IPv4-only proxy must take the second). */
static size_t pick(const struct sip_proxy *p, const struct net_addr *a,
		   size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < p->cfg.nlisten; k++)
			if (net_addr_family(&p->listen[k]) ==
			    net_addr_family(&a[i]))
				return i;
	return 0;
}

void sip_proxy_resolved(struct sip_proxy *p, uint64_t now_us,
			const char *name, const struct net_addr *addrs,
			size_t n)
{
	struct dns_ent *e;
	struct dns_wait *w, *next;
	uint64_t ttl = (uint64_t)(p->cfg.dns_ttl_s ? p->cfg.dns_ttl_s : 60) *
		       1000000ull;
	struct tsx *t;

	if (!p || !name)
		return;
	p->now = now_us;
	e = ent_find(p, name);
	if (!e)
		return;	/* not asked (or evicted) */
	e->pending = false;
	e->ok = n > 0;
	if (e->ok)
		e->addr = addrs[pick(p, addrs, n)];
	else
		p->st.dns_failed++;
	e->expires = now_us + (e->ok ? ttl : NEG_TTL_US);
	for (w = p->dns_waits; w; w = next) {
		next = w->next;
		if (strcasecmp(w->name, name))
			continue;
		t = w->t;
		unlink_w(p, w);
		resume(p, t);
		next = p->dns_waits;	/* resume may park nothing new */
	}
}

void dns_timer(struct sip_proxy *p, void *arg)
{
	struct dns_wait *w = arg;
	struct tsx *t = w->t;

	w->timer = TQ_NONE;
	unlink_w(p, w);
	/* No answer in time: routed again, the name still pending gives
	 * 404 Unresolvable Destination (no second wait). */
	resume(p, t);
}

void dns_drop(struct sip_proxy *p, struct tsx *t)
{
	struct dns_wait *w;

	for (w = p->dns_waits; w; w = w->next) {
		if (w->t == t) {
			unlink_w(p, w);
			return;
		}
	}
}

void dns_fini(struct sip_proxy *p)
{
	struct dns_ent *e;

	while (p->dns_waits)
		unlink_w(p, p->dns_waits);
	while ((e = p->dns)) {
		p->dns = e->next;
		mem_free(e);
	}
}
