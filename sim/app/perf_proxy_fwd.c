/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The physical bound of `rtcbench perf proxy` (perf_proxy.h): a loopback
 * UDP forwarder that moves the same datagrams as the proxy, through the
 * same live driver (ref/io: epoll, edge-triggered recvmmsg, one sendmmsg
 * per read batch, the same 4 MiB socket buffers), with no SIP work and no
 * storage. Its CPU per operation, read from /proc like the servers', is
 * what any proxy pays on loopback before it parses a byte: the syscalls,
 * the copies, and the receiver's softirq that a loopback send runs in the
 * sender's context.
 *
 * Per call it receives the 6 datagrams the proxy receives (INVITE, 180,
 * 200, ACK, BYE, 200 of BYE) and sends the 7 the proxy sends (the same 6
 * plus a 100 Trying): a datagram from the UAS's address goes to the last
 * caller address, any other goes to the UAS; an INVITE also gets a "100
 * Trying" back, made by swapping its start line (the rest of the request
 * is copied as is, which SIPp accepts). REGISTER is reflected: "200 OK"
 * with the request's header lines, or, for the digest phase, "401" with a
 * fixed challenge unless the request carries an Authorization header:
 * one round trip per plain registration and two per authenticated one,
 * as through refd and Kamailio. The only look at the bytes is the first
 * few of the start line and one memmem for "Authorization:".
 *
 * It runs in a forked child of rtcbench (its own process group, as the
 * servers), so px_cpu_s() measures it the same way; SIGTERM stops it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/log.h"
#include "base/net.h"
#include "io/io.h"
#include "app/perf_proxy.h"

#define FWD_QUEUE 4
#define FWD_GEN 8192	/* a made-up reply; larger requests get none */

struct fwd {
	struct net_addr self, uas, uac;
	bool have_uac, auth;
	struct net_out q[FWD_QUEUE];
	unsigned head, n;
	uint8_t gen[2][FWD_GEN];	/* output data lives until next call */
	unsigned gi;
	uint64_t dropped;
};

static const char challenge[] =
	"SIP/2.0 401 Unauthorized\r\n"
	"WWW-Authenticate: Digest realm=\"example.test\", "
	"nonce=\"7f3k9q0123456789abcdef\", algorithm=MD5\r\n";

static void push(struct fwd *f, const struct net_addr *dst,
		 const uint8_t *data, size_t len)
{
	struct net_out *o;

	if (f->n == FWD_QUEUE) {
		f->dropped++;
		return;
	}
	o = &f->q[(f->head + f->n++) % FWD_QUEUE];
	memset(o, 0, sizeof(*o));
	o->kind = NET_OUT_SEND;
	o->src = f->self;
	o->dst = *dst;
	o->data = data;
	o->len = len;
}

/* Start line `line` + the request's lines after its own start line. */
static void reply(struct fwd *f, const struct net_pkt *in, const char *line,
		  size_t llen)
{
	const uint8_t *eol = memchr(in->data, '\n', in->len);
	size_t rest = eol ? in->len - (size_t)(eol + 1 - in->data) : 0;
	uint8_t *b = f->gen[f->gi];

	if (!eol || llen + rest > FWD_GEN) {
		f->dropped++;
		return;
	}
	f->gi ^= 1;
	memcpy(b, line, llen);
	memcpy(b + llen, eol + 1, rest);
	push(f, &in->from, b, llen + rest);
}

static bool starts(const struct net_pkt *in, const char *m, size_t n)
{
	return in->len > n && !memcmp(in->data, m, n);
}

static int fwd_input(void *c, uint64_t now, const struct net_pkt *in)
{
	static const char ok[] = "SIP/2.0 200 OK\r\n";
	static const char trying[] = "SIP/2.0 100 Trying\r\n";
	struct fwd *f = c;

	(void)now;
	if (!in->data || !in->len)
		return 0;
	if (net_addr_eq(&in->from, &f->uas)) {
		if (f->have_uac)
			push(f, &f->uac, in->data, in->len);
		return 0;
	}
	if (starts(in, "REGISTER ", 9)) {
		if (f->auth && !memmem(in->data, in->len, "Authorization:", 14))
			reply(f, in, challenge, sizeof(challenge) - 1);
		else
			reply(f, in, ok, sizeof(ok) - 1);
		return 0;
	}
	f->uac = in->from;
	f->have_uac = true;
	if (starts(in, "INVITE ", 7))
		reply(f, in, trying, sizeof(trying) - 1);
	push(f, &f->uas, in->data, in->len);
	return 0;
}

static int fwd_timeout(void *c, uint64_t now)
{
	(void)c;
	(void)now;
	return 0;
}

static int fwd_output(void *c, struct net_out *out)
{
	struct fwd *f = c;

	if (!f->n)
		return ENOENT;
	*out = f->q[f->head];
	f->head = (f->head + 1) % FWD_QUEUE;
	f->n--;
	return 0;
}

static uint64_t fwd_deadline(void *c)
{
	(void)c;
	return UINT64_MAX;
}

static const struct core_ops fwd_ops = {
	.name = "floor",
	.input = fwd_input,
	.timeout = fwd_timeout,
	.output = fwd_output,
	.deadline = fwd_deadline,
};

/* The child: the loop until SIGTERM. Exit status 0, or 1 with a line in
 * its log. */
static int fwd_main(uint16_t port, bool auth)
{
	static struct fwd f;
	struct io_opts o = { 0 };
	struct io_loop *l = NULL;
	struct io_core *core;
	struct log lg;
	char err[256];
	int e;

	log_init(&lg, "floor", LOG_WARN);
	o.log = &lg;
	memset(&f, 0, sizeof(f));
	f.auth = auth;
	if (net_addr_parse(&PL("127.0.0.1"), port, &f.self) ||
	    net_addr_parse(&PL("127.0.0.1"), (uint16_t)(port + 1), &f.uas))
		return 1;
	f.self.tp = f.uas.tp = NET_UDP;
	if ((e = io_loop_new(&l, &o, err, sizeof(err)))) {
		fprintf(stderr, "floor: %s\n", err);
		return 1;
	}
	if ((e = io_core_add(l, &fwd_ops, &f, &core)) ||
	    (e = io_listen(l, core, &f.self, NULL)) ||
	    (e = io_signals(l, NULL, NULL))) {
		fprintf(stderr, "floor: 127.0.0.1:%u: %s\n", port,
			strerror(e));
		io_loop_free(l);
		return 1;
	}
	e = io_run(l);
	fprintf(stderr, "floor: stopped (%s), %llu replies not made\n",
		e ? strerror(e) : "signal", (unsigned long long)f.dropped);
	io_loop_free(l);
	return e ? 1 : 0;
}

int px_fwd_start(struct px_srv *s, bool auth, const char *dir, uint16_t port)
{
	char log[700];
	int fd;

	memset(s, 0, sizeof(*s));
	s->kind = PX_FWD;
	s->auth = auth;
	s->port = port;
	snprintf(s->dir, sizeof(s->dir), "%.400s", dir);
	if (px_mkdir(dir))
		return errno ? errno : EIO;
	fflush(NULL);	/* nothing buffered is written twice */
	s->pid = fork();
	if (s->pid < 0)
		return errno;
	if (s->pid)
		return px_wait_bound(s);
	setpgid(0, 0);
	snprintf(log, sizeof(log), "%s/floor.log", s->dir);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	_exit(fwd_main(port, auth));
}
