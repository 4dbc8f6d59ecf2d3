/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture files in and out, through libpcap. Reading: pcap and pcapng
 * (libpcap tells them apart), gzip-compressed files streamed through a
 * zlib cookie FILE so nothing is decompressed to disk; a file cut short
 * surfaces as EBADMSG with libpcap's words. Writing: a clean Ethernet
 * capture of the dissected messages, one UDP datagram each, with
 * correct IP and UDP checksums so no reader flags them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <pcap/pcap.h>
#include <zlib.h>
#include "base/mem.h"
#include "replay/replay.h"

struct rpl_reader {
	pcap_t *pc;
	gzFile gz;		/* borrowed: closed by pcap_close via fclose */
	FILE *raw;
	uint64_t size;
	char dltname[32];
	char err[PCAP_ERRBUF_SIZE + 64];
};

static ssize_t gz_read(void *cookie, char *buf, size_t n)
{
	int k = gzread((gzFile)cookie, buf, n > 1u << 30 ? 1u << 30 :
		       (unsigned)n);

	return k < 0 ? -1 : k;
}

static int gz_close(void *cookie)
{
	return gzclose_r((gzFile)cookie) == Z_OK ? 0 : EOF;
}

static bool is_gzip(const char *path)
{
	unsigned char m[2] = { 0, 0 };
	FILE *f = fopen(path, "rb");
	bool gz;

	if (!f)
		return false;
	gz = fread(m, 1, 2, f) == 2 && m[0] == 0x1f && m[1] == 0x8b;
	fclose(f);
	return gz;
}

int rpl_reader_open(struct rpl_reader **rdp, const char *path, char *err,
		    size_t errsz)
{
	struct rpl_reader *rd;
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct stat st;
	const char *n;
	int e = 0;

	if (stat(path, &st)) {
		e = errno;
		snprintf(err, errsz, "%s: %s", path, strerror(e));
		return e;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errsz, "%s: is a directory", path);
		return EISDIR;
	}
	rd = mem_zalloc(sizeof(*rd));
	if (!rd)
		return ENOMEM;
	rd->size = (uint64_t)st.st_size;
	if (is_gzip(path)) {
		static const cookie_io_functions_t io = {
			.read = gz_read, .close = gz_close,
		};

		rd->gz = gzopen(path, "rb");
		if (rd->gz)
			gzbuffer(rd->gz, 256 * 1024);
		rd->raw = rd->gz ? fopencookie(rd->gz, "rb", io) : NULL;
		if (!rd->raw) {
			if (rd->gz)
				gzclose_r(rd->gz);
			snprintf(err, errsz, "%s: cannot open gzip stream",
				 path);
			e = EACCES;
			goto out;
		}
		rd->pc = pcap_fopen_offline_with_tstamp_precision(
			rd->raw, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
		if (!rd->pc)
			fclose(rd->raw);	/* closes the gzFile too */
	} else {
		rd->pc = pcap_open_offline_with_tstamp_precision(
			path, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
		if (rd->pc)
			rd->raw = pcap_file(rd->pc);
	}
	if (!rd->pc) {
		snprintf(err, errsz, "%s: not a capture libpcap can read (%s)",
			 path, ebuf);
		e = EBADMSG;
		goto out;
	}
	n = pcap_datalink_val_to_name(pcap_datalink(rd->pc));
	if (n)
		snprintf(rd->dltname, sizeof(rd->dltname), "%s", n);
	else
		snprintf(rd->dltname, sizeof(rd->dltname), "DLT %d",
			 pcap_datalink(rd->pc));
out:
	if (e)
		mem_free(rd);
	else
		*rdp = rd;
	return e;
}

int rpl_reader_next(struct rpl_reader *rd, uint64_t *ts_us,
		    const uint8_t **data, size_t *caplen, size_t *wirelen)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int k = pcap_next_ex(rd->pc, &h, &d);

	if (k == PCAP_ERROR_BREAK)
		return ENOENT;
	if (k != 1) {
		snprintf(rd->err, sizeof(rd->err), "%s", pcap_geterr(rd->pc));
		return EBADMSG;
	}
	*ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
	*data = d;
	*caplen = h->caplen;
	*wirelen = h->len < h->caplen ? h->caplen : h->len;
	return 0;
}

int rpl_reader_dlt(const struct rpl_reader *rd)
{
	return pcap_datalink(rd->pc);
}

const char *rpl_reader_dlt_name(const struct rpl_reader *rd)
{
	return rd->dltname;
}

const char *rpl_reader_err(const struct rpl_reader *rd)
{
	return rd->err;
}

uint64_t rpl_reader_pos(const struct rpl_reader *rd)
{
	long p;

	if (rd->gz)
		return (uint64_t)gzoffset(rd->gz);
	p = rd->raw ? ftell(rd->raw) : 0;
	return p > 0 ? (uint64_t)p : 0;
}

uint64_t rpl_reader_size(const struct rpl_reader *rd)
{
	return rd->size;
}

void rpl_reader_close(struct rpl_reader *rd)
{
	if (!rd)
		return;
	pcap_close(rd->pc);
	mem_free(rd);
}

/* --- writer ------------------------------------------------------------ */

struct rpl_writer {
	pcap_t *dead;
	pcap_dumper_t *d;
	uint64_t count;
	uint16_t ip_id;
	uint8_t frame[14 + 40 + 8 + 65535];
};

int rpl_writer_open(struct rpl_writer **wp, const char *path, char *err,
		    size_t errsz)
{
	struct rpl_writer *w = mem_zalloc(sizeof(*w));

	if (!w)
		return ENOMEM;
	w->dead = pcap_open_dead(DLT_EN10MB, 262144);
	if (w->dead)
		w->d = pcap_dump_open(w->dead, path);
	if (!w->d) {
		snprintf(err, errsz, "%s: %s", path,
			 w->dead ? pcap_geterr(w->dead) : "pcap_open_dead");
		if (w->dead)
			pcap_close(w->dead);
		mem_free(w);
		return EIO;
	}
	*wp = w;
	return 0;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int rpl_writer_udp(struct rpl_writer *w, uint64_t ts_us,
		   const struct rpl_ep *src, const struct rpl_ep *dst,
		   const uint8_t *data, size_t len)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t *f = w->frame, *ip = f + 14, *udp;
	size_t alen = src->af == 4 ? 4 : 16, iphl = src->af == 4 ? 20 : 40;
	struct pcap_pkthdr h;
	uint32_t s;
	uint16_t c;

	if (src->af != dst->af || (src->af != 4 && src->af != 6))
		return EINVAL;
	if (len + 8 + (src->af == 4 ? 20 : 0) > 65535)
		return EMSGSIZE;
	memcpy(f, mac, 12);
	put16(f + 12, src->af == 4 ? 0x0800 : 0x86dd);
	memset(ip, 0, iphl);
	if (src->af == 4) {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + 8 + len));
		put16(ip + 4, w->ip_id++);
		ip[6] = 0x40;	/* DF: never a fragment */
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, src->addr, 4);
		memcpy(ip + 16, dst->addr, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(8 + len));
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, src->addr, 16);
		memcpy(ip + 24, dst->addr, 16);
	}
	udp = ip + iphl;
	put16(udp, src->port);
	put16(udp + 2, dst->port);
	put16(udp + 4, (uint16_t)(8 + len));
	put16(udp + 6, 0);
	memcpy(udp + 8, data, len);
	/* pseudo-header (RFC 768, RFC 8200 8.1) */
	s = csum_add(0, src->addr, alen);
	s = csum_add(s, dst->addr, alen);
	s += 17 + (uint32_t)(8 + len);
	s = csum_add(s, udp, 8 + len);
	c = csum_fold(s);
	put16(udp + 6, c ? c : 0xffff);
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(ts_us / 1000000u);
	h.ts.tv_usec = (suseconds_t)(ts_us % 1000000u);
	h.caplen = h.len = (bpf_u_int32)(14 + iphl + 8 + len);
	pcap_dump((u_char *)w->d, &h, f);
	w->count++;
	return 0;
}

uint64_t rpl_writer_count(const struct rpl_writer *w)
{
	return w->count;
}

int rpl_writer_close(struct rpl_writer *w)
{
	int e = 0;

	if (!w)
		return 0;
	if (pcap_dump_flush(w->d) || ferror(pcap_dump_file(w->d)))
		e = EIO;
	pcap_dump_close(w->d);
	pcap_close(w->dead);
	mem_free(w);
	return e;
}
