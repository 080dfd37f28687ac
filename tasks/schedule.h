/* schedule.h - when a task is due: schedule kinds (interval, cron, at, @reboot) and the due
 * rule. Pure: the clock, the zone and the task's past are parameters. Used by tasks/ and
 * runner/. */
#ifndef HB_SCHEDULE_H
#define HB_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tasks/cron.h"
#include "tasks/tz.h"

enum sched_kind {
	SCHED_INTERVAL,		/* interval: / every:, or none (default_interval) */
	SCHED_CRON,		/* cron: five fields or a nickname; @reboot too */
	SCHED_AT,		/* at: one ISO 8601 time */
};

struct schedule {
	enum sched_kind kind;
	long long interval;	/* SCHED_INTERVAL: seconds, > 0 */
	int is_default;		/* no schedule key: interval came from default_interval */
	struct cron cron;	/* SCHED_CRON */
	char expr[96];		/* SCHED_CRON, SCHED_AT: as written, for people */
	int64_t at_local;	/* SCHED_AT: the civil time, seconds since 1970 as if UTC */
	int at_has_offset;	/* SCHED_AT: an explicit UTC offset was given ... */
	long at_offset;		/* ... this one, seconds east */
};

/* What the due rule needs to know of a task's past. */
struct sched_past {
	int has_run;		/* last_run is meaningful */
	long long last_run;	/* Unix seconds: start of the tick that last ran the task */
	int has_baseline;	/* a cron task was first seen at baseline */
	long long baseline;
	int done;		/* an at task has run ... */
	int has_done_at;	/* ... and it was the run of this instant (unknown: any) */
	long long done_at;
	int ran_this_boot;	/* an @reboot task has run since the machine booted */
	long long errors;	/* consecutive failed runs, for the backoff */
};

/* A run, baseline or claim more than this many seconds after now means that the clock went
 * back (a bad RTC at boot, a restored snapshot): the time is not believed. The slack keeps
 * two ticks that start a moment apart from taking each other's times for a clock change. */
#define SCHED_CLOCK_SLACK 300

/* A failed at: run is retried with the backoff; after this many failed attempts in a row
 * (about a day) the task gives up and counts as done. */
#define SCHED_AT_MAX_ATTEMPTS 25

/* 1 when T lies so far after NOW that the clock must have gone back (see SCHED_CLOCK_SLACK). */
int sched_clock_back(long long t, time_t now);

/* After N consecutive failures a task waits this long after its last run, on top of its
 * schedule (it is due at the later of the two): 30 s, 1 m, 5 m, 15 m, then 60 m. */
long long sched_backoff(long long failures);

/* The slack that keeps a cron entry firing every N minutes from running an N-minute task
 * only every other firing when a tick starts a few seconds late: min(60 s, interval / 10). */
long long sched_tolerance(long long interval);

/* Returns 1 when the task is due at NOW, else 0. *NEXT (if not NULL) receives the earliest
 * time at which it is or becomes due, or -1 for never (an at task that ran, @reboot).
 * Z is the task's zone (cron, at). CATCHUP: this tick is hb-run --catchup, which runs
 * @reboot tasks. A cron task with neither a run nor a baseline is not due: the caller
 * records NOW as its baseline (sched_needs_baseline). An interval task with a baseline and
 * no run (a state file rebuilt after corruption) counts from the baseline. After failures the
 * backoff applies. A last run or baseline in the future (sched_clock_back) is ignored: an
 * interval or cron task is due at once, an at task by its time. An at task that is done is
 * due again when its instant is not the one it completed (its time was changed). */
int sched_due(const struct schedule *s, const struct sched_past *past, const struct tz *z,
    time_t now, int catchup, time_t *next);

/* 1 when a first sight of the task must be recorded before it can ever be due. */
int sched_needs_baseline(const struct schedule *s, const struct sched_past *past);

/* The instant of an at schedule in zone Z (a skipped time: the end of the gap; a repeated
 * one: its first occurrence). */
int64_t sched_at_instant(const struct schedule *s, const struct tz *z);

/* Parses an ISO 8601 date and time: "2026-12-01 09:00", "2026-12-01T09:00:30", optionally
 * followed by "Z", "+01:00", "+0100" or "-05". Returns 0 or -1 with *WHY. */
int sched_parse_time(const char *s, int64_t *local, int *has_offset, long *offset,
    const char **why);

/* Describes the schedule for people: "every 30m", "cron 0 9 * * 1-5", "at 2026-12-01 09:00". */
void sched_describe(const struct schedule *s, char *buf, size_t len);

/* T as ISO 8601 in zone Z, with the offset: 2026-11-22T09:00:00+01:00. */
void sched_format_time(const struct tz *z, int64_t t, char *buf, size_t len);

#endif
