/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSRP framing (RFC 4975 7, 9): the head decoder and the resumable push
 * parser. Only the start line and header block are copied (bounded by
 * max_head); content is handed out as it arrives, slices of the caller's
 * input, except for the few bytes of a possible end-line split across two
 * reads, which wait in a small buffer inside the parser.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "msrp/msrp.h"

enum {
	PS_START = 0,	/* nothing of this message yet */
	PS_HEAD,	/* gathering start line and headers */
	PS_HEAD_END,	/* head returned; END (no body) comes next */
	PS_BODY,
	PS_CRLF,	/* flag seen; the end-line's CRLF comes next */
	PS_ERR,
};

static const struct {
	const char *name;
	enum msrp_hdr_id id;
} hdr_names[] = {
	{ "To-Path", MSRP_H_TO_PATH },
	{ "From-Path", MSRP_H_FROM_PATH },
	{ "Message-ID", MSRP_H_MESSAGE_ID },
	{ "Byte-Range", MSRP_H_BYTE_RANGE },
	{ "Success-Report", MSRP_H_SUCCESS_REPORT },
	{ "Failure-Report", MSRP_H_FAILURE_REPORT },
	{ "Status", MSRP_H_STATUS },
	{ "Content-Type", MSRP_H_CONTENT_TYPE },
	{ "Use-Path", MSRP_H_USE_PATH },
	{ "WWW-Authenticate", MSRP_H_WWW_AUTHENTICATE },
	{ "Authorization", MSRP_H_AUTHORIZATION },
	{ "Authentication-Info", MSRP_H_AUTHENTICATION_INFO },
	{ "Expires", MSRP_H_EXPIRES },
	{ "Min-Expires", MSRP_H_MIN_EXPIRES },
	{ "Max-Expires", MSRP_H_MAX_EXPIRES },
};

enum msrp_hdr_id msrp_hdr_lookup(const struct pl *name)
{
	size_t i;

	/* Fifteen names: a linear case-blind scan beats a hash here. */
	for (i = 0; i < sizeof(hdr_names) / sizeof(hdr_names[0]); i++)
		if (pl_caseeq_str(name, hdr_names[i].name))
			return hdr_names[i].id;
	return MSRP_H_OTHER;
}

const struct msrp_hdr *msrp_msg_hdr(const struct msrp_msg *msg,
				    enum msrp_hdr_id id)
{
	if (id <= MSRP_H_OTHER || id >= MSRP_H_COUNT || msg->first[id] < 0)
		return NULL;
	return &msg->hdrs[msg->first[id]];
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

bool msrp_ident_ok(const struct pl *s)
{
	size_t i;

	/* ident = ALPHANUM 3*31ident-char (RFC 4975 9) */
	if (s->len < 4 || s->len > MSRP_TID_MAX || !is_alnum(s->p[0]))
		return false;
	for (i = 1; i < s->len; i++) {
		char c = s->p[i];
		if (!is_alnum(c) && !strchr(".-+%=", c))
			return false;
	}
	return true;
}

static int bad(struct msrp_msg *m, const char *why)
{
	snprintf(m->err, sizeof(m->err), "%s", why);
	return EBADMSG;
}

static bool is_token_char(char c)
{
	return is_alnum(c) || (c && strchr("-.!%*_+`'~", c));
}

static int start_decode(struct msrp_msg *m, struct pl line)
{
	struct pl tid, rest, word;
	size_t i;

	if (!pl_prefix_case(&line, "MSRP ") || line.p[0] != 'M')
		return bad(m, "start line does not begin with MSRP");
	pl_advance(&line, 5);
	if (pl_split(&line, ' ', &tid, &rest))
		return bad(m, "start line too short");
	if (!msrp_ident_ok(&tid))
		return bad(m, "bad transaction id");
	m->tid = tid;
	pl_split(&rest, ' ', &word, &line);
	if (word.len == 3 && word.p[0] >= '0' && word.p[0] <= '9' &&
	    word.p[1] >= '0' && word.p[1] <= '9' &&
	    word.p[2] >= '0' && word.p[2] <= '9') {
		m->is_req = false;
		m->scode = (uint16_t)((word.p[0] - '0') * 100 +
				      (word.p[1] - '0') * 10 + word.p[2] - '0');
		if (m->scode < 100)
			return bad(m, "bad status code");
		m->comment = rest.len > 3 ? line : PL_NULL;
		return 0;
	}
	if (!word.len || rest.len != word.len)
		return bad(m, "bad method");
	for (i = 0; i < word.len; i++)
		if (word.p[i] < 'A' || word.p[i] > 'Z')
			return bad(m, "bad method");
	m->is_req = true;
	m->method = word;
	if (pl_eq_str(&word, "SEND"))
		m->mid = MSRP_M_SEND;
	else if (pl_eq_str(&word, "REPORT"))
		m->mid = MSRP_M_REPORT;
	else if (pl_eq_str(&word, "AUTH"))
		m->mid = MSRP_M_AUTH;
	else
		m->mid = MSRP_M_OTHER;
	return 0;
}

static int hdr_decode(struct msrp_msg *m, struct pl line)
{
	struct msrp_hdr *h;
	struct pl name, val;
	size_t i;

	if (pl_split(&line, ':', &name, &val))
		return bad(m, "header line without colon");
	if (!name.len)
		return bad(m, "empty header name");
	for (i = 0; i < name.len; i++)
		if (!is_token_char(name.p[i]))
			return bad(m, "bad header name");
	if (m->nhdrs >= MSRP_MAX_HDRS) {
		bad(m, "too many headers");
		return EOVERFLOW;
	}
	pl_trim(&val);
	h = &m->hdrs[m->nhdrs];
	h->id = msrp_hdr_lookup(&name);
	h->name = name;
	h->val = val;
	h->line = line;
	if (h->id != MSRP_H_OTHER && m->first[h->id] < 0)
		m->first[h->id] = (int)m->nhdrs;
	m->nhdrs++;
	return 0;
}

int msrp_head_decode(struct msrp_msg *m, const char *p, size_t len)
{
	struct pl rest = pl_from_mem(p, len), line;
	const char *nl;
	int err, i;
	bool first = true;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < MSRP_H_COUNT; i++)
		m->first[i] = -1;
	while (rest.len) {
		nl = pl_chr(&rest, '\n');
		if (!nl || nl == rest.p || nl[-1] != '\r')
			return bad(m, "line not ended by CRLF");
		line = pl_from_mem(rest.p, (size_t)(nl - 1 - rest.p));
		pl_advance(&rest, (size_t)(nl + 1 - rest.p));
		if (memchr(line.p, '\r', line.len) || memchr(line.p, 0, line.len))
			return bad(m, "stray CR or NUL in head");
		err = first ? start_decode(m, line) : hdr_decode(m, line);
		if (err)
			return err;
		first = false;
	}
	if (first)
		return bad(m, "empty head");
	/* RFC 4975 9: every request and response carries both paths. */
	if (m->first[MSRP_H_TO_PATH] < 0 || m->first[MSRP_H_FROM_PATH] < 0)
		return bad(m, "To-Path or From-Path missing");
	return 0;
}

/* ---- the push parser ---- */

void msrp_parser_init(struct msrp_parser *p, size_t max_head)
{
	memset(p, 0, sizeof(*p));
	p->max_head = max_head ? max_head : 16384;
	buf_init(&p->head);
}

void msrp_parser_fini(struct msrp_parser *p)
{
	buf_fini(&p->head);
}

bool msrp_parser_idle(const struct msrp_parser *p)
{
	return p->state == PS_START;
}

static int fail(struct msrp_parser *p, const char *why)
{
	snprintf(p->err, sizeof(p->err), "%s", why);
	p->state = PS_ERR;
	return EBADMSG;
}

/* Is line ("-------tid" flag CRLF) the end-line of this transaction? */
static bool is_end_line(const struct msrp_parser *p, struct pl line,
			char *flag)
{
	size_t tl = strlen(p->tid);

	if (line.len != 7 + tl + 3 || memcmp(line.p, "-------", 7) ||
	    memcmp(line.p + 7, p->tid, tl))
		return false;
	*flag = line.p[7 + tl];
	return (*flag == '$' || *flag == '+' || *flag == '#') &&
	       line.p[line.len - 2] == '\r' && line.p[line.len - 1] == '\n';
}

static int head_done(struct msrp_parser *p, size_t len, bool body,
		     struct msrp_ev *ev)
{
	int err;

	err = msrp_head_decode(&p->msg, (const char *)p->head.data, len);
	if (err)
		return fail(p, p->msg.err);
	if (body && !p->msg.is_req)
		return fail(p, "response with a body");
	if (body && !msrp_msg_hdr(&p->msg, MSRP_H_CONTENT_TYPE))
		return fail(p, "body without Content-Type");
	p->msg.has_body = body;
	p->plen = 2 + 7 + p->msg.tid.len + 1;
	memcpy(p->pat, "\r\n-------", 9);
	memcpy(p->pat + 9, p->msg.tid.p, p->msg.tid.len);
	p->npend = 0;
	p->body_start = true;
	p->body_len = 0;
	ev->kind = MSRP_EV_HEAD;
	ev->msg = &p->msg;
	return 0;
}

/* Check the start line as soon as it is complete, so junk fails early. */
static int check_start(struct msrp_parser *p, size_t len)
{
	struct msrp_msg m;
	int err;

	err = start_decode(&m, pl_from_mem(p->head.data, len - 2));
	if (err)
		return fail(p, m.err);
	/* a copy: the head buffer may move as it grows */
	pl_strcpy(&m.tid, p->tid, sizeof(p->tid));
	p->is_req = m.is_req;
	return 0;
}

static int head_step(struct msrp_parser *p, struct pl *in, struct msrp_ev *ev)
{
	const char *nl;
	struct pl line;
	size_t take;
	char flag;

	while (in->len) {
		nl = pl_chr(in, '\n');
		take = nl ? (size_t)(nl - in->p) + 1 : in->len;
		if (p->head.len + take > p->max_head)
			return fail(p, "head too long");
		if (buf_put(&p->head, in->p, take))
			return ENOMEM;
		pl_advance(in, take);
		if (p->line_off == 0 && p->head.len >= 1 &&
		    memcmp(p->head.data, "MSRP ",
			   p->head.len < 5 ? p->head.len : 5))
			return fail(p, "start line does not begin with MSRP");
		if (!nl)
			return ENODATA;
		line = pl_from_mem(p->head.data + p->line_off,
				   p->head.len - p->line_off);
		if (line.len < 2 || line.p[line.len - 2] != '\r')
			return fail(p, "line not ended by CRLF");
		if (p->line_off == 0) {
			if (check_start(p, line.len))
				return EBADMSG;
		} else if (line.len == 2) {
			p->state = PS_BODY;
			return head_done(p, p->line_off, true, ev);
		} else if (line.len >= 7 && !memcmp(line.p, "-------", 7)) {
			if (!is_end_line(p, line, &flag))
				return fail(p, "bad end-line");
			p->flag = flag;
			p->state = PS_HEAD_END;
			return head_done(p, p->line_off, false, ev);
		} else if (!memchr(line.p, ':', line.len)) {
			return fail(p, "header line without colon");
		}
		p->line_off = p->head.len;
	}
	return ENODATA;
}

/* Does c match the end-line pattern at position i? */
static bool pat_ok(const struct msrp_parser *p, size_t i, uint8_t c)
{
	if (i == p->plen - 1)
		return c == '$' || c == '+' || c == '#';
	return (uint8_t)p->pat[i] == c;
}

/*
 * A candidate end-line sits in pend (matched so far from pattern offset
 * poff). Extend it from *in; on a full match switch to PS_CRLF, on a
 * mismatch hand the bytes that cannot start an end-line out as content.
 */
static int pend_step(struct msrp_parser *p, struct pl *in, struct msrp_ev *ev)
{
	size_t k, j;
	bool miss = false;

	for (k = 0; k < p->npend; k++)
		if (!pat_ok(p, p->poff + k, p->pend[k])) {
			miss = true;
			break;
		}
	while (!miss && p->poff + k < p->plen && in->len) {
		if (!pat_ok(p, p->poff + k, (uint8_t)in->p[0])) {
			miss = true;
			break;
		}
		p->pend[p->npend++] = (uint8_t)in->p[0];
		pl_advance(in, 1);
		k++;
	}
	if (!miss && p->poff + k == p->plen) {
		p->flag = (char)p->pend[p->npend - 1];
		p->npend = 0;
		p->ncrlf = 0;
		p->state = PS_CRLF;
		return ENODATA;	/* caller loops on */
	}
	if (!miss)
		return ENODATA;	/* input used up, still a candidate */
	if (!p->npend) {	/* cannot happen: callers start on a match */
		p->pend[p->npend++] = (uint8_t)in->p[0];
		pl_advance(in, 1);
	}
	/* Mismatch: content up to the next CR, which may start a new one. */
	for (j = 1; j < p->npend && p->pend[j] != '\r'; j++)
		;
	memcpy(p->emit, p->pend, j);
	memmove(p->pend, p->pend + j, p->npend - j);
	p->npend -= j;
	p->poff = 0;
	p->body_len += j;
	ev->kind = MSRP_EV_DATA;
	ev->msg = &p->msg;
	ev->data = pl_from_mem(p->emit, j);
	return 0;
}

static int body_step(struct msrp_parser *p, struct pl *in, struct msrp_ev *ev)
{
	const char *cr;
	size_t n;

	if (p->npend)
		return pend_step(p, in, ev);
	if (!in->len)
		return ENODATA;
	if (p->body_start) {
		p->body_start = false;
		/* An empty body sent as "\r\n\r\n-------tid$" is standard;
		 * accept the end-line right after the blank line too. */
		if (in->p[0] == '-') {
			p->poff = 2;
			return pend_step(p, in, ev);
		}
	}
	if (in->p[0] == '\r') {
		p->poff = 0;
		return pend_step(p, in, ev);
	}
	cr = memchr(in->p, '\r', in->len);
	n = cr ? (size_t)(cr - in->p) : in->len;
	ev->kind = MSRP_EV_DATA;
	ev->msg = &p->msg;
	ev->data = pl_from_mem(in->p, n);
	pl_advance(in, n);
	p->body_len += n;
	return 0;
}

static void reset_msg(struct msrp_parser *p)
{
	buf_reset(&p->head);
	memset(&p->msg, 0, sizeof(p->msg));
	p->tid[0] = 0;
	p->is_req = false;
	p->line_off = 0;
	p->npend = 0;
	p->poff = 0;
	p->state = PS_HEAD;
}

int msrp_parse(struct msrp_parser *p, struct pl *in, struct msrp_ev *ev)
{
	int err;

	for (;;) {
		switch (p->state) {
		case PS_START:
			if (!in->len)
				return ENODATA;
			reset_msg(p);
			break;
		case PS_HEAD:
			return head_step(p, in, ev);
		case PS_HEAD_END:
			p->state = PS_START;
			ev->kind = MSRP_EV_END;
			ev->msg = &p->msg;
			ev->flag = p->flag;
			return 0;
		case PS_BODY:
			err = body_step(p, in, ev);
			if (err != ENODATA || p->state == PS_BODY)
				return err;
			break;
		case PS_CRLF:
			while (p->ncrlf < 2 && in->len) {
				if (in->p[0] != (p->ncrlf ? '\n' : '\r'))
					return fail(p, "end-line not ended by CRLF");
				pl_advance(in, 1);
				p->ncrlf++;
			}
			if (p->ncrlf < 2)
				return ENODATA;
			p->state = PS_START;
			ev->kind = MSRP_EV_END;
			ev->msg = &p->msg;
			ev->flag = p->flag;
			return 0;
		default:
			return EBADMSG;
		}
	}
}

void msrp_parser_paths(const struct msrp_parser *p, struct pl *to_path,
		       struct pl *from_path)
{
	struct pl head = pl_from_mem(p->head.data, p->head.len), line;
	const char *nl;

	*to_path = PL_NULL;
	*from_path = PL_NULL;
	while (head.len && (nl = pl_chr(&head, '\n'))) {
		line = pl_from_mem(head.p, (size_t)(nl - head.p));
		pl_advance(&head, line.len + 1);
		pl_trim(&line);
		if (pl_prefix_case(&line, "To-Path:"))
			*to_path = pl_from_mem(line.p + 8, line.len - 8);
		else if (pl_prefix_case(&line, "From-Path:"))
			*from_path = pl_from_mem(line.p + 10, line.len - 10);
	}
}

void msrp_hdr_copy(const struct msrp_msg *msg, enum msrp_hdr_id id,
		   char *out, size_t n)
{
	const struct msrp_hdr *h = msrp_msg_hdr(msg, id);

	out[0] = '\0';
	if (h)
		pl_strcpy(&h->val, out, n);
}
