// SPDX-License-Identifier: BSD-3-Clause
/*
 * dnsd: a tiny authoritative DNS server for tests (UDP, 127.0.0.1). It
 * answers NAPTR, SRV, A and AAAA questions from a zone-like text file, so
 * refd's RFC 3263 resolver can be tested without touching the network:
 *
 *   ; comment                 (names: trailing dot optional, any case)
 *   svc.test.         60 NAPTR 10 50 s SIP+D2U "" _sip._udp.svc.test.
 *   _sip._udp.svc.test. 60 SRV 10 0 5062 h1.svc.test.
 *   h1.svc.test.      60 A     127.0.0.1
 *   h1.svc.test.      60 AAAA  ::1
 *
 * A name with no record at all gets NXDOMAIN, a known name without the
 * type asked an empty NOERROR. Every question is printed on stdout as
 * "query NAME TYPE" (tests read which lookups were made).
 *
 * Usage: dnsd -z ZONE [-p PORT] [-t SECONDS]
 *   -p 0 (the default) picks a free port; either way the first line on
 *   stdout is "dnsd: listening on 127.0.0.1:PORT". -t bounds its life
 *   (default 600 s). A bad zone line: "ZONE:LINE: reason", exit 2.
 *
 * Two layers: the zone reader and dnsd_answer() (query bytes in, answer
 * bytes out, no I/O) are driven directly by tests/fuzz/fuzz_dnsd.c (it
 * defines DNSD_NO_MAIN and includes this file); main() is the socket
 * loop. Answers are written by hand (no compression but the question
 * pointer), small enough for 512-byte UDP.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#define DNSD_MAX 256
#define DNSD_NAME 256

enum { T_A = 1, T_CNAME = 5, T_AAAA = 28, T_SRV = 33, T_NAPTR = 35 };

struct rec {
	char name[DNSD_NAME];
	uint16_t type;
	uint32_t ttl;
	uint8_t rdata[512];	/* wire form */
	size_t rdlen;
};

struct zone {
	struct rec r[DNSD_MAX];
	size_t n;
};

static void lower_nodot(char *s)
{
	size_t l = strlen(s);

	if (l && s[l - 1] == '.')
		s[--l] = 0;
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* name as wire labels into d; -1 if it does not fit or is bad. */
static int put_name(uint8_t *d, size_t sz, const char *name)
{
	size_t n = 0, l;
	const char *dot;

	while (*name && strcmp(name, ".")) {
		dot = strchr(name, '.');
		l = dot ? (size_t)(dot - name) : strlen(name);
		if (!l || l > 63 || n + 1 + l + 1 > sz)
			return -1;
		d[n++] = (uint8_t)l;
		memcpy(d + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	if (n + 1 > sz)
		return -1;
	d[n++] = 0;
	return (int)n;
}

static int put_cstr(uint8_t *d, size_t sz, const char *s)
{
	size_t l = strlen(s);

	if (!strcmp(s, "\"\""))
		l = 0;
	if (l > 255 || l + 1 > sz)
		return -1;
	d[0] = (uint8_t)l;
	memcpy(d + 1, s, l);
	return (int)l + 1;
}

static void put16(uint8_t *d, unsigned v)
{
	d[0] = (uint8_t)(v >> 8);
	d[1] = (uint8_t)v;
}

static bool num16(const char *s, unsigned *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || end == s || x > 65535)
		return false;
	*v = (unsigned)x;
	return true;
}

/* One zone line into r; a reason when bad, NULL when fine. */
static const char *zone_line(char *line, struct rec *r)
{
	char *tok[10], *save = NULL, *t;
	unsigned v[3];
	size_t nt = 0, i;
	int k, m;
	char *end;
	unsigned long ttl;

	for (t = strtok_r(line, " \t\r\n", &save); t && nt < 10;
	     t = strtok_r(NULL, " \t\r\n", &save))
		tok[nt++] = t;
	if (nt < 4)
		return "want NAME TTL TYPE DATA";
	memset(r, 0, sizeof(*r));
	if (strlen(tok[0]) >= sizeof(r->name))
		return "name too long";
	snprintf(r->name, sizeof(r->name), "%s", tok[0]);
	lower_nodot(r->name);
	errno = 0;
	ttl = strtoul(tok[1], &end, 10);
	if (errno || *end || ttl > 0x7fffffff)
		return "bad TTL";
	r->ttl = (uint32_t)ttl;
	if (!strcasecmp(tok[2], "A")) {
		r->type = T_A;
		if (nt != 4 || inet_pton(AF_INET, tok[3], r->rdata) != 1)
			return "bad IPv4 address";
		r->rdlen = 4;
	} else if (!strcasecmp(tok[2], "AAAA")) {
		r->type = T_AAAA;
		if (nt != 4 || inet_pton(AF_INET6, tok[3], r->rdata) != 1)
			return "bad IPv6 address";
		r->rdlen = 16;
	} else if (!strcasecmp(tok[2], "SRV")) {
		r->type = T_SRV;
		if (nt != 7)
			return "SRV: want PRIORITY WEIGHT PORT TARGET";
		for (i = 0; i < 3; i++) {
			if (!num16(tok[3 + i], &v[i]))
				return "SRV: bad number";
			put16(r->rdata + 2 * i, v[i]);
		}
		if ((k = put_name(r->rdata + 6, sizeof(r->rdata) - 6,
				  tok[6])) < 0)
			return "SRV: bad target";
		r->rdlen = 6 + (size_t)k;
	} else if (!strcasecmp(tok[2], "NAPTR")) {
		r->type = T_NAPTR;
		if (nt != 9)
			return "NAPTR: want ORDER PREF FLAGS SERVICE REGEXP "
			       "REPLACEMENT";
		for (i = 0; i < 2; i++) {
			if (!num16(tok[3 + i], &v[i]))
				return "NAPTR: bad number";
			put16(r->rdata + 2 * i, v[i]);
		}
		r->rdlen = 4;
		for (i = 5; i < 8; i++) {
			if ((m = put_cstr(r->rdata + r->rdlen,
					  sizeof(r->rdata) - r->rdlen,
					  tok[i])) < 0)
				return "NAPTR: bad string";
			r->rdlen += (size_t)m;
		}
		if ((k = put_name(r->rdata + r->rdlen,
				  sizeof(r->rdata) - r->rdlen, tok[8])) < 0)
			return "NAPTR: bad replacement";
		r->rdlen += (size_t)k;
	} else {
		return "type: use A, AAAA, SRV or NAPTR";
	}
	return NULL;
}

/* Read text (NUL-terminated, modified) into z; on error "LINE: reason"
 * in err and -1. */
static int zone_read(struct zone *z, char *text, char *err, size_t esz)
{
	char *line = text, *nl;
	const char *why;
	unsigned no = 0;

	z->n = 0;
	for (; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = 0;
		no++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == ';' || *line == '#' || *line == '\r')
			continue;
		if (z->n == DNSD_MAX) {
			snprintf(err, esz, "%u: more than %d records", no,
				 DNSD_MAX);
			return -1;
		}
		if ((why = zone_line(line, &z->r[z->n]))) {
			snprintf(err, esz, "%u: %s", no, why);
			return -1;
		}
		z->n++;
	}
	return 0;
}

/*
 * The answer to query q (qlen bytes) into out: its length, or 0 to say
 * nothing (not a query we can read). name, type: what was asked.
 */
static size_t dnsd_answer(const struct zone *z, const uint8_t *q,
			  size_t qlen, uint8_t *out, size_t osz,
			  char *name, uint16_t *type)
{
	size_t off = 12, n = 0, i, an = 0, qend;
	bool known = false;

	name[0] = 0;
	if (qlen < 12 || osz < 512 || (q[2] & 0x80) ||
	    ((q[4] << 8) | q[5]) != 1)
		return 0;
	while (off < qlen && q[off]) {
		size_t l = q[off];

		if (l > 63 || off + 1 + l >= qlen || n + l + 2 > DNSD_NAME)
			return 0;	/* (compression in a question: no) */
		if (n)
			name[n++] = '.';
		memcpy(name + n, q + off + 1, l);
		n += l;
		off += 1 + l;
	}
	name[n] = 0;
	if (off + 5 > qlen)
		return 0;
	qend = off + 5;
	*type = (uint16_t)(q[off + 1] << 8 | q[off + 2]);
	lower_nodot(name);
	memcpy(out, q, qend);	/* id, flags, counts, question */
	out[2] = (uint8_t)(0x84 | (q[2] & 0x01));	/* QR AA, RD copied */
	out[3] = 0x80;					/* RA, NOERROR */
	memset(out + 6, 0, 6);
	off = qend;
	for (i = 0; i < z->n; i++) {
		const struct rec *r = &z->r[i];

		if (strcmp(r->name, name))
			continue;
		known = true;
		if (r->type != *type)
			continue;
		if (off + 12 + r->rdlen > 512)
			break;	/* stays within plain UDP */
		put16(out + off, 0xc00c);
		put16(out + off + 2, r->type);
		put16(out + off + 4, 1);
		put16(out + off + 6, r->ttl >> 16);
		put16(out + off + 8, r->ttl & 0xffff);
		put16(out + off + 10, (unsigned)r->rdlen);
		memcpy(out + off + 12, r->rdata, r->rdlen);
		off += 12 + r->rdlen;
		an++;
	}
	put16(out + 6, (unsigned)an);
	if (!known)
		out[3] |= 3;	/* NXDOMAIN */
	return off;
}

#ifndef DNSD_NO_MAIN
#include <signal.h>
#include <unistd.h>
#include <poll.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *type_name(uint16_t t)
{
	switch (t) {
	case T_A: return "A";
	case T_AAAA: return "AAAA";
	case T_SRV: return "SRV";
	case T_NAPTR: return "NAPTR";
	case T_CNAME: return "CNAME";
	default: return "OTHER";
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    n < 1 << 20 && !fseek(f, 0, SEEK_SET) &&
	    (b = calloc(1, (size_t)n + 1)) &&
	    fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	static struct zone z;
	const char *zpath = NULL;
	struct sockaddr_in a, from;
	socklen_t al = sizeof(a), fl;
	unsigned port = 0, life = 600;
	uint8_t in[1500], out[1500];
	char err[160], name[DNSD_NAME], *text;
	struct pollfd pfd;
	time_t end;
	uint16_t type;
	size_t n;
	ssize_t r;
	int c, fd;

	while ((c = getopt(argc, argv, "z:p:t:")) != -1) {
		if (c == 'z')
			zpath = optarg;
		else if (c == 'p' && num16(optarg, &port))
			;
		else if (c == 't' && num16(optarg, &life))
			;
		else
			zpath = NULL, optind = argc + 1;
	}
	if (!zpath || optind != argc) {
		fprintf(stderr, "usage: dnsd -z ZONE [-p PORT] [-t SECONDS]\n");
		return 2;
	}
	if (!(text = slurp(zpath))) {
		fprintf(stderr, "%s: cannot read: %s\n", zpath,
			strerror(errno));
		return 2;
	}
	if (zone_read(&z, text, err, sizeof(err))) {
		fprintf(stderr, "%s:%s\n", zpath, err);
		free(text);
		return 2;
	}
	free(text);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &al)) {
		fprintf(stderr, "dnsd: 127.0.0.1:%u: %s\n", port,
			strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("dnsd: listening on 127.0.0.1:%u\n", ntohs(a.sin_port));
	fflush(stdout);
	end = time(NULL) + life;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!stop && time(NULL) < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		fl = sizeof(from);
		r = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from,
			     &fl);
		if (r <= 0)
			continue;
		n = dnsd_answer(&z, in, (size_t)r, out, sizeof(out), name,
				&type);
		if (!n)
			continue;
		printf("query %s %s\n", name, type_name(type));
		fflush(stdout);
		sendto(fd, out, n, 0, (struct sockaddr *)&from, fl);
	}
	close(fd);
	return 0;
}
#endif
