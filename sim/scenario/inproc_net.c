/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The network side of the in-process and sim backends: the scenario's
 * topology (topo.h) applied to the network (sim/inproc vnet_host_set,
 * vnet_nat_add; under ns-3 the same calls build nodes and links), and the
 * platform's RTP relay (ref/rtp) as refd runs it with a [media] section:
 * the SIP core rewrites SDP to the relay, which latches each side's real
 * source, so media crosses NATs that direct media cannot.
 *
 * Addresses: the SIP core and MSRP relay are 127.0.0.10, the media relay
 * 127.0.0.20, NAT k's public side 127.9.(k+1).1; bench devices are
 * 127.1.x.y (SIP) and 127.2.x.y (media), see uas.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "inproc/vnet.h"
#include "io/io_media.h"
#include "scenario/inproc.h"

static struct net_addr ip_addr(const char *s)
{
	struct net_addr a;
	struct pl p = pl_from_str(s);

	memset(&a, 0, sizeof(a));
	net_addr_parse(&p, 0, &a);
	a.tp = NET_UDP;
	return a;
}

_Static_assert(SCN_LAN_MAX <= VNET_LAN_MAX, "every lan line needs a LAN");

static struct vnet_host_opt link_opt(const struct scn_topo *t, int link,
				     int nat)
{
	struct vnet_host_opt o;

	memset(&o, 0, sizeof(o));
	o.nat = nat;
	if (link >= 0)
		o.lan = t->links[link].lan;	/* its LAN number, or 0 */
	if (link >= 0) {
		o.delay_us = t->links[link].delay_us;
		o.jitter_us = t->links[link].jitter_us;
		o.rate_bps = t->links[link].rate_bps;
		o.loss = t->links[link].loss;
	}
	return o;
}

int scn_inproc_topo(struct scn_ctx *c, struct scn_inproc *ip, char *err,
		    size_t errsz)
{
	struct scn_topo *t = &ip->topo;
	size_t k;
	int rc;

	rc = scn_topo_build(t, c->s, err, errsz);
	if (rc)
		return rc;
	for (k = 0; k < t->nlinks; k++)
		if (t->links[k].lan && strcmp(c->be->mode, "sim")) {
			snprintf(err, errsz, "%s:%u: lan %s needs --mode sim "
				 "(a shared ns-3 CSMA segment)", c->s->file,
				 t->links[k].line, t->links[k].name);
			return EINVAL;
		}
	for (k = 0; k < t->nnats; k++) {
		char pub[32];
		struct net_addr a;
		int idx;

		snprintf(pub, sizeof(pub), "127.9.%zu.1", k + 1);
		a = ip_addr(pub);
		idx = vnet_nat_add(ip->v, t->nats[k].type,
				   t->nats[k].timeout_us, &a);
		if (idx != (int)k) {
			snprintf(err, errsz, "%s:%u: nat %s: %s", c->s->file,
				 t->nats[k].line, t->nats[k].name,
				 strerror(idx < 0 ? -idx : EINVAL));
			return idx < 0 ? -idx : EINVAL;
		}
	}
	if (t->platform_link >= 0) {
		/* the platform's access link: SIP core, MSRP and media relay */
		static const char *const hosts[] = { "127.0.0.10",
						     "127.0.0.20" };
		struct vnet_host_opt o = link_opt(t, t->platform_link, -1);

		for (k = 0; k < 2; k++) {
			struct net_addr a = ip_addr(hosts[k]);

			rc = vnet_host_set(ip->v, &a, &o);
			if (rc) {
				snprintf(err, errsz, "link %s: %s",
					 t->links[t->platform_link].name,
					 strerror(rc));
				return rc;
			}
		}
	}
	return 0;
}

int scn_inproc_place(struct scn_inproc *ip, const char *acct,
		     const struct net_addr *addrs, size_t n)
{
	const struct scn_place *p = scn_topo_find(&ip->topo, acct);
	struct vnet_host_opt o;
	size_t i;
	int rc;

	if (!p)
		return 0;
	o = link_opt(&ip->topo, p->link, p->nat);
	for (i = 0; i < n; i++) {
		rc = vnet_host_set(ip->v, &addrs[i], &o);
		if (rc)
			return rc;
	}
	return 0;
}

void scn_inproc_nat_why(struct scn_inproc *ip, char *out, size_t sz)
{
	size_t k, n = 0;

	out[0] = 0;
	for (k = 0; k < ip->topo.nnats && n < sz; k++) {
		const struct scn_nat *nt = &ip->topo.nats[k];
		struct vnet_nat_stats st;
		uint64_t drop;

		if (vnet_nat_stats(ip->v, (int)k, &st))
			continue;
		drop = st.filtered + st.unmapped + st.private_drop;
		if (!drop)
			continue;
		n += (size_t)snprintf(out + n, sz - n, "%snat %s (type=%s, "
				      "line %u) dropped %llu datagrams "
				      "(%llu filtered, %llu unmapped, %llu "
				      "to inside addresses)", n ? "; " : "",
				      nt->name, nt->type, nt->line,
				      (unsigned long long)drop,
				      (unsigned long long)st.filtered,
				      (unsigned long long)st.unmapped,
				      (unsigned long long)st.private_drop);
	}
}

/* ---- the media relay, as refd's [media] ------------------------------- */

/*
 * Ports the relay opens become claims on the network (under ns-3, bound
 * sockets); the relay's wildcard claim covers them in-process anyway.
 * Claims stay: a port freed by one call is the same relay's for the next.
 */
static void socks(struct scn_inproc *ip)
{
	struct rtp_sock_ev ev;

	while (rtp_relay_sock_event(ip->relay, &ev) == 0)
		if (ev.op == RTP_SOCK_OPEN)
			(void)vnet_claim(ip->v, ip->relay_idx, &ev.local);
}

static int m_offer(void *arg, const struct pl *call_id,
		   const struct pl *from_tag, const struct pl *sdp,
		   struct buf *out)
{
	struct scn_inproc *ip = arg;
	struct rtp_opts o;
	int rc;

	if (ip->relay_off)
		return ENOTSUP;	/* the SDP passes untouched */
	memset(&o, 0, sizeof(o));
	rc = rtp_relay_offer(ip->relay, vnet_now(ip->v), call_id, from_tag,
			     sdp, &o, out);
	socks(ip);
	return rc;
}

static int m_answer(void *arg, const struct pl *call_id,
		    const struct pl *from_tag, const struct pl *to_tag,
		    const struct pl *sdp, struct buf *out)
{
	struct scn_inproc *ip = arg;
	struct rtp_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = rtp_relay_answer(ip->relay, vnet_now(ip->v), call_id, from_tag,
			      to_tag, sdp, &o, out);
	socks(ip);
	return rc;
}

static void m_del(void *arg, const struct pl *call_id,
		  const struct pl *from_tag)
{
	struct scn_inproc *ip = arg;

	(void)from_tag;
	rtp_relay_delete(ip->relay, vnet_now(ip->v), call_id, NULL);
	socks(ip);
}

/* The call's relay figures for its CDR, as refd's io_media.c gives them. */
static int m_stats(void *arg, const struct pl *call_id,
		   const struct pl *from_tag, struct sip_cdr_media *out)
{
	struct scn_inproc *ip = arg;
	struct rtp_call_stats st;
	int rc = rtp_relay_query(ip->relay, call_id, &st);

	if (!rc)
		io_media_cdr_stats(rtp_relay_addr(ip->relay), &st, from_tag,
				   out);
	return rc;
}

int scn_inproc_media(struct scn_ctx *c, struct scn_inproc *ip,
		     struct sip_proxy_cfg *pc, char *err, size_t errsz)
{
	struct rtp_relay_cfg rc;
	struct net_addr any;
	int e;

	(void)c;
	memset(&rc, 0, sizeof(rc));
	rc.addr = ip_addr("127.0.0.20");
	rc.port_min = 40000;
	rc.port_max = 40999;
	e = rtp_relay_new(&ip->relay, &rc);
	if (e) {
		snprintf(err, errsz, "media relay: %s", strerror(e));
		return e;
	}
	any = rc.addr;
	net_addr_set_port(&any, 0);
	ip->relay_idx = vnet_attach(ip->v, (struct core_ref){
					    &rtp_relay_core_ops, ip->relay },
				    &any, 1);
	if (ip->relay_idx < 0) {
		snprintf(err, errsz, "media relay: %s",
			 strerror(-ip->relay_idx));
		return -ip->relay_idx;
	}
	pc->media.arg = ip;
	pc->media.offer = m_offer;
	pc->media.answer = m_answer;
	pc->media.del = m_del;
	pc->media.stats = m_stats;
	return 0;
}

void scn_inproc_net_free(struct scn_inproc *ip)
{
	rtp_relay_free(ip->relay);
	ip->relay = NULL;
	scn_topo_fini(&ip->topo);
}
