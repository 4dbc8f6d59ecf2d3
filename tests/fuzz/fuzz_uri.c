/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the URI parser and the element parses that sit on
 * it (name-addr, Via, Contact), plus parameter lookup and %-unescaping.
 * Property: a decoded URI's parts all lie inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sip/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const struct pl *p, const uint8_t *d, size_t n)
{
	if (p->len && ((const uint8_t *)p->p < d ||
		       (const uint8_t *)p->p + p->len > d + n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl s = pl_from_mem(data, size), v;
	struct sip_uri u;
	struct sip_addr a;
	struct sip_via via;
	struct sip_contact c;
	char buf[128];

	if (!sip_uri_decode(&u, &s)) {
		inside(&u.user, data, size);
		inside(&u.host, data, size);
		inside(&u.params, data, size);
		inside(&u.headers, data, size);
		(void)sip_param(&u.params, "transport", &v);
		(void)sip_param(&u.params, "lr", &v);
		(void)sip_unescape(&u.user, buf, sizeof(buf), NULL);
		(void)sip_unescape(&u.headers, buf, sizeof(buf), NULL);
	}
	if (!sip_addr_decode(&a, &s)) {
		inside(&a.tag, data, size);
		inside(&a.dname, data, size);
	}
	if (!sip_via_decode(&via, &s)) {
		inside(&via.branch, data, size);
		inside(&via.received, data, size);
	}
	(void)sip_contact_decode(&c, &s);
	return 0;
}
