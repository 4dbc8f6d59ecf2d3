/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame builders shared by the replay unit tests: Ethernet, IPv4/IPv6,
 * UDP, TCP and SIP text, written into caller buffers so each test can
 * wrap, split or corrupt them as it needs. Header-only (static), since
 * each tests/unit/test_*.c is its own program.
 */
#ifndef TESTS_REPLAY_FRAMES_H
#define TESTS_REPLAY_FRAMES_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "rtp/rtp.h"

struct fb {
	uint8_t d[70000];
	size_t n;
};

static inline void fb_put(struct fb *f, const void *p, size_t n)
{
	memcpy(f->d + f->n, p, n);
	f->n += n;
}

static inline void fb_16(struct fb *f, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	fb_put(f, b, 2);
}

static inline void fb_32(struct fb *f, uint32_t v)
{
	fb_16(f, (uint16_t)(v >> 16));
	fb_16(f, (uint16_t)v);
}

static inline void fb_eth(struct fb *f, uint16_t etype)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	fb_put(f, mac, 12);
	fb_16(f, etype);
}

/* IPv4 header; a = last byte of 10.0.0.a. */
static inline void fb_ip4(struct fb *f, uint8_t src, uint8_t dst,
			  uint8_t proto, size_t payload, uint16_t id,
			  uint16_t frag)
{
	fb_16(f, 0x4500);
	fb_16(f, (uint16_t)(20 + payload));
	fb_16(f, id);
	fb_16(f, frag);
	fb_16(f, (uint16_t)(64 << 8 | proto));
	fb_16(f, 0);
	fb_32(f, 0x0a000000u | src);
	fb_32(f, 0x0a000000u | dst);
}

static inline void fb_ip6(struct fb *f, uint8_t src, uint8_t dst,
			  uint8_t nh, size_t payload)
{
	uint8_t a[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	fb_32(f, 0x60000000u);
	fb_16(f, (uint16_t)payload);
	fb_16(f, (uint16_t)(nh << 8 | 64));
	a[15] = src;
	fb_put(f, a, 16);
	a[15] = dst;
	fb_put(f, a, 16);
}

static inline void fb_udp(struct fb *f, uint16_t sp, uint16_t dp,
			  const void *p, size_t n)
{
	fb_16(f, sp);
	fb_16(f, dp);
	fb_16(f, (uint16_t)(8 + n));
	fb_16(f, 0);
	fb_put(f, p, n);
}

enum { FB_FIN = 1, FB_SYN = 2, FB_RST = 4, FB_ACK = 16 };

static inline void fb_tcp(struct fb *f, uint16_t sp, uint16_t dp,
			  uint32_t seq, uint8_t flags, const void *p, size_t n)
{
	fb_16(f, sp);
	fb_16(f, dp);
	fb_32(f, seq);
	fb_32(f, 0);
	fb_16(f, (uint16_t)(5 << 12 | flags));
	fb_16(f, 65535);
	fb_32(f, 0);
	if (n)
		fb_put(f, p, n);
}

/* Ethernet/IPv4/UDP frame from 10.0.0.s:sp to 10.0.0.d:dp. */
static inline void fb_eth_udp4(struct fb *f, uint8_t s, uint16_t sp,
			       uint8_t d, uint16_t dp, const void *p, size_t n)
{
	f->n = 0;
	fb_eth(f, 0x0800);
	fb_ip4(f, s, d, 17, 8 + n, 1, 0x4000);
	fb_udp(f, sp, dp, p, n);
}

static inline void fb_eth_tcp4(struct fb *f, uint8_t s, uint16_t sp,
			       uint8_t d, uint16_t dp, uint32_t seq,
			       uint8_t flags, const void *p, size_t n)
{
	f->n = 0;
	fb_eth(f, 0x0800);
	fb_ip4(f, s, d, 6, 20 + n, 1, 0x4000);
	fb_tcp(f, sp, dp, seq, flags, p, n);
}

/* A SIP request; to_tag/body may be "" . Returns its length. */
static inline size_t fb_sip_req(char *out, size_t sz, const char *method,
				const char *cid, const char *ftag,
				const char *ttag, unsigned cseq,
				const char *cseq_method, const char *body)
{
	return (size_t)snprintf(out, sz,
		"%s sip:bob@example.test SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%s%u%s\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:alice@example.test>;tag=%s\r\n"
		"To: <sip:bob@example.test>%s%s\r\n"
		"Call-ID: %s\r\n"
		"CSeq: %u %s\r\n"
		"%s"
		"Content-Length: %zu\r\n\r\n%s",
		method, cid, cseq, method, ftag, *ttag ? ";tag=" : "", ttag,
		cid, cseq, cseq_method,
		*body ? "Content-Type: application/sdp\r\n" : "",
		strlen(body), body);
}

static inline size_t fb_sip_rsp(char *out, size_t sz, unsigned code,
				const char *cid, const char *ftag,
				const char *ttag, unsigned cseq,
				const char *cseq_method, const char *body)
{
	return (size_t)snprintf(out, sz,
		"SIP/2.0 %u Whatever\r\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%s%u%s\r\n"
		"From: <sip:alice@example.test>;tag=%s\r\n"
		"To: <sip:bob@example.test>%s%s\r\n"
		"Call-ID: %s\r\n"
		"CSeq: %u %s\r\n"
		"%s"
		"Content-Length: %zu\r\n\r\n%s",
		code, cid, cseq, cseq_method, ftag, *ttag ? ";tag=" : "",
		ttag, cid, cseq, cseq_method,
		*body ? "Content-Type: application/sdp\r\n" : "",
		strlen(body), body);
}

#define FB_SDP(host, port) \
	"v=0\r\no=- 1 1 IN IP4 " host "\r\ns=-\r\nc=IN IP4 " host \
	"\r\nt=0 0\r\nm=audio " port " RTP/AVP 0 8\r\n"

/* RTP packet: 12-byte header + 20 bytes payload. */
static inline size_t fb_rtp(uint8_t *out, uint8_t pt, uint16_t seq,
			    uint32_t ssrc)
{
	struct rtp_hdr h = { .pt = pt, .seq = seq, .ts = 0, .ssrc = ssrc };

	memset(out, 0xd5, 32);
	rtp_hdr_encode(out, &h);
	return 32;
}

#endif
