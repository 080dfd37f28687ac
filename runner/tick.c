/* tick.c - one tick. The plan is made without the lock (a reader always sees a whole state
 * file), so that a tick with nothing due takes no lock and writes nothing. Due tasks are
 * claimed under the lock, run with no lock held, and each result is merged into a freshly
 * loaded state under the lock again. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/agent.h"
#include "runner/msg.h"
#include "runner/reply.h"
#include "runner/tick.h"
#include "runner/util.h"
#include "runner/zone.h"
#include "state/fileio.h"
#include "state/log.h"
#include "state/state.h"
#include "state/text.h"
#include "tasks/duration.h"

#ifndef HB_TEMPLATEDIR
#define HB_TEMPLATEDIR "/usr/local/share/hb-run/templates"
#endif

#define LOCK_FILE TICK_LOCK_FILE
#define MAIN_SESSION "main"
#define STDERR_LINES 10

extern char **environ;

/* SIGTERM, SIGINT or SIGHUP: end the running agents, record them, exit 128 + the signal. */
static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll(2) returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	state_lock_stop_on(&caught);	/* a signal also ends a wait for the lock */
}

struct job {
	const struct task *task;
	const char *reason;
	long long overdue;		/* seconds past due, for --catchup's order */
	long slots;			/* cron: slots passed since the last run (missed + 1) */
	char run_id[UUID_LEN];
	char session[UUID_LEN];
	int session_new;
	/* while it runs */
	struct agent *agent;
	char *prompt_path;		/* malloc'd; NULL until written */
	char **env;
	long long started;		/* Unix seconds */
};

struct tick {
	const struct config *cfg;
	const struct heartbeat *hb;
	const char *workspace;
	const struct tick_opts *o;
	time_t now;
	char boot[UUID_LEN];
	struct job *jobs;
	size_t njobs;
	int status;			/* worst exit status so far */
	int delivered;			/* replies shown so far */
	int session_used;		/* a systemEvent of this tick has used the main session */
	long long pid_start;		/* when this process started (see util_pid_start) */
	struct task_state session;	/* the main session's claim (running_* fields) */
	int session_held;		/* ... made by another live run: no systemEvent now */
	size_t session_jobs;		/* systemEvent jobs claimed and not yet recorded */
	char lock[PATH_MAX];		/* the state file's lock (state_lock_path) */
};

static void
worse(struct tick *t, int status)
{
	if (status > t->status)
		t->status = status;
}

enum { CLAIM_DEAD, CLAIM_TICK, CLAIM_GROUP };

/* Whether the claim in TS (its running_* fields) is live, in boot BOOT: its tick runs (its
 * pid names the process with the recorded start time, and is not us: a pid reused by this
 * very tick is a dead claim), or, that tick gone, its agent's process group still has a live
 * process (a tick killed outright leaves it behind). */
static int
claim_liveness(const struct task_state *ts, const char *boot, time_t now)
{
	int same_boot = boot[0] == '\0' || ts->running_boot[0] == '\0' ||
	    strcmp(boot, ts->running_boot) == 0;

	if (!ts->running || !same_boot)
		return CLAIM_DEAD;
	/* A claim from the future (the clock went back) with no start time to check its pid
	 * against is not believed. */
	if (ts->running_pid_start == 0 && sched_clock_back(ts->running_since, now))
		return CLAIM_DEAD;
	if (ts->running_pid != (long)getpid() && util_pid_alive((pid_t)ts->running_pid) &&
	    (ts->running_pid_start == 0 ||
	    ts->running_pid_start == util_pid_start((pid_t)ts->running_pid)))
		return CLAIM_TICK;
	if (ts->running_pgid > 0 && util_group_alive((pid_t)ts->running_pgid,
	    ts->running_pgid_start))
		return CLAIM_GROUP;
	return CLAIM_DEAD;
}

void
tick_plan(const struct heartbeat *hb, const struct state *st, time_t now, const char *boot,
    int catchup, const char *zone, struct plan_item *items)
{
	for (size_t i = 0; i < hb->ntasks; i++) {
		struct plan_item *it = &items[i];
		const struct task *t = &hb->tasks[i];
		struct sched_past past = { 0 };
		char err[512];

		memset(it, 0, sizeof *it);
		it->task = t;
		state_task_get(st, t->name, &it->ts);
		past.has_run = it->ts.has_run;
		past.last_run = it->ts.last_run;
		past.has_baseline = it->ts.has_baseline;
		past.baseline = it->ts.baseline;
		past.done = it->ts.done;
		past.has_done_at = it->ts.has_done_at;
		past.done_at = it->ts.done_at;
		past.ran_this_boot = boot[0] != '\0' && strcmp(boot, it->ts.last_boot) == 0;
		past.errors = it->ts.consecutive_errors;
		if (t->sched.kind != SCHED_INTERVAL) {
			/* Zones were checked when HEARTBEAT.md was loaded; UTC is a last resort. */
			it->zone = zone_get(t->tz ? t->tz : zone, err, sizeof err);
			if (it->zone == NULL)
				it->zone = zone_get("UTC", err, sizeof err);
		}
		it->needs_baseline = t->enabled && sched_needs_baseline(&t->sched, &past);
		it->due = sched_due(&t->sched, &past, it->zone, now, catchup, &it->next) &&
		    t->enabled;
		if (!t->enabled)
			it->next = (time_t)-1;
		if (it->ts.running) {
			int live = claim_liveness(&it->ts, boot, now);

			it->held = live != CLAIM_DEAD;
			it->orphan = live == CLAIM_GROUP;
			it->stale = live == CLAIM_DEAD;
		}
	}
}

/* The plan item of TASK, one of t->hb->tasks: tick_plan makes items[i] for hb->tasks[i]. */
static const struct plan_item *
item_of(const struct tick *t, const struct plan_item *items, const struct task *task)
{
	return &items[task - t->hb->tasks];
}

static const char *
reason_of(const struct schedule *s)
{
	switch (s->kind) {
	case SCHED_CRON:
		return "cron";
	case SCHED_AT:
		return "at";
	default:
		return "interval";
	}
}

static void
add_job(struct tick *t, size_t *n, const struct task *task, const char *reason,
    long long overdue)
{
	memset(&t->jobs[*n], 0, sizeof t->jobs[*n]);
	t->jobs[*n].task = task;
	t->jobs[*n].reason = reason;
	t->jobs[(*n)++].overdue = overdue;
}

static int
by_overdue(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->overdue != y->overdue)
		return x->overdue > y->overdue ? -1 : 1;
	return x->task->line - y->task->line;	/* file order among equals */
}

/* A systemEvent task while another run (another tick, a manual run) holds the main
 * session: it waits for a later tick, as two runs must never share the session at once. */
static int
session_busy(const struct tick *t, const struct task *task)
{
	return task->type == TASK_SYSTEM_EVENT && t->session_held;
}

/* Looks at the main session's claim in ST: live (another run holds it), or dead. */
static void
session_check(struct tick *t, const struct state *st)
{
	state_session_claim_get(st, MAIN_SESSION, &t->session);
	t->session_held = claim_liveness(&t->session, t->boot, t->now) != CLAIM_DEAD;
}

/* Chooses the jobs of this tick from the plan. Returns the number chosen. */
static size_t
select_jobs(struct tick *t, const struct plan_item *items, int quiet)
{
	const struct tick_opts *o = t->o;
	size_t n = 0;

	if (o->nnames > 0) {
		for (size_t k = 0; k < o->nnames; k++) {
			for (size_t i = 0; i < t->hb->ntasks; i++) {
				const struct plan_item *it = &items[i];
				int twice = 0;

				if (strcmp(it->task->name, o->names[k]) != 0)
					continue;
				for (size_t j = 0; j < n; j++)
					twice |= t->jobs[j].task == it->task;
				if (twice)	/* "hb-run a a" runs a once */
					break;
				if (it->held) {
					if (!quiet)
						msg_error("%s is already running (pid %ld)",
						    it->task->name, it->ts.running_pid);
					break;
				}
				if (session_busy(t, it->task)) {
					if (!quiet)
						msg_error("%s: the main session is in use by "
						    "another run (pid %ld); try again when it "
						    "ends", it->task->name,
						    t->session.running_pid);
					break;
				}
				add_job(t, &n, it->task, "manual", 0);
				break;
			}
		}
		return n;
	}
	for (size_t i = 0; i < t->hb->ntasks; i++) {
		const struct plan_item *it = &items[i];

		if (!it->due)
			continue;
		if (it->held) {
			if (!quiet)
				msg_note("%s: still running in another tick (pid %ld)",
				    it->task->name, it->ts.running_pid);
			continue;
		}
		if (session_busy(t, it->task)) {
			if (!quiet)
				msg_note("%s: the main session is in use by another run (pid %ld); "
				    "left for a later tick", it->task->name,
				    t->session.running_pid);
			continue;
		}
		add_job(t, &n, it->task, o->catchup ? "catchup" : reason_of(&it->task->sched),
		    (long long)(t->now - it->next));
	}
	if (o->catchup) {
		qsort(t->jobs, n, sizeof *t->jobs, by_overdue);
		if (n > (size_t)t->cfg->catchup_max) {
			if (!quiet)
				msg_note("catch-up: running %lld of %zu due tasks; the rest stay due",
				    t->cfg->catchup_max, n);
			n = (size_t)t->cfg->catchup_max;
		}
	}
	return n;
}

/* ---- dry run ------------------------------------------------------------------------ */

static void
dry_run(struct tick *t, const struct plan_item *items, size_t njobs)
{
	char when[40], sched[64], *chosen = calloc(t->hb->ntasks + 1, 1);

	if (chosen == NULL) {
		msg_error("out of memory");
		return;
	}
	for (size_t j = 0; j < njobs; j++) {
		const struct plan_item *it = item_of(t, items, t->jobs[j].task);

		chosen[it - items] = 1;
		sched_describe(&it->task->sched, sched, sizeof sched);
		if (strcmp(t->jobs[j].reason, "manual") == 0) {
			printf("would run %s: named on the command line\n", it->task->name);
		} else if (!it->ts.has_run && (it->task->sched.kind == SCHED_INTERVAL ||
		    it->next == (time_t)-1)) {
			printf("would run %s: %s, never ran\n", it->task->name, sched);
		} else {
			util_time_iso(it->next, when, sizeof when);
			printf("would run %s: %s, due since %s\n", it->task->name, sched, when);
		}
	}
	for (size_t i = 0; i < t->hb->ntasks; i++) {
		const struct plan_item *it = &items[i];

		if (chosen[i])
			continue;
		if (it->held) {
			printf("skip %s: running in another tick (pid %ld)\n", it->task->name,
			    it->ts.running_pid);
		} else if (!it->task->enabled) {
			printf("skip %s: disabled\n", it->task->name);
		} else if (it->due) {
			printf("skip %s: due, left for a later tick\n", it->task->name);
		} else if (it->task->sched.kind == SCHED_AT && it->ts.done) {
			printf("skip %s: ran once already (at %s)\n", it->task->name,
			    it->task->sched.expr);
		} else if (it->task->sched.kind == SCHED_CRON && it->task->sched.cron.reboot) {
			printf("skip %s: @reboot runs once per boot, from --catchup\n",
			    it->task->name);
		} else if (it->needs_baseline && t->o->nnames == 0) {
			util_time_iso(it->next, when, sizeof when);
			printf("skip %s: first seen now; its first slot is %s\n", it->task->name, when);
		} else if (t->o->nnames == 0 && it->next != (time_t)-1) {
			util_time_iso(it->next, when, sizeof when);
			printf("skip %s: not due until %s\n", it->task->name, when);
		}
	}
	free(chosen);
}

/* ---- claiming ----------------------------------------------------------------------- */

/* The prompt file of run RUN_ID: $TMPDIR/hb-run-prompt-RUN_ID (malloc'd), or NULL. */
static char *
prompt_path(const char *run_id)
{
	const char *tmp = getenv("TMPDIR");
	char *p = NULL;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	return asprintf(&p, "%s/hb-run-prompt-%s", tmp, run_id) < 0 ? NULL : p;
}

static void
log_interrupted(struct tick *t, const struct plan_item *it)
{
	struct log_entry e = { 0 };
	char err[512], note[128], when[40], *path;

	snprintf(note, sizeof note, "the tick that ran it (pid %ld) is gone",
	    it->ts.running_pid);
	/* "gone" also when the pid now names another process (see util_pid_start) */
	e.start = it->ts.running_since;
	util_time_iso((time_t)e.start, when, sizeof when);
	e.time = when;
	e.task = it->task->name;
	e.run_id = it->ts.running_id;
	e.type = task_type_name(it->task->type);
	e.status = "interrupted";
	e.note = note;
	if (log_append(t->cfg->log, &e, err, sizeof err) != 0)
		msg_error("%s", err);
	path = prompt_path(it->ts.running_id);		/* the dead run's prompt file */
	if (path != NULL && it->ts.running_id[0] != '\0')
		unlink(path);
	free(path);
	msg_warn("%s: its last run was interrupted (the tick that ran it, pid %ld, is gone); it "
	    "runs again when due", it->task->name, it->ts.running_pid);
}

/* Under the lock: loads the state. A corrupt file is moved aside and replaced by a fresh
 * state in which every task counts from now, so that nothing runs in a burst. */
static struct state *
load_locked(struct tick *t)
{
	struct state *st = NULL;
	char err[1024], moved[4200];
	int r;

	r = state_load(t->cfg->state, &st, err, sizeof err);
	if (r == 0)
		return st;
	msg_error("%s", err);
	worse(t, r == STATE_CORRUPT ? 1 : 2);
	if (r != STATE_CORRUPT)
		return NULL;
	if (state_quarantine(t->cfg->state, (long long)t->now, moved, sizeof moved, err,
	    sizeof err) != 0) {
		msg_error("%s", err);
		return NULL;
	}
	msg_error("moved it aside to %s; starting afresh: every task counts from now", moved);
	st = state_new();
	for (size_t i = 0; st != NULL && i < t->hb->ntasks; i++)
		if (state_task_baseline(st, t->hb->tasks[i].name, (long long)t->now) != 0) {
			state_free(st);
			st = NULL;
		}
	if (st == NULL)
		msg_error("out of memory");
	return st;
}

/* Ends what a tick killed outright left running of its agent: the process group PGID
 * (its leader started at START) gets SIGTERM, then SIGKILL after the grace period. Its run
 * cannot be recorded (its tick, the reader of its reply, is gone) and would run beside the
 * next one. Bounded: it returns within the grace and a second more. */
static void
end_group(const char *what, const struct task_state *ts)
{
	pid_t pgid = (pid_t)ts->running_pgid;
	long long start = ts->running_pgid_start, until = agent_now_ms() + AGENT_KILL_GRACE_MS;
	int sig = SIGTERM;

	msg_warn("%s: the tick that ran it (pid %ld) is gone, but its agent's processes live "
	    "on (process group %ld): ending them", what, ts->running_pid, (long)pgid);
	kill(-pgid, SIGTERM);
	while (util_group_alive(pgid, start)) {
		if (agent_now_ms() >= until) {
			if (sig == SIGKILL)
				break;
			sig = SIGKILL;
			kill(-pgid, SIGKILL);
			until = agent_now_ms() + 1000;
		}
		poll(NULL, 0, 20);
	}
}

/* Before the claims: ends the leftover agent groups of dead ticks that still hold a task or
 * the main session (see end_group). Returns how many it ended. */
static int
end_leftovers(struct tick *t, const struct plan_item *items)
{
	int n = 0;

	for (size_t i = 0; i < t->hb->ntasks; i++)
		if (items[i].orphan) {
			end_group(items[i].task->name, &items[i].ts);
			n++;
		}
	if (t->session_held && claim_liveness(&t->session, t->boot, t->now) == CLAIM_GROUP) {
		end_group("the main session", &t->session);
		n++;
	}
	return n;
}

/* Under the lock: a run, baseline or claim later than now means the clock went back; the
 * schedules have ignored those times. Says so once (under cron every line is mail): the
 * latest such time is recorded in the state, and only a later one is reported again. */
static int
clock_back(struct tick *t, struct state *st, const struct plan_item *items)
{
	const char *task = NULL;
	long long seen = 0, v[3];
	char then[40], now[40];

	for (size_t i = 0; i < t->hb->ntasks; i++) {
		const struct task_state *ts = &items[i].ts;

		v[0] = ts->has_run ? ts->last_run : 0;
		v[1] = ts->has_baseline ? ts->baseline : 0;
		v[2] = ts->running ? ts->running_since : 0;
		for (int k = 0; k < 3; k++)
			if (sched_clock_back(v[k], t->now) && v[k] > seen) {
				seen = v[k];
				task = items[i].task->name;
			}
	}
	if (seen == 0 || seen <= state_clock_warned(st))
		return 0;
	util_time_iso((time_t)seen, then, sizeof then);
	util_time_iso(t->now, now, sizeof now);
	msg_warn("the clock went back: the state records %s (task %s), later than now (%s); "
	    "times from the future are ignored and such tasks are due now", then, task, now);
	return state_clock_warn(st, (long long)t->now, seen);
}

/* Under the lock: reload, re-plan, clear dead claims, claim this tick's jobs, save.
 * Returns the number of jobs claimed, or -1. */
static long
claim(struct tick *t, struct plan_item *items)
{
	struct state *st = NULL;
	char err[1024];
	size_t n;
	long ret = -1;
	int fd;

	fd = state_lock(t->lock, err, sizeof err);
	if (fd < 0) {
		msg_error("%s", err);
		worse(t, 2);
		return -1;
	}
	fileio_clean_temp(t->cfg->state);	/* left by a writer that was killed */
	st = load_locked(t);
	if (st == NULL)
		goto out;
	tick_plan(t->hb, st, t->now, t->boot, t->o->catchup, t->cfg->timezone, items);
	session_check(t, st);
	if (t->session.running && !t->session_held)	/* its run is gone */
		state_session_unclaim(st, MAIN_SESSION, t->session.running_pid);
	if (clock_back(t, st, items) != 0)
		goto oom;
	for (size_t i = 0; i < t->hb->ntasks; i++) {
		if (items[i].stale) {
			log_interrupted(t, &items[i]);
			state_task_unclaim(st, items[i].task->name);
		}
		if (items[i].needs_baseline &&
		    state_task_baseline(st, items[i].task->name, (long long)t->now) != 0)
			goto oom;
	}
	n = select_jobs(t, items, 1);	/* the plan has said it all already */
	t->pid_start = util_pid_start(getpid());
	for (size_t j = 0; j < n; j++) {
		struct job *jb = &t->jobs[j];
		const struct plan_item *it = item_of(t, items, jb->task);

		if (jb->task->sched.kind == SCHED_CRON && !jb->task->sched.cron.reboot)
			jb->slots = cron_count(&jb->task->sched.cron, it->zone,
			    it->ts.has_run ? it->ts.last_run : it->ts.baseline, (int64_t)t->now,
			    100000);
		struct claim c = { .pid = (long)getpid(), .pid_start = t->pid_start,
				   .started = (long long)t->now,
				   .run_id = jb->run_id, .boot_id = t->boot };

		if (util_uuid(jb->run_id) != 0 || util_uuid(jb->session) != 0) {
			msg_error("no random numbers for a run id: %s", strerror(errno));
			worse(t, 1);
			goto out;
		}
		jb->session_new = 1;
		if (jb->task->type == TASK_SYSTEM_EVENT) {
			const char *id = state_session(st, MAIN_SESSION, jb->session,
			    &jb->session_new);

			if (id == NULL)
				goto oom;
			snprintf(jb->session, sizeof jb->session, "%s", id);
		}
		if (it->ts.unreadable[0] != '\0')
			msg_warn("%s: task '%s': cannot read %s; taken as absent (this run replaces "
			    "it)", t->cfg->state, jb->task->name, it->ts.unreadable);
		if (state_task_claim(st, jb->task->name, &c) != 0)
			goto oom;
		/* The session is claimed for the tick's systemEvent runs, which take turns. */
		if (jb->task->type == TASK_SYSTEM_EVENT && t->session_jobs++ == 0 &&
		    state_session_claim(st, MAIN_SESSION, &c) != 0)
			goto oom;
	}
	if (state_save(st, t->cfg->state, err, sizeof err) != 0) {
		msg_error("%s; nothing was run", err);
		worse(t, 1);
		goto out;
	}
	ret = (long)n;
	goto out;
oom:
	msg_error("out of memory");
	worse(t, 1);
out:
	state_free(st);
	state_unlock(fd);
	return ret;
}

/* ---- running ------------------------------------------------------------------------ */

/* Finds template NAME: absolute, else in the workspace, else in the installed templates,
 * else next to the executable (a build tree). */
int
tick_template_path(const char *name, char *out, size_t len)
{
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (name[0] == '/' || access(name, F_OK) == 0) {
		snprintf(out, len, "%s", name);
		return access(out, F_OK);
	}
	snprintf(out, len, "%s/%s", HB_TEMPLATEDIR, name);
	if (access(out, F_OK) == 0)
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(out, len, "%s/templates/%s", exe, name);
			if (access(out, F_OK) == 0)
				return 0;
		}
	}
	snprintf(out, len, "%s", name);
	return -1;
}

static char *
env_pair(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

static void
env_free(char **env)
{
	if (env == NULL)
		return;
	for (size_t i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "HB_", 3) == 0)	/* ours; the rest belong to environ */
			free(env[i]);
	free(env);
}

/* The agent's environment: hb-run's own, minus stale HB_ run variables, plus this run's. */
static char **
job_env(struct tick *t, struct job *jb)
{
	const char *model = jb->task->model ? jb->task->model : t->cfg->model;
	const char *names[] = { "HB_TASK", "HB_TYPE", "HB_PROMPT_FILE", "HB_SESSION_ID",
		"HB_SESSION_NEW", "HB_MODEL", "HB_WORKSPACE", "HB_RUN_ID", "HB_REASON" };
	const char *values[] = { jb->task->name, task_type_name(jb->task->type),
		jb->prompt_path, jb->session, jb->session_new ? "1" : "0", model,
		t->workspace, jb->run_id, jb->reason };
	size_t n = 0, k = 0, nv = sizeof names / sizeof names[0];
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + nv + 1, sizeof *env);
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int ours = 0;

		for (size_t v = 0; v < nv; v++) {
			size_t l = strlen(names[v]);

			ours |= strncmp(environ[i], names[v], l) == 0 && environ[i][l] == '=';
		}
		if (!ours && strncmp(environ[i], "HB_", 3) != 0)
			env[k++] = environ[i];
	}
	for (size_t v = 0; v < nv; v++)
		if ((env[k++] = env_pair(names[v], values[v])) == NULL) {
			env_free(env);
			return NULL;
		}
	return env;
}

/* FD was opened write-only; the agent reads its standard input from the same file, so hand
 * back a descriptor that can do both. Returns it, or -1. */
static int
reopen_read(int fd, const char *path)
{
	int rw = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);

	close(fd);
	return rw;
}

/* Writes the prompt to a fresh 0600 file; returns its descriptor (at offset 0) or -1. */
static int
prompt_file(struct tick *t, struct job *jb, char *err, size_t errlen)
{
	char *prompt = heartbeat_prompt(t->hb, jb->task);
	size_t len, off = 0;
	int fd;

	if (prompt == NULL || (jb->prompt_path = prompt_path(jb->run_id)) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(prompt);
		return -1;
	}
	/* Named by the run id, so that the tick that finds this run's claim dead can remove
	 * it; the id is random, and O_EXCL | O_NOFOLLOW refuse anything planted there. */
	fd = open(jb->prompt_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && (fd = reopen_read(fd, jb->prompt_path)) < 0) {
		snprintf(err, errlen, "%s: %s", jb->prompt_path, strerror(errno));
		unlink(jb->prompt_path);
		free(jb->prompt_path);
		jb->prompt_path = NULL;
		free(prompt);
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", jb->prompt_path, strerror(errno));
		free(jb->prompt_path);
		jb->prompt_path = NULL;
		free(prompt);
		return -1;
	}
	len = strlen(prompt);
	while (off < len) {
		ssize_t w = write(fd, prompt + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	free(prompt);
	if (off < len || lseek(fd, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: %s", jb->prompt_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Removes the prompt file and frees what the run of JB held. */
static void
job_cleanup(struct job *jb)
{
	if (jb->prompt_path != NULL) {
		unlink(jb->prompt_path);
		free(jb->prompt_path);
		jb->prompt_path = NULL;
	}
	env_free(jb->env);
	jb->env = NULL;
}

/* Merges the outcome REC of JB into ST. An interrupted run only gives up its claim: it did
 * not happen, so the task stays due. STARTED: the template was executed. */
static int
merge_result(struct tick *t, struct state *st, const struct job *jb,
    const struct run_record *rec, int started, char *err, size_t errlen)
{
	int r;

	if (strcmp(rec->status, "interrupted") == 0)
		r = state_task_unclaim(st, jb->task->name);
	else
		r = state_task_record(st, jb->task->name, rec);
	if (r == 0 && started && jb->task->type == TASK_SYSTEM_EVENT)
		r = state_session_mark_used(st, MAIN_SESSION, jb->session);
	if (jb->task->type == TASK_SYSTEM_EVENT && t->session_jobs > 0 && --t->session_jobs == 0)
		state_session_unclaim(st, MAIN_SESSION, (long)getpid());
	if (r != 0)
		snprintf(err, errlen, "out of memory");
	return r;
}

static void record(struct tick *t, struct job *jb, const struct agent_result *res,
    const char *why_not_started);

/* Under the lock: adds the agent's process group to the claims of JB (and of the main
 * session for a systemEvent), so that they stay live while it does, should this tick be
 * killed outright. Without it the claims still hold while the tick lives. */
static void
claim_group(struct tick *t, struct job *jb)
{
	pid_t pgid = agent_pid(jb->agent);
	long long start = util_pid_start(pgid);
	struct state *st = NULL;
	char err[1024];
	int fd, r;

	fd = state_lock(t->lock, err, sizeof err);
	if (fd < 0)
		return;
	if (state_load(t->cfg->state, &st, err, sizeof err) != 0) {
		state_unlock(fd);
		return;		/* record() deals with a state file gone bad */
	}
	r = state_task_claim_group(st, jb->task->name, jb->run_id, (long)pgid, start);
	if (r == 0 && jb->task->type == TASK_SYSTEM_EVENT) {
		struct claim c = { .pid = (long)getpid(), .pid_start = t->pid_start,
				   .started = jb->started, .run_id = jb->run_id,
				   .boot_id = t->boot, .pgid = (long)pgid, .pgid_start = start };

		r = state_session_claim(st, MAIN_SESSION, &c);
	}
	if (r != 0 || state_save(st, t->cfg->state, err, sizeof err) != 0)
		msg_warn("%s: its process group is not in its claim: %s", jb->task->name,
		    r != 0 ? "out of memory" : err);
	state_free(st);
	state_unlock(fd);
}

/* Starts job JB; on failure records it as an error at once. Returns 0 if it runs. */
static int
start_job(struct tick *t, struct job *jb)
{
	const char *tpl = jb->task->type == TASK_SYSTEM_EVENT ? t->cfg->system_event :
	    t->cfg->agent_turn;
	long long timeout = jb->task->timeout ? jb->task->timeout : t->cfg->timeout;
	struct agent_spec spec;
	char path[PATH_MAX], err[PATH_MAX + 128];
	int fd;

	jb->started = (long long)time(NULL);
	if (tick_template_path(tpl, path, sizeof path) != 0) {
		snprintf(err, sizeof err, "agent template %s not found (looked in the workspace, "
		    HB_TEMPLATEDIR " and next to hb-run)", tpl);
		record(t, jb, NULL, err);
		return -1;
	}
	if (util_check_trusted(path, err, sizeof err) != 0) {
		record(t, jb, NULL, err);
		return -1;
	}
	fd = prompt_file(t, jb, err, sizeof err);
	if (fd < 0) {
		record(t, jb, NULL, err);
		job_cleanup(jb);
		return -1;
	}
	/* systemEvent runs take turns (may_start): once one has run, the session exists. */
	if (jb->task->type == TASK_SYSTEM_EVENT && t->session_used)
		jb->session_new = 0;
	jb->env = job_env(t, jb);
	if (jb->env == NULL) {
		close(fd);
		record(t, jb, NULL, "out of memory");
		job_cleanup(jb);
		return -1;
	}
	spec.path = path;
	spec.env = jb->env;
	spec.stdin_fd = fd;
	spec.timeout_ms = timeout > LLONG_MAX / 1000 ? LLONG_MAX : timeout * 1000;
	msg_note("%s: starting %s (%s)", jb->task->name, path, jb->reason);
	jb->agent = agent_start(&spec, err, sizeof err);
	close(fd);
	if (jb->agent == NULL) {
		record(t, jb, NULL, err);
		job_cleanup(jb);
		return -1;
	}
	claim_group(t, jb);
	return 0;
}

/* Shows a reply on standard output, made printable (no NUL cuts it, no escape sequence
 * reaches the terminal). Returns 0, or -1 with the reason in ERR when it could not be
 * written whole (a full disk, a reader gone): then it counts as not delivered. */
static int
deliver(struct tick *t, const struct job *jb, const char *text, size_t len, char *err,
    size_t errlen)
{
	char *safe = NULL, *block = NULL;
	int n, ret = -1;

	safe = text_printable(text, len, &len);
	/* A blank line between replies; one write so that the block stays whole. */
	n = safe == NULL ? -1 : asprintf(&block, "%s=== %s ===\n%s\n", t->delivered ? "\n" : "",
	    jb->task->name, safe);
	if (n < 0) {
		block = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fflush(stdout);		/* whatever stdio holds goes first */
	for (size_t off = 0; off < (size_t)n;) {
		ssize_t w = write(STDOUT_FILENO, block + off, (size_t)n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s", strerror(w < 0 ? errno : ENOSPC));
			goto out;
		}
		off += (size_t)w;
	}
	t->delivered++;
	ret = 0;
out:
	free(block);
	free(safe);
	return ret;
}

/* Under the lock: an at task is done when its run succeeded, or when it failed for the
 * SCHED_AT_MAX_ATTEMPTS-th time in a row (said once, here); until then the backoff retries
 * it. DONE_AT names the instant, so that a changed time runs again. */
static void
at_done(struct tick *t, struct state *st, const struct job *jb, struct run_record *rec)
{
	const struct task *task = jb->task;
	struct task_state ts;
	char err[512];
	const struct tz *z = zone_get(task->tz ? task->tz : t->cfg->timezone, err, sizeof err);

	if (z == NULL)
		z = zone_get("UTC", err, sizeof err);
	rec->done_at = (long long)sched_at_instant(&task->sched, z);
	if (strcmp(rec->status, "ok") == 0) {
		rec->done = 1;
		return;
	}
	if (strcmp(rec->status, "interrupted") == 0)
		return;
	state_task_get(st, task->name, &ts);
	if (ts.consecutive_errors + 1 >= SCHED_AT_MAX_ATTEMPTS) {
		rec->done = 1;
		msg_error("%s: failed %lld times in a row; giving up on it (change its at: time "
		    "to run it again)", task->name, ts.consecutive_errors + 1);
	}
}

/* Under the lock: merge the result into a fresh state, save it, log the run. */
static void
record(struct tick *t, struct job *jb, const struct agent_result *res,
    const char *why_not_started)
{
	enum reply_verdict verdict = REPLY_EMPTY;
	struct run_record rec = { 0 };
	struct log_entry e = { 0 };
	struct state *st = NULL;
	char err[1024], dur[32], when[40], *text = NULL, derr[256], dnote[320];
	size_t tlen = 0;
	int fd, unsaved = 0, undelivered = 0;

	rec.tick_start = (long long)t->now;
	if (jb->task->sched.kind == SCHED_CRON && jb->task->sched.cron.reboot)
		rec.boot_id = t->boot;
	if (why_not_started != NULL || res->exec_failed) {
		rec.status = "error";
		msg_error("%s: %s", jb->task->name,
		    why_not_started ? why_not_started : res->exec_error);
	} else if (caught != 0 && !(res->has_exit && res->exit_code == 0)) {
		rec.status = "interrupted";
		msg_error("%s: interrupted by signal %d; it runs again when due", jb->task->name,
		    (int)caught);
	} else if (res->timed_out) {
		char limit[32];

		rec.status = "timeout";
		duration_format(jb->task->timeout ? jb->task->timeout : t->cfg->timeout, limit,
		    sizeof limit);
		util_duration_ms(res->duration_ms, dur, sizeof dur);
		msg_error("%s: timed out after %s; its process group was ended (after %s)",
		    jb->task->name, limit, dur);
	} else if (res->has_exit && res->exit_code == 0) {
		rec.status = "ok";
	} else {
		rec.status = "error";
		util_duration_ms(res->duration_ms, dur, sizeof dur);
		if (res->has_exit)
			msg_error("%s: the agent failed with exit status %d after %s",
			    jb->task->name, res->exit_code, dur);
		else
			msg_error("%s: the agent was killed by signal %d after %s", jb->task->name,
			    res->signal, dur);
	}
	if (res != NULL && strcmp(rec.status, "ok") != 0 && res->err_len > 0)
		msg_detail(res->err, res->err_len, STDERR_LINES);
	if (res != NULL && !res->exec_failed) {
		if (reply_classify(res->out, res->out_len, (size_t)t->cfg->ack_max_chars, &verdict,
		    &text, &tlen) != 0)
			msg_error("%s: out of memory classifying the reply", jb->task->name);
		rec.reply = reply_verdict_name(verdict);
		if (verdict == REPLY_DELIVER && deliver(t, jb, text, tlen, derr, sizeof derr) != 0) {
			msg_error("%s: the reply could not be written to standard output: %s; it is "
			    "kept in the log", jb->task->name, derr);
			snprintf(dnote, sizeof dnote, "the reply could not be written to standard "
			    "output: %s", derr);
			rec.reply = "undelivered";
			undelivered = 1;
		} else if (verdict != REPLY_DELIVER)
			msg_note("%s: reply suppressed (%s)", jb->task->name, rec.reply);
		rec.has_exit = res->has_exit;
		rec.exit_code = res->exit_code;
		rec.duration_ms = res->duration_ms;
	}
	worse(t, strcmp(rec.status, "ok") == 0 && !undelivered ? 0 : 1);

	fd = state_lock(t->lock, err, sizeof err);
	if (fd < 0) {
		msg_error("%s: the run of %s is not recorded", err, jb->task->name);
		worse(t, 1);
		goto out;
	}
	st = load_locked(t);
	if (st != NULL && jb->task->sched.kind == SCHED_AT)
		at_done(t, st, jb, &rec);
	if (st == NULL || merge_result(t, st, jb, &rec, res != NULL && !res->exec_failed, err,
	    sizeof err) != 0 || state_save(st, t->cfg->state, err, sizeof err) != 0) {
		msg_error("%s: the run of %s is not recorded", st ? err : "no state",
		    jb->task->name);
		worse(t, 1);
		unsaved = 1;
	}
	e.start = jb->started;
	util_time_iso((time_t)e.start, when, sizeof when);
	e.time = when;
	e.task = jb->task->name;
	e.run_id = jb->run_id;
	e.type = task_type_name(jb->task->type);
	e.reason = jb->reason;
	e.slots = jb->slots;
	e.status = rec.status;
	e.note = why_not_started ? why_not_started : (res->exec_failed ? res->exec_error : NULL);
	if (undelivered && e.note == NULL)
		e.note = dnote;
	if (unsaved && e.note == NULL)
		e.note = "the result could not be saved in the state file: the task runs again";
	if (res != NULL) {
		e.has_exit = res->has_exit;
		e.exit_code = res->exit_code;
		e.signal = res->signal;
		e.duration_ms = res->duration_ms;
		e.verdict = res->exec_failed ? NULL : rec.reply;
		e.reply = res->out;
		e.reply_len = res->out_len;
		e.reply_total = res->out_total;
		e.stderr_text = res->err;
		e.stderr_len = res->err_len;
	}
	if (log_append(t->cfg->log, &e, err, sizeof err) != 0) {
		msg_error("%s", err);
		worse(t, 1);
	}
	state_unlock(fd);
out:
	state_free(st);
	free(text);
}

static void
finish_job(struct tick *t, struct job *jb)
{
	struct agent_result res;

	agent_finish(jb->agent, &res);
	jb->agent = NULL;
	if (jb->task->type == TASK_SYSTEM_EVENT && !res.exec_failed)
		t->session_used = 1;
	if (res.duration_ms >= 0)
		msg_note("%s: finished in %lld ms", jb->task->name, res.duration_ms);
	record(t, jb, &res, NULL);
	agent_result_free(&res);
	job_cleanup(jb);
}

/* Two systemEvent runs would share the main session: they take turns. */
static int
may_start(const struct tick *t, const struct job *jb, struct job **running, size_t nrun)
{
	(void)t;
	if (jb->task->type != TASK_SYSTEM_EVENT)
		return 1;
	for (size_t i = 0; i < nrun; i++)
		if (running[i]->task->type == TASK_SYSTEM_EVENT)
			return 0;
	return 1;
}

/* Under the lock: gives the claims of jobs that never started back (a signal came first). */
static void
unclaim_unstarted(struct tick *t, const char *started, size_t njobs)
{
	struct state *st;
	char err[1024];
	int fd, any = 0;

	for (size_t j = 0; j < njobs; j++)
		any |= !started[j];
	if (!any || (fd = state_lock(t->lock, err, sizeof err)) < 0)
		return;
	st = load_locked(t);
	for (size_t j = 0; st != NULL && j < njobs; j++) {
		if (started[j])
			continue;
		state_task_unclaim(st, t->jobs[j].task->name);
		if (t->jobs[j].task->type == TASK_SYSTEM_EVENT && t->session_jobs > 0 &&
		    --t->session_jobs == 0)
			state_session_unclaim(st, MAIN_SESSION, (long)getpid());
	}
	if (st != NULL && state_save(st, t->cfg->state, err, sizeof err) != 0)
		msg_error("%s", err);
	state_free(st);
	state_unlock(fd);
}

/* hb-run is the child subreaper of its agents: a process that left its agent's group and
 * outlived it ends up as our child. Once no agent runs, whatever is left is ended (SIGTERM,
 * then SIGKILL) and reaped, so no orphan outlives the tick. */
static void
end_orphans(void)
{
	long long until = agent_now_ms() + AGENT_KILL_GRACE_MS;
	int sig = SIGTERM;
	char path[64];

	snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
	for (;;) {
		FILE *f = fopen(path, "re");
		int pid, any = 0;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;	/* orphans that ended already */
		if (f == NULL)
			return;
		while (fscanf(f, "%d", &pid) == 1) {
			kill(pid, sig);
			any = 1;
		}
		fclose(f);
		if (!any || sig == SIGKILL)
			break;
		if (agent_now_ms() >= until)
			sig = SIGKILL;
		else
			poll(NULL, 0, 50);
	}
	while (waitpid(-1, NULL, sig == SIGKILL ? 0 : WNOHANG) > 0)
		;
}

static void
run_jobs(struct tick *t, size_t njobs)
{
	size_t max = (size_t)t->cfg->max_concurrent, nrun = 0, left = njobs;
	struct agent **agents = calloc(max, sizeof *agents);
	struct job **running = calloc(max, sizeof *running);
	long long stagger = t->o->catchup ? t->cfg->catchup_stagger * 1000 : 0;
	long long next_start = 0;
	char *started = calloc(njobs + 1, 1);
	int stopping = 0;

	if (agents == NULL || running == NULL || started == NULL) {
		msg_error("out of memory");
		worse(t, 1);
		goto out;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	while ((left > 0 && !stopping) || nrun > 0) {
		long long now = agent_now_ms(), wait = -1;
		int idx;

		if (caught != 0 && !stopping) {
			stopping = 1;
			agent_terminate(agents, nrun);
			unclaim_unstarted(t, started, njobs);
		}
		for (size_t j = 0; j < njobs && !stopping && nrun < max && now >= next_start; j++) {
			if (started[j] || !may_start(t, &t->jobs[j], running, nrun))
				continue;
			started[j] = 1;
			left--;
			if (start_job(t, &t->jobs[j]) != 0)
				continue;
			agents[nrun] = t->jobs[j].agent;
			running[nrun++] = &t->jobs[j];
			if (stagger > 0) {
				next_start = now + stagger;
				break;
			}
		}
		if (left > 0 && !stopping && nrun < max && next_start > now)
			wait = next_start - now;
		if (nrun == 0) {
			if (wait > 0)
				poll(NULL, 0, agent_poll_ms(wait));
			continue;
		}
		idx = agent_wait(agents, nrun, wait);
		if (idx < 0)
			continue;
		finish_job(t, running[idx]);
		agents[idx] = agents[nrun - 1];
		running[idx] = running[nrun - 1];
		nrun--;
	}
	end_orphans();
out:
	free(agents);
	free(running);
	free(started);
}

int
tick_run(const struct config *cfg, const struct heartbeat *hb, const char *workspace,
    const struct tick_opts *opts, struct state *st)
{
	struct plan_item *items = NULL;
	struct tick t;
	char err[1024];
	size_t n;
	long claimed;
	int corrupt = 0;

	memset(&t, 0, sizeof t);
	t.cfg = cfg;
	t.hb = hb;
	t.workspace = workspace;
	t.o = opts;
	t.now = time(NULL);
	util_boot_id(t.boot);
	if (state_lock_path(cfg->state, t.lock, sizeof t.lock) != 0)
		snprintf(t.lock, sizeof t.lock, "%s", LOCK_FILE);
	items = calloc(hb->ntasks + 1, sizeof *items);
	t.jobs = calloc(hb->ntasks + opts->nnames + 1, sizeof *t.jobs);
	if (items == NULL || t.jobs == NULL) {
		msg_error("out of memory");
		t.status = 1;
		goto out;
	}

	/* The plan, without the lock: most ticks end here. A corrupt state file is dealt with
	 * under the lock, in claim(). */
	switch (st != NULL ? 0 : state_load(cfg->state, &st, err, sizeof err)) {
	case 0:
		break;
	case STATE_CORRUPT:
		if (!opts->dry_run) {
			st = state_new();	/* plan on nothing; claim() sets it right */
			corrupt = 1;
			break;
		}
		/* FALLTHROUGH */
	default:
		msg_error("%s", err);
		t.status = 2;
		goto out;
	}
	if (st == NULL) {
		msg_error("out of memory");
		t.status = 1;
		goto out;
	}
	tick_plan(hb, st, t.now, t.boot, opts->catchup, cfg->timezone, items);
	session_check(&t, st);
	if (!opts->dry_run && end_leftovers(&t, items) > 0) {
		tick_plan(hb, st, t.now, t.boot, opts->catchup, cfg->timezone, items);
		session_check(&t, st);
	}
	n = select_jobs(&t, items, opts->dry_run || corrupt);
	if (opts->dry_run) {
		dry_run(&t, items, n);
		goto out;
	}
	if (n == 0) {
		int first_sight = 0;

		for (size_t i = 0; i < hb->ntasks; i++)
			first_sight |= items[i].needs_baseline;
		if (!first_sight && !corrupt)
			goto out;	/* the usual tick: nothing to do, nothing written */
	}

	catch_signals();
	claimed = claim(&t, items);
	if (claimed > 0 && caught == 0)
		run_jobs(&t, (size_t)claimed);
	else if (claimed > 0) {
		char *none = calloc((size_t)claimed, 1);	/* a signal came first */

		if (none != NULL)
			unclaim_unstarted(&t, none, (size_t)claimed);
		free(none);
	}
	if (caught != 0)
		t.status = 128 + caught;
out:
	state_free(st);
	free(items);
	free(t.jobs);
	return t.status;
}
