/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDP side of the conference focus: which of an offer's formats the mixer
 * can take, the answer (the chosen audio m-line, every other m-line
 * refused with port 0), the capability body of a 488, and the peer's RTP
 * address from the offer.
 */
#ifndef CONF_SDP_H
#define CONF_SDP_H

#include <stddef.h>
#include <stdint.h>
#include "base/net.h"
#include "sdp/sdp.h"
#include "conf/conf_mix.h"

/* Supported codecs as an SDP body, for 488 (RFC 3261 21.4.26). */
void conf_sdp_caps(const struct net_addr *media, char *out, size_t sz);
/* Our offer (the focus dials out, REFER): audio on port, every codec
 * the mixer takes. */
void conf_sdp_offer(const struct net_addr *media, uint16_t port,
		    uint32_t sess_id, char *out, size_t sz);
/* First format of m-line i the mixer takes, in the offerer's order:
 * PT 0, PT 8, or a dynamic L16/8000 mono. ENOENT. */
int conf_sdp_pick(const struct sdp_session *s, size_t i, uint8_t *pt,
		  enum conf_codec *codec);
/* Answer to s with m-line ai accepted on port with pt/codec. */
void conf_sdp_answer(const struct net_addr *media,
		     const struct sdp_session *s, size_t ai, uint32_t sess_id,
		     uint16_t port, uint8_t pt, enum conf_codec codec,
		     char *out, size_t sz);
/* Forward mode: the first audio m-line with a port, RTP/AVP or
 * RTP/SAVP, and its first format. ENOENT. */
int conf_sdp_pick_fwd(const struct sdp_session *s, size_t *ai, uint8_t *pt);
/* Forward mode's answer: m-line ai with the offered profile, format pt,
 * its rtpmap and the offer's a=crypto lines echoed. */
void conf_sdp_answer_fwd(const struct net_addr *media,
			 const struct sdp_session *s, size_t ai,
			 uint32_t sess_id, uint16_t port, uint8_t pt,
			 char *out, size_t sz);
/* The offer's RTP address of m-line i. EINVAL. */
int conf_sdp_peer(const struct sdp_session *s, size_t i,
		  struct net_addr *out);

#endif
