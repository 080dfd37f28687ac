/* check.c - hb-run check: validates everything a tick needs (the configuration and
 * HEARTBEAT.md, read by main; the agent templates and what they need; the state file; the
 * folders a tick writes) and reports every problem. Read-only. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "runner/msg.h"
#include "runner/tick.h"
#include "runner/trust.h"
#include "runner/util.h"
#include "state/state.h"

/* Is there an executable file NAME on PATH (as execvp would look it up)? */
static int
on_path(const char *path, const char *name)
{
	char file[PATH_MAX];
	struct stat sb;

	if (strchr(name, '/') != NULL)
		return stat(name, &sb) == 0 && S_ISREG(sb.st_mode) && access(name, X_OK) == 0;
	for (const char *p = path ? path : "/usr/bin:/bin"; ; p++) {
		size_t n = strcspn(p, ":");

		snprintf(file, sizeof file, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
		if (stat(file, &sb) == 0 && S_ISREG(sb.st_mode) && access(file, X_OK) == 0)
			return 1;
		p += n;
		if (*p == '\0')
			return 0;
	}
}

/* What the template at PATH needs to start: its "#!" interpreter, and the programs its
 * "# hb-run-requires: NAME..." lines name (looked up on the PATH it will inherit: ours).
 * Returns the number of problems reported. */
static int
check_template_needs(const char *key, const char *path)
{
	char line[1024], *interp;
	FILE *f = fopen(path, "re");
	int problems = 0, first = 1;

	if (f == NULL) {
		msg_error("%s: %s: %s", key, path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *req;

		if (first) {
			first = 0;
			if (memcmp(line, "\x7f" "ELF", 4) == 0)
				break;		/* a program, not a script */
			if (line[0] != '#' || line[1] != '!') {
				msg_error("%s: agent template %s has no '#!' line: the system cannot "
				    "start it", key, path);
				problems++;
				break;
			}
			interp = line + 2 + strspn(line + 2, " \t");
			interp[strcspn(interp, " \t\r\n")] = '\0';
			if (interp[0] != '/' || !on_path(NULL, interp)) {
				msg_error("%s: agent template %s: its interpreter '%s' is not an "
				    "executable file", key, path, interp);
				problems++;
			}
			continue;
		}
		if ((req = strstr(line, "hb-run-requires:")) == NULL || line[0] != '#')
			continue;
		req += strlen("hb-run-requires:");
		for (char *w = strtok(req, " \t\r\n,"); w != NULL; w = strtok(NULL, " \t\r\n,"))
			if (!on_path(getenv("PATH"), w)) {
				msg_error("%s: agent template %s needs '%s', which is not on PATH (%s); "
				    "set PATH in the crontab", key, path, w,
				    getenv("PATH") ? getenv("PATH") : "unset");
				problems++;
			}
	}
	fclose(f);
	return problems;
}

static int
check_template(const char *key, const char *name)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	struct stat sb;

	if (tick_template_path(name, path, sizeof path) != 0) {
		msg_error("%s: agent template %s not found", key, name);
		return 1;
	}
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		msg_error("%s: agent template %s is not a file", key, path);
		return 1;
	}
	if (access(path, X_OK) != 0) {
		msg_error("%s: agent template %s is not executable", key, path);
		return 1;
	}
	if (trust_check(path, err, sizeof err) != 0) {
		msg_error("%s: %s", key, err);
		return 1;
	}
	return check_template_needs(key, path);
}

/* A tick writes the state file and the log: their folders must let it. */
static int
check_writable(const char *key, const char *file)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash == file ? 1 : slash - file), file);
	if (access(dir, W_OK) != 0) {
		msg_error("%s: %s: %s: a tick could not save %s", key, dir, strerror(errno), file);
		return 1;
	}
	if (access(file, F_OK) == 0 && access(file, W_OK) != 0) {
		msg_error("%s: %s: %s: a tick could not save it", key, file, strerror(errno));
		return 1;
	}
	return 0;
}

int
cmd_check(const struct config *cfg, const struct heartbeat *hb, int problems,
    size_t nwarnings, int argc)
{
	char summary[64] = "no problems";

	struct state *st = NULL;
	int turn = 0, event = 0;
	char err[1024];

	if (argc != 1)
		return CMD_USAGE;
	/* How the file is read where that is not plain; not problems, so on standard output. */
	for (size_t i = 0; i < hb->nnotes; i++)
		printf("%s:%d: %s\n", cfg->tasks, hb->notes[i].line, hb->notes[i].msg);
	for (size_t i = 0; i < hb->ntasks; i++) {
		turn |= hb->tasks[i].type == TASK_AGENT_TURN;
		event |= hb->tasks[i].type == TASK_SYSTEM_EVENT;
	}
	if (turn)
		problems += check_template("agent.agent_turn", cfg->agent_turn);
	if (event)
		problems += check_template("agent.system_event", cfg->system_event);
	if (state_load(cfg->state, &st, err, sizeof err) != 0) {
		msg_error("%s", err);
		problems++;
	}
	/* A field that cannot be read costs nothing but itself: a warning, not a problem. */
	for (size_t i = 0; st != NULL && i < hb->ntasks; i++) {
		struct task_state ts;

		state_task_get(st, hb->tasks[i].name, &ts);
		if (ts.unreadable[0] != '\0')
			msg_warn("%s: task '%s': cannot read %s; taken as absent until it runs",
			    cfg->state, hb->tasks[i].name, ts.unreadable);
	}
	if (st != NULL && state_clock_warned(st) > (long long)time(NULL))
		msg_warn("%s: the clock went back: the state holds times from the future",
		    cfg->state);
	state_free(st);
	if (!hb->empty) {
		problems += check_writable("runner.state", cfg->state);
		problems += check_writable("runner.log", cfg->log);
	}
	if (problems > 0)
		return 2;
	if (nwarnings > 0)
		snprintf(summary, sizeof summary, "no errors, %zu warning%s", nwarnings,
		    nwarnings == 1 ? "" : "s");
	if (hb->empty)
		printf("%s: no tasks (effectively empty): ticks do nothing\n", cfg->tasks);
	else if (hb->implicit)
		printf("%s: %s, the whole file is the task 'heartbeat'; %s\n", cfg->tasks,
		    hb->has_block ? "no tasks in the tasks: block" : "no tasks: block", summary);
	else
		printf("%s: %zu task%s, %s\n", cfg->tasks, hb->ntasks,
		    hb->ntasks == 1 ? "" : "s", summary);
	return 0;
}
