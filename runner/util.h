/* util.h - small helpers of the runner: ids, times for people, the boot id.
 * Used by runner/ only. */
#ifndef HB_UTIL_H
#define HB_UTIL_H

#include <stddef.h>
#include <sys/types.h>
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

/* The kernel's boot id, or "" where there is none. */
void util_boot_id(char out[UUID_LEN]);

/* 1 when process PID exists. */
int util_pid_alive(pid_t pid);
/* When process PID started, in clock ticks after boot (/proc/PID/stat); 0 if unknown. Told
 * with the boot id, it names a process for good, where a pid can be reused. */
long long util_pid_start(pid_t pid);

/* 1 when process group PGID, whose leader started at START (util_pid_start), still has a
 * live member (zombies do not count): the leader itself, or, once it exited, any process
 * of the group. A leader pid that now names a process with another start time means the
 * group ended (the kernel reuses no id a group still holds). hb-run's own group is never
 * taken for it. */
int util_group_alive(pid_t pgid, long long start);

#endif
