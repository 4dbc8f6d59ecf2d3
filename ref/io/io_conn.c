/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stream connections (TCP, and TLS through io_tls.c): listeners and
 * accept, non-blocking connect, reads handed to the core as chunks, a
 * bounded write queue per connection, the idle sweep, and the table that
 * finds a connection by id or by (core, transport, peer).
 *
 * The table has a fixed number of buckets sized from max_conns (STYLE 2.5:
 * hard memory bound); past max_conns new connections are refused. A
 * closed connection is unlinked at once but freed at the end of the turn
 * (io_conn_reap), after its core was told, so that an event for it still
 * waiting in this turn's epoll vector never touches freed memory.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "base/mem.h"
#include "io/io_int.h"

#define ACCEPT_MAX 64	/* accepts per readiness event */
#define READ_ROUNDS 4	/* reads per readiness event */
#define TLS_CHUNK 16384	/* one TLS record of plaintext per SSL_write */

int io_conn_table_init(struct io_loop *l)
{
	size_t nb = 64;

	while (nb < l->o.max_conns)
		nb <<= 1;
	l->by_id = mem_zalloc(nb * sizeof(*l->by_id));
	l->by_addr = mem_zalloc(nb * sizeof(*l->by_addr));
	if (!l->by_id || !l->by_addr)
		return ENOMEM;
	l->nbuckets = nb;
	return 0;
}

static void conn_free(struct io_conn *cn)
{
	if (cn->ssl)
		SSL_free(cn->ssl);
	buf_fini(&cn->wq);
	mem_free(cn);
}

void io_conn_table_fini(struct io_loop *l)
{
	struct io_conn *cn;

	/* Cores may be gone already: close without telling them. */
	while ((cn = l->lru_head)) {
		cn->announced = false;
		io_conn_kill(l, cn, "loop freed");
	}
	while ((cn = l->dead)) {
		l->dead = cn->dead_next;
		conn_free(cn);
	}
	mem_free(l->by_id);
	mem_free(l->by_addr);
	l->by_id = l->by_addr = NULL;
}

static size_t id_bucket(const struct io_loop *l, uint64_t id)
{
	return (size_t)(id & (l->nbuckets - 1));
}

static size_t addr_bucket(const struct io_loop *l, const struct io_core *c,
			  enum net_tp tp, const struct net_addr *a)
{
	uint64_t h = net_addr_hash(a) ^ ((uint64_t)(uintptr_t)c >> 4) ^
		     ((uint64_t)tp * 0x9e3779b97f4a7c15ull);

	return (size_t)((h ^ (h >> 29)) & (l->nbuckets - 1));
}

static struct io_conn *find_id(struct io_loop *l, uint64_t id)
{
	struct io_conn *cn;

	for (cn = l->by_id[id_bucket(l, id)]; cn; cn = cn->id_next)
		if (cn->id == id)
			return cn;
	return NULL;
}

static struct io_conn *find_addr(struct io_loop *l, struct io_core *c,
				 const struct net_addr *a)
{
	struct io_conn *cn;

	for (cn = l->by_addr[addr_bucket(l, c, a->tp, a)]; cn;
	     cn = cn->addr_next)
		if (cn->sk.core == c && cn->peer.tp == a->tp &&
		    net_addr_eq(&cn->peer, a))
			return cn;
	return NULL;
}

static void lru_unlink(struct io_loop *l, struct io_conn *cn)
{
	if (cn->lru_prev)
		cn->lru_prev->lru_next = cn->lru_next;
	else
		l->lru_head = cn->lru_next;
	if (cn->lru_next)
		cn->lru_next->lru_prev = cn->lru_prev;
	else
		l->lru_tail = cn->lru_prev;
	cn->lru_prev = cn->lru_next = NULL;
}

static void lru_append(struct io_loop *l, struct io_conn *cn)
{
	cn->lru_prev = l->lru_tail;
	cn->lru_next = NULL;
	if (l->lru_tail)
		l->lru_tail->lru_next = cn;
	else
		l->lru_head = cn;
	l->lru_tail = cn;
}

static void touch(struct io_loop *l, struct io_conn *cn)
{
	cn->last_us = l->now_us;
	if (l->lru_tail != cn) {
		lru_unlink(l, cn);
		lru_append(l, cn);
	}
}

static void unhash(struct io_loop *l, struct io_conn *cn)
{
	struct io_conn **pp;

	for (pp = &l->by_id[id_bucket(l, cn->id)]; *pp; pp = &(*pp)->id_next)
		if (*pp == cn) {
			*pp = cn->id_next;
			break;
		}
	for (pp = &l->by_addr[addr_bucket(l, cn->sk.core, cn->peer.tp,
					  &cn->peer)];
	     *pp; pp = &(*pp)->addr_next)
		if (*pp == cn) {
			*pp = cn->addr_next;
			break;
		}
}

void io_conn_kill(struct io_loop *l, struct io_conn *cn, const char *why)
{
	char a[NET_ADDR_STRLEN];

	if (cn->state == CS_DEAD)
		return;
	LOG_D(l->log, "conn %llu %s %s: closed: %s",
	      (unsigned long long)cn->id, net_tp_name(cn->peer.tp),
	      net_addr_str(&cn->peer, a, sizeof(a)), why);
	unhash(l, cn);
	lru_unlink(l, cn);
	io_epoll_del(l, &cn->sk);
	if (cn->ssl && cn->state == CS_OPEN)
		SSL_shutdown(cn->ssl);	/* best effort close_notify */
	close(cn->sk.fd);
	cn->sk.fd = -1;
	cn->state = CS_DEAD;
	l->nconns--;
	l->st.conn_closed++;
	cn->dead_next = l->dead;
	l->dead = cn;
}

void io_conn_reap(struct io_loop *l)
{
	struct io_conn *cn;
	struct net_pkt p;

	while ((cn = l->dead)) {
		l->dead = cn->dead_next;
		if (cn->announced) {
			memset(&p, 0, sizeof(p));
			p.from = cn->peer;
			p.to = cn->sk.local;
			p.conn_id = cn->id;
			io_deliver(l, cn->sk.core, &p);
		}
		conn_free(cn);
	}
}

static size_t pending(const struct io_conn *cn)
{
	return cn->wq.len - cn->wq_off;
}

static void set_interest(struct io_loop *l, struct io_conn *cn)
{
	uint32_t ev = EPOLLIN;

	if (cn->state == CS_CONNECTING)
		ev |= EPOLLOUT;
	else if (cn->state == CS_HANDSHAKE && cn->hs_want_write)
		ev |= EPOLLOUT;
	else if (cn->state == CS_OPEN &&
		 ((pending(cn) && !cn->tls_write_wants_read) ||
		  cn->tls_read_wants_write))
		ev |= EPOLLOUT;
	if (l->shutdown) {
		/* Nothing is read any more; unread input must not wake
		 * the flush loop over and over. */
		ev &= ~(uint32_t)EPOLLIN;
		if (cn->state == CS_HANDSHAKE || cn->tls_write_wants_read)
			ev |= EPOLLIN;
		if (!ev) {
			io_epoll_del(l, &cn->sk);
			return;
		}
	}
	if (io_epoll_set(l, &cn->sk, ev))
		io_conn_kill(l, cn, "epoll");
}

static struct io_conn *conn_new(struct io_loop *l, struct io_core *c, int fd,
				const struct net_addr *local,
				const struct net_addr *peer, bool outgoing)
{
	struct io_conn *cn = mem_zalloc(sizeof(*cn));
	size_t b;
	int one = 1;

	if (!cn)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	cn->sk.kind = SK_CONN;
	cn->sk.fd = fd;
	cn->sk.core = c;
	cn->sk.local = *local;
	cn->peer = *peer;
	cn->outgoing = outgoing;
	cn->announced = outgoing;
	cn->id = l->next_conn_id++;
	cn->start_us = cn->last_us = l->now_us;
	buf_init(&cn->wq);
	b = id_bucket(l, cn->id);
	cn->id_next = l->by_id[b];
	l->by_id[b] = cn;
	b = addr_bucket(l, c, peer->tp, peer);
	cn->addr_next = l->by_addr[b];
	l->by_addr[b] = cn;
	lru_append(l, cn);
	l->nconns++;
	return cn;
}

int io_listener_open(struct io_loop *l, struct io_core *c, struct net_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct io_listener *ls;
	int fd, one = 1, err, fam = net_addr_family(a);

	if (fam != AF_INET && fam != AF_INET6)
		return EINVAL;
	fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	/* TCP: a restart must not wait for TIME_WAIT of the last run. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, &a->u.sa, net_addr_len(a)) || listen(fd, 1024) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		err = errno;
		close(fd);
		return err;
	}
	ls = mem_zalloc(sizeof(*ls));
	if (!ls) {
		close(fd);
		return ENOMEM;
	}
	ls->sk.kind = SK_LISTEN;
	ls->sk.fd = fd;
	ls->sk.core = c;
	io_sockaddr_to_net(&ss, a->tp, &ls->sk.local);
	err = io_epoll_set(l, &ls->sk, EPOLLIN);
	if (err) {
		close(fd);
		mem_free(ls);
		return err;
	}
	ls->next = l->listeners;
	l->listeners = ls;
	*a = ls->sk.local;
	return 0;
}

static void do_read(struct io_loop *l, struct io_conn *cn);
static void do_write(struct io_loop *l, struct io_conn *cn);

/* Drive a TLS handshake; on success fall into the open state. */
static void handshake(struct io_loop *l, struct io_conn *cn)
{
	int err = io_tls_handshake(l, cn);

	if (err == EAGAIN) {
		set_interest(l, cn);
		return;
	}
	if (err) {
		l->st.tls_fail++;
		io_conn_kill(l, cn, "TLS handshake failed");
		return;
	}
	cn->state = CS_OPEN;
	/* Application data may already sit decrypted inside OpenSSL. */
	do_read(l, cn);
	if (cn->state == CS_OPEN)
		do_write(l, cn);
}

void io_listener_event(struct io_loop *l, struct io_listener *ls)
{
	struct sockaddr_storage ss;
	struct net_addr peer;
	struct io_conn *cn;
	socklen_t sl;
	int i, fd;

	for (i = 0; i < ACCEPT_MAX; i++) {
		sl = sizeof(ss);
		fd = accept4(ls->sk.fd, (struct sockaddr *)&ss, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (l->nconns >= l->o.max_conns) {
			l->st.conn_refused++;
			close(fd);
			continue;
		}
		io_sockaddr_to_net(&ss, ls->sk.local.tp, &peer);
		cn = conn_new(l, ls->sk.core, fd, &ls->sk.local, &peer, false);
		if (!cn) {
			close(fd);
			continue;
		}
		l->st.conn_in++;
		if (ls->sk.local.tp == NET_TLS) {
			cn->state = CS_HANDSHAKE;
			if (io_tls_start(l, cn, false)) {
				io_conn_kill(l, cn, "TLS setup");
				continue;
			}
			handshake(l, cn);
			continue;
		}
		cn->state = CS_OPEN;
		set_interest(l, cn);
	}
}

static void do_read(struct io_loop *l, struct io_conn *cn)
{
	struct net_pkt p;
	ssize_t n;
	int round;

	for (round = 0; round < READ_ROUNDS ||
	     (cn->ssl && SSL_pending(cn->ssl) > 0); round++) {
		if (cn->ssl)
			n = io_tls_read(l, cn, l->rd_buf, IO_READ_MAX);
		else
			n = read(cn->sk.fd, l->rd_buf, IO_READ_MAX);
		if (n == 0) {
			io_conn_kill(l, cn, "peer closed");
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			io_conn_kill(l, cn, strerror(errno));
			return;
		}
		l->st.stream_rx += (uint64_t)n;
		touch(l, cn);
		cn->announced = true;
		memset(&p, 0, sizeof(p));
		p.from = cn->peer;
		p.to = cn->sk.local;
		p.conn_id = cn->id;
		p.data = l->rd_buf;
		p.len = (size_t)n;
		io_deliver(l, cn->sk.core, &p);
		if (cn->state != CS_OPEN)
			return;
	}
	set_interest(l, cn);
}

static void do_write(struct io_loop *l, struct io_conn *cn)
{
	ssize_t n;
	size_t len;

	while (pending(cn)) {
		len = pending(cn);
		if (cn->ssl) {
			/* Same head, never a shorter length: what OpenSSL
			 * asks of a retried SSL_write. */
			if (len > TLS_CHUNK)
				len = TLS_CHUNK;
			n = io_tls_write(l, cn, cn->wq.data + cn->wq_off, len);
		} else {
			n = send(cn->sk.fd, cn->wq.data + cn->wq_off, len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			io_conn_kill(l, cn, strerror(errno));
			return;
		}
		cn->wq_off += (size_t)n;
		l->st.stream_tx += (uint64_t)n;
	}
	if (!pending(cn)) {
		buf_reset(&cn->wq);
		cn->wq_off = 0;
		if (cn->close_after_flush) {
			io_conn_kill(l, cn, "closed by core");
			return;
		}
	}
	set_interest(l, cn);
}

static void connected(struct io_loop *l, struct io_conn *cn)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int err = 0;

	sl = sizeof(err);
	if (getsockopt(cn->sk.fd, SOL_SOCKET, SO_ERROR, &err, &sl) || err) {
		io_conn_kill(l, cn, err ? strerror(err) : "connect");
		return;
	}
	sl = sizeof(ss);
	if (!getsockname(cn->sk.fd, (struct sockaddr *)&ss, &sl))
		io_sockaddr_to_net(&ss, cn->peer.tp, &cn->sk.local);
	if (cn->peer.tp == NET_TLS) {
		cn->state = CS_HANDSHAKE;
		if (io_tls_start(l, cn, true)) {
			io_conn_kill(l, cn, "TLS setup");
			return;
		}
		handshake(l, cn);
		return;
	}
	cn->state = CS_OPEN;
	do_write(l, cn);
}

void io_conn_event(struct io_loop *l, struct io_conn *cn, uint32_t ev)
{
	switch (cn->state) {
	case CS_DEAD:
		return;
	case CS_CONNECTING:
		connected(l, cn);
		return;
	case CS_HANDSHAKE:
		handshake(l, cn);
		return;
	case CS_OPEN:
		break;
	}
	if ((ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) ||
	    (cn->tls_read_wants_write && (ev & EPOLLOUT)))
		do_read(l, cn);
	if (cn->state == CS_OPEN && pending(cn) &&
	    ((ev & EPOLLOUT) || cn->tls_write_wants_read))
		do_write(l, cn);
}

/* Open a connection of core c to dst; it queues until it is up. */
static struct io_conn *open_conn(struct io_loop *l, struct io_core *c,
				 const struct net_out *o)
{
	const struct net_addr *dst = &o->dst;
	int fam = net_addr_family(dst), fd;
	struct net_addr local = o->src;
	struct io_conn *cn;

	if (!io_allowed(l, dst)) {
		l->st.denied++;
		return NULL;
	}
	if (l->nconns >= l->o.max_conns ||
	    (dst->tp == NET_TLS && !l->tls_cli) ||
	    (fam != AF_INET && fam != AF_INET6)) {
		l->st.conn_refused++;
		return NULL;
	}
	fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	/* Leave from src's address (the listener's), any port. */
	if (net_addr_family(&local) == fam) {
		net_addr_set_port(&local, 0);
		bind(fd, &local.u.sa, net_addr_len(&local));
	} else {
		memset(&local, 0, sizeof(local));
	}
	local.tp = dst->tp;
	cn = conn_new(l, c, fd, &local, dst, true);
	if (!cn) {
		close(fd);
		return NULL;
	}
	l->st.conn_out++;
	cn->state = CS_CONNECTING;
	if (connect(fd, &dst->u.sa, net_addr_len(dst)) && errno != EINPROGRESS)
		io_conn_kill(l, cn, strerror(errno));
	else
		set_interest(l, cn);
	return cn;
}

int io_conn_send(struct io_loop *l, struct io_core *c, const struct net_out *o)
{
	struct io_conn *cn = NULL;

	if (o->conn_id) {
		/* A named connection that is gone is not re-dialled: the
		 * core hears of the close and picks a dst itself (a peer's
		 * source port seldom listens). */
		cn = find_id(l, o->conn_id);
		if (cn && cn->sk.core != c)
			cn = NULL;
	} else {
		cn = find_addr(l, c, &o->dst);
		if (!cn)
			cn = open_conn(l, c, o);
	}
	if (!cn || cn->state == CS_DEAD) {
		l->st.stream_drop++;
		return ENOTCONN;
	}
	if (pending(cn) + o->len > l->o.wq_max) {
		l->st.conn_overflow++;
		io_conn_kill(l, cn, "write queue full");
		return EOVERFLOW;
	}
	/* Compact once the written head outweighs what is left. */
	if (cn->wq_off > 65536 && cn->wq_off > pending(cn)) {
		memmove(cn->wq.data, cn->wq.data + cn->wq_off, pending(cn));
		cn->wq.len -= cn->wq_off;
		cn->wq_off = 0;
	}
	if (buf_put(&cn->wq, o->data, o->len)) {
		io_conn_kill(l, cn, "out of memory");
		return ENOMEM;
	}
	/* A connection still in its setup keeps its place in the LRU, so
	 * the sweep's setup timeout finds it however busy its core is. */
	if (cn->state == CS_OPEN)
		touch(l, cn);
	if (cn->state == CS_OPEN && !cn->tls_write_wants_read)
		do_write(l, cn);
	return 0;
}

int io_conn_close_req(struct io_loop *l, struct io_core *c, uint64_t id)
{
	struct io_conn *cn = find_id(l, id);

	if (!cn || cn->sk.core != c)
		return ENOENT;
	if (pending(cn) && cn->state != CS_DEAD)
		cn->close_after_flush = true;
	else
		io_conn_kill(l, cn, "closed by core");
	return 0;
}

void io_conn_sweep(struct io_loop *l)
{
	uint64_t idle = l->o.idle_timeout_us, setup = l->o.connect_timeout_us;
	uint64_t least = idle < setup ? idle : setup;
	struct io_conn *cn, *next;

	for (cn = l->lru_head; cn; cn = next) {
		uint64_t age = l->now_us - cn->last_us;

		next = cn->lru_next;
		if (cn->state != CS_OPEN && l->now_us - cn->start_us >= setup) {
			io_conn_kill(l, cn, "setup timeout");
		} else if (age >= idle) {
			l->st.conn_idle++;
			io_conn_kill(l, cn, "idle");
		} else if (age < least) {
			/* Known limit: open connections younger than the
			 * idle timeout but older than the setup timeout are
			 * walked on every sweep. */
			break;
		}
	}
}

size_t io_conn_flush_all(struct io_loop *l)
{
	struct io_conn *cn, *next;
	size_t n = 0;

	for (cn = l->lru_head; cn; cn = next) {
		next = cn->lru_next;
		if (cn->state == CS_OPEN && pending(cn))
			do_write(l, cn);
		/* Still connecting or handshaking with bytes queued counts
		 * too: they would be lost. */
		if (cn->state != CS_DEAD && pending(cn))
			n++;
	}
	return n;
}
