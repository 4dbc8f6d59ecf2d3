/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay's storage audit: after the re-drive, every canary the
 * platform was sent (RTP payload samples, REGISTER Contacts, SDES keys,
 * digest responses, MESSAGE bodies, read by the re-drive's tap; MSRP
 * content, sent unchanged, from the capture) is looked
 * for in every file of the platform's data_dir (--data-dir DIR, or the
 * in-process platform's temporary one), plain and encoded, and gets a
 * verdict against POLICY.md. Passing rows are capped per policy so one
 * screen stays readable; a failing row is always written, and any failure
 * makes the run exit 1 through the summary. Every verdict is listed in
 * summary.json's "audit" array.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "app/replay_audit.h"

#define SHOW_OK 4		/* passing rows listed per policy */

struct ctx {
	struct rep_summary *sum;
	const char *dir;
	size_t shown[RPL_AUD_POLS], ok[RPL_AUD_POLS], bad[RPL_AUD_POLS];
	json_t *all;		/* every verdict */
};

static void row(void *arg, const struct rpl_aud_row *r)
{
	struct ctx *x = arg;
	char name[32];

	snprintf(name, sizeof(name), "audit %s", r->policy);
	json_array_append_new(x->all, json_pack("{s:s, s:s, s:s, s:b, s:s?, "
		"s:s?, s:I, s:I}", "policy", r->policy, "what", r->what,
		"canary", r->canary, "ok", r->ok, "where", r->where, "encoding",
		r->enc, "offset", (json_int_t)r->offset, "files",
		(json_int_t)r->locations));
	if (r->ok)
		x->ok[r->pol]++;
	else
		x->bad[r->pol]++;
	if (r->ok && x->shown[r->pol] >= SHOW_OK)
		return;
	x->shown[r->pol]++;
	if (r->where)
		rep_summary_check(x->sum, name, r->ok, "%s '%s': found %s in "
				  "%s at offset %llu (%zu file(s))%s", r->what,
				  r->canary, r->enc, r->where,
				  (unsigned long long)r->offset, r->locations,
				  r->ok ? "" : ": must not be stored");
	else
		rep_summary_check(x->sum, name, r->ok, "%s '%s': not found "
				  "under %s%s", r->what, r->canary, x->dir,
				  r->ok ? "" : ": must be stored");
}

void raud_report(struct rep_summary *sum, struct rpl_canaries *c,
		 const char *dir, const char *why)
{
	struct ctx x = { .sum = sum, .dir = dir, .all = json_array() };
	uint64_t files = 0, bytes = 0;
	size_t p, n = 0;
	int e;

	for (p = 0; p < RPL_AUD_POLS; p++)
		n += rpl_canaries_count(c, p);
	if (!dir) {
		rep_summary_skip(sum, "audit", "skipped: %s (%zu canaries "
				 "from the capture)", why, n);
		printf("audit: skipped: %s\n", why);
		json_decref(x.all);
		return;
	}
	e = rpl_audit_run(c, dir, row, &x, &files, &bytes);
	if (e) {
		rep_summary_check(sum, "audit", false, "%s: %s", dir,
				  strerror(e));
		json_decref(x.all);
		return;
	}
	rep_summary_set(sum, "audit", x.all);
	rep_summary_check(sum, "audit", true, "%s: %llu files, %llu bytes "
			  "scanned for %zu canaries (P12 %zu, P7 %zu, P6 %zu, "
			  "P2 %zu, P10 %zu, P13 %zu), each with a verdict; %zu "
			  "REGISTER Contact(s) left out, also sent in dialogs "
			  "P6 keeps", dir, (unsigned long long)files,
			  (unsigned long long)bytes, n,
			  rpl_canaries_count(c, RPL_AUD_P12),
			  rpl_canaries_count(c, RPL_AUD_P7),
			  rpl_canaries_count(c, RPL_AUD_P6),
			  rpl_canaries_count(c, RPL_AUD_P2),
			  rpl_canaries_count(c, RPL_AUD_P10),
			  rpl_canaries_count(c, RPL_AUD_P13),
			  rpl_canaries_shared(c));
	rep_summary_metric(sum, "audit_contacts_shared",
			   (double)rpl_canaries_shared(c));
	rep_summary_metric(sum, "audit_files", (double)files);
	rep_summary_metric(sum, "audit_canaries", (double)n);
	rep_summary_metric(sum, "audit_verdicts",
			   (double)json_array_size(x.all));
	for (p = 0, n = 0; p < RPL_AUD_POLS; p++)
		n += x.bad[p];
	rep_summary_metric(sum, "audit_failed", (double)n);
	printf("audit: %s: %llu files scanned, P12 %zu/%zu P7 %zu/%zu P6 "
	       "%zu/%zu P2 %zu/%zu P10 %zu/%zu P13 %zu/%zu canaries passed\n",
	       dir, (unsigned long long)files, x.ok[0], x.ok[0] + x.bad[0],
	       x.ok[1], x.ok[1] + x.bad[1], x.ok[2], x.ok[2] + x.bad[2],
	       x.ok[3], x.ok[3] + x.bad[3], x.ok[4], x.ok[4] + x.bad[4],
	       x.ok[5], x.ok[5] + x.bad[5]);
}

int raud_tmpdir(char *buf, size_t sz)
{
	const char *t = getenv("TMPDIR");

	if (!t || !t[0])
		t = "/tmp";
	if ((size_t)snprintf(buf, sz, "%s/rtcbench-replay-XXXXXX", t) >= sz) {
		buf[0] = 0;
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!mkdtemp(buf)) {
		buf[0] = 0;
		return -1;
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int raud_rmdir(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
