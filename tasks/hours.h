/* hours.h - daily windows of local wall time ("22:00-07:00", which may cross midnight):
 * parsed, asked whether an instant lies inside, and when the window around an instant ends.
 * Pure: the zone and the time are parameters. Used by tasks/heartbeat.c (active_hours:),
 * runner/ (quiet hours, the plan) and the unit tests. */
#ifndef HB_HOURS_H
#define HB_HOURS_H

#include <stddef.h>
#include <stdint.h>

struct tz;

struct hours {
	int start;		/* minutes after local midnight, 0-1439 */
	int end;		/* 0-1440; below START: the window crosses midnight */
};

/* Parses "HH:MM-HH:MM" (hours 0-23, the end may be 24:00; spaces around the dash allowed).
 * Returns 0, or -1 with ERR saying what is wrong. An empty window (start = end) is an
 * error. */
int hours_parse(const char *s, struct hours *h, char *err, size_t errlen);

/* "HH:MM-HH:MM" into BUF; returns BUF. */
char *hours_format(const struct hours *h, char *buf, size_t len);
/* The start "HH:MM" into BUF; returns BUF. */
char *hours_start_text(const struct hours *h, char *buf, size_t len);

/* 1 when instant T (Unix seconds) lies inside the window in zone Z's wall time. On a day
 * when the clock jumps, the window is what the wall clock shows: a 02:00-03:00 window on a
 * spring-forward day is empty, a repeated hour is inside twice. */
int hours_inside(const struct hours *h, const struct tz *z, int64_t t);

/* The first instant after T at which the window around T ends; T itself when T is not
 * inside. An end that the clock skips is the end of the gap. */
int64_t hours_end_after(const struct hours *h, const struct tz *z, int64_t t);

#endif
