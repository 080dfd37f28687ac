/* commands.c - status (every task: type, schedule, last run, next due, last result), log
 * (the activity log) and check (every problem, with file:line). Read-only: none of them
 * takes the lock or writes a file. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "runner/commands.h"
#include "runner/msg.h"
#include "runner/plan.h"
#include "runner/tick.h"
#include "runner/util.h"
#include "runner/zone.h"
#include "state/log.h"
#include "state/state.h"
#include "tasks/duration.h"

/* ---- status ------------------------------------------------------------------------- */

static void
result_text(const struct plan_item *it, char *buf, size_t len)
{
	const struct task_state *ts = &it->ts;
	char dur[32];

	if (it->held) {
		snprintf(buf, len, "running (pid %ld)", ts->running_pid);
		return;
	}
	if (!ts->has_run || ts->last_status[0] == '\0') {
		snprintf(buf, len, "%s", ts->has_run ? "ran" : "never ran");
		return;
	}
	util_duration_ms(ts->last_duration_ms, dur, sizeof dur);
	if (strcmp(ts->last_status, run_status_name(RUN_OK)) == 0)
		snprintf(buf, len, "ok, %s, %s", ts->last_reply[0] ? ts->last_reply : "no reply",
		    dur);
	else if (ts->has_exit)
		snprintf(buf, len, "%s (exit %d), %s", ts->last_status, ts->last_exit, dur);
	else
		snprintf(buf, len, "%s, %s", ts->last_status, dur);
	if (ts->consecutive_errors > 0) {
		size_t n = strlen(buf);
		char wait[32];

		duration_format(sched_backoff(ts->consecutive_errors), wait, sizeof wait);
		snprintf(buf + n, len - n, ", %lld failure%s in a row, backoff %s",
		    ts->consecutive_errors, ts->consecutive_errors == 1 ? "" : "s", wait);
	}
}

static cJSON *
status_json(const struct plan_item *it)
{
	const struct task *t = it->task;
	const struct task_state *ts = &it->ts;
	char sched[64], when[40], result[128];
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	sched_describe(&t->sched, sched, sizeof sched);
	result_text(it, result, sizeof result);
	cJSON_AddStringToObject(o, "task", t->name);
	cJSON_AddStringToObject(o, "type", task_type_name(t->type));
	cJSON_AddStringToObject(o, "schedule", sched);
	cJSON_AddNumberToObject(o, "interval_s", (double)t->sched.interval);
	cJSON_AddBoolToObject(o, "enabled", t->enabled);
	if (ts->has_run) {
		util_time_iso((time_t)ts->last_run, when, sizeof when);
		cJSON_AddStringToObject(o, "last_run", when);
		cJSON_AddNumberToObject(o, "last_run_ts", (double)ts->last_run);
	} else {
		cJSON_AddNullToObject(o, "last_run");
		cJSON_AddNullToObject(o, "last_run_ts");
	}
	if (it->next != (time_t)-1) {
		util_time_iso(it->next, when, sizeof when);
		cJSON_AddStringToObject(o, "next_due", when);
		cJSON_AddNumberToObject(o, "next_due_ts", (double)it->next);
	} else {
		cJSON_AddNullToObject(o, "next_due");
		cJSON_AddNullToObject(o, "next_due_ts");
	}
	cJSON_AddBoolToObject(o, "due", it->due && !it->held);
	if (t->sched.kind == SCHED_AT)
		cJSON_AddBoolToObject(o, "done", ts->done && it->next == (time_t)-1);
	if (ts->last_status[0])
		cJSON_AddStringToObject(o, "last_status", ts->last_status);
	else
		cJSON_AddNullToObject(o, "last_status");
	if (ts->has_exit)
		cJSON_AddNumberToObject(o, "last_exit", ts->last_exit);
	else
		cJSON_AddNullToObject(o, "last_exit");
	cJSON_AddNumberToObject(o, "last_duration_ms", (double)ts->last_duration_ms);
	if (ts->last_reply[0])
		cJSON_AddStringToObject(o, "last_reply", ts->last_reply);
	else
		cJSON_AddNullToObject(o, "last_reply");
	cJSON_AddNumberToObject(o, "runs", (double)ts->runs);
	cJSON_AddNumberToObject(o, "consecutive_errors", (double)ts->consecutive_errors);
	cJSON_AddNumberToObject(o, "backoff_s", (double)sched_backoff(ts->consecutive_errors));
	if (it->held) {
		cJSON *r = cJSON_AddObjectToObject(o, "running");

		cJSON_AddNumberToObject(r, "pid", (double)ts->running_pid);
		cJSON_AddNumberToObject(r, "started_ts", (double)ts->running_since);
	} else {
		cJSON_AddNullToObject(o, "running");
	}
	cJSON_AddStringToObject(o, "summary", result);
	return o;
}

int
cmd_status(const struct config *cfg, const struct heartbeat *hb, int json)
{
	struct plan_item *items = calloc(hb->ntasks + 1, sizeof *items);
	struct state *st = NULL;
	char err[1024], boot[UUID_LEN];
	time_t now = time(NULL);
	int ret = 2;

	if (items == NULL) {
		msg_error("out of memory");
		return 1;
	}
	if (state_load(cfg->state, &st, err, sizeof err) != 0) {
		msg_error("%s", err);
		goto out;
	}
	util_boot_id(boot);
	plan_make(hb, st, now, boot, 0, cfg->timezone, items);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		char *s;

		for (size_t i = 0; arr != NULL && i < hb->ntasks; i++)
			cJSON_AddItemToArray(arr, status_json(&items[i]));
		s = arr ? cJSON_Print(arr) : NULL;
		if (s == NULL) {
			msg_error("out of memory");
			cJSON_Delete(arr);
			ret = 1;
			goto out;
		}
		printf("%s\n", s);
		cJSON_free(s);
		cJSON_Delete(arr);
		ret = 0;
		goto out;
	}
	{
		int wname = 4, wsched = 8;

		for (size_t i = 0; i < hb->ntasks; i++) {
			char sched[128];
			int n = (int)strlen(hb->tasks[i].name);

			sched_describe(&hb->tasks[i].sched, sched, sizeof sched);
			wname = n > wname ? n : wname;
			n = (int)strlen(sched);
			wsched = n > wsched ? n : wsched;
		}
		printf("%-*s  %-11s  %-*s  %-22s  %-22s  %s\n", wname, "TASK", "TYPE", wsched,
		    "SCHEDULE", "LAST RUN", "NEXT DUE", "LAST RESULT");
		for (size_t i = 0; i < hb->ntasks; i++) {
			const struct plan_item *it = &items[i];
			char sched[128], last[32], next[32], result[128];

			sched_describe(&it->task->sched, sched, sizeof sched);
			if (it->ts.has_run)
				util_time_short((time_t)it->ts.last_run, last, sizeof last);
			else
				snprintf(last, sizeof last, "-");
			if (!it->task->enabled)
				snprintf(next, sizeof next, "disabled");
			else if (it->due)
				snprintf(next, sizeof next, "now");
			else if (it->task->sched.kind == SCHED_AT && it->ts.done &&
			    it->next == (time_t)-1)
				snprintf(next, sizeof next, "done");
			else if (it->task->sched.kind == SCHED_CRON && it->task->sched.cron.reboot)
				snprintf(next, sizeof next, "at boot");
			else if (it->next == (time_t)-1)
				snprintf(next, sizeof next, "-");
			else
				util_time_short(it->next, next, sizeof next);
			result_text(it, result, sizeof result);
			printf("%-*s  %-11s  %-*s  %-22s  %-22s  %s\n", wname, it->task->name,
			    task_type_name(it->task->type), wsched, sched, last, next, result);
		}
		if (state_clock_warned(st) > (long long)now) {
			char then[40];

			util_time_iso((time_t)state_clock_warned(st), then, sizeof then);
			printf("\nThe clock went back: the state holds times up to %s, later than "
			    "now; they are ignored.\n", then);
		}
	}
	ret = 0;
out:
	state_free(st);
	free(items);
	return ret;
}

/* ---- log ---------------------------------------------------------------------------- */

struct log_filter {
	const char *task;
	cJSON **ring;		/* the last COUNT matching entries */
	long count;
	long seen;
};

static void
keep_entry(const cJSON *e, void *arg)
{
	struct log_filter *f = arg;
	const char *task = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "task"));
	long slot;

	if (f->task != NULL && (task == NULL || strcmp(task, f->task) != 0))
		return;
	slot = f->seen++ % f->count;
	cJSON_Delete(f->ring[slot]);
	f->ring[slot] = cJSON_Duplicate(e, 1);
}

static const char *
str_of(const cJSON *e, const char *key, const char *dflt)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, key));

	return s ? s : dflt;
}

static void
print_entry(const cJSON *e)
{
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(e, "exit");
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(e, "duration_ms");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(e, "ts");
	char dur[32] = "-", result[64], when[64];
	const char *status = str_of(e, "status", "?");

	/* "time" was written in the zone of the tick that wrote it; show runner.timezone's */
	if (cJSON_IsNumber(ts))
		util_time_iso((time_t)ts->valuedouble, when, sizeof when);
	else
		snprintf(when, sizeof when, "%s", str_of(e, "time", "?"));

	if (cJSON_IsNumber(ms))
		util_duration_ms((long long)ms->valuedouble, dur, sizeof dur);
	if (strcmp(status, run_status_name(RUN_OK)) != 0 && cJSON_IsNumber(ex))
		snprintf(result, sizeof result, "%s (exit %d)", status, ex->valueint);
	else
		snprintf(result, sizeof result, "%s", status);
	printf("%s  %-20s %-16s %-8s %-13s %s\n", when, str_of(e, "task", "?"),
	    result, dur, str_of(e, "reply_verdict", "-"), str_of(e, "reason", ""));
}

int
cmd_log(const struct config *cfg, long count, const char *task, int json)
{
	struct log_filter f = { task, NULL, count, 0 };
	char err[1024];
	int ret = 0;

	f.ring = calloc((size_t)count, sizeof *f.ring);
	if (f.ring == NULL) {
		msg_error("out of memory");
		return 1;
	}
	if (log_each(cfg->log, keep_entry, &f, err, sizeof err) != 0) {
		msg_error("%s", err);
		ret = 2;
	}
	for (long i = f.seen > count ? f.seen - count : 0; i < f.seen; i++) {
		cJSON *e = f.ring[i % count];

		if (e == NULL)
			continue;
		if (json) {
			char *s = cJSON_PrintUnformatted(e);

			if (s != NULL)
				printf("%s\n", s);
			cJSON_free(s);
		} else {
			print_entry(e);
		}
	}
	for (long i = 0; i < count; i++)
		cJSON_Delete(f.ring[i]);
	free(f.ring);
	return ret;
}

/* ---- next -------------------------------------------------------------------------- */

#define NEXT_FROM_MIN (-62135596800LL)	/* 0001-01-01T00:00:00Z */
#define NEXT_FROM_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */

int
cmd_next(const char *expr, const char *from, long count, const char *zone)
{
	const struct tz *z;
	struct cron c;
	char why[256], when[64];
	int64_t t;

	z = zone_get(zone, why, sizeof why);
	if (z == NULL) {
		msg_error("next: %s", why);
		return 2;
	}
	if (cron_parse(expr, &c, why, sizeof why) != 0) {
		msg_error("next: bad cron '%s': %s", expr, why);
		return 2;
	}
	if (c.reboot) {
		msg_error("next: @reboot has no times: it runs once per boot, from --catchup");
		return 2;
	}
	if (from == NULL) {
		t = (int64_t)time(NULL);
	} else if (from[0] == '@') {
		char *end;

		errno = 0;
		t = strtoll(from + 1, &end, 10);
		if (errno != 0 || end == from + 1 || *end != '\0') {
			msg_error("next: bad --from '%s': expected @ and Unix seconds", from);
			return 2;
		}
		/* Years 1 to 9999, as an ISO 8601 --from: far from where arithmetic overflows. */
		if (t < NEXT_FROM_MIN || t > NEXT_FROM_MAX) {
			msg_error("next: bad --from '%s': out of range (years 1 to 9999)", from);
			return 2;
		}
	} else {
		struct schedule s = { .kind = SCHED_AT };
		const char *bad = NULL;

		if (sched_parse_time(from, &s.at_local, &s.at_has_offset, &s.at_offset, &bad) != 0) {
			msg_error("next: bad --from '%s': %s", from, bad);
			return 2;
		}
		t = sched_at_instant(&s, z);
	}
	/* --from is a point in time; a slot exactly there is "next" too. */
	for (t = t - 1; count-- > 0;) {
		t = cron_next(&c, z, t);
		if (t == CRON_NEVER)
			break;
		sched_format_time(z, t, when, sizeof when);
		fputs(when, stdout);
		putchar('\n');
	}
	return ferror(stdout) ? 1 : 0;
}

/* ---- check -------------------------------------------------------------------------- */

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
	if (util_check_trusted(path, err, sizeof err) != 0) {
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
cmd_check(const struct config *cfg, const struct heartbeat *hb, int problems, size_t nwarnings)
{
	char summary[64] = "no problems";

	struct state *st = NULL;
	int turn = 0, event = 0;
	char err[1024];

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
