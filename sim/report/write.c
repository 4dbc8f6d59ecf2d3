/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Markdown and HTML renderings of the report model. One walk over the
 * model drives both through a tiny writer (headings, paragraphs, tables)
 * so the two files always say the same thing. The HTML is self-contained:
 * inline CSS, plots as inline SVG, nothing fetched from the network.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "report/report_int.h"

struct out {
	FILE *f;
	int html;
	const char *dir;
};

static void esc(struct out *o, const char *s)
{
	for (; s && *s; s++) {
		if (o->html) {
			switch (*s) {
			case '&': fputs("&amp;", o->f); continue;
			case '<': fputs("&lt;", o->f); continue;
			case '>': fputs("&gt;", o->f); continue;
			case '"': fputs("&quot;", o->f); continue;
			}
		} else if (*s == '|') {
			fputs("\\|", o->f);
			continue;
		} else if (*s == '\n' || *s == '\r') {
			fputc(' ', o->f);
			continue;
		}
		fputc(*s, o->f);
	}
}

static void head(struct out *o, int lvl, const char *t)
{
	if (o->html) {
		fprintf(o->f, "<h%d>", lvl);
		esc(o, t);
		fprintf(o->f, "</h%d>\n", lvl);
	} else {
		fprintf(o->f, "\n%.*s ", lvl, "####");
		esc(o, t);
		fputs("\n\n", o->f);
	}
}

static void para(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void para(struct out *o, const char *fmt, ...)
{
	char b[2000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	fputs(o->html ? "<p>" : "", o->f);
	esc(o, b);
	fputs(o->html ? "</p>\n" : "\n\n", o->f);
}

static void thead(struct out *o, const char *const *cols)
{
	size_t i, n = 0;

	fputs(o->html ? "<table>\n<tr>" : "|", o->f);
	for (i = 0; cols[i]; i++, n++) {
		fputs(o->html ? "<th>" : " ", o->f);
		esc(o, cols[i]);
		fputs(o->html ? "</th>" : " |", o->f);
	}
	fputs(o->html ? "</tr>\n" : "\n|", o->f);
	if (!o->html) {
		for (i = 0; i < n; i++)
			fputs("---|", o->f);
		fputc('\n', o->f);
	}
}

/* cls: CSS class of the row ("fail", "pass", "na") or NULL. */
static void trow(struct out *o, const char *cls, const char *const *cells,
		 size_t n)
{
	size_t i;

	if (o->html)
		fprintf(o->f, "<tr%s%s%s>", cls ? " class=\"" : "",
			cls ? cls : "", cls ? "\"" : "");
	else
		fputc('|', o->f);
	for (i = 0; i < n; i++) {
		fputs(o->html ? "<td>" : " ", o->f);
		esc(o, cells[i] ? cells[i] : "");
		fputs(o->html ? "</td>" : " |", o->f);
	}
	fputs(o->html ? "</tr>\n" : "\n", o->f);
}

static void tend(struct out *o)
{
	fputs(o->html ? "</table>\n" : "\n", o->f);
}

static const char *sget(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static void sources(struct out *o, const struct rep_model *m)
{
	static const char *const cols[] = { "summary", "command", "passed",
		"failed", "skipped", "finished", "machine", NULL };
	size_t i;

	thead(o, cols);
	for (i = 0; i < m->nsrc; i++) {
		json_t *d = m->src[i].doc, *meta = json_object_get(d, "meta");
		char p[16], f[16], s[16];
		const char *cells[7];

		snprintf(p, sizeof(p), "%lld", (long long)json_integer_value(
			 json_object_get(d, "passed")));
		snprintf(f, sizeof(f), "%lld", (long long)json_integer_value(
			 json_object_get(d, "failed")));
		snprintf(s, sizeof(s), "%lld", (long long)json_integer_value(
			 json_object_get(d, "skipped")));
		cells[0] = m->src[i].label;
		cells[1] = sget(meta, "tool");
		cells[2] = p;
		cells[3] = f;
		cells[4] = s;
		cells[5] = sget(meta, "finished");
		cells[6] = sget(meta, "machine");
		trow(o, json_integer_value(json_object_get(d, "failed")) ?
		     "fail" : "pass", cells, 7);
	}
	tend(o);
}

static void verdicts(struct out *o, const struct rep_model *m)
{
	static const char *const cols[] = { "row", "data class", "verdict",
		"checks passed", "failed", "evidence", NULL };
	static const char *const pcols[] = { "protection path", "verdict",
		"checks passed", "failed", "evidence", NULL };
	char row[8], np[16], nf[16], verdict[64];
	unsigned r;

	head(o, 2, "Policy rows (POLICY.md P1-P18)");
	para(o, "A row holds when every check that judged it passed: the "
	     "automatic canary audit of each scenario, the negative audits, "
	     "`expect row` lines and `rtcbench audit` retention checks. "
	     "\"not exercised\" means no shipped scenario put data of that "
	     "class through the platform in this run.");
	thead(o, cols);
	for (r = 1; r <= AUDIT_ROWS; r++) {
		const struct rep_verdict *v = &m->rows[r];
		const char *cells[6];

		snprintf(row, sizeof(row), "P%u", r);
		snprintf(np, sizeof(np), "%u", v->pass);
		snprintf(nf, sizeof(nf), "%u", v->fail);
		snprintf(verdict, sizeof(verdict), "%s", v->fail ? "FAILED" :
			 v->pass ? "held" : v->skipped ? "skipped" :
			 "not exercised");
		cells[0] = row;
		cells[1] = audit_row_name(r);
		cells[2] = verdict;
		cells[3] = np;
		cells[4] = nf;
		cells[5] = v->fail ? v->detail : v->example;
		trow(o, v->fail ? "fail" : v->pass ? "pass" : "na", cells, 6);
	}
	tend(o);
	head(o, 2, "Protection paths");
	thead(o, pcols);
	for (r = 1; r < AUDIT_PATH_CNT; r++) {
		const struct rep_verdict *v = &m->paths[r];
		const char *cells[5];

		snprintf(np, sizeof(np), "%u", v->pass);
		snprintf(nf, sizeof(nf), "%u", v->fail);
		cells[0] = audit_path_name((enum audit_path)r);
		cells[1] = v->fail ? "FAILED" : v->pass ? "held" :
			   v->skipped ? "skipped (no capture)" :
			   "not exercised";
		cells[2] = np;
		cells[3] = nf;
		cells[4] = v->fail ? v->detail : v->example;
		trow(o, v->fail ? "fail" : v->pass ? "pass" : "na", cells, 5);
	}
	tend(o);
}

static void exposure(struct out *o, const struct rep_model *m)
{
	static const char *const cols[] = { "row", "data class",
		"client setting", "link sniffer", "relay", "storage",
		"canaries", NULL };
	size_t i;

	head(o, 2, "Exposure: who could read what");
	para(o, "Measured from the canaries planted in each scenario: "
	     "\"link sniffer\" = found in clear in a capture of the loopback "
	     "link; \"relay\" = found in clear on the relay's links, or "
	     "behind TLS that ends at the relay when the payload is not "
	     "encrypted end to end (marked inferred); SRTP keyed by SDES "
	     "counts as read by whoever saw its a=crypto keys: the relay "
	     "always, a sniffer when the SDP crossed a link in clear "
	     "(inferred); \"storage\" = found in "
	     "any byte under data_dir in any encoding. This is the measured "
	     "counterpart of the policy's lawful-intercept view.");
	if (!m->nexpo) {
		para(o, "No canary reached the platform in this run, so "
		     "there is nothing to show yet.");
		return;
	}
	thead(o, cols);
	for (i = 0; i < m->nexpo; i++) {
		const struct rep_expo *x = &m->expo[i];
		const char *cells[7];
		char n[16];

		snprintf(n, sizeof(n), "%u", x->n);
		cells[0] = x->row;
		cells[1] = x->cls;
		cells[2] = x->setting[0] ? x->setting : "-";
		cells[3] = !x->wire_measured ? "not captured" :
			   x->sniffer ? (x->sniffer_inferred ?
					 "reads (inferred)" : "reads") : "no";
		cells[4] = x->relay ? (x->relay_inferred &&
				       (!x->sniffer || x->sniffer_inferred) ?
				       "reads (inferred)" : "reads") :
			   x->wire_measured ? "no" : "no (inferred)";
		cells[5] = x->storage ? "reads" : "no";
		cells[6] = n;
		trow(o, x->storage || x->sniffer ? "expose" : NULL, cells, 7);
	}
	tend(o);
}

static void failures(struct out *o, const struct rep_model *m)
{
	static const char *const cols[] = { "suite", "check", "detail",
		NULL };
	size_t i;

	head(o, 2, "Failed checks");
	if (!m->nfail) {
		para(o, "None: every one of the %u checks passed.", m->checks);
		return;
	}
	para(o, "%u of %u checks failed%s.", m->failed, m->checks,
	     m->failed > m->nfail ? " (first ones shown)" : "");
	thead(o, cols);
	for (i = 0; i < m->nfail; i++) {
		const char *cells[3] = { sget(m->fail[i], "suite"),
			sget(m->fail[i], "name"), sget(m->fail[i], "detail") };

		trow(o, "fail", cells, 3);
	}
	tend(o);
}

static void metrics(struct out *o, const struct rep_model *m)
{
	static const char *const cols[] = { "metric", "value", NULL };
	size_t i;

	head(o, 2, "Metrics");
	for (i = 0; i < m->nsrc; i++) {
		json_t *mt = json_object_get(m->src[i].doc, "metrics"), *v;
		const char *k;

		if (!json_object_size(mt))
			continue;
		head(o, 3, m->src[i].label);
		thead(o, cols);
		json_object_foreach(mt, k, v) {
			char b[64];
			const char *cells[2] = { k, b };

			if (json_is_integer(v))
				snprintf(b, sizeof(b), "%lld",
					 (long long)json_integer_value(v));
			else
				snprintf(b, sizeof(b), "%.6g",
					 json_number_value(v));
			trow(o, NULL, cells, 2);
		}
		tend(o);
	}
}

static void embed_svg(struct out *o, const char *stem)
{
	char p[1200], line[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s.svg", o->dir, stem);
	f = fopen(p, "r");
	if (!f)
		return;
	fputs("<div class=\"plot\">\n", o->f);
	while (fgets(line, sizeof(line), f)) {
		/* The XML prolog and DOCTYPE are not allowed inside HTML. */
		if (!strncmp(line, "<?xml", 5) || !strncmp(line, "<!DOCTYPE", 9)
		    || !strncmp(line, " \"http://www.w3.org/Graphics", 28))
			continue;
		fputs(line, o->f);
	}
	fputs("</div>\n", o->f);
	fclose(f);
}

/* The issue's plots: which are here, and what makes a missing one. */
static void coverage(struct out *o, const struct rep_model *m)
{
	static const char *const cols[] = { "plot", "status", "source",
					    NULL };
	struct rep_cover cv[16];
	size_t i, n = rep_coverage(m, cv, 16);

	thead(o, cols);
	for (i = 0; i < n; i++) {
		const char *cells[3] = { cv[i].what, cv[i].plot ? "drawn" :
					 "missing", cv[i].plot ?
					 cv[i].plot->stem : cv[i].how };

		trow(o, cv[i].plot ? "pass" : "na", cells, 3);
	}
	tend(o);
}

static void plots(struct out *o, const struct rep_model *m)
{
	size_t i;

	head(o, 2, "Plots");
	coverage(o, m);
	if (!m->nplot) {
		para(o, "No summary carried a measured series.");
		return;
	}
	for (i = 0; i < m->nplot; i++) {
		const struct rep_plot *p = &m->plot[i];

		head(o, 3, p->title);
		para(o, "Measured on %s. Files: %s.png, %s.svg.", p->where,
		     p->stem, p->stem);
		if (!p->ok)
			para(o, "Plot not drawn: %s", p->err);
		else if (o->html)
			embed_svg(o, p->stem);
		else
			fprintf(o->f, "![%s](%s.png)\n\n", p->title, p->stem);
	}
}

/* The portal screenshots (shots.c) as thumbnails linking to the files. */
static void portal(struct out *o, const struct rep_model *m)
{
	char when[32];
	struct tm tm;
	size_t i;

	if (!m->nshot)
		return;
	gmtime_r(&m->shots_newest, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	head(o, 2, "Self-care portal");
	para(o, "%zu screenshot%s of the web portal taken by the browser "
	     "test (tests/integration/t_web_e2e.sh, headless Chromium) in "
	     "%s/, newest %s%s. Each links to the full-size file.", m->nshot,
	     m->nshot == 1 ? "" : "s", m->shot_dir, when,
	     m->shots_more ? " (more in the folder, not shown)" : "");
	if (m->shot_log) {
		if (o->html)
			fprintf(o->f, "<p>Test log: <a href=\"%s/e2e.log\">"
				"%s/e2e.log</a></p>\n", m->shot_dir,
				m->shot_dir);
		else
			fprintf(o->f, "Test log: [%s/e2e.log](%s/e2e.log)\n\n",
				m->shot_dir, m->shot_dir);
	}
	if (o->html)
		fputs("<div class=\"shots\">\n", o->f);
	for (i = 0; i < m->nshot; i++) {
		const char *n = m->shot[i], *d = m->shot_dir;

		/* names are [A-Za-z0-9._-] only (shots.c): no escaping */
		if (o->html)
			fprintf(o->f, "<figure><a href=\"%s/%s\"><img src=\"%s/"
				"%s\" alt=\"%s\" loading=\"lazy\"></a>"
				"<figcaption>%.*s</figcaption></figure>\n", d,
				n, d, n, n, (int)(strlen(n) - 4), n);
		else
			fprintf(o->f, "[![%s](%s/%s)](%s/%s) ", n, d, n, d, n);
	}
	fputs(o->html ? "</div>\n" : "\n\n", o->f);
}

static void doc(struct out *o, const struct rep_model *m)
{
	if (o->html)
		fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		      "<title>rtcbench report</title>\n<style>\n"
		      "body{font-family:sans-serif;margin:2em;max-width:80em}"
		      "table{border-collapse:collapse;margin:1em 0}"
		      "td,th{border:1px solid #bbb;padding:.3em .6em;"
		      "vertical-align:top;font-size:.9em}"
		      "th{background:#eee}tr.fail td{background:#fdd}"
		      "tr.pass td:nth-child(3){color:#060}"
		      "tr.na td{color:#777}tr.expose td{background:#ffe9c7}"
		      ".plot svg{max-width:100%;height:auto}"
		      ".shots figure{display:inline-block;margin:.4em;"
		      "text-align:center;font-size:.8em}"
		      ".shots img{width:240px;border:1px solid #bbb}\n"
		      "</style></head><body>\n", o->f);
	head(o, 1, "rtcbench report");
	para(o, "%u checks, %u failed, from %zu summar%s.%s", m->checks,
	     m->failed, m->nsrc, m->nsrc == 1 ? "y" : "ies",
	     m->failed ? " Some checks FAILED: see below." :
	     " Every check passed.");
	sources(o, m);
	verdicts(o, m);
	exposure(o, m);
	failures(o, m);
	metrics(o, m);
	plots(o, m);
	portal(o, m);
	if (o->html)
		fputs("</body></html>\n", o->f);
}

static int write_one(const struct rep_model *m, const char *dir, int html,
		     char *err, size_t errsz)
{
	char p[1200];
	struct out o = { NULL, html, dir };

	snprintf(p, sizeof(p), "%s/report.%s", dir, html ? "html" : "md");
	o.f = fopen(p, "w");
	if (!o.f) {
		snprintf(err, errsz, "%s: %s", p, strerror(errno));
		return errno;
	}
	doc(&o, m);
	if (fclose(o.f)) {
		snprintf(err, errsz, "%s: %s", p, strerror(errno));
		return errno;
	}
	return 0;
}

int rep_write_md(const struct rep_model *m, const char *dir, char *err,
		 size_t errsz)
{
	return write_one(m, dir, 0, err, errsz);
}

int rep_write_html(const struct rep_model *m, const char *dir, char *err,
		   size_t errsz)
{
	return write_one(m, dir, 1, err, errsz);
}
