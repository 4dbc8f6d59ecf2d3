/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runner internals: the per-scenario context and the mode backend
 * interface. A backend implements what its mode can do; a NULL operation
 * makes the step fail with "not supported in mode X yet".
 */
#ifndef SCENARIO_RUN_INT_H
#define SCENARIO_RUN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "base/buf.h"
#include "scenario/run.h"
#include "audit/audit_policy.h"

struct ua_pgp;

struct scn_acct {
	char *name;
	char *password;
	char *email;
	char *display;
	bool voicemail, pgp;
	bool deleted;
	bool created;
	struct ua_pgp *pgp_key;	/* its OpenPGP key pair, made on first use
				 * (scn_acct_pgp_key), freed with the run */
};

/* What a traffic step carries: the canaries the runner generated. */
/* What a call's devices sent that no store may keep (P6): filled by the
 * backend when known, "" otherwise. */
struct scn_secrets {
	char sdes_caller[64], sdes_callee[64];	/* a=crypto inline keys */
	char digest[72];			/* INVITE's response= */
};

struct scn_traffic {
	const struct scn_step *st;
	const struct scn_acct *a, *b;	/* parties (b may be NULL) */
	const char *canary;	/* payload canary (RTP, body, chat...) */
	const char *subject;	/* INVITE Subject canary (P6), may be NULL */
	const char *ua_canary;	/* caller device's User-Agent: lands in the
				 * CDR (P16) and the trace; NULL if none */
	const char *via;	/* "udp" "tcp" "tls" */
	struct scn_secrets *secrets;	/* out, may be NULL */
};

struct scn_ctx;

struct scn_be_ops {
	const char *mode;
	/* Start the platform (data_dir, config, policy already written). */
	int (*start)(struct scn_ctx *c, char *err, size_t errsz);
	void (*stop)(struct scn_ctx *c);
	int (*account_add)(struct scn_ctx *c, const struct scn_acct *a,
			   char *err, size_t errsz);
	int (*account_delete)(struct scn_ctx *c, const struct scn_acct *a,
			      char *err, size_t errsz);
	int (*purchase)(struct scn_ctx *c, const struct scn_acct *a,
			uint64_t amount, const char *name,
			const char *address, char *err, size_t errsz);
	int (*purge)(struct scn_ctx *c, int64_t now_us, char *err,
		     size_t errsz);
	/* Time moved forward to now_us (run timers/media up to it). */
	int (*advance)(struct scn_ctx *c, int64_t now_us, char *err,
		       size_t errsz);
	int (*count_cdr)(struct scn_ctx *c, const char *a, const char *b,
			 uint64_t *n, char *err, size_t errsz);
	int (*count_trace)(struct scn_ctx *c, const char *a, uint64_t *n,
			   char *err, size_t errsz);
	/* encrypted: -1 any, 0 clear only, 1 encrypted only. */
	int (*count_message)(struct scn_ctx *c, const char *b, int encrypted,
			     uint64_t *n, char *err, size_t errsz);
	int (*account_exists)(struct scn_ctx *c, const char *name, int *yes,
			      char *err, size_t errsz);
	/*
	 * Register, call, message, chat, subscribe, publish, conference,
	 * file, voicemail, buddies, push: ENOTSUP when this mode cannot do
	 * the verb yet (err says why), other errors fail the step.
	 */
	int (*traffic)(struct scn_ctx *c, const struct scn_traffic *t,
		       char *err, size_t errsz);
	int (*registered)(struct scn_ctx *c, const char *name, int *yes,
			  char *err, size_t errsz);
	/* Make the captures complete up to now (flush). */
	void (*capture_sync)(struct scn_ctx *c);
};

struct scn_ctx {
	const struct scn *s;
	const struct scn_run_opts *o;
	struct rep_summary *sum;
	const struct scn_be_ops *be;
	void *be_state;
	void *be_arg;		/* opts->be_arg */
	char dir[512];		/* per-scenario work folder */
	char data_dir[600];
	char conf[600];		/* refd config */
	char policy[600];	/* policy file the platform uses */
	char domain[128];
	struct scn_periods per;
	struct scn_acct *acct;
	size_t nacct;
	int64_t start_us, now_us;	/* scenario clock, Unix microseconds */
	bool started, start_failed;
	char start_err[700];
	char **pcaps;		/* capture files to audit */
	size_t npcap;
	bool capture_ok;	/* false: wire checks are skipped */
	char capture_why[200];
	struct audit *audit;
	struct audit_ledger *ledger;
	unsigned canary_seq;
	uint64_t rng;
	unsigned failed, checks;
	struct rep_series *timeline;	/* canaries stored over time */
	/* Canary-bearing text of steps that failed: expect lines about
	 * them cannot be judged (and must not pass vacuously). */
	char **unplaced;
	unsigned *unplaced_line;
	size_t nunplaced;
	/* policy verb before start: overrides written into the policy */
	struct scn_periods over;
	/* policy hash_memory= / hash_passes= ([passwords], 0: not set) */
	uint64_t over_hash_mem;
	uint64_t over_hash_passes;
	char *policy_src;	/* a policy file named by the policy verb */
};

/* The live backend (be_live.c) and the in-process one (be_inproc.c). */
extern const struct scn_be_ops scn_be_live;
extern const struct scn_be_ops scn_be_inproc;
extern const struct scn_be_ops scn_be_sim;

/* Add a capture file to the audit list. ENOMEM. */
int scn_ctx_add_pcap(struct scn_ctx *c, const char *path);
/* "alice" -> "alice@example.test" into out. */
void scn_aor(const struct scn_ctx *c, const char *name, char *out,
	     size_t sz);
/* --target: the accounts-file entry for a scenario account, or NULL. */
const struct rpl_acct *scn_target_acct(const struct scn_ctx *c,
				       const char *name);
/* --target without --data-dir: no stored bytes to audit. */
bool scn_target_nostore(const struct scn_ctx *c);
/* Record step st as skipped against a --target, with why. 0. */
int scn_target_skip(struct scn_ctx *c, const struct scn_step *st,
		    const char *why);
/* ISO 8601 UTC of Unix microseconds. */
void scn_iso8601(int64_t us, char *out, size_t sz);

/*
 * Run argv (NULL-terminated, argv[0] a path) with a timeout, capturing
 * stdout into out (may be NULL) and the last stderr line into err.
 * Returns the exit status (0..255), or -1 with err set (spawn failure,
 * timeout: the child is killed).
 */
int scn_exec(char *const argv[], unsigned timeout_ms, struct buf *out,
	     char *err, size_t errsz);

#endif
