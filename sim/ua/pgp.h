/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenPGP for the bench (librnp): each scenario account gets a key pair
 * generated in memory (EdDSA primary, Curve25519 ECDH subkey, no
 * passphrase, nothing written to disk). A sender encrypts to the
 * recipient's exported public key, as a real client would; the recipient
 * decrypts with its secret key, which proves end-to-end delivery of a
 * message or file the platform stored as ciphertext (POLICY P10, P11).
 *
 * Errors: 0, EINVAL (bad arguments or not OpenPGP data), EACCES (no
 * secret key can open it), ENOMEM, EIO (library failure).
 */
#ifndef UA_PGP_H
#define UA_PGP_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

struct ua_pgp;

/* Generate a key pair for uid ("alice@example.test"). */
int ua_pgp_new(struct ua_pgp **kp, const char *uid);
void ua_pgp_free(struct ua_pgp *k);
/* ASCII-armored public key (primary + subkey) appended to out. */
int ua_pgp_export(const struct ua_pgp *k, struct buf *out);
/* Encrypt data to the armored public key pub; ASCII armor into out. */
int ua_pgp_encrypt(const struct pl *pub, const uint8_t *data, size_t len,
		   struct buf *out);
/* Decrypt an armored or binary OpenPGP message with k's secret key. */
int ua_pgp_decrypt(const struct ua_pgp *k, const uint8_t *data, size_t len,
		   struct buf *out);

#endif
