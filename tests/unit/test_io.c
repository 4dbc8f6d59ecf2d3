/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the live driver (ref/io) over real loopback sockets, IPv4
 * and IPv6, datagram side: a small echo core behind UDP listeners, batches
 * bigger than one recvmmsg vector, dynamic UDP ports (the media relay's),
 * the drain hook, the allow list, core deadlines, SIGTERM, bad TLS files
 * and listen specs. Streams are in test_io_stream.c; the fixture is
 * io_testutil.h. Every wait is bounded (poll_until).
 */
#include "io_testutil.h"

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

/*
 * Edge-triggered reads with a bound: a backlog of 400 datagrams on one
 * socket is read 4 x 32 per turn, the rest on the next turns without
 * sleeping and without any new datagram arriving to wake the loop.
 */
static void test_io_udp_read_bound(void **state)
{
	struct io_loop *l = loop_new(NULL);
	struct net_addr a = addr("udp:127.0.0.1:0");
	struct io_core *ic;
	struct echo e;
	int fd, i;

	(void)state;
	echo_init(&e, false);
	assert_int_equal(io_core_add(l, &echo_ops, &e, &ic), 0);
	assert_int_equal(io_listen(l, ic, &a, &a), 0);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	for (i = 0; i < 400; i++)
		assert_int_equal(sendto(fd, "y", 1, 0, &a.u.sa,
					net_addr_len(&a)), 1);
	assert_int_equal(io_run_once(l, 200), 0);
	assert_int_equal(io_stats(l)->udp_rx, 128);
	for (i = 0; i < 10 && io_stats(l)->udp_rx < 400; i++)
		assert_int_equal(io_run_once(l, 200), 0);
	assert_int_equal(io_stats(l)->udp_rx, 400);
	assert_true(i <= 3);
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
		T(test_io_udp_read_bound),
		T(test_io_udp_dynamic),
		T(test_io_drain_hook),
		T(test_io_allow_list),
		T(test_io_core_deadline),
		T(test_io_sigterm),
		T(test_io_bad_tls_files),
		T(test_io_listen_spec),
#undef T
	};

	return cmocka_run_group_tests_name("io", tests, group_setup,
					   group_teardown);
}
