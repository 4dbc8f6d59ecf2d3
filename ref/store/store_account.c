/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Accounts (POLICY.md P1-P3): rows of user@domain with display name,
 * e-mail and three password hashes, never the password. HA1 values are
 * what SIP digest needs (RFC 7616 3.4.2, RFC 8760 for SHA-256); argon2id
 * (libsodium crypto_pwhash_str) is the slow salted hash for web login.
 * Account deletion is in store_delete.c.
 */
#include <errno.h>
#include <string.h>
#include <openssl/evp.h>
#include <sodium.h>
#include "store/store_int.h"

/* The default is libsodium's "interactive" cost, what refd always used. */
_Static_assert(STORE_KDF_MEM_DEFAULT == crypto_pwhash_MEMLIMIT_INTERACTIVE &&
	       STORE_KDF_PASSES_DEFAULT == crypto_pwhash_OPSLIMIT_INTERACTIVE,
	       "argon2id default is libsodium's interactive cost");

static void hex(const unsigned char *d, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static int ha1(const EVP_MD *md, const struct store_account *a,
	       const struct pl *realm, const char *pw, char *out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	if (!c)
		return ENOMEM;
	/* HA1 = H(username ":" realm ":" passwd), RFC 7616 3.4.2. */
	ok = EVP_DigestInit_ex(c, md, NULL) &&
	     EVP_DigestUpdate(c, a->user.p, a->user.len) &&
	     EVP_DigestUpdate(c, ":", 1) &&
	     EVP_DigestUpdate(c, realm->p, realm->len) &&
	     EVP_DigestUpdate(c, ":", 1) &&
	     EVP_DigestUpdate(c, pw, strlen(pw)) &&
	     EVP_DigestFinal_ex(c, d, &dl);
	EVP_MD_CTX_free(c);
	if (!ok)
		return EIO;
	hex(d, dl, out);
	sodium_memzero(d, sizeof(d));
	return 0;
}

int store_hash_password(struct store_account *a, struct store_hashes *out,
			const char *password)
{
	/* The realm is the domain unless the daemon names another. */
	return a ? store_hash_password_realm(a, out, NULL, password) : EINVAL;
}

int store_hash_password_realm(struct store_account *a,
			      struct store_hashes *out, const char *realm,
			      const char *password)
{
	return store_hash_password_kdf(a, out, realm, password, NULL);
}

int store_kdf_check(const struct store_kdf *kdf)
{
	if (!kdf || kdf->mem_bytes < STORE_KDF_MEM_MIN ||
	    kdf->mem_bytes > STORE_KDF_MEM_MAX ||
	    kdf->passes < STORE_KDF_PASSES_MIN ||
	    kdf->passes > STORE_KDF_PASSES_MAX)
		return EINVAL;
	return 0;
}

int store_hash_password_kdf(struct store_account *a,
			    struct store_hashes *out, const char *realm,
			    const char *password, const struct store_kdf *kdf)
{
	static const struct store_kdf def = { STORE_KDF_MEM_DEFAULT,
					      STORE_KDF_PASSES_DEFAULT };
	struct pl r;
	int err;

	if (!kdf)
		kdf = &def;
	if (!a || !out || !password || !a->user.len || !a->domain.len ||
	    store_kdf_check(kdf))
		return EINVAL;
	r = realm && *realm ? pl_from_str(realm) : a->domain;
	if (sodium_init() < 0)
		return EIO;
	if ((err = ha1(EVP_md5(), a, &r, password, out->md5)) ||
	    (err = ha1(EVP_sha256(), a, &r, password, out->sha256)))
		return err;
	/* argon2id with one lane: crypto_pwhash_str's ALG_DEFAULT. */
	if (crypto_pwhash_str(out->pwhash, password, strlen(password),
			      kdf->passes, (size_t)kdf->mem_bytes))
		return ENOMEM;
	a->ha1_md5 = pl_from_str(out->md5);
	a->ha1_sha256 = pl_from_str(out->sha256);
	a->pwhash = pl_from_str(out->pwhash);
	return 0;
}

void store_hash_fini(struct store_hashes *h)
{
	if (h)
		sodium_memzero(h, sizeof(*h));
}

int store_pwhash_verify(const struct pl *pwhash, const char *password)
{
	char h[crypto_pwhash_STRBYTES];

	if (!pwhash || !password || pwhash->len >= sizeof(h))
		return EINVAL;
	if (sodium_init() < 0)
		return EIO;
	memcpy(h, pwhash->p, pwhash->len);
	h[pwhash->len] = '\0';
	return crypto_pwhash_str_verify(h, password, strlen(password))
		? EACCES : 0;
}

int store_aor_split(const struct pl *aor, struct pl *user,
		    struct pl *domain)
{
	size_t i;

	if (!aor || !aor->p)
		return EINVAL;
	for (i = aor->len; i > 0; i--) {
		if (aor->p[i - 1] == '@')
			break;
	}
	if (i <= 1 || i == aor->len)
		return EINVAL;
	user->p = aor->p;
	user->len = i - 1;
	domain->p = aor->p + i;
	domain->len = aor->len - i;
	return 0;
}

/* A SIP user part or host: printable, no space, '@', ':' or quotes. */
static int name_ok(const struct pl *pl, int host)
{
	size_t i;

	if (!pl->len || pl->len > 128)
		return 0;
	for (i = 0; i < pl->len; i++) {
		unsigned char c = (unsigned char)pl->p[i];

		if (c <= ' ' || c >= 0x7f || c == '@' || c == '"' ||
		    c == '<' || c == '>' || (c == ':' && !host) || c == '\\')
			return 0;
	}
	return 1;
}

static int hex_ok(const struct pl *pl, size_t n)
{
	size_t i;

	if (pl->len != n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = pl->p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return 1;
}

int store_account_add(struct store *s, const struct store_account *a,
		      int64_t *id_out)
{
	sqlite3_stmt *st;
	int err;

	if (!s || !a || !name_ok(&a->user, 0) || !name_ok(&a->domain, 1) ||
	    !hex_ok(&a->ha1_md5, STORE_HA1_MD5_LEN) ||
	    !hex_ok(&a->ha1_sha256, STORE_HA1_SHA256_LEN) ||
	    !pl_prefix_case(&a->pwhash, "$argon2id$"))
		return EINVAL;
	st = store_st(s, ST_ACC_ADD);
	store_bind_pl(st, 1, &a->user);
	store_bind_pl(st, 2, &a->domain);
	store_bind_pl(st, 3, &a->display);
	store_bind_pl(st, 4, &a->email);
	store_bind_pl(st, 5, &a->ha1_md5);
	store_bind_pl(st, 6, &a->ha1_sha256);
	store_bind_pl(st, 7, &a->pwhash);
	sqlite3_bind_int(st, 8, !!a->voicemail);
	sqlite3_bind_int(st, 9, !!a->pgp);
	sqlite3_bind_int64(st, 10, a->created_us);
	err = store_step_done(s, st);
	if (!err && id_out)
		*id_out = sqlite3_last_insert_rowid(s->db);
	return err;
}

int store_account_ha1(struct store *s, const struct pl *user,
		      const struct pl *domain, enum store_ha1_alg alg,
		      char *out, size_t outsz)
{
	sqlite3_stmt *st;
	struct pl v;
	int rc, err = 0;

	if (!s || !user || !domain || !out)
		return EINVAL;
	st = store_st(s, alg == STORE_HA1_SHA256 ? ST_ACC_HA1_SHA
		      : ST_ACC_HA1_MD5);
	store_bind_pl(st, 1, user);
	store_bind_pl(st, 2, domain);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		v = store_col_pl(st, 0);
		err = pl_strcpy(&v, out, outsz) ? EINVAL : 0;
	} else if (rc == SQLITE_DONE) {
		err = ENOENT;
	} else {
		err = store_fail(s, rc, "ha1");
	}
	sqlite3_reset(st);
	return err;
}

struct acc_ctx {
	store_account_fn *fn;
	void *arg;
	int n;
};

static int acc_row(void *ctx, sqlite3_stmt *st)
{
	struct acc_ctx *c = ctx;
	struct store_account a;

	a.id = sqlite3_column_int64(st, 0);
	a.user = store_col_pl(st, 1);
	a.domain = store_col_pl(st, 2);
	a.display = store_col_pl(st, 3);
	a.email = store_col_pl(st, 4);
	a.ha1_md5 = store_col_pl(st, 5);
	a.ha1_sha256 = store_col_pl(st, 6);
	a.pwhash = store_col_pl(st, 7);
	a.voicemail = sqlite3_column_int(st, 8);
	a.pgp = sqlite3_column_int(st, 9);
	a.created_us = sqlite3_column_int64(st, 10);
	c->n++;
	return c->fn ? c->fn(c->arg, &a) : 0;
}

int store_account_get(struct store *s, const struct pl *aor,
		      store_account_fn *fn, void *arg)
{
	struct acc_ctx c = { fn, arg, 0 };
	struct pl user, domain;
	sqlite3_stmt *st;
	int err;

	if (!s || store_aor_split(aor, &user, &domain))
		return EINVAL;
	st = store_st(s, ST_ACC_GET);
	store_bind_pl(st, 1, &user);
	store_bind_pl(st, 2, &domain);
	err = store_each(s, st, acc_row, &c);
	return err ? err : (c.n ? 0 : ENOENT);
}

int store_account_list(struct store *s, store_account_fn *fn, void *arg)
{
	struct acc_ctx c = { fn, arg, 0 };

	if (!s)
		return EINVAL;
	return store_each(s, store_st(s, ST_ACC_LIST), acc_row, &c);
}

int store_account_set_flags(struct store *s, const struct pl *aor,
			    int voicemail, int pgp)
{
	struct pl user, domain;
	sqlite3_stmt *st;
	int err;

	if (!s || store_aor_split(aor, &user, &domain))
		return EINVAL;
	st = store_st(s, ST_ACC_FLAGS);
	store_bind_pl(st, 1, &user);
	store_bind_pl(st, 2, &domain);
	sqlite3_bind_int(st, 3, !!voicemail);
	sqlite3_bind_int(st, 4, !!pgp);
	err = store_step_done(s, st);
	if (!err && sqlite3_changes(s->db) == 0)
		err = ENOENT;
	return err;
}

int store_account_set_password(struct store *s,
			       const struct store_account *a)
{
	sqlite3_stmt *st;
	int err;

	if (!s || !a || !hex_ok(&a->ha1_md5, STORE_HA1_MD5_LEN) ||
	    !hex_ok(&a->ha1_sha256, STORE_HA1_SHA256_LEN) ||
	    !pl_prefix_case(&a->pwhash, "$argon2id$"))
		return EINVAL;
	if ((err = store_mark_dirty(s)))
		return err;
	st = store_st(s, ST_ACC_SETPW);
	store_bind_pl(st, 1, &a->user);
	store_bind_pl(st, 2, &a->domain);
	store_bind_pl(st, 3, &a->ha1_md5);
	store_bind_pl(st, 4, &a->ha1_sha256);
	store_bind_pl(st, 5, &a->pwhash);
	err = store_step_done(s, st);
	if (!err && sqlite3_changes(s->db) == 0)
		err = ENOENT;
	return err;
}

/* SHA-256 of the token text, hex: what the tokens table keeps. */
static int token_hash(const char *token, char out[65])
{
	unsigned char d[32];
	unsigned int dl = 0;

	if (!EVP_Digest(token, strlen(token), d, &dl, EVP_sha256(), NULL))
		return EIO;
	hex(d, dl, out);
	return 0;
}

int store_token_new(struct store *s, const struct pl *aor,
		    enum store_token_kind kind, const uint8_t random[16],
		    int64_t expires_us, char *token, size_t tokensz)
{
	struct pl h;
	sqlite3_stmt *st;
	char hash[65];
	int err;

	if (!s || !aor || !aor->len || !random || !token || tokensz < 33)
		return EINVAL;
	hex(random, 16, token);
	if ((err = token_hash(token, hash)))
		return err;
	h = pl_from_str(hash);
	st = store_st(s, ST_TOK_ADD);
	store_bind_pl(st, 1, aor);
	sqlite3_bind_int(st, 2, (int)kind);
	store_bind_pl(st, 3, &h);
	sqlite3_bind_int64(st, 4, expires_us);
	return store_step_done(s, st);
}

int store_token_use(struct store *s, const struct pl *aor,
		    enum store_token_kind kind, const char *token,
		    int64_t now_us)
{
	struct pl h;
	sqlite3_stmt *st;
	char hash[65];
	int err;

	if (!s || !aor || !token)
		return EINVAL;
	if ((err = token_hash(token, hash)))
		return err;
	h = pl_from_str(hash);
	st = store_st(s, ST_TOK_USE);
	store_bind_pl(st, 1, aor);
	sqlite3_bind_int(st, 2, (int)kind);
	store_bind_pl(st, 3, &h);
	sqlite3_bind_int64(st, 4, now_us);
	err = store_step_done(s, st);
	if (!err && sqlite3_changes(s->db) != 1)
		err = EACCES;
	return err;
}
