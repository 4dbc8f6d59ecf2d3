/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The portal's libmicrohttpd adapter: HTTPS with the configured PEM
 * certificate and key (plain HTTP only when the config says so), form
 * bodies gathered up to MAX_BODY, then web_route() and its response sent
 * as is.
 *
 * Threading: MHD runs its own single polling thread
 * (MHD_USE_INTERNAL_POLLING_THREAD, not thread-per-connection) and that
 * thread owns the struct web and its own store connection (WAL lets it
 * read while refd's loop writes). Chosen over driving MHD from refd's
 * epoll loop because a login runs argon2id (tens of ms, 64 MiB) and the
 * code e-mails block on SMTP: in the SIP loop either would stall call
 * signalling; here they stall only other portal requests.
 *
 * The raw request URI (path and query, still %-encoded) comes from MHD's
 * URI log callback, which also creates the per-request context.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include "base/mem.h"
#include "base/net.h"
#include "push/push.h"
#include "web/web.h"

#define MAX_BODY (64 * 1024)
#define MAX_PEM (64 * 1024)

struct web_http {
	struct MHD_Daemon *d;
	struct store *st;
	struct web *w;
	char *smtp_url, *mail_from;
	char *cert, *key;	/* PEM text */
};

struct reqctx {
	char *uri;
	struct buf body;
	int too_big;
	int started;	/* the headers-only first call is behind us */
};

static void sodium_rand(void *arg, uint8_t *out, size_t n)
{
	(void)arg;
	randombytes_buf(out, n);
}

static int smtp_mail(void *arg, const char *to, const char *subject,
		     const char *text)
{
	struct web_http *h = arg;
	struct push_mail_cfg mc = { .smtp_url = h->smtp_url,
				    .from = h->mail_from };
	char err[256];

	if (!h->smtp_url || !h->mail_from)
		return ENOSYS;
	return push_mail_send(&mc, to, subject, text, err, sizeof(err));
}

static int64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct reqctx *rc = mem_zalloc(sizeof(*rc));

	(void)cls; (void)con;
	if (!rc)
		return NULL;
	rc->uri = mem_strdup(uri ? uri : "/");
	buf_init(&rc->body);
	return rc;
}

static void client_ip(struct MHD_Connection *con, char *out, size_t sz)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, sz, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  out, (socklen_t)sz);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)sz);
}

static enum MHD_Result send_resp(struct MHD_Connection *con,
				 const struct web_resp *wr)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t i;

	r = MHD_create_response_from_buffer(wr->body.len, wr->body.data,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	for (i = 0; i < wr->nhdr; i++)
		MHD_add_response_header(r, wr->hdr[i].name, wr->hdr[i].value);
	ret = MHD_queue_response(con, (unsigned)wr->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result plain(const struct web_http *h,
			     struct MHD_Connection *con, unsigned status,
			     const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	/* The core's headers, for the two answers it does not make. */
	MHD_add_response_header(r, "Content-Type", "text/plain");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Content-Security-Policy", "default-src "
				"'self'; script-src 'self'; frame-ancestors "
				"'none'");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (h->cert)
		MHD_add_response_header(r, "Strict-Transport-Security",
					"max-age=31536000");
	ret = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct web_http *h = cls;
	struct reqctx *rc = *con_cls;
	struct web_req req;
	struct web_resp resp;
	const char *q, *ck;
	char ip[INET6_ADDRSTRLEN];
	enum MHD_Result ret;
	int e;

	(void)url; (void)version;
	if (!rc || !rc->uri)
		return MHD_NO;
	if (!rc->started) {	/* headers only: the body comes next */
		rc->started = 1;
		return MHD_YES;
	}
	if (*data_size) {
		if (rc->body.len + *data_size > MAX_BODY)
			rc->too_big = 1;
		else if (buf_put(&rc->body, data, *data_size))
			return MHD_NO;
		*data_size = 0;
		return MHD_YES;
	}
	if (rc->too_big)
		return plain(h, con, 413, "form too large\n");
	memset(&req, 0, sizeof(req));
	req.method = pl_from_str(method);
	q = strchr(rc->uri, '?');
	req.path = pl_from_mem(rc->uri, q ? (size_t)(q - rc->uri)
				      : strlen(rc->uri));
	req.query = pl_from_str(q ? q + 1 : "");
	ck = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Cookie");
	req.cookie = pl_from_str(ck ? ck : "");
	req.body = buf_pl(&rc->body);
	client_ip(con, ip, sizeof(ip));
	req.src = pl_from_str(ip);
	req.now_us = wall_us();
	web_resp_init(&resp);
	e = web_route(h->w, &req, &resp);
	ret = e ? plain(h, con, 500, "internal error\n")
	      : send_resp(con, &resp);
	web_resp_fini(&resp);
	return ret;
}

static void on_done(void *cls, struct MHD_Connection *con, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct reqctx *rc = *con_cls;

	(void)cls; (void)con; (void)toe;
	if (rc) {
		sodium_memzero(rc->body.data ? rc->body.data : (uint8_t *)"",
			       rc->body.len);
		buf_fini(&rc->body);
		mem_free(rc->uri);
		mem_free(rc);
		*con_cls = NULL;
	}
}

static int read_pem(const char *path, char **out, char *err, size_t errsz)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");
	int e = 0;

	if (!f) {
		snprintf(err, errsz, "web: cannot read %s: %s", path,
			 strerror(errno));
		return errno ? errno : EIO;
	}
	buf_init(&b);
	while (!e && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		e = b.len + n > MAX_PEM ? EFBIG : buf_put(&b, chunk, n);
	fclose(f);
	if (!e && !b.len)
		e = EINVAL;
	if (e) {
		snprintf(err, errsz, "web: %s: not a usable PEM file", path);
		buf_fini(&b);
		return e;
	}
	*out = buf_detach(&b);
	return 0;
}

int web_http_start(struct web_http **hp, const struct web_http_cfg *cfg,
		   char *err, size_t errsz)
{
	struct web_cfg wc;
	struct net_addr a;
	struct web_http *h;
	char serr[300];
	struct pl lp;
	unsigned flags;
	int e = 0;

	*hp = NULL;
	lp = pl_from_str(cfg->listen ? cfg->listen : "");
	if (!cfg->listen || !cfg->data_dir || net_addr_parse(&lp, 8443, &a)) {
		snprintf(err, errsz, "web: bad listen address '%s'",
			 cfg->listen ? cfg->listen : "");
		return EINVAL;
	}
	if (sodium_init() < 0)
		return EIO;
	h = mem_zalloc(sizeof(*h));
	if (!h)
		return ENOMEM;
	if ((cfg->smtp_url && !(h->smtp_url = mem_strdup(cfg->smtp_url))) ||
	    (cfg->mail_from && !(h->mail_from = mem_strdup(cfg->mail_from)))) {
		e = ENOMEM;
		goto out;
	}
	if (cfg->tls_cert && ((e = read_pem(cfg->tls_cert, &h->cert, err,
					    errsz)) ||
			      (e = read_pem(cfg->tls_key, &h->key, err,
					    errsz))))
		goto out;
	e = store_open(&h->st, cfg->data_dir, NULL, serr, sizeof(serr));
	if (e) {
		snprintf(err, errsz, "web: %s", serr);
		goto out;
	}
	wc = cfg->web;
	wc.https = cfg->tls_cert != NULL;
	if (!wc.rand) {
		wc.rand = sodium_rand;
		wc.rand_arg = NULL;
	}
	if (!wc.mail) {
		wc.mail = smtp_mail;
		wc.mail_arg = h;
	}
	if ((e = web_new(&h->w, &wc, h->st))) {
		snprintf(err, errsz, "web: cannot set up the portal");
		goto out;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
		(a.u.sa.sa_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
		(h->cert ? MHD_USE_TLS : 0);
	h->d = h->cert
		? MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				   MHD_OPTION_SOCK_ADDR, &a.u.sa,
				   MHD_OPTION_URI_LOG_CALLBACK, uri_log, h,
				   MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
				   MHD_OPTION_HTTPS_MEM_KEY, h->key,
				   MHD_OPTION_HTTPS_MEM_CERT, h->cert,
				   MHD_OPTION_CONNECTION_LIMIT, 256,
				   MHD_OPTION_CONNECTION_TIMEOUT, 30,
				   MHD_OPTION_END)
		: MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				   MHD_OPTION_SOCK_ADDR, &a.u.sa,
				   MHD_OPTION_URI_LOG_CALLBACK, uri_log, h,
				   MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
				   MHD_OPTION_CONNECTION_LIMIT, 256,
				   MHD_OPTION_CONNECTION_TIMEOUT, 30,
				   MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errsz, "web: cannot listen on %s%s", cfg->listen,
			 h->cert ? " (or the TLS certificate/key is bad)" : "");
		e = EADDRINUSE;
	}
out:
	if (e) {
		web_http_stop(h);
		return e;
	}
	*hp = h;
	return 0;
}

uint16_t web_http_port(const struct web_http *h)
{
	const union MHD_DaemonInfo *i;

	if (!h || !h->d)
		return 0;
	i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : 0;
}

void web_http_stop(struct web_http *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);
	web_free(h->w);
	store_close(h->st);
	if (h->key)
		sodium_memzero(h->key, strlen(h->key));
	mem_free(h->key);
	mem_free(h->cert);
	mem_free(h->smtp_url);
	mem_free(h->mail_from);
	mem_free(h);
}
