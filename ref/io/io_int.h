/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private structures of the live driver, shared by its files: the loop
 * (io_loop.c), datagram sockets (io_udp.c), stream connections
 * (io_conn.c) and the OpenSSL glue (io_tls.c). Nothing outside ref/io/
 * includes this.
 */
#ifndef IO_IO_INT_H
#define IO_IO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <openssl/ssl.h>
#include "base/buf.h"
#include "io/io.h"

#define IO_BATCH	32		/* recvmmsg/sendmmsg vector */
#define IO_DGRAM_MAX	65536		/* one datagram */
#define IO_TX_ARENA	(256 * 1024)	/* copies of batched datagrams */
#define IO_READ_MAX	65536		/* one stream read */

enum io_sk_kind {
	SK_UDP = 1,
	SK_LISTEN,	/* TCP or TLS listener */
	SK_CONN,
	SK_SIGNAL,
};

/* What epoll's data.ptr points to. */
struct io_sock {
	enum io_sk_kind kind;
	int fd;
	struct io_core *core;
	struct net_addr local;	/* bound address, tp set */
	uint32_t events;	/* current epoll interest */
};

struct io_udp {
	struct io_sock sk;
	uint32_t id;		/* handle; 0 for listeners */
	struct io_udp *next;	/* the loop's list */
	struct io_udp *prev;
	struct io_udp *hnext;	/* bucket of its local port */
	struct io_udp *pnext;	/* the loop's pending list */
	bool dead;
	bool pending;		/* left unread at the read bound: on pending */
};

/* UDP sockets indexed by local port: a relay holds thousands and every
 * datagram it sends must find its own in O(1), not by a list walk. */
#define IO_UHASH 4096

struct io_listener {
	struct io_sock sk;
	struct io_listener *next;
};

enum io_conn_state {
	CS_CONNECTING = 0,	/* non-blocking connect under way */
	CS_HANDSHAKE,		/* TLS handshake */
	CS_OPEN,
	CS_DEAD,		/* closed; freed at the end of the turn */
};

struct io_conn {
	struct io_sock sk;
	uint64_t id;
	struct net_addr peer;	/* tp = transport */
	enum io_conn_state state;
	bool outgoing;
	bool announced;		/* the core knows the id: tell it the close */
	bool hs_want_write;	/* TLS handshake waits for EPOLLOUT */
	bool close_after_flush;	/* NET_OUT_CLOSE with bytes queued */
	bool tls_write_wants_read;
	bool tls_read_wants_write;
	SSL *ssl;
	struct buf wq;		/* plaintext queued for the peer */
	size_t wq_off;		/* bytes of wq already written */
	uint64_t last_us;	/* last activity, for the idle sweep */
	uint64_t start_us;	/* connect/accept time, for the setup bound */
	struct io_conn *id_next, *addr_next;	/* hash chains */
	struct io_conn *lru_prev, *lru_next;	/* oldest activity first */
	struct io_conn *dead_next;
};

struct io_core {
	const struct core_ops *ops;	/* NULL: sink */
	void *core;
	io_drain_fn *on_drain;
	void *on_drain_arg;
	bool in_hook;		/* no re-entry from its own hook */
	struct io_core *next;
};

struct io_allow {
	struct net_addr pfx;
	unsigned bits;
};

/* Datagrams copied out of a core, waiting for one sendmmsg. */
struct io_txbatch {
	struct io_udp *u;
	unsigned n;
	size_t used;
	struct mmsghdr msgs[IO_BATCH];
	struct iovec iov[IO_BATCH];
	struct sockaddr_storage dst[IO_BATCH];
	uint8_t *arena;
};

struct io_loop {
	int epfd;
	struct log *log;
	struct log own_log;
	struct io_opts o;
	int64_t wall_offset_us;
	uint64_t now_us;
	bool stop;
	bool shutdown;		/* io_shutdown: write only, cores not called */
	bool rx_batch;		/* inside a recvmmsg batch: flush after it */
	struct io_stats st;

	struct io_core *cores;
	struct io_udp *udps;
	struct io_udp *uhash[IO_UHASH];
	struct io_udp *udp_dead;	/* closed this turn */
	struct io_udp *udp_pending;	/* edge-triggered, not drained yet */
	struct io_listener *listeners;
	uint32_t next_udp_id;

	/* connections: by id and by (core, tp, peer), LRU by activity */
	struct io_conn **by_id, **by_addr;
	size_t nbuckets, nconns;
	uint64_t next_conn_id;
	struct io_conn *lru_head, *lru_tail;
	struct io_conn *dead;		/* closed this turn, not yet freed */
	uint64_t next_sweep_us;

	struct io_allow *allow;
	size_t nallow;

	SSL_CTX *tls_srv, *tls_cli;

	struct io_sock sigsk;
	io_hup_fn *hup;
	void *hup_arg;

	/* receive side: one recvmmsg vector, one stream read buffer */
	struct mmsghdr rx_msgs[IO_BATCH];
	struct iovec rx_iov[IO_BATCH];
	struct sockaddr_storage rx_from[IO_BATCH];
	uint8_t *rx_bufs;		/* IO_BATCH * IO_DGRAM_MAX */
	uint8_t *rd_buf;		/* IO_READ_MAX */
	struct io_txbatch tx;
};

/* io_loop.c */
int io_epoll_set(struct io_loop *l, struct io_sock *sk, uint32_t events);
void io_epoll_del(struct io_loop *l, struct io_sock *sk);
int io_deliver(struct io_loop *l, struct io_core *c, const struct net_pkt *p);
bool io_allowed(const struct io_loop *l, const struct net_addr *a);
void io_sockaddr_to_net(const struct sockaddr_storage *ss, enum net_tp tp,
			struct net_addr *out);

/* io_udp.c */
int io_udp_bind(struct io_loop *l, struct io_core *c, struct net_addr *a,
		uint32_t id, struct io_udp **up);
void io_udp_event(struct io_loop *l, struct io_udp *u, uint32_t ev);
int io_udp_send(struct io_loop *l, struct io_core *c,
		const struct net_out *o);
void io_udp_flush(struct io_loop *l);
void io_udp_free_all(struct io_loop *l);
void io_udp_free_all_dead(struct io_loop *l);
/* Set up the receive vector once (io_loop_new). */
void io_udp_rx_init(struct io_loop *l);
/* Read on from the sockets left with data at the last turn's bound;
 * true when some are left again (the next turn must not sleep). */
bool io_udp_pending_run(struct io_loop *l);

/* io_conn.c */
int io_conn_table_init(struct io_loop *l);
void io_conn_table_fini(struct io_loop *l);
int io_listener_open(struct io_loop *l, struct io_core *c, struct net_addr *a);
void io_listener_event(struct io_loop *l, struct io_listener *ls);
void io_conn_event(struct io_loop *l, struct io_conn *cn, uint32_t ev);
int io_conn_send(struct io_loop *l, struct io_core *c,
		 const struct net_out *o);
int io_conn_close_req(struct io_loop *l, struct io_core *c, uint64_t id);
void io_conn_sweep(struct io_loop *l);
void io_conn_reap(struct io_loop *l);
void io_conn_kill(struct io_loop *l, struct io_conn *cn, const char *why);
/* Connections with bytes queued; each gets a write attempt first. */
size_t io_conn_flush_all(struct io_loop *l);

/* io_tls.c */
int io_tls_init(struct io_loop *l, char *err, size_t errsz);
void io_tls_fini(struct io_loop *l);
/* 0 done, EAGAIN in progress (interest updated), else failed. */
int io_tls_handshake(struct io_loop *l, struct io_conn *cn);
/* Like read(2): >0 bytes, 0 EOF, -1 with errno (EAGAIN). */
ssize_t io_tls_read(struct io_loop *l, struct io_conn *cn, void *buf,
		    size_t len);
ssize_t io_tls_write(struct io_loop *l, struct io_conn *cn, const void *buf,
		     size_t len);
int io_tls_start(struct io_loop *l, struct io_conn *cn, bool client);

#endif
