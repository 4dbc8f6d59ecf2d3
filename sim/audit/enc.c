/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The encodings a canary may be stored or sent in. A store that keeps a
 * body as base64 (e-mail attachments, JSON blobs), hex (SQLite's X'..'
 * dumps, digests of logs), quoted-printable (MIME), percent-encoding (URIs,
 * form posts) or UTF-16 (some databases, Windows tools) must not hide a
 * canary from the audit.
 *
 * Base64: a canary can start at any byte of a 3-byte quantum, so there are
 * three alignments; in each only the characters whose 6 bits all come from
 * canary bytes are searched (the neighbours are unknown).
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "audit/audit.h"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char *audit_enc_name(enum audit_enc enc)
{
	static const char *names[AUDIT_ENC_CNT] = {
		"plain", "base64", "base64+1", "base64+2", "hex", "HEX",
		"quoted-printable", "url-encoded", "utf-16le", "utf-16be",
	};

	return enc < AUDIT_ENC_CNT ? names[enc] : "?";
}

/* Bit i (0 = most significant of byte 0) of the aligned stream. */
static unsigned bit_at(const uint8_t *c, size_t len, size_t align, size_t i)
{
	size_t byte = i / 8;

	if (byte < align || byte >= align + len)
		return 0;
	return (c[byte - align] >> (7 - i % 8)) & 1;
}

static int enc_b64(const uint8_t *c, size_t len, size_t align, char *o,
		   size_t *ol)
{
	size_t first = (8 * align + 5) / 6;
	size_t last = (8 * (align + len)) / 6;	/* exclusive */
	size_t i, b, n = 0;

	if (last <= first || last - first < 4)
		return ENOENT;
	for (i = first; i < last; i++) {
		unsigned v = 0;

		for (b = 0; b < 6; b++)
			v = (v << 1) | bit_at(c, len, align, 6 * i + b);
		o[n++] = b64[v];
	}
	*ol = n;
	return 0;
}

static int qp_plain(uint8_t ch)
{
	return (ch >= 33 && ch <= 126 && ch != '=') || ch == ' ';
}

static int url_plain(uint8_t ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
	       ch == '.' || ch == '~';
}

int audit_encode(const uint8_t *c, size_t len, enum audit_enc enc,
		 char **out, size_t *outlen)
{
	static const char hl[] = "0123456789abcdef", hu[] = "0123456789ABCDEF";
	char *o;
	size_t i, n = 0;
	int changed = 0, err = 0;

	if (!len)
		return ENOENT;
	o = mem_alloc(3 * len + 4);
	if (!o)
		return ENOMEM;
	switch (enc) {
	case AUDIT_ENC_PLAIN:
		memcpy(o, c, len);
		n = len;
		break;
	case AUDIT_ENC_B64_0:
	case AUDIT_ENC_B64_1:
	case AUDIT_ENC_B64_2:
		err = enc_b64(c, len, (size_t)(enc - AUDIT_ENC_B64_0), o, &n);
		break;
	case AUDIT_ENC_HEX_LO:
	case AUDIT_ENC_HEX_UP:
		for (i = 0; i < len; i++) {
			const char *h = enc == AUDIT_ENC_HEX_LO ? hl : hu;

			o[n++] = h[c[i] >> 4];
			o[n++] = h[c[i] & 15];
		}
		/* A canary of digits only would match itself in hex. */
		break;
	case AUDIT_ENC_QP:
	case AUDIT_ENC_URL:
		for (i = 0; i < len; i++) {
			int keep = enc == AUDIT_ENC_QP ? qp_plain(c[i]) :
				   url_plain(c[i]);

			if (keep) {
				o[n++] = (char)c[i];
				continue;
			}
			changed = 1;
			o[n++] = enc == AUDIT_ENC_QP ? '=' : '%';
			o[n++] = hu[c[i] >> 4];
			o[n++] = hu[c[i] & 15];
		}
		if (!changed)
			err = ENOENT;
		break;
	case AUDIT_ENC_UTF16LE:
	case AUDIT_ENC_UTF16BE:
		mem_free(o);
		o = mem_alloc(2 * len + 1);
		if (!o)
			return ENOMEM;
		for (i = 0; i < len; i++) {
			if (c[i] >= 0x80) {
				/* Non-ASCII would need real transcoding. */
				err = ENOENT;
				break;
			}
			o[n++] = enc == AUDIT_ENC_UTF16LE ? (char)c[i] : 0;
			o[n++] = enc == AUDIT_ENC_UTF16LE ? 0 : (char)c[i];
		}
		break;
	default:
		err = EINVAL;
	}
	if (err) {
		mem_free(o);
		return err;
	}
	o[n] = 0;
	*out = o;
	*outlen = n;
	return 0;
}
