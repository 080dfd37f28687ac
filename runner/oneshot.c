/* oneshot.c - one-shot tasks. They live in the state file ("_oneshots"), written under its
 * lock; a tick turns each into an at: task named "NAME#ID" (the '#' no task of HEARTBEAT.md
 * may hold), so that the plan, the claims (in the state, under the lock), the run and the
 * record treat it as any task: two ticks never run it twice, a failure is retried with the
 * backoff. Its record removes it (see record.c). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/target.h"
#include "runner/oneshot.h"
#include "runner/util.h"
#include "tasks/duration.h"
#include "tasks/schedule.h"

/* The instant of wall-clock time LOCAL (seconds as if UTC) in zone Z: a skipped time is
 * the end of its gap, a repeated one its first occurrence. */
static long long
local_instant(const struct tz *z, int64_t local)
{
	int64_t out[2], gap = 0;

	if (tz_local_to_utc(z, local, out, &gap) == 0)
		return (long long)gap;
	return (long long)out[0];
}

/* "HH:MM": the next such time in Z after NOW. Returns 0, or -1 when AT is not one. */
static int
next_clock_time(const char *at, const struct tz *z, time_t now, long long *when)
{
	int64_t days;
	int h, m, n = 0;

	if (sscanf(at, "%2d:%2d%n", &h, &m, &n) != 2 || at[n] != '\0' || n < 4 ||
	    !isdigit((unsigned char)at[0]) || h > 23 || m > 59 || h < 0 || m < 0)
		return -1;
	days = ((int64_t)now + tz_offset(z, (int64_t)now)) / 86400;
	for (int d = 0; d < 3; d++) {
		*when = local_instant(z, (days + d) * 86400 + h * 3600 + m * 60);
		if (*when > (long long)now)
			return 0;
	}
	return -1;
}

int
oneshot_when(const char *in, const char *at, const struct tz *z, time_t now,
    long long *when, char *err, size_t errlen)
{
	const char *why = NULL;
	long long secs;
	int64_t local;
	int has_off;
	long off;

	if (in != NULL) {
		if (duration_parse(in, &secs, &why) != 0) {
			snprintf(err, errlen, "bad --in '%s': %s", in, why);
			return -1;
		}
		*when = (long long)now + secs;
		return 0;
	}
	if (strchr(at, '-') == NULL) {
		if (next_clock_time(at, z, now, when) == 0)
			return 0;
		snprintf(err, errlen, "bad --at '%s': expected HH:MM (the next such time) or a "
		    "date and time, as in 2026-12-24 09:00", at);
		return -1;
	}
	if (sched_parse_time(at, &local, &has_off, &off, &why) != 0) {
		snprintf(err, errlen, "bad --at '%s': %s", at, why);
		return -1;
	}
	*when = has_off ? (long long)(local - off) : local_instant(z, local);
	return 0;
}

size_t
oneshot_children(const struct state *st, const char *run_id)
{
	struct state_oneshot *a = NULL;
	size_t n = 0, k = 0;

	if (state_oneshots_get(st, &a, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		k += a[i].parent_run != NULL && strcmp(a[i].parent_run, run_id) == 0;
	state_oneshots_free(a, n);
	return k;
}

int
oneshot_add(struct state *st, struct state_oneshot *x, time_t now, char *err, size_t errlen)
{
	char uuid[UUID_LEN];
	size_t n = 0;
	struct state_oneshot *a = NULL;

	if (state_oneshots_get(st, &a, &n) != 0)
		return -1;
	state_oneshots_free(a, n);
	if (x->parent_run != NULL && oneshot_children(st, x->parent_run) >= ONESHOT_PER_RUN_MAX) {
		snprintf(err, errlen, "run %s has asked for %d follow-ups already (at most %d per "
		    "run)", x->parent_run, ONESHOT_PER_RUN_MAX, ONESHOT_PER_RUN_MAX);
		return ONESHOT_RUN_LIMIT;
	}
	if (n >= ONESHOT_PENDING_MAX) {
		snprintf(err, errlen, "at most %d one-shot tasks may wait; cancel one (hb-run "
		    "tasks)", ONESHOT_PENDING_MAX);
		return ONESHOT_FULL;
	}
	if (x->at > (long long)now + ONESHOT_AHEAD_MAX) {
		snprintf(err, errlen, "at most 24 h ahead (that is %lld h %02lld m from now)",
		    (x->at - (long long)now) / 3600, (x->at - (long long)now) % 3600 / 60);
		return ONESHOT_TOO_FAR;
	}
	if (x->at < (long long)now - 60) {
		snprintf(err, errlen, "that time has passed");
		return ONESHOT_PAST;
	}
	/* 8 hex digits of a random UUID; again in the unlikely case of a clash */
	do {
		if (util_uuid(uuid) != 0) {
			snprintf(err, errlen, "no random numbers for an id: %s", strerror(errno));
			return -1;
		}
		snprintf(x->id, sizeof x->id, "%.8s", uuid);
	} while (state_oneshot_has(st, x->id));
	x->created = (long long)now;
	return state_oneshot_add(st, x) == 0 ? ONESHOT_ADDED : -1;
}

const char *
oneshot_id_of(const char *task_name)
{
	const char *h = strrchr(task_name, '#');

	return h != NULL ? h + 1 : NULL;
}

/* Task T for one-shot X. Returns 0, or -1 when memory ran out. */
static int
make_task(const struct state_oneshot *x, struct task *t)
{
	char err[256];

	memset(t, 0, sizeof *t);
	t->type = TASK_AGENT_TURN;
	t->enabled = 1;
	t->dangerous = x->dangerous;
	t->sched.kind = SCHED_AT;
	t->sched.at_local = x->at;
	t->sched.at_has_offset = 1;	/* an instant: no zone applies */
	util_time_iso((time_t)x->at, t->sched.expr, sizeof t->sched.expr);
	if (asprintf(&t->name, "%s#%s", x->name, x->id) < 0) {
		t->name = NULL;
		return -1;
	}
	t->prompt = strdup(x->prompt);
	t->oneshot = strdup(x->id);
	t->agent = x->agent != NULL ? strdup(x->agent) : NULL;
	if (t->prompt == NULL || t->oneshot == NULL || (x->agent != NULL && t->agent == NULL))
		return -1;
	/* the targets were checked when it was scheduled; a list gone bad is [delivery]'s */
	if (x->notify != NULL && target_list_split(x->notify, &t->notify, &t->nnotify, err,
	    sizeof err) != 0 && strcmp(err, "out of memory") == 0)
		return -1;
	return 0;
}

/* Frees what make_task gave task T. */
static void
task_clear(struct task *t)
{
	free(t->name);
	free(t->prompt);
	free(t->oneshot);
	free(t->agent);
	target_list_free(t->notify, t->nnotify);
}

int
oneshot_tasks(const struct heartbeat *hb, const struct state *st, struct heartbeat *out)
{
	struct state_oneshot *a = NULL;
	size_t n = 0;

	*out = *hb;
	if (state_oneshots_get(st, &a, &n) != 0)
		return -1;
	if (n == 0)
		return 0;
	out->tasks = calloc(hb->ntasks + n, sizeof *out->tasks);
	if (out->tasks == NULL) {
		state_oneshots_free(a, n);
		*out = *hb;
		return -1;
	}
	/* first: a reminder at its time does not wait behind the tick's slower tasks */
	if (hb->ntasks > 0)
		memcpy(out->tasks + n, hb->tasks, hb->ntasks * sizeof *hb->tasks);
	out->ntasks = n;
	for (size_t i = 0; i < n; i++) {
		if (make_task(&a[i], &out->tasks[i]) != 0) {
			for (size_t k = 0; k <= i; k++)
				task_clear(&out->tasks[k]);
			free(out->tasks);
			*out = *hb;
			state_oneshots_free(a, n);
			return -1;
		}
	}
	out->ntasks = n + hb->ntasks;
	out->empty = 0;
	state_oneshots_free(a, n);
	return 0;
}

void
oneshot_tasks_free(const struct heartbeat *hb, struct heartbeat *ext)
{
	if (ext->tasks == hb->tasks)
		return;
	for (size_t i = 0; i < ext->ntasks - hb->ntasks; i++)
		task_clear(&ext->tasks[i]);
	free(ext->tasks);
	*ext = *hb;
}
