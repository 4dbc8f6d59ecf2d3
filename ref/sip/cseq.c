/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CSeq (RFC 3261 20.16): 1*DIGIT LWS Method. The number must fit 32 bits
 * (RFC 4475 3.1.2.4); leading zeros are fine (RFC 4475 3.1.1.1).
 */
#include <errno.h>
#include <string.h>
#include "sip/sip_int.h"

int sip_cseq_parse(struct sip_cseq *cs, const struct pl *s, const char **why,
		   bool *overflow)
{
	struct pl rest, num = { NULL, 0 }, method;
	const char *w = NULL;
	bool ovf = false;

	if (!why)
		why = &w;
	if (!overflow)
		overflow = &ovf;
	if (!cs || !s)
		return EINVAL;
	rest = *s;
	lws_trim(&rest);
	num.p = rest.p;
	while (num.len < rest.len && rest.p[num.len] >= '0' &&
	       rest.p[num.len] <= '9')
		num.len++;
	if (!num.len) {
		*why = "missing sequence number";
		return EBADMSG;
	}
	adv(&rest, num.len);
	if (!rest.len || !is_lws(rest.p[0])) {
		*why = "missing method after the number";
		return EBADMSG;
	}
	lws_skip(&rest);
	if (sip_take_token(&rest, &method) || rest.len) {
		*why = "method is not a token";
		return EBADMSG;
	}
	if (dec_u32(&num, &cs->num)) {
		*overflow = true;
		*why = "sequence number out of range";
		return EBADMSG;
	}
	cs->method = method;
	cs->mid = sip_method_id(&method);
	return 0;
}

int sip_cseq_decode(struct sip_cseq *cs, const struct pl *s)
{
	return sip_cseq_parse(cs, s, NULL, NULL);
}
