/* tick.h - one tick: plan which tasks are due, claim them under the lock, run them, record
 * each result (the stages: plan.h, claim.h, job.h, record.h). Used by main and cmd/. */
#ifndef HB_TICK_H
#define HB_TICK_H

#include <stddef.h>
#include <time.h>

#include "runner/config.h"
#include "state/state.h"
#include "tasks/heartbeat.h"

/* The workspace lock (state_lock), held around every read-modify-write of the state. */
#define TICK_LOCK_FILE ".heartbeat.lock"

struct tick_opts {
	int catchup;		/* --catchup: a bounded, staggered start after downtime */
	int dry_run;		/* -n: say what would run, change nothing */
	char **names;		/* tasks named on the command line: run them now */
	size_t nnames;
};

/* Runs one tick: the tasks of HB and the one-shots of the state. ST is the state file as just read without the lock, to plan on, or NULL
 * to read it here; tick_run frees it. Returns the exit status: 0, 1 (a task failed) or 2 (a
 * setup error). */
int tick_run(const struct config *cfg, const struct heartbeat *hb, const char *workspace,
    const struct tick_opts *opts, struct state *st);

/* The fixed delay of WORKSPACE (its absolute path) within JITTER seconds: from a hash of the
 * path, 0 <= delay < JITTER (systemd's RandomizedDelaySec with FixedRandomDelay). */
long long tick_jitter(const char *workspace, long long jitter);

/* Finds agent template NAME: absolute, else in the workspace, else in the installed
 * templates, else in templates/ next to the executable. Returns 0 with the path in OUT. */
int tick_template_path(const char *name, char *out, size_t len);

/* Finds the HTTP agents' helper hb-run-http: runner.http_helper when set, else next to the
 * executable, else in the installed libexec folder. Returns 0 with the path in OUT, or -1
 * with where it looked in OUT. */
int tick_helper_path(const struct config *cfg, char *out, size_t len);

#endif
