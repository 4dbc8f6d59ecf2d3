/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Storage audit after a re-drive (sim/replay/rpl_audit.c): canaries are
 * taken from captured SIP and RTP bytes (REGISTER Contact, digest
 * response, a=crypto inline key, MESSAGE body, RTP payload samples with
 * silence skipped), then a data_dir is scanned and each canary gets the
 * verdict its policy asks for; a leaked sample in base64 must fail P12, a
 * stored MESSAGE body must pass P10 and a missing one must fail it. A
 * REGISTER's Contact that its agent also sends in an INVITE dialog (P6
 * traces keep those) is left out of P7, its Call-ID stays; the bindings a
 * 200 to REGISTER lists do not count as such a dialog.
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
#include "base/mem.h"
#include "replay/rpl_audit.h"

static const char reg[] =
	"REGISTER sip:example.org SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
	"From: <sip:alice@example.org>;tag=1\r\nTo: <sip:alice@example.org>\r\n"
	"Call-ID: c1\r\nCSeq: 2 REGISTER\r\n"
	"Contact: <sip:alice@127.0.0.1:5070;ob>;expires=60\r\n"
	"Authorization: Digest username=\"alice\", realm=\"example.org\", "
	"nonce=\"abc\", uri=\"sip:example.org\", "
	"response=\"0123456789abcdef0123456789abcdef\"\r\n"
	"Content-Length: 0\r\n\r\n";
static const char inv[] =
	"INVITE sip:bob@example.org SIP/2.0\r\nCall-ID: c2\r\n"
	"Contact: <sip:notaudited@127.0.0.1>\r\n"
	"Content-Type: application/sdp\r\nContent-Length: 99\r\n\r\n"
	"v=0\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	"inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32\r\n";
static const char msg[] =
	"MESSAGE sip:bob@example.org SIP/2.0\r\nCall-ID: c3\r\n"
	"Content-Type: text/plain\r\nContent-Length: 24\r\n\r\n"
	"meet me at the old mill\r\n";

struct seen {
	int ok[RPL_AUD_POLS], bad[RPL_AUD_POLS];
	char where[256];
	char enc[32];
};

static void on_row(void *arg, const struct rpl_aud_row *r)
{
	struct seen *s = arg;

	if (r->ok) {
		s->ok[r->pol]++;
	} else {
		s->bad[r->pol]++;
		if (r->where) {
			snprintf(s->where, sizeof(s->where), "%s", r->where);
			snprintf(s->enc, sizeof(s->enc), "%s", r->enc);
		}
	}
}

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void rtp(uint8_t *p, uint32_t ssrc, uint8_t fill, bool vary)
{
	int i;

	memset(p, 0, 12);
	p[0] = 0x80;
	p[8] = (uint8_t)(ssrc >> 24);
	p[11] = (uint8_t)ssrc;
	for (i = 0; i < 160; i++)
		p[12 + i] = (uint8_t)(vary ? fill + i * 7 : fill);
}

static void test_canaries_and_verdicts(void **state)
{
	size_t blocks = mem_blocks();
	char dir[] = "/tmp/test_rpl_audit.XXXXXX";
	struct rpl_canaries *c = NULL;
	struct seen s;
	uint64_t files, bytes;
	uint8_t pkt[172];
	char b64[64];
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rpl_canaries_new(&c), 0);
	assert_int_equal(rpl_canaries_sip(c, (const uint8_t *)reg,
					  sizeof(reg) - 1), 0);
	assert_int_equal(rpl_canaries_sip(c, (const uint8_t *)inv,
					  sizeof(inv) - 1), 0);
	assert_int_equal(rpl_canaries_sip(c, (const uint8_t *)msg,
					  sizeof(msg) - 1), 0);
	rtp(pkt, 1, 0xff, false);	/* silence: not a canary */
	assert_int_equal(rpl_canaries_rtp(c, pkt, sizeof(pkt)), 0);
	for (i = 0; i < 5; i++) {	/* 3 samples kept per SSRC */
		rtp(pkt, 2, (uint8_t)(0x10 + i), true);
		assert_int_equal(rpl_canaries_rtp(c, pkt, sizeof(pkt)), 0);
	}
	assert_int_equal(rpl_canaries_count(c, RPL_AUD_P12), 3);
	assert_int_equal(rpl_canaries_count(c, RPL_AUD_P7), 1);
	assert_int_equal(rpl_canaries_count(c, RPL_AUD_P2), 1);
	assert_int_equal(rpl_canaries_count(c, RPL_AUD_P6), 1);
	assert_int_equal(rpl_canaries_count(c, RPL_AUD_P10), 1);

	/* an empty store: nothing leaked, but the MESSAGE body is lost */
	memset(&s, 0, sizeof(s));
	assert_int_equal(rpl_audit_run(c, dir, on_row, &s, &files, &bytes),
			 0);
	assert_int_equal(s.ok[RPL_AUD_P12], 3);
	assert_int_equal(s.ok[RPL_AUD_P7] + s.ok[RPL_AUD_P2] +
			 s.ok[RPL_AUD_P6], 3);
	assert_int_equal(s.bad[RPL_AUD_P10], 1);

	/* the body stored, and the first sample leaked in base64 */
	put(dir, "msgs.db", "x\x01meet me at the old mill", 25);
	rtp(pkt, 2, 0x10, true);
	{
		static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
					"ghijklmnopqrstuvwxyz0123456789+/";
		const uint8_t *q = pkt + 12;
		int o = 0;

		for (i = 0; i < 18; i += 3) {
			uint32_t v = (uint32_t)q[i] << 16 | q[i + 1] << 8 |
				     q[i + 2];

			b64[o++] = t[v >> 18];
			b64[o++] = t[(v >> 12) & 63];
			b64[o++] = t[(v >> 6) & 63];
			b64[o++] = t[v & 63];
		}
		put(dir, "log.txt", b64, (size_t)o);
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(rpl_audit_run(c, dir, on_row, &s, &files, &bytes),
			 0);
	assert_int_equal(files, 2);
	assert_int_equal(s.ok[RPL_AUD_P10], 1);
	assert_int_equal(s.bad[RPL_AUD_P12], 1);
	assert_non_null(strstr(s.where, "log.txt"));
	assert_non_null(strstr(s.enc, "base64"));

	/* a missing data_dir is an error, not a pass */
	assert_int_equal(rpl_audit_run(c, "/nonexistent/rpl", on_row, &s,
				       &files, &bytes), ENOENT);
	rpl_canaries_free(c);
	assert_int_equal(mem_blocks(), blocks);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static const char reg2[] =
	"REGISTER sip:example.org SIP/2.0\r\n"
	"Call-ID: reg-call-id-42\r\nCSeq: 1 REGISTER\r\n"
	"Contact: <sip:carol@127.0.0.2:5062>\r\n"
	"Contact: <sip:carol@127.0.0.3:5063>\r\n\r\n";
static const char ok2[] =
	"SIP/2.0 200 OK\r\nCall-ID: reg-call-id-42\r\nCSeq: 1 REGISTER\r\n"
	"Contact: <sip:carol@127.0.0.3:5063>;expires=60\r\n\r\n";
static const char inv2[] =
	"INVITE sip:dave@example.org SIP/2.0\r\nCall-ID: inv-call-id-43\r\n"
	"CSeq: 1 INVITE\r\nContact: <sip:carol@127.0.0.2:5062>\r\n\r\n";

static void test_contacts_shared(void **state)
{
	size_t blocks = mem_blocks();
	char dir[] = "/tmp/test_rpl_audit2.XXXXXX";
	struct rpl_canaries *c = NULL;
	struct seen s;
	uint64_t files, bytes;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rpl_canaries_new(&c), 0);
	assert_int_equal(rpl_canaries_sip(c, (const uint8_t *)reg2,
					  sizeof(reg2) - 1), 0);
	/* two Contacts and the Call-ID */
	assert_int_equal(rpl_canaries_count(c, RPL_AUD_P7), 3);
	assert_int_equal(rpl_canaries_sip(c, (const uint8_t *)ok2,
					  sizeof(ok2) - 1), 0);
	assert_int_equal(rpl_canaries_count(c, RPL_AUD_P7), 3);
	assert_int_equal(rpl_canaries_sip(c, (const uint8_t *)inv2,
					  sizeof(inv2) - 1), 0);
	assert_int_equal(rpl_canaries_count(c, RPL_AUD_P7), 2);
	assert_int_equal(rpl_canaries_shared(c), 1);
	/* the INVITE trace holds the shared Contact: no verdict on it; the
	 * Call-ID leaked in a binding store fails */
	put(dir, "trace.txt", inv2, sizeof(inv2) - 1);
	put(dir, "bindings.txt", "reg-call-id-42 1", 16);
	memset(&s, 0, sizeof(s));
	assert_int_equal(rpl_audit_run(c, dir, on_row, &s, &files, &bytes),
			 0);
	assert_int_equal(s.ok[RPL_AUD_P7], 1);
	assert_int_equal(s.bad[RPL_AUD_P7], 1);
	assert_non_null(strstr(s.where, "bindings.txt"));
	rpl_canaries_free(c);
	assert_int_equal(mem_blocks(), blocks);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canaries_and_verdicts),
		cmocka_unit_test(test_contacts_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
