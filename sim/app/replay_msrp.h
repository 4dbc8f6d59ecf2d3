/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay: MSRP (replay_msrp.c). The sessions the dissector
 * reports go to summary.json msrp_sessions[] and a few lines on stdout;
 * with --target HOST:PORT and --msrp-relay HOST:PORT every session whose
 * two ends AUTHed at a relay in the capture is re-driven against the
 * target's relay after the file's SIP dialogs: both ends played again
 * with --accounts, each captured chunk sent as it was cut, and what each
 * end received compared with what the capture carried to it; with
 * --target inproc the same against the relay core in process. The
 * content sent becomes P13 canaries of the storage audit.
 */
#ifndef APP_REPLAY_MSRP_H
#define APP_REPLAY_MSRP_H

#include <stdbool.h>
#include <jansson.h>
#include "base/net.h"
#include "replay/replay.h"
#include "replay/rpl_live.h"
#include "replay/rpl_audit.h"
#include "replay/rpl_msrp.h"
#include "report/summary.h"

struct rmsrp {
	json_t *sessions;		/* msrp_sessions[] */
	bool collect;			/* keep requests for a re-drive */
	struct rpl_mscript scr;		/* this file's */
	bool relay_set;
	const char *relay_spec;		/* --msrp-relay as given */
	struct net_addr relay;		/* checked by rmsrp_setup */
	size_t shown;
};

void rmsrp_init(struct rmsrp *m);
void rmsrp_fini(struct rmsrp *m);
/* --msrp-relay HOST:PORT: 1 consumed, 0 not ours, -1 bad value. */
int rmsrp_cli_arg(struct rmsrp *m, int argc, char **argv, int *i);
/* The relay checked like the SIP target (loopback unless remote): 0, or
 * 2 with a line on stderr. */
int rmsrp_setup(struct rmsrp *m, bool remote);
void rmsrp_session(struct rmsrp *m, const char *file,
		   const struct rpl_msrp_rec *rec);
void rmsrp_req(struct rmsrp *m, const struct rpl_msrp_req *q);
/* The first sessions, one line each. */
void rmsrp_print(const struct rmsrp *m);

struct rmsrp_opts {
	const struct rpl_acct *accts;
	size_t nacct;
	double speed;			/* 0: as fast as possible */
	uint64_t step_timeout_us;	/* 0: 8 s */
	struct rpl_canaries *can;	/* P13: content sent; NULL */
};
/* Re-drive this file's sessions against the --msrp-relay: one "msrp"
 * check each, msrp_live_* metrics, then the file's script is emptied. */
void rmsrp_run(struct rmsrp *m, struct rep_summary *sum, const char *file,
	       const struct rmsrp_opts *o);
/* The same against the platform's MSRP relay core in process (virtual
 * time; accounts made for the captured users, o->accts unused): "msrp
 * inproc" checks, msrp_inproc_* metrics. */
void rmsrp_run_inproc(struct rmsrp *m, struct rep_summary *sum,
		      const char *file, const struct rmsrp_opts *o);

#endif
