/* budget.c - daily budgets at run time. The day's spending lives in the state file
 * ("_budget"), added to under the lock as each run is recorded, so that the gate reads one
 * small object and never the log. A reached budget stops agents, not checks: the gate sits
 * right before an agent starts. Its skip is logged once a day per task, the task stays due,
 * and one alert a day per budget goes to the default targets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/budget.h"
#include "runner/claim.h"
#include "runner/context.h"
#include "runner/msg.h"
#include "runner/record.h"
#include "runner/zone.h"
#include "tasks/tz.h"

int
budget_active(const struct config *cfg, const struct heartbeat *hb)
{
	if (cfg->daily_tokens >= 0 || cfg->daily_cost >= 0)
		return 1;
	for (size_t i = 0; i < hb->ntasks; i++)
		if (hb->tasks[i].has_budget)
			return 1;
	return 0;
}

/* The configured zone (checked when read), else UTC. */
static const struct tz *
budget_zone(const struct config *cfg)
{
	char err[512];
	const struct tz *z = zone_get(cfg->timezone, err, sizeof err);

	return z != NULL ? z : zone_get("UTC", err, sizeof err);
}

void
budget_today(const struct config *cfg, time_t now, char day[11], time_t *end)
{
	const struct tz *z = budget_zone(cfg);

	if (z == NULL) {	/* out of memory: a UTC day */
		snprintf(day, 11, "1970-01-01");
		*end = now + 86400;
		return;
	}
	budget_day(z, (int64_t)now, day);
	*end = (time_t)budget_day_end(z, (int64_t)now);
}

/* Local wall time of T in the configured zone, "YYYY-MM-DD HH:MM", into BUF. */
static void
local_text(const struct config *cfg, time_t t, char *buf, size_t len)
{
	const struct tz *z = budget_zone(cfg);
	int64_t local = (int64_t)t + (z ? tz_offset(z, (int64_t)t) : 0), y;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t secs = local - days * 86400;
	int m, d;

	tz_civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04u-%02u-%02u %02u:%02u", (unsigned)(y % 10000), (unsigned)m % 100,
	    (unsigned)d % 100, (unsigned)(secs / 3600) % 100, (unsigned)(secs / 60 % 60));
}

/* "201234 tokens of 200000" and/or "$0.5200 of $0.50" for the limits of B that HIT. */
static void
spent_text(const struct budget *b, int hit, const struct state_spent *s, char *buf,
    size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (hit & BUDGET_TOKENS)
		n = (size_t)snprintf(buf, len, "%lld tokens of %lld", s->tokens, b->tokens);
	if ((hit & BUDGET_COST) && n < len)
		snprintf(buf + n, len - n, "%s$%.4f of $%.2f", n ? ", " : "", s->cost, b->cost);
}

/* Under the lock: sets today's marks (MARK_ALERT: the alert of the workspace, NAME NULL, or
 * of task NAME; each of the N TASKS' skip). NEW_ALERT: the alert was not sent yet;
 * LOG_IT[i]: task i's skip was not logged yet. Returns 0, or -1 (nothing is said then). */
static int
mark(struct tick *t, const char *day, const char *alert_name, const struct task **tasks,
    size_t n, int *new_alert, int *log_it)
{
	struct state *st = NULL;
	char err[1024];
	int fd, r = 0;

	if ((fd = state_lock(t->lock, err, sizeof err)) < 0) {
		msg_fail("%s", err);
		return -1;
	}
	if ((st = claim_load_locked(t)) == NULL) {
		state_unlock(fd);
		return -1;
	}
	if ((r = state_spent_mark(st, day, alert_name, "alerted")) >= 0)
		*new_alert = r == 0;
	for (size_t i = 0; r >= 0 && i < n; i++)
		if ((r = state_spent_mark(st, day, tasks[i]->name, "skipped")) >= 0)
			log_it[i] = r == 0;
	if (r < 0 || state_save_claims(st, t->cfg->state, err, sizeof err) != 0) {
		msg_fail("%s", r < 0 ? "out of memory" : err);
		r = -1;
	}
	state_free(st);
	state_unlock(fd);
	return r < 0 ? -1 : 0;
}

/* Has a budget that applies to TASK been reached, by the figures of ST? Returns 0, or
 * 1 with WHY (for messages and the log) and ALERT (the day's alert) set; *WS: it is the
 * workspace's. */
static int
budget_check(struct tick *t, const struct state *st, const struct task *task, char *why,
    size_t wlen, char *alert, size_t alen, int *ws_hit)
{
	const struct budget ws = { t->cfg->daily_tokens, t->cfg->daily_cost };
	struct state_spent all, own;
	char day[11], until[48], spent[128];
	int hit_ws, hit_task = 0;
	time_t end;

	budget_today(t->cfg, time(NULL), day, &end);
	state_spent_get(st, day, NULL, &all);
	hit_ws = budget_reached(&ws, all.tokens, all.cost);
	if (!hit_ws && task->has_budget) {
		state_spent_get(st, day, task->name, &own);
		hit_task = budget_reached(&task->budget, own.tokens, own.cost);
	}
	*ws_hit = hit_ws != 0;
	if (!hit_ws && !hit_task)
		return 0;
	local_text(t->cfg, end, until, sizeof until);
	if (hit_ws) {
		spent_text(&ws, hit_ws, &all, spent, sizeof spent);
		snprintf(why, wlen, "the workspace's daily budget is reached (%s on %s): no agent "
		    "runs until %s", spent, day, until);
		snprintf(alert, alen, "The daily budget of this workspace is reached: %s spent "
		    "on %s. No agent runs until %s (local time); checks still run, and the tasks "
		    "that are due run then.\n", spent, day, until);
	} else {
		spent_text(&task->budget, hit_task, &own, spent, sizeof spent);
		snprintf(why, wlen, "its daily budget is reached (%s on %s): it runs again after "
		    "%s", spent, day, until);
		snprintf(alert, alen, "Task %s reached its daily budget: %s spent on %s. Its "
		    "agent does not run until %s (local time).\n", task->name, spent, day, until);
	}
	return 1;
}

int
budget_spent_up(struct tick *t, const struct task *task)
{
	struct state *st = NULL;
	char why[512], alert[1024], err[1024];
	int hit, ws_hit = 0;

	if (t->cfg->daily_tokens < 0 && t->cfg->daily_cost < 0 && !task->has_budget)
		return 0;
	if (state_load(t->cfg->state, &st, err, sizeof err) != 0)
		return 0;
	hit = budget_check(t, st, task, why, sizeof why, alert, sizeof alert, &ws_hit);
	state_free(st);
	return hit;
}

int
budget_gate(struct tick *t, struct job *jb)
{
	const struct task *task = jb->task, *one[1] = { jb->task }, **tasks = one;
	struct state *st = NULL;
	char day[11], why[512], alert[1024], err[1024];
	int hit, ws_hit = 0, new_alert = 0, log_one = 0, *log_it = &log_one;
	size_t n = 1;
	time_t end;

	if (t->cfg->daily_tokens < 0 && t->cfg->daily_cost < 0 && !task->has_budget)
		return 0;
	if (state_load(t->cfg->state, &st, err, sizeof err) != 0)
		return 0;	/* the run goes on: a bad state file is dealt with as it ends */
	hit = budget_check(t, st, task, why, sizeof why, alert, sizeof alert, &ws_hit);
	state_free(st);
	if (!hit)
		return 0;
	budget_today(t->cfg, time(NULL), day, &end);
	if (jb->nmembers > 0) {		/* a batch: each of its tasks is skipped */
		n = jb->nmembers;
		tasks = calloc(n, sizeof *tasks);
		log_it = calloc(n, sizeof *log_it);
		if (tasks == NULL || log_it == NULL) {
			free(tasks);
			free(log_it);
			msg_fail("out of memory");
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			tasks[i] = jb->members[i].task;
	}
	msg_note("%s: not run: %s", task->name, why);
	if (mark(t, day, ws_hit ? NULL : task->name, tasks, n, &new_alert, log_it) == 0) {
		for (size_t i = 0; i < n; i++)
			record_over_budget(t, jb->nmembers > 0 ? &jb->members[i] : jb, why,
			    new_alert && i == 0 ? alert : NULL, log_it[i]);
	}
	if (jb->nmembers > 0) {
		free(tasks);
		free(log_it);
	}
	return 1;
}

void
budget_dry_run(struct tick *t, const struct state *st, size_t njobs)
{
	char why[512], alert[1024];
	int ws_hit = 0;

	for (size_t j = 0; j < njobs; j++) {
		const struct task *task = t->jobs[j].task;

		if (t->cfg->daily_tokens < 0 && t->cfg->daily_cost < 0 && !task->has_budget)
			continue;
		if (!budget_check(t, st, task, why, sizeof why, alert, sizeof alert, &ws_hit))
			continue;
		if (ws_hit) {
			printf("no agent would start: %s\n", why);
			return;
		}
		printf("%s would not start: %s\n", task->name, why);
	}
}

int
budget_charge(struct tick *t, struct state *st, const struct job *jb,
    const struct run_record *rec)
{
	long long tokens = (rec->input_tokens > 0 ? rec->input_tokens : 0) +
	    (rec->output_tokens > 0 ? rec->output_tokens : 0);
	double cost = rec->cost_usd > 0 ? rec->cost_usd : 0;
	char day[11];

	/* its triage's model call counts too */
	if (jb->triage != NULL) {
		tokens += (jb->triage_in > 0 ? jb->triage_in : 0) +
		    (jb->triage_out > 0 ? jb->triage_out : 0);
		cost += jb->triage_cost > 0 ? jb->triage_cost : 0;
	}
	time_t end;

	if ((tokens == 0 && cost == 0) || !budget_active(t->cfg, t->hb))
		return 0;
	budget_today(t->cfg, time(NULL), day, &end);
	return state_spent_add(st, day, jb->task->has_budget ? jb->task->name : NULL, tokens,
	    cost);
}
