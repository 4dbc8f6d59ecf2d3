/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the conference focus shared by its files:
 * conf_focus.c (INVITE/BYE, RTP, the mix clock), conf_event.c (RFC 4575
 * conference event package and the RFC 3515 refer subscriptions) and
 * conf_refer.c (REFER: the focus dials a participant in). Not a public
 * API.
 */
#ifndef CONF_CONF_INT_H
#define CONF_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/rng.h"
#include "sip/sip.h"
#include "sdp/sdp.h"
#include "conf/conf_mix.h"
#include "conf/conf_focus.h"

#define ROOM_NAME_MAX 64
#define T1_US 500000u
#define T2_US 4000000u

struct conf_room;
struct conf_sub;
struct conf_out;

struct conf_leg {
	struct conf_leg *next;
	struct conf_room *room;
	unsigned slot;
	char call_id[128];
	char from_tag[64];
	char to_tag[24];
	char remote_uri[256];	/* its Contact (our BYE's Request-URI) */
	char from_uri[256];	/* its From URI (our BYE's To) */
	char caller[128];	/* user@host for the CDR */
	char route[512];	/* its Record-Route set (our Route), or "" */
	struct net_addr sig;	/* where its requests came from */
	struct net_addr rtp_peer;
	bool latched;		/* rtp_peer taken from the first packet */
	bool dialed_out;	/* joined by REFER: the focus called it */
	uint16_t port;		/* our RTP port */
	uint8_t pt;
	enum conf_codec codec;
	uint32_t ssrc, ts;
	uint16_t seq;
	uint32_t bye_cseq;
	uint64_t setup_us, answer_us;
	char answer[512];	/* SDP answer, resent on re-INVITE */
	uint8_t *ok;		/* our 200 until the ACK, else NULL */
	size_t ok_len;
	struct net_addr ok_src;
	uint64_t ok_at_us, ok_ivl_us;	/* next resend, current interval */
	uint32_t chat_id;	/* its conf_chat participant, 0: none */
};

struct conf_room {
	struct conf_room *next;
	char name[ROOM_NAME_MAX];
	struct conf_mix *mix;
	unsigned nlegs;
	struct conf_leg *by_slot[CONF_MIX_MAX];
};

struct conf_qpkt {
	struct conf_qpkt *next;
	struct net_addr src, dst;
	size_t len;
	uint8_t data[];
};

struct conf_focus {
	struct conf_focus_cfg cfg;
	char *prefix, *domain;
	struct conf_room *rooms;
	struct conf_leg *legs;
	struct conf_qpkt *qhead, *qtail, *sent;
	uint64_t next_tick;	/* 0: no room, no clock */
	struct rng rng;
	uint8_t *port_used;	/* one byte per even port of the range */
	struct conf_leg **port_leg;	/* the leg on each even port: RTP
					 * finds its leg in O(1) */
	size_t port_cnt, port_next;
	struct sip_msg msg;
	struct sdp_session sdp;
	struct buf b;
	struct conf_sub *subs;		/* conf_event.c */
	struct conf_out *outs;		/* conf_refer.c */
	uint32_t out_seq;
};

/* conf_focus.c */
int cf_enqueue(struct conf_focus *f, const struct net_addr *src,
	       const struct net_addr *dst, const void *p, size_t len);
/* Response to req (from in) with optional To tag, headers and SDP. */
int cf_reply(struct conf_focus *f, const struct net_pkt *in,
	     const struct sip_msg *req, uint16_t scode, const char *to_tag,
	     const struct sip_hdr_add *extra, size_t nextra, const char *sdp);
/* The Record-Route values of m in order (reverse: last first). */
void cf_route_set(const struct sip_msg *m, bool reverse, char *out,
		  size_t sz);
struct conf_room *cf_room_find(struct conf_focus *f, const char *name);
struct conf_leg *cf_leg_find(struct conf_focus *f, const struct pl *cid,
			     const struct pl *ftag);
/* Room NAME of a Request-URI user PREFIX NAME into name: 0 or ENOENT. */
int cf_room_of(struct conf_focus *f, const struct sip_msg *m, char *name,
	       size_t sz);
/* A leg joins room name (made on first join); *legp is the new leg
 * with its port, slot, SSRC set. ENOSPC full room, EADDRINUSE ports. */
int cf_leg_new(struct conf_focus *f, const char *name, enum conf_codec c,
	       uint8_t pt, uint64_t now_us, struct conf_leg **legp);
/* An RTP port of the range for a leg still to come (REFER); given back
 * with cf_port_release unless cf_leg_adopt takes it. EADDRINUSE. */
int cf_port_take(struct conf_focus *f, uint16_t *port);
/* cf_leg_new on a port from cf_port_take (kept by the caller on error). */
int cf_leg_adopt(struct conf_focus *f, const char *name, enum conf_codec c,
		 uint8_t pt, uint16_t port, uint64_t now_us,
		 struct conf_leg **legp);
void cf_port_release(struct conf_focus *f, uint16_t port);
/* Arm the mix clock when a room exists. */
void cf_clock(struct conf_focus *f, uint64_t now_us);

/* conf_fwd.c: forward mode, one RTP/SRTP packet of leg to the others. */
void cf_forward_rtp(struct conf_focus *f, uint64_t now_us,
		    const struct net_pkt *in, struct conf_leg *leg);

/* conf_event.c */
void conf_event_subscribe(struct conf_focus *f, uint64_t now_us,
			  const struct net_pkt *in, const struct sip_msg *m);
/* Room name changed (join, leave): NOTIFY its subscribers. */
void conf_event_changed(struct conf_focus *f, const char *room,
			uint64_t now_us);
/* A response to one of our requests: 0 taken, ENOENT not ours. */
int conf_event_response(struct conf_focus *f, uint64_t now_us,
			const struct sip_msg *m);
void conf_event_timeout(struct conf_focus *f, uint64_t now_us);
uint64_t conf_event_deadline(const struct conf_focus *f);
void conf_event_free(struct conf_focus *f);
/*
 * The implicit subscription of a REFER (RFC 3515): answered 202 here,
 * then NOTIFY message/sipfrag "SIP/2.0 100 Trying". Returns its id (for
 * conf_event_refer_done), 0 on failure (an error response was sent).
 */
uint32_t conf_event_refer(struct conf_focus *f, uint64_t now_us,
			  const struct net_pkt *in, const struct sip_msg *m,
			  char *room, size_t roomsz);
/* The final outcome of the referred INVITE: NOTIFY sipfrag, terminated. */
void conf_event_refer_done(struct conf_focus *f, uint32_t id,
			   uint16_t scode, uint64_t now_us);

/* conf_chatsip.c: join the room's chat if m offers MSRP (after the
 * audio answer is in leg->answer, which gains the MSRP line); leave. */
void cf_chat_join(struct conf_focus *f, struct conf_leg *leg,
		  const struct sip_msg *m, const char *room);
void cf_chat_leave(struct conf_focus *f, struct conf_leg *leg);

/* conf_refer.c */
void conf_refer_request(struct conf_focus *f, uint64_t now_us,
			const struct net_pkt *in, const struct sip_msg *m);
int conf_refer_response(struct conf_focus *f, uint64_t now_us,
			const struct net_pkt *in, const struct sip_msg *m);
void conf_refer_timeout(struct conf_focus *f, uint64_t now_us);
uint64_t conf_refer_deadline(const struct conf_focus *f);
void conf_refer_free(struct conf_focus *f);

#endif
