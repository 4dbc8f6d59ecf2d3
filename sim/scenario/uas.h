/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bench user agents of one scenario and the driver they run under.
 * A driver is four calls: the current time, attach a UA (its SIP address
 * and media address, both in cfg), kick (drain a UA's output after the
 * runner called into it) and run the network until an instant. The
 * in-process backend implements it over sim/inproc, the live backend over
 * ref/io's epoll loop on loopback sockets.
 */
#ifndef SCENARIO_UAS_H
#define SCENARIO_UAS_H

#include <stdbool.h>
#include "base/net.h"
#include "ua/ua.h"
#include "ua/msrp_ua.h"
#include "sip/proxy.h"
#include "scenario/run_int.h"

struct scn_uadrv {
	uint64_t (*now)(void *arg);
	/* Attach ua (cfg->local, cfg->media); index >= 0 or -errno. */
	int (*attach)(void *arg, struct ua *ua, const struct ua_cfg *cfg);
	void (*kick)(void *arg, int idx);
	/* Run deliveries and timers up to until_us; 0 or errno. */
	int (*run_until)(void *arg, uint64_t until_us);
	int64_t wall_offset_us;	/* UA wall clock = now + offset */
	/* Attach another client core (MSRP) at addr; index or -errno.
	 * NULL: the mode has none. */
	int (*attach_core)(void *arg, struct core_ref core,
			   const struct net_addr *addr);
	/* What the network dropped on purpose (NATs), for the message of
	 * a call whose media did not flow; NULL: nothing to say. */
	void (*why_lost)(void *arg, char *out, size_t sz);
};

enum scn_ua_role {
	SCN_UA_DEVICE = 0,	/* registered device of an account */
	SCN_UA_CALLER,		/* one call's calling device */
	SCN_UA_OTHER,		/* a one-off sender (SUBSCRIBE, MESSAGE) */
};

struct scn_ua {
	char acct[64];
	enum scn_ua_role role;
	struct ua *ua;
	int idx;		/* driver index */
	bool registered;
	char sas[64];		/* zRTP SAS of its last secured call, "" none */
	bool zrtp_failed;
};

/*
 * One HTTP request to the platform's XCAP / file server as account a
 * (live: digest auth with a's password; in process: as the
 * authenticated user). *status and the body (appended to out) on 0; an
 * errno with err set when the request could not be made at all.
 */
typedef int (scn_http_fn)(void *arg, const struct scn_acct *a,
			  const char *method, const char *path,
			  const char *ctype, const uint8_t *body, size_t len,
			  int *status, struct buf *out, char *err,
			  size_t errsz);

struct scn_uas {
	const struct scn_uadrv *drv;
	void *arg;
	struct scn_ua *ua;
	size_t nua;
	struct net_addr proxy[3];	/* the platform: udp, tcp, tls */
	struct net_addr msrp[2];	/* its MSRP relay: tcp, tls (port 0:
					 * none in this mode) */
	struct ua_msrp **chat;		/* MSRP clients made for chat steps */
	size_t nchat;
	scn_http_fn *http;	/* NULL: the mode has no HTTP service */
	void *http_arg;
	unsigned addr_base;	/* UA k gets address number addr_base + k:
				 * 0 in-process; live runs pick a block per
				 * process so two at once do not collide */
	uint16_t sip_port, media_port;	/* 0: 5060 (tls 5061), 30000 */
	/* Events queued by any of the UAs (ua_cfg.ev_count) and the count
	 * when wait_ev last drained them all: equal, no UA has any. */
	uint64_t ev_count, ev_drained;
};

/* A fresh UA of account a (role: enum scn_ua_role) whose Contact URI
 * carries cparams (may be NULL); attached to the driver. */
int scn_uas_add_cp(struct scn_ctx *c, struct scn_uas *u,
		   const struct scn_acct *a, int role, const char *via,
		   const char *cparams, struct scn_ua **out);
/* Run the network until ua reports an event in mask (1 << type) or
 * limit_us pass (ETIMEDOUT); other UAs' events are dropped. */
int scn_uas_wait(struct scn_uas *u, struct ua *ua, unsigned mask,
		 uint64_t limit_us, struct ua_event *ev);
/* message A B body=pgp (uas_pgp.c): encrypt canary to the key pair of
 * recipient acct (AOR to; *keyp, owned by the run) and send it from s;
 * then, after the 2xx, check that a registered device of acct holds a
 * MESSAGE that key decrypts to canary (EPROTO, err says why). */
struct ua_pgp;
int scn_uas_pgp_send(struct scn_ctx *c, struct scn_uas *u, struct scn_ua *s,
		     const char *acct, const char *to, const char *canary,
		     const struct ua_pgp **keyp);
int scn_uas_pgp_check(struct scn_uas *u, const char *acct,
		      const char *canary, const struct ua_pgp *key,
		      char *err, size_t errsz);
/* push A kind=call|message (uas_push.c). */
int scn_uas_push(struct scn_ctx *c, struct scn_uas *u,
		 const struct scn_traffic *t, char *err, size_t errsz);
/* A new bench UA for account a, attached to the driver. */
int scn_uas_add(struct scn_ctx *c, struct scn_uas *u,
		const struct scn_acct *a, enum scn_ua_role role,
		const char *uagent, const char *via, struct scn_ua **out);
/* The conference verb (conf_verb.c). */
int scn_conf_traffic(struct scn_ctx *c, struct scn_uas *u,
		     const struct scn_traffic *t, char *err, size_t errsz);
struct vnet;
struct conf_focus;
/* The focus on virtual network v and the proxy's static route to it. */
struct conf_chat;
/* ...and its chat rooms (*chat, freed by the caller after the focus). */
int scn_conf_inproc(struct vnet *v, const char *domain, uint64_t seed,
		    struct conf_focus **out, struct conf_chat **chat, struct sip_static_route *route,
		    char *err, size_t errsz);

/* uas_chat.c: one MSRP client of account a through the relay at r,
 * attached to the driver (*idx its driver index); owned by u->chat. */
int scn_chat_client(struct scn_ctx *c, struct scn_uas *u,
		    const struct scn_acct *a, const struct net_addr *r,
		    struct ua_msrp **out, int *idx);
/* uas_chat.c: the chat verb (MSRP, optionally OTR). */
int scn_uas_chat(struct scn_ctx *c, struct scn_uas *u,
		 const struct scn_traffic *t, char *err, size_t errsz);
/* The store verbs file, voicemail, buddies (store_verb.c). */
int scn_store_traffic(struct scn_ctx *c, struct scn_uas *u,
		      const struct scn_traffic *t, char *err, size_t errsz);
/* HTTP in process (arg: the scn_ctx of an inproc/sim run) and over
 * libcurl (arg: the struct scn_live). */
scn_http_fn scn_http_inproc;
scn_http_fn scn_http_live;
struct store;
struct scn_vm;
/* The voicemail UA on virtual network v, the proxy's failure route to it
 * for accounts with voicemail on; recordings go to st. */
int scn_vm_inproc(struct vnet *v, struct store *st, uint64_t seed,
		  const struct net_addr *proxy, struct scn_vm **out,
		  struct sip_fail_ops *fail, char *err, size_t errsz);
void scn_vm_inproc_free(struct scn_vm *v);

/* Run one traffic verb. ENOTSUP: not yet; err says why. */
int scn_uas_traffic(struct scn_ctx *c, struct scn_uas *u,
		    const struct scn_traffic *t, char *err, size_t errsz);
/*
 * Whether account name has a live registration, asked the way any SIP
 * client can: OPTIONS to its AOR from a fresh device of that account
 * (digest as usual); the platform forks it to the bindings, a device
 * answers 200; no binding gives 480/404. Nothing is stored by it (OPTIONS
 * is neither traced nor a MESSAGE). 0 with *yes, or errno with err.
 */
int scn_uas_registered(struct scn_ctx *c, struct scn_uas *u,
		       const struct scn_acct *a, int *yes, char *err,
		       size_t errsz);
/* Discard the events the UAs queued (nobody waits for them). */
void scn_uas_drain(struct scn_uas *u);
/* Free every UA (after the driver stopped using them). */
void scn_uas_free(struct scn_uas *u);

#endif
