/* test_output.c - agents' output formats: samples shaped as the real CLIs print them (Claude
 * Code, Codex, Gemini CLI, opencode) and as hb-run-http does, with the reply, the usage, the
 * cost, the session id and a reported error each should yield; broken output falls back to
 * text. */
#include <string.h>

#include "agents/output.h"
#include "tests/unit/unit.h"

#define NONE (-1LL)
#define NOCOST (-1.0)

static const struct output_case {
	const char *name;
	enum output_format f;
	const char *in;
	int parsed;
	const char *text;
	int is_error;
	long long input, cached, output;
	double cost;
	const char *session, *model;
} cases[] = {
	{ "text: as printed", OUTPUT_TEXT, "All quiet.\nHEARTBEAT_OK\n", 1,
	  "All quiet.\nHEARTBEAT_OK\n", 0, NONE, NONE, NONE, NOCOST, "", "" },
	{ "claude-json: a success", OUTPUT_CLAUDE_JSON,
	  "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"duration_ms\":2831,"
	  "\"duration_api_ms\":4187,\"num_turns\":1,\"result\":\"Disk 93% full on /srv\","
	  "\"session_id\":\"8d0a4a3e-3c8e-4f34-9a4b-6f7f2b6f0e11\",\"total_cost_usd\":0.0123,"
	  "\"usage\":{\"input_tokens\":4,\"cache_creation_input_tokens\":1520,"
	  "\"cache_read_input_tokens\":14210,\"output_tokens\":12,\"server_tool_use\":"
	  "{\"web_search_requests\":0},\"service_tier\":\"standard\"},\"modelUsage\":"
	  "{\"claude-sonnet-4-5\":{\"inputTokens\":4,\"outputTokens\":12}},"
	  "\"permission_denials\":[],\"uuid\":\"0b7c5f0e-1111-4222-8333-444455556666\"}\n", 1,
	  "Disk 93% full on /srv", 0, 15734, 14210, 12, 0.0123,
	  "8d0a4a3e-3c8e-4f34-9a4b-6f7f2b6f0e11", "claude-sonnet-4-5" },
	{ "claude-json: is_error is a failure, the result its message", OUTPUT_CLAUDE_JSON,
	  "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,\"result\":\"Invalid API "
	  "key \\u00b7 Please run /login\",\"session_id\":\"s-1\",\"total_cost_usd\":0,"
	  "\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}", 1,
	  "Invalid API key \xc2\xb7 Please run /login", 1, 0, NONE, 0, 0.0, "s-1", "" },
	{ "claude-json: error_max_turns without a result", OUTPUT_CLAUDE_JSON,
	  "{\"type\":\"result\",\"subtype\":\"error_max_turns\",\"is_error\":false,"
	  "\"num_turns\":3,\"session_id\":\"s-2\",\"total_cost_usd\":0.5}", 1,
	  "error_max_turns", 1, NONE, NONE, NONE, 0.5, "s-2", "" },
	{ "claude-json: --verbose prints an array; the result element counts",
	  OUTPUT_CLAUDE_JSON,
	  "[{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s-3\"},"
	  "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}},"
	  "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"done\","
	  "\"session_id\":\"s-3\",\"total_cost_usd\":0.01,\"usage\":{\"input_tokens\":10,"
	  "\"output_tokens\":2}}]", 1, "done", 0, 10, NONE, 2, 0.01, "s-3", "" },
	{ "claude-json: a warning line before the object is skipped", OUTPUT_CLAUDE_JSON,
	  "Warning: no stdin data received in 3s\n{\"type\":\"result\",\"is_error\":false,"
	  "\"result\":\"ok then\",\"session_id\":\"s-4\",\"cost_usd\":0.2}\n", 1, "ok then", 0,
	  NONE, NONE, NONE, 0.2, "s-4", "" },
	{ "claude-json: stream-json lines: the result event", OUTPUT_CLAUDE_JSON,
	  "{\"type\":\"system\",\"subtype\":\"init\"}\n"
	  "{\"type\":\"result\",\"is_error\":false,\"result\":\"streamed\",\"usage\":"
	  "{\"input_tokens\":3,\"output_tokens\":4}}\n", 1, "streamed", 0, 3, NONE, 4, NOCOST,
	  "", "" },
	{ "claude-json: a failed resume, then a new session: the last result counts, costs add",
	  OUTPUT_CLAUDE_JSON,
	  "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,\"result\":\"No "
	  "conversation found with session ID: 1234\",\"session_id\":\"s-old\","
	  "\"total_cost_usd\":0.001,\"usage\":{\"input_tokens\":1,\"output_tokens\":0}}\n"
	  "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"back\","
	  "\"session_id\":\"s-new\",\"total_cost_usd\":0.002,\"usage\":{\"input_tokens\":5,"
	  "\"output_tokens\":1}}\n", 1, "back", 0, 6, NONE, 1, 0.003, "s-new", "" },
	{ "claude-json: plain text falls back to text", OUTPUT_CLAUDE_JSON,
	  "I could not do that.\n", 0, "I could not do that.\n", 0, NONE, NONE, NONE, NOCOST,
	  "", "" },
	{ "claude-json: an object that is no result falls back to text", OUTPUT_CLAUDE_JSON,
	  "{\"answer\": 42}", 0, "{\"answer\": 42}", 0, NONE, NONE, NONE, NOCOST, "", "" },
	{ "claude-json: output cut between keys falls back to text, whole", OUTPUT_CLAUDE_JSON,
	  "{\"type\":\"result\",\"result\":\"aaa\",\n[hb-run: 100 bytes cut here]\n\"a\":1}", 0,
	  "{\"type\":\"result\",\"result\":\"aaa\",\n[hb-run: 100 bytes cut here]\n\"a\":1}", 0,
	  NONE, NONE, NONE, NOCOST, "", "" },
	{ "claude-json: output cut inside the result keeps the mark in the reply",
	  OUTPUT_CLAUDE_JSON,
	  "{\"type\":\"result\",\"result\":\"aaa\n[hb-run: 100 bytes cut here]\nzzz\"}", 1,
	  "aaa\n[hb-run: 100 bytes cut here]\nzzz", 0, NONE, NONE, NONE, NOCOST, "", "" },
	{ "claude-json: no output is an empty reply, not a broken one", OUTPUT_CLAUDE_JSON,
	  " \n", 1, " \n", 0, NONE, NONE, NONE, NOCOST, "", "" },
	{ "claude-json: a session id with spaces is not kept", OUTPUT_CLAUDE_JSON,
	  "{\"type\":\"result\",\"result\":\"r\",\"session_id\":\"a b; rm -rf\"}", 1, "r", 0,
	  NONE, NONE, NONE, NOCOST, "", "" },
	{ "codex-json: thread, items, the last agent message, turn usage", OUTPUT_CODEX_JSON,
	  "{\"type\":\"thread.started\",\"thread_id\":\"0199a213-81c0-7800-8aa1-bbab2a035a53\"}\n"
	  "{\"type\":\"turn.started\"}\n"
	  "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":\"reasoning\","
	  "\"text\":\"**Checking the disk**\"}}\n"
	  "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_1\",\"type\":\"agent_message\","
	  "\"text\":\"Looking.\"}}\n"
	  "{\"type\":\"item.started\",\"item\":{\"id\":\"item_2\",\"type\":\"command_execution\","
	  "\"command\":\"bash -lc 'df -h'\",\"aggregated_output\":\"\",\"status\":"
	  "\"in_progress\"}}\n"
	  "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_2\",\"type\":"
	  "\"command_execution\",\"command\":\"bash -lc 'df -h'\",\"aggregated_output\":"
	  "\"/dev/sda1 93%\\n\",\"exit_code\":0,\"status\":\"completed\"}}\n"
	  "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_3\",\"type\":\"agent_message\","
	  "\"text\":\"Disk 93% full.\"}}\n"
	  "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":24763,"
	  "\"cached_input_tokens\":24448,\"output_tokens\":122}}\n", 1, "Disk 93% full.", 0,
	  24763, 24448, 122, NOCOST, "0199a213-81c0-7800-8aa1-bbab2a035a53", "" },
	{ "codex-json: a failed turn is a failure with its message", OUTPUT_CODEX_JSON,
	  "{\"type\":\"thread.started\",\"thread_id\":\"t-1\"}\n{\"type\":\"turn.started\"}\n"
	  "{\"type\":\"error\",\"message\":\"Reconnecting... 1/5\"}\n"
	  "{\"type\":\"turn.failed\",\"error\":{\"message\":\"unexpected status 401 "
	  "Unauthorized\"}}\n", 1, "unexpected status 401 Unauthorized", 1, NONE, NONE, NONE,
	  NOCOST, "t-1", "" },
	{ "codex-json: a passing error before a reply is not a failure", OUTPUT_CODEX_JSON,
	  "{\"type\":\"error\",\"message\":\"Reconnecting... 1/5\"}\n"
	  "{\"type\":\"item.completed\",\"item\":{\"type\":\"agent_message\",\"text\":\"ok\"}}\n",
	  1, "ok", 0, NONE, NONE, NONE, NOCOST, "", "" },
	{ "codex-json: the older msg events", OUTPUT_CODEX_JSON,
	  "{\"id\":\"0\",\"msg\":{\"type\":\"session_configured\",\"session_id\":\"old-1\","
	  "\"model\":\"gpt-5\"}}\n"
	  "{\"id\":\"1\",\"msg\":{\"type\":\"agent_message\",\"message\":\"from before\"}}\n", 1,
	  "from before", 0, NONE, NONE, NONE, NOCOST, "old-1", "" },
	{ "codex-json: a line cut short is skipped, the rest read", OUTPUT_CODEX_JSON,
	  "{\"type\":\"thread.started\",\"thread_id\":\"t-2\"}\n{\"type\":\"item.compl\n"
	  "{\"type\":\"item.completed\",\"item\":{\"type\":\"agent_message\",\"text\":\"kept\"}}\n",
	  1, "kept", 0, NONE, NONE, NONE, NOCOST, "t-2", "" },
	{ "codex-json: text falls back", OUTPUT_CODEX_JSON, "hello\n", 0, "hello\n", 0, NONE,
	  NONE, NONE, NOCOST, "", "" },
	{ "gemini-json: response and per-model tokens", OUTPUT_GEMINI_JSON,
	  "{\n  \"session_id\": \"5b1f0f5e-2a0c-4f6e-9a41-6b7c8d9e0f10\",\n  \"response\": "
	  "\"HEARTBEAT_OK\",\n  \"stats\": {\n    \"models\": {\n      \"gemini-2.5-pro\": {\n"
	  "        \"api\": {\"totalRequests\": 1, \"totalErrors\": 0, \"totalLatencyMs\": 3100},\n"
	  "        \"tokens\": {\"prompt\": 8123, \"candidates\": 7, \"total\": 8250, \"cached\": "
	  "4000, \"thoughts\": 120, \"tool\": 0}\n      }\n    },\n    \"tools\": "
	  "{\"totalCalls\": 0, \"totalSuccess\": 0},\n    \"files\": {\"totalLinesAdded\": 0}\n"
	  "  }\n}\n", 1, "HEARTBEAT_OK", 0, 8123, 4000, 127, NOCOST,
	  "5b1f0f5e-2a0c-4f6e-9a41-6b7c8d9e0f10", "gemini-2.5-pro" },
	{ "gemini-json: two models add up, and name none", OUTPUT_GEMINI_JSON,
	  "Loaded cached credentials.\n{\"response\":\"r\",\"stats\":{\"models\":{"
	  "\"gemini-2.5-flash-lite\":{\"tokens\":{\"prompt\":100,\"candidates\":10}},"
	  "\"gemini-2.5-pro\":{\"tokens\":{\"prompt\":200,\"candidates\":20}}}}}", 1, "r", 0,
	  300, NONE, 30, NOCOST, "", "" },
	{ "gemini-json: an error object is a failure", OUTPUT_GEMINI_JSON,
	  "{\"error\":{\"type\":\"FatalAuthenticationError\",\"message\":\"Please set an Auth "
	  "method\",\"code\":41}}", 1, "Please set an Auth method", 1, NONE, NONE, NONE,
	  NOCOST, "", "" },
	{ "gemini-json: an object without a response falls back", OUTPUT_GEMINI_JSON,
	  "{\"x\":1}", 0, "{\"x\":1}", 0, NONE, NONE, NONE, NOCOST, "", "" },
	{ "opencode-json: the last step's text, tokens and cost summed", OUTPUT_OPENCODE_JSON,
	  "{\"type\":\"step_start\",\"timestamp\":1767036059338,\"sessionID\":"
	  "\"ses_494719016ffe85dkDMj0FPRbHK\",\"part\":{\"id\":\"prt_1\",\"messageID\":"
	  "\"msg_1\",\"type\":\"step-start\",\"snapshot\":\"46358aa\"}}\n"
	  "{\"type\":\"text\",\"timestamp\":1767036060000,\"sessionID\":"
	  "\"ses_494719016ffe85dkDMj0FPRbHK\",\"part\":{\"id\":\"prt_2\",\"type\":\"text\","
	  "\"text\":\"Let me look.\",\"time\":{\"start\":1,\"end\":2}}}\n"
	  "{\"type\":\"tool_use\",\"timestamp\":1767036061000,\"sessionID\":"
	  "\"ses_494719016ffe85dkDMj0FPRbHK\",\"part\":{\"tool\":\"bash\",\"state\":"
	  "{\"status\":\"completed\"}}}\n"
	  "{\"type\":\"step_finish\",\"timestamp\":1767036062000,\"sessionID\":"
	  "\"ses_494719016ffe85dkDMj0FPRbHK\",\"part\":{\"type\":\"step-finish\",\"reason\":"
	  "\"tool-calls\",\"cost\":0.001,\"tokens\":{\"input\":100,\"output\":20,\"reasoning\":0,"
	  "\"cache\":{\"read\":1000,\"write\":0}}}}\n"
	  "{\"type\":\"step_start\",\"sessionID\":\"ses_494719016ffe85dkDMj0FPRbHK\","
	  "\"part\":{\"type\":\"step-start\"}}\n"
	  "{\"type\":\"text\",\"sessionID\":\"ses_494719016ffe85dkDMj0FPRbHK\",\"part\":"
	  "{\"type\":\"text\",\"text\":\"All quiet.\"}}\n"
	  "{\"type\":\"text\",\"sessionID\":\"ses_494719016ffe85dkDMj0FPRbHK\",\"part\":"
	  "{\"type\":\"text\",\"text\":\"HEARTBEAT_OK\"}}\n"
	  "{\"type\":\"step_finish\",\"sessionID\":\"ses_494719016ffe85dkDMj0FPRbHK\",\"part\":"
	  "{\"type\":\"step-finish\",\"reason\":\"stop\",\"cost\":0.002,\"tokens\":{\"input\":50,"
	  "\"output\":10,\"reasoning\":5,\"cache\":{\"read\":1100,\"write\":0}}}}\n", 1,
	  "All quiet.\nHEARTBEAT_OK", 0, 2250, 2100, 35, 0.003,
	  "ses_494719016ffe85dkDMj0FPRbHK", "" },
	{ "opencode-json: an error event and no text is a failure", OUTPUT_OPENCODE_JSON,
	  "{\"type\":\"error\",\"sessionID\":\"ses_x\",\"error\":{\"name\":\"ProviderAuthError\","
	  "\"data\":{\"message\":\"no API key for anthropic\"}}}\n", 1,
	  "no API key for anthropic", 1, NONE, NONE, NONE, NOCOST, "ses_x", "" },
	{ "opencode-json: events without tokens leave usage unknown", OUTPUT_OPENCODE_JSON,
	  "{\"type\":\"text\",\"part\":{\"text\":\"short\"}}\n", 1, "short", 0, NONE, NONE,
	  NONE, NOCOST, "", "" },
	{ "hb-json: the helper's object", OUTPUT_HB_JSON,
	  "{\"result\":\"Disk 93% full\",\"usage\":{\"input_tokens\":812,\"output_tokens\":25},"
	  "\"cost_usd\":0.0004,\"model\":\"qwen3-0.6b\",\"truncated\":0}\n", 1, "Disk 93% full",
	  0, 812, NONE, 25, 0.0004, "", "qwen3-0.6b" },
	{ "hb-json: no result falls back", OUTPUT_HB_JSON, "{\"usage\":{}}", 0, "{\"usage\":{}}",
	  0, NONE, NONE, NONE, NOCOST, "", "" },
};

static void
test_cases(void)
{
	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct output_case *c = &cases[i];
		struct output o;

		ROW("%s", c->name);
		if (!CHECK(output_read(c->f, c->in, strlen(c->in), &o) == 0, "out of memory"))
			continue;
		CHECK_INT(o.parsed, c->parsed);
		CHECK_STR(o.text, c->text);
		CHECK_INT(o.len, strlen(c->text));
		CHECK_INT(o.is_error, c->is_error);
		CHECK_INT(o.input_tokens, c->input);
		CHECK_INT(o.cached_tokens, c->cached);
		CHECK_INT(o.output_tokens, c->output);
		CHECK(o.cost_usd - c->cost < 1e-9 && c->cost - o.cost_usd < 1e-9,
		    "cost %g, expected %g", o.cost_usd, c->cost);
		CHECK_STR(o.session, c->session);
		CHECK_STR(o.model, c->model);
		/* only codex's turn.completed counts the whole session */
		CHECK_INT(o.running_totals, c->f == OUTPUT_CODEX_JSON &&
		    strstr(c->in, "\"turn.completed\"") != NULL);
		CHECK(o.parsed || o.why[0] != '\0', "no reason given for the fallback");
		output_free(&o);
		ROW_END();
	}
}

static void
test_names(void)
{
	static const char *const names[] = { "text", "claude-json", "codex-json",
		"gemini-json", "opencode-json", "hb-json" };
	enum output_format f;

	for (size_t i = 0; i < NELEM(names); i++) {
		ROW("format %s", names[i]);
		CHECK(output_format_parse(names[i], &f) == 0, "not known");
		CHECK_STR(output_format_name(f), names[i]);
		CHECK_HAS(output_format_names(), names[i]);
		ROW_END();
	}
	CHECK(output_format_parse("json", &f) != 0, "json is no format of ours");
	CHECK(output_format_parse("Claude-JSON", &f) != 0, "names are exact");
}

void
test_output(void)
{
	test_cases();
	test_names();
}
