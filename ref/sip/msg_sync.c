/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multi-device message sync (POLICY P10): a MESSAGE is stored for its
 * recipient and delivered once to each of the recipient's devices. A
 * device registered when the MESSAGE came gets it forwarded live and its
 * 2xx records the delivery; a device that registers later (a new binding,
 * or a push device waking up) is sent, as a new MESSAGE from the
 * platform, every stored message not yet delivered to it, and each 2xx
 * records that delivery. Devices are opaque keys (+sip.instance, or a
 * hash of the Contact URI), tracked by the store.
 *
 * The store is read synchronously through the injected hook, only when a
 * device is new or woke up; plain refreshes never touch it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

struct msync {
	struct msync *next;
	int64_t id;
	char device[80];
};

struct ctx {
	struct sip_proxy *p;
	const char *user;
	const struct reg_target *tg;
};

static void forget(struct sip_proxy *p, struct msync *m)
{
	struct msync **pp;

	for (pp = &p->msyncs; *pp; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	mem_free(m);
}

static void sync_done(struct sip_proxy *p, struct tsx *t, uint16_t code,
		      const struct sip_msg *rsp)
{
	struct msync *m = t->done_arg;

	(void)rsp;
	if (code < 200)
		return;
	t->done = NULL;	/* once */
	if (code < 300) {
		p->st.msg_sync_ok++;
		if (p->cfg.store.message_delivered)
			p->cfg.store.message_delivered(p->cfg.store.arg, m->id,
						       m->device, wall_us(p));
	}
	forget(p, m);
}

/* One stored message as a new MESSAGE to the device (RFC 3428). */
static void send_one(void *arg, const struct sip_stored_msg *s)
{
	struct ctx *c = arg;
	struct sip_proxy *p = c->p;
	const struct reg_target *tg = c->tg;
	const struct net_addr *lo = px_local(p, tg->dst.tp,
					     net_addr_family(&tg->dst));
	char branch[48], tag[17], hs[NET_ADDR_STRLEN], cid[48];
	struct msync *m;
	struct tsx *t;
	struct buf b;

	if (!lo || s->body.len > 60000)
		return;
	m = mem_zalloc(sizeof(*m));
	if (!m)
		return;
	m->id = s->id;
	snprintf(m->device, sizeof(m->device), "%s", tg->device);
	snprintf(branch, sizeof(branch), "z9hG4bKM%llx",
		 (unsigned long long)++p->branch_seq);
	px_tag(p, tag, sizeof(tag) - 1);	/* len hex digits + NUL */
	px_tag(p, cid, 16);
	net_addr_str(lo, hs, sizeof(hs));
	buf_init(&b);
	if (buf_printf(&b, "MESSAGE %s SIP/2.0\r\nVia: SIP/2.0/%s %s;"
		       "branch=%s\r\nMax-Forwards: 70\r\nFrom: <sip:%.*s>;"
		       "tag=%s\r\nTo: <sip:%s@%s>\r\nCall-ID: sync-%s-%lld\r\n"
		       "CSeq: 1 MESSAGE\r\nContent-Type: %.*s\r\n"
		       "Content-Length: %zu\r\n\r\n", tg->uri,
		       tg->dst.tp == NET_TLS ? "TLS" : tg->dst.tp == NET_TCP ?
		       "TCP" : "UDP", hs, branch, PL_ARG(s->from), tag,
		       c->user, p->domain, cid, (long long)s->id,
		       (int)(s->ctype.len ? s->ctype.len : 10),
		       s->ctype.len ? s->ctype.p : "text/plain", s->body.len) ||
	    buf_put(&b, s->body.p, s->body.len) ||
	    tsx_cli_new(p, SIP_M_MESSAGE, branch, &tg->dst, tg->conn_id,
			b.data, b.len, &t)) {
		mem_free(m);
		buf_fini(&b);
		return;
	}
	buf_fini(&b);
	m->next = p->msyncs;
	p->msyncs = m;
	t->done = sync_done;
	t->done_arg = m;
	p->st.msg_synced++;
}

void msync_register(struct sip_proxy *p, const char *user,
		    const struct reg_target *tg)
{
	struct ctx c = { p, user, tg };
	char aor[200];

	if (!p->cfg.store.message_pending || !tg->device[0])
		return;
	snprintf(aor, sizeof(aor), "%s@%s", user, p->domain);
	(void)p->cfg.store.message_pending(p->cfg.store.arg, aor, tg->device,
					   send_one, &c);
}

void msync_live(struct sip_proxy *p, const struct tsx *kid)
{
	if (kid->msg_id && kid->device && p->cfg.store.message_delivered)
		p->cfg.store.message_delivered(p->cfg.store.arg, kid->msg_id,
					       kid->device, wall_us(p));
}

void msync_fini(struct sip_proxy *p)
{
	while (p->msyncs)
		forget(p, p->msyncs);
}
