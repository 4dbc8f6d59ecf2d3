/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refd's [conference] section: the conference focus (conf/conf_focus.h)
 * as a core of the live loop, on its own SIP socket ([conference] listen)
 * and one UDP socket per even RTP port of [conference] ports, opened at
 * start so the sans-IO focus never asks for sockets. The proxy reaches it
 * through a static route by user prefix (sip_static_route), the way
 * Kamailio fronts a conference server: callers dial PREFIX NAME@DOMAIN at
 * the proxy, which authenticates, record-routes, anchors the media in the
 * relay and writes the leg's CDR marked "conference".
 *
 *	[conference]
 *	prefix = room-			user part prefix of room URIs
 *	listen = udp:127.0.0.1:5070	the focus's SIP address
 *	ports = 42000-42199		its RTP ports
 *	max_participants = 8		per room (486 beyond)
 *	mode = mix			mix (decodes audio, sees plaintext)
 *					| forward (relays RTP/SRTP untouched)
 *	media_timeout = 30s		silent participant dropped (BYE)
 *	chat_listen = tcp:127.0.0.1:5071	chat rooms (conf_chat.h): the
 *					focus's MSRP address, reached through
 *					the [msrp] relay; absent: no chat
 *	chat_max_message = 65536	reassembled chat message bound
 */
#ifndef IO_IO_CONF_H
#define IO_IO_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include "base/cfg.h"
#include "base/log.h"
#include "io/io.h"
#include "sip/proxy.h"
#include "conf/conf_focus.h"

struct io_conf {
	bool on;			/* [conference] present */
	char prefix[32];
	struct net_addr sip;		/* listen */
	uint32_t port_lo, port_hi;
	uint32_t max_parts;
	bool forward;			/* mode = forward */
	uint64_t media_timeout_s;
	bool chat;			/* chat_listen set */
	struct net_addr chat_addr;
	uint32_t chat_max_msg;
	/* runtime */
	struct conf_focus *focus;
	struct io_core *core;
	struct conf_chat *chat_core;
	struct io_core *chat_io;
	size_t nsocks;
};

/* Check [conference] of cfg into c (absent: c->on false). EINVAL with
 * cfg->err naming file, line and key. */
int io_conf_check(struct io_conf *c, struct cfg *cfg);
/* The proxy's static route to the focus. */
void io_conf_route(const struct io_conf *c, struct sip_static_route *r);
/*
 * Make the focus, add it to loop l, bind its SIP socket and RTP ports.
 * seed for its tags and SSRCs. Nothing when !c->on. 0, or an errno with
 * err saying which socket.
 */
int io_conf_start(struct io_conf *c, struct io_loop *l, const char *domain,
		  int64_t wall_off_us, uint64_t seed, char *err, size_t errsz);
/* After io_loop_free. */
void io_conf_stop(struct io_conf *c);

#endif
