/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `rtcbench perf conf`: how many 5-party G.711 rooms the conference focus
 * (ref/conf) mixes on one core in real time, side by side with the plain
 * RTP relay (ref/rtp) carrying the same streams.
 *
 *   rtcbench perf conf [--rooms N] [--parties K] [--seconds S] [--out DIR]
 *
 * Both cores run sans-IO in this process, fed exactly what the live driver
 * would hand them, so the figure is the core's own cost, not the shared
 * machine's socket load: the focus gets N rooms of K legs (INVITE + ACK
 * each), then every 20 ms of audio time one 172-byte PCMU packet per leg
 * and the mix tick, and its K mixed packets per room are drained; the
 * relay gets N*K/2 two-sided calls (offer + answer), i.e. the same N*K
 * streams in and out per 20 ms. CPU time is this thread's
 * (CLOCK_THREAD_CPUTIME_ID) over the media phase only. Capacity at 50% of
 * a core = 0.5 / (CPU seconds per room per audio second); the relay's is
 * in rooms' worth of streams (K streams each), and the ratio says how much
 * dearer mixing is than relaying.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "app/perf.h"
#include "base/buf.h"
#include "base/g711.h"
#include "base/mem.h"
#include "conf/conf_focus.h"
#include "conf/conf_mix.h"
#include "report/summary.h"
#include "rtp/rtp.h"

#define PKT_LEN (12 + CONF_FRAME_SAMPLES)
#define FOCUS_IP "127.0.0.20"
#define MAX_LEGS 20000

struct leg {
	struct net_addr from;	/* the participant's RTP address */
	struct net_addr to;	/* where it sends (focus or relay port) */
	uint16_t seq;
	uint32_t ts, ssrc;
};

static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct net_addr addr(const char *s)
{
	struct net_addr r;
	struct pl p = pl_from_str(s);

	memset(&r, 0, sizeof(r));
	net_addr_parse(&p, 0, &r);
	r.tp = NET_UDP;
	return r;
}

/* 127.1.x.y:30000, participant i's RTP address. */
static struct net_addr part_addr(size_t i)
{
	char s[64];

	snprintf(s, sizeof(s), "127.1.%zu.%zu:30000", 1 + i / 250,
		 1 + i % 250);
	return addr(s);
}

static struct net_addr focus_port(uint16_t port)
{
	struct net_addr a = addr(FOCUS_IP);

	net_addr_set_port(&a, port);
	return a;
}

/* One second of u-law tone per frequency (300 + 97 k Hz, k < NTONES):
 * an integer frequency repeats exactly every second, so frame t of a
 * leg is 160 bytes at (t % 50) * 160, copied, never computed in the
 * timed loops. */
#define NTONES 29
static uint8_t tones[NTONES][8000];

static void tones_make(void)
{
	unsigned k, j;

	for (k = 0; k < NTONES; k++)
		for (j = 0; j < 8000; j++)
			tones[k][j] = g711_ulaw_encode((int16_t)(6000 * sin(
				2 * M_PI * (300.0 + 97.0 * k) * j / 8000)));
}

/* Leg i's RTP packet of tick t. */
static void frame(uint8_t *pkt, struct leg *l, unsigned i, unsigned tick)
{
	struct rtp_hdr h = { .pt = 0, .seq = l->seq, .ts = l->ts,
			     .ssrc = l->ssrc };

	rtp_hdr_encode(pkt, &h);
	memcpy(pkt + RTP_HDR_LEN, &tones[i % NTONES][(tick % 50) * CONF_FRAME_SAMPLES],
	       CONF_FRAME_SAMPLES);
	l->seq++;
	l->ts += CONF_FRAME_SAMPLES;
}

static uint16_t sdp_port(const uint8_t *d, size_t n)
{
	char tmp[4096];
	const char *m;

	snprintf(tmp, sizeof(tmp), "%.*s", (int)n, (const char *)d);
	m = strstr(tmp, "m=audio ");
	return m ? (uint16_t)atoi(m + 8) : 0;
}

static void sip_in(struct conf_focus *f, uint64_t now, const struct net_addr
		   *from, const char *text)
{
	struct net_pkt in;

	memset(&in, 0, sizeof(in));
	in.from = *from;
	in.to = focus_port(5070);
	in.data = (const uint8_t *)text;
	in.len = strlen(text);
	conf_focus_input(f, now, &in);
}

/* Rooms * parties legs joined; legs[i].to = the focus port it got. */
static int focus_setup(struct conf_focus *f, struct leg *legs,
		       unsigned rooms, unsigned parties, uint64_t now)
{
	struct net_addr sig = addr("127.0.0.30:5060");
	char msg[2048], sdp[256];
	struct net_out o;
	unsigned r, p, i = 0;

	for (r = 0; r < rooms; r++) {
		for (p = 0; p < parties; p++, i++) {
			struct leg *l = &legs[i];

			l->from = part_addr(i);
			l->ssrc = 0x1000 + i;
			snprintf(sdp, sizeof(sdp), "v=0\r\no=- 1 1 IN IP4 "
				 "127.1.%u.%u\r\ns=-\r\nc=IN IP4 127.1.%u.%u\r\n"
				 "t=0 0\r\nm=audio 30000 RTP/AVP 0\r\n",
				 1 + i / 250, 1 + i % 250, 1 + i / 250,
				 1 + i % 250);
			snprintf(msg, sizeof(msg), "INVITE sip:room-%u@bench."
				 "test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.30:"
				 "5060;branch=z9hG4bK%u\r\nMax-Forwards: 70\r\n"
				 "From: <sip:u%u@bench.test>;tag=f%u\r\nTo: "
				 "<sip:room-%u@bench.test>\r\nCall-ID: c%u\r\n"
				 "CSeq: 1 INVITE\r\nContact: <sip:u%u@127.0.0."
				 "30:5060>\r\nContent-Type: application/sdp\r\n"
				 "Content-Length: %zu\r\n\r\n%s", r, i, i, i, r,
				 i, i, strlen(sdp), sdp);
			sip_in(f, now, &sig, msg);
			while (!conf_focus_output(f, &o)) {
				if (o.len > 12 && !memcmp(o.data,
							  "SIP/2.0 200", 11)) {
					l->to = focus_port(sdp_port(o.data,
								    o.len));
				}
			}
			if (!net_addr_port(&l->to))
				return EPROTO;
			snprintf(msg, sizeof(msg), "ACK sip:room-%u@127.0.0.20:"
				 "5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.30:"
				 "5060;branch=z9hG4bKa%u\r\nMax-Forwards: 70\r\n"
				 "From: <sip:u%u@bench.test>;tag=f%u\r\nTo: "
				 "<sip:room-%u@bench.test>;tag=x\r\nCall-ID: "
				 "c%u\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n"
				 "\r\n", r, i, i, i, r, i);
			sip_in(f, now, &sig, msg);
		}
	}
	return 0;
}

/* The media phase of the focus: CPU seconds, packets out in *out. */
static double focus_run(struct conf_focus *f, struct leg *legs, size_t n,
			unsigned ticks, uint64_t now, uint64_t *out)
{
	uint8_t pkt[PKT_LEN];
	struct net_pkt in;
	struct net_out o;
	unsigned t;
	size_t i;
	double c0 = cpu_s();

	memset(&in, 0, sizeof(in));
	for (t = 0; t < ticks; t++) {
		now += CONF_FRAME_US;
		for (i = 0; i < n; i++) {
			frame(pkt, &legs[i], (unsigned)i, t);
			in.from = legs[i].from;
			in.to = legs[i].to;
			in.data = pkt;
			in.len = PKT_LEN;
			conf_focus_input(f, now, &in);
		}
		conf_focus_timeout(f, now);
		while (!conf_focus_output(f, &o))
			(*out)++;
	}
	return cpu_s() - c0;
}

static int relay_setup(struct rtp_relay *r, struct leg *legs, size_t n,
		       uint64_t now)
{
	struct rtp_call_stats st;
	struct rtp_sock_ev ev;
	char sdp[256], cid[32];
	struct buf b;
	size_t i;
	int err = 0;

	buf_init(&b);
	for (i = 0; i + 1 < n && !err; i += 2) {
		struct pl c, ft = PL("a"), tt = PL("b"), s;
		unsigned k;

		for (k = 0; k < 2; k++)
			legs[i + k].from = part_addr(i + k);
		snprintf(cid, sizeof(cid), "r%zu", i);
		c = pl_from_str(cid);
		for (k = 0; k < 2 && !err; k++) {
			snprintf(sdp, sizeof(sdp), "v=0\r\no=- 1 1 IN IP4 "
				 "127.1.%zu.%zu\r\ns=-\r\nc=IN IP4 127.1.%zu."
				 "%zu\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n",
				 1 + (i + k) / 250, 1 + (i + k) % 250,
				 1 + (i + k) / 250, 1 + (i + k) % 250);
			s = pl_from_str(sdp);
			buf_reset(&b);
			err = k ? rtp_relay_answer(r, now, &c, &ft, &tt, &s,
						   NULL, &b) :
				  rtp_relay_offer(r, now, &c, &ft, &s, NULL,
						  &b);
		}
		if (!err)
			err = rtp_relay_query(r, &c, &st);
		for (k = 0; k < 2 && !err; k++) {
			legs[i + k].to = *rtp_relay_addr(r);
			legs[i + k].to.tp = NET_UDP;
			net_addr_set_port(&legs[i + k].to,
					  st.stream[0].side[k].local_port);
			legs[i + k].ssrc = 0x2000 + (uint32_t)(i + k);
		}
	}
	while (!rtp_relay_sock_event(r, &ev))
		;
	buf_fini(&b);
	return err;
}

static double relay_run(struct rtp_relay *r, struct leg *legs, size_t n,
			unsigned ticks, uint64_t now, uint64_t *out)
{
	uint8_t pkt[PKT_LEN];
	struct net_pkt in;
	struct net_out o;
	unsigned t;
	size_t i;
	double c0;

	memset(&in, 0, sizeof(in));
	c0 = cpu_s();
	for (t = 0; t < ticks; t++) {
		now += CONF_FRAME_US;
		for (i = 0; i < n; i++) {
			frame(pkt, &legs[i], (unsigned)i, t);
			in.from = legs[i].from;
			in.to = legs[i].to;
			in.data = pkt;
			in.len = PKT_LEN;
			rtp_relay_input(r, now, &in);
			while (!rtp_relay_output(r, &o))
				(*out)++;
		}
		rtp_relay_timeout(r, now);
		while (!rtp_relay_output(r, &o))
			(*out)++;
	}
	return cpu_s() - c0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rtcbench perf conf [--rooms N] [--parties K] "
		"[--seconds S] [--out DIR]\n");
}

int perf_conf(int argc, char **argv)
{
	unsigned rooms = 200, parties = 5, secs = 5, ticks;
	const char *out = "results/latest";
	struct conf_focus_cfg fc;
	struct rtp_relay_cfg rc;
	struct conf_focus *f = NULL;
	struct rtp_relay *r = NULL;
	struct rep_summary *s = NULL;
	struct leg *legs = NULL;
	uint64_t now = 1000000, fout = 0, rout = 0;
	double fcpu, rcpu, fcost, rcost, fcap, rcap;
	char d[200];
	size_t n;
	int i, ret = 2;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--rooms") && v)
			rooms = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(a, "--parties") && v)
			parties = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(a, "--seconds") && v)
			secs = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(a, "--out") && v)
			out = argv[++i];
		else {
			fprintf(stderr, "rtcbench perf conf: unknown or "
				"incomplete option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	n = (size_t)rooms * parties;
	if (!rooms || parties < 2 || parties > 8 || !secs || secs > 600 ||
	    n > MAX_LEGS || n % 2) {
		fprintf(stderr, "rtcbench perf conf: want --rooms 1.. "
			"--parties 2..8 (rooms*parties even, at most %d) "
			"--seconds 1..600\n", MAX_LEGS);
		return 2;
	}
	ticks = secs * 50;
	tones_make();
	legs = mem_zalloc(n * sizeof(*legs));
	memset(&fc, 0, sizeof(fc));
	fc.room_prefix = "room-";
	fc.sip_addr = focus_port(5070);
	fc.media_addr = addr(FOCUS_IP);
	fc.port_min = 10000;
	fc.port_max = (uint16_t)(10000 + 2 * n + 2);
	fc.room_max = parties;
	fc.media_timeout_us = 30000000;
	fc.seed = 1;
	memset(&rc, 0, sizeof(rc));
	rc.addr = addr("127.0.0.21");
	rc.port_min = 10000;
	rc.port_max = (uint16_t)(10000 + 4 * n + 4);
	if (!legs || conf_focus_new(&f, &fc) || rtp_relay_new(&r, &rc) ||
	    rep_summary_new(&s, "perf conf")) {
		fprintf(stderr, "rtcbench perf conf: out of memory\n");
		goto out;
	}
	if (focus_setup(f, legs, rooms, parties, now)) {
		fprintf(stderr, "rtcbench perf conf: the focus refused a "
			"leg\n");
		goto out;
	}
	fcpu = focus_run(f, legs, n, ticks, now, &fout);
	memset(legs, 0, n * sizeof(*legs));
	if (relay_setup(r, legs, n, now)) {
		fprintf(stderr, "rtcbench perf conf: the relay refused a "
			"call\n");
		goto out;
	}
	rcpu = relay_run(r, legs, n, ticks, now, &rout);
	fcost = fcpu / ((double)rooms * secs);
	rcost = rcpu / ((double)rooms * secs);
	fcap = fcost > 0 ? 0.5 / fcost : 0;
	rcap = rcost > 0 ? 0.5 / rcost : 0;
	snprintf(d, sizeof(d), "%u rooms x %u parties, %u s of audio: %llu "
		 "mixed packets out (want %llu)", rooms, parties, secs,
		 (unsigned long long)fout, (unsigned long long)n * ticks);
	/* The mixer starts playing after its 2-frame jitter depth. */
	rep_summary_check(s, "conf: every leg got its mix every 20 ms",
			  fout + 3 * n >= (uint64_t)n * ticks &&
			  fout <= (uint64_t)n * ticks, d);
	snprintf(d, sizeof(d), "%llu of %llu packets relayed",
		 (unsigned long long)rout, (unsigned long long)n * ticks);
	rep_summary_check(s, "relay: every packet relayed",
			  rout == (uint64_t)n * ticks, d);
	snprintf(d, sizeof(d), "%.0f %u-party rooms at 50%% of a core",
		 fcap, parties);
	rep_summary_check(s, "conf: at least one room mixed in real time at "
			  "50% of a core", fcap >= 1, d);
	rep_summary_metric(s, "conf_rooms", rooms);
	rep_summary_metric(s, "conf_parties", parties);
	rep_summary_metric(s, "conf_audio_s", secs);
	rep_summary_metric(s, "conf_cpu_us_per_room_s", fcost * 1e6);
	rep_summary_metric(s, "relay_cpu_us_per_room_s", rcost * 1e6);
	rep_summary_metric(s, "conf_rooms_at_50pct", floor(fcap));
	rep_summary_metric(s, "relay_rooms_at_50pct", floor(rcap));
	rep_summary_metric(s, "conf_vs_relay_cost_ratio",
			   rcost > 0 ? fcost / rcost : 0);
	rep_summary_meta(s, "method", "sans-IO cores in-process, thread CPU "
			 "time of the media phase (frames copied from a table)");
	rep_summary_write(s, out);
	rep_summary_print(s, stdout);
	ret = rep_summary_exit(s);
out:
	rep_summary_free(s);
	conf_focus_free(f);
	rtp_relay_free(r);
	mem_free(legs);
	return ret;
}
