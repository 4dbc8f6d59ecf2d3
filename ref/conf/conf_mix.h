/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Audio mixer of one conference room: per participant a small jitter
 * buffer of 20 ms frames (160 samples at 8 kHz) keyed by RTP timestamp,
 * G.711 µ-law / A-law and L16 (8 kHz, mono, network byte order) decode and
 * encode, and a 20 ms tick at which every participant receives the sum of
 * all the others' current frames (the room total minus its own frame),
 * clipped to 16 bits. A participant whose last packet is older than the
 * media timeout is reported and dropped.
 *
 * Sans-IO: the caller passes RTP payloads and the current time in, and
 * reads the encoded frames out after each tick. Frames are decoded into
 * this struct only for the tick and overwritten; nothing is kept beyond
 * the jitter window, nothing is written anywhere (POLICY P15).
 */
#ifndef CONF_MIX_H
#define CONF_MIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_FRAME_SAMPLES 160	/* 20 ms at 8 kHz */
#define CONF_FRAME_US 20000u
#define CONF_MIX_MAX 32		/* participants per room, hard bound */
#define CONF_JB_SLOTS 8		/* jitter window: 160 ms */
#define CONF_JB_DEPTH 2		/* frames buffered before playout starts */

enum conf_codec {
	CONF_PCMU = 0,
	CONF_PCMA,
	CONF_L16,
};

/* Bytes of one 20 ms frame in codec c. */
size_t conf_codec_frame_len(enum conf_codec c);
/* Decode n bytes of payload into pcm (at most CONF_FRAME_SAMPLES
 * samples); returns the sample count. */
size_t conf_codec_decode(enum conf_codec c, const uint8_t *p, size_t n,
			 int16_t *pcm);
/* Encode CONF_FRAME_SAMPLES samples; returns bytes written to out. */
size_t conf_codec_encode(enum conf_codec c, const int16_t *pcm, uint8_t *out);

struct conf_jb_slot {
	bool full;
	uint32_t ts;
	int16_t pcm[CONF_FRAME_SAMPLES];
};

struct conf_part {
	bool used;
	enum conf_codec codec;
	uint64_t last_us;	/* last packet (or join) time */
	bool started;		/* playout position valid */
	bool playing;		/* depth reached once */
	uint32_t play_ts;	/* timestamp of the next frame to play */
	struct conf_jb_slot jb[CONF_JB_SLOTS];
	int16_t cur[CONF_FRAME_SAMPLES];	/* this tick's frame */
	uint8_t out[CONF_FRAME_SAMPLES * 2];	/* this tick's mix, encoded */
	size_t out_len;
	uint64_t late_cnt, lost_cnt;
};

struct conf_mix {
	struct conf_part part[CONF_MIX_MAX];
	size_t nparts;
	uint64_t timeout_us;	/* media timeout, 0: never */
	uint64_t clip_cnt;	/* samples clipped so far */
};

/* Heap room; timeout_us 0 disables the media timeout. ENOMEM. */
int conf_mix_new(struct conf_mix **out, uint64_t timeout_us);
void conf_mix_free(struct conf_mix *m);

/* A participant joins; *slot is its index. ENOSPC when full. */
int conf_mix_add(struct conf_mix *m, enum conf_codec c, uint64_t now_us,
		 unsigned *slot);
void conf_mix_del(struct conf_mix *m, unsigned slot);

/*
 * One RTP payload of participant slot. A frame must be one 20 ms frame of
 * its codec (EINVAL otherwise); late or duplicate frames are counted and
 * ignored (return 0); EINVAL for an unused slot.
 */
int conf_mix_put(struct conf_mix *m, unsigned slot, uint64_t now_us,
		 uint32_t ts, const uint8_t *payload, size_t len);

/*
 * The 20 ms tick: plays one frame from every jitter buffer, mixes, and
 * encodes each participant's output into part[i].out. Participants silent
 * past the timeout are dropped first; their slots are set in *dropped
 * (bit i), which may be NULL.
 */
void conf_mix_tick(struct conf_mix *m, uint64_t now_us, uint64_t *dropped);

/* Encoded mix of slot after the last tick, or NULL. */
const uint8_t *conf_mix_frame(const struct conf_mix *m, unsigned slot,
			      size_t *len);

#endif
