/* SPDX-License-Identifier: BSD-3-Clause */
/* Private parts of the virtual network, shared by vnet*.c only. */
#ifndef INPROC_VNET_INT_H
#define INPROC_VNET_INT_H

#include <pcap/pcap.h>
#include "base/buf.h"
#include "base/rng.h"
#include "base/tq.h"
#include "inproc/vnet.h"
#include "ns3/nat.h"

struct vnet_claim {
	struct net_addr addr;
	int core;
	struct vnet_claim *next;
};

struct vnet_core {
	struct core_ref core;
	struct net_addr first;	/* first claimed address: default source */
	size_t naddr;
	uint32_t timer;		/* tq handle of its deadline, 0 if none */
	uint64_t deadline;
};

/* A delivery waiting in the heap; data follows the struct. */
struct vnet_dlv {
	int core;
	struct net_addr from, to;
	uint64_t conn_id;
	int closed;
	size_t len;
	uint8_t data[];
};

/* A stream connection; side 0 opened it. */
struct vnet_conn {
	uint64_t id[2];
	int core[2];
	struct net_addr addr[2];
	uint32_t seq[2];	/* synthetic TCP sequence for the capture */
	int open;
	/* under ns-3 (vnet_sim.c): each side's TCP socket id + 1, and the
	 * dialling socket's local port (to match the accepted end) */
	int ns[2];
	uint16_t ns_port0;
	struct vnet_tls *tls;	/* TLS transport: the two TLS ends */
};

/* A host with conditions (vnet_host_set); ip has port 0. */
struct vnet_host {
	struct net_addr ip;
	struct vnet_host_opt o;
};

struct vnet_natbox {
	struct nat nat;
	struct net_addr pub;	/* port 0 */
	uint64_t private_drop;
};

struct vnet {
	uint64_t now_us;
	uint64_t latency_us;
	double loss;
	struct rng rng;
	struct tq tq;
	struct vnet_core *cores;
	size_t ncores, capcores;
	struct vnet_claim **buckets;
	size_t nbuckets;
	struct vnet_conn *conns;
	size_t nconns, capconns;
	uint64_t next_conn;
	uint16_t next_eport;
	struct vnet_host *hosts;	/* with conditions, few */
	size_t nhosts;
	struct vnet_natbox *nats;
	size_t nnats;
	struct vnet_tls_ctx *tls;	/* contexts and certificate, lazily */
	struct vnet_sim *sim;	/* set: the network is ns-3 (sim/ns3) */
	pcap_t *pcap;
	pcap_dumper_t *dump;
	struct vnet_stats st;
};

int vnet_route(const struct vnet *v, const struct net_addr *dst);
void vnet_pick_src(struct vnet *v, int idx, const struct net_out *out,
		   struct net_addr *src);

/* vnet_topo.c: conditions and NATs of the in-process network. */
const struct vnet_host *vnet_host_find(const struct vnet *v,
				       const struct net_addr *a);
/*
 * A datagram from src to dst leaving now: apply NATs (src and dst may be
 * rewritten; wire_dst gets dst as it crossed the public side, for the
 * capture) and the hosts' loss; 0 to send with *extra_us of delay on top
 * of the base latency, ENOENT when the network drops it.
 */
int vnet_topo_datagram(struct vnet *v, struct net_addr *src,
		       struct net_addr *dst, struct net_addr *wire_dst,
		       size_t len, uint64_t *extra_us);
/* Fixed extra delay between two addresses (streams). */
uint64_t vnet_topo_delay(const struct vnet *v, const struct net_addr *a,
			 const struct net_addr *b);
void vnet_topo_free(struct vnet *v);
/* Under ns-3 (vnet_sim.c): the same two calls. */
int vnet_sim_host_set(struct vnet *v, const struct net_addr *ip,
		      const struct vnet_host_opt *o);
int vnet_sim_nat_add(struct vnet *v, int idx, const char *type,
		     uint64_t timeout_us, const struct net_addr *pub);
int vnet_sim_nat_stats(const struct vnet *v, int idx,
		       struct vnet_nat_stats *out);

/* sim/ns3/vnet_sim.c: the same network on ns-3 (built with ns-3 only). */
int vnet_sim_claim(struct vnet *v, int idx, const struct net_addr *addr);
void vnet_sim_kick(struct vnet *v, int idx);
int vnet_sim_run(struct vnet *v, uint64_t until_us, uint64_t max_events);
uint64_t vnet_sim_now(const struct vnet *v);
void vnet_sim_free(struct vnet *v);

int vnet_deliver(struct vnet *v, int to, const struct net_addr *from,
		 const struct net_addr *dst, uint64_t conn_id,
		 const uint8_t *data, size_t len);

struct vnet_conn *vnet_conn_find(struct vnet *v, uint64_t id);
struct vnet_conn *vnet_conn_open(struct vnet *v, int core,
				 const struct net_addr *src, int to,
				 const struct net_addr *dst);
void vnet_conn_send(struct vnet *v, struct vnet_conn *c, uint64_t from_id,
		    const uint8_t *data, size_t len);
void vnet_conn_close(struct vnet *v, struct vnet_conn *c, uint64_t from_id);

/*
 * vnet_tls.c: real TLS between the two ends of a TLS connection. send:
 * side's plaintext in, TLS records for the wire out. recv: records that
 * reached side in, plaintext for its core and records side must send back
 * (handshake) out. 0, ENOMEM, EIO, EPROTO (the TLS session failed).
 */
int vnet_tls_send(struct vnet *v, struct vnet_conn *c, int side,
		  const uint8_t *p, size_t n, struct buf *wire);
int vnet_tls_recv(struct vnet *v, struct vnet_conn *c, int side,
		  const uint8_t *w, size_t n, struct buf *plain,
		  struct buf *back);
void vnet_tls_conn_free(struct vnet_conn *c);
void vnet_tls_free(struct vnet *v);
/* A connection by either id, open or not (NULL: none). */
struct vnet_conn *vnet_conn_any(struct vnet *v, uint64_t id);
/* Deliver wire bytes from side `from` of c to the other side (capture
 * as they are). */
void vnet_conn_wire(struct vnet *v, struct vnet_conn *c, int from,
		    const uint8_t *data, size_t len);

/* tcp_seq NULL: a datagram. */
void vnet_capture_write(struct vnet *v, const struct net_addr *src,
			const struct net_addr *dst, uint32_t *tcp_seq,
			int secure, const uint8_t *data, size_t len);

#endif
