/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live link capture for the live backend: libpcap on the loopback device,
 * filtered to the ports in use, written to a pcap file by one thread.
 * Immediate mode, so a sync right after a step sees its packets. Opening
 * `lo` needs CAP_NET_RAW; without it the caller reports wire checks as
 * skipped rather than pretending they passed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <pcap/pcap.h>
#include "base/mem.h"
#include "scenario/capture.h"

struct scn_capture {
	pcap_t *pc;
	pcap_dumper_t *d;
	pthread_t th;
	pthread_mutex_t mu;
	volatile int stop;
	uint64_t pkts;
};

static void on_pkt(u_char *arg, const struct pcap_pkthdr *h,
		   const u_char *bytes)
{
	struct scn_capture *c = (struct scn_capture *)arg;

	pthread_mutex_lock(&c->mu);
	pcap_dump((u_char *)c->d, h, bytes);
	c->pkts++;
	pthread_mutex_unlock(&c->mu);
}

static void *loop(void *arg)
{
	struct scn_capture *c = arg;

	while (!c->stop) {
		if (pcap_dispatch(c->pc, -1, on_pkt, (u_char *)c) < 0)
			break;
	}
	return NULL;
}

int scn_capture_start(struct scn_capture **cp, const char *dev,
		      const char *filter, const char *path, char *err,
		      size_t errsz)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	struct scn_capture *c = mem_zalloc(sizeof(*c));
	FILE *f;

	if (!c)
		return ENOMEM;
	c->pc = pcap_create(dev, perr);
	if (!c->pc) {
		snprintf(err, errsz, "pcap on %s: %s", dev, perr);
		mem_free(c);
		return EPERM;
	}
	pcap_set_snaplen(c->pc, 65535);
	pcap_set_immediate_mode(c->pc, 1);
	pcap_set_timeout(c->pc, 20);
	if (pcap_activate(c->pc) < 0) {
		snprintf(err, errsz, "pcap on %s: %s", dev,
			 pcap_geterr(c->pc));
		goto bad;
	}
	/* Bounded waits, so the thread sees stop within the timeout. */
	if (pcap_compile(c->pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) ||
	    pcap_setfilter(c->pc, &prog)) {
		snprintf(err, errsz, "pcap filter '%s': %s", filter,
			 pcap_geterr(c->pc));
		goto bad;
	}
	pcap_freecode(&prog);
	/*
	 * A 4 MiB stdio buffer: with the default one a busy link (RTP) has
	 * stdio write part of a record between syncs, and an audit reading
	 * the file then meets a truncated last record. Only sync flushes.
	 */
	f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto bad;
	}
	setvbuf(f, NULL, _IOFBF, 4u << 20);
	c->d = pcap_dump_fopen(c->pc, f);
	if (!c->d) {
		snprintf(err, errsz, "%s: %s", path, pcap_geterr(c->pc));
		fclose(f);
		goto bad;
	}
	pthread_mutex_init(&c->mu, NULL);
	if (pthread_create(&c->th, NULL, loop, c)) {
		snprintf(err, errsz, "capture thread: %s", strerror(errno));
		pthread_mutex_destroy(&c->mu);
		pcap_dump_close(c->d);
		goto bad;
	}
	*cp = c;
	return 0;
bad:
	pcap_close(c->pc);
	mem_free(c);
	return EPERM;
}

void scn_capture_sync(struct scn_capture *c)
{
	struct timespec ts = { 0, 60 * 1000000 };

	if (!c)
		return;
	/* Let the kernel hand over what is in flight, then flush. */
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&c->mu);
	pcap_dump_flush(c->d);
	pthread_mutex_unlock(&c->mu);
}

uint64_t scn_capture_packets(struct scn_capture *c)
{
	uint64_t n;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	n = c->pkts;
	pthread_mutex_unlock(&c->mu);
	return n;
}

void scn_capture_stop(struct scn_capture *c)
{
	if (!c)
		return;
	c->stop = 1;
	pcap_breakloop(c->pc);
	pthread_join(c->th, NULL);
	pcap_dump_close(c->d);
	pthread_mutex_destroy(&c->mu);
	pcap_close(c->pc);
	mem_free(c);
}
