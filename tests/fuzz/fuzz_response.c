/* fuzz_response.c - libFuzzer harness for the whole-reply parsers of both APIs and the error
 * body reader. The first byte picks the API (bit 0); the rest is the body, not NUL-terminated.
 * Invariants: a reply that parses has no error and a terminated text; one that does not says
 * why (an error object or what was wrong); the error fields are terminated strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agents/anthropic.h"
#include "agents/openai.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct llm_reply r;
	struct llm_error e;
	const char *body;
	size_t n, len = 0;
	unsigned long long cut = 0;
	char *copy, *t;
	int rc;

	if (size == 0)
		return 0;
	body = (const char *)data + 1;
	n = size - 1;
	/* the parsers get exactly N bytes: a copy without a NUL after it catches over-reads */
	if ((copy = malloc(n ? n : 1)) == NULL)
		return 0;
	memcpy(copy, body, n);
	llm_reply_init(&r);
	rc = (data[0] & 1 ? anthropic_parse_response : openai_parse_response)(copy, n, &r);
	if (rc == 0) {
		CHECK(!r.has_error && r.bad[0] == '\0' && r.done, "parsed, yet marked bad");
	} else {
		CHECK(r.has_error || r.bad[0] != '\0' || r.oom, "refused without a reason");
	}
	CHECK(memchr(r.model, '\0', sizeof r.model) && memchr(r.finish, '\0', sizeof r.finish) &&
	    memchr(r.error.message, '\0', sizeof r.error.message), "an unterminated field");
	CHECK(r.input_tokens >= 0 && r.output_tokens >= 0, "negative usage");
	if ((t = llm_text_result(&r.text, &len, &cut)) != NULL) {
		CHECK(t[len] == '\0' && cut + r.text.hlen + r.text.tlen == r.text.total,
		    "the text does not add up");
		free(t);
	}
	llm_reply_free(&r);
	if (llm_error_parse(copy, n, &e))
		CHECK(memchr(e.type, '\0', sizeof e.type) && memchr(e.code, '\0', sizeof e.code) &&
		    memchr(e.message, '\0', sizeof e.message), "an unterminated error field");
	(void)llm_status_retryable(429, &e);
	free(copy);
	return 0;
}
