/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the focus's chat rooms shared by conf_chat.c (MSRP
 * framing, fan-out) and conf_chatnick.c (nicknames: the join default
 * and RFC 7701 NICKNAME requests). Not a public API.
 */
#ifndef CONF_CONF_CHAT_INT_H
#define CONF_CONF_CHAT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/rng.h"
#include "msrp/msrp.h"
#include "conf/conf_chat.h"

#define ROOM_MAX 64
#define NICK_MAX 48
#define URI_MAX 128
#define MAX_HEAD 8192

struct chat_room {
	struct chat_room *next;
	char name[ROOM_MAX];
	char *uri;
	unsigned n;
};

struct chat_part {
	struct chat_part *next;
	struct chat_room *room;
	uint32_t id;
	char sess[17];
	char uri[URI_MAX];	/* ours: msrp://host:port/sess;tcp */
	char *path;		/* theirs (To-Path of our SENDs) */
	char *from;		/* their SIP URI (CPIM From) */
	char nick[NICK_MAX];
	struct net_addr hop;	/* first URI of path */
	uint64_t conn_id;	/* last connection its requests came on */
	struct buf asm_buf;	/* message being reassembled */
	char asm_id[MSRP_TID_MAX + 1];
	bool asm_bad;		/* a chunk was lost: drop until '$' */
};

struct chat_conn {
	struct chat_conn *next;
	uint64_t id;
	struct net_addr peer, local;
	struct msrp_parser ps;
	/* the transaction being parsed */
	bool req, send, reply;
	uint16_t code;		/* answer, 200 unless an error was found */
	char tid[MSRP_TID_MAX + 1];
	char *to_path, *from_path;	/* of the response */
	struct chat_part *part;	/* sender of the SEND, NULL if refused */
	uint64_t at;		/* Byte-Range start - 1 */
	bool data;		/* content seen */
};

struct chat_q {
	struct chat_q *next;
	enum net_out_kind kind;
	uint64_t conn_id;
	struct net_addr dst, src;
	size_t len;
	uint8_t data[];
};

struct conf_chat {
	struct conf_chat_cfg cfg;
	struct chat_room *rooms;
	struct chat_part *parts;
	struct chat_conn *conns;
	size_t nconns;
	struct chat_q *qhead, *qtail, *sent;
	struct rng rng;
	uint32_t next_id;
	struct buf b;
};

/* conf_chat.c */
struct chat_part *cc_part_by_sess(const struct conf_chat *c,
			       const struct pl *sess);
/* Last URI of a path (empty when none). */
void cc_last_uri(struct pl path, struct pl *out);
/* The participant a request m is from: its To-Path ends with our URI
 * for it, its From-Path with its own. NULL with *code 400/481/403. */
struct chat_part *cc_sender(const struct conf_chat *c,
			    const struct msrp_msg *m, uint16_t *code);

/* conf_chatnick.c */
/* Whether nick is someone's in room r other than except. */
bool cc_nick_taken(const struct conf_chat *c, const struct chat_room *r,
		   const char *nick, const struct chat_part *except);
/* RFC 7701 NICKNAME: the response code (200: the nick is set). */
uint16_t cc_nickname(struct conf_chat *c, const struct msrp_msg *m);

#endif
