/* plan.h - which tasks are due and which of them a tick runs, from the state at one instant,
 * without the lock: the tick, its dry run (-n) and status share it. Included by the tick's
 * stages (runner/) and by cmd/status.c. */
#ifndef HB_PLAN_H
#define HB_PLAN_H

#include <stddef.h>
#include <time.h>

#include "state/state.h"
#include "tasks/heartbeat.h"

/* What the plan says of one task at one instant. */
struct plan_item {
	const struct task *task;
	struct task_state ts;
	int due;		/* its schedule says run */
	time_t next;		/* when it is or becomes due; -1: never */
	int held;		/* a live tick, or its agent's processes, run it now */
	int orphan;		/* held only by the agent's process group: its tick is gone */
	int stale;		/* claimed by a tick that is gone */
	int needs_baseline;	/* a cron task seen for the first time */
	int outside;		/* due, but outside its active_hours: it waits, still due */
	const struct tz *zone;	/* cron and at tasks: their zone */
	int paused;		/* hb-run pause TASK: a tick leaves it (due or not) ... */
	long long paused_until;	/* ... until then; 0: until resumed */
};

/* Fills ITEMS (hb->ntasks of them) from ST at NOW. BOOT is this boot's id; CATCHUP: this is
 * hb-run --catchup (which runs @reboot tasks); ZONE: the configured default zone name. */
void plan_make(const struct heartbeat *hb, const struct state *st, time_t now,
    const char *boot, int catchup, const char *zone, struct plan_item *items);

/* ---- for the tick's stages (they include runner/context.h) ---- */

struct tick;

enum plan_claim {
	CLAIM_DEAD,		/* no claim, or its tick and its agent are gone */
	CLAIM_TICK,		/* the tick that made it runs */
	CLAIM_GROUP,		/* that tick is gone, its agent's process group lives on */
};

/* How live the claim in TS (its running_* fields) is, in boot BOOT, at NOW. */
enum plan_claim plan_liveness(const struct task_state *ts, const char *boot, time_t now);
/* The plan item of TASK, one of t->hb->tasks: plan_make makes items[i] for hb->tasks[i]. */
const struct plan_item *plan_item_of(const struct tick *t, const struct plan_item *items,
    const struct task *task);
/* Looks at the main session's claim in ST: t->session, t->session_held. */
void plan_session(struct tick *t, const struct state *st);
/* Chooses the jobs of this tick (t->jobs) from the plan; QUIET: say nothing of those left
 * out. Returns the number chosen. */
size_t plan_select(struct tick *t, const struct plan_item *items, int quiet);
/* -n: prints what would run (the NJOBS chosen) and why the rest would not. */
void plan_dry_run(struct tick *t, const struct plan_item *items, size_t njobs);

#endif
