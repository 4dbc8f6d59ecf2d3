/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The spectrum check of the conference mixer suites (test_conf.c,
 * test_conf_focus.c): the amplitude of one frequency in 8 kHz PCM, by the
 * Goertzel filter, so a mix can be shown to carry the other participants'
 * tones and not the listener's own.
 */
#ifndef TESTS_TONE_TESTUTIL_H
#define TESTS_TONE_TESTUTIL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Amplitude of frequency f in x[0..n) (Goertzel), in sample units. */
static double goertzel(const int16_t *x, size_t n, double f)
{
	double w = 2.0 * M_PI * f / 8000.0, c = 2.0 * cos(w);
	double s1 = 0, s2 = 0, p;
	size_t i;

	for (i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	p = s1 * s1 + s2 * s2 - c * s1 * s2;
	return 2.0 * sqrt(p > 0 ? p : 0) / (double)n;
}

#endif
