/* test_tz.c - the zone code against fixed tables (civil dates, POSIX strings, known gaps and
 * repeated hours) and against glibc's localtime_r on the real /usr/share/zoneinfo files; plus
 * TZif built in memory (slim, v1, lying headers) and a small mutation fuzz for the parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tasks/tz.h"
#include "tests/unit/unit.h"

void test_tz(void);		/* the suite, run by tests/unit/main.c */

#define ZONEINFO "/usr/share/zoneinfo/"
#define H 3600
#define NONE INT64_MIN		/* expected: no such instant */

/* UTC (or "as if UTC" local) seconds of a civil time. */
static int64_t
civil(int64_t y, int mo, int d, int h, int mi)
{
	return tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

/* --- oracles --- */

static void
glibc_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static long
glibc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return -999999;
	return tm.tm_gmtoff;
}

/* Reads ZONEINFO NAME; NULL (and a note) when the system has no such file. */
static unsigned char *
zone_read(const char *name, size_t *len)
{
	char path[256];
	unsigned char *buf = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof path, ZONEINFO "%s", name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "test_tz: no %s, skipped\n", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = buf != NULL ? (size_t)n : 0;
	return buf;
}

/* --- civil dates --- */

static const struct {
	int64_t y;
	int m, d;
	int64_t days;
	int wday;
} civil_rows[] = {
	{ 1970, 1, 1, 0, 4 },
	{ 1969, 12, 31, -1, 3 },
	{ 2000, 2, 29, 11016, 2 },
	{ 2000, 3, 1, 11017, 3 },
	{ 2026, 3, 8, 20520, 0 },
	{ 2038, 1, 19, 24855, 2 },
	{ 2100, 2, 28, 47540, 0 },
	{ 2100, 3, 1, 47541, 1 },		/* 2100 is not a leap year */
	{ 1900, 3, 1, -25508, 4 },
	{ 1600, 2, 29, -135081, 2 },		/* 1600 is */
	{ 1, 1, 1, -719162, 1 },
	{ 0, 3, 1, -719468, 3 },
	{ -1, 12, 31, -719529, 5 },
	{ 9999, 12, 31, 2932896, 5 },
};

static void
test_civil(void)
{
	int64_t y;
	int m, d, bad = 0;
	int64_t first_bad = 0;

	for (size_t i = 0; i < NELEM(civil_rows); i++) {
		ROW("civil %lld-%02d-%02d", (long long)civil_rows[i].y, civil_rows[i].m,
		    civil_rows[i].d);
		CHECK_INT(tz_days_from_civil(civil_rows[i].y, civil_rows[i].m, civil_rows[i].d),
		    civil_rows[i].days);
		tz_civil_from_days(civil_rows[i].days, &y, &m, &d);
		CHECK(y == civil_rows[i].y && m == civil_rows[i].m && d == civil_rows[i].d,
		    "days %lld gave %lld-%02d-%02d", (long long)civil_rows[i].days,
		    (long long)y, m, d);
		CHECK_INT(tz_weekday(civil_rows[i].days), civil_rows[i].wday);
		ROW_END();
	}

	/* Every day over 6000 years: round trip, consecutive dates, timegm agrees. */
	ROW("civil round trip -3000..3000");
	{
		int64_t py = 0;
		int pm = 0, pd = 0;

		for (int64_t day = tz_days_from_civil(-3000, 1, 1);
		    day <= tz_days_from_civil(3000, 12, 31); day++) {
			struct tm tm = { 0 };
			int ok;

			tz_civil_from_days(day, &y, &m, &d);
			ok = tz_days_from_civil(y, m, d) == day && m >= 1 && m <= 12 && d >= 1 &&
			    d <= 31 && tz_weekday(day) == (tz_weekday(day - 1) + 1) % 7;
			if (day > tz_days_from_civil(-3000, 1, 1))
				ok = ok && (d == pd + 1 ? m == pm && y == py :
				    d == 1 && (m == pm + 1 ? y == py : m == 1 && y == py + 1));
			if (ok && y >= 1 && day % 97 == 0) {
				tm.tm_year = (int)y - 1900;
				tm.tm_mon = m - 1;
				tm.tm_mday = d;
				ok = (int64_t)timegm(&tm) == day * 86400 &&
				    tm.tm_wday == tz_weekday(day);
			}
			if (!ok && bad++ == 0)
				first_bad = day;
			py = y, pm = m, pd = d;
		}
		CHECK(bad == 0, "%d bad days, the first %lld", bad, (long long)first_bad);
	}
	ROW_END();
}

/* --- POSIX strings --- */

/* Offsets at fixed instants, worked out by hand. */
static const struct {
	const char *tz;
	int64_t t;
	long off;
} posix_rows[] = {
	{ "UTC0", 0, 0 },
	{ "JST-9", 1700000000, 9 * H },
	{ "<+0545>-5:45", 0, 5 * H + 45 * 60 },
	{ "<-03>3", 0, -3 * H },
	{ "XXX+4:30", 0, -(4 * H + 30 * 60) },
	{ "XXX-24:59:59", 0, 89999 },
	/* US rules: 2026-03-08 07:00Z and 2026-11-01 06:00Z */
	{ "EST5EDT,M3.2.0,M11.1.0", 1772953199, -5 * H },
	{ "EST5EDT,M3.2.0,M11.1.0", 1772953200, -4 * H },
	{ "EST5EDT,M3.2.0,M11.1.0", 1793512799, -4 * H },
	{ "EST5EDT,M3.2.0,M11.1.0", 1793512800, -5 * H },
	{ "EST5EDT", 1772953200, -4 * H },		/* no rules: the US ones */
	{ "EST5EDT4", 1772953200, -4 * H },
	{ "XXX5YYY3,M3.2.0,M11.1.0", 1772953200, -3 * H },
	/* Lord Howe: DST starts 2026-10-04 02:00 +10:30 = 10-03 15:30Z, ends 04-05 02:00 +11 */
	{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1791041399, 10 * H + 30 * 60 },
	{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1791041400, 11 * H },
	{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1775314799, 11 * H },
	{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1775314800, 10 * H + 30 * 60 },
	/* Berlin: 2026-03-29 01:00Z, 2026-10-25 01:00Z */
	{ "CET-1CEST,M3.5.0,M10.5.0/3", 1774746000 - 1, 1 * H },
	{ "CET-1CEST,M3.5.0,M10.5.0/3", 1774746000, 2 * H },
	{ "CET-1CEST,M3.5.0,M10.5.0/3", 1792890000 - 1, 2 * H },
	{ "CET-1CEST,M3.5.0,M10.5.0/3", 1792890000, 1 * H },
	/* Dublin: negative DST, winter is the "DST" */
	{ "IST-1GMT0,M10.5.0,M3.5.0/1", 1774746000 - 1, 0 },
	{ "IST-1GMT0,M10.5.0,M3.5.0/1", 1774746000, 1 * H },
	{ "IST-1GMT0,M10.5.0,M3.5.0/1", 1792890000 - 1, 1 * H },
	{ "IST-1GMT0,M10.5.0,M3.5.0/1", 1792890000, 0 },
	/* RFC 8536 examples: all-year DST; /time beyond 24 h and negative */
	{ "EST5EDT,0/0,J365/25", 1767225600, -4 * H },		/* 2026-01-01 00:00Z */
	{ "EST5EDT,0/0,J365/25", 1782864000, -4 * H },		/* 2026-07-01 */
	{ "EST5EDT,0/0,J365/25", 1798761599, -4 * H },		/* 2026-12-31 23:59:59Z */
	/* Israel as "M3.4.4/26": Thursday 26:00 = Friday 2026-03-27 02:00 +02 = 00:00Z */
	{ "IST-2IDT,M3.4.4/26,M10.5.0", 1774569599, 2 * H },
	{ "IST-2IDT,M3.4.4/26,M10.5.0", 1774569600, 3 * H },
	/* Greenland: M3.5.0/-2 = Saturday 2026-03-28 22:00 -03 = 03-29 01:00Z */
	{ "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", 1774746000 - 1, -3 * H },
	{ "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", 1774746000, -2 * H },
	/* Jn never counts Feb 29; n does: J60 is March 1, 59 is Feb 29 in 2028 */
	{ "AAA0BBB,J60/0,J300/0", 1835481600 - 1, 0 },		/* 2028-03-01 00:00Z */
	{ "AAA0BBB,J60/0,J300/0", 1835481600, 1 * H },
	{ "AAA0BBB,59/0,300/0", 1835395200 - 1, 0 },		/* 2028-02-29 00:00Z */
	{ "AAA0BBB,59/0,300/0", 1835395200, 1 * H },
	/* M.5 is the last week: May 2026 has 5 Sundays (31st), Feb 2026 only 4 (22nd) */
	{ "AAA0BBB,M5.5.0/0,M2.5.0/0", 1780185600 - 1, 0 },	/* 2026-05-31 */
	{ "AAA0BBB,M5.5.0/0,M2.5.0/0", 1780185600, 1 * H },
	{ "AAA0BBB,M5.5.0/0,M2.5.0/0", 1771714800 - 1, 1 * H },	/* 2026-02-21 23:00Z */
	{ "AAA0BBB,M5.5.0/0,M2.5.0/0", 1771714800, 0 },
	/* far future: 2100-03-14 is the second Sunday of March */
	/* Changes a week into the next year: standard time only 21:00-23:00Z on January 6,
	 * so January 2 is in DST from the rule of two years back. */
	{ "AAA0BBB,J365/167,J365/166", 1767312000, 1 * H },
	{ "AAA0BBB,J365/167,J365/166", 1767733200 - 1, 1 * H },
	{ "AAA0BBB,J365/167,J365/166", 1767733200, 0 },
	{ "AAA0BBB,J365/167,J365/166", 1767740400, 1 * H },
	/* 2001-01-01 is a Monday: DST from 2000-12-31 22:02:03Z, by the 2001 rule */
	{ "AAA-3BBB-2:30:15,M1.1.1/1:2:3,M12.5.6/-0:30", 978300122, 3 * H },
	{ "AAA-3BBB-2:30:15,M1.1.1/1:2:3,M12.5.6/-0:30", 978300123, 2 * H + 30 * 60 + 15 },
	/* before 1970: 1950-03-12 07:00Z */
	{ "EST5EDT,M3.2.0,M11.1.0", -625078800 - 1, -5 * H },
	{ "EST5EDT,M3.2.0,M11.1.0", -625078800, -4 * H },
	{ "EST5EDT,M3.2.0,M11.1.0", 4108690800 - 1, -5 * H },	/* 2100-03-14 07:00Z */
	{ "EST5EDT,M3.2.0,M11.1.0", 4108690800, -4 * H },
};

/* Strings glibc also reads: compared with localtime_r every 9 h 7 min over 1970-2200. glibc
 * computes rules before 1970 as if for 1970, and only those of the UTC year, so it misses a
 * change from next year's rule that falls on December 31 UTC: neither is compared. */
static const char *const posix_glibc[] = {	/* none may name a file ("EST5EDT" does) */
	"UTC0", "JST-9", "<+0545>-5:45", "EST5EDT,M3.2.0,M11.1.0",
	"CET-1CEST,M3.5.0,M10.5.0/3", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
	"IST-1GMT0,M10.5.0,M3.5.0/1", "NZST-12NZDT,M9.5.0,M4.1.0/3",
	"<-04>4<-03>,M9.1.6/24,M4.1.6/24", "IST-2IDT,M3.4.4/26,M10.5.0",
	"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "AAA0BBB,J60/0,J300/0", "AAA0BBB,59/0,300/0",
	"AAA3BBB,M5.5.0/0,M2.5.0/0", "AAA-3BBB-2:30:15,M1.2.1/1:2:3,M12.4.6/-0:30",
};

static const char *const posix_bad[] = {
	"", "UTC", "UT0", "0", "<UTC>", "<UT>0", "<U C>0", "<UTC0", "UTC0,M3.2.0,M11.1.0",
	"UTC25", "UTC-25", "UTC1:60", "UTC1:00:60", "UTC+", "UTC0 ", " UTC0", ":UTC0",
	"EST5EDT,", "EST5EDT,M3.2.0", "EST5EDT,M3.2.0,", "EST5EDT,M13.2.0,M11.1.0",
	"EST5EDT,M0.2.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.0.0,M11.1.0",
	"EST5EDT,M3.2.7,M11.1.0", "EST5EDT,M3.2,M11.1.0", "EST5EDT,J0,J365",
	"EST5EDT,J366,J1", "EST5EDT,366,1", "EST5EDT,M3.2.0/168,M11.1.0",
	"EST5EDT,M3.2.0/-168,M11.1.0", "EST5EDT,M3.2.0/2:60,M11.1.0",
	"EST5EDT,M3.2.0,M11.1.0,", "EST5EDT,M3.2.0,M11.1.0x", "EST5EDT25,M3.2.0,M11.1.0",
	"EST5ED", "EST5<ED>", "EST99999999999999999999", "EST5EDT,J99999999999999999,J1",
	"Europe/Berlin",
};

static void
test_posix(void)
{
	const char *why;
	struct tz *z;

	for (size_t i = 0; i < NELEM(posix_rows); i++) {
		ROW("posix %s at %lld", posix_rows[i].tz, (long long)posix_rows[i].t);
		why = NULL;
		z = tz_parse_posix(posix_rows[i].tz, &why);
		if (CHECK(z != NULL, "refused: %s", why ? why : "(no reason)"))
			CHECK_INT(tz_offset(z, posix_rows[i].t), posix_rows[i].off);
		tz_free(z);
		ROW_END();
	}

	for (size_t i = 0; i < NELEM(posix_glibc); i++) {
		int64_t t, from = civil(1970, 1, 1, 0, 0), to = civil(2200, 1, 1, 0, 0);
		int64_t first = 0;
		long got = 0, want = 0;
		int bad = 0;

		ROW("posix %s against glibc", posix_glibc[i]);
		why = NULL;
		z = tz_parse_posix(posix_glibc[i], &why);
		if (CHECK(z != NULL, "refused: %s", why ? why : "(no reason)")) {
			glibc_zone(posix_glibc[i]);
			for (t = from; t < to; t += 9 * H + 7 * 60) {
				long g = tz_offset(z, t), w = glibc_offset(t);

				if (g != w && bad++ == 0)
					first = t, got = g, want = w;
			}
			CHECK(bad == 0, "%d differences, the first at %lld: %ld, glibc %ld", bad,
			    (long long)first, got, want);
		}
		tz_free(z);
		ROW_END();
	}

	for (size_t i = 0; i < NELEM(posix_bad); i++) {
		ROW("posix %s refused", unit_quote(posix_bad[i]));
		why = NULL;
		z = tz_parse_posix(posix_bad[i], &why);
		CHECK(z == NULL, "accepted");
		CHECK(why != NULL && *why != '\0', "refused without a reason");
		tz_free(z);
		ROW_END();
	}

	ROW("posix NULL refused");
	why = NULL;
	CHECK(tz_parse_posix(NULL, &why) == NULL && why != NULL, "NULL accepted");
	ROW_END();

	ROW("tz_utc");
	z = tz_utc();
	if (CHECK(z != NULL, "no UTC")) {
		int64_t out[2] = { 0, 0 };

		CHECK_INT(tz_offset(z, 0), 0);
		CHECK_INT(tz_offset(z, INT64_MAX), 0);
		CHECK_INT(tz_offset(z, INT64_MIN), 0);
		CHECK_INT(tz_next_transition(z, 0), INT64_MAX);
		CHECK_INT(tz_local_to_utc(z, 1234567890, out, NULL), 1);
		CHECK_INT(out[0], 1234567890);
	}
	tz_free(z);
	ROW_END();
}

/* --- real zone files against glibc --- */

static const char *const zones[] = {
	"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Tokyo",
	"Europe/Dublin", "America/Sao_Paulo", "Pacific/Apia", "Asia/Kolkata", "Etc/UTC",
	"America/Santiago", "Africa/Casablanca", "Antarctica/Troll", "Pacific/Chatham",
	"America/St_Johns", "Europe/London", "Australia/Sydney", "America/Godthab",
	"Asia/Jerusalem", "America/Asuncion", "Pacific/Kiritimati", "Europe/Moscow",
	"America/Havana",
};

/* The instants showing LOCAL, by brute force over the offsets glibc gives around it. */
static int
oracle_local(int64_t local, int64_t out[2])
{
	long offs[3] = { glibc_offset(local - 27 * H), glibc_offset(local),
	    glibc_offset(local + 27 * H) };
	int64_t c[3];
	int n = 0;

	for (int i = 0; i < 3; i++) {
		int64_t t = local - offs[i];
		int dup = 0;

		for (int j = 0; j < n; j++)
			dup |= c[j] == t;
		if (!dup && glibc_offset(t) == offs[i])
			c[n++] = t;
	}
	if (n == 2 && c[0] > c[1]) {
		int64_t x = c[0];

		c[0] = c[1], c[1] = x;
	}
	for (int i = 0; i < n && i < 2; i++)
		out[i] = c[i];
	return n;
}

/* tz_local_to_utc for wall-clock times every 15 minutes within 3 hours of a transition. */
static int
check_around(const struct tz *z, int64_t tr, char *msg, size_t len)
{
	long before = tz_offset(z, tr - 1), after = tz_offset(z, tr);

	for (int64_t local = tr + (before < after ? before : after) - 3 * H;
	    local <= tr + (before > after ? before : after) + 3 * H; local += 15 * 60) {
		int64_t got[2] = { 0, 0 }, want[2] = { 0, 0 }, gap = 0;
		int n = tz_local_to_utc(z, local, got, &gap);
		int wn = oracle_local(local, want);

		if (n != wn || (n > 0 && got[0] != want[0]) || (n > 1 && got[1] != want[1]) ||
		    (n == 0 && (gap != tr || local < tr + before || local >= tr + after))) {
			snprintf(msg, len, "local %lld near %lld: %d (%lld %lld, gap %lld),"
			    " glibc %d (%lld %lld)", (long long)local, (long long)tr, n,
			    (long long)got[0], (long long)got[1], (long long)gap, wn,
			    (long long)want[0], (long long)want[1]);
			return -1;
		}
	}
	return 0;
}

static void
test_zones(void)
{
	const char *why;

	for (size_t i = 0; i < NELEM(zones); i++) {
		unsigned char *data;
		size_t len;
		struct tz *z;
		int64_t t, first = 0;
		long got = 0, want = 0;
		int bad = 0, ntr = 0;
		char msg[300] = "";

		if ((data = zone_read(zones[i], &len)) == NULL)
			continue;
		ROW("%s against glibc", zones[i]);
		why = NULL;
		z = tz_parse(data, len, &why);
		if (!CHECK(z != NULL, "refused: %s", why ? why : "(no reason)")) {
			free(data);
			ROW_END();
			continue;
		}
		glibc_zone(zones[i]);
		/* every 6 hours over 1970-2060, sparser back to 1800 and on to 2500 */
		for (t = civil(1970, 1, 1, 0, 0); t < civil(2060, 1, 1, 0, 0); t += 6 * H)
			if (tz_offset(z, t) != glibc_offset(t) && bad++ == 0)
				first = t, got = tz_offset(z, t), want = glibc_offset(t);
		for (t = civil(1800, 1, 1, 0, 0); t < civil(2500, 1, 1, 0, 0);
		    t += 10 * 86400 + 7 * H)
			if (tz_offset(z, t) != glibc_offset(t) && bad++ == 0)
				first = t, got = tz_offset(z, t), want = glibc_offset(t);
		CHECK(bad == 0, "%d differences, the first at %lld: %ld, glibc %ld", bad,
		    (long long)first, got, want);

		/* Every transition from 1900 to 2100: a real change, where glibc has it, and
		 * wall-clock times around it map back as glibc would. */
		bad = 0;
		for (t = tz_next_transition(z, civil(1900, 1, 1, 0, 0));
		    t < civil(2100, 1, 1, 0, 0); t = tz_next_transition(z, t)) {
			ntr++;
			if (tz_offset(z, t - 1) == tz_offset(z, t) ||
			    glibc_offset(t - 1) != tz_offset(z, t - 1) ||
			    glibc_offset(t) != tz_offset(z, t)) {
				snprintf(msg, sizeof msg,
				    "transition %lld: %ld -> %ld, glibc %ld -> %ld",
				    (long long)t, tz_offset(z, t - 1), tz_offset(z, t),
				    glibc_offset(t - 1), glibc_offset(t));
				bad++;
				break;
			}
			if (check_around(z, t, msg, sizeof msg) < 0) {
				bad++;
				break;
			}
		}
		CHECK(bad == 0, "%s", msg);
		CHECK(ntr < 2000, "%d transitions: tz_next_transition does not advance", ntr);
		tz_free(z);
		free(data);
		ROW_END();
	}
}

/* --- known gaps and repeated hours --- */

/* civil() as a constant expression, for tables (years >= 1 only). */
#define CY(y, m) ((int64_t)(y) - ((m) <= 2))
#define CDAYS(y, m, d) (CY(y, m) / 400 * 146097 + CY(y, m) % 400 * 365 + CY(y, m) % 400 / 4 - \
	CY(y, m) % 400 / 100 + (153 * ((m) > 2 ? (m) - 3 : (m) + 9) + 2) / 5 + (d) - 1 - 719468)
#define L(y, mo, d, h, mi) (CDAYS(y, mo, d) * 86400 + (h) * 3600 + (mi) * 60)
static const struct {
	const char *zone;	/* a zone file, or a POSIX string when it has a ',' or digit */
	int64_t local;
	int n;
	int64_t a, b;		/* the instants, or the gap's end */
} local_rows[] = {
	{ "America/New_York", L(2026, 3, 8, 2, 30), 0, L(2026, 3, 8, 7, 0), NONE },
	{ "America/New_York", L(2026, 3, 8, 3, 0), 1, L(2026, 3, 8, 7, 0), NONE },
	{ "America/New_York", L(2026, 3, 8, 1, 59), 1, L(2026, 3, 8, 6, 59), NONE },
	{ "America/New_York", L(2026, 11, 1, 1, 30), 2, L(2026, 11, 1, 5, 30),
	    L(2026, 11, 1, 6, 30) },
	{ "America/New_York", L(2026, 11, 1, 2, 0), 1, L(2026, 11, 1, 7, 0), NONE },
	{ "America/New_York", L(2026, 7, 1, 12, 0), 1, L(2026, 7, 1, 16, 0), NONE },
	{ "America/New_York", L(2100, 3, 14, 2, 30), 0, L(2100, 3, 14, 7, 0), NONE },
	{ "America/New_York", L(2100, 11, 7, 1, 0), 2, L(2100, 11, 7, 5, 0),
	    L(2100, 11, 7, 6, 0) },
	{ "Europe/Berlin", L(2026, 3, 29, 2, 30), 0, L(2026, 3, 29, 1, 0), NONE },
	{ "Europe/Berlin", L(2026, 10, 25, 2, 30), 2, L(2026, 10, 25, 0, 30),
	    L(2026, 10, 25, 1, 30) },
	{ "Australia/Lord_Howe", L(2026, 10, 4, 2, 15), 0, L(2026, 10, 3, 15, 30), NONE },
	{ "Australia/Lord_Howe", L(2026, 10, 4, 2, 30), 1, L(2026, 10, 3, 15, 30), NONE },
	{ "Australia/Lord_Howe", L(2026, 4, 5, 1, 45), 2, L(2026, 4, 4, 14, 45),
	    L(2026, 4, 4, 15, 15) },
	{ "Australia/Lord_Howe", L(2026, 4, 5, 1, 29), 1, L(2026, 4, 4, 14, 29), NONE },
	{ "Asia/Tokyo", L(2026, 1, 1, 9, 0), 1, L(2026, 1, 1, 0, 0), NONE },
	{ "Asia/Kolkata", L(2026, 1, 1, 5, 30), 1, L(2026, 1, 1, 0, 0), NONE },
	{ "Europe/Dublin", L(2026, 3, 29, 1, 30), 0, L(2026, 3, 29, 1, 0), NONE },
	{ "Europe/Dublin", L(2026, 10, 25, 1, 30), 2, L(2026, 10, 25, 0, 30),
	    L(2026, 10, 25, 1, 30) },
	{ "America/Sao_Paulo", L(2018, 11, 4, 0, 30), 0, L(2018, 11, 4, 3, 0), NONE },
	{ "America/Sao_Paulo", L(2019, 2, 16, 23, 30), 2, L(2019, 2, 17, 1, 30),
	    L(2019, 2, 17, 2, 30) },
	{ "America/Sao_Paulo", L(2026, 11, 4, 0, 30), 1, L(2026, 11, 4, 3, 30), NONE },
	/* Samoa skipped 2011-12-30 entirely, jumping the date line */
	{ "Pacific/Apia", L(2011, 12, 30, 12, 0), 0, L(2011, 12, 30, 10, 0), NONE },
	{ "Pacific/Apia", L(2011, 12, 31, 0, 0), 1, L(2011, 12, 30, 10, 0), NONE },
	{ "Pacific/Apia", L(2011, 12, 29, 23, 59), 1, L(2011, 12, 30, 9, 59), NONE },
	/* the same without a file */
	{ "EST5EDT,M3.2.0,M11.1.0", L(2026, 3, 8, 2, 30), 0, L(2026, 3, 8, 7, 0), NONE },
	{ "EST5EDT,M3.2.0,M11.1.0", L(2026, 11, 1, 1, 30), 2, L(2026, 11, 1, 5, 30),
	    L(2026, 11, 1, 6, 30) },
	{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", L(2026, 10, 4, 2, 15), 0,
	    L(2026, 10, 3, 15, 30), NONE },
	{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", L(2026, 4, 5, 1, 45), 2,
	    L(2026, 4, 4, 14, 45), L(2026, 4, 4, 15, 15) },
	{ "IST-1GMT0,M10.5.0,M3.5.0/1", L(2026, 3, 29, 1, 30), 0, L(2026, 3, 29, 1, 0), NONE },
	{ "EST5EDT,0/0,J365/25", L(2026, 12, 31, 23, 30), 1, L(2027, 1, 1, 3, 30), NONE },
	{ "UTC0", L(2026, 3, 8, 2, 30), 1, L(2026, 3, 8, 2, 30), NONE },
	/* far out of range: still one answer, no overflow */
	{ "UTC0", INT64_MAX, 1, INT64_MAX, NONE },
	{ "JST-9", INT64_MIN + 9 * H, 1, INT64_MIN, NONE },
};

static struct tz *
zone_load(const char *name)
{
	unsigned char *data;
	size_t len;
	const char *why = NULL;
	struct tz *z;

	if (strpbrk(name, ",0123456789") != NULL)
		return tz_parse_posix(name, &why);
	if ((data = zone_read(name, &len)) == NULL)
		return NULL;
	z = tz_parse(data, len, &why);
	free(data);
	return z;
}

static void
test_local(void)
{
	for (size_t i = 0; i < NELEM(local_rows); i++) {
		struct tz *z = zone_load(local_rows[i].zone);
		int64_t out[2] = { NONE, NONE }, gap = NONE;
		int n;

		if (z == NULL && strpbrk(local_rows[i].zone, ",0123456789") == NULL)
			continue;	/* no such file here */
		ROW("%s local %lld", local_rows[i].zone, (long long)local_rows[i].local);
		if (CHECK(z != NULL, "zone refused")) {
			n = tz_local_to_utc(z, local_rows[i].local, out, &gap);
			CHECK_INT(n, local_rows[i].n);
			if (local_rows[i].n == 0) {
				CHECK_INT(gap, local_rows[i].a);
			} else {
				CHECK_INT(out[0], local_rows[i].a);
				if (local_rows[i].n == 2)
					CHECK_INT(out[1], local_rows[i].b);
			}
		}
		tz_free(z);
		ROW_END();
	}
}

/* tz_next_transition: the next change of offset, or none. */
static const struct {
	const char *zone;
	int64_t t, next;
} next_rows[] = {
	{ "America/New_York", 1767225600, 1772953200 },		/* 2026-01-01 */
	{ "America/New_York", 1772953200, 1793512800 },
	{ "America/New_York", 1772953199, 1772953200 },
	{ "Europe/Dublin", 1767225600, 1774746000 },
	{ "Australia/Lord_Howe", 1767225600, 1775314800 },
	{ "Asia/Tokyo", 1767225600, INT64_MAX },
	{ "Asia/Kolkata", 0, INT64_MAX },
	{ "America/Sao_Paulo", 1767225600, INT64_MAX },		/* no DST since 2019 */
	{ "EST5EDT,M3.2.0,M11.1.0", 1767225600, 1772953200 },
	{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1767225600, 1775314800 },
	{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1775314800, 1791041400 },
	{ "EST5EDT,0/0,J365/25", 1767225600, INT64_MAX },	/* all-year DST: no change */
	{ "JST-9", INT64_MIN, INT64_MAX },
};

static void
test_next(void)
{
	for (size_t i = 0; i < NELEM(next_rows); i++) {
		struct tz *z = zone_load(next_rows[i].zone);

		if (z == NULL && strpbrk(next_rows[i].zone, ",0123456789") == NULL)
			continue;	/* no such file here */
		ROW("%s next after %lld", next_rows[i].zone, (long long)next_rows[i].t);
		if (CHECK(z != NULL, "zone refused"))
			CHECK_INT(tz_next_transition(z, next_rows[i].t), next_rows[i].next);
		tz_free(z);
		ROW_END();
	}
}

/* --- TZif built in memory --- */

struct tzif {
	char version;			/* '\0' (v1 only), '2', '3', '4' */
	int ntimes;
	const int64_t *times;
	const unsigned char *idx;
	int ntypes;
	const int32_t *offs;
	const unsigned char *isdst;
	const char *footer;		/* v2+: between the newlines */
};

static unsigned char *
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
	return p + 4;
}

static unsigned char *
put_header(unsigned char *p, char version, int ntimes, int ntypes)
{
	memcpy(p, "TZif", 4);
	p[4] = (unsigned char)version;
	memset(p + 5, 0, 15);
	p = put32(p + 20, 0);		/* isutcnt */
	p = put32(p, 0);		/* isstdcnt */
	p = put32(p, 0);		/* leapcnt */
	p = put32(p, (uint32_t)ntimes);
	p = put32(p, (uint32_t)ntypes);
	return put32(p, 4);		/* charcnt: "ZZZ\0" */
}

static unsigned char *
put_body(unsigned char *p, const struct tzif *s, int timesize)
{
	for (int i = 0; i < s->ntimes; i++) {
		if (timesize == 8)
			p = put32(p, (uint32_t)((uint64_t)s->times[i] >> 32));
		p = put32(p, (uint32_t)s->times[i]);
	}
	for (int i = 0; i < s->ntimes; i++)
		*p++ = s->idx[i];
	for (int i = 0; i < s->ntypes; i++) {
		p = put32(p, (uint32_t)s->offs[i]);
		*p++ = s->isdst[i];
		*p++ = 0;
	}
	memcpy(p, "ZZZ", 4);
	return p + 4;
}

/* Writes S as TZif into BUF (4096 bytes is plenty); returns the length. A v2+ file gets a
 * minimal v1 block, as zic -b slim writes. */
static size_t
tzif_build(unsigned char *buf, const struct tzif *s)
{
	static const int32_t utc = 0;
	static const unsigned char zero = 0;
	struct tzif v1 = { 0, 0, NULL, NULL, 1, &utc, &zero, NULL };
	unsigned char *p = buf;

	if (s->version == '\0') {
		p = put_header(p, '\0', s->ntimes, s->ntypes);
		return (size_t)(put_body(p, s, 4) - buf);
	}
	p = put_header(p, s->version, 0, 1);
	p = put_body(p, &v1, 4);
	p = put_header(p, s->version, s->ntimes, s->ntypes);
	p = put_body(p, s, 8);
	*p++ = '\n';
	memcpy(p, s->footer, strlen(s->footer));
	p += strlen(s->footer);
	*p++ = '\n';
	return (size_t)(p - buf);
}

/* Slim New York: transitions for 2006-2007 only, the rest from the footer. */
#define SLIM_N 4
static const int64_t slim_times[SLIM_N] = { 1143961200, 1162101600, 1173596400, 1194156000 };
static const unsigned char slim_idx[SLIM_N] = { 1, 0, 1, 0 };
static const int32_t slim_offs[] = { -5 * H, -4 * H };
static const unsigned char slim_dst[] = { 0, 1 };
/* Types listed DST first: before the first transition the standard type applies. */
static const int64_t dstfirst_times[] = { -2000000000 };
static const unsigned char dstfirst_idx[] = { 1 };
static const int32_t dstfirst_offs[] = { 2 * H, 1 * H, 3 * H };
static const unsigned char dstfirst_dst[] = { 1, 0, 1 };
/* A footer that disagrees with the last transition (a no-op in the table). */
static const int64_t disagree_times[] = { 100, 200 };
static const unsigned char disagree_idx[] = { 0, 0 };
/* A no-op transition (abbreviation only) and an isdst-only one. */
static const int64_t noop_times[] = { 100, 200, 300 };
static const unsigned char noop_idx[] = { 1, 2, 3 };
static const int32_t noop_offs[] = { 0, 0, 0, 3600 };
static const unsigned char noop_dst[] = { 0, 0, 1, 1 };

static const struct {
	const char *name;
	struct tzif s;
	int64_t t;
	long off;
	int64_t next;		/* tz_next_transition(t) */
} built_rows[] = {
	{ "footer only", { '2', 0, NULL, NULL, 1, slim_offs, slim_dst,
	    "EST5EDT,M3.2.0,M11.1.0" }, 1772953200, -4 * H, 1793512800 },
	{ "footer only, before 1970", { '3', 0, NULL, NULL, 1, slim_offs, slim_dst,
	    "EST5EDT,M3.2.0,M11.1.0" }, -1009843200, -5 * H, -1003683600 },	/* 1938 */
	{ "slim, in the table", { '2', SLIM_N, slim_times, slim_idx, 2, slim_offs, slim_dst,
	    "EST5EDT,M3.2.0,M11.1.0" }, 1150000000, -4 * H, 1162101600 },
	{ "slim, before the table", { '2', SLIM_N, slim_times, slim_idx, 2, slim_offs, slim_dst,
	    "EST5EDT,M3.2.0,M11.1.0" }, 0, -5 * H, 1143961200 },
	{ "slim, after the table (footer, 2026)", { '2', SLIM_N, slim_times, slim_idx, 2,
	    slim_offs, slim_dst, "EST5EDT,M3.2.0,M11.1.0" }, 1772953199, -5 * H, 1772953200 },
	{ "slim, last transition to footer", { '4', SLIM_N, slim_times, slim_idx, 2, slim_offs,
	    slim_dst, "EST5EDT,M3.2.0,M11.1.0" }, 1194156000, -5 * H, 1205046000 },
	{ "slim, far future", { '2', SLIM_N, slim_times, slim_idx, 2, slim_offs, slim_dst,
	    "EST5EDT,M3.2.0,M11.1.0" }, 4108690800, -4 * H, 4129250400 },	/* 2100 */
	{ "v2 without footer holds the last type", { '2', SLIM_N, slim_times, slim_idx, 2,
	    slim_offs, slim_dst, "" }, 1772953200, -5 * H, INT64_MAX },
	{ "v1 only", { '\0', SLIM_N, slim_times, slim_idx, 2, slim_offs, slim_dst, NULL },
	    1150000000, -4 * H, 1162101600 },
	{ "v1 only, after the table", { '\0', SLIM_N, slim_times, slim_idx, 2, slim_offs, slim_dst,
	    NULL }, 1772953200, -5 * H, INT64_MAX },
	{ "first standard type before the table", { '2', 1, dstfirst_times, dstfirst_idx, 3,
	    dstfirst_offs, dstfirst_dst, "" }, -2000000001, 1 * H, INT64_MAX },
	{ "no-op transitions skipped", { '2', 3, noop_times, noop_idx, 4, noop_offs, noop_dst,
	    "" }, 0, 0, 300 },
	{ "footer disagreeing with the last transition", { '2', 2, disagree_times,
	    disagree_idx, 1, noop_offs, noop_dst, "<+01>-1" }, 150, 0, 200 },
	{ "footer disagreeing with the last transition, after", { '2', 2, disagree_times,
	    disagree_idx, 1, noop_offs, noop_dst, "<+01>-1" }, 200, 1 * H, INT64_MAX },
	{ "fixed zone, footer only", { '2', 0, NULL, NULL, 1, dstfirst_offs + 1, slim_dst,
	    "<+01>-1" }, 0, 1 * H, INT64_MAX },
};

static void
test_built(void)
{
	unsigned char buf[4096];
	const char *why;

	for (size_t i = 0; i < NELEM(built_rows); i++) {
		size_t len = tzif_build(buf, &built_rows[i].s);
		struct tz *z;

		ROW("TZif %s", built_rows[i].name);
		why = NULL;
		z = tz_parse(buf, len, &why);
		if (CHECK(z != NULL, "refused: %s", why ? why : "(no reason)")) {
			CHECK_INT(tz_offset(z, built_rows[i].t), built_rows[i].off);
			CHECK_INT(tz_next_transition(z, built_rows[i].t), built_rows[i].next);
		}
		tz_free(z);
		ROW_END();
	}
}

/* --- hostile TZif --- */

enum { M_NONE, M_MAGIC, M_VERSION, M_V1COUNT, M_COUNT, M_BYTE, M_CUT };

static const struct {
	const char *name;
	int how;
	size_t at;	/* M_*COUNT: header offset; M_BYTE: v2 body offset; M_CUT: bytes cut */
	uint32_t value;
} bad_rows[] = {
	{ "wrong magic", M_MAGIC, 0, 0 },
	{ "version 1", M_VERSION, 0, '1' },
	{ "version A", M_VERSION, 0, 'A' },
	{ "v1 block: timecnt 2^32-1", M_V1COUNT, 32, 0xffffffff },
	{ "v1 block: charcnt 2^31", M_V1COUNT, 40, 0x80000000 },
	{ "timecnt 2^32-1", M_COUNT, 32, 0xffffffff },
	{ "timecnt 2^31", M_COUNT, 32, 0x80000000 },
	{ "timecnt one too many", M_COUNT, 32, SLIM_N + 1 },
	{ "typecnt 0", M_COUNT, 36, 0 },
	{ "typecnt 300", M_COUNT, 36, 300 },
	{ "typecnt 2^32-1", M_COUNT, 36, 0xffffffff },
	{ "charcnt 2^32-1", M_COUNT, 40, 0xffffffff },
	{ "charcnt 0", M_COUNT, 40, 0 },
	{ "leapcnt 1", M_COUNT, 28, 1 },
	{ "leapcnt 2^32-1", M_COUNT, 28, 0xffffffff },
	{ "isstdcnt 1 of 2 types", M_COUNT, 24, 1 },
	{ "isutcnt 2^32-1", M_COUNT, 20, 0xffffffff },
	{ "transition type out of range", M_BYTE, SLIM_N * 8 + 1, 2 },
	{ "transitions out of order", M_BYTE, 8, 0x80 },
	{ "offset far out of range", M_BYTE, SLIM_N * 9, 0x80 },
	{ "isdst 2", M_BYTE, SLIM_N * 9 + 4, 2 },
	{ "designation index past the end", M_BYTE, SLIM_N * 9 + 5, 4 },
	{ "footer without a newline before", M_BYTE, SLIM_N * 9 + 12 + 4, 'X' },
	{ "bad footer", M_BYTE, SLIM_N * 9 + 12 + 4 + 1, '9' },
	{ "footer not terminated", M_CUT, 1, 0 },
	{ "truncated in the v2 body", M_CUT, 30, 0 },
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Uses a parsed zone a little, for the sanitizers' sake. */
static void
exercise(const struct tz *z)
{
	static const int64_t ts[] = { INT64_MIN, -((int64_t)1 << 59), -1, 0, 1772953200,
	    (int64_t)1 << 40, INT64_MAX };
	int64_t out[2], gap;

	for (size_t k = 0; k < NELEM(ts); k++) {
		(void)tz_offset(z, ts[k]);
		(void)tz_next_transition(z, ts[k]);
		(void)tz_local_to_utc(z, ts[k], out, &gap);
	}
}

static void
test_hostile(void)
{
	static const struct tzif good = { '2', SLIM_N, slim_times, slim_idx, 2, slim_offs,
	    slim_dst, "EST5EDT,M3.2.0,M11.1.0" };
	unsigned char buf[4096], *data;
	size_t len = tzif_build(buf, &good), v2 = 44 + 6 + 4, zlen;
	const char *why;
	struct tz *z;
	int bad;

	ROW("TZif hostile: the unmodified file parses");
	z = tz_parse(buf, len, &why);
	CHECK(z != NULL, "refused: %s", why);
	tz_free(z);
	ROW_END();

	for (size_t i = 0; i < NELEM(bad_rows); i++) {
		unsigned char b[4096];
		size_t n = len;

		memcpy(b, buf, len);
		switch (bad_rows[i].how) {
		case M_MAGIC:
			b[0] = 'X';
			break;
		case M_VERSION:
			b[4] = b[v2 + 4] = (unsigned char)bad_rows[i].value;
			break;
		case M_V1COUNT:
			put32(b + bad_rows[i].at, bad_rows[i].value);
			break;
		case M_COUNT:
			put32(b + v2 + bad_rows[i].at, bad_rows[i].value);
			break;
		case M_BYTE:
			b[v2 + 44 + bad_rows[i].at] = (unsigned char)bad_rows[i].value;
			break;
		case M_CUT:
			n -= bad_rows[i].at;
			break;
		}
		ROW("TZif hostile: %s", bad_rows[i].name);
		why = NULL;
		z = tz_parse(b, n, &why);
		CHECK(z == NULL, "accepted");
		CHECK(why != NULL && *why != '\0', "refused without a reason");
		tz_free(z);
		ROW_END();
	}

	ROW("TZif hostile: NULL and empty");
	CHECK(tz_parse(NULL, 0, &why) == NULL, "NULL accepted");
	CHECK(tz_parse(buf, 0, &why) == NULL, "empty accepted");
	ROW_END();

	/* Every prefix: only the whole file and the file without its footer parse. */
	ROW("TZif hostile: every prefix");
	bad = 0;
	for (size_t n = 0; n <= len; n++) {
		unsigned char *p = malloc(n + 1);	/* exact size, so ASan sees overreads */

		memcpy(p, buf, n);
		z = tz_parse(p, n, &why);
		if ((z != NULL) != (n == len || n == len - strlen(good.footer) - 2))
			bad++;
		tz_free(z);
		free(p);
	}
	CHECK(bad == 0, "%d prefixes misjudged", bad);
	ROW_END();

	/* Random byte changes to a real file: whatever comes back must be safe to use. */
	if ((data = zone_read("America/New_York", &zlen)) == NULL)
		return;
	ROW("TZif hostile: 20000 mutations of America/New_York");
	{
		unsigned char *p = malloc(zlen);
		int parsed = 0;

		for (int round = 0; round < 20000; round++) {
			size_t n = zlen;

			memcpy(p, data, zlen);
			for (int k = 1 + (int)(rand64() % 4); k > 0; k--) {
				size_t at = rand64() % 120 < 60 ? rand64() % 100 : rand64() % zlen;

				p[at] = (unsigned char)(rand64() % 3 == 0 ? 0xff : rand64());
			}
			if (rand64() % 4 == 0)
				n = rand64() % zlen;
			if ((z = tz_parse(p, n, &why)) != NULL) {
				parsed++;
				exercise(z);
			}
			tz_free(z);
		}
		free(p);
		CHECK(parsed > 0, "no mutation parsed: the fuzz tests nothing");
	}
	ROW_END();
	free(data);
}

void
test_tz(void)
{
	char *old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;

	test_civil();
	test_posix();
	test_zones();
	test_local();
	test_next();
	test_built();
	test_hostile();
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}
