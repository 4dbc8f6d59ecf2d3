/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `rtcbench perf proxy [--out DIR] [--secs N] [--rates R1,R2..]
 *  [--reg-rate N] [--auth-rate N] [--users N] [--no-kamailio]
 *  [--no-floor]`
 *
 * Issue 3's side-by-side benchmark: refd, then Kamailio 5.6 (Debian
 * `kamailio`, PEERS-NOTES.md flags), each configured as a stateful proxy
 * with an in-memory registrar and record-route, run one after the other
 * under the same SIPp load on loopback:
 *   1. REGISTER/s without auth (users u0..uN-1, REGISTER -> 200 timed);
 *   2. calls/s, INVITE ... BYE through the proxy to a SIPp UAS that
 *      echoes Record-Route, at each offered rate (INVITE -> 200 timed);
 *   3. authenticated REGISTER/s (401, digest MD5 against HA1 in SQLite on
 *      both sides), from a second start with auth on.
 * For every phase: achieved rate, failures, SIPp's response-time p50/p99
 * and the proxy's CPU time per operation (user + system over the phase,
 * all of the server's processes), which is the fair figure once SIPp
 * saturates first. Checks are the targets: refd needs at most
 * half of Kamailio's CPU per operation on all three, and sustains at least
 * Kamailio's call rate (highest offered rate with < 1% failures).
 *
 * Then the physical bound ("floor", perf_proxy_fwd.c): the same three
 * loads through a forwarder that moves the same datagrams with the same
 * driver and no SIP work or storage. Its CPU per operation is the part
 * of every proxy's cost that loopback UDP itself takes; the summary gives
 * it beside the servers' and as a fraction of Kamailio's.
 *
 * Writes DIR/summary.json (SPEC.md) and DIR/proxy_calls.dat (offered
 * rate against achieved calls/s, p50/p99 and CPU per call for both, one
 * row per rate) for the report. Bounded: about 25 s per server.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "app/perf.h"
#include "app/perf_proxy.h"
#include "report/summary.h"

#define MAX_RATES 8
#define PW "bench-Pw-7f3k9q"

static const char *const srv_name[PX_N] = { "refd", "kamailio", "floor" };

struct run {
	struct px_res reg, areg, calls[MAX_RATES], hold;
	bool done;
};

#define HOLD_S 3	/* bench_uac_hold.xml's pause */

struct opts {
	const char *out;
	unsigned secs, reg_rate, auth_rate, users, nrates, hold_rate;
	unsigned rates[MAX_RATES];
	bool kam, floor;
};

static int usage(const char *why)
{
	if (why)
		fprintf(stderr, "rtcbench perf proxy: %s\n", why);
	fprintf(why ? stderr : stdout,
		"usage: rtcbench perf proxy [--out DIR] [--secs N] "
		"[--rates R1,R2,..]\n"
		"       [--reg-rate N] [--auth-rate N] [--users N] "
		"[--hold-rate N] [--no-kamailio] [--no-floor]\n");
	return why ? 2 : 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->out = "results/latest";
	o->secs = 3;
	o->reg_rate = 4000;
	o->auth_rate = 2000;
	o->users = 200;
	o->hold_rate = 200;
	o->kam = true;
	o->floor = true;
	o->nrates = 4;
	o->rates[0] = 250;
	o->rates[1] = 500;
	o->rates[2] = 1000;
	o->rates[3] = 2000;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned *u = NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return usage(NULL) - 1;
		if (!strcmp(a, "--no-kamailio")) {
			o->kam = false;
			continue;
		}
		if (!strcmp(a, "--no-floor")) {
			o->floor = false;
			continue;
		}
		if (!v)
			return usage("an option is missing its value");
		i++;
		if (!strcmp(a, "--out")) {
			o->out = v;
			continue;
		}
		if (!strcmp(a, "--rates")) {
			char *s = strdup(v), *t, *sv;

			o->nrates = 0;
			for (t = strtok_r(s, ",", &sv); t && o->nrates < MAX_RATES;
			     t = strtok_r(NULL, ",", &sv)) {
				o->rates[o->nrates] = (unsigned)strtoul(t, NULL, 10);
				if (!o->rates[o->nrates] ||
				    o->rates[o->nrates] > 50000) {
					free(s);
					return usage("--rates wants 1-50000, "
						     "comma separated");
				}
				o->nrates++;
			}
			free(s);
			if (!o->nrates)
				return usage("--rates is empty");
			continue;
		}
		if (!strcmp(a, "--secs"))
			u = &o->secs;
		else if (!strcmp(a, "--reg-rate"))
			u = &o->reg_rate;
		else if (!strcmp(a, "--auth-rate"))
			u = &o->auth_rate;
		else if (!strcmp(a, "--users"))
			u = &o->users;
		else if (!strcmp(a, "--hold-rate"))
			u = &o->hold_rate;
		if (!u)
			return usage("unknown option");
		*u = (unsigned)strtoul(v, NULL, 10);
		if (!*u || *u > 100000)
			return usage("a count must be 1-100000");
	}
	if (o->secs > 20)
		return usage("--secs is at most 20 (bounded benchmark)");
	return 0;
}

static int write_csv(const char *path, const char *head, unsigned n,
		     bool with_auth)
{
	FILE *f = fopen(path, "w");
	unsigned i;

	if (!f)
		return errno;
	fprintf(f, "SEQUENTIAL\n");
	if (head)
		fprintf(f, "%s\n", head);
	for (i = 0; !head && i < n; i++) {
		if (with_auth)
			fprintf(f, "u%u;example.test;[authentication "
				"username=u%u password=" PW "]\n", i, i);
		else
			fprintf(f, "u%u;example.test\n", i);
	}
	return fclose(f) ? errno : 0;
}

static void ulong_str(char *b, size_t sz, unsigned long v)
{
	snprintf(b, sz, "%lu", v);
}

/* One load phase of SIPp; name names its folder. */
static void phase(const struct px_srv *s, const char *base, const char *name,
		  const char *scn, const char *inf, const char *opt,
		  const char *val, unsigned rate, unsigned secs,
		  struct px_res *r)
{
	char dir[760], sr[24], sm[24], sl[24], p[24];
	const char *x[20];
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	ulong_str(sr, sizeof(sr), rate);
	ulong_str(sm, sizeof(sm), (unsigned long)rate * secs);
	ulong_str(sl, sizeof(sl), (unsigned long)rate * 4 + 10);
	/* The callee registers from the port its UAS will answer on: refd
	 * sends to where a REGISTER came from (NAT-friendly), Kamailio to
	 * the Contact; both are that port then. */
	ulong_str(p, sizeof(p), s->port + (strcmp(name, "callee") ? 2u : 1u));
	x[n++] = "-p";
	x[n++] = p;
	x[n++] = "-inf";
	x[n++] = inf;
	x[n++] = "-r";
	x[n++] = sr;
	x[n++] = "-m";
	x[n++] = sm;
	x[n++] = "-l";
	x[n++] = sl;
	if (!strcmp(opt, "-key"))	/* -key contact HOST:PORT */
		x[n++] = opt, x[n++] = "contact";
	else
		x[n++] = opt;
	x[n++] = val;
	x[n] = NULL;
	if (px_sipp(s, dir, scn, x, secs + 15.0, r))
		fprintf(stderr, "perf proxy: %s %s: SIPp measured nothing "
			"(see %s)\n", srv_name[s->kind], name, dir);
}

static void line(const char *who, const char *what, const struct px_res *r)
{
	double rate = r->wall_s > 0 ? (double)r->ok / r->wall_s : 0;

	printf("  %-9s %-18s %7.0f/s  failed %-5llu p50 %5.1f ms  p99 %5.1f "
	       "ms  cpu %6.1f us/op\n", who, what, rate,
	       (unsigned long long)r->failed, r->p50_ms, r->p99_ms,
	       r->ok ? 1e6 * r->cpu_s / (double)r->ok : 0);
}

static double mem_per_call(const struct opts *o, const struct px_res *r)
{
	double up = (double)o->hold_rate * HOLD_S;

	return r->ran && up > 0 && r->pss_peak_kb > r->pss_base_kb ?
	       (r->pss_peak_kb - r->pss_base_kb) / up : 0;
}

/* Everything one server does: plain start, REGISTER, calls; auth start,
 * authenticated REGISTER. */
static int bench_one(enum px_kind k, const struct opts *o, const char *dir,
		     uint16_t port, struct run *out)
{
	char sub[700], inf[3][760], key[40], rn[32], udir[760];
	struct px_srv s;
	struct px_res cal;
	pid_t uas;
	unsigned i;
	int e;

	snprintf(sub, sizeof(sub), "%s/%s", dir, srv_name[k]);
	if (mkdir(sub, 0700) && errno != EEXIST)
		return errno;
	snprintf(inf[0], sizeof(inf[0]), "%s/users.csv", sub);
	snprintf(inf[1], sizeof(inf[1]), "%s/auth.csv", sub);
	snprintf(inf[2], sizeof(inf[2]), "%s/svc.csv", sub);
	if ((e = write_csv(inf[0], NULL, o->users, false)) ||
	    (e = write_csv(inf[1], NULL, o->users, true)) ||
	    (e = write_csv(inf[2], "service;example.test", 0, false)))
		return e;
	snprintf(key, sizeof(key), "127.0.0.1:%u", port + 1);
	snprintf(sub, sizeof(sub), "%s/%s/plain", dir, srv_name[k]);
	if ((e = px_start(&s, k, false, sub, port, o->users, PW)))
		return e;
	/* The callee: the UAS registers as "service". */
	phase(&s, sub, "callee", "bench_reg.xml", inf[2], "-key", key, 1, 1,
	      &cal);
	snprintf(udir, sizeof(udir), "%s/uas", sub);
	uas = px_uas(udir, port + 1);
	phase(&s, sub, "register", "bench_reg.xml", inf[0], "-key",
	      "127.0.0.1:9", o->reg_rate, o->secs, &out->reg);
	line(srv_name[k], "REGISTER", &out->reg);
	snprintf(inf[2], sizeof(inf[2]), "%s/%s/uac.csv", dir, srv_name[k]);
	if ((e = write_csv(inf[2], "alice;example.test", 0, false))) {
		px_kill(uas);
		px_stop(&s);
		return e;
	}
	for (i = 0; i < o->nrates; i++) {
		char what[32];

		snprintf(rn, sizeof(rn), "calls-%u", o->rates[i]);
		phase(&s, sub, rn, "bench_uac.xml", inf[2], "-s", "service",
		      o->rates[i], o->secs, &out->calls[i]);
		snprintf(what, sizeof(what), "calls @%u/s", o->rates[i]);
		line(srv_name[k], what, &out->calls[i]);
	}
	/* Memory per concurrent call: calls held HOLD_S, so about
	 * hold_rate * HOLD_S are up at the peak. */
	phase(&s, sub, "hold", "bench_uac_hold.xml", inf[2], "-s", "service",
	      o->hold_rate, o->secs + HOLD_S, &out->hold);
	printf("  %-9s %-18s %7.0f calls up  %6.2f kB/call (PSS %.0f -> "
	       "%.0f kB)\n", srv_name[k], "calls held 3 s",
	       (double)o->hold_rate * HOLD_S, mem_per_call(o, &out->hold),
	       out->hold.pss_base_kb, out->hold.pss_peak_kb);
	px_kill(uas);
	px_stop(&s);
	snprintf(sub, sizeof(sub), "%s/%s/auth", dir, srv_name[k]);
	if ((e = px_start(&s, k, true, sub, port, o->users, PW)))
		return e;
	phase(&s, sub, "register", "bench_reg_auth.xml", inf[1], "-key",
	      "127.0.0.1:9", o->auth_rate, o->secs, &out->areg);
	line(srv_name[k], "REGISTER + digest", &out->areg);
	px_stop(&s);
	out->done = true;
	return 0;
}

/* The physical bound: REGISTER and calls through the forwarder, then
 * REGISTER with its 401 round trip. */
static int bench_floor(const struct opts *o, const char *dir, uint16_t port,
		       struct run *out)
{
	char sub[700], inf[2][760], rn[32], udir[760];
	struct px_srv s;
	pid_t uas;
	unsigned i;
	int e;

	snprintf(sub, sizeof(sub), "%s/floor", dir);
	if (px_mkdir(sub))
		return errno;
	snprintf(inf[0], sizeof(inf[0]), "%s/users.csv", sub);
	snprintf(inf[1], sizeof(inf[1]), "%s/uac.csv", sub);
	if ((e = write_csv(inf[0], NULL, o->users, false)) ||
	    (e = write_csv(inf[1], "alice;example.test", 0, false)))
		return e;
	snprintf(sub, sizeof(sub), "%s/floor/plain", dir);
	if ((e = px_fwd_start(&s, false, sub, port)))
		return e;
	snprintf(udir, sizeof(udir), "%s/uas", sub);
	uas = px_uas(udir, port + 1);
	phase(&s, sub, "register", "bench_reg.xml", inf[0], "-key",
	      "127.0.0.1:9", o->reg_rate, o->secs, &out->reg);
	line("floor", "REGISTER", &out->reg);
	for (i = 0; i < o->nrates; i++) {
		char what[32];

		snprintf(rn, sizeof(rn), "calls-%u", o->rates[i]);
		phase(&s, sub, rn, "bench_uac.xml", inf[1], "-s", "service",
		      o->rates[i], o->secs, &out->calls[i]);
		snprintf(what, sizeof(what), "calls @%u/s", o->rates[i]);
		line("floor", what, &out->calls[i]);
	}
	px_kill(uas);
	px_stop(&s);
	snprintf(inf[1], sizeof(inf[1]), "%s/floor/auth.csv", dir);
	if ((e = write_csv(inf[1], NULL, o->users, true)))
		return e;
	snprintf(sub, sizeof(sub), "%s/floor/auth", dir);
	if ((e = px_fwd_start(&s, true, sub, port)))
		return e;
	phase(&s, sub, "register", "bench_reg_auth.xml", inf[1], "-key",
	      "127.0.0.1:9", o->auth_rate, o->secs, &out->areg);
	line("floor", "REGISTER + digest", &out->areg);
	px_stop(&s);
	out->done = true;
	return 0;
}

static double rate_of(const struct px_res *r)
{
	return r->wall_s > 0 ? (double)r->ok / r->wall_s : 0;
}

static double cpu_us(const struct px_res *r)
{
	return r->ok ? 1e6 * r->cpu_s / (double)r->ok : 0;
}

static bool clean(const struct px_res *r)
{
	return r->ran && r->ok && (double)r->failed < 0.01 *
	       (double)(r->ok + r->failed);
}

/* Highest achieved calls/s among the clean runs. */
static double max_cps(const struct run *r, unsigned n)
{
	double best = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		if (clean(&r->calls[i]) && rate_of(&r->calls[i]) > best)
			best = rate_of(&r->calls[i]);
	return best;
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

struct chk {
	char name[64];
	bool ok;
	char detail[200];
};

/* fl: the floor's figure for the same load (NULL: not run). */
static void cpu_check(struct chk *c, const char *what, const struct px_res *a,
		      const struct px_res *b, const struct px_res *fl)
{
	double ca = cpu_us(a), cb = cpu_us(b);
	int n;

	snprintf(c->name, sizeof(c->name), "proxy_cpu_half_%s", what);
	c->ok = clean(a) && clean(b) && cb > 0 && ca <= 0.5 * cb;
	n = snprintf(c->detail, sizeof(c->detail), "refd %.1f us/op vs "
		     "kamailio %.1f us/op (ratio %.2f, target <= 0.50)", ca,
		     cb, cb > 0 ? ca / cb : 0);
	if (fl && fl->ran && n > 0 && (size_t)n < sizeof(c->detail))
		snprintf(c->detail + n, sizeof(c->detail) - (size_t)n,
			 "; floor %.1f us/op = %.2f of kamailio's",
			 cpu_us(fl), ratio(cpu_us(fl), cb));
}

static void metrics(FILE *f, const char *who, const struct run *r,
		    const struct opts *o)
{
	unsigned i;

	fprintf(f, ",\n  \"proxy_%s_register_per_s\": %.0f, \"proxy_%s_"
		"register_cpu_us\": %.2f, \"proxy_%s_register_p99_ms\": %.1f, "
		"\"proxy_%s_register_failed\": %llu", who, rate_of(&r->reg),
		who, cpu_us(&r->reg), who, r->reg.p99_ms, who,
		(unsigned long long)r->reg.failed);
	fprintf(f, ",\n  \"proxy_%s_auth_register_per_s\": %.0f, \"proxy_%s_"
		"auth_register_cpu_us\": %.2f, \"proxy_%s_auth_register_p99_"
		"ms\": %.1f, \"proxy_%s_auth_register_failed\": %llu", who,
		rate_of(&r->areg), who, cpu_us(&r->areg), who, r->areg.p99_ms,
		who, (unsigned long long)r->areg.failed);
	for (i = 0; i < o->nrates; i++) {
		const struct px_res *c = &r->calls[i];

		fprintf(f, ",\n  \"proxy_%s_calls_%u_per_s\": %.0f, \"proxy_%s"
			"_calls_%u_cpu_us\": %.2f, \"proxy_%s_calls_%u_p50_ms\":"
			" %.1f, \"proxy_%s_calls_%u_p99_ms\": %.1f, \"proxy_%s_"
			"calls_%u_failed\": %llu", who, o->rates[i], rate_of(c),
			who, o->rates[i], cpu_us(c), who, o->rates[i],
			c->p50_ms, who, o->rates[i], c->p99_ms, who,
			o->rates[i], (unsigned long long)c->failed);
	}
	fprintf(f, ",\n  \"proxy_%s_calls_max_per_s\": %.0f", who,
		max_cps(r, o->nrates));
	fprintf(f, ",\n  \"proxy_%s_mem_per_call_kb\": %.3f, \"proxy_%s_"
		"hold_failed\": %llu", who, mem_per_call(o, &r->hold), who,
		(unsigned long long)r->hold.failed);
}

/* The floor's CPU per operation, and as a fraction of Kamailio's and of
 * refd's: how much of their cost loopback UDP alone takes. */
static void floor_metrics(FILE *f, const struct run *r, const struct opts *o)
{
	const struct run *fl = &r[PX_FWD];
	unsigned i;

	fprintf(f, ",\n  \"proxy_floor_register_cpu_us\": %.2f, \"proxy_"
		"floor_auth_register_cpu_us\": %.2f", cpu_us(&fl->reg),
		cpu_us(&fl->areg));
	for (i = 0; i < o->nrates; i++)
		fprintf(f, ",\n  \"proxy_floor_calls_%u_per_s\": %.0f, "
			"\"proxy_floor_calls_%u_cpu_us\": %.2f, \"proxy_floor_"
			"calls_%u_failed\": %llu", o->rates[i],
			rate_of(&fl->calls[i]), o->rates[i],
			cpu_us(&fl->calls[i]), o->rates[i],
			(unsigned long long)fl->calls[i].failed);
	for (i = 0; i < 2; i++) {
		const struct run *x = &r[i ? PX_KAM : PX_REFD];
		const char *w = i ? "kamailio" : "refd";

		if (!x->done)
			continue;
		fprintf(f, ",\n  \"proxy_floor_share_%s_register\": %.3f, "
			"\"proxy_floor_share_%s_auth_register\": %.3f", w,
			ratio(cpu_us(&fl->reg), cpu_us(&x->reg)), w,
			ratio(cpu_us(&fl->areg), cpu_us(&x->areg)));
		if (o->nrates)
			fprintf(f, ", \"proxy_floor_share_%s_calls\": %.3f", w,
				ratio(cpu_us(&fl->calls[o->nrates - 1]),
				      cpu_us(&x->calls[o->nrates - 1])));
	}
}

static int write_out(const struct opts *o, const struct run *r,
		     const struct chk *c, unsigned nc, json_t *meta)
{
	char path[700], *mj;
	unsigned i, pass = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proxy_calls.dat", o->out);
	f = fopen(path, "w");
	if (!f)
		return errno;
	fprintf(f, "# offered_cps refd_cps refd_p50_ms refd_p99_ms "
		"refd_cpu_us kamailio_cps kamailio_p50_ms kamailio_p99_ms "
		"kamailio_cpu_us floor_cps floor_cpu_us\n");
	for (i = 0; i < o->nrates; i++)
		fprintf(f, "%u %.0f %.1f %.1f %.1f %.0f %.1f %.1f %.1f %.0f "
			"%.1f\n", o->rates[i], rate_of(&r[0].calls[i]),
			r[0].calls[i].p50_ms, r[0].calls[i].p99_ms,
			cpu_us(&r[0].calls[i]), rate_of(&r[1].calls[i]),
			r[1].calls[i].p50_ms, r[1].calls[i].p99_ms,
			cpu_us(&r[1].calls[i]), rate_of(&r[PX_FWD].calls[i]),
			cpu_us(&r[PX_FWD].calls[i]));
	fclose(f);
	snprintf(path, sizeof(path), "%s/summary.json", o->out);
	f = fopen(path, "w");
	if (!f)
		return errno;
	for (i = 0; i < nc; i++)
		pass += c[i].ok;
	fprintf(f, "{ \"passed\": %u, \"failed\": %u, \"checks\": [", pass,
		nc - pass);
	for (i = 0; i < nc; i++)
		fprintf(f, "%s\n  {\"name\": \"%s\", \"ok\": %s, \"detail\": "
			"\"%s\"}", i ? "," : "", c[i].name,
			c[i].ok ? "true" : "false", c[i].detail);
	fprintf(f, "],\n \"metrics\": {\"proxy_secs_per_phase\": %u",
		o->secs);
	metrics(f, "refd", &r[0], o);
	if (r[1].done) {
		metrics(f, "kamailio", &r[1], o);
		fprintf(f, ",\n  \"proxy_cpu_ratio_register\": %.3f, "
			"\"proxy_cpu_ratio_auth_register\": %.3f",
			cpu_us(&r[1].reg) > 0 ? cpu_us(&r[0].reg) /
			cpu_us(&r[1].reg) : 0, cpu_us(&r[1].areg) > 0 ?
			cpu_us(&r[0].areg) / cpu_us(&r[1].areg) : 0);
	}
	if (r[PX_FWD].done)
		floor_metrics(f, r, o);
	/* machine, load at start and dates: the same fields as every
	 * summary (report/meta.c), for the report's plot captions */
	mj = rep_meta_dumps(meta);
	fprintf(f, "},\n \"meta\": %s}\n", mj ? mj : "{}");
	free(mj);
	return fclose(f) ? errno : 0;
}

int perf_proxy(int argc, char **argv)
{
	static struct run r[PX_N];
	struct chk c[16];
	struct opts o;
	unsigned nc = 0, i, best = 0;
	uint16_t port = (uint16_t)(30000 + (getpid() % 400) * 20);
	json_t *meta;
	int e, k;

	if ((e = parse(argc, argv, &o)))
		return e < 0 ? 0 : e;
	if (access("bin/refd", X_OK) || access(px_sipp_dir, R_OK)) {
		fprintf(stderr, "rtcbench perf proxy: run from the project "
			"folder after make (bin/refd, %s)\n", px_sipp_dir);
		return 2;
	}
	if (system("command -v sipp >/dev/null 2>&1")) {
		fprintf(stderr, "rtcbench perf proxy: sipp is not installed "
			"(make deps)\n");
		return 2;
	}
	if (o.kam && system("command -v kamailio >/dev/null 2>&1")) {
		fprintf(stderr, "rtcbench perf proxy: kamailio is not "
			"installed (make deps); --no-kamailio runs refd "
			"alone\n");
		return 2;
	}
	if (mkdir(o.out, 0755) && errno != EEXIST) {
		char cmd[800];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", o.out);
		if (system(cmd))
			return 2;
	}
	meta = rep_meta_new("perf proxy");
	printf("perf proxy: %u s per phase, REGISTER at %u/s, digest at "
	       "%u/s, calls at", o.secs, o.reg_rate, o.auth_rate);
	for (i = 0; i < o.nrates; i++)
		printf(" %u", o.rates[i]);
	printf("/s\n");
	for (k = 0; k < PX_N; k++) {
		if ((k == PX_KAM && !o.kam) || (k == PX_FWD && !o.floor))
			continue;
		e = k == PX_FWD ? bench_floor(&o, o.out, port, &r[k]) :
		    bench_one((enum px_kind)k, &o, o.out, port, &r[k]);
		if (e) {
			fprintf(stderr, "perf proxy: %s: %s\n", srv_name[k],
				strerror(e));
			snprintf(c[nc].name, sizeof(c[nc].name),
				 "proxy_%s_ran", srv_name[k]);
			c[nc].ok = false;
			snprintf(c[nc++].detail, sizeof(c[0].detail),
				 "could not run: %s", strerror(e));
		}
	}
	for (k = 0; k < PX_N; k++) {
		if (!r[k].done)
			continue;
		snprintf(c[nc].name, sizeof(c[nc].name),
			 "proxy_%s_register_clean", srv_name[k]);
		c[nc].ok = clean(&r[k].reg) && clean(&r[k].areg);
		snprintf(c[nc++].detail, sizeof(c[0].detail),
			 "REGISTER failed %llu of %llu, with digest %llu of "
			 "%llu (< 1%%)", (unsigned long long)r[k].reg.failed,
			 (unsigned long long)(r[k].reg.ok + r[k].reg.failed),
			 (unsigned long long)r[k].areg.failed,
			 (unsigned long long)(r[k].areg.ok + r[k].areg.failed));
	}
	if (r[0].done && r[1].done) {
		cpu_check(&c[nc++], "register", &r[0].reg, &r[1].reg,
			  r[PX_FWD].done ? &r[PX_FWD].reg : NULL);
		cpu_check(&c[nc++], "auth_register", &r[0].areg, &r[1].areg,
			  r[PX_FWD].done ? &r[PX_FWD].areg : NULL);
		/* calls: the highest rate both ran clean */
		for (i = 0; i < o.nrates; i++)
			if (clean(&r[0].calls[i]) && clean(&r[1].calls[i]))
				best = i + 1;
		if (best)
			cpu_check(&c[nc++], "calls", &r[0].calls[best - 1],
				  &r[1].calls[best - 1], r[PX_FWD].done ?
				  &r[PX_FWD].calls[best - 1] : NULL);
		snprintf(c[nc].name, sizeof(c[nc].name),
			 "proxy_calls_rate_at_least_kamailio");
		c[nc].ok = max_cps(&r[0], o.nrates) > 0 &&
			   max_cps(&r[0], o.nrates) >=
			   0.98 * max_cps(&r[1], o.nrates);
		snprintf(c[nc++].detail, sizeof(c[0].detail),
			 "refd %.0f calls/s vs kamailio %.0f calls/s (< 1%% "
			 "failed, same offered rates)", max_cps(&r[0], o.nrates),
			 max_cps(&r[1], o.nrates));
	}
	e = write_out(&o, r, c, nc, meta);
	json_decref(meta);
	if (e) {
		fprintf(stderr, "perf proxy: %s: %s\n", o.out, strerror(e));
		return 2;
	}
	for (i = 0, e = 0; i < nc; i++) {
		printf("%s %s (%s)\n", c[i].ok ? "ok  " : "FAIL", c[i].name,
		       c[i].detail);
		e += !c[i].ok;
	}
	printf("perf proxy: %u passed, %d failed; %s/summary.json, "
	       "%s/proxy_calls.dat\n", nc - (unsigned)e, e, o.out, o.out);
	return e ? 1 : 0;
}
