/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pointer-length slices: a borrowed, read-only view into a buffer owned by
 * someone else. Never NUL-terminated, never written through. A slice is
 * valid while the buffer it points into is alive.
 */
#ifndef BASE_PL_H
#define BASE_PL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct pl {
	const char *p;
	size_t len;
};

#define PL(s) ((struct pl){ (s), sizeof(s) - 1 })
#define PL_NULL ((struct pl){ NULL, 0 })
#define PL_ARG(x) (int)(x).len, (x).p

/* Slice of a NUL-terminated string (NULL gives the empty slice). */
struct pl pl_from_str(const char *s);
/* Slice of a memory range. */
struct pl pl_from_mem(const void *p, size_t len);

bool pl_isset(const struct pl *pl);
bool pl_eq(const struct pl *a, const struct pl *b);
bool pl_caseeq(const struct pl *a, const struct pl *b);
bool pl_eq_str(const struct pl *a, const char *s);
bool pl_caseeq_str(const struct pl *a, const char *s);
bool pl_prefix_case(const struct pl *a, const char *prefix);

/* Remove leading/trailing SP, HTAB, CR and LF. */
void pl_trim(struct pl *pl);
void pl_ltrim(struct pl *pl);
void pl_rtrim(struct pl *pl);

/* Pointer to the first c in pl, or NULL. */
const char *pl_chr(const struct pl *pl, char c);
/* Pointer to the first occurrence of needle in pl, or NULL. */
const char *pl_find(const struct pl *pl, const struct pl *needle);

/*
 * Split src at the first sep: head gets the part before, rest the part
 * after. Returns 0, or ENOENT when sep is absent (head = whole, rest empty).
 */
int pl_split(const struct pl *src, char sep, struct pl *head,
	     struct pl *rest);

/* Advance pl by n bytes (n <= len). */
void pl_advance(struct pl *pl, size_t n);

/*
 * Decimal conversions. Return 0, EINVAL on no digits or trailing garbage,
 * EOVERFLOW when the value does not fit. *out written only on success.
 */
int pl_to_u32(const struct pl *pl, uint32_t *out);
int pl_to_u64(const struct pl *pl, uint64_t *out);

/* Copy into dst (size dstsz, NUL-terminated). EOVERFLOW if truncated. */
int pl_strcpy(const struct pl *pl, char *dst, size_t dstsz);

#endif
