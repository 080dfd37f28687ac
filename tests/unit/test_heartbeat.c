/* test_heartbeat.c - heartbeat_parse on HEARTBEAT.md texts: the tasks: block, items and keys,
 * quotes and block scalars, diagnostics with their lines, the context and heartbeat_prompt,
 * the implicit "heartbeat" task, the emptiness rules (DESIGN.md), CRLF and a BOM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/heartbeat.h"
#include "tests/unit/unit.h"

#define DEFAULT_INTERVAL (30 * 60LL)
#define BOM "\xef\xbb\xbf"

/* Parses TEXT from a buffer of exactly its length (no NUL after it), so that the sanitizer
 * build catches a read past the end. */
static int
parse(const char *text, long long default_interval, struct heartbeat *hb)
{
	size_t len = strlen(text);
	char *buf = malloc(len > 0 ? len : 1);
	int rc;

	if (buf == NULL)
		abort();
	memcpy(buf, text, len);
	rc = heartbeat_parse(buf, len, default_interval, hb);
	free(buf);	/* the result must not point into the text */
	return rc;
}

/* Prints the diagnostics of HB when a row failed to find what it expected. */
static void
show_diags(const struct heartbeat *hb)
{
	for (size_t i = 0; i < hb->ndiags; i++)
		printf("    got line %d: %s\n", hb->diags[i].line, hb->diags[i].msg);
}

/* ---- the tasks block ---------------------------------------------------------------- */

struct exp_task {
	const char *name, *prompt;
	long long interval;	/* 0: the default interval, with sched.is_default */
	enum task_type type;
	long long timeout;
	int disabled;
	const char *tz, *model;
	int line;		/* the line of "- name:"; 0: not checked */
	const char *cron;	/* a cron schedule, as written; NULL: not cron */
	const char *at;		/* an at schedule, as written; NULL: not at */
	const char *agent;	/* NULL: the default agent */
	int agent_line;
	int dangerous;
	const char *notify[3];	/* the targets of notify:, in order */
	const char *title;
	int priority;
};

struct exp_diag {
	int line;		/* 1-based */
	const char *has;	/* a part of the message */
	int warn;		/* a warning (the task still runs), not an error */
};

static const struct {
	const char *what, *text;
	long long default_interval;	/* 0: DEFAULT_INTERVAL */
	struct exp_task tasks[6];	/* the valid tasks, in file order */
	struct exp_diag diags[4];	/* in line order */
	const char *context;		/* NULL: effectively empty */
	struct exp_diag note;		/* a note for check; line 0: none */
} block_rows[] = {
	{ "the example of DESIGN.md",
	  "# My heartbeat\n"
	  "\n"
	  "Keep replies short. My repos live in ~/src.\n"
	  "\n"
	  "tasks:\n"
	  "  - name: inbox-triage\n"
	  "    interval: 30m\n"
	  "    prompt: \"Check urgent email\"\n"
	  "  - name: morning-brief\n"
	  "    cron: \"0 9 * * 1-5\"\n"
	  "    tz: Europe/Berlin\n"
	  "    type: agentTurn\n"
	  "    timeout: 15m\n"
	  "    prompt: |\n"
	  "      Summarise what changed in ~/src overnight.\n"
	  "      Reply HEARTBEAT_OK if nothing did.\n",
	  0,
	  { { "inbox-triage", "Check urgent email", 1800, .line = 6 },
	    { "morning-brief", "Summarise what changed in ~/src overnight.\n"
	      "Reply HEARTBEAT_OK if nothing did.", 0, TASK_AGENT_TURN, 15 * 60, 0,
	      "Europe/Berlin", NULL, 9, "0 9 * * 1-5" } },
	  { { 0 } },
	  "# My heartbeat\n\nKeep replies short. My repos live in ~/src." },

	/* items */
	{ "unindented items",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: do a\n"
	  "- name: b\n"
	  "  interval: 5m\n"
	  "  prompt: do b\n",
	  0,
	  { { "a", "do a", 0, .line = 2 }, { "b", "do b", 300, .line = 4 } },
	  { { 0 } }, NULL },
	{ "indented items",
	  "tasks:\n"
	  "    - name: a\n"
	  "      prompt: do a\n"
	  "      every: 2h\n"
	  "    - name: b\n"
	  "      prompt: do b\n",
	  0,
	  { { "a", "do a", 7200, .line = 2 }, { "b", "do b", 0, .line = 5 } },
	  { { 0 } }, NULL },
	{ "blank lines and YAML comments inside the block",
	  "tasks:\n"
	  "\n"
	  "  # the first task\n"
	  "  - name: a\n"
	  "\n"
	  "    prompt: do a\n"
	  "\n"
	  "  - name: b\n"
	  "    # no schedule: the default\n"
	  "    prompt: do b\n",
	  0,
	  { { "a", "do a", .line = 4 }, { "b", "do b", .line = 8 } },
	  { { 0 } }, NULL },
	{ "the default interval comes from the caller",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  prompt: q\n"
	  "  interval: 10m\n",
	  10 * 60,
	  { { "a", "p", 0 }, { "b", "q", 600 } },
	  { { 0 } }, NULL },
	{ "tasks: line with surrounding spaces",
	  "  tasks:  \n"
	  "  - name: a\n"
	  "    prompt: p\n",
	  0, { { "a", "p" } }, { { 0 } }, NULL },

	/* values */
	{ "quotes: one pair of \" or ' is stripped",
	  "tasks:\n"
	  "- name: \"q1\"\n"
	  "  prompt: \"double quoted\"\n"
	  "- name: 'q2'\n"
	  "  prompt: 'single quoted'\n"
	  "- name: q3\n"
	  "  prompt: \"\"twice\"\"\n"
	  "- name: q4\n"
	  "  prompt: \"mixed'\n"
	  "- name: q5\n"
	  "  prompt: \"it's: fine\"\n"
	  "- name: q6\n"
	  "  prompt: say \"hi\"\n",
	  0,
	  { { "q1", "double quoted" }, { "q2", "single quoted" }, { "q3", "\"twice\"" },
	    { "q4", "\"mixed'" }, { "q5", "it's: fine" }, { "q6", "say \"hi\"" } },
	  { { 0 } }, NULL },
	{ "literal block: common indent removed, inner blank lines kept, trailing dropped",
	  "tasks:\n"
	  "  - name: lit\n"
	  "    prompt: |\n"
	  "      First line.\n"
	  "\n"
	  "      Third line, after a blank.\n"
	  "        Indented deeper.\n"
	  "\n"
	  "\n"
	  "    interval: 1h\n"
	  "  - name: after\n"
	  "    prompt: x\n",
	  0,
	  { { "lit", "First line.\n\nThird line, after a blank.\n  Indented deeper.", 3600,
	      .line = 2 },
	    { "after", "x", .line = 11 } },
	  { { 0 } }, NULL },
	{ "literal block, unindented item, at the end of a file without a newline",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: |\n"
	  "    one\n"
	  "    two",
	  0, { { "a", "one\ntwo" } }, { { 0 } }, NULL },
	{ "literal block: the common indent is the smallest, not the first line's",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: |\n"
	  "        deeper first\n"
	  "      then less\n"
	  "    every: 1d\n",
	  0, { { "a", "  deeper first\nthen less", 86400 } }, { { 0 } }, NULL },
	{ "literal block with |- and a colon in the text",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: |-\n"
	  "    Note: keep it short.\n"
	  "  interval: 5m\n",
	  0, { { "a", "Note: keep it short.", 300 } }, { { 0 } }, NULL },
	{ "folded block: lines joined with spaces",
	  "tasks:\n"
	  "  - name: f\n"
	  "    prompt: >\n"
	  "      one\n"
	  "      two\n"
	  "      three\n"
	  "    every: 45\n",
	  0, { { "f", "one two three", 45 * 60 } }, { { 0 } }, NULL },
	{ "folded block as YAML folds: blank line = break, more-indented lines keep theirs",
	  "tasks:\n"
	  "  - name: f\n"
	  "    prompt: >\n"
	  "      one\n"
	  "      two\n"
	  "\n"
	  "      three\n"
	  "        code\n"
	  "      four\n",
	  0, { { "f", "one two\nthree\n  code\nfour", 0 } }, { { 0 } }, NULL },
	{ "a tasks: line in a code fence is context, the real block follows",
	  "```yaml\n"
	  "tasks:\n"
	  "```\n"
	  "tasks:\n"
	  "  - name: real\n"
	  "    prompt: p\n",
	  0, { { "real", "p", 0 } }, { { 0 } }, "```yaml\ntasks:\n```" },
	{ "every key",
	  "tasks:\n"
	  "  - name: all.keys_1\n"
	  "    prompt: p\n"
	  "    every: 45\n"
	  "    type: systemEvent\n"
	  "    timeout: 15m\n"
	  "    enabled: false\n"
	  "    tz: Europe/Berlin\n"
	  "    model: \"claude-opus\"\n"
	  "  - name: explicit-defaults\n"
	  "    type: agentTurn\n"
	  "    enabled: true\n"
	  "    prompt: q\n",
	  0,
	  { { "all.keys_1", "p", 45 * 60, TASK_SYSTEM_EVENT, 900, 1, "Europe/Berlin",
	      "claude-opus", 2 },
	    { "explicit-defaults", "q", 0, TASK_AGENT_TURN, 0, 0, NULL, NULL, 10 } },
	  { { 0 } }, NULL },

	/* where the block ends */
	{ "the block ends at an unindented line; context before and after",
	  "Intro\n"
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "Notes:\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "a", "p" } }, { { 6, "outside the tasks: block, which line 5 ('Notes:')", 1 } },
	  "Intro\nNotes:\n- name: b\n  prompt: q" },
	{ "a header ends the block",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "\n"
	  "# More notes\n"
	  "Water the plants on Fridays.\n",
	  0, { { "a", "p" } }, { { 0 } }, "# More notes\nWater the plants on Fridays." },
	{ "context that is only headers and comments is empty",
	  "# Heartbeat\n"
	  "<!-- add tasks below -->\n"
	  "\n"
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n",
	  0, { { "a", "p" } }, { { 0 } }, NULL },

	/* No block outside fences and comments: the first one in an untagged, yaml or yml code
	 * fence is the block, as OpenClaw runs it; the rest, fence markers aside, is context */
	{ "a tasks: block in a yaml fence under 'run the tasks below'",
	  "# Heartbeat\n"
	  "\n"
	  "Process only the due tasks below.\n"
	  "\n"
	  "```yaml\n"
	  "tasks:\n"
	  "  - name: inbox\n"
	  "    interval: 1h\n"
	  "    prompt: Check the inbox\n"
	  "```\n"
	  "\n"
	  "Be brief.\n",
	  0, { { "inbox", "Check the inbox", 3600, .line = 7 } }, { { 0 } },
	  "# Heartbeat\n\nProcess only the due tasks below.\nBe brief.",
	  { 6, "the tasks: block inside a code fence is used, as OpenClaw does" } },
	{ "a tasks: block in an untagged fence that is never closed",
	  "```\n"
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n",
	  0, { { "a", "p" } }, { { 0 } }, NULL, { 2, "inside a code fence is used" } },
	{ "a yml fence: the closing fence ends the block, even indented in a literal block",
	  "```YML\n"
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: |\n"
	  "      one\n"
	  "      ```\n"
	  "After the fence.\n",
	  0, { { "a", "one" } }, { { 0 } }, "After the fence.", { 2, "inside a code fence" } },
	{ "text in the fence around the fenced block is context",
	  "```yaml\n"
	  "owner: me\n"
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "notes: none\n"
	  "```\n",
	  0, { { "a", "p" } }, { { 0 } }, "owner: me\nnotes: none", { 3, "inside a code fence" } },
	{ "a typo in a fenced block is still caught",
	  "```yaml\n"
	  "tasks:\n"
	  "  - name: a\n"
	  "    promt: p\n"
	  "  - name: b\n"
	  "    prompt: q\n"
	  "```\n",
	  0, { { "b", "q" } },
	  { { 3, "task 'a' has no prompt" }, { 4, "did you mean 'prompt'?", 1 } }, NULL,
	  { 2, "inside a code fence" } },
	{ "a fenced block before a real block is ignored, with a warning",
	  "Example:\n"
	  "```yaml\n"
	  "tasks:\n"
	  "  - name: b\n"
	  "    prompt: q\n"
	  "```\n"
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n",
	  0, { { "a", "p" } }, { { 3, "the tasks: block inside a code fence is ignored", 1 } },
	  "Example:\n```yaml\ntasks:\n  - name: b\n    prompt: q\n```" },
	{ "a fenced block after a real block is ignored, with a warning",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "\n"
	  "Example:\n"
	  "```\n"
	  "tasks:\n"
	  "  - name: b\n"
	  "    prompt: q\n"
	  "```\n",
	  0, { { "a", "p" } }, { { 7, "the tasks: block inside a code fence is ignored", 1 } },
	  "Example:\n```\ntasks:\n  - name: b\n    prompt: q\n```" },

	/* an unknown key is a warning: the task runs without it (OpenClaw files carry keys of
	 * their own); a likely typo is named */
	{ "unknown key: a warning, the task still runs",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  colour: red\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "a", "p", .line = 2 }, { "b", "q", .line = 5 } },
	  { { 4, "unknown key 'colour' is ignored", 1 } }, NULL },
	{ "an OpenClaw-style camelCase key: a warning, the task still runs",
	  "tasks:\n"
	  "  - name: morning\n"
	  "    interval: 24h\n"
	  "    startAt: \"08:00\"\n"
	  "    prompt: |\n"
	  "      Say good morning.\n"
	  "  - name: b\n"
	  "    prompt: q\n",
	  0, { { "morning", "Say good morning.", 86400, .line = 2 }, { "b", "q" } },
	  { { 4, "unknown key 'startAt' is ignored", 1 } }, NULL },
	{ "a typo of a known key: a warning naming the key",
	  "tasks:\n"
	  "- name: a\n"
	  "  intreval: 5m\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  Timeout: 5m\n"
	  "  prompt: q\n",
	  0, { { "a", "p" }, { "b", "q" } },
	  { { 3, "did you mean 'interval'?", 1 }, { 6, "did you mean 'timeout'?", 1 } }, NULL },
	{ "a typo of prompt: the warning, and the error of the missing prompt",
	  "tasks:\n"
	  "- name: a\n"
	  "  promt: p\n",
	  0, { { 0 } }, { { 2, "has no prompt" }, { 3, "did you mean 'prompt'?", 1 } }, NULL },

	/* diagnostics: the task is skipped, the others are kept */
	{ "duplicate name",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: first\n"
	  "- name: a\n"
	  "  prompt: second\n"
	  "- name: c\n"
	  "  prompt: r\n",
	  0, { { "a", "first", .line = 2 }, { "c", "r", .line = 6 } },
	  { { 4, "duplicate task name" } }, NULL },
	{ "duplicate key",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  prompt: p2\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 4, "duplicate key 'prompt'" } }, NULL },
	{ "two schedules: interval and every",
	  "tasks:\n"
	  "- name: a\n"
	  "  interval: 5m\n"
	  "  every: 10m\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 4, "one schedule" } }, NULL },
	{ "two schedules: every and cron",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  every: 10m\n"
	  "  cron: \"*/5 * * * *\"\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 5, "one schedule" } }, NULL },
	{ "bad duration",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  interval: soon\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 4, "bad interval 'soon'" } }, NULL },
	{ "bad timeout",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  timeout: 1h1h\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 4, "bad timeout" } }, NULL },
	{ "bad type",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  type: chat\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 4, "bad type 'chat'" } }, NULL },
	{ "bad enabled",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  enabled: maybe\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 4, "bad enabled" } }, NULL },
	{ "bad name: a space",
	  "tasks:\n"
	  "- name: \"inbox triage\"\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 2, "bad task name" } }, NULL },
	{ "bad name: a slash",
	  "tasks:\n"
	  "- name: b\n"
	  "  prompt: q\n"
	  "- name: ../up\n"
	  "  prompt: p\n",
	  0, { { "b", "q" } }, { { 4, "bad task name" } }, NULL },
	{ "missing prompt: reported at the task's line",
	  "tasks:\n"
	  "- name: a\n"
	  "  interval: 5m\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q", 0, .line = 4 } }, { { 2, "no prompt" } }, NULL },
	{ "missing prompt on the last task",
	  "tasks:\n"
	  "- name: b\n"
	  "  prompt: q\n"
	  "- name: a\n",
	  0, { { "b", "q" } }, { { 4, "no prompt" } }, NULL },
	{ "empty prompt",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: \"\"\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 3, "empty prompt" } }, NULL },
	{ "cron and at schedules",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  cron: \"0 9 * * 1-5\"\n"
	  "- name: b\n"
	  "  at: 2026-12-01 09:00\n"
	  "  prompt: q\n"
	  "- name: c\n"
	  "  cron: '@daily'\n"
	  "  prompt: r\n",
	  0, { { "a", "p", .cron = "0 9 * * 1-5" }, { "b", "q", .at = "2026-12-01 09:00" },
	       { "c", "r", .cron = "@daily" } }, { { 0 } }, NULL },
	{ "a bad cron and a bad at are errors of their lines",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  cron: \"0 9 * *\"\n"
	  "- name: b\n"
	  "  prompt: q\n"
	  "- name: c\n"
	  "  at: tomorrow\n"
	  "  prompt: r\n"
	  "- name: d\n"
	  "  cron: 0 0 30 2 *\n"
	  "  prompt: s\n",
	  0, { { "b", "q" } }, { { 4, "bad cron" }, { 8, "bad at" }, { 11, "never fire" } },
	  NULL },
	{ "tab in the indentation",
	  "tasks:\n"
	  "- name: a\n"
	  "\tprompt: p\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 3, "tab" } }, NULL },
	{ "tab after spaces in the indentation",
	  "tasks:\n"
	  "- name: b\n"
	  "  prompt: q\n"
	  "- name: a\n"
	  "  \tprompt: p\n",
	  0, { { "b", "q" } }, { { 5, "tab" } }, NULL },
	{ "a line that is not key: value",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  just some words\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 4, "key: value" } }, NULL },
	{ "no space after the colon",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt:p\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q" } }, { { 3, "key: value" } }, NULL },
	{ "an item that does not start with name",
	  "tasks:\n"
	  "- prompt: p\n"
	  "  name: a\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q", .line = 4 } }, { { 2, "- name:" } }, NULL },
	{ "a key not indented under its task",
	  "tasks:\n"
	  "  - name: b\n"
	  "    prompt: q\n"
	  "  - name: a\n"
	  "  prompt: p\n",
	  0, { { "b", "q" } }, { { 5, "not indented" } }, NULL },
	{ "a key before any task",
	  "tasks:\n"
	  "  prompt: p\n"
	  "  - name: b\n"
	  "    prompt: q\n",
	  0, { { "b", "q" } }, { { 2, "expected a task" } }, NULL },
	{ "several problems, each with its line; the good task stays",
	  "# Notes\n"
	  "tasks:\n"
	  "- name: a\n"
	  "  enabled: maybe\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  interval: soon\n"
	  "  prompt: q\n"
	  "- name: c\n"
	  "  prompt: r\n"
	  "- name: d\n"
	  "  type: chat\n"
	  "  prompt: s\n",
	  0, { { "c", "r", .line = 9 } },
	  { { 4, "bad enabled" }, { 7, "bad interval" }, { 12, "bad type" } }, NULL },
	{ "line numbers after a literal block",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: |\n"
	  "    one\n"
	  "\n"
	  "    two\n"
	  "  timeout: never\n",
	  0, { { 0 } }, { { 7, "bad timeout" } }, NULL },

	/* line endings and a byte order mark */
	{ "CRLF line endings",
	  "# Title\r\n"
	  "Some context\r\n"
	  "\r\n"
	  "tasks:\r\n"
	  "  - name: a\r\n"
	  "    prompt: |\r\n"
	  "      l1\r\n"
	  "\r\n"
	  "      l2\r\n"
	  "    interval: 5m\r\n"
	  "  - name: b\r\n"
	  "    prompt: \"q\"\r\n"
	  "    type: chat\r\n",
	  0, { { "a", "l1\n\nl2", 300, .line = 5 } }, { { 13, "bad type 'chat'" } },
	  "# Title\nSome context" },
	{ "a UTF-8 byte order mark before tasks:",
	  BOM "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "  type: chat\n"
	  "- name: b\n"
	  "  prompt: q\n",
	  0, { { "b", "q", .line = 5 } }, { { 4, "bad type" } }, NULL },
	{ "a BOM, CRLF and UTF-8 text",
	  BOM "Antworte kurz, bitte.\r\n"
	  "tasks:\r\n"
	  "- name: grüße\r\n"
	  "  prompt: p\r\n"
	  "- name: b\r\n"
	  "  prompt: \"Prüfe die Post\"\r\n",
	  0, { { "b", "Prüfe die Post", .line = 5 } }, { { 3, "bad task name" } },
	  "Antworte kurz, bitte." },

	/* agents */
	{ "agent: and dangerous: per task",
	  "tasks:\n"
	  "- name: a\n"
	  "  agent: codex\n"
	  "  dangerous: true\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  prompt: q\n"
	  "  dangerous: no\n"
	  "  agent: \"claude-api\"\n",
	  0, { { "a", "p", .line = 2, .agent = "codex", .agent_line = 3, .dangerous = 1 },
	       { "b", "q", .line = 6, .agent = "claude-api", .agent_line = 9 } },
	  { { 0 } }, NULL },
	{ "bad agent names and dangerous values skip their tasks",
	  "tasks:\n"
	  "- name: a\n"
	  "  agent: no such\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  agent:\n"
	  "  prompt: q\n"
	  "- name: c\n"
	  "  dangerous: very\n"
	  "  prompt: r\n"
	  "- name: d\n"
	  "  agent: x\n"
	  "  agent: y\n"
	  "  prompt: s\n",
	  0, { { 0 } },
	  { { 3, "bad agent name 'no such'" }, { 6, "empty agent" }, { 9, "bad dangerous" },
	    { 13, "duplicate key 'agent'" } }, NULL },

	/* delivery */
	{ "notify: one target, a list, a YAML flow list with quotes; title: and priority:",
	  "tasks:\n"
	  "- name: a\n"
	  "  notify: ntfy://alerts\n"
	  "  title: Disk alert\n"
	  "  priority: high\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  notify: stdout, \"mailto:a@x.org,b@x.org\"\n"
	  "  priority: 1\n"
	  "  prompt: q\n"
	  "- name: c\n"
	  "  notify: [stdout, 'json://h/x', \"exec:/bin/page\"]\n"
	  "  prompt: r\n",
	  0, { { "a", "p", .line = 2, .notify = { "ntfy://alerts" }, .title = "Disk alert",
		 .priority = 4 },
	       { "b", "q", .line = 7, .notify = { "stdout", "mailto:a@x.org,b@x.org" },
		 .priority = 1 },
	       { "c", "r", .line = 11, .notify = { "stdout", "json://h/x", "exec:/bin/page" } } },
	  { { 0 } }, NULL },
	{ "bad notify targets (secrets not shown), priorities and empty titles skip their tasks",
	  "tasks:\n"
	  "- name: a\n"
	  "  notify: stdout, tgram://123:SECRETPART\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  notify: [stdout,\n"
	  "  prompt: q\n"
	  "- name: c\n"
	  "  priority: loud\n"
	  "  prompt: r\n"
	  "- name: d\n"
	  "  title:\n"
	  "  prompt: s\n",
	  0, { { 0 } },
	  { { 3, "bad notify target 'tgram://***': tgram: no chat id" },
	    { 6, "bad notify: a list that opens with '[' closes with ']'" },
	    { 9, "bad priority 'loud'" }, { 12, "empty title" } }, NULL },
};

static void
check_task(const struct task *t, const struct exp_task *e, long long default_interval)
{
	CHECK_STR(t->name, e->name);
	CHECK_STR(t->prompt, e->prompt);
	if (e->cron != NULL || e->at != NULL) {
		CHECK_INT(t->sched.kind, e->cron ? SCHED_CRON : SCHED_AT);
		CHECK_STR(t->sched.expr, e->cron ? e->cron : e->at);
		CHECK_INT(t->sched.is_default, 0);
	} else {
		CHECK_INT(t->sched.kind, SCHED_INTERVAL);
		CHECK_INT(t->sched.interval, e->interval ? e->interval : default_interval);
		CHECK_INT(t->sched.is_default, e->interval == 0);
	}
	CHECK_INT(t->type, e->type);
	CHECK_INT(t->timeout, e->timeout);
	CHECK_INT(t->enabled, !e->disabled);
	CHECK_STR(t->tz, e->tz);
	CHECK_STR(t->model, e->model);
	CHECK_STR(t->agent, e->agent);
	CHECK_INT(t->agent_line, e->agent_line);
	CHECK_INT(t->dangerous, e->dangerous);
	for (size_t i = 0; i < NELEM(e->notify); i++)
		CHECK_STR(i < t->nnotify ? t->notify[i] : NULL, e->notify[i]);
	CHECK_STR(t->title, e->title);
	CHECK_INT(t->priority, e->priority);
	if (e->line != 0)
		CHECK_INT(t->line, e->line);
}

static void
test_block(void)
{
	for (size_t r = 0; r < NELEM(block_rows); r++) {
		long long dflt = block_rows[r].default_interval ? block_rows[r].default_interval :
		    DEFAULT_INTERVAL;
		size_t ntasks = 0, ndiags = 0;
		struct heartbeat hb;

		while (ntasks < NELEM(block_rows[r].tasks) && block_rows[r].tasks[ntasks].name)
			ntasks++;
		while (ndiags < NELEM(block_rows[r].diags) && block_rows[r].diags[ndiags].line)
			ndiags++;

		ROW("parse: %s", block_rows[r].what);
		if (!CHECK(parse(block_rows[r].text, dflt, &hb) == 0, "heartbeat_parse failed")) {
			ROW_END();
			continue;
		}
		CHECK_INT(hb.has_block, 1);
		CHECK_INT(hb.implicit, 0);
		CHECK_INT(hb.ntasks, ntasks);
		for (size_t i = 0; i < ntasks && i < hb.ntasks; i++)
			check_task(&hb.tasks[i], &block_rows[r].tasks[i], dflt);
		if (!CHECK_INT(hb.ndiags, ndiags))
			show_diags(&hb);
		for (size_t i = 0; i < ndiags && i < hb.ndiags; i++) {
			CHECK_INT(hb.diags[i].line, block_rows[r].diags[i].line);
			CHECK_HAS(hb.diags[i].msg, block_rows[r].diags[i].has);
			CHECK_INT(hb.diags[i].warn, block_rows[r].diags[i].warn);
		}
		CHECK_STR(hb.context, block_rows[r].context);
		CHECK_INT(hb.nnotes, block_rows[r].note.line != 0);
		if (hb.nnotes > 0 && block_rows[r].note.line != 0) {
			CHECK_INT(hb.notes[0].line, block_rows[r].note.line);
			CHECK_HAS(hb.notes[0].msg, block_rows[r].note.has);
		}
		/* DESIGN.md: empty = no tasks and only ignorable lines; a problem is not empty */
		CHECK_INT(hb.empty, ntasks == 0 && ndiags == 0 && block_rows[r].context == NULL);
		{
			size_t nerr = 0;

			for (size_t i = 0; i < ndiags; i++)
				nerr += !block_rows[r].diags[i].warn;
			CHECK_INT(hb.nerrors, nerr);
		}
		heartbeat_free(&hb);
		CHECK(hb.tasks == NULL && hb.ntasks == 0 && hb.diags == NULL &&
		    hb.context == NULL, "heartbeat_free left something behind");
		ROW_END();
	}
}

/* ---- context and heartbeat_prompt ---------------------------------------------------- */

static const struct {
	const char *what, *text, *task, *prompt;
} prompt_rows[] = {
	{ "context before the block",
	  "# Notes\n"
	  "Keep replies short.\n"
	  "\n"
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: Check mail\n",
	  "a", "Check mail\n\nAdditional context from HEARTBEAT.md:\n# Notes\nKeep replies short." },
	{ "context before and after the block",
	  "Intro\n"
	  "\n"
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "- name: b\n"
	  "  prompt: |\n"
	  "    two\n"
	  "    lines\n"
	  "\n"
	  "Outro\n",
	  "b", "two\nlines\n\nAdditional context from HEARTBEAT.md:\nIntro\nOutro" },
	{ "effectively empty context is not appended",
	  "# Heartbeat\n"
	  "\n"
	  "- [ ]\n"
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: Check mail\n",
	  "a", "Check mail" },
	{ "no context at all",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: Check mail\n",
	  "a", "Check mail" },
};

static void
test_prompt(void)
{
	for (size_t r = 0; r < NELEM(prompt_rows); r++) {
		const struct task *t;
		struct heartbeat hb;
		char *full;

		ROW("heartbeat_prompt: %s", prompt_rows[r].what);
		if (!CHECK(parse(prompt_rows[r].text, DEFAULT_INTERVAL, &hb) == 0, "parse failed")) {
			ROW_END();
			continue;
		}
		t = heartbeat_find(&hb, prompt_rows[r].task);
		if (CHECK(t != NULL, "no task %s", prompt_rows[r].task)) {
			full = heartbeat_prompt(&hb, t);
			CHECK_STR(full, prompt_rows[r].prompt);
			free(full);
		}
		CHECK_INT(hb.ndiags, 0);
		heartbeat_free(&hb);
		ROW_END();
	}
}

/* ---- the implicit task --------------------------------------------------------------- */

static const struct {
	const char *what, *text;
	const char *body;	/* the file's text as the prompt must hold it */
	long long default_interval;
	int block;		/* the line of a tasks: block without tasks, which check notes */
} implicit_rows[] = {
	{ "one line", "Check the inbox.\n", "Check the inbox.", 30 * 60 },
	{ "an OpenClaw checklist",
	  "# Checklist\n\n- [ ] water plants\n- reply to Bob\n",
	  "# Checklist\n\n- [ ] water plants\n- reply to Bob", 15 * 60 },
	{ "blank lines around the text", "\n\n  Look at the build.\n\n\n",
	  "  Look at the build.", 30 * 60 },
	{ "CRLF", "- water plants\r\n- feed the cat\r\n", "- water plants\n- feed the cat",
	  30 * 60 },
	{ "a BOM", BOM "Check the inbox.\n", "Check the inbox.", 30 * 60 },
	{ "Tasks: is not tasks:", "Tasks:\n- water plants\n", "Tasks:\n- water plants",
	  30 * 60 },
	{ "tasks: with a value is not the block", "tasks: none today\n", "tasks: none today",
	  30 * 60 },
	{ "no newline at the end", "Check the inbox.", "Check the inbox.", 30 * 60 },
	/* a tasks: block with nothing task-like in it beside real text: OpenClaw runs the
	 * whole file as the heartbeat prompt */
	{ "a tasks: block without tasks after notes",
	  "Real notes about my day.\n\ntasks:\n",
	  "Real notes about my day.\n\ntasks:", 30 * 60, 3 },
	{ "tasks: over a Markdown checklist (no warning about the list)",
	  "# Heartbeat\ntasks:\n- water the plants\n- feed the cat\n",
	  "# Heartbeat\ntasks:\n- water the plants\n- feed the cat", 30 * 60, 2 },
	{ "an empty tasks: block in a yaml fence",
	  "Check the inbox.\n```yaml\ntasks:\n```\n",
	  "Check the inbox.\n```yaml\ntasks:\n```", 30 * 60, 3 },
};

static void
test_implicit(void)
{
	for (size_t r = 0; r < NELEM(implicit_rows); r++) {
		const struct task *t;
		struct heartbeat hb;
		char *full;

		ROW("implicit task: %s", implicit_rows[r].what);
		if (!CHECK(parse(implicit_rows[r].text, implicit_rows[r].default_interval, &hb) == 0,
		    "parse failed")) {
			ROW_END();
			continue;
		}
		CHECK_INT(hb.has_block, implicit_rows[r].block != 0);
		CHECK_INT(hb.implicit, 1);
		CHECK_INT(hb.empty, 0);
		if (!CHECK_INT(hb.ndiags, 0))
			show_diags(&hb);
		if (CHECK_INT(hb.nnotes, implicit_rows[r].block != 0) && hb.nnotes > 0) {
			CHECK_INT(hb.notes[0].line, implicit_rows[r].block);
			CHECK_STR(hb.notes[0].msg, "the tasks: block has no tasks; the whole file "
			    "is the task 'heartbeat'");
		}
		if (!CHECK_INT(hb.ntasks, 1)) {
			heartbeat_free(&hb);
			ROW_END();
			continue;
		}
		t = &hb.tasks[0];
		CHECK_STR(t->name, "heartbeat");
		CHECK(heartbeat_find(&hb, "heartbeat") == t, "heartbeat_find does not find it");
		CHECK_INT(t->type, TASK_AGENT_TURN);
		CHECK_INT(t->enabled, 1);
		CHECK_INT(t->sched.kind, SCHED_INTERVAL);
		CHECK_INT(t->sched.interval, implicit_rows[r].default_interval);
		CHECK_INT(t->sched.is_default, 1);
		/* the built-in prompt first (it tells the agent about HEARTBEAT_OK), then the file */
		CHECK_HAS(t->prompt, "HEARTBEAT_OK");
		CHECK_HAS(t->prompt, implicit_rows[r].body);
		CHECK(t->prompt != NULL && strncmp(t->prompt, implicit_rows[r].body,
		    strlen(implicit_rows[r].body)) != 0, "the file's text comes before the "
		    "built-in prompt");
		CHECK(t->prompt != NULL && strchr(t->prompt, '\r') == NULL, "a CR in the prompt");
		/* the file is in the prompt already: not appended a second time as context */
		full = heartbeat_prompt(&hb, t);
		CHECK_STR(full, t->prompt);
		free(full);
		heartbeat_free(&hb);
		ROW_END();
	}
}

/* ---- emptiness ----------------------------------------------------------------------- */

static const struct {
	const char *text;
	int empty;
} empty_rows[] = {
	/* a tasks: block commented out is no block: the file is empty */
	{ "<!--\ntasks:\n  - name: a\n    prompt: p\n-->\n", 1 },
	{ "# Title\n<!-- tasks:\n  - name: a\n    prompt: p -->\n", 1 },
	/* real text beside an empty block is not empty: it is the implicit task */
	{ "Real notes.\n\ntasks:\n", 0 },
	/* blank */
	{ "", 1 },
	{ "\n", 1 },
	{ "\n\n   \n\t\n", 1 },
	/* ATX headers; "#tag" is content */
	{ "#\n", 1 },
	{ "# Title\n", 1 },
	{ "## Title\n", 1 },
	{ "###\n", 1 },
	{ "###### Six\n", 1 },
	{ "  ## Indented title\n", 1 },
	{ "#tag\n", 0 },
	{ "##tag\n", 0 },
	{ "# Title\n#tag\n", 0 },
	/* empty list items */
	{ "-\n", 1 },
	{ "*\n", 1 },
	{ "+\n", 1 },
	{ "- [ ]\n", 1 },
	{ "- [x]\n", 1 },
	{ "* [X]\n", 1 },
	{ "+ [ ]\n", 1 },
	{ "  - [ ]   \n", 1 },
	{ "- buy milk\n", 0 },
	{ "- [ ] buy milk\n", 0 },
	{ "* [X] bought milk\n", 0 },
	{ "- [y]\n", 0 },
	{ "-item\n", 0 },
	/* code fences */
	{ "```\n", 1 },
	{ "```bash\n", 1 },
	{ "```\n```\n", 1 },
	{ "```bash\n\n```\n", 1 },
	{ "```\necho hi\n```\n", 0 },
	{ "```bash\nuptime\n```\n", 0 },
	/* HTML comments */
	{ "<!-- note -->\n", 1 },
	{ "<!--\nmulti\nline\n-->\n", 1 },
	{ "<!-- a --> <!-- b -->\n", 1 },
	{ "<!-- never closed\nanything at all\n", 1 },
	{ "# Title <!-- a comment -->\n", 1 },
	{ "<!-- c --> text\n", 0 },
	{ "text <!-- c -->\n", 0 },
	{ "<!--\nnote\n--> do this\n", 0 },
	{ "<!-- a -->x<!-- b -->\n", 0 },
	/* a tasks: block with nothing in it */
	{ "tasks:\n", 1 },
	{ "tasks:\n\n\n", 1 },
	{ "# Heartbeat\n\ntasks:\n", 1 },
	{ "<!-- add tasks below -->\ntasks:\n", 1 },
	{ "# Heartbeat\ntasks:\n\n- [ ]\n", 1 },
	{ "tasks:\n-\n* [x]\n", 1 },
	{ "```yaml\ntasks:\n```\n", 1 },
	/* every rule at once, with CRLF and a BOM */
	{ "# Heartbeat\n\n<!-- add\nitems -->\n## Today\n- [ ]\n* [x]\n```sh\n```\n", 1 },
	{ BOM "# Title\n", 1 },
	{ BOM "#tag\n", 0 },
	{ "# Title\r\n\r\n- [ ]\r\n", 1 },
	{ "Just text\n", 0 },
	{ "  x\n", 0 },
};

static void
check_empty(const char *what, const char *text, int empty)
{
	struct heartbeat hb;

	ROW("emptiness of %s", what);
	if (!CHECK(parse(text, DEFAULT_INTERVAL, &hb) == 0, "parse failed")) {
		ROW_END();
		return;
	}
	CHECK_INT(hb.empty, empty);
	if (empty) {
		CHECK_INT(hb.ntasks, 0);
		CHECK_INT(hb.ndiags, 0);
		CHECK_STR(hb.context, NULL);
	} else if (!hb.has_block || hb.ntasks == 0 || hb.implicit) {
		/* real content and no block, or a block without tasks: the implicit task */
		CHECK_INT(hb.implicit, 1);
		CHECK_INT(hb.ntasks, 1);
	}
	heartbeat_free(&hb);
	ROW_END();
}

static void
test_empty(void)
{
	char longer[400];

	for (size_t r = 0; r < NELEM(empty_rows); r++)
		check_empty(unit_quote(empty_rows[r].text), empty_rows[r].text,
		    empty_rows[r].empty);

	/* Long lines: a header is a header whatever its length. */
	snprintf(longer, sizeof longer, "## %0300d\n", 0);
	check_empty("a 300-character header", longer, 1);
	snprintf(longer, sizeof longer, "- [ ]%300s\n", "");
	check_empty("an empty item with 300 trailing spaces", longer, 1);
	snprintf(longer, sizeof longer, "- %0300d\n", 0);
	check_empty("a 300-character item", longer, 0);
	snprintf(longer, sizeof longer, "<!-- %0300d -->\n", 0);
	check_empty("a 300-character comment", longer, 1);
}

/* ---- names and small helpers --------------------------------------------------------- */

static const struct {
	const char *name;
	int valid;
} name_rows[] = {
	{ "a", 1 },
	{ "inbox-triage", 1 },
	{ "morning_brief.v2", 1 },
	{ "A9", 1 },
	{ "a..b", 1 },
	{ "", 0 },
	{ "inbox triage", 0 },
	{ "a/b", 0 },
	{ "_private", 0 },		/* '_' keys of the state file are hb-run's own */
	{ ".", 0 },
	{ "..", 0 },
	{ "grüße", 0 },
	{ "a:b", 0 },
	{ "a\"b", 0 },
};

static void
test_names(void)
{
	char name[TASK_NAME_MAX + 2];

	for (size_t r = 0; r < NELEM(name_rows); r++) {
		ROW("heartbeat_name_valid(%s)", unit_quote(name_rows[r].name));
		CHECK_INT(heartbeat_name_valid(name_rows[r].name), name_rows[r].valid);
		ROW_END();
	}
	memset(name, 'n', TASK_NAME_MAX);
	name[TASK_NAME_MAX] = '\0';
	ROW("heartbeat_name_valid: %d characters", TASK_NAME_MAX);
	CHECK_INT(heartbeat_name_valid(name), 1);
	ROW_END();
	name[TASK_NAME_MAX] = 'n';
	name[TASK_NAME_MAX + 1] = '\0';
	ROW("heartbeat_name_valid: %d characters", TASK_NAME_MAX + 1);
	CHECK_INT(heartbeat_name_valid(name), 0);
	ROW_END();

	ROW("task_type_name");
	CHECK_STR(task_type_name(TASK_AGENT_TURN), "agentTurn");
	CHECK_STR(task_type_name(TASK_SYSTEM_EVENT), "systemEvent");
	ROW_END();

	{
		struct heartbeat hb;

		ROW("heartbeat_find");
		if (CHECK(parse("tasks:\n- name: a\n  prompt: p\n- name: b\n  prompt: q\n",
		    DEFAULT_INTERVAL, &hb) == 0, "parse failed")) {
			CHECK(heartbeat_find(&hb, "b") == &hb.tasks[1], "b not found");
			CHECK(heartbeat_find(&hb, "c") == NULL, "c found");
			CHECK(heartbeat_find(&hb, "") == NULL, "the empty name found");
			heartbeat_free(&hb);
		}
		ROW_END();
	}
}

/* ---- files as users write them --------------------------------------------------------- */

#define WITH_LEN(s) s, sizeof s - 1

/* Patterns found in real HEARTBEAT.md files: each either works as OpenClaw runs it, or is
 * named with its line (a warning when the file still runs, an error when a task is lost). */
static const struct {
	const char *what, *text;
	size_t len;		/* 0: strlen(text) */
	const char *names;	/* the tasks, space-separated; "heartbeat" for the implicit one */
	struct exp_diag diags[3];
	int empty;
	struct exp_diag note;	/* a note for check; line 0: none */
} input_rows[] = {
	{ "a Markdown list right after the block ends it",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "- remember the milk\n"
	  "- and the bread\n",
	  0, "a", { { 0 } }, 0 },
	{ "a list at the items' indent after a blank line ends it, with a warning",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "\n"
	  "- remember the milk\n",
	  0, "a", { { 5, "'- remember the milk' is not a task", 1 } }, 0 },
	{ "an item with a task's key but no name is still an error",
	  "tasks:\n"
	  "- name: a\n"
	  "  prompt: p\n"
	  "\n"
	  "- prompt: q\n"
	  "  name: b\n",
	  0, "a", { { 5, "a task starts with '- name:'" } }, 0 },
	{ "the only tasks: block is in a yaml fence: it runs, with a note",
	  "Run the due tasks below.\n"
	  "```yaml\n"
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "```\n",
	  0, "a", { { 0 } }, 0, { 3, "the tasks: block inside a code fence is used" } },
	{ "a tasks: block in a json fence: ignored, with a warning",
	  "Example:\n"
	  "```json\n"
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "```\n",
	  0, "heartbeat", { { 3, "inside a code fence is ignored", 1 } }, 0 },
	{ "a commented-out block keeps a fenced one off",
	  "Notes\n"
	  "<!--\n"
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "-->\n"
	  "```yaml\n"
	  "tasks:\n"
	  "  - name: b\n"
	  "    prompt: q\n"
	  "```\n",
	  0, "heartbeat", { { 8, "inside a code fence is ignored", 1 } }, 0 },
	{ "a one-line commented-out block keeps a fenced one off",
	  "<!-- tasks: -->\n"
	  "```\n"
	  "tasks:\n"
	  "  - name: b\n"
	  "    prompt: q\n"
	  "```\n",
	  0, "heartbeat", { { 3, "inside a code fence is ignored", 1 } }, 0 },
	{ "a commented-out block and nothing else: still effectively empty",
	  "# Heartbeat\n"
	  "<!--\n"
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "-->\n",
	  0, "", { { 0 } }, 1 },
	{ "a tasks: block without tasks beside text: the implicit task, with a note",
	  "Check the inbox.\n"
	  "\n"
	  "tasks:\n",
	  0, "heartbeat", { { 0 } }, 0, { 3, "the tasks: block has no tasks; the whole file is "
	  "the task 'heartbeat'" } },
	{ "a tasks: block whose only item is mistyped stays an error",
	  "Check the inbox.\n"
	  "\n"
	  "tasks:\n"
	  "  - nmae: a\n"
	  "    prompt: p\n",
	  0, "", { { 4, "a task starts with '- name:'" } }, 0 },
	{ "a tasks: block with no tasks and a task after its end: the warning stays",
	  "tasks:\n"
	  "Evening:\n"
	  "  - name: b\n"
	  "    prompt: q\n",
	  0, "heartbeat", { { 3, "this task is outside the tasks: block, which line 2", 1 } }, 0,
	  { 1, "the tasks: block has no tasks" } },
	{ "YAML front matter and headers only: effectively empty",
	  "---\n"
	  "summary: a template\n"
	  "read_when:\n"
	  "  - bootstrapping\n"
	  "---\n"
	  "# HEARTBEAT.md\n"
	  "# Keep this file empty to skip heartbeats.\n",
	  0, "", { { 0 } }, 1 },
	{ "YAML front matter is not context",
	  "---\n"
	  "title: x\n"
	  "...\n"
	  "Check the inbox.\n",
	  0, "heartbeat", { { 0 } }, 0 },
	{ "a comment line in column 0 inside the block is a comment",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "# the evening one\n"
	  "  - name: b\n"
	  "    prompt: q\n",
	  0, "a b", { { 0 } }, 0 },
	{ "a header after the block still ends it",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "# Notes\n"
	  "Be brief.\n",
	  0, "a", { { 0 } }, 0 },
	{ "a no-break space before an item: an error at its line, the block goes on",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "\xc2\xa0 - name: b\n"
	  "    prompt: q\n"
	  "  - name: c\n"
	  "    prompt: r\n",
	  0, "a c", { { 4, "no-break space" } }, 0 },
	{ "a no-break space before a key: an error, its task is skipped",
	  "tasks:\n"
	  "  - name: a\n"
	  "  \xc2\xa0 prompt: p\n"
	  "  - name: b\n"
	  "    prompt: q\n",
	  0, "b", { { 3, "no-break space" } }, 0 },
	{ "a second tasks: line: its tasks join the block, with a warning",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "tasks:\n"
	  "  - name: b\n"
	  "    prompt: q\n",
	  0, "a b", { { 4, "a second 'tasks:' line (the block starts at line 1)", 1 } }, 0 },
	{ "a task after text that ended the block: a warning at the task",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "Later:\n"
	  "\n"
	  "  - name: b\n"
	  "    prompt: q\n",
	  0, "a", { { 6, "outside the tasks: block, which line 4", 1 } }, 0 },
	{ "a second block after text: a warning",
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"
	  "Evening:\n"
	  "tasks:\n"
	  "  - name: b\n"
	  "    prompt: q\n",
	  0, "a", { { 5, "a second tasks: block (the first is at line 1)", 1 } }, 0 },
	{ "a NUL byte in a task: an error at its line",
	  WITH_LEN("tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\0q\n"
	  "  - name: b\n"
	  "    prompt: q\n"), "b", { { 3, "NUL byte" } }, 0 },
	{ "a NUL byte in the context: an error at its line",
	  WITH_LEN("Be\0brief.\n"
	  "tasks:\n"
	  "  - name: a\n"
	  "    prompt: p\n"), "a", { { 1, "NUL byte" } }, 0 },
	{ "UTF-16 with a byte order mark: an error, nothing runs",
	  WITH_LEN("\xff\xfet\0a\0s\0k\0s\0:\0\n\0"), "", { { 1, "UTF-16" } }, 0 },
	{ "UTF-16 without a byte order mark",
	  WITH_LEN("t\0a\0s\0k\0s\0:\0\n\0"), "", { { 1, "UTF-16" } }, 0 },
};

static void
test_input(void)
{
	for (size_t r = 0; r < NELEM(input_rows); r++) {
		const char *text = input_rows[r].text;
		size_t len = input_rows[r].len ? input_rows[r].len : strlen(text), nd = 0;
		char names[256] = "", *buf = malloc(len);
		struct heartbeat hb;

		ROW("input: %s", input_rows[r].what);
		if (buf == NULL)
			abort();
		memcpy(buf, text, len);
		if (!CHECK(heartbeat_parse(buf, len, DEFAULT_INTERVAL, &hb) == 0, "parse failed")) {
			free(buf);
			ROW_END();
			continue;
		}
		free(buf);
		for (size_t i = 0; i < hb.ntasks; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
			    i ? " " : "", hb.tasks[i].name);
		CHECK_STR(names, input_rows[r].names);
		while (nd < NELEM(input_rows[r].diags) && input_rows[r].diags[nd].line)
			nd++;
		if (!CHECK_INT(hb.ndiags, nd))
			show_diags(&hb);
		for (size_t i = 0; i < nd && i < hb.ndiags; i++) {
			CHECK_INT(hb.diags[i].line, input_rows[r].diags[i].line);
			CHECK_HAS(hb.diags[i].msg, input_rows[r].diags[i].has);
			CHECK_INT(hb.diags[i].warn, input_rows[r].diags[i].warn);
		}
		CHECK_INT(hb.empty, input_rows[r].empty);
		CHECK_INT(hb.nnotes, input_rows[r].note.line != 0);
		if (hb.nnotes > 0 && input_rows[r].note.line != 0) {
			CHECK_INT(hb.notes[0].line, input_rows[r].note.line);
			CHECK_HAS(hb.notes[0].msg, input_rows[r].note.has);
		}
		heartbeat_free(&hb);
		ROW_END();
	}
}

/* 100,000 distinct names and then one of them again: exactly that duplicate, with the line
 * of the first, and in linear time (a pairwise check takes minutes here). */
static void
test_many_names(void)
{
	enum { N = 100000, DUP = 71234 };
	size_t cap = (size_t)N * 40 + 64, len = 0;
	char *text = malloc(cap), want[128];
	struct heartbeat hb;

	if (text == NULL)
		abort();
	len += (size_t)snprintf(text + len, cap - len, "tasks:\n");
	for (int i = 0; i < N; i++)	/* task-I is at line 2 + 2 * I */
		len += (size_t)snprintf(text + len, cap - len, "- name: task-%d\n  prompt: p\n", i);
	len += (size_t)snprintf(text + len, cap - len, "- name: task-%d\n  prompt: again\n", DUP);
	ROW("100,000 names and one duplicate");
	if (CHECK(heartbeat_parse(text, len, DEFAULT_INTERVAL, &hb) == 0, "parse failed")) {
		CHECK_INT(hb.ntasks, N);
		if (!CHECK_INT(hb.ndiags, 1) && hb.ndiags < 10)
			show_diags(&hb);
		snprintf(want, sizeof want, "duplicate task name 'task-%d' (first at line %d)", DUP,
		    2 + 2 * DUP);
		if (hb.ndiags > 0) {
			CHECK_INT(hb.diags[0].line, 2 + 2 * N);
			CHECK_STR(hb.diags[0].msg, want);
		}
		CHECK_STR(hb.tasks[DUP].name, "task-71234");
		CHECK_STR(hb.tasks[N - 1].prompt, "p");
		heartbeat_free(&hb);
	}
	ROW_END();
	free(text);
}

/* OpenClaw's "every: 0m": the task is off (never due), whatever enabled: says; not an
 * error. */
static void
test_every_zero(void)
{
	static const char *const forms[] = { "0", "0m", "00s", "0h" };
	struct heartbeat hb;
	char text[160];

	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		snprintf(text, sizeof text, "tasks:\n- name: a\n  prompt: p\n  every: %s\n  enabled: "
		    "true\n- name: b\n  prompt: q\n", forms[i]);
		ROW("every: 0 is off");
		if (CHECK(parse(text, DEFAULT_INTERVAL, &hb) == 0, "parse failed")) {
			CHECK_INT(hb.ntasks, 2);
			CHECK_INT(hb.ndiags, 0);
			CHECK_INT(hb.tasks[0].sched.kind, SCHED_INTERVAL);
			CHECK_INT(hb.tasks[0].sched.interval, 0);
			CHECK_INT(hb.tasks[0].enabled, 0);
			CHECK_INT(hb.tasks[1].enabled, 1);
			heartbeat_free(&hb);
		}
		ROW_END();
	}
	snprintf(text, sizeof text, "tasks:\n- name: a\n  prompt: p\n  every: 0x\n");
	ROW("every: 0x is still an error");
	if (CHECK(parse(text, DEFAULT_INTERVAL, &hb) == 0, "parse failed")) {
		CHECK_INT(hb.ntasks, 0);
		CHECK_INT(hb.nerrors, 1);
		heartbeat_free(&hb);
	}
	ROW_END();
}

void
test_heartbeat(void)
{
	test_every_zero();
	test_block();
	test_prompt();
	test_implicit();
	test_empty();
	test_names();
	test_input();
	test_many_names();
}
