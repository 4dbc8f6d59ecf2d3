// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target for the test SMTP sink's session (tests/tools/
 * smtpsink.c, included here without its main()). Any byte string is a
 * client's side of a session; it must never crash, and the session must
 * not depend on how the bytes were split into reads: the whole input at
 * once and the input cut at a point chosen by its first byte give the
 * same replies and the same delivered messages (hashed). A delivered
 * message always has a sender and 1..RCPT_MAX recipients and is within
 * MSG_MAX_LEN.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#define SMTPSINK_NO_MAIN
#include "../tools/smtpsink.c"

struct tally {
	uint64_t h;
	unsigned replies, msgs;
};

static void mix(struct tally *t, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		t->h = (t->h ^ b[i]) * 1099511628211ull;
	t->h = (t->h ^ 0xff) * 1099511628211ull;	/* a separator */
}

static int on_reply(void *arg, const char *text)
{
	struct tally *t = arg;

	t->replies++;
	mix(t, text, strlen(text));
	return 0;
}

static int on_deliver(void *arg, const struct sink *s, const char *msg,
		      size_t len)
{
	struct tally *t = arg;

	assert(s->have_from && s->to_cnt >= 1 && s->to_cnt <= RCPT_MAX);
	assert(len <= MSG_MAX_LEN);
	t->msgs++;
	mix(t, s->from, strlen(s->from));
	for (int i = 0; i < s->to_cnt; i++)
		mix(t, s->to[i], strlen(s->to[i]));
	mix(t, msg, len);
	return t->msgs % 7 == 3;	/* now and then a failed store: 451 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sink a, b;	/* big: keep them off the stack */
	struct tally ta = { 14695981039346656037ull, 0, 0 };
	struct tally tb = ta;
	size_t cut = size ? data[0] % (size + 1) : 0;

	sink_init(&a, on_reply, on_deliver, &ta);
	sink_init(&b, on_reply, on_deliver, &tb);
	sink_input(&a, (const char *)data, size);
	sink_input(&b, (const char *)data, cut);
	sink_input(&b, (const char *)data + cut, size - cut);
	assert(ta.h == tb.h && ta.replies == tb.replies &&
	       ta.msgs == tb.msgs);
	sink_fini(&a);
	sink_fini(&b);
	return 0;
}
