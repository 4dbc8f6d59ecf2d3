/* SPDX-License-Identifier: BSD-3-Clause */
/* Address parsing and formatting; numeric only, no resolver. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "base/net.h"

static const char *tp_names[NET_TP_COUNT] = {
	"udp", "tcp", "tls", "ws", "wss", "sctp",
};

int net_tp_parse(const struct pl *pl, enum net_tp *out)
{
	int i;

	for (i = 0; i < NET_TP_COUNT; i++) {
		if (pl_caseeq_str(pl, tp_names[i])) {
			*out = (enum net_tp)i;
			return 0;
		}
	}
	return EINVAL;
}

const char *net_tp_name(enum net_tp tp)
{
	return (unsigned)tp < NET_TP_COUNT ? tp_names[tp] : "?";
}

bool net_tp_is_stream(enum net_tp tp)
{
	return tp != NET_UDP;
}

bool net_tp_is_secure(enum net_tp tp)
{
	return tp == NET_TLS || tp == NET_WSS;
}

int net_addr_parse(const struct pl *pl, uint16_t default_port,
		   struct net_addr *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	struct net_addr a;
	struct pl h = *pl, port = PL_NULL;
	uint32_t p = default_port;

	memset(&a, 0, sizeof(a));
	if (h.len && h.p[0] == '[') {
		const char *rb = pl_chr(&h, ']');
		if (!rb)
			return EINVAL;
		port.p = rb + 1;
		port.len = h.len - (size_t)(port.p - h.p);
		h.p++;
		h.len = (size_t)(rb - h.p);
		if (port.len) {
			if (port.p[0] != ':')
				return EINVAL;
			pl_advance(&port, 1);
		}
	} else {
		const char *c = pl_chr(&h, ':');
		if (c) {
			port.p = c + 1;
			port.len = h.len - (size_t)(port.p - h.p);
			h.len = (size_t)(c - h.p);
			if (pl_chr(&port, ':'))
				return EINVAL;
		}
	}
	if (port.len && (pl_to_u32(&port, &p) || p > 65535))
		return EINVAL;
	if (pl_strcpy(&h, host, sizeof(host)) || !h.len)
		return EINVAL;
	if (inet_pton(AF_INET, host, &a.u.in.sin_addr) == 1) {
		a.u.in.sin_family = AF_INET;
		a.u.in.sin_port = htons((uint16_t)p);
	} else if (inet_pton(AF_INET6, host, &a.u.in6.sin6_addr) == 1) {
		a.u.in6.sin6_family = AF_INET6;
		a.u.in6.sin6_port = htons((uint16_t)p);
	} else {
		return EINVAL;
	}
	*out = a;
	return 0;
}

int net_listen_parse(const struct pl *pl, struct net_addr *out)
{
	struct pl tp, rest;
	struct net_addr a;
	enum net_tp t;

	if (pl_split(pl, ':', &tp, &rest) || net_tp_parse(&tp, &t))
		return EINVAL;
	if (net_addr_parse(&rest, t == NET_TLS ? 5061 : 5060, &a))
		return EINVAL;
	a.tp = t;
	*out = a;
	return 0;
}

/* Decimal digits of v at p; returns how many. */
static size_t fmt_u(char *p, unsigned v)
{
	char t[10];
	size_t n = 0, i;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	return n;
}

/* Dotted quad into p (16 bytes), NUL-terminated; returns the length.
 * By hand because the proxy formats two IPv4 addresses per traced
 * message and inet_ntop + snprintf was a visible share of its CPU. */
static size_t fmt_ip4(char *p, const struct in_addr *in)
{
	const uint8_t *b = (const uint8_t *)&in->s_addr;
	size_t n = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			p[n++] = '.';
		n += fmt_u(p + n, b[i]);
	}
	p[n] = 0;
	return n;
}

/* snprintf's truncation: at most sz - 1 bytes and a NUL. */
static void put_trunc(char *buf, size_t sz, const char *s, size_t n)
{
	if (!sz)
		return;
	if (n > sz - 1)
		n = sz - 1;
	memcpy(buf, s, n);
	buf[n] = 0;
}

const char *net_addr_host(const struct net_addr *a, char *buf, size_t sz)
{
	if (a->u.sa.sa_family == AF_INET && sz >= INET_ADDRSTRLEN)
		fmt_ip4(buf, &a->u.in.sin_addr);
	else if (a->u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, buf, (socklen_t)sz);
	else if (a->u.sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &a->u.in.sin_addr, buf, (socklen_t)sz);
	else
		snprintf(buf, sz, "?");
	return buf;
}

const char *net_addr_str(const struct net_addr *a, char *buf, size_t sz)
{
	char h[INET6_ADDRSTRLEN], t[INET_ADDRSTRLEN + 6];
	size_t n;

	if (a->u.sa.sa_family == AF_INET) {
		n = fmt_ip4(t, &a->u.in.sin_addr);
		t[n++] = ':';
		n += fmt_u(t + n, net_addr_port(a));
		put_trunc(buf, sz, t, n);
		return buf;
	}
	net_addr_host(a, h, sizeof(h));
	if (a->u.sa.sa_family == AF_INET6)
		snprintf(buf, sz, "[%s]:%u", h, net_addr_port(a));
	else
		snprintf(buf, sz, "%s:%u", h, net_addr_port(a));
	return buf;
}

uint16_t net_addr_port(const struct net_addr *a)
{
	if (a->u.sa.sa_family == AF_INET6)
		return ntohs(a->u.in6.sin6_port);
	if (a->u.sa.sa_family == AF_INET)
		return ntohs(a->u.in.sin_port);
	return 0;
}

void net_addr_set_port(struct net_addr *a, uint16_t port)
{
	if (a->u.sa.sa_family == AF_INET6)
		a->u.in6.sin6_port = htons(port);
	else
		a->u.in.sin_port = htons(port);
}

int net_addr_family(const struct net_addr *a)
{
	return a->u.sa.sa_family;
}

socklen_t net_addr_len(const struct net_addr *a)
{
	return a->u.sa.sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					     : sizeof(struct sockaddr_in);
}

bool net_addr_host_eq(const struct net_addr *a, const struct net_addr *b)
{
	if (a->u.sa.sa_family != b->u.sa.sa_family)
		return false;
	if (a->u.sa.sa_family == AF_INET6)
		return !memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr, 16);
	return a->u.in.sin_addr.s_addr == b->u.in.sin_addr.s_addr;
}

bool net_addr_eq(const struct net_addr *a, const struct net_addr *b)
{
	return net_addr_host_eq(a, b) && net_addr_port(a) == net_addr_port(b);
}

bool net_addr_in_prefix(const struct net_addr *a, const struct net_addr *pfx,
			unsigned bits)
{
	const uint8_t *x, *y;
	unsigned i, nbytes;

	if (a->u.sa.sa_family != pfx->u.sa.sa_family)
		return false;
	if (a->u.sa.sa_family == AF_INET6) {
		x = a->u.in6.sin6_addr.s6_addr;
		y = pfx->u.in6.sin6_addr.s6_addr;
		nbytes = 16;
	} else {
		x = (const uint8_t *)&a->u.in.sin_addr.s_addr;
		y = (const uint8_t *)&pfx->u.in.sin_addr.s_addr;
		nbytes = 4;
	}
	if (bits > nbytes * 8)
		bits = nbytes * 8;
	for (i = 0; i < bits / 8; i++)
		if (x[i] != y[i])
			return false;
	if (bits % 8) {
		uint8_t m = (uint8_t)(0xff << (8 - bits % 8));
		if ((x[i] & m) != (y[i] & m))
			return false;
	}
	return true;
}

uint32_t net_addr_hash(const struct net_addr *a)
{
	/* FNV-1a over address bytes and port. */
	const uint8_t *p;
	size_t n, i;
	uint32_t h = 2166136261u;
	uint16_t port = net_addr_port(a);

	if (a->u.sa.sa_family == AF_INET6) {
		p = a->u.in6.sin6_addr.s6_addr;
		n = 16;
	} else {
		p = (const uint8_t *)&a->u.in.sin_addr.s_addr;
		n = 4;
	}
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	return h;
}
