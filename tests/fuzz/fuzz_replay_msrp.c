/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the replay's MSRP parts: byte 0 picks the
 * dissection (sim/replay/rpl_msrp.c: the rest split at NUL bytes into
 * framed messages, each handed to rpl_msrp_input, the requests into the
 * re-drive script rpl_msrp_scr.c, the first piece also as an SDP a=path)
 * or the emulated client (rpl_msrp_cl.c: the rest as bytes from the relay
 * after AUTH, cut in two). Must never crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_int.h"
#include "replay/rpl_msrp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_sess(void *arg, const struct rpl_msrp_rec *r)
{
	(void)arg;
	/* touch every string: they must be valid */
	if (!strlen(r->uri[0]) && !strlen(r->uri[1]) && !strlen(r->ctypes))
		return;
}

static void on_req(void *arg, const struct rpl_msrp_req *q)
{
	rpl_mscript_add(arg, q);
}

static void dissect(const uint8_t *p, size_t n)
{
	struct rpl_mscript scr;
	struct rpl_cfg cfg = { .msrp_fn = on_sess, .msrp_req_fn = on_req,
			       .arg = &scr };
	struct rpl_call call;
	char cid[] = "fuzz@call";
	struct rpl_pdu pdu;
	struct rpl *r;
	const uint8_t *z;
	uint8_t *copy;
	size_t k;
	int first = 1;

	rpl_mscript_init(&scr);
	if (rpl_new(&r, &cfg))
		return;
	memset(&call, 0, sizeof(call));
	call.call_id = cid;
	memset(&pdu, 0, sizeof(pdu));
	pdu.tp = RPL_TP_TCP;
	while (n) {
		z = memchr(p, 0, n);
		k = z ? (size_t)(z - p) : n;
		/* an exact-size heap copy so ASan sees any overread */
		copy = malloc(k ? k : 1);
		if (!copy)
			break;
		memcpy(copy, p, k);
		if (first) {
			struct pl path = pl_from_mem(copy, k);

			rpl_msrp_sdp_path(r, &call, &path);
			first = 0;
		}
		pdu.ts_us += 1000;
		r->now_us = pdu.ts_us;
		pdu.data = copy;
		pdu.len = k;
		rpl_msrp_input(r, &pdu);
		free(copy);
		p += k + (z != NULL);
		n -= k + (z != NULL);
	}
	rpl_finish(r);
	rpl_free(r);
	rpl_mscript_finish(&scr);
	rpl_mscript_fini(&scr);
}

static void client(const uint8_t *p, size_t n)
{
	struct rpl_mcl c;
	uint8_t *copy = malloc(n ? n : 1);
	size_t cut = n ? p[0] % (n + 1) : 0;

	if (!copy)
		return;
	memcpy(copy, p, n);
	rpl_mcl_init(&c, "127.0.0.1", 4000, "fz01", "msrp://127.0.0.1:2855;tcp",
		     "alice", "pw", "example.test");
	rpl_mcl_auth(&c);
	if (!rpl_mcl_input(&c, copy, cut))
		rpl_mcl_input(&c, copy + cut, n - cut);
	rpl_mcl_fini(&c);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t blocks = mem_blocks();

	if (size < 1)
		return 0;
	if (data[0] & 1)
		client(data + 1, size - 1);
	else
		dissect(data + 1, size - 1);
	if (mem_blocks() != blocks)
		abort();
	return 0;
}
