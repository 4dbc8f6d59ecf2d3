/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message-level re-drive of captured dialogs against a live SIP target
 * (`rtcbench replay FILE --target HOST:PORT`). Three parts:
 *
 * - scripts (rpl_dlg.c): every SIP message of the capture grouped by
 *   Call-ID, kept on the first leg (the first request's source and
 *   destination), retransmissions, 100 Trying and digest challenges
 *   dropped (the re-drive answers the target's own challenges), each
 *   message a step sent by the caller or by "the other side";
 * - rewriting (rpl_rw.c): IPv4 literals mapped into 127/8 keeping their
 *   length, SDP connection/origin/port lines pointed at our own sockets,
 *   the headers the re-drive owns (Via, From/To tags, Call-ID, CSeq,
 *   Contact, Route, auth, Content-Length) left out of what is copied;
 *   the accounts file ("CAPTURED_AOR USER@DOMAIN PASSWORD" per line);
 * - the engine (rpl_live.c steps, rpl_lin.c input and timers, rpl_lmsg.c
 *   messages; rpl_vlive.c runs it in process): a sans-IO core playing the
 *   caller and the callee of each dialog from two local sockets, one
 *   dialog at a time: each step is sent by its role and awaited at the
 *   other role (or at the caller when the target itself answers, as for
 *   REGISTER), with real UDP retransmission timers and digest answers.
 *   A dialog ends matched, diverged (first divergence, expected vs got,
 *   with the capture's frame number) or skipped (why).
 *
 * The core never opens sockets; sim/app/replay_live.c runs it on ref/io.
 */
#ifndef REPLAY_RPL_LIVE_H
#define REPLAY_RPL_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/core.h"
#include "base/net.h"
#include "replay/replay.h"
#include "sip/sip.h"

/* One captured message of a dialog, on its first leg. */
struct rpl_step {
	uint32_t frame;		/* frame number in the capture (1-based) */
	uint64_t ts_us;
	uint8_t dir;		/* 0: from the caller, 1: towards it */
	bool is_req;
	bool media;		/* an RTP packet: sent, never awaited */
	bool to_tag;		/* request inside a dialog */
	enum sip_method mid;	/* request method, or the CSeq method */
	char method[16];
	uint16_t scode;		/* responses */
	uint32_t cseq;
	uint8_t *raw;
	size_t len;
};

struct rpl_dlg {
	char *call_id;
	char caller[128], callee[128];	/* user@host of From / To */
	struct rpl_ep a, p;		/* first leg: caller, its next hop */
	bool leg;			/* a/p known */
	bool callee_role;		/* someone answers besides the target */
	struct rpl_step *steps;
	size_t n, cap;
	char skip[112];			/* why it cannot be re-driven */
	size_t nmedia;			/* RTP steps */
};

/* An SDP audio endpoint seen in a dialog, and who announced it. */
struct rpl_sdpep {
	struct rpl_ep ep;
	uint32_t dlg;
	uint8_t dir;
};

struct rpl_dlgset {
	struct rpl_dlg *d;
	size_t n, cap;
	uint32_t *idx;			/* hash of Call-ID -> d index + 1 */
	size_t nidx;
	struct rpl_sdpep *mep;		/* SDP endpoints, newest last */
	size_t nmep;
	uint64_t msgs, dropped, rtp, rtp_dropped;
	uint64_t undecodable;		/* refused by ref/sip's decoder */
};

void rpl_dlgset_init(struct rpl_dlgset *s);
void rpl_dlgset_fini(struct rpl_dlgset *s);
/* Add one SIP message seen at frame; undecodable input is counted and
 * ignored. ENOMEM only. */
int rpl_dlgset_add(struct rpl_dlgset *s, uint32_t frame, uint64_t ts_us,
		   const struct rpl_ep *src, const struct rpl_ep *dst,
		   const uint8_t *data, size_t len);
/* One RTP packet: a media step of the dialog whose SDP announced its
 * source or destination (else counted in rtp_dropped). ENOMEM only. */
int rpl_dlgset_add_rtp(struct rpl_dlgset *s, uint32_t frame, uint64_t ts_us,
		       const struct rpl_ep *src, const struct rpl_ep *dst,
		       const uint8_t *data, size_t len);
/* The c= address and first m=audio port of an SDP body; false if none. */
bool rpl_sdp_ep(const struct pl *body, struct rpl_ep *ep);
/* After the last message: drop challenges/100s, decide the roles. */
void rpl_dlgset_finish(struct rpl_dlgset *s);

/* --- accounts ---------------------------------------------------------- */
struct rpl_acct {
	char aor[128];		/* as captured, user@host */
	char user[64], domain[64], password[64];
};

/*
 * "CAPTURED_AOR USER@DOMAIN PASSWORD" lines, '#' comments, blank lines.
 * Appends to the array *a of *n entries. EINVAL with "line N: reason" in err, ENOMEM.
 */
int rpl_acct_decode(const char *text, size_t len, struct rpl_acct **a,
		    size_t *n, char *err, size_t errsz);
const struct rpl_acct *rpl_acct_find(const struct rpl_acct *a, size_t n,
				     const char *aor);

/* --- rewriting --------------------------------------------------------- */
/* Copy in to out with every IPv4 literal mapped into 127/8 (same length
 * when it is 9..15 characters, else 9). ENOMEM. */
int rpl_rw_ipv4(struct buf *out, const struct pl *in);
/* SDP body with c=/o= addresses set to host and the m= ports to port,
 * port + 2, ...; other lines through rpl_rw_ipv4. ENOMEM. */
int rpl_rw_sdp(struct buf *out, const struct pl *body, const char *host,
	       uint16_t port);
/* Whether a captured header is copied as is (after IPv4 mapping). */
bool rpl_rw_keep(const struct sip_hdr *h);

/* --- engine ------------------------------------------------------------ */
enum rpl_verdict {
	RPL_V_PENDING = 0,
	RPL_V_MATCH,
	RPL_V_DIVERGED,
	RPL_V_SKIPPED,
};

struct rpl_live_res {
	enum rpl_verdict v;
	uint32_t frame;		/* diverged: the step's frame */
	size_t steps, done;
	uint64_t us;		/* wall time the dialog took */
	uint32_t rtp_sent, rtp_recv;	/* media steps sent, packets got */
	uint32_t rtp_unsent;	/* no remote media address learnt */
	char why[260];
	/* left open by the capture, closed by the replay (never part of
	 * the verdict): "BYE" or "CANCEL", "" when the capture closed it;
	 * close_status the answer (BYE's final, or 487 to the INVITE), 0
	 * when none came in time */
	char closed[8];
	uint16_t close_status;
};

struct rpl_live_cfg {
	struct rpl_dlg *dlgs;		/* borrowed */
	size_t n;
	const struct rpl_acct *accts;	/* borrowed */
	size_t nacct;
	struct net_addr target;		/* tp: UDP, TCP or TLS */
	struct net_addr local[2];	/* caller, callee SIP sockets */
	uint16_t media_port[2];		/* SDP ports of each role */
	double speed;			/* 0: as fast as possible */
	uint64_t step_timeout_us;	/* awaiting one message; 0: 8 s */
	uint64_t seed;
};

struct rpl_live;

int rpl_live_new(struct rpl_live **lp, const struct rpl_live_cfg *cfg,
		 uint64_t now_us);
void rpl_live_free(struct rpl_live *l);
/* The sockets the driver bound (before rpl_live_start). */
void rpl_live_bind(struct rpl_live *l, const struct net_addr local[2],
		   const uint16_t media_port[2]);
extern const struct core_ops rpl_live_core_ops;
/* Start the registrations; the driver flushes the core after. */
int rpl_live_start(struct rpl_live *l, uint64_t now_us);
bool rpl_live_done(const struct rpl_live *l);
/* Per dialog (cfg order); valid until rpl_live_free. */
const struct rpl_live_res *rpl_live_result(const struct rpl_live *l,
					   size_t i);
/* Callee registrations that got a 2xx / were sent. */
void rpl_live_regs(const struct rpl_live *l, size_t *ok, size_t *sent);

/*
 * The same re-drive in process (rpl_vlive.c): against the platform's SIP
 * core on the virtual network, accounts a (in domain) as its user store;
 * res has set->n entries. 0, ENOMEM.
 */
struct rpl_vlive_opt {
	double speed;		/* 0: back to back */
	double loss;		/* datagram loss of the virtual network */
	uint64_t step_timeout_us;
	uint64_t limit_us;	/* virtual; 0: an hour */
	struct rpl_plat *plat;	/* store and tap (rpl_vproxy.h); NULL */
};
struct rpl_vlive_sum {
	size_t matched, diverged, skipped, registered, callees;
	uint64_t rtp_sent, rtp_recv;
	unsigned cdrs;
	double virtual_s;
};
int rpl_live_inproc(struct rpl_dlgset *set, const struct rpl_acct *a,
		    size_t na, const char *domain,
		    const struct rpl_vlive_opt *o, struct rpl_live_res *res,
		    struct rpl_vlive_sum *sum);

#endif
