/* fuzz_output.c - libFuzzer harness for agents' output formats: the input's first byte picks
 * the format, the rest is what the agent printed. Invariants: nothing is lost (output that
 * does not read as its format comes back whole, as text), the reply is a string, counts and
 * costs are known or -1, and a session id holds only what may go on a command line. */
#include <stdint.h>
#include <string.h>

#include "agents/output.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum output_format formats[] = { OUTPUT_TEXT, OUTPUT_CLAUDE_JSON,
		OUTPUT_CODEX_JSON, OUTPUT_GEMINI_JSON, OUTPUT_OPENCODE_JSON, OUTPUT_HB_JSON };
	enum output_format f;
	struct output o;
	const char *s;
	size_t n;

	if (size == 0)
		return 0;
	f = formats[data[0] % (sizeof formats / sizeof formats[0])];
	s = (const char *)data + 1;
	n = size - 1;
	if (output_read(f, s, n, &o) != 0)
		return 0;	/* out of memory */
	CHECK(o.text != NULL && o.text[o.len] == '\0', "no reply string");
	if (!o.parsed)
		CHECK(o.len == n && memcmp(o.text, s, n) == 0 && !o.is_error && o.why[0] != '\0',
		    "output that is not %s came back changed", output_format_name(f));
	if (f == OUTPUT_TEXT)
		CHECK(o.parsed && o.len == n && memcmp(o.text, s, n) == 0, "text changed");
	CHECK(o.input_tokens >= -1 && o.output_tokens >= -1 && o.cached_tokens >= -1,
	    "a negative count");
	CHECK(o.cost_usd == -1 || o.cost_usd >= 0, "cost %g", o.cost_usd);
	CHECK(strspn(o.session, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.:") == strlen(o.session), "session id '%s'", o.session);
	output_free(&o);
	return 0;
}
