/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDP (RFC 4566/8866) decode, encode and the relay rewrite.
 *
 * sdp_decode() is zero-copy: every slice in struct sdp_session points into
 * the body the caller passed, which must outlive the session struct. It
 * allocates nothing; the struct has hard bounds (SDP_MAX_LINES lines,
 * SDP_MAX_MEDIA m-lines) and is about 24 KB, so keep it on the heap or in a
 * long-lived context rather than deep in a stack.
 *
 * What is understood: v= o= s= c= t= m= lines; a=rtpmap (on demand through
 * sdp_rtpmap_decode), a=rtcp, a=rtcp-mux, the four direction attributes;
 * a=crypto, a=zrtp-hash, a=fingerprint, a=setup and the ICE attributes are
 * recognized (flags) but kept opaque. Everything else is kept as a line.
 *
 * sdp_rewrite() is what a media relay needs: it changes only connection
 * addresses (c=, optionally o=), m= ports and a=rtcp ports/addresses, and
 * copies every other byte of the body as received, line endings included
 * (optionally it drops the ICE attributes). sdp_encode() instead
 * re-serializes the decoded lines with CRLF, rebuilding o=, c=, m= and
 * a=rtcp from their fields.
 */
#ifndef SDP_SDP_H
#define SDP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/pl.h"
#include "base/buf.h"

#define SDP_MAX_LINES 320
#define SDP_MAX_MEDIA 16
#define SDP_ERR_LEN 96

enum sdp_dir {
	SDP_DIR_SENDRECV = 0,
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};

/* Attributes the decoder recognizes (struct sdp_line.attr). */
enum sdp_attr_id {
	SDP_ATTR_OTHER = 0,
	SDP_ATTR_RTPMAP,
	SDP_ATTR_RTCP,
	SDP_ATTR_RTCP_MUX,
	SDP_ATTR_SENDRECV,
	SDP_ATTR_SENDONLY,
	SDP_ATTR_RECVONLY,
	SDP_ATTR_INACTIVE,
	SDP_ATTR_CRYPTO,
	SDP_ATTR_ZRTP_HASH,
	SDP_ATTR_FINGERPRINT,
	SDP_ATTR_SETUP,
	SDP_ATTR_ICE,		/* candidate, ice-ufrag, ice-pwd, ... */
};

/* Security flags (sdp_media.flags, sdp_session.flags, sdp_media_sec). */
#define SDP_SEC_SRTP	0x01u	/* RTP/SAVP(F) profile or a=crypto (SDES) */
#define SDP_SEC_ZRTP	0x02u	/* a=zrtp-hash */
#define SDP_SEC_DTLS	0x04u	/* a=fingerprint or UDP/TLS/RTP/SAVP(F) */
#define SDP_SEC_CRYPTO	0x08u	/* a=crypto present */
#define SDP_SEC_ICE	0x10u	/* ICE attributes present */

/* One line of the body. */
struct sdp_line {
	struct pl val;		/* after "x=", without the line end */
	struct pl name;		/* a= lines: attribute name */
	struct pl aval;		/* a= lines: after ':' (empty for a flag) */
	char type;		/* 'v', 'o', 'a', ... */
	int8_t media;		/* -1: session level, else m-line index */
	uint8_t attr;		/* enum sdp_attr_id for a= lines */
};

/* A connection address: "IN IP4 192.0.2.1" (c=, o= tail, a=rtcp tail). */
struct sdp_conn {
	struct pl nettype;	/* "IN" */
	struct pl addrtype;	/* "IP4" / "IP6" */
	struct pl addr;		/* without a multicast /ttl suffix */
	struct pl span;		/* addrtype up to the end: what rewrite replaces */
	int line;		/* index in lines[], -1 when absent */
};

struct sdp_media {
	struct pl type;		/* "audio", "video", "image", "application" */
	struct pl port;		/* the port digits as received */
	uint16_t port_n;
	uint16_t port_cnt;	/* "/2" suffix, 1 when absent */
	struct pl proto;	/* "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVPF" */
	struct pl fmts;		/* "0 8 101": iterate with sdp_fmt_next */
	int line;		/* index of the m= line */
	int end_line;		/* one past its last line */
	struct sdp_conn conn;	/* media-level c= (line -1: inherits) */
	enum sdp_dir dir;	/* effective direction (session default) */
	bool dir_set;		/* a direction attribute at media level */
	bool rtcp_mux;
	int rtcp_line;		/* a=rtcp line index, -1 when absent */
	struct pl rtcp_port;	/* digits in a=rtcp */
	uint16_t rtcp_port_n;
	struct sdp_conn rtcp_conn; /* optional address in a=rtcp */
	unsigned flags;		/* SDP_SEC_* seen at media level */
};

struct sdp_session {
	struct pl body;
	struct pl o_user, o_sess_id, o_sess_ver;
	struct sdp_conn origin;	/* o= nettype/addrtype/addr */
	struct pl name;		/* s= */
	struct sdp_conn conn;	/* session-level c= */
	enum sdp_dir dir;	/* session-level direction, sendrecv default */
	unsigned flags;		/* SDP_SEC_* seen at session level */
	struct sdp_line lines[SDP_MAX_LINES];
	size_t line_cnt;
	struct sdp_media media[SDP_MAX_MEDIA];
	size_t media_cnt;
	char err[SDP_ERR_LEN];	/* reason after EBADMSG/EOVERFLOW */
};

/*
 * Decode body into s (zero-copy). Returns 0; EBADMSG for malformed SDP or
 * EOVERFLOW past SDP_MAX_LINES/SDP_MAX_MEDIA, with a one-line reason in
 * s->err such as "line 5: m= line has no port"; EINVAL on NULL arguments.
 * Lines may end in CRLF or bare LF; empty lines are skipped.
 */
int sdp_decode(struct sdp_session *s, const struct pl *body);

/*
 * Re-serialize s into b with CRLF line ends. o=, c=, m= and a=rtcp lines
 * are rebuilt from their fields, every other line is copied as decoded.
 * ENOMEM, EOVERFLOW (fixed buffer).
 */
int sdp_encode(struct buf *b, const struct sdp_session *s);

/* Per m-line instruction for sdp_rewrite(). */
struct sdp_rw_media {
	bool keep;		/* leave this m-line and its lines untouched */
	struct pl addr;		/* new connection address ("::1" -> IP6) */
	uint16_t port;		/* new m= port; a port 0 m-line stays 0 */
	uint16_t rtcp_port;	/* new a=rtcp port, 0: port + 1 */
};

struct sdp_rw {
	struct pl origin_addr;	/* non-empty: replace the o= address too */
	struct pl session_addr;	/* non-empty: session-level c= address;
				 * empty: the first rewritten m-line's */
	bool strip_ice;		/* drop candidate/ice-* lines */
	struct sdp_rw_media media[SDP_MAX_MEDIA];
	size_t media_cnt;	/* m-lines beyond this count are kept */
};

/*
 * Append to out a copy of s->body in which only the connection addresses,
 * m= ports and a=rtcp ports change, as rw says; all other bytes, unknown
 * attributes and line ends included, stay as received. An m-line that
 * inherits the session c= but must end up with another address gets its
 * own c= line inserted after its m= (and i=) line. EINVAL (bad address),
 * ENOMEM, EOVERFLOW.
 */
int sdp_rewrite(const struct sdp_session *s, const struct sdp_rw *rw,
		struct buf *out);

/* Effective connection of m-line i (media-level, else session), or NULL. */
const struct sdp_conn *sdp_media_conn(const struct sdp_session *s, size_t i);
/* Effective direction of m-line i. */
enum sdp_dir sdp_media_dir(const struct sdp_session *s, size_t i);
/* Hold: sendonly/inactive, or connection address 0.0.0.0 (RFC 2543). */
bool sdp_media_hold(const struct sdp_session *s, size_t i);
/* Every m-line with a non-zero port is on hold (and there is one). */
bool sdp_session_hold(const struct sdp_session *s);
/* SDP_SEC_* flags of m-line i, session-level attributes included. */
unsigned sdp_media_sec(const struct sdp_session *s, size_t i);
/* OR of sdp_media_sec over all m-lines and the session. */
unsigned sdp_session_sec(const struct sdp_session *s);
const char *sdp_dir_name(enum sdp_dir d);

/*
 * Next a= line named name (case-insensitive) at level media (-1: session)
 * after line index *iter (start with *iter = -1). Returns the line or NULL;
 * *iter is advanced.
 */
const struct sdp_line *sdp_attr_next(const struct sdp_session *s, int media,
				     const char *name, int *iter);

/* Next format token of fmts; cursor starts as a copy of media->fmts. */
bool sdp_fmt_next(struct pl *cursor, struct pl *fmt);

struct sdp_rtpmap {
	uint8_t pt;
	struct pl encoding;	/* "PCMU" */
	uint32_t clock_rate;
	struct pl params;	/* channels, may be empty */
};

/* Decode the value of a=rtpmap ("0 PCMU/8000"). EBADMSG. */
int sdp_rtpmap_decode(const struct pl *aval, struct sdp_rtpmap *out);
/* a=rtpmap of payload type pt in m-line i. ENOENT, EBADMSG. */
int sdp_media_rtpmap(const struct sdp_session *s, size_t i, uint8_t pt,
		     struct sdp_rtpmap *out);

#endif
