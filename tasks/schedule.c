/* schedule.c - the due rule. An interval task is due when it never ran, or when
 * now >= last_run + interval - tolerance (see sched_tolerance). */
#include <stdio.h>

#include "tasks/duration.h"
#include "tasks/schedule.h"

long long
sched_tolerance(long long interval)
{
	long long t = interval / 10;

	return t < 60 ? t : 60;
}

int
sched_due(const struct schedule *s, const struct sched_past *past, time_t now, time_t *next)
{
	long long at;

	switch (s->kind) {
	case SCHED_INTERVAL:
		if (!past->has_run)
			at = now;
		else
			at = past->last_run + s->interval - sched_tolerance(s->interval);
		break;
	default:
		/* cron and at are refused by the parser until they are implemented. */
		if (next != NULL)
			*next = (time_t)-1;
		return 0;
	}
	if (next != NULL)
		*next = (time_t)at;
	return now >= at;
}

void
sched_describe(const struct schedule *s, char *buf, size_t len)
{
	char d[32];

	switch (s->kind) {
	case SCHED_INTERVAL:
		duration_format(s->interval, d, sizeof d);
		snprintf(buf, len, "every %s%s", d, s->is_default ? " (default)" : "");
		break;
	case SCHED_CRON:
		snprintf(buf, len, "cron");
		break;
	case SCHED_AT:
		snprintf(buf, len, "at");
		break;
	}
}
