/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dns_sel.h: NAPTR filtering/sorting and the RFC 2782 weighted order of
 * SRV targets. Pure functions over small arrays (a domain has a handful
 * of records), so insertion sorts and linear scans.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include "sip/dns_sel.h"

int sip_dns_service_tp(const char *service, enum net_tp *tp)
{
	if (!strcasecmp(service, "SIP+D2U"))
		*tp = NET_UDP;
	else if (!strcasecmp(service, "SIP+D2T"))
		*tp = NET_TCP;
	else if (!strcasecmp(service, "SIPS+D2T"))
		*tp = NET_TLS;
	else
		return EPROTONOSUPPORT;	/* SIP+D2S (SCTP), E2U, ... */
	return 0;
}

static bool before(const struct sip_dns_naptr *a, const struct sip_dns_naptr *b)
{
	return a->order < b->order ||
	       (a->order == b->order && a->pref < b->pref);
}

size_t sip_dns_naptr_select(struct sip_dns_naptr *r, size_t n)
{
	struct sip_dns_naptr tmp;
	size_t i, j, k = 0;

	/* sort first, so "the first of each transport" is the best one */
	for (i = 1; i < n; i++) {
		tmp = r[i];
		for (j = i; j > 0 && before(&tmp, &r[j - 1]); j--)
			r[j] = r[j - 1];
		r[j] = tmp;
	}
	for (i = 0; i < n; i++) {
		enum net_tp tp;
		bool dup = false;

		if (strcasecmp(r[i].flags, "s") || !r[i].repl[0] ||
		    !strcmp(r[i].repl, ".") ||
		    sip_dns_service_tp(r[i].service, &tp))
			continue;
		for (j = 0; j < k; j++)
			dup = dup || r[j].tp == tp;
		if (dup)
			continue;
		if (k != i)
			r[k] = r[i];
		r[k++].tp = tp;
	}
	return k;
}

static bool t_before(const struct sip_dns_target *a,
		     const struct sip_dns_target *b)
{
	return a->rank < b->rank ||
	       (a->rank == b->rank && a->group < b->group);
}

/* Order the groups of t[0..n) (one rank) by RFC 2782's weighted draw. */
static void draw(struct sip_dns_target *t, size_t n, struct rng *rng)
{
	struct sip_dns_target out[SIP_DNS_MAX];
	size_t start[SIP_DNS_MAX], len[SIP_DNS_MAX], ng = 0, i, g, o = 0;
	uint64_t sum, pick, run;

	for (i = 0; i < n; i++) {
		if (!i || t[i].group != t[i - 1].group) {
			start[ng] = i;
			len[ng++] = 0;
		}
		len[ng - 1]++;
	}
	/* RFC 2782: weight-0 records go first in the list of candidates */
	for (i = 1; i < ng; i++) {
		size_t s = start[i], l = len[i], j;

		for (j = i; j > 0 && !t[s].weight && t[start[j - 1]].weight;
		     j--) {
			start[j] = start[j - 1];
			len[j] = len[j - 1];
		}
		start[j] = s;
		len[j] = l;
	}
	while (ng) {
		sum = 0;
		for (g = 0; g < ng; g++)
			sum += t[start[g]].weight;
		pick = rng_below(rng, sum + 1);
		run = 0;
		for (g = 0; g + 1 < ng; g++) {
			run += t[start[g]].weight;
			if (run >= pick)
				break;
		}
		memcpy(&out[o], &t[start[g]], len[g] * sizeof(*t));
		o += len[g];
		memmove(&start[g], &start[g + 1], (ng - g - 1) * sizeof(*start));
		memmove(&len[g], &len[g + 1], (ng - g - 1) * sizeof(*len));
		ng--;
	}
	memcpy(t, out, n * sizeof(*t));
}

void sip_dns_order(struct sip_dns_target *t, size_t n, struct rng *rng)
{
	struct sip_dns_target tmp;
	size_t i, j;

	if (n > SIP_DNS_MAX)
		n = SIP_DNS_MAX;
	for (i = 1; i < n; i++) {	/* stable: addresses keep their order */
		tmp = t[i];
		for (j = i; j > 0 && t_before(&tmp, &t[j - 1]); j--)
			t[j] = t[j - 1];
		t[j] = tmp;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && t[j].rank == t[i].rank; j++)
			;
		draw(&t[i], j - i, rng);
	}
}
