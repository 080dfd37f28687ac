/* check.c - hb-run check: validates everything a tick needs (the configuration and
 * HEARTBEAT.md, read by main; every agent in use: its templates and what they need, or its
 * HTTP key and helper; every delivery target in use: the program it needs; what the checks
 * need (git, the HTTP helper, the [triage] agent); the state file;
 * the folders a tick writes) and reports every problem. Read-only. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/builtin.h"
#include "cmd/cmd.h"
#include "delivery/target.h"
#include "runner/deliver.h"
#include "runner/msg.h"
#include "runner/tick.h"
#include "runner/trust.h"
#include "runner/util.h"
#include "state/state.h"
#include "tasks/duration.h"

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

/* The label of template KEY ("agent_turn") of agent A in messages: where it was set. */
static void
template_label(const struct config *cfg, const struct agent *a, const char *key, char *buf,
    size_t len)
{
	char where[4300];

	if (a == &cfg->flat) {
		snprintf(buf, len, "agent.%s", key);
	} else if (a->builtin) {
		snprintf(buf, len, "agent %s (built in), %s", a->name, key);
	} else {
		config_agent_where(cfg, a, key, where, sizeof where);
		snprintf(buf, len, "%s: agent.%s.%s", where, a->name, key);
	}
}

/* An HTTP agent: its key, and the helper that runs it. */
static int
check_http(const struct config *cfg, const struct agent *a)
{
	char where[4300], helper[PATH_MAX + 64];
	struct stat sb;
	int problems = 0;

	config_agent_where(cfg, a, "key_env", where, sizeof where);
	if (a->key_env != NULL && a->key_env[0] != '\0' && (getenv(a->key_env) == NULL ||
	    getenv(a->key_env)[0] == '\0')) {
		msg_error("%s: agent.%s.key_env: the variable %s is not set in hb-run's "
		    "environment (under cron, set it in the crontab)", where, a->name, a->key_env);
		problems++;
	}
	config_agent_where(cfg, a, "key_file", where, sizeof where);
	if (a->key_file != NULL && a->key_file[0] != '\0') {
		if (stat(a->key_file, &sb) != 0) {
			msg_error("%s: agent.%s.key_file: %s: %s", where, a->name, a->key_file,
			    strerror(errno));
			problems++;
		} else if (!S_ISREG(sb.st_mode)) {
			msg_error("%s: agent.%s.key_file: %s is not a file", where, a->name,
			    a->key_file);
			problems++;
		} else if ((sb.st_mode & 077) != 0 || sb.st_uid != geteuid()) {
			msg_error("%s: agent.%s.key_file: %s is %s (mode %04o): make it yours and "
			    "0600 (chmod 600)", where, a->name, a->key_file, sb.st_uid != geteuid() ?
			    "not yours" : "open to others", (unsigned)(sb.st_mode & 07777));
			problems++;
		}
	}
	if ((a->key_env == NULL || a->key_env[0] == '\0') && (a->key_file == NULL ||
	    a->key_file[0] == '\0') && a->api != NULL && strcmp(a->api, "anthropic") == 0) {
		config_agent_where(cfg, a, NULL, where, sizeof where);
		msg_error("%s: [agent.%s]: the anthropic API needs a key: set key_env (the name of "
		    "the variable that holds it) or key_file", where, a->name);
		problems++;
	}
	config_agent_where(cfg, a, "ca_file", where, sizeof where);
	if (a->ca_file != NULL && a->ca_file[0] != '\0' && access(a->ca_file, R_OK) != 0) {
		msg_error("%s: agent.%s.ca_file: %s: %s", where, a->name, a->ca_file,
		    strerror(errno));
		problems++;
	}
	if (tick_helper_path(cfg, helper, sizeof helper) != 0) {
		config_agent_where(cfg, a, NULL, where, sizeof where);
		msg_error("%s: agent %s is an HTTP agent, but its helper %s is missing", where,
		    a->name, helper);
		problems++;
	}
	return problems;
}

/* Every agent a task uses: its templates for the task types it runs (they exist, they
 * start, the programs they require are on PATH), or its HTTP settings. */
/* A task with a check and no prompt delivers its findings: no agent runs it. */
static int
needs_agent(const struct task *t)
{
	return t->check == NULL || t->prompt[0] != '\0';
}

static int
check_agents(const struct config *cfg, const struct heartbeat *hb)
{
	const struct agent **seen = calloc(hb->ntasks + 1, sizeof *seen);
	char label[4400];
	size_t nseen = 0;
	int problems = 0;

	if (seen == NULL) {
		msg_fail("out of memory");
		return 1;
	}
	for (size_t i = 0; i < hb->ntasks; i++) {
		const struct agent *a = config_agent(cfg, hb->tasks[i].agent);
		int turn = 0, event = 0, again = 0;

		for (size_t j = 0; j < nseen; j++)
			again |= seen[j] == a;
		if (a == NULL || again || !needs_agent(&hb->tasks[i]))
			continue;
		seen[nseen++] = a;
		for (size_t j = i; j < hb->ntasks; j++) {
			if (config_agent(cfg, hb->tasks[j].agent) != a || !needs_agent(&hb->tasks[j]))
				continue;
			turn |= hb->tasks[j].type == TASK_AGENT_TURN;
			event |= hb->tasks[j].type == TASK_SYSTEM_EVENT;
		}
		if (a->kind == AGENT_HTTP) {
			problems += check_http(cfg, a);
			continue;
		}
		if (a->agent_turn == NULL || a->system_event == NULL)
			continue;	/* the configuration's problem, said already */
		if (turn) {
			template_label(cfg, a, "agent_turn", label, sizeof label);
			problems += check_template(label, a->agent_turn);
		}
		if (event && !(turn && strcmp(a->agent_turn, a->system_event) == 0)) {
			template_label(cfg, a, "system_event", label, sizeof label);
			problems += check_template(label, a->system_event);
		}
	}
	free(seen);
	return problems;
}

/* What the checks of HB need: git for git-changes, the HTTP helper for url-changed, the
 * [triage] agent's template or helper and key. Returns the number of problems reported. */
static int
check_checks(const struct config *cfg, const struct heartbeat *hb)
{
	const struct check_builtin *b;
	char path[PATH_MAX + 64], label[4400];
	int problems = 0, triage = 0;

	for (size_t i = 0; i < hb->ntasks; i++) {
		const struct task *t = &hb->tasks[i];

		triage |= t->triage != NULL;
		if (t->check == NULL || !check_is_builtin(t->check, &b))
			continue;
		if (strcmp(b->name, "git-changes") == 0 && !on_path(getenv("PATH"), "git")) {
			msg(MSG_ERROR, cfg->tasks, t->check_line, "check: git-changes needs git, which "
			    "is not on PATH");
			problems++;
		}
		if (strcmp(b->name, "url-changed") == 0 && tick_helper_path(cfg, path,
		    sizeof path) != 0) {
			msg(MSG_ERROR, cfg->tasks, t->check_line, "check: url-changed needs the HTTP "
			    "helper %s", path);
			problems++;
		}
	}
	if (triage && cfg->triage_agent != NULL && cfg->triage_agent[0] != '\0') {
		const struct agent *a = config_agent(cfg, cfg->triage_agent);

		if (a != NULL && a->kind == AGENT_HTTP) {
			problems += check_http(cfg, a);
		} else if (a != NULL && a->agent_turn != NULL) {
			template_label(cfg, a, "agent_turn", label, sizeof label);
			problems += check_template(label, a->agent_turn);
		}
	}
	return problems;
}

/* What target S (set at WHERE by key KEY) needs to be delivered: the program of its kind
 * (sendmail, notify-send or osascript, apprise, an exec: program) or the HTTP helper.
 * A target that does not parse was reported as the file was read. */
static int
check_target(const struct config *cfg, const char *where, const char *key, const char *s)
{
	char shown[300], path[PATH_MAX + 128], err[PATH_MAX + 256];
	struct target t;
	int problems = 0;

	if (target_parse(s, &t, err, sizeof err) != 0)
		return 0;
	target_redact(s, shown, sizeof shown);
	switch (t.kind) {
	case TARGET_MAILTO:
		if (deliver_find_program("sendmail", path, sizeof path) != 0) {
			msg_error("%s: %s: %s: sendmail is not installed (not found on PATH, /usr/sbin "
			    "or /usr/lib): install a mail system that provides it", where, key, shown);
			problems++;
		}
		break;
	case TARGET_DESKTOP:
		if (deliver_find_program("notify-send", path, sizeof path) != 0 &&
		    deliver_find_program("osascript", path, sizeof path) != 0) {
			msg_error("%s: %s: %s: notify-send is not installed (nor osascript)", where,
			    key, shown);
			problems++;
		}
		break;
	case TARGET_EXEC:
		if (deliver_find_program(t.program, path, sizeof path) != 0) {
			msg_error("%s: %s: %s: %s: no such executable file", where, key, shown,
			    t.program);
			problems++;
		} else if (trust_check(path, err, sizeof err) != 0) {
			msg_error("%s: %s: %s: %s", where, key, shown, err);
			problems++;
		}
		break;
	case TARGET_APPRISE:
		if (deliver_find_program("apprise", path, sizeof path) != 0) {
			msg_error("%s: %s: %s: apprise is not installed (not found on PATH): hb-run "
			    "hands this scheme to the apprise CLI", where, key, shown);
			problems++;
		}
		break;
	case TARGET_STDOUT:
		break;
	default:
		if (tick_helper_path(cfg, path, sizeof path) != 0) {
			msg_error("%s: %s: %s: the HTTP helper %s is missing", where, key, shown, path);
			problems++;
		}
	}
	target_free(&t);
	return problems;
}

/* Every target in use: the tasks' own, and [delivery] notify when a task goes by it. */
static int
check_targets(const struct config *cfg, const struct heartbeat *hb)
{
	char where[PATH_MAX + 32], err[256], **list = NULL;
	size_t n = 0;
	int problems = 0, by_default = 0;

	for (size_t i = 0; i < hb->ntasks; i++) {
		const struct task *tk = &hb->tasks[i];

		by_default |= tk->nnotify == 0;
		snprintf(where, sizeof where, "%s:%d", cfg->tasks, tk->notify_line);
		for (size_t j = 0; j < tk->nnotify; j++)
			problems += check_target(cfg, where, "notify", tk->notify[j]);
	}
	if (by_default && cfg->notify != NULL &&
	    target_list_split(cfg->notify, &list, &n, err, sizeof err) == 0) {
		snprintf(where, sizeof where, "%s", cfg->file ? cfg->file : "configuration");
		for (size_t j = 0; j < n; j++)
			problems += check_target(cfg, where, "delivery.notify", list[j]);
		target_list_free(list, n);
	}
	return problems;
}

int
cmd_check(const struct config *cfg, const struct heartbeat *hb, int problems,
    size_t nwarnings, int argc)
{
	char summary[64] = "no problems";

	struct state *st = NULL;
	char err[1024], cwd[PATH_MAX];

	if (argc != 1)
		return CMD_USAGE;
	/* How the file is read where that is not plain; not problems, so on standard output. */
	for (size_t i = 0; i < hb->nnotes; i++)
		printf("%s:%d: %s\n", cfg->tasks, hb->notes[i].line, hb->notes[i].msg);
	problems += check_agents(cfg, hb);
	problems += check_checks(cfg, hb);
	problems += check_targets(cfg, hb);
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
	/* A pause is what someone asked for: a note, not a problem. */
	for (size_t i = 0; st != NULL && i <= hb->ntasks; i++) {
		const char *name = i < hb->ntasks ? hb->tasks[i].name : NULL;
		struct state_pause p;
		char until[40] = "resumed";

		state_pause_get(st, name, (long long)time(NULL), &p);
		if (!p.paused)
			continue;
		if (p.until > 0)
			util_time_short((time_t)p.until, until, sizeof until);
		if (name == NULL)
			printf("note: the workspace is paused until %s: ticks run nothing (hb-run "
			    "resume)\n", until);
		else
			printf("note: task '%s' is paused until %s (hb-run resume %s)\n", name,
			    until, name);
	}
	if (cfg->jitter > 0 && getcwd(cwd, sizeof cwd) != NULL) {
		char j[32];

		duration_format(cfg->jitter, j, sizeof j);
		printf("note: jitter: ticks with work wait %llds (of %s)\n",
		    tick_jitter(cwd, cfg->jitter), j);
	}
	if (!cfg->enabled)
		printf("note: hb-run is off ([runner] enabled = false): ticks run nothing; a task "
		    "named on the command line still runs\n");
	for (size_t i = 0; i < hb->ntasks; i++)
		if (hb->tasks[i].sched.kind == SCHED_INTERVAL && hb->tasks[i].sched.interval == 0)
			printf("note: task '%s' is off (every: 0)\n", hb->tasks[i].name);
	if (st != NULL && state_oneshot_count(st) > 0) {
		struct state_oneshot *once = NULL;
		size_t n = 0;

		printf("note: %zu one-shot task%s wait%s (hb-run tasks)\n", state_oneshot_count(st),
		    state_oneshot_count(st) == 1 ? "" : "s", state_oneshot_count(st) == 1 ? "s" : "");
		/* an agent removed from the configuration since: the default agent runs it */
		if (state_oneshots_get(st, &once, &n) == 0)
			for (size_t i = 0; i < n; i++)
				if (once[i].agent != NULL && config_agent(cfg, once[i].agent) == NULL)
					msg_warn("%s: one-shot task %s#%s: agent '%s' is not configured; "
					    "the default agent runs it", cfg->state, once[i].name,
					    once[i].id, once[i].agent);
		state_oneshots_free(once, n);
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
