/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message decoder: start line, one pass over the header lines into the
 * index (folded lines stay one entry), then the checks every core relies
 * on: required and single-value headers, Via, From/To, Call-ID, CSeq
 * against the method, Max-Forwards, Content-Length against the body,
 * Contact and Date syntax. Other headers are parsed on demand. Nothing
 * allocates; every slice points into the caller's buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "sip/sip_int.h"

static int fail(struct sip_msg *msg, uint16_t scode, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct sip_msg *msg, uint16_t scode, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg->err, sizeof(msg->err), fmt, ap);
	va_end(ap);
	msg->err_scode = msg->is_req ? scode : 0;
	return EBADMSG;
}

/* Quote at most 40 bytes of untrusted text into reasons. */
#define SHOW(pl) (int)((pl).len > 40 ? 40 : (pl).len), (pl).p

static int check_version(struct sip_msg *msg, const struct pl *v)
{
	if (CASEEQ(v, "sip/2.0"))
		return 0;
	if (pl_prefix_case(v, "SIP/"))
		return fail(msg, 505, "unknown SIP version %.*s", SHOW(*v));
	return fail(msg, 400, "bad SIP version '%.*s'", SHOW(*v));
}

static int request_line(struct sip_msg *msg, const struct pl *line,
			const char *sp1)
{
	const char *last = line->p + line->len - 1;
	const char *why = NULL;
	struct pl uri, ver;
	size_t i;

	msg->is_req = true;
	msg->method.p = line->p;
	msg->method.len = (size_t)(sp1 - line->p);
	for (i = 0; i < msg->method.len; i++)
		if (!ct_is(msg->method.p[i], CT_TOKEN))
			return fail(msg, 400, "method is not a token");
	msg->mid = sip_method_id(&msg->method);
	while (last > sp1 && *last != ' ')
		last--;
	if (last == line->p + line->len - 1)
		return fail(msg, 400, "request line ends in whitespace");
	if (last == sp1)
		return fail(msg, 400, "request line has no SIP version");
	ver.p = last + 1;
	ver.len = (size_t)(line->p + line->len - ver.p);
	uri.p = sp1 + 1;
	uri.len = (size_t)(last - uri.p);
	if (!uri.len || uri.p[0] == ' ' || uri.p[uri.len - 1] == ' ')
		return fail(msg, 400, "request line: more than one SP "
				      "between elements");
	if (check_version(msg, &ver))
		return EBADMSG;
	msg->version = ver;
	for (i = 0; i < uri.len; i++)
		if (is_lws(uri.p[i]))
			return fail(msg, 400, "Request-URI contains whitespace");
	if (uri.p[0] == '<')
		return fail(msg, 400, "Request-URI must not be enclosed in <>");
	msg->ruri_pl = uri;
	if (sip_uri_parse(&msg->ruri, &uri, &why))
		return fail(msg, 400, "Request-URI: %s", why);
	if (msg->ruri.headers.p && msg->ruri.scheme != SIP_SCHEME_OTHER)
		return fail(msg, 400, "Request-URI must not contain headers "
				      "(?%.*s)", SHOW(msg->ruri.headers));
	return 0;
}

static int status_line(struct sip_msg *msg, const struct pl *line,
		       const char *sp1)
{
	struct pl ver = { line->p, (size_t)(sp1 - line->p) }, code;
	const char *end = line->p + line->len;
	uint64_t v;

	msg->is_req = false;
	if (check_version(msg, &ver))
		return EBADMSG;
	msg->version = ver;
	code.p = sp1 + 1;
	code.len = 0;
	while (code.p + code.len < end && code.p[code.len] != ' ')
		code.len++;
	if (!code.len)
		return fail(msg, 0, "status line without a status code");
	switch (pl_to_u64(&code, &v)) {
	case 0:
		break;
	case EOVERFLOW:
		return fail(msg, 0, "status code %.*s out of range",
			    SHOW(code));
	default:
		return fail(msg, 0, "status code '%.*s' is not a number",
			    SHOW(code));
	}
	if (code.len != 3 || v < 100 || v > 699)
		return fail(msg, 0, "status code %.*s out of range",
			    SHOW(code));
	msg->scode = (uint16_t)v;
	msg->reason.p = code.p + code.len;
	msg->reason.len = 0;
	if (msg->reason.p < end) {
		msg->reason.p++;
		msg->reason.len = (size_t)(end - msg->reason.p);
	}
	return 0;
}

static int start_line(struct sip_msg *msg, const struct pl *line)
{
	const char *sp1 = pl_chr(line, ' ');

	if (!line->len)
		return fail(msg, 400, "empty start line");
	if (!sp1)
		return fail(msg, 400, "start line '%.*s' is neither a request "
				      "nor a status line", SHOW(*line));
	if (sp1 == line->p)
		return fail(msg, 400, "start line begins with whitespace");
	if (pl_prefix_case(line, "SIP/"))
		return status_line(msg, line, sp1);
	return request_line(msg, line, sp1);
}

/* One header line (with its folded continuations) starting at p. */
static int header_line(struct sip_msg *msg, const char **pp, const char *end)
{
	const char *p = *pp, *colon = NULL, *nl, *q;
	struct sip_hdr *h;
	struct pl name;

	if (*p == ' ' || *p == '\t')
		return fail(msg, 400, "header line starts with whitespace");
	/* one pass: the name's token characters, optional SP/HT, ':' */
	for (q = p; q < end && ct_is(*q, CT_TOKEN); q++)
		;
	name.p = p;
	name.len = (size_t)(q - p);
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q < end && *q == ':' && name.len) {
		colon = q;
	} else {
		const char *e = q;

		while (e < end && *e != ':' && *e != '\n')
			e++;
		name.len = (size_t)(e - p);
		lws_rtrim(&name);
		if (e >= end || *e != ':')
			return fail(msg, 400, "header line without ':': "
				    "'%.*s'", SHOW(name));
		if (!name.len)
			return fail(msg, 400, "header line with an empty "
					      "name");
		return fail(msg, 400, "header name '%.*s' is not a token",
			    SHOW(name));
	}
	/* RFC 3261 7.3.1: a line starting with SP/HT continues the value */
	q = colon + 1;
	for (;;) {
		nl = memchr(q, '\n', (size_t)(end - q));
		if (!nl) {
			nl = end;
			break;
		}
		if (nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t')) {
			q = nl + 1;
			continue;
		}
		nl++;
		break;
	}
	if (msg->nhdrs >= SIP_MAX_HDRS) {
		fail(msg, 400, "more than %d header lines", SIP_MAX_HDRS);
		return EOVERFLOW;
	}
	h = &msg->hdrs[msg->nhdrs];
	h->name = name;
	h->line.p = p;
	h->line.len = (size_t)(nl - p);
	h->val.p = colon + 1;
	h->val.len = (size_t)(nl - h->val.p);
	lws_trim(&h->val);
	h->id = sip_hdr_id(&name);
	if (msg->first[h->id] < 0)
		msg->first[h->id] = (int)msg->nhdrs;
	msg->nhdrs++;
	*pp = nl;
	return 0;
}

static int required(struct sip_msg *msg)
{
	static const enum sip_hdr_id req[] = {
		SIP_HDR_VIA, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CALL_ID,
		SIP_HDR_CSEQ,
	};
	static const enum sip_hdr_id single[] = {
		SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CALL_ID, SIP_HDR_CSEQ,
		SIP_HDR_MAX_FORWARDS,
	};
	char list[96];
	size_t i, n = 0;

	list[0] = '\0';
	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (msg->first[req[i]] < 0)
			n += (size_t)snprintf(list + n, sizeof(list) - n,
					      "%s%s", n ? ", " : "",
					      sip_hdr_name(req[i]));
	if (n)
		return fail(msg, 400, "missing required header%s: %s",
			    strchr(list, ',') ? "s" : "", list);
	for (i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		if (sip_msg_hdr_count(msg, single[i]) > 1)
			n += (size_t)snprintf(list + n, sizeof(list) - n,
					      "%s%s", n ? ", " : "",
					      sip_hdr_name(single[i]));
	if (n)
		return fail(msg, 400, "single-value header%s repeated: %s",
			    strchr(list, ',') ? "s" : "", list);
	return 0;
}

static int check_via(struct sip_msg *msg)
{
	struct sip_list_it it;
	struct sip_via via;
	struct pl e;
	const char *why = NULL;
	bool first = true;
	int err;

	sip_list_begin(&it, msg, SIP_HDR_VIA);
	while (!(err = sip_list_next(&it, &e))) {
		if (sip_via_parse(first ? &msg->via1 : &via, &e, &why))
			return fail(msg, 400, "Via: %s", why);
		first = false;
		msg->nvia++;
	}
	if (err == EBADMSG)
		return fail(msg, 400, "Via: empty element or unbalanced "
				      "quotes/<>");
	if (first)
		return fail(msg, 400, "Via: empty value");
	return 0;
}

static struct pl digits(const struct pl *s)
{
	struct pl d = { s->p, 0 };

	while (d.len < s->len && d.p[d.len] >= '0' && d.p[d.len] <= '9')
		d.len++;
	return d;
}

static int check_ids(struct sip_msg *msg)
{
	const struct sip_hdr *h;
	const char *why = NULL;
	bool ovf = false;
	size_t i;

	h = &msg->hdrs[msg->first[SIP_HDR_FROM]];
	if (sip_addr_parse(&msg->from, &h->val, &why))
		return fail(msg, 400, "From: %s", why);
	h = &msg->hdrs[msg->first[SIP_HDR_TO]];
	if (sip_addr_parse(&msg->to, &h->val, &why))
		return fail(msg, 400, "To: %s", why);
	h = &msg->hdrs[msg->first[SIP_HDR_CALL_ID]];
	msg->call_id = h->val;
	if (!h->val.len)
		return fail(msg, 400, "Call-ID is empty");
	for (i = 0; i < h->val.len; i++)
		if ((uint8_t)h->val.p[i] < 0x21)
			return fail(msg, 400, "Call-ID contains whitespace or "
					      "control characters");
	h = &msg->hdrs[msg->first[SIP_HDR_CSEQ]];
	if (sip_cseq_parse(&msg->cseq, &h->val, &why, &ovf))
		return ovf ? fail(msg, 400, "CSeq number %.*s out of range",
				  SHOW(digits(&h->val))) :
			     fail(msg, 400, "CSeq: %s", why);
	if (msg->is_req && !pl_eq(&msg->cseq.method, &msg->method))
		return fail(msg, msg->mid == SIP_M_OTHER ? 501 : 400,
			    "CSeq method %.*s does not match request method "
			    "%.*s", SHOW(msg->cseq.method), SHOW(msg->method));
	return 0;
}

static int check_mf(struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_MAX_FORWARDS);
	uint32_t v;

	if (!h)
		return 0;
	switch (dec_u32(&h->val, &v)) {
	case 0:
		if (v <= 255)
			return 0;
		/* fall through */
	case EOVERFLOW:
		return fail(msg, 400, "Max-Forwards %.*s out of range 0-255",
			    SHOW(h->val));
	default:
		return fail(msg, 400, "Max-Forwards '%.*s' is not a number",
			    SHOW(h->val));
	}
}

/* RFC 3261 18.3: a datagram may hold more than Content-Length (ignored)
 * but never less; without Content-Length the body runs to the end. */
static int check_length(struct sip_msg *msg, const char *body,
			const char *end)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_CONTENT_LENGTH);
	size_t avail = (size_t)(end - body);
	uint32_t v = 0;

	msg->body.p = body;
	msg->body.len = avail;
	for (; h; h = sip_msg_hdr_next(msg, h)) {
		uint32_t x;

		if (dec_u32(&h->val, &x))
			return fail(msg, 400, "Content-Length %.*s is not a "
				    "valid length", SHOW(h->val));
		if (msg->has_content_length && x != v)
			return fail(msg, 400, "conflicting Content-Length "
				    "values %u and %u", v, x);
		v = x;
		msg->has_content_length = true;
	}
	if (!msg->has_content_length)
		return 0;
	if (v > avail)
		return fail(msg, 400, "Content-Length %u but body is %zu bytes",
			    v, avail);
	msg->content_length = v;
	msg->body.len = v;
	msg->raw.len = (size_t)(body + v - msg->raw.p);
	return 0;
}

static int check_contact(struct sip_msg *msg)
{
	struct sip_list_it it;
	struct sip_contact c;
	const char *why = NULL;
	struct pl e;
	int err;

	sip_list_begin(&it, msg, SIP_HDR_CONTACT);
	while (!(err = sip_list_next(&it, &e))) {
		if (sip_contact_parse(msg->ncontact ? &c : &msg->contact1, &e,
				      &why))
			return fail(msg, 400, "Contact: %s", why);
		msg->ncontact++;
	}
	if (err == EBADMSG)
		return fail(msg, 400, "Contact: empty element or unbalanced "
				      "quotes/<>");
	return 0;
}

/* RFC 3261 20.17: rfc1123-date, and the zone is always "GMT". */
static int check_date(struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_DATE);
	struct pl z;

	if (!h)
		return 0;
	z = h->val;
	if (z.len < 4)
		return fail(msg, 400, "Date '%.*s' is malformed", SHOW(z));
	adv(&z, z.len - 4);
	if (!pl_eq_str(&z, " GMT")) {
		adv(&z, 1);
		return fail(msg, 400, "Date: time zone must be GMT, not '%.*s'",
			    SHOW(z));
	}
	return 0;
}

static void reset(struct sip_msg *msg)
{
	size_t i;

	/* The 128-entry index is not cleared: nhdrs bounds every use. The
	 * parsed fields are cleared one by one rather than with one big
	 * memset: on the hot path the memset cost more than the index. */
	msg->raw = msg->method = msg->ruri_pl = msg->reason = PL_NULL;
	msg->version = msg->start_line = PL_NULL;
	msg->is_req = false;
	msg->mid = SIP_M_OTHER;
	msg->scode = 0;
	sip_uri_clear(&msg->ruri);
	msg->nhdrs = 0;
	for (i = 0; i < SIP_HDR_COUNT; i++)
		msg->first[i] = -1;
	msg->body = msg->call_id = PL_NULL;
	msg->cseq.num = 0;
	msg->cseq.method = PL_NULL;
	msg->cseq.mid = SIP_M_OTHER;
	msg->from.raw.len = msg->to.raw.len = msg->via1.raw.len = 0;
	msg->from.tag.len = msg->to.tag.len = msg->via1.branch.len = 0;
	msg->ncontact = msg->nvia = 0;
	msg->content_length = 0;
	msg->has_content_length = false;
	msg->eoh.p = NULL;
	msg->eoh.len = 0;
	msg->err_scode = 0;
	msg->err[0] = '\0';
}

int sip_msg_decode(struct sip_msg *msg, const uint8_t *data, size_t len)
{
	const char *p = (const char *)data, *end = p + len, *nl;
	struct pl line;
	size_t n;
	int err;

	if (!msg || (!data && len))
		return EINVAL;
	reset(msg);
	/* RFC 3261 7.5: CRLFs before the start line are ignored */
	while ((n = eol_len(p, end)))
		p += n;
	if (p == end)
		return fail(msg, 400, "empty message");
	msg->raw.p = p;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		return fail(msg, 400, "message ends inside the start line");
	line.p = p;
	line.len = (size_t)(nl - p);
	if (line.len && line.p[line.len - 1] == '\r')
		line.len--;
	msg->start_line = line;
	if ((err = start_line(msg, &line)))
		return err;
	p = nl + 1;
	n = 0;
	while (p < end && !(n = eol_len(p, end)))
		if ((err = header_line(msg, &p, end)))
			return err;
	msg->eoh.p = p;
	msg->eoh.len = n;
	p += n;
	msg->raw.len = (size_t)(end - msg->raw.p);
	if ((err = required(msg)) || (err = check_via(msg)) ||
	    (err = check_ids(msg)) || (err = check_mf(msg)) ||
	    (err = check_length(msg, p, end)) || (err = check_contact(msg)) ||
	    (err = check_date(msg)))
		return err;
	return 0;
}

const struct sip_hdr *sip_msg_hdr(const struct sip_msg *msg,
				  enum sip_hdr_id id)
{
	if (!msg || (unsigned)id >= SIP_HDR_COUNT || msg->first[id] < 0)
		return NULL;
	return &msg->hdrs[msg->first[id]];
}

const struct sip_hdr *sip_msg_hdr_next(const struct sip_msg *msg,
				       const struct sip_hdr *prev)
{
	size_t i;

	if (!msg || !prev || prev < msg->hdrs ||
	    prev >= msg->hdrs + msg->nhdrs)
		return NULL;
	for (i = (size_t)(prev - msg->hdrs) + 1; i < msg->nhdrs; i++)
		if (msg->hdrs[i].id == prev->id &&
		    (prev->id != SIP_HDR_OTHER ||
		     pl_caseeq(&msg->hdrs[i].name, &prev->name)))
			return &msg->hdrs[i];
	return NULL;
}

const struct sip_hdr *sip_msg_hdr_name(const struct sip_msg *msg,
				       const char *name)
{
	struct pl n = pl_from_str(name);
	enum sip_hdr_id id = sip_hdr_id(&n);
	size_t i;

	if (!msg)
		return NULL;
	if (id != SIP_HDR_OTHER)
		return sip_msg_hdr(msg, id);
	for (i = 0; i < msg->nhdrs; i++)
		if (msg->hdrs[i].id == SIP_HDR_OTHER &&
		    pl_caseeq(&msg->hdrs[i].name, &n))
			return &msg->hdrs[i];
	return NULL;
}

size_t sip_msg_hdr_count(const struct sip_msg *msg, enum sip_hdr_id id)
{
	size_t i, n = 0;

	if (!msg || (unsigned)id >= SIP_HDR_COUNT || msg->first[id] < 0)
		return 0;
	for (i = (size_t)msg->first[id]; i < msg->nhdrs; i++)
		n += msg->hdrs[i].id == id;
	return n;
}

int sip_msg_u32(const struct sip_msg *msg, enum sip_hdr_id id,
		uint32_t *out)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, id);
	uint32_t v;

	if (!h)
		return ENOENT;
	if (dec_u32(&h->val, &v))
		return EBADMSG;
	*out = v;
	return 0;
}
