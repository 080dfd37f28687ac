/* fuzz_time.c - libFuzzer harness for sched_parse_time (HEARTBEAT.md's at: key). The input
 * is the string up to its first NUL. An accepted time is a real civil time of years
 * 0000-9999 with an offset under a day, prints back to the same time, and maps to an
 * instant in UTC and in New York. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/schedule.h"
#include "tasks/tz.h"
#include "tests/fuzz/fuzz.h"

#define MAX_OFFSET 93599

static struct tz *utc, *ny;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[64];
	const char *why = NULL;
	int64_t local = 0, local2 = 0, days, secs, y;
	int has_offset = -1, has2 = -1, m, d;
	long offset = 0, offset2 = 0;
	struct schedule sc;

	if (s == NULL)
		return 0;
	if (utc == NULL) {
		utc = tz_utc();
		ny = tz_parse_posix("EST5EDT,M3.2.0,M11.1.0", &why);
		if (utc == NULL || ny == NULL)
			abort();
	}
	memcpy(s, data, size);
	s[size] = '\0';
	if (sched_parse_time(s, &local, &has_offset, &offset, &why) != 0) {
		CHECK(why != NULL && *why != '\0', "'%s' refused without a reason", s);
		goto out;
	}
	CHECK(has_offset == 0 || has_offset == 1, "'%s': has_offset %d", s, has_offset);
	CHECK(offset > -86400 && offset < 86400 && (has_offset || offset == 0),
	    "'%s': offset %ld", s, offset);
	/* Years 0000 to 9999. */
	CHECK(local >= -62167219200LL && local < 253402300800LL, "'%s': local %lld", s,
	    (long long)local);
	days = local / 86400 - (local % 86400 < 0);
	secs = local - days * 86400;
	tz_civil_from_days(days, &y, &m, &d);
	snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d,
	    (int)(secs / 3600), (int)(secs % 3600 / 60), (int)(secs % 60));
	CHECK(sched_parse_time(buf, &local2, &has2, &offset2, &why) == 0 && local2 == local &&
	    has2 == 0, "'%s' = %lld prints as '%s', which reads back as %lld", s,
	    (long long)local, buf, (long long)local2);
	/* What the scheduler does with it: an instant within a day of the civil time. */
	memset(&sc, 0, sizeof sc);
	sc.kind = SCHED_AT;
	sc.at_local = local;
	sc.at_has_offset = has_offset;
	sc.at_offset = offset;
	for (int zi = 0; zi < 2; zi++) {
		int64_t at = sched_at_instant(&sc, zi ? ny : utc);

		CHECK(at - local <= MAX_OFFSET && local - at <= MAX_OFFSET,
		    "'%s': at %lld for local %lld", s, (long long)at, (long long)local);
		if (has_offset)
			CHECK(at == local - offset, "'%s': at %lld, offset %ld", s, (long long)at,
			    offset);
	}
out:
	free(s);
	return 0;
}
