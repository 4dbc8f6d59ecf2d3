/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refd's configuration checks: every key of every section is read and
 * validated into struct refd before anything starts (refd_cfg.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include "base/fs.h"
#include "base/mem.h"
#include "io/refd_cfg.h"
#include "io/refd_vm.h"

/* Every permitted key. Add yours here, then check it in a check_*(). */
const struct cfg_key refd_keys[] = {
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
	{ "voicemail", "listen" },
	{ "voicemail", "ports" },
	{ "voicemail", "max" },
	{ "voicemail", "beep_ms" },
	{ "voicemail", "after" },
	{ "mail", "smtp" },
	{ "mail", "from" },
	{ "web", "listen" },
	{ "web", "tls_cert" },
	{ "web", "tls_key" },
	{ "push", "gateway" },
	{ "push", "wait" },
	{ "push", "timeout" },
	{ "push", "queue" },
	{ "conference", "prefix" },
	{ "conference", "listen" },
	{ "conference", "ports" },
	{ "conference", "max_participants" },
	{ "conference", "mode" },
	{ "conference", "media_timeout" },
	{ "conference", "chat_listen" },
	{ "conference", "chat_max_message" },
	{ "web", "plain" },
	{ "web", "operators" },
	{ "web", "session" },
	{ "dns", "server" },
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

int refd_check_platform(struct refd *d)
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

int refd_check_sip(struct refd *d)
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
	const char *v = NULL;
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
	const char *v = NULL;
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

/* [push]: an http(s) gateway URL; the INVITE wait for a woken device
 * (RFC 8599 5), the POST timeout and the queue bound. The push log's
 * retention is the policy file's [push] retention, like every period. */
static int check_push(struct refd *d)
{
	struct cfg *c = &d->cfg;
	const char *g = NULL;
	int err;

	if ((err = required(d, "push", "gateway", &g)))
		return err;
	if (strncmp(g, "http://", 7) && strncmp(g, "https://", 8))
		return cfg_fail(c, "push", "gateway", "'%s' is not an http(s) "
				"URL", g);
	d->push_gateway = g;
	d->push_wait_s = 10;
	d->push_timeout_s = 3;
	d->push_queue = 1024;
	if ((err = cfg_get_duration(c, "push", "wait", &d->push_wait_s)) ||
	    (err = cfg_get_duration(c, "push", "timeout",
				    &d->push_timeout_s)) ||
	    (err = cfg_get_u32(c, "push", "queue", 1, 1000000,
			       &d->push_queue)))
		return err;
	if (!d->push_wait_s || d->push_wait_s > 120)
		return cfg_fail(c, "push", "wait", "must be 1s-2m");
	if (!d->push_timeout_s || d->push_timeout_s > 60)
		return cfg_fail(c, "push", "timeout", "must be 1s-1m");
	return 0;
}

/* [mail]: the SMTP server for portal codes and voicemail e-mail. */
static int check_mail(struct refd *d)
{
	struct cfg *c = &d->cfg;
	const char *at;

	d->mail_smtp = cfg_get(c, "mail", "smtp");
	d->mail_from = cfg_get(c, "mail", "from");
	if (!cfg_has_section(c, "mail"))
		return 0;
	if (!d->mail_smtp || (strncmp(d->mail_smtp, "smtp://", 7) &&
			      strncmp(d->mail_smtp, "smtps://", 8)) ||
	    strpbrk(d->mail_smtp, " \t"))
		return cfg_fail(c, "mail", "smtp", "want smtp://HOST:PORT or "
				"smtps://HOST:PORT");
	if (!d->mail_from || !(at = strchr(d->mail_from, '@')) ||
	    at == d->mail_from || !domain_ok(at + 1) ||
	    strpbrk(d->mail_from, " \t<>\"(),;:"))
		return cfg_fail(c, "mail", "from", "want an address such as "
				"portal@%s", d->domain ? d->domain : "DOMAIN");
	return 0;
}

/*
 * [web]: the self-care portal. HTTPS with [web] tls_cert/tls_key, else
 * the SIP TLS pair; plain HTTP only with plain = yes (tests).
 */
static int check_web(struct refd *d)
{
	struct cfg *c = &d->cfg;
	int plain = 0, err;
	uint64_t sess = 1800;

	if ((err = http_listen(d, "web")) ||
	    (err = readable(d, "web", "tls_cert")) ||
	    (err = readable(d, "web", "tls_key")) ||
	    (err = cfg_get_bool(c, "web", "plain", &plain)) ||
	    (err = cfg_get_duration(c, "web", "session", &sess)))
		return err;
	if (!cfg_get(c, "web", "tls_cert") != !cfg_get(c, "web", "tls_key"))
		return cfg_fail(c, "web", "tls_cert",
				"tls_cert and tls_key go together");
	if (sess < 60 || sess > 86400)
		return cfg_fail(c, "web", "session", "between 1m and 1d");
	d->web_session_s = (uint32_t)sess;
	d->web_operators = cfg_get(c, "web", "operators");
	if (plain) {
		d->web_cert = d->web_key = NULL;
		return 0;
	}
	d->web_cert = cfg_get(c, "web", "tls_cert");
	d->web_key = cfg_get(c, "web", "tls_key");
	if (!d->web_cert) {
		d->web_cert = cfg_get(c, "sip", "tls_cert");
		d->web_key = cfg_get(c, "sip", "tls_key");
	}
	if (!d->web_cert || !d->web_key)
		return cfg_fail(c, "web", "listen", "HTTPS needs a certificate:"
				" [web] tls_cert/tls_key or [sip] tls_cert/"
				"tls_key (plain = yes only for tests)");
	return 0;
}

/* [dns] server = IPv4:PORT: the resolver asks that server only (tests:
 * tests/tools/dnsd); absent: the system's resolv.conf. */
static int check_dns(struct refd *d)
{
	const char *v = cfg_get(&d->cfg, "dns", "server");
	struct pl pl;

	if (!v)
		return 0;
	pl = pl_from_str(v);
	if (net_addr_parse(&pl, 53, &d->dns_server) ||
	    net_addr_family(&d->dns_server) != AF_INET)
		return cfg_fail(&d->cfg, "dns", "server",
				"'%s': use an IPv4 address, e.g. 127.0.0.1:53",
				v);
	d->dns_server_set = true;
	return 0;
}

int refd_check_services(struct refd *d)
{
	struct cfg *c = &d->cfg;
	int err;

	if ((err = check_media(d)) || (err = check_dns(d)))
		return err;
	if ((err = io_conf_check(&d->conf, c)))
		return err;
	if ((d->msrp = cfg_has_section(c, "msrp")) && (err = check_msrp(d)))
		return err;
	if ((d->push = cfg_has_section(c, "push")) && (err = check_push(d)))
		return err;
	if ((d->xcap = cfg_has_section(c, "xcap")) &&
	    (err = http_listen(d, "xcap")))
		return err;
	if ((err = check_mail(d)) || (err = refd_vm_check(d)))
		return err;
	if ((d->web = cfg_has_section(c, "web")) && (err = check_web(d)))
		return err;
	return 0;
}

/* mkdir -p, mode 0700: everything under it is the platform's data. */
int refd_make_dir(const char *path)
{
	return fs_mkdir_p(path, 0700);
}

const size_t refd_nkeys = sizeof(refd_keys) / sizeof(refd_keys[0]);
