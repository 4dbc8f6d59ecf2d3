/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network conditions and NAT boxes of the in-process network (vnet.h
 * vnet_host_set / vnet_nat_add). The network stays flat underneath (every
 * claimed address is one hop away); what a topology changes is decided
 * per datagram at send time, from the sending and receiving hosts:
 *   - a host behind a NAT sending outside leaves from the NAT's public
 *     address and a mapped port (sim/ns3/nat.c, the same model ns-3 runs);
 *   - a datagram to a NAT's public address goes to the inside host its
 *     mapping names, or is dropped by the NAT's filter;
 *   - an inside address is unreachable from outside its NAT;
 *   - each host's access link adds its delay, jitter, serialisation time
 *     and loss (draws from the network's seeded rng: same seed, same run).
 * Hosts are few (the placed ones), so lookups are linear.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "base/mem.h"
#include "inproc/vnet_int.h"

const struct vnet_host *vnet_host_find(const struct vnet *v,
				       const struct net_addr *a)
{
	size_t i;

	for (i = 0; i < v->nhosts; i++)
		if (net_addr_host_eq(&v->hosts[i].ip, a))
			return &v->hosts[i];
	return NULL;
}

int vnet_host_set(struct vnet *v, const struct net_addr *ip,
		  const struct vnet_host_opt *o)
{
	struct vnet_host *h = (struct vnet_host *)vnet_host_find(v, ip);

	if (o->nat >= (int)v->nnats || o->lan < 0 || o->lan > VNET_LAN_MAX)
		return EINVAL;
#ifdef HAVE_NS3
	if (v->sim) {
		int rc = vnet_sim_host_set(v, ip, o);
		if (rc)
			return rc;
	}
#endif
	if (!h) {
		h = mem_realloc(v->hosts, (v->nhosts + 1) * sizeof(*h));
		if (!h)
			return ENOMEM;
		v->hosts = h;
		h = &h[v->nhosts++];
		h->ip = *ip;
		net_addr_set_port(&h->ip, 0);
	}
	h->o = *o;
	return 0;
}

int vnet_nat_add(struct vnet *v, const char *type, uint64_t timeout_us,
		 const struct net_addr *pub)
{
	struct vnet_natbox *nb;
	enum nat_type t;
	int idx;

	if (!type || nat_type_parse(type, &t) ||
	    net_addr_family(pub) != AF_INET)
		return -EINVAL;
	nb = mem_realloc(v->nats, (v->nnats + 1) * sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	v->nats = nb;
	idx = (int)v->nnats;
	nb = &nb[idx];
	memset(nb, 0, sizeof(*nb));
	nb->pub = *pub;
	net_addr_set_port(&nb->pub, 0);
	nat_init(&nb->nat, t, ntohl(pub->u.in.sin_addr.s_addr), timeout_us);
	v->nnats++;
#ifdef HAVE_NS3
	if (v->sim) {
		int rc = vnet_sim_nat_add(v, idx, type, timeout_us, pub);
		if (rc)
			return -rc;
	}
#endif
	return idx;
}

int vnet_nat_stats(const struct vnet *v, int nat, struct vnet_nat_stats *out)
{
	const struct nat *n;

	if (nat < 0 || (size_t)nat >= v->nnats)
		return EINVAL;
	memset(out, 0, sizeof(*out));
#ifdef HAVE_NS3
	if (v->sim)
		return vnet_sim_nat_stats(v, nat, out);
#endif
	n = &v->nats[nat].nat;
	out->out_pkts = n->out_pkts;
	out->in_pkts = n->in_pkts;
	out->filtered = n->filtered;
	out->unmapped = n->unmapped;
	out->private_drop = v->nats[nat].private_drop;
	return 0;
}

void vnet_topo_free(struct vnet *v)
{
	size_t i;

	for (i = 0; i < v->nnats; i++)
		nat_fini(&v->nats[i].nat);
	mem_free(v->nats);
	mem_free(v->hosts);
	v->nats = NULL;
	v->hosts = NULL;
	v->nnats = v->nhosts = 0;
}

static uint32_t ip4(const struct net_addr *a)
{
	return ntohl(a->u.in.sin_addr.s_addr);
}

static void set_ip4(struct net_addr *a, uint32_t ip, uint16_t port)
{
	a->u.in.sin_family = AF_INET;
	a->u.in.sin_addr.s_addr = htonl(ip);
	a->u.in.sin_port = htons(port);
}

/* One access link crossed: its delay, jitter and serialisation time. */
static uint64_t link_us(struct vnet *v, const struct vnet_host *h, size_t len,
			int jitter)
{
	uint64_t us;

	if (!h)
		return 0;
	us = h->o.delay_us;
	if (jitter && h->o.jitter_us)
		us += (uint64_t)(rng_unit(&v->rng) * (double)h->o.jitter_us);
	if (h->o.rate_bps)
		us += (uint64_t)len * 8 * 1000000 / h->o.rate_bps;
	return us;
}

uint64_t vnet_topo_delay(const struct vnet *v, const struct net_addr *a,
			 const struct net_addr *b)
{
	const struct vnet_host *ha = vnet_host_find(v, a);
	const struct vnet_host *hb = vnet_host_find(v, b);

	return (ha ? ha->o.delay_us : 0) + (hb ? hb->o.delay_us : 0);
}

int vnet_topo_datagram(struct vnet *v, struct net_addr *src,
		       struct net_addr *dst, struct net_addr *wire_dst,
		       size_t len, uint64_t *extra_us)
{
	const struct vnet_host *hs = vnet_host_find(v, src);
	const struct vnet_host *hd = vnet_host_find(v, dst);
	int via_nat = -1;
	size_t k;

	*extra_us = 0;
	*wire_dst = *dst;
	if (net_addr_family(src) != AF_INET || net_addr_family(dst) != AF_INET)
		return 0;
	/* leaving a NAT: the mapping decides the public source */
	if (hs && hs->o.nat >= 0 && !(hd && hd->o.nat == hs->o.nat)) {
		struct vnet_natbox *nb = &v->nats[hs->o.nat];
		uint16_t pp;

		if (nat_out(&nb->nat, v->now_us, ip4(src),
			    net_addr_port(src), ip4(dst), net_addr_port(dst),
			    &pp))
			return ENOENT;
		set_ip4(src, ip4(&nb->pub), pp);
	}
	*wire_dst = *dst;
	/* arriving at a NAT's public address: its mapping, or the filter */
	for (k = 0; k < v->nnats; k++) {
		struct vnet_natbox *nb = &v->nats[k];
		uint32_t in_ip;
		uint16_t in_port;

		if (!net_addr_host_eq(&nb->pub, dst))
			continue;
		if (nat_in(&nb->nat, v->now_us, net_addr_port(dst), ip4(src),
			   net_addr_port(src), &in_ip, &in_port))
			return ENOENT;
		set_ip4(dst, in_ip, in_port);
		hd = vnet_host_find(v, dst);
		via_nat = (int)k;
		break;
	}
	/* private space is not reachable from outside its NAT */
	if (hd && hd->o.nat >= 0 && via_nat != hd->o.nat &&
	    !(hs && hs->o.nat == hd->o.nat)) {
		v->nats[hd->o.nat].private_drop++;
		return ENOENT;
	}
	if (hs && hs->o.loss > 0 && rng_unit(&v->rng) < hs->o.loss)
		return ENOENT;
	if (hd && hd->o.loss > 0 && rng_unit(&v->rng) < hd->o.loss)
		return ENOENT;
	*extra_us = link_us(v, hs, len, 1) + link_us(v, hd, len, 1);
	return 0;
}
