/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WAV container for voicemail recordings (POLICY.md P14): G.711 bytes as
 * they arrived in RTP, behind a RIFF header (Microsoft WAVE format tags 6
 * and 7 with an 18-byte fmt chunk and a fact chunk, as non-PCM formats
 * require). Little-endian fields written byte by byte: no host-order
 * assumption.
 */
#include <errno.h>
#include <stdint.h>
#include "store/store.h"

static int le32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	return buf_put(b, x, 4);
}

static int le16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	return buf_put(b, x, 2);
}

int store_wav_g711(struct buf *out, int alaw, const uint8_t *samples,
		   size_t n)
{
	/* "WAVE" + fmt (8 + 18) + fact (8 + 4) + data (8 + n + pad). */
	size_t pad = n & 1;
	int e;

	if (!out || (!samples && n) || n > UINT32_MAX - 64)
		return EINVAL;
	if ((e = buf_reserve(out, 58 + n + pad)))
		return e;
	e = buf_put(out, "RIFF", 4);
	e = e ? e : le32(out, (uint32_t)(4 + 26 + 12 + 8 + n + pad));
	e = e ? e : buf_put(out, "WAVEfmt ", 8);
	e = e ? e : le32(out, 18);
	e = e ? e : le16(out, alaw ? 6 : 7);	/* WAVE_FORMAT_ALAW/MULAW */
	e = e ? e : le16(out, 1);		/* mono */
	e = e ? e : le32(out, 8000);		/* samples/s */
	e = e ? e : le32(out, 8000);		/* bytes/s */
	e = e ? e : le16(out, 1);		/* block align */
	e = e ? e : le16(out, 8);		/* bits/sample */
	e = e ? e : le16(out, 0);		/* cbSize */
	e = e ? e : buf_put(out, "fact", 4);
	e = e ? e : le32(out, 4);
	e = e ? e : le32(out, (uint32_t)n);
	e = e ? e : buf_put(out, "data", 4);
	e = e ? e : le32(out, (uint32_t)n);
	e = e ? e : buf_put(out, samples, n);
	if (!e && pad)
		e = buf_put_u8(out, 0);
	return e;
}
