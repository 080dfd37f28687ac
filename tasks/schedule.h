/* schedule.h - when a task is due: schedule kinds and the due rule.
 * Pure: the clock and the task's last run are parameters. Used by tasks/ and runner/. */
#ifndef HB_SCHEDULE_H
#define HB_SCHEDULE_H

#include <stddef.h>
#include <time.h>

enum sched_kind {
	SCHED_INTERVAL,		/* interval: / every:, or none (default_interval) */
	SCHED_CRON,		/* cron: (not yet supported) */
	SCHED_AT,		/* at: (not yet supported) */
};

struct schedule {
	enum sched_kind kind;
	long long interval;	/* SCHED_INTERVAL: seconds, > 0 */
	int is_default;		/* no schedule key: interval came from default_interval */
};

/* What the due rule needs to know of a task's past. */
struct sched_past {
	int has_run;		/* last_run is meaningful */
	long long last_run;	/* Unix seconds: start of the tick that last ran the task */
};

/* The slack that keeps a cron entry firing every N minutes from running an N-minute task
 * only every other firing when a tick starts a few seconds late: min(60 s, interval / 10). */
long long sched_tolerance(long long interval);

/* Returns 1 when the task is due at NOW, else 0. *NEXT (if not NULL) receives the earliest
 * time at which it is or becomes due (NOW or earlier when due). */
int sched_due(const struct schedule *s, const struct sched_past *past, time_t now,
    time_t *next);

/* Describes the schedule for people: "every 30m", "every 30m (default)". */
void sched_describe(const struct schedule *s, char *buf, size_t len);

#endif
