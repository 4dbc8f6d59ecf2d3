/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario parser: a line tokenizer (bare words, "quoted strings",
 * key=value with quoted values) and a table of verbs that says, for each,
 * which positional arguments and options it takes and of what type. All
 * checking is table-driven so the runner never sees an ill-formed step.
 *
 * Argument kinds: T rest of line, N new account, A declared account,
 * L one or more declared accounts, S string, D duration, R policy row,
 * W word, =a|b|c one of the words; a leading ? marks it optional.
 * Option kinds: s string, u unsigned, d duration, z size (19MiB),
 * =a|b one of; a leading
 * ! marks it required.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "base/buf.h"
#include "base/cfg.h"
#include "scenario/scn.h"
#include "scenario/topo.h"

struct optspec {
	const char *key;
	const char *kind;
};

struct verbspec {
	const char *name;	/* one or two words */
	enum scn_verb verb;
	const char *args[4];
	struct optspec opts[14];
};

#define VIA_SIP  { "via", "=udp|tcp|tls" }
#define CANARY   { "canary", "s" }

static const struct verbspec verbs[] = {
	{ "title", SCN_TITLE, { "T" }, { { 0 } } },
	{ "account", SCN_ACCOUNT, { "N" },
	  { { "password", "s" }, { "email", "s" }, { "display", "s" },
	    { "voicemail", "=on|off" }, { "pgp", "=on|off" } } },
	{ "register", SCN_REGISTER, { "A" },
	  { VIA_SIP, { "devices", "u" }, CANARY, { "expires", "d" },
	    { "password", "s" } } },
	{ "unregister", SCN_UNREGISTER, { "A" }, { VIA_SIP } },
	{ "call", SCN_CALL, { "A", "A" },
	  { { "duration", "d" }, { "media", "=rtp|srtp|zrtp" }, CANARY,
	    { "answer", "=yes|no|busy" }, VIA_SIP, { "hold", "=yes|no" },
	    { "count", "u" }, { "cancel", "=yes|no" }, { "relay", "=on|off" },
	    { "mos_min", "s" }, { "mos_max", "s" }, { "blocked", "=yes|no" } } },
	{ "message", SCN_MESSAGE, { "A", "A" },
	  { { "body", "!s" }, VIA_SIP, CANARY, { "count", "u" } } },
	{ "chat", SCN_CHAT, { "A", "A" },
	  { { "via", "=tcp|tls" }, { "otr", "=on|off" }, CANARY } },
	{ "subscribe", SCN_SUBSCRIBE, { "A", "A" },
	  { VIA_SIP, CANARY, { "expect", "=active|pending|polite|blocked" } } },
	{ "publish", SCN_PUBLISH, { "A" }, { VIA_SIP, CANARY } },
	{ "conference", SCN_CONFERENCE, { "W", "L" },
	  { CANARY, { "duration", "d" }, { "media", "=rtp|srtp|zrtp" },
	    { "chat", "=yes|no|on|off" } } },
	{ "file", SCN_FILE, { "A", "A" },
	  { { "size", "u" }, { "pgp", "=on|off" }, CANARY, { "name", "s" } } },
	{ "voicemail", SCN_VOICEMAIL, { "A", "A" },
	  { CANARY, { "duration", "d" } } },
	{ "buddies", SCN_BUDDIES, { "A", "L" }, { CANARY } },
	{ "presrules", SCN_PRESRULES, { "A" },
	  { { "allow", "s" }, { "block", "s" }, { "polite", "s" },
	    { "confirm", "s" } } },
	{ "push", SCN_PUSH, { "A" },
	  { CANARY, { "kind", "=call|message" } } },
	{ "purchase", SCN_PURCHASE, { "A" },
	  { { "amount", "!u" }, { "name", "s" }, { "address", "s" } } },
	{ "delete", SCN_DELETE, { "A" }, { { 0 } } },
	{ "advance", SCN_ADVANCE, { "D" }, { { 0 } } },
	{ "purge", SCN_PURGE, { 0 }, { { 0 } } },
	{ "policy", SCN_POLICY, { "?S" },
	  { { "traces", "d" }, { "push", "d" }, { "messages", "d" },
	    { "files", "d" }, { "files_large", "d" }, { "cdrs", "d" },
	    { "billing", "d" }, { "purge_within", "d" },
	    { "hash_memory", "z" }, { "hash_passes", "u" } } },
	{ "audit", SCN_AUDIT, { 0 },
	  { { "policy", "s" }, { "expect", "=pass|fail" }, { "row", "s" },
	    { "cdrs", "d" }, { "traces", "d" }, { "messages", "d" },
	    { "billing", "d" }, { "push", "d" }, { "files", "d" } } },
	{ "link", SCN_LINK, { "W", "?L" },
	  { { "delay", "d" }, { "jitter", "d" }, { "loss", "s" },
	    { "rate", "s" } } },
	{ "lan", SCN_LAN, { "W", "L" },
	  { { "delay", "d" }, { "jitter", "d" }, { "loss", "s" },
	    { "rate", "s" } } },
	{ "nat", SCN_NAT, { "W", "?L" },
	  { { "type", "=full|address|port|symmetric|cone|restricted|"
	      "port-restricted" }, { "timeout", "d" } } },
	{ "expect cdr", SCN_EXPECT_CDR, { "A", "A" }, { { "count", "!u" } } },
	{ "expect trace", SCN_EXPECT_TRACE, { "A" }, { { "count", "!u" } } },
	{ "expect stored", SCN_EXPECT_STORED, { "S", "=yes|no" }, { { 0 } } },
	{ "expect wire", SCN_EXPECT_WIRE, { "S", "=yes|no" }, { { 0 } } },
	{ "expect message", SCN_EXPECT_MESSAGE, { "A" },
	  { { "count", "!u" }, { "encrypted", "=yes|no" } } },
	{ "expect account", SCN_EXPECT_ACCOUNT, { "A", "=present|absent" },
	  { { 0 } } },
	{ "expect row", SCN_EXPECT_ROW, { "R", "=pass|fail" }, { { 0 } } },
	{ "expect registered", SCN_EXPECT_REGISTERED, { "A", "=yes|no" },
	  { { 0 } } },
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))
#define MAX_TOK 64

struct tok {
	char *s;	/* unquoted, NUL-terminated (mem_ owned) */
	int quoted;	/* the whole token was a quoted string */
	char *key;	/* option: key part (mem_ owned), NULL otherwise */
};

struct ctx {
	const char *file;
	unsigned line;
	char *err;
	size_t errsz;
	struct scn *scn;
};

static int fail(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || !c->errsz)
		return EBADMSG;
	n = snprintf(c->err, c->errsz, "%s:%u: ", c->file, c->line);
	if (n < 0 || (size_t)n >= c->errsz)
		return EBADMSG;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return EBADMSG;
}

const char *scn_verb_name(enum scn_verb v)
{
	size_t i;

	for (i = 0; i < NVERBS; i++)
		if (verbs[i].verb == v)
			return verbs[i].name;
	return "?";
}

int scn_duration_parse(const struct pl *s, uint64_t *us)
{
	static const struct { const char *u; uint64_t mul; } units[] = {
		{ "ms", 1000ULL }, { "s", 1000000ULL },
		{ "m", 60000000ULL }, { "h", 3600000000ULL },
		{ "d", 86400000000ULL }, { "w", 604800000000ULL },
		{ "y", 31536000000000ULL },
	};
	size_t i = 0, j;
	uint64_t total = 0;

	if (!s->len)
		return EINVAL;
	while (i < s->len) {
		uint64_t n = 0;
		size_t d0 = i, ul;

		while (i < s->len && s->p[i] >= '0' && s->p[i] <= '9') {
			if (n > (UINT64_MAX - 9) / 10)
				return EOVERFLOW;
			n = n * 10 + (uint64_t)(s->p[i++] - '0');
		}
		if (i == d0)
			return EINVAL;
		for (ul = 0; i + ul < s->len && s->p[i + ul] >= 'a' &&
		     s->p[i + ul] <= 'z'; ul++)
			;
		for (j = 0; j < sizeof(units) / sizeof(units[0]); j++)
			if (strlen(units[j].u) == ul &&
			    !memcmp(units[j].u, s->p + i, ul))
				break;
		if (j == sizeof(units) / sizeof(units[0]))
			return EINVAL;
		if (n && units[j].mul > UINT64_MAX / n)
			return EOVERFLOW;
		if (total > UINT64_MAX - n * units[j].mul)
			return EOVERFLOW;
		total += n * units[j].mul;
		i += ul;
	}
	*us = total;
	return 0;
}

int scn_row_parse(const char *s, unsigned *row)
{
	struct pl n;
	uint32_t v;

	if (!s || (s[0] != 'P' && s[0] != 'p'))
		return EINVAL;
	n = pl_from_str(s + 1);
	if (pl_to_u32(&n, &v) || v < 1 || v > 18)
		return EINVAL;
	*row = v;
	return 0;
}

static int is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
	       ch == '.';
}

static void toks_free(struct tok *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		mem_free(t[i].s);
		mem_free(t[i].key);
	}
}

/* Read a quoted string at *pp (on the opening quote) into b. */
static int unquote(struct ctx *c, const char **pp, const char *end,
		   struct buf *b)
{
	const char *p = *pp + 1;

	while (p < end && *p != '"') {
		if (*p == '\\' && p + 1 < end &&
		    (p[1] == '"' || p[1] == '\\')) {
			p++;
		} else if (*p == '\\' && p + 1 < end && p[1] == 'n') {
			if (buf_put_u8(b, '\n'))
				return ENOMEM;
			p += 2;
			continue;
		}
		if (buf_put_u8(b, (uint8_t)*p++))
			return ENOMEM;
	}
	if (p >= end)
		return fail(c, "unterminated quoted string");
	*pp = p + 1;
	if (*pp < end && *(*pp) != ' ' && *(*pp) != '\t')
		return fail(c, "text right after a closing quote");
	return 0;
}

/* Split one line (no newline) into tokens; stops at a # comment. */
static int tokenize(struct ctx *c, const char *p, const char *end,
		    struct tok *t, size_t *nt, const char **rest_of_first)
{
	struct buf b;
	int err = 0;

	*nt = 0;
	*rest_of_first = NULL;
	buf_init(&b);
	for (;;) {
		const char *st, *eq;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p == '#')
			break;
		if (*nt == 1 && !*rest_of_first)
			*rest_of_first = p;
		if (*nt == MAX_TOK) {
			err = fail(c, "more than %d words on one line",
				   MAX_TOK);
			goto out;
		}
		buf_reset(&b);
		memset(&t[*nt], 0, sizeof(t[*nt]));
		if (*p == '"') {
			err = unquote(c, &p, end, &b);
			if (err)
				goto out;
			t[*nt].quoted = 1;
		} else {
			st = p;
			eq = NULL;
			while (p < end && *p != ' ' && *p != '\t' &&
			       *p != '"') {
				if (*p == '=' && !eq)
					eq = p;
				p++;
			}
			if (p < end && *p == '"' && !(eq && eq + 1 == p)) {
				err = fail(c, "quote inside a word");
				goto out;
			}
			if (eq) {
				t[*nt].key = mem_strndup(st, (size_t)(eq - st));
				if (!t[*nt].key) {
					err = ENOMEM;
					goto out;
				}
				if (p < end && *p == '"') {
					err = unquote(c, &p, end, &b);
					if (err) {
						mem_free(t[*nt].key);
						t[*nt].key = NULL;
						goto out;
					}
				} else if (buf_put(&b, eq + 1,
						   (size_t)(p - eq - 1))) {
					mem_free(t[*nt].key);
					t[*nt].key = NULL;
					err = ENOMEM;
					goto out;
				}
			} else if (buf_put(&b, st, (size_t)(p - st))) {
				err = ENOMEM;
				goto out;
			}
		}
		t[*nt].s = mem_strndup(b.len ? (char *)b.data : "", b.len);
		if (!t[*nt].s) {
			mem_free(t[*nt].key);
			t[*nt].key = NULL;
			err = ENOMEM;
			goto out;
		}
		(*nt)++;
	}
out:
	buf_fini(&b);
	return err;
}

static int in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (*p) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !memcmp(p, v, n))
			return 1;
		p += l + (e ? 1 : 0);
	}
	return 0;
}

static int account_declared(const struct scn *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->acct_cnt; i++)
		if (!strcmp(s->accounts[i], name))
			return 1;
	return 0;
}

static int check_name(struct ctx *c, const char *v)
{
	const char *p;

	if (!*v)
		return fail(c, "empty account name");
	for (p = v; *p; p++)
		if (!is_name_char(*p))
			return fail(c, "account name '%s' has a character "
				    "other than letters, digits, _ - .", v);
	return 0;
}

static int check_arg(struct ctx *c, const struct verbspec *vs,
		     const char *kind, const struct tok *t,
		     struct scn_step *st)
{
	const char *k = kind[0] == '?' ? kind + 1 : kind;
	uint64_t us;
	unsigned row;
	struct pl pl = pl_from_str(t->s);
	int err;

	switch (k[0]) {
	case 'N':
		err = check_name(c, t->s);
		if (err)
			return err;
		if (account_declared(c->scn, t->s))
			return fail(c, "account '%s' declared twice", t->s);
		return 0;
	case 'A':
	case 'L':
		if (!account_declared(c->scn, t->s))
			return fail(c, "'%s': account '%s' is not declared "
				    "(no 'account %s' line before)", vs->name,
				    t->s, t->s);
		return 0;
	case 'D':
		err = scn_duration_parse(&pl, &us);
		if (err)
			return fail(c, "'%s': bad duration '%s' (use s, m, h, "
				    "d, w, y: 30s, 7d, 26w)", vs->name, t->s);
		st->dur_us = us;
		return 0;
	case 'R':
		if (scn_row_parse(t->s, &row))
			return fail(c, "'%s': '%s' is not a policy row "
				    "P1..P18", vs->name, t->s);
		return 0;
	case '=':
		if (!in_choices(k + 1, t->s))
			return fail(c, "'%s': '%s' must be one of %s",
				    vs->name, t->s, k + 1);
		return 0;
	default:	/* S, W, T */
		return 0;
	}
}

static int check_opt(struct ctx *c, const struct verbspec *vs,
		     const struct tok *t)
{
	const struct optspec *o;
	const char *k;
	struct pl pl = pl_from_str(t->s);
	uint64_t v;

	for (o = vs->opts; o->key; o++)
		if (!strcmp(o->key, t->key))
			break;
	if (!o->key)
		return fail(c, "'%s': unknown option '%s'", vs->name, t->key);
	k = o->kind[0] == '!' ? o->kind + 1 : o->kind;
	switch (k[0]) {
	case 'u':
		if (pl_to_u64(&pl, &v))
			return fail(c, "'%s': option %s='%s' is not a "
				    "number", vs->name, t->key, t->s);
		return 0;
	case 'd':
		if (scn_duration_parse(&pl, &v))
			return fail(c, "'%s': bad duration %s='%s' (use s, "
				    "m, h, d, w, y)", vs->name, t->key, t->s);
		return 0;
	case 'z':
		if (cfg_parse_size(t->s, &v))
			return fail(c, "'%s': bad size %s='%s' (e.g. 512, "
				    "50MB, 19MiB)", vs->name, t->key, t->s);
		return 0;
	case '=':
		if (!in_choices(k + 1, t->s))
			return fail(c, "'%s': option %s='%s' must be one of "
				    "%s", vs->name, t->key, t->s, k + 1);
		return 0;
	default:
		return 0;
	}
}

static const struct verbspec *find_verb(struct tok *t, size_t nt,
					size_t *used)
{
	size_t i;

	for (i = 0; i < NVERBS; i++) {
		const char *sp = strchr(verbs[i].name, ' ');

		if (sp) {
			if (nt >= 2 && !t[0].key && !t[1].key &&
			    !t[0].quoted && !t[1].quoted &&
			    strlen(t[0].s) == (size_t)(sp - verbs[i].name) &&
			    !memcmp(t[0].s, verbs[i].name,
				    (size_t)(sp - verbs[i].name)) &&
			    !strcmp(t[1].s, sp + 1)) {
				*used = 2;
				return &verbs[i];
			}
		} else if (!t[0].key && !t[0].quoted &&
			   !strcmp(t[0].s, verbs[i].name)) {
			*used = 1;
			return &verbs[i];
		}
	}
	return NULL;
}

static void step_fini(struct scn_step *st)
{
	size_t i;

	for (i = 0; i < st->argc; i++)
		mem_free(st->argv[i]);
	mem_free(st->argv);
	for (i = 0; i < st->optc; i++) {
		mem_free(st->opts[i].key);
		mem_free(st->opts[i].val);
	}
	mem_free(st->opts);
}

/* Move tokens into a step after checking them against the verb. */
static int build_step(struct ctx *c, const struct verbspec *vs,
		      struct tok *t, size_t nt, size_t first,
		      struct scn_step *st)
{
	size_t i, npos = 0, nopt = 0, ai = 0;
	const struct optspec *o;
	int err;

	for (i = first; i < nt; i++)
		t[i].key ? nopt++ : npos++;
	st->verb = vs->verb;
	st->line = c->line;
	st->argv = mem_zalloc((npos + 1) * sizeof(char *));
	st->opts = mem_zalloc((nopt + 1) * sizeof(struct scn_opt));
	if (!st->argv || !st->opts)
		return ENOMEM;
	for (i = first; i < nt; i++) {
		if (t[i].key) {
			size_t j;

			for (j = 0; j < st->optc; j++)
				if (!strcmp(st->opts[j].key, t[i].key))
					return fail(c, "'%s': option '%s' "
						    "given twice", vs->name,
						    t[i].key);
			err = check_opt(c, vs, &t[i]);
			if (err)
				return err;
			st->opts[st->optc].key = t[i].key;
			st->opts[st->optc].val = t[i].s;
			t[i].key = t[i].s = NULL;
			st->optc++;
			continue;
		}
		if (!vs->args[ai])
			return fail(c, "'%s': unexpected argument '%s'",
				    vs->name, t[i].s);
		err = check_arg(c, vs, vs->args[ai], &t[i], st);
		if (err)
			return err;
		if (vs->args[ai][0] == 'N') {
			char **na = mem_realloc(c->scn->accounts,
				(c->scn->acct_cnt + 1) * sizeof(char *));
			char *nm;

			if (!na)
				return ENOMEM;
			c->scn->accounts = na;
			nm = mem_strdup(t[i].s);
			if (!nm)
				return ENOMEM;
			na[c->scn->acct_cnt++] = nm;
		}
		st->argv[st->argc++] = t[i].s;
		t[i].s = NULL;
		/* L (and ?L) soaks up every remaining positional. */
		if (vs->args[ai][0] != 'L' && strcmp(vs->args[ai], "?L"))
			ai++;
	}
	for (; ai < 4 && vs->args[ai]; ai++) {
		const char *k = vs->args[ai];

		if (k[0] == '?')
			continue;
		if (k[0] == 'L' && st->argc > ai)
			continue;
		return fail(c, "'%s': missing argument %zu (%s)", vs->name,
			    ai + 1, k[0] == 'A' || k[0] == 'N' || k[0] == 'L' ?
			    "an account name" : k[0] == 'D' ? "a duration" :
			    k[0] == 'S' ? "a string" : k[0] == 'R' ?
			    "a policy row P1..P18" : k[0] == '=' ? k + 1 :
			    "a word");
	}
	for (o = vs->opts; o->key; o++)
		if (o->kind[0] == '!' && !scn_opt(st, o->key))
			return fail(c, "'%s': missing option %s=", vs->name,
				    o->key);
	return 0;
}

static int parse_line(struct ctx *c, const char *p, const char *end)
{
	struct tok t[MAX_TOK];
	size_t nt = 0, used = 0;
	const struct verbspec *vs;
	const char *rest;
	struct scn_step st, *ns;
	struct scn *s = c->scn;
	int err;

	memset(&st, 0, sizeof(st));
	err = tokenize(c, p, end, t, &nt, &rest);
	if (err || !nt)
		goto out;
	vs = find_verb(t, nt, &used);
	if (!vs) {
		if (!strcmp(t[0].s, "expect") && nt >= 2)
			err = fail(c, "unknown check 'expect %s'", t[1].s);
		else
			err = fail(c, "unknown verb '%s'", t[0].s);
		goto out;
	}
	if (vs->verb == SCN_TITLE) {
		char *title;

		if (!rest) {
			err = fail(c, "'title': missing text");
			goto out;
		}
		title = nt == 2 && t[1].quoted ? mem_strdup(t[1].s) :
			mem_strndup(rest, (size_t)(end - rest));
		if (!title) {
			err = ENOMEM;
			goto out;
		}
		/* Trailing blanks and comment never belong to the title. */
		if (!(nt == 2 && t[1].quoted)) {
			char *h = strchr(title, '#');
			size_t l;

			if (h)
				*h = 0;
			l = strlen(title);
			while (l && (title[l - 1] == ' ' ||
				     title[l - 1] == '\t'))
				title[--l] = 0;
		}
		mem_free(s->title);
		s->title = title;
		goto out;
	}
	err = build_step(c, vs, t, nt, used, &st);
	if (err)
		goto out;
	ns = mem_realloc(s->steps, (s->cnt + 1) * sizeof(*ns));
	if (!ns) {
		err = ENOMEM;
		goto out;
	}
	s->steps = ns;
	s->steps[s->cnt++] = st;
	memset(&st, 0, sizeof(st));
out:
	step_fini(&st);
	toks_free(t, nt);
	return err;
}

int scn_parse(struct scn **sp, const char *file, const char *text,
	      size_t len, char *err, size_t errsz)
{
	struct ctx c = { file ? file : "-", 0, err, errsz, NULL };
	const char *p = text, *end = text + len;
	int rc = ENOMEM;

	if (err && errsz)
		err[0] = 0;
	c.scn = mem_zalloc(sizeof(*c.scn));
	if (!c.scn)
		return ENOMEM;
	c.scn->file = mem_strdup(c.file);
	if (!c.scn->file)
		goto bad;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		c.line++;
		if (memchr(p, 0, (size_t)(le - p))) {
			rc = fail(&c, "NUL byte in the line");
			goto bad;
		}
		if (le > p && le[-1] == '\r')
			le--;
		rc = parse_line(&c, p, le);
		if (rc)
			goto bad;
		p = nl ? nl + 1 : end;
	}
	/* link/nat lines: ranges and placements, whatever the mode */
	{
		struct scn_topo t;

		rc = scn_topo_build(&t, c.scn, err, errsz);
		if (rc)
			goto bad;
		scn_topo_fini(&t);
	}
	*sp = c.scn;
	return 0;
bad:
	scn_free(c.scn);
	return rc;
}

int scn_load(struct scn **sp, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;
	int rc;

	if (!f) {
		rc = errno;
		snprintf(err, errsz, "%s: %s", path, strerror(rc));
		return rc;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_put(&b, chunk, n)) {
			fclose(f);
			buf_fini(&b);
			return ENOMEM;
		}
	if (ferror(f)) {
		rc = EIO;
		snprintf(err, errsz, "%s: read error (a directory?)", path);
		fclose(f);
		buf_fini(&b);
		return rc;
	}
	fclose(f);
	rc = scn_parse(sp, path, b.len ? (char *)b.data : "", b.len, err,
		       errsz);
	buf_fini(&b);
	return rc;
}

void scn_free(struct scn *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->cnt; i++)
		step_fini(&s->steps[i]);
	mem_free(s->steps);
	for (i = 0; i < s->acct_cnt; i++)
		mem_free(s->accounts[i]);
	mem_free(s->accounts);
	mem_free(s->title);
	mem_free(s->file);
	mem_free(s);
}

const char *scn_opt(const struct scn_step *st, const char *key)
{
	size_t i;

	for (i = 0; i < st->optc; i++)
		if (!strcmp(st->opts[i].key, key))
			return st->opts[i].val;
	return NULL;
}

uint64_t scn_opt_u64(const struct scn_step *st, const char *key,
		     uint64_t dflt)
{
	const char *v = scn_opt(st, key);
	struct pl pl;
	uint64_t n;

	if (!v)
		return dflt;
	pl = pl_from_str(v);
	return pl_to_u64(&pl, &n) ? dflt : n;
}

uint64_t scn_opt_dur_us(const struct scn_step *st, const char *key,
			uint64_t dflt_us)
{
	const char *v = scn_opt(st, key);
	struct pl pl;
	uint64_t n;

	if (!v)
		return dflt_us;
	pl = pl_from_str(v);
	return scn_duration_parse(&pl, &n) ? dflt_us : n;
}
