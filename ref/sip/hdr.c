/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names and ids: header names (long and compact forms) to enum sip_hdr_id
 * by a switch on length and first character (no macro include files, no
 * hash table to build), method names, reason phrases.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "sip/sip.h"

static const char *const hdr_names[SIP_HDR_COUNT] = {
	[SIP_HDR_OTHER] = "",
	[SIP_HDR_VIA] = "Via",
	[SIP_HDR_FROM] = "From",
	[SIP_HDR_TO] = "To",
	[SIP_HDR_CALL_ID] = "Call-ID",
	[SIP_HDR_CSEQ] = "CSeq",
	[SIP_HDR_CONTACT] = "Contact",
	[SIP_HDR_MAX_FORWARDS] = "Max-Forwards",
	[SIP_HDR_ROUTE] = "Route",
	[SIP_HDR_RECORD_ROUTE] = "Record-Route",
	[SIP_HDR_CONTENT_LENGTH] = "Content-Length",
	[SIP_HDR_CONTENT_TYPE] = "Content-Type",
	[SIP_HDR_CONTENT_ENCODING] = "Content-Encoding",
	[SIP_HDR_AUTHORIZATION] = "Authorization",
	[SIP_HDR_PROXY_AUTHORIZATION] = "Proxy-Authorization",
	[SIP_HDR_WWW_AUTHENTICATE] = "WWW-Authenticate",
	[SIP_HDR_PROXY_AUTHENTICATE] = "Proxy-Authenticate",
	[SIP_HDR_EXPIRES] = "Expires",
	[SIP_HDR_MIN_EXPIRES] = "Min-Expires",
	[SIP_HDR_EVENT] = "Event",
	[SIP_HDR_ALLOW_EVENTS] = "Allow-Events",
	[SIP_HDR_SUBSCRIPTION_STATE] = "Subscription-State",
	[SIP_HDR_ALLOW] = "Allow",
	[SIP_HDR_SUPPORTED] = "Supported",
	[SIP_HDR_REQUIRE] = "Require",
	[SIP_HDR_PROXY_REQUIRE] = "Proxy-Require",
	[SIP_HDR_UNSUPPORTED] = "Unsupported",
	[SIP_HDR_USER_AGENT] = "User-Agent",
	[SIP_HDR_SERVER] = "Server",
	[SIP_HDR_SUBJECT] = "Subject",
	[SIP_HDR_RETRY_AFTER] = "Retry-After",
	[SIP_HDR_REFER_TO] = "Refer-To",
	[SIP_HDR_RSEQ] = "RSeq",
	[SIP_HDR_RACK] = "RAck",
	[SIP_HDR_SIP_ETAG] = "SIP-ETag",
	[SIP_HDR_SIP_IF_MATCH] = "SIP-If-Match",
	[SIP_HDR_PATH] = "Path",
	[SIP_HDR_DATE] = "Date",
	[SIP_HDR_ACCEPT] = "Accept",
};

/* Lower-case copies for the compare in is(); same order as hdr_names. */
static const char *const lower[SIP_HDR_COUNT] = {
	"", "via", "from", "to", "call-id", "cseq", "contact",
	"max-forwards", "route", "record-route", "content-length",
	"content-type", "content-encoding", "authorization",
	"proxy-authorization", "www-authenticate", "proxy-authenticate",
	"expires", "min-expires", "event", "allow-events",
	"subscription-state", "allow", "supported", "require",
	"proxy-require", "unsupported", "user-agent", "server", "subject",
	"retry-after", "refer-to", "rseq", "rack", "sip-etag",
	"sip-if-match", "path", "date", "accept",
};

const char *sip_hdr_name(enum sip_hdr_id id)
{
	if ((unsigned)id >= SIP_HDR_COUNT)
		return "";
	return hdr_names[id];
}

/* Compare the rest of the name (after the first char) with a literal. */
static bool is(const struct pl *n, enum sip_hdr_id id)
{
	const char *lit = lower[id];
	size_t i;

	/* a mismatch stops the loop before lit's NUL could be passed: name
	 * bytes are token characters, never NUL */
	for (i = 1; i < n->len; i++) {
		char c = n->p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != lit[i])
			return false;
	}
	return lit[n->len] == '\0';
}

/* RFC 3261 7.3.3 and the extensions' compact forms. */
static enum sip_hdr_id compact(char c)
{
	switch (c) {
	case 'v': return SIP_HDR_VIA;
	case 'f': return SIP_HDR_FROM;
	case 't': return SIP_HDR_TO;
	case 'i': return SIP_HDR_CALL_ID;
	case 'm': return SIP_HDR_CONTACT;
	case 'l': return SIP_HDR_CONTENT_LENGTH;
	case 'c': return SIP_HDR_CONTENT_TYPE;
	case 'e': return SIP_HDR_CONTENT_ENCODING;
	case 'o': return SIP_HDR_EVENT;
	case 'u': return SIP_HDR_ALLOW_EVENTS;
	case 'k': return SIP_HDR_SUPPORTED;
	case 's': return SIP_HDR_SUBJECT;
	case 'r': return SIP_HDR_REFER_TO;
	default: return SIP_HDR_OTHER;
	}
}

/* Candidates sharing a length are told apart by the first character,
 * then one case-insensitive compare confirms. */
static enum sip_hdr_id lookup(const struct pl *n, char c)
{
	enum sip_hdr_id id = SIP_HDR_OTHER;

	switch (n->len) {
	case 2: id = c == 't' ? SIP_HDR_TO : id; break;
	case 3: id = c == 'v' ? SIP_HDR_VIA : id; break;
	case 4:
		id = c == 'f' ? SIP_HDR_FROM : c == 'c' ? SIP_HDR_CSEQ :
		     c == 'p' ? SIP_HDR_PATH : c == 'd' ? SIP_HDR_DATE : id;
		if (c == 'r')
			id = (n->p[2] | 0x20) == 'e' ? SIP_HDR_RSEQ :
							SIP_HDR_RACK;
		break;
	case 5:
		id = c == 'r' ? SIP_HDR_ROUTE : c == 'e' ? SIP_HDR_EVENT :
		     c == 'a' ? SIP_HDR_ALLOW : id;
		break;
	case 6:
		id = c == 's' ? SIP_HDR_SERVER : c == 'a' ? SIP_HDR_ACCEPT : id;
		break;
	case 7:
		id = c == 'c' ? ((n->p[1] | 0x20) == 'a' ? SIP_HDR_CALL_ID :
							 SIP_HDR_CONTACT) :
		     c == 'e' ? SIP_HDR_EXPIRES : c == 'r' ? SIP_HDR_REQUIRE :
		     c == 's' ? SIP_HDR_SUBJECT : id;
		break;
	case 8:
		id = c == 'r' ? SIP_HDR_REFER_TO : c == 's' ? SIP_HDR_SIP_ETAG :
									id;
		break;
	case 9: id = c == 's' ? SIP_HDR_SUPPORTED : id; break;
	case 10: id = c == 'u' ? SIP_HDR_USER_AGENT : id; break;
	case 11:
		id = c == 'm' ? SIP_HDR_MIN_EXPIRES :
		     c == 'u' ? SIP_HDR_UNSUPPORTED :
		     c == 'r' ? SIP_HDR_RETRY_AFTER : id;
		break;
	case 12:
		id = c == 'm' ? SIP_HDR_MAX_FORWARDS :
		     c == 'r' ? SIP_HDR_RECORD_ROUTE :
		     c == 'a' ? SIP_HDR_ALLOW_EVENTS :
		     c == 's' ? SIP_HDR_SIP_IF_MATCH : id;
		if (c == 'c')
			id = SIP_HDR_CONTENT_TYPE;
		break;
	case 13:
		id = c == 'a' ? SIP_HDR_AUTHORIZATION :
		     c == 'p' ? SIP_HDR_PROXY_REQUIRE : id;
		break;
	case 14: id = c == 'c' ? SIP_HDR_CONTENT_LENGTH : id; break;
	case 16:
		id = c == 'w' ? SIP_HDR_WWW_AUTHENTICATE :
		     c == 'c' ? SIP_HDR_CONTENT_ENCODING : id;
		break;
	case 18:
		id = c == 'p' ? SIP_HDR_PROXY_AUTHENTICATE :
		     c == 's' ? SIP_HDR_SUBSCRIPTION_STATE : id;
		break;
	case 19: id = c == 'p' ? SIP_HDR_PROXY_AUTHORIZATION : id; break;
	default: break;
	}
	return (id != SIP_HDR_OTHER && is(n, id)) ? id : SIP_HDR_OTHER;
}

enum sip_hdr_id sip_hdr_id(const struct pl *name)
{
	char c;

	if (!name || !name->len)
		return SIP_HDR_OTHER;
	c = name->p[0];
	if (c >= 'A' && c <= 'Z')
		c = (char)(c + 32);
	if (name->len == 1)
		return compact(c);
	return lookup(name, c);
}

static const char *const method_names[SIP_M_COUNT] = {
	[SIP_M_OTHER] = "", [SIP_M_INVITE] = "INVITE", [SIP_M_ACK] = "ACK",
	[SIP_M_BYE] = "BYE", [SIP_M_CANCEL] = "CANCEL",
	[SIP_M_REGISTER] = "REGISTER", [SIP_M_OPTIONS] = "OPTIONS",
	[SIP_M_MESSAGE] = "MESSAGE", [SIP_M_SUBSCRIBE] = "SUBSCRIBE",
	[SIP_M_NOTIFY] = "NOTIFY", [SIP_M_PUBLISH] = "PUBLISH",
	[SIP_M_INFO] = "INFO", [SIP_M_PRACK] = "PRACK",
	[SIP_M_UPDATE] = "UPDATE", [SIP_M_REFER] = "REFER",
};

const char *sip_method_name(enum sip_method m)
{
	if ((unsigned)m >= SIP_M_COUNT)
		return "";
	return method_names[m];
}

/* Methods are case-sensitive (RFC 3261 7.1): "invite" is another method. */
enum sip_method sip_method_id(const struct pl *name)
{
	enum sip_method m = SIP_M_OTHER;

	if (!name || name->len < 3)
		return SIP_M_OTHER;
	switch (name->p[0]) {
	case 'I': m = name->len == 6 ? SIP_M_INVITE : SIP_M_INFO; break;
	case 'A': m = SIP_M_ACK; break;
	case 'B': m = SIP_M_BYE; break;
	case 'C': m = SIP_M_CANCEL; break;
	case 'R':
		m = name->len == 8 ? SIP_M_REGISTER : SIP_M_REFER;
		break;
	case 'O': m = SIP_M_OPTIONS; break;
	case 'M': m = SIP_M_MESSAGE; break;
	case 'S': m = SIP_M_SUBSCRIBE; break;
	case 'N': m = SIP_M_NOTIFY; break;
	case 'P': m = name->len == 7 ? SIP_M_PUBLISH : SIP_M_PRACK; break;
	case 'U': m = SIP_M_UPDATE; break;
	default: return SIP_M_OTHER;
	}
	if (strlen(method_names[m]) != name->len ||
	    memcmp(method_names[m], name->p, name->len))
		return SIP_M_OTHER;
	return m;
}

const char *sip_reason(uint16_t scode)
{
	switch (scode) {
	case 100: return "Trying";
	case 180: return "Ringing";
	case 181: return "Call Is Being Forwarded";
	case 182: return "Queued";
	case 183: return "Session Progress";
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Notification";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Moved Temporarily";
	case 305: return "Use Proxy";
	case 380: return "Alternative Service";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 412: return "Conditional Request Failed";
	case 413: return "Request Entity Too Large";
	case 414: return "Request-URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Unsupported URI Scheme";
	case 420: return "Bad Extension";
	case 421: return "Extension Required";
	case 423: return "Interval Too Brief";
	case 480: return "Temporarily Unavailable";
	case 481: return "Call/Transaction Does Not Exist";
	case 482: return "Loop Detected";
	case 483: return "Too Many Hops";
	case 484: return "Address Incomplete";
	case 485: return "Ambiguous";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 488: return "Not Acceptable Here";
	case 489: return "Bad Event";
	case 491: return "Request Pending";
	case 493: return "Undecipherable";
	case 500: return "Server Internal Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Server Time-out";
	case 505: return "Version Not Supported";
	case 513: return "Message Too Large";
	case 600: return "Busy Everywhere";
	case 603: return "Decline";
	case 604: return "Does Not Exist Anywhere";
	case 606: return "Not Acceptable";
	default: break;
	}
	if (scode >= 100 && scode < 200)
		return "Trying";
	if (scode >= 200 && scode < 300)
		return "OK";
	return "Unknown";
}
