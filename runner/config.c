/* config.c - configuration: a table of keys, each with its kind and limits, fed from the
 * file (through inih), the environment and the command line, in that order; a second table
 * for the keys of an [agent.NAME] section, and the built-in agents. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "agents/output.h"
#include "delivery/ping.h"
#include "delivery/target.h"
#include "tasks/budget.h"
#include "tasks/hours.h"
#include "runner/config.h"
#include "runner/zone.h"
#include "state/fileio.h"
#include "tasks/duration.h"
#include "tasks/heartbeat.h"

enum kind {
	KIND_STR,		/* any text, may be empty */
	KIND_PATH,		/* non-empty text */
	KIND_DURATION,		/* duration, > 0 */
	KIND_DURATION0,		/* duration, or 0 */
	KIND_COUNT,		/* integer within [min, max] */
	KIND_ZONE,		/* an IANA time zone name, or empty: the system's */
	KIND_FORMAT,		/* an output format name */
	KIND_API,		/* openai or anthropic */
	KIND_URL,		/* http:// or https:// and a host */
	KIND_ENVNAME,		/* the name of an environment variable, or empty */
	KIND_PRICE,		/* a decimal number from 0 up (a double) */
	KIND_REAL,		/* a decimal number within [min, max] kept as written, or empty */
	KIND_URL0,		/* as KIND_URL, or empty */
	KIND_TARGETS,		/* a notify list: every target parses (delivery/target.h) */
	KIND_HOURS,		/* HH:MM-HH:MM (tasks/hours.h), or empty */
	KIND_PING,		/* a ping URL (delivery/ping.h), or empty */
	KIND_BOOL,		/* true or false (yes/no, on/off), into an int */
	KIND_TOKENS,		/* a token count (tasks/budget.h), or empty: -1 */
	KIND_COST,		/* a cost in USD (tasks/budget.h), or empty: -1 */
};

/* The kinds whose field is a string (freed by config_free). */
#define KIND_IS_STR(k) ((k) == KIND_STR || (k) == KIND_PATH || (k) == KIND_ZONE || \
    (k) == KIND_FORMAT || (k) == KIND_API || (k) == KIND_URL || (k) == KIND_ENVNAME || \
    (k) == KIND_REAL || (k) == KIND_URL0 || (k) == KIND_TARGETS || (k) == KIND_HOURS || \
    (k) == KIND_PING)

static const struct key {
	const char *section, *name;
	enum kind kind;
	size_t off;
	long long min, max;
	const char *dflt;
} keys[] = {
	{ "runner", "tasks", KIND_PATH, offsetof(struct config, tasks), 0, 0, "HEARTBEAT.md" },
	{ "runner", "state", KIND_PATH, offsetof(struct config, state), 0, 0,
	  ".heartbeat-state.json" },
	{ "runner", "log", KIND_PATH, offsetof(struct config, log), 0, 0,
	  ".heartbeat-log.jsonl" },
	{ "runner", "default_interval", KIND_DURATION, offsetof(struct config, default_interval),
	  0, 0, "30m" },
	{ "runner", "timeout", KIND_DURATION, offsetof(struct config, timeout), 0, 0, "10m" },
	{ "runner", "ack_max_chars", KIND_COUNT, offsetof(struct config, ack_max_chars), 0,
	  1000000, "300" },
	{ "runner", "catchup_max", KIND_COUNT, offsetof(struct config, catchup_max), 0, 1000,
	  "5" },
	{ "runner", "catchup_stagger", KIND_DURATION0, offsetof(struct config, catchup_stagger),
	  0, 0, "5s" },
	{ "runner", "max_concurrent", KIND_COUNT, offsetof(struct config, max_concurrent), 1, 64,
	  "1" },
	{ "runner", "timezone", KIND_ZONE, offsetof(struct config, timezone), 0, 0, "" },
	{ "runner", "http_helper", KIND_STR, offsetof(struct config, http_helper), 0, 0, "" },
	{ "runner", "batch", KIND_BOOL, offsetof(struct config, batch), 0, 0, "false" },
	{ "runner", "jitter", KIND_DURATION0, offsetof(struct config, jitter), 0, 0, "0" },
	{ "runner", "enabled", KIND_BOOL, offsetof(struct config, enabled), 0, 0, "true" },
	{ "runner", "check_timeout", KIND_DURATION, offsetof(struct config, check_timeout), 0, 0,
	  "60s" },
	{ "runner", "defer_load", KIND_REAL, offsetof(struct config, defer_load), 0, 1000, "" },
	{ "runner", "nice", KIND_COUNT, offsetof(struct config, nice), 0, 19, "0" },
	{ "triage", "agent", KIND_STR, offsetof(struct config, triage_agent), 0, 0, "" },
	{ "agent", "default", KIND_STR, offsetof(struct config, default_agent), 0, 0, "" },
	{ "agent", "agent_turn", KIND_PATH, offsetof(struct config, agent_turn), 0, 0,
	  "claude/agent-turn.sh" },
	{ "agent", "system_event", KIND_PATH, offsetof(struct config, system_event), 0, 0,
	  "claude/system-event.sh" },
	{ "agent", "model", KIND_STR, offsetof(struct config, model), 0, 0, "" },
	{ "delivery", "notify", KIND_TARGETS, offsetof(struct config, notify), 0, 0, "stdout" },
	{ "delivery", "timeout", KIND_DURATION, offsetof(struct config, delivery_timeout), 0, 0,
	  "15s" },
	{ "delivery", "telegram_api", KIND_URL0, offsetof(struct config, telegram_api), 0, 0,
	  "" },
	{ "delivery", "quiet_hours", KIND_HOURS, offsetof(struct config, quiet_hours), 0, 0, "" },
	{ "delivery", "quiet_tz", KIND_ZONE, offsetof(struct config, quiet_tz), 0, 0, "" },
	{ "delivery", "ping", KIND_PING, offsetof(struct config, ping), 0, 0, "" },
	{ "budget", "daily_tokens", KIND_TOKENS, offsetof(struct config, daily_tokens), 0, 0,
	  "" },
	{ "budget", "daily_cost", KIND_COST, offsetof(struct config, daily_cost), 0, 0, "" },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* The keys of an [agent.NAME] section; a NULL default leaves the field unset. In place of
 * a section, each names the agents it applies to: "command", "http" or "both". */
static const struct key agent_keys[] = {
	{ "command", "agent_turn", KIND_PATH, offsetof(struct agent, agent_turn), 0, 0, NULL },
	{ "command", "system_event", KIND_PATH, offsetof(struct agent, system_event), 0, 0,
	  NULL },
	{ "command", "output", KIND_FORMAT, offsetof(struct agent, output), 0, 0, NULL },
	{ "both", "model", KIND_STR, offsetof(struct agent, model), 0, 0, NULL },
	{ "http", "api", KIND_API, offsetof(struct agent, api), 0, 0, NULL },
	{ "http", "url", KIND_URL, offsetof(struct agent, url), 0, 0, NULL },
	{ "http", "key_env", KIND_ENVNAME, offsetof(struct agent, key_env), 0, 0, "" },
	{ "http", "key_file", KIND_STR, offsetof(struct agent, key_file), 0, 0, "" },
	{ "http", "ca_file", KIND_STR, offsetof(struct agent, ca_file), 0, 0, "" },
	{ "http", "system_prompt", KIND_STR, offsetof(struct agent, system_prompt), 0, 0, "" },
	{ "http", "max_tokens", KIND_COUNT, offsetof(struct agent, max_tokens), 1, 10000000,
	  "1024" },
	{ "http", "temperature", KIND_REAL, offsetof(struct agent, temperature), 0, 2, "" },
	{ "http", "stall_timeout", KIND_DURATION, offsetof(struct agent, stall_timeout), 0, 0,
	  "60s" },
	{ "both", "price_in", KIND_PRICE, offsetof(struct agent, price_in), 0, 0, "0" },
	{ "both", "price_out", KIND_PRICE, offsetof(struct agent, price_out), 0, 0, "0" },
};
#define NAGENT_KEYS (sizeof agent_keys / sizeof agent_keys[0])
_Static_assert(NAGENT_KEYS <= AGENT_KEYS_MAX, "struct agent's key_line is too short");

/* The agents hb-run knows without a section: the shipped templates of each CLI. */
static const struct builtin {
	const char *name, *agent_turn, *system_event;
	enum output_format output;
} builtins[] = {
	{ "claude", "claude/agent-turn.sh", "claude/system-event.sh", OUTPUT_CLAUDE_JSON },
	{ "codex", "codex/agent-turn.sh", "codex/system-event.sh", OUTPUT_CODEX_JSON },
	{ "gemini", "gemini/agent-turn.sh", "gemini/system-event.sh", OUTPUT_GEMINI_JSON },
	{ "opencode", "opencode/agent-turn.sh", "opencode/system-event.sh", OUTPUT_OPENCODE_JSON },
	{ "demo", "demo/agent.sh", "demo/agent.sh", OUTPUT_TEXT },
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

/* The built-in agents as agents, made once (they never change). */
static struct agent builtin_agents[NBUILTINS];

static const struct agent *
builtin_agent(const char *name)
{
	for (size_t i = 0; i < NBUILTINS; i++) {
		struct agent *a = &builtin_agents[i];

		if (strcmp(builtins[i].name, name) != 0)
			continue;
		if (a->name == NULL) {
			/* string literals, never freed nor written */
			a->name = (char *)builtins[i].name;
			a->agent_turn = (char *)builtins[i].agent_turn;
			a->system_event = (char *)builtins[i].system_event;
			a->builtin = 1;
			a->max_tokens = 1024;
			a->stall_timeout = 60;
		}
		return a;
	}
	return NULL;
}

const char *
config_builtin_names(void)
{
	return "claude, codex, gemini, opencode, demo";
}

static void
add_error(struct config *c, const char *fmt, ...)
{
	char buf[1024], **e, *copy;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	copy = strdup(buf);
	e = realloc(c->errors, (c->nerrors + 1) * sizeof *e);
	if (copy == NULL || e == NULL) {
		free(copy);
		if (e != NULL)
			c->errors = e;
		c->nlost++;	/* out of memory: the text is lost, the problem is not */
		return;
	}
	c->errors = e;
	c->errors[c->nerrors++] = copy;
}

/* Is S (LEN bytes) a URL hb-run-http can take: http:// or https://, a host, no spaces? */
static const char *
url_problem(const char *s, size_t len)
{
	size_t skip;

	if (len >= 7 && strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else if (len >= 8 && strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else
		return "expected http:// or https:// and a host";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return "a URL has no spaces or control characters";
	if (skip == len || s[skip] == '/' || s[skip] == ':' || s[skip] == '?' || s[skip] == '#')
		return "no host in it";
	if (memchr(s + skip, '@', strcspn(s + skip, "/?#")) != NULL)
		return "no user or password in the URL: name the key with key_env or key_file";
	return NULL;
}

/* Sets key K of the struct at BASE (the config, or an agent of section SECTION) from VALUE;
 * WHERE names the source in messages. Returns 0 or -1. */
static int
set_key(struct config *c, void *base, const char *section, const struct key *k,
    const char *value, const char *where)
{
	void *field = (char *)base + k->off;
	const char *why = NULL;
	char *copy, *end;
	long long n;
	double d;
	size_t len = strlen(value), zeros;
	enum output_format f;

	/* One pair of surrounding quotes is stripped, as in HEARTBEAT.md. */
	if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0]) {
		value++;
		len -= 2;
	}
	switch (k->kind) {
	case KIND_ZONE:
		if (len > 0) {
			char zerr[512], name[256];

			snprintf(name, sizeof name, "%.*s", (int)len, value);
			if (zone_get(name, zerr, sizeof zerr) == NULL) {
				add_error(c, "%s: bad %s.%s: %s", where, section, k->name, zerr);
				return -1;
			}
		}
		goto string;
	case KIND_FORMAT:
		copy = strndup(value, len);
		if (copy == NULL || output_format_parse(copy, &f) != 0) {
			add_error(c, "%s: bad %s.%s '%s': use %s", where, section, k->name,
			    copy ? copy : "", output_format_names());
			free(copy);
			return -1;
		}
		free(copy);
		goto string;
	case KIND_API:
		if (!(len == 6 && strncmp(value, "openai", 6) == 0) &&
		    !(len == 9 && strncmp(value, "anthropic", 9) == 0)) {
			add_error(c, "%s: bad %s.%s '%.*s': use openai (any OpenAI-compatible server) "
			    "or anthropic", where, section, k->name, (int)len, value);
			return -1;
		}
		goto string;
	case KIND_TARGETS: {
		char **list = NULL, terr[256], shown[300];
		size_t nt = 0;
		int bad = 0;

		copy = strndup(value, len);
		if (copy == NULL)
			return -1;
		if (target_list_split(copy, &list, &nt, terr, sizeof terr) != 0) {
			add_error(c, "%s: bad %s.%s: %s", where, section, k->name, terr);
			bad = 1;
		}
		for (size_t i = 0; i < nt; i++) {
			struct target tg;

			if (target_parse(list[i], &tg, terr, sizeof terr) != 0) {
				add_error(c, "%s: bad %s.%s target '%s': %s", where, section, k->name,
				    target_redact(list[i], shown, sizeof shown), terr);
				bad = 1;
			}
			target_free(&tg);
		}
		target_list_free(list, nt);
		free(copy);
		if (bad)
			return -1;
		goto string;
	}
	case KIND_HOURS:
	case KIND_PING: {
		char herr[256];
		struct hours h;
		enum ping_kind pk;
		const char *pu;
		int bad;

		if (len == 0)
			goto string;
		if ((copy = strndup(value, len)) == NULL)
			return -1;
		bad = k->kind == KIND_HOURS ? hours_parse(copy, &h, herr, sizeof herr) :
		    ping_parse(copy, &pk, &pu, herr, sizeof herr);
		free(copy);
		if (bad != 0) {	/* a ping's error does not quote its URL: it holds a key */
			add_error(c, "%s: bad %s.%s: %s", where, section, k->name, herr);
			return -1;
		}
		goto string;
	}
	case KIND_URL0:
		if (len == 0)
			goto string;
		/* FALLTHROUGH */
	case KIND_URL:
		if ((why = url_problem(value, len)) != NULL) {
			add_error(c, "%s: bad %s.%s '%.*s': %s", where, section, k->name, (int)len,
			    value, why);
			return -1;
		}
		goto string;
	case KIND_ENVNAME:
		if (len > 0 && (strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_") < len || (value[0] >= '0' && value[0] <= '9'))) {
			add_error(c, "%s: bad %s.%s '%.*s': the name of an environment variable "
			    "(letters, digits, '_'), not its value", where, section, k->name,
			    (int)len, value);
			return -1;
		}
		goto string;
	case KIND_REAL:
		copy = strndup(value, len);
		if (copy == NULL)
			return -1;
		errno = 0;
		d = strtod(copy, &end);
		if (len > 0 && (errno != 0 || end == copy || *end != '\0' ||
		    !(d >= (double)k->min && d <= (double)k->max))) {
			add_error(c, "%s: bad %s.%s '%s': expected a number from %lld to %lld, or "
			    "nothing", where, section, k->name, copy, k->min, k->max);
			free(copy);
			return -1;
		}
		free(copy);
		goto string;
	case KIND_PRICE:
		copy = strndup(value, len);
		if (copy == NULL)
			return -1;
		errno = 0;
		d = strtod(copy, &end);
		if (errno != 0 || end == copy || *end != '\0' || !(d >= 0 && d < 1e9)) {
			add_error(c, "%s: bad %s.%s '%s': expected a price in USD per million "
			    "tokens, as in 3 or 0.25", where, section, k->name, copy);
			free(copy);
			return -1;
		}
		free(copy);
		*(double *)field = d;
		return 0;
	case KIND_PATH:
		if (len == 0) {
			add_error(c, "%s: %s.%s must not be empty", where, section, k->name);
			return -1;
		}
		/* FALLTHROUGH */
	case KIND_STR:
	string:
		copy = strndup(value, len);
		if (copy == NULL) {
			add_error(c, "%s: out of memory", where);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = copy;
		if (base == (void *)c && k->off == offsetof(struct config, default_agent))
			snprintf(c->default_where, sizeof c->default_where, "%s", where);
		if (base == (void *)c && k->off == offsetof(struct config, triage_agent))
			snprintf(c->triage_where, sizeof c->triage_where, "%s", where);
		return 0;
	case KIND_DURATION:
	case KIND_DURATION0:
		copy = strndup(value, len);
		if (copy == NULL)
			return -1;
		zeros = strspn(copy, "0");
		if (k->kind == KIND_DURATION0 && zeros > 0 && (copy[zeros] == '\0' ||
		    (strchr("smhdw", copy[zeros]) != NULL && copy[zeros + 1] == '\0'))) {
			n = 0;	/* "0", "0s": no stagger */
		} else if (duration_parse(copy, &n, &why) != 0) {
			add_error(c, "%s: bad %s.%s '%s': %s", where, section, k->name, copy,
			    why);
			free(copy);
			return -1;
		}
		free(copy);
		*(long long *)field = n;
		return 0;
	case KIND_BOOL:
		copy = strndup(value, len);
		if (copy == NULL)
			return -1;
		if (strcasecmp(copy, "true") == 0 || strcasecmp(copy, "yes") == 0 ||
		    strcasecmp(copy, "on") == 0 || strcmp(copy, "1") == 0) {
			*(int *)field = 1;
		} else if (strcasecmp(copy, "false") == 0 || strcasecmp(copy, "no") == 0 ||
		    strcasecmp(copy, "off") == 0 || strcmp(copy, "0") == 0) {
			*(int *)field = 0;
		} else {
			add_error(c, "%s: bad %s.%s '%s': use true or false (or yes/no, on/off)",
			    where, section, k->name, copy);
			free(copy);
			return -1;
		}
		free(copy);
		return 0;
	case KIND_TOKENS:
	case KIND_COST: {
		char berr[200];
		int bad;

		if (len == 0) {
			if (k->kind == KIND_TOKENS)
				*(long long *)field = -1;
			else
				*(double *)field = -1;
			return 0;
		}
		if ((copy = strndup(value, len)) == NULL)
			return -1;
		bad = k->kind == KIND_TOKENS ? budget_parse_tokens(copy, &n, berr, sizeof berr) :
		    budget_parse_cost(copy, &d, berr, sizeof berr);
		if (bad != 0) {
			add_error(c, "%s: bad %s.%s '%s': %s", where, section, k->name, copy, berr);
			free(copy);
			return -1;
		}
		free(copy);
		if (k->kind == KIND_TOKENS)
			*(long long *)field = n;
		else
			*(double *)field = d;
		return 0;
	}
	case KIND_COUNT:
		copy = strndup(value, len);
		if (copy == NULL)
			return -1;
		errno = 0;
		n = strtoll(copy, &end, 10);
		if (errno != 0 || end == copy || *end != '\0' || n < k->min || n > k->max) {
			add_error(c, "%s: bad %s.%s '%s': expected a whole number from %lld to %lld",
			    where, section, k->name, copy, k->min, k->max);
			free(copy);
			return -1;
		}
		free(copy);
		*(long long *)field = n;
		return 0;
	}
	return -1;
}

static const struct key *
find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static const struct key *
find_agent_key(const char *name)
{
	for (size_t i = 0; i < NAGENT_KEYS; i++)
		if (strcmp(agent_keys[i].name, name) == 0)
			return &agent_keys[i];
	return NULL;
}

int
config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NKEYS; i++)
		if (set_key(c, c, keys[i].section, &keys[i], keys[i].dflt, "default") != 0)
			return -1;
	c->default_where[0] = '\0';
	c->triage_where[0] = '\0';
	return 0;
}

static void
agent_free(struct agent *a)
{
	for (size_t i = 0; i < NAGENT_KEYS; i++)
		if (KIND_IS_STR(agent_keys[i].kind))
			free(*(char **)((char *)a + agent_keys[i].off));
	free(a->name);
	memset(a, 0, sizeof *a);
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (KIND_IS_STR(keys[i].kind))
			free(*(char **)((char *)c + keys[i].off));
	for (size_t i = 0; i < c->nagents; i++)
		agent_free(&c->agents[i]);
	free(c->agents);
	for (size_t i = 0; i < c->nerrors; i++)
		free(c->errors[i]);
	free(c->errors);
	free(c->file);
	memset(c, 0, sizeof *c);	/* the flat agent's strings are the config's */
}

/* The section agent NAME, or NULL. */
static struct agent *
find_agent(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nagents; i++)
		if (strcmp(c->agents[i].name, name) == 0)
			return &c->agents[i];
	return NULL;
}

/* The agent of section [agent.NAME], made when it is first seen at LINE (0: from -o).
 * Returns NULL, said with WHERE, for a bad name or when memory ran out. */
static struct agent *
section_agent(struct config *c, const char *name, int line, const char *where)
{
	struct agent *a = find_agent(c, name), *more;

	if (a != NULL)
		return a;
	if (!heartbeat_name_valid(name)) {
		add_error(c, "%s: bad agent name [agent.%s]: use letters, digits, '-', '_' and '.', "
		    "at most %d, not starting with '_'", where, name, TASK_NAME_MAX);
		return NULL;
	}
	if (strcmp(name, AGENT_FLAT) == 0) {
		add_error(c, "%s: [agent.%s]: the name '%s' means the default agent; the keys of "
		    "[agent] describe it when [agent] default is not set", where, name,
		    AGENT_FLAT);
		return NULL;
	}
	more = realloc(c->agents, (c->nagents + 1) * sizeof *more);
	if (more == NULL) {
		add_error(c, "%s: out of memory", where);
		return NULL;
	}
	c->agents = more;
	a = &c->agents[c->nagents];
	memset(a, 0, sizeof *a);
	a->name = strdup(name);
	if (a->name == NULL) {
		add_error(c, "%s: out of memory", where);
		return NULL;
	}
	a->line = line;
	c->nagents++;
	for (size_t i = 0; i < NAGENT_KEYS; i++)
		if (agent_keys[i].dflt != NULL)
			set_key(c, a, "agent", &agent_keys[i], agent_keys[i].dflt, "default");
	return a;
}

/* Sets key NAME of agent NAME (section SECTION) to VALUE; LINE: its line, -1 for -o. */
static void
set_agent_key(struct config *c, struct agent *a, const char *section, const char *name,
    const char *value, int line, const char *where)
{
	const struct key *k = find_agent_key(name);

	if (k == NULL) {
		add_error(c, "%s: unknown key '%s' in [%s]", where, name, section);
		a->bad = 1;
		return;
	}
	if (set_key(c, a, section, k, value, where) != 0) {
		a->bad = 1;
		return;
	}
	a->key_line[k - agent_keys] = line;
	if (k->kind == KIND_PRICE)
		a->has_price = 1;
}

/* inih reads through this: it counts lines so that the handler knows where it is, and it
 * checks each line's syntax itself, so that every bad line is reported (inih names only the
 * first), a long line is an error rather than two lines, and no indented line can become a
 * continuation of the key above it. inih sees only lines that are fine. */
struct reader {
	FILE *f;
	const char *file;
	int line;
	int section_line;	/* the line of the last [section] header */
	struct config *c;
	char *buf;
	size_t cap;
};

static char *
reader_gets(char *out, int size, void *arg)
{
	struct reader *r = arg;
	ssize_t n = getline(&r->buf, &r->cap, r->f);
	char *s;
	const char *bad = NULL;

	if (n < 0)
		return NULL;
	r->line++;
	s = r->buf;
	if (r->line == 1 && n >= 2 && (memcmp(s, "\xff\xfe", 2) == 0 ||
	    memcmp(s, "\xfe\xff", 2) == 0 || s[0] == '\0' || s[1] == '\0')) {
		add_error(r->c, "%s:1: the file is UTF-16 (or binary); save it as UTF-8", r->file);
		return NULL;	/* nothing in it would read as meant */
	}
	if (memchr(s, '\0', (size_t)n) != NULL) {
		add_error(r->c, "%s:%d: NUL byte in the line (is this a text file?)", r->file,
		    r->line);
		s[0] = '\0';	/* inih gets a blank line instead */
		n = 0;
	}
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		s[--n] = '\0';
	while (*s == ' ' || *s == '\t')
		s++, n--;
	if (r->line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3, n -= 3;		/* a UTF-8 byte order mark */
	if (n == 0 || *s == ';' || *s == '#')
		n = 0;			/* blank or a comment, whatever its length */
	else if (*s == '[' && strchr(s, ']') == NULL)
		bad = "expected ']' to close the section name";
	else if (*s != '[' && (strcspn(s, "=:") == 0 || s[strcspn(s, "=:")] == '\0'))
		bad = "expected 'key = value' or '[section]'";
	else if (n + 2 > (ssize_t)size)
		bad = "line too long";
	if (bad != NULL) {
		add_error(r->c, "%s:%d: syntax error: %s", r->file, r->line, bad);
		n = 0;			/* inih gets a blank line instead */
	} else if (n > 0 && *s == '[') {
		r->section_line = r->line;
	}
	memcpy(out, s, (size_t)n);
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}

static int
handler(void *arg, const char *section, const char *name, const char *value)
{
	struct reader *r = arg;
	const struct key *k;
	struct agent *a;
	char where[4200];

	snprintf(where, sizeof where, "%s:%d", r->file, r->line);
	if (strncmp(section, "agent.", 6) == 0) {
		a = section_agent(r->c, section + 6, r->section_line ? r->section_line : r->line,
		    where);
		if (a != NULL && name != NULL)
			set_agent_key(r->c, a, section, name, value, r->line, where);
		return 1;
	}
	if (name == NULL)	/* a section header alone */
		return 1;
	k = find_key(section, name);
	if (k == NULL) {
		int known = strcmp(section, "runner") == 0 || strcmp(section, "agent") == 0 ||
		    strcmp(section, "delivery") == 0 || strcmp(section, "budget") == 0 ||
		    strcmp(section, "triage") == 0;

		if (known)
			add_error(r->c, "%s: unknown key '%s' in [%s]", where, name, section);
		else if (*section == '\0')
			add_error(r->c, "%s: '%s' is outside a section ([runner], [agent], "
			    "[agent.NAME], [delivery], [budget] or [triage])", where, name);
		else
			add_error(r->c, "%s: unknown section [%s]", where, section);
		return 1;	/* go on: report every problem */
	}
	set_key(r->c, r->c, section, k, value, where);
	return 1;
}

void
config_read_file(struct config *c, const char *file, int required)
{
	struct reader r = { 0 };
	char err[4200];
	int res, fd;

	/* A FIFO in place of the file must not hang the tick: refuse what is not a file. */
	fd = fileio_open_regular(file, O_RDONLY, 0, err, sizeof err);
	if (fd == -2) {
		if (required)
			add_error(c, "%s: %s", file, strerror(ENOENT));
		return;
	}
	if (fd < 0) {
		add_error(c, "%s", err);
		return;
	}
	r.f = fdopen(fd, "r");
	if (r.f == NULL) {
		add_error(c, "%s: %s", file, strerror(errno));
		close(fd);
		return;
	}
	free(c->file);
	c->file = strdup(file);
	r.file = file;
	r.c = c;
	res = ini_parse_stream(reader_gets, &r, handler, &r);
	if (res > 0)		/* the reader lets through only lines inih accepts */
		add_error(c, "%s:%d: syntax error", file, res);
	else if (res < 0)
		add_error(c, "%s: out of memory", file);
	else if (ferror(r.f))
		add_error(c, "%s: %s", file, strerror(errno));
	free(r.buf);
	fclose(r.f);
}

extern char **environ;

void
config_read_env(struct config *c)
{
	/* One pass over the environment: most of it is not ours. */
	for (char **e = environ; *e != NULL; e++) {
		const char *v = *e, *eq;

		if (strncmp(v, "HB_", 3) != 0 || (eq = strchr(v, '=')) == NULL)
			continue;
		for (size_t i = 0; i < NKEYS; i++) {
			size_t sl = strlen(keys[i].section), nl = strlen(keys[i].name);
			char where[96];

			if ((size_t)(eq - v) != 3 + sl + 1 + nl ||
			    strncasecmp(v + 3, keys[i].section, sl) != 0 || v[3 + sl] != '_' ||
			    strncasecmp(v + 4 + sl, keys[i].name, nl) != 0)
				continue;
			snprintf(where, sizeof where, "environment %.*s", (int)(eq - v), v);
			set_key(c, c, keys[i].section, &keys[i], eq + 1, where);
		}
	}
}

void
config_set_option(struct config *c, const char *opt)
{
	const char *eq = strchr(opt, '='), *dot = NULL;
	char section[128], name[64], where[256];
	const struct key *k;
	struct agent *a;

	snprintf(where, sizeof where, "option -o %s", opt);
	/* The key follows the last dot: an agent's name may hold dots. */
	for (const char *p = opt; eq != NULL && p < eq; p++)
		if (*p == '.')
			dot = p;
	if (dot == NULL || eq == NULL || dot == opt || (size_t)(dot - opt) >= sizeof section ||
	    (size_t)(eq - dot - 1) >= sizeof name || eq == dot + 1) {
		add_error(c, "%s: expected SECTION.KEY=VALUE", where);
		return;
	}
	snprintf(section, sizeof section, "%.*s", (int)(dot - opt), opt);
	snprintf(name, sizeof name, "%.*s", (int)(eq - dot - 1), dot + 1);
	if (strncmp(section, "agent.", 6) == 0) {
		a = section_agent(c, section + 6, 0, where);
		if (a != NULL)
			set_agent_key(c, a, section, name, eq + 1, -1, where);
		return;
	}
	k = find_key(section, name);
	if (k == NULL) {
		add_error(c, "%s: unknown key %s.%s", where, section, name);
		return;
	}
	set_key(c, c, section, k, eq + 1, where);
}

/* ---- the agents --------------------------------------------------------------------- */

static int
key_index(const char *name)
{
	const struct key *k = find_agent_key(name);

	return k != NULL ? (int)(k - agent_keys) : -1;
}

void
config_agent_where(const struct config *c, const struct agent *a, const char *key, char *buf,
    size_t len)
{
	int i = key != NULL ? key_index(key) : -1, line = i >= 0 ? a->key_line[i] : 0;

	if (line == -1)
		snprintf(buf, len, "option -o agent.%s.%s", a->name, key);
	else if (line > 0 || a->line > 0)
		snprintf(buf, len, "%s:%d", c->file ? c->file : CONFIG_FILE, line > 0 ? line :
		    a->line);
	else if (a->builtin)
		snprintf(buf, len, "agent %s (built in)", a->name);
	else
		snprintf(buf, len, "option -o agent.%s", a->name);
}

/* Duplicates S into *FIELD when that is not set. Returns -1 when memory ran out. */
static int
inherit(char **field, const char *s)
{
	if (*field != NULL || s == NULL)
		return 0;
	*field = strdup(s);
	return *field == NULL ? -1 : 0;
}

/* Completes and checks the section agent A. */
static void
agent_finish(struct config *c, struct agent *a)
{
	const struct agent *b = builtin_agent(a->name);
	char where[4300];
	int http = a->api != NULL || a->url != NULL;

	a->kind = http ? AGENT_HTTP : AGENT_COMMAND;
	if (a->bad)
		return;		/* what it means is unclear: its bad key was said */
	for (size_t i = 0; i < NAGENT_KEYS; i++) {
		const char *use = agent_keys[i].section;

		if (a->key_line[i] == 0 || strcmp(use, "both") == 0 ||
		    strcmp(use, http ? "http" : "command") == 0)
			continue;
		config_agent_where(c, a, agent_keys[i].name, where, sizeof where);
		add_error(c, "%s: agent.%s.%s applies to %s agents; [agent.%s] is %s", where,
		    a->name, agent_keys[i].name, use, a->name, http ?
		    "an HTTP agent (it sets api or url)" : "a command agent (it sets no api)");
	}
	if (http) {
		a->kind = AGENT_HTTP;
		if (a->api == NULL) {
			config_agent_where(c, a, "url", where, sizeof where);
			add_error(c, "%s: [agent.%s] sets url but no api (openai or anthropic)", where,
			    a->name);
			return;
		}
		if (a->url == NULL && inherit(&a->url, strcmp(a->api, "anthropic") == 0 ?
		    "https://api.anthropic.com" : "https://api.openai.com/v1") != 0)
			add_error(c, "out of memory");
		return;
	}
	a->kind = AGENT_COMMAND;
	if (b != NULL && (inherit(&a->agent_turn, b->agent_turn) != 0 ||
	    inherit(&a->system_event, b->system_event) != 0)) {
		add_error(c, "out of memory");
		return;
	}
	/* One template serves both types when the section names only one. */
	if (inherit(&a->agent_turn, a->system_event) != 0 ||
	    inherit(&a->system_event, a->agent_turn) != 0) {
		add_error(c, "out of memory");
		return;
	}
	if (a->agent_turn == NULL) {
		config_agent_where(c, a, NULL, where, sizeof where);
		add_error(c, "%s: [agent.%s] names no template (agent_turn, system_event) and no "
		    "api: it cannot run", where, a->name);
	}
}

void
config_finish(struct config *c)
{
	struct agent *f = &c->flat;

	for (size_t i = 0; i < c->nagents; i++)
		agent_finish(c, &c->agents[i]);
	/* The flat keys: the agent named "default"; its strings are the config's. */
	memset(f, 0, sizeof *f);
	f->name = (char *)AGENT_FLAT;
	f->kind = AGENT_COMMAND;
	f->agent_turn = c->agent_turn;
	f->system_event = c->system_event;
	f->model = c->model;
	f->max_tokens = 1024;
	f->stall_timeout = 60;
	if (c->default_agent != NULL && c->default_agent[0] != '\0' &&
	    config_agent(c, c->default_agent) == NULL)
		add_error(c, "%s: agent.default: no agent named '%s': no [agent.%s] section and "
		    "not a built-in agent (%s)", c->default_where[0] ? c->default_where :
		    "agent.default", c->default_agent, c->default_agent, config_builtin_names());
	if (c->triage_agent != NULL && c->triage_agent[0] != '\0' &&
	    config_agent(c, c->triage_agent) == NULL)
		add_error(c, "%s: triage.agent: no agent named '%s': no [agent.%s] section and "
		    "not a built-in agent (%s)", c->triage_where[0] ? c->triage_where :
		    "triage.agent", c->triage_agent, c->triage_agent, config_builtin_names());
}

const struct agent *
config_agent(const struct config *c, const char *name)
{
	const struct agent *a;

	if (name == NULL || *name == '\0' || strcmp(name, AGENT_FLAT) == 0) {
		if (c->default_agent == NULL || c->default_agent[0] == '\0' ||
		    strcmp(c->default_agent, AGENT_FLAT) == 0)
			return &c->flat;
		name = c->default_agent;
	}
	if ((a = find_agent(c, name)) != NULL)
		return a;
	return builtin_agent(name);
}

enum output_format
config_agent_output(const struct agent *a, const char *template)
{
	enum output_format f = OUTPUT_TEXT;

	if (a->kind == AGENT_HTTP)
		return OUTPUT_HB_JSON;
	if (a->output != NULL && output_format_parse(a->output, &f) == 0)
		return f;
	for (size_t i = 0; template != NULL && i < NBUILTINS; i++)
		if (strcmp(template, builtins[i].agent_turn) == 0 ||
		    strcmp(template, builtins[i].system_event) == 0)
			return builtins[i].output;
	return OUTPUT_TEXT;
}
