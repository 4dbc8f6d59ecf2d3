/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "meta" object of every summary.json: which command measured, on
 * which machine, when. rep_summary_new() uses it, and so do the perf
 * commands that write their summary.json themselves, so that every plot
 * of `rtcbench report` can say what machine and load its figures come
 * from (issue 8). One place, so the fields cannot drift apart.
 *
 * The load average is read at start: it is what the machine was doing
 * before the measurement, i.e. how much the figures may be disturbed by
 * other jobs on this shared box.
 *
 * Reproducibility: with SOURCE_DATE_EPOCH set the timestamps come from it
 * and the machine fields are left out (two runs give identical files).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "report/summary.h"

int rep_reproducible(time_t *t)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!e || !*e)
		return 0;
	v = strtoll(e, &end, 10);
	if (*end || v < 0)
		return 0;
	*t = (time_t)v;
	return 1;
}

void rep_iso_now(char *out, size_t sz)
{
	time_t t;
	struct tm tm;

	if (!rep_reproducible(&t))
		t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(out, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "model name" of the first CPU (the Arm kernels have none: "unknown"). */
static void cpu_model(char *out, size_t sz)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(out, sz, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !c)
			continue;
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		c[strcspn(c, "\n")] = 0;
		snprintf(out, sz, "%s", c);
		break;
	}
	fclose(f);
}

static int set_str(json_t *o, const char *k, const char *v)
{
	return json_object_set_new(o, k, json_string(v)) ? ENOMEM : 0;
}

int rep_meta_init(json_t *meta, const char *tool)
{
	char ts[32], model[160], mach[400], un[400], host[128], la[64];
	struct utsname u;
	double l[3];
	time_t t;
	long n;

	if (!json_is_object(meta))
		return EINVAL;
	rep_iso_now(ts, sizeof(ts));
	if (set_str(meta, "tool", tool ? tool : "rtcbench") ||
	    set_str(meta, "started", ts))
		return ENOMEM;
	if (rep_reproducible(&t))
		return 0;
	cpu_model(model, sizeof(model));
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (uname(&u)) {
		memset(&u, 0, sizeof(u));
		strcpy(u.sysname, "?");
	}
	if (gethostname(host, sizeof(host)))
		strcpy(host, "unknown");
	host[sizeof(host) - 1] = 0;
	if (getloadavg(l, 3) == 3)
		snprintf(la, sizeof(la), "%.2f %.2f %.2f", l[0], l[1], l[2]);
	else
		snprintf(la, sizeof(la), "unknown");
	snprintf(mach, sizeof(mach), "%s, %ld CPU, %s %s", model, n,
		 u.sysname, u.release);
	snprintf(un, sizeof(un), "%s %s %s %s", u.sysname, u.release,
		 u.version, u.machine);
	if (set_str(meta, "host", host) || set_str(meta, "machine", mach) ||
	    set_str(meta, "uname", un) || set_str(meta, "cpu_model", model) ||
	    json_object_set_new(meta, "cores", json_integer(n)) ||
	    set_str(meta, "loadavg_start", la))
		return ENOMEM;
	return 0;
}

json_t *rep_meta_new(const char *tool)
{
	json_t *m = json_object();

	if (m && rep_meta_init(m, tool)) {
		json_decref(m);
		m = NULL;
	}
	return m;
}

int rep_meta_finish(json_t *meta)
{
	char ts[32];

	rep_iso_now(ts, sizeof(ts));
	return set_str(meta, "finished", ts);
}

char *rep_meta_dumps(json_t *meta)
{
	if (!json_object_get(meta, "finished") && rep_meta_finish(meta))
		return NULL;
	return json_dumps(meta, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
}

void rep_meta_where(json_t *meta, char *out, size_t sz)
{
	const char *mach = json_string_value(json_object_get(meta, "machine"));
	const char *la = json_string_value(json_object_get(meta,
							   "loadavg_start"));

	snprintf(out, sz, "%s%s%s%s", mach ? mach : "machine not recorded",
		 la ? ", load " : "", la ? la : "", la ? " at start" : "");
}
