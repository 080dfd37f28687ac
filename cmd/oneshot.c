/* oneshot.c - hb-run schedule "PROMPT" --in D | --at T, hb-run tasks, hb-run cancel ID: the
 * one-shot tasks of a workspace, kept in its state file under the lock (runner/oneshot.c
 * runs them). Called from inside an agent's run (HB_RUN_ID in the environment), schedule
 * makes a follow-up of that run: its parent is recorded, its agent and dangerous flag are
 * the parent task's. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "cmd/cmd.h"
#include "delivery/target.h"
#include "runner/msg.h"
#include "runner/oneshot.h"
#include "runner/tick.h"
#include "runner/util.h"
#include "runner/zone.h"
#include "state/state.h"

/* Takes the lock and loads the state; returns the lock's descriptor, or -1 (said). */
static int
lock_load(const struct config *cfg, const char *cmd, struct state **st)
{
	char err[1024], lock[PATH_MAX];
	int fd;

	*st = NULL;
	if (state_lock_path(cfg->state, lock, sizeof lock) != 0)
		snprintf(lock, sizeof lock, "%s", TICK_LOCK_FILE);
	if ((fd = state_lock(lock, err, sizeof err)) < 0) {
		msg_error("%s: %s", cmd, err);
		return -1;
	}
	/* A corrupt file is left for a tick to move aside. */
	if (state_load(cfg->state, st, err, sizeof err) != 0) {
		msg_error("%s: %s", cmd, err);
		state_unlock(fd);
		return -1;
	}
	return fd;
}

/* Checks the targets LIST (a notify list). Returns 0, or -1 (said). */
static int
check_notify(const char *list)
{
	char **l = NULL, err[256], shown[200];
	size_t n = 0;
	int bad = 0;

	if (target_list_split(list, &l, &n, err, sizeof err) != 0) {
		msg_error("schedule: bad --notify: %s", err);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct target tg;

		if (target_parse(l[i], &tg, err, sizeof err) != 0) {
			msg_error("schedule: bad --notify target '%s': %s", target_redact(l[i], shown,
			    sizeof shown), err);
			bad = 1;
		}
		target_free(&tg);
	}
	target_list_free(l, n);
	return bad ? -1 : 0;
}

/* From inside a run: makes X a follow-up of the run HB_RUN_ID of task HB_TASK, which must
 * hold its claim in ST; its agent (unless AGENT_SET) and dangerous flag are that task's, as
 * HEARTBEAT.md or the one-shot says (never the environment's word). Returns 0, or -1
 * (said). */
static int
as_followup(const struct heartbeat *hb, const struct state *st,
    struct state_oneshot *x, int agent_set)
{
	const char *run = getenv("HB_RUN_ID"), *task = getenv("HB_TASK"), *id;
	const struct task *t;
	struct task_state ts;
	struct state_oneshot *a = NULL;
	size_t n = 0;
	const char *agent = NULL;

	if (run == NULL || *run == '\0')
		return 0;
	state_task_get(st, task ? task : "", &ts);
	if (task == NULL || !ts.running || strcmp(ts.running_id, run) != 0) {
		msg_error("schedule: HB_RUN_ID %s names no running run of task '%s' (unset it to "
		    "schedule a task of your own)", run, task ? task : "");
		return -1;
	}
	if ((id = oneshot_id_of(task)) != NULL) {
		if (state_oneshots_get(st, &a, &n) != 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (strcmp(a[i].id, id) == 0) {
				x->dangerous = a[i].dangerous;
				agent = a[i].agent;
			}
	} else if ((t = heartbeat_find(hb, task)) != NULL) {
		x->dangerous = t->dangerous;
		agent = t->agent;
	}
	if (!agent_set && agent != NULL)
		x->agent = strdup(agent);
	x->parent_run = strdup(run);
	x->parent_task = strdup(task);
	state_oneshots_free(a, n);
	if (x->parent_run == NULL || x->parent_task == NULL || (!agent_set && agent != NULL &&
	    x->agent == NULL)) {
		msg_fail("out of memory");
		return -1;
	}
	return 0;
}

/* Adds X under the lock; a follow-up over its run's limit is counted for the run's record
 * (which says it once). Returns the exit status. */
static int
schedule_add(const struct config *cfg, const struct heartbeat *hb, struct state_oneshot *x,
    int agent_set)
{
	struct state *st = NULL;
	char err[1024], when[40];
	int fd, r, ret = 2;

	if ((fd = lock_load(cfg, "schedule", &st)) < 0)
		return 2;
	if (as_followup(hb, st, x, agent_set) != 0)
		goto out;
	r = oneshot_add(st, x, time(NULL), err, sizeof err);
	if (r < 0) {
		msg_fail("schedule: %s", err[0] ? err : "out of memory");
		ret = 1;
		goto out;
	}
	if (r != ONESHOT_ADDED) {
		msg_error("schedule: %s", err);
		if (r == ONESHOT_RUN_LIMIT &&
		    (state_followups_refused(st, x->parent_run, 1) < 0 ||
		    state_save(st, cfg->state, err, sizeof err) != 0))
			msg(MSG_TROUBLE, NULL, 0, "schedule: the refusal is not recorded");
		goto out;
	}
	if (state_save(st, cfg->state, err, sizeof err) != 0) {
		msg_fail("schedule: %s", err);
		ret = 1;
		goto out;
	}
	util_time_iso((time_t)x->at, when, sizeof when);
	printf("scheduled %s (%s) for %s\n", x->id, x->name, when);
	ret = 0;
out:
	state_free(st);
	state_unlock(fd);
	return ret;
}

int
cmd_schedule(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "at", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'N' },
		{ "agent", required_argument, NULL, 'A' },
		{ "notify", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct state_oneshot x;
	const char *in = NULL, *at = NULL, *agent = NULL, *name = "once", *notify = NULL;
	const struct tz *z;
	char err[512];
	int ch, ret;

	optind = 0;	/* 0: glibc starts afresh, permuting options to the front */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			in = optarg;
			break;
		case 'a':
			at = optarg;
			break;
		case 'N':
			name = optarg;
			break;
		case 'A':
			agent = optarg;
			break;
		case 'T':
			notify = optarg;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (argc - optind != 1 || (in == NULL) == (at == NULL)) {
		msg_error("schedule: give one prompt and one of --in or --at");
		return CMD_USAGE;
	}
	if (argv[optind][strspn(argv[optind], " \t\n")] == '\0') {
		msg_error("schedule: the prompt is empty");
		return 2;
	}
	if (!heartbeat_name_valid(name)) {
		msg_error("schedule: bad --name '%s': use letters, digits, '-', '_' and '.', at "
		    "most %d, not starting with '_'", name, TASK_NAME_MAX);
		return 2;
	}
	if (agent != NULL && config_agent(cfg, agent) == NULL) {
		msg_error("schedule: unknown agent '%s': no [agent.%s] in %s and not a built-in "
		    "agent (%s)", agent, agent, cfg->file ? cfg->file : CONFIG_FILE,
		    config_builtin_names());
		return 2;
	}
	if (notify != NULL && check_notify(notify) != 0)
		return 2;
	if ((z = zone_get(cfg->timezone, err, sizeof err)) == NULL &&
	    (z = zone_get("UTC", err, sizeof err)) == NULL) {
		msg_fail("schedule: %s", err);
		return 1;
	}
	memset(&x, 0, sizeof x);
	if (oneshot_when(in, at, z, time(NULL), &x.at, err, sizeof err) != 0) {
		msg_error("schedule: %s", err);
		return 2;
	}
	x.name = strdup(name);
	x.prompt = strdup(argv[optind]);
	x.agent = agent ? strdup(agent) : NULL;
	x.notify = notify ? strdup(notify) : NULL;
	if (x.name == NULL || x.prompt == NULL || (agent && x.agent == NULL) ||
	    (notify && x.notify == NULL)) {
		msg_fail("out of memory");
		ret = 1;
	} else {
		ret = schedule_add(cfg, hb, &x, agent != NULL);
	}
	free(x.name);
	free(x.prompt);
	free(x.agent);
	free(x.notify);
	free(x.parent_run);
	free(x.parent_task);
	return ret;
}

/* One one-shot as JSON. */
static cJSON *
oneshot_json(const struct state_oneshot *x)
{
	cJSON *o = cJSON_CreateObject();
	char when[40];

	util_time_iso((time_t)x->at, when, sizeof when);
	cJSON_AddStringToObject(o, "id", x->id);
	cJSON_AddStringToObject(o, "name", x->name);
	cJSON_AddStringToObject(o, "at", when);
	cJSON_AddNumberToObject(o, "at_ts", (double)x->at);
	if (x->agent)
		cJSON_AddStringToObject(o, "agent", x->agent);
	else
		cJSON_AddNullToObject(o, "agent");
	cJSON_AddStringToObject(o, "prompt", x->prompt);
	if (x->parent_run)
		cJSON_AddStringToObject(o, "parent_run", x->parent_run);
	else
		cJSON_AddNullToObject(o, "parent_run");
	cJSON_AddBoolToObject(o, "dangerous", x->dangerous);
	return o;
}

int
cmd_tasks(const struct config *cfg, int argc, char **argv)
{
	struct state *st = NULL;
	struct state_oneshot *a = NULL;
	char err[1024];
	size_t n = 0;
	int json = argc == 2 && strcmp(argv[1], "--json") == 0, ret = 1;

	if (argc != 1 && !json)
		return CMD_USAGE;
	if (state_load(cfg->state, &st, err, sizeof err) != 0) {
		msg_error("tasks: %s", err);
		return 2;
	}
	if (state_oneshots_get(st, &a, &n) != 0) {
		msg_fail("out of memory");
		goto out;
	}
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		char *s;

		for (size_t i = 0; arr != NULL && i < n; i++)
			cJSON_AddItemToArray(arr, oneshot_json(&a[i]));
		if (arr == NULL || (s = cJSON_Print(arr)) == NULL) {
			cJSON_Delete(arr);
			msg_fail("out of memory");
			goto out;
		}
		printf("%s\n", s);
		cJSON_free(s);
		cJSON_Delete(arr);
		ret = 0;
		goto out;
	}
	oneshot_print(cfg, st, a, n);
	if (n == 0)
		printf("no one-shot tasks wait\n");
	ret = 0;
out:
	state_oneshots_free(a, n);
	state_free(st);
	return ret;
}

void
oneshot_print(const struct config *cfg, const struct state *st, const struct state_oneshot *a,
    size_t n)
{
	int wname = 4, wagent = 5;

	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct agent *ag = config_agent(cfg, a[i].agent);
		int l = (int)strlen(a[i].name);

		wname = l > wname ? l : wname;
		l = ag != NULL ? (int)strlen(ag->name) : 1;
		wagent = l > wagent ? l : wagent;
	}
	printf("%-8s  %-*s  %-22s  %-*s  %s\n", "ID", wname, "NAME", "AT", wagent, "AGENT",
	    "PROMPT");
	for (size_t i = 0; i < n; i++) {
		const struct agent *ag = config_agent(cfg, a[i].agent);
		struct task_state ts;
		char when[40], *tname = NULL, note[96] = "";
		size_t pl = strcspn(a[i].prompt, "\n");

		util_time_short((time_t)a[i].at, when, sizeof when);
		if (asprintf(&tname, "%s#%s", a[i].name, a[i].id) >= 0) {
			state_task_get(st, tname, &ts);
			if (ts.consecutive_errors > 0)
				snprintf(note, sizeof note, " [failed %lld time%s, retried]",
				    ts.consecutive_errors, ts.consecutive_errors == 1 ? "" : "s");
			free(tname);
		}
		printf("%-8s  %-*s  %-22s  %-*s  %.*s%s%s%s\n", a[i].id, wname, a[i].name, when,
		    wagent, ag != NULL ? ag->name : "?", (int)(pl > 50 ? 50 : pl), a[i].prompt,
		    pl > 50 || a[i].prompt[pl] ? " ..." : "", a[i].parent_run ? " (follow-up)" : "",
		    note);
	}
}

int
cmd_cancel(const struct config *cfg, int argc, char **argv)
{
	struct state *st = NULL;
	struct state_oneshot *a = NULL;
	char err[1024], *tname = NULL;
	size_t n = 0;
	int fd, ret = 2, found = -1;

	if (argc != 2)
		return CMD_USAGE;
	if ((fd = lock_load(cfg, "cancel", &st)) < 0)
		return 2;
	if (state_oneshots_get(st, &a, &n) != 0) {
		msg_fail("out of memory");
		ret = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].id, argv[1]) == 0)
			found = (int)i;
	if (found < 0) {
		msg_error("cancel: no one-shot task '%s' waits (hb-run tasks)", argv[1]);
		goto out;
	}
	state_oneshot_del(st, argv[1]);
	/* its failures and claims go too; a run under way ends as it will, unrecorded here */
	if (asprintf(&tname, "%s#%s", a[found].name, a[found].id) >= 0) {
		struct task_state ts;

		state_task_get(st, tname, &ts);
		if (!ts.running)
			state_task_forget(st, tname);
	}
	if (state_save(st, cfg->state, err, sizeof err) != 0) {
		msg_fail("cancel: %s", err);
		ret = 1;
		goto out;
	}
	printf("cancelled %s (%s)\n", a[found].id, a[found].name);
	ret = 0;
out:
	free(tname);
	state_oneshots_free(a, n);
	state_free(st);
	state_unlock(fd);
	return ret;
}
