/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The voicemail UA (ref/vm) through its four calls with a fake clock:
 * answer with a G.711 SDP answer and the Record-Route copied, 200
 * retransmitted until the ACK, the beep, the caller's payload recorded
 * and saved as a WAV at BYE (comfort noise and DTMF left out), our BYE at
 * max_s along the route set, 486 when every port is busy, 488 without
 * G.711, give-up without ACK; and the proxy's failure route (no binding,
 * 480 from every branch, none for a user without voicemail).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "vm/vm.h"
#include "rtp/rtp.h"
#include "base/mem.h"
/* The fixture's helpers this suite does not need. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proxy_testutil.h"
#include "mem_testutil.h"

struct vfx {
	struct vm *v;
	struct rng rng;
	uint64_t now;
	int nsaved;
	char owner[128], caller[128];
	uint64_t dur_ms;
	int alaw;
	uint8_t wav[65536];
	size_t wav_len;
	char out[16][4096];
	size_t olen[16];
	struct net_addr odst[16];
	int nout;
	struct net_addr took;	/* destination of vtake's first match */
};

static void on_save(void *arg, const struct vm_rec *r)
{
	struct vfx *f = arg;

	f->nsaved++;
	snprintf(f->owner, sizeof(f->owner), "%s", r->owner);
	snprintf(f->caller, sizeof(f->caller), "%s", r->caller);
	f->dur_ms = r->duration_ms;
	f->alaw = r->alaw;
	assert_true(r->wav_len <= sizeof(f->wav));
	memcpy(f->wav, r->wav, r->wav_len);
	f->wav_len = r->wav_len;
}

static void addr(const char *s, struct net_addr *a)
{
	struct pl p = pl_from_str(s);

	assert_int_equal(net_addr_parse(&p, 0, a), 0);
}

static void vpull(struct vfx *f)
{
	struct net_out o;

	while (!vm_output(f->v, &o)) {
		int i = f->nout < 16 ? f->nout++ : 15;

		f->olen[i] = o.len < 4095 ? o.len : 4095;
		memcpy(f->out[i], o.data, f->olen[i]);
		f->out[i][f->olen[i]] = 0;
		f->odst[i] = o.dst;
	}
}

/* Count (and forget) outputs starting with prefix; RTP: "\x80". */
static int vtake(struct vfx *f, const char *prefix, char *keep, size_t sz)
{
	int i, n = 0, j = 0;

	vpull(f);
	for (i = 0; i < f->nout; i++) {
		if (!strncmp(f->out[i], prefix, strlen(prefix))) {
			if (keep && !n)
				snprintf(keep, sz, "%s", f->out[i]);
			if (!n)
				f->took = f->odst[i];
			n++;
			continue;
		}
		if (j != i) {
			memcpy(f->out[j], f->out[i], sizeof(f->out[0]));
			f->olen[j] = f->olen[i];
			f->odst[j] = f->odst[i];
		}
		j++;
	}
	f->nout = j;
	return n;
}

static void vin(struct vfx *f, const char *from, uint16_t to_port,
		const void *d, size_t len)
{
	struct net_pkt p;

	memset(&p, 0, sizeof(p));
	addr(from, &p.from);
	addr("127.0.0.1:5071", &p.to);
	net_addr_set_port(&p.to, to_port);
	p.data = d;
	p.len = len;
	assert_int_equal(vm_input(f->v, f->now, &p), 0);
	vpull(f);
}

static void vsip(struct vfx *f, const char *text)
{
	static char b[8192];

	fx_crlf(text, b, sizeof(b));
	vin(f, "127.0.0.1:5060", 5071, b, strlen(b));
}

static void vadvance(struct vfx *f, uint64_t us)
{
	f->now += us;
	assert_int_equal(vm_timeout(f->v, f->now), 0);
	vpull(f);
}

static void rtp(struct vfx *f, uint16_t port, uint8_t pt, uint16_t seq,
		const char *payload)
{
	uint8_t p[200];
	size_t n = strlen(payload);
	struct rtp_hdr h = { .pt = pt, .seq = seq };

	rtp_hdr_encode(p, &h);
	memcpy(p + 12, payload, n);
	vin(f, "127.0.0.1:40000", port, p, 12 + n);
}

static void vfx_init(struct vfx *f, uint16_t lo, uint16_t hi, uint32_t max_s)
{
	struct vm_cfg c;

	memset(f, 0, sizeof(*f));
	rng_seed(&f->rng, 7);
	memset(&c, 0, sizeof(c));
	addr("127.0.0.1:5071", &c.sip);
	c.media = c.sip;
	c.port_lo = lo;
	c.port_hi = hi;
	c.max_s = max_s;
	c.beep_ms = 40;
	c.rng = &f->rng;
	c.save = on_save;
	c.arg = f;
	f->now = 1000000;
	assert_int_equal(vm_new(&f->v, &c), 0);
}

static const char inv_fmt[] =
	"INVITE sip:bob@127.0.0.1:5071 SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKP%s\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKc%s\n"
	"Record-Route: <sip:127.0.0.1:5060;lr>\n"
	"Max-Forwards: 69\n"
	"From: \"Alice\" <sip:alice@example.test>;tag=at1\n"
	"To: <sip:bob@example.test>\nCall-ID: %s\nCSeq: 1 INVITE\n"
	"Contact: <sip:alice@127.0.0.1:5070>\n"
	"Content-Type: application/sdp\nContent-Length: %zu\n\n%s";

static void invite(struct vfx *f, const char *cid, const char *fmts)
{
	char sdp[300], sdpc[300], m[2048];

	snprintf(sdp, sizeof(sdp), "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\n"
		 "c=IN IP4 127.0.0.1\nt=0 0\nm=audio 40000 RTP/AVP %s\n",
		 fmts);
	fx_crlf(sdp, sdpc, sizeof(sdpc));
	snprintf(m, sizeof(m), inv_fmt, cid, cid, cid, strlen(sdpc), sdp);
	vsip(f, m);
}

static void in_dialog(struct vfx *f, const char *meth, const char *cid)
{
	char m[1024];

	snprintf(m, sizeof(m), "%s sip:voicemail@127.0.0.1:5071 SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK%s%s\n"
		 "Max-Forwards: 69\n"
		 "From: <sip:alice@example.test>;tag=at1\n"
		 "To: <sip:bob@example.test>;tag=x\nCall-ID: %s\n"
		 "CSeq: %d %s\nContent-Length: 0\n\n", meth, meth, cid, cid,
		 strcmp(meth, "ACK") ? 2 : 1, meth);
	vsip(f, m);
}

static void test_vm_record(void **state)
{
	static struct vfx f;
	char ok[4096];
	const uint8_t *d;

	(void)state;
	vfx_init(&f, 40100, 40103, 120);
	invite(&f, "c1", "18 8 0 101");
	assert_int_equal(vtake(&f, "SIP/2.0 200", ok, sizeof(ok)), 1);
	/* PCMA first in the offer's G.711 formats: answered with it */
	assert_non_null(strstr(ok, "m=audio 40100 RTP/AVP 8\r\n"));
	assert_non_null(strstr(ok, "a=rtpmap:8 PCMA/8000"));
	assert_non_null(strstr(ok, "Record-Route: <sip:127.0.0.1:5060;lr>"));
	assert_non_null(strstr(ok, "Contact: <sip:voicemail@127.0.0.1:5071>"));
	assert_non_null(strstr(ok, "To: <sip:bob@example.test>;tag="));
	/* no ACK yet: the 200 again after T1 */
	vadvance(&f, 500000);
	assert_int_equal(vtake(&f, "SIP/2.0 200", NULL, 0), 1);
	in_dialog(&f, "ACK", "c1");
	/* the beep: 40 ms = two packets to the caller's RTP address */
	assert_int_equal(vtake(&f, "\x80", NULL, 0), 1);
	vadvance(&f, 20000);
	assert_int_equal(vtake(&f, "\x80", NULL, 0), 1);
	vadvance(&f, 2000000);
	assert_int_equal(vtake(&f, "", NULL, 0), 0);	/* no 200 resent */
	rtp(&f, 40100, 8, 1, "VOICE-CANARY-1:");
	rtp(&f, 40100, 101, 2, "DTMF");		/* not audio */
	rtp(&f, 40100, 13, 3, "CN");		/* not audio */
	rtp(&f, 40100, 8, 4, "VOICE-CANARY-2");
	rtp(&f, 40102, 8, 5, "NOCALL");		/* port of no call */
	in_dialog(&f, "BYE", "c1");
	assert_int_equal(vtake(&f, "SIP/2.0 200", NULL, 0), 1);
	assert_int_equal(f.nsaved, 1);
	assert_string_equal(f.owner, "bob@example.test");
	assert_string_equal(f.caller, "alice@example.test");
	assert_int_equal(f.alaw, 1);
	assert_int_equal(f.dur_ms, 29 / 8);
	d = f.wav;
	assert_memory_equal(d, "RIFF", 4);
	assert_int_equal(d[20], 6);	/* WAVE_FORMAT_ALAW */
	/* as received, in order (the data chunk ends with a pad byte) */
	assert_non_null(memmem(d, f.wav_len, "VOICE-CANARY-1:VOICE-CANARY-2",
			       29));
	assert_null(memmem(d, f.wav_len, "DTMF", 4));
	assert_null(memmem(d, f.wav_len, "NOCALL", 6));
	/* BYE again: the dialog is gone */
	in_dialog(&f, "BYE", "c1");
	assert_int_equal(vtake(&f, "SIP/2.0 481", NULL, 0), 1);
	vm_free(f.v);
}

static void test_vm_max_and_busy(void **state)
{
	static struct vfx f;
	char bye[4096];

	(void)state;
	vfx_init(&f, 40200, 40200, 2);	/* one port: one call */
	invite(&f, "c2", "0");
	assert_int_equal(vtake(&f, "SIP/2.0 200", NULL, 0), 1);
	invite(&f, "c3", "0");
	assert_int_equal(vtake(&f, "SIP/2.0 486", NULL, 0), 1);
	in_dialog(&f, "ACK", "c2");
	vtake(&f, "\x80", NULL, 0);
	rtp(&f, 40200, 0, 1, "MAXCANARY");
	vadvance(&f, 2000000);
	assert_int_equal(vtake(&f, "BYE sip:alice@127.0.0.1:5070 SIP/2.0",
			       bye, sizeof(bye)), 1);
	assert_non_null(strstr(bye, "Route: <sip:127.0.0.1:5060;lr>"));
	assert_non_null(strstr(bye, "From: <sip:bob@example.test>;tag="));
	assert_non_null(strstr(bye, "To: \"Alice\" <sip:alice@example.test>"
			       ";tag=at1"));
	assert_int_equal(net_addr_port(&f.took), 5060);
	assert_int_equal(f.nsaved, 1);
	assert_int_equal(f.alaw, 0);
	/* retransmitted until answered */
	vadvance(&f, 500000);
	assert_int_equal(vtake(&f, "BYE ", NULL, 0), 1);
	vsip(&f, "SIP/2.0 200 OK\n"
	     "Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bKx;rport\n"
	     "From: <sip:bob@example.test>;tag=a\n"
	     "To: <sip:alice@example.test>;tag=at1\nCall-ID: c2\n"
	     "CSeq: 1001 BYE\nContent-Length: 0\n\n");
	vadvance(&f, 5000000);
	assert_int_equal(vtake(&f, "BYE ", NULL, 0), 0);
	/* the port is free again */
	invite(&f, "c4", "0");
	assert_int_equal(vtake(&f, "SIP/2.0 200", NULL, 0), 1);
	vm_free(f.v);	/* nothing recorded in c4: nothing saved */
	assert_int_equal(f.nsaved, 1);
}

static void test_vm_refusals(void **state)
{
	static struct vfx f;
	static const uint8_t junk[] = "\x80\x00garbage INVITE\r\n\r\n";

	(void)state;
	vfx_init(&f, 40300, 40303, 120);
	invite(&f, "c5", "18 101");
	assert_int_equal(vtake(&f, "SIP/2.0 488", NULL, 0), 1);
	vin(&f, "127.0.0.1:5060", 5071, junk, sizeof(junk) - 1);
	vin(&f, "127.0.0.1:5060", 40300, junk, 3);
	assert_int_equal(vtake(&f, "", NULL, 0), 0);
	vsip(&f, "OPTIONS sip:voicemail@127.0.0.1:5071 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKo\n"
	     "From: <sip:a@example.test>;tag=1\nTo: <sip:v@example.test>\n"
	     "Call-ID: o1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
	assert_int_equal(vtake(&f, "SIP/2.0 200", NULL, 0), 1);
	/* never ACKed: given up after 64*T1 with nothing saved */
	invite(&f, "c6", "0");
	assert_int_equal(vtake(&f, "SIP/2.0 200", NULL, 0), 1);
	vadvance(&f, 40000000);
	vtake(&f, "SIP/2.0 200", NULL, 0);
	in_dialog(&f, "BYE", "c6");
	assert_int_equal(vtake(&f, "SIP/2.0 481", NULL, 0), 1);
	assert_int_equal(f.nsaved, 0);
	vm_free(f.v);
}

/* ---- the proxy's failure route ----------------------------------------- */

static int fail_target(void *arg, const char *user, const char *domain,
		       struct net_addr *dst)
{
	(void)arg;
	assert_string_equal(domain, "example.test");
	if (strcmp(user, "bob"))
		return ENOENT;	/* only bob has voicemail on */
	addr("127.0.0.1:5071", dst);
	return 0;
}

static void px_invite(struct fx *f, const char *to, const char *cid)
{
	char m[1024];

	snprintf(m, sizeof(m), "INVITE sip:%s@example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK%s\n"
		 "Max-Forwards: 70\n"
		 "From: <sip:alice@example.test>;tag=at1\n"
		 "To: <sip:%s@example.test>\nCall-ID: %s\nCSeq: 1 INVITE\n"
		 "Contact: <sip:alice@127.0.0.1:5070>\nContent-Length: 0\n\n",
		 to, cid, to, cid);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

static void test_vm_failure_route(void **state)
{
	static struct fx f;
	struct fx_out o, v;
	const char *r;

	(void)state;
	fx_fail.target = fail_target;
	fx_init(&f, false);
	fx_fail.target = NULL;
	/* bob has no binding: straight to voicemail, To kept */
	px_invite(&f, "bob", "f1");
	fx_expect(&f, "SIP/2.0 100");
	r = fx_expect_to(&f, "INVITE sip:bob@127.0.0.1:5071 SIP/2.0", &v);
	assert_non_null(strstr(r, "To: <sip:bob@example.test>"));
	assert_non_null(strstr(r, "Record-Route:"));
	assert_int_equal(net_addr_port(&v.dst), 5071);
	fx_reply(&f, &v, "127.0.0.1:5071", 200, "vmtag", NULL);
	fx_expect(&f, "SIP/2.0 200");
	fx_drain(&f);
	/* bob registered, his device says 480: voicemail after all */
	fx_register(&f, "bob", "127.0.0.1:5081", 3600);
	px_invite(&f, "bob", "f2");
	fx_expect(&f, "SIP/2.0 100");
	fx_expect_to(&f, "INVITE sip:bob@127.0.0.1:5081", &o);
	fx_reply(&f, &o, "127.0.0.1:5081", 480, "dtag", NULL);
	fx_expect_to(&f, "ACK sip:bob@127.0.0.1:5081", NULL);
	fx_expect_to(&f, "INVITE sip:bob@127.0.0.1:5071", &v);
	fx_none(&f);
	/* voicemail busy too: the caller gets the best final (480) */
	fx_reply(&f, &v, "127.0.0.1:5071", 486, "vtag", NULL);
	fx_expect_to(&f, "ACK sip:bob@127.0.0.1:5071", NULL);
	fx_expect(&f, "SIP/2.0 480");
	fx_drain(&f);
	/* carol has no voicemail: 480 as before */
	px_invite(&f, "carol", "f3");
	fx_expect(&f, "SIP/2.0 100");
	fx_expect(&f, "SIP/2.0 480");
	fx_none(&f);
	fx_fini(&f);
}

static void test_vm_mwi(void **state)
{
	static struct vfx f;
	static struct fx px;
	char n[4096], rsp[1024];
	struct vm_cfg c;

	(void)state;
	vfx_init(&f, 40400, 40401, 120);
	assert_int_equal(vm_mwi(f.v, "bob@example.test", 2, 1), ENOENT);
	vm_free(f.v);
	/* with the proxy's address: the NOTIFY goes there */
	memset(&c, 0, sizeof(c));
	addr("127.0.0.1:5071", &c.sip);
	c.media = c.sip;
	c.port_lo = 40400;
	c.port_hi = 40401;
	c.rng = &f.rng;
	c.save = on_save;
	c.arg = &f;
	addr("127.0.0.1:5060", &c.proxy);
	assert_int_equal(vm_new(&f.v, &c), 0);
	assert_int_equal(vm_mwi(f.v, "bob@example.test", 2, 1), 0);
	assert_int_equal(vtake(&f, "NOTIFY sip:bob@example.test SIP/2.0", n,
			       sizeof(n)), 1);
	assert_int_equal(net_addr_port(&f.took), 5060);
	assert_non_null(strstr(n, "Event: message-summary\r\n"));
	assert_non_null(strstr(n, "Content-Type: application/simple-message-"
			       "summary"));
	assert_non_null(strstr(n, "Messages-Waiting: yes\r\nMessage-Account: "
			       "sip:bob@example.test\r\nVoice-Message: 2/1"));
	/* unanswered: sent again after T1 */
	vadvance(&f, 500000);
	assert_int_equal(vtake(&f, "NOTIFY ", NULL, 0), 1);
	/* the proxy delivers it to bob's device */
	fx_init(&px, false);
	fx_register(&px, "bob", "127.0.0.1:5081", 3600);
	fx_in(&px, "127.0.0.1:5071", NET_UDP, n);
	fx_expect_to(&px, "NOTIFY sip:bob@127.0.0.1:5081", NULL);
	fx_fini(&px);
	/* a final answer ends it */
	{
		const char *cid = strstr(n, "Call-ID: ") + 9;

		snprintf(rsp, sizeof(rsp), "SIP/2.0 200 OK\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bKx\n"
			 "From: <sip:voicemail@voicemail.invalid>;tag=a\n"
			 "To: <sip:bob@example.test>;tag=b\nCall-ID: %.24s\n"
			 "CSeq: 1 NOTIFY\nContent-Length: 0\n\n", cid);
	}
	vsip(&f, rsp);
	vadvance(&f, 4000000);
	assert_int_equal(vtake(&f, "NOTIFY ", NULL, 0), 0);
	/* a pending one is freed with the core */
	assert_int_equal(vm_mwi(f.v, "bob@example.test", 0, 3), 0);
	assert_int_equal(vtake(&f, "NOTIFY ", n, sizeof(n)), 1);
	assert_non_null(strstr(n, "Messages-Waiting: no"));
	assert_int_equal(vm_mwi(f.v, "bad owner", 1, 0), EINVAL);
	vm_free(f.v);
}

static void test_vm_ring_timeout(void **state)
{
	static struct fx f;
	struct fx_out o, v, c;

	(void)state;
	fx_fail.target = fail_target;
	fx_fail.ring_s = 20;
	fx_init(&f, false);
	fx_fail.target = NULL;
	fx_fail.ring_s = 0;
	fx_register(&f, "bob", "127.0.0.1:5081", 3600);
	px_invite(&f, "bob", "r1");
	fx_expect(&f, "SIP/2.0 100");
	fx_expect_to(&f, "INVITE sip:bob@127.0.0.1:5081", &o);
	fx_reply(&f, &o, "127.0.0.1:5081", 180, "dtag", NULL);
	fx_expect(&f, "SIP/2.0 180");
	fx_drain(&f);
	/* 19 s of ringing: nothing yet */
	fx_advance(&f, 19000000);
	assert_int_equal(fx_count(&f, "INVITE sip:bob@127.0.0.1:5071"), 0);
	fx_drain(&f);
	/* 20 s: the device is cancelled, the voicemail gets the call */
	fx_advance(&f, 1000000);
	fx_expect_to(&f, "INVITE sip:bob@127.0.0.1:5071", &v);
	fx_expect_to(&f, "CANCEL sip:bob@127.0.0.1:5081", NULL);
	fx_reply(&f, &o, "127.0.0.1:5081", 487, "dtag", NULL);
	fx_expect_to(&f, "ACK sip:bob@127.0.0.1:5081", NULL);
	fx_none(&f);
	fx_reply(&f, &v, "127.0.0.1:5071", 200, "vmtag",
		 "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\n"
		 "t=0 0\nm=audio 41000 RTP/AVP 0\n");
	fx_expect(&f, "SIP/2.0 200");
	fx_drain(&f);
	/* Under load the voicemail's 200 can beat the device's 487: the
	 * device is cancelled once, and its 200 ends that CANCEL. (First
	 * the unanswered CANCEL of r1 runs out: Timer F.) */
	fx_advance(&f, 40000000);
	fx_drain(&f);
	px_invite(&f, "bob", "r3");
	fx_expect(&f, "SIP/2.0 100");
	fx_expect_to(&f, "INVITE sip:bob@127.0.0.1:5081", &o);
	fx_reply(&f, &o, "127.0.0.1:5081", 180, "dtag3", NULL);
	fx_drain(&f);
	fx_advance(&f, 20000000);
	fx_expect_to(&f, "INVITE sip:bob@127.0.0.1:5071", &v);
	fx_expect_to(&f, "CANCEL sip:bob@127.0.0.1:5081", &c);
	fx_none(&f);
	fx_reply(&f, &v, "127.0.0.1:5071", 200, "vmtag3",
		 "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\n"
		 "t=0 0\nm=audio 41000 RTP/AVP 0\n");
	fx_expect(&f, "SIP/2.0 200");
	assert_int_equal(fx_count(&f, "CANCEL sip:bob"), 0);
	fx_reply(&f, &c, "127.0.0.1:5081", 200, NULL, NULL);
	fx_reply(&f, &o, "127.0.0.1:5081", 487, "dtag3", NULL);
	fx_expect_to(&f, "ACK sip:bob@127.0.0.1:5081", NULL);
	fx_drain(&f);
	fx_advance(&f, 10000000);
	assert_int_equal(fx_count(&f, "CANCEL sip:bob"), 0);
	fx_drain(&f);
	/* carol has no voicemail: no ring timer, she rings on */
	fx_register(&f, "carol", "127.0.0.1:5082", 3600);
	px_invite(&f, "carol", "r2");
	fx_expect(&f, "SIP/2.0 100");
	fx_expect_to(&f, "INVITE sip:carol@127.0.0.1:5082", &o);
	fx_reply(&f, &o, "127.0.0.1:5082", 180, "ctag", NULL);
	fx_drain(&f);
	fx_advance(&f, 30000000);
	/* (bob's device never answered our CANCEL: it is resent) */
	assert_int_equal(fx_count(&f, "CANCEL sip:carol"), 0);
	assert_int_equal(fx_count(&f, "INVITE sip:carol@127.0.0.1:5071"), 0);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vm_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_max_and_busy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_failure_route, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_ring_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_mwi, setup, teardown),
	};

	return cmocka_run_group_tests_name("vm", tests, NULL, NULL);
}
