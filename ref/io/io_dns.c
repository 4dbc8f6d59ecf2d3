/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * io_dns.h: RFC 3263 chains (NAPTR -> SRV -> A/AAAA) on DNS_THREADS
 * worker threads, polled from the loop by a one-timer core. Bounded:
 * DNS_MAX lookups queued or running; each query at most 2 tries of 1 s
 * per server; DNS_ADDRS addresses per name, SIP_DNS_MAX targets per key.
 * The slots are fixed (nothing allocated on a worker); one mutex guards
 * their states, a condition variable wakes the workers.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include "base/mem.h"
#include "io/io.h"
#include "io/io_dns.h"
#include "io/io_int.h"

#define DNS_MAX 32
#define DNS_THREADS 2
#define DNS_POLL_US 2000ull
#define DNS_ADDRS 4
#define DNS_RRS 16
#define DNS_TTL_HOSTS 60	/* getaddrinfo gives no TTL */

enum slot_state { SL_FREE = 0, SL_QUEUED, SL_RUNNING, SL_DONE };

struct slot {
	enum slot_state st;
	char key[SIP_DNS_NAME + 16];
	struct sip_dns_target tg[SIP_DNS_MAX];
	size_t n;
	uint32_t ttl;
};

struct io_dns {
	io_dns_fn *fn;
	void *arg;
	enum io_dns_mode mode;
	bool has_server, stop;
	struct sockaddr_in server;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th[DNS_THREADS];
	size_t nth;
	struct slot s[DNS_MAX];
	unsigned busy;		/* slots not free; loop thread only */
	uint64_t next_poll;	/* a fixed instant: the loop fires what is
				 * due, so "now + x" would never be */
};

/* One worker's resolver state and the chain being built. */
struct job {
	struct io_dns *d;
	struct __res_state rs;
	struct slot *sl;
	uint16_t group;
	bool dead;	/* a query timed out: the server is not answering */
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A <character-string> (RFC 1035 3.3) at *p into dst. */
static int charstr(const uint8_t **p, const uint8_t *end, char *dst,
		   size_t sz)
{
	size_t l;

	if (*p >= end || (size_t)(end - *p) < 1u + **p)
		return EBADMSG;
	l = **p;
	if (l >= sz)
		return EBADMSG;
	memcpy(dst, *p + 1, l);
	dst[l] = 0;
	*p += 1 + l;
	return 0;
}

static int rr_data(const ns_msg *h, const ns_rr *rr, int type,
		   struct io_dns_rr *o)
{
	const uint8_t *p = ns_rr_rdata(*rr), *end = p + ns_rr_rdlen(*rr);
	size_t len = ns_rr_rdlen(*rr);
	char *name;
	int err;

	memset(o, 0, sizeof(*o));
	o->ttl = ns_rr_ttl(*rr);
	switch (type) {
	case ns_t_a:
		if (len != 4)
			return EBADMSG;
		o->u.addr.u.in.sin_family = AF_INET;
		memcpy(&o->u.addr.u.in.sin_addr, p, 4);
		return 0;
	case ns_t_aaaa:
		if (len != 16)
			return EBADMSG;
		o->u.addr.u.in6.sin6_family = AF_INET6;
		memcpy(&o->u.addr.u.in6.sin6_addr, p, 16);
		return 0;
	case ns_t_srv:
		if (len < 7)
			return EBADMSG;
		o->u.srv.prio = get16(p);
		o->u.srv.weight = get16(p + 2);
		o->u.srv.port = get16(p + 4);
		p += 6;
		name = o->u.srv.target;
		break;
	case ns_t_naptr:
		if (len < 7)
			return EBADMSG;
		o->u.naptr.order = get16(p);
		o->u.naptr.pref = get16(p + 2);
		p += 4;
		if ((err = charstr(&p, end, o->u.naptr.flags,
				   sizeof(o->u.naptr.flags))) ||
		    (err = charstr(&p, end, o->u.naptr.service,
				   sizeof(o->u.naptr.service))))
			return err;
		{
			char re[256];

			if ((err = charstr(&p, end, re, sizeof(re))))
				return err;
		}
		name = o->u.naptr.repl;
		break;
	default:
		return EBADMSG;
	}
	/* the domain name closing SRV and NAPTR data (root: ".") */
	if (p >= end || ns_name_uncompress(ns_msg_base(*h), ns_msg_end(*h), p,
					   name, SIP_DNS_NAME) < 0)
		return EBADMSG;
	return 0;
}

int io_dns_parse(const uint8_t *msg, size_t len, int type,
		 struct io_dns_rr *out, size_t max, size_t *n)
{
	ns_msg h;
	ns_rr rr;
	int i, cnt;

	*n = 0;
	if (len > 65535 || ns_initparse(msg, (int)len, &h) < 0)
		return EBADMSG;
	if (ns_msg_getflag(h, ns_f_rcode) != ns_r_noerror)
		return ENOENT;
	cnt = ns_msg_count(h, ns_s_an);
	for (i = 0; i < cnt && *n < max; i++) {
		if (ns_parserr(&h, ns_s_an, i, &rr) < 0)
			return EBADMSG;
		if ((int)ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in)
			continue;	/* the CNAME chain, ... */
		if (rr_data(&h, &rr, type, &out[*n]))
			continue;	/* one bad record: the others count */
		(*n)++;
	}
	return 0;
}

/* Records of type for name; 0 found (n may be 0). */
static size_t query(struct job *j, const char *name, int type,
		    struct io_dns_rr *out, size_t max)
{
	uint8_t ans[4096];
	size_t n = 0;
	int len;

	if (j->d->mode == IO_DNS_HOSTS)
		return 0;
	len = res_nquery(&j->rs, name, ns_c_in, type, ans, sizeof(ans));
	if (len <= 0) {
		/* NXDOMAIN, NODATA: go on; no answer at all: the rest of the
		 * chain would wait as long again, for nothing */
		if (j->rs.res_h_errno == TRY_AGAIN)
			j->dead = true;
		return 0;
	}
	if (io_dns_parse(ans, (size_t)len > sizeof(ans) ? sizeof(ans) :
			 (size_t)len, type, out, max, &n))
		return 0;
	return n;
}

static void add(struct job *j, const struct net_addr *a, uint16_t port,
		enum net_tp tp, uint32_t rank, uint16_t weight, uint32_t ttl)
{
	struct sip_dns_target *t;

	if (j->sl->n >= SIP_DNS_MAX)
		return;
	t = &j->sl->tg[j->sl->n++];
	memset(t, 0, sizeof(*t));
	t->addr = *a;
	t->addr.tp = tp;
	net_addr_set_port(&t->addr, port);
	t->rank = rank;
	t->weight = weight;
	t->group = j->group;
	if (ttl < j->sl->ttl)
		j->sl->ttl = ttl;
}

/* A and AAAA of name as targets (one group). */
static size_t addrs(struct job *j, const char *name, uint16_t port,
		    enum net_tp tp, uint32_t rank, uint16_t weight)
{
	struct io_dns_rr rr[DNS_ADDRS];
	struct addrinfo hints, *res, *ai;
	size_t n0 = j->sl->n, n, i, k;

	if (j->d->has_server) {
		static const int types[2] = { ns_t_aaaa, ns_t_a };

		for (k = 0; k < 2 && !j->dead; k++) {
			n = query(j, name, types[k], rr, DNS_ADDRS);
			for (i = 0; i < n; i++)
				add(j, &rr[i].u.addr, port, tp, rank, weight,
				    rr[i].ttl);
		}
	} else if (j->d->mode == IO_DNS_HOSTS) {
		struct net_addr a[DNS_ADDRS];

		n = io_dns_hosts("/etc/hosts", name, a, DNS_ADDRS);
		for (i = 0; i < n; i++)
			add(j, &a[i], port, tp, rank, weight, DNS_TTL_HOSTS);
	} else {
		/* the system's way: /etc/hosts first, as before */
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_DGRAM;
		if (!getaddrinfo(name, NULL, &hints, &res)) {
			for (ai = res, n = 0; ai && n < DNS_ADDRS;
			     ai = ai->ai_next) {
				struct net_addr a;

				if (ai->ai_family != AF_INET &&
				    ai->ai_family != AF_INET6)
					continue;
				memset(&a, 0, sizeof(a));
				memcpy(&a.u, ai->ai_addr,
				       ai->ai_addrlen <= sizeof(a.u) ?
				       ai->ai_addrlen : sizeof(a.u));
				add(j, &a, port, tp, rank, weight,
				    DNS_TTL_HOSTS);
				n++;
			}
			freeaddrinfo(res);
		}
	}
	j->group++;
	return j->sl->n - n0;
}

static bool stopping(struct job *j)
{
	bool s;

	if (j->dead)
		return true;
	pthread_mutex_lock(&j->d->mu);
	s = j->d->stop;
	pthread_mutex_unlock(&j->d->mu);
	return s;
}

/* SRV of name (RFC 2782), each target's addresses; rank_hi: the
 * NAPTR position. Returns the targets added. */
static size_t srv(struct job *j, const char *name, enum net_tp tp,
		  uint32_t rank_hi)
{
	struct io_dns_rr rr[DNS_RRS];
	size_t n, i, got = 0;

	n = query(j, name, ns_t_srv, rr, DNS_RRS);
	for (i = 0; i < n && !stopping(j); i++) {
		/* "." : the service is decidedly not there (RFC 2782) */
		if (!rr[i].u.srv.target[0] || !strcmp(rr[i].u.srv.target, "."))
			continue;
		if (rr[i].ttl < j->sl->ttl)
			j->sl->ttl = rr[i].ttl;
		got += addrs(j, rr[i].u.srv.target, rr[i].u.srv.port, tp,
			     rank_hi << 16 | rr[i].u.srv.prio,
			     rr[i].u.srv.weight);
	}
	return got;
}

static const struct {
	const char *prefix;
	enum net_tp tp;
} srv_names[] = {
	{ "_sip._udp.", NET_UDP },
	{ "_sip._tcp.", NET_TCP },
	{ "_sips._tcp.", NET_TLS },
};

static void resolve(struct job *j)
{
	const char *key = j->sl->key, *name = key;
	struct io_dns_rr rr[DNS_RRS];
	struct sip_dns_naptr na[DNS_RRS];
	char q[SIP_DNS_NAME + 16];
	size_t n, i;

	j->sl->n = 0;
	j->sl->ttl = UINT32_MAX;
	j->group = 0;
	j->dead = false;
	if (!strncmp(key, "naptr:", 6)) {
		name = key + 6;
		/* RFC 3263 4.1: NAPTR; the SRV names they point to */
		n = query(j, name, ns_t_naptr, rr, DNS_RRS);
		for (i = 0; i < n; i++) {
			na[i] = rr[i].u.naptr;
			if (rr[i].ttl < j->sl->ttl)
				j->sl->ttl = rr[i].ttl;
		}
		n = sip_dns_naptr_select(na, n);
		for (i = 0; i < n && !stopping(j); i++)
			srv(j, na[i].repl, na[i].tp, (uint32_t)i);
		/* no NAPTR: SRV of each transport, UDP first for sip */
		for (i = 0; !n && i < 3 && !stopping(j); i++) {
			snprintf(q, sizeof(q), "%s%s", srv_names[i].prefix,
				 name);
			srv(j, q, srv_names[i].tp, (uint32_t)i);
		}
	} else {
		for (i = 0; i < 3; i++) {
			size_t l = strlen(srv_names[i].prefix);

			if (strncasecmp(key, srv_names[i].prefix, l))
				continue;
			name = key + l;
			srv(j, key, srv_names[i].tp, 0);
			break;
		}
	}
	/* RFC 3263 4.2: no SRV at all, the name's own addresses (port 0:
	 * the core puts the URI's default) */
	if (!j->sl->n && (!j->dead || !j->d->has_server)) {
		j->dead = false;	/* getaddrinfo: /etc/hosts may know */
		if (!stopping(j))
			addrs(j, name, 0, NET_UDP, 0, 0);
	}
	if (j->sl->ttl == UINT32_MAX)
		j->sl->ttl = 0;
}

static void *worker(void *arg)
{
	struct job j;
	size_t i;

	memset(&j, 0, sizeof(j));
	j.d = arg;
	if (res_ninit(&j.rs) == 0) {
		j.rs.retrans = 1;
		j.rs.retry = 2;
		if (j.d->has_server) {
			j.rs.nscount = 1;
			j.rs.nsaddr_list[0] = j.d->server;
		}
	}
	pthread_mutex_lock(&j.d->mu);
	while (!j.d->stop) {
		for (i = 0; i < DNS_MAX; i++)
			if (j.d->s[i].st == SL_QUEUED)
				break;
		if (i == DNS_MAX) {
			pthread_cond_wait(&j.d->cv, &j.d->mu);
			continue;
		}
		j.sl = &j.d->s[i];
		j.sl->st = SL_RUNNING;
		pthread_mutex_unlock(&j.d->mu);
		resolve(&j);
		pthread_mutex_lock(&j.d->mu);
		j.sl->st = SL_DONE;
	}
	pthread_mutex_unlock(&j.d->mu);
	res_nclose(&j.rs);
	return NULL;
}

size_t io_dns_hosts(const char *path, const char *name,
		    struct net_addr *out, size_t max)
{
	char line[1024], b6[80], *save, *w, *addr;
	FILE *f = fopen(path, "re");
	size_t n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct pl p;

		line[strcspn(line, "#\n")] = '\0';
		addr = strtok_r(line, " \t", &save);
		if (!addr)
			continue;
		while ((w = strtok_r(NULL, " \t", &save)))
			if (!strcasecmp(w, name))
				break;
		if (!w)
			continue;
		/* a bare IPv6 address: the parser wants it bracketed */
		snprintf(b6, sizeof(b6), strchr(addr, ':') ? "[%s]" : "%s",
			 addr);
		p = pl_from_str(b6);
		if (!net_addr_parse(&p, 0, &out[n]))
			n++;
	}
	fclose(f);
	return n;
}

enum io_dns_mode io_dns_system_mode(const struct io_loop *l)
{
	struct __res_state rs;
	enum io_dns_mode m = IO_DNS_HOSTS;
	int i;

	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs))
		return m;
	for (i = 0; i < rs.nscount && m == IO_DNS_HOSTS; i++) {
		struct net_addr a;

		memset(&a, 0, sizeof(a));
		a.u.in = rs.nsaddr_list[i];
		if (io_allowed(l, &a))
			m = IO_DNS_SYSTEM;
	}
	res_nclose(&rs);
	return m;
}

int io_dns_new(struct io_dns **dp, enum io_dns_mode mode,
	       const struct net_addr *server, io_dns_fn *fn, void *arg)
{
	struct io_dns *d = mem_zalloc(sizeof(*d));
	sigset_t all, old;
	size_t i;

	if (!d)
		return ENOMEM;
	d->fn = fn;
	d->arg = arg;
	d->mode = mode;
	if (mode == IO_DNS_SERVER && server &&
	    net_addr_family(server) == AF_INET) {
		d->has_server = true;
		d->server = server->u.in;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	/* Workers take no signal: SIGTERM must reach the loop's signalfd,
	 * which may be set up after them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < DNS_THREADS; i++) {
		if (pthread_create(&d->th[i], NULL, worker, d))
			break;
		d->nth++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!d->nth) {
		io_dns_free(d);
		return EAGAIN;
	}
	*dp = d;
	return 0;
}

void io_dns_free(struct io_dns *d)
{
	size_t i;

	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	/* a query in flight ends within the resolver's timeout */
	for (i = 0; i < d->nth; i++)
		pthread_join(d->th[i], NULL);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	mem_free(d);
}

int io_dns_lookup(struct io_dns *d, const char *key)
{
	struct slot *sl = NULL;
	size_t i;

	if (strlen(key) >= sizeof(d->s[0].key))
		return EINVAL;
	pthread_mutex_lock(&d->mu);
	for (i = 0; i < DNS_MAX && !sl; i++)
		if (d->s[i].st == SL_FREE)
			sl = &d->s[i];
	if (sl) {
		snprintf(sl->key, sizeof(sl->key), "%s", key);
		sl->st = SL_QUEUED;
		pthread_cond_signal(&d->cv);
	}
	pthread_mutex_unlock(&d->mu);
	if (!sl)
		return EOVERFLOW;
	if (!d->busy++)
		d->next_poll = io_now_us() + DNS_POLL_US;
	return 0;
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
	struct sip_dns_target tg[SIP_DNS_MAX];
	char key[sizeof(d->s[0].key)];
	uint32_t ttl;
	size_t i, n;

	for (i = 0; i < DNS_MAX && d->busy; i++) {
		struct slot *sl = &d->s[i];

		pthread_mutex_lock(&d->mu);
		if (sl->st != SL_DONE) {
			pthread_mutex_unlock(&d->mu);
			continue;
		}
		/* copied out: the callback may start a lookup in this slot */
		memcpy(key, sl->key, sizeof(key));
		n = sl->n;
		memcpy(tg, sl->tg, n * sizeof(*tg));
		ttl = sl->ttl;
		sl->st = SL_FREE;
		pthread_mutex_unlock(&d->mu);
		d->busy--;
		d->fn(d->arg, key, tg, n, ttl);
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
