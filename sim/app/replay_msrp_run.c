/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay: the captured MSRP sessions of one file re-driven
 * against an MSRP relay (replay_msrp.h), one session at a time, through a
 * transport (replay_msrp_int.h): real sockets to a live relay
 * (replay_msrp_sock.c) or the relay core in process (replay_msrp_vnet.c).
 * An end that AUTHed in the capture is an emulated client
 * (sim/replay/rpl_msrp_cl.c) AUTHing with the account it is given. An end
 * that never AUTHed (a conference focus, a peer the relay dials) is
 * played as such: it listens for the connection the relay dials with
 * what the other end sends it (RFC 4976 6: the relay dials the next URI
 * of the To-Path), and has its own connection to the relay, without
 * AUTH, for what it sends (anyone may send to a relay's session URI).
 * Every captured chunk of the session then goes in capture order from
 * its end along "own Use-Path, the other end's Use-Path, the other end's
 * URI" (a direct end has no Use-Path), with the captured gaps divided by
 * --speed (none with --asap). A session matches when each end received
 * as many chunks and complete messages, the same content bytes (count
 * and FNV hash, in order) and content types as the capture carried to
 * it, and every chunk sent got its 200.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "app/replay_msrp_int.h"

#define rxcl rmsrp_rxcl

/* <pfx>_<what>: msrp_live_matched, msrp_inproc_matched ... */
static void metric(struct rep_summary *sum, const struct mdrv *d,
		   const char *what, double v)
{
	char n[64];

	snprintf(n, sizeof(n), "%s_%s", d->pfx, what);
	rep_summary_metric_add(sum, n, v);
}

static const char *name(const struct mend *e)
{
	return e->acct ? e->acct->aor : "the direct peer";
}

/* Pump until done(e) or deadline; true when done. */
static bool pump_until(struct mdrv *d, struct mend *e,
		       bool (*done)(const struct mend *), uint64_t deadline,
		       int *err)
{
	uint64_t t;

	while (!done(e)) {
		t = d->now(d);
		if (t >= deadline)
			return false;
		if ((*err = d->pump(d, e, deadline - t > 20000 ? 20000 :
				    deadline - t)))
			return done(e);
	}
	return true;
}

static bool authed(const struct mend *e)
{
	return e[0].cl.state >= RPL_MCL_AUTHED &&
	       e[1].cl.state >= RPL_MCL_AUTHED;
}

static bool delivered(const struct mend *e)
{
	int i;

	for (i = 0; i < 2; i++)
		if (rxcl(&e[i])->rx_chunks < e[i].want_chunks ||
		    e[i].cl.tx_ok + e[i].cl.tx_fail < e[i].cl.tx_chunks)
			return false;
	return true;
}

/* Message-ID for our copy: the captured one's alphanumerics (RFC 4975 9
 * ident), a run tag appended so reruns do not collide. */
static void our_msg_id(char *out, size_t n, const char *cap, uint32_t tag)
{
	size_t i, j = 0;

	for (i = 0; cap[i] && j < 20 && j + 1 < n; i++)
		if ((cap[i] >= '0' && cap[i] <= '9') ||
		    (cap[i] >= 'a' && cap[i] <= 'z') ||
		    (cap[i] >= 'A' && cap[i] <= 'Z'))
			out[j++] = cap[i];
	snprintf(out + j, n - j, "r%08x", tag);
}

static void add_type(char *list, size_t sz, const char *t)
{
	size_t n = strlen(list), k = strlen(t);
	const char *p = list;

	if (!k)
		return;
	while ((p = strstr(p, t))) {
		if ((p == list || p[-1] == ',') && (p[k] == ',' || !p[k]))
			return;
		p++;
	}
	if (n + k + 2 <= sz)
		snprintf(list + n, sz - n, "%s%s", n ? "," : "", t);
}

/* Same content types, in any order. */
static bool same_types(const char *a, const char *b)
{
	char tmp[128], list[128];
	const char *p = a;
	size_t k;

	if (strlen(a) != strlen(b))
		return false;
	while (*p) {
		k = strcspn(p, ",");
		snprintf(tmp, sizeof(tmp), "%.*s", (int)k, p);
		snprintf(list, sizeof(list), "%s", b);
		add_type(list, sizeof(list), tmp);
		if (strcmp(list, b))
			return false;	/* tmp was not in b */
		p += k + (p[k] == ',');
	}
	return true;
}

static void verdict(struct rep_summary *sum, struct mdrv *d, const char *file,
		    size_t si, struct mend *e, int err, uint64_t us)
{
	char why[700] = "";
	size_t w = 0;
	int i;

	for (i = 0; i < 2 && w < sizeof(why); i++) {
		const struct mend *x = &e[i];
		const struct rpl_mcl *r = rxcl(x);

		if (r->rx_chunks != x->want_chunks ||
		    r->rx_msgs != x->want_msgs || r->rx_bytes != x->want_bytes)
			w += (size_t)snprintf(why + w, sizeof(why) - w,
				"%s%s got %llu chunks/%llu messages/%llu "
				"bytes, captured %llu/%llu/%llu", w ? "; " : "",
				name(x), (unsigned long long)r->rx_chunks,
				(unsigned long long)r->rx_msgs,
				(unsigned long long)r->rx_bytes,
				(unsigned long long)x->want_chunks,
				(unsigned long long)x->want_msgs,
				(unsigned long long)x->want_bytes);
		else if (r->rx_hash != x->want_hash)
			w += (size_t)snprintf(why + w, sizeof(why) - w,
				"%s%s: content differs from the capture",
				w ? "; " : "", name(x));
		else if (!same_types(r->rx_ctypes, x->want_types))
			w += (size_t)snprintf(why + w, sizeof(why) - w,
				"%s%s got types %s, captured %s",
				w ? "; " : "", name(x), r->rx_ctypes,
				x->want_types);
		if (x->cl.tx_fail && w < sizeof(why))
			w += (size_t)snprintf(why + w, sizeof(why) - w,
				"%s%llu of %s's chunks refused (last %u)",
				w ? "; " : "",
				(unsigned long long)x->cl.tx_fail, name(x),
				x->cl.last_status);
	}
	if (w >= sizeof(why))
		w = sizeof(why) - 1;
	if (err && w + 1 < sizeof(why))
		snprintf(why + w, sizeof(why) - w, "%s%s", w ? "; " : "",
			 err == EPIPE ? "a connection closed" :
			 "the relay sent malformed MSRP");
	if (why[0]) {
		rep_summary_check(sum, d->check, false, "%s: session %zu %s <-> "
				  "%s: diverged: %s", file, si + 1, name(&e[0]),
				  name(&e[1]), why);
		metric(sum, d, "diverged", 1);
		return;
	}
	rep_summary_check(sum, d->check, true, "%s: session %zu %s <-> %s: "
			  "matched: %llu+%llu chunks, %llu+%llu bytes "
			  "(%s%s%s) in %.2f s", file, si + 1, name(&e[0]),
			  name(&e[1]),
			  (unsigned long long)rxcl(&e[1])->rx_chunks,
			  (unsigned long long)rxcl(&e[0])->rx_chunks,
			  (unsigned long long)rxcl(&e[1])->rx_bytes,
			  (unsigned long long)rxcl(&e[0])->rx_bytes,
			  e[1].want_types, e[0].want_types[0] &&
			  e[1].want_types[0] ? "; " : "", e[0].want_types,
			  (double)us / 1e6);
	metric(sum, d, "matched", 1);
}

/* "own Use-Path, the other end's Use-Path, its URI", empty ones left out */
static void to_path(char *out, size_t n, const struct mend *from,
		    const struct mend *to)
{
	snprintf(out, n, "%s%s%s%s%s", from->cl.use_path,
		 from->cl.use_path[0] ? " " : "", to->cl.use_path,
		 to->cl.use_path[0] ? " " : "", to->cl.uri);
}

static void run_one(struct rmsrp *m, struct rep_summary *sum,
		    const char *file, size_t si, const struct rmsrp_opts *o,
		    struct mdrv *d)
{
	const struct rpl_msess_scr *ss = &m->scr.s[si];
	uint64_t tmo = o->step_timeout_us ? o->step_timeout_us : 8000000u;
	uint64_t t0 = d->now(d), prev_ts = 0, sent = 0;
	uint32_t tag = (uint32_t)(t0 ^ (t0 >> 32)) + (uint32_t)si;
	struct mend e[2];
	char to[2][1400], id[48], err_s[200];
	size_t k;
	int i, err = 0;

	memset(e, 0, sizeof(e));
	for (i = 0; i < 2; i++) {
		e[i].fd = e[i].lfd = e[i].afd = -1;
		e[i].direct = !ss->end[i].user[0];
		if (e[i].direct)
			continue;
		e[i].acct = rpl_acct_find(o->accts, o->nacct,
					  ss->end[i].user);
		if (!e[i].acct) {
			rep_summary_skip(sum, d->check, "%s: session %zu: no "
					 "--accounts entry for %s", file,
					 si + 1, ss->end[i].user);
			metric(sum, d, "skipped", 1);
			return;
		}
	}
	for (i = 0; i < 2; i++) {
		if (d->open(d, &e[i], i, tag, err_s, sizeof(err_s))) {
			rep_summary_check(sum, d->check, false, "%s: session "
					  "%zu: %s", file, si + 1, err_s);
			metric(sum, d, "diverged", 1);
			goto out;
		}
	}
	if (!pump_until(d, e, authed, t0 + tmo, &err) ||
	    e[0].cl.state != RPL_MCL_AUTHED ||
	    e[1].cl.state != RPL_MCL_AUTHED) {
		i = e[0].cl.state != RPL_MCL_AUTHED ? 0 : 1;
		rep_summary_check(sum, d->check, false, "%s: session %zu: AUTH "
				  "of %s at %s: %s", file, si + 1, name(&e[i]),
				  d->relay_uri, e[i].cl.err[0] ? e[i].cl.err :
				  "no answer");
		metric(sum, d, "diverged", 1);
		goto out;
	}
	to_path(to[0], sizeof(to[0]), &e[0], &e[1]);
	to_path(to[1], sizeof(to[1]), &e[1], &e[0]);
	for (k = 0; k < m->scr.nc && !err; k++) {
		const struct rpl_mchunk *c = &m->scr.c[k];
		struct mend *rx;

		if (c->sess != si)
			continue;
		rx = &e[!c->side];
		rx->want_chunks++;
		rx->want_bytes += c->len;
		rx->want_msgs += c->flag == '$';
		rx->want_hash = rpl_mcl_hash(rx->want_hash, c->body, c->len);
		add_type(rx->want_types, sizeof(rx->want_types), c->ctype);
		if (o->speed > 0 && prev_ts && c->ts_us > prev_ts) {
			uint64_t until = d->now(d) + (uint64_t)((double)(
				c->ts_us - prev_ts) / o->speed);

			while (!err && d->now(d) < until)
				err = d->pump(d, e, until - d->now(d));
		}
		prev_ts = c->ts_us;
		our_msg_id(id, sizeof(id), c->msg_id, tag);
		rpl_mcl_send(&e[c->side].cl, to[c->side], id, c);
		if (o->can)	/* the relay carried it: P13 */
			rpl_canaries_msrp(o->can, c->body, c->len);
		sent++;
		if (!err)
			err = d->pump(d, e, 0);
	}
	if (!err)
		pump_until(d, e, delivered, d->now(d) + tmo, &err);
	verdict(sum, d, file, si, e, err, d->now(d) - t0);
	metric(sum, d, "chunks_sent", (double)sent);
	metric(sum, d, "chunks_received",
			       (double)(rxcl(&e[0])->rx_chunks +
					rxcl(&e[1])->rx_chunks));
out:
	d->close(d, &e[0]);
	d->close(d, &e[1]);
}

void rmsrp_drive(struct rmsrp *m, struct rep_summary *sum, const char *file,
		 const struct rmsrp_opts *o, struct mdrv *d)
{
	size_t i;

	rpl_mscript_finish(&m->scr);
	for (i = 0; i < m->scr.n; i++) {
		if (m->scr.s[i].skip[0]) {
			rep_summary_skip(sum, d->check, "%s: session %zu %s <-> "
					 "%s: %s", file, i + 1,
					 m->scr.s[i].end[0].uri,
					 m->scr.s[i].end[1].uri,
					 m->scr.s[i].skip);
			metric(sum, d, "skipped", 1);
			continue;
		}
		run_one(m, sum, file, i, o, d);
	}
	rpl_mscript_fini(&m->scr);
	rpl_mscript_init(&m->scr);
}
