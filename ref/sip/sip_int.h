/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private helpers shared by the SIP message files: the character class
 * table, LWS-aware scanners over struct pl, and the deep parses with a
 * reason out-parameter (the public *_decode wrappers drop the reason; the
 * message decoder turns it into msg->err). Reasons are static strings.
 */
#ifndef SIP_SIP_INT_H
#define SIP_SIP_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include "sip/sip.h"

/* Character classes of RFC 3261 25.1 (bits of sip_ctab[]). */
#define CT_TOKEN  0x0001	/* token */
#define CT_UNRES  0x0002	/* unreserved = alphanum / mark */
#define CT_USER   0x0004	/* user: unreserved / user-unreserved */
#define CT_PASS   0x0008	/* password: unreserved / & = + $ , */
#define CT_UPAR   0x0010	/* URI params: paramchar / ; = */
#define CT_UHDR   0x0020	/* URI headers: hnv-unreserved / unreserved / = & */
#define CT_HOST   0x0040	/* hostname characters (with '_', seen in the wild) */
#define CT_WORD   0x0080	/* word (Call-ID) */
#define CT_PSTOP  0x0100	/* ends a parameter name or value */
#define CT_LWS    0x0200	/* SP HT CR LF */
#define CT_TEL    0x0400	/* tel: number characters */
#define CT_DIGIT  0x0800	/* DIGIT */
#define CT_LSTOP  0x1000	/* " < > , : list splitting stops here */

extern const uint16_t sip_ctab[256];

static inline bool ct_is(char c, uint16_t mask)
{
	return (sip_ctab[(uint8_t)c] & mask) != 0;
}

static inline bool is_lws(char c)
{
	return ct_is(c, CT_LWS);
}

/* Inline cursor moves: these run for every byte of every header. */
static inline void adv(struct pl *s, size_t n)
{
	s->p += n;
	s->len -= n;
}

static inline void lws_skip(struct pl *s)
{
	while (s->len && ct_is(*s->p, CT_LWS)) {
		s->p++;
		s->len--;
	}
}

static inline void lws_rtrim(struct pl *s)
{
	while (s->len && ct_is(s->p[s->len - 1], CT_LWS))
		s->len--;
}

static inline void lws_trim(struct pl *s)
{
	lws_skip(s);
	lws_rtrim(s);
}

static inline char lc(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Case-insensitive compare with a lower-case literal of known length. */
static inline bool caseeq_n(const struct pl *s, const char *lit, size_t n)
{
	size_t i;

	if (s->len != n)
		return false;
	for (i = 0; i < n; i++)
		if (lc(s->p[i]) != lit[i])
			return false;
	return true;
}
#define CASEEQ(s, lit) caseeq_n((s), lit, sizeof(lit) - 1)

static inline bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* Take a token (1*token char) from the front of s. EBADMSG if none. */
static inline int sip_take_token(struct pl *s, struct pl *tok)
{
	size_t n = 0;

	while (n < s->len && ct_is(s->p[n], CT_TOKEN))
		n++;
	if (!n)
		return EBADMSG;
	tok->p = s->p;
	tok->len = n;
	adv(s, n);
	return 0;
}

/* Decimal 1*DIGIT to uint32: 0, EINVAL (no digits, other bytes),
 * EOVERFLOW; *out written only on success. pl_to_u32, inlined. */
static inline int dec_u32(const struct pl *s, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!s->len)
		return EINVAL;
	for (i = 0; i < s->len; i++) {
		unsigned d = (unsigned)((uint8_t)s->p[i] - '0');

		if (d > 9)
			return EINVAL;
		v = v * 10 + d;
		if (v > UINT32_MAX)
			return EOVERFLOW;
	}
	*out = (uint32_t)v;
	return 0;
}
/*
 * s starts with '"': take the quoted string, quotes included, honouring
 * quoted-pairs. EBADMSG when unterminated.
 */
int sip_take_quoted(struct pl *s, struct pl *q);
/*
 * Next ";name[=value]" of a parameter list, LWS allowed around ';' and
 * '=' (RFC 3261 SEMI, EQUAL). Values: quoted string or a run of bytes up
 * to ; , ? < > or LWS. ENOENT at the end; EBADMSG with *why.
 */
int sip_param_next(struct pl *rest, struct pl *name, struct pl *val,
		   const char **why);
/* Scan a whole parameter list; 0 or EBADMSG with *why. */
int sip_params_check(const struct pl *params, const char **why);

/*
 * Split the first comma-separated element off s (quotes and <> honoured);
 * *comma tells whether a comma followed. EBADMSG: empty or unbalanced.
 */
int sip_list_split(struct pl *s, struct pl *elem, bool *comma);

/* Host checks: IPv6 text without brackets, IPv4, hostname. */
bool sip_ipv6_valid(const struct pl *s);
bool sip_ipv4_valid(const struct pl *s);
bool sip_hostname_valid(const struct pl *s);
/*
 * Take host [":" port] from the front of s; LWS allowed around ':' when
 * lws. IPv6 references lose their brackets.
 */
int sip_take_hostport(struct pl *s, struct pl *host, bool *ipv6,
		      uint16_t *port, bool lws, const char **why);

/*
 * Deep parses with a reason. Unlike the public *_decode wrappers, these
 * write straight into the output (its content is unspecified after an
 * error): the message decoder fills its own fields with them, and the
 * copy through a local was a fifth of the hot path (STYLE 2.4 exception,
 * measured with rtcbench perf parse).
 */
void sip_uri_clear(struct sip_uri *u);
int sip_uri_parse(struct sip_uri *uri, const struct pl *s, const char **why);
int sip_via_parse(struct sip_via *via, const struct pl *s, const char **why);
int sip_addr_parse(struct sip_addr *addr, const struct pl *s,
		   const char **why);
int sip_contact_parse(struct sip_contact *c, const struct pl *s,
		      const char **why);
int sip_cseq_parse(struct sip_cseq *cs, const struct pl *s, const char **why,
		   bool *overflow);

/* Line helpers: length of the line ending at p (CRLF or LF), 0 if none. */
static inline size_t eol_len(const char *p, const char *end)
{
	if (p < end && *p == '\n')
		return 1;
	if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
		return 2;
	return 0;
}

#endif
