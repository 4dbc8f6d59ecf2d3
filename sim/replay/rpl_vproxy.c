/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-process re-drives' platform (see rpl_vproxy.h): without a store
 * the hooks answer from the caller's password lookup, so the closed-loop
 * drive (one fixed password) and the message re-drive (the accounts file)
 * share the digest and CDR plumbing; with one, the scenario backend's
 * store code takes the hooks over. The tap is a core wrapped around the
 * proxy's: input is read for canaries, then handed on untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "replay/rpl_audit.h"
#include "replay/rpl_vproxy.h"
#include "scenario/inproc.h"
#include "store/store.h"

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

int rpl_vproxy_store(struct rpl_vproxy *vp, struct sip_proxy_cfg *pc,
		     struct rpl_plat *pl)
{
	char err[200];
	int e;

	vp->plat = pl;
	if (!pl || !pl->data_dir)
		return 0;
	e = scn_inproc_store_open(&vp->st, &vp->sg, &pc->store, pl->data_dir,
				  err, sizeof(err));
	if (!e && scn_inproc_batch_open(vp->st, &vp->in_batch))
		e = EIO;
	if (e)
		snprintf(pl->err, sizeof(pl->err), "platform store %s: %s",
			 pl->data_dir, err[0] && e != EIO ? err :
			 strerror(e));
	return e;
}

static int one(void *arg, const struct store_account *a)
{
	(void)a;
	*(int *)arg = 1;
	return 0;
}

int rpl_vproxy_account(struct rpl_vproxy *vp, const char *user,
		       const char *domain, const char *password,
		       uint64_t now_us)
{
	struct rpl_plat *pl = vp->plat;
	struct store_account sa;
	struct store_hashes h;
	char aor[300], md5[SIP_HA1_MAX], sha[SIP_HA1_MAX], err[200];
	struct pl p;
	int e, there = 0;

	if (!vp->st)
		return 0;	/* a store is only ever opened through pl */
	snprintf(aor, sizeof(aor), "%s@%s", user, domain);
	p = pl_from_str(aor);
	if (!store_account_get(vp->st, &p, one, &there) && there)
		return 0;	/* an earlier capture of this run made it */
	memset(&sa, 0, sizeof(sa));
	sa.user = pl_from_str(user);
	sa.domain = pl_from_str(domain);
	sa.created_us = (int64_t)now_us;
	/*
	 * argon2id is slow by design (tens of ms): one per password and
	 * run, every account of that password gets the string; the HA1s
	 * that digest reads are each account's own.
	 */
	if (!pl->pwhash[0] || strcmp(pl->pwfor, password)) {
		e = store_hash_password(&sa, &h, password);
		if (!e) {
			snprintf(pl->pwhash, sizeof(pl->pwhash), "%s",
				 h.pwhash);
			snprintf(pl->pwfor, sizeof(pl->pwfor), "%s",
				 password);
		}
		store_hash_fini(&h);
		if (e)
			goto out;
	}
	if ((e = sip_auth_ha1(SIP_AUTH_MD5, user, domain, password, md5,
			      sizeof(md5))) ||
	    (e = sip_auth_ha1(SIP_AUTH_SHA256, user, domain, password, sha,
			      sizeof(sha))))
		goto out;
	sa.ha1_md5 = pl_from_str(md5);
	sa.ha1_sha256 = pl_from_str(sha);
	sa.pwhash = pl_from_str(pl->pwhash);
	e = scn_inproc_account_put(vp->st, NULL, &sa, NULL, err, sizeof(err));
	if (e == EEXIST)
		e = 0;
	if (e)
		snprintf(pl->err, sizeof(pl->err), "account %.120s: %.120s",
			 aor, err);
	return e;
out:
	snprintf(pl->err, sizeof(pl->err), "account %.120s: %s", aor,
		 strerror(e));
	return e;
}

/* ---- the tap ---------------------------------------------------------- */

static int tap_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct rpl_vproxy *vp = core;
	const uint8_t *p = in->data;

	if (p && in->len) {
		vp->tapped++;
		/* RTP's version bits (10) are no letter a SIP message
		 * starts with */
		if (in->len >= 12 && (p[0] >> 6) == 2)
			rpl_canaries_rtp(vp->plat->can, p, in->len);
		else
			rpl_canaries_sip(vp->plat->can, p, in->len);
	}
	return sip_proxy_core_ops.input(vp->px, now_us, in);
}

static int tap_timeout(void *core, uint64_t now_us)
{
	return sip_proxy_core_ops.timeout(((struct rpl_vproxy *)core)->px,
					  now_us);
}

static int tap_output(void *core, struct net_out *out)
{
	return sip_proxy_core_ops.output(((struct rpl_vproxy *)core)->px,
					 out);
}

static uint64_t tap_deadline(void *core)
{
	return sip_proxy_core_ops.deadline(((struct rpl_vproxy *)core)->px);
}

static const struct core_ops tap_ops = {
	"replay-tap", tap_input, tap_timeout, tap_output, tap_deadline
};

struct core_ref rpl_vproxy_core(struct rpl_vproxy *vp, struct sip_proxy *px)
{
	vp->px = px;
	if (!vp->plat || !vp->plat->can)
		return (struct core_ref){ &sip_proxy_core_ops, px };
	return (struct core_ref){ &tap_ops, vp };
}

int rpl_vproxy_close(struct rpl_vproxy *vp)
{
	int e = 0;

	if (!vp->st)
		return 0;
	if (scn_inproc_batch_commit(vp->st, &vp->in_batch))
		e = EIO;
	vp->cdrs = (unsigned)vp->sg.cdrs;
	if (vp->sg.write_errors)
		e = EIO;
	store_close(vp->st);
	vp->st = NULL;
	return e;
}
