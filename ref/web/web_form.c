/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The portal's input parsers and its one output escaper: form bodies and
 * queries (application/x-www-form-urlencoded, WHATWG URL spec 5.1), the
 * Cookie header (RFC 6265 5.4) and HTML escaping. Everything a user sends
 * reaches the pages only through these, so they refuse rather than guess:
 * a bad %-escape or a control byte in a value is EBADMSG, never a
 * truncated or altered value.
 */
#include <errno.h>
#include <string.h>
#include "web/web.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one name or value: '+' is a space, %XX a byte. */
static int decode(const struct pl *in, char *out, size_t outsz)
{
	size_t i, n = 0;

	for (i = 0; i < in->len; i++) {
		int c = (unsigned char)in->p[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (i + 2 >= in->len)
				return EBADMSG;
			hi = hexval(in->p[i + 1]);
			lo = hexval(in->p[i + 2]);
			if (hi < 0 || lo < 0)
				return EBADMSG;
			c = hi << 4 | lo;
			i += 2;
		}
		/* Tab, CR and LF are legal in a textarea; other controls
		 * (NUL above all) would cut or confuse what we store. */
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			return EBADMSG;
		if (n + 1 >= outsz)
			return EOVERFLOW;
		out[n++] = (char)c;
	}
	if (!outsz)
		return EOVERFLOW;
	out[n] = '\0';
	return 0;
}

int web_form_get(const struct pl *form, const char *name, char *out,
		 size_t outsz)
{
	struct pl rest, pair, key, val;
	char kbuf[64];

	if (!form || !name || !out || !outsz)
		return EINVAL;
	rest = *form;
	while (rest.len) {
		pl_split(&rest, '&', &pair, &rest);
		if (pl_split(&pair, '=', &key, &val))
			val = (struct pl){ pair.p + pair.len, 0 };
		/* Names are ours (short ASCII); decode to compare fairly. */
		if (key.len >= sizeof(kbuf) || decode(&key, kbuf,
						      sizeof(kbuf)))
			continue;
		if (strcmp(kbuf, name))
			continue;
		return decode(&val, out, outsz);
	}
	return ENOENT;
}

int web_cookie_get(const struct pl *hdr, const char *name, struct pl *val)
{
	struct pl rest, pair, key, v;

	if (!hdr || !name || !val)
		return EINVAL;
	rest = *hdr;
	while (rest.len) {
		pl_split(&rest, ';', &pair, &rest);
		if (pl_split(&pair, '=', &key, &v))
			continue;
		pl_trim(&key);
		pl_trim(&v);
		if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"') {
			v.p++;
			v.len -= 2;
		}
		if (pl_eq_str(&key, name)) {
			*val = v;
			return 0;
		}
	}
	return ENOENT;
}

int web_esc(struct buf *b, const struct pl *s)
{
	size_t i, from = 0;
	int err = 0;

	for (i = 0; i < s->len && !err; i++) {
		const char *rep;

		switch (s->p[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		err = buf_put(b, s->p + from, i - from);
		if (!err)
			err = buf_put_str(b, rep);
		from = i + 1;
	}
	if (!err)
		err = buf_put(b, s->p + from, s->len - from);
	return err;
}

int web_esc_str(struct buf *b, const char *s)
{
	struct pl pl = pl_from_str(s ? s : "");

	return web_esc(b, &pl);
}
