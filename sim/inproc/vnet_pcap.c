/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture of the virtual wire as a raw-IP pcap with virtual timestamps.
 * Headers are synthetic but valid (checksums included) so tshark reads
 * them without complaint. TLS connections hand over real TLS records
 * (vnet_tls.c); the `secure` mode below (application-data records over
 * scrambled bytes) is kept for callers that carry no TLS themselves.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "base/mem.h"
#include "inproc/vnet_int.h"

int vnet_capture_open(struct vnet *v, const char *path)
{
	vnet_capture_close(v);
	v->pcap = pcap_open_dead(DLT_RAW, 262144);
	if (!v->pcap)
		return ENOMEM;
	v->dump = pcap_dump_open(v->pcap, path);
	if (!v->dump) {
		pcap_close(v->pcap);
		v->pcap = NULL;
		return EIO;
	}
	return 0;
}

void vnet_capture_close(struct vnet *v)
{
	if (v->dump)
		pcap_dump_close(v->dump);
	if (v->pcap)
		pcap_close(v->pcap);
	v->dump = NULL;
	v->pcap = NULL;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Pseudo-header sum of the L4 checksum for both families. */
static uint32_t pseudo(const struct net_addr *s, const struct net_addr *d,
		       uint8_t proto, size_t l4len)
{
	uint32_t sum = 0;

	if (net_addr_family(s) == AF_INET6) {
		sum = csum_add(sum, s->u.in6.sin6_addr.s6_addr, 16);
		sum = csum_add(sum, d->u.in6.sin6_addr.s6_addr, 16);
	} else {
		sum = csum_add(sum, (const uint8_t *)&s->u.in.sin_addr, 4);
		sum = csum_add(sum, (const uint8_t *)&d->u.in.sin_addr, 4);
	}
	return sum + proto + (uint32_t)l4len;
}

static size_t ip_header(uint8_t *h, const struct net_addr *s,
			const struct net_addr *d, uint8_t proto,
			size_t l4len)
{
	if (net_addr_family(s) == AF_INET6) {
		memset(h, 0, 40);
		h[0] = 0x60;
		h[4] = (uint8_t)(l4len >> 8);
		h[5] = (uint8_t)l4len;
		h[6] = proto;
		h[7] = 64;
		memcpy(h + 8, s->u.in6.sin6_addr.s6_addr, 16);
		memcpy(h + 24, d->u.in6.sin6_addr.s6_addr, 16);
		return 40;
	}
	memset(h, 0, 20);
	h[0] = 0x45;
	h[2] = (uint8_t)((20 + l4len) >> 8);
	h[3] = (uint8_t)(20 + l4len);
	h[6] = 0x40;	/* DF */
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &s->u.in.sin_addr, 4);
	memcpy(h + 16, &d->u.in.sin_addr, 4);
	{
		uint16_t c = csum_fold(csum_add(0, h, 20));
		h[10] = (uint8_t)(c >> 8);
		h[11] = (uint8_t)c;
	}
	return 20;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

void vnet_capture_write(struct vnet *v, const struct net_addr *src,
			const struct net_addr *dst, uint32_t *tcp_seq,
			int secure, const uint8_t *data, size_t len)
{
	struct pcap_pkthdr ph;
	uint8_t *pkt, *l4, *pay;
	size_t l4hdr = tcp_seq ? 20 : 8, extra = secure ? 5 : 0;
	size_t l4len = l4hdr + extra + len, iplen, i;
	uint32_t sum;

	if (!v->dump || net_addr_family(src) != net_addr_family(dst) ||
	    l4len > 65000)
		return;
	pkt = mem_alloc(40 + l4len);
	if (!pkt)
		return;
	iplen = ip_header(pkt, src, dst, tcp_seq ? 6 : 17, l4len);
	l4 = pkt + iplen;
	memset(l4, 0, l4hdr);
	put16(l4, net_addr_port(src));
	put16(l4 + 2, net_addr_port(dst));
	pay = l4 + l4hdr;
	if (secure) {
		/* TLS 1.2/1.3 application_data record header. */
		pay[0] = 23;
		pay[1] = 3;
		pay[2] = 3;
		put16(pay + 3, (uint16_t)len);
		for (i = 0; i < len; i++)
			pay[5 + i] = (uint8_t)(data[i] ^ rng_u32(&v->rng));
	} else if (len) {
		memcpy(pay, data, len);
	}
	if (tcp_seq) {
		put32(l4 + 4, *tcp_seq);
		*tcp_seq += (uint32_t)(len + extra);
		l4[12] = 5 << 4;
		l4[13] = 0x18;	/* PSH ACK */
		put16(l4 + 14, 65535);
	} else {
		put16(l4 + 4, (uint16_t)l4len);
	}
	sum = pseudo(src, dst, tcp_seq ? 6 : 17, l4len);
	sum = csum_add(sum, l4, l4len);
	/* UDP sends a computed 0 as 0xffff (RFC 768). */
	put16(l4 + (tcp_seq ? 16 : 6),
	      !tcp_seq && !csum_fold(sum) ? 0xffff : csum_fold(sum));
	ph.ts.tv_sec = (time_t)(v->now_us / 1000000);
	ph.ts.tv_usec = (suseconds_t)(v->now_us % 1000000);
	ph.caplen = ph.len = (bpf_u_int32)(iplen + l4len);
	pcap_dump((u_char *)v->dump, &ph, pkt);
	mem_free(pkt);
}
