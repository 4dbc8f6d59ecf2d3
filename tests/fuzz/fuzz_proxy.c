/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the SIP service core as a whole: every input is
 * one datagram or stream chunk for a long-lived proxy (auth on, fake
 * store with one account, one registered contact), so transactions,
 * forking, the registrar, auth, presence and CDR paths all see hostile
 * bytes, and so do the core's own parsers (nonces, SDP media lines,
 * redaction). The first byte picks the transport and how far the fake
 * clock jumps (timers fire); the core's output is drained after each
 * input. No crash, no sanitizer report, and the core keeps answering.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "sip/proxy.h"
#include "base/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sip_proxy *px;
static struct rng rng;
static struct net_addr lis[3];
static struct sip_net net;
static uint64_t now = 1000000;

static int ha1(void *arg, const char *user, const char *domain,
	       enum sip_auth_alg alg, char *hex, size_t sz)
{
	(void)arg;
	if (strcmp(user, "alice"))
		return ENOENT;
	return sip_auth_ha1(alg, user, domain, "secret", hex, sz);
}

static void trace(void *arg, const struct sip_trace *t)
{
	(void)arg;
	(void)t;
}

static void cdr(void *arg, const struct sip_cdr *c)
{
	(void)arg;
	(void)c;
}

static void addr(const char *s, enum net_tp tp, struct net_addr *a)
{
	struct pl pl = pl_from_str(s);

	if (net_addr_parse(&pl, 5060, a))
		abort();
	a->tp = tp;
}

static void drain(void)
{
	struct net_out o;

	while (!sip_proxy_output(px, &o))
		;
}

static void feed(const char *from, enum net_tp tp, const char *msg)
{
	struct net_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	addr(from, tp, &pkt.from);
	pkt.to = lis[0];
	pkt.data = (const uint8_t *)msg;
	pkt.len = strlen(msg);
	sip_proxy_input(px, now, &pkt);
	drain();
}

static void init(void)
{
	static const uint8_t secret[] = "fuzz";
	struct sip_proxy_cfg c;

	rng_seed(&rng, 1);
	addr("127.0.0.1:5060", NET_UDP, &lis[0]);
	addr("127.0.0.1:5060", NET_TCP, &lis[1]);
	addr("127.0.0.1:5061", NET_TLS, &lis[2]);
	addr("127.0.0.0", NET_UDP, &net.pfx);
	net.bits = 8;
	memset(&c, 0, sizeof(c));
	c.domain = "example.test";
	c.listen = lis;
	c.nlisten = 3;
	c.networks = &net;
	c.nnetworks = 1;
	c.auth = true;
	c.nonce_secret = secret;
	c.nonce_secret_len = 4;
	c.max_tsx = 4096;
	c.rng = &rng;
	c.store.ha1_get = ha1;
	c.store.trace_add = trace;
	c.store.cdr_write = cdr;
	if (sip_proxy_new(&px, &c))
		abort();
	c.auth = false;
	feed("127.0.0.1:5081", NET_UDP,
	     "REGISTER sip:example.test SIP/2.0\r\n"
	     "Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bKf\r\n"
	     "From: <sip:bob@example.test>;tag=f\r\n"
	     "To: <sip:bob@example.test>\r\nCall-ID: f\r\nCSeq: 1 REGISTER\r\n"
	     "Contact: <sip:bob@127.0.0.1:5081>\r\nContent-Length: 0\r\n\r\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum net_tp tps[4] = { NET_UDP, NET_UDP, NET_TCP,
					    NET_TLS };
	struct net_pkt pkt;

	if (!px)
		init();
	if (!size)
		return 0;
	memset(&pkt, 0, sizeof(pkt));
	addr(data[0] & 0x10 ? "127.0.0.1:5081" : "127.0.0.1:5070",
	     tps[data[0] & 3], &pkt.from);
	pkt.to = lis[data[0] & 3 ? (data[0] & 3) - 1 : 0];
	pkt.conn_id = net_tp_is_stream(pkt.from.tp) ? 1 + (data[0] >> 6) : 0;
	pkt.data = data + 1;
	pkt.len = size - 1;
	if (sip_proxy_input(px, now, &pkt) == EINVAL)
		abort();
	drain();
	now += (uint64_t)((data[0] >> 2) & 3) * 20000000ull;
	sip_proxy_timeout(px, now);
	drain();
	return 0;
}
