/* test_schedule.c - the due rule of DESIGN.md: never ran -> due; otherwise due when
 * now >= last_run + interval - tolerance, tolerance = min(60 s, interval / 10); the time
 * it becomes due (*next); and sched_describe. */
#include <stdio.h>

#include "tasks/schedule.h"
#include "tests/unit/unit.h"

/* 2026-04-11 00:00:00 UTC; the rule is plain arithmetic, the zone does not matter. */
#define DAY0 1775865600LL
#define T(h, m, s) (DAY0 + (h) * 3600LL + (m) * 60LL + (s))
#define NEVER (-1LL)		/* the task has never run */

static const struct {
	long long interval, tolerance;
} tolerance_rows[] = {
	{ 30 * 60, 60 },	/* 30m: capped at a minute */
	{ 5 * 60, 30 },		/* 5m: a tenth */
	{ 90, 9 },		/* 90s */
	{ 10 * 60, 60 },	/* 10m: a tenth is exactly the cap */
	{ 601, 60 },
	{ 599, 59 },
	{ 86400, 60 },
	{ 9, 0 },		/* below 10 s there is no slack */
	{ 1, 0 },
};

static const struct {
	const char *what;
	long long interval, last_run, now;
	int due;
	long long next;
} due_rows[] = {
	{ "never ran: due at once", 30 * 60, NEVER, T(9, 0, 0), 1, T(9, 0, 0) },
	{ "never ran, long interval", 7 * 86400, NEVER, T(3, 17, 42), 1, T(3, 17, 42) },
	/* cron every 30 minutes, 30m task: the tick that ran it started 5 s late */
	{ "late tick, next firing", 30 * 60, T(9, 0, 5), T(9, 30, 0), 1, T(9, 29, 5) },
	{ "late tick, 1 s before slack", 30 * 60, T(9, 0, 5), T(9, 29, 4), 0, T(9, 29, 5) },
	{ "late tick by 59 s", 30 * 60, T(9, 0, 59), T(9, 30, 0), 1, T(9, 29, 59) },
	{ "late tick by 61 s", 30 * 60, T(9, 1, 1), T(9, 30, 0), 0, T(9, 30, 1) },
	/* the edge of the tolerance */
	{ "09:28:59 after 09:00", 30 * 60, T(9, 0, 0), T(9, 28, 59), 0, T(9, 29, 0) },
	{ "09:29:00 after 09:00", 30 * 60, T(9, 0, 0), T(9, 29, 0), 1, T(9, 29, 0) },
	{ "09:30:00 after 09:00", 30 * 60, T(9, 0, 0), T(9, 30, 0), 1, T(9, 29, 0) },
	{ "long overdue", 30 * 60, T(1, 0, 0), T(9, 0, 0), 1, T(1, 29, 0) },
	{ "just ran", 30 * 60, T(9, 0, 0), T(9, 0, 0), 0, T(9, 29, 0) },
	{ "5m: 4m29s later", 5 * 60, T(9, 0, 0), T(9, 4, 29), 0, T(9, 4, 30) },
	{ "5m: 4m30s later", 5 * 60, T(9, 0, 0), T(9, 4, 30), 1, T(9, 4, 30) },
	{ "90s: 80s later", 90, T(9, 0, 0), T(9, 1, 20), 0, T(9, 1, 21) },
	{ "90s: 81s later", 90, T(9, 0, 0), T(9, 1, 21), 1, T(9, 1, 21) },
	{ "1d: 23h58m59s later", 86400, T(9, 0, 0), T(9, 0, 0) + 86400 - 61, 0,
	  T(9, 0, 0) + 86400 - 60 },
	{ "1d: 23h59m later", 86400, T(9, 0, 0), T(9, 0, 0) + 86400 - 60, 1,
	  T(9, 0, 0) + 86400 - 60 },
	/* a clock that went back by more than SCHED_CLOCK_SLACK: the last run is not believed,
	 * the task is due at once; by less, it waits for the usual time */
	{ "clock went back 1h", 30 * 60, T(9, 0, 0), T(8, 0, 0), 1, T(8, 0, 0) },
	{ "clock went back a year", 30 * 60, T(9, 0, 0) + 365 * 86400LL, T(9, 0, 0), 1,
	  T(9, 0, 0) },
	{ "clock went back 5m", 30 * 60, T(9, 0, 0), T(8, 55, 0), 0, T(9, 29, 0) },
	{ "clock went back 5m1s", 30 * 60, T(9, 0, 0), T(8, 54, 59), 1, T(8, 54, 59) },
	/* 1-second interval: no tolerance */
	{ "1s: same second", 1, T(9, 0, 0), T(9, 0, 0), 0, T(9, 0, 1) },
	{ "1s: next second", 1, T(9, 0, 0), T(9, 0, 1), 1, T(9, 0, 1) },
};

/* at: tasks. AT is the instant (given with an offset, so no zone is needed). */
#define AT T(9, 0, 0)
static const struct {
	const char *what;
	struct sched_past past;
	long long now;
	int due;
	long long next;
} at_rows[] = {
	{ "never ran, before its time", { 0 }, T(8, 59, 59), 0, AT },
	{ "never ran, at its time", { 0 }, AT, 1, AT },
	{ "never ran, long after", { 0 }, T(23, 0, 0), 1, AT },
	{ "done at this instant", { .has_run = 1, .last_run = AT, .done = 1, .has_done_at = 1,
	  .done_at = AT }, T(10, 0, 0), 0, -1 },
	{ "done, instant unknown (an older file)", { .has_run = 1, .last_run = AT, .done = 1 },
	  T(10, 0, 0), 0, -1 },
	/* its time was changed after it ran: the new instant runs */
	{ "done at an earlier instant, before the new one", { .has_run = 1,
	  .last_run = T(7, 0, 0), .done = 1, .has_done_at = 1, .done_at = T(7, 0, 0) },
	  T(8, 0, 0), 0, AT },
	{ "done at an earlier instant, the new one comes", { .has_run = 1,
	  .last_run = T(7, 0, 0), .done = 1, .has_done_at = 1, .done_at = T(7, 0, 0) },
	  AT, 1, AT },
	/* a failed run is retried after the backoff */
	{ "failed once, within the backoff", { .has_run = 1, .last_run = AT, .errors = 1 },
	  T(9, 0, 29), 0, T(9, 0, 30) },
	{ "failed once, after the backoff", { .has_run = 1, .last_run = AT, .errors = 1 },
	  T(9, 0, 30), 1, T(9, 0, 30) },
	{ "failed 5 times: an hour", { .has_run = 1, .last_run = T(10, 0, 0), .errors = 5 },
	  T(10, 59, 59), 0, T(11, 0, 0) },
	/* the clock went back: a failed run from the future does not hold it */
	{ "failed, last run in the future", { .has_run = 1, .last_run = T(20, 0, 0),
	  .errors = 3 }, T(10, 0, 0), 1, AT },
	/* a state rebuilt after corruption: an instant before the baseline is not run */
	{ "baseline after its time", { .has_baseline = 1, .baseline = T(9, 30, 0) },
	  T(10, 0, 0), 0, -1 },
	{ "baseline in the future: not believed", { .has_baseline = 1,
	  .baseline = T(23, 0, 0) }, T(10, 0, 0), 1, AT },
};

static const struct {
	struct schedule s;
	const char *text;
} describe_rows[] = {
	{ { SCHED_INTERVAL, 30 * 60, 0 }, "every 30m" },
	{ { SCHED_INTERVAL, 30 * 60, 1 }, "every 30m (default)" },
	{ { SCHED_INTERVAL, 90 * 60, 0 }, "every 1h30m" },
	{ { SCHED_INTERVAL, 90, 0 }, "every 1m30s" },
	{ { SCHED_INTERVAL, 86400, 0 }, "every 1d" },
	{ { SCHED_CRON, .expr = "0 9 * * 1-5" }, "cron 0 9 * * 1-5" },
	{ { SCHED_CRON, .cron = { .reboot = 1 }, .expr = "@reboot" }, "@reboot" },
	{ { SCHED_AT, .expr = "2026-12-01 09:00" }, "at 2026-12-01 09:00" },
};

void
test_schedule(void)
{
	for (size_t i = 0; i < NELEM(tolerance_rows); i++) {
		ROW("sched_tolerance(%lld)", tolerance_rows[i].interval);
		CHECK_INT(sched_tolerance(tolerance_rows[i].interval),
		    tolerance_rows[i].tolerance);
		ROW_END();
	}

	for (size_t i = 0; i < NELEM(due_rows); i++) {
		struct schedule s = { SCHED_INTERVAL, due_rows[i].interval, 0 };
		struct sched_past past = { due_rows[i].last_run != NEVER,
			due_rows[i].last_run != NEVER ? due_rows[i].last_run : 0 };
		time_t next = (time_t)-2;

		ROW("sched_due: %s", due_rows[i].what);
		CHECK_INT(sched_due(&s, &past, NULL, (time_t)due_rows[i].now, 0, &next), due_rows[i].due);
		CHECK_INT(next, due_rows[i].next);
		/* NEXT is optional, and the verdict does not depend on asking for it */
		CHECK_INT(sched_due(&s, &past, NULL, (time_t)due_rows[i].now, 0, NULL), due_rows[i].due);
		/* "next" and "due" agree: due exactly from next on */
		CHECK(due_rows[i].next > due_rows[i].now ||
		    sched_due(&s, &past, NULL, (time_t)due_rows[i].next, 0, NULL) == 1,
		    "not due at its own next time");
		CHECK(due_rows[i].last_run == NEVER ||
		    sched_clock_back(due_rows[i].last_run, (time_t)due_rows[i].now) ||
		    sched_due(&s, &past, NULL, (time_t)due_rows[i].next - 1, 0, NULL) == 0,
		    "already due a second before its next time");
		ROW_END();
	}

	/* A default interval is due by the same rule. */
	{
		struct schedule s = { SCHED_INTERVAL, 30 * 60, 1 };
		struct sched_past past = { 1, T(9, 0, 5) };
		time_t next = 0;

		ROW("sched_due: default interval, late tick");
		CHECK_INT(sched_due(&s, &past, NULL, (time_t)T(9, 30, 0), 0, &next), 1);
		CHECK_INT(next, T(9, 29, 5));
		ROW_END();
	}

	for (size_t i = 0; i < NELEM(at_rows); i++) {
		struct schedule s = { SCHED_AT, .at_local = AT, .at_has_offset = 1 };
		time_t next = (time_t)-2;

		ROW("sched_due at: %s", at_rows[i].what);
		CHECK_INT(sched_due(&s, &at_rows[i].past, NULL, (time_t)at_rows[i].now, 0, &next),
		    at_rows[i].due);
		CHECK_INT(next, at_rows[i].next);
		ROW_END();
	}

	for (size_t i = 0; i < NELEM(describe_rows); i++) {
		char buf[64];

		ROW("sched_describe -> %s", describe_rows[i].text);
		sched_describe(&describe_rows[i].s, buf, sizeof buf);
		CHECK_STR(buf, describe_rows[i].text);
		ROW_END();
	}
}
