/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The platform's SIP core as the target of the in-process re-drives
 * (rpl_drive.c: calls by bench agents; rpl_vlive.c: captured messages):
 * a proxy configuration with digest auth, 127.0.0.0/8 as its only network
 * (every bench address is inside) and a seeded rng, plus the IPv4 address
 * builder both use to lay out the virtual hosts.
 *
 * Its store: with a data_dir (struct rpl_plat) the platform keeps the
 * SQLite store there exactly as the scenario inproc backend does (the same
 * code, sim/scenario/be_inproc.c): accounts provisioned into it answer the
 * digest challenges, traces, CDRs and MESSAGEs are written into it, all
 * in one transaction committed when the platform stops. Without one, the
 * user store is a password callback and CDRs are only counted.
 *
 * Its tap: with canaries (rpl_audit.h), every datagram the platform takes
 * in is read for them first, so the storage audit looks for what the
 * platform was actually sent (rewritten Contacts, digest responses to its
 * own nonces), never for what the capture held.
 */
#ifndef REPLAY_RPL_VPROXY_H
#define REPLAY_RPL_VPROXY_H

#include <stdint.h>
#include "base/core.h"
#include "base/net.h"
#include "base/rng.h"
#include "sip/proxy.h"
#include "store/store_sip.h"

struct rpl_canaries;

/* Password of user@domain, NULL when there is no such account. */
typedef const char *rpl_pw_fn(void *arg, const char *user,
			      const char *domain);

/* What the in-process platform keeps and who reads what it is sent. */
struct rpl_plat {
	const char *data_dir;	/* store under it (made); NULL: none */
	struct rpl_canaries *can;	/* tap; NULL: none */
	char err[256];		/* why the store failed */
	/* argon2id of password pwfor, kept from one platform of the run
	 * to the next (tens of ms each, by design) */
	char pwhash[128], pwfor[64];
};

struct rpl_vproxy {
	rpl_pw_fn *password;
	void *arg;
	unsigned cdrs;		/* CDRs the proxy wrote */
	struct sip_net net;
	struct rng rng;
	struct rpl_plat *plat;
	struct store *st;	/* NULL: no store */
	struct store_sip sg;
	int in_batch;
	struct sip_proxy *px;	/* the tapped core */
	uint64_t tapped;	/* datagrams the tap read */
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
/*
 * After rpl_vproxy_cfg: the store of pl (NULL or no data_dir: nothing to
 * do) opened behind pc's store hooks and a transaction begun. 0, or an
 * errno with pl->err saying why.
 */
int rpl_vproxy_store(struct rpl_vproxy *vp, struct sip_proxy_cfg *pc,
		     struct rpl_plat *pl);
/*
 * Account user@domain with password into the store (no store: nothing to
 * do; there already: kept). 0 or errno, pl->err says.
 */
int rpl_vproxy_account(struct rpl_vproxy *vp, const char *user,
		       const char *domain, const char *password,
		       uint64_t now_us);
/* The proxy px as a core for the network, tapped when pl has canaries. */
struct core_ref rpl_vproxy_core(struct rpl_vproxy *vp, struct sip_proxy *px);
/* After sip_proxy_free (it writes the CDRs of calls still up): commit,
 * close; cdrs then counts the CDRs the store took. 0, or EIO. */
int rpl_vproxy_close(struct rpl_vproxy *vp);

#endif
