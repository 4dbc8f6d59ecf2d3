/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the digest failure limits of ref/sip/auth.c (POLICY P2:
 * brute force slowed per source and per account). test_proxy.c shows one
 * source guessing one account; here a guesser spread over many addresses
 * is stopped by the account's bucket, one address guessing many accounts
 * by the source's bucket, and both refill with time while other users and
 * sources are served all along.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "sip/proxy.h"
#include "sip/sip.h"
#include "base/mem.h"
/* Not every fixture helper is needed here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proxy_testutil.h"

static int64_t blocks_at_start;

static int setup_auth(void **state)
{
	static struct fx f;

	blocks_at_start = mem_blocks();
	fx_init(&f, true);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

/* A REGISTER of user from src (IPv4 "a.b.c.d:port"), with credentials
 * for password when nonce is set; returns the answer's first line. */
static const char *reg_from(struct fx *f, const char *src, const char *user,
			    const char *nonce, const char *nc,
			    const char *password)
{
	static unsigned seq;
	char m[2048], auth[512] = "", resp[80];

	if (nonce) {
		fx_digest(SIP_AUTH_MD5, user, password, "REGISTER",
			  "sip:example.test", nonce, nc, resp);
		snprintf(auth, sizeof(auth), "Authorization: Digest "
			 "username=\"%s\", realm=\"example.test\", "
			 "nonce=\"%s\", uri=\"sip:example.test\", "
			 "response=\"%s\", algorithm=MD5, qop=auth, nc=%s, "
			 "cnonce=\"cn0\"\n", user, nonce, resp, nc);
	}
	seq++;
	snprintf(m, sizeof(m),
		 "REGISTER sip:example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP %s;branch=z9hG4bKlim%u\n"
		 "From: <sip:%s@example.test>;tag=1\n"
		 "To: <sip:%s@example.test>\nCall-ID: lim%u\n"
		 "CSeq: 1 REGISTER\nContact: <sip:%s@%s>\n%s"
		 "Content-Length: 0\n\n", src, seq, user, user, seq, user,
		 src, auth);
	fx_in(f, src, NET_UDP, m);
	return fx_expect(f, "SIP/2.0 ");
}

static void nonce_for(struct fx *f, const char *src, const char *user,
		      char *nonce, size_t sz)
{
	const char *r = reg_from(f, src, user, NULL, NULL, NULL);

	assert_non_null(strstr(r, "SIP/2.0 401"));
	fx_nonce(r, nonce, sz);
}

/* 12 guesses at alice, each from another address: her account's bucket
 * empties, so even the right password from a fresh address gets 503
 * Retry-After; bob from that address is served. After the refill time
 * alice gets in again. */
static void test_auth_limit_per_account(void **state)
{
	struct fx *f = *state;
	char nonce[128], src[32], nc[16];
	const char *r;
	int i;

	nonce_for(f, "127.0.0.200:5070", "alice", nonce, sizeof(nonce));
	for (i = 0; i < 12; i++) {
		snprintf(src, sizeof(src), "127.0.0.%d:5070", 10 + i);
		snprintf(nc, sizeof(nc), "%08x", i + 1);
		r = reg_from(f, src, "alice", nonce, nc, "guess");
		assert_true(!strncmp(r, "SIP/2.0 401", 11) ||
			    !strncmp(r, "SIP/2.0 503", 11));
	}
	r = reg_from(f, "127.0.0.99:5070", "alice", nonce, "00000020",
		     "secret");
	assert_non_null(strstr(r, "SIP/2.0 503"));
	assert_non_null(strstr(r, "Retry-After: 6"));
	assert_int_equal(sip_proxy_bindings(f->p, "alice"), 0);
	nonce_for(f, "127.0.0.99:5070", "bob", nonce, sizeof(nonce));
	r = reg_from(f, "127.0.0.99:5070", "bob", nonce, "00000001",
		     "secret");
	assert_non_null(strstr(r, "SIP/2.0 200"));
	/* one failure forgiven per 6 s: after a minute alice is back */
	fx_advance(f, 60 * 1000000ull);
	fx_drain(f);
	nonce_for(f, "127.0.0.99:5070", "alice", nonce, sizeof(nonce));
	r = reg_from(f, "127.0.0.99:5070", "alice", nonce, "00000001",
		     "secret");
	assert_non_null(strstr(r, "SIP/2.0 200"));
	assert_int_equal(sip_proxy_bindings(f->p, "alice"), 1);
}

/* One address guessing many accounts (svwar then svcrack style): its
 * bucket empties and it gets 503 even for a right password, while the
 * same accounts are served from another address. */
static void test_auth_limit_per_source(void **state)
{
	struct fx *f = *state;
	static const char *const users[] = { "alice", "bob", "nobody" };
	char nonce[128], nc[16];
	const char *r;
	int i;

	nonce_for(f, "127.0.0.50:5070", "alice", nonce, sizeof(nonce));
	for (i = 0; i < 12; i++) {
		snprintf(nc, sizeof(nc), "%08x", i + 1);
		r = reg_from(f, "127.0.0.50:5070", users[i % 3], nonce, nc,
			     "guess");
		assert_true(!strncmp(r, "SIP/2.0 401", 11) ||
			    !strncmp(r, "SIP/2.0 503", 11));
	}
	r = reg_from(f, "127.0.0.50:5071", "bob", nonce, "00000030",
		     "secret");
	assert_non_null(strstr(r, "SIP/2.0 503"));	/* any port */
	nonce_for(f, "127.0.0.51:5070", "bob", nonce, sizeof(nonce));
	r = reg_from(f, "127.0.0.51:5070", "bob", nonce, "00000001",
		     "secret");
	assert_non_null(strstr(r, "SIP/2.0 200"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auth_limit_per_account,
						setup_auth, teardown),
		cmocka_unit_test_setup_teardown(test_auth_limit_per_source,
						setup_auth, teardown),
	};

	return cmocka_run_group_tests_name("proxy_auth", tests, NULL, NULL);
}
