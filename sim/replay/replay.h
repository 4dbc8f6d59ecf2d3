/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Trace replay: captured frames in, a model of the SIP/RTP/MSRP traffic
 * out. The dissector (struct rpl) is sans-IO: it takes one frame at a time
 * with its capture timestamp and link type, and keeps only state for open
 * flows, fragment reassemblies and dialogs; finished calls leave through a
 * callback and are freed. Reading files (libpcap, gzip) and writing the
 * dissected traffic back as a clean capture are separate drivers below.
 *
 * Layers: link (Ethernet + VLAN/QinQ, MPLS, PPPoE, Linux SLL/SLL2, raw IP,
 * BSD null/loop, PPP, Cisco HDLC) -> IPv4/IPv6 with fragment reassembly
 * and IP-in-IP/GRE/ERSPAN/VXLAN decapsulation -> UDP, TCP (stream
 * reassembly), SCTP (DATA chunks) -> WebSocket, TLS (opaque) -> SIP, SDP,
 * RTP/RTCP, MSRP. What this does not do: decrypt TLS/SRTP, follow
 * SIP over compressed SigComp, reassemble SCTP streams out of TSN order.
 */
#ifndef REPLAY_REPLAY_H
#define REPLAY_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/pl.h"
#include "base/buf.h"
#include "sip/sip.h"

/* Link types (the pcap LINKTYPE_/DLT_ numbers this reader understands). */
enum {
	RPL_DLT_NULL = 0,
	RPL_DLT_EN10MB = 1,
	RPL_DLT_PPP = 9,
	RPL_DLT_RAW = 12,	/* DLT_RAW on most systems */
	RPL_DLT_RAW14 = 14,	/* DLT_RAW on OpenBSD */
	RPL_DLT_PPP_SERIAL = 50,
	RPL_DLT_LINKTYPE_RAW = 101,
	RPL_DLT_C_HDLC = 104,
	RPL_DLT_LOOP = 108,
	RPL_DLT_LINUX_SLL = 113,
	RPL_DLT_IPV4 = 228,
	RPL_DLT_IPV6 = 229,
	RPL_DLT_LINUX_SLL2 = 276,
};

/* Whether this reader can decode frames of link type dlt. */
bool rpl_dlt_supported(int dlt);

/* An endpoint as seen on the wire (af = 4 or 6; addr in network order). */
struct rpl_ep {
	uint8_t af;
	uint8_t addr[16];
	uint16_t port;
};

#define RPL_EP_STRLEN 56
/* "1.2.3.4:5060" / "[::1]:5060" into buf (>= RPL_EP_STRLEN). */
const char *rpl_ep_str(const struct rpl_ep *ep, char *buf, size_t sz);
/*
 * The one place a host and port become text as URIs and Via write them:
 * an IPv6 literal (v6) in brackets, ":port" unless port is 0. host is
 * hlen bytes (no NUL needed); it may be buf itself. Returns buf.
 */
const char *rpl_hostport(char *buf, size_t sz, bool v6, const char *host,
			 size_t hlen, unsigned port);
/* Address only. */
const char *rpl_ep_host(const struct rpl_ep *ep, char *buf, size_t sz);
bool rpl_ep_eq(const struct rpl_ep *a, const struct rpl_ep *b);
/* Parse a numeric IPv4/IPv6 address text (no port). EINVAL. */
int rpl_ep_parse_host(const struct pl *s, uint16_t port, struct rpl_ep *ep);

/* Transports an application message was carried on. */
enum rpl_tp {
	RPL_TP_UDP = 0,
	RPL_TP_TCP,
	RPL_TP_SCTP,
	RPL_TP_WS,
	RPL_TP_COUNT,
};
const char *rpl_tp_name(enum rpl_tp tp);

/*
 * One application message found on the wire: a UDP payload, a framed
 * message out of a TCP stream, an SCTP DATA message or a WebSocket
 * message. data is valid only during the callback.
 */
struct rpl_pdu {
	uint64_t ts_us;
	enum rpl_tp tp;
	struct rpl_ep src, dst;
	const uint8_t *data;
	size_t len;
};

enum rpl_kind {
	RPL_K_SIP = 0,
	RPL_K_RTP,
	RPL_K_RTCP,
	RPL_K_MSRP,
	RPL_K_COUNT,
};

/* A finished call (SPEC.md "rtcbench replay"): strings are NUL-terminated
 * copies owned by the dissector, valid during the callback only. */
struct rpl_call_rec {
	const char *call_id;
	const char *caller;	/* user@host of the From URI */
	const char *callee;	/* user@host of the To URI */
	uint64_t start_us;	/* first INVITE */
	uint64_t answer_us;	/* 0: never answered */
	uint64_t end_us;	/* BYE, or the final failure response; 0: none */
	uint16_t status;	/* final response to the initial INVITE; 0 */
	struct rpl_ep sig_src;	/* where the first INVITE came from */
	struct rpl_ep sig_dst;
	struct rpl_ep media[2];	/* caller's and callee's SDP audio, af 0 */
	uint32_t media_pkts;	/* RTP packets matched to this call */
	bool srtp;		/* SDP offered RTP/SAVP(F) */
};

typedef void (rpl_call_fn)(void *arg, const struct rpl_call_rec *rec);

/* A user agent (distinct AOR), reported at rpl_finish. */
struct rpl_ua_rec {
	const char *aor;	/* user@host */
	uint64_t requests;	/* requests it sent (From) */
	bool registering;	/* sent REGISTER */
	bool registered;	/* and got a 2xx for it */
};
typedef void (rpl_ua_fn)(void *arg, const struct rpl_ua_rec *rec);

/* An RTP stream (source, destination, SSRC), reported when it goes idle
 * or at rpl_finish; streams never confirmed are not reported. */
struct rpl_stream_rec {
	struct rpl_ep src, dst;
	uint32_t ssrc;
	uint64_t packets;
	uint64_t first_us, last_us;
	uint8_t pt_seen[16];	/* bitmap of payload types */
	bool sdp;		/* on an SDP-announced endpoint */
	bool srtp;		/* that SDP offered SRTP */
};
typedef void (rpl_stream_fn)(void *arg, const struct rpl_stream_rec *rec);

/*
 * An MSRP session (RFC 4975): the two endpoints' own URIs, the last URI
 * of the To-Path and of the From-Path of the requests between them
 * (relays in between are not ends). Chunks and messages are counted once
 * however many hops carried them (Message-ID and Byte-Range start);
 * responses are hop-by-hop and only counted globally. Reported when idle
 * or at rpl_finish; strings valid during the callback.
 */
struct rpl_msrp_rec {
	const char *uri[2];	/* ends, as first seen (uri[0] sent first) */
	const char *call_id;	/* the SIP dialog whose SDP a=path named an
				 * end, NULL when none */
	const char *ctypes;	/* content types, comma-separated */
	uint64_t first_us, last_us;
	uint64_t sends[2];	/* SEND chunks sent by uri[i] */
	uint64_t messages[2];	/* complete messages (last chunk '$') */
	uint64_t bytes[2];	/* content bytes of those chunks */
	uint64_t chunked;	/* messages sent in more than one chunk */
	uint64_t reports;	/* REPORT requests */
	uint64_t hops;		/* request copies seen on the wire */
};
typedef void (rpl_msrp_fn)(void *arg, const struct rpl_msrp_rec *rec);

/*
 * One MSRP request the first time it is seen (a copy on a later hop is
 * not reported again): what an endpoint sent. Slices valid during the
 * callback only.
 */
struct rpl_msrp_req {
	uint64_t ts_us;
	struct rpl_ep src, dst;		/* the hop it was first seen on */
	const char *from_uri;		/* sender's own URI */
	const char *to_uri;		/* final destination */
	const char *call_id;		/* as in rpl_msrp_rec, NULL */
	struct pl method;		/* "SEND", "REPORT", "AUTH" */
	struct pl to_path, from_path;	/* as on that hop */
	struct pl msg_id, ctype, range, status, authz;
	uint64_t range_start, range_end, range_total;
	char flag;			/* '$', '+', '#' */
	struct pl body;			/* content */
};
typedef void (rpl_msrp_req_fn)(void *arg, const struct rpl_msrp_req *req);
/* Called for every message the dissector recognised (for --write). */
typedef void (rpl_pdu_fn)(void *arg, enum rpl_kind kind,
			  const struct rpl_pdu *pdu);

#define RPL_MAX_SCODE 700
#define RPL_OTHER_METHODS 16

/* Counters; every field is a count over the frames fed so far. */
struct rpl_stats {
	uint64_t frames, bytes;
	uint64_t frames_truncated;	/* caplen < wire len */
	uint64_t frames_undecoded;	/* not IP, or malformed below IP */
	uint64_t ip_fragments, ip_reassembled, ip_frag_dropped;
	uint64_t tunnels;		/* frames that went through a tunnel */
	uint64_t udp, tcp_segments, sctp_chunks, ws_messages;
	uint64_t tcp_streams, tcp_retrans, tcp_gaps, tcp_gap_bytes;
	uint64_t tcp_skipped_bytes;	/* unframeable bytes thrown away */
	uint64_t tcp_midstream_bytes;	/* before the first message of a
					 * stream whose start was not captured */
	uint64_t tls_streams, tls_records;
	uint64_t sip_messages, sip_requests, sip_responses;
	uint64_t sip_malformed;		/* looked like SIP, did not decode */
	uint64_t sip_lenient;		/* refused by ref/sip, read tolerantly */
	uint64_t sip_retrans;		/* same message seen again */
	uint64_t sdp_malformed;
	uint64_t sip_by_method[SIP_M_COUNT];
	char other_method[RPL_OTHER_METHODS][16];
	uint64_t other_method_cnt[RPL_OTHER_METHODS];
	uint64_t sip_by_scode[RPL_MAX_SCODE];
	uint64_t calls, calls_answered, calls_failed;
	uint64_t registrations, registrations_ok;
	uint64_t user_agents;
	uint64_t im_messages;		/* SIP MESSAGE requests */
	uint64_t rtp_packets, rtcp_packets, rtp_streams, srtp_streams;
	uint64_t rtp_sdp_matched;	/* RTP packets on SDP-announced ports */
	uint64_t msrp_messages, msrp_sessions;
	uint64_t msrp_requests, msrp_responses, msrp_malformed;
	uint64_t msrp_send, msrp_report, msrp_auth, msrp_other;
	uint64_t msrp_by_scode[RPL_MAX_SCODE];
	uint64_t msrp_connections;	/* TCP connections carrying MSRP */
	uint64_t msrp_chunks;		/* SEND chunks, once per sender */
	uint64_t msrp_chat_messages;	/* complete messages among them */
	uint64_t msrp_chunked;		/* messages of more than one chunk */
	uint64_t msrp_bytes;		/* their content bytes */
	uint64_t msrp_sessions_sdp;	/* sessions named by an SDP a=path */
	uint64_t open_flows_peak, open_calls_peak;
};

struct rpl_cfg {
	rpl_call_fn *call_fn;	/* NULL: finished calls are only counted */
	rpl_pdu_fn *pdu_fn;	/* NULL: none */
	rpl_ua_fn *ua_fn;	/* NULL: none */
	rpl_stream_fn *stream_fn; /* NULL: none */
	rpl_msrp_fn *msrp_fn;	/* NULL: none */
	rpl_msrp_req_fn *msrp_req_fn; /* NULL: none */
	void *arg;
	uint64_t flow_idle_us;	/* TCP/RTP flow dropped after idle; 0: 300 s */
	uint64_t call_idle_us;	/* unfinished call given up; 0: 4 h */
	size_t max_flows;	/* open TCP/SCTP/RTP flows; 0: 1 << 20 */
};

struct rpl;

/* New dissector. cfg is copied. ENOMEM. */
int rpl_new(struct rpl **rp, const struct rpl_cfg *cfg);
/* Frees everything, without reporting open calls (call rpl_finish). */
void rpl_free(struct rpl *r);

/*
 * Feed one frame of link type dlt. caplen bytes are present, wirelen were
 * on the wire. Frames that cannot be decoded are counted, never fatal.
 * Returns 0, or EPROTONOSUPPORT for a link type this reader lacks.
 */
int rpl_frame(struct rpl *r, uint64_t ts_us, int dlt, const uint8_t *data,
	      size_t caplen, size_t wirelen);

/* End of input: flush TCP streams (reporting gaps) and report every call
 * still open through call_fn. */
void rpl_finish(struct rpl *r);

const struct rpl_stats *rpl_stats(const struct rpl *r);

/*
 * Every counter under its summary.json metric name (SPEC.md): the fixed
 * ones, then sip_requests_<METHOD> and sip_responses_<code> for each
 * method and status seen.
 */
typedef void (rpl_metric_fn)(void *arg, const char *name, uint64_t v);
void rpl_stats_foreach(const struct rpl_stats *s, rpl_metric_fn *fn,
		       void *arg);


/*
 * A scenario re-driving the captured calls (sim/replay/rpl_scn.c): one
 * account per captured AOR, calls in the given order (sorted by group,
 * then start) with the captured gaps within a group divided by speed (0:
 * no gaps), answered as captured, and an `expect cdr` per (caller,
 * callee) pair. Appends to out. ENOMEM.
 */
struct rpl_scn_call {
	const char *caller, *callee;	/* user@host */
	unsigned group;			/* capture file: no gap across */
	uint64_t start_us;
	double duration_s;
	uint16_t status;
};
int rpl_scn_write(struct buf *out, const char *title,
		  const struct rpl_scn_call *calls, size_t n, double speed);

/*
 * Closed-loop re-drive in process (sim/replay/rpl_drive.c): the calls
 * (sorted as for rpl_scn_write) placed again through the platform's SIP
 * core on the virtual network by one bench UA per captured user agent,
 * answered as captured; gaps divided by speed (0: back to back). pl
 * (rpl_vproxy.h, may be NULL): the platform's store and canary tap. res
 * has n entries (caller storage). 0, ENOMEM, a store errno (pl->err).
 */
struct rpl_drive_res {
	bool placed;		/* the call went out */
	bool ended;		/* answered calls: BYE done */
	bool match;		/* same final response class as captured */
	uint16_t status;	/* final response the caller got; 0: none */
	size_t caller_idx, callee_idx;
	char error[64];		/* why it was not placed */
};
struct rpl_drive_sum {
	size_t agents, registered, placed, answered, matched;
	unsigned cdrs;		/* CDRs the platform wrote */
	uint64_t rtp_sent, rtp_recv;
	double virtual_s;	/* virtual time the calls took */
};
struct rpl_plat;
int rpl_drive_inproc(const struct rpl_scn_call *calls, size_t n,
		     double speed, struct rpl_plat *pl,
		     struct rpl_drive_res *res, struct rpl_drive_sum *sum);

/*
 * Capture file reader (driver; libpcap). Reads pcap and pcapng, also
 * gzip-compressed (streamed through zlib, no temporary file). Timestamps
 * in microseconds.
 */
struct rpl_reader;

/* ENOENT/EACCES/EBADMSG with a one-line reason in err. */
int rpl_reader_open(struct rpl_reader **rdp, const char *path, char *err,
		    size_t errsz);
/*
 * Next frame: 0; ENOENT at a clean end; EBADMSG when the file is cut
 * short or corrupt (rpl_reader_err says how). data is valid until the
 * next call.
 */
int rpl_reader_next(struct rpl_reader *rd, uint64_t *ts_us,
		    const uint8_t **data, size_t *caplen, size_t *wirelen);
int rpl_reader_dlt(const struct rpl_reader *rd);
/* "EN10MB", "LINUX_SLL"..., or "DLT 147". */
const char *rpl_reader_dlt_name(const struct rpl_reader *rd);
const char *rpl_reader_err(const struct rpl_reader *rd);
/* Bytes of the file read so far, and its size (progress display). */
uint64_t rpl_reader_pos(const struct rpl_reader *rd);
uint64_t rpl_reader_size(const struct rpl_reader *rd);
void rpl_reader_close(struct rpl_reader *rd);

/*
 * Clean capture writer (driver): each message becomes one
 * Ethernet/IPv4-or-IPv6/UDP frame with valid lengths and checksums, from
 * and to the addresses and ports it had on the wire.
 */
struct rpl_writer;

int rpl_writer_open(struct rpl_writer **wp, const char *path, char *err,
		    size_t errsz);
/* EMSGSIZE when the message does not fit one UDP datagram. */
int rpl_writer_udp(struct rpl_writer *w, uint64_t ts_us,
		   const struct rpl_ep *src, const struct rpl_ep *dst,
		   const uint8_t *data, size_t len);
uint64_t rpl_writer_count(const struct rpl_writer *w);
/* Flushes and closes; EIO when a write failed. NULL is a no-op. */
int rpl_writer_close(struct rpl_writer *w);

#endif
