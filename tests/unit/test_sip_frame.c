/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of SIP stream framing: whole frames, keep-alive CRLFs,
 * byte-by-byte arrival (ENODATA until complete, the resumable framer
 * agreeing with the one-shot call), and the frames that must close the
 * connection (no, bad or conflicting Content-Length; oversized headers).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "sip/sip.h"
#include "sip_testutil.h"
#include "mem_testutil.h"

static struct sip_msg m;

#define MSG1 "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n" \
	     "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n" \
	     "CSeq: 1 OPTIONS\r\nContent-Length:\r\n  5\r\n\r\nhello"
#define MSG2 "SIP/2.0 200 OK\r\nv: SIP/2.0/TCP h;branch=z9hG4bK1\r\n" \
	     "f: <sip:a@b>;tag=1\r\nt: <sip:c@d>;tag=2\r\ni: x\r\n" \
	     "CSeq: 1 OPTIONS\r\nl: 0\r\n\r\n"

static void frame(const char *s, size_t len, int want, size_t wskip,
		  size_t wlen)
{
	size_t skip = 99, ml = 99;
	int err = sip_frame((const uint8_t *)s, len, 4096, &skip, &ml);

	assert_int_equal(err, want);
	if (!err || err == ENODATA)
		assert_int_equal(skip, wskip);
	if (!err)
		assert_int_equal(ml, wlen);
}

static void test_sip_frame_whole_and_pipelined(void **state)
{
	const char s[] = "\r\n\r\n" MSG1 MSG2 "\r\n";
	size_t skip, ml;

	(void)state;
	frame(s, sizeof(s) - 1, 0, 4, strlen(MSG1));
	assert_int_equal(sip_frame((const uint8_t *)s + 4 + strlen(MSG1),
				   sizeof(s) - 1 - 4 - strlen(MSG1), 4096,
				   &skip, &ml), 0);
	assert_int_equal(skip, 0);
	assert_int_equal(ml, strlen(MSG2));
	assert_int_equal(sip_msg_decode(&m, (const uint8_t *)s + 4,
					strlen(MSG1)), 0);
	assert_pl(m.body, "hello");
	frame("\r\n\r\n", 4, ENODATA, 4, 0);
}

static void test_sip_frame_byte_by_byte(void **state)
{
	const char s[] = MSG1;
	struct sip_framer fr;
	size_t n, skip = 0, ml = 0;
	int err = ENODATA;

	(void)state;
	sip_framer_init(&fr, 0, 0);
	for (n = 1; n <= sizeof(s) - 1; n++) {
		err = sip_framer_input(&fr, (const uint8_t *)s, n, &skip, &ml);
		if (n < sizeof(s) - 1)
			assert_int_equal(err, ENODATA);
		frame(s, n, n < sizeof(s) - 1 ? ENODATA : 0, 0, n);
	}
	assert_int_equal(err, 0);
	assert_int_equal(ml, sizeof(s) - 1);
}

static void test_sip_frame_bad(void **state)
{
	const char nocl[] = "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n";
	const char badcl[] = "OPTIONS sip:a@b SIP/2.0\r\nl: -1\r\n\r\n";
	const char twocl[] = "OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\n"
			     "Content-Length: 2\r\n\r\nab";
	char big[5000];
	struct sip_framer fr;
	size_t skip, ml;

	(void)state;
	frame(nocl, sizeof(nocl) - 1, EBADMSG, 0, 0);
	frame(badcl, sizeof(badcl) - 1, EBADMSG, 0, 0);
	frame(twocl, sizeof(twocl) - 1, EBADMSG, 0, 0);
	memset(big, 'a', sizeof(big));
	frame(big, sizeof(big), EBADMSG, 0, 0);
	frame(big, 100, ENODATA, 0, 0);
	sip_framer_init(&fr, 4096, 10);
	assert_int_equal(sip_framer_input(&fr, (const uint8_t *)MSG1 "xx",
					  strlen(MSG1), &skip, &ml), 0);
	sip_framer_init(&fr, 4096, 4);
	assert_int_equal(sip_framer_input(&fr, (const uint8_t *)MSG1,
					  strlen(MSG1), &skip, &ml), EBADMSG);
	assert_non_null(strstr(fr.why, "body limit"));
	sip_framer_init(&fr, 0, 0);
	assert_int_equal(sip_framer_input(&fr, (const uint8_t *)nocl,
					  strlen(nocl), &skip, &ml), EBADMSG);
	assert_string_equal(fr.why, "no Content-Length on a stream transport");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_sip_frame_whole_and_pipelined),
		T(test_sip_frame_byte_by_byte),
		T(test_sip_frame_bad),
#undef T
	};

	return cmocka_run_group_tests_name("sip_frame", tests, NULL, NULL);
}
