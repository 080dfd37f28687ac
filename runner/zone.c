/* zone.c - loading time zones. hb-run never sets TZ to convert times: each task's zone is
 * its own object, so nothing leaks from one task into another. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "runner/zone.h"
#include "state/fileio.h"
#include "tasks/names.h"

#define ZONE_MAX_BYTES (1L << 20)
#define SYSTEM_ZONE "\x01system"	/* the cache key of the system zone */

static char fallback[600];	/* why the system zone is UTC, or "" */

/* Every name asked for, loaded or not, so that each is read once however many tasks use
 * it: a list to free them, a table to find them. */
static struct zone {
	char *name;
	struct tz *tz;
	char *err;		/* why it could not be loaded, when tz is NULL */
	struct zone *next;
} *zones;
static struct names zone_names;

static int
name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 255 || name[0] == '/' || strstr(name, "..") != NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+-.",
		    name[i]) == NULL)
			return 0;
	return 1;
}

/* Reads and parses a TZif file; NULL with ERR set. */
static struct tz *
load_file(const char *path, const char *label, char *err, size_t errlen)
{
	const char *why = NULL;
	struct tz *z;
	char *data = NULL;
	size_t len;
	int r;

	r = fileio_read(path, ZONE_MAX_BYTES, &data, &len, err, errlen);
	if (r == FILEIO_MISSING) {
		snprintf(err, errlen, "unknown time zone '%s' (no %s)", label, path);
		return NULL;
	}
	if (r != 0)
		return NULL;
	z = tz_parse((const unsigned char *)data, len, &why);
	free(data);
	if (z == NULL)
		snprintf(err, errlen, "time zone '%s': %s: %s", label, path, why);
	return z;
}

static struct tz *
load_named(const char *name, char *err, size_t errlen)
{
	const char *dir = getenv("TZDIR");
	char path[4096];
	struct tz *z;

	if (!name_valid(name)) {
		snprintf(err, errlen, "bad time zone name '%s'", name);
		return NULL;
	}
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	z = load_file(path, name, err, errlen);
	/* Without the zoneinfo files (a slim container), UTC is still UTC. */
	if (z == NULL && (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
	    strcmp(name, "GMT") == 0 || strcmp(name, "Etc/GMT") == 0))
		z = tz_utc();
	return z;
}

/* TZ as the C library reads it: ":name", "/path", a name, or a POSIX string. */
static struct tz *
load_tz(char *err, size_t errlen)
{
	const char *tz = getenv("TZ"), *why = NULL;
	struct tz *z;

	if (tz == NULL)
		return load_file("/etc/localtime", "/etc/localtime", err, errlen) ?: tz_utc();
	if (*tz == ':')
		tz++;
	if (*tz == '\0')
		return tz_utc();
	if (*tz == '/')
		return load_file(tz, tz, err, errlen);
	if (name_valid(tz) && (z = load_named(tz, err, errlen)) != NULL)
		return z;
	z = tz_parse_posix(tz, &why);
	if (z == NULL && name_valid(tz) && strchr(tz, '/') != NULL) {
		char named[512];

		snprintf(named, sizeof named, "%s", err);	/* the zoneinfo file's problem */
		snprintf(err, errlen, "TZ='%s': %s", tz, named);
	} else if (z == NULL) {
		snprintf(err, errlen, "TZ='%s': not a zone name nor a POSIX TZ string", tz);
	}
	return z;
}

/* The system zone. One that cannot be read is UTC, as the C library makes it, but with
 * a warning (zone_fallback): cron times would otherwise be off without a word. */
static struct tz *
load_system(char *err, size_t errlen)
{
	struct tz *z = load_tz(err, errlen);

	if (z != NULL)
		return z;
	snprintf(fallback, sizeof fallback, "%s: using UTC", err);
	return tz_utc();
}

const char *
zone_fallback(void)
{
	return fallback[0] ? fallback : NULL;
}

const struct tz *
zone_get(const char *name, char *err, size_t errlen)
{
	int system = name == NULL || *name == '\0';
	const char *key = system ? SYSTEM_ZONE : name;
	struct zone *zn;
	struct tz *z;

	zn = names_get(&zone_names, key);
	if (zn != NULL) {
		if (zn->tz == NULL)
			snprintf(err, errlen, "%s", zn->err);
		return zn->tz;
	}
	z = system ? load_system(err, errlen) : load_named(name, err, errlen);
	zn = calloc(1, sizeof *zn);
	if (zn == NULL || (zn->name = strdup(key)) == NULL ||
	    (z == NULL && (zn->err = strdup(err)) == NULL) ||
	    names_add(&zone_names, zn->name, zn, NULL) != 0) {
		if (zn != NULL) {
			free(zn->name);
			free(zn->err);
		}
		free(zn);
		if (z == NULL)
			return NULL;	/* ERR says why */
		tz_free(z);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	zn->tz = z;
	zn->next = zones;
	zones = zn;
	return z;
}

void
zone_free_all(void)
{
	while (zones != NULL) {
		struct zone *zn = zones;

		zones = zn->next;
		tz_free(zn->tz);
		free(zn->name);
		free(zn->err);
		free(zn);
	}
	names_free(&zone_names);
}
