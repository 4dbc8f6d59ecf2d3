/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link layers and encapsulations down to an IP packet: Ethernet with
 * 802.1Q/802.1ad tags, MPLS label stacks and PPPoE sessions; Linux cooked
 * captures v1 and v2; raw IP; BSD null/loopback; PPP (with or without the
 * HDLC address/control bytes, as ns-3 writes it) and Cisco HDLC; GRE with
 * its optional fields, carrying IP, Ethernet (0x6558) or ERSPAN types I, II
 * and III; VXLAN on UDP 4789. Anything else is counted as undecoded.
 * Bounds: every read is checked against the captured length; tunnels nest
 * at most 8 deep so a crafted packet cannot recurse forever.
 */
#include <string.h>
#include "replay/rpl_int.h"

#define MAX_DEPTH 8

enum {
	ET_IPV4 = 0x0800,
	ET_IPV6 = 0x86dd,
	ET_VLAN = 0x8100,
	ET_QINQ = 0x88a8,
	ET_QINQ_OLD = 0x9100,
	ET_MPLS = 0x8847,
	ET_MPLS_MC = 0x8848,
	ET_PPPOE = 0x8864,
	ET_TEB = 0x6558,	/* transparent Ethernet bridging (GRE) */
	ET_ERSPAN2 = 0x88be,
	ET_ERSPAN3 = 0x22eb,
};

bool rpl_dlt_supported(int dlt)
{
	switch (dlt) {
	case RPL_DLT_NULL: case RPL_DLT_EN10MB: case RPL_DLT_PPP:
	case RPL_DLT_RAW: case RPL_DLT_RAW14: case RPL_DLT_PPP_SERIAL:
	case RPL_DLT_LINKTYPE_RAW: case RPL_DLT_C_HDLC: case RPL_DLT_LOOP:
	case RPL_DLT_LINUX_SLL: case RPL_DLT_IPV4: case RPL_DLT_IPV6:
	case RPL_DLT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

static void undecoded(struct rpl *r)
{
	r->st.frames_undecoded++;
}

static void ether(struct rpl *r, const uint8_t *p, size_t n)
{
	if (n < 14) {
		undecoded(r);
		return;
	}
	rpl_ether_input(r, rpl_be16(p + 12), p + 14, n - 14);
}

/* PPP protocol field: 1 byte when compressed (odd), else 2 (RFC 1661 2). */
static void ppp(struct rpl *r, const uint8_t *p, size_t n)
{
	uint16_t proto;

	if (n >= 2 && p[0] == 0xff && p[1] == 0x03) {
		p += 2;
		n -= 2;
	}
	if (n < 1) {
		undecoded(r);
		return;
	}
	if (p[0] & 1) {
		proto = p[0];
		p++;
		n--;
	} else {
		if (n < 2) {
			undecoded(r);
			return;
		}
		proto = rpl_be16(p);
		p += 2;
		n -= 2;
	}
	if (proto == 0x21)
		rpl_ether_input(r, ET_IPV4, p, n);
	else if (proto == 0x57)
		rpl_ether_input(r, ET_IPV6, p, n);
	else
		undecoded(r);
}

void rpl_ether_input(struct rpl *r, uint16_t etype, const uint8_t *p,
		     size_t n)
{
	int tags = 0;

	while (etype == ET_VLAN || etype == ET_QINQ || etype == ET_QINQ_OLD) {
		if (n < 4 || ++tags > MAX_DEPTH) {
			undecoded(r);
			return;
		}
		etype = rpl_be16(p + 2);
		p += 4;
		n -= 4;
	}
	switch (etype) {
	case ET_IPV4:
	case ET_IPV6:
		rpl_ip_input(r, p, n);
		return;
	case ET_MPLS:
	case ET_MPLS_MC:
		/* Labels until bottom-of-stack; the payload type is not
		 * signalled, so guess from the IP version nibble. */
		while (n >= 4) {
			bool bos = p[2] & 1;

			p += 4;
			n -= 4;
			if (bos) {
				rpl_ip_input(r, p, n);
				return;
			}
		}
		undecoded(r);
		return;
	case ET_PPPOE:
		if (n < 6) {
			undecoded(r);
			return;
		}
		ppp(r, p + 6, n - 6);
		return;
	default:
		undecoded(r);
	}
}

/* BSD null/loop: a 4-byte address family, host order for DLT_NULL (so
 * either byte order), network order for DLT_LOOP. IPv6 is 24, 28 or 30
 * depending on the BSD. */
static void null_loop(struct rpl *r, const uint8_t *p, size_t n)
{
	uint32_t be, le, af;

	if (n < 4) {
		undecoded(r);
		return;
	}
	be = rpl_be32(p);
	le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	     (uint32_t)p[1] << 8 | p[0];
	af = be < 256 ? be : le;
	if (af == 2 || af == 24 || af == 28 || af == 30 || af == 10)
		rpl_ip_input(r, p + 4, n - 4);
	else
		undecoded(r);
}

void rpl_link_input(struct rpl *r, int dlt, const uint8_t *p, size_t n)
{
	switch (dlt) {
	case RPL_DLT_EN10MB:
		ether(r, p, n);
		return;
	case RPL_DLT_LINUX_SLL:
		/* packet type, ARPHRD, addr len, 8 addr bytes, protocol */
		if (n < 16) {
			undecoded(r);
			return;
		}
		rpl_ether_input(r, rpl_be16(p + 14), p + 16, n - 16);
		return;
	case RPL_DLT_LINUX_SLL2:
		/* protocol, reserved, ifindex, ARPHRD, type, addr len, addr */
		if (n < 20) {
			undecoded(r);
			return;
		}
		rpl_ether_input(r, rpl_be16(p), p + 20, n - 20);
		return;
	case RPL_DLT_RAW: case RPL_DLT_RAW14: case RPL_DLT_LINKTYPE_RAW:
	case RPL_DLT_IPV4: case RPL_DLT_IPV6:
		rpl_ip_input(r, p, n);
		return;
	case RPL_DLT_NULL: case RPL_DLT_LOOP:
		null_loop(r, p, n);
		return;
	case RPL_DLT_PPP: case RPL_DLT_PPP_SERIAL:
		ppp(r, p, n);
		return;
	case RPL_DLT_C_HDLC:
		if (n < 4) {
			undecoded(r);
			return;
		}
		rpl_ether_input(r, rpl_be16(p + 2), p + 4, n - 4);
		return;
	default:
		undecoded(r);
	}
}

/* GRE (RFC 2784/2890) and what Cisco ERSPAN puts in it. */
static void gre(struct rpl *r, const uint8_t *p, size_t n)
{
	uint16_t flags, proto;
	size_t hl = 4;

	if (n < 4)
		goto bad;
	flags = rpl_be16(p);
	proto = rpl_be16(p + 2);
	if ((flags & 7) != 0)	/* version 1 (PPTP) is not SIP's business */
		goto bad;
	if (flags & 0x8000)
		hl += 4;	/* checksum + reserved */
	if (flags & 0x2000)
		hl += 4;	/* key */
	if (flags & 0x1000)
		hl += 4;	/* sequence */
	if (n < hl)
		goto bad;
	p += hl;
	n -= hl;
	switch (proto) {
	case ET_ERSPAN2:
		/* Type II has the S bit and an 8-byte header; type I has
		 * neither and carries the frame right away. */
		if (flags & 0x1000) {
			if (n < 8)
				goto bad;
			p += 8;
			n -= 8;
		}
		ether(r, p, n);
		return;
	case ET_ERSPAN3:
		if (n < 12)
			goto bad;
		/* O flag: an 8-byte platform-specific subheader follows */
		hl = (p[11] & 1) ? 20 : 12;
		if (n < hl)
			goto bad;
		ether(r, p + hl, n - hl);
		return;
	case ET_TEB:
		ether(r, p, n);
		return;
	default:
		rpl_ether_input(r, proto, p, n);
		return;
	}
bad:
	undecoded(r);
}

void rpl_l4_input(struct rpl *r, uint8_t proto, const struct rpl_ep *src,
		  const struct rpl_ep *dst, const uint8_t *p, size_t n)
{
	struct rpl_ep s = *src, d = *dst;
	struct rpl_pdu pdu;
	size_t ulen;

	switch (proto) {
	case 4:		/* IP in IP */
	case 41:	/* IPv6 in IP */
	case 47:	/* GRE */
		if (r->depth >= MAX_DEPTH) {
			undecoded(r);
			return;
		}
		r->st.tunnels++;
		r->depth++;
		if (proto == 47)
			gre(r, p, n);
		else
			rpl_ip_input(r, p, n);
		r->depth--;
		return;
	case 6:
		rpl_tcp_input(r, src, dst, p, n);
		return;
	case 132:
		rpl_sctp_input(r, src, dst, p, n);
		return;
	case 17:
		break;
	default:
		return;		/* ICMP, ESP...: IP but nothing of ours */
	}
	if (n < 8) {
		undecoded(r);
		return;
	}
	r->st.udp++;
	s.port = rpl_be16(p);
	d.port = rpl_be16(p + 2);
	ulen = rpl_be16(p + 4);
	/* Trust the UDP length when it fits; a zero length is seen with
	 * jumbograms and with some offloaded captures. */
	if (ulen >= 8 && ulen <= n)
		n = ulen;
	p += 8;
	n -= 8;
	if (d.port == 4789 && n >= 8 && (p[0] & 0x08) &&
	    r->depth < MAX_DEPTH) {
		/* VXLAN (RFC 7348): 8-byte header with the I flag */
		r->st.tunnels++;
		r->depth++;
		ether(r, p + 8, n - 8);
		r->depth--;
		return;
	}
	memset(&pdu, 0, sizeof(pdu));
	pdu.ts_us = r->now_us;
	pdu.tp = RPL_TP_UDP;
	pdu.src = s;
	pdu.dst = d;
	pdu.data = p;
	pdu.len = n;
	rpl_app_input(r, &pdu);
}
