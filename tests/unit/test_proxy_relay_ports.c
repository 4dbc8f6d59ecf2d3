/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Relay sessions end with their call (sip_media_ops.del): a fake relay
 * counts the sessions that offers open and del closes, and every way an
 * INVITE can end without a dialog must leave none open: a non-2xx final
 * (after forking, only once all branches are done), CANCEL then 487, a
 * branch that rings until Timer C, a 2xx never ACKed, and an initial
 * INVITE pre-routed through us to another hop. A re-INVITE that fails
 * keeps the call's session; an ACKed call keeps it until its BYE.
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
/* The shared fixture's auth helpers are not needed here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proxy_testutil.h"

static int64_t blocks_at_start;

/* The fake relay: one session per Call-ID. */
#define RL_MAX 8
static struct {
	char open[RL_MAX][64];
	int nopen, offers, dels;
} rl;

static int rl_find(const struct pl *cid)
{
	int i;

	for (i = 0; i < RL_MAX; i++)
		if (rl.open[i][0] && pl_eq_str(cid, rl.open[i]))
			return i;
	return -1;
}

static int rl_offer(void *arg, const struct pl *call_id,
		    const struct pl *from_tag, const struct pl *sdp,
		    struct buf *out)
{
	int i;

	(void)arg;
	(void)from_tag;
	rl.offers++;
	if (rl_find(call_id) < 0) {
		for (i = 0; i < RL_MAX && rl.open[i][0]; i++)
			;
		assert_true(i < RL_MAX);
		pl_strcpy(call_id, rl.open[i], sizeof(rl.open[i]));
		rl.nopen++;
	}
	return buf_put_pl(out, sdp);
}

static int rl_answer(void *arg, const struct pl *call_id,
		     const struct pl *from_tag, const struct pl *to_tag,
		     const struct pl *sdp, struct buf *out)
{
	(void)arg;
	(void)from_tag;
	(void)to_tag;
	if (rl_find(call_id) < 0)
		return ENOENT;
	return buf_put_pl(out, sdp);
}

static void rl_del(void *arg, const struct pl *call_id,
		   const struct pl *from_tag)
{
	int i = rl_find(call_id);

	(void)arg;
	(void)from_tag;
	rl.dels++;
	if (i >= 0) {
		rl.open[i][0] = '\0';
		rl.nopen--;
	}
}

/* One way an INVITE ends without a dialog, as a table row: alice calls
 * ruri (bob's AOR, registered at 127.0.0.1:5081, unless pre-routed with
 * route), the INVITE must leave as fwd towards hop, whose callee answers
 * reply; with cancel, alice then CANCELs and the callee says 487. final
 * is what alice gets. Then time runs in steps, each followed by a check
 * of the open sessions (open -1: none); at the end no session is open and
 * the call has its one CDR. */
struct end_case {
	const char *name, *ruri, *route, *fwd, *hop;
	uint16_t reply;
	bool cancel;
	const char *final;
	struct {
		uint64_t s;
		int open;
	} steps[3];
	uint16_t cdr_status;	/* 0: not checked */
	const char *hangup;	/* the CDR's, with no talk time; NULL: not
				 * checked */
};

/* A suite's state: the fixture first (the tests that take *state as a
 * struct fx rely on it), then the table row the case runs, if any. */
struct tcx {
	struct fx f;
	const struct end_case *c;
};

static int setup(void **state)
{
	static struct tcx t;

	blocks_at_start = mem_blocks();
	memset(&rl, 0, sizeof(rl));
	memset(&fx_media, 0, sizeof(fx_media));
	fx_media.offer = rl_offer;
	fx_media.answer = rl_answer;
	fx_media.del = rl_del;
	t.c = *state;	/* cmocka's initial_state: the row, or NULL */
	fx_init(&t.f, false);
	memset(&fx_media, 0, sizeof(fx_media));
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct tcx *t = *state;

	fx_fini(&t->f);
	assert_int_equal(rl.nopen, 0);	/* shutdown ends every call */
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

#define SDP_A "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n" \
	"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 0\r\n"
#define SDP_B "v=0\no=- 2 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\n" \
	"t=0 0\nm=audio 42000 RTP/AVP 0\n"

/* An INVITE from alice with an SDP offer; totag/route for in-dialog. */
static void invite(struct fx *f, const char *ruri, const char *branch,
		   const char *cid, const char *totag, const char *route,
		   int cseq)
{
	char m[2048];

	snprintf(m, sizeof(m),
		 "INVITE %s SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=%s;rport\n"
		 "%s%s%sMax-Forwards: 70\n"
		 "From: <sip:alice@example.test>;tag=at7\n"
		 "To: <sip:bob@example.test>%s%s\nCall-ID: %s\n"
		 "CSeq: %d INVITE\nContact: <sip:alice@127.0.0.1:5070>\n"
		 "Content-Type: application/sdp\nContent-Length: %zu\n\n%s",
		 ruri, branch, route ? "Route: <" : "", route ? route : "",
		 route ? ">\n" : "", totag ? ";tag=" : "", totag ? totag : "",
		 cid, cseq, strlen(SDP_A), SDP_A);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

static void in_dialog(struct fx *f, const char *method, const char *cid,
		      int cseq)
{
	char m[1024];

	snprintf(m, sizeof(m),
		 "%s sip:bob@127.0.0.1:5081 SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK%s%d\n"
		 "Route: <sip:127.0.0.1:5060;lr>\nMax-Forwards: 70\n"
		 "From: <sip:alice@example.test>;tag=at7\n"
		 "To: <sip:bob@example.test>;tag=bt7\nCall-ID: %s\n"
		 "CSeq: %d %s\nContent-Length: 0\n\n", method, method, cseq,
		 cid, cseq, method);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

/* alice's CANCEL of the INVITE she sent with branch and cid, forwarded
 * to bob as out (if not NULL). */
static void cancel(struct fx *f, const char *branch, const char *cid,
		   struct fx_out *out)
{
	char m[1024];

	snprintf(m, sizeof(m),
		 "CANCEL sip:bob@example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=%s;rport\n"
		 "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=at7\n"
		 "To: <sip:bob@example.test>\nCall-ID: %s\n"
		 "CSeq: 1 CANCEL\nContent-Length: 0\n\n", branch, cid);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
	fx_expect_to(f, "CANCEL sip:bob@127.0.0.1:5081", out);
}

/* bob registered at 127.0.0.1:5081, alice's INVITE forwarded there as o:
 * one relay session open. */
static void call_bob(struct fx *f, const char *branch, const char *cid,
		     struct fx_out *o)
{
	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	invite(f, "sip:bob@example.test", branch, cid, NULL, NULL, 1);
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", o);
	assert_int_equal(rl.nopen, 1);
}

/* bob's AOR, the INVITE forwarded to his registered device */
#define BOB .ruri = "sip:bob@example.test", \
	.fwd = "INVITE sip:bob@127.0.0.1:5081", .hop = "127.0.0.1:5081"

static const struct end_case ends[] = {
	{ .name = "test_relay_ports_busy", BOB, .reply = 486,
	  .final = "SIP/2.0 486", .cdr_status = 486 },
	{ .name = "test_relay_ports_cancel", BOB, .reply = 180,
	  .cancel = true, .final = "SIP/2.0 487", .cdr_status = 487 },
	/* Rings, then silence: Timer C cancels it, 64*T1 later the 408. */
	{ .name = "test_relay_ports_ring_timeout", BOB, .reply = 180,
	  .steps = { { 181, 1 }, { 33, -1 }, { 10, 0 } } },
	/* The callee answers, the caller never ACKs: 64*T1 later it is
	 * over. */
	{ .name = "test_relay_ports_no_ack", BOB, .reply = 200,
	  .final = "SIP/2.0 200", .steps = { { 31, 1 }, { 2, 0 } },
	  .cdr_status = 200, .hangup = "timeout" },
	/* Pre-routed through us to another hop (Route set): the call is
	 * ours to anchor, and its failure frees the session. */
	{ .name = "test_relay_ports_pre_routed",
	  .ruri = "sip:dave@127.0.0.1:5090",
	  .route = "sip:127.0.0.1:5060;lr>, <sip:127.0.0.1:5090;lr",
	  .fwd = "INVITE sip:dave@127.0.0.1:5090", .hop = "127.0.0.1:5090",
	  .reply = 404, .final = "SIP/2.0 404", .cdr_status = 404 },
};

static void test_relay_ports_end(void **state)
{
	struct tcx *t = *state;
	const struct end_case *c = t->c;
	struct fx *f = &t->f;
	struct fx_out o;
	size_t i;

	if (!c->route)
		fx_register(f, "bob", c->hop, 3600);
	invite(f, c->ruri, "z9hG4bKe1", c->name, NULL, c->route, 1);
	fx_expect_to(f, c->fwd, &o);
	assert_int_equal(rl.nopen, 1);
	fx_reply(f, &o, c->hop, c->reply, "bt7",
		 c->reply == 200 ? SDP_B : NULL);
	if (c->cancel) {
		cancel(f, "z9hG4bKe1", c->name, NULL);
		assert_int_equal(rl.nopen, 1);
		fx_reply(f, &o, c->hop, 487, "bt7", NULL);
	}
	if (c->final)
		fx_expect(f, c->final);
	fx_drain(f);
	for (i = 0; i < sizeof(c->steps) / sizeof(c->steps[0]) &&
		    c->steps[i].s; i++) {
		fx_advance(f, c->steps[i].s * 1000000);
		if (c->steps[i].open >= 0)
			assert_int_equal(rl.nopen, c->steps[i].open);
	}
	assert_int_equal(rl.nopen, 0);
	assert_int_equal(f->ncdr, 1);
	if (c->cdr_status)
		assert_int_equal(f->cdr.status, c->cdr_status);
	if (c->hangup) {
		assert_string_equal(f->cdr.hangup, c->hangup);
		assert_int_equal(f->cdr.duration_ms, 0);
	}
}

/* Two devices: the session stays while one still rings. */
static void test_relay_ports_forked(void **state)
{
	struct fx *f = *state;
	struct fx_out o1, o2;

	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	fx_register(f, "bob", "127.0.0.1:5082", 3600);
	invite(f, "sip:bob@example.test", "z9hG4bKf1", "fork-1", NULL, NULL,
	       1);
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", &o1);
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5082", &o2);
	assert_int_equal(rl.nopen, 1);
	fx_reply(f, &o1, "127.0.0.1:5081", 486, "b1", NULL);
	assert_int_equal(rl.nopen, 1);
	assert_int_equal(rl.dels, 0);
	fx_reply(f, &o2, "127.0.0.1:5082", 603, "b2", NULL);
	fx_expect(f, "SIP/2.0 603");
	assert_int_equal(rl.nopen, 0);
}

/* A UAS that answers the INVITE with the CANCEL's Via list (only ours):
 * the response was meant for us (RFC 3261 16.7 3), never forwarded
 * Via-less; the caller gets the proxy's own 487 with its Via. */
static void test_relay_ports_cancel_bad_via(void **state)
{
	struct fx *f = *state;
	struct fx_out o, c;
	char via[256], m[1024];
	const char *v, *e;
	struct net_pkt pkt;

	call_bob(f, "z9hG4bKc2", "cancel-2", &o);
	fx_reply(f, &o, "127.0.0.1:5081", 180, "bt7", NULL);
	fx_drain(f);
	cancel(f, "z9hG4bKc2", "cancel-2", &c);
	fx_drain(f);
	v = strstr(c.text, "Via: ");
	assert_non_null(v);
	e = strstr(v, "\r\n");
	snprintf(via, sizeof(via), "%.*s", (int)(e - v), v);
	snprintf(m, sizeof(m),
		 "SIP/2.0 487 Request Terminated\r\n%s\r\n"
		 "From: <sip:alice@example.test>;tag=at7\r\n"
		 "To: <sip:bob@example.test>;tag=bt7\r\n"
		 "Call-ID: cancel-2\r\nCSeq: 1 INVITE\r\n"
		 "Content-Length: 0\r\n\r\n", via);
	memset(&pkt, 0, sizeof(pkt));
	fx_addr("127.0.0.1:5081", NET_UDP, &pkt.from);
	pkt.to = f->listen[0];
	pkt.data = (const uint8_t *)m;
	pkt.len = strlen(m);
	assert_int_equal(sip_proxy_input(f->p, f->now, &pkt), 0);
	v = fx_expect(f, "SIP/2.0 487");
	assert_non_null(strstr(v, "Via: SIP/2.0/UDP 127.0.0.1:5070;"
			       "branch=z9hG4bKc2"));
	assert_int_equal(rl.nopen, 0);
}

/* ACKed: the session outlives 64*T1 and a failed re-INVITE, and goes
 * with the BYE. */
static void test_relay_ports_reinvite_fails(void **state)
{
	struct fx *f = *state;
	struct fx_out o;

	call_bob(f, "z9hG4bKr1", "re-1", &o);
	fx_reply(f, &o, "127.0.0.1:5081", 200, "bt7", SDP_B);
	fx_expect(f, "SIP/2.0 200");
	in_dialog(f, "ACK", "re-1", 1);
	fx_expect_to(f, "ACK sip:bob@127.0.0.1:5081", NULL);
	fx_advance(f, 40ull * 1000000);
	fx_drain(f);
	assert_int_equal(rl.nopen, 1);
	invite(f, "sip:bob@127.0.0.1:5081", "z9hG4bKr2", "re-1", "bt7",
	       "sip:127.0.0.1:5060;lr", 2);
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", &o);
	assert_int_equal(rl.offers, 2);
	fx_reply(f, &o, "127.0.0.1:5081", 488, "bt7", NULL);
	fx_expect(f, "SIP/2.0 488");
	fx_drain(f);
	assert_int_equal(rl.nopen, 1);
	assert_int_equal(rl.dels, 0);
	assert_int_equal(f->ncdr, 0);
	in_dialog(f, "BYE", "re-1", 3);
	fx_expect_to(f, "BYE sip:bob@127.0.0.1:5081", NULL);
	assert_int_equal(rl.nopen, 0);
	assert_int_equal(f->ncdr, 1);
	assert_string_equal(f->cdr.hangup, "caller");
}

#define NENDS (sizeof(ends) / sizeof(ends[0]))

int main(void)
{
	struct CMUnitTest tests[NENDS + 3] = {
		cmocka_unit_test_setup_teardown(test_relay_ports_forked,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_ports_cancel_bad_via,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_ports_reinvite_fails,
						setup, teardown),
	};
	size_t i;

	/* one test per row, named after it, the row as initial_state */
	for (i = 0; i < NENDS; i++)
		tests[3 + i] = (struct CMUnitTest){
			ends[i].name, test_relay_ports_end, setup, teardown,
			(void *)&ends[i] };
	return cmocka_run_group_tests_name("proxy_relay_ports", tests, NULL,
					   NULL);
}
