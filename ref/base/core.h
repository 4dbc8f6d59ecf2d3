/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sans-IO contract every protocol core exposes (STYLE.md 2.6), as a
 * small vtable so one driver (live epoll, in-process virtual network, ns-3)
 * can run any core without knowing it.
 *
 * Stream transports: the driver hands the core raw byte chunks of one
 * connection (pkt.conn_id != 0); the core frames them itself. A chunk with
 * data == NULL and len == 0 means the connection closed. A core asks for a
 * connection by sending to dst with conn_id 0; the driver reuses one it
 * has to dst or opens it, and reports its id in later input.
 */
#ifndef BASE_CORE_H
#define BASE_CORE_H

#include <stdint.h>
#include "base/net.h"

struct core_ops {
	const char *name;
	/* Bytes in from a peer. Errors are the core's business: it answers
	 * protocol errors on the wire and returns 0; non-zero only for
	 * ENOMEM and the like. */
	int (*input)(void *core, uint64_t now_us, const struct net_pkt *in);
	/* Fire every deadline <= now_us. */
	int (*timeout)(void *core, uint64_t now_us);
	/* Next action; ENOENT when none. out->data valid until next call. */
	int (*output)(void *core, struct net_out *out);
	/* Earliest pending deadline, UINT64_MAX if none. */
	uint64_t (*deadline)(void *core);
};

struct core_ref {
	const struct core_ops *ops;
	void *core;
};

#endif
