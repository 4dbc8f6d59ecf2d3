/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Identity tab: the account, its e-mail (changed only after a code
 * sent to the NEW address comes back), the password (old one checked,
 * weak new ones refused with the policy's reason, P2), voicemail and its
 * e-mail delivery (P14), and account removal confirmed by a code sent to
 * the account's address, then the store's deletion (P18) with a page that
 * says what was kept and until when. Codes travel only by e-mail and in
 * POST bodies, never in a URL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "web/web_int.h"

struct acct {
	char email[WEB_AOR_MAX];
	char pwhash[160];
	int voicemail, pgp, vm_email;
	bool found;
};

static int acct_row(void *arg, const struct store_account *a)
{
	struct acct *x = arg;

	pl_strcpy(&a->email, x->email, sizeof(x->email));
	pl_strcpy(&a->pwhash, x->pwhash, sizeof(x->pwhash));
	x->voicemail = a->voicemail;
	x->pgp = a->pgp;
	x->found = true;
	return 0;
}

static int acct_get(struct web_ctx *c, struct acct *x)
{
	int err;

	memset(x, 0, sizeof(*x));
	err = store_account_get(c->w->st, &c->user, acct_row, x);
	if (!err)
		err = store_account_vm_email(c->w->st, &c->user, &x->vm_email);
	return err;
}

/* An address we can put in an SMTP envelope and header as is. */
static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return at && at != s && at[1] && !strchr(at + 1, '@') &&
	       strlen(s) < 200 && !strpbrk(s, "\r\n\t <>\"(),;:\\[]") &&
	       strchr(at + 1, '.');
}

static int code_form(struct web_ctx *c, const char *action)
{
	struct buf *b = &c->resp->body;
	int err = buf_printf(b, "<form method=\"post\" action=\"%s\">", action);

	err = err ? err : web_csrf_input(c);
	return err ? err : buf_put_str(b, "<label>Code <input name=\"code\" "
				       "inputmode=\"numeric\" autocomplete="
				       "\"one-time-code\" required></label> "
				       "<button type=\"submit\">Confirm"
				       "</button></form>\n");
}

static int page(struct web_ctx *c, int status, const char *note,
		const char *error)
{
	struct buf *b = &c->resp->body;
	struct acct x;
	int err;

	err = acct_get(c, &x);
	if (err == ENOENT)
		return web_not_found(c);
	if (err)
		return err;
	err = web_page_begin(c, status, "Identity");
	if (!err && note) {
		err = buf_put_str(b, "<p class=\"note\">");
		err = err ? err : web_esc_str(b, note);
		err = err ? err : buf_put_str(b, "</p>\n");
	}
	if (!err && error) {
		err = buf_put_str(b, "<p class=\"err\">");
		err = err ? err : web_esc_str(b, error);
		err = err ? err : buf_put_str(b, "</p>\n");
	}
	err = err ? err : buf_put_str(b, "<table><tr><th>Account</th><td "
				      "id=\"account\">");
	err = err ? err : web_esc(b, &c->user);
	err = err ? err : buf_put_str(b, "</td></tr><tr><th>E-mail</th><td "
				      "id=\"email\">");
	err = err ? err : web_esc_str(b, x.email[0] ? x.email : "(none)");
	err = err ? err : buf_printf(b, "</td></tr><tr><th>Voicemail</th>"
		"<td id=\"voicemail\">%s</td></tr><tr><th>Voicemail by e-mail"
		"</th><td id=\"vm-email\">%s</td></tr></table>\n",
		x.voicemail ? "on" : "off", x.vm_email ? "on" : "off");
	/* e-mail */
	err = err ? err : buf_put_str(b, "<h2>Change e-mail</h2><form method="
		"\"post\" action=\"/identity/email\">");
	err = err ? err : web_csrf_input(c);
	err = err ? err : buf_put_str(b, "<label>New e-mail <input type=\""
		"email\" name=\"email\" required></label> <button type=\""
		"submit\">Send code</button></form>\n");
	if (!err && c->s->code_kind == WEB_CODE_EMAIL && !c->s->code_used) {
		err = buf_put_str(b, "<p>A code was sent to ");
		err = err ? err : web_esc_str(b, c->s->new_email);
		err = err ? err : buf_put_str(b, ".</p>");
		err = err ? err : code_form(c, "/identity/email/confirm");
	}
	/* password */
	err = err ? err : buf_put_str(b, "<h2>Change password</h2><form method"
		"=\"post\" action=\"/identity/password\">");
	err = err ? err : web_csrf_input(c);
	err = err ? err : buf_put_str(b, "<label>Old <input type=\"password\" "
		"name=\"old\" autocomplete=\"current-password\" required>"
		"</label> <label>New <input type=\"password\" name=\"new\" "
		"autocomplete=\"new-password\" required></label> <button type="
		"\"submit\">Change password</button></form>\n");
	/* voicemail */
	err = err ? err : buf_put_str(b, "<h2>Voicemail</h2><form method=\""
		"post\" action=\"/identity/voicemail\">");
	err = err ? err : web_csrf_input(c);
	err = err ? err : buf_printf(b, "<label><input type=\"checkbox\" name="
		"\"enabled\" value=\"on\"%s> voicemail on</label> <label><input"
		" type=\"checkbox\" name=\"email\" value=\"on\"%s> send "
		"voicemail by e-mail</label> <button type=\"submit\">Save"
		"</button></form>\n", x.voicemail ? " checked" : "",
		x.vm_email ? " checked" : "");
	/* removal */
	err = err ? err : buf_put_str(b, "<h2>Remove account</h2><p>Everything"
		" is deleted except billing records, which the law makes us "
		"keep. A code is e-mailed to confirm.</p><form method=\"post\" "
		"action=\"/identity/remove\" data-confirm=\"Remove this account"
		" and all its data?\">");
	err = err ? err : web_csrf_input(c);
	err = err ? err : buf_put_str(b, "<button type=\"submit\">Remove "
				      "account</button></form>\n");
	return err ? err : web_page_end(c);
}

static int email_start(struct web_ctx *c)
{
	char email[WEB_AOR_MAX];
	int err;

	if (web_form_get(&c->req->body, "email", email, sizeof(email)) ||
	    !email_ok(email))
		return page(c, 400, NULL, "not a valid e-mail address");
	snprintf(c->s->new_email, sizeof(c->s->new_email), "%s", email);
	err = web_code_send(c, WEB_CODE_EMAIL, email,
			    "Confirm your new e-mail address");
	if (err)
		return page(c, 502, NULL, "could not send the e-mail; try "
			    "again later");
	return page(c, 200, "A code was sent to the new address; type it "
		    "below.", NULL);
}

static int email_confirm(struct web_ctx *c)
{
	struct pl e;
	int err;

	if (web_code_check(c, WEB_CODE_EMAIL))
		return 0;	/* the page is written */
	e = pl_from_str(c->s->new_email);
	err = store_account_set_email(c->w->st, &c->user, &e);
	if (err)
		return err == ENOENT ? web_not_found(c) : err;
	return page(c, 200, "E-mail changed.", NULL);
}

static int password(struct web_ctx *c)
{
	char old[256], nw[256], why[200], user[WEB_AOR_MAX], *at;
	struct store_account a = { 0 };
	struct store_hashes h;
	struct store_kdf kdf;
	struct policy defpol;
	const struct policy *pol = c->w->cfg.pol;
	struct acct x;
	struct pl ph;
	int err;

	if (web_form_get(&c->req->body, "old", old, sizeof(old)) ||
	    web_form_get(&c->req->body, "new", nw, sizeof(nw)))
		return page(c, 400, NULL, "old and new password required");
	if ((err = acct_get(c, &x)))
		return err == ENOENT ? web_not_found(c) : err;
	ph = pl_from_str(x.pwhash);
	if (store_pwhash_verify(&ph, old)) {
		err = page(c, 403, NULL, "the old password is wrong");
		goto out;
	}
	snprintf(user, sizeof(user), "%s", c->s->aor);
	if ((at = strrchr(user, '@')))
		*at = '\0';
	if (!pol) {
		policy_init(&defpol);
		pol = &defpol;
	}
	err = policy_password_check(pol, user, nw, why, sizeof(why));
	if (pol == &defpol)
		policy_fini(&defpol);
	if (err) {
		err = page(c, 400, NULL, why);
		goto out;
	}
	a.user = pl_from_str(user);
	a.domain = pl_from_str(c->w->domain);
	kdf = policy_kdf(c->w->cfg.pol);	/* NULL: the default cost */
	err = store_hash_password_kdf(&a, &h, c->w->realm, nw, &kdf);
	if (!err)
		err = store_account_set_password(c->w->st, &a);
	store_hash_fini(&h);
	if (!err) {	/* whoever knew the old one is logged out */
		web_sess_end_user(c->w, c->s->aor, c->s);
		err = page(c, 200, "Password changed; other sessions of this "
			   "account were ended.", NULL);
	}
out:
	memset(old, 0, sizeof(old));
	memset(nw, 0, sizeof(nw));
	return err;
}

static bool checked(const struct pl *form, const char *name)
{
	char v[8];

	return !web_form_get(form, name, v, sizeof(v)) &&
	       (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "yes"));
}

static int voicemail(struct web_ctx *c)
{
	struct acct x;
	int err, on = checked(&c->req->body, "enabled"),
	    mail = checked(&c->req->body, "email");

	if ((err = acct_get(c, &x)))
		return err == ENOENT ? web_not_found(c) : err;
	if (mail && !x.email[0])
		return page(c, 400, NULL, "set an e-mail address first");
	err = store_account_set_flags(c->w->st, &c->user, on, x.pgp);
	if (!err)
		err = store_account_set_vm_email(c->w->st, &c->user, mail);
	return err ? err : page(c, 200, "Voicemail settings saved.", NULL);
}

static int remove_start(struct web_ctx *c)
{
	struct acct x;
	int err;

	if ((err = acct_get(c, &x)))
		return err == ENOENT ? web_not_found(c) : err;
	if (!x.email[0])
		return page(c, 409, NULL, "the account has no e-mail address "
			    "to send the confirmation code to; set one first");
	if (web_code_send(c, WEB_CODE_REMOVE, x.email,
			  "Confirm the removal of your account"))
		return page(c, 502, NULL, "could not send the e-mail; try "
			    "again later");
	err = web_page_begin(c, 200, "Remove account");
	err = err ? err : buf_put_str(&c->resp->body, "<p>A code was sent to "
				      "the account's e-mail address. Type it "
				      "to remove the account for good.</p>");
	err = err ? err : code_form(c, "/identity/remove/confirm");
	return err ? err : web_page_end(c);
}

static int remove_confirm(struct web_ctx *c)
{
	const struct policy *pol = c->w->cfg.pol;
	struct store_delete_report rep;
	char aor[WEB_AOR_MAX], until[16], text[200];
	struct pl a;
	int64_t until_us;
	int err;

	if (web_code_check(c, WEB_CODE_REMOVE))
		return 0;
	snprintf(aor, sizeof(aor), "%s", c->s->aor);
	a = pl_from_str(aor);
	err = store_account_delete(c->w->st, &a, pol, &rep);
	/* EBUSY can come from the closing scrub alone (refd's own connection
	 * kept the WAL): the rows are gone then, and the next purge's scrub
	 * finishes the job. Tell that apart from a delete that did not run. */
	if (err == EBUSY && store_account_get(c->w->st, &a, acct_row,
					      &(struct acct){ 0 }) == ENOENT)
		err = 0;
	if (err && err != ENOENT)
		return err;
	/* With no billing row held, the date any would be kept until. */
	until_us = rep.billing_kept ? rep.billing_until_us : c->req->now_us +
		   (int64_t)(pol ? pol->billing_s : 7 * 365 * 86400ull) *
		   1000000;
	web_date(until_us, until, sizeof(until));
	snprintf(text, sizeof(text), "account removed; kept: billing records "
		 "until %s (%llu records held)", until,
		 (unsigned long long)rep.billing_kept);
	web_sess_end_user(c->w, aor, NULL);	/* this browser's and others */
	c->s = NULL;
	err = web_page_msg(c, 200, "Account removed", text);
	return err ? err : web_hdr_add(c->resp, "Set-Cookie", "rtcb_sid=; "
				       "Max-Age=0; HttpOnly; SameSite=Strict;"
				       " Path=/%s", c->w->cfg.https ?
				       "; Secure" : "");
}

int web_identity(struct web_ctx *c, const struct pl *sub)
{
	static const struct {
		const char *path;
		int (*fn)(struct web_ctx *c);
	} posts[] = {
		{ "/email", email_start }, { "/email/confirm", email_confirm },
		{ "/password", password }, { "/voicemail", voicemail },
		{ "/remove", remove_start }, { "/remove/confirm", remove_confirm },
	};
	size_t i;

	if (!sub->len)
		return web_is_post(c) ? web_page_msg(c, 405, "Identity",
						     "nothing to post here")
				      : page(c, 200, NULL, NULL);
	for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		if (!pl_eq_str(sub, posts[i].path))
			continue;
		if (!web_is_post(c))
			return web_page_msg(c, 405, "Identity", "use the form "
					    "on the Identity page");
		return posts[i].fn(c);
	}
	return web_not_found(c);
}
