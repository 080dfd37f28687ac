/* context.h - what one tick knows while it runs: its jobs, its claims, its worst status.
 * Shared by the tick's stages (tick.c, plan.c, claim.c, job.c, record.c) and by nothing
 * else. */
#ifndef HB_CONTEXT_H
#define HB_CONTEXT_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "agents/output.h"
#include "runner/config.h"
#include "runner/tick.h"
#include "runner/util.h"
#include "state/state.h"
#include "tasks/heartbeat.h"

#define MAIN_SESSION "main"	/* the key of the workspace's main session in the state */

struct child;
struct agent;
struct cJSON;

/* One run of one task in this tick. */
struct job {
	const struct task *task;
	const struct agent *agent;	/* the agent that runs it */
	const char *reason;
	long long overdue;		/* seconds past due, for --catchup's order */
	long slots;			/* cron: slots passed since the last run (missed + 1) */
	char run_id[UUID_LEN];
	char session[UUID_LEN];
	int session_new;
	char agent_session[OUTPUT_SESSION_MAX];	/* systemEvent: the agent CLI's own session
						 * id, or "" */
	long long agent_totals[3];	/* the running token totals (input, cached, output)
					 * it last reported for agent_session, or 0s */
	int totals_seen;		/* this run reported its session's running totals */
	/* while it runs */
	struct child *child;
	char *prompt_path;		/* malloc'd; NULL until written */
	char **env;
	size_t env_ours;		/* env's strings from here on are ours */
	char *transcript;		/* an HTTP systemEvent's transcript (malloc'd), or NULL */
	enum output_format output;	/* how to read what it prints */
	long long started;		/* Unix seconds */
	int ping_failed;		/* a ping of this run failed ... */
	char ping_reason[320];		/* ... for this reason (the first) */
	/* a batch ([runner] batch): one agent turn for several due tasks */
	struct job *members;		/* their jobs, claimed each under its own run id
					 * (malloc'd), or NULL: not a batch */
	size_t nmembers;
	struct task *own_task;		/* the task that stands for them (malloc'd), or NULL */
	int start_pinged;		/* the start ping went (before the check) */
	/* the cheap tiers (runner/check.c) */
	long long stage_ms;		/* when its check began (monotonic ms) */
	const char *tier;		/* where the run stopped: "check", "triage", "agent";
					 * NULL: a task without a check */
	char *findings;			/* what its check found (malloc'd), or NULL */
	struct cJSON *check_snap;	/* a built-in's new snapshot, kept by a run that goes
					 * well; NULL: none */
	int asking;			/* this is the triage agent's run: an agentTurn */
	const char *prompt_text;	/* the prompt in place of the task's (triage), or NULL */
	const char *triage;		/* the triage's verdict: "yes", "no", "unclear", "failed";
					 * NULL: none asked */
	char triage_reason[320];	/* its line of reason, or why it failed */
	long long triage_in, triage_out;	/* its tokens, -1: not said */
	double triage_cost;		/* its cost, < 0: not known */
	int cleared;			/* all clear, its record waits for record_flush ... */
	struct run_record clear_rec;	/* ... with this outcome */
};

struct tick {
	const struct config *cfg;
	const struct heartbeat *hb;
	const char *workspace;
	const struct tick_opts *o;
	time_t now;
	char boot[UUID_LEN];
	const volatile sig_atomic_t *caught;	/* the signal that ends the tick, or 0 */
	struct job *jobs;
	size_t njobs;
	int status;			/* worst exit status so far */
	int delivered;			/* replies shown so far */
	int session_used;		/* a systemEvent of this tick has used the main session */
	long long pid_start;		/* when this process started (see platform_pid_start) */
	struct task_state session;	/* the main session's claim (running_* fields) */
	int session_held;		/* ... made by another live run: no systemEvent now */
	size_t session_jobs;		/* systemEvent jobs claimed and not yet recorded */
	char lock[PATH_MAX];		/* the state file's lock (state_lock_path) */
};

/* Raises the tick's exit status to STATUS. */
static inline void
tick_worse(struct tick *t, int status)
{
	if (status > t->status)
		t->status = status;
}

#endif
