/* state.h - .heartbeat-state.json: per-task run state, kept as JSON so that keys hb-run does
 * not know survive every write. Atomic writes (temp file, fsync, rename) and a flock(2) lock
 * held only around read-modify-write. Used by runner/. */
#ifndef HB_STATE_H
#define HB_STATE_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#define STATE_VERSION 1
#define RUN_ID_LEN 37		/* a UUID and its NUL */

struct state;
struct cJSON;

/* What hb-run knows of one task. */
struct task_state {
	int has_run;
	long long last_run;		/* Unix seconds: start of the tick that ran it */
	char last_status[16];		/* "ok", "error", "timeout", or "" */
	int has_exit;
	int last_exit;
	long long last_duration_ms;
	char last_reply[16];		/* reply verdict: "delivered", "heartbeat_ok", ... */
	long long runs;
	long long consecutive_errors;
	int has_baseline;		/* a cron task was first seen ... */
	long long baseline;		/* ... at this time */
	int done;			/* an at task has run ... */
	int has_done_at;		/* ... the run of this instant (absent: any) */
	long long done_at;
	char last_boot[RUN_ID_LEN];	/* boot id of the last run (for @reboot) */
	int running;			/* claimed by a tick */
	long running_pid;
	long long running_pid_start;	/* the claimer's start time (clock ticks), 0: unknown */
	long long running_since;
	char running_id[RUN_ID_LEN];
	char running_boot[RUN_ID_LEN];
	long running_pgid;		/* the agent's process group, 0: not started yet */
	long long running_pgid_start;	/* its leader's start time (clock ticks) */
	char unreadable[96];		/* fields that could not be read, for a warning */
	char last_tier[8];		/* "check", "triage", "agent", or "" */
	/* what the last run cost, when its agent said: -1 (cost: < 0) when it did not */
	long long last_input_tokens;
	long long last_output_tokens;
	double last_cost_usd;
	/* the totals over every run */
	long long tokens_in;
	long long tokens_out;
	double cost_usd;
};

/* A claim: the tick that is about to run a task. */
struct claim {
	long pid;
	long long pid_start;
	long long started;
	const char *run_id;
	const char *boot_id;
	long pgid;			/* the agent's process group once it runs, else 0 */
	long long pgid_start;
};

/* How a run ended. The names (run_status_name) are what the state file and the log hold. */
enum run_status {
	RUN_OK,
	RUN_ERROR,
	RUN_TIMEOUT,
	RUN_INTERRUPTED,	/* a signal ended it: it did not happen, the task stays due */
	RUN_OVER_BUDGET,	/* a daily budget was reached: no agent ran, the task stays due */
	RUN_CLEAR,		/* its check found nothing: it ran, no agent was needed */
	RUN_TRIAGED_OUT,	/* its triage said the findings need no agent: it ran */
	RUN_DEFERRED,		/* the machine was busy ([runner] defer_load): it stays due */
};

/* "ok", "error", "timeout", "interrupted", "over_budget", "clear", "triaged_out",
 * "deferred". */
const char *run_status_name(enum run_status s);
/* 1 for the statuses of a run that went well: ok, clear, triaged_out. */
int run_status_ok(enum run_status s);

/* The outcome of one run, merged into the task's state. */
struct run_record {
	long long tick_start;		/* becomes last_run */
	enum run_status status;		/* RUN_OK, RUN_ERROR or RUN_TIMEOUT */
	int has_exit;
	int exit_code;
	long long duration_ms;
	const char *reply;		/* reply verdict name */
	int done;			/* an at task: it will not run again ... */
	long long done_at;		/* ... having run for this instant */
	const char *boot_id;		/* this boot, or NULL */
	long long input_tokens;		/* -1: the agent did not say */
	long long output_tokens;	/* -1: the agent did not say */
	double cost_usd;		/* < 0: not known */
	const char *tier;		/* where it stopped: "check", "triage", "agent"; NULL:
					 * a task without a check */
	int keep_check;			/* the check's snapshot ... */
	struct cJSON *check;		/* ... becomes this one (owned by the caller) */
};

#define STATE_CORRUPT (-2)

/* A stored Unix time V as seconds: from 1e11 on (13 digits; the year 5138 in seconds) it is
 * milliseconds, as JavaScript and Java write them. Returns -1 for NaN or what a double does
 * not hold exactly (beyond 2^53): not a time. */
int state_seconds(double v, long long *out);

/* 1 when S is a UUID as hb-run writes them (36 characters, lower-case hex and dashes): ids
 * from the state file name files, so nothing else is taken from it. */
int state_is_uuid(const char *s);

/* Loads PATH; a missing file is an empty state. Returns 0; -1 when the file cannot be read;
 * STATE_CORRUPT when it is not valid JSON or not an object. On error ERR holds
 * "PATH:LINE:COLUMN: what", and nothing was touched. A field of the wrong type is not an
 * error: it reads as absent (state_task_get names it) and is kept until hb-run replaces it. */
int state_load(const char *path, struct state **out, char *err, size_t errlen);
/* The same for TEXT (LEN bytes) already in memory; NAME is used in messages. */
int state_parse(const char *text, size_t len, const char *name, struct state **out, char *err,
    size_t errlen);
/* An empty state. */
struct state *state_new(void);
/* Moves the corrupt file PATH aside to PATH.corrupt-<T> (or -<T>-<n>); the new name goes to
 * MOVED. Returns 0 or -1 with ERR set. */
int state_quarantine(const char *path, long long t, char *moved, size_t movedlen, char *err,
    size_t errlen);
/* Writes ST to PATH atomically (0600), durably: the file and the rename are synced. On error
 * the old file is left as it was. */
int state_save(const struct state *st, const char *path, char *err, size_t errlen);
/* As state_save, but the rename is not synced: for claims, which a crash of the machine voids
 * anyway (a new boot makes every claim stale), so losing the rename loses nothing. The file is
 * still synced before the rename: a crash leaves the old state or the new, never a torn one. */
int state_save_claims(const struct state *st, const char *path, char *err, size_t errlen);
void state_free(struct state *st);

void state_task_get(const struct state *st, const char *name, struct task_state *out);
int state_task_claim(struct state *st, const char *name, const struct claim *c);
int state_task_unclaim(struct state *st, const char *name);
/* Adds the agent's process group PGID, whose leader started at START, to the claim of task
 * NAME when that claim is still the one of run RUN_ID. */
int state_task_claim_group(struct state *st, const char *name, const char *run_id, long pgid,
    long long start);
int state_task_record(struct state *st, const char *name, const struct run_record *r);
/* The snapshot of task NAME's check ("check" in its object), or NULL: owned by ST. */
const struct cJSON *state_task_check(const struct state *st, const char *name);
/* Records that a cron task was first seen at T: its first slot comes after T. */
int state_task_baseline(struct state *st, const char *name, long long t);

/* The workspace's session KEY ("main"): creates it with NEW_ID when it does not exist.
 * *IS_NEW is 1 while the session has not been used. Returns the id (owned by ST) or NULL. */
const char *state_session(struct state *st, const char *key, const char *new_id, int *is_new);
/* Marks session KEY used; when it vanished (the file was replaced meanwhile), it is recreated
 * with ID, used. */
int state_session_mark_used(struct state *st, const char *key, const char *id);

/* The agent CLI's own session id that agent AGENT made for session KEY ("main"): kept in the
 * session's "agent_sessions" object, so that a new session id forgets them all. Returns it
 * (owned by ST), or NULL. */
const char *state_session_agent(const struct state *st, const char *key, const char *agent);
/* Keeps ID as agent AGENT's session id for session KEY, which must exist. */
int state_session_agent_set(struct state *st, const char *key, const char *agent,
    const char *id);
/* The running token totals (input, cached, output) that agent AGENT last reported for its
 * own session ID in session KEY ("agent_totals", for the CLIs whose usage counts the whole
 * session: Codex). Returns 0 with TOTALS filled, or -1 (TOTALS all 0) when none are kept
 * for ID. */
int state_session_agent_totals(const struct state *st, const char *key, const char *agent,
    const char *id, long long totals[3]);
/* Keeps TOTALS as agent AGENT's running totals for its session ID in session KEY, which
 * must exist. */
int state_session_agent_totals_set(struct state *st, const char *key, const char *agent,
    const char *id, const long long totals[3]);

/* The clock went back: the latest time from the future that was reported (0: none). */
long long state_clock_warned(const struct state *st);
/* Records at NOW that times up to SEEN were reported as lying in the future. */
int state_clock_warn(struct state *st, long long now, long long seen);

/* The lock file of state file STATE: ".heartbeat.lock" next to a file named
 * ".heartbeat-state.json" (the workspace's lock), else STATE.lock; in the state file's real
 * directory, so that every workspace sharing a state file takes the same lock. */
int state_lock_path(const char *state, char *out, size_t len);

/* The claim on session KEY (one systemEvent run at a time, across ticks): read into the
 * running_* fields of OUT (running is 0 when there is none); set to C; given up when it is
 * still held by process PID. The session must exist (state_session) to be claimed. */
void state_session_claim_get(const struct state *st, const char *key, struct task_state *out);
int state_session_claim(struct state *st, const char *key, const struct claim *c);
int state_session_unclaim(struct state *st, const char *key, long pid);

/* hb-run's own top-level string KEY (it starts with '_'): its value, or NULL. */
const char *state_mark_get(const struct state *st, const char *key);
/* Sets KEY to VALUE; a NULL VALUE removes it. Returns 0, or -1 when memory ran out. */
int state_mark_set(struct state *st, const char *key, const char *value);
/* hb-run's own top-level item KEY as it was read (any JSON type), or NULL: for commands that
 * only show it (report). */
const struct cJSON *state_item(const struct state *st, const char *key);

/* A pause (hb-run pause): of the workspace (NAME NULL: the top-level "_paused") or of task
 * NAME (the "paused" member of its object), as {"since": T, "until": T or null}. */
struct state_pause {
	int paused;
	long long since;
	long long until;		/* 0: until resumed */
};

/* Reads the pause of task NAME, or of the workspace when NAME is NULL, into OUT; one that is
 * over (until <= NOW) reads as none. NOW 0: as stored. */
void state_pause_get(const struct state *st, const char *name, long long now,
    struct state_pause *out);
/* Pauses task NAME (NULL: the workspace) from SINCE until UNTIL (0: until resumed). */
int state_pause_set(struct state *st, const char *name, long long since, long long until);
/* Ends the pause of task NAME (NULL: the workspace); returns 1 when there was one, else 0. */
int state_pause_clear(struct state *st, const char *name);

/* An alert kept in the state: in the outbox ("_outbox"), sent again at later ticks until a
 * target takes it; or held during quiet hours ("_held"), sent as a digest when they end. */
struct state_alert {
	char id[RUN_ID_LEN];		/* a UUID */
	char *task;			/* the task, or "" for a digest */
	char *target;			/* the whole target, secrets and all (the file is 0600) */
	char *title;			/* NULL: the task's name */
	char *text;
	int priority;
	long long at;			/* when its run replied (Unix seconds) */
	long long first_try;		/* 0: not tried yet */
	long long tries;
	long long next_try;
	long long parts_done;		/* of a split message, the parts that went through */
	char *last_reason;		/* NULL: none yet */
	long sending_pid;		/* in flight: the tick sending it now (0: none) ... */
	long long sending_start;	/* ... and that tick's start time */
};

#define STATE_OUTBOX "_outbox"
#define STATE_HELD "_held"

/* The alerts under KEY (STATE_OUTBOX or STATE_HELD), in order, into *OUT (free with
 * state_alerts_free; NULL when there are none). Items that are not objects, or lack a
 * target or a text, are skipped. Returns 0, or -1 when memory ran out. */
int state_alerts_get(const struct state *st, const char *key, struct state_alert **out,
    size_t *n);
/* Replaces the alerts under KEY by the N of A; none removes the key. Returns 0 or -1. */
int state_alerts_set(struct state *st, const char *key, const struct state_alert *a, size_t n);
void state_alerts_free(struct state_alert *a, size_t n);
/* How many alerts KEY holds, without reading them: the no-op tick's question. */
size_t state_alerts_count(const struct state *st, const char *key);

/* The hash of the last text task NAME delivered and when ("last_alert_hash",
 * "last_alert_at" in its object): 1 with them, else 0. */
int state_task_last_alert(const struct state *st, const char *name, char *hash, size_t len,
    long long *at);
int state_task_set_last_alert(struct state *st, const char *name, const char *hash,
    long long at);

/* A ping URL (by KEY, a hash of it) that failed: since when (0: it did not) ("_pings"). */
long long state_ping_failing(const struct state *st, const char *key);
/* Records that it fails since SINCE; 0 forgets it. */
int state_ping_set(struct state *st, const char *key, long long since);

/* What a local day spent against the budgets ("_budget": {"day": DAY, "tokens": N, "cost":
 * X, "tasks": {NAME: {...}}}): of the workspace, or of one task that has a budget. */
struct state_spent {
	long long tokens;		/* input + output */
	double cost;			/* USD */
	int alerted;			/* the alert that a budget is reached went out today */
	int skipped;			/* a task: its skip was logged today */
};

/* Reads what day DAY ("YYYY-MM-DD") spent, of the workspace (NAME NULL) or of task NAME,
 * into OUT; a state of another day reads as nothing spent. */
void state_spent_get(const struct state *st, const char *day, const char *name,
    struct state_spent *out);
/* Adds TOKENS and COST to what DAY spent, the workspace's and (NAME not NULL) task
 * NAME's; the figures of an earlier day are dropped first. Returns 0 or -1. */
int state_spent_add(struct state *st, const char *day, const char *name, long long tokens,
    double cost);
/* Sets mark FLAG ("alerted" or "skipped") of the workspace (NAME NULL) or of task NAME for
 * DAY. Returns 1 when it was set already, 0 when it is set now, -1 when memory ran out. */
int state_spent_mark(struct state *st, const char *day, const char *name, const char *flag);
/* A one-shot task (hb-run schedule, or a follow-up a run asked for), in "_oneshots": it runs
 * once at AT through the tick's pipeline as task "NAME#ID", then is removed. */
struct state_oneshot {
	char id[16];			/* 8 hex digits */
	char *name;			/* for people; "once" when none was given */
	char *prompt;
	long long at;			/* when it is due (Unix seconds) */
	char *agent;			/* NULL: the default agent */
	char *notify;			/* a target list; NULL: [delivery] notify */
	long long created;
	char *parent_run;		/* a follow-up: the run that asked for it, else NULL ... */
	char *parent_task;		/* ... and its task */
	int dangerous;			/* inherited from the task that asked for it */
};

#define STATE_ONESHOTS "_oneshots"
#define STATE_REFUSED "_followups_refused"

/* The one-shots, in order, into *OUT (free with state_oneshots_free; NULL when none).
 * Entries without an id, a prompt or a time are skipped. Returns 0, or -1 (memory). */
int state_oneshots_get(const struct state *st, struct state_oneshot **out, size_t *n);
void state_oneshots_free(struct state_oneshot *a, size_t n);
/* How many entries "_oneshots" holds, without reading them. */
size_t state_oneshot_count(const struct state *st);
/* 1 when one-shot ID is still pending. */
int state_oneshot_has(const struct state *st, const char *id);
/* Appends X. Returns 0 or -1. */
int state_oneshot_add(struct state *st, const struct state_oneshot *x);
/* Removes one-shot ID; returns 1 when it was there, else 0. */
int state_oneshot_del(struct state *st, const char *id);
/* Removes the whole object of task NAME (a one-shot's, once it is gone). */
void state_task_forget(struct state *st, const char *name);
/* The follow-ups refused to run RUN_ID (over its limit), plus ADD; ADD 0 reads and
 * forgets the count. Returns the count, or -1 (memory). */
long long state_followups_refused(struct state *st, const char *run_id, long long add);

#define STATE_LOCK_WAIT 10	/* seconds a tick waits for the workspace lock */

/* Takes the lock PATH, waiting at most STATE_LOCK_WAIT seconds, and writes our pid
 * into the lock file. Returns the descriptor, or -1 with ERR set: naming the holder's pid
 * when the wait timed out; when the lock was busy and the flag of state_lock_stop_on() is
 * set (a signal came), at once. PATH must be a regular file (a FIFO is refused). */
int state_lock(const char *path, char *err, size_t errlen);
/* FLAG (a signal handler's sig_atomic_t) ends every later wait for the lock when non-zero. */
void state_lock_stop_on(const volatile sig_atomic_t *flag);
void state_unlock(int fd);

#endif
