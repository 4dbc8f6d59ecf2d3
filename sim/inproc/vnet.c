/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual network: one timer heap holds both pending deliveries and each
 * core's next deadline, so the run loop is "pop the earliest, hand it to
 * its core, drain the core's output into new deliveries, re-arm its
 * deadline". Address claims sit in a chained hash table.
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "base/rng.h"
#include "base/tq.h"
#include "inproc/vnet.h"
#include "inproc/vnet_int.h"

enum { EV_DELIVER = 1, EV_TIMER = 2 };

static uint32_t claim_hash(const struct net_addr *a)
{
	return net_addr_hash(a) * 31u + (uint32_t)a->tp;
}

static bool claim_eq(const struct net_addr *a, const struct net_addr *b)
{
	return a->tp == b->tp && net_addr_eq(a, b);
}

int vnet_new(struct vnet **vp, uint64_t start_us, uint64_t seed)
{
	struct vnet *v = mem_zalloc(sizeof(*v));

	if (!v)
		return ENOMEM;
	tq_init(&v->tq);
	rng_seed(&v->rng, seed);
	v->now_us = start_us;
	v->latency_us = 500;
	v->nbuckets = 1024;
	v->buckets = mem_zalloc(v->nbuckets * sizeof(*v->buckets));
	if (!v->buckets) {
		mem_free(v);
		return ENOMEM;
	}
	v->next_conn = 1;
	v->next_eport = 49152;
	*vp = v;
	return 0;
}

void vnet_free(struct vnet *v)
{
	struct tq_ent e;
	size_t i;

	if (!v)
		return;
	vnet_capture_close(v);
#ifdef HAVE_NS3
	vnet_sim_free(v);
#endif
	vnet_topo_free(v);
	while (tq_pop(&v->tq, UINT64_MAX, &e) == 0)
		if (e.kind == EV_DELIVER)
			mem_free(e.arg);
	tq_fini(&v->tq);
	for (i = 0; i < v->nbuckets; i++) {
		struct vnet_claim *c = v->buckets[i], *n;
		for (; c; c = n) {
			n = c->next;
			mem_free(c);
		}
	}
	mem_free(v->buckets);
	mem_free(v->cores);
	for (i = 0; i < v->nconns; i++)
		vnet_tls_conn_free(&v->conns[i]);
	vnet_tls_free(v);
	mem_free(v->conns);
	mem_free(v);
}

static struct vnet_claim *claim_find(const struct vnet *v,
				     const struct net_addr *a)
{
	struct vnet_claim *c = v->buckets[claim_hash(a) % v->nbuckets];

	for (; c; c = c->next)
		if (claim_eq(&c->addr, a))
			return c;
	return NULL;
}

/* Exact claim, else the ip's wildcard (port 0) claim. */
int vnet_route(const struct vnet *v, const struct net_addr *dst)
{
	struct vnet_claim *c = claim_find(v, dst);
	struct net_addr any;

	if (c)
		return c->core;
	any = *dst;
	net_addr_set_port(&any, 0);
	c = claim_find(v, &any);
	return c ? c->core : -1;
}

int vnet_claim(struct vnet *v, int idx, const struct net_addr *addr)
{
	struct vnet_claim *c;
	uint32_t b;

	if (idx < 0 || (size_t)idx >= v->ncores)
		return EINVAL;
	if (claim_find(v, addr))
		return EEXIST;
	c = mem_zalloc(sizeof(*c));
	if (!c)
		return ENOMEM;
	c->addr = *addr;
	c->core = idx;
	b = claim_hash(addr) % v->nbuckets;
	c->next = v->buckets[b];
	v->buckets[b] = c;
	if (!v->cores[idx].naddr++)
		v->cores[idx].first = *addr;
#ifdef HAVE_NS3
	if (v->sim)
		return vnet_sim_claim(v, idx, addr);
#endif
	return 0;
}

int vnet_attach(struct vnet *v, struct core_ref core,
		const struct net_addr *addrs, size_t n)
{
	struct vnet_core *vc;
	size_t i;
	int idx, err;

	for (i = 0; i < n; i++)
		if (claim_find(v, &addrs[i]))
			return -EEXIST;
	if (v->ncores == v->capcores) {
		size_t cap = v->capcores ? v->capcores * 2 : 16;
		vc = mem_realloc(v->cores, cap * sizeof(*vc));
		if (!vc)
			return -ENOMEM;
		v->cores = vc;
		v->capcores = cap;
	}
	idx = (int)v->ncores++;
	vc = &v->cores[idx];
	memset(vc, 0, sizeof(*vc));
	vc->core = core;
	vc->deadline = UINT64_MAX;
	for (i = 0; i < n; i++) {
		err = vnet_claim(v, idx, &addrs[i]);
		if (err)
			return -err;
	}
	return idx;
}

void vnet_set_latency(struct vnet *v, uint64_t latency_us)
{
	v->latency_us = latency_us;
}

void vnet_set_loss(struct vnet *v, double loss)
{
	v->loss = loss;
}

uint64_t vnet_now(const struct vnet *v)
{
#ifdef HAVE_NS3
	if (v->sim)
		return vnet_sim_now(v);
#endif
	return v->now_us;
}

uint64_t vnet_next(const struct vnet *v)
{
	return tq_deadline(&v->tq);
}

void vnet_stats(const struct vnet *v, struct vnet_stats *out)
{
	*out = v->st;
}

static void rearm(struct vnet *v, int idx)
{
	struct vnet_core *vc = &v->cores[idx];
	uint64_t d = vc->core.ops->deadline(vc->core.core);

	if (d == vc->deadline && vc->timer)
		return;
	if (vc->timer)
		tq_cancel(&v->tq, vc->timer);
	vc->timer = 0;
	vc->deadline = d;
	if (d != UINT64_MAX && tq_add(&v->tq, d < v->now_us ? v->now_us : d,
				      EV_TIMER, (void *)(intptr_t)idx,
				      &vc->timer))
		vc->timer = 0;
}

/* Source address for a send of core idx: out->src if complete, else its
 * first claimed address of that transport, with an ephemeral port. */
void vnet_pick_src(struct vnet *v, int idx, const struct net_out *out,
		   struct net_addr *src)
{
	const struct vnet_core *vc = &v->cores[idx];

	if (net_addr_family(&out->src) != 0 && net_addr_port(&out->src)) {
		*src = out->src;
		src->tp = out->dst.tp;
		return;
	}
	*src = net_addr_family(&out->src) ? out->src : vc->first;
	src->tp = out->dst.tp;
	if (!net_addr_port(src))
		net_addr_set_port(src, v->next_eport++);
	if (v->next_eport == 0)
		v->next_eport = 49152;
}

static int schedule(struct vnet *v, int to, const struct net_addr *from,
		    const struct net_addr *dst, uint64_t conn_id,
		    const uint8_t *data, size_t len, uint64_t extra_us)
{
	struct vnet_dlv *d = mem_alloc(sizeof(*d) + len);

	if (!d)
		return ENOMEM;
	d->core = to;
	d->from = *from;
	d->to = *dst;
	d->conn_id = conn_id;
	d->closed = data == NULL;
	d->len = len;
	if (len)
		memcpy(d->data, data, len);
	if (tq_add(&v->tq, v->now_us + v->latency_us + extra_us, EV_DELIVER,
		   d, NULL)) {
		mem_free(d);
		return ENOMEM;
	}
	return 0;
}

static void send_one(struct vnet *v, int idx, const struct net_out *out)
{
	struct net_addr src, dst, wire;
	struct vnet_conn *c;
	uint64_t extra = 0;
	int to;

	if (out->kind == NET_OUT_CLOSE || out->conn_id) {
		c = vnet_conn_find(v, out->conn_id);
		if (!c) {
			v->st.dropped++;
			return;
		}
		if (out->kind == NET_OUT_CLOSE) {
			vnet_conn_close(v, c, out->conn_id);
			return;
		}
		vnet_conn_send(v, c, out->conn_id, out->data, out->len);
		return;
	}
	dst = wire = out->dst;
	if (net_tp_is_stream(out->dst.tp)) {
		to = vnet_route(v, &dst);
		if (to < 0) {
			v->st.dropped++;
			return;
		}
		vnet_pick_src(v, idx, out, &src);
		c = vnet_conn_open(v, idx, &src, to, &out->dst);
		if (!c) {
			v->st.dropped++;
			return;
		}
		vnet_conn_send(v, c, c->id[0], out->data, out->len);
		return;
	}
	/* a topology (vnet_topo.c) may translate both ends first */
	if (v->nhosts || v->nnats) {
		vnet_pick_src(v, idx, out, &src);
		if (vnet_topo_datagram(v, &src, &dst, &wire, out->len,
				       &extra)) {
			v->st.dropped++;
			return;
		}
	}
	to = vnet_route(v, &dst);
	if (to < 0) {
		v->st.dropped++;
		return;
	}
	if (!v->nhosts && !v->nnats)
		vnet_pick_src(v, idx, out, &src);
	if (v->loss > 0 && rng_unit(&v->rng) < v->loss) {
		v->st.dropped++;
		return;
	}
	vnet_capture_write(v, &src, &wire, NULL, 0, out->data, out->len);
	if (schedule(v, to, &src, &dst, 0, out->data, out->len, extra))
		v->st.dropped++;
}

void vnet_kick(struct vnet *v, int idx)
{
	struct vnet_core *vc;
	struct net_out out;

	if (idx < 0 || (size_t)idx >= v->ncores)
		return;
#ifdef HAVE_NS3
	if (v->sim) {
		vnet_sim_kick(v, idx);
		return;
	}
#endif
	vc = &v->cores[idx];
	while (vc->core.ops->output(vc->core.core, &out) == 0) {
		send_one(v, idx, &out);
		vc = &v->cores[idx];	/* the table may have grown */
	}
	rearm(v, idx);
}

int vnet_deliver(struct vnet *v, int to, const struct net_addr *from,
		 const struct net_addr *dst, uint64_t conn_id,
		 const uint8_t *data, size_t len)
{
	return schedule(v, to, from, dst, conn_id, data, len,
			v->nhosts ? vnet_topo_delay(v, from, dst) : 0);
}

/*
 * Records arriving on a TLS connection go through its receiving TLS end:
 * 1 when nothing is left for the core (handshake only, or the connection
 * is gone), 0 with the plaintext in plain (or a close: d->closed).
 */
static int tls_in(struct vnet *v, struct vnet_dlv *d, struct buf *plain)
{
	struct vnet_conn *c;
	struct buf back;
	int side, rc;

	if (!d->conn_id || d->closed || !net_tp_is_secure(d->to.tp))
		return 0;
	c = vnet_conn_any(v, d->conn_id);
	if (!c || !c->open)
		return 1;
	side = c->id[0] == d->conn_id ? 0 : 1;
	buf_init(&back);
	rc = vnet_tls_recv(v, c, side, d->data, d->len, plain, &back);
	vnet_conn_wire(v, c, side, back.data, back.len);
	buf_fini(&back);
	if (rc)
		v->st.dropped++;
	return rc || !plain->len;
}

int vnet_run_until(struct vnet *v, uint64_t until_us, uint64_t max_events)
{
	uint64_t n = 0;
	struct tq_ent e;

#ifdef HAVE_NS3
	if (v->sim)
		return vnet_sim_run(v, until_us, max_events);
#endif
	while (tq_pop(&v->tq, until_us, &e) == 0) {
		if (e.deadline_us > v->now_us)
			v->now_us = e.deadline_us;
		if (e.kind == EV_DELIVER) {
			struct vnet_dlv *d = e.arg;
			int idx = d->core;
			struct net_pkt pkt;
			struct vnet_core *vc = &v->cores[d->core];
			struct buf plain;

			buf_init(&plain);
			if (tls_in(v, d, &plain)) {
				/* records only (handshake), or a dead conn */
				buf_fini(&plain);
				mem_free(d);
				goto next;
			}
			memset(&pkt, 0, sizeof(pkt));
			pkt.from = d->from;
			pkt.to = d->to;
			pkt.conn_id = d->conn_id;
			pkt.data = d->closed ? NULL : plain.len ? plain.data :
				   d->data;
			pkt.len = plain.len ? plain.len : d->len;
			v->st.delivered++;
			v->st.bytes += d->len;
			vc->core.ops->input(vc->core.core, v->now_us, &pkt);
			/* after the kick: a relay's output points into
			 * the input it forwards (rtp.h, zero-copy) */
			vnet_kick(v, idx);
			mem_free(d);
			buf_fini(&plain);
		} else {
			int idx = (int)(intptr_t)e.arg;
			struct vnet_core *vc = &v->cores[idx];
			vc->timer = 0;
			vc->deadline = UINT64_MAX;
			vc->core.ops->timeout(vc->core.core, v->now_us);
			vnet_kick(v, idx);
		}
next:
		if (max_events && ++n >= max_events)
			return EOVERFLOW;
	}
	if (until_us > v->now_us)
		v->now_us = until_us;
	return 0;
}

#ifndef HAVE_NS3
int vnet_new_sim(struct vnet **vp, uint64_t start_us, uint64_t seed,
		 const struct vnet_sim_opt *opt)
{
	(void)vp;
	(void)start_us;
	(void)seed;
	(void)opt;
	return ENOTSUP;
}
#endif
