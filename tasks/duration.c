/* duration.c - parse and print durations ("90s", "30m", "1h30m", "2d"; a bare number is
 * minutes). Strict: unknown units, repeated or out-of-order units and zero are errors. */
#include <ctype.h>
#include <stdio.h>

#include "tasks/duration.h"

static const struct unit {
	char c;
	long long secs;
} units[] = {
	{ 'w', 7 * 86400 }, { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
};
#define NUNITS (sizeof units / sizeof units[0])

int
duration_parse(const char *s, long long *secs, const char **why)
{
	long long total = 0;
	size_t next_unit = 0;	/* units must come largest first, each once */
	const char *p = s;

	if (s == NULL || *s == '\0') {
		*why = "empty duration";
		return -1;
	}
	if (*s == '-') {
		*why = "duration must be positive";
		return -1;
	}
	while (*p != '\0') {
		long long n = 0;
		size_t u;

		if (!isdigit((unsigned char)*p)) {
			*why = "expected a number, as in 90s, 30m, 1h30m or 2d";
			return -1;
		}
		for (; isdigit((unsigned char)*p); p++) {
			n = n * 10 + (*p - '0');
			if (n > DURATION_MAX) {
				*why = "duration too long";
				return -1;
			}
		}
		if (*p == '\0') {
			if (next_unit != 0) {
				*why = "missing unit after the number (s, m, h, d or w)";
				return -1;
			}
			total = n * 60;		/* a bare number is minutes */
			if (total > DURATION_MAX) {
				*why = "duration too long";
				return -1;
			}
			break;
		}
		for (u = 0; u < NUNITS && units[u].c != *p; u++)
			;
		if (u == NUNITS) {
			*why = "unknown unit (use s, m, h, d or w)";
			return -1;
		}
		if (u < next_unit) {
			*why = "units must appear once each, largest first (1h30m)";
			return -1;
		}
		next_unit = u + 1;
		total += n * units[u].secs;
		if (total > DURATION_MAX) {
			*why = "duration too long";
			return -1;
		}
		p++;
	}
	if (total <= 0) {
		*why = "duration must be greater than zero";
		return -1;
	}
	*secs = total;
	return 0;
}

void
duration_format(long long secs, char *buf, size_t len)
{
	size_t u, off = 0;

	if (secs <= 0) {
		snprintf(buf, len, "0s");
		return;
	}
	buf[0] = '\0';
	for (u = 1; u < NUNITS && off < len; u++) {	/* weeks read worse than days */
		long long n = secs / units[u].secs;

		if (n == 0)
			continue;
		off += snprintf(buf + off, len - off, "%lld%c", n, units[u].c);
		secs -= n * units[u].secs;
	}
}
