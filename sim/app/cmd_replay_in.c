/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay, the inputs: capture files, or every *.pcap, *.pcapng,
 * *.cap and *.gz of a directory in name order, and that directory's
 * MANIFEST ("FILE key=value ..." per line, keys being metric names), each
 * expectation turned into one "manifest" check once its file is read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "app/cmd_replay.h"
#include "base/mem.h"

static bool capture_name(const char *n)
{
	size_t l = strlen(n);
	const char *ext[] = { ".pcap", ".pcapng", ".cap", ".gz" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (l > strlen(ext[i]) && !strcmp(n + l - strlen(ext[i]),
						  ext[i]))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_input(struct run *run, const char *path)
{
	if (run->ninputs == MAX_INPUTS) {
		fprintf(stderr, "rtcbench replay: more than %d captures\n",
			MAX_INPUTS);
		return 2;
	}
	run->inputs[run->ninputs] = mem_strdup(path);
	if (!run->inputs[run->ninputs])
		return 2;
	run->ninputs++;
	return 0;
}

/* MANIFEST: "FILE key=value ..." lines, '#' comments. */
static int read_manifest(struct run *run, const char *dir, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2048], *save, *tok, *eq, *end;
	int ln = 0, rc = 0;

	if (!f)
		return 0;
	snprintf(run->manifest, sizeof(run->manifest), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char file[256];

		ln++;
		if ((tok = strchr(line, '#')))
			*tok = 0;
		tok = strtok_r(line, " \t\r\n", &save);
		if (!tok)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, tok);
		while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
			struct expect *e;

			eq = strchr(tok, '=');
			if (!eq || eq == tok || (size_t)(eq - tok) >= 64) {
				fprintf(stderr, "%s:%d: '%s': want key=value\n",
					path, ln, tok);
				rc = 2;
				goto out;
			}
			e = mem_realloc(run->exp, (run->nexp + 1) *
					sizeof(*e));
			if (!e) {
				rc = 2;
				goto out;
			}
			run->exp = e;
			e = &run->exp[run->nexp];
			memset(e, 0, sizeof(*e));
			snprintf(e->file, sizeof(e->file), "%s", file);
			memcpy(e->key, tok, (size_t)(eq - tok));
			errno = 0;
			e->val = strtoull(eq + 1, &end, 10);
			if (errno || end == eq + 1 || *end) {
				fprintf(stderr, "%s:%d: %s: not a count\n",
					path, ln, e->key);
				rc = 2;
				goto out;
			}
			e->line = ln;
			run->nexp++;
		}
	}
out:
	fclose(f);
	return rc;
}

int rcmd_add_path(struct run *run, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	size_t first = run->ninputs;
	char full[4096], man[4096];
	int rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "rtcbench replay: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	if (!S_ISDIR(st.st_mode))
		return add_input(run, path);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "rtcbench replay: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !capture_name(de->d_name))
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		rc = add_input(run, full);
	}
	closedir(d);
	if (rc)
		return rc;
	qsort(run->inputs + first, run->ninputs - first, sizeof(char *),
	      cmp_str);
	snprintf(man, sizeof(man), "%s/MANIFEST", path);
	return read_manifest(run, path, man);
}

void rcmd_expectations(struct run *run, const char *file, json_t *fm)
{
	size_t i;

	for (i = 0; i < run->nexp; i++) {
		struct expect *e = &run->exp[i];
		json_t *v;
		uint64_t got;

		if (strcmp(e->file, file))
			continue;
		e->used = true;
		v = json_object_get(fm, e->key);
		got = v ? (uint64_t)json_integer_value(v) : 0;
		rep_summary_check(run->sum, "manifest", got == e->val,
				  "%s: %s = %llu expected (%s:%d), found %llu",
				  file, e->key, (unsigned long long)e->val,
				  run->manifest, e->line,
				  (unsigned long long)got);
	}
}
