// SPDX-License-Identifier: BSD-3-Clause
/*
 * smtpsink: a tiny SMTP server for tests. It listens on 127.0.0.1:PORT,
 * answers the few commands a client such as libcurl sends (EHLO/HELO,
 * MAIL, RCPT, DATA, RSET, NOOP, QUIT), and writes each accepted message
 * to DIR/msg-N.eml with the envelope as the first two lines
 * ("X-Sink-From:", "X-Sink-To:") followed by the message as received,
 * dot-stuffing undone. The write goes through a temporary name and a
 * rename, so a test polling DIR never reads half a message.
 *
 * Usage: smtpsink -d DIR [-p PORT] [-t SECONDS]
 *   -p 0 (the default) picks a free port; either way the first line on
 *   stdout is "smtpsink: listening on 127.0.0.1:PORT" once accepting.
 *   -t bounds the sink's life (default 600 s) so a test that forgets to
 *   stop it never leaves it running for long.
 *
 * Python's smtpd is gone from 3.12, hence this; it is test tooling, not
 * part of the platform, so it uses sockets and the clock directly. One
 * connection at a time is enough: each client in the tests sends a
 * message and quits, and a stalled client is dropped after 10 s idle.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN  4096		/* RFC 5321 says 1000; be lenient */
#define MSG_MAX_LEN   (16u << 20)	/* 552 beyond this */
#define IDLE_MS       10000
#define RCPT_MAX      16

struct conn {
	int fd;
	char in[LINE_MAX_LEN + 1];
	size_t in_len;
	char from[512];
	char to[RCPT_MAX][512];
	int to_cnt;
};

static const char *g_dir;
static unsigned g_seq;

static int say(struct conn *c, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(c->fd, s + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return EIO;
		off += (size_t)n;
	}
	return 0;
}

/* Reads one CRLF- (or LF-) terminated line into line (NUL-terminated,
 * without the terminator). Returns 0, EOVERFLOW for an over-long line
 * (the rest of it is skipped), ETIMEDOUT or EIO. */
static int get_line(struct conn *c, char *line, size_t cap)
{
	int skipping = 0;

	for (;;) {
		char *nl = memchr(c->in, '\n', c->in_len);
		if (nl) {
			size_t n = (size_t)(nl - c->in), use = n;
			if (use && c->in[use - 1] == '\r')
				use--;
			int err = 0;
			if (skipping || use >= cap) {
				err = EOVERFLOW;
				use = 0;
			}
			memcpy(line, c->in, use);
			line[use] = '\0';
			memmove(c->in, nl + 1, c->in_len - n - 1);
			c->in_len -= n + 1;
			return err;
		}
		if (c->in_len == sizeof(c->in) - 1) {
			/* a line longer than the buffer: drop what we have */
			skipping = 1;
			c->in_len = 0;
		}
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r = poll(&p, 1, IDLE_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return ETIMEDOUT;
		ssize_t got = read(c->fd, c->in + c->in_len,
				   sizeof(c->in) - 1 - c->in_len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return EIO;
		c->in_len += (size_t)got;
	}
}

/* The argument of "MAIL FROM:<x>" / "RCPT TO:<x>": what is between < >. */
static int addr_arg(const char *line, size_t skip, char *out, size_t cap)
{
	const char *lt = strchr(line + skip, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt || (size_t)(gt - lt - 1) >= cap)
		return EINVAL;
	memcpy(out, lt + 1, (size_t)(gt - lt - 1));
	out[gt - lt - 1] = '\0';
	return 0;
}

/* DATA: collect until the lone ".", then write the file. */
static int take_data(struct conn *c)
{
	char line[LINE_MAX_LEN + 1], tmp[4096], fin[4096];
	FILE *f = NULL;
	size_t total = 0;
	int err, too_big = 0;

	unsigned n = ++g_seq;
	snprintf(tmp, sizeof(tmp), "%s/.msg-%u.tmp", g_dir, n);
	snprintf(fin, sizeof(fin), "%s/msg-%u.eml", g_dir, n);
	f = fopen(tmp, "w");
	if (!f)
		return say(c, "451 cannot store the message\r\n") ? EIO : 0;
	fprintf(f, "X-Sink-From: %s\nX-Sink-To:", c->from);
	for (int i = 0; i < c->to_cnt; i++)
		fprintf(f, "%s%s", i ? ", " : " ", c->to[i]);
	fputc('\n', f);
	if ((err = say(c, "354 end with <CRLF>.<CRLF>\r\n")))
		goto out;
	for (;;) {
		err = get_line(c, line, sizeof(line));
		if (err == EOVERFLOW) {
			too_big = 1;	/* keep reading to the end marker */
			continue;
		}
		if (err)
			goto out;
		if (!strcmp(line, "."))
			break;
		const char *l = line[0] == '.' ? line + 1 : line;
		total += strlen(l) + 1;
		if (total > MSG_MAX_LEN)
			too_big = 1;
		if (!too_big)
			fprintf(f, "%s\n", l);
	}
	if (fclose(f)) {
		f = NULL;
		err = say(c, "451 cannot store the message\r\n");
		unlink(tmp);
		goto out;
	}
	f = NULL;
	if (too_big) {
		unlink(tmp);
		err = say(c, "552 message too big or line too long\r\n");
		goto out;
	}
	if (rename(tmp, fin)) {
		unlink(tmp);
		err = say(c, "451 cannot store the message\r\n");
		goto out;
	}
	fprintf(stderr, "smtpsink: %s from <%s> to %d recipient(s)\n", fin,
		c->from, c->to_cnt);
	err = say(c, "250 ok queued\r\n");
out:
	if (f) {
		fclose(f);
		unlink(tmp);
	}
	c->from[0] = '\0';
	c->to_cnt = 0;
	return err;
}

static void serve(int fd)
{
	struct conn c = { .fd = fd };
	char line[LINE_MAX_LEN + 1];
	int have_from = 0, err;

	if (say(&c, "220 smtpsink ready\r\n"))
		return;
	for (;;) {
		err = get_line(&c, line, sizeof(line));
		if (err == EOVERFLOW) {
			if (say(&c, "500 line too long\r\n"))
				return;
			continue;
		}
		if (err)
			return;
		if (!strncasecmp(line, "EHLO", 4)) {
			err = say(&c, "250-smtpsink\r\n250-8BITMIME\r\n"
				  "250 SIZE 16777216\r\n");
		} else if (!strncasecmp(line, "HELO", 4)) {
			err = say(&c, "250 smtpsink\r\n");
		} else if (!strncasecmp(line, "MAIL FROM:", 10)) {
			if (addr_arg(line, 10, c.from, sizeof(c.from))) {
				err = say(&c, "501 bad address\r\n");
			} else {
				have_from = 1;
				c.to_cnt = 0;
				err = say(&c, "250 ok\r\n");
			}
		} else if (!strncasecmp(line, "RCPT TO:", 8)) {
			if (!have_from)
				err = say(&c, "503 MAIL first\r\n");
			else if (c.to_cnt == RCPT_MAX)
				err = say(&c, "452 too many recipients\r\n");
			else if (addr_arg(line, 8, c.to[c.to_cnt],
					  sizeof(c.to[0])))
				err = say(&c, "501 bad address\r\n");
			else {
				c.to_cnt++;
				err = say(&c, "250 ok\r\n");
			}
		} else if (!strcasecmp(line, "DATA")) {
			if (!have_from || !c.to_cnt) {
				err = say(&c, "503 MAIL and RCPT first\r\n");
			} else {
				err = take_data(&c);
				have_from = 0;
			}
		} else if (!strcasecmp(line, "RSET")) {
			have_from = 0;
			c.to_cnt = 0;
			err = say(&c, "250 ok\r\n");
		} else if (!strncasecmp(line, "NOOP", 4)) {
			err = say(&c, "250 ok\r\n");
		} else if (!strcasecmp(line, "QUIT")) {
			say(&c, "221 bye\r\n");
			return;
		} else {
			err = say(&c, "502 command not implemented\r\n");
		}
		if (err)
			return;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: smtpsink -d DIR [-p PORT] [-t SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long port = 0, life_s = 600;
	char *end;
	int opt, one = 1;

	while ((opt = getopt(argc, argv, "d:p:t:")) != -1) {
		switch (opt) {
		case 'd':
			g_dir = optarg;
			break;
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*end || port > 65535) {
				fprintf(stderr, "smtpsink: -p %s: not a port\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			life_s = strtoul(optarg, &end, 10);
			if (*end || !life_s) {
				fprintf(stderr, "smtpsink: -t %s: not a number "
					"of seconds\n", optarg);
				return 2;
			}
			break;
		default:
			usage();
		}
	}
	if (!g_dir || optind != argc)
		usage();
	if (access(g_dir, W_OK)) {
		fprintf(stderr, "smtpsink: %s: %s\n", g_dir, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	socklen_t sl = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(ls, 16) || getsockname(ls, (struct sockaddr *)&sa, &sl)) {
		fprintf(stderr, "smtpsink: 127.0.0.1:%lu: %s\n", port,
			strerror(errno));
		return 1;
	}
	printf("smtpsink: listening on 127.0.0.1:%u\n", ntohs(sa.sin_port));
	fflush(stdout);

	time_t stop = time(NULL) + (time_t)life_s;
	while (time(NULL) < stop) {
		struct pollfd p = { .fd = ls, .events = POLLIN };
		if (poll(&p, 1, 1000) <= 0)
			continue;
		int fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		serve(fd);
		close(fd);
	}
	fprintf(stderr, "smtpsink: lifetime of %lu s over\n", life_s);
	close(ls);
	return 0;
}
