/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page frame and headers of the portal: every response gets the same
 * security headers (a CSP without inline script, no framing, no referrer,
 * no sniffing, no caching, HSTS over HTTPS), every page a <title>, an
 * <h1> naming it and the nav bar. The two static files are compiled in:
 * the pages must work with JavaScript off, app.js only adds confirm()
 * prompts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "web/web_int.h"

static const char style_css[] =
	"body{font-family:sans-serif;margin:0;color:#222}\n"
	"nav{background:#234;padding:.5em;display:flex;gap:1em;"
	"align-items:center;flex-wrap:wrap}\n"
	"nav a{color:#fff;text-decoration:none}\n"
	"nav form{margin:0}\n"
	"main{padding:1em 2em}\n"
	"table{border-collapse:collapse}\n"
	"td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}\n"
	".ladder td{border:none;border-left:1px dotted #999}\n"
	".arrow-r{border-bottom:2px solid #236 !important;text-align:center}\n"
	".arrow-l{border-bottom:2px solid #632 !important;text-align:center}\n"
	".redacted{background:#fd8}\n"
	".err{color:#a00}\n"
	"pre{white-space:pre-wrap;font-size:85%}\n";

static const char app_js[] =
	"// Niceties only: every form works without this file.\n"
	"document.addEventListener('submit', function (e) {\n"
	"  var m = e.target.getAttribute('data-confirm');\n"
	"  if (m && !window.confirm(m)) e.preventDefault();\n"
	"});\n";

int web_hdr_add(struct web_resp *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->nhdr >= WEB_MAX_HDRS)
		return EOVERFLOW;
	va_start(ap, fmt);
	n = vsnprintf(r->hdr[r->nhdr].value, sizeof(r->hdr[0].value), fmt,
		      ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(r->hdr[0].value))
		return EOVERFLOW;
	r->hdr[r->nhdr++].name = name;
	return 0;
}

int web_base_headers(struct web_ctx *c, int status, const char *ctype)
{
	struct web_resp *r = c->resp;
	int err;

	r->status = status;
	r->nhdr = 0;
	buf_reset(&r->body);
	err = web_hdr_add(r, "Content-Security-Policy", "default-src 'self';"
			  " script-src 'self'; frame-ancestors 'none'");
	err |= web_hdr_add(r, "X-Frame-Options", "DENY");
	err |= web_hdr_add(r, "Referrer-Policy", "no-referrer");
	err |= web_hdr_add(r, "X-Content-Type-Options", "nosniff");
	err |= web_hdr_add(r, "Cache-Control", "no-store");
	if (c->w->cfg.https)
		err |= web_hdr_add(r, "Strict-Transport-Security",
				   "max-age=31536000");
	if (ctype)
		err |= web_hdr_add(r, "Content-Type", "%s", ctype);
	return err ? EOVERFLOW : 0;
}

int web_csrf_input(struct web_ctx *c)
{
	return buf_printf(&c->resp->body, "<input type=\"hidden\" "
			  "name=\"csrf\" value=\"%s\">",
			  c->s ? c->s->csrf : "");
}

static const char *const nav[][2] = {
	{ "/identity", "Identity" }, { "/calls", "Calls" },
	{ "/messages", "Messages" }, { "/files", "Files" },
	{ "/voicemail", "Voicemail" }, { "/contacts", "Contacts" },
	{ "/export", "Export" },
};

int web_page_begin(struct web_ctx *c, int status, const char *title)
{
	struct buf *b = &c->resp->body;
	size_t i;
	int err;

	err = web_base_headers(c, status, "text/html; charset=utf-8");
	err = err ? err : buf_put_str(b, "<!DOCTYPE html>\n<html lang=\"en\">"
				      "<head><meta charset=\"utf-8\"><title>");
	err = err ? err : web_esc_str(b, title);
	err = err ? err : buf_put_str(b, " - rtcbench portal</title>"
			"<link rel=\"stylesheet\" href=\"/static/style.css\">"
			"<script src=\"/static/app.js\" defer></script>"
			"</head>\n<body><nav>");
	for (i = 0; !err && i < sizeof(nav) / sizeof(nav[0]); i++)
		err = buf_printf(b, "<a href=\"%s\">%s</a>", nav[i][0],
				 nav[i][1]);
	if (!err && c->s && c->s->op)
		err = buf_put_str(b, "<a href=\"/operator\">Operator</a>");
	if (!err && c->s) {
		err = buf_put_str(b, "<form method=\"post\" action=\"/logout\">");
		err = err ? err : web_csrf_input(c);
		err = err ? err : buf_put_str(b, "<button type=\"submit\">"
					      "Logout</button></form><span>");
		err = err ? err : web_esc(b, &c->user);
		err = err ? err : buf_put_str(b, "</span>");
	} else if (!err) {
		err = buf_put_str(b, "<a href=\"/login\">Logout</a>");
	}
	err = err ? err : buf_put_str(b, "</nav>\n<main><h1>");
	err = err ? err : web_esc_str(b, title);
	err = err ? err : buf_put_str(b, "</h1>\n");
	return err;
}

int web_page_end(struct web_ctx *c)
{
	return buf_put_str(&c->resp->body, "</main></body></html>\n");
}

int web_page_msg(struct web_ctx *c, int status, const char *title,
		 const char *text)
{
	int err = web_page_begin(c, status, title);

	err = err ? err : buf_put_str(&c->resp->body, "<p class=\"msg\">");
	err = err ? err : web_esc_str(&c->resp->body, text);
	err = err ? err : buf_put_str(&c->resp->body, "</p>\n");
	return err ? err : web_page_end(c);
}

int web_not_found(struct web_ctx *c)
{
	return web_page_msg(c, 404, "Not found", "No such page or item.");
}

int web_redirect(struct web_ctx *c, const char *to)
{
	int err = web_base_headers(c, 303, "text/html; charset=utf-8");

	err = err ? err : web_hdr_add(c->resp, "Location", "%s", to);
	err = err ? err : buf_printf(&c->resp->body, "<!DOCTYPE html>\n"
				     "<title>See other</title><h1>See other"
				     "</h1><a href=\"%s\">%s</a>\n", to, to);
	return err;
}

int web_static(struct web_ctx *c, const struct pl *path)
{
	const char *body, *type;
	int err;

	if (pl_eq_str(path, "/static/style.css")) {
		body = style_css;
		type = "text/css; charset=utf-8";
	} else if (pl_eq_str(path, "/static/app.js")) {
		body = app_js;
		type = "text/javascript; charset=utf-8";
	} else {
		return ENOENT;
	}
	err = web_base_headers(c, 200, type);
	return err ? err : buf_put_str(&c->resp->body, body);
}

void web_date(int64_t us, char *out, size_t sz)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, sz, "%Y-%m-%d", &tm))
		snprintf(out, sz, "?");
}
