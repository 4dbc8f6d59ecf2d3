/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs one sans-IO core (base/core.h) on an ns-3 node: datagrams arriving
 * on the node's bound ports go to the core's input, its output goes out of
 * the matching socket, and its deadline becomes an ns-3 event. The core
 * runs unchanged: now_us is Simulator::Now().
 *
 * Known limit: UDP only; stream transports are not simulated yet.
 */
#ifndef NS3_NS3_CORE_H
#define NS3_NS3_CORE_H

#include <stddef.h>
#include <stdint.h>
#include "base/core.h"
#include "ns3/ns3.h"

#define NS3_CORE_MAX_SOCKS 8

struct ns3_core {
	struct core_ref core;
	int node;
	int socks[NS3_CORE_MAX_SOCKS];
	struct net_addr local[NS3_CORE_MAX_SOCKS];
	size_t nsocks;
	uint64_t ev;		/* pending timer event, 0 if none */
	uint64_t ev_at;
	uint64_t in_pkts, out_pkts, dropped_out;
};

/*
 * Attach core to node, bound to the UDP ports given (0: ephemeral). nc is
 * caller storage that must stay put until ns3_fini(). 0 or errno.
 */
int ns3_core_attach(struct ns3_core *nc, struct core_ref core, int node,
		    const uint16_t *ports, size_t nports);
/* Drain the core's output and re-arm its deadline: call after driving
 * the core from outside (e.g. a scenario step at time zero). */
void ns3_core_kick(struct ns3_core *nc);

#endif
