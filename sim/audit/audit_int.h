/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the canary scanner shared by audit.c (automaton, hits) and
 * scan.c (files, directories, captures). Not for use outside sim/audit.
 */
#ifndef AUDIT_AUDIT_INT_H
#define AUDIT_AUDIT_INT_H

#include <stdint.h>
#include "audit/audit.h"

struct audit_canary {
	char *s;
	size_t len;
};

struct audit_pat {
	size_t canary;
	enum audit_enc enc;
	uint8_t *bytes;		/* NUL-terminated copy (may hold NULs) */
	size_t len;
	int32_t next;		/* next pattern ending at the same state */
};

struct audit {
	struct audit_canary *can;
	size_t ncan;
	struct audit_pat *pat;
	size_t npat;
	uint16_t cls[256];	/* byte -> class; 0 = no pattern uses it */
	size_t nclass;
	int32_t *delta;		/* nstates x nclass */
	int32_t *out;		/* first pattern ending here, -1 */
	int32_t *dict;		/* nearest suffix state with output, -1 */
	size_t nstates;
	int compiled;
	struct audit_hit *hits;
	size_t nhits, hcap;
};

/* One location being scanned: hits are merged from loc_start on. */
struct audit_scan {
	enum audit_src src;
	const char *where;
	size_t loc_start;
};

/* Build the automaton if canaries changed. ENOMEM. */
int audit_compile(struct audit *a);
/*
 * Run len bytes through the automaton from *state (updated). base is the
 * offset of p[0] in the file, or the packet number for wire sources.
 */
int audit_feed(struct audit *a, struct audit_scan *sc, int32_t *state,
	       const uint8_t *p, size_t len, uint64_t base);

#endif
