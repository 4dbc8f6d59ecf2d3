/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The live backend: a real bin/refd on loopback with a temporary config
 * and data_dir, administered with bin/refctl (accounts, purchases, purge
 * --now as the scenario clock, listings for the expect lines), the
 * loopback link captured with libpcap filtered to the platform's ports.
 * Scenario time starts at the wall clock; `advance` moves only the
 * scenario clock, and retention is run as of it with `refctl purge --now`.
 *
 * Traffic verbs (register, call, message, subscribe, publish) are run by
 * the bench user agents on real loopback sockets (live_ua.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "base/mem.h"
#include "base/buf.h"
#include "scenario/run_steps.h"
#include "scenario/capture.h"
#include "scenario/live.h"

#define CTL_TIMEOUT_MS 20000

static struct scn_live *st_of(struct scn_ctx *c)
{
	return c->be_state;
}

/* A port free for both UDP and TCP on 127.0.0.1 (and the next n-1). */
static int free_port(uint16_t *out, unsigned n, uint64_t seed)
{
	unsigned tries;

	for (tries = 0; tries < 200; tries++) {
		/* Even: RTP ports start even (RFC 3550 11). */
		uint16_t p = (uint16_t)((20000 + (seed + tries * 7919) % 20000)
					& ~1u);
		unsigned i;
		int ok = 1;

		for (i = 0; i < n && ok; i++) {
			int t;

			for (t = 0; t < 2 && ok; t++) {
				struct sockaddr_in a = { .sin_family = AF_INET,
					.sin_port = htons((uint16_t)(p + i)) };
				int fd = socket(AF_INET, t ? SOCK_STREAM :
						SOCK_DGRAM, 0);

				a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
				if (fd < 0 || bind(fd, (struct sockaddr *)&a,
						   sizeof(a)))
					ok = 0;
				if (fd >= 0)
					close(fd);
			}
		}
		if (ok) {
			*out = p;
			return 0;
		}
	}
	return EADDRINUSE;
}

/* addr:port..port+n-1 bindable (UDP, and TCP when tcp)? */
static int bindable(const char *addr, uint16_t port, unsigned n, int tcp)
{
	unsigned i;
	int t, ok = 1;

	for (i = 0; i < n && ok; i++) {
		for (t = 0; t <= tcp && ok; t++) {
			struct sockaddr_in a = { .sin_family = AF_INET,
				.sin_port = htons((uint16_t)(port + i)) };
			int fd = socket(AF_INET, t ? SOCK_STREAM : SOCK_DGRAM,
					0);

			inet_pton(AF_INET, addr, &a.sin_addr);
			if (fd < 0 || bind(fd, (struct sockaddr *)&a,
					   sizeof(a)))
				ok = 0;
			if (fd >= 0)
				close(fd);
		}
	}
	return ok;
}

/*
 * The bench UAs' address block and ports. The block comes from the pid
 * (two live runs at once); any process bound to 0.0.0.0:5060 (svwar,
 * SIPp) makes every 127.1.x.y:5060 EADDRINUSE, so the ports move by 100
 * (SIP) and 1000 (RTP) until the first UA's are free: 8 tries.
 */
static int ua_ports(struct scn_live *l)
{
	char sip[32], med[32];
	unsigned i, k;

	for (k = 0; k < 4; k++) {
		l->ua_base = 250u * (unsigned)((getpid() + 13 * k) % 50);
		snprintf(sip, sizeof(sip), "127.1.%u.1", 1 + l->ua_base / 250);
		snprintf(med, sizeof(med), "127.2.%u.1", 1 + l->ua_base / 250);
		for (i = 0; i < 8; i++) {
			l->ua_sip = (uint16_t)(5060 + 100 * i);
			l->ua_media = (uint16_t)(30000 + 1000 * i);
			if (bindable(sip, l->ua_sip, 2, 1) &&
			    bindable(med, l->ua_media, 16, 0))
				return 0;
		}
	}
	return EADDRINUSE;
}

static int tcp_ready(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static int make_cert(struct scn_ctx *c, struct scn_live *l)
{
	char subj[] = "/CN=127.0.0.1", err[200];
	char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048",
			 "-nodes", "-days", "2", "-subj", subj, "-keyout",
			 l->key, "-out", l->cert, NULL };

	snprintf(l->cert, sizeof(l->cert), "%s/tls.crt", c->dir);
	snprintf(l->key, sizeof(l->key), "%s/tls.key", c->dir);
	return scn_exec(argv, 30000, NULL, err, sizeof(err)) == 0;
}

static int write_conf(struct scn_ctx *c, struct scn_live *l, char *err,
		      size_t errsz)
{
	FILE *f = fopen(c->conf, "w");
	uint16_t p = l->port;

	if (!f) {
		snprintf(err, errsz, "%s: %s", c->conf, strerror(errno));
		return errno;
	}
	fprintf(f, "; written by rtcbench run for %s\n[platform]\n"
		   "domain = %s\ndata_dir = %s\npolicy = %s\n\n[sip]\n"
		   "listen = udp:127.0.0.1:%u tcp:127.0.0.1:%u%s",
		c->s->file, c->domain, c->data_dir, c->policy, p, p,
		l->tls ? "" : "\n");
	if (l->tls)
		fprintf(f, " tls:127.0.0.1:%u\ntls_cert = %s\ntls_key = %s\n",
			p + 1, l->cert, l->key);
	fprintf(f, "auth = on\n\n[media]\naddress = 127.0.0.1\n"
		   "ports = %u-%u\n", l->media_lo, l->media_lo + 199);
	/* MSRP over TCP always (chat via=tcp), over TLS with a cert */
	fprintf(f, "\n[msrp]\nlisten = tcp:127.0.0.1:%u", p + 6);
	if (l->tls)
		fprintf(f, " tls:127.0.0.1:%u", p + 2);
	fputc('\n', f);
	/* The conference focus (conf_verb.c dials room-NAME). */
	fprintf(f, "\n[conference]\nprefix = room-\nlisten = "
		   "udp:127.0.0.1:%u\nports = %u-%u\n"
		   "chat_listen = tcp:127.0.0.1:%u\n", p + 3,
		l->media_lo + 200, l->media_lo + 299, p + 7);
	/* XCAP and the file store (store_verb.c), voicemail behind the
	 * proxy's failure route. */
	fprintf(f, "\n[xcap]\nlisten = 127.0.0.1:%u\n\n[voicemail]\n"
		   "listen = udp:127.0.0.1:%u\nports = %u-%u\n", p + 4, p + 5,
		l->media_lo + 300, l->media_lo + 331);
	/* RFC 8599 wake-ups (push verb, P9): refd parks the call and logs
	 * the push; the gateway is a probed-free port nobody serves, so the
	 * POST fails and the bench device wakes on its own. */
	fprintf(f, "\n[push]\ngateway = http://127.0.0.1:%u/push\n"
		   "wait = 10s\n", p + 8);
	fclose(f);
	return 0;
}

static int live_start_once(struct scn_ctx *c, unsigned attempt, char *err,
			   size_t errsz);

/* Capture the loopback link, filtered; wire checks skip without it. */
static int live_capture(struct scn_ctx *c, struct scn_live *l,
			const char *filter)
{
	char pcap[600];

	snprintf(pcap, sizeof(pcap), "%s/lo.pcap", c->dir);
	if (scn_capture_start(&l->cap, "lo", filter, pcap, c->capture_why,
			      sizeof(c->capture_why))) {
		char w[200];

		snprintf(w, sizeof(w), "no capture permission (%.150s)",
			 c->capture_why);
		snprintf(c->capture_why, sizeof(c->capture_why), "%s", w);
		c->capture_ok = false;
		rep_summary_skip(c->sum, "link capture", "skipped: %s", w);
		return 0;
	}
	c->capture_ok = true;
	return scn_ctx_add_pcap(c, pcap);
}

/*
 * --target HOST:PORT: the SIP server is someone else's and already runs;
 * nothing is started or configured there, only the link is captured (its
 * SIP port, and RTP to or from this run's UAs).
 */
static int target_start(struct scn_ctx *c, char *err, size_t errsz)
{
	struct scn_live *l = mem_zalloc(sizeof(*l));
	const char *t = c->o->target, *colon = strrchr(t, ':');
	unsigned long port = colon ? strtoul(colon + 1, NULL, 10) : 0;
	char filter[200];

	if (!l)
		return ENOMEM;
	c->be_state = l;
	l->pid = -1;
	if (!colon || !port || port > 65535 ||
	    (size_t)(colon - t) >= sizeof(l->host)) {
		snprintf(err, errsz, "--target %s: want HOST:PORT", t);
		return EINVAL;
	}
	memcpy(l->host, t, (size_t)(colon - t));
	l->host[colon - t] = 0;
	l->port = (uint16_t)port;
	if (ua_ports(l)) {
		snprintf(err, errsz, "no free address block for the bench UAs "
			 "(127.1.x.y:5060-5760 and 127.2.x.y:30000-37015 taken)");
		return EADDRINUSE;
	}
	snprintf(filter, sizeof(filter), "(port %u or (net 127.2.%u.0/24 and "
		 "portrange %u-%u))", l->port, 1 + l->ua_base / 250,
		 l->ua_media, l->ua_media + 15);
	return live_capture(c, l, filter);
}

/*
 * Ports are probed free, then refd binds them: another process on this
 * machine can take one in between. A refd that exits at start is retried
 * on other ports, twice.
 */
static int live_start(struct scn_ctx *c, char *err, size_t errsz)
{
	unsigned attempt;
	int rc = EIO;

	if (c->o->target)
		return target_start(c, err, errsz);
	for (attempt = 0; attempt < 3; attempt++) {
		rc = live_start_once(c, attempt, err, errsz);
		if (rc != EADDRINUSE)
			break;
		mem_free(c->be_state);
		c->be_state = NULL;
	}
	return rc;
}

static int live_start_once(struct scn_ctx *c, unsigned attempt, char *err,
			   size_t errsz)
{
	struct scn_live *l = mem_zalloc(sizeof(*l));
	char refd[600], filter[300], log[600];
	unsigned i;
	int rc, fd;

	if (!l)
		return ENOMEM;
	c->be_state = l;
	l->pid = -1;
	snprintf(l->host, sizeof(l->host), "127.0.0.1");
	snprintf(l->refctl, sizeof(l->refctl), "%s/refctl",
		 c->o->bin_dir ? c->o->bin_dir : "bin");
	snprintf(refd, sizeof(refd), "%s/refd",
		 c->o->bin_dir ? c->o->bin_dir : "bin");
	if (mkdir(c->data_dir, 0700) && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", c->data_dir, strerror(errno));
		return errno;
	}
	if (free_port(&l->port, 9, c->o->seed + (uint64_t)getpid() +
		      attempt * 1009) ||
	    free_port(&l->media_lo, 1, c->o->seed + 77 + (uint64_t)getpid() +
		      attempt * 2003)) {
		snprintf(err, errsz, "no free loopback port");
		return EADDRINUSE;
	}
	l->tls = make_cert(c, l);
	rc = write_conf(c, l, err, errsz);
	if (rc)
		return rc;
	snprintf(log, sizeof(log), "%s/refd.log", c->dir);
	l->pid = fork();
	if (l->pid < 0) {
		snprintf(err, errsz, "fork: %s", strerror(errno));
		return errno;
	}
	if (l->pid == 0) {
		char *argv[] = { refd, "-c", c->conf, NULL };

		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(refd, argv);
		fprintf(stderr, "%s: %s\n", refd, strerror(errno));
		_exit(127);
	}
	/* Ready when it accepts TCP on its SIP port; bounded at 30 s. */
	for (i = 0; i < 600; i++) {
		struct timespec ts = { 0, 50 * 1000000 };
		int status;

		if (waitpid(l->pid, &status, WNOHANG) == l->pid) {
			char *argv[] = { "tail", "-n", "1", log, NULL };
			struct buf o;

			l->pid = -1;
			buf_init(&o);
			scn_exec(argv, 5000, &o, err, errsz);
			snprintf(err, errsz, "refd exited with %d: %.*s",
				 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				 (int)(o.len && o.data[o.len - 1] == '\n' ?
				       o.len - 1 : o.len),
				 o.len ? (char *)o.data : "");
			rc = o.len && strstr((char *)o.data, "in use") ?
				EADDRINUSE : EIO;
			buf_fini(&o);
			return rc;
		}
		if (tcp_ready(l->port))
			break;
		nanosleep(&ts, NULL);
	}
	if (i == 600) {
		snprintf(err, errsz, "refd did not listen on 127.0.0.1:%u "
			 "within 30 s", l->port);
		return ETIMEDOUT;
	}
	if (ua_ports(l)) {
		snprintf(err, errsz, "no free address block for the bench UAs "
			 "(127.1.x.y:5060-5760 and 127.2.x.y:30000-37015 taken)");
		return EADDRINUSE;
	}
	if (l->ua_sip != 5060)
		fprintf(stderr, "rtcbench: live: 127.1.%u.y:5060 or "
			"127.2.%u.y:30000 in use: bench UAs on SIP port %u, "
			"RTP %u-%u\n", 1 + l->ua_base / 250,
			1 + l->ua_base / 250, l->ua_sip, l->ua_media,
			l->ua_media + 15);
	/* This run's own traffic only (another run, SIPp, svwar, a perf
	 * tool on the relay's range stay out): refd's own SIP/MSRP ports,
	 * and RTP to or from this run's UAs (127.2.X) on the relay range or
	 * their own ports. */
	snprintf(filter, sizeof(filter), "((host 127.0.0.1 and (port %u or "
		 "port %u or port %u or port %u)) or (net 127.2.%u.0/24 and "
		 "(portrange %u-%u or portrange %u-%u)))",
		 l->port, l->port + 1, l->port + 2, l->port + 6,
		 1 + l->ua_base / 250, l->media_lo, l->media_lo + 199,
		 l->ua_media, l->ua_media + 15);
	return live_capture(c, l, filter);
}

static void live_stop(struct scn_ctx *c)
{
	struct scn_live *l = st_of(c);
	int i, status;

	if (!l)
		return;
	scn_live_ua_stop(c);
	if (l->pid > 0) {
		kill(l->pid, SIGTERM);
		for (i = 0; i < 100; i++) {
			struct timespec ts = { 0, 50 * 1000000 };

			if (waitpid(l->pid, &status, WNOHANG) == l->pid)
				break;
			nanosleep(&ts, NULL);
		}
		if (i == 100) {
			kill(l->pid, SIGKILL);
			waitpid(l->pid, &status, 0);
		}
	}
	scn_capture_stop(l->cap);
	mem_free(l);
	c->be_state = NULL;
}

/* Run refctl -c conf ARGS...; 0, or EIO with its stderr line in err. */
int scn_live_ctl(struct scn_ctx *c, struct buf *out, char *err,
		 size_t errsz, ...)
{
	char *argv[24];
	va_list ap;
	int n = 0, rc;

	argv[n++] = st_of(c)->refctl;
	argv[n++] = "-c";
	argv[n++] = c->conf;
	va_start(ap, errsz);
	while (n < 23 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	rc = scn_exec(argv, CTL_TIMEOUT_MS, out, err, errsz);
	if (rc == 0)
		return 0;
	if (rc > 0) {
		char e2[300];

		snprintf(e2, sizeof(e2), "refctl %s %s: exit %d: %s", argv[3],
			 n > 4 ? argv[4] : "", rc, err);
		snprintf(err, errsz, "%s", e2);
	}
	return EIO;
}

static int live_account_add(struct scn_ctx *c, const struct scn_acct *a,
			    char *err, size_t errsz)
{
	char aor[200], pwf[600];
	FILE *f;
	int rc;

	/* the target's accounts exist already (--accounts names them) */
	if (c->o->target)
		return 0;
	scn_aor(c, a->name, aor, sizeof(aor));
	snprintf(pwf, sizeof(pwf), "%s/.pw-%s", c->dir, a->name);
	f = fopen(pwf, "w");
	if (!f) {
		snprintf(err, errsz, "%s: %s", pwf, strerror(errno));
		return errno;
	}
	fprintf(f, "%s\n", a->password);
	fclose(f);
	rc = scn_live_ctl(c, NULL, err, errsz, "account", "add", aor,
			  "--password-file", pwf, "--email", a->email,
			  "--display", a->display, a->voicemail ? "--voicemail" :
			  a->pgp ? "--pgp" : NULL, a->voicemail && a->pgp ?
			  "--pgp" : NULL, NULL);
	unlink(pwf);
	return rc;
}

static int live_account_delete(struct scn_ctx *c, const struct scn_acct *a,
			       char *err, size_t errsz)
{
	char aor[200];

	scn_aor(c, a->name, aor, sizeof(aor));
	return scn_live_ctl(c, NULL, err, errsz, "account", "delete", aor,
			    NULL);
}

static int live_purchase(struct scn_ctx *c, const struct scn_acct *a,
			 uint64_t amount, const char *name,
			 const char *address, char *err, size_t errsz)
{
	char aor[200], amt[32];

	scn_aor(c, a->name, aor, sizeof(aor));
	snprintf(amt, sizeof(amt), "%llu", (unsigned long long)amount);
	return scn_live_ctl(c, NULL, err, errsz, "purchase", "add", aor,
			    "--amount", amt, "--name", name, "--address",
			    address, NULL);
}

static int live_purge(struct scn_ctx *c, int64_t now_us, char *err,
		      size_t errsz)
{
	char iso[40];

	scn_iso8601(now_us, iso, sizeof(iso));
	return scn_live_ctl(c, NULL, err, errsz, "purge", "--now", iso, NULL);
}

static void live_sync(struct scn_ctx *c)
{
	if (st_of(c))
		scn_capture_sync(st_of(c)->cap);
}

const struct scn_be_ops scn_be_live = {
	.mode = "live",
	.start = live_start,
	.stop = live_stop,
	.account_add = live_account_add,
	.account_delete = live_account_delete,
	.purchase = live_purchase,
	.purge = live_purge,
	.count_cdr = scn_live_count_cdr,
	.count_trace = scn_live_count_trace,
	.count_message = scn_live_count_message,
	.account_exists = scn_live_account_exists,
	.traffic = scn_live_traffic,
	.registered = scn_live_registered,
	.capture_sync = live_sync,
};
