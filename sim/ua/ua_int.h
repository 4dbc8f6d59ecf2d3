/* SPDX-License-Identifier: BSD-3-Clause */
/* Private state of the bench user agent, shared by sim/ua/ua*.c only. */
#ifndef UA_UA_INT_H
#define UA_UA_INT_H

#include <srtp2/srtp.h>
#include <bzrtp/bzrtp.h>
#include "base/buf.h"
#include "base/tq.h"
#include "sip/sip.h"
#include "ua/ua.h"

#define UA_MAX_TX 48
#define UA_MAX_CALLS 16
#define UA_MAX_SRV 16
#define UA_MAX_EVENTS 256
#define UA_MAX_ROUTE 8
#define UA_T1_US 500000ull
#define UA_T2_US 4000000ull
#define UA_RTP_PTIME_US 20000ull
#define UA_RTP_PAYLOAD 160

enum ua_timer {
	UT_RETRANS = 1,		/* client transaction retransmission (A/E) */
	UT_TX_TIMEOUT,		/* Timer B/F */
	UT_RTP,			/* next RTP packet of a call */
	UT_HANGUP,		/* call duration reached */
	UT_2XX,			/* UAS 2xx retransmission until ACK (G) */
	UT_2XX_GIVEUP,		/* Timer H */
	UT_REREGISTER,
};

enum ua_call_state {
	UC_FREE = 0,
	UC_CALLING,		/* INVITE sent */
	UC_RINGING,		/* 1xx received, or we sent 180 */
	UC_UP,
	UC_CANCELLING,
	UC_ENDED,
};

/* A client transaction. */
struct ua_tx {
	int used;
	enum sip_method method;
	char branch[40];
	uint32_t cseq;
	struct buf req;		/* for retransmission and auth re-send */
	uint64_t started_us;
	uint64_t interval_us;
	uint32_t t_retrans, t_timeout;
	int auth_tried;
	int call;		/* index in calls[], -1 */
	int got_final;
	uint32_t reg_expires;
	char target[160];	/* MESSAGE/SUBSCRIBE target AOR */
};

/* A server transaction: enough to answer retransmissions. */
struct ua_srv {
	int used;
	enum sip_method method;
	char branch[80];
	struct buf last_rsp;
	struct net_addr peer;
	uint64_t conn_id;
	uint64_t at_us;
};

struct ua_call {
	enum ua_call_state state;
	uint32_t handle;
	int outgoing;
	char call_id[96];
	char ltag[24];
	char rtag[64];
	char peer[128];		/* AOR of the other party */
	char remote_uri[256];	/* remote target (Contact) */
	char route[UA_MAX_ROUTE][256];
	int nroute;
	uint32_t lcseq;
	uint32_t invite_cseq;
	int invite_tx;		/* tx index of the INVITE */
	struct ua_call_opt opt;
	char canary[128];
	char msrp_local[600];	/* our MSRP a=path offered, or "" */
	char msrp_remote[300];	/* the answer's MSRP a=path, or "" */
	uint64_t invite_at_us;
	/* UAS side: the INVITE to answer, and our 2xx */
	struct buf inv_raw;
	struct buf ok_rsp;
	struct net_addr inv_peer;
	uint64_t inv_conn;
	uint64_t ok_interval_us;
	uint32_t t_2xx, t_2xx_giveup, t_hangup, t_rtp;
	/* media */
	uint16_t rtp_port;
	struct net_addr rtp_remote;
	int have_remote;
	uint32_t ssrc, ts;
	uint16_t seq;
	int hold;
	uint8_t key_local[30], key_remote[30];
	int srtp_on;
	srtp_t srtp_tx, srtp_rx;
	/* zRTP (ua_zrtp.c) */
	struct ua *ua;
	bzrtpContext_t *zrtp;
	char zrtp_hash[96];	/* ours, for a=zrtp-hash */
	char sas[16];
	int zrtp_secure;
	/* receive statistics (RFC 3550 A.1, A.8) */
	int rx_started;
	uint16_t rx_max_seq;
	uint32_t rx_cycles, rx_base_seq, rx_received;
	uint32_t rx_last_ts;
	uint64_t rx_last_arrival_us;
	double rx_jitter_us;
};

struct ua_outq {
	struct net_out out;
	uint8_t *data;
};

struct ua {
	char *user, *domain, *password, *display, *aor, *uagent;
	char *cparams;		/* appended to the Contact URI, "" if none */
	struct net_addr local, proxy, media;
	uint64_t wall_offset_us;
	struct rng rng;
	struct log *log;
	uint64_t *ev_count;	/* ua_cfg.ev_count, may be NULL */
	enum ua_answer answer;
	struct tq tq;
	uint64_t now_us;
	/* registration */
	char reg_call_id[64];
	char reg_tag[24];
	uint32_t reg_cseq;
	uint32_t reg_expires;
	/* presence */
	char pub_etag[64];
	/* digest response= of the last credentials sent (the bench audits
	 * that no store keeps it, POLICY P6) */
	char last_digest[72];
	/* tables */
	struct ua_tx tx[UA_MAX_TX];
	struct ua_srv srv[UA_MAX_SRV];
	unsigned srv_next;
	struct ua_call calls[UA_MAX_CALLS];
	uint32_t next_handle;
	uint32_t next_cseq;
	/* output queue (ring) and the item handed out last */
	struct ua_outq *outq;
	size_t outq_head, outq_n, outq_cap;
	uint8_t *out_last;
	/* events (ring) */
	struct ua_event ev[UA_MAX_EVENTS];
	size_t ev_head, ev_n;
	/* stream reassembly for SIP over TCP/TLS: one connection at a time
	 * per peer is what a UA uses */
	struct buf rx;
	uint64_t rx_conn;
	struct buf msg_rx;	/* body of the last MESSAGE received */
	struct ua_stats st;
	struct sip_msg msg;	/* scratch, too big for the stack */
};

/* ua.c */
int ua_send(struct ua *ua, const struct net_addr *src,
	    const struct net_addr *dst, uint64_t conn_id, const void *data,
	    size_t len);
void ua_emit(struct ua *ua, enum ua_ev_type t, uint16_t status, uint32_t call,
	     const char *peer, const char *detail);
void ua_timer(struct ua *ua, uint32_t *id, uint64_t at_us, int kind,
	      void *arg);
void ua_timer_stop(struct ua *ua, uint32_t *id);
void ua_rand_token(struct ua *ua, char *dst, size_t n);
struct ua_call *ua_call_find(struct ua *ua, const struct pl *call_id);
struct ua_call *ua_call_new(struct ua *ua);
void ua_call_free(struct ua *ua, struct ua_call *c);

/* ua_tx.c: requests, client transactions, digest auth */
int ua_tx_start(struct ua *ua, enum sip_method m, const struct buf *req,
		const char *branch, uint32_t cseq, int call, struct ua_tx **tp);
void ua_tx_free(struct ua *ua, struct ua_tx *t);
/* Answer a 401/407: t is freed and replaced by the re-sent request. */
int ua_tx_auth_resend(struct ua *ua, struct ua_tx *t,
		      const struct sip_msg *rsp);
void ua_tx_retrans(struct ua *ua, struct ua_tx *t);
void ua_tx_timeout(struct ua *ua, struct ua_tx *t);
void ua_on_response(struct ua *ua, const struct sip_msg *m,
		    const struct net_pkt *in);
int ua_build_request(struct ua *ua, struct buf *b, enum sip_method m,
		     const char *ruri, const char *to_uri, const char *to_tag,
		     const char *from_tag, const char *call_id, uint32_t cseq,
		     const char *branch, const struct ua_call *c,
		     const char *extra_hdrs, const char *ctype,
		     const void *body, size_t body_len);
void ua_new_branch(struct ua *ua, char *dst, size_t n);

/* ua_uas.c: requests we receive */
void ua_on_request(struct ua *ua, const struct sip_msg *m,
		   const struct net_pkt *in);
void ua_2xx_retrans(struct ua *ua, struct ua_call *c);
void ua_send_ack(struct ua *ua, struct ua_call *c, const struct sip_msg *rsp,
		 int for_2xx, const struct ua_tx *t);
int ua_send_bye(struct ua *ua, struct ua_call *c);

/* ua_media.c */
int ua_sdp_offer(struct ua *ua, struct ua_call *c, struct buf *b);
int ua_sdp_take(struct ua *ua, struct ua_call *c, const struct pl *body);
void ua_media_start(struct ua *ua, struct ua_call *c);
void ua_media_stop(struct ua *ua, struct ua_call *c);
void ua_rtp_tick(struct ua *ua, struct ua_call *c);
void ua_rtp_input(struct ua *ua, const struct net_pkt *in);
int ua_srtp_setup(struct ua_call *c);

/* ua_zrtp.c */
int ua_zrtp_init(struct ua *ua, struct ua_call *c);
void ua_zrtp_peer_hash(struct ua_call *c, const struct pl *aval);
int ua_zrtp_start(struct ua *ua, struct ua_call *c);
void ua_zrtp_tick(struct ua *ua, struct ua_call *c);
/* 1 if p was a zRTP packet (consumed), 0 if not. */
int ua_zrtp_input(struct ua *ua, struct ua_call *c, const uint8_t *p,
		  size_t len);
void ua_zrtp_fini(struct ua_call *c);

#endif
