/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two relays `rtcbench perf relay` runs itself, each in its own
 * forked child so its CPU time can be read from /proc:
 *  - ours: the ref/rtp relay and ng cores behind a minimal epoll loop.
 *    Sockets are opened and closed as rtp_relay_sock_event() says and kept
 *    in a table indexed by port, so finding the socket for an output is
 *    O(1); each readable socket is drained with recvmmsg (64 datagrams)
 *    and what the relay forwards leaves with one sendmmsg per source
 *    socket run.
 *  - plain: the bound: the same loop shape with a fixed port-to-port map
 *    and no relay core at all.
 * Both stop on SIGTERM. Only 127.0.0.1 is ever bound or sent to.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "app/perf_relay.h"
#include "io/io.h"
#include "io/io_media.h"
#include "rtp/rtp.h"

#define BATCH 64
#define DGRAM 2048

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

static int udp_bind(uint16_t port)
{
	return perf_relay_udp(port, SOCK_NONBLOCK, 4 << 20, NULL);
}

struct rx {
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in from[BATCH];
	uint8_t buf[BATCH][DGRAM];
};

struct tx {
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in dst[BATCH];
	int fd;
	unsigned n;
};

static void rx_init(struct rx *r)
{
	unsigned i;

	for (i = 0; i < BATCH; i++) {
		r->iov[i].iov_base = r->buf[i];
		r->iov[i].iov_len = DGRAM;
		r->msgs[i].msg_hdr.msg_iov = &r->iov[i];
		r->msgs[i].msg_hdr.msg_iovlen = 1;
		r->msgs[i].msg_hdr.msg_name = &r->from[i];
		r->msgs[i].msg_hdr.msg_namelen = sizeof(r->from[i]);
	}
}

static int rx_read(struct rx *r, int fd)
{
	unsigned i;

	for (i = 0; i < BATCH; i++)
		r->msgs[i].msg_hdr.msg_namelen = sizeof(r->from[i]);
	return recvmmsg(fd, r->msgs, BATCH, MSG_DONTWAIT, NULL);
}

static void tx_flush(struct tx *t)
{
	unsigned i = 0;
	int n;

	while (i < t->n) {
		n = sendmmsg(t->fd, t->msgs + i, t->n - i, MSG_DONTWAIT);
		if (n <= 0)
			break;	/* a full buffer drops, as a network would */
		i += (unsigned)n;
	}
	t->n = 0;
}

static void tx_add(struct tx *t, int fd, const struct sockaddr_in *dst,
		   const void *p, size_t len)
{
	unsigned i;

	if (t->n && (t->fd != fd || t->n == BATCH))
		tx_flush(t);
	t->fd = fd;
	i = t->n++;
	t->dst[i] = *dst;
	t->iov[i].iov_base = (void *)p;
	t->iov[i].iov_len = len;
	memset(&t->msgs[i], 0, sizeof(t->msgs[i]));
	t->msgs[i].msg_hdr.msg_name = &t->dst[i];
	t->msgs[i].msg_hdr.msg_namelen = sizeof(t->dst[i]);
	t->msgs[i].msg_hdr.msg_iov = &t->iov[i];
	t->msgs[i].msg_hdr.msg_iovlen = 1;
}

static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ---- ours -------------------------------------------------------------- */

struct ours {
	struct rtp_relay *relay;
	struct rtp_ng *ng;
	int ep, ngfd;
	int *fd_of_port;	/* 65536 entries, -1: closed */
	struct rx rx;
	struct tx tx;
};

static void ours_socks(struct ours *o)
{
	struct rtp_sock_ev ev;
	struct epoll_event e;
	uint16_t port;
	int fd;

	while (!rtp_relay_sock_event(o->relay, &ev)) {
		port = net_addr_port(&ev.local);
		if (ev.op == RTP_SOCK_OPEN && o->fd_of_port[port] < 0) {
			fd = udp_bind(port);
			if (fd < 0) {
				fprintf(stderr, "perf relay: bind %u: %s\n",
					port, strerror(errno));
				continue;
			}
			memset(&e, 0, sizeof(e));
			e.events = EPOLLIN;
			e.data.u32 = port;
			epoll_ctl(o->ep, EPOLL_CTL_ADD, fd, &e);
			o->fd_of_port[port] = fd;
		} else if (ev.op == RTP_SOCK_CLOSE &&
			   o->fd_of_port[port] >= 0) {
			close(o->fd_of_port[port]);
			o->fd_of_port[port] = -1;
		}
	}
}

static void to_net(struct net_addr *a, const struct sockaddr_in *sa)
{
	memset(a, 0, sizeof(*a));
	a->u.in = *sa;
}

static void ours_ng(struct ours *o)
{
	uint8_t buf[65536];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct net_pkt in;
	struct net_out out;
	struct pl me = PL("127.0.0.1");
	ssize_t n;

	n = recvfrom(o->ngfd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &fl);
	if (n <= 0)
		return;
	memset(&in, 0, sizeof(in));
	to_net(&in.from, &from);
	net_addr_parse(&me, 0, &in.to);
	in.data = buf;
	in.len = (size_t)n;
	rtp_ng_input(o->ng, mono_us(), &in);
	while (!rtp_ng_output(o->ng, &out))
		sendto(o->ngfd, out.data, out.len, 0, &out.dst.u.sa,
		       net_addr_len(&out.dst));
	ours_socks(o);
}

static void ours_media(struct ours *o, uint16_t port)
{
	struct net_pkt in;
	struct net_out out;
	uint64_t now = mono_us();
	int n, i, fd = o->fd_of_port[port];

	if (fd < 0)
		return;
	n = rx_read(&o->rx, fd);
	memset(&in, 0, sizeof(in));
	in.to.u.in.sin_family = AF_INET;
	in.to.u.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in.to.u.in.sin_port = htons(port);
	for (i = 0; i < n; i++) {
		to_net(&in.from, &o->rx.from[i]);
		in.data = o->rx.buf[i];
		in.len = o->rx.msgs[i].msg_len;
		rtp_relay_input(o->relay, now, &in);
		while (!rtp_relay_output(o->relay, &out)) {
			int sfd = o->fd_of_port[net_addr_port(&out.src)];

			if (sfd >= 0 && net_addr_family(&out.dst) == AF_INET)
				tx_add(&o->tx, sfd, &out.dst.u.in, out.data,
				       out.len);
		}
	}
	tx_flush(&o->tx);
}

int perf_relay_ours_main(uint16_t ng_port, uint16_t pmin, uint16_t pmax)
{
	static struct ours o;
	struct rtp_relay_cfg cfg;
	struct epoll_event ev[64], e;
	struct pl me = PL("127.0.0.1");
	uint64_t dl, now;
	int i, n, wait_ms;

	signals();
	memset(&cfg, 0, sizeof(cfg));
	net_addr_parse(&me, 0, &cfg.addr);
	cfg.port_min = pmin;
	cfg.port_max = pmax;
	o.fd_of_port = malloc(65536 * sizeof(int));
	if (!o.fd_of_port || rtp_relay_new(&o.relay, &cfg) ||
	    rtp_ng_new(&o.ng, o.relay))
		return 1;
	for (i = 0; i < 65536; i++)
		o.fd_of_port[i] = -1;
	rx_init(&o.rx);
	o.ep = epoll_create1(EPOLL_CLOEXEC);
	o.ngfd = udp_bind(ng_port);
	if (o.ep < 0 || o.ngfd < 0) {
		fprintf(stderr, "perf relay: ng port %u: %s\n", ng_port,
			strerror(errno));
		return 1;
	}
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.u32 = 0;		/* port 0: the ng socket */
	epoll_ctl(o.ep, EPOLL_CTL_ADD, o.ngfd, &e);
	while (!stop) {
		now = mono_us();
		dl = rtp_relay_deadline(o.relay);
		if (dl <= now) {
			rtp_relay_timeout(o.relay, now);
			ours_socks(&o);
			continue;
		}
		wait_ms = dl - now > 1000000 ? 1000 : (int)((dl - now) / 1000) + 1;
		n = epoll_wait(o.ep, ev, 64, wait_ms);
		for (i = 0; i < n; i++) {
			if (ev[i].data.u32 == 0)
				ours_ng(&o);
			else
				ours_media(&o, (uint16_t)ev[i].data.u32);
		}
	}
	rtp_ng_free(o.ng);
	rtp_relay_free(o.relay);
	return 0;
}

/* ---- ours on the live driver --------------------------------------------- */

int perf_relay_io_main(uint16_t ng_port, uint16_t pmin, uint16_t pmax)
{
	static struct io_media m;
	struct rtp_relay *relay = NULL;
	struct rtp_ng *ng = NULL;
	struct rtp_relay_cfg cfg;
	struct io_opts opts;
	struct io_loop *l = NULL;
	struct io_core *nc;
	struct net_addr a;
	struct log lg;
	struct pl me = PL("127.0.0.1");
	char err[256] = "";
	int e;

	memset(&cfg, 0, sizeof(cfg));
	net_addr_parse(&me, 0, &cfg.addr);
	cfg.port_min = pmin;
	cfg.port_max = pmax;
	memset(&opts, 0, sizeof(opts));
	log_init(&lg, "io", LOG_WARN);
	opts.log = &lg;
	a = cfg.addr;
	a.tp = NET_UDP;
	net_addr_set_port(&a, ng_port);
	if ((e = rtp_relay_new(&relay, &cfg)) || (e = rtp_ng_new(&ng, relay)) ||
	    (e = io_loop_new(&l, &opts, err, sizeof(err))) ||
	    (e = io_media_attach(&m, l, relay)) ||
	    (e = io_core_add(l, &rtp_ng_core_ops, ng, &nc)) ||
	    (e = io_listen(l, nc, &a, NULL)) ||
	    (e = io_signals(l, NULL, NULL))) {
		fprintf(stderr, "perf relay: live driver, ng port %u: %s %s\n",
			ng_port, strerror(e), err);
		return 1;
	}
	rtp_ng_set_wall_offset(ng, io_wall_offset_us(l));
	/* The ng core calls into the relay: apply its port changes after
	 * each of its drains, as refd does for the SIP core. */
	io_core_on_drain(nc, io_media_hook, &m);
	io_run(l);
	io_loop_free(l);
	rtp_ng_free(ng);
	rtp_relay_free(relay);
	return 0;
}

/* ---- plain ------------------------------------------------------------- */

int perf_relay_plain_main(uint16_t base, unsigned n, uint16_t dst_port)
{
	static struct rx rx;
	static struct tx tx;
	struct epoll_event ev[64], e;
	struct sockaddr_in dst;
	int *rxfd, *txfd, ep, i, k, got;
	unsigned s;

	signals();
	rx_init(&rx);
	rxfd = calloc(n, sizeof(int));
	txfd = calloc(n, sizeof(int));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!rxfd || !txfd || ep < 0)
		return 1;
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons(dst_port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (s = 0; s < n; s++) {
		rxfd[s] = udp_bind((uint16_t)(base + 2 * s));
		txfd[s] = udp_bind((uint16_t)(base + 2 * s + 1));
		if (rxfd[s] < 0 || txfd[s] < 0) {
			fprintf(stderr, "perf relay: plain bind %u: %s\n",
				base + 2 * s, strerror(errno));
			return 1;
		}
		memset(&e, 0, sizeof(e));
		e.events = EPOLLIN;
		e.data.u32 = s;
		epoll_ctl(ep, EPOLL_CTL_ADD, rxfd[s], &e);
	}
	while (!stop) {
		got = epoll_wait(ep, ev, 64, 200);
		for (i = 0; i < got; i++) {
			s = ev[i].data.u32;
			k = rx_read(&rx, rxfd[s]);
			for (int j = 0; j < k; j++)
				tx_add(&tx, txfd[s], &dst, rx.buf[j],
				       rx.msgs[j].msg_len);
			tx_flush(&tx);
		}
	}
	return 0;
}
