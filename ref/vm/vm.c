/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The voicemail UA's signalling (vm.h): INVITE answered at once with 200
 * and an SDP answer (RFC 3264), the 200 retransmitted until the ACK (RFC
 * 3261 13.3.1.4), BYE from the caller answered and the recording saved,
 * our own BYE at max_s along the route set the proxy recorded (RFC 3261
 * 12.1.1: a UAS keeps Record-Route in order). One call per RTP port; past
 * that, 486. The core answers as a UAS only and keeps no transaction
 * state beyond what these dialogs need: retransmitted requests get the
 * same answer again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "sdp/sdp.h"
#include "sip/sip.h"
#include "vm/vm_int.h"

#define MAX_CALLS 1024

static uint64_t t1(const struct vm *v)
{
	return v->cfg.t1_us ? v->cfg.t1_us : 500000;
}

int vm_send(struct vm *v, const struct net_addr *src,
	    const struct net_addr *dst, const void *d, size_t len)
{
	struct voq *q = mem_alloc(sizeof(*q) + len);

	if (!q)
		return ENOMEM;
	memset(&q->out, 0, sizeof(q->out));
	q->next = NULL;
	q->out.kind = NET_OUT_SEND;
	q->out.src = *src;
	q->out.dst = *dst;
	q->len = len;
	memcpy(q->data, d, len);
	q->out.data = q->data;
	q->out.len = len;
	if (v->tail)
		v->tail->next = q;
	else
		v->head = q;
	v->tail = q;
	return 0;
}

int vm_timer(struct vm *v, struct vcall *c, uint32_t *id, int kind,
	     uint64_t in_us)
{
	vm_timer_stop(v, id);
	return tq_add(&v->tq, v->now + in_us, kind, c, id);
}

void vm_timer_stop(struct vm *v, uint32_t *id)
{
	if (*id != TQ_NONE)
		tq_cancel(&v->tq, *id);
	*id = TQ_NONE;
}

static void call_free(struct vm *v, struct vcall *c)
{
	uint16_t port = c->port;

	vm_timer_stop(v, &c->t_ok);
	vm_timer_stop(v, &c->t_max);
	vm_timer_stop(v, &c->t_beep);
	vm_timer_stop(v, &c->t_bye);
	mem_free(c->ok);
	mem_free(c->bye);
	buf_fini(&c->audio);
	memset(c, 0, sizeof(*c));
	c->port = port;
	buf_init(&c->audio);
}

static struct vcall *find(struct vm *v, const struct pl *call_id)
{
	size_t i;

	for (i = 0; i < v->ncalls; i++)
		if (v->calls[i].state != VC_FREE &&
		    pl_eq_str(call_id, v->calls[i].call_id))
			return &v->calls[i];
	return NULL;
}

static struct vcall *by_port(struct vm *v, uint16_t port)
{
	size_t i;

	if (port < v->cfg.port_lo || (port - v->cfg.port_lo) & 1)
		return NULL;
	i = (size_t)(port - v->cfg.port_lo) / 2;
	return i < v->ncalls ? &v->calls[i] : NULL;
}

static void reply(struct vm *v, const struct net_pkt *in,
		  const struct sip_msg *m, uint16_t code, const char *tag,
		  const struct sip_hdr_add *x, size_t nx,
		  const struct pl *body, struct vcall *keep)
{
	struct pl tg = pl_from_str(tag ? tag : ""), ct = PL("application/sdp");
	struct buf b;

	buf_init(&b);
	if (!sip_encode_response(&b, m, code, NULL, tag ? &tg : NULL, x, nx,
				 body ? &ct : NULL, body)) {
		vm_send(v, &in->to, &in->from, b.data, b.len);
		if (keep) {
			mem_free(keep->ok);
			keep->ok_len = b.len;
			keep->ok = (uint8_t *)buf_detach(&b);
		}
	}
	buf_fini(&b);
}

/* "user@host" of a URI. */
static void aor(const struct sip_uri *u, char *out, size_t sz)
{
	snprintf(out, sz, "%.*s@%.*s", PL_ARG(u->user), PL_ARG(u->host));
	if (strpbrk(out, "\r\n"))
		out[0] = '\0';
}

/* The offer's first G.711 format and its RTP address, or EPROTO. */
static int pick(const struct pl *body, struct vcall *c)
{
	struct sdp_session *s = mem_zalloc(sizeof(*s));
	const struct sdp_conn *cn;
	struct pl cur, f;
	char a[80];
	size_t i;
	int err = EPROTO;

	if (!s)
		return ENOMEM;
	if (sdp_decode(s, body))
		goto out;
	for (i = 0; i < s->media_cnt; i++) {
		if (!pl_eq_str(&s->media[i].type, "audio") ||
		    !s->media[i].port_n)
			continue;
		cur = s->media[i].fmts;
		while (sdp_fmt_next(&cur, &f))
			if (pl_eq_str(&f, "0") || pl_eq_str(&f, "8"))
				break;
		if (!pl_eq_str(&f, "0") && !pl_eq_str(&f, "8"))
			continue;
		c->pt = f.p[0] == '8' ? 8 : 0;
		cn = sdp_media_conn(s, i);
		if (cn && cn->addr.len < 64) {
			struct pl p;

			snprintf(a, sizeof(a), pl_chr(&cn->addr, ':') ?
				 "[%.*s]:%u" : "%.*s:%u", PL_ARG(cn->addr),
				 s->media[i].port_n);
			p = pl_from_str(a);
			c->have_rtp = !net_addr_parse(&p, 0, &c->rtp_dst);
			c->rtp_dst.tp = NET_UDP;
		}
		err = 0;
		break;
	}
out:
	mem_free(s);
	return err;
}

static void join_rr(const struct sip_msg *m, char *out, size_t sz)
{
	const struct sip_hdr *h;
	size_t n = 0;

	out[0] = '\0';
	for (h = sip_msg_hdr(m, SIP_HDR_RECORD_ROUTE); h && n < sz;
	     h = sip_msg_hdr_next(m, h))
		n += (size_t)snprintf(out + n, sz - n, "%s%.*s", n ? ", " : "",
				      PL_ARG(h->val));
	if (n >= sz)
		out[0] = '\0';	/* too long to keep: no BYE of ours */
}

static void invite(struct vm *v, const struct net_pkt *in,
		   const struct sip_msg *m)
{
	struct vcall *c = find(v, &m->call_id);
	struct sip_hdr_add x[2];
	char ip[64], contact[128], sdp[400];
	struct pl body;
	size_t i, nx = 0;
	int err;

	if (c) {	/* retransmission or re-INVITE: same answer */
		if (c->ok)
			vm_send(v, &in->to, &in->from, c->ok, c->ok_len);
		return;
	}
	for (i = 0; i < v->ncalls && v->calls[i].state != VC_FREE; i++)
		;
	if (i == v->ncalls) {
		v->st.busy++;
		reply(v, in, m, 486, NULL, NULL, 0, NULL, NULL);
		return;
	}
	c = &v->calls[i];
	err = m->body.len ? pick(&m->body, c) : EPROTO;
	if (err) {
		v->st.bad++;
		reply(v, in, m, 488, NULL, NULL, 0, NULL, NULL);
		c->have_rtp = false;
		return;
	}
	v->st.calls++;
	c->state = VC_WAIT_ACK;
	pl_strcpy(&m->call_id, c->call_id, sizeof(c->call_id));
	rng_hex(v->cfg.rng, c->ltag, 16);
	aor(&m->to.uri, c->owner, sizeof(c->owner));
	aor(&m->from.uri, c->caller, sizeof(c->caller));
	snprintf(c->from_hv, sizeof(c->from_hv), "%.*s", PL_ARG(m->from.raw));
	snprintf(c->to_hv, sizeof(c->to_hv), "%.*s;tag=%s",
		 PL_ARG(m->to.raw), c->ltag);
	if (m->ncontact)
		snprintf(c->target, sizeof(c->target), "%.*s",
			 PL_ARG(m->contact1.addr.uri.raw));
	join_rr(m, c->route, sizeof(c->route));
	c->peer = in->from;
	c->ssrc = rng_u32(v->cfg.rng);
	c->answer_us = v->now;
	c->beep_left = v->cfg.beep_ms / 20;
	net_addr_host(&v->cfg.media, ip, sizeof(ip));
	snprintf(sdp, sizeof(sdp), "v=0\r\no=voicemail %u 1 IN %s %s\r\n"
		 "s=voicemail\r\nc=IN %s %s\r\nt=0 0\r\nm=audio %u RTP/AVP "
		 "%u\r\na=rtpmap:%u %s/8000\r\na=ptime:20\r\na=sendrecv\r\n",
		 c->ssrc, net_addr_family(&v->cfg.media) == AF_INET6 ? "IP6" :
		 "IP4", ip, net_addr_family(&v->cfg.media) == AF_INET6 ?
		 "IP6" : "IP4", ip, c->port, c->pt, c->pt,
		 c->pt == 8 ? "PCMA" : "PCMU");
	body = pl_from_str(sdp);
	net_addr_str(&v->cfg.sip, ip, sizeof(ip));
	snprintf(contact, sizeof(contact), "<sip:voicemail@%s>", ip);
	x[nx].name = "Contact";
	x[nx++].val = pl_from_str(contact);
	if (c->route[0]) {
		x[nx].name = "Record-Route";
		x[nx++].val = pl_from_str(c->route);
	}
	reply(v, in, m, 200, c->ltag, x, nx, &body, c);
	c->retx_us = t1(v);
	c->retx_end_us = v->now + 64 * t1(v);
	vm_timer(v, c, &c->t_ok, TM_OK, c->retx_us);
	vm_timer(v, c, &c->t_max, TM_MAX,
		 (uint64_t)(v->cfg.max_s ? v->cfg.max_s : 120) * 1000000);
}

/* Our BYE at max_s: to the caller's Contact along the recorded route. */
static void send_bye(struct vm *v, struct vcall *c)
{
	char ip[64], branch[24];
	struct buf b;

	vm_save(v, c);
	if (!c->route[0] || !c->target[0]) {
		call_free(v, c);
		return;
	}
	rng_hex(v->cfg.rng, branch, 16);
	net_addr_str(&v->cfg.sip, ip, sizeof(ip));
	buf_init(&b);
	if (buf_printf(&b, "BYE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch="
		       "z9hG4bK%s;rport\r\nMax-Forwards: 70\r\nRoute: %s\r\n"
		       "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u BYE\r\n"
		       "Content-Length: 0\r\n\r\n", c->target, ip, branch,
		       c->route, c->to_hv, c->from_hv, c->call_id,
		       ++v->bye_cseq + 1000)) {
		buf_fini(&b);
		call_free(v, c);
		return;
	}
	c->bye_len = b.len;
	c->bye = (uint8_t *)buf_detach(&b);
	c->state = VC_BYE_SENT;
	/* The route set's first hop is the proxy the INVITE came from. */
	vm_send(v, &v->cfg.sip, &c->peer, c->bye, c->bye_len);
	c->retx_us = t1(v);
	c->retx_end_us = v->now + 64 * t1(v);
	vm_timer_stop(v, &c->t_beep);
	vm_timer_stop(v, &c->t_max);
	vm_timer(v, c, &c->t_bye, TM_BYE, c->retx_us);
}

static void request(struct vm *v, const struct net_pkt *in,
		    const struct sip_msg *m)
{
	struct vcall *c = find(v, &m->call_id);

	switch (m->mid) {
	case SIP_M_INVITE:
		if (!pl_isset(&m->to.tag) || c)
			invite(v, in, m);
		else
			reply(v, in, m, 481, NULL, NULL, 0, NULL, NULL);
		return;
	case SIP_M_ACK:
		if (c && c->state == VC_WAIT_ACK) {
			c->state = VC_UP;
			vm_timer_stop(v, &c->t_ok);
			vm_beep(v, c);
		}
		return;
	case SIP_M_BYE:
		reply(v, in, m, c ? 200 : 481, NULL, NULL, 0, NULL, NULL);
		if (c) {
			vm_save(v, c);
			call_free(v, c);
		}
		return;
	case SIP_M_CANCEL:	/* answered already: nothing to cancel */
	case SIP_M_OPTIONS:
		reply(v, in, m, 200, NULL, NULL, 0, NULL, NULL);
		return;
	default:
		reply(v, in, m, c ? 200 : 405, NULL, NULL, 0, NULL, NULL);
		return;
	}
}

int vm_input(struct vm *v, uint64_t now_us, const struct net_pkt *in)
{
	struct sip_msg *m;
	struct vcall *c;

	v->now = now_us;
	if (!in->data || !in->len)
		return 0;
	c = by_port(v, net_addr_port(&in->to));
	if (c && net_addr_port(&in->to) != net_addr_port(&v->cfg.sip)) {
		vm_rtp_input(v, c, in);
		return 0;
	}
	m = mem_alloc(sizeof(*m));
	if (!m)
		return ENOMEM;
	if (sip_msg_decode(m, in->data, in->len)) {
		v->st.bad++;
		mem_free(m);
		return 0;
	}
	if (m->is_req) {
		request(v, in, m);
	} else if (m->cseq.mid == SIP_M_NOTIFY) {
		vm_mwi_response(v, m);
	} else if (m->cseq.mid == SIP_M_BYE && m->scode >= 200) {
		c = find(v, &m->call_id);
		if (c && c->state == VC_BYE_SENT)
			call_free(v, c);
	}
	mem_free(m);
	return 0;
}

static void retx(struct vm *v, struct vcall *c, const uint8_t *d,
		 size_t len, uint32_t *id, int kind)
{
	if (v->now >= c->retx_end_us) {
		/* No ACK (or no answer to our BYE) in 64*T1: give up. */
		vm_save(v, c);
		call_free(v, c);
		return;
	}
	vm_send(v, &v->cfg.sip, &c->peer, d, len);
	c->retx_us = c->retx_us * 2 > 4000000 ? 4000000 : c->retx_us * 2;
	vm_timer(v, c, id, kind, c->retx_us);
}

int vm_timeout(struct vm *v, uint64_t now_us)
{
	struct tq_ent e;
	struct vcall *c;

	v->now = now_us;
	while (!tq_pop(&v->tq, now_us, &e)) {
		if (e.kind == TM_MWI) {
			vm_mwi_timer(v, e.arg);
			continue;
		}
		c = e.arg;
		switch (e.kind) {
		case TM_OK:
			c->t_ok = TQ_NONE;
			retx(v, c, c->ok, c->ok_len, &c->t_ok, TM_OK);
			break;
		case TM_BYE:
			c->t_bye = TQ_NONE;
			retx(v, c, c->bye, c->bye_len, &c->t_bye, TM_BYE);
			break;
		case TM_BEEP:
			c->t_beep = TQ_NONE;
			vm_beep(v, c);
			break;
		case TM_MAX:
			c->t_max = TQ_NONE;
			send_bye(v, c);
			break;
		default:
			break;
		}
	}
	return 0;
}

int vm_output(struct vm *v, struct net_out *out)
{
	mem_free(v->cur);
	v->cur = v->head;
	if (!v->cur)
		return ENOENT;
	v->head = v->cur->next;
	if (!v->head)
		v->tail = NULL;
	*out = v->cur->out;
	return 0;
}

uint64_t vm_deadline(struct vm *v)
{
	return tq_deadline(&v->tq);
}

void vm_stats(const struct vm *v, struct vm_stats *st)
{
	*st = v->st;
}

int vm_new(struct vm **vp, const struct vm_cfg *cfg)
{
	struct vm *v;
	size_t i, n;

	if (!vp || !cfg || !cfg->rng || !cfg->save ||
	    cfg->port_hi < cfg->port_lo || cfg->port_lo < 2)
		return EINVAL;
	n = (size_t)(cfg->port_hi - cfg->port_lo) / 2 + 1;
	if (n > MAX_CALLS)
		n = MAX_CALLS;
	v = mem_zalloc(sizeof(*v));
	if (!v)
		return ENOMEM;
	v->calls = mem_zalloc(n * sizeof(*v->calls));
	if (!v->calls) {
		mem_free(v);
		return ENOMEM;
	}
	v->cfg = *cfg;
	v->ncalls = n;
	tq_init(&v->tq);
	for (i = 0; i < n; i++) {
		v->calls[i].port = (uint16_t)(cfg->port_lo + 2 * i);
		buf_init(&v->calls[i].audio);
	}
	*vp = v;
	return 0;
}

void vm_free(struct vm *v)
{
	struct voq *q;
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->ncalls; i++) {
		if (v->calls[i].state != VC_FREE)
			vm_save(v, &v->calls[i]);
		call_free(v, &v->calls[i]);
		buf_fini(&v->calls[i].audio);
	}
	mem_free(v->calls);
	vm_mwi_fini(v);
	while ((q = v->head)) {
		v->head = q->next;
		mem_free(q);
	}
	mem_free(v->cur);
	tq_fini(&v->tq);
	mem_free(v);
}

static int c_input(void *c, uint64_t now, const struct net_pkt *in)
{
	return vm_input(c, now, in);
}

static int c_timeout(void *c, uint64_t now)
{
	return vm_timeout(c, now);
}

static int c_output(void *c, struct net_out *out)
{
	return vm_output(c, out);
}

static uint64_t c_deadline(void *c)
{
	return vm_deadline(c);
}

const struct core_ops vm_core_ops = {
	.name = "voicemail",
	.input = c_input,
	.timeout = c_timeout,
	.output = c_output,
	.deadline = c_deadline,
};
