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
 * listen (ref/xcap, its own thread). [web] is checked but not wired here
 * yet. The SIP core's store callbacks
 * (HA1, session traces, CDRs, messages) are adapted to ref/store here;
 * their rows are group-committed every BATCH_US by a one-timer core.
 * The retention engine (io/refd_svc.h) takes [platform] policy, checked
 * with the config, and purges at start and every [purge] within.
 */
#include <errno.h>
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
#include "io/refd_svc.h"
#include "sip/proxy.h"
#include "msrp/msrp.h"
#include "store/store.h"
#include "store/store_sip.h"
#include "xcap/xcap.h"

#define EXIT_CONFIG 2
#define EXIT_RUNTIME 1
#define MAX_NETWORKS 64
#define MAX_LISTEN 32

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
	{ "sip", "auth_sha256_first" },
	{ "sip", "auth_sha256" },
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
	{ "msrp", "host" },
	{ "msrp", "networks" },
	{ "msrp", "max_sessions" },
	{ "xcap", "listen" },
	{ "web", "listen" },
	{ "web", "tls_cert" },
	{ "web", "tls_key" },
};

struct refd {
	struct cfg cfg;
	struct log log, io_log, sip_log;
	const char *domain, *data_dir, *policy, *realm;
	enum log_level level, sip_level;
	/* [sip] */
	const char *listen, *tls_cert, *tls_key, *tls_ca;
	int tls_verify_client, tls_verify_server, auth, sha256_first, sha256;
	struct net_addr listen_addrs[MAX_LISTEN];
	size_t nlisten;
	struct sip_net networks[MAX_NETWORKS];
	size_t nnetworks;
	uint32_t max_transactions, max_connections;
	uint64_t idle_timeout_s, write_queue, min_expires_s, max_expires_s;
	/* optional services */
	bool media, msrp, xcap, web;
	struct net_addr media_addr;
	struct io_media mg;	/* the relay, when [media] is there */
	uint32_t media_lo, media_hi;
	/* [msrp] */
	const char *msrp_listen, *msrp_host;
	struct msrp_net msrp_nets[MAX_NETWORKS];
	size_t nmsrp_nets;
	uint32_t msrp_max_sessions;
	struct msrp_relay *msrp_relay;
	struct io_core *msrp_core;
	struct store *store;
	/* runtime */
	struct io_loop *loop;
	struct io_core *sip;
	struct sip_proxy *proxy;
	struct rng rng;
	uint8_t nonce_secret[32];
	/* store batching for the SIP core's rows */
	bool in_batch;
	uint64_t batch_due;
	struct io_core *flush;
	/* the retention engine ([platform] policy) */
	struct refd_retention ret;
	struct io_core *ret_core;
	struct xcap_http *xcap_http;	/* [xcap] listen, its own thread */
	struct store_sip sg;		/* proxy hooks -> ref/store */
	struct sip_store_ops sg_ops;
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

/* The policy file, checked with the config: its error is file:line too. */
static int load_policy(struct refd *d)
{
	return refd_retention_init(&d->ret, d->policy, d->cfg.err,
				   sizeof(d->cfg.err));
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
	if ((err = readable(d, "platform", "policy")) ||
	    (err = load_policy(d)))
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
	if (d->nlisten == MAX_LISTEN)
		return cfg_fail(&d->cfg, sec, key, "more than %d listeners",
				MAX_LISTEN);
	d->listen_addrs[d->nlisten++] = a;
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
	struct sip_net *p = &d->networks[d->nnetworks];
	char h[INET6_ADDRSTRLEN + 1];
	uint32_t b;

	if (d->nnetworks == MAX_NETWORKS)
		return cfg_fail(&d->cfg, sec, key, "more than %d prefixes",
				MAX_NETWORKS);
	memset(p, 0, sizeof(*p));
	if (pl_split(w, '/', &host, &bits) || pl_strcpy(&host, h, sizeof(h))
	    || pl_to_u32(&bits, &b))
		goto bad;
	if (inet_pton(AF_INET, h, &p->pfx.u.in.sin_addr) == 1 && b <= 32)
		p->pfx.u.in.sin_family = AF_INET;
	else if (inet_pton(AF_INET6, h, &p->pfx.u.in6.sin6_addr) == 1 &&
		 b <= 128)
		p->pfx.u.in6.sin6_family = AF_INET6;
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
	/* SIPp reads only the first challenge and knows MD5 only
	 * (PEERS-NOTES.md): MD5 is offered first unless asked. */
	d->sha256 = 1;
	if ((err = cfg_get_bool(c, "sip", "auth_sha256_first",
				&d->sha256_first)) ||
	    (err = cfg_get_bool(c, "sip", "auth_sha256", &d->sha256)))
		return err;
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

static int msrp_network(struct refd *d, const char *sec, const char *key,
			const struct pl *w)
{
	if (d->nmsrp_nets == MAX_NETWORKS)
		return cfg_fail(&d->cfg, sec, key, "more than %d prefixes",
				MAX_NETWORKS);
	if (msrp_net_parse(w, &d->msrp_nets[d->nmsrp_nets]))
		return cfg_fail(&d->cfg, sec, key, "bad prefix '%.*s' (want "
				"ADDRESS[/BITS], e.g. 127.0.0.0/8 ::1/128)",
				PL_ARG(*w));
	d->nmsrp_nets++;
	return 0;
}

/*
 * [msrp] listen (tcp/tls specs), host (the host of the relay's URIs in
 * Use-Path; default the address a client reached), networks (where the
 * relay may dial a next hop; default loopback), max_sessions.
 */
static int check_msrp(struct refd *d)
{
	struct cfg *c = &d->cfg;
	struct msrp_uri u;
	char tmp[300];
	struct pl pl;
	int err;

	if ((err = required(d, "msrp", "listen", &d->msrp_listen)) ||
	    (err = each_word(d, "msrp", "listen", stream_spec)))
		return err;
	if ((d->msrp_host = cfg_get(c, "msrp", "host"))) {
		snprintf(tmp, sizeof(tmp), "msrp://%s:1/x;tcp", d->msrp_host);
		pl = pl_from_str(tmp);
		if (strlen(d->msrp_host) > 200 || msrp_uri_decode(&u, &pl) ||
		    u.port != 1 || u.session.len != 1)
			return cfg_fail(c, "msrp", "host", "'%s' is not a host "
					"name or address", d->msrp_host);
	}
	if (cfg_get(c, "msrp", "networks")) {
		if ((err = each_word(d, "msrp", "networks", msrp_network)))
			return err;
	} else {
		static const char *lo[] = { "127.0.0.0/8", "::1/128" };

		for (d->nmsrp_nets = 0; d->nmsrp_nets < 2; d->nmsrp_nets++) {
			pl = pl_from_str(lo[d->nmsrp_nets]);
			msrp_net_parse(&pl, &d->msrp_nets[d->nmsrp_nets]);
		}
	}
	d->msrp_max_sessions = 4096;
	return cfg_get_u32(c, "msrp", "max_sessions", 1, 1000000,
			   &d->msrp_max_sessions);
}

static int check_services(struct refd *d)
{
	struct cfg *c = &d->cfg;
	int err;

	if ((err = check_media(d)))
		return err;
	if ((d->msrp = cfg_has_section(c, "msrp")) && (err = check_msrp(d)))
		return err;
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
 * store interface (store/store.h). Rows written while the loop is busy
 * share one transaction, committed at most BATCH_US after its first row.
 */
#define BATCH_US 20000

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

/*
 * The proxy's store hooks: the store's own adapter (store_sip), with
 * every write joining the open batch and failures logged.
 */
static int st_ha1(void *arg, const char *user, const char *domain,
		  enum sip_auth_alg alg, char *hex, size_t sz)
{
	struct refd *d = arg;

	return d->sg_ops.ha1_get(&d->sg, user, domain, alg, hex, sz);
}

static int st_exists(void *arg, const char *user, const char *domain)
{
	struct refd *d = arg;

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

/* The SIP service: the proxy core on the [sip] listeners. */
static int wire_sip(struct refd *d)
{
	struct sip_proxy_cfg pc;
	char serr[512];
	uint64_t seed;
	int err;

	if (!d->store && (err = store_open(&d->store, d->data_dir, NULL, serr,
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
	/* The hooks only keep &d->mg; start_media() fills it before the
	 * loop runs. */
	if (d->media)
		io_media_sip_ops(&d->mg, &pc.media);
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
	if (!d->store && (e = store_open(&d->store, d->data_dir, NULL, err,
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
	d->ret.store = d->store;
	d->ret.log = &d->log;
	d->ret.wall_off_us = io_wall_offset_us(d->loop);
	d->ret.before = commit_cb;
	d->ret.arg = d;
	(void)refd_retention_run(&d->ret, io_now_us());
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
	if ((e = start_xcap(d)))
		return e;
	return 0;
}

static void log_stats(struct refd *d)
{
	const struct io_stats *s = io_stats(d->loop);
	struct sip_proxy_stats ps;

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
	if (d->media) {
		struct rtp_relay_counters rc;

		rtp_relay_counters(d->mg.relay, &rc);
		LOG_I(&d->log, "media: calls %llu (timed out %llu); ports "
		      "opened %llu closed %llu failed %llu; packets in %llu "
		      "out %llu",
		      (unsigned long long)rc.calls,
		      (unsigned long long)rc.calls_timed_out,
		      (unsigned long long)d->mg.opened,
		      (unsigned long long)d->mg.closed,
		      (unsigned long long)d->mg.open_fail,
		      (unsigned long long)rc.packets_in,
		      (unsigned long long)rc.packets_out);
	}
	sip_proxy_stats(d->proxy, &ps);
	LOG_I(&d->log, "sip: inputs %llu, requests %llu (bad %llu), responses "
	      "%llu (bad %llu), retransmissions %llu, sent %llu, refused "
	      "%llu, overload %llu, auth ok %llu failed %llu limited %llu, "
	      "calls %llu, cdrs %llu, traces %llu, messages %llu",
	      (unsigned long long)ps.rx_inputs,
	      (unsigned long long)ps.rx_req, (unsigned long long)ps.rx_bad_req,
	      (unsigned long long)ps.rx_rsp, (unsigned long long)ps.rx_bad_rsp,
	      (unsigned long long)ps.rx_retrans, (unsigned long long)ps.tx,
	      (unsigned long long)ps.tx_refused,
	      (unsigned long long)ps.tsx_overload,
	      (unsigned long long)ps.auth_ok, (unsigned long long)ps.auth_fail,
	      (unsigned long long)ps.auth_limited,
	      (unsigned long long)ps.calls, (unsigned long long)ps.cdrs,
	      (unsigned long long)ps.traces, (unsigned long long)ps.messages);
	if (d->msrp_relay) {
		const struct msrp_relay_stats *m =
			msrp_relay_stats(d->msrp_relay);

		LOG_I(&d->log, "msrp: connections in %llu out %llu, auth ok "
		      "%llu failed %llu, sessions %llu, requests forwarded "
		      "%llu (%llu content bytes), responses %llu, reports made "
		      "%llu, refused %llu, malformed %llu, interrupted %llu, "
		      "timeouts %llu",
		      (unsigned long long)m->conns_in,
		      (unsigned long long)m->conns_out,
		      (unsigned long long)m->auth_ok,
		      (unsigned long long)m->auth_fail,
		      (unsigned long long)m->sessions,
		      (unsigned long long)m->fwd_requests,
		      (unsigned long long)m->fwd_bytes,
		      (unsigned long long)m->fwd_responses,
		      (unsigned long long)m->reports_made,
		      (unsigned long long)m->rejected,
		      (unsigned long long)m->malformed,
		      (unsigned long long)m->interrupted,
		      (unsigned long long)m->timeouts);
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
	log_init(&d.sip_log, "sip", d.sip_level);
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
	/* Bytes queued for slow stream peers get a moment to leave. */
	if (io_shutdown(d.loop, 2000))
		LOG_W(&d.log, "some connections still had bytes queued");
	log_stats(&d);
	LOG_I(&d.log, "stopped");
	rc = 0;
out:
	io_loop_free(d.loop);
	xcap_http_stop(d.xcap_http);
	/* After the sockets: writes the CDR of calls still up, then
	 * commits the last batch. */
	sip_proxy_free(d.proxy);
	io_media_stop(&d.mg);	/* after the proxy: it deletes calls */
	if (d.store)
		commit(&d);
	msrp_relay_free(d.msrp_relay);
	store_close(d.store);
	refd_retention_fini(&d.ret);
	cfg_fini(&d.cfg);
	return rc;
}
