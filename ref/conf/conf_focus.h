/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conference focus (RFC 4579 style): a SIP user agent inside the platform
 * that answers INVITEs to sip:<prefix>NAME@DOMAIN, creating room NAME on
 * the first join and ending it when the last leg leaves, and mixes the
 * room's audio (conf_mix.h) over RTP on ports from a configured range.
 *
 * Two modes, a setting of the focus. Mix: the focus decodes every
 * participant's audio, so it sees plaintext media; offers that require
 * SRTP/zRTP/DTLS are refused with 488. Forward (SFU-like, conf_fwd.c):
 * each participant's RTP/SRTP packets are relayed untouched to the
 * others, never decoded or decrypted; RTP/AVP and RTP/SAVP offers are
 * answered with the offered profile, first format and a=crypto lines, so
 * keys stay between the participants.
 *
 * Sans-IO (STYLE.md 2.6): SIP datagrams and RTP packets in through
 * conf_focus_input(), the 20 ms mix clock through conf_focus_timeout(),
 * packets out through conf_focus_output(). No media content is ever
 * stored, logged or handed to a hook (POLICY P15): the CDR callback gets
 * one record per participant leg with addresses and times only.
 */
#ifndef CONF_FOCUS_H
#define CONF_FOCUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/core.h"
#include "base/net.h"
#include "sip/proxy.h"
#include "conf/conf_chat.h"

struct conf_focus;

struct conf_focus_cfg {
	const char *room_prefix;	/* user part prefix, e.g. "room-" */
	const char *domain;		/* host to accept, NULL/"": any */
	struct net_addr sip_addr;	/* our SIP address (Contact) */
	struct net_addr media_addr;	/* RTP address; ports from the range */
	uint16_t port_min, port_max;	/* RTP ports (even ones used) */
	unsigned room_max;		/* participants per room (486 beyond) */
	uint64_t media_timeout_us;	/* silent leg dropped after this */
	uint64_t seed;			/* tags and SSRCs */
	bool forward;			/* forward mode, else mix */
	uint64_t wall_offset_us;	/* now_us + this = wall clock for CDRs */
	/* One record per participant leg (answered or refused); room names
	 * the conference, which marks the record as a conference leg. */
	void (*cdr_write)(void *arg, const struct sip_cdr *c,
			  const char *room);
	void *cdr_arg;
	/* Chat rooms (conf_chat.h), borrowed, NULL: none. An INVITE that
	 * also offers TCP/MSRP joins the room's chat (conf_chatsip.c). */
	struct conf_chat *chat;
};

/* EINVAL (empty prefix, bad port range, room_max 0), ENOMEM. */
int conf_focus_new(struct conf_focus **out, const struct conf_focus_cfg *cfg);
/* Ends every leg silently (no BYE) and frees. */
void conf_focus_free(struct conf_focus *f);

int conf_focus_input(struct conf_focus *f, uint64_t now_us,
		     const struct net_pkt *in);
int conf_focus_timeout(struct conf_focus *f, uint64_t now_us);
int conf_focus_output(struct conf_focus *f, struct net_out *out);
uint64_t conf_focus_deadline(struct conf_focus *f);

extern const struct core_ops conf_focus_ops;

size_t conf_focus_room_count(const struct conf_focus *f);
/* Participants of room name (0 when it does not exist). */
size_t conf_focus_room_size(const struct conf_focus *f, const char *name);

#endif
