/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the portal's input parsers (ref/web/web_form.c):
 * the input is taken as a form body / query and as a Cookie header. Every
 * field name the portal reads is looked up; a decoded value must hold no
 * control byte but tab/CR/LF and fit its buffer, a cookie value must lie
 * inside the input, and the HTML escaper's output of the raw input must
 * hold no markup character.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/mem.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"csrf", "user", "password", "email", "code", "old", "new", "enabled",
	"uri", "name", "page", "download", "a", "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl in = pl_from_mem(data, size), v;
	char out[64];
	struct buf b;
	size_t i, j;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int err = web_form_get(&in, names[i], out, sizeof(out));

		if (err == 0) {
			size_t n = strlen(out);

			if (n >= sizeof(out))
				abort();
			for (j = 0; j < n; j++) {
				unsigned char c = (unsigned char)out[j];

				if ((c < 0x20 && c != '\t' && c != '\r' &&
				     c != '\n') || c == 0x7f)
					abort();
			}
		} else if (err != ENOENT && err != EBADMSG &&
			   err != EOVERFLOW) {
			abort();
		}
		if (!web_cookie_get(&in, names[i], &v) &&
		    (v.p < in.p || v.p + v.len > in.p + in.len))
			abort();
	}
	buf_init(&b);
	if (!web_esc(&b, &in)) {
		for (j = 0; j < b.len; j++)
			if (b.data[j] && strchr("<>\"'", b.data[j]))
				abort();
	}
	buf_fini(&b);
	return 0;
}
