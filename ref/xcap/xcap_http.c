/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP driver of the XCAP core on libmicrohttpd: one internal polling
 * thread that owns its own store connection (struct store is one-thread),
 * digest authentication against the accounts' HA1 (MD5, RFC 7616; the
 * realm is the SIP realm, by default the domain), the request body gathered up
 * to max_body (max_file under /files), then xcap_handle() or, under
 * /files, xcap_files_handle(). An unknown user gets exactly the same
 * 401 as a wrong password: the HA1 check runs against a dummy value so
 * accounts cannot be enumerated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <libxml/parser.h>
#include <sodium.h>
#include "base/mem.h"
#include "base/net.h"
#include "xcap/xcap.h"

#define NONCE_TIMEOUT_S 300

struct xcap_http {
	struct MHD_Daemon *d;
	struct store *st;
	char *domain;
	char *realm;
	char *root;
	uint32_t max_body;
	uint32_t max_file;
	uint64_t file_quota;
	uint8_t nonce_key[32];
};

struct reqctx {
	struct buf body;
	int too_big;
	char user[300];		/* authenticated aor */
};

static int64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int unhex(const char *h, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return EINVAL;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static enum MHD_Result queue(struct MHD_Connection *con, int status,
			     const char *ctype, const char *etag,
			     const char *allow, const void *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char tag[64];

	r = MHD_create_response_from_buffer(len, (void *)body,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(r, "Content-Type", ctype);
	if (etag && *etag) {
		snprintf(tag, sizeof(tag), "\"%s\"", etag);
		MHD_add_response_header(r, "ETag", tag);
	}
	if (allow)
		MHD_add_response_header(r, "Allow", allow);
	ret = MHD_queue_response(con, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result challenge(struct xcap_http *h,
				 struct MHD_Connection *con, int stale)
{
	static const char msg[] = "authentication required\n";
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	ret = MHD_queue_auth_fail_response2(con, h->realm, "xcap", r, stale,
					    MHD_DIGEST_ALG_MD5);
	MHD_destroy_response(r);
	return ret;
}

/* 0 and rc->user set, or a challenge was queued (*out). */
static int authenticate(struct xcap_http *h, struct MHD_Connection *con,
			struct reqctx *rc, enum MHD_Result *out)
{
	/* A fixed dummy HA1 for unknown users: same work, same answer. */
	uint8_t ha1[16] = { 0x5a };
	char hex[80], *name;
	struct pl user, dom;
	int ok, known = 0;

	name = MHD_digest_auth_get_username(con);
	if (!name) {
		*out = challenge(h, con, 0);
		return EACCES;
	}
	user = pl_from_str(name);
	dom = pl_from_str(h->domain);
	if (strlen(name) < 128 && !strchr(name, '@') &&
	    !store_account_ha1(h->st, &user, &dom, STORE_HA1_MD5, hex,
			       sizeof(hex)) &&
	    !unhex(hex, ha1, sizeof(ha1)))
		known = 1;
	ok = MHD_digest_auth_check_digest2(con, h->realm, name, ha1,
					   sizeof(ha1), NONCE_TIMEOUT_S,
					   MHD_DIGEST_ALG_MD5);
	if (ok == MHD_YES && known) {
		snprintf(rc->user, sizeof(rc->user), "%s@%s", name,
			 h->domain);
		MHD_free(name);
		return 0;
	}
	MHD_free(name);
	*out = challenge(h, con, ok == MHD_INVALID_NONCE);
	return EACCES;
}

static const char *hdr(struct MHD_Connection *con, const char *name)
{
	const char *v = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
						    name);
	return v ? v : "";
}

static enum MHD_Result serve(struct xcap_http *h, struct MHD_Connection *con,
			     const char *url, const char *method,
			     struct reqctx *rc)
{
	struct xcap_req r;
	struct xcap_resp resp;
	enum MHD_Result ret;
	int e;

	memset(&r, 0, sizeof(r));
	r.method = pl_from_str(method);
	r.path = pl_from_str(url);
	r.ctype = pl_from_str(hdr(con, "Content-Type"));
	r.if_match = pl_from_str(hdr(con, "If-Match"));
	r.if_none_match = pl_from_str(hdr(con, "If-None-Match"));
	r.body = buf_pl(&rc->body);
	r.user = pl_from_str(rc->user);
	r.now_us = wall_us();
	buf_init(&resp.body);
	e = !strncmp(url, "/files", 6) && (!url[6] || url[6] == '/')
		? xcap_files_handle(h->st, h->file_quota, &r, &resp)
		: xcap_handle(h->st, h->root, &r, &resp);
	if (e)
		ret = queue(con, 500, "text/plain", NULL, NULL, "store error\n",
			    12);
	else
		ret = queue(con, resp.status, resp.ctype, resp.etag,
			    resp.allow, resp.body.data, resp.body.len);
	buf_fini(&resp.body);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct xcap_http *h = cls;
	struct reqctx *rc = *con_cls;
	enum MHD_Result out = MHD_NO;

	(void)version;
	if (!rc) {
		/* First call, headers only: authenticate before any body. */
		rc = mem_zalloc(sizeof(*rc));
		if (!rc)
			return MHD_NO;
		buf_init(&rc->body);
		*con_cls = rc;
		if (authenticate(h, con, rc, &out))
			return out;
		return MHD_YES;
	}
	if (*data_size) {
		uint32_t max = strncmp(url, "/files", 6) ? h->max_body
			       : h->max_file;

		if (rc->body.len + *data_size > max)
			rc->too_big = 1;
		else if (buf_put(&rc->body, data, *data_size))
			return MHD_NO;
		*data_size = 0;
		return MHD_YES;
	}
	if (!rc->user[0])
		return MHD_NO;
	if (rc->too_big)
		return queue(con, 413, "text/plain", NULL, NULL,
			     "body too large\n", 15);
	return serve(h, con, url, method, rc);
}

static void on_done(void *cls, struct MHD_Connection *con, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct reqctx *rc = *con_cls;

	(void)cls; (void)con; (void)toe;
	if (rc) {
		buf_fini(&rc->body);
		mem_free(rc);
		*con_cls = NULL;
	}
}

int xcap_http_start(struct xcap_http **hp, const struct xcap_http_cfg *cfg,
		    char *err, size_t errsz)
{
	struct net_addr a;
	struct pl lp;
	struct xcap_http *h;
	char serr[300];
	int e;

	*hp = NULL;
	lp = pl_from_str(cfg->listen);
	if (!cfg->listen || !cfg->domain || !cfg->data_dir ||
	    net_addr_parse(&lp, 8080, &a)) {
		snprintf(err, errsz, "xcap: bad listen address '%s'",
			 cfg->listen ? cfg->listen : "");
		return EINVAL;
	}
	h = mem_zalloc(sizeof(*h));
	if (!h)
		return ENOMEM;
	h->domain = mem_strdup(cfg->domain);
	h->realm = mem_strdup(cfg->realm ? cfg->realm : cfg->domain);
	h->root = mem_strdup(cfg->root ? cfg->root : "/xcap-root");
	h->max_body = cfg->max_body ? cfg->max_body : 1 << 20;
	h->max_file = cfg->max_file ? cfg->max_file : 64u << 20;
	h->file_quota = cfg->file_quota;
	if (!h->domain || !h->realm || !h->root) {
		e = ENOMEM;
		goto out;
	}
	e = store_open(&h->st, cfg->data_dir, NULL, serr, sizeof(serr));
	if (e) {
		snprintf(err, errsz, "xcap: %s", serr);
		goto out;
	}
	xmlInitParser();
	if (sodium_init() < 0) {
		e = EIO;
		goto out;
	}
	randombytes_buf(h->nonce_key, sizeof(h->nonce_key));
	h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				(a.u.sa.sa_family == AF_INET6 ? MHD_USE_IPv6
				 : 0), 0, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, &a.u.sa,
				MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
				MHD_OPTION_DIGEST_AUTH_RANDOM,
				sizeof(h->nonce_key), h->nonce_key,
				MHD_OPTION_NONCE_NC_SIZE, 4096,
				MHD_OPTION_CONNECTION_LIMIT, 256,
				MHD_OPTION_CONNECTION_TIMEOUT, 30,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errsz, "xcap: cannot listen on %s",
			 cfg->listen);
		e = EADDRINUSE;
	}
out:
	if (e) {
		xcap_http_stop(h);
		return e;
	}
	*hp = h;
	return 0;
}

uint16_t xcap_http_port(const struct xcap_http *h)
{
	const union MHD_DaemonInfo *i;

	if (!h || !h->d)
		return 0;
	i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : 0;
}

void xcap_http_stop(struct xcap_http *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);
	store_close(h->st);
	sodium_memzero(h->nonce_key, sizeof(h->nonce_key));
	mem_free(h->domain);
	mem_free(h->realm);
	mem_free(h->root);
	mem_free(h);
}
