/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live re-drive driver (replay_live.h): binds the caller and callee SIP
 * sockets and one RTP socket per role on the target's loopback address,
 * runs sim/replay's live engine on ref/io's epoll loop, bounded in wall
 * time, and turns each dialog's verdict into a summary check (matched),
 * a failed check (diverged: first divergence with its frame) or a skip.
 * Nothing is sent outside 127.0.0.0/8 and ::1 unless --allow-remote: the
 * loop itself refuses other destinations (io_allow_add).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <sys/socket.h>
#include "app/replay_live.h"
#include "base/mem.h"
#include "io/io.h"

static bool loopback(const struct net_addr *a)
{
	if (net_addr_family(a) == AF_INET)
		return (ntohl(a->u.in.sin_addr.s_addr) >> 24) == 127;
	return net_addr_family(a) == AF_INET6 &&
	       IN6_IS_ADDR_LOOPBACK(&a->u.in6.sin6_addr);
}

int rlive_target(const char *spec, enum net_tp tp, bool allow_remote,
		 struct net_addr *a, char *err, size_t errsz)
{
	struct pl p = pl_from_str(spec);

	if (net_addr_parse(&p, 5060, a)) {
		snprintf(err, errsz, "--target %s: want HOST:PORT with a "
			 "numeric address (127.0.0.1:5060, [::1]:5060)", spec);
		return EINVAL;
	}
	a->tp = tp;
	if (!allow_remote && !loopback(a)) {
		snprintf(err, errsz, "--target %s: outside 127.0.0.0/8 and "
			 "::1; re-driving a capture at another host needs "
			 "--allow-remote", spec);
		return EPERM;
	}
	return 0;
}

int rlive_accounts(const char *path, struct rpl_acct **a, size_t *n,
		   char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, e2[160];
	size_t len = 0, cap = 0, got;
	int e = 0;

	if (!f) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return ENOENT;
	}
	do {
		char *nt;

		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 24) || !(nt = mem_realloc(text, cap))) {
				e = ENOMEM;
				break;
			}
			text = nt;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
	} while (got);
	fclose(f);
	if (!e && (e = rpl_acct_decode(text, len, a, n, e2, sizeof(e2))))
		snprintf(err, errsz, "%s: %s", path, e == EINVAL ? e2 :
			 strerror(e));
	if (!e && !*n) {
		snprintf(err, errsz, "%s: no account", path);
		e = EINVAL;
	}
	mem_free(text);
	return e;
}

int rlive_cli_arg(struct rlive_cli *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i], **dst = NULL;

	if (!strcmp(a, "--allow-remote")) {
		c->remote = true;
		return 1;
	}
	if (!strcmp(a, "--accounts"))
		dst = &c->accounts;
	else if (!strcmp(a, "--transport"))
		dst = &c->transport;
	else if (!strcmp(a, "--tls-cert"))
		dst = &c->tls_cert;
	else if (!strcmp(a, "--tls-key"))
		dst = &c->tls_key;
	else if (!strcmp(a, "--messages"))
		return (c->messages = true), 1;
	else if (strcmp(a, "--step-timeout"))
		return 0;
	if (*i + 1 >= argc)
		return -1;
	a = argv[++*i];
	if (dst) {
		*dst = a;
		return 1;
	}
	c->step_timeout_us = (uint64_t)(atof(a) * 1e6);
	return c->step_timeout_us >= 1000 ? 1 : -1;
}

int rlive_setup(const struct rlive_cli *c, const char *target,
		struct rlive_opts *o)
{
	struct pl p = pl_from_str(c->transport ? c->transport : "udp");
	struct rpl_acct *a = NULL;
	enum net_tp t;
	char err[512];
	size_t n = 0;

	if (net_tp_parse(&p, &t) || (t != NET_UDP && t != NET_TCP &&
				     t != NET_TLS)) {
		fprintf(stderr, "rtcbench replay: --transport %.*s: want udp, "
			"tcp or tls\n", PL_ARG(p));
		return 2;
	}
	if (t == NET_TLS && (!c->tls_cert || !c->tls_key)) {
		fprintf(stderr, "rtcbench replay: --transport tls needs "
			"--tls-cert and --tls-key (the callee's listener)\n");
		return 2;
	}
	if (rlive_target(target, t, c->remote, &o->target, err,
			 sizeof(err))) {
		fprintf(stderr, "rtcbench replay: %s\n", err);
		return 2;
	}
	if (!c->accounts) {
		fprintf(stderr, "rtcbench replay: --target %s needs --accounts "
			"FILE (\"CAPTURED_AOR USER@DOMAIN PASSWORD\" lines)\n",
			target);
		return 2;
	}
	if (rlive_accounts(c->accounts, &a, &n, err, sizeof(err))) {
		fprintf(stderr, "rtcbench replay: %s\n", err);
		mem_free(a);
		return 2;
	}
	o->accts = a;
	o->nacct = n;
	o->step_timeout_us = c->step_timeout_us;
	o->tls_cert = c->tls_cert;
	o->tls_key = c->tls_key;
	return 0;
}

/*
 * The address our sockets bind to: the target's own on loopback; for a
 * remote target (--allow-remote) the one the kernel routes to it from.
 */
static int local_host(const struct net_addr *t, struct net_addr *out)
{
	socklen_t len = sizeof(out->u);
	int fd, e = 0;

	*out = *t;
	if (loopback(t))
		return 0;
	fd = socket(net_addr_family(t), SOCK_DGRAM, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, &t->u.sa, net_addr_len(t)) ||
	    getsockname(fd, &out->u.sa, &len))
		e = errno;
	close(fd);
	return e;
}

static int bind_sockets(struct io_loop *loop, struct io_core *core,
			const struct rlive_opts *o,
			struct rpl_live_cfg *c, char *err, size_t errsz)
{
	struct net_addr a, host;
	int i, e, tries;

	if ((e = local_host(&o->target, &host))) {
		snprintf(err, errsz, "no local address towards the target: "
			 "%s", strerror(e));
		return e;
	}
	for (i = 0; i < 2 && !e; i++) {
		for (tries = 0; tries < 20; tries++) {
			a = host;
			net_addr_set_port(&a, 0);
			a.tp = NET_UDP;
			if ((e = io_listen(loop, core, &a, &c->local[i])))
				break;
			if (o->target.tp == NET_UDP)
				break;
			/* streams: the same port for TCP/TLS, so Via and
			 * Contact name one address */
			a = c->local[i];
			a.tp = o->target.tp;
			if (!(e = io_listen(loop, core, &a, NULL)))
				break;
			io_udp_close_addr(loop, core, &c->local[i]);
			e = 0;
		}
		c->local[i].tp = o->target.tp;
		if (e)
			break;
		a = host;
		net_addr_set_port(&a, 0);
		a.tp = NET_UDP;
		if ((e = io_listen(loop, core, &a, &a)))
			break;
		c->media_port[i] = net_addr_port(&a);
	}
	if (e)
		snprintf(err, errsz, "cannot bind the re-drive sockets: %s",
			 strerror(e));
	return e;
}

/*
 * The storage audit's tap: every datagram and stream chunk the engine
 * sends (SIP to the target, RTP to the relay ports it allocated) is read
 * for canaries on its way out, so they are what the target was sent after
 * the rewriting, not what the capture held.
 */
struct tap {
	struct rpl_live *l;
	struct rpl_canaries *can;
};

static int tap_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	return rpl_live_core_ops.input(((struct tap *)core)->l, now_us, in);
}

static int tap_timeout(void *core, uint64_t now_us)
{
	return rpl_live_core_ops.timeout(((struct tap *)core)->l, now_us);
}

static int tap_output(void *core, struct net_out *out)
{
	struct tap *t = core;
	int e = rpl_live_core_ops.output(t->l, out);

	if (e || out->kind != NET_OUT_SEND || !out->data || !out->len)
		return e;
	/* RTP's version bits (10) are no letter a SIP message starts with */
	if (out->len >= 12 && (out->data[0] >> 6) == 2)
		rpl_canaries_rtp(t->can, out->data, out->len);
	else
		rpl_canaries_sip(t->can, out->data, out->len);
	return 0;
}

static uint64_t tap_deadline(void *core)
{
	return rpl_live_core_ops.deadline(((struct tap *)core)->l);
}

static const struct core_ops tap_ops = {
	"replay-live-tap", tap_input, tap_timeout, tap_output, tap_deadline
};

static const char *verdict(enum rpl_verdict v)
{
	return v == RPL_V_MATCH ? "matched" : v == RPL_V_DIVERGED ?
	       "diverged" : v == RPL_V_SKIPPED ? "skipped" : "unfinished";
}

static void results(struct rep_summary *sum, json_t *dialogs,
		    const char *file, const struct rpl_dlgset *set,
		    const struct rpl_live_res *res, const char *check,
		    double wall_s, size_t *cnt)
{
	uint64_t rtp[3] = { 0 };
	size_t i, closes[2] = { 0 };	/* closed by the replay, answered */
	char cl[64];

	for (i = 0; i < set->n; i++) {
		const struct rpl_dlg *d = &set->d[i];
		const struct rpl_live_res *r = &res[i];
		const char *first = d->n ? d->steps[0].method : d->call_id;

		cnt[r->v]++;
		cl[0] = 0;
		if (r->closed[0]) {
			closes[0]++;
			closes[1] += r->close_status >= 200;
			snprintf(cl, sizeof(cl), " (closed by replay: %s, %s)",
				 r->closed, r->close_status ?
				 sip_reason(r->close_status) : "no answer");
		}
		/* every verdict on stdout, one line each (failed checks are
		 * repeated in the summary at the end) */
		printf("%-9s %s: %s %s -> %s: %zu/%zu steps, %.1f ms, RTP "
		       "%u/%u%s%s%s\n", verdict(r->v), file, first, d->caller,
		       d->callee, r->done, r->steps, (double)r->us / 1000.0,
		       r->rtp_recv, r->rtp_sent,
		       r->v == RPL_V_MATCH ? "" : ": ",
		       r->v == RPL_V_MATCH ? "" : r->why, cl);
		rtp[0] += r->rtp_sent;
		rtp[1] += r->rtp_recv;
		rtp[2] += r->rtp_unsent;
		json_array_append_new(dialogs, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:s, "
			"s:f}", "file", file, "call_id", d->call_id,
			"caller", d->caller, "callee", d->callee,
			"first", first, "steps", (json_int_t)r->steps,
			"done", (json_int_t)r->done, "verdict",
			verdict(r->v), "frame", (json_int_t)r->frame, "why",
			r->why, "ms", (double)r->us / 1000.0));
		json_object_set_new(json_array_get(dialogs,
			json_array_size(dialogs) - 1), "captured_s",
			json_real(d->n ? (double)(d->steps[d->n - 1].ts_us -
					 d->steps[0].ts_us) / 1e6 : 0));
		json_object_set_new(json_array_get(dialogs,
			json_array_size(dialogs) - 1), "rtp", json_pack(
			"{s:I, s:I, s:I, s:I}", "captured",
			(json_int_t)d->nmedia, "sent",
			(json_int_t)r->rtp_sent, "received",
			(json_int_t)r->rtp_recv, "unsent",
			(json_int_t)r->rtp_unsent));
		if (r->closed[0])
			json_object_set_new(json_array_get(dialogs,
				json_array_size(dialogs) - 1),
				"closed_by_replay", json_pack("{s:s, s:I}",
				"request", r->closed, "status",
				(json_int_t)r->close_status));
		if (r->v == RPL_V_SKIPPED)
			rep_summary_skip(sum, check, "%s: %s %s -> %s: %s",
					 file, first, d->caller, d->callee,
					 r->why);
		else
			rep_summary_check(sum, check, r->v == RPL_V_MATCH,
					  "%s: %s %s -> %s: %s (%zu/%zu steps)",
					  file, first, d->caller, d->callee,
					  r->v == RPL_V_MATCH ? "matched" :
					  r->v == RPL_V_PENDING ?
					  "unfinished when the time ran out" :
					  r->why, r->done, r->steps);
	}
	/* apart from the verdicts: what the capture left open and the
	 * replay closed (BYE, CANCEL), and whether the target answered */
	if (closes[0])
		rep_summary_check(sum, "closed by replay", closes[0] ==
				  closes[1], "%s: %zu dialog(s) the capture "
				  "left open closed by the replay, %zu "
				  "answered", file, closes[0], closes[1]);
	rep_summary_metric_add(sum, "live_closed_by_replay",
			       (double)closes[0]);
	rep_summary_metric_add(sum, "live_closed_answered",
			       (double)closes[1]);
	if (set->undecodable)
		rep_summary_skip(sum, check, "%s: %llu captured SIP messages "
				 "ref/sip does not decode (read only tolerantly "
				 "by the dissector): not re-driven", file,
				 (unsigned long long)set->undecodable);
	rep_summary_metric_add(sum, "live_dialogs", (double)set->n);
	rep_summary_metric_add(sum, "live_undecodable",
			       (double)set->undecodable);
	rep_summary_metric_add(sum, "live_matched", (double)cnt[RPL_V_MATCH]);
	rep_summary_metric_add(sum, "live_diverged",
			       (double)(cnt[RPL_V_DIVERGED] +
					cnt[RPL_V_PENDING]));
	rep_summary_metric_add(sum, "live_skipped",
			       (double)cnt[RPL_V_SKIPPED]);
	if (wall_s > 0)
		rep_summary_metric_add(sum, "live_wall_s", wall_s);
	rep_summary_metric_add(sum, "live_rtp_captured", (double)set->rtp);
	rep_summary_metric_add(sum, "live_rtp_sent", (double)rtp[0]);
	rep_summary_metric_add(sum, "live_rtp_received", (double)rtp[1]);
	rep_summary_metric_add(sum, "live_rtp_unsent", (double)rtp[2]);
}

int rlive_run(struct rep_summary *sum, json_t *dialogs, const char *file,
	      struct rpl_dlgset *set, const struct rlive_opts *o, char *err,
	      size_t errsz)
{
	struct io_opts io;
	struct io_loop *loop = NULL;
	struct io_core *core;
	struct rpl_live_cfg c;
	struct rpl_live *l = NULL;
	struct net_addr pfx;
	uint64_t t0, end;
	size_t cnt[4] = { 0 }, rok, rn, i;
	struct rpl_live_res *res = NULL;
	struct tap tap;
	int e;

	memset(&io, 0, sizeof(io));
	io.tls_cert = o->tls_cert;
	io.tls_key = o->tls_key;
	memset(&c, 0, sizeof(c));
	c.dlgs = set->d;
	c.n = set->n;
	c.accts = o->accts;
	c.nacct = o->nacct;
	c.target = o->target;
	c.speed = o->speed;
	c.step_timeout_us = o->step_timeout_us;
	/* tags, branches and Call-IDs unique per run: a stateful target
	 * would take a new run's INVITE for a retransmission of the last
	 * run's (same branch) */
	c.seed = io_now_us() ^ (uint64_t)getpid() << 32;
	if ((e = io_loop_new(&loop, &io, err, errsz)))
		return e;
	t0 = io_now_us();
	if ((e = rpl_live_new(&l, &c, t0)))
		goto out;
	/* the loop refuses anything but the target's own host */
	pfx = o->target;
	if ((e = io_allow_add(loop, &pfx, net_addr_family(&pfx) == AF_INET
			      ? 32 : 128)) ||
	    (e = (tap.l = l, tap.can = o->can,
		  io_core_add(loop, o->can ? &tap_ops : &rpl_live_core_ops,
			      o->can ? (void *)&tap : l, &core))) ||
	    (e = bind_sockets(loop, core, o, &c, err, errsz)))
		goto out;
	rpl_live_bind(l, c.local, c.media_port);
	t0 = io_now_us();
	rpl_live_start(l, t0);
	io_core_flush(loop, core);
	end = t0 + (o->limit_us ? o->limit_us : 300000000ull);
	while (!rpl_live_done(l) && io_now_us() < end)
		if ((e = io_run_once(loop, 20)))
			goto out;
	/* the last ACKs and 200s leave */
	io_run_once(loop, 20);
	res = mem_zalloc((set->n ? set->n : 1) * sizeof(*res));
	if (!res) {
		e = ENOMEM;
		goto out;
	}
	for (i = 0; i < set->n; i++)
		res[i] = *rpl_live_result(l, i);
	results(sum, dialogs, file, set, res, "live",
		(double)(io_now_us() - t0) / 1e6, cnt);
	rpl_live_regs(l, &rok, &rn);
	rep_summary_metric_add(sum, "live_registered", (double)rok);

	rep_summary_check(sum, "live registrations", rok == rn,
			  "%s: %zu of %zu called AORs registered at the "
			  "target", file, rok, rn);
	rep_summary_metric_add(sum, "live_denied",
			       (double)io_stats(loop)->denied);
	rep_summary_metric_add(sum, "live_stream_bytes",
			       (double)(io_stats(loop)->stream_tx +
					io_stats(loop)->stream_rx));
out:
	io_loop_free(loop);
	rpl_live_free(l);
	mem_free(res);
	return e;
}

int rlive_inproc(struct rep_summary *sum, json_t *dialogs, const char *file,
		 struct rpl_dlgset *set, double speed,
		 uint64_t step_timeout_us, struct rpl_plat *pl)
{
	struct rpl_vlive_opt o = { speed, 0, step_timeout_us, 0, pl };
	struct rpl_acct *a = mem_zalloc((2 * set->n + 1) * sizeof(*a));
	struct rpl_live_res *res = mem_zalloc((set->n + 1) * sizeof(*res));
	struct rpl_vlive_sum vs;
	size_t n = 0, i, k, cnt[4] = { 0 };
	int e = ENOMEM;

	if (!a || !res)
		goto out;
	/* one account per captured AOR, provisioned in the in-process
	 * platform's user store */
	for (i = 0; i < set->n; i++)
		for (k = 0; k < 2; k++) {
			const char *aor = k ? set->d[i].callee
					    : set->d[i].caller;

			if (!aor[0] || rpl_acct_find(a, n, aor))
				continue;
			snprintf(a[n].aor, sizeof(a[n].aor), "%s", aor);
			snprintf(a[n].user, sizeof(a[n].user), "u%zu", n);
			snprintf(a[n].domain, sizeof(a[n].domain),
				 "replay.test");
			snprintf(a[n].password, sizeof(a[n].password),
				 "replay-secret");
			n++;
		}
	e = rpl_live_inproc(set, a, n, "replay.test", &o, res, &vs);
	if (e)
		goto out;
	results(sum, dialogs, file, set, res, "inproc messages", 0, cnt);
	rep_summary_metric_add(sum, "live_registered", (double)vs.registered);
	rep_summary_metric_add(sum, "live_virtual_s", vs.virtual_s);
	rep_summary_metric_add(sum, "live_cdrs", vs.cdrs);
out:
	mem_free(a);
	mem_free(res);
	return e;
}
