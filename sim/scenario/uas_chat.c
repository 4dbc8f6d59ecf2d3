/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The chat verb of the bench user agents (uas.c): two MSRP clients
 * (sim/ua/msrp_ua) AUTH at the platform's MSRP relay and one sends the
 * canary along the RFC 4976 path; with otr=on the two ends first run the
 * OTR AKE (sim/ua/otr.h, libotr) over that same path and the canary goes
 * as an OTR data message, so the relay and the wire see only ciphertext.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "scenario/uas.h"
#include "ua/otr.h"

#define SLICE_US 20000ULL

/* One MSRP client of account a through the relay at r. */
int scn_chat_client(struct scn_ctx *c, struct scn_uas *ip,
		    const struct scn_acct *a, const struct net_addr *r,
		    struct ua_msrp **out, int *idx)
{
	static unsigned next_port = 46000;
	struct ua_msrp_cfg mc;
	struct ua_msrp **v;
	char sess[16];
	int rc;

	memset(&mc, 0, sizeof(mc));
	mc.user = a->name;
	mc.password = a->password;
	mc.realm = c->domain;
	mc.relay = *r;
	mc.local = *r;	/* the bench host's own address, next to the UAs */
	{
		struct pl h = PL("127.0.0.1");
		net_addr_parse(&h, 0, &mc.local);
	}
	mc.local.tp = r->tp;
	net_addr_set_port(&mc.local, (uint16_t)next_port++);
	snprintf(sess, sizeof(sess), "s%u", next_port);
	mc.session = sess;
	v = mem_realloc(ip->chat, (ip->nchat + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	ip->chat = v;
	rc = ua_msrp_new(out, &mc);
	if (rc)
		return rc;
	ip->chat[ip->nchat++] = *out;
	*idx = ip->drv->attach_core(ip->arg, (struct core_ref){ &ua_msrp_ops,
				    *out }, &mc.local);
	return *idx < 0 ? -*idx : 0;
}

/* One MSRP SEND from -> to along path; the received body into *got. */
static int msrp_xfer(struct scn_uas *ip, struct ua_msrp *from, int ifrom,
		     struct ua_msrp *to, const char *path, const char *msg,
		     struct pl *got)
{
	struct ua_msrp_stats st;
	uint64_t before;
	int i;

	ua_msrp_stats(to, &st);
	before = st.received;
	ua_msrp_send(from, ip->drv->now(ip->arg), path, "text/plain",
		     (const uint8_t *)msg, strlen(msg));
	ip->drv->kick(ip->arg, ifrom);
	for (i = 0; i < 200; i++) {
		ua_msrp_stats(to, &st);
		if (st.received > before) {
			*got = ua_msrp_last(to);
			return 0;
		}
		ip->drv->run_until(ip->arg, ip->drv->now(ip->arg) + SLICE_US);
	}
	return ETIMEDOUT;
}

struct otr_end {
	struct ua_otr *otr;
	struct ua_msrp *m;
	int idx;
	char aor[200];
	char path[1200];	/* to the other end */
};

/* Carry what x's OTR queued to y over MSRP; y's plaintext to out. */
static int otr_pump(struct scn_uas *ip, struct otr_end *x, struct otr_end *y,
		    char *out, size_t sz, int *got)
{
	char peer[128], *m, *in;
	struct pl body;
	int rc = 0, g;

	while (!rc && ua_otr_next(x->otr, &m, peer, sizeof(peer)) == 0) {
		rc = msrp_xfer(ip, x->m, x->idx, y->m, x->path, m, &body);
		mem_free(m);
		if (rc)
			break;
		in = mem_alloc(body.len + 1);
		if (!in)
			return ENOMEM;
		memcpy(in, body.p, body.len);
		in[body.len] = 0;
		rc = ua_otr_receive(y->otr, x->aor, in, out, sz, &g);
		mem_free(in);
		if (g)
			*got = 1;
	}
	return rc;
}

/*
 * chat otr=on: the two ends run the OTR AKE (libotr, v3) over the same
 * MSRP path as plain chat, then the canary goes as one OTR data message;
 * the relay and the wire see only OTR ciphertext.
 */
static int chat_otr(struct scn_ctx *c, struct scn_uas *ip,
		    const struct scn_traffic *t, struct otr_end *e, char *err,
		    size_t errsz)
{
	char out[1024] = "";
	int rc, i, got = 0;

	scn_aor(c, t->a->name, e[0].aor, sizeof(e[0].aor));
	scn_aor(c, t->b->name, e[1].aor, sizeof(e[1].aor));
	if ((rc = ua_otr_new(&e[0].otr, e[0].aor)) ||
	    (rc = ua_otr_new(&e[1].otr, e[1].aor))) {
		snprintf(err, errsz, "OTR client (libotr): %s", strerror(rc));
		return rc;
	}
	rc = ua_otr_start(e[0].otr, e[1].aor);
	for (i = 0; !rc && i < 8 && !(ua_otr_secure(e[0].otr, e[1].aor) &&
				      ua_otr_secure(e[1].otr, e[0].aor)); i++)
		if (!(rc = otr_pump(ip, &e[0], &e[1], out, sizeof(out), &got)))
			rc = otr_pump(ip, &e[1], &e[0], out, sizeof(out), &got);
	if (rc || !ua_otr_secure(e[0].otr, e[1].aor) ||
	    !ua_otr_secure(e[1].otr, e[0].aor)) {
		snprintf(err, errsz, "OTR AKE %s <-> %s over MSRP did not "
			 "complete: %s", t->a->name, t->b->name,
			 rc ? strerror(rc) : "no encrypted session");
		return rc ? rc : EPROTO;
	}
	rc = ua_otr_send(e[0].otr, e[1].aor, t->canary);
	if (!rc)
		rc = otr_pump(ip, &e[0], &e[1], out, sizeof(out), &got);
	if (rc || !got || strcmp(out, t->canary)) {
		snprintf(err, errsz, "OTR chat from %s: %s", t->a->name, rc ?
			 strerror(rc) : !got ? "no data message arrived" :
			 "decrypted text differs from what was sent");
		return rc ? rc : EPROTO;
	}
	return 0;
}

/*
 * chat A B: both clients AUTH at the platform's MSRP relay (TCP, or TLS
 * with via=tls), then A sends the canary along A's relay path, B's relay
 * path and B (RFC 4976), and B must get it byte for byte.
 */
int scn_uas_chat(struct scn_ctx *c, struct scn_uas *ip,
		   const struct scn_traffic *t, char *err, size_t errsz)
{
	const char *otr = scn_opt(t->st, "otr");
	const struct net_addr *r = &ip->msrp[!strcmp(t->via, "tls")];
	struct ua_msrp *a, *b;
	struct ua_msrp_stats sa, sb;
	char to[1200];
	int ia, ib, rc, i;
	struct pl got;

	if (!ip->drv->attach_core || !net_addr_port(r)) {
		snprintf(err, errsz, "no MSRP relay in this mode");
		return ENOTSUP;
	}
	if ((rc = scn_chat_client(c, ip, t->a, r, &a, &ia)) ||
	    (rc = scn_chat_client(c, ip, t->b, r, &b, &ib))) {
		snprintf(err, errsz, "MSRP client: %s", strerror(rc));
		return rc;
	}
	ua_msrp_auth(a, ip->drv->now(ip->arg));
	ua_msrp_auth(b, ip->drv->now(ip->arg));
	ip->drv->kick(ip->arg, ia);
	ip->drv->kick(ip->arg, ib);
	for (i = 0; i < 100; i++) {
		ua_msrp_stats(a, &sa);
		ua_msrp_stats(b, &sb);
		if (sa.authed && sb.authed)
			break;
		ip->drv->run_until(ip->arg, ip->drv->now(ip->arg) + SLICE_US);
	}
	if (!sa.authed || !sb.authed) {
		snprintf(err, errsz, "MSRP AUTH of %s refused: %u",
			 sa.authed ? t->b->name : t->a->name,
			 sa.authed ? sb.last_status : sa.last_status);
		return EPROTO;
	}
	if (otr && !strcmp(otr, "on")) {
		struct otr_end e[2];

		memset(e, 0, sizeof(e));
		e[0].m = a;
		e[0].idx = ia;
		e[1].m = b;
		e[1].idx = ib;
		snprintf(e[0].path, sizeof(e[0].path), "%s %s %s",
			 ua_msrp_use_path(a), ua_msrp_use_path(b),
			 ua_msrp_uri(b));
		snprintf(e[1].path, sizeof(e[1].path), "%s %s %s",
			 ua_msrp_use_path(b), ua_msrp_use_path(a),
			 ua_msrp_uri(a));
		rc = chat_otr(c, ip, t, e, err, errsz);
		ua_otr_free(e[0].otr);
		ua_otr_free(e[1].otr);
		return rc;
	}
	snprintf(to, sizeof(to), "%s %s %s", ua_msrp_use_path(a),
		 ua_msrp_use_path(b), ua_msrp_uri(b));
	ua_msrp_send(a, ip->drv->now(ip->arg), to, "text/plain",
		     (const uint8_t *)t->canary, strlen(t->canary));
	ip->drv->kick(ip->arg, ia);
	for (i = 0; i < 100; i++) {
		ua_msrp_stats(b, &sb);
		if (sb.received)
			break;
		ip->drv->run_until(ip->arg, ip->drv->now(ip->arg) + SLICE_US);
	}
	got = ua_msrp_last(b);
	if (!sb.received || !pl_eq_str(&got, t->canary)) {
		snprintf(err, errsz, "chat from %s: %s", t->a->name,
			 sb.received ? "content changed on the way" :
			 "never arrived (timeout)");
		return ETIMEDOUT;
	}
	return 0;
}

