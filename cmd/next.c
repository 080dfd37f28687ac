/* next.c - hb-run next EXPR [--from TIME] [--count N] [--tz ZONE]: the next times a cron
 * expression fires, one per line, by the code that decides due-ness. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd/cmd.h"
#include "runner/msg.h"
#include "runner/zone.h"
#include "tasks/cron.h"
#include "tasks/schedule.h"

#define NEXT_FROM_MIN (-62135596800LL)	/* 0001-01-01T00:00:00Z */
#define NEXT_FROM_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */

static int
next_show(const char *expr, const char *from, long count, const char *zone)
{
	const struct tz *z;
	struct cron c;
	char why[256], when[64];
	int64_t t;

	z = zone_get(zone, why, sizeof why);
	if (z == NULL) {
		msg_error("next: %s", why);
		return 2;
	}
	if (cron_parse(expr, &c, why, sizeof why) != 0) {
		msg_error("next: bad cron '%s': %s", expr, why);
		return 2;
	}
	if (c.reboot) {
		msg_error("next: @reboot has no times: it runs once per boot, from --catchup");
		return 2;
	}
	if (from == NULL) {
		t = (int64_t)time(NULL);
	} else if (from[0] == '@') {
		char *end;

		errno = 0;
		t = strtoll(from + 1, &end, 10);
		if (errno != 0 || end == from + 1 || *end != '\0') {
			msg_error("next: bad --from '%s': expected @ and Unix seconds", from);
			return 2;
		}
		/* Years 1 to 9999, as an ISO 8601 --from: far from where arithmetic overflows. */
		if (t < NEXT_FROM_MIN || t > NEXT_FROM_MAX) {
			msg_error("next: bad --from '%s': out of range (years 1 to 9999)", from);
			return 2;
		}
	} else {
		struct schedule s = { .kind = SCHED_AT };
		const char *bad = NULL;

		if (sched_parse_time(from, &s.at_local, &s.at_has_offset, &s.at_offset, &bad) != 0) {
			msg_error("next: bad --from '%s': %s", from, bad);
			return 2;
		}
		t = sched_at_instant(&s, z);
	}
	/* --from is a point in time; a slot exactly there is "next" too. */
	for (t = t - 1; count-- > 0;) {
		t = cron_next(&c, z, t);
		if (t == CRON_NEVER)
			break;
		sched_format_time(z, t, when, sizeof when);
		fputs(when, stdout);
		putchar('\n');
	}
	return ferror(stdout) ? 1 : 0;
}

int
cmd_next(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "tz", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *zone = cfg->timezone;
	long count = 5;
	int ch;
	char *end;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 'n':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || count < 1 || count > 100000000) {
				msg_error("next: bad count '%s'", optarg);
				return 2;
			}
			break;
		case 'z':
			zone = optarg;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (optind != argc - 1)
		return CMD_USAGE;
	return next_show(argv[optind], from, count, zone);
}
