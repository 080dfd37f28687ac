/* activity.h - the activity model: what the activity log says of a time window, per task and
 * per day (runs by outcome, tokens, cost), with the newest alerts delivered and failures.
 * activity_add and the text functions are pure (a parsed entry in, numbers out; the clock and
 * the zone are parameters); activity_read streams the log and its rotated files into it.
 * Used by cmd/report.c and by the daily summary. */
#ifndef HB_ACTIVITY_H
#define HB_ACTIVITY_H

#include <stddef.h>

#include <cJSON.h>

struct tz;

/* What became of one run, from its entry's status and reply verdict. */
enum act_outcome {
	ACT_OK,			/* ran, the reply said nothing to deliver */
	ACT_DELIVERED,		/* ran, and its reply was delivered */
	ACT_CLEAR,		/* a check found nothing: no model */
	ACT_TRIAGED,		/* triage said no */
	ACT_FAILED,		/* error, timeout */
	ACT_INTERRUPTED,
	ACT_DEFERRED,
	ACT_OVER_BUDGET,
	ACT_OTHER,		/* a status this version does not know */
	ACT_NOUTCOMES
};

#define ACT_BINS 168		/* timeline columns over the window (hours of a week) */
#define ACT_LIST_MAX 50		/* alerts and failures kept, the newest */
#define ACT_TASKS_MAX 1000	/* distinct tasks kept; the rest count under "..." */
#define ACT_DAYS_MAX 3700
#define ACT_TAIL_MAX 2000	/* bytes of the end of a failure's stderr kept */

/* Runs, by outcome, and what they cost; and outbox events (later deliveries). */
struct act_counts {
	long long n[ACT_NOUTCOMES];
	long long runs;
	long long tokens_in;
	long long tokens_out;
	double cost_usd;
	long long outbox_sent;		/* messages the outbox delivered later */
	long long outbox_failed;	/* tries that failed, messages given up on */
};

struct act_task {
	char *name;
	struct act_counts c;
	unsigned int bins[ACT_BINS][ACT_NOUTCOMES];	/* runs per timeline column */
};

/* An alert delivered, or a failure. Texts are as the log keeps them (secrets blanked). */
struct act_item {
	long long ts;
	char *task;
	char *status;
	char *text;		/* alert: the reply; failure: the end of stderr, or NULL */
	char *note;		/* NULL: none */
	char *targets;		/* alert: where it went ("ntfy://..., stdout"), or NULL */
	int has_exit;
	int exit_code;
	int signal;
	long long duration_ms;
	int outbox;		/* sent by the outbox at a later tick */
};

struct act_list {
	struct act_item item[ACT_LIST_MAX];	/* a ring: the newest ACT_LIST_MAX */
	size_t seen;				/* how many there were */
};

struct activity {
	long long since, until;		/* the window, Unix seconds, both included */
	const struct tz *zone;		/* days and times for people; NULL: UTC */
	struct act_counts total;
	struct act_task *tasks;		/* in order of first appearance */
	size_t ntasks;
	long long first_day;		/* the window's first local day (days since 1970) */
	size_t ndays;
	struct act_counts *days;
	struct act_list alerts;
	struct act_list failures;
	long long entries;		/* entries in the window */
	long long unreadable;		/* lines that were not JSON objects */
	int truncated;			/* tasks past ACT_TASKS_MAX were counted as "..." */
	size_t hint;			/* the task of the last entry */
};

/* Starts an empty model of SINCE .. UNTIL in ZONE. Returns 0, or -1 when memory ran out. */
int activity_init(struct activity *a, long long since, long long until, const struct tz *zone);
void activity_free(struct activity *a);

/* The outcome of entry E from its "status" and "reply_verdict". */
enum act_outcome activity_outcome(const char *status, const char *verdict);
/* "ok", "delivered", "clear", "triaged_out", "failed", "interrupted", "deferred",
 * "over_budget", "other". */
const char *activity_outcome_name(enum act_outcome o);

/* Counts entry E (one parsed line of the log) when its time lies in the window. Returns 0,
 * or -1 when memory ran out. */
int activity_add(struct activity *a, const cJSON *e);

/* Reads PATH and its rotated files (PATH.N ... PATH.1, oldest first) line by line into A;
 * a missing log has no entries. Returns 0, or -1 with ERR set. */
int activity_read(const char *path, struct activity *a, char *err, size_t errlen);

/* The I-th newest item of L (0: the newest), or NULL. */
const struct act_item *activity_item(const struct act_list *l, size_t i);

/* T as "2026-01-05 09:00" in the model's zone. */
void activity_time(const struct activity *a, long long t, char *buf, size_t len);
/* The local day D (days since 1970) as "2026-01-05". */
void activity_day(long long d, char *buf, size_t len);

/* S (N bytes) with what a terminal or a page must not interpret made visible as text:
 * control characters as "\x1b", bidirectional overrides and invisible marks as "\u202e",
 * invalid UTF-8 as "\xff". Returns a malloc'd string, or NULL when memory ran out. */
char *activity_visible(const char *s, size_t n);

/* The summary as plain text: the window, the totals, a line per task and per day, the
 * newest failures and alerts. The daily summary is this text over the last 24 hours.
 * Returns a malloc'd string, or NULL when memory ran out. */
char *activity_text(const struct activity *a);

#endif
