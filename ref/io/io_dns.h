/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host name lookups for the live driver, off the event loop: glibc's
 * getaddrinfo_a() runs each lookup in its own thread; a one-timer core on
 * the loop polls the finished ones every DNS_POLL_US while any is in
 * flight and hands the addresses to a callback on the loop's thread (the
 * SIP core's resolver, sip_proxy_resolved). /etc/hosts names resolve as
 * the system resolver resolves them.
 */
#ifndef IO_IO_DNS_H
#define IO_IO_DNS_H

#include <stddef.h>
#include "base/core.h"
#include "base/net.h"

struct io_dns;

/* n addresses of name (n 0: it does not resolve); on the loop thread. */
typedef void (io_dns_fn)(void *arg, const char *name,
			 const struct net_addr *addrs, size_t n);

int io_dns_new(struct io_dns **dp, io_dns_fn *fn, void *arg);
/* Cancels what is in flight. NULL ok. */
void io_dns_free(struct io_dns *d);
/* Start a lookup (never blocks). 0, EOVERFLOW (too many in flight),
 * ENOMEM, EAGAIN (the system refused). */
int io_dns_lookup(struct io_dns *d, const char *name);

/* Attach with io_core_add(loop, &io_dns_ops, d, ...). */
extern const struct core_ops io_dns_ops;

#endif
