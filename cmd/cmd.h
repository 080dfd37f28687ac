/* cmd.h - the subcommands: status, log, report, next, check, init, install, uninstall, pause,
 * resume, schedule, tasks and cancel. Each parses its own arguments (ARGV[0] is its name)
 * and returns the exit status, or CMD_USAGE. Included by runner/main.c only. */
#ifndef HB_CMD_H
#define HB_CMD_H

#include <stddef.h>

#include "runner/config.h"
#include "tasks/heartbeat.h"

#define CMD_USAGE (-1)		/* bad arguments: main shows the usage, exit status 2 */

/* status [--json] */
int cmd_status(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv);
/* log [-n count] [--task task] [--json] */
int cmd_log(const struct config *cfg, int argc, char **argv);
/* report [--since D] [-o FILE] [--text]: the activity of the last D (7d) as one HTML page,
 * or as text, to FILE or standard output. */
int cmd_report(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv);
/* next EXPR [--from TIME] [--count N] [--tz ZONE]: --from is ISO 8601 in the zone, or "@"
 * and Unix seconds; the zone defaults to runner.timezone (empty: the system's). */
int cmd_next(const struct config *cfg, int argc, char **argv);
/* check (no arguments). PROBLEMS, NWARNINGS: those main already reported (the configuration,
 * HEARTBEAT.md). */
int cmd_check(const struct config *cfg, const struct heartbeat *hb, int problems,
    size_t nwarnings, int argc);

/* init (no arguments): writes TASKS and CONFIG, new files, in WORKSPACE (the current
 * directory). */
int cmd_init(const char *workspace, const char *tasks, const char *config, int argc);
/* install cron|systemd|launchd [--every D] [--print]: the tick of WORKSPACE for this user. */
int cmd_install(const struct config *cfg, const struct heartbeat *hb, const char *workspace,
    int argc, char **argv);
/* uninstall [cron|systemd|launchd]: removes what install put there (without a target:
 * from wherever it is). */
int cmd_uninstall(const char *workspace, int argc, char **argv);
/* pause [task ...] [--for D], resume [task ...]: of the tasks, or of the whole workspace. */
int cmd_pause(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv);
int cmd_resume(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv);

/* schedule "PROMPT" --in D | --at T [--name N] [--agent A] [--notify URL]: a one-shot task;
 * from inside a run (HB_RUN_ID), a follow-up of it. */
int cmd_schedule(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv);
/* tasks [--json]: the one-shot tasks that wait. */
int cmd_tasks(const struct config *cfg, int argc, char **argv);
/* cancel ID: removes a one-shot task. */
int cmd_cancel(const struct config *cfg, int argc, char **argv);

struct state;
struct state_oneshot;
/* The table of the N one-shots A (status and tasks show it); nothing when N is 0. */
void oneshot_print(const struct config *cfg, const struct state *st,
    const struct state_oneshot *a, size_t n);

#endif
