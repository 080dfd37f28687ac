/* fuzz_state.c - libFuzzer harness for state_parse (.heartbeat-state.json, any bytes). A
 * state that parses is read for a few task names, each task's past goes through the due rule
 * as the tick would (sched_due), and the state is changed in memory as a tick would (claim,
 * record, baseline, session); nothing is written to disk. Invariants: a refusal says why; the
 * due rule agrees with its own next time; a recorded run reads back as recorded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state.h"
#include "tasks/schedule.h"
#include "tasks/tz.h"
#include "tests/fuzz/fuzz.h"

/* Counts below 2^52 add up exactly in a double. */
#define EXACT(n) ((n) > -(1LL << 52) && (n) < (1LL << 52))

#define NOW 1767225600LL		/* 2026-01-01T00:00:00Z */

static struct tz *zones[3];
static struct schedule scheds[5];

static void
init_scheds(void)
{
	static const char *const zspecs[] = { "UTC0", "JST-9", "EST5EDT,M3.2.0,M11.1.0" };
	static const char *const crons[] = { "*/5 * * * *", "0 9 * * *", "@reboot" };
	const char *why = NULL;
	char cwhy[160];

	if (zones[0] != NULL)
		return;
	for (size_t i = 0; i < 3; i++)
		if ((zones[i] = tz_parse_posix(zspecs[i], &why)) == NULL)
			abort();
	scheds[0].kind = SCHED_INTERVAL;
	scheds[0].interval = 1800;
	snprintf(scheds[0].expr, sizeof scheds[0].expr, "every 30m");
	for (size_t i = 0; i < 3; i++) {
		scheds[1 + i].kind = SCHED_CRON;
		if (cron_parse(crons[i], &scheds[1 + i].cron, cwhy, sizeof cwhy) != 0)
			abort();
		snprintf(scheds[1 + i].expr, sizeof scheds[1 + i].expr, "%s", crons[i]);
	}
	scheds[4].kind = SCHED_AT;
	snprintf(scheds[4].expr, sizeof scheds[4].expr, "2026-12-01 09:00");
	if (sched_parse_time(scheds[4].expr, &scheds[4].at_local, &scheds[4].at_has_offset,
	    &scheds[4].at_offset, &why) != 0)
		abort();
}

/* The due rule on a task's past as the state file tells it (tick.c builds it this way). */
static void
check_due(const char *name, const struct task_state *ts)
{
	struct sched_past past = { 0 };

	past.has_run = ts->has_run;
	past.last_run = ts->last_run;
	past.has_baseline = ts->has_baseline;
	past.baseline = ts->baseline;
	past.done = ts->done;
	past.ran_this_boot = strcmp(ts->last_boot, "8c1e4a5e-0b8b-4f38-9f35-5d2a3a0b6c11") == 0;
	past.errors = ts->consecutive_errors;
	for (size_t s = 0; s < sizeof scheds / sizeof scheds[0]; s++)
		for (size_t z = 0; z < 3; z++)
			for (int catchup = 0; catchup < 2; catchup++) {
				time_t next = 0;
				int due = sched_due(&scheds[s], &past, zones[z], (time_t)NOW,
				    catchup, &next);

				CHECK(due ? next <= NOW : next == -1 || next > NOW,
				    "%s, %s: due %d but next %lld (now %lld)", name, scheds[s].expr,
				    due, (long long)next, NOW);
			}
}

static const char *const names[] = { "heartbeat", "inbox-triage", "a", "weekday-brief" };
#define NNAMES (sizeof names / sizeof names[0])

static void
check_record(struct state *st, const char *name, unsigned sel)
{
	static const enum run_status statuses[] = { RUN_OK, RUN_ERROR, RUN_TIMEOUT };
	struct task_state before, after;
	struct run_record r = { 0 };

	state_task_get(st, name, &before);
	r.tick_start = 1767225600LL + sel;
	r.status = statuses[sel % 3];
	r.has_exit = sel & 4 ? 1 : 0;
	r.exit_code = (int)(sel % 7);
	r.duration_ms = 1234;
	r.reply = sel & 8 ? "delivered" : NULL;
	r.done = sel & 16 ? 1 : 0;
	r.boot_id = sel & 32 ? "8c1e4a5e-0b8b-4f38-9f35-5d2a3a0b6c11" : NULL;
	if (state_task_record(st, name, &r) != 0)
		return;		/* out of memory */
	state_task_get(st, name, &after);
	CHECK(after.has_run && after.last_run == r.tick_start, "%s: last_run %lld", name,
	    after.last_run);
	CHECK(strcmp(after.last_status, run_status_name(r.status)) == 0, "%s: last_status '%s'", name,
	    after.last_status);
	CHECK(strcmp(after.last_reply, r.reply ? r.reply : "") == 0, "%s: last_reply '%s'", name,
	    after.last_reply);
	CHECK(after.has_exit == r.has_exit && (!r.has_exit || after.last_exit == r.exit_code),
	    "%s: exit %d/%d", name, after.has_exit, after.last_exit);
	CHECK(!after.running, "%s: still running after its run was recorded", name);
	CHECK(after.last_duration_ms == r.duration_ms, "%s: duration %lld", name,
	    after.last_duration_ms);
	if (EXACT(before.runs))
		CHECK(after.runs == before.runs + 1, "%s: runs %lld -> %lld", name, before.runs,
		    after.runs);
	if (sel % 3 == 0)
		CHECK(after.consecutive_errors == 0, "%s: %lld errors after ok", name,
		    after.consecutive_errors);
	else if (EXACT(before.consecutive_errors))
		CHECK(after.consecutive_errors == before.consecutive_errors + 1,
		    "%s: errors %lld -> %lld", name, before.consecutive_errors,
		    after.consecutive_errors);
	CHECK(!r.done || after.done, "%s: done not kept", name);
	CHECK(r.boot_id == NULL || strcmp(after.last_boot, r.boot_id) == 0, "%s: boot '%s'", name,
	    after.last_boot);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state *st = (struct state *)1;
	struct task_state ts;
	struct claim cl = { .pid = 4242, .pid_start = 98765, .started = 1767225600LL,
	    .run_id = "6f1c2b3a-1111-4222-8333-944455556666" };
	char err[512] = "";
	const char *id, *id2;
	unsigned sel = size > 0 ? data[size - 1] : 0;
	int r, is_new = -1, is_new2 = -1;

	init_scheds();
	r = state_parse((const char *)data, size, "fuzz.json", &st, err, sizeof err);
	if (r != 0) {
		CHECK(r == STATE_CORRUPT || r == -1, "state_parse returned %d", r);
		CHECK(st == NULL, "refused, but a state was returned");
		CHECK(strncmp(err, "fuzz.json", 9) == 0, "message '%s' does not name the file",
		    err);
		return 0;
	}
	CHECK(st != NULL, "accepted, but no state");
	for (size_t i = 0; i < NNAMES; i++) {
		state_task_get(st, names[i], &ts);
		CHECK(memchr(ts.last_status, '\0', sizeof ts.last_status) != NULL &&
		    memchr(ts.running_id, '\0', sizeof ts.running_id) != NULL,
		    "%s: unterminated strings", names[i]);
		check_due(names[i], &ts);
	}
	/* A tick: claim one task, record another, baseline a third, use the session. */
	cl.boot_id = sel & 64 ? "8c1e4a5e-0b8b-4f38-9f35-5d2a3a0b6c11" : NULL;
	if (state_task_claim(st, "a", &cl) == 0) {
		state_task_get(st, "a", &ts);
		CHECK(ts.running && ts.running_pid == cl.pid &&
		    ts.running_pid_start == cl.pid_start && ts.running_since == cl.started && strcmp(ts.running_id, cl.run_id) == 0 &&
		    strcmp(ts.running_boot, cl.boot_id ? cl.boot_id : "") == 0,
		    "a: claim not read back");
		state_task_unclaim(st, "a");
		state_task_get(st, "a", &ts);
		CHECK(!ts.running, "a: still claimed");
	}
	check_record(st, "heartbeat", sel);
	check_record(st, "heartbeat", sel + 1);
	if (state_task_baseline(st, "weekday-brief", 1767225600LL) == 0) {
		state_task_get(st, "weekday-brief", &ts);
		CHECK(ts.has_baseline && ts.baseline == 1767225600LL, "baseline %lld", ts.baseline);
	}
	id = state_session(st, "main", "0b7e6a7c-3c4f-4e4b-9a51-7c0d3c2a9f10", &is_new);
	if (id != NULL) {
		CHECK(is_new == 0 || is_new == 1, "session '%s': is_new %d", id, is_new);
		if (state_session_mark_used(st, "main", id) == 0) {
			id2 = state_session(st, "main", "ffffffff-3c4f-4e4b-9a51-7c0d3c2a9f10",
			    &is_new2);
			CHECK(id2 != NULL && strcmp(id, id2) == 0 && is_new2 == 0,
			    "session changed once used: '%s' -> '%s' (new %d)", id, id2 ? id2 : "",
			    is_new2);
		}
	}
	state_free(st);
	return 0;
}
