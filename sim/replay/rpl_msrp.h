/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSRP re-drive pieces, sans-IO (the socket loop is sim/app/
 * replay_msrp.c):
 *
 * - the script (rpl_msrp_scr.c): the captured MSRP requests, as the
 *   dissector hands them out once each (struct rpl_msrp_req), grouped by
 *   session; each end of a session knows the account it AUTHed with at
 *   its relay (RFC 4976) when the capture shows it;
 * - the client (rpl_msrp_cl.c): one emulated end of a session on one
 *   connection to the target's relay: AUTH with digest, its Use-Path, the
 *   captured chunks sent again (same content, content type, Byte-Range
 *   and end flag, fresh transaction and message ids) along the rewritten
 *   path, 200 to every SEND that reaches it, and what arrived counted and
 *   hashed so the verdict can compare it with what the capture carried.
 */
#ifndef REPLAY_RPL_MSRP_H
#define REPLAY_RPL_MSRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "msrp/msrp.h"
#include "replay/replay.h"

/* "host:port/session" of an MSRP URI, the host in lower case: what two
 * URIs of one endpoint share (RFC 4975 6.1). */
void rpl_msrp_uri_key(const struct pl *uri, char *out, size_t sz);

/* --- script ------------------------------------------------------------ */
struct rpl_mchunk {
	uint32_t sess;
	uint8_t side;		/* sent by end[side] */
	uint64_t ts_us;
	char ctype[96];
	uint64_t start, end, total;	/* Byte-Range; end/total 0: '*' */
	char flag;
	uint8_t *body;
	size_t len;
	char msg_id[64];	/* as captured: chunks of one message */
};

struct rpl_mend {
	char uri[256];		/* as captured */
	char key[160];
	char user[128];		/* AUTH account (user@realm), "" */
};

struct rpl_msess_scr {
	struct rpl_mend end[2];
	char call_id[128];	/* SIP dialog whose SDP named it, or "" */
	size_t nchunks, nreports;
	uint64_t bytes[2];
	char skip[256];		/* why it is not re-driven, "" */
};

struct rpl_mscript {
	struct rpl_msess_scr *s;
	size_t n;
	struct rpl_mchunk *c;
	size_t nc;
	struct { char key[160]; char user[128]; } *auth;
	size_t nauth;
	uint64_t bytes;		/* content held (bounded: see add) */
	bool full;		/* requests dropped past the bound */
};

void rpl_mscript_init(struct rpl_mscript *s);
void rpl_mscript_fini(struct rpl_mscript *s);
/* One request as the dissector reported it. ENOMEM only. */
int rpl_mscript_add(struct rpl_mscript *s, const struct rpl_msrp_req *q);
/* After the file: each end's AUTH user, and each session's skip reason
 * (no end AUTHed, nothing sent, content past the bound). */
void rpl_mscript_finish(struct rpl_mscript *s);

/* --- client ------------------------------------------------------------ */
enum rpl_mcl_state {
	RPL_MCL_NEW = 0,
	RPL_MCL_AUTHING,
	RPL_MCL_AUTHED,
	RPL_MCL_FAILED,
};

struct rpl_mcl {
	enum rpl_mcl_state state;
	char uri[200];		/* our own URI */
	char relay[200];	/* the relay's URI (AUTH To-Path) */
	char use_path[400];	/* from the AUTH 200 */
	char user[128], password[128], realm[128];
	char err[160];		/* why FAILED */
	uint32_t tids;
	struct msrp_parser ps;
	struct buf out;		/* bytes to write to the relay */
	/* the message being received */
	bool rx_req;
	enum msrp_method rx_mid;
	char rx_tid[MSRP_TID_MAX + 1];
	char rx_from[400], rx_to[400];
	char rx_ctype[96];
	uint64_t rx_len;
	uint32_t rx_hash_cur;
	/* totals */
	uint64_t rx_chunks, rx_msgs, rx_bytes;
	uint32_t rx_hash;	/* FNV-1a over every content byte, in order */
	char rx_ctypes[128];
	uint64_t tx_chunks, tx_ok, tx_fail;
	uint16_t last_status;
};

/* Our URI msrp://host:port/session;tcp; relay_uri the relay's own. */
void rpl_mcl_init(struct rpl_mcl *c, const char *host, uint16_t port,
		  const char *session, const char *relay_uri,
		  const char *user, const char *password, const char *realm);
void rpl_mcl_fini(struct rpl_mcl *c);
/* Start AUTH: the request goes into c->out. ENOMEM. */
int rpl_mcl_auth(struct rpl_mcl *c);
/* One captured chunk along to_path; msg_id ours. ENOMEM. */
int rpl_mcl_send(struct rpl_mcl *c, const char *to_path, const char *msg_id,
		 const struct rpl_mchunk *k);
/* Bytes from the relay; replies go into c->out. EBADMSG (c->err). */
int rpl_mcl_input(struct rpl_mcl *c, const uint8_t *p, size_t n);
/* FNV-1a step, for the expected side of the comparison. */
uint32_t rpl_mcl_hash(uint32_t h, const uint8_t *p, size_t n);
#define RPL_MCL_HASH_INIT 2166136261u

#endif
