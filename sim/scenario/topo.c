/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Topology lines of a scenario (topo.h): collected in one pass over the
 * parsed steps, with every range and placement rule checked here so the
 * network drivers can trust what they get. Limits are what keeps a run
 * meaningful and bounded: a one-way delay above 10 s or jitter above 1 s
 * outlasts SIP's timers, 100 % loss carries nothing, a rate below
 * 8 kbit/s cannot carry one SIP message within T1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "scenario/topo.h"

#define DELAY_MAX_US 10000000ULL
#define JITTER_MAX_US 1000000ULL
#define RATE_MIN 8000ULL
#define RATE_MAX 100000000000ULL
#define NAT_TIMEOUT_US 120000000ULL	/* RFC 4787 REQ-5: at least 2 min */

static int fail(char *err, size_t errsz, const struct scn *s, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errsz, const struct scn *s, unsigned line,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errsz)
		return EBADMSG;
	n = snprintf(err, errsz, "%s:%u: ", s->file, line);
	if (n < 0 || (size_t)n >= errsz)
		return EBADMSG;
	va_start(ap, fmt);
	vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return EBADMSG;
}

int scn_loss_parse(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return EINVAL;
	v = strtod(s, &end);
	if (end == s)
		return EINVAL;
	if (!strcmp(end, "%"))
		v /= 100.0;
	else if (*end)
		return EINVAL;
	if (!(v >= 0.0) || v >= 1.0)
		return ERANGE;
	if (v > 0.99)
		return ERANGE;
	*out = v;
	return 0;
}

int scn_rate_parse(const char *s, uint64_t *bps)
{
	static const struct { const char *u; uint64_t m; } units[] = {
		{ "", 1 }, { "bps", 1 }, { "kbps", 1000 }, { "Kbps", 1000 },
		{ "mbps", 1000000 }, { "Mbps", 1000000 },
		{ "gbps", 1000000000 }, { "Gbps", 1000000000 },
	};
	char *end;
	double v;
	size_t i;

	if (!s || !*s || *s == '-')
		return EINVAL;
	v = strtod(s, &end);
	if (end == s)
		return EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].u))
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return EINVAL;
	v *= (double)units[i].m;
	if (!(v >= (double)RATE_MIN) || v > (double)RATE_MAX)
		return ERANGE;
	*bps = (uint64_t)v;
	return 0;
}

static int name_used(const struct scn_topo *t, const char *n, unsigned *line)
{
	size_t i;

	for (i = 0; i < t->nlinks; i++)
		if (!strcmp(t->links[i].name, n))
			return *line = t->links[i].line, 1;
	for (i = 0; i < t->nnats; i++)
		if (!strcmp(t->nats[i].name, n))
			return *line = t->nats[i].line, 1;
	return 0;
}

static struct scn_place *place_get(struct scn_topo *t, const char *acct)
{
	struct scn_place *p;
	size_t i;

	for (i = 0; i < t->nplace; i++)
		if (!strcmp(t->place[i].acct, acct))
			return &t->place[i];
	p = mem_realloc(t->place, (t->nplace + 1) * sizeof(*p));
	if (!p)
		return NULL;
	t->place = p;
	p = &p[t->nplace++];
	p->acct = acct;
	p->link = p->nat = -1;
	return p;
}

static int add_link(struct scn_topo *t, const struct scn *s,
		    const struct scn_step *st, char *err, size_t errsz)
{
	const char *loss = scn_opt(st, "loss"), *rate = scn_opt(st, "rate");
	struct scn_link *l;
	int rc;

	l = mem_realloc(t->links, (t->nlinks + 1) * sizeof(*l));
	if (!l)
		return ENOMEM;
	t->links = l;
	l = &l[t->nlinks];
	memset(l, 0, sizeof(*l));
	l->name = st->argv[0];
	l->line = st->line;
	l->delay_us = scn_opt_dur_us(st, "delay", 0);
	l->jitter_us = scn_opt_dur_us(st, "jitter", 0);
	if (l->delay_us > DELAY_MAX_US)
		return fail(err, errsz, s, st->line, "link %s: delay=%s out of "
			    "range (at most 10s one way)", l->name,
			    scn_opt(st, "delay"));
	if (l->jitter_us > JITTER_MAX_US)
		return fail(err, errsz, s, st->line, "link %s: jitter=%s out of "
			    "range (at most 1s)", l->name,
			    scn_opt(st, "jitter"));
	if (loss && (rc = scn_loss_parse(loss, &l->loss)))
		return fail(err, errsz, s, st->line, "link %s: loss=%s %s",
			    l->name, loss, rc == ERANGE ?
			    "out of range (0%..99%: a link that loses "
			    "everything cannot route)" :
			    "is not a percentage (5%) or a fraction (0.05)");
	if (rate && (rc = scn_rate_parse(rate, &l->rate_bps)))
		return fail(err, errsz, s, st->line, "link %s: rate=%s %s",
			    l->name, rate, rc == ERANGE ?
			    "out of range (8kbps..100Gbps)" :
			    "is not a rate (64kbps, 2Mbps, 1Gbps)");
	t->nlinks++;
	return 0;
}

static int add_nat(struct scn_topo *t, const struct scn *s,
		   const struct scn_step *st, char *err, size_t errsz)
{
	static const struct { const char *in, *out; } types[] = {
		{ "full", "full" }, { "cone", "full" },
		{ "address", "address" }, { "restricted", "address" },
		{ "port", "port" }, { "port-restricted", "port" },
		{ "symmetric", "symmetric" },
	};
	const char *ty = scn_opt(st, "type");
	struct scn_nat *n;
	size_t i;

	if (st->argc < 2)
		return fail(err, errsz, s, st->line, "nat %s: nobody is behind "
			    "it (list the accounts after its name)",
			    st->argv[0]);
	n = mem_realloc(t->nats, (t->nnats + 1) * sizeof(*n));
	if (!n)
		return ENOMEM;
	t->nats = n;
	n = &n[t->nnats];
	memset(n, 0, sizeof(*n));
	n->name = st->argv[0];
	n->line = st->line;
	n->type = "port";	/* the common home router */
	for (i = 0; ty && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(ty, types[i].in))
			n->type = types[i].out;
	n->timeout_us = scn_opt_dur_us(st, "timeout", NAT_TIMEOUT_US);
	if (n->timeout_us < 1000000 || n->timeout_us > 86400000000ULL)
		return fail(err, errsz, s, st->line, "nat %s: timeout=%s out "
			    "of range (1s..1d)", n->name,
			    scn_opt(st, "timeout"));
	t->nnats++;
	return 0;
}

/* call mos_min= / mos_max=: a MOS is 1.0 .. 4.5 (G.107 Annex B). */
static int mos_opts(const struct scn *s, const struct scn_step *st,
		    char *err, size_t errsz)
{
	static const char *const keys[] = { "mos_min", "mos_max" };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *v = scn_opt(st, keys[i]);
		char *end;
		double d;

		if (!v)
			continue;
		d = strtod(v, &end);
		if (end == v || *end || !(d >= 1.0 && d <= 4.5))
			return fail(err, errsz, s, st->line, "call: %s=%s is "
				    "not a MOS (1.0..4.5)", keys[i], v);
	}
	return 0;
}

int scn_topo_build(struct scn_topo *t, const struct scn *s, char *err,
		   size_t errsz)
{
	size_t i, k;
	unsigned prev;
	int rc = 0, nlans = 0;

	memset(t, 0, sizeof(*t));
	t->platform_link = -1;
	for (i = 0; i < s->cnt && !rc; i++) {
		const struct scn_step *st = &s->steps[i];
		int is_link = st->verb == SCN_LINK || st->verb == SCN_LAN;

		if (st->verb == SCN_CALL) {
			rc = mos_opts(s, st, err, errsz);
			continue;
		}
		if (!is_link && st->verb != SCN_NAT)
			continue;
		if (name_used(t, st->argv[0], &prev)) {
			rc = fail(err, errsz, s, st->line, "'%s' is already a "
				  "link or nat (line %u)", st->argv[0], prev);
			break;
		}
		if (st->verb == SCN_LAN && nlans == SCN_LAN_MAX) {
			rc = fail(err, errsz, s, st->line, "lan %s: more than "
				  "%d lan lines (what the sim network holds)",
				  st->argv[0], SCN_LAN_MAX);
			break;
		}
		rc = is_link ? add_link(t, s, st, err, errsz) :
			       add_nat(t, s, st, err, errsz);
		if (rc)
			break;
		if (is_link)
			t->links[t->nlinks - 1].lan = st->verb == SCN_LAN ?
						      ++nlans : 0;
		if (st->verb == SCN_LINK && st->argc == 1) {
			if (t->platform_link >= 0) {
				rc = fail(err, errsz, s, st->line, "the "
					  "platform's link is already %s "
					  "(line %u)", t->links[
					  t->platform_link].name, t->links[
					  t->platform_link].line);
				break;
			}
			t->platform_link = (int)t->nlinks - 1;
		}
		for (k = 1; k < st->argc && !rc; k++) {
			struct scn_place *p = place_get(t, st->argv[k]);
			int *slot, idx = is_link ? (int)t->nlinks - 1 :
						   (int)t->nnats - 1;

			if (!p) {
				rc = ENOMEM;
				break;
			}
			slot = is_link ? &p->link : &p->nat;
			if (*slot == idx)
				continue;	/* listed twice on one line */
			if (*slot >= 0)
				rc = fail(err, errsz, s, st->line, "%s is "
					  "already %s %s (line %u): a device "
					  "has one uplink", p->acct, is_link ?
					  "on link" : "behind nat", is_link ?
					  t->links[*slot].name :
					  t->nats[*slot].name, is_link ?
					  t->links[*slot].line :
					  t->nats[*slot].line);
			else
				*slot = idx;
		}
	}
	if (rc)
		scn_topo_fini(t);
	return rc;
}

void scn_topo_fini(struct scn_topo *t)
{
	mem_free(t->links);
	mem_free(t->nats);
	mem_free(t->place);
	memset(t, 0, sizeof(*t));
	t->platform_link = -1;
}

const struct scn_place *scn_topo_find(const struct scn_topo *t,
				      const char *acct)
{
	size_t i;

	for (i = 0; i < t->nplace; i++)
		if (!strcmp(t->place[i].acct, acct))
			return &t->place[i];
	return NULL;
}
