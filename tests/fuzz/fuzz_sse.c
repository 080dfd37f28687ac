/* fuzz_sse.c - libFuzzer harness for the SSE reader with the stream event parsers of both
 * APIs. The first byte picks the API (bit 0) and where to split the rest (the others: the
 * stream is fed in pieces of that many bytes, 0 = whole). Invariants: the same events come
 * out however the stream is split (text, usage, end, error), the reply text stays within its
 * bound, and its result is what was counted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agents/anthropic.h"
#include "agents/openai.h"
#include "tests/fuzz/fuzz.h"

static void
run(const char *s, size_t n, size_t piece, llm_sse_fn fn, struct llm_reply *r, int *rc)
{
	struct llm_sse sse;
	size_t at = 0;

	llm_reply_init(r);
	llm_sse_init(&sse);
	*rc = 0;
	if (piece == 0)
		piece = n ? n : 1;
	while (at < n && *rc == 0) {
		size_t k = n - at < piece ? n - at : piece;

		*rc = llm_sse_feed(&sse, s + at, k, fn, r);
		at += k;
	}
	llm_sse_free(&sse);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct llm_reply a, b;
	llm_sse_fn fn;
	const char *s;
	size_t n, la = 0, lb = 0;
	unsigned long long ca = 0, cb = 0;
	char *ta, *tb;
	int ra, rb;

	if (size == 0)
		return 0;
	fn = data[0] & 1 ? anthropic_sse_event : openai_sse_event;
	s = (const char *)data + 1;
	n = size - 1;
	run(s, n, 0, fn, &a, &ra);
	run(s, n, (size_t)(data[0] >> 1), fn, &b, &rb);
	if (a.oom || b.oom)
		goto out;
	CHECK(ra == rb, "whole: %d, in pieces of %d: %d", ra, data[0] >> 1, rb);
	CHECK(a.text.total == b.text.total, "text of %llu and %llu bytes", a.text.total,
	    b.text.total);
	CHECK(a.done == b.done && a.has_error == b.has_error && (a.bad[0] != 0) == (b.bad[0] != 0),
	    "the end differs with the split");
	CHECK(a.have_usage == b.have_usage && a.input_tokens == b.input_tokens &&
	    a.output_tokens == b.output_tokens, "usage differs with the split");
	CHECK(strcmp(a.finish, b.finish) == 0 && strcmp(a.model, b.model) == 0,
	    "model or finish differs with the split");
	CHECK(a.text.hlen <= LLM_HEAD_MAX && a.text.tlen <= LLM_TAIL_MAX, "past the bound");
	ta = llm_text_result(&a.text, &la, &ca);
	tb = llm_text_result(&b.text, &lb, &cb);
	if (ta != NULL && tb != NULL) {
		CHECK(la == lb && memcmp(ta, tb, la) == 0, "the text differs with the split");
		CHECK(ca + a.text.hlen + a.text.tlen == a.text.total, "the cut does not add up");
		CHECK(ta[la] == '\0', "not terminated");
	}
	free(ta);
	free(tb);
out:
	llm_reply_free(&a);
	llm_reply_free(&b);
	return 0;
}
