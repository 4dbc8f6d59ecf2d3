/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-process backend: the platform's SIP core (ref/sip proxy,
 * registrar, presence, MESSAGE store) and its store (ref/store, SQLite
 * under a temporary data_dir, the policy file's retention) run in this
 * process with the bench user agents on the virtual network (sim/inproc),
 * deterministically for a seed. Every datagram and stream chunk is written
 * to a capture (TLS links as a sniffer sees them), audited like a live
 * capture. Administration (accounts, purchases, deletion, purge) calls the
 * store the way refctl does.
 *
 * Scenario time is the virtual clock (Unix microseconds): `advance` runs
 * the network up to the new instant, traffic moves the clock forward by
 * what it takes. What the cores do not offer yet (media relay, MSRP,
 * conferences, files, voicemail, XCAP, push, PGP, zRTP key agreement in
 * the UA) fails its step with "not supported in mode inproc yet".
 * The scenario's `link`/`nat` lines and the media relay: inproc_net.c.
 * Presence applies the presentity's XCAP pres-rules (RFC 5025) with
 * refd's code: xcap_sub_handling on this store (inproc_subh).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "base/mem.h"
#include "base/rng.h"
#include "conf/conf_focus.h"
#include "inproc/vnet.h"
#include "policy/policy.h"
#include "sip/proxy.h"
#include "store/store.h"
#include "store/store_sip.h"
#include "scenario/inproc.h"
#include "xcap/xcap.h"

/* RFC 5025: the presentity's pres-rules from the XCAP store, with refd's
 * code (xcap_sub_handling; the enums share their order, see refd.c). arg
 * is the store adapter store_sip_init gave the proxy. */
static int inproc_subh(void *arg, const char *presentity,
		       const char *watcher)
{
	struct store_sip *g = arg;

	return xcap_sub_handling(g->st, presentity, watcher);
}

static struct scn_inproc *ip_of(struct scn_ctx *c)
{
	return c->be_state;
}

/*
 * Group commit: writes of consecutive steps (a run of `account` lines, the
 * traces and CDRs of one call) share one transaction, committed before
 * anything reads the store or the files are audited.
 */
static int batch_open(struct scn_inproc *ip)
{
	return scn_inproc_batch_open(ip->st, &ip->in_batch);
}

static void batch_flush(struct scn_inproc *ip)
{
	if (ip && scn_inproc_batch_commit(ip->st, &ip->in_batch))
		ip->store_errors++;
}

/* ---- the platform's store (shared with the replay's platform) --------- */

int scn_inproc_store_open(struct store **st, struct store_sip *sg,
			  struct sip_store_ops *ops, const char *data_dir,
			  char *err, size_t errsz)
{
	int rc = store_open(st, data_dir, NULL, err, errsz);

	if (rc)
		return rc;
	/* the same adapter from the proxy's hooks to ref/store as refd's */
	store_sip_init(sg, *st, ops);
	return 0;
}

int scn_inproc_batch_open(struct store *st, int *in_batch)
{
	if (*in_batch)
		return 0;
	if (store_batch_begin(st))
		return EIO;
	*in_batch = 1;
	return 0;
}

int scn_inproc_batch_commit(struct store *st, int *in_batch)
{
	if (!*in_batch)
		return 0;
	*in_batch = 0;
	return store_batch_commit(st) ? EIO : 0;
}

int scn_inproc_account_put(struct store *st, const struct policy *pol,
			   struct store_account *sa, const char *password,
			   char *err, size_t errsz)
{
	struct store_hashes h;
	struct store_kdf kdf;
	char why[128], user[128];
	int rc;

	memset(&h, 0, sizeof(h));
	pl_strcpy(&sa->user, user, sizeof(user));
	if (password && pol && policy_password_check(pol, user, password, why,
						     sizeof(why))) {
		snprintf(err, errsz, "weak password refused: %s", why);
		return EINVAL;
	}
	/* The cost is the policy's ([passwords] hash_memory/_passes), as in
	 * refctl: the default unless the scenario's policy lowers it. */
	kdf = policy_kdf(pol);
	rc = password ? store_hash_password_kdf(sa, &h, NULL, password, &kdf)
		      : 0;
	if (!rc)
		rc = store_account_add(st, sa, NULL);
	store_hash_fini(&h);
	if (rc)
		snprintf(err, errsz, "store: %s (%s)", strerror(rc),
			 store_errmsg(st));
	return rc;
}

/* ---- the UAs' driver: the virtual network ----------------------------- */

static uint64_t d_now(void *arg)
{
	return vnet_now(((struct scn_inproc *)arg)->v);
}

static int d_attach(void *arg, struct ua *ua, const struct ua_cfg *cfg)
{
	struct scn_inproc *ip = arg;
	struct net_addr any = cfg->media;

	/* The media address with port 0 claims every RTP port of its IP. */
	net_addr_set_port(&any, 0);
	/* its account's link / nat lines, before the host joins */
	if (scn_inproc_place(ip, cfg->user, (struct net_addr[]){ cfg->local,
			     any }, 2))
		return -EBUSY;
	return vnet_attach(ip->v, (struct core_ref){ &ua_core_ops, ua },
			   (struct net_addr[]){ cfg->local, any }, 2);
}

static void d_kick(void *arg, int idx)
{
	vnet_kick(((struct scn_inproc *)arg)->v, idx);
}

static int d_run(void *arg, uint64_t until_us)
{
	return vnet_run_until(((struct scn_inproc *)arg)->v, until_us,
			      2000000);
}

/* Virtual time is Unix time: no offset. */
static int d_attach_core(void *arg, struct core_ref core,
			 const struct net_addr *addr)
{
	return vnet_attach(((struct scn_inproc *)arg)->v, core, addr, 1);
}

/* The account store's HA1 for MSRP AUTH, as refd gives its relay. */
static int msrp_ha1(void *arg, const struct pl *user, const struct pl *realm,
		    const char *alg, char *ha1, size_t sz)
{
	struct scn_inproc *ip = arg;

	return store_account_ha1(ip->st, user, realm,
				 strcmp(alg, "SHA-256") ? STORE_HA1_MD5 :
				 STORE_HA1_SHA256, ha1, sz);
}

static void d_why(void *arg, char *out, size_t sz)
{
	scn_inproc_nat_why(arg, out, sz);
}

static const struct scn_uadrv vnet_drv = { d_now, d_attach, d_kick, d_run,
					   0, d_attach_core, d_why };

/* ---- start / stop ----------------------------------------------------- */

static struct net_addr addr(const char *s, enum net_tp tp)
{
	struct net_addr a;
	struct pl p = pl_from_str(s);

	memset(&a, 0, sizeof(a));
	net_addr_parse(&p, 0, &a);
	a.tp = tp;
	return a;
}

static int ip_start_on(struct scn_ctx *c, char *err, size_t errsz, int sim)
{
	static const uint8_t secret[] = "rtcbench-inproc-nonce-key";
	struct scn_inproc *ip = mem_zalloc(sizeof(*ip));
	struct sip_proxy_cfg pc;
	char cap[700];
	int rc;

	if (!ip)
		return ENOMEM;
	c->be_state = ip;
	policy_init(&ip->pol);
	ip->pol_ok = 1;
	rc = policy_load(&ip->pol, c->policy, err, errsz);
	if (rc)
		return rc;
	memset(&pc, 0, sizeof(pc));
	rc = scn_inproc_store_open(&ip->st, &ip->sg, &pc.store, c->data_dir,
				   err, errsz);
	if (rc)
		return rc;
	rng_seed(&ip->rng, c->o->seed);
	if (sim) {
		/* the default topology of --mode sim: every host on its own
		 * 5 ms access link to one router (sim/ns3/vnet_sim.c) */
		struct vnet_sim_opt so = { 5000, 0, 0, 0, NULL };
		const char *b = strrchr(c->dir, '/');

		/* --pcap DIR: ns-3's captures DIR/<scenario>-<node>-<dev>
		 * .pcap, one per simulated device, addresses as in ns-3 */
		if (c->o->pcap_dir) {
			snprintf(cap, sizeof(cap), "%s/%s", c->o->pcap_dir,
				 b ? b + 1 : c->dir);
			so.pcap_prefix = cap;
		}
		rc = vnet_new_sim(&ip->v, (uint64_t)c->now_us, c->o->seed,
				  &so);
		if (rc == ENOTSUP)
			snprintf(err, errsz, "mode sim: built without ns-3 "
				 "(install libns3-dev and rebuild)");
	} else {
		rc = vnet_new(&ip->v, (uint64_t)c->now_us, c->o->seed);
	}
	if (rc)
		return rc;
	rc = scn_inproc_topo(c, ip, err, errsz);
	if (rc)
		return rc;
	ip->px_addr[0] = addr("127.0.0.10:5060", NET_UDP);
	ip->px_addr[1] = addr("127.0.0.10:5060", NET_TCP);
	ip->px_addr[2] = addr("127.0.0.10:5061", NET_TLS);
	ip->uas.drv = &vnet_drv;
	ip->uas.arg = ip;
	memcpy(ip->uas.proxy, ip->px_addr, sizeof(ip->px_addr));
	ip->nets[0].pfx = addr("127.0.0.0", NET_UDP);
	ip->nets[0].bits = 8;
	pc.domain = c->domain;
	pc.listen = ip->px_addr;
	pc.nlisten = 3;
	pc.networks = ip->nets;
	pc.nnetworks = 1;
	pc.auth = true;
	pc.nonce_secret = secret;
	pc.nonce_secret_len = sizeof(secret) - 1;
	pc.rng = &ip->rng;
	pc.store.sub_handling = inproc_subh;	/* as refd: RFC 5025 */
	rc = scn_inproc_media(c, ip, &pc, err, errsz);
	if (rc)
		return rc;
	rc = scn_conf_inproc(ip->v, c->domain, c->o->seed, &ip->focus,
			     &ip->chat,
			     &pc.statics[pc.nstatics++], err, errsz);
	if (rc)
		return rc;
	rc = scn_vm_inproc(ip->v, ip->st, c->o->seed, &ip->px_addr[0],
			   &ip->vm, &pc.fail, err, errsz);
	if (rc)
		return rc;
	ip->uas.http = scn_http_inproc;
	ip->uas.http_arg = c;
	rc = sip_proxy_new(&ip->px, &pc);
	if (rc) {
		snprintf(err, errsz, "SIP core: %s", strerror(rc));
		return rc;
	}
	rc = vnet_attach(ip->v, (struct core_ref){ &sip_proxy_core_ops,
			 ip->px }, ip->px_addr, 3);
	if (rc < 0) {
		snprintf(err, errsz, "vnet: %s", strerror(-rc));
		return -rc;
	}
	/* The MSRP relay on 127.0.0.10:2855 (TCP) and :2856 (TLS). */
	{
		struct msrp_relay_cfg mc;
		struct pl n = PL("127.0.0.0/8");
		struct net_addr ma[2] = { addr("127.0.0.10:2855", NET_TCP),
					  addr("127.0.0.10:2856", NET_TLS) };

		msrp_net_parse(&n, &ip->msrp_net);
		msrp_relay_cfg_defaults(&mc);
		mc.realm = c->domain;
		mc.nets = &ip->msrp_net;
		mc.nnets = 1;
		mc.ha1 = msrp_ha1;
		mc.ha1_arg = ip;
		rc = msrp_relay_new(&ip->msrp, &mc, c->o->seed);
		if (!rc && vnet_attach(ip->v, (struct core_ref){
					       &msrp_relay_ops, ip->msrp },
				       ma, 2) < 0)
			rc = EEXIST;
		if (rc) {
			snprintf(err, errsz, "MSRP relay: %s", strerror(rc));
			return rc;
		}
		ip->uas.msrp[0] = ma[0];
		ip->uas.msrp[1] = ma[1];
	}
	snprintf(cap, sizeof(cap), "%s/vnet.pcap", c->dir);
	rc = vnet_capture_open(ip->v, cap);
	if (rc) {
		snprintf(err, errsz, "%s: %s", cap, strerror(rc));
		return rc;
	}
	c->capture_ok = true;
	return scn_ctx_add_pcap(c, cap);
}

static void ip_stop(struct scn_ctx *c)
{
	struct scn_inproc *ip = ip_of(c);
	if (!ip)
		return;
	if (ip->v) {
		vnet_capture_close(ip->v);
		vnet_free(ip->v);
	}
	sip_proxy_free(ip->px);	/* writes CDRs of calls still up */
	msrp_relay_free(ip->msrp);
	scn_inproc_net_free(ip);
	conf_focus_free(ip->focus);
	conf_chat_free(ip->chat);
	scn_vm_inproc_free(ip->vm);	/* saves a recording still going */
	batch_flush(ip);
	scn_uas_free(&ip->uas);
	store_close(ip->st);
	if (ip->pol_ok)
		policy_fini(&ip->pol);
	mem_free(ip);
	c->be_state = NULL;
}

/* ---- administration, as refctl does it -------------------------------- */

static int ip_account_add(struct scn_ctx *c, const struct scn_acct *a,
			  char *err, size_t errsz)
{
	struct scn_inproc *ip = ip_of(c);
	struct store_account sa;

	if (batch_open(ip))
		return EIO;
	memset(&sa, 0, sizeof(sa));
	sa.user = pl_from_str(a->name);
	sa.domain = pl_from_str(c->domain);
	sa.email = pl_from_str(a->email);
	sa.display = pl_from_str(a->display);
	sa.voicemail = a->voicemail;
	sa.pgp = a->pgp;
	sa.created_us = c->now_us;
	return scn_inproc_account_put(ip->st, &ip->pol, &sa, a->password, err,
				      errsz);
}

static int ip_account_delete(struct scn_ctx *c, const struct scn_acct *a,
			     char *err, size_t errsz)
{
	char aor[200];
	struct pl p;
	int rc;

	batch_flush(ip_of(c));
	scn_aor(c, a->name, aor, sizeof(aor));
	p = pl_from_str(aor);
	rc = store_account_delete(ip_of(c)->st, &p, &ip_of(c)->pol, NULL);
	if (rc)
		snprintf(err, errsz, "store: %s (%s)", strerror(rc),
			 store_errmsg(ip_of(c)->st));
	return rc;
}

static int ip_purchase(struct scn_ctx *c, const struct scn_acct *a,
		       uint64_t amount, const char *name, const char *address,
		       char *err, size_t errsz)
{
	struct store_purchase p;
	char aor[200];
	int rc;

	scn_aor(c, a->name, aor, sizeof(aor));
	memset(&p, 0, sizeof(p));
	p.time_us = c->now_us;
	p.user = pl_from_str(aor);
	p.amount_cents = (int64_t)amount * 100;
	p.name = pl_from_str(name);
	p.address = pl_from_str(address);
	rc = batch_open(ip_of(c));
	if (!rc)
		rc = store_purchase_add(ip_of(c)->st, &p, NULL);
	if (rc)
		snprintf(err, errsz, "store: %s (%s)", strerror(rc),
			 store_errmsg(ip_of(c)->st));
	return rc;
}

static int ip_purge(struct scn_ctx *c, int64_t now_us, char *err,
		    size_t errsz)
{
	int rc;

	batch_flush(ip_of(c));
	rc = store_purge(ip_of(c)->st, &ip_of(c)->pol, now_us, NULL);

	if (rc)
		snprintf(err, errsz, "purge: %s (%s)", strerror(rc),
			 store_errmsg(ip_of(c)->st));
	return rc;
}

static int ip_advance(struct scn_ctx *c, int64_t now_us, char *err,
		      size_t errsz)
{
	struct scn_inproc *ip = ip_of(c);
	int rc;

	if ((uint64_t)now_us <= vnet_now(ip->v))
		return 0;
	batch_open(ip);
	rc = vnet_run_until(ip->v, (uint64_t)now_us, 50000000);
	if (rc)
		snprintf(err, errsz, "virtual network: %s (event bound hit "
			 "while advancing)", strerror(rc));
	scn_uas_drain(&ip->uas);
	return rc;
}

/* ---- expect lines ----------------------------------------------------- */

struct counter {
	const char *a, *b;
	int encrypted;
	uint64_t n;
	char seen[64][128];	/* distinct Call-IDs (traces) */
	size_t nseen;
};

static int eq(const struct pl *p, const char *s)
{
	return s && pl_eq_str(p, s);
}

static int cnt_cdr(void *arg, const struct store_cdr *r)
{
	struct counter *k = arg;

	k->n += eq(&r->caller, k->a) && eq(&r->callee, k->b);
	return 0;
}

static int cnt_trace(void *arg, const struct store_trace *t)
{
	struct counter *k = arg;
	size_t i;

	if (!eq(&t->caller, k->a))
		return 0;
	for (i = 0; i < k->nseen; i++)
		if (pl_eq_str(&t->call_id, k->seen[i]))
			return 0;
	if (k->nseen < 64)
		pl_strcpy(&t->call_id, k->seen[k->nseen++], 128);
	k->n++;
	return 0;
}

static int cnt_msg(void *arg, const struct store_msg *m)
{
	struct counter *k = arg;

	if (eq(&m->recipient, k->b) &&
	    (k->encrypted < 0 || !!m->encrypted == k->encrypted))
		k->n++;
	return 0;
}

static int ip_count_cdr(struct scn_ctx *c, const char *a, const char *b,
			uint64_t *n, char *err, size_t errsz)
{
	char aa[200], ab[200];
	struct counter k = { aa, ab, -1, 0, { { 0 } }, 0 };
	struct pl u;
	int rc;

	scn_aor(c, a, aa, sizeof(aa));
	scn_aor(c, b, ab, sizeof(ab));
	u = pl_from_str(aa);
	batch_flush(ip_of(c));
	rc = store_cdr_list(ip_of(c)->st, &u, cnt_cdr, &k);
	if (rc)
		snprintf(err, errsz, "store: %s", strerror(rc));
	*n = k.n;
	return rc;
}

static int ip_count_trace(struct scn_ctx *c, const char *a, uint64_t *n,
			  char *err, size_t errsz)
{
	struct counter k;
	char aa[200];
	struct pl u;
	int rc;

	memset(&k, 0, sizeof(k));
	scn_aor(c, a, aa, sizeof(aa));
	k.a = aa;
	u = pl_from_str(aa);
	batch_flush(ip_of(c));
	rc = store_trace_list(ip_of(c)->st, &u, cnt_trace, &k);
	if (rc)
		snprintf(err, errsz, "store: %s", strerror(rc));
	*n = k.n;
	return rc;
}

static int ip_count_message(struct scn_ctx *c, const char *b, int encrypted,
			    uint64_t *n, char *err, size_t errsz)
{
	char ab[200];
	struct counter k = { NULL, ab, encrypted, 0, { { 0 } }, 0 };
	struct pl u;
	int rc;

	scn_aor(c, b, ab, sizeof(ab));
	u = pl_from_str(ab);
	batch_flush(ip_of(c));
	rc = store_msg_list(ip_of(c)->st, &u, cnt_msg, &k);
	if (rc)
		snprintf(err, errsz, "store: %s", strerror(rc));
	*n = k.n;
	return rc;
}

static int one(void *arg, const struct store_account *a)
{
	(void)a;
	*(int *)arg = 1;
	return 0;
}

static int ip_account_exists(struct scn_ctx *c, const char *name, int *yes,
			     char *err, size_t errsz)
{
	char aa[200];
	struct pl u;
	int rc;

	scn_aor(c, name, aa, sizeof(aa));
	u = pl_from_str(aa);
	*yes = 0;
	batch_flush(ip_of(c));
	rc = store_account_get(ip_of(c)->st, &u, one, yes);
	if (rc == ENOENT)
		return 0;
	if (rc)
		snprintf(err, errsz, "store: %s", strerror(rc));
	return rc;
}

static int ip_registered(struct scn_ctx *c, const char *name, int *yes,
			 char *err, size_t errsz)
{
	(void)err;
	(void)errsz;
	*yes = sip_proxy_bindings(ip_of(c)->px, name) > 0;
	return 0;
}

static int ip_traffic(struct scn_ctx *c, const struct scn_traffic *t,
		      char *err, size_t errsz)
{
	const char *relay = scn_opt(t->st, "relay");
	int rc = batch_open(ip_of(c));

	ip_of(c)->relay_off = t->st->verb == SCN_CALL && relay &&
			      !strcmp(relay, "off");
	if (!rc)
		rc = scn_uas_traffic(c, &ip_of(c)->uas, t, err, errsz);

	c->now_us = (int64_t)vnet_now(ip_of(c)->v);
	return rc;
}

/*
 * The capture is written through stdio: close the current segment so it
 * is complete on disk, and go on in a new one (the audit reads them all).
 */
static void ip_sync(struct scn_ctx *c)
{
	struct scn_inproc *ip = ip_of(c);
	char cap[700];

	if (!ip || !ip->v)
		return;
	batch_flush(ip);
	vnet_capture_close(ip->v);
	snprintf(cap, sizeof(cap), "%s/vnet-%u.pcap", c->dir, ++ip->segment);
	if (vnet_capture_open(ip->v, cap) == 0)
		scn_ctx_add_pcap(c, cap);
}

static int ip_start(struct scn_ctx *c, char *err, size_t errsz)
{
	return ip_start_on(c, err, errsz, 0);
}

/* Everything but start is shared by inproc and sim. */
#define IP_OPS \
	.stop = ip_stop, .account_add = ip_account_add, \
	.account_delete = ip_account_delete, .purchase = ip_purchase, \
	.purge = ip_purge, .advance = ip_advance, .count_cdr = ip_count_cdr, \
	.count_trace = ip_count_trace, .count_message = ip_count_message, \
	.account_exists = ip_account_exists, .traffic = ip_traffic, \
	.registered = ip_registered, .capture_sync = ip_sync

const struct scn_be_ops scn_be_inproc = {
	.mode = "inproc",
	.start = ip_start,
	IP_OPS,
};

/*
 * --mode sim: the same cores and steps, with every datagram crossing ns-3
 * simulated links (sim/ns3/vnet_sim.c). UDP only: steps over TCP/TLS
 * time out there, naming the step.
 */
static int sim_start(struct scn_ctx *c, char *err, size_t errsz)
{
	return ip_start_on(c, err, errsz, 1);
}

const struct scn_be_ops scn_be_sim = {
	.mode = "sim",
	.start = sim_start,
	IP_OPS,
};
