/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registrar (RFC 3261 10.3): several contacts per address-of-record,
 * each with its own expiry timer, 423 Interval Too Brief with
 * Min-Expires, un-REGISTER (expires=0), "Contact: *" with Expires: 0,
 * Call-ID/CSeq ordering, and a 200 that lists the current bindings.
 *
 * POLICY P7: bindings live in this table only. Nothing of a REGISTER is
 * handed to a store hook, a trace or a log line above LOG_DEBUG, except
 * an opaque device key (the Contact's +sip.instance, or a hash of its
 * URI: never an address) for the delivery of stored messages (P10). The
 * table is bounded (max_aors, REG_MAX_CONTACTS per AOR).
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

#define REG_MAX_CONTACTS TSX_MAX_KIDS

struct binding {
	struct binding *next;
	struct aor *aor;
	char uri[256];
	char call_id[128];
	uint32_t cseq;
	uint64_t expires_at;
	uint32_t timer;
	struct net_addr src;
	uint64_t conn_id;
	struct net_addr cdst;	/* from the Contact URI, when an IP literal */
	bool has_cdst;
	/* RFC 8599 push parameters of the Contact URI, "" when absent */
	char pn_provider[64];
	char pn_prid[256];
	char pn_param[128];
	char device[80];	/* P10 delivery key (reg_target) */
	bool fresh;		/* created by the REGISTER being handled */
	bool touched;		/* refreshed by it */
};

struct aor {
	struct aor *hnext;
	uint32_t hash;
	char user[128];
	struct binding *b;
	size_t nb;
};

int reg_init(struct sip_proxy *p)
{
	size_t n = 1;

	while (n < p->cfg.max_aors && n < (1u << 20))
		n <<= 1;
	p->aor_buckets = n;
	p->aor_tab = mem_zalloc(n * sizeof(*p->aor_tab));
	return p->aor_tab ? 0 : ENOMEM;
}

static struct aor *aor_find(struct sip_proxy *p, const char *user,
			    bool create)
{
	uint32_t h = fnv1a(user, strlen(user), FNV_INIT);
	struct aor *a, **head = &p->aor_tab[h & (p->aor_buckets - 1)];

	for (a = *head; a; a = a->hnext)
		if (a->hash == h && !strcmp(a->user, user))
			return a;
	if (!create || p->st.aors >= p->cfg.max_aors)
		return NULL;
	a = mem_zalloc(sizeof(*a));
	if (!a)
		return NULL;
	a->hash = h;
	snprintf(a->user, sizeof(a->user), "%s", user);
	a->hnext = *head;
	*head = a;
	p->st.aors++;
	return a;
}

static void aor_free_if_empty(struct sip_proxy *p, struct aor *a)
{
	struct aor **pp = &p->aor_tab[a->hash & (p->aor_buckets - 1)];

	if (a->b)
		return;
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == a) {
			*pp = a->hnext;
			mem_free(a);
			p->st.aors--;
			return;
		}
	}
}

static void binding_del(struct sip_proxy *p, struct binding *b)
{
	struct binding **pp;
	struct aor *a = b->aor;

	for (pp = &a->b; *pp; pp = &(*pp)->next) {
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	}
	if (b->timer)
		tq_cancel(&p->tq, b->timer);
	a->nb--;
	p->st.bindings--;
	mem_free(b);
}

void reg_fini(struct sip_proxy *p)
{
	size_t i;
	struct aor *a;

	if (!p->aor_tab)
		return;
	for (i = 0; i < p->aor_buckets; i++) {
		while ((a = p->aor_tab[i])) {
			while (a->b)
				binding_del(p, a->b);
			aor_free_if_empty(p, a);
		}
	}
	mem_free(p->aor_tab);
	p->aor_tab = NULL;
}

void reg_timer(struct sip_proxy *p, void *arg)
{
	struct binding *b = arg;
	struct aor *a = b->aor;

	b->timer = TQ_NONE;
	binding_del(p, b);
	aor_free_if_empty(p, a);
}

void reg_conn_closed(struct sip_proxy *p, uint64_t conn_id)
{
	struct binding *b;
	struct aor *a;
	size_t i;

	/* Linear: closes are rare next to lookups (known cost). */
	for (i = 0; i < p->aor_buckets; i++)
		for (a = p->aor_tab[i]; a; a = a->hnext)
			for (b = a->b; b; b = b->next)
				if (b->conn_id == conn_id)
					b->conn_id = 0;
}

/* uri without its RFC 8599 pn-* parameters: the device token goes to the
 * push gateway only, never into forwarded requests (and so never into
 * session traces). Parameters end at ';' or '?'. */
static void strip_pn(const char *uri, char *dst, size_t sz)
{
	size_t n = 0;
	const char *s = uri, *e;

	while (*s && n + 1 < sz) {
		if (*s == '?')
			break;
		if (*s == ';' && !strncasecmp(s + 1, "pn-", 3)) {
			e = s + 1;
			while (*e && *e != ';' && *e != '?')
				e++;
			s = e;
			continue;
		}
		dst[n++] = *s++;
	}
	while (*s && n + 1 < sz)
		dst[n++] = *s++;
	dst[n] = 0;
}

static void to_target(const struct binding *b, struct reg_target *t)
{
	if (b->pn_prid[0])
		strip_pn(b->uri, t->uri, sizeof(t->uri));
	else
		snprintf(t->uri, sizeof(t->uri), "%s", b->uri);
	t->dst = b->src;
	t->conn_id = b->conn_id;
	/* A stream binding whose connection is gone: dial the contact (the
	 * driver opens a connection). */
	if (net_tp_is_stream(b->src.tp) && !b->conn_id && b->has_cdst)
		t->dst = b->cdst;
	memcpy(t->pn_provider, b->pn_provider, sizeof(b->pn_provider));
	memcpy(t->pn_prid, b->pn_prid, sizeof(b->pn_prid));
	memcpy(t->pn_param, b->pn_param, sizeof(b->pn_param));
	memcpy(t->device, b->device, sizeof(b->device));
	t->fresh = b->fresh;
}

size_t reg_lookup(struct sip_proxy *p, const char *user,
		  struct reg_target *out, size_t max)
{
	struct aor *a = aor_find(p, user, false);
	struct binding *b;
	size_t n = 0;

	if (!a)
		return 0;
	for (b = a->b; b && n < max; b = b->next)
		to_target(b, &out[n++]);
	return n;
}

/* The device key of a Contact: its +sip.instance (RFC 5626 4.1, quotes
 * and <> dropped), else "ct-" and a 64-bit hash of the URI without
 * pn-* parameters, so one phone is one key and no address is kept. */
static void device_key(const struct sip_contact *c, char *dst, size_t sz)
{
	char uri[256];
	struct pl v;
	uint32_t h1, h2;

	if (!sip_param(&c->addr.params, "+sip.instance", &v) && v.len) {
		while (v.len && (*v.p == '"' || *v.p == '<'))
			pl_advance(&v, 1);
		while (v.len && (v.p[v.len - 1] == '"' ||
				 v.p[v.len - 1] == '>'))
			v.len--;
		snprintf(dst, sz, "%.*s", (int)(v.len < 70 ? v.len : 70),
			 v.p);
		return;
	}
	snprintf(uri, sizeof(uri), "%.*s", PL_ARG(c->addr.uri.raw));
	strip_pn(uri, uri, sizeof(uri));
	h1 = fnv1a(uri, strlen(uri), FNV_INIT);
	h2 = fnv1a(uri, strlen(uri), h1 ^ 0x9e3779b9u);
	snprintf(dst, sz, "ct-%08x%08x", h1, h2);
}

int reg_flow(struct sip_proxy *p, const struct sip_uri *u,
	     struct net_addr *dst, uint64_t *conn_id)
{
	char user[128];
	struct aor *a;
	struct binding *b;
	size_t n;

	if (sip_unescape(&u->user, user, sizeof(user), &n))
		return ENOENT;
	a = aor_find(p, user, false);
	for (b = a ? a->b : NULL; b; b = b->next)
		if (b->has_cdst && b->cdst.tp == dst->tp &&
		    net_addr_eq(&b->cdst, dst)) {
			*dst = b->src;
			*conn_id = b->conn_id;
			return 0;
		}
	return ENOENT;
}

size_t sip_proxy_bindings(const struct sip_proxy *p, const char *user)
{
	struct aor *a = aor_find((struct sip_proxy *)p, user, false);

	return a ? a->nb : 0;
}

static int reply_bindings(struct sip_proxy *p, struct tsx *t,
			  const struct sip_msg *msg, struct aor *a)
{
	struct sip_hdr_add add[REG_MAX_CONTACTS];
	char val[REG_MAX_CONTACTS][300];
	struct binding *b;
	size_t n = 0;
	int len;

	for (b = a ? a->b : NULL; b && n < REG_MAX_CONTACTS; b = b->next) {
		uint64_t left = b->expires_at > p->now ?
				(b->expires_at - p->now) / 1000000 : 0;

		len = snprintf(val[n], sizeof(val[n]), "<%s>;expires=%llu",
			       b->uri, (unsigned long long)left);
		add[n].name = "Contact";
		add[n].val = pl_from_mem(val[n], (size_t)len < sizeof(val[n]) ?
					 (size_t)len : sizeof(val[n]) - 1);
		n++;
	}
	return px_reply(p, t, msg, 200, NULL, add, n, NULL, NULL);
}

struct upd {
	struct sip_contact c;
	uint32_t expires;
};

static struct binding *binding_find(struct aor *a, const struct pl *uri)
{
	struct binding *b;

	for (b = a->b; b; b = b->next)
		if (pl_eq_str(uri, b->uri))
			return b;
	return NULL;
}

/* A pn-* URI parameter into dst ("" when absent or too long). */
static void pn_param(const struct sip_uri *u, const char *name, char *dst,
		     size_t sz)
{
	struct pl v;

	dst[0] = 0;
	if (!sip_param(&u->params, name, &v) && pl_strcpy(&v, dst, sz))
		dst[0] = 0;
}

static int apply(struct sip_proxy *p, const struct net_pkt *pkt,
		 const struct sip_msg *msg, struct aor *a,
		 const struct upd *u)
{
	struct binding *b = binding_find(a, &u->c.addr.uri.raw);

	if (b && pl_eq_str(&msg->call_id, b->call_id) &&
	    msg->cseq.num <= b->cseq)
		return 0;	/* RFC 3261 10.3 7: out of order, ignored */
	if (!u->expires) {
		if (b)
			binding_del(p, b);
		return 0;
	}
	if (!b) {
		if (a->nb >= REG_MAX_CONTACTS)
			return EOVERFLOW;
		if (u->c.addr.uri.raw.len >= sizeof(b->uri))
			return EOVERFLOW;
		b = mem_zalloc(sizeof(*b));
		if (!b)
			return ENOMEM;
		b->aor = a;
		b->fresh = true;
		pl_strcpy(&u->c.addr.uri.raw, b->uri, sizeof(b->uri));
		b->next = a->b;
		a->b = b;
		a->nb++;
		p->st.bindings++;
	}
	if (pl_strcpy(&msg->call_id, b->call_id, sizeof(b->call_id)))
		b->call_id[0] = 0;
	b->cseq = msg->cseq.num;
	b->src = pkt->from;
	b->conn_id = net_tp_is_stream(pkt->from.tp) ? pkt->conn_id : 0;
	b->has_cdst = !route_uri_dst(p, &u->c.addr.uri, false, &b->cdst);
	if (b->has_cdst && b->cdst.tp != pkt->from.tp) {
		/* transport= absent: the one it registered over */
		struct pl v;

		if (sip_param(&u->c.addr.uri.params, "transport", &v))
			b->cdst.tp = pkt->from.tp;
	}
	pn_param(&u->c.addr.uri, "pn-provider", b->pn_provider,
		 sizeof(b->pn_provider));
	pn_param(&u->c.addr.uri, "pn-prid", b->pn_prid, sizeof(b->pn_prid));
	pn_param(&u->c.addr.uri, "pn-param", b->pn_param,
		 sizeof(b->pn_param));
	device_key(&u->c, b->device, sizeof(b->device));
	b->touched = true;
	b->expires_at = p->now + (uint64_t)u->expires * 1000000ull;
	if (b->timer)
		tq_cancel(&p->tq, b->timer);
	if (tq_add(&p->tq, b->expires_at, TM_BINDING, b, &b->timer))
		b->timer = TQ_NONE;
	return 0;
}

/* P10: a device that is new, or a push device that woke up, gets what is
 * stored for it. A plain refresh does not query the store (the hot path
 * of REGISTER stays in memory). */
static void sync_devices(struct sip_proxy *p, struct aor *a,
			 const char *user)
{
	struct reg_target tg;
	struct binding *b;

	for (b = a->b; b; b = b->next) {
		if (b->touched && p->cfg.store.message_pending &&
		    (b->fresh || b->pn_prid[0])) {
			to_target(b, &tg);
			msync_register(p, user, &tg);
		}
		b->touched = b->fresh = false;
	}
}

void reg_register(struct sip_proxy *p, const struct net_pkt *pkt,
		  struct sip_msg *msg, struct tsx *t)
{
	struct upd u[REG_MAX_CONTACTS];
	struct sip_list_it it;
	struct aor *a;
	struct pl e;
	char user[128], mins[16];
	uint32_t hexp = p->cfg.default_expires, v;
	bool has_hexp = false, star = false;
	size_t n = 0, i, len;
	int err;

	if (!px_host_is_us(p, &msg->to.uri.host, 0)) {
		px_reply(p, t, msg, 404, "Not Our Domain", NULL, 0, NULL,
			 NULL);
		return;
	}
	if (p->cfg.auth && auth_check(p, pkt, msg, t))
		return;
	if (sip_unescape(&msg->to.uri.user, user, sizeof(user), &len) ||
	    !len) {
		px_reply(p, t, msg, 404, NULL, NULL, 0, NULL, NULL);
		return;
	}
	err = sip_msg_u32(msg, SIP_HDR_EXPIRES, &v);
	if (err == EBADMSG) {
		px_reply(p, t, msg, 400, "Bad Expires", NULL, 0, NULL, NULL);
		return;
	}
	if (!err) {
		hexp = v;
		has_hexp = true;
	}
	sip_list_begin(&it, msg, SIP_HDR_CONTACT);
	while (!(err = sip_list_next(&it, &e))) {
		if (n >= REG_MAX_CONTACTS) {
			px_reply(p, t, msg, 403, "Too Many Contacts", NULL, 0,
				 NULL, NULL);
			return;
		}
		if (sip_contact_decode(&u[n].c, &e)) {
			px_reply(p, t, msg, 400, "Bad Contact", NULL, 0, NULL,
				 NULL);
			return;
		}
		if (u[n].c.star)
			star = true;
		u[n].expires = u[n].c.has_expires ? u[n].c.expires : hexp;
		n++;
	}
	if (err != ENOENT) {
		px_reply(p, t, msg, 400, "Bad Contact", NULL, 0, NULL, NULL);
		return;
	}
	if (star && (n != 1 || !has_hexp || hexp != 0)) {
		/* RFC 3261 10.3 6 */
		px_reply(p, t, msg, 400, "Bad Wildcard", NULL, 0, NULL, NULL);
		return;
	}
	a = aor_find(p, user, n && !star);
	if (star) {
		while (a && a->b)
			binding_del(p, a->b);
		reply_bindings(p, t, msg, NULL);
		if (a)
			aor_free_if_empty(p, a);
		return;
	}
	for (i = 0; i < n; i++) {
		if (u[i].expires && u[i].expires < p->cfg.min_expires) {
			struct sip_hdr_add me = { "Min-Expires", PL_NULL };

			len = (size_t)snprintf(mins, sizeof(mins), "%u",
					       p->cfg.min_expires);
			me.val = pl_from_mem(mins, len);
			px_reply(p, t, msg, 423, NULL, &me, 1, NULL, NULL);
			if (a)
				aor_free_if_empty(p, a);
			return;
		}
		if (u[i].expires > p->cfg.max_expires)
			u[i].expires = p->cfg.max_expires;
	}
	if (n && !a) {
		px_reply(p, t, msg, 503, "Registrar Full", NULL, 0, NULL,
			 NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		err = apply(p, pkt, msg, a, &u[i]);
		if (err) {
			px_reply(p, t, msg, err == ENOMEM ? 500 : 403,
				 err == ENOMEM ? NULL : "Too Many Contacts",
				 NULL, 0, NULL, NULL);
			aor_free_if_empty(p, a);
			return;
		}
	}
	LOG_D(p->cfg.log, "registrar: %zu contact(s) processed", n);
	reply_bindings(p, t, msg, a);
	if (a && a->b && p->pwaits)
		pn_registered(p, user);	/* RFC 8599: a woken device */
	if (a)
		sync_devices(p, a, user);
	if (a)
		aor_free_if_empty(p, a);
}
