/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenSSL glue for the live driver: one server context (certificate and
 * key from the config, optional client-certificate verification against
 * tls_ca) and one client context for outgoing connections (server
 * verification against tls_ca when asked, by IP address since the driver
 * never resolves names). TLS 1.2 is the floor; 1.3 is preferred.
 *
 * The sockets stay non-blocking: every call maps WANT_READ/WANT_WRITE to
 * EAGAIN and records which direction OpenSSL waits for, so io_conn.c
 * arms EPOLLOUT only when it can make progress.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "io/io_int.h"

static void ssl_err(char *err, size_t errsz, const char *what,
		    const char *file)
{
	unsigned long e = ERR_get_error();
	char msg[256];

	ERR_error_string_n(e, msg, sizeof(msg));
	snprintf(err, errsz, "%s%s%s: %s", what, file ? " " : "",
		 file ? file : "", e ? msg : "failed");
	ERR_clear_error();
}

static int ctx_common(SSL_CTX *ctx)
{
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		return EINVAL;
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			      SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	return 0;
}

static int server_ctx(struct io_loop *l, char *err, size_t errsz)
{
	const struct io_opts *o = &l->o;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx || ctx_common(ctx)) {
		ssl_err(err, errsz, "TLS server context", NULL);
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, o->tls_cert) != 1) {
		ssl_err(err, errsz, "cannot load certificate", o->tls_cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, o->tls_key, SSL_FILETYPE_PEM)
	    != 1) {
		ssl_err(err, errsz, "cannot load key", o->tls_key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_err(err, errsz, "key does not match certificate",
			o->tls_key);
		goto fail;
	}
	if (o->tls_verify_client) {
		if (!o->tls_ca) {
			snprintf(err, errsz,
				 "client verification needs a CA file");
			goto fail;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
				   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	if (o->tls_ca && SSL_CTX_load_verify_locations(ctx, o->tls_ca, NULL)
	    != 1) {
		ssl_err(err, errsz, "cannot load CA", o->tls_ca);
		goto fail;
	}
	l->tls_srv = ctx;
	return 0;
fail:
	SSL_CTX_free(ctx);
	return EINVAL;
}

static int client_ctx(struct io_loop *l, char *err, size_t errsz)
{
	const struct io_opts *o = &l->o;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx || ctx_common(ctx)) {
		ssl_err(err, errsz, "TLS client context", NULL);
		goto fail;
	}
	if (o->tls_verify_server) {
		if (!o->tls_ca) {
			snprintf(err, errsz,
				 "server verification needs a CA file");
			goto fail;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	if (o->tls_ca && SSL_CTX_load_verify_locations(ctx, o->tls_ca, NULL)
	    != 1) {
		ssl_err(err, errsz, "cannot load CA", o->tls_ca);
		goto fail;
	}
	/* Present our certificate when we have one (mutual TLS peers). */
	if (o->tls_cert && o->tls_key &&
	    (SSL_CTX_use_certificate_chain_file(ctx, o->tls_cert) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, o->tls_key, SSL_FILETYPE_PEM)
	     != 1)) {
		ssl_err(err, errsz, "cannot load client certificate",
			o->tls_cert);
		goto fail;
	}
	l->tls_cli = ctx;
	return 0;
fail:
	SSL_CTX_free(ctx);
	return EINVAL;
}

int io_tls_init(struct io_loop *l, char *err, size_t errsz)
{
	const struct io_opts *o = &l->o;
	int e;

	if (!o->tls_cert != !o->tls_key) {
		snprintf(err, errsz, "TLS needs both a certificate and a key");
		return EINVAL;
	}
	if (o->tls_cert && (e = server_ctx(l, err, errsz)))
		return e;
	return client_ctx(l, err, errsz);
}

void io_tls_fini(struct io_loop *l)
{
	SSL_CTX_free(l->tls_srv);
	SSL_CTX_free(l->tls_cli);
	l->tls_srv = l->tls_cli = NULL;
}

int io_tls_start(struct io_loop *l, struct io_conn *cn, bool client)
{
	SSL *ssl = SSL_new(client ? l->tls_cli : l->tls_srv);

	if (!ssl)
		return ENOMEM;
	if (SSL_set_fd(ssl, cn->sk.fd) != 1) {
		SSL_free(ssl);
		return EINVAL;
	}
	if (client) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		char host[INET6_ADDRSTRLEN];

		/* Verification (when on) checks the certificate names the
		 * IP address we dialled. */
		net_addr_host(&cn->peer, host, sizeof(host));
		X509_VERIFY_PARAM_set1_ip_asc(vp, host);
		SSL_set_connect_state(ssl);
	} else {
		SSL_set_accept_state(ssl);
	}
	cn->ssl = ssl;
	return 0;
}

int io_tls_handshake(struct io_loop *l, struct io_conn *cn)
{
	char a[NET_ADDR_STRLEN], msg[256];
	unsigned long e;
	int r;

	ERR_clear_error();
	r = SSL_do_handshake(cn->ssl);
	if (r == 1) {
		cn->hs_want_write = false;
		return 0;
	}
	switch (SSL_get_error(cn->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		cn->hs_want_write = false;
		return EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		cn->hs_want_write = true;
		return EAGAIN;
	default:
		e = ERR_get_error();
		ERR_error_string_n(e, msg, sizeof(msg));
		LOG_I(l->log, "TLS handshake with %s failed: %s",
		      net_addr_str(&cn->peer, a, sizeof(a)),
		      e ? msg : "connection closed");
		ERR_clear_error();
		return EPROTO;
	}
}

ssize_t io_tls_read(struct io_loop *l, struct io_conn *cn, void *buf,
		    size_t len)
{
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_read(cn->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
	if (r > 0) {
		cn->tls_read_wants_write = false;
		return r;
	}
	e = SSL_get_error(cn->ssl, r);
	switch (e) {
	case SSL_ERROR_WANT_READ:
		cn->tls_read_wants_write = false;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		cn->tls_read_wants_write = true;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		/* A peer that closes without close_notify: plain EOF. */
		if (!errno || errno == ECONNRESET)
			return 0;
		return -1;
	default:
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
}

ssize_t io_tls_write(struct io_loop *l, struct io_conn *cn, const void *buf,
		     size_t len)
{
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_write(cn->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
	if (r > 0) {
		cn->tls_write_wants_read = false;
		return r;
	}
	e = SSL_get_error(cn->ssl, r);
	switch (e) {
	case SSL_ERROR_WANT_WRITE:
		cn->tls_write_wants_read = false;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_READ:
		cn->tls_write_wants_read = true;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_SYSCALL:
		if (!errno)
			errno = EPIPE;
		return -1;
	default:
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
}
