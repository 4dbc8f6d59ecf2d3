/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * POLICY.md checked from canaries. The runner marks every canary it puts
 * into traffic with the data class (POLICY row) it went into, when, for
 * which account, under which client setting, and what the policy allows
 * for it: never stored (P2, P4, P7, P8, P12, P13, P15, redacted keys of
 * P6), stored for a period (P6, P9, P10, P11, P16, P17), stored while the
 * account lives (P1, P5, P14), or only in the account table (P3). After
 * the scanner has looked at data_dir and the captures, the ledger turns
 * hits into per-row verdicts:
 *   - a never-stored canary found in any stored byte fails its row;
 *   - a retained canary missing before its period ends fails its row
 *     ("gone too early");
 *   - a retained canary still found after a purge ran at or past its
 *     expiry fails its row ("still stored after its period");
 *   - any canary of a deleted account (except P17) still stored fails P18;
 *   - a canary sent over a protected path (TLS, SRTP, zRTP, OTR, PGP)
 *     found in clear on a captured link fails that path.
 * Evaluation can use stricter periods than the platform's (a "negative"
 * audit), which must then fail naming the row.
 */
#ifndef AUDIT_AUDIT_POLICY_H
#define AUDIT_AUDIT_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "audit/audit.h"

#define AUDIT_ROWS 18

enum audit_keep {
	AUDIT_KEEP_NEVER = 0,	/* never in stored bytes */
	AUDIT_KEEP_PERIOD,	/* stored, gone after period_s */
	AUDIT_KEEP_ACCOUNT,	/* stored while the owner account exists */
	AUDIT_KEEP_ACCOUNT_TABLE, /* P3: only in the account database */
	AUDIT_KEEP_ANY,		/* not judged on storage (wire only) */
};

/* Protection paths (POLICY.md), judged on the wire. */
enum audit_path {
	AUDIT_PATH_NONE = 0,
	AUDIT_PATH_TLS_SIP,
	AUDIT_PATH_SRTP,
	AUDIT_PATH_ZRTP,
	AUDIT_PATH_TLS_MSRP,
	AUDIT_PATH_OTR,
	AUDIT_PATH_PGP,
	AUDIT_PATH_CNT
};

struct audit_mark {
	const char *canary;	/* the string (copied) */
	unsigned row;		/* POLICY row 1..18 */
	enum audit_keep keep;
	uint64_t period_s;	/* AUDIT_KEEP_PERIOD */
	int64_t created_us;	/* scenario time it was placed */
	const char *owner;	/* account it belongs to, NULL */
	const char *owner2;	/* second party (message, call), NULL */
	enum audit_path path;	/* protected path it travelled, or NONE */
	bool e2e;		/* payload encrypted end to end (relay blind) */
	bool tls;		/* signalling/chat hop over TLS */
	const char *what;	/* "REGISTER User-Agent", "RTP payload" ... */
	const char *setting;	/* client setting, e.g. "via=tls media=srtp" */
	const char *origin;	/* "file.scn:12" */
};

struct audit_verdict {
	unsigned exercised;	/* marks judged */
	unsigned failed;
	char detail[320];	/* first failure, or what was checked */
};

struct audit_ledger;

/* The ledger uses scanner a (borrowed; must outlive the ledger). */
int audit_ledger_new(struct audit_ledger **lp, struct audit *a);
void audit_ledger_free(struct audit_ledger *l);
/* Record a placed canary (adds it to the scanner). EINVAL, ENOMEM. */
int audit_mark(struct audit_ledger *l, const struct audit_mark *m);
/* The owner's account was deleted at now_us (P18). ENOMEM. */
int audit_ledger_deleted(struct audit_ledger *l, const char *owner,
			 int64_t now_us);
/* A retention purge ran as of now_us. */
void audit_ledger_purged(struct audit_ledger *l, int64_t now_us);
/*
 * After a scan between steps: every never-stored mark (and P3's e-mail
 * outside the account database) found in the store now is remembered, so
 * a copy that a later step removes still fails its row. when names the
 * step ("file.scn:7"). ENOMEM.
 */
int audit_ledger_note(struct audit_ledger *l, const char *when);
size_t audit_ledger_count(const struct audit_ledger *l);

/* Period overrides for a stricter audit: 0 = use the mark's own. */
struct audit_strict {
	uint64_t period_s[AUDIT_ROWS + 1];
};

/*
 * Judge every mark against the scanner's current hits as of now_us.
 * rows[1..18] and paths[1..] get verdicts (index 0 unused). strict may be
 * NULL. Writes nothing else; call after audit_scan_*.
 */
void audit_evaluate(struct audit_ledger *l, int64_t now_us,
		    const struct audit_strict *strict,
		    struct audit_verdict rows[AUDIT_ROWS + 1],
		    struct audit_verdict paths[AUDIT_PATH_CNT]);

/*
 * The exposure of every mark as a JSON array (new reference):
 * [{"row": "P12", "class": what, "setting": ..., "sniffer": bool,
 *   "relay": bool, "relay_basis": "measured"|"inferred",
 *   "storage": bool, "origin": ...}]. NULL on ENOMEM.
 */
json_t *audit_exposure(struct audit_ledger *l);

const char *audit_path_name(enum audit_path p);
/* Short data-class name of a POLICY row ("call detail records"). */
const char *audit_row_name(unsigned row);

#endif
