/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy's static route by Request-URI user prefix (sip_static_route,
 * used for the conference focus): initial INVITEs for PREFIX*@domain go
 * to the route's server with the Request-URI kept, record-routed; the
 * dialog's BYE goes through; the CDR is marked with the route's kind;
 * digest auth still applies to local callers but not to requests from
 * the server itself; a REFER from another domain is refused; other
 * users route as before.
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
/* The shared fixture's registrar and auth helpers are not needed here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proxy_testutil.h"

static int64_t blocks_at_start;
static struct sip_static_route route;

static int setup_with(void **state, bool auth)
{
	static struct fx f;
	struct pl a = PL("127.0.0.1:5090");

	blocks_at_start = mem_blocks();
	memset(&route, 0, sizeof(route));
	snprintf(route.prefix, sizeof(route.prefix), "room-");
	snprintf(route.kind, sizeof(route.kind), "conference");
	assert_int_equal(net_addr_parse(&a, 5060, &route.dst), 0);
	route.dst.tp = NET_UDP;
	fx_static = &route;
	fx_init(&f, auth);
	fx_static = NULL;
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static int setup_auth(void **state)
{
	return setup_with(state, true);
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static const char room_invite[] =
	"INVITE sip:%s@example.test SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=%s;rport\n"
	"Max-Forwards: 70\n"
	"From: \"Alice\" <sip:alice@example.test>;tag=at1\n"
	"To: <sip:%s@example.test>\nCall-ID: %s\nCSeq: 1 INVITE\n"
	"Contact: <sip:alice@127.0.0.1:5070>\nUser-Agent: test-uac\n"
	"Content-Length: 0\n\n";

static void invite(struct fx *f, const char *user, const char *branch,
		   const char *cid)
{
	char m[1024];

	snprintf(m, sizeof(m), room_invite, user, branch, user, cid);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

static void test_static_route_call(void **state)
{
	struct fx *f = *state;
	struct fx_out o;
	const char *r;

	invite(f, "room-blue", "z9hG4bKs1", "conf-call-1");
	fx_expect(f, "SIP/2.0 100");
	r = fx_expect_to(f, "INVITE sip:room-blue@example.test SIP/2.0", &o);
	assert_int_equal(net_addr_port(&o.dst), 5090);
	assert_non_null(strstr(r, "Record-Route: <sip:127.0.0.1:5060;lr>"));
	fx_reply(f, &o, "127.0.0.1:5090", 200, "focustag", NULL);
	fx_expect(f, "SIP/2.0 200");
	fx_none(f);
	assert_int_equal(f->ncdr, 0);
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "BYE sip:room-blue@127.0.0.1:5090 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKsb\n"
	      "Route: <sip:127.0.0.1:5060;lr>\nMax-Forwards: 70\n"
	      "From: <sip:alice@example.test>;tag=at1\n"
	      "To: <sip:room-blue@example.test>;tag=focustag\n"
	      "Call-ID: conf-call-1\nCSeq: 2 BYE\nContent-Length: 0\n\n");
	r = fx_expect_to(f, "BYE sip:room-blue@127.0.0.1:5090", &o);
	assert_int_equal(net_addr_port(&o.dst), 5090);
	assert_int_equal(f->ncdr, 1);
	assert_string_equal(f->cdr.kind, "conference");
	assert_string_equal(f->cdr.callee, "room-blue@example.test");
	assert_string_equal(f->cdr.caller, "alice@example.test");
	assert_int_equal(f->cdr.status, 200);
	assert_string_equal(f->cdr.hangup, "caller");
	fx_drain(f);
}

/* A refusal by the server is a conference leg too (P16: failed calls). */
static void test_static_route_refused(void **state)
{
	struct fx *f = *state;
	struct fx_out o;

	invite(f, "room-full", "z9hG4bKs2", "conf-call-2");
	fx_expect(f, "SIP/2.0 100");
	fx_expect_to(f, "INVITE sip:room-full@example.test", &o);
	fx_reply(f, &o, "127.0.0.1:5090", 486, "focustag", NULL);
	fx_expect(f, "SIP/2.0 486");
	fx_drain(f);
	assert_int_equal(f->ncdr, 1);
	assert_string_equal(f->cdr.kind, "conference");
	assert_int_equal(f->cdr.status, 486);
	/* Not the prefix: an ordinary (unknown) user, plain CDR. */
	invite(f, "roomblue", "z9hG4bKs3", "conf-call-3");
	fx_expect(f, "SIP/2.0 404");
	fx_drain(f);
	assert_int_equal(f->ncdr, 2);
	assert_string_equal(f->cdr.kind, "");
}

static void test_static_route_auth(void **state)
{
	struct fx *f = *state;

	/* A local caller still proves who it is. */
	invite(f, "room-blue", "z9hG4bKs4", "conf-call-4");
	fx_expect(f, "SIP/2.0 407");
	fx_drain(f);
	/* The server behind the route places calls unchallenged: bob is
	 * not registered, so 480, not 407. */
	fx_in(f, "127.0.0.1:5090", NET_UDP,
	      "INVITE sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKs5\n"
	      "Max-Forwards: 70\n"
	      "From: <sip:room-blue@example.test>;tag=ft1\n"
	      "To: <sip:bob@example.test>\nCall-ID: conf-call-5\n"
	      "CSeq: 1 INVITE\nContact: <sip:room-blue@127.0.0.1:5090>\n"
	      "Content-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 100");
	fx_expect(f, "SIP/2.0 480");
	fx_drain(f);
	assert_string_equal(f->cdr.kind, "conference");
	/* The same from elsewhere is challenged. */
	fx_in(f, "127.0.0.1:5091", NET_UDP,
	      "INVITE sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5091;branch=z9hG4bKs6\n"
	      "Max-Forwards: 70\n"
	      "From: <sip:room-blue@example.test>;tag=ft2\n"
	      "To: <sip:bob@example.test>\nCall-ID: conf-call-6\n"
	      "CSeq: 1 INVITE\nContent-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 407");
	fx_drain(f);
	/* A REFER to the room from another domain would make the server
	 * dial our users unchallenged: refused. */
	fx_in(f, "127.0.0.1:5092", NET_UDP,
	      "REFER sip:room-blue@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5092;branch=z9hG4bKs7\n"
	      "Max-Forwards: 70\n"
	      "From: <sip:mallory@elsewhere.test>;tag=m1\n"
	      "To: <sip:room-blue@example.test>\nCall-ID: conf-call-7\n"
	      "CSeq: 1 REFER\nRefer-To: <sip:bob@example.test>\n"
	      "Content-Length: 0\n\n");
	fx_expect(f, "SIP/2.0 403 Referrer Not Local");
	fx_drain(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_static_route_call, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_static_route_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_route_auth,
						setup_auth, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
