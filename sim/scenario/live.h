/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live backend internals shared by be_live.c (refd process, refctl,
 * capture), live_list.c (the refctl --json listings behind the expect
 * lines) and live_ua.c (traffic through the bench user agents).
 */
#ifndef SCENARIO_LIVE_H
#define SCENARIO_LIVE_H

#include <sys/types.h>
#include "base/buf.h"
#include "scenario/run_int.h"

struct scn_capture;

#define SCN_LIVE_XCAP_PORT(l) ((uint16_t)((l)->port + 4))

struct scn_live {
	pid_t pid;		/* refd, -1 when not running */
	uint16_t port;		/* SIP udp/tcp; tls = +1, msrp = +2,
				 * conference focus = +3, XCAP and
				 * files (HTTP) = +4, voicemail = +5 */
	uint16_t media_lo;	/* relay ports media_lo..+199, the
				 * focus's +200..+299 */
	int tls;		/* a certificate was made */
	char cert[600], key[600];
	char refctl[600];
	char host[64];		/* SIP server: 127.0.0.1, or --target's */
	struct scn_capture *cap;
	void *ua;		/* live_ua.c state (UAs on an io loop) */
	/* The bench UAs: addresses 127.1.X.y (SIP) and 127.2.X.y (media)
	 * with X = 1 + ua_base / 250, SIP port ua_sip (tls +1), RTP from
	 * ua_media; probed free at start (be_live.c). */
	unsigned ua_base;
	uint16_t ua_sip, ua_media;
};

/* refctl -c conf ARGS... (NULL-terminated); 0 or EIO with err set. */
int scn_live_ctl(struct scn_ctx *c, struct buf *out, char *err,
		 size_t errsz, ...);

int scn_live_count_cdr(struct scn_ctx *c, const char *a, const char *b,
		       uint64_t *n, char *err, size_t errsz);
int scn_live_count_trace(struct scn_ctx *c, const char *a, uint64_t *n,
			 char *err, size_t errsz);
int scn_live_count_message(struct scn_ctx *c, const char *b, int encrypted,
			   uint64_t *n, char *err, size_t errsz);
int scn_live_account_exists(struct scn_ctx *c, const char *name, int *yes,
			    char *err, size_t errsz);

int scn_live_traffic(struct scn_ctx *c, const struct scn_traffic *t,
		     char *err, size_t errsz);
/* expect registered: an OPTIONS probe (uas.h scn_uas_registered). */
int scn_live_registered(struct scn_ctx *c, const char *name, int *yes,
			char *err, size_t errsz);
void scn_live_ua_stop(struct scn_ctx *c);

#endif
