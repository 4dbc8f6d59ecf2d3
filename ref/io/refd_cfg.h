/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refd's daemon state and its configuration checks, shared by
 * ref/app/refd.c (wiring, main) and ref/io/refd_cfg.c (every key of every
 * section checked before anything starts; the first bad one is reported
 * as FILE:LINE: [section] key: reason).
 */
#ifndef IO_REFD_CFG_H
#define IO_REFD_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/cfg.h"
#include "base/log.h"
#include "base/net.h"
#include "base/rng.h"
#include "io/io.h"
#include "io/io_conf.h"
#include "io/io_media.h"
#include "io/io_dns.h"
#include "io/refd_svc.h"
#include "msrp/msrp.h"
#include "push/push.h"
#include "sip/proxy.h"
#include "store/store.h"
#include "store/store_sip.h"
#include "web/web.h"
#include "xcap/xcap.h"

#define EXIT_CONFIG 2
#define EXIT_RUNTIME 1
#define MAX_NETWORKS 64
#define MAX_LISTEN 32

struct refd {
	struct cfg cfg;
	struct log log, io_log, sip_log;
	const char *domain, *data_dir, *policy, *realm;
	enum log_level level, sip_level;
	/* [sip] */
	const char *listen, *tls_cert, *tls_key, *tls_ca;
	int tls_verify_client, tls_verify_server, auth, sha256_first, sha256;
	struct net_addr listen_addrs[MAX_LISTEN];
	size_t nlisten;
	struct sip_net networks[MAX_NETWORKS];
	size_t nnetworks;
	uint32_t max_transactions, max_connections;
	uint64_t idle_timeout_s, write_queue, min_expires_s, max_expires_s;
	/* optional services */
	bool media, msrp, xcap, web;
	struct net_addr media_addr;
	struct io_media mg;	/* the relay, when [media] is there */
	uint32_t media_lo, media_hi;
	/* [msrp] */
	const char *msrp_listen, *msrp_host;
	struct msrp_net msrp_nets[MAX_NETWORKS];
	size_t nmsrp_nets;
	uint32_t msrp_max_sessions;
	struct msrp_relay *msrp_relay;
	struct io_core *msrp_core;
	struct store *store;
	/* runtime */
	struct io_loop *loop;
	struct io_core *sip;
	struct sip_proxy *proxy;
	struct rng rng;
	uint8_t nonce_secret[32];
	/* store batching for the SIP core's rows */
	bool in_batch;
	bool in_read;		/* store_read_begin window open (refd.c) */
	uint64_t batch_due;
	struct io_core *flush;
	/* the retention engine ([platform] policy) */
	struct refd_retention ret;
	struct io_core *ret_core;
	struct xcap_http *xcap_http;	/* [xcap] listen, its own thread */
	/* [web] (ref/web, its own thread) and [mail] */
	const char *web_cert, *web_key;	/* NULL: plain = yes */
	const char *web_operators;
	uint32_t web_session_s;
	struct web_http *web_http;
	const char *mail_smtp, *mail_from;
	struct store_sip sg;		/* proxy hooks -> ref/store */
	/* [push] (RFC 8599 wake-ups, P9): the gateway, the INVITE wait */
	bool push;
	const char *push_gateway;
	uint64_t push_wait_s, push_timeout_s;
	uint32_t push_queue;
	struct push *pusher;		/* its worker thread */
	struct io_dns *dns;		/* next hops that are names */
	struct net_addr dns_server;	/* [dns] server, when set */
	bool dns_server_set;
	struct io_core *dns_core;
	struct sip_store_ops sg_ops;
	struct refd_vm *vm;		/* [voicemail] (io/refd_vm.h) */
	struct io_conf conf;		/* [conference]: the focus */
};

/* Every permitted key of the config file. */
extern const struct cfg_key refd_keys[];
extern const size_t refd_nkeys;

/* Check one area of d->cfg into d; 0, or EINVAL with d->cfg.err set. */
int refd_check_platform(struct refd *d);
int refd_check_sip(struct refd *d);
int refd_check_services(struct refd *d);
/* mkdir -p with mode 0700. 0 or errno. */
int refd_make_dir(const char *path);

/* The closing figures, one log line per service (refd_stats.c). */
void refd_log_stats(struct refd *d);

#endif
