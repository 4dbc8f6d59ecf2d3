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
#include "sip/proxy.h"
#include "ua/ua.h"
#include "scenario/run_int.h"

struct vnet;
struct store;

enum scn_ua_role {
	SCN_UA_DEVICE = 0,	/* registered device of an account */
	SCN_UA_CALLER,		/* one call's calling device */
	SCN_UA_OTHER,		/* a one-off sender (SUBSCRIBE, MESSAGE) */
};

struct scn_ua {
	char acct[64];
	enum scn_ua_role role;
	struct ua *ua;
	int idx;		/* vnet core index */
	bool registered;
};

struct scn_inproc {
	struct policy pol;
	int pol_ok;
	struct store *st;
	struct vnet *v;
	struct sip_proxy *px;
	struct rng rng;
	struct net_addr px_addr[3];	/* udp, tcp, tls */
	struct sip_net nets[1];
	struct scn_ua *ua;
	size_t nua;
	unsigned store_errors;
	unsigned segment;	/* capture file number */
	int in_batch;		/* a store transaction is open */
};

/* Run one traffic verb through the bench UAs. ENOTSUP: not yet. */
int scn_inproc_traffic(struct scn_ctx *c, struct scn_inproc *ip,
		       const struct scn_traffic *t, char *err, size_t errsz);
/* Discard the events the UAs queued (nobody waits for them). */
void scn_inproc_drain(struct scn_inproc *ip);

#endif
