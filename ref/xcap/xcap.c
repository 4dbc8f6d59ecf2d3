/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XCAP protocol core (RFC 4825): URI parsing, owner check, conditional
 * requests with ETags (RFC 4825 7.10, RFC 9110 13.1), document validation
 * with libxml2, and the store calls. No sockets: see xcap_http.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include "xcap/xcap.h"

struct usage {
	const char *auid;
	const char *mime;
	const char *root;	/* root element */
	const char *ns;		/* its namespace */
	const char *const *children;	/* allowed children of root */
};

static const char *const rl_children[] = { "list", NULL };
static const char *const pr_children[] = { "rule", NULL };

static const struct usage usages[] = {
	{ "resource-lists", "application/resource-lists+xml",
	  "resource-lists", "urn:ietf:params:xml:ns:resource-lists",
	  rl_children },
	{ "pres-rules", "application/auth-policy+xml", "ruleset",
	  "urn:ietf:params:xml:ns:common-policy", pr_children },
};

static const char caps[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<xcap-caps xmlns=\"urn:ietf:params:xml:ns:xcap-caps\">\n"
	"  <auids><auid>xcap-caps</auid><auid>resource-lists</auid>"
	"<auid>pres-rules</auid></auids>\n"
	"  <extensions/>\n"
	"  <namespaces>"
	"<namespace>urn:ietf:params:xml:ns:xcap-caps</namespace>"
	"<namespace>urn:ietf:params:xml:ns:resource-lists</namespace>"
	"<namespace>urn:ietf:params:xml:ns:common-policy</namespace>"
	"<namespace>urn:ietf:params:xml:ns:pres-rules</namespace>"
	"</namespaces>\n</xcap-caps>\n";

static const struct usage *usage_find(const struct pl *auid)
{
	size_t i;

	for (i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
		if (pl_eq_str(auid, usages[i].auid))
			return &usages[i];
	return NULL;
}

static int name_is(const xmlNode *n, const char *name, const char *ns)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->name, name) &&
	       !strcmp((const char *)n->ns->href, ns);
}

int xcap_validate(const struct pl *auid, const struct pl *body, char *why,
		  size_t whysz)
{
	const struct usage *u = usage_find(auid);
	xmlParserCtxtPtr ctx;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, n;
	int err = 0;
	size_t i;

	if (!u || !body || body->len > INT32_MAX) {
		snprintf(why, whysz, "unknown application usage");
		return EINVAL;
	}
	ctx = xmlNewParserCtxt();
	if (!ctx)
		return ENOMEM;
	/* No network, no entity expansion, no DTD loading (XXE), silent. */
	doc = xmlCtxtReadMemory(ctx, body->p, (int)body->len, "doc.xml",
				NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
	if (!doc || !ctx->wellFormed) {
		snprintf(why, whysz, "not well-formed XML");
		err = EBADMSG;
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		snprintf(why, whysz, "DTDs are not accepted");
		err = EINVAL;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !name_is(root, u->root, u->ns)) {
		snprintf(why, whysz, "root must be <%s xmlns=\"%s\">", u->root,
			 u->ns);
		err = EINVAL;
		goto out;
	}
	for (n = root->children; n; n = n->next) {
		int ok = 0;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; u->children[i] && !ok; i++)
			ok = name_is(n, u->children[i], u->ns);
		if (!ok) {
			snprintf(why, whysz, "unexpected element <%s> in <%s>",
				 (const char *)n->name, u->root);
			err = EINVAL;
			goto out;
		}
	}
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctx);
	return err;
}

/* ---- requests ----------------------------------------------------------- */

struct target {
	const struct usage *u;
	struct pl auid, xui, doc;
	int global;
};

/*
 * <root>/<auid>/users/<xui>/<doc> or <root>/xcap-caps/global/index.
 * 404 for anything else, 501 for node selectors.
 */
static int parse_path(const char *root, const struct pl *path,
		      struct target *t)
{
	struct pl p = *path, tree, rest;
	size_t rl = strlen(root);

	memset(t, 0, sizeof(*t));
	if (p.len < rl + 1 || memcmp(p.p, root, rl) || p.p[rl] != '/')
		return 404;
	pl_advance(&p, rl + 1);
	if (pl_find(&p, &PL("/~~")))
		return 501;
	if (pl_split(&p, '/', &t->auid, &rest) || pl_split(&rest, '/', &tree,
							    &rest))
		return 404;
	if (pl_eq_str(&t->auid, "xcap-caps"))
		return pl_eq_str(&tree, "global") &&
		       pl_eq_str(&rest, "index") ? (t->global = 1, 0) : 404;
	t->u = usage_find(&t->auid);
	if (!t->u || !pl_eq_str(&tree, "users"))
		return 404;
	/* The XUI is a SIP URI, whose user part has no '/'. */
	if (pl_split(&rest, '/', &t->xui, &t->doc) || !t->xui.len ||
	    !t->doc.len || pl_chr(&t->doc, '/'))
		return 404;
	if (pl_prefix_case(&t->xui, "sip:"))
		pl_advance(&t->xui, 4);
	return 0;
}

static int set_error(struct xcap_resp *resp, int status, const char *elem)
{
	resp->status = status;
	if (!elem)
		return 0;
	resp->ctype = "application/xcap-error+xml";
	return buf_printf(&resp->body, "<?xml version=\"1.0\" encoding=\"UTF-8\""
			  "?>\n<xcap-error xmlns=\"urn:ietf:params:xml:ns:"
			  "xcap-error\"><%s/></xcap-error>\n", elem);
}

struct cur {
	int found;
	char etag[48];
	struct buf *body;
};

static int cur_cb(void *arg, const struct store_xcap *x)
{
	struct cur *c = arg;

	c->found = 1;
	if (pl_strcpy(&x->etag, c->etag, sizeof(c->etag)))
		c->etag[0] = '\0';
	return c->body ? buf_put_pl(c->body, &x->body) : 0;
}

/* A header value lists the current tag ("*" matches any). RFC 9110 13.1. */
static int tag_listed(const struct pl *hdr, const char *etag)
{
	struct pl rest = *hdr, one;

	while (rest.len) {
		if (pl_split(&rest, ',', &one, &rest))
			rest.len = 0;
		pl_trim(&one);
		if (pl_prefix_case(&one, "W/"))
			pl_advance(&one, 2);
		if (one.len >= 2 && one.p[0] == '"' && one.p[one.len - 1] == '"') {
			one.p++;
			one.len -= 2;
		}
		if (pl_eq_str(&one, "*") || (etag[0] && pl_eq_str(&one, etag)))
			return 1;
	}
	return 0;
}

/* 412 when If-Match / If-None-Match fail for the current state. */
static int precondition(const struct xcap_req *r, const struct cur *c)
{
	if (r->if_match.len && (!c->found || !tag_listed(&r->if_match,
							 c->etag)))
		return 412;
	if (r->if_none_match.len && c->found &&
	    tag_listed(&r->if_none_match, c->etag))
		return pl_eq_str(&r->method, "GET") ? 304 : 412;
	return 0;
}

/* ETag: the first 128 bits of SHA-256 over the document, in hex. */
static void make_etag(const struct pl *body, char *out)
{
	static const char x[] = "0123456789abcdef";
	unsigned char d[32];
	unsigned int dl = 0, i;

	EVP_Digest(body->p, body->len, d, &dl, EVP_sha256(), NULL);
	for (i = 0; i < 16; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[32] = '\0';
}

static int do_put(struct store *s, const struct xcap_req *r,
		  const struct target *t, struct cur *c,
		  struct xcap_resp *resp)
{
	struct store_xcap x;
	struct pl ct = r->ctype, rest;
	char why[160];
	int e;

	(void)pl_split(&ct, ';', &ct, &rest);
	pl_trim(&ct);
	if (!pl_caseeq_str(&ct, t->u->mime))
		return set_error(resp, 415, NULL);
	e = xcap_validate(&t->auid, &r->body, why, sizeof(why));
	if (e == ENOMEM)
		return e;
	if (e)	/* RFC 4825 11: 409 with the reason as an element */
		return set_error(resp, 409, e == EBADMSG ? "not-well-formed"
				 : "schema-validation-error");
	memset(&x, 0, sizeof(x));
	make_etag(&r->body, resp->etag);
	x.user = r->user;
	x.auid = t->auid;
	x.doc = t->doc;
	x.etag = pl_from_str(resp->etag);
	x.body = r->body;
	x.time_us = r->now_us;
	e = store_xcap_put(s, &x);
	if (e)
		return e;
	resp->status = c->found ? 200 : 201;
	return 0;
}

int xcap_handle(struct store *s, const char *root, const struct xcap_req *r,
		struct xcap_resp *resp)
{
	struct target t;
	struct cur c;
	int st, e;

	resp->status = 500;
	resp->ctype = NULL;
	resp->etag[0] = '\0';
	resp->allow = NULL;
	st = parse_path(root, &r->path, &t);
	if (st)
		return set_error(resp, st, NULL);
	if (t.global) {
		if (!pl_eq_str(&r->method, "GET")) {
			resp->allow = "GET";
			return set_error(resp, 405, NULL);
		}
		resp->status = 200;
		resp->ctype = "application/xcap-caps+xml";
		return buf_put_str(&resp->body, caps);
	}
	/* Only the owner reads and writes (P5). */
	if (!pl_eq(&t.xui, &r->user))
		return set_error(resp, 403, NULL);
	memset(&c, 0, sizeof(c));
	if (pl_eq_str(&r->method, "GET"))
		c.body = &resp->body;
	e = store_xcap_get(s, &r->user, &t.auid, &t.doc, cur_cb, &c);
	if (e && e != ENOENT)
		return e;
	st = precondition(r, &c);
	if (st) {
		buf_reset(&resp->body);
		if (st == 304)
			snprintf(resp->etag, sizeof(resp->etag), "%s", c.etag);
		return set_error(resp, st, NULL);
	}
	if (pl_eq_str(&r->method, "GET")) {
		if (!c.found)
			return set_error(resp, 404, NULL);
		resp->status = 200;
		resp->ctype = t.u->mime;
		snprintf(resp->etag, sizeof(resp->etag), "%s", c.etag);
		return 0;
	}
	if (pl_eq_str(&r->method, "PUT"))
		return do_put(s, r, &t, &c, resp);
	if (pl_eq_str(&r->method, "DELETE")) {
		if (!c.found)
			return set_error(resp, 404, NULL);
		e = store_xcap_delete(s, &r->user, &t.auid, &t.doc);
		if (e)
			return e;
		resp->status = 200;
		return 0;
	}
	resp->allow = "GET, PUT, DELETE";
	return set_error(resp, 405, NULL);
}
