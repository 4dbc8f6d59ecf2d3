/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay: MSRP sessions in the report (msrp_sessions[] of
 * summary.json, a line each on stdout), the --msrp-relay option and the
 * re-drive script kept per file (replay_msrp.h). The re-drive itself is
 * replay_msrp_run.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "app/replay_live.h"
#include "app/replay_msrp.h"
#include "base/mem.h"

#define SHOW_MAX 8

void rmsrp_init(struct rmsrp *m)
{
	memset(m, 0, sizeof(*m));
	m->sessions = json_array();
	rpl_mscript_init(&m->scr);
}

void rmsrp_fini(struct rmsrp *m)
{
	json_decref(m->sessions);
	rpl_mscript_fini(&m->scr);
}

int rmsrp_cli_arg(struct rmsrp *m, int argc, char **argv, int *i)
{
	char err[200];

	if (strcmp(argv[*i], "--msrp-relay"))
		return 0;
	if (*i + 1 >= argc)
		return -1;
	m->relay_spec = argv[++*i];
	if (rlive_target(m->relay_spec, NET_TCP, true, &m->relay, err,
			 sizeof(err)))
		return -1;
	m->relay_set = true;
	m->collect = true;
	return 1;
}

int rmsrp_setup(struct rmsrp *m, bool remote)
{
	char err[300];

	if (!m->relay_set ||
	    !rlive_target(m->relay_spec, NET_TCP, remote, &m->relay, err,
			  sizeof(err)))
		return 0;
	/* rlive_target names the option --target */
	fprintf(stderr, "rtcbench replay: --msrp-relay: %s\n", err);
	return 2;
}

static json_t *iso_or_null(uint64_t us)
{
	time_t t = (time_t)(us / 1000000u);
	struct tm tm;
	char b[48];

	if (!us || !gmtime_r(&t, &tm))
		return json_null();
	snprintf(b, sizeof(b), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000u / 1000u));
	return json_string(b);
}

void rmsrp_session(struct rmsrp *m, const char *file,
		   const struct rpl_msrp_rec *r)
{
	json_t *o = json_pack("{s:s, s:[s,s], s:o, s:s, s:[I,I], s:[I,I], "
			      "s:[I,I], s:I, s:I, s:I, s:o, s:o}",
			      "file", file, "ends", r->uri[0], r->uri[1],
			      "call_id", r->call_id ? json_string(r->call_id)
			      : json_null(), "content_types", r->ctypes,
			      "chunks", (json_int_t)r->sends[0],
			      (json_int_t)r->sends[1], "messages",
			      (json_int_t)r->messages[0],
			      (json_int_t)r->messages[1], "bytes",
			      (json_int_t)r->bytes[0],
			      (json_int_t)r->bytes[1], "chunked",
			      (json_int_t)r->chunked, "reports",
			      (json_int_t)r->reports, "hops",
			      (json_int_t)r->hops, "first",
			      iso_or_null(r->first_us), "last",
			      iso_or_null(r->last_us));

	if (o)
		json_array_append_new(m->sessions, o);
}

void rmsrp_req(struct rmsrp *m, const struct rpl_msrp_req *q)
{
	if (m->collect)
		rpl_mscript_add(&m->scr, q);
}

void rmsrp_print(const struct rmsrp *m)
{
	size_t i, n = json_array_size(m->sessions);
	json_t *s, *e, *c;

	for (i = 0; i < n && i < SHOW_MAX; i++) {
		s = json_array_get(m->sessions, i);
		e = json_object_get(s, "ends");
		c = json_object_get(s, "messages");
		printf("  msrp %s <-> %s  %lld+%lld messages, %lld+%lld "
		       "bytes, %s%s%s\n",
		       json_string_value(json_array_get(e, 0)),
		       json_string_value(json_array_get(e, 1)),
		       (long long)json_integer_value(json_array_get(c, 0)),
		       (long long)json_integer_value(json_array_get(c, 1)),
		       (long long)json_integer_value(json_array_get(
			       json_object_get(s, "bytes"), 0)),
		       (long long)json_integer_value(json_array_get(
			       json_object_get(s, "bytes"), 1)),
		       json_string_value(json_object_get(s,
							 "content_types")),
		       json_is_string(json_object_get(s, "call_id")) ?
		       ", SIP " : "",
		       json_is_string(json_object_get(s, "call_id")) ?
		       json_string_value(json_object_get(s, "call_id")) : "");
	}
	if (n > SHOW_MAX)
		printf("  ... %zu more MSRP sessions in summary.json\n",
		       n - SHOW_MAX);
}
