/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging with levels. Cores never print: they get a struct log and call
 * log_msg through it; the application decides where lines go (stderr by
 * default). Lines above LOG_DEBUG must never carry REGISTER content,
 * passwords, e-mail addresses or payloads (POLICY.md P2, P3, P7).
 */
#ifndef BASE_LOG_H
#define BASE_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

typedef void (log_fn)(void *arg, enum log_level lvl, const char *line);

struct log {
	enum log_level level;	/* lines above this level are dropped */
	log_fn *fn;		/* NULL: stderr */
	void *arg;
	const char *name;	/* prefix, e.g. "sip" */
};

void log_init(struct log *l, const char *name, enum log_level level);
void log_msg(const struct log *l, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(const struct log *l, enum log_level lvl, const char *fmt,
	      va_list ap);
/* "err", "warn", "info", "debug" -> level; EINVAL if unknown. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level lvl);

#define LOG_E(l, ...) log_msg((l), LOG_ERR, __VA_ARGS__)
#define LOG_W(l, ...) log_msg((l), LOG_WARN, __VA_ARGS__)
#define LOG_I(l, ...) log_msg((l), LOG_INFO, __VA_ARGS__)
#define LOG_D(l, ...) do { if ((l) && (l)->level >= LOG_DEBUG) \
	log_msg((l), LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
