/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared fixture of the MSRP relay core's unit suites (test_msrp_relay.c,
 * test_msrp_relay_flow.c): a fake clock, a fake HA1 store and fake peers,
 * each a connection id plus the bytes the relay sent it, parsed back with
 * the same stream parser; AUTH and SEND helpers. Each suite uses a subset
 * of the helpers, hence the pragma below.
 */
#ifndef TESTS_MSRP_TESTUTIL_H
#define TESTS_MSRP_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "msrp/msrp.h"

#pragma GCC diagnostic ignored "-Wunused-function"

#define REALM "example.test"
#define SEC 1000000ull

static int64_t blocks_at_start;
static struct msrp_relay *R;
static uint64_t NOW;
static struct net_addr RELAY;	/* the TLS listen address */
static struct msrp_net NETS[1];
static int ha1_calls;

struct rx {
	char raw[4096];
	size_t rawlen;
	struct msrp_msg m;
	struct buf body;
	char flag;
};

struct peer {
	uint64_t conn;
	struct net_addr addr;
	struct buf in;		/* everything the relay sent us */
	size_t off;
	struct msrp_parser ps;
	struct rx cur;
	bool in_msg, closed;
	char uri[96];		/* our own MSRP URI */
	char use_path[128];	/* the relay's for us, after AUTH */
};

static struct peer P[4];
static size_t NPEERS;

static int fake_ha1(void *arg, const struct pl *user, const struct pl *realm,
		    const char *alg, char *ha1, size_t sz)
{
	char line[128];
	enum msrp_alg a;
	struct pl an = pl_from_str(alg), l;

	(void)arg;
	ha1_calls++;
	if (!pl_eq_str(realm, REALM) || msrp_alg_parse(&an, &a))
		return ENOENT;
	if (pl_eq_str(user, "alice"))
		snprintf(line, sizeof(line), "alice:%s:wonderland", REALM);
	else if (pl_eq_str(user, "bob"))
		snprintf(line, sizeof(line), "bob:%s:builder", REALM);
	else
		return ENOENT;
	l = pl_from_str(line);
	return msrp_digest_hex(a, &l, ha1, sz);
}

static struct peer *peer_new(uint64_t conn, uint16_t port, const char *uri)
{
	struct peer *p = &P[NPEERS++];
	char a[32];
	struct pl pl;

	memset(p, 0, sizeof(*p));
	p->conn = conn;
	snprintf(a, sizeof(a), "127.0.0.1:%u", port);
	pl = pl_from_str(a);
	assert_int_equal(net_addr_parse(&pl, 0, &p->addr), 0);
	p->addr.tp = NET_TLS;
	buf_init(&p->in);
	msrp_parser_init(&p->ps, 4096);
	buf_init(&p->cur.body);
	snprintf(p->uri, sizeof(p->uri), "%s", uri);
	return p;
}

static int setup(void **state)
{
	struct msrp_relay_cfg cfg;
	struct pl a = PL("127.0.0.1:2855"), n = PL("127.0.0.0/8");

	(void)state;
	blocks_at_start = mem_blocks();
	NOW = 1000 * SEC;
	NPEERS = 0;
	ha1_calls = 0;
	assert_int_equal(net_addr_parse(&a, 0, &RELAY), 0);
	RELAY.tp = NET_TLS;
	assert_int_equal(msrp_net_parse(&n, &NETS[0]), 0);
	msrp_relay_cfg_defaults(&cfg);
	cfg.realm = REALM;
	cfg.ha1 = fake_ha1;
	cfg.nets = NETS;
	cfg.nnets = 1;
	cfg.max_hold = 4096;
	assert_int_equal(msrp_relay_new(&R, &cfg, 42), 0);
	return 0;
}

static int teardown(void **state)
{
	size_t i;

	(void)state;
	msrp_relay_free(R);
	R = NULL;
	for (i = 0; i < NPEERS; i++) {
		buf_fini(&P[i].in);
		buf_fini(&P[i].cur.body);
		msrp_parser_fini(&P[i].ps);
	}
	mem_fail_at(-1, 0);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

/* Hand every output of the relay to its peer. */
static void drain(void)
{
	struct net_out o;
	size_t i;

	while (msrp_relay_output(R, &o) == 0) {
		for (i = 0; i < NPEERS; i++)
			if ((o.conn_id && o.conn_id == P[i].conn) ||
			    (!o.conn_id && net_addr_eq(&o.dst, &P[i].addr)))
				break;
		if (i == NPEERS)
			fail_msg("output to unknown conn %llu",
				 (unsigned long long)o.conn_id);
		if (o.kind == NET_OUT_CLOSE)
			P[i].closed = true;
		else
			assert_int_equal(buf_put(&P[i].in, o.data, o.len), 0);
	}
}

static void input(struct peer *p, const void *data, size_t len)
{
	struct net_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.from = p->addr;
	pkt.to = RELAY;
	pkt.conn_id = p->conn;
	pkt.data = data;
	pkt.len = len;
	assert_int_equal(msrp_relay_input(R, NOW, &pkt), 0);
	drain();
}

/* Send s in pieces of `step` bytes (0: whole). */
static void say(struct peer *p, const char *s, size_t len, size_t step)
{
	size_t at = 0, n;

	if (!step)
		step = len;
	while (at < len) {
		n = len - at < step ? len - at : step;
		input(p, s + at, n);
		at += n;
	}
}

static void says(struct peer *p, const char *s)
{
	say(p, s, strlen(s), 0);
}

/* Next complete message the relay sent p: 0, or ENOENT. */
static int take(struct peer *p, struct rx *out)
{
	struct msrp_ev ev;
	struct pl in = pl_from_mem(p->in.data + p->off, p->in.len - p->off);
	int err;

	while ((err = msrp_parse(&p->ps, &in, &ev)) == 0) {
		if (ev.kind == MSRP_EV_HEAD) {
			assert_true(p->ps.line_off < sizeof(p->cur.raw));
			memcpy(p->cur.raw, p->ps.head.data, p->ps.line_off);
			p->cur.rawlen = p->ps.line_off;
			buf_reset(&p->cur.body);
		} else if (ev.kind == MSRP_EV_DATA) {
			buf_put(&p->cur.body, ev.data.p, ev.data.len);
		} else {
			p->cur.flag = ev.flag;
			p->off = p->in.len - in.len;
			memcpy(out->raw, p->cur.raw, p->cur.rawlen);
			out->rawlen = p->cur.rawlen;
			assert_int_equal(msrp_head_decode(&out->m, out->raw,
							  out->rawlen), 0);
			out->flag = ev.flag;
			buf_reset(&out->body);
			buf_put(&out->body, p->cur.body.data, p->cur.body.len);
			return 0;
		}
	}
	if (err != ENODATA)
		fail_msg("relay sent a malformed frame: %s", p->ps.err);
	p->off = p->in.len;
	return ENOENT;
}

static bool hdr_is(const struct rx *x, enum msrp_hdr_id id, const char *v)
{
	const struct msrp_hdr *h = msrp_msg_hdr(&x->m, id);

	return h && pl_eq_str(&h->val, v);
}

static void hdr_get(const struct rx *x, enum msrp_hdr_id id, char *out,
		    size_t sz)
{
	const struct msrp_hdr *h = msrp_msg_hdr(&x->m, id);

	assert_non_null(h);
	assert_int_equal(pl_strcpy(&h->val, out, sizeof(char) * sz), 0);
}

static void rx_init(struct rx *x)
{
	memset(x, 0, sizeof(*x));
	buf_init(&x->body);
}

/* AUTH as user with password; 0 and p->use_path set, or the status. */
static int auth(struct peer *p, const char *user, const char *pw,
		const char *expires)
{
	char msg[2048], nonce[64], www[256], ha1[65], resp[65], line[128];
	const char *np;
	struct msrp_auth a;
	struct rx x;
	struct pl l;
	int code;

	rx_init(&x);
	snprintf(msg, sizeof(msg),
		 "MSRP auth0001 AUTH\r\nTo-Path: msrps://127.0.0.1:2855;tcp\r\n"
		 "From-Path: %s\r\n-------auth0001$\r\n", p->uri);
	says(p, msg);
	assert_int_equal(take(p, &x), 0);
	assert_int_equal(x.m.scode, 401);
	assert_true(pl_eq_str(&x.m.tid, "auth0001"));
	hdr_get(&x, MSRP_H_WWW_AUTHENTICATE, www, sizeof(www));
	np = strstr(www, "nonce=\"");
	assert_non_null(np);
	snprintf(nonce, sizeof(nonce), "%.32s", np + 7);
	assert_non_null(strstr(www, "realm=\"" REALM "\""));
	snprintf(line, sizeof(line), "%s:%s:%s", user, REALM, pw);
	l = pl_from_str(line);
	assert_int_equal(msrp_digest_hex(MSRP_ALG_MD5, &l, ha1, sizeof(ha1)),
			 0);
	memset(&a, 0, sizeof(a));
	a.uri = PL("msrps://127.0.0.1:2855;tcp");
	a.nonce = pl_from_str(nonce);
	a.cnonce = PL("0a4f113b");
	a.nc = PL("00000001");
	a.qop = PL("auth");
	assert_int_equal(msrp_digest_response(MSRP_ALG_MD5, ha1, "AUTH", &a,
					      resp, sizeof(resp)), 0);
	snprintf(msg, sizeof(msg),
		 "MSRP auth0002 AUTH\r\nTo-Path: msrps://127.0.0.1:2855;tcp\r\n"
		 "From-Path: %s\r\nAuthorization: Digest username=\"%s\", "
		 "realm=\"%s\", nonce=\"%s\", uri=\"msrps://127.0.0.1:2855;tcp\""
		 ", response=\"%s\", qop=auth, cnonce=\"0a4f113b\", "
		 "nc=00000001\r\n%s-------auth0002$\r\n",
		 p->uri, user, REALM, nonce, resp, expires ? expires : "");
	says(p, msg);
	if (take(p, &x)) {
		buf_fini(&x.body);
		return -1;
	}
	code = x.m.scode;
	assert_true(pl_eq_str(&x.m.tid, "auth0002"));
	if (code == 200) {
		hdr_get(&x, MSRP_H_USE_PATH, p->use_path,
			sizeof(p->use_path));
		assert_non_null(msrp_msg_hdr(&x.m, MSRP_H_EXPIRES));
		assert_true(hdr_is(&x, MSRP_H_TO_PATH, p->uri));
	}
	buf_fini(&x.body);
	return code == 200 ? 0 : code;
}


/* Alice and Bob both AUTH; returns nothing, sets their use_path. */
static void two_clients(struct peer **a, struct peer **b)
{
	*a = peer_new(11, 41001, "msrps://127.0.0.1:41001/aaaa;tcp");
	*b = peer_new(12, 41002, "msrps://127.0.0.1:41002/bbbb;tcp");
	assert_int_equal(auth(*a, "alice", "wonderland", NULL), 0);
	assert_int_equal(auth(*b, "bob", "builder", NULL), 0);
}

static size_t make_send(char *out, size_t sz, const char *tid,
			const char *to, const char *from, const char *id,
			const char *range, const char *extra,
			const void *body, size_t blen, char flag)
{
	int n = snprintf(out, sz,
			 "MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
			 "Message-ID: %s\r\nByte-Range: %s\r\n%s"
			 "Content-Type: text/plain\r\n\r\n",
			 tid, to, from, id, range, extra ? extra : "");
	assert_true(n > 0 && (size_t)n + blen + 64 < sz);
	memcpy(out + n, body, blen);
	n += (int)blen;
	n += snprintf(out + n, sz - (size_t)n, "\r\n-------%s%c\r\n", tid,
		      flag);
	return (size_t)n;
}

#endif
