/* output.h - what an agent printed, read in its output format: the reply, the tokens and the
 * cost it reports, the agent CLI's own session id, and a failure it reports. Pure: it reads
 * only the text it is handed. Used by runner/ and the unit tests. */
#ifndef HB_OUTPUT_H
#define HB_OUTPUT_H

#include <stddef.h>

enum output_format {
	OUTPUT_TEXT,		/* the reply as printed */
	OUTPUT_CLAUDE_JSON,	/* claude -p --output-format json: one result object */
	OUTPUT_CODEX_JSON,	/* codex exec --json: JSON Lines events */
	OUTPUT_GEMINI_JSON,	/* gemini --output-format json: one object */
	OUTPUT_OPENCODE_JSON,	/* opencode run --format json: JSON Lines events */
	OUTPUT_HB_JSON,		/* hb-run-http: one object */
};

#define OUTPUT_SESSION_MAX 128	/* an agent's own session id, with its NUL */

struct output {
	char *text;		/* the reply (malloc'd, NUL-terminated); is_error: the error */
	size_t len;
	int parsed;		/* 0: the output did not read as its format and TEXT is the raw
				 * output (WHY says what was wrong); always 1 for text */
	char why[160];
	int is_error;		/* the agent says the run failed */
	long long input_tokens;	/* -1 when the agent did not say; cached tokens included */
	long long cached_tokens;
	long long output_tokens;
	double cost_usd;	/* < 0 when the agent did not say */
	char session[OUTPUT_SESSION_MAX];	/* the CLI's own session id, or "" */
	char model[80];		/* the model that answered, when the agent says so, or "" */
	int running_totals;	/* the tokens are the session's running totals, earlier runs
				 * included (codex exec's turn.completed), not this run's */
};

/* The format named NAME ("text", "claude-json", ...). Returns 0, or -1 for an unknown name. */
int output_format_parse(const char *name, enum output_format *out);
const char *output_format_name(enum output_format f);
/* The names, for messages: "text, claude-json, ...". */
const char *output_format_names(void);

/* Reads the N bytes at S (an agent's standard output) as format F into OUT. Output that does
 * not read as F is kept whole as the text, with parsed = 0: a reply is never lost. Returns 0,
 * or -1 when memory ran out (OUT is then empty). */
int output_read(enum output_format f, const char *s, size_t n, struct output *out);
void output_free(struct output *o);

#endif
