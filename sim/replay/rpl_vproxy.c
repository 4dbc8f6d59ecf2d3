/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-process re-drives' proxy configuration (see rpl_vproxy.h): the
 * store callbacks answer from the caller's password lookup, so the
 * closed-loop drive (one fixed password) and the message re-drive (the
 * accounts file) share the digest and CDR plumbing.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "replay/rpl_vproxy.h"

struct net_addr rpl_v4(uint32_t ip, uint16_t port)
{
	struct net_addr a;

	memset(&a, 0, sizeof(a));
	a.tp = NET_UDP;
	a.u.in.sin_family = AF_INET;
	a.u.in.sin_port = htons(port);
	a.u.in.sin_addr.s_addr = htonl(ip);
	return a;
}

static int vp_ha1(void *arg, const char *user, const char *domain,
		  enum sip_auth_alg alg, char *hex, size_t n)
{
	struct rpl_vproxy *vp = arg;
	const char *pw = vp->password(vp->arg, user, domain);

	return pw ? sip_auth_ha1(alg, user, domain, pw, hex, n) : ENOENT;
}

static int vp_exists(void *arg, const char *user, const char *domain)
{
	char hex[SIP_HA1_MAX];

	return vp_ha1(arg, user, domain, SIP_AUTH_MD5, hex, sizeof(hex));
}

static void vp_cdr(void *arg, const struct sip_cdr *c)
{
	struct rpl_vproxy *vp = arg;

	(void)c;
	vp->cdrs++;
}

void rpl_vproxy_cfg(struct rpl_vproxy *vp, struct sip_proxy_cfg *pc,
		    const char *domain, const struct net_addr *listen,
		    const char *nonce_secret, rpl_pw_fn *pw, void *arg,
		    uint64_t seed)
{
	memset(vp, 0, sizeof(*vp));
	vp->password = pw;
	vp->arg = arg;
	vp->net.pfx = rpl_v4(0x7f000000, 0);
	vp->net.bits = 8;
	rng_seed(&vp->rng, seed);
	memset(pc, 0, sizeof(*pc));
	pc->domain = domain;
	pc->listen = listen;
	pc->nlisten = 1;
	pc->networks = &vp->net;
	pc->nnetworks = 1;
	pc->auth = true;
	pc->nonce_secret = (const uint8_t *)nonce_secret;
	pc->nonce_secret_len = strlen(nonce_secret);
	pc->max_expires = 7 * 86400;
	pc->rng = &vp->rng;
	pc->store.arg = vp;
	pc->store.ha1_get = vp_ha1;
	pc->store.user_exists = vp_exists;
	pc->store.cdr_write = vp_cdr;
}
