/* test_config.c - the configuration: defaults, hb-run.ini files (values and errors with
 * file:line), HB_SECTION_KEY environment overrides and -o section.key=value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/config.h"
#include "tests/unit/unit.h"

/* Every variable config_read_env looks at, cleared around the tests that use it. */
static const char *const env_vars[] = {
	"HB_RUNNER_TASKS", "HB_RUNNER_STATE", "HB_RUNNER_LOG", "HB_RUNNER_DEFAULT_INTERVAL",
	"HB_RUNNER_TIMEOUT", "HB_RUNNER_ACK_MAX_CHARS", "HB_RUNNER_CATCHUP_MAX",
	"HB_RUNNER_CATCHUP_STAGGER", "HB_RUNNER_MAX_CONCURRENT", "HB_RUNNER_TIMEZONE",
	"HB_AGENT_AGENT_TURN", "HB_AGENT_SYSTEM_EVENT", "HB_AGENT_MODEL", "HB_AGENT_DEFAULT",
	"HB_RUNNER_HTTP_HELPER", "HB_RUNNER_BATCH", "HB_BUDGET_DAILY_TOKENS", "HB_BUDGET_DAILY_COST",
};

static void
clear_env(void)
{
	for (size_t i = 0; i < NELEM(env_vars); i++)
		unsetenv(env_vars[i]);
}

/* Writes TEXT to a new temporary file; its name goes to PATH. Returns 0 or -1. */
static int
write_temp(const char *text, char *path, size_t size)
{
	const char *dir = getenv("TMPDIR");
	size_t len = strlen(text);
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = P_tmpdir;
	snprintf(path, size, "%s/hb-run-unit-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	return close(fd);
}

/* The config's values, as a row expects them; NULL / -1: not checked. */
struct values {
	const char *tasks, *state, *log;
	long long default_interval, timeout, ack_max_chars, catchup_max, catchup_stagger,
	    max_concurrent;
	const char *timezone, *agent_turn, *system_event, *model;
};

static const struct values defaults = {
	"HEARTBEAT.md", ".heartbeat-state.json", ".heartbeat-log.jsonl",
	30 * 60, 10 * 60, 300, 5, 5, 1,
	"", "claude/agent-turn.sh", "claude/system-event.sh", "",
};

#define KEEP (-1LL)	/* a number the row does not expect to change: the default */

/* Checks C against V, falling back to the default for the fields V leaves NULL / KEEP. */
static void
check_values(const struct config *c, const struct values *v)
{
#define STR(f) CHECK_STR(c->f, v->f ? v->f : defaults.f)
#define NUM(f) CHECK_INT(c->f, v->f != KEEP ? v->f : defaults.f)
	STR(tasks);
	STR(state);
	STR(log);
	NUM(default_interval);
	NUM(timeout);
	NUM(ack_max_chars);
	NUM(catchup_max);
	NUM(catchup_stagger);
	NUM(max_concurrent);
	STR(timezone);
	STR(agent_turn);
	STR(system_event);
	STR(model);
#undef STR
#undef NUM
}

#define UNCHANGED { NULL, NULL, NULL, KEEP, KEEP, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL }

static void
show_errors(const struct config *c)
{
	for (size_t i = 0; i < c->nerrors; i++)
		printf("    got: %s\n", c->errors[i]);
}

/* ---- files --------------------------------------------------------------------------- */

struct exp_error {
	int line;		/* the "file:LINE" the message must name; 0: the end of the list */
	const char *has;	/* and a part of it */
};

static const struct {
	const char *what, *text;
	struct values want;
	struct exp_error errors[5];
} file_rows[] = {
	{ "the defaults, written out",
	  "[runner]\n"
	  "tasks = HEARTBEAT.md\n"
	  "state = .heartbeat-state.json\n"
	  "log = .heartbeat-log.jsonl\n"
	  "default_interval = 30m\n"
	  "timeout = 10m\n"
	  "ack_max_chars = 300\n"
	  "catchup_max = 5\n"
	  "catchup_stagger = 5s\n"
	  "max_concurrent = 1\n"
	  "timezone =\n"
	  "\n"
	  "[agent]\n"
	  "agent_turn = claude/agent-turn.sh\n"
	  "system_event = claude/system-event.sh\n"
	  "model =\n",
	  UNCHANGED, { { 0 } } },
	{ "every key set",
	  "; a comment\n"
	  "[runner]\n"
	  "tasks = tasks/HEARTBEAT.md\n"
	  "state = var/state.json\n"
	  "log = var/log.jsonl\n"
	  "default_interval = 1h\n"
	  "timeout = 1h30m\n"
	  "ack_max_chars = 0\n"
	  "catchup_max = 0\n"
	  "catchup_stagger = 1m\n"
	  "max_concurrent = 4\n"
	  "timezone = Europe/Berlin\n"
	  "[agent]\n"
	  "agent_turn = codex/agent-turn.sh\n"
	  "system_event = codex/system-event.sh\n"
	  "model = gpt-5\n",
	  { "tasks/HEARTBEAT.md", "var/state.json", "var/log.jsonl", 3600, 5400, 0, 0, 60, 4,
	    "Europe/Berlin", "codex/agent-turn.sh", "codex/system-event.sh", "gpt-5" },
	  { { 0 } } },
	{ "quotes, spaces, a bare number of minutes, an inline comment",
	  "[runner]\n"
	  "  tasks   =   \"My Heartbeat.md\"  \n"
	  "default_interval = 45\n"
	  "timezone = ; empty: the system's zone\n"
	  "[agent]\n"
	  "model = 'claude-opus'\n",
	  { "My Heartbeat.md", NULL, NULL, 45 * 60, KEEP, KEEP, KEEP, KEEP, KEEP, "", NULL, NULL,
	    "claude-opus" },
	  { { 0 } } },
	{ "catchup_stagger accepts 0",
	  "[runner]\ncatchup_stagger = 0\n",
	  { NULL, NULL, NULL, KEEP, KEEP, KEEP, KEEP, 0, KEEP, NULL, NULL, NULL, NULL },
	  { { 0 } } },
	{ "catchup_stagger accepts 0s",
	  "[runner]\ncatchup_stagger = 0s\n",
	  { NULL, NULL, NULL, KEEP, KEEP, KEEP, KEEP, 0, KEEP, NULL, NULL, NULL, NULL },
	  { { 0 } } },
	{ "only catchup_stagger accepts 0",
	  "[runner]\ntimeout = 0s\n",
	  UNCHANGED, { { 2, "timeout" } } },
	{ "limits of the counts",
	  "[runner]\nmax_concurrent = 64\ncatchup_max = 1000\nack_max_chars = 1000000\n",
	  { NULL, NULL, NULL, KEEP, KEEP, 1000000, 1000, KEEP, 64, NULL, NULL, NULL, NULL },
	  { { 0 } } },
	{ "a bad duration",
	  "[runner]\n"
	  "timeout = soon\n",
	  UNCHANGED, { { 2, "timeout" } } },
	{ "a zero duration where 0 is not allowed",
	  "[runner]\n"
	  "\n"
	  "default_interval = 0\n",
	  UNCHANGED, { { 3, "default_interval" } } },
	{ "an unknown key",
	  "[runner]\n"
	  "timeout = 20m\n"
	  "colour = blue\n",
	  { NULL, NULL, NULL, KEEP, 1200, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL },
	  { { 3, "unknown key 'colour'" } } },
	{ "an unknown section",
	  "[runner]\n"
	  "timeout = 20m\n"
	  "[deliveries]\n"
	  "ntfy = topic\n",
	  { NULL, NULL, NULL, KEEP, 1200, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL },
	  { { 4, "unknown section [deliveries]" } } },
	{ "an unknown key of [delivery]",
	  "[runner]\n"
	  "timeout = 20m\n"
	  "[delivery]\n"
	  "ntfy = topic\n",
	  { NULL, NULL, NULL, KEEP, 1200, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL },
	  { { 4, "unknown key 'ntfy' in [delivery]" } } },
	{ "a bad notify target, its secret not quoted",
	  "[delivery]\n"
	  "notify = stdout, tgram://12345:SECRETSECRET\n",
	  UNCHANGED, { { 2, "bad delivery.notify target 'tgram://***': tgram: no chat id" } } },
	{ "a key outside a section",
	  "timeout = 20m\n"
	  "[runner]\n",
	  UNCHANGED, { { 1, "outside a section" } } },
	{ "a key of the other section",
	  "[agent]\n"
	  "timeout = 20m\n",
	  UNCHANGED, { { 2, "unknown key 'timeout'" } } },
	{ "an empty path",
	  "[agent]\n"
	  "agent_turn =\n",
	  UNCHANGED, { { 2, "must not be empty" } } },
	{ "counts out of range or not numbers",
	  "[runner]\n"
	  "max_concurrent = 0\n"
	  "max_concurrent = 65\n"
	  "catchup_max = -1\n"
	  "ack_max_chars = 12abc\n",
	  UNCHANGED,
	  { { 2, "max_concurrent" }, { 3, "max_concurrent" }, { 4, "catchup_max" },
	    { 5, "ack_max_chars" } } },
	{ "a line that is not ini",
	  "[runner]\n"
	  "timeout = 20m\n"
	  "this is not ini\n",
	  { NULL, NULL, NULL, KEEP, 1200, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL },
	  { { 3, "syntax error" } } },
	{ "several errors, all reported with their lines; the good values stay",
	  "[runner]\n"
	  "timeout = soon\n"
	  "ack_max_chars = many\n"
	  "catchup_max = 2\n"
	  "[agent]\n"
	  "foo = bar\n"
	  "model = opus\n"
	  "[nope]\n"
	  "x = 1\n",
	  { NULL, NULL, NULL, KEEP, KEEP, KEEP, 2, KEEP, KEEP, NULL, NULL, NULL, "opus" },
	  { { 2, "timeout" }, { 3, "ack_max_chars" }, { 6, "unknown key 'foo'" },
	    { 9, "unknown section [nope]" } } },
	{ "a syntax error among bad values",
	  "[runner]\n"
	  "timeout = soon\n"
	  "broken line\n"
	  "max_concurrent = 0\n",
	  UNCHANGED, { { 2, "timeout" }, { 3, "syntax error" }, { 4, "max_concurrent" } } },
	{ "two syntax errors",
	  "[runner]\n"
	  "broken line\n"
	  "timeout = 20m\n"
	  "another broken line\n",
	  { NULL, NULL, NULL, KEEP, 1200, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL },
	  { { 2, "syntax error" }, { 4, "syntax error" } } },
	{ "an indented line is a key of its own, not a continuation of the one above",
	  "[runner]\n"
	  "timeout = 20m\n"
	  "    ack_max_chars = 7\n"
	  "  stray text\n",
	  { NULL, NULL, NULL, KEEP, 1200, 7, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL },
	  { { 4, "syntax error" } } },
	{ "a line longer than the reader's buffer is one error, not two lines",
	  "[agent]\n"
	  "model = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "= still the same line\n"
	  "[runner]\n"
	  "timeout = 20m\n",
	  { NULL, NULL, NULL, KEEP, 1200, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL },
	  { { 2, "line too long" } } },
};

static void
test_files(void)
{
	for (size_t r = 0; r < NELEM(file_rows); r++) {
		char path[4096], where[4200];
		size_t nerrors = 0;
		struct config c;

		while (nerrors < NELEM(file_rows[r].errors) && file_rows[r].errors[nerrors].line)
			nerrors++;
		ROW("config file: %s", file_rows[r].what);
		if (!CHECK(write_temp(file_rows[r].text, path, sizeof path) == 0,
		    "cannot write a temporary file")) {
			ROW_END();
			continue;
		}
		if (!CHECK(config_init(&c) == 0, "config_init failed")) {
			unlink(path);
			ROW_END();
			continue;
		}
		config_read_file(&c, path, 1);
		check_values(&c, &file_rows[r].want);
		CHECK_STR(c.file, path);
		/* each expected error, in any order, starts with file:line: and says what */
		if (!CHECK_INT(c.nerrors, nerrors))
			show_errors(&c);
		for (size_t i = 0; i < nerrors; i++) {
			const struct exp_error *e = &file_rows[r].errors[i];
			size_t j;

			snprintf(where, sizeof where, "%s:%d: ", path, e->line);
			for (j = 0; j < c.nerrors; j++)
				if (strncmp(c.errors[j], where, strlen(where)) == 0 &&
				    strstr(c.errors[j], e->has) != NULL)
					break;
			if (!CHECK(j < c.nerrors, "no error \"FILE:%d: ...%s...\"", e->line, e->has))
				show_errors(&c);
		}
		config_free(&c);
		unlink(path);
		ROW_END();
	}

	/* A missing file: fine unless it is required. */
	{
		char path[4096];
		struct config c;

		ROW("config file: missing, not required");
		if (CHECK(write_temp("", path, sizeof path) == 0, "cannot write a temp file")) {
			unlink(path);
			if (CHECK(config_init(&c) == 0, "config_init failed")) {
				config_read_file(&c, path, 0);
				CHECK_INT(c.nerrors, 0);
				CHECK_STR(c.file, NULL);
				check_values(&c, &defaults);
				config_free(&c);
			}
		}
		ROW_END();

		ROW("config file: missing, required");
		if (CHECK(config_init(&c) == 0, "config_init failed")) {
			config_read_file(&c, path, 1);
			if (CHECK_INT(c.nerrors, 1))
				CHECK_HAS(c.errors[0], path);
			config_free(&c);
		}
		ROW_END();
	}
}

/* ---- the environment and -o ---------------------------------------------------------- */

static const struct {
	const char *var, *value;
	struct values want;
	const char *error;	/* a part of the one error expected; NULL: none */
} env_rows[] = {
	{ "HB_RUNNER_TIMEOUT", "20m",
	  { NULL, NULL, NULL, KEEP, 1200, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL }, NULL },
	{ "HB_RUNNER_DEFAULT_INTERVAL", "5",
	  { NULL, NULL, NULL, 300, KEEP, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL }, NULL },
	{ "HB_RUNNER_CATCHUP_STAGGER", "0",
	  { NULL, NULL, NULL, KEEP, KEEP, KEEP, KEEP, 0, KEEP, NULL, NULL, NULL, NULL }, NULL },
	{ "HB_RUNNER_MAX_CONCURRENT", "3",
	  { NULL, NULL, NULL, KEEP, KEEP, KEEP, KEEP, KEEP, 3, NULL, NULL, NULL, NULL }, NULL },
	{ "HB_AGENT_MODEL", "opus",
	  { NULL, NULL, NULL, KEEP, KEEP, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, "opus" },
	  NULL },
	{ "HB_RUNNER_TIMEZONE", "",
	  UNCHANGED, NULL },
	{ "HB_RUNNER_TIMEOUT", "soon", UNCHANGED, "HB_RUNNER_TIMEOUT" },
	{ "HB_RUNNER_ACK_MAX_CHARS", "-3", UNCHANGED, "HB_RUNNER_ACK_MAX_CHARS" },
	{ "HB_AGENT_AGENT_TURN", "", UNCHANGED, "must not be empty" },
};

static const struct {
	const char *opt;
	struct values want;
	const char *error;	/* a part of the one error expected; NULL: none */
} option_rows[] = {
	{ "runner.timeout=20m",
	  { NULL, NULL, NULL, KEEP, 1200, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL }, NULL },
	{ "runner.catchup_stagger=0",
	  { NULL, NULL, NULL, KEEP, KEEP, KEEP, KEEP, 0, KEEP, NULL, NULL, NULL, NULL }, NULL },
	{ "runner.ack_max_chars=120",
	  { NULL, NULL, NULL, KEEP, KEEP, 120, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL }, NULL },
	{ "agent.model=claude-opus",
	  { NULL, NULL, NULL, KEEP, KEEP, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, "claude-opus" },
	  NULL },
	{ "agent.model=a=b",	/* the value runs to the end */
	  { NULL, NULL, NULL, KEEP, KEEP, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, "a=b" }, NULL },
	{ "runner.tasks=\"other.md\"",
	  { "other.md", NULL, NULL, KEEP, KEEP, KEEP, KEEP, KEEP, KEEP, NULL, NULL, NULL, NULL },
	  NULL },
	{ "runner.timeout=soon", UNCHANGED, "runner.timeout" },
	{ "runner.timeout=", UNCHANGED, "runner.timeout" },
	{ "runner.timeout", UNCHANGED, "SECTION.KEY=VALUE" },
	{ "timeout=20m", UNCHANGED, "SECTION.KEY=VALUE" },
	{ "=20m", UNCHANGED, "SECTION.KEY=VALUE" },
	{ "", UNCHANGED, "SECTION.KEY=VALUE" },
	{ "timeout=1.5", UNCHANGED, "SECTION.KEY=VALUE" },	/* the dot after the '=' */
	{ "runner.colour=blue", UNCHANGED, "unknown key" },
	{ "agent.timeout=20m", UNCHANGED, "unknown key" },
	{ "delivery.ntfy=x", UNCHANGED, "unknown key" },
	{ "runner.max_concurrent=0", UNCHANGED, "max_concurrent" },
};

static void
check_one_error(const struct config *c, const char *error)
{
	if (error == NULL) {
		if (!CHECK_INT(c->nerrors, 0))
			show_errors(c);
	} else if (CHECK_INT(c->nerrors, 1)) {
		CHECK_HAS(c->errors[0], error);
	} else {
		show_errors(c);
	}
}

static void
test_env_and_options(void)
{
	struct config c;

	clear_env();
	for (size_t r = 0; r < NELEM(env_rows); r++) {
		ROW("environment %s=%s", env_rows[r].var, unit_quote(env_rows[r].value));
		if (CHECK(config_init(&c) == 0, "config_init failed")) {
			setenv(env_rows[r].var, env_rows[r].value, 1);
			config_read_env(&c);
			unsetenv(env_rows[r].var);
			check_values(&c, &env_rows[r].want);
			check_one_error(&c, env_rows[r].error);
			config_free(&c);
		}
		ROW_END();
	}

	/* Defaults < file < environment < -o. */
	{
		char path[4096];

		ROW("precedence: file < environment < option");
		if (CHECK(write_temp("[runner]\ntimeout = 15m\nack_max_chars = 50\n"
		    "catchup_max = 7\n", path, sizeof path) == 0, "cannot write a temp file") &&
		    CHECK(config_init(&c) == 0, "config_init failed")) {
			config_read_file(&c, path, 1);
			setenv("HB_RUNNER_TIMEOUT", "20m", 1);
			setenv("HB_RUNNER_ACK_MAX_CHARS", "60", 1);
			config_read_env(&c);
			clear_env();
			config_set_option(&c, "runner.ack_max_chars=70");
			CHECK_INT(c.timeout, 20 * 60);
			CHECK_INT(c.ack_max_chars, 70);
			CHECK_INT(c.catchup_max, 7);
			CHECK_INT(c.nerrors, 0);
			config_free(&c);
			unlink(path);
		}
		ROW_END();
	}

	ROW("no HB_ variables: nothing changes");
	if (CHECK(config_init(&c) == 0, "config_init failed")) {
		config_read_env(&c);
		check_values(&c, &defaults);
		CHECK_INT(c.nerrors, 0);
		config_free(&c);
	}
	ROW_END();

	for (size_t r = 0; r < NELEM(option_rows); r++) {
		ROW("config_set_option(%s)", unit_quote(option_rows[r].opt));
		if (CHECK(config_init(&c) == 0, "config_init failed")) {
			config_set_option(&c, option_rows[r].opt);
			check_values(&c, &option_rows[r].want);
			check_one_error(&c, option_rows[r].error);
			config_free(&c);
		}
		ROW_END();
	}

	ROW("config_set_option: errors accumulate");
	if (CHECK(config_init(&c) == 0, "config_init failed")) {
		config_set_option(&c, "runner.timeout=soon");
		config_set_option(&c, "runner.colour=blue");
		config_set_option(&c, "runner.timeout=20m");
		CHECK_INT(c.nerrors, 2);
		CHECK_INT(c.timeout, 20 * 60);
		config_free(&c);
	}
	ROW_END();
}

/* ---- agents ------------------------------------------------------------------------- */

#define ANY (-1)

/* What config_agent(NAME) must give; NULL fields are not checked. */
struct exp_agent {
	const char *lookup;	/* NULL: the default agent */
	const char *name;	/* the agent found; NULL: none must be found */
	int kind;		/* AGENT_COMMAND, AGENT_HTTP */
	const char *agent_turn, *system_event;
	int output;		/* the format of its agent_turn template; ANY: not checked */
	const char *url, *model, *key_env;
	int builtin;
};

static const struct {
	const char *what, *text;
	const char *opts[3];
	struct exp_agent agents[4];
	struct exp_error errors[8];	/* line -1: an error of an option, no line */
} agent_rows[] = {
	{ "the example of DESIGN.md",
	  "[agent]\n"
	  "default = claude\n"
	  "\n"
	  "[agent.claude]                 ; command agent: the shipped Claude Code templates\n"
	  "agent_turn = claude/agent-turn.sh\n"
	  "system_event = claude/system-event.sh\n"
	  "output = claude-json\n"
	  "\n"
	  "[agent.local]\n"
	  "api = openai\n"
	  "url = http://127.0.0.1:8080/v1\n"
	  "model = qwen3-0.6b\n"
	  "key_env =\n"
	  "system_prompt = You are woken by a heartbeat. Take at most one step, then stop.\n"
	  "price_in = 0\n"
	  "price_out = 0\n"
	  "\n"
	  "[agent.claude-api]\n"
	  "api = anthropic\n"
	  "url = https://api.anthropic.com\n"
	  "model = claude-sonnet-4-5\n"
	  "key_env = ANTHROPIC_API_KEY\n",
	  { NULL },
	  { { NULL, "claude", AGENT_COMMAND, "claude/agent-turn.sh", "claude/system-event.sh",
	      OUTPUT_CLAUDE_JSON },
	    { "local", "local", AGENT_HTTP, .url = "http://127.0.0.1:8080/v1",
	      .model = "qwen3-0.6b", .key_env = "", .output = OUTPUT_HB_JSON },
	    { "claude-api", "claude-api", AGENT_HTTP, .url = "https://api.anthropic.com",
	      .key_env = "ANTHROPIC_API_KEY", .output = ANY },
	    { "default", "claude", AGENT_COMMAND, .output = ANY } },
	  { { 0 } } },
	{ "nothing configured: the flat keys' agent, on the claude templates",
	  "",
	  { NULL },
	  { { NULL, "default", AGENT_COMMAND, "claude/agent-turn.sh", "claude/system-event.sh",
	      OUTPUT_CLAUDE_JSON },
	    { "codex", "codex", AGENT_COMMAND, "codex/agent-turn.sh", "codex/system-event.sh",
	      OUTPUT_CODEX_JSON, .builtin = 1 },
	    { "demo", "demo", AGENT_COMMAND, "demo/agent.sh", "demo/agent.sh", OUTPUT_TEXT,
	      .builtin = 1 },
	    { "nosuch", NULL } },
	  { { 0 } } },
	{ "the flat keys of wave 1 still describe the default agent",
	  "[agent]\nagent_turn = mine.sh\nsystem_event = mine-event.sh\nmodel = m1\n",
	  { NULL },
	  { { NULL, "default", AGENT_COMMAND, "mine.sh", "mine-event.sh", OUTPUT_TEXT,
	      .model = "m1" },
	    { "gemini", "gemini", AGENT_COMMAND, "gemini/agent-turn.sh", .output =
	      OUTPUT_GEMINI_JSON, .builtin = 1 } },
	  { { 0 } } },
	{ "a section named like a built-in agent takes its templates",
	  "[agent.codex]\nmodel = gpt-5\n[agent.opencode]\nagent_turn = oc.sh\n",
	  { NULL },
	  { { "codex", "codex", AGENT_COMMAND, "codex/agent-turn.sh", "codex/system-event.sh",
	      OUTPUT_CODEX_JSON, .model = "gpt-5" },
	    { "opencode", "opencode", AGENT_COMMAND, "oc.sh", "opencode/system-event.sh",
	      OUTPUT_TEXT } },
	  { { 0 } } },
	{ "one template serves both types; output names the format",
	  "[agent.x]\nsystem_event = x.sh\noutput = codex-json\n",
	  { NULL },
	  { { "x", "x", AGENT_COMMAND, "x.sh", "x.sh", OUTPUT_CODEX_JSON } },
	  { { 0 } } },
	{ "an HTTP agent's url defaults by its api",
	  "[agent.a]\napi = anthropic\n[agent.o]\napi = openai\n",
	  { NULL },
	  { { "a", "a", AGENT_HTTP, .url = "https://api.anthropic.com", .output = ANY },
	    { "o", "o", AGENT_HTTP, .url = "https://api.openai.com/v1", .output = ANY } },
	  { { 0 } } },
	{ "agents from -o, over the file; a name with dots",
	  "[agent.local]\napi = openai\nurl = http://127.0.0.1:1/v1\n",
	  { "agent.local.url=http://127.0.0.1:8080/v1", "agent.my.bot.agent_turn=bot.sh",
	    "agent.default=my.bot" },
	  { { "local", "local", AGENT_HTTP, .url = "http://127.0.0.1:8080/v1", .output = ANY },
	    { NULL, "my.bot", AGENT_COMMAND, "bot.sh", "bot.sh", OUTPUT_TEXT } },
	  { { 0 } } },
	{ "bad values, each with its line",
	  "[agent.x]\n"
	  "api = gemini\n"
	  "url = ftp://host/v1\n"
	  "key_env = sk-ant-1234\n"
	  "price_in = -1\n"
	  "max_tokens = 0\n"
	  "temperature = 3\n"
	  "colour = blue\n",
	  { NULL },
	  { { 0 } },
	  { { 2, "openai" }, { 3, "http:// or https://" }, { 4, "name of an environment" },
	    { 5, "price" }, { 6, "max_tokens" }, { 7, "temperature" },
	    { 8, "unknown key 'colour' in [agent.x]" } } },
	{ "keys of the other kind of agent, and agents that cannot run",
	  "[agent.h]\n"
	  "api = openai\n"
	  "agent_turn = t.sh\n"
	  "[agent.c]\n"
	  "agent_turn = t.sh\n"
	  "key_file = k\n"
	  "[agent.none]\n"
	  "model = m\n"
	  "[agent.u]\n"
	  "url = http://h/v1\n",
	  { NULL },
	  { { 0 } },
	  { { 3, "applies to command agents" }, { 6, "applies to http agents" },
	    { 7, "names no template" }, { 10, "no api" } } },
	{ "a section without keys: an error at its header",
	  "[agent.empty]\n"
	  "[agent.e2]\n"
	  "; a comment\n"
	  "\n"
	  "output = text\n",
	  { NULL },
	  { { 0 } },
	  { { 2, "[agent.e2] names no template" } } },
	{ "bad section names and an unknown default",
	  "[agent]\n"
	  "default = nosuch\n"
	  "[agent.default]\n"
	  "model = m\n"
	  "[agent.bad name]\n"
	  "model = m\n",
	  { NULL },
	  { { 0 } },
	  { { 2, "no agent named 'nosuch'" }, { 4, "means the default agent" },
	    { 6, "bad agent name" } } },
	{ "bad options",
	  "",
	  { "agent.x.colour=blue", "agent.y.url=nowhere", "agent..model=m" },
	  { { 0 } },
	  { { -1, "unknown key 'colour' in [agent.x]" }, { -1, "bad agent.y.url" },
	    { -1, "bad agent name" } } },
};

static void
check_agent(const struct config *c, const struct exp_agent *e)
{
	const struct agent *a = config_agent(c, e->lookup);

	if (e->name == NULL) {
		CHECK(a == NULL, "agent %s found", e->lookup);
		return;
	}
	if (!CHECK(a != NULL, "no agent %s", e->lookup ? e->lookup : "(default)"))
		return;
	CHECK_STR(a->name, e->name);
	CHECK_INT(a->kind, e->kind);
	CHECK_INT(a->builtin, e->builtin);
	if (e->agent_turn)
		CHECK_STR(a->agent_turn, e->agent_turn);
	if (e->system_event)
		CHECK_STR(a->system_event, e->system_event);
	if (e->output != ANY)
		CHECK_STR(output_format_name(config_agent_output(a, a->agent_turn)),
		    output_format_name((enum output_format)e->output));
	if (e->url)
		CHECK_STR(a->url, e->url);
	if (e->model)
		CHECK_STR(a->model, e->model);
	if (e->key_env)
		CHECK_STR(a->key_env, e->key_env);
}

static void
test_agents(void)
{
	char path[4096], where[4200];

	clear_env();
	for (size_t r = 0; r < NELEM(agent_rows); r++) {
		size_t nerrors = 0;
		struct config c;

		while (nerrors < NELEM(agent_rows[r].errors) && agent_rows[r].errors[nerrors].line)
			nerrors++;
		ROW("agents: %s", agent_rows[r].what);
		if (!CHECK(write_temp(agent_rows[r].text, path, sizeof path) == 0,
		    "cannot write a temporary file") || !CHECK(config_init(&c) == 0, "init")) {
			ROW_END();
			continue;
		}
		config_read_file(&c, path, 1);
		for (size_t o = 0; o < NELEM(agent_rows[r].opts) && agent_rows[r].opts[o]; o++)
			config_set_option(&c, agent_rows[r].opts[o]);
		config_finish(&c);
		for (size_t i = 0; i < NELEM(agent_rows[r].agents); i++)
			if (agent_rows[r].agents[i].name || agent_rows[r].agents[i].lookup)
				check_agent(&c, &agent_rows[r].agents[i]);
		if (!CHECK_INT(c.nerrors, nerrors))
			show_errors(&c);
		for (size_t i = 0; i < nerrors; i++) {
			const struct exp_error *e = &agent_rows[r].errors[i];
			size_t j;

			if (e->line > 0)
				snprintf(where, sizeof where, "%s:%d: ", path, e->line);
			else
				snprintf(where, sizeof where, "option -o ");
			for (j = 0; j < c.nerrors; j++)
				if (strncmp(c.errors[j], where, strlen(where)) == 0 &&
				    strstr(c.errors[j], e->has) != NULL)
					break;
			if (!CHECK(j < c.nerrors, "no error \"%s...%s...\"", where, e->has))
				show_errors(&c);
		}
		config_free(&c);
		unlink(path);
		ROW_END();
	}

	ROW("agents: HB_AGENT_DEFAULT picks the default; sections are not in the environment");
	{
		struct config c;

		if (CHECK(config_init(&c) == 0, "init")) {
			setenv("HB_AGENT_DEFAULT", "codex", 1);
			setenv("HB_AGENT_CODEX_MODEL", "gpt-5", 1);
			config_read_env(&c);
			config_finish(&c);
			clear_env();
			unsetenv("HB_AGENT_CODEX_MODEL");
			CHECK_INT(c.nerrors, 0);
			CHECK_STR(config_agent(&c, NULL)->name, "codex");
			CHECK_STR(config_agent(&c, "default")->name, "codex");
			CHECK_STR(config_agent(&c, NULL)->model, NULL);
			CHECK_STR(c.default_where, "environment HB_AGENT_DEFAULT");
			config_free(&c);
		}
	}
	ROW_END();
}

/* [runner] jitter (a duration, 0 allowed) and enabled (yes or no). */
static void
test_jitter_enabled(void)
{
	static const struct {
		const char *opt;
		long long jitter;
		int enabled;
		const char *error;
	} rows[] = {
		{ "runner.jitter=5m", 300, 1, NULL },
		{ "runner.jitter=0", 0, 1, NULL },
		{ "runner.jitter=0s", 0, 1, NULL },
		{ "runner.jitter=soon", 0, 1, "runner.jitter" },
		{ "runner.enabled=false", 0, 0, NULL },
		{ "runner.enabled=no", 0, 0, NULL },
		{ "runner.enabled=Off", 0, 0, NULL },
		{ "runner.enabled=yes", 0, 1, NULL },
		{ "runner.enabled=maybe", 0, 1, "use true or false" },
		{ "runner.enabled=", 0, 1, "runner.enabled" },
	};
	struct config c;

	for (size_t r = 0; r < NELEM(rows); r++) {
		ROW("option %s", rows[r].opt);
		if (CHECK(config_init(&c) == 0, "config_init failed")) {
			config_set_option(&c, rows[r].opt);
			CHECK_INT(c.jitter, rows[r].jitter);
			CHECK_INT(c.enabled, rows[r].enabled);
			check_one_error(&c, rows[r].error);
			config_free(&c);
		}
		ROW_END();
	}
}

void
test_config(void)
{
	struct config c;

	ROW("config_init: the defaults of DESIGN.md");
	if (CHECK(config_init(&c) == 0, "config_init failed")) {
		check_values(&c, &defaults);
		CHECK_INT(c.nerrors, 0);
		CHECK_STR(c.file, NULL);
		config_free(&c);
	}
	ROW_END();

	test_files();
	test_env_and_options();
	test_agents();
	test_jitter_enabled();
}
