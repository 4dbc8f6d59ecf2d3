/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INI loading through inih's stream interface: our reader counts lines so
 * every entry knows where it came from (Debian's inih is built without
 * INI_HANDLER_LINENO).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <ini.h>
#include "base/cfg.h"
#include "base/mem.h"
#include "base/pl.h"

struct reader {
	FILE *f;
	const char *text;
	int line;
};

struct loadctx {
	struct cfg *c;
	struct reader *r;
	int oom;
	char *last_section;
};

static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	char *res;

	if (r->f) {
		res = fgets(str, num, r->f);
	} else {
		const char *nl;
		size_t n;
		if (!*r->text)
			return NULL;
		nl = strchr(r->text, '\n');
		n = nl ? (size_t)(nl - r->text) + 1 : strlen(r->text);
		if (n > (size_t)num - 1)
			n = (size_t)num - 1;
		memcpy(str, r->text, n);
		str[n] = 0;
		r->text += n;
		res = str;
	}
	if (res)
		r->line++;
	return res;
}

static int add_ent(struct cfg *c, const char *sec, const char *key,
		   const char *val, int line)
{
	struct cfg_ent *e;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		e = mem_realloc(c->ents, cap * sizeof(*e));
		if (!e)
			return ENOMEM;
		c->ents = e;
		c->cap = cap;
	}
	e = &c->ents[c->n];
	e->section = mem_strdup(sec);
	e->key = key ? mem_strdup(key) : NULL;
	e->value = val ? mem_strdup(val) : NULL;
	e->line = line;
	if (!e->section || (key && !e->key) || (val && !e->value)) {
		mem_free(e->section);
		mem_free(e->key);
		mem_free(e->value);
		return ENOMEM;
	}
	c->n++;
	return 0;
}

static int handler(void *user, const char *sec, const char *key,
		   const char *val)
{
	struct loadctx *x = user;

	/* inih reports a bare section header with key == NULL when built
	 * with INI_CALL_HANDLER_ON_NEW_SECTION; otherwise keys only. */
	if (add_ent(x->c, sec, key, val, x->r->line)) {
		x->oom = 1;
		return 0;
	}
	return 1;
}

static int load(struct cfg *c, const char *name, struct reader *r)
{
	struct loadctx x = { c, r, 0, NULL };
	int rc;

	memset(c, 0, sizeof(*c));
	c->path = mem_strdup(name);
	if (!c->path)
		return ENOMEM;
	rc = ini_parse_stream(read_line, r, handler, &x);
	if (x.oom) {
		snprintf(c->err, sizeof(c->err), "%s: out of memory", name);
		return ENOMEM;
	}
	if (rc > 0) {
		snprintf(c->err, sizeof(c->err),
			 "%s:%d: syntax error (expected [section] or key = value)",
			 name, rc);
		return EBADMSG;
	}
	if (rc < 0) {
		snprintf(c->err, sizeof(c->err), "%s: cannot read", name);
		return EIO;
	}
	return 0;
}

int cfg_load(struct cfg *c, const char *path)
{
	struct reader r = { NULL, NULL, 0 };
	int err;

	r.f = fopen(path, "r");
	if (!r.f) {
		memset(c, 0, sizeof(*c));
		snprintf(c->err, sizeof(c->err), "%s: %s", path,
			 strerror(errno));
		return ENOENT;
	}
	err = load(c, path, &r);
	fclose(r.f);
	return err;
}

int cfg_load_str(struct cfg *c, const char *name, const char *text)
{
	struct reader r = { NULL, text, 0 };
	return load(c, name, &r);
}

void cfg_fini(struct cfg *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		mem_free(c->ents[i].section);
		mem_free(c->ents[i].key);
		mem_free(c->ents[i].value);
	}
	mem_free(c->ents);
	mem_free(c->path);
	memset(c, 0, sizeof(*c));
}

int cfg_fail(struct cfg *c, const char *sec, const char *key,
	     const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int line = cfg_line(c, sec, key);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(c->err, sizeof(c->err), "%s:%d: [%s] %s: %s",
			 c->path ? c->path : "?", line, sec, key, msg);
	else
		snprintf(c->err, sizeof(c->err), "%s: [%s] %s: %s",
			 c->path ? c->path : "?", sec, key, msg);
	return EINVAL;
}

int cfg_check(struct cfg *c, const struct cfg_key *keys, size_t n)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		const struct cfg_ent *e = &c->ents[i];
		int sec_known = 0, ok = 0;
		for (j = 0; j < n && !ok; j++) {
			if (strcmp(keys[j].section, e->section))
				continue;
			sec_known = 1;
			ok = !strcmp(keys[j].key, "*") ||
			     (e->key && !strcmp(keys[j].key, e->key));
		}
		if (ok)
			continue;
		if (!sec_known)
			snprintf(c->err, sizeof(c->err),
				 "%s:%d: unknown section [%s]", c->path,
				 e->line, e->section);
		else
			snprintf(c->err, sizeof(c->err),
				 "%s:%d: [%s] %s: unknown key", c->path,
				 e->line, e->section, e->key ? e->key : "");
		return EINVAL;
	}
	return 0;
}

static const struct cfg_ent *find(const struct cfg *c, const char *sec,
				  const char *key)
{
	size_t i = c->n;

	while (i--) {
		const struct cfg_ent *e = &c->ents[i];
		if (e->key && !strcmp(e->section, sec) && !strcmp(e->key, key))
			return e;
	}
	return NULL;
}

const char *cfg_get(const struct cfg *c, const char *sec, const char *key)
{
	const struct cfg_ent *e = find(c, sec, key);
	return e ? e->value : NULL;
}

int cfg_line(const struct cfg *c, const char *sec, const char *key)
{
	const struct cfg_ent *e = find(c, sec, key);
	return e ? e->line : 0;
}

int cfg_has_section(const struct cfg *c, const char *sec)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->ents[i].section, sec))
			return 1;
	return 0;
}

int cfg_get_u32(struct cfg *c, const char *sec, const char *key,
		uint32_t min, uint32_t max, uint32_t *out)
{
	const char *v = cfg_get(c, sec, key);
	struct pl pl;
	uint32_t x;

	if (!v)
		return 0;
	pl = pl_from_str(v);
	if (pl_to_u32(&pl, &x))
		return cfg_fail(c, sec, key, "not a number: '%s'", v);
	if (x < min || x > max)
		return cfg_fail(c, sec, key, "%u out of range %u-%u", x, min,
				max);
	*out = x;
	return 0;
}

int cfg_get_bool(struct cfg *c, const char *sec, const char *key, int *out)
{
	const char *v = cfg_get(c, sec, key);

	if (!v)
		return 0;
	if (!strcasecmp(v, "on") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "off") || !strcasecmp(v, "no") ||
		 !strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return cfg_fail(c, sec, key, "expected on or off, got '%s'",
				v);
	return 0;
}

/* Number followed by an optional unit from units[] (factors[]). */
static int parse_scaled(const char *s, const char *const *units,
			const uint64_t *factors, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	size_t i;

	if (*p < '0' || *p > '9')
		return EINVAL;
	while (*p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return EINVAL;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	while (*p == ' ')
		p++;
	if (!*p) {
		*out = v;
		return 0;
	}
	for (i = 0; units[i]; i++) {
		if (!strcasecmp(p, units[i])) {
			if (factors[i] && v > UINT64_MAX / factors[i])
				return EINVAL;
			*out = v * factors[i];
			return 0;
		}
	}
	return EINVAL;
}

int cfg_parse_duration(const char *s, uint64_t *out_s)
{
	static const char *const u[] = { "s", "m", "h", "d", "w", "y", NULL };
	static const uint64_t f[] = { 1, 60, 3600, 86400, 604800,
				      365ull * 86400 };
	return parse_scaled(s, u, f, out_s);
}

int cfg_parse_size(const char *s, uint64_t *out_bytes)
{
	static const char *const u[] = { "b", "k", "kb", "kib", "m", "mb",
					 "mib", "g", "gb", "gib", NULL };
	static const uint64_t f[] = { 1, 1024, 1000, 1024, 1048576, 1000000,
				      1048576, 1073741824ull, 1000000000ull,
				      1073741824ull };
	return parse_scaled(s, u, f, out_bytes);
}

int cfg_get_duration(struct cfg *c, const char *sec, const char *key,
		     uint64_t *out_s)
{
	const char *v = cfg_get(c, sec, key);

	if (!v)
		return 0;
	if (cfg_parse_duration(v, out_s))
		return cfg_fail(c, sec, key,
				"bad duration '%s' (use 30s, 5m, 2h, 7d, 26w, 1y)",
				v);
	return 0;
}

int cfg_get_size(struct cfg *c, const char *sec, const char *key,
		 uint64_t *out_bytes)
{
	const char *v = cfg_get(c, sec, key);

	if (!v)
		return 0;
	if (cfg_parse_size(v, out_bytes))
		return cfg_fail(c, sec, key,
				"bad size '%s' (use 512, 10k, 50MB, 1GiB)", v);
	return 0;
}
