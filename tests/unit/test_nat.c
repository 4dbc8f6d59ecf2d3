/* SPDX-License-Identifier: BSD-3-Clause */
/* The NAT model's mapping and filtering rules (RFC 4787 terms). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <cmocka.h>
#include "base/mem.h"

#ifdef HAVE_NS3
#include "ns3/nat.h"

#define IN1 0x0a000001u
#define IN2 0x0a000002u
#define S1 0x0b000001u
#define S2 0x0b000002u

static void test_nat_mapping_kinds(void **state)
{
	struct nat n;
	uint16_t p1, p2, p3;
	int64_t blocks = mem_blocks();

	(void)state;
	nat_init(&n, NAT_PORT_RESTRICTED, 0x0c000001u, 30000000);
	assert_int_equal(nat_out(&n, 0, IN1, 5060, S1, 5060, &p1), 0);
	assert_int_equal(nat_out(&n, 0, IN1, 5060, S2, 9, &p2), 0);
	assert_int_equal(p1, p2);	/* endpoint-independent */
	assert_int_equal(nat_out(&n, 0, IN2, 5060, S1, 5060, &p3), 0);
	assert_int_not_equal(p1, p3);
	nat_fini(&n);

	nat_init(&n, NAT_SYMMETRIC, 0x0c000001u, 30000000);
	assert_int_equal(nat_out(&n, 0, IN1, 5060, S1, 5060, &p1), 0);
	assert_int_equal(nat_out(&n, 0, IN1, 5060, S2, 9, &p2), 0);
	assert_int_not_equal(p1, p2);	/* a port per destination */
	assert_int_equal(nat_out(&n, 1, IN1, 5060, S1, 5060, &p3), 0);
	assert_int_equal(p1, p3);
	nat_fini(&n);
	assert_int_equal(mem_blocks(), blocks);
}

static void test_nat_filtering(void **state)
{
	static const enum nat_type types[] = {
		NAT_FULL_CONE, NAT_ADDR_RESTRICTED, NAT_PORT_RESTRICTED,
		NAT_SYMMETRIC,
	};
	/* expected for: same peer, same ip other port, other ip */
	static const int want[4][3] = {
		{ 0, 0, 0 }, { 0, 0, EACCES }, { 0, EACCES, EACCES },
		{ 0, EACCES, EACCES },
	};
	struct nat n;
	uint32_t ip;
	uint16_t port, pub;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		nat_init(&n, types[i], 0x0c000001u, 30000000);
		assert_int_equal(nat_out(&n, 0, IN1, 4000, S1, 5060, &pub), 0);
		assert_int_equal(nat_in(&n, 1, pub, S1, 5060, &ip, &port),
				 want[i][0]);
		assert_int_equal(ip, IN1);
		assert_int_equal(port, 4000);
		assert_int_equal(nat_in(&n, 1, pub, S1, 5070, &ip, &port),
				 want[i][1]);
		assert_int_equal(nat_in(&n, 1, pub, S2, 5060, &ip, &port),
				 want[i][2]);
		assert_int_equal(nat_in(&n, 1, (uint16_t)(pub + 1), S1, 5060,
					&ip, &port), ENOENT);
		nat_fini(&n);
	}
}

static void test_nat_expiry(void **state)
{
	struct nat n;
	uint32_t ip;
	uint16_t port, pub;
	enum nat_type t;

	(void)state;
	nat_init(&n, NAT_FULL_CONE, 0x0c000001u, 30000000);
	assert_int_equal(nat_out(&n, 0, IN1, 4000, S1, 5060, &pub), 0);
	assert_int_equal(nat_in(&n, 29999999, pub, S1, 5060, &ip, &port), 0);
	assert_int_equal(nat_in(&n, 30000000, pub, S1, 5060, &ip, &port),
			 ENOENT);
	nat_fini(&n);
	assert_int_equal(nat_type_parse("port", &t), 0);
	assert_int_equal(t, NAT_PORT_RESTRICTED);
	assert_int_equal(nat_type_parse("carrier", &t), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_mapping_kinds),
		cmocka_unit_test(test_nat_filtering),
		cmocka_unit_test(test_nat_expiry),
	};
	return cmocka_run_group_tests_name("nat", tests, NULL, NULL);
}
#else
int main(void)
{
	return 0;
}
#endif
