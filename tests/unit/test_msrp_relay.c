/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the MSRP relay core (ref/msrp/msrp_relay.c, msrp_route.c,
 * msrp_rauth.c) through the four calls of base/core.h, with a fake clock,
 * a fake HA1 store and fake peers: each peer is a connection id plus the
 * bytes the relay sent it, parsed back with the same stream parser.
 */
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

static void test_msrp_relay_auth(void **state)
{
	struct peer *a = peer_new(1, 40001, "msrps://127.0.0.1:40001/al1ce;tcp");
	struct peer *m = peer_new(2, 40002, "msrps://127.0.0.1:40002/m4l;tcp");
	int i;

	(void)state;
	assert_int_equal(auth(a, "alice", "wonderland", NULL), 0);
	assert_true(strncmp(a->use_path, "msrps://127.0.0.1:2855/", 23) == 0);
	assert_non_null(strstr(a->use_path, ";tcp"));
	assert_int_equal(msrp_relay_nsessions(R), 1);
	/* wrong password: a fresh challenge, then 403 and close */
	for (i = 0; i < 4; i++)
		assert_int_equal(auth(m, "alice", "guess", NULL), 401);
	assert_int_equal(auth(m, "alice", "guess", NULL), 403);
	assert_true(m->closed);
	assert_int_equal(msrp_relay_nconns(R), 1);
	/* unknown user and too-short Expires */
	m = peer_new(3, 40003, "msrps://127.0.0.1:40003/m4l;tcp");
	assert_int_equal(auth(m, "mallory", "x", NULL), 401);
	assert_int_equal(auth(m, "bob", "builder", "Expires: 5\r\n"), 423);
	assert_int_equal(auth(m, "bob", "builder", "Expires: 120\r\n"), 0);
	assert_int_equal(msrp_relay_nsessions(R), 2);
	/* the session expires with its Expires */
	NOW += 121 * SEC;
	assert_true(msrp_relay_deadline(R) <= NOW);
	assert_int_equal(msrp_relay_timeout(R, NOW), 0);
	assert_int_equal(msrp_relay_nsessions(R), 1);
	assert_true(ha1_calls >= 7);
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

static void test_msrp_relay_chat_chunks(void **state)
{
	static char msg[16384], body[9000];
	struct peer *a, *b;
	char to[512], from[512], want_from[512], range[64], tid[16];
	struct buf got;
	struct rx x;
	size_t i, n, k, steps[] = { 0, 1, 7, 13, 64, 1000 };
	int ch;

	(void)state;
	two_clients(&a, &b);
	for (i = 0; i < sizeof(body); i++)	/* CRs, LFs and dashes */
		body[i] = "ab\r\n-----\r\n-------xyz$"[i % 22];
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	snprintf(want_from, sizeof(want_from), "%s %s %s", b->use_path,
		 a->use_path, a->uri);
	buf_init(&got);
	rx_init(&x);
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		buf_reset(&got);
		for (ch = 0; ch < 3; ch++) {
			snprintf(range, sizeof(range), "%d-%d/%zu",
				 ch * 3000 + 1, ch * 3000 + 3000, sizeof(body));
			snprintf(tid, sizeof(tid), "t%03zu%d", k, ch);
			n = make_send(msg, sizeof(msg), tid, to, a->uri,
				      "msg00001", range, NULL, body + ch * 3000,
				      3000, ch == 2 ? '$' : '+');
			say(a, msg, n, steps[k]);
			/* the relay answers the chunk itself */
			assert_int_equal(take(a, &x), 0);
			assert_int_equal(x.m.scode, 200);
			assert_true(pl_eq_str(&x.m.tid, tid));
			assert_true(hdr_is(&x, MSRP_H_TO_PATH, a->uri));
			assert_true(hdr_is(&x, MSRP_H_FROM_PATH, a->use_path));
		}
		for (ch = 0; ch < 3; ch++) {
			assert_int_equal(take(b, &x), 0);
			assert_int_equal(x.m.mid, MSRP_M_SEND);
			assert_true(hdr_is(&x, MSRP_H_TO_PATH, b->uri));
			hdr_get(&x, MSRP_H_FROM_PATH, from, sizeof(from));
			assert_string_equal(from, want_from);
			assert_true(hdr_is(&x, MSRP_H_MESSAGE_ID, "msg00001"));
			assert_true(hdr_is(&x, MSRP_H_CONTENT_TYPE,
					   "text/plain"));
			assert_int_equal(x.flag, ch == 2 ? '$' : '+');
			/* a fresh transaction id on this hop */
			assert_false(pl_eq_str(&x.m.tid, "t0000"));
			buf_put(&got, x.body.data, x.body.len);
		}
		assert_int_equal(take(b, &x), ENOENT);
		assert_int_equal(got.len, sizeof(body));
		assert_memory_equal(got.data, body, sizeof(body));
	}
	assert_true(msrp_relay_stats(R)->fwd_bytes >= 6 * sizeof(body));
	buf_fini(&got);
	buf_fini(&x.body);
}

/* Bob's answers: 200 is absorbed, an error becomes a REPORT to Alice. */
static void test_msrp_relay_reports(void **state)
{
	char msg[4096], to[512], tid[40], from[512], st[64], want[512];
	struct peer *a, *b;
	struct rx x;
	size_t n;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "s0000001", to, a->uri, "msg00002",
		      "1-5/5", "Success-Report: yes\r\n", "hello", 5, '$');
	say(a, msg, n, 0);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(take(b, &x), 0);
	assert_true(hdr_is(&x, MSRP_H_SUCCESS_REPORT, "yes"));
	pl_strcpy(&x.m.tid, tid, sizeof(tid));
	hdr_get(&x, MSRP_H_FROM_PATH, from, sizeof(from));
	/* Bob: 200 to the relay, then the success REPORT end to end */
	snprintf(msg, sizeof(msg),
		 "MSRP %s 200 OK\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
		 "-------%s$\r\n"
		 "MSRP rep00001 REPORT\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
		 "Message-ID: msg00002\r\nByte-Range: 1-5/5\r\n"
		 "Status: 000 200 OK\r\n-------rep00001$\r\n",
		 tid, b->use_path, b->uri, tid, from, b->uri);
	say(b, msg, strlen(msg), 5);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(x.m.mid, MSRP_M_REPORT);
	assert_true(hdr_is(&x, MSRP_H_TO_PATH, a->uri));
	snprintf(want, sizeof(want), "%s %s %s", a->use_path, b->use_path,
		 b->uri);
	assert_true(hdr_is(&x, MSRP_H_FROM_PATH, want));
	assert_true(hdr_is(&x, MSRP_H_STATUS, "000 200 OK"));
	assert_int_equal(take(a, &x), ENOENT);	/* no response to REPORT */
	assert_int_equal(take(b, &x), ENOENT);

	/* Bob refuses the next one: Alice gets a failure REPORT */
	n = make_send(msg, sizeof(msg), "s0000002", to, a->uri, "msg00003",
		      "1-5/5", NULL, "again", 5, '$');
	say(a, msg, n, 3);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(x.m.scode, 200);
	assert_int_equal(take(b, &x), 0);
	pl_strcpy(&x.m.tid, tid, sizeof(tid));
	snprintf(msg, sizeof(msg),
		 "MSRP %s 415 Unsupported Media Type\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\n-------%s$\r\n", tid, b->use_path, b->uri,
		 tid);
	says(b, msg);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(x.m.mid, MSRP_M_REPORT);
	hdr_get(&x, MSRP_H_STATUS, st, sizeof(st));
	assert_true(strncmp(st, "000 415", 7) == 0);
	assert_true(hdr_is(&x, MSRP_H_MESSAGE_ID, "msg00003"));
	assert_true(hdr_is(&x, MSRP_H_TO_PATH, a->uri));

	/* Bob never answers: 408 REPORT after the transaction timeout */
	n = make_send(msg, sizeof(msg), "s0000003", to, a->uri, "msg00004",
		      "1-5/5", NULL, "third", 5, '$');
	say(a, msg, n, 0);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(take(b, &x), 0);
	NOW += 31 * SEC;
	msrp_relay_timeout(R, NOW);
	drain();
	assert_int_equal(take(a, &x), 0);
	hdr_get(&x, MSRP_H_STATUS, st, sizeof(st));
	assert_true(strncmp(st, "000 408", 7) == 0);
	assert_int_equal(msrp_relay_stats(R)->reports_made, 2);
	buf_fini(&x.body);
}

static void test_msrp_relay_refusals(void **state)
{
	char msg[4096], to[512];
	struct peer *a, *b, *c;
	struct rx x;
	size_t n;

	(void)state;
	two_clients(&a, &b);
	c = peer_new(13, 41003, "msrps://127.0.0.1:41003/cccc;tcp");
	rx_init(&x);
	/* unknown session: 481 */
	n = make_send(msg, sizeof(msg), "u0000001",
		      "msrps://127.0.0.1:2855/nosuchsession;tcp msrps://127.0.0.1:41002/bbbb;tcp",
		      c->uri, "msg00005", "1-2/2", NULL, "hi", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), 0);
	assert_int_equal(x.m.scode, 481);
	assert_int_equal(take(b, &x), ENOENT);
	/* Carol may not send through Alice's session to a stranger */
	snprintf(to, sizeof(to), "%s msrps://127.0.0.1:41009/zz;tcp",
		 a->use_path);
	n = make_send(msg, sizeof(msg), "u0000002", to, c->uri, "msg00006",
		      "1-2/2", NULL, "hi", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), 0);
	assert_int_equal(x.m.scode, 403);
	/* ... but may send to Bob through Bob's session */
	snprintf(to, sizeof(to), "%s %s", b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "u0000003", to, c->uri, "msg00007",
		      "1-2/2", NULL, "hi", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), 0);
	assert_int_equal(x.m.scode, 200);
	assert_int_equal(take(b, &x), 0);
	assert_int_equal(x.body.len, 2);
	assert_memory_equal(x.body.data, "hi", 2);
	/* Alice to a next hop outside the configured networks: 403 */
	snprintf(to, sizeof(to), "%s msrps://10.9.9.9:2855/x1;tcp",
		 a->use_path);
	n = make_send(msg, sizeof(msg), "u0000004", to, a->uri, "msg00008",
		      "1-2/2", NULL, "hi", 2, '$');
	say(a, msg, n, 0);
	assert_int_equal(take(a, &x), 0);
	assert_int_equal(x.m.scode, 403);
	/* Failure-Report: no -> silence even on failure */
	n = make_send(msg, sizeof(msg), "u0000005",
		      "msrps://127.0.0.1:2855/nosuch;tcp msrps://1.2.3.4/x;tcp",
		      c->uri, "msg00009", "1-2/2", "Failure-Report: no\r\n",
		      "hi", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), ENOENT);
	buf_fini(&x.body);
}

static void test_msrp_relay_malformed(void **state)
{
	struct peer *a, *b, *g;
	char to[512], msg[4096];
	struct rx x;
	size_t n;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	g = peer_new(20, 42000, "msrps://127.0.0.1:42000/g;tcp");
	says(g, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_true(g->closed);
	assert_int_equal(g->in.len, 0);
	g = peer_new(21, 42001, "msrps://127.0.0.1:42001/g;tcp");
	says(g, "MSRP abcd1234 SEND\r\nTo-Path: msrps://127.0.0.1:2855/x;tcp\r\n"
		"From-Path: msrps://127.0.0.1:42001/g;tcp\r\nno colon here\r\n");
	assert_true(g->closed);
	assert_int_equal(take(g, &x), 0);
	assert_int_equal(x.m.scode, 400);
	assert_true(pl_eq_str(&x.m.tid, "abcd1234"));
	/* Alice breaks off mid-chunk: Bob's chunk is closed with '#' */
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "m0000001", to, a->uri, "msg00010",
		      "1-100/100", NULL, "0123456789", 10, '$');
	say(a, msg, n - 20, 0);
	says(a, "\r\n-------m0000001$ junk\r\n");
	assert_true(a->closed);
	assert_int_equal(take(b, &x), 0);
	assert_int_equal(x.flag, '#');
	assert_int_equal(msrp_relay_nsessions(R), 1);	/* Alice's is gone */
	assert_true(msrp_relay_stats(R)->malformed >= 3);
	buf_fini(&x.body);
}

static void test_msrp_relay_otr_unchanged(void **state)
{
	static const char otr[] =
		"?OTR:AAMDJ+MVmSfjFZcAAAAAAQAAAAIAAADAVf3Rg3ErZ4LP7jz\r\n"
		"\x00\x01\x02\xff\xfe\r\n-------\r\n-------notatid$\r\n.\r"
		"?OTRv23?\r\n";
	char msg[4096], to[512];
	struct peer *a, *b;
	struct rx x;
	size_t n, step;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	for (step = 1; step < 40; step += 3) {
		n = make_send(msg, sizeof(msg), "otr00001", to, a->uri,
			      "msg00011", "1-*/*", NULL, otr, sizeof(otr) - 1,
			      '$');
		say(a, msg, n, step);
		assert_int_equal(take(a, &x), 0);
		assert_int_equal(take(b, &x), 0);
		assert_int_equal(x.body.len, sizeof(otr) - 1);
		assert_memory_equal(x.body.data, otr, sizeof(otr) - 1);
	}
	buf_fini(&x.body);
}

/* Two senders to Bob at once: chunks interrupted, never interleaved. */
static void test_msrp_relay_interleave(void **state)
{
	static char msg1[8192], msg2[8192], b1[3000], b2[3000];
	char to1[512], to2[512];
	struct peer *a, *b, *c;
	struct buf g1, g2;
	struct rx x;
	size_t n1, n2, at1 = 0, at2 = 0, i;

	(void)state;
	two_clients(&a, &b);
	c = peer_new(14, 41004, "msrps://127.0.0.1:41004/cccc;tcp");
	for (i = 0; i < sizeof(b1); i++) {
		b1[i] = (char)('A' + i % 26);
		b2[i] = (char)('0' + i % 10);
	}
	snprintf(to1, sizeof(to1), "%s %s %s", a->use_path, b->use_path,
		 b->uri);
	snprintf(to2, sizeof(to2), "%s %s", b->use_path, b->uri);
	n1 = make_send(msg1, sizeof(msg1), "ia000001", to1, a->uri, "msgA0001",
		       "1-3000/3000", NULL, b1, sizeof(b1), '$');
	n2 = make_send(msg2, sizeof(msg2), "ic000001", to2, c->uri, "msgC0001",
		       "1-3000/3000", NULL, b2, sizeof(b2), '$');
	while (at1 < n1 || at2 < n2) {
		size_t k = 211;
		if (at1 < n1) {
			k = n1 - at1 < k ? n1 - at1 : k;
			say(a, msg1 + at1, k, 0);
			at1 += k;
		}
		k = 157;
		if (at2 < n2) {
			k = n2 - at2 < k ? n2 - at2 : k;
			say(c, msg2 + at2, k, 0);
			at2 += k;
		}
	}
	buf_init(&g1);
	buf_init(&g2);
	rx_init(&x);
	while (take(b, &x) == 0) {
		struct msrp_range r;
		const struct msrp_hdr *h = msrp_msg_hdr(&x.m, MSRP_H_BYTE_RANGE);
		struct buf *g = hdr_is(&x, MSRP_H_MESSAGE_ID, "msgA0001") ?
				&g1 : &g2;

		assert_non_null(h);
		assert_int_equal(msrp_range_decode(&h->val, &r), 0);
		assert_int_equal(r.start, g->len + 1);	/* resumes in place */
		buf_put(g, x.body.data, x.body.len);
	}
	assert_true(msrp_relay_stats(R)->interrupted > 0);
	assert_int_equal(g1.len, sizeof(b1));
	assert_int_equal(g2.len, sizeof(b2));
	assert_memory_equal(g1.data, b1, sizeof(b1));
	assert_memory_equal(g2.data, b2, sizeof(b2));
	buf_fini(&g1);
	buf_fini(&g2);
	buf_fini(&x.body);
}

/* A next hop we must dial: asked for with conn_id 0, then learned. */
static void test_msrp_relay_outgoing(void **state)
{
	char msg[4096], to[512], tid[40], st[64];
	struct peer *a, *d;
	struct rx x;
	size_t n;

	(void)state;
	a = peer_new(31, 43001, "msrp://127.0.0.1:43001/aaaa;tcp");
	assert_int_equal(auth(a, "alice", "wonderland", NULL), 0);
	d = peer_new(0, 43999, "msrp://127.0.0.1:43999/dddd;tcp");
	d->addr.tp = NET_TCP;
	rx_init(&x);
	snprintf(to, sizeof(to), "%s %s", a->use_path, d->uri);
	n = make_send(msg, sizeof(msg), "o0000001", to, a->uri, "msg00020",
		      "1-3/3", NULL, "out", 3, '$');
	say(a, msg, n, 0);
	assert_int_equal(take(d, &x), 0);
	assert_int_equal(x.body.len, 3);
	assert_memory_equal(x.body.data, "out", 3);
	pl_strcpy(&x.m.tid, tid, sizeof(tid));
	d->conn = 77;	/* the driver's id, first seen on its response */
	snprintf(msg, sizeof(msg),
		 "MSRP %s 481 Session Does Not Exist\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\n-------%s$\r\n", tid, a->use_path, d->uri,
		 tid);
	says(d, msg);
	assert_int_equal(take(a, &x), 0);	/* the relay's 200 */
	assert_int_equal(take(a, &x), 0);	/* the REPORT */
	hdr_get(&x, MSRP_H_STATUS, st, sizeof(st));
	assert_true(strncmp(st, "000 481", 7) == 0);
	assert_int_equal(msrp_relay_nconns(R), 2);
	/* idle connections are closed */
	NOW += 601 * SEC;
	msrp_relay_timeout(R, NOW);
	drain();
	assert_true(a->closed && d->closed);
	assert_int_equal(msrp_relay_nconns(R), 0);
	assert_int_equal(msrp_relay_nsessions(R), 0);
	buf_fini(&x.body);
}

/* Every allocation failing in turn: clean errors, no leak, no crash. */
static void test_msrp_relay_oom(void **state)
{
	char msg[4096], to[512];
	struct peer *a, *b;
	struct net_pkt pkt;
	struct rx x;
	size_t n;
	int64_t nth;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	snprintf(to, sizeof(to), "%s %s %s", a->use_path, b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "oom00001", to, a->uri, "msg00030",
		      "1-5/5", NULL, "hello", 5, '$');
	memset(&pkt, 0, sizeof(pkt));
	pkt.from = a->addr;
	pkt.to = RELAY;
	pkt.conn_id = a->conn;
	pkt.data = (const uint8_t *)msg;
	pkt.len = n;
	for (nth = 0; nth < 40; nth++) {
		struct net_out o;

		mem_fail_at(nth, 1);
		msrp_relay_input(R, NOW, &pkt);
		mem_fail_at(-1, 0);
		while (msrp_relay_output(R, &o) == 0)
			;
	}
	buf_fini(&x.body);
}

/* One connection, many sessions: both AUTHs succeed, both carry chat. */
static void test_msrp_relay_sessions_share_conn(void **state)
{
	char msg[4096], to[512], first[128];
	struct peer *a, *b;
	struct rx x;
	size_t n;
	int i;

	(void)state;
	two_clients(&a, &b);
	rx_init(&x);
	snprintf(first, sizeof(first), "%s", b->use_path);
	assert_int_equal(auth(b, "bob", "builder", NULL), 0);
	assert_string_not_equal(first, b->use_path);
	assert_int_equal(msrp_relay_nsessions(R), 3);
	assert_int_equal(msrp_relay_nconns(R), 2);
	for (i = 0; i < 2; i++) {
		snprintf(to, sizeof(to), "%s %s %s", a->use_path,
			 i ? b->use_path : first, b->uri);
		n = make_send(msg, sizeof(msg), i ? "sc000002" : "sc000001",
			      to, a->uri, "msg00040", "1-4/4", NULL, "both",
			      4, '$');
		say(a, msg, n, 0);
		assert_int_equal(take(a, &x), 0);
		assert_int_equal(x.m.scode, 200);
		assert_int_equal(take(b, &x), 0);
		assert_int_equal(x.body.len, 4);
	}
	buf_fini(&x.body);
}

/* A non-SEND with content split across reads owns Bob's connection (it
 * cannot be interrupted, RFC 4975 7.1.1): a SEND that comes meanwhile is
 * held and follows it, never inside it. */
static void test_msrp_relay_hold_behind_report(void **state)
{
	char rep[2048], msg[4096], to[512];
	struct peer *a, *b, *c;
	struct rx x;
	size_t n, k;

	(void)state;
	two_clients(&a, &b);
	c = peer_new(15, 41005, "msrps://127.0.0.1:41005/cccc;tcp");
	rx_init(&x);
	k = (size_t)snprintf(rep, sizeof(rep),
		"MSRP hr000001 NICKNAME\r\nTo-Path: %s %s %s\r\n"
		"From-Path: %s\r\nContent-Type: text/plain\r\n\r\n"
		"a long nickname\r\n-------hr000001$\r\n", a->use_path,
		b->use_path, b->uri, a->uri);
	say(a, rep, k - 25, 0);
	snprintf(to, sizeof(to), "%s %s", b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "hs000001", to, c->uri, "msg00051",
		      "1-4/4", NULL, "held", 4, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), 0);	/* the relay's 200 */
	assert_int_equal(x.m.scode, 200);
	say(a, rep + k - 25, 25, 0);
	assert_int_equal(take(b, &x), 0);
	assert_true(pl_eq_str(&x.m.method, "NICKNAME"));
	assert_int_equal(x.body.len, 15);
	{	/* its response goes back hop by hop to Alice's tid */
		char tid[40], resp[1024];

		pl_strcpy(&x.m.tid, tid, sizeof(tid));
		snprintf(resp, sizeof(resp), "MSRP %s 425 Nickname usage "
			 "failed\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
			 "-------%s$\r\n", tid, b->use_path, b->uri, tid);
		says(b, resp);
		assert_int_equal(take(a, &x), 0);
		assert_int_equal(x.m.scode, 425);
		assert_true(pl_eq_str(&x.m.tid, "hr000001"));
		assert_true(hdr_is(&x, MSRP_H_TO_PATH, a->uri));
	}
	assert_int_equal(take(b, &x), 0);
	assert_int_equal(x.m.mid, MSRP_M_SEND);
	assert_int_equal(x.body.len, 4);
	assert_memory_equal(x.body.data, "held", 4);
	assert_int_equal(take(b, &x), ENOENT);
	buf_fini(&x.body);
}

/* Past max_hold a held SEND is refused with 413; Failure-Report: partial
 * gets no 200 but does get the error (RFC 4975 7.1.1). */
static void test_msrp_relay_hold_limit(void **state)
{
	static char msg[16384], big[6000];
	char rep[2048], to[512];
	struct peer *a, *b, *c;
	struct rx x;
	size_t n, k;

	(void)state;
	two_clients(&a, &b);
	c = peer_new(16, 41006, "msrps://127.0.0.1:41006/cccc;tcp");
	rx_init(&x);
	memset(big, 'z', sizeof(big));
	k = (size_t)snprintf(rep, sizeof(rep),
		"MSRP hl000001 NICKNAME\r\nTo-Path: %s %s %s\r\n"
		"From-Path: %s\r\nContent-Type: text/plain\r\n\r\n"
		"a long nickname\r\n-------hl000001$\r\n", a->use_path,
		b->use_path, b->uri, a->uri);
	say(a, rep, k - 25, 0);
	snprintf(to, sizeof(to), "%s %s", b->use_path, b->uri);
	n = make_send(msg, sizeof(msg), "hl000002", to, c->uri, "msg00060",
		      "1-6000/6000", "Failure-Report: partial\r\n", big,
		      sizeof(big), '$');
	say(c, msg, n, 1000);
	assert_int_equal(take(c, &x), 0);
	assert_int_equal(x.m.scode, 413);
	assert_int_equal(take(c, &x), ENOENT);
	/* a small one with partial: no 200 at all */
	say(a, rep + k - 25, 25, 0);
	n = make_send(msg, sizeof(msg), "hl000003", to, c->uri, "msg00061",
		      "1-2/2", "Failure-Report: partial\r\n", "ok", 2, '$');
	say(c, msg, n, 0);
	assert_int_equal(take(c, &x), ENOENT);
	assert_int_equal(take(b, &x), 0);
	assert_true(pl_eq_str(&x.m.method, "NICKNAME"));
	assert_int_equal(take(b, &x), 0);
	assert_true(hdr_is(&x, MSRP_H_MESSAGE_ID, "msg00061"));
	assert_int_equal(take(b, &x), ENOENT);	/* nothing of the 413 one */
	buf_fini(&x.body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_msrp_relay_auth, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_msrp_relay_chat_chunks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_relay_reports, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_msrp_relay_refusals,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_relay_malformed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_relay_otr_unchanged,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_relay_interleave,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_relay_outgoing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_relay_oom, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_msrp_relay_sessions_share_conn, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_msrp_relay_hold_behind_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msrp_relay_hold_limit,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("msrp_relay", tests, NULL, NULL);
}
