/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the MSRP relay core (ref/msrp/msrp_relay.c, msrp_route.c,
 * msrp_rauth.c) through the four calls of base/core.h: AUTH with digest,
 * a chat relayed chunk by chunk, success/failure reports, refusals,
 * malformed frames, OTR payloads unchanged. Fixture: msrp_testutil.h;
 * flow control and connection reuse: test_msrp_relay_flow.c.
 */
#include "msrp_testutil.h"

static void test_msrp_relay_auth(void **state)
{
	struct peer *a = peer_new(1, 40001, "msrps://127.0.0.1:40001/al1ce;tcp");
	struct peer *m = peer_new(2, 40002, "msrps://127.0.0.1:40002/m4l;tcp");
	int i;

	(void)state;
	assert_int_equal(auth(a, "alice", "wonderland", NULL), 0);
	assert_true(strncmp(a->use_path, "msrps://127.0.0.1:2855/", 23) == 0);
	assert_non_null(strstr(a->use_path, ";tcp"));
	assert_int_equal(msrp_relay_nsessions(R), 1);
	/* wrong password: a fresh challenge, then 403 and close */
	for (i = 0; i < 4; i++)
		assert_int_equal(auth(m, "alice", "guess", NULL), 401);
	assert_int_equal(auth(m, "alice", "guess", NULL), 403);
	assert_true(m->closed);
	assert_int_equal(msrp_relay_nconns(R), 1);
	/* unknown user and too-short Expires */
	m = peer_new(3, 40003, "msrps://127.0.0.1:40003/m4l;tcp");
	assert_int_equal(auth(m, "mallory", "x", NULL), 401);
	assert_int_equal(auth(m, "bob", "builder", "Expires: 5\r\n"), 423);
	assert_int_equal(auth(m, "bob", "builder", "Expires: 120\r\n"), 0);
	assert_int_equal(msrp_relay_nsessions(R), 2);
	/* the session expires with its Expires */
	NOW += 121 * SEC;
	assert_true(msrp_relay_deadline(R) <= NOW);
	assert_int_equal(msrp_relay_timeout(R, NOW), 0);
	assert_int_equal(msrp_relay_nsessions(R), 1);
	assert_true(ha1_calls >= 7);
}

static void test_msrp_relay_chat_chunks(void **state)
{
	static char msg[16384], body[9000];
	struct peer *a, *b;
	char to[512], from[512], want_from[512], range[64], tid[16];
	struct buf got;
	struct rx x;
	size_t i, n, k, steps[] = { 0, 1, 7, 13, 64, 1000 };
	int ch;

	(void)state;
	two_clients(&a, &b);
	for (i = 0; i < sizeof(body); i++)	/* CRs, LFs and dashes */
		body[i] = "ab\r\n-----\r\n-------xyz$"[i % 22];
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	snprintf(want_from, sizeof(want_from), "%s %s %s", b->use_path,
		 a->use_path, a->uri);
	buf_init(&got);
	rx_init(&x);
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		buf_reset(&got);
		for (ch = 0; ch < 3; ch++) {
			snprintf(range, sizeof(range), "%d-%d/%zu",
				 ch * 3000 + 1, ch * 3000 + 3000, sizeof(body));
			snprintf(tid, sizeof(tid), "t%03zu%d", k, ch);
			n = make_send(msg, sizeof(msg), tid, to, a->uri,
				      "msg00001", range, NULL, body + ch * 3000,
				      3000, ch == 2 ? '$' : '+');
			say(a, msg, n, steps[k]);
			/* the relay answers the chunk itself */
			assert_int_equal(take(a, &x), 0);
			assert_int_equal(x.m.scode, 200);
			assert_true(pl_eq_str(&x.m.tid, tid));
			assert_true(hdr_is(&x, MSRP_H_TO_PATH, a->uri));
			assert_true(hdr_is(&x, MSRP_H_FROM_PATH, a->use_path));
		}
		for (ch = 0; ch < 3; ch++) {
			assert_int_equal(take(b, &x), 0);
			assert_int_equal(x.m.mid, MSRP_M_SEND);
			assert_true(hdr_is(&x, MSRP_H_TO_PATH, b->uri));
			hdr_get(&x, MSRP_H_FROM_PATH, from, sizeof(from));
			assert_string_equal(from, want_from);
			assert_true(hdr_is(&x, MSRP_H_MESSAGE_ID, "msg00001"));
			assert_true(hdr_is(&x, MSRP_H_CONTENT_TYPE,
					   "text/plain"));
			assert_int_equal(x.flag, ch == 2 ? '$' : '+');
			/* a fresh transaction id on this hop */
			assert_false(pl_eq_str(&x.m.tid, "t0000"));
			buf_put(&got, x.body.data, x.body.len);
		}
		assert_int_equal(take(b, &x), ENOENT);
		assert_int_equal(got.len, sizeof(body));
		assert_memory_equal(got.data, body, sizeof(body));
	}
	assert_true(msrp_relay_stats(R)->fwd_bytes >= 6 * sizeof(body));
	buf_fini(&got);
	buf_fini(&x.body);
}

/* Bob's answers: 200 is absorbed, an error becomes a REPORT to Alice. */
static void test_msrp_relay_reports(void **state)
{
	char msg[4096], to[512], tid[40], from[512], st[64], want[512];
	struct peer *a, *b;
	struct rx x;
	size_t n;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "s0000001", to, a->uri, "msg00002",
		      "1-5/5", "Success-Report: yes\r\n", "hello", 5, '$');
	say(a, msg, n, 0);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(take(b, &x), 0);
	assert_true(hdr_is(&x, MSRP_H_SUCCESS_REPORT, "yes"));
	pl_strcpy(&x.m.tid, tid, sizeof(tid));
	hdr_get(&x, MSRP_H_FROM_PATH, from, sizeof(from));
	/* Bob: 200 to the relay, then the success REPORT end to end */
	snprintf(msg, sizeof(msg),
		 "MSRP %s 200 OK\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
		 "-------%s$\r\n"
		 "MSRP rep00001 REPORT\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
		 "Message-ID: msg00002\r\nByte-Range: 1-5/5\r\n"
		 "Status: 000 200 OK\r\n-------rep00001$\r\n",
		 tid, b->use_path, b->uri, tid, from, b->uri);
	say(b, msg, strlen(msg), 5);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(x.m.mid, MSRP_M_REPORT);
	assert_true(hdr_is(&x, MSRP_H_TO_PATH, a->uri));
	snprintf(want, sizeof(want), "%s %s %s", a->use_path, b->use_path,
		 b->uri);
	assert_true(hdr_is(&x, MSRP_H_FROM_PATH, want));
	assert_true(hdr_is(&x, MSRP_H_STATUS, "000 200 OK"));
	assert_int_equal(take(a, &x), ENOENT);	/* no response to REPORT */
	assert_int_equal(take(b, &x), ENOENT);

	/* Bob refuses the next one: Alice gets a failure REPORT */
	n = make_send(msg, sizeof(msg), "s0000002", to, a->uri, "msg00003",
		      "1-5/5", NULL, "again", 5, '$');
	say(a, msg, n, 3);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(x.m.scode, 200);
	assert_int_equal(take(b, &x), 0);
	pl_strcpy(&x.m.tid, tid, sizeof(tid));
	snprintf(msg, sizeof(msg),
		 "MSRP %s 415 Unsupported Media Type\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\n-------%s$\r\n", tid, b->use_path, b->uri,
		 tid);
	says(b, msg);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(x.m.mid, MSRP_M_REPORT);
	hdr_get(&x, MSRP_H_STATUS, st, sizeof(st));
	assert_true(strncmp(st, "000 415", 7) == 0);
	assert_true(hdr_is(&x, MSRP_H_MESSAGE_ID, "msg00003"));
	assert_true(hdr_is(&x, MSRP_H_TO_PATH, a->uri));

	/* Bob never answers: 408 REPORT after the transaction timeout */
	n = make_send(msg, sizeof(msg), "s0000003", to, a->uri, "msg00004",
		      "1-5/5", NULL, "third", 5, '$');
	say(a, msg, n, 0);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(take(b, &x), 0);
	NOW += 31 * SEC;
	msrp_relay_timeout(R, NOW);
	drain();
	assert_int_equal(take(a, &x), 0);
	hdr_get(&x, MSRP_H_STATUS, st, sizeof(st));
	assert_true(strncmp(st, "000 408", 7) == 0);
	assert_int_equal(msrp_relay_stats(R)->reports_made, 2);
	buf_fini(&x.body);
}

static void test_msrp_relay_refusals(void **state)
{
	char msg[4096], to[512];
	struct peer *a, *b, *c;
	struct rx x;
	size_t n;

	(void)state;
	two_clients(&a, &b);
	c = peer_new(13, 41003, "msrps://127.0.0.1:41003/cccc;tcp");
	rx_init(&x);
	/* unknown session: 481 */
	n = make_send(msg, sizeof(msg), "u0000001",
		      "msrps://127.0.0.1:2855/nosuchsession;tcp msrps://127.0.0.1:41002/bbbb;tcp",
		      c->uri, "msg00005", "1-2/2", NULL, "hi", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), 0);
	assert_int_equal(x.m.scode, 481);
	assert_int_equal(take(b, &x), ENOENT);
	/* Carol may not send through Alice's session to a stranger */
	snprintf(to, sizeof(to), "%s msrps://127.0.0.1:41009/zz;tcp",
		 a->use_path);
	n = make_send(msg, sizeof(msg), "u0000002", to, c->uri, "msg00006",
		      "1-2/2", NULL, "hi", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), 0);
	assert_int_equal(x.m.scode, 403);
	/* ... but may send to Bob through Bob's session */
	snprintf(to, sizeof(to), "%s %s", b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "u0000003", to, c->uri, "msg00007",
		      "1-2/2", NULL, "hi", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), 0);
	assert_int_equal(x.m.scode, 200);
	assert_int_equal(take(b, &x), 0);
	assert_int_equal(x.body.len, 2);
	assert_memory_equal(x.body.data, "hi", 2);
	/* Alice to a next hop outside the configured networks: 403 */
	snprintf(to, sizeof(to), "%s msrps://10.9.9.9:2855/x1;tcp",
		 a->use_path);
	n = make_send(msg, sizeof(msg), "u0000004", to, a->uri, "msg00008",
		      "1-2/2", NULL, "hi", 2, '$');
	say(a, msg, n, 0);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(x.m.scode, 403);
	/* Failure-Report: no -> silence even on failure */
	n = make_send(msg, sizeof(msg), "u0000005",
		      "msrps://127.0.0.1:2855/nosuch;tcp msrps://1.2.3.4/x;tcp",
		      c->uri, "msg00009", "1-2/2", "Failure-Report: no\r\n",
		      "hi", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), ENOENT);
	buf_fini(&x.body);
}

static void test_msrp_relay_malformed(void **state)
{
	struct peer *a, *b, *g;
	char to[512], msg[4096];
	struct rx x;
	size_t n;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	g = peer_new(20, 42000, "msrps://127.0.0.1:42000/g;tcp");
	says(g, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_true(g->closed);
	assert_int_equal(g->in.len, 0);
	g = peer_new(21, 42001, "msrps://127.0.0.1:42001/g;tcp");
	says(g, "MSRP abcd1234 SEND\r\nTo-Path: msrps://127.0.0.1:2855/x;tcp\r\n"
		"From-Path: msrps://127.0.0.1:42001/g;tcp\r\nno colon here\r\n");
	assert_true(g->closed);
	assert_int_equal(take(g, &x), 0);
	assert_int_equal(x.m.scode, 400);
	assert_true(pl_eq_str(&x.m.tid, "abcd1234"));
	/* Alice breaks off mid-chunk: Bob's chunk is closed with '#' */
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "m0000001", to, a->uri, "msg00010",
		      "1-100/100", NULL, "0123456789", 10, '$');
	say(a, msg, n - 20, 0);
	says(a, "\r\n-------m0000001$ junk\r\n");
	assert_true(a->closed);
	assert_int_equal(take(b, &x), 0);
	assert_int_equal(x.flag, '#');
	assert_int_equal(msrp_relay_nsessions(R), 1);	/* Alice's is gone */
	assert_true(msrp_relay_stats(R)->malformed >= 3);
	buf_fini(&x.body);
}

static void test_msrp_relay_otr_unchanged(void **state)
{
	static const char otr[] =
		"?OTR:AAMDJ+MVmSfjFZcAAAAAAQAAAAIAAADAVf3Rg3ErZ4LP7jz\r\n"
		"\x00\x01\x02\xff\xfe\r\n-------\r\n-------notatid$\r\n.\r"
		"?OTRv23?\r\n";
	char msg[4096], to[512];
	struct peer *a, *b;
	struct rx x;
	size_t n, step;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	for (step = 1; step < 40; step += 3) {
		n = make_send(msg, sizeof(msg), "otr00001", to, a->uri,
			      "msg00011", "1-*/*", NULL, otr, sizeof(otr) - 1,
			      '$');
		say(a, msg, n, step);
		assert_int_equal(take(a, &x), 0);
		assert_int_equal(take(b, &x), 0);
		assert_int_equal(x.body.len, sizeof(otr) - 1);
		assert_memory_equal(x.body.data, otr, sizeof(otr) - 1);
	}
	buf_fini(&x.body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_msrp_relay_auth),
		T(test_msrp_relay_chat_chunks),
		T(test_msrp_relay_reports),
		T(test_msrp_relay_refusals),
		T(test_msrp_relay_malformed),
		T(test_msrp_relay_otr_unchanged),
#undef T
	};

	return cmocka_run_group_tests_name("msrp_relay", tests, NULL, NULL);
}
