/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refd's voicemail wiring (refd_vm.h). Config:
 *   [voicemail] listen = udp:127.0.0.1:5071   the UA's SIP address
 *               ports = 41000-41063           its RTP ports (one call each)
 *               max = 120s                    recording limit
 *               beep_ms = 400                 beep after the answer (0: none)
 *               after = 20s                   ringing this long unanswered
 *                                             goes to voicemail (0: never)
 *   [mail]      smtp = smtp://127.0.0.1:2525  where voicemail e-mail goes
 *               from = voicemail@example.test
 * The failure route asks the account store whether the callee has
 * voicemail on; recordings go to the store on the loop's connection (one
 * row and one blob); the e-mail, when the account has an address, is
 * queued to a worker thread that calls push_mail_voicemail().
 *
 * MWI (RFC 3842): after a recording, the owner's new count at once; and a
 * one-timer core re-counts every mailbox from the store every MWI_POLL_US
 * and NOTIFYs the owners whose (new, old) counts changed, so a recording
 * deleted (or played) by `refctl voicemail delete` in another process or
 * by the portal on its own store connection reaches the phones within a
 * poll. Polling the store, not signalling refd, because those writers may
 * be other processes; one indexed scan of the voicemail rows every 2 s
 * costs nothing at this platform's scale.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "base/mem.h"
#include "io/refd_cfg.h"
#include "io/refd_vm.h"
#include "push/push.h"
#include "vm/vm.h"

struct mail_job {
	struct mail_job *next;
	char to[256], caller[256], path[4096];
	int64_t time_us;
};

/* Last (new, old) counts told to one mailbox. */
struct mwi_box {
	char owner[256];
	unsigned n[2];
	bool seen;		/* in the current scan */
};

#define MWI_POLL_US 2000000ull

struct refd_vm {
	struct refd *d;
	struct vm *vm;
	struct io_core *core;
	struct io_core *poll;	/* the MWI re-count timer */
	uint64_t poll_due;
	struct mwi_box *box;
	size_t nbox, cap;
	bool primed;		/* first scan done (it notifies nobody) */
	struct rng rng;
	struct vm_cfg vc;
	const char *listen, *smtp, *from;
	uint32_t ring_s;	/* [voicemail] after */
	uint64_t sent, failed;
	/* the mail worker */
	pthread_t th;
	bool th_up, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct mail_job *head, *tail;
};

static int ports(struct refd *d, struct refd_vm *m)
{
	const char *v = cfg_get(&d->cfg, "voicemail", "ports");
	unsigned lo = 41000, hi = 41063;
	char tail;

	if (v && (sscanf(v, "%u-%u%c", &lo, &hi, &tail) != 2 || lo < 1024 ||
		  hi > 65535 || lo > hi || lo & 1))
		return cfg_fail(&d->cfg, "voicemail", "ports", "'%s': want "
				"LOW-HIGH, LOW even and >= 1024", v);
	m->vc.port_lo = (uint16_t)lo;
	m->vc.port_hi = (uint16_t)hi;
	return 0;
}

int refd_vm_check(struct refd *d)
{
	struct cfg *c = &d->cfg;
	struct refd_vm *m;
	uint64_t max_s = 120, after_s = 20;
	struct pl p;
	int err;

	if (!cfg_has_section(c, "voicemail"))
		return 0;
	m = mem_zalloc(sizeof(*m));
	if (!m)
		return cfg_fail(c, "voicemail", "listen", "out of memory");
	d->vm = m;
	m->d = d;
	m->listen = cfg_get(c, "voicemail", "listen");
	if (!m->listen || !*m->listen)
		return cfg_fail(c, "voicemail", "listen", "required");
	p = pl_from_str(m->listen);
	if (net_listen_parse(&p, &m->vc.sip) || m->vc.sip.tp != NET_UDP ||
	    !net_addr_port(&m->vc.sip))
		return cfg_fail(c, "voicemail", "listen", "'%s': want "
				"udp:ADDRESS:PORT", m->listen);
	m->vc.media = m->vc.sip;
	m->vc.beep_ms = 400;
	if ((err = ports(d, m)) ||
	    (err = cfg_get_duration(c, "voicemail", "max", &max_s)) ||
	    (err = cfg_get_u32(c, "voicemail", "beep_ms", 0, 5000,
			       &m->vc.beep_ms)) ||
	    (err = cfg_get_duration(c, "voicemail", "after", &after_s)))
		return err;
	if (after_s > 3600)
		return cfg_fail(c, "voicemail", "after", "want 0 (never) to 1h");
	m->ring_s = (uint32_t)after_s;
	if (max_s < 1 || max_s > 3600)
		return cfg_fail(c, "voicemail", "max", "want 1s to 1h");
	m->vc.max_s = (uint32_t)max_s;
	/* [mail] is checked with the other services (refd_cfg.c). */
	m->smtp = d->mail_smtp;
	m->from = d->mail_from;
	return 0;
}

/* ---- failure route: accounts with voicemail on ------------------------ */

static int vm_on(void *arg, const struct store_account *a)
{
	*(int *)arg = a->voicemail;
	return 0;
}

static int target(void *arg, const char *user, const char *domain,
		  struct net_addr *dst)
{
	struct refd_vm *m = arg;
	char aor[300];
	struct pl p;
	int on = 0;

	snprintf(aor, sizeof(aor), "%s@%s", user, domain);
	p = pl_from_str(aor);
	if (!m->d->store || store_account_get(m->d->store, &p, vm_on, &on) ||
	    !on)
		return ENOENT;
	*dst = m->vc.sip;
	return 0;
}

void refd_vm_fail_ops(struct refd *d, struct sip_fail_ops *ops)
{
	if (!d->vm)
		return;
	ops->arg = d->vm;
	ops->target = target;
	ops->ring_s = d->vm->ring_s;
}

/* ---- recordings: store, then the e-mail queue --------------------------- */

static int email_of(void *arg, const struct store_account *a)
{
	pl_strcpy(&a->email, arg, 256);
	return 0;
}

static void mail_queue(struct refd_vm *m, const struct vm_rec *r,
		       int64_t id)
{
	struct mail_job *j;
	struct pl p = pl_from_str(r->owner);
	char to[256] = "";
	int on = 0;

	/* Only when the account asks for it (the portal's "voicemail by
	 * e-mail"; refctl account add --voicemail --email sets it). */
	if (!m->smtp || store_account_get(m->d->store, &p, email_of, to) ||
	    !to[0] || store_account_vm_email(m->d->store, &p, &on) || !on)
		return;
	j = mem_zalloc(sizeof(*j));
	if (!j)
		return;
	snprintf(j->to, sizeof(j->to), "%s", to);
	snprintf(j->caller, sizeof(j->caller), "%s", r->caller);
	j->time_us = (int64_t)r->start_wall_us;
	if (store_vm_path(m->d->store, id, j->path, sizeof(j->path))) {
		mem_free(j);
		return;
	}
	pthread_mutex_lock(&m->mu);
	if (m->tail)
		m->tail->next = j;
	else
		m->head = j;
	m->tail = j;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

static int vm_tally(void *arg, const struct store_vm *v)
{
	unsigned *n = arg;

	n[v->heard ? 1 : 0]++;
	return 0;
}

static struct mwi_box *box_get(struct refd_vm *m, const struct pl *owner)
{
	struct mwi_box *b;
	size_t i;

	if (!owner->len || owner->len >= sizeof(b->owner))
		return NULL;
	for (i = 0; i < m->nbox; i++)
		if (pl_eq_str(owner, m->box[i].owner))
			return &m->box[i];
	if (m->nbox == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 16;

		b = mem_realloc(m->box, nc * sizeof(*b));
		if (!b)
			return NULL;
		m->box = b;
		m->cap = nc;
	}
	b = &m->box[m->nbox++];
	memset(b, 0, sizeof(*b));
	memcpy(b->owner, owner->p, owner->len);
	return b;
}

static void notify(struct refd_vm *m, struct mwi_box *b)
{
	int e;

	if ((e = vm_mwi(m->vm, b->owner, b->n[0], b->n[1])) && e != ENOENT)
		LOG_W(&m->d->log, "voicemail: MWI: %s", strerror(e));
}

/* RFC 3842: the owner's devices learn the new count. */
static void mwi(struct refd_vm *m, const char *owner)
{
	struct pl p = pl_from_str(owner);
	unsigned n[2] = { 0, 0 };
	struct mwi_box *b;

	if (store_vm_list(m->d->store, &p, vm_tally, n))
		return;
	b = box_get(m, &p);
	if (b) {
		b->n[0] = n[0];
		b->n[1] = n[1];
		notify(m, b);
	} else {
		struct mwi_box t = { .n = { n[0], n[1] } };

		snprintf(t.owner, sizeof(t.owner), "%s", owner);
		notify(m, &t);
	}
}

/* One row of the re-count: tallied into its mailbox's fresh counts. */
struct scan {
	struct refd_vm *m;
	unsigned (*n)[2];	/* per box, parallel to m->box */
	size_t cap;
	int err;
};

static int scan_row(void *arg, const struct store_vm *v)
{
	struct scan *sc = arg;
	struct mwi_box *b = box_get(sc->m, &v->owner);
	size_t i;

	if (!b)
		return 0;	/* an owner too long to be an AOR here */
	i = (size_t)(b - sc->m->box);
	if (i >= sc->cap) {
		size_t nc = sc->m->cap;
		unsigned (*n)[2] = mem_realloc(sc->n, nc * sizeof(*n));

		if (!n) {
			sc->err = ENOMEM;
			return ENOMEM;
		}
		memset(n + sc->cap, 0, (nc - sc->cap) * sizeof(*n));
		sc->n = n;
		sc->cap = nc;
	}
	sc->n[i][v->heard ? 1 : 0]++;
	b->seen = true;
	return 0;
}

/* Re-count every mailbox; NOTIFY those that changed since last told.
 * A mailbox that emptied is told (0, 0) once, then forgotten. */
static void mwi_poll(struct refd_vm *m)
{
	struct scan sc = { m, NULL, 0, 0 };
	size_t i, k;

	for (i = 0; i < m->nbox; i++)
		m->box[i].seen = false;
	if (store_vm_list(m->d->store, NULL, scan_row, &sc) || sc.err) {
		mem_free(sc.n);
		return;
	}
	for (i = 0; i < m->nbox; i++) {
		struct mwi_box *b = &m->box[i];
		unsigned nn = i < sc.cap ? sc.n[i][0] : 0,
			 no = i < sc.cap ? sc.n[i][1] : 0;

		if (!b->seen)
			nn = no = 0;
		if (nn == b->n[0] && no == b->n[1] && m->primed)
			continue;
		b->n[0] = nn;
		b->n[1] = no;
		if (m->primed)
			notify(m, b);
	}
	mem_free(sc.n);
	for (i = k = 0; i < m->nbox; i++)	/* forget emptied boxes */
		if (m->box[i].seen)
			m->box[k++] = m->box[i];
	m->nbox = k;
	m->primed = true;
}

/* The re-count timer as a core of its own: no sockets, one deadline. */
static int mp_input(void *c, uint64_t now, const struct net_pkt *in)
{
	(void)c;
	(void)now;
	(void)in;
	return 0;
}

static int mp_timeout(void *c, uint64_t now)
{
	struct refd_vm *m = c;

	if (now < m->poll_due)
		return 0;
	m->poll_due = now + MWI_POLL_US;
	mwi_poll(m);
	return 0;
}

static int mp_output(void *c, struct net_out *out)
{
	(void)c;
	(void)out;
	return ENOENT;
}

static uint64_t mp_deadline(void *c)
{
	return ((struct refd_vm *)c)->poll_due;
}

static const struct core_ops mwi_poll_ops = {
	.name = "voicemail-mwi",
	.input = mp_input,
	.timeout = mp_timeout,
	.output = mp_output,
	.deadline = mp_deadline,
};

static void save(void *arg, const struct vm_rec *r)
{
	struct refd_vm *m = arg;
	struct store_vm v;
	int64_t id;

	memset(&v, 0, sizeof(v));
	v.time_us = (int64_t)r->start_wall_us;
	v.owner = pl_from_str(r->owner);
	v.caller = pl_from_str(r->caller);
	v.duration_ms = (int64_t)r->duration_ms;
	if (store_vm_add(m->d->store, &v, r->wav, r->wav_len, &id)) {
		LOG_W(&m->d->log, "voicemail: store: %s",
		      store_errmsg(m->d->store));
		return;
	}
	LOG_I(&m->d->log, "voicemail: %llu ms recorded (id %lld)",
	      (unsigned long long)r->duration_ms, (long long)id);
	mail_queue(m, r, id);
	mwi(m, r->owner);
}

static void *mail_worker(void *arg)
{
	struct refd_vm *m = arg;
	struct push_mail_cfg mc = { m->smtp, m->from, NULL, NULL, 0 };
	struct mail_job *j;
	char err[300];

	pthread_mutex_lock(&m->mu);
	for (;;) {
		while (!m->head && !m->stop)
			pthread_cond_wait(&m->cv, &m->mu);
		if (!m->head)
			break;
		j = m->head;
		m->head = j->next;
		if (!m->head)
			m->tail = NULL;
		pthread_mutex_unlock(&m->mu);
		if (push_mail_voicemail(&mc, j->to, j->caller, j->time_us,
					j->path, err, sizeof(err))) {
			m->failed++;
			LOG_W(&m->d->log, "voicemail: %s", err);
		} else {
			m->sent++;
			LOG_I(&m->d->log, "voicemail: e-mailed");
		}
		mem_free(j);
		pthread_mutex_lock(&m->mu);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

int refd_vm_start(struct refd *d)
{
	struct refd_vm *m = d->vm;
	struct net_addr a;
	uint64_t seed;
	const char *key;
	char err[256];
	unsigned p;
	int e;

	if (!m)
		return 0;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		return EXIT_RUNTIME;
	rng_seed(&m->rng, seed);
	m->vc.rng = &m->rng;
	m->vc.log = &d->log;
	m->vc.save = save;
	m->vc.arg = m;
	m->vc.wall_offset_us = io_wall_offset_us(d->loop);
	/* MWI NOTIFYs go to the proxy's first UDP address (loopback for a
	 * wildcard one). */
	for (p = 0; p < d->nlisten; p++)
		if (d->listen_addrs[p].tp == NET_UDP) {
			char h[64];

			m->vc.proxy = d->listen_addrs[p];
			net_addr_host(&m->vc.proxy, h, sizeof(h));
			if (!strcmp(h, "0.0.0.0") || !strcmp(h, "::")) {
				struct pl lo = PL("127.0.0.1");
				uint16_t port = net_addr_port(&m->vc.proxy);

				net_addr_parse(&lo, port, &m->vc.proxy);
			}
			break;
		}
	m->poll_due = io_now_us();	/* prime the counts at once */
	if ((e = vm_new(&m->vm, &m->vc)) ||
	    (e = io_core_add(d->loop, &vm_core_ops, m->vm, &m->core)) ||
	    (e = io_core_add(d->loop, &mwi_poll_ops, m, &m->poll))) {
		LOG_E(&d->log, "voicemail: %s", strerror(e));
		return EXIT_RUNTIME;
	}
	e = io_listen(d->loop, m->core, &m->vc.sip, NULL);
	key = "listen";
	for (p = m->vc.port_lo; !e && p <= m->vc.port_hi; p += 2) {
		a = m->vc.media;
		net_addr_set_port(&a, (uint16_t)p);
		e = io_listen(d->loop, m->core, &a, NULL);
		key = "ports";
	}
	if (e) {
		snprintf(err, sizeof(err), "%s", strerror(e));
		cfg_fail(&d->cfg, "voicemail", key, "cannot bind: %s", err);
		fprintf(stderr, "%s\n", d->cfg.err);
		return EXIT_RUNTIME;
	}
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	/* The worker must never take SIGTERM: the loop's signalfd does. */
	if (m->smtp) {
		sigset_t all, old;

		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		m->th_up = pthread_create(&m->th, NULL, mail_worker, m) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	LOG_I(&d->log, "voicemail on %s (RTP %u-%u)%s", m->listen,
	      m->vc.port_lo, m->vc.port_hi, m->th_up ? ", e-mail on" : "");
	return 0;
}

void refd_vm_stop(struct refd *d)
{
	struct refd_vm *m = d->vm;

	if (!m)
		return;
	vm_free(m->vm);		/* saves calls still up */
	if (m->th_up) {
		pthread_mutex_lock(&m->mu);
		m->stop = true;
		pthread_cond_signal(&m->cv);
		pthread_mutex_unlock(&m->mu);
		pthread_join(m->th, NULL);
		pthread_mutex_destroy(&m->mu);
		pthread_cond_destroy(&m->cv);
	}
	mem_free(m->box);
	mem_free(m);
	d->vm = NULL;
}
