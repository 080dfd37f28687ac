/* tz.h - time zones without the C library's global TZ: TZif data (RFC 8536) and POSIX TZ
 * strings, UTC offsets at an instant, and local wall-clock times mapped back to instants.
 * Pure: the caller reads the zoneinfo file. Used by tasks/ (cron schedules) and runner/. */
#ifndef HB_TZ_H
#define HB_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz;				/* opaque, immutable once parsed */

/* Parses TZif data (versions 1-4; the 64-bit v2+ body when present, and its footer TZ string
 * for instants after the last transition). Leap-second ("right/") data is refused. Returns
 * NULL with *WHY set to a static reason on error. */
struct tz *tz_parse(const unsigned char *data, size_t len, const char **why);

/* Parses a POSIX TZ string ("UTC0", "EST5EDT,M3.2.0,M11.1.0", "<+1030>-10:30<+11>-11,M10.1.0,
 * M4.1.0"), with the RFC 8536 extensions (rule times from -167 to 167 hours). DST without
 * rules means the US rules, ",M3.2.0,M11.1.0". Returns NULL with *WHY set on error. */
struct tz *tz_parse_posix(const char *s, const char **why);

/* The UTC zone. NULL only when out of memory. */
struct tz *tz_utc(void);

void tz_free(struct tz *z);

/* UTC offset in seconds east of Greenwich at instant T (Unix seconds). Before the first
 * transition of a TZif zone this is the first standard-time type, as glibc does. */
long tz_offset(const struct tz *z, int64_t t);

/* Civil time helpers (proleptic Gregorian, no zone): days since 1970-01-01 <-> y/m/d, and
 * weekday (0 = Sunday). M is 1-12; D may run past the month (it just adds days). Exact for
 * any year a schedule can name (|Y| well below 10^9). */
int64_t tz_days_from_civil(int64_t y, int m, int d);
void tz_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int tz_weekday(int64_t days);

/* Maps a local wall-clock time, given as LOCAL = seconds since 1970-01-01T00:00 *as if it
 * were UTC* (days * 86400 + h * 3600 + m * 60 + s of the local civil time), to instants.
 * Returns how many instants show this wall-clock time: 1 normally, 2 in a repeated hour
 * (fall back; OUT[0] < OUT[1]), 0 in a skipped hour (spring forward), in which case
 * *GAP_END (if not NULL) receives the instant at which the gap ends (the transition).
 * Beyond 2^50 s (35 million years) from 1970 the answer is one instant, at the edge offset. */
int tz_local_to_utc(const struct tz *z, int64_t local, int64_t out[2], int64_t *gap_end);

/* The first instant strictly after T at which the UTC offset changes, or INT64_MAX when it
 * never does. Transitions that change only the abbreviation or the DST flag are skipped. */
int64_t tz_next_transition(const struct tz *z, int64_t t);

#endif
