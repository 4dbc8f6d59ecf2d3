/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the XCAP core: document validation (libxml2 with
 * our XXE/DTD refusal and root/namespace checks) and, through
 * xcap_handle() on a real store opened once, the request path parser and
 * conditional-header handling, and the /files paths (GET only, so the
 * store is never written).
 * Property: every answer is a valid HTTP status.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "xcap/xcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;
static char dir[64];

static void cleanup(void)
{
	static const char *const f[] = { "platform.db", "platform.db-wal",
		"platform.db-shm", "files", "voicemail", "" };
	char p[128];
	size_t i;

	store_close(st);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, f[i]);
		if (unlink(p))
			rmdir(p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xcap_req r;
	struct xcap_resp resp;
	struct pl auid, body, rest, path, hdr;
	char why[160];

	if (!st) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-xcap-%d", (int)getpid());
		if (store_open(&st, dir, NULL, why, sizeof(why)))
			abort();
		atexit(cleanup);
	}
	body = pl_from_mem(data, size);
	auid = (size && data[0] & 1) ? PL("pres-rules") : PL("resource-lists");
	(void)xcap_validate(&auid, &body, why, sizeof(why));

	/* "path\nif-none-match" as a GET. */
	if (pl_split(&body, '\n', &path, &rest))
		rest = PL_NULL;
	(void)pl_split(&rest, '\n', &hdr, &rest);
	memset(&r, 0, sizeof(r));
	r.method = PL("GET");
	r.path = path;
	r.if_none_match = hdr;
	r.if_match = rest;
	r.user = PL("alice@example.test");
	buf_init(&resp.body);
	if (xcap_handle(st, "/xcap-root", &r, &resp) == 0 &&
	    (resp.status < 200 || resp.status > 599))
		abort();
	buf_reset(&resp.body);
	/* The file store's paths too (GET: list or download, no writes). */
	if (xcap_files_handle(st, 0, &r, &resp) == 0 &&
	    (resp.status < 200 || resp.status > 599))
		abort();
	buf_fini(&resp.body);
	return 0;
}
