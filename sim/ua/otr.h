/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench OTR client (libotr 4, OTR protocol version 3) for MSRP chat: one
 * account's user state with a fresh DSA key, the AKE with a peer started
 * by an OTR query, then data messages encrypted to it. Sans-IO like the
 * other bench clients: libotr's inject_message callbacks land in an
 * outbox the driver empties and carries over MSRP; what arrives from the
 * peer goes in with ua_otr_receive().
 *
 * Keys and fingerprints stay in memory: libotr writes a new key to a
 * FILE, so it gets an anonymous tmpfile() that is gone when closed
 * (never under a platform's data_dir). Randomness is libgcrypt's, so the
 * bytes on the wire differ between runs; what a run proves does not.
 */
#ifndef UA_OTR_H
#define UA_OTR_H

#include <stddef.h>

struct ua_otr;

/* New client for account (e.g. "alice@example.test"). EIO (libotr or
 * key generation failed), ENOMEM. */
int ua_otr_new(struct ua_otr **op, const char *account);
void ua_otr_free(struct ua_otr *o);

/* Queue an OTR query to peer (the AKE starts when it answers). */
int ua_otr_start(struct ua_otr *o, const char *peer);
/*
 * A message from peer arrived. OTR protocol messages are consumed (and
 * may queue answers); a decrypted data message is copied to out (NUL-
 * terminated) with *got = 1. A plaintext message while encryption is
 * required is refused: EACCES.
 */
int ua_otr_receive(struct ua_otr *o, const char *peer, const char *msg,
		   char *out, size_t sz, int *got);
/* Whether the session with peer is encrypted (AKE done). */
int ua_otr_secure(const struct ua_otr *o, const char *peer);
/* Encrypt plain to peer into the outbox. ENOTCONN before the AKE. */
int ua_otr_send(struct ua_otr *o, const char *peer, const char *plain);
/* Next queued message for the network (a copy the caller frees with
 * mem_free) and its recipient; ENOENT when none. */
int ua_otr_next(struct ua_otr *o, char **msg, char *peer, size_t peersz);
/* The session's fingerprint of our key, hex (for logs). */
const char *ua_otr_fingerprint(const struct ua_otr *o);

#endif
