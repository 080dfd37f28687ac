/* tick.h - one tick: plan which tasks are due, claim them under the lock, run them, record
 * each result. Also the plan alone, for "status" and dry runs. Used by main. */
#ifndef HB_TICK_H
#define HB_TICK_H

#include <stddef.h>
#include <time.h>

#include "runner/config.h"
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
	const struct tz *zone;	/* cron and at tasks: their zone */
};

/* Fills ITEMS (hb->ntasks of them) from ST at NOW. BOOT is this boot's id; CATCHUP: this is
 * hb-run --catchup (which runs @reboot tasks); ZONE: the configured default zone name. */
void tick_plan(const struct heartbeat *hb, const struct state *st, time_t now,
    const char *boot, int catchup, const char *zone, struct plan_item *items);

/* The workspace lock (state_lock), held around every read-modify-write of the state. */
#define TICK_LOCK_FILE ".heartbeat.lock"

struct tick_opts {
	int catchup;		/* --catchup: a bounded, staggered start after downtime */
	int dry_run;		/* -n: say what would run, change nothing */
	char **names;		/* tasks named on the command line: run them now */
	size_t nnames;
};

/* Runs one tick. ST is the state file as just read without the lock, to plan on, or NULL
 * to read it here; tick_run frees it. Returns the exit status: 0, 1 (a task failed) or 2 (a
 * setup error). */
int tick_run(const struct config *cfg, const struct heartbeat *hb, const char *workspace,
    const struct tick_opts *opts, struct state *st);

/* Finds agent template NAME: absolute, else in the workspace, else in the installed
 * templates, else in templates/ next to the executable. Returns 0 with the path in OUT. */
int tick_template_path(const char *name, char *out, size_t len);

#endif
