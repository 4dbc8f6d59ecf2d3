/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message store (POLICY.md P10): bodies kept exactly as received, marked
 * encrypted when they are OpenPGP and clear otherwise; per-device delivery
 * rows for multi-device sync. Also the OpenPGP recogniser shared with the
 * file store. The recogniser only classifies; it never decrypts and the
 * server has no key.
 */
#include <errno.h>
#include <string.h>
#include "store/store_int.h"

/* Media type without parameters, lower-case compare. */
static int ctype_is(const struct pl *ct, const char *type)
{
	struct pl t = *ct, rest;

	(void)pl_split(&t, ';', &t, &rest);
	pl_trim(&t);
	return pl_caseeq_str(&t, type);
}

/*
 * RFC 4880/9580 4.2: a packet header, old or new format. Returns the tag
 * when the first packet is well-formed and fits in len, else -1.
 */
static int pgp_first_tag(const uint8_t *b, size_t len)
{
	size_t hl, bl;
	int tag;

	if (len < 2 || !(b[0] & 0x80))
		return -1;
	if (b[0] & 0x40) {		/* new format */
		tag = b[0] & 0x3f;
		if (b[1] < 192) {
			hl = 2; bl = b[1];
		} else if (b[1] < 224) {
			if (len < 3)
				return -1;
			hl = 3; bl = ((size_t)(b[1] - 192) << 8) + b[2] + 192;
		} else if (b[1] == 255) {
			if (len < 6)
				return -1;
			hl = 6; bl = ((size_t)b[2] << 24) | ((size_t)b[3] << 16)
				| ((size_t)b[4] << 8) | b[5];
		} else {
			return tag;	/* partial length: body streams on */
		}
	} else {			/* old format */
		static const size_t lens[] = { 1, 2, 4 };
		unsigned lt = b[0] & 3, i;

		tag = (b[0] >> 2) & 0x0f;
		if (lt == 3)
			return tag;	/* indeterminate length */
		hl = 1 + lens[lt];
		if (len < hl)
			return -1;
		for (bl = 0, i = 1; i < hl; i++)
			bl = (bl << 8) | b[i];
	}
	if (bl == 0 || bl > len - hl)
		return -1;
	return tag;
}

int store_body_is_pgp(const struct pl *content_type, const uint8_t *body,
		      size_t len)
{
	static const char armor[] = "-----BEGIN PGP MESSAGE-----";
	struct pl ct = content_type ? *content_type : PL_NULL;
	size_t i = 0;
	int tag;

	/* RFC 3156 PGP/MIME and the bare application type. */
	if (ctype_is(&ct, "multipart/encrypted") ||
	    ctype_is(&ct, "application/pgp-encrypted"))
		return 1;
	if (!body)
		return 0;
	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
			   body[i] == '\r' || body[i] == '\n'))
		i++;
	if (len - i >= sizeof(armor) - 1 &&
	    !memcmp(body + i, armor, sizeof(armor) - 1))
		return 1;
	/* Binary: an encrypted message opens with a session key packet
	 * (PKESK 1, SKESK 3) or the encrypted data itself (SED 9, SEIPD 18,
	 * AEAD 20). A clear-signed or literal message does not count. */
	tag = pgp_first_tag(body, len);
	return tag == 1 || tag == 3 || tag == 9 || tag == 18 || tag == 20;
}

int store_msg_add(struct store *s, const struct store_msg *m,
		  int64_t *id_out)
{
	sqlite3_stmt *st;
	int err;

	if (!s || !m || !m->recipient.len)
		return EINVAL;
	st = store_st(s, ST_MSG_ADD);
	sqlite3_bind_int64(st, 1, m->time_us);
	store_bind_pl(st, 2, &m->sender);
	store_bind_pl(st, 3, &m->recipient);
	store_bind_pl(st, 4, &m->content_type);
	store_bind_blob(st, 5, m->body.p, m->body.len);
	sqlite3_bind_int(st, 6, store_body_is_pgp(&m->content_type,
		(const uint8_t *)m->body.p, m->body.len));
	err = store_step_done(s, st);
	if (!err && id_out)
		*id_out = sqlite3_last_insert_rowid(s->db);
	return err;
}

struct msg_ctx {
	store_msg_fn *fn;
	void *arg;
};

static int msg_row(void *ctx, sqlite3_stmt *st)
{
	struct msg_ctx *c = ctx;
	struct store_msg m;

	m.id = sqlite3_column_int64(st, 0);
	m.time_us = sqlite3_column_int64(st, 1);
	m.sender = store_col_pl(st, 2);
	m.recipient = store_col_pl(st, 3);
	m.content_type = store_col_pl(st, 4);
	m.body = store_col_pl(st, 5);
	m.encrypted = sqlite3_column_int(st, 6);
	return c->fn(c->arg, &m);
}

int store_msg_list(struct store *s, const struct pl *user, store_msg_fn *fn,
		   void *arg)
{
	struct msg_ctx c = { fn, arg };
	sqlite3_stmt *st;

	if (!s || !fn)
		return EINVAL;
	st = store_st(s, ST_MSG_LIST);
	store_bind_pl(st, 1, user);
	return store_each(s, st, msg_row, &c);
}

int store_msg_pending(struct store *s, const struct pl *user,
		      const struct pl *device, store_msg_fn *fn, void *arg)
{
	struct msg_ctx c = { fn, arg };
	sqlite3_stmt *st;

	if (!s || !user || !device || !fn)
		return EINVAL;
	st = store_st(s, ST_MSG_PENDING);
	store_bind_pl(st, 1, user);
	store_bind_pl(st, 2, device);
	return store_each(s, st, msg_row, &c);
}

int store_msg_delivered(struct store *s, int64_t id, const struct pl *device,
			int64_t time_us)
{
	sqlite3_stmt *st;

	if (!s || !device || !device->len)
		return EINVAL;
	st = store_st(s, ST_MSG_DELIVERED);
	sqlite3_bind_int64(st, 1, id);
	store_bind_pl(st, 2, device);
	sqlite3_bind_int64(st, 3, time_us);
	return store_step_done(s, st);
}

int store_msg_delete(struct store *s, int64_t id, const struct pl *user)
{
	sqlite3_stmt *st;
	int err;

	if (!s || !user)
		return EINVAL;
	if ((err = store_mark_dirty(s)))
		return err;
	st = store_st(s, ST_MSG_DEL);
	sqlite3_bind_int64(st, 1, id);
	store_bind_pl(st, 2, user);
	err = store_step_done(s, st);
	if (!err && sqlite3_changes(s->db) == 0)
		err = ENOENT;
	return err;
}

int store_msg_count(struct store *s, const struct pl *user, uint64_t *n)
{
	sqlite3_stmt *st;
	int rc, err = 0;

	if (!s || !user || !n)
		return EINVAL;
	st = store_st(s, ST_MSG_COUNT);
	store_bind_pl(st, 1, user);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(st, 0);
	else
		err = store_fail(s, rc, "count");
	sqlite3_reset(st);
	return err;
}
