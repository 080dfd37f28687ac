/* zone.h - time zones by name, read from the zoneinfo database (TZDIR, else
 * /usr/share/zoneinfo) once per process and kept. The system zone comes from TZ, else
 * /etc/localtime, else UTC. Used by runner/ only; tasks/tz.c does the parsing. */
#ifndef HB_ZONE_H
#define HB_ZONE_H

#include <stddef.h>

#include "tasks/tz.h"

/* The zone NAME (an IANA name such as "Europe/Berlin"); NULL or "" for the system zone.
 * The zone stays valid until zone_free_all(). NULL with ERR set when there is no such zone. */
const struct tz *zone_get(const char *name, char *err, size_t errlen);
void zone_free_all(void);

/* Why the system zone is UTC when TZ (or /etc/localtime) names a zone that cannot be
 * loaded, once zone_get() has loaded it; NULL when it loaded fine. */
const char *zone_fallback(void);

#endif
