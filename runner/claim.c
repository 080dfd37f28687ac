/* claim.c - claiming: under the lock, a tick reloads the state, clears the claims of ticks
 * that are gone (ending what they left running, logging their runs as interrupted), marks its
 * own jobs claimed and saves, so that no other tick runs them; and gives back what it did not
 * start. The lock is never held while an agent runs. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/claim.h"
#include "runner/context.h"
#include "runner/job.h"
#include "runner/msg.h"
#include "runner/plan.h"
#include "runner/platform.h"
#include "runner/supervise.h"
#include "runner/util.h"
#include "state/fileio.h"
#include "state/log.h"
#include "state/state.h"

static void
log_interrupted(struct tick *t, const struct plan_item *it)
{
	struct log_entry e = { 0 };
	char err[512], note[128], when[40], *path;

	snprintf(note, sizeof note, "the tick that ran it (pid %ld) is gone",
	    it->ts.running_pid);
	/* "gone" also when the pid now names another process (see platform_pid_start) */
	e.start = it->ts.running_since;
	util_time_iso((time_t)e.start, when, sizeof when);
	e.time = when;
	e.task = it->task->name;
	e.run_id = it->ts.running_id;
	e.type = task_type_name(it->task->type);
	e.status = run_status_name(RUN_INTERRUPTED);
	e.note = note;
	if (log_append(t->cfg->log, &e, err, sizeof err) != 0)
		msg(MSG_TROUBLE, NULL, 0, "%s", err);
	path = job_prompt_path(it->ts.running_id);		/* the dead run's prompt file */
	if (path != NULL && it->ts.running_id[0] != '\0')
		unlink(path);
	free(path);
	msg_warn("%s: its last run was interrupted (the tick that ran it, pid %ld, is gone); it "
	    "runs again when due", it->task->name, it->ts.running_pid);
}

/* Under the lock: loads the state. A corrupt file is moved aside and replaced by a fresh
 * state in which every task counts from now, so that nothing runs in a burst. */
struct state *
claim_load_locked(struct tick *t)
{
	struct state *st = NULL;
	char err[1024], moved[4200];
	int r;

	r = state_load(t->cfg->state, &st, err, sizeof err);
	if (r == 0)
		return st;
	msg(r == STATE_CORRUPT ? MSG_FAILURE : MSG_ERROR, NULL, 0, "%s", err);
	tick_worse(t, r == STATE_CORRUPT ? 1 : 2);
	if (r != STATE_CORRUPT)
		return NULL;
	if (state_quarantine(t->cfg->state, (long long)t->now, moved, sizeof moved, err,
	    sizeof err) != 0) {
		msg_fail("%s", err);
		return NULL;
	}
	msg_fail("moved it aside to %s; starting afresh: every task counts from now", moved);
	st = state_new();
	for (size_t i = 0; st != NULL && i < t->hb->ntasks; i++)
		if (state_task_baseline(st, t->hb->tasks[i].name, (long long)t->now) != 0) {
			state_free(st);
			st = NULL;
		}
	if (st == NULL)
		msg_fail("out of memory");
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
	long long start = ts->running_pgid_start, until = child_now_ms() + CHILD_KILL_GRACE_MS;
	int sig = SIGTERM;

	msg_warn("%s: the tick that ran it (pid %ld) is gone, but its agent's processes live "
	    "on (process group %ld): ending them", what, ts->running_pid, (long)pgid);
	kill(-pgid, SIGTERM);
	while (platform_group_alive(pgid, start)) {
		if (child_now_ms() >= until) {
			if (sig == SIGKILL)
				break;
			sig = SIGKILL;
			kill(-pgid, SIGKILL);
			until = child_now_ms() + 1000;
		}
		poll(NULL, 0, 20);
	}
}

/* Before the claims: ends the leftover agent groups of dead ticks that still hold a task or
 * the main session (see end_group). Returns how many it ended. */
int
claim_end_leftovers(struct tick *t, const struct plan_item *items)
{
	int n = 0;

	for (size_t i = 0; i < t->hb->ntasks; i++)
		if (items[i].orphan) {
			end_group(items[i].task->name, &items[i].ts);
			n++;
		}
	if (t->session_held && plan_liveness(&t->session, t->boot, t->now) == CLAIM_GROUP) {
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
long
claim_jobs(struct tick *t, struct plan_item *items)
{
	struct state *st = NULL;
	char err[1024];
	size_t n;
	long ret = -1;
	int fd;

	fd = state_lock(t->lock, err, sizeof err);
	if (fd < 0) {
		msg_error("%s", err);
		tick_worse(t, 2);
		return -1;
	}
	fileio_clean_temp(t->cfg->state);	/* left by a writer that was killed */
	st = claim_load_locked(t);
	if (st == NULL)
		goto out;
	plan_make(t->hb, st, t->now, t->boot, t->o->catchup, t->cfg->timezone, items);
	plan_session(t, st);
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
	n = plan_select(t, items, 1);	/* the plan has said it all already */
	t->pid_start = platform_pid_start(getpid());
	for (size_t j = 0; j < n; j++) {
		struct job *jb = &t->jobs[j];
		const struct plan_item *it = plan_item_of(t, items, jb->task);

		if (jb->task->sched.kind == SCHED_CRON && !jb->task->sched.cron.reboot)
			jb->slots = cron_count(&jb->task->sched.cron, it->zone,
			    it->ts.has_run ? it->ts.last_run : it->ts.baseline, (int64_t)t->now,
			    100000);
		struct claim c = { .pid = (long)getpid(), .pid_start = t->pid_start,
				   .started = (long long)t->now,
				   .run_id = jb->run_id, .boot_id = t->boot };

		if (util_uuid(jb->run_id) != 0 || util_uuid(jb->session) != 0) {
			msg_fail("no random numbers for a run id: %s", strerror(errno));
			tick_worse(t, 1);
			goto out;
		}
		jb->session_new = 1;
		if (jb->task->type == TASK_SYSTEM_EVENT) {
			const char *id = state_session(st, MAIN_SESSION, jb->session,
			    &jb->session_new);

			if (id == NULL)
				goto oom;
			snprintf(jb->session, sizeof jb->session, "%s", id);
			id = state_session_agent(st, MAIN_SESSION, jb->agent->name);
			snprintf(jb->agent_session, sizeof jb->agent_session, "%s", id ? id : "");
			state_session_agent_totals(st, MAIN_SESSION, jb->agent->name, id,
			    jb->agent_totals);
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
	if (state_save_claims(st, t->cfg->state, err, sizeof err) != 0) {
		msg_fail("%s; nothing was run", err);
		tick_worse(t, 1);
		goto out;
	}
	ret = (long)n;
	goto out;
oom:
	msg_fail("out of memory");
	tick_worse(t, 1);
out:
	state_free(st);
	state_unlock(fd);
	return ret;
}

/* Under the lock: adds the agent's process group to the claims of JB (and of the main
 * session for a systemEvent), so that they stay live while it does, should this tick be
 * killed outright. Without it the claims still hold while the tick lives. */
void
claim_group(struct tick *t, struct job *jb)
{
	pid_t pgid = child_pid(jb->child);
	long long start = platform_pid_start(pgid);
	struct state *st = NULL;
	char err[1024];
	int fd, r;

	fd = state_lock(t->lock, err, sizeof err);
	if (fd < 0)
		return;
	if (state_load(t->cfg->state, &st, err, sizeof err) != 0) {
		state_unlock(fd);
		return;		/* record_run() deals with a state file gone bad */
	}
	r = jb->nmembers > 0 ? 0 :
	    state_task_claim_group(st, jb->task->name, jb->run_id, (long)pgid, start);
	for (size_t i = 0; r == 0 && i < jb->nmembers; i++)	/* a batch */
		r = state_task_claim_group(st, jb->members[i].task->name, jb->members[i].run_id,
		    (long)pgid, start);
	if (r == 0 && jb->task->type == TASK_SYSTEM_EVENT) {
		struct claim c = { .pid = (long)getpid(), .pid_start = t->pid_start,
				   .started = jb->started, .run_id = jb->run_id,
				   .boot_id = t->boot, .pgid = (long)pgid, .pgid_start = start };

		r = state_session_claim(st, MAIN_SESSION, &c);
	}
	if (r != 0 || state_save_claims(st, t->cfg->state, err, sizeof err) != 0)
		msg_warn("%s: its process group is not in its claim: %s", jb->task->name,
		    r != 0 ? "out of memory" : err);
	state_free(st);
	state_unlock(fd);
}

/* Under the lock: gives the claims of jobs that never started back (a signal came first). */
void
claim_release_unstarted(struct tick *t, const char *started, size_t njobs)
{
	struct state *st;
	char err[1024];
	int fd, any = 0;

	for (size_t j = 0; j < njobs; j++)
		any |= !started[j];
	if (!any || (fd = state_lock(t->lock, err, sizeof err)) < 0)
		return;
	st = claim_load_locked(t);
	for (size_t j = 0; st != NULL && j < njobs; j++) {
		if (started[j])
			continue;
		for (size_t i = 0; i < t->jobs[j].nmembers; i++)	/* a batch */
			state_task_unclaim(st, t->jobs[j].members[i].task->name);
		if (t->jobs[j].nmembers == 0)
			state_task_unclaim(st, t->jobs[j].task->name);
		if (t->jobs[j].task->type == TASK_SYSTEM_EVENT && t->session_jobs > 0 &&
		    --t->session_jobs == 0)
			state_session_unclaim(st, MAIN_SESSION, (long)getpid());
	}
	if (st != NULL && state_save_claims(st, t->cfg->state, err, sizeof err) != 0)
		msg_fail("%s", err);
	state_free(st);
	state_unlock(fd);
}
