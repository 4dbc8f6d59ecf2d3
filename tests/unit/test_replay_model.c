/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of sim/replay's model and file drivers: the call rules of
 * SPEC.md (digest challenge then retry is one call, a proxy's two legs
 * count once, duration from 200 to BYE, failures), registrations, user
 * agents, RTP matched through SDP and found by heuristics, and the
 * capture reader/writer (pcap round trip, gzip, a file cut short).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include "base/mem.h"
#include "replay/replay.h"
#include "replay/rpl_audit.h"
#include "replay/rpl_vproxy.h"
#include "scenario/scn.h"
#include "replay_frames.h"
#include "mem_testutil.h"

static struct fb F;
static char sip[4096];

struct got {
	int calls;
	struct rpl_call_rec rec;
	char caller[64], callee[64], call_id[64];
	int pdus[RPL_K_COUNT];
	int streams, uas;
	uint64_t stream_pkts;
	uint8_t pts[16];
	bool alice_requests;
};

static void on_call(void *arg, const struct rpl_call_rec *rec)
{
	struct got *g = arg;

	g->calls++;
	g->rec = *rec;
	snprintf(g->caller, sizeof(g->caller), "%s", rec->caller);
	snprintf(g->callee, sizeof(g->callee), "%s", rec->callee);
	snprintf(g->call_id, sizeof(g->call_id), "%s", rec->call_id);
}

static void on_pdu(void *arg, enum rpl_kind k, const struct rpl_pdu *pdu)
{
	struct got *g = arg;

	(void)pdu;
	g->pdus[k]++;
}

static void on_stream(void *arg, const struct rpl_stream_rec *rec)
{
	struct got *g = arg;
	size_t i;

	g->streams++;
	g->stream_pkts += rec->packets;
	for (i = 0; i < 16; i++)
		g->pts[i] |= rec->pt_seen[i];
	assert_true(rec->last_us >= rec->first_us);
}

static void on_ua(void *arg, const struct rpl_ua_rec *rec)
{
	struct got *g = arg;

	g->uas++;
	if (!strcmp(rec->aor, "alice@example.test") && rec->requests)
		g->alice_requests = true;
}

static struct rpl *new_rpl(struct got *g)
{
	struct rpl_cfg cfg = { .call_fn = on_call, .pdu_fn = on_pdu,
			       .stream_fn = on_stream, .ua_fn = on_ua,
			       .arg = g };
	struct rpl *r = NULL;

	memset(g, 0, sizeof(*g));
	assert_int_equal(rpl_new(&r, &cfg), 0);
	return r;
}

/* SIP over UDP between 10.0.0.s and 10.0.0.d at t seconds. */
static void udp(struct rpl *r, double t, uint8_t s, uint16_t sp, uint8_t d,
		uint16_t dp, const void *p, size_t n)
{
	fb_eth_udp4(&F, s, sp, d, dp, p, n);
	assert_int_equal(rpl_frame(r, (uint64_t)(t * 1e6) + 1000000000000ull,
				   RPL_DLT_EN10MB, F.d, F.n, F.n), 0);
}

static void req(struct rpl *r, double t, uint8_t s, uint8_t d,
		const char *m, const char *cid, const char *ttag,
		unsigned cseq, const char *cm, const char *body)
{
	size_t n = fb_sip_req(sip, sizeof(sip), m, cid, "ft", ttag, cseq, cm,
			      body);

	udp(r, t, s, 5060, d, 5060, sip, n);
}

static void rsp(struct rpl *r, double t, uint8_t s, uint8_t d, unsigned code,
		const char *cid, const char *ttag, unsigned cseq,
		const char *cm, const char *body)
{
	size_t n = fb_sip_rsp(sip, sizeof(sip), code, cid, "ft", ttag, cseq,
			      cm, body);

	udp(r, t, s, 5060, d, 5060, sip, n);
}

static void test_replay_model_call(void **state)
{
	struct got g;
	struct rpl *r = new_rpl(&g);
	uint8_t rtp[64];
	int i;

	(void)state;
	req(r, 0, 1, 2, "INVITE", "c1", "", 1, "INVITE",
	    FB_SDP("10.0.0.1", "4000"));
	rsp(r, 0.01, 2, 1, 407, "c1", "p1", 1, "INVITE", "");
	req(r, 0.02, 1, 2, "ACK", "c1", "p1", 1, "ACK", "");
	/* the retry 40 s later is the same call (user typing a password) */
	req(r, 40, 1, 2, "INVITE", "c1", "", 2, "INVITE",
	    FB_SDP("10.0.0.1", "4000"));
	rsp(r, 40.1, 2, 1, 180, "c1", "b1", 2, "INVITE", "");
	rsp(r, 42, 2, 1, 200, "c1", "b1", 2, "INVITE",
	    FB_SDP("10.0.0.2", "6000"));
	req(r, 42.1, 1, 2, "ACK", "c1", "b1", 2, "ACK", "");
	for (i = 0; i < 5; i++) {
		udp(r, 42.2 + i * 0.02, 1, 4000, 2, 6000, rtp,
		    fb_rtp(rtp, 0, (uint16_t)(100 + i), 0x1111));
		udp(r, 42.2 + i * 0.02, 2, 6000, 1, 4000, rtp,
		    fb_rtp(rtp, 8, (uint16_t)(9000 + i), 0x2222));
	}
	rtp[0] = 0x80;
	rtp[1] = 200;	/* RTCP SR on the next port */
	rtp[2] = 0;
	rtp[3] = 6;
	udp(r, 43, 1, 4001, 2, 6001, rtp, 28);
	req(r, 48.5, 1, 2, "BYE", "c1", "b1", 3, "BYE", "");
	assert_int_equal(g.calls, 0);
	rsp(r, 48.6, 2, 1, 200, "c1", "b1", 3, "BYE", "");
	/* reported once it has lingered (32 s of capture time) */
	req(r, 100, 7, 8, "OPTIONS", "o1", "", 1, "OPTIONS", "");
	assert_int_equal(g.calls, 1);
	assert_string_equal(g.call_id, "c1");
	assert_string_equal(g.caller, "alice@example.test");
	assert_string_equal(g.callee, "bob@example.test");
	assert_int_equal(g.rec.status, 200);
	assert_int_equal(g.rec.start_us, 1000000000000ull);
	assert_int_equal(g.rec.answer_us, 1000000000000ull + 42000000);
	assert_int_equal(g.rec.end_us - g.rec.answer_us, 6500000);
	assert_int_equal(g.rec.media_pkts, 10);
	assert_int_equal(g.rec.media[0].port, 4000);
	assert_int_equal(g.rec.media[1].port, 6000);
	assert_false(g.rec.srtp);
	rpl_finish(r);
	assert_int_equal(rpl_stats(r)->calls, 1);
	assert_int_equal(rpl_stats(r)->calls_answered, 1);
	assert_int_equal(rpl_stats(r)->sip_messages, 10);
	assert_int_equal(rpl_stats(r)->sip_by_scode[407], 1);
	assert_int_equal(rpl_stats(r)->sip_by_method[SIP_M_INVITE], 2);
	assert_int_equal(rpl_stats(r)->rtp_streams, 2);
	assert_int_equal(rpl_stats(r)->rtp_packets, 10);
	assert_int_equal(rpl_stats(r)->rtp_sdp_matched, 10);
	assert_int_equal(rpl_stats(r)->rtcp_packets, 1);
	assert_int_equal(g.pdus[RPL_K_SIP], 10);
	assert_int_equal(g.pdus[RPL_K_RTP], 10);
	assert_int_equal(g.pdus[RPL_K_RTCP], 1);
	assert_int_equal(g.streams, 2);
	assert_int_equal(g.stream_pkts, 10);
	assert_int_equal(g.pts[0], 1);	/* PCMU (0) */
	assert_int_equal(g.pts[1], 1);	/* PCMA (8) */
	assert_int_equal(g.uas, 1);	/* only alice sent requests */
	assert_true(g.alice_requests);
	rpl_free(r);
}

/* A proxy relays the INVITE (same Call-ID and From tag): one call, every
 * message counted; a CANCELled call ends with 487. */
static void test_replay_model_proxy_cancel(void **state)
{
	struct got g;
	struct rpl *r = new_rpl(&g);

	(void)state;
	req(r, 0, 1, 9, "INVITE", "c2", "", 1, "INVITE", "");
	req(r, 0.001, 9, 2, "INVITE", "c2", "", 1, "INVITE", "");
	rsp(r, 0.5, 2, 9, 180, "c2", "b", 1, "INVITE", "");
	rsp(r, 0.501, 9, 1, 180, "c2", "b", 1, "INVITE", "");
	req(r, 3, 1, 9, "CANCEL", "c2", "", 1, "CANCEL", "");
	rsp(r, 3.1, 9, 1, 487, "c2", "b", 1, "INVITE", "");
	/* the same 487 again (retransmission) */
	rsp(r, 3.6, 9, 1, 487, "c2", "b", 1, "INVITE", "");
	rpl_finish(r);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.rec.status, 487);
	assert_int_equal(g.rec.answer_us, 0);
	assert_int_equal(rpl_stats(r)->calls, 1);
	assert_int_equal(rpl_stats(r)->calls_failed, 1);
	assert_int_equal(rpl_stats(r)->sip_messages, 7);
	assert_int_equal(rpl_stats(r)->sip_retrans, 1);
	assert_int_equal(rpl_stats(r)->sip_by_scode[487], 2);
	rpl_free(r);
}

static void test_replay_model_register_message(void **state)
{
	struct got g;
	struct rpl *r = new_rpl(&g);
	uint8_t rtp[64];
	int i;

	(void)state;
	req(r, 0, 1, 9, "REGISTER", "r1", "", 1, "REGISTER", "");
	rsp(r, 0.1, 9, 1, 401, "r1", "x", 1, "REGISTER", "");
	req(r, 0.2, 1, 9, "REGISTER", "r1", "", 2, "REGISTER", "");
	rsp(r, 0.3, 9, 1, 200, "r1", "x", 2, "REGISTER", "");
	req(r, 1, 1, 9, "MESSAGE", "m1", "", 1, "MESSAGE", "");
	/* RTP without SDP: counted from the third in-sequence packet */
	for (i = 0; i < 2; i++)
		udp(r, 2 + i * 0.02, 3, 20000, 4, 30000, rtp,
		    fb_rtp(rtp, 0, (uint16_t)(65534 + i), 7));
	assert_int_equal(rpl_stats(r)->rtp_packets, 0);
	udp(r, 2.04, 3, 20000, 4, 30000, rtp, fb_rtp(rtp, 0, 0, 7));
	assert_int_equal(rpl_stats(r)->rtp_packets, 3);
	assert_int_equal(rpl_stats(r)->rtp_streams, 1);
	/* version-2 looking noise with jumping sequence: never a stream */
	for (i = 0; i < 6; i++)
		udp(r, 3 + i, 5, 20002, 6, 30002, rtp,
		    fb_rtp(rtp, 0, (uint16_t)(i * 7919), 9));
	/* and nothing on well-known ports */
	for (i = 0; i < 6; i++)
		udp(r, 3 + i, 5, 53, 6, 30004, rtp,
		    fb_rtp(rtp, 0, (uint16_t)i, 9));
	rpl_finish(r);
	assert_int_equal(rpl_stats(r)->rtp_streams, 1);
	assert_int_equal(rpl_stats(r)->rtp_packets, 3);
	assert_int_equal(rpl_stats(r)->registrations, 1);
	assert_int_equal(rpl_stats(r)->registrations_ok, 1);
	assert_int_equal(rpl_stats(r)->im_messages, 1);
	assert_int_equal(rpl_stats(r)->user_agents, 2);
	assert_int_equal(rpl_stats(r)->calls, 0);
	assert_int_equal(g.calls, 0);
	rpl_free(r);
}

/* Many calls in sequence: state stays bounded by what is open. */
static void test_replay_model_bounded(void **state)
{
	struct got g;
	struct rpl *r = new_rpl(&g);
	char cid[32];
	int i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		double t = i * 10.0;

		snprintf(cid, sizeof(cid), "b%d", i);
		req(r, t, 1, 2, "INVITE", cid, "", 1, "INVITE", "");
		rsp(r, t + 1, 2, 1, 486, cid, "z", 1, "INVITE", "");
	}
	assert_true(rpl_stats(r)->open_calls_peak < 10);
	assert_true(g.calls > 1990);
	rpl_finish(r);
	assert_int_equal(g.calls, 2000);
	assert_int_equal(rpl_stats(r)->calls_failed, 2000);
	rpl_free(r);
}

static int count_sip(const char *path, int *err_out)
{
	struct rpl_reader *rd = NULL;
	struct rpl *r = NULL;
	char err[256];
	const uint8_t *d;
	size_t cl, wl;
	uint64_t ts;
	int e, n;

	assert_int_equal(rpl_reader_open(&rd, path, err, sizeof(err)), 0);
	assert_int_equal(rpl_new(&r, NULL), 0);
	while (!(e = rpl_reader_next(rd, &ts, &d, &cl, &wl)))
		rpl_frame(r, ts, rpl_reader_dlt(rd), d, cl, wl);
	*err_out = e;
	rpl_finish(r);
	n = (int)rpl_stats(r)->sip_messages;
	rpl_free(r);
	rpl_reader_close(rd);
	return n;
}

static void test_replay_files(void **state)
{
	char dir[] = "/tmp/rpl_test_XXXXXX", p[128], gz[128], cut[128];
	struct rpl_writer *w = NULL;
	struct rpl_reader *rd = NULL;
	struct rpl_ep a, b;
	char err[256], buf[65536];
	size_t n;
	int i, e;
	FILE *f;
	gzFile z;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/out.pcap", dir);
	snprintf(gz, sizeof(gz), "%s/out.pcap.gz", dir);
	snprintf(cut, sizeof(cut), "%s/cut.pcap", dir);
	assert_int_equal(rpl_ep_parse_host(&PL("10.0.0.1"), 5060, &a), 0);
	assert_int_equal(rpl_ep_parse_host(&PL("10.0.0.2"), 5060, &b), 0);
	assert_int_equal(rpl_writer_open(&w, p, err, sizeof(err)), 0);
	for (i = 0; i < 20; i++) {
		char cid[16];

		snprintf(cid, sizeof(cid), "f%d", i);
		n = fb_sip_req(sip, sizeof(sip), "OPTIONS", cid, "t", "", 1,
			       "OPTIONS", "");
		assert_int_equal(rpl_writer_udp(w, 1000000u * (unsigned)i,
						&a, &b, (uint8_t *)sip, n), 0);
	}
	assert_int_equal(rpl_writer_udp(w, 0, &a, &b, (uint8_t *)buf, 65530),
			 EMSGSIZE);
	assert_int_equal(rpl_writer_count(w), 20);
	assert_int_equal(rpl_writer_close(w), 0);
	assert_int_equal(count_sip(p, &e), 20);
	assert_int_equal(e, ENOENT);
	/* gzip copy, read as a stream */
	f = fopen(p, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	z = gzopen(gz, "wb");
	assert_non_null(z);
	assert_int_equal(gzwrite(z, buf, (unsigned)n), (int)n);
	gzclose(z);
	assert_int_equal(count_sip(gz, &e), 20);
	assert_int_equal(e, ENOENT);
	/* cut in the middle of the 11th record: 10 messages, then EBADMSG */
	f = fopen(cut, "wb");
	assert_non_null(f);
	fwrite(buf, 1, n * 21 / 40, f);
	fclose(f);
	i = count_sip(cut, &e);
	assert_true(i >= 9 && i <= 11);
	assert_int_equal(e, EBADMSG);
	/* not a capture, and a missing file */
	assert_int_equal(rpl_reader_open(&rd, "/etc/hostname", err,
					 sizeof(err)), EBADMSG);
	assert_non_null(strstr(err, "/etc/hostname"));
	assert_int_equal(rpl_reader_open(&rd, "/nonexistent.pcap", err,
					 sizeof(err)), ENOENT);
	assert_int_equal(rpl_reader_open(&rd, dir, err, sizeof(err)), EISDIR);
	unlink(p);
	unlink(gz);
	unlink(cut);
	rmdir(dir);
}

/* The captured calls as a scenario the scenario parser accepts. */
static void test_replay_model_scenario(void **state)
{
	const struct rpl_scn_call calls[] = {
		{ "+49 30@x.test", "bob@x.test", 0, 1000000, 3.5, 200 },
		{ "+49 30@x.test", "bob@x.test", 0, 61000000, 0, 486 },
		{ "bob@y.test", "@x.test", 1, 5000000, 0, 0 },
	};
	struct scn *sc = NULL;
	struct buf b;
	char err[256];
	size_t i, n_acct = 0, n_call = 0, n_cdr = 0, n_adv = 0;

	(void)state;
	buf_init(&b);
	assert_int_equal(rpl_scn_write(&b, "t", calls, 3, 2), 0);
	assert_int_equal(scn_parse(&sc, "gen.scn", (const char *)b.data, b.len,
				   err, sizeof(err)), 0);
	for (i = 0; i < sc->cnt; i++) {
		const struct scn_step *st = &sc->steps[i];

		n_acct += st->verb == SCN_ACCOUNT;
		n_call += st->verb == SCN_CALL;
		n_cdr += st->verb == SCN_EXPECT_CDR;
		n_adv += st->verb == SCN_ADVANCE;
	}
	assert_int_equal(n_acct, 4);	/* _49_30, bob, bob-2, u */
	assert_int_equal(n_call, 3);
	assert_int_equal(n_cdr, 2);
	assert_int_equal(n_adv, 2);	/* 30 s gap (speed 2), the end */
	assert_non_null(strstr((char *)b.data, "advance 30000ms"));
	assert_non_null(strstr((char *)b.data,
			       "call _49_30 bob answer=yes duration=1751ms"));
	assert_non_null(strstr((char *)b.data, "call _49_30 bob answer=busy"));
	assert_non_null(strstr((char *)b.data, "call bob-2 u answer=no"));
	assert_non_null(strstr((char *)b.data,
			       "expect cdr _49_30 bob count=2"));
	scn_free(sc);
	buf_fini(&b);
}

/* Captured calls placed again through the real SIP core in process. */
static void test_replay_model_redrive(void **state)
{
	const struct rpl_scn_call calls[] = {
		{ "alice@a.test", "bob@b.test", 0, 1000000, 2.0, 200 },
		{ "carol@a.test", "bob@b.test", 0, 1500000, 0, 486 },
		{ "alice@a.test", "dave@b.test", 0, 9000000, 0, 480 },
		{ "dave@b.test", "alice@a.test", 0, 9500000, 0, 407 },
	};
	struct rpl_drive_res res[4];
	struct rpl_drive_sum sum;

	(void)state;
	assert_int_equal(rpl_drive_inproc(calls, 4, 1, NULL, res, &sum), 0);
	assert_int_equal(sum.agents, 4);
	assert_int_equal(sum.registered, 4);
	assert_int_equal(sum.placed, 4);
	assert_int_equal(res[0].status, 200);
	assert_true(res[0].ended);
	assert_true(res[0].match);
	assert_int_equal(res[1].status, 486);	/* waited for bob's call */
	assert_true(res[1].match);
	assert_int_equal(res[2].status / 100, 4);	/* rang out */
	assert_true(res[2].match);
	assert_false(res[3].match);	/* 407: nothing to compare */
	assert_int_equal(sum.matched, 3);
	assert_int_equal(sum.cdrs, 4);
	assert_true(sum.rtp_recv > 100);
}

struct verdicts {
	size_t ok, bad;
};

static void on_verdict(void *arg, const struct rpl_aud_row *r)
{
	struct verdicts *v = arg;

	if (r->ok)
		v->ok++;
	else
		v->bad++;
}

/*
 * The same re-drive with the platform's store under a data_dir (twice in
 * the same dir: the accounts of the first run are kept) and the tap:
 * CDRs counted as the store took them, canaries of what the platform
 * was sent (REGISTER Call-IDs, digest responses), none of them stored.
 */
static void test_replay_model_redrive_store(void **state)
{
	const struct rpl_scn_call calls[] = {
		{ "alice@a.test", "bob@b.test", 0, 1000000, 2.0, 200 },
		{ "carol@a.test", "bob@b.test", 0, 1500000, 0, 486 },
	};
	char dir[] = "/tmp/test_replay_store.XXXXXX", cmd[128];
	struct rpl_plat pl;
	struct rpl_drive_res res[2];
	struct rpl_drive_sum sum;
	struct verdicts v = { 0, 0 };
	uint64_t files, bytes;
	int k;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&pl, 0, sizeof(pl));
	pl.data_dir = dir;
	assert_int_equal(rpl_canaries_new(&pl.can), 0);
	for (k = 0; k < 2; k++) {
		/* back to back (speed 0): bob still answers the first
		 * call as captured, the second busy */
		assert_int_equal(rpl_drive_inproc(calls, 2, 0, &pl, res, &sum),
				 0);
		assert_int_equal(sum.placed, 2);
		assert_int_equal(sum.matched, 2);
		assert_int_equal(sum.cdrs, 2);	/* written to the store */
	}
	assert_int_equal(pl.err[0], 0);
	assert_true(rpl_canaries_count(pl.can, RPL_AUD_P7) >= 3);
	assert_true(rpl_canaries_count(pl.can, RPL_AUD_P2) >= 3);
	assert_int_equal(rpl_audit_run(pl.can, dir, on_verdict, &v, &files,
				       &bytes), 0);
	assert_true(files >= 1);
	assert_int_equal(v.bad, 0);
	assert_true(v.ok >= 6);
	rpl_canaries_free(pl.can);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_model_call, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_model_proxy_cancel,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_model_register_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_model_bounded,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_model_scenario,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_model_redrive,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_model_redrive_store,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("replay_model", tests, NULL, NULL);
}
