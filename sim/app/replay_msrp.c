/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay: MSRP sessions in the report, and their re-drive
 * against a live MSRP relay (replay_msrp.h). The re-drive is one session
 * at a time: two TCP connections to the relay, one per end, each an
 * emulated client (sim/replay/rpl_msrp_cl.c) that AUTHs with the account
 * --accounts gives the captured user; then every captured chunk of the
 * session in capture order, from its end, along "our Use-Path, the other
 * end's Use-Path, the other end's URI" (RFC 4976 6), with the captured
 * gaps divided by --speed (none with --asap). A session matches when
 * each end received as many chunks and complete messages, the same
 * content bytes (count and hash, in order) and content types as the
 * capture carried to it, and every chunk sent got its 200. Loopback or
 * --allow-remote targets only, like the SIP re-drive; sockets are plain
 * blocking TCP with poll.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
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
	if (rlive_target(argv[++*i], NET_TCP, true, &m->relay, err,
			 sizeof(err)))
		return -1;
	m->relay_set = true;
	m->collect = true;
	return 1;
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

/* --- re-drive ------------------------------------------------------------ */

struct end {
	int fd;
	struct rpl_mcl cl;
	size_t wrote;		/* of cl.out */
	const struct rpl_acct *acct;
	/* expected at this end: what the other end sent in the capture */
	uint64_t want_chunks, want_msgs, want_bytes;
	uint32_t want_hash;
	char want_types[128];
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int dial(const struct net_addr *relay, uint16_t *lport)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = socket(net_addr_family(relay), SOCK_STREAM | SOCK_CLOEXEC,
			0);

	if (fd < 0)
		return -errno;
	if (connect(fd, &relay->u.sa, net_addr_len(relay)) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		int e = errno;

		close(fd);
		return -e;
	}
	*lport = ntohs(ss.ss_family == AF_INET6 ?
		       ((struct sockaddr_in6 *)&ss)->sin6_port :
		       ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Write what is pending, read what came, for up to wait_us. EPIPE when
 * a connection closed. */
static int pump(struct end *e, uint64_t wait_us)
{
	struct pollfd pf[2];
	uint8_t buf[16384];
	ssize_t k;
	int i, n;

	for (i = 0; i < 2; i++) {
		struct buf *o = &e[i].cl.out;

		while (e[i].wrote < o->len) {
			k = send(e[i].fd, o->data + e[i].wrote,
				 o->len - e[i].wrote, MSG_NOSIGNAL);
			if (k <= 0)
				return EPIPE;
			e[i].wrote += (size_t)k;
		}
		buf_reset(o);
		e[i].wrote = 0;
		pf[i].fd = e[i].fd;
		pf[i].events = POLLIN;
		pf[i].revents = 0;
	}
	n = poll(pf, 2, (int)((wait_us + 999) / 1000));
	if (n <= 0)
		return 0;
	for (i = 0; i < 2; i++) {
		if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		k = recv(e[i].fd, buf, sizeof(buf), 0);
		if (k <= 0)
			return EPIPE;
		if (rpl_mcl_input(&e[i].cl, buf, (size_t)k))
			return EBADMSG;
	}
	return 0;
}

/* Pump until done(e) or deadline; true when done. */
static bool pump_until(struct end *e, bool (*done)(const struct end *),
		       uint64_t deadline, int *err)
{
	uint64_t t;

	while (!done(e)) {
		t = now_us();
		if (t >= deadline)
			return false;
		if ((*err = pump(e, deadline - t > 20000 ? 20000 :
				 deadline - t)))
			return done(e);
	}
	return true;
}

static bool authed(const struct end *e)
{
	return (e[0].cl.state == RPL_MCL_AUTHED ||
		e[0].cl.state == RPL_MCL_FAILED) &&
	       (e[1].cl.state == RPL_MCL_AUTHED ||
		e[1].cl.state == RPL_MCL_FAILED);
}

static bool delivered(const struct end *e)
{
	int i;

	for (i = 0; i < 2; i++)
		if (e[i].cl.rx_chunks < e[i].want_chunks ||
		    e[i].cl.tx_ok + e[i].cl.tx_fail < e[i].cl.tx_chunks)
			return false;
	return true;
}

/* Message-ID for our copy: the captured one's characters that are ident
 * characters (RFC 4975 9), a run tag appended so reruns do not collide. */
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

static void verdict(struct rep_summary *sum, const char *file, size_t si,
		    const struct rpl_msess_scr *ss, struct end *e, int err,
		    uint64_t us)
{
	char why[600] = "";
	size_t w = 0;
	int i;

	for (i = 0; i < 2; i++) {
		const struct end *x = &e[i];

		if (x->cl.rx_chunks != x->want_chunks ||
		    x->cl.rx_msgs != x->want_msgs ||
		    x->cl.rx_bytes != x->want_bytes)
			w += (size_t)snprintf(why + w, sizeof(why) - w,
				"%s%s got %llu chunks/%llu messages/%llu "
				"bytes, captured %llu/%llu/%llu", w ? "; " : "",
				x->acct->aor,
				(unsigned long long)x->cl.rx_chunks,
				(unsigned long long)x->cl.rx_msgs,
				(unsigned long long)x->cl.rx_bytes,
				(unsigned long long)x->want_chunks,
				(unsigned long long)x->want_msgs,
				(unsigned long long)x->want_bytes);
		else if (x->cl.rx_hash != x->want_hash)
			w += (size_t)snprintf(why + w, sizeof(why) - w,
				"%s%s: content differs from the capture",
				w ? "; " : "", x->acct->aor);
		else if (!same_types(x->cl.rx_ctypes, x->want_types))
			w += (size_t)snprintf(why + w, sizeof(why) - w,
				"%s%s got types %s, captured %s",
				w ? "; " : "", x->acct->aor, x->cl.rx_ctypes,
				x->want_types);
		if (x->cl.tx_fail && w < sizeof(why))
			w += (size_t)snprintf(why + w, sizeof(why) - w,
				"%s%llu of %s's chunks refused (last %u)",
				w ? "; " : "",
				(unsigned long long)x->cl.tx_fail,
				x->acct->aor, x->cl.last_status);
		if (w >= sizeof(why))
			w = sizeof(why) - 1;
	}
	if (err && w < sizeof(why))
		snprintf(why + w, sizeof(why) - w, "%s%s", w ? "; " : "",
			 err == EPIPE ? "the relay closed a connection" :
			 "the relay sent malformed MSRP");
	if (why[0]) {
		rep_summary_check(sum, "msrp", false, "%s: session %zu %s <-> "
				  "%s: diverged: %s", file, si + 1,
				  ss->end[0].user, ss->end[1].user, why);
		rep_summary_metric_add(sum, "msrp_live_diverged", 1);
		return;
	}
	rep_summary_check(sum, "msrp", true, "%s: session %zu %s <-> %s: "
			  "matched: %llu+%llu chunks, %llu+%llu bytes "
			  "(%s) in %.2f s", file, si + 1, ss->end[0].user,
			  ss->end[1].user,
			  (unsigned long long)e[1].cl.rx_chunks,
			  (unsigned long long)e[0].cl.rx_chunks,
			  (unsigned long long)e[1].cl.rx_bytes,
			  (unsigned long long)e[0].cl.rx_bytes,
			  e[0].want_types[0] ? e[0].want_types :
			  e[1].want_types, (double)us / 1e6);
	rep_summary_metric_add(sum, "msrp_live_matched", 1);
}

static void run_one(struct rmsrp *m, struct rep_summary *sum,
		    const char *file, size_t si, const struct rmsrp_opts *o)
{
	const struct rpl_msess_scr *ss = &m->scr.s[si];
	uint64_t tmo = o->step_timeout_us ? o->step_timeout_us : 8000000u;
	uint64_t t0 = now_us(), prev_ts = 0, sent_rx = 0;
	uint32_t tag = (uint32_t)(t0 ^ (t0 >> 32)) + (uint32_t)si;
	struct end e[2];
	char host[64], relay_uri[128], sess[32], to[2][1400], id[48];
	uint16_t lport = 0;
	size_t k;
	int i, err = 0;

	memset(e, 0, sizeof(e));
	e[0].fd = e[1].fd = -1;
	for (i = 0; i < 2; i++) {
		e[i].acct = rpl_acct_find(o->accts, o->nacct,
					  ss->end[i].user);
		if (!e[i].acct) {
			rep_summary_skip(sum, "msrp", "%s: session %zu: no "
					 "--accounts entry for %s", file,
					 si + 1, ss->end[i].user);
			rep_summary_metric_add(sum, "msrp_live_skipped", 1);
			return;
		}
	}
	net_addr_host(&m->relay, host, sizeof(host));
	snprintf(relay_uri, sizeof(relay_uri), strchr(host, ':') ?
		 "msrp://[%s]:%u;tcp" : "msrp://%s:%u;tcp", host,
		 net_addr_port(&m->relay));
	for (i = 0; i < 2; i++) {
		e[i].fd = dial(&m->relay, &lport);
		if (e[i].fd < 0) {
			rep_summary_check(sum, "msrp", false, "%s: session "
					  "%zu: connect to the relay %s: %s",
					  file, si + 1, relay_uri,
					  strerror(-e[i].fd));
			rep_summary_metric_add(sum, "msrp_live_diverged", 1);
			goto out;
		}
		snprintf(sess, sizeof(sess), "rpl%08x%u", tag, i);
		rpl_mcl_init(&e[i].cl, strchr(host, ':') ? "[::1]" :
			     "127.0.0.1", lport, sess, relay_uri,
			     e[i].acct->user, e[i].acct->password,
			     e[i].acct->domain);
		e[i].want_hash = RPL_MCL_HASH_INIT;
		rpl_mcl_auth(&e[i].cl);
	}
	if (!pump_until(e, authed, t0 + tmo, &err) ||
	    e[0].cl.state != RPL_MCL_AUTHED ||
	    e[1].cl.state != RPL_MCL_AUTHED) {
		i = e[0].cl.state != RPL_MCL_AUTHED ? 0 : 1;
		rep_summary_check(sum, "msrp", false, "%s: session %zu: AUTH "
				  "of %s at %s: %s", file, si + 1,
				  e[i].acct->aor, relay_uri, e[i].cl.err[0] ?
				  e[i].cl.err : "no answer");
		rep_summary_metric_add(sum, "msrp_live_diverged", 1);
		goto out;
	}
	for (i = 0; i < 2; i++)
		snprintf(to[i], sizeof(to[i]), "%s %s %s", e[i].cl.use_path,
			 e[!i].cl.use_path, e[!i].cl.uri);
	for (k = 0; k < m->scr.nc && !err; k++) {
		const struct rpl_mchunk *c = &m->scr.c[k];
		struct end *rx;

		if (c->sess != si)
			continue;
		rx = &e[!c->side];
		rx->want_chunks++;
		rx->want_bytes += c->len;
		rx->want_msgs += c->flag == '$';
		rx->want_hash = rpl_mcl_hash(rx->want_hash, c->body, c->len);
		add_type(rx->want_types, sizeof(rx->want_types), c->ctype);
		if (o->speed > 0 && prev_ts && c->ts_us > prev_ts) {
			uint64_t until = now_us() + (uint64_t)((double)(
				c->ts_us - prev_ts) / o->speed);

			while (!err && now_us() < until)
				err = pump(e, until - now_us());
		}
		prev_ts = c->ts_us;
		our_msg_id(id, sizeof(id), c->msg_id, tag);
		rpl_mcl_send(&e[c->side].cl, to[c->side], id, c);
		if (o->can)	/* the relay carried it: P13 */
			rpl_canaries_msrp(o->can, c->body, c->len);
		sent_rx++;
		if (!err)
			err = pump(e, 0);
	}
	if (!err)
		pump_until(e, delivered, now_us() + tmo, &err);
	verdict(sum, file, si, ss, e, err, now_us() - t0);
	rep_summary_metric_add(sum, "msrp_live_chunks_sent", (double)sent_rx);
	rep_summary_metric_add(sum, "msrp_live_chunks_received",
			       (double)(e[0].cl.rx_chunks +
					e[1].cl.rx_chunks));
out:
	for (i = 0; i < 2; i++) {
		if (e[i].fd >= 0) {
			close(e[i].fd);
			rpl_mcl_fini(&e[i].cl);
		}
	}
}

void rmsrp_run(struct rmsrp *m, struct rep_summary *sum, const char *file,
	       const struct rmsrp_opts *o)
{
	size_t i;

	rpl_mscript_finish(&m->scr);
	for (i = 0; i < m->scr.n; i++) {
		if (m->scr.s[i].skip[0]) {
			rep_summary_skip(sum, "msrp", "%s: session %zu %s <-> "
					 "%s: %s", file, i + 1,
					 m->scr.s[i].end[0].uri,
					 m->scr.s[i].end[1].uri,
					 m->scr.s[i].skip);
			rep_summary_metric_add(sum, "msrp_live_skipped", 1);
			continue;
		}
		run_one(m, sum, file, i, o);
	}
	rpl_mscript_fini(&m->scr);
	rpl_mscript_init(&m->scr);
}
