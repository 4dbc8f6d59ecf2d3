/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixture of the suites that write files (test_audit.c, test_rep_report.c,
 * test_rep_summary.c, test_scn_run.c): tmp_setup makes a fresh folder
 * /tmp/<suite binary>_XXXXXX in tmpdir, tmp_teardown removes it, around
 * mem_testutil.h's leak check. tmp_put/tmp_slurp write and read a file
 * under tmpdir. A suite may use a subset, hence the pragma below.
 */
#ifndef TESTS_TMPDIR_TESTUTIL_H
#define TESTS_TMPDIR_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "mem_testutil.h"

#pragma GCC diagnostic ignored "-Wunused-function"

static char tmpdir[64];

static int tmp_setup(void **state)
{
	setup(state);
	/* the binary's name tells whose folder a leftover is */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/%.40s_XXXXXX",
		 program_invocation_short_name);
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int tmp_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	return teardown(state);
}

/* Write text to tmpdir/rel (its folder must exist). */
static void tmp_put(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* tmpdir/rel, NUL-terminated, in a buffer the caller free()s. */
static char *tmp_slurp(const char *rel)
{
	char p[256];
	FILE *f;
	char *d;
	long n;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	f = fopen(p, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return d;
}

#endif
