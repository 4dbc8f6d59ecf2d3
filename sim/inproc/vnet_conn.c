/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stream connections of the virtual network. Ids are global and never
 * reused, so a stale id simply finds nothing. Lookup is a binary search:
 * conns[] is appended in id order.
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "inproc/vnet_int.h"

struct vnet_conn *vnet_conn_any(struct vnet *v, uint64_t id)
{
	size_t lo = 0, hi = v->nconns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		struct vnet_conn *c = &v->conns[mid];
		if (id == c->id[0] || id == c->id[1])
			return c;
		if (id < c->id[0])
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct vnet_conn *vnet_conn_find(struct vnet *v, uint64_t id)
{
	size_t lo = 0, hi = v->nconns;

	/* Each conn holds two consecutive ids, id[0] odd... any order:
	 * search on the first id, then check the pair. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		struct vnet_conn *c = &v->conns[mid];
		if (id == c->id[0] || id == c->id[1])
			return c->open ? c : NULL;
		if (id < c->id[0])
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct vnet_conn *vnet_conn_open(struct vnet *v, int core,
				 const struct net_addr *src, int to,
				 const struct net_addr *dst)
{
	struct vnet_conn *c;
	size_t i;

	/* Reuse an open connection of this core to dst (RFC 3261 18.1.1
	 * wants one reused; so does MSRP). */
	for (i = v->nconns; i-- > 0;) {
		c = &v->conns[i];
		if (c->open && c->core[0] == core && c->addr[1].tp == dst->tp &&
		    net_addr_eq(&c->addr[1], dst))
			return c;
	}
	if (v->nconns == v->capconns) {
		size_t cap = v->capconns ? v->capconns * 2 : 64;
		c = mem_realloc(v->conns, cap * sizeof(*c));
		if (!c)
			return NULL;
		v->conns = c;
		v->capconns = cap;
	}
	c = &v->conns[v->nconns++];
	memset(c, 0, sizeof(*c));
	c->id[0] = v->next_conn++;
	c->id[1] = v->next_conn++;
	c->core[0] = core;
	c->core[1] = to;
	c->addr[0] = *src;
	c->addr[1] = *dst;
	c->seq[0] = (uint32_t)rng_u32(&v->rng);
	c->seq[1] = (uint32_t)rng_u32(&v->rng);
	c->open = 1;
	v->st.conns++;
	return c;
}

void vnet_conn_wire(struct vnet *v, struct vnet_conn *c, int s,
		    const uint8_t *data, size_t len)
{
	if (!len)
		return;
	vnet_capture_write(v, &c->addr[s], &c->addr[!s], &c->seq[s], 0, data,
			   len);
	if (vnet_deliver(v, c->core[!s], &c->addr[s], &c->addr[!s],
			 c->id[!s], data, len))
		v->st.dropped++;
}

/* A TLS connection carries the records of real TLS ends (vnet_tls.c). */
void vnet_conn_send(struct vnet *v, struct vnet_conn *c, uint64_t from_id,
		    const uint8_t *data, size_t len)
{
	int s = from_id == c->id[0] ? 0 : 1;
	struct buf w;

	if (!net_tp_is_secure(c->addr[1].tp)) {
		vnet_conn_wire(v, c, s, data, len);
		return;
	}
	buf_init(&w);
	if (vnet_tls_send(v, c, s, data, len, &w))
		v->st.dropped++;
	vnet_conn_wire(v, c, s, w.data, w.len);
	buf_fini(&w);
}

void vnet_conn_close(struct vnet *v, struct vnet_conn *c, uint64_t from_id)
{
	int s = from_id == c->id[0] ? 0 : 1;

	c->open = 0;
	if (vnet_deliver(v, c->core[!s], &c->addr[s], &c->addr[!s],
			 c->id[!s], NULL, 0))
		v->st.dropped++;
}
