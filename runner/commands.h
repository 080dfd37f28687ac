/* commands.h - the commands that report rather than run: status, log, check.
 * Used by main. Each returns the exit status. */
#ifndef HB_COMMANDS_H
#define HB_COMMANDS_H

#include "runner/config.h"
#include "tasks/heartbeat.h"

int cmd_status(const struct config *cfg, const struct heartbeat *hb, int json);
int cmd_log(const struct config *cfg, long count, const char *task, int json);
/* PROBLEMS: those main already reported (config, HEARTBEAT.md). */
int cmd_check(const struct config *cfg, const struct heartbeat *hb, int problems);

#endif
