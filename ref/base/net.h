/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses and packets shared by every sans-IO core and driver
 * (STYLE.md 2.6). A core takes struct net_pkt in through x_input() and
 * hands struct net_out back through x_output(); it never opens sockets.
 * Stream transports (TCP, TLS) are identified by a connection id that the
 * driver assigns; a core asks for a new connection with conn_id 0.
 */
#ifndef BASE_NET_H
#define BASE_NET_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "base/pl.h"

enum net_tp {
	NET_UDP = 0,
	NET_TCP,
	NET_TLS,
	NET_WS,
	NET_WSS,
	NET_SCTP,
	NET_TP_COUNT,
};

struct net_addr {
	enum net_tp tp;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
};

struct net_pkt {
	struct net_addr from;	/* remote peer */
	struct net_addr to;	/* our local address it arrived on */
	uint64_t conn_id;	/* stream transports: driver's connection id */
	const uint8_t *data;
	size_t len;
};

enum net_out_kind {
	NET_OUT_SEND = 0,	/* send data to dst (opening a stream if needed) */
	NET_OUT_CLOSE,		/* close the stream conn_id */
};

struct net_out {
	enum net_out_kind kind;
	struct net_addr src;	/* local address to send from (port 0: any) */
	struct net_addr dst;
	uint64_t conn_id;	/* 0: any/new connection to dst */
	const uint8_t *data;	/* valid until the next call into the core */
	size_t len;
};

/* "udp" "tcp" "tls" "ws" "wss" "sctp"; EINVAL when unknown. */
int net_tp_parse(const struct pl *pl, enum net_tp *out);
const char *net_tp_name(enum net_tp tp);
bool net_tp_is_stream(enum net_tp tp);
bool net_tp_is_secure(enum net_tp tp);

/*
 * "127.0.0.1:5060", "[::1]:5060", "host" (port = default_port).
 * Only numeric addresses: name resolution belongs to drivers. EINVAL.
 */
int net_addr_parse(const struct pl *pl, uint16_t default_port,
		   struct net_addr *out);
/* "udp:127.0.0.1:5060" style listen spec. EINVAL. */
int net_listen_parse(const struct pl *pl, struct net_addr *out);
/* "1.2.3.4:5060" or "[::1]:5060" into buf (>= NET_ADDR_STRLEN). */
#define NET_ADDR_STRLEN 64
const char *net_addr_str(const struct net_addr *a, char *buf, size_t sz);
/* Address only, without port. */
const char *net_addr_host(const struct net_addr *a, char *buf, size_t sz);
uint16_t net_addr_port(const struct net_addr *a);
void net_addr_set_port(struct net_addr *a, uint16_t port);
int net_addr_family(const struct net_addr *a);
socklen_t net_addr_len(const struct net_addr *a);
/* Same family, address and port (transport ignored). */
bool net_addr_eq(const struct net_addr *a, const struct net_addr *b);
/* Same address, ports ignored. */
bool net_addr_host_eq(const struct net_addr *a, const struct net_addr *b);
/* Whether a lies inside prefix/bits of the same family. */
bool net_addr_in_prefix(const struct net_addr *a, const struct net_addr *pfx,
			unsigned bits);
uint32_t net_addr_hash(const struct net_addr *a);

#endif
