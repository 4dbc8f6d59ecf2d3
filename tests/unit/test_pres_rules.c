/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Presence authorization (RFC 5025): the pres-rules evaluator of
 * ref/xcap (identity one/many/except, unconditioned rules, most
 * permissive match, unknown conditions false, default confirm), and the
 * SIP presence agent enforcing it through its sub_handling hook with a
 * fake clock: a blocked watcher gets 403, a pending one a NOTIFY without
 * state, a politely blocked one only "closed", an allowed one what was
 * published.
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
#include "xcap/xcap.h"
#include "base/mem.h"
/* The fixture's digest helpers are not needed here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proxy_testutil.h"

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<cp:ruleset xmlns:cp=\"urn:ietf:params:xml:ns:common-policy\" " \
	"xmlns:pr=\"urn:ietf:params:xml:ns:pres-rules\">\n"
#define RULE(id, cond, act) "<cp:rule id=\"" id "\"><cp:conditions>" \
	cond "</cp:conditions><cp:actions><pr:sub-handling>" act \
	"</pr:sub-handling></cp:actions><cp:transformations/></cp:rule>\n"
#define ONE(u) "<cp:identity><cp:one id=\"sip:" u "\"/></cp:identity>"

static const char doc[] = HEAD
	RULE("a", ONE("carol@example.test"), "allow")
	RULE("b", ONE("mallory@example.test"), "block")
	RULE("c", ONE("eve@example.test"), "polite-block")
	RULE("d", "<cp:identity><cp:many domain=\"friends.test\">"
	     "<cp:except id=\"sip:ex@friends.test\"/></cp:many></cp:identity>",
	     "allow")
	RULE("e", ONE("dave@example.test"), "block")
	RULE("f", ONE("dave@example.test"), "confirm")
	RULE("g", "<cp:sphere value=\"work\"/>", "allow")
	"</cp:ruleset>\n";

static int eval(const char *d, const char *w)
{
	struct pl p = pl_from_str(d);

	return xcap_pres_rules_eval(&p, w);
}

static void test_rules_eval(void **state)
{
	(void)state;
	assert_int_equal(eval(doc, "carol@example.test"), XCAP_SUB_ALLOW);
	assert_int_equal(eval(doc, "CAROL@example.test"), XCAP_SUB_ALLOW);
	assert_int_equal(eval(doc, "mallory@example.test"), XCAP_SUB_BLOCK);
	assert_int_equal(eval(doc, "eve@example.test"),
			 XCAP_SUB_POLITE_BLOCK);
	assert_int_equal(eval(doc, "zed@friends.test"), XCAP_SUB_ALLOW);
	assert_int_equal(eval(doc, "ex@friends.test"), XCAP_SUB_CONFIRM);
	/* two rules match: the most permissive wins */
	assert_int_equal(eval(doc, "dave@example.test"), XCAP_SUB_CONFIRM);
	/* no rule (the sphere rule never matches: unknown here) */
	assert_int_equal(eval(doc, "stranger@example.test"),
			 XCAP_SUB_CONFIRM);
	/* a rule without conditions matches everyone */
	assert_int_equal(eval(HEAD "<cp:rule id=\"x\"><cp:actions>"
			      "<pr:sub-handling>allow</pr:sub-handling>"
			      "</cp:actions></cp:rule></cp:ruleset>",
			      "anyone@x.test"), XCAP_SUB_ALLOW);
	/* unreadable or foreign documents give no state */
	assert_int_equal(eval("<nope", "carol@example.test"),
			 XCAP_SUB_CONFIRM);
	assert_int_equal(eval("<ruleset/>", "carol@example.test"),
			 XCAP_SUB_CONFIRM);
	assert_int_equal(eval("", "carol@example.test"), XCAP_SUB_CONFIRM);
}

/* ---- the presence agent with a fake rules hook ------------------------ */

static int64_t blocks_at_start;

static int f_subh(void *arg, const char *presentity, const char *watcher)
{
	(void)arg;
	if (strcmp(presentity, "bob@example.test"))
		return SIP_SUB_ALLOW;
	return eval(doc, watcher);
}

static int setup(void **state)
{
	static struct fx f;
	struct sip_proxy_cfg c;

	blocks_at_start = mem_blocks();
	fx_cfg(&f, &c, 9);
	c.store.arg = &f;
	c.store.sub_handling = f_subh;
	f.now = 1000000;
	assert_int_equal(sip_proxy_new(&f.p, &c), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static void subscribe(struct fx *f, const char *who, int port)
{
	char m[1024], from[64];

	snprintf(from, sizeof(from), "127.0.0.1:%d", port);
	snprintf(m, sizeof(m),
		 "SUBSCRIBE sip:bob@example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKs%s\n"
		 "From: <sip:%s@example.test>;tag=t%s\n"
		 "To: <sip:bob@example.test>\nCall-ID: sub-%s\n"
		 "CSeq: 1 SUBSCRIBE\nContact: <sip:%s@127.0.0.1:%d>\n"
		 "Event: presence\nExpires: 600\nContent-Length: 0\n\n", port,
		 who, who, who, who, who, port);
	fx_in(f, from, NET_UDP, m);
}

static void test_rules_enforced(void **state)
{
	struct fx *f = *state;
	struct fx_out o;
	const char *r;
	struct sip_proxy_stats st;

	/* bob publishes something only friends may see */
	fx_in(f, "127.0.0.1:5081", NET_UDP,
	      "PUBLISH sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bKpub\n"
	      "From: <sip:bob@example.test>;tag=p1\n"
	      "To: <sip:bob@example.test>\nCall-ID: pub-1\nCSeq: 1 PUBLISH\n"
	      "Event: presence\nExpires: 600\n"
	      "Content-Type: application/pidf+xml\nContent-Length: 26\n\n"
	      "<note>AT-THE-DENTIST</note>");
	fx_expect(f, "SIP/2.0 200");
	/* allowed: the published state */
	subscribe(f, "carol", 5071);
	fx_expect(f, "SIP/2.0 200");
	r = fx_expect_to(f, "NOTIFY sip:carol@127.0.0.1:5071", &o);
	assert_non_null(strstr(r, "Subscription-State: active"));
	assert_non_null(strstr(r, "AT-THE-DENTIST"));
	fx_reply(f, &o, "127.0.0.1:5071", 200, "n", NULL);
	/* blocked: 403, no NOTIFY */
	subscribe(f, "mallory", 5072);
	fx_expect(f, "SIP/2.0 403");
	fx_none(f);
	/* polite-block: accepted, a neutral closed document only */
	subscribe(f, "eve", 5073);
	fx_expect(f, "SIP/2.0 200");
	r = fx_expect_to(f, "NOTIFY sip:eve@127.0.0.1:5073", &o);
	assert_non_null(strstr(r, "Subscription-State: active"));
	assert_non_null(strstr(r, "<basic>closed</basic>"));
	assert_null(strstr(r, "AT-THE-DENTIST"));
	fx_reply(f, &o, "127.0.0.1:5073", 200, "n", NULL);
	/* no rule: pending, and a NOTIFY without any state */
	subscribe(f, "stranger", 5074);
	fx_expect(f, "SIP/2.0 200");
	r = fx_expect_to(f, "NOTIFY sip:stranger@127.0.0.1:5074", &o);
	assert_non_null(strstr(r, "Subscription-State: pending"));
	assert_non_null(strstr(r, "Content-Length: 0"));
	assert_null(strstr(r, "Content-Type"));
	fx_reply(f, &o, "127.0.0.1:5074", 200, "n", NULL);
	/* a new PUBLISH reaches only the allowed watcher's state */
	fx_in(f, "127.0.0.1:5081", NET_UDP,
	      "PUBLISH sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bKpub2\n"
	      "From: <sip:bob@example.test>;tag=p2\n"
	      "To: <sip:bob@example.test>\nCall-ID: pub-2\nCSeq: 1 PUBLISH\n"
	      "Event: presence\nExpires: 600\n"
	      "Content-Type: application/pidf+xml\nContent-Length: 23\n\n"
	      "<note>ON-HOLIDAY</note>");
	fx_expect(f, "SIP/2.0 200");
	r = fx_expect_to(f, "NOTIFY sip:carol@127.0.0.1:5071", NULL);
	assert_non_null(strstr(r, "ON-HOLIDAY"));
	r = fx_expect_to(f, "NOTIFY sip:eve@127.0.0.1:5073", NULL);
	assert_null(strstr(r, "ON-HOLIDAY"));
	r = fx_expect_to(f, "NOTIFY sip:stranger@127.0.0.1:5074", NULL);
	assert_null(strstr(r, "ON-HOLIDAY"));
	fx_drain(f);
	sip_proxy_stats(f->p, &st);
	assert_int_equal(st.subs_blocked, 1);
	assert_int_equal(st.subs_pending, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_eval),
		cmocka_unit_test_setup_teardown(test_rules_enforced, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("pres_rules", tests, NULL, NULL);
}
