/* util.c - ids, time formatting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void
util_xml_escape(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
}
