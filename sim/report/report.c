/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The report writer (report.h): gathers the summaries of a results folder,
 * folds their checks into per-row verdicts and their exposure rows into
 * the data class x client setting table, draws their series, and writes
 * one Markdown and one self-contained HTML file from the same model.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "base/mem.h"
#include "audit/audit_policy.h"
#include "report/plot.h"
#include "report/summary.h"
#include "report/report.h"
#include "report/report_int.h"

static int load_one(struct rep_model *m, const char *path, const char *label,
		    char *err, size_t errsz)
{
	json_error_t je;
	json_t *d = json_load_file(path, 0, &je);
	struct rep_src *s;

	if (!d) {
		if (je.line < 0 || strstr(je.text, "unable to open"))
			return ENOENT;
		snprintf(err, errsz, "%s:%d: %s", path, je.line, je.text);
		return EBADMSG;
	}
	if (!json_is_object(d) || m->nsrc == REP_MAX_SRC) {
		json_decref(d);
		snprintf(err, errsz, "%s: not a summary object", path);
		return EBADMSG;
	}
	s = &m->src[m->nsrc++];
	s->doc = d;
	snprintf(s->label, sizeof(s->label), "%s", label);
	snprintf(s->path, sizeof(s->path), "%s", path);
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_all(struct rep_model *m, const char *dir, char *err,
		    size_t errsz)
{
	char p[1200], *names[REP_MAX_SRC];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;
	int rc;

	snprintf(p, sizeof(p), "%s/summary.json", dir);
	rc = load_one(m, p, "run", err, errsz);
	if (rc && rc != ENOENT)
		return rc;
	d = opendir(dir);
	if (!d) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return errno;
	}
	while ((de = readdir(d)) && n < REP_MAX_SRC - 1) {
		struct stat sb;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "runs"))
			continue;
		snprintf(p, sizeof(p), "%s/%s/summary.json", dir, de->d_name);
		if (stat(p, &sb) == 0 && (names[n] = mem_strdup(de->d_name)))
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmpstr);
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s/summary.json", dir, names[i]);
		if (!rc || rc == ENOENT)
			rc = load_one(m, p, names[i], err, errsz);
		mem_free(names[i]);
	}
	if (rc && rc != ENOENT)
		return rc;
	if (!m->nsrc) {
		snprintf(err, errsz, "no summary.json in %s or its "
			 "sub-folders", dir);
		return ENOENT;
	}
	return 0;
}

/* "P16 call detail records ..." -> 16; 0 if the name is not a row. */
static unsigned row_of(const char *name)
{
	unsigned r = 0;
	const char *p = name;

	if (!p || *p != 'P')
		return 0;
	for (p++; *p >= '0' && *p <= '9'; p++)
		r = r * 10 + (unsigned)(*p - '0');
	return (*p == ' ' && r >= 1 && r <= AUDIT_ROWS) ? r : 0;
}

static void fold_checks(struct rep_model *m)
{
	size_t i, j, k;
	json_t *c;

	for (i = 0; i < m->nsrc; i++) {
		json_t *doc = m->src[i].doc;

		m->checks += (unsigned)json_array_size(json_object_get(doc,
								       "checks"));
		json_array_foreach(json_object_get(doc, "checks"), j, c) {
			const char *name = json_string_value(
				json_object_get(c, "name"));
			const char *det = json_string_value(
				json_object_get(c, "detail"));
			bool ok = json_is_true(json_object_get(c, "ok"));
			bool skip = json_is_true(json_object_get(c,
								 "skipped"));
			struct rep_verdict *v = NULL;
			unsigned r = row_of(name);

			if (!ok)
				m->failed++;
			if (!ok && m->nfail < REP_MAX_FAIL)
				m->fail[m->nfail++] = c;
			if (r)
				v = &m->rows[r];
			else if (name && !strncmp(name, "path ", 5)) {
				for (k = 1; k < AUDIT_PATH_CNT; k++)
					if (!strncmp(name + 5, audit_path_name(
						(enum audit_path)k),
						strlen(audit_path_name(
						(enum audit_path)k))))
						v = &m->paths[k];
			}
			if (!v)
				continue;
			if (skip) {
				v->skipped++;
				continue;
			}
			if (ok)
				v->pass++;
			else if (!v->fail++)
				snprintf(v->detail, sizeof(v->detail), "%s",
					 det ? det : "");
			if (ok && !v->example[0])
				snprintf(v->example, sizeof(v->example), "%s",
					 det ? det : "");
		}
	}
}

static struct rep_expo *expo_find(struct rep_model *m, const char *row,
				  const char *cls, const char *setting)
{
	size_t i;

	for (i = 0; i < m->nexpo; i++)
		if (!strcmp(m->expo[i].row, row) &&
		    !strcmp(m->expo[i].cls, cls) &&
		    !strcmp(m->expo[i].setting, setting))
			return &m->expo[i];
	if (m->nexpo == REP_MAX_EXPO)
		return NULL;
	memset(&m->expo[m->nexpo], 0, sizeof(m->expo[0]));
	snprintf(m->expo[m->nexpo].row, sizeof(m->expo[0].row), "%s", row);
	snprintf(m->expo[m->nexpo].cls, sizeof(m->expo[0].cls), "%s", cls);
	snprintf(m->expo[m->nexpo].setting, sizeof(m->expo[0].setting), "%s",
		 setting);
	return &m->expo[m->nexpo++];
}

static int expo_cmp(const void *a, const void *b)
{
	const struct rep_expo *x = a, *y = b;
	int rx = atoi(x->row + 1), ry = atoi(y->row + 1), c;

	if (rx != ry)
		return rx - ry;
	c = strcmp(x->cls, y->cls);
	return c ? c : strcmp(x->setting, y->setting);
}

static void fold_exposure(struct rep_model *m)
{
	size_t i, j;
	json_t *e;

	for (i = 0; i < m->nsrc; i++) {
		json_array_foreach(json_object_get(m->src[i].doc, "exposure"),
				   j, e) {
			const char *row = json_string_value(
				json_object_get(e, "row"));
			const char *cls = json_string_value(
				json_object_get(e, "class"));
			const char *set = json_string_value(
				json_object_get(e, "setting"));
			struct rep_expo *x;

			if (!row || !cls)
				continue;
			x = expo_find(m, row, cls, set ? set : "");
			if (!x)
				continue;
			x->n++;
			x->sniffer |= json_is_true(json_object_get(e,
								   "sniffer"));
			x->relay |= json_is_true(json_object_get(e, "relay"));
			x->storage |= json_is_true(json_object_get(e,
								   "storage"));
			x->wire_measured |= json_is_true(
				json_object_get(e, "wire_measured"));
			if (json_is_true(json_object_get(e, "sniffer")) &&
			    !strcmp(json_string_value(json_object_get(e,
				    "sniffer_basis")) ?: "", "inferred"))
				x->sniffer_inferred = 1;
			if (!json_is_false(json_object_get(e, "relay")) &&
			    !strcmp(json_string_value(json_object_get(e,
				    "relay_basis")) ?: "", "inferred"))
				x->relay_inferred = 1;
		}
	}
	qsort(m->expo, m->nexpo, sizeof(m->expo[0]), expo_cmp);
}

static void make_plots(struct rep_model *m, const char *dir)
{
	size_t i, j;
	json_t *ser;

	for (i = 0; i < m->nsrc; i++) {
		json_t *meta = json_object_get(m->src[i].doc, "meta");

		const char *when = json_string_value(json_object_get(meta,
								     "finished"));
		char mach[300];

		rep_derive_series(m->src[i].doc);
		rep_meta_where(meta, mach, sizeof(mach));

		json_array_foreach(json_object_get(m->src[i].doc, "series"),
				   j, ser) {
			struct rep_plot *p;
			char *c;

			if (m->nplot == REP_MAX_PLOT)
				return;
			p = &m->plot[m->nplot];
			memset(p, 0, sizeof(*p));
			snprintf(p->stem, sizeof(p->stem), "plot-%s-%s",
				 m->src[i].label, json_string_value(
				 json_object_get(ser, "name")) ?: "series");
			for (c = p->stem; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') ||
				      (*c >= 'A' && *c <= 'Z') ||
				      (*c >= '0' && *c <= '9') || *c == '-'))
					*c = '_';
			snprintf(p->title, sizeof(p->title), "%s",
				 json_string_value(json_object_get(ser,
				 "title")) ?: p->stem);
			snprintf(p->series, sizeof(p->series), "%s",
				 json_string_value(json_object_get(ser,
				 "name")) ?: "");
			snprintf(p->where, sizeof(p->where), "%s, %s", mach,
				 when ? when : "time not recorded");
			p->ok = !rep_plot_series(ser, dir, p->stem, mach, when,
						 p->err, sizeof(p->err));
			m->nplot++;
		}
	}
}

int rep_report_write(const char *dir, struct rep_report_stats *st,
		     char *err, size_t errsz)
{
	struct rep_model *m = mem_zalloc(sizeof(*m));
	size_t i;
	int rc;

	if (!m)
		return ENOMEM;
	rc = load_all(m, dir, err, errsz);
	if (rc)
		goto out;
	fold_checks(m);
	fold_exposure(m);
	make_plots(m, dir);
	rep_find_shots(m, dir);
	rc = rep_write_md(m, dir, err, errsz);
	if (!rc)
		rc = rep_write_html(m, dir, err, errsz);
	if (st) {
		st->summaries = (unsigned)m->nsrc;
		st->checks = m->checks;
		st->failed = m->failed;
		st->plots = (unsigned)m->nplot;
		st->plots_failed = 0;
		for (i = 0; i < m->nplot; i++)
			st->plots_failed += !m->plot[i].ok;
	}
out:
	for (i = 0; i < m->nsrc; i++)
		json_decref(m->src[i].doc);
	mem_free(m);
	return rc;
}
