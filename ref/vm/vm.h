/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The voicemail user agent (POLICY.md P14): a sans-IO SIP UAS that the
 * proxy's failure route sends unanswered calls to. It answers every
 * INVITE with 200 and a G.711 answer (PCMU or PCMA, whichever the offer
 * lists first), plays a short beep so the caller knows to speak, records
 * the caller's RTP payload as received (no transcoding) until the
 * caller's BYE or max_s, and hands the recording to the driver as a WAV
 * (store_wav_g711) through the save hook. It also ends a call itself with
 * a BYE at max_s, and when the ACK never comes (64*T1).
 *
 * The mailbox is the To user@host of the INVITE (the proxy keeps To and
 * puts the voicemail address in the Request-URI); the caller is From's
 * user@host. Whether a user has voicemail on is the proxy's question
 * (its failure route), not this core's.
 *
 * Sans-IO (STYLE.md 2.6): no sockets, clock or store. The driver binds
 * cfg->sip (UDP) and the RTP ports port_lo..port_hi (even ports) on
 * cfg->media's address, feeds datagrams to vm_input, and the save hook
 * stores the recording (refd: store_vm_add, then the e-mail worker).
 *
 * Known limits: UDP only; one audio stream; RTP is recorded in arrival
 * order (a lost packet is a gap, not silence); SRTP/zRTP calls are
 * answered but their media is encrypted, so nothing is recorded (saved
 * only when at least one G.711 packet came).
 */
#ifndef VM_VM_H
#define VM_VM_H

#include <stddef.h>
#include <stdint.h>
#include "base/core.h"
#include "base/log.h"
#include "base/net.h"
#include "base/rng.h"

/* One finished recording; every pointer valid during the save call. */
struct vm_rec {
	const char *owner;	/* mailbox "user@host" (To of the INVITE) */
	const char *caller;	/* "user@host" of From */
	const char *call_id;
	uint64_t start_wall_us;	/* answer time, wall clock */
	uint64_t duration_ms;	/* recorded audio (8 samples = 1 ms) */
	int alaw;		/* 0: PCMU, 1: PCMA */
	const uint8_t *wav;	/* RIFF/WAVE G.711, 8 kHz mono */
	size_t wav_len;
};

typedef void (vm_save_fn)(void *arg, const struct vm_rec *r);

struct vm_cfg {
	struct net_addr sip;	/* our SIP address (UDP) */
	struct net_addr media;	/* RTP address; its port is ignored */
	uint16_t port_lo, port_hi;	/* RTP ports, even ones used; one
					 * call each */
	uint32_t max_s;		/* recording limit; 0: 120 */
	uint32_t beep_ms;	/* beep after answer; 0: none */
	uint64_t t1_us;		/* 0: 500 ms */
	int64_t wall_offset_us;	/* wall = now + offset */
	struct rng *rng;	/* borrowed, required (tags, branches) */
	const struct log *log;	/* borrowed, may be NULL */
	vm_save_fn *save;	/* required */
	void *arg;
	struct net_addr proxy;	/* where MWI NOTIFYs go (the SIP proxy);
				 * port 0: no MWI */
};

struct vm_stats {
	uint64_t calls, saved, empty, busy, bad, bytes;
	uint64_t mwi_sent, mwi_ok, mwi_failed;
};

struct vm;

/* Create. cfg is copied (rng, log, arg borrowed). EINVAL, ENOMEM. */
int vm_new(struct vm **vp, const struct vm_cfg *cfg);
/* Free; calls still up are saved first (what was recorded). NULL ok. */
void vm_free(struct vm *v);

int vm_input(struct vm *v, uint64_t now_us, const struct net_pkt *in);
int vm_timeout(struct vm *v, uint64_t now_us);
int vm_output(struct vm *v, struct net_out *out);
uint64_t vm_deadline(struct vm *v);
void vm_stats(const struct vm *v, struct vm_stats *st);

extern const struct core_ops vm_core_ops;

/*
 * Message waiting indication (RFC 3842): an unsolicited NOTIFY (Event:
 * message-summary, RFC 3842 5.2 body "Voice-Message: new/old") for owner
 * ("user@domain") sent through cfg->proxy, which delivers it to the
 * owner's registered devices; retransmitted until a final response or
 * 64*T1. From is sip:voicemail@voicemail.invalid, so the proxy does not
 * challenge it as one of its own users. The driver calls it after a save
 * with the mailbox's counts. ENOENT without cfg->proxy, EOVERFLOW when 32
 * NOTIFYs are still pending, EINVAL.
 */
int vm_mwi(struct vm *v, const char *owner, unsigned new_msgs,
	   unsigned old_msgs);

#endif
