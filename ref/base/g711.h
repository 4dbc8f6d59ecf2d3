/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * G.711 companding (ITU-T G.711): 16-bit linear PCM to and from µ-law
 * (PCMU, RTP PT 0) and A-law (PCMA, PT 8), one byte per sample. Written
 * from the segment algorithm (8 segments, 4-bit mantissa; µ-law with the
 * 0x84 bias and all bits inverted, A-law with even bits inverted), no
 * tables, so every user (conference mixer, voicemail beep, bench tones)
 * shares one implementation with one set of rounding decisions.
 */
#ifndef BASE_G711_H
#define BASE_G711_H

#include <stdint.h>

uint8_t g711_ulaw_encode(int16_t pcm);
int16_t g711_ulaw_decode(uint8_t u);
uint8_t g711_alaw_encode(int16_t pcm);
int16_t g711_alaw_decode(uint8_t a);

#endif
