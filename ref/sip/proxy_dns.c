/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hops that are host names (a Route, or the Request-URI of an
 * in-dialog request), located as RFC 3263 4 says: the core does no DNS
 * (sans-IO), so it asks the driver through resolver.lookup() with a key
 * naming the query (proxy.h: A/AAAA for an explicit port, SRV for an
 * explicit transport, else NAPTR first) and parks the request; the driver
 * answers with sip_proxy_resolved_targets() and the request is routed
 * again (route_request, without a second digest check). Answers are
 * cached by their TTL, capped at dns_ttl_s (failures 10 s); a request
 * waits dns_wait_ms at most, then 404 Unresolvable Destination. Each
 * request orders the cached targets anew (dns_sel.h: SRV priority, then
 * weights with the core's rng); the first is used and the others stay on
 * the server transaction for failover (route_alt, RFC 3263 4.3). A secure
 * request only ever gets TLS targets. "localhost" never goes to DNS for
 * NAPTR/SRV (RFC 6761 6.3): A/AAAA as the system resolver gives them.
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
	char name[SIP_DNS_KEY];
	bool pending;
	struct sip_dns_target *tg;
	size_t n;
	uint64_t expires;
};

struct dns_wait {
	struct dns_wait *next;
	struct tsx *t;
	char name[SIP_DNS_KEY];
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

static void ent_free(struct dns_ent *e)
{
	mem_free(e->tg);
	mem_free(e);
}

/* How long a lookup may stay unanswered before it is asked again: twice
 * what a request waits for it. */
static uint64_t ask_us(const struct sip_proxy *p)
{
	return 2000ull * (p->cfg.dns_wait_ms ? p->cfg.dns_wait_ms : 5000);
}

/* The cached answer for key: 0 (*ep set), EAGAIN (asked now or in
 * flight), EHOSTUNREACH (no resolver, or the cache is full), ENOMEM. */
static int dns_get(struct sip_proxy *p, const char *key,
		   const struct dns_ent **ep)
{
	struct dns_ent *e, **pp;
	size_t n = 0;

	if (!p->cfg.resolver.lookup)
		return EHOSTUNREACH;
	e = ent_find(p, key);
	if (e && !e->pending && e->expires <= p->now) {
		for (pp = &p->dns; *pp != e; pp = &(*pp)->next)
			;
		*pp = e->next;
		ent_free(e);
		e = NULL;
	}
	if (e && !e->pending) {
		*ep = e;
		return 0;
	}
	snprintf(p->dns_name, sizeof(p->dns_name), "%s", key);
	if (e && e->expires > p->now)
		return EAGAIN;	/* in flight */
	if (e) {
		/* Asked long ago and never answered (the driver was full, or
		 * lost it): ask again rather than wait forever. */
		e->expires = p->now + ask_us(p);
		p->st.dns_lookups++;
		p->cfg.resolver.lookup(p->cfg.resolver.arg, e->name);
		return EAGAIN;
	}
	for (e = p->dns; e; e = e->next)
		n++;
	if (n >= DNS_MAX)
		return EHOSTUNREACH;
	e = mem_zalloc(sizeof(*e));
	if (!e)
		return ENOMEM;
	snprintf(e->name, sizeof(e->name), "%s", key);
	e->pending = true;
	e->expires = p->now + ask_us(p);
	e->next = p->dns;
	p->dns = e;
	p->st.dns_lookups++;
	p->cfg.resolver.lookup(p->cfg.resolver.arg, e->name);
	return EAGAIN;
}

static bool is_localhost(const struct pl *h)
{
	static const char suf[] = ".localhost";
	struct pl tail;

	if (pl_caseeq_str(h, "localhost"))
		return true;
	if (h->len < sizeof(suf))
		return false;
	tail = pl_from_mem(h->p + h->len - (sizeof(suf) - 1), sizeof(suf) - 1);
	return pl_caseeq_str(&tail, suf);
}

static bool listens_on(const struct sip_proxy *p, int family)
{
	size_t k;

	for (k = 0; k < p->cfg.nlisten; k++)
		if (net_addr_family(&p->listen[k]) == family)
			return true;
	return false;
}

/* The targets of e for one request, in try order, into dst. */
static int pick(struct sip_proxy *p, const struct dns_ent *e,
		const struct sip_uri *u, enum net_tp want, bool has_tp,
		bool tls_only, struct net_addr *dst, size_t max, size_t *n)
{
	struct sip_dns_target tg[SIP_DNS_MAX];
	bool clear = false, denied = false;
	size_t i, k, pass;

	memcpy(tg, e->tg, e->n * sizeof(*tg));
	sip_dns_order(tg, e->n, p->cfg.rng);
	/* pass 0: families we listen on ("localhost" gives ::1 and
	 * 127.0.0.1: an IPv4-only proxy takes the second); pass 1: the
	 * rest, should nothing else be left */
	for (pass = 0; pass < 2 && !*n; pass++) {
		for (i = 0; i < e->n && *n < max; i++) {
			struct net_addr a = tg[i].addr;

			if (listens_on(p, net_addr_family(&a)) != !pass)
				continue;
			if (!net_addr_port(&a)) {
				/* A/AAAA, no SRV: the URI's port, transport */
				a.tp = tls_only && !has_tp ? NET_TLS : want;
				net_addr_set_port(&a, u->port ? u->port :
						  a.tp == NET_TLS ? 5061 : 5060);
			}
			if (tls_only && a.tp != NET_TLS) {
				clear = true;	/* never downgraded */
				continue;
			}
			if (has_tp && a.tp != want)
				continue;
			if (!px_dst_allowed(p, &a)) {
				denied = true;
				continue;
			}
			for (k = 0; k < *n; k++)
				if (net_addr_eq(&dst[k], &a) &&
				    dst[k].tp == a.tp)
					break;
			if (k == *n)	/* not the same place twice */
				dst[(*n)++] = a;
		}
	}
	if (*n)
		return 0;
	return clear ? EPERM : denied ? EACCES : EHOSTUNREACH;
}

int dns_resolve(struct sip_proxy *p, const struct sip_uri *u, bool secure,
		struct net_addr *dst, size_t max, size_t *n)
{
	const struct dns_ent *e = NULL;
	bool has_tp = false, sips = u->scheme == SIP_SCHEME_SIPS;
	bool naptr = false;
	enum net_tp want = NET_UDP;
	char key[SIP_DNS_KEY];
	struct pl v;
	int err;

	*n = 0;
	if (u->host_ipv6 || u->host.len >= SIP_DNS_NAME - 1)
		return EHOSTUNREACH;
	if (!sip_param(&u->params, "transport", &v)) {
		if (net_tp_parse(&v, &want))
			return EPROTONOSUPPORT;
		has_tp = true;
	}
	if (sips && !has_tp)
		want = NET_TLS;	/* sips: TLS unless told (RFC 3263 4.1) */
	/* RFC 3263 4.1/4.2: port -> A/AAAA; transport -> SRV; else NAPTR */
	if (u->port || is_localhost(&u->host)) {
		snprintf(key, sizeof(key), "%.*s", PL_ARG(u->host));
	} else if (has_tp) {
		snprintf(key, sizeof(key), "%s%.*s",
			 want == NET_TLS ? "_sips._tcp." : want == NET_TCP ?
			 "_sip._tcp." : "_sip._udp.", PL_ARG(u->host));
	} else {
		snprintf(key, sizeof(key), "naptr:%.*s", PL_ARG(u->host));
		naptr = true;
	}
	/* Secure: a name with a port or transport must say TLS; through
	 * NAPTR only the TLS targets are kept. */
	if (secure && !naptr && want != NET_TLS)
		return EPERM;
	if ((err = dns_get(p, key, &e)))
		return err;
	if (!e->n)
		return EHOSTUNREACH;
	return pick(p, e, u, want, has_tp, secure || sips, dst, max, n);
}

void dns_alt_keep(struct sip_proxy *p, struct tsx *t)
{
	size_t n = p->ndns_alt;

	p->ndns_alt = 0;
	if (!t || !n || t->alts)
		return;
	if (n > UINT8_MAX)
		n = UINT8_MAX;
	t->alts = mem_alloc(n * sizeof(*t->alts));
	if (!t->alts)
		return;	/* no failover for this one */
	memcpy(t->alts, p->dns_alt, n * sizeof(*t->alts));
	t->nalts = (uint8_t)n;
	t->alt_next = 0;
	p->alt_tsx++;
}

void dns_alt_drop(struct sip_proxy *p, struct tsx *t)
{
	if (!t->alts)
		return;
	mem_free(t->alts);
	t->alts = NULL;
	t->nalts = t->alt_next = 0;
	p->alt_tsx--;
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

void sip_proxy_resolved_targets(struct sip_proxy *p, uint64_t now_us,
				const char *key,
				const struct sip_dns_target *tg, size_t n,
				uint32_t ttl_s)
{
	struct dns_ent *e;
	struct dns_wait *w, *next;
	uint64_t cap = p && p->cfg.dns_ttl_s ? p->cfg.dns_ttl_s : 300;
	struct tsx *t;

	if (!p || !key)
		return;
	p->now = now_us;
	e = ent_find(p, key);
	if (!e || !e->pending)
		return;	/* not asked (or evicted) */
	if (n > SIP_DNS_MAX)
		n = SIP_DNS_MAX;
	e->pending = false;
	e->n = 0;
	if (n && (e->tg = mem_alloc(n * sizeof(*tg)))) {
		memcpy(e->tg, tg, n * sizeof(*tg));
		e->n = n;
	}
	if (!e->n)
		p->st.dns_failed++;
	if (ttl_s > cap)
		ttl_s = (uint32_t)cap;
	e->expires = now_us + (e->n ? (uint64_t)ttl_s * 1000000ull :
			       NEG_TTL_US);
	for (w = p->dns_waits; w; w = next) {
		next = w->next;
		if (strcasecmp(w->name, key))
			continue;
		t = w->t;
		unlink_w(p, w);
		resume(p, t);
		next = p->dns_waits;	/* resume may park nothing new */
	}
}

void sip_proxy_resolved(struct sip_proxy *p, uint64_t now_us,
			const char *name, const struct net_addr *addrs,
			size_t n)
{
	struct sip_dns_target tg[SIP_DNS_MAX];
	size_t i;

	if (!p)
		return;
	if (n > SIP_DNS_MAX)
		n = SIP_DNS_MAX;
	memset(tg, 0, sizeof(tg));
	for (i = 0; i < n; i++) {
		tg[i].addr = addrs[i];
		net_addr_set_port(&tg[i].addr, 0);	/* the URI's */
		tg[i].group = (uint16_t)i;
	}
	sip_proxy_resolved_targets(p, now_us, name, tg, n,
				   p->cfg.dns_ttl_s ? p->cfg.dns_ttl_s : 60);
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
		ent_free(e);
	}
}
