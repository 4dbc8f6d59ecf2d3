/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The leak check most suites run around each test (STYLE 2.8): setup
 * notes the mem_ block count, teardown clears any injected allocation
 * failure (mem_fail_at) and asserts every block came back. Pass them to
 * cmocka_unit_test_setup_teardown; blocks_at_start is there for a test
 * that checks in between (an OOM sweep).
 */
#ifndef TESTS_MEM_TESTUTIL_H
#define TESTS_MEM_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "base/mem.h"

#pragma GCC diagnostic ignored "-Wunused-function"

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
	mem_fail_at(-1, 0);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

#endif
