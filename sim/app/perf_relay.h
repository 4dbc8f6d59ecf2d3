/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `rtcbench perf relay`: media relay throughput, CPU cost and latency of
 * our relay, rtpengine and a plain recvmmsg/sendmmsg forwarder, side by
 * side with one generator. perf_relay_loop.c holds the two relays the
 * benchmark runs itself (each in a forked child).
 */
#ifndef APP_PERF_RELAY_H
#define APP_PERF_RELAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define PERF_PKT_LEN 172		/* RTP header + 160 bytes of G.711 */
#define PERF_MAX_STREAMS 1000
#define PERF_LAT_MAX (1u << 21)	/* latency samples kept */
#define PERF_TWIN_EVERY 4	/* one packet in 4 gets a reference twin */

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
/*
 * A UDP socket on 127.0.0.1:port (0: a free one) with flags for socket()
 * (SOCK_NONBLOCK or 0; SOCK_CLOEXEC always) and both buffers forced to
 * buf_bytes (best effort: needs CAP_NET_ADMIN); *bound, if not NULL,
 * gets the address it got. The descriptor, or -1.
 */
int perf_relay_udp(uint16_t port, int flags, int buf_bytes,
		   struct sockaddr_in *bound);
/* Whether the ng server answers ping with pong. */
bool perf_relay_ng_ping(int fd, uint16_t ng);

/*
 * The generator (perf_relay_gen.c): packets paced onto the streams, a
 * receiver thread on fd counting per stream, a second one on ref_fd
 * taking the kernel stamps of the reference twins (see the file).
 */
struct perf_gen {
	int fd, ref_fd;
	struct sockaddr_in ref;		/* where twins go (ref_fd's address) */
	volatile int stop;
	volatile int phase;	/* overload run: 1 = the paced phase after */
	uint64_t recv;
	uint64_t per[PERF_MAX_STREAMS];
	uint64_t per2[PERF_MAX_STREAMS];
	uint32_t *lat_us;	/* one-way, user-space clock */
	size_t nlat;
	uint64_t *ts_rel, *ts_ref;	/* kernel stamps per twin, ns */
	uint32_t ntwin;
	pthread_t th[2];
	int nth;
};

struct perf_gen_lat {
	double p50_us, p99_us;		/* one-way, receiver's clock */
	double add_p50_us, add_p99_us, add_max_us; /* kernel stamps */
	size_t samples;			/* twins with both stamps */
};

uint64_t perf_relay_mono_ns(void);
/* Start the two receiver threads. ENOMEM, EAGAIN. */
int perf_gen_start(struct perf_gen *g, int fd, int ref_fd,
		   const struct sockaddr_in *ref);
/* Send rate packets/s round-robin to dst[0..n) for dur seconds from fd;
 * twins: with reference twins. *sent gets the packets meant for dst. */
void perf_gen_load(struct perf_gen *g, int fd, const struct sockaddr_in *dst,
		   unsigned n, unsigned rate, double dur, bool twins,
		   uint64_t *sent);
/* Stop the threads; lat (may be NULL) gets the percentiles. */
void perf_gen_stop(struct perf_gen *g, struct perf_gen_lat *lat);

#endif
