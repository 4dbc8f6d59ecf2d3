/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Push worker (see push.h): a bounded FIFO of owned request copies, one
 * pthread that POSTs each to the gateway with libcurl (JSON body, short
 * timeout, no redirects, HTTP(S) only) and writes the push log row.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <jansson.h>
#include "base/mem.h"
#include "push/push.h"
#include "store/store.h"

struct item {
	struct item *next;
	int64_t time_us;
	char *user, *provider, *prid, *param, *kind;
};

struct push {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* work queued, or stop */
	pthread_cond_t idle;	/* queue empty and worker idle */
	pthread_t th;
	int started, stop, busy;
	struct item *head, *tail;
	uint32_t n, max;
	char *url;
	long timeout_ms;
	struct store *st;
	struct push_stats stats;
};

static void item_free(struct item *it)
{
	if (!it)
		return;
	mem_free(it->user);
	mem_free(it->provider);
	mem_free(it->prid);
	mem_free(it->param);
	mem_free(it->kind);
	mem_free(it);
}

static char *dup_pl(const struct pl *pl)
{
	return mem_strndup(pl->p ? pl->p : "", pl->len);
}

static size_t discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p; (void)arg;
	return sz * n;
}

/* POST one notification; the HTTP status, 0 when unreachable. */
static long post(struct push *p, const struct item *it)
{
	struct curl_slist *h = NULL;
	json_t *j;
	char *body;
	long code = 0;
	CURL *c;

	j = json_pack("{s:s,s:s,s:s,s:s}", "pn-provider", it->provider,
		      "pn-prid", it->prid, "pn-param", it->param,
		      "type", it->kind);
	body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	c = curl_easy_init();
	if (!body || !c)
		goto out;
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, p->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, p->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(body);
	return code;
}

static void log_push(struct push *p, const struct item *it, long code)
{
	struct store_push r;

	memset(&r, 0, sizeof(r));
	r.time_us = it->time_us;
	r.user = pl_from_str(it->user);
	r.provider = pl_from_str(it->provider);
	r.kind = pl_from_str(it->kind);
	r.status = (int)code;
	if (store_push_add(p->st, &r)) {
		pthread_mutex_lock(&p->mu);
		p->stats.log_errors++;
		pthread_mutex_unlock(&p->mu);
	}
}

static void *worker(void *arg)
{
	struct push *p = arg;
	struct item *it;
	long code;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->head)
			break;
		it = p->head;
		p->head = it->next;
		if (!p->head)
			p->tail = NULL;
		p->n--;
		p->busy = 1;
		pthread_mutex_unlock(&p->mu);
		code = post(p, it);
		log_push(p, it, code);
		item_free(it);
		pthread_mutex_lock(&p->mu);
		if (code >= 200 && code < 300)
			p->stats.sent++;
		else
			p->stats.failed++;
		p->busy = 0;
		if (!p->head)
			pthread_cond_broadcast(&p->idle);
	}
	pthread_cond_broadcast(&p->idle);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int push_start(struct push **pp, const struct push_cfg *cfg, char *err,
	       size_t errsz)
{
	struct push *p;
	char serr[300];
	int e;

	*pp = NULL;
	if (!cfg || !cfg->gateway_url || !cfg->data_dir ||
	    (strncmp(cfg->gateway_url, "http://", 7) &&
	     strncmp(cfg->gateway_url, "https://", 8))) {
		snprintf(err, errsz, "push: gateway must be an http(s) URL");
		return EINVAL;
	}
	p = mem_zalloc(sizeof(*p));
	if (!p)
		return ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->max = cfg->queue_max ? cfg->queue_max : 1024;
	p->timeout_ms = cfg->timeout_ms ? (long)cfg->timeout_ms : 3000;
	p->url = mem_strdup(cfg->gateway_url);
	if (!p->url) {
		e = ENOMEM;
		goto out;
	}
	e = store_open(&p->st, cfg->data_dir, NULL, serr, sizeof(serr));
	if (e) {
		snprintf(err, errsz, "push: %s", serr);
		goto out;
	}
	/* Process-wide and not thread-safe: before the worker exists. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	e = pthread_create(&p->th, NULL, worker, p);
	if (!e)
		p->started = 1;
out:
	if (e) {
		push_stop(p);
		return e;
	}
	*pp = p;
	return 0;
}

int push_submit(struct push *p, const struct push_req *r)
{
	struct item *it;

	if (!p || !r || !r->user.len || !r->provider.len || !r->prid.len)
		return EINVAL;
	pthread_mutex_lock(&p->mu);
	if (p->n >= p->max || p->stop) {
		p->stats.dropped++;
		pthread_mutex_unlock(&p->mu);
		return EOVERFLOW;
	}
	pthread_mutex_unlock(&p->mu);
	it = mem_zalloc(sizeof(*it));
	if (!it)
		return ENOMEM;
	it->time_us = r->time_us;
	it->user = dup_pl(&r->user);
	it->provider = dup_pl(&r->provider);
	it->prid = dup_pl(&r->prid);
	it->param = dup_pl(&r->param);
	it->kind = dup_pl(r->kind.len ? &r->kind : &PL("call"));
	if (!it->user || !it->provider || !it->prid || !it->param ||
	    !it->kind) {
		item_free(it);
		return ENOMEM;
	}
	pthread_mutex_lock(&p->mu);
	if (p->tail)
		p->tail->next = it;
	else
		p->head = it;
	p->tail = it;
	p->n++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

void push_flush(struct push *p)
{
	if (!p || !p->started)
		return;
	pthread_mutex_lock(&p->mu);
	while (p->head || p->busy)
		pthread_cond_wait(&p->idle, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void push_get_stats(struct push *p, struct push_stats *out)
{
	pthread_mutex_lock(&p->mu);
	*out = p->stats;
	pthread_mutex_unlock(&p->mu);
}

void push_stop(struct push *p)
{
	if (!p)
		return;
	if (p->started) {
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->th, NULL);
	}
	while (p->head) {
		struct item *it = p->head;

		p->head = it->next;
		item_free(it);
	}
	store_close(p->st);
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	mem_free(p->url);
	mem_free(p);
}
