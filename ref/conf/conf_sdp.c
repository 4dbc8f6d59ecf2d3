/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDP offer/answer of the conference focus (see conf_sdp.h). Only plain
 * RTP/AVP audio at 8 kHz is answered: the mixer decodes, so it cannot
 * take SRTP, and it does not resample.
 */
#include <stdio.h>
#include <errno.h>
#include "conf/conf_sdp.h"

static const char *ip_kind(const struct net_addr *a)
{
	return net_addr_family(a) == AF_INET6 ? "IP6" : "IP4";
}

/* The SDP we support, for 488 (RFC 3261 21.4.26) and the offerless case. */
void conf_sdp_caps(const struct net_addr *media, char *out, size_t sz)
{
	char host[NET_ADDR_STRLEN];

	net_addr_host(media, host, sizeof(host));
	snprintf(out, sz,
		 "v=0\r\no=focus 1 1 IN %s %s\r\ns=conference\r\n"
		 "c=IN %s %s\r\nt=0 0\r\nm=audio 0 RTP/AVP 0 8 96\r\n"
		 "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
		 "a=rtpmap:96 L16/8000\r\na=ptime:20\r\n",
		 ip_kind(media), host,
		 ip_kind(media), host);
}

void conf_sdp_offer(const struct net_addr *media, uint16_t port,
		    uint32_t sess_id, char *out, size_t sz)
{
	char host[NET_ADDR_STRLEN];

	net_addr_host(media, host, sizeof(host));
	snprintf(out, sz,
		 "v=0\r\no=focus %u %u IN %s %s\r\ns=conference\r\n"
		 "c=IN %s %s\r\nt=0 0\r\nm=audio %u RTP/AVP 0 8 96\r\n"
		 "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
		 "a=rtpmap:96 L16/8000\r\na=ptime:20\r\n", sess_id, sess_id,
		 ip_kind(media), host, ip_kind(media), host, port);
}

/* First acceptable format of m-line i in the offerer's order. */
int conf_sdp_pick(const struct sdp_session *s, size_t i, uint8_t *pt,
		      enum conf_codec *codec)
{
	struct pl cur = s->media[i].fmts, fmt;

	while (sdp_fmt_next(&cur, &fmt)) {
		struct sdp_rtpmap rm;
		uint32_t v;

		if (pl_to_u32(&fmt, &v) || v > 127)
			continue;
		if (v == 0 || v == 8) {
			*pt = (uint8_t)v;
			*codec = v == 0 ? CONF_PCMU : CONF_PCMA;
			return 0;
		}
		if (v < 96 || sdp_media_rtpmap(s, i, (uint8_t)v, &rm))
			continue;
		if (pl_caseeq_str(&rm.encoding, "L16") &&
		    rm.clock_rate == 8000 &&
		    (!rm.params.len || pl_eq_str(&rm.params, "1"))) {
			*pt = (uint8_t)v;
			*codec = CONF_L16;
			return 0;
		}
	}
	return ENOENT;
}

/* The answer: the chosen audio m-line, every other one refused (port 0). */
void conf_sdp_answer(const struct net_addr *media,
		     const struct sdp_session *s, size_t ai, uint32_t sess_id,
		     uint16_t port, uint8_t pt, enum conf_codec codec,
		     char *out, size_t sz)
{
	static const char *names[] = { "PCMU", "PCMA", "L16" };
	char host[NET_ADDR_STRLEN];
	size_t i, n;
	struct pl fmt, cur;

	net_addr_host(media, host, sizeof(host));
	n = (size_t)snprintf(out, sz,
		 "v=0\r\no=focus %u 1 IN %s %s\r\ns=conference\r\n"
		 "c=IN %s %s\r\nt=0 0\r\n", sess_id,
		 ip_kind(media), host,
		 ip_kind(media), host);
	for (i = 0; i < s->media_cnt && n < sz; i++) {
		const struct sdp_media *m = &s->media[i];

		if (i != ai) {
			cur = m->fmts;
			if (!sdp_fmt_next(&cur, &fmt))
				fmt = PL("0");
			n += (size_t)snprintf(out + n, sz - n,
				"m=%.*s 0 %.*s %.*s\r\n", PL_ARG(m->type),
				PL_ARG(m->proto), PL_ARG(fmt));
			continue;
		}
		n += (size_t)snprintf(out + n, sz - n,
			"m=audio %u RTP/AVP %u\r\na=rtpmap:%u %s/8000\r\n"
			"a=ptime:20\r\na=sendrecv\r\n", port, pt,
			pt, names[codec]);
	}
}

int conf_sdp_pick_fwd(const struct sdp_session *s, size_t *ai, uint8_t *pt)
{
	struct pl cur, fmt;
	uint32_t v;
	size_t i;

	for (i = 0; i < s->media_cnt; i++) {
		const struct sdp_media *m = &s->media[i];

		if (!pl_caseeq_str(&m->type, "audio") || !m->port_n ||
		    (!pl_caseeq_str(&m->proto, "RTP/AVP") &&
		     !pl_caseeq_str(&m->proto, "RTP/SAVP")))
			continue;
		cur = m->fmts;
		if (!sdp_fmt_next(&cur, &fmt) || pl_to_u32(&fmt, &v) ||
		    v > 127)
			continue;
		*ai = i;
		*pt = (uint8_t)v;
		return 0;
	}
	return ENOENT;
}

void conf_sdp_answer_fwd(const struct net_addr *media,
			 const struct sdp_session *s, size_t ai,
			 uint32_t sess_id, uint16_t port, uint8_t pt,
			 char *out, size_t sz)
{
	const struct sdp_media *m = &s->media[ai];
	const struct sdp_line *l;
	struct sdp_rtpmap rm;
	char host[NET_ADDR_STRLEN];
	size_t i, n;
	int it = -1;
	struct pl fmt, cur;

	net_addr_host(media, host, sizeof(host));
	n = (size_t)snprintf(out, sz,
		 "v=0\r\no=focus %u 1 IN %s %s\r\ns=conference\r\n"
		 "c=IN %s %s\r\nt=0 0\r\n", sess_id, ip_kind(media), host,
		 ip_kind(media), host);
	for (i = 0; i < s->media_cnt && n < sz; i++) {
		const struct sdp_media *o = &s->media[i];

		if (i == ai)
			break;
		cur = o->fmts;
		if (!sdp_fmt_next(&cur, &fmt))
			fmt = PL("0");
		n += (size_t)snprintf(out + n, sz - n, "m=%.*s 0 %.*s %.*s\r\n",
				      PL_ARG(o->type), PL_ARG(o->proto),
				      PL_ARG(fmt));
	}
	if (n < sz)
		n += (size_t)snprintf(out + n, sz - n, "m=audio %u %.*s %u\r\n",
				      port, PL_ARG(m->proto), pt);
	if (n < sz && !sdp_media_rtpmap(s, ai, pt, &rm))
		n += (size_t)snprintf(out + n, sz - n,
				      "a=rtpmap:%u %.*s/%u%s%.*s\r\n", pt,
				      PL_ARG(rm.encoding), rm.clock_rate,
				      rm.params.len ? "/" : "",
				      PL_ARG(rm.params));
	/* The participants' own keys: relayed, never used here. */
	while (n < sz && (l = sdp_attr_next(s, (int)ai, "crypto", &it)))
		n += (size_t)snprintf(out + n, sz - n, "a=%.*s\r\n",
				      PL_ARG(l->val));
	if (n < sz)
		n += (size_t)snprintf(out + n, sz - n, "a=sendrecv\r\n");
	for (i = ai + 1; i < s->media_cnt && n < sz; i++) {
		const struct sdp_media *o = &s->media[i];

		cur = o->fmts;
		if (!sdp_fmt_next(&cur, &fmt))
			fmt = PL("0");
		n += (size_t)snprintf(out + n, sz - n, "m=%.*s 0 %.*s %.*s\r\n",
				      PL_ARG(o->type), PL_ARG(o->proto),
				      PL_ARG(fmt));
	}
}

/* Peer RTP address from the offer's connection and m= port. */
int conf_sdp_peer(const struct sdp_session *s, size_t i,
		      struct net_addr *out)
{
	const struct sdp_conn *c = sdp_media_conn(s, i);
	char tmp[NET_ADDR_STRLEN + 4];
	struct pl p;

	if (!c || !c->addr.len || c->addr.len > NET_ADDR_STRLEN)
		return EINVAL;
	if (pl_chr(&c->addr, ':'))
		snprintf(tmp, sizeof(tmp), "[%.*s]", PL_ARG(c->addr));
	else
		snprintf(tmp, sizeof(tmp), "%.*s", PL_ARG(c->addr));
	p = pl_from_str(tmp);
	return net_addr_parse(&p, s->media[i].port_n, out);
}

