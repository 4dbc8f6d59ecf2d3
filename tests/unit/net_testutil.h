/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address and capture helpers of the suites that run cores on the
 * in-process network (vnet_testutil.h, test_ua.c, test_msrp_ua.c): an
 * address literal that fails the test when it does not parse, and a
 * count of the captured packets that carry a canary. A suite may use
 * either, hence the pragma below.
 */
#ifndef TESTS_NET_TESTUTIL_H
#define TESTS_NET_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include "base/net.h"
#include "base/pl.h"

#pragma GCC diagnostic ignored "-Wunused-function"

static struct net_addr addr(const char *s, enum net_tp tp)
{
	struct net_addr a;
	struct pl p = pl_from_str(s);

	assert_int_equal(net_addr_parse(&p, 0, &a), 0);
	a.tp = tp;
	return a;
}

/* Packets of the pcap file at path whose bytes contain needle. */
static int capture_count(const char *path, const char *needle)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc = pcap_open_offline(path, errbuf);
	int n = 0;

	assert_non_null(pc);
	while (pcap_next_ex(pc, &h, &d) == 1)
		if (memmem(d, h->caplen, needle, strlen(needle)))
			n++;
	pcap_close(pc);
	return n;
}

#endif
