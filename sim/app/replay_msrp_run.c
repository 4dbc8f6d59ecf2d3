/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay --msrp-relay: the captured MSRP sessions of one file
 * re-driven against a live MSRP relay (replay_msrp.h), one session at a
 * time. An end that AUTHed in the capture is an emulated client
 * (sim/replay/rpl_msrp_cl.c) on its own TCP connection to the relay,
 * AUTHing with the account --accounts gives the captured user. An end
 * that never AUTHed (a conference focus, a peer the relay dials) is
 * played the same way: a listening socket the relay connects to with what
 * the other end sends it (RFC 4976 6: the relay dials the next URI of the
 * To-Path), and a connection of its own to the relay, without AUTH, for
 * what it sends (anyone may send to a relay's session URI). Every captured
 * chunk of the session then goes in capture order from its end along
 * "own Use-Path, the other end's Use-Path, the other end's URI" (a direct
 * end has no Use-Path), with the captured gaps divided by --speed (none
 * with --asap). A session matches when each end received as many chunks
 * and complete messages, the same content bytes (count and FNV hash, in
 * order) and content types as the capture carried to it, and every chunk
 * sent got its 200. The targets are loopback or --allow-remote, like the
 * SIP re-drive; sockets are plain TCP with poll.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "app/replay_msrp.h"

struct end {
	struct rpl_mcl cl;	/* AUTHed client, or the direct end's sender */
	struct rpl_mcl rx;	/* direct end: what the relay brings it */
	bool direct, cl_up, rx_up;
	int fd;			/* to the relay */
	int lfd, afd;		/* direct end: listening, accepted */
	size_t wrote, awrote;
	const struct rpl_acct *acct;
	/* expected at this end: what the other end sent in the capture */
	uint64_t want_chunks, want_msgs, want_bytes;
	uint32_t want_hash;
	char want_types[128];
};

static const char *name(const struct end *e)
{
	return e->acct ? e->acct->aor : "the direct peer";
}

static const struct rpl_mcl *rxcl(const struct end *e)
{
	return e->direct ? &e->rx : &e->cl;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ?
		     ((struct sockaddr_in6 *)&ss)->sin6_port :
		     ((struct sockaddr_in *)&ss)->sin_port);
}

/* A connection to the relay: fd, or -errno. */
static int dial(const struct net_addr *relay)
{
	int fd = socket(net_addr_family(relay), SOCK_STREAM | SOCK_CLOEXEC,
			0);

	if (fd < 0)
		return -errno;
	if (connect(fd, &relay->u.sa, net_addr_len(relay))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* A listening socket on the relay's loopback family, any port. */
static int listen_on(const struct net_addr *relay)
{
	struct net_addr a = *relay;
	int fd = socket(net_addr_family(&a), SOCK_STREAM | SOCK_CLOEXEC, 0);

	net_addr_set_port(&a, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, &a.u.sa, net_addr_len(&a)) || listen(fd, 4)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static int flush(int fd, struct buf *o, size_t *wrote)
{
	ssize_t k;

	while (*wrote < o->len) {
		k = send(fd, o->data + *wrote, o->len - *wrote, MSG_NOSIGNAL);
		if (k <= 0)
			return EPIPE;
		*wrote += (size_t)k;
	}
	buf_reset(o);
	*wrote = 0;
	return 0;
}

static int take(int fd, struct rpl_mcl *c)
{
	uint8_t buf[16384];
	ssize_t k = recv(fd, buf, sizeof(buf), 0);

	if (k <= 0)
		return EPIPE;
	return rpl_mcl_input(c, buf, (size_t)k) ? EBADMSG : 0;
}

/* Write what is pending, read what came, for up to wait_us. EPIPE when
 * a connection closed, EBADMSG on malformed MSRP. */
static int pump(struct end *e, uint64_t wait_us)
{
	struct pollfd pf[6];
	int i, n = 0, k, err = 0;

	for (i = 0; i < 2 && !err; i++) {
		err = flush(e[i].fd, &e[i].cl.out, &e[i].wrote);
		if (!err && e[i].afd >= 0)
			err = flush(e[i].afd, &e[i].rx.out, &e[i].awrote);
	}
	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		pf[n++] = (struct pollfd){ .fd = e[i].fd, .events = POLLIN };
		if (e[i].direct)
			pf[n++] = (struct pollfd){ .fd = e[i].afd >= 0 ?
				e[i].afd : e[i].lfd, .events = POLLIN };
	}
	if (poll(pf, (nfds_t)n, (int)((wait_us + 999) / 1000)) <= 0)
		return 0;
	for (i = 0, k = 0; i < 2 && !err; i++) {
		if (pf[k++].revents)
			err = take(e[i].fd, &e[i].cl);
		if (!e[i].direct || err || !pf[k++].revents)
			continue;
		if (e[i].afd >= 0) {
			err = take(e[i].afd, &e[i].rx);
		} else {
			e[i].afd = accept4(e[i].lfd, NULL, NULL, SOCK_CLOEXEC);
			if (e[i].afd < 0)
				err = EPIPE;
		}
	}
	return err;
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
	return e[0].cl.state >= RPL_MCL_AUTHED &&
	       e[1].cl.state >= RPL_MCL_AUTHED;
}

static bool delivered(const struct end *e)
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

static void verdict(struct rep_summary *sum, const char *file, size_t si,
		    struct end *e, int err, uint64_t us)
{
	char why[700] = "";
	size_t w = 0;
	int i;

	for (i = 0; i < 2 && w < sizeof(why); i++) {
		const struct end *x = &e[i];
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
		rep_summary_check(sum, "msrp", false, "%s: session %zu %s <-> "
				  "%s: diverged: %s", file, si + 1, name(&e[0]),
				  name(&e[1]), why);
		rep_summary_metric_add(sum, "msrp_live_diverged", 1);
		return;
	}
	rep_summary_check(sum, "msrp", true, "%s: session %zu %s <-> %s: "
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
	rep_summary_metric_add(sum, "msrp_live_matched", 1);
}

/* End i's sockets and client(s); its URI's session id from tag. 0 or an
 * errno (what failed in err). */
static int end_open(struct end *x, int i, const struct net_addr *relay,
		    const char *relay_uri, uint32_t tag, char *err,
		    size_t errsz)
{
	const char *host = net_addr_family(relay) == AF_INET6 ? "[::1]" :
			   "127.0.0.1";
	char sess[32];
	uint16_t port;

	snprintf(sess, sizeof(sess), "rpl%08x%d", tag, i);
	x->fd = dial(relay);
	if (x->fd < 0) {
		snprintf(err, errsz, "connect to the relay %s: %s", relay_uri,
			 strerror(-x->fd));
		return -x->fd;
	}
	port = local_port(x->fd);
	if (x->direct) {
		x->lfd = listen_on(relay);
		if (x->lfd < 0) {
			snprintf(err, errsz, "listen: %s", strerror(-x->lfd));
			return -x->lfd;
		}
		port = local_port(x->lfd);
		rpl_mcl_init(&x->rx, host, port, sess, relay_uri, "", "", "");
		x->rx_up = true;
		x->rx.state = RPL_MCL_AUTHED;
	}
	rpl_mcl_init(&x->cl, host, port, sess, relay_uri,
		     x->acct ? x->acct->user : "",
		     x->acct ? x->acct->password : "",
		     x->acct ? x->acct->domain : "");
	x->cl_up = true;
	x->want_hash = RPL_MCL_HASH_INIT;
	if (x->direct)
		x->cl.state = RPL_MCL_AUTHED;	/* sends without AUTH */
	else
		rpl_mcl_auth(&x->cl);
	return 0;
}

static void end_close(struct end *x)
{
	if (x->fd >= 0)
		close(x->fd);
	if (x->lfd >= 0)
		close(x->lfd);
	if (x->afd >= 0)
		close(x->afd);
	if (x->cl_up)
		rpl_mcl_fini(&x->cl);
	if (x->rx_up)
		rpl_mcl_fini(&x->rx);
}

/* "own Use-Path, the other end's Use-Path, its URI", empty ones left out */
static void to_path(char *out, size_t n, const struct end *from,
		    const struct end *to)
{
	snprintf(out, n, "%s%s%s%s%s", from->cl.use_path,
		 from->cl.use_path[0] ? " " : "", to->cl.use_path,
		 to->cl.use_path[0] ? " " : "", to->cl.uri);
}

static void run_one(struct rmsrp *m, struct rep_summary *sum,
		    const char *file, size_t si, const struct rmsrp_opts *o)
{
	const struct rpl_msess_scr *ss = &m->scr.s[si];
	uint64_t tmo = o->step_timeout_us ? o->step_timeout_us : 8000000u;
	uint64_t t0 = now_us(), prev_ts = 0, sent = 0;
	uint32_t tag = (uint32_t)(t0 ^ (t0 >> 32)) + (uint32_t)si;
	struct end e[2];
	char host[64], relay_uri[128], to[2][1400], id[48], err_s[200];
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
		if (end_open(&e[i], i, &m->relay, relay_uri, tag, err_s,
			     sizeof(err_s))) {
			rep_summary_check(sum, "msrp", false, "%s: session "
					  "%zu: %s", file, si + 1, err_s);
			rep_summary_metric_add(sum, "msrp_live_diverged", 1);
			goto out;
		}
	}
	if (!pump_until(e, authed, t0 + tmo, &err) ||
	    e[0].cl.state != RPL_MCL_AUTHED ||
	    e[1].cl.state != RPL_MCL_AUTHED) {
		i = e[0].cl.state != RPL_MCL_AUTHED ? 0 : 1;
		rep_summary_check(sum, "msrp", false, "%s: session %zu: AUTH "
				  "of %s at %s: %s", file, si + 1, name(&e[i]),
				  relay_uri, e[i].cl.err[0] ? e[i].cl.err :
				  "no answer");
		rep_summary_metric_add(sum, "msrp_live_diverged", 1);
		goto out;
	}
	to_path(to[0], sizeof(to[0]), &e[0], &e[1]);
	to_path(to[1], sizeof(to[1]), &e[1], &e[0]);
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
		sent++;
		if (!err)
			err = pump(e, 0);
	}
	if (!err)
		pump_until(e, delivered, now_us() + tmo, &err);
	verdict(sum, file, si, e, err, now_us() - t0);
	rep_summary_metric_add(sum, "msrp_live_chunks_sent", (double)sent);
	rep_summary_metric_add(sum, "msrp_live_chunks_received",
			       (double)(rxcl(&e[0])->rx_chunks +
					rxcl(&e[1])->rx_chunks));
out:
	end_close(&e[0]);
	end_close(&e[1]);
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
