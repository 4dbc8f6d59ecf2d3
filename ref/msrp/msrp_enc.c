/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSRP encoders (RFC 4975 7): start lines, header lines, end-lines, and
 * the two whole messages a relay makes itself: responses and failure
 * REPORTs. Content never passes through here.
 */
#include <errno.h>
#include "msrp/msrp.h"

const char *msrp_reason(uint16_t code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 408: return "Request Timeout";
	case 413: return "Message Too Large";
	case 415: return "Unsupported Media Type";
	case 423: return "Interval Out-of-Bounds";
	case 481: return "Session Does Not Exist";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 506: return "Session Already Bound";
	default: return code < 300 ? "OK" : "Error";
	}
}

int msrp_req_start_encode(struct buf *b, const struct pl *tid,
			  const char *method)
{
	return buf_printf(b, "MSRP %.*s %s\r\n", PL_ARG(*tid), method);
}

int msrp_resp_start_encode(struct buf *b, const struct pl *tid,
			   uint16_t code, const char *comment)
{
	if (code < 100 || code > 999)
		return EINVAL;
	return buf_printf(b, "MSRP %.*s %03u %s\r\n", PL_ARG(*tid),
			  (unsigned)code, comment ? comment : msrp_reason(code));
}

int msrp_hdr_encode(struct buf *b, const char *name, const struct pl *val)
{
	return buf_printf(b, "%s: %.*s\r\n", name, PL_ARG(*val));
}

int msrp_end_encode(struct buf *b, const struct pl *tid, char flag,
		    bool with_body)
{
	if (flag != '$' && flag != '+' && flag != '#')
		return EINVAL;
	return buf_printf(b, "%s-------%.*s%c\r\n", with_body ? "\r\n" : "",
			  PL_ARG(*tid), flag);
}

int msrp_resp_encode(struct buf *b, const struct pl *tid, uint16_t code,
		     const struct pl *to_path, const struct pl *from_path)
{
	int err;

	err = msrp_resp_start_encode(b, tid, code, NULL);
	err = err ? err : msrp_hdr_encode(b, "To-Path", to_path);
	err = err ? err : msrp_hdr_encode(b, "From-Path", from_path);
	err = err ? err : msrp_end_encode(b, tid, '$', false);
	return err;
}

int msrp_report_encode(struct buf *b, const struct pl *tid,
		       const struct pl *to_path, const struct pl *from_path,
		       const struct pl *msg_id, const struct pl *range,
		       uint16_t code)
{
	int err;

	err = msrp_req_start_encode(b, tid, "REPORT");
	err = err ? err : msrp_hdr_encode(b, "To-Path", to_path);
	err = err ? err : msrp_hdr_encode(b, "From-Path", from_path);
	err = err ? err : msrp_hdr_encode(b, "Message-ID", msg_id);
	if (!err && range && range->len)
		err = msrp_hdr_encode(b, "Byte-Range", range);
	err = err ? err : buf_printf(b, "Status: 000 %03u %s\r\n",
				     (unsigned)code, msrp_reason(code));
	err = err ? err : msrp_end_encode(b, tid, '$', false);
	return err;
}
