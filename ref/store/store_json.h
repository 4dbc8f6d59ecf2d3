/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON views of store rows (jansson), shared by the user export and by
 * refctl's --json listings so both print the same field names. Times are
 * ISO 8601 UTC strings ("2026-01-02T03:04:05.678Z"); text that is not
 * UTF-8 is escaped byte-wise; message bodies that are not UTF-8 go out as
 * "body_base64". Password hashes are never put into JSON. Each function
 * returns a new reference, NULL on ENOMEM.
 */
#ifndef STORE_STORE_JSON_H
#define STORE_STORE_JSON_H

#include <jansson.h>
#include "store/store.h"

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (>= 32 bytes). */
const char *store_time_iso(int64_t time_us, char *buf, size_t sz);
/* Parse ISO 8601 UTC ("2026-05-01T00:00:00Z", "...+00:00", date only,
 * fractional seconds) into microseconds since the epoch. EINVAL. */
int store_time_parse(const char *s, int64_t *out_us);

json_t *store_json_account(const struct store_account *a);
json_t *store_json_trace(const struct store_trace *t);
json_t *store_json_cdr(const struct store_cdr *c);
json_t *store_json_msg(const struct store_msg *m);
json_t *store_json_file(const struct store_file *f);
json_t *store_json_vm(const struct store_vm *v);
json_t *store_json_push(const struct store_push *p);
json_t *store_json_xcap(const struct store_xcap *x);
json_t *store_json_purchase(const struct store_purchase *p);

#endif
