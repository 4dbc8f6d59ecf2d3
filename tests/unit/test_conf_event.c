/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The focus's RFC 4575 conference event package and REFER (RFC 3515)
 * through the four core calls, fake clock, no sockets: SUBSCRIBE gets 200
 * and a NOTIFY with the full conference-info (version 1, no user); a
 * join and a leave each bring a new full NOTIFY naming the users; a
 * NOTIFY not answered is retransmitted; Expires 0 terminates; a wrong
 * Event gets 489. REFER out of dialog gets 202, a sipfrag "100 Trying"
 * NOTIFY and an INVITE to the Refer-To target through the sender; a 200
 * with SDP is ACKed, the leg joins the room as dialed-out and the
 * sipfrag says 200 (terminated); a 486 is reported as such; a missing or
 * bad Refer-To gets 400.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "base/net.h"
#include "sip/sip.h"
#include "conf/conf_focus.h"
#include "conf_testutil.h"
#include "mem_testutil.h"

static struct sip_msg msg;

static struct conf_focus *focus(void)
{
	struct conf_focus_cfg cfg;
	struct conf_focus *f;

	memset(&cfg, 0, sizeof(cfg));
	cfg.room_prefix = "room-";
	cfg.domain = "example.org";
	cfg.sip_addr = addr(5070);
	cfg.media_addr = addr(0);
	cfg.port_min = 40000;
	cfg.port_max = 40020;
	cfg.room_max = 4;
	cfg.media_timeout_us = 0;
	cfg.seed = 9;
	assert_int_equal(conf_focus_new(&f, &cfg), 0);
	return f;
}

/* Feed text (from port) and drain. */
static void in(struct conf_focus *f, uint64_t now, uint16_t port,
	       const char *text)
{
	struct net_pkt p;

	memset(&p, 0, sizeof(p));
	p.from = addr(port);
	p.to = addr(5070);
	p.data = (const uint8_t *)text;
	p.len = strlen(text);
	assert_int_equal(conf_focus_input(f, now, &p), 0);
	drain(f);
}

/* The output starting with prefix (its index), failing if absent. */
static size_t find(const char *prefix)
{
	size_t i;

	for (i = 0; i < nouts; i++)
		if (!strncmp(outs[i].text, prefix, strlen(prefix)))
			return i;
	fail_msg("no output starting with '%s' (%zu outputs)", prefix, nouts);
	return 0;
}

/* Answer the request in outs[i] with code (To tag added when absent). */
static void respond(struct conf_focus *f, uint64_t now, size_t i,
		    uint16_t code, const char *body)
{
	static char text[4096];
	struct buf b;
	struct pl tag = PL("calleetag"), ct = PL("application/sdp"), bd;
	struct sip_hdr_add h = { "Contact", PL("<sip:dave@127.0.0.1:5300>") };
	struct pl rr;

	assert_int_equal(sip_msg_decode(&msg, (const uint8_t *)outs[i].data,
					outs[i].len), 0);
	buf_init(&b);
	bd = pl_from_str(body ? body : "");
	rr = pl_from_str("<sip:127.0.0.1:5060;lr>");
	{
		struct sip_hdr_add hh[2] = { h, { "Record-Route", rr } };

		assert_int_equal(sip_encode_response(&b, &msg, code, NULL,
			msg.to.tag.len ? NULL : &tag, hh,
			msg.mid == SIP_M_INVITE && code == 200 ? 2 : 0,
			body ? &ct : NULL, body ? &bd : NULL), 0);
	}
	snprintf(text, sizeof(text), "%.*s", (int)b.len, (char *)b.data);
	buf_fini(&b);
	in(f, now, 5060, text);
}

static const char subscribe_fmt[] =
	"SUBSCRIBE sip:room-blue@example.org SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKs%u\r\n"
	"Record-Route: <sip:127.0.0.1:5060;lr>\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:carol@example.org>;tag=ctag\r\n"
	"To: <sip:room-blue@example.org>%s%s\r\n"
	"Call-ID: sub1@test\r\nCSeq: %u SUBSCRIBE\r\n"
	"Contact: <sip:carol@127.0.0.1:5200>\r\n"
	"Event: %s\r\nExpires: %u\r\nContent-Length: 0\r\n\r\n";

static void subscribe(struct conf_focus *f, uint64_t now, unsigned cseq,
		      const char *totag, const char *event, unsigned exp)
{
	char m[1024];

	snprintf(m, sizeof(m), subscribe_fmt, cseq, totag ? ";tag=" : "",
		 totag ? totag : "", cseq, event, exp);
	in(f, now, 5060, m);
}

static void join(struct conf_focus *f, uint64_t now, int i)
{
	char m[2048], sdp[256];

	snprintf(sdp, sizeof(sdp), "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\n",
		 30000 + 2 * i);
	snprintf(m, sizeof(m),
		 "INVITE sip:room-blue@example.org SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKj%d\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:user%d@example.org>;tag=u%d\r\n"
		 "To: <sip:room-blue@example.org>\r\n"
		 "Call-ID: join%d@test\r\nCSeq: 1 INVITE\r\n"
		 "Contact: <sip:user%d@127.0.0.1:%d>\r\n"
		 "Content-Type: application/sdp\r\n"
		 "Content-Length: %zu\r\n\r\n%s", i, i, i, i, i, 5100 + i,
		 strlen(sdp), sdp);
	in(f, now, 5060, m);
}

static void test_event_package(void **state)
{
	struct conf_focus *f = focus();
	const struct sip_hdr *h;
	char totag[32], bye[512];
	size_t i;

	(void)state;
	subscribe(f, 1000, 1, NULL, "presence", 600);
	assert_int_equal(nouts, 1);
	assert_non_null(strstr(outs[0].text, "SIP/2.0 489"));
	assert_non_null(strstr(outs[0].text, "Allow-Events: conference"));

	subscribe(f, 1000, 2, NULL, "conference", 600);
	assert_int_equal(nouts, 2);
	i = find("SIP/2.0 200");
	assert_int_equal(sip_msg_decode(&msg, (uint8_t *)outs[i].data,
					outs[i].len), 0);
	snprintf(totag, sizeof(totag), "%.*s", PL_ARG(msg.to.tag));
	assert_true(strlen(totag) > 0);
	h = sip_msg_hdr(&msg, SIP_HDR_EXPIRES);
	assert_non_null(h);
	assert_true(pl_eq_str(&h->val, "600"));
	i = find("NOTIFY sip:carol@127.0.0.1:5200 SIP/2.0");
	assert_non_null(strstr(outs[i].text, "Route: <sip:127.0.0.1:5060;lr>"));
	assert_non_null(strstr(outs[i].text, "Event: conference"));
	assert_non_null(strstr(outs[i].text, "Subscription-State: active;"
			       "expires=600"));
	assert_non_null(strstr(outs[i].text,
			       "application/conference-info+xml"));
	assert_non_null(strstr(outs[i].text, "entity=\"sip:room-blue@"
			       "example.org\" state=\"full\" version=\"1\""));
	assert_non_null(strstr(outs[i].text, "<user-count>0</user-count>"));
	assert_int_equal(net_addr_port(&outs[i].dst), 5060);
	/* Not answered: retransmitted at T1. */
	assert_int_equal(conf_focus_timeout(f, 1000 + 500000), 0);
	drain(f);
	assert_int_equal(nouts, 1);
	i = find("NOTIFY");
	respond(f, 600000, i, 200, NULL);
	assert_int_equal(nouts, 0);

	/* Two join: two NOTIFYs in turn (one in flight at a time). */
	join(f, 700000, 1);
	find("SIP/2.0 200");
	i = find("NOTIFY");
	assert_non_null(strstr(outs[i].text, "version=\"2\""));
	assert_non_null(strstr(outs[i].text, "<user entity=\"sip:user1@"
			       "example.org\""));
	assert_non_null(strstr(outs[i].text, "dialed-in"));
	join(f, 710000, 2);
	find("SIP/2.0 200");
	for (i = 0; i < nouts; i++)
		assert_null(strstr(outs[i].text, "NOTIFY"));
	in(f, 720000, 5060, "");	/* an empty datagram: ignored */
	assert_int_equal(conf_focus_output(f, &(struct net_out){ 0 }), ENOENT);
	/* answer the first: the current state follows */
	join(f, 730000, 3);	/* a third one: still the same pending */
	{
		char n2[4096];
		struct net_out o;

		/* re-create the NOTIFY v2 in outs[0] from the retransmission */
		assert_int_equal(conf_focus_timeout(f, 1200000), 0);
		nouts = 0;
		while (!conf_focus_output(f, &o)) {
			if (!strncmp((const char *)o.data, "NOTIFY", 6)) {
				memcpy(n2, o.data, o.len);
				n2[o.len] = '\0';
			}
		}
		snprintf(outs[0].text, sizeof(outs[0].text), "%s", n2);
		outs[0].len = strlen(n2);
		nouts = 1;
	}
	respond(f, 1300000, 0, 200, NULL);
	i = find("NOTIFY");
	assert_non_null(strstr(outs[i].text, "version=\"3\""));
	assert_non_null(strstr(outs[i].text, "<user-count>3</user-count>"));
	assert_non_null(strstr(outs[i].text, "sip:user3@example.org"));
	respond(f, 1400000, i, 200, NULL);
	assert_int_equal(conf_focus_room_size(f, "blue"), 3);

	/* user2 leaves: a NOTIFY without it */
	snprintf(bye, sizeof(bye),
		 "BYE sip:room-blue@127.0.0.1:5070 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKb2\r\n"
		 "From: <sip:user2@example.org>;tag=u2\r\n"
		 "To: <sip:room-blue@example.org>;tag=x\r\n"
		 "Call-ID: join2@test\r\nCSeq: 2 BYE\r\n"
		 "Content-Length: 0\r\n\r\n");
	in(f, 1500000, 5060, bye);
	find("SIP/2.0 200");
	i = find("NOTIFY");
	assert_non_null(strstr(outs[i].text, "<user-count>2</user-count>"));
	assert_null(strstr(outs[i].text, "sip:user2@"));
	respond(f, 1600000, i, 200, NULL);

	/* unsubscribe: 200, then a terminating NOTIFY */
	subscribe(f, 1700000, 3, totag, "conference", 0);
	find("SIP/2.0 200");
	i = find("NOTIFY");
	assert_non_null(strstr(outs[i].text, "Subscription-State: "
			       "terminated;reason=timeout"));
	respond(f, 1800000, i, 200, NULL);
	/* gone: a refresh now is 481 */
	subscribe(f, 1900000, 4, totag, "conference", 600);
	find("SIP/2.0 481");
	conf_focus_free(f);
}

static const char refer_fmt[] =
	"REFER sip:room-blue@example.org SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKr%u\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:carol@example.org>;tag=rt%u\r\n"
	"To: <sip:room-blue@example.org>\r\n"
	"Call-ID: refer%u@test\r\nCSeq: %u REFER\r\n"
	"Contact: <sip:carol@127.0.0.1:5200>\r\n"
	"%s"
	"Content-Length: 0\r\n\r\n";

static void refer(struct conf_focus *f, uint64_t now, unsigned n,
		  const char *refer_to)
{
	char m[1024], rt[300] = "";

	if (refer_to)
		snprintf(rt, sizeof(rt), "Refer-To: %s\r\n", refer_to);
	snprintf(m, sizeof(m), refer_fmt, n, n, n, 10 + n, rt);
	in(f, now, 5060, m);
}

static void test_refer(void **state)
{
	struct conf_focus *f = focus();
	static const char ans[] = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 31000 RTP/AVP 8\r\n"
		"a=rtpmap:8 PCMA/8000\r\n";
	size_t i, inv;

	(void)state;
	refer(f, 1000, 1, NULL);
	find("SIP/2.0 400");
	refer(f, 1000, 2, "<tel:+15551234>");
	find("SIP/2.0 400");

	refer(f, 1000, 3, "<sip:dave@example.org>");
	find("SIP/2.0 202");
	i = find("NOTIFY sip:carol@127.0.0.1:5200");
	assert_non_null(strstr(outs[i].text, "Event: refer;id=13"));
	assert_non_null(strstr(outs[i].text, "message/sipfrag"));
	assert_non_null(strstr(outs[i].text, "SIP/2.0 100 Trying"));
	inv = find("INVITE sip:dave@example.org SIP/2.0");
	assert_int_equal(net_addr_port(&outs[inv].dst), 5060);
	assert_non_null(strstr(outs[inv].text, "From: <sip:room-blue@"
			       "example.org>;tag="));
	assert_non_null(strstr(outs[inv].text, "m=audio 400"));
	{
		struct out_pkt invite = outs[inv];
		size_t n100 = i;

		respond(f, 2000, n100, 200, NULL);
		outs[0] = invite;
		nouts = 1;
	}
	/* not answered: the INVITE again at T1 */
	assert_int_equal(conf_focus_timeout(f, 1000 + 500000), 0);
	drain(f);
	inv = find("INVITE sip:dave@example.org");
	{
		struct out_pkt invite = outs[inv];

		outs[0] = invite;
		nouts = 1;
		respond(f, 600000, 0, 200, ans);
	}
	i = find("ACK sip:dave@127.0.0.1:5300 SIP/2.0");
	assert_non_null(strstr(outs[i].text, "Route: <sip:127.0.0.1:5060;lr>"));
	assert_non_null(strstr(outs[i].text, "tag=calleetag"));
	i = find("NOTIFY sip:carol@127.0.0.1:5200");
	assert_non_null(strstr(outs[i].text, "SIP/2.0 200 OK"));
	assert_non_null(strstr(outs[i].text, "Subscription-State: "
			       "terminated"));
	assert_int_equal(conf_focus_room_size(f, "blue"), 1);
	respond(f, 700000, i, 200, NULL);

	/* A second REFER whose target is busy. */
	refer(f, 800000, 4, "sip:erin@example.org");
	find("SIP/2.0 202");
	i = find("NOTIFY");
	inv = find("INVITE sip:erin@example.org");
	{
		struct out_pkt invite = outs[inv];

		respond(f, 810000, i, 200, NULL);
		outs[0] = invite;
		nouts = 1;
		respond(f, 820000, 0, 486, NULL);
	}
	i = find("ACK sip:erin@example.org");
	i = find("NOTIFY");
	assert_non_null(strstr(outs[i].text, "SIP/2.0 486 Busy Here"));
	respond(f, 830000, i, 200, NULL);
	assert_int_equal(conf_focus_room_size(f, "blue"), 1);
	conf_focus_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_event_package, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
