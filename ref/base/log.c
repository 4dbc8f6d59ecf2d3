/* SPDX-License-Identifier: BSD-3-Clause */
/* Level-filtered logging to an injected sink, stderr by default. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/log.h"

static const char *names[] = { "err", "warn", "info", "debug" };

void log_init(struct log *l, const char *name, enum log_level level)
{
	memset(l, 0, sizeof(*l));
	l->name = name;
	l->level = level;
}

void log_vmsg(const struct log *l, enum log_level lvl, const char *fmt,
	      va_list ap)
{
	char line[1024];
	int n = 0;

	if (!l || lvl > l->level)
		return;
	if (l->name)
		n = snprintf(line, sizeof(line), "%s: %s: ", l->name,
			     names[lvl]);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (l->fn)
		l->fn(l->arg, lvl, line);
	else
		fprintf(stderr, "%s\n", line);
}

void log_msg(const struct log *l, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(l, lvl, fmt, ap);
	va_end(ap);
}

int log_level_parse(const char *s, enum log_level *out)
{
	int i;

	for (i = 0; i <= LOG_DEBUG; i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return EINVAL;
}

const char *log_level_name(enum log_level lvl)
{
	return lvl <= LOG_DEBUG ? names[lvl] : "?";
}
