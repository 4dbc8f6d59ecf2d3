/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the replay's MSRP parts: the dissection (sim/replay/
 * rpl_msrp.c: counts, sessions over relay hops, chunks once, SDP a=path
 * matching), the re-drive script (rpl_msrp_scr.c: AUTH users, skip
 * reasons), the emulated client (rpl_msrp_cl.c) against the real relay
 * core of ref/msrp in process (AUTH with digest, a message in three
 * chunks and a reply, what each end got compared with what was sent) and
 * the P13 canary. Fixture (relay, fake HA1 store, clock): msrp_testutil.h.
 */
#include "msrp_testutil.h"
#include "replay/rpl_audit.h"
#include "replay/rpl_int.h"
#include "replay/rpl_msrp.h"

/* --- dissection ----------------------------------------------------------- */

struct seen {
	struct rpl_msrp_rec rec[4];
	char uri[4][2][96], ctypes[4][64], call_id[4][64];
	size_t nrec, nreq;
	struct rpl_mscript scr;
};

static void on_sess(void *arg, const struct rpl_msrp_rec *r)
{
	struct seen *s = arg;
	size_t i = s->nrec++;

	assert_true(i < 4);
	s->rec[i] = *r;
	snprintf(s->uri[i][0], sizeof(s->uri[i][0]), "%s", r->uri[0]);
	snprintf(s->uri[i][1], sizeof(s->uri[i][1]), "%s", r->uri[1]);
	snprintf(s->ctypes[i], sizeof(s->ctypes[i]), "%s", r->ctypes);
	snprintf(s->call_id[i], sizeof(s->call_id[i]), "%s",
		 r->call_id ? r->call_id : "");
}

static void on_req(void *arg, const struct rpl_msrp_req *q)
{
	struct seen *s = arg;

	s->nreq++;
	assert_int_equal(rpl_mscript_add(&s->scr, q), 0);
}

static void feed(struct rpl *r, uint64_t ts, const char *m)
{
	struct rpl_pdu pdu;

	memset(&pdu, 0, sizeof(pdu));
	pdu.ts_us = ts;
	pdu.tp = RPL_TP_TCP;
	pdu.src.af = pdu.dst.af = 4;
	pdu.data = (const uint8_t *)m;
	pdu.len = strlen(m);
	r->now_us = ts;
	rpl_msrp_input(r, &pdu);
}

#define A "msrp://10.0.0.1:7001/alice;tcp"
#define B "msrp://10.0.0.2:7002/bob;tcp"
#define RA "msrp://10.0.0.9:2855/ra;tcp"
#define RB "msrp://10.0.0.9:2855/rb;tcp"

static void test_replay_msrp_dissect(void **state)
{
	struct rpl_cfg cfg = { .msrp_fn = on_sess, .msrp_req_fn = on_req };
	static struct seen s;
	struct rpl_call call;
	struct rpl *r;
	struct pl path = PL("msrp://10.0.0.9:2855/rb;tcp " B);
	char call_id[] = "c1@host";

	(void)state;
	memset(&s, 0, sizeof(s));
	rpl_mscript_init(&s.scr);
	cfg.arg = &s;
	assert_int_equal(rpl_new(&r, &cfg), 0);
	/* Bob's a=path in a dialog's SDP names his own URI last */
	memset(&call, 0, sizeof(call));
	call.call_id = call_id;
	rpl_msrp_sdp_path(r, &call, &path);
	feed(r, 1000, "MSRP auth0001 AUTH\r\nTo-Path: msrp://10.0.0.9:2855;tcp\r\n"
		"From-Path: " A "\r\nAuthorization: Digest username=\"alice\""
		", realm=\"ex.test\", nonce=\"n\", uri=\"u\", response=\"r\"\r\n"
		"-------auth0001$\r\n");
	feed(r, 1001, "MSRP auth0001 200 OK\r\nTo-Path: " A "\r\nFrom-Path: "
		"msrp://10.0.0.9:2855;tcp\r\nUse-Path: " RA "\r\n-------auth0001$\r\n");
	/* a message in two chunks, each on two hops (client -> relay, relay
	 * -> client: the relay prepends itself to the From-Path) */
	feed(r, 2000, "MSRP snd00001 SEND\r\nTo-Path: " RA " " RB " " B "\r\n"
		"From-Path: " A "\r\nMessage-ID: msg00001\r\nByte-Range: 1-5/9\r\n"
		"Content-Type: text/plain\r\n\r\nhello\r\n-------snd00001+\r\n");
	feed(r, 2001, "MSRP fwd00001 SEND\r\nTo-Path: " B "\r\nFrom-Path: " RB " "
		RA " " A "\r\nMessage-ID: msg00001\r\nByte-Range: 1-5/9\r\n"
		"Content-Type: text/plain\r\n\r\nhello\r\n-------fwd00001+\r\n");
	feed(r, 2002, "MSRP fwd00001 200 OK\r\nTo-Path: " RB "\r\nFrom-Path: " B
		"\r\n-------fwd00001$\r\n");
	feed(r, 2003, "MSRP snd00002 SEND\r\nTo-Path: " RA " " RB " " B "\r\n"
		"From-Path: " A "\r\nMessage-ID: msg00001\r\nByte-Range: 6-9/9\r\n"
		"Content-Type: text/plain\r\n\r\n you\r\n-------snd00002$\r\n");
	feed(r, 2004, "MSRP fwd00002 SEND\r\nTo-Path: " B "\r\nFrom-Path: " RB " "
		RA " " A "\r\nMessage-ID: msg00001\r\nByte-Range: 6-9/9\r\n"
		"Content-Type: text/plain\r\n\r\n you\r\n-------fwd00002$\r\n");
	/* Bob answers with the same Message-ID Alice used: not a copy */
	feed(r, 3000, "MSRP bob00001 SEND\r\nTo-Path: " RB " " RA " " A "\r\n"
		"From-Path: " B "\r\nMessage-ID: msg00001\r\nByte-Range: 1-2/2\r\n"
		"Content-Type: message/cpim\r\n\r\nok\r\n-------bob00001$\r\n");
	feed(r, 3001, "MSRP bob00002 REPORT\r\nTo-Path: " RB " " RA " " A "\r\n"
		"From-Path: " B "\r\nMessage-ID: msg00001\r\nByte-Range: 1-9/9\r\n"
		"Status: 000 200 OK\r\n-------bob00002$\r\n");
	feed(r, 3002, "MSRP broken SEND\r\nthis is not a header\r\n"
		"-------broken$\r\n");
	rpl_finish(r);
	assert_int_equal(r->st.msrp_messages, 10);
	assert_int_equal(r->st.msrp_requests, 7);
	assert_int_equal(r->st.msrp_responses, 2);
	assert_int_equal(r->st.msrp_malformed, 1);
	assert_int_equal(r->st.msrp_send, 5);
	assert_int_equal(r->st.msrp_auth, 1);
	assert_int_equal(r->st.msrp_report, 1);
	assert_int_equal(r->st.msrp_by_scode[200], 2);
	assert_int_equal(r->st.msrp_sessions, 1);
	assert_int_equal(r->st.msrp_sessions_sdp, 1);
	assert_int_equal(r->st.msrp_chunks, 3);
	assert_int_equal(r->st.msrp_chat_messages, 2);
	assert_int_equal(r->st.msrp_chunked, 1);
	assert_int_equal(r->st.msrp_bytes, 11);
	assert_int_equal(s.nrec, 1);
	assert_string_equal(s.uri[0][0], A);
	assert_string_equal(s.uri[0][1], B);
	assert_string_equal(s.call_id[0], "c1@host");
	assert_string_equal(s.ctypes[0], "text/plain,message/cpim");
	assert_int_equal(s.rec[0].sends[0], 2);
	assert_int_equal(s.rec[0].sends[1], 1);
	assert_int_equal(s.rec[0].messages[0], 1);
	assert_int_equal(s.rec[0].bytes[0], 9);
	assert_int_equal(s.rec[0].bytes[1], 2);
	assert_int_equal(s.rec[0].reports, 1);
	assert_int_equal(s.rec[0].hops, 6);
	/* the script: AUTH + 3 chunks + REPORT handed out once each */
	assert_int_equal(s.nreq, 5);
	rpl_mscript_finish(&s.scr);
	assert_int_equal(s.scr.n, 1);
	assert_int_equal(s.scr.nc, 3);
	assert_string_equal(s.scr.s[0].end[0].user, "alice@ex.test");
	assert_string_equal(s.scr.s[0].end[1].user, "");
	assert_string_equal(s.scr.s[0].skip, "");	/* Bob: reached directly */
	assert_int_equal(s.scr.c[1].start, 6);
	assert_int_equal(s.scr.c[1].flag, '$');
	assert_int_equal(s.scr.c[2].side, 1);
	assert_memory_equal(s.scr.c[1].body, " you", 4);
	rpl_mscript_fini(&s.scr);
	rpl_free(r);
}

/* The end whose URI sorts last sends first: uri[0] and the per-side
 * counters still follow who sent first. */
static void test_replay_msrp_sides(void **state)
{
	struct rpl_cfg cfg = { .msrp_fn = on_sess };
	static struct seen s;
	struct rpl *r;

	(void)state;
	memset(&s, 0, sizeof(s));
	cfg.arg = &s;
	assert_int_equal(rpl_new(&r, &cfg), 0);
	feed(r, 1000, "MSRP bob00001 SEND\r\nTo-Path: " A "\r\nFrom-Path: " B
		"\r\nMessage-ID: msg00001\r\nByte-Range: 1-3/3\r\n"
		"Content-Type: text/plain\r\n\r\nabc\r\n-------bob00001$\r\n");
	feed(r, 1001, "MSRP ali00001 SEND\r\nTo-Path: " B "\r\nFrom-Path: " A
		"\r\nMessage-ID: msg00002\r\nByte-Range: 1-5/5\r\n"
		"Content-Type: text/plain\r\n\r\nhello\r\n-------ali00001$\r\n");
	feed(r, 1002, "MSRP ali00002 SEND\r\nTo-Path: " B "\r\nFrom-Path: " A
		"\r\nMessage-ID: msg00003\r\nByte-Range: 1-2/2\r\n"
		"Content-Type: text/plain\r\n\r\nhi\r\n-------ali00002$\r\n");
	rpl_finish(r);
	assert_int_equal(s.nrec, 1);
	assert_string_equal(s.uri[0][0], B);
	assert_int_equal(s.rec[0].sends[0], 1);
	assert_int_equal(s.rec[0].bytes[0], 3);
	assert_int_equal(s.rec[0].sends[1], 2);
	assert_int_equal(s.rec[0].bytes[1], 7);
	rpl_free(r);
}

/* --- the client against the relay core ------------------------------------ */

struct cl {
	struct rpl_mcl c;
	struct peer *p;		/* the fixture's view: conn id, address */
};

/* Client bytes to the relay, relay bytes to the clients, until quiet. */
static void pump2(struct cl *v, size_t n)
{
	bool moved = true;
	size_t i;

	while (moved) {
		moved = false;
		for (i = 0; i < n; i++) {
			struct buf *o = &v[i].c.out;

			if (o->len) {
				struct buf tmp;

				buf_init(&tmp);
				assert_int_equal(buf_put(&tmp, o->data,
							 o->len), 0);
				buf_reset(o);
				input(v[i].p, tmp.data, tmp.len);
				buf_fini(&tmp);
				moved = true;
			}
			if (v[i].p->off < v[i].p->in.len) {
				size_t off = v[i].p->off;

				v[i].p->off = v[i].p->in.len;
				assert_int_equal(rpl_mcl_input(&v[i].c,
					v[i].p->in.data + off,
					v[i].p->in.len - off), 0);
				moved = true;
			}
		}
	}
}

static void test_replay_msrp_client(void **state)
{
	static struct cl v[3];
	static uint8_t body[3000];
	struct rpl_mchunk k;
	char to[1300];
	uint32_t want = RPL_MCL_HASH_INIT;
	size_t i, cut[4] = { 0, 1000, 1001, sizeof(body) };

	(void)state;
	for (i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)("-------\r\nMSRP x SEND\r\n"[i % 22]);
	v[0].p = peer_new(21, 42001, "unused");
	v[1].p = peer_new(22, 42002, "unused");
	v[2].p = peer_new(23, 42003, "unused");
	rpl_mcl_init(&v[0].c, "127.0.0.1", 42001, "a1", "msrps://127.0.0.1:"
		     "2855;tcp", "alice", "wonderland", REALM);
	rpl_mcl_init(&v[1].c, "127.0.0.1", 42002, "b1", "msrps://127.0.0.1:"
		     "2855;tcp", "bob", "builder", REALM);
	rpl_mcl_init(&v[2].c, "127.0.0.1", 42003, "m1", "msrps://127.0.0.1:"
		     "2855;tcp", "alice", "guess", REALM);
	for (i = 0; i < 3; i++)
		assert_int_equal(rpl_mcl_auth(&v[i].c), 0);
	pump2(v, 3);
	assert_int_equal(v[0].c.state, RPL_MCL_AUTHED);
	assert_int_equal(v[1].c.state, RPL_MCL_AUTHED);
	assert_int_equal(v[2].c.state, RPL_MCL_FAILED);
	assert_non_null(strstr(v[2].c.err, "credentials"));
	assert_true(strncmp(v[0].c.use_path, "msrps://127.0.0.1:2855/", 23)
		    == 0);
	/* Alice's message in three chunks cut at awkward places */
	snprintf(to, sizeof(to), "%s %s %s", v[0].c.use_path,
		 v[1].c.use_path, v[1].c.uri);
	for (i = 0; i < 3; i++) {
		memset(&k, 0, sizeof(k));
		snprintf(k.ctype, sizeof(k.ctype), "application/octet-stream");
		k.start = cut[i] + 1;
		k.end = cut[i + 1];
		k.total = sizeof(body);
		k.flag = i == 2 ? '$' : '+';
		k.body = body + cut[i];
		k.len = cut[i + 1] - cut[i];
		assert_int_equal(rpl_mcl_send(&v[0].c, to, "msg0001", &k), 0);
		want = rpl_mcl_hash(want, k.body, k.len);
		pump2(v, 2);
	}
	/* Bob replies in one chunk without a content type */
	snprintf(to, sizeof(to), "%s %s %s", v[1].c.use_path,
		 v[0].c.use_path, v[0].c.uri);
	memset(&k, 0, sizeof(k));
	k.start = 1;
	k.end = k.total = 2;
	k.flag = '$';
	k.body = (uint8_t *)"ok";
	k.len = 2;
	snprintf(k.ctype, sizeof(k.ctype), "text/plain");
	assert_int_equal(rpl_mcl_send(&v[1].c, to, "msg0002", &k), 0);
	pump2(v, 2);
	assert_int_equal(v[1].c.rx_chunks, 3);
	assert_int_equal(v[1].c.rx_msgs, 1);
	assert_int_equal(v[1].c.rx_bytes, sizeof(body));
	assert_int_equal(v[1].c.rx_hash, want);
	assert_string_equal(v[1].c.rx_ctypes, "application/octet-stream");
	assert_int_equal(v[0].c.tx_chunks, 3);
	assert_int_equal(v[0].c.tx_ok, 3);
	assert_int_equal(v[0].c.tx_fail, 0);
	assert_int_equal(v[0].c.rx_chunks, 1);
	assert_int_equal(v[0].c.rx_hash,
			 rpl_mcl_hash(RPL_MCL_HASH_INIT, (uint8_t *)"ok", 2));
	assert_int_equal(v[1].c.tx_ok, 1);
	/* garbage from the relay side fails the client, never crashes it */
	assert_int_equal(rpl_mcl_input(&v[0].c, (const uint8_t *)"MSRP \r\n"
				       "junk\r\n\r\n", 15), EBADMSG);
	assert_int_equal(v[0].c.state, RPL_MCL_FAILED);
	for (i = 0; i < 3; i++)
		rpl_mcl_fini(&v[i].c);
}

static void test_replay_msrp_canary(void **state)
{
	struct rpl_canaries *c;
	const char *cpim = "From: \"alice\" <sip:alice@example.test>\r\n"
			   "To: <sip:room-bench@example.test>\r\n\r\n"
			   "Content-Type: text/plain\r\n\r\nthe real text "
			   "of the chat line\r\n";

	(void)state;
	assert_int_equal(rpl_canaries_new(&c), 0);
	assert_int_equal(rpl_canaries_msrp(c, (const uint8_t *)cpim,
					   strlen(cpim)), 0);
	assert_int_equal(rpl_canaries_msrp(c, (const uint8_t *)"hi", 2), 0);
	/* the tail (the text), once; "hi" is too short to audit */
	assert_int_equal(rpl_canaries_count(c, RPL_AUD_P13), 1);
	rpl_canaries_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_msrp_dissect,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_msrp_sides,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_msrp_client,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_msrp_canary,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("replay_msrp", tests, NULL, NULL);
}
