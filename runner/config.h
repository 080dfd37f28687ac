/* config.h - hb-run.ini and its overrides: defaults < file < HB_SECTION_KEY environment
 * < command line (-o section.key=value); the agents, named in [agent.NAME] sections or built
 * in. One owner: config_init / config_free. Used by runner/ and cmd/. */
#ifndef HB_CONFIG_H
#define HB_CONFIG_H

#include <stddef.h>

#include "agents/output.h"

#define CONFIG_FILE "hb-run.ini"
#define AGENT_FLAT "default"	/* the name of the agent of the flat [agent] keys */
#define AGENT_KEYS_MAX 16

enum agent_kind {
	AGENT_COMMAND,		/* runs a template */
	AGENT_HTTP,		/* runs the helper hb-run-http against a model API */
};

/* One agent. Strings are NULL when not set (for a section: until config_finish fills in
 * what a built-in agent of its name, or the defaults, give). */
struct agent {
	char *name;
	enum agent_kind kind;
	int builtin;			/* one of hb-run's own, not configured */
	/* command agents */
	char *agent_turn;		/* the templates, by task type */
	char *system_event;
	char *output;			/* an output format name; NULL: by template */
	char *model;
	/* HTTP agents */
	char *api;			/* "openai" or "anthropic" */
	char *url;
	char *key_env;			/* the NAME of the variable holding the key */
	char *key_file;
	char *ca_file;
	char *system_prompt;
	char *temperature;		/* as written; empty: not sent */
	long long max_tokens;
	long long stall_timeout;	/* seconds */
	/* both */
	double price_in, price_out;	/* USD per million tokens */
	int has_price;			/* price_in or price_out was set */
	/* where it was configured, for messages */
	int bad;			/* a key of it was bad (and said so): not checked further */
	int line;			/* the line of its section; 0: none (-o) */
	int key_line[AGENT_KEYS_MAX];	/* each key's line; -1: set by -o; 0: not set */
};

struct config {
	/* [runner] */
	char *tasks;
	char *state;
	char *log;
	long long default_interval;	/* seconds */
	long long timeout;		/* seconds */
	long long ack_max_chars;
	long long catchup_max;
	long long catchup_stagger;	/* seconds, may be 0 */
	long long max_concurrent;
	char *timezone;
	char *http_helper;		/* hb-run-http; empty: next to hb-run, else libexec */
	int batch;			/* the due agentTurn tasks of a tick in one agent turn */
	long long jitter;		/* seconds; a tick waits a fixed part of it, 0: none */
	int enabled;			/* 0: ticks run nothing (manual runs still do) */
	long long check_timeout;	/* seconds, for a task's check: */
	char *defer_load;		/* the load average per core above which due tasks
					 * wait, as written; empty: never */
	long long nice;			/* the niceness of a tick that runs something, 0..19 */
	/* [triage] */
	char *triage_agent;		/* the agent that triages findings; empty: none */
	char triage_where[160];		/* where it was set, for messages */
	/* [agent]: the default agent, and the flat keys of the agent named AGENT_FLAT */
	char *default_agent;		/* empty: AGENT_FLAT */
	char default_where[160];	/* where default_agent was set, for messages */
	char *agent_turn;
	char *system_event;
	char *model;
	/* [delivery] */
	char *notify;			/* the targets of tasks without notify: (a list) */
	long long delivery_timeout;	/* seconds, for one message to one target */
	char *telegram_api;		/* Telegram's Bot API base URL; empty: the real one */
	char *quiet_hours;		/* HH:MM-HH:MM: deliveries held; empty: none */
	char *quiet_tz;			/* its zone; empty: [runner] timezone */
	char *ping;			/* the ping URL of tasks without ping:; empty: none */
	/* [budget] */
	long long daily_tokens;		/* input + output tokens a local day; -1: no limit */
	double daily_cost;		/* USD a local day; < 0: no limit */
	/* [agent.NAME] sections, in file order, and the flat agent (config_finish) */
	struct agent *agents;
	size_t nagents;
	struct agent flat;

	char *file;			/* the file that was read, or NULL */
	char **errors;			/* "where: what", one per problem */
	size_t nerrors;
	size_t nlost;			/* problems whose text memory could not hold */
};

/* Sets the defaults. Returns -1 when memory ran out. */
int config_init(struct config *c);
void config_free(struct config *c);

/* Reads FILE; a missing file is fine unless REQUIRED. Problems go to c->errors. */
void config_read_file(struct config *c, const char *file, int required);
/* Applies every HB_SECTION_KEY variable of the environment. */
void config_read_env(struct config *c);
/* Applies "section.key=value" (from -o; "agent.NAME.key=value" for an agent); problems go
 * to c->errors. */
void config_set_option(struct config *c, const char *opt);
/* After the file, the environment and the options: completes the agents (a section named
 * like a built-in agent takes its settings for the keys it leaves out) and checks them and
 * the default agent; problems go to c->errors. */
void config_finish(struct config *c);

/* The agent NAME: a section, else a built-in agent; NULL or "default": the default agent.
 * Returns NULL when there is no such agent. */
const struct agent *config_agent(const struct config *c, const char *name);
/* The built-in agents' names, for messages: "claude, codex, ...". */
const char *config_builtin_names(void);
/* How to read what TEMPLATE of command agent A prints: its output key, else the format of
 * the shipped template of that name (claude/agent-turn.sh prints claude-json), else text.
 * HTTP agents print hb-json. */
enum output_format config_agent_output(const struct agent *a, const char *template);
/* Where key KEY of agent A was set, for messages: "hb-run.ini:12", "option -o ...", or the
 * section's first line when KEY is NULL or was not set. */
void config_agent_where(const struct config *c, const struct agent *a, const char *key,
    char *buf, size_t len);

#endif
