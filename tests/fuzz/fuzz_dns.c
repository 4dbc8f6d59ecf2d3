/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the DNS answer reader of the live resolver
 * (io_dns_parse: ns_initparse/ns_parserr, then the NAPTR, SRV, A and
 * AAAA record data) and for the RFC 3263 selection run on what it reads.
 * The first byte picks the record type. Properties: no crash, never more
 * records than asked for, names NUL-terminated inside their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/nameser.h>
#include "io/io_dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[4] = { ns_t_naptr, ns_t_srv, ns_t_a,
				       ns_t_aaaa };
	struct io_dns_rr rr[8];
	struct sip_dns_naptr na[8];
	struct sip_dns_target tg[8];
	struct rng r;
	size_t n = 0, i;
	int type;

	if (size < 1)
		return 0;
	type = types[data[0] & 3];
	if (io_dns_parse(data + 1, size - 1, type, rr, 8, &n))
		return 0;
	if (n > 8)
		abort();
	rng_seed(&r, size);
	memset(tg, 0, sizeof(tg));
	for (i = 0; i < n; i++) {
		if (type == ns_t_naptr) {
			na[i] = rr[i].u.naptr;
			if (strlen(na[i].repl) >= sizeof(na[i].repl) ||
			    strlen(na[i].service) >= sizeof(na[i].service))
				abort();
		} else if (type == ns_t_srv) {
			if (strlen(rr[i].u.srv.target) >=
			    sizeof(rr[i].u.srv.target))
				abort();
			tg[i].rank = rr[i].u.srv.prio;
			tg[i].weight = rr[i].u.srv.weight;
			tg[i].group = (uint16_t)i;
		}
	}
	if (type == ns_t_naptr && sip_dns_naptr_select(na, n) > n)
		abort();
	if (type == ns_t_srv)
		sip_dns_order(tg, n, &r);
	return 0;
}
