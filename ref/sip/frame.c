/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stream framing for SIP over TCP/TLS (RFC 3261 18.3): find the end of the
 * headers, read Content-Length (long or compact form, folded lines
 * allowed), and report the frame length, or ENODATA until the whole
 * message is there. The caller keeps the bytes and calls again with more;
 * sip_framer keeps the scan position so a slow sender is not rescanned
 * from the start each time. Never reads a file descriptor.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include "sip/sip_int.h"

/* Content-Length of a header block [p, end): all CL lines must agree. */
static int content_length(const char *p, const char *end, uint32_t *cl,
			  const char **why)
{
	bool have = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lend = nl ? nl : end, *colon;
		struct pl name, val;
		uint32_t v;

		/* folded continuation lines never start a header */
		colon = (*p == ' ' || *p == '\t') ? NULL :
			memchr(p, ':', (size_t)(lend - p));
		if (colon) {
			name.p = p;
			name.len = (size_t)(colon - p);
			lws_rtrim(&name);
			if ((name.len == 1 && (*p == 'l' || *p == 'L')) ||
			    pl_caseeq_str(&name, "Content-Length")) {
				/* the value may continue on folded lines */
				const char *ve = lend;

				while (ve + 1 < end && (ve[1] == ' ' ||
							ve[1] == '\t')) {
					const char *n2 = memchr(ve + 1, '\n',
						(size_t)(end - ve - 1));
					ve = n2 ? n2 : end;
				}
				val.p = colon + 1;
				val.len = (size_t)(ve - val.p);
				lws_trim(&val);
				if (dec_u32(&val, &v)) {
					*why = "Content-Length is not a valid "
					       "length";
					return EBADMSG;
				}
				if (have && v != *cl) {
					*why = "conflicting Content-Length "
					       "values";
					return EBADMSG;
				}
				*cl = v;
				have = true;
			}
		}
		p = lend + 1;
	}
	if (!have) {
		*why = "no Content-Length on a stream transport";
		return EBADMSG;
	}
	return 0;
}

void sip_framer_init(struct sip_framer *fr, size_t max_hdr_bytes,
		     size_t max_body_bytes)
{
	memset(fr, 0, sizeof(*fr));
	fr->max_hdr_bytes = max_hdr_bytes ? max_hdr_bytes : 65536;
	fr->max_body_bytes = max_body_bytes ? max_body_bytes : 1u << 24;
}

int sip_framer_input(struct sip_framer *fr, const uint8_t *data, size_t len,
		     size_t *skip, size_t *msg_len)
{
	const char *s = (const char *)data, *end = s + len, *p, *eoh = NULL;
	size_t k = 0, n;
	uint32_t cl = 0;
	int err;

	fr->why = NULL;
	/* RFC 5626 3.5.1 keep-alives: CRLFs between messages */
	while ((n = eol_len(s + k, end)))
		k += n;
	*skip = k;
	if (k == len) {
		fr->scanned = 0;
		return ENODATA;
	}
	/* resume the search for the empty line where the last call ended,
	 * backing up 3 bytes in case a CRLFCRLF straddled the boundary */
	p = s + k + (fr->scanned > 3 ? fr->scanned - 3 : 0);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			break;
		if ((n = eol_len(nl + 1, end))) {
			eoh = nl + 1 + n;
			break;
		}
		p = nl + 1;
	}
	if (!eoh) {
		fr->scanned = len - k;
		if (len - k > fr->max_hdr_bytes) {
			fr->why = "headers longer than the limit";
			return EBADMSG;
		}
		return ENODATA;
	}
	if ((size_t)(eoh - s - k) > fr->max_hdr_bytes) {
		fr->why = "headers longer than the limit";
		return EBADMSG;
	}
	if ((err = content_length(s + k, eoh, &cl, &fr->why)))
		return err;
	if (cl > fr->max_body_bytes) {
		fr->why = "Content-Length over the body limit";
		return EBADMSG;
	}
	fr->scanned = (size_t)(eoh - s - k);
	if ((size_t)(end - eoh) < cl)
		return ENODATA;
	*msg_len = (size_t)(eoh - s - k) + cl;
	fr->scanned = 0;	/* the next call starts a new message */
	return 0;
}

int sip_frame(const uint8_t *data, size_t len, size_t max_hdr_bytes,
	      size_t *skip, size_t *msg_len)
{
	struct sip_framer fr;
	size_t sk = 0, ml = 0;
	int err;

	if ((!data && len) || !skip || !msg_len)
		return EINVAL;
	sip_framer_init(&fr, max_hdr_bytes, UINT32_MAX);
	err = sip_framer_input(&fr, data, len, &sk, &ml);
	*skip = sk;
	if (!err)
		*msg_len = ml;
	return err;
}
