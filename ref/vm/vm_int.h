/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the voicemail UA shared by vm.c (SIP dialogs, timers,
 * output queue) and vm_media.c (RTP recording, the beep, G.711).
 */
#ifndef VM_VM_INT_H
#define VM_VM_INT_H

#include <stdbool.h>
#include "base/buf.h"
#include "base/tq.h"
#include "vm/vm.h"

enum vcall_state {
	VC_FREE = 0,
	VC_WAIT_ACK,		/* 200 sent, retransmitted until ACK */
	VC_UP,			/* recording */
	VC_BYE_SENT,		/* we hung up (max_s), waiting for 200 */
};

enum { TM_OK = 1, TM_MAX, TM_BEEP, TM_BYE, TM_MWI };

#define VM_MWI_MAX 32

/* One MWI NOTIFY waiting for its final response. */
struct vmwi {
	bool used;
	char call_id[40];
	uint8_t *req;
	size_t len;
	uint64_t retx_us, end_us;
	uint32_t t;
};

struct vcall {
	enum vcall_state state;
	uint16_t port;		/* our RTP port */
	char call_id[128];
	char ltag[24];		/* our To tag */
	char owner[128], caller[128];
	char from_hv[320];	/* From of the INVITE: To of our BYE */
	char to_hv[320];	/* To of the INVITE: From of our BYE (+tag) */
	char target[256];	/* Contact URI of the caller */
	char route[1024];	/* Record-Route values, as received */
	struct net_addr peer;	/* where the INVITE came from (the proxy) */
	struct net_addr rtp_dst;	/* caller's RTP (latched on input) */
	bool have_rtp;
	uint8_t pt;		/* 0 PCMU, 8 PCMA */
	uint8_t *ok;		/* our 200 to the INVITE */
	size_t ok_len;
	uint8_t *bye;		/* our BYE, retransmitted */
	size_t bye_len;
	struct buf audio;	/* the caller's G.711 payload */
	bool saved;
	uint64_t answer_us, retx_us, retx_end_us;
	uint32_t t_ok, t_max, t_beep, t_bye;
	uint32_t beep_left;	/* packets */
	uint16_t seq;
	uint32_t ts, ssrc;
};

struct voq {
	struct voq *next;
	struct net_out out;
	size_t len;
	uint8_t data[];
};

struct vm {
	struct vm_cfg cfg;
	struct tq tq;
	struct vcall *calls;
	size_t ncalls;
	struct voq *head, *tail, *cur;
	struct vm_stats st;
	uint64_t now;
	uint32_t bye_cseq;
	struct vmwi mwi[VM_MWI_MAX];
};

/* vm.c */
int vm_send(struct vm *v, const struct net_addr *src,
	    const struct net_addr *dst, const void *d, size_t len);
int vm_timer(struct vm *v, struct vcall *c, uint32_t *id, int kind,
	     uint64_t in_us);
void vm_timer_stop(struct vm *v, uint32_t *id);

/* vm_mwi.c */
/* A response to one of our NOTIFYs (msg decoded by vm_input). */
struct sip_msg;
void vm_mwi_response(struct vm *v, const struct sip_msg *m);
void vm_mwi_timer(struct vm *v, struct vmwi *w);
void vm_mwi_fini(struct vm *v);

/* vm_media.c */
/* An RTP datagram arrived on one of our ports. */
void vm_rtp_input(struct vm *v, struct vcall *c, const struct net_pkt *in);
/* One beep packet (20 ms) to the caller; re-arms itself. */
void vm_beep(struct vm *v, struct vcall *c);
/* Hand what c recorded to the save hook (once). */
void vm_save(struct vm *v, struct vcall *c);

#endif
