/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 3263 lookups for the live driver, off the event loop: worker
 * threads run each lookup with glibc's res_nquery() (NAPTR, SRV, A,
 * AAAA) and parse the answers with libresolv's ns_initparse/ns_parserr;
 * a one-timer core on the loop polls the finished ones every
 * DNS_POLL_US while any is in flight and hands the targets to a
 * callback on the loop's thread (the SIP core's resolver,
 * sip_proxy_resolved_targets). The key says which chain to run (see
 * sip_resolver_ops in sip/proxy.h): "naptr:NAME", "_sip._udp.NAME"
 * (and _tcp, _sips._tcp), or a bare NAME for A/AAAA.
 *
 * The DNS server is the system's (/etc/resolv.conf), or one given
 * address (refd's [dns] server, IPv4). Without a given server A/AAAA
 * go through getaddrinfo(), so /etc/hosts names resolve as before.
 * io_dns_free() stops and joins the workers (a query in progress
 * finishes first: at most the resolver's timeout, 2 x 1 s here).
 */
#ifndef IO_IO_DNS_H
#define IO_IO_DNS_H

#include <stddef.h>
#include <stdint.h>
#include "base/core.h"
#include "base/net.h"
#include "sip/dns_sel.h"

struct io_dns;

/* n targets for key (n 0: nothing found), valid for ttl_s; on the loop
 * thread. */
typedef void (io_dns_fn)(void *arg, const char *key,
			 const struct sip_dns_target *tg, size_t n,
			 uint32_t ttl_s);

/* Where answers come from. HOSTS sends nothing: /etc/hosts only. */
enum io_dns_mode {
	IO_DNS_SYSTEM,		/* resolv.conf's name servers, then hosts */
	IO_DNS_SERVER,		/* the one server given */
	IO_DNS_HOSTS,
};

struct io_loop;

/* SYSTEM when one of resolv.conf's name servers is an address the loop
 * may send to (io_allow_add), else HOSTS: refd never sends a packet
 * outside its networks, a DNS query included. */
enum io_dns_mode io_dns_system_mode(const struct io_loop *l);

/* server: for IO_DNS_SERVER. ENOMEM, EAGAIN (no thread). */
int io_dns_new(struct io_dns **dp, enum io_dns_mode mode,
	       const struct net_addr *server, io_dns_fn *fn, void *arg);

/* Up to max addresses of name in a hosts(5) file, port 0. */
size_t io_dns_hosts(const char *path, const char *name,
		    struct net_addr *out, size_t max);
/* Stops the workers and joins them; answers still due are dropped.
 * NULL ok. */
void io_dns_free(struct io_dns *d);
/* Start a lookup (never blocks). 0, EOVERFLOW (too many in flight),
 * EINVAL (key too long). */
int io_dns_lookup(struct io_dns *d, const char *key);

/* Attach with io_core_add(loop, &io_dns_ops, d, ...). */
extern const struct core_ops io_dns_ops;

/* One answer record of the type asked for. */
struct io_dns_rr {
	uint32_t ttl;
	union {
		struct sip_dns_naptr naptr;
		struct {
			uint16_t prio, weight, port;
			char target[SIP_DNS_NAME];
		} srv;
		struct net_addr addr;	/* A, AAAA (port 0) */
	} u;
};

/*
 * The answer records of type (ns_t_naptr, ns_t_srv, ns_t_a, ns_t_aaaa)
 * in a DNS response, at most max, through ns_initparse/ns_parserr:
 * 0 (*n set, CNAMEs and other types skipped), ENOENT (an error rcode:
 * NXDOMAIN...), EBADMSG (malformed). Exposed for tests and fuzzing.
 */
int io_dns_parse(const uint8_t *msg, size_t len, int type,
		 struct io_dns_rr *out, size_t max, size_t *n);

#endif
