/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gnuplot plots for the report: one series of a summary (report/summary.h:
 * name, title, x and y labels, kind line|cdf|bar, points) becomes
 * STEM.dat, STEM.gp, STEM.png and STEM.svg in the report folder. The title
 * carries what was measured, the machine and the date, so a plot copied
 * out of the report still says where it came from. A "cdf" series holds
 * raw samples: they are sorted and plotted against their cumulative
 * fraction. A series with "lines": [{"label", "points"}] draws one
 * labelled line each (one data block per line, gnuplot `index`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "report/plot.h"
#include "scenario/run_int.h"

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* gnuplot double-quoted string literal ("\n" starts a new line). */
static void gq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_data(const char *path, json_t *pts, const char *kind)
{
	FILE *f = fopen(path, "w");
	size_t i, n = json_array_size(pts);
	json_t *p;

	if (!f)
		return errno;
	if (!strcmp(kind, "cdf")) {
		double *v = calloc(n ? n : 1, sizeof(double));

		if (!v) {
			fclose(f);
			return ENOMEM;
		}
		json_array_foreach(pts, i, p)
			v[i] = json_number_value(json_array_get(p, 1));
		qsort(v, n, sizeof(double), cmpd);
		for (i = 0; i < n; i++)
			fprintf(f, "%.9g %.9g\n", v[i],
				(double)(i + 1) / (double)n);
		free(v);
	} else {
		json_array_foreach(pts, i, p)
			fprintf(f, "%.9g %.9g\n",
				json_number_value(json_array_get(p, 0)),
				json_number_value(json_array_get(p, 1)));
	}
	return fclose(f) ? errno : 0;
}

/* One data block per line, blank-line separated (gnuplot index). */
static int write_lines(const char *path, json_t *lines)
{
	FILE *f = fopen(path, "w");
	size_t i, j;
	json_t *l, *p;

	if (!f)
		return errno;
	json_array_foreach(lines, i, l) {
		fprintf(f, "# %s\n", json_string_value(json_object_get(l,
			"label")) ?: "?");
		json_array_foreach(json_object_get(l, "points"), j, p)
			fprintf(f, "%.9g %.9g\n",
				json_number_value(json_array_get(p, 0)),
				json_number_value(json_array_get(p, 1)));
		fputs("\n\n", f);
	}
	return fclose(f) ? errno : 0;
}

int rep_plot_series(json_t *ser, const char *dir, const char *stem,
		    const char *machine, const char *when, char *err,
		    size_t errsz)
{
	const char *kind = json_string_value(json_object_get(ser, "kind"));
	const char *title = json_string_value(json_object_get(ser, "title"));
	const char *xl = json_string_value(json_object_get(ser, "x"));
	const char *yl = json_string_value(json_object_get(ser, "y"));
	json_t *pts = json_object_get(ser, "points");
	json_t *lines = json_object_get(ser, "lines");
	size_t nlines = json_array_size(lines), li;
	char dat[700], gp[700], t[600];
	FILE *f;
	int rc, k;

	if (!kind)
		kind = "line";
	if (nlines)
		kind = "line";
	if (!json_array_size(pts) && !nlines) {
		snprintf(err, errsz, "series has no points");
		return ENOENT;
	}
	snprintf(dat, sizeof(dat), "%s/%s.dat", dir, stem);
	snprintf(gp, sizeof(gp), "%s/%s.gp", dir, stem);
	rc = nlines ? write_lines(dat, lines) : write_data(dat, pts, kind);
	if (rc) {
		snprintf(err, errsz, "%s: %s", dat, strerror(rc));
		return rc;
	}
	f = fopen(gp, "w");
	if (!f) {
		snprintf(err, errsz, "%s: %s", gp, strerror(errno));
		return errno;
	}
	snprintf(t, sizeof(t), "%s\n%s, %s", title ? title : stem,
		 machine ? machine : "machine not recorded",
		 when ? when : "time not recorded");
	for (k = 0; k < 2; k++) {
		fprintf(f, k ? "set terminal svg size 800,450 dynamic "
			       "noenhanced font 'sans,11'\n" :
			       "set terminal pngcairo size 800,450 noenhanced "
			       "font 'sans,10'\n");
		fprintf(f, "set output '%s.%s'\n", stem, k ? "svg" : "png");
		if (!k) {
			fprintf(f, "set title ");
			gq(f, t);
			fprintf(f, " noenhanced\nset xlabel ");
			gq(f, !strcmp(kind, "cdf") ? yl : xl);
			fprintf(f, " noenhanced\nset ylabel ");
			gq(f, !strcmp(kind, "cdf") ? "fraction of samples" :
			   yl);
			fprintf(f, " noenhanced\nset grid\nset key %s\n"
				   "set yrange [0:*]\nset offsets 0, 0, 1, 0\n",
				nlines ? "top left noenhanced" : "off");
			if (!strcmp(kind, "bar"))
				fprintf(f, "set style fill solid 0.6\n"
					   "set boxwidth 0.8\n"
					   "set xrange [0:%zu]\n",
					   json_array_size(pts) + 1);
		}
		if (!nlines)
			fprintf(f, "plot '%s.dat' using 1:2 with %s lw 2\n",
				stem, !strcmp(kind, "bar") ? "boxes" :
				!strcmp(kind, "cdf") ? "steps" : "linespoints");
		for (li = 0; li < nlines; li++) {
			fprintf(f, "%s'%s.dat' index %zu using 1:2 title ",
				li ? ", " : "plot ", stem, li);
			gq(f, json_string_value(json_object_get(
			   json_array_get(lines, li), "label")) ?: "?");
			fprintf(f, " with linespoints lw 2%s",
				li + 1 == nlines ? "\n" : "");
		}
	}
	fclose(f);
	/* Paths in the script are relative: gnuplot runs inside dir. */
	{
		char script[1600];
		char *argv[] = { "sh", "-c", script, NULL };

		snprintf(script, sizeof(script), "cd '%s' && exec gnuplot "
			 "'%s.gp'", dir, stem);
		err[0] = 0;
		rc = scn_exec(argv, 30000, NULL, err, errsz);
		if (rc) {
			if (rc > 0 && !err[0])
				snprintf(err, errsz, "gnuplot exit %d", rc);
			return EIO;
		}
	}
	return 0;
}
