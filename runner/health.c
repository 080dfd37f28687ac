/* health.c - reads what the daily summary and the hb-monitor built-in need (the log of the
 * last day; the state and the plan a tick would make now) and hands it to their pure parts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/monitor.h"
#include "delivery/target.h"
#include "runner/health.h"
#include "runner/plan.h"
#include "runner/platform.h"
#include "runner/util.h"
#include "runner/zone.h"
#include "state/activity.h"
#include "state/state.h"
#include "tasks/schedule.h"

int
health_summary(const struct config *cfg, time_t now, char **out, char *err, size_t errlen)
{
	struct activity a;
	const struct tz *zone = zone_get(cfg->timezone, err, errlen);

	*out = NULL;
	if (activity_init(&a, (long long)now - 86400, (long long)now, zone) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (activity_read(cfg->log, &a, err, errlen) == 0 &&
	    (*out = activity_text(&a)) == NULL)
		snprintf(err, errlen, "out of memory");
	activity_free(&a);
	return *out != NULL ? 0 : -1;
}

/* The monitor's view of plan item IT. */
static void
monitor_task_of(const struct plan_item *it, struct monitor_task *m)
{
	const struct task_state *ts = &it->ts;

	memset(m, 0, sizeof *m);
	m->name = it->task->name;
	m->last_status = ts->last_status[0] ? ts->last_status : NULL;
	m->consecutive_errors = ts->consecutive_errors;
	m->last_run = ts->has_run ? ts->last_run : 0;
	if (ts->has_run && ts->consecutive_errors > 0)
		m->backoff_until = ts->last_run + sched_backoff(ts->consecutive_errors);
	/* a paused task, or one waiting for its active hours, is not late */
	m->due = it->due && !it->paused && !it->outside;
	m->due_since = it->next != (time_t)-1 ? (long long)it->next : 0;
	m->running = ts->running;
	m->running_since = ts->running_since;
	m->running_live = it->held;
}

int
health_monitor(const struct config *cfg, const struct heartbeat *hb, time_t now,
    long long fails, char **out, char *err, size_t errlen)
{
	struct plan_item *items = calloc(hb->ntasks + 1, sizeof *items);
	struct monitor_task *mt = calloc(hb->ntasks + 1, sizeof *mt);
	struct monitor_outbox ob = { 0 };
	struct monitor_opts o;
	struct state_alert *al = NULL;
	struct state *st = NULL;
	char boot[UUID_LEN], shown[300];
	size_t n = 0, oldest = 0;
	int ret = -1;

	*out = NULL;
	if (items == NULL || mt == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (state_load(cfg->state, &st, err, errlen) != 0)
		goto out;
	platform_boot_id(boot, sizeof boot);
	plan_make(hb, st, now, boot, 0, cfg->timezone, items);
	for (size_t i = 0; i < hb->ntasks; i++)
		monitor_task_of(&items[i], &mt[i]);
	if (state_alerts_count(st, STATE_OUTBOX) > 0 &&
	    state_alerts_get(st, STATE_OUTBOX, &al, &n) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 1; i < n; i++)
		if (al[i].at < al[oldest].at)
			oldest = i;
	if (n > 0) {
		ob.waiting = n;
		ob.oldest = al[oldest].at;
		ob.oldest_target = target_redact(al[oldest].target, shown, sizeof shown);
		ob.oldest_tries = al[oldest].tries;
		ob.oldest_reason = al[oldest].last_reason;
	}
	monitor_defaults(&o, cfg->timeout);
	if (fails > 0)
		o.fails = fails;
	if ((*out = monitor_findings(mt, hb->ntasks, &ob, &o, (long long)now)) == NULL)
		snprintf(err, errlen, "out of memory");
	else
		ret = 0;
out:
	state_alerts_free(al, n);
	state_free(st);
	free(mt);
	free(items);
	return ret;
}
