/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The epoll loop: cores, the clock, deadlines, signals and the dispatch of
 * socket events to io_udp.c and io_conn.c. One turn fires due deadlines,
 * sweeps idle connections, sleeps in epoll_wait until the earliest
 * deadline (rounded up to the millisecond: SIP and RTP timers need no
 * finer), handles the events, then frees what was closed during the turn.
 * UDP sockets are edge-triggered (io_udp.c drains them, and puts one
 * still readable after its read bound on a pending list served at the
 * next turn, which then does not sleep: one busy peer cannot starve the
 * others, and a relay with thousands of ports does not pay epoll's
 * re-poll of every level-triggered socket it just read); streams, the
 * listeners and the signal fd stay level-triggered.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include "base/mem.h"
#include "io/io_int.h"

#define EV_MAX 64
#define SWEEP_US 1000000ull

uint64_t io_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

static int64_t wall_offset(void)
{
	struct timespec rt;
	uint64_t mono = io_now_us();

	clock_gettime(CLOCK_REALTIME, &rt);
	return (int64_t)((uint64_t)rt.tv_sec * 1000000ull +
			 (uint64_t)rt.tv_nsec / 1000) - (int64_t)mono;
}

int64_t io_wall_offset_us(const struct io_loop *l)
{
	return l->wall_offset_us;
}

int io_epoll_set(struct io_loop *l, struct io_sock *sk, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = sk };
	int op = sk->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (sk->events == events)
		return 0;
	/* events 0 is never used as an interest set: every socket we
	 * keep wants at least EPOLLIN, so 0 means "not registered". */
	if (epoll_ctl(l->epfd, op, sk->fd, &ev))
		return errno;
	sk->events = events;
	return 0;
}

void io_epoll_del(struct io_loop *l, struct io_sock *sk)
{
	if (sk->events && sk->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, sk->fd, NULL);
	sk->events = 0;
}

void io_sockaddr_to_net(const struct sockaddr_storage *ss, enum net_tp tp,
			struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->tp = tp;
	if (ss->ss_family == AF_INET6)
		memcpy(&out->u.in6, ss, sizeof(out->u.in6));
	else
		memcpy(&out->u.in, ss, sizeof(out->u.in));
}

bool io_allowed(const struct io_loop *l, const struct net_addr *a)
{
	size_t i;

	if (!l->nallow)
		return true;
	for (i = 0; i < l->nallow; i++)
		if (net_addr_in_prefix(a, &l->allow[i].pfx, l->allow[i].bits))
			return true;
	return false;
}

int io_allow_add(struct io_loop *l, const struct net_addr *pfx,
		 unsigned bits)
{
	struct io_allow *n;
	int fam = net_addr_family(pfx);

	if ((fam != AF_INET || bits > 32) && (fam != AF_INET6 || bits > 128))
		return EINVAL;
	n = mem_realloc(l->allow, (l->nallow + 1) * sizeof(*n));
	if (!n)
		return ENOMEM;
	l->allow = n;
	n[l->nallow].pfx = *pfx;
	n[l->nallow].bits = bits;
	l->nallow++;
	return 0;
}

/* Hand every pending action of c to the sockets. */
static int drain(struct io_loop *l, struct io_core *c)
{
	struct net_out o;
	int err;

	if (!c->ops)
		return 0;
	while ((err = c->ops->output(c->core, &o)) == 0) {
		if (o.kind == NET_OUT_CLOSE) {
			io_conn_close_req(l, c, o.conn_id);
			continue;
		}
		if (o.dst.tp == NET_UDP) {
			io_udp_send(l, c, &o);
			continue;
		}
		/* A stream write leaves at once: the datagrams batched
		 * before it leave first, so a core's outputs keep their
		 * order across transports (RTP, then the BYE over TCP). */
		io_udp_flush(l);
		io_conn_send(l, c, &o);
	}
	/* Inside a recvmmsg batch the datagrams of all its inputs leave
	 * together (one sendmmsg) when the batch is done. */
	if (!l->rx_batch)
		io_udp_flush(l);
	if (err != ENOENT)
		LOG_W(l->log, "core %s: output: %s", c->ops->name,
		      strerror(err));
	if (c->on_drain && !c->in_hook) {
		c->in_hook = true;
		c->on_drain(c->on_drain_arg, l, c);
		c->in_hook = false;
	}
	return err == ENOENT ? 0 : err;
}

void io_core_on_drain(struct io_core *c, io_drain_fn *fn, void *arg)
{
	c->on_drain = fn;
	c->on_drain_arg = arg;
}

int io_core_flush(struct io_loop *l, struct io_core *c)
{
	return drain(l, c);
}

int io_deliver(struct io_loop *l, struct io_core *c, const struct net_pkt *p)
{
	int err;

	if (l->shutdown)
		return 0;
	if (!c->ops) {
		if (p->data)
			l->st.sink_rx++;
		return 0;
	}
	err = c->ops->input(c->core, l->now_us, p);
	if (err)
		LOG_W(l->log, "core %s: input: %s", c->ops->name,
		      strerror(err));
	drain(l, c);
	return err;
}

int io_core_add(struct io_loop *l, const struct core_ops *ops, void *core,
		struct io_core **cp)
{
	struct io_core *c = mem_zalloc(sizeof(*c)), **pp;

	if (!c)
		return ENOMEM;
	c->ops = ops;
	c->core = core;
	/* Append: cores run their timers in the order they were added. */
	for (pp = &l->cores; *pp; pp = &(*pp)->next)
		;
	*pp = c;
	*cp = c;
	return 0;
}

int io_listen(struct io_loop *l, struct io_core *c, const struct net_addr *a,
	      struct net_addr *bound)
{
	struct net_addr b = *a;
	int err;

	switch (a->tp) {
	case NET_UDP:
		err = io_udp_bind(l, c, &b, 0, NULL);
		break;
	case NET_TLS:
		if (!l->tls_srv)
			return EINVAL;
		/* fall through */
	case NET_TCP:
		err = io_listener_open(l, c, &b);
		break;
	default:
		return EINVAL;
	}
	if (!err && bound)
		*bound = b;
	return err;
}

int io_listen_spec(struct io_loop *l, struct io_core *c, const char *specs,
		   char *err, size_t errsz)
{
	struct pl rest = pl_from_str(specs), one;
	struct net_addr a;
	int e;

	for (;;) {
		size_t n = 0;

		pl_ltrim(&rest);
		if (!rest.len)
			return 0;
		while (n < rest.len && rest.p[n] != ' ' && rest.p[n] != '\t')
			n++;
		one = pl_from_mem(rest.p, n);
		pl_advance(&rest, n);
		if (net_listen_parse(&one, &a)) {
			snprintf(err, errsz, "bad listen spec '%.*s'",
				 PL_ARG(one));
			return EINVAL;
		}
		if (a.tp != NET_UDP && a.tp != NET_TCP && a.tp != NET_TLS) {
			snprintf(err, errsz, "'%.*s': transport not served",
				 PL_ARG(one));
			return EINVAL;
		}
		e = io_listen(l, c, &a, NULL);
		if (e == EINVAL && a.tp == NET_TLS) {
			snprintf(err, errsz, "'%.*s': no TLS certificate",
				 PL_ARG(one));
			return e;
		}
		if (e) {
			snprintf(err, errsz, "cannot listen on '%.*s': %s",
				 PL_ARG(one), strerror(e));
			return e;
		}
	}
}

int io_loop_new(struct io_loop **lp, const struct io_opts *opts,
		char *err, size_t errsz)
{
	struct io_loop *l;
	int e = ENOMEM;

	l = mem_zalloc(sizeof(*l));
	if (!l) {
		snprintf(err, errsz, "out of memory");
		return ENOMEM;
	}
	l->epfd = -1;
	l->sigsk.fd = -1;
	l->o = *opts;
	l->o.tls_cert = l->o.tls_key = l->o.tls_ca = NULL;
	if (!l->o.max_conns)
		l->o.max_conns = 4096;
	if (!l->o.idle_timeout_us)
		l->o.idle_timeout_us = 300 * 1000000ull;
	if (!l->o.connect_timeout_us)
		l->o.connect_timeout_us = 10 * 1000000ull;
	if (!l->o.wq_max)
		l->o.wq_max = 1024 * 1024;
	if (!l->o.sockbuf)
		l->o.sockbuf = 4 * 1024 * 1024;
	if (opts->log) {
		l->log = opts->log;
	} else {
		log_init(&l->own_log, "io", LOG_INFO);
		l->log = &l->own_log;
	}
	l->wall_offset_us = wall_offset();
	l->now_us = io_now_us();
	l->next_conn_id = 1;
	l->next_udp_id = 1;
	signal(SIGPIPE, SIG_IGN);

	l->rx_bufs = mem_alloc((size_t)IO_BATCH * IO_DGRAM_MAX);
	l->rd_buf = mem_alloc(IO_READ_MAX);
	l->tx.arena = mem_alloc(IO_TX_ARENA);
	if (!l->rx_bufs || !l->rd_buf || !l->tx.arena ||
	    io_conn_table_init(l)) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	io_udp_rx_init(l);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		e = errno;
		snprintf(err, errsz, "epoll_create1: %s", strerror(e));
		goto out;
	}
	/* The TLS code reads the file names from l->o during init only. */
	l->o.tls_cert = opts->tls_cert;
	l->o.tls_key = opts->tls_key;
	l->o.tls_ca = opts->tls_ca;
	e = io_tls_init(l, err, errsz);
	l->o.tls_cert = l->o.tls_key = l->o.tls_ca = NULL;
	if (e)
		goto out;
	*lp = l;
	return 0;
out:
	io_loop_free(l);
	return e;
}

void io_loop_free(struct io_loop *l)
{
	struct io_listener *ls;
	struct io_core *c;

	if (!l)
		return;
	io_conn_table_fini(l);
	io_udp_free_all(l);
	while ((ls = l->listeners)) {
		l->listeners = ls->next;
		close(ls->sk.fd);
		mem_free(ls);
	}
	while ((c = l->cores)) {
		l->cores = c->next;
		mem_free(c);
	}
	if (l->sigsk.fd >= 0)
		close(l->sigsk.fd);
	if (l->epfd >= 0)
		close(l->epfd);
	io_tls_fini(l);
	mem_free(l->allow);
	mem_free(l->rx_bufs);
	mem_free(l->rd_buf);
	mem_free(l->tx.arena);
	mem_free(l);
}

int io_signals(struct io_loop *l, io_hup_fn *hup, void *arg)
{
	sigset_t set;
	int fd, err;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	err = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (err)
		return err;
	fd = signalfd(l->sigsk.fd, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return errno;
	l->hup = hup;
	l->hup_arg = arg;
	if (l->sigsk.fd >= 0)
		return 0;
	l->sigsk.kind = SK_SIGNAL;
	l->sigsk.fd = fd;
	return io_epoll_set(l, &l->sigsk, EPOLLIN);
}

static void signal_event(struct io_loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigsk.fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			LOG_I(l->log, "SIGHUP");
			if (l->hup)
				l->hup(l->hup_arg);
			continue;
		}
		LOG_I(l->log, "signal %u: stopping", si.ssi_signo);
		l->stop = true;
	}
}

void io_stop(struct io_loop *l)
{
	l->stop = true;
}

int io_stopped(const struct io_loop *l)
{
	return l->stop;
}

size_t io_shutdown(struct io_loop *l, int max_wait_ms)
{
	uint64_t end = io_now_us() + (uint64_t)(max_wait_ms > 0 ?
						  max_wait_ms : 0) * 1000;
	struct epoll_event evs[EV_MAX];
	struct io_listener *ls;
	size_t left;
	int i, n;

	io_udp_flush(l);
	l->shutdown = true;
	while ((ls = l->listeners)) {
		l->listeners = ls->next;
		io_epoll_del(l, &ls->sk);
		close(ls->sk.fd);
		mem_free(ls);
	}
	/* Datagrams and signals would only wake us up: stop listening. */
	io_udp_free_all(l);
	io_epoll_del(l, &l->sigsk);
	/* Cores are not called any more: closes are not announced. */
	for (;;) {
		struct io_conn *cn;

		l->now_us = io_now_us();
		left = io_conn_flush_all(l);
		for (cn = l->dead; cn; cn = cn->dead_next)
			cn->announced = false;
		io_conn_reap(l);
		if (!left || l->now_us >= end)
			return left;
		n = epoll_wait(l->epfd, evs, EV_MAX,
			       (int)((end - l->now_us + 999) / 1000));
		if (n < 0 && errno != EINTR)
			return left;
		for (i = 0; i < n; i++) {
			struct io_sock *sk = evs[i].data.ptr;
			/* Only connections in their setup may move on;
			 * readable sockets are left unread. */
			if (sk->kind == SK_CONN &&
			    ((struct io_conn *)sk)->state != CS_OPEN)
				io_conn_event(l, (struct io_conn *)sk,
					      evs[i].events);
		}
	}
}

const struct io_stats *io_stats(const struct io_loop *l)
{
	return &l->st;
}

size_t io_conn_count(const struct io_loop *l)
{
	return l->nconns;
}

/* Fire due deadlines; returns the earliest remaining one. */
static uint64_t run_timers(struct io_loop *l)
{
	uint64_t next = UINT64_MAX, d;
	struct io_core *c;

	for (c = l->cores; c; c = c->next) {
		if (!c->ops)
			continue;
		d = c->ops->deadline(c->core);
		if (d <= l->now_us) {
			int err = c->ops->timeout(c->core, l->now_us);
			if (err)
				LOG_W(l->log, "core %s: timeout: %s",
				      c->ops->name, strerror(err));
			drain(l, c);
			d = c->ops->deadline(c->core);
		}
		if (d < next)
			next = d;
	}
	return next;
}

static void dispatch(struct io_loop *l, struct io_sock *sk, uint32_t ev)
{
	switch (sk->kind) {
	case SK_UDP:
		io_udp_event(l, (struct io_udp *)sk, ev);
		break;
	case SK_LISTEN:
		io_listener_event(l, (struct io_listener *)sk);
		break;
	case SK_CONN:
		io_conn_event(l, (struct io_conn *)sk, ev);
		break;
	case SK_SIGNAL:
		signal_event(l);
		break;
	}
}

int io_run_once(struct io_loop *l, int max_wait_ms)
{
	struct epoll_event evs[EV_MAX];
	uint64_t next;
	int n, i, wait_ms;

	l->now_us = io_now_us();
	next = run_timers(l);
	if (l->now_us >= l->next_sweep_us) {
		uint64_t every = SWEEP_US;
		/* Sweep often enough for short timeouts (tests use them). */
		if (l->o.idle_timeout_us / 4 < every)
			every = l->o.idle_timeout_us / 4;
		if (l->o.connect_timeout_us / 4 < every)
			every = l->o.connect_timeout_us / 4;
		io_conn_sweep(l);
		l->next_sweep_us = l->now_us + every;
	}
	io_conn_reap(l);
	if (l->nconns && l->next_sweep_us < next)
		next = l->next_sweep_us;
	if (l->stop || l->udp_pending) {
		wait_ms = 0;
	} else if (next == UINT64_MAX) {
		wait_ms = max_wait_ms;
	} else {
		uint64_t now = io_now_us(), dt;
		dt = next > now ? (next - now + 999) / 1000 : 0;
		wait_ms = dt > 60000 ? 60000 : (int)dt;
		if (max_wait_ms >= 0 && max_wait_ms < wait_ms)
			wait_ms = max_wait_ms;
	}
	n = epoll_wait(l->epfd, evs, EV_MAX, wait_ms);
	if (n < 0)
		return errno == EINTR ? 0 : errno;
	l->now_us = io_now_us();
	/* Last turn's leftovers first, then what is newly readable. */
	io_udp_pending_run(l);
	for (i = 0; i < n; i++)
		dispatch(l, evs[i].data.ptr, evs[i].events);
	io_conn_reap(l);
	io_udp_free_all_dead(l);
	return 0;
}

int io_run(struct io_loop *l)
{
	int err;

	while (!l->stop)
		if ((err = io_run_once(l, -1)))
			return err;
	return 0;
}
