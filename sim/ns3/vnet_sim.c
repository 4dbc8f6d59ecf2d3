/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual network of sim/inproc carried by ns-3: cores, claims and
 * capture stay in struct vnet, but datagrams cross simulated links. Every
 * claimed IP is a host node with an access link to one router; a
 * datagram from 127.0.0.1:5060 to 127.0.0.10:5060 leaves host A's socket
 * for host B's ns-3 address and is handed back to the cores with the
 * claimed addresses, so no core ever sees an ns-3 address.
 *
 * Streams (TCP, TLS) ride ns-3 TCP connections between the hosts (TLS
 * bytes as the cores exchange them; the capture shows them as a sniffer
 * would, as in-process). Hosts join the topology when first claimed and
 * routes are recomputed then. Known limit: NATs translate UDP only.
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "inproc/vnet_int.h"
#include "ns3/ns3.h"

struct vs_host {
	struct net_addr ip;	/* claimed IP, port 0 */
	struct net_addr ns;	/* its ns-3 address, port 0 */
	int node;
};

struct vs_sock {
	int host;
	uint16_t port;
	int sock;
};

struct vs_nsconn {
	uint64_t vid;		/* vnet connection id, 0: none */
	int side;
};

struct vs_core {
	uint64_t ev, ev_at;
};

struct vnet_sim {
	struct vnet *v;
	struct vnet_sim_opt opt;
	int router;
	struct vs_host *hosts;
	size_t nhosts, caphosts;
	struct vs_sock *socks;	/* indexed by ns-3 socket id */
	size_t nsocks, capsocks;
	struct vs_core *cores;
	size_t ncores;
	struct vs_nsconn *nsc;	/* indexed by ns-3 TCP connection id */
	size_t nnsc;
	int *natnode;		/* vnet NAT index -> its ns-3 node */
	size_t nnat;
	int dirty;		/* hosts added since routes were built */
	int lan_ns[VNET_LAN_MAX];	/* LAN number-1 -> ns-3 LAN + 1 */
	uint64_t start_us;
};


static struct vnet_sim *g_sim;	/* ns-3 is one per process anyway */

int vnet_new_sim(struct vnet **vp, uint64_t start_us, uint64_t seed,
		 const struct vnet_sim_opt *opt)
{
	struct vnet_sim *s;
	struct vnet *v;
	int err;

	if (g_sim)
		return EBUSY;
	err = vnet_new(&v, start_us, seed);
	if (err)
		return err;
	s = mem_zalloc(sizeof(*s));
	if (!s) {
		vnet_free(v);
		return ENOMEM;
	}
	s->v = v;
	s->start_us = start_us;
	if (opt)
		s->opt = *opt;
	else
		s->opt.access_us = 250;
	ns3_init(seed);
	if (s->opt.pcap_prefix)
		ns3_pcap_enable(s->opt.pcap_prefix);
	s->opt.pcap_prefix = NULL;	/* the caller's string: not kept */
	s->router = ns3_node_add();
	v->sim = s;
	g_sim = s;
	*vp = v;
	return 0;
}

void vnet_sim_free(struct vnet *v)
{
	struct vnet_sim *s = v->sim;

	if (!s)
		return;
	ns3_fini();
	mem_free(s->hosts);
	mem_free(s->socks);
	mem_free(s->cores);
	mem_free(s->natnode);
	mem_free(s->nsc);
	mem_free(s);
	v->sim = NULL;
	g_sim = NULL;
}

uint64_t vnet_sim_now(const struct vnet *v)
{
	return v->sim->start_us + ns3_now_us();
}

static int host_find(const struct vnet_sim *s, const struct net_addr *a,
		     int by_ns)
{
	size_t i;

	for (i = 0; i < s->nhosts; i++)
		if (net_addr_host_eq(by_ns ? &s->hosts[i].ns : &s->hosts[i].ip,
				     a))
			return (int)i;
	return -1;
}

static int host_grow(struct vnet_sim *s)
{
	struct vs_host *h;

	if (s->nhosts < s->caphosts)
		return 0;
	h = mem_realloc(s->hosts, (s->caphosts ? s->caphosts * 2 : 16) *
			sizeof(*h));
	if (!h)
		return ENOMEM;
	s->hosts = h;
	s->caphosts = s->caphosts ? s->caphosts * 2 : 16;
	return 0;
}

/*
 * A host placed by vnet_host_set gets its own access link figures, and
 * hangs off its NAT node instead of the router when it is behind one.
 */
static int host_add(struct vnet_sim *s, const struct net_addr *ip)
{
	const struct vnet_host *vh = vnet_host_find(s->v, ip);
	struct ns3_link_opt lo;
	struct vs_host *h;
	struct net_addr h_ns;
	int node, link, up = s->router, lan = 0;

	if (net_addr_family(ip) != AF_INET)
		return -EAFNOSUPPORT;
	if (host_grow(s))
		return -ENOMEM;
	memset(&lo, 0, sizeof(lo));
	lo.delay_us = s->opt.access_us;
	lo.jitter_us = s->opt.jitter_us;
	lo.loss = s->opt.loss;
	lo.rate_bps = s->opt.rate_bps;
	if (vh) {
		lo.delay_us = vh->o.delay_us;
		lo.jitter_us = vh->o.jitter_us;
		lo.loss = vh->o.loss;
		lo.rate_bps = vh->o.rate_bps;
		if (vh->o.nat >= 0 && (size_t)vh->o.nat < s->nnat)
			up = s->natnode[vh->o.nat];
	}
	node = ns3_node_add();
	if (vh && vh->o.lan > 0 && vh->o.lan <= VNET_LAN_MAX) {
		/* a shared segment with the router (its first member) */
		int *ln = &s->lan_ns[vh->o.lan - 1], m[2] = { up, node };

		if (node < 0)
			return -EINVAL;
		/* a full segment (ENOSPC) says so up to the scenario step */
		if (*ln && (link = ns3_lan_join(*ln - 1, node)))
			return -link;
		if (!*ln && (link = ns3_lan_add(m, 2, &lo)) >= 0)
			*ln = link + 1;
		if (link < 0 || ns3_node_addr(node, &h_ns))
			return -EINVAL;
		lan = 1;
	} else {
		link = ns3_link_add(node, up, &lo);
	}
	if (node < 0 || link < 0)
		return -EINVAL;
	h = &s->hosts[s->nhosts];
	h->ip = *ip;
	net_addr_set_port(&h->ip, 0);
	h->ip.tp = NET_UDP;
	if (lan)
		h->ns = h_ns;
	else
		ns3_link_addr(link, 0, &h->ns);
	h->node = node;
	s->dirty = 1;
	return (int)s->nhosts++;
}

static void on_recv(void *arg, int sock, const struct net_addr *from,
		    const uint8_t *data, size_t len);

int vnet_sim_host_set(struct vnet *v, const struct net_addr *ip,
		      const struct vnet_host_opt *o)
{
	(void)o;
	/* its access link is made when it joins */
	return host_find(v->sim, ip, 0) >= 0 ? EBUSY : 0;
}

/*
 * A NAT node on a 1 ms link to the router; its public side is a host
 * entry, so datagrams from it reach the cores as from pub.
 */
int vnet_sim_nat_add(struct vnet *v, int idx, const char *type,
		     uint64_t timeout_us, const struct net_addr *pub)
{
	struct vnet_sim *s = v->sim;
	struct ns3_link_opt lo;
	struct vs_host *h;
	int node, link, *nn;

	if ((size_t)idx != s->nnat || host_grow(s))
		return idx < 0 ? EINVAL : ENOMEM;
	nn = mem_realloc(s->natnode, (s->nnat + 1) * sizeof(*nn));
	if (!nn)
		return ENOMEM;
	s->natnode = nn;
	memset(&lo, 0, sizeof(lo));
	lo.delay_us = 1000;
	node = ns3_node_add();
	link = ns3_link_add(node, s->router, &lo);
	if (node < 0 || link < 0 || ns3_nat_add(node, link, type, timeout_us))
		return EINVAL;
	nn[s->nnat++] = node;
	h = &s->hosts[s->nhosts++];
	h->ip = *pub;
	net_addr_set_port(&h->ip, 0);
	h->ip.tp = NET_UDP;
	ns3_link_addr(link, 0, &h->ns);
	h->node = node;
	s->dirty = 1;
	return 0;
}

int vnet_sim_nat_stats(const struct vnet *v, int idx,
		       struct vnet_nat_stats *out)
{
	const struct vnet_sim *s = v->sim;
	struct ns3_nat_stats ns;
	int rc;

	if (idx < 0 || (size_t)idx >= s->nnat)
		return EINVAL;
	rc = ns3_nat_stats(s->natnode[idx], &ns);
	if (rc)
		return rc;
	out->out_pkts = ns.out_pkts;
	out->in_pkts = ns.in_pkts;
	out->filtered = ns.filtered;
	out->unmapped = ns.unmapped;
	out->private_drop = ns.private_drop;
	return 0;
}

/* The ns-3 socket for (host, port), bound on first use. */
static int sock_get(struct vnet_sim *s, int host, uint16_t port)
{
	size_t i;
	int id;

	for (i = 0; i < s->nsocks; i++)
		if (s->socks[i].host == host && s->socks[i].port == port)
			return s->socks[i].sock;
	id = ns3_udp_open(s->hosts[host].node, port, on_recv, s);
	if (id < 0)
		return id;
	if ((size_t)id >= s->capsocks) {
		size_t cap = s->capsocks ? s->capsocks * 2 : 64;
		struct vs_sock *n;
		while (cap <= (size_t)id)
			cap *= 2;
		n = mem_realloc(s->socks, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->socks = n;
		s->capsocks = cap;
	}
	s->socks[id].host = host;
	s->socks[id].port = port;
	s->socks[id].sock = id;
	if ((size_t)id >= s->nsocks)
		s->nsocks = (size_t)id + 1;
	return id;
}

/* ---- streams over ns-3 TCP ------------------------------------------- */

/*
 * A vnet connection (vnet_conn: ids, cores, claimed addresses, capture
 * sequence numbers) carried by two ns-3 TCP sockets: side 0 dialled, side
 * 1 accepted by the listener of the claimed address. ns ids are stored
 * +1 (0: none yet).
 */
static void routes(struct vnet_sim *s);

static int nsc_set(struct vnet_sim *s, int ns, uint64_t vid, int side)
{
	if (ns < 0)
		return EINVAL;
	if ((size_t)ns >= s->nnsc) {
		size_t n = (size_t)ns + 64;
		struct vs_nsconn *m = mem_realloc(s->nsc, n * sizeof(*m));

		if (!m)
			return ENOMEM;
		memset(m + s->nnsc, 0, (n - s->nnsc) * sizeof(*m));
		s->nsc = m;
		s->nnsc = n;
	}
	s->nsc[ns].vid = vid;
	s->nsc[ns].side = side;
	return 0;
}

static void on_stream(void *arg, int ns, const uint8_t *data, size_t len)
{
	struct vnet_sim *s = arg;
	struct vnet *v = s->v;
	struct vnet_conn *c;
	struct vnet_core *vc;
	struct net_pkt pkt;
	int side, idx;

	if (ns < 0 || (size_t)ns >= s->nnsc || !s->nsc[ns].vid)
		return;
	c = vnet_conn_find(v, s->nsc[ns].vid);
	if (!c)
		return;
	side = s->nsc[ns].side;
	idx = c->core[side];
	memset(&pkt, 0, sizeof(pkt));
	pkt.from = c->addr[!side];
	pkt.to = c->addr[side];
	pkt.conn_id = c->id[side];
	pkt.data = data;
	pkt.len = data ? len : 0;
	v->now_us = vnet_sim_now(v);
	if (data) {
		vnet_capture_write(v, &pkt.from, &pkt.to, &c->seq[!side], 0,
				   data, len);
		v->st.delivered++;
		v->st.bytes += len;
		if (net_tp_is_secure(c->addr[1].tp)) {
			/* records: through this side's TLS end */
			struct buf plain, back;
			int rc;

			buf_init(&plain);
			buf_init(&back);
			rc = vnet_tls_recv(v, c, side, data, len, &plain,
					   &back);
			if (back.len)
				(void)ns3_tcp_send(c->ns[side] - 1, back.data,
						   back.len);
			if (!rc && plain.len) {
				pkt.data = plain.data;
				pkt.len = plain.len;
				vc = &v->cores[idx];
				vc->core.ops->input(vc->core.core, v->now_us,
						    &pkt);
				vnet_sim_kick(v, idx);
			}
			if (rc)
				v->st.dropped++;
			buf_fini(&plain);
			buf_fini(&back);
			return;
		}
	} else {
		c->open = 0;
		s->nsc[ns].vid = 0;
	}
	vc = &v->cores[idx];
	vc->core.ops->input(vc->core.core, v->now_us, &pkt);
	vnet_sim_kick(v, idx);
}

/* The listener of a claimed stream address accepted a connection: the
 * dialling side is the connection whose socket has that local port. */
static void on_accept(void *arg, int lid, int ns, const struct net_addr *from)
{
	struct vnet_sim *s = arg;
	struct vnet *v = s->v;
	size_t i;

	(void)lid;
	for (i = 0; i < v->nconns; i++) {
		struct vnet_conn *c = &v->conns[i];
		int h;

		if (!c->ns[0] || c->ns[1] || c->ns_port0 != net_addr_port(from))
			continue;
		h = host_find(s, &c->addr[0], 0);
		if (h < 0 || !net_addr_host_eq(&s->hosts[h].ns, from))
			continue;
		c->ns[1] = ns + 1;
		if (nsc_set(s, ns, c->id[1], 1))
			ns3_tcp_close(ns);
		return;
	}
	ns3_tcp_close(ns);	/* nobody of ours dialled it */
}

static int stream_listen(struct vnet_sim *s, int host, uint16_t port)
{
	int id = ns3_tcp_listen(s->hosts[host].node, port, on_accept,
				on_stream, s);

	return id < 0 ? -id : 0;
}

/* A core's stream output: dial (conn_id 0), send, or close. */
static void stream_out(struct vnet_sim *s, int idx, const struct net_out *out)
{
	struct vnet *v = s->v;
	struct vnet_conn *c;
	struct net_addr src, dst;
	int side = 0, to, sh, dh, ns;

	if (out->conn_id) {
		c = vnet_conn_find(v, out->conn_id);
		if (!c) {
			v->st.dropped++;
			return;
		}
		side = c->id[0] == out->conn_id ? 0 : 1;
	} else {
		to = vnet_route(v, &out->dst);
		if (to < 0 || out->kind == NET_OUT_CLOSE) {
			v->st.dropped++;
			return;
		}
		vnet_pick_src(v, idx, out, &src);
		c = vnet_conn_open(v, idx, &src, to, &out->dst);
		if (!c) {
			v->st.dropped++;
			return;
		}
		if (!c->ns[0]) {
			sh = host_find(s, &src, 0);
			dh = host_find(s, &out->dst, 0);
			if (sh < 0 || dh < 0) {
				c->open = 0;
				v->st.dropped++;
				return;
			}
			routes(s);
			dst = s->hosts[dh].ns;
			net_addr_set_port(&dst, net_addr_port(&out->dst));
			ns = ns3_tcp_connect(s->hosts[sh].node, &dst, on_stream,
					     s);
			if (ns < 0 || nsc_set(s, ns, c->id[0], 0)) {
				c->open = 0;
				v->st.dropped++;
				return;
			}
			c->ns[0] = ns + 1;
			c->ns_port0 = (uint16_t)ns3_tcp_local_port(ns);
		}
	}
	if (!c->ns[side]) {
		v->st.dropped++;
		return;
	}
	if (out->kind == NET_OUT_CLOSE) {
		ns3_tcp_close(c->ns[side] - 1);
		s->nsc[c->ns[side] - 1].vid = 0;
		c->open = 0;
		return;
	}
	if (net_tp_is_secure(c->addr[1].tp)) {
		struct buf w;

		buf_init(&w);
		if (vnet_tls_send(v, c, side, out->data, out->len, &w) ||
		    (w.len && ns3_tcp_send(c->ns[side] - 1, w.data, w.len)))
			v->st.dropped++;
		buf_fini(&w);
		return;
	}
	if (ns3_tcp_send(c->ns[side] - 1, out->data, out->len))
		v->st.dropped++;
}

int vnet_sim_claim(struct vnet *v, int idx, const struct net_addr *addr)
{
	struct vnet_sim *s = v->sim;
	int h;

	(void)idx;
	h = host_find(s, addr, 0);
	if (h < 0)
		h = host_add(s, addr);
	if (h < 0)
		return -h;
	if (!net_addr_port(addr))
		return 0;
	if (net_tp_is_stream(addr->tp))
		return stream_listen(s, h, net_addr_port(addr));
	{
		int id = sock_get(s, h, net_addr_port(addr));
		if (id < 0)
			return -id;
	}
	return 0;
}

static void routes(struct vnet_sim *s)
{
	if (s->dirty) {
		ns3_routes_build();
		s->dirty = 0;
	}
}

static void on_timer(void *arg);

static void rearm(struct vnet_sim *s, int idx)
{
	struct vnet_core *vc = &s->v->cores[idx];
	struct vs_core *sc;
	uint64_t d = vc->core.ops->deadline(vc->core.core);

	if ((size_t)idx >= s->ncores) {
		size_t n = (size_t)idx + 16;
		sc = mem_realloc(s->cores, n * sizeof(*sc));
		if (!sc)
			return;
		memset(sc + s->ncores, 0, (n - s->ncores) * sizeof(*sc));
		s->cores = sc;
		s->ncores = n;
	}
	sc = &s->cores[idx];
	if (sc->ev && sc->ev_at == d)
		return;
	if (sc->ev)
		ns3_cancel(sc->ev);
	sc->ev = 0;
	if (d == UINT64_MAX)
		return;
	sc->ev_at = d;
	sc->ev = ns3_schedule(d > s->start_us ? d - s->start_us : 0, on_timer,
			      (void *)(intptr_t)(idx + 1));
}

static void on_timer(void *arg)
{
	struct vnet_sim *s = g_sim;
	int idx = (int)(intptr_t)arg - 1;
	struct vnet_core *vc;

	if (!s || idx < 0 || (size_t)idx >= s->v->ncores)
		return;
	s->cores[idx].ev = 0;
	vc = &s->v->cores[idx];
	vc->core.ops->timeout(vc->core.core, vnet_sim_now(s->v));
	vnet_sim_kick(s->v, idx);
}

void vnet_sim_kick(struct vnet *v, int idx)
{
	struct vnet_sim *s = v->sim;
	struct vnet_core *vc = &v->cores[idx];
	struct net_out out;
	struct net_addr src, dst;
	int sh, dh, sock;

	routes(s);
	while (vc->core.ops->output(vc->core.core, &out) == 0) {
		if (out.kind == NET_OUT_CLOSE || out.conn_id ||
		    net_tp_is_stream(out.dst.tp)) {
			stream_out(s, idx, &out);
			vc = &v->cores[idx];
			continue;
		}
		vnet_pick_src(v, idx, &out, &src);
		sh = host_find(s, &src, 0);
		dh = host_find(s, &out.dst, 0);
		if (sh < 0 || dh < 0) {
			v->st.dropped++;
			continue;
		}
		sock = sock_get(s, sh, net_addr_port(&src));
		if (sock < 0) {
			v->st.dropped++;
			continue;
		}
		dst = s->hosts[dh].ns;
		net_addr_set_port(&dst, net_addr_port(&out.dst));
		if (ns3_udp_send(sock, &dst, out.data, out.len))
			v->st.dropped++;
		vc = &v->cores[idx];
	}
	rearm(s, idx);
}

static void on_recv(void *arg, int sock, const struct net_addr *from,
		    const uint8_t *data, size_t len)
{
	struct vnet_sim *s = arg;
	struct vnet *v = s->v;
	struct net_pkt pkt;
	struct vnet_core *vc;
	int fh = host_find(s, from, 1), idx;

	if (fh < 0 || (size_t)sock >= s->nsocks) {
		v->st.dropped++;
		return;
	}
	memset(&pkt, 0, sizeof(pkt));
	pkt.from = s->hosts[fh].ip;
	net_addr_set_port(&pkt.from, net_addr_port(from));
	pkt.to = s->hosts[s->socks[sock].host].ip;
	net_addr_set_port(&pkt.to, s->socks[sock].port);
	pkt.from.tp = pkt.to.tp = NET_UDP;
	idx = vnet_route(v, &pkt.to);
	if (idx < 0) {
		v->st.dropped++;
		return;
	}
	pkt.data = data;
	pkt.len = len;
	v->now_us = vnet_sim_now(v);
	vnet_capture_write(v, &pkt.from, &pkt.to, NULL, 0, data, len);
	v->st.delivered++;
	v->st.bytes += len;
	vc = &v->cores[idx];
	vc->core.ops->input(vc->core.core, v->now_us, &pkt);
	vnet_sim_kick(v, idx);
}

int vnet_sim_run(struct vnet *v, uint64_t until_us, uint64_t max_events)
{
	struct vnet_sim *s = v->sim;

	(void)max_events;	/* ns-3 runs to the stop time; it is bounded */
	routes(s);
	if (until_us > vnet_sim_now(v))
		ns3_run(until_us - s->start_us);
	v->now_us = until_us > v->now_us ? until_us : v->now_us;
	return 0;
}
