/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bench UA on the in-process network: two UAs call each other
 * directly (each one's "proxy" is the other), with RTP canaries in clear
 * and over SRTP, lossy links, busy callees, and a digest challenge from a
 * fake registrar core whose check is written independently here.
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
#include <cmocka.h>
#include <pcap/pcap.h>
#include <openssl/evp.h>
#include "base/mem.h"
#include "inproc/vnet.h"
#include "net_testutil.h"
#include "sip/sip.h"
#include "ua/ua.h"

struct pair {
	struct vnet *v;
	struct ua *a, *b;
	int ia, ib;
};

static void pair_new(struct pair *p, enum net_tp tp, uint64_t seed)
{
	struct ua_cfg ca = { 0 }, cb = { 0 };
	struct net_addr sa = addr("127.0.0.1:5060", tp),
			sb = addr("127.0.0.2:5060", tp);
	struct net_addr ma = addr("127.0.1.1:0", NET_UDP),
			mb = addr("127.0.1.2:0", NET_UDP);

	assert_int_equal(vnet_new(&p->v, 1767225600ull * 1000000, seed), 0);
	ca.user = "alice";
	ca.domain = "example.test";
	ca.password = "correct horse";
	ca.local = sa;
	ca.proxy = sb;
	ca.media = addr("127.0.1.1:30000", NET_UDP);
	ca.seed = seed;
	cb = ca;
	cb.user = "bob";
	cb.local = sb;
	cb.proxy = sa;
	cb.media = addr("127.0.1.2:32000", NET_UDP);
	cb.seed = seed + 1;
	assert_int_equal(ua_new(&p->a, &ca), 0);
	assert_int_equal(ua_new(&p->b, &cb), 0);
	p->ia = vnet_attach(p->v, (struct core_ref){ &ua_core_ops, p->a },
			    (struct net_addr[]){ sa, ma }, 2);
	p->ib = vnet_attach(p->v, (struct core_ref){ &ua_core_ops, p->b },
			    (struct net_addr[]){ sb, mb }, 2);
	assert_true(p->ia >= 0 && p->ib >= 0);
}

static void pair_free(struct pair *p)
{
	vnet_free(p->v);
	ua_free(p->a);
	ua_free(p->b);
}

/* Collect the event types a UA reported, in order, as letters. */
static void events(struct ua *u, char *out, size_t n, uint16_t *last_status)
{
	struct ua_event e;
	size_t i = 0;

	while (ua_event_next(u, &e) == 0 && i + 1 < n) {
		out[i++] = (char)('A' + e.type - 1);
		if (last_status)
			*last_status = e.status;
	}
	out[i] = 0;
}

static void run(struct pair *p, uint64_t us)
{
	assert_int_equal(vnet_run_until(p->v, vnet_now(p->v) + us, 2000000),
			 0);
}

static void call_with_media(enum ua_media media, int *wire_canaries,
			    struct ua_stats *sa, struct ua_stats *sb)
{
	char path[] = "/tmp/ua-capXXXXXX";
	struct ua_call_opt o = { 2000000, media, "CANARY-rtp-7f3a", NULL };
	struct pair p;
	char ea[32], eb[32];
	uint32_t h;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	pair_new(&p, NET_UDP, 42);
	assert_int_equal(vnet_capture_open(p.v, path), 0);
	assert_int_equal(ua_call(p.a, vnet_now(p.v), "bob@example.test", &o,
				 &h), 0);
	vnet_kick(p.v, p.ia);
	run(&p, 5000000);
	events(p.a, ea, sizeof(ea), NULL);
	events(p.b, eb, sizeof(eb), NULL);
	/* alice: RINGING, ANSWERED, ENDED; bob: INCOMING, ANSWERED, ENDED */
	assert_string_equal(ea, "DEG");
	assert_string_equal(eb, "CEG");
	ua_stats(p.a, sa);
	ua_stats(p.b, sb);
	vnet_capture_close(p.v);
	*wire_canaries = capture_count(path, "CANARY-rtp-7f3a");
	unlink(path);
	assert_int_equal(ua_calls_active(p.a), 0);
	pair_free(&p);
}

static void test_ua_call_plain_rtp(void **state)
{
	struct ua_stats sa, sb;
	int wire;
	int64_t blocks = mem_blocks();

	(void)state;
	call_with_media(UA_MEDIA_RTP, &wire, &sa, &sb);
	/* 2 s at 20 ms: about 100 packets each way */
	assert_true(sa.rtp_sent >= 95 && sa.rtp_sent <= 102);
	assert_true(sb.rtp_recv >= 95);
	assert_true(sb.rtp_canary_recv >= 95);	/* alice's canary */
	assert_true(sa.rtp_recv >= 95);		/* bob's call has none */
	assert_int_equal(sa.rtp_canary_recv, 0);
	assert_true(wire >= 95);		/* in clear */
	assert_int_equal(sa.calls_ok, 1);
	assert_true(sa.setup_us_sum > 0 && sa.setup_us_sum < 10000);
	/* one clean 500 us hop: no loss, exact delay, no jitter */
	assert_true(sb.rtp_expected >= 95);
	assert_int_equal(sb.rtp_lost, 0);
	assert_true(sb.rtp_delay_n >= 95);
	assert_int_equal(sb.rtp_delay_us_sum / sb.rtp_delay_n, 500);
	assert_true(sb.jitter_us_max < 50);
	assert_int_equal(mem_blocks(), blocks);
}

static void test_ua_call_srtp(void **state)
{
	struct ua_stats sa, sb;
	int wire;

	(void)state;
	call_with_media(UA_MEDIA_SRTP, &wire, &sa, &sb);
	assert_true(sb.rtp_recv >= 95);
	assert_true(sb.rtp_canary_recv >= 95);	/* decrypted end to end */
	assert_int_equal(wire, 0);		/* never in clear */
}

static void test_ua_call_zrtp(void **state)
{
	char path[] = "/tmp/ua-zrtpXXXXXX";
	struct ua_call_opt o = { 3000000, UA_MEDIA_ZRTP, "CANARY-zrtp-91", NULL };
	struct ua_event e;
	struct ua_stats sa, sb;
	struct pair p;
	char sas_a[256] = "", sas_b[256] = "";
	uint32_t h;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	pair_new(&p, NET_UDP, 77);
	assert_int_equal(vnet_capture_open(p.v, path), 0);
	assert_int_equal(ua_call(p.a, vnet_now(p.v), "bob@example.test", &o,
				 &h), 0);
	vnet_kick(p.v, p.ia);
	run(&p, 6000000);
	while (ua_event_next(p.a, &e) == 0)
		if (e.type == UA_EV_ZRTP_SECURE)
			snprintf(sas_a, sizeof(sas_a), "%s", e.detail);
	while (ua_event_next(p.b, &e) == 0)
		if (e.type == UA_EV_ZRTP_SECURE)
			snprintf(sas_b, sizeof(sas_b), "%s", e.detail);
	ua_stats(p.a, &sa);
	ua_stats(p.b, &sb);
	print_message("zrtp: recv a %lu b %lu, rtp sent a %lu b %lu, sas '%s' '%s'\n",
		      (unsigned long)sa.zrtp_recv, (unsigned long)sb.zrtp_recv,
		      (unsigned long)sa.rtp_sent, (unsigned long)sb.rtp_sent,
		      sas_a, sas_b);
	/* a real key agreement: both ends hold the same 4-character SAS */
	assert_int_equal(strlen(sas_a), 4);
	assert_string_equal(sas_a, sas_b);
	ua_stats(p.a, &sa);
	ua_stats(p.b, &sb);
	assert_true(sa.zrtp_recv >= 3 && sb.zrtp_recv >= 3);
	/* SRTP keyed from zRTP: bob decrypts alice's canary ... */
	assert_true(sb.rtp_canary_recv >= 100);
	vnet_capture_close(p.v);
	/* ... and it never crossed the wire in clear */
	assert_int_equal(capture_count(path, "CANARY-zrtp-91"), 0);
	assert_true(capture_count(path, "ZRTP") > 0);	/* "ZRTP" cookie */
	unlink(path);
	pair_free(&p);
}

static void test_ua_lossy_retransmits(void **state)
{
	struct ua_call_opt o = { 1000000, UA_MEDIA_RTP, NULL, NULL };
	struct ua_stats sa, sb;
	struct pair p;
	char ea[32], eb[32];
	uint32_t h;

	(void)state;
	pair_new(&p, NET_UDP, 9);
	vnet_set_loss(p.v, 0.3);
	assert_int_equal(ua_call(p.a, vnet_now(p.v), "bob@example.test", &o,
				 &h), 0);
	vnet_kick(p.v, p.ia);
	run(&p, 60000000);
	events(p.a, ea, sizeof(ea), NULL);
	events(p.b, eb, sizeof(eb), NULL);
	ua_stats(p.a, &sa);
	ua_stats(p.b, &sb);
	assert_true(sa.sip_retrans + sb.sip_retrans > 0);
	/* 30 % loss shows in the receive statistics */
	assert_true(sb.rtp_expected > 20);
	assert_true(sb.rtp_lost * 100 > sb.rtp_expected * 10);
	assert_true(sb.rtp_lost * 100 < sb.rtp_expected * 50);
	assert_non_null(strchr(ea, 'E'));	/* answered despite loss */
	assert_non_null(strchr(ea, 'G'));
	pair_free(&p);
}

static void test_ua_busy_and_tcp(void **state)
{
	struct ua_call_opt o = { 0, UA_MEDIA_NONE, NULL, NULL };
	struct pair p;
	char ea[32];
	uint16_t st = 0;
	uint32_t h;

	(void)state;
	pair_new(&p, NET_TCP, 3);
	ua_set_answer(p.b, UA_ANSWER_BUSY);
	assert_int_equal(ua_call(p.a, vnet_now(p.v), "bob@example.test", &o,
				 &h), 0);
	vnet_kick(p.v, p.ia);
	run(&p, 1000000);
	events(p.a, ea, sizeof(ea), &st);
	assert_string_equal(ea, "F");
	assert_int_equal(st, 486);
	assert_int_equal(ua_message(p.a, vnet_now(p.v), "bob@example.test",
				    "text/plain", (const uint8_t *)"hi bob", 6),
			 0);
	vnet_kick(p.v, p.ia);
	run(&p, 1000000);
	{
		struct ua_event e;
		assert_int_equal(ua_event_next(p.b, &e), 0);
		assert_int_equal(e.type, UA_EV_CALL_INCOMING);
		assert_int_equal(ua_event_next(p.b, &e), 0);
		assert_int_equal(e.type, UA_EV_MESSAGE_RECEIVED);
		assert_string_equal(e.detail, "hi bob");
		assert_string_equal(e.peer, "alice@example.test");
		assert_int_equal(ua_event_next(p.a, &e), 0);
		assert_int_equal(e.type, UA_EV_MESSAGE_SENT);
		assert_int_equal(e.status, 200);
	}
	pair_free(&p);
}

/* A registrar that challenges once and checks the MD5 digest itself. */
struct fake_reg {
	uint8_t out[2048];
	size_t out_len;
	struct net_addr to;
	int pending, challenged, ok;
	struct sip_msg m;
};

static void md5_hex(const char *s, char *out)
{
	unsigned char md[16];
	unsigned int n, i;

	EVP_Digest(s, strlen(s), md, &n, EVP_md5(), NULL);
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static int reg_input(void *c, uint64_t now, const struct net_pkt *in)
{
	struct fake_reg *r = c;
	const struct sip_hdr *h;
	struct buf b;
	int code = 401;

	(void)now;
	assert_int_equal(sip_msg_decode(&r->m, in->data, in->len), 0);
	assert_int_equal(r->m.mid, SIP_M_REGISTER);
	h = sip_msg_hdr(&r->m, SIP_HDR_AUTHORIZATION);
	if (h) {
		/* response = MD5(HA1:nonce:nc:cnonce:qop:HA2) */
		struct sip_auth a;
		char ha1[33], ha2[33], want[33], tmp[512];
		assert_int_equal(sip_auth_decode(&a, &h->val), 0);
		md5_hex("alice:example.test:correct horse", ha1);
		md5_hex("REGISTER:sip:example.test", ha2);
		/* the decoder hands values out without their quotes */
		snprintf(tmp, sizeof(tmp), "%s:abc123:%.*s:%.*s:auth:%s", ha1,
			 PL_ARG(a.nc), PL_ARG(a.cnonce), ha2);
		md5_hex(tmp, want);
		code = a.response.len == 32 &&
		       !memcmp(a.response.p, want, 32) ? 200 : 403;
		r->ok = code == 200;
	}
	buf_init_fixed(&b, r->out, sizeof(r->out));
	{
		struct sip_hdr_add ch = { "WWW-Authenticate",
			PL("Digest realm=\"example.test\", nonce=\"abc123\", "
			   "qop=\"auth\", algorithm=MD5") };
		assert_int_equal(sip_encode_response(&b, &r->m, (uint16_t)code,
				 NULL, NULL, code == 401 ? &ch : NULL,
				 code == 401, NULL, NULL), 0);
	}
	r->challenged += code == 401;
	r->out_len = b.len;
	r->to = in->from;
	r->pending = 1;
	return 0;
}

static int reg_timeout(void *c, uint64_t now)
{
	(void)c;
	(void)now;
	return 0;
}

static int reg_output(void *c, struct net_out *o)
{
	struct fake_reg *r = c;

	if (!r->pending)
		return ENOENT;
	r->pending = 0;
	memset(o, 0, sizeof(*o));
	o->dst = r->to;
	o->data = r->out;
	o->len = r->out_len;
	return 0;
}

static uint64_t reg_deadline(void *c)
{
	(void)c;
	return UINT64_MAX;
}

static const struct core_ops reg_ops = {
	"reg", reg_input, reg_timeout, reg_output, reg_deadline,
};

static void test_ua_register_digest(void **state)
{
	static struct fake_reg reg;
	struct ua_cfg cfg = { 0 };
	struct net_addr sa = addr("127.0.0.1:5060", NET_UDP),
			ra = addr("127.0.0.9:5060", NET_UDP);
	struct ua_event e;
	struct vnet *v;
	struct ua *u;
	int iu;

	(void)state;
	memset(&reg, 0, sizeof(reg));
	assert_int_equal(vnet_new(&v, 0, 1), 0);
	cfg.user = "alice";
	cfg.domain = "example.test";
	cfg.password = "correct horse";
	cfg.local = sa;
	cfg.proxy = ra;
	cfg.media = addr("127.0.0.1:30000", NET_UDP);
	assert_int_equal(ua_new(&u, &cfg), 0);
	iu = vnet_attach(v, (struct core_ref){ &ua_core_ops, u }, &sa, 1);
	vnet_attach(v, (struct core_ref){ &reg_ops, &reg }, &ra, 1);
	assert_int_equal(ua_register(u, 0, 600), 0);
	vnet_kick(v, iu);
	assert_int_equal(vnet_run_until(v, 1000000, 100000), 0);
	assert_int_equal(reg.challenged, 1);
	assert_int_equal(reg.ok, 1);
	assert_int_equal(ua_event_next(u, &e), 0);
	assert_int_equal(e.type, UA_EV_REGISTERED);
	assert_int_equal(e.status, 200);
	vnet_free(v);
	ua_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ua_call_plain_rtp),
		cmocka_unit_test(test_ua_call_srtp),
		cmocka_unit_test(test_ua_call_zrtp),
		cmocka_unit_test(test_ua_lossy_retransmits),
		cmocka_unit_test(test_ua_busy_and_tcp),
		cmocka_unit_test(test_ua_register_digest),
	};
	return cmocka_run_group_tests_name("ua", tests, NULL, NULL);
}
