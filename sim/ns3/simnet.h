/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A simulated-network experiment: the platform's SIP proxy core and many
 * bench UAs on ns-3 nodes. Users sit many to an access node (NS3-NOTES.md:
 * few nodes, many ports, keeps ns-3 fast), access nodes hang off one
 * router through access links (delay, jitter, loss, rate; optionally a
 * NAT), and the router reaches the platform node through a core link.
 *
 *   ua ua ua -- access0 --[access]-- (nat0) -- router --[core]-- platform
 *   ua ua ua -- access1 --[access]-- (nat1) --/
 *
 * Timeline: registrations spread over reg_spread_us, then call k (user k
 * calls user k + users/2, on another access node) starts at
 * reg_spread_us + k * call_spread_us / calls,
 * lasts call_duration_us with RTP both ways. Everything is deterministic
 * for a seed. Media flows end to end between UAs (no relay in the path).
 */
#ifndef NS3_SIMNET_H
#define NS3_SIMNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ns3/ns3.h"

struct simnet_opt {
	uint64_t seed;
	unsigned users;
	unsigned calls;			/* <= users / 2 */
	unsigned users_per_node;	/* 0: 200 */
	uint64_t reg_spread_us;		/* 0: 10 s */
	uint64_t call_spread_us;	/* 0: 5 s */
	uint64_t call_duration_us;	/* 0: 30 s */
	uint64_t end_us;		/* simulated end; 0: spreads + 2x call */
	struct ns3_link_opt access;
	struct ns3_link_opt core;
	const char *nat;		/* NULL: none, else nat.h type name */
	bool auth;			/* digest auth at the proxy */
	const char *pcap_prefix;	/* NULL: no captures */
};

struct simnet_result {
	unsigned reg_ok, reg_failed;
	unsigned calls_ok, calls_failed;
	uint64_t cdrs;
	double *setup_ms;		/* one per answered call (INVITE->200) */
	size_t nsetup;
	double setup_ms_mean, setup_ms_p50, setup_ms_p95, setup_ms_max;
	uint64_t rtp_sent, rtp_recv, rtp_expected, rtp_lost;
	double loss_pct, delay_ms_mean, jitter_ms_mean, r_factor, mos;
	uint64_t sim_events, datagrams;	/* ns-3 side: events we ran,
					 * datagrams delivered to cores */
	uint64_t nodes;
};

/*
 * Run one experiment. err gets a one-line reason on failure: EINVAL (bad
 * option, e.g. calls > users/2, unknown NAT type), ENOMEM. A topology
 * that cannot carry the calls is not an error: it shows in the result.
 */
int simnet_run(const struct simnet_opt *o, struct simnet_result *r,
	       char *err, size_t errsz);
void simnet_result_fini(struct simnet_result *r);

/*
 * ns-3 alone: the same topology and the same number of datagrams, sent by
 * plain ns-3 callbacks (no cores) and echoed back; for the overhead
 * figure. *delivered gets the datagrams delivered.
 */
int simnet_echo_baseline(const struct simnet_opt *o, uint64_t datagrams,
			 uint64_t *delivered);

#endif
