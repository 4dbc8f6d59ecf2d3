/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSRP (RFC 4975) framing, URIs and encoding, and the MSRP relay core
 * (RFC 4976). The stream parser is a push parser: the caller hands it every
 * byte it receives, in whatever pieces the transport delivers, and gets
 * events back (the head of a request or response, pieces of content, the
 * end-line). Content is handed out as it arrives and never gathered into a
 * whole message; only the start line and header block are copied, into a
 * buffer of bounded size. Nothing here reads a descriptor or a clock.
 *
 * The relay is a sans-IO core (base/core.h): TCP/TLS byte chunks in,
 * byte chunks and closes out, deadlines through base/tq.h. It never stores
 * or logs message content (POLICY.md P13).
 */
#ifndef MSRP_MSRP_H
#define MSRP_MSRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/core.h"
#include "base/log.h"
#include "base/net.h"
#include "base/pl.h"

#define MSRP_TID_MAX 32		/* ident: 4..32 characters (RFC 4975 9) */
#define MSRP_MAX_HDRS 32
#define MSRP_DEFAULT_PORT 2855

enum msrp_method {
	MSRP_M_OTHER = 0,
	MSRP_M_SEND,
	MSRP_M_REPORT,
	MSRP_M_AUTH,
};

enum msrp_hdr_id {
	MSRP_H_OTHER = 0,
	MSRP_H_TO_PATH,
	MSRP_H_FROM_PATH,
	MSRP_H_MESSAGE_ID,
	MSRP_H_BYTE_RANGE,
	MSRP_H_SUCCESS_REPORT,
	MSRP_H_FAILURE_REPORT,
	MSRP_H_STATUS,
	MSRP_H_CONTENT_TYPE,
	MSRP_H_USE_PATH,
	MSRP_H_WWW_AUTHENTICATE,
	MSRP_H_AUTHORIZATION,
	MSRP_H_AUTHENTICATION_INFO,
	MSRP_H_EXPIRES,
	MSRP_H_MIN_EXPIRES,
	MSRP_H_MAX_EXPIRES,
	MSRP_H_COUNT,
};

struct msrp_hdr {
	enum msrp_hdr_id id;
	struct pl name;
	struct pl val;		/* trimmed */
	struct pl line;		/* "Name: value" without CRLF */
};

/*
 * A decoded head: start line and header index. Slices point into the
 * buffer the head was decoded from (the parser's head buffer).
 */
struct msrp_msg {
	bool is_req;
	struct pl tid;
	struct pl method;	/* requests */
	enum msrp_method mid;
	uint16_t scode;		/* responses */
	struct pl comment;	/* responses, may be empty */
	struct msrp_hdr hdrs[MSRP_MAX_HDRS];
	size_t nhdrs;
	int first[MSRP_H_COUNT];	/* index of the first of each id, -1 */
	bool has_body;		/* a blank line followed the headers */
	char err[96];		/* reason of the last EBADMSG */
};

/*
 * Decode a head block: the start line and the header lines, each ending
 * in CRLF, without the blank line or end-line. Checks the start line, the
 * transaction id, To-Path and From-Path presence. EBADMSG (msg->err says
 * why), EOVERFLOW past MSRP_MAX_HDRS headers.
 */
int msrp_head_decode(struct msrp_msg *msg, const char *p, size_t len);
/* First header of that id, or NULL. */
const struct msrp_hdr *msrp_msg_hdr(const struct msrp_msg *msg,
				    enum msrp_hdr_id id);
enum msrp_hdr_id msrp_hdr_lookup(const struct pl *name);
/* That header's value into out (NUL-terminated, cut to n), "" if absent. */
void msrp_hdr_copy(const struct msrp_msg *msg, enum msrp_hdr_id id,
		   char *out, size_t n);

/* ---- stream parser ---- */

enum msrp_ev_kind {
	MSRP_EV_HEAD = 1,	/* ev.msg is the decoded head */
	MSRP_EV_DATA,		/* ev.data is a piece of content */
	MSRP_EV_END,		/* end-line seen, ev.flag is '$', '+' or '#' */
};

struct msrp_ev {
	enum msrp_ev_kind kind;
	const struct msrp_msg *msg;	/* valid until the next message */
	struct pl data;		/* valid until the next msrp_parse call */
	char flag;
};

#define MSRP_BND_MAX (2 + 7 + MSRP_TID_MAX + 1)

struct msrp_parser {
	int state;
	size_t max_head;
	struct buf head;	/* start line + header lines of this message */
	size_t line_off;	/* start of the line being gathered */
	struct msrp_msg msg;
	char pat[MSRP_BND_MAX];	/* "\r\n-------" tid; flag checked apart */
	size_t plen;		/* pattern length including the flag */
	uint8_t pend[MSRP_BND_MAX];	/* partial end-line candidate */
	size_t npend;
	size_t poff;		/* pattern offset of pend[0]: 0, or 2 */
	uint8_t emit[MSRP_BND_MAX];
	bool body_start;
	char flag;
	int ncrlf;		/* CRLF bytes seen after the flag */
	uint64_t body_len;	/* content bytes handed out so far */
	/* Start line of the message in progress, copied as soon as it is
	 * complete (empty before): lets a relay answer 400 to a request
	 * whose head then turns out malformed. */
	char tid[MSRP_TID_MAX + 1];
	bool is_req;
	char err[96];
};

/*
 * max_head bounds the start line plus headers (bytes). The parser owns
 * its head buffer; free it with msrp_parser_fini.
 */
void msrp_parser_init(struct msrp_parser *p, size_t max_head);
void msrp_parser_fini(struct msrp_parser *p);
/*
 * Consume bytes from *in (advanced past what was used) and return 0 with
 * one event, ENODATA once *in is used up without completing an event (all
 * of it is kept: call again with the next bytes), or EBADMSG on malformed
 * input (p->err says why; every later call fails the same way). A response
 * or a request without body gives HEAD then END; a request with body gives
 * HEAD, any number of DATA, then END. The content ends at the first CRLF
 * followed by "-------" tid and a flag (RFC 4975 7.1); an end-line of
 * another transaction, or one not preceded by CRLF, is content.
 */
int msrp_parse(struct msrp_parser *p, struct pl *in, struct msrp_ev *ev);
/* True between messages (no partial message held). */
bool msrp_parser_idle(const struct msrp_parser *p);
/*
 * The raw To-Path and From-Path values (after the colon; PL_NULL when
 * absent) read line by line from the head bytes gathered so far, for
 * addressing the 400 to a request whose head failed to decode (RFC 4975
 * 7.3). The slices point into p->head.
 */
void msrp_parser_paths(const struct msrp_parser *p, struct pl *to_path,
		       struct pl *from_path);

/* ---- URIs and header values ---- */

struct msrp_uri {
	bool secure;		/* msrps */
	struct pl userinfo;
	struct pl host;		/* IPv6 without brackets */
	bool ipv6;
	uint16_t port;		/* 0 when absent */
	struct pl session;	/* may be empty */
	struct pl transport;	/* "tcp" */
	struct pl params;	/* after the transport, without leading ';' */
};

/*
 * msrp://[userinfo@]host[:port][/session-id];transport[;params]
 * (RFC 4975 9). EBADMSG.
 */
int msrp_uri_decode(struct msrp_uri *u, const struct pl *pl);
/* RFC 4975 6.1: scheme, host (case-blind), port, session-id, transport. */
bool msrp_uri_eq(const struct msrp_uri *a, const struct msrp_uri *b);
/* Port, or the default 2855. */
uint16_t msrp_uri_port(const struct msrp_uri *u);
/*
 * Next URI of a path (To-Path, From-Path, Use-Path: URIs separated by
 * SP): *raw gets the URI text, *path moves past it. ENOENT at the end.
 */
int msrp_path_next(struct pl *path, struct pl *raw);
/* Number of URIs in a path, each checked; EBADMSG on a bad one. */
int msrp_path_count(const struct pl *path, size_t *n);

struct msrp_range {
	uint64_t start, end, total;	/* end/total 0 when '*' */
	bool end_star, total_star;
};
/* "1-25/25", "1-*" "/" "*" (RFC 4975 9). EBADMSG. */
int msrp_range_decode(const struct pl *pl, struct msrp_range *r);
/* "000 200 OK" -> 200, comment. EBADMSG. */
int msrp_status_decode(const struct pl *pl, uint16_t *code,
		       struct pl *comment);
/* Failure-Report/Success-Report values. */
enum msrp_report { MSRP_REP_NO = 0, MSRP_REP_YES, MSRP_REP_PARTIAL };
/* Value of that header, or def when the header is absent. EBADMSG. */
int msrp_report_get(const struct msrp_msg *msg, enum msrp_hdr_id id,
		    enum msrp_report def, enum msrp_report *out);
/* Whether s is a valid transaction id or Message-ID (ident). */
bool msrp_ident_ok(const struct pl *s);

/* ---- encoding ---- */

/* Reason phrase of a status code ("OK", "Session Does Not Exist"). */
const char *msrp_reason(uint16_t code);
int msrp_req_start_encode(struct buf *b, const struct pl *tid,
			  const char *method);
int msrp_resp_start_encode(struct buf *b, const struct pl *tid,
			   uint16_t code, const char *comment);
int msrp_hdr_encode(struct buf *b, const char *name, const struct pl *val);
/*
 * End-line; with_body puts the CRLF that ends the content first
 * (RFC 4975 7.1: content CRLF end-line).
 */
int msrp_end_encode(struct buf *b, const struct pl *tid, char flag,
		    bool with_body);
/* A whole response without extra headers: To-Path, From-Path, end. */
int msrp_resp_encode(struct buf *b, const struct pl *tid, uint16_t code,
		     const struct pl *to_path, const struct pl *from_path);
/*
 * A REPORT (RFC 4975 7.1.2) carrying "Status: 000 code reason" for the
 * message msg_id, range the Byte-Range value it is about.
 */
int msrp_report_encode(struct buf *b, const struct pl *tid,
		       const struct pl *to_path, const struct pl *from_path,
		       const struct pl *msg_id, const struct pl *range,
		       uint16_t code);

/* ---- digest (RFC 4976 5.1 with RFC 7616/8760 algorithms) ---- */

enum msrp_alg { MSRP_ALG_MD5 = 0, MSRP_ALG_SHA256 };

/*
 * The account store: the HA1 of user in realm as lowercase hex into
 * ha1 (size sz), 0 or ENOENT. alg is "MD5" or "SHA-256". user and realm are
 * borrowed for the call.
 */
typedef int (msrp_ha1_fn)(void *arg, const struct pl *user,
			  const struct pl *realm, const char *alg, char *ha1,
			  size_t sz);

/* Fields of an Authorization header value ("Digest a=b, c="d""). */
struct msrp_auth {
	struct pl username, realm, nonce, uri, response, algorithm, qop,
		  cnonce, nc, opaque;
};
int msrp_auth_decode(const struct pl *val, struct msrp_auth *a);
/* Value of name (with its '=', e.g. "nonce=") in a WWW-Authenticate
 * challenge, quotes dropped; empty slice when absent. msrp_auth_decode()
 * reads credentials, not challenges. */
struct pl msrp_chal_param(const struct pl *v, const char *name);
/* EINVAL on an unknown algorithm. */
int msrp_alg_parse(const struct pl *name, enum msrp_alg *out);
const char *msrp_alg_name(enum msrp_alg alg);
/*
 * Expected response for method and the credentials in a (qop=auth) given
 * ha1 hex; hex into out (size >= 65). 0 or EINVAL.
 */
int msrp_digest_response(enum msrp_alg alg, const char *ha1,
			 const char *method, const struct msrp_auth *a,
			 char *out, size_t sz);
/* Lowercase hex digest of s, as used for HA1 (user:realm:pass). */
int msrp_digest_hex(enum msrp_alg alg, const struct pl *s, char *out,
		    size_t sz);

/* ---- relay core (RFC 4976) ---- */

/* A network outgoing connections may go to (prefix/bits). */
struct msrp_net {
	struct net_addr pfx;
	unsigned bits;
};
/* "127.0.0.0/8", "::1/128", "10.1.2.3" (host). EINVAL. */
int msrp_net_parse(const struct pl *pl, struct msrp_net *out);

struct msrp_relay_cfg {
	const char *realm;	/* digest realm (the platform domain) */
	const char *host;	/* host in Use-Path; NULL: the local address */
	uint32_t max_conns;
	uint32_t max_sessions;
	uint32_t max_sessions_per_conn;	/* one client cannot take them all */
	uint32_t max_txns;
	uint32_t max_head;	/* start line + headers, bytes */
	uint32_t max_hold;	/* bytes held for a busy next hop */
	uint32_t expires_s;	/* granted when AUTH asks for none */
	uint32_t min_expires_s, max_expires_s;
	uint32_t idle_s;	/* close a connection idle this long */
	uint32_t txn_timeout_s;	/* next hop silent: 408 (RFC 4975 7.1.1) */
	uint32_t nonce_ttl_s;
	uint32_t max_auth_fail;	/* per connection, then 403 and close */
	enum msrp_alg alg;	/* algorithm of the challenge */
	const struct msrp_net *nets;	/* borrowed; outgoing only inside */
	size_t nnets;
	msrp_ha1_fn *ha1;
	void *ha1_arg;
	const struct log *log;	/* borrowed; may be NULL */
};

/* Defaults for every number (a cfg then needs realm, ha1, nets). */
void msrp_relay_cfg_defaults(struct msrp_relay_cfg *cfg);

struct msrp_relay_stats {
	uint64_t conns_in, conns_out, auth_ok, auth_fail, sessions;
	uint64_t fwd_requests, fwd_responses, fwd_bytes, reports_made;
	uint64_t rejected, malformed, interrupted, timeouts;
};

struct msrp_relay;

/*
 * New relay; cfg is copied except the borrowed pointers (nets, log,
 * ha1_arg, strings copied). seed feeds session ids, nonces and
 * transaction ids: the live driver seeds it from getrandom(). ENOMEM,
 * EINVAL.
 */
int msrp_relay_new(struct msrp_relay **rp, const struct msrp_relay_cfg *cfg,
		   uint64_t seed);
void msrp_relay_free(struct msrp_relay *r);

int msrp_relay_input(void *core, uint64_t now_us, const struct net_pkt *in);
int msrp_relay_timeout(void *core, uint64_t now_us);
int msrp_relay_output(void *core, struct net_out *out);
uint64_t msrp_relay_deadline(void *core);
const struct msrp_relay_stats *msrp_relay_stats(const struct msrp_relay *r);
/* Live connections and sessions (tests check tables drain). */
size_t msrp_relay_nconns(const struct msrp_relay *r);
size_t msrp_relay_nsessions(const struct msrp_relay *r);

extern const struct core_ops msrp_relay_ops;

#endif
