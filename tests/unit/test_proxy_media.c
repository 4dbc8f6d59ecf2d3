/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy's hand-off of relay figures into CDRs (sip_media_ops.stats):
 * asked once per CDR, with the Call-ID and the caller's From tag, before
 * the CDR is written and before the call's relay session is deleted; the
 * figures land in the CDR as given; a relay that knows no such call
 * (ENOENT) leaves the CDR without figures. An offer the relay refuses
 * (ports exhausted, SDP it cannot read) is answered 503 Retry-After or
 * 488 and never leaves un-relayed (P12). A fake relay stands in.
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

/* What the fake relay was asked, in order. */
static struct {
	int step, stats_at, del_at, stats_calls;
	char call_id[64], from_tag[64];
	int answer;	/* stats: 0 figures, else this error */
	int offer_err;	/* offer: this error */
	int offers;
} rl;

static int rl_offer(void *arg, const struct pl *call_id,
		    const struct pl *from_tag, const struct pl *sdp,
		    struct buf *out)
{
	(void)arg;
	(void)call_id;
	(void)from_tag;
	rl.offers++;
	if (rl.offer_err)
		return rl.offer_err;
	return buf_put(out, (const uint8_t *)sdp->p, sdp->len);
}

static int rl_stats(void *arg, const struct pl *call_id,
		    const struct pl *from_tag, struct sip_cdr_media *out)
{
	(void)arg;
	rl.stats_calls++;
	rl.stats_at = ++rl.step;
	pl_strcpy(call_id, rl.call_id, sizeof(rl.call_id));
	pl_strcpy(from_tag, rl.from_tag, sizeof(rl.from_tag));
	if (rl.answer)
		return rl.answer;
	memset(out, 0, sizeof(*out));
	out->present = true;
	snprintf(out->relay[0], sizeof(out->relay[0]), "127.0.0.1:40000");
	snprintf(out->relay[1], sizeof(out->relay[1]), "127.0.0.1:40002");
	out->packets[0] = 123;
	out->packets[1] = 120;
	out->bytes[0] = 123 * 172;
	out->lost[1] = 3;
	out->jitter_us[0] = 2500;
	return 0;
}

static void rl_del(void *arg, const struct pl *call_id,
		   const struct pl *from_tag)
{
	(void)arg;
	(void)call_id;
	(void)from_tag;
	rl.del_at = ++rl.step;
}

static int setup(void **state)
{
	static struct fx f;

	blocks_at_start = mem_blocks();
	memset(&rl, 0, sizeof(rl));
	memset(&fx_media, 0, sizeof(fx_media));
	fx_media.stats = rl_stats;
	fx_media.del = rl_del;
	fx_media.offer = rl_offer;
	fx_init(&f, false);
	memset(&fx_media, 0, sizeof(fx_media));
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static const char invite[] =
	"INVITE sip:bob@example.test SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKm1;rport\n"
	"Max-Forwards: 70\n"
	"From: <sip:alice@example.test>;tag=at7\n"
	"To: <sip:bob@example.test>\nCall-ID: media-1\nCSeq: 1 INVITE\n"
	"Contact: <sip:alice@127.0.0.1:5070>\nContent-Length: 0\n\n";

static const char *sdp_b =
	"v=0\no=- 2 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\n"
	"t=0 0\nm=audio 42000 RTP/AVP 0\n";

static void test_proxy_media_cdr_figures(void **state)
{
	struct fx *f = *state;
	struct fx_out o;

	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	fx_in(f, "127.0.0.1:5070", NET_UDP, invite);
	fx_expect(f, "SIP/2.0 100");
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", &o);
	fx_reply(f, &o, "127.0.0.1:5081", 200, "bt7", sdp_b);
	fx_expect(f, "SIP/2.0 200");
	fx_drain(f);
	assert_int_equal(rl.stats_calls, 0);	/* not before the end */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "BYE sip:bob@127.0.0.1:5081 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKm1b\n"
	      "Route: <sip:127.0.0.1:5060;lr>\nMax-Forwards: 70\n"
	      "From: <sip:alice@example.test>;tag=at7\n"
	      "To: <sip:bob@example.test>;tag=bt7\n"
	      "Call-ID: media-1\nCSeq: 2 BYE\nContent-Length: 0\n\n");
	fx_expect_to(f, "BYE sip:bob@127.0.0.1:5081", NULL);
	assert_int_equal(f->ncdr, 1);
	assert_int_equal(rl.stats_calls, 1);
	assert_string_equal(rl.call_id, "media-1");
	assert_string_equal(rl.from_tag, "at7");	/* the caller's */
	assert_true(rl.del_at > rl.stats_at);	/* asked, then deleted */
	assert_true(f->cdr.media.present);
	assert_string_equal(f->cdr.media.relay[0], "127.0.0.1:40000");
	assert_string_equal(f->cdr.media.relay[1], "127.0.0.1:40002");
	assert_int_equal(f->cdr.media.packets[0], 123);
	assert_int_equal(f->cdr.media.packets[1], 120);
	assert_int_equal(f->cdr.media.bytes[0], 123 * 172);
	assert_int_equal(f->cdr.media.lost[1], 3);
	assert_int_equal(f->cdr.media.jitter_us[0], 2500);
	assert_string_equal(f->cdr.hangup, "caller");
}

/* A failed attempt: the relay knows nothing of it, the CDR has no
 * figures (and nothing left over in them). */
static void test_proxy_media_failed_call(void **state)
{
	struct fx *f = *state;
	struct fx_out o;

	rl.answer = ENOENT;
	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	fx_in(f, "127.0.0.1:5070", NET_UDP, invite);
	fx_expect(f, "SIP/2.0 100");
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", &o);
	fx_reply(f, &o, "127.0.0.1:5081", 486, "bt8", NULL);
	fx_expect(f, "SIP/2.0 486");
	assert_int_equal(f->ncdr, 1);
	assert_int_equal(f->cdr.status, 486);
	assert_int_equal(rl.stats_calls, 1);
	assert_false(f->cdr.media.present);
	assert_int_equal(f->cdr.media.packets[0], 0);
	assert_int_equal(f->cdr.media.relay[0][0], '\0');
}

static const char invite_sdp[] =
	"INVITE sip:bob@example.test SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKm9;rport\n"
	"Max-Forwards: 70\n"
	"From: <sip:alice@example.test>;tag=at9\n"
	"To: <sip:bob@example.test>\nCall-ID: media-9\nCSeq: 1 INVITE\n"
	"Contact: <sip:alice@127.0.0.1:5070>\n"
	"Content-Type: application/sdp\nContent-Length: %zu\n\n%s";

static void invite_with_sdp(struct fx *f)
{
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
	char m[1024];

	snprintf(m, sizeof(m), invite_sdp, strlen(sdp), sdp);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

/* Relay ports exhausted: 503 with Retry-After, the callee never sees
 * the offer with the caller's own address; a bad SDP: 488. */
static void test_proxy_media_refused(void **state)
{
	struct fx *f = *state;
	const char *r;
	struct fx_out o;

	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	rl.offer_err = EOVERFLOW;
	invite_with_sdp(f);
	fx_expect(f, "SIP/2.0 100");
	r = fx_expect(f, "SIP/2.0 503 Media Relay Full");
	assert_non_null(strstr(r, "Retry-After: 5"));
	assert_int_equal(fx_count(f, "INVITE sip:bob"), 0);
	assert_int_equal(f->ncdr, 1);
	assert_int_equal(f->cdr.status, 503);
	assert_true(rl.offers >= 1);
	fx_drain(f);
	rl.offer_err = EBADMSG;
	fx_in(f, "127.0.0.1:5070", NET_UDP, "ACK sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKm9\n"
	      "From: <sip:alice@example.test>;tag=at9\n"
	      "To: <sip:bob@example.test>\nCall-ID: media-9\nCSeq: 1 ACK\n"
	      "Content-Length: 0\n\n");
	fx_drain(f);
	fx_advance(f, 40000000);
	fx_drain(f);
	invite_with_sdp(f);
	fx_expect(f, "SIP/2.0 100");
	fx_expect(f, "SIP/2.0 488");
	assert_int_equal(fx_count(f, "INVITE sip:bob"), 0);
	assert_int_equal(f->cdr.status, 488);
	fx_drain(f);
	/* the relay takes it again: forwarded */
	rl.offer_err = 0;
	fx_advance(f, 40000000);
	fx_drain(f);
	invite_with_sdp(f);
	fx_expect(f, "SIP/2.0 100");
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", &o);
	fx_drain(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_proxy_media_cdr_figures,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_media_failed_call,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_media_refused,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("proxy_media", tests, NULL, NULL);
}
