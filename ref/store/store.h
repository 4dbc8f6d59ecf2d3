/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The platform's one store interface (POLICY.md P1-P18): accounts, session
 * traces, CDRs, messages with per-device delivery, files and voicemail
 * (metadata rows + blobs under data_dir), push log, XCAP documents,
 * purchases, operator audit log, user export, account deletion and the
 * retention purge. Callers see plain structs of slices and never SQL, so a
 * PostgreSQL backend can implement the same functions; the one backend
 * today is SQLite (data_dir/platform.db, WAL, secure_delete).
 *
 * Not sans-IO in the socket sense, but clock-free: every time is given by
 * the caller in microseconds since the Unix epoch (`*_us`), so retention
 * runs as of any instant (DESIGN.md: a pure function of stores, policy,
 * now). All functions return 0 or an errno: EINVAL bad argument, ENOENT
 * not found, EEXIST duplicate, EBUSY database locked past the busy
 * timeout, EIO any other backend failure (store_errmsg() says which).
 *
 * Strings are `struct pl` both ways. On input they are borrowed for the
 * call. In rows handed to a list callback they point into backend memory
 * valid only during that callback: copy what you keep.
 *
 * Single deletes (a user deleting a message, file, voicemail or XCAP
 * document) remove the row at once; their old bytes leave the WAL at the
 * next store_scrub, which every store_purge ends with (refd purges every
 * [purge] within, POLICY.md's "within 1 hour"). Blobs are wiped at once.
 *
 * One struct store is used from one thread. Several processes may open the
 * same data_dir at once (refd and refctl): WAL readers never block, and
 * writers wait up to the busy timeout.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "base/pl.h"
#include "base/buf.h"

struct store;
struct policy;

/* ---- open / close / batching ----------------------------------------- */

struct store_opts {
	uint32_t busy_timeout_ms;	/* 0: 5000 */
	int sync_full;		/* 1: synchronous=FULL (power-loss safe);
				 * 0: NORMAL, safe against process crash */
	int no_autocheckpoint;	/* 1: commits never copy the WAL into the
				 * database (a latency-critical connection;
				 * someone must call store_checkpoint) */
	/* Instead of the busy timeout: called while another connection
	 * holds the write lock, count = calls so far; non-zero retries,
	 * 0 gives up (EBUSY). SQLite's own handler backs off to 100 ms
	 * sleeps and can miss short gaps between another writer's
	 * transactions; a caller that must not wait long polls faster. */
	int (*busy_fn)(void *arg, int count);
	void *busy_arg;
};

/*
 * Process-wide SQLite settings, for a daemon's main() before its first
 * store_open: no allocation statistics, which take a global mutex on
 * every SQLite malloc and free (about 6% of the CPU of a call's trace and
 * CDR rows, measured with 7 trace rows and a CDR per call; nothing here
 * reads them), and SQLite's memory from per-thread free lists
 * (store_mem.c: Debian's SQLite has no lookaside and mallocs ~70 times
 * per call). 0, or EBUSY if SQLite is already initialised (the defaults
 * then stay; nothing breaks).
 */
int store_global_init(void);
/*
 * Open (creating if needed) the stores under data_dir: the directory,
 * data_dir/platform.db, data_dir/files/, data_dir/voicemail/. Applies
 * pending schema migrations. opts may be NULL. On failure *sp is NULL and
 * err (if given) holds a one-line reason.
 */
int store_open(struct store **sp, const char *data_dir,
	       const struct store_opts *opts, char *err, size_t errsz);
/*
 * A PASSIVE WAL checkpoint: copy what the WAL holds into the database as
 * far as readers allow, without blocking writers or waiting. For the
 * connection that checkpoints on behalf of one opened with
 * no_autocheckpoint. 0 or EIO.
 */
int store_checkpoint(struct store *s);
/*
 * fn(arg) runs after each chunk of a purge or quota eviction, outside any
 * transaction: a connection purging beside a latency-critical writer can
 * pause there so the writer gets the lock (the store itself never
 * sleeps). NULL: none.
 */
void store_set_yield(struct store *s, void (*fn)(void *arg), void *arg);
/* Commit an open batch, checkpoint, finalize statements. NULL ok. */
void store_close(struct store *s);
/* Last backend error, one line (never contains row data). */
const char *store_errmsg(const struct store *s);
/* Schema version after migrations. */
int store_schema_version(const struct store *s);

/*
 * Group commit: between begin and commit, writes share one transaction
 * (the live driver brackets one event-loop turn). A write outside a batch
 * commits on its own. Returning from commit means durable against a
 * process crash. Nested begin is EPROTO.
 */
int store_batch_begin(struct store *s);
int store_batch_commit(struct store *s);
/* Discard the writes of the open batch. */
int store_batch_rollback(struct store *s);
/*
 * Read window: reads up to store_read_end share one read transaction
 * (one snapshot) instead of taking and dropping SQLite's WAL read lock
 * each (fcntl calls and the WAL index header every time: a third of a
 * digest REGISTER's storage time). A daemon opens it for a lookup on its
 * loop and ends it with its group commit, so what another process wrote
 * is seen within that window. Inside a batch it is the batch. Any write
 * path of the store (a batch, a transaction, a write statement, raw SQL)
 * ends the window first, so a write never upgrades a stale snapshot.
 * 0, or an errno.
 */
int store_read_begin(struct store *s);
int store_read_end(struct store *s);

/* ---- accounts (P1-P3) ------------------------------------------------- */

#define STORE_HA1_MD5_LEN	32
#define STORE_HA1_SHA256_LEN	64

enum store_ha1_alg {
	STORE_HA1_MD5 = 0,	/* RFC 2617/7616 MD5 */
	STORE_HA1_SHA256,	/* RFC 7616/8760 SHA-256 */
};

struct store_account {
	int64_t id;		/* output only */
	struct pl user;		/* "alice" */
	struct pl domain;	/* "example.test" */
	struct pl display;	/* display name, may be empty */
	struct pl email;	/* P3: recovery/deletion only, may be empty */
	struct pl ha1_md5;	/* hex, MD5(user:realm:pass) */
	struct pl ha1_sha256;	/* hex, SHA-256(user:realm:pass) */
	struct pl pwhash;	/* argon2id string (crypto_pwhash_str) */
	int voicemail;		/* P14 enabled */
	int pgp;		/* user announces OpenPGP */
	int64_t created_us;
};

/*
 * Fill the three password hashes of a from the clear password, realm =
 * domain. Hex/argon2 text goes into out (caller storage, reused for the
 * slices in a). The password is not kept; out is wiped by the caller when
 * done (store_hash_fini). ENOMEM when argon2id cannot get its memory.
 */
struct store_hashes {
	char md5[STORE_HA1_MD5_LEN + 1];
	char sha256[STORE_HA1_SHA256_LEN + 1];
	char pwhash[128];
};
int store_hash_password(struct store_account *a, struct store_hashes *out,
			const char *password);
/* Same with an explicit digest realm (refd's [sip] realm when set). */
int store_hash_password_realm(struct store_account *a,
			      struct store_hashes *out, const char *realm,
			      const char *password);

/*
 * The argon2id cost (P2's "slow salted hash"): memory and passes, one lane.
 * The default is libsodium's "interactive" (64 MiB, 2 passes, tens of ms
 * and 64 MiB of page faults per hash). The floor is OWASP's lowest argon2id
 * setting (19 MiB, 2 passes): below it a hash no longer counts as slow, so
 * store_hash_password_kdf refuses it (EINVAL) whatever the caller's config.
 * The policy file sets it ([passwords] hash_memory, hash_passes).
 */
struct store_kdf {
	uint64_t mem_bytes;
	uint32_t passes;
};
#define STORE_KDF_MEM_DEFAULT	(64ull << 20)
#define STORE_KDF_PASSES_DEFAULT 2u
#define STORE_KDF_MEM_MIN	(19ull << 20)
#define STORE_KDF_PASSES_MIN	2u
#define STORE_KDF_MEM_MAX	(4ull << 30)
#define STORE_KDF_PASSES_MAX	64u
/* 0 when kdf is within [MIN, MAX] (both fields), else EINVAL. */
int store_kdf_check(const struct store_kdf *kdf);
/* store_hash_password_realm at cost kdf (NULL: the default). */
int store_hash_password_kdf(struct store_account *a,
			    struct store_hashes *out, const char *realm,
			    const char *password, const struct store_kdf *kdf);
void store_hash_fini(struct store_hashes *h);
/* Check a clear password against a stored argon2id string: 0 or EACCES. */
int store_pwhash_verify(const struct pl *pwhash, const char *password);

/* Add an account. EEXIST when user@domain exists. *id_out may be NULL. */
int store_account_add(struct store *s, const struct store_account *a,
		      int64_t *id_out);
/*
 * Digest auth lookup (hot path): copy the hex HA1 of user@domain for alg
 * into ha1 (size >= 65). ENOENT when there is no such account.
 */
int store_account_ha1(struct store *s, const struct pl *user,
		      const struct pl *domain, enum store_ha1_alg alg,
		      char *ha1, size_t ha1sz);

typedef int (store_account_fn)(void *arg, const struct store_account *a);
/* One account by "user@domain"; ENOENT. */
int store_account_get(struct store *s, const struct pl *aor,
		      store_account_fn *fn, void *arg);
/* Every account, by aor. A non-zero return from fn stops and is returned. */
int store_account_list(struct store *s, store_account_fn *fn, void *arg);
int store_account_set_flags(struct store *s, const struct pl *aor,
			    int voicemail, int pgp);
/* P3/P14 from the portal (store_web.c): the e-mail address (empty:
 * none) and whether voicemail is also e-mailed. ENOENT: no account. */
int store_account_set_email(struct store *s, const struct pl *aor,
			    const struct pl *email);
int store_account_vm_email(struct store *s, const struct pl *aor, int *on);
int store_account_set_vm_email(struct store *s, const struct pl *aor,
			       int on);

/*
 * Replace the three password hashes of an account (a->user, a->domain and
 * the hashes from store_hash_password*). ENOENT when there is no such
 * account. The old hashes leave the files at the next scrub.
 */
int store_account_set_password(struct store *s,
			       const struct store_account *a);

/*
 * P3: one-time tokens for password recovery and deletion confirmation,
 * sent to the account's e-mail. The caller gives 16 random bytes (the
 * store draws no randomness); token (>= 33 bytes) gets their hex, and
 * only its SHA-256 is stored. store_token_use consumes a live token: 0,
 * or EACCES for a wrong, used or expired one. Expired tokens go with the
 * purge, all of a user's with account deletion.
 */
enum store_token_kind {
	STORE_TOKEN_RECOVERY = 1,
	STORE_TOKEN_DELETION = 2,
};
int store_token_new(struct store *s, const struct pl *aor,
		    enum store_token_kind kind, const uint8_t random[16],
		    int64_t expires_us, char *token, size_t tokensz);
int store_token_use(struct store *s, const struct pl *aor,
		    enum store_token_kind kind, const char *token,
		    int64_t now_us);

/* What account deletion removed and what it kept (P18). */
struct store_delete_report {
	uint64_t accounts, xcap, messages, deliveries, files, voicemail,
		 traces, cdrs, push;
	uint64_t billing_kept;		/* P17 rows kept */
	int64_t billing_until_us;	/* latest expiry of a kept row, 0 if none */
};

/*
 * Remove every row and blob of the account in every store (P18): XCAP,
 * messages to/from, deliveries, files owned or addressed, voicemail,
 * traces and CDRs of calls where it is a party, push log. Billing rows
 * are kept; with pol (may be NULL) the report says until when. Ends with
 * the same scrub as a purge (no byte left in db, WAL or blobs). ENOENT if
 * no account and nothing else held for it.
 */
int store_account_delete(struct store *s, const struct pl *aor,
			 const struct policy *pol,
			 struct store_delete_report *rep);

/* ---- session traces (P6) ---------------------------------------------- */

struct store_trace {
	int64_t id;		/* output only */
	int64_t time_us;
	struct pl call_id;
	struct pl caller;	/* aor "user@domain" */
	struct pl callee;
	int dir_out;		/* 0: received by the platform, 1: sent */
	struct pl transport;	/* "udp" "tcp" "tls" */
	struct pl src;		/* "ip:port" */
	struct pl dst;
	struct pl summary;	/* start line */
	struct pl msg;		/* the message, already redacted by caller */
};

int store_trace_add(struct store *s, const struct store_trace *t);
typedef int (store_trace_fn)(void *arg, const struct store_trace *t);
/* Traces in time order; user (aor) may be NULL for all (operator). */
int store_trace_list(struct store *s, const struct pl *user,
		     store_trace_fn *fn, void *arg);
/* The traces of one call (store_web.c), time order; user (NULL: any)
 * must be a party of each row returned. */
int store_trace_call(struct store *s, const struct pl *call_id,
		     const struct pl *user, store_trace_fn *fn, void *arg);

/* ---- call detail records (P16) --------------------------------------- */

struct store_cdr {
	int64_t id;		/* output only */
	struct pl call_id;
	struct pl caller, callee;	/* aor */
	int64_t setup_us;
	int64_t answer_us;	/* 0: not answered */
	int64_t end_us;		/* end or failure time; retention runs from it */
	int64_t duration_ms;	/* answer to end */
	int status;		/* final status code */
	struct pl hangup_by;	/* "caller" "callee" "platform" or empty */
	struct pl caller_sig, callee_sig;	/* signalling "ip:port" */
	struct pl caller_media, callee_media;	/* from the SDP */
	struct pl caller_ua, callee_ua;		/* User-Agent / Server */
	struct pl kind;		/* "" a call, "conference" a room leg */
	/* What the media relay saw, per direction: [0] what the caller sent,
	 * [1] what the callee sent (P12: counts, never payload). relay is
	 * the relay's ip:port that side sent to; empty: not relayed. */
	struct pl relay[2];
	int64_t packets[2], bytes[2], lost[2], jitter_us[2];
};

int store_cdr_add(struct store *s, const struct store_cdr *c);
typedef int (store_cdr_fn)(void *arg, const struct store_cdr *c);
int store_cdr_list(struct store *s, const struct pl *user,
		   store_cdr_fn *fn, void *arg);
/*
 * For the portal (store_web.c): user's CDRs (NULL: all) newest first,
 * limit rows from offset; how many there are; one by id, ENOENT unless
 * user (NULL: anyone) is a party. These rows carry id, call_id, caller,
 * callee, the times, duration, status, hangup_by and kind only.
 */
int store_cdr_page(struct store *s, const struct pl *user, uint64_t offset,
		   uint32_t limit, store_cdr_fn *fn, void *arg);
int store_cdr_count(struct store *s, const struct pl *user, uint64_t *n);
int store_cdr_get(struct store *s, int64_t id, const struct pl *user,
		  store_cdr_fn *fn, void *arg);

/* ---- messages (P10) --------------------------------------------------- */

struct store_msg {
	int64_t id;		/* output only */
	int64_t time_us;
	struct pl sender, recipient;	/* aor */
	struct pl content_type;
	struct pl body;		/* as received */
	int encrypted;		/* output; on input computed by the store */
};

/*
 * Whether a body of this content type is OpenPGP (RFC 4880/9580 ASCII
 * armor or binary packets, PGP/MIME multipart/encrypted,
 * application/pgp-encrypted). Used for messages and files.
 */
int store_body_is_pgp(const struct pl *content_type, const uint8_t *body,
		      size_t len);

/* Store a message, marking it encrypted or clear. *id_out may be NULL. */
int store_msg_add(struct store *s, const struct store_msg *m,
		  int64_t *id_out);
typedef int (store_msg_fn)(void *arg, const struct store_msg *m);
/* Messages sent to or by user (NULL: all), oldest first. */
int store_msg_list(struct store *s, const struct pl *user, store_msg_fn *fn,
		   void *arg);
/* Messages to user not yet delivered to device (multi-device sync). */
int store_msg_pending(struct store *s, const struct pl *user,
		      const struct pl *device, store_msg_fn *fn, void *arg);
/* Record delivery of msg id to device. Idempotent. */
int store_msg_delivered(struct store *s, int64_t id, const struct pl *device,
			int64_t time_us);
/* The recipient (or sender) deletes a message: ENOENT if not theirs. */
int store_msg_delete(struct store *s, int64_t id, const struct pl *user);
/* Total count of messages for user (as recipient). */
int store_msg_count(struct store *s, const struct pl *user, uint64_t *n);

/* ---- files (P11) and voicemail (P14): rows + blobs -------------------- */

struct store_file {
	int64_t id;		/* output only */
	int64_t time_us;
	struct pl owner;	/* uploader aor */
	struct pl recipient;	/* aor or empty */
	struct pl name;
	struct pl content_type;
	uint64_t size;		/* output only */
	int encrypted;		/* output; computed by the store */
};

/* Store a blob under data_dir/files/ and its row. */
int store_file_add(struct store *s, const struct store_file *f,
		   const uint8_t *data, size_t len, int64_t *id_out);
typedef int (store_file_fn)(void *arg, const struct store_file *f);
int store_file_get(struct store *s, int64_t id, store_file_fn *fn,
		   void *arg);
/* Files owned by or addressed to user (NULL: all), oldest first. */
int store_file_list(struct store *s, const struct pl *user,
		    store_file_fn *fn, void *arg);
/* Read the blob into out (appended). */
int store_file_read(struct store *s, int64_t id, struct buf *out);
/* Delete (owner or recipient), blob wiped. ENOENT if not theirs. */
int store_file_delete(struct store *s, int64_t id, const struct pl *user);
/* Bytes of all stored files. */
int store_file_usage(struct store *s, uint64_t *bytes);
/*
 * P11 quota: delete files oldest first (rows, then wiped blobs) until the
 * total is at most quota_bytes. Part of store_purge; also run right after
 * an upload so the store never stays over its quota until the next purge.
 * The rows' bytes leave the database at the next scrub. Counts may be
 * NULL.
 */
int store_file_quota(struct store *s, uint64_t quota_bytes,
		     uint64_t *evicted, uint64_t *bytes);

struct store_vm {
	int64_t id;		/* output only */
	int64_t time_us;
	struct pl owner;	/* mailbox aor */
	struct pl caller;	/* aor or number of the caller */
	int64_t duration_ms;
	uint64_t size;		/* output only */
	int heard;
};

/*
 * Wrap G.711 samples as received in RTP (PT 0 PCMU: alaw 0, PT 8 PCMA:
 * alaw 1) into a WAV file (RIFF, WAVE_FORMAT_MULAW 7 / ALAW 6, 8 kHz,
 * mono, 8 bit, with the fact chunk non-PCM formats need), appended to
 * out: the recording store_vm_add() keeps. No transcoding.
 */
int store_wav_g711(struct buf *out, int alaw, const uint8_t *samples,
		   size_t n);

/* Store a WAV under data_dir/voicemail/ and its row. */
int store_vm_add(struct store *s, const struct store_vm *v,
		 const uint8_t *wav, size_t len, int64_t *id_out);
typedef int (store_vm_fn)(void *arg, const struct store_vm *v);
int store_vm_list(struct store *s, const struct pl *owner, store_vm_fn *fn,
		  void *arg);
int store_vm_read(struct store *s, int64_t id, struct buf *out);
/* Full path of the WAV (for an e-mail attachment), into path. */
int store_vm_path(struct store *s, int64_t id, char *path, size_t sz);
int store_vm_delete(struct store *s, int64_t id, const struct pl *owner);

/* ---- push log (P9) ---------------------------------------------------- */

struct store_push {
	int64_t id;
	int64_t time_us;
	struct pl user;		/* aor woken */
	struct pl provider;	/* RFC 8599 pn-provider */
	struct pl kind;		/* "call" "message" */
	int status;		/* gateway HTTP status, 0: not reached */
};

int store_push_add(struct store *s, const struct store_push *p);
typedef int (store_push_fn)(void *arg, const struct store_push *p);
int store_push_list(struct store *s, const struct pl *user,
		    store_push_fn *fn, void *arg);

/* ---- XCAP documents (P5) ---------------------------------------------- */

struct store_xcap {
	struct pl user;		/* owner aor */
	struct pl auid;		/* "resource-lists" "pres-rules" */
	struct pl doc;		/* document name, e.g. "index" */
	struct pl etag;
	struct pl body;
	int64_t time_us;
};

/* Insert or replace a document. */
int store_xcap_put(struct store *s, const struct store_xcap *x);
typedef int (store_xcap_fn)(void *arg, const struct store_xcap *x);
/* One document; ENOENT. */
int store_xcap_get(struct store *s, const struct pl *user,
		   const struct pl *auid, const struct pl *doc,
		   store_xcap_fn *fn, void *arg);
int store_xcap_list(struct store *s, const struct pl *user,
		    store_xcap_fn *fn, void *arg);
int store_xcap_delete(struct store *s, const struct pl *user,
		      const struct pl *auid, const struct pl *doc);

/* ---- billing (P17) ---------------------------------------------------- */

struct store_purchase {
	int64_t id;		/* output only */
	int64_t time_us;
	struct pl user;		/* aor; kept after account deletion */
	int64_t amount_cents;
	struct pl name;		/* full name */
	struct pl address;
};

int store_purchase_add(struct store *s, const struct store_purchase *p,
		       int64_t *id_out);
typedef int (store_purchase_fn)(void *arg, const struct store_purchase *p);
int store_purchase_list(struct store *s, const struct pl *user,
			store_purchase_fn *fn, void *arg);

/* ---- operator audit log ----------------------------------------------- */

/* detail must carry no personal data (no aor, e-mail): ids and counts. */
int store_audit_add(struct store *s, int64_t time_us, const char *actor,
		    const char *action, const char *detail);
typedef int (store_audit_fn)(void *arg, int64_t time_us,
			     const struct pl *actor, const struct pl *action,
			     const struct pl *detail);
int store_audit_list(struct store *s, store_audit_fn *fn, void *arg);
/*
 * The portal's operator accesses (store_web.c): one audit row naming the
 * user whose data an operator read (subject aor), so that user's export
 * lists it; the rows go with the account (P18) or the audit retention.
 */
int store_audit_access(struct store *s, int64_t time_us, const char *actor,
		       const struct pl *subject, const char *action,
		       const char *detail);
/* The audit rows about subject, oldest first. */
int store_audit_list_user(struct store *s, const struct pl *subject,
			  store_audit_fn *fn, void *arg);
/* Delete the audit rows about subject (account deletion). */
int store_audit_forget(struct store *s, const struct pl *subject);

/* ---- retention (all rows with a period) -------------------------------- */

struct store_purge_report {
	uint64_t traces, cdrs, push, messages, files, files_quota,
		 billing, audit, tokens;
	uint64_t file_bytes;	/* bytes of blobs removed */
	int vacuumed;		/* a VACUUM was needed to scrub */
	int scrub_pending;	/* rows deleted, but another process kept the
				 * WAL busy: the next scrub finishes it */
};

/*
 * The retention engine: delete every row and blob whose period under pol
 * has passed as of now_us (traces, CDRs, push log, messages, files by
 * size class, then files oldest-first down to the quota, billing, audit),
 * in bounded chunks so a running daemon can interleave its writes; then
 * scrub: VACUUM and checkpoint the WAL to zero length so no byte of
 * purged data stays in any file under data_dir. rep may be NULL. When a
 * writer in another process keeps the WAL busy, returns 0 with
 * rep->scrub_pending set: run it again (refd purges in its own process,
 * where this cannot happen).
 */
int store_purge(struct store *s, const struct policy *pol, int64_t now_us,
		struct store_purge_report *rep);

/*
 * Make deleted bytes unreadable: VACUUM when anything was deleted since
 * the last scrub (or force), then checkpoint (TRUNCATE) so the -wal is
 * empty. Called by purge and account deletion; *vacuumed (may be NULL)
 * says whether VACUUM ran. EBUSY when another process's reader kept the
 * WAL (retry later). VACUUM rewrites the whole .db: its cost grows with
 * the database (see README for measured figures).
 */
int store_scrub(struct store *s, int force, int *vacuumed);

/* ---- export (data-protection access request) ------------------------- */

/*
 * Everything held about user as one JSON document appended to out:
 * account (without hash values), XCAP, messages, files, voicemail list,
 * CDRs, traces, push log, billing. ENOENT if nothing is held.
 */
int store_export_user(struct store *s, const struct pl *user,
		      struct buf *out);

#endif
