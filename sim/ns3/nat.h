/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT model for simulated networks (ns-3 has none). Pure table logic,
 * no ns-3 types: the shim calls it for every UDP datagram crossing a NAT
 * node. Behaviour per RFC 4787 terms:
 *   full      endpoint-independent mapping and filtering (full cone)
 *   address   endpoint-independent mapping, address-dependent filtering
 *   port      endpoint-independent mapping, address+port-dependent filtering
 *   symmetric address+port-dependent mapping and filtering
 * Mappings expire after timeout_us without outbound traffic (RFC 4787
 * REQ-5 asks for at least 2 minutes; tests use less). Addresses are IPv4
 * in host byte order.
 */
#ifndef NS3_NAT_H
#define NS3_NAT_H

#include <stddef.h>
#include <stdint.h>

enum nat_type {
	NAT_FULL_CONE = 0,
	NAT_ADDR_RESTRICTED,
	NAT_PORT_RESTRICTED,
	NAT_SYMMETRIC,
};

struct nat_map {
	uint32_t in_ip, dst_ip;		/* dst only for symmetric mappings */
	uint16_t in_port, dst_port, pub_port;
	uint64_t expires_us;
	/* last remote this mapping sent to, for filtering */
	uint32_t peer_ip[8];
	uint16_t peer_port[8];
	unsigned npeer;
};

struct nat {
	enum nat_type type;
	uint32_t pub_ip;
	uint64_t timeout_us;
	struct nat_map *maps;
	size_t n, cap;
	uint16_t next_port;
	uint64_t out_pkts, in_pkts, filtered, unmapped;
};

/* "full", "address", "port", "symmetric" (also "cone" = full). EINVAL. */
int nat_type_parse(const char *s, enum nat_type *out);
const char *nat_type_name(enum nat_type t);

void nat_init(struct nat *n, enum nat_type type, uint32_t pub_ip,
	      uint64_t timeout_us);
void nat_fini(struct nat *n);
/* Outbound datagram: the public port it leaves from. ENOMEM, EOVERFLOW
 * (no port left). */
int nat_out(struct nat *n, uint64_t now_us, uint32_t in_ip, uint16_t in_port,
	    uint32_t dst_ip, uint16_t dst_port, uint16_t *pub_port);
/* Inbound datagram to pub_port from src: the inside address, or ENOENT
 * (no live mapping) / EACCES (mapping exists, filter refuses src). */
int nat_in(struct nat *n, uint64_t now_us, uint16_t pub_port,
	   uint32_t src_ip, uint16_t src_port, uint32_t *in_ip,
	   uint16_t *in_port);

#endif
