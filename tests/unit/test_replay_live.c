/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the message-level re-drive (sim/replay/rpl_live.h): IPv4
 * literals mapped into 127/8 keeping their length, SDP pointed at our
 * sockets, the accounts file, dialog scripts (first leg only, challenges
 * and 100 Trying dropped, mid-dialog captures skipped), and the engine
 * against the platform's SIP core in virtual time: a call with a digest
 * challenge, hold re-INVITE, UPDATE and BYE from the callee, a MESSAGE,
 * a REGISTER, all matched, also with 20 % datagram loss (timers); a
 * divergence reported with its frame; and two calls the capture leaves
 * open (answered, no BYE; ringing, no CANCEL) closed by the replay, BYE
 * and CANCEL answered, apart from their matched verdicts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "replay/rpl_live.h"

static int64_t blocks_at_start;

static int setup(void **state)
{
	(void)state;
	blocks_at_start = mem_blocks();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static void rw(const char *in, char *out, size_t sz)
{
	struct buf b;
	struct pl p = pl_from_str(in);

	buf_init(&b);
	assert_int_equal(rpl_rw_ipv4(&b, &p), 0);
	assert_true(b.len < sz);
	memcpy(out, b.data, b.len);
	out[b.len] = 0;
	buf_fini(&b);
}

static void test_replay_live_ipv4(void **state)
{
	char o[256], o2[256];

	(void)state;
	rw("c=IN IP4 192.168.100.219", o, sizeof(o));
	assert_int_equal(strlen(o), strlen("c=IN IP4 192.168.100.219"));
	assert_memory_equal(o, "c=IN IP4 127.", 13);
	rw("c=IN IP4 192.168.100.219", o2, sizeof(o2));
	assert_string_equal(o, o2);	/* deterministic */
	rw("Via: SIP/2.0/UDP 10.0.0.1:5060", o, sizeof(o));
	assert_int_equal(strlen(o), strlen("Via: SIP/2.0/UDP 127.0.0.1:5060"));
	rw("x 1.2.3.4 y", o, sizeof(o));
	assert_int_equal(strlen(o), 2 + 9 + 2);
	/* not addresses: an octet over 255, five parts, a version */
	rw("300.1.1.1 1.2.3.4.5 v=2.0", o, sizeof(o));
	assert_string_equal(o, "300.1.1.1 1.2.3.4.5 v=2.0");
	rw("15.15.15.15", o, sizeof(o));
	assert_int_equal(strlen(o), 11);
}

static void test_replay_live_sdp(void **state)
{
	const char *sdp = "v=0\r\no=- 1 2 IN IP4 10.1.2.3\r\ns=-\r\n"
			  "c=IN IP4 10.1.2.3\r\nt=0 0\r\n"
			  "m=audio 4000 RTP/AVP 0 8\r\na=rtcp:4001\r\n"
			  "a=candidate:1 1 UDP 1 10.1.2.3 4000 typ host\r\n"
			  "m=video 0 RTP/AVP 96\r\n";
	struct pl p = pl_from_str(sdp);
	struct buf b;

	(void)state;
	buf_init(&b);
	assert_int_equal(rpl_rw_sdp(&b, &p, "127.0.0.1", 30000), 0);
	assert_int_equal(buf_put_u8(&b, 0), 0);
	assert_string_equal((char *)b.data,
			    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
			    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			    "m=audio 30000 RTP/AVP 0 8\r\na=rtcp:30001\r\n"
			    "m=video 0 RTP/AVP 96\r\n");
	buf_fini(&b);
}

static void test_replay_live_accounts(void **state)
{
	const char *ok = "# captured -> account\n"
			 "alice@a.test alice@replay.test pw1\n\n"
			 "bob@b.test bob@replay.test pw2 # comment\n";
	struct rpl_acct *a = NULL;
	size_t n = 0;
	char err[128];

	(void)state;
	assert_int_equal(rpl_acct_decode(ok, strlen(ok), &a, &n, err,
					 sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(a[1].user, "bob");
	assert_string_equal(a[1].domain, "replay.test");
	assert_string_equal(a[1].password, "pw2");
	assert_ptr_equal(rpl_acct_find(a, n, "ALICE@a.test"), &a[0]);
	assert_null(rpl_acct_find(a, n, "carol@a.test"));
	assert_int_equal(rpl_acct_decode("x y\n", 4, &a, &n, err,
					 sizeof(err)), EINVAL);
	assert_string_equal(err, "line 1: want \"CAPTURED_AOR USER@DOMAIN "
			    "PASSWORD\"");
	assert_int_equal(rpl_acct_decode("\nx @d p\n", 8, &a, &n, err,
					 sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "line 2"));
	assert_int_equal(n, 2);
	mem_free(a);
}

/* --- a captured call, message by message ------------------------------ */
static struct rpl_ep A, P;
static uint32_t frame;

static void add(struct rpl_dlgset *s, bool back, uint64_t ms,
		const char *fmt, ...)
{
	char hdr[2048], msg[3000];
	const char *body;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hdr, sizeof(hdr), fmt, ap);
	va_end(ap);
	body = strstr(hdr, "\n\n");
	if (body)
		*(char *)body = 0;
	snprintf(msg, sizeof(msg), "%s\r\nContent-Length: %zu\r\n\r\n%s", hdr,
		 body ? strlen(body + 2) : 0, body ? body + 2 : "");
	assert_int_equal(rpl_dlgset_add(s, ++frame, ms * 1000, back ? &P : &A,
					back ? &A : &P, (uint8_t *)msg,
					strlen(msg)), 0);
}

#define V "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%s\r\n"
#define FT "From: <sip:alice@a.test>;tag=fa\r\nTo: <sip:bob@b.test>%s\r\n"
#define TF "From: <sip:bob@b.test>;tag=tb\r\nTo: <sip:alice@a.test>;tag=fa\r\n"
#define CID "Call-ID: c1@10.0.0.1\r\n"
#define SDP "Content-Type: application/sdp\n\nv=0\r\no=- 1 1 IN IP4 " \
	"10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 " \
	"RTP/AVP 0\r\na=%s\r\n"
#define SDPB "Content-Type: application/sdp\n\nv=0\r\no=- 2 2 IN IP4 " \
	"10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 5000 " \
	"RTP/AVP 0\r\na=%s\r\n"

/* RTP between the SDP endpoints: 4 packets each way */
static void rtp(struct rpl_dlgset *s, uint64_t ms)
{
	struct rpl_ep a = { 4, { 10, 0, 0, 1 }, 4000 };
	struct rpl_ep b = { 4, { 10, 0, 0, 2 }, 5000 };
	struct rpl_ep x = { 4, { 10, 9, 9, 9 }, 7000 };
	uint8_t pkt[172] = { 0x80, 0 };
	int i;

	for (i = 0; i < 8; i++) {
		pkt[3] = (uint8_t)i;
		assert_int_equal(rpl_dlgset_add_rtp(s, ++frame, (ms + (uint64_t)
			i * 20) * 1000, i & 1 ? &b : &a, i & 1 ? &a : &b, pkt,
			sizeof(pkt)), 0);
	}
	/* not announced in any SDP: not part of a dialog */
	assert_int_equal(rpl_dlgset_add_rtp(s, ++frame, ms * 1000, &x, &x,
					    pkt, sizeof(pkt)), 0);
}

static void call(struct rpl_dlgset *s)
{
	add(s, 0, 0, "INVITE sip:bob@b.test SIP/2.0\r\n" V FT CID
	    "CSeq: 1 INVITE\r\nContact: <sip:alice@10.0.0.1>\r\n" SDP, "i1",
	    "", "sendrecv");
	add(s, 1, 5, "SIP/2.0 100 Trying\r\n" V FT CID "CSeq: 1 INVITE", "i1",
	    "");
	add(s, 1, 6, "SIP/2.0 407 Proxy Authentication Required\r\n" V FT CID
	    "CSeq: 1 INVITE\r\nProxy-Authenticate: Digest realm=\"b\", "
	    "nonce=\"n\"", "i1", ";tag=px");
	add(s, 0, 7, "ACK sip:bob@b.test SIP/2.0\r\n" V FT CID "CSeq: 1 ACK",
	    "i1", ";tag=px");
	add(s, 0, 8, "INVITE sip:bob@b.test SIP/2.0\r\n" V FT CID
	    "CSeq: 2 INVITE\r\nContact: <sip:alice@10.0.0.1>\r\n"
	    "Proxy-Authorization: Digest username=\"alice\"\r\n" SDP, "i2", "",
	    "sendrecv");
	add(s, 1, 20, "SIP/2.0 180 Ringing\r\n" V FT CID "CSeq: 2 INVITE\r\n"
	    "Contact: <sip:bob@10.0.0.2>", "i2", ";tag=tb");
	add(s, 1, 20, "SIP/2.0 180 Ringing\r\n" V FT CID "CSeq: 2 INVITE\r\n"
	    "Contact: <sip:bob@10.0.0.2>", "i2", ";tag=tb");	/* retrans */
	add(s, 1, 900, "SIP/2.0 200 OK\r\n" V FT CID "CSeq: 2 INVITE\r\n"
	    "Contact: <sip:bob@10.0.0.2>\r\n" SDPB, "i2", ";tag=tb",
	    "sendrecv");
	add(s, 0, 910, "ACK sip:bob@10.0.0.2 SIP/2.0\r\n" V FT CID
	    "CSeq: 2 ACK", "a2", ";tag=tb");
	rtp(s, 920);
	add(s, 0, 2000, "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n" V FT CID
	    "CSeq: 3 INVITE\r\nContact: <sip:alice@10.0.0.1>\r\n" SDP, "i3",
	    ";tag=tb", "sendonly");
	add(s, 1, 2010, "SIP/2.0 200 OK\r\n" V FT CID "CSeq: 3 INVITE\r\n"
	    "Contact: <sip:bob@10.0.0.2>\r\n" SDPB, "i3", ";tag=tb",
	    "recvonly");
	add(s, 0, 2020, "ACK sip:bob@10.0.0.2 SIP/2.0\r\n" V FT CID
	    "CSeq: 3 ACK", "a3", ";tag=tb");
	add(s, 1, 3000, "UPDATE sip:alice@10.0.0.1 SIP/2.0\r\n" V TF CID
	    "CSeq: 7 UPDATE\r\nContact: <sip:bob@10.0.0.2>", "u7");
	add(s, 0, 3010, "SIP/2.0 200 OK\r\n" V TF CID "CSeq: 7 UPDATE", "u7");
	add(s, 1, 4000, "BYE sip:alice@10.0.0.1 SIP/2.0\r\n" V TF CID
	    "CSeq: 8 BYE", "b8");
	add(s, 0, 4010, "SIP/2.0 200 OK\r\n" V TF CID "CSeq: 8 BYE", "b8");
}

static void others(struct rpl_dlgset *s, unsigned reg_status)
{
	add(s, 0, 5000, "MESSAGE sip:bob@b.test SIP/2.0\r\n" V FT
	    "Call-ID: m1@10.0.0.1\r\nCSeq: 1 MESSAGE\r\n"
	    "Content-Type: text/plain\n\nhello from 10.0.0.1", "m1", "");
	add(s, 1, 5010, "SIP/2.0 202 Accepted\r\n" V FT
	    "Call-ID: m1@10.0.0.1\r\nCSeq: 1 MESSAGE", "m1", ";tag=tm");
	add(s, 0, 6000, "REGISTER sip:a.test SIP/2.0\r\n" V
	    "From: <sip:alice@a.test>;tag=r1\r\nTo: <sip:alice@a.test>\r\n"
	    "Call-ID: r1@10.0.0.1\r\nCSeq: 1 REGISTER\r\n"
	    "Contact: <sip:alice@10.0.0.1>;expires=600", "r1");
	add(s, 1, 6010, "SIP/2.0 %u X\r\n" V
	    "From: <sip:alice@a.test>;tag=r1\r\nTo: <sip:alice@a.test>;tag=x\r\n"
	    "Call-ID: r1@10.0.0.1\r\nCSeq: 1 REGISTER", reg_status, "r1");
	/* a dialog whose start was not captured */
	add(s, 1, 7000, "BYE sip:alice@10.0.0.1 SIP/2.0\r\n" V TF
	    "Call-ID: old@10.0.0.1\r\nCSeq: 9 BYE", "b9");
}

static void build(struct rpl_dlgset *s, unsigned reg_status)
{
	struct pl a = PL("10.0.0.1"), p = PL("10.0.0.9");

	frame = 0;
	rpl_ep_parse_host(&a, 5060, &A);
	rpl_ep_parse_host(&p, 5060, &P);
	rpl_dlgset_init(s);
	call(s);
	others(s, reg_status);
	/* a second leg of the same call (proxy to callee) is not kept */
	P.port = 5070;
	add(s, 0, 8, "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n" V FT CID
	    "CSeq: 2 INVITE\r\n" SDP, "leg2", "", "sendrecv");
	P.port = 5060;
	rpl_dlgset_finish(s);
}

static void test_replay_live_script(void **state)
{
	struct rpl_dlgset s;
	const struct rpl_dlg *d;

	(void)state;
	build(&s, 200);
	assert_int_equal(s.n, 4);
	d = &s.d[0];
	assert_string_equal(d->caller, "alice@a.test");
	assert_string_equal(d->callee, "bob@b.test");
	assert_true(d->callee_role);
	assert_int_equal(d->skip[0], 0);
	/* challenge, its ACK, the challenged INVITE, 100 and the repeated
	 * 180 dropped */
	assert_int_equal(d->n, 19);
	assert_int_equal(d->nmedia, 8);
	assert_int_equal(s.rtp, 9);
	assert_int_equal(s.rtp_dropped, 1);
	assert_int_equal(d->steps[0].cseq, 2);
	assert_int_equal(d->steps[0].frame, 5);
	assert_int_equal(d->steps[1].scode, 180);
	assert_true(d->steps[4].media);
	assert_int_equal(d->steps[4].dir, 0);	/* from the caller's SDP */
	assert_int_equal(d->steps[5].dir, 1);
	assert_int_equal(d->steps[15].mid, SIP_M_UPDATE);
	assert_int_equal(d->steps[15].dir, 1);
	assert_false(s.d[2].callee_role);	/* REGISTER */
	assert_non_null(strstr(s.d[3].skip, "inside the dialog"));
	rpl_dlgset_fini(&s);
}

static const struct rpl_acct accts[] = {
	{ "alice@a.test", "alice", "replay.test", "pw-alice" },
	{ "bob@b.test", "bob", "replay.test", "pw-bob" },
};

static void run(unsigned reg_status, double loss, size_t want_match,
		const char *want_why)
{
	struct rpl_dlgset s;
	struct rpl_live_res res[4];
	struct rpl_vlive_opt o = { 0, loss, 0, 0, NULL };
	struct rpl_vlive_sum sum;
	size_t i;

	build(&s, reg_status);
	assert_int_equal(rpl_live_inproc(&s, accts, 2, "replay.test", &o,
					 res, &sum), 0);
	for (i = 0; i < s.n; i++)
		if (res[i].v == RPL_V_DIVERGED)
			print_message("diverged %zu: %s\n", i, res[i].why);
	assert_int_equal(sum.matched, want_match);
	assert_int_equal(sum.skipped, 1);
	assert_int_equal(sum.registered, 1);
	assert_int_equal(res[0].v, RPL_V_MATCH);
	assert_int_equal(res[0].done, 19);
	/* RTP to the address the other role's SDP gave, all delivered */
	assert_int_equal(res[0].rtp_sent, 8);
	assert_int_equal(res[0].rtp_recv, loss > 0 ? res[0].rtp_recv : 8);
	assert_int_equal(res[0].rtp_unsent, 0);
	assert_int_equal(res[1].v, RPL_V_MATCH);
	assert_int_equal(sum.cdrs, 1);
	if (want_why) {
		assert_int_equal(res[2].v, RPL_V_DIVERGED);
		assert_string_equal(res[2].why, want_why);
		assert_int_equal(res[2].frame, 29);
	}
	rpl_dlgset_fini(&s);
}

static void test_replay_live_inproc(void **state)
{
	(void)state;
	run(200, 0, 3, NULL);
}

static void test_replay_live_loss(void **state)
{
	(void)state;
	run(200, 0.2, 3, NULL);
}

static void test_replay_live_diverged(void **state)
{
	(void)state;
	run(403, 0, 2, "frame 29: caller expected 403 (REGISTER), got 200 "
	    "(REGISTER)");
}

/* Calls the capture leaves open: the caller closes each, the platform
 * ends both (a CDR each), the verdicts stay the captured steps'. */
static void test_replay_live_left_open(void **state)
{
	struct pl a = PL("10.0.0.1"), p = PL("10.0.0.9");
	struct rpl_dlgset s;
	struct rpl_live_res res[2];
	struct rpl_vlive_opt o = { 0, 0, 0, 0, NULL };
	struct rpl_vlive_sum sum;

	(void)state;
	frame = 0;
	rpl_ep_parse_host(&a, 5060, &A);
	rpl_ep_parse_host(&p, 5060, &P);
	rpl_dlgset_init(&s);
	add(&s, 0, 0, "INVITE sip:bob@b.test SIP/2.0\r\n" V FT
	    "Call-ID: o1@10.0.0.1\r\nCSeq: 1 INVITE\r\n"
	    "Contact: <sip:alice@10.0.0.1>\r\n" SDP, "o1", "", "sendrecv");
	add(&s, 1, 20, "SIP/2.0 200 OK\r\n" V FT "Call-ID: o1@10.0.0.1\r\n"
	    "CSeq: 1 INVITE\r\nContact: <sip:bob@10.0.0.2>\r\n" SDPB, "o1",
	    ";tag=tb", "sendrecv");
	add(&s, 0, 30, "ACK sip:bob@10.0.0.2 SIP/2.0\r\n" V FT
	    "Call-ID: o1@10.0.0.1\r\nCSeq: 1 ACK", "o1a", ";tag=tb");
	add(&s, 0, 1000, "INVITE sip:bob@b.test SIP/2.0\r\n" V FT
	    "Call-ID: o2@10.0.0.1\r\nCSeq: 1 INVITE\r\n"
	    "Contact: <sip:alice@10.0.0.1>\r\n" SDP, "o2", "", "sendrecv");
	add(&s, 1, 1020, "SIP/2.0 180 Ringing\r\n" V FT
	    "Call-ID: o2@10.0.0.1\r\nCSeq: 1 INVITE\r\n"
	    "Contact: <sip:bob@10.0.0.2>", "o2", ";tag=tc");
	rpl_dlgset_finish(&s);
	assert_int_equal(s.n, 2);
	assert_int_equal(rpl_live_inproc(&s, accts, 2, "replay.test", &o,
					 res, &sum), 0);
	assert_int_equal(res[0].v, RPL_V_MATCH);
	assert_int_equal(res[0].done, 3);
	assert_string_equal(res[0].closed, "BYE");
	assert_int_equal(res[0].close_status, 200);
	assert_int_equal(res[1].v, RPL_V_MATCH);
	assert_int_equal(res[1].done, 2);
	assert_string_equal(res[1].closed, "CANCEL");
	assert_int_equal(res[1].close_status, 487);
	assert_int_equal(sum.matched, 2);
	assert_int_equal(sum.cdrs, 2);	/* both ended on the platform */
	rpl_dlgset_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_live_ipv4, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_live_sdp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_live_accounts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_live_script,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_live_inproc,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_live_loss, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_live_left_open,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_live_diverged,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
