/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench MSRP client (RFC 4975, relays per RFC 4976): a sans-IO core that
 * connects to the platform's MSRP relay over TCP or TLS, authenticates
 * with AUTH + digest, learns its Use-Path, sends SEND requests along a
 * To-Path and answers the SENDs it receives with 200. Chat content is
 * whatever the caller passes (a canary, or an OTR-wrapped payload).
 *
 * Known limits: one relay connection; whole messages in one chunk; no
 * REPORTs requested (Success-Report: no).
 */
#ifndef UA_MSRP_UA_H
#define UA_MSRP_UA_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/core.h"

struct ua_msrp_cfg {
	const char *user;
	const char *password;
	const char *realm;	/* the platform's domain */
	struct net_addr local;	/* our address (tp TCP or TLS) */
	struct net_addr relay;	/* the relay's address (same tp) */
	const char *session;	/* session id in our URI */
};

struct ua_msrp_stats {
	int authed;		/* 1 after the AUTH 200 */
	uint16_t last_status;	/* last final status we got */
	unsigned sent_ok;	/* SENDs answered 200 */
	unsigned received;	/* complete SENDs received */
};

struct ua_msrp;

int ua_msrp_new(struct ua_msrp **mp, const struct ua_msrp_cfg *cfg);
void ua_msrp_free(struct ua_msrp *m);
extern const struct core_ops ua_msrp_ops;

/* Start AUTH (challenge, then credentials). */
int ua_msrp_auth(struct ua_msrp *m, uint64_t now_us);
/* Our MSRP URI, and the relay's Use-Path once authenticated ("" before). */
const char *ua_msrp_uri(const struct ua_msrp *m);
const char *ua_msrp_use_path(const struct ua_msrp *m);
/* SEND body along to_path (space-separated URIs). */
int ua_msrp_send(struct ua_msrp *m, uint64_t now_us, const char *to_path,
		 const char *ctype, const uint8_t *body, size_t len);
void ua_msrp_stats(const struct ua_msrp *m, struct ua_msrp_stats *st);
/* Content of the last complete SEND received (valid until the next). */
struct pl ua_msrp_last(const struct ua_msrp *m);

#endif
