/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench user agent: a sans-IO SIP UA (RFC 3261) with RTP media, driven by
 * the scenario runner under any driver (in-process, live, ns-3) through
 * struct core_ops. One struct ua is one device of one account.
 *
 * It registers with digest auth (MD5 or SHA-256, qop=auth), places and
 * answers calls (INVITE/ACK/BYE/CANCEL, re-INVITE for hold), sends and
 * receives MESSAGE, SUBSCRIBE/PUBLISH presence, and sends RTP at 20 ms
 * packets whose payload can carry a canary string. It follows
 * Record-Route and answers 401/407 once per request.
 *
 * Results come out as events (ua_event_next) and counters (ua_stats); the
 * UA never prints. Ownership: the UA copies every string of its config.
 * Errors: 0, EINVAL, ENOMEM, EBUSY (a call is already up), ENOENT.
 */
#ifndef UA_UA_H
#define UA_UA_H

#include <stddef.h>
#include <stdint.h>
#include "base/core.h"
#include "base/log.h"
#include "base/rng.h"

enum ua_answer {
	UA_ANSWER_YES = 0,	/* 180 then 200 */
	UA_ANSWER_NO,		/* ring until the caller gives up (480 on
				 * CANCEL / timeout) */
	UA_ANSWER_BUSY,		/* 486 */
};

enum ua_media {
	UA_MEDIA_RTP = 0,
	UA_MEDIA_SRTP,		/* SDES keys (a=crypto), libsrtp2 */
	UA_MEDIA_ZRTP,		/* a=zrtp-hash, key agreement in media
				 * (bzrtp), then SRTP with its keys */
	UA_MEDIA_NONE,
};

struct ua_cfg {
	const char *user;	/* "alice" */
	const char *domain;	/* "example.test" */
	const char *password;
	const char *display;	/* may be NULL */
	struct net_addr local;	/* SIP address (tp = transport) */
	struct net_addr proxy;	/* outbound proxy (tp = transport) */
	struct net_addr media;	/* RTP address; port = first RTP port */
	const char *user_agent;	/* User-Agent header, may be NULL */
	const char *contact_params; /* appended to the Contact URI, e.g.
				 * ";pn-provider=x;pn-prid=y" (RFC 8599);
				 * may be NULL */
	uint64_t wall_offset_us;/* wall clock = now_us + offset (Date, SDP o=) */
	uint64_t seed;		/* tags, branches, Call-IDs, SSRCs */
	struct log *log;	/* may be NULL */
	/* May be NULL: bumped for every event this UA queues. Shared by
	 * many UAs, it tells their driver whether any has events at all
	 * without asking each (borrowed; must outlive the UA). */
	uint64_t *ev_count;
};

struct ua_call_opt {
	uint64_t duration_us;	/* hang up this long after the answer; 0: never */
	enum ua_media media;
	const char *canary;	/* written into every RTP payload, may be NULL */
	const char *subject;	/* may be NULL */
};

enum ua_ev_type {
	UA_EV_REGISTERED = 1,	/* status 200, detail = bindings */
	UA_EV_REG_FAILED,	/* status = final code */
	UA_EV_CALL_INCOMING,
	UA_EV_CALL_RINGING,
	UA_EV_CALL_ANSWERED,	/* status 200 */
	UA_EV_CALL_FAILED,	/* status = final code (408 on timeout) */
	UA_EV_CALL_ENDED,	/* BYE sent or received */
	UA_EV_MESSAGE_SENT,	/* status = final code */
	UA_EV_MESSAGE_RECEIVED,
	UA_EV_NOTIFY_RECEIVED,
	UA_EV_SUBSCRIBED,	/* status = final code */
	UA_EV_PUBLISHED,	/* status = final code */
	UA_EV_ZRTP_SECURE,	/* detail = the SAS */
	UA_EV_ZRTP_FAILED,
	UA_EV_OPTIONS_DONE,	/* status = final code */
};

struct ua_event {
	enum ua_ev_type type;
	uint16_t status;
	uint32_t call;		/* call handle, 0 if none */
	uint64_t at_us;
	char peer[128];		/* other party's AOR, "user@domain" */
	char detail[256];	/* MESSAGE body (truncated), reason, ... */
};

struct ua_stats {
	uint64_t sip_sent, sip_recv, sip_retrans, sip_bad;
	uint64_t rtp_sent, rtp_recv, rtp_bytes_recv;
	uint64_t rtp_canary_recv;	/* received payloads carrying a canary */
	/* receive quality over ended calls (RFC 3550 A.3, A.8) */
	uint64_t rtp_expected;		/* from the extended sequence range */
	uint64_t rtp_lost;		/* expected - received, floor 0 */
	uint64_t rtp_delay_us_sum;	/* one-way, from the sender's stamp */
	uint64_t rtp_delay_n;
	uint64_t rtp_delay_us_max;
	uint64_t jitter_us_sum;		/* final interarrival jitter per call */
	uint64_t jitter_n;
	uint64_t jitter_us_max;
	uint64_t zrtp_recv;		/* zRTP packets received */
	uint64_t calls_ok, calls_failed;
	uint64_t setup_us_sum;		/* INVITE -> 200, over calls_ok */
	uint64_t setup_us_max;
};

struct ua;

int ua_new(struct ua **uap, const struct ua_cfg *cfg);
void ua_free(struct ua *ua);
/* The sans-IO vtable; core pointer = the struct ua. */
extern const struct core_ops ua_core_ops;

void ua_set_answer(struct ua *ua, enum ua_answer a);
/* expires 0 unregisters. */
int ua_register(struct ua *ua, uint64_t now_us, uint32_t expires);
/* Call "user@domain"; *call gets the call's handle. */
int ua_call(struct ua *ua, uint64_t now_us, const char *to,
	    const struct ua_call_opt *opt, uint32_t *call);
int ua_hangup(struct ua *ua, uint64_t now_us, uint32_t call);
int ua_hold(struct ua *ua, uint64_t now_us, uint32_t call, int on);
int ua_message(struct ua *ua, uint64_t now_us, const char *to,
	       const char *ctype, const uint8_t *body, size_t len);
int ua_subscribe(struct ua *ua, uint64_t now_us, const char *to,
		 uint32_t expires);
int ua_publish(struct ua *ua, uint64_t now_us, const char *pidf_note);
/* OPTIONS to "user@domain" out of dialog (reachability probe). */
int ua_options(struct ua *ua, uint64_t now_us, const char *to);

/* Next event, ENOENT when none. */
int ua_event_next(struct ua *ua, struct ua_event *ev);
void ua_stats(const struct ua *ua, struct ua_stats *out);
/*
 * One-way delay in RTP payloads: the sender stamps now_us into each
 * payload and the receiver subtracts it, which is exact in the simulated
 * drivers (one clock) and within one process in live mode.
 */

/* The zRTP SAS of a secured call; ENOENT if not (yet) secured. */
int ua_call_sas(struct ua *ua, uint32_t call, char *out, size_t n);
/*
 * Secrets a store must never keep (POLICY P6), for the bench's audit: the
 * SDES keys of an SRTP call as its a=crypto lines carry them (base64 of
 * key and salt; ENOENT unless the call uses SDES and both keys are known),
 * and the digest response= of the last credentials sent ("" if none).
 */
int ua_call_sdes_keys(struct ua *ua, uint32_t call, char *local,
		      char *remote, size_t n);
const char *ua_last_digest(const struct ua *ua);
/* Body of the last MESSAGE received (the event's detail is truncated);
 * an empty slice if none. Valid until the next MESSAGE. */
struct pl ua_last_message(const struct ua *ua);
/* ua_call whose offer also has an MSRP chat line (m=message TCP/MSRP,
 * RFC 4975) with a=path msrp_path (relay URIs, then our own URI). */
int ua_call_chat(struct ua *ua, uint64_t now_us, const char *to,
		 const struct ua_call_opt *opt, const char *msrp_path,
		 uint32_t *call);
/* The a=path of the answer's accepted MSRP line (a call made with
 * ua_call_chat); ENOENT if none (yet). */
int ua_call_msrp_path(struct ua *ua, uint32_t call, char *out, size_t n);

/* Number of calls up (answered, not ended). */
unsigned ua_calls_active(const struct ua *ua);
const char *ua_aor(const struct ua *ua);

#endif
