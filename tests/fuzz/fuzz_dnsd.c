/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the test DNS server (tests/tools/dnsd.c): the
 * zone reader on the first half of the input, then dnsd_answer() on the
 * second half as a query against that zone. Properties: no crash, an
 * answer never longer than 512 bytes and always echoing the query id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define DNSD_NO_MAIN
#include "../tools/dnsd.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zone z;
	static const char base[] =
		"svc.test 60 NAPTR 10 50 s SIP+D2U \"\" _sip._udp.svc.test\n"
		"_sip._udp.svc.test 60 SRV 10 0 5062 h1.svc.test.\n"
		"h1.svc.test 60 A 127.0.0.1\n";
	size_t half = size / 2, n;
	char *text = malloc(half + 1), err[160], name[DNSD_NAME];
	uint8_t out[1500];
	uint16_t type;

	if (!text)
		return 0;
	memcpy(text, data, half);
	text[half] = 0;
	if (zone_read(&z, text, err, sizeof(err))) {
		/* a bad zone: answer from a known one */
		free(text);
		text = strdup(base);
		if (!text || zone_read(&z, text, err, sizeof(err)))
			abort();
	}
	n = dnsd_answer(&z, data + half, size - half, out, sizeof(out), name,
			&type);
	if (n > 512 || (n && memcmp(out, data + half, 2)))
		abort();
	free(text);
	return 0;
}
