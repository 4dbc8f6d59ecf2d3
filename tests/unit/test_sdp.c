/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of ref/sdp: decode (RFC 4475 sdp01 body, real-world offers with
 * SDES crypto, zRTP hash, DTLS fingerprint and ICE), malformed bodies with
 * their reasons, the byte-preserving relay rewrite, encode, and the
 * direction / hold / security helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "base/buf.h"
#include "sdp/sdp.h"
#include "mem_testutil.h"

static struct sdp_session sess;

/* RFC 4475 3.3.15 (sdp01.dat), the body as in the corpus. */
static const char sdp01[] =
	"v=0\r\n"
	"o=mhandley 29739 7272939 IN IP4 192.0.2.5\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.5\r\n"
	"t=0 0\r\n"
	"m=audio 49217 RTP/AVP 0 12\r\n"
	"m=video 3227 RTP/AVP 31\r\n"
	"a=rtpmap:31 LPC\r\n";

/* baresip-style SDES offer with an unknown attribute and a=rtcp with addr. */
static const char sdes[] =
	"v=0\r\n"
	"o=- 2890844526 2890844526 IN IP4 10.0.0.7\r\n"
	"s=-\r\n"
	"c=IN IP4 10.0.0.7\r\n"
	"t=0 0\r\n"
	"a=tool:baresip 1.0.0\r\n"
	"m=audio 10000 RTP/SAVP 0 8 101\r\n"
	"b=AS:80\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=rtcp:10001 IN IP4 10.0.0.7\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n"
	"a=x-unknown:keep \t me\r\n"
	"a=sendrecv\r\n";

/* zRTP (linphone-like): zrtp-hash at media level, LF line ends. */
static const char zrtp_lf[] =
	"v=0\n"
	"o=bob 3 4 IN IP4 192.0.2.20\n"
	"s=Talk\n"
	"c=IN IP4 192.0.2.20\n"
	"t=0 0\n"
	"m=audio 7078 RTP/AVP 96 0\n"
	"a=rtpmap:96 opus/48000/2\n"
	"a=zrtp-hash:1.10 fe30efd02423cb054e50efd0248742ac7a52c8f91bc2df881ae642c371ba46df\n"
	"a=rtcp-fb:* trr-int 1000\n";

/* WebRTC-like DTLS offer with ICE candidates, rtcp-mux, bundle, no rtcp. */
static const char dtls_ice[] =
	"v=0\r\n"
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE 0 1\r\n"
	"a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:"
	"BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2\r\n"
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
	"c=IN IP4 198.51.100.1\r\n"
	"a=rtcp:9 IN IP4 0.0.0.0\r\n"
	"a=candidate:1 1 udp 2122260223 198.51.100.1 54400 typ host\r\n"
	"a=candidate:2 1 udp 1686052607 203.0.113.9 54400 typ srflx "
	"raddr 198.51.100.1 rport 54400\r\n"
	"a=ice-ufrag:EsAw\r\n"
	"a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
	"a=setup:actpass\r\n"
	"a=mid:0\r\n"
	"a=sendrecv\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
	"c=IN IP4 198.51.100.1\r\n"
	"a=candidate:1 1 udp 2122260223 198.51.100.1 54401 typ host\r\n"
	"a=setup:actpass\r\n"
	"a=mid:1\r\n"
	"a=recvonly\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:96 VP8/90000\r\n";

static int dec(const char *body)
{
	struct pl pl = pl_from_str(body);
	return sdp_decode(&sess, &pl);
}

static void test_sdp_decode_rfc4475_sdp01(void **state)
{
	struct sdp_rtpmap rm;
	struct pl cur, fmt;
	int n = 0;

	(void)state;
	assert_int_equal(dec(sdp01), 0);
	assert_int_equal(sess.media_cnt, 2);
	assert_true(pl_eq_str(&sess.o_user, "mhandley"));
	assert_true(pl_eq_str(&sess.origin.addr, "192.0.2.5"));
	assert_true(pl_eq_str(&sess.conn.addr, "192.0.2.5"));
	assert_true(pl_eq_str(&sess.media[0].type, "audio"));
	assert_int_equal(sess.media[0].port_n, 49217);
	assert_int_equal(sess.media[0].port_cnt, 1);
	assert_true(pl_eq_str(&sess.media[0].proto, "RTP/AVP"));
	cur = sess.media[0].fmts;
	while (sdp_fmt_next(&cur, &fmt))
		n++;
	assert_int_equal(n, 2);
	assert_int_equal(sess.media[1].port_n, 3227);
	/* "LPC" has no clock rate: a broken rtpmap is not found. */
	assert_int_equal(sdp_media_rtpmap(&sess, 1, 31, &rm), ENOENT);
	assert_ptr_equal(sdp_media_conn(&sess, 1), &sess.conn);
	assert_int_equal(sdp_session_sec(&sess), 0);
	assert_false(sdp_session_hold(&sess));
}

static void test_sdp_decode_sdes(void **state)
{
	struct sdp_rtpmap rm;
	const struct sdp_line *l;
	int iter = -1;

	(void)state;
	assert_int_equal(dec(sdes), 0);
	assert_int_equal(sess.media_cnt, 1);
	assert_int_equal(sess.media[0].rtcp_port_n, 10001);
	assert_true(pl_eq_str(&sess.media[0].rtcp_conn.addr, "10.0.0.7"));
	assert_int_equal(sdp_media_rtpmap(&sess, 0, 101, &rm), 0);
	assert_true(pl_eq_str(&rm.encoding, "telephone-event"));
	assert_int_equal(rm.clock_rate, 8000);
	assert_true(sdp_media_sec(&sess, 0) & SDP_SEC_SRTP);
	assert_true(sdp_media_sec(&sess, 0) & SDP_SEC_CRYPTO);
	assert_false(sdp_media_sec(&sess, 0) & SDP_SEC_DTLS);
	l = sdp_attr_next(&sess, -1, "tool", &iter);
	assert_non_null(l);
	assert_true(pl_eq_str(&l->aval, "baresip 1.0.0"));
	iter = -1;
	l = sdp_attr_next(&sess, 0, "x-unknown", &iter);
	assert_non_null(l);
	assert_true(pl_eq_str(&l->aval, "keep \t me"));
	assert_int_equal(sdp_media_dir(&sess, 0), SDP_DIR_SENDRECV);
}

static void test_sdp_decode_zrtp_dtls(void **state)
{
	struct sdp_rtpmap rm;

	(void)state;
	assert_int_equal(dec(zrtp_lf), 0);
	assert_int_equal(sdp_session_sec(&sess), SDP_SEC_ZRTP);
	assert_int_equal(sdp_media_rtpmap(&sess, 0, 96, &rm), 0);
	assert_true(pl_eq_str(&rm.params, "2"));

	assert_int_equal(dec(dtls_ice), 0);
	assert_int_equal(sess.media_cnt, 2);
	assert_true(sess.media[0].rtcp_mux);
	assert_true(sdp_media_sec(&sess, 1) & SDP_SEC_DTLS);
	assert_true(sdp_media_sec(&sess, 0) & SDP_SEC_ICE);
	assert_false(sdp_media_sec(&sess, 0) & SDP_SEC_SRTP);
	assert_int_equal(sdp_media_dir(&sess, 1), SDP_DIR_RECVONLY);
	assert_false(sdp_media_hold(&sess, 1));
}

static const struct {
	const char *body;
	int err;
	const char *reason;
} bad[] = {
	{ "", EBADMSG, "empty SDP" },
	{ "o=- 1 1 IN IP4 1.2.3.4\r\n", EBADMSG, "line 1: SDP must start" },
	{ "v=1\r\n", EBADMSG, "line 1: unsupported v=" },
	{ "v=0\r\ns=-\r\n", EBADMSG, "missing o= line" },
	{ "v=0\r\no=- 1 1 IN IP4\r\n", EBADMSG, "line 2: o= line needs 6" },
	{ "v=0\r\nwhat\r\n", EBADMSG, "line 2: expected <letter>=" },
	{ "v=0\r\nA=x\r\n", EBADMSG, "line 2: expected" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4\r\n", EBADMSG,
	  "line 3: c= line needs" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n"
	  "c=IN IP4 1.2.3.4\r\n", EBADMSG, "line 3: m= line has a bad port" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 5/x RTP/AVP 0\r\n",
	  EBADMSG, "bad port count" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 5000 RTP/AVP\r\n",
	  EBADMSG, "line 3: m= line needs media, port, proto and formats" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 5000 RTP/AVP 0\r\n",
	  EBADMSG, "m=audio (m-line 1) has no c= line" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n"
	  "m=audio 5000 RTP/AVP 0\r\na=rtcp:x\r\n", EBADMSG,
	  "line 5: a=rtcp needs" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\na=\r\n", EBADMSG,
	  "a= line without name" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=a\0b\r\n", EBADMSG,
	  "control character" },
	{ "v=0\r\nv=0\r\n", EBADMSG, "line 2: duplicate v=" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.1.1.1\r\n"
	  "c=IN IP4 2.2.2.2\r\n", EBADMSG, "duplicate session c=" },
};

static void test_sdp_decode_malformed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pl pl = pl_from_str(bad[i].body);

		/* The NUL case: include the bytes after the embedded NUL. */
		if (strstr(bad[i].reason, "control"))
			pl.len += 1 + strlen(bad[i].body + pl.len + 1);
		assert_int_equal(sdp_decode(&sess, &pl), bad[i].err);
		if (!strstr(sess.err, bad[i].reason))
			fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i,
				 sess.err, bad[i].reason);
	}
}

static void test_sdp_decode_limits(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b);
	assert_int_equal(buf_put_str(&b, "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n"
				     "c=IN IP4 1.2.3.4\r\n"), 0);
	for (i = 0; i < SDP_MAX_MEDIA + 1; i++)
		assert_int_equal(buf_printf(&b, "m=audio %d RTP/AVP 0\r\n",
					    2000 + 2 * i), 0);
	{
		struct pl pl = buf_pl(&b);
		assert_int_equal(sdp_decode(&sess, &pl), EOVERFLOW);
		assert_non_null(strstr(sess.err, "too many m= lines"));
	}
	buf_reset(&b);
	assert_int_equal(buf_put_str(&b, "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n"),
			 0);
	for (i = 0; i < SDP_MAX_LINES; i++)
		assert_int_equal(buf_put_str(&b, "a=x\r\n"), 0);
	{
		struct pl pl = buf_pl(&b);
		assert_int_equal(sdp_decode(&sess, &pl), EOVERFLOW);
		assert_non_null(strstr(sess.err, "too many lines"));
	}
	buf_fini(&b);
}

static void rewrite_expect(const char *in, const struct sdp_rw *rw,
			   const char *want)
{
	struct buf out;

	buf_init(&out);
	assert_int_equal(dec(in), 0);
	assert_int_equal(sdp_rewrite(&sess, rw, &out), 0);
	if (out.len != strlen(want) || memcmp(out.data, want, out.len))
		fail_msg("rewrite got:\n%.*s\nwant:\n%s", (int)out.len,
			 (const char *)out.data, want);
	buf_fini(&out);
}

static void test_sdp_rewrite_sdp01(void **state)
{
	struct sdp_rw rw = { 0 };

	(void)state;
	rw.media_cnt = 2;
	rw.media[0].addr = PL("203.0.113.1");
	rw.media[0].port = 40000;
	rw.media[1].addr = PL("203.0.113.1");
	rw.media[1].port = 40002;
	rewrite_expect(sdp01, &rw,
		       "v=0\r\n"
		       "o=mhandley 29739 7272939 IN IP4 192.0.2.5\r\n"
		       "s=-\r\n"
		       "c=IN IP4 203.0.113.1\r\n"
		       "t=0 0\r\n"
		       "m=audio 40000 RTP/AVP 0 12\r\n"
		       "m=video 40002 RTP/AVP 31\r\n"
		       "a=rtpmap:31 LPC\r\n");
	/* Origin too, and an IPv6 relay address. */
	rw.origin_addr = PL("2001:db8::1");
	rw.media[0].addr = rw.media[1].addr = PL("2001:db8::1");
	rewrite_expect(sdp01, &rw,
		       "v=0\r\n"
		       "o=mhandley 29739 7272939 IN IP6 2001:db8::1\r\n"
		       "s=-\r\n"
		       "c=IN IP6 2001:db8::1\r\n"
		       "t=0 0\r\n"
		       "m=audio 40000 RTP/AVP 0 12\r\n"
		       "m=video 40002 RTP/AVP 31\r\n"
		       "a=rtpmap:31 LPC\r\n");
}

static void test_sdp_rewrite_keeps_crypto(void **state)
{
	struct sdp_rw rw = { 0 };
	struct buf out;
	const char *want_tail;

	(void)state;
	rw.media_cnt = 1;
	rw.media[0].addr = PL("127.0.0.1");
	rw.media[0].port = 40010;
	buf_init(&out);
	assert_int_equal(dec(sdes), 0);
	assert_int_equal(sdp_rewrite(&sess, &rw, &out), 0);
	/* 10.0.0.7 becomes 127.0.0.1 twice; the ports keep their width. */
	assert_int_equal(out.len, strlen(sdes) + 2);
	assert_non_null(strstr((char *)out.data, "c=IN IP4 127.0.0.1\r\n"));
	assert_non_null(strstr((char *)out.data,
			       "a=rtcp:40011 IN IP4 127.0.0.1\r\n"));
	assert_non_null(strstr((char *)out.data, "m=audio 40010 RTP/SAVP"));
	want_tail = strstr(sdes, "a=crypto:");
	assert_non_null(strstr((char *)out.data, want_tail));
	assert_non_null(strstr((char *)out.data,
			       "o=- 2890844526 2890844526 IN IP4 10.0.0.7\r\n"));
	buf_fini(&out);
}

static void test_sdp_rewrite_lf_zrtp(void **state)
{
	struct sdp_rw rw = { 0 };

	(void)state;
	rw.media_cnt = 1;
	rw.media[0].addr = PL("127.0.0.1");
	rw.media[0].port = 41000;
	rewrite_expect(zrtp_lf, &rw,
		       "v=0\n"
		       "o=bob 3 4 IN IP4 192.0.2.20\n"
		       "s=Talk\n"
		       "c=IN IP4 127.0.0.1\n"
		       "t=0 0\n"
		       "m=audio 41000 RTP/AVP 96 0\n"
		       "a=rtpmap:96 opus/48000/2\n"
		       "a=zrtp-hash:1.10 fe30efd02423cb054e50efd0248742ac7a52c8f91bc2df881ae642c371ba46df\n"
		       "a=rtcp-fb:* trr-int 1000\n");
}

static void test_sdp_rewrite_ice_strip_and_mux(void **state)
{
	struct sdp_rw rw = { 0 };
	struct buf out;
	char *o;

	(void)state;
	rw.media_cnt = 2;
	rw.strip_ice = true;
	rw.media[0].addr = PL("127.0.0.1");
	rw.media[0].port = 42000;
	rw.media[0].rtcp_port = 42000;	/* rtcp-mux */
	rw.media[1].addr = PL("127.0.0.1");
	rw.media[1].port = 42002;
	rw.media[1].rtcp_port = 42002;
	buf_init(&out);
	assert_int_equal(dec(dtls_ice), 0);
	assert_int_equal(sdp_rewrite(&sess, &rw, &out), 0);
	o = (char *)out.data;
	assert_null(strstr(o, "candidate"));
	assert_null(strstr(o, "ice-"));
	assert_non_null(strstr(o, "a=rtcp:42000 IN IP4 127.0.0.1\r\n"));
	assert_non_null(strstr(o, "a=fingerprint:sha-256 19:E2:1C"));
	assert_non_null(strstr(o, "a=setup:actpass\r\na=mid:0\r\n"));
	assert_non_null(strstr(o, "m=video 42002 UDP/TLS/RTP/SAVPF 96\r\n"
			       "c=IN IP4 127.0.0.1\r\na=setup"));
	/* The result decodes and has no ICE left. */
	{
		static struct sdp_session s2;
		struct pl pl = buf_pl(&out);

		assert_int_equal(sdp_decode(&s2, &pl), 0);
		assert_false(sdp_session_sec(&s2) & SDP_SEC_ICE);
		assert_true(sdp_session_sec(&s2) & SDP_SEC_DTLS);
	}
	buf_fini(&out);
}

static void test_sdp_rewrite_mixed_inherit(void **state)
{
	/* Two m-lines inheriting the session c=; only the first relayed. */
	static const char in[] =
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
		"c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
		"m=audio 5000 RTP/AVP 0\r\ni=voice\r\na=ptime:20\r\n"
		"m=image 6000 udptl t38";
	struct sdp_rw rw = { 0 };

	(void)state;
	rw.media_cnt = 2;
	rw.media[0].addr = PL("127.0.0.1");
	rw.media[0].port = 40000;
	rw.media[1].keep = true;
	rewrite_expect(in, &rw,
		       "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
		       "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		       "m=audio 40000 RTP/AVP 0\r\ni=voice\r\na=ptime:20\r\n"
		       "m=image 6000 udptl t38\r\nc=IN IP4 192.0.2.1");
	/* The other way round: the session c= follows media 0 (kept). */
	rw.media[0].keep = true;
	rw.media[1].keep = false;
	rw.media[1].addr = PL("127.0.0.1");
	rw.media[1].port = 40002;
	rw.session_addr = PL("192.0.2.1");
	rewrite_expect(in, &rw,
		       "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
		       "c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
		       "m=audio 5000 RTP/AVP 0\r\ni=voice\r\na=ptime:20\r\n"
		       "m=image 40002 udptl t38\r\nc=IN IP4 127.0.0.1");
}

static void test_sdp_rewrite_bad_args(void **state)
{
	struct sdp_rw rw = { 0 };
	struct buf out;

	(void)state;
	buf_init(&out);
	assert_int_equal(dec(sdp01), 0);
	rw.media_cnt = 1;
	rw.media[0].addr = PL("1.2.3.4\r\na=evil");
	assert_int_equal(sdp_rewrite(&sess, &rw, &out), EINVAL);
	rw.media[0].addr = PL_NULL;
	assert_int_equal(sdp_rewrite(&sess, &rw, &out), EINVAL);
	/* Rejected stream (port 0) keeps port 0. */
	buf_fini(&out);
}

static void test_sdp_rewrite_oom(void **state)
{
	struct sdp_rw rw = { 0 };
	struct buf out;
	int64_t n;
	int err;

	(void)state;
	rw.media_cnt = 1;
	rw.media[0].addr = PL("127.0.0.1");
	rw.media[0].port = 40010;
	assert_int_equal(dec(sdes), 0);
	for (n = 0;; n++) {
		buf_init(&out);
		mem_fail_at(n, 1);
		err = sdp_rewrite(&sess, &rw, &out);
		mem_fail_at(-1, 0);
		buf_fini(&out);
		if (!err)
			break;
		assert_int_equal(err, ENOMEM);
	}
	assert_true(n > 0);
}

static void test_sdp_encode_roundtrip(void **state)
{
	static struct sdp_session s2;
	struct buf out;
	struct pl pl;
	const char *bodies[] = { sdp01, sdes, dtls_ice };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		buf_init(&out);
		assert_int_equal(dec(bodies[i]), 0);
		assert_int_equal(sdp_encode(&out, &sess), 0);
		/* CRLF bodies come back identical. */
		assert_int_equal(out.len, strlen(bodies[i]));
		assert_memory_equal(out.data, bodies[i], out.len);
		buf_fini(&out);
	}
	/* LF in, CRLF out, same content; a changed field shows. */
	buf_init(&out);
	assert_int_equal(dec(zrtp_lf), 0);
	sess.media[0].port_n = 9000;
	sess.conn.addr = PL("10.1.1.1");
	assert_int_equal(sdp_encode(&out, &sess), 0);
	pl = buf_pl(&out);
	assert_non_null(strstr((char *)out.data, "\r\nm=audio 9000 RTP/AVP"));
	assert_non_null(strstr((char *)out.data, "c=IN IP4 10.1.1.1\r\n"));
	assert_int_equal(sdp_decode(&s2, &pl), 0);
	assert_int_equal(s2.line_cnt, sess.line_cnt);
	buf_fini(&out);
}

static void test_sdp_hold(void **state)
{
	static const char *held[] = {
		"v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 0.0.0.0\r\n"
		"t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n",
		"v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\n"
		"t=0 0\r\na=sendonly\r\nm=audio 5000 RTP/AVP 0\r\n",
		"v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\n"
		"t=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=inactive\r\n"
		"m=video 0 RTP/AVP 31\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(dec(held[i]), 0);
		assert_true(sdp_media_hold(&sess, 0));
		assert_true(sdp_session_hold(&sess));
	}
	/* Session sendonly but media sendrecv overrides. */
	assert_int_equal(dec("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\n"
			     "c=IN IP4 1.2.3.4\r\nt=0 0\r\na=sendonly\r\n"
			     "m=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n"), 0);
	assert_false(sdp_session_hold(&sess));
	assert_string_equal(sdp_dir_name(sdp_media_dir(&sess, 0)), "sendrecv");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sdp_decode_rfc4475_sdp01, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_decode_sdes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_decode_zrtp_dtls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_decode_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_decode_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_rewrite_sdp01, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_rewrite_keeps_crypto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_rewrite_lf_zrtp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_rewrite_ice_strip_and_mux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_rewrite_mixed_inherit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_rewrite_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_rewrite_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_encode_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdp_hold, setup, teardown),
	};
	return cmocka_run_group_tests_name("sdp", tests, NULL, NULL);
}
