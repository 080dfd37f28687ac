/* schedule.c - the due rule. An interval task is due when it never ran, or when
 * now >= last_run + interval - tolerance. A cron task is due when one of its slots falls in
 * (last_run, now] (several missed slots make one run). An at task is due once. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tasks/duration.h"
#include "tasks/schedule.h"

long long
sched_tolerance(long long interval)
{
	long long t = interval / 10;

	return t < 60 ? t : 60;
}

int64_t
sched_at_instant(const struct schedule *s, const struct tz *z)
{
	int64_t at[2], gap;
	int n;

	if (s->at_has_offset)
		return s->at_local - s->at_offset;
	n = tz_local_to_utc(z, s->at_local, at, &gap);
	return n == 0 ? gap : at[0];
}

int
sched_clock_back(long long t, time_t now)
{
	return t > (long long)now + SCHED_CLOCK_SLACK;
}

long long
sched_backoff(long long failures)
{
	static const long long steps[] = { 30, 60, 5 * 60, 15 * 60, 60 * 60 };

	if (failures <= 0)
		return 0;
	return steps[failures > 5 ? 4 : failures - 1];
}

int
sched_needs_baseline(const struct schedule *s, const struct sched_past *past)
{
	return s->kind == SCHED_CRON && !s->cron.reboot && !past->has_run && !past->has_baseline;
}

int
sched_due(const struct schedule *s, const struct sched_past *past0, const struct tz *z,
    time_t now, int catchup, time_t *next)
{
	struct sched_past p = *past0, *past = &p;
	int64_t at = 0;
	int never = 0;		/* not a time: "at" may be any instant, even before 1970 */
	int back = 0;		/* the clock went back: the past's times are not believed */

	if (p.has_run && sched_clock_back(p.last_run, now)) {
		p.has_run = 0;
		p.errors = 0;
		back = 1;
	}
	if (p.has_baseline && sched_clock_back(p.baseline, now)) {
		p.has_baseline = 0;
		back = 1;
	}
	switch (s->kind) {
	case SCHED_INTERVAL:
		if (past->has_run || past->has_baseline)
			at = (past->has_run ? past->last_run : past->baseline) + s->interval -
			    sched_tolerance(s->interval);
		else
			at = now;
		break;
	case SCHED_CRON:
		if (s->cron.reboot) {
			never = !catchup || past->ran_this_boot;
			at = now;
			break;
		}
		if (!past->has_run && !past->has_baseline && back) {
			at = now;	/* its slots since then are unknown: run now */
			break;
		}
		if (!past->has_run && !past->has_baseline) {
			at = cron_next(&s->cron, z, now);	/* first sight: its next slot */
			if (next != NULL)
				*next = at == CRON_NEVER ? (time_t)-1 : (time_t)at;
			return 0;
		}
		at = cron_next(&s->cron, z, past->has_run ? past->last_run : past->baseline);
		never = at == CRON_NEVER;
		break;
	case SCHED_AT:
		at = sched_at_instant(s, z);
		/* A state rebuilt after corruption does not know whether it ran: not again. */
		never = (past->done && (!past->has_done_at || past->done_at == at)) ||
		    (!past->has_run && past->has_baseline && at <= past->baseline);
		break;
	default:
		never = 1;
	}
	if (!never && past->has_run && past->errors > 0 &&
	    past->last_run + sched_backoff(past->errors) > at)
		at = past->last_run + sched_backoff(past->errors);
	if (next != NULL)
		*next = never ? (time_t)-1 : (time_t)at;
	return !never && (int64_t)now >= at;
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

int
sched_parse_time(const char *s, int64_t *local, int *has_offset, long *offset,
    const char **why)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0;

	*has_offset = 0;
	*offset = 0;
	*why = "expected a date and time such as 2026-12-01 09:00 or 2026-12-01T09:00+01:00";
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d) || (*p != ' ' && *p != 'T' && *p != 't'))
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec))
			return -1;
	}
	if (*p == 'Z' || *p == 'z') {
		*has_offset = 1;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;

		if (digits(&p, 2, &oh))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &om))	/* "+01:" is not an offset */
				return -1;
		} else if (isdigit((unsigned char)*p) && digits(&p, 2, &om)) {
			return -1;
		}
		if (oh > 23 || om > 59) {
			*why = "bad UTC offset";
			return -1;
		}
		*has_offset = 1;
		*offset = sign * (oh * 3600L + om * 60L);
	}
	if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) || h > 23 ||
	    mi > 59 || sec > 59) {
		*why = "no such date or time";
		return -1;
	}
	*local = tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

void
sched_describe(const struct schedule *s, char *buf, size_t len)
{
	char d[32];

	switch (s->kind) {
	case SCHED_INTERVAL:
		if (s->interval == 0) {
			snprintf(buf, len, "off (every 0)");
			break;
		}
		duration_format(s->interval, d, sizeof d);
		snprintf(buf, len, "every %s%s", d, s->is_default ? " (default)" : "");
		break;
	case SCHED_CRON:
		snprintf(buf, len, "%s%s", s->cron.reboot ? "" : "cron ", s->expr);
		break;
	case SCHED_AT:
		snprintf(buf, len, "at %s", s->expr);
		break;
	}
}

void
sched_format_time(const struct tz *z, int64_t t, char *buf, size_t len)
{
	long off = tz_offset(z, t);
	int64_t local = t + off, days = local / 86400 - (local % 86400 < 0), y;
	int64_t secs = local - days * 86400;
	long aoff = off < 0 ? -off : off;
	int m, d;

	tz_civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", (long long)y, m, d,
	    (int)(secs / 3600), (int)(secs % 3600 / 60), (int)(secs % 60), off < 0 ? '-' : '+',
	    aoff / 3600, aoff % 3600 / 60);
}
