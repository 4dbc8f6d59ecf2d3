/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chat rooms of the conference focus (conf_chat.c): three participants
 * join one room; a SEND from one is answered 200 on its connection and
 * reaches each of the other two (never the sender) as a new SEND with
 * its own Message-ID, wrapped in message/cpim with the sender's
 * nickname; chunks fed byte by byte are reassembled and fanned out only
 * at '$'; a participant that left gets nothing and its session is 481;
 * a malformed frame gets 400 and a close without a crash; an oversized
 * message gets 413; RFC 7701 NICKNAME requests set a unique nickname;
 * every test ends with no mem_ block left.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "base/net.h"
#include "conf/conf_chat.h"

#define RELAY "msrp://127.0.0.1:2855/"

struct out_frame {
	enum net_out_kind kind;
	uint64_t conn_id;
	uint16_t dport;
	char data[4096];
	size_t len;
};

static struct out_frame outs[16];
static size_t nouts;

static struct net_addr addr(uint16_t port)
{
	struct net_addr a;
	struct pl p = PL("127.0.0.1");

	assert_int_equal(net_addr_parse(&p, port, &a), 0);
	a.tp = NET_TCP;
	return a;
}

static void drain(struct conf_chat *c)
{
	struct net_out o;

	nouts = 0;
	while (!conf_chat_output(c, &o)) {
		assert_true(nouts < 16);
		outs[nouts].kind = o.kind;
		outs[nouts].conn_id = o.conn_id;
		outs[nouts].dport = net_addr_port(&o.dst);
		assert_true(o.len < sizeof(outs[nouts].data));
		if (o.len)
			memcpy(outs[nouts].data, o.data, o.len);
		outs[nouts].data[o.len] = '\0';
		outs[nouts].len = o.len;
		nouts++;
	}
}

static void feed(struct conf_chat *c, uint64_t conn, const char *s,
		 size_t step)
{
	struct net_pkt in = { .from = addr(40000), .to = addr(2856),
			      .conn_id = conn };
	size_t off, n, len = strlen(s);

	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		in.data = (const uint8_t *)s + off;
		in.len = n;
		assert_int_equal(conf_chat_input(c, 0, &in), 0);
	}
}

struct party {
	uint32_t id;
	char uri[128];		/* the focus's URI for it */
	char path[160];		/* relay URI then its own */
	char own[96];
};

static void join(struct conf_chat *c, struct party *p, const char *name,
		 const char *nick, uint16_t port)
{
	char from[64];

	snprintf(p->own, sizeof(p->own), "msrp://127.0.0.1:%u/%s;tcp",
		 (unsigned)port, name);
	snprintf(p->path, sizeof(p->path), RELAY "r%s;tcp %s", name, p->own);
	struct pl path;

	snprintf(from, sizeof(from), "sip:%s@example.com", name);
	path = pl_from_str(p->path);
	assert_int_equal(conf_chat_join(c, "r1", "sip:room-r1@example.com",
					&path, from, nick,
					p->uri, sizeof(p->uri), &p->id), 0);
}

/* A SEND as it reaches the focus (relay hop already stripped). */
static void send_frame(char *out, size_t sz, const struct party *p,
		       const char *tid, const char *mid, const char *range,
		       const char *body, char flag)
{
	snprintf(out, sz, "MSRP %s SEND\r\nTo-Path: %s\r\n"
		 "From-Path: " RELAY "x;tcp %s\r\nMessage-ID: %s\r\n"
		 "Byte-Range: %s\r\nContent-Type: text/plain\r\n\r\n%s\r\n"
		 "-------%s%c\r\n", tid, p->uri, p->own, mid, range, body,
		 tid, flag);
}

static struct conf_chat *mk(size_t max_msg)
{
	struct conf_chat_cfg cfg = { .addr = addr(2856), .seed = 7,
				     .max_msg = max_msg };
	struct conf_chat *c = NULL;

	assert_int_equal(conf_chat_new(&c, &cfg), 0);
	return c;
}

static size_t count_with(const char *needle)
{
	size_t i, n = 0;

	for (i = 0; i < nouts; i++)
		if (strstr(outs[i].data, needle))
			n++;
	return n;
}

static void test_fanout(void **state)
{
	int64_t m0 = mem_blocks();
	struct conf_chat *c = mk(0);
	struct party a, b, d;
	char f[1024], mid1[40] = "", mid2[40] = "";
	const char *s;
	size_t i;

	(void)state;
	join(c, &a, "alice", "Alice", 7001);
	join(c, &b, "bob", "bob", 7002);
	join(c, &d, "carol", "bob", 7003);	/* same nick: made unique */
	assert_string_equal(conf_chat_nick_of(c, d.id), "bob-2");
	assert_int_equal(conf_chat_room_size(c, "r1"), 3);
	assert_true(strncmp(a.uri, "msrp://127.0.0.1:2856/", 22) == 0);
	send_frame(f, sizeof(f), &a, "t1aaaa", "m1aaaa", "1-13/13",
		   "CANARY-chat-1", '$');
	feed(c, 11, f, 4096);
	drain(c);
	assert_int_equal(nouts, 3);
	/* 200 back on the sender's connection, addressed along its path. */
	assert_int_equal(outs[0].conn_id, 11);
	assert_non_null(strstr(outs[0].data, "MSRP t1aaaa 200 OK\r\n"));
	assert_non_null(strstr(outs[0].data, a.own));
	assert_int_equal(count_with("CANARY-chat-1"), 2);
	assert_int_equal(count_with(a.own), 1);	/* only the 200 */
	assert_int_equal(count_with(b.own), 1);
	assert_int_equal(count_with(d.own), 1);
	assert_int_equal(count_with("From: \"Alice\" "
				    "<sip:alice@example.com>"), 2);
	assert_int_equal(count_with("Content-Type: message/cpim"), 2);
	for (i = 1; i < 3; i++) {
		/* To the relay (first hop), a fresh connection: none seen. */
		assert_int_equal(outs[i].conn_id, 0);
		assert_int_equal(outs[i].dport, 2855);
		s = strstr(outs[i].data, "Message-ID: ");
		assert_non_null(s);
		snprintf(i == 1 ? mid1 : mid2, 40, "%.20s", s + 12);
		assert_null(strstr(outs[i].data, "m1aaaa"));
	}
	assert_string_not_equal(mid1, mid2);
	/* Bob has spoken on connection 12: its messages now go there. */
	send_frame(f, sizeof(f), &b, "t2bbbb", "m2bbbb", "1-2/2", "hi", '$');
	feed(c, 12, f, 4096);
	send_frame(f, sizeof(f), &a, "t3aaaa", "m3aaaa", "1-3/3", "yo!", '$');
	feed(c, 11, f, 4096);
	drain(c);
	assert_int_equal(nouts, 6);
	for (i = 0; i < nouts; i++)
		if (strstr(outs[i].data, "yo!") && strstr(outs[i].data, b.own))
			assert_int_equal(outs[i].conn_id, 12);
	conf_chat_free(c);
	assert_int_equal(mem_blocks(), m0);
}

static void test_chunks(void **state)
{
	int64_t m0 = mem_blocks();
	struct conf_chat *c = mk(0);
	struct party a, b, d;
	char f[1024], g[1024];

	(void)state;
	join(c, &a, "alice", "alice", 7001);
	join(c, &b, "bob", "bob", 7002);
	join(c, &d, "carol", "carol", 7003);
	send_frame(f, sizeof(f), &a, "c1aaaa", "mchunk", "1-10/20",
		   "FIRST-half", '+');
	send_frame(g, sizeof(g), &a, "c2aaaa", "mchunk", "11-20/20",
		   "SECOND-hal", '$');
	feed(c, 11, f, 1);		/* one byte at a time */
	drain(c);
	assert_int_equal(nouts, 1);	/* the 200 only: not whole yet */
	assert_non_null(strstr(outs[0].data, "c1aaaa 200"));
	feed(c, 11, g, 3);
	drain(c);
	assert_int_equal(nouts, 3);
	assert_int_equal(count_with("FIRST-halfSECOND-hal"), 2);
	/* An interrupted message ('#') is dropped. */
	send_frame(f, sizeof(f), &a, "c3aaaa", "mabort", "1-5/10", "AAAAA",
		   '#');
	feed(c, 11, f, 7);
	send_frame(f, sizeof(f), &a, "c4aaaa", "mgap", "6-10/10", "BBBBB",
		   '$');	/* its first chunk never came: dropped */
	feed(c, 11, f, 4096);
	drain(c);
	assert_int_equal(nouts, 2);
	assert_int_equal(count_with(" 200 OK"), 2);
	conf_chat_free(c);
	assert_int_equal(mem_blocks(), m0);
}

static void test_leave(void **state)
{
	int64_t m0 = mem_blocks();
	struct conf_chat *c = mk(0);
	struct party a, b, d;
	char f[1024];

	(void)state;
	join(c, &a, "alice", "alice", 7001);
	join(c, &b, "bob", "bob", 7002);
	join(c, &d, "carol", "carol", 7003);
	assert_int_equal(conf_chat_leave(c, b.id), 0);
	assert_int_equal(conf_chat_leave(c, b.id), ENOENT);
	send_frame(f, sizeof(f), &a, "l1aaaa", "ml1xxx", "1-4/4", "left", '$');
	feed(c, 11, f, 4096);
	drain(c);
	assert_int_equal(nouts, 2);
	assert_int_equal(count_with(d.own), 1);
	assert_int_equal(count_with(b.own), 0);
	/* The leaver's session is gone. */
	send_frame(f, sizeof(f), &b, "l2bbbb", "ml2xxx", "1-4/4", "late", '$');
	feed(c, 12, f, 4096);
	drain(c);
	assert_int_equal(nouts, 1);
	assert_non_null(strstr(outs[0].data, "l2bbbb 481"));
	/* Someone else's URI in From-Path: 403. */
	snprintf(f, sizeof(f), "MSRP l3aaaa SEND\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\nMessage-ID: ml3xxx\r\nByte-Range: 1-1/1\r\n"
		 "Content-Type: text/plain\r\n\r\nx\r\n-------l3aaaa$\r\n",
		 a.uri, d.own);
	feed(c, 13, f, 4096);
	drain(c);
	assert_int_equal(nouts, 1);
	assert_non_null(strstr(outs[0].data, "l3aaaa 403"));
	/* The room ends with its last participant. */
	assert_int_equal(conf_chat_leave(c, a.id), 0);
	assert_int_equal(conf_chat_leave(c, d.id), 0);
	assert_int_equal(conf_chat_room_count(c), 0);
	/* A closed connection is forgotten. */
	assert_int_equal(conf_chat_nconns(c), 3);
	{
		struct net_pkt in = { .from = addr(40000), .to = addr(2856),
				      .conn_id = 11 };
		assert_int_equal(conf_chat_input(c, 0, &in), 0);
	}
	assert_int_equal(conf_chat_nconns(c), 2);
	conf_chat_free(c);
	assert_int_equal(mem_blocks(), m0);
}

static void test_bad(void **state)
{
	int64_t m0 = mem_blocks();
	struct conf_chat *c = mk(16);
	struct party a, b;
	char f[1024];

	(void)state;
	join(c, &a, "alice", "alice", 7001);
	join(c, &b, "bob", "bob", 7002);
	/* A bad header line after a good start line: 400, then close. */
	snprintf(f, sizeof(f), "MSRP bad1aa SEND\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\nno colon here\r\n\r\n", a.uri, a.own);
	feed(c, 11, f, 4096);
	drain(c);
	assert_int_equal(nouts, 2);
	assert_non_null(strstr(outs[0].data, "MSRP bad1aa 400"));
	assert_int_equal(outs[1].kind, NET_OUT_CLOSE);
	assert_int_equal(outs[1].conn_id, 11);
	/* Garbage without a start line: just a close. */
	feed(c, 12, "\x01\x02 GET / HTTP/1.1\r\n\r\n", 4096);
	drain(c);
	assert_int_equal(nouts, 1);
	assert_int_equal(outs[0].kind, NET_OUT_CLOSE);
	/* Over max_msg: 413 and nothing forwarded. */
	send_frame(f, sizeof(f), &a, "big1aa", "mbig", "1-20/20",
		   "01234567890123456789", '$');
	feed(c, 13, f, 5);
	drain(c);
	assert_int_equal(nouts, 1);
	assert_non_null(strstr(outs[0].data, "big1aa 413"));
	/* Methods we do not do: 501; a REPORT: no answer. */
	snprintf(f, sizeof(f), "MSRP n1aaaa FOOBAR\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\n-------n1aaaa$\r\n", a.uri, a.own);
	feed(c, 13, f, 4096);
	snprintf(f, sizeof(f), "MSRP r1aaaa REPORT\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\nMessage-ID: x1\r\nStatus: 000 200 OK\r\n"
		 "-------r1aaaa$\r\n", a.uri, a.own);
	feed(c, 13, f, 4096);
	/* Responses to our SENDs are taken silently. */
	snprintf(f, sizeof(f), "MSRP zz1234 200 OK\r\nTo-Path: %s\r\n"
		 "From-Path: %s\r\n-------zz1234$\r\n", a.uri, a.own);
	feed(c, 13, f, 4096);
	drain(c);
	assert_int_equal(nouts, 1);
	assert_non_null(strstr(outs[0].data, "n1aaaa 501"));
	conf_chat_free(c);
	assert_int_equal(mem_blocks(), m0);
}

static void nickname(struct conf_chat *c, const struct party *p,
		     const char *tid, const char *hdr)
{
	char f[512];

	snprintf(f, sizeof(f), "MSRP %s NICKNAME\r\nTo-Path: %s\r\n"
		 "From-Path: " RELAY "x;tcp %s\r\n%s-------%s$\r\n", tid,
		 p->uri, p->own, hdr, tid);
	feed(c, 12, f, 4096);
	drain(c);
	assert_int_equal(nouts, 1);
}

/* RFC 7701 NICKNAME: 200 sets it, 425 taken, 423 unusable, 400 none. */
static void test_nickname(void **state)
{
	int64_t m0 = mem_blocks();
	struct conf_chat *c = mk(0);
	struct party a, b, d;
	char f[1024];

	(void)state;
	join(c, &a, "alice", "Alice", 7001);
	join(c, &b, "bob", "bob", 7002);
	join(c, &d, "carol", "carol", 7003);
	nickname(c, &b, "k1bbbb", "Use-Nickname: \"Alice\"\r\n");
	assert_non_null(strstr(outs[0].data, "k1bbbb 425"));
	nickname(c, &b, "k2bbbb", "Use-Nickname: \"\"\r\n");
	assert_non_null(strstr(outs[0].data, "k2bbbb 423"));
	nickname(c, &b, "k3bbbb", "Use-Nickname: \"a<b>\"\r\n");
	assert_non_null(strstr(outs[0].data, "k3bbbb 423"));
	nickname(c, &b, "k4bbbb", "");
	assert_non_null(strstr(outs[0].data, "k4bbbb 400"));
	nickname(c, &b, "k5bbbb", "Use-Nickname: \"Bobby B\"\r\n");
	assert_non_null(strstr(outs[0].data, "k5bbbb 200 OK"));
	assert_string_equal(conf_chat_nick_of(c, b.id), "Bobby B");
	/* Asking again for its own nickname is fine. */
	nickname(c, &b, "k6bbbb", "Use-Nickname: \"Bobby B\"\r\n");
	assert_non_null(strstr(outs[0].data, "k6bbbb 200 OK"));
	send_frame(f, sizeof(f), &b, "s1bbbb", "ms1bbb", "1-2/2", "hi", '$');
	feed(c, 12, f, 4096);
	drain(c);
	assert_int_equal(count_with("From: \"Bobby B\" "
				    "<sip:bob@example.com>"), 2);
	conf_chat_free(c);
	assert_int_equal(mem_blocks(), m0);
}

static void test_nick(void **state)
{
	char n[16];
	struct conf_chat *c = mk(0);
	uint32_t id;
	char uri[128];

	(void)state;
	conf_chat_nick(&PL("\"Al  \\\"ice\" "), &PL("alice"), n, sizeof(n));
	assert_string_equal(n, "Al ice");
	conf_chat_nick(&PL(""), &PL("bob"), n, sizeof(n));
	assert_string_equal(n, "bob");
	conf_chat_nick(&PL("\"\""), &PL("carol"), n, sizeof(n));
	assert_string_equal(n, "carol");
	conf_chat_nick(NULL, NULL, n, sizeof(n));
	assert_string_equal(n, "anon");
	conf_chat_nick(&PL("a-very-long-display-name"), NULL, n, sizeof(n));
	assert_int_equal(strlen(n), sizeof(n) - 1);
	assert_int_equal(conf_chat_join(c, "r", NULL, &PL("not a uri"),
					"sip:x@y", "x", uri, sizeof(uri), &id),
			 EINVAL);
	assert_int_equal(conf_chat_join(c, "r", NULL,
					&PL("msrp://host.example:9/a;tcp"),
					"sip:x@y", "x", uri, sizeof(uri), &id),
			 EINVAL);	/* names are not resolved by a core */
	conf_chat_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fanout),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_leave),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_nickname),
		cmocka_unit_test(test_nick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
