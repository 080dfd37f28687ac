/* oneshot.h - one-shot tasks: when one is due (--in, --at), the limits on them, and the
 * tasks a tick makes of them so that they go through its plan, claims, runs and records
 * like the tasks of HEARTBEAT.md. Included by runner/ and cmd/. */
#ifndef HB_ONESHOT_H
#define HB_ONESHOT_H

#include <stddef.h>
#include <time.h>

#include "state/state.h"
#include "tasks/heartbeat.h"
#include "tasks/tz.h"

#define ONESHOT_AHEAD_MAX (24 * 3600)	/* at most this far ahead */
#define ONESHOT_PENDING_MAX 10		/* at most this many waiting in a workspace */
#define ONESHOT_PER_RUN_MAX 3		/* at most this many follow-ups per run */
#define ONESHOT_MAX_ATTEMPTS 5		/* failed runs in a row before it is dropped ... */
#define ONESHOT_LATE_MAX (24 * 3600)	/* ... or failed this long after its time */

/* What oneshot_add refused, besides memory (-1). */
enum oneshot_refusal {
	ONESHOT_ADDED,
	ONESHOT_FULL,			/* ONESHOT_PENDING_MAX wait already */
	ONESHOT_TOO_FAR,		/* beyond ONESHOT_AHEAD_MAX */
	ONESHOT_PAST,			/* its time has passed */
	ONESHOT_RUN_LIMIT,		/* its parent run has ONESHOT_PER_RUN_MAX already */
};

/* When a one-shot is due. IN: a duration from NOW ("30m"); else AT: "HH:MM" (the next such
 * wall-clock time in zone Z: today, or tomorrow when it has passed) or an ISO 8601 date and
 * time (in zone Z unless it has an offset). Returns 0 with *WHEN, or -1 with ERR. */
int oneshot_when(const char *in, const char *at, const struct tz *z, time_t now,
    long long *when, char *err, size_t errlen);

/* Adds X to ST at NOW, with a fresh id (X->id is set), within the limits. Returns
 * ONESHOT_ADDED, a refusal (ERR says why, for people), or -1 (memory). */
int oneshot_add(struct state *st, struct state_oneshot *x, time_t now, char *err,
    size_t errlen);

/* The follow-ups that run RUN_ID has in ST. */
size_t oneshot_children(const struct state *st, const char *run_id);

/* HB with a task for each one-shot of ST (named "NAME#ID", an at: task at its time) before
 * its own; without any, a plain copy. Free with oneshot_tasks_free. Returns 0, or -1. */
int oneshot_tasks(const struct heartbeat *hb, const struct state *st, struct heartbeat *out);
void oneshot_tasks_free(const struct heartbeat *hb, struct heartbeat *ext);

/* The id of a one-shot's task name "NAME#ID", or NULL for a task of HEARTBEAT.md. */
const char *oneshot_id_of(const char *task_name);

#endif
