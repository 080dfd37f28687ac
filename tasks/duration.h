/* duration.h - durations as HEARTBEAT.md and hb-run.ini write them: 90s, 30m, 1h30m, 2d.
 * Pure functions; used by tasks/ and runner/. */
#ifndef HB_DURATION_H
#define HB_DURATION_H

#include <stddef.h>

/* Longest accepted duration: ten years, far beyond any schedule, far from overflow. */
#define DURATION_MAX (10LL * 366 * 86400)

/* Parses S into seconds. A bare number is minutes (as in OpenClaw). Units s, m, h, d, w may
 * be combined largest first ("1h30m"). Returns 0, or -1 with *WHY set to a static reason. */
int duration_parse(const char *s, long long *secs, const char **why);

/* Writes SECS as the shortest exact form ("1h30m", "90s" becomes "1m30s"). */
void duration_format(long long secs, char *buf, size_t len);

#endif
