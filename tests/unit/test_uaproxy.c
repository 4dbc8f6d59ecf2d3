/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench UAs through the real proxy core on the in-process network: digest
 * registration, a call with RTP, a MESSAGE, and what the proxy handed to
 * its store hooks (one CDR, traces without REGISTER). The store here is a
 * fake that records; the cores are the real ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "inproc/vnet.h"
#include "sip/proxy.h"
#include "ua/ua.h"

struct fstore {
	unsigned cdrs, traces, trace_register, messages;
	struct sip_cdr last;
};

static int f_ha1(void *arg, const char *user, const char *domain,
		 enum sip_auth_alg alg, char *hex, size_t n)
{
	(void)arg;
	if (strcmp(user, "alice") && strcmp(user, "bob"))
		return ENOENT;
	return sip_auth_ha1(alg, user, domain, "correct horse", hex, n);
}

static int f_exists(void *arg, const char *user, const char *domain)
{
	(void)arg;
	(void)domain;
	return strcmp(user, "alice") && strcmp(user, "bob") ? ENOENT : 0;
}

static void f_trace(void *arg, const struct sip_trace *t)
{
	struct fstore *s = arg;
	struct pl reg = PL("REGISTER");

	s->traces++;
	if (pl_find(&t->bytes, &reg))
		s->trace_register++;
}

static void f_cdr(void *arg, const struct sip_cdr *c)
{
	struct fstore *s = arg;

	s->cdrs++;
	s->last = *c;
}

static int f_msg(void *arg, const struct sip_message_rec *m)
{
	struct fstore *s = arg;

	(void)m;
	s->messages++;
	return 0;
}

static struct net_addr A(const char *s)
{
	struct net_addr a;
	struct pl p = pl_from_str(s);

	assert_int_equal(net_addr_parse(&p, 0, &a), 0);
	a.tp = NET_UDP;
	return a;
}

static struct ua *mk_ua(struct vnet *v, const char *user, const char *sip,
			const char *media, const struct net_addr *proxy,
			uint64_t seed, int *idx)
{
	struct ua_cfg c = { 0 };
	struct ua *u;
	struct net_addr m = A(media), any = m;

	c.user = user;
	c.domain = "example.test";
	c.password = "correct horse";
	c.local = A(sip);
	c.proxy = *proxy;
	c.media = m;
	c.seed = seed;
	assert_int_equal(ua_new(&u, &c), 0);
	net_addr_set_port(&any, 0);
	*idx = vnet_attach(v, (struct core_ref){ &ua_core_ops, u },
			   (struct net_addr[]){ c.local, any }, 2);
	assert_true(*idx >= 0);
	return u;
}

static int wait_for(struct vnet *v, struct ua *u, enum ua_ev_type t,
		    uint16_t *status)
{
	struct ua_event e;
	int i;

	for (i = 0; i < 200; i++) {
		while (ua_event_next(u, &e) == 0)
			if (e.type == t) {
				if (status)
					*status = e.status;
				return 0;
			}
		assert_int_equal(vnet_run_until(v, vnet_now(v) + 50000,
						1000000), 0);
	}
	return ETIMEDOUT;
}

static void register_call_message(int sim)
{
	static const uint8_t secret[] = "0123456789abcdef";
	struct fstore fs = { 0 };
	struct net_addr pa = A("127.0.0.10:5060"), pfx = A("127.0.0.0");
	struct sip_net nets[1] = { { pfx, 8 } };
	struct sip_proxy_cfg pc = { 0 };
	struct sip_proxy *px;
	struct vnet *v;
	struct ua *a, *b;
	struct rng r;
	struct ua_call_opt o = { 3000000, UA_MEDIA_RTP, "CANARY-x1", NULL };
	struct ua_stats sa, sb;
	uint16_t st = 0;
	static uint8_t longmsg[600];
	struct pl got;
	uint32_t h;
	int ia, ib;
	int64_t blocks = mem_blocks();

	rng_seed(&r, 5);
	if (sim) {
		struct vnet_sim_opt so = { 10000, 0, 0, 0, NULL };
		assert_int_equal(vnet_new_sim(&v, 1767225600ull * 1000000, 5,
					      &so), 0);
	} else {
		assert_int_equal(vnet_new(&v, 1767225600ull * 1000000, 5), 0);
	}
	pc.domain = "example.test";
	pc.listen = &pa;
	pc.nlisten = 1;
	pc.networks = nets;
	pc.nnetworks = 1;
	pc.auth = true;
	pc.nonce_secret = secret;
	pc.nonce_secret_len = 16;
	pc.rng = &r;
	pc.store.arg = &fs;
	pc.store.ha1_get = f_ha1;
	pc.store.user_exists = f_exists;
	pc.store.trace_add = f_trace;
	pc.store.cdr_write = f_cdr;
	pc.store.message_store = f_msg;
	assert_int_equal(sip_proxy_new(&px, &pc), 0);
	assert_true(vnet_attach(v, (struct core_ref){ &sip_proxy_core_ops,
					px }, &pa, 1) >= 0);
	a = mk_ua(v, "alice", "127.0.0.1:5060", "127.0.1.1:30000", &pa, 1,
		  &ia);
	b = mk_ua(v, "bob", "127.0.0.2:5060", "127.0.1.2:30000", &pa, 2, &ib);

	assert_int_equal(ua_register(a, vnet_now(v), 600), 0);
	assert_int_equal(ua_register(b, vnet_now(v), 600), 0);
	vnet_kick(v, ia);
	vnet_kick(v, ib);
	assert_int_equal(wait_for(v, a, UA_EV_REGISTERED, &st), 0);
	assert_int_equal(st, 200);
	assert_int_equal(wait_for(v, b, UA_EV_REGISTERED, &st), 0);
	assert_int_equal(sip_proxy_bindings(px, "bob"), 1);

	assert_int_equal(ua_call(a, vnet_now(v), "bob@example.test", &o, &h),
			 0);
	vnet_kick(v, ia);
	assert_int_equal(wait_for(v, a, UA_EV_CALL_ANSWERED, &st), 0);
	assert_int_equal(wait_for(v, a, UA_EV_CALL_ENDED, NULL), 0);
	assert_int_equal(vnet_run_until(v, vnet_now(v) + 2000000, 1000000),
			 0);
	ua_stats(a, &sa);
	ua_stats(b, &sb);
	assert_true(sb.rtp_canary_recv >= 140);
	assert_true(sa.rtp_recv >= 140);
	assert_int_equal(fs.cdrs, 1);
	assert_string_equal(fs.last.caller, "alice@example.test");
	assert_string_equal(fs.last.callee, "bob@example.test");
	assert_int_equal(fs.last.status, 200);
	assert_true(fs.last.duration_ms >= 2900 && fs.last.duration_ms <= 3100);
	assert_true(fs.traces >= 6);	/* INVITE 407 ACK INVITE 180 200 ACK BYE 200 */
	assert_int_equal(fs.trace_register, 0);

	/* longer than an event's detail: the recipient gets all of it */
	memset(longmsg, 'x', sizeof(longmsg));
	memcpy(longmsg, "hello", 5);
	memcpy(longmsg + sizeof(longmsg) - 3, "end", 3);
	assert_int_equal(ua_message(b, vnet_now(v), "alice@example.test",
				    "text/plain", longmsg, sizeof(longmsg)),
			 0);
	vnet_kick(v, ib);
	assert_int_equal(wait_for(v, a, UA_EV_MESSAGE_RECEIVED, NULL), 0);
	got = ua_last_message(a);
	assert_int_equal(got.len, sizeof(longmsg));
	assert_memory_equal(got.p, longmsg, sizeof(longmsg));
	assert_int_equal(wait_for(v, b, UA_EV_MESSAGE_SENT, &st), 0);
	assert_int_equal(st, 200);
	assert_int_equal(fs.messages, 1);

	if (sim) {
		/* 10 ms access links: RTP one-way 20 ms plus serialisation */
		assert_true(sb.rtp_delay_n > 100);
		assert_true(sb.rtp_delay_us_sum / sb.rtp_delay_n >= 20000);
		assert_true(sb.rtp_delay_us_sum / sb.rtp_delay_n < 20500);
	}
	vnet_free(v);
	sip_proxy_free(px);
	ua_free(a);
	ua_free(b);
	assert_int_equal(mem_blocks(), blocks);
}

static void test_uaproxy_register_call_message(void **state)
{
	(void)state;
	register_call_message(0);
}

/* The same cores and steps with the network simulated by ns-3. */
static void test_uaproxy_on_ns3(void **state)
{
	(void)state;
#ifdef HAVE_NS3
	register_call_message(1);
#else
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uaproxy_register_call_message),
		cmocka_unit_test(test_uaproxy_on_ns3),
	};
	return cmocka_run_group_tests_name("uaproxy", tests, NULL, NULL);
}
