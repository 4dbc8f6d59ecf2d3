/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Voicemail by e-mail (POLICY.md P14, optional per account): one MIME
 * message built with libcurl's mime API (text part + audio/wav attachment,
 * base64) and sent over SMTP to the server the config names; and plain
 * one-part messages for the portal's confirmation codes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include "base/mem.h"
#include "push/push.h"
#include "store/store_json.h"

/* Header-safe: no CR, LF or angle brackets in addresses we paste in. */
static int addr_ok(const char *s)
{
	return s && *s && strchr(s, '@') && !strpbrk(s, "\r\n<>\" ,;");
}

/*
 * The SMTP envelope and transport options both senders share (server,
 * sender, the one recipient, timeout, SMTP only, optional login), then
 * the transfer; the caller has set the message body on c.
 */
static int smtp_perform(CURL *c, const struct push_mail_cfg *cfg,
			const char *to, char *err, size_t errsz)
{
	struct curl_slist *rcpt = NULL;
	char from[512], line[512];
	CURLcode rc;
	int e = 0;

	snprintf(line, sizeof(line), "<%s>", to);
	rcpt = curl_slist_append(rcpt, line);
	if (!rcpt)
		return ENOMEM;
	snprintf(from, sizeof(from), "<%s>", cfg->from);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, cfg->timeout_ms ?
			 (long)cfg->timeout_ms : 10000L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (cfg->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password);
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "mail: %s", curl_easy_strerror(rc));
		e = EIO;
	}
	curl_slist_free_all(rcpt);
	return e;
}

int push_mail_voicemail(const struct push_mail_cfg *cfg, const char *to,
			const char *caller, int64_t time_us,
			const char *wav_path, char *err, size_t errsz)
{
	struct curl_slist *hdrs = NULL;
	char line[512], when[40], text[512];
	curl_mime *mime = NULL;
	curl_mimepart *part;
	CURL *c;
	int e = 0;

	if (!cfg || !cfg->smtp_url || !addr_ok(cfg->from) || !addr_ok(to) ||
	    !wav_path || (caller && strpbrk(caller, "\r\n"))) {
		snprintf(err, errsz, "mail: bad sender, recipient or caller");
		return EINVAL;
	}
	if (access(wav_path, R_OK)) {
		snprintf(err, errsz, "mail: %s: no recording", wav_path);
		return ENOENT;
	}
	c = curl_easy_init();
	if (!c)
		return ENOMEM;
	store_time_iso(time_us, when, sizeof(when));
	snprintf(line, sizeof(line), "From: <%s>", cfg->from);
	hdrs = curl_slist_append(hdrs, line);
	snprintf(line, sizeof(line), "To: <%s>", to);
	hdrs = curl_slist_append(hdrs, line);
	snprintf(line, sizeof(line), "Subject: Voicemail from %s",
		 caller && *caller ? caller : "unknown caller");
	hdrs = curl_slist_append(hdrs, line);
	snprintf(text, sizeof(text), "New voicemail from %s at %s.\r\n",
		 caller && *caller ? caller : "an unknown caller", when);
	mime = curl_mime_init(c);
	if (!hdrs || !mime) {
		e = ENOMEM;
		goto out;
	}
	part = curl_mime_addpart(mime);
	curl_mime_data(part, text, CURL_ZERO_TERMINATED);
	curl_mime_type(part, "text/plain; charset=utf-8");
	part = curl_mime_addpart(mime);
	curl_mime_filedata(part, wav_path);
	curl_mime_filename(part, "voicemail.wav");
	curl_mime_type(part, "audio/wav");
	curl_mime_encoder(part, "base64");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	e = smtp_perform(c, cfg, to, err, errsz);
out:
	curl_mime_free(mime);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return e;
}

/* Feeds the prepared message to libcurl's upload. */
struct feed {
	const char *p;
	size_t left;
};

static size_t feed_read(char *out, size_t size, size_t n, void *arg)
{
	struct feed *f = arg;
	size_t k = size * n < f->left ? size * n : f->left;

	memcpy(out, f->p, k);
	f->p += k;
	f->left -= k;
	return k;
}

int push_mail_send(const struct push_mail_cfg *cfg, const char *to,
		   const char *subject, const char *text, char *err,
		   size_t errsz)
{
	char *msg = NULL;
	struct feed f;
	size_t len;
	CURL *c;
	int e = 0;

	if (!cfg || !cfg->smtp_url || !addr_ok(cfg->from) || !addr_ok(to) ||
	    !subject || strpbrk(subject, "\r\n") || !text) {
		snprintf(err, errsz, "mail: bad sender, recipient or subject");
		return EINVAL;
	}
	c = curl_easy_init();
	if (!c)
		return ENOMEM;
	len = strlen(text) + strlen(subject) + 2 * strlen(to) +
	      strlen(cfg->from) + 256;
	msg = mem_alloc(len);
	if (!msg) {
		e = ENOMEM;
		goto out;
	}
	/* RFC 5322: the header, an empty line, the text (CRLF as given). */
	f.left = (size_t)snprintf(msg, len, "From: <%s>\r\nTo: <%s>\r\n"
				  "Subject: %s\r\nMIME-Version: 1.0\r\n"
				  "Content-Type: text/plain; charset=utf-8\r\n"
				  "\r\n%s", cfg->from, to, subject, text);
	f.p = msg;
	curl_easy_setopt(c, CURLOPT_READFUNCTION, feed_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &f);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	e = smtp_perform(c, cfg, to, err, errsz);
out:
	mem_free(msg);
	curl_easy_cleanup(c);
	return e;
}
