/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The portal core's entry: web_new/web_free, web_route() (static files,
 * login, then the session and CSRF gate in front of every other page) and
 * the login and logout handlers. The login form's CSRF token is a
 * double-submit cookie (rtcb_csrf) since there is no session yet; after
 * login the session holds the token every form carries.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "web/web_int.h"

int web_new(struct web **wp, const struct web_cfg *cfg, struct store *st)
{
	struct web *w;

	if (!wp || !cfg || !cfg->domain || !cfg->rand || !st)
		return EINVAL;
	w = mem_zalloc(sizeof(*w));
	if (!w)
		return ENOMEM;
	w->cfg = *cfg;
	w->st = st;
	w->domain = mem_strdup(cfg->domain);
	w->realm = mem_strdup(cfg->realm ? cfg->realm : cfg->domain);
	w->operators = mem_strdup(cfg->operators ? cfg->operators : "");
	if (!w->domain || !w->realm || !w->operators) {
		web_free(w);
		return ENOMEM;
	}
	w->cfg.domain = w->domain;
	w->cfg.realm = w->realm;
	w->cfg.operators = w->operators;
	if (!w->cfg.session_s)
		w->cfg.session_s = 1800;
	if (!w->cfg.code_s)
		w->cfg.code_s = 900;
	if (!w->cfg.fail_burst)
		w->cfg.fail_burst = 5;
	if (!w->cfg.fail_refill_s)
		w->cfg.fail_refill_s = 60;
	*wp = w;
	return 0;
}

void web_free(struct web *w)
{
	if (!w)
		return;
	mem_free(w->domain);
	mem_free(w->realm);
	mem_free(w->operators);
	mem_free(w->dummy_hash);
	memset(w->sess, 0, sizeof(w->sess));
	mem_free(w);
}

void web_resp_init(struct web_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
}

void web_resp_fini(struct web_resp *r)
{
	buf_fini(&r->body);
	r->nhdr = 0;
}

const char *web_resp_hdr(const struct web_resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++)
		if (!strcasecmp(r->hdr[i].name, name))
			return r->hdr[i].value;
	return NULL;
}

bool web_is_post(const struct web_ctx *c)
{
	return pl_eq_str(&c->req->method, "POST");
}

int web_id(const struct pl *seg, int64_t *id)
{
	uint64_t v;

	if (!seg->len || seg->len > 18 || pl_to_u64(seg, &v) || !v)
		return EINVAL;
	*id = (int64_t)v;
	return 0;
}

static bool is_operator(const struct web *w, const char *user)
{
	struct pl rest = pl_from_str(w->operators), one;

	while (rest.len) {
		pl_split(&rest, ',', &one, &rest);
		pl_trim(&one);
		if (one.len && pl_eq_str(&one, user))
			return true;
	}
	return false;
}

/* ---- login ---------------------------------------------------------------- */

static const char *cookie_flags(const struct web *w)
{
	return w->cfg.https ? "; HttpOnly; SameSite=Strict; Path=/; Secure"
			    : "; HttpOnly; SameSite=Strict; Path=/";
}

static int login_form(struct web_ctx *c, int status, const char *token,
		      const char *msg)
{
	struct buf *b = &c->resp->body;
	int err = web_page_begin(c, status, "Login");

	if (!err && msg) {
		err = buf_put_str(b, "<p class=\"err\">");
		err = err ? err : web_esc_str(b, msg);
		err = err ? err : buf_put_str(b, "</p>\n");
	}
	err = err ? err : buf_printf(b, "<form method=\"post\" action=\""
		"/login\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		"<label>User <input name=\"user\" autocomplete=\"username\" "
		"required></label> <label>Password <input type=\"password\" "
		"name=\"password\" autocomplete=\"current-password\" required>"
		"</label> <button type=\"submit\">Log in</button></form>\n",
		token);
	return err ? err : web_page_end(c);
}

int web_login_get(struct web_ctx *c)
{
	char tok[WEB_TOKEN_HEX + 1];
	int err;

	web_token(c->w, tok);
	err = login_form(c, 200, tok, NULL);
	return err ? err : web_hdr_add(c->resp, "Set-Cookie", "rtcb_csrf=%s%s",
				       tok, cookie_flags(c->w));
}

struct pwcopy {
	char hash[160];
	bool found;
};

static int copy_hash(void *arg, const struct store_account *a)
{
	struct pwcopy *p = arg;

	p->found = !pl_strcpy(&a->pwhash, p->hash, sizeof(p->hash));
	return 0;
}

/*
 * Same argon2id work for an unknown user as for a known one: the dummy hash
 * has the policy's cost, like the accounts' own.
 */
static void dummy_verify(struct web *w, const char *password)
{
	struct store_kdf kdf = policy_kdf(w->cfg.pol);
	struct store_account a = { 0 };
	struct store_hashes h;
	struct pl ph;
	uint8_t r[16];
	char pw[40];
	size_t i;

	if (!w->dummy_hash) {
		w->cfg.rand(w->cfg.rand_arg, r, sizeof(r));
		for (i = 0; i < sizeof(r); i++)
			snprintf(pw + 2 * i, 3, "%02x", r[i]);
		a.user = pl_from_str("x");
		a.domain = pl_from_str(w->domain);
		if (!store_hash_password_kdf(&a, &h, NULL, pw, &kdf))
			w->dummy_hash = mem_strdup(h.pwhash);
		store_hash_fini(&h);
	}
	if (w->dummy_hash) {
		ph = pl_from_str(w->dummy_hash);
		(void)store_pwhash_verify(&ph, password);
	}
}

int web_login_post(struct web_ctx *c)
{
	struct web *w = c->w;
	const struct web_req *q = c->req;
	char user[128], pw[256], aor[WEB_AOR_MAX], *at;
	struct pwcopy pc = { .found = false };
	struct web_sess *s;
	struct pl tok, apl;
	int err;

	if (web_cookie_get(&q->cookie, "rtcb_csrf", &tok) ||
	    tok.len != WEB_TOKEN_HEX || pl_strcpy(&tok, aor, sizeof(aor)) ||
	    !web_csrf_ok(&q->body, aor))
		return web_page_msg(c, 403, "Forbidden", "invalid form token");
	if (web_form_get(&q->body, "user", user, sizeof(user)) ||
	    web_form_get(&q->body, "password", pw, sizeof(pw)) || !*user)
		return login_form(c, 400, aor, "user and password required");
	/* "alice" or "alice@<our domain>"; the bucket is the bare name. */
	if ((at = strchr(user, '@'))) {
		if (strcasecmp(at + 1, w->domain)) {
			*at = '\0';
			at = user;	/* a foreign domain never matches */
		} else {
			*at = '\0';
			at = NULL;
		}
	}
	if (!web_rate_ok(w, &q->src, user, q->now_us)) {
		err = web_page_msg(c, 429, "Login", "too many failed logins; "
				   "try again later");
		return err ? err : web_hdr_add(c->resp, "Retry-After", "%u",
					       (unsigned)w->cfg.fail_refill_s);
	}
	snprintf(aor, sizeof(aor), "%s@%s", user, w->domain);
	apl = pl_from_str(aor);
	if (!at && strpbrk(user, "@ \t\r\n") == NULL) {
		err = store_account_get(w->st, &apl, copy_hash, &pc);
		if (err && err != ENOENT)
			return err;
	}
	if (pc.found) {
		struct pl ph = pl_from_str(pc.hash);

		err = store_pwhash_verify(&ph, pw);
	} else {
		dummy_verify(w, pw);
		err = EACCES;
	}
	memset(pw, 0, sizeof(pw));
	if (err) {
		web_rate_fail(w, &q->src, user, q->now_us);
		if (web_cookie_get(&q->cookie, "rtcb_csrf", &tok) ||
		    pl_strcpy(&tok, pc.hash, sizeof(pc.hash)))
			pc.hash[0] = '\0';
		return login_form(c, 401, pc.hash, "wrong user or password");
	}
	s = web_sess_new(w, aor, q->now_us);
	s->op = is_operator(w, user);
	c->s = s;
	err = web_redirect(c, "/identity");
	err = err ? err : web_hdr_add(c->resp, "Set-Cookie", "rtcb_sid=%s%s",
				      s->sid, cookie_flags(w));
	err = err ? err : web_hdr_add(c->resp, "Set-Cookie", "rtcb_csrf=;"
				      " Max-Age=0%s", cookie_flags(w));
	return err;
}

static int logout(struct web_ctx *c)
{
	int err;

	web_sess_end(c->s);
	c->s = NULL;
	err = web_redirect(c, "/login");
	return err ? err : web_hdr_add(c->resp, "Set-Cookie", "rtcb_sid=;"
				       " Max-Age=0%s", cookie_flags(c->w));
}

/* ---- dispatch ------------------------------------------------------------- */

typedef int (route_fn)(struct web_ctx *c, const struct pl *sub);

static int r_messages(struct web_ctx *c, const struct pl *sub)
{
	return sub->len ? web_not_found(c) : web_messages(c);
}

static int r_export(struct web_ctx *c, const struct pl *sub)
{
	return sub->len ? web_not_found(c) : web_export(c);
}

static int r_logout(struct web_ctx *c, const struct pl *sub)
{
	if (sub->len)
		return web_not_found(c);
	if (!web_is_post(c))
		return web_page_msg(c, 405, "Logout", "use the Logout button");
	return logout(c);
}

static const struct {
	const char *name;
	route_fn *fn;
} routes[] = {
	{ "identity", web_identity }, { "calls", web_calls },
	{ "messages", r_messages }, { "files", web_files },
	{ "voicemail", web_voicemail }, { "contacts", web_contacts },
	{ "export", r_export }, { "operator", web_operator },
	{ "logout", r_logout },
};

int web_route(struct web *w, const struct web_req *req,
	      struct web_resp *resp)
{
	struct web_ctx c = { .w = w, .req = req, .resp = resp };
	struct pl top, sub, path = req->path;
	size_t i;
	int err;

	buf_reset(&resp->body);
	resp->nhdr = 0;
	if (!pl_eq_str(&req->method, "GET") &&
	    !pl_eq_str(&req->method, "HEAD") && !web_is_post(&c)) {
		err = web_page_msg(&c, 405, "Method not allowed",
				   "only GET and POST are served here");
		return err ? err : web_hdr_add(resp, "Allow", "GET, HEAD, POST");
	}
	if (!web_static(&c, &path))
		return 0;
	if (pl_eq_str(&path, "/") || !path.len)
		return web_redirect(&c, "/identity");
	if (pl_eq_str(&path, "/login"))
		return web_is_post(&c) ? web_login_post(&c) : web_login_get(&c);
	if (path.p[0] != '/')
		return web_not_found(&c);
	pl_advance(&path, 1);
	if (pl_split(&path, '/', &top, &sub) == 0) {
		sub.p--;	/* keep the slash: "/12/trace" */
		sub.len++;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (pl_eq_str(&top, routes[i].name))
			break;
	if (i == sizeof(routes) / sizeof(routes[0]))
		return web_not_found(&c);
	c.s = web_sess_find(w, &req->cookie, req->now_us);
	if (!c.s)
		return web_redirect(&c, "/login");
	c.user = pl_from_str(c.s->aor);
	if (web_is_post(&c) && !web_csrf_ok(&req->body, c.s->csrf))
		return web_page_msg(&c, 403, "Forbidden", "invalid form token");
	return routes[i].fn(&c, &sub);
}
