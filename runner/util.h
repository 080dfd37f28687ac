/* util.h - small helpers of the runner: ids, times for people.
 * Used by runner/ only. */
#ifndef HB_UTIL_H
#define HB_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define UUID_LEN 37

/* A random (version 4) UUID. Returns 0, or -1 when the kernel gave no randomness. */
int util_uuid(char out[UUID_LEN]);

struct tz;

/* The zone the two below show times in (runner.timezone); NULL: the system zone. */
void util_time_zone(const struct tz *z);
/* T as ISO 8601 local time with offset: 2026-11-22T09:00:00+01:00. */
void util_time_iso(time_t t, char *buf, size_t len);
/* T for a table: 2026-11-22 09:00+01:00. */
void util_time_short(time_t t, char *buf, size_t len);
/* MS as "850ms", "12.3s", "4m05s". */
void util_duration_ms(long long ms, char *buf, size_t len);
/* Writes S to F with &, < and > escaped for XML and HTML text, and " and ' too (for an
 * attribute's value). */
void util_xml_escape(FILE *f, const char *s);

#endif
