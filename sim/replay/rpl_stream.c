/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Framing of reassembled TCP byte streams. The first bytes of a direction
 * decide what it carries: SIP (framed with sip_frame, RFC 3261 18.3),
 * an HTTP request or response (the WebSocket upgrade, RFC 6455 4), TLS
 * (records counted, contents opaque), MSRP (RFC 4975 end-lines), a bare
 * WebSocket frame (capture started after the handshake), or something
 * else. A stream that starts mid-message, or lost bytes in a gap, is
 * scanned for the next line that starts a SIP message. WebSocket frames
 * are unmasked and reassembled from continuation frames, and each message
 * is dissected like a datagram (RFC 7118: one SIP message per message).
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_int.h"

#define MAX_HDR 65536
#define MAX_WS_MSG (1024u * 1024)
#define MAX_UNKNOWN (64u * 1024)

static const uint8_t *find(const uint8_t *p, size_t n, const char *s,
			   size_t sl)
{
	size_t i;

	if (n < sl)
		return NULL;
	for (i = 0; i + sl <= n; i++) {
		const uint8_t *q = memchr(p + i, s[0], n - sl + 1 - i);

		if (!q)
			return NULL;
		if (!memcmp(q, s, sl))
			return q;
		i = (size_t)(q - p);
	}
	return NULL;
}

static bool has_token_ci(const uint8_t *p, size_t n, const char *tok)
{
	size_t tl = strlen(tok), i, j;

	for (i = 0; i + tl <= n; i++) {
		for (j = 0; j < tl; j++) {
			uint8_t a = p[i + j], b = (uint8_t)tok[j];

			if (a >= 'A' && a <= 'Z')
				a = (uint8_t)(a + 32);
			if (a != b)
				break;
		}
		if (j == tl)
			return true;
	}
	return false;
}

static void pdu_init(struct rpl_pdu *pdu, struct rpl *r,
		     const struct rpl_half *h, enum rpl_tp tp,
		     const uint8_t *p, size_t n)
{
	pdu->ts_us = r->now_us;
	pdu->tp = tp;
	pdu->src = h->src;
	pdu->dst = h->dst;
	pdu->data = p;
	pdu->len = n;
}

static bool tls_start(const uint8_t *p, size_t n)
{
	return n >= 3 && p[0] >= 20 && p[0] <= 24 && p[1] == 3 && p[2] <= 4;
}

/* A client-to-server WebSocket frame carrying text that looks like SIP. */
static bool ws_start(const uint8_t *p, size_t n)
{
	size_t hl = 2, len;

	if (n < 2 || (p[0] & 0x70) || ((p[0] & 15) != 1 && (p[0] & 15) != 2))
		return false;
	len = p[1] & 0x7f;
	if (len == 126)
		hl = 4;
	else if (len == 127)
		return false;
	if (p[1] & 0x80)
		hl += 4;
	if (n < hl + 8)
		return false;
	if (p[1] & 0x80) {
		uint8_t b[8];
		size_t i;

		for (i = 0; i < 8; i++)
			b[i] = p[hl + i] ^ p[hl - 4 + i % 4];
		return rpl_looks_sip(b, 8) || !memcmp(b, "MSRP ", 5);
	}
	return rpl_looks_sip(p + hl, 8) || !memcmp(p + hl, "MSRP ", 5);
}

/* Decide what a direction carries; returns bytes skipped. */
static size_t classify(struct rpl *r, struct rpl_conn *c, struct rpl_half *h,
		       const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && (p[i] == '\r' || p[i] == '\n'); i++)
		;
	if (i)
		return i;	/* CRLF keep-alives (RFC 5626 4.4.1) */
	if (n < 8)
		return 0;
	if (rpl_looks_sip(p, n)) {
		h->mode = RPL_S_SIP;
		return 0;
	}
	if (!memcmp(p, "MSRP ", 5)) {
		h->mode = RPL_S_MSRP;
		if (!c->msrp_counted) {
			c->msrp_counted = true;
			r->st.msrp_connections++;
		}
		return 0;
	}
	if (!h->sip_seen && (!memcmp(p, "GET ", 4) ||
			     !memcmp(p, "HTTP/1.", 7))) {
		h->mode = RPL_S_HTTP;
		return 0;
	}
	if (tls_start(p, n)) {
		h->mode = RPL_S_TLS;
		if (!c->tls_counted) {
			c->tls_counted = true;
			r->st.tls_streams++;
		}
		return 0;
	}
	if (ws_start(p, n)) {
		h->mode = RPL_S_WS;
		return 0;
	}
	/* Mid-message: look for the start of the next SIP message. */
	for (i = 1; i + 2 < n; i++) {
		const uint8_t *q = memchr(p + i, '\n', n - i);

		if (!q)
			break;
		i = (size_t)(q - p) + 1;
		if (i + 12 <= n && rpl_looks_sip(p + i, n - i)) {
			if (h->sip_seen)
				r->st.tcp_skipped_bytes += i;
			else
				r->st.tcp_midstream_bytes += i;
			h->mode = RPL_S_SIP;
			return i;
		}
	}
	if (n < 4096)
		return 0;	/* wait for more before giving up bytes */
	i = n - 64;
	if (h->sip_seen)
		r->st.tcp_skipped_bytes += i;
	h->unknown_bytes += i;
	if (h->unknown_bytes > MAX_UNKNOWN && !h->sip_seen)
		h->mode = RPL_S_OTHER;
	return i;
}

static size_t sip_stream(struct rpl *r, struct rpl_half *h, const uint8_t *p,
			 size_t n)
{
	size_t skip = 0, len = 0;
	struct rpl_pdu pdu;
	int err;

	err = sip_frame(p, n, MAX_HDR, &skip, &len);
	if (err == ENODATA)
		return 0;
	if (err) {
		/* Cannot frame: resynchronise on the next start line. */
		r->st.sip_malformed++;
		h->mode = RPL_S_UNKNOWN;
		r->st.tcp_skipped_bytes++;
		return 1;
	}
	h->sip_seen = true;
	pdu_init(&pdu, r, h, RPL_TP_TCP, p + skip, len);
	rpl_sip_input(r, &pdu);
	return skip + len;
}

static size_t http(struct rpl_conn *c, struct rpl_half *h, const uint8_t *p,
		   size_t n)
{
	const uint8_t *e = find(p, n, "\r\n\r\n", 4);
	size_t hl;

	if (!e) {
		if (n > MAX_HDR)
			h->mode = RPL_S_OTHER;
		return 0;
	}
	hl = (size_t)(e - p) + 4;
	if (!memcmp(p, "GET ", 4)) {
		if (has_token_ci(p, hl, "upgrade: websocket")) {
			c->ws_upgrade = true;
			h->mode = RPL_S_WS;
		} else {
			h->mode = RPL_S_OTHER;
		}
	} else if (!memcmp(p + 8, " 101", 4) && c->ws_upgrade) {
		h->mode = RPL_S_WS;
	} else {
		h->mode = RPL_S_OTHER;
	}
	return hl;
}

static void ws_message(struct rpl *r, struct rpl_half *h, const uint8_t *p,
		       size_t n)
{
	struct rpl_pdu pdu;

	r->st.ws_messages++;
	h->sip_seen = true;
	pdu_init(&pdu, r, h, RPL_TP_WS, p, n);
	rpl_app_input(r, &pdu);
}

/* One frame (RFC 6455 5.2); 0 = need more bytes. */
static size_t ws_frame(struct rpl *r, struct rpl_half *h, const uint8_t *p,
		       size_t n)
{
	size_t hl = 2, i;
	uint64_t len;
	uint8_t op;
	const uint8_t *pay;
	bool fin;

	if (n < 2)
		return 0;
	fin = p[0] & 0x80;
	op = p[0] & 15;
	len = p[1] & 0x7f;
	if (len == 126) {
		if (n < 4)
			return 0;
		len = rpl_be16(p + 2);
		hl = 4;
	} else if (len == 127) {
		if (n < 10)
			return 0;
		len = (uint64_t)rpl_be32(p + 2) << 32 | rpl_be32(p + 6);
		hl = 10;
	}
	if (p[1] & 0x80)
		hl += 4;
	if ((p[0] & 0x70) || len > MAX_WS_MSG || (op > 2 && op < 8) ||
	    op > 10)
		goto drop;	/* not a frame we can follow */
	if (n < hl + len)
		return 0;
	pay = p + hl;
	if (p[1] & 0x80) {
		buf_reset(&r->scratch);
		if (buf_reserve(&r->scratch, (size_t)len))
			goto drop;
		for (i = 0; i < len; i++)
			r->scratch.data[i] = pay[i] ^ p[hl - 4 + i % 4];
		r->scratch.len = (size_t)len;
		pay = r->scratch.data;
	}
	if (op >= 8)		/* close, ping, pong */
		return hl + (size_t)len;
	if (op != 0)
		buf_reset(&h->wsmsg);
	if (fin && !h->wsmsg.len) {
		ws_message(r, h, pay, (size_t)len);
	} else {
		if (h->wsmsg.len + len > MAX_WS_MSG ||
		    buf_put(&h->wsmsg, pay, (size_t)len))
			goto drop;
		if (fin) {
			ws_message(r, h, h->wsmsg.data, h->wsmsg.len);
			buf_reset(&h->wsmsg);
		}
	}
	return hl + (size_t)len;
drop:
	/* resynchronise on the next SIP start line */
	buf_reset(&h->wsmsg);
	h->mode = RPL_S_UNKNOWN;
	r->st.tcp_skipped_bytes++;
	return 1;
}

static size_t tls(struct rpl *r, struct rpl_half *h, const uint8_t *p,
		  size_t n)
{
	size_t k;

	if (h->tls_left) {
		k = n < h->tls_left ? n : h->tls_left;
		h->tls_left -= (uint32_t)k;
		return k;
	}
	if (n < 5)
		return 0;
	if (!tls_start(p, n)) {
		h->mode = RPL_S_OTHER;
		return n;
	}
	r->st.tls_records++;
	h->tls_left = rpl_be16(p + 3);
	return 5;
}

/* MSRP message: first line "MSRP tid ...", ends "-------tid" + $/+/#. */
static size_t msrp(struct rpl *r, struct rpl_half *h, const uint8_t *p,
		   size_t n)
{
	const uint8_t *eol = memchr(p, '\n', n < 512 ? n : 512), *sp, *q;
	char end[80];
	size_t tl, el, off;
	struct rpl_pdu pdu;

	if (!eol)
		goto need;
	if (memcmp(p, "MSRP ", 5) ||
	    !(sp = memchr(p + 5, ' ', (size_t)(eol - p) - 5)))
		goto resync;
	tl = (size_t)(sp - (p + 5));
	if (!tl || tl > 64)
		goto resync;
	memcpy(end, "\r\n-------", 9);
	memcpy(end + 9, p + 5, tl);
	el = 9 + tl;
	off = (size_t)(eol - p) - 1;
	while ((q = find(p + off, n - off, end, el))) {
		off = (size_t)(q - p) + el;
		if (off + 3 > n)
			goto need;
		if ((p[off] == '$' || p[off] == '+' || p[off] == '#') &&
		    p[off + 1] == '\r' && p[off + 2] == '\n') {
			pdu_init(&pdu, r, h, RPL_TP_TCP, p, off + 3);
			rpl_msrp_input(r, &pdu);
			return off + 3;
		}
	}
need:
	if (n > MAX_WS_MSG)
		goto resync;
	return 0;
resync:
	h->mode = RPL_S_UNKNOWN;
	return 1;
}

size_t rpl_stream_input(struct rpl *r, struct rpl_conn *c, int dir,
			const uint8_t *p, size_t n)
{
	struct rpl_half *h = &c->h[dir];
	size_t used = 0, k;
	enum rpl_smode m;

	while (used < n) {
		m = h->mode;
		switch (m) {
		case RPL_S_UNKNOWN:
			k = classify(r, c, h, p + used, n - used);
			break;
		case RPL_S_SIP:
			k = sip_stream(r, h, p + used, n - used);
			break;
		case RPL_S_HTTP:
			k = http(c, h, p + used, n - used);
			break;
		case RPL_S_WS:
			k = ws_frame(r, h, p + used, n - used);
			break;
		case RPL_S_TLS:
			k = tls(r, h, p + used, n - used);
			break;
		case RPL_S_MSRP:
			k = msrp(r, h, p + used, n - used);
			break;
		default:
			return n;
		}
		if (!k && h->mode == m)
			return used;
		used += k;
	}
	return used;
}
