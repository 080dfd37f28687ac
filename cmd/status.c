/* status.c - hb-run status [--json]: every task with its type, agent, schedule, last run,
 * next due and last result (with what it cost), from the plan a tick would make now.
 * Read-only: no lock, no write. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cmd/cmd.h"
#include "runner/budget.h"
#include "runner/msg.h"
#include "runner/plan.h"
#include "runner/platform.h"
#include "runner/util.h"
#include "state/state.h"
#include "tasks/duration.h"

/* ", 15734/12 tokens, $0.0123": what the last run cost, as far as its agent said. */
static void
usage_text(const struct task_state *ts, char *buf, size_t len)
{
	size_t n = 0;

	if (ts->last_input_tokens >= 0 || ts->last_output_tokens >= 0) {
		char in[24] = "?", out[24] = "?";

		if (ts->last_input_tokens >= 0)
			snprintf(in, sizeof in, "%lld", ts->last_input_tokens);
		if (ts->last_output_tokens >= 0)
			snprintf(out, sizeof out, "%lld", ts->last_output_tokens);
		n = (size_t)snprintf(buf, len, ", %s/%s tokens", in, out);
	}
	if (ts->last_cost_usd >= 0 && n < len)
		snprintf(buf + n, len - n, ", $%.4f", ts->last_cost_usd);
}

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
	usage_text(ts, buf + strlen(buf), len - strlen(buf));
	if (ts->last_tier[0] != '\0')
		snprintf(buf + strlen(buf), len - strlen(buf), ", tier %s", ts->last_tier);
	if (ts->consecutive_errors > 0) {
		size_t n = strlen(buf);
		char wait[32];

		duration_format(sched_backoff(ts->consecutive_errors), wait, sizeof wait);
		snprintf(buf + n, len - n, ", %lld failure%s in a row, backoff %s",
		    ts->consecutive_errors, ts->consecutive_errors == 1 ? "" : "s", wait);
	}
}

/* "; paused until TIME" (or "until resumed") after RESULT, for a paused task. */
static void
pause_text(const struct plan_item *it, char *buf, size_t len)
{
	size_t n = strlen(buf);
	char until[40] = "resumed";

	if (!it->paused)
		return;
	if (it->paused_until > 0)
		util_time_short((time_t)it->paused_until, until, sizeof until);
	snprintf(buf + n, len - n, "; paused until %s%s", until, it->due ? " (due)" : "");
}

/* What waits in the outbox and what is held for quiet hours. */
struct outbox_sum {
	struct state_alert *a, *h;	/* the messages waiting, and those held */
	size_t waiting, held;
	long long oldest;	/* the oldest waiting message's reply (Unix seconds) */
	long long next_try;	/* the earliest next try of a waiting message */
};

/* Reads the outbox of ST into SUM (free with outbox_sum_free); what cannot be read counts
 * as none, as a tick would say. */
static void
outbox_sum_load(const struct state *st, struct outbox_sum *sum)
{
	memset(sum, 0, sizeof *sum);
	if (state_alerts_count(st, STATE_HELD) > 0 &&
	    state_alerts_get(st, STATE_HELD, &sum->h, &sum->held) != 0)
		sum->held = 0;
	if (state_alerts_count(st, STATE_OUTBOX) > 0 &&
	    state_alerts_get(st, STATE_OUTBOX, &sum->a, &sum->waiting) != 0)
		sum->waiting = 0;
	for (size_t i = 0; i < sum->waiting; i++) {
		if (i == 0 || sum->a[i].at < sum->oldest)
			sum->oldest = sum->a[i].at;
		if (i == 0 || sum->a[i].next_try < sum->next_try)
			sum->next_try = sum->a[i].next_try;
	}
}

static void
outbox_sum_free(struct outbox_sum *sum)
{
	state_alerts_free(sum->a, sum->waiting);
	state_alerts_free(sum->h, sum->held);
}

/* How many of the N alerts A are TASK's. */
static double
alerts_of(const struct state_alert *a, size_t n, const char *task)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += a[i].task != NULL && strcmp(a[i].task, task) == 0;
	return (double)k;
}

/* "outbox: 3 messages waiting (oldest ..., next try ...); held for quiet hours: 2" */
static void
outbox_line(const struct outbox_sum *sum, time_t now)
{
	char oldest[40], next[40];

	if (sum->waiting == 0 && sum->held == 0)
		return;
	printf("\noutbox: ");
	if (sum->waiting > 0) {
		util_time_short((time_t)sum->oldest, oldest, sizeof oldest);
		util_time_short((time_t)sum->next_try, next, sizeof next);
		printf("%zu message%s waiting (oldest %s, next try %s)", sum->waiting,
		    sum->waiting == 1 ? "" : "s", oldest, sum->next_try <= (long long)now ? "now" :
		    strncmp(oldest, next, 11) == 0 ? next + 11 : next);
	}
	if (sum->held > 0)
		printf("%sheld for quiet hours: %zu", sum->waiting > 0 ? "; " : "", sum->held);
	printf("\n");
}

/* NUMBER as JSON, or null when it is below 0 (not known). */
static void
add_known(cJSON *o, const char *key, double v)
{
	if (v >= 0)
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *
status_json(const struct config *cfg, const struct plan_item *it, const struct outbox_sum *sum)
{
	const struct task *t = it->task;
	const struct agent *a = config_agent(cfg, t->agent);
	const struct task_state *ts = &it->ts;
	char sched[64], when[40], result[256];
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	sched_describe(&t->sched, sched, sizeof sched);
	result_text(it, result, sizeof result);
	pause_text(it, result, sizeof result);
	cJSON_AddStringToObject(o, "task", t->name);
	cJSON_AddStringToObject(o, "type", task_type_name(t->type));
	cJSON_AddStringToObject(o, "agent", a != NULL ? a->name : "?");
	cJSON_AddBoolToObject(o, "dangerous", t->dangerous);
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
	cJSON_AddBoolToObject(o, "paused", it->paused);
	if (it->paused && it->paused_until > 0) {
		util_time_iso((time_t)it->paused_until, when, sizeof when);
		cJSON_AddStringToObject(o, "paused_until", when);
	} else {
		cJSON_AddNullToObject(o, "paused_until");
	}
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
	if (ts->last_tier[0])
		cJSON_AddStringToObject(o, "last_tier", ts->last_tier);
	else
		cJSON_AddNullToObject(o, "last_tier");
	add_known(o, "last_input_tokens", (double)ts->last_input_tokens);
	add_known(o, "last_output_tokens", (double)ts->last_output_tokens);
	add_known(o, "last_cost_usd", ts->last_cost_usd);
	cJSON_AddNumberToObject(o, "tokens_in", (double)ts->tokens_in);
	cJSON_AddNumberToObject(o, "tokens_out", (double)ts->tokens_out);
	cJSON_AddNumberToObject(o, "cost_usd", ts->cost_usd);
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
	/* the task's messages; a quiet hours digest is no task's, and counts in the text */
	cJSON_AddNumberToObject(o, "outbox_waiting", alerts_of(sum->a, sum->waiting, t->name));
	cJSON_AddNumberToObject(o, "outbox_held", alerts_of(sum->h, sum->held, t->name));
	cJSON_AddStringToObject(o, "summary", result);
	return o;
}

/* One budget's figures today: B's limits against what S says was spent. */
static cJSON *
budget_json(const struct budget *b, const struct state_spent *s)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "tokens_spent", (double)s->tokens);
	cJSON_AddNumberToObject(o, "cost_spent", s->cost);
	if (b->tokens >= 0) {
		cJSON_AddNumberToObject(o, "tokens_limit", (double)b->tokens);
		cJSON_AddNumberToObject(o, "tokens_left", (double)(s->tokens < b->tokens ?
		    b->tokens - s->tokens : 0));
	}
	if (b->cost >= 0) {
		cJSON_AddNumberToObject(o, "cost_limit", b->cost);
		cJSON_AddNumberToObject(o, "cost_left", s->cost < b->cost ? b->cost - s->cost : 0);
	}
	cJSON_AddBoolToObject(o, "reached", budget_reached(b, s->tokens, s->cost) != 0);
	return o;
}

/* The "budget" member of task T's object: today's figures of the workspace and of T. */
static void
budget_member(const struct config *cfg, const struct state *st, const struct task *t,
    time_t now, cJSON *o)
{
	const struct budget ws = { cfg->daily_tokens, cfg->daily_cost };
	struct state_spent s;
	char day[11];
	time_t end;
	cJSON *b = cJSON_AddObjectToObject(o, "budget");

	if (b == NULL)
		return;
	budget_today(cfg, now, day, &end);
	cJSON_AddStringToObject(b, "day", day);
	cJSON_AddNumberToObject(b, "resets", (double)end);
	state_spent_get(st, day, NULL, &s);
	cJSON_AddItemToObject(b, "workspace", budget_json(&ws, &s));
	if (t->has_budget) {
		state_spent_get(st, day, t->name, &s);
		cJSON_AddItemToObject(b, "task", budget_json(&t->budget, &s));
	} else {
		cJSON_AddNullToObject(b, "task");
	}
}

/* 1 when a budget that applies to task T (the workspace's, its own) is reached today. */
static int
over_budget(const struct config *cfg, const struct state *st, const struct task *t,
    time_t now)
{
	const struct budget ws = { cfg->daily_tokens, cfg->daily_cost };
	struct state_spent s;
	char day[11];
	time_t end;

	budget_today(cfg, now, day, &end);
	state_spent_get(st, day, NULL, &s);
	if (budget_reached(&ws, s.tokens, s.cost))
		return 1;
	state_spent_get(st, day, t->name, &s);
	return t->has_budget && budget_reached(&t->budget, s.tokens, s.cost);
}

/* "240 of 200000 tokens (199760 left), $0.6000 of $0.50 ($0 left)" into BUF. */
static void
budget_text(const struct budget *b, const struct state_spent *s, char *buf, size_t len)
{
	size_t n = 0;

	if (b->tokens >= 0)
		n = (size_t)snprintf(buf, len, "%lld of %lld tokens (%lld left)", s->tokens,
		    b->tokens, s->tokens < b->tokens ? b->tokens - s->tokens : 0);
	else
		n = (size_t)snprintf(buf, len, "%lld tokens", s->tokens);
	if (n < len && b->cost >= 0)
		snprintf(buf + n, len - n, ", $%.4f of $%.2f ($%.4f left)", s->cost, b->cost,
		    s->cost < b->cost ? b->cost - s->cost : 0);
	else if (n < len)
		snprintf(buf + n, len - n, ", $%.4f", s->cost);
}

/* The lines on today's budgets under the table. */
static void
budget_lines(const struct config *cfg, const struct heartbeat *hb, const struct state *st,
    time_t now)
{
	const struct budget ws = { cfg->daily_tokens, cfg->daily_cost };
	struct state_spent s;
	char day[11], text[256], until[40];
	time_t end;

	budget_today(cfg, now, day, &end);
	util_time_short(end, until, sizeof until);
	printf("\nBudget today (%s; a new day at %s):\n", day, until);
	state_spent_get(st, day, NULL, &s);
	budget_text(&ws, &s, text, sizeof text);
	printf("  workspace: %s%s\n", text, budget_reached(&ws, s.tokens, s.cost) ?
	    ": reached, no agent runs today" : "");
	for (size_t i = 0; i < hb->ntasks; i++) {
		const struct task *t = &hb->tasks[i];

		if (!t->has_budget)
			continue;
		state_spent_get(st, day, t->name, &s);
		budget_text(&t->budget, &s, text, sizeof text);
		printf("  %s: %s%s\n", t->name, text, budget_reached(&t->budget, s.tokens,
		    s.cost) ? ": reached, its agent does not run today" : "");
	}
}

static int
status_show(const struct config *cfg, const struct heartbeat *hb, int json)
{
	struct plan_item *items = calloc(hb->ntasks + 1, sizeof *items);
	struct state *st = NULL;
	struct outbox_sum sum = { 0 };
	char err[1024], boot[UUID_LEN];
	time_t now = time(NULL);
	int ret = 2;

	if (items == NULL) {
		msg_fail("out of memory");
		return 1;
	}
	if (state_load(cfg->state, &st, err, sizeof err) != 0) {
		msg_error("%s", err);
		goto out;
	}
	platform_boot_id(boot, sizeof boot);
	plan_make(hb, st, now, boot, 0, cfg->timezone, items);
	outbox_sum_load(st, &sum);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		char *s;

		for (size_t i = 0; arr != NULL && i < hb->ntasks; i++) {
			cJSON *o = status_json(cfg, &items[i], &sum);

			if (o != NULL && budget_active(cfg, hb))
				budget_member(cfg, st, &hb->tasks[i], now, o);
			cJSON_AddItemToArray(arr, o);
		}
		s = arr ? cJSON_Print(arr) : NULL;
		if (s == NULL) {
			msg_fail("out of memory");
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
		int wname = 4, wsched = 8, wagent = 5;
		struct state_pause wp;
		struct state_oneshot *once = NULL;
		size_t nonce = 0;

		for (size_t i = 0; i < hb->ntasks; i++) {
			char sched[128];
			int n = (int)strlen(hb->tasks[i].name);
			const struct agent *a = config_agent(cfg, hb->tasks[i].agent);

			sched_describe(&hb->tasks[i].sched, sched, sizeof sched);
			wname = n > wname ? n : wname;
			n = (int)strlen(sched);
			wsched = n > wsched ? n : wsched;
			n = a != NULL ? (int)strlen(a->name) : 1;
			wagent = n > wagent ? n : wagent;
		}
		printf("%-*s  %-12s  %-*s  %-*s  %-22s  %-22s  %s\n", wname, "TASK", "TYPE",
		    wagent, "AGENT", wsched, "SCHEDULE", "LAST RUN", "NEXT DUE", "LAST RESULT");
		for (size_t i = 0; i < hb->ntasks; i++) {
			const struct plan_item *it = &items[i];
			const struct agent *a;
			char sched[128], last[32], next[32], result[256], type[16];

			sched_describe(&it->task->sched, sched, sizeof sched);
			if (it->ts.has_run)
				util_time_short((time_t)it->ts.last_run, last, sizeof last);
			else
				snprintf(last, sizeof last, "-");
			if (!it->task->enabled)
				snprintf(next, sizeof next, "%s", it->task->sched.kind ==
				    SCHED_INTERVAL && it->task->sched.interval == 0 ? "off" : "disabled");
			else if (it->paused)
				snprintf(next, sizeof next, "paused");
			else if (it->due && budget_active(cfg, hb) &&
			    over_budget(cfg, st, it->task, now))
				snprintf(next, sizeof next, "over budget");
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
			pause_text(it, result, sizeof result);
			/* "!": a dangerous task (see hb-run(1), status) */
			snprintf(type, sizeof type, "%s%s", task_type_name(it->task->type),
			    it->task->dangerous ? "!" : "");
			a = config_agent(cfg, it->task->agent);
			printf("%-*s  %-12s  %-*s  %-*s  %-22s  %-22s  %s\n", wname, it->task->name,
			    type, wagent, a != NULL ? a->name : "?", wsched, sched, last, next,
			    result);
		}
		outbox_line(&sum, now);
		if (budget_active(cfg, hb))
			budget_lines(cfg, hb, st, now);
		if (state_oneshots_get(st, &once, &nonce) == 0 && nonce > 0) {
			printf("\none-shot tasks (hb-run tasks, hb-run cancel ID):\n");
			oneshot_print(cfg, st, once, nonce);
		}
		state_oneshots_free(once, nonce);
		if (!cfg->enabled)
			printf("\nhb-run is off ([runner] enabled = false): ticks run nothing; a task "
			    "named on the command line still runs.\n");
		state_pause_get(st, NULL, (long long)now, &wp);
		if (wp.paused) {
			char until[40] = "resumed";

			if (wp.until > 0)
				util_time_short((time_t)wp.until, until, sizeof until);
			printf("\nThe workspace is paused until %s: ticks run nothing (hb-run "
			    "resume).\n", until);
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
	outbox_sum_free(&sum);
	state_free(st);
	free(items);
	return ret;
}

int
cmd_status(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		return status_show(cfg, hb, 1);
	if (argc != 1)
		return CMD_USAGE;
	return status_show(cfg, hb, 0);
}
