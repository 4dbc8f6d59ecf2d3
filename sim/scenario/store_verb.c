/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The store verbs of the scenario language, carried like a client would
 * carry them, in every mode:
 *   file A B [size=] [pgp=on] [name=] [canary=]
 *       A uploads a file for B over the platform's HTTP file store
 *       (POST /files/B/NAME), B downloads it (GET /files/ID) and must get
 *       the same bytes; with pgp=on the content is the canary encrypted
 *       to a key pair of B's (OpenPGP), and B must decrypt it.
 *   voicemail A B [duration=] [canary=]
 *       A calls B, who does not answer (B's devices, if any, decline
 *       with 486); the proxy's failure route sends the call to the
 *       platform's voicemail UA, A's RTP carries the canary for the
 *       duration and hangs up; one more recording must be in B's mailbox.
 *   buddies A B C... [canary=]
 *       A PUTs an XCAP resource-lists document naming B, C... (the canary
 *       is the list's display name) and reads it back.
 * HTTP goes through the mode's scn_http_fn: libcurl with digest auth to
 * refd's [xcap] listen (live), or the same request handed to the XCAP
 * and file-store cores in process (xcap_handle, xcap_files_handle) as
 * the already-authenticated user (inproc, sim). In the in-process modes
 * the voicemail UA runs on the virtual network at 127.0.0.12:5071 (RTP
 * 41000-41063) with the proxy's failure route pointed at it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include "base/mem.h"
#include "inproc/vnet.h"
#include "store/store.h"
#include "ua/pgp.h"
#include "vm/vm.h"
#include "xcap/xcap.h"
#include "scenario/inproc.h"
#include "scenario/live.h"
#include "scenario/run_steps.h"
#include "scenario/uas.h"

#define SLICE_US 20000ULL

/* ---- HTTP: in process ------------------------------------------------- */

int scn_http_inproc(void *arg, const struct scn_acct *a, const char *method,
		    const char *path, const char *ctype, const uint8_t *body,
		    size_t len, int *status, struct buf *out, char *err,
		    size_t errsz)
{
	struct scn_ctx *c = arg;
	struct scn_inproc *ip = c->be_state;
	struct xcap_req r;
	struct xcap_resp resp;
	char user[200];
	int e;

	scn_aor(c, a->name, user, sizeof(user));
	memset(&r, 0, sizeof(r));
	r.method = pl_from_str(method);
	r.path = pl_from_str(path);
	r.ctype = pl_from_str(ctype ? ctype : "");
	r.body = pl_from_mem((const char *)body, len);
	r.user = pl_from_str(user);
	r.now_us = c->now_us;
	buf_init(&resp.body);
	e = !strncmp(path, "/files", 6) ?
		xcap_files_handle(ip->st, ip->pol.file_quota_bytes, &r, &resp) :
		xcap_handle(ip->st, "/xcap-root", &r, &resp);
	if (e)
		snprintf(err, errsz, "%s %s: store: %s", method, path,
			 store_errmsg(ip->st));
	else
		e = buf_put(out, resp.body.data, resp.body.len);
	*status = resp.status;
	buf_fini(&resp.body);
	return e;
}

/* ---- HTTP: libcurl with digest auth (live) ----------------------------- */

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
	return buf_put(arg, p, sz * n) ? 0 : sz * n;
}

int scn_http_live(void *arg, const struct scn_acct *a, const char *method,
		  const char *path, const char *ctype, const uint8_t *body,
		  size_t len, int *status, struct buf *out, char *err,
		  size_t errsz)
{
	struct scn_live *l = arg;
	struct curl_slist *h = NULL;
	char url[600], ct[200];
	long code = 0;
	CURLcode rc;
	CURL *cu = curl_easy_init();

	if (!cu)
		return ENOMEM;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s",
		 (unsigned)SCN_LIVE_XCAP_PORT(l), path);
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
	curl_easy_setopt(cu, CURLOPT_USERNAME, a->name);
	curl_easy_setopt(cu, CURLOPT_PASSWORD, a->password);
	curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, out);
	if (body) {
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	if (ctype) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		h = curl_slist_append(h, ct);
		curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	}
	rc = curl_easy_perform(cu);
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(cu);
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "%s %s: %s", method, url,
			 curl_easy_strerror(rc));
		return EIO;
	}
	*status = (int)code;
	return 0;
}

/* ---- file ------------------------------------------------------------- */

static int http(struct scn_uas *u, const struct scn_acct *a,
		const char *method, const char *path, const char *ctype,
		const uint8_t *body, size_t len, int want, struct buf *out,
		char *err, size_t errsz)
{
	int status = 0, e;

	if (!u->http) {
		snprintf(err, errsz, "no HTTP service in this mode");
		return ENOTSUP;
	}
	buf_reset(out);
	e = u->http(u->http_arg, a, method, path, ctype, body, len, &status,
		    out, err, errsz);
	if (!e && status != want) {
		snprintf(err, errsz, "%s %s as %s: HTTP %d (want %d)", method,
			 path, a->name, status, want);
		e = EPROTO;
	}
	return e;
}

/* The plain content: the canary, then filler up to size. */
static int content(const char *canary, uint64_t size, struct buf *b)
{
	int e = buf_put_str(b, canary);

	while (!e && b->len < size)
		e = buf_put_u8(b, (uint8_t)('a' + b->len % 26));
	return e;
}

static int do_file(struct scn_ctx *c, struct scn_uas *u,
		   const struct scn_traffic *t, char *err, size_t errsz)
{
	const char *pgp = scn_opt(t->st, "pgp"), *name = scn_opt(t->st, "name");
	bool enc = pgp && !strcmp(pgp, "on");
	uint64_t size = scn_opt_u64(t->st, "size", 4096);
	const struct ua_pgp *key = NULL;
	struct buf plain, body, resp, pub;
	char path[400], to[200], fname[64];
	const char *idp;
	long long id = 0;
	int e;

	if (size > 64u << 20) {
		snprintf(err, errsz, "file size %llu: at most 64 MiB",
			 (unsigned long long)size);
		return EINVAL;
	}
	buf_init(&plain);
	buf_init(&body);
	buf_init(&resp);
	buf_init(&pub);
	scn_aor(c, t->b->name, to, sizeof(to));
	snprintf(fname, sizeof(fname), "%s", name ? name : "bench-file.bin");
	e = content(t->canary, size, &plain);
	if (!e && enc) {
		struct pl pp;

		/* B's key pair; A encrypts to B's public key, as a client */
		e = scn_acct_pgp_key(c, t->b->name, to, &key);
		if (!e)
			e = ua_pgp_export(key, &pub);
		pp = buf_pl(&pub);
		if (!e)
			e = ua_pgp_encrypt(&pp, plain.data, plain.len, &body);
		if (e)
			snprintf(err, errsz, "OpenPGP: %s", strerror(e));
	} else if (!e) {
		e = buf_put(&body, plain.data, plain.len);
	}
	snprintf(path, sizeof(path), "/files/%s/%s", to, fname);
	if (!e)
		e = http(u, t->a, "POST", path, enc ? "application/pgp-encrypted"
			 : "application/octet-stream", body.data, body.len,
			 201, &resp, err, errsz);
	if (!e) {
		buf_put_u8(&resp, 0);
		idp = strstr((char *)resp.data, "\"id\":");
		if (!idp || sscanf(idp + 5, "%lld", &id) != 1 || id <= 0) {
			snprintf(err, errsz, "upload answer has no id: %.80s",
				 (char *)resp.data);
			e = EPROTO;
		} else if (enc != (strstr((char *)resp.data,
					  "\"encrypted\":true") != NULL)) {
			snprintf(err, errsz, "the store marked the file %s",
				 enc ? "clear" : "encrypted");
			e = EPROTO;
		}
	}
	/* B downloads it: the bytes stored are the bytes sent. */
	snprintf(path, sizeof(path), "/files/%lld", id);
	if (!e)
		e = http(u, t->b, "GET", path, NULL, NULL, 0, 200, &resp, err,
			 errsz);
	if (!e && (resp.len != body.len ||
		   memcmp(resp.data, body.data, body.len))) {
		snprintf(err, errsz, "download of file %lld differs from the "
			 "upload (%zu bytes, sent %zu)", id, resp.len,
			 body.len);
		e = EPROTO;
	}
	if (!e && enc) {
		buf_reset(&pub);
		e = ua_pgp_decrypt(key, resp.data, resp.len, &pub);
		if (e || pub.len != plain.len ||
		    memcmp(pub.data, plain.data, plain.len)) {
			snprintf(err, errsz, "%s cannot decrypt the file: %s",
				 t->b->name, e ? strerror(e) : "differs");
			e = e ? e : EPROTO;
		}
	}
	buf_fini(&plain);
	buf_fini(&body);
	buf_fini(&resp);
	buf_fini(&pub);
	return e;
}

/* ---- buddies ---------------------------------------------------------- */

static int do_buddies(struct scn_ctx *c, struct scn_uas *u,
		      const struct scn_traffic *t, char *err, size_t errsz)
{
	struct buf doc, resp;
	char aor[200], path[400];
	size_t i;
	int e;

	buf_init(&doc);
	buf_init(&resp);
	scn_aor(c, t->a->name, aor, sizeof(aor));
	e = buf_printf(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<resource-lists xmlns=\"urn:ietf:params:xml:ns:"
		       "resource-lists\">\n <list name=\"buddies\">\n"
		       "  <display-name>%s</display-name>\n", t->canary);
	for (i = 1; !e && i < t->st->argc; i++) {
		char b[200];

		scn_aor(c, t->st->argv[i], b, sizeof(b));
		e = buf_printf(&doc, "  <entry uri=\"sip:%s\"/>\n", b);
	}
	if (!e)
		e = buf_put_str(&doc, " </list>\n</resource-lists>\n");
	snprintf(path, sizeof(path), "/xcap-root/resource-lists/users/sip:%s/"
		 "index", aor);
	if (!e) {
		int st = 0;

		if (!u->http) {
			snprintf(err, errsz, "no XCAP service in this mode");
			e = ENOTSUP;
		} else {
			e = u->http(u->http_arg, t->a, "PUT", path,
				    "application/resource-lists+xml",
				    doc.data, doc.len, &st, &resp, err,
				    errsz);
			if (!e && st != 200 && st != 201) {
				snprintf(err, errsz, "PUT %s: HTTP %d", path,
					 st);
				e = EPROTO;
			}
		}
	}
	if (!e)
		e = http(u, t->a, "GET", path, NULL, NULL, 0, 200, &resp, err,
			 errsz);
	if (!e && (resp.len != doc.len || memcmp(resp.data, doc.data,
						 doc.len))) {
		snprintf(err, errsz, "the buddy list read back differs");
		e = EPROTO;
	}
	buf_fini(&doc);
	buf_fini(&resp);
	return e;
}

/* ---- pres-rules (RFC 5025) ------------------------------------------- */

/*
 * presrules A allow=B,C block=D polite=E confirm=F: A's pres-rules
 * document (common-policy, one rule per sub-handling) PUT over XCAP as a
 * client would, and read back. The proxy then applies it to SUBSCRIBEs
 * for A (refd's and the inproc core's same xcap_sub_handling).
 */
static int do_presrules(struct scn_ctx *c, struct scn_uas *u,
			const struct scn_traffic *t, char *err, size_t errsz)
{
	static const char *const keys[4] = { "allow", "block", "polite",
					     "confirm" };
	static const char *const vals[4] = { "allow", "block", "polite-block",
					     "confirm" };
	struct buf doc, resp;
	char aor[200], path[400], who[200], list[400], *tok, *save;
	const struct scn_acct *w;
	size_t i;
	int e;

	buf_init(&doc);
	buf_init(&resp);
	scn_aor(c, t->a->name, aor, sizeof(aor));
	e = buf_put_str(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<cp:ruleset xmlns:cp=\"urn:ietf:params:xml:ns:"
			"common-policy\"\n    xmlns:pr=\"urn:ietf:params:xml:"
			"ns:pres-rules\">\n");
	for (i = 0; !e && i < 4; i++) {
		const char *v = scn_opt(t->st, keys[i]);

		if (!v)
			continue;
		e = buf_printf(&doc, " <cp:rule id=\"%s\">\n  <cp:conditions>"
			       "<cp:identity>", keys[i]);
		snprintf(list, sizeof(list), "%s", v);
		for (tok = strtok_r(list, ",", &save); !e && tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (!(w = scn_acct_find(c, tok))) {
				snprintf(err, errsz, "%s=%s: no account %s",
					 keys[i], v, tok);
				e = EINVAL;
				break;
			}
			scn_aor(c, w->name, who, sizeof(who));
			e = buf_printf(&doc, "<cp:one id=\"sip:%s\"/>", who);
		}
		if (!e)
			e = buf_printf(&doc, "</cp:identity></cp:conditions>\n"
				       "  <cp:actions><pr:sub-handling>%s"
				       "</pr:sub-handling></cp:actions>\n"
				       "  <cp:transformations/>\n </cp:rule>\n",
				       vals[i]);
	}
	if (!e)
		e = buf_put_str(&doc, "</cp:ruleset>\n");
	snprintf(path, sizeof(path), "/xcap-root/pres-rules/users/sip:%s/"
		 "index", aor);
	if (!e && !u->http) {
		snprintf(err, errsz, "no XCAP service in this mode");
		e = ENOTSUP;
	}
	if (!e) {
		int st = 0;

		e = u->http(u->http_arg, t->a, "PUT", path,
			    "application/auth-policy+xml", doc.data, doc.len,
			    &st, &resp, err, errsz);
		if (!e && st != 200 && st != 201) {
			snprintf(err, errsz, "PUT %s: HTTP %d", path, st);
			e = EPROTO;
		}
	}
	if (!e)
		e = http(u, t->a, "GET", path, NULL, NULL, 0, 200, &resp, err,
			 errsz);
	if (!e && (resp.len != doc.len || memcmp(resp.data, doc.data,
						 doc.len))) {
		snprintf(err, errsz, "the pres-rules read back differ");
		e = EPROTO;
	}
	buf_fini(&doc);
	buf_fini(&resp);
	return e;
}

/* ---- voicemail -------------------------------------------------------- */

static int vm_count_cb(void *arg, const struct store_vm *v)
{
	(void)v;
	(*(uint64_t *)arg)++;
	return 0;
}

/* Recordings in B's mailbox: from the store in process, refctl live. */
static int vm_count(struct scn_ctx *c, const char *name, uint64_t *n,
		    char *err, size_t errsz)
{
	char aor[200];
	struct pl p;
	int e;

	scn_aor(c, name, aor, sizeof(aor));
	*n = 0;
	if (c->be == &scn_be_live) {
		struct buf out;
		size_t i;

		buf_init(&out);
		e = scn_live_ctl(c, &out, err, errsz, "voicemail", "list",
				 "--user", aor, NULL);
		for (i = 0; !e && i < out.len; i++)
			*n += out.data[i] == '\n';
		buf_fini(&out);
		return e;
	}
	p = pl_from_str(aor);
	e = store_vm_list(((struct scn_inproc *)c->be_state)->st, &p,
			  vm_count_cb, n);
	if (e)
		snprintf(err, errsz, "voicemail list: %s", strerror(e));
	return e;
}

static int wait_call(struct scn_uas *u, struct ua *ua, unsigned mask,
		     uint64_t limit_us, struct ua_event *ev)
{
	uint64_t end = u->drv->now(u->arg) + limit_us;
	int rc;

	for (;;) {
		while (ua_event_next(ua, ev) == 0)
			if (mask & (1u << ev->type))
				return 0;
		scn_uas_drain(u);
		if (u->drv->now(u->arg) >= end)
			return ETIMEDOUT;
		rc = u->drv->run_until(u->arg, u->drv->now(u->arg) + SLICE_US);
		if (rc)
			return rc;
	}
}

static int do_voicemail(struct scn_ctx *c, struct scn_uas *u,
			const struct scn_traffic *t, char *err, size_t errsz)
{
	uint64_t dur = scn_opt_dur_us(t->st, "duration", 10000000ULL);
	uint64_t before = 0, after = 0;
	struct ua_call_opt o;
	struct ua_event e;
	struct scn_ua *s;
	char to[200];
	uint32_t h;
	size_t k;
	int rc;

	if ((rc = vm_count(c, t->b->name, &before, err, errsz)))
		return rc;
	/* B's devices decline: nobody answers, the failure route does. */
	for (k = 0; k < u->nua; k++)
		if (!strcmp(u->ua[k].acct, t->b->name) &&
		    u->ua[k].role == SCN_UA_DEVICE)
			ua_set_answer(u->ua[k].ua, UA_ANSWER_BUSY);
	rc = scn_uas_add(c, u, t->a, SCN_UA_CALLER, NULL, t->via, &s);
	if (rc) {
		snprintf(err, errsz, "calling device: %s", strerror(rc));
		return rc;
	}
	memset(&o, 0, sizeof(o));
	o.duration_us = dur;
	o.media = UA_MEDIA_RTP;
	o.canary = t->canary;
	scn_aor(c, t->b->name, to, sizeof(to));
	rc = ua_call(s->ua, u->drv->now(u->arg), to, &o, &h);
	if (rc) {
		snprintf(err, errsz, "INVITE: %s", strerror(rc));
		return rc;
	}
	u->drv->kick(u->arg, s->idx);
	rc = wait_call(u, s->ua, 1u << UA_EV_CALL_ANSWERED |
		       1u << UA_EV_CALL_FAILED, 64000000, &e);
	if (rc || e.type != UA_EV_CALL_ANSWERED) {
		snprintf(err, errsz, "call %s -> %s: no voicemail answered "
			 "(%s %u)", t->a->name, t->b->name, rc ? "timeout" :
			 "status", rc ? 0 : e.status);
		return rc ? ETIMEDOUT : EPROTO;
	}
	rc = wait_call(u, s->ua, 1u << UA_EV_CALL_ENDED, dur + 40000000, &e);
	if (rc) {
		snprintf(err, errsz, "voicemail call did not end within its "
			 "duration + 40 s");
		return ETIMEDOUT;
	}
	/* The BYE's answer and the store write. */
	rc = u->drv->run_until(u->arg, u->drv->now(u->arg) + 2000000);
	if (!rc)
		rc = vm_count(c, t->b->name, &after, err, errsz);
	if (!rc && after != before + 1) {
		snprintf(err, errsz, "%s's mailbox holds %llu recordings after "
			 "the call, want %llu", t->b->name,
			 (unsigned long long)after,
			 (unsigned long long)before + 1);
		rc = EPROTO;
	}
	return rc;
}

int scn_store_traffic(struct scn_ctx *c, struct scn_uas *u,
		      const struct scn_traffic *t, char *err, size_t errsz)
{
	switch (t->st->verb) {
	case SCN_FILE:
		return do_file(c, u, t, err, errsz);
	case SCN_BUDDIES:
		return do_buddies(c, u, t, err, errsz);
	case SCN_PRESRULES:
		return do_presrules(c, u, t, err, errsz);
	case SCN_VOICEMAIL:
		return do_voicemail(c, u, t, err, errsz);
	default:
		return EINVAL;
	}
}

/* ---- the voicemail UA on the virtual network --------------------------- */

struct scn_vm {
	struct vm *vm;
	struct store *st;
	struct rng rng;
	struct net_addr sip;
	unsigned errors;
};

static int vm_flag(void *arg, const struct store_account *a)
{
	*(int *)arg = a->voicemail;
	return 0;
}

static int vm_target(void *arg, const char *user, const char *domain,
		     struct net_addr *dst)
{
	struct scn_vm *v = arg;
	char aor[300];
	struct pl p;
	int on = 0;

	snprintf(aor, sizeof(aor), "%s@%s", user, domain);
	p = pl_from_str(aor);
	if (store_account_get(v->st, &p, vm_flag, &on) || !on)
		return ENOENT;
	*dst = v->sip;
	return 0;
}

static int vm_tally(void *arg, const struct store_vm *v)
{
	unsigned *n = arg;

	n[v->heard ? 1 : 0]++;
	return 0;
}

/* RFC 3842: the owner's devices learn the mailbox's counts. */
static void vm_mwi_count(struct scn_vm *v, const char *owner)
{
	struct pl p = pl_from_str(owner);
	unsigned n[2] = { 0, 0 };

	if (!store_vm_list(v->st, &p, vm_tally, n))
		(void)vm_mwi(v->vm, owner, n[0], n[1]);
}

static void vm_store(void *arg, const struct vm_rec *r)
{
	struct scn_vm *v = arg;
	struct store_vm sv;

	memset(&sv, 0, sizeof(sv));
	sv.time_us = (int64_t)r->start_wall_us;
	sv.owner = pl_from_str(r->owner);
	sv.caller = pl_from_str(r->caller);
	sv.duration_ms = (int64_t)r->duration_ms;
	if (store_vm_add(v->st, &sv, r->wav, r->wav_len, NULL))
		v->errors++;
	else
		vm_mwi_count(v, r->owner);
}

int scn_vm_inproc(struct vnet *net, struct store *st, uint64_t seed,
		  const struct net_addr *proxy, struct scn_vm **out,
		  struct sip_fail_ops *fail, char *err, size_t errsz)
{
	struct scn_vm *v = mem_zalloc(sizeof(*v));
	struct pl s = PL("127.0.0.12:5071");
	struct net_addr a[2];
	struct vm_cfg vc;
	int rc;

	if (!v)
		return ENOMEM;
	v->st = st;
	rng_seed(&v->rng, seed * 31 + 5);
	net_addr_parse(&s, 0, &v->sip);
	memset(&vc, 0, sizeof(vc));
	vc.sip = v->sip;
	vc.media = v->sip;
	vc.port_lo = 41000;
	vc.port_hi = 41063;
	vc.max_s = 120;
	vc.beep_ms = 400;
	vc.rng = &v->rng;
	vc.save = vm_store;
	vc.arg = v;
	vc.proxy = *proxy;
	/* virtual time is Unix time: no wall offset */
	rc = vm_new(&v->vm, &vc);
	a[0] = v->sip;
	a[1] = v->sip;
	net_addr_set_port(&a[1], 0);	/* every RTP port of its IP */
	if (!rc && (rc = -vnet_attach(net, (struct core_ref){ &vm_core_ops,
				      v->vm }, a, 2)) < 0)
		rc = 0;
	if (rc) {
		snprintf(err, errsz, "voicemail UA: %s", strerror(rc));
		scn_vm_inproc_free(v);
		return rc;
	}
	fail->arg = v;
	fail->target = vm_target;
	fail->ring_s = 20;	/* refd's default [voicemail] after */
	*out = v;
	return 0;
}

void scn_vm_inproc_free(struct scn_vm *v)
{
	if (!v)
		return;
	vm_free(v->vm);		/* saves a recording still going */
	mem_free(v);
}
