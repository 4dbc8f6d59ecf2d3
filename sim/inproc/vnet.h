/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-process driver: a virtual clock and an in-memory network that run
 * sans-IO cores (base/core.h) in one process, deterministically. Months of
 * retention take milliseconds: time only moves when vnet_run*() moves it.
 *
 * Addressing: each core claims local addresses (transport + ip + port; port
 * 0 claims every port of that ip, e.g. a media relay). A datagram or stream
 * send goes to the core that claims its destination, after the network
 * latency; nothing leaves the process. A send to an unclaimed address is
 * counted and dropped (as an ICMP-less network would).
 *
 * Streams (TCP, TLS): a send with conn_id 0 to a claimed stream address
 * opens a connection; each side sees its own conn_id. Bytes keep their
 * order; a NET_OUT_CLOSE delivers a NULL/0 chunk to the other side.
 *
 * Capture: every delivered datagram and stream chunk can be written to a
 * pcap (raw IPv4/IPv6 link type) with synthetic IP/UDP/TCP headers and
 * virtual timestamps, so the canary audit and `rtcbench replay` read
 * what crossed the virtual wire. A TLS connection runs real TLS between
 * its two ends (vnet_tls.c: OpenSSL over memory BIOs, the cores still
 * exchange plaintext), so the capture holds the genuine handshake and
 * records a sniffer would see, never the plaintext.
 */
#ifndef INPROC_VNET_H
#define INPROC_VNET_H

#include <stddef.h>
#include <stdint.h>
#include "base/core.h"

struct vnet;

struct vnet_stats {
	uint64_t delivered;	/* datagrams + stream chunks delivered */
	uint64_t dropped;	/* no core claims the destination, or loss */
	uint64_t bytes;
	uint64_t conns;		/* stream connections opened */
};

/* New network at virtual time start_us; seed drives loss. 0 or ENOMEM. */
int vnet_new(struct vnet **vp, uint64_t start_us, uint64_t seed);
/*
 * The same network simulated by ns-3 (sim/ns3/vnet_sim.c): every claimed
 * IP becomes an ns-3 node on an access link (one-way delay access_us,
 * jitter, loss, rate) to one router; cores keep seeing the addresses they
 * claimed. UDP only: a send on a stream transport is counted as dropped.
 * One simulated network per process at a time. ENOTSUP without ns-3.
 */
struct vnet_sim_opt {
	uint64_t access_us;	/* one-way delay of each access link */
	uint64_t jitter_us;
	double loss;		/* per access link and direction */
	uint64_t rate_bps;	/* 0: 1 Gb/s */
	const char *pcap_prefix;	/* ns-3 per-device captures, NULL: none */
};
int vnet_new_sim(struct vnet **vp, uint64_t start_us, uint64_t seed,
		 const struct vnet_sim_opt *opt);
void vnet_free(struct vnet *v);

/*
 * Attach a core claiming n local addresses; returns its index (>= 0) or
 * -EEXIST (an address already claimed) / -ENOMEM. The core stays owned
 * by the caller and must outlive the network.
 */
int vnet_attach(struct vnet *v, struct core_ref core,
		const struct net_addr *addrs, size_t n);
/* Claim one more address for core idx (e.g. a relay port range). */
int vnet_claim(struct vnet *v, int idx, const struct net_addr *addr);

/* One-way latency for every delivery (default 500 us) and loss
 * probability for datagrams (default 0). */
void vnet_set_latency(struct vnet *v, uint64_t latency_us);
void vnet_set_loss(struct vnet *v, double loss);

/*
 * Network conditions of one host (a scenario's `link` and `nat` lines):
 * every address of the host's IP gets them, on top of the base latency.
 * In-process: each datagram crossing the host's access link is delayed by
 * delay_us + a uniform draw in [0, jitter_us] + its serialisation time at
 * rate_bps, and lost with probability loss (per direction, from the
 * network's seeded rng); streams get the fixed delay only (their order and
 * reliability are TCP's). Under ns-3 the host gets an access link with
 * these figures. Set before the host's first claim. 0, ENOMEM, EBUSY
 * (under ns-3 the host exists already).
 */
struct vnet_host_opt {
	uint64_t delay_us, jitter_us, rate_bps;	/* rate 0: unlimited */
	double loss;
	int nat;		/* behind vnet_nat_add() index, -1: none */
	int lan;		/* sim: on shared LAN lan-1 with the router
				 * (ns-3 CSMA, these figures), 0: own link;
				 * 1..VNET_LAN_MAX, else EINVAL */
};
/* LANs one network holds (the sim driver's table). */
#define VNET_LAN_MAX 32
int vnet_host_set(struct vnet *v, const struct net_addr *ip,
		  const struct vnet_host_opt *o);
/*
 * A NAT box (sim/ns3/nat.h type name) whose public address is pub (port
 * ignored). Hosts behind it are unreachable from outside except through
 * its mappings; UDP only (streams pass untranslated). Index or -errno.
 */
int vnet_nat_add(struct vnet *v, const char *type, uint64_t timeout_us,
		 const struct net_addr *pub);
struct vnet_nat_stats {
	uint64_t out_pkts, in_pkts;	/* translated */
	uint64_t filtered;	/* a mapping exists, the filter refused */
	uint64_t unmapped;	/* to the public address, no mapping */
	uint64_t private_drop;	/* sent to an inside address from outside */
};
int vnet_nat_stats(const struct vnet *v, int nat, struct vnet_nat_stats *out);

/* Drain the output of core idx now: call after driving a core from
 * outside (a bench UA told to place a call). */
void vnet_kick(struct vnet *v, int idx);

uint64_t vnet_now(const struct vnet *v);
/*
 * Run deliveries and timers in time order up to until_us, then set the
 * clock to until_us. Bounded: at most max_events events (0: unbounded);
 * EOVERFLOW if the bound stopped it.
 */
int vnet_run_until(struct vnet *v, uint64_t until_us, uint64_t max_events);
/* Earliest pending event (delivery or core deadline), UINT64_MAX if none. */
uint64_t vnet_next(const struct vnet *v);

/* Start writing every delivery to a pcap file. 0 or errno. */
int vnet_capture_open(struct vnet *v, const char *path);
void vnet_capture_close(struct vnet *v);

void vnet_stats(const struct vnet *v, struct vnet_stats *out);

#endif
