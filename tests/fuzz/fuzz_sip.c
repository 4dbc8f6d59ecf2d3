/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the SIP message decoder: decode, then every deep
 * parse over every list element, then the encoders. Properties checked
 * beyond "no crash, no out-of-bounds read": a message forwarded with no
 * change comes out byte-identical, and a forwarded request (Via, RR,
 * Max-Forwards, Route pop) and a built response decode again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "sip/sip.h"
#include "sip/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sip_msg m, m2;

static void deep(const struct sip_msg *msg)
{
	int id;

	for (id = 1; id < SIP_HDR_COUNT; id++) {
		struct sip_list_it it;
		struct pl e;

		sip_list_begin(&it, msg, (enum sip_hdr_id)id);
		while (!sip_list_next(&it, &e)) {
			struct sip_via v;
			struct sip_contact c;
			struct sip_addr a;
			struct sip_cseq cs;
			struct sip_auth au;
			struct pl p;
			char buf[64];

			switch (id) {
			case SIP_HDR_VIA:
				(void)sip_via_decode(&v, &e);
				break;
			case SIP_HDR_CONTACT:
				if (!sip_contact_decode(&c, &e))
					(void)sip_unescape(&c.addr.uri.user,
							   buf, sizeof(buf),
							   NULL);
				break;
			case SIP_HDR_ROUTE:
			case SIP_HDR_RECORD_ROUTE:
			case SIP_HDR_PATH:
				if (!sip_addr_decode(&a, &e))
					(void)sip_param(&a.uri.params, "lr",
							&p);
				break;
			default:
				break;
			}
			(void)cs;
			(void)au;
		}
	}
	for (id = 0; id < (int)msg->nhdrs; id++) {
		const struct sip_hdr *h = &msg->hdrs[id];
		struct sip_auth au;
		struct sip_cseq cs;
		struct sip_addr a;

		switch (h->id) {
		case SIP_HDR_AUTHORIZATION:
		case SIP_HDR_PROXY_AUTHORIZATION:
		case SIP_HDR_WWW_AUTHENTICATE:
		case SIP_HDR_PROXY_AUTHENTICATE:
			(void)sip_auth_decode(&au, &h->val);
			break;
		case SIP_HDR_CSEQ:
		case SIP_HDR_RACK:
			(void)sip_cseq_decode(&cs, &h->val);
			break;
		case SIP_HDR_REFER_TO:
			(void)sip_addr_decode(&a, &h->val);
			break;
		case SIP_HDR_CONTENT_TYPE:
		case SIP_HDR_EVENT:
		case SIP_HDR_SUBSCRIPTION_STATE: {
			struct pl t, p;

			(void)sip_tokparams_decode(&h->val, &t, &p);
			break;
		}
		default:
			break;
		}
		(void)sip_msg_hdr_name(msg, "X-Unknown");
	}
}

static int redecode(const uint8_t *d, size_t n)
{
	int err = sip_msg_decode(&m2, d, n);

	return err == EOVERFLOW ? 0 : err;
}

static void encode(const struct sip_msg *msg)
{
	struct buf out;
	struct sip_fwd fwd;
	struct pl via = PL("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfz");
	struct pl rr = PL("<sip:127.0.0.1;lr>"), tag = PL("fz"),
		  body = PL("v=0\r\n");
	struct sip_hdr_add x = { "X-Fuzz", PL("1") };

	buf_init(&out);
	memset(&fwd, 0, sizeof(fwd));
	if (msg->is_req) {
		/* identical unless the encoder had to add the missing
		 * Content-Length or empty line */
		if (!sip_encode_forward(&out, msg, &fwd) &&
		    msg->has_content_length && msg->eoh.len &&
		    (out.len != msg->raw.len ||
		     memcmp(out.data, msg->raw.p, out.len)))
			abort();
		buf_reset(&out);
		fwd.via = &via;
		fwd.record_route = &rr;
		fwd.pop_route = true;
		fwd.decrement_mf = true;
		fwd.extra = &x;
		fwd.nextra = 1;
		/* may pass SIP_MAX_HDRS with the added lines: EOVERFLOW */
		if (!sip_encode_forward(&out, msg, &fwd) &&
		    redecode(out.data, out.len))
			abort();
		buf_reset(&out);
		if (!sip_encode_response(&out, msg, 200, NULL, &tag, &x, 1,
					 &PL("application/sdp"), &body) &&
		    redecode(out.data, out.len))
			abort();
	} else {
		if (!sip_encode_response_fwd(&out, msg, NULL, NULL) &&
		    msg->has_content_length &&
		    sip_msg_hdr_count(msg, SIP_HDR_VIA) == 0)
			abort();
		buf_reset(&out);
		(void)sip_encode_response_fwd(&out, msg, &body, NULL);
	}
	buf_fini(&out);
}

/* Trace redaction (P6, P3) runs on whatever bytes arrived: it must not
 * read past them, and bytes with nothing to redact pass unchanged. */
static void redact(const uint8_t *data, size_t size)
{
	struct pl p = { (const char *)data, size };
	struct buf b;

	buf_init(&b);
	/* nothing to redact without these: the bytes pass unchanged */
	if (!sip_redact(&p, &b) && !memchr(data, '@', size) &&
	    !memmem(data, size, "inline:", 7) &&
	    !memmem(data, size, "response=", 9) &&
	    (b.len != size || (size && memcmp(b.data, data, size))))
		abort();
	buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	redact(data, size);
	if (sip_msg_decode(&m, data, size)) {
		if (!memchr(m.err, '\0', sizeof(m.err)))
			abort();
		return 0;
	}
	deep(&m);
	encode(&m);
	return 0;
}
