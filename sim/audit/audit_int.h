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

struct audit_pages;

/*
 * One location being scanned: hits are merged from loc_start on. With
 * pages (an SQLite database or -wal file) each hit's location is the
 * table owning its page, "path[table]", and hits merge per table.
 */
struct audit_scan {
	enum audit_src src;
	const char *where;
	size_t loc_start;
	struct audit_pages *pages;
};

/*
 * Page attribution for path (pages.c), from the file's first len bytes:
 * ENOENT when it is neither an SQLite database nor a -wal file, ENOMEM.
 */
int audit_pages_new(struct audit_pages **pp, const char *path,
		    const uint8_t *head, size_t len);
void audit_pages_free(struct audit_pages *p);
/*
 * The location of a hit at byte offset off: *where "path[table]", *table
 * "table", "table:index", "freelist" or "unknown" (both owned by p).
 * Opens the database on the first call. ENOMEM.
 */
int audit_pages_label(struct audit_pages *p, uint64_t off,
		      const char **where, const char **table);

/* Build the automaton if canaries changed. ENOMEM. */
int audit_compile(struct audit *a);
/*
 * Run len bytes through the automaton from *state (updated). base is the
 * offset of p[0] in the file, or the packet number for wire sources.
 */
int audit_feed(struct audit *a, struct audit_scan *sc, int32_t *state,
	       const uint8_t *p, size_t len, uint64_t base);

#endif
