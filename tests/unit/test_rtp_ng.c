/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the bencode codec and the rtpengine "ng" control core:
 * ping/offer/answer/query/delete as bencoded byte strings through the
 * sans-IO calls, retransmission caching, flags, and error answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "base/mem.h"
#include "base/buf.h"
#include "rtp/rtp.h"

static int64_t blocks_at_start;
static struct rtp_relay *relay;
static struct rtp_ng *ng;
static struct benc items[256];

static struct net_addr addr(const char *s)
{
	struct net_addr a;
	struct pl pl = pl_from_str(s);

	assert_int_equal(net_addr_parse(&pl, 0, &a), 0);
	return a;
}

static int setup(void **state)
{
	struct rtp_relay_cfg cfg;

	(void)state;
	blocks_at_start = mem_blocks();
	memset(&cfg, 0, sizeof(cfg));
	cfg.addr = addr("127.0.0.1");
	cfg.port_min = 30000;
	cfg.port_max = 30099;
	assert_int_equal(rtp_relay_new(&relay, &cfg), 0);
	assert_int_equal(rtp_ng_new(&ng, relay), 0);
	rtp_ng_set_wall_offset(ng, 1700000000ll * 1000000);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rtp_ng_free(ng);
	rtp_relay_free(relay);
	mem_fail_at(-1, 0);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static const struct {
	const char *in;
	int err;
	size_t n;
} benc_vec[] = {
	{ "d7:command4:pinge", 0, 3 },
	{ "i-42e", 0, 1 },
	{ "i0e", 0, 1 },
	{ "0:", 0, 1 },
	{ "l4:spami7eli1ei2eed1:ai1eee", 0, 9 },
	{ "de", 0, 1 },
	{ "i03e", EBADMSG, 0 },
	{ "i-0e", EBADMSG, 0 },
	{ "ie", EBADMSG, 0 },
	{ "i12", EBADMSG, 0 },
	{ "3:ab", EBADMSG, 0 },
	{ "03:abc", EBADMSG, 0 },
	{ "d1:ae", EBADMSG, 0 },
	{ "di1e1:ae", EBADMSG, 0 },
	{ "l", EBADMSG, 0 },
	{ "i1ei2e", EBADMSG, 0 },
	{ "", EBADMSG, 0 },
	{ "x", EBADMSG, 0 },
	{ "i99999999999999999999e", EBADMSG, 0 },
	{ "lllllllllllllllllllleeeeeeeeeeeeeeeeeeee", EBADMSG, 0 },
};

static void test_rtp_ng_bencode_vectors(void **state)
{
	size_t i, n;
	int err;

	(void)state;
	for (i = 0; i < sizeof(benc_vec) / sizeof(benc_vec[0]); i++) {
		struct pl in = pl_from_str(benc_vec[i].in);

		n = 0;
		err = benc_decode(&in, items, 256, &n);
		if (err != benc_vec[i].err)
			fail_msg("case %zu \"%s\": got %d want %d", i,
				 benc_vec[i].in, err, benc_vec[i].err);
		if (!err)
			assert_int_equal(n, benc_vec[i].n);
	}
	/* Too many items for the array. */
	{
		struct pl in = PL("li1ei2ei3ee");
		assert_int_equal(benc_decode(&in, items, 3, &n), EOVERFLOW);
	}
}

static void test_rtp_ng_bencode_roundtrip(void **state)
{
	struct buf b;
	struct pl in;
	const struct benc *v;
	size_t n, c;

	(void)state;
	buf_init(&b);
	assert_int_equal(benc_put_dict(&b), 0);
	assert_int_equal(benc_put_str(&b, "sdp"), 0);
	assert_int_equal(benc_put_str(&b, "v=0\r\n"), 0);
	assert_int_equal(benc_put_str(&b, "n"), 0);
	assert_int_equal(benc_put_int(&b, -7), 0);
	assert_int_equal(benc_put_str(&b, "l"), 0);
	assert_int_equal(benc_put_list(&b), 0);
	assert_int_equal(benc_put_str(&b, "a"), 0);
	assert_int_equal(benc_put_str(&b, "bc"), 0);
	assert_int_equal(benc_put_end(&b), 0);
	assert_int_equal(benc_put_end(&b), 0);
	assert_string_equal((char *)b.data,
			    "d3:sdp5:v=0\r\n1:ni-7e1:ll1:a2:bcee");
	in = buf_pl(&b);
	assert_int_equal(benc_decode(&in, items, 256, &n), 0);
	v = benc_dict_get(items, 0, "n");
	assert_non_null(v);
	assert_int_equal(v->num, -7);
	v = benc_dict_get(items, 0, "l");
	assert_int_equal(v->type, BENC_LIST);
	assert_int_equal(v->cnt, 2);
	c = benc_child(items, (size_t)(v - items), 1);
	assert_true(pl_eq_str(&items[c].str, "bc"));
	assert_null(benc_dict_get(items, 0, "zz"));
	buf_fini(&b);
}

static struct net_out last_out;

/* Send one datagram to the ng core; return its answer as a string. */
/* The "delete" hook: the driver reads what is queued on the ports. */
static struct {
	int calls;
	char cid[32];
	bool existed;
} bd;

static void before_del(void *arg, const struct pl *call_id)
{
	struct rtp_call_stats st;

	(void)arg;
	bd.calls++;
	pl_strcpy(call_id, bd.cid, sizeof(bd.cid));
	bd.existed = !rtp_relay_query(relay, call_id, &st);
}

static const char *ng_cmd(const char *msg, size_t len)
{
	struct net_pkt in;
	static char ans[65536];

	memset(&in, 0, sizeof(in));
	in.from = addr("127.0.0.1:5061");
	in.to = addr("127.0.0.1:2223");
	in.data = (const uint8_t *)msg;
	in.len = len ? len : strlen(msg);
	assert_int_equal(rtp_ng_input(ng, 5000000, &in), 0);
	if (rtp_ng_output(ng, &last_out))
		return NULL;
	assert_true(net_addr_eq(&last_out.dst, &in.from));
	assert_true(last_out.len < sizeof(ans));
	memcpy(ans, last_out.data, last_out.len);
	ans[last_out.len] = '\0';
	return ans;
}

/* Decode the dict of an answer (after the cookie). */
static size_t answer_dict(const char *ans, const char *cookie)
{
	struct pl a = pl_from_str(ans);
	size_t n, cl = strlen(cookie);

	assert_true(a.len > cl + 1);
	assert_memory_equal(a.p, cookie, cl);
	assert_int_equal(a.p[cl], ' ');
	pl_advance(&a, cl + 1);
	assert_int_equal(benc_decode(&a, items, 256, &n), 0);
	return n;
}

static const char *dstr(const char *key)
{
	static char v[4096];
	const struct benc *b = benc_dict_get(items, 0, key);

	if (!b || b->type != BENC_STR)
		return NULL;
	pl_strcpy(&b->str, v, sizeof(v));
	return v;
}

static const char offer_sdp[] =
	"v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\n"
	"t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"
	"a=candidate:1 1 udp 1 192.0.2.10 5000 typ host\r\n";
static const char answer_sdp[] =
	"v=0\r\no=- 2 2 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\n"
	"t=0 0\r\nm=audio 6000 RTP/AVP 0\r\n";

static const char *ng_offer(const char *cookie, const char *cid,
			    const char *extra)
{
	static char msg[2048];

	snprintf(msg, sizeof(msg),
		 "%s d7:command5:offer7:call-id%zu:%s8:from-tag2:ta"
		 "3:sdp%zu:%s%se", cookie, strlen(cid), cid,
		 strlen(offer_sdp), offer_sdp, extra);
	return ng_cmd(msg, 0);
}

static void test_rtp_ng_ping(void **state)
{
	(void)state;
	assert_string_equal(ng_cmd("5323_1 d7:command4:pinge", 0),
			    "5323_1 d6:result4:ponge");
	/* No cookie, nothing to answer. */
	assert_null(ng_cmd("d7:command4:pinge", 0));
	assert_string_equal(ng_cmd("c2 xyz", 0),
		"c2 d6:result5:error12:error-reason"
		"27:Could not decode dictionarye");
	assert_non_null(strstr(ng_cmd("c3 d7:command4:pingee", 0),
			       "Could not decode"));
	assert_string_equal(ng_cmd("c4 d7:command3:fooe", 0),
		"c4 d6:result5:error12:error-reason20:Unrecognized commande");
	assert_string_equal(ng_cmd("c5 d7:command5:offere", 0),
		"c5 d6:result5:error12:error-reason18:Incomplete messagee");
}

static void test_rtp_ng_call(void **state)
{
	char msg[2048];
	const char *ans;
	const struct benc *t, *tot, *rtp;
	struct rtp_relay_counters cnt;
	struct net_pkt in;
	struct net_out o;
	uint8_t pkt[172] = { 0x80, 0, 0, 1 };

	(void)state;
	ans = ng_offer("o1", "call-1", "5:flagsl13:trust-addresse"
		       "7:replacel6:origine");
	answer_dict(ans, "o1");
	assert_string_equal(dstr("result"), "ok");
	assert_string_equal(dstr("sdp"),
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30002 RTP/AVP 0\r\n");
	/* The retransmission gets the same bytes and allocates nothing. */
	rtp_relay_counters(relay, &cnt);
	assert_int_equal(cnt.ports_in_use, 4);
	{
		char first[2048];

		strcpy(first, ans);
		assert_string_equal(ng_offer("o1", "call-1", ""), first);
	}
	rtp_relay_counters(relay, &cnt);
	assert_int_equal(cnt.ports_in_use, 4);

	snprintf(msg, sizeof(msg),
		 "a1 d7:command6:answer7:call-id6:call-18:from-tag2:ta"
		 "6:to-tag2:tb3:sdp%zu:%se", strlen(answer_sdp), answer_sdp);
	answer_dict(ng_cmd(msg, 0), "a1");
	assert_string_equal(dstr("result"), "ok");
	assert_non_null(strstr(dstr("sdp"), "m=audio 30000 RTP/AVP 0"));

	/* Two packets from alice through the relay. */
	memset(&in, 0, sizeof(in));
	in.from = addr("192.0.2.10:5000");
	in.to = addr("127.0.0.1:30000");
	in.data = pkt;
	in.len = sizeof(pkt);
	assert_int_equal(rtp_relay_input(relay, 6000000, &in), 0);
	pkt[3] = 2;
	assert_int_equal(rtp_relay_input(relay, 6020000, &in), 0);
	assert_int_equal(rtp_relay_output(relay, &o), 0);
	assert_int_equal(rtp_relay_output(relay, &o), 0);

	answer_dict(ng_cmd("q1 d7:command5:query7:call-id6:call-1e", 0),
		    "q1");
	assert_string_equal(dstr("result"), "ok");
	assert_int_equal(benc_dict_get(items, 0, "created")->num,
			 1700000005);
	tot = benc_dict_get(items, 0, "totals");
	assert_non_null(tot);
	rtp = benc_dict_get(items, (size_t)(tot - items), "RTP");
	assert_int_equal(benc_dict_get(items, (size_t)(rtp - items),
				       "packets")->num, 2);
	assert_int_equal(benc_dict_get(items, (size_t)(rtp - items),
				       "bytes")->num, 344);
	t = benc_dict_get(items, 0, "tags");
	assert_non_null(t);
	assert_non_null(benc_dict_get(items, (size_t)(t - items), "ta"));
	assert_non_null(benc_dict_get(items, (size_t)(t - items), "tb"));

	rtp_ng_set_before_delete(ng, before_del, NULL);
	answer_dict(ng_cmd("d1 d7:command6:delete7:call-id6:call-1"
			   "8:from-tag2:tae", 0), "d1");
	/* the driver was asked first, while the call still held its ports */
	assert_int_equal(bd.calls, 1);
	assert_string_equal(bd.cid, "call-1");
	assert_true(bd.existed);
	assert_string_equal(dstr("result"), "ok");
	assert_non_null(benc_dict_get(items, 0, "totals"));
	rtp_relay_counters(relay, &cnt);
	assert_int_equal(cnt.ports_in_use, 0);
	/* Deleting again: a warning, or an error when fatal. */
	answer_dict(ng_cmd("d2 d7:command6:delete7:call-id6:call-1e", 0),
		    "d2");
	assert_string_equal(dstr("result"), "ok");
	assert_non_null(dstr("warning"));
	answer_dict(ng_cmd("d3 d7:command6:delete7:call-id6:call-1"
			   "5:flagsl5:fatalee", 0), "d3");
	assert_string_equal(dstr("result"), "error");
	answer_dict(ng_cmd("q2 d7:command5:query7:call-id6:call-1e", 0),
		    "q2");
	assert_string_equal(dstr("error-reason"), "Unknown call-id");
}

static void test_rtp_ng_sip_source_and_errors(void **state)
{
	const char *ans;
	struct net_pkt in;
	struct net_out o;
	char msg[2048];
	uint8_t pkt[20] = { 0x80, 0 };
	struct net_addr want = addr("198.51.100.5:6000");

	(void)state;
	/* rtpp_flags, SIP-source-address and received-from: media for bob
	 * goes to where his signalling came from. */
	ng_offer("s1", "call-2", "");
	snprintf(msg, sizeof(msg),
		 "s2 d7:command6:answer7:call-id6:call-28:from-tag2:ta"
		 "6:to-tag2:tb10:rtpp_flags18:SIP-source-address"
		 "13:received-froml3:IP412:198.51.100.5e"
		 "3:sdp%zu:%se", strlen(answer_sdp), answer_sdp);
	answer_dict(ng_cmd(msg, 0), "s2");
	assert_string_equal(dstr("result"), "ok");
	memset(&in, 0, sizeof(in));
	in.from = addr("192.0.2.10:5000");
	in.to = addr("127.0.0.1:30000");
	in.data = pkt;
	in.len = sizeof(pkt);
	assert_int_equal(rtp_relay_input(relay, 6000000, &in), 0);
	assert_int_equal(rtp_relay_output(relay, &o), 0);
	{
		char a[NET_ADDR_STRLEN];
		if (!net_addr_eq(&o.dst, &want))
			fail_msg("to %s", net_addr_str(&o.dst, a, sizeof(a)));
	}

	ans = ng_offer("s3", "call-3", "");
	answer_dict(ans, "s3");
	assert_string_equal(dstr("result"), "ok");
	/* Bad SDP and an answer without a call. */
	assert_string_equal(ng_cmd("e1 d7:command5:offer7:call-id1:x"
				   "8:from-tag1:a3:sdp3:v=1e", 0),
		"e1 d6:result5:error12:error-reason19:Failed to parse SDPe");
	answer_dict(ng_cmd("e2 d7:command6:answer7:call-id2:zz8:from-tag1:a"
			   "6:to-tag1:b3:sdp3:v=0e", 0), "e2");
	assert_string_equal(dstr("error-reason"), "Unknown call-id");
}

static void test_rtp_ng_exhaustion(void **state)
{
	char cid[16];
	int i;

	(void)state;
	/* 50 pairs: 25 calls fit, the 26th gets the error. */
	for (i = 0; i < 25; i++) {
		snprintf(cid, sizeof(cid), "x%d", i);
		answer_dict(ng_offer(cid, cid, ""), cid);
		assert_string_equal(dstr("result"), "ok");
	}
	answer_dict(ng_offer("x25", "x25", ""), "x25");
	assert_string_equal(dstr("result"), "error");
	assert_string_equal(dstr("error-reason"), "Ran out of ports");
}

static void test_rtp_ng_oom(void **state)
{
	struct net_pkt in;
	struct net_out o;
	char msg[2048], ck[32];
	int64_t n;
	int err;

	(void)state;
	for (n = 0;; n++) {
		snprintf(ck, sizeof(ck), "m%lld", (long long)n);
		snprintf(msg, sizeof(msg),
			 "%s d7:command5:offer7:call-id3:oom8:from-tag2:ta"
			 "3:sdp%zu:%se", ck, strlen(offer_sdp), offer_sdp);
		memset(&in, 0, sizeof(in));
		in.from = addr("127.0.0.1:5061");
		in.to = addr("127.0.0.1:2223");
		in.data = (const uint8_t *)msg;
		in.len = strlen(msg);
		mem_fail_at(n, 1);
		err = rtp_ng_input(ng, 1, &in);
		mem_fail_at(-1, 0);
		if (!err)
			break;
		assert_int_equal(err, ENOMEM);
		assert_int_equal(rtp_ng_output(ng, &o), ENOENT);
	}
	assert_true(n > 2);
	/* The offer's answer, then a query: the call exists once. */
	assert_int_equal(rtp_ng_output(ng, &o), 0);
	assert_non_null(memmem(o.data, o.len, "6:result2:ok", 12));
	answer_dict(ng_cmd("x d7:command5:query7:call-id3:oome", 0), "x");
	assert_string_equal(dstr("result"), "ok");
}

static void test_rtp_ng_ipv6_relay(void **state)
{
	struct rtp_relay_cfg cfg;
	struct rtp_relay *r6;
	struct buf out;
	struct pl cid = PL("v6"), tag = PL("a");
	struct pl sdp = PL("v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\n"
			   "c=IN IP6 2001:db8::1\r\nt=0 0\r\n"
			   "m=audio 5000 RTP/AVP 0\r\n");
	struct rtp_sock_ev ev;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.addr = addr("[::1]");
	cfg.port_min = 31000;
	cfg.port_max = 31003;
	assert_int_equal(rtp_relay_new(&r6, &cfg), 0);
	buf_init(&out);
	assert_int_equal(rtp_relay_offer(r6, 1, &cid, &tag, &sdp, NULL, &out),
			 0);
	assert_string_equal((char *)out.data,
		"v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\n"
		"c=IN IP6 ::1\r\nt=0 0\r\nm=audio 31002 RTP/AVP 0\r\n");
	assert_int_equal(rtp_relay_sock_event(r6, &ev), 0);
	assert_int_equal(net_addr_family(&ev.local), AF_INET6);
	buf_fini(&out);
	rtp_relay_free(r6);
	/* Bad ranges and addresses are refused. */
	cfg.port_max = 31001;
	assert_int_equal(rtp_relay_new(&r6, &cfg), EINVAL);
	memset(&cfg.addr, 0, sizeof(cfg.addr));
	cfg.port_max = 31003;
	assert_int_equal(rtp_relay_new(&r6, &cfg), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rtp_ng_bencode_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_ng_bencode_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_ng_ping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_ng_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_ng_sip_source_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_ng_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_ng_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_ng_ipv6_relay, setup, teardown),
	};
	return cmocka_run_group_tests_name("rtp_ng", tests, NULL, NULL);
}
