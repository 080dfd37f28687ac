/* heartbeat.h - the task model and the HEARTBEAT.md parser (OpenClaw's format: a "tasks:"
 * block, everything else is context). Pure: it reads only the text it is handed.
 * Used by runner/. */
#ifndef HB_HEARTBEAT_H
#define HB_HEARTBEAT_H

#include <stddef.h>

#include "tasks/budget.h"
#include "tasks/hours.h"
#include "tasks/schedule.h"

#define TASK_NAME_MAX 64

enum task_type {
	TASK_AGENT_TURN,
	TASK_SYSTEM_EVENT,
};

struct task {
	char *name;
	char *prompt;		/* as written; heartbeat_prompt() adds the context */
	int line;		/* line of "- name:" */
	enum task_type type;
	struct schedule sched;
	long long timeout;	/* seconds; 0: the configured default */
	int enabled;
	char *tz;		/* NULL: the configured zone */
	int tz_line;		/* line of the tz: key, for messages */
	char *model;		/* NULL: the configured model */
	char *agent;		/* NULL: the default agent */
	int agent_line;		/* line of the agent: key, for messages */
	int dangerous;		/* the agent may run in its unattended permission mode */
	char **notify;		/* the targets of its replies (notify:); NULL: [delivery] notify */
	size_t nnotify;
	int notify_line;	/* line of the notify: key, for messages */
	char *title;		/* the title of its messages; NULL: its name */
	int priority;		/* 1 (min) to 5 (urgent); 0: not set (default) */
	int has_active;		/* active_hours: it runs only inside ... */
	struct hours active;	/* ... this window of its zone's wall time */
	char *ping;		/* its ping URL, "none", or NULL: [delivery] ping */
	int has_budget;		/* budget: its own daily limits ... */
	struct budget budget;	/* ... of tokens and cost (tasks/budget.h) */
	char *oneshot;		/* a one-shot's id (runner/oneshot.c made the task); NULL: a
				 * task of HEARTBEAT.md */
	char *check;		/* check: a command or a built-in (checks/builtin.h), or NULL */
	int check_line;
	char *triage;		/* triage: the question for the [triage] agent, or NULL */
	int triage_line;
};

struct hb_diag {
	int line;
	int warn;		/* a warning: nothing was skipped because of it */
	char msg[200];
};

struct heartbeat {
	struct task *tasks;	/* valid tasks, in file order */
	size_t ntasks;
	char *context;		/* text outside the block; NULL when effectively empty */
	int has_block;		/* a "tasks:" line was found (outside fences, or in one: notes) */
	int implicit;		/* tasks[0] is the implicit "heartbeat" task: no block, or one
				 * without tasks beside real text */
	int empty;		/* effectively empty: nothing to run, nothing wrong */
	struct hb_diag *diags;	/* problems, in line order: errors (their tasks were skipped)
				 * and warnings (diags[i].warn) */
	size_t ndiags;
	size_t nerrors;		/* the diags that are errors */
	struct hb_diag *notes;	/* how the file is read where it is not plain (a block in a
				 * code fence, a block without tasks): for check, not problems */
	size_t nnotes;
};

/* Parses TEXT (LEN bytes). Tasks without a schedule run every DEFAULT_INTERVAL seconds.
 * Returns 0 (problems are in hb->diags), or -1 when memory ran out. */
int heartbeat_parse(const char *text, size_t len, long long default_interval,
    struct heartbeat *hb);
void heartbeat_free(struct heartbeat *hb);

/* The full prompt handed to the agent: the task's prompt, then the file's context.
 * Returns a malloc'd string, or NULL when memory ran out. A task with a check: may have no
 * prompt (its findings are the alert): its prompt is "". */
char *heartbeat_prompt(const struct heartbeat *hb, const struct task *t);

/* The prompt of a batch (several tasks in one agent turn): a line saying so, then each of
 * the N TASKS' name and prompt under a heading "## Task: NAME". heartbeat_prompt() of a
 * task whose prompt this is adds the context once. Returns a malloc'd string, or NULL. */
char *heartbeat_batch_text(const struct task *const *tasks, size_t n);

/* Drops task I (its schedule cannot work: an unknown zone, say) with a problem at LINE. */
void heartbeat_drop(struct heartbeat *hb, size_t i, int line, const char *msg);

/* Finds a task by name; NULL when there is none. */
const struct task *heartbeat_find(const struct heartbeat *hb, const char *name);

/* 1 when NAME is a valid task name: letters, digits, '-', '_', '.', at most TASK_NAME_MAX. */
int heartbeat_name_valid(const char *name);

const char *task_type_name(enum task_type t);

#endif
