/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `rtcbench perf relay`: one generator, three relays on loopback.
 *
 *   rtcbench perf relay [--streams 1,100,1000] [--rate PPS] [--duration S]
 *                       [--reps N] [--out DIR] [--no-rtpengine] [--no-rt]
 *   rtcbench perf relay --serve NG_PORT [--ports MIN-MAX]
 *
 * --serve runs our relay and ng core on the live driver in the foreground
 * (until SIGTERM) for outside ng clients: Kamailio's rtpengine module,
 * rtpengine benchmark harnesses.
 *
 * For each stream count, each relay runs in its own process, freshly
 * started: a plain recvmmsg/sendmmsg forwarder (the bound), our relay
 * (ref/rtp behind a minimal epoll loop, perf_relay_loop.c) and, when
 * installed, rtpengine 10.5 userspace (--table=-1). Sessions on ours and
 * rtpengine are set up the same way, through the ng protocol (offer and
 * answer per stream). A paced open-loop sender then sends 172-byte G.711
 * RTP packets (RTP header + 160 bytes, send time inside) round-robin over
 * the streams for --duration seconds; one receiver counts what arrives per
 * stream and the one-way latency. The relay's CPU time is read from
 * /proc/PID/task/x/schedstat (nanoseconds, all threads), so the figure
 * that matters, packets per relay CPU-second, does not depend on how busy
 * the shared machine is. The added latency (add_p50/add_p99) comes from
 * kernel receive stamps of sampled packets and of their reference twins
 * sent straight past the relay (perf_relay_gen.c), so neither the
 * generator's nor the receiver's scheduling delays enter it; p50_us and
 * p99_us are the receiver's own clock, one-way, for comparison. The
 * latency target is judged on one extra run per relay with the relays in
 * SCHED_FIFO (see spawn()): at normal priority the figure is the wait for
 * a CPU on a machine shared with other jobs, and it is reported beside.
 *
 * Writes DIR/summary.json (checks + metrics, SPEC.md) and prints a table.
 * Known limit: the generator shares the machine's two cores with the relay;
 * rates above what one core can send are not reachable here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
#include "app/perf_relay.h"
#include "report/summary.h"
#include "rtp/rtp.h"
#include "sdp/sdp.h"

#define PKT_LEN PERF_PKT_LEN
#define MAX_STREAMS PERF_MAX_STREAMS

enum impl {
	IMPL_DIRECT = 0, IMPL_PLAIN, IMPL_OURS, IMPL_OURS_IO, IMPL_RTPENGINE,
	IMPL_N
};
static const char *impl_name[IMPL_N] = { "direct", "plain", "ours",
					 "ours-io", "rtpengine" };
/*
 * Port plans: below the kernel's ephemeral range (32768-60999), where no
 * socket bound to port 0 can take one of ours, apart from refd's default
 * 40000-40999 and from each other. 8000 ports each for the relays: 1000
 * streams need 4000, and rtpengine does not use every port of its range.
 */
#define NG_OURS 20001
#define NG_RTPE 20002
#define NG_OURS_IO 20003
#define PORTS_PLAIN 10000
#define PORTS_OURS 12000
#define PORTS_RTPE 22000
#define PORTS_SPAN 8000

struct res {
	bool ok;
	uint64_t sent, recv;
	double secs, cpu_s, p50_us, p99_us;
	double add_p50_us, add_p99_us;	/* kernel-stamped, see _gen.c */
	size_t add_n;
	unsigned stopped;
};


static int udp_sock(uint16_t port, struct sockaddr_in *bound)
{
	return perf_relay_udp(port, 0, 8 << 20, bound);
}

/* CPU nanoseconds of every thread of pid. */
static double cpu_s(pid_t pid)
{
	char path[320], line[128];
	struct dirent *d;
	unsigned long long ns, sum = 0;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat",
			 (int)pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) &&
		    sscanf(line, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(dir);
	return (double)sum / 1e9;
}

/* ---- relays ---------------------------------------------------------- */

/*
 * Paced runs put every relay (and its threads: rtpengine's inherit it)
 * in SCHED_FIFO: on 2 cores shared with other jobs a relay otherwise
 * waits milliseconds for a CPU after each wake-up, and its added latency
 * measures the machine's load, not the relay. The same for all three, so
 * their CPU figures stay comparable; never for the overload blast, which
 * would take a core from everyone. --no-rt turns it off.
 */
static bool use_rt = true;

static pid_t spawn(enum impl im, unsigned n, uint16_t rx_port, bool rt)
{
	char pmin[32], pmax[32], ng[48];
	struct sched_param sp = { .sched_priority = 10 };
	pid_t pid = fork();
	int devnull;

	if (pid)
		return pid;
	if (rt && use_rt && sched_setscheduler(0, SCHED_FIFO, &sp))
		fprintf(stderr, "perf relay: SCHED_FIFO: %s (latency will "
			"include waits for a CPU)\n", strerror(errno));
	switch (im) {
	case IMPL_PLAIN:
		_exit(perf_relay_plain_main(PORTS_PLAIN, n, rx_port));
	case IMPL_OURS:
		_exit(perf_relay_ours_main(NG_OURS, PORTS_OURS,
					   PORTS_OURS + PORTS_SPAN - 1));
	case IMPL_OURS_IO:
		_exit(perf_relay_io_main(NG_OURS_IO, PORTS_OURS,
					 PORTS_OURS + PORTS_SPAN - 1));
	default:
		snprintf(pmin, sizeof(pmin), "--port-min=%d", PORTS_RTPE);
		snprintf(pmax, sizeof(pmax), "--port-max=%d",
			 PORTS_RTPE + PORTS_SPAN - 1);
		snprintf(ng, sizeof(ng), "--listen-ng=127.0.0.1:%d", NG_RTPE);
		devnull = open("/dev/null", 1);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execlp("rtpengine", "rtpengine", "--table=-1", "--foreground",
		       "--interface=127.0.0.1", ng, pmin, pmax,
		       "--delete-delay=0", "--log-level=3", "--log-stderr",
		       "--pidfile=/dev/null", (char *)NULL);
		_exit(127);
	}
}

static void reap(pid_t pid)
{
	int i, st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/*
 * One run of relay im with n streams. overload: instead of one paced
 * phase, a 1.2 s blast as fast as the sender can go, then rate for dur;
 * "stopped" then counts streams that no longer forward after the blast
 * (rtpengine 10.5 stops reading a socket after 5 overflowing reads).
 */
static int run(enum impl im, unsigned n, unsigned rate, double dur,
	       bool overload, bool rt, struct res *out)
{
	uint64_t blast = 0;
	static struct perf_gen g;
	static struct sockaddr_in dst[MAX_STREAMS];
	struct sockaddr_in rxa, txa, refa;
	struct perf_gen_lat lat;
	pid_t pid = 0;
	int rxfd, txfd, reffd, ngfd = -1, i, err = 0;
	uint16_t port = 0, ng = im == IMPL_OURS ? NG_OURS :
			       im == IMPL_OURS_IO ? NG_OURS_IO : NG_RTPE;
	uint64_t t0, per_stream;
	double c0 = 0, c1 = 0;
	unsigned k;

	memset(out, 0, sizeof(*out));
	rxfd = udp_sock(0, &rxa);
	txfd = udp_sock(0, &txa);
	reffd = udp_sock(0, &refa);
	if (rxfd < 0 || txfd < 0 || reffd < 0) {
		err = errno;
		goto out;
	}
	if (im != IMPL_DIRECT)
		pid = spawn(im, n, ntohs(rxa.sin_port), rt);
	for (k = 0; k < n; k++)
		dst[k] = rxa;
	if (im == IMPL_PLAIN) {
		usleep(300000);
		for (k = 0; k < n; k++)
			dst[k] = perf_relay_lo((uint16_t)(PORTS_PLAIN + 2 * k));
	} else if (im != IMPL_DIRECT) {
		ngfd = udp_sock(0, NULL);
		for (i = 0; i < 50 && !perf_relay_ng_ping(ngfd, ng); i++)
			usleep(100000);
		if (i == 50) {
			err = ETIMEDOUT;
			goto out;
		}
		for (k = 0; k < n && !err; k++) {
			err = perf_relay_ng_stream(ngfd, ng, k, ntohs(txa.sin_port),
					ntohs(rxa.sin_port), &port);
			dst[k] = perf_relay_lo(port);
		}
		if (err)
			goto out;
	}
	if ((err = perf_gen_start(&g, rxfd, reffd, &refa)))
		goto out;
	if (pid)
		c0 = cpu_s(pid);
	if (overload) {
		perf_gen_load(&g, txfd, dst, n, 2000000, 1.2, false, &blast);
		usleep(300000);
		g.phase = 1;
	}
	t0 = perf_relay_mono_ns();
	perf_gen_load(&g, txfd, dst, n, rate, dur, !overload, &out->sent);
	usleep(200000);		/* stragglers */
	if (pid)
		c1 = cpu_s(pid);
	perf_gen_stop(&g, &lat);
	out->secs = (double)(perf_relay_mono_ns() - t0) / 1e9 - 0.2;
	out->recv = g.recv;
	out->cpu_s = c1 - c0;
	per_stream = out->sent / n;
	for (k = 0; k < n; k++)
		if ((overload ? g.per2[k] : g.per[k]) * 2 < per_stream)
			out->stopped++;
	if (overload) {
		out->sent += blast;
		out->secs += 1.5;
	}
	out->p50_us = lat.p50_us;
	out->p99_us = lat.p99_us;
	out->add_p50_us = lat.add_p50_us;
	out->add_p99_us = lat.add_p99_us;
	out->add_n = lat.samples;
	out->ok = true;
out:
	reap(pid);
	if (ngfd >= 0)
		close(ngfd);
	if (reffd >= 0)
		close(reffd);
	if (rxfd >= 0)
		close(rxfd);
	if (txfd >= 0)
		close(txfd);
	return err;
}

/* ---- report ---------------------------------------------------------- */

struct check {
	char name[96];
	bool ok;
	char detail[200];
};

/* The targets for one of our relays o at n streams: chk gets 3
 * or 4 entries; returns how many. */
static unsigned checks(struct check *chk, unsigned n, const char *nm,
		       const struct res *o, const struct res *p,
		       const struct res *e, const struct res *ol,
		       const struct res *d)
{
	double oe = o->cpu_s > 0 ? o->recv / o->cpu_s : 0;
	double pe = p->cpu_s > 0 ? p->recv / p->cpu_s : 0;
	double ee = e && e->cpu_s > 0 ? e->recv / e->cpu_s : 0;
	double loss = o->sent ? 100.0 * (double)(o->sent - (o->recv <
			o->sent ? o->recv : o->sent)) / o->sent : 100;
	unsigned k = 0;

	snprintf(chk[k].name, sizeof(chk[k].name),
		 "relay %u streams: %s forwards with <= 0.5%% loss", n, nm);
	chk[k].ok = o->ok && loss <= 0.5 && !o->stopped;
	snprintf(chk[k].detail, sizeof(chk[k].detail),
		 "loss %.3f%%, %u streams stopped", loss, o->stopped);
	k++;
	snprintf(chk[k].name, sizeof(chk[k].name),
		 "relay %u streams: %s >= 80%% of plain pkt/cpu_s", n, nm);
	chk[k].ok = o->ok && p->ok && oe >= 0.8 * pe;
	snprintf(chk[k].detail, sizeof(chk[k].detail), "%.0f vs %.0f (%.2fx)",
		 oe, pe, pe ? oe / pe : 0);
	k++;
	if (e) {
		snprintf(chk[k].name, sizeof(chk[k].name),
			 "relay %u streams: %s >= 1.5x rtpengine pkt/cpu_s",
			 n, nm);
		chk[k].ok = o->ok && e->ok && oe >= 1.5 * ee;
		snprintf(chk[k].detail, sizeof(chk[k].detail),
			 "%.0f vs %.0f (%.2fx)", oe, ee, ee ? oe / ee : 0);
		k++;
	}
	/* Added latency: the kernel's stamps of each sampled packet as the
	 * relay sent it on and of its twin as the generator sent it
	 * (perf_relay_gen.c); the receiver's clock figures, which carry its
	 * own scheduling delay, are shown beside. */
	snprintf(chk[k].name, sizeof(chk[k].name),
		 "relay %u streams: %s adds <= 200 us at p99", n, nm);
	chk[k].ok = ol->ok && ol->add_n > 0 && ol->add_p99_us <= 200;
	snprintf(chk[k].detail, sizeof(chk[k].detail),
		 "kernel stamps%s: p50 %.1f us, p99 %.1f us of %zu samples "
		 "(method floor p99 %.1f); at normal priority p99 %.0f us",
		 use_rt ? ", SCHED_FIFO" : "", ol->add_p50_us, ol->add_p99_us,
		 ol->add_n, d->add_p99_us, o->add_p99_us);
	return k + 1;
}

static double eff(const struct res *x)
{
	return x->cpu_s > 0 ? x->recv / x->cpu_s : (double)x->p99_us;
}

/* Order runs by packets per CPU-second (direct runs: by p99). */
static int cmp_eff(const void *a, const void *b)
{
	double x = eff(a), y = eff(b);

	return x < y ? -1 : x > y;
}

/* mkdir -p */
static void mkdirs(const char *dir)
{
	char tmp[512], *p;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

static int usage(const char *why)
{
	fprintf(stderr, "rtcbench perf relay: %s\n"
		"usage: rtcbench perf relay [--streams 1,100,1000] "
		"[--rate PPS] [--duration S] [--reps N] [--out DIR] "
		"[--no-rtpengine] [--no-rt]\n"
		"       rtcbench perf relay --serve NG_PORT [--ports MIN-MAX]\n",
		why);
	return 2;
}

static bool have_rtpengine(void)
{
	return !system("command -v rtpengine >/dev/null 2>&1");
}

int perf_relay(int argc, char **argv)
{
	unsigned counts[8], ncounts = 0, rate = 20000, c, im, reps = 3;
	unsigned serve = 0, pmin = 30000, pmax = 33999;
	double dur = 2.0;
	const char *outdir = "results/latest", *list = "1,100,1000";
	bool rtpe = true;
	static struct res r[8][IMPL_N], lt[8][IMPL_N], ov[IMPL_N];
	struct check chk[96];
	unsigned nchk = 0, pass = 0;
	char path[512], *end, *mj;
	json_t *meta;
	FILE *f;
	int i, err;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--streams") && i + 1 < argc)
			list = argv[++i];
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
			rate = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--duration") && i + 1 < argc)
			dur = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			outdir = argv[++i];
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--no-rtpengine"))
			rtpe = false;
		else if (!strcmp(argv[i], "--no-rt"))
			use_rt = false;
		else if (!strcmp(argv[i], "--serve") && i + 1 < argc)
			serve = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--ports") && i + 1 < argc &&
			 sscanf(argv[i + 1], "%u-%u", &pmin, &pmax) == 2)
			i++;
		else
			return usage("unknown option");
	}
	if (serve) {
		/* Our relay + ng on the live driver, in the foreground until
		 * SIGTERM: for external ng clients (Kamailio, harnesses). */
		if (serve > 65535 || pmin < 1024 || pmax > 65535 ||
		    pmin + 3 > pmax)
			return usage("--serve PORT --ports MIN-MAX");
		return perf_relay_io_main((uint16_t)serve, (uint16_t)pmin,
					  (uint16_t)pmax) ? 2 : 0;
	}
	for (const char *p = list; *p && ncounts < 8; p = *end ? end + 1 : end) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || v == 0 || v > MAX_STREAMS ||
		    (*end && *end != ','))
			return usage("--streams: counts 1-1000, comma separated");
		counts[ncounts++] = (unsigned)v;
	}
	if (rate < 50 || rate > 2000000 || dur < 0.2 || dur > 60 || !reps ||
	    reps > 9)
		return usage("--rate 50-2000000, --duration 0.2-60, --reps 1-9");
	if (rtpe && !have_rtpengine()) {
		fprintf(stderr, "perf relay: rtpengine not installed, "
			"skipping it (make deps installs it)\n");
		rtpe = false;
	}
	meta = rep_meta_new("perf relay");
	printf("relay benchmark: %u pkt/s of %d-byte RTP for %.1f s, median "
	       "of %u runs\n", rate, PKT_LEN, dur, reps);
	printf("%-10s %7s %9s %7s %8s %12s %8s %8s %8s %8s %7s\n", "relay",
	       "streams", "relayed/s", "loss%", "cpu_s", "pkt/cpu_s", "p50_us",
	       "p99_us", "add_p50", "add_p99", "stopped");
	for (c = 0; c < ncounts; c++) {
		static struct res tmp[IMPL_N][9];
		unsigned rep, ok[IMPL_N] = { 0 };

		/* Interleaved repetitions; the median run (by packets per
		 * CPU-second) stands for each relay: the machine is shared
		 * and single runs swing by a third. */
		for (rep = 0; rep < reps; rep++) {
			for (im = 0; im < IMPL_N; im++) {
				if (im == IMPL_RTPENGINE && !rtpe)
					continue;
				err = run((enum impl)im, counts[c], rate, dur,
					  false, false, &tmp[im][ok[im]]);
				if (err)
					fprintf(stderr, "perf relay: %s with "
						"%u streams: %s\n",
						impl_name[im], counts[c],
						strerror(err));
				else
					ok[im]++;
			}
		}
		for (im = 0; im < IMPL_N; im++) {
			struct res *x = &r[c][im];

			if (!ok[im])
				continue;
			qsort(tmp[im], ok[im], sizeof(struct res), cmp_eff);
			*x = tmp[im][ok[im] / 2];
			printf("%-10s %7u %9.0f %7.2f %8.3f %12.0f %8.0f "
			       "%8.0f %8.1f %8.1f %7u\n", impl_name[im],
			       counts[c], x->recv / x->secs,
			       x->sent ? 100.0 * (double)(x->sent - (x->recv <
				x->sent ? x->recv : x->sent)) / x->sent : 0,
			       x->cpu_s, x->cpu_s > 0 ? x->recv / x->cpu_s : 0,
			       x->p50_us, x->p99_us, x->add_p50_us,
			       x->add_p99_us, x->stopped);
			fflush(stdout);
		}
	}

	/* Added latency: one more run each with the relays in SCHED_FIFO,
	 * so that what is measured is the relay, not the machine's load;
	 * the runs above stay at normal priority for the CPU figures (a
	 * relay that waits for a CPU batches more per wake-up). */
	for (c = 0; c < ncounts; c++) {
		if (!use_rt) {
			memcpy(lt[c], r[c], sizeof(lt[c]));
			continue;
		}
		printf("added latency at %u streams, relays in SCHED_FIFO "
		       "(kernel stamps, us):", counts[c]);
		for (im = 0; im < IMPL_N; im++) {
			struct res *x = &lt[c][im];

			if (im == IMPL_RTPENGINE && !rtpe)
				continue;
			err = run((enum impl)im, counts[c], rate, dur, false,
				  true, x);
			if (err)
				fprintf(stderr, "perf relay: latency %s: %s\n",
					impl_name[im], strerror(err));
			else
				printf(" %s %.1f/%.1f", impl_name[im],
				       x->add_p50_us, x->add_p99_us);
		}
		printf(" (p50/p99)\n");
	}

	/* Overload: 10 streams blasted, then paced; who still forwards? */
	printf("overload: 10 streams, 1.2 s blast then %u pkt/s for %.1f s\n",
	       rate / 10 > 100 ? rate / 10 : 100, dur);
	for (im = IMPL_OURS; im < IMPL_N; im++) {
		if (im == IMPL_RTPENGINE && !rtpe)
			continue;
		err = run((enum impl)im, 10, rate / 10 > 100 ? rate / 10 : 100,
			  dur, true, false, &ov[im]);
		if (err)
			fprintf(stderr, "perf relay: overload %s: %s\n",
				impl_name[im], strerror(err));
		else
			printf("%-10s streams stopped after blast: %u of 10\n",
			       impl_name[im], ov[im].stopped);
	}
	{
		struct check *k = &chk[nchk++];

		snprintf(k->name, sizeof(k->name),
			 "relay overload: no stream of ours stops forwarding");
		k->ok = ov[IMPL_OURS].ok && !ov[IMPL_OURS].stopped &&
			ov[IMPL_OURS_IO].ok && !ov[IMPL_OURS_IO].stopped;
		snprintf(k->detail, sizeof(k->detail), "ours %u, ours-io %u, "
			 "rtpengine %u of 10 stopped", ov[IMPL_OURS].stopped,
			 ov[IMPL_OURS_IO].stopped, ov[IMPL_RTPENGINE].stopped);
	}

	/* Checks, per stream count and for both ways of running our relay
	 * (own loop, live driver): the targets. */
	for (c = 0; c < ncounts; c++) {
		for (im = IMPL_OURS; im <= IMPL_OURS_IO; im++) {
			nchk += checks(&chk[nchk], counts[c], impl_name[im],
				       &r[c][im], &r[c][IMPL_PLAIN],
				       rtpe ? &r[c][IMPL_RTPENGINE] : NULL,
				       &lt[c][im], &lt[c][IMPL_DIRECT]);
		}
	}
	mkdirs(outdir);
	snprintf(path, sizeof(path), "%s/summary.json", outdir);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "perf relay: %s: %s\n", path, strerror(errno));
		json_decref(meta);
		return 2;
	}
	for (c = 0; c < nchk; c++)
		pass += chk[c].ok;
	fprintf(f, "{ \"passed\": %u, \"failed\": %u, \"checks\": [", pass,
		nchk - pass);
	for (c = 0; c < nchk; c++)
		fprintf(f, "%s\n  {\"name\": \"%s\", \"ok\": %s, "
			"\"detail\": \"%s\"}", c ? "," : "", chk[c].name,
			chk[c].ok ? "true" : "false", chk[c].detail);
	fprintf(f, "],\n \"metrics\": {\"relay_rate_pps\": %u", rate);
	for (c = 0; c < ncounts; c++) {
		for (im = 0; im < IMPL_N; im++) {
			struct res *x = &r[c][im];
			const char *nm = impl_name[im];

			if (!x->ok)
				continue;
			fprintf(f, ",\n  \"relay_%s_%u_relayed_pps\": %.0f"
				", \"relay_%s_%u_loss_pct\": %.3f"
				", \"relay_%s_%u_cpu_s\": %.4f"
				", \"relay_%s_%u_pkts_per_cpu_s\": %.0f"
				", \"relay_%s_%u_p50_us\": %.0f"
				", \"relay_%s_%u_p99_us\": %.0f"
				", \"relay_%s_%u_streams_stopped\": %u",
				nm, counts[c], x->recv / x->secs,
				nm, counts[c], x->sent ? 100.0 *
				(double)(x->sent - (x->recv < x->sent ?
				x->recv : x->sent)) / x->sent : 0,
				nm, counts[c], x->cpu_s,
				nm, counts[c], x->cpu_s > 0 ?
				x->recv / x->cpu_s : 0,
				nm, counts[c], x->p50_us, nm, counts[c],
				x->p99_us, nm, counts[c], x->stopped);
			fprintf(f, ", \"relay_%s_%u_added_p50_us\": %.1f"
				", \"relay_%s_%u_added_p99_us\": %.1f"
				", \"relay_%s_%u_added_samples\": %zu"
				", \"relay_%s_%u_loaded_added_p99_us\": %.1f",
				nm, counts[c], lt[c][im].add_p50_us,
				nm, counts[c], lt[c][im].add_p99_us,
				nm, counts[c], lt[c][im].add_n,
				nm, counts[c], x->add_p99_us);
		}
	}
	for (im = IMPL_OURS; im < IMPL_N; im++)
		if (ov[im].ok)
			fprintf(f, ",\n  \"relay_%s_overload_streams_stopped\": %u",
				impl_name[im], ov[im].stopped);
	/* machine, load at start and dates, as in every summary */
	mj = rep_meta_dumps(meta);
	json_decref(meta);
	fprintf(f, "},\n \"meta\": %s}\n", mj ? mj : "{}");
	free(mj);
	fclose(f);
	for (c = 0; c < nchk; c++)
		printf("%s %s (%s)\n", chk[c].ok ? "ok  " : "FAIL",
		       chk[c].name, chk[c].detail);
	printf("%u passed, %u failed\n", pass, nchk - pass);
	return pass == nchk ? 0 : 1;
}
