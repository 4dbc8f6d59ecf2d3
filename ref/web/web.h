/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The self-care portal (issue 9): server-rendered HTML pages where a user
 * logs in with the SIP account and sees and controls their own data
 * (identity, calls and their SIP ladders, messages, files, voicemail,
 * contacts, export, account removal), plus an operator view of any user's
 * CDRs and traces with every access written to the audit log.
 *
 * Two layers, like ref/xcap. web_route() is the core: one parsed HTTP
 * request in, one response out, no sockets, no clock (req->now_us), no
 * randomness of its own (cfg->rand) and no SMTP (cfg->mail): unit tests
 * drive it directly. web_http_* is the thin libmicrohttpd adapter refd
 * runs on [web] listen.
 *
 * One struct web is used from one thread (the adapter's polling thread);
 * it owns the in-memory sessions, login rate limits and e-mailed codes,
 * and borrows the store connection and the policy.
 */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/pl.h"
#include "policy/policy.h"
#include "store/store.h"

struct web;

/* Fill n bytes with secret-grade randomness (libsodium in the adapter). */
typedef void (web_rand_fn)(void *arg, uint8_t *out, size_t n);
/* Send one plain-text e-mail; 0 or an errno (the page says it failed). */
typedef int (web_mail_fn)(void *arg, const char *to, const char *subject,
			  const char *text);

struct web_cfg {
	const char *domain;	/* the users' domain: "alice" -> alice@domain */
	const char *realm;	/* digest realm for new HA1s; NULL: domain */
	const char *operators;	/* "a,b": user names with the operator view */
	int https;		/* Secure cookies and HSTS */
	uint32_t session_s;	/* idle session lifetime; 0: 1800 */
	uint32_t code_s;	/* e-mailed code lifetime; 0: 900 */
	uint32_t fail_burst;	/* failed logins allowed per IP and per
				 * account before 429; 0: 5 */
	uint32_t fail_refill_s;	/* one more try every this; 0: 60 */
	const struct policy *pol;	/* retention dates, password rules */
	web_rand_fn *rand;
	void *rand_arg;
	web_mail_fn *mail;
	void *mail_arg;
};

struct web_req {
	struct pl method;	/* "GET" "POST" ("HEAD" is served as GET) */
	struct pl path;		/* URL path without the query */
	struct pl query;	/* after '?', raw */
	struct pl cookie;	/* Cookie header value */
	struct pl body;		/* application/x-www-form-urlencoded */
	struct pl src;		/* client address, for the login rate limit */
	int64_t now_us;		/* wall clock */
};

#define WEB_MAX_HDRS 16

struct web_hdr {
	const char *name;	/* static string */
	char value[200];
};

struct web_resp {
	int status;
	struct web_hdr hdr[WEB_MAX_HDRS];	/* all headers to send */
	size_t nhdr;
	struct buf body;
};

/* Take the store and policy (borrowed, must outlive w). */
int web_new(struct web **wp, const struct web_cfg *cfg, struct store *st);
void web_free(struct web *w);

void web_resp_init(struct web_resp *r);
void web_resp_fini(struct web_resp *r);
/* The value of header name in r, or NULL. */
const char *web_resp_hdr(const struct web_resp *r, const char *name);

/*
 * Answer one request: 0 with resp filled (client errors are pages with
 * their status), or ENOMEM/EIO when the store fails (the adapter answers
 * 500). Every response carries the security headers.
 */
int web_route(struct web *w, const struct web_req *req,
	      struct web_resp *resp);

/* ---- parsing helpers (web_form.c), fuzzed by fuzz_web_form ---------- */

/*
 * Value of name in an application/x-www-form-urlencoded string (a form
 * body or a query), '+' and %XX decoded into out (NUL-terminated). 0,
 * ENOENT (absent), EBADMSG (bad escape, NUL or control byte in the
 * value), EOVERFLOW (longer than outsz - 1). A repeated name: the first.
 */
int web_form_get(const struct pl *form, const char *name, char *out,
		 size_t outsz);
/* Value of cookie name in a Cookie header into val (borrowed). ENOENT. */
int web_cookie_get(const struct pl *hdr, const char *name, struct pl *val);
/* HTML-escape s (& < > " ') onto b. */
int web_esc(struct buf *b, const struct pl *s);
int web_esc_str(struct buf *b, const char *s);

/* ---- libmicrohttpd adapter (web_http.c) ------------------------------ */

struct web_http;

struct web_http_cfg {
	const char *listen;	/* "127.0.0.1:8443", port 0: any */
	const char *data_dir;	/* opens its own store connection */
	const char *tls_cert;	/* PEM files; both NULL: plain HTTP */
	const char *tls_key;
	struct web_cfg web;	/* rand/mail NULL: libsodium / push_mail */
	const char *smtp_url;	/* [mail] smtp; NULL: mail fails */
	const char *mail_from;	/* [mail] from */
};

int web_http_start(struct web_http **hp, const struct web_http_cfg *cfg,
		   char *err, size_t errsz);
uint16_t web_http_port(const struct web_http *h);
void web_http_stop(struct web_http *h);

#endif
