/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The self-care portal's screenshots for the report: `make run` has the
 * browser test (tests/integration/t_web_e2e.sh) write one PNG per portal
 * page to results/web/, next to results/latest/. The report lists them
 * as thumbnails linking to the files, so a reader sees the portal the
 * checks were run against. Looked for in DIR/web/ first, then in the
 * sibling ../web/ (the `make run` layout); the links are relative to DIR
 * so the report folder and the screenshots can be moved together.
 *
 * Only names made of [A-Za-z0-9._-] ending in ".png" are taken: they go
 * into Markdown and HTML links without escaping, and a stray file with
 * odd characters is just not shown.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "report/report_int.h"

static int plain_png(const char *n)
{
	size_t l = strlen(n), i;

	if (l < 5 || l >= REP_SHOT_NAME || strcmp(n + l - 4, ".png") ||
	    n[0] == '.')
		return 0;
	for (i = 0; i < l; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') ||
		      (n[i] >= 'A' && n[i] <= 'Z') ||
		      (n[i] >= '0' && n[i] <= '9') || n[i] == '.' ||
		      n[i] == '_' || n[i] == '-'))
			return 0;
	return 1;
}

static int cmp_shot(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* PNGs of dir/rel into m; 1 when at least one was found. */
static int scan(struct rep_model *m, const char *dir, const char *rel)
{
	char p[1300];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	d = opendir(p);
	if (!d)
		return 0;
	m->nshot = m->shots_more = 0;
	m->shots_newest = 0;
	while ((de = readdir(d))) {
		if (!plain_png(de->d_name))
			continue;
		snprintf(p, sizeof(p), "%s/%s/%s", dir, rel, de->d_name);
		if (stat(p, &sb) || !S_ISREG(sb.st_mode) || !sb.st_size)
			continue;
		if (m->nshot == REP_MAX_SHOT) {
			m->shots_more++;
			continue;
		}
		/* plain_png() bounded the length below REP_SHOT_NAME */
		memcpy(m->shot[m->nshot++], de->d_name,
		       strlen(de->d_name) + 1);
		if (sb.st_mtime > m->shots_newest)
			m->shots_newest = sb.st_mtime;
	}
	closedir(d);
	qsort(m->shot, m->nshot, sizeof(m->shot[0]), cmp_shot);
	snprintf(m->shot_dir, sizeof(m->shot_dir), "%s", rel);
	snprintf(p, sizeof(p), "%s/%s/e2e.log", dir, rel);
	m->shot_log = !stat(p, &sb) && S_ISREG(sb.st_mode);
	return m->nshot > 0;
}

void rep_find_shots(struct rep_model *m, const char *dir)
{
	if (!scan(m, dir, "web") && !scan(m, dir, "../web"))
		m->nshot = 0;
}
