/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP messages (RFC 3261): decode into a header index in one pass, deep
 * parses on demand, encode responses and forwarded requests.
 *
 * A decoded struct sip_msg borrows the bytes it was decoded from: every
 * struct pl in it points into that buffer, which must outlive the message.
 * The header index lives in the message's own storage (hdrs[], no
 * allocation per header); deep parses fill caller storage and never
 * allocate. What every core routes on is parsed once by the decoder and
 * kept in the message (top Via, From, To, Call-ID, CSeq, first Contact);
 * everything else is parsed on demand from the index. Errors: 0 or
 * EBADMSG (malformed; msg->err says why in words a human understands),
 * ENODATA (stream framing: incomplete), EOVERFLOW (more headers than
 * SIP_MAX_HDRS), EINVAL (bad arguments).
 */
#ifndef SIP_SIP_H
#define SIP_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/pl.h"
#include "base/buf.h"
#include "base/net.h"

#define SIP_MAX_HDRS 128

enum sip_method {
	SIP_M_OTHER = 0,
	SIP_M_INVITE,
	SIP_M_ACK,
	SIP_M_BYE,
	SIP_M_CANCEL,
	SIP_M_REGISTER,
	SIP_M_OPTIONS,
	SIP_M_MESSAGE,
	SIP_M_SUBSCRIBE,
	SIP_M_NOTIFY,
	SIP_M_PUBLISH,
	SIP_M_INFO,
	SIP_M_PRACK,
	SIP_M_UPDATE,
	SIP_M_REFER,
	SIP_M_COUNT,
};

/* Header ids; compact forms (RFC 3261 7.3.3, RFC 3265, 3515...) map here. */
enum sip_hdr_id {
	SIP_HDR_OTHER = 0,
	SIP_HDR_VIA,		/* v */
	SIP_HDR_FROM,		/* f */
	SIP_HDR_TO,		/* t */
	SIP_HDR_CALL_ID,	/* i */
	SIP_HDR_CSEQ,
	SIP_HDR_CONTACT,	/* m */
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_ROUTE,
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_CONTENT_LENGTH,	/* l */
	SIP_HDR_CONTENT_TYPE,	/* c */
	SIP_HDR_CONTENT_ENCODING, /* e */
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHENTICATE,
	SIP_HDR_EXPIRES,
	SIP_HDR_MIN_EXPIRES,
	SIP_HDR_EVENT,		/* o */
	SIP_HDR_ALLOW_EVENTS,	/* u */
	SIP_HDR_SUBSCRIPTION_STATE,
	SIP_HDR_ALLOW,
	SIP_HDR_SUPPORTED,	/* k */
	SIP_HDR_REQUIRE,
	SIP_HDR_PROXY_REQUIRE,
	SIP_HDR_UNSUPPORTED,
	SIP_HDR_USER_AGENT,
	SIP_HDR_SERVER,
	SIP_HDR_SUBJECT,	/* s */
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_REFER_TO,	/* r */
	SIP_HDR_RSEQ,
	SIP_HDR_RACK,
	SIP_HDR_SIP_ETAG,
	SIP_HDR_SIP_IF_MATCH,
	SIP_HDR_PATH,
	SIP_HDR_DATE,
	SIP_HDR_ACCEPT,
	SIP_HDR_COUNT,
};

enum sip_scheme {
	SIP_SCHEME_SIP = 0,
	SIP_SCHEME_SIPS,
	SIP_SCHEME_TEL,
	SIP_SCHEME_OTHER,	/* absoluteURI of another scheme (im:, mailto:) */
};

/* One header line of the index. */
struct sip_hdr {
	enum sip_hdr_id id;
	struct pl name;		/* as written (may be compact) */
	struct pl val;		/* value, trimmed; may contain folded CRLF+WS */
	struct pl line;		/* whole raw line(s), including the final CRLF */
};

struct sip_uri {
	enum sip_scheme scheme;
	struct pl scheme_pl;	/* as written */
	struct pl user;		/* still %-escaped; tel: the number */
	struct pl password;
	struct pl host;		/* IPv6 reference without the brackets */
	bool host_ipv6;
	uint16_t port;		/* 0 if absent */
	struct pl params;	/* ";a=b;lr" incl. the leading ';' */
	struct pl headers;	/* "?a=b&c=d" without the '?' */
	struct pl raw;		/* the whole URI */
};

struct sip_via {
	struct pl proto;	/* "SIP/2.0/UDP" as written */
	struct pl transport;	/* "UDP" */
	struct pl host;		/* sent-by host (no brackets) */
	bool host_ipv6;
	uint16_t port;		/* 0 if absent */
	struct pl branch;
	struct pl received;
	bool rport;		/* rport parameter present */
	struct pl rport_val;	/* empty when "rport" without value */
	struct pl maddr;
	struct pl params;	/* all parameters incl. leading ';' */
	struct pl raw;		/* this via-parm alone */
};

/* name-addr / addr-spec with parameters: From, To, Contact, Route... */
struct sip_addr {
	struct pl dname;	/* display name, quotes kept */
	struct sip_uri uri;
	struct pl tag;		/* From/To tag */
	struct pl params;	/* header params after the URI, leading ';' */
	struct pl raw;
};

struct sip_contact {
	struct sip_addr addr;
	bool star;		/* Contact: * */
	bool has_expires;
	uint32_t expires;
	struct pl q;
};

struct sip_cseq {
	uint32_t num;
	struct pl method;
	enum sip_method mid;
};

/* Digest challenge or credentials (RFC 2617/7616/8760). */
struct sip_auth {
	struct pl scheme;	/* "Digest" */
	struct pl realm, nonce, opaque, algorithm, qop, stale;
	struct pl username, uri, response, cnonce, nc;
	struct pl userhash;
};

struct sip_msg {
	struct pl raw;		/* the whole message */
	bool is_req;
	/* request line */
	struct pl method;
	enum sip_method mid;
	struct pl ruri_pl;
	struct sip_uri ruri;	/* decoded with the message */
	/* status line */
	uint16_t scode;
	struct pl reason;
	struct pl version;	/* "SIP/2.0" */
	struct pl start_line;	/* without CRLF */
	/* header index */
	struct sip_hdr hdrs[SIP_MAX_HDRS];
	size_t nhdrs;
	int first[SIP_HDR_COUNT];	/* index of the first of each id, -1 */
	struct pl body;
	/* always decoded, since every core routes on them */
	struct pl call_id;
	struct sip_cseq cseq;
	struct sip_addr from, to;
	struct sip_via via1;	/* topmost Via */
	/* checked by the decoder anyway, so kept (the lazy cache of a
	 * proxy's hot path): the first Contact, and element counts */
	struct sip_contact contact1;	/* valid when ncontact > 0 */
	uint16_t ncontact;	/* Contact elements, all syntax-checked */
	uint16_t nvia;		/* Via elements, all syntax-checked */
	uint32_t content_length;
	bool has_content_length;
	struct pl eoh;		/* the empty line ending the headers as
				 * received (CRLF or LF; empty when the
				 * datagram ended right after a header) */
	uint16_t err_scode;	/* with EBADMSG on a request: the status to
				 * answer (400, 505 bad version, 501 unknown
				 * method); 0 for a response (drop it) */
	char err[128];		/* reason of the last EBADMSG */
};

/*
 * Decode one whole message (datagram, or a frame from sip_frame). Checks
 * the start line, the mandatory headers (Via with branch, From, To,
 * Call-ID, CSeq; Max-Forwards is not mandatory on receipt), CSeq method
 * vs request method, and Content-Length against the body: a datagram may
 * carry more bytes than Content-Length (the rest is ignored, RFC 3261
 * 18.3) but never fewer. Also checks every Via and Contact element, and
 * Max-Forwards and Date syntax. A missing Via branch is accepted (RFC 2543
 * peers); an empty one is not. After EBADMSG only err, err_scode,
 * is_req and the start line fields are meaningful.
 */
int sip_msg_decode(struct sip_msg *msg, const uint8_t *data, size_t len);

/*
 * Stream framing (RFC 3261 18.3): find one whole message at the start of
 * data. Skips leading CRLF keep-alives (*skip). On success *msg_len is
 * the frame length (headers + Content-Length body). ENODATA: need more
 * bytes. EBADMSG: cannot be framed (no or bad Content-Length, headers
 * over max_hdr_bytes); the connection should be closed.
 */
int sip_frame(const uint8_t *data, size_t len, size_t max_hdr_bytes,
	      size_t *skip, size_t *msg_len);

/*
 * The same framing with its state kept between calls (nginx r->state):
 * feed the connection's whole unconsumed buffer each time; the search for
 * the end of the headers resumes where the previous call stopped. *skip
 * is written on 0 and ENODATA (keep-alive CRLFs the caller may drop; it
 * must then call again with the remaining bytes). On EBADMSG fr->why says
 * why in words; close the connection. max_* 0 = 64 KiB headers, 16 MiB
 * body.
 */
struct sip_framer {
	size_t max_hdr_bytes;
	size_t max_body_bytes;
	size_t scanned;		/* header bytes already searched */
	const char *why;	/* static reason of the last EBADMSG */
};
void sip_framer_init(struct sip_framer *fr, size_t max_hdr_bytes,
		     size_t max_body_bytes);
int sip_framer_input(struct sip_framer *fr, const uint8_t *data, size_t len,
		     size_t *skip, size_t *msg_len);

/* Header lookups. */
const struct sip_hdr *sip_msg_hdr(const struct sip_msg *msg,
				  enum sip_hdr_id id);
/* Next header with the same id after prev (prev from this message). */
const struct sip_hdr *sip_msg_hdr_next(const struct sip_msg *msg,
				       const struct sip_hdr *prev);
/* First header with this name (case-insensitive, long or compact form). */
const struct sip_hdr *sip_msg_hdr_name(const struct sip_msg *msg,
				       const char *name);
size_t sip_msg_hdr_count(const struct sip_msg *msg, enum sip_hdr_id id);

/*
 * List headers (Via, Contact, Route, Record-Route, Allow, Supported, ...)
 * may repeat and hold comma-separated elements. An iterator walks every
 * element of every header of one id in order, honouring quotes and <>.
 */
struct sip_list_it {
	const struct sip_msg *msg;
	enum sip_hdr_id id;
	int hdr;		/* current header index */
	struct pl rest;		/* unread part of that header's value */
};
void sip_list_begin(struct sip_list_it *it, const struct sip_msg *msg,
		    enum sip_hdr_id id);
/* Next element, trimmed; ENOENT at the end, EBADMSG on unbalanced text. */
int sip_list_next(struct sip_list_it *it, struct pl *elem);

/* Deep parses of one element or header value. 0 or EBADMSG. */
int sip_uri_decode(struct sip_uri *uri, const struct pl *s);
int sip_via_decode(struct sip_via *via, const struct pl *s);
int sip_addr_decode(struct sip_addr *addr, const struct pl *s);
int sip_contact_decode(struct sip_contact *c, const struct pl *s);
int sip_cseq_decode(struct sip_cseq *cs, const struct pl *s);
int sip_auth_decode(struct sip_auth *a, const struct pl *s);

/*
 * token-or-type/subtype with parameters: Content-Type, Content-Disposition,
 * Event, Subscription-State, Accept and Allow-Events elements. tok is as
 * written ("application/sdp", LWS around '/' kept), params the ";..."
 * rest (empty if none; use sip_param on it). 0 or EBADMSG.
 */
int sip_tokparams_decode(const struct pl *s, struct pl *tok,
			 struct pl *params);

/* Parameter ";name=value" lookup in a params slice (case-insensitive
 * name). ENOENT if absent; a flag parameter gives an empty value. */
int sip_param(const struct pl *params, const char *name, struct pl *val);

/* Un-escape %HH from src into dst (size dstsz). EBADMSG, EOVERFLOW. */
int sip_unescape(const struct pl *src, char *dst, size_t dstsz,
		 size_t *outlen);

enum sip_method sip_method_id(const struct pl *name);
const char *sip_method_name(enum sip_method m);
enum sip_hdr_id sip_hdr_id(const struct pl *name);
const char *sip_hdr_name(enum sip_hdr_id id);
const char *sip_reason(uint16_t scode);

/* Integer headers (Max-Forwards, Expires, Min-Expires). ENOENT, EBADMSG. */
int sip_msg_u32(const struct sip_msg *msg, enum sip_hdr_id id,
		uint32_t *out);

/*
 * Encoder. Every byte the encoder has no reason to touch is copied as
 * received.
 */

/* One header to add (name and value as text, no CRLF). */
struct sip_hdr_add {
	const char *name;
	struct pl val;
};

/*
 * Response to req: status line, the request's Via headers, From, To (with
 * to_tag added when given and To has none), Call-ID, CSeq; then extra
 * headers, then body (Content-Length always written). reason NULL: the
 * standard phrase.
 */
int sip_encode_response(struct buf *out, const struct sip_msg *req,
			uint16_t scode, const char *reason,
			const struct pl *to_tag,
			const struct sip_hdr_add *extra, size_t nextra,
			const struct pl *ctype, const struct pl *body);

/* How to forward a request (RFC 3261 16.6). */
struct sip_fwd {
	const struct pl *new_ruri;	/* NULL: keep */
	const struct pl *via;		/* full Via value to add on top */
	const struct pl *record_route;	/* full RR value to add, or NULL */
	bool pop_route;			/* remove the topmost Route element */
	bool decrement_mf;		/* Max-Forwards -1, or add 70 when absent */
	const struct sip_hdr_add *extra;/* headers to append */
	size_t nextra;
	const struct pl *new_body;	/* NULL: keep; else replaces body and
					 * Content-Length (SDP rewrite) */
	const struct pl *new_ctype;	/* with new_body, when given */
	const enum sip_hdr_id *strip;	/* ids of headers to drop, or NULL */
	size_t nstrip;
};
int sip_encode_forward(struct buf *out, const struct sip_msg *req,
		       const struct sip_fwd *fwd);

/* Forwarded response (RFC 3261 16.7): drop the topmost Via element,
 * optionally replace the body. */
int sip_encode_response_fwd(struct buf *out, const struct sip_msg *rsp,
			    const struct pl *new_body,
			    const struct pl *new_ctype);

#endif
