/* monitor.c - the hb-monitor built-in: findings about hb-run's own health, one line each,
 * from numbers the caller read from the state and the plan. */
#include <stdio.h>
#include <stdlib.h>

#include "checks/monitor.h"
#include "tasks/duration.h"

void
monitor_defaults(struct monitor_opts *o, long long timeout)
{
	o->fails = 3;
	o->backoff = 30 * 60;
	o->overdue = 60 * 60;
	o->stuck = (timeout > 0 ? timeout : 10 * 60) + 5 * 60;
	o->outbox_age = 60 * 60;
}

/* SECS as "1h30m", rounded down to the minute from an hour on. */
static void
age_text(long long secs, char *buf, size_t len)
{
	if (secs >= 3600)
		secs -= secs % 60;
	duration_format(secs > 0 ? secs : 1, buf, len);
}

/* The findings of task T on F. */
static void
task_findings(FILE *f, const struct monitor_task *t, const struct monitor_opts *o,
    long long now)
{
	char age[32];

	if (t->consecutive_errors >= o->fails) {
		fprintf(f, "%s: failed %lld times in a row (last: %s)", t->name,
		    t->consecutive_errors, t->last_status ? t->last_status : "?");
		if (t->backoff_until > now) {
			age_text(t->backoff_until - now, age, sizeof age);
			fprintf(f, "; in backoff for %s more", age);
		}
		fputs("\n", f);
	} else if (t->consecutive_errors > 0 && t->backoff_until - now >= o->backoff) {
		age_text(t->backoff_until - now, age, sizeof age);
		fprintf(f, "%s: in backoff for %s more after %lld failure%s (last: %s)\n", t->name,
		    age, t->consecutive_errors, t->consecutive_errors == 1 ? "" : "s",
		    t->last_status ? t->last_status : "?");
	}
	if (t->running && now - t->running_since > o->stuck) {
		age_text(now - t->running_since, age, sizeof age);
		fprintf(f, "%s: a run started %s ago has not ended%s\n", t->name, age,
		    t->running_live ? "" : " (its tick is gone; the claim is stale)");
	} else if (t->due && !t->running && now - t->due_since > o->overdue) {
		age_text(now - t->due_since, age, sizeof age);
		fprintf(f, "%s: overdue: due for %s and not run\n", t->name, age);
	}
}

char *
monitor_findings(const struct monitor_task *t, size_t n, const struct monitor_outbox *ob,
    const struct monitor_opts *o, long long now)
{
	char *buf = NULL, age[32];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		task_findings(f, &t[i], o, now);
	if (ob != NULL && ob->waiting > 0 && now - ob->oldest > o->outbox_age) {
		age_text(now - ob->oldest, age, sizeof age);
		fprintf(f, "outbox: %zu message%s waiting, the oldest for %s", ob->waiting,
		    ob->waiting == 1 ? "" : "s", age);
		if (ob->oldest_target != NULL)
			fprintf(f, " (to %s, %lld tr%s%s%s)", ob->oldest_target, ob->oldest_tries,
			    ob->oldest_tries == 1 ? "y" : "ies", ob->oldest_reason ? "; last: " : "",
			    ob->oldest_reason ? ob->oldest_reason : "");
		fputs("\n", f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
