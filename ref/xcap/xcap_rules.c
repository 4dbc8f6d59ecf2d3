/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Presence authorization from the presentity's pres-rules document
 * (RFC 5025 on RFC 4745 common policy), for the SIP presence agent:
 * which sub-handling a watcher gets. A rule matches when every condition
 * it has holds: <identity> with <one id=.../> (the watcher's URI) or
 * <many domain=...> minus its <except> entries; a rule without conditions
 * matches everyone; a condition element this code does not know makes
 * the rule not match (RFC 4745 7). The matching rules combine to the
 * most permissive value (block < confirm < polite-block < allow, RFC 5025
 * 3.2.1). No document: allow (presence as before rules existed); a
 * document where no rule gives sub-handling: confirm, so an unknown
 * watcher sees no state until the user allows it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "xcap/xcap.h"

#define NS_CP "urn:ietf:params:xml:ns:common-policy"
#define NS_PR "urn:ietf:params:xml:ns:pres-rules"

static bool is(const xmlNode *n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, ns) &&
	       !strcmp((const char *)n->name, name);
}

/* "sip:bob@example.test" equals the watcher "bob@example.test"? */
static bool same_uri(const char *id, const char *watcher)
{
	if (!strncasecmp(id, "sip:", 4))
		id += 4;
	else if (!strncasecmp(id, "sips:", 5))
		id += 5;
	return !strcasecmp(id, watcher);
}

static bool attr_is(const xmlNode *n, const char *a, const char *want,
		    bool uri)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)a);
	bool r = false;

	if (v)
		r = uri ? same_uri((const char *)v, want) :
			  !strcasecmp((const char *)v, want);
	xmlFree(v);
	return r;
}

static bool identity_ok(const xmlNode *id, const char *watcher)
{
	const char *dom = strchr(watcher, '@');
	const xmlNode *c, *e;

	for (c = id->children; c; c = c->next) {
		if (is(c, NS_CP, "one") && attr_is(c, "id", watcher, true))
			return true;
		if (!is(c, NS_CP, "many"))
			continue;
		if (xmlHasProp(c, (const xmlChar *)"domain") &&
		    (!dom || !attr_is(c, "domain", dom + 1, false)))
			continue;
		for (e = c->children; e; e = e->next)
			if (is(e, NS_CP, "except") &&
			    (attr_is(e, "id", watcher, true) ||
			     (dom && attr_is(e, "domain", dom + 1, false))))
				break;
		if (!e)
			return true;
	}
	return false;
}

static bool conditions_ok(const xmlNode *rule, const char *watcher)
{
	const xmlNode *c, *k;

	for (c = rule->children; c; c = c->next) {
		if (!is(c, NS_CP, "conditions"))
			continue;
		for (k = c->children; k; k = k->next) {
			if (k->type != XML_ELEMENT_NODE)
				continue;
			if (!is(k, NS_CP, "identity") ||
			    !identity_ok(k, watcher))
				return false;	/* unknown: FALSE */
		}
	}
	return true;
}

/* The rule's sub-handling, or -1 if it has none. */
static int rule_value(const xmlNode *rule)
{
	static const char *const v[] = { "block", "confirm", "polite-block",
					 "allow" };
	const xmlNode *a, *s;
	xmlChar *t;
	int i, r = -1;

	for (a = rule->children; a; a = a->next) {
		if (!is(a, NS_CP, "actions"))
			continue;
		for (s = a->children; s; s = s->next) {
			if (!is(s, NS_PR, "sub-handling"))
				continue;
			t = xmlNodeGetContent(s);
			for (i = 0; t && i < 4; i++)
				if (!strcmp((const char *)t, v[i]) && i > r)
					r = i;
			xmlFree(t);
		}
	}
	return r;
}

int xcap_pres_rules_eval(const struct pl *doc, const char *watcher)
{
	const xmlNode *root, *rule;
	xmlDoc *d;
	int best = -1, v;

	if (!doc || !doc->len || doc->len > 1 << 20 || !watcher)
		return XCAP_SUB_CONFIRM;
	d = xmlReadMemory(doc->p, (int)doc->len, "pres-rules", NULL,
			  XML_PARSE_NONET | XML_PARSE_NOERROR |
			  XML_PARSE_NOWARNING);
	if (!d)
		return XCAP_SUB_CONFIRM;	/* unreadable: nobody sees state */
	root = xmlDocGetRootElement(d);
	if (root && is(root, NS_CP, "ruleset")) {
		for (rule = root->children; rule; rule = rule->next) {
			if (!is(rule, NS_CP, "rule") ||
			    !conditions_ok(rule, watcher))
				continue;
			v = rule_value(rule);
			if (v > best)
				best = v;
		}
	}
	xmlFreeDoc(d);
	return best < 0 ? XCAP_SUB_CONFIRM : best;
}

struct got {
	char *buf;
	size_t len;
	int err;
};

static int copy_doc(void *arg, const struct store_xcap *x)
{
	struct got *g = arg;

	g->buf = malloc(x->body.len + 1);
	if (!g->buf) {
		g->err = ENOMEM;
		return 0;
	}
	memcpy(g->buf, x->body.p, x->body.len);
	g->len = x->body.len;
	return 0;
}

int xcap_sub_handling(struct store *s, const char *presentity,
		      const char *watcher)
{
	struct pl u = pl_from_str(presentity), a = PL("pres-rules"),
		  n = PL("index"), doc;
	struct got g = { NULL, 0, 0 };
	int e, r;

	e = store_xcap_get(s, &u, &a, &n, copy_doc, &g);
	if (e == ENOENT && !g.buf)
		return XCAP_SUB_ALLOW;	/* no rules written */
	if (e || g.err || !g.buf) {
		free(g.buf);
		return XCAP_SUB_CONFIRM;	/* cannot tell: no state */
	}
	doc = pl_from_mem(g.buf, g.len);
	r = xcap_pres_rules_eval(&doc, watcher);
	free(g.buf);
	return r;
}
