/* trust.c - what hb-run reads its instructions from (hb-run.ini, HEARTBEAT.md, the agent
 * templates), checked when it runs as root: owned by root, writable by nobody else. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/trust.h"

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
trust_check(const char *path, char *err, size_t errlen)
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
