/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `rtcbench perf relay`: media relay throughput, CPU cost and latency of
 * our relay, rtpengine and a plain recvmmsg/sendmmsg forwarder, side by
 * side with one generator. perf_relay_loop.c holds the two relays the
 * benchmark runs itself (each in a forked child).
 */
#ifndef APP_PERF_RELAY_H
#define APP_PERF_RELAY_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* Entry point: `rtcbench perf relay [options]`; exit code per cmd.h. */
int perf_relay(int argc, char **argv);

/*
 * Child main loops; they return only on SIGTERM (0) or a setup error
 * (non-zero, with a line on stderr).
 * Ours: our relay core and ng core on 127.0.0.1:ng_port, relay ports
 * [pmin, pmax], run by a minimal epoll loop with a port-indexed socket
 * table and one sendmmsg per received batch.
 * Plain: n static streams; packets arriving on 127.0.0.1:(base + 2i) are
 * sent on from base + 2i + 1 to dst_port on 127.0.0.1.
 */
int perf_relay_ours_main(uint16_t ng_port, uint16_t pmin, uint16_t pmax);
/* The same relay and ng cores on the project's live driver (ref/io). */
int perf_relay_io_main(uint16_t ng_port, uint16_t pmin, uint16_t pmax);
int perf_relay_plain_main(uint16_t base, unsigned n, uint16_t dst_port);

/*
 * ng client (perf_relay_ng.c), on UDP socket fd to 127.0.0.1:ng. Stream
 * i: offer with the sender's a_port, answer with the receiver's b_port;
 * *port gets the relay port the sender must send to. 0, ETIMEDOUT,
 * EBADMSG (an error answer, whose reason goes to stderr).
 */
int perf_relay_ng_stream(int fd, uint16_t ng, unsigned i, uint16_t a_port,
			 uint16_t b_port, uint16_t *port);
/* 127.0.0.1:port */
struct sockaddr_in perf_relay_lo(uint16_t port);
/* Whether the ng server answers ping with pong. */
bool perf_relay_ng_ping(int fd, uint16_t ng);

#endif
