/* test_anthropic.c - the Messages API: request bodies (system apart, transcript turns before
 * the prompt), whole replies, streams split anywhere (message_start, content_block_delta,
 * message_delta with usage, message_stop), error events in a 200 stream, error bodies. */
#include <stdlib.h>
#include <string.h>

#include "agents/anthropic.h"
#include "tests/unit/unit.h"

static int
feed(const char *stream, size_t cut, struct llm_reply *r)
{
	struct llm_sse s;
	size_t n = strlen(stream);
	int rc = 0;

	llm_reply_init(r);
	llm_sse_init(&s);
	if (cut <= n) {
		rc = llm_sse_feed(&s, stream, cut, anthropic_sse_event, r);
		if (rc == 0)
			rc = llm_sse_feed(&s, stream + cut, n - cut, anthropic_sse_event, r);
	} else {
		for (size_t b = 0; b < n && rc == 0; b++)
			rc = llm_sse_feed(&s, stream + b, 1, anthropic_sse_event, r);
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
		{ "user", "earlier" }, { "assistant", "reply" },
	};
	struct llm_request q = {
		.model = "claude-sonnet-4-5", .system = "You are woken by a heartbeat.",
		.turns = turns, .nturns = 2, .prompt = "now", .max_tokens = 1024, .stream = 1,
	};
	char *s = anthropic_request(&q);

	CHECK_STR(s, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
	    "\"system\":\"You are woken by a heartbeat.\",\"messages\":["
	    "{\"role\":\"user\",\"content\":\"earlier\"},"
	    "{\"role\":\"assistant\",\"content\":\"reply\"},"
	    "{\"role\":\"user\",\"content\":\"now\"}],\"stream\":true}");
	free(s);
	memset(&q, 0, sizeof q);
	q.model = "m";
	q.prompt = "p";
	q.has_temperature = 1;
	q.temperature = 0;
	s = anthropic_request(&q);	/* max_tokens is required: 1024 when not set */
	CHECK_STR(s, "{\"model\":\"m\",\"max_tokens\":1024,\"messages\":["
	    "{\"role\":\"user\",\"content\":\"p\"}],\"temperature\":0,\"stream\":false}");
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
		const char *type;
	} rows[] = {
		{ "{\"id\":\"msg\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
		  "\"content\":[{\"type\":\"text\",\"text\":\"Hi \"},{\"type\":\"tool_use\",\"id\":\"t\"},"
		  "{\"type\":\"text\",\"text\":\"there\"}],\"stop_reason\":\"end_turn\","
		  "\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":5,\"output_tokens\":4}}",
		  0, "Hi there", "claude-x", "end_turn", 1, 15, 4, 0, "" },
		{ "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
		  "\"message\":\"Overloaded\"}}", -1, "", "", "", 0, 0, 0, 1, "overloaded_error" },
		{ "{\"type\":\"message\"}", -1, "", "", "", 0, 0, 0, 0, "" },
		{ "not json", -1, "", "", "", 0, 0, 0, 0, "" },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		struct llm_reply r;
		char *t;

		ROW("%s", unit_quote(rows[i].body));
		llm_reply_init(&r);
		CHECK_INT(anthropic_parse_response(rows[i].body, strlen(rows[i].body), &r),
		    rows[i].rc);
		t = text_of(&r);
		CHECK_STR(t, rows[i].text);
		CHECK_STR(r.model, rows[i].model);
		CHECK_STR(r.finish, rows[i].finish);
		CHECK_INT(r.have_usage, rows[i].usage);
		CHECK_INT(r.input_tokens, rows[i].in);
		CHECK_INT(r.output_tokens, rows[i].out);
		CHECK_INT(r.has_error, rows[i].has_error);
		CHECK_STR(r.error.type, rows[i].type);
		free(t);
		llm_reply_free(&r);
	}
	ROW_END();
}

#define START "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":" \
	"\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-y\"," \
	"\"content\":[],\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
#define BLOCK "event: content_block_start\ndata: {\"type\":\"content_block_start\"," \
	"\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
#define DELTA(t) "event: content_block_delta\ndata: {\"type\":\"content_block_delta\"," \
	"\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" t "\"}}\n\n"
#define MDELTA "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":" \
	"{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n"
#define STOP "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

static void
test_stream(void)
{
	static const struct {
		const char *name, *stream;
		int rc;
		const char *text, *model, *finish;
		int done;
		long long in, out;
		int has_error, bad;
	} rows[] = {
		{ "a whole stream", START BLOCK "event: ping\ndata: {\"type\": \"ping\"}\n\n"
		  DELTA("Hello") DELTA(", world")
		  "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
		  "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n"
		  "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
		  MDELTA STOP, -1, "Hello, world", "claude-y", "end_turn", 1, 25, 15, 0, 0 },
		{ "CRLF line ends", "event: message_start\r\ndata: {\"type\":\"message_start\","
		  "\"message\":{\"model\":\"m\",\"usage\":{\"input_tokens\":3}}}\r\n\r\n"
		  "data: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\","
		  "\"text\":\"ok\"}}\r\n\r\n" "data: {\"type\":\"message_stop\"}\r\n\r\n",
		  -1, "ok", "m", "", 1, 3, 0, 0, 0 },
		{ "an overloaded error before any text",
		  "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
		  "\"message\":\"Overloaded\"}}\n\n", -1, "", "", "", 0, 0, 0, 1, 0 },
		{ "an error after some text", START DELTA("par")
		  "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
		  "\"message\":\"Internal\"}}\n\n" DELTA("never"),
		  -1, "par", "claude-y", "", 0, 25, 1, 1, 0 },
		{ "cut before message_stop", START DELTA("part") MDELTA "event: message_st",
		  0, "part", "claude-y", "end_turn", 0, 25, 15, 0, 0 },
		{ "an event that is not JSON", START "data: {oops\n\n",
		  -1, "", "claude-y", "", 0, 25, 1, 0, 1 },
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
			CHECK_STR(r.model, rows[i].model);
			CHECK_STR(r.finish, rows[i].finish);
			CHECK_INT(r.done, rows[i].done);
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
test_anthropic(void)
{
	test_request();
	test_whole();
	test_stream();
}
