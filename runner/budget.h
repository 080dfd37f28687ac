/* budget.h - the daily budgets at run time: the gate right before an agent starts, what a
 * run spent added to the local day's figures in the state, the day's figures for status.
 * The arithmetic is tasks/budget.c's. Included by the tick's stages (runner/, with
 * context.h) and cmd/status.c. */
#ifndef HB_RUNNER_BUDGET_H
#define HB_RUNNER_BUDGET_H

#include <stddef.h>
#include <time.h>

#include "state/state.h"
#include "tasks/budget.h"
#include "tasks/heartbeat.h"

struct config;
struct tick;
struct job;

/* The task under which the day's alert is delivered (and its outbox messages kept). */
#define BUDGET_ALERT_TASK "_budget-alert"

/* 1 when the configuration or a task of HB sets a budget: only then are figures kept. */
int budget_active(const struct config *cfg, const struct heartbeat *hb);
/* The local day of NOW in [runner] timezone into DAY, and the instant it ends. */
void budget_today(const struct config *cfg, time_t now, char day[11], time_t *end);
/* 1 when a daily budget that TASK's agent counts against is reached (nothing recorded):
 * a triage then asks no model, and budget_gate records the skip. */
int budget_spent_up(struct tick *t, const struct task *task);
/* Right before JB's agent starts: 1 when a daily budget (the workspace's, or its task's) is
 * reached; the skip is then recorded (record_over_budget) and the agent must not start.
 * Else 0. */
int budget_gate(struct tick *t, struct job *jb);
/* -n: says which of the first NJOBS of t->jobs would not start, by the figures of ST. */
void budget_dry_run(struct tick *t, const struct state *st, size_t njobs);
/* Under the lock, into ST: adds what run REC of JB spent to today's figures. Returns 0, or
 * -1 when memory ran out. */
int budget_charge(struct tick *t, struct state *st, const struct job *jb,
    const struct run_record *rec);

#endif
