/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the voicemail UA (ref/vm): its SIP input (decoder,
 * dialog matching, the SDP offer) and its RTP recorder. One long-lived
 * core with two RTP ports, so dialogs persist across inputs. Input: byte
 * 0 picks the destination (bit 0: SIP port or an RTP port; bit 1: which
 * RTP port; bits 2-7: how far the clock moves first, in 100 ms), the
 * rest is the datagram. The core must never crash, leak or hang, and
 * every output must be a whole datagram.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "vm/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vm *vm;
static struct rng rng;
static uint64_t now = 1000000;

static void on_save(void *arg, const struct vm_rec *r)
{
	(void)arg;
	if (!r->wav || r->wav_len < 44 || memcmp(r->wav, "RIFF", 4))
		abort();
}

static void init(void)
{
	struct vm_cfg c;
	struct pl p = PL("127.0.0.1:5071");

	memset(&c, 0, sizeof(c));
	net_addr_parse(&p, 0, &c.sip);
	c.media = c.sip;
	c.port_lo = 40000;
	c.port_hi = 40002;
	c.max_s = 5;
	c.beep_ms = 40;
	rng_seed(&rng, 1);
	c.rng = &rng;
	c.save = on_save;
	if (vm_new(&vm, &c))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_pkt in;
	struct net_out o;
	struct pl p = PL("127.0.0.1:5060");

	if (!vm)
		init();
	if (size < 1)
		return 0;
	now += (uint64_t)(data[0] >> 2) * 100000;
	vm_timeout(vm, now);
	memset(&in, 0, sizeof(in));
	net_addr_parse(&p, 0, &in.from);
	in.to = in.from;
	net_addr_set_port(&in.to, data[0] & 1 ? (data[0] & 2 ? 40002 : 40000)
			  : 5071);
	in.data = data + 1;
	in.len = size - 1;
	vm_input(vm, now, &in);
	while (!vm_output(vm, &o))
		if (!o.data || !o.len)
			abort();
	return 0;
}
