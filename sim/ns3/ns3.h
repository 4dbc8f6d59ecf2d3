/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ns-3 shim: a small C API over Debian's ns-3 3.37, so the bench can
 * run the platform's sans-IO cores and the bench user agents on simulated
 * nodes joined by links with delay, jitter, rate and loss.
 *
 * ns-3 keeps global state (one simulator per process, NS3-NOTES.md), so
 * this API is a process-wide singleton: ns3_init() ... ns3_run() ...
 * ns3_fini(), and again for the next run. Random streams are pinned from
 * the seed, so the same seed gives the same run.
 *
 * Addresses: link number k (from 0) gets the /30 at 10.0.0.0 + 4k; ask
 * ns3_link_addr() rather than computing them. LAN number k (from 0) gets
 * the /24 at 10.128.0.0 + 256k, members numbered from .1 in the order
 * given (ns3_lan_addr()). IPv4 only.
 *
 * Known limit: point-to-point channels have a fixed delay; jitter is added
 * as a random extra delay on each datagram a node sends, drawn from the
 * jitter of that node's first link (its access link), so a jittered link
 * should be a user's access link. Packets may then reorder, as on a real
 * jittery path.
 */
#ifndef NS3_NS3_H
#define NS3_NS3_H

#include <stddef.h>
#include <stdint.h>
#include "base/net.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ns3_link_opt {
	uint64_t delay_us;	/* one-way propagation delay */
	uint64_t jitter_us;	/* max extra random delay per datagram sent */
	uint64_t rate_bps;	/* 0: 1 Gb/s */
	double loss;		/* packet loss probability per direction */
	uint32_t queue_pkts;	/* device queue length, 0: ns-3's default */
};

struct ns3_stats {
	uint64_t sent;		/* datagrams handed to ns-3 by our sockets */
	uint64_t delivered;	/* datagrams delivered to our callbacks */
	uint64_t events;	/* our scheduled events that ran */
};

typedef void (ns3_recv_fn)(void *arg, int sock, const struct net_addr *from,
			   const uint8_t *data, size_t len);
typedef void (ns3_event_fn)(void *arg);

/* Start a fresh simulation (destroys any previous one). */
int ns3_init(uint64_t seed);
/* Destroy the simulation and every node, socket and event. */
void ns3_fini(void);

/* A node; returns its index (>= 0) or -ENOMEM. */
int ns3_node_add(void);
/*
 * Point-to-point link between nodes a and b; returns its index or a
 * negative errno (-EINVAL: bad node or option out of range).
 */
int ns3_link_add(int a, int b, const struct ns3_link_opt *opt);
/*
 * Shared LAN segment (ns-3 CSMA, Ethernet) joining nodes[0..n-1], 2 <= n
 * <= 254: delay and rate are the channel's; loss applies on each member's
 * receive side; jitter is the access jitter of members for which this is
 * the first link. Returns the LAN's index or -EINVAL.
 */
int ns3_lan_add(const int *nodes, size_t n, const struct ns3_link_opt *opt);
/*
 * Add node to a LAN (the next address of its /24, the LAN's options);
 * routes need ns3_routes_build() again. 0, EEXIST, ENOSPC (254 members
 * already) or EINVAL.
 */
int ns3_lan_join(int lan, int node);
/* Address of member i (index into the nodes given, then joins) of a LAN. */
int ns3_lan_addr(int lan, size_t i, struct net_addr *out);
/* Address of side 0 (node a) or 1 (node b) of a link. */
int ns3_link_addr(int link, int side, struct net_addr *out);
/* First address of a node (its first link's or LAN's), for binding and contacts. */
int ns3_node_addr(int node, struct net_addr *out);
/* Compute routes (global routing); call after the last link. */
int ns3_routes_build(void);
/* Write per-device captures PREFIX-<node>-<dev>.pcap: PPP link
 * type for point-to-point devices, Ethernet for LAN devices. Covers the
 * devices that exist and every link or LAN added afterwards. */
int ns3_pcap_enable(const char *prefix);

/*
 * Make node a NAT (sim/ns3/nat.h types: "full", "address", "port",
 * "symmetric"): its interface on outside_link is the public side, every
 * other interface inside. UDP only. Call after the links, before
 * ns3_routes_build(). 0 or EINVAL.
 */
int ns3_nat_add(int node, int outside_link, const char *type,
		uint64_t timeout_us);
struct ns3_nat_stats {
	uint64_t out_pkts, in_pkts, filtered, unmapped;
	uint64_t private_drop;	/* to an inside address, from outside */
};
int ns3_nat_stats(int node, struct ns3_nat_stats *out);

/* UDP socket on node at port (0: ephemeral); returns socket id or -errno. */
int ns3_udp_open(int node, uint16_t port, ns3_recv_fn *fn, void *arg);
/* Local address of a socket. */
int ns3_udp_local(int sock, struct net_addr *out);
/* Send now (plus the node's access-link jitter). 0 or errno. */
int ns3_udp_send(int sock, const struct net_addr *dst, const uint8_t *data,
		 size_t len);

/*
 * TCP. A connection is an id (>= 0) for one end: the dialled socket, or
 * one a listener accepted. fn gets its bytes in order, then data NULL
 * once when the peer closed or the connection failed (not after our own
 * ns3_tcp_close). Sends queue until the connection is up and the socket
 * takes them; a close waits for the queue. A dial to a port nobody
 * listens on fails only when its SYN retries run out (ns-3 sends no RST).
 */
typedef void (ns3_stream_fn)(void *arg, int conn, const uint8_t *data,
			     size_t len);
typedef void (ns3_accept_fn)(void *arg, int listener, int conn,
			     const struct net_addr *from);
/* Listen on node:port; accepted ends report to fn. Id or -errno. */
int ns3_tcp_listen(int node, uint16_t port, ns3_accept_fn *acc,
		   ns3_stream_fn *fn, void *arg);
/* Dial dst (an ns-3 address) from node. Id or -errno. */
int ns3_tcp_connect(int node, const struct net_addr *dst, ns3_stream_fn *fn,
		    void *arg);
/* Local port of a connection (known at once after connect). */
int ns3_tcp_local_port(int conn);
int ns3_tcp_send(int conn, const uint8_t *data, size_t len);
int ns3_tcp_close(int conn);

/* Run fn at absolute simulated time at_us (>= now); returns event id. */
uint64_t ns3_schedule(uint64_t at_us, ns3_event_fn *fn, void *arg);
void ns3_cancel(uint64_t ev);
uint64_t ns3_now_us(void);
/* Run until no event is left or end_us is reached. */
int ns3_run(uint64_t end_us);
void ns3_stats(struct ns3_stats *out);

#ifdef __cplusplus
}
#endif

#endif
