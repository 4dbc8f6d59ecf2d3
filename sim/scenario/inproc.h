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
	struct msrp_net msrp_net;
	struct rng rng;
	struct net_addr px_addr[3];	/* udp, tcp, tls */
	struct sip_net nets[1];
	struct scn_uas uas;
	unsigned store_errors;
	struct store_sip sg;	/* proxy hooks -> ref/store */
	unsigned segment;	/* capture file number */
	int in_batch;		/* a store transaction is open */
};


#endif
