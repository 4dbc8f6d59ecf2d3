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
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_push_gateway),
	};

	return cmocka_run_group_tests_name("store_push", tests, NULL, NULL);
}
