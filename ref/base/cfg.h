/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INI configuration through inih. The whole file is read into a list of
 * (section, key, value, line) entries; every error names the file, the line
 * and the key ("refd.conf:7: [sip] listen: bad port 'x'") so a daemon can
 * refuse a bad config with one line. Repeated keys are kept in order.
 */
#ifndef BASE_CFG_H
#define BASE_CFG_H

#include <stddef.h>
#include <stdint.h>

struct cfg_ent {
	char *section;
	char *key;
	char *value;
	int line;
};

struct cfg {
	char *path;
	struct cfg_ent *ents;
	size_t n, cap;
	char err[512];	/* last error, one line */
};

/* A permitted (section, key); key "*" permits any key of the section. */
struct cfg_key {
	const char *section;
	const char *key;
};

/* Parse path. ENOENT (file), EBADMSG (syntax), ENOMEM; cfg->err says. */
int cfg_load(struct cfg *c, const char *path);
/* Parse an in-memory text; name is used in messages. */
int cfg_load_str(struct cfg *c, const char *name, const char *text);
void cfg_fini(struct cfg *c);
/* EINVAL with cfg->err set at the first entry not in keys[] (n entries). */
int cfg_check(struct cfg *c, const struct cfg_key *keys, size_t n);

/* Last value of section.key, or NULL. */
const char *cfg_get(const struct cfg *c, const char *sec, const char *key);
/* Line of the last section.key, 0 if absent. */
int cfg_line(const struct cfg *c, const char *sec, const char *key);
/* Whether any entry of the section exists (or the header was seen). */
int cfg_has_section(const struct cfg *c, const char *sec);
/*
 * Typed getters: absent key leaves *out at its default and returns 0;
 * a bad value returns EINVAL with cfg->err naming file, line and key.
 */
int cfg_get_u32(struct cfg *c, const char *sec, const char *key,
		uint32_t min, uint32_t max, uint32_t *out);
int cfg_get_bool(struct cfg *c, const char *sec, const char *key, int *out);
/* Durations: 30s 5m 2h 7d 26w 1y (y = 365 d); plain numbers are seconds. */
int cfg_get_duration(struct cfg *c, const char *sec, const char *key,
		     uint64_t *out_s);
/* Sizes: 512, 50MB, 1GiB, 10k. */
int cfg_get_size(struct cfg *c, const char *sec, const char *key,
		 uint64_t *out_bytes);
/* Set cfg->err to "path:line: [sec] key: <msg>" and return EINVAL. */
int cfg_fail(struct cfg *c, const char *sec, const char *key,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Shared parsers, usable on any string. 0 or EINVAL. */
int cfg_parse_duration(const char *s, uint64_t *out_s);
int cfg_parse_size(const char *s, uint64_t *out_bytes);

#endif
