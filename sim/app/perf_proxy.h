/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `rtcbench perf proxy`: refd and Kamailio side by side under the same
 * SIPp load (issue 3, Performance). perf_proxy.c runs the phases and
 * writes the results; perf_proxy_run.c starts the two servers with
 * equivalent configurations, runs SIPp and reads what it measured, and
 * reads the servers' CPU time from /proc. perf_proxy_fwd.c is the
 * physical bound: a forwarder moving the same datagrams through the same
 * live driver with no SIP work and no storage.
 */
#ifndef APP_PERF_PROXY_H
#define APP_PERF_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum px_kind { PX_REFD = 0, PX_KAM, PX_FWD, PX_N };

/* One running server. */
struct px_srv {
	enum px_kind kind;
	bool auth;
	pid_t pid;
	uint16_t port;		/* SIP, UDP on 127.0.0.1 */
	char dir[512];		/* its config, data and logs (< 400) */
};

/* What one SIPp run measured. */
struct px_res {
	bool ran;
	uint64_t ok, failed;
	double wall_s;		/* SIPp start to exit */
	double cpu_s;		/* server CPU (user + system, all processes) */
	double p50_ms, p99_ms;	/* SIPp response-time distribution (rtd 1) */
	double pss_base_kb, pss_peak_kb;	/* server memory (PSS) */
};

/* Start a server (accounts nusers "uN" with password, plus "service"
 * and "alice"); waits until its UDP port is bound. 0, or errno with a
 * line on stderr. */
int px_start(struct px_srv *s, enum px_kind kind, bool auth,
	     const char *dir, uint16_t port, unsigned nusers,
	     const char *password);
void px_stop(struct px_srv *s);
/* Start the loopback forwarder (perf_proxy_fwd.c) on port, the UAS on
 * port + 1; auth: REGISTER gets the 401 round trip first. 0 or errno. */
int px_fwd_start(struct px_srv *s, bool auth, const char *dir,
		 uint16_t port);
/* Wait until s->pid has bound its UDP port (5 s); 0, ECHILD if it
 * exited, ETIMEDOUT, with a line on stderr. */
int px_wait_bound(struct px_srv *s);
/* mkdir that accepts an existing folder; 0 or -1 with errno. */
int px_mkdir(const char *dir);
/* User + system CPU seconds of the server and its child processes. */
double px_cpu_s(const struct px_srv *s);
/* Proportional set size (kB) of the server and its child processes:
 * shared pages counted once across Kamailio's workers. */
double px_pss_kb(const struct px_srv *s);

/*
 * Run SIPp (scenario file scn, in directory dir) against the server with
 * argv extra (NULL-terminated); bounded by limit_s. Fills r from the
 * statistics and response-time files it writes. 0 or errno.
 */
int px_sipp(const struct px_srv *s, const char *dir, const char *scn,
	    const char *const *extra, double limit_s, struct px_res *r);
/* Start SIPp as the record-route-echoing UAS on port (background). */
pid_t px_uas(const char *dir, uint16_t port);
void px_kill(pid_t pid);
double px_mono_s(void);

/* The SIPp scenario folder (tests/integration/sipp). */
extern const char *px_sipp_dir;

#endif
