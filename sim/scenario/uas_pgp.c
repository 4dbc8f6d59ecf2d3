/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message A B body=pgp, end to end (issue 6: OpenPGP messages decrypted by
 * the recipient to prove delivery). The sender encrypts the canary to B's
 * key pair (one per scenario account, scn_acct_pgp_key), as a PGP-capable
 * client would with B's published key;
 * once the platform answered 2xx, a registered device of B must hold a
 * MESSAGE body that B's secret key opens to exactly the canary. With no
 * device of B online the MESSAGE is only stored for later (P10), and the
 * audit checks that what is stored is ciphertext.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "ua/pgp.h"
#include "scenario/uas.h"
#include "scenario/run_steps.h"

int scn_uas_pgp_send(struct scn_ctx *c, struct scn_uas *u, struct scn_ua *s,
		     const char *acct, const char *to, const char *canary,
		     const struct ua_pgp **keyp)
{
	struct buf pub, ct;
	struct pl pp;
	int rc;

	*keyp = NULL;
	buf_init(&pub);
	buf_init(&ct);
	rc = scn_acct_pgp_key(c, acct, to, keyp);
	if (!rc)
		rc = ua_pgp_export(*keyp, &pub);
	pp = buf_pl(&pub);
	if (!rc)
		rc = ua_pgp_encrypt(&pp, (const uint8_t *)canary,
				    strlen(canary), &ct);
	if (!rc)
		rc = ua_message(s->ua, u->drv->now(u->arg), to,
				"application/pgp-encrypted", ct.data, ct.len);
	buf_fini(&pub);
	buf_fini(&ct);
	return rc;
}

int scn_uas_pgp_check(struct scn_uas *u, const char *acct,
		      const char *canary, const struct ua_pgp *key,
		      char *err, size_t errsz)
{
	size_t k, ndev = 0, len = strlen(canary);
	struct buf pt;
	struct pl body;
	int rc = 0, e = 0;
	bool ok = false;

	buf_init(&pt);
	for (k = 0; k < u->nua && !ok; k++) {
		if (strcmp(u->ua[k].acct, acct) ||
		    u->ua[k].role != SCN_UA_DEVICE || !u->ua[k].registered)
			continue;
		ndev++;
		body = ua_last_message(u->ua[k].ua);
		if (!body.len)
			continue;
		buf_reset(&pt);
		e = ua_pgp_decrypt(key, (const uint8_t *)body.p, body.len,
				   &pt);
		ok = !e && pt.len == len && !memcmp(pt.data, canary, len);
	}
	if (ndev && !ok) {
		snprintf(err, errsz, "none of %s's %zu registered device(s) "
			 "got a MESSAGE that %s's key decrypts to what was "
			 "sent (%s)", acct, ndev, acct, e ? strerror(e) :
			 "no such MESSAGE");
		rc = EPROTO;
	}
	buf_fini(&pt);
	return rc;
}
