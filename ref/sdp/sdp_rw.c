/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDP output: the relay rewrite, which patches a few tokens of the received
 * body and copies everything else byte for byte, and the plain encoder,
 * which re-serializes decoded lines with CRLF.
 *
 * The rewrite walks the decoded lines in body order and emits a sequence of
 * edits (replace [start, end) with text, or insert at start) that are
 * therefore already sorted; bytes between edits are copied verbatim. That
 * is why a=crypto keys, a=fingerprint hashes, a=zrtp-hash and any unknown
 * attribute come out exactly as they went in.
 */
#include <errno.h>
#include <string.h>
#include "sdp/sdp.h"

struct rw_ctx {
	const struct sdp_session *s;
	struct buf *out;
	const char *copied;	/* body bytes before this are emitted */
	int err;
};

/* Copy body bytes up to at and skip to end; the caller then writes the
 * replacement into c->out (unless c->err is set). */
static bool edit(struct rw_ctx *c, const char *at, const char *end)
{
	if (c->err)
		return false;
	if (at > c->copied)
		c->err = buf_put(c->out, c->copied, (size_t)(at - c->copied));
	if (end > c->copied)
		c->copied = end;
	return !c->err;
}

static const char *addrtype(const struct pl *addr)
{
	return pl_chr(addr, ':') ? "IP6" : "IP4";
}

/* Replace a conn span ("IP4 1.2.3.4/127") with "IPx addr". */
static void conn_edit(struct rw_ctx *c, const struct sdp_conn *conn,
		      const struct pl *addr)
{
	if (edit(c, conn->span.p, conn->span.p + conn->span.len))
		c->err = buf_printf(c->out, "%s %.*s", addrtype(addr),
				    PL_ARG(*addr));
}

static void port_edit(struct rw_ctx *c, const struct pl *digits,
		      unsigned port)
{
	if (edit(c, digits->p, digits->p + digits->len))
		c->err = buf_printf(c->out, "%u", port);
}

/* Start of line i, i.e. its "x=". */
static const char *line_start(const struct sdp_session *s, size_t i)
{
	return s->lines[i].val.p - 2;
}

/* One past the end of line i's terminator (or the body end). */
static const char *line_next(const struct sdp_session *s, size_t i)
{
	const char *p = s->lines[i].val.p + s->lines[i].val.len;
	const char *end = s->body.p + s->body.len;

	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	return p;
}

/* The terminator line i uses, to write inserted lines alike. */
static const char *line_eol(const struct sdp_session *s, size_t i)
{
	const char *p = s->lines[i].val.p + s->lines[i].val.len;
	const char *end = s->body.p + s->body.len;

	if (p < end && *p == '\r')
		return "\r\n";
	return "\n";
}

static bool addr_ok(const struct pl *a)
{
	size_t i;

	if (!a->len || a->len > 64)
		return false;
	for (i = 0; i < a->len; i++) {
		char ch = a->p[i];
		if (ch == ' ' || ch == '\r' || ch == '\n' || ch == '\0' ||
		    ch == '/')
			return false;
	}
	return true;
}

/* Insert "c=IN IPx addr" as the first line after m-line mi's m= and i=. */
static void conn_insert(struct rw_ctx *c, size_t mi, const struct pl *nettype,
			const struct pl *addr)
{
	const struct sdp_session *s = c->s;
	const struct sdp_media *m = &s->media[mi];
	size_t after = (size_t)m->line;
	const char *at, *vend, *eol;
	bool has_nl;

	if (after + 1 < (size_t)m->end_line && s->lines[after + 1].type == 'i')
		after++;
	at = line_next(s, after);
	eol = line_eol(s, after);
	vend = s->lines[after].val.p + s->lines[after].val.len;
	/* The last line may lack its LF (or end in a bare CR): complete it. */
	has_nl = at > vend && at[-1] == '\n';
	if (!edit(c, at, at))
		return;
	c->err = buf_printf(c->out, "%sc=%.*s %s %.*s%s",
			    has_nl ? "" : at > vend ? "\n" : "\r\n",
			    PL_ARG(*nettype), addrtype(addr), PL_ARG(*addr),
			    has_nl ? eol : "");
}

/* The address the session-level c= gets. */
static struct pl session_addr(const struct sdp_session *s,
			      const struct sdp_rw *rw)
{
	size_t i;

	if (rw->session_addr.len)
		return rw->session_addr;
	for (i = 0; i < s->media_cnt && i < rw->media_cnt; i++)
		if (!rw->media[i].keep)
			return rw->media[i].addr;
	return s->conn.addr;
}

static void media_edits(struct rw_ctx *c, const struct sdp_rw *rw, size_t mi,
			size_t li, const struct pl *sess_new)
{
	const struct sdp_session *s = c->s;
	const struct sdp_media *m = &s->media[mi];
	const struct sdp_rw_media *r = mi < rw->media_cnt ? &rw->media[mi] :
				       NULL;
	bool keep = !r || r->keep;
	unsigned rtcp;

	if ((int)li == m->line) {
		if (!keep && m->port_n)
			port_edit(c, &m->port, r->port);
		/* An m-line inheriting the session c= whose address would
		 * change under it gets its own c= line. */
		if (m->conn.line < 0 && s->conn.line >= 0) {
			const struct pl *want = keep ? &s->conn.addr :
						&r->addr;
			if (!pl_eq(want, sess_new))
				conn_insert(c, mi, &s->conn.nettype, want);
		}
		return;
	}
	if (keep)
		return;
	if ((int)li == m->conn.line) {
		conn_edit(c, &m->conn, &r->addr);
	} else if ((int)li == m->rtcp_line && m->port_n) {
		rtcp = r->rtcp_port ? r->rtcp_port : (unsigned)r->port + 1;
		if (rtcp > 65535)
			rtcp = r->port;
		port_edit(c, &m->rtcp_port, rtcp);
		if (m->rtcp_conn.line >= 0)
			conn_edit(c, &m->rtcp_conn, &r->addr);
	}
}

int sdp_rewrite(const struct sdp_session *s, const struct sdp_rw *rw,
		struct buf *out)
{
	struct rw_ctx c = { s, out, s->body.p, 0 };
	struct pl sess_new;
	size_t i;

	if (!s || !rw || !out || rw->media_cnt > SDP_MAX_MEDIA)
		return EINVAL;
	if (rw->origin_addr.len && !addr_ok(&rw->origin_addr))
		return EINVAL;
	if (rw->session_addr.len && !addr_ok(&rw->session_addr))
		return EINVAL;
	for (i = 0; i < rw->media_cnt; i++)
		if (!rw->media[i].keep && !addr_ok(&rw->media[i].addr))
			return EINVAL;
	sess_new = session_addr(s, rw);

	for (i = 0; i < s->line_cnt && !c.err; i++) {
		const struct sdp_line *l = &s->lines[i];

		if (rw->strip_ice && l->type == 'a' &&
		    l->attr == SDP_ATTR_ICE) {
			edit(&c, line_start(s, i), line_next(s, i));
			continue;
		}
		if (l->media >= 0) {
			media_edits(&c, rw, (size_t)l->media, i, &sess_new);
			continue;
		}
		if ((int)i == s->origin.line && rw->origin_addr.len)
			conn_edit(&c, &s->origin, &rw->origin_addr);
		else if ((int)i == s->conn.line &&
			 !pl_eq(&sess_new, &s->conn.addr))
			conn_edit(&c, &s->conn, &sess_new);
	}
	edit(&c, s->body.p + s->body.len, s->body.p + s->body.len);
	return c.err;
}

static int conn_put(struct buf *b, const struct sdp_conn *c)
{
	const char *aend = c->addr.p + c->addr.len;
	const char *send = c->span.p + c->span.len;
	int err;

	err = buf_printf(b, "%.*s %.*s %.*s", PL_ARG(c->nettype),
			 PL_ARG(c->addrtype), PL_ARG(c->addr));
	/* Keep a multicast /ttl suffix when addr still points into span. */
	if (!err && aend >= c->span.p && aend < send)
		err = buf_put(b, aend, (size_t)(send - aend));
	return err;
}

static int media_line_put(struct buf *b, const struct sdp_media *m)
{
	int err = buf_printf(b, "m=%.*s %u", PL_ARG(m->type), m->port_n);

	if (!err && m->port_cnt > 1)
		err = buf_printf(b, "/%u", m->port_cnt);
	if (!err)
		err = buf_printf(b, " %.*s %.*s", PL_ARG(m->proto),
				 PL_ARG(m->fmts));
	return err;
}

int sdp_encode(struct buf *b, const struct sdp_session *s)
{
	size_t i;
	int err = 0;

	if (!b || !s)
		return EINVAL;
	for (i = 0; i < s->line_cnt && !err; i++) {
		const struct sdp_line *l = &s->lines[i];
		const struct sdp_media *m = l->media >= 0 ?
					    &s->media[l->media] : NULL;

		if ((int)i == s->origin.line) {
			err = buf_printf(b, "o=%.*s %.*s %.*s ",
					 PL_ARG(s->o_user),
					 PL_ARG(s->o_sess_id),
					 PL_ARG(s->o_sess_ver));
			if (!err)
				err = conn_put(b, &s->origin);
		} else if (l->type == 'c' &&
			   ((!m && (int)i == s->conn.line) ||
			    (m && (int)i == m->conn.line))) {
			err = buf_put_str(b, "c=");
			if (!err)
				err = conn_put(b, m ? &m->conn : &s->conn);
		} else if (m && (int)i == m->line) {
			err = media_line_put(b, m);
		} else if (m && (int)i == m->rtcp_line) {
			err = buf_printf(b, "a=rtcp:%u", m->rtcp_port_n);
			if (!err && m->rtcp_conn.line >= 0) {
				err = buf_put_u8(b, ' ');
				if (!err)
					err = conn_put(b, &m->rtcp_conn);
			}
		} else {
			err = buf_printf(b, "%c=%.*s", l->type,
					 PL_ARG(l->val));
		}
		if (!err)
			err = buf_put(b, "\r\n", 2);
	}
	return err;
}
