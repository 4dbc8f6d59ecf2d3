/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message waiting indication (RFC 3842) from the voicemail UA: after a
 * recording is saved, an unsolicited NOTIFY with Event: message-summary
 * to the mailbox owner's address of record, through the proxy (which
 * forks it to the owner's registered devices), retransmitted like any
 * non-INVITE request over UDP (RFC 3261 17.1.2: T1 doubling up to T2,
 * given up after 64*T1). Nothing is kept once it is answered.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "sip/sip.h"
#include "vm/vm_int.h"

#define T2_US 4000000ull

static uint64_t t1(const struct vm *v)
{
	return v->cfg.t1_us ? v->cfg.t1_us : 500000;
}

static void drop(struct vm *v, struct vmwi *w)
{
	vm_timer_stop(v, &w->t);
	mem_free(w->req);
	memset(w, 0, sizeof(*w));
}

int vm_mwi(struct vm *v, const char *owner, unsigned new_msgs,
	   unsigned old_msgs)
{
	char ip[64], tag[17], branch[17], body[300];
	struct vmwi *w = NULL;
	struct buf b;
	size_t i;
	int n;

	if (!v || !owner || !strchr(owner, '@') || strpbrk(owner, " <>\r\n"))
		return EINVAL;
	if (!net_addr_port(&v->cfg.proxy))
		return ENOENT;
	for (i = 0; i < VM_MWI_MAX && !w; i++)
		if (!v->mwi[i].used)
			w = &v->mwi[i];
	if (!w)
		return EOVERFLOW;
	rng_hex(v->cfg.rng, tag, 16);
	rng_hex(v->cfg.rng, branch, 16);
	rng_hex(v->cfg.rng, w->call_id, 24);
	net_addr_str(&v->cfg.sip, ip, sizeof(ip));
	/* RFC 3842 5.2: the summary line and the account it is about. */
	n = snprintf(body, sizeof(body), "Messages-Waiting: %s\r\n"
		     "Message-Account: sip:%s\r\nVoice-Message: %u/%u\r\n",
		     new_msgs ? "yes" : "no", owner, new_msgs, old_msgs);
	if (n < 0 || (size_t)n >= sizeof(body))
		return EINVAL;
	buf_init(&b);
	if (buf_printf(&b, "NOTIFY sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;"
		       "branch=z9hG4bK%s;rport\r\nMax-Forwards: 70\r\n"
		       "From: <sip:voicemail@voicemail.invalid>;tag=%s\r\n"
		       "To: <sip:%s>\r\nCall-ID: %s\r\nCSeq: 1 NOTIFY\r\n"
		       "Event: message-summary\r\n"
		       "Subscription-State: terminated;reason=timeout\r\n"
		       "Content-Type: application/simple-message-summary\r\n"
		       "Content-Length: %d\r\n\r\n%s", owner, ip, branch, tag,
		       owner, w->call_id, n, body)) {
		buf_fini(&b);
		return ENOMEM;
	}
	w->len = b.len;
	w->req = (uint8_t *)buf_detach(&b);
	w->used = true;
	w->retx_us = t1(v);
	w->end_us = v->now + 64 * t1(v);
	vm_send(v, &v->cfg.sip, &v->cfg.proxy, w->req, w->len);
	tq_add(&v->tq, v->now + w->retx_us, TM_MWI, w, &w->t);
	v->st.mwi_sent++;
	return 0;
}

void vm_mwi_response(struct vm *v, const struct sip_msg *m)
{
	size_t i;

	if (m->scode < 200)
		return;
	for (i = 0; i < VM_MWI_MAX; i++) {
		struct vmwi *w = &v->mwi[i];

		if (w->used && pl_eq_str(&m->call_id, w->call_id)) {
			if (m->scode < 300)
				v->st.mwi_ok++;
			else
				v->st.mwi_failed++;
			drop(v, w);
			return;
		}
	}
}

void vm_mwi_timer(struct vm *v, struct vmwi *w)
{
	w->t = TQ_NONE;
	if (!w->used)
		return;
	if (v->now >= w->end_us) {
		v->st.mwi_failed++;	/* Timer F: nobody answered */
		drop(v, w);
		return;
	}
	vm_send(v, &v->cfg.sip, &v->cfg.proxy, w->req, w->len);
	w->retx_us = w->retx_us * 2 > T2_US ? T2_US : w->retx_us * 2;
	tq_add(&v->tq, v->now + w->retx_us, TM_MWI, w, &w->t);
}

void vm_mwi_fini(struct vm *v)
{
	size_t i;

	for (i = 0; i < VM_MWI_MAX; i++)
		if (v->mwi[i].used)
			drop(v, &v->mwi[i]);
}
