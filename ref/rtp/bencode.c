/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bencode (the BitTorrent encoding, used by rtpengine's "ng" protocol):
 * strings "<len>:<bytes>", integers "i<n>e", lists "l...e", dictionaries
 * "d<key><value>...e". The decoder is zero-copy and writes a flat,
 * preorder array of items into caller storage, so one command costs no
 * allocation; nesting is capped at BENC_MAX_DEPTH. Dictionary keys need
 * not be sorted (rtpengine does not sort them either).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "rtp/rtp.h"

struct dctx {
	const char *p;
	size_t len, pos;
	struct benc *items;
	size_t max, n;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits up to (not including) the terminator; no leading zeros. */
static int number(struct dctx *c, char term, bool sign, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t start;

	if (sign && c->pos < c->len && c->p[c->pos] == '-') {
		neg = true;
		c->pos++;
	}
	start = c->pos;
	while (c->pos < c->len && is_digit(c->p[c->pos])) {
		if (v > (INT64_MAX - 9) / 10)
			return EBADMSG;
		v = v * 10 + (uint64_t)(c->p[c->pos++] - '0');
	}
	if (c->pos == start || c->pos >= c->len || c->p[c->pos] != term)
		return EBADMSG;
	if (c->pos - start > 1 && c->p[start] == '0')
		return EBADMSG;
	if (neg && v == 0)
		return EBADMSG;	/* "i-0e" */
	c->pos++;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static int item(struct dctx *c, int depth)
{
	struct benc *it;
	size_t idx;
	int64_t v;
	uint32_t cnt = 0;
	bool dict;
	int err;

	if (depth > BENC_MAX_DEPTH || c->pos >= c->len)
		return EBADMSG;
	if (c->n >= c->max)
		return EOVERFLOW;
	idx = c->n++;
	it = &c->items[idx];
	memset(it, 0, sizeof(*it));
	switch (c->p[c->pos]) {
	case 'i':
		c->pos++;
		it->type = BENC_INT;
		err = number(c, 'e', true, &it->num);
		if (err)
			return err;
		break;
	case 'l':
	case 'd':
		dict = c->p[c->pos] == 'd';
		it->type = dict ? BENC_DICT : BENC_LIST;
		c->pos++;
		while (c->pos < c->len && c->p[c->pos] != 'e') {
			if (dict && !(cnt & 1) && !is_digit(c->p[c->pos]))
				return EBADMSG;	/* keys are strings */
			err = item(c, depth + 1);
			if (err)
				return err;
			cnt++;
		}
		if (c->pos >= c->len || (dict && (cnt & 1)))
			return EBADMSG;
		c->pos++;
		c->items[idx].cnt = cnt;
		break;
	default:
		it->type = BENC_STR;
		err = number(c, ':', false, &v);
		if (err)
			return err;
		if ((uint64_t)v > c->len - c->pos)
			return EBADMSG;
		it->str.p = c->p + c->pos;
		it->str.len = (size_t)v;
		c->pos += (size_t)v;
		break;
	}
	c->items[idx].next = (uint32_t)c->n;
	return 0;
}

int benc_decode(const struct pl *in, struct benc *items, size_t max,
		size_t *n)
{
	struct dctx c;
	int err;

	if (!in || !items || !n || !max)
		return EINVAL;
	memset(&c, 0, sizeof(c));
	c.p = in->p;
	c.len = in->p ? in->len : 0;
	c.items = items;
	c.max = max;
	err = item(&c, 0);
	if (err)
		return err;
	if (c.pos != c.len)
		return EBADMSG;
	*n = c.n;
	return 0;
}

const struct benc *benc_dict_get(const struct benc *items, size_t d,
				 const char *key)
{
	size_t i = d + 1, k;

	if (items[d].type != BENC_DICT)
		return NULL;
	for (k = 0; k < items[d].cnt / 2; k++) {
		if (pl_eq_str(&items[i].str, key))
			return &items[i + 1];
		i = items[i + 1].next;
	}
	return NULL;
}

size_t benc_child(const struct benc *items, size_t l, size_t i)
{
	size_t at = l + 1;

	while (i--)
		at = items[at].next;
	return at;
}

int benc_put_pl(struct buf *b, const struct pl *pl)
{
	int err = buf_printf(b, "%zu:", pl->len);

	return err ? err : buf_put(b, pl->p, pl->len);
}

int benc_put_str(struct buf *b, const char *s)
{
	struct pl pl = pl_from_str(s);

	return benc_put_pl(b, &pl);
}

int benc_put_int(struct buf *b, int64_t v)
{
	return buf_printf(b, "i%" PRId64 "e", v);
}

int benc_put_dict(struct buf *b)
{
	return buf_put_u8(b, 'd');
}

int benc_put_list(struct buf *b)
{
	return buf_put_u8(b, 'l');
}

int benc_put_end(struct buf *b)
{
	return buf_put_u8(b, 'e');
}
