/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDP decoder (RFC 8866, formerly 4566) and the read-only helpers over a
 * decoded session: direction, hold, security, attribute lookup, rtpmap.
 * One pass over the body, no allocation: every field is a slice into the
 * caller's body. Strict where a relay would otherwise misroute media (o=,
 * c=, m= syntax, a c= for each live m-line), lenient about line order and
 * about attributes it does not know, which it only indexes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sdp/sdp.h"

static int fail(struct sdp_session *s, int err, unsigned lineno,
		const char *why)
{
	if (lineno)
		snprintf(s->err, sizeof(s->err), "line %u: %s", lineno, why);
	else
		snprintf(s->err, sizeof(s->err), "%s", why);
	return err;
}

/* Next space-separated token of cur (RFC 8866 uses single spaces; we accept
 * runs of them). false when cur is exhausted. */
static bool next_tok(struct pl *cur, struct pl *tok)
{
	size_t i = 0;

	while (cur->len && *cur->p == ' ')
		pl_advance(cur, 1);
	if (!cur->len)
		return false;
	while (i < cur->len && cur->p[i] != ' ')
		i++;
	tok->p = cur->p;
	tok->len = i;
	pl_advance(cur, i);
	return true;
}

static int port_parse(const struct pl *pl, uint16_t *out)
{
	uint32_t v;

	if (pl_to_u32(pl, &v) || v > 65535)
		return EBADMSG;
	*out = (uint16_t)v;
	return 0;
}

/* "IN IP4 192.0.2.1[/ttl[/n]]" starting at cur (which may hold only this). */
static int conn_parse(struct pl cur, struct sdp_conn *c, int line)
{
	struct pl extra;
	const char *slash;

	if (!next_tok(&cur, &c->nettype) || !next_tok(&cur, &c->addrtype) ||
	    !next_tok(&cur, &c->addr) || next_tok(&cur, &extra))
		return EBADMSG;
	c->span.p = c->addrtype.p;
	c->span.len = (size_t)(c->addr.p + c->addr.len - c->addrtype.p);
	slash = pl_chr(&c->addr, '/');
	if (slash)
		c->addr.len = (size_t)(slash - c->addr.p);
	if (!c->addr.len)
		return EBADMSG;
	c->line = line;
	return 0;
}

static const struct {
	const char *name;
	enum sdp_attr_id id;
} attr_names[] = {
	{ "rtpmap", SDP_ATTR_RTPMAP },
	{ "rtcp", SDP_ATTR_RTCP },
	{ "rtcp-mux", SDP_ATTR_RTCP_MUX },
	{ "sendrecv", SDP_ATTR_SENDRECV },
	{ "sendonly", SDP_ATTR_SENDONLY },
	{ "recvonly", SDP_ATTR_RECVONLY },
	{ "inactive", SDP_ATTR_INACTIVE },
	{ "crypto", SDP_ATTR_CRYPTO },
	{ "zrtp-hash", SDP_ATTR_ZRTP_HASH },
	{ "fingerprint", SDP_ATTR_FINGERPRINT },
	{ "setup", SDP_ATTR_SETUP },
	{ "candidate", SDP_ATTR_ICE },
	{ "ice-ufrag", SDP_ATTR_ICE },
	{ "ice-pwd", SDP_ATTR_ICE },
	{ "ice-options", SDP_ATTR_ICE },
	{ "ice-lite", SDP_ATTR_ICE },
	{ "ice-mismatch", SDP_ATTR_ICE },
	{ "ice-pacing", SDP_ATTR_ICE },
	{ "remote-candidates", SDP_ATTR_ICE },
	{ "end-of-candidates", SDP_ATTR_ICE },
};

static enum sdp_attr_id attr_id(const struct pl *name)
{
	size_t i;

	for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
		if (pl_caseeq_str(name, attr_names[i].name))
			return attr_names[i].id;
	return SDP_ATTR_OTHER;
}

static unsigned attr_flags(enum sdp_attr_id id)
{
	switch (id) {
	case SDP_ATTR_CRYPTO:
		return SDP_SEC_SRTP | SDP_SEC_CRYPTO;
	case SDP_ATTR_ZRTP_HASH:
		return SDP_SEC_ZRTP;
	case SDP_ATTR_FINGERPRINT:
		return SDP_SEC_DTLS;
	case SDP_ATTR_ICE:
		return SDP_SEC_ICE;
	default:
		return 0;
	}
}

static bool attr_dir(enum sdp_attr_id id, enum sdp_dir *d)
{
	switch (id) {
	case SDP_ATTR_SENDRECV: *d = SDP_DIR_SENDRECV; return true;
	case SDP_ATTR_SENDONLY: *d = SDP_DIR_SENDONLY; return true;
	case SDP_ATTR_RECVONLY: *d = SDP_DIR_RECVONLY; return true;
	case SDP_ATTR_INACTIVE: *d = SDP_DIR_INACTIVE; return true;
	default: return false;
	}
}

static int origin_parse(struct sdp_session *s, const struct sdp_line *l,
			int idx)
{
	struct pl cur = l->val;

	if (!next_tok(&cur, &s->o_user) || !next_tok(&cur, &s->o_sess_id) ||
	    !next_tok(&cur, &s->o_sess_ver))
		return EBADMSG;
	return conn_parse(cur, &s->origin, idx);
}

/* m=<media> <port>[/<count>] <proto> <fmt> ... */
static int media_parse(struct sdp_media *m, const struct pl *val,
		       const char **why)
{
	struct pl cur = *val, port, cnt, fmt;
	uint16_t n;

	*why = "m= line needs media, port, proto and formats";
	if (!next_tok(&cur, &m->type) || !next_tok(&cur, &port) ||
	    !next_tok(&cur, &m->proto))
		return EBADMSG;
	while (cur.len && *cur.p == ' ')
		pl_advance(&cur, 1);
	m->fmts = cur;
	if (!next_tok(&cur, &fmt))
		return EBADMSG;
	m->port_cnt = 1;
	if (!pl_split(&port, '/', &m->port, &cnt)) {
		*why = "m= line has a bad port count";
		if (port_parse(&cnt, &n) || n == 0)
			return EBADMSG;
		m->port_cnt = n;
	} else {
		m->port = port;
	}
	*why = "m= line has a bad port";
	if (port_parse(&m->port, &m->port_n))
		return EBADMSG;
	return 0;
}

/* a=rtcp:<port> [IN IP4 <addr>] (RFC 3605) */
static int rtcp_parse(struct sdp_media *m, const struct pl *aval, int idx)
{
	struct pl cur = *aval;

	if (!next_tok(&cur, &m->rtcp_port) ||
	    port_parse(&m->rtcp_port, &m->rtcp_port_n))
		return EBADMSG;
	m->rtcp_line = idx;
	pl_trim(&cur);
	if (cur.len && conn_parse(cur, &m->rtcp_conn, idx))
		return EBADMSG;
	return 0;
}

static void media_init(struct sdp_media *m, int line)
{
	memset(m, 0, sizeof(*m));
	m->line = line;
	m->end_line = line + 1;
	m->conn.line = -1;
	m->rtcp_line = -1;
	m->rtcp_conn.line = -1;
}

static bool bad_char(const struct pl *l)
{
	size_t i;

	for (i = 0; i < l->len; i++) {
		unsigned char c = (unsigned char)l->p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

/* Decode one line (already split, without its end) into s. */
static int line_decode(struct sdp_session *s, struct pl raw, unsigned lineno)
{
	struct sdp_line *l;
	struct sdp_media *m = NULL;
	const char *why;
	int idx = (int)s->line_cnt;
	enum sdp_dir d;

	if (raw.len < 2 || raw.p[1] != '=' || raw.p[0] < 'a' || raw.p[0] > 'z')
		return fail(s, EBADMSG, lineno, "expected <letter>=<value>");
	if (bad_char(&raw))
		return fail(s, EBADMSG, lineno, "control character in line");
	if (s->line_cnt == SDP_MAX_LINES)
		return fail(s, EOVERFLOW, lineno, "too many lines");
	if (idx == 0 && raw.p[0] != 'v')
		return fail(s, EBADMSG, lineno, "SDP must start with v=");
	l = &s->lines[s->line_cnt++];
	memset(l, 0, sizeof(*l));
	l->type = raw.p[0];
	l->val.p = raw.p + 2;
	l->val.len = raw.len - 2;
	l->media = (int8_t)((int)s->media_cnt - 1);
	if (s->media_cnt)
		m = &s->media[s->media_cnt - 1];

	switch (l->type) {
	case 'v':
		if (idx != 0)
			return fail(s, EBADMSG, lineno, "duplicate v= line");
		if (!pl_eq_str(&l->val, "0"))
			return fail(s, EBADMSG, lineno, "unsupported v= version");
		break;
	case 'o':
		if (m || s->origin.line >= 0)
			return fail(s, EBADMSG, lineno, "misplaced o= line");
		if (origin_parse(s, l, idx))
			return fail(s, EBADMSG, lineno,
				    "o= line needs 6 fields");
		break;
	case 's':
		if (!m)
			s->name = l->val;
		break;
	case 'c':
		if (m) {
			if (m->conn.line >= 0)
				break;	/* more multicast addresses: kept */
			if (conn_parse(l->val, &m->conn, idx))
				return fail(s, EBADMSG, lineno,
					    "c= line needs IN <type> <addr>");
		} else {
			if (s->conn.line >= 0)
				return fail(s, EBADMSG, lineno,
					    "duplicate session c= line");
			if (conn_parse(l->val, &s->conn, idx))
				return fail(s, EBADMSG, lineno,
					    "c= line needs IN <type> <addr>");
		}
		break;
	case 'm':
		if (s->media_cnt == SDP_MAX_MEDIA)
			return fail(s, EOVERFLOW, lineno, "too many m= lines");
		m = &s->media[s->media_cnt];
		media_init(m, idx);
		if (media_parse(m, &l->val, &why))
			return fail(s, EBADMSG, lineno, why);
		l->media = (int8_t)s->media_cnt;
		s->media_cnt++;
		if (pl_prefix_case(&m->proto, "UDP/TLS/") ||
		    pl_prefix_case(&m->proto, "TCP/TLS/") ||
		    pl_prefix_case(&m->proto, "TCP/DTLS/"))
			m->flags |= SDP_SEC_DTLS;
		else if (pl_prefix_case(&m->proto, "RTP/SAVP"))
			m->flags |= SDP_SEC_SRTP;
		break;
	case 'a':
		if (pl_split(&l->val, ':', &l->name, &l->aval))
			l->aval = PL_NULL;
		if (!l->name.len)
			return fail(s, EBADMSG, lineno, "a= line without name");
		l->attr = (uint8_t)attr_id(&l->name);
		if (m)
			m->flags |= attr_flags(l->attr);
		else
			s->flags |= attr_flags(l->attr);
		if (attr_dir(l->attr, &d)) {
			if (m) {
				m->dir = d;
				m->dir_set = true;
			} else {
				s->dir = d;
			}
		} else if (l->attr == SDP_ATTR_RTCP && m) {
			if (m->rtcp_line >= 0)
				return fail(s, EBADMSG, lineno,
					    "duplicate a=rtcp");
			if (rtcp_parse(m, &l->aval, idx))
				return fail(s, EBADMSG, lineno,
					    "a=rtcp needs <port> [IN <type> <addr>]");
		} else if (l->attr == SDP_ATTR_RTCP_MUX && m) {
			m->rtcp_mux = true;
		}
		break;
	default:
		break;
	}
	if (s->media_cnt)
		s->media[s->media_cnt - 1].end_line = idx + 1;
	return 0;
}

int sdp_decode(struct sdp_session *s, const struct pl *body)
{
	struct pl cur, raw;
	const char *nl;
	unsigned lineno = 0;
	size_t i;
	int err;

	if (!s || !body)
		return EINVAL;
	s->body = *body;
	s->o_user = s->o_sess_id = s->o_sess_ver = s->name = PL_NULL;
	memset(&s->origin, 0, sizeof(s->origin));
	memset(&s->conn, 0, sizeof(s->conn));
	s->origin.line = -1;
	s->conn.line = -1;
	s->dir = SDP_DIR_SENDRECV;
	s->flags = 0;
	s->line_cnt = 0;
	s->media_cnt = 0;
	s->err[0] = '\0';

	cur = *body;
	if (!cur.p)
		cur.len = 0;
	while (cur.len) {
		lineno++;
		raw = cur;
		nl = pl_chr(&cur, '\n');
		if (nl) {
			raw.len = (size_t)(nl - cur.p);
			pl_advance(&cur, raw.len + 1);
		} else {
			pl_advance(&cur, cur.len);
		}
		if (raw.len && raw.p[raw.len - 1] == '\r')
			raw.len--;
		if (!raw.len)
			continue;
		err = line_decode(s, raw, lineno);
		if (err)
			return err;
	}
	if (!s->line_cnt)
		return fail(s, EBADMSG, 0, "empty SDP");
	if (s->origin.line < 0)
		return fail(s, EBADMSG, 0, "missing o= line");
	for (i = 0; i < s->media_cnt; i++) {
		struct sdp_media *m = &s->media[i];

		if (!m->dir_set)
			m->dir = s->dir;
		if (m->port_n && m->conn.line < 0 && s->conn.line < 0) {
			snprintf(s->err, sizeof(s->err),
				 "m=%.*s (m-line %zu) has no c= line",
				 (int)(m->type.len > 16 ? 16 : m->type.len),
				 m->type.p, i + 1);
			return EBADMSG;
		}
	}
	return 0;
}

const struct sdp_conn *sdp_media_conn(const struct sdp_session *s, size_t i)
{
	if (i >= s->media_cnt)
		return NULL;
	if (s->media[i].conn.line >= 0)
		return &s->media[i].conn;
	if (s->conn.line >= 0)
		return &s->conn;
	return NULL;
}

enum sdp_dir sdp_media_dir(const struct sdp_session *s, size_t i)
{
	if (i >= s->media_cnt)
		return s->dir;
	return s->media[i].dir_set ? s->media[i].dir : s->dir;
}

bool sdp_media_hold(const struct sdp_session *s, size_t i)
{
	const struct sdp_conn *c = sdp_media_conn(s, i);
	enum sdp_dir d = sdp_media_dir(s, i);

	if (d == SDP_DIR_SENDONLY || d == SDP_DIR_INACTIVE)
		return true;
	/* RFC 2543 hold, still sent by older phones (RFC 3264 8.4). */
	return c && pl_eq_str(&c->addr, "0.0.0.0");
}

bool sdp_session_hold(const struct sdp_session *s)
{
	size_t i, live = 0;

	for (i = 0; i < s->media_cnt; i++) {
		if (!s->media[i].port_n)
			continue;
		live++;
		if (!sdp_media_hold(s, i))
			return false;
	}
	return live > 0;
}

unsigned sdp_media_sec(const struct sdp_session *s, size_t i)
{
	if (i >= s->media_cnt)
		return s->flags;
	return s->media[i].flags | s->flags;
}

unsigned sdp_session_sec(const struct sdp_session *s)
{
	unsigned f = s->flags;
	size_t i;

	for (i = 0; i < s->media_cnt; i++)
		f |= s->media[i].flags;
	return f;
}

const char *sdp_dir_name(enum sdp_dir d)
{
	switch (d) {
	case SDP_DIR_SENDONLY: return "sendonly";
	case SDP_DIR_RECVONLY: return "recvonly";
	case SDP_DIR_INACTIVE: return "inactive";
	default: return "sendrecv";
	}
}

const struct sdp_line *sdp_attr_next(const struct sdp_session *s, int media,
				     const char *name, int *iter)
{
	int i;

	for (i = *iter + 1; i < (int)s->line_cnt; i++) {
		const struct sdp_line *l = &s->lines[i];

		if (l->type != 'a' || l->media != media)
			continue;
		if (pl_caseeq_str(&l->name, name)) {
			*iter = i;
			return l;
		}
	}
	*iter = (int)s->line_cnt;
	return NULL;
}

bool sdp_fmt_next(struct pl *cursor, struct pl *fmt)
{
	return next_tok(cursor, fmt);
}

int sdp_rtpmap_decode(const struct pl *aval, struct sdp_rtpmap *out)
{
	struct pl cur = *aval, pt, enc, name, rest, rate, params;
	uint32_t v, clock;

	if (!next_tok(&cur, &pt) || !next_tok(&cur, &enc))
		return EBADMSG;
	if (pl_to_u32(&pt, &v) || v > 127)
		return EBADMSG;
	if (pl_split(&enc, '/', &name, &rest) || !name.len)
		return EBADMSG;
	if (pl_split(&rest, '/', &rate, &params))
		params = PL_NULL;
	if (pl_to_u32(&rate, &clock))
		return EBADMSG;
	out->pt = (uint8_t)v;
	out->encoding = name;
	out->clock_rate = clock;
	out->params = params;
	return 0;
}

int sdp_media_rtpmap(const struct sdp_session *s, size_t i, uint8_t pt,
		     struct sdp_rtpmap *out)
{
	const struct sdp_line *l;
	struct sdp_rtpmap r;
	int iter = -1;

	if (i >= s->media_cnt)
		return ENOENT;
	while ((l = sdp_attr_next(s, (int)i, "rtpmap", &iter))) {
		if (sdp_rtpmap_decode(&l->aval, &r))
			continue;
		if (r.pt == pt) {
			*out = r;
			return 0;
		}
	}
	return ENOENT;
}
