/* commands.h - the commands that report rather than run: status, log, check.
 * Used by main. Each returns the exit status. */
#ifndef HB_COMMANDS_H
#define HB_COMMANDS_H

#include "runner/config.h"
#include "tasks/heartbeat.h"

int cmd_status(const struct config *cfg, const struct heartbeat *hb, int json);
int cmd_log(const struct config *cfg, long count, const char *task, int json);
/* Prints the next COUNT times cron expression EXPR fires after FROM (an ISO 8601 time in
 * ZONE, "@" and Unix seconds, or NULL for now), in ZONE (NULL or "": the system's). */
int cmd_next(const char *expr, const char *from, long count, const char *zone);
/* PROBLEMS: those main already reported (config, HEARTBEAT.md). */
int cmd_check(const struct config *cfg, const struct heartbeat *hb, int problems,
    size_t nwarnings);

#endif
