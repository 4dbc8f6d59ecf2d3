/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared fixture of the live driver's unit suites (test_io.c: datagrams,
 * clock, signals, configuration; test_io_stream.c: TCP and TLS): a tiny
 * sans-IO echo/record core, bounded polling, and TLS material made with
 * the OpenSSL API (self-signed EC certificates for 127.0.0.1 and ::1) in
 * a temp folder. Each suite uses a subset of the helpers, hence the
 * pragma below.
 */
#ifndef TESTS_IO_TESTUTIL_H
#define TESTS_IO_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "base/mem.h"
#include "base/core.h"
#include "io/io.h"

#pragma GCC diagnostic ignored "-Wunused-function"

static int64_t blocks_at_start;
static char tmpdir[64], cert_a[128], key_a[128], cert_b[128], key_b[128];

/* ---- a tiny sans-IO core: echo (server) or record (client) ---- */
#define QMAX 16
#define FLOOD_CHUNK 65536

struct qent {
	struct net_out o;
	uint8_t *data;
};

struct echo {
	bool echo;			/* answer every chunk back */
	struct qent q[QMAX];
	size_t qh, qn;
	uint8_t *cur;			/* returned by the last output */
	size_t flood_left;		/* bytes to push at flood_conn */
	size_t flood_size;		/* 0: 64 MiB */
	struct net_out flood_o;
	uint8_t *flood_buf;
	char got[8192];
	size_t got_len;
	int inputs, closes;
	uint64_t last_conn, close_conn;
	struct net_addr last_from, last_to, close_from;
	uint64_t deadline, fired_at;
	int timeouts;
};

static void push(struct echo *e, const struct net_out *o)
{
	struct qent *q;

	assert_true(e->qn < QMAX);
	q = &e->q[(e->qh + e->qn++) % QMAX];
	q->o = *o;
	q->data = NULL;
	if (o->len) {
		q->data = mem_alloc(o->len);
		assert_non_null(q->data);
		memcpy(q->data, o->data, o->len);
	}
	q->o.data = q->data;
}

static int echo_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct echo *e = core;
	struct net_out o;

	(void)now_us;
	if (!in->data) {
		e->closes++;
		e->close_conn = in->conn_id;
		e->close_from = in->from;
		return 0;
	}
	e->inputs++;
	e->last_conn = in->conn_id;
	e->last_from = in->from;
	e->last_to = in->to;
	if (e->got_len + in->len <= sizeof(e->got)) {
		memcpy(e->got + e->got_len, in->data, in->len);
		e->got_len += in->len;
	}
	if (!e->echo)
		return 0;
	memset(&o, 0, sizeof(o));
	o.kind = NET_OUT_SEND;
	o.src = in->to;
	o.dst = in->from;
	o.conn_id = in->conn_id;
	o.data = in->data;
	o.len = in->len;
	if (in->len == 5 && !memcmp(in->data, "flood", 5)) {
		e->flood_o = o;
		e->flood_left = e->flood_size ? e->flood_size :
				64u * 1024 * 1024;
		return 0;
	}
	push(e, &o);
	return 0;
}

static int echo_timeout(void *core, uint64_t now_us)
{
	struct echo *e = core;

	if (e->deadline && e->deadline <= now_us) {
		e->timeouts++;
		e->fired_at = now_us;
		e->deadline = 0;
	}
	return 0;
}

static int echo_output(void *core, struct net_out *out)
{
	struct echo *e = core;
	struct qent *q;

	mem_free(e->cur);
	e->cur = NULL;
	if (e->flood_left) {
		*out = e->flood_o;
		out->data = e->flood_buf;
		out->len = FLOOD_CHUNK;
		e->flood_left -= FLOOD_CHUNK;
		return 0;
	}
	if (!e->qn)
		return ENOENT;
	q = &e->q[e->qh];
	e->qh = (e->qh + 1) % QMAX;
	e->qn--;
	*out = q->o;
	e->cur = q->data;
	return 0;
}

static uint64_t echo_deadline(void *core)
{
	struct echo *e = core;

	return e->deadline ? e->deadline : UINT64_MAX;
}

static const struct core_ops echo_ops = {
	"echo", echo_input, echo_timeout, echo_output, echo_deadline,
};

static void echo_init(struct echo *e, bool echo)
{
	memset(e, 0, sizeof(*e));
	e->echo = echo;
	e->flood_buf = mem_zalloc(FLOOD_CHUNK);
	assert_non_null(e->flood_buf);
}

static void echo_fini(struct echo *e)
{
	while (e->qn) {
		mem_free(e->q[e->qh].data);
		e->qh = (e->qh + 1) % QMAX;
		e->qn--;
	}
	mem_free(e->cur);
	mem_free(e->flood_buf);
}

/* Have core c send (conn_id 0 or a given one) through the driver. */
static void core_send(struct io_loop *l, struct io_core *ic, struct echo *e,
		      const struct net_addr *dst, uint64_t conn_id,
		      const char *s)
{
	struct net_out o;

	memset(&o, 0, sizeof(o));
	o.kind = NET_OUT_SEND;
	o.dst = *dst;
	o.conn_id = conn_id;
	o.data = (const uint8_t *)s;
	o.len = strlen(s);
	push(e, &o);
	assert_int_equal(io_core_flush(l, ic), 0);
}

static void core_close(struct io_loop *l, struct io_core *ic, struct echo *e,
		       uint64_t conn_id)
{
	struct net_out o;

	memset(&o, 0, sizeof(o));
	o.kind = NET_OUT_CLOSE;
	o.conn_id = conn_id;
	push(e, &o);
	assert_int_equal(io_core_flush(l, ic), 0);
}

/* Run loops (l2 may be NULL) until *flag or about 3 s. */
static bool poll_until(struct io_loop *l, struct io_loop *l2,
		       const int *flag, int want)
{
	int i;

	for (i = 0; i < 600 && *flag < want; i++) {
		assert_int_equal(io_run_once(l, l2 ? 1 : 5), 0);
		if (l2)
			assert_int_equal(io_run_once(l2, 1), 0);
	}
	return *flag >= want;
}

static struct net_addr addr(const char *spec)
{
	struct pl pl = pl_from_str(spec);
	struct net_addr a;

	assert_int_equal(net_listen_parse(&pl, &a), 0);
	return a;
}

/* ---- TLS material: self-signed certificates made with OpenSSL ---- */
static void make_cert(const char *cn, const char *cpath, const char *kpath)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	FILE *f;

	assert_non_null(k);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
				   MBSTRING_ASC, (const unsigned char *)cn,
				   -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
				  "IP:127.0.0.1,IP:::1,DNS:localhost");
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
				  "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	f = fopen(cpath, "w");
	assert_non_null(f);
	PEM_write_X509(f, x);
	fclose(f);
	f = fopen(kpath, "w");
	assert_non_null(f);
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(k);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_io.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(cert_a, sizeof(cert_a), "%s/a.crt", tmpdir);
	snprintf(key_a, sizeof(key_a), "%s/a.key", tmpdir);
	snprintf(cert_b, sizeof(cert_b), "%s/b.crt", tmpdir);
	snprintf(key_b, sizeof(key_b), "%s/b.key", tmpdir);
	make_cert("io test A", cert_a, key_a);
	make_cert("io test B", cert_b, key_b);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(cert_a);
	unlink(key_a);
	unlink(cert_b);
	unlink(key_b);
	rmdir(tmpdir);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	blocks_at_start = mem_blocks();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static struct io_loop *loop_new(const struct io_opts *o)
{
	struct io_opts def = { 0 };
	struct io_loop *l = NULL;
	char err[256] = "";

	if (!o)
		o = &def;
	assert_int_equal(io_loop_new(&l, o, err, sizeof(err)), 0);
	return l;
}

#endif
