/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of ref/base: slices, buffers, timer queue, rng, config. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "base/pl.h"
#include "base/buf.h"
#include "base/tq.h"
#include "base/rng.h"
#include "base/cfg.h"
#include "base/mem.h"
#include "base/net.h"
#include "mem_testutil.h"

static void test_base_pl_split_trim(void **state)
{
	struct pl src = PL("  a;b=c ;d  "), head, rest;

	(void)state;
	pl_trim(&src);
	assert_true(pl_eq_str(&src, "a;b=c ;d"));
	assert_int_equal(pl_split(&src, ';', &head, &rest), 0);
	assert_true(pl_eq_str(&head, "a"));
	assert_true(pl_eq_str(&rest, "b=c ;d"));
	assert_int_equal(pl_split(&head, '=', &head, &rest), ENOENT);
	assert_true(pl_eq_str(&head, "a"));
	assert_int_equal(rest.len, 0);
}

static void test_base_pl_numbers(void **state)
{
	struct pl ok = PL("4294967295"), big = PL("4294967296"),
		  bad = PL("12x"), empty = PL("");
	uint32_t v = 7;

	(void)state;
	assert_int_equal(pl_to_u32(&ok, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	v = 7;
	assert_int_equal(pl_to_u32(&big, &v), EOVERFLOW);
	assert_int_equal(pl_to_u32(&bad, &v), EINVAL);
	assert_int_equal(pl_to_u32(&empty, &v), EINVAL);
	assert_int_equal(v, 7);
}

static void test_base_buf_grow_and_fixed(void **state)
{
	struct buf b;
	char mem[8];
	int i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%d,", i), 0);
	assert_true(b.len > 3000);
	assert_int_equal(memcmp(b.data, "0,1,2,", 6), 0);
	buf_fini(&b);

	buf_init_fixed(&b, mem, sizeof(mem));
	assert_int_equal(buf_put_str(&b, "1234567"), 0);
	assert_int_equal(buf_put_str(&b, "8"), EOVERFLOW);
	assert_string_equal(mem, "1234567");
}

static void test_base_buf_huge(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	assert_int_equal(buf_put_str(&b, "x"), 0);
	/* a wrapped length must fail, not loop or allocate */
	assert_int_equal(buf_reserve(&b, SIZE_MAX - 4), EOVERFLOW);
	assert_int_equal(buf_reserve(&b, SIZE_MAX / 2 + 10), EOVERFLOW);
	buf_fini(&b);
}

static void test_base_buf_oom(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	mem_fail_at(0, 1);
	assert_int_equal(buf_put_str(&b, "x"), ENOMEM);
	mem_fail_at(-1, 0);
	buf_fini(&b);
}

static void test_base_tq_order_and_cancel(void **state)
{
	struct tq q;
	struct tq_ent e;
	uint32_t ids[100];
	uint64_t last = 0;
	int i, n = 0;

	(void)state;
	tq_init(&q);
	for (i = 0; i < 100; i++)
		assert_int_equal(tq_add(&q, (uint64_t)((i * 37) % 100), i,
					NULL, &ids[i]), 0);
	/* cancel every third */
	for (i = 0; i < 100; i += 3)
		assert_int_equal(tq_cancel(&q, ids[i]), 0);
	assert_int_equal(tq_cancel(&q, ids[0]), ENOENT);
	assert_int_equal(tq_pop(&q, 0, &e) == 0 ? 1 : 0,
			 tq_deadline(&q) == 0);
	while (tq_pop(&q, UINT64_MAX - 1, &e) == 0) {
		assert_true(e.deadline_us >= last);
		assert_int_not_equal(e.kind % 3, 0);
		last = e.deadline_us;
		n++;
	}
	assert_true(n >= 65);
	assert_int_equal(tq_deadline(&q), UINT64_MAX);
	tq_fini(&q);
}

static void test_base_tq_not_due(void **state)
{
	struct tq q;
	struct tq_ent e;

	(void)state;
	tq_init(&q);
	assert_int_equal(tq_add(&q, 1000, 1, NULL, NULL), 0);
	assert_int_equal(tq_pop(&q, 999, &e), ENOENT);
	assert_int_equal(tq_pop(&q, 1000, &e), 0);
	assert_int_equal(e.kind, 1);
	tq_fini(&q);
}

static void test_base_rng_deterministic(void **state)
{
	struct rng a, b;
	char h1[33], h2[33];
	int i;

	(void)state;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	for (i = 0; i < 100; i++)
		assert_true(rng_u64(&a) == rng_u64(&b));
	rng_hex(&a, h1, 32);
	rng_hex(&b, h2, 32);
	assert_string_equal(h1, h2);
	for (i = 0; i < 1000; i++)
		assert_true(rng_below(&a, 7) < 7);
}

static void test_base_cfg_errors_name_line_and_key(void **state)
{
	static const struct cfg_key keys[] = {
		{ "platform", "domain" }, { "sip", "listen" },
		{ "media", "*" },
	};
	struct cfg c;
	uint32_t v = 5;
	uint64_t d = 0;

	(void)state;
	assert_int_equal(cfg_load_str(&c, "t.conf",
		"[platform]\ndomain = example.test ; comment\n"
		"[sip]\nlisten = udp:127.0.0.1:5060\nmaxf = 70x\n"), 0);
	assert_string_equal(cfg_get(&c, "platform", "domain"),
			    "example.test");
	assert_int_equal(cfg_line(&c, "sip", "listen"), 4);
	assert_int_equal(cfg_check(&c, keys, 3), EINVAL);
	assert_string_equal(c.err, "t.conf:5: [sip] maxf: unknown key");
	assert_int_equal(cfg_get_u32(&c, "sip", "maxf", 0, 100, &v), EINVAL);
	assert_string_equal(c.err, "t.conf:5: [sip] maxf: not a number: '70x'");
	assert_int_equal(v, 5);
	cfg_fini(&c);

	assert_int_equal(cfg_load_str(&c, "u.conf", "[a]\nnot a pair\n"),
			 EBADMSG);
	assert_non_null(strstr(c.err, "u.conf:2:"));
	cfg_fini(&c);

	assert_int_equal(cfg_parse_duration("26w", &d), 0);
	assert_int_equal(d, 26 * 7 * 86400);
	assert_int_equal(cfg_parse_duration("7y", &d), 0);
	assert_int_equal(d, 7ull * 365 * 86400);
	assert_int_equal(cfg_parse_duration("3x", &d), EINVAL);
	assert_int_equal(cfg_parse_size("1GiB", &d), 0);
	assert_int_equal(d, 1073741824ull);
}

static void test_base_net_addr(void **state)
{
	struct net_addr a, p;
	struct pl s1 = PL("udp:127.0.0.1:5070"), s2 = PL("tls:[::1]"),
		  bad = PL("udp:example.com:5060"), pfx = PL("127.0.0.0");
	char buf[NET_ADDR_STRLEN];

	(void)state;
	assert_int_equal(net_listen_parse(&s1, &a), 0);
	assert_int_equal(a.tp, NET_UDP);
	assert_string_equal(net_addr_str(&a, buf, sizeof(buf)),
			    "127.0.0.1:5070");
	assert_int_equal(net_addr_parse(&pfx, 0, &p), 0);
	assert_true(net_addr_in_prefix(&a, &p, 8));
	assert_int_equal(net_listen_parse(&s2, &a), 0);
	assert_int_equal(a.tp, NET_TLS);
	assert_string_equal(net_addr_str(&a, buf, sizeof(buf)), "[::1]:5061");
	assert_false(net_addr_in_prefix(&a, &p, 8));
	assert_int_equal(net_listen_parse(&bad, &a), EINVAL);
}

/* The hand-made IPv4 formatting gives what inet_ntop + snprintf gave,
 * truncation included. */
static void test_base_net_addr_ip4_fmt(void **state)
{
	static const char *const ips[] = { "0.0.0.0", "1.2.3.4", "10.0.0.255",
		"127.0.0.1", "192.168.100.9", "255.255.255.255" };
	static const uint16_t ports[] = { 0, 1, 9, 10, 5060, 65535 };
	char want[64], got[64], h[INET_ADDRSTRLEN];
	struct net_addr a;
	size_t i, j, sz;

	(void)state;
	for (i = 0; i < sizeof(ips) / sizeof(ips[0]); i++)
		for (j = 0; j < sizeof(ports) / sizeof(ports[0]); j++) {
			struct pl s = pl_from_str(ips[i]);

			assert_int_equal(net_addr_parse(&s, ports[j], &a), 0);
			assert_string_equal(net_addr_host(&a, h, sizeof(h)),
					    ips[i]);
			for (sz = 0; sz <= 24; sz++) {
				memset(want, 'x', sizeof(want));
				memset(got, 'x', sizeof(got));
				snprintf(want, sz, "%s:%u", ips[i],
					 (unsigned)ports[j]);
				net_addr_str(&a, got, sz);
				assert_memory_equal(want, got, sizeof(want));
			}
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_base_pl_split_trim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_net_addr_ip4_fmt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_pl_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_buf_grow_and_fixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_buf_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_buf_huge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_tq_order_and_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_tq_not_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_rng_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_cfg_errors_name_line_and_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_net_addr, setup, teardown),
	};
	return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
