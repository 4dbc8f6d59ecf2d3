/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy file loader (INI through base/cfg) and the P2 password rules.
 * Every key is checked: an unknown section or key is an error with file,
 * line and key, because a misspelt "retension" silently keeping the
 * default would break the policy without anyone noticing. The weak
 * password list is one word a line ('#' comments), compared case-folded.
 * The argon2id cost keys are range-checked against the store's floor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/cfg.h"
#include "base/mem.h"
#include "base/pl.h"
#include "policy/policy.h"

#define DAY (86400ull)

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->trace_s = 30 * DAY;
	p->push_s = 7 * DAY;
	p->message_max_s = 365 * DAY;
	p->file_s = 30 * DAY;
	p->file_large_s = 15 * DAY;
	p->file_large_bytes = 50ull * 1000 * 1000;
	p->file_quota_bytes = 1ull << 30;
	p->cdr_s = 180 * DAY;
	p->billing_s = 7 * 365 * DAY;
	p->audit_s = 2 * 365 * DAY;
	p->purge_within_s = 3600;
	p->pw_min_len = 8;
	p->pw_hash_mem_bytes = STORE_KDF_MEM_DEFAULT;
	p->pw_hash_passes = STORE_KDF_PASSES_DEFAULT;
}

struct store_kdf policy_kdf(const struct policy *p)
{
	struct store_kdf k = { STORE_KDF_MEM_DEFAULT,
			       STORE_KDF_PASSES_DEFAULT };

	if (p) {
		k.mem_bytes = p->pw_hash_mem_bytes;
		k.passes = p->pw_hash_passes;
	}
	return k;
}

void policy_fini(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nwords; i++)
		mem_free(p->words[i]);
	mem_free(p->words);
	mem_free(p->wordlist_path);
	memset(p, 0, sizeof(*p));
}

static const struct cfg_key keys[] = {
	{ "traces", "retention" },
	{ "push", "retention" },
	{ "messages", "max_age" },
	{ "files", "retention" },
	{ "files", "large_retention" },
	{ "files", "large_size" },
	{ "files", "quota" },
	{ "cdrs", "retention" },
	{ "billing", "retention" },
	{ "audit", "retention" },
	{ "purge", "within" },
	{ "passwords", "min_length" },
	{ "passwords", "wordlist" },
	{ "passwords", "hash_memory" },
	{ "passwords", "hash_passes" },
};

static int cmp_word(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int add_word(struct policy *p, size_t *cap, const char *w, size_t n)
{
	char *c;

	if (p->nwords == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		char **v = mem_realloc(p->words, nc * sizeof(*v));

		if (!v)
			return ENOMEM;
		p->words = v;
		*cap = nc;
	}
	c = mem_strndup(w, n);
	if (!c)
		return ENOMEM;
	lower(c);
	p->words[p->nwords++] = c;
	return 0;
}

static int load_words(struct policy *p, char *err, size_t errsz)
{
	char line[512];
	size_t cap = 0;
	FILE *f;
	int e = 0;

	f = fopen(p->wordlist_path, "r");
	if (!f) {
		e = errno;
		snprintf(err, errsz, "%s: %s", p->wordlist_path, strerror(e));
		return e;
	}
	while (!e && fgets(line, sizeof(line), f)) {
		struct pl w = pl_from_str(line);

		pl_trim(&w);
		if (!w.len || w.p[0] == '#')
			continue;
		e = add_word(p, &cap, w.p, w.len);
	}
	fclose(f);
	if (e) {
		snprintf(err, errsz, "%s: out of memory", p->wordlist_path);
		return e;
	}
	qsort(p->words, p->nwords, sizeof(*p->words), cmp_word);
	return 0;
}

static int resolve(struct policy *p, const char *base_dir, const char *name)
{
	size_t lb, ln = strlen(name);

	if (name[0] == '/' || !base_dir || !*base_dir) {
		p->wordlist_path = mem_strdup(name);
	} else {
		lb = strlen(base_dir);
		p->wordlist_path = mem_alloc(lb + ln + 2);
		if (p->wordlist_path)
			snprintf(p->wordlist_path, lb + ln + 2, "%s/%s",
				 base_dir, name);
	}
	return p->wordlist_path ? 0 : ENOMEM;
}

static int apply(struct policy *p, struct cfg *c, const char *base_dir)
{
	const char *wl;
	int e;

	if ((e = cfg_check(c, keys, sizeof(keys) / sizeof(keys[0]))) ||
	    (e = cfg_get_duration(c, "traces", "retention", &p->trace_s)) ||
	    (e = cfg_get_duration(c, "push", "retention", &p->push_s)) ||
	    (e = cfg_get_duration(c, "messages", "max_age",
				  &p->message_max_s)) ||
	    (e = cfg_get_duration(c, "files", "retention", &p->file_s)) ||
	    (e = cfg_get_duration(c, "files", "large_retention",
				  &p->file_large_s)) ||
	    (e = cfg_get_size(c, "files", "large_size",
			      &p->file_large_bytes)) ||
	    (e = cfg_get_size(c, "files", "quota", &p->file_quota_bytes)) ||
	    (e = cfg_get_duration(c, "cdrs", "retention", &p->cdr_s)) ||
	    (e = cfg_get_duration(c, "billing", "retention", &p->billing_s)) ||
	    (e = cfg_get_duration(c, "audit", "retention", &p->audit_s)) ||
	    (e = cfg_get_duration(c, "purge", "within",
				  &p->purge_within_s)) ||
	    (e = cfg_get_u32(c, "passwords", "min_length", 1, 1024,
			     &p->pw_min_len)) ||
	    (e = cfg_get_size(c, "passwords", "hash_memory",
			      &p->pw_hash_mem_bytes)) ||
	    (e = cfg_get_u32(c, "passwords", "hash_passes",
			     STORE_KDF_PASSES_MIN, STORE_KDF_PASSES_MAX,
			     &p->pw_hash_passes)))
		return e;
	/* Below OWASP's argon2id floor the hash is no longer "slow" (P2). */
	if (p->pw_hash_mem_bytes < STORE_KDF_MEM_MIN ||
	    p->pw_hash_mem_bytes > STORE_KDF_MEM_MAX)
		return cfg_fail(c, "passwords", "hash_memory",
				"must be 19MiB to 4GiB (argon2id floor: "
				"19MiB with 2 passes)");
	if (p->purge_within_s == 0)
		return cfg_fail(c, "purge", "within", "must be > 0");
	wl = cfg_get(c, "passwords", "wordlist");
	if (wl && !*wl)
		return cfg_fail(c, "passwords", "wordlist", "empty path");
	return wl ? resolve(p, base_dir, wl) : 0;
}

int policy_load_str(struct policy *p, const char *name, const char *text,
		    const char *base_dir, char *err, size_t errsz)
{
	struct cfg c;
	int e;

	policy_init(p);
	memset(&c, 0, sizeof(c));
	e = cfg_load_str(&c, name, text);
	if (!e)
		e = apply(p, &c, base_dir);
	if (e)
		snprintf(err, errsz, "%s", c.err[0] ? c.err : strerror(e));
	cfg_fini(&c);
	if (!e && p->wordlist_path)
		e = load_words(p, err, errsz);
	if (e)
		policy_fini(p);
	return e;
}

int policy_load(struct policy *p, const char *path, char *err, size_t errsz)
{
	char dir[4096];
	const char *slash;
	struct cfg c;
	int e;

	policy_init(p);
	slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	memset(&c, 0, sizeof(c));
	e = cfg_load(&c, path);
	if (!e)
		e = apply(p, &c, dir);
	if (e)
		snprintf(err, errsz, "%s", c.err[0] ? c.err : strerror(e));
	cfg_fini(&c);
	if (!e && p->wordlist_path)
		e = load_words(p, err, errsz);
	if (e)
		policy_fini(p);
	return e;
}

int policy_password_check(const struct policy *p, const char *user,
			  const char *password, char *why, size_t whysz)
{
	char low[512], *key = low;
	size_t len;

	if (!p || !password) {
		snprintf(why, whysz, "no password");
		return EINVAL;
	}
	len = strlen(password);
	if (len < p->pw_min_len) {
		snprintf(why, whysz, "password shorter than %u characters",
			 p->pw_min_len);
		return EINVAL;
	}
	if (user && !strcasecmp(user, password)) {
		snprintf(why, whysz, "password equal to the user name");
		return EINVAL;
	}
	if (len < sizeof(low) && p->nwords) {
		memcpy(low, password, len + 1);
		lower(low);
		if (bsearch(&key, p->words, p->nwords, sizeof(*p->words),
			    cmp_word)) {
			snprintf(why, whysz, "password is in the list of"
				 " common passwords");
			return EINVAL;
		}
	}
	return 0;
}
