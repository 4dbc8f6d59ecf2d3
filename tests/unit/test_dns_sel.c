/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 3263 selection (sip/dns_sel.h) and the driver's answer parser
 * (io_dns_parse, libresolv's ns_parserr underneath): NAPTR records
 * filtered and sorted; SRV targets ordered by priority, then drawn by
 * weight with a seeded rng (the shares are measured over many draws);
 * answers built byte by byte here are read back, CNAMEs skipped, an
 * NXDOMAIN and truncated messages refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <arpa/nameser.h>
#include "sip/dns_sel.h"
#include "io/io_dns.h"
#include "base/mem.h"

static struct sip_dns_naptr nap(uint16_t order, uint16_t pref,
				const char *flags, const char *svc,
				const char *repl)
{
	struct sip_dns_naptr r;

	memset(&r, 0, sizeof(r));
	r.order = order;
	r.pref = pref;
	snprintf(r.flags, sizeof(r.flags), "%s", flags);
	snprintf(r.service, sizeof(r.service), "%s", svc);
	snprintf(r.repl, sizeof(r.repl), "%s", repl);
	return r;
}

static void test_naptr_select(void **state)
{
	struct sip_dns_naptr r[7];
	size_t n;

	(void)state;
	r[0] = nap(20, 10, "s", "SIP+D2U", "_sip._udp.a.test");
	r[1] = nap(10, 20, "S", "SIP+D2T", "_sip._tcp.a.test");
	r[2] = nap(10, 10, "s", "SIPS+D2T", "_sips._tcp.a.test");
	r[3] = nap(5, 10, "s", "SIP+D2S", "_sip._sctp.a.test");	/* no SCTP */
	r[4] = nap(5, 10, "u", "E2U+sip", "!^.*$!sip:x@a.test!");
	r[5] = nap(30, 10, "s", "SIP+D2T", "_sip._tcp.b.test");	/* 2nd tcp */
	r[6] = nap(1, 1, "s", "SIP+D2U", "");			/* no target */
	n = sip_dns_naptr_select(r, 7);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].repl, "_sips._tcp.a.test");
	assert_int_equal(r[0].tp, NET_TLS);
	assert_string_equal(r[1].repl, "_sip._tcp.a.test");
	assert_int_equal(r[1].tp, NET_TCP);
	assert_string_equal(r[2].repl, "_sip._udp.a.test");
	assert_int_equal(r[2].tp, NET_UDP);
	assert_int_equal(sip_dns_naptr_select(r, 0), 0);
}

static struct sip_dns_target tgt(const char *ip, uint32_t rank,
				 uint16_t weight, uint16_t group)
{
	struct sip_dns_target t;
	struct pl pl = pl_from_str(ip);

	memset(&t, 0, sizeof(t));
	assert_int_equal(net_addr_parse(&pl, 5060, &t.addr), 0);
	t.rank = rank;
	t.weight = weight;
	t.group = group;
	return t;
}

static uint16_t port_of(const struct sip_dns_target *t)
{
	return net_addr_port(&t->addr);
}

static void test_order_priority(void **state)
{
	struct sip_dns_target t[5];
	struct rng r;

	(void)state;
	rng_seed(&r, 1);
	t[0] = tgt("127.0.0.1:3", 30, 5, 0);
	t[1] = tgt("127.0.0.1:1", 10, 5, 1);
	t[2] = tgt("[::1]:2", 20, 0, 2);
	t[3] = tgt("127.0.0.1:2", 20, 0, 2);	/* same SRV target */
	t[4] = tgt("127.0.0.1:9", 1u << 16, 100, 3);	/* next NAPTR */
	sip_dns_order(t, 5, &r);
	assert_int_equal(port_of(&t[0]), 1);
	assert_int_equal(port_of(&t[1]), 2);
	assert_int_equal(net_addr_family(&t[1].addr), AF_INET6);
	assert_int_equal(port_of(&t[2]), 2);	/* its addresses together */
	assert_int_equal(port_of(&t[3]), 3);
	assert_int_equal(port_of(&t[4]), 9);
}

/* Over many draws the first pick follows the weights (RFC 2782). */
static void test_order_weights(void **state)
{
	struct sip_dns_target t[4];
	unsigned first[4] = { 0 }, i, k, zero_first = 0;
	struct rng r;

	(void)state;
	rng_seed(&r, 42);
	for (i = 0; i < 10000; i++) {
		t[0] = tgt("127.0.0.1:1", 10, 60, 0);
		t[1] = tgt("127.0.0.1:2", 10, 30, 1);
		t[2] = tgt("127.0.0.1:3", 10, 10, 2);
		t[3] = tgt("127.0.0.1:4", 20, 1000, 3);	/* lower priority */
		sip_dns_order(t, 4, &r);
		first[port_of(&t[0]) - 1]++;
		assert_int_equal(port_of(&t[3]), 4);
		for (k = 0; k < 3; k++)	/* each exactly once */
			assert_true(port_of(&t[k]) >= 1 && port_of(&t[k]) <= 3 &&
				    (k == 0 || port_of(&t[k]) !=
				     port_of(&t[k - 1])));
	}
	assert_in_range(first[0], 5600, 6400);
	assert_in_range(first[1], 2600, 3400);
	assert_in_range(first[2], 700, 1300);
	assert_int_equal(first[3], 0);
	/* weight 0 beside weight 10: first only when the draw is 0 (1/11) */
	for (i = 0; i < 11000; i++) {
		t[0] = tgt("127.0.0.1:1", 5, 10, 0);
		t[1] = tgt("127.0.0.1:2", 5, 0, 1);
		sip_dns_order(t, 2, &r);
		zero_first += port_of(&t[0]) == 2;
	}
	assert_in_range(zero_first, 700, 1300);
}

/* --- answers, built here byte by byte --- */

struct wire {
	uint8_t b[1024];
	size_t n;
};

static void put(struct wire *w, const void *d, size_t n)
{
	memcpy(w->b + w->n, d, n);
	w->n += n;
}

static void put16(struct wire *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void put_name(struct wire *w, const char *name)
{
	const char *dot;
	uint8_t l;

	while (*name) {
		dot = strchr(name, '.');
		l = (uint8_t)(dot ? (size_t)(dot - name) : strlen(name));
		put(w, &l, 1);
		put(w, name, l);
		name += l + (dot ? 1 : 0);
	}
	l = 0;
	put(w, &l, 1);
}

static void put_cstr(struct wire *w, const char *s)
{
	uint8_t l = (uint8_t)strlen(s);

	put(w, &l, 1);
	put(w, s, l);
}

static void head(struct wire *w, const char *qname, uint16_t qtype,
		 uint16_t rcode, uint16_t an)
{
	w->n = 0;
	put16(w, 0x1234);
	put16(w, 0x8180 | rcode);
	put16(w, 1);
	put16(w, an);
	put16(w, 0);
	put16(w, 0);
	put_name(w, qname);
	put16(w, qtype);
	put16(w, ns_c_in);
}

/* An answer record owned by the question's name (pointer 0xc00c). */
static size_t rr_start(struct wire *w, uint16_t type, uint32_t ttl)
{
	put16(w, 0xc00c);
	put16(w, type);
	put16(w, ns_c_in);
	put16(w, (uint16_t)(ttl >> 16));
	put16(w, (uint16_t)ttl);
	put16(w, 0);	/* rdlength, set by rr_end */
	return w->n;
}

static void rr_end(struct wire *w, size_t at)
{
	w->b[at - 2] = (uint8_t)((w->n - at) >> 8);
	w->b[at - 1] = (uint8_t)(w->n - at);
}

static void test_parse(void **state)
{
	struct io_dns_rr rr[4];
	struct wire w;
	size_t at, n;
	uint8_t a4[4] = { 127, 0, 0, 9 };

	(void)state;
	/* NAPTR */
	head(&w, "a.test", ns_t_naptr, 0, 1);
	at = rr_start(&w, ns_t_naptr, 300);
	put16(&w, 10);
	put16(&w, 20);
	put_cstr(&w, "s");
	put_cstr(&w, "SIPS+D2T");
	put_cstr(&w, "");
	put_name(&w, "_sips._tcp.a.test");
	rr_end(&w, at);
	assert_int_equal(io_dns_parse(w.b, w.n, ns_t_naptr, rr, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rr[0].ttl, 300);
	assert_int_equal(rr[0].u.naptr.order, 10);
	assert_int_equal(rr[0].u.naptr.pref, 20);
	assert_string_equal(rr[0].u.naptr.service, "SIPS+D2T");
	assert_string_equal(rr[0].u.naptr.repl, "_sips._tcp.a.test");
	/* SRV behind a CNAME (skipped), then an A */
	head(&w, "_sip._udp.a.test", ns_t_srv, 0, 3);
	at = rr_start(&w, ns_t_cname, 60);
	put_name(&w, "b.test");
	rr_end(&w, at);
	at = rr_start(&w, ns_t_srv, 60);
	put16(&w, 10);
	put16(&w, 5);
	put16(&w, 5099);
	put_name(&w, "h1.a.test");
	rr_end(&w, at);
	at = rr_start(&w, ns_t_srv, 30);
	put16(&w, 20);
	put16(&w, 0);
	put16(&w, 5098);
	put_name(&w, "h2.a.test");
	rr_end(&w, at);
	assert_int_equal(io_dns_parse(w.b, w.n, ns_t_srv, rr, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rr[0].u.srv.port, 5099);
	assert_string_equal(rr[0].u.srv.target, "h1.a.test");
	assert_int_equal(rr[1].u.srv.prio, 20);
	assert_int_equal(rr[1].ttl, 30);
	/* max bounds the output */
	assert_int_equal(io_dns_parse(w.b, w.n, ns_t_srv, rr, 1, &n), 0);
	assert_int_equal(n, 1);
	/* A; a truncated copy is refused */
	head(&w, "h1.a.test", ns_t_a, 0, 1);
	at = rr_start(&w, ns_t_a, 60);
	put(&w, a4, 4);
	rr_end(&w, at);
	assert_int_equal(io_dns_parse(w.b, w.n, ns_t_a, rr, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(net_addr_family(&rr[0].u.addr), AF_INET);
	assert_memory_equal(&rr[0].u.addr.u.in.sin_addr, a4, 4);
	assert_int_equal(io_dns_parse(w.b, w.n - 3, ns_t_a, rr, 4, &n),
			 EBADMSG);
	assert_int_equal(io_dns_parse(w.b, 5, ns_t_a, rr, 4, &n), EBADMSG);
	/* NXDOMAIN */
	head(&w, "none.test", ns_t_a, ns_r_nxdomain, 0);
	assert_int_equal(io_dns_parse(w.b, w.n, ns_t_a, rr, 4, &n), ENOENT);
	assert_int_equal(n, 0);
}

/* HOSTS mode reads hosts(5) itself: names, aliases, comments, IPv6,
 * case, a name that is not there. */
static void test_hosts(void **state)
{
	char path[] = "/tmp/test_dns_hostsXXXXXX";
	struct net_addr a[4];
	char s[NET_ADDR_STRLEN];
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("# comment sip.test\n127.0.0.1\tlocalhost\n"
	      "127.0.0.7 sip.test  proxy.sip.test # sip-alias.test\n"
	      "::1 localhost ip6-localhost\n\n   \nbad-line\n"
	      "127.0.0.8 SIP.test\n", f);
	fclose(f);
	assert_int_equal(io_dns_hosts(path, "sip.test", a, 4), 2);
	net_addr_str(&a[0], s, sizeof(s));
	assert_string_equal(s, "127.0.0.7:0");
	net_addr_str(&a[1], s, sizeof(s));
	assert_string_equal(s, "127.0.0.8:0");
	assert_int_equal(io_dns_hosts(path, "proxy.sip.test", a, 4), 1);
	assert_int_equal(io_dns_hosts(path, "sip-alias.test", a, 4), 0);
	assert_int_equal(io_dns_hosts(path, "localhost", a, 4), 2);
	assert_int_equal(net_addr_family(&a[1]), AF_INET6);
	assert_int_equal(io_dns_hosts(path, "localhost", a, 1), 1);
	assert_int_equal(io_dns_hosts(path, "nowhere.test", a, 4), 0);
	assert_int_equal(io_dns_hosts("/nonexistent/hosts", "x", a, 4), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_naptr_select),
		cmocka_unit_test(test_order_priority),
		cmocka_unit_test(test_order_weights),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_hosts),
	};

	return cmocka_run_group_tests_name("dns_sel", tests, NULL, NULL);
}
