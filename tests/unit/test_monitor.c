/* test_monitor.c - hb-monitor's findings: failures in a row against the threshold, backoff,
 * overdue, stuck runs (live or stale), an outbox that does not drain; all clear is "". */
#include <stdlib.h>
#include <string.h>

#include "checks/monitor.h"
#include "tests/unit/unit.h"

#define NOW 1767600000LL

void
test_monitor(void)
{
	static const struct {
		const char *name;
		struct monitor_task t;
		const char *want;	/* "": no finding; else a part of it */
	} rows[] = {
		{ "never ran", { "a", NULL, 0, 0, 0, 0, 0, 0, 0, 0 }, "" },
		{ "healthy", { "a", "ok", 0, NOW - 60, 0, 0, 0, 0, 0, 0 }, "" },
		{ "two failures: under the threshold, short backoff",
		  { "a", "error", 2, NOW - 10, NOW + 50, 0, 0, 0, 0, 0 }, "" },
		{ "three failures",
		  { "a", "timeout", 3, NOW - 60, NOW + 240, 0, 0, 0, 0, 0 },
		  "a: failed 3 times in a row (last: timeout); in backoff for 4m more\n" },
		{ "six failures, backoff over",
		  { "a", "error", 6, NOW - 7200, NOW - 3600, 1, NOW - 3600, 0, 0, 0 },
		  "a: failed 6 times in a row (last: error)\n" },
		{ "one failure, a long backoff left (the fails threshold raised)",
		  { "a", "error", 2, NOW, NOW + 3600, 0, 0, 0, 0, 0 },
		  "a: in backoff for 1h more after 2 failures (last: error)\n" },
		{ "due for 30 minutes: not yet overdue",
		  { "a", "ok", 0, NOW - 5400, 0, 1, NOW - 1800, 0, 0, 0 }, "" },
		{ "due for 2 hours",
		  { "a", "ok", 0, NOW - 9000, 0, 1, NOW - 7200, 0, 0, 0 },
		  "a: overdue: due for 2h and not run\n" },
		{ "running for 5 minutes",
		  { "a", "ok", 0, NOW - 300, 0, 1, NOW - 7200, 1, NOW - 300, 1 }, "" },
		{ "running for 20 minutes, live",
		  { "a", "ok", 0, NOW - 1200, 0, 0, 0, 1, NOW - 1200, 1 },
		  "a: a run started 20m ago has not ended\n" },
		{ "a stale claim",
		  { "a", "ok", 0, NOW - 1200, 0, 0, 0, 1, NOW - 1200, 0 },
		  "a: a run started 20m ago has not ended (its tick is gone; the claim is stale)\n" },
	};
	struct monitor_opts o;

	monitor_defaults(&o, 600);
	o.fails = 3;
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct monitor_opts oo = o;
		char *s;

		if (i == 5)
			oo.fails = 5;
		s = monitor_findings(&rows[i].t, 1, NULL, &oo, NOW);
		ROW("monitor: %s", rows[i].name);
		if (rows[i].want[0] == '\0')
			CHECK_STR(s, "");
		else
			CHECK_STR(s, rows[i].want);
		ROW_END();
		free(s);
	}

	{
		struct monitor_outbox ob = { 2, NOW - 5400, "ntfy://ntfy.sh/***", 4, "HTTP 502" };
		struct monitor_outbox young = { 1, NOW - 600, "stdout", 1, NULL };
		struct monitor_task two[2] = {
			{ "a", "error", 3, NOW, NOW + 300, 0, 0, 0, 0, 0 },
			{ "b", "ok", 0, NOW, 0, 0, 0, 0, 0, 0 },
		};
		char *s;

		ROW("monitor: an outbox that does not drain");
		s = monitor_findings(NULL, 0, &ob, &o, NOW);
		CHECK_STR(s, "outbox: 2 messages waiting, the oldest for 1h30m (to "
		    "ntfy://ntfy.sh/***, 4 tries; last: HTTP 502)\n");
		free(s);
		s = monitor_findings(NULL, 0, &young, &o, NOW);
		CHECK_STR(s, "");
		free(s);
		ROW_END();
		ROW("monitor: one line per finding, the healthy task says nothing");
		s = monitor_findings(two, 2, &ob, &o, NOW);
		CHECK_HAS(s, "a: failed 3 times");
		CHECK(s != NULL && strstr(s, "b:") == NULL, "b is healthy");
		CHECK_HAS(s, "\noutbox: 2 messages");
		free(s);
		ROW_END();
	}
}
