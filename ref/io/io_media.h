/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Glue between the RTP relay core (rtp/rtp.h) and the live driver: the
 * relay runs as a core of the loop, and the ports it allocates for a call
 * (RTP_SOCK_OPEN / RTP_SOCK_CLOSE events) become real UDP sockets through
 * io_udp_open / io_udp_close_addr. Also the SIP proxy's media hooks
 * (struct sip_media_ops, sip/proxy.h) on top of the relay, so that refd
 * wires the two with a few calls:
 *
 *	io_media_attach(&m, loop, relay);
 *	io_media_sip_ops(&m, &proxy_cfg.media);
 *	... sip_proxy_new, io_core_add(loop, &sip_proxy_core_ops, ...) ...
 *	io_core_on_drain(sip_core, io_media_hook, &m);
 *
 * The last line matters: the proxy calls offer/answer/delete inside its
 * own input, so the relay's socket changes are applied right after each
 * drain of the SIP core (before any RTP can arrive for the new ports).
 */
#ifndef IO_IO_MEDIA_H
#define IO_IO_MEDIA_H

#include <stdbool.h>
#include <stdint.h>
#include "base/cfg.h"
#include "io/io.h"
#include "rtp/rtp.h"
#include "sip/proxy.h"

/*
 * A call the relay ended by itself (no media for 90 s, 7200 s on hold):
 * its final figures wait here for the call's CDR, which the proxy writes
 * later (BYE, or its own call timer). The last IO_MEDIA_ENDED are kept.
 */
#define IO_MEDIA_ENDED 32
struct io_media_ended {
	char call_id[RTP_CALLID_MAX];
	char tag0[RTP_TAG_MAX];		/* the tag of the figures' side [0] */
	struct sip_cdr_media st;
};

struct io_media {
	struct io_loop *loop;		/* borrowed */
	struct rtp_relay *relay;	/* borrowed (owned after io_media_start) */
	struct rtp_ng *ng;		/* ng control core, owned; may be NULL */
	struct io_core *ng_core;
	bool owned;
	struct io_core *core;		/* the relay's core in the loop */
	struct rtp_opts opts;		/* for offer/answer; zero: defaults */
	uint64_t opened, closed;	/* ports */
	uint64_t open_fail;		/* port taken by someone else */
	uint64_t read_at_end;		/* datagrams read as a call ended */
	struct io_media_ended ended[IO_MEDIA_ENDED];
	unsigned ended_next;
};

/*
 * Add relay r as a core of loop l and hook its drains (its timeouts end
 * calls and free ports); the figures of calls it ends are kept for their
 * CDRs (its end function is set). m is the caller's and outlives the
 * loop. ENOMEM.
 */
int io_media_attach(struct io_media *m, struct io_loop *l,
		    struct rtp_relay *r);
/* Apply the relay's pending socket changes, then send what it queued. */
void io_media_pump(struct io_media *m);
/* io_drain_fn for the cores that call into the relay (arg = m). */
void io_media_hook(void *arg, struct io_loop *l, struct io_core *c);
/*
 * A call's relay figures (rtp_relay_query/delete) as its CDR keeps them:
 * out->...[0] for the side tagged from_tag (the caller), [1] the other;
 * packets and bytes summed over the call's streams, loss summed, jitter
 * the worst stream's, both from the peer's RTCP report when the relay saw
 * one. relay[k] is the relay address and port side k sent RTP to.
 */
void io_media_cdr_stats(const struct net_addr *relay,
			const struct rtp_call_stats *st,
			const struct pl *from_tag, struct sip_cdr_media *out);
/* Point ops at the relay (ops->arg = m); ops->stats included. */
void io_media_sip_ops(struct io_media *m, struct sip_media_ops *ops);

/*
 * The whole [media] section in one call: load it (rtp_relay_cfg_load),
 * make the relay, attach it, and serve the rtpengine ng protocol on
 * [media] ng_listen when set. ENOENT: no [media] (media off, m zeroed).
 * EINVAL: c->err names file, line and key. Other errors: err says.
 */
int io_media_start(struct io_media *m, struct io_loop *l, struct cfg *c,
		   const struct log *log, char *err, size_t errsz);
/* Free what io_media_start made; after io_loop_free. m zeroed ok. */
void io_media_stop(struct io_media *m);

#endif
