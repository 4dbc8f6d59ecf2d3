/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [conference] for refd (io_conf.h): configuration checks, the proxy's
 * static route to the focus, and the focus core with its sockets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "conf/conf_mix.h"
#include "io/io_conf.h"

/* A user-part prefix: unreserved characters only (RFC 3261 25.1), so
 * that it matches the Request-URI as written. */
static bool prefix_ok(const char *s)
{
	if (!*s || strlen(s) >= 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-_.!~*'+", *s)))
			return false;
	return true;
}

int io_conf_check(struct io_conf *c, struct cfg *cfg)
{
	const char *v;
	struct pl pl, lo, hi;
	uint16_t sp;
	int err;

	memset(c, 0, sizeof(*c));
	if (!(c->on = cfg_has_section(cfg, "conference")))
		return 0;
	v = cfg_get(cfg, "conference", "prefix");
	if (!v)
		v = "room-";
	if (!prefix_ok(v))
		return cfg_fail(cfg, "conference", "prefix", "'%s': want 1-31 "
				"characters of letters, digits and -_.!~*'+",
				v);
	snprintf(c->prefix, sizeof(c->prefix), "%s", v);
	v = cfg_get(cfg, "conference", "listen");
	if (!v || !*v)
		return cfg_fail(cfg, "conference", "listen", "required");
	pl = pl_from_str(v);
	if (net_listen_parse(&pl, &c->sip) || c->sip.tp != NET_UDP ||
	    !net_addr_port(&c->sip))
		return cfg_fail(cfg, "conference", "listen",
				"'%s': want udp:ADDRESS:PORT", v);
	v = cfg_get(cfg, "conference", "ports");
	if (!v || !*v)
		return cfg_fail(cfg, "conference", "ports", "required");
	pl = pl_from_str(v);
	if (pl_split(&pl, '-', &lo, &hi) || pl_to_u32(&lo, &c->port_lo) ||
	    pl_to_u32(&hi, &c->port_hi) || c->port_lo < 1024 ||
	    c->port_hi > 65535 || c->port_lo >= c->port_hi ||
	    c->port_lo % 2)
		return cfg_fail(cfg, "conference", "ports", "'%s': want "
				"LOW-HIGH within 1024-65535, LOW even", v);
	if (c->port_hi - c->port_lo > 4000)
		return cfg_fail(cfg, "conference", "ports", "'%s': at most "
				"4000 ports (one socket per even port)", v);
	sp = net_addr_port(&c->sip);
	if (sp >= c->port_lo && sp <= c->port_hi)
		return cfg_fail(cfg, "conference", "ports", "'%s' holds the "
				"listen port %u", v, sp);
	c->max_parts = 8;
	if ((err = cfg_get_u32(cfg, "conference", "max_participants", 2,
			       CONF_MIX_MAX, &c->max_parts)))
		return err;
	v = cfg_get(cfg, "conference", "mode");
	if (v && strcmp(v, "mix") && strcmp(v, "forward"))
		return cfg_fail(cfg, "conference", "mode",
				"'%s': want mix or forward", v);
	c->forward = v && !strcmp(v, "forward");
	c->media_timeout_s = 30;
	if ((err = cfg_get_duration(cfg, "conference", "media_timeout",
				    &c->media_timeout_s)))
		return err;
	c->chat_max_msg = 65536;
	if ((err = cfg_get_u32(cfg, "conference", "chat_max_message", 1024,
			       1u << 24, &c->chat_max_msg)))
		return err;
	v = cfg_get(cfg, "conference", "chat_listen");
	if (!v || !*v)
		return 0;
	pl = pl_from_str(v);
	if (net_listen_parse(&pl, &c->chat_addr) ||
	    c->chat_addr.tp != NET_TCP || !net_addr_port(&c->chat_addr))
		return cfg_fail(cfg, "conference", "chat_listen",
				"'%s': want tcp:ADDRESS:PORT", v);
	c->chat = true;
	return 0;
}

void io_conf_route(const struct io_conf *c, struct sip_static_route *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->prefix, sizeof(r->prefix), "%s", c->prefix);
	r->dst = c->sip;
	snprintf(r->kind, sizeof(r->kind), "conference");
}

int io_conf_start(struct io_conf *c, struct io_loop *l, const char *domain,
		  int64_t wall_off_us, uint64_t seed, char *err, size_t errsz)
{
	struct conf_focus_cfg fc;
	struct net_addr a;
	uint32_t port, id;
	char as[NET_ADDR_STRLEN];
	int e;

	if (!c->on)
		return 0;
	memset(&fc, 0, sizeof(fc));
	fc.room_prefix = c->prefix;
	fc.domain = domain;
	fc.sip_addr = c->sip;
	fc.media_addr = c->sip;
	net_addr_set_port(&fc.media_addr, 0);
	fc.port_min = (uint16_t)c->port_lo;
	fc.port_max = (uint16_t)c->port_hi;
	fc.room_max = c->max_parts;
	fc.media_timeout_us = c->media_timeout_s * 1000000ull;
	fc.seed = seed;
	fc.forward = c->forward;
	fc.wall_offset_us = (uint64_t)wall_off_us;
	if (c->chat) {
		struct conf_chat_cfg cc = { .addr = c->chat_addr,
					    .seed = seed ^ 0x63686174u,
					    .max_msg = c->chat_max_msg };

		if ((e = conf_chat_new(&c->chat_core, &cc)) ||
		    (e = io_core_add(l, &conf_chat_ops, c->chat_core,
				     &c->chat_io))) {
			snprintf(err, errsz, "conference chat: %s",
				 strerror(e));
			return e;
		}
		if ((e = io_listen(l, c->chat_io, &c->chat_addr, NULL))) {
			snprintf(err, errsz, "'%s': %s", net_addr_str(
				 &c->chat_addr, as, sizeof(as)), strerror(e));
			return e;
		}
		fc.chat = c->chat_core;
	}
	/* No cdr_write: the proxy writes each leg's CDR (kind
	 * "conference"), which also covers legs the focus refuses. */
	if ((e = conf_focus_new(&c->focus, &fc))) {
		snprintf(err, errsz, "conference focus: %s", strerror(e));
		return e;
	}
	if ((e = io_core_add(l, &conf_focus_ops, c->focus, &c->core))) {
		snprintf(err, errsz, "conference focus: %s", strerror(e));
		return e;
	}
	if ((e = io_listen(l, c->core, &c->sip, NULL))) {
		snprintf(err, errsz, "'%s': %s",
			 net_addr_str(&c->sip, as, sizeof(as)), strerror(e));
		return e;
	}
	/* Even ports only: the focus never uses RTCP's odd ones. */
	for (port = c->port_lo; port <= c->port_hi; port += 2) {
		a = fc.media_addr;
		a.tp = NET_UDP;
		net_addr_set_port(&a, (uint16_t)port);
		if ((e = io_udp_open(l, c->core, &a, &id))) {
			snprintf(err, errsz, "RTP port %u: %s", port,
				 strerror(e));
			return e;
		}
		c->nsocks++;
	}
	return 0;
}

void io_conf_stop(struct io_conf *c)
{
	conf_focus_free(c->focus);
	c->focus = NULL;
	conf_chat_free(c->chat_core);
	c->chat_core = NULL;
}
