/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * io_dns.h: getaddrinfo_a (GAI_NOWAIT) lookups polled by a one-timer
 * core. Bounded: DNS_MAX lookups in flight, each at most DNS_LIMIT_US
 * (then reported as not resolving and cancelled).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "base/mem.h"
#include "io/io.h"
#include "io/io_dns.h"

#define DNS_MAX 32
#define DNS_POLL_US 2000ull
#define DNS_LIMIT_US 5000000ull
#define DNS_ADDRS 4

struct req {
	bool used;
	char name[256];
	struct gaicb cb;
	struct addrinfo hints;
	uint64_t started;
};

struct io_dns {
	io_dns_fn *fn;
	void *arg;
	struct req r[DNS_MAX];
	unsigned busy;
	uint64_t next_poll;	/* a fixed instant: the loop fires what is
				 * due, so "now + x" would never be */
};

int io_dns_new(struct io_dns **dp, io_dns_fn *fn, void *arg)
{
	struct io_dns *d = mem_zalloc(sizeof(*d));

	if (!d)
		return ENOMEM;
	d->fn = fn;
	d->arg = arg;
	*dp = d;
	return 0;
}

static void release(struct io_dns *d, struct req *q)
{
	if (q->cb.ar_result)
		freeaddrinfo(q->cb.ar_result);
	memset(q, 0, sizeof(*q));
	d->busy--;
}

void io_dns_free(struct io_dns *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < DNS_MAX; i++) {
		struct req *q = &d->r[i];

		if (!q->used)
			continue;
		/* A lookup still running owns q: wait for it to end. */
		if (gai_cancel(&q->cb) == EAI_NOTCANCELED)
			while (gai_error(&q->cb) == EAI_INPROGRESS)
				;	/* bounded by the resolver's timeout */
		release(d, q);
	}
	mem_free(d);
}

int io_dns_lookup(struct io_dns *d, const char *name)
{
	struct gaicb *list[1];
	struct req *q = NULL;
	size_t i;

	for (i = 0; i < DNS_MAX && !q; i++)
		if (!d->r[i].used)
			q = &d->r[i];
	if (!q)
		return EOVERFLOW;
	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->hints.ai_family = AF_UNSPEC;
	q->hints.ai_socktype = SOCK_DGRAM;
	q->cb.ar_name = q->name;
	q->cb.ar_request = &q->hints;
	list[0] = &q->cb;
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL))
		return EAGAIN;
	q->used = true;
	q->started = io_now_us();
	if (!d->busy++)
		d->next_poll = q->started + DNS_POLL_US;
	return 0;
}

static void finish(struct io_dns *d, struct req *q, bool ok)
{
	struct net_addr a[DNS_ADDRS];
	struct addrinfo *ai;
	char name[256];
	size_t n = 0;

	for (ai = ok ? q->cb.ar_result : NULL; ai && n < DNS_ADDRS;
	     ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		memset(&a[n], 0, sizeof(a[n]));
		memcpy(&a[n].u, ai->ai_addr, ai->ai_addrlen <= sizeof(a[n].u) ?
		       ai->ai_addrlen : sizeof(a[n].u));
		a[n].tp = NET_UDP;
		n++;
	}
	memcpy(name, q->name, sizeof(name));
	release(d, q);
	d->fn(d->arg, name, a, n);
}

static int dns_input(void *c, uint64_t now, const struct net_pkt *in)
{
	(void)c;
	(void)now;
	(void)in;
	return 0;
}

static int dns_timeout(void *c, uint64_t now)
{
	struct io_dns *d = c;
	size_t i;
	int e;

	for (i = 0; i < DNS_MAX && d->busy; i++) {
		struct req *q = &d->r[i];

		if (!q->used)
			continue;
		e = gai_error(&q->cb);
		if (e == EAI_INPROGRESS) {
			if (now - q->started < DNS_LIMIT_US ||
			    gai_cancel(&q->cb) == EAI_NOTCANCELED)
				continue;
			finish(d, q, false);
			continue;
		}
		finish(d, q, e == 0);
	}
	d->next_poll = now + DNS_POLL_US;
	return 0;
}

static int dns_output(void *c, struct net_out *out)
{
	(void)c;
	(void)out;
	return ENOENT;
}

static uint64_t dns_deadline(void *c)
{
	struct io_dns *d = c;

	return d->busy ? d->next_poll : UINT64_MAX;
}

const struct core_ops io_dns_ops = {
	.name = "dns",
	.input = dns_input,
	.timeout = dns_timeout,
	.output = dns_output,
	.deadline = dns_deadline,
};
