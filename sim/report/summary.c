/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Results writer: the in-memory summary of one command, its summary.json,
 * JUnit XML and the human one-screen summary. The JSON tree is jansson's;
 * order of keys is kept (JSON_PRESERVE_ORDER) so files diff cleanly.
 *
 * Reproducibility: when SOURCE_DATE_EPOCH is set (the reproducible-builds
 * convention) the timestamps come from it and the host/machine fields are
 * left out, so two runs of a deterministic mode give byte-identical files.
 * The meta fields themselves (machine, load, dates) come from meta.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include <unistd.h>
#include <sys/stat.h>
#include "base/mem.h"
#include "base/buf.h"
#include "report/summary.h"

struct rep_series {
	json_t *obj;	/* borrowed from s->series */
	json_t *points;
};

struct rep_summary {
	char *tool;
	char *suite;
	json_t *checks;
	json_t *metrics;
	json_t *meta;
	json_t *series;
	json_t *extra;
	struct rep_series **ser;
	size_t ser_cnt;
	unsigned passed, failed, skipped;
	struct timespec t0;
	int finished;
};

static const char *reserved[] = { "passed", "failed", "skipped", "checks",
				  "metrics", "meta", "series", NULL };

int rep_summary_new(struct rep_summary **sp, const char *tool)
{
	struct rep_summary *s;
	int err = ENOMEM;

	s = mem_zalloc(sizeof(*s));
	if (!s)
		return ENOMEM;
	s->tool = mem_strdup(tool ? tool : "rtcbench");
	s->checks = json_array();
	s->metrics = json_object();
	s->meta = json_object();
	s->series = json_array();
	s->extra = json_object();
	if (!s->tool || !s->checks || !s->metrics || !s->meta ||
	    !s->series || !s->extra)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	err = rep_meta_init(s->meta, s->tool);
	if (err)
		goto out;
	*sp = s;
	return 0;
out:
	rep_summary_free(s);
	return err;
}

void rep_summary_free(struct rep_summary *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->ser_cnt; i++)
		mem_free(s->ser[i]);
	mem_free(s->ser);
	json_decref(s->checks);
	json_decref(s->metrics);
	json_decref(s->meta);
	json_decref(s->series);
	json_decref(s->extra);
	mem_free(s->tool);
	mem_free(s->suite);
	mem_free(s);
}

int rep_summary_suite(struct rep_summary *s, const char *suite)
{
	char *n = NULL;

	if (suite && !(n = mem_strdup(suite)))
		return ENOMEM;
	mem_free(s->suite);
	s->suite = n;
	return 0;
}

static int check_vadd(struct rep_summary *s, const char *name, bool ok,
		      bool skipped, json_t *extra, const char *fmt,
		      va_list ap)
{
	struct buf b;
	json_t *c;
	const char *k;
	json_t *v;
	int err = ENOMEM;

	buf_init(&b);
	if (fmt && buf_vprintf(&b, fmt, ap))
		goto out;
	c = json_object();
	if (!c)
		goto out;
	if (json_object_set_new(c, "name", json_string(name ? name : "")) ||
	    json_object_set_new(c, "ok", json_boolean(ok)) ||
	    json_object_set_new(c, "detail",
				json_stringn(b.len ? (char *)b.data : "",
					     b.len)) ||
	    (s->suite &&
	     json_object_set_new(c, "suite", json_string(s->suite))) ||
	    (skipped && json_object_set_new(c, "skipped", json_true())))
		goto bad;
	if (extra && json_is_object(extra)) {
		json_object_foreach(extra, k, v) {
			if (!strcmp(k, "name") || !strcmp(k, "ok") ||
			    !strcmp(k, "detail") || !strcmp(k, "suite") ||
			    !strcmp(k, "skipped"))
				continue;
			if (json_object_set(c, k, v))
				goto bad;
		}
	}
	if (json_array_append_new(s->checks, c))
		goto out;
	if (!ok)
		s->failed++;
	else
		s->passed++;
	if (skipped)
		s->skipped++;
	err = 0;
	goto out;
bad:
	json_decref(c);
out:
	buf_fini(&b);
	return err;
}

int rep_summary_check(struct rep_summary *s, const char *name, bool ok,
		      const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = check_vadd(s, name, ok, false, NULL, fmt, ap);
	va_end(ap);
	return err;
}

int rep_summary_check_ex(struct rep_summary *s, const char *name, bool ok,
			 json_t *extra, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = check_vadd(s, name, ok, false, extra, fmt, ap);
	va_end(ap);
	return err;
}

int rep_summary_skip(struct rep_summary *s, const char *name,
		     const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = check_vadd(s, name, true, true, NULL, fmt, ap);
	va_end(ap);
	return err;
}

static json_t *number(double v)
{
	if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	if (!isfinite(v))
		return json_null();
	return json_real(v);
}

int rep_summary_metric(struct rep_summary *s, const char *name, double v)
{
	return json_object_set_new(s->metrics, name, number(v)) ? ENOMEM : 0;
}

double rep_summary_metric_get(const struct rep_summary *s, const char *name)
{
	json_t *v = json_object_get(s->metrics, name);

	return v && json_is_number(v) ? json_number_value(v) : 0;
}

int rep_summary_metric_add(struct rep_summary *s, const char *name,
			   double delta)
{
	return rep_summary_metric(s, name,
				  rep_summary_metric_get(s, name) + delta);
}

int rep_summary_meta(struct rep_summary *s, const char *key,
		     const char *value)
{
	return json_object_set_new(s->meta, key, json_string(value ? value :
							     "")) ?
		ENOMEM : 0;
}

static int is_reserved(const char *key)
{
	size_t i;

	for (i = 0; reserved[i]; i++)
		if (!strcmp(reserved[i], key))
			return 1;
	return 0;
}

int rep_summary_set(struct rep_summary *s, const char *key, json_t *val)
{
	if (!key || !val || is_reserved(key)) {
		json_decref(val);
		return EINVAL;
	}
	return json_object_set_new(s->extra, key, val) ? ENOMEM : 0;
}

json_t *rep_summary_get(struct rep_summary *s, const char *key)
{
	return json_object_get(s->extra, key);
}

int rep_summary_series(struct rep_summary *s, struct rep_series **outp,
		       const char *name, const char *title,
		       const char *xlabel, const char *ylabel,
		       const char *kind)
{
	struct rep_series *ser, **nv;
	json_t *o;

	nv = mem_realloc(s->ser, (s->ser_cnt + 1) * sizeof(*nv));
	if (!nv)
		return ENOMEM;
	s->ser = nv;
	ser = mem_zalloc(sizeof(*ser));
	if (!ser)
		return ENOMEM;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[]}", "name", name,
		      "title", title ? title : name, "x", xlabel ? xlabel : "",
		      "y", ylabel ? ylabel : "", "kind", kind ? kind : "line",
		      "points");
	if (!o || json_array_append_new(s->series, o)) {
		mem_free(ser);
		return ENOMEM;
	}
	ser->obj = o;
	ser->points = json_object_get(o, "points");
	s->ser[s->ser_cnt++] = ser;
	*outp = ser;
	return 0;
}

int rep_series_point(struct rep_series *ser, double x, double y)
{
	json_t *p = json_pack("[o, o]", number(x), number(y));

	if (!p)
		return ENOMEM;
	return json_array_append_new(ser->points, p) ? ENOMEM : 0;
}

unsigned rep_summary_passed(const struct rep_summary *s)
{
	return s->passed;
}

unsigned rep_summary_failed(const struct rep_summary *s)
{
	return s->failed;
}

unsigned rep_summary_skipped(const struct rep_summary *s)
{
	return s->skipped;
}

static void finish(struct rep_summary *s)
{
	struct timespec t1;
	time_t t;
	double wall;

	if (s->finished)
		return;
	s->finished = 1;
	rep_meta_finish(s->meta);
	if (!rep_reproducible(&t)) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		wall = (double)(t1.tv_sec - s->t0.tv_sec) +
		       (double)(t1.tv_nsec - s->t0.tv_nsec) / 1e9;
		json_object_set_new(s->meta, "wall_s",
				    json_real(floor(wall * 1000) / 1000));
	}
}

json_t *rep_summary_json(struct rep_summary *s)
{
	json_t *d = json_object();
	const char *k;
	json_t *v;

	if (!d)
		return NULL;
	finish(s);
	if (json_object_set_new(d, "passed", json_integer(s->passed)) ||
	    json_object_set_new(d, "failed", json_integer(s->failed)) ||
	    json_object_set_new(d, "skipped", json_integer(s->skipped)) ||
	    json_object_set(d, "checks", s->checks) ||
	    json_object_set(d, "metrics", s->metrics) ||
	    json_object_set(d, "meta", s->meta))
		goto bad;
	if (json_array_size(s->series) &&
	    json_object_set(d, "series", s->series))
		goto bad;
	json_object_foreach(s->extra, k, v) {
		if (json_object_set(d, k, v))
			goto bad;
	}
	return d;
bad:
	json_decref(d);
	return NULL;
}

int rep_mkdirs(const char *path)
{
	char *p = mem_strdup(path), *c;
	int err = 0;

	if (!p)
		return ENOMEM;
	for (c = p + 1; ; c++) {
		if (*c != '/' && *c)
			continue;
		char save = *c;

		*c = 0;
		if (mkdir(p, 0755) && errno != EEXIST) {
			err = errno;
			break;
		}
		*c = save;
		if (!save)
			break;
	}
	mem_free(p);
	return err;
}

int rep_summary_write(struct rep_summary *s, const char *dir)
{
	struct buf path, tmp;
	json_t *d = NULL;
	int err;

	buf_init(&path);
	buf_init(&tmp);
	err = rep_mkdirs(dir);
	if (err)
		goto out;
	err = buf_printf(&path, "%s/summary.json", dir);
	if (!err)
		err = buf_printf(&tmp, "%s/.summary.json.%ld", dir,
				 (long)getpid());
	if (err)
		goto out;
	d = rep_summary_json(s);
	if (!d) {
		err = ENOMEM;
		goto out;
	}
	if (json_dump_file(d, (char *)tmp.data,
			   JSON_INDENT(1) | JSON_PRESERVE_ORDER |
			   JSON_REAL_PRECISION(10))) {
		err = errno ? errno : EIO;
		unlink((char *)tmp.data);
		goto out;
	}
	if (rename((char *)tmp.data, (char *)path.data)) {
		err = errno;
		unlink((char *)tmp.data);
	}
out:
	json_decref(d);
	buf_fini(&path);
	buf_fini(&tmp);
	return err;
}

static void xml_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\n': case '\t': case '\r': fprintf(f, "&#%u;", c); break;
		default:
			/* XML 1.0 forbids other control characters. */
			if (c < 0x20)
				fputc('?', f);
			else
				fputc(c, f);
		}
	}
}

static const char *str_of(json_t *o, const char *k, const char *dflt)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : dflt;
}

int rep_summary_junit(struct rep_summary *s, const char *path)
{
	FILE *f = fopen(path, "w");
	json_t *suites, *c, *list;
	const char *sn;
	size_t i;
	int err = 0;

	if (!f)
		return errno;
	suites = json_object();
	if (!suites) {
		fclose(f);
		return ENOMEM;
	}
	/* Group checks by suite, first-seen order. */
	json_array_foreach(s->checks, i, c) {
		sn = str_of(c, "suite", s->tool);
		list = json_object_get(suites, sn);
		if (!list) {
			list = json_array();
			if (!list || json_object_set_new(suites, sn, list)) {
				err = ENOMEM;
				goto out;
			}
		}
		json_array_append(list, c);
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites name=\"rtcbench ");
	xml_esc(f, s->tool);
	fprintf(f, "\" tests=\"%zu\" failures=\"%u\" skipped=\"%u\">\n",
		json_array_size(s->checks), s->failed, s->skipped);
	json_object_foreach(suites, sn, list) {
		unsigned nf = 0, ns = 0;

		json_array_foreach(list, i, c) {
			nf += !json_is_true(json_object_get(c, "ok"));
			ns += json_is_true(json_object_get(c, "skipped"));
		}
		fprintf(f, " <testsuite name=\"");
		xml_esc(f, sn);
		fprintf(f, "\" tests=\"%zu\" failures=\"%u\" errors=\"0\" "
			   "skipped=\"%u\">\n", json_array_size(list), nf, ns);
		json_array_foreach(list, i, c) {
			const char *det = str_of(c, "detail", "");

			fprintf(f, "  <testcase classname=\"");
			xml_esc(f, sn);
			fprintf(f, "\" name=\"");
			xml_esc(f, str_of(c, "name", ""));
			fprintf(f, "\" time=\"0\"");
			if (json_is_true(json_object_get(c, "skipped"))) {
				fprintf(f, ">\n   <skipped message=\"");
				xml_esc(f, det);
				fprintf(f, "\"/>\n  </testcase>\n");
			} else if (!json_is_true(json_object_get(c, "ok"))) {
				fprintf(f, ">\n   <failure message=\"");
				xml_esc(f, det);
				fprintf(f, "\"/>\n  </testcase>\n");
			} else {
				fprintf(f, "/>\n");
			}
		}
		fprintf(f, " </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
out:
	json_decref(suites);
	if (fclose(f) && !err)
		err = errno ? errno : EIO;
	return err;
}

void rep_summary_print(struct rep_summary *s, FILE *f)
{
	enum { MAX_FAIL = 15, MAX_SKIP = 5, MAX_METRIC = 12 };
	unsigned shown = 0, sk = 0, nm = 0;
	json_t *c, *v;
	const char *k;
	size_t i;

	fprintf(f, "rtcbench %s: %u passed, %u failed", s->tool, s->passed,
		s->failed);
	if (s->skipped)
		fprintf(f, " (%u skipped)", s->skipped);
	fputc('\n', f);
	json_array_foreach(s->checks, i, c) {
		const char *sn = str_of(c, "suite", NULL);

		if (json_is_true(json_object_get(c, "ok")))
			continue;
		if (shown++ >= MAX_FAIL)
			continue;
		/* Details that already name their file stand alone. */
		if (sn && !strncmp(str_of(c, "detail", ""), sn, strlen(sn)))
			fprintf(f, "  FAIL %s\n", str_of(c, "detail", ""));
		else
			fprintf(f, "  FAIL %s%s%s: %s\n", sn ? sn : "",
				sn ? " " : "", str_of(c, "name", ""),
				str_of(c, "detail", ""));
	}
	if (shown > MAX_FAIL)
		fprintf(f, "  ... %u more failures in summary.json\n",
			shown - MAX_FAIL);
	json_array_foreach(s->checks, i, c) {
		if (!json_is_true(json_object_get(c, "skipped")))
			continue;
		if (sk++ >= MAX_SKIP)
			continue;
		fprintf(f, "  skip %s: %s\n", str_of(c, "name", ""),
			str_of(c, "detail", ""));
	}
	if (sk > MAX_SKIP)
		fprintf(f, "  ... %u more skipped\n", sk - MAX_SKIP);
	json_object_foreach(s->metrics, k, v) {
		if (nm++ >= MAX_METRIC)
			continue;
		if (json_is_integer(v))
			fprintf(f, "  %-32s %lld\n", k,
				(long long)json_integer_value(v));
		else
			fprintf(f, "  %-32s %.6g\n", k, json_number_value(v));
	}
	if (nm > MAX_METRIC)
		fprintf(f, "  ... %u more metrics in summary.json\n",
			nm - MAX_METRIC);
}

int rep_summary_exit(const struct rep_summary *s)
{
	return s->failed ? 1 : 0;
}

void rep_progress(const char *label, unsigned long done, unsigned long total)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%s %lu/%lu", label, done, total);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}
