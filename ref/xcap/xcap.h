/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XCAP server (RFC 4825) for presence contacts (POLICY.md P5): the
 * resource-lists (RFC 4826) and pres-rules (RFC 5025) application usages,
 * whole documents only, stored through store.h with ETags. Only the owner
 * reads and writes: the XUI of the URI must be the authenticated user.
 *
 * Two layers. xcap_handle() is the protocol core: one request (already
 * authenticated by the driver) in, one response out, no sockets. The
 * HTTP driver (xcap_http_*) runs it under libmicrohttpd with digest
 * authentication (RFC 7616, MD5) against the accounts' HA1, in its own
 * thread with its own store connection.
 *
 * Known limit: node selectors ("/~~/", RFC 4825 6.3) are answered 501;
 * clients such as baresip and Jitsi work on whole documents.
 */
#ifndef XCAP_XCAP_H
#define XCAP_XCAP_H

#include <stdint.h>
#include "base/buf.h"
#include "base/pl.h"
#include "store/store.h"

struct xcap_req {
	struct pl method;	/* "GET" "PUT" "DELETE" */
	struct pl path;		/* URL path, e.g.
				 * /xcap-root/resource-lists/users/
				 * sip:alice@example.test/index */
	struct pl ctype;	/* Content-Type of a PUT */
	struct pl if_match;	/* header values, empty if absent */
	struct pl if_none_match;
	struct pl body;
	struct pl user;		/* authenticated "user@domain" */
	int64_t now_us;		/* wall clock, for the stored row */
};

struct xcap_resp {
	int status;
	const char *ctype;	/* static string, NULL: no body type */
	char etag[48];		/* quoted-less tag, empty: none */
	const char *allow;	/* Allow header for 405, else NULL */
	struct buf body;	/* caller does buf_init / buf_fini */
};

/*
 * Answer one request. root is the XCAP root path ("/xcap-root"). Returns
 * 0 with resp->status set (errors of the client are responses: 4xx with
 * an RFC 4825 <xcap-error> body where one applies), or ENOMEM/EIO when
 * the store fails (the driver answers 500).
 */
int xcap_handle(struct store *s, const char *root, const struct xcap_req *r,
		struct xcap_resp *resp);

/*
 * Check a document for an application usage: well-formed XML, no DTD or
 * entity declarations (no XXE), the right root element and namespace and
 * the usage's child elements. 0, or EBADMSG (not well-formed) or EINVAL
 * (schema) with a short reason in why.
 */
int xcap_validate(const struct pl *auid, const struct pl *body, char *why,
		  size_t whysz);

/*
 * HTTP file store (POLICY.md P11), served beside XCAP under "/files":
 *   POST   /files/<recipient aor>/<name>  upload (owner = the user), 201
 *          with {"id":N,"size":N,"encrypted":bool}
 *   GET    /files                         the user's files (JSON array)
 *   GET    /files/<id>                    download: owner or recipient
 *   DELETE /files/<id>                    owner or recipient
 * Someone else's file is 404, as a missing one (no probing). After an
 * upload the oldest files are evicted down to quota_bytes (0: leave it to
 * the retention engine, store_purge, which also expires by age).
 */
int xcap_files_handle(struct store *s, uint64_t quota_bytes,
		      const struct xcap_req *r, struct xcap_resp *resp);

/* ---- presence authorization (RFC 5025), xcap_rules.c ------------------ */

/* sub-handling values, in RFC 5025 order (most permissive last). */
enum {
	XCAP_SUB_BLOCK = 0,
	XCAP_SUB_CONFIRM,
	XCAP_SUB_POLITE_BLOCK,
	XCAP_SUB_ALLOW,
};

/*
 * The sub-handling that watcher ("user@domain") gets from a pres-rules
 * document (common-policy ruleset): the most permissive value of the
 * rules whose conditions hold; XCAP_SUB_CONFIRM when none gives one or
 * the document cannot be read.
 */
int xcap_pres_rules_eval(const struct pl *doc, const char *watcher);
/*
 * The same from the store: presentity's "pres-rules/index" document.
 * XCAP_SUB_ALLOW when the presentity has written none.
 */
int xcap_sub_handling(struct store *s, const char *presentity,
		      const char *watcher);

/* ---- HTTP driver (libmicrohttpd) ---------------------------------------- */

struct xcap_http;

struct xcap_http_cfg {
	const char *listen;	/* "127.0.0.1:8080", port 0: any */
	const char *data_dir;	/* opens its own store connection */
	const char *domain;	/* the users' domain */
	const char *realm;	/* digest realm ([sip] realm); NULL: domain */
	const char *root;	/* NULL: "/xcap-root" */
	uint32_t max_body;	/* XCAP documents; 0: 1 MiB */
	uint32_t max_file;	/* uploads; 0: 64 MiB */
	uint64_t file_quota;	/* P11 quota ([files] quota); 0: none here */
};

int xcap_http_start(struct xcap_http **hp, const struct xcap_http_cfg *cfg,
		    char *err, size_t errsz);
/* The bound port (useful with port 0). */
uint16_t xcap_http_port(const struct xcap_http *h);
void xcap_http_stop(struct xcap_http *h);

#endif
