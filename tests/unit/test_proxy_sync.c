/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * P10 multi-device sync in the proxy core, with a fake message store
 * (messages + per-device deliveries) and a fake clock: a MESSAGE forwarded
 * live counts as delivered to the device that answered 2xx; a device that
 * registers later gets every stored message it has not had, once; plain
 * refreshes do not query the store; device keys are +sip.instance or a
 * hash of the Contact URI, never an address.
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
/* The fixture's digest helpers are not needed here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proxy_testutil.h"

#define NM 8
#define ND 32

static struct {
	char to[64], from[64], body[64];
} msgs[NM];
static int nm, npending_calls;
static struct {
	int64_t id;
	char dev[80];
} dl[ND];
static int nd;
static int64_t blocks_at_start;

static int f_store(void *arg, const struct sip_message_rec *m)
{
	(void)arg;
	assert_true(nm < NM);
	snprintf(msgs[nm].to, sizeof(msgs[nm].to), "%.*s", PL_ARG(m->to));
	snprintf(msgs[nm].from, sizeof(msgs[nm].from), "%.*s",
		 PL_ARG(m->from));
	snprintf(msgs[nm].body, sizeof(msgs[nm].body), "%.*s",
		 PL_ARG(m->body));
	nm++;
	if (m->id_out)
		*m->id_out = nm;	/* ids 1.. */
	return 0;
}

static bool delivered(int64_t id, const char *dev)
{
	int i;

	for (i = 0; i < nd; i++)
		if (dl[i].id == id && !strcmp(dl[i].dev, dev))
			return true;
	return false;
}

static int f_pending(void *arg, const char *aor, const char *dev,
		     sip_stored_fn *fn, void *fnarg)
{
	struct sip_stored_msg s;
	int i;

	(void)arg;
	npending_calls++;
	for (i = 0; i < nm; i++) {
		if (strcmp(msgs[i].to, aor) || delivered(i + 1, dev))
			continue;
		memset(&s, 0, sizeof(s));
		s.id = i + 1;
		s.from = pl_from_str(msgs[i].from);
		s.ctype = PL("text/plain");
		s.body = pl_from_str(msgs[i].body);
		fn(fnarg, &s);
	}
	return 0;
}

static void f_delivered(void *arg, int64_t id, const char *dev,
			uint64_t wall)
{
	(void)arg;
	(void)wall;
	assert_true(nd < ND);
	assert_false(delivered(id, dev));	/* once per device */
	dl[nd].id = id;
	snprintf(dl[nd].dev, sizeof(dl[nd].dev), "%s", dev);
	nd++;
}

static int setup(void **state)
{
	static struct fx f;
	struct sip_proxy_cfg c;

	blocks_at_start = mem_blocks();
	nm = nd = npending_calls = 0;
	fx_cfg(&f, &c, 7);
	c.store.arg = &f;
	c.store.user_exists = fx_exists;
	c.store.message_store = f_store;
	c.store.message_pending = f_pending;
	c.store.message_delivered = f_delivered;
	f.now = 1000000;
	assert_int_equal(sip_proxy_new(&f.p, &c), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static void reg(struct fx *f, const char *addr, const char *inst,
		unsigned expires, int cseq)
{
	char m[1024];

	snprintf(m, sizeof(m),
		 "REGISTER sip:example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP %s;branch=z9hG4bKs%d\n"
		 "From: <sip:bob@example.test>;tag=r\n"
		 "To: <sip:bob@example.test>\nCall-ID: reg-%s\n"
		 "CSeq: %d REGISTER\nContact: <sip:bob@%s>%s%s%s;expires=%u\n"
		 "Content-Length: 0\n\n", addr, cseq, addr, cseq, addr,
		 inst ? ";+sip.instance=\"<" : "", inst ? inst : "",
		 inst ? ">\"" : "", expires);
	fx_in(f, addr, NET_UDP, m);
	fx_expect(f, "SIP/2.0 200");
}

static void message(struct fx *f, const char *cid, const char *body)
{
	char m[1024];

	snprintf(m, sizeof(m),
		 "MESSAGE sip:bob@example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK%s\n"
		 "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=a\n"
		 "To: <sip:bob@example.test>\nCall-ID: %s\nCSeq: 1 MESSAGE\n"
		 "Content-Type: text/plain\nContent-Length: %zu\n\n%s", cid,
		 cid, strlen(body), body);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

static void test_sync_live_then_new_device(void **state)
{
	struct fx *f = *state;
	struct fx_out o;
	const char *s;

	reg(f, "127.0.0.1:5081", "urn:uuid:aaaa", 600, 1);
	assert_int_equal(npending_calls, 1);	/* new device: asked */
	fx_none(f);				/* nothing stored yet */
	message(f, "m1", "HELLO-ONE");
	fx_expect_to(f, "MESSAGE sip:bob@127.0.0.1:5081", &o);
	fx_reply(f, &o, "127.0.0.1:5081", 200, "d1", NULL);
	fx_expect(f, "SIP/2.0 200");
	assert_int_equal(nd, 1);
	assert_int_equal(dl[0].id, 1);
	assert_string_equal(dl[0].dev, "urn:uuid:aaaa");
	/* a second phone registers: it is sent the stored message */
	reg(f, "127.0.0.1:5082", "urn:uuid:bbbb", 600, 1);
	s = fx_expect_to(f, "MESSAGE sip:bob@127.0.0.1:5082", &o);
	assert_non_null(strstr(s, "From: <sip:alice@example.test>"));
	assert_non_null(strstr(s, "To: <sip:bob@example.test>"));
	assert_non_null(strstr(s, "HELLO-ONE"));
	fx_none(f);
	fx_reply(f, &o, "127.0.0.1:5082", 200, "d2", NULL);
	fx_none(f);
	assert_int_equal(nd, 2);
	assert_string_equal(dl[1].dev, "urn:uuid:bbbb");
	/* refreshes of both: no store query, nothing sent */
	reg(f, "127.0.0.1:5081", "urn:uuid:aaaa", 600, 2);
	reg(f, "127.0.0.1:5082", "urn:uuid:bbbb", 600, 2);
	assert_int_equal(npending_calls, 2);
	fx_none(f);
	/* phone B re-registers from scratch: already has it */
	reg(f, "127.0.0.1:5082", "urn:uuid:bbbb", 0, 3);
	reg(f, "127.0.0.1:5082", "urn:uuid:bbbb", 600, 4);
	fx_none(f);
	assert_int_equal(nd, 2);
}

static void test_sync_offline_and_keys(void **state)
{
	struct fx *f = *state;
	struct fx_out o;
	const char *s;

	/* nobody registered: stored, 202 */
	message(f, "m2", "WHILE-AWAY");
	fx_expect(f, "SIP/2.0 202");
	message(f, "m3", "SECOND");
	fx_expect(f, "SIP/2.0 202");
	/* a device without +sip.instance: hashed key, both messages */
	reg(f, "127.0.0.1:5083", NULL, 600, 1);
	s = fx_expect_to(f, "MESSAGE sip:bob@127.0.0.1:5083", &o);
	assert_non_null(strstr(s, "WHILE-AWAY"));
	fx_reply(f, &o, "127.0.0.1:5083", 200, "d3", NULL);
	s = fx_expect_to(f, "MESSAGE sip:bob@127.0.0.1:5083", &o);
	assert_non_null(strstr(s, "SECOND"));
	/* this one fails: not delivered, sent again next time */
	fx_reply(f, &o, "127.0.0.1:5083", 480, "d3", NULL);
	assert_int_equal(nd, 1);
	assert_int_equal(strncmp(dl[0].dev, "ct-", 3), 0);
	assert_null(strstr(dl[0].dev, "127.0.0.1"));
	reg(f, "127.0.0.1:5083", NULL, 0, 2);
	reg(f, "127.0.0.1:5083", NULL, 600, 3);
	s = fx_expect_to(f, "MESSAGE sip:bob@127.0.0.1:5083", &o);
	assert_non_null(strstr(s, "SECOND"));
	fx_none(f);
	/* unanswered: Timer F ends it without a delivery */
	fx_advance(f, 40000000);
	fx_drain(f);
	assert_int_equal(nd, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sync_live_then_new_device,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_offline_and_keys,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("proxy_sync", tests, NULL, NULL);
}
