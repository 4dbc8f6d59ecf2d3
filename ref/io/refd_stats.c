/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refd's closing figures: one info line each for the I/O loop, the SIP
 * core, the MSRP relay, the media relay and the push gateway, written at
 * SIGTERM so an operator (and the integration tests) can read what the
 * run did without a metrics endpoint.
 */
#include <stdio.h>
#include "base/log.h"
#include "io/io.h"
#include "io/io_media.h"
#include "io/refd_cfg.h"
#include "msrp/msrp.h"
#include "push/push.h"
#include "sip/proxy.h"

void refd_log_stats(struct refd *d)
{
	const struct io_stats *s = io_stats(d->loop);
	struct sip_proxy_stats ps;

	LOG_I(&d->log, "io: udp rx %llu tx %llu drop %llu; streams in %llu "
	      "out %llu closed %llu idle %llu overflow %llu refused %llu; "
	      "tls failures %llu; denied %llu; discarded %llu",
	      (unsigned long long)s->udp_rx, (unsigned long long)s->udp_tx,
	      (unsigned long long)s->udp_drop, (unsigned long long)s->conn_in,
	      (unsigned long long)s->conn_out,
	      (unsigned long long)s->conn_closed,
	      (unsigned long long)s->conn_idle,
	      (unsigned long long)s->conn_overflow,
	      (unsigned long long)s->conn_refused,
	      (unsigned long long)s->tls_fail, (unsigned long long)s->denied,
	      (unsigned long long)s->sink_rx);
	if (d->media) {
		struct rtp_relay_counters rc;

		rtp_relay_counters(d->mg.relay, &rc);
		LOG_I(&d->log, "media: calls %llu (timed out %llu); read as "
		      "a call ended %llu; ports opened %llu closed %llu "
		      "failed %llu; packets in %llu out %llu",
		      (unsigned long long)rc.calls,
		      (unsigned long long)rc.calls_timed_out,
		      (unsigned long long)d->mg.read_at_end,
		      (unsigned long long)d->mg.opened,
		      (unsigned long long)d->mg.closed,
		      (unsigned long long)d->mg.open_fail,
		      (unsigned long long)rc.packets_in,
		      (unsigned long long)rc.packets_out);
	}
	if (d->pusher) {
		struct push_stats pst;

		push_flush(d->pusher);
		push_get_stats(d->pusher, &pst);
		LOG_I(&d->log, "push: sent %llu, failed %llu, dropped %llu, "
		      "log errors %llu",
		      (unsigned long long)pst.sent,
		      (unsigned long long)pst.failed,
		      (unsigned long long)pst.dropped,
		      (unsigned long long)pst.log_errors);
	}
	sip_proxy_stats(d->proxy, &ps);
	LOG_I(&d->log, "sip: inputs %llu, requests %llu (bad %llu), responses "
	      "%llu (bad %llu), retransmissions %llu, sent %llu, refused "
	      "%llu, overload %llu, auth ok %llu failed %llu limited %llu, "
	      "calls %llu, cdrs %llu, traces %llu, messages %llu, pushes "
	      "%llu (waits %llu, forked %llu, timed out %llu), stored messages "
	      "synced %llu (%llu delivered), media offers refused %llu",
	      (unsigned long long)ps.rx_inputs,
	      (unsigned long long)ps.rx_req, (unsigned long long)ps.rx_bad_req,
	      (unsigned long long)ps.rx_rsp, (unsigned long long)ps.rx_bad_rsp,
	      (unsigned long long)ps.rx_retrans, (unsigned long long)ps.tx,
	      (unsigned long long)ps.tx_refused,
	      (unsigned long long)ps.tsx_overload,
	      (unsigned long long)ps.auth_ok, (unsigned long long)ps.auth_fail,
	      (unsigned long long)ps.auth_limited,
	      (unsigned long long)ps.calls, (unsigned long long)ps.cdrs,
	      (unsigned long long)ps.traces, (unsigned long long)ps.messages,
	      (unsigned long long)ps.pushes, (unsigned long long)ps.push_waits,
	      (unsigned long long)ps.push_forked,
	      (unsigned long long)ps.push_timeouts,
	      (unsigned long long)ps.msg_synced,
	      (unsigned long long)ps.msg_sync_ok,
	      (unsigned long long)ps.media_refused);
	if (d->msrp_relay) {
		const struct msrp_relay_stats *m =
			msrp_relay_stats(d->msrp_relay);

		LOG_I(&d->log, "msrp: connections in %llu out %llu, auth ok "
		      "%llu failed %llu, sessions %llu, requests forwarded "
		      "%llu (%llu content bytes), responses %llu, reports made "
		      "%llu, refused %llu, malformed %llu, interrupted %llu, "
		      "timeouts %llu",
		      (unsigned long long)m->conns_in,
		      (unsigned long long)m->conns_out,
		      (unsigned long long)m->auth_ok,
		      (unsigned long long)m->auth_fail,
		      (unsigned long long)m->sessions,
		      (unsigned long long)m->fwd_requests,
		      (unsigned long long)m->fwd_bytes,
		      (unsigned long long)m->fwd_responses,
		      (unsigned long long)m->reports_made,
		      (unsigned long long)m->rejected,
		      (unsigned long long)m->malformed,
		      (unsigned long long)m->interrupted,
		      (unsigned long long)m->timeouts);
	}
}
