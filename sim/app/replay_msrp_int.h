/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the MSRP re-drive (replay_msrp_run.c): one session's two ends
 * and the transport that connects them to a relay, real sockets
 * (replay_msrp_run.c) or the in-process network with the relay core on it
 * (replay_msrp_vnet.c). The session logic (AUTH, paths, chunks in
 * capture order, the verdict) is shared; a transport only opens an end,
 * moves bytes and tells the time.
 */
#ifndef APP_REPLAY_MSRP_INT_H
#define APP_REPLAY_MSRP_INT_H

#include "app/replay_msrp.h"

struct mend {
	struct rpl_mcl cl;	/* AUTHed client, or the direct end's sender */
	struct rpl_mcl rx;	/* direct end: what the relay brings it */
	bool direct, cl_up, rx_up;
	const struct rpl_acct *acct;
	/* sockets */
	int fd, lfd, afd;
	size_t wrote, awrote;
	/* in process: the end's cores (sender, receiver) */
	void *vc[2];
	/* expected at this end: what the other end sent in the capture */
	uint64_t want_chunks, want_msgs, want_bytes;
	uint32_t want_hash;
	char want_types[128];
};

struct mdrv {
	/* Sockets/cores of end i and its client(s) set up (rpl_mcl_init,
	 * AUTH started unless direct); session ids from tag. 0, or an
	 * errno with err set. */
	int (*open)(struct mdrv *d, struct mend *x, int i, uint32_t tag,
		    char *err, size_t errsz);
	/* Move bytes for up to wait_us. 0, EPIPE, EBADMSG. */
	int (*pump)(struct mdrv *d, struct mend *e, uint64_t wait_us);
	void (*close)(struct mdrv *d, struct mend *x);
	uint64_t (*now)(struct mdrv *d);
	char relay_uri[128];
	const char *check;	/* check name: "msrp", "msrp inproc" */
	const char *pfx;	/* metrics: "msrp_live", "msrp_inproc" */
	void *arg;
};

/* Every session of m's script through d; checks and metrics into sum. */
void rmsrp_drive(struct rmsrp *m, struct rep_summary *sum, const char *file,
		 const struct rmsrp_opts *o, struct mdrv *d);
/* What the relay brings an end (its receiver for a direct end). */
static inline const struct rpl_mcl *rmsrp_rxcl(const struct mend *e)
{
	return e->direct ? &e->rx : &e->cl;
}

#endif
