/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench perf msrp: an MSRP chat through a relay, checked, then timed.
 *
 * Two clients (blocking sockets, OpenSSL for tls:) AUTH at the relay with
 * digest, then Alice sends Bob a message in three chunks cut at awkward
 * places (content full of CRLF, dashes and an OTR-looking payload) and
 * every byte must arrive unchanged, with the relay's 200s and Bob's
 * success REPORT routed back. Then Alice streams --mb MiB to Bob (SEND
 * chunks with Failure-Report: no) for at most --seconds, and the same
 * stream goes over one direct TCP connection on loopback: MB/s of both and
 * the ratio go to DIR/summary.json.
 *
 * Without --relay the relay core runs in a forked child on the live driver
 * (tcp on 127.0.0.1, an ephemeral port) with two bench accounts. With
 * --relay tls:HOST:PORT the clients use that relay and the accounts given
 * by --user/--password and --user2/--password2 (integration tests).
 * Loopback only: addresses are numeric and the forked relay binds
 * 127.0.0.1.
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "base/fs.h"
#include "app/cmd.h"
#include "base/mem.h"
#include "io/io.h"
#include "msrp/msrp.h"
#include "report/summary.h"

#define RBUF 65536

struct mc {
	int fd;
	SSL *ssl;
	struct msrp_parser ps;
	uint8_t rbuf[RBUF];
	size_t roff, rlen;
	char uri[128];
	char use_path[192];
};

struct rxm {
	char raw[4096];
	size_t rawlen;
	struct msrp_msg m;
	struct buf body;
	char flag;
};

struct opts {
	const char *relay, *user, *pw, *user2, *pw2, *realm, *out, *ca;
	uint32_t mb, chunk, seconds;
};

struct res {
	json_t *checks;
	int passed, failed;
};

static void check(struct res *r, const char *name, bool ok, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

static void check(struct res *r, const char *name, bool ok, const char *fmt,
		  ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	json_array_append_new(r->checks, json_pack("{s:s,s:b,s:s}", "name",
						   name, "ok", ok, "detail",
						   detail));
	if (ok)
		r->passed++;
	else
		r->failed++;
	printf("  %-28s %s  %s\n", name, ok ? "ok  " : "FAIL", detail);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one client connection ---- */

static int mc_open(struct mc *c, const struct net_addr *a, SSL_CTX *ctx)
{
	int one = 1;
	struct timeval tv = { 10, 0 };

	memset(c, 0, sizeof(*c));
	c->fd = socket(net_addr_family(a), SOCK_STREAM, 0);
	if (c->fd < 0)
		return errno;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, &a->u.sa, net_addr_len(a)))
		return errno;
	msrp_parser_init(&c->ps, 16384);
	if (a->tp != NET_TLS)
		return 0;
	c->ssl = SSL_new(ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    SSL_connect(c->ssl) != 1)
		return EPROTO;
	return 0;
}

static void mc_close(struct mc *c)
{
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd > 0)
		close(c->fd);
	msrp_parser_fini(&c->ps);
	c->fd = -1;
	c->ssl = NULL;
}

static int mc_write(struct mc *c, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t k;

	while (n) {
		if (c->ssl)
			k = SSL_write(c->ssl, b, (int)(n > 1 << 20 ? 1 << 20 : n));
		else
			k = send(c->fd, b, n, MSG_NOSIGNAL);
		if (k <= 0)
			return EPIPE;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static int mc_fill(struct mc *c)
{
	ssize_t k;

	if (c->ssl)
		k = SSL_read(c->ssl, c->rbuf, RBUF);
	else
		k = recv(c->fd, c->rbuf, RBUF, 0);
	if (k <= 0)
		return ECONNRESET;
	c->roff = 0;
	c->rlen = (size_t)k;
	return 0;
}

/* Next event from the stream; blocks (up to SO_RCVTIMEO) for bytes. */
static int mc_event(struct mc *c, struct msrp_ev *ev)
{
	struct pl in;
	int err;

	for (;;) {
		in = pl_from_mem(c->rbuf + c->roff, c->rlen - c->roff);
		err = msrp_parse(&c->ps, &in, ev);
		c->roff = c->rlen - in.len;
		if (err != ENODATA)
			return err;
		if ((err = mc_fill(c)))
			return err;
	}
}

/* Next whole message (head copied, body gathered). */
static int mc_take(struct mc *c, struct rxm *m)
{
	struct msrp_ev ev;
	int err;

	buf_reset(&m->body);
	while (!(err = mc_event(c, &ev))) {
		if (ev.kind == MSRP_EV_HEAD) {
			m->rawlen = c->ps.line_off < sizeof(m->raw) ?
				    c->ps.line_off : 0;
			memcpy(m->raw, c->ps.head.data, m->rawlen);
		} else if (ev.kind == MSRP_EV_DATA) {
			if ((err = buf_put(&m->body, ev.data.p, ev.data.len)))
				return err;
		} else {
			m->flag = ev.flag;
			return msrp_head_decode(&m->m, m->raw, m->rawlen);
		}
	}
	return err;
}

static bool hdr_eq(const struct rxm *m, enum msrp_hdr_id id, const char *v)
{
	const struct msrp_hdr *h = msrp_msg_hdr(&m->m, id);

	return h && pl_eq_str(&h->val, v);
}

static int mc_auth(struct mc *c, struct rxm *m, const char *relay_uri,
		   const char *user, const char *pw, const char *realm)
{
	char msg[2048], nonce[80], ha1[65], resp[65], line[256];
	const struct msrp_hdr *h;
	struct msrp_auth a;
	const char *np, *ne;
	struct pl l, www;
	int err;

	snprintf(msg, sizeof(msg), "MSRP au000001 AUTH\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\n-------au000001$\r\n", relay_uri, c->uri);
	if ((err = mc_write(c, msg, strlen(msg))) || (err = mc_take(c, m)))
		return err;
	h = msrp_msg_hdr(&m->m, MSRP_H_WWW_AUTHENTICATE);
	if (m->m.scode != 401 || !h)
		return EACCES;
	www = h->val;
	np = pl_find(&www, &PL("nonce=\""));
	if (!np)
		return EPROTO;
	np += 7;
	ne = memchr(np, '"', (size_t)(www.p + www.len - np));
	if (!ne || ne - np >= (long)sizeof(nonce))
		return EPROTO;
	snprintf(nonce, sizeof(nonce), "%.*s", (int)(ne - np), np);
	snprintf(line, sizeof(line), "%s:%s:%s", user, realm, pw);
	l = pl_from_str(line);
	memset(&a, 0, sizeof(a));
	a.uri = pl_from_str(relay_uri);
	a.nonce = pl_from_str(nonce);
	a.cnonce = PL("bench0c");
	a.nc = PL("00000001");
	a.qop = PL("auth");
	if (msrp_digest_hex(MSRP_ALG_MD5, &l, ha1, sizeof(ha1)) ||
	    msrp_digest_response(MSRP_ALG_MD5, ha1, "AUTH", &a, resp,
				 sizeof(resp)))
		return EINVAL;
	snprintf(msg, sizeof(msg),
		 "MSRP au000002 AUTH\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
		 "Authorization: Digest username=\"%s\", realm=\"%s\", "
		 "nonce=\"%s\", uri=\"%s\", response=\"%s\", qop=auth, "
		 "cnonce=\"bench0c\", nc=00000001\r\n-------au000002$\r\n",
		 relay_uri, c->uri, user, realm, nonce, relay_uri, resp);
	if ((err = mc_write(c, msg, strlen(msg))) || (err = mc_take(c, m)))
		return err;
	h = msrp_msg_hdr(&m->m, MSRP_H_USE_PATH);
	if (m->m.scode != 200 || !h)
		return EACCES;
	return pl_strcpy(&h->val, c->use_path, sizeof(c->use_path));
}

/* One SEND chunk: head, content, end-line. */
static int send_chunk(struct mc *c, struct buf *b, const char *tid,
		      const char *to, const char *msg_id, uint64_t start,
		      const void *data, size_t len, uint64_t total, char flag,
		      const char *extra)
{
	int err;

	buf_reset(b);
	err = buf_printf(b, "MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
			 "Message-ID: %s\r\nByte-Range: %llu-%llu/%llu\r\n%s"
			 "Content-Type: text/plain\r\n\r\n", tid, to, c->uri,
			 msg_id, (unsigned long long)start,
			 (unsigned long long)(start + len - 1),
			 (unsigned long long)total, extra ? extra : "");
	err = err ? err : buf_put(b, data, len);
	err = err ? err : buf_printf(b, "\r\n-------%s%c\r\n", tid, flag);
	return err ? err : mc_write(c, b->data, b->len);
}

/* ---- the chat check ---- */

static void chat(struct res *r, struct mc *a, struct mc *b)
{
	static const char otr[] = "?OTR:AAMDJ+MVmSfjFZcAAAAAAQAAAAIAAADAVf3R"
				  "g3ErZ4LP7jz\r\n-------\r\n-------au000001$"
				  "\r\n?OTRv23?\x01\xff\r\n.";
	char to[600], from[600], tid[40];
	uint8_t body[20000];
	struct rxm m = { 0 };
	struct buf out, got;
	size_t cuts[4] = { 0, 7777, 7778, sizeof(body) }, i;
	bool ok = true, resp_ok = true, path_ok = true;
	int err = 0, ch;

	for (i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)otr[i % (sizeof(otr) - 1)];
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	snprintf(from, sizeof(from), "%s %s %s", b->use_path, a->use_path,
		 a->uri);
	buf_init(&out);
	buf_init(&got);
	buf_init(&m.body);
	for (ch = 0; ch < 3 && !err; ch++) {
		snprintf(tid, sizeof(tid), "chat%04d", ch);
		err = send_chunk(a, &out, tid, to, "otrmsg01", cuts[ch] + 1,
				 body + cuts[ch], cuts[ch + 1] - cuts[ch],
				 sizeof(body), ch == 2 ? '$' : '+',
				 "Success-Report: yes\r\n");
		err = err ? err : mc_take(a, &m);	/* the relay's 200 */
		if (!err && (m.m.scode != 200 || !pl_eq_str(&m.m.tid, tid)))
			resp_ok = false;
		err = err ? err : mc_take(b, &m);
		if (err)
			break;
		path_ok = path_ok && hdr_eq(&m, MSRP_H_TO_PATH, b->uri) &&
			  hdr_eq(&m, MSRP_H_FROM_PATH, from) &&
			  m.flag == (ch == 2 ? '$' : '+');
		buf_put(&got, m.body.data, m.body.len);
		/* Bob's 200 for the chunk, back to the relay */
		pl_strcpy(&m.m.tid, tid, sizeof(tid));
		buf_reset(&out);
		buf_printf(&out, "MSRP %s 200 OK\r\nTo-Path: %s\r\n"
			   "From-Path: %s\r\n-------%s$\r\n", tid, b->use_path,
			   b->uri, tid);
		err = mc_write(b, out.data, out.len);
	}
	ok = !err && got.len == sizeof(body) &&
	     !memcmp(got.data, body, sizeof(body));
	check(r, "msrp_chat_chunks_identical", ok,
	      "%zu bytes in 3 chunks, %zu arrived %s", sizeof(body), got.len,
	      ok ? "unchanged" : err ? strerror(err) : "DIFFERENT");
	check(r, "msrp_chat_otr_unchanged", ok && !memcmp(got.data, otr, 40),
	      "?OTR payload passes byte for byte");
	check(r, "msrp_paths_rewritten", !err && path_ok,
	      "To-Path/From-Path per RFC 4976 at the receiver");
	check(r, "msrp_relay_responses", !err && resp_ok,
	      "the relay answered each chunk with 200");
	/* Bob's success REPORT travels back along the reversed path */
	if (!err) {
		buf_reset(&out);
		buf_printf(&out, "MSRP rp000001 REPORT\r\nTo-Path: %s\r\n"
			   "From-Path: %s\r\nMessage-ID: otrmsg01\r\n"
			   "Byte-Range: 1-%zu/%zu\r\nStatus: 000 200 OK\r\n"
			   "-------rp000001$\r\n", from, b->uri, sizeof(body),
			   sizeof(body));
		err = mc_write(b, out.data, out.len);
		err = err ? err : mc_take(a, &m);
	}
	check(r, "msrp_report_routed", !err && m.m.mid == MSRP_M_REPORT &&
	      hdr_eq(&m, MSRP_H_STATUS, "000 200 OK") &&
	      hdr_eq(&m, MSRP_H_TO_PATH, a->uri),
	      "success REPORT from Bob reached Alice%s",
	      err ? " (no)" : "");
	buf_fini(&out);
	buf_fini(&got);
	buf_fini(&m.body);
}

/* ---- throughput ---- */

struct stream {
	struct mc *tx;
	const char *to;
	uint64_t total;
	uint32_t chunk;
	double deadline;
	uint64_t sent;
	int err;
};

static void *writer(void *arg)
{
	struct stream *s = arg;
	struct buf b;
	uint8_t *data = malloc(s->chunk);
	uint64_t n = 0, x = 0x9e3779b97f4a7c15ull;
	char tid[24];
	int i;

	buf_init(&b);
	/* Pseudo-random bytes, as a file transfer or ciphertext would be:
	 * a CR (a possible end-line) one byte in 256. */
	for (i = 0; data && i < (int)s->chunk; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[i] = (uint8_t)x;
	}
	while (data && !s->err && s->sent < s->total) {
		uint32_t k = s->chunk;
		bool last = s->sent + k >= s->total || now_s() > s->deadline;

		if (s->sent + k > s->total)
			k = (uint32_t)(s->total - s->sent);
		snprintf(tid, sizeof(tid), "tp%08llu", (unsigned long long)n++);
		s->err = send_chunk(s->tx, &b, tid, s->to, "bulk0001",
				    s->sent + 1, data, k, s->total,
				    last ? '$' : '+', "Failure-Report: no\r\n");
		s->sent += k;
		if (last)
			break;
	}
	buf_fini(&b);
	free(data);
	return NULL;
}

/* Stream through tx, count content at rx; MB/s (1e6 bytes) or < 0. */
static double blast(struct mc *tx, struct mc *rx, const char *to,
		    const struct opts *o, uint64_t *bytes)
{
	struct stream s = { tx, to, (uint64_t)o->mb << 20, o->chunk,
			    0, 0, 0 };
	struct msrp_ev ev;
	pthread_t th;
	double t0 = now_s(), t1;
	uint64_t got = 0;
	int err;

	s.deadline = t0 + o->seconds;
	if (pthread_create(&th, NULL, writer, &s))
		return -1;
	while (!(err = mc_event(rx, &ev))) {
		if (ev.kind == MSRP_EV_DATA)
			got += ev.data.len;
		else if (ev.kind == MSRP_EV_END && ev.flag == '$')
			break;
	}
	t1 = now_s();
	pthread_join(th, NULL);
	*bytes = got;
	if (err || s.err || got != s.sent)
		return -1;
	return (double)got / 1e6 / (t1 - t0);
}

/* ---- the forked relay ---- */

static int bench_ha1(void *arg, const struct pl *user, const struct pl *realm,
		     const char *alg, char *ha1, size_t sz)
{
	char line[128];
	struct pl l;
	enum msrp_alg a;
	struct pl an = pl_from_str(alg);

	(void)arg;
	if ((!pl_eq_str(user, "bench1") && !pl_eq_str(user, "bench2")) ||
	    msrp_alg_parse(&an, &a))
		return ENOENT;
	snprintf(line, sizeof(line), "%.*s:%.*s:bench", PL_ARG(*user),
		 PL_ARG(*realm));
	l = pl_from_str(line);
	return msrp_digest_hex(a, &l, ha1, sz);
}

static void relay_child(int wfd)
{
	struct msrp_relay_cfg cfg;
	struct msrp_relay *r;
	struct io_loop *l;
	struct io_core *c;
	struct io_opts io = { 0 };
	struct log lg;
	struct net_addr a, bound;
	struct pl pa = PL("tcp:127.0.0.1:0");
	char err[256];
	uint16_t port = 0;

	msrp_relay_cfg_defaults(&cfg);
	cfg.realm = "bench.test";
	cfg.ha1 = bench_ha1;
	io.wq_max = 8u << 20;
	log_init(&lg, "relay", LOG_WARN);
	io.log = &lg;
	if (!msrp_relay_new(&r, &cfg, (uint64_t)getpid() * 2654435761u) &&
	    !io_loop_new(&l, &io, err, sizeof(err)) &&
	    !io_core_add(l, &msrp_relay_ops, r, &c) &&
	    !net_listen_parse(&pa, &a) && !io_listen(l, c, &a, &bound) &&
	    !io_signals(l, NULL, NULL))
		port = net_addr_port(&bound);
	if (write(wfd, &port, sizeof(port)) != sizeof(port) || !port)
		_exit(1);
	close(wfd);
	io_run(l);
	_exit(0);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->user = "bench1";
	o->pw = o->pw2 = "bench";
	o->user2 = "bench2";
	o->realm = "bench.test";
	o->out = "results/latest";
	o->mb = 64;
	o->chunk = 65536;
	o->seconds = 3;
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char *k = argv[i];

		if (!v)
			goto bad;
		if (!strcmp(k, "--relay")) o->relay = v;
		else if (!strcmp(k, "--user")) o->user = v;
		else if (!strcmp(k, "--password")) o->pw = v;
		else if (!strcmp(k, "--user2")) o->user2 = v;
		else if (!strcmp(k, "--password2")) o->pw2 = v;
		else if (!strcmp(k, "--realm")) o->realm = v;
		else if (!strcmp(k, "--out")) o->out = v;
		else if (!strcmp(k, "--mb")) o->mb = (uint32_t)atoi(v);
		else if (!strcmp(k, "--chunk")) o->chunk = (uint32_t)atoi(v);
		else if (!strcmp(k, "--seconds")) o->seconds = (uint32_t)atoi(v);
		else goto bad;
		i++;
	}
	if (!o->mb || o->mb > 4096 || o->chunk < 16 || o->chunk > (16u << 20) ||
	    !o->seconds || o->seconds > 60) {
		fprintf(stderr, "rtcbench perf msrp: want --mb 1..4096, "
			"--chunk 16..16777216, --seconds 1..60\n");
		return EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "rtcbench perf msrp: bad arguments near '%s'\n"
		"usage: rtcbench perf msrp [--relay tls:HOST:PORT] [--user U "
		"--password P --user2 U --password2 P --realm R] [--mb N] "
		"[--chunk BYTES] [--seconds S] [--out DIR]\n",
		i < argc ? argv[i] : "");
	return EINVAL;
}


static int write_summary(const struct opts *o, struct res *r, json_t *metrics,
			 json_t *meta)
{
	char path[1100];
	json_t *root;
	int err;

	if (fs_mkdir_p(o->out, 0755))
		return EIO;
	snprintf(path, sizeof(path), "%s/summary.json", o->out);
	root = json_pack("{s:i,s:i,s:O,s:O}", "passed", r->passed, "failed",
			 r->failed, "checks", r->checks, "metrics", metrics);
	/* machine, load at start and dates, as in every summary */
	if (root && meta && (rep_meta_finish(meta) ||
			     json_object_set(root, "meta", meta))) {
		json_decref(root);
		root = NULL;
	}
	err = root && !json_dump_file(root, path, JSON_INDENT(2)) ? 0 : EIO;
	json_decref(root);
	return err;
}

/* CPU seconds (user + system) used so far by pid, or -1. */
static double proc_cpu_s(pid_t pid)
{
	char path[64], line[1024], *p;
	unsigned long ut, st;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || !(f = fopen(path, "r")))
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	/* after "pid (comm) ": state is field 3, utime 14, stime 15 */
	if (!p || !(p = strrchr(line, ')')))
		return -1;
	n = sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &ut, &st);
	return n == 2 ? (double)(ut + st) / (double)sysconf(_SC_CLK_TCK) : -1;
}

static void set_uri(struct mc *c, bool tls, const char *name)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	getsockname(c->fd, (struct sockaddr *)&sa, &sl);
	snprintf(c->uri, sizeof(c->uri), "%s://127.0.0.1:%u/%s;tcp",
		 tls ? "msrps" : "msrp", ntohs(sa.sin_port), name);
}

/* Alice and Bob over one direct TCP connection (the bound). */
static double direct(const struct opts *o, uint64_t *bytes)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct mc *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct net_addr na;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	double mbps = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!a || !b || lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sl) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&sa, &sl))
		goto out;
	memset(&na, 0, sizeof(na));
	na.tp = NET_TCP;
	memcpy(&na.u.in, &sa, sizeof(sa));
	if (mc_open(a, &na, NULL))
		goto out;
	b->fd = accept(lfd, NULL, NULL);
	if (b->fd < 0)
		goto out;
	msrp_parser_init(&b->ps, 16384);
	set_uri(a, false, "direct-a");
	snprintf(b->uri, sizeof(b->uri), "msrp://127.0.0.1:%u/direct-b;tcp",
		 ntohs(sa.sin_port));
	mbps = blast(a, b, b->uri, o, bytes);
out:
	if (a && a->fd > 0)
		mc_close(a);
	if (b && b->fd > 0)
		mc_close(b);
	if (lfd >= 0)
		close(lfd);
	free(a);
	free(b);
	return mbps;
}

/* Where the relay is: --relay, or a forked one. 0, or the exit code. */
static int relay_addr(const struct opts *o, struct net_addr *ra,
		      pid_t *child)
{
	struct pl pl = pl_from_str(o->relay ? o->relay : "tcp:127.0.0.1:1");
	uint16_t port = 0;
	int pfd[2];

	if (net_listen_parse(&pl, ra) || ra->tp == NET_UDP) {
		fprintf(stderr, "rtcbench perf msrp: --relay '%s': want "
			"tls:HOST:PORT or tcp:HOST:PORT\n", o->relay);
		return 2;
	}
	if (o->relay)
		return 0;
	fflush(stdout);
	if (pipe(pfd) || (*child = fork()) < 0)
		return 1;
	if (!*child) {
		close(pfd[0]);
		relay_child(pfd[1]);
	}
	close(pfd[1]);
	if (read(pfd[0], &port, sizeof(port)) != sizeof(port) || !port) {
		fprintf(stderr, "rtcbench perf msrp: relay did not start\n");
		close(pfd[0]);
		return 1;
	}
	close(pfd[0]);
	net_addr_set_port(ra, port);
	return 0;
}

int perf_msrp(int argc, char **argv)
{
	struct res r = { json_array(), 0, 0 };
	struct opts o;
	struct net_addr ra;
	struct mc *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct rxm m = { 0 };
	SSL_CTX *ctx = NULL;
	char relay_uri[160], host[NET_ADDR_STRLEN], to[600];
	json_t *metrics = json_object(), *meta = rep_meta_new("perf msrp");
	uint64_t rb = 0, db = 0;
	double rm = -1, dm = -1, cpu0, cpu1;
	pid_t child = -1;
	int err, rc = 2;
	bool tls;

	buf_init(&m.body);
	if (!a || !b || parse_args(argc, argv, &o))
		goto out;
	if ((rc = relay_addr(&o, &ra, &child)))
		goto out;
	rc = 1;
	tls = ra.tp == NET_TLS;
	if (tls && !(ctx = SSL_CTX_new(TLS_client_method())))
		goto out;
	net_addr_host(&ra, host, sizeof(host));
	snprintf(relay_uri, sizeof(relay_uri), "%s://%s:%u;tcp",
		 tls ? "msrps" : "msrp", host, net_addr_port(&ra));
	printf("perf msrp: relay %s\n", relay_uri);
	err = mc_open(a, &ra, ctx);
	err = err ? err : mc_open(b, &ra, ctx);
	if (!err) {
		set_uri(a, tls, "alice01");
		set_uri(b, tls, "bob0001");
		err = mc_auth(a, &m, relay_uri, o.user, o.pw, o.realm);
		err = err ? err : mc_auth(b, &m, relay_uri, o.user2, o.pw2,
					  o.realm);
	}
	check(&r, "msrp_auth_digest", !err, "%s",
	      err ? strerror(err) : "401 challenge then 200 with Use-Path");
	if (err)
		goto done;
	chat(&r, a, b);
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	cpu0 = proc_cpu_s(child);
	rm = blast(a, b, to, &o, &rb);
	cpu1 = proc_cpu_s(child);
	dm = direct(&o, &db);
	check(&r, "msrp_throughput_relay", rm > 0,
	      "%.1f MB/s through the relay (%.1f MB)", rm, (double)rb / 1e6);
	check(&r, "msrp_throughput_direct", dm > 0,
	      "%.1f MB/s over direct TCP (%.1f MB)", dm, (double)db / 1e6);
	json_object_set_new(metrics, "msrp_relay_MBps", json_real(rm));
	json_object_set_new(metrics, "msrp_direct_MBps", json_real(dm));
	json_object_set_new(metrics, "msrp_relay_vs_direct",
			    json_real(dm > 0 ? rm / dm : 0));
	printf("perf msrp: relay %.1f MB/s, direct %.1f MB/s, ratio %.2f\n",
	       rm, dm, dm > 0 ? rm / dm : 0);
	if (cpu0 >= 0 && cpu1 > cpu0) {
		/* Steadier than MB/s on a shared machine: what the relay
		 * itself spent per megabyte relayed. */
		json_object_set_new(metrics, "msrp_relay_MB_per_cpu_s",
				    json_real((double)rb / 1e6 / (cpu1 - cpu0)));
		printf("perf msrp: relay %.0f MB per relay CPU-second\n",
		       (double)rb / 1e6 / (cpu1 - cpu0));
	}
done:
	if (write_summary(&o, &r, metrics, meta))
		fprintf(stderr, "rtcbench perf msrp: cannot write %s/summary."
			"json\n", o.out);
	rc = r.failed ? 1 : 0;
out:
	if (a && a->fd > 0)
		mc_close(a);
	if (b && b->fd > 0)
		mc_close(b);
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
	}
	SSL_CTX_free(ctx);
	buf_fini(&m.body);
	json_decref(metrics);
	json_decref(meta);
	json_decref(r.checks);
	free(a);
	free(b);
	return rc;
}
