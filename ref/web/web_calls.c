/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Calls and their SIP traces: the user's CDRs newest first, 25 a page,
 * each with its retention date (P16), and per call the stored (already
 * redacted, P6) messages as a ladder diagram: one column per endpoint,
 * the platform in the middle, an arrow per message, then each message in
 * full with "[redacted]" marked. Plain HTML table, no script.
 *
 * The operator view (users named in [web] operators) reaches any user's
 * CDRs and traces; each access first writes an audit row naming the user
 * whose data is shown, which that user's export lists. Anyone else gets
 * the same 404 as for a missing page.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "web/web_int.h"

#define PER_PAGE 25
#define MAX_COLS 8
#define MAX_MSGS 500

struct cdr_row {
	int64_t id, setup_us, end_us, duration_ms;
	int status;
	char caller[WEB_AOR_MAX], callee[WEB_AOR_MAX];
	char call_id[256];
};

struct cdr_walk {
	struct cdr_row rows[PER_PAGE];
	size_t kept;
};

static int cdr_cb(void *arg, const struct store_cdr *cd)
{
	struct cdr_walk *w = arg;
	struct cdr_row *r;

	if (w->kept >= PER_PAGE)
		return 0;
	r = &w->rows[w->kept++];
	r->id = cd->id;
	r->setup_us = cd->setup_us;
	r->end_us = cd->end_us;
	r->duration_ms = cd->duration_ms;
	r->status = cd->status;
	pl_strcpy(&cd->caller, r->caller, sizeof(r->caller));
	pl_strcpy(&cd->callee, r->callee, sizeof(r->callee));
	pl_strcpy(&cd->call_id, r->call_id, sizeof(r->call_id));
	return 0;
}

static void when(int64_t us, char *out, size_t sz)
{
	char d[16];

	web_date(us, d, sizeof(d));
	snprintf(out, sz, "%s %02d:%02d:%02d UTC", d,
		 (int)(us / 3600000000LL % 24), (int)(us / 60000000 % 60),
		 (int)(us / 1000000 % 60));
}

/* The CDR table; link_fmt gets the id ("/calls/%lld/trace"). */
static int cdr_table(struct web_ctx *c, struct cdr_walk *w,
		     const char *link_fmt)
{
	const struct policy *pol = c->w->cfg.pol;
	struct buf *b = &c->resp->body;
	char t[48], keep[16], link[64];
	size_t i;
	int err;

	err = buf_put_str(b, "<table class=\"calls\"><tr><th>Start</th><th>"
			  "From</th><th>To</th><th>Status</th><th>Duration"
			  "</th><th>Kept until</th><th>Trace</th></tr>\n");
	for (i = 0; !err && i < w->kept; i++) {
		struct cdr_row *r = &w->rows[i];

		when(r->setup_us ? r->setup_us : r->end_us, t, sizeof(t));
		web_date(r->end_us + (int64_t)(pol ? pol->cdr_s :
			 180 * 86400ull) * 1000000, keep, sizeof(keep));
		snprintf(link, sizeof(link), link_fmt, (long long)r->id);
		err = buf_printf(b, "<tr id=\"cdr-%lld\"><td>%s</td><td>",
				 (long long)r->id, t);
		err = err ? err : web_esc_str(b, r->caller);
		err = err ? err : buf_put_str(b, "</td><td>");
		err = err ? err : web_esc_str(b, r->callee);
		err = err ? err : buf_printf(b, "</td><td>%d</td><td>%lld.%03lld"
			" s</td><td>%s</td><td><a href=\"%s\">trace</a></td>"
			"</tr>\n", r->status, (long long)(r->duration_ms / 1000),
			(long long)(r->duration_ms % 1000), keep, link);
	}
	return err ? err : buf_put_str(b, "</table>\n");
}

static int calls_page(struct web_ctx *c)
{
	struct buf *b = &c->resp->body;
	struct cdr_walk *w;
	uint64_t n = 0, pages;
	uint32_t page = 1;
	char pg[16];
	struct pl p;
	int err;

	if (!web_form_get(&c->req->query, "page", pg, sizeof(pg))) {
		p = pl_from_str(pg);
		if (pl_to_u32(&p, &page) || !page || page > 1000000)
			return web_page_msg(c, 400, "Calls", "bad page number");
	}
	if ((err = store_cdr_count(c->w->st, &c->user, &n)))
		return err;
	pages = n ? (n + PER_PAGE - 1) / PER_PAGE : 1;
	if (page > pages)
		return web_not_found(c);
	w = mem_zalloc(sizeof(*w));
	if (!w)
		return ENOMEM;
	err = store_cdr_page(c->w->st, &c->user, (uint64_t)(page - 1) *
			     PER_PAGE, PER_PAGE, cdr_cb, w);
	if (err)
		goto out;
	err = web_page_begin(c, 200, "Calls");
	if (!err && !w->kept)
		err = buf_put_str(b, "<p>No calls stored.</p>\n");
	else if (!err)
		err = cdr_table(c, w, "/calls/%lld/trace");
	if (!err && page > 1)
		err = buf_printf(b, "<a rel=\"prev\" href=\"/calls?page=%u\">"
				 "newer</a> ", page - 1);
	if (!err && page < pages)
		err = buf_printf(b, "<a rel=\"next\" href=\"/calls?page=%u\">"
				 "older</a>", page + 1);
	err = err ? err : buf_printf(b, "<p>page %u of %llu</p>", page,
				     (unsigned long long)pages);
	err = err ? err : web_page_end(c);
out:
	mem_free(w);
	return err;
}

/* ---- the ladder ---------------------------------------------------------- */

struct tmsg {
	int64_t time_us;
	int from, to;		/* columns */
	char *summary, *msg;	/* mem_ copies */
};

struct ladder {
	char cols[MAX_COLS][64];
	const char *role[MAX_COLS];	/* "caller" "callee" or NULL */
	int ncols;		/* column 1 is the platform */
	bool caller_seen, callee_seen;
	struct tmsg m[MAX_MSGS];
	size_t n;
	int oom;
};

static int col(struct ladder *l, const struct pl *addr)
{
	char a[64];
	int i;

	if (pl_strcpy(addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	for (i = 0; i < l->ncols; i++)
		if (i != 1 && !strcmp(l->cols[i], a))
			return i;
	if (l->ncols >= MAX_COLS)
		return MAX_COLS - 1;	/* crowded calls share the last one */
	if (!l->ncols) {	/* the first peer; the platform is column 1 */
		snprintf(l->cols[0], sizeof(l->cols[0]), "%s", a);
		l->ncols = 2;
		return 0;
	}
	snprintf(l->cols[l->ncols], sizeof(l->cols[0]), "%s", a);
	return l->ncols++;
}

static int trace_cb(void *arg, const struct store_trace *t)
{
	struct ladder *l = arg;
	struct tmsg *m;
	int other;

	if (l->n >= MAX_MSGS)
		return 0;
	m = &l->m[l->n];
	other = col(l, t->dir_out ? &t->dst : &t->src);
	/* Who is who: the first INVITE in comes from the caller, the first
	 * INVITE out goes to the callee (forks: the first branch). */
	if (pl_prefix_case(&t->summary, "INVITE ") && other < MAX_COLS - 1 &&
	    !l->role[other] && !(t->dir_out ? l->callee_seen :
				 l->caller_seen)) {
		l->role[other] = t->dir_out ? "callee" : "caller";
		*(t->dir_out ? &l->callee_seen : &l->caller_seen) = true;
	}
	m->from = t->dir_out ? 1 : other;
	m->to = t->dir_out ? other : 1;
	m->time_us = t->time_us;
	m->summary = mem_strndup(t->summary.p ? t->summary.p : "",
				 t->summary.len);
	m->msg = mem_strndup(t->msg.p ? t->msg.p : "", t->msg.len);
	if (!m->summary || !m->msg) {
		mem_free(m->summary);
		mem_free(m->msg);
		l->oom = 1;
		return ENOMEM;
	}
	l->n++;
	return 0;
}

/* The message with each "[redacted]" marked; the rest escaped. */
static int esc_marked(struct buf *b, const char *s)
{
	static const char mark[] = "[redacted]";
	const char *hit;
	int err = 0;

	while (!err && (hit = strstr(s, mark))) {
		struct pl pre = pl_from_mem(s, (size_t)(hit - s));

		err = web_esc(b, &pre);
		err = err ? err : buf_put_str(b, "<span class=\"redacted\">"
					      "[redacted]</span>");
		s = hit + sizeof(mark) - 1;
	}
	return err ? err : web_esc_str(b, s);
}

static int ladder_html(struct web_ctx *c, struct ladder *l,
		       const struct cdr_row *r)
{
	struct buf *b = &c->resp->body;
	size_t i;
	int j, err;

	err = web_page_begin(c, 200, "Call trace");
	err = err ? err : buf_put_str(b, "<p>Call from ");
	err = err ? err : web_esc_str(b, r->caller);
	err = err ? err : buf_put_str(b, " to ");
	err = err ? err : web_esc_str(b, r->callee);
	err = err ? err : buf_put_str(b, ", Call-ID <code>");
	err = err ? err : web_esc_str(b, r->call_id);
	err = err ? err : buf_printf(b, "</code>: %zu messages (UTC).</p>\n"
				     "<table class=\"ladder\"><tr><th>Time"
				     "</th>", l->n);
	for (j = 0; !err && j < l->ncols; j++) {
		const char *who = !l->role[j] ? NULL :
				  !strcmp(l->role[j], "caller") ? r->caller :
				  r->callee;

		err = buf_put_str(b, "<th>");
		if (!err && who) {	/* "caller alice@x" over the address */
			err = buf_printf(b, "%s ", l->role[j]);
			err = err ? err : web_esc_str(b, who);
			err = err ? err : buf_put_str(b, "<br>");
		}
		err = err ? err : web_esc_str(b, j == 1 ? "platform" :
					      l->cols[j]);
		err = err ? err : buf_put_str(b, "</th>");
	}
	err = err ? err : buf_put_str(b, "</tr>\n");
	for (i = 0; !err && i < l->n; i++) {
		struct tmsg *m = &l->m[i];
		int lo = m->from < m->to ? m->from : m->to,
		    hi = m->from < m->to ? m->to : m->from;
		char t[48];

		web_date(m->time_us, t, sizeof(t));
		err = buf_printf(b, "<tr><td>%s %02d:%02d:%02d.%03d</td>", t,
				 (int)(m->time_us / 3600000000LL % 24),
				 (int)(m->time_us / 60000000 % 60),
				 (int)(m->time_us / 1000000 % 60),
				 (int)(m->time_us / 1000 % 1000));
		for (j = 0; !err && j < lo; j++)
			err = buf_put_str(b, "<td></td>");
		err = err ? err : buf_printf(b, "<td colspan=\"%d\" class=\"%s"
					     "\"><a href=\"#m%zu\">%s", hi - lo
					     + 1, m->from < m->to ? "arrow-r" :
					     "arrow-l", i + 1, m->from < m->to
					     ? "" : "&larr; ");
		err = err ? err : web_esc_str(b, m->summary);
		err = err ? err : buf_printf(b, "%s</a></td>", m->from < m->to ?
					     " &rarr;" : "");
		for (j = hi + 1; !err && j < l->ncols; j++)
			err = buf_put_str(b, "<td></td>");
		err = err ? err : buf_put_str(b, "</tr>\n");
	}
	err = err ? err : buf_put_str(b, "</table>\n<h2>Messages</h2>\n");
	for (i = 0; !err && i < l->n; i++) {
		err = buf_printf(b, "<details id=\"m%zu\"><summary>%zu. ",
				 i + 1, i + 1);
		err = err ? err : web_esc_str(b, l->m[i].summary);
		err = err ? err : buf_put_str(b, "</summary><pre>");
		err = err ? err : esc_marked(b, l->m[i].msg);
		err = err ? err : buf_put_str(b, "</pre></details>\n");
	}
	return err ? err : web_page_end(c);
}

int web_trace_page(struct web_ctx *c, int64_t cdr_id, const struct pl *user)
{
	struct cdr_walk *w;
	struct ladder *l = NULL;
	struct pl cid;
	size_t i;
	int err;

	w = mem_zalloc(sizeof(*w));
	if (!w)
		return ENOMEM;
	err = store_cdr_get(c->w->st, cdr_id, user, cdr_cb, w);
	if (err == ENOENT || (!err && !w->kept)) {
		err = web_not_found(c);
		goto out;
	}
	if (err)
		goto out;
	if (!user) {	/* operator: audit before showing */
		struct pl a = pl_from_str(w->rows[0].caller),
			  b = pl_from_str(w->rows[0].callee);
		char d[40];

		snprintf(d, sizeof(d), "cdr %lld", (long long)cdr_id);
		err = store_audit_access(c->w->st, c->req->now_us, c->s->aor,
					 &a, "web trace", d);
		if (!err && !pl_eq(&a, &b))
			err = store_audit_access(c->w->st, c->req->now_us,
						 c->s->aor, &b, "web trace", d);
		if (err)
			goto out;
	}
	l = mem_zalloc(sizeof(*l));
	if (!l) {
		err = ENOMEM;
		goto out;
	}
	l->ncols = 0;
	snprintf(l->cols[1], sizeof(l->cols[1]), "platform");
	cid = pl_from_str(w->rows[0].call_id);
	err = store_trace_call(c->w->st, &cid, user, trace_cb, l);
	if (err)
		goto out;
	if (l->ncols < 2)
		l->ncols = 2;
	/* The platform's traces may hold no INVITE out (only in-dialog
	 * requests reach the callee's column): the first other peer. */
	for (i = 2; !l->callee_seen && i < (size_t)l->ncols; i++)
		if (!l->role[i]) {
			l->role[i] = "callee";
			l->callee_seen = true;
		}
	err = ladder_html(c, l, &w->rows[0]);
out:
	for (i = 0; l && i < l->n; i++) {
		mem_free(l->m[i].summary);
		mem_free(l->m[i].msg);
	}
	mem_free(l);
	mem_free(w);
	return err;
}

int web_calls(struct web_ctx *c, const struct pl *sub)
{
	struct pl rest = *sub, seg, tail;
	int64_t id;

	if (web_is_post(c))
		return web_page_msg(c, 405, "Calls", "nothing to post here");
	if (!sub->len)
		return calls_page(c);
	pl_advance(&rest, 1);
	if (pl_split(&rest, '/', &seg, &tail) || !pl_eq_str(&tail, "trace") ||
	    web_id(&seg, &id))
		return web_not_found(c);
	return web_trace_page(c, id, &c->user);
}

/* ---- operator -------------------------------------------------------------- */

static int operator_search(struct web_ctx *c)
{
	struct buf *b = &c->resp->body;
	char u[WEB_AOR_MAX], aor[WEB_AOR_MAX + 64], d[40];
	struct cdr_walk *w;
	struct pl apl;
	int err;

	err = web_form_get(&c->req->query, "user", u, sizeof(u));
	if (err == ENOENT || (!err && !*u)) {
		err = web_page_begin(c, 200, "Operator");
		err = err ? err : buf_put_str(b, "<form method=\"get\" action="
			"\"/operator\"><label>User <input name=\"user\" "
			"required></label> <button type=\"submit\">Search"
			"</button></form>\n<p>Every search and trace view is "
			"written to the audit log the user's export shows.</p>");
		return err ? err : web_page_end(c);
	}
	if (err || strpbrk(u, " \t\r\n"))
		return web_page_msg(c, 400, "Operator", "bad user name");
	snprintf(aor, sizeof(aor), strchr(u, '@') ? "%s" : "%s@%s", u,
		 c->w->domain);
	apl = pl_from_str(aor);
	w = mem_zalloc(sizeof(*w));
	if (!w)
		return ENOMEM;
	err = store_cdr_page(c->w->st, &apl, 0, PER_PAGE, cdr_cb, w);
	if (err)
		goto out;
	/* Written before anything is shown: no unaudited view. */
	snprintf(d, sizeof(d), "%zu cdrs", w->kept);
	err = store_audit_access(c->w->st, c->req->now_us, c->s->aor, &apl,
				 "web cdr search", d);
	if (err)
		goto out;
	err = web_page_begin(c, 200, "Operator");
	err = err ? err : buf_put_str(b, "<p>Latest calls of ");
	err = err ? err : web_esc_str(b, aor);
	err = err ? err : buf_put_str(b, " (this view is in the audit log)"
				      "</p>\n");
	err = err ? err : cdr_table(c, w, "/operator/calls/%lld/trace");
	err = err ? err : web_page_end(c);
out:
	mem_free(w);
	return err;
}

int web_operator(struct web_ctx *c, const struct pl *sub)
{
	struct pl rest = *sub, a, bb, cc;
	int64_t id;

	if (!c->s->op || web_is_post(c))
		return web_not_found(c);
	if (!sub->len)
		return operator_search(c);
	pl_advance(&rest, 1);
	if (pl_split(&rest, '/', &a, &rest) || !pl_eq_str(&a, "calls") ||
	    pl_split(&rest, '/', &bb, &cc) || !pl_eq_str(&cc, "trace") ||
	    web_id(&bb, &id))
		return web_not_found(c);
	return web_trace_page(c, id, NULL);
}
