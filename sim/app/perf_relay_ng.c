/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ng protocol client of `rtcbench perf relay`: sets up one relayed
 * stream (offer + answer) on our relay or rtpengine the same way, and
 * pings a relay until it answers; and the loopback address and socket
 * helpers the benchmark's parts share. Blocking UDP on loopback, each request
 * retried every 200 ms, 15 times at most (the server may still be
 * starting, and UDP may drop).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "app/perf_relay.h"
#include "rtp/rtp.h"
#include "sdp/sdp.h"

struct sockaddr_in perf_relay_lo(uint16_t port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

int perf_relay_udp(uint16_t port, int flags, int buf_bytes,
		   struct sockaddr_in *bound)
{
	struct sockaddr_in sa = perf_relay_lo(port);
	socklen_t sl = sizeof(sa);
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf_bytes,
		   sizeof(buf_bytes));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf_bytes,
		   sizeof(buf_bytes));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (bound && getsockname(fd, (struct sockaddr *)bound, &sl))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int ng_call(int fd, uint16_t port, struct buf *req, struct buf *ans)
{
	struct sockaddr_in to = perf_relay_lo(port);
	struct timeval tv = { 0, 200000 };
	uint8_t b[65536];
	ssize_t n;
	int tries;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (tries = 0; tries < 15; tries++) {
		if (sendto(fd, req->data, req->len, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			return errno;
		n = recv(fd, b, sizeof(b), 0);
		if (n > 0) {
			buf_reset(ans);
			return buf_put(ans, b, (size_t)n);
		}
	}
	return ETIMEDOUT;
}

/* "<cookie> d...e": the sdp value's m= port. */
static int ng_port_of(const struct buf *ans, uint16_t *port)
{
	static struct benc items[256];
	static struct sdp_session sdp;
	struct pl a = buf_pl(ans), cookie, dict;
	const struct benc *s;
	size_t n;

	if (pl_split(&a, ' ', &cookie, &dict) ||
	    benc_decode(&dict, items, 256, &n))
		return EBADMSG;
	s = benc_dict_get(items, 0, "error-reason");
	if (s && s->type == BENC_STR)
		fprintf(stderr, "perf relay: ng error: %.*s\n",
			PL_ARG(s->str));
	s = benc_dict_get(items, 0, "sdp");
	if (!s || s->type != BENC_STR || sdp_decode(&sdp, &s->str) ||
	    !sdp.media_cnt)
		return EBADMSG;
	*port = sdp.media[0].port_n;
	return 0;
}

static void sdp_body(char *dst, size_t sz, const char *o, uint16_t port)
{
	snprintf(dst, sz, "v=0\r\no=%s 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n"
		 "a=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n", o, port);
}

/* Offer + answer for stream i; *port gets where the sender must send. */
int perf_relay_ng_stream(int fd, uint16_t ng, unsigned i, uint16_t a_port,
			 uint16_t b_port, uint16_t *port)
{
	struct buf req, ans;
	char cid[32], sdp[256], ck[16];
	int err, k;

	buf_init(&req);
	buf_init(&ans);
	snprintf(cid, sizeof(cid), "perf-%u-%u", (unsigned)getpid(), i);
	for (k = 0, err = 0; k < 2 && !err; k++) {
		buf_reset(&req);
		snprintf(ck, sizeof(ck), "%u_%d", i, k);
		sdp_body(sdp, sizeof(sdp), k ? "b" : "a", k ? b_port : a_port);
		err = buf_printf(&req, "%s ", ck);
		err = err ? err : benc_put_dict(&req);
		err = err ? err : benc_put_str(&req, "command");
		err = err ? err : benc_put_str(&req, k ? "answer" : "offer");
		err = err ? err : benc_put_str(&req, "call-id");
		err = err ? err : benc_put_str(&req, cid);
		err = err ? err : benc_put_str(&req, "from-tag");
		err = err ? err : benc_put_str(&req, "a");
		if (k) {
			err = err ? err : benc_put_str(&req, "to-tag");
			err = err ? err : benc_put_str(&req, "b");
		}
		err = err ? err : benc_put_str(&req, "sdp");
		err = err ? err : benc_put_str(&req, sdp);
		err = err ? err : benc_put_str(&req, "replace");
		err = err ? err : benc_put_list(&req);
		err = err ? err : benc_put_str(&req, "origin");
		err = err ? err : benc_put_end(&req);
		err = err ? err : benc_put_end(&req);
		err = err ? err : ng_call(fd, ng, &req, &ans);
		if (!err && k)
			err = ng_port_of(&ans, port);
	}
	buf_fini(&req);
	buf_fini(&ans);
	return err;
}

bool perf_relay_ng_ping(int fd, uint16_t ng)
{
	struct buf req, ans;
	bool ok;

	buf_init(&req);
	buf_init(&ans);
	buf_put_str(&req, "p d7:command4:pinge");
	ok = !ng_call(fd, ng, &req, &ans) && strstr((char *)ans.data, "pong");
	buf_fini(&req);
	buf_fini(&ans);
	return ok;
}
