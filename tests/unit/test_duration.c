/* test_duration.c - duration_parse and duration_format: the forms of DESIGN.md ("90s", "30m",
 * "1h30m", "2d", a bare number is minutes), the strict errors, and round trips. */
#include <stdio.h>
#include <string.h>

#include "tasks/duration.h"
#include "tests/unit/unit.h"

#define ERR (-1LL)	/* expected: duration_parse refuses the input */

static const struct {
	const char *in;
	long long secs;		/* or ERR */
} parse_rows[] = {
	/* the forms */
	{ "90s", 90 },
	{ "30m", 30 * 60 },
	{ "1h30m", 90 * 60 },
	{ "2d", 2 * 86400 },
	{ "1w", 7 * 86400 },
	{ "1h", 3600 },
	{ "1s", 1 },
	{ "1m30s", 90 },
	{ "1w2d3h4m5s", 7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5 },
	{ "2h0m", 2 * 3600 },			/* a zero part is fine when the total is not */
	{ "90m", 90 * 60 },			/* no carrying into larger units needed */
	{ "007m", 7 * 60 },
	/* a bare number is minutes */
	{ "5", 5 * 60 },
	{ "30", 30 * 60 },
	{ "1440", 86400 },
	/* the limit: ten years */
	{ "3660d", DURATION_MAX },
	{ "3661d", ERR },
	{ "5270400", DURATION_MAX },		/* bare minutes, exactly ten years */
	{ "5270401", ERR },			/* bare minutes, one minute beyond */
	{ "99999999999999999999", ERR },	/* would overflow long long */
	{ "9999999999999999999s", ERR },
	{ "1000000000000w", ERR },
	/* zero, negative, empty */
	{ "0", ERR },
	{ "0s", ERR },
	{ "0m", ERR },
	{ "0h0m", ERR },
	{ "-5", ERR },
	{ "-5m", ERR },
	{ "", ERR },
	/* bad units and forms */
	{ "1x", ERR },
	{ "m", ERR },
	{ "h1", ERR },
	{ "30M", ERR },				/* units are lower case */
	{ "1.5h", ERR },
	{ "+5m", ERR },
	{ " 30m", ERR },
	{ "30m ", ERR },
	{ "30 m", ERR },
	{ "1m1h", ERR },			/* largest first */
	{ "30s1m", ERR },
	{ "1h1h", ERR },			/* each unit once */
	{ "1m30m", ERR },
	{ "1h30", ERR },			/* a bare number only stands alone */
	{ "1h30mm", ERR },
	{ "1d 2h", ERR },
};

/* Seconds and their shortest exact form; parse(form) gives the seconds back. */
static const struct {
	long long secs;
	const char *form;
} format_rows[] = {
	{ 1, "1s" },
	{ 59, "59s" },
	{ 60, "1m" },
	{ 90, "1m30s" },
	{ 1800, "30m" },
	{ 3600, "1h" },
	{ 5400, "1h30m" },
	{ 86400, "1d" },
	{ 2 * 86400, "2d" },
	{ 7 * 86400, "7d" },			/* weeks read worse than days */
	{ 86400 + 1, "1d1s" },
	{ 86400 + 3600 + 60 + 1, "1d1h1m1s" },
	{ 36 * 3600, "1d12h" },
	{ DURATION_MAX, "3660d" },
};

/* Inputs whose canonical form differs: parse, format, compare. */
static const struct {
	const char *in, *canonical;
} roundtrip_rows[] = {
	{ "90s", "1m30s" },
	{ "30", "30m" },
	{ "90m", "1h30m" },
	{ "1w", "7d" },
	{ "2h0m", "2h" },
	{ "1440", "1d" },
	{ "1h30m", "1h30m" },
	{ "1w2d3h4m5s", "9d3h4m5s" },
};

void
test_duration(void)
{
	char buf[64];

	for (size_t i = 0; i < NELEM(parse_rows); i++) {
		long long got = -12345;
		const char *why = NULL;
		int rc;

		ROW("duration_parse(%s)", unit_quote(parse_rows[i].in));
		rc = duration_parse(parse_rows[i].in, &got, &why);
		if (parse_rows[i].secs == ERR) {
			CHECK(rc == -1, "accepted as %lld s, expected an error", got);
			CHECK(rc != -1 || (why != NULL && *why != '\0'), "an error without a reason");
			CHECK(rc != -1 || got == -12345, "wrote %lld on error", got);
		} else {
			CHECK(rc == 0, "refused: %s", why ? why : "(no reason)");
			CHECK_INT(got, parse_rows[i].secs);
		}
		ROW_END();
	}

	{
		long long got = 0;
		const char *why = NULL;

		ROW("duration_parse(NULL)");
		CHECK(duration_parse(NULL, &got, &why) == -1 && why != NULL,
		    "NULL is not an error");
		ROW_END();
	}

	for (size_t i = 0; i < NELEM(format_rows); i++) {
		long long back = 0;
		const char *why = NULL;

		ROW("duration_format(%lld)", format_rows[i].secs);
		duration_format(format_rows[i].secs, buf, sizeof buf);
		CHECK_STR(buf, format_rows[i].form);
		CHECK(duration_parse(buf, &back, &why) == 0 && back == format_rows[i].secs,
		    "%s parses back as %lld (%s)", unit_quote(buf), back, why ? why : "ok");
		ROW_END();
	}

	for (size_t i = 0; i < NELEM(roundtrip_rows); i++) {
		long long secs = 0, again = 0;
		const char *why = NULL;

		ROW("round trip %s", unit_quote(roundtrip_rows[i].in));
		CHECK(duration_parse(roundtrip_rows[i].in, &secs, &why) == 0, "refused: %s",
		    why ? why : "");
		duration_format(secs, buf, sizeof buf);
		CHECK_STR(buf, roundtrip_rows[i].canonical);
		CHECK(duration_parse(buf, &again, &why) == 0 && again == secs,
		    "%s parses as %lld, not %lld", unit_quote(buf), again, secs);
		ROW_END();
	}

	/* Zero and below print as "0s" (a duration that is not set). */
	ROW("duration_format(0)");
	duration_format(0, buf, sizeof buf);
	CHECK_STR(buf, "0s");
	ROW_END();

	/* A short buffer truncates, it does not overflow (the sanitizer build watches). */
	{
		char small[4];

		ROW("duration_format into 4 bytes");
		memset(small, 'x', sizeof small);
		duration_format(86400 + 3600 + 60 + 1, small, sizeof small);
		CHECK(memchr(small, '\0', sizeof small) != NULL, "no NUL in a short buffer");
		CHECK(strncmp(small, "1d1", 3) == 0, "short buffer holds %s",
		    unit_quoten(small, sizeof small));
		ROW_END();
	}
}
