/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sources for the canary scanner: files (read once in 1 MiB chunks, the
 * matcher state carried across chunks), directory trees (every regular
 * file, symlinks not followed, so the audit never leaves data_dir), and
 * pcap/pcapng captures read with libpcap. For captures the payload of each
 * UDP datagram is scanned on its own; TCP payload is scanned per flow
 * direction with the state carried over, so a canary split across two
 * segments is still found (reordered or retransmitted segments can hide or
 * duplicate a match: known limit). Frames that are not IP are scanned
 * whole.
 */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <pcap/pcap.h>
#include "base/mem.h"
#include "base/buf.h"
#include "audit/audit_int.h"

#define CHUNK (1u << 20)
#define FLOWS 4096

int audit_scan_file(struct audit *a, const char *path)
{
	struct audit_scan sc = { AUDIT_SRC_STORE, path, 0, NULL };
	FILE *f;
	uint8_t *b;
	size_t n;
	uint64_t off = 0;
	int32_t st = 0;
	int err = audit_compile(a);

	if (err)
		return err;
	f = fopen(path, "rb");
	if (!f)
		return errno;
	b = mem_alloc(CHUNK);
	if (!b) {
		fclose(f);
		return ENOMEM;
	}
	sc.loc_start = a->nhits;
	while ((n = fread(b, 1, CHUNK, f)) > 0) {
		/* The header is in the first chunk (CHUNK > 32 bytes). */
		if (!off) {
			err = audit_pages_new(&sc.pages, path, b, n);
			if (err == ENOENT)
				err = 0;
			if (err)
				break;
		}
		err = audit_feed(a, &sc, &st, b, n, off);
		if (err)
			break;
		off += n;
	}
	if (!err && ferror(f))
		err = EIO;
	audit_pages_free(sc.pages);
	mem_free(b);
	fclose(f);
	return err;
}

static int walk(struct audit *a, struct buf *path, uint64_t *files,
		uint64_t *bytes, int depth)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	size_t base = path->len;
	int err = 0;

	if (depth > 64)
		return ELOOP;
	d = opendir((char *)path->data);
	if (!d)
		return errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path->len = base;
		err = buf_printf(path, "/%s", de->d_name);
		if (err)
			break;
		if (lstat((char *)path->data, &sb))
			continue;	/* vanished while we walked */
		if (S_ISDIR(sb.st_mode)) {
			err = walk(a, path, files, bytes, depth + 1);
		} else if (S_ISREG(sb.st_mode)) {
			err = audit_scan_file(a, (char *)path->data);
			if (err == ENOENT)
				err = 0;
			else if (!err) {
				(*files)++;
				*bytes += (uint64_t)sb.st_size;
			}
		}
		if (err)
			break;
	}
	closedir(d);
	path->len = base;
	path->data[base] = 0;
	return err;
}

int audit_scan_dir(struct audit *a, const char *dir, uint64_t *files,
		   uint64_t *bytes)
{
	struct buf path;
	uint64_t nf = 0, nb = 0;
	int err;

	buf_init(&path);
	err = buf_put_str(&path, dir);
	if (!err) {
		while (path.len > 1 && path.data[path.len - 1] == '/')
			path.data[--path.len] = 0;
		err = walk(a, &path, &nf, &nb, 0);
	}
	buf_fini(&path);
	if (files)
		*files = nf;
	if (bytes)
		*bytes = nb;
	return err;
}

struct flow {
	uint8_t key[37];	/* src ip, dst ip (16 each), ports, used */
	int32_t state;
};

static uint32_t fnv(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* Offset of the IP header for a link type, or -1 (scan the frame). */
static long ip_offset(int dlt, const uint8_t *p, size_t len)
{
	switch (dlt) {
	case DLT_EN10MB: {
		size_t o = 12;

		while (len >= o + 2 && p[o] == 0x81 && p[o + 1] == 0x00)
			o += 4;	/* 802.1Q tags */
		return len >= o + 2 ? (long)o + 2 : -1;
	}
	case DLT_NULL:
	case DLT_LOOP:
		return 4;
	case DLT_RAW:
	case 101:	/* LINKTYPE_RAW */
	case 228:	/* DLT_IPV4 */
	case 229:	/* DLT_IPV6 */
		return 0;
	case DLT_LINUX_SLL:
		return 16;
	case 276:	/* DLT_LINUX_SLL2 */
		return 20;
	default:
		return -1;
	}
}

/*
 * Find the transport payload; fill key for TCP. 0 = UDP/other payload,
 * 1 = TCP payload (flow key set), -1 = scan the whole frame.
 */
static int dissect(const uint8_t *p, size_t len, size_t ipo,
		   const uint8_t **pl, size_t *pll, uint8_t *key)
{
	size_t o = ipo, ihl;
	uint8_t proto;

	if (len < o + 20)
		return -1;
	memset(key, 0, 37);
	if ((p[o] >> 4) == 4) {
		ihl = (size_t)(p[o] & 15) * 4;
		proto = p[o + 9];
		if (ihl < 20 || len < o + ihl)
			return -1;
		memcpy(key, p + o + 12, 4);
		memcpy(key + 16, p + o + 16, 4);
		/* Non-first fragments carry no transport header. */
		if ((p[o + 6] & 0x1f) || p[o + 7])
			return -1;
		o += ihl;
	} else if ((p[o] >> 4) == 6 && len >= o + 40) {
		proto = p[o + 6];
		memcpy(key, p + o + 8, 16);
		memcpy(key + 16, p + o + 24, 16);
		o += 40;
	} else {
		return -1;
	}
	if (proto == 17 && len >= o + 8) {
		*pl = p + o + 8;
		*pll = len - o - 8;
		return 0;
	}
	if (proto == 6 && len >= o + 20) {
		size_t doff = (size_t)(p[o + 12] >> 4) * 4;

		if (doff < 20 || len < o + doff)
			return -1;
		memcpy(key + 32, p + o, 4);
		key[36] = 1;
		*pl = p + o + doff;
		*pll = len - o - doff;
		return 1;
	}
	return -1;
}

int audit_scan_pcap(struct audit *a, const char *path, uint64_t *pkts,
		    char *err, size_t errsz)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct audit_scan sc = { AUDIT_SRC_WIRE, path, 0, NULL };
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct flow *flows = NULL;
	uint64_t n = 0;
	pcap_t *pc;
	int dlt, rc, e = audit_compile(a);

	if (e)
		return e;
	pc = pcap_open_offline(path, perr);
	if (!pc) {
		snprintf(err, errsz, "%s: %s", path, perr);
		return EBADMSG;
	}
	flows = mem_zalloc(FLOWS * sizeof(*flows));
	if (!flows) {
		pcap_close(pc);
		return ENOMEM;
	}
	dlt = pcap_datalink(pc);
	sc.loc_start = a->nhits;
	while ((rc = pcap_next_ex(pc, &hdr, &data)) == 1) {
		const uint8_t *pl = data;
		size_t pll = hdr->caplen;
		long ipo = ip_offset(dlt, data, hdr->caplen);
		uint8_t key[37];
		int32_t st = 0;
		int kind = ipo < 0 ? -1 :
			dissect(data, hdr->caplen, (size_t)ipo, &pl, &pll, key);

		n++;
		if (kind < 0) {
			pl = data;
			pll = hdr->caplen;
		}
		if (kind == 1) {
			struct flow *f = &flows[fnv(key, 37) % FLOWS];

			if (memcmp(f->key, key, 37)) {
				memcpy(f->key, key, 37);
				f->state = 0;
			}
			e = audit_feed(a, &sc, &f->state, pl, pll, n);
		} else {
			e = audit_feed(a, &sc, &st, pl, pll, n);
		}
		if (e)
			break;
	}
	if (!e && rc == -1) {
		snprintf(err, errsz, "%s: %s", path, pcap_geterr(pc));
		e = EBADMSG;
	}
	mem_free(flows);
	pcap_close(pc);
	if (pkts)
		*pkts = n;
	return e;
}
