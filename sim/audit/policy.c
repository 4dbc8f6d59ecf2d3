/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The canary ledger and its judgement against POLICY.md (rules in
 * audit_policy.h). Times are scenario microseconds; "expired" means a purge
 * ran at or after the expiry instant, because retention only acts when
 * the platform's retention engine runs (refd's timer or `refctl purge`).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "audit/audit_policy.h"

struct mark {
	size_t canary;
	unsigned row;
	enum audit_keep keep;
	uint64_t period_s;
	int64_t created_us;
	char *owner, *owner2;
	enum audit_path path;
	bool e2e, tls;
	char *what, *setting, *origin;
	char *seen;	/* a forbidden copy met by a step scan, or NULL */
};

struct deletion {
	char *owner;
	int64_t at_us;
};

struct audit_ledger {
	struct audit *a;
	struct mark *m;
	size_t n;
	struct deletion *del;
	size_t ndel;
	int64_t last_purge_us;
	int purged;
};

static const char *row_names[AUDIT_ROWS + 1] = {
	"?", "account", "password", "e-mail address", "address-book contacts",
	"presence contacts (XCAP)", "session SIP messages (traces)",
	"registrations", "subscriptions and presence", "push notifications",
	"text messages", "file transfers", "RTP media", "MSRP media",
	"voicemail", "conferences", "call detail records", "billing records",
	"account deletion",
};

const char *audit_row_name(unsigned row)
{
	return row <= AUDIT_ROWS ? row_names[row] : "?";
}

const char *audit_path_name(enum audit_path p)
{
	static const char *n[AUDIT_PATH_CNT] = {
		"none", "TLS for SIP", "SRTP", "zRTP", "TLS for MSRP",
		"OTR over MSRP", "PGP for MESSAGE and files",
	};

	return p < AUDIT_PATH_CNT ? n[p] : "?";
}

int audit_ledger_new(struct audit_ledger **lp, struct audit *a)
{
	struct audit_ledger *l = mem_zalloc(sizeof(*l));

	if (!l)
		return ENOMEM;
	l->a = a;
	*lp = l;
	return 0;
}

void audit_ledger_free(struct audit_ledger *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		mem_free(l->m[i].owner);
		mem_free(l->m[i].owner2);
		mem_free(l->m[i].what);
		mem_free(l->m[i].setting);
		mem_free(l->m[i].origin);
		mem_free(l->m[i].seen);
	}
	mem_free(l->m);
	for (i = 0; i < l->ndel; i++)
		mem_free(l->del[i].owner);
	mem_free(l->del);
	mem_free(l);
}

static char *dup_or_null(const char *s, int *bad)
{
	char *d;

	if (!s)
		return NULL;
	d = mem_strdup(s);
	if (!d)
		*bad = 1;
	return d;
}

int audit_mark(struct audit_ledger *l, const struct audit_mark *m)
{
	struct mark *nm, *x;
	size_t idx;
	int err, bad = 0;

	if (!m->canary || m->row < 1 || m->row > AUDIT_ROWS ||
	    m->path >= AUDIT_PATH_CNT)
		return EINVAL;
	err = audit_canary_add(l->a, m->canary, strlen(m->canary), &idx);
	if (err)
		return err;
	nm = mem_realloc(l->m, (l->n + 1) * sizeof(*nm));
	if (!nm)
		return ENOMEM;
	l->m = nm;
	x = &nm[l->n];
	memset(x, 0, sizeof(*x));
	x->canary = idx;
	x->row = m->row;
	x->keep = m->keep;
	x->period_s = m->period_s;
	x->created_us = m->created_us;
	x->path = m->path;
	x->e2e = m->e2e;
	x->tls = m->tls;
	x->owner = dup_or_null(m->owner, &bad);
	x->owner2 = dup_or_null(m->owner2, &bad);
	x->what = dup_or_null(m->what ? m->what : audit_row_name(m->row),
			      &bad);
	x->setting = dup_or_null(m->setting ? m->setting : "", &bad);
	x->origin = dup_or_null(m->origin ? m->origin : "", &bad);
	if (bad) {
		mem_free(x->owner);
		mem_free(x->owner2);
		mem_free(x->what);
		mem_free(x->setting);
		mem_free(x->origin);
		return ENOMEM;
	}
	l->n++;
	return 0;
}

int audit_ledger_deleted(struct audit_ledger *l, const char *owner,
			 int64_t now_us)
{
	struct deletion *nd = mem_realloc(l->del,
					  (l->ndel + 1) * sizeof(*nd));

	if (!nd)
		return ENOMEM;
	l->del = nd;
	nd[l->ndel].owner = mem_strdup(owner);
	if (!nd[l->ndel].owner)
		return ENOMEM;
	nd[l->ndel].at_us = now_us;
	l->ndel++;
	return 0;
}

void audit_ledger_purged(struct audit_ledger *l, int64_t now_us)
{
	if (!l->purged || now_us > l->last_purge_us)
		l->last_purge_us = now_us;
	l->purged = 1;
}

static const struct audit_hit *outside_account_db(const struct audit *a,
						  size_t canary);

int audit_ledger_note(struct audit_ledger *l, const char *when)
{
	const struct audit_hit *h;
	char buf[400];
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct mark *m = &l->m[i];

		if (m->seen)
			continue;
		if (m->keep == AUDIT_KEEP_NEVER)
			h = audit_first(l->a, m->canary, AUDIT_SRC_STORE);
		else if (m->keep == AUDIT_KEEP_ACCOUNT_TABLE)
			h = outside_account_db(l->a, m->canary);
		else
			continue;
		if (!h)
			continue;
		snprintf(buf, sizeof(buf), "%s at %llu as %s (after %s)",
			 h->where, (unsigned long long)h->offset,
			 audit_enc_name(h->enc), when);
		m->seen = mem_alloc(strlen(buf) + 1);
		if (!m->seen)
			return ENOMEM;
		memcpy(m->seen, buf, strlen(buf) + 1);
	}
	return 0;
}

size_t audit_ledger_count(const struct audit_ledger *l)
{
	return l->n;
}

/* Deletion time of the owner's account at or before now, else -1. */
static int64_t deleted_at(const struct audit_ledger *l, const struct mark *m,
			  int64_t now_us)
{
	size_t i;

	if (!m->owner)
		return -1;
	for (i = 0; i < l->ndel; i++)
		if ((!strcmp(l->del[i].owner, m->owner) ||
		     (m->owner2 && !strcmp(l->del[i].owner, m->owner2))) &&
		    l->del[i].at_us >= m->created_us &&
		    l->del[i].at_us <= now_us)
			return l->del[i].at_us;
	return -1;
}

static void judge(struct audit_verdict *v, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void judge(struct audit_verdict *v, bool ok, const char *fmt, ...)
{
	va_list ap;

	v->exercised++;
	if (ok) {
		if (!v->failed && !v->detail[0]) {
			va_start(ap, fmt);
			vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
			va_end(ap);
		}
		return;
	}
	if (!v->failed++) {
		va_start(ap, fmt);
		vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
		va_end(ap);
	}
}

/*
 * The platform's account table (ref/store's schema): P3's one allowed
 * place. Its indexes ("accounts:sqlite_autoindex_accounts_1") count too.
 */
static const char account_table[] = "accounts";

/*
 * Whether the hit lies in the account table of an SQLite database, as
 * the scanner attributed it from the page it is on. A hit in any other
 * table, a free page, an unreadable database or a file that is not
 * SQLite at all is outside it.
 */
static bool in_account_db(const struct audit_hit *h)
{
	size_t n = sizeof(account_table) - 1;

	return h->table && !strncmp(h->table, account_table, n) &&
	       (!h->table[n] || h->table[n] == ':');
}

/* P3's judgement needs every stored hit, not the first: the e-mail in the
 * account database must not hide a copy in a log or a spool. */
static const struct audit_hit *outside_account_db(const struct audit *a,
						  size_t canary)
{
	const struct audit_hit *h;
	size_t i;

	for (i = 0; i < audit_hit_count(a); i++) {
		h = audit_hit_get(a, i);
		if (h->canary == canary && h->src == AUDIT_SRC_STORE &&
		    !in_account_db(h))
			return h;
	}
	return NULL;
}

static void judge_mark(struct audit_ledger *l, const struct mark *m,
		       int64_t now_us, const struct audit_strict *strict,
		       struct audit_verdict *rows,
		       struct audit_verdict *paths)
{
	const struct audit_hit *hs = audit_first(l->a, m->canary,
						 AUDIT_SRC_STORE);
	const struct audit_hit *hw = audit_first(l->a, m->canary,
						 AUDIT_SRC_WIRE);
	const char *can = audit_canary(l->a, m->canary);
	struct audit_verdict *v = &rows[m->row];
	int64_t del = deleted_at(l, m, now_us);
	uint64_t period = m->period_s;
	char where[200] = "";
	bool gone;

	if (strict && strict->period_s[m->row] &&
	    (m->keep == AUDIT_KEEP_PERIOD))
		period = strict->period_s[m->row];
	if (hs)
		snprintf(where, sizeof(where), "%s at %llu as %s", hs->where,
			 (unsigned long long)hs->offset,
			 audit_enc_name(hs->enc));
	if (m->path != AUDIT_PATH_NONE)
		judge(&paths[m->path], !hw, hw ?
		      "'%s' (%s, %s) seen in clear on a link: %s packet %llu "
		      "as %s" : "'%s' (%s, %s) never seen in clear on a link",
		      can, m->what, m->origin, hw ? hw->where : "",
		      hw ? (unsigned long long)hw->offset : 0ULL,
		      hw ? audit_enc_name(hw->enc) : "");
	if (del >= 0 && m->row != 17) {
		judge(&rows[18], !hs, hs ? "'%s' (%s of deleted account %s, "
		      "%s) still stored: %s" : "'%s' (%s of deleted account "
		      "%s, %s) gone", can, m->what, m->owner, m->origin, where);
		/* Rows kept "until the account" (P5, P14) end with it: the
		 * deletion is their own period, judged for them too. */
		if (m->keep == AUDIT_KEEP_ACCOUNT)
			judge(v, !hs, hs ? "'%s' (%s, %s) outlived its "
			      "account: %s" : "'%s' (%s, %s) kept until its "
			      "account went", can, m->what, m->origin, where);
		return;
	}
	switch (m->keep) {
	case AUDIT_KEEP_NEVER:
		if (!hs && m->seen)
			snprintf(where, sizeof(where), "%s", m->seen);
		judge(v, !hs && !m->seen, hs || m->seen ?
		      "'%s' (%s, %s) stored: %s" :
		      "'%s' (%s, %s) never stored", can, m->what, m->origin,
		      where);
		break;
	case AUDIT_KEEP_ACCOUNT_TABLE: {
		const struct audit_hit *ho = outside_account_db(l->a,
								m->canary);

		if (ho)
			snprintf(where, sizeof(where), "%s at %llu as %s",
				 ho->where, (unsigned long long)ho->offset,
				 audit_enc_name(ho->enc));
		else if (m->seen)
			snprintf(where, sizeof(where), "%s", m->seen);
		judge(v, !ho && !m->seen, ho || m->seen ?
		      "'%s' (%s, %s) stored outside the account database: "
		      "%s" : "'%s' (%s, %s) only in the account database",
		      can, m->what, m->origin, where);
		break;
	}
	case AUDIT_KEEP_ACCOUNT:
		judge(v, hs != NULL, hs ? "'%s' (%s, %s) kept with the "
		      "account" : "'%s' (%s, %s) missing while the account "
		      "exists", can, m->what, m->origin);
		break;
	case AUDIT_KEEP_PERIOD: {
		int64_t exp = m->created_us + (int64_t)period * 1000000;

		gone = l->purged && l->last_purge_us >= exp;
		if (gone)
			judge(v, !hs, hs ? "'%s' (%s, %s) still stored after "
			      "its %llu s period (purge ran %lld s past "
			      "expiry): %s" : "'%s' (%s, %s) gone after its "
			      "%llu s period", can, m->what, m->origin,
			      (unsigned long long)period,
			      (long long)((l->last_purge_us - exp) / 1000000),
			      where);
		else
			judge(v, hs != NULL, hs ? "'%s' (%s, %s) kept within "
			      "its period" : "'%s' (%s, %s) gone too early "
			      "(%lld s into a %llu s period)", can, m->what,
			      m->origin,
			      (long long)((now_us - m->created_us) / 1000000),
			      (unsigned long long)period);
		break;
	}
	case AUDIT_KEEP_ANY:
		break;
	}
}

void audit_evaluate(struct audit_ledger *l, int64_t now_us,
		    const struct audit_strict *strict,
		    struct audit_verdict rows[AUDIT_ROWS + 1],
		    struct audit_verdict paths[AUDIT_PATH_CNT])
{
	size_t i;

	memset(rows, 0, sizeof(*rows) * (AUDIT_ROWS + 1));
	memset(paths, 0, sizeof(*paths) * AUDIT_PATH_CNT);
	for (i = 0; i < l->n; i++)
		judge_mark(l, &l->m[i], now_us, strict, rows, paths);
}

/*
 * SRTP keyed by SDES: the keys travel in the SDP, so whoever reads them
 * reads the media. *used: the step planted SDES key marks (same origin);
 * *clear: one of them was seen in clear on a link.
 */
static void sdes_keys(const struct audit_ledger *l, const struct mark *m,
		      bool *used, bool *clear)
{
	size_t i;

	*used = *clear = false;
	for (i = 0; m->path == AUDIT_PATH_SRTP && i < l->n; i++) {
		const struct mark *k = &l->m[i];

		if (strncmp(k->what, "SDES key", 8) ||
		    strcmp(k->origin, m->origin))
			continue;
		*used = true;
		*clear |= audit_found(l->a, k->canary, AUDIT_SRC_WIRE) > 0;
	}
}

json_t *audit_exposure(struct audit_ledger *l)
{
	json_t *arr = json_array();
	size_t i;

	if (!arr)
		return NULL;
	for (i = 0; i < l->n; i++) {
		const struct mark *m = &l->m[i];
		bool sniff = audit_found(l->a, m->canary, AUDIT_SRC_WIRE) > 0;
		bool store = audit_found(l->a, m->canary, AUDIT_SRC_STORE) > 0;
		/*
		 * The relay reads what crosses its links in clear (measured)
		 * and, behind TLS, what TLS protects hop by hop unless the
		 * payload is encrypted end to end (inferred from the path).
		 * SDES-keyed SRTP is end to end only for a sniffer who does
		 * not see the keys: the platform always does (inferred), a
		 * sniffer does when the SDP crossed a link in clear.
		 */
		bool relay = sniff || (m->tls && !m->e2e);
		bool sdes, sdes_clear, sniff_inf, relay_inf;
		char row[8];
		json_t *o;

		sdes_keys(l, m, &sdes, &sdes_clear);
		sniff_inf = !sniff && sdes_clear;
		relay_inf = !sniff && (m->tls || sdes);
		sniff = sniff || sdes_clear;
		relay = relay || sdes;
		snprintf(row, sizeof(row), "P%u", m->row);
		o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:s, s:b, "
			      "s:s, s:s}", "row", row, "class", m->what,
			      "setting", m->setting, "canary",
			      audit_canary(l->a, m->canary), "sniffer", sniff,
			      "sniffer_basis", sniff_inf ? "inferred" :
			      "measured", "relay", relay, "relay_basis",
			      relay_inf ? "inferred" : "measured",
			      "storage", store, "path",
			      audit_path_name(m->path), "origin", m->origin);
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
