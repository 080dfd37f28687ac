/* util.c - ids, time formatting, trusted files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/platform.h"
#include "runner/util.h"
#include "runner/zone.h"
#include "tasks/schedule.h"

int
util_uuid(char out[UUID_LEN])
{
	unsigned char b[16];

	if (platform_random(b, sizeof b) != 0)
		return -1;
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

static int
trusted(const char *what, const char *path, int dir, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (sb.st_uid != 0) {
		snprintf(err, errlen, "%s%s: owned by uid %u, not root: refused, since hb-run runs "
		    "as root", what, path, (unsigned)sb.st_uid);
		return -1;
	}
	if ((sb.st_mode & 022) != 0 && !(dir && (sb.st_mode & S_ISVTX))) {
		snprintf(err, errlen, "%s%s: writable by group or others: refused, since hb-run runs "
		    "as root (chmod go-w)", what, path);
		return -1;
	}
	return 0;
}

int
util_check_trusted(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	const char *slash;

	if (geteuid() != 0)
		return 0;
	if (trusted("", path, 0, err, errlen) != 0)
		return -1;
	slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + (slash == path), path);
	return trusted("the directory of it, ", dir, 1, err, errlen);
}
