/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ns-3 shim and driver: two sans-IO cores (a pinger and an echo) on
 * simulated nodes; delay, loss and jitter show up in what the pinger sees,
 * and the same seed gives the same run; TCP connections carry bytes in
 * order over a lossy link; a shared LAN carries UDP among its members,
 * loses on it, and routes to point-to-point links.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <cmocka.h>
#include "base/mem.h"

#ifdef HAVE_NS3
#include "ns3/ns3.h"
#include "ns3/ns3_core.h"

/* Echo: every datagram goes back to its sender. */
struct echo {
	uint8_t buf[2048];
	size_t len;
	struct net_addr to, from;
	int pending;
};

static int echo_input(void *c, uint64_t now, const struct net_pkt *in)
{
	struct echo *e = c;

	(void)now;
	if (e->pending || in->len > sizeof(e->buf))
		return 0;
	memcpy(e->buf, in->data, in->len);
	e->len = in->len;
	e->to = in->from;
	e->from = in->to;
	e->pending = 1;
	return 0;
}

static int echo_timeout(void *c, uint64_t now)
{
	(void)c;
	(void)now;
	return 0;
}

static int echo_output(void *c, struct net_out *out)
{
	struct echo *e = c;

	if (!e->pending)
		return ENOENT;
	memset(out, 0, sizeof(*out));
	out->kind = NET_OUT_SEND;
	out->src = e->from;
	out->dst = e->to;
	out->data = e->buf;
	out->len = e->len;
	e->pending = 0;
	return 0;
}

static uint64_t echo_deadline(void *c)
{
	(void)c;
	return UINT64_MAX;
}

static const struct core_ops echo_ops = {
	"echo", echo_input, echo_timeout, echo_output, echo_deadline,
};

/* Pinger: one 172-byte datagram every 20 ms, records round-trip times. */
struct pinger {
	struct net_addr dst;
	uint64_t next_us, sent_at[1000];
	unsigned sent, recvd, count;
	uint64_t rtt_min, rtt_max;
	unsigned strays;	/* datagrams that are not our echoes */
	uint8_t pkt[172];
	int pending;
};

static int ping_input(void *c, uint64_t now, const struct net_pkt *in)
{
	struct pinger *p = c;
	uint32_t seq;
	uint64_t rtt;

	if (in->len != sizeof(p->pkt))
		return 0;
	memcpy(&seq, in->data, 4);
	if (seq >= p->sent) {
		p->strays++;
		return 0;
	}
	rtt = now - p->sent_at[seq];
	if (!p->recvd || rtt < p->rtt_min)
		p->rtt_min = rtt;
	if (rtt > p->rtt_max)
		p->rtt_max = rtt;
	p->recvd++;
	return 0;
}

static int ping_timeout(void *c, uint64_t now)
{
	struct pinger *p = c;

	if (now >= p->next_us && p->sent < p->count) {
		p->pending = 1;
		p->next_us += 20000;
	}
	return 0;
}

static int ping_output(void *c, struct net_out *out)
{
	struct pinger *p = c;
	uint32_t seq = p->sent;

	if (!p->pending)
		return ENOENT;
	p->pending = 0;
	memset(p->pkt, 0x55, sizeof(p->pkt));
	memcpy(p->pkt, &seq, 4);
	p->sent_at[seq] = ns3_now_us();
	p->sent++;
	memset(out, 0, sizeof(*out));
	out->kind = NET_OUT_SEND;
	out->dst = p->dst;
	out->data = p->pkt;
	out->len = sizeof(p->pkt);
	return 0;
}

static uint64_t ping_deadline(void *c)
{
	struct pinger *p = c;

	return p->sent < p->count ? p->next_us : UINT64_MAX;
}

static const struct core_ops ping_ops = {
	"ping", ping_input, ping_timeout, ping_output, ping_deadline,
};

struct run {
	struct pinger p;
	struct echo e;
	struct ns3_core pc, ec;
};

/* client -- router -- server; the client's access link carries opt. */
static void run_once(struct run *r, uint64_t seed,
		     const struct ns3_link_opt *access, unsigned count)
{
	struct ns3_link_opt core = { 1000, 0, 0, 0, 0 };
	uint16_t ping_port = 0, echo_port = 7;
	int c, rt, s;

	memset(r, 0, sizeof(*r));
	assert_int_equal(ns3_init(seed), 0);
	c = ns3_node_add();
	rt = ns3_node_add();
	s = ns3_node_add();
	assert_true(ns3_link_add(c, rt, access) >= 0);
	assert_true(ns3_link_add(rt, s, &core) >= 0);
	assert_int_equal(ns3_routes_build(), 0);
	assert_int_equal(ns3_node_addr(s, &r->p.dst), 0);
	net_addr_set_port(&r->p.dst, echo_port);
	r->p.count = count;
	assert_int_equal(ns3_core_attach(&r->ec, (struct core_ref){ &echo_ops,
				&r->e }, s, &echo_port, 1), 0);
	assert_int_equal(ns3_core_attach(&r->pc, (struct core_ref){ &ping_ops,
				&r->p }, c, &ping_port, 1), 0);
	ns3_core_kick(&r->pc);
	assert_int_equal(ns3_run(60ull * 1000000), 0);
	ns3_fini();
}

static void test_ns3_delay(void **state)
{
	struct ns3_link_opt acc = { 10000, 0, 10000000, 0, 0 };
	struct run r;

	(void)state;
	run_once(&r, 1, &acc, 100);
	assert_int_equal(r.p.sent, 100);
	assert_int_equal(r.p.recvd, 100);
	/* 2 x (10 ms + 1 ms) plus serialisation of 200 bytes at 10 Mb/s
	 * on the access link and 1 Gb/s on the core, both ways. */
	assert_true(r.p.rtt_min >= 22000 && r.p.rtt_min < 22500);
	assert_true(r.p.rtt_max - r.p.rtt_min < 100);
}

static void test_ns3_loss_deterministic(void **state)
{
	struct ns3_link_opt acc = { 5000, 0, 0, 0.2, 0 };
	struct run a, b, c;

	(void)state;
	run_once(&a, 7, &acc, 500);
	run_once(&b, 7, &acc, 500);
	run_once(&c, 8, &acc, 500);
	/* Both directions lose 20 %: about 64 % of pings come back. */
	assert_true(a.p.recvd > 260 && a.p.recvd < 380);
	assert_int_equal(a.p.recvd, b.p.recvd);
	assert_int_equal(a.p.rtt_max, b.p.rtt_max);
	assert_int_not_equal(a.p.recvd, c.p.recvd);
}

static void test_ns3_jitter(void **state)
{
	struct ns3_link_opt acc = { 5000, 8000, 0, 0, 0 };
	struct run r;

	(void)state;
	run_once(&r, 3, &acc, 200);
	assert_int_equal(r.p.recvd, 200);
	assert_true(r.p.rtt_max - r.p.rtt_min > 4000);
	assert_true(r.p.rtt_max <= 2 * 6000 + 8000 + 500);
}

/* A one-shot sender: one datagram to dst when its deadline comes. */
struct shot {
	struct net_addr dst;
	uint64_t at;
	uint8_t pkt[172];
	int pending, done;
};

static int shot_input(void *c, uint64_t now, const struct net_pkt *in)
{
	(void)c;
	(void)now;
	(void)in;
	return 0;
}

static int shot_timeout(void *c, uint64_t now)
{
	struct shot *s = c;

	if (!s->done && now >= s->at)
		s->pending = 1;
	return 0;
}

static int shot_output(void *c, struct net_out *out)
{
	struct shot *s = c;

	if (!s->pending)
		return ENOENT;
	s->pending = 0;
	s->done = 1;
	memset(s->pkt, 0xff, sizeof(s->pkt));
	memset(out, 0, sizeof(*out));
	out->kind = NET_OUT_SEND;
	out->dst = s->dst;
	out->data = s->pkt;
	out->len = sizeof(s->pkt);
	return 0;
}

static uint64_t shot_deadline(void *c)
{
	struct shot *s = c;

	return s->done ? UINT64_MAX : s->at;
}

static const struct core_ops shot_ops = {
	"shot", shot_input, shot_timeout, shot_output, shot_deadline,
};

/*
 * client -- nat -- router -- server, stranger -- router. The server must
 * see the NAT's public address; a stranger's datagram to the mapped port
 * reaches the client only through a full-cone NAT.
 */
static void nat_run(const char *type, unsigned *echoes, unsigned *strays,
		    struct net_addr *seen, struct net_addr *pub)
{
	struct ns3_link_opt l = { 1000, 0, 0, 0, 0 };
	static struct pinger p;
	static struct echo e;
	static struct shot sh;
	static struct ns3_core pc, ec, sc;
	uint16_t any = 0, echo_port = 7;
	int c, nat, rt, srv, str, outside;

	memset(&p, 0, sizeof(p));
	memset(&e, 0, sizeof(e));
	memset(&sh, 0, sizeof(sh));
	assert_int_equal(ns3_init(11), 0);
	c = ns3_node_add();
	nat = ns3_node_add();
	rt = ns3_node_add();
	srv = ns3_node_add();
	str = ns3_node_add();
	assert_true(ns3_link_add(c, nat, &l) >= 0);
	outside = ns3_link_add(nat, rt, &l);
	assert_true(ns3_link_add(rt, srv, &l) >= 0);
	assert_true(ns3_link_add(str, rt, &l) >= 0);
	assert_int_equal(ns3_nat_add(nat, outside, type, 30000000), 0);
	assert_int_equal(ns3_nat_add(nat, outside, type, 30000000), EINVAL);
	assert_int_equal(ns3_routes_build(), 0);
	assert_int_equal(ns3_link_addr(outside, 0, pub), 0);
	assert_int_equal(ns3_node_addr(srv, &p.dst), 0);
	net_addr_set_port(&p.dst, echo_port);
	p.count = 50;
	assert_int_equal(ns3_core_attach(&ec, (struct core_ref){ &echo_ops,
				&e }, srv, &echo_port, 1), 0);
	assert_int_equal(ns3_core_attach(&pc, (struct core_ref){ &ping_ops,
				&p }, c, &any, 1), 0);
	ns3_core_kick(&pc);
	assert_int_equal(ns3_run(500000), 0);
	*seen = e.to;	/* the last sender the server saw */
	sh.dst = e.to;
	sh.at = 600000;
	assert_int_equal(ns3_core_attach(&sc, (struct core_ref){ &shot_ops,
				&sh }, str, &any, 1), 0);
	ns3_core_kick(&sc);
	assert_int_equal(ns3_run(3000000), 0);
	*echoes = p.recvd;
	*strays = p.strays;
	ns3_fini();
}

static void test_ns3_nat(void **state)
{
	struct net_addr seen, pub;
	unsigned echoes, strays;

	(void)state;
	nat_run("port", &echoes, &strays, &seen, &pub);
	assert_int_equal(echoes, 50);
	assert_true(net_addr_host_eq(&seen, &pub));
	assert_int_equal(strays, 0);

	nat_run("full", &echoes, &strays, &seen, &pub);
	assert_int_equal(echoes, 50);
	assert_true(net_addr_host_eq(&seen, &pub));
	assert_int_equal(strays, 1);
}

/* TCP: bytes arrive complete and in order over a lossy link, the close
 * reaches the other end, a dial to a closed port fails. */
struct tcp_sink {
	uint8_t buf[200000];
	size_t len;
	int closed, accepted, bad_order;
};

static void sink_fn(void *arg, int conn, const uint8_t *data, size_t len)
{
	struct tcp_sink *k = arg;
	size_t i;

	(void)conn;
	if (!data) {
		k->closed++;
		return;
	}
	for (i = 0; i < len && k->len < sizeof(k->buf); i++, k->len++) {
		k->buf[k->len] = data[i];
		if (data[i] != (uint8_t)(k->len * 7))
			k->bad_order++;
	}
}

static void sink_acc(void *arg, int lid, int conn, const struct net_addr *f)
{
	(void)lid;
	(void)conn;
	(void)f;
	((struct tcp_sink *)arg)->accepted++;
}

static void test_ns3_tcp(void **state)
{
	static struct tcp_sink srv, cli, nob;
	struct ns3_link_opt lo = { 10000, 0, 10000000, 0.01, 0 };
	static uint8_t data[150000];
	struct net_addr dst;
	size_t i;
	int a, b, l, c, x;

	(void)state;
	memset(&srv, 0, sizeof(srv));
	memset(&cli, 0, sizeof(cli));
	memset(&nob, 0, sizeof(nob));
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	assert_int_equal(ns3_init(5), 0);
	a = ns3_node_add();
	b = ns3_node_add();
	assert_true(ns3_link_add(a, b, &lo) >= 0);
	assert_int_equal(ns3_routes_build(), 0);
	l = ns3_tcp_listen(b, 5060, sink_acc, sink_fn, &srv);
	assert_true(l >= 0);
	assert_true(ns3_node_addr(b, &dst) == 0);
	net_addr_set_port(&dst, 5060);
	c = ns3_tcp_connect(a, &dst, sink_fn, &cli);
	assert_true(c >= 0);
	assert_true(ns3_tcp_local_port(c) > 0);
	for (i = 0; i < sizeof(data); i += 1000)
		assert_int_equal(ns3_tcp_send(c, data + i, 1000), 0);
	assert_int_equal(ns3_tcp_close(c), 0);
	assert_int_equal(ns3_tcp_send(c, data, 10), ENOTCONN);
	net_addr_set_port(&dst, 5999);
	x = ns3_tcp_connect(a, &dst, sink_fn, &nob);
	assert_true(x >= 0);
	/* ns-3 answers a SYN to a closed port with nothing: the dial fails
	 * when its SYN retries run out, within 10 simulated minutes */
	assert_int_equal(ns3_run(600000000), 0);
	assert_int_equal(srv.accepted, 1);
	assert_int_equal(srv.len, sizeof(data));
	assert_int_equal(srv.bad_order, 0);
	assert_int_equal(srv.closed, 1);
	assert_int_equal(cli.closed, 0);	/* our own close: no callback */
	assert_int_equal(nob.closed, 1);	/* gave up */
	ns3_fini();
}

/* LAN: three members each send 50 datagrams to each other member. */
struct lan_run {
	unsigned got[3][3];	/* got[to][from] */
	int sock[3];
	struct net_addr addr[3];
};

static struct lan_run *lan_cur;

static void lan_recv(void *arg, int sock, const struct net_addr *from,
		     const uint8_t *data, size_t len)
{
	struct lan_run *r = lan_cur;
	int to = (int)(intptr_t)arg;

	(void)sock;
	(void)from;
	if (len == 1 && data[0] < 3)
		r->got[to][data[0]]++;
}

struct lan_send {
	struct lan_run *r;
	int from;
};

static void lan_tick(void *arg)
{
	struct lan_send *ls = arg;
	uint8_t b = (uint8_t)ls->from;

	for (int to = 0; to < 3; to++)
		if (to != ls->from)
			assert_int_equal(ns3_udp_send(ls->r->sock[ls->from],
						&ls->r->addr[to], &b, 1), 0);
}

static void lan_once(struct lan_run *r, uint64_t seed, double loss)
{
	struct ns3_link_opt lo = { 200, 0, 10000000, loss, 0 };
	struct lan_send ls[3];
	int nodes[3], lan;

	memset(r, 0, sizeof(*r));
	lan_cur = r;
	assert_int_equal(ns3_init(seed), 0);
	for (int i = 0; i < 3; i++)
		nodes[i] = ns3_node_add();
	lan = ns3_lan_add(nodes, 3, &lo);
	assert_int_equal(lan, 0);
	assert_int_equal(ns3_routes_build(), 0);
	for (int i = 0; i < 3; i++) {
		struct net_addr na;

		assert_int_equal(ns3_lan_addr(lan, (size_t)i, &r->addr[i]), 0);
		assert_int_equal(ns3_node_addr(nodes[i], &na), 0);
		assert_true(net_addr_eq(&na, &r->addr[i]));
		net_addr_set_port(&r->addr[i], 5000);
		r->sock[i] = ns3_udp_open(nodes[i], 5000, lan_recv,
					  (void *)(intptr_t)i);
		assert_true(r->sock[i] >= 0);
		ls[i].r = r;
		ls[i].from = i;
		for (int k = 0; k < 50; k++)
			ns3_schedule(1000 + 10000ull * k + 3000ull * i,
				     lan_tick, &ls[i]);
	}
	assert_int_equal(ns3_run(10ull * 1000000), 0);
	ns3_fini();
}

static void test_ns3_lan(void **state)
{
	struct lan_run a, b, c;
	unsigned tot;

	(void)state;
	lan_once(&a, 3, 0);
	for (int to = 0; to < 3; to++)
		for (int from = 0; from < 3; from++)
			assert_int_equal(a.got[to][from], to == from ? 0 : 50);
	/* 20 % receive loss on the LAN: about 240 of 300 arrive. */
	lan_once(&a, 5, 0.2);
	lan_once(&b, 5, 0.2);
	lan_once(&c, 6, 0.2);
	tot = 0;
	for (int to = 0; to < 3; to++)
		for (int from = 0; from < 3; from++) {
			tot += a.got[to][from];
			assert_int_equal(a.got[to][from], b.got[to][from]);
		}
	assert_true(tot > 200 && tot < 280);
	assert_memory_not_equal(a.got, c.got, sizeof(a.got));
}

/* Link type of a capture file (its size must show packets), -1 if none. */
static int pcap_linktype(const char *dir, const char *name)
{
	char path[300];
	uint8_t hdr[24];
	FILE *f;
	long sz;
	int lt = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) &&
	    fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > 24 + 50 * 16)
		memcpy(&lt, hdr + 20, 4);
	fclose(f);
	return lt;
}

static void rm_dir(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* pinger on a LAN -- router -- p2p -- echo: routes end to end. */
static void test_ns3_lan_routed(void **state)
{
	struct ns3_link_opt lan = { 1000, 0, 100000000, 0, 0 };
	struct ns3_link_opt wan = { 5000, 0, 0, 0, 0 };
	uint16_t ping_port = 0, echo_port = 7;
	struct run *r = test_calloc(1, sizeof(*r));
	char dir[] = "/tmp/test_ns3_XXXXXX", pre[64];
	struct net_addr ja, jb;
	int n[3], s, j;

	(void)state;
	assert_int_equal(ns3_init(9), 0);
	for (int i = 0; i < 3; i++)
		n[i] = ns3_node_add();	/* n[2] is the router */
	s = ns3_node_add();
	assert_true(ns3_lan_add(n, 3, &lan) >= 0);
	assert_true(ns3_link_add(n[2], s, &wan) >= 0);
	assert_int_equal(ns3_lan_add(n, 1, &lan), -EINVAL);
	/* a late member: next address on the LAN, and not twice */
	j = ns3_node_add();
	assert_int_equal(ns3_lan_join(0, j), 0);
	assert_int_equal(ns3_lan_join(0, j), EEXIST);
	assert_int_equal(ns3_lan_addr(0, 3, &ja), 0);
	assert_int_equal(ns3_node_addr(j, &jb), 0);
	assert_true(net_addr_eq(&ja, &jb));
	assert_int_equal(ntohl(ja.u.in.sin_addr.s_addr), 0x0a800004);
	assert_int_equal(ns3_routes_build(), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(pre, sizeof(pre), "%s/cap", dir);
	assert_int_equal(ns3_pcap_enable(pre), 0);
	assert_int_equal(ns3_node_addr(s, &r->p.dst), 0);
	net_addr_set_port(&r->p.dst, echo_port);
	r->p.count = 50;
	assert_int_equal(ns3_core_attach(&r->ec, (struct core_ref){ &echo_ops,
				&r->e }, s, &echo_port, 1), 0);
	assert_int_equal(ns3_core_attach(&r->pc, (struct core_ref){ &ping_ops,
				&r->p }, j, &ping_port, 1), 0);
	ns3_core_kick(&r->pc);
	assert_int_equal(ns3_run(10ull * 1000000), 0);
	ns3_fini();
	assert_int_equal(r->p.recvd, 50);
	/* 2 x (1 ms LAN + 5 ms p2p) plus serialisation. */
	assert_true(r->p.rtt_min >= 12000 && r->p.rtt_min < 12500);
	test_free(r);
	/* Device 0 is the loopback: the late LAN member's capture is Ethernet
	 * (link type 1), the server's point-to-point one PPP (9). */
	assert_int_equal(pcap_linktype(dir, "cap-4-1.pcap"), 1);
	assert_int_equal(pcap_linktype(dir, "cap-3-1.pcap"), 9);
	rm_dir(dir);
}

static void test_ns3_bad_input(void **state)
{
	struct ns3_link_opt bad = { 1000, 0, 0, 1.5, 0 };
	int a, b;

	(void)state;
	assert_int_equal(ns3_init(1), 0);
	a = ns3_node_add();
	b = ns3_node_add();
	assert_int_equal(ns3_link_add(a, b, &bad), -EINVAL);
	assert_int_equal(ns3_link_add(a, a, &bad), -EINVAL);
	assert_int_equal(ns3_link_add(a, 99, &bad), -EINVAL);
	ns3_fini();
}

/* A LAN's /24 holds 254 members: the 255th join is ENOSPC, not EINVAL,
 * so a scenario step can say the segment is full. */
static void test_ns3_lan_full(void **state)
{
	struct ns3_link_opt lo = { 200, 0, 0, 0.0, 0 };
	int nodes[2], lan, n;

	(void)state;
	assert_int_equal(ns3_init(1), 0);
	nodes[0] = ns3_node_add();
	nodes[1] = ns3_node_add();
	lan = ns3_lan_add(nodes, 2, &lo);
	assert_int_equal(lan, 0);
	assert_int_equal(ns3_lan_join(lan, nodes[1]), EEXIST);
	for (int i = 2; i < 254; i++)
		assert_int_equal(ns3_lan_join(lan, ns3_node_add()), 0);
	n = ns3_node_add();
	assert_int_equal(ns3_lan_join(lan, n), ENOSPC);
	assert_int_equal(ns3_lan_join(lan + 1, n), EINVAL);
	ns3_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns3_delay),
		cmocka_unit_test(test_ns3_loss_deterministic),
		cmocka_unit_test(test_ns3_jitter),
		cmocka_unit_test(test_ns3_nat),
		cmocka_unit_test(test_ns3_bad_input),
		cmocka_unit_test(test_ns3_lan),
		cmocka_unit_test(test_ns3_lan_full),
		cmocka_unit_test(test_ns3_lan_routed),
		cmocka_unit_test(test_ns3_tcp),
	};
	return cmocka_run_group_tests_name("ns3", tests, NULL, NULL);
}
#else
int main(void)
{
	return 0;
}
#endif
