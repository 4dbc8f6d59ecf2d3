/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8599 push on the proxy core (POLICY P9), through its four calls with
 * a fake clock: a call for a user whose only binding carries push
 * parameters wakes it through the push hook and waits for the re-REGISTER
 * before forking; 480 when the device stays asleep; 487 on CANCEL while
 * waiting; plain bindings are forked at once; a stored MESSAGE for a
 * sleeping device is answered 202. The hook never sees the caller.
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
/* The fixture's digest helpers are not needed here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proxy_testutil.h"

static int64_t blocks_at_start;
static int npush;
static char push_seen[1024];

static void fx_push(void *arg, const struct sip_push *p)
{
	(void)arg;
	npush++;
	snprintf(push_seen, sizeof(push_seen), "%.*s|%.*s|%.*s|%.*s|%s",
		 PL_ARG(p->user), PL_ARG(p->provider), PL_ARG(p->prid),
		 PL_ARG(p->param), p->kind);
}

static int setup(void **state)
{
	static struct fx f;

	blocks_at_start = mem_blocks();
	npush = 0;
	push_seen[0] = 0;
	fx_push_fn = fx_push;
	fx_init(&f, false);
	fx_push_fn = NULL;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

/* bob's phone at port 5081 with pn-* parameters (RFC 8599 4.1). */
static void reg_push(struct fx *f, int cseq)
{
	char m[1024];

	snprintf(m, sizeof(m),
		 "REGISTER sip:example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bKpr%d\n"
		 "From: <sip:bob@example.test>;tag=r\n"
		 "To: <sip:bob@example.test>\nCall-ID: reg-bob-push\n"
		 "CSeq: %d REGISTER\n"
		 "Contact: <sip:bob@127.0.0.1:5081;pn-provider=apns;"
		 "pn-prid=DEVTOKEN42;pn-param=ABC.voip>;expires=600\n"
		 "Content-Length: 0\n\n", cseq, cseq);
	fx_in(f, "127.0.0.1:5081", NET_UDP, m);
	fx_expect(f, "SIP/2.0 200");
}

static void invite(struct fx *f, const char *branch, const char *cid)
{
	char m[1024];

	snprintf(m, sizeof(m),
		 "INVITE sip:bob@example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=%s;rport\n"
		 "Max-Forwards: 70\n"
		 "From: \"Alice\" <sip:alice@example.test>;tag=at1\n"
		 "To: <sip:bob@example.test>\nCall-ID: %s\nCSeq: 1 INVITE\n"
		 "Contact: <sip:alice@127.0.0.1:5070>\n"
		 "Subject: SECRET-SUBJECT\nContent-Length: 0\n\n", branch,
		 cid);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

static void test_push_wait_then_fork(void **state)
{
	struct fx *f = *state;
	struct fx_out o;
	struct sip_proxy_stats st;

	reg_push(f, 1);
	assert_int_equal(npush, 0);	/* REGISTER alone wakes nobody */
	invite(f, "z9hG4bKp1", "push-call-1");
	fx_expect(f, "SIP/2.0 100");
	fx_none(f);	/* parked: not forked to the sleeping device */
	assert_int_equal(npush, 1);
	assert_string_equal(push_seen,
			    "bob@example.test|apns|DEVTOKEN42|ABC.voip|call");
	assert_null(strstr(push_seen, "alice"));
	fx_advance(f, 2000000);
	fx_none(f);
	/* the woken device re-registers: the INVITE goes to it */
	reg_push(f, 2);
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081 SIP/2.0", &o);
	/* the device token goes to the push hook only */
	assert_null(strstr(o.text, "DEVTOKEN42"));
	fx_reply(f, &o, "127.0.0.1:5081", 200, "bt", NULL);
	fx_expect(f, "SIP/2.0 200");
	sip_proxy_stats(f->p, &st);
	assert_int_equal(st.pushes, 1);
	assert_int_equal(st.push_waits, 1);
	assert_int_equal(st.push_forked, 1);
	assert_int_equal(st.push_timeouts, 0);
	/* a later refresh forks nothing more */
	reg_push(f, 3);
	fx_none(f);
}

static void test_push_timeout(void **state)
{
	struct fx *f = *state;
	struct sip_proxy_stats st;

	reg_push(f, 1);
	invite(f, "z9hG4bKp2", "push-call-2");
	fx_expect(f, "SIP/2.0 100");
	fx_advance(f, 9000000);
	fx_none(f);
	fx_advance(f, 1100000);
	fx_expect(f, "SIP/2.0 480");
	assert_int_equal(f->ncdr, 1);
	assert_int_equal(f->cdr.status, 480);
	sip_proxy_stats(f->p, &st);
	assert_int_equal(st.push_timeouts, 1);
	/* a re-REGISTER after the answer forks nothing */
	reg_push(f, 2);
	fx_none(f);
}

static void test_push_cancel(void **state)
{
	struct fx *f = *state;

	reg_push(f, 1);
	invite(f, "z9hG4bKp3", "push-call-3");
	fx_expect(f, "SIP/2.0 100");
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "CANCEL sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKp3;rport\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=at1\n"
	      "To: <sip:bob@example.test>\nCall-ID: push-call-3\n"
	      "CSeq: 1 CANCEL\nContent-Length: 0\n\n");
	assert_int_equal(fx_count(f, "SIP/2.0 200"), 1);
	assert_int_equal(fx_count(f, "SIP/2.0 487"), 1);
	fx_none(f);
	assert_int_equal(f->cdr.status, 487);
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "ACK sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKp3;rport\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=at1\n"
	      "To: <sip:bob@example.test>;tag=x\nCall-ID: push-call-3\n"
	      "CSeq: 1 ACK\nContent-Length: 0\n\n");
	reg_push(f, 2);
	fx_none(f);
	fx_advance(f, 20000000);
	fx_none(f);
}

static void test_push_mixed_forks_now(void **state)
{
	struct fx *f = *state;

	reg_push(f, 1);
	fx_register(f, "bob", "127.0.0.1:5082", 600);
	invite(f, "z9hG4bKp4", "push-call-4");
	fx_expect(f, "SIP/2.0 100");
	/* a plain device is there: fork to both, wake the other */
	fx_expect(f, "INVITE sip:bob@127.0.0.1:5081");
	fx_expect(f, "INVITE sip:bob@127.0.0.1:5082");
	assert_int_equal(npush, 1);
}

static void test_push_message_stored(void **state)
{
	struct fx *f = *state;

	reg_push(f, 1);
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "MESSAGE sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKpm1\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=m1\n"
	      "To: <sip:bob@example.test>\nCall-ID: push-msg-1\n"
	      "CSeq: 1 MESSAGE\nContent-Type: text/plain\n"
	      "Content-Length: 11\n\nSECRET-BODY");
	fx_expect(f, "SIP/2.0 202");
	fx_none(f);
	assert_int_equal(f->nmsg, 1);
	assert_int_equal(npush, 1);
	assert_string_equal(push_seen,
			    "bob@example.test|apns|DEVTOKEN42|ABC.voip|message");
}

static void test_push_plain_untouched(void **state)
{
	struct fx *f = *state;

	fx_register(f, "bob", "127.0.0.1:5082", 600);
	invite(f, "z9hG4bKp5", "push-call-5");
	fx_expect(f, "SIP/2.0 100");
	fx_expect(f, "INVITE sip:bob@127.0.0.1:5082");
	assert_int_equal(npush, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_push_wait_then_fork,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_cancel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_mixed_forks_now,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_message_stored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_plain_untouched,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("proxy_push", tests, NULL, NULL);
}
