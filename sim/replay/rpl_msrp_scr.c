/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MSRP re-drive script (rpl_msrp.h): every captured SEND chunk once,
 * in capture order, under its session, with its content copied (the
 * dissector's slices die with the callback). AUTH requests that carried
 * credentials tell which account each end used at its relay: the end is
 * played again with that account's entry of --accounts; an end without
 * one was reached by the relay directly (a conference focus) and is
 * played so. Content held is
 * bounded; a session that lost chunks to the bound is skipped rather
 * than re-driven partly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_msrp.h"

#define MAX_CONTENT (64ull << 20)

void rpl_mscript_init(struct rpl_mscript *s)
{
	memset(s, 0, sizeof(*s));
}

void rpl_mscript_fini(struct rpl_mscript *s)
{
	size_t i;

	for (i = 0; i < s->nc; i++)
		mem_free(s->c[i].body);
	mem_free(s->c);
	mem_free(s->s);
	mem_free(s->auth);
	memset(s, 0, sizeof(*s));
}

static void copy_pl(char *dst, size_t sz, const struct pl *p)
{
	size_t n = p->len < sz - 1 ? p->len : sz - 1;

	if (n)
		memcpy(dst, p->p, n);
	dst[n] = '\0';
}

static int add_auth(struct rpl_mscript *s, const struct rpl_msrp_req *q)
{
	struct msrp_auth a;
	struct pl from = pl_from_str(q->from_uri);
	char key[160];
	void *v;
	size_t i;

	if (!q->authz.len || msrp_auth_decode(&q->authz, &a) ||
	    !a.username.len)
		return 0;
	rpl_msrp_uri_key(&from, key, sizeof(key));
	for (i = 0; i < s->nauth; i++)
		if (!strcmp(s->auth[i].key, key))
			break;
	if (i == s->nauth) {
		v = mem_realloc(s->auth, (s->nauth + 1) * sizeof(*s->auth));
		if (!v)
			return ENOMEM;
		s->auth = v;
		s->nauth++;
	}
	snprintf(s->auth[i].key, sizeof(s->auth[i].key), "%s", key);
	/* the account's AOR: username, @realm unless it has a domain */
	if (pl_chr(&a.username, '@') || !a.realm.len)
		copy_pl(s->auth[i].user, sizeof(s->auth[i].user),
			&a.username);
	else
		snprintf(s->auth[i].user, sizeof(s->auth[i].user),
			 "%.*s@%.*s", (int)(a.username.len < 60 ?
					    a.username.len : 60),
			 a.username.p, (int)(a.realm.len < 60 ? a.realm.len :
					     60), a.realm.p);
	return 0;
}

/* The session of (from, to); *side the sender's end. */
static int sess_of(struct rpl_mscript *s, const struct rpl_msrp_req *q,
		   uint32_t *idx, uint8_t *side)
{
	struct pl f = pl_from_str(q->from_uri), t = pl_from_str(q->to_uri);
	char kf[160], kt[160];
	struct rpl_msess_scr *ns;
	size_t i;

	rpl_msrp_uri_key(&f, kf, sizeof(kf));
	rpl_msrp_uri_key(&t, kt, sizeof(kt));
	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->s[i].end[0].key, kf) &&
		    !strcmp(s->s[i].end[1].key, kt)) {
			*side = 0;
			break;
		}
		if (!strcmp(s->s[i].end[1].key, kf) &&
		    !strcmp(s->s[i].end[0].key, kt)) {
			*side = 1;
			break;
		}
	}
	if (i == s->n) {
		ns = mem_realloc(s->s, (s->n + 1) * sizeof(*ns));
		if (!ns)
			return ENOMEM;
		s->s = ns;
		ns = &s->s[s->n++];
		memset(ns, 0, sizeof(*ns));
		snprintf(ns->end[0].uri, sizeof(ns->end[0].uri), "%s",
			 q->from_uri);
		snprintf(ns->end[1].uri, sizeof(ns->end[1].uri), "%s",
			 q->to_uri);
		snprintf(ns->end[0].key, sizeof(ns->end[0].key), "%s", kf);
		snprintf(ns->end[1].key, sizeof(ns->end[1].key), "%s", kt);
		*side = 0;
	}
	if (q->call_id && !s->s[i].call_id[0])
		snprintf(s->s[i].call_id, sizeof(s->s[i].call_id), "%s",
			 q->call_id);
	*idx = (uint32_t)i;
	return 0;
}

int rpl_mscript_add(struct rpl_mscript *s, const struct rpl_msrp_req *q)
{
	struct rpl_mchunk *k;
	uint32_t idx;
	uint8_t side;
	int e;

	if (pl_eq_str(&q->method, "AUTH"))
		return add_auth(s, q);
	if (!pl_eq_str(&q->method, "SEND") && !pl_eq_str(&q->method, "REPORT"))
		return 0;
	if ((e = sess_of(s, q, &idx, &side)))
		return e;
	if (pl_eq_str(&q->method, "REPORT")) {
		s->s[idx].nreports++;
		return 0;
	}
	if (s->bytes + q->body.len > MAX_CONTENT) {
		s->full = true;
		snprintf(s->s[idx].skip, sizeof(s->s[idx].skip),
			 "more content than the re-drive holds (%llu MB)",
			 (unsigned long long)(MAX_CONTENT >> 20));
		return 0;
	}
	k = mem_realloc(s->c, (s->nc + 1) * sizeof(*k));
	if (!k)
		return ENOMEM;
	s->c = k;
	k = &s->c[s->nc];
	memset(k, 0, sizeof(*k));
	k->body = mem_alloc(q->body.len ? q->body.len : 1);
	if (!k->body)
		return ENOMEM;
	if (q->body.len)
		memcpy(k->body, q->body.p, q->body.len);
	k->len = q->body.len;
	k->sess = idx;
	k->side = side;
	k->ts_us = q->ts_us;
	copy_pl(k->ctype, sizeof(k->ctype), &q->ctype);
	copy_pl(k->msg_id, sizeof(k->msg_id), &q->msg_id);
	k->start = q->range_start;
	k->end = q->range_end;
	k->total = q->range_total;
	k->flag = q->flag;
	s->nc++;
	s->bytes += q->body.len;
	s->s[idx].nchunks++;
	s->s[idx].bytes[side] += q->body.len;
	return 0;
}

void rpl_mscript_finish(struct rpl_mscript *s)
{
	struct rpl_msess_scr *ss;
	size_t i, j, a;

	for (i = 0; i < s->n; i++) {
		ss = &s->s[i];
		for (j = 0; j < 2; j++)
			for (a = 0; a < s->nauth; a++)
				if (!strcmp(s->auth[a].key, ss->end[j].key))
					snprintf(ss->end[j].user,
						 sizeof(ss->end[j].user), "%s",
						 s->auth[a].user);
		if (ss->skip[0])
			continue;
		if (!ss->nchunks) {
			snprintf(ss->skip, sizeof(ss->skip), "no SEND captured "
				 "(%zu REPORTs only)", ss->nreports);
			continue;
		}
		/* an end that never AUTHed is reached directly by the
		 * relay (a conference focus): played as such; with none
		 * AUTHed no relay was in the path */
		if (!ss->end[0].user[0] && !ss->end[1].user[0])
			snprintf(ss->skip, sizeof(ss->skip), "neither end "
				 "AUTHed at a relay in the capture: no relay "
				 "in its path");
	}
}
