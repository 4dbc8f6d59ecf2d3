/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chat rooms of the conference focus: the focus is one MSRP endpoint
 * (RFC 4975) per participant, reached through the platform's MSRP relay
 * (RFC 4976: participant -> relay -> focus). Every SEND a participant
 * makes is answered 200 and fanned out to every other participant of
 * its room as a new SEND (own transaction id, own Message-ID).
 *
 * Nicknames: each participant gets one at join (the SIP From display
 * name, else the user part, made unique in the room with "-2", "-3"...)
 * and may ask for another with an RFC 7701 NICKNAME request
 * (conf_chatnick.c).
 * Forwarded messages are wrapped in message/cpim (RFC 3862): the CPIM
 * From header is `"NICK" <sender SIP URI>`, To is the room URI, and the
 * original Content-Type and content follow unchanged.
 *
 * Chunks (RFC 4975 5.1): a message sent in several SENDs is reassembled
 * in memory (in order, up to max_msg bytes: 413 beyond) and fanned out
 * once its last chunk ('$') arrives; '#' drops it. Content lives only in
 * that buffer for the time of the fan-out: nothing is stored, logged or
 * handed to a hook (POLICY P15).
 *
 * Sans-IO (STYLE.md 2.6): TCP byte chunks in (conn_id), byte chunks and
 * closes out. No timers: a relay or peer that goes away closes its
 * connection, and the SIP side calls conf_chat_leave on BYE.
 */
#ifndef CONF_CHAT_H
#define CONF_CHAT_H

#include <stddef.h>
#include <stdint.h>
#include "base/core.h"
#include "base/net.h"
#include "base/pl.h"

struct conf_chat;

struct conf_chat_cfg {
	struct net_addr addr;	/* our MSRP TCP address (URIs, src) */
	uint64_t seed;		/* session ids, transaction and message ids */
	size_t max_msg;		/* reassembled message bound; 0: 65536 */
	size_t max_conns;	/* 0: 256 */
};

int conf_chat_new(struct conf_chat **out, const struct conf_chat_cfg *cfg);
void conf_chat_free(struct conf_chat *c);

/*
 * Participant joins chat room (made on first join). path is its SDP
 * a=path (relay URIs first, its own URI last); from is its SIP URI and
 * room_uri the room's (CPIM From/To); nick its wanted nickname. Our MSRP
 * URI for its SDP answer goes to uri (size >= 128), the id to *id.
 * EINVAL (bad path, empty nick), ENOMEM.
 */
int conf_chat_join(struct conf_chat *c, const char *room,
		   const char *room_uri, const struct pl *path,
		   const char *from, const char *nick, char *uri, size_t sz,
		   uint32_t *id);
/* Participant id leaves (room ends with its last one). ENOENT. */
int conf_chat_leave(struct conf_chat *c, uint32_t id);

/*
 * Nickname from a SIP From: the display name (quotes removed), else the
 * user part, else "anon"; only printable ASCII kept, quotes, backslashes
 * and angle brackets dropped, at most sz - 1 bytes.
 */
void conf_chat_nick(const struct pl *display, const struct pl *user,
		    char *out, size_t sz);

int conf_chat_input(void *core, uint64_t now_us, const struct net_pkt *in);
int conf_chat_timeout(void *core, uint64_t now_us);
int conf_chat_output(void *core, struct net_out *out);
uint64_t conf_chat_deadline(void *core);

extern const struct core_ops conf_chat_ops;

size_t conf_chat_room_count(const struct conf_chat *c);
/* Participants of room (0 when it does not exist). */
size_t conf_chat_room_size(const struct conf_chat *c, const char *room);
/* The nickname of participant id, or NULL. */
const char *conf_chat_nick_of(const struct conf_chat *c, uint32_t id);
size_t conf_chat_nconns(const struct conf_chat *c);
/* Our MSRP TCP port (the m=message port of SDP answers). */
uint16_t conf_chat_port(const struct conf_chat *c);

#endif
