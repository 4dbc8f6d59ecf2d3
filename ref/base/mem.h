/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocator front end. Every allocation in the project goes through here so
 * tests can count live blocks (leak check after each test) and make the Nth
 * allocation fail (OOM sweep, as SQLite's malloc tests do).
 */
#ifndef BASE_MEM_H
#define BASE_MEM_H

#include <stddef.h>
#include <stdint.h>

void *mem_alloc(size_t size);
void *mem_zalloc(size_t size);
/* NULL on failure, the old block untouched. */
void *mem_realloc(void *ptr, size_t size);
void mem_free(void *ptr);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);

/* Live blocks allocated through this front end. */
int64_t mem_blocks(void);
/*
 * Fail the nth allocation from now (0 = the next one) and every one after
 * it while `sticky`; -1 turns failure injection off.
 */
void mem_fail_at(int64_t nth, int sticky);
/* Allocations attempted since the last mem_fail_at. */
int64_t mem_attempts(void);

#endif
