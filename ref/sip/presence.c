/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Presence agent for the "presence" event package (RFC 3856) with event
 * publication (RFC 3903): SUBSCRIBE creates a subscription dialog whose
 * NOTIFYs carry the presentity's latest published document (or a closed
 * PIDF); PUBLISH manages entity tags (SIP-ETag / SIP-If-Match) and every
 * change is notified to the subscribers. Subscriptions and publications
 * expire on timers.
 *
 * POLICY P8: all of it lives in memory only and never reaches a hook or
 * a log line above LOG_DEBUG. Authorisation is "any authenticated local
 * user may watch any local user": pres-rules from XCAP are not consulted
 * here (known limit).
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

#define PUB_MAX_BODY 16384
#define PUB_MAX_PER_USER 8

struct pub {
	struct pub *next;
	struct pres *pr;
	char etag[20];
	char ctype[64];
	uint8_t *body;
	size_t body_len;
	uint32_t timer;
};

struct pres {
	struct pres *hnext;
	uint32_t hash;
	char user[128];
	struct pub *pubs;
	size_t npubs;
};

struct sub {
	struct sub *next, *prev;
	uint64_t id;
	char user[128];
	char call_id[128];
	char to_tag[20];
	char from[256];		/* subscriber's From value: our To */
	char to_uri[256];	/* subscriber's To URI: our From */
	char contact[256];
	struct net_addr dst, local;
	uint64_t conn_id;
	uint32_t cseq;
	uint64_t exp_us;
	uint32_t timer;
	int handling;		/* enum sip_sub_handling (pres-rules) */
};

int pres_init(struct sip_proxy *p)
{
	p->pres_buckets = 1024;
	p->pres_tab = mem_zalloc(p->pres_buckets * sizeof(*p->pres_tab));
	return p->pres_tab ? 0 : ENOMEM;
}

static struct pres *pres_find(struct sip_proxy *p, const char *user,
			      bool create)
{
	uint32_t h = fnv1a(user, strlen(user), FNV_INIT);
	struct pres *r, **head = &p->pres_tab[h & (p->pres_buckets - 1)];

	for (r = *head; r; r = r->hnext)
		if (r->hash == h && !strcmp(r->user, user))
			return r;
	if (!create)
		return NULL;
	r = mem_zalloc(sizeof(*r));
	if (!r)
		return NULL;
	r->hash = h;
	snprintf(r->user, sizeof(r->user), "%s", user);
	r->hnext = *head;
	*head = r;
	return r;
}

static void pres_gc(struct sip_proxy *p, struct pres *r)
{
	struct pres **pp = &p->pres_tab[r->hash & (p->pres_buckets - 1)];

	if (r->pubs)
		return;
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == r) {
			*pp = r->hnext;
			mem_free(r);
			return;
		}
	}
}

static void pub_free(struct sip_proxy *p, struct pub *b)
{
	struct pub **pp;

	for (pp = &b->pr->pubs; *pp; pp = &(*pp)->next) {
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	}
	b->pr->npubs--;
	if (b->timer)
		tq_cancel(&p->tq, b->timer);
	mem_free(b->body);
	mem_free(b);
}

static void sub_free(struct sip_proxy *p, struct sub *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		p->subs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->timer)
		tq_cancel(&p->tq, s->timer);
	p->st.subs--;
	mem_free(s);
}

void pres_fini(struct sip_proxy *p)
{
	size_t i;
	struct pres *r;

	while (p->subs)
		sub_free(p, p->subs);
	if (!p->pres_tab)
		return;
	for (i = 0; i < p->pres_buckets; i++) {
		while ((r = p->pres_tab[i])) {
			while (r->pubs)
				pub_free(p, r->pubs);
			pres_gc(p, r);
		}
	}
	mem_free(p->pres_tab);
	p->pres_tab = NULL;
}

static struct sub *sub_find(struct sip_proxy *p, const struct pl *cid,
			    const struct pl *tag)
{
	struct sub *s;

	for (s = p->subs; s; s = s->next)
		if (pl_eq_str(cid, s->call_id) && pl_eq_str(tag, s->to_tag))
			return s;
	return NULL;
}

static struct sub *sub_by_id(struct sip_proxy *p, uint64_t id)
{
	struct sub *s;

	for (s = p->subs; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

bool pres_owns(struct sip_proxy *p, const struct sip_msg *msg)
{
	return pl_isset(&msg->to.tag) &&
	       sub_find(p, &msg->call_id, &msg->to.tag) != NULL;
}

static void notify_done(struct sip_proxy *p, struct tsx *t, uint16_t code,
			const struct sip_msg *rsp)
{
	struct sub *s = sub_by_id(p, (uint64_t)(uintptr_t)t->done_arg);

	/* RFC 6665 4.2.2: a failed NOTIFY ends the subscription. */
	if (s && code >= 300)
		sub_free(p, s);
}

static void send_notify(struct sip_proxy *p, struct sub *s, bool end,
			const char *reason)
{
	struct pres *r = pres_find(p, s->user, false);
	/* RFC 5025: only an allowed watcher sees what was published; a
	 * politely blocked one a neutral "closed", a pending one nothing. */
	struct pub *b = r && s->handling == SIP_SUB_ALLOW ? r->pubs : NULL;
	bool pending = s->handling == SIP_SUB_CONFIRM && !end;
	char branch[48], hs[NET_ADDR_STRLEN], state[64];
	struct buf m, dflt;
	struct tsx *t;
	uint64_t left = s->exp_us > p->now ? (s->exp_us - p->now) / 1000000 :
			0;

	buf_init(&m);
	buf_init(&dflt);
	if (!b)
		buf_printf(&dflt, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			   "\r\n<presence xmlns=\"urn:ietf:params:xml:ns:"
			   "pidf\" entity=\"sip:%s@%s\"><tuple id=\"t0\">"
			   "<status><basic>closed</basic></status></tuple>"
			   "</presence>\r\n", s->user, p->domain);
	if (end)
		snprintf(state, sizeof(state), "terminated;reason=%s", reason);
	else if (pending)
		snprintf(state, sizeof(state), "pending;expires=%llu",
			 (unsigned long long)left);
	else
		snprintf(state, sizeof(state), "active;expires=%llu",
			 (unsigned long long)left);
	snprintf(branch, sizeof(branch), "z9hG4bKN%llx",
		 (unsigned long long)++p->branch_seq);
	net_addr_str(&s->local, hs, sizeof(hs));
	buf_printf(&m, "NOTIFY %s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=%s\r\n"
		   "Max-Forwards: 70\r\nFrom: <%s>;tag=%s\r\nTo: %s\r\n"
		   "Call-ID: %s\r\nCSeq: %u NOTIFY\r\nContact: <sip:%s%s%s>\r\n"
		   "Event: presence\r\nSubscription-State: %s\r\n"
		   "%s%s%sContent-Length: %zu\r\n\r\n",
		   s->contact, s->dst.tp == NET_TLS ? "TLS" :
		   s->dst.tp == NET_TCP ? "TCP" : "UDP", hs, branch,
		   s->to_uri, s->to_tag, s->from, s->call_id, ++s->cseq, hs,
		   s->dst.tp == NET_UDP ? "" : ";transport=",
		   s->dst.tp == NET_UDP ? "" : net_tp_name(s->dst.tp), state,
		   pending ? "" : "Content-Type: ",
		   pending ? "" : b ? b->ctype : "application/pidf+xml",
		   pending ? "" : "\r\n",
		   pending ? 0 : b ? b->body_len : dflt.len);
	if (pending)
		;	/* RFC 6665 4.1.3: no state while pending */
	else if (b)
		buf_put(&m, b->body, b->body_len);
	else
		buf_put(&m, dflt.data, dflt.len);
	if (!tsx_cli_new(p, SIP_M_NOTIFY, branch, &s->dst, s->conn_id,
			 m.data, m.len, &t)) {
		t->done = notify_done;
		t->done_arg = (void *)(uintptr_t)s->id;
	}
	buf_fini(&m);
	buf_fini(&dflt);
}

static void notify_all(struct sip_proxy *p, const char *user)
{
	struct sub *s;

	for (s = p->subs; s; s = s->next)
		if (!strcmp(s->user, user))
			send_notify(p, s, false, NULL);
}

void pres_timer(struct sip_proxy *p, int kind, void *arg)
{
	char user[128];

	if (kind == TM_SUB) {
		struct sub *s = arg;

		s->timer = TQ_NONE;
		send_notify(p, s, true, "timeout");
		sub_free(p, s);
		return;
	}
	if (kind == TM_PUB) {
		struct pub *b = arg;
		struct pres *r = b->pr;

		b->timer = TQ_NONE;
		snprintf(user, sizeof(user), "%s", r->user);
		pub_free(p, b);
		pres_gc(p, r);
		notify_all(p, user);
	}
}

/* Event: presence (params ignored); else 489 (RFC 6665 8.2.2). */
static bool event_ok(struct sip_proxy *p, struct sip_msg *msg,
		     struct tsx *t)
{
	static const struct sip_hdr_add ae = { "Allow-Events",
					       { "presence", 8 } };
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_EVENT);
	struct pl ev, rest;

	if (h) {
		pl_split(&h->val, ';', &ev, &rest);
		pl_trim(&ev);
		if (pl_caseeq_str(&ev, "presence"))
			return true;
	}
	px_reply(p, t, msg, 489, NULL, &ae, 1, NULL, NULL);
	return false;
}

/* Expires of a SUBSCRIBE/PUBLISH; false when answered (400/423). */
static bool get_expires(struct sip_proxy *p, struct sip_msg *msg,
			struct tsx *t, uint32_t *exp)
{
	char v[16];
	struct sip_hdr_add me = { "Min-Expires", PL_NULL };
	int err = sip_msg_u32(msg, SIP_HDR_EXPIRES, exp);

	if (err == ENOENT)
		*exp = p->cfg.default_expires;
	else if (err) {
		px_reply(p, t, msg, 400, "Bad Expires", NULL, 0, NULL, NULL);
		return false;
	}
	if (*exp && *exp < p->cfg.min_expires) {
		me.val = pl_from_mem(v, (size_t)snprintf(v, sizeof(v), "%u",
						p->cfg.min_expires));
		px_reply(p, t, msg, 423, NULL, &me, 1, NULL, NULL);
		return false;
	}
	if (*exp > p->cfg.max_expires)
		*exp = p->cfg.max_expires;
	return true;
}

static void sub_arm(struct sip_proxy *p, struct sub *s, uint32_t exp)
{
	s->exp_us = p->now + (uint64_t)exp * 1000000ull;
	if (s->timer)
		tq_cancel(&p->tq, s->timer);
	if (tq_add(&p->tq, s->exp_us, TM_SUB, s, &s->timer))
		s->timer = TQ_NONE;
}

static void reply_ok(struct sip_proxy *p, struct tsx *t,
		     struct sip_msg *msg, struct sub *s, uint32_t exp)
{
	char ev[16], ct[NET_ADDR_STRLEN + 32], hs[NET_ADDR_STRLEN];
	struct sip_hdr_add h[2];

	h[0].name = "Expires";
	h[0].val = pl_from_mem(ev, (size_t)snprintf(ev, sizeof(ev), "%u",
						    exp));
	net_addr_str(&t->local, hs, sizeof(hs));
	h[1].name = "Contact";
	h[1].val = pl_from_mem(ct, (size_t)snprintf(ct, sizeof(ct),
			"<sip:%s%s%s>", hs,
			t->local.tp == NET_UDP ? "" : ";transport=",
			t->local.tp == NET_UDP ? "" : net_tp_name(t->local.tp)));
	p->force_tag = s ? s->to_tag : NULL;
	px_reply(p, t, msg, 200, NULL, h, 2, NULL, NULL);
	p->force_tag = NULL;
}

/* RFC 5025: what the watcher (From) may see of user's presence. */
static int sub_handling(struct sip_proxy *p, const struct sip_msg *msg,
			const char *user)
{
	char presentity[200], watcher[200];
	int h;

	if (!p->cfg.store.sub_handling)
		return SIP_SUB_ALLOW;
	snprintf(presentity, sizeof(presentity), "%s@%s", user, p->domain);
	px_aor(p, &msg->from.uri, watcher, sizeof(watcher));
	if (!strcmp(presentity, watcher))
		return SIP_SUB_ALLOW;	/* one's own presence */
	h = p->cfg.store.sub_handling(p->cfg.store.arg, presentity, watcher);
	return h >= SIP_SUB_BLOCK && h <= SIP_SUB_ALLOW ? h : SIP_SUB_CONFIRM;
}

void pres_subscribe(struct sip_proxy *p, const struct net_pkt *pkt,
		    struct sip_msg *msg, struct tsx *t)
{
	int handling;
	struct sip_contact c;
	const struct sip_hdr *ch;
	struct sub *s;
	char user[128];
	uint32_t exp;
	size_t n;

	if (!event_ok(p, msg, t) || !get_expires(p, msg, t, &exp))
		return;
	if (pl_isset(&msg->to.tag)) {	/* refresh or unsubscribe */
		s = sub_find(p, &msg->call_id, &msg->to.tag);
		if (!s) {
			px_reply(p, t, msg, 481, NULL, NULL, 0, NULL, NULL);
			return;
		}
		reply_ok(p, t, msg, s, exp);
		if (!exp) {
			send_notify(p, s, true, "noresource");
			sub_free(p, s);
			return;
		}
		sub_arm(p, s, exp);
		send_notify(p, s, false, NULL);
		return;
	}
	if (sip_unescape(&msg->ruri.user, user, sizeof(user), &n) || !n ||
	    (p->cfg.store.user_exists &&
	     p->cfg.store.user_exists(p->cfg.store.arg, user, p->domain))) {
		px_reply(p, t, msg, 404, NULL, NULL, 0, NULL, NULL);
		return;
	}
	ch = sip_msg_hdr(msg, SIP_HDR_CONTACT);
	if (!ch || sip_contact_decode(&c, &ch->val) || c.star ||
	    c.addr.uri.raw.len >= sizeof(s->contact) ||
	    msg->from.raw.len >= sizeof(s->from) ||
	    msg->to.uri.raw.len >= sizeof(s->to_uri) ||
	    msg->call_id.len >= sizeof(s->call_id)) {
		px_reply(p, t, msg, 400, "Bad Contact", NULL, 0, NULL, NULL);
		return;
	}
	if (p->st.subs >= p->cfg.max_subs) {
		px_reply(p, t, msg, 503, "Too Many Subscriptions", NULL, 0,
			 NULL, NULL);
		return;
	}
	handling = sub_handling(p, msg, user);
	if (handling == SIP_SUB_BLOCK) {
		p->st.subs_blocked++;
		px_reply(p, t, msg, 403, NULL, NULL, 0, NULL, NULL);
		return;
	}
	p->st.subs_pending += handling == SIP_SUB_CONFIRM;
	s = mem_zalloc(sizeof(*s));
	if (!s) {
		px_reply(p, t, msg, 500, NULL, NULL, 0, NULL, NULL);
		return;
	}
	s->id = ++p->sub_seq;
	s->handling = handling;
	snprintf(s->user, sizeof(s->user), "%s", user);
	pl_strcpy(&msg->call_id, s->call_id, sizeof(s->call_id));
	pl_strcpy(&msg->from.raw, s->from, sizeof(s->from));
	pl_strcpy(&msg->to.uri.raw, s->to_uri, sizeof(s->to_uri));
	pl_strcpy(&c.addr.uri.raw, s->contact, sizeof(s->contact));
	px_tag(p, s->to_tag, 16);
	s->dst = pkt->from;
	s->local = pkt->to;
	s->conn_id = net_tp_is_stream(pkt->from.tp) ? pkt->conn_id : 0;
	s->next = p->subs;
	if (p->subs)
		p->subs->prev = s;
	p->subs = s;
	p->st.subs++;
	reply_ok(p, t, msg, s, exp);
	if (!exp) {	/* fetch */
		send_notify(p, s, true, "timeout");
		sub_free(p, s);
		return;
	}
	sub_arm(p, s, exp);
	send_notify(p, s, false, NULL);
}

static void pub_reply(struct sip_proxy *p, struct tsx *t,
		      struct sip_msg *msg, const char *etag, uint32_t exp)
{
	char ev[16];
	struct sip_hdr_add h[2];

	h[0].name = "SIP-ETag";
	h[0].val = pl_from_str(etag);
	h[1].name = "Expires";
	h[1].val = pl_from_mem(ev, (size_t)snprintf(ev, sizeof(ev), "%u",
						    exp));
	px_reply(p, t, msg, 200, NULL, h, 2, NULL, NULL);
}

void pres_publish(struct sip_proxy *p, const struct net_pkt *pkt,
		  struct sip_msg *msg, struct tsx *t)
{
	const struct sip_hdr *im = sip_msg_hdr(msg, SIP_HDR_SIP_IF_MATCH);
	const struct sip_hdr *ct = sip_msg_hdr(msg, SIP_HDR_CONTENT_TYPE);
	struct pres *r;
	struct pub *b = NULL;
	char user[128];
	uint32_t exp;
	size_t n;

	if (!event_ok(p, msg, t) || !get_expires(p, msg, t, &exp))
		return;
	if (sip_unescape(&msg->ruri.user, user, sizeof(user), &n) || !n ||
	    !pl_eq(&msg->ruri.user, &msg->from.uri.user)) {
		px_reply(p, t, msg, 403, "Only Own Presence", NULL, 0, NULL,
			 NULL);
		return;
	}
	if (msg->body.len > PUB_MAX_BODY) {
		px_reply(p, t, msg, 413, NULL, NULL, 0, NULL, NULL);
		return;
	}
	r = pres_find(p, user, !im);
	if (im && r)
		for (b = r->pubs; b; b = b->next)
			if (pl_eq_str(&im->val, b->etag))
				break;
	if (im && !b) {		/* RFC 3903 6 step 4 */
		px_reply(p, t, msg, 412, NULL, NULL, 0, NULL, NULL);
		return;
	}
	if ((!im && !msg->body.len) || (msg->body.len && !ct)) {
		px_reply(p, t, msg, 400, "Body Required", NULL, 0, NULL,
			 NULL);
		if (r)
			pres_gc(p, r);
		return;
	}
	if (!b) {
		if (!r || r->npubs >= PUB_MAX_PER_USER ||
		    !(b = mem_zalloc(sizeof(*b)))) {
			px_reply(p, t, msg, 503, NULL, NULL, 0, NULL, NULL);
			if (r)
				pres_gc(p, r);
			return;
		}
		b->pr = r;
		b->next = r->pubs;
		r->pubs = b;
		r->npubs++;
	}
	/* A new entity tag on every change (RFC 3903 6 step 7). */
	px_tag(p, b->etag, 16);
	if (!exp) {
		pub_reply(p, t, msg, b->etag, 0);
		pub_free(p, b);
		pres_gc(p, r);
		notify_all(p, user);
		return;
	}
	if (msg->body.len) {
		uint8_t *nb = mem_alloc(msg->body.len);

		if (!nb) {
			px_reply(p, t, msg, 500, NULL, NULL, 0, NULL, NULL);
			return;
		}
		memcpy(nb, msg->body.p, msg->body.len);
		mem_free(b->body);
		b->body = nb;
		b->body_len = msg->body.len;
		pl_strcpy(&ct->val, b->ctype, sizeof(b->ctype));
	}
	if (b->timer)
		tq_cancel(&p->tq, b->timer);
	if (tq_add(&p->tq, p->now + (uint64_t)exp * 1000000ull, TM_PUB, b,
		   &b->timer))
		b->timer = TQ_NONE;
	pub_reply(p, t, msg, b->etag, exp);
	if (msg->body.len) {
		/* Latest publication first: it is what NOTIFY carries. */
		struct pub **pp;

		for (pp = &r->pubs; *pp; pp = &(*pp)->next) {
			if (*pp == b) {
				*pp = b->next;
				break;
			}
		}
		b->next = r->pubs;
		r->pubs = b;
		notify_all(p, user);
	}
	(void)pkt;
}
