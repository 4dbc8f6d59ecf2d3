/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Voicemail media: the caller's RTP (RFC 3550) recorded as its G.711
 * payload, the beep played after the answer, and the WAV handed to the
 * save hook. Payload bytes are kept as received: the WAV is G.711 (format
 * 7 or 6), so what the caller sent is what the mailbox owner hears.
 */
#include <string.h>
#include "base/g711.h"
#include "rtp/rtp.h"
#include "store/store.h"
#include "vm/vm_int.h"

#define PTIME_SAMPLES 160	/* 20 ms at 8 kHz */

void vm_rtp_input(struct vm *v, struct vcall *c, const struct net_pkt *in)
{
	const uint8_t *d = in->data;
	struct rtp_hdr h;
	size_t cap;

	if (c->state != VC_UP && c->state != VC_WAIT_ACK)
		return;
	if (rtp_hdr_decode(d, in->len, &h) || in->len <= h.hdr_len)
		return;
	/* Symmetric RTP: answer where the caller's media comes from (a
	 * relay or a NAT may stand between). */
	c->rtp_dst = in->from;
	c->have_rtp = true;
	/* Only the negotiated codec: comfort noise, DTMF events and the
	 * like are not audio samples. */
	if (h.pt != c->pt)
		return;
	cap = (size_t)(v->cfg.max_s ? v->cfg.max_s : 120) * 8000;
	if (c->audio.len >= cap)
		return;
	{
		size_t n = in->len - h.hdr_len;

		if (h.pad_len > n)
			return;
		n -= h.pad_len;
		if (n > cap - c->audio.len)
			n = cap - c->audio.len;
		if (!buf_put(&c->audio, d + h.hdr_len, n))
			v->st.bytes += n;
	}
}

void vm_beep(struct vm *v, struct vcall *c)
{
	/* 800 Hz: ten samples a period at 8 kHz, so a table, no libm. */
	static const int16_t sine[10] = { 0, 4702, 7608, 7608, 4702,
					  0, -4702, -7608, -7608, -4702 };
	uint8_t pkt[RTP_HDR_LEN + PTIME_SAMPLES];
	struct rtp_hdr h = { .pt = c->pt, .marker = c->seq == 0,
			     .seq = c->seq, .ts = c->ts, .ssrc = c->ssrc };
	struct net_addr src = v->cfg.media;
	size_t i;

	if (!c->beep_left || !c->have_rtp ||
	    (c->state != VC_UP && c->state != VC_WAIT_ACK))
		return;
	rtp_hdr_encode(pkt, &h);
	for (i = 0; i < PTIME_SAMPLES; i++)
		pkt[RTP_HDR_LEN + i] = c->pt == 8 ?
				       g711_alaw_encode(sine[i % 10]) :
				       g711_ulaw_encode(sine[i % 10]);
	net_addr_set_port(&src, c->port);
	vm_send(v, &src, &c->rtp_dst, pkt, sizeof(pkt));
	c->seq++;
	c->ts += PTIME_SAMPLES;
	if (--c->beep_left)
		vm_timer(v, c, &c->t_beep, TM_BEEP, 20000);
}

void vm_save(struct vm *v, struct vcall *c)
{
	struct vm_rec r;
	struct buf wav;

	if (c->saved)
		return;
	c->saved = true;
	if (!c->audio.len) {
		v->st.empty++;	/* nothing said (or encrypted media) */
		return;
	}
	buf_init(&wav);
	if (store_wav_g711(&wav, c->pt == 8, c->audio.data, c->audio.len)) {
		buf_fini(&wav);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.owner = c->owner;
	r.caller = c->caller;
	r.call_id = c->call_id;
	r.start_wall_us = (uint64_t)((int64_t)c->answer_us +
				     v->cfg.wall_offset_us);
	r.duration_ms = c->audio.len / 8;
	r.alaw = c->pt == 8;
	r.wav = wav.data;
	r.wav_len = wav.len;
	v->cfg.save(v->cfg.arg, &r);
	v->st.saved++;
	buf_fini(&wav);
}
