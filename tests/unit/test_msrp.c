/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of MSRP framing, URIs, header values, encoders and digest
 * (ref/msrp/msrp_frame.c, msrp_uri.c, msrp_enc.c, msrp_auth.c). The stream
 * parser is fed every message whole, byte by byte and split at every
 * position, and must give the same head and the same content each time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "msrp/msrp.h"
#include "mem_testutil.h"

/* What one run of the parser over some input produced. */
struct run {
	int nhead, nend, err;
	char tid[40], method[16], flag;
	uint16_t scode;
	bool has_body;
	char to[128];
	struct buf body;
	size_t nmsgs;
};

static void run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
}

static void on_ev(struct run *r, const struct msrp_ev *ev)
{
	const struct msrp_hdr *h;

	switch (ev->kind) {
	case MSRP_EV_HEAD:
		r->nhead++;
		pl_strcpy(&ev->msg->tid, r->tid, sizeof(r->tid));
		pl_strcpy(&ev->msg->method, r->method, sizeof(r->method));
		r->scode = ev->msg->scode;
		r->has_body = ev->msg->has_body;
		h = msrp_msg_hdr(ev->msg, MSRP_H_TO_PATH);
		assert_non_null(h);
		pl_strcpy(&h->val, r->to, sizeof(r->to));
		break;
	case MSRP_EV_DATA:
		assert_true(ev->data.len > 0);
		assert_int_equal(buf_put(&r->body, ev->data.p, ev->data.len),
				 0);
		break;
	case MSRP_EV_END:
		r->nend++;
		r->flag = ev->flag;
		break;
	}
}

/* Feed s in pieces cut at the offsets cuts[0..n). */
static void feed(struct run *r, const char *s, size_t len,
		 const size_t *cuts, size_t n)
{
	struct msrp_parser p;
	struct msrp_ev ev;
	size_t at = 0, i;
	int err = 0;

	msrp_parser_init(&p, 4096);
	for (i = 0; i <= n && !r->err; i++) {
		size_t end = i < n ? cuts[i] : len;
		struct pl in = pl_from_mem(s + at, end - at);

		while ((err = msrp_parse(&p, &in, &ev)) == 0)
			on_ev(r, &ev);
		if (err != ENODATA)
			r->err = err;
		else
			assert_int_equal(in.len, 0);
		at = end;
	}
	msrp_parser_fini(&p);
}

#define SEND1 "MSRP a786hjs2 SEND\r\n" \
	"To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n" \
	"From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n" \
	"Message-ID: 87652491\r\n" \
	"Byte-Range: 1-25/25\r\n" \
	"Content-Type: text/plain\r\n" \
	"\r\n"
#define BODY1 "Hey Bob, are you there?\r\n-------a786hjs2 not the end\r\n" \
	"x-------a786hjs2$ also not\r\n-------zzzzzzzz$\r\n\r\n--" \
	"\r\n-------a786hjs2x\r\r\n"

static void test_msrp_parse_whole_and_split(void **state)
{
	static const char msg[] = SEND1 BODY1 "\r\n-------a786hjs2$\r\n";
	size_t len = sizeof(msg) - 1, cut, i, cuts[2];
	struct run whole, r;

	(void)state;
	run_init(&whole);
	feed(&whole, msg, len, NULL, 0);
	assert_int_equal(whole.err, 0);
	assert_int_equal(whole.nhead, 1);
	assert_int_equal(whole.nend, 1);
	assert_string_equal(whole.tid, "a786hjs2");
	assert_string_equal(whole.method, "SEND");
	assert_true(whole.has_body);
	assert_int_equal(whole.flag, '$');
	assert_int_equal(whole.body.len, sizeof(BODY1) - 1);
	assert_memory_equal(whole.body.data, BODY1, whole.body.len);

	/* every two-piece and a sweep of three-piece splits */
	for (cut = 1; cut < len; cut++) {
		run_init(&r);
		feed(&r, msg, len, &cut, 1);
		assert_int_equal(r.err, 0);
		assert_int_equal(r.nhead, 1);
		assert_int_equal(r.nend, 1);
		assert_int_equal(r.body.len, whole.body.len);
		assert_memory_equal(r.body.data, whole.body.data, r.body.len);
		buf_fini(&r.body);
		for (i = cut + 1; i < len; i += 7) {
			cuts[0] = cut;
			cuts[1] = i;
			run_init(&r);
			feed(&r, msg, len, cuts, 2);
			assert_int_equal(r.err, 0);
			assert_int_equal(r.nend, 1);
			assert_int_equal(r.body.len, whole.body.len);
			assert_memory_equal(r.body.data, BODY1, r.body.len);
			buf_fini(&r.body);
		}
	}
	/* byte by byte */
	{
		size_t *all = malloc(len * sizeof(size_t));

		for (i = 0; i < len - 1; i++)
			all[i] = i + 1;
		run_init(&r);
		feed(&r, msg, len, all, len - 1);
		free(all);
		assert_int_equal(r.err, 0);
		assert_int_equal(r.nend, 1);
		assert_memory_equal(r.body.data, BODY1, r.body.len);
		buf_fini(&r.body);
	}
	buf_fini(&whole.body);
}

static void test_msrp_parse_no_body_and_pipelined(void **state)
{
	static const char msgs[] =
		"MSRP a786hjs2 200 OK\r\n"
		"To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
		"From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
		"-------a786hjs2$\r\n"
		"MSRP dkei38sd REPORT\r\n"
		"To-Path: msrp://a.example.org:9000/kjfjan;tcp\r\n"
		"From-Path: msrp://b.example.net:9000/aeiug;tcp\r\n"
		"Message-ID: 12339sdqwer\r\n"
		"Byte-Range: 1-106/106\r\n"
		"Status: 000 200 OK\r\n"
		"-------dkei38sd$\r\n"
		"MSRP e1e1e1e1 SEND\r\n"
		"To-Path: msrp://b.example.net:9000/aeiug;tcp\r\n"
		"From-Path: msrp://a.example.org:9000/kjfjan;tcp\r\n"
		"Message-ID: 4444\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"\r\n-------e1e1e1e1+\r\n";
	struct msrp_parser p;
	struct msrp_ev ev;
	struct pl in = PL(msgs);
	int kinds[8], n = 0;

	(void)state;
	msrp_parser_init(&p, 4096);
	while (msrp_parse(&p, &in, &ev) == 0) {
		assert_true(n < 8);
		kinds[n++] = ev.kind;
		if (n == 1) {
			assert_false(ev.msg->is_req);
			assert_int_equal(ev.msg->scode, 200);
			assert_true(pl_eq_str(&ev.msg->comment, "OK"));
		}
		if (n == 3) {
			uint16_t code;
			struct pl c;
			const struct msrp_hdr *h =
				msrp_msg_hdr(ev.msg, MSRP_H_STATUS);
			assert_int_equal(ev.msg->mid, MSRP_M_REPORT);
			assert_non_null(h);
			assert_int_equal(msrp_status_decode(&h->val, &code, &c),
					 0);
			assert_int_equal(code, 200);
		}
		if (ev.kind == MSRP_EV_END && n == 6)
			assert_int_equal(ev.flag, '+');
	}
	if (n != 6)
		fail_msg("n %d: %s", n, p.err);
	assert_int_equal(kinds[0], MSRP_EV_HEAD);
	assert_int_equal(kinds[1], MSRP_EV_END);
	assert_int_equal(kinds[4], MSRP_EV_HEAD);
	assert_int_equal(kinds[5], MSRP_EV_END);
	assert_true(msrp_parser_idle(&p));
	msrp_parser_fini(&p);
}

static void test_msrp_parse_malformed(void **state)
{
	static const char *bad[] = {
		"GET / HTTP/1.1\r\n",
		"MSRP a786hjs2 SEND\n",
		"MSRP ab SEND\r\n",
		"MSRP a786hjs2 send\r\n",
		"MSRP a786hjs2 SEND\r\nTo-Path: msrp://a.b;tcp\r\n\r\nhi",
		"MSRP a786hjs2 200 OK\r\nTo-Path: msrp://a.b;tcp\r\n"
		"From-Path: msrp://c.d;tcp\r\n\r\n",
		"MSRP a786hjs2 SEND\r\nTo-Path: msrp://a.b;tcp\r\n"
		"From-Path: msrp://c.d;tcp\r\nContent-Type: text/plain\r\n\r\n"
		"x\r\n-------a786hjs2$xx",
		"MSRP a786hjs2 SEND\r\nTo-Path: msrp://a.b;tcp\r\n"
		"From-Path: msrp://c.d;tcp\r\n-------a786hjs3$\r\n",
		"MSRP a786hjs2 SEND\r\nTo-Path: msrp://a.b;tcp\r\n"
		"From-Path: msrp://c.d;tcp\r\n\r\nno content type",
		"MSRP a786hjs2 SEND\r\nBad Header\r\n",
	};
	char big[600];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run r;

		run_init(&r);
		feed(&r, bad[i], strlen(bad[i]), NULL, 0);
		if (r.err != EBADMSG)
			fail_msg("case %zu: err %d", i, r.err);
		buf_fini(&r.body);
	}
	/* a head past max_head */
	memcpy(big, "MSRP a786hjs2 SEND\r\nX-Long: ", 29);
	memset(big + 29, 'a', sizeof(big) - 29);
	{
		struct msrp_parser p;
		struct msrp_ev ev;
		struct pl in = pl_from_mem(big, sizeof(big));

		msrp_parser_init(&p, 256);
		assert_int_equal(msrp_parse(&p, &in, &ev), EBADMSG);
		assert_int_equal(msrp_parse(&p, &in, &ev), EBADMSG);
		assert_true(strlen(p.err) > 0);
		msrp_parser_fini(&p);
	}
}

static void test_msrp_uri_table(void **state)
{
	static const struct {
		const char *s;
		int ok;
		bool secure;
		const char *host, *session, *tp;
		uint16_t port;
	} v[] = {
		{ "msrp://atlanta.example.com:7654/jshA7weztas;tcp", 1, false,
		  "atlanta.example.com", "jshA7weztas", "tcp", 7654 },
		{ "MSRPS://relay.example.net;tcp", 1, true,
		  "relay.example.net", "", "tcp", 0 },
		{ "msrps://alice@[2001:db8::1]:2855/a+b=c/d;tcp;foo=bar", 1,
		  true, "2001:db8::1", "a+b=c/d", "tcp", 2855 },
		{ "msrp://127.0.0.1:2855/s1;sctp", 1, false, "127.0.0.1", "s1",
		  "sctp", 2855 },
		{ "msrp://host/s1", 0, false, NULL, NULL, NULL, 0 },
		{ "msrp://:80/s;tcp", 0, false, NULL, NULL, NULL, 0 },
		{ "msrp://h:99999/s;tcp", 0, false, NULL, NULL, NULL, 0 },
		{ "http://h/s;tcp", 0, false, NULL, NULL, NULL, 0 },
		{ "msrp://h/s s;tcp", 0, false, NULL, NULL, NULL, 0 },
		{ "msrp://[::1/s;tcp", 0, false, NULL, NULL, NULL, 0 },
		{ "msrp://h:/s;tcp", 0, false, NULL, NULL, NULL, 0 },
		{ "msrp://h/;tcp", 0, false, NULL, NULL, NULL, 0 },
		{ "msrp://h/s;", 0, false, NULL, NULL, NULL, 0 },
	};
	struct msrp_uri u, w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct pl pl = pl_from_str(v[i].s);
		int err = msrp_uri_decode(&u, &pl);

		if (!v[i].ok) {
			if (err != EBADMSG)
				fail_msg("%s accepted", v[i].s);
			continue;
		}
		if (err)
			fail_msg("%s refused", v[i].s);
		assert_int_equal(u.secure, v[i].secure);
		assert_true(pl_eq_str(&u.host, v[i].host));
		assert_true(pl_eq_str(&u.session, v[i].session));
		assert_true(pl_eq_str(&u.transport, v[i].tp));
		assert_int_equal(u.port, v[i].port);
	}
	/* RFC 4975 6.1: host case-blind, default port, session exact */
	{
		struct pl a = PL("msrp://Host.Example:2855/abc;TCP"),
			  b = PL("msrp://host.example/abc;tcp"),
			  c = PL("msrp://host.example/ABC;tcp");
		assert_int_equal(msrp_uri_decode(&u, &a), 0);
		assert_int_equal(msrp_uri_decode(&w, &b), 0);
		assert_true(msrp_uri_eq(&u, &w));
		assert_int_equal(msrp_uri_decode(&w, &c), 0);
		assert_false(msrp_uri_eq(&u, &w));
	}
	{
		struct pl path = PL(" msrp://a.b/1;tcp  msrps://c.d:9/2;tcp "),
			  raw;
		size_t n;
		assert_int_equal(msrp_path_count(&path, &n), 0);
		assert_int_equal(n, 2);
		assert_int_equal(msrp_path_next(&path, &raw), 0);
		assert_true(pl_eq_str(&raw, "msrp://a.b/1;tcp"));
		assert_int_equal(msrp_path_next(&path, &raw), 0);
		assert_int_equal(msrp_path_next(&path, &raw), ENOENT);
	}
}

static void test_msrp_values(void **state)
{
	struct msrp_range r;
	struct pl a = PL("1-25/25"), b = PL("26-*/*"), c = PL("0-5/5"),
		  d = PL("5-3/9"), e = PL("1-9/5"), f = PL("x");

	(void)state;
	assert_int_equal(msrp_range_decode(&a, &r), 0);
	assert_int_equal(r.start, 1);
	assert_int_equal(r.end, 25);
	assert_int_equal(r.total, 25);
	assert_int_equal(msrp_range_decode(&b, &r), 0);
	assert_true(r.end_star && r.total_star);
	assert_int_equal(r.start, 26);
	assert_int_equal(msrp_range_decode(&c, &r), EBADMSG);
	assert_int_equal(msrp_range_decode(&d, &r), EBADMSG);
	assert_int_equal(msrp_range_decode(&e, &r), EBADMSG);
	assert_int_equal(msrp_range_decode(&f, &r), EBADMSG);
	{
		struct pl id = PL("a786hjs2"), shrt = PL("abc"),
			  badc = PL("ab$cd");
		assert_true(msrp_ident_ok(&id));
		assert_false(msrp_ident_ok(&shrt));
		assert_false(msrp_ident_ok(&badc));
	}
}

static void test_msrp_encode_roundtrip(void **state)
{
	struct buf b;
	struct pl tid = PL("tid12345"), to = PL("msrp://a.b:1/x;tcp"),
		  from = PL("msrp://c.d:2/y;tcp"), id = PL("m1234"),
		  range = PL("1-5/5");
	struct msrp_parser p;
	struct msrp_ev ev;
	struct pl in;
	uint16_t code;
	struct pl cm;

	(void)state;
	buf_init(&b);
	assert_int_equal(msrp_report_encode(&b, &tid, &to, &from, &id, &range,
					    481), 0);
	assert_int_equal(msrp_resp_encode(&b, &tid, 413, &from, &to), 0);
	msrp_parser_init(&p, 1024);
	in = buf_pl(&b);
	assert_int_equal(msrp_parse(&p, &in, &ev), 0);
	assert_int_equal(ev.msg->mid, MSRP_M_REPORT);
	assert_int_equal(msrp_status_decode(
		&msrp_msg_hdr(ev.msg, MSRP_H_STATUS)->val, &code, &cm), 0);
	assert_int_equal(code, 481);
	assert_true(pl_eq_str(&cm, "Session Does Not Exist"));
	assert_int_equal(msrp_parse(&p, &in, &ev), 0);
	assert_int_equal(ev.kind, MSRP_EV_END);
	assert_int_equal(msrp_parse(&p, &in, &ev), 0);
	assert_int_equal(ev.msg->scode, 413);
	assert_int_equal(msrp_parse(&p, &in, &ev), 0);
	assert_int_equal(msrp_parse(&p, &in, &ev), ENODATA);
	msrp_parser_fini(&p);
	buf_fini(&b);
}

static void test_msrp_digest_vectors(void **state)
{
	struct pl v = PL("Digest username=\"alice\", realm=\"example.test\", "
			 "nonce=\"abc123\", uri=\"msrps://127.0.0.1:2855;tcp\", "
			 "response=\"2b6e5f0f53075b51773c4e954fcf088b\", "
			 "qop=auth, cnonce=\"xyz\", nc=00000001"),
		  s = PL("alice:example.test:secret"), bad = PL("Basic abc");
	struct msrp_auth a;
	char ha1[65], resp[65];

	(void)state;
	assert_int_equal(msrp_auth_decode(&v, &a), 0);
	assert_true(pl_eq_str(&a.username, "alice"));
	assert_true(pl_eq_str(&a.uri, "msrps://127.0.0.1:2855;tcp"));
	assert_int_equal(msrp_digest_hex(MSRP_ALG_MD5, &s, ha1, sizeof(ha1)),
			 0);
	assert_string_equal(ha1, "4842575394a190ef4c973253ba19099c");
	assert_int_equal(msrp_digest_response(MSRP_ALG_MD5, ha1, "AUTH", &a,
					      resp, sizeof(resp)), 0);
	assert_true(pl_eq_str(&a.response, resp));
	assert_int_equal(msrp_digest_hex(MSRP_ALG_SHA256, &s, ha1,
					 sizeof(ha1)), 0);
	assert_string_equal(ha1, "cc0140d97f2b011fee9f86aa26b63fc4"
				 "72268267b652dcea0675e15d9da92468");
	assert_int_equal(msrp_digest_response(MSRP_ALG_SHA256, ha1, "AUTH",
					      &a, resp, sizeof(resp)), 0);
	assert_string_equal(resp, "e06a9386038bc5aa146ff0cbb5a625de"
				  "68cd2e935892ec755e281cac31a3150a");
	assert_int_equal(msrp_auth_decode(&bad, &a), EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_msrp_parse_whole_and_split,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_msrp_parse_no_body_and_pipelined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_parse_malformed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_uri_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_msrp_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_msrp_encode_roundtrip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_digest_vectors,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("msrp", tests, NULL, NULL);
}
