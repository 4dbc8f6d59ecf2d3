/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Growable byte buffer for output. A buffer made with buf_init_fixed never
 * grows: writes past its capacity fail with EOVERFLOW (stack buffers).
 * data is always NUL-terminated after a successful write, for convenience;
 * len never counts that NUL.
 */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include "base/pl.h"

struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	int fixed;	/* caller storage, never reallocated or freed */
};

void buf_init(struct buf *b);
void buf_init_fixed(struct buf *b, void *mem, size_t cap);
void buf_fini(struct buf *b);
void buf_reset(struct buf *b);
/* Ensure room for extra more bytes (+1 for the NUL). ENOMEM, EOVERFLOW. */
int buf_reserve(struct buf *b, size_t extra);
int buf_put(struct buf *b, const void *p, size_t len);
int buf_put_str(struct buf *b, const char *s);
int buf_put_pl(struct buf *b, const struct pl *pl);
int buf_put_u8(struct buf *b, uint8_t c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* The written bytes as a slice. */
struct pl buf_pl(const struct buf *b);
/*
 * Take ownership of the heap data (NUL-terminated); the buffer is reset.
 * NULL for a fixed buffer.
 */
char *buf_detach(struct buf *b);

#endif
