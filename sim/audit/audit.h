/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The canary scanner: a set of canary strings, each expanded into the
 * encodings a store or a protocol might write it in (plain, base64 at the
 * three byte alignments, hex lower/upper, quoted-printable, URL-encoding,
 * UTF-16LE/BE), compiled into one Aho-Corasick automaton so every file
 * and every captured packet is read once whatever the number of canaries.
 *
 * Sources: a directory (recursively: databases, -wal, -shm, journals,
 * spools, logs, blobs; symlinks are not followed), single files, pcap
 * captures (payload of each UDP datagram; TCP payload per flow with the
 * matcher state carried across segments so a canary split over two
 * segments is still found), or memory. Hits are kept per (canary,
 * encoding, location) with the first offset and a count. In an SQLite
 * database or its -wal file the location is the table (or index) owning
 * the hit's page, "var/platform.db[traces]" (pages.c).
 *
 * Limits: a canary broken by a line fold inside a MIME base64 body is not
 * found; compressed or encrypted bytes are, by design, not found. Canaries
 * shorter than AUDIT_MIN_LEN are refused (too many false hits).
 * The policy side (which canary may be where, and until when) is in
 * audit_policy.h.
 */
#ifndef AUDIT_AUDIT_H
#define AUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#define AUDIT_MIN_LEN 6

enum audit_enc {
	AUDIT_ENC_PLAIN = 0,
	AUDIT_ENC_B64_0,	/* canary starts a base64 quantum */
	AUDIT_ENC_B64_1,	/* ... at its second byte */
	AUDIT_ENC_B64_2,	/* ... at its third byte */
	AUDIT_ENC_HEX_LO,
	AUDIT_ENC_HEX_UP,
	AUDIT_ENC_QP,		/* quoted-printable (only when it differs) */
	AUDIT_ENC_URL,		/* percent-encoding (only when it differs) */
	AUDIT_ENC_UTF16LE,
	AUDIT_ENC_UTF16BE,
	AUDIT_ENC_CNT
};

enum audit_src {
	AUDIT_SRC_STORE = 0,	/* a file (under data_dir) */
	AUDIT_SRC_WIRE,		/* a captured packet */
};

struct audit_hit {
	size_t canary;		/* index from audit_canary_add */
	enum audit_enc enc;
	enum audit_src src;
	char *where;		/* file path or capture path; SQLite files:
				 * "path[table]" */
	char *table;		/* SQLite files: the b-tree owning the page
				 * ("accounts", "traces:traces_caller",
				 * "freelist", "unknown"); else NULL */
	uint64_t offset;	/* byte offset in file / packet number */
	uint64_t count;		/* occurrences at this location */
};

struct audit;

int audit_new(struct audit **ap);
void audit_free(struct audit *a);

/*
 * Add a canary (copied; len bytes). *idx (may be NULL) gets its index.
 * Adding an existing canary returns its index. EINVAL when shorter than
 * AUDIT_MIN_LEN; ENOMEM. Adding after a scan recompiles on the next scan.
 */
int audit_canary_add(struct audit *a, const char *canary, size_t len,
		     size_t *idx);
size_t audit_canary_count(const struct audit *a);
const char *audit_canary(const struct audit *a, size_t idx);
/* The encoded form of canary idx used for enc, NULL when not used. */
const char *audit_pattern(const struct audit *a, size_t idx,
			  enum audit_enc enc);

/* Scan one buffer as location where (copied when a hit is kept). */
int audit_scan_mem(struct audit *a, enum audit_src src, const char *where,
		   const uint8_t *p, size_t len);
/* Scan one file in one pass. errno codes (ENOENT, EACCES...). */
int audit_scan_file(struct audit *a, const char *path);
/*
 * Scan every regular file under dir. *files (may be NULL) gets the count
 * scanned, *bytes the bytes read. A missing dir is ENOENT.
 */
int audit_scan_dir(struct audit *a, const char *dir, uint64_t *files,
		   uint64_t *bytes);
/*
 * Scan the packets of a pcap/pcapng file. *pkts (may be NULL) gets the
 * packet count. EBADMSG (err names the reason) when libpcap refuses it.
 */
int audit_scan_pcap(struct audit *a, const char *path, uint64_t *pkts,
		    char *err, size_t errsz);

/* Forget every hit (canaries and automaton stay). */
void audit_hits_clear(struct audit *a);
size_t audit_hit_count(const struct audit *a);
const struct audit_hit *audit_hit_get(const struct audit *a, size_t i);
/* Number of hit locations of canary idx from src. */
size_t audit_found(const struct audit *a, size_t idx, enum audit_src src);
/* First hit of canary idx from src, NULL when none. */
const struct audit_hit *audit_first(const struct audit *a, size_t idx,
				    enum audit_src src);

const char *audit_enc_name(enum audit_enc enc);

/*
 * Encode canary in enc into out (NUL-terminated, mem_ owned). For the
 * base64 alignments only the characters that depend on canary bytes alone
 * are produced. ENOENT when enc gives nothing usable (too short, or the
 * same bytes as plain for QP/URL); ENOMEM.
 */
int audit_encode(const uint8_t *c, size_t len, enum audit_enc enc,
		 char **out, size_t *outlen);

#endif
