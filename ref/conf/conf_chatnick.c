/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Nicknames of the focus's chat rooms (conf_chat.h): the default one a
 * participant gets at join (SIP From display name, else user part) and
 * RFC 7701 section 7 NICKNAME requests, by which a participant asks for
 * another: `Use-Nickname: "NAME"` is answered 200 (taken from then on,
 * in the CPIM From of what it sends), 425 when another participant of
 * the room has it, 423 when it is not a usable name (empty, too long,
 * characters outside printable ASCII, quotes, backslashes, angle
 * brackets), 400 without the header. Nicknames are unique per room.
 */
#include <stdio.h>
#include <string.h>
#include "conf/conf_chat_int.h"

bool cc_nick_taken(const struct conf_chat *c, const struct chat_room *r,
		   const char *nick, const struct chat_part *except)
{
	const struct chat_part *p;

	for (p = c->parts; p; p = p->next)
		if (p != except && p->room == r && !strcmp(p->nick, nick))
			return true;
	return false;
}

void conf_chat_nick(const struct pl *display, const struct pl *user,
		    char *out, size_t sz)
{
	const struct pl *src = display && display->len ? display : user;
	size_t i, n = 0;
	char ch;

	if (!sz)
		return;
	for (i = 0; src && i < src->len && n + 1 < sz; i++) {
		ch = src->p[i];
		if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\' ||
		    ch == '<' || ch == '>')
			continue;
		if (ch == ' ' && (!n || out[n - 1] == ' '))
			continue;
		out[n++] = ch;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	if (!n && display && display->len && user && user->len) {
		conf_chat_nick(NULL, user, out, sz);
		return;
	}
	if (!n)
		snprintf(out, sz, "anon");
}

/* The quoted-string of Use-Nickname, unquoted, checked. */
static bool nick_value(const struct pl *v, char *out, size_t sz)
{
	struct pl in = *v;
	size_t i;
	char ch;

	pl_trim(&in);
	if (in.len < 3 || in.p[0] != '"' || in.p[in.len - 1] != '"' ||
	    in.len - 2 >= sz || in.len - 2 > 40)
		return false;
	for (i = 1; i + 1 < in.len; i++) {
		ch = in.p[i];
		if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\' ||
		    ch == '<' || ch == '>')
			return false;
		out[i - 1] = ch;
	}
	out[in.len - 2] = '\0';
	return out[0] != ' ' && out[in.len - 3] != ' ';
}

uint16_t cc_nickname(struct conf_chat *c, const struct msrp_msg *m)
{
	const struct msrp_hdr *h = NULL;
	struct chat_part *p;
	char nick[NICK_MAX];
	uint16_t code;
	size_t i;

	p = cc_sender(c, m, &code);
	if (!p)
		return code;
	for (i = 0; i < m->nhdrs && !h; i++)
		if (pl_caseeq_str(&m->hdrs[i].name, "Use-Nickname"))
			h = &m->hdrs[i];
	if (!h)
		return 400;
	if (!nick_value(&h->val, nick, sizeof(nick)))
		return 423;
	if (cc_nick_taken(c, p->room, nick, p))
		return 425;
	snprintf(p->nick, sizeof(p->nick), "%s", nick);
	return 200;
}
