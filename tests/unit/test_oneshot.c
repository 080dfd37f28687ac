/* test_oneshot.c - when a one-shot is due (oneshot_when: --in, --at HH:MM as the next such
 * time, --at with a date, in a zone with DST) and the follow-up lines of a reply
 * (reply_followups: taken out, the rest kept). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/oneshot.h"
#include "runner/reply.h"
#include "tests/unit/unit.h"

#define NOW 1796126400LL	/* 2026-12-01 12:00:00 UTC, 13:00 in Berlin */

static const struct {
	const char *in, *at;
	const char *zone;	/* a POSIX TZ string; NULL: UTC */
	long long when;		/* -1: an error */
} when_rows[] = {
	{ "30m", NULL, NULL, NOW + 1800 },
	{ "90", NULL, NULL, NOW + 5400 },		/* a bare number is minutes */
	{ "soon", NULL, NULL, -1 },
	{ NULL, "17:00", NULL, NOW + 5 * 3600 },	/* later today */
	{ NULL, "09:30", NULL, NOW + 21 * 3600 + 1800 },	/* passed: tomorrow */
	{ NULL, "12:00", NULL, NOW + 24 * 3600 },	/* now is not "next" */
	{ NULL, "17:00", "CET-1CEST,M3.5.0,M10.5.0/3", NOW + 4 * 3600 },
	{ NULL, "24:00", NULL, -1 },
	{ NULL, "7", NULL, -1 },
	{ NULL, "2026-12-24 09:00", NULL, 1798102800LL },
	{ NULL, "2026-12-24 09:00", "CET-1CEST,M3.5.0,M10.5.0/3", 1798099200LL },
	{ NULL, "2026-12-24T09:00+02:00", "CET-1CEST,M3.5.0,M10.5.0/3", 1798095600LL },
	{ NULL, "2026-12-24", NULL, -1 },
	/* a skipped time (spring forward) is the end of its gap */
	{ NULL, "2027-03-28 02:30", "CET-1CEST,M3.5.0,M10.5.0/3", 1806195600LL },
};

static void
test_when(void)
{
	for (size_t i = 0; i < sizeof when_rows / sizeof *when_rows; i++) {
		const char *why = NULL;
		struct tz *z = when_rows[i].zone ? tz_parse_posix(when_rows[i].zone, &why) :
		    tz_utc();
		long long when = 0;
		char err[256] = "";
		int r;

		ROW("oneshot_when(%s, %s, %s)", when_rows[i].in ? when_rows[i].in : "-",
		    when_rows[i].at ? when_rows[i].at : "-", when_rows[i].zone ?
		    when_rows[i].zone : "UTC");
		if (!CHECK(z != NULL, "zone: %s", why ? why : "out of memory")) {
			ROW_END();
			continue;
		}
		r = oneshot_when(when_rows[i].in, when_rows[i].at, z, (time_t)NOW, &when, err,
		    sizeof err);
		if (when_rows[i].when < 0) {
			CHECK_INT(r, -1);
			CHECK(err[0] != '\0', "no reason given");
		} else {
			CHECK_INT(r, 0);
			CHECK_INT(when, when_rows[i].when);
		}
		tz_free(z);
		ROW_END();
	}
}

static const struct {
	const char *text;
	const char *rest;
	const char *lines[4];
} fu_rows[] = {
	{ "All quiet.\n", "All quiet.\n", { NULL } },
	{ "CI is red.\nHEARTBEAT_FOLLOWUP: 30m Check the CI again\n", "CI is red.\n",
	  { "30m Check the CI again" } },
	{ "  HEARTBEAT_FOLLOWUP:\t17:00 remind me \r\nHEARTBEAT_OK", "HEARTBEAT_OK",
	  { "17:00 remind me" } },
	{ "HEARTBEAT_FOLLOWUP: 1m a\nHEARTBEAT_FOLLOWUP: 2m b", "", { "1m a", "2m b" } },
	/* only at the start of a line */
	{ "say HEARTBEAT_FOLLOWUP: 1m x\n", "say HEARTBEAT_FOLLOWUP: 1m x\n", { NULL } },
	{ "HEARTBEAT_FOLLOWUP:", "", { "" } },
};

static void
test_followups(void)
{
	for (size_t i = 0; i < sizeof fu_rows / sizeof *fu_rows; i++) {
		char *rest = NULL, **lines = NULL;
		size_t rlen = 0, n = 0, want = 0;

		while (want < 4 && fu_rows[i].lines[want] != NULL)
			want++;
		ROW("reply_followups(%s)", unit_quote(fu_rows[i].text));
		if (CHECK(reply_followups(fu_rows[i].text, strlen(fu_rows[i].text), &rest, &rlen,
		    &lines, &n) == 0, "out of memory")) {
			CHECK_STR(rest, fu_rows[i].rest);
			CHECK_INT(rlen, strlen(fu_rows[i].rest));
			if (CHECK_INT(n, want))
				for (size_t k = 0; k < n; k++)
					CHECK_STR(lines[k], fu_rows[i].lines[k]);
		}
		free(rest);
		reply_followups_free(lines, n);
		ROW_END();
	}
}

void
test_oneshot(void)
{
	test_when();
	test_followups();
}
