/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the SIP service core shared by its files: tsx.c
 * (transactions and timers), proxy.c (input dispatch, validation, output
 * queue), proxy_route.c (forwarding, forking, response aggregation),
 * proxy_local.c (requests for us), registrar.c, auth.c, presence.c,
 * cdr.c, push_wait.c (RFC 8599), msg_sync.c (P10 multi-device) and
 * proxy_dns.c (host names via the driver). Not a public API.
 */
#ifndef SIP_PROXY_INT_H
#define SIP_PROXY_INT_H

#include "sip/proxy.h"
#include "sip/sip.h"
#include "base/tq.h"

/* a resolver key: a name and its "naptr:" or "_sips._tcp." prefix */
#define SIP_DNS_KEY (SIP_DNS_NAME + 16)

/* Timer kinds in the core's queue. */
enum {
	TM_TSX_RETX = 1,	/* A, E, G */
	TM_TSX_LIFE,		/* B, F, H, D, K, I, J, L, M */
	TM_BINDING,
	TM_CALL,
	TM_PUB,
	TM_SUB,
	TM_PUSH,
	TM_RING,		/* failure route after ring_s of ringing */
	TM_DNS,			/* a request waiting for a name lookup */
};

enum tsx_state {
	TS_TRYING = 0,		/* also client "Calling" */
	TS_PROCEEDING,
	TS_COMPLETED,
	TS_CONFIRMED,
	TS_ACCEPTED,		/* RFC 6026 */
	TS_TERMINATED,
};

struct sip_proxy;
struct tsx;
struct call;

/* Completion callback of a locally originated client transaction. */
typedef void (tsx_done_fn)(struct sip_proxy *p, struct tsx *t,
			   uint16_t scode, const struct sip_msg *rsp);

#define TSX_MAX_KIDS 16

struct tsx {
	struct tsx *hnext;		/* hash chain */
	struct tsx *prev, *next;	/* list of all */
	uint32_t hash;
	char *key;
	bool server;
	bool invite;
	enum sip_method method;
	enum tsx_state state;
	struct net_addr peer;		/* server: source; client: dst */
	struct net_addr local;
	uint64_t conn_id;
	bool rport;			/* server: answer to source port */
	uint16_t via_port;
	uint8_t *req;			/* server: request; client: as sent */
	size_t req_len;
	uint8_t *rsp;			/* server: last response sent */
	size_t rsp_len;
	uint16_t code;			/* last response code seen/sent */
	uint32_t t_retx, t_life;
	uint64_t retx_us;
	/* proxy links */
	struct tsx *parent;		/* client -> server */
	struct tsx *kids[TSX_MAX_KIDS];	/* server -> clients */
	int nkids;
	uint8_t *best;			/* server: best final, ready to send */
	size_t best_len;
	uint16_t best_code;
	bool final_sent, cancelled, any_2xx;
	bool prov_rx, cancel_pending;	/* client */
	bool cancel_sent;	/* client INVITE: its one CANCEL is out */
	int kidx;			/* client: index in parent->kids */
	uint32_t kfinal;		/* server: kids with a final */
	bool secure;			/* server: dialog must stay on TLS */
	bool push_wait;			/* server: parked for a push wake-up */
	bool dns_wait;			/* server: parked for a name lookup */
	bool dns_resumed;		/* server: routed again after one */
	struct net_addr *alts;		/* server: further RFC 3263 targets */
	uint8_t nalts, alt_next;	/* (tried on 503/408/failed conn) */
	int64_t msg_id;			/* MESSAGE: the store's id, 0: none */
	char *device;			/* client: device key of the branch */
	bool failed_over;		/* server: failure route taken */
	uint32_t t_ring;		/* server: TM_RING timer */
	char branch[64];		/* client: our branch */
	struct call *call;
	tsx_done_fn *done;		/* local client transactions */
	void *done_arg;
};

/* Output queue entry: one datagram/stream write, bytes inline. */
struct outq {
	struct outq *next;
	struct net_out out;
	size_t len;
	uint8_t data[];
};

struct binding;
struct aor;
struct pwait;
struct auth_crypto;
struct msync;
struct dns_ent;
struct dns_wait;
struct pres;
struct sub;

struct sip_proxy {
	struct sip_proxy_cfg cfg;
	char *domain;
	struct net_addr *listen;
	struct sip_net *networks;
	uint8_t *secret;
	struct tq tq;
	uint64_t now;
	/* transactions */
	struct tsx **tsx_tab;
	size_t tsx_buckets;
	struct tsx *tsx_all;
	uint32_t ntsx;
	uint64_t branch_seq;
	/* output */
	struct outq *oq_head, *oq_tail, *oq_cur;
	/* registrar */
	struct aor **aor_tab;
	size_t aor_buckets;
	/* calls (CDR/trace) */
	struct call **call_tab;
	size_t call_buckets;
	/* auth */
	struct nc_ent *nc;
	size_t nnc;
	struct bucket *lim_src, *lim_user;
	struct auth_crypto *ac;		/* auth.c: hashes fetched once */
	size_t nlim;
	/* presence */
	struct pres **pres_tab;
	size_t pres_buckets;
	struct sub *subs;
	struct sip_proxy_stats st;
	/* requests parked until a pushed device re-registers */
	struct pwait *pwaits;
	/* stored MESSAGEs in flight to a registering device */
	struct msync *msyncs;
	/* names resolved by the driver, and requests waiting for one */
	struct dns_ent *dns;
	struct dns_wait *dns_waits;
	char dns_name[SIP_DNS_KEY];	/* the key dns_get last answered
					 * EAGAIN for */
	/* the targets after the first of the last route_uri_dst() */
	struct net_addr dns_alt[SIP_DNS_MAX];
	size_t ndns_alt;
	uint32_t alt_tsx;	/* server tsx holding alternatives */
	/* scratch */
	uint64_t sub_seq;
	const char *force_tag;	/* px_reply: To tag to use (presence) */
	struct sip_msg m1, m2, m3;	/* m3: push_wait.c */
	struct conn **conn_tab;	/* stream reassembly, 256 buckets */
	struct buf sb;
};

static inline uint32_t fnv1a(const void *d, size_t n, uint32_t h)
{
	const uint8_t *p = d;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}
#define FNV_INIT 2166136261u

static inline uint64_t wall_us(const struct sip_proxy *p)
{
	return (uint64_t)((int64_t)p->now + p->cfg.wall_offset_us);
}

/* proxy.c */
int px_send(struct sip_proxy *p, const struct net_addr *src,
	    const struct net_addr *dst, uint64_t conn_id,
	    const void *data, size_t len);
bool px_dst_allowed(const struct sip_proxy *p, const struct net_addr *a);
const struct net_addr *px_local(const struct sip_proxy *p, enum net_tp tp,
				int family);
bool px_uri_is_us(const struct sip_proxy *p, const struct sip_uri *u);
bool px_host_is_us(const struct sip_proxy *p, const struct pl *host,
		   uint16_t port);
/* Respond to the request decoded in msg held by server tsx t. */
int px_reply(struct sip_proxy *p, struct tsx *t, const struct sip_msg *msg,
	     uint16_t code, const char *reason,
	     const struct sip_hdr_add *extra, size_t nextra,
	     const struct pl *ctype, const struct pl *body);
/* "user@host" of a URI into dst; a host that is us (an address of
 * ours) is written as our domain, so one user has one AOR. */
void px_aor(const struct sip_proxy *p, const struct sip_uri *u, char *dst,
	    size_t sz);
void px_tag(struct sip_proxy *p, char *dst, size_t len);

/* tsx.c */
int tsx_init(struct sip_proxy *p);
void tsx_fini(struct sip_proxy *p);
/* Server tsx for msg (not ACK). */
int tsx_srv_new(struct sip_proxy *p, const struct net_pkt *pkt,
		const struct sip_msg *msg, struct tsx **tp);
struct tsx *tsx_srv_find(struct sip_proxy *p, const struct net_pkt *pkt,
			 const struct sip_msg *msg, bool invite_for_ack_cancel);
/* Send a response through server tsx t (stores it for retransmission). */
int tsx_srv_respond(struct sip_proxy *p, struct tsx *t, const uint8_t *d,
		    size_t len, uint16_t code);
/* Client tsx: takes a copy of the request bytes and sends them. */
int tsx_cli_new(struct sip_proxy *p, enum sip_method m, const char *branch,
		const struct net_addr *dst, uint64_t conn_id,
		const uint8_t *d, size_t len, struct tsx **tp);
struct tsx *tsx_cli_find(struct sip_proxy *p, const struct sip_msg *rsp);
/* A response for client tsx t; calls proxy/local handlers. */
void tsx_cli_response(struct sip_proxy *p, struct tsx *t,
		      const struct sip_msg *rsp);
/* Restart the lifetime of a server INVITE still ringing. */
void tsx_srv_touch(struct sip_proxy *p, struct tsx *t);
/* CANCEL client INVITE t now, or after its first provisional. */
void tsx_cli_cancel(struct sip_proxy *p, struct tsx *t);
void tsx_timer(struct sip_proxy *p, int kind, void *arg);
void tsx_free(struct sip_proxy *p, struct tsx *t);
/* A stream to dst failed or closed: client tsx to it still waiting for
 * any response whose request has DNS alternatives fail now with 503
 * (RFC 3261 8.1.3.1, RFC 3263 4.3). */
void tsx_cli_conn_failed(struct sip_proxy *p, const struct net_addr *dst);
/* Destination of responses of server tsx t. */
void tsx_rsp_dst(const struct tsx *t, struct net_addr *dst);

/* proxy_route.c */
void route_request(struct sip_proxy *p, const struct net_pkt *pkt,
		   struct sip_msg *msg, struct tsx *t);
void route_ack(struct sip_proxy *p, const struct net_pkt *pkt,
	       struct sip_msg *msg);
void route_cancel(struct sip_proxy *p, struct tsx *inv, struct tsx *t,
		  const struct sip_msg *msg);
/* Branch response (rsp NULL: timeout, code 408). */
void route_branch_rsp(struct sip_proxy *p, struct tsx *kid, uint16_t code,
		      const struct sip_msg *rsp);
void route_rsp_stateless(struct sip_proxy *p, const struct sip_msg *rsp);
int route_fork(struct sip_proxy *p, struct tsx *t, struct sip_msg *msg,
	       const char *user);
/* The failure route of server INVITE t (cfg.fail): 0 when a new branch
 * went to the target, else ENOENT (none, or taken already) or an errno. */
int route_failover(struct sip_proxy *p, struct tsx *t, struct sip_msg *msg);
/* Arm the ring timer of INVITE t for user when it has a failure route
 * (cfg.fail.ring_s); route_ring is its expiry. */
void route_ring_arm(struct sip_proxy *p, struct tsx *t, const char *user);
void route_ring(struct sip_proxy *p, struct tsx *t);
void route_kid_gone(struct tsx *kid);
/* RFC 3263 4.3: send server tsx t's request to its next DNS target
 * after branch kid failed (503, timeout, connection): 0 when a new
 * branch left, else ENOENT (none left) or an errno. */
int route_alt(struct sip_proxy *p, struct tsx *t);
/* Destination of a sip/sips URI (IP literal, or a name: dns_resolve,
 * the other targets kept in p->dns_alt). EPERM (clear transport for a
 * secure request), EACCES (outside networks), EHOSTUNREACH, EAGAIN (being
 * looked up), EPROTONOSUPPORT. */
int route_uri_dst(struct sip_proxy *p, const struct sip_uri *u,
		  bool secure, struct net_addr *dst);
/* The static route whose prefix starts user, or NULL. */
const struct sip_static_route *route_static(const struct sip_proxy *p,
					    const struct pl *user);
/* Whether a packet from src comes from a static route's server. */
bool route_static_src(const struct sip_proxy *p, const struct net_addr *src);

/* registrar.c */
int reg_init(struct sip_proxy *p);
void reg_fini(struct sip_proxy *p);
void reg_register(struct sip_proxy *p, const struct net_pkt *pkt,
		  struct sip_msg *msg, struct tsx *t);
void reg_timer(struct sip_proxy *p, void *arg);
/* A stream connection closed: its bindings fall back to their contact. */
void reg_conn_closed(struct sip_proxy *p, uint64_t conn_id);

struct reg_target {
	char uri[256];
	struct net_addr dst;
	uint64_t conn_id;
	/* RFC 8599 push parameters of the binding's Contact ("" if none) */
	char pn_provider[64];
	char pn_prid[256];
	char pn_param[128];
	char device[80];	/* +sip.instance, or "ct-" + URI hash */
	bool fresh;		/* the binding was new in this REGISTER */
};
/* Up to max live bindings of user; returns the count. */
size_t reg_lookup(struct sip_proxy *p, const char *user,
		  struct reg_target *out, size_t max);
/*
 * An in-dialog request whose target (dst, from URI u) is the Contact of a
 * registered binding goes where that binding's REGISTER came from: behind
 * a NAT the Contact is a private address and only the flow reaches it
 * (what Kamailio's nathelper does by rewriting the Contact). dst and
 * conn_id are replaced; ENOENT leaves them.
 */
int reg_flow(struct sip_proxy *p, const struct sip_uri *u,
	     struct net_addr *dst, uint64_t *conn_id);

/* auth.c */
int auth_init(struct sip_proxy *p);
void auth_fini(struct sip_proxy *p);
/* 0: authenticated as the From (or To for REGISTER) user; otherwise a
 * challenge or refusal was sent on t and EACCES is returned. */
int auth_check(struct sip_proxy *p, const struct net_pkt *pkt,
	       const struct sip_msg *msg, struct tsx *t);

/* presence.c */
int pres_init(struct sip_proxy *p);
void pres_fini(struct sip_proxy *p);
void pres_subscribe(struct sip_proxy *p, const struct net_pkt *pkt,
		    struct sip_msg *msg, struct tsx *t);
void pres_publish(struct sip_proxy *p, const struct net_pkt *pkt,
		  struct sip_msg *msg, struct tsx *t);
void pres_timer(struct sip_proxy *p, int kind, void *arg);
bool pres_owns(struct sip_proxy *p, const struct sip_msg *msg);

/* push_wait.c (RFC 8599 on the proxy side) */
/* A call or message (kind) for local user: wake each push-capable
 * binding through the push hook. Returns the number of live bindings;
 * *npush: how many of them are push-capable (0 without a push hook). */
size_t pn_request(struct sip_proxy *p, const char *user, const char *kind,
		  size_t *npush);
/* Park server tsx t until a binding of user is refreshed (then it is
 * forked) or push_wait_s pass (480). false: not parked (ENOMEM). */
bool pn_park(struct sip_proxy *p, struct tsx *t, const char *user);
/* A REGISTER refreshed user's bindings: fork the parked requests. */
void pn_registered(struct sip_proxy *p, const char *user);
/* CANCEL of a parked INVITE: 487. false if t was not parked. */
bool pn_cancel(struct sip_proxy *p, struct tsx *t);
void pn_timer(struct sip_proxy *p, void *arg);
/* t is being freed. */
void pn_drop(struct sip_proxy *p, struct tsx *t);
void pn_fini(struct sip_proxy *p);

/* msg_sync.c (P10 multi-device sync) */
/* A device of user (re)registered: send it what is stored for it. */
void msync_register(struct sip_proxy *p, const char *user,
		    const struct reg_target *tg);
/* A forwarded stored MESSAGE got a 2xx on branch kid. */
void msync_live(struct sip_proxy *p, const struct tsx *kid);
void msync_fini(struct sip_proxy *p);

/* proxy_dns.c: next hops that are host names (RFC 3263) */
/* The destinations of host-name URI u in try order (RFC 3263 4, RFC
 * 2782 with cfg.rng; only TLS ones when secure; only allowed networks):
 * 0 with *n >= 1, EAGAIN (lookup asked now or in flight: dns_park),
 * EHOSTUNREACH (does not resolve, or no resolver), EPERM (only clear
 * transports for a secure request), EACCES (none allowed). */
int dns_resolve(struct sip_proxy *p, const struct sip_uri *u, bool secure,
		struct net_addr *dst, size_t max, size_t *n);
/* Give server tsx t the alternatives of the last route_uri_dst(). */
void dns_alt_keep(struct sip_proxy *p, struct tsx *t);
/* t is being freed: its alternatives go. */
void dns_alt_drop(struct sip_proxy *p, struct tsx *t);
/* Park server tsx t until name resolves (then routed again). */
bool dns_park(struct sip_proxy *p, struct tsx *t, const char *name);
void dns_timer(struct sip_proxy *p, void *arg);
void dns_drop(struct sip_proxy *p, struct tsx *t);
void dns_fini(struct sip_proxy *p);
/* proxy_local.c: a request whose Request-URI is us. */
void route_local(struct sip_proxy *p, const struct net_pkt *pkt,
		 struct sip_msg *msg, struct tsx *t);

/* cdr.c */
int cdr_init(struct sip_proxy *p);
void cdr_fini(struct sip_proxy *p);
/* Whether msg belongs to an INVITE dialog (P6 trace scope). */
bool cdr_traced(const struct sip_msg *msg);
void cdr_trace(struct sip_proxy *p, const struct sip_msg *msg, bool out,
	       enum net_tp tp, const struct net_addr *src,
	       const struct net_addr *dst);
/* Initial INVITE forwarded: start a call. */
struct call *cdr_call_start(struct sip_proxy *p, const struct net_pkt *pkt,
			    const struct sip_msg *msg);
/* Initial INVITE refused before forwarding (404, 480, 403...). */
void cdr_call_refused(struct sip_proxy *p, const struct net_pkt *pkt,
		      const struct sip_msg *msg, uint16_t code);
void cdr_call_final(struct sip_proxy *p, struct call *c, uint16_t code,
		    const struct sip_msg *rsp, const struct net_addr *from);
void cdr_bye(struct sip_proxy *p, const struct sip_msg *msg);
/* ACK of a call's 2xx seen: the call is set up. */
void cdr_ack(struct sip_proxy *p, const struct sip_msg *msg);
/* Forget a call started for a request that could not be forwarded (its
 * refusal writes the CDR); frees its relay session. */
void cdr_call_drop(struct sip_proxy *p, struct call *c);
void cdr_timer(struct sip_proxy *p, void *arg);
/* 0, or why the relay refused the offer: PX_E_RELAY_FULL (answer 503),
 * PX_E_BAD_SDP (488). The request must then not leave un-relayed (P12). */
#define PX_E_RELAY_FULL ENOSR
#define PX_E_BAD_SDP EMEDIUMTYPE
int cdr_media_offer(struct sip_proxy *p, const struct sip_msg *msg,
		    struct buf *out, bool *rewritten);
extern const struct sip_hdr_add px_retry_after;	/* "5" */
/* The answer for a routing error: PX_E_* codes, else 500. */
uint16_t route_err_code(int err, const char **why);
void route_err_reply(struct sip_proxy *p, struct tsx *t, struct sip_msg *msg,
		     uint16_t code, const char *why);
void cdr_media_answer(struct sip_proxy *p, const struct sip_msg *msg,
		      struct buf *out, bool *rewritten);

#endif
