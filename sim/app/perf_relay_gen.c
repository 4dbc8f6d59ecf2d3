/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generator of `rtcbench perf relay`: a paced open-loop sender, a
 * receiver thread that counts what arrives per stream, and the relay's
 * added latency.
 *
 * Added latency, measured so that a loaded 2-core machine does not blur
 * it: every PERF_TWIN_EVERY-th packet is sent twice in one sendmmsg, first
 * straight to a reference socket, then to the relay. Both receiving
 * sockets have SO_TIMESTAMPNS, and on loopback the kernel stamps a
 * datagram when its sender hands it to the device (netif_rx): the twin
 * when the generator sent it, the relayed copy when the relay sent it on.
 * relayed stamp - twin stamp is the time the packet spent in the relay
 * (socket queue, wake-up, processing, send), and the scheduling delays of
 * the generator and of the receiving threads do not enter it. A clock
 * read after recvmmsg returns (the p50_us/p99_us one-way figures) adds the
 * receiver's wait for a CPU, which here dwarfs the relay's own time; those
 * figures are kept for comparison. A direct run (no relay) measures the
 * method's floor: the twin and the packet leave one after the other.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "app/perf_relay.h"
#include "rtp/rtp.h"

#define RX_VEC 64
#define CMSG_SZ CMSG_SPACE(sizeof(struct timespec))

uint64_t perf_relay_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The kernel's receive stamp of m (ns, CLOCK_REALTIME), 0 if none. */
static uint64_t kstamp(struct msghdr *m)
{
	struct cmsghdr *c;
	struct timespec ts;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000000ull +
			       (uint64_t)ts.tv_nsec;
		}
	}
	return 0;
}

/* Read fd until stop; ref: the twins' socket (stamps only). */
static void rx_loop(struct perf_gen *g, int fd, bool ref)
{
	static __thread uint8_t bufs[RX_VEC][PERF_PKT_LEN + 64];
	static __thread uint8_t ctl[RX_VEC][CMSG_SZ];
	struct mmsghdr msgs[RX_VEC];
	struct iovec iov[RX_VEC];
	struct timeval tv = { 0, 50000 };
	uint64_t now, sent_ns, k;
	uint32_t id, twin;
	int i, n, one = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	for (i = 0; i < RX_VEC; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_control = ctl[i];
	}
	while (!g->stop) {
		for (i = 0; i < RX_VEC; i++)
			msgs[i].msg_hdr.msg_controllen = CMSG_SZ;
		n = recvmmsg(fd, msgs, RX_VEC, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		now = perf_relay_mono_ns();
		for (i = 0; i < n; i++) {
			if (msgs[i].msg_len < 24)
				continue;
			memcpy(&id, bufs[i] + 8, 4);
			memcpy(&sent_ns, bufs[i] + 12, 8);
			memcpy(&twin, bufs[i] + 20, 4);
			id = ntohl(id);
			twin = ntohl(twin);
			k = twin ? kstamp(&msgs[i].msg_hdr) : 0;
			if (twin && twin <= PERF_LAT_MAX)
				(ref ? g->ts_ref : g->ts_rel)[twin - 1] = k;
			if (ref || id >= PERF_MAX_STREAMS)
				continue;
			g->per[id]++;
			if (g->phase)
				g->per2[id]++;
			g->recv++;
			if (g->nlat < PERF_LAT_MAX && now > sent_ns)
				g->lat_us[g->nlat++] =
					(uint32_t)((now - sent_ns) / 1000);
		}
	}
}

static void *rx_thread(void *arg)
{
	struct perf_gen *g = arg;

	rx_loop(g, g->fd, false);
	return NULL;
}

static void *ref_thread(void *arg)
{
	struct perf_gen *g = arg;

	rx_loop(g, g->ref_fd, true);
	return NULL;
}

int perf_gen_start(struct perf_gen *g, int fd, int ref_fd,
		   const struct sockaddr_in *ref)
{
	memset(g, 0, sizeof(*g));
	g->fd = fd;
	g->ref_fd = ref_fd;
	g->ref = *ref;
	g->lat_us = malloc(PERF_LAT_MAX * sizeof(uint32_t));
	g->ts_rel = calloc(PERF_LAT_MAX, sizeof(uint64_t));
	g->ts_ref = calloc(PERF_LAT_MAX, sizeof(uint64_t));
	if (!g->lat_us || !g->ts_rel || !g->ts_ref) {
		perf_gen_stop(g, NULL);
		return ENOMEM;
	}
	if (pthread_create(&g->th[0], NULL, rx_thread, g)) {
		perf_gen_stop(g, NULL);
		return EAGAIN;
	}
	g->nth = 1;
	if (pthread_create(&g->th[1], NULL, ref_thread, g)) {
		perf_gen_stop(g, NULL);
		return EAGAIN;
	}
	g->nth = 2;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void perf_gen_stop(struct perf_gen *g, struct perf_gen_lat *lat)
{
	uint64_t *d;
	size_t i, n = 0;
	int t;

	g->stop = 1;
	for (t = 0; t < g->nth; t++)
		pthread_join(g->th[t], NULL);
	g->nth = 0;
	if (lat) {
		memset(lat, 0, sizeof(*lat));
		if (g->nlat) {
			qsort(g->lat_us, g->nlat, sizeof(uint32_t), cmp_u32);
			lat->p50_us = g->lat_us[g->nlat / 2];
			lat->p99_us = g->lat_us[g->nlat * 99 / 100];
		}
		/* The twins' deltas reuse ts_rel in place. */
		d = g->ts_rel;
		for (i = 0; d && i < g->ntwin && i < PERF_LAT_MAX; i++)
			if (d[i] && g->ts_ref[i])
				d[n++] = d[i] > g->ts_ref[i] ?
					 d[i] - g->ts_ref[i] : 0;
		lat->samples = n;
		if (n) {
			qsort(d, n, sizeof(uint64_t), cmp_u64);
			lat->add_p50_us = (double)d[n / 2] / 1e3;
			lat->add_p99_us = (double)d[n * 99 / 100] / 1e3;
			lat->add_max_us = (double)d[n - 1] / 1e3;
		}
	}
	free(g->lat_us);
	free(g->ts_rel);
	free(g->ts_ref);
	g->lat_us = NULL;
	g->ts_rel = g->ts_ref = NULL;
}

/* Fill packet p for stream s; twin: its index + 1, 0 for none. */
static void fill(uint8_t *p, uint64_t seq, unsigned s, uint64_t now,
		 uint32_t twin)
{
	/* PCMU; the timestamp is filler (0xd5 as the payload), the SSRC
	 * names the stream. */
	struct rtp_hdr h = { .pt = 0, .seq = (uint16_t)seq,
			     .ts = 0xd5d5d5d5u, .ssrc = s };
	uint32_t tw = htonl(twin);

	memset(p, 0xd5, PERF_PKT_LEN);
	rtp_hdr_encode(p, &h);
	memcpy(p + 12, &now, 8);
	memcpy(p + 20, &tw, 4);
}

static void msg_set(struct mmsghdr *m, struct iovec *iov, uint8_t *p,
		    const struct sockaddr_in *dst)
{
	iov->iov_base = p;
	iov->iov_len = PERF_PKT_LEN;
	memset(m, 0, sizeof(*m));
	m->msg_hdr.msg_iov = iov;
	m->msg_hdr.msg_iovlen = 1;
	m->msg_hdr.msg_name = (void *)dst;
	m->msg_hdr.msg_namelen = sizeof(*dst);
}

void perf_gen_load(struct perf_gen *g, int fd, const struct sockaddr_in *dst,
		   unsigned n, unsigned rate, double dur, bool twins,
		   uint64_t *sent)
{
	static uint8_t pk[64][PERF_PKT_LEN];
	struct mmsghdr msgs[64];
	struct iovec iov[64];
	uint64_t t0 = perf_relay_mono_ns(), now, due, seq = 0;
	struct timespec tick = { 0, 1000000 };
	unsigned b, m, s = 0;
	uint32_t tw;

	*sent = 0;
	for (;;) {
		now = perf_relay_mono_ns();
		if ((double)(now - t0) >= dur * 1e9)
			break;
		due = (uint64_t)((double)(now - t0) * rate / 1e9);
		while (*sent < due) {
			for (b = 0, m = 0; m < 63 && *sent + b < due; b++) {
				tw = 0;
				if (twins && (seq % PERF_TWIN_EVERY) == 0 &&
				    g->ntwin < PERF_LAT_MAX)
					tw = ++g->ntwin;
				if (tw) {	/* the twin leaves first */
					fill(pk[m], seq, s, now, tw);
					msg_set(&msgs[m], &iov[m], pk[m],
						&g->ref);
					m++;
				}
				fill(pk[m], seq++, s, now, tw);
				msg_set(&msgs[m], &iov[m], pk[m], &dst[s]);
				m++;
				s = (s + 1) % n;
			}
			/* What the socket refuses is lost, as on a network. */
			if (sendmmsg(fd, msgs, m, 0) < 0 && errno == EBADF)
				return;
			*sent += b;
			/* A rate above what we can send: just go on until
			 * the end, never chase the backlog past it. */
			if ((double)(perf_relay_mono_ns() - t0) >= dur * 1e9)
				break;
		}
		nanosleep(&tick, NULL);
	}
}
