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
 * Python's smtpd is gone from 3.12, hence this. Two layers: the SMTP
 * session (struct sink, sink_input) takes bytes and calls back with
 * replies and finished messages, with no I/O of its own, so
 * tests/fuzz/fuzz_smtpsink.c drives it directly (it defines
 * SMTPSINK_NO_MAIN and includes this file); main() is the socket loop.
 * One connection at a time is enough: each client in the tests sends a
 * message and quits, and a stalled client is dropped after 10 s idle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_LEN  4096		/* RFC 5321 says 1000; be lenient */
#define MSG_MAX_LEN   (16u << 20)	/* 552 beyond this */
#define ADDR_MAX      512
#define RCPT_MAX      16

/* ---- the SMTP session, sans-IO --------------------------------------- */

struct sink;
typedef int (sink_reply_fn)(void *arg, const char *text);
/* A finished message (dot-stuffing undone, LF line ends): 0 to accept,
 * else the session answers 451. */
typedef int (sink_deliver_fn)(void *arg, const struct sink *s,
			      const char *msg, size_t len);

struct sink {
	char line[LINE_MAX_LEN + 1];
	size_t line_len;
	int overlong;		/* the current line passed LINE_MAX_LEN */
	int in_data;		/* between DATA's 354 and the lone "." */
	int quit;		/* QUIT seen: the caller closes */
	int have_from;
	char from[ADDR_MAX];
	char to[RCPT_MAX][ADDR_MAX];
	int to_cnt;
	char *msg;		/* the DATA being collected */
	size_t msg_len, msg_cap;
	int msg_big;		/* over MSG_MAX_LEN: 552 at the end */
	sink_reply_fn *reply;
	sink_deliver_fn *deliver;
	void *arg;
};

static void sink_init(struct sink *s, sink_reply_fn *reply,
		      sink_deliver_fn *deliver, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->reply = reply;
	s->deliver = deliver;
	s->arg = arg;
}

static void sink_fini(struct sink *s)
{
	free(s->msg);
	s->msg = NULL;
}

static void envelope_reset(struct sink *s)
{
	s->have_from = 0;
	s->from[0] = '\0';
	s->to_cnt = 0;
	s->msg_len = 0;
	s->msg_big = 0;
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

static int msg_add(struct sink *s, const char *l, size_t len)
{
	if (s->msg_big || s->msg_len + len + 1 > MSG_MAX_LEN) {
		s->msg_big = 1;
		return 0;
	}
	if (s->msg_len + len + 1 > s->msg_cap) {
		size_t cap = s->msg_cap ? s->msg_cap : 4096;
		while (cap < s->msg_len + len + 1)
			cap *= 2;
		char *p = realloc(s->msg, cap);
		if (!p)
			return ENOMEM;
		s->msg = p;
		s->msg_cap = cap;
	}
	memcpy(s->msg + s->msg_len, l, len);
	s->msg_len += len;
	s->msg[s->msg_len++] = '\n';
	return 0;
}

static int data_line(struct sink *s, const char *l, size_t len, int overlong)
{
	int err;

	if (!overlong && len == 1 && l[0] == '.') {
		s->in_data = 0;
		if (s->msg_big)
			err = s->reply(s->arg,
				       "552 message too big or line too long\r\n");
		else if (s->deliver(s->arg, s, s->msg ? s->msg : "",
				    s->msg_len))
			err = s->reply(s->arg, "451 cannot store the message\r\n");
		else
			err = s->reply(s->arg, "250 ok queued\r\n");
		envelope_reset(s);
		return err;
	}
	if (overlong) {
		s->msg_big = 1;
		return 0;
	}
	if (len && l[0] == '.') {	/* RFC 5321 4.5.2 transparency */
		l++;
		len--;
	}
	return msg_add(s, l, len);
}

static int cmd_line(struct sink *s, const char *l, size_t len, int overlong)
{
	if (overlong)
		return s->reply(s->arg, "500 line too long\r\n");
	if (memchr(l, '\0', len))
		return s->reply(s->arg, "501 NUL in command\r\n");
	if (!strncasecmp(l, "EHLO", 4))
		return s->reply(s->arg, "250-smtpsink\r\n250-8BITMIME\r\n"
				"250 SIZE 16777216\r\n");
	if (!strncasecmp(l, "HELO", 4))
		return s->reply(s->arg, "250 smtpsink\r\n");
	if (!strncasecmp(l, "MAIL FROM:", 10)) {
		envelope_reset(s);
		if (addr_arg(l, 10, s->from, sizeof(s->from)))
			return s->reply(s->arg, "501 bad address\r\n");
		s->have_from = 1;
		return s->reply(s->arg, "250 ok\r\n");
	}
	if (!strncasecmp(l, "RCPT TO:", 8)) {
		if (!s->have_from)
			return s->reply(s->arg, "503 MAIL first\r\n");
		if (s->to_cnt == RCPT_MAX)
			return s->reply(s->arg, "452 too many recipients\r\n");
		if (addr_arg(l, 8, s->to[s->to_cnt], sizeof(s->to[0])))
			return s->reply(s->arg, "501 bad address\r\n");
		s->to_cnt++;
		return s->reply(s->arg, "250 ok\r\n");
	}
	if (!strcasecmp(l, "DATA")) {
		if (!s->have_from || !s->to_cnt)
			return s->reply(s->arg, "503 MAIL and RCPT first\r\n");
		s->in_data = 1;
		s->msg_len = 0;
		return s->reply(s->arg, "354 end with <CRLF>.<CRLF>\r\n");
	}
	if (!strcasecmp(l, "RSET")) {
		envelope_reset(s);
		return s->reply(s->arg, "250 ok\r\n");
	}
	if (!strncasecmp(l, "NOOP", 4))
		return s->reply(s->arg, "250 ok\r\n");
	if (!strcasecmp(l, "QUIT")) {
		s->quit = 1;
		return s->reply(s->arg, "221 bye\r\n");
	}
	return s->reply(s->arg, "502 command not implemented\r\n");
}

/*
 * Feed len bytes from the client. Lines end in LF (a CR before it is
 * dropped). Returns 0, or the first non-zero the reply callback returned,
 * or ENOMEM; after QUIT the rest of the input is ignored.
 */
static int sink_input(struct sink *s, const char *data, size_t len)
{
	for (size_t i = 0; i < len && !s->quit; i++) {
		char c = data[i];
		if (c != '\n') {
			if (s->line_len < LINE_MAX_LEN)
				s->line[s->line_len++] = c;
			else
				s->overlong = 1;
			continue;
		}
		size_t n = s->line_len;
		if (n && s->line[n - 1] == '\r')
			n--;
		s->line[n] = '\0';
		int overlong = s->overlong;
		s->line_len = 0;
		s->overlong = 0;
		int err = s->in_data ? data_line(s, s->line, n, overlong)
				     : cmd_line(s, s->line, n, overlong);
		if (err)
			return err;
	}
	return 0;
}

/* ---- the socket loop ------------------------------------------------- */
#ifndef SMTPSINK_NO_MAIN
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IDLE_MS 10000

static const char *g_dir;
static unsigned g_seq;

static int reply_fd(void *arg, const char *text)
{
	int fd = *(int *)arg;
	size_t len = strlen(text), off = 0;

	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return EIO;
		off += (size_t)n;
	}
	return 0;
}

static int deliver_file(void *arg, const struct sink *s, const char *msg,
			size_t len)
{
	char tmp[4096], fin[4096];
	unsigned n = ++g_seq;
	int err = 0;

	snprintf(tmp, sizeof(tmp), "%s/.msg-%u.tmp", g_dir, n);
	snprintf(fin, sizeof(fin), "%s/msg-%u.eml", g_dir, n);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return EIO;
	fprintf(f, "X-Sink-From: %s\nX-Sink-To:", s->from);
	for (int i = 0; i < s->to_cnt; i++)
		fprintf(f, "%s%s", i ? ", " : " ", s->to[i]);
	fputc('\n', f);
	if (fwrite(msg, 1, len, f) != len)
		err = EIO;
	if (fclose(f) || err || rename(tmp, fin)) {
		unlink(tmp);
		return EIO;
	}
	fprintf(stderr, "smtpsink: %s from <%s> to %d recipient(s)\n", fin,
		s->from, s->to_cnt);
	return 0;
}

static void serve(int fd)
{
	struct sink s;
	char buf[8192];

	sink_init(&s, reply_fd, deliver_file, &fd);
	if (reply_fd(&fd, "220 smtpsink ready\r\n"))
		goto out;
	while (!s.quit) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, IDLE_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;	/* idle too long */
		ssize_t got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || sink_input(&s, buf, (size_t)got))
			break;
	}
out:
	sink_fini(&s);
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
	if (ls < 0 ||
	    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 16) ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl)) {
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
#endif /* SMTPSINK_NO_MAIN */
