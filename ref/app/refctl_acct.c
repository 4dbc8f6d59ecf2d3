/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refctl's account and purchase commands: account add/delete/list,
 * password recovery tokens (recover, reset) and purchase add/list. The
 * rules (weak passwords, HA1, what deletion keeps) live in ref/store and
 * ref/policy; this file parses options and prints results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "base/mem.h"
#include "store/store_json.h"
#include "app/refctl.h"

/* ---- account ---------------------------------------------------------- */

static int read_password_file(const char *path, char *pw, size_t sz)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return errno;
	if (!fgets(pw, (int)sz, f)) {
		fclose(f);
		return EINVAL;
	}
	fclose(f);
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	return 0;
}

/* The new password of `what` from --password or --password-file. */
static int password_get(struct ctl *c, const char *what, char *pw, size_t sz)
{
	int e;

	if (c->opt_password_file) {
		e = read_password_file(c->opt_password_file, pw, sz);
		if (e)
			return ctl_bad("%s: cannot read a password: %s",
				   c->opt_password_file, strerror(e));
	} else if (snprintf(pw, sz, "%s", c->opt_password) >= (int)sz) {
		return ctl_bad("%s: password too long", what);
	}
	return 0;
}

/* The platform policy's password rules for the user part of c->arg. */
static int password_policy(struct ctl *c, const char *what, const char *at,
			   const char *pw)
{
	char user[260], why[128];
	int e;

	if ((e = ctl_load_policy(c)))
		return e;
	snprintf(user, sizeof(user), "%.*s", (int)(at - c->arg), c->arg);
	if (policy_password_check(&c->pol, user, pw, why, sizeof(why)))
		return ctl_bad("%s: weak password refused: %s", what, why);
	return 0;
}

int ctl_account_add(struct ctl *c)
{
	struct store_kdf kdf;
	struct store_account a;
	struct store_hashes h;
	char pw[512], det[64];
	const char *at;
	int64_t id;
	int e;

	if ((e = ctl_only(c, "account add", "password password-file email display"
		      " voicemail pgp")))
		return e;
	if (!c->arg || !ctl_aor_ok(c->arg))
		return ctl_bad("account add: want USER@DOMAIN, got '%s'",
			   c->arg ? c->arg : "");
	at = strrchr(c->arg, '@');
	if (c->domain && strcmp(at + 1, c->domain))
		return ctl_bad("account add: domain '%s' is not the platform"
			   " domain '%s'", at + 1, c->domain);
	if (!!c->opt_password == !!c->opt_password_file)
		return ctl_bad("account add: give one of --password,"
			   " --password-file");
	if (c->opt_email && (!strchr(c->opt_email, '@') ||
			     strpbrk(c->opt_email, " \t\r\n<>\"")))
		return ctl_bad("account add: bad e-mail address");
	if ((e = password_get(c, "account add", pw, sizeof(pw))))
		return e;
	if ((e = password_policy(c, "account add", at, pw)))
		goto out;
	memset(&a, 0, sizeof(a));
	a.user = pl_from_mem(c->arg, (size_t)(at - c->arg));
	a.domain = pl_from_str(at + 1);
	a.display = pl_from_str(c->opt_display);
	a.email = pl_from_str(c->opt_email);
	a.voicemail = c->opt_voicemail;
	a.pgp = c->opt_pgp;
	a.created_us = ctl_now_us();
	/* Digest HA1 over refd's realm: [sip] realm, else the domain. */
	kdf = policy_kdf(&c->pol);
	e = store_hash_password_kdf(&a, &h, cfg_get(&c->cfg, "sip", "realm"),
				    pw, &kdf);
	sodium_memzero(pw, sizeof(pw));
	if (e) {
		e = ctl_fail(c, "account add", e);
		goto out;
	}
	if ((e = ctl_open_store(c)))
		goto wipe;
	e = store_account_add(c->st, &a, &id);
	if (e == EEXIST) {
		e = ctl_bad("account add: %s exists", c->arg);
		goto wipe;
	} else if (e == EINVAL) {
		e = ctl_bad("account add: bad user or domain in '%s'", c->arg);
		goto wipe;
	} else if (e) {
		e = ctl_fail(c, "account add", e);
		goto wipe;
	}
	/* Voicemail and an address: recordings are e-mailed too, until the
	 * user turns that off in the portal (accounts.vm_email). */
	if (c->opt_voicemail && c->opt_email && *c->opt_email) {
		struct pl aor = pl_from_str(c->arg);

		if ((e = store_account_set_vm_email(c->st, &aor, 1))) {
			e = ctl_fail(c, "account add", e);
			goto wipe;
		}
	}
	snprintf(det, sizeof(det), "account id %lld", (long long)id);
	(void)store_audit_add(c->st, a.created_us, "refctl", "account add",
			      det);
	printf("added %s\n", c->arg);
wipe:
	store_hash_fini(&h);
out:
	sodium_memzero(pw, sizeof(pw));
	return e;
}

int ctl_account_delete(struct ctl *c)
{
	struct store_delete_report r;
	struct pl aor;
	char until[40], det[96];
	int e;

	if ((e = ctl_only(c, "account delete", "")))
		return e;
	if (!c->arg || !ctl_aor_ok(c->arg))
		return ctl_bad("account delete: want USER@DOMAIN");
	if ((e = ctl_load_policy(c)) || (e = ctl_open_store(c)))
		return e;
	aor = pl_from_str(c->arg);
	e = store_account_delete(c->st, &aor, &c->pol, &r);
	if (e == ENOENT)
		return ctl_bad("account delete: nothing is held for %s", c->arg);
	if (e)
		return ctl_fail(c, "account delete", e);
	printf("deleted %s: %llu account, %llu XCAP documents, %llu messages"
	       " (%llu deliveries), %llu files, %llu voicemails, %llu trace"
	       " rows, %llu CDRs, %llu push log entries\n", c->arg,
	       (unsigned long long)r.accounts, (unsigned long long)r.xcap,
	       (unsigned long long)r.messages,
	       (unsigned long long)r.deliveries, (unsigned long long)r.files,
	       (unsigned long long)r.voicemail, (unsigned long long)r.traces,
	       (unsigned long long)r.cdrs, (unsigned long long)r.push);
	if (r.billing_kept)
		printf("kept %llu billing record(s) until %s: P17, purchases"
		       " are kept %llu days after the purchase, also after"
		       " account deletion\n",
		       (unsigned long long)r.billing_kept,
		       T(r.billing_until_us, until),
		       (unsigned long long)(c->pol.billing_s / 86400));
	else
		printf("kept nothing\n");
	snprintf(det, sizeof(det), "rows removed %llu, billing kept %llu",
		 (unsigned long long)(r.accounts + r.xcap + r.messages +
				      r.files + r.voicemail + r.traces +
				      r.cdrs + r.push),
		 (unsigned long long)r.billing_kept);
	(void)store_audit_add(c->st, ctl_now_us(), "refctl", "account delete",
			      det);
	return 0;
}

/*
 * P3 password recovery: `recover` makes a one-time token (only its hash
 * is stored) for the operator's mail to the account's e-mail; `reset`
 * takes it back with a new password, which must pass the P2 rules.
 */
int ctl_account_recover(struct ctl *c)
{
	uint8_t rnd[16];
	uint64_t ttl_s = 3600;
	char tok[40], until[40];
	struct pl aor;
	int64_t exp;
	int e;

	if ((e = ctl_only(c, "account recover", "ttl")))
		return e;
	if (!c->arg || !ctl_aor_ok(c->arg))
		return ctl_bad("account recover: want USER@DOMAIN");
	if (c->opt_ttl && (cfg_parse_duration(c->opt_ttl, &ttl_s) || !ttl_s ||
			   ttl_s > 7 * 86400))
		return ctl_bad("account recover: bad --ttl '%s' (1m to 7d)",
			   c->opt_ttl);
	if ((e = ctl_open_store(c)))
		return e;
	aor = pl_from_str(c->arg);
	if (store_account_get(c->st, &aor, NULL, NULL) == ENOENT)
		return ctl_bad("account recover: no account %s", c->arg);
	if (sodium_init() < 0)
		return 1;
	randombytes_buf(rnd, sizeof(rnd));
	exp = ctl_now_us() + (int64_t)ttl_s * 1000000;
	e = store_token_new(c->st, &aor, STORE_TOKEN_RECOVERY, rnd, exp, tok,
			    sizeof(tok));
	sodium_memzero(rnd, sizeof(rnd));
	if (e)
		return ctl_fail(c, "account recover", e);
	printf("%s\t%s\n", tok, T(exp, until));
	sodium_memzero(tok, sizeof(tok));
	return 0;
}

int ctl_account_reset(struct ctl *c)
{
	struct store_kdf kdf;
	struct store_account a;
	struct store_hashes h;
	char pw[512];
	const char *at;
	struct pl aor;
	int e;

	if ((e = ctl_only(c, "account reset", "token password password-file")))
		return e;
	if (!c->arg || !ctl_aor_ok(c->arg) || !c->opt_token)
		return ctl_bad("account reset: want USER@DOMAIN --token T");
	if (!!c->opt_password == !!c->opt_password_file)
		return ctl_bad("account reset: give one of --password,"
			   " --password-file");
	if ((e = password_get(c, "account reset", pw, sizeof(pw))))
		return e;
	at = strrchr(c->arg, '@');
	if ((e = password_policy(c, "account reset", at, pw)))
		goto out;
	if ((e = ctl_open_store(c)))
		goto out;
	aor = pl_from_str(c->arg);
	/* Consume the token first: a wrong one never reaches hashing. */
	e = store_token_use(c->st, &aor, STORE_TOKEN_RECOVERY, c->opt_token,
			    ctl_now_us());
	if (e == EACCES) {
		e = ctl_bad("account reset: token wrong, used or expired");
		goto out;
	} else if (e) {
		e = ctl_fail(c, "account reset", e);
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.user = pl_from_mem(c->arg, (size_t)(at - c->arg));
	a.domain = pl_from_str(at + 1);
	kdf = policy_kdf(&c->pol);
	e = store_hash_password_kdf(&a, &h, cfg_get(&c->cfg, "sip", "realm"),
				    pw, &kdf);
	if (!e)
		e = store_account_set_password(c->st, &a);
	store_hash_fini(&h);
	if (e)
		e = ctl_fail(c, "account reset", e);
	else
		printf("password of %s reset\n", c->arg);
out:
	sodium_memzero(pw, sizeof(pw));
	return e;
}

static int acc_print(void *arg, const struct store_account *a)
{
	struct ctl *c = arg;

	if (c->json)
		return ctl_emit(c, store_json_account(a));
	printf("%.*s@%.*s\t%.*s\t%.*s\tvoicemail=%s\tpgp=%s\n",
	       PL_ARG(a->user), PL_ARG(a->domain), PL_ARG(a->display),
	       PL_ARG(a->email), a->voicemail ? "on" : "off",
	       a->pgp ? "on" : "off");
	return 0;
}

int ctl_account_list(struct ctl *c)
{
	int e;

	if ((e = ctl_only(c, "account list", "json")) || (e = ctl_open_store(c)))
		return e;
	if (c->arg)
		return ctl_bad("account list: unexpected '%s'", c->arg);
	e = store_account_list(c->st, acc_print, c);
	return e ? ctl_fail(c, "account list", e) : 0;
}

/* ---- purchases -------------------------------------------------------- */

/* "12", "12.5", "12.50" -> cents. */
static int parse_amount(const char *s, int64_t *cents)
{
	int64_t v = 0;
	int frac = -1;

	if (!*s)
		return EINVAL;
	for (; *s; s++) {
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || frac >= 2 || v > INT64_MAX / 100)
			return EINVAL;
		v = v * 10 + (*s - '0');
		if (frac >= 0)
			frac++;
	}
	if (frac == 0)
		return EINVAL;
	while (frac < 2) {
		v *= 10;
		frac = frac < 0 ? 1 : frac + 1;
	}
	*cents = v;
	return 0;
}

int ctl_purchase_add(struct ctl *c)
{
	struct store_purchase p;
	struct pl aor;
	char det[64];
	int64_t id;
	int e;

	if ((e = ctl_only(c, "purchase add", "amount name address")))
		return e;
	if (!c->arg || !ctl_aor_ok(c->arg))
		return ctl_bad("purchase add: want USER@DOMAIN");
	if (!c->opt_amount || !c->opt_name || !c->opt_address)
		return ctl_bad("purchase add: --amount, --name and --address are"
			   " required");
	memset(&p, 0, sizeof(p));
	if (parse_amount(c->opt_amount, &p.amount_cents))
		return ctl_bad("purchase add: bad amount '%s' (want 12 or 12.50)",
			   c->opt_amount);
	if ((e = ctl_open_store(c)))
		return e;
	aor = pl_from_str(c->arg);
	if (store_account_get(c->st, &aor, NULL, NULL) == ENOENT)
		return ctl_bad("purchase add: no account %s", c->arg);
	p.time_us = ctl_now_us();
	p.user = aor;
	p.name = pl_from_str(c->opt_name);
	p.address = pl_from_str(c->opt_address);
	e = store_purchase_add(c->st, &p, &id);
	if (e)
		return ctl_fail(c, "purchase add", e);
	snprintf(det, sizeof(det), "purchase id %lld", (long long)id);
	(void)store_audit_add(c->st, p.time_us, "refctl", "purchase add",
			      det);
	printf("purchase %lld added for %s\n", (long long)id, c->arg);
	return 0;
}

static int buy_print(void *arg, const struct store_purchase *p)
{
	struct ctl *c = arg;
	char t[40];

	if (c->json)
		return ctl_emit(c, store_json_purchase(p));
	printf("%lld\t%s\t%.*s\t%lld.%02lld\t%.*s\t%.*s\n", (long long)p->id,
	       T(p->time_us, t), PL_ARG(p->user),
	       (long long)(p->amount_cents / 100),
	       (long long)(p->amount_cents % 100), PL_ARG(p->name),
	       PL_ARG(p->address));
	return 0;
}

int ctl_purchase_list(struct ctl *c)
{
	struct pl u = pl_from_str(c->opt_user);
	int e;

	if ((e = ctl_only(c, "purchase list", "json user")) ||
	    (e = ctl_open_store(c)))
		return e;
	e = store_purchase_list(c->st, c->opt_user ? &u : NULL, buy_print, c);
	return e ? ctl_fail(c, "purchase list", e) : 0;
}
