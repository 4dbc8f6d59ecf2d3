/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP/RTCP packet helpers: RFC 7983 first-byte demultiplexing, the RTP
 * header decoder (relay statistics, conference and voicemail input), the
 * fixed-header encoder every sender uses (RFC 3550 5.1) and the first
 * reception report block of an SR/RR (RFC 3550 6.4). Nothing here looks
 * past the headers but the padding count in the last octet: payloads,
 * SRTP authentication tags and ZRTP/DTLS records are never read.
 */
#include <errno.h>
#include "rtp/rtp.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

enum rtp_kind rtp_pkt_kind(const uint8_t *p, size_t len)
{
	uint8_t b, pt;

	if (!len)
		return RTP_KIND_OTHER;
	b = p[0];
	/* RFC 7983 7: the ranges of the first byte. */
	if (b <= 3)
		return RTP_KIND_STUN;
	/* ZRTP (RFC 6189 5): first byte 0x10 and the magic cookie "ZRTP"
	 * in bytes 4-7; RFC 7983 gives the range 16-19. */
	if (b >= 16 && b <= 19)
		return len >= 8 && p[4] == 'Z' && p[5] == 'R' && p[6] == 'T' &&
		       p[7] == 'P' ? RTP_KIND_ZRTP : RTP_KIND_OTHER;
	if (b >= 20 && b <= 63)
		return RTP_KIND_DTLS;
	if (b >= 64 && b <= 79)
		return RTP_KIND_TURN;
	if (b >= 128 && b <= 191) {
		if (len < 2)
			return RTP_KIND_OTHER;
		/* RFC 5761 4: RTCP packet types 192-223 (64-95 with the
		 * marker bit masked) never collide with RTP payload types
		 * in use. */
		pt = p[1] & 0x7f;
		if (pt >= 64 && pt <= 95)
			return RTP_KIND_RTCP;
		return RTP_KIND_RTP;
	}
	return RTP_KIND_OTHER;
}

const char *rtp_kind_name(enum rtp_kind k)
{
	static const char *names[RTP_KIND_COUNT] = {
		"rtp", "rtcp", "stun", "zrtp", "dtls", "turn", "other",
	};
	return (unsigned)k < RTP_KIND_COUNT ? names[k] : "other";
}

int rtp_hdr_decode(const uint8_t *p, size_t len, struct rtp_hdr *h)
{
	size_t n;

	if (len < 12 || (p[0] >> 6) != 2)
		return EBADMSG;
	n = 12 + 4u * (p[0] & 0x0f);
	if (n > len)
		return EBADMSG;
	if (p[0] & 0x10) {	/* header extension (RFC 3550 5.3.1) */
		if (n + 4 > len)
			return EBADMSG;
		n += 4 + 4u * be16(p + n + 2);
		if (n > len)
			return EBADMSG;
	}
	h->marker = (p[1] & 0x80) != 0;
	h->pt = p[1] & 0x7f;
	h->seq = be16(p + 2);
	h->ts = be32(p + 4);
	h->ssrc = be32(p + 8);
	h->hdr_len = n;
	h->pad_len = (p[0] & 0x20) ? p[len - 1] : 0;
	return 0;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

void rtp_hdr_encode(uint8_t *p, const struct rtp_hdr *h)
{
	p[0] = 0x80;		/* V=2 */
	p[1] = (uint8_t)((h->pt & 0x7f) | (h->marker ? 0x80 : 0));
	put_be16(p + 2, h->seq);
	put_be32(p + 4, h->ts);
	put_be32(p + 8, h->ssrc);
}

int rtcp_rr_first(const uint8_t *p, size_t len, struct rtcp_rr *rr)
{
	size_t off = 0, plen, blk;
	uint8_t pt, rc;
	uint32_t lost;

	while (off + 4 <= len) {
		if ((p[off] >> 6) != 2)
			return EBADMSG;
		rc = p[off] & 0x1f;
		pt = p[off + 1];
		plen = 4u * ((size_t)be16(p + off + 2) + 1);
		if (off + plen > len)
			return EBADMSG;
		if ((pt == 200 || pt == 201) && rc) {
			blk = off + 8 + (pt == 200 ? 20 : 0);
			if (blk + 24 > off + plen)
				return EBADMSG;
			rr->ssrc = be32(p + blk);
			rr->fraction_lost = p[blk + 4];
			lost = ((uint32_t)p[blk + 5] << 16) |
			       ((uint32_t)p[blk + 6] << 8) | p[blk + 7];
			/* 24-bit two's complement (RFC 3550 6.4.1). */
			rr->cum_lost = (lost & 0x800000) ?
				       (int32_t)lost - 0x1000000 :
				       (int32_t)lost;
			rr->ext_seq = be32(p + blk + 8);
			rr->jitter = be32(p + blk + 12);
			return 0;
		}
		off += plen;
	}
	return off == len ? ENOENT : EBADMSG;
}
