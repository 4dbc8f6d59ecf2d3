/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `rtcbench replay --target HOST:PORT` (replay_live.c): the captured
 * dialogs of one file re-driven against a live SIP server over real
 * loopback sockets by sim/replay's live engine, results into the summary.
 */
#ifndef APP_REPLAY_LIVE_H
#define APP_REPLAY_LIVE_H

#include <stdbool.h>
#include "base/net.h"
#include "replay/rpl_audit.h"
#include "replay/rpl_live.h"
#include "replay/rpl_vproxy.h"
#include "report/summary.h"

struct rlive_opts {
	struct net_addr target;		/* checked by rlive_target */
	const struct rpl_acct *accts;
	size_t nacct;
	double speed;			/* 0: as fast as possible */
	uint64_t step_timeout_us;
	uint64_t limit_us;		/* whole file; 0: 300 s */
	const char *tls_cert, *tls_key;	/* callee listener (tls) */
	struct rpl_canaries *can;	/* what is sent, for the audit */
};

/* Command-line options of the live mode, before they are checked. */
struct rlive_cli {
	const char *accounts, *transport, *tls_cert, *tls_key;
	bool remote;
	bool messages;		/* --target inproc: also message-level */
	uint64_t step_timeout_us;
};
/* argv[*i] a live option: consumed with its value (*i advanced), 1; not
 * one: 0; a bad or missing value: -1. */
int rlive_cli_arg(struct rlive_cli *c, int argc, char **argv, int *i);
/* Options checked into o (the target, the accounts read); 0, or 2 with
 * a one-line message on stderr. */
int rlive_setup(const struct rlive_cli *c, const char *target,
		struct rlive_opts *o);

/*
 * HOST:PORT with transport tp into *a; refused (EPERM, reason in err)
 * outside 127.0.0.0/8 and ::1 unless allow_remote. EINVAL.
 */
int rlive_target(const char *spec, enum net_tp tp, bool allow_remote,
		 struct net_addr *a, char *err, size_t errsz);
/* Accounts file (rpl_acct_decode); EINVAL/ENOENT with err "FILE:..." */
int rlive_accounts(const char *path, struct rpl_acct **a, size_t *n,
		   char *err, size_t errsz);
/* Re-drive set's dialogs; one check per dialog, a "dialogs" array and
 * live_* metrics in sum. 0, or an errno when the sockets failed. */
int rlive_run(struct rep_summary *sum, json_t *dialogs, const char *file,
	      struct rpl_dlgset *set, const struct rlive_opts *o, char *err,
	      size_t errsz);

/* --target inproc --messages: the same re-drive against the platform's
 * SIP core in process, virtual time, accounts made from the capture's
 * AORs, the platform's store and tap pl; checks "inproc messages". 0,
 * ENOMEM, a store errno (pl->err). */
int rlive_inproc(struct rep_summary *sum, json_t *dialogs, const char *file,
		 struct rpl_dlgset *set, double speed,
		 uint64_t step_timeout_us, struct rpl_plat *pl);

#endif
