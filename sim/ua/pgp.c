/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenPGP through librnp's FFI, in memory only. A sender's encryption runs
 * in a throw-away keyring holding just the recipient's public key, so the
 * ciphertext is exactly what another client would produce.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <rnp/rnp.h>
#include <rnp/rnp_err.h>
#include "base/mem.h"
#include "base/pl.h"
#include "ua/pgp.h"

struct ua_pgp {
	rnp_ffi_t ffi;
	char uid[128];
};

int ua_pgp_new(struct ua_pgp **kp, const char *uid)
{
	struct ua_pgp *k;
	char json[512], *res = NULL;

	if (!uid || strlen(uid) >= sizeof(k->uid) || strchr(uid, '"'))
		return EINVAL;
	k = mem_zalloc(sizeof(*k));
	if (!k)
		return ENOMEM;
	snprintf(k->uid, sizeof(k->uid), "%s", uid);
	if (rnp_ffi_create(&k->ffi, "GPG", "GPG") != RNP_SUCCESS) {
		mem_free(k);
		return EIO;
	}
	snprintf(json, sizeof(json),
		 "{\"primary\":{\"type\":\"EDDSA\",\"userid\":\"%s\","
		 "\"usage\":[\"sign\"]},\"sub\":{\"type\":\"ECDH\","
		 "\"curve\":\"Curve25519\",\"usage\":[\"encrypt\"]}}", uid);
	if (rnp_generate_key_json(k->ffi, json, &res) != RNP_SUCCESS) {
		ua_pgp_free(k);
		return EIO;
	}
	rnp_buffer_destroy(res);
	*kp = k;
	return 0;
}

void ua_pgp_free(struct ua_pgp *k)
{
	if (!k)
		return;
	rnp_ffi_destroy(k->ffi);
	mem_free(k);
}

/* Append an rnp memory output to out. */
static int take_output(rnp_output_t o, struct buf *out)
{
	uint8_t *b = NULL;
	size_t n = 0;

	if (rnp_output_memory_get_buf(o, &b, &n, false) != RNP_SUCCESS)
		return EIO;
	return buf_put(out, b, n);
}

int ua_pgp_export(const struct ua_pgp *k, struct buf *out)
{
	rnp_key_handle_t key = NULL;
	rnp_output_t o = NULL;
	int err = EIO;

	if (rnp_locate_key(k->ffi, "userid", k->uid, &key) != RNP_SUCCESS ||
	    !key)
		return EIO;
	if (rnp_output_to_memory(&o, 0) != RNP_SUCCESS)
		goto out;
	if (rnp_key_export(key, o, RNP_KEY_EXPORT_ARMORED |
			   RNP_KEY_EXPORT_PUBLIC | RNP_KEY_EXPORT_SUBKEYS) !=
	    RNP_SUCCESS)
		goto out;
	err = take_output(o, out);
out:
	rnp_output_destroy(o);
	rnp_key_handle_destroy(key);
	return err;
}

int ua_pgp_encrypt(const struct pl *pub, const uint8_t *data, size_t len,
		   struct buf *out)
{
	rnp_ffi_t ffi = NULL;
	rnp_input_t kin = NULL, in = NULL;
	rnp_output_t o = NULL;
	rnp_op_encrypt_t op = NULL;
	rnp_key_handle_t key = NULL;
	char *res = NULL;
	int err = EIO;

	if (!pub || !pub->len)
		return EINVAL;
	if (rnp_ffi_create(&ffi, "GPG", "GPG") != RNP_SUCCESS)
		return EIO;
	if (rnp_input_from_memory(&kin, (const uint8_t *)pub->p, pub->len,
				  false) != RNP_SUCCESS)
		goto out;
	if (rnp_import_keys(ffi, kin, RNP_LOAD_SAVE_PUBLIC_KEYS, &res) !=
	    RNP_SUCCESS) {
		err = EINVAL;
		goto out;
	}
	rnp_buffer_destroy(res);
	/* the encryption subkey of the only key in this keyring */
	{
		rnp_identifier_iterator_t it = NULL;
		const char *grip = NULL;
		if (rnp_identifier_iterator_create(ffi, &it, "keyid") ||
		    rnp_identifier_iterator_next(it, &grip) || !grip) {
			rnp_identifier_iterator_destroy(it);
			err = EINVAL;
			goto out;
		}
		rnp_locate_key(ffi, "keyid", grip, &key);
		rnp_identifier_iterator_destroy(it);
	}
	if (!key)
		goto out;
	if (rnp_input_from_memory(&in, data, len, false) != RNP_SUCCESS ||
	    rnp_output_to_memory(&o, 0) != RNP_SUCCESS ||
	    rnp_op_encrypt_create(&op, ffi, in, o) != RNP_SUCCESS ||
	    rnp_op_encrypt_add_recipient(op, key) != RNP_SUCCESS ||
	    rnp_op_encrypt_set_armor(op, true) != RNP_SUCCESS ||
	    rnp_op_encrypt_set_cipher(op, "AES256") != RNP_SUCCESS ||
	    rnp_op_encrypt_execute(op) != RNP_SUCCESS)
		goto out;
	err = take_output(o, out);
out:
	rnp_op_encrypt_destroy(op);
	rnp_key_handle_destroy(key);
	rnp_input_destroy(kin);
	rnp_input_destroy(in);
	rnp_output_destroy(o);
	rnp_ffi_destroy(ffi);
	return err;
}

int ua_pgp_decrypt(const struct ua_pgp *k, const uint8_t *data, size_t len,
		   struct buf *out)
{
	rnp_input_t in = NULL;
	rnp_output_t o = NULL;
	rnp_result_t rc;
	int err = EIO;

	if (!data || !len)
		return EINVAL;
	if (rnp_input_from_memory(&in, data, len, false) != RNP_SUCCESS ||
	    rnp_output_to_memory(&o, 0) != RNP_SUCCESS)
		goto out;
	rc = rnp_decrypt(k->ffi, in, o);
	if (rc == RNP_ERROR_NO_SUITABLE_KEY || rc == RNP_ERROR_KEY_NOT_FOUND) {
		err = EACCES;
		goto out;
	}
	if (rc != RNP_SUCCESS) {
		err = EINVAL;
		goto out;
	}
	err = take_output(o, out);
out:
	rnp_input_destroy(in);
	rnp_output_destroy(o);
	return err;
}
