/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The live driver: one epoll loop on CLOCK_MONOTONIC that runs any number of
 * sans-IO cores (struct core_ops, base/core.h) over real UDP, TCP and TLS
 * sockets, IPv4 and IPv6. It owns every socket, connection and TLS session;
 * cores own their own state and never see a file descriptor.
 *
 * Wiring a core is one call per core plus one per listen spec:
 *
 *	io_loop_new(&loop, &opts);
 *	io_core_add(loop, &sip_core_ops, sip, &c);
 *	io_listen_spec(loop, c, "udp:127.0.0.1:5060 tls:[::1]:5061", err, n);
 *	io_signals(loop, NULL, NULL);
 *	io_run(loop);			(returns 0 after SIGTERM/SIGINT)
 *
 * What the driver does for a core (the contract of base/core.h):
 * - Datagrams: input with conn_id 0, from = peer, to = the local socket
 *   address (the bound address: a wildcard listener reports 0.0.0.0/::).
 * - Streams: every chunk read from a connection is handed over with that
 *   connection's id (> 0); a chunk with data NULL and len 0 says it closed
 *   (peer EOF, error, idle timeout, failed connect or handshake, write
 *   queue overflow). Ids are never reused within one loop.
 * - Output NET_OUT_SEND with dst.tp UDP: sent from the core's UDP socket
 *   whose address equals src (or the first one of the same family when
 *   src has port 0). Batched with sendmmsg. A full socket drops (counted).
 * - Output NET_OUT_SEND with dst.tp TCP/TLS and conn_id != 0: to that
 *   connection; if it is gone the bytes are dropped (stream_drop), the
 *   core has been or will be told of the close. With conn_id 0: to an
 *   open connection of this core to dst with that transport (accepted or
 *   dialled), or a new one (non-blocking connect, then TLS client
 *   handshake); bytes queue until it is up. The input of that connection
 *   later carries its id; if it fails the core gets the close chunk with
 *   from = dst.
 * - Output NET_OUT_CLOSE: flush what is queued, then close conn_id.
 * - After every input and timeout the driver drains output() until
 *   ENOENT; the loop sleeps until the earliest deadline() of all cores.
 * Backpressure: a connection whose queued bytes pass opts.wq_max is
 * closed (a peer that does not read must not grow the process).
 *
 * Limits: a wildcard UDP listener reports the wildcard as `to` (no
 * IP_PKTINFO); outgoing streams bind to src's address with an ephemeral
 * port; names are never resolved (numeric addresses only).
 */
#ifndef IO_IO_H
#define IO_IO_H

#include <stddef.h>
#include <stdint.h>
#include "base/core.h"
#include "base/log.h"
#include "base/net.h"

struct io_loop;
struct io_core;

struct io_opts {
	struct log *log;		/* NULL: stderr, info */
	uint32_t max_conns;		/* stream connections; 0: 4096 */
	uint64_t idle_timeout_us;	/* close idle streams; 0: 300 s */
	uint64_t connect_timeout_us;	/* connect + handshake; 0: 10 s */
	size_t wq_max;			/* queued bytes per connection; 0: 1 MiB */
	int sockbuf;			/* UDP SO_RCVBUF/SO_SNDBUF; 0: 4 MiB */
	/* TLS (PEM files). Needed only with a tls listener or tls dst. */
	const char *tls_cert;		/* server certificate (chain) */
	const char *tls_key;		/* its private key */
	const char *tls_ca;		/* CA bundle to verify peers with */
	int tls_verify_client;		/* listeners demand a client cert */
	int tls_verify_server;		/* outgoing TLS verifies the server */
};

struct io_stats {
	uint64_t udp_rx, udp_tx, udp_drop;	/* datagrams */
	uint64_t conn_in, conn_out, conn_closed;
	uint64_t conn_refused;			/* over max_conns */
	uint64_t conn_idle;			/* closed for idleness */
	uint64_t conn_overflow;			/* closed: write queue full */
	uint64_t tls_fail;			/* handshake failures */
	uint64_t stream_rx, stream_tx;		/* bytes */
	uint64_t stream_drop;			/* sends to a closed conn_id */
	uint64_t denied;			/* dst outside io_allow_add */
	uint64_t sink_rx;			/* data for listeners w/o core */
};

/*
 * New loop: epoll fd, TLS contexts when opts name a cert/key (both or
 * neither). opts is copied; its strings are borrowed for this call only.
 * SIGPIPE is ignored process-wide (a peer's reset must not kill us).
 * EINVAL with *err set (cert/key unreadable or not matching), ENOMEM,
 * or the errno of a failed system call.
 */
int io_loop_new(struct io_loop **lp, const struct io_opts *opts,
		char *err, size_t errsz);
/* Closes every socket and frees the loop; cores stay the caller's. */
void io_loop_free(struct io_loop *l);

/*
 * Attach a core. ops and core are borrowed for the loop's lifetime.
 * *cp gets the handle used by io_listen / io_udp_open. ENOMEM.
 * A NULL ops makes a sink: its listeners accept and discard (counted
 * in sink_rx), which lets a daemon bind before its service exists.
 */
int io_core_add(struct io_loop *l, const struct core_ops *ops, void *core,
		struct io_core **cp);
/* Drain a core's pending output after the caller called into it. */
int io_core_flush(struct io_loop *l, struct io_core *c);

/*
 * Called after every drain of c (after each input, timeout or flush),
 * with the loop free to be used: the place for glue that moves side
 * effects of one core into the driver or another core, e.g. the media
 * relay's "open/close this port" events (rtp_relay_sock_event ->
 * io_udp_open / io_udp_close_addr, then io_core_flush of the relay).
 * fn may be NULL to remove it.
 */
typedef void (io_drain_fn)(void *arg, struct io_loop *l, struct io_core *c);
void io_core_on_drain(struct io_core *c, io_drain_fn *fn, void *arg);

/*
 * Listen on a (tp UDP, TCP or TLS), attached to core c. Port 0 picks
 * one; *bound (may be NULL) gets the real address. EINVAL (transport, or
 * tls without a certificate), or the errno of socket/bind/listen.
 */
int io_listen(struct io_loop *l, struct io_core *c, const struct net_addr *a,
	      struct net_addr *bound);
/*
 * Whitespace-separated listen specs ("udp:127.0.0.1:5060 tls:[::1]:5061",
 * net_listen_parse). On failure err says which spec and why.
 */
int io_listen_spec(struct io_loop *l, struct io_core *c, const char *specs,
		   char *err, size_t errsz);

/*
 * Dynamic UDP ports (media relay): open a UDP socket on a (port 0: any;
 * *a is updated to the bound address) attached to c; *idp gets a handle
 * for io_udp_close. The core sends from it with net_out.src == *a.
 * EADDRINUSE when taken, EINVAL, or the errno of socket/bind.
 */
int io_udp_open(struct io_loop *l, struct io_core *c, struct net_addr *a,
		uint32_t *idp);
/* ENOENT when id is not an open dynamic socket. */
int io_udp_close(struct io_loop *l, uint32_t id);
/* Close core c's dynamic socket bound to a (port included). ENOENT. */
int io_udp_close_addr(struct io_loop *l, struct io_core *c,
		      const struct net_addr *a);
/*
 * Read what is queued on core c's dynamic socket bound to a right now,
 * outside the loop's turn, and hand each datagram to c (io_deliver), at
 * most max of them. For a core about to close the socket: what already
 * reached the port would be dropped with it (the media relay ending a
 * call on a BYE read before the RTP that arrived ahead of it). Safe
 * inside another core's input (its own buffer, not the receive batch's).
 * Returns the number of datagrams read (0: none, or no such socket).
 */
unsigned io_udp_read_now(struct io_loop *l, struct io_core *c,
			 const struct net_addr *a, unsigned max);

/*
 * Only send to (and connect to) addresses inside the allowed prefixes;
 * with no prefix added every address is allowed. Denied sends are
 * dropped and counted. EINVAL (family), ENOMEM.
 */
int io_allow_add(struct io_loop *l, const struct net_addr *pfx,
		 unsigned bits);

/* Monotonic microseconds (the cores' now_us). */
uint64_t io_now_us(void);
/* wall_us = now_us + offset: CLOCK_REALTIME minus CLOCK_MONOTONIC,
 * sampled when the loop was made. */
int64_t io_wall_offset_us(const struct io_loop *l);

typedef void (io_hup_fn)(void *arg);
/*
 * Take SIGTERM, SIGINT (stop the loop) and SIGHUP (call hup, if any)
 * through a signalfd; the signals are blocked for the calling thread.
 */
int io_signals(struct io_loop *l, io_hup_fn *hup, void *arg);

/* Run until io_stop or a stop signal. 0, or the errno of epoll. */
int io_run(struct io_loop *l);
/* One turn: wait at most max_wait_ms (-1: until a deadline or event). */
int io_run_once(struct io_loop *l, int max_wait_ms);
void io_stop(struct io_loop *l);
int io_stopped(const struct io_loop *l);
/*
 * After the loop stopped: close the listeners (no new peers), then give
 * stream connections up to max_wait_ms to take the bytes still queued
 * for them; nothing more is read. Returns the number of connections that
 * still had bytes queued when the time ran out (0: all flushed).
 */
size_t io_shutdown(struct io_loop *l, int max_wait_ms);

const struct io_stats *io_stats(const struct io_loop *l);
/* Open stream connections. */
size_t io_conn_count(const struct io_loop *l);

#endif
