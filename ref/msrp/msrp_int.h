/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the MSRP relay core, shared by msrp_relay.c (tables,
 * timers, output queue, core ops), msrp_route.c (requests, forwarding,
 * responses) and msrp_rauth.c (AUTH). Not for use outside ref/msrp.
 *
 * Ownership: the relay owns every object here. A connection owns its
 * parser and its current inbound route; a route is freed when its last
 * byte reached the next hop (or it was aborted); a txn when its response
 * came, it timed out, or its next hop went away.
 */
#ifndef MSRP_MSRP_INT_H
#define MSRP_MSRP_INT_H

#include "base/rng.h"
#include "base/tq.h"
#include "msrp/msrp.h"

enum { T_CONN = 1, T_SESSION, T_TXN };

struct msrp_conn;
struct msrp_route;

struct msrp_session {
	struct msrp_session *hnext, *prev, *next;	/* hash; all */
	char sid[24];
	struct msrp_conn *client;	/* the connection that AUTHed */
	char *client_uri;	/* From-Path of the AUTH */
	struct msrp_uri cu;	/* decoded client_uri */
	char *uri;		/* our URI for it: msrps://h:p/sid;tcp */
	struct msrp_uri u;
	uint32_t timer;
};

enum txn_mode {
	TX_REPORT = 1,	/* SEND we answered ourselves: errors -> REPORT */
	TX_PASS,	/* other methods: the response goes back */
};

/* A request forwarded to a next hop, waiting for its response. */
struct msrp_txn {
	struct msrp_txn *hnext, *prev, *next;
	char tid[MSRP_TID_MAX + 1];	/* ours, toward the next hop */
	char in_tid[MSRP_TID_MAX + 1];	/* the previous hop's */
	enum txn_mode mode;
	struct msrp_conn *out, *in;	/* in: NULL once gone */
	char *from_path;	/* From-Path as received (REPORT To-Path) */
	char *our_uri;		/* From-Path of what we send back */
	char msg_id[MSRP_TID_MAX + 1];
	char range[64];
	uint32_t timer;
};

enum route_kind {
	RT_FWD = 1,	/* content goes to `to` */
	RT_DROP,	/* content dropped; reply fail_code at the end */
	RT_LOCAL,	/* answered by the relay itself (AUTH): reply buf */
};

/* One inbound request on its way through the relay. */
struct msrp_route {
	struct msrp_route *prev, *next;	/* all routes */
	struct msrp_route *wnext;	/* in to->waitq */
	enum route_kind kind;
	struct msrp_conn *from;	/* NULL once the input ended or closed */
	struct msrp_conn *to;
	bool is_send, has_body, waiting, open, ended, owner;
	char flag;		/* end-line flag once ended */
	enum msrp_report fr;
	uint16_t fail_code;
	char tid[MSRP_TID_MAX + 1];	/* of the open chunk toward `to` */
	char in_tid[MSRP_TID_MAX + 1];
	char method[16];
	struct buf head;	/* rewritten header lines, minus Byte-Range */
	size_t mime_off;	/* where the Content-* lines start in head */
	struct msrp_range range;
	bool has_range;
	uint64_t sent;		/* content bytes forwarded */
	struct buf hold;	/* held while `to` is busy with a non-SEND */
	struct buf reply;	/* RT_LOCAL/RT_DROP: what to answer */
	char *from_path;	/* as received */
	char *our_uri;		/* our URI the request came in on */
	char msg_id[MSRP_TID_MAX + 1];
	char range_txt[64];
	bool close_after;	/* close `from` after the reply */
};

struct msrp_conn {
	struct msrp_conn *hnext, *prev, *next;
	uint64_t id;		/* 0: outgoing, not seen in input yet */
	struct net_addr peer, local;
	bool outgoing;
	struct msrp_parser ps;
	struct msrp_route *cur;	/* inbound message in progress */
	struct msrp_route *owner;	/* route with a chunk open on us */
	struct msrp_route *waitq;	/* routes waiting for us */
	struct buf defer;	/* whole small messages waiting for owner */
	char nonce[40];
	uint64_t nonce_us;
	uint32_t auth_fail;
	uint32_t nsess;		/* sessions this connection opened */
	uint64_t last_us;
	uint32_t timer;
	bool closing;
};

struct out_ent {
	struct out_ent *next;
	enum net_out_kind kind;
	uint64_t conn_id;
	struct net_addr dst;
	struct buf data;
};

struct msrp_relay {
	struct msrp_relay_cfg cfg;
	char *realm, *host;
	struct msrp_net *nets;
	struct rng rng;
	struct tq tq;
	uint64_t now_us;
	struct msrp_conn **conn_h;
	struct msrp_session **sess_h;
	struct msrp_txn **txn_h;
	size_t hsize;		/* buckets of each hash, a power of two */
	struct msrp_conn *conns;
	struct msrp_session *sessions;
	struct msrp_txn *txns;
	struct msrp_route *routes;
	size_t nconns, nsessions, ntxns, nroutes;
	size_t held;		/* bytes in every hold buffer */
	struct out_ent *oq, *oq_tail, *ocur;
	struct msrp_relay_stats st;
};

/* msrp_relay.c */
uint32_t msrp_hash(const char *p, size_t len);
struct msrp_conn *msrp_conn_out(struct msrp_relay *r,
				const struct net_addr *dst);
void msrp_conn_close(struct msrp_relay *r, struct msrp_conn *c, bool tell);
int msrp_emit(struct msrp_relay *r, struct msrp_conn *c, const void *p,
	      size_t len);
struct msrp_session *msrp_session_find(struct msrp_relay *r,
				       const struct pl *sid);
void msrp_session_del(struct msrp_relay *r, struct msrp_session *s);
struct msrp_txn *msrp_txn_find(struct msrp_relay *r, const struct pl *tid);
void msrp_txn_del(struct msrp_relay *r, struct msrp_txn *t);
void msrp_new_tid(struct msrp_relay *r, char *tid);

/* msrp_route.c */
int msrp_route_event(struct msrp_relay *r, struct msrp_conn *c,
		     const struct msrp_ev *ev);
void msrp_route_free(struct msrp_relay *r, struct msrp_route *rt);
void msrp_route_abort(struct msrp_relay *r, struct msrp_route *rt);
void msrp_route_fail(struct msrp_relay *r, struct msrp_route *rt,
		     uint16_t code);
void msrp_conn_release(struct msrp_relay *r, struct msrp_conn *c);
int msrp_send_msg(struct msrp_relay *r, struct msrp_conn *c,
		  const struct buf *msg);
void msrp_txn_error(struct msrp_relay *r, struct msrp_txn *t, uint16_t code);
int msrp_reply_malformed(struct msrp_relay *r, struct msrp_conn *c);

/* msrp_rauth.c */
int msrp_auth_handle(struct msrp_relay *r, struct msrp_conn *c,
		     const struct msrp_msg *m, struct msrp_route *rt);

#endif
