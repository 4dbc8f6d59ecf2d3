/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The platform's SIP core as the target of the in-process re-drives
 * (rpl_drive.c: calls by bench agents; rpl_vlive.c: captured messages):
 * a proxy configuration with digest auth whose user store is a password
 * callback, a CDR counter, 127.0.0.0/8 as its only network (every bench
 * address is inside) and a seeded rng, plus the IPv4 address builder both
 * use to lay out the virtual hosts.
 */
#ifndef REPLAY_RPL_VPROXY_H
#define REPLAY_RPL_VPROXY_H

#include <stdint.h>
#include "base/net.h"
#include "base/rng.h"
#include "sip/proxy.h"

/* Password of user@domain, NULL when there is no such account. */
typedef const char *rpl_pw_fn(void *arg, const char *user,
			      const char *domain);

struct rpl_vproxy {
	rpl_pw_fn *password;
	void *arg;
	unsigned cdrs;		/* CDRs the proxy wrote */
	struct sip_net net;
	struct rng rng;
};

/* UDP, AF_INET, ip and port in host order. */
struct net_addr rpl_v4(uint32_t ip, uint16_t port);

/*
 * Set vp up (password callback pw with arg, rng seeded with seed) and fill
 * pc (zeroed first) for a proxy of domain listening on *listen, auth on,
 * the nonce key nonce_secret (a string). pc points into vp, listen and
 * nonce_secret: keep them until the proxy is freed.
 */
void rpl_vproxy_cfg(struct rpl_vproxy *vp, struct sip_proxy_cfg *pc,
		    const char *domain, const struct net_addr *listen,
		    const char *nonce_secret, rpl_pw_fn *pw, void *arg,
		    uint64_t seed);

#endif
