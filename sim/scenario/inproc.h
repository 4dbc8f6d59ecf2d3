/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process backend internals shared by be_inproc.c (platform cores,
 * store, administration, expect lines) and inproc_ua.c (the bench user
 * agents that carry the traffic verbs).
 */
#ifndef SCENARIO_INPROC_H
#define SCENARIO_INPROC_H

#include "base/net.h"
#include "base/rng.h"
#include "policy/policy.h"
#include "msrp/msrp.h"
#include "sip/proxy.h"
#include "store/store_sip.h"
#include "scenario/uas.h"
#include "scenario/topo.h"
#include "rtp/rtp.h"

struct vnet;
struct store;

struct scn_inproc {
	struct policy pol;
	int pol_ok;
	struct store *st;
	struct vnet *v;
	struct sip_proxy *px;
	struct msrp_relay *msrp;	/* the platform's MSRP relay */
	struct conf_focus *focus;	/* the conference focus */
	struct conf_chat *chat;		/* its chat rooms (MSRP) */
	struct scn_vm *vm;		/* the voicemail UA (store_verb.c) */
	struct msrp_net msrp_net;
	struct rng rng;
	struct net_addr px_addr[3];	/* udp, tcp, tls */
	struct sip_net nets[1];
	struct scn_uas uas;
	unsigned store_errors;
	struct store_sip sg;	/* proxy hooks -> ref/store */
	unsigned segment;	/* capture file number */
	int in_batch;		/* a store transaction is open */
	struct scn_topo topo;	/* link / nat lines */
	struct rtp_relay *relay;	/* the platform's media relay */
	int relay_idx;
	int relay_off;		/* this call: relay=off */
};

/*
 * inproc_net.c: the scenario's topology on the network (before any core
 * attaches), the media relay (sets pc->media), and the placement of a
 * bench device's addresses by its account. 0 or errno, err says.
 */
int scn_inproc_topo(struct scn_ctx *c, struct scn_inproc *ip, char *err,
		    size_t errsz);
int scn_inproc_media(struct scn_ctx *c, struct scn_inproc *ip,
		     struct sip_proxy_cfg *pc, char *err, size_t errsz);
int scn_inproc_place(struct scn_inproc *ip, const char *acct,
		     const struct net_addr *addrs, size_t n);
/* What the NATs dropped, for a media failure's message ("" if none). */
void scn_inproc_nat_why(struct scn_inproc *ip, char *out, size_t sz);
void scn_inproc_net_free(struct scn_inproc *ip);

/*
 * be_inproc.c: the platform's store as this backend runs it, shared with
 * the replay's in-process platform (sim/replay/rpl_vproxy.c) so both write
 * the same files the same way. store_open opens (and makes) data_dir as
 * refd does; ops (the proxy's store hooks) then write traces, CDRs,
 * MESSAGEs and the push log there and read the digest HA1s of the
 * accounts (store_sip). 0 or errno, err says.
 */
int scn_inproc_store_open(struct store **st, struct store_sip *sg,
			  struct sip_store_ops *ops, const char *data_dir,
			  char *err, size_t errsz);
/* Group commit: one transaction open (0, EIO), committed (0, EIO when
 * the commit failed; nothing open is 0). */
int scn_inproc_batch_open(struct store *st, int *in_batch);
int scn_inproc_batch_commit(struct store *st, int *in_batch);
/* An account as refctl adds it: password checked against pol (NULL: not
 * checked), hashed into sa at pol's argon2id cost (NULL: the default),
 * stored. password NULL: sa carries its hashes
 * already (many accounts, one slow argon2id). 0 or errno, err says. */
int scn_inproc_account_put(struct store *st, const struct policy *pol,
			   struct store_account *sa, const char *password,
			   char *err, size_t errsz);

#endif
