/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OTR client of otr.h over libotr 4's message API: the application
 * callbacks (policy, inject_message, instance tags, secure-state changes)
 * are the only ones a two-party text chat needs; the rest are left NULL,
 * which libotr allows. The policy is "always": v3 only, encryption
 * required, so a message is never sent in clear by mistake.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libotr/proto.h>
#include <libotr/userstate.h>
#include <libotr/privkey.h>
#include <libotr/message.h>
#include <libotr/instag.h>
#include <libotr/context.h>
#include "base/mem.h"
#include "ua/otr.h"

#define PROTO "msrp"
#define OUTBOX 16

struct outmsg {
	char *msg;
	char peer[128];
};

struct ua_otr {
	OtrlUserState us;
	char account[128];
	char fpr[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
	struct outmsg out[OUTBOX];
	size_t nout;
	int overflow;
};

static int g_init;

static OtrlPolicy op_policy(void *opdata, ConnContext *ctx)
{
	(void)opdata;
	(void)ctx;
	return OTRL_POLICY_ALLOW_V3 | OTRL_POLICY_REQUIRE_ENCRYPTION;
}

static void op_inject(void *opdata, const char *account, const char *proto,
		      const char *recipient, const char *message)
{
	struct ua_otr *o = opdata;
	struct outmsg *m;

	(void)account;
	(void)proto;
	if (o->nout == OUTBOX) {
		o->overflow = 1;
		return;
	}
	m = &o->out[o->nout];
	m->msg = mem_strdup(message);
	if (!m->msg) {
		o->overflow = 1;
		return;
	}
	snprintf(m->peer, sizeof(m->peer), "%s", recipient);
	o->nout++;
}

static int op_logged_in(void *opdata, const char *account, const char *proto,
			const char *recipient)
{
	(void)opdata;
	(void)account;
	(void)proto;
	(void)recipient;
	return 1;
}

static int op_max_size(void *opdata, ConnContext *ctx)
{
	(void)opdata;
	(void)ctx;
	return 0;	/* MSRP carries any size: no fragmentation */
}

/* Instance tags are random per account; kept in memory. */
static void op_instag(void *opdata, const char *account, const char *proto)
{
	struct ua_otr *o = opdata;
	FILE *f = tmpfile();

	if (!f)
		return;
	(void)otrl_instag_generate_FILEp(o->us, f, account, proto);
	fclose(f);
}

static const OtrlMessageAppOps ops = {
	.policy = op_policy,
	.is_logged_in = op_logged_in,
	.inject_message = op_inject,
	.max_message_size = op_max_size,
	.create_instag = op_instag,
};

int ua_otr_new(struct ua_otr **op, const char *account)
{
	struct ua_otr *o;
	gcry_error_t ge;
	FILE *f;

	if (!g_init) {
		if (otrl_init(OTRL_VERSION_MAJOR, OTRL_VERSION_MINOR,
			      OTRL_VERSION_SUB))
			return EIO;
		g_init = 1;
	}
	o = mem_zalloc(sizeof(*o));
	if (!o)
		return ENOMEM;
	snprintf(o->account, sizeof(o->account), "%s", account);
	o->us = otrl_userstate_create();
	f = tmpfile();
	if (!o->us || !f) {
		if (f)
			fclose(f);
		ua_otr_free(o);
		return EIO;
	}
	ge = otrl_privkey_generate_FILEp(o->us, f, o->account, PROTO);
	fclose(f);
	if (ge || !otrl_privkey_fingerprint(o->us, o->fpr, o->account,
					    PROTO)) {
		ua_otr_free(o);
		return EIO;
	}
	*op = o;
	return 0;
}

/*
 * libotr 4.1 frees every context but not its context_priv block (a known
 * upstream leak: otrl_context_forget() clears the block's contents, not
 * the block). Collect them first, free them after the user state.
 */
static void us_free(OtrlUserState us)
{
	ConnContextPriv *priv[64];
	ConnContext *c;
	size_t n = 0, i;

	for (c = us->context_root; c && n < 64; c = c->next)
		if (c->context_priv)
			priv[n++] = c->context_priv;
	otrl_userstate_free(us);
	for (i = 0; i < n; i++)
		free(priv[i]);
}

void ua_otr_free(struct ua_otr *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->nout; i++)
		mem_free(o->out[i].msg);
	if (o->us)
		us_free(o->us);
	mem_free(o);
}

int ua_otr_start(struct ua_otr *o, const char *peer)
{
	char *q = otrl_proto_default_query_msg(o->account, op_policy(o,
								     NULL));

	if (!q)
		return ENOMEM;
	op_inject(o, o->account, PROTO, peer, q);
	free(q);
	return o->overflow ? ENOBUFS : 0;
}

int ua_otr_receive(struct ua_otr *o, const char *peer, const char *msg,
		   char *out, size_t sz, int *got)
{
	char *plain = NULL;
	OtrlTLV *tlvs = NULL;
	int internal;

	*got = 0;
	internal = otrl_message_receiving(o->us, &ops, o, o->account, PROTO,
					  peer, msg, &plain, &tlvs, NULL,
					  NULL, NULL);
	if (tlvs)
		otrl_tlv_free(tlvs);
	if (internal) {
		/* a protocol message, consumed */
		otrl_message_free(plain);
		return o->overflow ? ENOBUFS : 0;
	}
	/* not internal: a data message (plain set) or clear text (NULL) */
	if (!plain) {
		if (!ua_otr_secure(o, peer))
			return EACCES;
		snprintf(out, sz, "%s", msg);
		*got = 1;
		return EACCES;	/* clear text inside a session: refused */
	}
	snprintf(out, sz, "%s", plain);
	*got = 1;
	otrl_message_free(plain);
	return 0;
}

int ua_otr_secure(const struct ua_otr *o, const char *peer)
{
	ConnContext *c = otrl_context_find(o->us, peer, o->account, PROTO,
					   OTRL_INSTAG_BEST, 0, NULL, NULL,
					   NULL);

	return c && c->msgstate == OTRL_MSGSTATE_ENCRYPTED;
}

int ua_otr_send(struct ua_otr *o, const char *peer, const char *plain)
{
	char *enc = NULL;
	gcry_error_t ge;

	if (!ua_otr_secure(o, peer))
		return ENOTCONN;
	ge = otrl_message_sending(o->us, &ops, o, o->account, PROTO, peer,
				  OTRL_INSTAG_BEST, plain, NULL, &enc,
				  OTRL_FRAGMENT_SEND_SKIP, NULL, NULL, NULL);
	if (ge || !enc) {
		otrl_message_free(enc);
		return EIO;
	}
	op_inject(o, o->account, PROTO, peer, enc);
	otrl_message_free(enc);
	return o->overflow ? ENOBUFS : 0;
}

int ua_otr_next(struct ua_otr *o, char **msg, char *peer, size_t peersz)
{
	if (!o->nout)
		return ENOENT;
	*msg = o->out[0].msg;
	snprintf(peer, peersz, "%s", o->out[0].peer);
	memmove(&o->out[0], &o->out[1], (o->nout - 1) * sizeof(o->out[0]));
	o->nout--;
	return 0;
}

const char *ua_otr_fingerprint(const struct ua_otr *o)
{
	return o->fpr;
}
