/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the MSRP relay core's flow (ref/msrp): interleaved
 * messages, outgoing connections, every allocation failing in turn,
 * sessions sharing one connection, chunks held behind a report and the
 * bound on what is held. Fixture: msrp_testutil.h.
 */
#include "msrp_testutil.h"

/* Two senders to Bob at once: chunks interrupted, never interleaved. */
static void test_msrp_relay_interleave(void **state)
{
	static char msg1[8192], msg2[8192], b1[3000], b2[3000];
	char to1[512], to2[512];
	struct peer *a, *b, *c;
	struct buf g1, g2;
	struct rx x;
	size_t n1, n2, at1 = 0, at2 = 0, i;

	(void)state;
	two_clients(&a, &b);
	c = peer_new(14, 41004, "msrps://127.0.0.1:41004/cccc;tcp");
	for (i = 0; i < sizeof(b1); i++) {
		b1[i] = (char)('A' + i % 26);
		b2[i] = (char)('0' + i % 10);
	}
	snprintf(to1, sizeof(to1), "%s %s %s", a->use_path, b->use_path,
		 b->uri);
	snprintf(to2, sizeof(to2), "%s %s", b->use_path, b->uri);
	n1 = make_send(msg1, sizeof(msg1), "ia000001", to1, a->uri, "msgA0001",
		       "1-3000/3000", NULL, b1, sizeof(b1), '$');
	n2 = make_send(msg2, sizeof(msg2), "ic000001", to2, c->uri, "msgC0001",
		       "1-3000/3000", NULL, b2, sizeof(b2), '$');
	while (at1 < n1 || at2 < n2) {
		size_t k = 211;
		if (at1 < n1) {
			k = n1 - at1 < k ? n1 - at1 : k;
			say(a, msg1 + at1, k, 0);
			at1 += k;
		}
		k = 157;
		if (at2 < n2) {
			k = n2 - at2 < k ? n2 - at2 : k;
			say(c, msg2 + at2, k, 0);
			at2 += k;
		}
	}
	buf_init(&g1);
	buf_init(&g2);
	rx_init(&x);
	while (take(b, &x) == 0) {
		struct msrp_range r;
		const struct msrp_hdr *h = msrp_msg_hdr(&x.m, MSRP_H_BYTE_RANGE);
		struct buf *g = hdr_is(&x, MSRP_H_MESSAGE_ID, "msgA0001") ?
				&g1 : &g2;

		assert_non_null(h);
		assert_int_equal(msrp_range_decode(&h->val, &r), 0);
		assert_int_equal(r.start, g->len + 1);	/* resumes in place */
		buf_put(g, x.body.data, x.body.len);
	}
	assert_true(msrp_relay_stats(R)->interrupted > 0);
	assert_int_equal(g1.len, sizeof(b1));
	assert_int_equal(g2.len, sizeof(b2));
	assert_memory_equal(g1.data, b1, sizeof(b1));
	assert_memory_equal(g2.data, b2, sizeof(b2));
	buf_fini(&g1);
	buf_fini(&g2);
	buf_fini(&x.body);
}

/* A next hop we must dial: asked for with conn_id 0, then learned. */
static void test_msrp_relay_outgoing(void **state)
{
	char msg[4096], to[512], tid[40], st[64];
	struct peer *a, *d;
	struct rx x;
	size_t n;

	(void)state;
	a = peer_new(31, 43001, "msrp://127.0.0.1:43001/aaaa;tcp");
	assert_int_equal(auth(a, "alice", "wonderland", NULL), 0);
	d = peer_new(0, 43999, "msrp://127.0.0.1:43999/dddd;tcp");
	d->addr.tp = NET_TCP;
	rx_init(&x);
	snprintf(to, sizeof(to), "%s %s", a->use_path, d->uri);
	n = make_send(msg, sizeof(msg), "o0000001", to, a->uri, "msg00020",
		      "1-3/3", NULL, "out", 3, '$');
	say(a, msg, n, 0);
	assert_int_equal(take(d, &x), 0);
	assert_int_equal(x.body.len, 3);
	assert_memory_equal(x.body.data, "out", 3);
	pl_strcpy(&x.m.tid, tid, sizeof(tid));
	d->conn = 77;	/* the driver's id, first seen on its response */
	snprintf(msg, sizeof(msg),
		 "MSRP %s 481 Session Does Not Exist\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\n-------%s$\r\n", tid, a->use_path, d->uri,
		 tid);
	says(d, msg);
	assert_int_equal(take(a, &x), 0);	/* the relay's 200 */
	assert_int_equal(take(a, &x), 0);	/* the REPORT */
	hdr_get(&x, MSRP_H_STATUS, st, sizeof(st));
	assert_true(strncmp(st, "000 481", 7) == 0);
	assert_int_equal(msrp_relay_nconns(R), 2);
	/* idle connections are closed */
	NOW += 601 * SEC;
	msrp_relay_timeout(R, NOW);
	drain();
	assert_true(a->closed && d->closed);
	assert_int_equal(msrp_relay_nconns(R), 0);
	assert_int_equal(msrp_relay_nsessions(R), 0);
	buf_fini(&x.body);
}

/* Every allocation failing in turn: clean errors, no leak, no crash. */
static void test_msrp_relay_oom(void **state)
{
	char msg[4096], to[512];
	struct peer *a, *b;
	struct net_pkt pkt;
	struct rx x;
	size_t n;
	int64_t nth;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "oom00001", to, a->uri, "msg00030",
		      "1-5/5", NULL, "hello", 5, '$');
	memset(&pkt, 0, sizeof(pkt));
	pkt.from = a->addr;
	pkt.to = RELAY;
	pkt.conn_id = a->conn;
	pkt.data = (const uint8_t *)msg;
	pkt.len = n;
	for (nth = 0; nth < 40; nth++) {
		struct net_out o;

		mem_fail_at(nth, 1);
		msrp_relay_input(R, NOW, &pkt);
		mem_fail_at(-1, 0);
		while (msrp_relay_output(R, &o) == 0)
			;
	}
	buf_fini(&x.body);
}

/* One connection, many sessions: both AUTHs succeed, both carry chat. */
static void test_msrp_relay_sessions_share_conn(void **state)
{
	char msg[4096], to[512], first[128];
	struct peer *a, *b;
	struct rx x;
	size_t n;
	int i;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	snprintf(first, sizeof(first), "%s", b->use_path);
	assert_int_equal(auth(b, "bob", "builder", NULL), 0);
	assert_string_not_equal(first, b->use_path);
	assert_int_equal(msrp_relay_nsessions(R), 3);
	assert_int_equal(msrp_relay_nconns(R), 2);
	for (i = 0; i < 2; i++) {
		snprintf(to, sizeof(to), "%s %s %s", a->use_path,
			 i ? b->use_path : first, b->uri);
		n = make_send(msg, sizeof(msg), i ? "sc000002" : "sc000001",
			      to, a->uri, "msg00040", "1-4/4", NULL, "both",
			      4, '$');
		say(a, msg, n, 0);
		assert_int_equal(take(a, &x), 0);
		assert_int_equal(x.m.scode, 200);
		assert_int_equal(take(b, &x), 0);
		assert_int_equal(x.body.len, 4);
	}
	buf_fini(&x.body);
}

/* A non-SEND with content split across reads owns Bob's connection (it
 * cannot be interrupted, RFC 4975 7.1.1): a SEND that comes meanwhile is
 * held and follows it, never inside it. */
static void test_msrp_relay_hold_behind_report(void **state)
{
	char rep[2048], msg[4096], to[512];
	struct peer *a, *b, *c;
	struct rx x;
	size_t n, k;

	(void)state;
	two_clients(&a, &b);
	c = peer_new(15, 41005, "msrps://127.0.0.1:41005/cccc;tcp");
	rx_init(&x);
	k = (size_t)snprintf(rep, sizeof(rep),
		"MSRP hr000001 NICKNAME\r\nTo-Path: %s %s %s\r\n"
		"From-Path: %s\r\nContent-Type: text/plain\r\n\r\n"
		"a long nickname\r\n-------hr000001$\r\n", a->use_path,
		b->use_path, b->uri, a->uri);
	say(a, rep, k - 25, 0);
	snprintf(to, sizeof(to), "%s %s", b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "hs000001", to, c->uri, "msg00051",
		      "1-4/4", NULL, "held", 4, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), 0);	/* the relay's 200 */
	assert_int_equal(x.m.scode, 200);
	say(a, rep + k - 25, 25, 0);
	assert_int_equal(take(b, &x), 0);
	assert_true(pl_eq_str(&x.m.method, "NICKNAME"));
	assert_int_equal(x.body.len, 15);
	{	/* its response goes back hop by hop to Alice's tid */
		char tid[40], resp[1024];

		pl_strcpy(&x.m.tid, tid, sizeof(tid));
		snprintf(resp, sizeof(resp), "MSRP %s 425 Nickname usage "
			 "failed\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
			 "-------%s$\r\n", tid, b->use_path, b->uri, tid);
		says(b, resp);
		assert_int_equal(take(a, &x), 0);
		assert_int_equal(x.m.scode, 425);
		assert_true(pl_eq_str(&x.m.tid, "hr000001"));
		assert_true(hdr_is(&x, MSRP_H_TO_PATH, a->uri));
	}
	assert_int_equal(take(b, &x), 0);
	assert_int_equal(x.m.mid, MSRP_M_SEND);
	assert_int_equal(x.body.len, 4);
	assert_memory_equal(x.body.data, "held", 4);
	assert_int_equal(take(b, &x), ENOENT);
	buf_fini(&x.body);
}

/* Past max_hold a held SEND is refused with 413; Failure-Report: partial
 * gets no 200 but does get the error (RFC 4975 7.1.1). */
static void test_msrp_relay_hold_limit(void **state)
{
	static char msg[16384], big[6000];
	char rep[2048], to[512];
	struct peer *a, *b, *c;
	struct rx x;
	size_t n, k;

	(void)state;
	two_clients(&a, &b);
	c = peer_new(16, 41006, "msrps://127.0.0.1:41006/cccc;tcp");
	rx_init(&x);
	memset(big, 'z', sizeof(big));
	k = (size_t)snprintf(rep, sizeof(rep),
		"MSRP hl000001 NICKNAME\r\nTo-Path: %s %s %s\r\n"
		"From-Path: %s\r\nContent-Type: text/plain\r\n\r\n"
		"a long nickname\r\n-------hl000001$\r\n", a->use_path,
		b->use_path, b->uri, a->uri);
	say(a, rep, k - 25, 0);
	snprintf(to, sizeof(to), "%s %s", b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "hl000002", to, c->uri, "msg00060",
		      "1-6000/6000", "Failure-Report: partial\r\n", big,
		      sizeof(big), '$');
	say(c, msg, n, 1000);
	assert_int_equal(take(c, &x), 0);
	assert_int_equal(x.m.scode, 413);
	assert_int_equal(take(c, &x), ENOENT);
	/* a small one with partial: no 200 at all */
	say(a, rep + k - 25, 25, 0);
	n = make_send(msg, sizeof(msg), "hl000003", to, c->uri, "msg00061",
		      "1-2/2", "Failure-Report: partial\r\n", "ok", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), ENOENT);
	assert_int_equal(take(b, &x), 0);
	assert_true(pl_eq_str(&x.m.method, "NICKNAME"));
	assert_int_equal(take(b, &x), 0);
	assert_true(hdr_is(&x, MSRP_H_MESSAGE_ID, "msg00061"));
	assert_int_equal(take(b, &x), ENOENT);	/* nothing of the 413 one */
	buf_fini(&x.body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_msrp_relay_interleave),
		T(test_msrp_relay_outgoing),
		T(test_msrp_relay_oom),
		T(test_msrp_relay_sessions_share_conn),
		T(test_msrp_relay_hold_behind_report),
		T(test_msrp_relay_hold_limit),
#undef T
	};

	return cmocka_run_group_tests_name("msrp_relay_flow", tests, NULL, NULL);
}
