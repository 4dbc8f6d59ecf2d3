/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Portal core tests through web_route() (no sockets): login with the
 * double-submit CSRF cookie, wrong password, rate limit, cookie flags and
 * security headers, the session gate, CSRF on every POST, e-mailed codes
 * (wrong, used twice, expired), password and voicemail settings, calls
 * paging and the trace ladder with redactions, downloads, contacts, the
 * export, the operator view and its audit rows, account removal, another
 * user's ids answered 404 on every route, and HTML escaping. Then the
 * form/cookie parsers on their own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "policy/policy.h"
#include "store/store.h"
#include "web/web.h"
#include "test_store_util.h"

#define T0 1767225600000000LL	/* 2026-01-01 */
#define APW "Tq7#vLx2!pRz9w"
#define BPW "Bz4%nWq8@kLm3s"

struct fx {
	char dir[64];
	struct store *s;
	struct policy pol;
	struct web *w;
	struct web_resp r;
	uint64_t ctr;
	int https;
	int64_t now;
	char mail_to[128], mail_text[1024];
	int mail_n, mail_fail;
	char cookie[256];	/* "rtcb_sid=..." after login */
	char csrf[40];
	int64_t blocks;
};

static struct fx F;

static void det_rand(void *arg, uint8_t *out, size_t n)
{
	struct fx *f = arg;
	size_t i;

	for (i = 0; i < n; i++) {
		f->ctr = f->ctr * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = (uint8_t)(f->ctr >> 56);
	}
}

static int cap_mail(void *arg, const char *to, const char *subject,
		    const char *text)
{
	struct fx *f = arg;

	(void)subject;
	if (f->mail_fail)
		return EIO;
	snprintf(f->mail_to, sizeof(f->mail_to), "%s", to);
	snprintf(f->mail_text, sizeof(f->mail_text), "%s", text);
	f->mail_n++;
	return 0;
}

static void add_acct(const char *user, const char *pw, const char *email)
{
	struct store_account a = { 0 };
	struct store_hashes h;

	a.user = pl_from_str(user);
	a.domain = pl_from_str("example.test");
	a.email = pl_from_str(email ? email : "");
	a.created_us = T0;
	assert_int_equal(store_hash_password(&a, &h, pw), 0);
	assert_int_equal(store_account_add(F.s, &a, NULL), 0);
	store_hash_fini(&h);
}

static int group_setup(void **state)
{
	char err[256];

	memset(&F, 0, sizeof(F));
	F.blocks = mem_blocks();
	tdir_make(F.dir, sizeof(F.dir), "web");
	if (store_open(&F.s, F.dir, NULL, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	policy_init(&F.pol);
	add_acct("alice", APW, "alice@mail.test");
	add_acct("bob", BPW, "bob@mail.test");
	add_acct("root", APW, NULL);
	*state = &F;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	policy_fini(&F.pol);
	store_close(F.s);
	tdir_remove(F.dir);
	assert_int_equal(mem_blocks(), F.blocks);
	return 0;
}

static int setup(void **state)
{
	struct web_cfg c = { 0 };

	c.domain = "example.test";
	c.operators = "root, ops";
	c.https = F.https;
	c.pol = &F.pol;
	c.rand = det_rand;
	c.rand_arg = &F;
	c.mail = cap_mail;
	c.mail_arg = &F;
	F.now = T0 + 86400000000LL * 10;
	F.mail_n = 0;
	F.mail_fail = 0;
	F.cookie[0] = F.csrf[0] = '\0';
	assert_int_equal(web_new(&F.w, &c, F.s), 0);
	web_resp_init(&F.r);
	*state = &F;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	web_resp_fini(&F.r);
	web_free(F.w);
	F.w = NULL;
	return 0;
}

/* One request; returns the status. target may hold "?query". */
static int req(const char *method, const char *target, const char *body,
	       const char *cookie)
{
	struct web_req q = { 0 };
	const char *qm = strchr(target, '?');

	q.method = pl_from_str(method);
	q.path = pl_from_mem(target, qm ? (size_t)(qm - target)
				  : strlen(target));
	q.query = pl_from_str(qm ? qm + 1 : "");
	q.cookie = pl_from_str(cookie ? cookie : F.cookie);
	q.body = pl_from_str(body ? body : "");
	q.src = pl_from_str("127.0.0.1");
	q.now_us = F.now;
	assert_int_equal(web_route(F.w, &q, &F.r), 0);
	return F.r.status;
}

static const char *body(void)
{
	return F.r.body.data ? (const char *)F.r.body.data : "";
}

static bool has(const char *s)
{
	return strstr(body(), s) != NULL;
}

/* The login form's token and a POST with it; returns the status. */
static int login_as(const char *user, const char *pw)
{
	char tok[40], ck[64], form[256];
	const char *sc, *sid;

	assert_int_equal(req("GET", "/login", NULL, ""), 200);
	sc = web_resp_hdr(&F.r, "Set-Cookie");
	assert_non_null(sc);
	assert_int_equal(sscanf(sc, "rtcb_csrf=%32[0-9a-f]", tok), 1);
	snprintf(ck, sizeof(ck), "rtcb_csrf=%s", tok);
	snprintf(form, sizeof(form), "csrf=%s&user=%s&password=%s", tok, user,
		 pw);
	if (req("POST", "/login", form, ck) != 303)
		return F.r.status;
	sid = web_resp_hdr(&F.r, "Set-Cookie");
	assert_non_null(sid);
	assert_int_equal(sscanf(sid, "rtcb_sid=%32[0-9a-f]", tok), 1);
	snprintf(F.cookie, sizeof(F.cookie), "rtcb_sid=%s", tok);
	/* the session's CSRF token from the page's nav */
	assert_int_equal(req("GET", "/identity", NULL, NULL), 200);
	assert_int_equal(sscanf(strstr(body(), "name=\"csrf\" value=\"") + 19,
				"%32[0-9a-f]", F.csrf), 1);
	return 303;
}

static int post(const char *target, const char *fmt, ...)
{
	char form[1024];
	int n;
	va_list ap;

	n = snprintf(form, sizeof(form), "csrf=%s&", F.csrf);
	va_start(ap, fmt);
	vsnprintf(form + n, sizeof(form) - (size_t)n, fmt, ap);
	va_end(ap);
	n = req("POST", target, form, NULL);
	if (getenv("WEB_DEBUG"))
		fprintf(stderr, "POST %s [%s] -> %d\n%s\n", target, form, n,
			body());
	return n;
}

static void test_web_headers_login(void **state)
{
	static const char *const pw_enc = "Tq7%23vLx2%21pRz9w";
	char ck[300];

	(void)state;
	assert_int_equal(req("GET", "/static/app.js", NULL, ""), 200);
	assert_string_equal(web_resp_hdr(&F.r, "Content-Type"),
			    "text/javascript; charset=utf-8");
	assert_int_equal(req("GET", "/login", NULL, ""), 200);
	assert_string_equal(web_resp_hdr(&F.r, "Content-Security-Policy"),
			    "default-src 'self'; script-src 'self'; "
			    "frame-ancestors 'none'");
	assert_string_equal(web_resp_hdr(&F.r, "X-Frame-Options"), "DENY");
	assert_string_equal(web_resp_hdr(&F.r, "Referrer-Policy"),
			    "no-referrer");
	assert_string_equal(web_resp_hdr(&F.r, "X-Content-Type-Options"),
			    "nosniff");
	assert_string_equal(web_resp_hdr(&F.r, "Cache-Control"), "no-store");
	assert_null(web_resp_hdr(&F.r, "Strict-Transport-Security"));
	assert_true(has("<title>Login") && has("<h1>Login</h1>") &&
		    has("name=\"csrf\"") && has("<nav>"));
	assert_null(strstr(body(), "<script>"));
	/* forged or missing token on the login form */
	assert_int_equal(req("POST", "/login", "csrf=00&user=alice&password=x",
			     "rtcb_csrf=0123456789abcdef0123456789abcdef"), 403);
	assert_true(has("invalid form token"));
	assert_int_equal(req("POST", "/login", "user=alice&password=x", ""),
			 403);
	/* wrong password, unknown user: same 401 page */
	assert_int_equal(login_as("alice", "nope"), 401);
	assert_true(has("wrong user or password"));
	assert_int_equal(login_as("zed", pw_enc), 401);
	assert_true(has("wrong user or password"));
	/* right one: 303 /identity with the cookie flags */
	assert_int_equal(login_as("alice", pw_enc), 303);
	assert_int_equal(req("GET", "/identity", NULL, NULL), 200);
	assert_true(has("<td id=\"email\">alice@mail.test</td>"));
	assert_true(has("<h1>Identity</h1>") && has(">Logout</button>"));
	/* logout needs the token, then ends the session */
	assert_int_equal(req("POST", "/logout", "csrf=bad", NULL), 403);
	assert_true(has("invalid form token"));
	assert_int_equal(post("/logout", "x=1"), 303);
	assert_string_equal(web_resp_hdr(&F.r, "Location"), "/login");
	assert_int_equal(req("GET", "/identity", NULL, NULL), 303);
	assert_string_equal(web_resp_hdr(&F.r, "Location"), "/login");
	/* expired session */
	assert_int_equal(login_as("alice", pw_enc), 303);
	F.now += 1801000000LL;
	assert_int_equal(req("GET", "/calls", NULL, NULL), 303);
	snprintf(ck, sizeof(ck), "%s", F.cookie);
	assert_int_equal(req("GET", "/export", NULL, ck), 303);
	/* unknown page */
	assert_int_equal(req("GET", "/nothing", NULL, NULL), 404);
	assert_int_equal(req("PUT", "/identity", NULL, NULL), 405);
}

static int setup_https(void **state)
{
	F.https = 1;
	return setup(state);
}

static int teardown_https(void **state)
{
	F.https = 0;
	return teardown(state);
}

static void test_web_cookie_flags_https(void **state)
{
	char tok[40], ck[64], form[160];
	const char *sc;

	(void)state;
	assert_int_equal(req("GET", "/login", NULL, ""), 200);
	assert_string_equal(web_resp_hdr(&F.r, "Strict-Transport-Security"),
			    "max-age=31536000");
	sc = web_resp_hdr(&F.r, "Set-Cookie");
	assert_non_null(strstr(sc, "; Secure"));
	assert_int_equal(sscanf(sc, "rtcb_csrf=%32[0-9a-f]", tok), 1);
	snprintf(ck, sizeof(ck), "rtcb_csrf=%s", tok);
	snprintf(form, sizeof(form), "csrf=%s&user=bob&password=%s", tok,
		 "Bz4%25nWq8%40kLm3s");
	assert_int_equal(req("POST", "/login", form, ck), 303);
	assert_string_equal(web_resp_hdr(&F.r, "Location"), "/identity");
	sc = web_resp_hdr(&F.r, "Set-Cookie");
	assert_non_null(strstr(sc, "rtcb_sid="));
	assert_non_null(strstr(sc, "; HttpOnly"));
	assert_non_null(strstr(sc, "; SameSite=Strict"));
	assert_non_null(strstr(sc, "; Path=/"));
	assert_non_null(strstr(sc, "; Secure"));
	assert_non_null(web_resp_hdr(&F.r, "Strict-Transport-Security"));
}

static void test_web_rate_limit(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(login_as("bob", "wrong"), 401);
	/* bucket empty: even the right password waits */
	assert_int_equal(login_as("bob", "Bz4%25nWq8%40kLm3s"), 429);
	assert_true(has("too many failed logins"));
	assert_non_null(web_resp_hdr(&F.r, "Retry-After"));
	F.now += 61000000LL;	/* one token back */
	assert_int_equal(login_as("bob", "Bz4%25nWq8%40kLm3s"), 303);
}

static void test_web_email_codes(void **state)
{
	char code[16];

	(void)state;
	assert_int_equal(login_as("alice", "Tq7%23vLx2%21pRz9w"), 303);
	/* a POST without the token */
	assert_int_equal(req("POST", "/identity/email", "email=a@b.test",
			     NULL), 403);
	assert_int_equal(post("/identity/email", "email=not-an-address"), 400);
	assert_int_equal(post("/identity/email", "email=new%%40mail.test"), 200);
	assert_int_equal(F.mail_n, 1);
	assert_string_equal(F.mail_to, "new@mail.test");
	assert_int_equal(sscanf(strstr(F.mail_text, "is:") + 3, " %8[0-9]",
				code), 1);
	assert_int_equal(post("/identity/email/confirm", "code=00000000"), 400);
	assert_true(has("wrong code"));
	assert_int_equal(post("/identity/email/confirm", "code=%s", code), 200);
	assert_true(has("<td id=\"email\">new@mail.test</td>"));
	assert_int_equal(post("/identity/email/confirm", "code=%s", code), 410);
	assert_true(has("code already used"));
	/* expired */
	assert_int_equal(post("/identity/email", "email=alice%%40mail.test"),
			 200);
	sscanf(strstr(F.mail_text, "is:") + 3, " %8[0-9]", code);
	F.now += 901000000LL;
	assert_int_equal(post("/identity/email/confirm", "code=%s", code), 410);
	assert_true(has("code expired"));
	/* codes never in a URL: a GET is refused */
	assert_int_equal(req("GET", "/identity/email/confirm?code=1", NULL,
			     NULL), 405);
	/* mail failure is said */
	F.mail_fail = 1;
	assert_int_equal(post("/identity/email", "email=alice%%40mail.test"),
			 502);
	F.mail_fail = 0;
	assert_int_equal(post("/identity/email", "email=alice%%40mail.test"),
			 200);
	sscanf(strstr(F.mail_text, "is:") + 3, " %8[0-9]", code);
	assert_int_equal(post("/identity/email/confirm", "code=%s", code), 200);
	assert_true(has("alice@mail.test"));
}

static void test_web_password_voicemail(void **state)
{
	char other[256];

	(void)state;
	assert_int_equal(login_as("bob", "Bz4%25nWq8%40kLm3s"), 303);
	snprintf(other, sizeof(other), "%s", F.cookie);
	assert_int_equal(login_as("bob", "Bz4%25nWq8%40kLm3s"), 303);
	assert_int_equal(post("/identity/password", "old=wrong&new=x"), 403);
	assert_int_equal(post("/identity/password", "old=Bz4%%25nWq8%%40kLm3s"
			      "&new=short"), 400);
	assert_true(has("password shorter than 8 characters"));
	assert_int_equal(post("/identity/password", "old=Bz4%%25nWq8%%40kLm3s"
			      "&new=bob"), 400);
	assert_int_equal(post("/identity/password", "old=Bz4%%25nWq8%%40kLm3s"
			      "&new=N3w-Secr3t-Pw"), 200);
	assert_true(has("Password changed"));
	assert_int_equal(req("GET", "/identity", NULL, NULL), 200);
	assert_int_equal(req("GET", "/identity", NULL, other), 303);
	assert_int_equal(login_as("bob", "Bz4%25nWq8%40kLm3s"), 401);
	assert_int_equal(login_as("bob", "N3w-Secr3t-Pw"), 303);
	/* the SIP HA1 follows */
	{
		struct pl u = PL("bob"), d = PL("example.test");
		char ha1[80];

		assert_int_equal(store_account_ha1(F.s, &u, &d, STORE_HA1_MD5,
						   ha1, sizeof(ha1)), 0);
	}
	assert_int_equal(post("/identity/voicemail", "enabled=on&email=on"),
			 200);
	assert_true(has("<td id=\"voicemail\">on</td>") &&
		    has("<td id=\"vm-email\">on</td>"));
	assert_int_equal(post("/identity/voicemail", "x=1"), 200);
	assert_true(has("<td id=\"voicemail\">off</td>") &&
		    has("<td id=\"vm-email\">off</td>"));
	assert_int_equal(post("/identity/password", "old=N3w-Secr3t-Pw&new="
			      "Bz4%%25nWq8%%40kLm3s"), 200);
}

static void add_cdr(const char *caller, const char *callee, int64_t t,
		    const char *call_id)
{
	struct store_cdr c = { 0 };

	c.call_id = pl_from_str(call_id);
	c.caller = pl_from_str(caller);
	c.callee = pl_from_str(callee);
	c.setup_us = t;
	c.answer_us = t + 1000000;
	c.end_us = t + 5000000;
	c.duration_ms = 4000;
	c.status = 200;
	assert_int_equal(store_cdr_add(F.s, &c), 0);
}

static void add_trace(const char *cid, const char *caller, int out,
		      const char *peer, const char *summary, const char *msg,
		      int64_t t)
{
	struct store_trace tr = { 0 };

	tr.time_us = t;
	tr.call_id = pl_from_str(cid);
	tr.caller = pl_from_str(caller);
	tr.callee = pl_from_str("bob@example.test");
	tr.dir_out = out;
	tr.transport = pl_from_str("udp");
	tr.src = pl_from_str(out ? "127.0.0.1:5060" : peer);
	tr.dst = pl_from_str(out ? peer : "127.0.0.1:5060");
	tr.summary = pl_from_str(summary);
	tr.msg = pl_from_str(msg);
	assert_int_equal(store_trace_add(F.s, &tr), 0);
}

/* The id of the row in the page's "cdr-N" anchor after `after`. */
static long long first_cdr(void)
{
	const char *p = strstr(body(), "id=\"cdr-");

	return p ? atoll(p + 8) : -1;
}

static void test_web_calls_trace_operator(void **state)
{
	char path[64], cid[32];
	long long newest, bobs;
	int i;

	(void)state;
	for (i = 0; i < 30; i++) {
		snprintf(cid, sizeof(cid), "call-%02d", i);
		add_cdr("alice@example.test", "bob@example.test",
			T0 + (int64_t)i * 60000000, cid);
	}
	add_cdr("bob@example.test", "<script>x@example.test",
		T0 + 99 * 60000000LL, "bobs-call");
	add_trace("call-29", "alice@example.test", 0, "127.0.0.1:6000",
		  "INVITE sip:bob@"
		  "example.test SIP/2.0", "INVITE sip:bob@example.test SIP/2.0"
		  "\r\nAuthorization: Digest response=[redacted]\r\n\r\n",
		  T0 + 29 * 60000000LL);
	add_trace("call-29", "alice@example.test", 1, "127.0.0.1:7000",
		  "INVITE sip:bob@"
		  "example.test SIP/2.0", "INVITE ...\r\n\r\na=crypto:1 "
		  "AES_CM_128_HMAC_SHA1_80 inline:[redacted]\r\n",
		  T0 + 29 * 60000000LL + 1000);
	add_trace("call-29", "alice@example.test", 1, "127.0.0.1:6000",
		  "SIP/2.0 200 OK <b>",
		  "SIP/2.0 200 OK\r\n\r\n", T0 + 29 * 60000000LL + 2000);

	assert_int_equal(req("GET", "/calls", NULL, NULL), 303);
	assert_int_equal(login_as("alice", "Tq7%23vLx2%21pRz9w"), 303);
	assert_int_equal(req("GET", "/calls", NULL, NULL), 200);
	assert_true(has("<h1>Calls</h1>") && has("page 1 of 2"));
	newest = first_cdr();
	assert_true(has("Kept until") && has("2026-06-30"));	/* +180 d */
	assert_null(strstr(body(), "bobs-call"));
	assert_int_equal(req("GET", "/calls?page=2", NULL, NULL), 200);
	assert_true(has("page 2 of 2") && first_cdr() < newest);
	assert_int_equal(req("GET", "/calls?page=3", NULL, NULL), 404);
	assert_int_equal(req("GET", "/calls?page=x", NULL, NULL), 400);
	snprintf(path, sizeof(path), "/calls/%lld/trace", newest);
	assert_int_equal(req("GET", path, NULL, NULL), 200);
	if (getenv("WEB_DEBUG"))
		fprintf(stderr, "%s\n", body());
	assert_true(has("<h1>Call trace</h1>") && has("INVITE sip:bob@") &&
		    has("class=\"arrow-r\"") && has("class=\"arrow-l\"") &&
		    has("<span class=\"redacted\">[redacted]</span>") &&
		    has("200 OK &lt;b&gt;"));
	assert_true(has("<th>caller alice@example.test<br>127.0.0.1:6000</th>"
			"<th>platform</th><th>callee bob@example.test<br>"
			"127.0.0.1:7000</th>"));
	assert_null(strstr(body(), "<b>"));
	/* bob's call, by id, from alice: 404 like a missing one */
	bobs = newest + 1;
	snprintf(path, sizeof(path), "/calls/%lld/trace", bobs);
	assert_int_equal(req("GET", path, NULL, NULL), 404);
	assert_int_equal(req("GET", "/calls/999999/trace", NULL, NULL), 404);
	assert_int_equal(req("GET", "/operator?user=bob", NULL, NULL), 404);
	snprintf(path, sizeof(path), "/operator/calls/%lld/trace", bobs);
	assert_int_equal(req("GET", path, NULL, NULL), 404);

	/* operator: search bob, see his call escaped, audit rows */
	assert_int_equal(login_as("root", "Tq7%23vLx2%21pRz9w"), 303);
	assert_int_equal(req("GET", "/operator", NULL, NULL), 200);
	assert_int_equal(req("GET", "/operator?user=bob", NULL, NULL), 200);
	assert_true(has("&lt;script&gt;x@example.test"));
	assert_null(strstr(body(), "<script>x"));
	assert_int_equal(req("GET", path, NULL, NULL), 200);
	assert_true(has("<h1>Call trace</h1>"));
	{
		struct pl u = PL("bob@example.test");
		struct buf b;

		buf_init(&b);
		assert_int_equal(store_export_user(F.s, &u, &b), 0);
		assert_non_null(strstr((char *)b.data, "\"operator_access\""));
		assert_non_null(strstr((char *)b.data, "web cdr search"));
		assert_non_null(strstr((char *)b.data, "web trace"));
		assert_non_null(strstr((char *)b.data, "root@example.test"));
		buf_fini(&b);
	}
}

static void test_web_items(void **state)
{
	static const uint8_t samples[160] = { 0xff };
	struct store_file f = { 0 };
	struct store_vm v = { 0 };
	struct store_msg m = { 0 };
	int64_t fid_bob, fid_alice, vid;
	char path[64];
	struct buf wav;

	(void)state;
	f.time_us = T0;
	f.owner = pl_from_str("bob@example.test");
	f.recipient = pl_from_str("root@example.test");
	f.name = pl_from_str("secret.txt");
	f.content_type = pl_from_str("text/html");
	assert_int_equal(store_file_add(F.s, &f, (const uint8_t *)"bobdata",
					7, &fid_bob), 0);
	f.recipient = pl_from_str("alice@example.test");
	f.name = pl_from_str("../evil\"<name>.html");
	assert_int_equal(store_file_add(F.s, &f, (const uint8_t *)"<h1>x",
					5, &fid_alice), 0);
	buf_init(&wav);
	assert_int_equal(store_wav_g711(&wav, 0, samples, sizeof(samples)), 0);
	v.time_us = T0;
	v.owner = pl_from_str("alice@example.test");
	v.caller = pl_from_str("bob@example.test");
	v.duration_ms = 20;
	assert_int_equal(store_vm_add(F.s, &v, wav.data, wav.len, &vid), 0);
	m.time_us = T0;
	m.sender = pl_from_str("bob@example.test");
	m.recipient = pl_from_str("alice@example.test");
	m.content_type = pl_from_str("text/plain");
	m.body = pl_from_str("hi <img src=x onerror=alert(1)>");
	assert_int_equal(store_msg_add(F.s, &m, NULL), 0);

	assert_int_equal(login_as("alice", "Tq7%23vLx2%21pRz9w"), 303);
	assert_int_equal(req("GET", "/messages", NULL, NULL), 200);
	assert_true(has("hi &lt;img src=x onerror=alert(1)&gt;") &&
		    has(">clear<") && has("2027-01-01"));
	assert_int_equal(req("GET", "/files", NULL, NULL), 200);
	assert_true(has("../evil&quot;&lt;name&gt;.html") &&
		    has("2026-01-31"));
	assert_null(strstr(body(), "secret.txt"));
	snprintf(path, sizeof(path), "/files/%lld", (long long)fid_alice);
	assert_int_equal(req("GET", path, NULL, NULL), 200);
	assert_string_equal(web_resp_hdr(&F.r, "Content-Type"),
			    "application/octet-stream");
	assert_string_equal(web_resp_hdr(&F.r, "Content-Disposition"),
			    "attachment; filename=\"_._evil__name_.html\"");
	assert_int_equal(F.r.body.len, 5);
	snprintf(path, sizeof(path), "/files/%lld", (long long)fid_bob);
	assert_int_equal(req("GET", path, NULL, NULL), 404);
	assert_null(strstr(body(), "bobdata"));
	assert_int_equal(req("GET", "/voicemail", NULL, NULL), 200);
	assert_true(has("bob@example.test") && has("<audio"));
	snprintf(path, sizeof(path), "/voicemail/%lld.wav", (long long)vid);
	assert_int_equal(req("GET", path, NULL, NULL), 200);
	assert_string_equal(web_resp_hdr(&F.r, "Content-Type"), "audio/wav");
	assert_int_equal(F.r.body.len, wav.len);
	assert_memory_equal(F.r.body.data, "RIFF", 4);

	/* bob: alice's voicemail, file and delete are 404 */
	assert_int_equal(login_as("bob", "Bz4%25nWq8%40kLm3s"), 303);
	assert_int_equal(req("GET", path, NULL, NULL), 404);
	snprintf(path, sizeof(path), "/voicemail/%lld/delete", (long long)vid);
	assert_int_equal(post(path, "x=1"), 404);
	assert_int_equal(login_as("alice", "Tq7%23vLx2%21pRz9w"), 303);
	assert_int_equal(req("GET", path, NULL, NULL), 404);	/* GET */
	assert_int_equal(req("POST", path, "x=1", NULL), 403);	/* no csrf */
	assert_int_equal(post(path, "x=1"), 303);
	assert_int_equal(req("GET", "/voicemail", NULL, NULL), 200);
	assert_true(has("No voicemail"));
	buf_fini(&wav);
}

static void test_web_contacts_export(void **state)
{
	const char *cd;

	(void)state;
	assert_int_equal(login_as("alice", "Tq7%23vLx2%21pRz9w"), 303);
	assert_int_equal(req("GET", "/contacts", NULL, NULL), 200);
	assert_true(has("No contacts yet"));
	assert_int_equal(post("/contacts/add", "uri=bob"), 400);
	assert_int_equal(post("/contacts/add", "uri=sip%%3Abob%%40example.test"
			      "&name=Bob+%%3Cb%%3E"), 303);
	assert_int_equal(post("/contacts/add", "uri=sip%%3Acarol%%40example."
			      "test"), 303);
	assert_int_equal(post("/contacts/add", "uri=sip%%3Abob%%40example.test"),
			 409);
	assert_int_equal(req("GET", "/contacts", NULL, NULL), 200);
	assert_true(has("Bob &lt;b&gt;") && has("sip:carol@example.test"));
	assert_int_equal(post("/contacts/remove", "uri=sip%%3Abob%%40example."
			      "test"), 303);
	assert_int_equal(post("/contacts/remove", "uri=sip%%3Abob%%40example."
			      "test"), 404);
	assert_int_equal(req("GET", "/contacts", NULL, NULL), 200);
	assert_null(strstr(body(), "sip:bob@example.test</td>"));
	assert_true(has("sip:carol@example.test"));

	assert_int_equal(req("GET", "/export", NULL, NULL), 200);
	cd = web_resp_hdr(&F.r, "Content-Disposition");
	assert_non_null(cd);
	assert_non_null(strstr(cd, "attachment"));
	assert_string_equal(web_resp_hdr(&F.r, "Content-Type"),
			    "application/json");
	assert_true(has("\"user\": \"alice@example.test\"") &&
		    has("sip:carol@example.test") && has("call-29"));
	assert_null(strstr(body(), "bobs-call"));
	assert_null(strstr(body(), "$argon2"));
}

static int audit_cb(void *arg, int64_t t, const struct pl *actor,
		    const struct pl *action, const struct pl *detail)
{
	(void)t; (void)actor; (void)action; (void)detail;
	(*(int *)arg)++;
	return 0;
}

static int count_audit(const char *aor)
{
	struct pl u = pl_from_str(aor);
	int n = 0;

	assert_int_equal(store_audit_list_user(F.s, &u, audit_cb, &n), 0);
	return n;
}

static void test_web_remove(void **state)
{
	char code[16], other[256];

	(void)state;
	add_acct("dave", APW, "dave@mail.test");
	add_cdr("dave@example.test", "bob@example.test", T0, "dave-call");
	{
		struct store_purchase p = { 0 };

		p.time_us = T0;
		p.user = pl_from_str("dave@example.test");
		p.amount_cents = 100;
		assert_int_equal(store_purchase_add(F.s, &p, NULL), 0);
	}
	assert_int_equal(login_as("root", "Tq7%23vLx2%21pRz9w"), 303);
	assert_int_equal(post("/identity/remove", "x=1"), 409);	/* no e-mail */
	assert_int_equal(req("GET", "/operator?user=dave", NULL, NULL), 200);
	assert_int_equal(count_audit("dave@example.test"), 1);
	assert_int_equal(login_as("dave", "Tq7%23vLx2%21pRz9w"), 303);
	snprintf(other, sizeof(other), "%s", F.cookie);	/* a 2nd browser */
	assert_int_equal(login_as("dave", "Tq7%23vLx2%21pRz9w"), 303);
	assert_int_equal(post("/identity/remove/confirm", "code=1"), 400);
	assert_int_equal(post("/identity/remove", "x=1"), 200);
	assert_true(has("<h1>Remove account</h1>") &&
		    has("action=\"/identity/remove/confirm\""));
	assert_string_equal(F.mail_to, "dave@mail.test");
	sscanf(strstr(F.mail_text, "is:") + 3, " %8[0-9]", code);
	assert_int_equal(post("/identity/remove/confirm", "code=%s", code), 200);
	assert_true(has("account removed; kept: billing records until "
			"2032-12-30") && has("(1 records held)"));
	/* session gone, login gone, data gone */
	assert_int_equal(post("/identity/remove/confirm", "code=%s", code), 303);
	assert_int_equal(req("GET", "/calls", NULL, NULL), 303);
	assert_int_equal(req("GET", "/export", NULL, other), 303);
	assert_int_equal(login_as("dave", "Tq7%23vLx2%21pRz9w"), 401);
	assert_int_equal(count_audit("dave@example.test"), 0);	/* P18 */
	{
		struct pl u = PL("dave@example.test");
		struct buf b;

		buf_init(&b);
		assert_int_equal(store_export_user(F.s, &u, &b), 0);
		assert_null(strstr((char *)b.data, "dave-call"));
		assert_non_null(strstr((char *)b.data, "\"billing\""));
		buf_fini(&b);
	}
}

static void test_web_form_parsers(void **state)
{
	struct pl f = PL("a=1&b=x+y%21&c=%zz&d=%00&e=&f&csrf=t&a=2&g=%4"),
		  ck = PL("x=1; rtcb_sid=abc ; y=\"q\"");
	char v[8];
	struct buf b;
	struct pl val;

	(void)state;
	assert_int_equal(web_form_get(&f, "a", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	assert_int_equal(web_form_get(&f, "b", v, sizeof(v)), 0);
	assert_string_equal(v, "x y!");
	assert_int_equal(web_form_get(&f, "c", v, sizeof(v)), EBADMSG);
	assert_int_equal(web_form_get(&f, "d", v, sizeof(v)), EBADMSG);
	assert_int_equal(web_form_get(&f, "g", v, sizeof(v)), EBADMSG);
	assert_int_equal(web_form_get(&f, "e", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(web_form_get(&f, "f", v, sizeof(v)), 0);
	assert_int_equal(web_form_get(&f, "zz", v, sizeof(v)), ENOENT);
	assert_int_equal(web_form_get(&f, "b", v, 3), EOVERFLOW);
	assert_int_equal(web_cookie_get(&ck, "rtcb_sid", &val), 0);
	assert_true(pl_eq_str(&val, "abc"));
	assert_int_equal(web_cookie_get(&ck, "y", &val), 0);
	assert_true(pl_eq_str(&val, "q"));
	assert_int_equal(web_cookie_get(&ck, "rtcb", &val), ENOENT);
	buf_init(&b);
	assert_int_equal(web_esc_str(&b, "<a href='x'>&\"</a>"), 0);
	assert_string_equal((char *)b.data,
			    "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
	buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_web_form_parsers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_web_headers_login, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_web_cookie_flags_https,
						setup_https, teardown_https),
		cmocka_unit_test_setup_teardown(test_web_rate_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_web_email_codes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_web_password_voicemail,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_web_calls_trace_operator,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_web_items, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_web_contacts_export,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_web_remove, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("web", tests, group_setup,
					   group_teardown);
}
