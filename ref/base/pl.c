/* SPDX-License-Identifier: BSD-3-Clause */
/* Pointer-length slice helpers: comparison, trimming, splitting, numbers. */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include "base/pl.h"

struct pl pl_from_str(const char *s)
{
	struct pl pl = { s ? s : "", s ? strlen(s) : 0 };
	return pl;
}

struct pl pl_from_mem(const void *p, size_t len)
{
	struct pl pl = { (const char *)p, len };
	return pl;
}

bool pl_isset(const struct pl *pl)
{
	return pl && pl->p && pl->len;
}

bool pl_eq(const struct pl *a, const struct pl *b)
{
	return a->len == b->len && (a->len == 0 || !memcmp(a->p, b->p, a->len));
}

bool pl_caseeq(const struct pl *a, const struct pl *b)
{
	return a->len == b->len &&
	       (a->len == 0 || !strncasecmp(a->p, b->p, a->len));
}

bool pl_eq_str(const struct pl *a, const char *s)
{
	struct pl b = pl_from_str(s);
	return pl_eq(a, &b);
}

bool pl_caseeq_str(const struct pl *a, const char *s)
{
	struct pl b = pl_from_str(s);
	return pl_caseeq(a, &b);
}

bool pl_prefix_case(const struct pl *a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a->len >= n && !strncasecmp(a->p, prefix, n);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void pl_ltrim(struct pl *pl)
{
	while (pl->len && is_ws(*pl->p)) {
		pl->p++;
		pl->len--;
	}
}

void pl_rtrim(struct pl *pl)
{
	while (pl->len && is_ws(pl->p[pl->len - 1]))
		pl->len--;
}

void pl_trim(struct pl *pl)
{
	pl_ltrim(pl);
	pl_rtrim(pl);
}

const char *pl_chr(const struct pl *pl, char c)
{
	if (!pl->len)
		return NULL;
	return memchr(pl->p, c, pl->len);
}

const char *pl_find(const struct pl *pl, const struct pl *needle)
{
	if (!needle->len)
		return pl->p;
	if (needle->len > pl->len)
		return NULL;
	return memmem(pl->p, pl->len, needle->p, needle->len);
}

int pl_split(const struct pl *src, char sep, struct pl *head,
	     struct pl *rest)
{
	const char *c = pl_chr(src, sep);
	struct pl s = *src;

	if (!c) {
		*head = s;
		rest->p = s.p + s.len;
		rest->len = 0;
		return ENOENT;
	}
	head->p = s.p;
	head->len = (size_t)(c - s.p);
	rest->p = c + 1;
	rest->len = s.len - head->len - 1;
	return 0;
}

void pl_advance(struct pl *pl, size_t n)
{
	if (n > pl->len)
		n = pl->len;
	pl->p += n;
	pl->len -= n;
}

int pl_to_u64(const struct pl *pl, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!pl->len)
		return EINVAL;
	for (i = 0; i < pl->len; i++) {
		unsigned d = (unsigned char)pl->p[i] - '0';
		if (d > 9)
			return EINVAL;
		if (v > (UINT64_MAX - d) / 10)
			return EOVERFLOW;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int pl_to_u32(const struct pl *pl, uint32_t *out)
{
	uint64_t v;
	int err = pl_to_u64(pl, &v);

	if (err)
		return err;
	if (v > UINT32_MAX)
		return EOVERFLOW;
	*out = (uint32_t)v;
	return 0;
}

int pl_strcpy(const struct pl *pl, char *dst, size_t dstsz)
{
	size_t n;

	if (!dstsz)
		return EOVERFLOW;
	n = pl->len < dstsz - 1 ? pl->len : dstsz - 1;
	if (n)
		memcpy(dst, pl->p, n);
	dst[n] = '\0';
	return n < pl->len ? EOVERFLOW : 0;
}
