/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct sip_store_ops on top of store.h (see store_sip.h). Field mapping
 * only: the proxy has already redacted trace bytes (a=crypto keys, digest
 * response=) and never passes REGISTER/SUBSCRIBE/NOTIFY/PUBLISH (P7, P8).
 */
#include <errno.h>
#include <string.h>
#include "store/store_sip.h"

static int ha1_get(void *arg, const char *user, const char *domain,
		   enum sip_auth_alg alg, char *hex, size_t hexsz)
{
	struct store_sip *g = arg;
	struct pl u = pl_from_str(user), d = pl_from_str(domain);

	if (alg != SIP_AUTH_MD5 && alg != SIP_AUTH_SHA256)
		return ENOENT;
	return store_account_ha1(g->st, &u, &d, alg == SIP_AUTH_SHA256 ?
				 STORE_HA1_SHA256 : STORE_HA1_MD5, hex,
				 hexsz) == 0 ? 0 : ENOENT;
}

static int user_exists(void *arg, const char *user, const char *domain)
{
	char hex[SIP_HA1_MAX];

	return ha1_get(arg, user, domain, SIP_AUTH_MD5, hex, sizeof(hex));
}

static void trace_add(void *arg, const struct sip_trace *t)
{
	struct store_sip *g = arg;
	struct store_trace r;
	char src[NET_ADDR_STRLEN] = "", dst[NET_ADDR_STRLEN] = "";
	const char *eol;

	memset(&r, 0, sizeof(r));
	r.time_us = (int64_t)t->wall_us;
	r.call_id = t->call_id;
	r.caller = t->caller;
	r.callee = t->callee;
	r.dir_out = t->outgoing;
	r.transport = pl_from_str(net_tp_name(t->tp));
	if (t->src)
		net_addr_str(t->src, src, sizeof(src));
	if (t->dst)
		net_addr_str(t->dst, dst, sizeof(dst));
	r.src = pl_from_str(src);
	r.dst = pl_from_str(dst);
	/* The start line, for listings. */
	eol = t->bytes.p ? memchr(t->bytes.p, '\r', t->bytes.len) : NULL;
	r.summary = pl_from_mem(t->bytes.p, eol ? (size_t)(eol - t->bytes.p)
				: t->bytes.len > 120 ? 120 : t->bytes.len);
	r.msg = t->bytes;
	if (store_trace_add(g->st, &r))
		g->write_errors++;
	else
		g->traces++;
}

static void cdr_write(void *arg, const struct sip_cdr *c)
{
	struct store_sip *g = arg;
	struct store_cdr r;
	int k;

	memset(&r, 0, sizeof(r));
	r.call_id = pl_from_str(c->call_id);
	r.caller = pl_from_str(c->caller);
	r.callee = pl_from_str(c->callee);
	r.setup_us = (int64_t)c->setup_us;
	r.answer_us = (int64_t)c->answer_us;
	r.end_us = (int64_t)c->end_us;
	r.duration_ms = c->duration_ms;
	r.status = c->status;
	r.hangup_by = pl_from_str(c->hangup);
	r.caller_sig = pl_from_str(c->caller_sig);
	r.callee_sig = pl_from_str(c->callee_sig);
	r.caller_media = pl_from_str(c->caller_media);
	r.callee_media = pl_from_str(c->callee_media);
	r.caller_ua = pl_from_str(c->caller_ua);
	r.callee_ua = pl_from_str(c->callee_ua);
	r.kind = pl_from_str(c->kind);
	for (k = 0; c->media.present && k < 2; k++) {
		r.relay[k] = pl_from_str(c->media.relay[k]);
		r.packets[k] = (int64_t)c->media.packets[k];
		r.bytes[k] = (int64_t)c->media.bytes[k];
		r.lost[k] = c->media.lost[k];
		r.jitter_us[k] = c->media.jitter_us[k];
	}
	if (store_cdr_add(g->st, &r))
		g->write_errors++;
	else
		g->cdrs++;
}

static int message_store(void *arg, const struct sip_message_rec *m)
{
	struct store_sip *g = arg;
	struct store_msg r;
	int e;

	memset(&r, 0, sizeof(r));
	r.time_us = (int64_t)m->wall_us;
	r.sender = m->from;
	r.recipient = m->to;
	r.content_type = m->ctype;
	r.body = m->body;
	e = store_msg_add(g->st, &r, m->id_out);
	if (!e)
		g->messages++;
	return e;
}

/* A wake-up where no gateway is wired (the bench's in-process platform):
 * logged with status 0, "not sent". refd replaces this hook with its
 * push worker, which POSTs and then logs the gateway's status. The
 * device token (prid) is never logged. */
static void push_log(void *arg, const struct sip_push *p)
{
	struct store_sip *g = arg;
	struct store_push r;

	memset(&r, 0, sizeof(r));
	r.time_us = (int64_t)p->wall_us;
	r.user = p->user;
	r.provider = p->provider;
	r.kind = pl_from_str(p->kind);
	if (store_push_add(g->st, &r))
		g->write_errors++;
	else
		g->pushes++;
}

struct pend {
	sip_stored_fn *fn;
	void *arg;
};

static int pend_one(void *arg, const struct store_msg *m)
{
	struct pend *pd = arg;
	struct sip_stored_msg s;

	memset(&s, 0, sizeof(s));
	s.id = m->id;
	s.from = m->sender;
	s.ctype = m->content_type;
	s.body = m->body;
	pd->fn(pd->arg, &s);
	return 0;
}

static int message_pending(void *arg, const char *aor, const char *device,
			   sip_stored_fn *fn, void *fnarg)
{
	struct store_sip *g = arg;
	struct pend pd = { fn, fnarg };
	struct pl u = pl_from_str(aor), d = pl_from_str(device);

	return store_msg_pending(g->st, &u, &d, pend_one, &pd);
}

static void message_delivered(void *arg, int64_t id, const char *device,
			      uint64_t wall_us)
{
	struct store_sip *g = arg;
	struct pl d = pl_from_str(device);

	if (store_msg_delivered(g->st, id, &d, (int64_t)wall_us))
		g->write_errors++;
	else
		g->deliveries++;
}

void store_sip_init(struct store_sip *g, struct store *st,
		    struct sip_store_ops *ops)
{
	memset(g, 0, sizeof(*g));
	g->st = st;
	ops->arg = g;
	ops->ha1_get = ha1_get;
	ops->user_exists = user_exists;
	ops->trace_add = trace_add;
	ops->cdr_write = cdr_write;
	ops->message_store = message_store;
	ops->push = push_log;
	ops->message_pending = message_pending;
	ops->message_delivered = message_delivered;
}
