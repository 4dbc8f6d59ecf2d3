/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the chat rooms of the conference focus
 * (conf_chat.c): a room with three participants, then the input is fed as
 * MSRP bytes of one TCP connection, cut into pieces whose size the first
 * byte gives (so head, content and end-line splits are all explored), and
 * a close of the connection at the end. Besides "no crash", it checks that
 * every output is a bounded frame or a close, and that teardown leaves no
 * mem_ block behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "conf/conf_chat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct net_addr addr(uint16_t port)
{
	struct net_addr a;
	struct pl p = PL("127.0.0.1");

	net_addr_parse(&p, port, &a);
	a.tp = NET_TCP;
	return a;
}

static void drain(struct conf_chat *c)
{
	struct net_out o;

	while (conf_chat_output(c, &o) == 0)
		if (o.kind == NET_OUT_SEND ? !o.data || !o.len ||
		    o.len > 70000 + 1024 : o.kind != NET_OUT_CLOSE)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Session ids come from the seed: seeds address "alice" by
	 * To-Path msrp://127.0.0.1:2856/<its session>;tcp. */
	static const char *const names[] = { "alice", "bob", "carol" };
	struct conf_chat_cfg cfg = { .addr = addr(2856), .seed = 1,
				     .max_msg = 4096 };
	struct conf_chat *c;
	struct net_pkt in;
	char path[160], uri[128];
	int64_t m0 = mem_blocks();
	size_t i, step, off, n;
	uint32_t id;

	if (conf_chat_new(&c, &cfg))
		return 0;
	for (i = 0; i < 3; i++) {
		struct pl pp;

		snprintf(path, sizeof(path), "msrp://127.0.0.1:2855/r%zu;tcp "
			 "msrp://127.0.0.1:%zu/%s;tcp", i, 7001 + i, names[i]);
		pp = pl_from_str(path);
		conf_chat_join(c, "r1", "sip:room-r1@example.org", &pp,
			       "sip:x@example.org", names[i], uri, sizeof(uri),
			       &id);
	}
	step = size ? (size_t)data[0] + 1 : 1;
	memset(&in, 0, sizeof(in));
	in.from = addr(40000);
	in.to = addr(2856);
	in.conn_id = 5;
	for (off = size ? 1 : 0; off < size; off += n) {
		n = size - off < step ? size - off : step;
		in.data = data + off;
		in.len = n;
		conf_chat_input(c, 0, &in);
		drain(c);
	}
	in.data = NULL;
	in.len = 0;
	conf_chat_input(c, 0, &in);
	drain(c);
	conf_chat_leave(c, 2);
	drain(c);
	conf_chat_free(c);
	if (mem_blocks() != m0)
		abort();
	return 0;
}
