/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Room mixer: G.711/L16 codecs, per-participant jitter buffers and the
 * N-1 mix of each 20 ms tick (see conf_mix.h). The G.711 companders are
 * the shared ones of base/g711.h.
 */
#include <errno.h>
#include <string.h>
#include "base/g711.h"
#include "base/mem.h"
#include "conf/conf_mix.h"

size_t conf_codec_frame_len(enum conf_codec c)
{
	return c == CONF_L16 ? CONF_FRAME_SAMPLES * 2 : CONF_FRAME_SAMPLES;
}

size_t conf_codec_decode(enum conf_codec c, const uint8_t *p, size_t n,
			 int16_t *pcm)
{
	size_t i, cnt;

	if (c == CONF_L16) {
		cnt = n / 2;
		if (cnt > CONF_FRAME_SAMPLES)
			cnt = CONF_FRAME_SAMPLES;
		for (i = 0; i < cnt; i++)
			pcm[i] = (int16_t)(((unsigned)p[2 * i] << 8) |
					   p[2 * i + 1]);
		return cnt;
	}
	cnt = n > CONF_FRAME_SAMPLES ? CONF_FRAME_SAMPLES : n;
	for (i = 0; i < cnt; i++)
		pcm[i] = c == CONF_PCMU ? g711_ulaw_decode(p[i])
					: g711_alaw_decode(p[i]);
	return cnt;
}

size_t conf_codec_encode(enum conf_codec c, const int16_t *pcm, uint8_t *out)
{
	size_t i;

	for (i = 0; i < CONF_FRAME_SAMPLES; i++) {
		if (c == CONF_L16) {
			uint16_t v = (uint16_t)pcm[i];

			out[2 * i] = (uint8_t)(v >> 8);
			out[2 * i + 1] = (uint8_t)v;
		} else if (c == CONF_PCMU) {
			out[i] = g711_ulaw_encode(pcm[i]);
		} else {
			out[i] = g711_alaw_encode(pcm[i]);
		}
	}
	return conf_codec_frame_len(c);
}

int conf_mix_new(struct conf_mix **out, uint64_t timeout_us)
{
	struct conf_mix *m;

	if (!out)
		return EINVAL;
	m = mem_zalloc(sizeof(*m));
	if (!m)
		return ENOMEM;
	m->timeout_us = timeout_us;
	*out = m;
	return 0;
}

void conf_mix_free(struct conf_mix *m)
{
	if (!m)
		return;
	/* Scrub decoded audio before the block goes back (P15). */
	memset(m, 0, sizeof(*m));
	mem_free(m);
}

int conf_mix_add(struct conf_mix *m, enum conf_codec c, uint64_t now_us,
		 unsigned *slot)
{
	unsigned i;

	for (i = 0; i < CONF_MIX_MAX; i++) {
		struct conf_part *p = &m->part[i];

		if (p->used)
			continue;
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->codec = c;
		p->last_us = now_us;
		m->nparts++;
		*slot = i;
		return 0;
	}
	return ENOSPC;
}

void conf_mix_del(struct conf_mix *m, unsigned slot)
{
	if (slot >= CONF_MIX_MAX || !m->part[slot].used)
		return;
	memset(&m->part[slot], 0, sizeof(m->part[slot]));
	m->nparts--;
}

/* Ring index of the frame `ahead` frames after the playout position. */
static unsigned ring(uint32_t play_ts, uint32_t ahead)
{
	return (unsigned)((play_ts / CONF_FRAME_SAMPLES + ahead) %
			  CONF_JB_SLOTS);
}

static void jb_reset(struct conf_part *p, uint32_t ts)
{
	unsigned i;

	for (i = 0; i < CONF_JB_SLOTS; i++)
		p->jb[i].full = false;
	p->play_ts = ts;
	p->started = true;
	p->playing = false;
}

int conf_mix_put(struct conf_mix *m, unsigned slot, uint64_t now_us,
		 uint32_t ts, const uint8_t *payload, size_t len)
{
	struct conf_part *p;
	struct conf_jb_slot *s;
	int32_t diff;
	uint32_t ahead;

	if (slot >= CONF_MIX_MAX || !m->part[slot].used || !payload)
		return EINVAL;
	p = &m->part[slot];
	if (len != conf_codec_frame_len(p->codec))
		return EINVAL;
	p->last_us = now_us;
	if (!p->started)
		jb_reset(p, ts);
	diff = (int32_t)(ts - p->play_ts);
	if (diff < 0) {
		p->late_cnt++;
		return 0;
	}
	ahead = (uint32_t)diff / CONF_FRAME_SAMPLES;
	if (ahead >= CONF_JB_SLOTS) {
		/* A jump (new talk spurt, sender restart): start over. */
		jb_reset(p, ts);
		ahead = 0;
	}
	s = &p->jb[ring(p->play_ts, ahead)];
	if (s->full && s->ts == ts) {
		p->late_cnt++;		/* duplicate */
		return 0;
	}
	s->full = true;
	s->ts = p->play_ts + ahead * CONF_FRAME_SAMPLES;
	conf_codec_decode(p->codec, payload, len, s->pcm);
	return 0;
}

static unsigned jb_count(const struct conf_part *p)
{
	unsigned i, n = 0;

	for (i = 0; i < CONF_JB_SLOTS; i++)
		n += p->jb[i].full;
	return n;
}

/* Take this tick's frame of p into p->cur (silence when none). */
static void jb_play(struct conf_part *p)
{
	struct conf_jb_slot *s;
	unsigned n = jb_count(p);

	memset(p->cur, 0, sizeof(p->cur));
	if (!p->playing) {
		if (n < CONF_JB_DEPTH)
			return;
		p->playing = true;
	}
	if (n == 0) {
		/* Underrun: hold the position and rebuild the depth. */
		p->playing = false;
		return;
	}
	s = &p->jb[ring(p->play_ts, 0)];
	if (s->full && s->ts == p->play_ts)
		memcpy(p->cur, s->pcm, sizeof(p->cur));
	else
		p->lost_cnt++;
	s->full = false;
	p->play_ts += CONF_FRAME_SAMPLES;
}

void conf_mix_tick(struct conf_mix *m, uint64_t now_us, uint64_t *dropped)
{
	int32_t sum[CONF_FRAME_SAMPLES];
	int16_t mix[CONF_FRAME_SAMPLES];
	unsigned i, k;

	if (dropped)
		*dropped = 0;
	memset(sum, 0, sizeof(sum));
	for (i = 0; i < CONF_MIX_MAX; i++) {
		struct conf_part *p = &m->part[i];

		if (!p->used)
			continue;
		if (m->timeout_us && now_us > p->last_us &&
		    now_us - p->last_us > m->timeout_us) {
			conf_mix_del(m, i);
			if (dropped)
				*dropped |= UINT64_C(1) << i;
			continue;
		}
		jb_play(p);
		for (k = 0; k < CONF_FRAME_SAMPLES; k++)
			sum[k] += p->cur[k];
	}
	for (i = 0; i < CONF_MIX_MAX; i++) {
		struct conf_part *p = &m->part[i];

		if (!p->used)
			continue;
		for (k = 0; k < CONF_FRAME_SAMPLES; k++) {
			/* Exact N-1: the total minus this one's own frame. */
			int32_t v = sum[k] - p->cur[k];

			if (v > INT16_MAX) {
				v = INT16_MAX;
				m->clip_cnt++;
			} else if (v < INT16_MIN) {
				v = INT16_MIN;
				m->clip_cnt++;
			}
			mix[k] = (int16_t)v;
		}
		p->out_len = conf_codec_encode(p->codec, mix, p->out);
	}
	memset(sum, 0, sizeof(sum));
	memset(mix, 0, sizeof(mix));
}

const uint8_t *conf_mix_frame(const struct conf_mix *m, unsigned slot,
			      size_t *len)
{
	if (slot >= CONF_MIX_MAX || !m->part[slot].used ||
	    !m->part[slot].out_len)
		return NULL;
	*len = m->part[slot].out_len;
	return m->part[slot].out;
}
