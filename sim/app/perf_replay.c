/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench perf replay: how fast the trace dissector runs, next to tshark
 * on the same file in the same run. Without a FILE it builds one: the
 * Ethernet captures of the shared corpus, each re-stamped to follow the
 * previous one (editcap -t), concatenated with mergecap -a, then doubled
 * (shifted copy appended) until it reaches --size MB. Both tools run as
 * child processes so that wait4() gives each one's own peak memory; the
 * dissector reads the file with the same reader as `rtcbench replay`.
 * tshark gets `-d tcp.port==6060,sip` so it counts the SIP the corpus
 * carries on that port (MANIFEST.md of the corpus), and the SIP message
 * counts of both must agree. Checks: >= 1 M packets/s on one core and
 * >= 10x tshark's speed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "app/cmd.h"
#include "replay/replay.h"
#include "report/summary.h"

struct meas {
	double wall_s, cpu_s, rss_mb;
	uint64_t frames, sip, calls;
	int rc;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run argv with stdout to out_path (NULL: /dev/null); rusage of it. */
static int spawn(char *const argv[], const char *out_path, struct meas *m)
{
	struct rusage ru;
	double t0 = now_s();
	int st = 0, fd;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (!pid) {
		fd = open(out_path ? out_path : "/dev/null",
			  O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 1);
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		return errno;
	m->wall_s = now_s() - t0;
	m->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		   (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	m->rss_mb = (double)ru.ru_maxrss / 1024.0;
	m->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return 0;
}

static int run_tool(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run_tool(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0 ? 0 : EIO;
}

static int first_ts(const char *path, uint64_t *ts, int *dlt)
{
	struct rpl_reader *rd = NULL;
	const uint8_t *d;
	size_t cl, wl;
	char err[256];
	int e = rpl_reader_open(&rd, path, err, sizeof(err));

	if (e)
		return e;
	*dlt = rpl_reader_dlt(rd);
	e = rpl_reader_next(rd, ts, &d, &cl, &wl);
	rpl_reader_close(rd);
	return e;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The big capture in dir from corpus; its path in out. */
static int make_big(const char *corpus, const char *dir, double size_mb,
		    char *out, size_t outsz, unsigned *copies)
{
	char *names[64], p[4096], base[4096], shifted[4096], next[4096];
	size_t n = 0, i;
	uint64_t t0 = 1700000000ull * 1000000u, at = t0, ts;
	double span_s;
	struct stat st;
	DIR *d = opendir(corpus);
	struct dirent *de;
	int dlt, e = 0, k = 0;

	if (!d)
		return errno;
	while ((de = readdir(d)) && n < 64)
		if (strstr(de->d_name, ".pcap"))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_str);
	snprintf(base, sizeof(base), "%s/base.pcap", dir);
	for (i = 0; i < n && !e; i++) {
		snprintf(p, sizeof(p), "%s/%s", corpus, names[i]);
		if (first_ts(p, &ts, &dlt) || dlt != RPL_DLT_EN10MB)
			continue;	/* one link type per pcap file */
		/* each capture starts 200 s after the previous one began */
		e = run_tool("editcap -F pcap -t %.6f '%s' '%s/part%02zu.pcap'",
			     ((double)at - (double)ts) / 1e6, p, dir, i);
		at += 200000000ull * 10;
		k++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	if (e || !k)
		return e ? e : ENOENT;
	e = run_tool("mergecap -a -F pcap -w '%s' '%s'/part*.pcap && "
		     "rm -f '%s'/part*.pcap && cp '%s' '%s/one.pcap'", base, dir,
		     dir, base, dir);
	span_s = (double)(at - t0) / 1e6;
	*copies = 1;
	while (!e && !stat(base, &st) && (double)st.st_size < size_mb * 1e6) {
		snprintf(shifted, sizeof(shifted), "%s/shifted.pcap", dir);
		snprintf(next, sizeof(next), "%s/next.pcap", dir);
		e = run_tool("editcap -t %.0f '%s' '%s' && mergecap -a -F pcap "
			     "-w '%s' '%s' '%s' && mv '%s' '%s' && rm -f '%s'",
			     span_s, base, shifted, next, base, shifted, next,
			     base, shifted);
		span_s *= 2;
		*copies *= 2;
	}
	snprintf(out, outsz, "%s", base);
	return e;
}

/* The dissector alone, in a child: frames, SIP messages, calls. */
static int run_ours(const char *path, struct meas *m)
{
	int fds[2];
	struct rusage ru;
	double t0;
	pid_t pid;
	int st = 0;
	uint64_t res[3] = { 0, 0, 0 };

	if (pipe(fds))
		return errno;
	t0 = now_s();
	pid = fork();
	if (pid < 0)
		return errno;
	if (!pid) {
		struct rpl_reader *rd = NULL;
		struct rpl *r = NULL;
		const uint8_t *d;
		size_t cl, wl;
		uint64_t ts;
		char err[512];
		int dlt;

		close(fds[0]);
		if (rpl_reader_open(&rd, path, err, sizeof(err)) ||
		    rpl_new(&r, NULL))
			_exit(2);
		dlt = rpl_reader_dlt(rd);
		while (!rpl_reader_next(rd, &ts, &d, &cl, &wl))
			rpl_frame(r, ts, dlt, d, cl, wl);
		rpl_finish(r);
		res[0] = rpl_stats(r)->frames;
		res[1] = rpl_stats(r)->sip_messages;
		res[2] = rpl_stats(r)->calls;
		if (write(fds[1], res, sizeof(res)) != sizeof(res))
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], res, sizeof(res)) != sizeof(res))
		res[0] = 0;
	close(fds[0]);
	if (wait4(pid, &st, 0, &ru) < 0)
		return errno;
	m->wall_s = now_s() - t0;
	m->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		   (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	m->rss_mb = (double)ru.ru_maxrss / 1024.0;
	m->frames = res[0];
	m->sip = res[1];
	m->calls = res[2];
	m->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return m->rc ? EIO : 0;
}

static uint64_t tshark_sip(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	unsigned long long v = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Number of SIP messages: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

int perf_replay(int argc, char **argv)
{
	const char *out = "results/latest", *file = NULL;
	const char *corpus = "/work/shared/corpus/pcaps";
	char dir[] = "/tmp/rtcbench-perf-XXXXXX", big[4200], stat_out[4200];
	char one[4200];
	unsigned copies = 0;
	double size_mb = 200;
	bool tshark = true, keep = false;
	struct meas ours, ts, ts1;
	struct rep_summary *s = NULL;
	struct stat st;
	int i, e, rc = 2;

	memset(&ours, 0, sizeof(ours));
	memset(&ts, 0, sizeof(ts));
	memset(&ts1, 0, sizeof(ts1));
	if (access(corpus, R_OK))
		corpus = "../shared/corpus/pcaps";
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			size_mb = atof(argv[++i]);
		else if (!strcmp(argv[i], "--corpus") && i + 1 < argc)
			corpus = argv[++i];
		else if (!strcmp(argv[i], "--no-tshark"))
			tshark = false;
		else if (!strcmp(argv[i], "--keep"))
			keep = true;
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fprintf(stderr, "usage: rtcbench perf replay [FILE] "
				"[--size MB] [--corpus DIR] [--no-tshark] "
				"[--keep] [--out DIR]\n");
			return 2;
		}
	}
	if (size_mb <= 0 || size_mb > 1000) {
		fprintf(stderr, "rtcbench perf replay: --size wants 1..1000\n");
		return 2;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "rtcbench perf replay: mkdtemp: %s\n",
			strerror(errno));
		return 2;
	}
	if (!file) {
		fprintf(stderr, "perf replay: building a %.0f MB capture from "
			"%s with mergecap...\n", size_mb, corpus);
		e = make_big(corpus, dir, size_mb, big, sizeof(big), &copies);
		if (e) {
			fprintf(stderr, "rtcbench perf replay: cannot build the "
				"capture from %s (editcap/mergecap): %s\n",
				corpus, strerror(e));
			goto out;
		}
		file = big;
	}
	if (stat(file, &st)) {
		fprintf(stderr, "rtcbench perf replay: %s: %s\n", file,
			strerror(errno));
		goto out;
	}
	if (rep_summary_new(&s, "perf replay"))
		goto out;
	fprintf(stderr, "perf replay: dissecting %s (%.0f MB)...\n", file,
		(double)st.st_size / 1e6);
	e = run_ours(file, &ours);
	rep_summary_check(s, "replay dissects", !e && ours.frames,
			  "%llu frames, %llu SIP messages, %llu calls in "
			  "%.2f s (%.2f s CPU), peak RSS %.1f MB",
			  (unsigned long long)ours.frames,
			  (unsigned long long)ours.sip,
			  (unsigned long long)ours.calls, ours.wall_s,
			  ours.cpu_s, ours.rss_mb);
	rep_summary_metric(s, "file_mb", (double)st.st_size / 1e6);
	rep_summary_metric(s, "frames", (double)ours.frames);
	rep_summary_metric(s, "sip_messages", (double)ours.sip);
	rep_summary_metric(s, "replay_wall_s", ours.wall_s);
	rep_summary_metric(s, "replay_cpu_s", ours.cpu_s);
	rep_summary_metric(s, "replay_peak_rss_mb", ours.rss_mb);
	rep_summary_metric(s, "replay_packets_per_s",
			   ours.wall_s > 0 ? ours.frames / ours.wall_s : 0);
	rep_summary_check(s, "replay >= 1M packets/s", ours.wall_s > 0 &&
			  ours.frames / ours.wall_s >= 1e6,
			  "%.0f packets/s (wall, one process)",
			  ours.wall_s > 0 ? ours.frames / ours.wall_s : 0);
	if (tshark) {
		char *targv[] = { "tshark", "-n", "-r", (char *)file, "-q",
				  "-d", "tcp.port==6060,sip", "-z", "sip,stat",
				  NULL };

		fprintf(stderr, "perf replay: tshark -r FILE -q -z sip,stat..."
			"\n");
		snprintf(stat_out, sizeof(stat_out), "%s/tshark.txt", dir);
		e = spawn(targv, stat_out, &ts);
		if (e || ts.rc) {
			rep_summary_skip(s, "tshark", "tshark did not run (%s)",
					 e ? strerror(e) : "exit status");
		} else {
			ts.sip = tshark_sip(stat_out);
			rep_summary_metric(s, "tshark_wall_s", ts.wall_s);
			rep_summary_metric(s, "tshark_peak_rss_mb", ts.rss_mb);
			rep_summary_metric(s, "speedup_vs_tshark",
					   ts.wall_s / ours.wall_s);
			rep_summary_check(s, ">= 10x faster than tshark",
					  ts.wall_s >= 10 * ours.wall_s,
					  "%.2f s vs tshark %.2f s: %.1fx; "
					  "peak RSS %.1f MB vs %.1f MB",
					  ours.wall_s, ts.wall_s,
					  ts.wall_s / ours.wall_s,
					  ours.rss_mb, ts.rss_mb);
			/*
			 * On the repeated copies tshark takes the TCP streams
			 * of a copy for retransmissions of the first one (same
			 * addresses and sequence numbers) and stops counting
			 * their SIP, so the counts are compared on one copy.
			 */
			snprintf(one, sizeof(one), "%s/one.pcap", dir);
			targv[3] = one;
			if (copies && !spawn(targv, stat_out, &ts1) &&
			    !ts1.rc) {
				ts1.sip = tshark_sip(stat_out);
				rep_summary_check(s, "SIP count agrees with "
						  "tshark", ts1.sip * copies ==
						  ours.sip, "ours %llu in %u "
						  "copies, tshark %llu in one "
						  "(%llu in all: it takes the "
						  "repeated TCP streams for "
						  "retransmissions)",
						  (unsigned long long)ours.sip,
						  copies,
						  (unsigned long long)ts1.sip,
						  (unsigned long long)ts.sip);
			} else {
				rep_summary_check(s, "SIP count agrees with "
						  "tshark", ts.sip == ours.sip,
						  "ours %llu, tshark %llu",
						  (unsigned long long)ours.sip,
						  (unsigned long long)ts.sip);
			}
		}
	}
	if ((e = rep_summary_write(s, out))) {
		fprintf(stderr, "rtcbench perf replay: cannot write %s: %s\n",
			out, strerror(e));
		goto out;
	}
	rep_summary_print(s, stdout);
	rc = rep_summary_exit(s);
out:
	rep_summary_free(s);
	if (keep)
		fprintf(stderr, "perf replay: kept %s\n", dir);
	else
		run_tool("rm -rf '%s'", dir);
	return rc;
}
