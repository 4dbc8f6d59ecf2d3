/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data-storage policy as settings (POLICY.md): every bracketed period
 * of POLICY.md is a key of the policy file (ref/policy/sip2sip.policy,
 * INI), never a constant in code. The defaults below only fill keys the
 * file leaves out and equal POLICY.md's brackets. Also the password rules
 * of P2 (minimum length, weak-password word list, the argon2id cost).
 */
#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

struct policy {
	uint64_t trace_s;		/* P6  [traces] retention = 30d */
	uint64_t push_s;		/* P9  [push] retention = 7d */
	uint64_t message_max_s;		/* P10 [messages] max_age = 365d */
	uint64_t file_s;		/* P11 [files] retention = 30d */
	uint64_t file_large_s;		/* P11 [files] large_retention = 15d */
	uint64_t file_large_bytes;	/* P11 [files] large_size = 50MB */
	uint64_t file_quota_bytes;	/* P11 [files] quota = 1GiB */
	uint64_t cdr_s;			/* P16 [cdrs] retention = 180d */
	uint64_t billing_s;		/* P17 [billing] retention = 7y */
	uint64_t audit_s;		/* [audit] retention = 2y */
	uint64_t purge_within_s;	/* [purge] within = 1h: purge period */
	uint32_t pw_min_len;		/* P2 [passwords] min_length = 8 */
	/* P2 [passwords] hash_memory = 64MiB, hash_passes = 2: the argon2id
	 * cost of the web password hash (floor 19MiB and 2, store.h). */
	uint64_t pw_hash_mem_bytes;
	uint32_t pw_hash_passes;
	char *wordlist_path;		/* [passwords] wordlist, resolved
					 * against the policy file's folder */
	/* The weak-password list, sorted lower-case words (mem_ owned). */
	char **words;
	size_t nwords;
};

/* The defaults (POLICY.md brackets), no word list. */
void policy_init(struct policy *p);
/*
 * Load the policy file at path (and its word list). On error returns
 * EINVAL/ENOENT/ENOMEM with "file:line: [section] key: reason" in err.
 * Unknown sections or keys are errors (a typo must not silently keep a
 * default period).
 */
int policy_load(struct policy *p, const char *path, char *err, size_t errsz);
/* Same from text; name is used in messages; base_dir resolves wordlist. */
int policy_load_str(struct policy *p, const char *name, const char *text,
		    const char *base_dir, char *err, size_t errsz);
void policy_fini(struct policy *p);
/* The policy's argon2id cost as the store takes it. */
struct store_kdf policy_kdf(const struct policy *p);

/*
 * P2: 0 when password is acceptable for user, else EINVAL with a one-line
 * reason in why: shorter than pw_min_len, equal to the user name (case
 * folded), or in the word list (case folded).
 */
int policy_password_check(const struct policy *p, const char *user,
			  const char *password, char *why, size_t whysz);

#endif
