/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Glue between the SIP proxy core's store hooks (struct sip_store_ops,
 * sip/proxy.h) and store.h: HA1 lookup and account existence for digest
 * auth, session traces (P6), CDRs (P16), MESSAGE storage (P10) and, where
 * no push gateway is wired, the push log of wake-ups (P9). The
 * proxy's trace and CDR hooks return nothing, so failed writes are
 * counted here for the daemon to report. Writes go into whatever batch the
 * driver has open (store_batch_begin/commit around one loop turn).
 */
#ifndef STORE_STORE_SIP_H
#define STORE_STORE_SIP_H

#include <stdint.h>
#include "sip/proxy.h"
#include "store/store.h"

struct store_sip {
	struct store *st;	/* borrowed */
	uint64_t write_errors;	/* trace/CDR writes that failed */
	uint64_t traces, cdrs, messages, pushes, deliveries;
};

/* Point ops at the glue (ops->arg = g). g and st outlive the proxy. */
void store_sip_init(struct store_sip *g, struct store *st,
		    struct sip_store_ops *ops);

#endif
