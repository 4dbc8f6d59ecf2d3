/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The argon2id cost of P2's web password hash: store_hash_password_kdf
 * writes the cost it was given into the PHC string, refuses anything
 * under the floor (19 MiB, 2 passes) whatever the caller asks, and the
 * policy file's [passwords] hash_memory / hash_passes reach it with
 * file:line errors for values out of range.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "policy/policy.h"
#include "store/store.h"

static void acct(struct store_account *a)
{
	memset(a, 0, sizeof(*a));
	a->user = PL("alice");
	a->domain = PL("example.test");
}

static void test_store_kdf_default_is_interactive(void **state)
{
	struct store_account a;
	struct store_hashes h;
	size_t blocks = mem_blocks();

	(void)state;
	acct(&a);
	assert_int_equal(store_hash_password_kdf(&a, &h, NULL, "pw-long-1",
						 NULL), 0);
	assert_non_null(strstr(h.pwhash, "$argon2id$v=19$m=65536,t=2,p=1$"));
	assert_int_equal(store_pwhash_verify(&a.pwhash, "pw-long-1"), 0);
	/* store_hash_password is the same default */
	assert_int_equal(store_hash_password(&a, &h, "pw-long-1"), 0);
	assert_non_null(strstr(h.pwhash, "$m=65536,t=2,p=1$"));
	store_hash_fini(&h);
	assert_int_equal(mem_blocks(), blocks);
}

static void test_store_kdf_floor(void **state)
{
	struct store_account a;
	struct store_hashes h;
	struct store_kdf k = { STORE_KDF_MEM_MIN, STORE_KDF_PASSES_MIN };
	char md5[sizeof(h.md5)];

	(void)state;
	acct(&a);
	assert_int_equal(store_hash_password_kdf(&a, &h, NULL, "pw-long-1",
						 &k), 0);
	assert_non_null(strstr(h.pwhash, "$argon2id$v=19$m=19456,t=2,p=1$"));
	assert_int_equal(store_pwhash_verify(&a.pwhash, "pw-long-1"), 0);
	assert_int_equal(store_pwhash_verify(&a.pwhash, "pw-long-2"), EACCES);
	/* the digest HA1 does not depend on the cost */
	memcpy(md5, h.md5, sizeof(md5));
	assert_int_equal(store_hash_password(&a, &h, "pw-long-1"), 0);
	assert_string_equal(md5, h.md5);
	/* below the floor: refused, never a weak hash */
	k.mem_bytes = STORE_KDF_MEM_MIN - 1024;
	assert_int_equal(store_kdf_check(&k), EINVAL);
	assert_int_equal(store_hash_password_kdf(&a, &h, NULL, "pw-long-1",
						 &k), EINVAL);
	k.mem_bytes = STORE_KDF_MEM_MIN;
	k.passes = 1;
	assert_int_equal(store_hash_password_kdf(&a, &h, NULL, "pw-long-1",
						 &k), EINVAL);
	k.passes = STORE_KDF_PASSES_MAX + 1;
	assert_int_equal(store_kdf_check(&k), EINVAL);
	k.passes = 3;
	k.mem_bytes = STORE_KDF_MEM_MAX + 1;
	assert_int_equal(store_kdf_check(&k), EINVAL);
	assert_int_equal(store_kdf_check(NULL), EINVAL);
	store_hash_fini(&h);
}

static void test_store_kdf_policy_keys(void **state)
{
	struct policy p;
	struct store_kdf k;
	char err[300];
	size_t blocks = mem_blocks();

	(void)state;
	policy_init(&p);
	k = policy_kdf(&p);
	assert_true(k.mem_bytes == STORE_KDF_MEM_DEFAULT);
	assert_int_equal(k.passes, STORE_KDF_PASSES_DEFAULT);
	k = policy_kdf(NULL);
	assert_true(k.mem_bytes == 64ull << 20);
	policy_fini(&p);

	assert_int_equal(policy_load_str(&p, "t.policy", "[passwords]\n"
					 "hash_memory = 19MiB\n"
					 "hash_passes = 3\n", NULL, err,
					 sizeof(err)), 0);
	k = policy_kdf(&p);
	assert_true(k.mem_bytes == 19ull << 20);
	assert_int_equal(k.passes, 3);
	assert_int_equal(store_kdf_check(&k), 0);
	policy_fini(&p);

	assert_int_equal(policy_load_str(&p, "t.policy", "[passwords]\n"
					 "hash_memory = 8MiB\n", NULL, err,
					 sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "t.policy:2: [passwords] hash_memory: "
			       "must be 19MiB to 4GiB"));
	assert_int_equal(policy_load_str(&p, "t.policy", "\n[passwords]\n"
					 "hash_passes = 1\n", NULL, err,
					 sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "t.policy:3: [passwords] hash_passes"));
	assert_int_equal(policy_load_str(&p, "t.policy", "[passwords]\n"
					 "hash_memory = lots\n", NULL, err,
					 sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "t.policy:2: [passwords] hash_memory"));
	assert_int_equal(mem_blocks(), blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_kdf_default_is_interactive),
		cmocka_unit_test(test_store_kdf_floor),
		cmocka_unit_test(test_store_kdf_policy_keys),
	};

	return cmocka_run_group_tests_name("store_kdf", tests, NULL, NULL);
}
