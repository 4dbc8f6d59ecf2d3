/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refd: the reference platform daemon. Wiring only: read and check the
 * config (SPEC.md "bin/refd -c FILE"), make data_dir, build the cores,
 * attach them to the live driver (ref/io) and run it in the foreground
 * until SIGTERM or SIGINT. Logs go to stderr.
 *
 * Every key of every section is checked before anything starts; the first
 * bad one is reported as "FILE:LINE: [section] key: reason" and refd exits
 * 2. Runtime failures (a port already taken) exit 1. SIGTERM exits 0.
 *
 * The SIP core (ref/sip/proxy.h) is built and attached in wire_sip(),
 * the MSRP relay (ref/msrp) in wire_msrp(), which opens the account store
 * for its digest AUTH, the RTP relay (and its ng control) from [media]
 * through io_media.h, its SDP hooks given to the proxy, XCAP on [xcap]
 * listen (ref/xcap, its own thread), the self-care portal on [web]
 * listen (ref/web, its own thread). The SIP core's store callbacks
 * (HA1, session traces, CDRs, messages) are adapted to ref/store here;
 * their rows are group-committed every BATCH_US by a one-timer core.
 * The retention engine (io/refd_svc.h) takes [platform] policy, checked
 * with the config, and purges at start and every [purge] within.
 * [push] gateway starts the push worker (ref/push, its own thread): the
 * proxy's push hook only queues, the worker POSTs and logs (P9).
 */
#include <errno.h>
#include <malloc.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <sys/stat.h>
#include "base/cfg.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/net.h"
#include "base/rng.h"
#include "io/io.h"
#include "io/io_media.h"
#include "io/refd_cfg.h"
#include "io/refd_svc.h"
#include "io/refd_vm.h"
#include "sip/proxy.h"
#include "msrp/msrp.h"
#include "store/store.h"
#include "store/store_sip.h"
#include "xcap/xcap.h"

/*
 * Store adapter: the SIP core's callback table (sip/proxy.h) onto the
 * store interface (store/store.h). Rows written while the loop is busy
 * share one transaction, committed at most BATCH_US after its first row.
 */
#define BATCH_US 20000

static void batch(struct refd *d)
{
	if (d->in_read) {
		(void)store_read_end(d->store);
		d->in_read = false;
	}
	if (!d->in_batch && !store_batch_begin(d->store)) {
		d->in_batch = true;
		d->batch_due = io_now_us() + BATCH_US;
	}
}

static void commit(struct refd *d)
{
	if (d->in_batch && store_batch_commit(d->store))
		LOG_W(&d->log, "store: commit: %s", store_errmsg(d->store));
	d->in_batch = false;
	if (d->in_read)
		(void)store_read_end(d->store);
	d->in_read = false;
}

/* HA1 lookups while no batch is open share a read window that ends with
 * the next commit tick (store_read_begin): one WAL read lock per BATCH_US
 * instead of one per digest check. A password changed by refctl counts
 * within BATCH_US, as a row written here is durable within it. */
static void read_window(struct refd *d)
{
	if (d->in_batch || d->in_read || store_read_begin(d->store))
		return;
	d->in_read = true;
	d->batch_due = io_now_us() + BATCH_US;
}

/* A one-timer core: commits the open batch when it is due, so a busy
 * loop does not pay one WAL commit per turn and a quiet one still
 * commits within BATCH_US. */
static int fl_input(void *c, uint64_t now, const struct net_pkt *in)
{
	(void)c;
	(void)now;
	(void)in;
	return 0;
}

static int fl_timeout(void *c, uint64_t now)
{
	struct refd *d = c;

	if ((d->in_batch || d->in_read) && now >= d->batch_due)
		commit(d);
	return 0;
}

static int fl_output(void *c, struct net_out *out)
{
	(void)c;
	(void)out;
	return ENOENT;
}

static uint64_t fl_deadline(void *c)
{
	struct refd *d = c;

	return d->in_batch || d->in_read ? d->batch_due : UINT64_MAX;
}

static const struct core_ops flush_ops = {
	.name = "store-flush",
	.input = fl_input,
	.timeout = fl_timeout,
	.output = fl_output,
	.deadline = fl_deadline,
};

/*
 * The proxy's store hooks: the store's own adapter (store_sip), with
 * every write joining the open batch and failures logged.
 */
static int st_ha1(void *arg, const char *user, const char *domain,
		  enum sip_auth_alg alg, char *hex, size_t sz)
{
	struct refd *d = arg;

	read_window(d);
	return d->sg_ops.ha1_get(&d->sg, user, domain, alg, hex, sz);
}

static int st_exists(void *arg, const char *user, const char *domain)
{
	struct refd *d = arg;

	read_window(d);
	return d->sg_ops.user_exists(&d->sg, user, domain);
}

static void st_failed(struct refd *d, uint64_t before, const char *what)
{
	if (d->sg.write_errors != before)
		LOG_W(&d->log, "store: %s: %s", what, store_errmsg(d->store));
}

static void st_trace(void *arg, const struct sip_trace *t)
{
	struct refd *d = arg;
	uint64_t e = d->sg.write_errors;

	batch(d);
	d->sg_ops.trace_add(&d->sg, t);
	st_failed(d, e, "trace");
}

static void st_cdr(void *arg, const struct sip_cdr *c)
{
	struct refd *d = arg;
	uint64_t e = d->sg.write_errors;

	batch(d);
	d->sg_ops.cdr_write(&d->sg, c);
	st_failed(d, e, "cdr");
}

static int st_msg(void *arg, const struct sip_message_rec *m)
{
	struct refd *d = arg;
	int err;

	batch(d);
	if ((err = d->sg_ops.message_store(&d->sg, m)))
		LOG_W(&d->log, "store: message: %s", store_errmsg(d->store));
	return err;
}

/* P10 sync: what a registering device is owed, and its deliveries. */
static int st_pending(void *arg, const char *aor, const char *device,
		      sip_stored_fn *fn, void *fnarg)
{
	struct refd *d = arg;

	return d->sg_ops.message_pending(&d->sg, aor, device, fn, fnarg);
}

static void st_delivered(void *arg, int64_t id, const char *device,
			 uint64_t wall)
{
	struct refd *d = arg;
	uint64_t e = d->sg.write_errors;

	batch(d);
	d->sg_ops.message_delivered(&d->sg, id, device, wall);
	st_failed(d, e, "delivery");
}

/*
 * The loop's connection never copies the WAL into the database itself:
 * a commit that crosses the auto-checkpoint size would do it inline and
 * stall calls (measured: over a second after a large purge). The
 * retention worker checkpoints every second instead (refd_svc.h).
 */
static int loop_busy(void *arg, int count)
{
	struct timespec ts = { 0, 500000 };

	(void)arg;
	/* Poll every 0.5 ms for up to 5 s: the worker's purge chunks
	 * leave short gaps (refd_svc.c) that this catches. */
	if (count >= 10000)
		return 0;
	nanosleep(&ts, NULL);
	return 1;
}

static const struct store_opts loop_store_opts = {
	.no_autocheckpoint = 1,
	.busy_fn = loop_busy,
};

/* RFC 5025: the presentity's pres-rules from the XCAP store (P5). The
 * enums share their order (xcap.h, sip/proxy.h). */
static int st_subh(void *arg, const char *presentity, const char *watcher)
{
	struct refd *d = arg;

	return xcap_sub_handling(d->store, presentity, watcher);
}

/* RFC 8599 wake-up: queued for the push worker, never waited on. The
 * worker may not exist yet (started after the signal mask): dropped. */
static void st_push(void *arg, const struct sip_push *e)
{
	struct refd *d = arg;
	struct push_req r;

	if (!d->pusher)
		return;
	memset(&r, 0, sizeof(r));
	r.user = e->user;
	r.provider = e->provider;
	r.prid = e->prid;
	r.param = e->param;
	r.kind = pl_from_str(e->kind);
	r.time_us = (int64_t)e->wall_us;
	if (push_submit(d->pusher, &r))
		LOG_W(&d->log, "push: queue full, wake-up dropped");
}

/* Host names as next hops: looked up off the loop (io_dns.h), the
 * answer handed to the SIP core, whose output is then drained. */
static void st_lookup(void *arg, const char *name)
{
	struct refd *d = arg;

	/* Too many in flight: the request waits out [the core's]
	 * dns_wait_ms and gets 404 (no re-entry into the core here). */
	if (io_dns_lookup(d->dns, name))
		LOG_W(&d->log, "dns: cannot start a lookup now");
}

static void dns_done(void *arg, const char *key,
		     const struct sip_dns_target *tg, size_t n, uint32_t ttl_s)
{
	struct refd *d = arg;

	sip_proxy_resolved_targets(d->proxy, io_now_us(), key, tg, n, ttl_s);
	io_core_flush(d->loop, d->sip);
}

/* The SIP service: the proxy core on the [sip] listeners. */
static int wire_sip(struct refd *d)
{
	struct sip_proxy_cfg pc;
	enum io_dns_mode mode;
	char serr[512];
	uint64_t seed;
	int err;

	if (!d->store && (err = store_open(&d->store, d->data_dir, &loop_store_opts, serr,
					    sizeof(serr)))) {
		LOG_E(&d->log, "store: %s", serr);
		return err;
	}

	/* Cores never draw randomness themselves: seed theirs here. The
	 * nonce secret lives for this run only, so a restart makes clients
	 * re-authenticate (stale=true), which they do on their own. */
	if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed) ||
	    getrandom(d->nonce_secret, sizeof(d->nonce_secret), 0) !=
	    (ssize_t)sizeof(d->nonce_secret))
		return errno;
	rng_seed(&d->rng, seed);
	memset(&pc, 0, sizeof(pc));
	pc.domain = d->domain;
	pc.listen = d->listen_addrs;
	pc.nlisten = d->nlisten;
	pc.networks = d->networks;
	pc.nnetworks = d->nnetworks;
	pc.auth = d->auth;
	pc.auth_sha256_first = d->sha256_first;
	pc.auth_md5_only = !d->sha256;
	pc.nonce_secret = d->nonce_secret;
	pc.nonce_secret_len = sizeof(d->nonce_secret);
	pc.max_tsx = d->max_transactions;
	pc.min_expires = (uint32_t)d->min_expires_s;
	pc.max_expires = (uint32_t)d->max_expires_s;
	pc.wall_offset_us = io_wall_offset_us(d->loop);
	pc.rng = &d->rng;
	pc.log = &d->sip_log;
	store_sip_init(&d->sg, d->store, &d->sg_ops);
	pc.store.arg = d;
	pc.store.ha1_get = st_ha1;
	pc.store.user_exists = st_exists;
	pc.store.trace_add = st_trace;
	pc.store.cdr_write = st_cdr;
	pc.store.message_store = st_msg;
	pc.store.message_pending = st_pending;
	pc.store.message_delivered = st_delivered;
	pc.store.sub_handling = st_subh;
	if (d->push) {
		pc.store.push = st_push;
		pc.push_wait_s = (uint32_t)d->push_wait_s;
	}
	/* The hooks only keep &d->mg; start_media() fills it before the
	 * loop runs. */
	if (d->media)
		io_media_sip_ops(&d->mg, &pc.media);
	refd_vm_fail_ops(d, &pc.fail);
	if (d->conf.on)
		io_conf_route(&d->conf, &pc.statics[pc.nstatics++]);
	mode = d->dns_server_set ? IO_DNS_SERVER :
	       io_dns_system_mode(d->loop);
	if (mode == IO_DNS_HOSTS)
		LOG_I(&d->log, "dns: no name server inside [sip] networks: "
		      "host names from /etc/hosts only");
	if ((err = io_dns_new(&d->dns, mode, &d->dns_server, dns_done,
			      d)) ||
	    (err = io_core_add(d->loop, &io_dns_ops, d->dns, &d->dns_core)))
		return err;
	pc.resolver.arg = d;
	pc.resolver.lookup = st_lookup;
	if ((err = sip_proxy_new(&d->proxy, &pc)) ||
	    (err = io_core_add(d->loop, &sip_proxy_core_ops, d->proxy,
			       &d->sip)))
		return err;
	/* Offers open relay ports inside the proxy's input: apply them
	 * right after each of its drains. */
	if (d->media)
		io_core_on_drain(d->sip, io_media_hook, &d->mg);
	return io_core_add(d->loop, &flush_ops, d, &d->flush);
}

/* The account store's HA1 for MSRP AUTH: "user" or "user@domain". */
static int msrp_ha1(void *arg, const struct pl *user, const struct pl *realm,
		    const char *alg, char *ha1, size_t sz)
{
	struct refd *d = arg;
	struct pl u = *user, dom = *realm;
	const char *at = pl_chr(user, '@');

	if (at) {
		u.len = (size_t)(at - user->p);
		dom = pl_from_mem(at + 1, user->len - u.len - 1);
		if (!pl_eq(&dom, realm))
			return ENOENT;	/* HA1 is bound to its realm */
	}
	return store_account_ha1(d->store, &u, &dom, strcmp(alg, "SHA-256") ?
				 STORE_HA1_MD5 : STORE_HA1_SHA256, ha1, sz);
}

/*
 * The MSRP relay (RFC 4976) on [msrp] listen: a sans-IO core on the same
 * loop; TLS comes from the loop's [sip] certificate. Digest AUTH against
 * the account store, realm = the platform domain.
 */
static int wire_msrp(struct refd *d)
{
	struct msrp_relay_cfg mc;
	uint64_t seed;
	char err[512];
	int e;

	if (!d->msrp)
		return 0;
	if (!d->store && (e = store_open(&d->store, d->data_dir, &loop_store_opts, err,
					  sizeof(err)))) {
		LOG_E(&d->log, "store: %s", err);
		return e;
	}
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		return errno;
	msrp_relay_cfg_defaults(&mc);
	mc.realm = d->domain;
	mc.host = d->msrp_host;
	mc.max_sessions = d->msrp_max_sessions;
	mc.nets = d->msrp_nets;
	mc.nnets = d->nmsrp_nets;
	mc.ha1 = msrp_ha1;
	mc.ha1_arg = d;
	mc.log = &d->log;
	if ((e = msrp_relay_new(&d->msrp_relay, &mc, seed)) ||
	    (e = io_core_add(d->loop, &msrp_relay_ops, d->msrp_relay,
			     &d->msrp_core)))
		return e;
	if (io_listen_spec(d->loop, d->msrp_core, d->msrp_listen, err,
			   sizeof(err))) {
		cfg_fail(&d->cfg, "msrp", "listen", "%s", err);
		fprintf(stderr, "%s\n", d->cfg.err);
		return EADDRINUSE;
	}
	LOG_I(&d->log, "msrp relay on %s", d->msrp_listen);
	return 0;
}

static void commit_cb(void *arg)
{
	commit(arg);
}

/*
 * The retention engine on the SIP core's store connection: one purge now,
 * before anything is served, then every [purge] within on the loop.
 */
static int start_retention(struct refd *d)
{
	char err[512];

	d->ret.store = d->store;
	d->ret.log = &d->log;
	d->ret.wall_off_us = io_wall_offset_us(d->loop);
	d->ret.before = commit_cb;
	d->ret.arg = d;
	(void)refd_retention_run(&d->ret, io_now_us());
	if (refd_retention_thread(&d->ret, d->data_dir, err, sizeof(err)))
		LOG_W(&d->log, "retention: %s; purging on the loop", err);
	return io_core_add(d->loop, &refd_retention_ops, &d->ret,
			   &d->ret_core);
}

/*
 * [xcap] listen: the XCAP server (RFC 4825, P5) and the /files store
 * (P11) under libmicrohttpd in its own thread, with its own store
 * connection; digest realm = the HA1 realm, quota from the policy.
 */
static int start_xcap(struct refd *d)
{
	struct xcap_http_cfg xc = { 0 };
	char err[512];

	if (!d->xcap)
		return 0;
	xc.listen = cfg_get(&d->cfg, "xcap", "listen");
	xc.data_dir = d->data_dir;
	xc.domain = d->domain;
	xc.realm = d->realm;
	xc.file_quota = d->ret.pol.file_quota_bytes;
	if (xcap_http_start(&d->xcap_http, &xc, err, sizeof(err))) {
		cfg_fail(&d->cfg, "xcap", "listen", "%s", err);
		fprintf(stderr, "%s\n", d->cfg.err);
		return EXIT_RUNTIME;
	}
	LOG_I(&d->log, "xcap on http://%s (port %u)", xc.listen,
	      (unsigned)xcap_http_port(d->xcap_http));
	return 0;
}

/* [push] gateway: the push worker with its own store connection. */
static int start_push(struct refd *d)
{
	struct push_cfg pc = { 0 };
	char err[512];

	if (!d->push)
		return 0;
	pc.gateway_url = d->push_gateway;
	pc.data_dir = d->data_dir;
	pc.timeout_ms = (uint32_t)d->push_timeout_s * 1000;
	pc.queue_max = d->push_queue;
	if (push_start(&d->pusher, &pc, err, sizeof(err))) {
		cfg_fail(&d->cfg, "push", "gateway", "%s", err);
		fprintf(stderr, "%s\n", d->cfg.err);
		return EXIT_RUNTIME;
	}
	LOG_I(&d->log, "push gateway %s (wait %llus)", d->push_gateway,
	      (unsigned long long)d->push_wait_s);
	return 0;
}

/*
 * [web] listen: the self-care portal (issue 9) under libmicrohttpd in its
 * own thread with its own store connection (web_http.c says why), HTTPS
 * with the checked certificate, codes e-mailed through [mail].
 */
static int start_web(struct refd *d)
{
	struct web_http_cfg wc = { 0 };
	char err[512];

	if (!d->web)
		return 0;
	wc.listen = cfg_get(&d->cfg, "web", "listen");
	wc.data_dir = d->data_dir;
	wc.tls_cert = d->web_cert;
	wc.tls_key = d->web_key;
	wc.smtp_url = d->mail_smtp;
	wc.mail_from = d->mail_from;
	wc.web.domain = d->domain;
	wc.web.realm = d->realm;
	wc.web.operators = d->web_operators;
	wc.web.session_s = d->web_session_s;
	wc.web.pol = &d->ret.pol;
	if (web_http_start(&d->web_http, &wc, err, sizeof(err))) {
		cfg_fail(&d->cfg, "web", "listen", "%s", err);
		fprintf(stderr, "%s\n", d->cfg.err);
		return EXIT_RUNTIME;
	}
	LOG_I(&d->log, "web portal on %s://%s (port %u)",
	      wc.tls_cert ? "https" : "http", wc.listen,
	      (unsigned)web_http_port(d->web_http));
	return 0;
}

/* The RTP relay and its ng control port from [media] (io_media.h). */
static int start_media(struct refd *d)
{
	char err[256] = "";
	int e;

	if (!d->media)
		return 0;
	e = io_media_start(&d->mg, d->loop, &d->cfg, &d->io_log, err,
			   sizeof(err));
	if (!e)
		return 0;
	if (e != EINVAL)
		cfg_fail(&d->cfg, "media", "ng_listen", "%s", err);
	fprintf(stderr, "%s\n", d->cfg.err);
	return e == EINVAL ? EXIT_CONFIG : EXIT_RUNTIME;
}

/* [conference]: the focus core, behind the proxy's static route. */
static int start_conf(struct refd *d)
{
	char err[256] = "";
	uint64_t seed;

	if (!d->conf.on)
		return 0;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		return EXIT_RUNTIME;
	if (io_conf_start(&d->conf, d->loop, d->domain,
			  io_wall_offset_us(d->loop), seed, err, sizeof(err))) {
		cfg_fail(&d->cfg, "conference", "listen", "%s", err);
		fprintf(stderr, "%s\n", d->cfg.err);
		return EXIT_RUNTIME;
	}
	LOG_I(&d->log, "conference focus for %s*@%s on %s, RTP %u-%u",
	      d->conf.prefix, d->domain, cfg_get(&d->cfg, "conference",
						 "listen"),
	      (unsigned)d->conf.port_lo, (unsigned)d->conf.port_hi);
	return 0;
}

static int start(struct refd *d)
{
	struct io_opts o = { 0 };
	char err[512];
	size_t i;
	int e;

	o.log = &d->io_log;
	o.max_conns = d->max_connections;
	o.idle_timeout_us = d->idle_timeout_s * 1000000ull;
	o.wq_max = (size_t)d->write_queue;
	o.tls_cert = d->tls_cert;
	o.tls_key = d->tls_key;
	o.tls_ca = d->tls_ca;
	o.tls_verify_client = d->tls_verify_client;
	o.tls_verify_server = d->tls_verify_server;
	if ((e = io_loop_new(&d->loop, &o, err, sizeof(err)))) {
		cfg_fail(&d->cfg, "sip", d->tls_cert ? "tls_cert" : "listen",
			 "%s", err);
		fprintf(stderr, "%s\n", d->cfg.err);
		return e == EINVAL ? EXIT_CONFIG : EXIT_RUNTIME;
	}
	for (i = 0; i < d->nnetworks; i++)
		io_allow_add(d->loop, &d->networks[i].pfx,
			     d->networks[i].bits);
	if ((e = wire_sip(d))) {
		LOG_E(&d->log, "SIP core: %s", strerror(e));
		return EXIT_RUNTIME;
	}
	if (io_listen_spec(d->loop, d->sip, d->listen, err, sizeof(err))) {
		cfg_fail(&d->cfg, "sip", "listen", "%s", err);
		fprintf(stderr, "%s\n", d->cfg.err);
		return EXIT_RUNTIME;
	}
	if ((e = start_media(d)))
		return e;
	if ((e = refd_vm_start(d)))
		return e;
	if ((e = start_conf(d)))
		return e;
	if ((e = start_retention(d))) {
		LOG_E(&d->log, "retention engine: %s", strerror(e));
		return EXIT_RUNTIME;
	}
	if ((e = wire_msrp(d))) {
		if (e != EADDRINUSE)
			LOG_E(&d->log, "cannot start the MSRP relay: %s",
			      strerror(e));
		return EXIT_RUNTIME;
	}
	if (io_signals(d->loop, NULL, NULL)) {
		LOG_E(&d->log, "cannot take signals: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	/* Service threads after io_signals: they inherit its blocked
	 * mask, so SIGTERM reaches the loop's signalfd, not a thread. */
	if ((e = start_xcap(d)) || (e = start_push(d)) ||
	    (e = start_web(d)))
		return e;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: refd -c FILE\n"
		   "  runs the reference SIP platform in the foreground;\n"
		   "  exit 0 on SIGTERM, 2 on a bad config, 1 on a runtime "
		   "error\n");
}

int main(int argc, char **argv)
{
	static struct refd d;
	int rc = EXIT_CONFIG, e;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "-c")) {
		usage(stderr);
		return 2;
	}
	/* Measured under perf proxy: glibc gave freed heap back with brk
	 * and faulted fresh zeroed pages in again many times a second;
	 * keep up to 64 MiB of it. SQLite without allocation statistics
	 * (store.h). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
	(void)store_global_init();
	log_init(&d.log, "refd", LOG_INFO);
	if (cfg_load(&d.cfg, argv[2]) ||
	    cfg_check(&d.cfg, refd_keys, refd_nkeys) ||
	    refd_check_platform(&d) || refd_check_sip(&d) || refd_check_services(&d)) {
		fprintf(stderr, "%s\n", d.cfg.err);
		goto out;
	}
	d.log.level = d.level;
	log_init(&d.io_log, "io", d.sip_level);
	log_init(&d.sip_log, "sip", d.sip_level);
	if ((e = refd_make_dir(d.data_dir))) {
		cfg_fail(&d.cfg, "platform", "data_dir", "cannot create '%s': "
			 "%s", d.data_dir, strerror(e));
		fprintf(stderr, "%s\n", d.cfg.err);
		goto out;
	}
	if ((rc = start(&d)))
		goto out;
	LOG_I(&d.log, "serving %s on %s", d.domain, d.listen);
	if ((e = io_run(d.loop))) {
		LOG_E(&d.log, "event loop: %s", strerror(e));
		rc = EXIT_RUNTIME;
		goto out;
	}
	/* Bytes queued for slow stream peers get a moment to leave. */
	if (io_shutdown(d.loop, 2000))
		LOG_W(&d.log, "some connections still had bytes queued");
	refd_log_stats(&d);
	LOG_I(&d.log, "stopped");
	rc = 0;
out:
	io_loop_free(d.loop);
	io_dns_free(d.dns);
	xcap_http_stop(d.xcap_http);
	push_stop(d.pusher);	/* flushes: queued wake-ups are sent */
	web_http_stop(d.web_http);
	/* After the sockets: writes the CDR of calls still up, then
	 * commits the last batch. */
	sip_proxy_free(d.proxy);
	io_media_stop(&d.mg);	/* after the proxy: it deletes calls */
	refd_vm_stop(&d);	/* saves recordings still going */
	if (d.store)
		commit(&d);
	msrp_relay_free(d.msrp_relay);
	store_close(d.store);
	refd_retention_fini(&d.ret);
	cfg_fini(&d.cfg);
	return rc;
}
