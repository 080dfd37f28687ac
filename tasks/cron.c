/* cron.c - cron expressions. Parsing sets one bit per allowed value. The next slot is found
 * day by day (months that cannot match are skipped whole), then by bit scans for the hour and
 * minute: never minute by minute. Time zones are handled in segments between transitions,
 * where local time is a fixed offset from UTC. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tasks/cron.h"

#define DAY 86400
#define CYCLE_DAYS 146097	/* the Gregorian calendar repeats every 400 years */

enum field { F_MINUTE, F_HOUR, F_DOM, F_MONTH, F_DOW };

static const struct range {
	const char *name;
	int lo, hi;
} ranges[] = {
	{ "minute", 0, 59 }, { "hour", 0, 23 }, { "day of month", 1, 31 }, { "month", 1, 12 },
	{ "day of week", 0, 7 },
};

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
	"aug", "sep", "oct", "nov", "dec" };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static const struct nickname {
	const char *name, *expr;
} nicknames[] = {
	{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

/* Reads a number or (month, weekday) a name at *P. Returns the value or -1. */
static int
value_at(const char **p, enum field f)
{
	const char *s = *p;
	int v = 0;

	if (isdigit((unsigned char)*s)) {
		for (; isdigit((unsigned char)*s) && v < 1000; s++)
			v = v * 10 + (*s - '0');
		if (isdigit((unsigned char)*s))
			return -1;
		*p = s;
		return v;
	}
	if (f == F_MONTH || f == F_DOW) {
		const char *const *names = f == F_MONTH ? month_names : dow_names;
		int n = f == F_MONTH ? 12 : 7;

		for (int i = 0; i < n; i++)
			if (strncasecmp(s, names[i], 3) == 0 && !isalpha((unsigned char)s[3])) {
				*p = s + 3;
				return f == F_MONTH ? i + 1 : i;
			}
	}
	return -1;
}

/* Parses one comma-separated item of field F (N bytes at S) into BITS. */
static int
parse_item(struct cron *c, enum field f, const char *s, size_t n, uint64_t *bits, char *why,
    size_t whylen)
{
	const struct range *r = &ranges[f];
	char item[64];
	const char *p = item;
	int lo, hi, step = 1;

	if (n == 0 || n >= sizeof item) {
		snprintf(why, whylen, "%s: empty or overlong list item", r->name);
		return -1;
	}
	memcpy(item, s, n);
	item[n] = '\0';
	if (f == F_DOM && strcasecmp(item, "L") == 0) {
		c->dom_last = 1;
		return 0;
	}
	if (f == F_DOW && strchr(item, '#') != NULL) {
		int w = value_at(&p, f), k;

		if (w < 0 || w > 7 || *p != '#' || !isdigit((unsigned char)p[1]) || p[2] != '\0') {
			snprintf(why, whylen, "%s: '%s': expected N#K, as in 5#3 (third Friday)",
			    r->name, item);
			return -1;
		}
		k = p[1] - '0';
		if (k < 1 || k > 5) {
			snprintf(why, whylen, "%s: '%s': K in N#K is 1 to 5", r->name, item);
			return -1;
		}
		c->nth[w % 7] |= (uint8_t)(1u << k);
		return 0;
	}
	if (*p == '*') {
		lo = r->lo;
		hi = r->hi;
		p++;
	} else {
		lo = value_at(&p, f);
		if (lo < 0) {
			snprintf(why, whylen, "%s: '%s' is not a number%s", r->name, item,
			    f == F_MONTH ? " or month name" : f == F_DOW ? " or day name" : "");
			return -1;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			hi = value_at(&p, f);
			if (hi < 0) {
				snprintf(why, whylen, "%s: '%s': bad range", r->name, item);
				return -1;
			}
		} else if (*p == '/') {
			hi = r->hi;	/* "5/15" is "5-59/15", as croniter and systemd read it */
		}
	}
	if (*p == '/') {
		p++;
		step = value_at(&p, F_MINUTE);
		if (step < 1 || step > r->hi - r->lo + 1) {
			snprintf(why, whylen, "%s: '%s': the step must be 1 to %d", r->name, item,
			    r->hi - r->lo + 1);
			return -1;
		}
	}
	if (*p != '\0') {
		snprintf(why, whylen, "%s: '%s': unexpected '%c'", r->name, item, *p);
		return -1;
	}
	if (lo < r->lo || hi > r->hi || lo > r->hi || hi < r->lo) {
		snprintf(why, whylen, "%s: '%s' is out of range %d-%d", r->name, item, r->lo, r->hi);
		return -1;
	}
	if (lo > hi) {
		snprintf(why, whylen, "%s: '%s': a range runs from low to high", r->name, item);
		return -1;
	}
	for (int v = lo; v <= hi; v += step)	/* steps restart in each item and period */
		*bits |= 1ULL << v;
	return 0;
}

static int
parse_field(struct cron *c, enum field f, const char *s, size_t n, char *why, size_t whylen)
{
	uint64_t bits = 0;
	size_t i = 0;

	while (i <= n) {
		size_t j = i;

		while (j < n && s[j] != ',')
			j++;
		if (parse_item(c, f, s + i, j - i, &bits, why, whylen) != 0)
			return -1;
		i = j + 1;
	}
	switch (f) {
	case F_MINUTE:
		c->minute = bits;
		break;
	case F_HOUR:
		c->hour = (uint32_t)bits;
		c->hour_star = s[0] == '*';
		break;
	case F_DOM:
		c->dom = (uint32_t)bits;
		c->dom_star = s[0] == '*';
		break;
	case F_MONTH:
		c->month = (uint16_t)bits;
		break;
	case F_DOW:
		c->dow = (uint8_t)((bits | bits >> 7) & 0x7f);	/* 7 is Sunday too */
		c->dow_star = s[0] == '*';
		break;
	}
	return 0;
}

int
cron_parse(const char *s, struct cron *c, char *why, size_t whylen)
{
	const char *p = s;
	int f = 0;

	memset(c, 0, sizeof *c);
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '@') {
		size_t n = strcspn(p, " \t");
		const char *rest = p + n;

		while (isspace((unsigned char)*rest))
			rest++;
		if (*rest != '\0') {
			snprintf(why, whylen, "nothing may follow %.*s", (int)n, p);
			return -1;
		}
		if (n == 7 && strncasecmp(p, "@reboot", 7) == 0) {
			c->reboot = 1;
			return 0;
		}
		for (size_t i = 0; i < sizeof nicknames / sizeof nicknames[0]; i++)
			if (strlen(nicknames[i].name) == n && strncasecmp(p, nicknames[i].name, n) == 0)
				return cron_parse(nicknames[i].expr, c, why, whylen);
		snprintf(why, whylen, "unknown nickname '%.*s' (@hourly, @daily, @midnight, "
		    "@weekly, @monthly, @yearly, @annually, @reboot)", (int)n, p);
		return -1;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, " \t");

		if (f == 5) {
			snprintf(why, whylen, "more than five fields (minute hour day-of-month month "
			    "day-of-week)");
			return -1;
		}
		if (parse_field(c, (enum field)f++, p, n, why, whylen) != 0)
			return -1;
		p += n;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (f < 5) {
		snprintf(why, whylen, "%d field%s where five are needed (minute hour day-of-month "
		    "month day-of-week)", f, f == 1 ? "" : "s");
		return -1;
	}
	if (cron_next_civil(c, 0, CRON_NEVER) == CRON_NEVER) {
		snprintf(why, whylen, "it can never fire (no such day)");
		return -1;
	}
	return 0;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static int
day_matches(const struct cron *c, int64_t y, int m, int d, int wd)
{
	int dom = (c->dom >> d & 1) || (c->dom_last && d == month_days(y, m));
	int dow = (c->dow >> wd & 1) || (c->nth[wd] >> ((d - 1) / 7 + 1) & 1);

	/* cronie: when either field starts with '*', both must match; otherwise either. */
	if (c->dom_star || c->dow_star)
		return dom && dow;
	return dom || dow;
}

int64_t
cron_next_civil(const struct cron *c, int64_t local, int64_t until)
{
	int64_t days, end, y;
	int h, mi, m, d;
	int64_t secs;

	if (c->reboot)
		return CRON_NEVER;
	local = floor_div(local + 59, 60) * 60;		/* whole minutes */
	days = floor_div(local, DAY);
	secs = local - days * DAY;
	h = (int)(secs / 3600);
	mi = (int)(secs % 3600 / 60);
	end = days + CYCLE_DAYS + 366;
	if (until != CRON_NEVER && floor_div(until, DAY) + 1 < end)
		end = floor_div(until, DAY) + 1;
	while (days < end) {
		uint64_t mins;
		uint32_t hours;

		tz_civil_from_days(days, &y, &m, &d);
		if (!(c->month >> m & 1)) {
			/* Jump to the first day of the next month that can match. */
			do {
				if (++m > 12) {
					m = 1;
					y++;
				}
			} while (!(c->month >> m & 1));
			days = tz_days_from_civil(y, m, 1);
			h = mi = 0;
			continue;
		}
		if (!day_matches(c, y, m, d, tz_weekday(days))) {
			days++;
			h = mi = 0;
			continue;
		}
		for (;;) {
			hours = h < 24 ? c->hour >> h << h : 0;
			if (hours == 0)
				break;
			if (__builtin_ctz(hours) != h) {	/* a later hour: from its minute 0 */
				h = __builtin_ctz(hours);
				mi = 0;
			}
			mins = mi < 60 ? c->minute >> mi << mi : 0;
			if (mins != 0) {
				int64_t t = days * DAY + h * 3600 + __builtin_ctzll(mins) * 60;

				return until != CRON_NEVER && t >= until ? CRON_NEVER : t;
			}
			h++;
			mi = 0;
		}
		days++;
		h = mi = 0;
	}
	return CRON_NEVER;
}

/* Is CAND, which shows local time LOCAL, the second time that wall-clock time occurs? */
static int
second_occurrence(const struct tz *z, int64_t local, int64_t cand)
{
	int64_t at[2], gap;

	return tz_local_to_utc(z, local, at, &gap) == 2 && cand == at[1];
}

int64_t
cron_next(const struct cron *c, const struct tz *z, int64_t after)
{
	int64_t t;

	if (c->reboot || after >= CRON_NEVER - 1)
		return CRON_NEVER;
	t = after + 1;
	/* The loop sees a gap only at the end of a stretch; one that ends right at T (AFTER is
	 * its last second) is looked at here. */
	{
		long before = tz_offset(z, after), at = tz_offset(z, t);

		if (before < at && cron_next_civil(c, t + before, t + at) != CRON_NEVER)
			return t;
	}
	/* Each pass handles one stretch of constant offset; 400 years hold about 800. */
	for (int pass = 0; pass < 4000; pass++) {
		long off = tz_offset(z, t), off2;
		int64_t tn = tz_next_transition(z, t), local;

		local = cron_next_civil(c, t + off, tn == INT64_MAX ? CRON_NEVER : tn + off);
		if (local != CRON_NEVER) {
			int64_t cand = local - off;

			if (!c->hour_star && second_occurrence(z, local, cand)) {
				t = cand + 1;	/* a fixed-hour slot fired at its first occurrence */
				continue;
			}
			return cand;
		}
		if (tn == INT64_MAX)
			return CRON_NEVER;
		off2 = tz_offset(z, tn);
		/* Slots in a skipped stretch of local time fire when it ends. */
		if (off2 > off && cron_next_civil(c, tn + off, tn + off2) != CRON_NEVER)
			return tn;
		t = tn;
	}
	return CRON_NEVER;
}

long
cron_count(const struct cron *c, const struct tz *z, int64_t after, int64_t until, long max)
{
	long n = 0;

	for (int64_t t = cron_next(c, z, after); t <= until && n < max; t = cron_next(c, z, t))
		n++;
	return n;
}
