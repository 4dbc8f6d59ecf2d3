/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encoder: responses built from a request (RFC 3261 8.2.6), forwarded
 * requests (16.6) and forwarded responses (16.7). Every header line the
 * encoder has no reason to touch is copied byte for byte from the
 * received message, folding, compact names and case included; changed
 * lines are rewritten with the name as received.
 */
#include <errno.h>
#include <string.h>
#include "sip/sip_int.h"

/*
 * Slices go through buf_put, never "%.*s": values may hold NUL bytes
 * inside quoted strings (RFC 4475 3.1.1.2) and printf stops at a NUL.
 */
static int put_parts(struct buf *b, const struct pl *a, const char *sep,
		     const struct pl *c, const char *sep2,
		     const struct pl *d)
{
	int err = buf_put_pl(b, a);

	if (!err)
		err = buf_put_str(b, sep);
	if (!err)
		err = buf_put_pl(b, c);
	if (!err && sep2)
		err = buf_put_str(b, sep2);
	if (!err && d)
		err = buf_put_pl(b, d);
	if (!err)
		err = buf_put(b, "\r\n", 2);
	return err;
}

static int put_hdr(struct buf *b, const char *name, const struct pl *val)
{
	struct pl n = pl_from_str(name);

	return put_parts(b, &n, ": ", val, NULL, NULL);
}

/* A received line, with a CRLF added if the datagram ended without one. */
static int put_line(struct buf *b, const struct sip_hdr *h)
{
	int err = buf_put_pl(b, &h->line);

	if (!err && (!h->line.len || h->line.p[h->line.len - 1] != '\n'))
		err = buf_put(b, "\r\n", 2);
	return err;
}

static int put_extra(struct buf *b, const struct sip_hdr_add *x, size_t n)
{
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++)
		err = put_hdr(b, x[i].name, &x[i].val);
	return err;
}

/* Content-Type (when given), Content-Length, the empty line, the body. */
static int put_body(struct buf *b, const struct pl *ctype,
		    const struct pl *body)
{
	int err = 0;

	if (ctype && ctype->len && body && body->len)
		err = put_hdr(b, "Content-Type", ctype);
	if (!err)
		err = buf_printf(b, "Content-Length: %zu\r\n\r\n",
				 body ? body->len : 0);
	if (!err && body && body->len)
		err = buf_put_pl(b, body);
	return err;
}

/* The received end of headers and body, adding Content-Length if the
 * message had none (a stream hop needs it, RFC 3261 18.3). */
static int put_tail(struct buf *b, const struct sip_msg *msg)
{
	int err = 0;

	if (!msg->has_content_length)
		err = buf_printf(b, "Content-Length: %zu\r\n", msg->body.len);
	if (!err)
		err = msg->eoh.len ? buf_put_pl(b, &msg->eoh) :
				     buf_put(b, "\r\n", 2);
	if (!err)
		err = buf_put_pl(b, &msg->body);
	return err;
}

/* The start line with its line ending, as received. */
static struct pl raw_start(const struct sip_msg *msg)
{
	struct pl s = { msg->raw.p, 0 };

	s.len = (size_t)((msg->nhdrs ? msg->hdrs[0].line.p : msg->eoh.p) -
			 msg->raw.p);
	return s;
}

/* Rewrite a list header without its first element, or drop it when that
 * was the only one. */
static int put_popped(struct buf *b, const struct sip_hdr *h)
{
	struct pl rest = h->val, first;
	bool comma;

	if (sip_list_split(&rest, &first, &comma))
		return EBADMSG;
	lws_trim(&rest);
	if (!rest.len)
		return 0;
	return put_parts(b, &h->name, ": ", &rest, NULL, NULL);
}

static bool stripped(const struct sip_fwd *f, enum sip_hdr_id id)
{
	size_t i;

	for (i = 0; f->strip && i < f->nstrip; i++)
		if (f->strip[i] == id && id != SIP_HDR_OTHER)
			return true;
	return false;
}

int sip_encode_response(struct buf *out, const struct sip_msg *req,
			uint16_t scode, const char *reason,
			const struct pl *to_tag,
			const struct sip_hdr_add *extra, size_t nextra,
			const struct pl *ctype, const struct pl *body)
{
	size_t i;
	int err;

	if (!out || !req || !req->is_req || scode < 100 || scode > 699)
		return EINVAL;
	err = buf_printf(out, "SIP/2.0 %u %s\r\n", scode,
			 reason ? reason : sip_reason(scode));
	for (i = 0; i < req->nhdrs && !err; i++) {
		const struct sip_hdr *h = &req->hdrs[i];

		switch (h->id) {
		case SIP_HDR_TO:
			if (to_tag && to_tag->len && !req->to.tag.len) {
				err = put_parts(out, &h->name, ": ",
						&h->val, ";tag=", to_tag);
				break;
			}
			/* fall through */
		case SIP_HDR_VIA:
		case SIP_HDR_FROM:
		case SIP_HDR_CALL_ID:
		case SIP_HDR_CSEQ:
			err = put_line(out, h);
			break;
		default:
			break;
		}
	}
	if (!err)
		err = put_extra(out, extra, nextra);
	if (!err)
		err = put_body(out, ctype, body);
	return err;
}

static int fwd_mf(const struct sip_msg *req, const struct sip_fwd *fwd,
		  uint32_t *mf)
{
	*mf = 70;
	if (!fwd->decrement_mf || !sip_msg_hdr(req, SIP_HDR_MAX_FORWARDS))
		return 0;
	if (sip_msg_u32(req, SIP_HDR_MAX_FORWARDS, mf) || *mf == 0)
		return EINVAL;	/* the proxy answers 483 first (16.3) */
	return 0;
}

static int fwd_hdr(struct buf *out, const struct sip_msg *req,
		   const struct sip_fwd *fwd, size_t i, uint32_t mf)
{
	const struct sip_hdr *h = &req->hdrs[i];

	if (stripped(fwd, h->id))
		return 0;
	if (fwd->new_body && (h->id == SIP_HDR_CONTENT_LENGTH ||
			      (fwd->new_ctype &&
			       h->id == SIP_HDR_CONTENT_TYPE)))
		return 0;
	if (fwd->decrement_mf &&
	    (int)i == req->first[SIP_HDR_MAX_FORWARDS]) {
		int err = buf_put_pl(out, &h->name);

		return err ? err : buf_printf(out, ": %u\r\n", mf - 1);
	}
	if (fwd->pop_route && (int)i == req->first[SIP_HDR_ROUTE])
		return put_popped(out, h);
	return put_line(out, h);
}

int sip_encode_forward(struct buf *out, const struct sip_msg *req,
		       const struct sip_fwd *fwd)
{
	int vi, ri;
	uint32_t mf;
	size_t i;
	int err;

	if (!out || !req || !fwd || !req->is_req)
		return EINVAL;
	if ((err = fwd_mf(req, fwd, &mf)))
		return err;
	vi = req->first[SIP_HDR_VIA] >= 0 ? req->first[SIP_HDR_VIA] : 0;
	ri = req->first[SIP_HDR_RECORD_ROUTE];
	if (fwd->new_ruri)
		err = put_parts(out, &req->method, " ", fwd->new_ruri, " ",
				&req->version);
	else {
		struct pl s = raw_start(req);

		err = buf_put_pl(out, &s);
	}
	for (i = 0; i < req->nhdrs && !err; i++) {
		/* RFC 3261 16.6 step 8: our Via on top; 16.6 step 4: our
		 * Record-Route above the others */
		if ((int)i == vi && fwd->via)
			err = put_hdr(out, "Via", fwd->via);
		if (!err && fwd->record_route &&
		    ((int)i == ri || ((int)i == vi && ri < 0)))
			err = put_hdr(out, "Record-Route", fwd->record_route);
		if (!err)
			err = fwd_hdr(out, req, fwd, i, mf);
	}
	if (!err && fwd->decrement_mf &&
	    !sip_msg_hdr(req, SIP_HDR_MAX_FORWARDS))
		err = buf_printf(out, "Max-Forwards: %u\r\n", mf);
	if (!err)
		err = put_extra(out, fwd->extra, fwd->nextra);
	if (!err)
		err = fwd->new_body ? put_body(out, fwd->new_ctype,
					       fwd->new_body) :
				      put_tail(out, req);
	return err;
}

int sip_encode_response_fwd(struct buf *out, const struct sip_msg *rsp,
			    const struct pl *new_body,
			    const struct pl *new_ctype)
{
	struct pl s;
	size_t i;
	int err;

	if (!out || !rsp || rsp->is_req)
		return EINVAL;
	s = raw_start(rsp);
	err = buf_put_pl(out, &s);
	for (i = 0; i < rsp->nhdrs && !err; i++) {
		const struct sip_hdr *h = &rsp->hdrs[i];

		if (new_body && (h->id == SIP_HDR_CONTENT_LENGTH ||
				 (new_ctype && h->id == SIP_HDR_CONTENT_TYPE)))
			continue;
		if ((int)i == rsp->first[SIP_HDR_VIA])
			err = put_popped(out, h);	/* RFC 3261 16.7 (3) */
		else
			err = put_line(out, h);
	}
	if (!err)
		err = new_body ? put_body(out, new_ctype, new_body) :
				 put_tail(out, rsp);
	return err;
}
