/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 3263 server selection, sans-IO: which NAPTR records of a SIP domain
 * a client uses and in which order (RFC 3263 4.1, RFC 3403), and the order
 * in which the addresses found through SRV are tried (RFC 2782: priority
 * first, then a weighted random draw with the injected rng). The driver
 * (ref/io/io_dns.c) runs the queries and calls the NAPTR selection; the
 * proxy core (proxy_dns.c) orders the cached targets anew for every
 * request, so the SRV weights spread the load over time.
 */
#ifndef SIP_DNS_SEL_H
#define SIP_DNS_SEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/net.h"
#include "base/rng.h"

#define SIP_DNS_NAME 256	/* a domain name with its NUL */
#define SIP_DNS_MAX 32		/* targets of one name */

struct sip_dns_naptr {
	uint16_t order, pref;
	char flags[8];
	char service[32];
	char repl[SIP_DNS_NAME];	/* the SRV name it points to */
	enum net_tp tp;			/* set by sip_dns_naptr_select */
};

/*
 * Keep in place the records a SIP client can use: flag "S", a non-empty
 * replacement and a service we speak (SIP+D2U, SIP+D2T, SIPS+D2T; SIP+D2S
 * is recognised and dropped: no SCTP here), the first one of each
 * transport only; sorted by order, then preference. Returns how many.
 */
size_t sip_dns_naptr_select(struct sip_dns_naptr *r, size_t n);

/* The transport of a NAPTR service field; EPROTONOSUPPORT if none. */
int sip_dns_service_tp(const char *service, enum net_tp *tp);

/* One address reached through DNS. */
struct sip_dns_target {
	struct net_addr addr;	/* tp and port from the SRV record; port 0:
				 * A/AAAA without SRV (the URI's default) */
	uint32_t rank;		/* lower first: NAPTR position << 16 |
				 * SRV priority */
	uint16_t weight;	/* the SRV record's weight */
	uint16_t group;		/* the SRV record: its addresses together */
};

/*
 * RFC 2782 order, in place: rank ascending; within one rank the SRV
 * records (groups) are drawn one at a time, each with probability
 * weight / (sum of the weights left), weight-0 records first in the
 * running sum as the RFC says; a group's addresses stay together in
 * their order. n <= SIP_DNS_MAX (more are left at the end unordered).
 */
void sip_dns_order(struct sip_dns_target *t, size_t n, struct rng *rng);

#endif
