/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refctl's shared state and helpers, between refctl.c (options, dispatch,
 * listings, purge, export, bench) and refctl_acct.c (account and purchase
 * commands). Not a library API: both files are refctl's main program.
 */
#ifndef APP_REFCTL_H
#define APP_REFCTL_H

#include <stdint.h>
#include <jansson.h>
#include "base/cfg.h"
#include "policy/policy.h"
#include "store/store.h"

#define EXIT_BAD 2

struct ctl {
	struct cfg cfg;
	const char *cfg_path;
	const char *data_dir;
	const char *domain;
	const char *policy_path;
	struct policy pol;
	int have_pol;
	struct store *st;
	/* Options after the command words. */
	int json;
	const char *opt_user, *opt_password, *opt_password_file, *opt_email,
		   *opt_display, *opt_amount, *opt_name, *opt_address,
		   *opt_now, *opt_cdrs, *opt_messages, *opt_traces, *opt_batch,
		   *opt_at, *opt_token, *opt_ttl;
	int opt_voicemail, opt_pgp, opt_ack;
	const char *arg;	/* the positional USER@DOMAIN */
	json_t *arr;		/* --json accumulator */
};

#define T(us, b) store_time_iso((us), (b), sizeof(b))

/* One-line "refctl: ..." error on stderr; returns EXIT_BAD. */
int ctl_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A store failure: what, errno text and the store's message; returns 1. */
int ctl_fail(struct ctl *c, const char *what, int err);
int64_t ctl_now_us(void);
/* Options a command accepts (space-separated names without "--"). */
int ctl_only(struct ctl *c, const char *cmd, const char *allowed);
/* 1 if s looks like USER@DOMAIN. */
int ctl_aor_ok(const char *s);
int ctl_open_store(struct ctl *c);
int ctl_load_policy(struct ctl *c);
/* Append j (taken) to the --json array; ENOMEM. */
int ctl_emit(struct ctl *c, json_t *j);

/* refctl_acct.c */
int ctl_account_add(struct ctl *c);
int ctl_account_delete(struct ctl *c);
int ctl_account_recover(struct ctl *c);
int ctl_account_reset(struct ctl *c);
int ctl_account_list(struct ctl *c);
int ctl_purchase_add(struct ctl *c);
int ctl_purchase_list(struct ctl *c);

/* refctl_vm.c */
int ctl_voicemail_list(struct ctl *c);
int ctl_voicemail_delete(struct ctl *c);

#endif
