/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the SIP message decoder and deep parses: header ids,
 * methods, URIs, Via, name-addr, Contact, CSeq, auth, list iteration,
 * parameters, unescaping, and the words of each refusal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "sip/sip.h"
#include "sip_testutil.h"
#include "mem_testutil.h"

static struct sip_msg m;

static int dec(const char *s)
{
	return sip_msg_decode(&m, (const uint8_t *)s, strlen(s));
}

static void test_sip_msg_hdr_ids(void **state)
{
	static const struct { const char *n; enum sip_hdr_id id; } t[] = {
		{ "v", SIP_HDR_VIA }, { "V", SIP_HDR_VIA },
		{ "f", SIP_HDR_FROM }, { "t", SIP_HDR_TO },
		{ "i", SIP_HDR_CALL_ID }, { "m", SIP_HDR_CONTACT },
		{ "l", SIP_HDR_CONTENT_LENGTH }, { "c", SIP_HDR_CONTENT_TYPE },
		{ "e", SIP_HDR_CONTENT_ENCODING }, { "o", SIP_HDR_EVENT },
		{ "u", SIP_HDR_ALLOW_EVENTS }, { "k", SIP_HDR_SUPPORTED },
		{ "s", SIP_HDR_SUBJECT }, { "r", SIP_HDR_REFER_TO },
		{ "x", SIP_HDR_OTHER }, { "MAX-FORWARDS", SIP_HDR_MAX_FORWARDS },
		{ "call-id", SIP_HDR_CALL_ID }, { "Contacts", SIP_HDR_OTHER },
		{ "C%6Fntact", SIP_HDR_OTHER }, { "Rseq", SIP_HDR_RSEQ },
		{ "RAck", SIP_HDR_RACK }, { "Record-Routes", SIP_HDR_OTHER },
		{ "Content-Typx", SIP_HDR_OTHER }, { "", SIP_HDR_OTHER },
	};
	struct pl n;
	size_t i;
	int id;

	(void)state;
	for (id = 1; id < SIP_HDR_COUNT; id++) {
		n = pl_from_str(sip_hdr_name((enum sip_hdr_id)id));
		assert_int_equal(sip_hdr_id(&n), id);
	}
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = pl_from_str(t[i].n);
		if (sip_hdr_id(&n) != t[i].id)
			fail_msg("%s -> %d, want %d", t[i].n, sip_hdr_id(&n),
				 t[i].id);
	}
}

static void test_sip_msg_methods(void **state)
{
	struct pl n;
	int i;

	(void)state;
	for (i = 1; i < SIP_M_COUNT; i++) {
		n = pl_from_str(sip_method_name((enum sip_method)i));
		assert_int_equal(sip_method_id(&n), i);
	}
	n = PL("invite");	/* methods are case-sensitive */
	assert_int_equal(sip_method_id(&n), SIP_M_OTHER);
	n = PL("INVITEX");
	assert_int_equal(sip_method_id(&n), SIP_M_OTHER);
	assert_string_equal(sip_reason(486), "Busy Here");
}

static void test_sip_msg_uri(void **state)
{
	static const struct {
		const char *in;
		int err;
		const char *user, *host;
		uint16_t port;
		const char *params, *headers;
	} t[] = {
		{ "sip:alice@example.com", 0, "alice", "example.com", 0, "",
		  "" },
		{ "sips:bob:pw@[::1]:5061;transport=tls?Subject=x", 0, "bob",
		  "::1", 5061, ";transport=tls", "Subject=x" },
		{ "sip:10.0.0.1:5060;lr", 0, "", "10.0.0.1", 5060, ";lr", "" },
		{ "tel:+1-201-555-0123;phone-context=x", 0, "+1-201-555-0123",
		  "", 0, ";phone-context=x", "" },
		{ "im:alice@example.com", 0, "", "", 0, "", "" },
		{ "sip:", EBADMSG, 0, 0, 0, 0, 0 },
		{ "sip:@host", EBADMSG, 0, 0, 0, 0, 0 },
		{ "sip:a@host:99999", EBADMSG, 0, 0, 0, 0, 0 },
		{ "sip:a@[2001:db8::1", EBADMSG, 0, 0, 0, 0, 0 },
		{ "sip:a@[2001:db8:::1]", EBADMSG, 0, 0, 0, 0, 0 },
		{ "sip:a%4@host", EBADMSG, 0, 0, 0, 0, 0 },
		{ "sip:a@host;;x", EBADMSG, 0, 0, 0, 0, 0 },
		{ "sip:a@ho st", EBADMSG, 0, 0, 0, 0, 0 },
		{ "sip:a@host>", EBADMSG, 0, 0, 0, 0, 0 },
		{ "1sip:a@host", EBADMSG, 0, 0, 0, 0, 0 },
		{ "nocolon", EBADMSG, 0, 0, 0, 0, 0 },
	};
	struct sip_uri u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pl s = pl_from_str(t[i].in);
		int err = sip_uri_decode(&u, &s);

		if (err != t[i].err)
			fail_msg("%s: %d want %d", t[i].in, err, t[i].err);
		if (err)
			continue;
		assert_pl(u.user, t[i].user);
		assert_pl(u.host, t[i].host);
		assert_int_equal(u.port, t[i].port);
		assert_pl(u.params, t[i].params);
		assert_pl(u.headers, t[i].headers);
	}
}

static void test_sip_msg_via(void **state)
{
	struct sip_via v;
	struct pl s;

	(void)state;
	s = PL("SIP/2.0/TCP [2001:db8::1]:5070;rport;received=10.0.0.1;"
	       "branch=z9hG4bKx;maddr=224.0.0.1");
	assert_int_equal(sip_via_decode(&v, &s), 0);
	assert_pl(v.transport, "TCP");
	assert_pl(v.host, "2001:db8::1");
	assert_true(v.host_ipv6);
	assert_int_equal(v.port, 5070);
	assert_true(v.rport);
	assert_int_equal(v.rport_val.len, 0);
	assert_pl(v.received, "10.0.0.1");
	assert_pl(v.branch, "z9hG4bKx");
	assert_pl(v.maddr, "224.0.0.1");
	s = PL("SIP/2.0/UDP host;rport=5062");
	assert_int_equal(sip_via_decode(&v, &s), 0);
	assert_pl(v.rport_val, "5062");
	s = PL("SIP/2.0/UDP host;branch=");
	assert_int_equal(sip_via_decode(&v, &s), EBADMSG);
	s = PL("SIP/2.0/UDP host;received=not-an-ip");
	assert_int_equal(sip_via_decode(&v, &s), EBADMSG);
	s = PL("SIP/2.0/UDP");
	assert_int_equal(sip_via_decode(&v, &s), EBADMSG);
	s = PL("SIP/3.0/UDP host");
	assert_int_equal(sip_via_decode(&v, &s), EBADMSG);
	s = PL("SIP/2.0/UDP host junk");
	assert_int_equal(sip_via_decode(&v, &s), EBADMSG);
}

static void test_sip_msg_addr(void **state)
{
	struct sip_addr a;
	struct sip_contact c;
	struct pl s;

	(void)state;
	s = PL("\"A \\\"B\\\"\" <sip:a@b;lr>;tag=x1;foo");
	assert_int_equal(sip_addr_decode(&a, &s), 0);
	assert_pl(a.dname, "\"A \\\"B\\\"\"");
	assert_pl(a.uri.params, ";lr");
	assert_pl(a.tag, "x1");
	assert_pl(a.params, ";tag=x1;foo");
	s = PL("Bob Smith <sip:b@c>");
	assert_int_equal(sip_addr_decode(&a, &s), 0);
	assert_pl(a.dname, "Bob Smith");
	s = PL("sip:a@b;tag=7");
	assert_int_equal(sip_addr_decode(&a, &s), 0);
	assert_pl(a.tag, "7");
	assert_int_equal(a.uri.params.len, 0);
	s = PL("<sip:a@b");
	assert_int_equal(sip_addr_decode(&a, &s), EBADMSG);
	s = PL("<sip:a@b>;tag");
	assert_int_equal(sip_addr_decode(&a, &s), EBADMSG);
	s = PL("<sip:a@b> x");
	assert_int_equal(sip_addr_decode(&a, &s), EBADMSG);
	s = PL("*");
	assert_int_equal(sip_contact_decode(&c, &s), 0);
	assert_true(c.star);
	s = PL("<sip:a@b>;expires=99999999999;q=0.5");
	assert_int_equal(sip_contact_decode(&c, &s), 0);
	assert_true(c.has_expires);
	assert_int_equal(c.expires, UINT32_MAX);	/* clamped */
	assert_pl(c.q, "0.5");
	s = PL("<sip:a@b>;expires=soon");
	assert_int_equal(sip_contact_decode(&c, &s), EBADMSG);
}

static void test_sip_msg_cseq_auth(void **state)
{
	struct sip_cseq cs;
	struct sip_auth a;
	struct pl s;

	(void)state;
	s = PL("  0042 \r\n INVITE ");
	assert_int_equal(sip_cseq_decode(&cs, &s), 0);
	assert_int_equal(cs.num, 42);
	assert_int_equal(cs.mid, SIP_M_INVITE);
	s = PL("4294967296 ACK");
	assert_int_equal(sip_cseq_decode(&cs, &s), EBADMSG);
	s = PL("12");
	assert_int_equal(sip_cseq_decode(&cs, &s), EBADMSG);
	s = PL("Digest username=\"alice\", realm=\"example.test\", "
	       "nonce=\"abc\", uri=\"sip:example.test\", response=\"0123\","
	       " algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"cn\"");
	assert_int_equal(sip_auth_decode(&a, &s), 0);
	assert_pl(a.scheme, "Digest");
	assert_pl(a.username, "alice");
	assert_pl(a.realm, "example.test");
	assert_pl(a.uri, "sip:example.test");
	assert_pl(a.algorithm, "SHA-256");
	assert_pl(a.qop, "auth");
	assert_pl(a.nc, "00000001");
	assert_pl(a.cnonce, "cn");
	s = PL("Digest realm=\"x\",");
	assert_int_equal(sip_auth_decode(&a, &s), EBADMSG);
	s = PL("Digest realm=\"x");
	assert_int_equal(sip_auth_decode(&a, &s), EBADMSG);
}

static void test_sip_msg_tokparams(void **state)
{
	static const struct { const char *in, *tok, *params; } ok[] = {
		{ "application/sdp", "application/sdp", "" },
		{ " multipart/mixed ; boundary=7a9c", "multipart/mixed",
		  "; boundary=7a9c" },
		{ "presence;id=1", "presence", ";id=1" },
		{ "active;expires=600", "active", ";expires=600" },
		{ "text/*", "text/*", "" },
		{ "application / sdp", "application / sdp", "" },
	};
	static const char *const bad[] = {
		"", "/sdp", "application/", "app sdp", "presence;;id",
		"a/b;c=",
	};
	struct pl s, t, p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		s = pl_from_str(ok[i].in);
		assert_int_equal(sip_tokparams_decode(&s, &t, &p), 0);
		assert_pl(t, ok[i].tok);
		assert_pl(p, ok[i].params);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = pl_from_str(bad[i]);
		if (sip_tokparams_decode(&s, &t, &p) != EBADMSG)
			fail_msg("'%s' accepted", bad[i]);
	}
	s = PL("multipart/mixed;boundary=\"x;y\"");
	assert_int_equal(sip_tokparams_decode(&s, &t, &p), 0);
	assert_int_equal(sip_param(&p, "boundary", &s), 0);
	assert_pl(s, "\"x;y\"");
}

static void test_sip_msg_params_unescape(void **state)
{
	struct pl p = PL(" ; a = 1 ;B;c=\"x;y\""), v;
	char buf[8];
	size_t n;

	(void)state;
	assert_int_equal(sip_param(&p, "a", &v), 0);
	assert_pl(v, "1");
	assert_int_equal(sip_param(&p, "b", &v), 0);
	assert_int_equal(v.len, 0);
	assert_int_equal(sip_param(&p, "c", &v), 0);
	assert_pl(v, "\"x;y\"");
	assert_int_equal(sip_param(&p, "d", &v), ENOENT);
	v = PL("a%41%00b");
	assert_int_equal(sip_unescape(&v, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "aA\0b", 4);
	v = PL("%4");
	assert_int_equal(sip_unescape(&v, buf, sizeof(buf), &n), EBADMSG);
	v = PL("%zz");
	assert_int_equal(sip_unescape(&v, buf, sizeof(buf), &n), EBADMSG);
	v = PL("123456789");
	assert_int_equal(sip_unescape(&v, buf, sizeof(buf), &n), EOVERFLOW);
}

#define HDRS "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n" \
	     "To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n"

static void test_sip_msg_list(void **state)
{
	struct sip_list_it it;
	struct pl e;

	(void)state;
	assert_int_equal(dec("OPTIONS sip:a@b SIP/2.0\r\n" HDRS
			     "Route: <sip:p1;lr>, \"a,b\" <sip:p2;lr>\r\n"
			     "Supported:\r\n"
			     "Route: <sip:p3,x;lr>\r\nl: 0\r\n\r\n"), 0);
	sip_list_begin(&it, &m, SIP_HDR_ROUTE);
	assert_int_equal(sip_list_next(&it, &e), 0);
	assert_pl(e, "<sip:p1;lr>");
	assert_int_equal(sip_list_next(&it, &e), 0);
	assert_pl(e, "\"a,b\" <sip:p2;lr>");
	assert_int_equal(sip_list_next(&it, &e), 0);
	assert_pl(e, "<sip:p3,x;lr>");
	assert_int_equal(sip_list_next(&it, &e), ENOENT);
	sip_list_begin(&it, &m, SIP_HDR_SUPPORTED);
	assert_int_equal(sip_list_next(&it, &e), ENOENT);
	assert_int_equal(dec("OPTIONS sip:a@b SIP/2.0\r\n" HDRS
			     "Allow: INVITE,, ACK\r\nRequire: a,\r\n\r\n"), 0);
	sip_list_begin(&it, &m, SIP_HDR_ALLOW);
	assert_int_equal(sip_list_next(&it, &e), 0);
	assert_int_equal(sip_list_next(&it, &e), EBADMSG);
	sip_list_begin(&it, &m, SIP_HDR_REQUIRE);
	assert_int_equal(sip_list_next(&it, &e), EBADMSG);
}

static void test_sip_msg_reasons(void **state)
{
	static const struct { const char *msg, *why; } t[] = {
		{ "", "empty message" },
		{ "OPTIONS sip:a@b SIP/2.0", "ends inside the start line" },
		{ "HELLO\r\n\r\n", "neither a request nor a status line" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia SIP/2.0/UDP h\r\n\r\n",
		  "header line without ':'" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n Via: x\r\n\r\n",
		  "header line starts with whitespace" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nV ia: x\r\n\r\n",
		  "header name 'V ia' is not a token" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nFrom: <sip:a@b>\r\n\r\n",
		  "missing required headers: Via, To, Call-ID, CSeq" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n" HDRS "Call-ID: y\r\n\r\n",
		  "single-value header repeated: Call-ID" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP\r\n"
		  "From: <sip:a@b>\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n"
		  "CSeq: 1 OPTIONS\r\n\r\n", "Via: missing sent-by" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=\r\n"
		  "From: <sip:a@b>\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n"
		  "CSeq: 1 OPTIONS\r\n\r\n",
		  "Via: branch parameter has no value" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n" HDRS "Content-Length: 150\r\n"
		  "\r\n0123456789", "Content-Length 150 but body is 10 bytes" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n" HDRS "Max-Forwards: 256\r\n\r\n",
		  "Max-Forwards 256 out of range 0-255" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n" HDRS "Max-Forwards: x\r\n\r\n",
		  "Max-Forwards 'x' is not a number" },
		{ "INVITE sip:a@b SIP/2.0\r\n" HDRS "\r\n",
		  "CSeq method OPTIONS does not match request method INVITE" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n" HDRS "Contact: <sip:x@y\r\n\r\n",
		  "Contact: empty element or unbalanced" },
		{ "SIP/2.0 20 OK\r\n" HDRS "\r\n", "status code 20 out of range" },
		{ "SIP/2.0 2x0 OK\r\n" HDRS "\r\n",
		  "status code '2x0' is not a number" },
		{ "OPTIONS sip:a@b HTTP/1.1\r\n" HDRS "\r\n",
		  "bad SIP version 'HTTP/1.1'" },
		{ "OPTIONS tel: SIP/2.0\r\n" HDRS "\r\n",
		  "Request-URI: tel: URI without a number" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n" HDRS "Call-ID: \r\n\r\n",
		  "single-value header repeated: Call-ID" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int err = dec(t[i].msg);

		if (err != EBADMSG)
			fail_msg("#%zu: got %d, want EBADMSG (%s)", i, err,
				 t[i].why);
		if (!strstr(m.err, t[i].why))
			fail_msg("#%zu: '%s', want '%s'", i, m.err, t[i].why);
	}
}

static void test_sip_msg_too_many_headers(void **state)
{
	char buf[8192];
	size_t n = 0;
	int i;

	(void)state;
	n += (size_t)snprintf(buf, sizeof(buf), "OPTIONS sip:a@b SIP/2.0\r\n"
			      HDRS);
	for (i = 0; i < SIP_MAX_HDRS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X-%d: y\r\n",
				      i);
	snprintf(buf + n, sizeof(buf) - n, "\r\n");
	assert_int_equal(dec(buf), EOVERFLOW);
	assert_non_null(strstr(m.err, "more than 128 header lines"));
}

static void test_sip_msg_lf_only_and_lookup(void **state)
{
	const struct sip_hdr *h;

	(void)state;
	assert_int_equal(dec("\r\n\r\nOPTIONS sip:a@b SIP/2.0\n"
			     "v: SIP/2.0/UDP h;branch=z9hG4bK1\n"
			     "f: <sip:a@b>;tag=1\nt: <sip:c@d>\ni: x\n"
			     "CSeq: 1 OPTIONS\nX-A: 1\nx-a: 2\nl: 3\n\nabcdef"),
			 0);
	assert_int_equal(m.body.len, 3);
	assert_pl(m.body, "abc");
	assert_pl(m.start_line, "OPTIONS sip:a@b SIP/2.0");
	h = sip_msg_hdr_name(&m, "X-a");
	assert_non_null(h);
	assert_pl(h->val, "1");
	h = sip_msg_hdr_next(&m, h);
	assert_non_null(h);
	assert_pl(h->val, "2");
	assert_null(sip_msg_hdr_next(&m, h));
	assert_non_null(sip_msg_hdr_name(&m, "Content-Length"));
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_VIA), 1);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_ROUTE), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_sip_msg_hdr_ids),
		T(test_sip_msg_methods),
		T(test_sip_msg_uri),
		T(test_sip_msg_via),
		T(test_sip_msg_addr),
		T(test_sip_msg_cseq_auth),
		T(test_sip_msg_tokparams),
		T(test_sip_msg_params_unescape),
		T(test_sip_msg_list),
		T(test_sip_msg_reasons),
		T(test_sip_msg_too_many_headers),
		T(test_sip_msg_lf_only_and_lookup),
#undef T
	};

	return cmocka_run_group_tests_name("sip_msg", tests, NULL, NULL);
}
