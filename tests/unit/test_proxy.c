/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SIP service core through its four calls with a fake clock and fake
 * stores (no sockets): registrar, digest auth, forking, CANCEL, timers
 * B/F, retransmission absorption, the error answers of RFC 3261 16.3,
 * the TLS rule, CDR content, trace redaction, and POLICY P7 (nothing of
 * a REGISTER reaches a hook).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "sip/proxy.h"
#include "sip/sip.h"
#include "base/mem.h"
#include "proxy_testutil.h"

static int64_t blocks_at_start;

static int setup(void **state)
{
	static struct fx f;

	blocks_at_start = mem_blocks();
	fx_init(&f, false);
	*state = &f;
	return 0;
}

static int setup_auth(void **state)
{
	static struct fx f;

	blocks_at_start = mem_blocks();
	fx_init(&f, true);
	*state = &f;
	return 0;
}

static int setup_small(void **state)
{
	static struct fx f;

	blocks_at_start = mem_blocks();
	fx_max_tsx = 3;
	fx_init(&f, false);
	fx_max_tsx = 0;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static void test_proxy_register_bindings(void **state)
{
	struct fx *f = *state;
	const char *r;

	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	fx_register(f, "bob", "127.0.0.1:5082", 3600);
	assert_int_equal(sip_proxy_bindings(f->p, "bob"), 2);
	/* 200 lists both */
	fx_in(f, "127.0.0.1:5082", NET_UDP,
	      "REGISTER sip:example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5082;branch=z9hG4bKr9\n"
	      "From: <sip:bob@example.test>;tag=a\n"
	      "To: <sip:bob@example.test>\nCall-ID: reg-x\nCSeq: 1 REGISTER\n"
	      "Content-Length: 0\n\n");
	r = fx_expect(f, "SIP/2.0 200");
	assert_non_null(strstr(r, "sip:bob@127.0.0.1:5081"));
	assert_non_null(strstr(r, "sip:bob@127.0.0.1:5082"));
	/* 423 */
	fx_in(f, "127.0.0.1:5081", NET_UDP,
	      "REGISTER sip:example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bKr10\n"
	      "From: <sip:bob@example.test>;tag=a\n"
	      "To: <sip:bob@example.test>\nCall-ID: reg-y\nCSeq: 1 REGISTER\n"
	      "Contact: <sip:bob@127.0.0.1:5081>;expires=10\n"
	      "Content-Length: 0\n\n");
	r = fx_expect(f, "SIP/2.0 423");
	assert_non_null(strstr(r, "Min-Expires: 60"));
	/* un-REGISTER one */
	fx_register(f, "bob", "127.0.0.1:5081", 0);
	assert_int_equal(sip_proxy_bindings(f->p, "bob"), 1);
	/* expiry by timer */
	fx_register(f, "carol", "127.0.0.1:5090", 60);
	assert_int_equal(sip_proxy_bindings(f->p, "carol"), 1);
	fx_advance(f, 61 * 1000000ull);
	assert_int_equal(sip_proxy_bindings(f->p, "carol"), 0);
	/* Contact: * with Expires: 0 */
	fx_in(f, "127.0.0.1:5082", NET_UDP,
	      "REGISTER sip:example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5082;branch=z9hG4bKr11\n"
	      "From: <sip:bob@example.test>;tag=a\n"
	      "To: <sip:bob@example.test>\nCall-ID: reg-z\nCSeq: 9 REGISTER\n"
	      "Contact: *\nExpires: 0\nContent-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 200");
	assert_int_equal(sip_proxy_bindings(f->p, "bob"), 0);
	/* P7: no REGISTER ever handed to a hook */
	assert_int_equal(f->ntrace, 0);
	assert_int_equal(f->ncdr, 0);
	assert_int_equal(f->nmsg, 0);
}

static void test_proxy_register_auth(void **state)
{
	struct fx *f = *state;
	const char *r;
	char nonce[128], req[2048], resp[80];

	snprintf(req, sizeof(req),
		 "REGISTER sip:example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa1\n"
		 "From: <sip:alice@example.test>;tag=1\n"
		 "To: <sip:alice@example.test>\nCall-ID: ra\nCSeq: 1 REGISTER\n"
		 "Contact: <sip:alice@127.0.0.1:5070>\nContent-Length: 0\n\n");
	fx_in(f, "127.0.0.1:5070", NET_UDP, req);
	r = fx_expect(f, "SIP/2.0 401");
	fx_nonce(r, nonce, sizeof(nonce));
	/* MD5 first with an explicit algorithm (SIPp), SHA-256 second */
	assert_true(strstr(r, "algorithm=MD5") < strstr(r,
							"algorithm=SHA-256"));
	/* wrong password: a new challenge, not 403 */
	fx_digest(SIP_AUTH_MD5, "alice", "wrong", "REGISTER",
		  "sip:example.test", nonce, "00000001", resp);
	fx_auth_register(f, "alice", nonce, "00000001", resp, 2, "z9hG4bKa2");
	fx_expect(f, "SIP/2.0 401");
	/* right password */
	fx_digest(SIP_AUTH_MD5, "alice", "secret", "REGISTER",
		  "sip:example.test", nonce, "00000002", resp);
	fx_auth_register(f, "alice", nonce, "00000002", resp, 3, "z9hG4bKa3");
	fx_expect(f, "SIP/2.0 200");
	assert_int_equal(sip_proxy_bindings(f->p, "alice"), 1);
	/* the same nonce-count again: replay refused (stale challenge) */
	fx_auth_register(f, "alice", nonce, "00000002", resp, 4, "z9hG4bKa4");
	r = fx_expect(f, "SIP/2.0 401");
	assert_non_null(strstr(r, "stale=true"));
	/* SHA-256 */
	fx_digest(SIP_AUTH_SHA256, "alice", "secret", "REGISTER",
		  "sip:example.test", nonce, "00000003", resp);
	fx_auth_register_alg(f, "alice", nonce, "00000003", resp, 5,
			     "z9hG4bKa5", "SHA-256");
	fx_expect(f, "SIP/2.0 200");
	/* nonce expiry: stale=true */
	fx_advance(f, 301 * 1000000ull);
	fx_digest(SIP_AUTH_MD5, "alice", "secret", "REGISTER",
		  "sip:example.test", nonce, "00000004", resp);
	fx_auth_register(f, "alice", nonce, "00000004", resp, 6, "z9hG4bKa6");
	r = fx_expect(f, "SIP/2.0 401");
	assert_non_null(strstr(r, "stale=true"));
	assert_int_equal(f->ntrace, 0);
}

/* svwar: an unknown and a known user get the same answer; svcrack: a
 * burst of failures is answered 503 Retry-After whatever the password. */
static void test_proxy_auth_enum_and_limit(void **state)
{
	struct fx *f = *state;
	char nonce[128], resp[80], a[64], b[64];
	const char *r;
	int i;

	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "REGISTER sip:example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKe1\n"
	      "From: <sip:alice@example.test>;tag=1\n"
	      "To: <sip:alice@example.test>\nCall-ID: e1\nCSeq: 1 REGISTER\n"
	      "Content-Length: 0\n\n");
	r = fx_expect(f, "SIP/2.0 401");
	snprintf(a, sizeof(a), "%.20s", r);
	fx_nonce(r, nonce, sizeof(nonce));
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "REGISTER sip:example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKe2\n"
	      "From: <sip:nobody@example.test>;tag=1\n"
	      "To: <sip:nobody@example.test>\nCall-ID: e2\nCSeq: 1 REGISTER\n"
	      "Content-Length: 0\n\n");
	r = fx_expect(f, "SIP/2.0 401");
	snprintf(b, sizeof(b), "%.20s", r);
	assert_string_equal(a, b);
	/* wrong credentials for the unknown user: a challenge too */
	fx_digest(SIP_AUTH_MD5, "nobody", "x", "REGISTER", "sip:example.test",
		  nonce, "00000001", resp);
	fx_auth_register(f, "nobody", nonce, "00000001", resp, 2, "z9hG4bKe3");
	fx_expect(f, "SIP/2.0 401");
	for (i = 0; i < 12; i++) {
		char br[32];

		snprintf(br, sizeof(br), "z9hG4bKc%d", i);
		fx_digest(SIP_AUTH_MD5, "alice", "guess", "REGISTER",
			  "sip:example.test", nonce, "00000001", resp);
		fx_auth_register(f, "alice", nonce, "00000001", resp, 10 + i,
				 br);
		fx_drain(f);
	}
	fx_digest(SIP_AUTH_MD5, "alice", "secret", "REGISTER",
		  "sip:example.test", nonce, "00000005", resp);
	fx_auth_register(f, "alice", nonce, "00000005", resp, 40, "z9hG4bKc99");
	r = fx_expect(f, "SIP/2.0 503");
	assert_non_null(strstr(r, "Retry-After:"));
}

static const char invite_fmt[] =
	"INVITE sip:bob@example.test SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=%s;rport\n"
	"Max-Forwards: 70\n"
	"From: \"Alice\" <sip:alice@example.test>;tag=at1\n"
	"To: <sip:bob@example.test>\nCall-ID: %s\nCSeq: 1 INVITE\n"
	"Contact: <sip:alice@127.0.0.1:5070>\nUser-Agent: test-uac\n"
	"Content-Type: application/sdp\nContent-Length: %zu\n\n%s";

static const char sdp_a[] =
	"v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
	"m=audio 40000 RTP/SAVP 0\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:SECRETKEYSECRETKEY1234567"
	"89012345678901234|2^20|1:32\n";

static void send_invite(struct fx *f, const char *branch, const char *cid)
{
	char m[2048];
	char body[512];

	fx_crlf(sdp_a, body, sizeof(body));
	snprintf(m, sizeof(m), invite_fmt, branch, cid, strlen(body), sdp_a);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

static void test_proxy_invite_fork_answer_bye(void **state)
{
	struct fx *f = *state;
	const char *r, *i1;
	struct fx_out o1, o2;

	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	fx_register(f, "bob", "127.0.0.1:5082", 3600);
	send_invite(f, "z9hG4bKinv1", "call-1");
	fx_expect(f, "SIP/2.0 100");
	i1 = fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", &o1);
	assert_non_null(strstr(i1, "Record-Route: <sip:127.0.0.1:5060;lr>"));
	assert_non_null(strstr(i1, "Max-Forwards: 69"));
	/* RFC 3581: the client's Via gets rport= and received= */
	assert_non_null(strstr(i1, "branch=z9hG4bKinv1;rport=5070;"
			       "received=127.0.0.1"));
	assert_true(strstr(i1, "127.0.0.1:5060;branch=z9hG4bKP") <
		    strstr(i1, "z9hG4bKinv1"));
	assert_int_equal(net_addr_port(&o1.dst), 5081);
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5082", &o2);
	assert_int_equal(net_addr_port(&o2.dst), 5082);
	fx_none(f);
	/* retransmitted INVITE: absorbed (100 again, no new branch) */
	send_invite(f, "z9hG4bKinv1", "call-1");
	fx_expect(f, "SIP/2.0 100");
	fx_none(f);
	/* 180 from branch 1 goes up, 200 from branch 2 goes up */
	fx_reply(f, &o1, "127.0.0.1:5081", 180, "b1tag", NULL);
	r = fx_expect(f, "SIP/2.0 180");
	assert_null(strstr(r, "127.0.0.1:5060;branch"));
	fx_reply(f, &o2, "127.0.0.1:5082", 200, "b2tag",
		 "v=0\no=- 2 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\n"
		 "t=0 0\nm=audio 42000 RTP/AVP 0\n");
	fx_expect(f, "SIP/2.0 200");
	/* branch 1 had a provisional: it is cancelled */
	fx_expect_to(f, "CANCEL sip:bob@127.0.0.1:5081", NULL);
	fx_reply(f, &o1, "127.0.0.1:5081", 487, "b1tag", NULL);
	fx_expect_to(f, "ACK sip:bob@127.0.0.1:5081", NULL);
	fx_drain(f);
	assert_int_equal(f->ncdr, 0);
	/* BYE from the callee through the record-route */
	fx_in(f, "127.0.0.1:5082", NET_UDP,
	      "BYE sip:alice@127.0.0.1:5070 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5082;branch=z9hG4bKbye1\n"
	      "Route: <sip:127.0.0.1:5060;lr>\nMax-Forwards: 70\n"
	      "From: <sip:bob@example.test>;tag=b2tag\n"
	      "To: \"Alice\" <sip:alice@example.test>;tag=at1\n"
	      "Call-ID: call-1\nCSeq: 1 BYE\nContent-Length: 0\n\n");
	r = fx_expect_to(f, "BYE sip:alice@127.0.0.1:5070", NULL);
	assert_null(strstr(r, "Route:"));
	assert_int_equal(f->ncdr, 1);
	assert_string_equal(f->cdr.caller, "alice@example.test");
	assert_string_equal(f->cdr.callee, "bob@example.test");
	assert_int_equal(f->cdr.status, 200);
	assert_string_equal(f->cdr.hangup, "callee");
	assert_string_equal(f->cdr.caller_sig, "udp:127.0.0.1:5070");
	assert_string_equal(f->cdr.callee_sig, "udp:127.0.0.1:5082");
	assert_string_equal(f->cdr.caller_media, "127.0.0.1:40000");
	assert_string_equal(f->cdr.callee_media, "127.0.0.1:42000");
	assert_string_equal(f->cdr.caller_ua, "test-uac");
	assert_null(strstr(f->cdr.caller, "Alice"));
	assert_true(f->cdr.answer_us >= f->cdr.setup_us);
	/* traces: the INVITE was redacted */
	assert_true(f->ntrace > 0);
	assert_null(strstr(f->trace_all, "SECRETKEY"));
	assert_non_null(strstr(f->trace_all, "inline:[redacted]"));
}

static void test_proxy_cancel(void **state)
{
	struct fx *f = *state;
	struct fx_out o1;

	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	send_invite(f, "z9hG4bKinv2", "call-2");
	fx_expect(f, "SIP/2.0 100");
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", &o1);
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "CANCEL sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKinv2;rport\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=at1\n"
	      "To: <sip:bob@example.test>\nCall-ID: call-2\nCSeq: 1 CANCEL\n"
	      "Content-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 200");
	/* no provisional yet: CANCEL waits for one (RFC 3261 9.1) */
	fx_none(f);
	fx_reply(f, &o1, "127.0.0.1:5081", 180, "bt", NULL);
	fx_expect_to(f, "CANCEL sip:bob@127.0.0.1:5081", NULL);
	fx_reply(f, &o1, "127.0.0.1:5081", 487, "bt", NULL);
	fx_expect_to(f, "ACK sip:bob@127.0.0.1:5081", NULL);
	fx_expect(f, "SIP/2.0 487");
	assert_int_equal(f->ncdr, 1);
	assert_int_equal(f->cdr.status, 487);
	assert_string_equal(f->cdr.hangup, "caller");
	/* CANCEL of nothing: 481 */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "CANCEL sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKnone\n"
	      "From: <sip:alice@example.test>;tag=at1\n"
	      "To: <sip:bob@example.test>\nCall-ID: call-x\nCSeq: 1 CANCEL\n"
	      "Content-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 481");
}

static void test_proxy_timer_b_f(void **state)
{
	struct fx *f = *state;
	int n = 0;
	uint64_t t0;
	const char *r;
	char tag[32], ack[1024];

	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	t0 = f->now;
	send_invite(f, "z9hG4bKinv3", "call-3");
	fx_expect(f, "SIP/2.0 100");
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", NULL);
	/* Timer A: retransmissions at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s */
	while (f->now - t0 < 31600000ull) {
		fx_advance(f, 100000);
		n += fx_count(f, "INVITE sip:bob@127.0.0.1:5081");
	}
	assert_int_equal(n, 6);
	fx_advance(f, 32500000ull);	/* Timer B at 64*T1 */
	r = fx_expect(f, "SIP/2.0 408");
	sscanf(strstr(r, ";tag=") + 5, "%31[0-9a-f]", tag);
	snprintf(ack, sizeof(ack), "ACK sip:bob@example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKinv3;rport\n"
		 "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=at1\n"
		 "To: <sip:bob@example.test>;tag=%s\nCall-ID: call-3\n"
		 "CSeq: 1 ACK\nContent-Length: 0\n\n", tag);
	fx_in(f, "127.0.0.1:5070", NET_UDP, ack);
	fx_advance(f, 4000000ull);	/* no Timer G once ACKed */
	fx_none(f);
	assert_int_equal(f->ncdr, 1);
	assert_int_equal(f->cdr.status, 408);
	/* Timer F for MESSAGE */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "MESSAGE sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKm1\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=m\n"
	      "To: <sip:bob@example.test>\nCall-ID: msg-1\nCSeq: 1 MESSAGE\n"
	      "Content-Type: text/plain\nContent-Length: 2\n\nhi");
	fx_expect_to(f, "MESSAGE sip:bob@127.0.0.1:5081", NULL);
	assert_int_equal(f->nmsg, 1);
	fx_advance(f, 31 * 1000000ull);
	assert_true(fx_count(f, "MESSAGE sip:bob@127.0.0.1:5081") > 0);
	fx_none(f);
	fx_advance(f, 2 * 1000000ull);	/* Timer F at 64*T1 */
	fx_count(f, "MESSAGE sip:bob@127.0.0.1:5081");
	fx_expect(f, "SIP/2.0 408");
	assert_int_equal(f->ntrace_msg, 0);	/* MESSAGE is not traced */
}

static void test_proxy_errors(void **state)
{
	struct fx *f = *state;
	const char *r;

	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx1\n"
	      "Max-Forwards: 0\nFrom: <sip:a@example.test>;tag=1\n"
	      "To: <sip:bob@example.test>\nCall-ID: e1\nCSeq: 1 OPTIONS\n\n");
	fx_expect(f, "SIP/2.0 483");
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS mailto:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx2\n"
	      "From: <sip:a@example.test>;tag=1\n"
	      "To: <sip:bob@example.test>\nCall-ID: e2\nCSeq: 1 OPTIONS\n\n");
	fx_expect(f, "SIP/2.0 416");
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx3\n"
	      "Proxy-Require: foo\nFrom: <sip:a@example.test>;tag=1\n"
	      "To: <sip:bob@example.test>\nCall-ID: e3\nCSeq: 1 OPTIONS\n\n");
	r = fx_expect(f, "SIP/2.0 420");
	assert_non_null(strstr(r, "Unsupported: foo"));
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sip:example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx4\n"
	      "Require: nothing\nFrom: <sip:a@example.test>;tag=1\n"
	      "To: <sip:example.test>\nCall-ID: e4\nCSeq: 1 OPTIONS\n\n");
	fx_expect(f, "SIP/2.0 420");
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sip:example.test SIP/7.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx5\n"
	      "From: <sip:a@example.test>;tag=1\n"
	      "To: <sip:example.test>\nCall-ID: e5\nCSeq: 1 OPTIONS\n\n");
	fx_expect(f, "SIP/2.0 505");
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sip:example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx6\n"
	      "From: <sip:a@example.test>;tag=1\n"
	      "To: <sip:example.test>\nCall-ID: e6\nCSeq: 1 INVITE\n\n");
	r = fx_expect(f, "SIP/2.0 400");
	assert_non_null(strstr(r, "Call-ID: e6"));
	/* loop: our own Via with the same loop hash */
	fx_register(f, "bob", "127.0.0.1:5060", 3600);
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx7\n"
	      "Max-Forwards: 70\nFrom: <sip:a@example.test>;tag=1\n"
	      "To: <sip:bob@example.test>\nCall-ID: e7\nCSeq: 1 OPTIONS\n\n");
	{
		struct fx_out o;
		const char *fw = fx_expect_to(f, "OPTIONS sip:bob@127.0.0.1"
					      ":5060", &o);
		char copy[4096];

		snprintf(copy, sizeof(copy), "%s", fw);
		fx_in(f, "127.0.0.1:5060", NET_UDP, copy);
		/* spiral: the R-URI changed, so it is forwarded again ... */
		fw = fx_expect_to(f, "OPTIONS sip:bob@127.0.0.1:5060", &o);
		snprintf(copy, sizeof(copy), "%s", fw);
		fx_in(f, "127.0.0.1:5060", NET_UDP, copy);
		/* ... but the same request again is a loop */
		fx_expect(f, "SIP/2.0 482");
		fx_drain(f);
	}
	/* other domain: no open relay */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sip:x@other.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx8\n"
	      "From: <sip:a@example.test>;tag=1\n"
	      "To: <sip:x@other.test>\nCall-ID: e8\nCSeq: 1 OPTIONS\n\n");
	fx_expect(f, "SIP/2.0 403");
	/* unknown user 404, known user without binding 480 */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "MESSAGE sip:nobody@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx9\n"
	      "From: <sip:a@example.test>;tag=1\n"
	      "To: <sip:nobody@example.test>\nCall-ID: e9\nCSeq: 1 MESSAGE\n"
	      "\n");
	fx_expect(f, "SIP/2.0 404");
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sip:alice@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx10\n"
	      "From: <sip:a@example.test>;tag=1\n"
	      "To: <sip:alice@example.test>\nCall-ID: e10\nCSeq: 1 OPTIONS\n"
	      "\n");
	fx_expect(f, "SIP/2.0 480");
	/* a response that is not ours is dropped */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "SIP/2.0 200 OK\n"
	      "Via: SIP/2.0/UDP 10.1.1.1:5070;branch=z9hG4bKzz\n"
	      "From: <sip:a@example.test>;tag=1\n"
	      "To: <sip:x@example.test>\nCall-ID: e11\nCSeq: 1 OPTIONS\n\n");
	fx_none(f);
	/* garbage */
	fx_in(f, "127.0.0.1:5070", NET_UDP, "SIP/2.0 ZZZ\n\n");
	fx_none(f);
}

static void test_proxy_tls_only(void **state)
{
	struct fx *f = *state;
	const char *r;
	char m[2048], body[512];

	fx_register(f, "bob", "127.0.0.1:5081", 3600);	/* UDP binding */
	fx_crlf(sdp_a, body, sizeof(body));
	snprintf(m, sizeof(m), invite_fmt, "z9hG4bKtls", "call-tls",
		 strlen(body), sdp_a);
	fx_in(f, "127.0.0.1:5071", NET_TLS, m);
	fx_expect(f, "SIP/2.0 100");
	fx_expect(f, "SIP/2.0 480");
	/* sips Request-URI over UDP likewise never leaves in clear */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sips:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKs1\n"
	      "From: <sip:a@example.test>;tag=1\n"
	      "To: <sips:bob@example.test>\nCall-ID: s1\nCSeq: 1 OPTIONS\n\n");
	fx_expect(f, "SIP/2.0 480");
	/* a TLS binding is used */
	fx_register_tp(f, "bob", "127.0.0.1:5091", NET_TLS, 3600);
	snprintf(m, sizeof(m), invite_fmt, "z9hG4bKtls2", "call-tls2",
		 strlen(body), sdp_a);
	fx_in(f, "127.0.0.1:5071", NET_TLS, m);
	fx_expect(f, "SIP/2.0 100");
	r = fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5091", NULL);
	assert_non_null(strstr(r, "Record-Route: <sip:127.0.0.1:5061;"
			       "transport=tls;lr>"));
	fx_drain(f);
	/* In-dialog: the callee's BYE targets the caller's Contact, which
	 * names no transport (UDP). The dialog is TLS (our Record-Route
	 * says so), so it is refused, whether the BYE came over TLS or,
	 * spoofed, over UDP: never sent in clear. */
	fx_in(f, "127.0.0.1:5091", NET_TLS,
	      "BYE sip:alice@127.0.0.1:5070 SIP/2.0\n"
	      "Via: SIP/2.0/TLS 127.0.0.1:5091;branch=z9hG4bKtb1\n"
	      "Route: <sip:127.0.0.1:5061;transport=tls;lr>\n"
	      "Max-Forwards: 70\nFrom: <sip:bob@example.test>;tag=bt\n"
	      "To: \"Alice\" <sip:alice@example.test>;tag=at1\n"
	      "Call-ID: call-tls2\nCSeq: 1 BYE\nContent-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 403 TLS Required");
	fx_none(f);
	fx_in(f, "127.0.0.1:5081", NET_UDP,
	      "BYE sip:alice@127.0.0.1:5070 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bKtb2\n"
	      "Route: <sip:127.0.0.1:5061;transport=tls;lr>\n"
	      "Max-Forwards: 70\nFrom: <sip:bob@example.test>;tag=bt\n"
	      "To: \"Alice\" <sip:alice@example.test>;tag=at1\n"
	      "Call-ID: call-tls2\nCSeq: 2 BYE\nContent-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 403 TLS Required");
	fx_none(f);
}

static void test_proxy_trace_redaction(void **state)
{
	static const char in[] =
		"INVITE sip:b@x SIP/2.0\r\n"
		"Proxy-Authorization: Digest username=\"a\", realm=\"x\", "
		"nonce=\"n\", uri=\"sip:b@x\", response=\"0123456789abcdef\", "
		"algorithm=MD5\r\n"
		"From: \"Al <al@mail.test>\" <sip:a@x>;tag=1\r\n"
		"To: \"Bob \\\"B\\\"\" <sip:b@x>\r\n"
		"Subject: write to me at al@mail.test\r\n"
		"Subject: lunch\r\n\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEYKEYKEY|2^20|1:32"
		"\r\na=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:OTHERKEY\r\n";
	struct pl p = pl_from_str(in);
	struct buf b;

	(void)state;
	buf_init(&b);
	assert_int_equal(sip_redact(&p, &b), 0);
	assert_null(strstr((char *)b.data, "0123456789abcdef"));
	assert_null(strstr((char *)b.data, "KEYKEYKEY"));
	assert_null(strstr((char *)b.data, "OTHERKEY"));
	assert_non_null(strstr((char *)b.data, "response=\"[redacted]\""));
	assert_non_null(strstr((char *)b.data, "|2^20|1:32"));
	assert_non_null(strstr((char *)b.data, "algorithm=MD5"));
	/* P3: e-mails in a display name or Subject; SIP URIs stay */
	assert_null(strstr((char *)b.data, "mail.test"));
	assert_non_null(strstr((char *)b.data,
			       "From: \"[redacted]\" <sip:a@x>;tag=1\r\n"));
	assert_non_null(strstr((char *)b.data,
			       "To: \"Bob \\\"B\\\"\" <sip:b@x>\r\n"));
	assert_non_null(strstr((char *)b.data, "Subject: [redacted]\r\n"));
	assert_non_null(strstr((char *)b.data, "Subject: lunch\r\n"));
	assert_non_null(strstr((char *)b.data, "uri=\"sip:b@x\""));
	buf_fini(&b);
}

static void test_proxy_presence(void **state)
{
	struct fx *f = *state;
	const char *r;
	char etag[64];
	struct fx_out o;

	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "SUBSCRIBE sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKp1\n"
	      "From: <sip:alice@example.test>;tag=s1\n"
	      "To: <sip:bob@example.test>\nCall-ID: sub-1\nCSeq: 1 SUBSCRIBE\n"
	      "Contact: <sip:alice@127.0.0.1:5070>\nEvent: presence\n"
	      "Expires: 600\nContent-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 200");
	r = fx_expect_to(f, "NOTIFY sip:alice@127.0.0.1:5070", &o);
	assert_non_null(strstr(r, "Subscription-State: active"));
	assert_non_null(strstr(r, "<basic>closed</basic>"));
	fx_reply(f, &o, "127.0.0.1:5070", 200, "s1", NULL);
	fx_in(f, "127.0.0.1:5081", NET_UDP,
	      "PUBLISH sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bKp2\n"
	      "From: <sip:bob@example.test>;tag=p1\n"
	      "To: <sip:bob@example.test>\nCall-ID: pub-1\nCSeq: 1 PUBLISH\n"
	      "Event: presence\nExpires: 600\n"
	      "Content-Type: application/pidf+xml\nContent-Length: 20\n\n"
	      "<basic>open</basic>\n");
	r = fx_expect(f, "SIP/2.0 200");
	assert_non_null(strstr(r, "SIP-ETag: "));
	sscanf(strstr(r, "SIP-ETag: ") + 10, "%63[0-9a-f]", etag);
	r = fx_expect_to(f, "NOTIFY sip:alice@127.0.0.1:5070", &o);
	assert_non_null(strstr(r, "<basic>open</basic>"));
	fx_reply(f, &o, "127.0.0.1:5070", 200, "s1", NULL);
	/* an unknown entity tag */
	fx_in(f, "127.0.0.1:5081", NET_UDP,
	      "PUBLISH sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bKp3\n"
	      "From: <sip:bob@example.test>;tag=p1\n"
	      "To: <sip:bob@example.test>\nCall-ID: pub-1\nCSeq: 2 PUBLISH\n"
	      "Event: presence\nSIP-If-Match: nope\nContent-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 412");
	/* wrong event package */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "SUBSCRIBE sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKp4\n"
	      "From: <sip:alice@example.test>;tag=s2\n"
	      "To: <sip:bob@example.test>\nCall-ID: sub-2\nCSeq: 1 SUBSCRIBE\n"
	      "Contact: <sip:alice@127.0.0.1:5070>\nEvent: dialog\n"
	      "Content-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 489");
	/* expiry: NOTIFY terminated */
	fx_advance(f, 601 * 1000000ull);
	r = fx_expect_to(f, "NOTIFY sip:alice@127.0.0.1:5070", NULL);
	assert_non_null(strstr(r, "terminated;reason=timeout"));
	fx_drain(f);
	/* P8: nothing reached a hook */
	assert_int_equal(f->ntrace, 0);
	assert_int_equal(f->ncdr, 0);
	assert_int_equal(f->nmsg, 0);
}

static void test_proxy_relay_and_message_store(void **state)
{
	struct fx *f = *state;
	const char *r;

	/* pre-routed initial request from a foreign user: no open relay */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "MESSAGE sip:x@127.0.0.9 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKq1\n"
	      "Route: <sip:127.0.0.1:5060;lr>, <sip:127.0.0.9;lr>\n"
	      "From: <sip:eve@evil.test>;tag=1\n"
	      "To: <sip:x@127.0.0.9>\nCall-ID: q1\nCSeq: 1 MESSAGE\n\n");
	r = fx_expect(f, "SIP/2.0 403");
	assert_non_null(strstr(r, "Relaying Denied"));
	/* in-dialog, loose-routed: forwarded to the next Route */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "BYE sip:x@127.0.0.8 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKq2\n"
	      "Route: <sip:127.0.0.1:5060;lr>, <sip:127.0.0.9;lr>\n"
	      "From: <sip:eve@evil.test>;tag=1\n"
	      "To: <sip:x@127.0.0.9>;tag=2\nCall-ID: q2\nCSeq: 1 BYE\n\n");
	{
		struct fx_out o;

		r = fx_expect_to(f, "BYE sip:x@127.0.0.8", &o);
		assert_non_null(strstr(r, "Route: <sip:127.0.0.9;lr>"));
		assert_null(strstr(r, "127.0.0.1:5060;lr"));
		assert_int_equal(net_addr_port(&o.dst), 5060);
	}
	/* outside the allowed networks: refused, nothing sent */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "BYE sip:x@192.0.2.1 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKq3\n"
	      "Route: <sip:127.0.0.1:5060;lr>\n"
	      "From: <sip:eve@evil.test>;tag=1\n"
	      "To: <sip:x@127.0.0.9>;tag=2\nCall-ID: q3\nCSeq: 1 BYE\n\n");
	fx_expect(f, "SIP/2.0 403");
	fx_none(f);
	/* MESSAGE to a user with no device: stored (P10), 202 */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "MESSAGE sip:carol@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKq4\n"
	      "From: <sip:alice@example.test>;tag=1\n"
	      "To: <sip:carol@example.test>\nCall-ID: q4\nCSeq: 1 MESSAGE\n"
	      "Content-Type: text/plain\nContent-Length: 5\n\nhello");
	fx_expect(f, "SIP/2.0 202");
	assert_int_equal(f->nmsg, 1);
	assert_string_equal(f->msg_to, "carol@example.test");
	/* addressed to our IP: the same AOR */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "MESSAGE sip:carol@127.0.0.1:5060 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKq5\n"
	      "From: <sip:alice@127.0.0.1>;tag=1\n"
	      "To: <sip:carol@127.0.0.1>\nCall-ID: q5\nCSeq: 1 MESSAGE\n"
	      "Content-Type: text/plain\nContent-Length: 5\n\nhello");
	fx_expect(f, "SIP/2.0 202");
	assert_string_equal(f->msg_to, "carol@example.test");
	assert_string_equal(f->msg_from, "alice@example.test");
}

/* A TCP binding whose connection closed is reached at its Contact. */
static void test_proxy_stream_binding(void **state)
{
	struct fx *f = *state;
	struct net_pkt pkt;
	struct fx_out o;

	fx_in(f, "127.0.0.1:40001", NET_TCP,
	      "REGISTER sip:example.test SIP/2.0\n"
	      "Via: SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKt1\n"
	      "From: <sip:bob@example.test>;tag=a\n"
	      "To: <sip:bob@example.test>\nCall-ID: t1\nCSeq: 1 REGISTER\n"
	      "Contact: <sip:bob@127.0.0.1:5099;transport=tcp>\n"
	      "Content-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 200");
	send_invite(f, "z9hG4bKs1", "call-s1");
	fx_expect(f, "SIP/2.0 100");
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5099", &o);
	assert_int_equal(o.conn_id, 7);	/* the registration's connection */
	assert_int_equal(net_addr_port(&o.dst), 40001);
	memset(&pkt, 0, sizeof(pkt));	/* it closes */
	fx_addr("127.0.0.1:40001", NET_TCP, &pkt.from);
	pkt.to = f->listen[1];
	pkt.conn_id = 7;
	assert_int_equal(sip_proxy_input(f->p, f->now, &pkt), 0);
	send_invite(f, "z9hG4bKs2", "call-s2");
	fx_expect(f, "SIP/2.0 100");
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5099", &o);
	assert_int_equal(o.conn_id, 0);
	assert_int_equal(net_addr_port(&o.dst), 5099);
	assert_int_equal(o.dst.tp, NET_TCP);
	fx_drain(f);
}

/* Past max_tsx live transactions: 503 with Retry-After, no growth. */
static void test_proxy_overload(void **state)
{
	struct fx *f = *state;
	char m[512];
	const char *r;
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(m, sizeof(m), "OPTIONS sip:alice@example.test SIP/2.0\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKo%d\n"
			 "From: <sip:a@example.test>;tag=1\n"
			 "To: <sip:alice@example.test>\nCall-ID: o%d\n"
			 "CSeq: 1 OPTIONS\n\n", i, i);
		fx_in(f, "127.0.0.1:5070", NET_UDP, m);
		r = fx_expect(f, i < 3 ? "SIP/2.0 480" : "SIP/2.0 503");
	}
	assert_non_null(strstr(r, "Retry-After: "));
	fx_advance(f, 40 * 1000000ull);	/* Timer J frees them */
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
	fx_expect(f, "SIP/2.0 480");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_proxy_register_bindings,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_register_auth,
						setup_auth, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_auth_enum_and_limit,
						setup_auth, teardown),
		cmocka_unit_test_setup_teardown(
			test_proxy_invite_fork_answer_bye, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_cancel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_proxy_timer_b_f, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_proxy_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_proxy_tls_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_proxy_trace_redaction,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_presence, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_proxy_relay_and_message_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_stream_binding,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_overload,
						setup_small, teardown),
	};

	return cmocka_run_group_tests_name("proxy", tests, NULL, NULL);
}
