/* fuzz_reply.c - libFuzzer harness for reply_classify (an agent's reply). The first byte
 * picks ack_max_chars, the rest is the reply, not NUL-terminated. Invariants: a delivered
 * text is a trimmed, non-empty piece of the reply (never longer), classifying it again
 * delivers it unchanged, and the other verdicts deliver nothing. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/reply.h"
#include "tests/fuzz/fuzz.h"

static int
all_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t acks[] = { 0, 1, 4, 12, 300, 1000000, SIZE_MAX };
	const char *text;
	enum reply_verdict v, v2;
	char *out = (char *)1, *out2 = NULL;
	size_t len, ack, outlen = 99, outlen2 = 0;

	if (size == 0)
		return 0;
	ack = data[0] < 200 ? data[0] : acks[data[0] % (sizeof acks / sizeof acks[0])];
	text = (const char *)data + 1;
	len = size - 1;
	if (reply_classify(text, len, ack, &v, &out, &outlen) != 0)
		return 0;	/* out of memory */
	CHECK(v == REPLY_DELIVER || v == REPLY_EMPTY || v == REPLY_NO_REPLY || v == REPLY_ACK,
	    "verdict %d", (int)v);
	CHECK(strcmp(reply_verdict_name(v), "?") != 0, "verdict %d has no name", (int)v);
	CHECK((v == REPLY_EMPTY) == all_space(text, len), "verdict %s for a reply of %zu bytes",
	    reply_verdict_name(v), len);
	if (v != REPLY_DELIVER) {
		CHECK(out == NULL && outlen == 0, "%s with text", reply_verdict_name(v));
		if (v == REPLY_ACK)
			CHECK(memmem(text, len, "HEARTBEAT_OK", 12) != NULL,
			    "an acknowledgement without HEARTBEAT_OK");
		return 0;
	}
	CHECK(out != NULL, "delivered nothing");
	CHECK(outlen > 0 && outlen <= len, "delivered %zu bytes of %zu", outlen, len);
	CHECK(out[outlen] == '\0', "delivered text not terminated");
	CHECK(memmem(text, len, out, outlen) != NULL, "delivered text is not part of the reply");
	CHECK(!isspace((unsigned char)out[0]) && !isspace((unsigned char)out[outlen - 1]),
	    "delivered text is not trimmed");
	/* Once delivered, it has no token left at its edges: it is delivered as it is (unless it
	 * is exactly NO_REPLY, which the token hid the first time). */
	CHECK(reply_classify(out, outlen, ack, &v2, &out2, &outlen2) == 0, "out of memory");
	if (!(outlen == 8 && memcmp(out, "NO_REPLY", 8) == 0))
		CHECK(v2 == REPLY_DELIVER && outlen2 == outlen && memcmp(out, out2, outlen) == 0,
		    "'%s' delivered, then classified again as %s ('%s')", out,
		    reply_verdict_name(v2), out2 ? out2 : "");
	CHECK(reply_codepoints(out, outlen) <= outlen, "more code points than bytes");
	free(out);
	free(out2);
	return 0;
}
