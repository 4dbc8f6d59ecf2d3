/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to ref/web: the portal state (sessions, login rate buckets),
 * one request's context, and the page and session helpers the route
 * files share.
 */
#ifndef WEB_WEB_INT_H
#define WEB_WEB_INT_H

#include <stdbool.h>
#include "web/web.h"

#define WEB_MAX_SESS	1024
#define WEB_NBUCKETS	1024
#define WEB_TOKEN_HEX	32	/* 16 random bytes */
#define WEB_AOR_MAX	256
#define WEB_CODE_LEN	8	/* digits the user types */
#define WEB_CODE_TRIES	5

enum web_code_kind { WEB_CODE_NONE = 0, WEB_CODE_EMAIL, WEB_CODE_REMOVE };

struct web_sess {
	char sid[WEB_TOKEN_HEX + 1];	/* cookie value; empty: free slot */
	char csrf[WEB_TOKEN_HEX + 1];
	char aor[WEB_AOR_MAX];
	int64_t expires_us;
	bool op;			/* operator */
	/* the one pending e-mailed code of this session */
	enum web_code_kind code_kind;
	char code[WEB_CODE_LEN + 1];
	char new_email[WEB_AOR_MAX];
	int64_t code_expires_us;
	bool code_used;
	unsigned code_tries;
};

struct web_bucket {
	double tokens;
	int64_t last_us;
	bool used;
};

struct web {
	struct web_cfg cfg;
	struct store *st;
	char *domain, *realm, *operators;
	struct web_sess sess[WEB_MAX_SESS];
	struct web_bucket by_src[WEB_NBUCKETS];
	struct web_bucket by_user[WEB_NBUCKETS];
	char *dummy_hash;	/* argon2id of a random password */
};

/* One request being answered. */
struct web_ctx {
	struct web *w;
	const struct web_req *req;
	struct web_resp *resp;
	struct web_sess *s;	/* NULL: not logged in */
	struct pl user;		/* s->aor as a slice */
};

/* ---- web_page.c --------------------------------------------------------- */

int web_hdr_add(struct web_resp *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Status, security headers, text/html; then the page head and nav. */
int web_page_begin(struct web_ctx *c, int status, const char *title);
int web_page_end(struct web_ctx *c);
/* A whole page with one paragraph (escaped). */
int web_page_msg(struct web_ctx *c, int status, const char *title,
		 const char *text);
/* 404, the same for missing and someone else's. */
int web_not_found(struct web_ctx *c);
int web_redirect(struct web_ctx *c, const char *to);
/* <input type=hidden name=csrf> of the session. */
int web_csrf_input(struct web_ctx *c);
/* Security headers only (for downloads). */
int web_base_headers(struct web_ctx *c, int status, const char *ctype);
/* GET /static/...: 0 and served, or ENOENT. */
int web_static(struct web_ctx *c, const struct pl *path);
/* "YYYY-MM-DD" of a time in microseconds. */
void web_date(int64_t us, char *out, size_t sz);

/* ---- web_sess.c ---------------------------------------------------------- */

void web_token(struct web *w, char out[WEB_TOKEN_HEX + 1]);
struct web_sess *web_sess_find(struct web *w, const struct pl *cookie,
			       int64_t now_us);
struct web_sess *web_sess_new(struct web *w, const char *aor,
			      int64_t now_us);
void web_sess_end(struct web_sess *s);
/* End every session of aor but keep (NULL: all). */
void web_sess_end_user(struct web *w, const char *aor,
		       const struct web_sess *keep);
/* Constant-time: the form's csrf equals the expected token. */
bool web_csrf_ok(const struct pl *form, const char *expect);
/* Login rate limit: false when src or user has no token left. */
bool web_rate_ok(struct web *w, const struct pl *src, const char *user,
		 int64_t now_us);
void web_rate_fail(struct web *w, const struct pl *src, const char *user,
		   int64_t now_us);
/* Draw a code into s, e-mail it to `to`. 0 or the mail errno. */
int web_code_send(struct web_ctx *c, enum web_code_kind kind, const char *to,
		  const char *subject);
/*
 * Check the form's code for kind: 0 (consumed), or a page was written
 * (410 used/expired, 400 wrong) and EACCES returned.
 */
int web_code_check(struct web_ctx *c, enum web_code_kind kind);

/* ---- route files --------------------------------------------------------- */

int web_login_get(struct web_ctx *c);
int web_login_post(struct web_ctx *c);
int web_identity(struct web_ctx *c, const struct pl *sub);
int web_calls(struct web_ctx *c, const struct pl *sub);
int web_messages(struct web_ctx *c);
int web_files(struct web_ctx *c, const struct pl *sub);
int web_voicemail(struct web_ctx *c, const struct pl *sub);
int web_contacts(struct web_ctx *c, const struct pl *sub);
int web_export(struct web_ctx *c);
int web_operator(struct web_ctx *c, const struct pl *sub);
/* The trace ladder of a CDR (user NULL: operator, any call). */
int web_trace_page(struct web_ctx *c, int64_t cdr_id, const struct pl *user);

bool web_is_post(const struct web_ctx *c);
/* A decimal id from a path segment; EINVAL. */
int web_id(const struct pl *seg, int64_t *id);

#endif
