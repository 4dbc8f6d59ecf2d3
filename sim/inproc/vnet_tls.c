/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Real TLS on the virtual network's TLS connections (in-process and over
 * ns-3 TCP): the cores keep exchanging plaintext, and between them each
 * connection runs an OpenSSL client (the side that dialled) and server
 * (the side that accepted) over memory BIOs, so what crosses the wire and
 * the capture is a genuine TLS 1.3 handshake and records, not a stand-in.
 * The server's certificate is a P-256 key and self-signed certificate
 * made per network in memory; the client does not verify it (the bench
 * measures exposure on the link, not PKI).
 *
 * Plaintext written before the handshake finishes waits in the side's
 * queue; handshake bytes a side must answer come back to the caller to
 * send the other way.
 */
#include <errno.h>
#include <string.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "base/mem.h"
#include "base/buf.h"
#include "inproc/vnet_int.h"

struct vnet_tls {
	SSL *ssl[2];		/* side 0 client, side 1 server */
	BIO *rd[2], *wr[2];	/* owned by ssl */
	struct buf pend[2];	/* plaintext waiting for the handshake */
};

struct vnet_tls_ctx {
	SSL_CTX *cli, *srv;
};

static X509 *self_signed(EVP_PKEY *k)
{
	X509 *x = X509_new();
	X509_NAME *n;

	if (!x)
		return NULL;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"rtcbench-vnet", -1,
				   -1, 0);
	X509_set_issuer_name(x, n);
	if (!X509_sign(x, k, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int ctx_get(struct vnet *v)
{
	struct vnet_tls_ctx *t;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;

	if (v->tls)
		return 0;
	t = mem_zalloc(sizeof(*t));
	if (!t)
		return ENOMEM;
	t->cli = SSL_CTX_new(TLS_client_method());
	t->srv = SSL_CTX_new(TLS_server_method());
	k = EVP_EC_gen("P-256");
	if (k)
		x = self_signed(k);
	if (!t->cli || !t->srv || !x ||
	    SSL_CTX_use_certificate(t->srv, x) != 1 ||
	    SSL_CTX_use_PrivateKey(t->srv, k) != 1) {
		X509_free(x);
		EVP_PKEY_free(k);
		SSL_CTX_free(t->cli);
		SSL_CTX_free(t->srv);
		mem_free(t);
		return EIO;
	}
	SSL_CTX_set_verify(t->cli, SSL_VERIFY_NONE, NULL);
	X509_free(x);
	EVP_PKEY_free(k);
	v->tls = t;
	return 0;
}

void vnet_tls_free(struct vnet *v)
{
	if (!v->tls)
		return;
	SSL_CTX_free(v->tls->cli);
	SSL_CTX_free(v->tls->srv);
	mem_free(v->tls);
	v->tls = NULL;
}

void vnet_tls_conn_free(struct vnet_conn *c)
{
	int s;

	if (!c->tls)
		return;
	for (s = 0; s < 2; s++) {
		SSL_free(c->tls->ssl[s]);	/* frees its BIOs */
		buf_fini(&c->tls->pend[s]);
	}
	mem_free(c->tls);
	c->tls = NULL;
}

static int conn_tls(struct vnet *v, struct vnet_conn *c)
{
	struct vnet_tls *t;
	int s;

	if (c->tls)
		return 0;
	if (ctx_get(v))
		return EIO;
	t = mem_zalloc(sizeof(*t));
	if (!t)
		return ENOMEM;
	for (s = 0; s < 2; s++) {
		buf_init(&t->pend[s]);
		t->ssl[s] = SSL_new(s ? v->tls->srv : v->tls->cli);
		t->rd[s] = BIO_new(BIO_s_mem());
		t->wr[s] = BIO_new(BIO_s_mem());
		if (!t->ssl[s] || !t->rd[s] || !t->wr[s]) {
			BIO_free(t->rd[s]);
			BIO_free(t->wr[s]);
			c->tls = t;
			vnet_tls_conn_free(c);
			return ENOMEM;
		}
		SSL_set_bio(t->ssl[s], t->rd[s], t->wr[s]);
		if (s)
			SSL_set_accept_state(t->ssl[s]);
		else
			SSL_set_connect_state(t->ssl[s]);
	}
	c->tls = t;
	return 0;
}

static void consume(struct buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

/* Move what side s's TLS wrote (records) into wire. */
static int drain(struct vnet_tls *t, int s, struct buf *wire)
{
	uint8_t b[16384];
	int n;

	while ((n = BIO_read(t->wr[s], b, sizeof(b))) > 0)
		if (buf_put(wire, b, (size_t)n))
			return ENOMEM;
	return 0;
}

/* Handshake step, then any queued plaintext once it is done. */
static int pump(struct vnet_tls *t, int s, struct buf *wire)
{
	SSL *ssl = t->ssl[s];

	if (!SSL_is_init_finished(ssl)) {
		int r = SSL_do_handshake(ssl);

		if (r != 1) {
			int e = SSL_get_error(ssl, r);

			if (e != SSL_ERROR_WANT_READ &&
			    e != SSL_ERROR_WANT_WRITE) {
				ERR_clear_error();
				return EPROTO;
			}
		}
	}
	if (SSL_is_init_finished(ssl) && t->pend[s].len) {
		int n = SSL_write(ssl, t->pend[s].data, (int)t->pend[s].len);

		if (n <= 0) {
			ERR_clear_error();
			return EPROTO;
		}
		consume(&t->pend[s], (size_t)n);
	}
	return drain(t, s, wire);
}

int vnet_tls_send(struct vnet *v, struct vnet_conn *c, int side,
		  const uint8_t *p, size_t n, struct buf *wire)
{
	int rc = conn_tls(v, c);

	if (rc)
		return rc;
	if (n && buf_put(&c->tls->pend[side], p, n))
		return ENOMEM;
	return pump(c->tls, side, wire);
}

int vnet_tls_recv(struct vnet *v, struct vnet_conn *c, int side,
		  const uint8_t *w, size_t n, struct buf *plain,
		  struct buf *back)
{
	uint8_t b[16384];
	int rc = conn_tls(v, c), r;

	if (rc)
		return rc;
	if (n && BIO_write(c->tls->rd[side], w, (int)n) != (int)n)
		return ENOMEM;
	rc = pump(c->tls, side, back);
	if (rc)
		return rc;
	while ((r = SSL_read(c->tls->ssl[side], b, sizeof(b))) > 0)
		if (buf_put(plain, b, (size_t)r))
			return ENOMEM;
	ERR_clear_error();
	/* reading may have produced more (session tickets, key updates) */
	return pump(c->tls, side, back);
}
