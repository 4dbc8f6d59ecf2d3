/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP/SDP side of the focus's chat rooms (conf_chat.h): when the focus
 * has a chat core and an INVITE it accepts (audio) also offers an MSRP
 * session (m=message ... TCP/MSRP *), the participant joins the room's
 * chat: its a=path (relay URIs first, its own last) is where the others'
 * messages go, its nickname comes from the From display name (else the
 * user part), and the refused "m=message 0" line the audio answer holds
 * is replaced by an accepted one carrying the focus's own MSRP URI for
 * that participant. The leg leaves the chat when it ends.
 *
 * Only TCP/MSRP: the relay reaches the focus over plain TCP on loopback
 * or the platform's network (TCP/TLS/MSRP offers keep port 0).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/pl.h"
#include "conf/conf_chat.h"
#include "conf/conf_int.h"

/* m-line index of the first usable MSRP offer, or -1. */
static int msrp_line(const struct sdp_session *s)
{
	size_t i;

	for (i = 0; i < s->media_cnt; i++) {
		const struct sdp_media *md = &s->media[i];

		if (pl_caseeq_str(&md->type, "message") && md->port_n &&
		    pl_caseeq_str(&md->proto, "TCP/MSRP"))
			return (int)i;
	}
	return -1;
}

/* Replace the answer's m-line mi (and nothing after it on its line) by
 * the accepted MSRP one. ENOSPC when it would not fit. */
static int answer_put(char *ans, size_t sz, int mi, const char *uri,
		      uint16_t port)
{
	char tail[512], *p = ans, *e;
	int k, n;

	for (k = -1; p; p += 2) {
		p = strstr(p, "m=");
		if (!p || (p != ans && p[-1] != '\n'))
			continue;
		if (++k == mi)
			break;
	}
	if (!p || !(e = strstr(p, "\r\n")))
		return ENOENT;
	e += 2;
	if ((size_t)snprintf(tail, sizeof(tail), "%s", e) >= sizeof(tail))
		return ENOSPC;
	n = snprintf(p, sz - (size_t)(p - ans), "m=message %u TCP/MSRP *\r\n"
		     "a=accept-types:message/cpim text/plain\r\n"
		     "a=accept-wrapped-types:*\r\na=chatroom:nickname\r\n"
		     "a=path:%s\r\n%s",
		     (unsigned)port, uri, tail);
	return n < 0 || (size_t)n >= sz - (size_t)(p - ans) ? ENOSPC : 0;
}

void cf_chat_join(struct conf_focus *f, struct conf_leg *leg,
		  const struct sip_msg *m, const char *room)
{
	const struct sdp_line *l;
	char nick[48], from[256], room_uri[ROOM_NAME_MAX + 128], uri[128];
	char save[sizeof(leg->answer)], host[NET_ADDR_STRLEN];
	struct pl path;
	uint32_t id;
	int mi, it = -1;

	if (!f->cfg.chat || (mi = msrp_line(&f->sdp)) < 0)
		return;
	l = sdp_attr_next(&f->sdp, mi, "path", &it);
	if (!l)
		return;		/* RFC 4975 8.1: a=path is mandatory */
	path = l->aval;
	pl_trim(&path);
	conf_chat_nick(&m->from.dname, &m->from.uri.user, nick, sizeof(nick));
	pl_strcpy(&m->from.uri.raw, from, sizeof(from));
	snprintf(room_uri, sizeof(room_uri), "sip:%s%s@%s", f->prefix, room,
		 f->domain[0] ? f->domain :
		 net_addr_host(&f->cfg.sip_addr, host, sizeof(host)));
	if (conf_chat_join(f->cfg.chat, room, room_uri, &path, from, nick,
			   uri, sizeof(uri), &id))
		return;		/* the m=message line stays refused */
	memcpy(save, leg->answer, sizeof(save));
	if (answer_put(leg->answer, sizeof(leg->answer), mi, uri,
		       conf_chat_port(f->cfg.chat))) {
		memcpy(leg->answer, save, sizeof(save));
		conf_chat_leave(f->cfg.chat, id);
		return;
	}
	leg->chat_id = id;
}

void cf_chat_leave(struct conf_focus *f, struct conf_leg *leg)
{
	if (f->cfg.chat && leg->chat_id)
		conf_chat_leave(f->cfg.chat, leg->chat_id);
	leg->chat_id = 0;
}
