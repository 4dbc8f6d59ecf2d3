/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay --target inproc: the MSRP re-drive's transport in
 * process (replay_msrp_int.h). The platform's MSRP relay core (ref/msrp,
 * the one refd runs) sits on the virtual network (sim/inproc) at
 * 127.0.0.10:2855/TCP, as in the scenario runner's in-process platform,
 * with an account for every user the capture AUTHed as (one password,
 * the realm of the first); each emulated end is a core on that network:
 * its client (sim/replay/rpl_msrp_cl.c) on a connection to the relay,
 * and for an end the relay dials (the conference focus) a second core
 * claiming the end's URI that answers what the relay brings. Time is the
 * network's virtual clock, so captured gaps cost nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "app/replay_msrp_int.h"
#include "base/mem.h"
#include "inproc/vnet.h"

#define PASSWORD "replay-inproc-msrp"
#define RELAY_IP "127.0.0.10"
#define MAX_EVENTS 2000000u

/* One end's core: its client (NULL once the session is over: cores stay
 * attached until the network is freed). */
struct vcore {
	struct rpl_mcl *cl;
	struct net_addr self, relay;
	bool recv;		/* answers on the connection it was dialed on */
	uint64_t conn;
	struct net_addr from;
	struct buf pend;	/* handed to the network until the next call */
	int idx;
	int *err;
};

struct vctx {
	struct vnet *v;
	struct msrp_relay *relay;
	struct net_addr raddr;
	struct msrp_net net;
	char realm[64];
	struct vcore **cores;
	size_t ncores;
	uint16_t next_port;
	int err;
};

static int vc_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct vcore *c = core;

	(void)now_us;
	if (!c->cl || !in->data)
		return 0;
	if (c->recv) {
		c->conn = in->conn_id;
		c->from = in->from;
	}
	if (rpl_mcl_input(c->cl, in->data, in->len))
		*c->err = EBADMSG;
	return 0;
}

static int vc_timeout(void *core, uint64_t now_us)
{
	(void)core;
	(void)now_us;
	return 0;
}

static int vc_output(void *core, struct net_out *out)
{
	struct vcore *c = core;
	struct buf t;

	buf_reset(&c->pend);
	if (!c->cl || !c->cl->out.len)
		return ENOENT;
	t = c->pend;		/* the client's bytes become ours to hand */
	c->pend = c->cl->out;
	c->cl->out = t;
	memset(out, 0, sizeof(*out));
	out->kind = NET_OUT_SEND;
	out->src = c->self;
	out->dst = c->recv ? c->from : c->relay;
	out->conn_id = c->recv ? c->conn : 0;
	out->data = c->pend.data;
	out->len = c->pend.len;
	return 0;
}

static uint64_t vc_deadline(void *core)
{
	(void)core;
	return UINT64_MAX;
}

static const struct core_ops vc_ops = {
	"replay msrp end", vc_input, vc_timeout, vc_output, vc_deadline,
};

static int ha1(void *arg, const struct pl *user, const struct pl *realm,
	       const char *alg, char *out, size_t sz)
{
	struct vctx *x = arg;
	struct pl an = pl_from_str(alg), l;
	enum msrp_alg a;
	char line[256];

	if (!pl_eq_str(realm, x->realm) || msrp_alg_parse(&an, &a))
		return ENOENT;
	snprintf(line, sizeof(line), "%.*s:%s:%s", PL_ARG(*user), x->realm,
		 PASSWORD);
	l = pl_from_str(line);
	return msrp_digest_hex(a, &l, out, sz);
}

static int addr(struct net_addr *a, const char *ip, uint16_t port)
{
	struct pl p = pl_from_str(ip);
	int e = net_addr_parse(&p, port, a);

	a->tp = NET_TCP;
	return e;
}

/* A new core for client cl claiming ip:port. */
static int core_new(struct vctx *x, struct rpl_mcl *cl, const char *ip,
		    uint16_t port, bool recv, struct vcore **out)
{
	struct vcore *c, **v;

	v = mem_realloc(x->cores, (x->ncores + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	x->cores = v;
	c = mem_zalloc(sizeof(*c));
	if (!c)
		return ENOMEM;
	x->cores[x->ncores++] = c;
	buf_init(&c->pend);
	c->cl = cl;
	c->recv = recv;
	c->relay = x->raddr;
	c->err = &x->err;
	if (addr(&c->self, ip, port))
		return EINVAL;
	c->idx = vnet_attach(x->v, (struct core_ref){ &vc_ops, c }, &c->self,
			     1);
	if (c->idx < 0)
		return -c->idx;
	*out = c;
	return 0;
}

static int v_open(struct mdrv *d, struct mend *e, int i, uint32_t tag,
		  char *err, size_t errsz)
{
	struct vctx *x = d->arg;
	char ip[32], sess[32];
	uint16_t port = x->next_port++, lport = x->next_port++;
	int rc;

	snprintf(ip, sizeof(ip), "127.0.0.%d", 21 + i);
	snprintf(sess, sizeof(sess), "rpl%08x%d", tag, i);
	if (e->direct) {
		rpl_mcl_init(&e->rx, ip, lport, sess, d->relay_uri, "", "", "");
		e->rx_up = true;
		e->rx.state = RPL_MCL_AUTHED;
		rc = core_new(x, &e->rx, ip, lport,
			      true, (struct vcore **)&e->vc[1]);
		if (rc)
			goto fail;
	}
	rpl_mcl_init(&e->cl, ip, e->direct ? lport : port, sess, d->relay_uri,
		     e->acct ? e->acct->user : "",
		     e->acct ? e->acct->password : "",
		     e->acct ? e->acct->domain : "");
	e->cl_up = true;
	e->want_hash = RPL_MCL_HASH_INIT;
	rc = core_new(x, &e->cl, ip, port, false, (struct vcore **)&e->vc[0]);
	if (rc)
		goto fail;
	if (e->direct)
		e->cl.state = RPL_MCL_AUTHED;	/* sends without AUTH */
	else
		rpl_mcl_auth(&e->cl);
	return 0;
fail:
	snprintf(err, errsz, "in-process end: %s", strerror(rc));
	return rc;
}

static int v_pump(struct mdrv *d, struct mend *e, uint64_t wait_us)
{
	struct vctx *x = d->arg;
	int i, j, rc;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			if (e[i].vc[j])
				vnet_kick(x->v, ((struct vcore *)e[i].vc[j])->idx);
	rc = vnet_run_until(x->v, vnet_now(x->v) + (wait_us ? wait_us : 1000),
			    MAX_EVENTS);
	if (x->err)
		return x->err;
	return rc == EOVERFLOW ? EPIPE : 0;
}

static void v_close(struct mdrv *d, struct mend *e)
{
	int j;

	(void)d;
	for (j = 0; j < 2; j++)
		if (e->vc[j])
			((struct vcore *)e->vc[j])->cl = NULL;
	if (e->cl_up)
		rpl_mcl_fini(&e->cl);
	if (e->rx_up)
		rpl_mcl_fini(&e->rx);
}

static uint64_t v_now(struct mdrv *d)
{
	return vnet_now(((struct vctx *)d->arg)->v);
}

/* Accounts for every user the capture AUTHed as; realm of the first. */
static int accounts(struct rmsrp *m, struct rpl_acct **out, size_t *n,
		    char *realm, size_t rsz)
{
	struct rpl_acct *a = NULL, *t;
	size_t i, j;
	const char *at;

	*n = 0;
	realm[0] = '\0';
	for (i = 0; i < m->scr.n; i++) {
		for (j = 0; j < 2; j++) {
			const char *u = m->scr.s[i].end[j].user;

			if (!u[0] || rpl_acct_find(a, *n, u))
				continue;
			t = mem_realloc(a, (*n + 1) * sizeof(*a));
			if (!t) {
				mem_free(a);
				return ENOMEM;
			}
			a = t;
			t = &a[(*n)++];
			memset(t, 0, sizeof(*t));
			at = strchr(u, '@');
			snprintf(t->aor, sizeof(t->aor), "%s", u);
			snprintf(t->user, sizeof(t->user), "%.*s",
				 (int)(at ? at - u : (long)strlen(u)), u);
			snprintf(t->domain, sizeof(t->domain), "%s",
				 at ? at + 1 : "");
			snprintf(t->password, sizeof(t->password), PASSWORD);
			if (!realm[0])
				snprintf(realm, rsz, "%s", t->domain);
		}
	}
	*out = a;
	return 0;
}

void rmsrp_run_inproc(struct rmsrp *m, struct rep_summary *sum,
		      const char *file, const struct rmsrp_opts *o)
{
	struct mdrv d = { .open = v_open, .pump = v_pump, .close = v_close,
			  .now = v_now, .check = "msrp inproc",
			  .pfx = "msrp_inproc" };
	struct msrp_relay_cfg rc;
	struct rmsrp_opts vo = *o;
	struct rpl_acct *a = NULL;
	struct vctx x;
	struct pl nets = PL("127.0.0.0/8");
	size_t i, na = 0;
	int e;

	memset(&x, 0, sizeof(x));
	d.arg = &x;
	rpl_mscript_finish(&m->scr);
	if (!m->scr.n)
		goto out;
	if ((e = accounts(m, &a, &na, x.realm, sizeof(x.realm))) ||
	    (e = vnet_new(&x.v, 1000000, 7)) ||
	    (e = addr(&x.raddr, RELAY_IP, MSRP_DEFAULT_PORT)) ||
	    (e = msrp_net_parse(&nets, &x.net)))
		goto fail;
	msrp_relay_cfg_defaults(&rc);
	rc.realm = x.realm[0] ? x.realm : "example.test";
	if (!x.realm[0])
		snprintf(x.realm, sizeof(x.realm), "%s", rc.realm);
	rc.ha1 = ha1;
	rc.ha1_arg = &x;
	rc.nets = &x.net;
	rc.nnets = 1;
	if ((e = msrp_relay_new(&x.relay, &rc, 11)))
		goto fail;
	e = vnet_attach(x.v, (struct core_ref){ &msrp_relay_ops, x.relay },
			&x.raddr, 1);
	if (e < 0) {
		e = -e;
		goto fail;
	}
	x.next_port = 40000;
	snprintf(d.relay_uri, sizeof(d.relay_uri), "msrp://%s:%u;tcp",
		 RELAY_IP, MSRP_DEFAULT_PORT);
	vo.accts = a;
	vo.nacct = na;
	vo.step_timeout_us = o->step_timeout_us ? o->step_timeout_us :
			     30000000u;
	rmsrp_drive(m, sum, file, &vo, &d);
	goto out;
fail:
	rep_summary_check(sum, "msrp inproc", false, "%s: the in-process "
			  "MSRP relay: %s", file, strerror(e));
out:
	vnet_free(x.v);
	msrp_relay_free(x.relay);
	for (i = 0; i < x.ncores; i++) {
		buf_fini(&x.cores[i]->pend);
		mem_free(x.cores[i]);
	}
	mem_free(x.cores);
	mem_free(a);
	rpl_mscript_fini(&m->scr);
	rpl_mscript_init(&m->scr);
}
