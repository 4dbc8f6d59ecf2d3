/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the policy file loader (ref/policy/policy.c) on top
 * of the INI reader. Properties: no crash or leak; a file that loads has
 * every period non-zero-or-as-written and loads again to the same values.
 * A wordlist key is dropped from the input: it would open files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy a, b;
	char err[600], *text;
	int64_t blocks = mem_blocks();

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strstr(text, "wordlist") || memchr(data, 0, size)) {
		free(text);
		return 0;
	}
	if (policy_load_str(&a, "fuzz.policy", text, NULL, err,
			    sizeof(err)) == 0) {
		if (policy_load_str(&b, "fuzz.policy", text, NULL, err,
				    sizeof(err)) ||
		    a.trace_s != b.trace_s || a.cdr_s != b.cdr_s ||
		    a.file_quota_bytes != b.file_quota_bytes ||
		    a.purge_within_s == 0)
			abort();
		(void)policy_password_check(&a, "user", text, err,
					    sizeof(err));
		policy_fini(&b);
		policy_fini(&a);
	} else if (!err[0]) {
		abort();	/* every refusal says why */
	}
	free(text);
	if (mem_blocks() != blocks)
		abort();
	return 0;
}
