/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network topology of a scenario, from its `link` and `nat` lines:
 *
 *   link NAME [ACCOUNT...] [delay=D] [jitter=D] [loss=P] [rate=R]
 *   nat NAME ACCOUNT... [type=full|address|port|symmetric] [timeout=D]
 *
 * A link lists the accounts whose devices sit on it (their access link);
 * a link listing nobody is the platform's own access link. A nat puts the
 * listed accounts' devices behind one NAT box (RFC 4787 behaviour from
 * sim/ns3/nat.h). The topology is fixed for the whole run, wherever the
 * lines are. The parser validates it (ranges, an account on two links or
 * behind two NATs, a NAT nobody is behind) so that every mode sees only a
 * topology that routes; --mode sim builds it in ns-3, --mode inproc in
 * the virtual network, live refuses it. `lan NAME ACCOUNT...` (sim only)
 * is a link shared by its accounts' devices; a scenario has at most
 * SCN_LAN_MAX of them. Members are bounded by the line (64 words); a
 * segment's 254 addresses (the router's, then two per device: SIP and
 * media) are counted when devices join, and a full one fails that step
 * with ENOSPC.
 */
#ifndef SCENARIO_TOPO_H
#define SCENARIO_TOPO_H

#include <stddef.h>
#include <stdint.h>
#include "scenario/scn.h"

struct scn_link {
	const char *name;	/* borrowed from the scenario */
	unsigned line;
	uint64_t delay_us, jitter_us, rate_bps;	/* rate 0: unlimited */
	double loss;		/* 0 .. 0.99, per direction */
	int lan;		/* a `lan` line: one shared segment (sim),
				 * numbered 1..SCN_LAN_MAX in file order;
				 * 0: a link */
};
/* `lan` lines one scenario may have: what the sim network holds
 * (VNET_LAN_MAX, checked where both are in sight: inproc_net.c). */
#define SCN_LAN_MAX 32

struct scn_nat {
	const char *name;
	unsigned line;
	const char *type;	/* nat.h name: full address port symmetric */
	uint64_t timeout_us;
};

/* Where one account's devices are: indexes, -1 for none. */
struct scn_place {
	const char *acct;
	int link, nat;
};

struct scn_topo {
	struct scn_link *links;
	size_t nlinks;
	struct scn_nat *nats;
	size_t nnats;
	struct scn_place *place;
	size_t nplace;
	int platform_link;	/* link listing nobody, -1 if none */
};

/*
 * Collect and check the topology of s. EBADMSG with "FILE:LINE: reason"
 * in err, ENOMEM. t is empty (no lines) for most scenarios.
 */
int scn_topo_build(struct scn_topo *t, const struct scn *s, char *err,
		   size_t errsz);
void scn_topo_fini(struct scn_topo *t);
/* Placement of an account, NULL when it has none. */
const struct scn_place *scn_topo_find(const struct scn_topo *t,
				      const char *acct);

/* "5%" / "0.05" -> 0.05; EINVAL, ERANGE (>= 100 %). */
int scn_loss_parse(const char *s, double *out);
/* "64kbps", "2Mbps", "1Gbps", "128000" (bit/s); EINVAL, ERANGE. */
int scn_rate_parse(const char *s, uint64_t *bps);

#endif
