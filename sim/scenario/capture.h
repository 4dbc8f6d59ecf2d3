/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live loopback capture (libpcap, one thread) for the live backend: start
 * on a device with a BPF filter into a pcap file, sync (flush what was
 * seen so far), stop. EPERM with err set when the device cannot be opened
 * (no CAP_NET_RAW): the caller turns that into skipped wire checks.
 */
#ifndef SCENARIO_CAPTURE_H
#define SCENARIO_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct scn_capture;

int scn_capture_start(struct scn_capture **cp, const char *dev,
		      const char *filter, const char *path, char *err,
		      size_t errsz);
void scn_capture_sync(struct scn_capture *c);
uint64_t scn_capture_packets(struct scn_capture *c);
/* Stop, flush and close. NULL ok. */
void scn_capture_stop(struct scn_capture *c);

#endif
