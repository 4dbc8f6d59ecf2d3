/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bench MSRP client against the real relay core on the in-process
 * network: AUTH with digest, a chat message along the relay path, the
 * content arriving unchanged, in clear on a TCP link and scrambled on a
 * TLS one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include "base/mem.h"
#include "inproc/vnet.h"
#include "net_testutil.h"
#include "msrp/msrp.h"
#include "ua/msrp_ua.h"

static int ha1(void *arg, const struct pl *user, const struct pl *realm,
	       const char *alg, char *out, size_t sz)
{
	char line[256];
	struct pl l;
	enum msrp_alg a = strcmp(alg, "SHA-256") ? MSRP_ALG_MD5 :
						   MSRP_ALG_SHA256;

	(void)arg;
	if (!pl_eq_str(user, "alice") && !pl_eq_str(user, "bob"))
		return ENOENT;
	snprintf(line, sizeof(line), "%.*s:%.*s:secret-pw", PL_ARG(*user),
		 PL_ARG(*realm));
	l = pl_from_str(line);
	return msrp_digest_hex(a, &l, out, sz);
}

static void chat(enum net_tp tp, int *wire)
{
	static const char text[] = "?OTR:AAQDchat CANARY-msrp-44 ok";
	char path[] = "/tmp/msrp-uaXXXXXX", to[1200];
	struct msrp_relay_cfg rc;
	struct msrp_relay *r;
	struct msrp_net net;
	struct ua_msrp_cfg ca = { 0 }, cb;
	struct ua_msrp *a, *b;
	struct ua_msrp_stats sa, sb;
	struct vnet *v;
	struct net_addr ra = addr("127.0.0.10:2855", tp);
	struct pl pn = PL("127.0.0.0/8"), last;
	int ia, ib, fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(msrp_net_parse(&pn, &net), 0);
	msrp_relay_cfg_defaults(&rc);
	rc.realm = "example.test";
	rc.nets = &net;
	rc.nnets = 1;
	rc.ha1 = ha1;
	assert_int_equal(msrp_relay_new(&r, &rc, 7), 0);
	assert_int_equal(vnet_new(&v, 0, 3), 0);
	assert_int_equal(vnet_capture_open(v, path), 0);
	assert_true(vnet_attach(v, (struct core_ref){ &msrp_relay_ops, r },
				&ra, 1) >= 0);
	ca.user = "alice";
	ca.password = "secret-pw";
	ca.realm = "example.test";
	ca.local = addr("127.0.0.1:41001", tp);
	ca.relay = ra;
	ca.session = "a1a1a1";
	cb = ca;
	cb.user = "bob";
	cb.local = addr("127.0.0.2:41002", tp);
	cb.session = "b2b2b2";
	assert_int_equal(ua_msrp_new(&a, &ca), 0);
	assert_int_equal(ua_msrp_new(&b, &cb), 0);
	ia = vnet_attach(v, (struct core_ref){ &ua_msrp_ops, a }, &ca.local, 1);
	ib = vnet_attach(v, (struct core_ref){ &ua_msrp_ops, b }, &cb.local, 1);
	ua_msrp_auth(a, 0);
	ua_msrp_auth(b, 0);
	vnet_kick(v, ia);
	vnet_kick(v, ib);
	assert_int_equal(vnet_run_until(v, 1000000, 100000), 0);
	ua_msrp_stats(a, &sa);
	ua_msrp_stats(b, &sb);
	print_message("auth: alice %u %d bob %u %d\n", sa.last_status,
		      sa.authed, sb.last_status, sb.authed);
	assert_int_equal(sa.authed, 1);
	assert_int_equal(sb.authed, 1);
	/* RFC 4976: our relay hop, the peer's relay hop, the peer */
	snprintf(to, sizeof(to), "%s %s %s", ua_msrp_use_path(a),
		 ua_msrp_use_path(b), ua_msrp_uri(b));
	assert_int_equal(ua_msrp_send(a, vnet_now(v), to, "text/plain",
				      (const uint8_t *)text, strlen(text)), 0);
	vnet_kick(v, ia);
	assert_int_equal(vnet_run_until(v, 2000000, 100000), 0);
	ua_msrp_stats(a, &sa);
	ua_msrp_stats(b, &sb);
	assert_int_equal(sb.received, 1);
	last = ua_msrp_last(b);
	assert_int_equal(last.len, strlen(text));
	assert_memory_equal(last.p, text, last.len);	/* OTR untouched */
	assert_int_equal(sa.sent_ok, 1);
	vnet_free(v);
	*wire = capture_count(path, "CANARY-msrp-44");
	unlink(path);
	ua_msrp_free(a);
	ua_msrp_free(b);
	msrp_relay_free(r);
}

static void test_msrp_ua_chat_tcp_and_tls(void **state)
{
	int wire;
	int64_t blocks = mem_blocks();

	(void)state;
	chat(NET_TCP, &wire);
	assert_int_equal(wire, 2);	/* alice->relay, relay->bob */
	chat(NET_TLS, &wire);
	assert_int_equal(wire, 0);
	assert_int_equal(mem_blocks(), blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msrp_ua_chat_tcp_and_tls),
	};
	return cmocka_run_group_tests_name("msrp_ua", tests, NULL, NULL);
}
