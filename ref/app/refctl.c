/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refctl: administration of the platform's stores (SPEC.md). Reads the
 * same INI as refd ([platform] data_dir, policy, domain), opens the store
 * beside a running refd (WAL, busy timeout) and runs one command. Wiring
 * only: every rule lives in ref/store and ref/policy. Bad input gives a
 * one-line error and exit 2; a store failure exit 1. This file holds the
 * options, the dispatch, listings, purge, export and bench; the account
 * and purchase commands are in refctl_acct.c.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>
#include "base/cfg.h"
#include "base/mem.h"
#include "policy/policy.h"
#include "store/store.h"
#include "store/store_json.h"
#include "app/refctl.h"


static void usage(FILE *f)
{
	fprintf(f, "usage: refctl -c FILE COMMAND\n"
		   "  account add USER@DOMAIN (--password P | --password-file F) [--email E]\n"
		   "              [--display NAME] [--voicemail] [--pgp]\n"
		   "  account delete USER@DOMAIN\n"
		   "  account list [--json]\n"
		   "  account recover USER@DOMAIN [--ttl 1h]   ; one-time token\n"
		   "  account reset USER@DOMAIN --token T (--password P | --password-file F)\n"
		   "  purchase add USER@DOMAIN --amount N --name \"...\" --address \"...\"\n"
		   "  purchase list [--json]\n"
		   "  cdr list [--user U] [--json]\n"
		   "  trace list [--user U] [--json]\n"
		   "  message list --user U [--json]\n"
		   "  voicemail list --user U [--json]\n"
		   "  voicemail delete ID --user U\n"
		   "  purge [--now ISO8601]   ; run the retention engine as of that instant\n"
		   "  export --user USER@DOMAIN\n"
		   "  bench [--cdrs N] [--messages N] [--traces N] [--batch K]\n"
		   "        [--at ISO8601] [--user U] [--ack]   ; synthetic load\n");
}

int ctl_bad(const char *fmt, ...)
{
	va_list ap;

	fputs("refctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_BAD;
}

int ctl_fail(struct ctl *c, const char *what, int err)
{
	fprintf(stderr, "refctl: %s: %s%s%s\n", what, strerror(err),
		c->st && store_errmsg(c->st)[0] ? ": " : "",
		c->st ? store_errmsg(c->st) : "");
	return 1;
}

int64_t ctl_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- options ---------------------------------------------------------- */

struct opt {
	const char *name;
	int has_arg;
	size_t off;	/* offsetof into struct ctl */
};

#define O(n, f) { n, 1, offsetof(struct ctl, f) }
#define F(n, f) { n, 0, offsetof(struct ctl, f) }
static const struct opt opts[] = {
	O("--user", opt_user), O("--password", opt_password),
	O("--password-file", opt_password_file), O("--email", opt_email),
	O("--display", opt_display), O("--amount", opt_amount),
	O("--name", opt_name), O("--address", opt_address),
	O("--now", opt_now), F("--json", json), F("--voicemail", opt_voicemail),
	F("--pgp", opt_pgp), O("--cdrs", opt_cdrs),
	O("--messages", opt_messages), O("--traces", opt_traces),
	O("--batch", opt_batch), O("--at", opt_at), F("--ack", opt_ack),
	O("--token", opt_token), O("--ttl", opt_ttl),
};

static int parse_opts(struct ctl *c, int argc, char **argv)
{
	int i;
	size_t k;

	for (i = 0; i < argc; i++) {
		const struct opt *o = NULL;

		for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (!strcmp(argv[i], opts[k].name))
				o = &opts[k];
		if (!o) {
			if (argv[i][0] == '-' || c->arg)
				return ctl_bad("unexpected argument '%s'", argv[i]);
			c->arg = argv[i];
			continue;
		}
		if (!o->has_arg) {
			*(int *)((char *)c + o->off) = 1;
			continue;
		}
		if (i + 1 >= argc)
			return ctl_bad("%s needs a value", o->name);
		*(const char **)((char *)c + o->off) = argv[++i];
	}
	return 0;
}

/* Options a command accepts; anything else given is refused. */
int ctl_only(struct ctl *c, const char *cmd, const char *allowed)
{
	size_t k;

	for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		const char *n = opts[k].name;
		int set = opts[k].has_arg ?
			*(const char **)((char *)c + opts[k].off) != NULL :
			*(int *)((char *)c + opts[k].off);

		if (set && !strstr(allowed, n + 2))
			return ctl_bad("%s: option %s not accepted", cmd, n);
	}
	return 0;
}

int ctl_aor_ok(const char *s)
{
	const char *at = strrchr(s, '@');
	const char *p;

	if (!at || at == s || !at[1] || strlen(s) > 256)
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' ||
		    *p == '>' || *p == '\\' || (*p == '@' && p != at) ||
		    (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

/* ---- setup ------------------------------------------------------------ */

/*
 * refd's purge worker writes in chunks with 2 ms gaps and its loop commits
 * every 20 ms; SQLite's own handler sleeps up to 100 ms between tries and
 * can miss every gap, so refctl polls each millisecond, for up to 30 s.
 */
static int ctl_busy(void *arg, int count)
{
	(void)arg;
	if (count >= 30000)
		return 0;
	usleep(1000);
	return 1;
}

int ctl_open_store(struct ctl *c)
{
	struct store_opts o = { .busy_fn = ctl_busy };
	char err[300];
	int e;

	e = store_open(&c->st, c->data_dir, &o, err, sizeof(err));
	if (e) {
		fprintf(stderr, "refctl: %s: cannot open the store: %s\n",
			c->data_dir, err);
		return 1;
	}
	return 0;
}

int ctl_load_policy(struct ctl *c)
{
	char err[600];

	if (!c->policy_path)
		return ctl_bad("%s: [platform] policy is not set", c->cfg_path);
	if (policy_load(&c->pol, c->policy_path, err, sizeof(err)))
		return ctl_bad("%s", err);
	c->have_pol = 1;
	return 0;
}

int ctl_emit(struct ctl *c, json_t *j)
{
	if (!j || json_array_append_new(c->arr, j))
		return ENOMEM;
	return 0;
}

static int print_json(struct ctl *c)
{
	if (json_dumpf(c->arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		return 1;
	putchar('\n');
	return 0;
}

static int cdr_print(void *arg, const struct store_cdr *r)
{
	struct ctl *c = arg;
	char t[40];

	if (c->json)
		return ctl_emit(c, store_json_cdr(r));
	printf("%s\t%.*s\t%.*s\t%d\t%lld.%03llds\t%.*s\t%.*s\n",
	       T(r->setup_us, t), PL_ARG(r->caller), PL_ARG(r->callee),
	       r->status, (long long)(r->duration_ms / 1000),
	       (long long)(r->duration_ms % 1000), PL_ARG(r->hangup_by),
	       PL_ARG(r->call_id));
	return 0;
}

static int trace_print(void *arg, const struct store_trace *r)
{
	struct ctl *c = arg;
	char t[40];

	if (c->json)
		return ctl_emit(c, store_json_trace(r));
	printf("%s\t%.*s\t%s\t%.*s\t%.*s -> %.*s\t%.*s\n", T(r->time_us, t),
	       PL_ARG(r->call_id), r->dir_out ? "out" : "in",
	       PL_ARG(r->transport), PL_ARG(r->src), PL_ARG(r->dst),
	       PL_ARG(r->summary));
	return 0;
}

static int msg_print(void *arg, const struct store_msg *m)
{
	struct ctl *c = arg;
	char t[40];

	if (c->json)
		return ctl_emit(c, store_json_msg(m));
	printf("%lld\t%s\t%.*s\t%.*s\t%.*s\t%s\t%zu bytes\n", (long long)m->id,
	       T(m->time_us, t), PL_ARG(m->sender), PL_ARG(m->recipient),
	       PL_ARG(m->content_type), m->encrypted ? "encrypted" : "clear",
	       m->body.len);
	return 0;
}

static int user_opt(struct ctl *c, const char *cmd, struct pl *u,
		    int required)
{
	if (c->arg)
		return ctl_bad("%s: unexpected '%s'", cmd, c->arg);
	if (!c->opt_user)
		return required ? ctl_bad("%s: --user is required", cmd) : 0;
	if (!ctl_aor_ok(c->opt_user))
		return ctl_bad("%s: --user wants USER@DOMAIN", cmd);
	*u = pl_from_str(c->opt_user);
	return 0;
}

static int listing(struct ctl *c, const char *cmd)
{
	struct pl u;
	int e;

	if ((e = ctl_only(c, cmd, "json user")) ||
	    (e = user_opt(c, cmd, &u, !strcmp(cmd, "message list"))) ||
	    (e = ctl_open_store(c)))
		return e;
	if (!strcmp(cmd, "cdr list"))
		e = store_cdr_list(c->st, c->opt_user ? &u : NULL, cdr_print,
				   c);
	else if (!strcmp(cmd, "trace list"))
		e = store_trace_list(c->st, c->opt_user ? &u : NULL,
				     trace_print, c);
	else
		e = store_msg_list(c->st, &u, msg_print, c);
	return e ? ctl_fail(c, cmd, e) : 0;
}

/* ---- purge, export ---------------------------------------------------- */

static int purge(struct ctl *c)
{
	struct store_purge_report r;
	int64_t now;
	char t[40];
	int e;

	if ((e = ctl_only(c, "purge", "now")))
		return e;
	if (c->arg)
		return ctl_bad("purge: unexpected '%s'", c->arg);
	if (c->opt_now) {
		if (store_time_parse(c->opt_now, &now))
			return ctl_bad("purge: bad --now '%s' (want ISO 8601,"
				   " e.g. 2026-05-01T00:00:00Z)", c->opt_now);
	} else {
		now = ctl_now_us();
	}
	if ((e = ctl_load_policy(c)) || (e = ctl_open_store(c)))
		return e;
	e = store_purge(c->st, &c->pol, now, &r);
	if (e)
		return ctl_fail(c, "purge", e);
	printf("purge as of %s: %llu traces, %llu CDRs, %llu push, %llu"
	       " messages, %llu files by age + %llu by quota (%llu bytes),"
	       " %llu billing, %llu audit%s\n", T(now, t),
	       (unsigned long long)r.traces, (unsigned long long)r.cdrs,
	       (unsigned long long)r.push, (unsigned long long)r.messages,
	       (unsigned long long)r.files, (unsigned long long)r.files_quota,
	       (unsigned long long)r.file_bytes, (unsigned long long)r.billing,
	       (unsigned long long)r.audit, r.vacuumed ? "; vacuumed" : "");
	if (r.scrub_pending) {
		fprintf(stderr, "refctl: purge: rows deleted but not yet"
			" scrubbed from the files: %s\n", store_errmsg(c->st));
		return 1;
	}
	return 0;
}

static int export_user(struct ctl *c)
{
	struct buf b;
	struct pl u;
	int e;

	if ((e = ctl_only(c, "export", "user")) ||
	    (e = user_opt(c, "export", &u, 1)) || (e = ctl_open_store(c)))
		return e;
	buf_init(&b);
	e = store_export_user(c->st, &u, &b);
	if (e == ENOENT)
		e = ctl_bad("export: nothing is held for %s", c->opt_user);
	else if (e)
		e = ctl_fail(c, "export", e);
	else
		fwrite(b.data, 1, b.len, stdout);
	buf_fini(&b);
	return e;
}

/* ---- bench: synthetic rows (load figures, crash test) ------------------ */

static int count_opt(const char *v, const char *name, uint32_t *out)
{
	char *end;
	unsigned long n;

	if (!v) {
		*out = 0;
		return 0;
	}
	n = strtoul(v, &end, 10);
	if (!*v || *end || n > 100000000ul || v[0] == '-')
		return ctl_bad("bench: %s wants a count, got '%s'", name, v);
	*out = (uint32_t)n;
	return 0;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One synthetic CDR, message and trace row (when i is below each count). */
static int bench_row(struct ctl *c, uint32_t i, const uint32_t n[3],
		     int64_t t, const char *tag)
{
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
		"s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		"m=audio 40000 RTP/AVP 0 8\r\n";
	struct pl user = pl_from_str(c->opt_user ? c->opt_user
				     : "bench-a@example.test");
	struct pl peer = PL("bench-b@example.test");
	char id[96];
	int e = 0;

	snprintf(id, sizeof(id), "%s-%u", tag, i);
	if (i < n[0]) {
		struct store_cdr r = { 0 };

		r.call_id = pl_from_str(id);
		r.caller = user;
		r.callee = peer;
		r.setup_us = t;
		r.answer_us = t + 1000000;
		r.end_us = t + 31000000;
		r.duration_ms = 30000;
		r.status = 200;
		r.hangup_by = PL("caller");
		r.caller_sig = PL("127.0.0.1:5070");
		r.callee_sig = PL("127.0.0.1:5080");
		r.caller_media = PL("127.0.0.1:40000");
		r.callee_media = PL("127.0.0.1:40002");
		r.caller_ua = PL("refctl-bench");
		r.callee_ua = PL("refctl-bench");
		e = store_cdr_add(c->st, &r);
	}
	if (!e && i < n[1]) {
		struct store_msg m = { 0 };

		m.time_us = t;
		m.sender = peer;
		m.recipient = user;
		m.content_type = PL("text/plain");
		m.body = pl_from_str(id);
		e = store_msg_add(c->st, &m, NULL);
	}
	if (!e && i < n[2]) {
		struct store_trace r = { 0 };

		r.time_us = t;
		r.call_id = pl_from_str(id);
		r.caller = user;
		r.callee = peer;
		r.transport = PL("udp");
		r.src = PL("127.0.0.1:5070");
		r.dst = PL("127.0.0.1:5060");
		r.summary = PL("INVITE sip:bench-b@example.test SIP/2.0");
		r.msg = PL(sdp);
		e = store_trace_add(c->st, &r);
	}
	return e;
}

static int bench(struct ctl *c)
{
	uint32_t n[3], batch, i, j, most, first = 0;
	char tag[48];
	int64_t t;
	double t0, dt;
	int e;

	if ((e = ctl_only(c, "bench", "cdrs messages traces batch at user ack")) ||
	    (e = count_opt(c->opt_cdrs, "--cdrs", &n[0])) ||
	    (e = count_opt(c->opt_messages, "--messages", &n[1])) ||
	    (e = count_opt(c->opt_traces, "--traces", &n[2])) ||
	    (e = count_opt(c->opt_batch ? c->opt_batch : "100", "--batch",
			   &batch)))
		return e;
	if (!batch)
		return ctl_bad("bench: --batch must be > 0");
	if (c->opt_user && !ctl_aor_ok(c->opt_user))
		return ctl_bad("bench: --user wants USER@DOMAIN");
	t = ctl_now_us();
	if (c->opt_at && store_time_parse(c->opt_at, &t))
		return ctl_bad("bench: bad --at '%s'", c->opt_at);
	if ((e = ctl_open_store(c)))
		return e;
	snprintf(tag, sizeof(tag), "bench-%lld", (long long)ctl_now_us());
	most = n[0] > n[1] ? n[0] : n[1];
	most = most > n[2] ? most : n[2];
	t0 = mono_s();
	for (i = 0; i < most && !e; i++) {
		if (i % batch == 0)
			e = store_batch_begin(c->st);
		if (!e)
			e = bench_row(c, i, n, t + (int64_t)i, tag);
		if (e || ((i + 1) % batch && i + 1 < most))
			continue;
		e = store_batch_commit(c->st);
		/* Acknowledge only what is committed (the crash test checks
		 * every acknowledged row survives a SIGKILL). */
		for (j = first; !e && c->opt_ack && j <= i; j++)
			printf("ack %s-%u\n", tag, j);
		if (c->opt_ack && fflush(stdout))
			e = EIO;
		first = i + 1;
	}
	if (e)
		return ctl_fail(c, "bench", e);
	dt = mono_s() - t0;
	fprintf(c->opt_ack ? stderr : stdout, "bench: %u CDRs, %u messages,"
		" %u traces in %.3f s, batch %u: %.0f rows/s\n", n[0], n[1],
		n[2], dt, batch, dt > 0 ? (n[0] + n[1] + n[2]) / dt : 0.0);
	return 0;
}

/* ---- main ------------------------------------------------------------- */

static const struct {
	const char *w1, *w2;
	int (*fn)(struct ctl *c);
} cmds[] = {
	{ "account", "add", ctl_account_add },
	{ "account", "delete", ctl_account_delete },
	{ "account", "list", ctl_account_list },
	{ "account", "recover", ctl_account_recover },
	{ "account", "reset", ctl_account_reset },
	{ "purchase", "add", ctl_purchase_add },
	{ "purchase", "list", ctl_purchase_list },
	{ "cdr", "list", NULL },
	{ "trace", "list", NULL },
	{ "message", "list", NULL },
	{ "voicemail", "list", ctl_voicemail_list },
	{ "voicemail", "delete", ctl_voicemail_delete },
	{ "purge", NULL, purge },
	{ "export", NULL, export_user },
	{ "bench", NULL, bench },
};

static int load_config(struct ctl *c)
{
	if (cfg_load(&c->cfg, c->cfg_path))
		return ctl_bad("%s", c->cfg.err);
	c->data_dir = cfg_get(&c->cfg, "platform", "data_dir");
	c->domain = cfg_get(&c->cfg, "platform", "domain");
	c->policy_path = cfg_get(&c->cfg, "platform", "policy");
	if (!c->data_dir || !*c->data_dir)
		return ctl_bad("%s: [platform] data_dir is not set", c->cfg_path);
	return 0;
}

static int run(struct ctl *c, int argc, char **argv)
{
	size_t i;
	int e, skip;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char name[32];

		if (strcmp(argv[0], cmds[i].w1))
			continue;
		if (cmds[i].w2 && (argc < 2 || strcmp(argv[1], cmds[i].w2)))
			continue;
		skip = cmds[i].w2 ? 2 : 1;
		if ((e = parse_opts(c, argc - skip, argv + skip)) ||
		    (e = load_config(c)))
			return e;
		if (c->json && !(c->arr = json_array()))
			return 1;
		snprintf(name, sizeof(name), "%s %s", cmds[i].w1,
			 cmds[i].w2 ? cmds[i].w2 : "");
		e = cmds[i].fn ? cmds[i].fn(c) : listing(c, name);
		if (!e && c->json)
			e = print_json(c);
		return e;
	}
	return ctl_bad("unknown command '%s%s%s' (refctl --help)", argv[0],
		   argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
}

int main(int argc, char **argv)
{
	struct ctl c;
	int e;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 4 || strcmp(argv[1], "-c")) {
		usage(stderr);
		return EXIT_BAD;
	}
	memset(&c, 0, sizeof(c));
	c.cfg_path = argv[2];
	e = run(&c, argc - 3, argv + 3);
	if (fflush(stdout) && !e)
		e = 1;
	json_decref(c.arr);
	store_close(c.st);
	if (c.have_pol)
		policy_fini(&c.pol);
	cfg_fini(&c.cfg);
	return e;
}
