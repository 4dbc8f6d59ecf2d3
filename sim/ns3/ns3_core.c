/* SPDX-License-Identifier: BSD-3-Clause */
/* The ns-3 driver for sans-IO cores: sockets in, sockets out, one timer. */
#include <errno.h>
#include <string.h>
#include "ns3/ns3_core.h"

static void on_timer(void *arg);

static int pick_sock(const struct ns3_core *nc, const struct net_addr *src)
{
	size_t i;
	uint16_t port = net_addr_port(src);

	for (i = 0; port && i < nc->nsocks; i++)
		if (net_addr_port(&nc->local[i]) == port)
			return nc->socks[i];
	return nc->socks[0];
}

void ns3_core_kick(struct ns3_core *nc)
{
	const struct core_ops *ops = nc->core.ops;
	struct net_out out;
	uint64_t d;

	while (ops->output(nc->core.core, &out) == 0) {
		if (out.kind != NET_OUT_SEND)
			continue;
		if (ns3_udp_send(pick_sock(nc, &out.src), &out.dst, out.data,
				 out.len))
			nc->dropped_out++;
		else
			nc->out_pkts++;
	}
	d = ops->deadline(nc->core.core);
	if (nc->ev && d == nc->ev_at)
		return;
	if (nc->ev)
		ns3_cancel(nc->ev);
	nc->ev = 0;
	if (d != UINT64_MAX) {
		nc->ev_at = d;
		nc->ev = ns3_schedule(d, on_timer, nc);
	}
}

static void on_timer(void *arg)
{
	struct ns3_core *nc = arg;

	nc->ev = 0;
	nc->core.ops->timeout(nc->core.core, ns3_now_us());
	ns3_core_kick(nc);
}

static void on_recv(void *arg, int sock, const struct net_addr *from,
		    const uint8_t *data, size_t len)
{
	struct ns3_core *nc = arg;
	struct net_pkt pkt;
	size_t i;

	memset(&pkt, 0, sizeof(pkt));
	pkt.from = *from;
	pkt.to = nc->local[0];
	for (i = 0; i < nc->nsocks; i++)
		if (nc->socks[i] == sock)
			pkt.to = nc->local[i];
	pkt.data = data;
	pkt.len = len;
	nc->in_pkts++;
	nc->core.ops->input(nc->core.core, ns3_now_us(), &pkt);
	ns3_core_kick(nc);
}

int ns3_core_attach(struct ns3_core *nc, struct core_ref core, int node,
		    const uint16_t *ports, size_t nports)
{
	size_t i;

	if (!core.ops || !nports || nports > NS3_CORE_MAX_SOCKS)
		return EINVAL;
	memset(nc, 0, sizeof(*nc));
	nc->core = core;
	nc->node = node;
	for (i = 0; i < nports; i++) {
		int s = ns3_udp_open(node, ports[i], on_recv, nc);
		if (s < 0)
			return -s;
		nc->socks[i] = s;
		if (ns3_udp_local(s, &nc->local[i]))
			return EINVAL;
		nc->nsocks++;
	}
	return 0;
}
