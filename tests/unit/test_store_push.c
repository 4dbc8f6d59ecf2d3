/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Push notifications (P9): the worker POSTs to a gateway (a libmicrohttpd
 * stand-in on 127.0.0.1 here), logs each push with the gateway's status,
 * never stores the device token, survives an unreachable gateway, and the
 * log is purged after the policy's period.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include "base/mem.h"
#include "policy/policy.h"
#include "push/push.h"
#include "store/store.h"
#include "test_store_util.h"

#define T0 1767225600000000LL

struct gw {
	int hits;
	char last[512];
	size_t len;
	int status;
};

static enum MHD_Result gw_req(void *cls, struct MHD_Connection *con,
			      const char *url, const char *method,
			      const char *version, const char *data,
			      size_t *size, void **ctx)
{
	struct gw *g = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)url; (void)method; (void)version;
	if (!*ctx) {
		*ctx = g;
		g->len = 0;
		return MHD_YES;
	}
	if (*size) {
		size_t n = *size < sizeof(g->last) - 1 - g->len ? *size
			   : sizeof(g->last) - 1 - g->len;

		memcpy(g->last + g->len, data, n);
		g->len += n;
		g->last[g->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	g->hits++;
	r = MHD_create_response_from_buffer(0, (void *)"",
					    MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(con, (unsigned)g->status, r);
	MHD_destroy_response(r);
	return ret;
}

struct rows {
	int n;
	int status[4];
};

static int row_cb(void *arg, const struct store_push *p)
{
	struct rows *r = arg;

	if (r->n < 4)
		r->status[r->n] = p->status;
	r->n++;
	assert_true(pl_eq_str(&p->provider, "apns"));
	return 0;
}

static void test_store_push_gateway(void **state)
{
	struct gw g = { 0, "", 0, 200 };
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	struct push_cfg cfg = { 0 };
	struct push_req r;
	struct push_stats st;
	struct push *p;
	struct store *s;
	struct policy pol;
	struct store_purge_report rep;
	struct rows rows = { 0 };
	struct sockaddr_in lo;
	char dir[64], url[128], err[300];
	int64_t blocks = mem_blocks();

	(void)state;
	tdir_make(dir, sizeof(dir), "push");
	memset(&lo, 0, sizeof(lo));
	lo.sin_family = AF_INET;
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
			     gw_req, &g, MHD_OPTION_SOCK_ADDR, &lo,
			     MHD_OPTION_END);
	assert_non_null(d);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/push", info->port);
	cfg.gateway_url = url;
	cfg.data_dir = dir;
	cfg.timeout_ms = 2000;
	assert_int_equal(push_start(&p, &cfg, err, sizeof(err)), 0);

	memset(&r, 0, sizeof(r));
	r.user = PL("alice@example.test");
	r.provider = PL("apns");
	r.prid = PL("DEVICE-TOKEN-CANARY-5f");
	r.param = PL("ABCD1234.com.example.voip");
	r.kind = PL("call");
	r.time_us = T0;
	assert_int_equal(push_submit(p, &r), 0);
	push_flush(p);
	assert_int_equal(g.hits, 1);
	assert_non_null(strstr(g.last, "\"pn-prid\":\"DEVICE-TOKEN-CANARY-5f\""));
	assert_non_null(strstr(g.last, "\"type\":\"call\""));
	assert_null(strstr(g.last, "alice"));
	g.status = 503;
	r.kind = PL("message");
	assert_int_equal(push_submit(p, &r), 0);
	push_flush(p);
	r.prid = PL_NULL;
	assert_int_equal(push_submit(p, &r), EINVAL);
	push_get_stats(p, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.failed, 1);
	push_stop(p);
	MHD_stop_daemon(d);

	/* An unreachable gateway is logged with status 0. */
	/* Port 1 on loopback: nothing listens there. */
	snprintf(url, sizeof(url), "http://127.0.0.1:1/push");
	assert_int_equal(push_start(&p, &cfg, err, sizeof(err)), 0);
	r.prid = PL("DEVICE-TOKEN-CANARY-5f");
	assert_int_equal(push_submit(p, &r), 0);
	push_stop(p);

	assert_int_equal(store_open(&s, dir, NULL, err, sizeof(err)), 0);
	assert_int_equal(store_push_list(s, NULL, row_cb, &rows), 0);
	assert_int_equal(rows.n, 3);
	assert_int_equal(rows.status[0], 200);
	assert_int_equal(rows.status[1], 503);
	assert_int_equal(rows.status[2], 0);
	assert_canary_gone(dir, "DEVICE-TOKEN-CANARY");
	assert_canary_present(dir, "alice@example.test");
	assert_int_equal(policy_load(&pol, "ref/policy/sip2sip.policy", err,
				     sizeof(err)), 0);
	assert_int_equal(store_purge(s, &pol, T0 + (int64_t)pol.push_s *
				     1000000 + 1, &rep), 0);
	assert_int_equal(rep.push, 3);
	assert_canary_gone(dir, "alice@example.test");
	policy_fini(&pol);
	store_close(s);
	tdir_remove(dir);
	assert_int_equal(push_start(&p, &(struct push_cfg){ "ftp://x", dir,
				    0, 0 }, err, sizeof(err)), EINVAL);
	assert_int_equal(mem_blocks(), blocks);
}

/* ---- voicemail by e-mail: a one-shot SMTP server on loopback ----------- */

struct smtp {
	int lfd;
	char data[65536];
	size_t len;
	char rcpt[128];
};

static int read_line(int fd, char *line, size_t sz)
{
	size_t n = 0;
	char c;

	while (n + 1 < sz && read(fd, &c, 1) == 1) {
		line[n++] = c;
		if (c == '\n')
			break;
	}
	line[n] = '\0';
	return (int)n;
}

static void say(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		return;
}

static void *smtp_run(void *arg)
{
	struct smtp *m = arg;
	char line[1024];
	int fd = accept(m->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	say(fd, "220 test ESMTP\r\n");
	while (read_line(fd, line, sizeof(line)) > 0) {
		if (!strncasecmp(line, "EHLO", 4) ||
		    !strncasecmp(line, "HELO", 4)) {
			say(fd, "250 test\r\n");
		} else if (!strncasecmp(line, "RCPT TO:", 8)) {
			snprintf(m->rcpt, sizeof(m->rcpt), "%.100s", line + 8);
			say(fd, "250 ok\r\n");
		} else if (!strncasecmp(line, "DATA", 4)) {
			say(fd, "354 go\r\n");
			while (read_line(fd, line, sizeof(line)) > 0 &&
			       strcmp(line, ".\r\n")) {
				size_t n = strlen(line);

				if (m->len + n < sizeof(m->data)) {
					memcpy(m->data + m->len, line, n);
					m->len += n;
				}
			}
			m->data[m->len] = '\0';
			say(fd, "250 queued\r\n");
		} else if (!strncasecmp(line, "QUIT", 4)) {
			say(fd, "221 bye\r\n");
			break;
		} else {
			say(fd, "250 ok\r\n");
		}
	}
	close(fd);
	return NULL;
}

static void test_store_push_mail(void **state)
{
	static struct smtp m;
	struct push_mail_cfg cfg = { 0 };
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	pthread_t th;
	struct buf wav;
	char dir[64], path[128], url[64], err[256];
	FILE *f;

	(void)state;
	memset(&m, 0, sizeof(m));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	m.lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(m.lfd >= 0);
	assert_int_equal(bind(m.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(m.lfd, 1), 0);
	assert_int_equal(getsockname(m.lfd, (struct sockaddr *)&a, &al), 0);
	assert_int_equal(pthread_create(&th, NULL, smtp_run, &m), 0);

	tdir_make(dir, sizeof(dir), "mail");
	snprintf(path, sizeof(path), "%s/1.wav", dir);
	buf_init(&wav);
	assert_int_equal(store_wav_g711(&wav, 0, (const uint8_t *)
					"VMAUDIO-CANARY", 14), 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(wav.data, 1, wav.len, f), wav.len);
	fclose(f);
	buf_fini(&wav);

	snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", ntohs(a.sin_port));
	cfg.smtp_url = url;
	cfg.from = "voicemail@example.test";
	cfg.timeout_ms = 5000;
	assert_int_equal(push_mail_voicemail(&cfg, "bob\r\nBcc: x@y", "alice",
					     T0, path, err, sizeof(err)),
			 EINVAL);
	assert_int_equal(push_mail_voicemail(&cfg, "bob@mail.test",
					     "alice@example.test", T0, path,
					     err, sizeof(err)), 0);
	pthread_join(th, NULL);
	close(m.lfd);
	assert_non_null(strstr(m.rcpt, "<bob@mail.test>"));
	assert_non_null(strstr(m.data, "Subject: Voicemail from "
			       "alice@example.test"));
	assert_non_null(strstr(m.data, "Content-Type: audio/wav"));
	assert_non_null(strstr(m.data, "Content-Transfer-Encoding: base64"));
	/* The WAV's first bytes "RIFF" in base64. */
	assert_non_null(strstr(m.data, "UklGR"));
	assert_non_null(strstr(m.data, "2026-01-01T00:00:00.000Z"));
	assert_int_equal(push_mail_voicemail(&cfg, "bob@mail.test", NULL, T0,
					     "/nonexistent.wav", err,
					     sizeof(err)), ENOENT);
	tdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_push_gateway),
		cmocka_unit_test(test_store_push_mail),
	};

	return cmocka_run_group_tests_name("store_push", tests, NULL, NULL);
}
