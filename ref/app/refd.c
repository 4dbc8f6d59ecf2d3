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
 * The SIP core is attached in wire_sip(). Until it exists the listeners
 * are bound to a sink (io_core_add with NULL ops): they accept and
 * discard, and the counts are logged at exit. Sections [media], [msrp],
 * [xcap] and [web] are checked but their services are not wired here yet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <sys/stat.h>
#include "base/cfg.h"
#include "base/rng.h"
#include "sip/proxy.h"
#include "store/store.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/net.h"
#include "io/io.h"

#define EXIT_CONFIG 2
#define EXIT_RUNTIME 1
#define MAX_NETWORKS 64

/* Every permitted key. Add yours here, then check it in a check_*(). */
static const struct cfg_key keys[] = {
	{ "platform", "domain" },
	{ "platform", "data_dir" },
	{ "platform", "policy" },
	{ "platform", "log_level" },
	{ "sip", "listen" },
	{ "sip", "tls_cert" },
	{ "sip", "tls_key" },
	{ "sip", "tls_ca" },
	{ "sip", "tls_verify_client" },
	{ "sip", "tls_verify_server" },
	{ "sip", "auth" },
	{ "sip", "realm" },
	{ "sip", "log_level" },
	{ "sip", "networks" },
	{ "sip", "max_transactions" },
	{ "sip", "max_connections" },
	{ "sip", "idle_timeout" },
	{ "sip", "write_queue" },
	{ "sip", "min_expires" },
	{ "sip", "max_expires" },
	{ "media", "address" },
	{ "media", "ports" },
	{ "media", "ng_listen" },
	{ "msrp", "listen" },
	{ "xcap", "listen" },
	{ "web", "listen" },
	{ "web", "tls_cert" },
	{ "web", "tls_key" },
};

struct prefix {
	struct net_addr a;
	unsigned bits;
};

struct refd {
	struct cfg cfg;
	struct log log, io_log;
	const char *domain, *data_dir, *policy, *realm;
	enum log_level level, sip_level;
	/* [sip] */
	const char *listen, *tls_cert, *tls_key, *tls_ca;
	int tls_verify_client, tls_verify_server, auth;
	struct prefix networks[MAX_NETWORKS];
	size_t nnetworks;
	uint32_t max_transactions, max_connections;
	uint64_t idle_timeout_s, write_queue, min_expires_s, max_expires_s;
	/* optional services */
	bool media, msrp, xcap, web;
	struct net_addr media_addr;
	uint32_t media_lo, media_hi;
	/* runtime */
	struct io_loop *loop;
	struct io_core *sip;
	struct sip_proxy *proxy;
	struct store *store;
	bool in_batch;
	uint64_t batch_due;
	struct io_core *flush;
	struct rng rng;
	struct log sip_log;
	uint8_t secret[32];
	struct net_addr lis[16];
	size_t nlis;
	struct sip_net nets[MAX_NETWORKS];
};

static int required(struct refd *d, const char *sec, const char *key,
		    const char **out)
{
	const char *v = cfg_get(&d->cfg, sec, key);

	if (!v || !*v)
		return cfg_fail(&d->cfg, sec, key, "required");
	*out = v;
	return 0;
}

static int readable(struct refd *d, const char *sec, const char *key)
{
	const char *v = cfg_get(&d->cfg, sec, key);

	if (v && access(v, R_OK))
		return cfg_fail(&d->cfg, sec, key, "cannot read '%s': %s", v,
				strerror(errno));
	return 0;
}

static int level(struct refd *d, const char *sec, enum log_level *out)
{
	const char *v = cfg_get(&d->cfg, sec, "log_level");

	if (v && log_level_parse(v, out))
		return cfg_fail(&d->cfg, sec, "log_level",
				"'%s': use err, warn, info or debug", v);
	return 0;
}

/* A DNS name: labels of letters, digits and '-', dot-separated. */
static bool domain_ok(const char *s)
{
	size_t lab = 0;

	if (!*s || strlen(s) > 253)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!lab)
				return false;
			lab = 0;
		} else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
			   || (*s >= '0' && *s <= '9') || *s == '-') {
			if (++lab > 63)
				return false;
		} else {
			return false;
		}
	}
	return lab > 0;
}

static int check_platform(struct refd *d)
{
	int err;

	if ((err = required(d, "platform", "domain", &d->domain)))
		return err;
	if (!domain_ok(d->domain))
		return cfg_fail(&d->cfg, "platform", "domain",
				"'%s' is not a domain name", d->domain);
	if ((err = required(d, "platform", "data_dir", &d->data_dir)))
		return err;
	d->policy = cfg_get(&d->cfg, "platform", "policy");
	if ((err = readable(d, "platform", "policy")))
		return err;
	d->level = LOG_INFO;
	if ((err = level(d, "platform", &d->level)))
		return err;
	return 0;
}

/* Each whitespace-separated word of sec.key, through fn. */
static int each_word(struct refd *d, const char *sec, const char *key,
		     int (*fn)(struct refd *, const char *, const char *,
			       const struct pl *))
{
	struct pl rest = pl_from_str(cfg_get(&d->cfg, sec, key)), w;
	int err;

	for (;;) {
		size_t n = 0;

		pl_ltrim(&rest);
		if (!rest.len)
			return 0;
		while (n < rest.len && rest.p[n] != ' ' && rest.p[n] != '\t')
			n++;
		w = pl_from_mem(rest.p, n);
		pl_advance(&rest, n);
		if ((err = fn(d, sec, key, &w)))
			return err;
	}
}

static int sip_spec(struct refd *d, const char *sec, const char *key,
		    const struct pl *w)
{
	struct net_addr a;

	if (net_listen_parse(w, &a))
		return cfg_fail(&d->cfg, sec, key, "bad listen spec '%.*s' "
				"(want udp|tcp|tls:ADDRESS:PORT)", PL_ARG(*w));
	if (a.tp != NET_UDP && a.tp != NET_TCP && a.tp != NET_TLS)
		return cfg_fail(&d->cfg, sec, key, "'%.*s': transport not "
				"served (udp, tcp, tls)", PL_ARG(*w));
	if (a.tp == NET_TLS && (!d->tls_cert || !d->tls_key))
		return cfg_fail(&d->cfg, sec, key, "'%.*s' needs [sip] "
				"tls_cert and tls_key", PL_ARG(*w));
	return 0;
}

static int stream_spec(struct refd *d, const char *sec, const char *key,
		       const struct pl *w)
{
	struct net_addr a;

	if (net_listen_parse(w, &a) || (a.tp != NET_TCP && a.tp != NET_TLS))
		return cfg_fail(&d->cfg, sec, key, "bad listen spec '%.*s' "
				"(want tcp|tls:ADDRESS:PORT)", PL_ARG(*w));
	if (a.tp == NET_TLS && (!d->tls_cert || !d->tls_key))
		return cfg_fail(&d->cfg, sec, key, "'%.*s' needs [sip] "
				"tls_cert and tls_key", PL_ARG(*w));
	return 0;
}

static int network(struct refd *d, const char *sec, const char *key,
		   const struct pl *w)
{
	struct pl host, bits;
	struct prefix *p = &d->networks[d->nnetworks];
	char h[INET6_ADDRSTRLEN + 1];
	uint32_t b;

	if (d->nnetworks == MAX_NETWORKS)
		return cfg_fail(&d->cfg, sec, key, "more than %d prefixes",
				MAX_NETWORKS);
	memset(p, 0, sizeof(*p));
	if (pl_split(w, '/', &host, &bits) || pl_strcpy(&host, h, sizeof(h))
	    || pl_to_u32(&bits, &b))
		goto bad;
	if (inet_pton(AF_INET, h, &p->a.u.in.sin_addr) == 1 && b <= 32)
		p->a.u.in.sin_family = AF_INET;
	else if (inet_pton(AF_INET6, h, &p->a.u.in6.sin6_addr) == 1 &&
		 b <= 128)
		p->a.u.in6.sin6_family = AF_INET6;
	else
		goto bad;
	p->bits = b;
	d->nnetworks++;
	return 0;
bad:
	return cfg_fail(&d->cfg, sec, key, "bad prefix '%.*s' (want "
			"ADDRESS/BITS, e.g. 127.0.0.0/8 ::1/128)", PL_ARG(*w));
}

static int check_sip(struct refd *d)
{
	struct cfg *c = &d->cfg;
	uint32_t tx = 100000, conns = 4096;
	uint64_t idle = 300, wq = 1024 * 1024, min_e = 60, max_e = 7200;
	int err;

	if ((err = required(d, "sip", "listen", &d->listen)))
		return err;
	d->tls_cert = cfg_get(c, "sip", "tls_cert");
	d->tls_key = cfg_get(c, "sip", "tls_key");
	d->tls_ca = cfg_get(c, "sip", "tls_ca");
	if ((err = readable(d, "sip", "tls_cert")) ||
	    (err = readable(d, "sip", "tls_key")) ||
	    (err = readable(d, "sip", "tls_ca")))
		return err;
	if (!d->tls_cert != !d->tls_key)
		return cfg_fail(c, "sip", d->tls_cert ? "tls_cert" : "tls_key",
				"tls_cert and tls_key go together");
	if ((err = each_word(d, "sip", "listen", sip_spec)))
		return err;
	if ((err = cfg_get_bool(c, "sip", "tls_verify_client",
				&d->tls_verify_client)) ||
	    (err = cfg_get_bool(c, "sip", "tls_verify_server",
				&d->tls_verify_server)))
		return err;
	if (d->tls_verify_client && !d->tls_ca)
		return cfg_fail(c, "sip", "tls_verify_client",
				"needs [sip] tls_ca");
	if (d->tls_verify_server && !d->tls_ca)
		return cfg_fail(c, "sip", "tls_verify_server",
				"needs [sip] tls_ca");
	d->auth = 1;
	if ((err = cfg_get_bool(c, "sip", "auth", &d->auth)))
		return err;
	d->realm = cfg_get(c, "sip", "realm");
	if (d->realm && !domain_ok(d->realm))
		return cfg_fail(c, "sip", "realm", "'%s' is not a domain name",
				d->realm);
	if (!d->realm)
		d->realm = d->domain;
	d->sip_level = d->level;
	if ((err = level(d, "sip", &d->sip_level)))
		return err;
	if (cfg_get(c, "sip", "networks")) {
		if ((err = each_word(d, "sip", "networks", network)))
			return err;
		if (!d->nnetworks)
			return cfg_fail(c, "sip", "networks", "empty");
	} else {
		struct pl v4 = PL("127.0.0.0/8"), v6 = PL("::1/128");
		network(d, "sip", "networks", &v4);
		network(d, "sip", "networks", &v6);
	}
	if ((err = cfg_get_u32(c, "sip", "max_transactions", 16, 10000000,
			       &tx)) ||
	    (err = cfg_get_u32(c, "sip", "max_connections", 1, 1000000,
			       &conns)) ||
	    (err = cfg_get_duration(c, "sip", "idle_timeout", &idle)) ||
	    (err = cfg_get_size(c, "sip", "write_queue", &wq)) ||
	    (err = cfg_get_duration(c, "sip", "min_expires", &min_e)) ||
	    (err = cfg_get_duration(c, "sip", "max_expires", &max_e)))
		return err;
	if (!idle || idle > 86400)
		return cfg_fail(c, "sip", "idle_timeout", "must be 1s-1d");
	if (wq < 4096 || wq > (1ull << 30))
		return cfg_fail(c, "sip", "write_queue", "must be 4k-1GiB");
	if (max_e < min_e)
		return cfg_fail(c, "sip", "max_expires", "below min_expires");
	d->max_transactions = tx;
	d->max_connections = conns;
	d->idle_timeout_s = idle;
	d->write_queue = wq;
	d->min_expires_s = min_e;
	d->max_expires_s = max_e;
	return 0;
}

static int check_media(struct refd *d)
{
	struct cfg *c = &d->cfg;
	const char *v;
	struct pl lo, hi, pl;
	int err;

	if (!(d->media = cfg_has_section(c, "media")))
		return 0;
	if ((err = required(d, "media", "address", &v)))
		return err;
	pl = pl_from_str(v);
	if (net_addr_parse(&pl, 0, &d->media_addr) || pl_chr(&pl, ']') ||
	    net_addr_port(&d->media_addr))
		return cfg_fail(c, "media", "address",
				"'%s' is not an IP address", v);
	if ((err = required(d, "media", "ports", &v)))
		return err;
	pl = pl_from_str(v);
	if (pl_split(&pl, '-', &lo, &hi) || pl_to_u32(&lo, &d->media_lo) ||
	    pl_to_u32(&hi, &d->media_hi) || d->media_lo < 1024 ||
	    d->media_hi > 65535 || d->media_lo >= d->media_hi)
		return cfg_fail(c, "media", "ports", "'%s': want LOW-HIGH "
				"within 1024-65535", v);
	if (d->media_lo % 2)
		return cfg_fail(c, "media", "ports", "'%s': RTP ports start "
				"even (RFC 3550 11)", v);
	if ((v = cfg_get(c, "media", "ng_listen"))) {
		struct net_addr a;
		pl = pl_from_str(v);
		if (net_listen_parse(&pl, &a) || a.tp != NET_UDP)
			return cfg_fail(c, "media", "ng_listen",
					"'%s': want udp:ADDRESS:PORT", v);
	}
	return 0;
}

static int http_listen(struct refd *d, const char *sec)
{
	const char *v;
	struct net_addr a;
	struct pl pl;
	int err;

	if ((err = required(d, sec, "listen", &v)))
		return err;
	pl = pl_from_str(v);
	if (net_addr_parse(&pl, 0, &a) || !net_addr_port(&a))
		return cfg_fail(&d->cfg, sec, "listen",
				"'%s': want ADDRESS:PORT", v);
	return 0;
}

static int check_services(struct refd *d)
{
	struct cfg *c = &d->cfg;
	const char *v;
	int err;

	if ((err = check_media(d)))
		return err;
	if ((d->msrp = cfg_has_section(c, "msrp"))) {
		if ((err = required(d, "msrp", "listen", &v)) ||
		    (err = each_word(d, "msrp", "listen", stream_spec)))
			return err;
	}
	if ((d->xcap = cfg_has_section(c, "xcap")) &&
	    (err = http_listen(d, "xcap")))
		return err;
	if ((d->web = cfg_has_section(c, "web"))) {
		if ((err = http_listen(d, "web")) ||
		    (err = readable(d, "web", "tls_cert")) ||
		    (err = readable(d, "web", "tls_key")))
			return err;
		if (!cfg_get(c, "web", "tls_cert") !=
		    !cfg_get(c, "web", "tls_key"))
			return cfg_fail(c, "web", "tls_cert",
					"tls_cert and tls_key go together");
	}
	return 0;
}

/* mkdir -p, mode 0700: everything under it is the platform's data. */
static int make_dir(const char *path)
{
	char p[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(p))
		return ENAMETOOLONG;
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i])
			continue;
		p[i] = 0;
		if (mkdir(p, 0700) && errno != EEXIST)
			return errno;
		p[i] = path[i];
	}
	return 0;
}

/*
 * Store adapter: the SIP core's callback table (sip/proxy.h) onto the
 * store interface (store/store.h). Writes of one event-loop turn share a
 * transaction, committed when the driver has drained the core.
 */
#define BATCH_US 20000	/* group commit: at most 20 ms of rows at risk */

static void batch(struct refd *d)
{
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

	if (d->in_batch && now >= d->batch_due)
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

	return d->in_batch ? d->batch_due : UINT64_MAX;
}

static const struct core_ops flush_ops = {
	.name = "store-flush",
	.input = fl_input,
	.timeout = fl_timeout,
	.output = fl_output,
	.deadline = fl_deadline,
};

static int st_ha1(void *arg, const char *user, const char *domain,
		  enum sip_auth_alg alg, char *hex, size_t sz)
{
	struct refd *d = arg;
	struct pl u = pl_from_str(user), dm = pl_from_str(domain);

	return store_account_ha1(d->store, &u, &dm, alg == SIP_AUTH_SHA256 ?
				 STORE_HA1_SHA256 : STORE_HA1_MD5, hex, sz);
}

static int st_exists(void *arg, const char *user, const char *domain)
{
	char h[SIP_HA1_MAX];

	return st_ha1(arg, user, domain, SIP_AUTH_MD5, h, sizeof(h));
}

static void st_trace(void *arg, const struct sip_trace *t)
{
	struct refd *d = arg;
	struct store_trace r = { 0 };
	char src[NET_ADDR_STRLEN], dst[NET_ADDR_STRLEN];
	const char *nl = memchr(t->bytes.p, '\r', t->bytes.len);

	r.time_us = (int64_t)t->wall_us;
	r.call_id = t->call_id;
	r.caller = t->caller;
	r.callee = t->callee;
	r.dir_out = t->outgoing;
	r.transport = pl_from_str(net_tp_name(t->tp));
	r.src = pl_from_str(net_addr_str(t->src, src, sizeof(src)));
	r.dst = pl_from_str(net_addr_str(t->dst, dst, sizeof(dst)));
	r.summary = pl_from_mem(t->bytes.p, nl ? (size_t)(nl - t->bytes.p) :
				t->bytes.len);
	r.msg = t->bytes;
	batch(d);
	if (store_trace_add(d->store, &r))
		LOG_W(&d->log, "store: trace: %s", store_errmsg(d->store));
}

static void st_cdr(void *arg, const struct sip_cdr *c)
{
	struct refd *d = arg;
	struct store_cdr r = { 0 };

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
	batch(d);
	if (store_cdr_add(d->store, &r))
		LOG_W(&d->log, "store: cdr: %s", store_errmsg(d->store));
}

static int st_msg(void *arg, const struct sip_message_rec *m)
{
	struct refd *d = arg;
	struct store_msg r = { 0 };
	int err;

	r.time_us = (int64_t)m->wall_us;
	r.sender = m->from;
	r.recipient = m->to;
	r.content_type = m->ctype;
	r.body = m->body;
	batch(d);
	if ((err = store_msg_add(d->store, &r, NULL)))
		LOG_W(&d->log, "store: message: %s", store_errmsg(d->store));
	return err;
}

static int listen_addr(struct refd *d, const char *sec, const char *key,
		       const struct pl *w)
{
	if (d->nlis < sizeof(d->lis) / sizeof(d->lis[0]) &&
	    !net_listen_parse(w, &d->lis[d->nlis]))
		d->nlis++;
	return 0;
}

/* The SIP service core on the live driver, with the stores behind it. */
static int wire_sip(struct refd *d)
{
	struct sip_proxy_cfg c;
	char err[256];
	uint64_t seed;
	size_t i;
	int e;

	if ((e = store_open(&d->store, d->data_dir, NULL, err,
			    sizeof(err)))) {
		LOG_E(&d->log, "store: %s", err);
		return e;
	}
	if (getrandom(d->secret, sizeof(d->secret), 0) !=
	    (ssize_t)sizeof(d->secret) ||
	    getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		return errno ? errno : EIO;
	rng_seed(&d->rng, seed);
	each_word(d, "sip", "listen", listen_addr);
	for (i = 0; i < d->nnetworks; i++) {
		d->nets[i].pfx = d->networks[i].a;
		d->nets[i].bits = d->networks[i].bits;
	}
	log_init(&d->sip_log, "sip", d->sip_level);
	memset(&c, 0, sizeof(c));
	c.domain = d->domain;
	c.listen = d->lis;
	c.nlisten = d->nlis;
	c.networks = d->nets;
	c.nnetworks = d->nnetworks;
	c.auth = d->auth;
	c.nonce_secret = d->secret;
	c.nonce_secret_len = sizeof(d->secret);
	c.max_tsx = d->max_transactions;
	c.min_expires = (uint32_t)d->min_expires_s;
	c.max_expires = (uint32_t)d->max_expires_s;
	c.wall_offset_us = io_wall_offset_us(d->loop);
	c.rng = &d->rng;
	c.log = &d->sip_log;
	c.store.arg = d;
	c.store.ha1_get = st_ha1;
	c.store.user_exists = st_exists;
	c.store.trace_add = st_trace;
	c.store.cdr_write = st_cdr;
	c.store.message_store = st_msg;
	if ((e = sip_proxy_new(&d->proxy, &c)))
		return e;
	if ((e = io_core_add(d->loop, &sip_proxy_core_ops, d->proxy,
			     &d->sip)))
		return e;
	return io_core_add(d->loop, &flush_ops, d, &d->flush);
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
		io_allow_add(d->loop, &d->networks[i].a, d->networks[i].bits);
	if ((e = wire_sip(d))) {
		LOG_E(&d->log, "cannot start the SIP service: %s",
		      strerror(e));
		return EXIT_RUNTIME;
	}
	if (io_listen_spec(d->loop, d->sip, d->listen, err, sizeof(err))) {
		cfg_fail(&d->cfg, "sip", "listen", "%s", err);
		fprintf(stderr, "%s\n", d->cfg.err);
		return EXIT_RUNTIME;
	}
	if (io_signals(d->loop, NULL, NULL)) {
		LOG_E(&d->log, "cannot take signals: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}

static void log_stats(struct refd *d)
{
	const struct io_stats *s = io_stats(d->loop);

	LOG_I(&d->log, "io: udp rx %llu tx %llu drop %llu; streams in %llu "
	      "out %llu closed %llu idle %llu overflow %llu refused %llu; "
	      "tls failures %llu; denied %llu; discarded %llu",
	      (unsigned long long)s->udp_rx, (unsigned long long)s->udp_tx,
	      (unsigned long long)s->udp_drop, (unsigned long long)s->conn_in,
	      (unsigned long long)s->conn_out,
	      (unsigned long long)s->conn_closed,
	      (unsigned long long)s->conn_idle,
	      (unsigned long long)s->conn_overflow,
	      (unsigned long long)s->conn_refused,
	      (unsigned long long)s->tls_fail, (unsigned long long)s->denied,
	      (unsigned long long)s->sink_rx);
	if (d->proxy) {
		struct sip_proxy_stats ps;

		sip_proxy_stats(d->proxy, &ps);
		LOG_I(&d->log, "sip: inputs %llu; rx req %llu rsp %llu "
		      "retrans %llu bad req "
		      "%llu bad rsp %llu; tx %llu refused %llu overload %llu; "
		      "auth ok %llu fail %llu limited %llu; calls %llu cdrs "
		      "%llu traces %llu messages %llu",
		      (unsigned long long)ps.rx_inputs,
		      (unsigned long long)ps.rx_req,
		      (unsigned long long)ps.rx_rsp,
		      (unsigned long long)ps.rx_retrans,
		      (unsigned long long)ps.rx_bad_req,
		      (unsigned long long)ps.rx_bad_rsp,
		      (unsigned long long)ps.tx,
		      (unsigned long long)ps.tx_refused,
		      (unsigned long long)ps.tsx_overload,
		      (unsigned long long)ps.auth_ok,
		      (unsigned long long)ps.auth_fail,
		      (unsigned long long)ps.auth_limited,
		      (unsigned long long)ps.calls,
		      (unsigned long long)ps.cdrs,
		      (unsigned long long)ps.traces,
		      (unsigned long long)ps.messages);
	}
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
	log_init(&d.log, "refd", LOG_INFO);
	if (cfg_load(&d.cfg, argv[2]) ||
	    cfg_check(&d.cfg, keys, sizeof(keys) / sizeof(keys[0])) ||
	    check_platform(&d) || check_sip(&d) || check_services(&d)) {
		fprintf(stderr, "%s\n", d.cfg.err);
		goto out;
	}
	d.log.level = d.level;
	log_init(&d.io_log, "io", d.sip_level);
	if ((e = make_dir(d.data_dir))) {
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
	log_stats(&d);
	LOG_I(&d.log, "stopped");
	rc = 0;
out:
	/* Calls still up get their CDR (hangup "none"), then the store
	 * commits and checkpoints. */
	if (d.proxy) {
		sip_proxy_free(d.proxy);
		commit(&d);
	}
	store_close(d.store);
	io_loop_free(d.loop);
	cfg_fini(&d.cfg);
	return rc;
}
