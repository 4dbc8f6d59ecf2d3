/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench perf redrive [--calls N] [--no-sipp] [--keep] [--out DIR]: how
 * fast the live re-drive plays captured calls against refd, next to SIPp
 * driving the same number of calls through the same refd. A temporary
 * refd (UDP, digest auth on, two accounts) is started on a free loopback
 * port; a capture of N calls (INVITE/180/200/ACK/BYE/200, with SDP) is written
 * with sim/replay's capture writer and re-driven by `rtcbench replay
 * --target 127.0.0.1:PORT --asap` (caller and callee played, each INVITE
 * challenged and answered); then SIPp registers its callee (uas_rr.xml)
 * and its caller (uac_auth.xml, the 100 ms pause before the BYE removed)
 * places N calls one at a time (-l 1), so both sides do the same dialogs
 * in the same order, each with its 407 round; then again with up to 50
 * calls at once (-l 50), SIPp's own best. Figures: dialogs per second
 * each (ours from the replay's own wall clock, SIPp's from its process
 * wall time) and the ratios. Bounded: every child has a timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <jansson.h>
#include "app/perf.h"
#include "base/mem.h"
#include "replay/replay.h"
#include "report/summary.h"
#include "scenario/run_int.h"

#define PW "Rd7-kq2!vX9pLm"

static double wall(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool port_free(uint16_t p)
{
	int t, ok = 1;

	for (t = 0; t < 2 && ok; t++) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(p) };
		int fd = socket(AF_INET, t ? SOCK_STREAM : SOCK_DGRAM, 0);

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a));
		if (fd >= 0)
			close(fd);
	}
	return ok;
}

static pid_t spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int stop(pid_t pid, unsigned ms)
{
	int st = -1;
	unsigned i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(10000);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return -1;
}

/* One synthetic call on the leg caller -> proxy. */
static void call(struct rpl_writer *w, unsigned i, uint64_t t)
{
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 10.1.0.1\r\ns=-\r\n"
				  "c=IN IP4 10.1.0.1\r\nt=0 0\r\n"
				  "m=audio 4000 RTP/AVP 0\r\n";
	struct rpl_ep a = { 4, { 10, 1, 0, 1 }, 5060 };
	struct rpl_ep p = { 4, { 10, 1, 0, 9 }, 5060 };
	const char *fl[6] = {
		"INVITE sip:bob@cap.test SIP/2.0", "SIP/2.0 180 Ringing",
		"SIP/2.0 200 OK", "ACK sip:bob@10.1.0.2 SIP/2.0",
		"BYE sip:bob@10.1.0.2 SIP/2.0", "SIP/2.0 200 OK" };
	const char *cs[6] = { "1 INVITE", "1 INVITE", "1 INVITE", "1 ACK",
			      "2 BYE", "2 BYE" };
	char m[1500];
	int k, n;

	for (k = 0; k < 6; k++) {
		bool body = k == 0 || k == 2, back = k == 1 || k == 2 ||
						     k == 5;

		n = snprintf(m, sizeof(m), "%s\r\nVia: SIP/2.0/UDP 10.1.0.1:"
			     "5060;branch=z9hG4bK%u-%d\r\nFrom: <sip:alice@"
			     "cap.test>;tag=a%u\r\nTo: <sip:bob@cap.test>%s%u\r\n"
			     "Call-ID: c%u@10.1.0.1\r\nCSeq: %s\r\n%s%s"
			     "Content-Length: %zu\r\n\r\n%s", fl[k], i,
			     k < 3 ? 1 : k, i, k ? ";tag=b" : "", k ? i : 0,
			     i, cs[k], k == 0 || k == 2 ? "Contact: <sip:x@"
			     "10.1.0.1>\r\n" : "", body ? "Content-Type: "
			     "application/sdp\r\n" : "", body ?
			     sizeof(sdp) - 1 : 0, body ? sdp : "");
		if (k == 0)	/* no To tag on the INVITE */
			n = snprintf(m, sizeof(m), "%s\r\nVia: SIP/2.0/UDP "
				     "10.1.0.1:5060;branch=z9hG4bK%u-1\r\n"
				     "From: <sip:alice@cap.test>;tag=a%u\r\n"
				     "To: <sip:bob@cap.test>\r\nCall-ID: c%u@"
				     "10.1.0.1\r\nCSeq: 1 INVITE\r\nContact: "
				     "<sip:x@10.1.0.1>\r\nContent-Type: "
				     "application/sdp\r\nContent-Length: %zu"
				     "\r\n\r\n%s", fl[0], i, i, i,
				     sizeof(sdp) - 1, sdp);
		rpl_writer_udp(w, t + (uint64_t)k * 1000, back ? &p : &a,
			       back ? &a : &p, (uint8_t *)m, (size_t)n);
	}
}

static double json_metric(const char *path, const char *name)
{
	json_t *j = json_load_file(path, 0, NULL);
	double v = json_number_value(json_object_get(
		json_object_get(j, "metrics"), name));

	json_decref(j);
	return v;
}

struct bench {
	char dir[64], conf[128], self[512];
	uint16_t port;
	unsigned n;
	pid_t refd;
};

static int refd_up(struct bench *b, char *err, size_t errsz)
{
	char *argv[] = { "bin/refd", "-c", b->conf, NULL };
	char log[160], *ctl[] = { "bin/refctl", "-c", b->conf, "account",
				  "add", NULL, "--password", PW, NULL };
	const char *users[] = { "alice@example.test", "bob@example.test" };
	FILE *f = fopen(b->conf, "w");
	unsigned i;

	if (!f)
		return snprintf(err, errsz, "%s: %s", b->conf,
				strerror(errno)), EIO;
	fprintf(f, "[platform]\ndomain = example.test\ndata_dir = %s/var\n"
		"policy = ref/policy/sip2sip.policy\n[sip]\nlisten = "
		"udp:127.0.0.1:%u tcp:127.0.0.1:%u\nauth = on\n", b->dir,
		b->port, b->port);
	fclose(f);
	for (i = 0; i < 2; i++) {
		ctl[5] = (char *)users[i];
		if (scn_exec(ctl, 20000, NULL, err, errsz))
			return EIO;
	}
	snprintf(log, sizeof(log), "%s/refd.log", b->dir);
	b->refd = spawn(argv, log);
	for (i = 0; i < 300 && port_free(b->port); i++)
		usleep(10000);
	if (port_free(b->port))
		return snprintf(err, errsz, "refd did not start (%s)", log),
		       EIO;
	return 0;
}

/* Ours: the capture re-driven; dialogs per second, or < 0. */
static double ours(struct bench *b, struct rep_summary *sum)
{
	char pcap[160], acc[160], tgt[40], out[160], js[200], err[256];
	char *argv[] = { b->self, "replay", pcap, "--target", tgt,
			 "--accounts", acc, "--asap", "--out", out, NULL };
	struct rpl_writer *w = NULL;
	double matched, secs;
	FILE *f;
	unsigned i;
	int rc;

	snprintf(pcap, sizeof(pcap), "%s/calls.pcap", b->dir);
	snprintf(acc, sizeof(acc), "%s/accounts", b->dir);
	snprintf(tgt, sizeof(tgt), "127.0.0.1:%u", b->port);
	snprintf(out, sizeof(out), "%s/replay", b->dir);
	snprintf(js, sizeof(js), "%s/summary.json", out);
	if (rpl_writer_open(&w, pcap, err, sizeof(err)))
		return -1;
	for (i = 0; i < b->n; i++)
		call(w, i, 1700000000000000ull + (uint64_t)i * 10000);
	rpl_writer_close(w);
	f = fopen(acc, "w");
	if (!f)
		return -1;
	fprintf(f, "alice@cap.test alice@example.test %s\n"
		"bob@cap.test bob@example.test %s\n", PW, PW);
	fclose(f);
	rc = scn_exec(argv, 120000, NULL, err, sizeof(err));
	matched = json_metric(js, "live_matched");
	secs = json_metric(js, "live_wall_s");
	rep_summary_check(sum, "re-drive", rc == 0 && matched == b->n,
			  "rtcbench replay --target: %.0f of %u calls matched "
			  "in %.3f s (exit %d)", matched, b->n, secs, rc);
	return rc == 0 && secs > 0 ? matched / secs : -1;
}

/* SIPp: callee registered, N calls at most lim at a time; calls/s or
 * < 0. */
static double sipp(struct bench *b, struct rep_summary *sum, const char *lim)
{
	char reg[160], uac[160], scn[160], tgt[40], uport[8], cport[8];
	char contact[40], n[16], log[160], err[256];
	char *r[] = { "sipp", "-nostdin", "-i", "127.0.0.1", "-sf",
		      "tests/integration/sipp/reg_auth.xml", "-inf", reg, tgt,
		      "-p", uport, "-m", "1", "-key", "contact", contact,
		      "-timeout", "20s", NULL };
	char *s[] = { "sipp", "-nostdin", "-i", "127.0.0.1", "-sf",
		      "tests/integration/sipp/uas_rr.xml", "-p", uport, "-m",
		      n, "-key", "contact", contact, "-timeout", "100s",
		      NULL };
	char *c[] = { "sipp", "-nostdin", "-i", "127.0.0.1", "-sf", scn,
		      "-inf", uac, "-s", "bob", tgt, "-p", cport, "-m", n,
		      "-r", "10000", "-l", (char *)lim, "-timeout", "100s",
		      NULL };
	char *sed[] = { "sed", "-e", "/<pause milliseconds=\"100\"\\/>/d",
			"tests/integration/sipp/uac_auth.xml", NULL };
	struct buf xml;
	pid_t uas;
	double t0, t;
	FILE *f;
	int rc, urc;

	snprintf(reg, sizeof(reg), "%s/reg.csv", b->dir);
	snprintf(uac, sizeof(uac), "%s/uac.csv", b->dir);
	snprintf(scn, sizeof(scn), "%s/uac.xml", b->dir);
	snprintf(tgt, sizeof(tgt), "127.0.0.1:%u", b->port);
	snprintf(uport, sizeof(uport), "%u", b->port + 2);
	snprintf(cport, sizeof(cport), "%u", b->port + 3);
	snprintf(contact, sizeof(contact), "127.0.0.1:%u", b->port + 2);
	snprintf(n, sizeof(n), "%u", b->n);
	snprintf(log, sizeof(log), "%s/uas.log", b->dir);
	buf_init(&xml);
	rc = scn_exec(sed, 10000, &xml, err, sizeof(err));
	f = fopen(scn, "w");
	if (rc || !f || fwrite(xml.data, 1, xml.len, f) != xml.len) {
		if (f)
			fclose(f);
		buf_fini(&xml);
		return -1;
	}
	fclose(f);
	buf_fini(&xml);
	for (rc = 0; rc < 2; rc++) {
		f = fopen(rc ? uac : reg, "w");
		if (!f)
			return -1;
		fprintf(f, "SEQUENTIAL\n%s;example.test;[authentication "
			"username=%s password=%s]\n", rc ? "alice" : "bob",
			rc ? "alice" : "bob", PW);
		fclose(f);
	}
	if ((rc = scn_exec(r, 30000, NULL, err, sizeof(err)))) {
		rep_summary_check(sum, "sipp", false, "SIPp callee did not "
				  "register (exit %d): %s", rc, err);
		return -1;
	}
	uas = spawn(s, log);
	usleep(300000);
	t0 = wall();
	rc = scn_exec(c, 120000, NULL, err, sizeof(err));
	t = wall() - t0;
	urc = stop(uas, 5000);
	rep_summary_check(sum, "sipp", rc == 0 && urc == 0, "SIPp: %u calls "
			  "through refd, at most %s at a time, in %.3f s (uac "
			  "exit %d, uas exit %d)", b->n, lim, t, rc, urc);
	return rc == 0 ? b->n / t : -1;
}

int perf_redrive(int argc, char **argv)
{
	struct bench b;
	struct rep_summary *sum = NULL;
	const char *out = "results/perf-redrive";
	char err[256];
	double us = -1, them = -1, conc = -1;
	bool no_sipp = false, keep = false;
	ssize_t k;
	int i, rc = 2;

	memset(&b, 0, sizeof(b));
	b.n = 200;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			b.n = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--no-sipp"))
			no_sipp = true;
		else if (!strcmp(argv[i], "--keep"))
			keep = true;
		else {
			fprintf(stderr, "usage: rtcbench perf redrive [--calls "
				"N] [--no-sipp] [--keep] [--out DIR]\n");
			return 2;
		}
	}
	if (b.n < 1 || b.n > 100000)
		return fprintf(stderr, "perf redrive: --calls 1..100000\n"), 2;
	k = readlink("/proc/self/exe", b.self, sizeof(b.self) - 1);
	snprintf(b.dir, sizeof(b.dir), "/tmp/rtcbench-redrive.XXXXXX");
	if (k <= 0 || !mkdtemp(b.dir) || rep_summary_new(&sum, "perf redrive"))
		return 2;
	snprintf(b.conf, sizeof(b.conf), "%s/refd.ini", b.dir);
	for (b.port = (uint16_t)(30000 + getpid() % 5000 * 4);
	     !port_free(b.port) || !port_free(b.port + 2) ||
	     !port_free(b.port + 3); b.port += 4)
		;
	if (refd_up(&b, err, sizeof(err))) {
		fprintf(stderr, "perf redrive: %s\n", err);
		goto out;
	}
	us = ours(&b, sum);
	if (!no_sipp && access("/usr/bin/sipp", X_OK))
		rep_summary_skip(sum, "sipp", "/usr/bin/sipp not installed");
	else if (!no_sipp && (them = sipp(&b, sum, "1")) > 0)
		conc = sipp(&b, sum, "50");
	rep_summary_metric(sum, "calls", b.n);
	rep_summary_metric(sum, "redrive_dialogs_per_s", us);
	if (them > 0) {
		rep_summary_metric(sum, "sipp_calls_per_s", them);
		rep_summary_metric(sum, "ratio_redrive_to_sipp", us / them);
	}
	if (conc > 0) {
		rep_summary_metric(sum, "sipp_l50_calls_per_s", conc);
		rep_summary_metric(sum, "ratio_redrive_to_sipp_l50",
				   us / conc);
	}
	printf("perf redrive: %u calls against refd: re-drive %.0f dialogs/s"
	       " (one at a time); SIPp -l 1 %.0f calls/s (ratio %.2f), SIPp "
	       "-l 50 %.0f calls/s (ratio %.2f)\n", b.n, us, them,
	       them > 0 ? us / them : 0, conc, conc > 0 ? us / conc : 0);
	rc = rep_summary_write(sum, out) ? 2 : 0;
	rep_summary_print(sum, stdout);
	if (!rc)
		rc = rep_summary_exit(sum);
out:
	if (b.refd > 0)
		stop(b.refd, 0);
	if (!keep) {
		char *rm[] = { "rm", "-rf", b.dir, NULL };

		scn_exec(rm, 30000, NULL, err, sizeof(err));
	} else {
		printf("kept %s\n", b.dir);
	}
	rep_summary_free(sum);
	return rc;
}
