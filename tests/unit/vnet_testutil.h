/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared fixture of the in-process network suites (test_vnet.c: the
 * virtual network itself; test_topo.c: topologies, NAT and per-host
 * links on it): a scriptable test core driven through struct core_ops;
 * the address helper comes from net_testutil.h.
 */
#ifndef TESTS_VNET_TESTUTIL_H
#define TESTS_VNET_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/core.h"
#include "base/net.h"
#include "base/pl.h"
#include "net_testutil.h"

/* A test core: sends what the test queues, records what arrives, and
 * echoes datagrams/chunks back when echo is set; one optional timer. */
struct tcore {
	struct net_out q[8];
	uint8_t qdata[8][256];
	size_t nq;
	int echo;
	uint64_t timer_at, fired_at;
	unsigned in, closes;
	uint64_t last_conn, last_in_us;
	struct net_addr last_from;
	char last[256];
};

static void tq_push(struct tcore *t, enum net_out_kind k,
		    const struct net_addr *dst, uint64_t conn,
		    const char *s, size_t len)
{
	struct net_out *o = &t->q[t->nq];

	memset(o, 0, sizeof(*o));
	o->kind = k;
	if (dst)
		o->dst = *dst;
	o->conn_id = conn;
	memcpy(t->qdata[t->nq], s, len);
	o->data = t->qdata[t->nq];
	o->len = len;
	t->nq++;
}

static int t_input(void *c, uint64_t now, const struct net_pkt *in)
{
	struct tcore *t = c;

	t->last_in_us = now;
	t->last_from = in->from;
	t->last_conn = in->conn_id;
	if (!in->data) {
		t->closes++;
		return 0;
	}
	t->in++;
	snprintf(t->last, sizeof(t->last), "%.*s", (int)in->len, in->data);
	if (t->echo)
		tq_push(t, NET_OUT_SEND, &in->from, in->conn_id,
			(const char *)in->data, in->len);
	return 0;
}

static int t_timeout(void *c, uint64_t now)
{
	struct tcore *t = c;

	if (t->timer_at && now >= t->timer_at) {
		t->fired_at = now;
		t->timer_at = 0;
	}
	return 0;
}

static int t_output(void *c, struct net_out *out)
{
	struct tcore *t = c;

	if (!t->nq)
		return ENOENT;
	*out = t->q[0];
	/* hand out slot 0; shift the rest after the caller is done, which
	 * for this test is before the next call */
	memmove(&t->q[0], &t->q[1], (t->nq - 1) * sizeof(t->q[0]));
	t->nq--;
	return 0;
}

static uint64_t t_deadline(void *c)
{
	struct tcore *t = c;

	return t->timer_at ? t->timer_at : UINT64_MAX;
}

static const struct core_ops tops = {
	"t", t_input, t_timeout, t_output, t_deadline,
};

#endif
