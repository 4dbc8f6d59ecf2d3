/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forward mode of the focus (SFU-like, RFC 7667 "media switching" in its
 * simplest form): each RTP or SRTP packet a participant sends is relayed
 * byte for byte to every other participant of the room, from the port
 * that participant talks to, so nothing is decoded or decrypted here and
 * end-to-end SRTP keys (agreed between the participants, e.g. one room
 * key carried in their a=crypto lines, which the answer echoes) never
 * reach the focus's logic. The mixer is not fed; its clock only drives
 * the media timeout, kept alive by the forwarded packets.
 */
#include <string.h>
#include "conf/conf_int.h"

void cf_forward_rtp(struct conf_focus *f, uint64_t now_us,
		    const struct net_pkt *in, struct conf_leg *leg)
{
	struct conf_room *r = leg->room;
	struct net_addr src;
	unsigned i;

	r->mix->part[leg->slot].last_us = now_us;
	for (i = 0; i < CONF_MIX_MAX; i++) {
		const struct conf_leg *o = r->by_slot[i];

		if (!o || o == leg || !net_addr_port(&o->rtp_peer))
			continue;
		src = f->cfg.media_addr;
		net_addr_set_port(&src, o->port);
		cf_enqueue(f, &src, &o->rtp_peer, in->data, in->len);
	}
}
