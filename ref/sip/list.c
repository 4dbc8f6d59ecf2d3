/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Comma-separated list headers (RFC 3261 7.3.1): walks every element of
 * every header of one id in order. A comma inside a quoted string or
 * inside <...> does not split. A header whose whole value is empty gives
 * no element; an empty element between commas is malformed.
 */
#include <errno.h>
#include "sip/sip_int.h"

void sip_list_begin(struct sip_list_it *it, const struct sip_msg *msg,
		    enum sip_hdr_id id)
{
	it->msg = msg;
	it->id = id;
	it->hdr = -1;
	it->rest.p = NULL;
	it->rest.len = 0;
	if (msg && (unsigned)id < SIP_HDR_COUNT && msg->first[id] >= 0) {
		it->hdr = msg->first[id];
		it->rest = msg->hdrs[it->hdr].val;
	}
}

static bool next_hdr(struct sip_list_it *it)
{
	size_t i;

	for (i = (size_t)it->hdr + 1; i < it->msg->nhdrs; i++)
		if (it->msg->hdrs[i].id == it->id) {
			it->hdr = (int)i;
			it->rest = it->msg->hdrs[i].val;
			return true;
		}
	it->hdr = -1;
	return false;
}

int sip_list_split(struct pl *s, struct pl *elem, bool *comma)
{
	size_t i = 0;
	bool angle = false;

	*comma = false;
	while (i < s->len) {
		char c = s->p[i];

		if (!ct_is(c, CT_LSTOP)) {
			i++;
			continue;
		}
		if (c == '"') {
			struct pl t = { s->p + i, s->len - i }, q;

			if (sip_take_quoted(&t, &q))
				return EBADMSG;
			i += q.len;
			continue;
		}
		if (c == '<')
			angle = true;
		else if (c == '>')
			angle = false;
		else if (c == ',' && !angle)
			break;
		i++;
	}
	if (angle)
		return EBADMSG;
	elem->p = s->p;
	elem->len = i;
	lws_trim(elem);
	if (i < s->len) {
		*comma = true;
		i++;
	}
	adv(s, i);
	return elem->len ? 0 : EBADMSG;
}

int sip_list_next(struct sip_list_it *it, struct pl *elem)
{
	struct pl e, t;
	bool comma;

	if (!it || !it->msg || it->hdr < 0)
		return ENOENT;
	for (;;) {
		lws_skip(&it->rest);
		if (it->rest.len)
			break;
		if (!next_hdr(it))
			return ENOENT;
	}
	if (sip_list_split(&it->rest, &e, &comma))
		return EBADMSG;
	t = it->rest;
	lws_skip(&t);
	if (comma && !t.len)
		return EBADMSG;	/* "a," ends in an empty element */
	*elem = e;
	return 0;
}
