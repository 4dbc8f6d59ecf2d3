/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the trace dissector, shared by the files of
 * sim/replay/: the hash tables with an LRU list (every table that grows
 * with traffic is one of these, so idle entries can be dropped oldest
 * first and memory stays bounded by what is open), the layer entry points
 * and the per-flow structures.
 */
#ifndef REPLAY_RPL_INT_H
#define REPLAY_RPL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "replay/replay.h"
#include "sdp/sdp.h"

/* Entry header embedded first in every table entry. */
struct rpl_ent {
	struct rpl_ent *hnext;		/* bucket chain */
	struct rpl_ent *prev, *next;	/* LRU list, oldest first */
	uint32_t hash;
	uint64_t last_us;
};

struct rpl_tab {
	struct rpl_ent **b;
	size_t nb, n;
	struct rpl_ent lru;		/* sentinel */
};

void rpl_tab_init(struct rpl_tab *t);
/* Frees the buckets only: the owner frees its entries first. */
void rpl_tab_fini(struct rpl_tab *t);
/* Insert e (not yet in a table). ENOMEM only when the first bucket array
 * cannot be made; growing is best effort. */
int rpl_tab_add(struct rpl_tab *t, struct rpl_ent *e, uint32_t hash,
		uint64_t now_us);
void rpl_tab_del(struct rpl_tab *t, struct rpl_ent *e);
/* Mark e used at now_us: it moves to the young end of the LRU list. */
void rpl_tab_touch(struct rpl_tab *t, struct rpl_ent *e, uint64_t now_us);
/* First entry of hash's bucket; walk ->hnext and compare ->hash. */
struct rpl_ent *rpl_tab_bucket(const struct rpl_tab *t, uint32_t hash);
/* Least recently used entry, NULL if empty. */
struct rpl_ent *rpl_tab_oldest(const struct rpl_tab *t);

uint32_t rpl_hash(const void *p, size_t n, uint32_t h);
#define RPL_HASH_INIT 2166136261u

/* --- IP fragments ------------------------------------------------------ */
struct rpl_frag;

/* --- TCP --------------------------------------------------------------- */
enum rpl_smode {
	RPL_S_UNKNOWN = 0,	/* nothing seen yet: classify first bytes */
	RPL_S_SIP,
	RPL_S_HTTP,		/* HTTP headers before a WebSocket upgrade */
	RPL_S_WS,
	RPL_S_TLS,
	RPL_S_MSRP,
	RPL_S_OTHER,		/* not ours: bytes dropped */
};

struct rpl_seg {
	struct rpl_seg *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

/* One direction of a TCP connection. */
struct rpl_half {
	struct rpl_ep src, dst;
	bool seq_init;
	bool fin;
	uint32_t next_seq;
	struct buf pend;	/* in-order bytes not framed yet */
	struct rpl_seg *ooo;	/* out-of-order segments, by seq */
	size_t ooo_bytes;
	enum rpl_smode mode;
	struct buf wsmsg;	/* WebSocket message being assembled */
	bool sip_seen;		/* carried SIP once: lost bytes matter */
	size_t unknown_bytes;	/* scanned without finding a start */
	uint32_t tls_left;	/* bytes of the current TLS record to skip */
};

struct rpl_conn {
	struct rpl_ent ent;
	struct rpl_ep a, b;	/* a = the side that sent first */
	struct rpl_half h[2];	/* h[0]: a -> b */
	bool ws_upgrade;	/* a request asked for websocket */
	bool msrp_counted;
	bool tls_counted;
};

/* --- SCTP -------------------------------------------------------------- */
struct rpl_sctpmsg {
	struct rpl_ent ent;
	struct rpl_ep src, dst;
	uint16_t sid;
	uint32_t next_tsn;
	struct buf data;
};

/* --- media (SDP-announced endpoints and RTP streams) -------------------- */
struct rpl_call;

enum rpl_mkind {
	RPL_M_RTP = 0,
	RPL_M_UDPTL,		/* T.38 fax: known, not RTP */
	RPL_M_MSRP,
	RPL_M_OTHER,
};

struct rpl_mep {
	struct rpl_ent ent;
	struct rpl_ep ep;
	enum rpl_mkind kind;
	bool srtp;
	struct rpl_call *call;	/* NULL once the call is gone */
};

struct rpl_rtp {
	struct rpl_ent ent;
	struct rpl_ep src, dst;
	uint32_t ssrc;
	uint16_t last_seq;
	uint8_t run;		/* consecutive in-sequence packets */
	bool confirmed;		/* counted as a stream */
	bool sdp;		/* on an SDP-announced endpoint */
	uint32_t pending;	/* packets seen before confirmation */
	bool srtp;
	uint64_t pkts;
	uint64_t first_us;
	uint8_t pt_seen[16];	/* bitmap of payload types */
};

/* --- SIP model --------------------------------------------------------- */
#define RPL_CALL_MEPS 8

struct rpl_call {
	struct rpl_ent ent;
	char *call_id;		/* these strings share one allocation */
	char *from_tag;
	char *caller, *callee;
	uint32_t init_cseq;	/* CSeq of the latest To-tag-less INVITE */
	uint64_t start_us, answer_us, end_us, final_us;
	uint64_t done_us;	/* BYE answered or call failed: linger */
	uint16_t status;
	bool bye;
	struct rpl_ep sig_src, sig_dst;
	struct rpl_ep media[2];
	bool srtp;
	uint32_t media_pkts;
	struct rpl_mep *mep[RPL_CALL_MEPS];
	size_t nmep;
};

struct rpl_ua {
	struct rpl_ent ent;
	char *aor;
	bool registered;	/* got a 2xx to REGISTER */
	bool registering;	/* sent REGISTER */
	uint64_t requests;
};

/* --- MSRP (rpl_msrp.c) --------------------------------------------------- */
#define RPL_MSRP_KEY 160

/* An endpoint URI an SDP a=path announced (its last URI). */
struct rpl_mpath {
	struct rpl_ent ent;
	char key[RPL_MSRP_KEY];		/* normalised URI */
	char call_id[128];
};

struct rpl_msess {
	struct rpl_ent ent;
	char key[2][RPL_MSRP_KEY];	/* normalised ends, key[0] < key[1] */
	char *uri[2];			/* as first seen; uri[0] sent first */
	uint8_t ord;			/* key[ord] is uri[0]'s */
	char call_id[128];
	char ctypes[128];
	uint64_t first_us;
	uint64_t sends[2], messages[2], bytes[2];
	uint64_t chunked, reports, hops;
};

struct rpl_seen {
	struct rpl_ent ent;
	uint64_t h64;
};

struct rpl {
	struct rpl_cfg cfg;
	struct rpl_stats st;
	uint64_t now_us;
	uint64_t last_sweep_us;
	struct rpl_tab frags;	/* struct rpl_frag */
	struct rpl_tab conns;	/* struct rpl_conn */
	struct rpl_tab sctp;	/* struct rpl_sctpmsg */
	struct rpl_tab meps;	/* struct rpl_mep */
	struct rpl_tab rtps;	/* struct rpl_rtp */
	struct rpl_tab calls;	/* struct rpl_call */
	struct rpl_tab uas;	/* struct rpl_ua */
	struct rpl_tab seen;	/* struct rpl_seen: retransmission filter */
	struct rpl_tab mpaths;	/* struct rpl_mpath */
	struct rpl_tab msess;	/* struct rpl_msess */
	struct rpl_tab mseen;	/* struct rpl_seen: MSRP chunks per hop */
	struct buf mbody;	/* content of the MSRP request in hand */
	int depth;		/* tunnel nesting */
	struct buf scratch;	/* unmasked WebSocket payload */
	struct sip_msg msg;
	struct sdp_session sdp;
};

/* Layers, top to bottom. Each takes what the one below found. */
void rpl_link_input(struct rpl *r, int dlt, const uint8_t *p, size_t n);
void rpl_ether_input(struct rpl *r, uint16_t etype, const uint8_t *p,
		     size_t n);
void rpl_ip_input(struct rpl *r, const uint8_t *p, size_t n);
void rpl_l4_input(struct rpl *r, uint8_t proto, const struct rpl_ep *src,
		  const struct rpl_ep *dst, const uint8_t *p, size_t n);
void rpl_tcp_input(struct rpl *r, const struct rpl_ep *src,
		   const struct rpl_ep *dst, const uint8_t *p, size_t n);
void rpl_sctp_input(struct rpl *r, const struct rpl_ep *src,
		    const struct rpl_ep *dst, const uint8_t *p, size_t n);
/* Frame and dissect in-order stream bytes; returns bytes consumed. */
size_t rpl_stream_input(struct rpl *r, struct rpl_conn *c, int dir,
			const uint8_t *p, size_t n);
/* One application message (datagram-like). */
void rpl_app_input(struct rpl *r, const struct rpl_pdu *pdu);
void rpl_sip_input(struct rpl *r, const struct rpl_pdu *pdu);
/* RTP/RTCP test and accounting; true when the datagram was media. */
bool rpl_media_input(struct rpl *r, const struct rpl_pdu *pdu);
void rpl_msrp_input(struct rpl *r, const struct rpl_pdu *pdu);
/* An SDP a=path value of call: its last URI is an MSRP endpoint. */
void rpl_msrp_sdp_path(struct rpl *r, const struct rpl_call *call,
		       const struct pl *path);
void rpl_msrp_init(struct rpl *r);
void rpl_msrp_sweep(struct rpl *r, uint64_t older_than_us);
void rpl_msrp_free_all(struct rpl *r, bool report);
void rpl_msrp_fini(struct rpl *r);

/* SDP of a call: remember its media endpoints. */
void rpl_media_sdp(struct rpl *r, struct rpl_call *call, int side,
		   const struct pl *sdp);
void rpl_media_call_gone(struct rpl *r, struct rpl_call *call);

/* Housekeeping driven by capture time. */
void rpl_frag_sweep(struct rpl *r, uint64_t older_than_us);
void rpl_frag_free_all(struct rpl *r);
void rpl_tcp_sweep(struct rpl *r, uint64_t older_than_us);
void rpl_tcp_free_all(struct rpl *r, bool flush);
void rpl_sctp_free_all(struct rpl *r);
void rpl_media_sweep(struct rpl *r, uint64_t older_than_us);
void rpl_media_free_all(struct rpl *r);
void rpl_sip_sweep(struct rpl *r, uint64_t now_us, bool all);
void rpl_sip_free_all(struct rpl *r);

/* Shared helpers. */
bool rpl_looks_sip(const uint8_t *p, size_t n);
const char *rpl_find(const struct pl *hay, const char *needle);
static inline uint16_t rpl_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t rpl_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

#endif
