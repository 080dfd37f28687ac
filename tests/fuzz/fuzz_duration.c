/* fuzz_duration.c - libFuzzer harness for duration_parse (HEARTBEAT.md's interval:, every:,
 * timeout:, hb-run.ini's durations). The input is the string, up to its first NUL.
 * Invariants: an accepted duration is in (0, DURATION_MAX] and survives duration_format. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/duration.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[64];
	const char *why = NULL;
	long long secs = 0, again = -1;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (duration_parse(s, &secs, &why) == 0) {
		CHECK(secs > 0 && secs <= DURATION_MAX, "'%s' gave %lld", s, secs);
		/* duration_format writes the shortest exact form, which parses back. */
		duration_format(secs, buf, sizeof buf);
		CHECK(duration_parse(buf, &again, &why) == 0 && again == secs,
		    "'%s' = %lld s, formatted '%s', parsed back as %lld", s, secs, buf, again);
	} else {
		CHECK(why != NULL && *why != '\0', "'%s' refused without a reason", s);
	}
	free(s);
	return 0;
}
