/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Push notifications (POLICY.md P9, RFC 8599): when a call or message is
 * for a user whose contact carries pn-provider/pn-prid/pn-param, the
 * platform POSTs a wake-up to the configured push gateway (libcurl) and
 * logs it in the store's push log, which the retention engine empties
 * after [push] retention.
 *
 * The SIP event loop must never wait on HTTP: push_submit() copies the
 * request into a bounded queue and returns; one worker thread with its
 * own store connection does the POSTs and the logging. The gateway gets
 * only what it needs to wake the device (provider, prid, param, kind),
 * never the caller or the message; the log keeps user, provider, kind and
 * the gateway's status, not the device token.
 */
#ifndef PUSH_PUSH_H
#define PUSH_PUSH_H

#include <stdint.h>
#include "base/pl.h"

struct push;

struct push_cfg {
	const char *gateway_url;	/* "http://127.0.0.1:8090/push" */
	const char *data_dir;		/* store for the push log */
	uint32_t timeout_ms;		/* per POST; 0: 3000 */
	uint32_t queue_max;		/* 0: 1024 */
};

struct push_req {
	struct pl user;		/* aor to wake */
	struct pl provider;	/* pn-provider ("apns", "fcm", ...) */
	struct pl prid;		/* pn-prid: device token */
	struct pl param;	/* pn-param, may be empty */
	struct pl kind;		/* "call" or "message" */
	int64_t time_us;	/* wall time of the event */
};

struct push_stats {
	uint64_t sent;		/* gateway answered 2xx */
	uint64_t failed;	/* error status or unreachable */
	uint64_t dropped;	/* queue full */
	uint64_t log_errors;	/* push log writes that failed */
};

int push_start(struct push **pp, const struct push_cfg *cfg, char *err,
	       size_t errsz);
/*
 * Queue one notification (copied). EINVAL for a request without user,
 * provider or prid; EOVERFLOW when the queue is full (counted as dropped).
 * Thread-safe, never blocks on the network.
 */
int push_submit(struct push *p, const struct push_req *r);
/* Wait until the queue is empty and the worker idle (tests, shutdown). */
void push_flush(struct push *p);
void push_get_stats(struct push *p, struct push_stats *out);
/* Flush, stop the worker, close the store. NULL ok. */
void push_stop(struct push *p);

/* ---- voicemail by e-mail (P14) ------------------------------------------ */

struct push_mail_cfg {
	const char *smtp_url;	/* "smtp://127.0.0.1:25" (or smtps://) */
	const char *from;	/* envelope and header sender */
	const char *user, *password;	/* SMTP AUTH, NULL: none */
	uint32_t timeout_ms;	/* 0: 10000 */
};

/*
 * Send one voicemail as a multipart/mixed e-mail with the WAV attached
 * (base64) to the mailbox owner's address, through the configured SMTP
 * server (libcurl). Blocking: call it from a worker, never from the SIP
 * loop. The text names the caller and the time, nothing else. 0, EINVAL,
 * ENOENT (no WAV), EIO (SMTP failed; err says why).
 */
int push_mail_voicemail(const struct push_mail_cfg *cfg, const char *to,
			const char *caller, int64_t time_us,
			const char *wav_path, char *err, size_t errsz);

/*
 * Send one plain-text e-mail (UTF-8) to `to` through the same SMTP server:
 * the portal's confirmation codes (P3: e-mail only for recovery and
 * deletion). Blocking, like push_mail_voicemail. subject and text must
 * not hold CR/LF in the subject. 0, EINVAL, EIO (err says why).
 */
int push_mail_send(const struct push_mail_cfg *cfg, const char *to,
		   const char *subject, const char *text, char *err,
		   size_t errsz);

#endif
