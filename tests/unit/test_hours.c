/* test_hours.c - tasks/hours.c: windows of wall time parsed, and instants placed against
 * them across midnight and across New York's DST changes of 2026 (March 8, November 1). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tasks/hours.h"
#include "tasks/tz.h"
#include "tests/unit/unit.h"

#define NY "EST5EDT,M3.2.0,M11.1.0"
/* a UTC instant */
#define YS(y, m) ((y) - ((m) <= 2))
#define DAYS(y, m, d) ((YS(y, m) / 400) * 146097 + (YS(y, m) % 400) * 365 + (YS(y, m) % 400) / 4 \
    - (YS(y, m) % 400) / 100 + (153 * ((m) + ((m) > 2 ? -3 : 9)) + 2) / 5 + (d) - 1 - 719468)
#define U(y, mo, d, h, mi) ((int64_t)DAYS(y, mo, d) * 86400 + (h) * 3600 + (mi) * 60)

static const struct {
	const char *s;
	int ok, start, end;
} parse_rows[] = {
	{ "22:00-07:00", 1, 1320, 420 },
	{ "8:00-20:00", 1, 480, 1200 },
	{ "08:00 - 20:30", 1, 480, 1230 },
	{ "00:00-24:00", 1, 0, 1440 },
	{ "23:59-00:00", 1, 1439, 0 },
	{ "22-07", 0, 0, 0 },
	{ "25:00-07:00", 0, 0, 0 },
	{ "22:60-07:00", 0, 0, 0 },
	{ "22:00-07:00x", 0, 0, 0 },
	{ "", 0, 0, 0 },
	{ "22:00", 0, 0, 0 },
	{ "07:00-07:00", 0, 0, 0 },
	{ "24:00-07:00", 0, 0, 0 },
	{ "22:00-24:30", 0, 0, 0 },
	{ "122:00-07:00", 0, 0, 0 },
};

static const struct {
	const char *zone, *window;
	int64_t t;
	int inside;
	int64_t end;		/* hours_end_after */
} place_rows[] = {
	/* across midnight, UTC */
	{ "UTC0", "22:00-07:00", U(2026, 1, 5, 23, 30), 1, U(2026, 1, 6, 7, 0) },
	{ "UTC0", "22:00-07:00", U(2026, 1, 6, 3, 0), 1, U(2026, 1, 6, 7, 0) },
	{ "UTC0", "22:00-07:00", U(2026, 1, 6, 7, 0), 0, U(2026, 1, 6, 7, 0) },
	{ "UTC0", "22:00-07:00", U(2026, 1, 5, 21, 59), 0, U(2026, 1, 5, 21, 59) },
	{ "UTC0", "22:00-07:00", U(2026, 1, 5, 22, 0), 1, U(2026, 1, 6, 7, 0) },
	{ "UTC0", "08:00-20:00", U(2026, 1, 5, 12, 0), 1, U(2026, 1, 5, 20, 0) },
	{ "UTC0", "08:00-20:00", U(2026, 1, 5, 20, 0), 0, U(2026, 1, 5, 20, 0) },
	{ "UTC0", "08:00-24:00", U(2026, 1, 5, 23, 59), 1, U(2026, 1, 6, 0, 0) },
	{ "CET-1CEST,M3.5.0,M10.5.0/3", "22:00-07:00", U(2026, 1, 5, 21, 30), 1,
	  U(2026, 1, 6, 6, 0) },
	/* spring forward in New York: 02:00 EST becomes 03:00 EDT at 07:00 UTC */
	{ NY, "02:00-03:00", U(2026, 3, 8, 6, 59), 0, U(2026, 3, 8, 6, 59) },
	{ NY, "02:00-03:00", U(2026, 3, 8, 7, 0), 0, U(2026, 3, 8, 7, 0) },
	{ NY, "02:00-03:00", U(2026, 3, 7, 7, 30), 1, U(2026, 3, 7, 8, 0) },
	{ NY, "22:00-07:00", U(2026, 3, 8, 4, 0), 1, U(2026, 3, 8, 11, 0) },	/* 8 h */
	{ NY, "22:00-07:00", U(2026, 3, 7, 4, 0), 1, U(2026, 3, 7, 12, 0) },	/* 9 h */
	{ NY, "01:00-02:30", U(2026, 3, 8, 6, 30), 1, U(2026, 3, 8, 7, 0) },	/* gap end */
	{ NY, "08:00-20:00", U(2026, 3, 8, 12, 30), 1, U(2026, 3, 9, 0, 0) },
	{ NY, "08:00-20:00", U(2026, 3, 7, 12, 30), 0, U(2026, 3, 7, 12, 30) },
	{ NY, "20:00-08:00", U(2026, 3, 8, 11, 59), 1, U(2026, 3, 8, 12, 0) },
	/* fall back: 02:00 EDT becomes 01:00 EST at 06:00 UTC; 01:00-02:00 comes twice */
	{ NY, "00:00-01:30", U(2026, 11, 1, 5, 15), 1, U(2026, 11, 1, 5, 30) },
	{ NY, "00:00-01:30", U(2026, 11, 1, 5, 45), 0, U(2026, 11, 1, 5, 45) },
	{ NY, "00:00-01:30", U(2026, 11, 1, 6, 10), 1, U(2026, 11, 1, 6, 30) },
	{ NY, "22:00-07:00", U(2026, 11, 1, 2, 0), 1, U(2026, 11, 1, 12, 0) },	/* 10 h */
};

void
test_hours(void)
{
	char err[200], buf[32];

	for (size_t i = 0; i < NELEM(parse_rows); i++) {
		struct hours h = { -1, -1 };
		int r = hours_parse(parse_rows[i].s, &h, err, sizeof err);

		ROW("parse %s", unit_quote(parse_rows[i].s));
		CHECK_INT(r == 0, parse_rows[i].ok);
		if (r == 0) {
			CHECK_INT(h.start, parse_rows[i].start);
			CHECK_INT(h.end, parse_rows[i].end);
		} else {
			CHECK_HAS(err, parse_rows[i].s);
		}
		ROW_END();
	}
	for (size_t i = 0; i < NELEM(place_rows); i++) {
		const char *why = NULL;
		struct tz *z = tz_parse_posix(place_rows[i].zone, &why);
		struct hours h;

		ROW("%s in %s at %lld", place_rows[i].window, place_rows[i].zone,
		    (long long)place_rows[i].t);
		CHECK(z != NULL, "zone: %s", why ? why : "?");
		CHECK_INT(hours_parse(place_rows[i].window, &h, err, sizeof err), 0);
		if (z != NULL) {
			CHECK_INT(hours_inside(&h, z, place_rows[i].t), place_rows[i].inside);
			CHECK_INT(hours_end_after(&h, z, place_rows[i].t), place_rows[i].end);
		}
		tz_free(z);
		ROW_END();
	}
	{
		struct hours h = { 1320, 420 };

		CHECK_STR(hours_format(&h, buf, sizeof buf), "22:00-07:00");
		CHECK_STR(hours_start_text(&h, buf, sizeof buf), "22:00");
	}
}
