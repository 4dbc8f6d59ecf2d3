/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the live re-drive's parsers and builders
 * (sim/replay/rpl_live.h). The first byte picks:
 *   0: the accounts file decoder;
 *   1: IPv4 literal mapping and the SDP rewrite;
 *   2: a capture's SIP messages, [dir][len hi][len lo][bytes]..., made
 *      into dialog scripts and re-driven against the platform's SIP core
 *      in virtual time, with one account per captured AOR - so every
 *      request and response builder sees arbitrary captured messages.
 * Must never crash, leak, hang or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void accounts(const uint8_t *data, size_t size)
{
	struct rpl_acct *a = NULL;
	size_t n = 0;
	char err[128];

	rpl_acct_decode((const char *)data, size, &a, &n, err, sizeof(err));
	if (n)
		rpl_acct_find(a, n, a[n - 1].aor);
	mem_free(a);
}

static void rewrite(const uint8_t *data, size_t size)
{
	struct pl p = pl_from_mem(data, size);
	struct buf b;

	buf_init(&b);
	rpl_rw_ipv4(&b, &p);
	buf_reset(&b);
	rpl_rw_sdp(&b, &p, "127.0.0.1", 30000);
	buf_fini(&b);
}

static void add_acct(struct rpl_acct **a, size_t *n, const char *aor)
{
	struct rpl_acct *na;

	if (rpl_acct_find(*a, *n, aor) || *n >= 64)
		return;
	na = mem_realloc(*a, (*n + 1) * sizeof(*na));
	if (!na)
		return;
	*a = na;
	na += (*n)++;
	memset(na, 0, sizeof(*na));
	snprintf(na->aor, sizeof(na->aor), "%s", aor);
	snprintf(na->user, sizeof(na->user), "u%zu", *n);
	snprintf(na->domain, sizeof(na->domain), "fuzz.test");
	snprintf(na->password, sizeof(na->password), "pw");
}

static void redrive(const uint8_t *data, size_t size)
{
	struct rpl_ep a = { 4, { 10, 0, 0, 1 }, 5060 };
	struct rpl_ep p = { 4, { 10, 0, 0, 9 }, 5060 };
	struct rpl_vlive_opt o = { 0, 0, 1000000, 120000000, NULL };
	struct rpl_vlive_sum sum;
	struct rpl_live_res *res;
	struct rpl_acct *ac = NULL;
	struct rpl_dlgset s;
	size_t n, nac = 0, i;
	uint32_t frame = 0;
	uint8_t *copy;

	rpl_dlgset_init(&s);
	while (size >= 3 && frame < 64) {
		bool back = data[0] & 1;

		n = (size_t)data[1] << 8 | data[2];
		data += 3;
		size -= 3;
		if (n > size)
			n = size;
		copy = malloc(n ? n : 1);
		if (!copy)
			break;
		if (n)
			memcpy(copy, data, n);
		frame++;
		rpl_dlgset_add(&s, frame, frame * 1000ull, back ? &p : &a,
			       back ? &a : &p, copy, n);
		free(copy);
		data += n;
		size -= n;
	}
	rpl_dlgset_finish(&s);
	for (i = 0; i < s.n; i++) {
		add_acct(&ac, &nac, s.d[i].caller);
		add_acct(&ac, &nac, s.d[i].callee);
	}
	res = mem_zalloc((s.n ? s.n : 1) * sizeof(*res));
	if (res && nac)
		rpl_live_inproc(&s, ac, nac, "fuzz.test", &o, res, &sum);
	mem_free(res);
	mem_free(ac);
	rpl_dlgset_fini(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t blocks = mem_blocks();

	if (!size)
		return 0;
	if (data[0] == 0)
		accounts(data + 1, size - 1);
	else if (data[0] == 1)
		rewrite(data + 1, size - 1);
	else
		redrive(data + 1, size - 1);
	if (mem_blocks() != blocks)
		abort();
	return 0;
}
