/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Contacts: the user's XCAP buddy list (resource-lists "index", P5), the
 * same document SIP clients read and write over XCAP. Reads and writes go
 * through xcap_handle(), so the portal gets the XCAP server's validation
 * and ETags; edits are made on the libxml2 tree (other lists and
 * elements of the document are kept): add appends an <entry> to the first
 * <list>, remove drops every <entry> with that URI.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "xcap/xcap.h"
#include "web/web_int.h"

#define RL_NS "urn:ietf:params:xml:ns:resource-lists"
#define RL_CT "application/resource-lists+xml"

static int xcap(struct web_ctx *c, const char *method, const struct pl *body,
		struct xcap_resp *resp)
{
	char path[WEB_AOR_MAX + 64];
	struct xcap_req r = { 0 };

	snprintf(path, sizeof(path), "/xcap-root/resource-lists/users/sip:%s"
		 "/index", c->s->aor);
	r.method = pl_from_str(method);
	r.path = pl_from_str(path);
	r.ctype = pl_from_str(RL_CT);
	r.user = c->user;
	r.now_us = c->req->now_us;
	if (body)
		r.body = *body;
	return xcap_handle(c->w->st, "/xcap-root", &r, resp);
}

static bool is_rl(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, RL_NS) &&
	       !strcmp((const char *)n->name, name);
}

/* Load the document: *doc NULL when the user has none yet. */
static int load(struct web_ctx *c, xmlDoc **doc)
{
	struct xcap_resp resp;
	int err;

	*doc = NULL;
	buf_init(&resp.body);
	err = xcap(c, "GET", NULL, &resp);
	if (!err && resp.status == 200) {
		*doc = xmlReadMemory((const char *)resp.body.data,
				     (int)resp.body.len, "index", NULL,
				     XML_PARSE_NONET | XML_PARSE_NOBLANKS);
		if (!*doc)
			err = EBADMSG;
	}
	buf_fini(&resp.body);
	return err;
}

static int save(struct web_ctx *c, xmlDoc *doc)
{
	struct xcap_resp resp;
	xmlChar *text = NULL;
	struct pl body;
	int len = 0, err;

	xmlDocDumpMemoryEnc(doc, &text, &len, "UTF-8");
	if (!text)
		return ENOMEM;
	body = pl_from_mem(text, (size_t)len);
	buf_init(&resp.body);
	err = xcap(c, "PUT", &body, &resp);
	if (!err && resp.status != 200 && resp.status != 201)
		err = EINVAL;
	buf_fini(&resp.body);
	xmlFree(text);
	return err;
}

/* Visit every <entry>; fn returns true to unlink and free it. */
typedef bool (entry_fn)(void *arg, xmlNode *entry, const char *uri,
			const char *name);

static void walk(xmlNode *n, entry_fn *fn, void *arg)
{
	xmlNode *next;

	for (; n; n = next) {
		next = n->next;
		if (is_rl(n, "entry")) {
			xmlChar *uri = xmlGetProp(n, (const xmlChar *)"uri");
			xmlChar *name = NULL;
			xmlNode *k;

			for (k = n->children; k; k = k->next)
				if (is_rl(k, "display-name"))
					name = xmlNodeGetContent(k);
			if (fn(arg, n, uri ? (const char *)uri : "",
			       name ? (const char *)name : "")) {
				xmlUnlinkNode(n);
				xmlFreeNode(n);
			}
			xmlFree(uri);
			xmlFree(name);
		} else if (n->type == XML_ELEMENT_NODE) {
			walk(n->children, fn, arg);
		}
	}
}

struct row_ctx {
	struct web_ctx *c;
	const char *uri;	/* match */
	size_t n;
	int err;
};

static bool row(void *arg, xmlNode *e, const char *uri, const char *name)
{
	struct row_ctx *x = arg;
	struct buf *b = &x->c->resp->body;
	int err = x->err;

	(void)e;
	x->n++;
	err = err ? err : buf_put_str(b, "<tr><td>");
	err = err ? err : web_esc_str(b, name);
	err = err ? err : buf_put_str(b, "</td><td>");
	err = err ? err : web_esc_str(b, uri);
	err = err ? err : buf_put_str(b, "</td><td><form method=\"post\" "
				      "action=\"/contacts/remove\">");
	err = err ? err : web_csrf_input(x->c);
	err = err ? err : buf_put_str(b, "<input type=\"hidden\" name=\"uri\""
				      " value=\"");
	err = err ? err : web_esc_str(b, uri);
	err = err ? err : buf_put_str(b, "\"><button type=\"submit\">Remove"
				      "</button></form></td></tr>\n");
	x->err = err;
	return false;
}

static bool match(void *arg, xmlNode *e, const char *uri, const char *name)
{
	struct row_ctx *x = arg;

	(void)e; (void)name;
	if (strcmp(uri, x->uri))
		return false;
	x->n++;
	return x->c != NULL;	/* c set: remove */
}

static int page(struct web_ctx *c, int status, const char *error)
{
	struct row_ctx x = { .c = c };
	struct buf *b = &c->resp->body;
	xmlDoc *doc;
	int err;

	err = load(c, &doc);
	if (err && err != EBADMSG)
		return err;
	err = web_page_begin(c, status, "Contacts");
	if (!err && error) {
		err = buf_put_str(b, "<p class=\"err\">");
		err = err ? err : web_esc_str(b, error);
		err = err ? err : buf_put_str(b, "</p>\n");
	}
	err = err ? err : buf_put_str(b, "<table><tr><th>Name</th><th>Address"
				      "</th><th></th></tr>\n");
	if (!err && doc) {
		walk(xmlDocGetRootElement(doc), row, &x);
		err = x.err;
	}
	err = err ? err : buf_put_str(b, "</table>\n");
	if (!err && !x.n)
		err = buf_put_str(b, "<p>No contacts yet.</p>\n");
	err = err ? err : buf_put_str(b, "<h2>Add a contact</h2><form method="
				      "\"post\" action=\"/contacts/add\">");
	err = err ? err : web_csrf_input(c);
	err = err ? err : buf_put_str(b, "<label>Address <input name=\"uri\" "
		"placeholder=\"sip:bob@example.test\" required></label> <label>"
		"Name <input name=\"name\"></label> <button type=\"submit\">Add"
		"</button></form>\n");
	xmlFreeDoc(doc);
	return err ? err : web_page_end(c);
}

static bool uri_ok(const char *u)
{
	return !strncmp(u, "sip:", 4) && strchr(u + 4, '@') && u[4] != '@' &&
	       strlen(u) < 200 && !strpbrk(u, " \t\r\n<>\"'&\\");
}

static int edit(struct web_ctx *c, bool add)
{
	char uri[256], name[128];
	struct row_ctx x = { .c = add ? NULL : c };
	xmlNode *root, *list = NULL, *n, *e;
	xmlDoc *doc;
	int err;

	if (web_form_get(&c->req->body, "uri", uri, sizeof(uri)) || !uri_ok(uri))
		return page(c, 400, "not a SIP address (sip:user@domain)");
	if (web_form_get(&c->req->body, "name", name, sizeof(name)))
		name[0] = '\0';
	x.uri = uri;
	if ((err = load(c, &doc)))
		return err == EBADMSG ? page(c, 409, "the stored list cannot be"
					     " read") : err;
	if (!doc && !add)
		return page(c, 404, "not in the list");
	if (!doc) {
		doc = xmlNewDoc((const xmlChar *)"1.0");
		root = doc ? xmlNewNode(NULL, (const xmlChar *)"resource-lists")
			   : NULL;
		if (!root) {
			xmlFreeDoc(doc);
			return ENOMEM;
		}
		xmlDocSetRootElement(doc, root);
		xmlSetNs(root, xmlNewNs(root, (const xmlChar *)RL_NS, NULL));
		list = xmlNewChild(root, root->ns, (const xmlChar *)"list",
				   NULL);
		xmlNewProp(list, (const xmlChar *)"name",
			   (const xmlChar *)"buddies");
	}
	root = xmlDocGetRootElement(doc);
	walk(root, match, &x);
	if (add && x.n) {
		xmlFreeDoc(doc);
		return page(c, 409, "already in the list");
	}
	if (!add && !x.n) {
		xmlFreeDoc(doc);
		return page(c, 404, "not in the list");
	}
	if (add) {
		for (n = root ? root->children : NULL; n && !list; n = n->next)
			if (is_rl(n, "list"))
				list = n;
		if (!list) {
			list = xmlNewChild(root, root->ns,
					   (const xmlChar *)"list", NULL);
			xmlNewProp(list, (const xmlChar *)"name",
				   (const xmlChar *)"buddies");
		}
		e = xmlNewChild(list, list->ns, (const xmlChar *)"entry", NULL);
		if (!e || !xmlNewProp(e, (const xmlChar *)"uri",
				      (const xmlChar *)uri) ||
		    (name[0] && !xmlNewTextChild(e, list->ns, (const xmlChar *)
						 "display-name",
						 (const xmlChar *)name))) {
			xmlFreeDoc(doc);
			return ENOMEM;
		}
	}
	err = save(c, doc);
	xmlFreeDoc(doc);
	if (err == EINVAL)
		return page(c, 400, "the list was refused by the XCAP server");
	return err ? err : web_redirect(c, "/contacts");
}

int web_contacts(struct web_ctx *c, const struct pl *sub)
{
	if (!sub->len)
		return web_is_post(c) ? web_page_msg(c, 405, "Contacts",
					"use the forms") : page(c, 200, NULL);
	if (!web_is_post(c))
		return web_not_found(c);
	if (pl_eq_str(sub, "/add"))
		return edit(c, true);
	if (pl_eq_str(sub, "/remove"))
		return edit(c, false);
	return web_not_found(c);
}
