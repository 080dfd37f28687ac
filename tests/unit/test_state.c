/* test_state.c - what the state file's reader believes: Unix times in seconds or in
 * milliseconds (state_seconds), and ids taken from the file only when they are UUIDs
 * (state_is_uuid). */
#include <stdio.h>

#include "state/state.h"
#include "tests/unit/unit.h"

static const struct {
	double v;
	int ok;
	long long secs;
} seconds_rows[] = {
	{ 1712847600, 0, 1712847600 },		/* seconds, 10 digits */
	{ 1712847600000.0, 0, 1712847600 },	/* milliseconds, 13 digits */
	{ 1712847600999.0, 0, 1712847600 },	/* milliseconds: the fraction goes */
	{ 99999999999.0, 0, 99999999999 },	/* 11 digits: still seconds (the year 5138) */
	{ 100000000000.0, 0, 100000000 },	/* 12 digits: milliseconds (1973) */
	{ 0, 0, 0 },
	{ 86400.5, 0, 86400 },
	{ -1712847600000.0, 0, -1712847600 },
	{ 9007199254740992.0, 0, 9007199254740 },
	{ 9007199254740994.0, -1, 0 },		/* beyond 2^53: not a time */
	{ 1e300, -1, 0 },
};

static const struct {
	const char *s;
	int ok;
} uuid_rows[] = {
	{ "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", 1 },
	{ "00000000-0000-0000-0000-000000000000", 1 },
	{ "../x", 0 },
	{ "", 0 },
	{ "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4", 0 },	/* short */
	{ "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d0", 0 },	/* long */
	{ "0B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D", 0 },	/* hb-run writes lower case */
	{ "0b1c2d3e/4f50-4a6b-8c7d-9e0f1a2b3c4d", 0 },
	{ "../../../../../../../../../../etc/pa", 0 },	/* 36 characters */
	{ "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c/.", 0 },
};

void
test_state(void)
{
	for (size_t i = 0; i < NELEM(seconds_rows); i++) {
		long long got = -7;
		int r;

		ROW("state_seconds(%.17g)", seconds_rows[i].v);
		r = state_seconds(seconds_rows[i].v, &got);
		CHECK_INT(r, seconds_rows[i].ok);
		if (r == 0)
			CHECK_INT(got, seconds_rows[i].secs);
		ROW_END();
	}
	for (size_t i = 0; i < NELEM(uuid_rows); i++) {
		ROW("state_is_uuid(%s)", uuid_rows[i].s);
		CHECK_INT(state_is_uuid(uuid_rows[i].s), uuid_rows[i].ok);
		ROW_END();
	}
}
