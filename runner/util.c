/* util.c - ids, time formatting, boot id. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/util.h"
#include "runner/zone.h"
#include "tasks/schedule.h"

int
util_uuid(char out[UUID_LEN])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t r = getrandom(b + got, sizeof b - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(out, UUID_LEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	    b[13], b[14], b[15]);
	return 0;
}

static const struct tz *shown_zone;

void
util_time_zone(const struct tz *z)
{
	shown_zone = z;
}

/* Not the C library's localtime: that would be the process's TZ, not runner.timezone. */
void
util_time_iso(time_t t, char *buf, size_t len)
{
	const struct tz *z = shown_zone;
	char err[512];

	if (z == NULL)
		z = zone_get(NULL, err, sizeof err);
	if (z == NULL)
		z = zone_get("UTC", err, sizeof err);
	if (z == NULL) {
		snprintf(buf, len, "@%lld", (long long)t);
		return;
	}
	sched_format_time(z, (int64_t)t, buf, len);
}

void
util_time_short(time_t t, char *buf, size_t len)
{
	char iso[64];

	util_time_iso(t, iso, sizeof iso);	/* 2026-11-22T09:00:00+01:00 */
	if (strlen(iso) == 25)
		snprintf(buf, len, "%.10s %.5s%s", iso, iso + 11, iso + 19);
	else
		snprintf(buf, len, "%s", iso);
}

void
util_duration_ms(long long ms, char *buf, size_t len)
{
	if (ms < 1000)
		snprintf(buf, len, "%lldms", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000);
	else
		snprintf(buf, len, "%lldm%02llds", ms / 60000, ms / 1000 % 60);
}

void
util_boot_id(char out[UUID_LEN])
{
	ssize_t r = -1;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		r = read(fd, out, UUID_LEN - 1);
		close(fd);
	}
	if (r < 0)
		r = 0;
	out[r] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* From /proc/PID/stat: the state letter, the process group and the start time. Returns 0,
 * or -1 when there is no such process (or no /proc). */
static int
pid_stat(pid_t pid, char *state, long *pgrp, long long *start)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* Field 2 is "(comm)" and may hold spaces: count fields after its last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ' || p[2] == '\0')
		return -1;
	*state = p[2];				/* field 3 */
	p = strchr(p + 2, ' ');			/* before field 4, the parent */
	if (p != NULL)
		p = strchr(p + 1, ' ');		/* before field 5, the group */
	*pgrp = p != NULL ? strtol(p + 1, NULL, 10) : 0;
	for (int field = 5; p != NULL && field < 22; field++)
		p = strchr(p + 1, ' ');
	*start = p != NULL ? strtoll(p + 1, NULL, 10) : 0;
	return 0;
}

long long
util_pid_start(pid_t pid)
{
	long long start = 0;
	long pgrp;
	char state;

	if (pid_stat(pid, &state, &pgrp, &start) != 0)
		return 0;
	return start;
}

int
util_group_alive(pid_t pgid, long long start)
{
	long long s = 0;
	long pgrp = 0;
	struct dirent *d;
	char state;
	DIR *dir;
	int alive = 0;

	if (pgid <= 1 || pgid == getpgrp())
		return 0;
	if (pid_stat(pgid, &state, &pgrp, &s) == 0) {
		if (start != 0 && s != start)
			return 0;	/* the id names another process: the group ended */
		if (pgrp == (long)pgid && state != 'Z' && state != 'X')
			return 1;
	}
	dir = opendir("/proc");
	if (dir == NULL)	/* no /proc: kill(2) tells, zombies included */
		return kill(-pgid, 0) == 0 || errno == EPERM;
	while (!alive && (d = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (pid <= 0 || *end != '\0')
			continue;
		alive = pid_stat((pid_t)pid, &state, &pgrp, &s) == 0 && pgrp == (long)pgid &&
		    state != 'Z' && state != 'X';
	}
	closedir(dir);
	return alive;
}

int
util_pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}
