/* cron.h - cron expressions in the Vixie/cronie dialect, with L (last day of the month) and
 * N#K (the K-th weekday N of the month), and the next time one fires in a time zone, with
 * hb-run's DST rules. Pure. Used by tasks/ and runner/. */
#ifndef HB_CRON_H
#define HB_CRON_H

#include <stddef.h>
#include <stdint.h>

#include "tasks/tz.h"

#define CRON_NEVER INT64_MAX

struct cron {
	uint64_t minute;	/* bit m: minute m, 0-59 */
	uint32_t hour;		/* bit h: hour h, 0-23 */
	uint32_t dom;		/* bit d: day d of the month, 1-31 */
	uint16_t month;		/* bit m: month m, 1-12 */
	uint8_t dow;		/* bit w: weekday w, 0 (Sunday) - 6 */
	uint8_t nth[7];		/* nth[w] bit k: the k-th weekday w of the month (k = 1..5) */
	unsigned dom_last:1;	/* L: the last day of the month */
	unsigned dom_star:1;	/* the day-of-month field starts with '*' */
	unsigned dow_star:1;	/* the day-of-week field starts with '*' */
	unsigned hour_star:1;	/* the hour field starts with '*': a wildcard-hour schedule */
	unsigned reboot:1;	/* @reboot: once per boot, no time at all */
};

/* Parses S. Returns 0, or -1 with the reason in WHY; an expression that can never fire
 * ("0 0 30 2 *") is an error. */
int cron_parse(const char *s, struct cron *c, char *why, size_t whylen);

/* The first time after AFTER (Unix seconds, exclusive) at which C fires in zone Z, or
 * CRON_NEVER. DST: a slot in a skipped hour fires when the gap ends; in a repeated hour a
 * fixed-hour slot fires at its first occurrence, a wildcard-hour slot at each. */
int64_t cron_next(const struct cron *c, const struct tz *z, int64_t after);

/* The first local (civil) minute in [LOCAL, UNTIL) that matches C, or CRON_NEVER. Local times
 * are seconds since 1970-01-01 as if UTC; no time zone is involved. */
int64_t cron_next_civil(const struct cron *c, int64_t local, int64_t until);

/* How many times C fires in (AFTER, UNTIL], counting at most MAX. */
long cron_count(const struct cron *c, const struct tz *z, int64_t after, int64_t until,
    long max);

#endif
