/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP media relay (P12): a sans-IO core that owns a port range, rewrites
 * SDP offers and answers to its own ports, latches each side's real source
 * address from its first packet (clients behind NAT) and forwards every
 * datagram byte for byte. SRTP, zRTP, DTLS and STUN pass unchanged: the
 * relay reads only the first byte (RFC 7983 demultiplexing) and, for plain
 * RTP/RTCP, the fixed RTP header and RTCP report blocks, for statistics.
 * It never stores, copies or logs payload bytes.
 *
 * Also here: the RTP/RTCP header helpers, the bencode codec and the
 * rtpengine "ng" control protocol core that drives the same relay.
 *
 * Driving the relay (live driver, in-process network, benchmarks):
 *  1. rtp_relay_new() with a port range; the relay opens no socket itself.
 *  2. After every call into the relay (offer, answer, delete, timeout),
 *     drain rtp_relay_sock_event(): RTP_SOCK_OPEN says "bind a UDP socket
 *     on ev.local", RTP_SOCK_CLOSE "close it". Only open ports ever get
 *     packets, so a flood to an unallocated port costs the relay nothing.
 *  3. For every datagram received on such a socket call rtp_relay_input()
 *     (pkt.to = the socket's local address), then drain rtp_relay_output():
 *     each NET_OUT_SEND is sent from out.src (one of the open sockets) to
 *     out.dst. Forwarding is zero-copy: out.data points into the pkt.data
 *     of the input it came from, so keep that receive buffer until the
 *     output is drained. At most RTP_OUTQ_LEN outputs wait; inputs beyond
 *     that are dropped and counted (drain after each batch).
 *  4. Call rtp_relay_timeout() when rtp_relay_deadline() is due: calls
 *     without media for 90 s (7200 s on hold) end there.
 */
#ifndef RTP_RTP_H
#define RTP_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/pl.h"
#include "base/buf.h"
#include "base/net.h"
#include "base/log.h"
#include "base/cfg.h"
#include "base/core.h"

/* ---- packet helpers (rtp_pkt.c) ---------------------------------------- */

/* RFC 7983 first-byte demultiplexing, plus RTCP by payload type. */
enum rtp_kind {
	RTP_KIND_RTP = 0,
	RTP_KIND_RTCP,
	RTP_KIND_STUN,
	RTP_KIND_ZRTP,
	RTP_KIND_DTLS,
	RTP_KIND_TURN,
	RTP_KIND_OTHER,
	RTP_KIND_COUNT,
};

enum rtp_kind rtp_pkt_kind(const uint8_t *p, size_t len);
const char *rtp_kind_name(enum rtp_kind k);

#define RTP_HDR_LEN 12	/* fixed header: no CSRC, no extension */

struct rtp_hdr {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	size_t hdr_len;		/* fixed header + CSRCs + extension */
	size_t pad_len;		/* P bit set: the last octet (not checked
				 * against the payload length); else 0 */
};

/* Decode the RTP header only (RFC 3550 5.1). EBADMSG. */
int rtp_hdr_decode(const uint8_t *p, size_t len, struct rtp_hdr *h);

/*
 * Write the RTP_HDR_LEN bytes of a fixed header with h's pt, marker, seq,
 * ts and ssrc (V=2, no padding, extension or CSRC) to p; h->hdr_len and
 * h->pad_len are not read. Every sender in the tree builds its packets
 * with this, so all of them agree on the layout.
 */
void rtp_hdr_encode(uint8_t *p, const struct rtp_hdr *h);

/* One reception report block (RFC 3550 6.4.1) found in an SR or RR. */
struct rtcp_rr {
	uint32_t ssrc;		/* the source reported on */
	uint8_t fraction_lost;	/* /256 */
	int32_t cum_lost;	/* 24-bit signed */
	uint32_t ext_seq;
	uint32_t jitter;	/* timestamp units */
};

/*
 * The first report block of the first SR/RR of a compound RTCP packet.
 * ENOENT when there is none, EBADMSG when the packet is malformed.
 */
int rtcp_rr_first(const uint8_t *p, size_t len, struct rtcp_rr *rr);

/* ---- relay (rtp_relay.c) ----------------------------------------------- */

#define RTP_MAX_STREAMS 8	/* m-lines relayed per call */
#define RTP_OUTQ_LEN 256
#define RTP_TAG_MAX 128
#define RTP_CALLID_MAX 256

struct rtp_relay_cfg {
	struct net_addr addr;	/* relay address put into SDP (port unused) */
	uint16_t port_min;	/* inclusive; rounded up to even */
	uint16_t port_max;	/* inclusive */
	uint32_t max_calls;	/* 0: one per 4 ports */
	uint64_t timeout_us;	/* without media; 0: 90 s */
	uint64_t hold_timeout_us; /* when on hold; 0: 7200 s */
	const struct log *log;	/* NULL: silent */
};

/*
 * [media] address and ports ("40000-40999") into out, with the defaults
 * above. Absent section: ENOENT. Bad value: EINVAL, c->err names file, line
 * and key.
 */
int rtp_relay_cfg_load(struct cfg *c, struct rtp_relay_cfg *out);

struct rtp_relay;

/* Statistics of what one side sent to the relay. */
struct rtp_side_stats {
	uint64_t packets, bytes;
	uint64_t kind[RTP_KIND_COUNT];	/* by RFC 7983 class */
	uint64_t rtcp_bytes;	/* of which RTCP */
	uint64_t dropped;	/* no destination known yet, or queue full */
	uint64_t last_packet_us; /* 0: none yet */
	uint32_t ssrc;
	uint32_t lost;		/* RFC 3550 A.3, from sequence numbers */
	uint32_t jitter_us;	/* RFC 3550 A.8, from RTP timestamps */
	bool rtcp_seen;		/* a report block about this side's media */
	uint32_t rtcp_lost;	/* cumulative lost, as the other side said */
	uint32_t rtcp_jitter_us;
	struct net_addr peer;	/* latched source (port 0: none yet) */
	struct net_addr peer_rtcp; /* latched RTCP source (port+1 path) */
	uint16_t local_port;	/* relay port this side sends RTP to */
};

struct rtp_stream_stats {
	struct pl media;	/* "audio"; valid until the call changes */
	struct rtp_side_stats side[2];	/* 0: offerer (from-tag), 1: answerer */
};

struct rtp_call_stats {
	uint64_t created_us, last_media_us, last_signal_us;
	struct pl tag[2];	/* From tag of side 0, side 1 (may be empty);
				 * valid until the call changes */
	size_t stream_cnt;
	struct rtp_stream_stats stream[RTP_MAX_STREAMS];
};

struct rtp_opts {
	bool strip_ice;		/* drop ICE attributes (we are not an agent) */
	bool replace_origin;	/* o= address too */
	struct net_addr media_from; /* port 0 family 0: use SDP addresses;
				     * else expect media from this host */
};

/* Called when a call ends by inactivity timeout (not on delete). */
typedef void (rtp_end_fn)(void *arg, const struct pl *call_id,
			  const struct rtp_call_stats *st);

/* Allocate a relay; EINVAL for a bad range, ENOMEM. */
int rtp_relay_new(struct rtp_relay **rp, const struct rtp_relay_cfg *cfg);
/* Free the relay and every call (no socket events are emitted). */
void rtp_relay_free(struct rtp_relay *r);
void rtp_relay_set_end_fn(struct rtp_relay *r, rtp_end_fn *fn, void *arg);
/* The relay address put into SDP (port 0). */
const struct net_addr *rtp_relay_addr(const struct rtp_relay *r);

/*
 * An SDP offer from the side tagged from_tag. Creates the call on first
 * sight (allocating two port pairs per m-line), or updates it (re-INVITE,
 * UPDATE: hold/resume, added stream, codec change). Appends the rewritten
 * SDP to sdp_out. Errors: EBADMSG bad SDP (answer 488), EOVERFLOW ports or
 * call table exhausted (answer 503), EINVAL, ENOMEM. On error the call is
 * as before (a new call is not created).
 */
int rtp_relay_offer(struct rtp_relay *r, uint64_t now_us,
		    const struct pl *call_id, const struct pl *from_tag,
		    const struct pl *sdp_in, const struct rtp_opts *opts,
		    struct buf *sdp_out);
/*
 * The answer to the last offer, coming from to_tag's side. ENOENT when no
 * such call, EBADMSG, EINVAL, ENOMEM.
 */
int rtp_relay_answer(struct rtp_relay *r, uint64_t now_us,
		     const struct pl *call_id, const struct pl *from_tag,
		     const struct pl *to_tag, const struct pl *sdp_in,
		     const struct rtp_opts *opts, struct buf *sdp_out);
/* End a call and free its ports; stats (may be NULL) get its final
 * figures. ENOENT. */
int rtp_relay_delete(struct rtp_relay *r, uint64_t now_us,
		     const struct pl *call_id, struct rtp_call_stats *stats);
/* Current figures of a call. ENOENT. */
int rtp_relay_query(const struct rtp_relay *r, const struct pl *call_id,
		    struct rtp_call_stats *stats);
/* Whether a side of this call is on hold. ENOENT. */
int rtp_relay_hold(const struct rtp_relay *r, const struct pl *call_id,
		   bool *hold);

enum rtp_sock_op {
	RTP_SOCK_OPEN = 0,
	RTP_SOCK_CLOSE,
};

struct rtp_sock_ev {
	enum rtp_sock_op op;
	struct net_addr local;	/* UDP, relay address and port */
};

/* Next socket change the driver must make; ENOENT when none. */
int rtp_relay_sock_event(struct rtp_relay *r, struct rtp_sock_ev *ev);

/* The four sans-IO calls (STYLE.md 2.6); see the steps above. */
int rtp_relay_input(struct rtp_relay *r, uint64_t now_us,
		    const struct net_pkt *in);
int rtp_relay_timeout(struct rtp_relay *r, uint64_t now_us);
int rtp_relay_output(struct rtp_relay *r, struct net_out *out);
uint64_t rtp_relay_deadline(const struct rtp_relay *r);
extern const struct core_ops rtp_relay_core_ops;

struct rtp_relay_counters {
	uint64_t calls, calls_timed_out, ports_in_use, ports_total;
	uint64_t packets_in, packets_out, dropped_unknown_port,
		 dropped_no_dest, dropped_queue_full;
};
void rtp_relay_counters(const struct rtp_relay *r,
			struct rtp_relay_counters *c);

/* ---- bencode (bencode.c) ----------------------------------------------- */

enum benc_type {
	BENC_STR = 0,
	BENC_INT,
	BENC_LIST,
	BENC_DICT,
};

/*
 * A decoded item. Decoding is zero-copy and flat: items live in a caller
 * array, strings point into the input. A list/dict's children follow it in
 * the array; dict children alternate key, value. next is the index of the
 * item after this one and all its children (to skip a subtree).
 */
struct benc {
	enum benc_type type;
	struct pl str;		/* BENC_STR */
	int64_t num;		/* BENC_INT */
	uint32_t cnt;		/* list/dict: direct children (dict: pairs*2) */
	uint32_t next;
};

#define BENC_MAX_DEPTH 16

/*
 * Decode one item from in into items[0..max) (*n gets the count). Bytes
 * after the item are an error. EBADMSG (malformed, with depth or length
 * limits), EOVERFLOW (more than max items).
 */
int benc_decode(const struct pl *in, struct benc *items, size_t max,
		size_t *n);
/* Value of key in dict items[d], or NULL. */
const struct benc *benc_dict_get(const struct benc *items, size_t d,
				 const char *key);
/* The i-th child index of list items[l] (i < cnt). */
size_t benc_child(const struct benc *items, size_t l, size_t i);

int benc_put_str(struct buf *b, const char *s);
int benc_put_pl(struct buf *b, const struct pl *pl);
int benc_put_int(struct buf *b, int64_t v);
/* Open a dict ('d') or list ('l'); close either with benc_put_end. */
int benc_put_dict(struct buf *b);
int benc_put_list(struct buf *b);
int benc_put_end(struct buf *b);

/* ---- ng control protocol (rtp_ng.c) ------------------------------------ */

struct rtp_ng;

/*
 * An ng protocol core bound to relay r (borrowed: it must outlive the ng
 * core). Commands arrive as UDP datagrams "<cookie> <bencoded dict>" and
 * the answer goes back to the sender with the same cookie. A repeated
 * cookie from the same peer gets the cached answer (the client
 * retransmitted), as rtpengine does.
 */
int rtp_ng_new(struct rtp_ng **np, struct rtp_relay *r);
void rtp_ng_free(struct rtp_ng *n);
/* Wall clock = now_us + offset_us, for the UNIX times in query answers. */
void rtp_ng_set_wall_offset(struct rtp_ng *n, int64_t offset_us);
/* Called on "delete" before the call's figures are read and its ports
 * closed: the driver relays what is still queued on them (io_media). */
typedef void (rtp_ng_end_fn)(void *arg, const struct pl *call_id);
void rtp_ng_set_before_delete(struct rtp_ng *n, rtp_ng_end_fn *fn, void *arg);
int rtp_ng_input(struct rtp_ng *n, uint64_t now_us, const struct net_pkt *in);
int rtp_ng_timeout(struct rtp_ng *n, uint64_t now_us);
int rtp_ng_output(struct rtp_ng *n, struct net_out *out);
uint64_t rtp_ng_deadline(const struct rtp_ng *n);
extern const struct core_ops rtp_ng_core_ops;

#endif
