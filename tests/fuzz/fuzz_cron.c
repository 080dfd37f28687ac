/* fuzz_cron.c - libFuzzer harness for cron_parse and cron_next. The input is the expression
 * up to its first NUL; up to 8 bytes after the NUL give one more start time. An expression
 * that parses is run from several starts in UTC, in New York and in Lord Howe (a half-hour
 * DST) as POSIX strings: each next firing is after its start, shows a matching wall-clock
 * minute (or ends a skipped stretch), is the first one (cron_next of any time between the
 * start and it gives it again), and only @reboot never fires. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/cron.h"
#include "tasks/tz.h"
#include "tests/fuzz/fuzz.h"

#define DAY 86400

static const char *const zone_specs[] = {
	"UTC0", "EST5EDT,M3.2.0,M11.1.0", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
};
#define NZONES (sizeof zone_specs / sizeof zone_specs[0])
static struct tz *zones[NZONES];

/* Around 2026's DST changes in both zones, 1900, 2100, and the epoch. */
static const int64_t fixed_starts[] = {
	0, 1767225600LL, 1772953199LL, 1772953200LL - 1800, 1793512800LL - 3601,
	1793512800LL - 1, 1775314800LL - 1801, 1791041400LL - 1, 4108690800LL - 7200,
	-2208988800LL,
};
#define NSTARTS (sizeof fixed_starts / sizeof fixed_starts[0])

/* Starts given by the input are kept within 2^40 s (35000 years) of 1970: the state file
 * is trusted to hold times, not the extremes of int64_t. */
#define START_RANGE ((int64_t)1 << 40)

static void
init_zones(void)
{
	const char *why = NULL;

	if (zones[0] != NULL)
		return;
	zones[0] = tz_utc();
	for (size_t i = 1; i < NZONES; i++)
		zones[i] = tz_parse_posix(zone_specs[i], &why);
	for (size_t i = 0; i < NZONES; i++)
		if (zones[i] == NULL)
			abort();
}

/* The cronie day rule, written again from cron.h's fields: the oracle for the brute-force
 * check in UTC. */
static int
brute_matches(const struct cron *c, int64_t t)
{
	int64_t days = t / DAY - (t % DAY < 0), y, secs = t - days * DAY;
	int m, d, wd, last, dom, dow;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	tz_civil_from_days(days, &y, &m, &d);
	wd = tz_weekday(days);
	last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	dom = (c->dom >> d & 1) || (c->dom_last && d == last);
	dow = (c->dow >> wd & 1) || (c->nth[wd] >> ((d - 1) / 7 + 1) & 1);
	if (!(c->month >> m & 1) || !(c->hour >> (secs / 3600) & 1) ||
	    !(c->minute >> (secs % 3600 / 60) & 1))
		return 0;
	return (c->dom_star || c->dow_star) ? dom && dow : dom || dow;
}

static void
check_from(const struct cron *c, const char *expr, size_t zi, int64_t s)
{
	const struct tz *z = zones[zi];
	int64_t n = cron_next(c, z, s), n2, local, t;

	CHECK(n != CRON_NEVER, "'%s' in %s: never fires after %lld", expr, zone_specs[zi],
	    (long long)s);
	CHECK(n > s, "'%s' in %s: next(%lld) = %lld", expr, zone_specs[zi], (long long)s,
	    (long long)n);
	local = n + tz_offset(z, n);
	CHECK(cron_next_civil(c, local, local + 1) == local ||
	    tz_offset(z, n - 1) != tz_offset(z, n),
	    "'%s' in %s: next(%lld) = %lld, local %lld, does not match and ends no gap", expr,
	    zone_specs[zi], (long long)s, (long long)n, (long long)local);
	/* N is the first firing after S: any time in [S, N) gives N again. */
	for (int k = 0; k < 3; k++) {
		t = k == 0 ? n - 1 : k == 1 ? s + (n - s) / 2 : s + 1;
		if (t < s || t >= n)
			continue;
		n2 = cron_next(c, z, t);
		CHECK(n2 == n, "'%s' in %s: next(%lld) = %lld but next(%lld) = %lld", expr,
		    zone_specs[zi], (long long)s, (long long)n, (long long)t, (long long)n2);
	}
	n2 = cron_next(c, z, n);
	CHECK(n2 != CRON_NEVER && n2 > n, "'%s' in %s: after %lld comes %lld", expr,
	    zone_specs[zi], (long long)n, (long long)n2);
	CHECK(cron_count(c, z, s, n2, 10) == 2, "'%s' in %s: %ld firings in (%lld, %lld]", expr,
	    zone_specs[zi], cron_count(c, z, s, n2, 10), (long long)s, (long long)n2);
	if (zi == 0) {
		CHECK(n % 60 == 0 && n2 - n >= 60, "'%s' in UTC: %lld then %lld", expr,
		    (long long)n, (long long)n2);
		CHECK(brute_matches(c, n), "'%s' in UTC: %lld does not match", expr, (long long)n);
	}
}

/* Minute by minute through the day after S, in UTC: the first match is cron_next's. */
static void
check_brute(const struct cron *c, const char *expr, int64_t s)
{
	int64_t n = cron_next(c, zones[0], s);
	int64_t t = (s / 60 - (s % 60 < 0) + 1) * 60;	/* the first whole minute after S */

	for (; t <= s + DAY; t += 60)
		if (brute_matches(c, t)) {
			CHECK(n == t, "'%s' in UTC: next(%lld) = %lld, but %lld matches", expr,
			    (long long)s, (long long)n, (long long)t);
			return;
		}
	CHECK(n > s + DAY, "'%s' in UTC: next(%lld) = %lld, but nothing matches in a day",
	    expr, (long long)s, (long long)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), why[256];
	struct cron c, c2;
	int64_t extra = 0;
	size_t len;

	if (s == NULL)
		return 0;
	init_zones();
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	for (size_t i = len + 1; i < size && i < len + 9; i++)
		extra = (int64_t)((uint64_t)extra << 8 | data[i]);
	extra %= START_RANGE;
	why[0] = '\0';
	if (cron_parse(s, &c, why, sizeof why) != 0) {
		CHECK(why[0] != '\0', "'%s' refused without a reason", s);
		goto out;
	}
	CHECK(cron_parse(s, &c2, why, sizeof why) == 0 && memcmp(&c, &c2, sizeof c) == 0,
	    "'%s' parses differently twice", s);
	if (c.reboot) {
		for (size_t zi = 0; zi < NZONES; zi++)
			for (size_t i = 0; i < NSTARTS; i++)
				CHECK(cron_next(&c, zones[zi], fixed_starts[i]) == CRON_NEVER,
				    "@reboot fires");
		goto out;
	}
	CHECK(c.minute != 0 && c.hour != 0 && c.month != 0, "'%s': an empty field", s);
	for (size_t zi = 0; zi < NZONES; zi++) {
		for (size_t i = 0; i < NSTARTS; i++)
			check_from(&c, s, zi, fixed_starts[i]);
		check_from(&c, s, zi, extra);
	}
	check_brute(&c, s, fixed_starts[1]);
	check_brute(&c, s, extra);
out:
	free(s);
	return 0;
}
