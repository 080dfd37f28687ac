/* test_cron.c - cron expressions (cronie dialect with L and N#K) and the schedules built on
 * them: cron_parse (every form, every error, the bit masks and flags), cron_next in UTC
 * (month ends, leap years, L, N#K, the day-of-month/day-of-week OR rule and its AND exception
 * for a field starting with '*', steps, year wrap), cron_next across DST in real zones
 * (/usr/share/zoneinfo; rows for a missing zone are skipped), cron_count, and the due rule for
 * cron, at and @reboot tasks (sched_due, sched_needs_baseline, sched_parse_time).
 *
 * Times in the tables are ISO 8601 strings with an explicit offset, read by sched_parse_time,
 * and results are compared as sched_format_time prints them in the row's zone, so that a row
 * reads as local wall-clock time and shows which side of a DST change it is on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/cron.h"
#include "tasks/schedule.h"
#include "tasks/tz.h"
#include "tests/unit/unit.h"

#define ZONEINFO "/usr/share/zoneinfo/"

/* Bit masks: bit N, bits LO..HI, and each field's full set. */
#define B(n) (1ULL << (n))
#define R(lo, hi) ((~0ULL >> (63 - (hi))) & (~0ULL << (lo)))
#define MIN_ALL R(0, 59)
#define HOUR_ALL R(0, 23)
#define DOM_ALL R(1, 31)
#define MON_ALL R(1, 12)
#define DOW_ALL R(0, 6)

/* Flags of struct cron, for the tables. */
#define HS 1u		/* hour_star */
#define DS 2u		/* dom_star */
#define WS 4u		/* dow_star */
#define LAST 8u		/* dom_last (L) */
#define REBOOT 16u	/* @reboot */
#define STARS (HS | DS | WS)

/* --- zones --- */

static struct {
	const char *name;
	struct tz *z;
	int tried;
} zone_cache[16];
static struct tz *utc;

/* The zone NAME (NULL: UTC), read once; NULL when this system has no such file. */
static const struct tz *
zone(const char *name)
{
	char path[256];
	unsigned char *buf = NULL;
	const char *why = NULL;
	size_t i;
	FILE *f;
	long n;

	if (name == NULL) {
		if (utc == NULL)
			utc = tz_utc();
		return utc;
	}
	for (i = 0; i < NELEM(zone_cache) && zone_cache[i].name != NULL; i++)
		if (strcmp(zone_cache[i].name, name) == 0)
			return zone_cache[i].z;
	if (i == NELEM(zone_cache))
		return NULL;
	zone_cache[i].name = name;
	snprintf(path, sizeof path, ZONEINFO "%s", name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "test_cron: no %s, its rows are skipped\n", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n)
		zone_cache[i].z = tz_parse(buf, (size_t)n, &why);
	fclose(f);
	free(buf);
	if (zone_cache[i].z == NULL)
		fprintf(stderr, "test_cron: %s refused (%s), its rows are skipped\n", path,
		    why != NULL ? why : "unreadable");
	return zone_cache[i].z;
}

static void
zones_free(void)
{
	for (size_t i = 0; i < NELEM(zone_cache); i++) {
		tz_free(zone_cache[i].z);
		zone_cache[i].z = NULL;
		zone_cache[i].name = NULL;
	}
	tz_free(utc);
	utc = NULL;
}

/* The instant of S, an ISO 8601 time that must carry an offset ("...Z", "...-05:00"). A
 * malformed table entry fails the row. */
static int64_t
instant(const char *s)
{
	int64_t local = 0;
	int has_offset = 0;
	long offset = 0;
	const char *why = NULL;

	if (!CHECK(sched_parse_time(s, &local, &has_offset, &offset, &why) == 0 && has_offset,
	    "table error: %s is not a time with an offset", unit_quote(s)))
		return 0;
	return local - offset;
}

/* T as the tables write it: ISO 8601 in zone Z, or "never". */
static const char *
show(const struct tz *z, int64_t t, char *buf, size_t len)
{
	if (t == CRON_NEVER || t == -1)
		snprintf(buf, len, "never");
	else
		sched_format_time(z, t, buf, len);
	return buf;
}

/* --- cron_parse --- */

static const struct {
	const char *expr;
	uint64_t minute, hour, dom, month, dow;
	unsigned flags;
	uint8_t nth[7];
} parse_ok_rows[] = {
	/* each field: *, a value */
	{ "* * * * *", MIN_ALL, HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL, STARS },
	{ "0 0 * * *", B(0), B(0), DOM_ALL, MON_ALL, DOW_ALL, DS | WS },
	{ "59 23 31 12 6", B(59), B(23), B(31), B(12), B(6), 0 },
	{ "0 0 1 1 0", B(0), B(0), B(1), B(1), B(0), 0 },
	{ "00 09 01 01 *", B(0), B(9), B(1), B(1), DOW_ALL, WS },	/* leading zeros */
	/* lists and ranges */
	{ "5,10,15 1-3 1,15 1-6 1-5", B(5) | B(10) | B(15), R(1, 3), B(1) | B(15), R(1, 6),
	  R(1, 5), 0 },
	{ "1,2,3-5,10-20/5,*/30 0 1 1 1", R(1, 5) | B(10) | B(15) | B(20) | B(0) | B(30), B(0),
	  B(1), B(1), B(1), 0 },
	{ "3,1,2,1 0 1 1 1", R(1, 3), B(0), B(1), B(1), B(1), 0 },	/* order, repeats */
	/* a full range is not a '*': the OR rule and the fixed hour still apply */
	{ "0-59 0-23 1-31 1-12 0-7", MIN_ALL, HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL, 0 },
	/* steps */
	{ "*/15 */6 */10 */3 */2", B(0) | B(15) | B(30) | B(45), B(0) | B(6) | B(12) | B(18),
	  B(1) | B(11) | B(21) | B(31), B(1) | B(4) | B(7) | B(10), B(0) | B(2) | B(4) | B(6),
	  STARS },
	{ "1-30/7 0-23/5 1-31/8 1-12/4 0-6/3", B(1) | B(8) | B(15) | B(22) | B(29),
	  B(0) | B(5) | B(10) | B(15) | B(20), B(1) | B(9) | B(17) | B(25), B(1) | B(5) | B(9),
	  B(0) | B(3) | B(6), 0 },
	{ "*/59 */23 */30 */11 */7", B(0) | B(59), B(0) | B(23), B(1) | B(31), B(1) | B(12),
	  B(0), STARS },			/* step 7 in day-of-week: 0 and 7, both Sunday */
	{ "*/1 */1 */1 */1 */1", MIN_ALL, HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL, STARS },
	/* N/step is N-max/step */
	{ "5/15 3/5 10/10 2/3 1/2", B(5) | B(20) | B(35) | B(50), B(3) | B(8) | B(13) | B(18) |
	  B(23), B(10) | B(20) | B(30), B(2) | B(5) | B(8) | B(11),
	  B(1) | B(3) | B(5) | B(0), 0 },	/* 1/2: 1,3,5,7 and 7 is Sunday */
	{ "0/30 * * * *", B(0) | B(30), HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL, STARS },
	{ "59/1 23/2 31/1 12/5 6/1", B(59), B(23), B(31), B(12), B(6) | B(0), 0 },
	/* names, any case, in lists and ranges */
	{ "0 0 * jan,JUL,Dec sun,Mon,tUe", B(0), B(0), DOM_ALL, B(1) | B(7) | B(12),
	  B(0) | B(1) | B(2), DS },
	{ "0 0 * JAN-MAR mon-fri", B(0), B(0), DOM_ALL, R(1, 3), R(1, 5), DS },
	{ "0 0 * Feb-aPr,oct,nov-dec SAT,sun", B(0), B(0), DOM_ALL, R(2, 4) | R(10, 12),
	  B(6) | B(0), DS },
	{ "0 0 * jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec "
	  "sun,mon,tue,wed,thu,fri,sat", B(0), B(0), DOM_ALL, MON_ALL, DOW_ALL, DS },
	{ "0 0 * jan-dec/3 mon-sat/2", B(0), B(0), DOM_ALL, B(1) | B(4) | B(7) | B(10),
	  B(1) | B(3) | B(5), DS },
	/* Sunday is 0 or 7 */
	{ "0 0 * * 7", B(0), B(0), DOM_ALL, MON_ALL, B(0), DS },
	{ "0 0 * * 0,7", B(0), B(0), DOM_ALL, MON_ALL, B(0), DS },
	{ "0 0 * * 5-7", B(0), B(0), DOM_ALL, MON_ALL, B(5) | B(6) | B(0), DS },
	{ "0 0 * * fri-7", B(0), B(0), DOM_ALL, MON_ALL, B(5) | B(6) | B(0), DS },
	{ "0 0 * * 6-7", B(0), B(0), DOM_ALL, MON_ALL, B(6) | B(0), DS },
	/* L */
	{ "0 0 L * *", B(0), B(0), 0, MON_ALL, DOW_ALL, WS | LAST },
	{ "0 0 1,L,15 * *", B(0), B(0), B(1) | B(15), MON_ALL, DOW_ALL, WS | LAST },
	{ "0 0 L 2 1", B(0), B(0), 0, B(2), B(1), LAST },
	/* N#K */
	{ "0 0 * * 1#1", B(0), B(0), DOM_ALL, MON_ALL, 0, DS, { [1] = B(1) } },
	{ "0 0 * * fri#5", B(0), B(0), DOM_ALL, MON_ALL, 0, DS, { [5] = B(5) } },
	{ "0 0 * * FRI#3,5#1", B(0), B(0), DOM_ALL, MON_ALL, 0, DS, { [5] = B(1) | B(3) } },
	{ "0 0 * * 7#2,sun#4", B(0), B(0), DOM_ALL, MON_ALL, 0, DS, { [0] = B(2) | B(4) } },
	{ "0 0 * * 0#4,1", B(0), B(0), DOM_ALL, MON_ALL, B(1), DS, { [0] = B(4) } },
	{ "0 0 13 * 5#2", B(0), B(0), B(13), MON_ALL, 0, 0, { [5] = B(2) } },
	/* extra whitespace and tabs */
	{ "  0\t9  *\t\t* \t mon-fri  ", B(0), B(9), DOM_ALL, MON_ALL, R(1, 5), DS },
	{ "\t0 9 * * *\t", B(0), B(9), DOM_ALL, MON_ALL, DOW_ALL, DS | WS },
	/* rare, but possible */
	{ "0 0 31 4,6,9,11,12 *", B(0), B(0), B(31), B(4) | B(6) | B(9) | B(11) | B(12),
	  DOW_ALL, WS },
	{ "0 0 29 2 *", B(0), B(0), B(29), B(2), DOW_ALL, WS },
	{ "0 0 */30 2 *", B(0), B(0), B(1) | B(31), B(2), DOW_ALL, DS | WS },
	{ "0 0 * 2 1#5", B(0), B(0), DOM_ALL, B(2), 0, DS, { [1] = B(5) } },
	{ "0 0 30 2 1", B(0), B(0), B(30), B(2), B(1), 0 },	/* OR: the Mondays of February */
	/* nicknames, any case */
	{ "@hourly", B(0), HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL, STARS },
	{ "\t@Hourly  ", B(0), HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL, STARS },
	{ "@daily", B(0), B(0), DOM_ALL, MON_ALL, DOW_ALL, DS | WS },
	{ "@DAILY", B(0), B(0), DOM_ALL, MON_ALL, DOW_ALL, DS | WS },
	{ "@midnight", B(0), B(0), DOM_ALL, MON_ALL, DOW_ALL, DS | WS },
	{ "@weekly", B(0), B(0), DOM_ALL, MON_ALL, B(0), DS },
	{ "@monthly", B(0), B(0), B(1), MON_ALL, DOW_ALL, WS },
	{ "@yearly", B(0), B(0), B(1), B(1), DOW_ALL, WS },
	{ "@Annually", B(0), B(0), B(1), B(1), DOW_ALL, WS },
	{ "@reboot", 0, 0, 0, 0, 0, REBOOT },
	{ "  @REBOOT\t", 0, 0, 0, 0, 0, REBOOT },
};

/* WHY must contain the keyword: the error is refused for the right reason. */
static const struct {
	const char *expr, *why;
} parse_err_rows[] = {
	/* field count */
	{ "", "five" },
	{ "   \t ", "five" },
	{ "0", "five" },
	{ "0 0 * *", "five" },
	{ "0 0 * * * *", "five" },
	{ "0 0 * * * /bin/true", "five" },
	/* out of range, each field */
	{ "60 * * * *", "out of range" },
	{ "* 24 * * *", "out of range" },
	{ "* * 0 * *", "out of range" },
	{ "* * 32 * *", "out of range" },
	{ "* * * 0 *", "out of range" },
	{ "* * * 13 *", "out of range" },
	{ "* * * * 8", "out of range" },
	{ "0-60 * * * *", "out of range" },
	{ "* 0-24 * * *", "out of range" },
	{ "* * 0-5 * *", "out of range" },
	{ "* * * 1-13 *", "out of range" },
	{ "* * * * 1-8", "out of range" },
	{ "60/5 * * * *", "out of range" },
	{ "1,99 * * * *", "out of range" },
	{ "99999999999999999999 * * * *", "minute" },
	/* backwards ranges */
	{ "5-1 * * * *", "low to high" },
	{ "* 10-2 * * *", "low to high" },
	{ "* * 31-1 * *", "low to high" },
	{ "* * * dec-jan *", "low to high" },
	{ "* * * * fri-mon", "low to high" },
	{ "* * * * 7-1", "low to high" },
	/* steps: 0, too big, missing */
	{ "*/0 * * * *", "step" },
	{ "1-5/0 * * * *", "step" },
	{ "*/61 * * * *", "step" },
	{ "* */25 * * *", "step" },
	{ "* * */32 * *", "step" },
	{ "* * * */13 *", "step" },
	{ "* * * * */9", "step" },
	{ "*/ * * * *", "step" },
	{ "1/ * * * *", "step" },
	{ "*/x * * * *", "step" },
	{ "*/-1 * * * *", "step" },
	/* names: bad, partial, too long, in the wrong field */
	{ "* * * janx *", "month" },
	{ "* * * ja *", "month" },
	{ "* * * january *", "month" },
	{ "* * * foo *", "month" },
	{ "* * * mon *", "month" },
	{ "* * * * mond", "day of week" },
	{ "* * * * monday", "day of week" },
	{ "* * * * jan", "day of week" },
	{ "jan * * * *", "minute" },
	{ "* mon * * *", "hour" },
	{ "* * mon * *", "day of month" },
	{ "* * * jan-foo *", "month" },
	/* N#K */
	{ "* * * * 1#6", "N#K" },
	{ "* * * * 1#0", "N#K" },
	{ "* * * * 8#1", "N#K" },
	{ "* * * * 1#", "N#K" },
	{ "* * * * #1", "N#K" },
	{ "* * * * 1#1#1", "N#K" },
	{ "* * * * 1#12", "N#K" },
	{ "* * * * 1-5#2", "N#K" },
	{ "* * * * *#2", "N#K" },
	{ "* * * * foo#2", "N#K" },
	{ "* * 1#1 * *", "day of month" },
	/* L only in day-of-month, and alone */
	{ "* L * * *", "hour" },
	{ "* * * * L", "day of week" },
	{ "* * * L *", "month" },
	{ "* * LW * *", "day of month" },
	{ "* * 15W * *", "day of month" },
	{ "* * L-5 * *", "day of month" },
	{ "* * L/2 * *", "day of month" },
	/* garbage */
	{ "a * * * *", "minute" },
	{ "* * * * ?", "day of week" },
	{ "* * ? * *", "day of month" },
	{ "1.5 * * * *", "minute" },
	{ "-1 * * * *", "minute" },
	{ "+1 * * * *", "minute" },
	{ "1- * * * *", "minute" },
	{ "*5 * * * *", "minute" },
	{ "** * * * *", "minute" },
	{ "1-2-3 * * * *", "minute" },
	{ "0x10 * * * *", "minute" },
	{ "0 0 * * 1;", "day of week" },
	/* empty list items */
	{ "1,,2 * * * *", "empty" },
	{ ",1 * * * *", "empty" },
	{ "1, * * * *", "empty" },
	{ "* * * * mon,,fri", "empty" },
	{ "* * 1,,L * *", "empty" },
	/* nicknames */
	{ "@fortnightly", "nickname" },
	{ "@", "nickname" },
	{ "@dail", "nickname" },
	{ "@dailyx", "nickname" },
	{ "@every 5m", "nothing may follow" },
	{ "@daily 0", "nothing may follow" },
	{ "@hourly *", "nothing may follow" },
	{ "@reboot now", "nothing may follow" },
	{ "@ daily", "nothing may follow" },
	{ "0 @daily", "hour" },
	/* never fires */
	{ "0 0 30 2 *", "never" },
	{ "0 0 31 2 *", "never" },
	{ "0 0 30,31 feb *", "never" },
	{ "0 0 31 4,6,9,11 *", "never" },
	{ "0 0 31 apr,jun,sep,nov *", "never" },
	{ "0 0 */30 * 5#2", "never" },		/* the 1st or 31st AND the 2nd Friday */
	{ "0 0 30 2 */2", "never" },		/* AND through the star */
	{ "0 0 1-7 * */7#2", "N#K" },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < NELEM(parse_ok_rows); i++) {
		struct cron c;
		char why[256] = "";
		unsigned flags;
		int ok;

		ROW("cron_parse(%s)", unit_quote(parse_ok_rows[i].expr));
		memset(&c, 0xa5, sizeof c);
		ok = cron_parse(parse_ok_rows[i].expr, &c, why, sizeof why);
		if (!CHECK(ok == 0, "refused: %s", why)) {
			ROW_END();
			continue;
		}
		CHECK(c.minute == parse_ok_rows[i].minute, "minute %#llx, expected %#llx",
		    (unsigned long long)c.minute, (unsigned long long)parse_ok_rows[i].minute);
		CHECK(c.hour == parse_ok_rows[i].hour, "hour %#x, expected %#llx", c.hour,
		    (unsigned long long)parse_ok_rows[i].hour);
		CHECK(c.dom == parse_ok_rows[i].dom, "dom %#x, expected %#llx", c.dom,
		    (unsigned long long)parse_ok_rows[i].dom);
		CHECK(c.month == parse_ok_rows[i].month, "month %#x, expected %#llx", c.month,
		    (unsigned long long)parse_ok_rows[i].month);
		CHECK(c.dow == parse_ok_rows[i].dow, "dow %#x, expected %#llx", c.dow,
		    (unsigned long long)parse_ok_rows[i].dow);
		flags = (c.hour_star ? HS : 0) | (c.dom_star ? DS : 0) | (c.dow_star ? WS : 0) |
		    (c.dom_last ? LAST : 0) | (c.reboot ? REBOOT : 0);
		CHECK(flags == parse_ok_rows[i].flags, "flags %#x, expected %#x", flags,
		    parse_ok_rows[i].flags);
		for (int w = 0; w < 7; w++)
			CHECK(c.nth[w] == parse_ok_rows[i].nth[w], "nth[%d] %#x, expected %#x", w,
			    c.nth[w], parse_ok_rows[i].nth[w]);
		ROW_END();
	}

	for (size_t i = 0; i < NELEM(parse_err_rows); i++) {
		struct cron c;
		char why[256] = "";

		ROW("cron_parse(%s) fails", unit_quote(parse_err_rows[i].expr));
		CHECK_INT(cron_parse(parse_err_rows[i].expr, &c, why, sizeof why), -1);
		CHECK_HAS(why, parse_err_rows[i].why);
		ROW_END();
	}

	/* A short WHY buffer is cut, not overrun (the sanitizer build watches). */
	ROW("cron_parse: short why buffer");
	{
		struct cron c;
		char why[8];

		memset(why, 'x', sizeof why);
		CHECK_INT(cron_parse("0 0 30 2 *", &c, why, 5), -1);
		CHECK(memchr(why, '\0', 5) != NULL, "why not terminated within its length");
		CHECK(why[5] == 'x', "wrote past the given length");
	}
	ROW_END();

	/* A nickname means the same as its expansion. */
	{
		static const char *const pairs[][2] = {
			{ "@hourly", "0 * * * *" }, { "@daily", "0 0 * * *" },
			{ "@midnight", "0 0 * * *" }, { "@weekly", "0 0 * * 0" },
			{ "@monthly", "0 0 1 * *" }, { "@yearly", "0 0 1 1 *" },
			{ "@annually", "0 0 1 1 *" },
		};

		for (size_t i = 0; i < NELEM(pairs); i++) {
			struct cron a, b;
			char why[256];

			ROW("%s = %s", pairs[i][0], pairs[i][1]);
			memset(&a, 0, sizeof a);
			memset(&b, 0, sizeof b);
			CHECK_INT(cron_parse(pairs[i][0], &a, why, sizeof why), 0);
			CHECK_INT(cron_parse(pairs[i][1], &b, why, sizeof why), 0);
			CHECK(memcmp(&a, &b, sizeof a) == 0, "different struct cron");
			ROW_END();
		}
	}
}

/* --- cron_next --- */

static const struct {
	const char *expr, *zone;	/* zone NULL: UTC */
	const char *from;		/* exclusive: a slot exactly here is not next */
	const char *want[8];		/* the next fire times, in order */
} next_rows[] = {
	/* month ends: the 31st only in long months, the 30th not in February */
	{ "0 0 31 * *", NULL, "2026-01-31T00:00Z", { "2026-03-31T00:00:00+00:00",
	  "2026-05-31T00:00:00+00:00", "2026-07-31T00:00:00+00:00", "2026-08-31T00:00:00+00:00",
	  "2026-10-31T00:00:00+00:00", "2026-12-31T00:00:00+00:00", "2027-01-31T00:00:00+00:00" } },
	{ "0 0 31 * *", NULL, "2026-04-30T00:00Z", { "2026-05-31T00:00:00+00:00" } },
	{ "0 0 30 * *", NULL, "2026-01-30T00:00Z", { "2026-03-30T00:00:00+00:00",
	  "2026-04-30T00:00:00+00:00" } },
	/* leap years: 2100 is not one, 2400 is */
	{ "0 0 29 2 *", NULL, "2026-01-01T00:00Z", { "2028-02-29T00:00:00+00:00",
	  "2032-02-29T00:00:00+00:00" } },
	{ "0 0 29 2 *", NULL, "2096-03-01T00:00Z", { "2104-02-29T00:00:00+00:00" } },
	{ "0 0 29 2 *", NULL, "2399-03-01T00:00Z", { "2400-02-29T00:00:00+00:00",
	  "2404-02-29T00:00:00+00:00" } },
	{ "0 0 29 2 *", NULL, "1960-01-01T00:00Z", { "1960-02-29T00:00:00+00:00",
	  "1964-02-29T00:00:00+00:00" } },
	{ "0 0 1 1 *", NULL, "1969-12-31T23:59Z", { "1970-01-01T00:00:00+00:00" } },
	/* L */
	{ "0 0 L 2 *", NULL, "2026-01-01T00:00Z", { "2026-02-28T00:00:00+00:00",
	  "2027-02-28T00:00:00+00:00", "2028-02-29T00:00:00+00:00", "2029-02-28T00:00:00+00:00" } },
	{ "0 0 L 2 *", NULL, "2099-03-01T00:00Z", { "2100-02-28T00:00:00+00:00",
	  "2101-02-28T00:00:00+00:00" } },
	{ "30 23 L * *", NULL, "2026-01-31T23:30Z", { "2026-02-28T23:30:00+00:00",
	  "2026-03-31T23:30:00+00:00", "2026-04-30T23:30:00+00:00" } },
	{ "0 12 15,L * *", NULL, "2028-02-01T00:00Z", { "2028-02-15T12:00:00+00:00",
	  "2028-02-29T12:00:00+00:00", "2028-03-15T12:00:00+00:00", "2028-03-31T12:00:00+00:00" } },
	/* N#K */
	{ "0 0 * * 5#3", NULL, "2026-01-01T00:00Z", { "2026-01-16T00:00:00+00:00",
	  "2026-02-20T00:00:00+00:00", "2026-03-20T00:00:00+00:00", "2026-04-17T00:00:00+00:00",
	  "2026-05-15T00:00:00+00:00" } },
	{ "0 0 * * fri#5", NULL, "2026-01-01T00:00Z", { "2026-01-30T00:00:00+00:00",
	  "2026-05-29T00:00:00+00:00", "2026-07-31T00:00:00+00:00", "2026-10-30T00:00:00+00:00",
	  "2027-01-29T00:00:00+00:00" } },
	{ "0 0 * * 1#1", NULL, "2026-01-01T00:00Z", { "2026-01-05T00:00:00+00:00",
	  "2026-02-02T00:00:00+00:00", "2026-03-02T00:00:00+00:00", "2026-04-06T00:00:00+00:00" } },
	{ "0 0 * * 7#1", NULL, "2026-01-01T00:00Z", { "2026-01-04T00:00:00+00:00",
	  "2026-02-01T00:00:00+00:00" } },
	/* the OR rule: both fields restricted */
	{ "0 0 13 * 5", NULL, "2026-01-01T00:00Z", { "2026-01-02T00:00:00+00:00",
	  "2026-01-09T00:00:00+00:00", "2026-01-13T00:00:00+00:00", "2026-01-16T00:00:00+00:00",
	  "2026-01-23T00:00:00+00:00", "2026-01-30T00:00:00+00:00", "2026-02-06T00:00:00+00:00" } },
	{ "0 0 13 * 5", NULL, "2026-02-01T00:00Z", { "2026-02-06T00:00:00+00:00",
	  "2026-02-13T00:00:00+00:00", "2026-02-20T00:00:00+00:00", "2026-02-27T00:00:00+00:00",
	  "2026-03-06T00:00:00+00:00", "2026-03-13T00:00:00+00:00" } },
	{ "0 0 1 * 1#1", NULL, "2026-01-01T00:00Z", { "2026-01-05T00:00:00+00:00",
	  "2026-02-01T00:00:00+00:00", "2026-02-02T00:00:00+00:00", "2026-03-01T00:00:00+00:00",
	  "2026-03-02T00:00:00+00:00", "2026-04-01T00:00:00+00:00" } },
	{ "0 0 13 * 5#2", NULL, "2026-01-01T00:00Z", { "2026-01-09T00:00:00+00:00",
	  "2026-01-13T00:00:00+00:00", "2026-02-13T00:00:00+00:00", "2026-03-13T00:00:00+00:00",
	  "2026-04-10T00:00:00+00:00", "2026-04-13T00:00:00+00:00" } },
	{ "0 0 L * 5", NULL, "2026-01-27T00:00Z", { "2026-01-30T00:00:00+00:00",
	  "2026-01-31T00:00:00+00:00", "2026-02-06T00:00:00+00:00" } },
	/* a full range is restricted too: OR, so every day */
	{ "0 0 1-31 * 5", NULL, "2026-01-01T00:00Z", { "2026-01-02T00:00:00+00:00",
	  "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00" } },
	{ "0 0 13 * 0-7", NULL, "2026-01-01T00:00Z", { "2026-01-02T00:00:00+00:00",
	  "2026-01-03T00:00:00+00:00" } },
	/* ... but a field starting with '*' is not: AND */
	{ "0 0 */2 * 5", NULL, "2026-01-01T00:00Z", { "2026-01-09T00:00:00+00:00",
	  "2026-01-23T00:00:00+00:00", "2026-02-13T00:00:00+00:00", "2026-02-27T00:00:00+00:00",
	  "2026-03-13T00:00:00+00:00", "2026-03-27T00:00:00+00:00" } },
	{ "0 0 * * 5", NULL, "2026-01-01T00:00Z", { "2026-01-02T00:00:00+00:00",
	  "2026-01-09T00:00:00+00:00", "2026-01-16T00:00:00+00:00" } },
	{ "0 0 13 * */3", NULL, "2026-01-01T00:00Z", { "2026-05-13T00:00:00+00:00",
	  "2026-06-13T00:00:00+00:00", "2026-09-13T00:00:00+00:00" } },
	{ "0 0 13 * *", NULL, "2026-01-01T00:00Z", { "2026-01-13T00:00:00+00:00",
	  "2026-02-13T00:00:00+00:00" } },
	/* steps restart each period */
	{ "*/15 * * * *", NULL, "2026-01-01T00:07Z", { "2026-01-01T00:15:00+00:00",
	  "2026-01-01T00:30:00+00:00", "2026-01-01T00:45:00+00:00", "2026-01-01T01:00:00+00:00" } },
	{ "1-30/7 * * * *", NULL, "2026-01-01T00:25Z", { "2026-01-01T00:29:00+00:00",
	  "2026-01-01T01:01:00+00:00", "2026-01-01T01:08:00+00:00" } },
	{ "*/7 * * * *", NULL, "2026-01-01T00:55Z", { "2026-01-01T00:56:00+00:00",
	  "2026-01-01T01:00:00+00:00", "2026-01-01T01:07:00+00:00" } },
	{ "0 */5 * * *", NULL, "2026-01-01T19:00Z", { "2026-01-01T20:00:00+00:00",
	  "2026-01-02T00:00:00+00:00", "2026-01-02T05:00:00+00:00" } },
	{ "0 0 */10 * *", NULL, "2026-01-21T00:00Z", { "2026-01-31T00:00:00+00:00",
	  "2026-02-01T00:00:00+00:00", "2026-02-11T00:00:00+00:00", "2026-02-21T00:00:00+00:00",
	  "2026-03-01T00:00:00+00:00" } },
	{ "0 0 1 */5 *", NULL, "2026-06-01T00:00Z", { "2026-11-01T00:00:00+00:00",
	  "2027-01-01T00:00:00+00:00", "2027-06-01T00:00:00+00:00" } },
	{ "10/20 * * * *", NULL, "2026-01-01T00:50Z", { "2026-01-01T01:10:00+00:00",
	  "2026-01-01T01:30:00+00:00" } },
	/* year wrap */
	{ "59 23 31 12 *", NULL, "2026-12-31T23:59Z", { "2027-12-31T23:59:00+00:00" } },
	{ "0 0 1 1 *", NULL, "2026-06-01T00:00Z", { "2027-01-01T00:00:00+00:00" } },
	{ "* * * * *", NULL, "2026-12-31T23:59:30Z", { "2027-01-01T00:00:00+00:00",
	  "2027-01-01T00:01:00+00:00" } },
	/* AFTER is exclusive, and seconds round up to the next minute */
	{ "0 9 * * *", NULL, "2026-03-10T09:00Z", { "2026-03-11T09:00:00+00:00" } },
	{ "0 9 * * *", NULL, "2026-03-10T08:59:59Z", { "2026-03-10T09:00:00+00:00" } },
	{ "0 9 * * *", NULL, "2026-03-10T09:00:01Z", { "2026-03-11T09:00:00+00:00" } },
	{ "* * * * *", NULL, "2026-03-10T09:00:00Z", { "2026-03-10T09:01:00+00:00" } },
	/* names, 7, ranges to 7 */
	{ "0 0 * * 7", NULL, "2026-01-01T00:00Z", { "2026-01-04T00:00:00+00:00",
	  "2026-01-11T00:00:00+00:00" } },
	{ "0 0 * * 5-7", NULL, "2026-01-01T00:00Z", { "2026-01-02T00:00:00+00:00",
	  "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-09T00:00:00+00:00" } },
	{ "30 8 * * mon-fri", NULL, "2026-01-02T09:00Z", { "2026-01-05T08:30:00+00:00",
	  "2026-01-06T08:30:00+00:00" } },
	{ "0 0 1 feb,AUG *", NULL, "2026-01-01T00:00Z", { "2026-02-01T00:00:00+00:00",
	  "2026-08-01T00:00:00+00:00", "2027-02-01T00:00:00+00:00" } },
	/* nicknames */
	{ "@hourly", NULL, "2026-03-10T10:30Z", { "2026-03-10T11:00:00+00:00",
	  "2026-03-10T12:00:00+00:00" } },
	{ "@daily", NULL, "2026-03-10T10:30Z", { "2026-03-11T00:00:00+00:00" } },
	{ "@midnight", NULL, "2026-03-10T10:30Z", { "2026-03-11T00:00:00+00:00" } },
	{ "@weekly", NULL, "2026-03-10T10:30Z", { "2026-03-15T00:00:00+00:00",
	  "2026-03-22T00:00:00+00:00" } },
	{ "@monthly", NULL, "2026-03-10T10:30Z", { "2026-04-01T00:00:00+00:00" } },
	{ "@yearly", NULL, "2026-03-10T10:30Z", { "2027-01-01T00:00:00+00:00" } },
	{ "@annually", NULL, "2026-03-10T10:30Z", { "2027-01-01T00:00:00+00:00" } },
	/* hard expressions terminate with the right answer */
	{ "0 0 29 2 1", NULL, "2028-02-22T00:00Z", { "2028-02-28T00:00:00+00:00",
	  "2028-02-29T00:00:00+00:00", "2029-02-05T00:00:00+00:00" } },	/* OR */
	{ "0 0 * 2 1#5", NULL, "2026-01-01T00:00Z", { "2044-02-29T00:00:00+00:00",
	  "2072-02-29T00:00:00+00:00", "2112-02-29T00:00:00+00:00" } },	/* AND via '*' */
	{ "0 0 * 2 1#5", "America/New_York", "2026-01-01T00:00-05:00",
	  { "2044-02-29T00:00:00-05:00" } },
	{ "59 23 29 2 1#5", "Europe/Berlin", "2044-03-01T00:00+01:00",
	  { "2048-02-29T23:59:00+01:00" } },	/* OR: any 29 Feb, the next in 2048 */

	/* DST, America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT
	 * -> 01:00 EST. A slot in the gap fires when the gap ends. */
	{ "30 2 * * *", "America/New_York", "2026-03-07T12:00-05:00",
	  { "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00" } },
	{ "0 2 * * *", "America/New_York", "2026-03-07T12:00-05:00",
	  { "2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00" } },
	/* ... also from a second before the gap, and from the last second before it ends */
	{ "30 2 * * *", "America/New_York", "2026-03-08T01:59:59-05:00",
	  { "2026-03-08T03:00:00-04:00" } },
	{ "30 2 * * *", "America/New_York", "2026-03-08T01:59:58-05:00",
	  { "2026-03-08T03:00:00-04:00" } },
	{ "30 2 * * *", "America/New_York", "2026-03-08T03:00-04:00",
	  { "2026-03-09T02:30:00-04:00" } },
	/* a later hour starts at its first minute, whatever the minute of AFTER */
	{ "0 9 * * *", NULL, "2026-03-10T08:30Z", { "2026-03-10T09:00:00+00:00" } },
	{ "15 10 * * *", NULL, "2026-03-10T09:20Z", { "2026-03-10T10:15:00+00:00" } },
	{ "0,45 9-17/4 * * *", NULL, "2026-03-10T09:50Z", { "2026-03-10T13:00:00+00:00",
	  "2026-03-10T13:45:00+00:00", "2026-03-10T17:00:00+00:00" } },
	{ "* 2 * * *", "America/New_York", "2026-03-08T01:58-05:00",
	  { "2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00",
	    "2026-03-09T02:01:00-04:00" } },
	{ "0,30 2,3 * * *", "America/New_York", "2026-03-08T00:00-05:00",
	  { "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00",
	    "2026-03-09T02:00:00-04:00" } },
	{ "30 * * * *", "America/New_York", "2026-03-08T00:00-05:00",
	  { "2026-03-08T00:30:00-05:00", "2026-03-08T01:30:00-05:00",
	    "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00" } },
	{ "59 1 * * *", "America/New_York", "2026-03-08T00:00-05:00",
	  { "2026-03-08T01:59:00-05:00", "2026-03-09T01:59:00-04:00" } },
	/* the repeated hour: a fixed-hour slot fires once, at its first occurrence ... */
	{ "30 1 * * *", "America/New_York", "2026-10-31T12:00-04:00",
	  { "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00" } },
	{ "30 1 * * *", "America/New_York", "2026-11-01T01:45-04:00",
	  { "2026-11-02T01:30:00-05:00" } },
	{ "30 1 * * *", "America/New_York", "2026-11-01T01:10-05:00",
	  { "2026-11-02T01:30:00-05:00" } },
	{ "*/30 1 * * *", "America/New_York", "2026-11-01T00:00-04:00",
	  { "2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00",
	    "2026-11-02T01:00:00-05:00" } },
	{ "0 1-2 * * *", "America/New_York", "2026-11-01T00:00-04:00",
	  { "2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00",
	    "2026-11-02T01:00:00-05:00" } },
	{ "0 2 * * *", "America/New_York", "2026-11-01T00:00-04:00",
	  { "2026-11-01T02:00:00-05:00", "2026-11-02T02:00:00-05:00" } },
	/* ... a wildcard-hour slot at each real occurrence */
	{ "30 * * * *", "America/New_York", "2026-11-01T00:00-04:00",
	  { "2026-11-01T00:30:00-04:00", "2026-11-01T01:30:00-04:00",
	    "2026-11-01T01:30:00-05:00", "2026-11-01T02:30:00-05:00" } },
	{ "30 * * * *", "America/New_York", "2026-11-01T01:45-04:00",
	  { "2026-11-01T01:30:00-05:00", "2026-11-01T02:30:00-05:00" } },
	{ "0 */1 * * *", "America/New_York", "2026-11-01T00:00-04:00",
	  { "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00",
	    "2026-11-01T02:00:00-05:00" } },
	/* beyond the table: the zone's rule string */
	{ "30 2 * * *", "America/New_York", "2100-03-13T12:00-05:00",
	  { "2100-03-14T03:00:00-04:00", "2100-03-15T02:30:00-04:00" } },
	{ "30 1 * * *", "America/New_York", "2100-11-06T12:00-04:00",
	  { "2100-11-07T01:30:00-04:00", "2100-11-08T01:30:00-05:00" } },

	/* Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 */
	{ "*/20 * * * *", "Europe/Berlin", "2026-03-29T01:30+01:00",
	  { "2026-03-29T01:40:00+01:00", "2026-03-29T03:00:00+02:00",
	    "2026-03-29T03:20:00+02:00", "2026-03-29T03:40:00+02:00" } },
	{ "*/20 * * * *", "Europe/Berlin", "2026-10-25T02:30+02:00",
	  { "2026-10-25T02:40:00+02:00", "2026-10-25T02:00:00+01:00",
	    "2026-10-25T02:20:00+01:00", "2026-10-25T02:40:00+01:00",
	    "2026-10-25T03:00:00+01:00" } },
	{ "30 2 * * *", "Europe/Berlin", "2026-10-24T12:00+02:00",
	  { "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00" } },
	{ "30 2 * * 0", "Europe/Berlin", "2026-03-28T00:00+01:00",
	  { "2026-03-29T03:00:00+02:00", "2026-04-05T02:30:00+02:00" } },

	/* Australia/Lord_Howe, a 30-minute shift: 2026-10-04 02:00 +10:30 -> 02:30 +11:00;
	 * 2026-04-05 02:00 +11:00 -> 01:30 +10:30 */
	{ "15 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00+10:30",
	  { "2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00" } },
	{ "0,30 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00+10:30",
	  { "2026-10-04T02:30:00+11:00", "2026-10-05T02:00:00+11:00" } },
	{ "15 * * * *", "Australia/Lord_Howe", "2026-10-04T01:00+10:30",
	  { "2026-10-04T01:15:00+10:30", "2026-10-04T02:30:00+11:00",
	    "2026-10-04T03:15:00+11:00" } },
	{ "45 1 * * *", "Australia/Lord_Howe", "2026-04-04T12:00+11:00",
	  { "2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30" } },
	{ "*/15 * * * *", "Australia/Lord_Howe", "2026-04-05T01:20+11:00",
	  { "2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00",
	    "2026-04-05T01:30:00+10:30", "2026-04-05T01:45:00+10:30",
	    "2026-04-05T02:00:00+10:30" } },

	/* Australia/Sydney: 2026-04-05 03:00 +11 -> 02:00 +10; 2026-10-04 02:00 +10 -> 03:00 */
	{ "30 2 * * *", "Australia/Sydney", "2026-04-04T12:00+11:00",
	  { "2026-04-05T02:30:00+11:00", "2026-04-06T02:30:00+10:00" } },
	{ "30 2 * * *", "Australia/Sydney", "2026-10-03T12:00+10:00",
	  { "2026-10-04T03:00:00+11:00", "2026-10-05T02:30:00+11:00" } },

	/* Pacific/Apia skipped a whole day: 2011-12-29 24:00 -10:00 -> 2011-12-31 00:00 +14:00 */
	{ "0 12 * * *", "Pacific/Apia", "2011-12-29T13:00-10:00",
	  { "2011-12-31T00:00:00+14:00", "2011-12-31T12:00:00+14:00" } },
	{ "0 9 30 12 *", "Pacific/Apia", "2011-12-01T00:00-10:00",
	  { "2011-12-31T00:00:00+14:00", "2012-12-30T09:00:00+14:00" } },

	/* Asia/Tokyo: no DST */
	{ "30 2 * * *", "Asia/Tokyo", "2026-03-07T12:00+09:00",
	  { "2026-03-08T02:30:00+09:00", "2026-03-09T02:30:00+09:00" } },
	{ "0 0 * * 5#3", "Asia/Tokyo", "2026-01-01T00:00+09:00",
	  { "2026-01-16T00:00:00+09:00", "2026-02-20T00:00:00+09:00" } },
	{ "0 9 * * *", "Asia/Tokyo", "2026-03-10T00:00Z",
	  { "2026-03-11T09:00:00+09:00" } },
};

static void
test_next(void)
{
	for (size_t i = 0; i < NELEM(next_rows); i++) {
		const struct tz *z = zone(next_rows[i].zone);
		struct cron c;
		char why[256], got[64];
		int64_t t;

		if (z == NULL)
			continue;	/* no such zone here */
		ROW("cron_next(%s) %s from %s", unit_quote(next_rows[i].expr),
		    next_rows[i].zone ? next_rows[i].zone : "UTC", next_rows[i].from);
		if (!CHECK(cron_parse(next_rows[i].expr, &c, why, sizeof why) == 0, "refused: %s",
		    why)) {
			ROW_END();
			continue;
		}
		t = instant(next_rows[i].from);
		for (size_t k = 0; k < NELEM(next_rows[i].want) && next_rows[i].want[k]; k++) {
			int64_t prev = t;

			t = cron_next(&c, z, t);
			if (!CHECK(strcmp(show(z, t, got, sizeof got), next_rows[i].want[k]) == 0,
			    "fire %zu is %s, expected %s", k + 1, got, next_rows[i].want[k]))
				break;
			CHECK(t > prev, "not after %lld", (long long)prev);
			CHECK(cron_next(&c, z, t - 1) == t, "a second before it, not it");
		}
		ROW_END();
	}

	ROW("cron_next: @reboot has no times");
	{
		struct cron c;
		char why[256];

		CHECK_INT(cron_parse("@reboot", &c, why, sizeof why), 0);
		CHECK(cron_next(&c, zone(NULL), 0) == CRON_NEVER, "a time for @reboot");
		CHECK(cron_next_civil(&c, 0, CRON_NEVER) == CRON_NEVER, "a civil time for @reboot");
	}
	ROW_END();

	ROW("cron_next: the end of time");
	{
		struct cron c;
		char why[256];

		CHECK_INT(cron_parse("* * * * *", &c, why, sizeof why), 0);
		CHECK(cron_next(&c, zone(NULL), CRON_NEVER) == CRON_NEVER, "a time after the end");
		CHECK(cron_next(&c, zone(NULL), CRON_NEVER - 1) == CRON_NEVER,
		    "a time after the end");
	}
	ROW_END();
}

/* --- cron_count --- */

static const struct {
	const char *expr, *zone, *after, *until;	/* (after, until] */
	long max, want;
} count_rows[] = {
	{ "*/15 * * * *", NULL, "2026-03-10T09:00Z", "2026-03-10T10:00Z", 100, 4 },
	{ "*/15 * * * *", NULL, "2026-03-10T09:00Z", "2026-03-10T10:00Z", 2, 2 },
	{ "*/15 * * * *", NULL, "2026-03-10T08:59:59Z", "2026-03-10T10:00Z", 100, 5 },
	{ "*/15 * * * *", NULL, "2026-03-10T09:00Z", "2026-03-10T09:59:59Z", 100, 3 },
	{ "*/15 * * * *", NULL, "2026-03-10T09:00Z", "2026-03-10T09:00Z", 100, 0 },
	{ "*/15 * * * *", NULL, "2026-03-10T10:00Z", "2026-03-10T09:00Z", 100, 0 },
	{ "*/5 * * * *", NULL, "2026-03-10T09:00Z", "2026-03-10T10:00Z", 0, 0 },
	{ "* * * * *", NULL, "2026-03-10T09:00Z", "2026-03-10T10:00Z", 1000, 60 },
	{ "0 0 29 2 *", NULL, "2000-01-01T00:00Z", "2100-12-31T00:00Z", 1000, 25 },
	{ "0 0 * * 5#5", NULL, "2026-01-01T00:00Z", "2027-01-01T00:00Z", 1000, 4 },
	{ "@reboot", NULL, "2026-01-01T00:00Z", "2027-01-01T00:00Z", 1000, 0 },
	/* New York's DST days, local midnight to midnight */
	{ "0 * * * *", "America/New_York", "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00",
	  1000, 23 },
	{ "* * * * *", "America/New_York", "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00",
	  5000, 23 * 60 },
	{ "30 2 * * *", "America/New_York", "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00",
	  1000, 1 },
	{ "0 * * * *", "America/New_York", "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00",
	  1000, 25 },
	{ "30 * * * *", "America/New_York", "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00",
	  1000, 25 },
	{ "* * * * *", "America/New_York", "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00",
	  5000, 25 * 60 },
	{ "30 1 * * *", "America/New_York", "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00",
	  1000, 1 },
	{ "* 1 * * *", "America/New_York", "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00",
	  1000, 60 },
	{ "*/15 * * * *", "Australia/Lord_Howe", "2026-04-05T00:00+11:00",
	  "2026-04-06T00:00+10:30", 1000, 24 * 4 + 2 },
	{ "*/15 * * * *", "Australia/Lord_Howe", "2026-10-04T00:00+10:30",
	  "2026-10-05T00:00+11:00", 1000, 24 * 4 - 2 },
};

static void
test_count(void)
{
	for (size_t i = 0; i < NELEM(count_rows); i++) {
		const struct tz *z = zone(count_rows[i].zone);
		struct cron c;
		char why[256];

		if (z == NULL)
			continue;
		ROW("cron_count(%s) %s (%s, %s] max %ld", unit_quote(count_rows[i].expr),
		    count_rows[i].zone ? count_rows[i].zone : "UTC", count_rows[i].after,
		    count_rows[i].until, count_rows[i].max);
		CHECK_INT(cron_parse(count_rows[i].expr, &c, why, sizeof why), 0);
		CHECK_INT(cron_count(&c, z, instant(count_rows[i].after),
		    instant(count_rows[i].until), count_rows[i].max), count_rows[i].want);
		ROW_END();
	}
}

/* --- the due rule: cron --- */

static const struct {
	const char *what, *expr, *zone;
	const char *last_run, *baseline;	/* NULL: none */
	const char *now;
	int due;
	const char *next;			/* as sched_due reports it, in the zone */
	int needs_baseline;
} cron_due_rows[] = {
	{ "first sight: not due, a baseline is needed", "0 9 * * *", NULL, NULL, NULL,
	  "2026-03-10T08:00Z", 0, "2026-03-10T09:00:00+00:00", 1 },
	{ "first sight exactly at a slot: still not due", "0 9 * * *", NULL, NULL, NULL,
	  "2026-03-10T09:00Z", 0, "2026-03-11T09:00:00+00:00", 1 },
	{ "baseline, before the first slot", "0 9 * * *", NULL, NULL, "2026-03-10T08:00Z",
	  "2026-03-10T08:59:59Z", 0, "2026-03-10T09:00:00+00:00", 0 },
	{ "baseline, exactly at the first slot", "0 9 * * *", NULL, NULL, "2026-03-10T08:00Z",
	  "2026-03-10T09:00Z", 1, "2026-03-10T09:00:00+00:00", 0 },
	{ "baseline, long after the first slot", "0 9 * * *", NULL, NULL, "2026-03-10T08:00Z",
	  "2026-03-20T12:00Z", 1, "2026-03-10T09:00:00+00:00", 0 },
	{ "baseline at a slot: that slot does not count", "0 9 * * *", NULL, NULL,
	  "2026-03-10T09:00Z", "2026-03-10T09:00:30Z", 0, "2026-03-11T09:00:00+00:00", 0 },
	{ "baseline at a slot, the next one", "0 9 * * *", NULL, NULL, "2026-03-10T09:00Z",
	  "2026-03-11T09:00Z", 1, "2026-03-11T09:00:00+00:00", 0 },
	{ "ran at a late tick, the next slot", "0 9 * * *", NULL, "2026-03-10T09:00:05Z", NULL,
	  "2026-03-11T09:00Z", 1, "2026-03-11T09:00:00+00:00", 0 },
	{ "ran, a second before the next slot", "0 9 * * *", NULL, "2026-03-10T09:00:05Z",
	  NULL, "2026-03-11T08:59:59Z", 0, "2026-03-11T09:00:00+00:00", 0 },
	{ "ran a second before the slot", "0 9 * * *", NULL, "2026-03-10T08:59:59Z", NULL,
	  "2026-03-10T09:00Z", 1, "2026-03-10T09:00:00+00:00", 0 },
	{ "ran exactly at the slot, same tick", "0 9 * * *", NULL, "2026-03-10T09:00Z", NULL,
	  "2026-03-10T09:00Z", 0, "2026-03-11T09:00:00+00:00", 0 },
	{ "several missed slots make one run", "*/15 * * * *", NULL, "2026-03-10T09:00Z", NULL,
	  "2026-03-10T11:07Z", 1, "2026-03-10T09:15:00+00:00", 0 },
	{ "between slots", "*/15 * * * *", NULL, "2026-03-10T09:00Z", NULL,
	  "2026-03-10T09:14:59Z", 0, "2026-03-10T09:15:00+00:00", 0 },
	{ "a run outweighs the baseline", "0 9 * * *", NULL, "2026-03-10T09:00Z",
	  "2026-03-01T00:00Z", "2026-03-10T12:00Z", 0, "2026-03-11T09:00:00+00:00", 0 },
	/* a last run or baseline more than SCHED_CLOCK_SLACK ahead: the clock went back, the
	 * task is due at once; less ahead: the usual next slot */
	{ "clock went back 30m: due at once", "0 9 * * *", NULL, "2026-03-10T10:00Z", NULL,
	  "2026-03-10T09:30Z", 1, "2026-03-10T09:30:00+00:00", 0 },
	{ "clock went back 5m: the next slot", "0 9 * * *", NULL, "2026-03-10T10:00Z", NULL,
	  "2026-03-10T09:55Z", 0, "2026-03-11T09:00:00+00:00", 0 },
	{ "baseline in the future: due at once", "0 9 * * *", NULL, NULL, "2027-01-01T00:00Z",
	  "2026-03-10T09:30Z", 1, "2026-03-10T09:30:00+00:00", 0 },
	{ "long overdue", "0 9 * * *", NULL, "2026-01-01T10:00Z", NULL, "2026-03-10T12:00Z",
	  1, "2026-01-02T09:00:00+00:00", 0 },
	{ "nickname", "@hourly", NULL, "2026-03-10T09:00:03Z", NULL, "2026-03-10T10:00Z", 1,
	  "2026-03-10T10:00:00+00:00", 0 },
	/* zones */
	{ "New York, in the zone", "0 9 * * *", "America/New_York", NULL,
	  "2026-03-10T08:00-04:00", "2026-03-10T09:00-04:00", 1, "2026-03-10T09:00:00-04:00",
	  0 },
	{ "New York, 12:59 UTC is 08:59 there", "0 9 * * *", "America/New_York", NULL,
	  "2026-03-10T08:00-04:00", "2026-03-10T12:59Z", 0, "2026-03-10T09:00:00-04:00", 0 },
	{ "New York, the gap: not yet", "30 2 * * *", "America/New_York",
	  "2026-03-07T02:30-05:00", NULL, "2026-03-08T01:59:59-05:00", 0,
	  "2026-03-08T03:00:00-04:00", 0 },
	{ "New York, the gap: at its end", "30 2 * * *", "America/New_York",
	  "2026-03-07T02:30-05:00", NULL, "2026-03-08T03:00-04:00", 1,
	  "2026-03-08T03:00:00-04:00", 0 },
	{ "New York, repeated hour, fixed hour: once", "30 1 * * *", "America/New_York",
	  "2026-11-01T01:30:10-04:00", NULL, "2026-11-01T01:30:30-05:00", 0,
	  "2026-11-02T01:30:00-05:00", 0 },
	{ "New York, repeated hour, wildcard hour: again", "30 * * * *", "America/New_York",
	  "2026-11-01T01:30:10-04:00", NULL, "2026-11-01T01:30:30-05:00", 1,
	  "2026-11-01T01:30:00-05:00", 0 },
	{ "Tokyo", "0 9 * * *", "Asia/Tokyo", "2026-03-10T09:00+09:00", NULL,
	  "2026-03-10T09:00Z", 0, "2026-03-11T09:00:00+09:00", 0 },
};

static void
test_due_cron(void)
{
	for (size_t i = 0; i < NELEM(cron_due_rows); i++) {
		const struct tz *z = zone(cron_due_rows[i].zone);
		struct schedule s = { SCHED_CRON };
		struct sched_past past = { 0 };
		char why[256], got[64];
		time_t next = (time_t)-2, now;

		if (z == NULL)
			continue;
		ROW("sched_due cron: %s", cron_due_rows[i].what);
		CHECK_INT(cron_parse(cron_due_rows[i].expr, &s.cron, why, sizeof why), 0);
		snprintf(s.expr, sizeof s.expr, "%s", cron_due_rows[i].expr);
		if (cron_due_rows[i].last_run != NULL) {
			past.has_run = 1;
			past.last_run = instant(cron_due_rows[i].last_run);
		}
		if (cron_due_rows[i].baseline != NULL) {
			past.has_baseline = 1;
			past.baseline = instant(cron_due_rows[i].baseline);
		}
		now = (time_t)instant(cron_due_rows[i].now);
		CHECK_INT(sched_due(&s, &past, z, now, 0, &next), cron_due_rows[i].due);
		CHECK_STR(show(z, next, got, sizeof got), cron_due_rows[i].next);
		CHECK_INT(sched_due(&s, &past, z, now, 0, NULL), cron_due_rows[i].due);
		/* --catchup does not change a cron task's due-ness */
		CHECK_INT(sched_due(&s, &past, z, now, 1, NULL), cron_due_rows[i].due);
		CHECK_INT(sched_needs_baseline(&s, &past), cron_due_rows[i].needs_baseline);
		/* due exactly from next on (a task that needs a baseline never is) */
		if (!cron_due_rows[i].needs_baseline && next >= 0 &&
		    !sched_clock_back(past.has_run ? past.last_run : past.baseline, now)) {
			CHECK(sched_due(&s, &past, z, next, 0, NULL) == 1,
			    "not due at its own next time");
			CHECK(sched_due(&s, &past, z, next - 1, 0, NULL) == 0,
			    "due a second before its next time");
		}
		ROW_END();
	}

	/* The runner's first sight: record NOW as the baseline, then the first slot after it
	 * makes the task due, and a run there moves it on. */
	ROW("sched_due cron: baseline then first slot then run");
	{
		const struct tz *z = zone(NULL);
		struct schedule s = { SCHED_CRON };
		struct sched_past past = { 0 };
		char why[256];
		time_t next = 0, t0 = (time_t)instant("2026-03-10T09:07:12Z");

		CHECK_INT(cron_parse("*/10 * * * *", &s.cron, why, sizeof why), 0);
		CHECK_INT(sched_due(&s, &past, z, t0, 0, &next), 0);
		CHECK_INT(sched_needs_baseline(&s, &past), 1);
		past.has_baseline = 1;
		past.baseline = t0;
		CHECK_INT(sched_needs_baseline(&s, &past), 0);
		CHECK_INT(sched_due(&s, &past, z, t0 + 60, 0, NULL), 0);
		CHECK_INT(sched_due(&s, &past, z, next, 0, NULL), 1);
		CHECK_INT(next, instant("2026-03-10T09:10Z"));
		past.has_run = 1;
		past.last_run = next + 3;
		CHECK_INT(sched_due(&s, &past, z, next + 5, 0, &next), 0);
		CHECK_INT(next, instant("2026-03-10T09:20Z"));
	}
	ROW_END();
}

/* --- the due rule: at --- */

static const struct {
	const char *what, *at, *zone;
	int done;
	const char *now;
	int due;
	const char *next;		/* "never": -1 */
} at_due_rows[] = {
	{ "UTC, before", "2026-12-01 09:00", NULL, 0, "2026-12-01T08:59:59Z", 0,
	  "2026-12-01T09:00:00+00:00" },
	{ "UTC, exactly", "2026-12-01 09:00", NULL, 0, "2026-12-01T09:00Z", 1,
	  "2026-12-01T09:00:00+00:00" },
	{ "UTC, late", "2027-12-01 09:00", NULL, 0, "2028-01-01T00:00Z", 1,
	  "2027-12-01T09:00:00+00:00" },
	{ "done: never again", "2026-12-01 09:00", NULL, 1, "2026-12-01T09:00Z", 0, "never" },
	{ "done, long after", "2026-12-01 09:00", NULL, 1, "2030-01-01T00:00Z", 0, "never" },
	{ "seconds", "2026-12-01 09:00:30", NULL, 0, "2026-12-01T09:00:29Z", 0,
	  "2026-12-01T09:00:30+00:00" },
	{ "seconds, reached", "2026-12-01T09:00:30", NULL, 0, "2026-12-01T09:00:30Z", 1,
	  "2026-12-01T09:00:30+00:00" },
	{ "zone", "2026-12-01 09:00", "America/New_York", 0, "2026-12-01T09:00Z", 0,
	  "2026-12-01T09:00:00-05:00" },
	{ "zone, reached", "2026-12-01 09:00", "America/New_York", 0, "2026-12-01T14:00Z", 1,
	  "2026-12-01T09:00:00-05:00" },
	{ "summer time", "2026-07-01 09:00", "Europe/Berlin", 0, "2026-07-01T06:59Z", 0,
	  "2026-07-01T09:00:00+02:00" },
	{ "offset beats the zone", "2026-12-01T09:00+01:00", "America/New_York", 0,
	  "2026-12-01T07:59:59Z", 0, "2026-12-01T03:00:00-05:00" },
	{ "offset beats the zone, reached", "2026-12-01T09:00+01:00", "America/New_York", 0,
	  "2026-12-01T08:00Z", 1, "2026-12-01T03:00:00-05:00" },
	{ "Z", "2026-12-01T09:00Z", "Asia/Tokyo", 0, "2026-12-01T09:00Z", 1,
	  "2026-12-01T18:00:00+09:00" },
	{ "-05", "2026-12-01T09:00-05", NULL, 0, "2026-12-01T13:59Z", 0,
	  "2026-12-01T14:00:00+00:00" },
	{ "in the gap: when it ends", "2026-03-08 02:30", "America/New_York", 0,
	  "2026-03-08T01:59:59-05:00", 0, "2026-03-08T03:00:00-04:00" },
	{ "in the gap, reached", "2026-03-08 02:30", "America/New_York", 0,
	  "2026-03-08T03:00-04:00", 1, "2026-03-08T03:00:00-04:00" },
	{ "Lord Howe gap", "2026-10-04 02:15", "Australia/Lord_Howe", 0,
	  "2026-10-04T02:30+11:00", 1, "2026-10-04T02:30:00+11:00" },
	{ "repeated hour: the first", "2026-11-01 01:30", "America/New_York", 0,
	  "2026-11-01T01:29-04:00", 0, "2026-11-01T01:30:00-04:00" },
	{ "repeated hour, reached", "2026-11-01 01:30", "America/New_York", 0,
	  "2026-11-01T01:30-04:00", 1, "2026-11-01T01:30:00-04:00" },
	{ "repeated hour, offset chooses the second", "2026-11-01T01:30-05:00",
	  "America/New_York", 0, "2026-11-01T01:30-04:00", 0, "2026-11-01T01:30:00-05:00" },
};

static void
test_due_at(void)
{
	for (size_t i = 0; i < NELEM(at_due_rows); i++) {
		const struct tz *z = zone(at_due_rows[i].zone);
		struct schedule s = { SCHED_AT };
		struct sched_past past = { 0 };
		const char *why = NULL;
		char got[64];
		time_t next = (time_t)-2, now;

		if (z == NULL)
			continue;
		ROW("sched_due at %s: %s", at_due_rows[i].at, at_due_rows[i].what);
		CHECK(sched_parse_time(at_due_rows[i].at, &s.at_local, &s.at_has_offset,
		    &s.at_offset, &why) == 0, "refused: %s", why ? why : "");
		snprintf(s.expr, sizeof s.expr, "%s", at_due_rows[i].at);
		past.done = at_due_rows[i].done;
		past.has_run = at_due_rows[i].done;
		now = (time_t)instant(at_due_rows[i].now);
		CHECK_INT(sched_due(&s, &past, z, now, 0, &next), at_due_rows[i].due);
		CHECK_STR(show(z, next, got, sizeof got), at_due_rows[i].next);
		CHECK_INT(sched_due(&s, &past, z, now, 1, NULL), at_due_rows[i].due);
		CHECK_INT(sched_needs_baseline(&s, &past), 0);
		if (!at_due_rows[i].done)
			CHECK_STR(show(z, sched_at_instant(&s, z), got, sizeof got),
			    at_due_rows[i].next);
		ROW_END();
	}
}

/* --- the due rule: @reboot, and who needs a baseline --- */

static const struct {
	int catchup, ran_this_boot, has_run, due;
} reboot_rows[] = {
	{ 0, 0, 0, 0 },		/* a plain tick never runs @reboot */
	{ 0, 0, 1, 0 },
	{ 0, 1, 1, 0 },
	{ 1, 0, 0, 1 },		/* --catchup, not yet this boot */
	{ 1, 0, 1, 1 },		/* ran in an earlier boot */
	{ 1, 1, 1, 0 },		/* already this boot */
};

static void
test_due_reboot(void)
{
	const time_t now = (time_t)instant("2026-03-10T09:00Z");

	for (size_t i = 0; i < NELEM(reboot_rows); i++) {
		struct schedule s = { SCHED_CRON, .expr = "@reboot" };
		struct sched_past past = { 0 };
		char why[256];
		time_t next = (time_t)-2;

		ROW("sched_due @reboot: catchup %d, ran this boot %d, ran before %d",
		    reboot_rows[i].catchup, reboot_rows[i].ran_this_boot, reboot_rows[i].has_run);
		CHECK_INT(cron_parse("@reboot", &s.cron, why, sizeof why), 0);
		past.ran_this_boot = reboot_rows[i].ran_this_boot;
		past.has_run = reboot_rows[i].has_run;
		past.last_run = reboot_rows[i].has_run ? now - 86400 : 0;
		CHECK_INT(sched_due(&s, &past, zone(NULL), now, reboot_rows[i].catchup, &next),
		    reboot_rows[i].due);
		CHECK_INT(next, reboot_rows[i].due ? (long long)now : -1);
		CHECK_INT(sched_needs_baseline(&s, &past), 0);
		ROW_END();
	}

	ROW("sched_needs_baseline: only a cron task never run and never seen");
	{
		struct schedule cron = { SCHED_CRON }, at = { SCHED_AT };
		struct schedule every = { SCHED_INTERVAL, 1800 };
		struct sched_past none = { 0 }, ran = { 1, 1000 }, seen = { .has_baseline = 1,
			.baseline = 1000 };
		char why[256];

		CHECK_INT(cron_parse("0 9 * * *", &cron.cron, why, sizeof why), 0);
		CHECK_INT(sched_needs_baseline(&cron, &none), 1);
		CHECK_INT(sched_needs_baseline(&cron, &ran), 0);
		CHECK_INT(sched_needs_baseline(&cron, &seen), 0);
		CHECK_INT(sched_needs_baseline(&at, &none), 0);
		CHECK_INT(sched_needs_baseline(&every, &none), 0);
	}
	ROW_END();
}

/* --- sched_parse_time --- */

static const struct {
	const char *in;
	int ok;
	int y, mo, d, h, mi, s;
	int has_offset;
	long offset;
} time_rows[] = {
	{ "2026-12-01 09:00", 1, 2026, 12, 1, 9, 0, 0, 0, 0 },
	{ "2026-12-01T09:00", 1, 2026, 12, 1, 9, 0, 0, 0, 0 },
	{ "2026-12-01t09:00", 1, 2026, 12, 1, 9, 0, 0, 0, 0 },
	{ "2026-12-01T09:00:30", 1, 2026, 12, 1, 9, 0, 30, 0, 0 },
	{ "2026-12-01 09:00Z", 1, 2026, 12, 1, 9, 0, 0, 1, 0 },
	{ "2026-12-01T09:00:30Z", 1, 2026, 12, 1, 9, 0, 30, 1, 0 },
	{ "2026-12-01T09:00+01:00", 1, 2026, 12, 1, 9, 0, 0, 1, 3600 },
	{ "2026-12-01T09:00+0100", 1, 2026, 12, 1, 9, 0, 0, 1, 3600 },
	{ "2026-12-01T09:00-05", 1, 2026, 12, 1, 9, 0, 0, 1, -18000 },
	{ "2026-12-01T09:00-05:30", 1, 2026, 12, 1, 9, 0, 0, 1, -19800 },
	{ "2026-12-01 09:00:59+05:45", 1, 2026, 12, 1, 9, 0, 59, 1, 20700 },
	{ "2026-12-01T09:00+14:00", 1, 2026, 12, 1, 9, 0, 0, 1, 50400 },
	{ "2026-12-01T09:00-00:00", 1, 2026, 12, 1, 9, 0, 0, 1, 0 },
	{ "2024-02-29 00:00", 1, 2024, 2, 29, 0, 0, 0, 0, 0 },
	{ "2000-02-29 23:59", 1, 2000, 2, 29, 23, 59, 0, 0, 0 },
	{ "2026-01-31 00:00", 1, 2026, 1, 31, 0, 0, 0, 0, 0 },
	{ "2026-12-31 23:59:59", 1, 2026, 12, 31, 23, 59, 59, 0, 0 },
	{ "1969-12-31 23:59:59", 1, 1969, 12, 31, 23, 59, 59, 0, 0 },
	/* no such date or time */
	{ "2026-02-29 09:00" }, { "2100-02-29 09:00" }, { "2026-13-01 09:00" },
	{ "2026-00-10 09:00" }, { "2026-04-31 09:00" }, { "2026-12-00 09:00" },
	{ "2026-12-32 09:00" }, { "2026-12-01 24:00" }, { "2026-12-01 23:60" },
	{ "2026-12-01 09:00:60" },
	/* bad forms, garbage, trailing text */
	{ "" }, { "garbage" }, { "2026-12-01" }, { "2026-12-01 9:00" }, { "26-12-01 09:00" },
	{ "2026/12/01 09:00" }, { "2026-12-01T09" }, { "2026-12-01 09:00:3" },
	{ "2026-12-01  09:00" }, { " 2026-12-01 09:00" }, { "2026-12-01 09:00 " },
	{ "2026-12-01 09:00 extra" }, { "2026-12-01 09:00Zx" }, { "2026-12-01 09:00+01:00x" },
	{ "2026-12-01 09:00+1" }, { "2026-12-01 09:00+25:00" }, { "2026-12-01 09:00+01:60" },
	{ "2026-12-01 09:00+01:0" }, { "2026-12-01 09:00+" }, { "2026-12-01 09:00+01:" },
	{ "2026-1-01 09:00" }, { "2026-12-01 09:00:00.5" }, { "2026-12-01_09:00" },
};

static void
test_parse_time(void)
{
	for (size_t i = 0; i < NELEM(time_rows); i++) {
		int64_t local = -1;
		int has_offset = -1;
		long offset = -1;
		const char *why = NULL;
		int rc;

		ROW("sched_parse_time(%s)", unit_quote(time_rows[i].in));
		rc = sched_parse_time(time_rows[i].in, &local, &has_offset, &offset, &why);
		if (!time_rows[i].ok) {
			CHECK_INT(rc, -1);
			CHECK(why != NULL && why[0] != '\0', "no reason given");
			ROW_END();
			continue;
		}
		CHECK_INT(rc, 0);
		CHECK_INT(local, tz_days_from_civil(time_rows[i].y, time_rows[i].mo,
		    time_rows[i].d) * 86400 + time_rows[i].h * 3600 + time_rows[i].mi * 60 +
		    time_rows[i].s);
		CHECK_INT(has_offset, time_rows[i].has_offset);
		CHECK_INT(offset, time_rows[i].offset);
		ROW_END();
	}
}

void
test_cron(void)
{
	test_parse();
	test_next();
	test_count();
	test_due_cron();
	test_due_at();
	test_due_reboot();
	test_parse_time();
	zones_free();
}
