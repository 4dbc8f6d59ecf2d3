/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the live driver (ref/io) over real loopback sockets, IPv4
 * and IPv6, stream side: TCP and TLS listeners and outgoing connections
 * (the driver dials for a client core), certificate checks both ways,
 * refused connects, idle and setup timeouts, write-queue overflow, the
 * flush at shutdown, datagrams and stream chunks leaving in the order a
 * core gave them, and every allocation failing in turn. Fixture in
 * io_testutil.h; every wait is bounded (poll_until).
 */
#include "io_testutil.h"

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

/*
 * One core's outputs keep their order across transports: a datagram
 * queued before a stream chunk has left when the chunk is written (a
 * replayed call's last RTP packets, then its BYE over TCP: the driver
 * batched the datagrams and wrote the BYE first, and the relay ended
 * the call before they arrived). The core looks, when asked for its
 * next output, whether the datagram is already at its receiver.
 */
struct order {
	struct net_out o[2];
	int n, fd;		/* outputs handed; the datagram's receiver */
	bool checked, dgram_first;
	uint64_t conn;		/* of the test's TCP client */
	struct net_addr from;
};

static int order_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct order *x = core;

	(void)now_us;
	if (in->data && in->conn_id) {
		x->conn = in->conn_id;
		x->from = in->from;
	}
	return 0;
}

static int order_timeout(void *core, uint64_t now_us)
{
	(void)core;
	(void)now_us;
	return 0;
}

static int order_output(void *core, struct net_out *out)
{
	struct order *x = core;
	char b[16];

	if (x->n == 2 && !x->checked) {
		x->checked = true;
		x->dgram_first = recv(x->fd, b, sizeof(b), MSG_DONTWAIT) == 5;
	}
	if (x->n >= 2)
		return ENOENT;
	*out = x->o[x->n++];
	return 0;
}

static uint64_t order_deadline(void *core)
{
	(void)core;
	return UINT64_MAX;
}

static const struct core_ops order_ops = {
	"order", order_input, order_timeout, order_output, order_deadline,
};

static void test_io_order_across_transports(void **state)
{
	struct io_loop *l = loop_new(NULL);
	struct net_addr a = addr("tcp:127.0.0.1:0"), u = addr("udp:127.0.0.1:0");
	struct net_addr r = addr("udp:127.0.0.1:0");
	struct order x;
	struct io_core *ic;
	socklen_t sl = sizeof(r.u);
	char rx[16];
	ssize_t n = -1;
	int fd, i;

	(void)state;
	memset(&x, 0, sizeof(x));
	x.n = 2;
	x.checked = true;
	assert_int_equal(io_core_add(l, &order_ops, &x, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	assert_int_equal(io_listen(l, ic, &u, &u), 0);
	x.fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(bind(x.fd, &r.u.sa, net_addr_len(&r)), 0);
	assert_int_equal(getsockname(x.fd, &r.u.sa, &sl), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, &a.u.sa, net_addr_len(&a)), 0);
	assert_int_equal(send(fd, "hi", 2, 0), 2);
	for (i = 0; i < 300 && !x.conn; i++)
		assert_int_equal(io_run_once(l, 5), 0);
	assert_int_not_equal(x.conn, 0);

	x.o[0].kind = x.o[1].kind = NET_OUT_SEND;
	x.o[0].dst = r;
	x.o[0].data = (const uint8_t *)"dgram";
	x.o[0].len = 5;
	x.o[1].dst = x.from;
	x.o[1].conn_id = x.conn;
	x.o[1].data = (const uint8_t *)"chunk";
	x.o[1].len = 5;
	x.n = 0;
	x.checked = false;
	assert_int_equal(io_core_flush(l, ic), 0);
	assert_true(x.checked);
	assert_true(x.dgram_first);
	for (i = 0; i < 300 && n < 0; i++) {
		assert_int_equal(io_run_once(l, 5), 0);
		n = recv(fd, rx, sizeof(rx), MSG_DONTWAIT);
	}
	assert_int_equal(n, 5);
	assert_memory_equal(rx, "chunk", 5);
	close(fd);
	close(x.fd);
	io_loop_free(l);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
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
		T(test_io_order_across_transports),
		T(test_io_oom),
#undef T
	};

	return cmocka_run_group_tests_name("io_stream", tests, group_setup,
					   group_teardown);
}
