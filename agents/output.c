/* output.c - agents' output formats, read leniently: unknown fields are ignored, text around
 * a JSON document (a CLI's warning on standard output) is skipped, a JSON Lines stream keeps
 * the events that parse; only output with nothing of its format in it falls back to text. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "agents/output.h"

static const struct {
	enum output_format f;
	const char *name;
} formats[] = {
	{ OUTPUT_TEXT, "text" },
	{ OUTPUT_CLAUDE_JSON, "claude-json" },
	{ OUTPUT_CODEX_JSON, "codex-json" },
	{ OUTPUT_GEMINI_JSON, "gemini-json" },
	{ OUTPUT_OPENCODE_JSON, "opencode-json" },
	{ OUTPUT_HB_JSON, "hb-json" },
};
#define NFORMATS (sizeof formats / sizeof formats[0])

int
output_format_parse(const char *name, enum output_format *out)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (strcmp(name, formats[i].name) == 0) {
			*out = formats[i].f;
			return 0;
		}
	return -1;
}

const char *
output_format_name(enum output_format f)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].f == f)
			return formats[i].name;
	return "?";
}

const char *
output_format_names(void)
{
	return "text, claude-json, codex-json, gemini-json, opencode-json or hb-json";
}

void
output_free(struct output *o)
{
	free(o->text);
	o->text = NULL;
	o->len = 0;
}

/* ---- small readers ------------------------------------------------------------------ */

static const cJSON *
get(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *
str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(get(o, key));
}

/* A count O.KEY: a number from 0 to 2^53, else -1. */
static long long
count(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 9007199254740992.0))
		return -1;
	return (long long)v->valuedouble;
}

/* Adds the count V (-1: none) to *ACC (-1: none so far). */
static void
add(long long *acc, long long v)
{
	if (v < 0)
		return;
	*acc = (*acc < 0 ? 0 : *acc) + v;
}

/* A cost O.KEY in USD: a number from 0 up, else -1. */
static double
cost(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 1e15))
		return -1;
	return v->valuedouble;
}

/* Replaces the text with the N bytes at S. Returns -1 when memory ran out. */
static int
set_text(struct output *out, const char *s, size_t n)
{
	char *t = malloc(n + 1);

	if (t == NULL)
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	free(out->text);
	out->text = t;
	out->len = n;
	return 0;
}

/* Appends S to the text, after SEP when the text is not empty. */
static int
append_text(struct output *out, const char *sep, const char *s)
{
	size_t sl = out->len > 0 ? strlen(sep) : 0, n = strlen(s);
	char *t = realloc(out->text, out->len + sl + n + 1);

	if (t == NULL)
		return -1;
	memcpy(t + out->len, sep, sl);
	memcpy(t + out->len + sl, s, n + 1);
	out->text = t;
	out->len += sl + n;
	return 0;
}

/* Keeps S as the session id when it looks like one: it is handed to a template, which puts it
 * on a command line, so only letters, digits and "-_.:" pass. */
static void
set_session(struct output *out, const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0')
		return;
	n = strlen(s);
	if (n >= sizeof out->session || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.:") != n)
		return;
	memcpy(out->session, s, n + 1);
}

static void
set_model(struct output *out, const char *s)
{
	if (s != NULL && strlen(s) < sizeof out->model && strcspn(s, "\n\r\t") == strlen(s))
		snprintf(out->model, sizeof out->model, "%s", s);
}

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The JSON document in S: the whole text, else the first line that starts one (a CLI may
 * print a warning before it), up to where the document ends. NULL when there is none. */
static cJSON *
parse_document(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		cJSON *doc;

		while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
			j++;
		if (j < n && (s[j] == '{' || s[j] == '[')) {
			doc = cJSON_ParseWithLength(s + j, n - j);
			if (doc == NULL)	/* text after it: parse it alone */
				doc = cJSON_ParseWithLengthOpts(s + j, n - j, NULL, 0);
			if (cJSON_IsObject(doc) || cJSON_IsArray(doc))
				return doc;
			cJSON_Delete(doc);
		}
		while (i < n && s[i] != '\n')
			i++;
		i++;
	}
	return NULL;
}

/* Calls FN for every line of S that is a JSON object; *OOM is set when FN ran out of memory. */
static void
each_line(const char *s, size_t n, int (*fn)(const cJSON *ev, struct output *out, void *st),
    struct output *out, void *st, int *oom)
{
	for (size_t i = 0; i < n;) {
		size_t e = i;
		cJSON *ev;

		while (e < n && s[e] != '\n')
			e++;
		while (i < e && isspace((unsigned char)s[i]))
			i++;
		if (i < e && s[i] == '{') {
			ev = cJSON_ParseWithLength(s + i, e - i);
			if (cJSON_IsObject(ev) && fn(ev, out, st) != 0)
				*oom = 1;
			cJSON_Delete(ev);
		}
		i = e + 1;
	}
}

/* ---- claude-json -------------------------------------------------------------------- */

/* The result object: the document itself, or (with --verbose, or a stream) the last element
 * of type "result". */
static const cJSON *
claude_result(const cJSON *doc)
{
	const cJSON *it, *last = NULL;
	const char *type = str(doc, "type");

	if (cJSON_IsObject(doc))	/* one that reads as a result */
		return get(doc, "result") != NULL || get(doc, "is_error") != NULL ||
		    (type != NULL && strcmp(type, "result") == 0) ? doc : NULL;
	cJSON_ArrayForEach(it, doc) {
		const char *t = str(it, "type");

		if (t != NULL && strcmp(t, "result") == 0)
			last = it;
	}
	return last;
}

/* Adds result object R: its reply, failure and session replace those of an earlier one (a
 * template that ran the CLI twice, a resume then a new session, printed two), its tokens and
 * cost add to theirs. */
static int
claude_fill(const cJSON *r, struct output *out)
{
	const cJSON *usage = get(r, "usage"), *models = get(r, "modelUsage");
	const char *result = str(r, "result"), *subtype = str(r, "subtype");
	double c;

	out->is_error = cJSON_IsTrue(get(r, "is_error")) ||
	    (result == NULL && subtype != NULL && strncmp(subtype, "error", 5) == 0);
	if (result == NULL && out->is_error)
		result = subtype != NULL ? subtype : "the agent reported an error";
	if (set_text(out, result ? result : "", result ? strlen(result) : 0) != 0)
		return -1;
	set_session(out, str(r, "session_id"));
	c = cost(r, "total_cost_usd");
	if (c < 0)
		c = cost(r, "cost_usd");	/* older releases */
	if (c >= 0)
		out->cost_usd = (out->cost_usd < 0 ? 0 : out->cost_usd) + c;
	/* Claude counts cache reads and writes apart from input_tokens: all were read. */
	add(&out->input_tokens, count(usage, "input_tokens"));
	add(&out->input_tokens, count(usage, "cache_creation_input_tokens"));
	add(&out->input_tokens, count(usage, "cache_read_input_tokens"));
	add(&out->cached_tokens, count(usage, "cache_read_input_tokens"));
	add(&out->output_tokens, count(usage, "output_tokens"));
	if (cJSON_IsObject(models) && models->child != NULL && models->child->next == NULL)
		set_model(out, models->child->string);
	return 0;
}

/* Every JSON document in S that starts a line: one object (--output-format json), an array
 * of messages (with --verbose), or one event a line (stream-json); the results count. */
static int
read_claude(const char *s, size_t n, struct output *out)
{
	int seen = 0;

	for (size_t i = 0; i < n;) {
		const char *end = NULL;
		const cJSON *r;
		cJSON *doc = NULL;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i < n && (s[i] == '{' || s[i] == '['))
			doc = cJSON_ParseWithLengthOpts(s + i, n - i, &end, 0);
		if (doc == NULL) {	/* not JSON: on to the next line */
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		if ((r = claude_result(doc)) != NULL) {
			seen = 1;
			if (claude_fill(r, out) != 0) {
				cJSON_Delete(doc);
				return -1;
			}
		}
		cJSON_Delete(doc);
		i = end != NULL && end > s + i ? (size_t)(end - s) : i + 1;
	}
	if (!seen)
		snprintf(out->why, sizeof out->why, "no JSON result object in it");
	return 0;
}

/* ---- codex-json --------------------------------------------------------------------- */

struct codex_state {
	int known;		/* an event of codex's was seen */
	int replied;		/* an agent message was seen */
	int failed;		/* turn.failed */
	char error[512];	/* the last error said */
};

static int
codex_event(const cJSON *ev, struct output *out, void *arg)
{
	struct codex_state *cs = arg;
	const char *type = str(ev, "type"), *msg;
	const cJSON *item = get(ev, "item"), *usage = get(ev, "usage"), *old = get(ev, "msg");

	if (type == NULL && cJSON_IsObject(old)) {
		/* the releases before the thread events: {"id":..., "msg": {"type": ...}} */
		type = str(old, "type");
		cs->known |= type != NULL;
		if (type != NULL && strcmp(type, "agent_message") == 0 &&
		    (msg = str(old, "message")) != NULL) {
			cs->replied = 1;
			return set_text(out, msg, strlen(msg));
		}
		if (type != NULL && strcmp(type, "session_configured") == 0)
			set_session(out, str(old, "session_id"));
		if (type != NULL && strcmp(type, "error") == 0 && (msg = str(old, "message")))
			snprintf(cs->error, sizeof cs->error, "%s", msg);
		return 0;
	}
	if (type == NULL)
		return 0;
	cs->known = 1;
	if (strcmp(type, "thread.started") == 0) {
		set_session(out, str(ev, "thread_id"));
	} else if (strcmp(type, "item.completed") == 0) {
		const char *it = str(item, "type");

		if (it == NULL)
			it = str(item, "item_type");
		msg = str(item, "text");
		if (it != NULL && msg != NULL && (strcmp(it, "agent_message") == 0 ||
		    strcmp(it, "assistant_message") == 0)) {
			cs->replied = 1;
			return set_text(out, msg, strlen(msg));	/* the last one is the reply */
		}
	} else if (strcmp(type, "turn.completed") == 0) {
		out->running_totals = 1;
		add(&out->input_tokens, count(usage, "input_tokens"));
		add(&out->cached_tokens, count(usage, "cached_input_tokens"));
		add(&out->output_tokens, count(usage, "output_tokens"));
	} else if (strcmp(type, "turn.failed") == 0) {
		cs->failed = 1;
		msg = str(get(ev, "error"), "message");
		snprintf(cs->error, sizeof cs->error, "%s", msg ? msg : "the turn failed");
	} else if (strcmp(type, "error") == 0 && (msg = str(ev, "message")) != NULL) {
		snprintf(cs->error, sizeof cs->error, "%s", msg);
	}
	return 0;
}

static int
read_codex(const char *s, size_t n, struct output *out)
{
	struct codex_state cs = { 0 };
	int oom = 0;

	each_line(s, n, codex_event, out, &cs, &oom);
	if (oom)
		return -1;
	if (!cs.known) {
		snprintf(out->why, sizeof out->why, "no JSON event in it");
		return 0;
	}
	/* An error with no reply, or a failed turn, is the run's failure. */
	if (cs.failed || (!cs.replied && cs.error[0] != '\0')) {
		out->is_error = 1;
		return set_text(out, cs.error, strlen(cs.error));
	}
	if (out->text == NULL)
		return set_text(out, "", 0);
	return 0;
}

/* ---- gemini-json -------------------------------------------------------------------- */

static int
read_gemini(const char *s, size_t n, struct output *out)
{
	cJSON *doc = parse_document(s, n);
	const cJSON *models, *m, *err;
	const char *resp, *msg;
	int nmodels = 0, ret;

	if (!cJSON_IsObject(doc) || (get(doc, "response") == NULL && get(doc, "error") == NULL)) {
		cJSON_Delete(doc);
		snprintf(out->why, sizeof out->why, "no JSON object with a response in it");
		return 0;
	}
	models = get(get(doc, "stats"), "models");
	if (!cJSON_IsObject(models))
		models = NULL;
	cJSON_ArrayForEach(m, models) {
		const cJSON *t = get(m, "tokens");

		add(&out->input_tokens, count(t, "prompt"));
		add(&out->cached_tokens, count(t, "cached"));
		add(&out->output_tokens, count(t, "candidates"));
		add(&out->output_tokens, count(t, "thoughts"));	/* billed as output */
		if (nmodels++ == 0)
			set_model(out, m->string);
		else
			out->model[0] = '\0';	/* several: none is "the" model */
	}
	set_session(out, str(doc, "session_id"));
	if (out->session[0] == '\0')
		set_session(out, str(doc, "sessionId"));
	err = get(doc, "error");
	resp = str(doc, "response");
	if (cJSON_IsObject(err) || cJSON_IsString(err)) {
		msg = cJSON_IsString(err) ? err->valuestring : str(err, "message");
		out->is_error = 1;
		resp = msg ? msg : "the agent reported an error";
	}
	ret = set_text(out, resp ? resp : "", resp ? strlen(resp) : 0);
	cJSON_Delete(doc);
	return ret;
}

/* ---- opencode-json ------------------------------------------------------------------ */

struct opencode_state {
	int known;		/* an event of opencode's was seen */
	int new_step;		/* a step began since the last text */
	int replied;
	char error[512];
};

static int
opencode_event(const cJSON *ev, struct output *out, void *arg)
{
	struct opencode_state *os = arg;
	const char *type = str(ev, "type"), *text;
	const cJSON *part = get(ev, "part"), *tokens, *err;
	double c;

	if (type == NULL)
		return 0;
	os->known = 1;
	if (out->session[0] == '\0')
		set_session(out, str(ev, "sessionID"));
	if (strcmp(type, "step_start") == 0) {
		os->new_step = 1;
	} else if (strcmp(type, "text") == 0 && (text = str(part, "text")) != NULL) {
		/* The reply is the text of the last step that said something; the text of
		 * earlier steps led up to tool calls. */
		if (os->new_step && out->text != NULL) {
			free(out->text);
			out->text = NULL;
			out->len = 0;
		}
		os->new_step = 0;
		os->replied = 1;
		return append_text(out, "\n", text);
	} else if (strcmp(type, "step_finish") == 0) {
		tokens = get(part, "tokens");
		add(&out->input_tokens, count(tokens, "input"));
		add(&out->input_tokens, count(get(tokens, "cache"), "read"));
		add(&out->input_tokens, count(get(tokens, "cache"), "write"));
		add(&out->cached_tokens, count(get(tokens, "cache"), "read"));
		add(&out->output_tokens, count(tokens, "output"));
		add(&out->output_tokens, count(tokens, "reasoning"));
		if ((c = cost(part, "cost")) >= 0)
			out->cost_usd = (out->cost_usd < 0 ? 0 : out->cost_usd) + c;
	} else if (strcmp(type, "error") == 0) {
		err = get(ev, "error");
		text = str(get(err, "data"), "message");
		if (text == NULL)
			text = str(err, "message");
		if (text == NULL)
			text = str(err, "name");
		snprintf(os->error, sizeof os->error, "%s", text ? text : "the agent reported "
		    "an error");
	}
	return 0;
}

static int
read_opencode(const char *s, size_t n, struct output *out)
{
	struct opencode_state os = { 0 };
	int oom = 0;

	each_line(s, n, opencode_event, out, &os, &oom);
	if (oom)
		return -1;
	if (!os.known) {
		snprintf(out->why, sizeof out->why, "no JSON event in it");
		return 0;
	}
	if (!os.replied && os.error[0] != '\0') {
		out->is_error = 1;
		return set_text(out, os.error, strlen(os.error));
	}
	if (out->text == NULL)
		return set_text(out, "", 0);
	return 0;
}

/* ---- hb-json (hb-run-http) ---------------------------------------------------------- */

static int
read_hb(const char *s, size_t n, struct output *out)
{
	cJSON *doc = parse_document(s, n);
	const cJSON *usage = get(doc, "usage");
	const char *result = str(doc, "result");
	int ret;

	if (!cJSON_IsObject(doc) || result == NULL) {
		cJSON_Delete(doc);
		snprintf(out->why, sizeof out->why, "no JSON object with a result in it");
		return 0;
	}
	add(&out->input_tokens, count(usage, "input_tokens"));
	add(&out->output_tokens, count(usage, "output_tokens"));
	add(&out->cached_tokens, count(usage, "cached_input_tokens"));
	out->cost_usd = cost(doc, "cost_usd");
	set_model(out, str(doc, "model"));
	set_session(out, str(doc, "session_id"));
	ret = set_text(out, result, strlen(result));
	cJSON_Delete(doc);
	return ret;
}

int
output_read(enum output_format f, const char *s, size_t n, struct output *out)
{
	int r = 0;

	memset(out, 0, sizeof *out);
	out->input_tokens = out->cached_tokens = out->output_tokens = -1;
	out->cost_usd = -1;
	out->parsed = 1;
	if (s == NULL)
		s = "", n = 0;
	/* No output at all is an empty reply in every format, not a broken one. */
	if (f != OUTPUT_TEXT && !blank(s, n)) {
		switch (f) {
		case OUTPUT_CLAUDE_JSON:
			r = read_claude(s, n, out);
			break;
		case OUTPUT_CODEX_JSON:
			r = read_codex(s, n, out);
			break;
		case OUTPUT_GEMINI_JSON:
			r = read_gemini(s, n, out);
			break;
		case OUTPUT_OPENCODE_JSON:
			r = read_opencode(s, n, out);
			break;
		case OUTPUT_HB_JSON:
			r = read_hb(s, n, out);
			break;
		case OUTPUT_TEXT:
			break;
		}
		if (r != 0) {
			output_free(out);
			return -1;
		}
		if (out->why[0] == '\0' && out->text != NULL)
			return 0;
		/* Nothing of the format in it: the whole output is the reply, as text. */
		output_free(out);
		out->parsed = 0;
		out->is_error = 0;
		out->input_tokens = out->cached_tokens = out->output_tokens = -1;
		out->cost_usd = -1;
		out->session[0] = out->model[0] = '\0';
		if (out->why[0] == '\0')
			snprintf(out->why, sizeof out->why, "nothing of the format in it");
	}
	return set_text(out, s, n) == 0 ? 0 : (output_free(out), -1);
}
