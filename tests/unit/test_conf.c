/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of ref/conf (the G.711 companders are tested in test_g711.c):
 * the N-1 mixer checked by spectrum (three tones in, each participant's
 * mix measured with a Goertzel filter: the other two tones present, its
 * own absent) for L16, µ-law and A-law, clipping, the jitter buffer
 * (reordering, late frames) and the media-timeout drop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "conf/conf_mix.h"
#include "mem_testutil.h"
#include "tone_testutil.h"

static void tone(int16_t *pcm, double f, double amp, uint32_t t0)
{
	size_t i;

	for (i = 0; i < CONF_FRAME_SAMPLES; i++)
		pcm[i] = (int16_t)lrint(amp * sin(2.0 * M_PI * f *
						  (double)(t0 + i) / 8000.0));
}

static const double freq[3] = { 400.0, 1000.0, 2500.0 };

/* Three participants send tones; check every mix's spectrum. */
static void run_tones(enum conf_codec codec)
{
	struct conf_mix *m;
	unsigned slot[3];
	int16_t pcm[CONF_FRAME_SAMPLES], got[3][1600];
	uint8_t pay[CONF_FRAME_SAMPLES * 2];
	size_t len, n = 0;
	uint64_t now = 1000000, dropped;
	int t, i, j;

	assert_int_equal(conf_mix_new(&m, 200000), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(conf_mix_add(m, codec, now, &slot[i]), 0);
	for (t = 0; t < 40; t++, now += CONF_FRAME_US) {
		for (i = 0; i < 3; i++) {
			/* Distinct random-looking RTP timestamp bases. */
			uint32_t ts0 = 0x7ffff000u * (uint32_t)i;

			tone(pcm, freq[i], 8000.0, (uint32_t)t * 160);
			conf_codec_encode(codec, pcm, pay);
			assert_int_equal(conf_mix_put(m, slot[i], now,
				ts0 + (uint32_t)t * 160, pay,
				conf_codec_frame_len(codec)), 0);
		}
		conf_mix_tick(m, now, &dropped);
		assert_int_equal(dropped, 0);
		if (t >= 20 && n < 1600) {
			for (i = 0; i < 3; i++) {
				const uint8_t *f = conf_mix_frame(m, slot[i],
								  &len);

				assert_non_null(f);
				conf_codec_decode(codec, f, len, &got[i][n]);
			}
			n += CONF_FRAME_SAMPLES;
		}
	}
	assert_int_equal(n, 1600);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			double a = goertzel(got[i], n, freq[j]);

			if (i == j)
				assert_true(a < 150.0);
			else
				assert_true(a > 7000.0 && a < 9000.0);
		}
	}
	assert_int_equal(m->clip_cnt, 0);
	conf_mix_free(m);
}

static void test_mix_l16(void **state)
{
	(void)state;
	run_tones(CONF_L16);
}

static void test_mix_ulaw(void **state)
{
	(void)state;
	run_tones(CONF_PCMU);
}

static void test_mix_alaw(void **state)
{
	(void)state;
	run_tones(CONF_PCMA);
}

/* Two loud talkers in phase: the third hears a clipped, not wrapped, sum. */
static void test_mix_clip(void **state)
{
	struct conf_mix *m;
	unsigned s[3];
	uint8_t pay[CONF_FRAME_SAMPLES * 2];
	int16_t pcm[CONF_FRAME_SAMPLES], out[CONF_FRAME_SAMPLES];
	const uint8_t *f;
	size_t len, k;
	int t, i;

	(void)state;
	assert_int_equal(conf_mix_new(&m, 0), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(conf_mix_add(m, CONF_L16, 0, &s[i]), 0);
	for (k = 0; k < CONF_FRAME_SAMPLES; k++)
		pcm[k] = k & 1 ? -30000 : 30000;
	conf_codec_encode(CONF_L16, pcm, pay);
	for (t = 0; t < 4; t++) {
		for (i = 0; i < 2; i++)
			assert_int_equal(conf_mix_put(m, s[i], 0,
				(uint32_t)t * 160, pay, sizeof(pay)), 0);
		conf_mix_tick(m, 0, NULL);
	}
	f = conf_mix_frame(m, s[2], &len);
	assert_non_null(f);
	conf_codec_decode(CONF_L16, f, len, out);
	for (k = 0; k < CONF_FRAME_SAMPLES; k++)
		assert_int_equal(out[k], k & 1 ? INT16_MIN : INT16_MAX);
	/* The talkers hear each other unclipped. */
	f = conf_mix_frame(m, s[0], &len);
	conf_codec_decode(CONF_L16, f, len, out);
	assert_int_equal(out[0], 30000);
	assert_true(m->clip_cnt > 0);
	conf_mix_free(m);
}

/* Frames out of order are played in order; late ones are ignored. */
static void test_jitter(void **state)
{
	struct conf_mix *m;
	unsigned a, b;
	uint8_t pay[CONF_FRAME_SAMPLES * 2];
	int16_t pcm[CONF_FRAME_SAMPLES], out[CONF_FRAME_SAMPLES];
	const uint8_t *f;
	size_t len;
	static const int order[] = { 1, 0, 3, 2, 5, 4 };
	int t;

	(void)state;
	assert_int_equal(conf_mix_new(&m, 0), 0);
	assert_int_equal(conf_mix_add(m, CONF_L16, 0, &a), 0);
	assert_int_equal(conf_mix_add(m, CONF_L16, 0, &b), 0);
	/* First packet sets the playout point; then 1,0 swapped etc. */
	memset(pcm, 0, sizeof(pcm));
	pcm[0] = 100;
	conf_codec_encode(CONF_L16, pcm, pay);
	assert_int_equal(conf_mix_put(m, a, 0, 5000, pay, sizeof(pay)), 0);
	for (t = 0; t < 6; t++) {
		pcm[0] = (int16_t)(101 + order[t]);
		conf_codec_encode(CONF_L16, pcm, pay);
		assert_int_equal(conf_mix_put(m, a, 0,
			5000 + 160 * (uint32_t)(1 + order[t]), pay,
			sizeof(pay)), 0);
	}
	for (t = 0; t < 7; t++) {
		conf_mix_tick(m, 0, NULL);
		f = conf_mix_frame(m, b, &len);
		conf_codec_decode(CONF_L16, f, len, out);
		assert_int_equal(out[0], 100 + t);
	}
	/* A frame older than the playout point is late. */
	assert_int_equal(conf_mix_put(m, a, 0, 5000, pay, sizeof(pay)), 0);
	assert_int_equal(m->part[a].late_cnt, 1);
	/* Wrong frame size is refused. */
	assert_int_equal(conf_mix_put(m, a, 0, 9000, pay, 10), EINVAL);
	conf_mix_free(m);
}

static void test_timeout(void **state)
{
	struct conf_mix *m;
	unsigned a, b, c;
	uint8_t pay[CONF_FRAME_SAMPLES];
	uint64_t now = 0, dropped = 0;
	int t;

	(void)state;
	memset(pay, 0xff, sizeof(pay));
	assert_int_equal(conf_mix_new(&m, 100000), 0);
	assert_int_equal(conf_mix_add(m, CONF_PCMU, now, &a), 0);
	assert_int_equal(conf_mix_add(m, CONF_PCMU, now, &b), 0);
	assert_int_equal(conf_mix_add(m, CONF_PCMA, now, &c), 0);
	for (t = 0; t < 20; t++, now += CONF_FRAME_US) {
		assert_int_equal(conf_mix_put(m, a, now, (uint32_t)t * 160,
					      pay, sizeof(pay)), 0);
		if (t < 1)
			assert_int_equal(conf_mix_put(m, b, now,
				(uint32_t)t * 160, pay, sizeof(pay)), 0);
		conf_mix_tick(m, now, &dropped);
		if (dropped)
			break;
	}
	/* b sent only at 0 ms, c never: both gone once 100 ms have passed. */
	assert_int_equal(t, 6);
	assert_int_equal(dropped, (1u << b) | (1u << c));
	assert_int_equal(m->nparts, 1);
	assert_int_equal(conf_mix_put(m, b, now, 0, pay, sizeof(pay)), EINVAL);
	conf_mix_del(m, a);
	assert_int_equal(m->nparts, 0);
	conf_mix_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mix_l16, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mix_ulaw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mix_alaw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mix_clip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jitter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
