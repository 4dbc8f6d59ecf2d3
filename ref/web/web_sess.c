/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Portal sessions, CSRF tokens, the failed-login rate limit and e-mailed
 * codes. All in memory: a refd restart logs everyone out and voids codes
 * in flight, which is the safe direction. Session ids and CSRF tokens are
 * 16 random bytes from cfg->rand; a code is WEB_CODE_LEN digits, valid
 * code_s seconds, for WEB_CODE_TRIES wrong guesses, once.
 *
 * The rate limit mirrors SIP digest auth (ref/sip/auth.c): one token
 * bucket per source address and one per account name (hashed into fixed
 * tables, so memory is bounded whatever names are tried), fail_burst
 * tokens refilled one per fail_refill_s; a failure takes one from each.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "web/web_int.h"

void web_token(struct web *w, char out[WEB_TOKEN_HEX + 1])
{
	static const char hx[] = "0123456789abcdef";
	uint8_t r[WEB_TOKEN_HEX / 2];
	size_t i;

	w->cfg.rand(w->cfg.rand_arg, r, sizeof(r));
	for (i = 0; i < sizeof(r); i++) {
		out[2 * i] = hx[r[i] >> 4];
		out[2 * i + 1] = hx[r[i] & 15];
	}
	out[WEB_TOKEN_HEX] = '\0';
}

static bool ct_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char d = 0;
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

struct web_sess *web_sess_find(struct web *w, const struct pl *cookie,
			       int64_t now_us)
{
	struct pl sid;
	size_t i;

	if (web_cookie_get(cookie, "rtcb_sid", &sid) ||
	    sid.len != WEB_TOKEN_HEX)
		return NULL;
	for (i = 0; i < WEB_MAX_SESS; i++) {
		struct web_sess *s = &w->sess[i];

		if (!s->sid[0] || !ct_eq(s->sid, WEB_TOKEN_HEX, sid.p, sid.len))
			continue;
		if (s->expires_us <= now_us) {
			web_sess_end(s);
			return NULL;
		}
		s->expires_us = now_us + (int64_t)w->cfg.session_s * 1000000;
		return s;
	}
	return NULL;
}

struct web_sess *web_sess_new(struct web *w, const char *aor, int64_t now_us)
{
	struct web_sess *s = NULL;
	size_t i;

	/* A free slot, or an expired one, or the one closest to expiry. */
	for (i = 0; i < WEB_MAX_SESS; i++) {
		struct web_sess *t = &w->sess[i];

		if (!t->sid[0] || t->expires_us <= now_us) {
			s = t;
			break;
		}
		if (!s || t->expires_us < s->expires_us)
			s = t;
	}
	web_sess_end(s);
	web_token(w, s->sid);
	web_token(w, s->csrf);
	snprintf(s->aor, sizeof(s->aor), "%s", aor);
	s->expires_us = now_us + (int64_t)w->cfg.session_s * 1000000;
	return s;
}

void web_sess_end(struct web_sess *s)
{
	if (s)
		memset(s, 0, sizeof(*s));
}

void web_sess_end_user(struct web *w, const char *aor,
		       const struct web_sess *keep)
{
	char who[WEB_AOR_MAX];
	size_t i;

	snprintf(who, sizeof(who), "%s", aor);	/* aor may be a session's */
	for (i = 0; i < WEB_MAX_SESS; i++)
		if (&w->sess[i] != keep && w->sess[i].sid[0] &&
		    !strcmp(w->sess[i].aor, who))
			web_sess_end(&w->sess[i]);
}

bool web_csrf_ok(const struct pl *form, const char *expect)
{
	char got[WEB_TOKEN_HEX + 8];

	if (!expect || !*expect ||
	    web_form_get(form, "csrf", got, sizeof(got)))
		return false;
	return ct_eq(got, strlen(got), expect, strlen(expect));
}

static uint32_t fnv(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

static struct web_bucket *refill(struct web *w, struct web_bucket *b,
				 int64_t now_us)
{
	double burst = w->cfg.fail_burst;

	if (!b->used) {
		b->used = true;
		b->tokens = burst;
	} else if (now_us > b->last_us) {
		b->tokens += (double)(now_us - b->last_us) /
			     ((double)w->cfg.fail_refill_s * 1e6);
		if (b->tokens > burst)
			b->tokens = burst;
	}
	b->last_us = now_us;
	return b;
}

static struct web_bucket *src_bucket(struct web *w, const struct pl *src,
				     int64_t now_us)
{
	return refill(w, &w->by_src[fnv(src->p, src->len) % WEB_NBUCKETS],
		      now_us);
}

static struct web_bucket *user_bucket(struct web *w, const char *user,
				      int64_t now_us)
{
	return refill(w, &w->by_user[fnv(user, strlen(user)) % WEB_NBUCKETS],
		      now_us);
}

bool web_rate_ok(struct web *w, const struct pl *src, const char *user,
		 int64_t now_us)
{
	return src_bucket(w, src, now_us)->tokens >= 1.0 &&
	       user_bucket(w, user, now_us)->tokens >= 1.0;
}

void web_rate_fail(struct web *w, const struct pl *src, const char *user,
		   int64_t now_us)
{
	src_bucket(w, src, now_us)->tokens -= 1.0;
	user_bucket(w, user, now_us)->tokens -= 1.0;
}

int web_code_send(struct web_ctx *c, enum web_code_kind kind, const char *to,
		  const char *subject)
{
	struct web *w = c->w;
	struct web_sess *s = c->s;
	uint8_t r[WEB_CODE_LEN];
	char text[512];
	size_t i;
	int err;

	w->cfg.rand(w->cfg.rand_arg, r, sizeof(r));
	for (i = 0; i < WEB_CODE_LEN; i++)
		s->code[i] = (char)('0' + r[i] % 10);
	s->code[WEB_CODE_LEN] = '\0';
	s->code_kind = kind;
	s->code_used = false;
	s->code_tries = 0;
	s->code_expires_us = c->req->now_us + (int64_t)w->cfg.code_s * 1000000;
	snprintf(text, sizeof(text),
		 "Your confirmation code for %s is:\r\n\r\n    %s\r\n\r\n"
		 "Type it into the portal page within %u minutes. If you did "
		 "not ask for it, ignore this message.\r\n", s->aor, s->code,
		 (unsigned)(w->cfg.code_s / 60));
	err = w->cfg.mail ? w->cfg.mail(w->cfg.mail_arg, to, subject, text)
			  : ENOSYS;
	if (err)
		s->code_kind = WEB_CODE_NONE;
	return err;
}

int web_code_check(struct web_ctx *c, enum web_code_kind kind)
{
	struct web_sess *s = c->s;
	char got[32];
	bool match;

	if (s->code_kind != kind) {
		web_page_msg(c, 400, "Confirmation",
			     "no code was sent for this; start again");
		return EACCES;
	}
	match = !web_form_get(&c->req->body, "code", got, sizeof(got)) &&
		ct_eq(got, strlen(got), s->code, strlen(s->code));
	if (s->code_used) {
		web_page_msg(c, 410, "Confirmation", "code already used");
		return EACCES;
	}
	if (c->req->now_us >= s->code_expires_us) {
		web_page_msg(c, 410, "Confirmation", "code expired");
		return EACCES;
	}
	if (!match) {
		if (++s->code_tries >= WEB_CODE_TRIES) {
			s->code_used = true;	/* no more guesses */
			web_page_msg(c, 400, "Confirmation", "wrong code; too "
				     "many tries, ask for a new one");
		} else {
			web_page_msg(c, 400, "Confirmation", "wrong code");
		}
		return EACCES;
	}
	s->code_used = true;
	return 0;
}
