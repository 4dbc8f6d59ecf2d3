/* SPDX-License-Identifier: BSD-3-Clause */
/* Bench OpenPGP: keys per account, encrypt to a public key, decrypt. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "ua/pgp.h"

static void test_pgp_roundtrip(void **state)
{
	static const char msg[] = "meet at noon CANARY-pgp-5e1";
	struct ua_pgp *alice, *bob;
	struct buf pub, ct, pt;
	struct pl p;

	(void)state;
	buf_init(&pub);
	buf_init(&ct);
	buf_init(&pt);
	assert_int_equal(ua_pgp_new(&alice, "alice@example.test"), 0);
	assert_int_equal(ua_pgp_new(&bob, "bob@example.test"), 0);
	assert_int_equal(ua_pgp_export(bob, &pub), 0);
	assert_non_null(strstr((char *)pub.data,
			       "-----BEGIN PGP PUBLIC KEY BLOCK-----"));
	p = buf_pl(&pub);
	assert_int_equal(ua_pgp_encrypt(&p, (const uint8_t *)msg,
					strlen(msg), &ct), 0);
	assert_non_null(strstr((char *)ct.data,
			       "-----BEGIN PGP MESSAGE-----"));
	assert_null(memmem(ct.data, ct.len, "CANARY-pgp-5e1", 14));
	assert_int_equal(ua_pgp_decrypt(bob, ct.data, ct.len, &pt), 0);
	assert_int_equal(pt.len, strlen(msg));
	assert_memory_equal(pt.data, msg, pt.len);
	/* alice holds no secret key for it */
	buf_reset(&pt);
	assert_int_equal(ua_pgp_decrypt(alice, ct.data, ct.len, &pt),
			 EACCES);
	/* not OpenPGP at all */
	assert_int_equal(ua_pgp_decrypt(bob, (const uint8_t *)"hello", 5,
					&pt), EINVAL);
	p = pl_from_str("not a key");
	assert_int_equal(ua_pgp_encrypt(&p, (const uint8_t *)"x", 1, &ct),
			 EINVAL);
	ua_pgp_free(alice);
	ua_pgp_free(bob);
	buf_fini(&pub);
	buf_fini(&ct);
	buf_fini(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgp_roundtrip),
	};
	return cmocka_run_group_tests_name("pgp", tests, NULL, NULL);
}
