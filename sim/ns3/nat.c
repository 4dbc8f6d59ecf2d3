/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT mapping and filtering tables. Linear scans: a simulated NAT holds a
 * few hundred mappings at most (users per NAT node), and expired entries
 * are reused in place.
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "ns3/nat.h"

static const char *names[] = { "full", "address", "port", "symmetric" };

int nat_type_parse(const char *s, enum nat_type *out)
{
	int i;

	if (!strcmp(s, "cone")) {
		*out = NAT_FULL_CONE;
		return 0;
	}
	for (i = 0; i < 4; i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum nat_type)i;
			return 0;
		}
	}
	return EINVAL;
}

const char *nat_type_name(enum nat_type t)
{
	return (unsigned)t < 4 ? names[t] : "?";
}

void nat_init(struct nat *n, enum nat_type type, uint32_t pub_ip,
	      uint64_t timeout_us)
{
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->pub_ip = pub_ip;
	n->timeout_us = timeout_us;
	n->next_port = 20000;
}

void nat_fini(struct nat *n)
{
	mem_free(n->maps);
	memset(n, 0, sizeof(*n));
}

static int live(const struct nat_map *m, uint64_t now)
{
	return m->pub_port && m->expires_us > now;
}

static struct nat_map *find_out(struct nat *n, uint64_t now, uint32_t ip,
				uint16_t port, uint32_t dip, uint16_t dport)
{
	size_t i;

	for (i = 0; i < n->n; i++) {
		struct nat_map *m = &n->maps[i];
		if (!live(m, now) || m->in_ip != ip || m->in_port != port)
			continue;
		if (n->type == NAT_SYMMETRIC &&
		    (m->dst_ip != dip || m->dst_port != dport))
			continue;
		return m;
	}
	return NULL;
}

static int port_used(const struct nat *n, uint64_t now, uint16_t p)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (live(&n->maps[i], now) && n->maps[i].pub_port == p)
			return 1;
	return 0;
}

static struct nat_map *slot(struct nat *n, uint64_t now)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (!live(&n->maps[i], now))
			return &n->maps[i];
	if (n->n == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 32;
		struct nat_map *m = mem_realloc(n->maps, cap * sizeof(*m));
		if (!m)
			return NULL;
		n->maps = m;
		n->cap = cap;
	}
	return &n->maps[n->n++];
}

static void remember_peer(struct nat_map *m, uint32_t ip, uint16_t port)
{
	unsigned i;

	for (i = 0; i < m->npeer; i++)
		if (m->peer_ip[i] == ip && m->peer_port[i] == port)
			return;
	i = m->npeer < 8 ? m->npeer++ : 7;
	m->peer_ip[i] = ip;
	m->peer_port[i] = port;
}

int nat_out(struct nat *n, uint64_t now_us, uint32_t in_ip, uint16_t in_port,
	    uint32_t dst_ip, uint16_t dst_port, uint16_t *pub_port)
{
	struct nat_map *m = find_out(n, now_us, in_ip, in_port, dst_ip,
				     dst_port);
	unsigned tries;

	if (!m) {
		uint16_t p = 0;
		for (tries = 0; tries < 45000; tries++) {
			uint16_t c = n->next_port++;
			if (n->next_port < 20000)
				n->next_port = 20000;
			if (!port_used(n, now_us, c)) {
				p = c;
				break;
			}
		}
		if (!p)
			return EOVERFLOW;
		m = slot(n, now_us);
		if (!m)
			return ENOMEM;
		memset(m, 0, sizeof(*m));
		m->in_ip = in_ip;
		m->in_port = in_port;
		m->dst_ip = dst_ip;
		m->dst_port = dst_port;
		m->pub_port = p;
	}
	m->expires_us = now_us + n->timeout_us;
	remember_peer(m, dst_ip, dst_port);
	n->out_pkts++;
	*pub_port = m->pub_port;
	return 0;
}

static int allowed(const struct nat *n, const struct nat_map *m,
		   uint32_t ip, uint16_t port)
{
	unsigned i;

	if (n->type == NAT_FULL_CONE)
		return 1;
	for (i = 0; i < m->npeer; i++) {
		if (m->peer_ip[i] != ip)
			continue;
		if (n->type == NAT_ADDR_RESTRICTED || m->peer_port[i] == port)
			return 1;
	}
	return 0;
}

int nat_in(struct nat *n, uint64_t now_us, uint16_t pub_port,
	   uint32_t src_ip, uint16_t src_port, uint32_t *in_ip,
	   uint16_t *in_port)
{
	size_t i;

	for (i = 0; i < n->n; i++) {
		struct nat_map *m = &n->maps[i];
		if (!live(m, now_us) || m->pub_port != pub_port)
			continue;
		if (!allowed(n, m, src_ip, src_port)) {
			n->filtered++;
			return EACCES;
		}
		n->in_pkts++;
		*in_ip = m->in_ip;
		*in_port = m->in_port;
		return 0;
	}
	n->unmapped++;
	return ENOENT;
}
