/* test_openai.c - the chat completions API: request bodies (system prompt, transcript turns
 * before the prompt, optional fields), whole replies, streams split anywhere (usage in the
 * last chunk, [DONE], an error in a 200 stream, bad events), and error bodies. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "agents/openai.h"
#include "tests/unit/unit.h"

/* Feeds STREAM to a fresh reply, split at CUT (> strlen: a byte at a time). Returns what
 * llm_sse_feed returned last. */
static int
feed(const char *stream, size_t cut, struct llm_reply *r)
{
	struct llm_sse s;
	size_t n = strlen(stream);
	int rc = 0;

	llm_reply_init(r);
	llm_sse_init(&s);
	if (cut <= n) {
		rc = llm_sse_feed(&s, stream, cut, openai_sse_event, r);
		if (rc == 0)
			rc = llm_sse_feed(&s, stream + cut, n - cut, openai_sse_event, r);
	} else {
		for (size_t b = 0; b < n && rc == 0; b++)
			rc = llm_sse_feed(&s, stream + b, 1, openai_sse_event, r);
	}
	llm_sse_free(&s);
	return rc;
}

static char *
text_of(struct llm_reply *r)
{
	size_t len;
	unsigned long long cut;

	return llm_text_result(&r->text, &len, &cut);
}

static void
test_request(void)
{
	struct transcript_turn turns[] = {
		{ "user", "first question" }, { "assistant", "first \"answer\"" },
	};
	struct llm_request q = {
		.model = "gpt-4o-mini", .system = "Be brief.", .turns = turns, .nturns = 2,
		.prompt = "new prompt\nline 2", .max_tokens = 256, .has_temperature = 1,
		.temperature = 0.5, .stream = 1,
	};
	char *s = openai_request(&q);

	CHECK_STR(s, "{\"model\":\"gpt-4o-mini\",\"messages\":["
	    "{\"role\":\"system\",\"content\":\"Be brief.\"},"
	    "{\"role\":\"user\",\"content\":\"first question\"},"
	    "{\"role\":\"assistant\",\"content\":\"first \\\"answer\\\"\"},"
	    "{\"role\":\"user\",\"content\":\"new prompt\\nline 2\"}],"
	    "\"max_tokens\":256,\"temperature\":0.5,\"stream\":true,"
	    "\"stream_options\":{\"include_usage\":true}}");
	free(s);

	/* no model (a local server), no system prompt, no temperature, not streamed */
	memset(&q, 0, sizeof q);
	q.prompt = "hi";
	q.max_tokens = 1024;
	s = openai_request(&q);
	CHECK_STR(s, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
	    "\"max_tokens\":1024,\"stream\":false}");
	free(s);

	/* OpenAI's own API: max_completion_tokens */
	q.completion_tokens = 1;
	s = openai_request(&q);
	CHECK_STR(s, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
	    "\"max_completion_tokens\":1024,\"stream\":false}");
	free(s);
}

static void
test_whole(void)
{
	static const struct {
		const char *body;
		int rc;
		const char *text, *model, *finish;
		int usage;
		long long in, out;
		int has_error;
		const char *message;
	} rows[] = {
		{ "{\"id\":\"c\",\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"message\":"
		  "{\"role\":\"assistant\",\"content\":\"Hi there\"},\"finish_reason\":\"stop\"}],"
		  "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}",
		  0, "Hi there", "gpt-x", "stop", 1, 9, 3, 0, "" },
		/* no usage (some local servers), content null (a tool call) */
		{ "{\"choices\":[{\"message\":{\"content\":null},\"finish_reason\":\"length\"}]}",
		  0, "", "", "length", 0, 0, 0, 0, "" },
		/* content as parts */
		{ "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
		  "{\"type\":\"text\",\"text\":\"b\"}]}}],\"usage\":null}",
		  0, "ab", "", "", 0, 0, 0, 0, "" },
		{ "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}",
		  -1, "", "", "", 0, 0, 0, 1, "bad" },
		{ "{\"choices\":[]}", -1, "", "", "", 0, 0, 0, 0, "" },
		{ "[1,2]", -1, "", "", "", 0, 0, 0, 0, "" },
		{ "{\"choices\": [ not json", -1, "", "", "", 0, 0, 0, 0, "" },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		struct llm_reply r;
		char *t;

		ROW("%s", unit_quote(rows[i].body));
		llm_reply_init(&r);
		CHECK_INT(openai_parse_response(rows[i].body, strlen(rows[i].body), &r), rows[i].rc);
		t = text_of(&r);
		CHECK_STR(t, rows[i].text);
		CHECK_STR(r.model, rows[i].model);
		CHECK_STR(r.finish, rows[i].finish);
		CHECK_INT(r.have_usage, rows[i].usage);
		CHECK_INT(r.input_tokens, rows[i].in);
		CHECK_INT(r.output_tokens, rows[i].out);
		CHECK_INT(r.has_error, rows[i].has_error);
		CHECK_STR(r.error.message, rows[i].message);
		CHECK_INT(rows[i].rc == 0 || r.has_error || r.bad[0], 1);
		free(t);
		llm_reply_free(&r);
	}
	ROW_END();
}

#define CHUNK(delta, finish) "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\"," \
	"\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":" delta ",\"finish_reason\":" \
	finish "}]}\n\n"

static void
test_stream(void)
{
	static const struct {
		const char *name, *stream;
		int rc;			/* the last feed's result */
		const char *text, *finish;
		int done, usage;
		long long in, out;
		int has_error, bad;
	} rows[] = {
		{ "a whole stream with usage",
		  CHUNK("{\"role\":\"assistant\",\"content\":\"\"}", "null")
		  CHUNK("{\"content\":\"Hel\"}", "null")
		  ": keep-alive\n\n"
		  CHUNK("{\"content\":\"lo \\u00e9\"}", "null")
		  CHUNK("{}", "\"stop\"")
		  "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":2}}\r\n\r\n"
		  "data: [DONE]\n\n",
		  -1, "Hello \xc3\xa9", "stop", 1, 1, 20, 2, 0, 0 },
		{ "no usage, no [DONE] (an older local server)",
		  CHUNK("{\"content\":\"x\"}", "null") CHUNK("{}", "\"length\""),
		  0, "x", "length", 0, 0, 0, 0, 0, 0 },
		{ "usage null in every chunk",
		  "data: {\"choices\":[{\"delta\":{\"content\":\"y\"}}],\"usage\":null}\n\n"
		  "data: [DONE]\n\n",
		  -1, "y", "", 1, 0, 0, 0, 0, 0 },
		{ "an error in a 200 stream",
		  CHUNK("{\"content\":\"par\"}", "null")
		  "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n"
		  CHUNK("{\"content\":\"never\"}", "null"),
		  -1, "par", "", 0, 0, 0, 0, 1, 0 },
		{ "an error event",
		  "event: error\ndata: {\"message\":\"boom\",\"type\":\"server_error\"}\n\n",
		  -1, "", "", 0, 0, 0, 0, 1, 0 },
		{ "an event that is not JSON",
		  CHUNK("{\"content\":\"a\"}", "null") "data: {\"choices\": [ not json\n\n",
		  -1, "a", "", 0, 0, 0, 0, 0, 1 },
		{ "cut in the middle of an event",
		  CHUNK("{\"content\":\"a\"}", "null") "data: {\"choices\":[{\"delta\":{\"con",
		  0, "a", "", 0, 0, 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		size_t n = strlen(rows[i].stream);

		for (size_t cut = 0; cut <= n + 1; cut++) {
			struct llm_reply r;
			char *t;

			ROW("%s, split at %zu", rows[i].name, cut);
			CHECK_INT(feed(rows[i].stream, cut, &r), rows[i].rc);
			t = text_of(&r);
			CHECK_STR(t, rows[i].text);
			CHECK_STR(r.finish, rows[i].finish);
			CHECK_INT(r.done, rows[i].done);
			CHECK_INT(r.have_usage, rows[i].usage);
			CHECK_INT(r.input_tokens, rows[i].in);
			CHECK_INT(r.output_tokens, rows[i].out);
			CHECK_INT(r.has_error, rows[i].has_error);
			CHECK_INT(r.bad[0] != '\0', rows[i].bad);
			if (rows[i].has_error)
				CHECK_INT(llm_stream_error_retryable(&r.error), 1);
			free(t);
			llm_reply_free(&r);
		}
	}
	ROW_END();
}

void
test_openai(void)
{
	test_request();
	test_whole();
	test_stream();
}
