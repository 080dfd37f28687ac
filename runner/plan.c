/* plan.c - the plan: which tasks are due at one instant and whether a live run holds them,
 * then which of them this tick runs (file order; --catchup: the most overdue first, at most
 * catchup_max), and the dry run that says so. Reads the state, never writes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/context.h"
#include "runner/msg.h"
#include "runner/plan.h"
#include "runner/platform.h"
#include "runner/util.h"
#include "runner/zone.h"
#include "tasks/hours.h"

/* Whether the claim in TS (its running_* fields) is live, in boot BOOT: its tick runs (its
 * pid names the process with the recorded start time, and is not us: a pid reused by this
 * very tick is a dead claim), or, that tick gone, its agent's process group still has a live
 * process (a tick killed outright leaves it behind). */
enum plan_claim
plan_liveness(const struct task_state *ts, const char *boot, time_t now)
{
	int same_boot = boot[0] == '\0' || ts->running_boot[0] == '\0' ||
	    strcmp(boot, ts->running_boot) == 0;

	if (!ts->running || !same_boot)
		return CLAIM_DEAD;
	/* A claim from the future (the clock went back) with no start time to check its pid
	 * against is not believed. */
	if (ts->running_pid_start == 0 && sched_clock_back(ts->running_since, now))
		return CLAIM_DEAD;
	if (ts->running_pid != (long)getpid() &&
	    platform_pid_is((pid_t)ts->running_pid, ts->running_pid_start))
		return CLAIM_TICK;
	if (ts->running_pgid > 0 && platform_group_alive((pid_t)ts->running_pgid,
	    ts->running_pgid_start))
		return CLAIM_GROUP;
	return CLAIM_DEAD;
}

void
plan_make(const struct heartbeat *hb, const struct state *st, time_t now, const char *boot,
    int catchup, const char *zone, struct plan_item *items)
{
	for (size_t i = 0; i < hb->ntasks; i++) {
		struct plan_item *it = &items[i];
		const struct task *t = &hb->tasks[i];
		struct sched_past past = { 0 };
		struct state_pause pause;
		char err[512];

		memset(it, 0, sizeof *it);
		it->task = t;
		if (t->oneshot != NULL && !state_oneshot_has(st, t->oneshot)) {
			it->next = (time_t)-1;	/* ran, or cancelled, since the plan was made */
			continue;
		}
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
		state_pause_get(st, t->name, (long long)now, &pause);
		it->paused = pause.paused;
		it->paused_until = pause.until;
		if (it->due && t->has_active) {
			/* the zone is loaded only now: the usual tick pays nothing for it */
			const struct tz *z = it->zone ? it->zone : zone_get(t->tz ? t->tz : zone, err,
			    sizeof err);

			if (z == NULL)
				z = zone_get("UTC", err, sizeof err);
			if (z != NULL && !hours_inside(&t->active, z, (int64_t)now)) {
				it->due = 0;
				it->outside = 1;
			}
		}
		if (it->ts.running) {
			int live = plan_liveness(&it->ts, boot, now);

			it->held = live != CLAIM_DEAD;
			it->orphan = live == CLAIM_GROUP;
			it->stale = live == CLAIM_DEAD;
		}
	}
}

const struct plan_item *
plan_item_of(const struct tick *t, const struct plan_item *items, const struct task *task)
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
	t->jobs[*n].agent = config_agent(t->cfg, task->agent);	/* main.c checked it */
	if (t->jobs[*n].agent == NULL)	/* a one-shot's agent, gone from the configuration */
		t->jobs[*n].agent = config_agent(t->cfg, NULL);
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
void
plan_session(struct tick *t, const struct state *st)
{
	state_session_claim_get(st, MAIN_SESSION, &t->session);
	t->session_held = plan_liveness(&t->session, t->boot, t->now) != CLAIM_DEAD;
}

/* Chooses the jobs of this tick from the plan. Returns the number chosen. */
size_t
plan_select(struct tick *t, const struct plan_item *items, int quiet)
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
						msg(MSG_TROUBLE, NULL, 0, "%s is already running (pid %ld)",
						    it->task->name, it->ts.running_pid);
					break;
				}
				if (session_busy(t, it->task)) {
					if (!quiet)
						msg(MSG_TROUBLE, NULL, 0, "%s: the main session is in use by "
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

		if (!it->due || it->paused)	/* a paused task stays due */
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

void
plan_dry_run(struct tick *t, const struct plan_item *items, size_t njobs)
{
	char when[40], sched[64], *chosen = calloc(t->hb->ntasks + 1, 1);

	if (chosen == NULL) {
		msg(MSG_TROUBLE, NULL, 0, "out of memory");
		return;
	}
	for (size_t j = 0; j < njobs; j++) {
		const struct plan_item *it = plan_item_of(t, items, t->jobs[j].task);

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
		/* cheap first: its agent starts only if the check finds something */
		if (it->task->check != NULL)
			printf("  check first: %s%s%s\n", it->task->check,
			    it->task->triage != NULL ? "; then the triage by agent " : "",
			    it->task->triage != NULL ? (t->cfg->triage_agent[0] ?
			    t->cfg->triage_agent : "(none)") : "");
	}
	for (size_t i = 0; i < t->hb->ntasks; i++) {
		const struct plan_item *it = &items[i];

		if (chosen[i])
			continue;
		if (it->held) {
			printf("skip %s: running in another tick (pid %ld)\n", it->task->name,
			    it->ts.running_pid);
		} else if (!it->task->enabled && it->task->sched.kind == SCHED_INTERVAL &&
		    it->task->sched.interval == 0) {
			printf("skip %s: off (every: 0)\n", it->task->name);
		} else if (!it->task->enabled) {
			printf("skip %s: disabled\n", it->task->name);
		} else if (it->paused && it->paused_until > 0) {
			util_time_iso((time_t)it->paused_until, when, sizeof when);
			printf("skip %s: paused until %s%s\n", it->task->name, when,
			    it->due ? " (due)" : "");
		} else if (it->paused) {
			printf("skip %s: paused until resumed%s\n", it->task->name,
			    it->due ? " (due)" : "");
		} else if (it->outside) {
			char win[32], from[16];

			printf("skip %s: outside its active hours %s until %s\n", it->task->name,
			    hours_format(&it->task->active, win, sizeof win),
			    hours_start_text(&it->task->active, from, sizeof from));
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
