/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic for the live backend: the bench user agents on real loopback
 * sockets, run by ref/io's epoll loop (the same driver refd uses), talking
 * to the refd under test. Each UA binds its own 127.1.x.y SIP address and
 * 127.2.x.y media ports (the whole 127/8 is loopback on Linux); waits are
 * bounded in wall time, so a platform that does not answer fails the step
 * with a timeout instead of hanging the run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "base/mem.h"
#include "io/io.h"
#include "scenario/live.h"
#include "scenario/uas.h"

#define MEDIA_PORTS 8	/* RTP ports per UA: one per concurrent call */

struct live_ua {
	struct io_loop *loop;
	struct io_core **cores;
	size_t n;
	struct scn_uas uas;
	struct scn_uadrv drv;
};

static uint64_t d_now(void *arg)
{
	(void)arg;
	return io_now_us();
}

static int d_attach(void *arg, struct ua *ua, const struct ua_cfg *cfg)
{
	struct live_ua *lu = arg;
	struct io_core **nc, *core;
	struct net_addr m;
	unsigned i;
	int rc;

	nc = mem_realloc(lu->cores, (lu->n + 1) * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	lu->cores = nc;
	rc = io_core_add(lu->loop, &ua_core_ops, ua, &core);
	if (rc)
		return -rc;
	rc = io_listen(lu->loop, core, &cfg->local, NULL);
	for (i = 0; !rc && i < MEDIA_PORTS; i++) {
		m = cfg->media;
		net_addr_set_port(&m, (uint16_t)(net_addr_port(&cfg->media) +
						 2 * i));
		rc = io_listen(lu->loop, core, &m, NULL);
	}
	if (rc)
		return -rc;
	lu->cores[lu->n] = core;
	return (int)lu->n++;
}

/* An MSRP client: no socket of its own, it dials the relay. */
static int d_attach_core(void *arg, struct core_ref core,
			 const struct net_addr *addr)
{
	struct live_ua *lu = arg;
	struct io_core **nc, *ioc;
	int rc;

	(void)addr;
	nc = mem_realloc(lu->cores, (lu->n + 1) * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	lu->cores = nc;
	rc = io_core_add(lu->loop, core.ops, core.core, &ioc);
	if (rc)
		return -rc;
	lu->cores[lu->n] = ioc;
	return (int)lu->n++;
}

static void d_kick(void *arg, int idx)
{
	struct live_ua *lu = arg;

	if (idx >= 0 && (size_t)idx < lu->n)
		io_core_flush(lu->loop, lu->cores[idx]);
}

static int d_run(void *arg, uint64_t until_us)
{
	struct live_ua *lu = arg;
	uint64_t now;
	int rc;

	while ((now = io_now_us()) < until_us) {
		uint64_t ms = (until_us - now + 999) / 1000;

		rc = io_run_once(lu->loop, (int)(ms > 20 ? 20 : ms));
		if (rc)
			return rc;
	}
	return 0;
}

static struct net_addr proxy_addr(const char *host, uint16_t port,
				  enum net_tp tp)
{
	struct net_addr a;
	char s[100];
	struct pl p;

	snprintf(s, sizeof(s), "%s:%u", host, port);
	p = pl_from_str(s);
	memset(&a, 0, sizeof(a));
	net_addr_parse(&p, 0, &a);
	a.tp = tp;
	return a;
}

static int live_ua_start(struct scn_ctx *c, struct scn_live *l, char *err,
			 size_t errsz)
{
	struct live_ua *lu = mem_zalloc(sizeof(*lu));
	struct io_opts o;
	int rc;

	if (!lu)
		return ENOMEM;
	memset(&o, 0, sizeof(o));
	if (l->tls) {
		o.tls_cert = l->cert;
		o.tls_key = l->key;
	}
	rc = io_loop_new(&lu->loop, &o, err, errsz);
	if (rc) {
		mem_free(lu);
		return rc;
	}
	lu->drv.now = d_now;
	lu->drv.attach = d_attach;
	lu->drv.kick = d_kick;
	lu->drv.run_until = d_run;
	lu->drv.attach_core = d_attach_core;
	lu->drv.wall_offset_us = io_wall_offset_us(lu->loop);
	lu->uas.drv = &lu->drv;
	lu->uas.arg = lu;
	lu->uas.proxy[0] = proxy_addr(l->host, l->port, NET_UDP);
	lu->uas.proxy[1] = proxy_addr(l->host, l->port, NET_TCP);
	lu->uas.proxy[2] = proxy_addr(l->host, (uint16_t)(l->port + 1),
				     NET_TLS);
	/* refd's MSRP relay (be_live.c writes [msrp]) */
	lu->uas.msrp[0] = proxy_addr(l->host, (uint16_t)(l->port + 6),
				    NET_TCP);
	if (l->tls)
		lu->uas.msrp[1] = proxy_addr(l->host, (uint16_t)(l->port + 2),
					     NET_TLS);
	lu->uas.http = scn_http_live;
	lu->uas.http_arg = l;
	/* Picked by be_live.c at start (free, and named in the capture
	 * filter). uas.c keeps x below 256. */
	lu->uas.addr_base = l->ua_base;
	lu->uas.sip_port = l->ua_sip;
	lu->uas.media_port = l->ua_media;
	l->ua = lu;
	(void)c;
	return 0;
}

int scn_live_traffic(struct scn_ctx *c, const struct scn_traffic *t,
		     char *err, size_t errsz)
{
	struct scn_live *l = c->be_state;
	int rc;

	if (!l->ua && (rc = live_ua_start(c, l, err, errsz)))
		return rc;
	rc = scn_uas_traffic(c, &((struct live_ua *)l->ua)->uas, t, err,
			     errsz);
	scn_uas_drain(&((struct live_ua *)l->ua)->uas);
	return rc;
}

int scn_live_registered(struct scn_ctx *c, const char *name, int *yes,
			char *err, size_t errsz)
{
	struct scn_live *l = c->be_state;
	const struct scn_acct *a = NULL;
	size_t i;
	int rc;

	for (i = 0; i < c->nacct; i++)
		if (!strcmp(c->acct[i].name, name))
			a = &c->acct[i];
	if (!a) {
		snprintf(err, errsz, "no account %s", name);
		return ENOENT;
	}
	if (!l->ua && (rc = live_ua_start(c, l, err, errsz)))
		return rc;
	rc = scn_uas_registered(c, &((struct live_ua *)l->ua)->uas, a, yes,
				err, errsz);
	scn_uas_drain(&((struct live_ua *)l->ua)->uas);
	return rc;
}

void scn_live_ua_stop(struct scn_ctx *c)
{
	struct scn_live *l = c->be_state;
	struct live_ua *lu = l ? l->ua : NULL;

	if (!lu)
		return;
	io_loop_free(lu->loop);	/* closes sockets; UAs stay ours */
	scn_uas_free(&lu->uas);
	mem_free(lu->cores);
	mem_free(lu);
	l->ua = NULL;
}
