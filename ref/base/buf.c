/* SPDX-License-Identifier: BSD-3-Clause */
/* Growable and fixed-capacity output buffers. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "base/buf.h"
#include "base/mem.h"

void buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void buf_init_fixed(struct buf *b, void *mem, size_t cap)
{
	b->data = mem;
	b->len = 0;
	b->cap = cap;
	b->fixed = 1;
	if (cap)
		b->data[0] = 0;
}

void buf_fini(struct buf *b)
{
	if (!b->fixed)
		mem_free(b->data);
	memset(b, 0, sizeof(*b));
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = 0;
}

int buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap;
	uint8_t *d;

	if (need < b->len)
		return EOVERFLOW;
	if (need <= b->cap)
		return 0;
	if (b->fixed)
		return EOVERFLOW;
	cap = b->cap ? b->cap : 64;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return EOVERFLOW;
		cap *= 2;
	}
	d = mem_realloc(b->data, cap);
	if (!d)
		return ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

int buf_put(struct buf *b, const void *p, size_t len)
{
	int err = buf_reserve(b, len);

	if (err)
		return err;
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = 0;
	return 0;
}

int buf_put_str(struct buf *b, const char *s)
{
	return buf_put(b, s, strlen(s));
}

int buf_put_pl(struct buf *b, const struct pl *pl)
{
	return buf_put(b, pl->p, pl->len);
}

int buf_put_u8(struct buf *b, uint8_t c)
{
	return buf_put(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n, err;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return EINVAL;
	err = buf_reserve(b, (size_t)n);
	if (err)
		return err;
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

struct pl buf_pl(const struct buf *b)
{
	struct pl pl = { (const char *)b->data, b->len };
	return pl;
}

char *buf_detach(struct buf *b)
{
	char *d;

	if (b->fixed)
		return NULL;
	if (!b->data && buf_reserve(b, 0))
		return NULL;
	d = (char *)b->data;
	memset(b, 0, sizeof(*b));
	return d;
}
