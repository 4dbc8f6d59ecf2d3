/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the live re-drive engine, shared by rpl_live.c (steps,
 * timers, input/output) and rpl_lmsg.c (building the messages each role
 * sends). One dialog runs at a time; each role keeps what it received in
 * this dialog (the inbox the steps are matched against) and the client
 * transactions it started.
 */
#ifndef REPLAY_RPL_LIVE_INT_H
#define REPLAY_RPL_LIVE_INT_H

#include "base/rng.h"
#include "replay/rpl_live.h"

#define RPL_T1_US 500000ull
#define RPL_T2_US 4000000ull
#define RPL_TX_LIFE_US (64 * RPL_T1_US)

/* A message a role received in the current dialog. */
struct rpl_rx {
	uint8_t *raw;
	size_t len;
	struct net_addr from;
	uint64_t conn;
	bool is_req;
	enum sip_method mid;	/* request method / CSeq method */
	char method[16];
	uint16_t scode;
	uint32_t cseq;
	char branch[96];
	bool used;		/* matched by a step */
	struct buf rsp;		/* last response we sent to it */
	bool final;		/* a final response went out */
	bool acked;		/* INVITE: its ACK came */
	uint64_t rt_next, rt_ival;	/* final to INVITE, until the ACK */
	uint64_t rt_end;
};

/* A request a role sent (client transaction). */
struct rpl_tx {
	char branch[40];
	enum sip_method mid;
	char method[16];
	uint32_t cseq;
	char ruri[300];
	struct buf head;	/* headers after Via and CSeq, no auth/length */
	struct buf body;
	struct buf cred;	/* credentials line, once challenged */
	struct buf msg;		/* as sent last */
	struct net_addr dst;
	uint64_t next_us, ival_us, end_us;	/* UDP retransmission */
	bool got_rsp;
	uint16_t final;		/* final status received, 0 */
	bool authed;
	bool acked;		/* INVITE non-2xx: ACK sent */
	bool indlg;		/* sent inside the dialog */
};

struct rpl_role {
	const struct rpl_acct *acct;
	char ltag[24];
	char rtag[128];
	char call_id[200];
	char from[600], to[600];	/* header values we send */
	char to0[400];			/* To of the first request */
	char ruri0[300];		/* its Request-URI */
	uint32_t cseq;
	char rtarget[300];
	struct buf route;		/* Route: lines, CRLF-terminated */
	bool dialog;			/* remote target known */
	struct net_addr rmedia;		/* where its RTP goes (from SDP) */
	bool has_rmedia;
	struct rpl_rx *rx;
	size_t nrx;
	struct rpl_tx *tx;
	size_t ntx;
	int inv;			/* last INVITE tx, -1 */
};

struct rpl_reg {
	const char *aor;
	bool callee;		/* called: registers the callee socket */
};

struct rpl_pkt {
	struct net_addr src, dst;
	uint64_t conn;
	struct buf data;
};

struct rpl_conn {
	uint64_t id;
	int role;
	struct buf in;
};

enum rpl_phase {
	RPL_PH_REG = 0,
	RPL_PH_DLG,
	RPL_PH_DONE,
};

struct rpl_live {
	struct rpl_live_cfg cfg;
	struct rng rng;
	struct sip_msg *m, *m2;	/* scratch decodes */
	uint64_t now;
	struct rpl_role role[2];
	struct rpl_live_res *res;
	enum rpl_phase ph;
	size_t cur;			/* dialog, or registration index */
	size_t k;			/* step */
	bool sent;			/* step k sent */
	bool started;			/* dialog cur set up */
	uint64_t wait_since, t0, ts0;
	uint64_t wake;			/* earliest scheduled send */
	uint32_t rtp_sent, rtp_recv, rtp_unsent;	/* this dialog */
	uint64_t drain_until;		/* RTP of a finished dialog */
	int closing;			/* 0, 1: checked, 2: awaiting close */
	uint64_t close_since;
	struct rpl_reg *regs;		/* every AOR of the dialogs run */
	size_t nregs, ncallees, regs_ok;
	int sub;			/* 0: clear bindings, 1: register */
	struct rpl_pkt *q;		/* output FIFO */
	size_t nq, qhead, qcap;
	struct buf last;		/* data handed out by output() */
	struct rpl_conn *conns;
	size_t nconns;
	char lhost[2][64];
};

/* rpl_live.c: run the current dialog as far as the inboxes allow */
void rpl_advance(struct rpl_live *l);
uint64_t rpl_step_timeout(const struct rpl_live *l);

/* rpl_lmsg.c */
const char *rpl_tp_via(enum net_tp tp);
void rpl_role_reset(struct rpl_live *l, int r);
int rpl_queue(struct rpl_live *l, int r, const struct net_addr *dst,
	      uint64_t conn, const struct buf *b);
int rpl_queue_from(struct rpl_live *l, const struct net_addr *src,
		   const struct net_addr *dst, uint64_t conn,
		   const uint8_t *data, size_t len);
/* Send a captured request step as role r (built fresh, see rpl_lmsg.c);
 * why is set on failure. */
int rpl_send_req(struct rpl_live *l, int r, const struct rpl_step *st,
		 char *why, size_t whysz);
int rpl_send_rsp(struct rpl_live *l, int r, const struct rpl_step *st,
		 char *why, size_t whysz);
/* New client transaction: REGISTER of role 1's account to its contact. */
int rpl_send_register(struct rpl_live *l, int r, uint32_t expires);
/* Answer a 401/407 for tx (new branch, CSeq + 1, credentials). */
int rpl_tx_auth(struct rpl_live *l, int r, struct rpl_tx *tx,
		const struct sip_msg *rsp);
int rpl_tx_send(struct rpl_live *l, int r, struct rpl_tx *tx, uint64_t now);
/* ACK for a non-2xx final of the INVITE tx (hop by hop). */
int rpl_send_ack_non2xx(struct rpl_live *l, int r, struct rpl_tx *tx);
/* After a divergence: 480 what the callee holds, CANCEL or BYE. */
void rpl_abandon(struct rpl_live *l);
/* Every step matched but the dialog is still up: the caller sends BYE
 * (confirmed) or CANCEL (early), *what names it. 0; ENOENT: nothing
 * open; else an errno. */
int rpl_close_open(struct rpl_live *l, const char **what);
/* The callee answers the BYE or CANCEL the close brings (200, 487). */
void rpl_close_answer(struct rpl_live *l);
/* The BYE's final status, or the INVITE's after the CANCEL; 0: none yet. */
uint16_t rpl_close_status(const struct rpl_live *l);
/* Simple reply (481, 200 OPTIONS) to a request outside any dialog. */
int rpl_reply_plain(struct rpl_live *l, int r, const struct sip_msg *req,
		    const struct net_addr *to, uint64_t conn,
		    uint16_t scode);

#endif
