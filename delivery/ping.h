/* ping.h - monitoring pings, pure: a ping URL read as healthchecks.io's kind (URL/start,
 * URL, URL/<exit status>) or Cronitor's (?state=run|complete|fail), by an "hc:" or
 * "cronitor:" prefix or else by the URL's host, and the URL each event goes to. No I/O:
 * runner/ping.c sends them. Included by runner/, tasks/heartbeat.c and the unit tests. */
#ifndef HB_PING_H
#define HB_PING_H

#include <stddef.h>

enum ping_kind {
	PING_HC,		/* healthchecks.io and its shape: the default */
	PING_CRONITOR,		/* cronitor.link / cronitor.io telemetry URLs */
};

enum ping_event {
	PING_START,
	PING_SUCCESS,
	PING_FAIL,
};

#define PING_BODY_MAX 10240	/* of a failed run's output, sent with its fail ping */

/* Reads ping URL S: "[hc:|cronitor:]http(s)://host/...". Returns 0 with *KIND and the URL
 * without its prefix (a pointer into S) in *URL, or -1 with ERR set. */
int ping_parse(const char *s, enum ping_kind *kind, const char **url, char *err,
    size_t errlen);

/* The URL event EV goes to (EXIT: the run's exit status for PING_FAIL, -1 when it has none,
 * a timeout or a signal). Returns a malloc'd string, or NULL when memory ran out. *POST is
 * 1 when the request is a POST carrying the run's output (healthchecks' fail), else 0
 * (a GET). */
char *ping_url(enum ping_kind kind, const char *url, enum ping_event ev, int exit, int *post);

const char *ping_kind_name(enum ping_kind kind);	/* "healthchecks", "cronitor" */

/* URL with whatever follows the host shown as three stars (ping URLs carry their check's
 * secret key in the path), into OUT. Returns OUT. */
char *ping_redact(const char *url, char *out, size_t len);

#endif
