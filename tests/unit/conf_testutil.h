/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared fixture of the conference focus suites (test_conf_focus.c,
 * test_conf_event.c, test_conf_fwd.c): loopback addresses and the capture
 * of everything the focus sends (source, destination, bytes; NUL-ended so
 * SIP text can be searched as a string through .text).
 */
#ifndef TESTS_CONF_TESTUTIL_H
#define TESTS_CONF_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "base/net.h"
#include "base/pl.h"
#include "conf/conf_focus.h"

#define MAXOUT 64

struct out_pkt {
	struct net_addr src, dst;
	size_t len;
	union {
		uint8_t data[4096];
		char text[4096];
	};
};

static struct out_pkt outs[MAXOUT];
static size_t nouts;

/* 127.0.0.1:port over UDP. */
static struct net_addr addr(uint16_t port)
{
	struct net_addr a;
	struct pl p = PL("127.0.0.1");

	assert_int_equal(net_addr_parse(&p, port, &a), 0);
	a.tp = NET_UDP;
	return a;
}

/* Every pending output of f into outs[0..nouts). */
static void drain(struct conf_focus *f)
{
	struct net_out o;

	nouts = 0;
	while (conf_focus_output(f, &o) == 0) {
		assert_true(nouts < MAXOUT);
		assert_true(o.len < sizeof(outs[0].data));
		outs[nouts].src = o.src;
		outs[nouts].dst = o.dst;
		outs[nouts].len = o.len;
		memcpy(outs[nouts].data, o.data, o.len);
		outs[nouts].data[o.len] = '\0';
		nouts++;
	}
}

#endif
