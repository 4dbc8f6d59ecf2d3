/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for ref/msrp: the stream parser (input cut into pieces
 * at offsets taken from the data itself, checked against a one-piece run),
 * the URI, Byte-Range, Status and Authorization decoders, and the relay
 * core fed as an unauthenticated client. First byte picks the mode.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "base/mem.h"
#include "msrp/msrp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Content bytes and event count of one run, cut every `step` bytes. */
static int run(const uint8_t *d, size_t n, size_t step, struct buf *body,
	       size_t *nev)
{
	struct msrp_parser p;
	struct msrp_ev ev;
	size_t at = 0;
	int err = 0;

	msrp_parser_init(&p, 2048);
	*nev = 0;
	while (at < n && !err) {
		size_t k = n - at < step ? n - at : step;
		struct pl in = pl_from_mem(d + at, k);

		while ((err = msrp_parse(&p, &in, &ev)) == 0) {
			(*nev)++;
			if (ev.kind == MSRP_EV_DATA)
				buf_put(body, ev.data.p, ev.data.len);
			if (ev.kind == MSRP_EV_HEAD)
				(void)msrp_msg_hdr(ev.msg, MSRP_H_TO_PATH);
		}
		if (err == ENODATA)
			err = 0;
		at += k;
	}
	if (err) {		/* what a relay reads to address its 400 */
		struct pl tp, fp;

		msrp_parser_paths(&p, &tp, &fp);
		if (tp.len > p.head.len || fp.len > p.head.len)
			__builtin_trap();
	}
	msrp_parser_fini(&p);
	return err;
}

static int ha1_alice(void *arg, const struct pl *u, const struct pl *r,
		     const char *alg, char *ha1, size_t sz)
{
	struct pl l = PL("alice:example.test:pw");

	(void)arg; (void)r; (void)alg;
	if (!pl_eq_str(u, "alice"))
		return ENOENT;
	return msrp_digest_hex(MSRP_ALG_MD5, &l, ha1, sz);
}

static void feed(struct msrp_relay *r, struct net_pkt *pkt, const char *s,
		 char *out, size_t outsz)
{
	struct net_out o;
	size_t n = 0;

	pkt->data = (const uint8_t *)s;
	pkt->len = strlen(s);
	msrp_relay_input(r, 1, pkt);
	while (msrp_relay_output(r, &o) == 0)
		if (out && o.len && n + o.len < outsz) {
			memcpy(out + n, o.data, o.len);
			n += o.len;
		}
	if (out)
		out[n] = 0;
}

/* AUTH on connection id, so fuzzed input can reach the forwarding paths:
 * sessions end up with the ids the seeds name (the rng is seeded). */
static void login(struct msrp_relay *r, struct net_pkt *pkt, uint64_t id)
{
	char out[2048], msg[1024], ha1[65], resp[65], nonce[33];
	struct pl l = PL("alice:example.test:pw");
	struct msrp_auth a;
	const char *np;

	pkt->conn_id = id;
	net_addr_set_port(&pkt->from, (uint16_t)(40000 + id));
	snprintf(msg, sizeof(msg), "MSRP auth0001 AUTH\r\n"
		 "To-Path: msrps://127.0.0.1:2855;tcp\r\n"
		 "From-Path: msrps://127.0.0.1:%u/c%u;tcp\r\n"
		 "-------auth0001$\r\n", (unsigned)(40000 + id),
		 (unsigned)id);
	feed(r, pkt, msg, out, sizeof(out));
	np = strstr(out, "nonce=\"");
	if (!np)
		return;
	snprintf(nonce, sizeof(nonce), "%.32s", np + 7);
	msrp_digest_hex(MSRP_ALG_MD5, &l, ha1, sizeof(ha1));
	memset(&a, 0, sizeof(a));
	a.uri = PL("msrps://127.0.0.1:2855;tcp");
	a.nonce = pl_from_str(nonce);
	a.cnonce = PL("c");
	a.nc = PL("1");
	a.qop = PL("auth");
	msrp_digest_response(MSRP_ALG_MD5, ha1, "AUTH", &a, resp,
			     sizeof(resp));
	snprintf(msg, sizeof(msg), "MSRP auth0002 AUTH\r\n"
		 "To-Path: msrps://127.0.0.1:2855;tcp\r\n"
		 "From-Path: msrps://127.0.0.1:%u/c%u;tcp\r\n"
		 "Authorization: Digest username=\"alice\", "
		 "realm=\"example.test\", nonce=\"%s\", "
		 "uri=\"msrps://127.0.0.1:2855;tcp\", response=\"%s\", "
		 "qop=auth, cnonce=\"c\", nc=1\r\n-------auth0002$\r\n",
		 (unsigned)(40000 + id), (unsigned)id, nonce, resp);
	feed(r, pkt, msg, NULL, 0);
}

static void relay(const uint8_t *d, size_t n)
{
	struct msrp_relay_cfg cfg;
	struct msrp_relay *r;
	struct msrp_net net;
	struct pl np = PL("127.0.0.0/8"), a = PL("127.0.0.1:2855");
	struct net_pkt pkt;
	struct net_out o;
	size_t at = 0;

	msrp_relay_cfg_defaults(&cfg);
	cfg.realm = "example.test";
	cfg.ha1 = ha1_alice;
	msrp_net_parse(&np, &net);
	cfg.nets = &net;
	cfg.nnets = 1;
	if (msrp_relay_new(&r, &cfg, 1))
		return;
	memset(&pkt, 0, sizeof(pkt));
	net_addr_parse(&a, 0, &pkt.to);
	pkt.to.tp = NET_TLS;
	pkt.from = pkt.to;
	login(r, &pkt, 1);
	login(r, &pkt, 2);
	while (at < n) {
		size_t k = 1 + d[at] % 64;
		at++;
		if (k > n - at)
			k = n - at;
		pkt.conn_id = 1 + (k & 1);
		net_addr_set_port(&pkt.from, (uint16_t)(40000 + pkt.conn_id));
		pkt.data = d + at;
		pkt.len = k;
		msrp_relay_input(r, at * 1000, &pkt);
		while (msrp_relay_output(r, &o) == 0)
			;
		at += k;
	}
	msrp_relay_timeout(r, UINT64_MAX / 2);
	while (msrp_relay_output(r, &o) == 0)
		;
	msrp_relay_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b1, b2;
	size_t n1, n2;
	int e1, e2;

	if (size < 2)
		return 0;
	switch (data[0] % 3) {
	case 0:
		buf_init(&b1);
		buf_init(&b2);
		e1 = run(data + 2, size - 2, size, &b1, &n1);
		e2 = run(data + 2, size - 2, 1 + data[1] % 17, &b2, &n2);
		/* Cutting the stream never changes what it means. */
		if (e1 != e2 || b1.len != b2.len ||
		    (b1.len && memcmp(b1.data, b2.data, b1.len)))
			abort();
		buf_fini(&b1);
		buf_fini(&b2);
		break;
	case 1: {
		struct pl pl = pl_from_mem(data + 1, size - 1);
		struct msrp_uri u;
		struct msrp_range r;
		struct msrp_auth a;
		uint16_t code;
		struct pl c;
		size_t n;

		if (!msrp_uri_decode(&u, &pl))
			(void)msrp_uri_eq(&u, &u);
		(void)msrp_path_count(&pl, &n);
		(void)msrp_range_decode(&pl, &r);
		(void)msrp_status_decode(&pl, &code, &c);
		(void)msrp_auth_decode(&pl, &a);
		break;
	}
	default:
		relay(data + 1, size - 1);
		break;
	}
	return 0;
}
