/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the SIP encoder: responses built from a request, forwarded
 * requests (Via and Record-Route added, Max-Forwards decremented, Route
 * popped, body replaced with its Content-Length, headers stripped) with
 * every untouched line identical, forwarded responses, and allocation
 * failure at every step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "sip/sip.h"
#include "base/buf.h"
#include "sip_testutil.h"
#include "mem_testutil.h"

static struct sip_msg m, m2;

static const char inv[] =
	"INVITE sip:bob@example.test SIP/2.0\r\n"
	"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1;rport\r\n"
	"Via: SIP/2.0/TCP 10.0.0.9;branch=z9hG4bKa0\r\n"
	"Max-Forwards: 70\r\n"
	"Route: <sip:proxy.example.test;lr>,\r\n <sip:p2.example.test;lr>\r\n"
	"Route: <sip:p3.example.test;lr>\r\n"
	"From: \"Alice\" <sip:alice@example.test>;tag=f1\r\n"
	"To: <sip:bob@example.test>\r\n"
	"Call-ID: c1@10.0.0.1\r\n"
	"CSeq: 1 INVITE\r\n"
	"X-Weird:   kept\r\n  as is\r\n"
	"Contact: <sip:alice@10.0.0.1>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 4\r\n"
	"\r\n"
	"v=0\n";

static void decode(struct sip_msg *msg, const void *d, size_t n)
{
	int err = sip_msg_decode(msg, d, n);

	if (err)
		fail_msg("decode: %s", msg->err);
}

/* Every line of in except those listed appears, identical, in out. */
static void lines_kept(const char *in, const struct buf *out,
		       const char *const *changed)
{
	const char *p = in;

	while (*p) {
		const char *e = strstr(p, "\r\n");
		size_t i, n = (size_t)(e - p) + 2;
		bool skip = false;
		struct pl o = buf_pl(out), l = { p, n };

		if (!e)
			break;
		for (i = 0; changed && changed[i]; i++)
			if (!strncmp(p, changed[i], strlen(changed[i])))
				skip = true;
		if (!skip && n > 2 && !pl_find(&o, &l))
			fail_msg("line lost: %.*s", (int)n - 2, p);
		p = e + 2;
	}
}

static void test_sip_encode_response(void **state)
{
	struct buf out;
	struct pl tag = PL("t9"), body = PL("v=0\r\n"),
		  ct = PL("application/sdp");
	struct sip_hdr_add x[] = { { "Contact", PL("<sip:bob@10.0.0.2>") } };
	struct sip_via v;
	struct sip_list_it it;
	struct pl e;

	(void)state;
	decode(&m, inv, sizeof(inv) - 1);
	buf_init(&out);
	assert_int_equal(sip_encode_response(&out, &m, 180, NULL, &tag, x, 1,
					     &ct, &body), 0);
	decode(&m2, out.data, out.len);
	assert_false(m2.is_req);
	assert_int_equal(m2.scode, 180);
	assert_pl(m2.reason, "Ringing");
	assert_pl(m2.to.tag, "t9");
	assert_pl(m2.from.tag, "f1");
	assert_pl(m2.call_id, "c1@10.0.0.1");
	assert_int_equal(m2.cseq.num, 1);
	assert_int_equal(sip_msg_hdr_count(&m2, SIP_HDR_VIA), 2);
	sip_list_begin(&it, &m2, SIP_HDR_VIA);
	assert_int_equal(sip_list_next(&it, &e), 0);
	assert_int_equal(sip_via_decode(&v, &e), 0);
	assert_pl(v.branch, "z9hG4bKa1");
	assert_pl(m2.body, "v=0\r\n");
	assert_int_equal(m2.content_length, 5);
	assert_null(sip_msg_hdr(&m2, SIP_HDR_ROUTE));
	assert_null(sip_msg_hdr(&m2, SIP_HDR_MAX_FORWARDS));
	assert_pl(sip_msg_hdr(&m2, SIP_HDR_CONTACT)->val, "<sip:bob@10.0.0.2>");
	/* the Via lines are the request's bytes, compact name included */
	assert_non_null(strstr((char *)out.data,
			       "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1;"
			       "rport\r\nVia: SIP/2.0/TCP"));
	buf_reset(&out);
	/* a To tag already there is kept; no body: Content-Length 0 */
	buf_fini(&out);
}

static void test_sip_encode_response_keeps_to_tag(void **state)
{
	static const char bye[] =
		"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
		"Call-ID: x\r\nCSeq: 2 BYE\r\n\r\n";
	struct buf out;
	struct pl tag = PL("other");

	(void)state;
	decode(&m, bye, sizeof(bye) - 1);
	buf_init(&out);
	assert_int_equal(sip_encode_response(&out, &m, 200, "Fine", &tag,
					     NULL, 0, NULL, NULL), 0);
	decode(&m2, out.data, out.len);
	assert_pl(m2.to.tag, "2");
	assert_pl(m2.reason, "Fine");
	assert_int_equal(m2.content_length, 0);
	assert_true(m2.has_content_length);
	assert_int_equal(sip_encode_response(&out, &m, 99, NULL, NULL, NULL,
					     0, NULL, NULL), EINVAL);
	buf_fini(&out);
}

static void test_sip_encode_forward(void **state)
{
	static const char *const changed[] = {
		"Max-Forwards", "Route: <sip:proxy", " <sip:p2", NULL
	};
	struct pl via = PL("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKp1"),
		  rr = PL("<sip:192.0.2.1;lr>");
	struct sip_hdr_add x[] = { { "X-Added", PL("1") } };
	struct sip_fwd fwd;
	struct sip_list_it it;
	struct buf out;
	struct pl e;
	uint32_t mf = 0;

	(void)state;
	decode(&m, inv, sizeof(inv) - 1);
	memset(&fwd, 0, sizeof(fwd));
	fwd.via = &via;
	fwd.record_route = &rr;
	fwd.pop_route = true;
	fwd.decrement_mf = true;
	fwd.extra = x;
	fwd.nextra = 1;
	buf_init(&out);
	assert_int_equal(sip_encode_forward(&out, &m, &fwd), 0);
	decode(&m2, out.data, out.len);
	assert_pl(m2.via1.branch, "z9hG4bKp1");
	assert_int_equal(sip_msg_hdr_count(&m2, SIP_HDR_VIA), 3);
	assert_pl(sip_msg_hdr(&m2, SIP_HDR_RECORD_ROUTE)->val,
		  "<sip:192.0.2.1;lr>");
	assert_int_equal(sip_msg_u32(&m2, SIP_HDR_MAX_FORWARDS, &mf), 0);
	assert_int_equal(mf, 69);
	sip_list_begin(&it, &m2, SIP_HDR_ROUTE);
	assert_int_equal(sip_list_next(&it, &e), 0);
	assert_pl(e, "<sip:p2.example.test;lr>");
	assert_int_equal(sip_list_next(&it, &e), 0);
	assert_pl(e, "<sip:p3.example.test;lr>");
	assert_int_equal(sip_list_next(&it, &e), ENOENT);
	assert_pl(sip_msg_hdr_name(&m2, "X-Added")->val, "1");
	assert_pl(m2.body, "v=0\n");
	assert_pl(m2.start_line, "INVITE sip:bob@example.test SIP/2.0");
	lines_kept(inv, &out, changed);
	/* the folded unknown header travels untouched */
	assert_non_null(strstr((char *)out.data,
			       "X-Weird:   kept\r\n  as is\r\n"));
	buf_fini(&out);
}

static void test_sip_encode_forward_body_ruri_strip(void **state)
{
	static const char *const changed[] = {
		"Content-Length", "Content-Type", "INVITE sip:", "Contact",
		NULL
	};
	struct pl ruri = PL("sip:bob@10.0.0.7:5070"),
		  body = PL("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"),
		  ct = PL("application/sdp");
	enum sip_hdr_id strip[] = { SIP_HDR_CONTACT };
	struct sip_fwd fwd;
	struct buf out;

	(void)state;
	decode(&m, inv, sizeof(inv) - 1);
	memset(&fwd, 0, sizeof(fwd));
	fwd.new_ruri = &ruri;
	fwd.new_body = &body;
	fwd.new_ctype = &ct;
	fwd.strip = strip;
	fwd.nstrip = 1;
	buf_init(&out);
	assert_int_equal(sip_encode_forward(&out, &m, &fwd), 0);
	decode(&m2, out.data, out.len);
	assert_pl(m2.ruri_pl, "sip:bob@10.0.0.7:5070");
	assert_int_equal(m2.content_length, body.len);
	assert_pl(m2.body, "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
	assert_int_equal(sip_msg_hdr_count(&m2, SIP_HDR_CONTENT_TYPE), 1);
	assert_int_equal(sip_msg_hdr_count(&m2, SIP_HDR_CONTENT_LENGTH), 1);
	assert_null(sip_msg_hdr(&m2, SIP_HDR_CONTACT));
	lines_kept(inv, &out, changed);
	buf_fini(&out);
}

static void test_sip_encode_forward_mf(void **state)
{
	static const char opt[] =
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
		"Call-ID: x\r\nCSeq: 2 OPTIONS\r\nRoute: <sip:only;lr>\r\n"
		"Max-Forwards: 0\r\n\r\n";
	static const char nomf[] =
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
		"Call-ID: x\r\nCSeq: 2 OPTIONS\r\nRoute: <sip:only;lr>\r\n\r\n";
	struct sip_fwd fwd;
	struct buf out;
	uint32_t mf = 0;

	(void)state;
	memset(&fwd, 0, sizeof(fwd));
	fwd.decrement_mf = true;
	fwd.pop_route = true;
	buf_init(&out);
	decode(&m, opt, sizeof(opt) - 1);
	assert_int_equal(sip_encode_forward(&out, &m, &fwd), EINVAL);
	buf_reset(&out);
	decode(&m, nomf, sizeof(nomf) - 1);
	assert_int_equal(sip_encode_forward(&out, &m, &fwd), 0);
	decode(&m2, out.data, out.len);
	assert_int_equal(sip_msg_u32(&m2, SIP_HDR_MAX_FORWARDS, &mf), 0);
	assert_int_equal(mf, 70);
	assert_null(sip_msg_hdr(&m2, SIP_HDR_ROUTE));	/* only one: gone */
	assert_int_equal(m2.content_length, 0);	/* added for streams */
	buf_fini(&out);
}

static void test_sip_encode_response_fwd(void **state)
{
	static const char rsp[] =
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKp1, "
		"SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa1\r\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKa0\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
		"Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 3\r\n\r\nabc";
	static const char rsp1[] =
		"SIP/2.0 180 Ringing\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKp1\r\n"
		"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa1\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
		"Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	struct pl nb = PL("v=1\r\n");
	struct buf out;

	(void)state;
	buf_init(&out);
	decode(&m, rsp, sizeof(rsp) - 1);
	assert_int_equal(sip_encode_response_fwd(&out, &m, NULL, NULL), 0);
	decode(&m2, out.data, out.len);
	assert_pl(m2.via1.branch, "z9hG4bKa1");
	assert_int_equal(sip_msg_hdr_count(&m2, SIP_HDR_VIA), 2);
	assert_pl(m2.body, "abc");
	buf_reset(&out);
	decode(&m, rsp1, sizeof(rsp1) - 1);
	assert_int_equal(sip_encode_response_fwd(&out, &m, &nb, NULL), 0);
	decode(&m2, out.data, out.len);
	assert_pl(m2.via1.branch, "z9hG4bKa1");
	assert_int_equal(sip_msg_hdr_count(&m2, SIP_HDR_VIA), 1);
	assert_pl(m2.body, "v=1\r\n");
	assert_int_equal(sip_msg_hdr_count(&m2, SIP_HDR_CONTENT_LENGTH), 1);
	/* the rest of the message is the received bytes */
	assert_memory_equal(out.data + strlen("SIP/2.0 180 Ringing\r\n"),
			    rsp1 + strlen("SIP/2.0 180 Ringing\r\n") +
			    strlen("Via: SIP/2.0/UDP 192.0.2.1;branch="
				   "z9hG4bKp1\r\n"),
			    strlen("Via: SIP/2.0/UDP 10.0.0.1;branch="
				   "z9hG4bKa1\r\n"));
	buf_fini(&out);
}

/* Fail each allocation in turn: ENOMEM, never a leak or a crash. */
static void test_sip_encode_oom(void **state)
{
	struct pl via = PL("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKp1");
	struct sip_fwd fwd;
	struct buf out;
	uint8_t small[64];
	int64_t n;
	int err;

	(void)state;
	decode(&m, inv, sizeof(inv) - 1);
	memset(&fwd, 0, sizeof(fwd));
	fwd.via = &via;
	for (n = 0;; n++) {
		buf_init(&out);
		mem_fail_at(n, 1);
		err = sip_encode_forward(&out, &m, &fwd);
		mem_fail_at(-1, 0);
		buf_fini(&out);
		if (!err)
			break;
		assert_int_equal(err, ENOMEM);
		assert_int_equal(mem_blocks(), blocks_at_start);
	}
	buf_init_fixed(&out, small, sizeof(small));
	assert_int_equal(sip_encode_forward(&out, &m, &fwd), EOVERFLOW);
	assert_int_equal(sip_encode_response(&out, &m, 200, NULL, NULL, NULL,
					     0, NULL, NULL), EOVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_sip_encode_response),
		T(test_sip_encode_response_keeps_to_tag),
		T(test_sip_encode_forward),
		T(test_sip_encode_forward_body_ruri_strip),
		T(test_sip_encode_forward_mf),
		T(test_sip_encode_response_fwd),
		T(test_sip_encode_oom),
#undef T
	};

	return cmocka_run_group_tests_name("sip_encode", tests, NULL, NULL);
}
