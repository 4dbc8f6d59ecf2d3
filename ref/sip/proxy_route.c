/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateful proxy routing (RFC 3261 16): request validation (16.3), Route
 * preprocessing and loose routing (16.4), target sets from the registrar
 * with parallel forking (16.5-16.6), Record-Route (double when the two
 * sides use different transports or addresses), received/rport on the
 * client's Via, and stateless forwarding of ACK for 2xx. The response
 * side (16.7, 16.10) is in proxy_rsp.c.
 *
 * Policy: no open relay (out-of-dialog requests for other domains get
 * 403), destinations outside the configured networks are refused, and a
 * dialog that arrived over TLS or with a sips URI never leaves on a clear
 * transport. Host names as next hops go to the driver's resolver
 * (proxy_dns.c; the core itself does no DNS).
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

#define MAX_ROUTES 16

struct rt {
	struct pl route[MAX_ROUTES];	/* remaining Route elements */
	size_t nroute;
	bool changed;			/* Route set differs from msg */
	bool popped;			/* one of ours was removed */
	bool secure;
	const struct pl *new_ruri;
	struct pl ruri_buf;
};

static uint32_t loop_hash(const struct sip_msg *m)
{
	uint32_t h = FNV_INIT;

	h = fnv1a(m->ruri_pl.p, m->ruri_pl.len, h);
	h = fnv1a(m->call_id.p, m->call_id.len, h);
	h = fnv1a(m->from.tag.p, m->from.tag.len, h);
	h = fnv1a(m->to.tag.p, m->to.tag.len, h);
	h = fnv1a(&m->cseq.num, sizeof(m->cseq.num), h);
	return h;
}

/* RFC 3261 16.3 4: our own Via with the same loop hash = loop; the same
 * Via with another hash is a spiral and goes on. */
static bool is_loop(struct sip_proxy *p, const struct sip_msg *m)
{
	struct sip_list_it it;
	struct sip_via v;
	struct pl e;
	char want[24];
	int n;

	n = snprintf(want, sizeof(want), "z9hG4bKP%08x", loop_hash(m));
	sip_list_begin(&it, m, SIP_HDR_VIA);
	while (!sip_list_next(&it, &e)) {
		if (sip_via_decode(&v, &e))
			continue;
		if (v.branch.len > (size_t)n && !memcmp(v.branch.p, want, n) &&
		    px_host_is_us(p, &v.host, v.port))
			return true;
	}
	return false;
}

static bool uri_secure(const struct sip_uri *u)
{
	struct pl v;

	return u->scheme == SIP_SCHEME_SIPS ||
	       (!sip_param(&u->params, "transport", &v) &&
		pl_caseeq_str(&v, "tls"));
}

/* Destination of a URI: an IP literal, or the first RFC 3263 target of
 * a name (the others in p->dns_alt; EAGAIN while it is looked up). */
int route_uri_dst(struct sip_proxy *p, const struct sip_uri *u,
		  bool secure, struct net_addr *dst)
{
	char s[NET_ADDR_STRLEN + 8];
	enum net_tp tp = NET_UDP;
	struct pl v;
	uint16_t port;
	size_t n;
	int err;

	p->ndns_alt = 0;
	if (u->scheme == SIP_SCHEME_SIPS)
		tp = NET_TLS;
	if (!sip_param(&u->params, "transport", &v) && net_tp_parse(&v, &tp))
		return EPROTONOSUPPORT;
	port = u->port ? u->port : (tp == NET_TLS ? 5061 : 5060);
	if (u->host.len > 45)
		goto name;
	snprintf(s, sizeof(s), u->host_ipv6 ? "[%.*s]:%u" : "%.*s:%u",
		 PL_ARG(u->host), port);
	v = pl_from_str(s);
	if (net_addr_parse(&v, port, dst))
		goto name;
	if (secure && tp != NET_TLS)
		return EPERM;
	dst->tp = tp;
	if (!px_dst_allowed(p, dst))
		return EACCES;
	return 0;
 name:
	/* A host name: the driver's resolver (proxy_dns.c). */
	err = dns_resolve(p, u, secure, p->dns_alt, SIP_DNS_MAX, &n);
	if (err)
		return err;
	*dst = p->dns_alt[0];
	memmove(&p->dns_alt[0], &p->dns_alt[1], (n - 1) * sizeof(*dst));
	p->ndns_alt = n - 1;
	return 0;
}

const struct sip_static_route *route_static(const struct sip_proxy *p,
					    const struct pl *user)
{
	size_t i;

	for (i = 0; i < p->cfg.nstatics; i++)
		if (p->cfg.statics[i].prefix[0] &&
		    pl_prefix_case(user, p->cfg.statics[i].prefix))
			return &p->cfg.statics[i];
	return NULL;
}

bool route_static_src(const struct sip_proxy *p, const struct net_addr *src)
{
	size_t i;

	for (i = 0; i < p->cfg.nstatics; i++)
		if (net_addr_host_eq(src, &p->cfg.statics[i].dst) &&
		    net_addr_port(src) == net_addr_port(&p->cfg.statics[i].dst))
			return true;
	return false;
}

static void refuse(struct sip_proxy *p, struct tsx *t, struct sip_msg *msg,
		   const struct net_pkt *pkt, int err)
{
	uint16_t code = 500;
	const char *why = NULL;

	/* A name being looked up: wait for it (proxy_dns.c routes it again). */
	if (err == EAGAIN && dns_park(p, t, NULL))
		return;
	switch (err) {
	case EAGAIN:	/* cannot wait: as unresolvable */
		code = 404; why = "Unresolvable Destination"; break;
	case EPERM: code = 403; why = "TLS Required"; break;
	case EACCES: code = 403; why = "Destination Not Allowed"; break;
	case EHOSTUNREACH: code = 404; why = "Unresolvable Destination";
		break;
	case EPROTONOSUPPORT: code = 502; why = "Unsupported Transport";
		break;
	case ENOENT: code = 404; break;
	default:
		code = route_err_code(err, &why);
		break;
	}
	if (msg->mid == SIP_M_INVITE && !pl_isset(&msg->to.tag))
		cdr_call_refused(p, pkt, msg, code);
	route_err_reply(p, t, msg, code, why);
}

uint16_t route_err_code(int err, const char **why)
{
	switch (err) {
	case PX_E_RELAY_FULL: *why = "Media Relay Full"; return 503;
	case PX_E_BAD_SDP: *why = NULL; return 488;
	default: *why = NULL; return 500;
	}
}

/* A 503 says when to try again (RFC 3261 21.5.4). */
void route_err_reply(struct sip_proxy *p, struct tsx *t, struct sip_msg *msg,
		     uint16_t code, const char *why)
{
	px_reply(p, t, msg, code, why, code == 503 ? &px_retry_after : NULL,
		 code == 503, NULL, NULL);
}

static void rr_value(struct sip_proxy *p, const struct net_addr *a,
		     char *dst, size_t sz)
{
	char h[NET_ADDR_STRLEN];

	net_addr_str(a, h, sizeof(h));
	if (a->tp == NET_UDP)
		snprintf(dst, sz, "<sip:%s;lr>", h);
	else
		snprintf(dst, sz, "<sip:%s;transport=%s;lr>", h,
			 net_tp_name(a->tp));
}

/* The Via stack to send: ours on top, then the one the request came with
 * carrying received= (RFC 3261 18.2.1) and rport= (RFC 3581 4) so that
 * responses find the way back even statelessly. *changed false: nothing
 * to add, keep the message's Vias and put ours above them. */
static int via_stack(const struct net_pkt *pkt, const struct sip_msg *msg,
		     const char *ours, struct buf *b, bool *changed)
{
	const struct sip_via *v = &msg->via1;
	struct sip_list_it it;
	struct pl raw = v->raw, e;
	char ip[NET_ADDR_STRLEN];
	bool rport = v->rport && !pl_isset(&v->rport_val), first = true;
	size_t i;
	int err;

	net_addr_host(&pkt->from, ip, sizeof(ip));
	*changed = false;
	if (!rport && (pl_isset(&v->received) || pl_eq_str(&v->host, ip)))
		return 0;
	err = buf_printf(b, "%s, ", ours);
	for (i = 0; !err && rport && i + 6 <= raw.len; i++) {
		struct pl r = pl_from_mem(raw.p + i, raw.len - i);

		if (raw.p[i] != ';' || !pl_prefix_case(&r, ";rport") ||
		    (i + 6 < raw.len && !strchr("; \t,", raw.p[i + 6])))
			continue;
		err = buf_printf(b, "%.*s;rport=%u", (int)i, raw.p,
				 net_addr_port(&pkt->from));
		pl_advance(&raw, i + 6);
		break;
	}
	if (!err)
		err = buf_printf(b, "%.*s", PL_ARG(raw));
	if (!err && !pl_isset(&v->received))
		err = buf_printf(b, ";received=%s", ip);
	sip_list_begin(&it, msg, SIP_HDR_VIA);
	while (!err && !sip_list_next(&it, &e)) {
		if (!first)
			err = buf_printf(b, ", %.*s", PL_ARG(e));
		first = false;
	}
	*changed = !err;
	return err;
}

/* Forward msg on one branch (RFC 3261 16.6). t NULL: stateless (ACK). */
static int forward(struct sip_proxy *p, struct tsx *t,
		   const struct net_pkt *pkt, struct sip_msg *msg,
		   const struct rt *r, const struct pl *ruri,
		   const struct net_addr *dst, uint64_t conn_id)
{
	enum sip_hdr_id strip[2];
	struct buf vs;
	bool vchanged;
	const struct net_addr *lo = px_local(p, dst->tp,
					     net_addr_family(dst));
	char branch[64], via[160], rr[300], hs[NET_ADDR_STRLEN];
	char routes[1024];
	struct pl vpl, rrpl, rpl, body;
	struct sip_hdr_add add;
	struct sip_fwd f;
	struct buf b, sdp;
	bool rewritten = false;
	struct tsx *kid;
	size_t i, rl = 0;
	bool started = false;
	int err;

	memset(&f, 0, sizeof(f));
	if (t)
		snprintf(branch, sizeof(branch), "z9hG4bKP%08x.%llx.%d",
			 loop_hash(msg),
			 (unsigned long long)++p->branch_seq, t->nkids);
	else
		snprintf(branch, sizeof(branch), "z9hG4bKA%08x",
			 fnv1a(msg->via1.branch.p, msg->via1.branch.len,
			       loop_hash(msg)));
	net_addr_str(lo, hs, sizeof(hs));
	snprintf(via, sizeof(via), "SIP/2.0/%s %s;branch=%s",
		 dst->tp == NET_TLS ? "TLS" : dst->tp == NET_TCP ? "TCP" :
		 "UDP", hs, branch);
	vpl = pl_from_str(via);
	f.via = &vpl;
	buf_init(&vs);
	f.strip = strip;
	if (!via_stack(pkt, msg, via, &vs, &vchanged) && vchanged) {
		vpl = buf_pl(&vs);
		strip[f.nstrip++] = SIP_HDR_VIA;
	}
	f.new_ruri = ruri;
	f.decrement_mf = true;
	if (t && !pl_isset(&msg->to.tag) &&
	    (msg->mid == SIP_M_INVITE || msg->mid == SIP_M_SUBSCRIBE ||
	     msg->mid == SIP_M_REFER)) {
		rr_value(p, lo, rr, sizeof(rr));
		if (lo->tp != pkt->to.tp || !net_addr_eq(lo, &pkt->to)) {
			size_t n = strlen(rr);

			rr[n++] = ',';
			rr_value(p, &pkt->to, rr + n, sizeof(rr) - n);
		}
		rrpl = pl_from_str(rr);
		f.record_route = &rrpl;
	}
	if (r->changed) {
		strip[f.nstrip++] = SIP_HDR_ROUTE;
		for (i = 0; i < r->nroute && rl < sizeof(routes); i++)
			rl += snprintf(routes + rl, sizeof(routes) - rl, "%s%.*s",
				       i ? ", " : "", PL_ARG(r->route[i]));
		if (rl >= sizeof(routes)) {
			buf_fini(&vs);
			return EOVERFLOW;
		}
		if (r->nroute) {
			rpl = pl_from_mem(routes, rl);
			add.name = "Route";
			add.val = rpl;
			f.extra = &add;
			f.nextra = 1;
		}
	}
	buf_init(&b);
	buf_init(&sdp);
	/* An initial INVITE leaving without a call (pre-routed, or to a
	 * resolved host): the call record owns the relay ports, so its end
	 * (failure, CANCEL, timeout, BYE) frees them. */
	if (t && !t->call && msg->mid == SIP_M_INVITE &&
	    !pl_isset(&msg->to.tag)) {
		t->call = cdr_call_start(p, pkt, msg);
		started = t->call != NULL;
	}
	if (msg->mid == SIP_M_INVITE && msg->body.len &&
	    (err = cdr_media_offer(p, msg, &sdp, &rewritten)))
		goto out;
	if (rewritten) {
		body = buf_pl(&sdp);
		f.new_body = &body;
	}
	err = sip_encode_forward(&b, msg, &f);
	if (err)
		goto out;
	if (!t) {
		err = px_send(p, lo, dst, conn_id, b.data, b.len);
		goto out;
	}
	if (t->nkids >= TSX_MAX_KIDS) {
		err = EOVERFLOW;
		goto out;
	}
	err = tsx_cli_new(p, msg->mid, branch, dst, conn_id, b.data, b.len,
			  &kid);
	if (err)
		goto out;
	kid->parent = t;
	kid->kidx = t->nkids;
	t->kids[t->nkids++] = kid;
 out:
	if (err && started) {
		cdr_call_drop(p, t->call);
		t->call = NULL;
	}
	buf_fini(&b);
	buf_fini(&sdp);
	buf_fini(&vs);
	return err;
}

/* Route preprocessing (RFC 3261 16.4): strict-router fix-up, then every
 * topmost Route that is ours is removed. */
static int preprocess(struct sip_proxy *p, const struct net_pkt *pkt,
		      struct sip_msg *msg, struct rt *r)
{
	struct sip_list_it it;
	struct sip_addr a;
	struct pl e;
	int err;

	memset(r, 0, sizeof(*r));
	sip_list_begin(&it, msg, SIP_HDR_ROUTE);
	while (!(err = sip_list_next(&it, &e))) {
		if (r->nroute >= MAX_ROUTES)
			return EOVERFLOW;
		r->route[r->nroute++] = e;
	}
	if (err != ENOENT)
		return EBADMSG;
	if (r->nroute && px_uri_is_us(p, &msg->ruri) &&
	    !pl_isset(&msg->ruri.user)) {
		/* Previous hop was a strict router: the last Route holds
		 * the real Request-URI. */
		if (sip_addr_decode(&a, &r->route[r->nroute - 1]))
			return EBADMSG;
		r->ruri_buf = a.uri.raw;
		r->new_ruri = &r->ruri_buf;
		r->nroute--;
		r->changed = true;
	}
	while (r->nroute) {
		if (sip_addr_decode(&a, &r->route[0]))
			return EBADMSG;
		if (!px_uri_is_us(p, &a.uri))
			break;
		if (uri_secure(&a.uri))
			r->secure = true;
		memmove(&r->route[0], &r->route[1],
			(r->nroute - 1) * sizeof(r->route[0]));
		r->nroute--;
		r->changed = r->popped = true;
	}
	if (net_tp_is_secure(pkt->from.tp) ||
	    msg->ruri.scheme == SIP_SCHEME_SIPS)
		r->secure = true;
	return 0;
}

/* Forward to the next hop named by a URI (Route or Request-URI). */
static int forward_uri(struct sip_proxy *p, struct tsx *t,
		       const struct net_pkt *pkt, struct sip_msg *msg,
		       const struct rt *r, const struct sip_uri *u)
{
	struct net_addr dst;
	int err;

	err = route_uri_dst(p, u, r->secure, &dst);
	if (err)
		return err;
	err = forward(p, t, pkt, msg, r, r->new_ruri, &dst, 0);
	if (!err)
		dns_alt_keep(p, t);
	return err;
}

int route_alt(struct sip_proxy *p, struct tsx *t)
{
	struct sip_msg *msg = &p->m2;
	struct net_addr dst;
	struct net_pkt pkt;
	struct rt r;
	int err = ENOENT;

	while (t->alts && t->alt_next < t->nalts && !t->final_sent &&
	       !t->cancelled && !t->any_2xx && t->nkids < TSX_MAX_KIDS) {
		dst = t->alts[t->alt_next++];
		if (sip_msg_decode(msg, t->req, t->req_len))
			return EBADMSG;
		memset(&pkt, 0, sizeof(pkt));
		pkt.from = t->peer;
		pkt.to = t->local;
		pkt.conn_id = t->conn_id;
		if (preprocess(p, &pkt, msg, &r))
			return EBADMSG;
		if ((r.secure || t->secure) && dst.tp != NET_TLS)
			continue;	/* never: dns_resolve kept TLS only */
		err = forward(p, t, &pkt, msg, &r, r.new_ruri, &dst, 0);
		if (!err) {
			p->st.dns_failovers++;
			return 0;
		}
	}
	return err;
}

int route_fork(struct sip_proxy *p, struct tsx *t, struct sip_msg *msg,
	       const char *user)
{
	struct reg_target tg[TSX_MAX_KIDS];
	struct net_pkt pkt;
	struct rt r;
	size_t n, i, sent = 0;
	struct pl ruri;
	int e, merr = 0;

	memset(&r, 0, sizeof(r));
	memset(&pkt, 0, sizeof(pkt));
	pkt.from = t->peer;
	pkt.to = t->local;
	r.secure = t->secure;
	if (preprocess(p, &pkt, msg, &r))
		return EBADMSG;
	r.secure = r.secure || t->secure;
	n = reg_lookup(p, user, tg, TSX_MAX_KIDS);
	for (i = 0; i < n; i++) {
		/* Never downgrade a secure request (POLICY: TLS path). */
		if (r.secure && tg[i].dst.tp != NET_TLS)
			continue;
		ruri = pl_from_str(tg[i].uri);
		e = forward(p, t, &pkt, msg, &r, &ruri, &tg[i].dst,
			    tg[i].conn_id);
		if (e == PX_E_RELAY_FULL || e == PX_E_BAD_SDP)
			merr = e;
		if (e)
			continue;
		sent++;
		if (t->msg_id && tg[i].device[0]) {
			/* P10: this branch's 2xx is a delivery */
			struct tsx *kid = t->kids[t->nkids - 1];

			kid->msg_id = t->msg_id;
			kid->device = mem_strdup(tg[i].device);
		}
	}
	if (!sent)
		return merr ? merr : n ? EPERM : ENOENT;
	return 0;
}

int route_failover(struct sip_proxy *p, struct tsx *t, struct sip_msg *msg)
{
	const struct sip_fail_ops *f = &p->cfg.fail;
	char user[128], ruri[300], hs[NET_ADDR_STRLEN];
	struct net_addr dst;
	struct net_pkt pkt;
	struct pl rp;
	struct rt r;

	if (!f->target || t->failed_over || t->cancelled || t->any_2xx ||
	    msg->mid != SIP_M_INVITE || pl_isset(&msg->to.tag) ||
	    !pl_isset(&msg->ruri.user) || msg->ruri.user.len >= 128)
		return ENOENT;
	pl_strcpy(&msg->ruri.user, user, sizeof(user));
	if (f->target(f->arg, user, p->domain, &dst))
		return ENOENT;
	memset(&pkt, 0, sizeof(pkt));
	pkt.from = t->peer;
	pkt.to = t->local;
	if (preprocess(p, &pkt, msg, &r))
		return EBADMSG;
	if ((r.secure || t->secure) && dst.tp != NET_TLS)
		return EPERM;
	net_addr_str(&dst, hs, sizeof(hs));
	snprintf(ruri, sizeof(ruri), "sip:%s@%s%s", user, hs,
		 dst.tp == NET_UDP ? "" : dst.tp == NET_TCP ?
		 ";transport=tcp" : ";transport=tls");
	rp = pl_from_str(ruri);
	t->failed_over = true;
	return forward(p, t, &pkt, msg, &r, &rp, &dst, 0);
}

void route_ring_arm(struct sip_proxy *p, struct tsx *t, const char *user)
{
	const struct sip_fail_ops *f = &p->cfg.fail;
	struct net_addr dst;

	if (!f->target || !f->ring_s || t->t_ring ||
	    f->target(f->arg, user, p->domain, &dst))
		return;
	if (tq_add(&p->tq, p->now + (uint64_t)f->ring_s * 1000000, TM_RING, t,
		   &t->t_ring))
		t->t_ring = TQ_NONE;
}

static int proxy_require(struct sip_proxy *p, struct sip_msg *msg,
			 struct tsx *t)
{
	struct sip_list_it it;
	struct sip_hdr_add un;
	struct pl e;
	char list[256];
	size_t n = 0;

	/* RFC 3261 16.3 5: we support no extension a proxy must know. */
	sip_list_begin(&it, msg, SIP_HDR_PROXY_REQUIRE);
	while (!sip_list_next(&it, &e) && n < sizeof(list))
		n += snprintf(list + n, sizeof(list) - n, "%s%.*s",
			      n ? ", " : "", PL_ARG(e));
	if (!n)
		return 0;
	un.name = "Unsupported";
	un.val = pl_from_mem(list, n < sizeof(list) ? n : sizeof(list) - 1);
	px_reply(p, t, msg, 420, NULL, &un, 1, NULL, NULL);
	return EPROTO;
}

/* RFC 3261 8.2.2.3 for requests we answer as a UAS. */
static int uas_require(struct sip_proxy *p, struct sip_msg *msg,
		       struct tsx *t)
{
	struct sip_list_it it;
	struct sip_hdr_add un;
	struct pl e;
	char list[256];
	size_t n = 0;

	sip_list_begin(&it, msg, SIP_HDR_REQUIRE);
	while (!sip_list_next(&it, &e) && n < sizeof(list))
		if (!pl_caseeq_str(&e, "path"))
			n += snprintf(list + n, sizeof(list) - n, "%s%.*s",
				      n ? ", " : "", PL_ARG(e));
	if (!n)
		return 0;
	un.name = "Unsupported";
	un.val = pl_from_mem(list, n < sizeof(list) ? n : sizeof(list) - 1);
	px_reply(p, t, msg, 420, NULL, &un, 1, NULL, NULL);
	return EPROTO;
}

/*
 * Initial requests for a static route's user prefix go to its server
 * (sip_static_route): same auth rule as for a local user, then forwarded
 * record-routed with the Request-URI kept, the call's CDR started here.
 * false: not such a request, route it as usual.
 */
static bool static_route(struct sip_proxy *p, const struct net_pkt *pkt,
			 struct sip_msg *msg, struct tsx *t,
			 const struct rt *r)
{
	const struct sip_static_route *sr = route_static(p, &msg->ruri.user);
	const char *why;
	uint16_t code;
	int err;

	if (!sr || pl_isset(&msg->to.tag) || msg->mid == SIP_M_REGISTER)
		return false;
	/* A REFER makes the server place calls as a trusted source: only
	 * our own (authenticated) users may ask for that. */
	if (msg->mid == SIP_M_REFER &&
	    !px_host_is_us(p, &msg->from.uri.host, 0)) {
		px_reply(p, t, msg, 403, "Referrer Not Local", NULL, 0, NULL,
			 NULL);
		return true;
	}
	if (p->cfg.auth && px_host_is_us(p, &msg->from.uri.host, 0) &&
	    !route_static_src(p, &pkt->from) && auth_check(p, pkt, msg, t))
		return true;
	if (!px_dst_allowed(p, &sr->dst)) {
		refuse(p, t, msg, pkt, EACCES);
		return true;
	}
	if (msg->mid == SIP_M_INVITE)
		t->call = cdr_call_start(p, pkt, msg);
	err = forward(p, t, pkt, msg, r, r->new_ruri, &sr->dst, 0);
	if (!err)
		return true;
	code = route_err_code(err, &why);
	if (t->call) {
		cdr_call_final(p, t->call, code, NULL, NULL);
		t->call = NULL;
	}
	route_err_reply(p, t, msg, code, why);
	return true;
}

/* An initial request pre-routed through us to another hop: only for our
 * own (authenticated) users, else we would be an open relay. */
static bool relay_ok(struct sip_proxy *p, const struct net_pkt *pkt,
		     struct sip_msg *msg, struct tsx *t)
{
	if (!px_host_is_us(p, &msg->from.uri.host, 0)) {
		if (msg->mid == SIP_M_INVITE)
			cdr_call_refused(p, pkt, msg, 403);
		px_reply(p, t, msg, 403, "Relaying Denied", NULL, 0, NULL,
			 NULL);
		return false;
	}
	/* Resumed after a name lookup: authenticated the first time. */
	return !p->cfg.auth || t->dns_resumed || !auth_check(p, pkt, msg, t);
}

void route_request(struct sip_proxy *p, const struct net_pkt *pkt,
		   struct sip_msg *msg, struct tsx *t)
{
	uint32_t mf;
	struct rt r;
	int err;

	if (msg->ruri.scheme != SIP_SCHEME_SIP &&
	    msg->ruri.scheme != SIP_SCHEME_SIPS) {
		px_reply(p, t, msg, 416, NULL, NULL, 0, NULL, NULL);
		return;
	}
	err = sip_msg_u32(msg, SIP_HDR_MAX_FORWARDS, &mf);
	if (err == EBADMSG) {
		px_reply(p, t, msg, 400, "Bad Max-Forwards", NULL, 0, NULL,
			 NULL);
		return;
	}
	if (!err && mf == 0) {
		px_reply(p, t, msg, 483, NULL, NULL, 0, NULL, NULL);
		return;
	}
	if (proxy_require(p, msg, t))
		return;
	if (msg->mid == SIP_M_BYE)
		if (!t->dns_resumed)
			cdr_bye(p, msg);
	if (is_loop(p, msg)) {
		px_reply(p, t, msg, 482, NULL, NULL, 0, NULL, NULL);
		return;
	}
	if (preprocess(p, pkt, msg, &r)) {
		px_reply(p, t, msg, 400, "Bad Route", NULL, 0, NULL, NULL);
		return;
	}
	t->secure = r.secure;
	if (r.nroute) {
		struct sip_addr a;

		if (sip_addr_decode(&a, &r.route[0])) {
			px_reply(p, t, msg, 400, "Bad Route", NULL, 0, NULL,
				 NULL);
			return;
		}
		if (!pl_isset(&msg->to.tag) && !relay_ok(p, pkt, msg, t))
			return;
		err = forward_uri(p, t, pkt, msg, &r, &a.uri);
		if (err)
			refuse(p, t, msg, pkt, err);
		return;
	}
	if (px_uri_is_us(p, &msg->ruri)) {
		if (static_route(p, pkt, msg, t, &r))
			return;
		if (uas_require(p, msg, t))
			return;
		route_local(p, pkt, msg, t);
		return;
	}
	if (r.popped && pl_isset(&msg->to.tag)) {
		/* In-dialog, loose-routed to the remote target (along its
		 * registration's flow when it has one: NAT). */
		struct net_addr dst;
		uint64_t conn = 0;

		err = route_uri_dst(p, &msg->ruri, r.secure, &dst);
		if (!err) {
			(void)reg_flow(p, &msg->ruri, &dst, &conn);
			err = forward(p, t, pkt, msg, &r, r.new_ruri, &dst,
				      conn);
			if (!err && !conn)
				dns_alt_keep(p, t);
		}
		if (err)
			refuse(p, t, msg, pkt, err);
		return;
	}
	if (msg->mid == SIP_M_INVITE && !pl_isset(&msg->to.tag))
		cdr_call_refused(p, pkt, msg, 403);
	px_reply(p, t, msg, 403, "Relaying Denied", NULL, 0, NULL, NULL);
}

void route_ack(struct sip_proxy *p, const struct net_pkt *pkt,
	       struct sip_msg *msg)
{
	struct sip_addr a;
	struct net_addr dst;
	const struct sip_uri *u = &msg->ruri;
	uint64_t conn = 0;
	struct rt r;

	if (preprocess(p, pkt, msg, &r))
		return;
	cdr_ack(p, msg);
	if (r.nroute) {
		if (sip_addr_decode(&a, &r.route[0]))
			return;
		u = &a.uri;
	} else if (px_uri_is_us(p, u) || !r.popped) {
		return;		/* nothing to forward to: absorbed */
	}
	if (route_uri_dst(p, u, r.secure, &dst))
		return;
	if (!r.nroute)
		(void)reg_flow(p, u, &dst, &conn);
	forward(p, NULL, pkt, msg, &r, r.new_ruri, &dst, conn);
}
