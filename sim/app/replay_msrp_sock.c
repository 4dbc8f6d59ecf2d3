/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay --target HOST:PORT --msrp-relay HOST:PORT: the MSRP
 * re-drive's transport over real sockets (replay_msrp_int.h). An
 * AUTHing end is one TCP connection to the relay; a direct end is a
 * listening socket for the connection the relay dials plus one
 * connection of its own to the relay. Plain TCP with poll, never a
 * blocking write: a relay holding back one end's bytes until the other
 * end reads would otherwise deadlock with us. The relay is on loopback
 * unless --allow-remote, as for the SIP re-drive.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "app/replay_msrp_int.h"

static uint64_t s_now(struct mdrv *d)
{
	struct timespec ts;

	(void)d;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ?
		     ((struct sockaddr_in6 *)&ss)->sin6_port :
		     ((struct sockaddr_in *)&ss)->sin_port);
}

/* A connection to the relay: fd, or -errno. */
static int dial(const struct net_addr *relay)
{
	int fd = socket(net_addr_family(relay), SOCK_STREAM | SOCK_CLOEXEC,
			0);

	if (fd < 0)
		return -errno;
	if (connect(fd, &relay->u.sa, net_addr_len(relay))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* A listening socket on the relay's loopback family, any port. */
static int listen_on(const struct net_addr *relay)
{
	struct net_addr a = *relay;
	int fd = socket(net_addr_family(&a), SOCK_STREAM | SOCK_CLOEXEC, 0);

	net_addr_set_port(&a, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, &a.u.sa, net_addr_len(&a)) || listen(fd, 4)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Write what the socket takes now (never blocks: the relay may be
 * waiting for us to read the other end before it reads more). */
static int flush(int fd, struct buf *o, size_t *wrote)
{
	ssize_t k;

	while (*wrote < o->len) {
		k = send(fd, o->data + *wrote, o->len - *wrote,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			      errno == EINTR))
			return 0;
		if (k <= 0)
			return EPIPE;
		*wrote += (size_t)k;
	}
	buf_reset(o);
	*wrote = 0;
	return 0;
}

static int take(int fd, struct rpl_mcl *c)
{
	uint8_t buf[16384];
	ssize_t k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return 0;
	if (k <= 0)
		return EPIPE;
	return rpl_mcl_input(c, buf, (size_t)k) ? EBADMSG : 0;
}

static int flush_all(struct mend *e)
{
	int i, err = 0;

	for (i = 0; i < 2 && !err; i++) {
		err = flush(e[i].fd, &e[i].cl.out, &e[i].wrote);
		if (!err && e[i].afd >= 0)
			err = flush(e[i].afd, &e[i].rx.out, &e[i].awrote);
	}
	return err;
}

static short want(const struct buf *o, size_t wrote)
{
	return (short)(POLLIN | (o->len > wrote ? POLLOUT : 0));
}

/* Write what is pending, read what came, for up to wait_us. EPIPE when
 * a connection closed, EBADMSG on malformed MSRP. */
static int s_pump(struct mdrv *d, struct mend *e, uint64_t wait_us)
{
	struct pollfd pf[4];
	int i, n = 0, k, err;

	(void)d;
	if ((err = flush_all(e)))
		return err;
	for (i = 0; i < 2; i++) {
		pf[n++] = (struct pollfd){ .fd = e[i].fd,
			.events = want(&e[i].cl.out, e[i].wrote) };
		if (e[i].direct)
			pf[n++] = (struct pollfd){ .fd = e[i].afd >= 0 ?
				e[i].afd : e[i].lfd, .events = e[i].afd >= 0 ?
				want(&e[i].rx.out, e[i].awrote) : POLLIN };
	}
	if (poll(pf, (nfds_t)n, (int)((wait_us + 999) / 1000)) <= 0)
		return 0;
	for (i = 0, k = 0; i < 2 && !err; i++) {
		if (pf[k++].revents & (POLLIN | POLLHUP | POLLERR))
			err = take(e[i].fd, &e[i].cl);
		if (!e[i].direct || err ||
		    !(pf[k++].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (e[i].afd >= 0) {
			err = take(e[i].afd, &e[i].rx);
		} else {
			e[i].afd = accept4(e[i].lfd, NULL, NULL, SOCK_CLOEXEC);
			if (e[i].afd < 0)
				err = EPIPE;
		}
	}
	return err ? err : flush_all(e);
}

/* End i's sockets and client(s); its URI's session id from tag. 0 or an
 * errno (what failed in err). */
static int s_open(struct mdrv *d, struct mend *x, int i, uint32_t tag,
		  char *err, size_t errsz)
{
	const struct net_addr *relay = d->arg;
	const char *relay_uri = d->relay_uri;
	const char *host = net_addr_family(relay) == AF_INET6 ? "[::1]" :
			   "127.0.0.1";
	char sess[32];
	uint16_t port;

	snprintf(sess, sizeof(sess), "rpl%08x%d", tag, i);
	x->fd = dial(relay);
	if (x->fd < 0) {
		snprintf(err, errsz, "connect to the relay %s: %s", relay_uri,
			 strerror(-x->fd));
		return -x->fd;
	}
	port = local_port(x->fd);
	if (x->direct) {
		x->lfd = listen_on(relay);
		if (x->lfd < 0) {
			snprintf(err, errsz, "listen: %s", strerror(-x->lfd));
			return -x->lfd;
		}
		port = local_port(x->lfd);
		rpl_mcl_init(&x->rx, host, port, sess, relay_uri, "", "", "");
		x->rx_up = true;
		x->rx.state = RPL_MCL_AUTHED;
	}
	rpl_mcl_init(&x->cl, host, port, sess, relay_uri,
		     x->acct ? x->acct->user : "",
		     x->acct ? x->acct->password : "",
		     x->acct ? x->acct->domain : "");
	x->cl_up = true;
	x->want_hash = RPL_MCL_HASH_INIT;
	if (x->direct)
		x->cl.state = RPL_MCL_AUTHED;	/* sends without AUTH */
	else
		rpl_mcl_auth(&x->cl);
	return 0;
}

static void s_close(struct mdrv *d, struct mend *x)
{
	(void)d;
	if (x->fd >= 0)
		close(x->fd);
	if (x->lfd >= 0)
		close(x->lfd);
	if (x->afd >= 0)
		close(x->afd);
	if (x->cl_up)
		rpl_mcl_fini(&x->cl);
	if (x->rx_up)
		rpl_mcl_fini(&x->rx);
}

void rmsrp_run(struct rmsrp *m, struct rep_summary *sum, const char *file,
	       const struct rmsrp_opts *o)
{
	struct mdrv d = { .open = s_open, .pump = s_pump, .close = s_close,
			  .now = s_now, .check = "msrp", .pfx = "msrp_live",
			  .arg = &m->relay };
	char host[64];

	net_addr_host(&m->relay, host, sizeof(host));
	snprintf(d.relay_uri, sizeof(d.relay_uri), strchr(host, ':') ?
		 "msrp://[%s]:%u;tcp" : "msrp://%s:%u;tcp", host,
		 net_addr_port(&m->relay));
	rmsrp_drive(m, sum, file, o, &d);
}
