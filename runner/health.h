/* health.h - the numbers behind the built-in checks daily-summary and hb-monitor, read from
 * the workspace's activity log and state file (the reading is here; the arithmetic is in
 * state/activity.c and checks/monitor.c). Used by the built-in checks of runner/. */
#ifndef HB_HEALTH_H
#define HB_HEALTH_H

#include <time.h>

#include "runner/config.h"
#include "tasks/heartbeat.h"

/* The daily summary: `hb-run report --text --since 24h` at NOW, as a malloc'd string in
 * *OUT. Returns 0, or -1 with ERR set. */
int health_summary(const struct config *cfg, time_t now, char **out, char *err, size_t errlen);

/* hb-monitor's findings at NOW for the tasks of HB (a task failing FAILS times in a row, 0:
 * the default of 3; in backoff, overdue, stuck; an outbox that does not drain), one line
 * each, as a malloc'd string in *OUT: "" when all is well. Returns 0, or -1 with ERR set. */
int health_monitor(const struct config *cfg, const struct heartbeat *hb, time_t now,
    long long fails, char **out, char *err, size_t errlen);

#endif
