/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Canary set, Aho-Corasick automaton and hit list. The automaton is a
 * dense DFA over byte classes (only bytes that occur in some pattern get a
 * class of their own; everything else shares class 0), so a scan costs one
 * table lookup per input byte for any number of canaries. A state's
 * matches are its own pattern chain plus the chains reached through its
 * dictionary-suffix links.
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "audit/audit_int.h"

int audit_new(struct audit **ap)
{
	struct audit *a = mem_zalloc(sizeof(*a));

	if (!a)
		return ENOMEM;
	*ap = a;
	return 0;
}

static void dfa_free(struct audit *a)
{
	size_t i;

	for (i = 0; i < a->npat; i++)
		mem_free(a->pat[i].bytes);
	mem_free(a->pat);
	mem_free(a->delta);
	mem_free(a->out);
	mem_free(a->dict);
	a->pat = NULL;
	a->npat = 0;
	a->delta = NULL;
	a->out = a->dict = NULL;
	a->nstates = 0;
	a->compiled = 0;
}

void audit_hits_clear(struct audit *a)
{
	size_t i;

	for (i = 0; i < a->nhits; i++) {
		mem_free(a->hits[i].where);
		mem_free(a->hits[i].table);
	}
	a->nhits = 0;
}

void audit_free(struct audit *a)
{
	size_t i;

	if (!a)
		return;
	audit_hits_clear(a);
	mem_free(a->hits);
	dfa_free(a);
	for (i = 0; i < a->ncan; i++)
		mem_free(a->can[i].s);
	mem_free(a->can);
	mem_free(a);
}

int audit_canary_add(struct audit *a, const char *canary, size_t len,
		     size_t *idx)
{
	struct audit_canary *nc;
	size_t i;

	if (!canary || len < AUDIT_MIN_LEN)
		return EINVAL;
	for (i = 0; i < a->ncan; i++)
		if (a->can[i].len == len && !memcmp(a->can[i].s, canary, len)) {
			if (idx)
				*idx = i;
			return 0;
		}
	nc = mem_realloc(a->can, (a->ncan + 1) * sizeof(*nc));
	if (!nc)
		return ENOMEM;
	a->can = nc;
	nc[a->ncan].s = mem_strndup(canary, len);
	if (!nc[a->ncan].s)
		return ENOMEM;
	nc[a->ncan].len = len;
	if (idx)
		*idx = a->ncan;
	a->ncan++;
	a->compiled = 0;
	return 0;
}

size_t audit_canary_count(const struct audit *a)
{
	return a->ncan;
}

const char *audit_canary(const struct audit *a, size_t idx)
{
	return idx < a->ncan ? a->can[idx].s : NULL;
}

const char *audit_pattern(const struct audit *a, size_t idx,
			  enum audit_enc enc)
{
	size_t i;

	for (i = 0; i < a->npat; i++)
		if (a->pat[i].canary == idx && a->pat[i].enc == enc)
			return (const char *)a->pat[i].bytes;
	return NULL;
}

static int pat_add(struct audit *a, size_t canary, enum audit_enc enc,
		   char *bytes, size_t len, size_t *cap)
{
	size_t i;

	/* One canary's encodings that coincide are searched once. */
	for (i = 0; i < a->npat; i++)
		if (a->pat[i].canary == canary && a->pat[i].len == len &&
		    !memcmp(a->pat[i].bytes, bytes, len)) {
			mem_free(bytes);
			return 0;
		}
	if (a->npat == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct audit_pat *np = mem_realloc(a->pat, nc * sizeof(*np));

		if (!np) {
			mem_free(bytes);
			return ENOMEM;
		}
		a->pat = np;
		*cap = nc;
	}
	a->pat[a->npat].canary = canary;
	a->pat[a->npat].enc = enc;
	a->pat[a->npat].bytes = (uint8_t *)bytes;
	a->pat[a->npat].len = len;
	a->pat[a->npat].next = -1;
	a->npat++;
	return 0;
}

/* Grow the state tables to hold one more state; returns its id or -1. */
static int32_t state_new(struct audit *a, size_t *cap)
{
	size_t k = a->nclass, i;

	if (a->nstates == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		int32_t *d = mem_realloc(a->delta, nc * k * sizeof(int32_t));

		if (!d)
			return -1;
		a->delta = d;
		d = mem_realloc(a->out, nc * sizeof(int32_t));
		if (!d)
			return -1;
		a->out = d;
		d = mem_realloc(a->dict, nc * sizeof(int32_t));
		if (!d)
			return -1;
		a->dict = d;
		*cap = nc;
	}
	for (i = 0; i < k; i++)
		a->delta[a->nstates * k + i] = -1;
	a->out[a->nstates] = -1;
	a->dict[a->nstates] = -1;
	return (int32_t)a->nstates++;
}

static int build_dfa(struct audit *a)
{
	size_t pcap = 0, scap = 0, i, j, k;
	int32_t *fail = NULL, *queue = NULL;
	size_t qh = 0, qt = 0;
	int err = ENOMEM, e;

	dfa_free(a);
	for (i = 0; i < a->ncan; i++)
		for (e = 0; e < AUDIT_ENC_CNT; e++) {
			char *o;
			size_t ol;
			int rc = audit_encode((const uint8_t *)a->can[i].s,
					      a->can[i].len,
					      (enum audit_enc)e, &o, &ol);

			if (rc == ENOENT)
				continue;
			if (rc)
				goto out;
			if (pat_add(a, i, (enum audit_enc)e, o, ol, &pcap))
				goto out;
		}
	memset(a->cls, 0, sizeof(a->cls));
	a->nclass = 1;
	for (i = 0; i < a->npat; i++)
		for (j = 0; j < a->pat[i].len; j++)
			if (!a->cls[a->pat[i].bytes[j]])
				a->cls[a->pat[i].bytes[j]] =
					(uint16_t)a->nclass++;
	k = a->nclass;
	if (state_new(a, &scap) < 0)
		goto out;
	for (i = 0; i < a->npat; i++) {
		int32_t s = 0;

		for (j = 0; j < a->pat[i].len; j++) {
			uint16_t c = a->cls[a->pat[i].bytes[j]];
			int32_t n = a->delta[(size_t)s * k + c];

			if (n < 0) {
				n = state_new(a, &scap);
				if (n < 0)
					goto out;
				a->delta[(size_t)s * k + c] = n;
			}
			s = n;
		}
		a->pat[i].next = a->out[s];
		a->out[s] = (int32_t)i;
	}
	fail = mem_zalloc(a->nstates * sizeof(int32_t));
	queue = mem_alloc(a->nstates * sizeof(int32_t));
	if (!fail || !queue)
		goto out;
	/* BFS: fill missing edges from the failure state (classic AC->DFA). */
	for (j = 0; j < k; j++) {
		int32_t n = a->delta[j];

		if (n < 0) {
			a->delta[j] = 0;
		} else {
			fail[n] = 0;
			queue[qt++] = n;
		}
	}
	while (qh < qt) {
		int32_t s = queue[qh++];

		a->dict[s] = a->out[fail[s]] >= 0 ? fail[s] : a->dict[fail[s]];
		for (j = 0; j < k; j++) {
			int32_t n = a->delta[(size_t)s * k + j];
			int32_t f = a->delta[(size_t)fail[s] * k + j];

			if (n < 0) {
				a->delta[(size_t)s * k + j] = f;
			} else {
				fail[n] = f;
				queue[qt++] = n;
			}
		}
	}
	a->dict[0] = -1;
	a->compiled = 1;
	err = 0;
out:
	mem_free(fail);
	mem_free(queue);
	if (err)
		dfa_free(a);
	return err;
}

int audit_compile(struct audit *a)
{
	return a->compiled ? 0 : build_dfa(a);
}

static int hit_add(struct audit *a, struct audit_scan *sc,
		   const struct audit_pat *p, uint64_t offset)
{
	const char *where = sc->where, *table = NULL;
	struct audit_hit *h;
	size_t i;
	int err;

	if (sc->pages) {
		err = audit_pages_label(sc->pages, offset, &where, &table);
		if (err)
			return err;
	}
	for (i = sc->loc_start; i < a->nhits; i++) {
		h = &a->hits[i];
		if (h->canary == p->canary && h->enc == p->enc &&
		    (!table || !strcmp(h->where, where))) {
			h->count++;
			return 0;
		}
	}
	if (a->nhits == a->hcap) {
		size_t nc = a->hcap ? a->hcap * 2 : 16;

		h = mem_realloc(a->hits, nc * sizeof(*h));
		if (!h)
			return ENOMEM;
		a->hits = h;
		a->hcap = nc;
	}
	h = &a->hits[a->nhits];
	h->where = mem_strdup(where);
	h->table = table ? mem_strdup(table) : NULL;
	if (!h->where || (table && !h->table)) {
		mem_free(h->where);
		mem_free(h->table);
		return ENOMEM;
	}
	h->canary = p->canary;
	h->enc = p->enc;
	h->src = sc->src;
	h->offset = offset;
	h->count = 1;
	a->nhits++;
	return 0;
}

int audit_feed(struct audit *a, struct audit_scan *sc, int32_t *state,
	       const uint8_t *p, size_t len, uint64_t base)
{
	const int32_t *delta = a->delta;
	const uint16_t *cls = a->cls;
	size_t k = a->nclass, i;
	int32_t s = *state;
	int err;

	if (!a->npat)
		return 0;
	for (i = 0; i < len; i++) {
		int32_t t;

		s = delta[(size_t)s * k + cls[p[i]]];
		if (a->out[s] < 0 && a->dict[s] < 0)
			continue;
		for (t = a->out[s] >= 0 ? s : a->dict[s]; t >= 0;
		     t = a->dict[t]) {
			int32_t pi;

			for (pi = a->out[t]; pi >= 0; pi = a->pat[pi].next) {
				const struct audit_pat *pt = &a->pat[pi];
				uint64_t off = sc->src == AUDIT_SRC_WIRE ?
					base : base + i + 1 - pt->len;

				err = hit_add(a, sc, pt, off);
				if (err)
					return err;
			}
		}
	}
	*state = s;
	return 0;
}

int audit_scan_mem(struct audit *a, enum audit_src src, const char *where,
		   const uint8_t *p, size_t len)
{
	struct audit_scan sc = { src, where, a->nhits, NULL };
	int32_t st = 0;
	int err = audit_compile(a);

	if (err)
		return err;
	sc.loc_start = a->nhits;
	return audit_feed(a, &sc, &st, p, len, 0);
}

size_t audit_hit_count(const struct audit *a)
{
	return a->nhits;
}

const struct audit_hit *audit_hit_get(const struct audit *a, size_t i)
{
	return i < a->nhits ? &a->hits[i] : NULL;
}

size_t audit_found(const struct audit *a, size_t idx, enum audit_src src)
{
	size_t i, n = 0;

	for (i = 0; i < a->nhits; i++)
		n += a->hits[i].canary == idx && a->hits[i].src == src;
	return n;
}

const struct audit_hit *audit_first(const struct audit *a, size_t idx,
				    enum audit_src src)
{
	size_t i;

	for (i = 0; i < a->nhits; i++)
		if (a->hits[i].canary == idx && a->hits[i].src == src)
			return &a->hits[i];
	return NULL;
}
