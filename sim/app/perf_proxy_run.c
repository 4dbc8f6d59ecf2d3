/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The moving parts of `rtcbench perf proxy` (perf_proxy.h): refd and
 * Kamailio 5.6 started with equivalent configurations (stateful proxy,
 * registrar in memory, record-route; digest against HA1 in SQLite when
 * auth is on, MD5 challenge only on both), SIPp runs with their
 * statistics and response-time files read back, and server CPU time
 * from /proc: the nanosecond run time of every thread of the server and
 * of its worker processes (/proc/PID/task/TID/schedstat). The 10 ms
 * ticks of /proc/PID/stat are the fallback only: at 1-3 s per phase
 * they were a +-1 tick (10 ms) error per process, several us per
 * operation.
 *
 * Kamailio runs as PEERS-NOTES.md says: `-x tlsf -X tlsf -m 2048`, two
 * UDP workers, usrloc db_mode 0, auth_db on db_sqlite
 * (sqlite:////abs/path). The bench's throw-away accounts get the same
 * HA1 in both stores. Everything binds to 127.0.0.1.
 */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sodium.h>
#include <sqlite3.h>
#include "base/pl.h"
#include "sip/proxy.h"
#include "store/store.h"
#include "app/perf_proxy.h"

#define DOMAIN "example.test"
#define KAM_MODS "/usr/lib/x86_64-linux-gnu/kamailio/modules/"

const char *px_sipp_dir = "tests/integration/sipp";

double px_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* utime + stime (+ reaped children) of one /proc/PID/stat, in ticks;
 * *ppid gets the parent. -1 if gone. */
static long long stat_ticks(pid_t pid, pid_t *ppid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	long long cut, cst;
	int pp;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* comm may hold spaces */
	if (!p || sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%llu %llu %lld %lld", &pp, &ut, &st, &cut, &cst) != 5)
		return -1;
	if (ppid)
		*ppid = pp;
	return (long long)(ut + st) + cut + cst;
}

/* Run time in ns of every thread of pid (schedstat's first field: time
 * on the CPU, user + system); -1 if the kernel has no schedstat. */
static long long sched_ns(pid_t pid)
{
	char path[96], buf[128];
	unsigned long long ns;
	long long t = 0;
	struct dirent *e;
	FILE *f;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/schedstat",
			 (int)pid, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) &&
		    sscanf(buf, "%llu", &ns) == 1) {
			t += (long long)ns;
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n ? t : -1;
}

/* One process's CPU in seconds: schedstat ns when there, else ticks. */
static double proc_cpu_s(pid_t pid, long long ticks)
{
	long long ns = sched_ns(pid);

	if (ns >= 0)
		return (double)ns / 1e9;
	return ticks > 0 ? (double)ticks / (double)sysconf(_SC_CLK_TCK) : 0;
}

double px_cpu_s(const struct px_srv *s)
{
	long long t = stat_ticks(s->pid, NULL), c;
	double cpu;
	struct dirent *e;
	DIR *d;
	pid_t pp;

	if (t < 0)
		return 0;
	cpu = proc_cpu_s(s->pid, t);
	d = opendir("/proc");
	while (d && (e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || pid == s->pid)
			continue;
		c = stat_ticks(pid, &pp);
		if (c >= 0 && pp == s->pid)
			cpu += proc_cpu_s(pid, c);
	}
	if (d)
		closedir(d);
	return cpu;
}

static double pss_one(pid_t pid)
{
	char path[64], line[128];
	double kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Pss:", 4)) {
			kb = strtod(line + 4, NULL);
			break;
		}
	if (f)
		fclose(f);
	return kb;
}

double px_pss_kb(const struct px_srv *s)
{
	double kb = pss_one(s->pid);
	struct dirent *e;
	DIR *d = opendir("/proc");
	pid_t pp;

	while (d && (e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid > 0 && pid != s->pid && stat_ticks(pid, &pp) >= 0 &&
		    pp == s->pid)
			kb += pss_one(pid);
	}
	if (d)
		closedir(d);
	return kb;
}

/* Wait until 127.0.0.1:port is bound over UDP (/proc/net/udp). */
static bool udp_bound(uint16_t port)
{
	char line[256], want[32];
	bool found = false;
	FILE *f = fopen("/proc/net/udp", "r");

	if (!f)
		return false;
	snprintf(want, sizeof(want), "0100007F:%04X", port);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	fclose(f);
	return found;
}

static pid_t spawn(const char *dir, const char *logname, char *const *argv)
{
	char log[700];
	pid_t pid;
	int fd;

	snprintf(log, sizeof(log), "%s/%s", dir, logname);
	pid = fork();
	if (pid)
		return pid;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	setpgid(0, 0);	/* Kamailio's workers go with it */
	if (chdir(dir))
		_exit(126);
	execvp(argv[0], argv);
	_exit(127);
}

void px_kill(pid_t pid)
{
	int i, st;

	if (pid <= 0)
		return;
	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);
	for (i = 0; i < 60; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			goto group;
		sleep_ms(50);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
group:
	kill(-pid, SIGKILL);	/* stragglers of the group */
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) ? errno : 0;
}

/* rm -r of a previous run's data: every run starts from empty stores. */
static int rm_tree(const char *path)
{
	if (access(path, F_OK))
		return 0;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0) {
		if (f)
			fclose(f);
		return errno ? errno : EIO;
	}
	return fclose(f) ? errno : 0;
}

static int refd_accounts(const char *data_dir, unsigned n, const char *pw)
{
	char err[300], user[32], md5[SIP_HA1_MAX], sha[SIP_HA1_MAX];
	char hash[crypto_pwhash_STRBYTES];
	struct store_account a;
	struct store *st;
	unsigned i;
	int e;

	/* The bench's own throw-away accounts: the cheapest argon2id. */
	if (sodium_init() < 0 ||
	    crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
			      crypto_pwhash_MEMLIMIT_MIN))
		return ENOMEM;
	if ((e = store_open(&st, data_dir, NULL, err, sizeof(err)))) {
		fprintf(stderr, "perf proxy: store: %s\n", err);
		return e;
	}
	store_batch_begin(st);
	for (i = 0; i < n + 2 && !e; i++) {
		if (i < n)
			snprintf(user, sizeof(user), "u%u", i);
		else
			snprintf(user, sizeof(user), "%s",
				 i == n ? "service" : "alice");
		memset(&a, 0, sizeof(a));
		sip_auth_ha1(SIP_AUTH_MD5, user, DOMAIN, pw, md5, sizeof(md5));
		sip_auth_ha1(SIP_AUTH_SHA256, user, DOMAIN, pw, sha,
			     sizeof(sha));
		a.user = pl_from_str(user);
		a.domain = PL(DOMAIN);
		a.ha1_md5 = pl_from_str(md5);
		a.ha1_sha256 = pl_from_str(sha);
		a.pwhash = pl_from_str(hash);
		e = store_account_add(st, &a, NULL);
	}
	if (!e)
		e = store_batch_commit(st);
	store_close(st);
	return e;
}

static int kam_accounts(const char *db_path, unsigned n, const char *pw)
{
	char sql[512], user[32], md5[SIP_HA1_MAX];
	sqlite3 *db = NULL;
	unsigned i;
	int rc;

	rc = sqlite3_open(db_path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db,
			"CREATE TABLE version (table_name VARCHAR(32) NOT NULL,"
			" table_version INTEGER DEFAULT 0 NOT NULL);"
			"INSERT INTO version VALUES('subscriber', 7);"
			"CREATE TABLE subscriber (id INTEGER PRIMARY KEY NOT NULL,"
			" username VARCHAR(64) DEFAULT '' NOT NULL,"
			" domain VARCHAR(64) DEFAULT '' NOT NULL,"
			" password VARCHAR(64) DEFAULT '' NOT NULL,"
			" ha1 VARCHAR(128) DEFAULT '' NOT NULL,"
			" ha1b VARCHAR(128) DEFAULT '' NOT NULL);"
			"CREATE INDEX account_idx ON subscriber (username, domain);"
			"BEGIN;", NULL, NULL, NULL);
	for (i = 0; rc == SQLITE_OK && i < n + 2; i++) {
		if (i < n)
			snprintf(user, sizeof(user), "u%u", i);
		else
			snprintf(user, sizeof(user), "%s",
				 i == n ? "service" : "alice");
		sip_auth_ha1(SIP_AUTH_MD5, user, DOMAIN, pw, md5, sizeof(md5));
		snprintf(sql, sizeof(sql), "INSERT INTO subscriber (username,"
			 " domain, ha1) VALUES ('%s', '%s', '%s');", user,
			 DOMAIN, md5);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "perf proxy: %s: %s\n", db_path,
			db ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : EIO;
}

static int refd_conf(struct px_srv *s, char *ini, size_t sz)
{
	char cwd[400], text[1500];

	if (!getcwd(cwd, sizeof(cwd)))
		return errno;
	snprintf(ini, sz, "%.400s/refd.ini", s->dir);
	snprintf(text, sizeof(text),
		 "; rtcbench perf proxy\n[platform]\ndomain = " DOMAIN "\n"
		 "data_dir = %.400s/var\npolicy = %s/ref/policy/sip2sip.policy\n"
		 "log_level = warn\n[sip]\nlisten = udp:127.0.0.1:%u\n"
		 "auth = %s\nauth_sha256 = off\nmax_transactions = 1000000\n"
		 "log_level = warn\n", s->dir, cwd, s->port,
		 s->auth ? "on" : "off");
	return write_file(ini, text);
}

static int kam_conf(struct px_srv *s, char *cfg, size_t sz)
{
	char text[3000];

	snprintf(cfg, sz, "%.400s/kamailio.cfg", s->dir);
	snprintf(text, sizeof(text),
		"#!KAMAILIO\n"
		"# rtcbench perf proxy: the same job as refd's [sip] core\n"
		"debug=1\nlog_stderror=yes\nchildren=2\n"
		"listen=udp:127.0.0.1:%u\nalias=" DOMAIN "\n"
		"mpath=\"" KAM_MODS "\"\n"
		"loadmodule \"tm.so\"\nloadmodule \"sl.so\"\n"
		"loadmodule \"rr.so\"\nloadmodule \"pv.so\"\n"
		"loadmodule \"maxfwd.so\"\nloadmodule \"siputils.so\"\n"
		"loadmodule \"textops.so\"\n"
		"loadmodule \"usrloc.so\"\nloadmodule \"registrar.so\"\n"
		"#!ifdef WITH_AUTH\n"
		"loadmodule \"db_sqlite.so\"\nloadmodule \"auth.so\"\n"
		"loadmodule \"auth_db.so\"\n"
		"modparam(\"auth_db\", \"db_url\", \"sqlite:///%.400s/auth.db\")\n"
		"modparam(\"auth_db\", \"calculate_ha1\", 0)\n"
		"modparam(\"auth_db\", \"password_column\", \"ha1\")\n"
		"modparam(\"auth_db\", \"load_credentials\", \"\")\n"
		"#!endif\n"
		"modparam(\"usrloc\", \"db_mode\", 0)\n"
		"request_route {\n"
		" if (!mf_process_maxfwd_header(\"70\")) {\n"
		"  sl_send_reply(\"483\", \"Too Many Hops\"); exit; }\n"
		" if (has_totag()) {\n"
		"  if (loose_route()) { t_relay(); exit; }\n"
		"  if (is_method(\"ACK\")) { if (t_check_trans()) t_relay();"
		" exit; }\n"
		"  sl_send_reply(\"404\", \"Not here\"); exit; }\n"
		" if (is_method(\"CANCEL\")) { if (t_check_trans()) t_relay();"
		" exit; }\n"
		" if (is_method(\"REGISTER\")) {\n"
		"#!ifdef WITH_AUTH\n"
		"  if (!www_authorize(\"$td\", \"subscriber\")) {\n"
		"   www_challenge(\"$td\", \"0\"); exit; }\n"
		"#!endif\n"
		"  if (!save(\"location\")) sl_reply_error();\n"
		"  exit; }\n"
		"#!ifdef WITH_AUTH\n"
		" if (from_uri == myself) {\n"
		"  if (!proxy_authorize(\"$fd\", \"subscriber\")) {\n"
		"   proxy_challenge(\"$fd\", \"0\"); exit; }\n"
		"  consume_credentials(); }\n"
		"#!endif\n"
		" record_route();\n"
		" if (!lookup(\"location\")) { sl_send_reply(\"404\","
		" \"Not Found\"); exit; }\n"
		" t_relay();\n}\n", s->port, s->dir);
	return write_file(cfg, text);
}

int px_start(struct px_srv *s, enum px_kind kind, bool auth,
	     const char *dir, uint16_t port, unsigned nusers,
	     const char *password)
{
	char path[PATH_MAX], dbp[700];
	int e;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->auth = auth;
	s->port = port;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return errno;
	/* Absolute: Kamailio's sqlite URL and refd's data_dir need it. */
	if (strlen(dir) >= PATH_MAX || !realpath(dir, path))
		return errno ? errno : ENAMETOOLONG;
	if (strlen(path) >= 400)
		return ENAMETOOLONG;
	snprintf(s->dir, sizeof(s->dir), "%.400s", path);
	dir = s->dir;
	if (kind == PX_REFD) {
		char *argv[] = { "refd", "-c", path, NULL };
		char exe[700], var[700];

		snprintf(var, sizeof(var), "%.400s/var", dir);
		if ((e = rm_tree(var)) || (e = refd_conf(s, path, sizeof(path))) ||
		    (mkdir(var, 0700) && errno != EEXIST) ||
		    (e = refd_accounts(var, nusers, password)))
			return e ? e : errno;
		if (!realpath("bin/refd", exe))
			return ENOENT;
		argv[0] = exe;
		s->pid = spawn(dir, "refd.log", argv);
	} else {
		char *argv[] = { "kamailio", "-f", path, "-D", "-E", "-Y", s->dir,
				 "-x", "tlsf", "-X", "tlsf", "-m", "2048",
				 "-M", "16", auth ? "-A" : NULL, "WITH_AUTH",
				 NULL };

		snprintf(dbp, sizeof(dbp), "%.400s/auth.db", dir);
		unlink(dbp);
		if ((e = kam_conf(s, path, sizeof(path))) ||
		    (e = kam_accounts(dbp, nusers, password)))
			return e;
		s->pid = spawn(dir, "kamailio.log", argv);
	}
	if (s->pid < 0)
		return errno;
	return px_wait_bound(s);
}

static const char *const kind_name[PX_N] = { "refd", "kamailio", "floor" };

int px_mkdir(const char *dir)
{
	return mkdir(dir, 0700) && errno != EEXIST ? -1 : 0;
}

int px_wait_bound(struct px_srv *s)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (udp_bound(s->port))
			break;
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
			s->pid = 0;
			fprintf(stderr, "perf proxy: %s exited at start (see "
				"%s)\n", kind_name[s->kind], s->dir);
			return ECHILD;
		}
		sleep_ms(50);
	}
	if (i == 100) {
		fprintf(stderr, "perf proxy: %s did not bind UDP port %u\n",
			kind_name[s->kind], s->port);
		return ETIMEDOUT;
	}
	sleep_ms(s->kind == PX_KAM ? 700 : 200);	/* workers up */
	return 0;
}

void px_stop(struct px_srv *s)
{
	px_kill(s->pid);
	s->pid = 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* SIPp's -trace_rtt file: "Date_ms;response_time_ms;rtd_no" lines. */
static void read_rtt(const char *dir, struct px_res *r)
{
	char path[900], line[128];
	double *v = NULL, *nv, x;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d = opendir(dir);
	FILE *f;

	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 8 || strcmp(e->d_name + l - 8, "_rtt.csv"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			char *p = strchr(line, ';');

			if (!p || sscanf(p + 1, "%lf", &x) != 1)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 4096;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					break;
				v = nv;
			}
			v[n++] = x;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	if (n) {
		qsort(v, n, sizeof(*v), cmp_d);
		r->p50_ms = v[n / 2];
		r->p99_ms = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
	}
	free(v);
}

/* The last line of SIPp's -trace_stat file, by column name. */
static void read_stat(const char *dir, struct px_res *r)
{
	char path[700], hdr[8192], line[8192], last[8192] = "";
	int cok = -1, cfail = -1, col = 0;
	char *tok, *save;
	FILE *f;

	snprintf(path, sizeof(path), "%s/stat.csv", dir);
	f = fopen(path, "r");
	if (!f || !fgets(hdr, sizeof(hdr), f)) {
		if (f)
			fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f))
		memcpy(last, line, sizeof(last));
	fclose(f);
	for (tok = strtok_r(hdr, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save), col++) {
		if (!strcmp(tok, "SuccessfulCall(C)"))
			cok = col;
		else if (!strcmp(tok, "FailedCall(C)"))
			cfail = col;
	}
	for (col = 0, tok = strtok_r(last, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save), col++) {
		if (col == cok)
			r->ok = strtoull(tok, NULL, 10);
		else if (col == cfail)
			r->failed = strtoull(tok, NULL, 10);
	}
}

int px_sipp(const struct px_srv *s, const char *dir, const char *scn,
	    const char *const *extra, double limit_s, struct px_res *r)
{
	char *argv[64], sf[700], cwd[400], target[32];
	double t0, c0, last = 0, m;
	size_t n = 0;
	pid_t pid;
	int st;

	memset(r, 0, sizeof(*r));
	if (mkdir(dir, 0700) && errno != EEXIST)
		return errno;
	if (!getcwd(cwd, sizeof(cwd)))
		return errno;
	snprintf(sf, sizeof(sf), "%s/%s/%s", cwd, px_sipp_dir, scn);
	snprintf(target, sizeof(target), "127.0.0.1:%u", s->port);
	argv[n++] = "sipp";
	argv[n++] = "-nostdin";
	argv[n++] = "-i";
	argv[n++] = "127.0.0.1";
	argv[n++] = "-sf";
	argv[n++] = sf;
	argv[n++] = "-trace_stat";
	argv[n++] = "-stf";
	argv[n++] = "stat.csv";
	argv[n++] = "-trace_rtt";
	argv[n++] = "-rtt_freq";
	argv[n++] = "1";
	argv[n++] = "-buff_size";
	argv[n++] = "4194304";
	argv[n++] = "-max_recv_loops";
	argv[n++] = "10000";
	argv[n++] = "-max_sched_loops";
	argv[n++] = "10000";
	argv[n++] = "-recv_timeout";
	argv[n++] = "5000";
	while (*extra && n < sizeof(argv) / sizeof(argv[0]) - 2)
		argv[n++] = (char *)*extra++;
	argv[n++] = target;
	argv[n] = NULL;
	r->pss_base_kb = r->pss_peak_kb = px_pss_kb(s);
	c0 = px_cpu_s(s);
	t0 = px_mono_s();
	pid = spawn(dir, "sipp.out", argv);
	if (pid < 0)
		return errno;
	while (waitpid(pid, &st, WNOHANG) != pid) {
		if (px_mono_s() - t0 > limit_s) {
			px_kill(pid);
			break;
		}
		if (px_mono_s() - last > 0.2) {	/* memory, 5 times a second */
			last = px_mono_s();
			m = px_pss_kb(s);
			if (m > r->pss_peak_kb)
				r->pss_peak_kb = m;
		}
		sleep_ms(10);
	}
	r->wall_s = px_mono_s() - t0;
	r->cpu_s = px_cpu_s(s) - c0;
	read_stat(dir, r);
	read_rtt(dir, r);
	r->ran = r->ok + r->failed > 0;
	return r->ran ? 0 : EIO;
}

pid_t px_uas(const char *dir, uint16_t port)
{
	char sf[700], cwd[400], p[16], key[40];
	char *argv[] = { "sipp", "-nostdin", "-i", "127.0.0.1", "-p", p,
			 "-sf", sf, "-key", "contact", key, "-buff_size",
			 "4194304", "-max_recv_loops", "10000", NULL };

	if (!getcwd(cwd, sizeof(cwd)) ||
	    (mkdir(dir, 0700) && errno != EEXIST))
		return -1;
	snprintf(sf, sizeof(sf), "%s/%s/uas_rr.xml", cwd, px_sipp_dir);
	snprintf(p, sizeof(p), "%u", port);
	snprintf(key, sizeof(key), "127.0.0.1:%u", port);
	return spawn(dir, "uas.out", argv);
}
