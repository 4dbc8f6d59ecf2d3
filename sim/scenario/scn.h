/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scenario language (.scn, SPEC.md "Scenario language"): one statement
 * a line, `#` comments, positional arguments then `key=value` options,
 * double-quoted strings with \" and \\ escapes. The parser checks every
 * verb, argument and option against a table and resolves account names:
 * a scenario that parses is one the runner can execute step by step.
 * Errors come back as one line "FILE:LINE: reason" (exit 2 at the CLI).
 *
 * Verbs beyond SPEC.md's core set are extensions documented in the table
 * in scn.c (publish, conference, file, voicemail, buddies, push, unregister,
 * policy, audit, expect row/registered, link, nat). This file does not run
 * anything: sim/scenario/run*.c does.
 */
#ifndef SCENARIO_SCN_H
#define SCENARIO_SCN_H

#include <stddef.h>
#include <stdint.h>
#include "base/pl.h"

enum scn_verb {
	SCN_TITLE = 0,
	SCN_ACCOUNT,
	SCN_REGISTER,
	SCN_UNREGISTER,
	SCN_CALL,
	SCN_MESSAGE,
	SCN_CHAT,
	SCN_SUBSCRIBE,
	SCN_PUBLISH,
	SCN_CONFERENCE,
	SCN_FILE,
	SCN_VOICEMAIL,
	SCN_BUDDIES,
	SCN_PRESRULES,
	SCN_PUSH,
	SCN_PURCHASE,
	SCN_DELETE,
	SCN_ADVANCE,
	SCN_PURGE,
	SCN_POLICY,
	SCN_AUDIT,
	SCN_LINK,
	SCN_NAT,
	SCN_LAN,
	SCN_EXPECT_CDR,
	SCN_EXPECT_TRACE,
	SCN_EXPECT_STORED,
	SCN_EXPECT_WIRE,
	SCN_EXPECT_MESSAGE,
	SCN_EXPECT_ACCOUNT,
	SCN_EXPECT_ROW,
	SCN_EXPECT_REGISTERED,
	SCN_VERB_CNT
};

struct scn_opt {
	char *key;
	char *val;		/* unquoted */
};

struct scn_step {
	enum scn_verb verb;
	unsigned line;
	size_t argc;
	char **argv;		/* positional arguments, unquoted */
	size_t optc;
	struct scn_opt *opts;
	uint64_t dur_us;	/* advance: the duration */
};

struct scn {
	char *file;		/* as given to the parser */
	char *title;		/* NULL when none */
	struct scn_step *steps;
	size_t cnt;
	char **accounts;	/* declared names, declaration order */
	size_t acct_cnt;
};

/*
 * Parse text (len bytes, need not be NUL-terminated) named file. On
 * success *sp owns the scenario. On EBADMSG err holds
 * "FILE:LINE: reason"; ENOMEM otherwise.
 */
int scn_parse(struct scn **sp, const char *file, const char *text,
	      size_t len, char *err, size_t errsz);
/* Read and parse a file: ENOENT/EACCES/EISDIR (err says so), EBADMSG. */
int scn_load(struct scn **sp, const char *path, char *err, size_t errsz);
void scn_free(struct scn *s);

/* Value of option key in step, NULL when absent. */
const char *scn_opt(const struct scn_step *st, const char *key);
/* Option as unsigned / duration; dflt when absent (parser validated). */
uint64_t scn_opt_u64(const struct scn_step *st, const char *key,
		     uint64_t dflt);
uint64_t scn_opt_dur_us(const struct scn_step *st, const char *key,
			uint64_t dflt_us);
/* Verb as written ("expect cdr", "call", ...). */
const char *scn_verb_name(enum scn_verb v);

/*
 * Duration "30s", "5m", "2h", "7d", "26w", "7y" (y = 365 d), "250ms", or a
 * sum such as "1h30m". 0, EINVAL (bad syntax or unit), EOVERFLOW.
 */
int scn_duration_parse(const struct pl *s, uint64_t *us);

/* Split a policy row name "P7" / "p7" into 7; EINVAL unless 1..18. */
int scn_row_parse(const char *s, unsigned *row);

#endif
