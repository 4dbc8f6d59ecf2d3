/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Datagram sockets: SIP/UDP listeners and the media relay's dynamic ports.
 * Reads take up to IO_BATCH datagrams per recvmmsg; what a core sends is
 * copied into a small arena and leaves in one sendmmsg per socket, since
 * the core's output bytes are only valid until its next call.
 *
 * Edge-triggered: a readiness event is read until recvmmsg returns fewer
 * than IO_BATCH (the queue is empty: our sockets are unconnected, so no
 * ICMP error cuts a batch short) or the read bound RX_ROUNDS is reached;
 * then the socket goes on the loop's pending list and is read on at the
 * next turn, so a flooded port neither starves the others nor stalls.
 * With thousands of relay ports this spares epoll_wait re-polling every
 * socket it reported last time, which level-triggering costs.
 *
 * UDP sockets do not set SO_REUSEADDR: on Linux it lets a second socket
 * bind the very same address and port, which would hide a second daemon
 * on our SIP port and break the relay's "is this port free" test.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "base/mem.h"
#include "io/io_int.h"

#define RX_ROUNDS 4	/* recvmmsg calls per readiness event */

static void set_bufs(struct io_loop *l, int fd)
{
	int v = l->o.sockbuf;

	/* A burst (SIPp opening hundreds of calls at once) must not be
	 * dropped by a 208 KiB default. The FORCE variants pass
	 * net.core.[rw]mem_max when we may (CAP_NET_ADMIN); otherwise the
	 * plain ones get what the limit allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

int io_udp_bind(struct io_loop *l, struct io_core *c, struct net_addr *a,
		uint32_t id, struct io_udp **up)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct io_udp *u;
	int fd, one = 1, err, fam = net_addr_family(a);

	if (fam != AF_INET && fam != AF_INET6)
		return EINVAL;
	fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	set_bufs(l, fd);
	if (bind(fd, &a->u.sa, net_addr_len(a)) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		err = errno;
		close(fd);
		return err;
	}
	u = mem_zalloc(sizeof(*u));
	if (!u) {
		close(fd);
		return ENOMEM;
	}
	u->sk.kind = SK_UDP;
	u->sk.fd = fd;
	u->sk.core = c;
	io_sockaddr_to_net(&ss, NET_UDP, &u->sk.local);
	u->id = id;
	err = io_epoll_set(l, &u->sk, EPOLLIN | EPOLLET);
	if (err) {
		close(fd);
		mem_free(u);
		return err;
	}
	u->next = l->udps;
	u->prev = NULL;
	if (l->udps)
		l->udps->prev = u;
	l->udps = u;
	{
		struct io_udp **b = &l->uhash[net_addr_port(&u->sk.local) %
					      IO_UHASH];
		u->hnext = *b;
		*b = u;
	}
	*a = u->sk.local;
	if (up)
		*up = u;
	return 0;
}

int io_udp_open(struct io_loop *l, struct io_core *c, struct net_addr *a,
		uint32_t *idp)
{
	struct net_addr b = *a;
	uint32_t id = l->next_udp_id;
	int err;

	b.tp = NET_UDP;
	err = io_udp_bind(l, c, &b, id, NULL);
	if (err)
		return err;
	l->next_udp_id++;
	if (!l->next_udp_id)
		l->next_udp_id = 1;
	*a = b;
	*idp = id;
	return 0;
}

static void pending_add(struct io_loop *l, struct io_udp *u);

static void pending_del(struct io_loop *l, struct io_udp *u)
{
	struct io_udp **pp;

	if (!u->pending)
		return;
	for (pp = &l->udp_pending; *pp && *pp != u; pp = &(*pp)->pnext)
		;
	if (*pp)
		*pp = u->pnext;
	u->pending = false;
}

/* Take u out of the list and its port bucket; close it. */
static void unlink_udp(struct io_loop *l, struct io_udp *u)
{
	struct io_udp **b = &l->uhash[net_addr_port(&u->sk.local) % IO_UHASH];

	pending_del(l, u);
	while (*b && *b != u)
		b = &(*b)->hnext;
	if (*b)
		*b = u->hnext;
	if (u->prev)
		u->prev->next = u->next;
	else
		l->udps = u->next;
	if (u->next)
		u->next->prev = u->prev;
	if (l->tx.u == u)
		io_udp_flush(l);
	io_epoll_del(l, &u->sk);
	close(u->sk.fd);
	u->sk.fd = -1;
	u->dead = true;
	/* Freed at the end of the turn: an event for it may still sit in
	 * this turn's epoll vector. */
	u->next = l->udp_dead;
	l->udp_dead = u;
}

static int udp_close(struct io_loop *l, uint32_t id, struct io_core *c,
		     const struct net_addr *a)
{
	struct io_udp *u;

	if (c) {
		for (u = l->uhash[net_addr_port(a) % IO_UHASH]; u;
		     u = u->hnext)
			if (u->id && u->sk.core == c &&
			    net_addr_eq(&u->sk.local, a))
				break;
	} else {
		for (u = l->udps; u; u = u->next)
			if (u->id && u->id == id)
				break;
	}
	if (!u)
		return ENOENT;
	unlink_udp(l, u);
	return 0;
}

unsigned io_udp_read_now(struct io_loop *l, struct io_core *c,
			 const struct net_addr *a, unsigned max)
{
	struct sockaddr_storage from;
	struct net_pkt p;
	struct io_udp *u;
	uint8_t *buf = NULL;
	unsigned n = 0;
	socklen_t fl;
	ssize_t r;

	for (u = l->uhash[net_addr_port(a) % IO_UHASH]; u; u = u->hnext)
		if (u->id && u->sk.core == c && net_addr_eq(&u->sk.local, a))
			break;
	/* Nothing queued is the usual case: a peek, no buffer. */
	if (!u || u->dead ||
	    recv(u->sk.fd, NULL, 0, MSG_PEEK | MSG_DONTWAIT) < 0)
		return 0;
	buf = mem_alloc(IO_DGRAM_MAX);
	if (!buf)
		return 0;
	while (n < max && !u->dead) {
		fl = sizeof(from);
		r = recvfrom(u->sk.fd, buf, IO_DGRAM_MAX, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n++;
		memset(&p, 0, sizeof(p));
		io_sockaddr_to_net(&from, NET_UDP, &p.from);
		p.to = u->sk.local;
		p.data = buf;
		p.len = (size_t)r;
		l->st.udp_rx++;
		io_deliver(l, c, &p);
	}
	/* Edge-triggered: what we left behind is read on the next turn. */
	if (n == max)
		pending_add(l, u);
	mem_free(buf);
	return n;
}

int io_udp_close(struct io_loop *l, uint32_t id)
{
	return udp_close(l, id, NULL, NULL);
}

int io_udp_close_addr(struct io_loop *l, struct io_core *c,
		      const struct net_addr *a)
{
	return udp_close(l, 0, c, a);
}

void io_udp_free_all_dead(struct io_loop *l)
{
	struct io_udp *u;

	while ((u = l->udp_dead)) {
		l->udp_dead = u->next;
		mem_free(u);
	}
}

void io_udp_free_all(struct io_loop *l)
{
	struct io_udp *u;

	while ((u = l->udps)) {
		l->udps = u->next;
		close(u->sk.fd);
		mem_free(u);
	}
	l->udp_pending = NULL;
	io_udp_free_all_dead(l);
}

void io_udp_rx_init(struct io_loop *l)
{
	int i;

	for (i = 0; i < IO_BATCH; i++) {
		l->rx_iov[i].iov_base = l->rx_bufs + (size_t)i * IO_DGRAM_MAX;
		l->rx_iov[i].iov_len = IO_DGRAM_MAX;
		memset(&l->rx_msgs[i], 0, sizeof(l->rx_msgs[i]));
		l->rx_msgs[i].msg_hdr.msg_iov = &l->rx_iov[i];
		l->rx_msgs[i].msg_hdr.msg_iovlen = 1;
		l->rx_msgs[i].msg_hdr.msg_name = &l->rx_from[i];
	}
}

/* More may be queued on u than this turn read: read on next turn. */
static void pending_add(struct io_loop *l, struct io_udp *u)
{
	if (u->pending || u->dead)
		return;
	u->pending = true;
	u->pnext = l->udp_pending;
	l->udp_pending = u;
}

bool io_udp_pending_run(struct io_loop *l)
{
	struct io_udp *u, *list = l->udp_pending;

	/* Detach first: a socket read here may go back on the list (for
	 * the next turn), or be closed by what its input triggers. */
	l->udp_pending = NULL;
	while ((u = list)) {
		list = u->pnext;
		u->pending = false;
		u->pnext = NULL;
		io_udp_event(l, u, EPOLLIN);
	}
	return l->udp_pending != NULL;
}

void io_udp_event(struct io_loop *l, struct io_udp *u, uint32_t ev)
{
	struct net_pkt p;
	int round, i, n;

	(void)ev;
	if (u->dead)
		return;
	for (round = 0; round < RX_ROUNDS; round++) {
		/* The kernel rewrote the name lengths; the rest stays. */
		for (i = 0; i < IO_BATCH; i++)
			l->rx_msgs[i].msg_hdr.msg_namelen =
				sizeof(l->rx_from[i]);
		n = recvmmsg(u->sk.fd, l->rx_msgs, IO_BATCH, MSG_DONTWAIT,
			     NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			/* Not "empty": edge-triggered, we must come back. */
			pending_add(l, u);
			return;
		}
		if (n <= 0)
			return;
		l->rx_batch = true;
		for (i = 0; i < n; i++) {
			if (l->rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				l->st.udp_drop++;
				continue;
			}
			memset(&p, 0, sizeof(p));
			io_sockaddr_to_net(&l->rx_from[i], NET_UDP, &p.from);
			p.to = u->sk.local;
			p.data = l->rx_iov[i].iov_base;
			p.len = l->rx_msgs[i].msg_len;
			l->st.udp_rx++;
			io_deliver(l, u->sk.core, &p);
			if (u->dead)
				break;
		}
		l->rx_batch = false;
		io_udp_flush(l);
		if (n < IO_BATCH || u->dead)
			return;
	}
	pending_add(l, u);
}

/* The core's socket for o: src itself, or the first of dst's family. */
static struct io_udp *pick(struct io_loop *l, struct io_core *c,
			   const struct net_out *o)
{
	int fam = net_addr_family(&o->dst);
	bool any = net_addr_port(&o->src) == 0;
	struct io_udp *u;

	if (!any) {
		for (u = l->uhash[net_addr_port(&o->src) % IO_UHASH]; u;
		     u = u->hnext)
			if (u->sk.core == c && net_addr_eq(&u->sk.local, &o->src))
				return u;
		return NULL;
	}
	for (u = l->udps; u; u = u->next)
		if (u->sk.core == c && net_addr_family(&u->sk.local) == fam)
			return u;
	return NULL;
}

int io_udp_send(struct io_loop *l, struct io_core *c, const struct net_out *o)
{
	struct io_txbatch *t = &l->tx;
	struct io_udp *u;
	unsigned i;

	if (!io_allowed(l, &o->dst)) {
		l->st.denied++;
		return EACCES;
	}
	u = pick(l, c, o);
	if (!u || o->len > IO_DGRAM_MAX || !o->data) {
		l->st.udp_drop++;
		return u ? EMSGSIZE : ENOENT;
	}
	if (t->u != u || t->n == IO_BATCH || t->used + o->len > IO_TX_ARENA)
		io_udp_flush(l);
	t->u = u;
	i = t->n++;
	memcpy(t->arena + t->used, o->data, o->len);
	t->iov[i].iov_base = t->arena + t->used;
	t->iov[i].iov_len = o->len;
	t->used += o->len;
	memset(&t->dst[i], 0, sizeof(t->dst[i]));
	memcpy(&t->dst[i], &o->dst.u, net_addr_len(&o->dst));
	memset(&t->msgs[i], 0, sizeof(t->msgs[i]));
	t->msgs[i].msg_hdr.msg_name = &t->dst[i];
	t->msgs[i].msg_hdr.msg_namelen = net_addr_len(&o->dst);
	t->msgs[i].msg_hdr.msg_iov = &t->iov[i];
	t->msgs[i].msg_hdr.msg_iovlen = 1;
	return 0;
}

void io_udp_flush(struct io_loop *l)
{
	struct io_txbatch *t = &l->tx;
	unsigned i = 0;
	int r;

	while (t->u && i < t->n) {
		r = sendmmsg(t->u->sk.fd, t->msgs + i, t->n - i, MSG_DONTWAIT);
		if (r > 0) {
			i += (unsigned)r;
			l->st.udp_tx += (unsigned)r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			/* A full socket buffer drops, as the network would. */
			l->st.udp_drop += t->n - i;
			break;
		} else {
			/* This one failed (ICMP error pending, EPERM...):
			 * skip it, keep the rest. */
			l->st.udp_drop++;
			i++;
		}
	}
	t->u = NULL;
	t->n = 0;
	t->used = 0;
}
