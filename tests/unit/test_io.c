/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the live driver (ref/io) over real loopback sockets, IPv4
 * and IPv6: a small echo core behind UDP, TCP and TLS listeners, a client
 * core that makes the driver open outgoing TCP/TLS connections, dynamic
 * UDP ports, the allow list, idle timeout, write-queue overflow, core
 * deadlines and SIGTERM. TLS material is made here with the OpenSSL API
 * (a self-signed EC certificate for 127.0.0.1 and ::1) in a temp folder.
 * Every wait is bounded (poll_until); the whole suite takes about a second.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "base/mem.h"
#include "base/core.h"
#include "io/io.h"

static int64_t blocks_at_start;
static char tmpdir[64], cert_a[128], key_a[128], cert_b[128], key_b[128];

/* ---- a tiny sans-IO core: echo (server) or record (client) ---- */
#define QMAX 16
#define FLOOD_CHUNK 65536

struct qent {
	struct net_out o;
	uint8_t *data;
};

struct echo {
	bool echo;			/* answer every chunk back */
	struct qent q[QMAX];
	size_t qh, qn;
	uint8_t *cur;			/* returned by the last output */
	size_t flood_left;		/* bytes to push at flood_conn */
	size_t flood_size;		/* 0: 64 MiB */
	struct net_out flood_o;
	uint8_t *flood_buf;
	char got[8192];
	size_t got_len;
	int inputs, closes;
	uint64_t last_conn, close_conn;
	struct net_addr last_from, last_to, close_from;
	uint64_t deadline, fired_at;
	int timeouts;
};

static void push(struct echo *e, const struct net_out *o)
{
	struct qent *q;

	assert_true(e->qn < QMAX);
	q = &e->q[(e->qh + e->qn++) % QMAX];
	q->o = *o;
	q->data = NULL;
	if (o->len) {
		q->data = mem_alloc(o->len);
		assert_non_null(q->data);
		memcpy(q->data, o->data, o->len);
	}
	q->o.data = q->data;
}

static int echo_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct echo *e = core;
	struct net_out o;

	(void)now_us;
	if (!in->data) {
		e->closes++;
		e->close_conn = in->conn_id;
		e->close_from = in->from;
		return 0;
	}
	e->inputs++;
	e->last_conn = in->conn_id;
	e->last_from = in->from;
	e->last_to = in->to;
	if (e->got_len + in->len <= sizeof(e->got)) {
		memcpy(e->got + e->got_len, in->data, in->len);
		e->got_len += in->len;
	}
	if (!e->echo)
		return 0;
	memset(&o, 0, sizeof(o));
	o.kind = NET_OUT_SEND;
	o.src = in->to;
	o.dst = in->from;
	o.conn_id = in->conn_id;
	o.data = in->data;
	o.len = in->len;
	if (in->len == 5 && !memcmp(in->data, "flood", 5)) {
		e->flood_o = o;
		e->flood_left = e->flood_size ? e->flood_size :
				64u * 1024 * 1024;
		return 0;
	}
	push(e, &o);
	return 0;
}

static int echo_timeout(void *core, uint64_t now_us)
{
	struct echo *e = core;

	if (e->deadline && e->deadline <= now_us) {
		e->timeouts++;
		e->fired_at = now_us;
		e->deadline = 0;
	}
	return 0;
}

static int echo_output(void *core, struct net_out *out)
{
	struct echo *e = core;
	struct qent *q;

	mem_free(e->cur);
	e->cur = NULL;
	if (e->flood_left) {
		*out = e->flood_o;
		out->data = e->flood_buf;
		out->len = FLOOD_CHUNK;
		e->flood_left -= FLOOD_CHUNK;
		return 0;
	}
	if (!e->qn)
		return ENOENT;
	q = &e->q[e->qh];
	e->qh = (e->qh + 1) % QMAX;
	e->qn--;
	*out = q->o;
	e->cur = q->data;
	return 0;
}

static uint64_t echo_deadline(void *core)
{
	struct echo *e = core;

	return e->deadline ? e->deadline : UINT64_MAX;
}

static const struct core_ops echo_ops = {
	"echo", echo_input, echo_timeout, echo_output, echo_deadline,
};

static void echo_init(struct echo *e, bool echo)
{
	memset(e, 0, sizeof(*e));
	e->echo = echo;
	e->flood_buf = mem_zalloc(FLOOD_CHUNK);
	assert_non_null(e->flood_buf);
}

static void echo_fini(struct echo *e)
{
	while (e->qn) {
		mem_free(e->q[e->qh].data);
		e->qh = (e->qh + 1) % QMAX;
		e->qn--;
	}
	mem_free(e->cur);
	mem_free(e->flood_buf);
}

/* Have core c send (conn_id 0 or a given one) through the driver. */
static void core_send(struct io_loop *l, struct io_core *ic, struct echo *e,
		      const struct net_addr *dst, uint64_t conn_id,
		      const char *s)
{
	struct net_out o;

	memset(&o, 0, sizeof(o));
	o.kind = NET_OUT_SEND;
	o.dst = *dst;
	o.conn_id = conn_id;
	o.data = (const uint8_t *)s;
	o.len = strlen(s);
	push(e, &o);
	assert_int_equal(io_core_flush(l, ic), 0);
}

static void core_close(struct io_loop *l, struct io_core *ic, struct echo *e,
		       uint64_t conn_id)
{
	struct net_out o;

	memset(&o, 0, sizeof(o));
	o.kind = NET_OUT_CLOSE;
	o.conn_id = conn_id;
	push(e, &o);
	assert_int_equal(io_core_flush(l, ic), 0);
}

/* Run loops (l2 may be NULL) until *flag or about 3 s. */
static bool poll_until(struct io_loop *l, struct io_loop *l2,
		       const int *flag, int want)
{
	int i;

	for (i = 0; i < 600 && *flag < want; i++) {
		assert_int_equal(io_run_once(l, l2 ? 1 : 5), 0);
		if (l2)
			assert_int_equal(io_run_once(l2, 1), 0);
	}
	return *flag >= want;
}

static struct net_addr addr(const char *spec)
{
	struct pl pl = pl_from_str(spec);
	struct net_addr a;

	assert_int_equal(net_listen_parse(&pl, &a), 0);
	return a;
}

/* ---- TLS material: self-signed certificates made with OpenSSL ---- */
static void make_cert(const char *cn, const char *cpath, const char *kpath)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	FILE *f;

	assert_non_null(k);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
				   MBSTRING_ASC, (const unsigned char *)cn,
				   -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
				  "IP:127.0.0.1,IP:::1,DNS:localhost");
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
				  "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	f = fopen(cpath, "w");
	assert_non_null(f);
	PEM_write_X509(f, x);
	fclose(f);
	f = fopen(kpath, "w");
	assert_non_null(f);
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(k);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_io.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(cert_a, sizeof(cert_a), "%s/a.crt", tmpdir);
	snprintf(key_a, sizeof(key_a), "%s/a.key", tmpdir);
	snprintf(cert_b, sizeof(cert_b), "%s/b.crt", tmpdir);
	snprintf(key_b, sizeof(key_b), "%s/b.key", tmpdir);
	make_cert("io test A", cert_a, key_a);
	make_cert("io test B", cert_b, key_b);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(cert_a);
	unlink(key_a);
	unlink(cert_b);
	unlink(key_b);
	rmdir(tmpdir);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	blocks_at_start = mem_blocks();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static struct io_loop *loop_new(const struct io_opts *o)
{
	struct io_opts def = { 0 };
	struct io_loop *l = NULL;
	char err[256] = "";

	if (!o)
		o = &def;
	assert_int_equal(io_loop_new(&l, o, err, sizeof(err)), 0);
	return l;
}

/* ---- datagrams ---- */
static void udp_echo(const char *spec)
{
	struct io_loop *l = loop_new(NULL);
	struct net_addr a = addr(spec), b;
	struct io_core *ic;
	struct echo e;
	char rx[64];
	ssize_t n = -1;
	int fd, i;

	echo_init(&e, true);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &b), 0);
	assert_int_not_equal(net_addr_port(&b), 0);
	fd = socket(net_addr_family(&b), SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(sendto(fd, "hello", 5, 0, &b.u.sa,
				net_addr_len(&b)), 5);
	for (i = 0; i < 300 && n < 0; i++) {
		assert_int_equal(io_run_once(l, 10), 0);
		n = recv(fd, rx, sizeof(rx), 0);
	}
	assert_int_equal(n, 5);
	assert_memory_equal(rx, "hello", 5);
	assert_int_equal(e.last_conn, 0);
	assert_true(net_addr_eq(&e.last_to, &b));
	assert_int_equal(e.last_from.tp, NET_UDP);
	assert_int_equal(io_stats(l)->udp_rx, 1);
	assert_int_equal(io_stats(l)->udp_tx, 1);
	close(fd);
	io_loop_free(l);
	echo_fini(&e);
}

static void test_io_udp_echo_v4(void **state)
{
	(void)state;
	udp_echo("udp:127.0.0.1:0");
}

static void test_io_udp_echo_v6(void **state)
{
	(void)state;
	udp_echo("udp:[::1]:0");
}

/* A burst bigger than one recvmmsg vector all comes back. */
static void test_io_udp_batch(void **state)
{
	struct io_loop *l = loop_new(NULL);
	struct net_addr a = addr("udp:127.0.0.1:0");
	struct io_core *ic;
	struct echo e;
	char rx[64];
	int fd, i, got = 0;

	(void)state;
	echo_init(&e, true);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(sendto(fd, "x", 1, 0, &a.u.sa,
					net_addr_len(&a)), 1);
	for (i = 0; i < 300 && got < 100; i++) {
		assert_int_equal(io_run_once(l, 5), 0);
		while (recv(fd, rx, sizeof(rx), 0) == 1)
			got++;
	}
	assert_int_equal(got, 100);
	assert_int_equal(io_stats(l)->udp_rx, 100);
	assert_int_equal(io_stats(l)->udp_tx, 100);
	close(fd);
	io_loop_free(l);
	echo_fini(&e);
}

/* The relay's ports: open on port 0, receive, close, ENOENT twice. */
static void test_io_udp_dynamic(void **state)
{
	struct io_loop *l = loop_new(NULL);
	struct net_addr a = addr("udp:127.0.0.1:0"), taken;
	struct io_core *ic;
	struct echo e;
	uint32_t id, id2;
	char rx[16];
	ssize_t n = -1;
	int fd, i;

	(void)state;
	echo_init(&e, true);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_udp_open(l, ic, &a, &id), 0);
	assert_int_not_equal(net_addr_port(&a), 0);
	taken = a;
	assert_int_equal(io_udp_open(l, ic, &taken, &id2), EADDRINUSE);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sendto(fd, "rtp", 3, 0, &a.u.sa, net_addr_len(&a));
	for (i = 0; i < 300 && n < 0; i++) {
		assert_int_equal(io_run_once(l, 5), 0);
		n = recv(fd, rx, sizeof(rx), 0);
	}
	assert_int_equal(n, 3);
	assert_int_equal(io_udp_close(l, id), 0);
	assert_int_equal(io_udp_close(l, id), ENOENT);
	/* The port is free again. */
	taken = a;
	assert_int_equal(io_udp_open(l, ic, &taken, &id2), 0);
	assert_int_not_equal(id2, id);
	close(fd);
	io_loop_free(l);
	echo_fini(&e);
}

/* The drain hook runs after each drain and may use the loop: here it
 * opens a port the way the media glue answers RTP_SOCK_OPEN. */
struct hook_state {
	int calls;
	struct net_addr opened;
	uint32_t id;
};

static void hook(void *arg, struct io_loop *l, struct io_core *c)
{
	struct hook_state *h = arg;

	if (h->calls++ == 0) {
		h->opened = addr("udp:[::1]:0");
		assert_int_equal(io_udp_open(l, c, &h->opened, &h->id), 0);
	}
}

static void test_io_drain_hook(void **state)
{
	struct io_loop *l = loop_new(NULL);
	struct net_addr a = addr("udp:127.0.0.1:0");
	struct hook_state h = { 0 };
	struct io_core *ic;
	struct echo e;
	char rx[16];
	ssize_t n = -1;
	int fd, i;

	(void)state;
	echo_init(&e, true);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	io_core_on_drain(ic, hook, &h);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sendto(fd, "a", 1, 0, &a.u.sa, net_addr_len(&a));
	assert_true(poll_until(l, NULL, &e.inputs, 1));
	assert_int_equal(h.calls, 1);
	close(fd);
	/* The port the hook opened answers over IPv6. */
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sendto(fd, "b", 1, 0, &h.opened.u.sa, net_addr_len(&h.opened));
	for (i = 0; i < 300 && n < 0; i++) {
		assert_int_equal(io_run_once(l, 5), 0);
		n = recv(fd, rx, sizeof(rx), 0);
	}
	assert_int_equal(n, 1);
	assert_int_equal(h.calls, 2);
	assert_int_equal(io_udp_close_addr(l, ic, &a), ENOENT);
	assert_int_equal(io_udp_close_addr(l, ic, &h.opened), 0);
	assert_int_equal(io_udp_close(l, h.id), ENOENT);
	close(fd);
	io_loop_free(l);
	echo_fini(&e);
}

/* Sends outside the allowed prefixes are dropped and counted. */
static void test_io_allow_list(void **state)
{
	struct io_loop *l = loop_new(NULL);
	struct net_addr a = addr("udp:127.0.0.1:0"), pfx = addr("udp:10.0.0.0");
	struct io_core *ic;
	struct echo e;
	char rx[16];
	int fd;

	(void)state;
	echo_init(&e, true);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	assert_int_equal(io_allow_add(l, &pfx, 8), 0);
	assert_int_equal(io_allow_add(l, &pfx, 33), EINVAL);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sendto(fd, "hi", 2, 0, &a.u.sa, net_addr_len(&a));
	assert_true(poll_until(l, NULL, &e.inputs, 1));
	io_run_once(l, 20);
	assert_int_equal(recv(fd, rx, sizeof(rx), 0), -1);
	assert_int_equal(io_stats(l)->denied, 1);
	assert_int_equal(io_stats(l)->udp_tx, 0);
	close(fd);
	io_loop_free(l);
	echo_fini(&e);
}

/* ---- streams ---- */
/* A plain client socket: the echo comes back, our close reaches the core
 * as the NULL chunk of the same connection id. */
static void tcp_echo_raw(const char *spec)
{
	struct io_loop *l = loop_new(NULL);
	struct net_addr a = addr(spec);
	struct io_core *ic;
	struct echo e;
	char rx[64];
	ssize_t n = -1;
	int fd, i;

	echo_init(&e, true);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	fd = socket(net_addr_family(&a), SOCK_STREAM, 0);
	assert_int_equal(connect(fd, &a.u.sa, net_addr_len(&a)), 0);
	assert_int_equal(send(fd, "ping", 4, 0), 4);
	for (i = 0; i < 300 && n < 0; i++) {
		assert_int_equal(io_run_once(l, 5), 0);
		n = recv(fd, rx, sizeof(rx), MSG_DONTWAIT);
	}
	assert_int_equal(n, 4);
	assert_memory_equal(rx, "ping", 4);
	assert_int_not_equal(e.last_conn, 0);
	assert_int_equal(e.last_from.tp, NET_TCP);
	assert_int_equal(io_conn_count(l), 1);
	close(fd);
	assert_true(poll_until(l, NULL, &e.closes, 1));
	assert_int_equal(e.close_conn, e.last_conn);
	assert_int_equal(io_conn_count(l), 0);
	io_loop_free(l);
	echo_fini(&e);
}

static void test_io_tcp_echo_v4(void **state)
{
	(void)state;
	tcp_echo_raw("tcp:127.0.0.1:0");
}

static void test_io_tcp_echo_v6(void **state)
{
	(void)state;
	tcp_echo_raw("tcp:[::1]:0");
}

/*
 * Client core -> driver connects (conn_id 0) -> server core echoes; a
 * second send reuses the connection; NET_OUT_CLOSE reaches the server.
 * Server and client may sit in different loops (l2).
 */
static void stream_pair(struct io_loop *ls, struct io_loop *lc,
			const char *spec, bool expect_ok)
{
	struct net_addr a = addr(spec);
	struct io_core *is, *icc;
	struct echo s, c;
	uint64_t id;

	echo_init(&s, true);
	echo_init(&c, false);
	assert_int_equal(io_core_add(ls, &echo_ops, &s, &is), 0);
	assert_int_equal(io_core_add(lc, &echo_ops, &c, &icc), 0);
	assert_int_equal(io_listen(ls, is, &a, &a), 0);
	core_send(lc, icc, &c, &a, 0, "one");
	if (!expect_ok) {
		assert_true(poll_until(lc, ls != lc ? ls : NULL, &c.closes, 1));
		assert_int_equal(c.inputs, 0);
		assert_true(net_addr_eq(&c.close_from, &a));
		goto out;
	}
	assert_true(poll_until(lc, ls != lc ? ls : NULL, &c.inputs, 1));
	assert_memory_equal(c.got, "one", 3);
	id = c.last_conn;
	assert_int_not_equal(id, 0);
	assert_int_equal(c.last_from.tp, a.tp);
	core_send(lc, icc, &c, &a, 0, "two");
	assert_true(poll_until(lc, ls != lc ? ls : NULL, &c.inputs, 2));
	assert_int_equal(c.last_conn, id);
	assert_memory_equal(c.got, "onetwo", 6);
	core_close(lc, icc, &c, id);
	assert_true(poll_until(ls, ls != lc ? lc : NULL, &s.closes, 1));
	assert_int_equal(s.close_conn, s.last_conn);
out:
	echo_fini(&s);
	echo_fini(&c);
}

static void test_io_tcp_client_v6(void **state)
{
	struct io_loop *l = loop_new(NULL);

	(void)state;
	stream_pair(l, l, "tcp:[::1]:0", true);
	assert_int_equal(io_stats(l)->conn_out, 1);
	assert_int_equal(io_stats(l)->conn_in, 1);
	io_loop_free(l);
}

static void test_io_tls_v4_v6(void **state)
{
	struct io_opts o = { .tls_cert = cert_a, .tls_key = key_a };
	struct io_loop *l = loop_new(&o);

	(void)state;
	stream_pair(l, l, "tls:127.0.0.1:0", true);
	stream_pair(l, l, "tls:[::1]:0", true);
	assert_int_equal(io_stats(l)->tls_fail, 0);
	io_loop_free(l);
}

/* Outgoing TLS verifies the server against tls_ca when asked. */
static void test_io_tls_verify_server(void **state)
{
	struct io_opts so = { .tls_cert = cert_a, .tls_key = key_a };
	struct io_opts good = { .tls_ca = cert_a, .tls_verify_server = 1 };
	struct io_opts bad = { .tls_ca = cert_b, .tls_verify_server = 1 };
	struct io_loop *ls = loop_new(&so), *lc = loop_new(&good);

	(void)state;
	stream_pair(ls, lc, "tls:127.0.0.1:0", true);
	io_loop_free(lc);
	lc = loop_new(&bad);
	stream_pair(ls, lc, "tls:127.0.0.1:0", false);
	assert_int_equal(io_stats(lc)->tls_fail, 1);
	io_loop_free(lc);
	io_loop_free(ls);
}

/* Listeners that demand a client certificate. */
static void test_io_tls_verify_client(void **state)
{
	struct io_opts so = { .tls_cert = cert_a, .tls_key = key_a,
			      .tls_ca = cert_b, .tls_verify_client = 1 };
	struct io_opts with = { .tls_cert = cert_b, .tls_key = key_b };
	struct io_opts without = { 0 };
	struct io_loop *ls = loop_new(&so), *lc = loop_new(&with);

	(void)state;
	stream_pair(ls, lc, "tls:[::1]:0", true);
	io_loop_free(lc);
	lc = loop_new(&without);
	stream_pair(ls, lc, "tls:[::1]:0", false);
	assert_true(io_stats(ls)->tls_fail >= 1);
	io_loop_free(lc);
	io_loop_free(ls);
}

static void test_io_connect_refused(void **state)
{
	struct io_loop *l = loop_new(NULL);
	struct net_addr a = addr("tcp:127.0.0.1:0");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t sl = net_addr_len(&a);
	struct io_core *ic;
	struct echo c;

	(void)state;
	/* A port that was just free: bind, learn it, close. */
	assert_int_equal(bind(fd, &a.u.sa, sl), 0);
	assert_int_equal(getsockname(fd, &a.u.sa, &sl), 0);
	close(fd);
	echo_init(&c, false);
	assert_int_equal(io_core_add(l, &echo_ops, &c, &ic), 0);
	core_send(l, ic, &c, &a, 0, "x");
	assert_true(poll_until(l, NULL, &c.closes, 1));
	assert_int_not_equal(c.close_conn, 0);
	assert_int_equal(io_conn_count(l), 0);
	io_loop_free(l);
	echo_fini(&c);
}

static void test_io_idle_timeout(void **state)
{
	struct io_opts o = { .idle_timeout_us = 100000 };
	struct io_loop *l = loop_new(&o);
	struct net_addr a = addr("tcp:127.0.0.1:0");
	struct io_core *ic;
	struct echo e;
	uint64_t t0;
	char rx[8];
	int fd;

	(void)state;
	echo_init(&e, true);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, &a.u.sa, net_addr_len(&a)), 0);
	send(fd, "a", 1, 0);
	t0 = io_now_us();
	assert_true(poll_until(l, NULL, &e.closes, 1));
	assert_true(io_now_us() - t0 >= 100000);
	assert_int_equal(io_stats(l)->conn_idle, 1);
	/* Our side sees the echo, then EOF. */
	assert_int_equal(recv(fd, rx, sizeof(rx), 0), 1);
	assert_int_equal(recv(fd, rx, sizeof(rx), 0), 0);
	close(fd);
	io_loop_free(l);
	echo_fini(&e);
}

/* A peer that opens a TLS connection and never says hello is dropped
 * after connect_timeout (a slow-loris must not hold a slot). */
static void test_io_setup_timeout(void **state)
{
	struct io_opts o = { .tls_cert = cert_a, .tls_key = key_a,
			     .connect_timeout_us = 100000 };
	struct io_loop *l = loop_new(&o);
	struct net_addr a = addr("tls:127.0.0.1:0");
	struct io_core *ic;
	struct echo e;
	uint64_t t0;
	char rx[8];
	int fd, i;

	(void)state;
	echo_init(&e, true);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, &a.u.sa, net_addr_len(&a)), 0);
	t0 = io_now_us();
	for (i = 0; i < 50 && io_stats(l)->conn_in == 0; i++)
		assert_int_equal(io_run_once(l, 5), 0);
	assert_int_equal(io_conn_count(l), 1);
	for (i = 0; i < 400 && io_conn_count(l); i++)
		assert_int_equal(io_run_once(l, 5), 0);
	assert_int_equal(io_conn_count(l), 0);
	assert_true(io_now_us() - t0 >= 100000);
	assert_int_equal(recv(fd, rx, sizeof(rx), 0), 0);
	assert_int_equal(e.closes, 0);	/* the core never knew it */
	close(fd);
	io_loop_free(l);
	echo_fini(&e);
}

/* A peer that never reads is closed once its queue passes wq_max. */
static void test_io_backpressure(void **state)
{
	struct io_opts o = { .wq_max = 256 * 1024 };
	struct io_loop *l = loop_new(&o);
	struct net_addr a = addr("tcp:127.0.0.1:0");
	struct io_core *ic;
	struct echo e;
	int fd;

	(void)state;
	echo_init(&e, true);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, &a.u.sa, net_addr_len(&a)), 0);
	send(fd, "flood", 5, 0);
	assert_true(poll_until(l, NULL, &e.closes, 1));
	assert_int_equal(io_stats(l)->conn_overflow, 1);
	assert_int_equal(io_conn_count(l), 0);
	close(fd);
	io_loop_free(l);
	echo_fini(&e);
}

/* io_shutdown hands queued bytes to a slow reader before closing. */
struct reader {
	int fd;
	size_t got;
};

static void *slow_reader(void *arg)
{
	struct reader *r = arg;
	char buf[65536];
	ssize_t n;

	usleep(100000);
	while ((n = recv(r->fd, buf, sizeof(buf), 0)) > 0)
		r->got += (size_t)n;
	return NULL;
}

static void test_io_shutdown_flush(void **state)
{
	struct io_opts o = { .wq_max = 32 * 1024 * 1024 };
	struct io_loop *l = loop_new(&o);
	struct net_addr a = addr("tcp:127.0.0.1:0");
	struct reader r = { 0, 0 };
	struct io_core *ic;
	struct echo e;
	pthread_t th;
	int i;

	(void)state;
	echo_init(&e, true);
	e.flood_size = 16 * 1024 * 1024;
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	r.fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(r.fd, &a.u.sa, net_addr_len(&a)), 0);
	send(r.fd, "flood", 5, 0);
	for (i = 0; i < 100 && io_stats(l)->stream_rx < 5; i++)
		assert_int_equal(io_run_once(l, 5), 0);
	assert_int_equal(e.flood_left, 0);
	assert_int_equal(pthread_create(&th, NULL, slow_reader, &r), 0);
	io_stop(l);
	assert_int_equal(io_shutdown(l, 5000), 0);
	assert_int_equal(io_conn_count(l), 1);
	io_loop_free(l);	/* closes: the reader sees EOF */
	pthread_join(th, NULL);
	assert_int_equal(r.got, 16 * 1024 * 1024);
	assert_int_equal(e.closes, 0);	/* cores are not called */
	close(r.fd);
	echo_fini(&e);
}

/* Every allocation of the loop failing in turn: ENOMEM, no leak. */
static void test_io_oom(void **state)
{
	struct io_opts o = { 0 };
	struct io_loop *l = NULL;
	struct io_core *ic;
	char err[128];
	int64_t n;
	int rc;

	(void)state;
	for (n = 0;; n++) {
		mem_fail_at(n, 0);
		rc = io_loop_new(&l, &o, err, sizeof(err));
		mem_fail_at(-1, 0);
		if (!rc)
			break;
		assert_int_equal(rc, ENOMEM);
		assert_int_equal(mem_blocks(), blocks_at_start);
	}
	assert_true(n > 0);
	mem_fail_at(0, 0);
	assert_int_equal(io_core_add(l, &echo_ops, NULL, &ic), ENOMEM);
	mem_fail_at(-1, 0);
	io_loop_free(l);
}

/* ---- clock, deadlines, signals, config errors ---- */
static void test_io_core_deadline(void **state)
{
	struct io_loop *l = loop_new(NULL);
	struct io_core *ic;
	struct echo e;
	uint64_t t0 = io_now_us();
	int64_t off = io_wall_offset_us(l);
	struct timespec rt;

	(void)state;
	echo_init(&e, true);
	e.deadline = t0 + 30000;
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_true(poll_until(l, NULL, &e.timeouts, 1));
	assert_true(e.fired_at >= t0 + 30000);
	assert_true(e.fired_at < t0 + 1000000);
	clock_gettime(CLOCK_REALTIME, &rt);
	assert_true(llabs((int64_t)io_now_us() + off -
			  ((int64_t)rt.tv_sec * 1000000 +
			   rt.tv_nsec / 1000)) < 100000);
	io_loop_free(l);
	echo_fini(&e);
}

static void test_io_sigterm(void **state)
{
	struct io_loop *l = loop_new(NULL);

	(void)state;
	assert_int_equal(io_signals(l, NULL, NULL), 0);
	kill(getpid(), SIGTERM);
	assert_int_equal(io_run(l), 0);
	assert_true(io_stopped(l));
	io_loop_free(l);
}

static void test_io_bad_tls_files(void **state)
{
	struct io_opts missing = { .tls_cert = "/nonexistent.crt",
				   .tls_key = key_a };
	struct io_opts mismatch = { .tls_cert = cert_a, .tls_key = key_b };
	struct io_opts half = { .tls_cert = cert_a };
	struct io_loop *l = NULL;
	char err[256];

	(void)state;
	assert_int_equal(io_loop_new(&l, &missing, err, sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "/nonexistent.crt"));
	assert_int_equal(io_loop_new(&l, &mismatch, err, sizeof(err)),
			 EINVAL);
	assert_non_null(strstr(err, "mismatch"));
	assert_non_null(strstr(err, key_b));
	assert_int_equal(io_loop_new(&l, &half, err, sizeof(err)), EINVAL);
	assert_null(l);
}

static void test_io_listen_spec(void **state)
{
	struct io_loop *l = loop_new(NULL);
	struct io_core *ic;
	char err[256];

	(void)state;
	assert_int_equal(io_core_add(l, NULL, NULL, &ic), 0);
	assert_int_equal(io_listen_spec(l, ic, " udp:127.0.0.1:0\ttcp:[::1]:0 ",
					err, sizeof(err)), 0);
	assert_int_equal(io_listen_spec(l, ic, "tls:127.0.0.1:0", err,
					sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "no TLS certificate"));
	assert_int_equal(io_listen_spec(l, ic, "quic:127.0.0.1:1", err,
					sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "quic"));
	assert_int_equal(io_listen_spec(l, ic, "udp:192.0.2.1:5060", err,
					sizeof(err)), EADDRNOTAVAIL);
	io_loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_io_udp_echo_v4),
		T(test_io_udp_echo_v6),
		T(test_io_udp_batch),
		T(test_io_udp_dynamic),
		T(test_io_drain_hook),
		T(test_io_allow_list),
		T(test_io_tcp_echo_v4),
		T(test_io_tcp_echo_v6),
		T(test_io_tcp_client_v6),
		T(test_io_tls_v4_v6),
		T(test_io_tls_verify_server),
		T(test_io_tls_verify_client),
		T(test_io_connect_refused),
		T(test_io_idle_timeout),
		T(test_io_setup_timeout),
		T(test_io_backpressure),
		T(test_io_shutdown_flush),
		T(test_io_oom),
		T(test_io_core_deadline),
		T(test_io_sigterm),
		T(test_io_bad_tls_files),
		T(test_io_listen_spec),
#undef T
	};

	return cmocka_run_group_tests_name("io", tests, group_setup,
					   group_teardown);
}
