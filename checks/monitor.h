/* monitor.h - the hb-monitor built-in's findings: hb-run's own health from the state and
 * the plan at one instant (tasks failing again and again, in backoff, overdue, stuck runs,
 * an outbox that does not drain). Pure: the caller reads the state and the clock. Used by
 * runner/ (the built-in checks). */
#ifndef HB_MONITOR_H
#define HB_MONITOR_H

#include <stddef.h>

/* What the monitor needs to know of one task. */
struct monitor_task {
	const char *name;
	const char *last_status;	/* "error", "timeout", ... or NULL */
	long long consecutive_errors;
	long long last_run;		/* Unix seconds, 0: never */
	long long backoff_until;	/* the failures hold it until then; 0: no backoff */
	int due;			/* its schedule says run ... */
	long long due_since;		/* ... since then */
	int running;			/* a claim names it ... */
	long long running_since;	/* ... since then */
	int running_live;		/* ... and the claimer, or its agent, still runs */
};

/* The outbox: how many messages wait, and the oldest of them. */
struct monitor_outbox {
	size_t waiting;
	long long oldest;		/* when its run replied (Unix seconds) */
	const char *oldest_target;	/* redacted, or NULL */
	long long oldest_tries;
	const char *oldest_reason;	/* its last failure, or NULL */
};

/* The thresholds; monitor_defaults fills them. */
struct monitor_opts {
	long long fails;		/* failures in a row that make a finding (3) */
	long long backoff;		/* backoff left that makes a finding, seconds (30m) */
	long long overdue;		/* due for longer than this, seconds (1h) */
	long long stuck;		/* a run claimed for longer than this, seconds (the
					 * runner's timeout and 5 minutes) */
	long long outbox_age;		/* a message waiting longer than this, seconds (1h) */
};

/* The defaults, for a runner whose timeout is TIMEOUT seconds. */
void monitor_defaults(struct monitor_opts *o, long long timeout);

/* The findings at NOW for the N tasks T and the outbox OB (NULL: none), one line each,
 * as a malloc'd string: "" when all is well. NULL when memory ran out. */
char *monitor_findings(const struct monitor_task *t, size_t n, const struct monitor_outbox *ob,
    const struct monitor_opts *o, long long now);

#endif
