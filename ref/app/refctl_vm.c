/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refctl voicemail list|delete (POLICY.md P14): the mailbox owner's
 * recordings, listed with caller, time and duration, and deleted by id
 * (row and WAV; the row's bytes leave the files at the next scrub).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "store/store_json.h"
#include "app/refctl.h"

/* --user USER@DOMAIN, required. */
static int vm_user(struct ctl *c, const char *cmd, struct pl *u)
{
	if (c->arg)
		return ctl_bad("%s: unexpected '%s'", cmd, c->arg);
	if (!c->opt_user)
		return ctl_bad("%s: --user is required", cmd);
	if (!ctl_aor_ok(c->opt_user))
		return ctl_bad("%s: --user wants USER@DOMAIN", cmd);
	*u = pl_from_str(c->opt_user);
	return 0;
}


static int vm_print(void *arg, const struct store_vm *v)
{
	struct ctl *c = arg;
	char t[40];

	if (c->json)
		return ctl_emit(c, store_json_vm(v));
	printf("%lld\t%s\t%.*s\t%.*s\t%lld.%03llds\t%llu bytes\t%s\n",
	       (long long)v->id, T(v->time_us, t), PL_ARG(v->owner),
	       PL_ARG(v->caller), (long long)(v->duration_ms / 1000),
	       (long long)(v->duration_ms % 1000),
	       (unsigned long long)v->size, v->heard ? "heard" : "new");
	return 0;
}

int ctl_voicemail_list(struct ctl *c)
{
	struct pl u;
	int e;

	if ((e = ctl_only(c, "voicemail list", "json user")) ||
	    (e = vm_user(c, "voicemail list", &u)) || (e = ctl_open_store(c)))
		return e;
	e = store_vm_list(c->st, &u, vm_print, c);
	return e ? ctl_fail(c, "voicemail list", e) : 0;
}

int ctl_voicemail_delete(struct ctl *c)
{
	const char *id_s = c->arg;
	char *end;
	long long id;
	struct pl u;
	int e;

	c->arg = NULL;
	if ((e = ctl_only(c, "voicemail delete", "user")) ||
	    (e = vm_user(c, "voicemail delete", &u)))
		return e;
	id = id_s ? strtoll(id_s, &end, 10) : 0;
	if (!id_s || *end || id <= 0)
		return ctl_bad("voicemail delete: want ID --user USER@DOMAIN");
	if ((e = ctl_open_store(c)))
		return e;
	e = store_vm_delete(c->st, id, &u);
	if (e == ENOENT)
		return ctl_bad("voicemail delete: no voicemail %lld for %s", id,
			   c->opt_user);
	if (e)
		return ctl_fail(c, "voicemail delete", e);
	printf("voicemail %lld deleted\n", id);
	return 0;
}
