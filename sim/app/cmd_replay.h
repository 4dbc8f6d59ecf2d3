/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay, inside the command: the state of one run shared by
 * its files (cmd_replay.c options and the end of the run, cmd_replay_in.c
 * inputs and MANIFEST, cmd_replay_file.c one capture and its re-drive
 * modes, cmd_replay_out.c model records and printed output).
 */
#ifndef APP_CMD_REPLAY_H
#define APP_CMD_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "app/replay_live.h"
#include "app/replay_msrp.h"
#include "replay/replay.h"
#include "replay/rpl_audit.h"
#include "replay/rpl_vproxy.h"
#include "report/summary.h"

#define MAX_INPUTS 4096

#define MAX_INPUTS 4096

struct expect {
	char file[256];
	char key[64];
	uint64_t val;
	int line;
	bool used;
};

struct run {
	struct rep_summary *sum;
	json_t *calls;		/* calls[] of summary.json */
	json_t *uas;		/* user_agents[] */
	json_t *streams;	/* media_streams[] */
	json_t *files;		/* per-file metrics */
	json_t *fmetrics;	/* metrics of the file being read */
	struct rpl_writer *wr;
	const char *file;
	char *inputs[MAX_INPUTS];
	size_t ninputs;
	struct expect *exp;
	size_t nexp;
	struct rpl_scn_call *scn;	/* calls kept for --scenario */
	size_t nscn;
	bool want_scn;
	unsigned file_idx;
	size_t scn_first;	/* first call of the current file */
	bool inproc;
	bool live;		/* --target HOST:PORT */
	bool msgs;		/* --target inproc --messages */
	struct rlive_opts lo;
	struct rpl_dlgset dset;	/* live: this file's dialogs */
	json_t *dialogs;
	uint32_t frame;
	double speed;
	struct rpl_canaries *can;	/* storage audit (not --target none) */
	struct rmsrp ms;		/* MSRP sessions, re-drive */
	struct rpl_plat plat;	/* inproc: the platform's store and tap */
	char tmp_dir[64];	/* inproc without --data-dir: removed */
	char manifest[4096];
};

/* cmd_replay_in.c: a capture file, or a directory's captures (sorted)
 * and its MANIFEST; 0, or 2 with a line on stderr. */
int rcmd_add_path(struct run *run, const char *path);
/* MANIFEST expectations of file checked against its metrics fm. */
void rcmd_expectations(struct run *run, const char *file, json_t *fm);

/* cmd_replay_out.c: model callbacks (rpl_cfg) into the run's arrays. */
void rcmd_on_call(void *arg, const struct rpl_call_rec *c);
void rcmd_on_ua(void *arg, const struct rpl_ua_rec *u);
void rcmd_on_stream(void *arg, const struct rpl_stream_rec *st);
/* qsort order of kept calls: by file, then by start. */
int rcmd_cmp_start(const void *a, const void *b);
/* --scenario: the kept calls as a .scn; 0 or an errno. */
int rcmd_write_scenario(struct run *run, const char *path, double speed);
/* The one-screen model on stdout. */
void rcmd_print_model(struct run *run);

/* cmd_replay_file.c: one capture dissected and re-driven per the run's
 * target; 0, or 2 when it cannot be opened. */
int rcmd_replay_file(struct run *run, const char *path);

#endif
