/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Row-to-JSON converters and ISO 8601 time helpers (see store_json.h), and
 * the data-protection export of everything held about one user. Civil
 * date arithmetic is done here (days from civil, proleptic Gregorian) so
 * nothing depends on the process time zone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "base/mem.h"
#include "store/store_json.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

const char *store_time_iso(int64_t us, char *buf, size_t sz)
{
	int64_t days, secs, y;
	unsigned m, d;
	int64_t ms;

	ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
	secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	ms -= secs * 1000;
	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	secs -= days * 86400;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, sz, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
		 (long long)y, m, d, (int)(secs / 3600),
		 (int)(secs / 60 % 60), (int)(secs % 60), (int)ms);
	return buf;
}

/* n digits at *p into *v. */
static int digits(const char **p, int n, unsigned *v)
{
	*v = 0;
	while (n--) {
		if (**p < '0' || **p > '9')
			return EINVAL;
		*v = *v * 10 + (unsigned)(**p - '0');
		(*p)++;
	}
	return 0;
}

static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
				  30, 31 };

int store_time_parse(const char *s, int64_t *out_us)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
	int64_t frac = 0, scale = 100000, t;
	const char *p = s;
	int sign = 0;

	if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))))
		return EINVAL;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return EINVAL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return EINVAL;
			if (*p == '.' || *p == ',') {
				p++;
				if (*p < '0' || *p > '9')
					return EINVAL;
				for (; *p >= '0' && *p <= '9'; p++) {
					frac += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return EINVAL;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh))
			return EINVAL;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) || oh > 23 || om > 59)
			return EINVAL;
	}
	if (*p)
		return EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (int64_t)(oh * 3600 + om * 60);
	*out_us = t * 1000000 + frac;
	return 0;
}

/* Text field: UTF-8 as is, otherwise bytes >= 0x80 as \xNN escapes. */
static json_t *js(const struct pl *pl)
{
	struct buf b;
	json_t *j;
	size_t i;

	j = json_stringn(pl->p ? pl->p : "", pl->len);
	if (j)
		return j;
	buf_init(&b);
	for (i = 0; i < pl->len; i++) {
		unsigned char c = (unsigned char)pl->p[i];

		if (c >= 0x80 || c == 0 ? buf_printf(&b, "\\x%02x", c)
		    : buf_put_u8(&b, c)) {
			buf_fini(&b);
			return NULL;
		}
	}
	j = json_stringn(b.data ? (const char *)b.data : "", b.len);
	buf_fini(&b);
	return j;
}

static json_t *jt(int64_t us)
{
	char t[40];

	return us ? json_string(store_time_iso(us, t, sizeof(t))) : json_null();
}

/* Body: "body" when UTF-8 text, else "body_base64". */
static int set_body(json_t *o, const struct pl *body)
{
	json_t *j = json_stringn(body->p, body->len);
	char *b64;
	size_t n;

	if (j)
		return json_object_set_new(o, "body", j);
	n = sodium_base64_encoded_len(body->len,
				      sodium_base64_VARIANT_ORIGINAL);
	b64 = mem_alloc(n);
	if (!b64)
		return -1;
	sodium_bin2base64(b64, n, (const unsigned char *)body->p, body->len,
			  sodium_base64_VARIANT_ORIGINAL);
	n = (size_t)json_object_set_new(o, "body_base64", json_string(b64));
	mem_free(b64);
	return (int)n;
}

json_t *store_json_account(const struct store_account *a)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:b,s:b,s:o,s:[sss]}",
			 "id", (json_int_t)a->id, "user", js(&a->user),
			 "domain", js(&a->domain), "display", js(&a->display),
			 "email", js(&a->email), "voicemail", a->voicemail,
			 "pgp", a->pgp, "created", jt(a->created_us),
			 "credentials", "ha1-md5", "ha1-sha256", "argon2id");
}

json_t *store_json_trace(const struct store_trace *t)
{
	json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o}",
			      "id", (json_int_t)t->id, "time", jt(t->time_us),
			      "call_id", js(&t->call_id),
			      "caller", js(&t->caller),
			      "callee", js(&t->callee),
			      "direction", t->dir_out ? "out" : "in",
			      "transport", js(&t->transport),
			      "src", js(&t->src), "dst", js(&t->dst),
			      "summary", js(&t->summary));

	if (o)
		json_object_set_new(o, "message", js(&t->msg));
	return o;
}

/* The relay's figures per direction, or null when it did not relay. */
static json_t *cdr_media(const struct store_cdr *c)
{
	static const char *const dir[2] = { "from_caller", "from_callee" };
	json_t *o, *d;
	int k;

	if (!c->relay[0].len && !c->relay[1].len)
		return json_null();
	o = json_object();
	for (k = 0; o && k < 2; k++) {
		d = json_pack("{s:o,s:I,s:I,s:I,s:I}",
			      "relay", js(&c->relay[k]),
			      "packets", (json_int_t)c->packets[k],
			      "bytes", (json_int_t)c->bytes[k],
			      "lost", (json_int_t)c->lost[k],
			      "jitter_us", (json_int_t)c->jitter_us[k]);
		if (!d || json_object_set_new(o, dir[k], d)) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

json_t *store_json_cdr(const struct store_cdr *c)
{
	json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:i,s:o}",
			      "id", (json_int_t)c->id,
			      "call_id", js(&c->call_id),
			      "caller", js(&c->caller),
			      "callee", js(&c->callee),
			      "setup", jt(c->setup_us),
			      "answer", jt(c->answer_us),
			      "end", jt(c->end_us),
			      "duration_ms", (json_int_t)c->duration_ms,
			      "status", c->status,
			      "hangup_by", js(&c->hangup_by));

	json_t *more = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		"caller_sig", js(&c->caller_sig),
		"callee_sig", js(&c->callee_sig),
		"caller_media", js(&c->caller_media),
		"callee_media", js(&c->callee_media),
		"caller_ua", js(&c->caller_ua),
		"callee_ua", js(&c->callee_ua),
		"kind", js(&c->kind));

	if (!o || !more || json_object_update(o, more)) {
		json_decref(o);
		o = NULL;
	}
	json_decref(more);
	if (o && json_object_set_new(o, "media", cdr_media(c))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

json_t *store_json_msg(const struct store_msg *m)
{
	json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:b}",
			      "id", (json_int_t)m->id, "time", jt(m->time_us),
			      "from", js(&m->sender), "to", js(&m->recipient),
			      "content_type", js(&m->content_type),
			      "encrypted", m->encrypted);

	if (o && set_body(o, &m->body)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *store_json_file(const struct store_file *f)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:I,s:b}",
			 "id", (json_int_t)f->id, "time", jt(f->time_us),
			 "owner", js(&f->owner),
			 "recipient", js(&f->recipient), "name", js(&f->name),
			 "content_type", js(&f->content_type),
			 "size", (json_int_t)f->size,
			 "encrypted", f->encrypted);
}

json_t *store_json_vm(const struct store_vm *v)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:I,s:I,s:b}",
			 "id", (json_int_t)v->id, "time", jt(v->time_us),
			 "owner", js(&v->owner), "caller", js(&v->caller),
			 "duration_ms", (json_int_t)v->duration_ms,
			 "size", (json_int_t)v->size, "heard", v->heard);
}

json_t *store_json_push(const struct store_push *p)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:i}",
			 "id", (json_int_t)p->id, "time", jt(p->time_us),
			 "user", js(&p->user), "provider", js(&p->provider),
			 "kind", js(&p->kind), "status", p->status);
}

json_t *store_json_xcap(const struct store_xcap *x)
{
	json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o}",
			      "user", js(&x->user), "auid", js(&x->auid),
			      "document", js(&x->doc), "etag", js(&x->etag),
			      "updated", jt(x->time_us));

	if (o && set_body(o, &x->body)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *store_json_purchase(const struct store_purchase *p)
{
	char amount[32];

	snprintf(amount, sizeof(amount), "%lld.%02lld",
		 (long long)(p->amount_cents / 100),
		 (long long)(p->amount_cents % 100));
	return json_pack("{s:I,s:o,s:o,s:s,s:o,s:o}",
			 "id", (json_int_t)p->id, "time", jt(p->time_us),
			 "user", js(&p->user), "amount", amount,
			 "name", js(&p->name), "address", js(&p->address));
}
