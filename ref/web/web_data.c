/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The user's stored items: messages (P10), files (P11) and voicemail
 * (P14), each with its encrypted/clear mark and the date it goes, file
 * and voicemail downloads, voicemail delete, and the data-protection
 * export (the same JSON as `refctl export`) as a download. An id that is
 * not the user's is answered exactly like one that does not exist (404).
 * Downloads are served as application/octet-stream attachments whatever
 * type the uploader claimed, so nothing stored is ever rendered by the
 * browser as a page of ours.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "web/web_int.h"

#define DAY_S 86400ull

static const struct policy *pol(struct web_ctx *c)
{
	return c->w->cfg.pol;
}

static void stamp(int64_t us, char *out, size_t sz)
{
	char d[16];

	web_date(us, d, sizeof(d));
	snprintf(out, sz, "%s %02d:%02d", d, (int)(us / 3600000000LL % 24),
		 (int)(us / 60000000 % 60));
}

/* ---- messages ------------------------------------------------------------- */

struct lctx {
	struct web_ctx *c;
	size_t n;
	int64_t want;		/* looking for one id */
	int found;
	char name[200];
};

static int msg_row(void *arg, const struct store_msg *m)
{
	struct lctx *x = arg;
	struct buf *b = &x->c->resp->body;
	const struct policy *p = pol(x->c);
	char t[40], until[16];
	struct pl body = m->body;
	int err;

	stamp(m->time_us, t, sizeof(t));
	web_date(m->time_us + (int64_t)(p ? p->message_max_s : 365 * DAY_S) *
		 1000000, until, sizeof(until));
	if (body.len > 200)
		body.len = 200;
	x->n++;
	err = buf_printf(b, "<tr id=\"msg-%lld\"><td>%s</td><td>",
			 (long long)m->id, t);
	err = err ? err : web_esc(b, &m->sender);
	err = err ? err : buf_put_str(b, "</td><td>");
	err = err ? err : web_esc(b, &m->recipient);
	err = err ? err : buf_printf(b, "</td><td class=\"%s\">%s</td><td>",
				     m->encrypted ? "enc" : "clear",
				     m->encrypted ? "encrypted" : "clear");
	if (m->encrypted)
		err = err ? err : buf_put_str(b, "(ciphertext)");
	else
		err = err ? err : web_esc(b, &body);
	return err ? err : buf_printf(b, "</td><td>%s</td></tr>\n", until);
}

int web_messages(struct web_ctx *c)
{
	struct lctx x = { .c = c };
	int err;

	if (web_is_post(c))
		return web_page_msg(c, 405, "Messages", "nothing to post here");
	err = web_page_begin(c, 200, "Messages");
	err = err ? err : buf_put_str(&c->resp->body, "<table><tr><th>Time"
		"</th><th>From</th><th>To</th><th>Mark</th><th>Text</th><th>"
		"Kept until</th></tr>\n");
	if (!err) {
		err = store_msg_list(c->w->st, &c->user, msg_row, &x);
		err = err == ENOENT ? 0 : err;
	}
	err = err ? err : buf_put_str(&c->resp->body, "</table>\n");
	if (!err && !x.n)
		err = buf_put_str(&c->resp->body, "<p>No messages stored.</p>");
	return err ? err : web_page_end(c);
}

/* ---- files ------------------------------------------------------------- */

static int file_row(void *arg, const struct store_file *f)
{
	struct lctx *x = arg;
	struct buf *b = &x->c->resp->body;
	const struct policy *p = pol(x->c);
	char t[40], until[16];
	uint64_t keep_s;
	int err;

	keep_s = !p ? 30 * DAY_S : f->size >= p->file_large_bytes ?
		 p->file_large_s : p->file_s;
	stamp(f->time_us, t, sizeof(t));
	web_date(f->time_us + (int64_t)keep_s * 1000000, until, sizeof(until));
	x->n++;
	err = buf_printf(b, "<tr id=\"file-%lld\"><td>%s</td><td><a href=\""
			 "/files/%lld\">", (long long)f->id, t,
			 (long long)f->id);
	err = err ? err : web_esc(b, &f->name);
	err = err ? err : buf_put_str(b, "</a></td><td>");
	err = err ? err : web_esc(b, &f->owner);
	err = err ? err : buf_put_str(b, "</td><td>");
	err = err ? err : web_esc(b, &f->recipient);
	return err ? err : buf_printf(b, "</td><td>%llu</td><td class=\"%s\">"
				      "%s</td><td>%s</td></tr>\n",
				      (unsigned long long)f->size,
				      f->encrypted ? "enc" : "clear",
				      f->encrypted ? "encrypted" : "clear",
				      until);
}

static int file_mine(void *arg, const struct store_file *f)
{
	struct lctx *x = arg;

	if (f->id == x->want &&
	    (pl_eq(&f->owner, &x->c->user) ||
	     pl_eq(&f->recipient, &x->c->user))) {
		x->found = 1;
		pl_strcpy(&f->name, x->name, sizeof(x->name));
	}
	return 0;
}

/* Content-Disposition filename: keep [A-Za-z0-9._-], else '_'. */
static void safe_name(const char *in, char *out, size_t sz)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < sz && i < 100; i++) {
		char ch = in[i];

		out[i] = ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
			  || (ch >= '0' && ch <= '9') || ch == '.' ||
			  ch == '-') ? ch : '_';
	}
	out[i] = '\0';
	if (!i)
		snprintf(out, sz, "download");
	else if (out[0] == '.')
		out[0] = '_';	/* no hidden or relative names */
}

static int download(struct web_ctx *c, const char *ctype, const char *name,
		    int attach)
{
	char fn[120];
	int err = web_base_headers(c, 200, ctype);

	safe_name(name, fn, sizeof(fn));
	return err ? err : web_hdr_add(c->resp, "Content-Disposition",
				       "%s; filename=\"%s\"", attach ?
				       "attachment" : "inline", fn);
}

int web_files(struct web_ctx *c, const struct pl *sub)
{
	struct lctx x = { .c = c };
	struct pl seg = *sub;
	int err;

	if (web_is_post(c))
		return web_page_msg(c, 405, "Files", "nothing to post here");
	if (sub->len) {
		pl_advance(&seg, 1);
		if (web_id(&seg, &x.want))
			return web_not_found(c);
		err = store_file_get(c->w->st, x.want, file_mine, &x);
		if (err && err != ENOENT)
			return err;
		if (!x.found)
			return web_not_found(c);
		err = download(c, "application/octet-stream", x.name, 1);
		err = err ? err : store_file_read(c->w->st, x.want,
						  &c->resp->body);
		return err == ENOENT ? web_not_found(c) : err;
	}
	err = web_page_begin(c, 200, "Files");
	err = err ? err : buf_put_str(&c->resp->body, "<table><tr><th>Time"
		"</th><th>Name</th><th>From</th><th>To</th><th>Bytes</th><th>"
		"Mark</th><th>Kept until</th></tr>\n");
	if (!err) {
		err = store_file_list(c->w->st, &c->user, file_row, &x);
		err = err == ENOENT ? 0 : err;
	}
	err = err ? err : buf_put_str(&c->resp->body, "</table>\n");
	if (!err && !x.n)
		err = buf_put_str(&c->resp->body, "<p>No files stored.</p>");
	return err ? err : web_page_end(c);
}

/* ---- voicemail ------------------------------------------------------------ */

static int vm_row(void *arg, const struct store_vm *v)
{
	struct lctx *x = arg;
	struct buf *b = &x->c->resp->body;
	char t[40];
	int err;

	stamp(v->time_us, t, sizeof(t));
	x->n++;
	err = buf_printf(b, "<tr id=\"vm-%lld\"><td>%s</td><td>",
			 (long long)v->id, t);
	err = err ? err : web_esc(b, &v->caller);
	err = err ? err : buf_printf(b, "</td><td>%lld s</td><td class=\""
		"clear\">clear</td><td>until you delete it</td><td><audio "
		"controls preload=\"none\" src=\"/voicemail/%lld.wav\"></audio>"
		" <a href=\"/voicemail/%lld.wav?download=1\">download</a></td>"
		"<td><form method=\"post\" action=\"/voicemail/%lld/delete\" "
		"data-confirm=\"Delete this voicemail?\">",
		(long long)(v->duration_ms / 1000), (long long)v->id,
		(long long)v->id, (long long)v->id);
	err = err ? err : web_csrf_input(x->c);
	return err ? err : buf_put_str(b, "<button type=\"submit\">Delete"
				       "</button></form></td></tr>\n");
}

static int vm_mine(void *arg, const struct store_vm *v)
{
	struct lctx *x = arg;

	if (v->id == x->want)
		x->found = 1;
	return 0;
}

int web_voicemail(struct web_ctx *c, const struct pl *sub)
{
	struct lctx x = { .c = c };
	struct pl rest = *sub, seg, tail;
	char name[40], dl[8];
	int err, del;

	if (sub->len) {
		/* "/ID.wav" (GET) or "/ID/delete" (POST) */
		pl_advance(&rest, 1);
		del = !pl_split(&rest, '/', &seg, &tail);
		if (del ? !pl_eq_str(&tail, "delete") :
		    (rest.len < 5 || memcmp(rest.p + rest.len - 4, ".wav", 4)))
			return web_not_found(c);
		if (!del)
			seg = pl_from_mem(rest.p, rest.len - 4);
		if (web_id(&seg, &x.want) || del != web_is_post(c))
			return web_not_found(c);
		err = store_vm_list(c->w->st, &c->user, vm_mine, &x);
		if (err && err != ENOENT)
			return err;
		if (!x.found)
			return web_not_found(c);
		if (del) {
			err = store_vm_delete(c->w->st, x.want, &c->user);
			if (err)
				return err == ENOENT ? web_not_found(c) : err;
			return web_redirect(c, "/voicemail");
		}
		snprintf(name, sizeof(name), "voicemail-%lld.wav",
			 (long long)x.want);
		err = download(c, "audio/wav", name, !web_form_get(
				&c->req->query, "download", dl, sizeof(dl)));
		err = err ? err : store_vm_read(c->w->st, x.want,
						&c->resp->body);
		return err == ENOENT ? web_not_found(c) : err;
	}
	if (web_is_post(c))
		return web_page_msg(c, 405, "Voicemail", "nothing to post here");
	err = web_page_begin(c, 200, "Voicemail");
	err = err ? err : buf_put_str(&c->resp->body, "<table><tr><th>Time"
		"</th><th>Caller</th><th>Length</th><th>Mark</th><th>Kept"
		"</th><th>Play</th><th></th></tr>\n");
	if (!err) {
		err = store_vm_list(c->w->st, &c->user, vm_row, &x);
		err = err == ENOENT ? 0 : err;
	}
	err = err ? err : buf_put_str(&c->resp->body, "</table>\n");
	if (!err && !x.n)
		err = buf_put_str(&c->resp->body, "<p>No voicemail.</p>");
	return err ? err : web_page_end(c);
}

/* ---- export ---------------------------------------------------------------- */

int web_export(struct web_ctx *c)
{
	int err;

	if (web_is_post(c))
		return web_page_msg(c, 405, "Export", "nothing to post here");
	err = download(c, "application/json", "rtcbench-export.json", 1);
	if (!err)
		err = store_export_user(c->w->st, &c->user, &c->resp->body);
	if (err == ENOENT)	/* nothing held: still a valid document */
		err = buf_put_str(&c->resp->body, "{}\n");
	return err;
}
