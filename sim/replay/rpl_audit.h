/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Storage audit after a re-drive: canaries taken from the capture itself
 * (what the re-drive sends the platform), then a raw-byte scan of the
 * platform's data_dir with sim/audit (every file, plain and encoded) and
 * one verdict per canary. The rows follow POLICY.md:
 *   P12 samples of RTP payloads (first 16 bytes of the first packets of
 *       each SSRC; all-same bytes such as silence are skipped) must not be
 *       stored;
 *   P7  each REGISTER's Contact URI and Call-ID must not be stored (a
 *       Contact URI the same agent also sends in an INVITE dialog is
 *       left out: P6 traces keep those legitimately, so finding it
 *       proves nothing; the REGISTER's Call-ID still stands for it);
 *   P6  a=crypto inline keys must not be stored;
 *   P2  digest response= values must not be stored;
 *   P10 a MESSAGE body must be stored (in clear or marked);
 *   P13 MSRP chat content (the last bytes of each SEND's content, where
 *       a message/cpim wrapper puts the text) must not be stored.
 * Collecting is sans-IO (bytes in); only rpl_audit_run reads files.
 * The bytes fed in must be what the platform was sent (the re-drive's
 * tap, rpl_vproxy.h and replay_live.c), not the capture: Contacts, Via
 * and SDP addresses are rewritten, digest responses answer the
 * platform's own nonces.
 */
#ifndef REPLAY_RPL_AUDIT_H
#define REPLAY_RPL_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rpl_aud_pol {
	RPL_AUD_P12 = 0,	/* RTP payload sample: must not be stored */
	RPL_AUD_P7,		/* REGISTER Contact URI: must not be stored */
	RPL_AUD_P6,		/* SDES inline key: must not be stored */
	RPL_AUD_P2,		/* digest response: must not be stored */
	RPL_AUD_P10,		/* MESSAGE body: must be stored */
	RPL_AUD_P13,		/* MSRP content: must not be stored */
	RPL_AUD_POLS
};

struct rpl_canaries;

int rpl_canaries_new(struct rpl_canaries **cp);
void rpl_canaries_free(struct rpl_canaries *c);
/* One SIP message or RTP packet as captured. ENOMEM only. */
int rpl_canaries_sip(struct rpl_canaries *c, const uint8_t *p, size_t len);
int rpl_canaries_rtp(struct rpl_canaries *c, const uint8_t *p, size_t len);
/* The content of one MSRP SEND chunk. ENOMEM only. */
int rpl_canaries_msrp(struct rpl_canaries *c, const uint8_t *p, size_t len);
/* Canaries of pol that get a verdict. */
size_t rpl_canaries_count(const struct rpl_canaries *c,
			  enum rpl_aud_pol pol);
/* REGISTER Contacts left out (also sent in other dialogs). */
size_t rpl_canaries_shared(const struct rpl_canaries *c);

/* One verdict; strings valid during the callback. */
struct rpl_aud_row {
	enum rpl_aud_pol pol;
	const char *policy;	/* "P12" ... */
	const char *what;	/* "RTP payload sample" ... */
	const char *canary;	/* printable form (hex for binary) */
	bool ok;
	const char *where;	/* first store hit, NULL when none */
	const char *enc;	/* its encoding */
	uint64_t offset;
	size_t locations;	/* files it was found in */
};
typedef void (rpl_aud_fn)(void *arg, const struct rpl_aud_row *row);

/*
 * Scan every file under dir for every canary and call fn once per canary.
 * files and bytes get what was read. errno codes from the scan (ENOENT for
 * a missing dir), ENOMEM.
 */
int rpl_audit_run(struct rpl_canaries *c, const char *dir, rpl_aud_fn *fn,
		  void *arg, uint64_t *files, uint64_t *bytes);

#endif
