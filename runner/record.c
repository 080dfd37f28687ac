/* record.c - a run's end in three steps: classify (the run's status and the reply's verdict,
 * with the messages that explain a failure), deliver (a reply for a person goes to each of
 * the task's targets; one that failed is shown on standard output with the reason, so that
 * nothing is lost), persist (under the lock: merge the result into a freshly loaded state,
 * save it, append the log entry with each target's result). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "agents/llm.h"
#include "agents/output.h"
#include "runner/budget.h"
#include "runner/claim.h"
#include "runner/context.h"
#include "runner/deliver.h"
#include "runner/msg.h"
#include "runner/oneshot.h"
#include "runner/outbox.h"
#include "runner/ping.h"
#include "runner/record.h"
#include "runner/reply.h"
#include "runner/supervise.h"
#include "runner/util.h"
#include "runner/zone.h"
#include "state/log.h"
#include "state/state.h"
#include "state/text.h"
#include "tasks/duration.h"

#define STDERR_LINES 10		/* of a failed agent's standard error, shown */

/* What became of one run, between the steps. */
struct outcome {
	struct run_record rec;
	int replied;			/* the agent ran: its reply has a verdict */
	struct output out;		/* what it printed, read in its agent's format */
	enum reply_verdict verdict;
	char *text;			/* the reply to deliver (malloc'd), or NULL */
	size_t tlen;
	char dnote[320];		/* why it was not delivered */
	struct deliver_report *reports;	/* one per target, in order */
	struct outbox_slot *slots;	/* the same targets' messages in the outbox */
	size_t nreports;
	int delivery_failed;		/* a target did not take it: the tick exits 1 */
	char onote[480];		/* how its output was read, when not as expected */
	char alert_hash[17];		/* the delivered text's hash, to save with the run */
	char **followups;		/* its HEARTBEAT_FOLLOWUP: lines (reply.h) */
	size_t nfollowups;
	char fnote[200];		/* follow-ups refused, for the log */
	int early;			/* it ended before an agent (record_early) */
};

/* Merges the outcome REC of JB into ST. An interrupted run only gives up its claim: it did
 * not happen, so the task stays due. STARTED: the template was executed. */
static int
merge_result(struct tick *t, struct state *st, const struct job *jb,
    const struct run_record *rec, int started, char *err, size_t errlen)
{
	int r;

	if (rec->status == RUN_INTERRUPTED || rec->status == RUN_OVER_BUDGET)
		r = state_task_unclaim(st, jb->task->name);
	else
		r = state_task_record(st, jb->task->name, rec);
	if (r == 0 && started && jb->task->type == TASK_SYSTEM_EVENT)
		r = state_session_mark_used(st, MAIN_SESSION, jb->session);
	if (r == 0 && started && jb->task->type == TASK_SYSTEM_EVENT && jb->agent_session[0])
		r = state_session_agent_set(st, MAIN_SESSION, jb->agent->name, jb->agent_session);
	if (r == 0 && started && jb->totals_seen && jb->agent_session[0])
		r = state_session_agent_totals_set(st, MAIN_SESSION, jb->agent->name,
		    jb->agent_session, jb->agent_totals);
	if (jb->task->type == TASK_SYSTEM_EVENT && t->session_jobs > 0 && --t->session_jobs == 0)
		state_session_unclaim(st, MAIN_SESSION, (long)getpid());
	if (r != 0)
		snprintf(err, errlen, "out of memory");
	return r;
}

/* Under the lock: an at task is done when its run succeeded, or when it failed for the
 * SCHED_AT_MAX_ATTEMPTS-th time in a row (said once, here); until then the backoff retries
 * it. DONE_AT names the instant, so that a changed time runs again. */
static void
at_done(struct tick *t, struct state *st, const struct job *jb, struct run_record *rec)
{
	const struct task *task = jb->task;
	struct task_state ts;
	char err[512];
	const struct tz *z = zone_get(task->tz ? task->tz : t->cfg->timezone, err, sizeof err);

	if (z == NULL)
		z = zone_get("UTC", err, sizeof err);
	rec->done_at = (long long)sched_at_instant(&task->sched, z);
	if (run_status_ok(rec->status)) {
		rec->done = 1;
		return;
	}
	if (rec->status == RUN_INTERRUPTED || rec->status == RUN_OVER_BUDGET)
		return;
	state_task_get(st, task->name, &ts);
	if (task->oneshot != NULL && (ts.consecutive_errors + 1 >= ONESHOT_MAX_ATTEMPTS ||
	    (long long)t->now - rec->done_at >= ONESHOT_LATE_MAX)) {
		rec->done = 1;
		msg_fail("%s: one-shot task failed %lld time%s in a row; dropped (its runs are in "
		    "the log)", task->name, ts.consecutive_errors + 1,
		    ts.consecutive_errors == 0 ? "" : "s");
	} else if (task->oneshot == NULL && ts.consecutive_errors + 1 >= SCHED_AT_MAX_ATTEMPTS) {
		rec->done = 1;
		msg_fail("%s: failed %lld times in a row; giving up on it (change its at: time "
		    "to run it again)", task->name, ts.consecutive_errors + 1);
	}
}

/* Under the lock: the follow-ups run JB asked for in its reply become one-shots, within
 * the limits (oneshot.h), with its task's agent and dangerous flag. Those refused, and
 * those it asked for with hb-run schedule and was refused, are said once. */
static int
followups(struct tick *t, struct state *st, const struct job *jb, struct outcome *oc)
{
	long long refused = state_followups_refused(st, jb->run_id, 0);
	char err[512], when[40], first[512] = "";
	const struct tz *z = zone_get(t->cfg->timezone, err, sizeof err);

	if (z == NULL)
		z = zone_get("UTC", err, sizeof err);
	for (size_t i = 0; i < oc->nfollowups; i++) {
		struct state_oneshot x;
		const char *line = oc->followups[i], *sp = line + strcspn(line, " \t");
		char spec[TASK_NAME_MAX + 16];
		int r;

		memset(&x, 0, sizeof x);
		snprintf(spec, sizeof spec, "%.*s", (int)(sp - line), line);
		sp += strspn(sp, " \t");
		if (*sp == '\0' || oneshot_when(strchr(spec, ':') ? NULL : spec,
		    strchr(spec, ':') ? spec : NULL, z, time(NULL), &x.at, err, sizeof err) != 0) {
			if (*sp == '\0')
				snprintf(err, sizeof err, "expected '" REPLY_FOLLOWUP " 30m what to do'");
			r = ONESHOT_PAST;
		} else {
			x.prompt = (char *)sp;
			x.agent = (char *)jb->agent->name;
			x.parent_run = (char *)jb->run_id;
			x.parent_task = jb->task->name;
			x.dangerous = jb->task->dangerous;
			/* a one-shot's follow-up keeps its name, not its id */
			snprintf(spec, sizeof spec, "%.*s", (int)strcspn(jb->task->name, "#"),
			    jb->task->name);
			x.name = spec;
			r = oneshot_add(st, &x, time(NULL), err, sizeof err);
		}
		if (r < 0)
			return -1;
		if (r == ONESHOT_ADDED) {
			util_time_iso((time_t)x.at, when, sizeof when);
			msg_note("%s: follow-up %s scheduled for %s", jb->task->name, x.id, when);
			continue;
		}
		if (first[0] == '\0')
			memcpy(first, err, sizeof first);
		refused++;
	}
	if (refused > 0) {
		msg_warn("%s: %lld follow-up%s refused%s%s (at most %d per run, %d waiting, 24 h "
		    "ahead)", jb->task->name, refused, refused == 1 ? "" : "s", first[0] ? ": " : "",
		    first, ONESHOT_PER_RUN_MAX, ONESHOT_PENDING_MAX);
		snprintf(oc->fnote, sizeof oc->fnote, "%lld follow-up%s refused", refused,
		    refused == 1 ? "" : "s");
	}
	return 0;
}

/* Under the lock: a one-shot that is done (or was cancelled while it ran) leaves the state;
 * its runs stay in the log. */
static void
oneshot_settle(struct state *st, const struct job *jb, const struct run_record *rec)
{
	if (jb->task->oneshot == NULL)
		return;
	if (rec->done)
		state_oneshot_del(st, jb->task->oneshot);
	if (!state_oneshot_has(st, jb->task->oneshot))
		state_task_forget(st, jb->task->name);
}

/* The first line of S, at most 300 bytes of it, for a one-line message. */
static void
first_line(const char *s, char *buf, size_t len)
{
	size_t n = strcspn(s, "\n");

	snprintf(buf, len, "%.*s%s", (int)(n > 300 ? 300 : n), s, n > 300 || s[n] != '\0' ?
	    " ..." : "");
}

/* O's tokens, when they are the running totals of the agent session that JB resumed: what
 * they grew by since its last run, which are this run's. JB keeps the totals for the next
 * run of a systemEvent. */
static void
run_tokens(struct job *jb, struct output *o)
{
	long long *now[3] = { &o->input_tokens, &o->cached_tokens, &o->output_tokens };
	long long was[3];
	int grew = 1;

	if (!o->running_totals || o->session[0] == '\0' ||
	    jb->task->type != TASK_SYSTEM_EVENT)
		return;
	for (int i = 0; i < 3; i++) {
		was[i] = strcmp(o->session, jb->agent_session) == 0 ? jb->agent_totals[i] : 0;
		jb->agent_totals[i] = *now[i] > 0 ? *now[i] : 0;
		grew &= *now[i] < 0 || *now[i] >= was[i];
	}
	jb->totals_seen = 1;
	for (int i = 0; i < 3 && grew; i++)
		if (*now[i] > 0)
			*now[i] -= was[i];
}

/* Reads what the agent printed in its format: the reply, the usage, its own session id. A
 * failure it reports fails the run; output not in its format is the reply as text. */
static void
read_output(struct tick *t, struct job *jb, const struct child_result *res,
    struct outcome *oc)
{
	const struct agent *a = jb->agent;
	struct output *o = &oc->out;
	char line[400];

	if (output_read(jb->output, res->out, res->out_len, o) != 0) {
		msg(MSG_TROUBLE, NULL, 0, "%s: out of memory reading the agent's output",
		    jb->task->name);
		memset(o, 0, sizeof *o);
		o->input_tokens = o->output_tokens = o->cached_tokens = -1;
		o->cost_usd = -1;
		return;
	}
	if (!o->parsed) {
		snprintf(oc->onote, sizeof oc->onote, "the output is not %s (%s): kept as text",
		    output_format_name(jb->output), o->why);
		if (oc->rec.status == RUN_OK)
			msg_warn("%s: agent %s: its output is not %s (%s); it is delivered as "
			    "text", jb->task->name, a->name, output_format_name(jb->output),
			    o->why);
	}
	if (o->is_error) {
		first_line(o->text, line, sizeof line);
		snprintf(oc->onote, sizeof oc->onote, "the agent reported an error: %s", line);
		if (oc->rec.status == RUN_OK) {
			oc->rec.status = RUN_ERROR;
			msg_fail("%s: agent %s reported an error: %s", jb->task->name, a->name, line);
		} else {
			msg_detail(o->text, o->len, STDERR_LINES);
		}
	}
	run_tokens(jb, o);
	/* The cost: the agent's own figure, else its tokens at the configured prices. */
	if (o->cost_usd < 0 && a->has_price && (o->input_tokens >= 0 || o->output_tokens >= 0))
		o->cost_usd = ((o->input_tokens > 0 ? (double)o->input_tokens : 0) * a->price_in +
		    (o->output_tokens > 0 ? (double)o->output_tokens : 0) * a->price_out) / 1e6;
	oc->rec.input_tokens = o->input_tokens;
	oc->rec.output_tokens = o->output_tokens;
	oc->rec.cost_usd = o->cost_usd;
	/* A systemEvent's agent session goes on: its next run resumes it. */
	if (jb->task->type == TASK_SYSTEM_EVENT && o->session[0] != '\0') {
		snprintf(jb->agent_session, sizeof jb->agent_session, "%s", o->session);
		for (size_t j = 0; j < t->njobs; j++)
			if (t->jobs[j].agent == a && t->jobs[j].task->type == TASK_SYSTEM_EVENT) {
				snprintf(t->jobs[j].agent_session, sizeof t->jobs[j].agent_session,
				    "%s", o->session);
				memcpy(t->jobs[j].agent_totals, jb->agent_totals,
				    sizeof jb->agent_totals);
			}
	}
}

/* The run's status, said when it is not ok, and the reply's verdict. */
static void
classify(struct tick *t, struct job *jb, const struct child_result *res,
    const char *why_not_started, struct outcome *oc)
{
	char dur[32];

	oc->rec.tick_start = (long long)t->now;
	oc->rec.input_tokens = oc->rec.output_tokens = -1;
	oc->rec.cost_usd = -1;
	if (jb->task->sched.kind == SCHED_CRON && jb->task->sched.cron.reboot)
		oc->rec.boot_id = t->boot;
	if (why_not_started != NULL || res->exec_failed) {
		oc->rec.status = RUN_ERROR;
		msg_fail("%s: %s", jb->task->name,
		    why_not_started ? why_not_started : res->exec_error);
	} else if (*t->caught != 0 && !(res->has_exit && res->exit_code == 0)) {
		oc->rec.status = RUN_INTERRUPTED;
		msg_fail("%s: interrupted by signal %d; it runs again when due", jb->task->name,
		    (int)*t->caught);
	} else if (res->timed_out) {
		char limit[32];

		oc->rec.status = RUN_TIMEOUT;
		duration_format(jb->task->timeout ? jb->task->timeout : t->cfg->timeout, limit,
		    sizeof limit);
		util_duration_ms(res->duration_ms, dur, sizeof dur);
		msg_fail("%s: timed out after %s; its process group was ended (after %s)",
		    jb->task->name, limit, dur);
	} else if (res->has_exit && res->exit_code == 0) {
		oc->rec.status = RUN_OK;
	} else if (jb->agent->kind == AGENT_HTTP && res->has_exit &&
	    res->exit_code == LLM_EXIT_TIMEOUT) {
		char limit[32];

		/* the helper stops a little before the timeout, to say what it was waiting for */
		oc->rec.status = RUN_TIMEOUT;
		duration_format(jb->task->timeout ? jb->task->timeout : t->cfg->timeout, limit,
		    sizeof limit);
		util_duration_ms(res->duration_ms, dur, sizeof dur);
		msg_fail("%s: timed out after %s: the model API had not answered (after %s)",
		    jb->task->name, limit, dur);
	} else {
		oc->rec.status = RUN_ERROR;
		util_duration_ms(res->duration_ms, dur, sizeof dur);
		if (res->has_exit)
			msg_fail("%s: the agent failed with exit status %d after %s",
			    jb->task->name, res->exit_code, dur);
		else
			msg_fail("%s: the agent was killed by signal %d after %s", jb->task->name,
			    res->signal, dur);
	}
	if (res != NULL && oc->rec.status != RUN_OK && res->err_len > 0)
		msg_detail(res->err, res->err_len, STDERR_LINES);
	oc->verdict = REPLY_EMPTY;
	oc->replied = res != NULL && !res->exec_failed;
	if (!oc->replied)
		return;
	read_output(t, jb, res, oc);
	/* An error the agent reported is said above, not delivered as its reply. */
	if (!oc->out.is_error) {
		char *rest = NULL;
		size_t rlen = 0;

		/* HEARTBEAT_FOLLOWUP: lines are for hb-run, not for the person */
		if (reply_followups(oc->out.text ? oc->out.text : "", oc->out.len, &rest, &rlen,
		    &oc->followups, &oc->nfollowups) != 0 ||
		    reply_classify(rest, rlen, (size_t)t->cfg->ack_max_chars, &oc->verdict,
		    &oc->text, &oc->tlen) != 0)
			msg(MSG_TROUBLE, NULL, 0, "%s: out of memory classifying the reply",
			    jb->task->name);
		free(rest);
	}
	oc->rec.has_exit = res->has_exit;
	oc->rec.exit_code = res->exit_code;
	oc->rec.duration_ms = res->duration_ms;
}

/* The targets of JB's task: its notify:, else [delivery] notify (which the configuration
 * checked). Returns a list to free with target_list_free, or NULL (out of memory). */
static char **
targets_of(const struct tick *t, const struct job *jb, size_t *n)
{
	char **list = NULL, err[256];

	if (jb->task->nnotify > 0) {
		list = calloc(jb->task->nnotify, sizeof *list);
		for (size_t i = 0; list != NULL && i < jb->task->nnotify; i++)
			if ((list[i] = strdup(jb->task->notify[i])) == NULL) {
				target_list_free(list, i);
				return NULL;
			}
		*n = list ? jb->task->nnotify : 0;
		return list;
	}
	if (target_list_split(t->cfg->notify, &list, n, err, sizeof err) != 0) {
		/* config_finish refused a bad list: only memory can fail here */
		return NULL;
	}
	return list;
}

/* A reply for a person goes to every target of the task, through the outbox: a message
 * per target but stdout is kept in the state before it is sent, and one a service could
 * not take now stays there for a later tick (said, not shown). A duplicate of the task's
 * last text within 24 h is not sent; during quiet hours the reply is held for the digest.
 * A target that refused it for good is said on standard error, and the reply is shown on
 * standard output under a line naming the target and the reason (once, whatever the number
 * of such targets): cron mails it. Only when that too fails does it become
 * REPLY_UNDELIVERED. */
static void
deliver(struct tick *t, const struct job *jb, struct outcome *oc)
{
	struct deliver_ctx ctx = { .cfg = t->cfg, .shown = &t->delivered };
	struct target_msg m;
	char **targets = NULL, host[256] = "", *safe = NULL, *note = NULL, err[256];
	size_t ntargets = 0, slen = 0;
	int on_stdout = 0, failed = 0;

	if (!oc->replied)
		return;
	if (oc->verdict != REPLY_DELIVER) {
		msg_note("%s: reply suppressed (%s)", jb->task->name,
		    reply_verdict_name(oc->verdict));
		return;
	}
	/* made printable: no NUL cuts it, no escape sequence reaches a terminal */
	safe = text_printable(oc->text, oc->tlen, &slen);
	targets = targets_of(t, jb, &ntargets);
	if (safe == NULL || targets == NULL ||
	    (oc->reports = calloc(ntargets, sizeof *oc->reports)) == NULL ||
	    (oc->slots = calloc(ntargets, sizeof *oc->slots)) == NULL) {
		snprintf(err, sizeof err, "out of memory");
		goto undelivered;
	}
	switch (outbox_accept(t, jb, safe, slen, targets, ntargets, oc->slots, oc->alert_hash)) {
	case ACCEPT_DUPLICATE:
		msg_note("%s: the same text was delivered less than 24 h ago: not sent again",
		    jb->task->name);
		oc->verdict = REPLY_DUPLICATE;
		goto out;
	case ACCEPT_HELD:
		msg_note("%s: quiet hours: the reply is held for the digest at their end",
		    jb->task->name);
		oc->verdict = REPLY_HELD;
		goto out;
	default:
		break;
	}
	if (gethostname(host, sizeof host) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	memset(&m, 0, sizeof m);
	/* a batch, the budget's alert: their titles name what they are about */
	m.task = jb->task->name[0] == '_' ? jb->task->title : jb->task->name;
	m.title = jb->task->title;
	m.text = safe;
	m.len = slen;
	m.priority = jb->task->priority;
	m.time = (long long)time(NULL);
	m.run_id = jb->run_id;
	m.host = host;
	for (size_t i = 0; i < ntargets; i++) {
		struct deliver_report *r = &oc->reports[i];
		char *more = NULL;

		oc->nreports++;
		if (!oc->slots[i].send) {
			memset(r, 0, sizeof *r);
			target_redact(targets[i], r->target, sizeof r->target);
			r->result = DELIVER_RETRY;
			snprintf(r->reason, sizeof r->reason, "queued behind earlier messages to "
			    "this target in the outbox");
			msg_note("%s: %s: %s", jb->task->name, r->target, r->reason);
			continue;
		}
		deliver_send(&ctx, targets[i], &m, 0, r);
		if (r->result == DELIVER_OK) {
			on_stdout |= strcmp(targets[i], "stdout") == 0;
			msg_note("%s: delivered to %s in %lld ms", jb->task->name, r->target,
			    r->duration_ms);
			continue;
		}
		if (r->result == DELIVER_RETRY && oc->slots[i].id[0] != '\0') {
			msg_warn("%s: not delivered to %s: %s; kept in the outbox and tried again "
			    "at later ticks", jb->task->name, r->target, r->reason);
			continue;
		}
		failed = 1;
		msg_fail("%s: not delivered to %s: %s%s", jb->task->name, r->target, r->reason,
		    r->result == DELIVER_RETRY ? " (the service may take it later)" : "");
		if (asprintf(&more, "%s[hb-run: not delivered to %s: %s]\n", note ? note : "",
		    r->target, r->reason) < 0)
			continue;
		free(note);
		note = more;
	}
	oc->delivery_failed = failed;
	if (failed &&
	    deliver_stdout(&t->delivered, jb->task->name, note, on_stdout ? NULL : safe, slen, err,
	    sizeof err) != 0)
		goto undelivered;
	goto out;
undelivered:
	msg_fail("%s: the reply could not be written to standard output: %s; it is kept in the "
	    "log", jb->task->name, err);
	snprintf(oc->dnote, sizeof oc->dnote, "the reply could not be written to standard "
	    "output: %s", err);
	oc->verdict = REPLY_UNDELIVERED;
	oc->delivery_failed = 1;
out:
	free(note);
	free(safe);
	target_list_free(targets, ntargets);
}

/* The end ping: success, or failure with the exit status and the end of what the run
 * printed (its output, then its standard error; at most PING_BODY_MAX bytes). */
static void
end_ping(struct tick *t, struct job *jb, const struct child_result *res,
    const char *why_not_started, const struct outcome *oc)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	if (ping_of(t, jb) == NULL || oc->rec.status == RUN_INTERRUPTED)
		return;
	if (run_status_ok(oc->rec.status)) {
		ping_send(t, jb, PING_SUCCESS, 0, NULL, 0);
		return;
	}
	if ((f = open_memstream(&body, &len)) != NULL) {
		if (why_not_started != NULL)
			fprintf(f, "%s\n", why_not_started);
		if (res != NULL && res->out_len > 0)
			fwrite(res->out, 1, res->out_len, f);
		if (res != NULL && res->err_len > 0)
			fwrite(res->err, 1, res->err_len, f);
		fclose(f);
	}
	ping_send(t, jb, PING_FAIL, res != NULL && res->has_exit ? res->exit_code : -1,
	    body && len > PING_BODY_MAX ? body + len - PING_BODY_MAX : body,
	    len > PING_BODY_MAX ? PING_BODY_MAX : len);
	free(body);
}

/* Each target's result of OC, for the log entry E: the array E points to (malloc'd, the
 * caller frees it), or NULL when there is none (or no memory: the entry goes without). */
static struct log_delivery *
log_deliveries(const struct outcome *oc, struct log_entry *e)
{
	struct log_delivery *d;

	if (oc->nreports == 0 || (d = calloc(oc->nreports, sizeof *d)) == NULL)
		return NULL;
	for (size_t i = 0; i < oc->nreports; i++) {
		d[i].target = oc->reports[i].target;
		d[i].result = deliver_result_name(oc->reports[i].result);
		d[i].reason = oc->reports[i].reason;
		d[i].parts = (long long)oc->reports[i].parts;
		d[i].parts_done = (long long)oc->reports[i].parts_done;
	}
	e->deliveries = d;
	e->ndeliveries = oc->nreports;
	return d;
}

/* Under the lock, into ST: the outcome OC of JB as REC says it (an at task's end, the run,
 * its follow-ups, the outbox's slots, the pings, the delivered text's hash, the day's
 * spending, a one-shot's end). BATCH: the batch JB ran in, or NULL; the batch's delivery,
 * ping, follow-ups and usage are settled with its first member. Returns 0, or -1 with ERR
 * set. */
static int
merge_outcome(struct tick *t, struct state *st, struct job *jb, struct outcome *oc,
    struct run_record *rec, const struct job *batch, char *err, size_t errlen)
{
	const struct job *whole = batch ? batch : jb;
	int first = batch == NULL || jb == &batch->members[0];

	if (jb->task->sched.kind == SCHED_AT)
		at_done(t, st, jb, rec);
	rec->tier = jb->tier;
	rec->check = jb->check_snap;
	rec->keep_check = run_status_ok(rec->status);
	if (merge_result(t, st, jb, rec, oc->replied && !oc->early, err, errlen) != 0)
		return -1;
	if ((first && oc->replied && !oc->early && followups(t, st, jb, oc) != 0) ||
	    (first && oc->slots != NULL && outbox_settle(t, st, oc->slots, oc->reports,
	    oc->nreports) != 0) ||
	    (first && ping_settle(t, st, whole) != 0) ||
	    (first && oc->alert_hash[0] != '\0' && state_task_set_last_alert(st,
	    whole->task->name, oc->alert_hash, (long long)t->now) != 0) ||
	    (first && budget_charge(t, st, jb, rec) != 0)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	oneshot_settle(st, jb, rec);
	return 0;
}

/* Appends the log entry of JB's run, as REC says it; BATCH as for merge_outcome (the
 * batch's usage goes on its first member's line only); UNSAVED: its result is not in the
 * state file. */
static void
log_run(struct tick *t, struct job *jb, const struct child_result *res,
    const char *why_not_started, struct outcome *oc, const struct run_record *rec,
    const struct job *batch, int unsaved)
{
	int first = batch == NULL || jb == &batch->members[0];
	struct log_entry e = { 0 };
	struct log_delivery *deliveries = NULL;
	struct log_usage usage, triage;
	char err[1024], when[40];

	e.start = jb->started;
	util_time_iso((time_t)e.start, when, sizeof when);
	e.time = when;
	e.task = jb->task->name;
	e.run_id = jb->run_id;
	e.type = task_type_name(jb->task->type);
	e.reason = jb->reason;
	e.slots = jb->slots;
	e.status = run_status_name(rec->status);
	e.agent = oc->early ? NULL : jb->agent->name;
	e.batch = batch ? batch->run_id : NULL;
	e.tier = jb->tier;
	e.findings = jb->findings;
	e.triage = jb->triage;
	e.triage_reason = jb->triage_reason;
	triage.input_tokens = jb->triage_in;
	triage.output_tokens = jb->triage_out;
	triage.cached_tokens = -1;
	triage.cost_usd = jb->triage_cost;
	e.triage_usage = jb->triage ? &triage : NULL;
	e.dangerous = jb->task->dangerous;
	usage.input_tokens = rec->input_tokens;
	usage.output_tokens = rec->output_tokens;
	usage.cached_tokens = oc->replied && !oc->early ? oc->out.cached_tokens : -1;
	usage.cost_usd = rec->cost_usd;
	e.usage = first ? &usage : NULL;
	e.model = oc->replied && oc->out.model[0] ? oc->out.model : NULL;
	e.agent_session = oc->replied && oc->out.session[0] ? oc->out.session : NULL;
	deliveries = log_deliveries(oc, &e);
	e.note = why_not_started ? why_not_started : (res != NULL && res->exec_failed ?
	    res->exec_error : NULL);
	if (oc->verdict == REPLY_UNDELIVERED && e.note == NULL)
		e.note = oc->dnote;
	if (oc->onote[0] != '\0' && e.note == NULL)
		e.note = oc->onote;
	if (oc->fnote[0] != '\0' && e.note == NULL)
		e.note = oc->fnote;
	if (unsaved && e.note == NULL)
		e.note = "the result could not be saved in the state file: the task runs again";
	if (res != NULL) {
		e.has_exit = res->has_exit;
		e.exit_code = res->exit_code;
		e.signal = res->signal;
		e.duration_ms = res->duration_ms;
		e.verdict = rec->reply;
		e.reply = oc->out.text ? oc->out.text : res->out;	/* the reply, as read */
		e.reply_len = oc->out.text ? oc->out.len : res->out_len;
		e.reply_total = res->out_total;
		e.stderr_text = res->err;
		e.stderr_len = res->err_len;
	}
	if (res == NULL && oc->early) {
		e.has_exit = oc->rec.has_exit;
		e.exit_code = oc->rec.exit_code;
		e.duration_ms = oc->rec.duration_ms;
	}
	if (oc->early) {	/* a check's output is its findings, not a reply */
		e.verdict = oc->rec.reply;
		e.reply = oc->replied ? oc->text : NULL;
		e.reply_len = oc->replied ? oc->tlen : 0;
		e.reply_total = e.reply_len;
		if (oc->replied && oc->text == NULL)
			e.reply = "";
	}
	if (log_append(t->cfg->log, &e, err, sizeof err) != 0) {
		msg_fail("%s", err);
		tick_worse(t, 1);
	}
	free(deliveries);
}

/* Under the lock: merge the result into a fresh state, save it, log the run. BATCH: the
 * batch JB ran in (one of its members), or NULL. */
static void
persist(struct tick *t, struct job *jb, const struct child_result *res,
    const char *why_not_started, struct outcome *oc, const struct job *batch)
{
	int first = batch == NULL || jb == &batch->members[0];
	struct run_record rec;		/* this task's: a batch's others carry no usage */
	struct state *st = NULL;
	char err[1024];
	int fd, unsaved = 0;

	oc->rec.reply = oc->replied ? reply_verdict_name(oc->verdict) : NULL;
	rec = oc->rec;
	if (!first) {
		rec.input_tokens = rec.output_tokens = -1;
		rec.cost_usd = -1;
	}
	fd = state_lock(t->lock, err, sizeof err);
	if (fd < 0) {
		msg_fail("%s: the run of %s is not recorded", err, jb->task->name);
		tick_worse(t, 1);
		return;
	}
	st = claim_load_locked(t);
	if (st == NULL || merge_outcome(t, st, jb, oc, &rec, batch, err, sizeof err) != 0 ||
	    state_save(st, t->cfg->state, err, sizeof err) != 0) {
		msg_fail("%s: the run of %s is not recorded", st ? err : "no state",
		    jb->task->name);
		tick_worse(t, 1);
		unsaved = 1;
	}
	log_run(t, jb, res, why_not_started, oc, &rec, batch, unsaved);
	state_unlock(fd);
	state_free(st);
}



/* Frees what the cheap tiers left on JB. */
static void
cheap_free(struct job *jb)
{
	free(jb->findings);
	jb->findings = NULL;
	cJSON_Delete(jb->check_snap);
	jb->check_snap = NULL;
}

void
record_early(struct tick *t, struct job *jb, int status, const char *note,
    const char *alert, const struct child_result *res)
{
	struct outcome oc;

	memset(&oc, 0, sizeof oc);
	oc.early = 1;
	oc.rec.tick_start = (long long)t->now;
	oc.rec.input_tokens = oc.rec.output_tokens = -1;
	oc.rec.cost_usd = -1;
	oc.rec.status = (enum run_status)status;
	if (jb->task->sched.kind == SCHED_CRON && jb->task->sched.cron.reboot)
		oc.rec.boot_id = t->boot;
	if (res != NULL) {
		oc.rec.has_exit = res->has_exit;
		oc.rec.exit_code = res->exit_code;
		oc.rec.duration_ms = res->duration_ms;
	} else {
		oc.rec.duration_ms = child_now_ms() - jb->stage_ms;
	}
	oc.verdict = REPLY_EMPTY;
	if (status == RUN_CLEAR) {
		/* nothing to deliver: saved with the others (record_flush) */
		end_ping(t, jb, res, NULL, &oc);
		jb->clear_rec = oc.rec;
		jb->cleared = 1;
		return;
	}
	if (alert != NULL) {
		oc.replied = 1;
		if (reply_classify(alert, strlen(alert), (size_t)t->cfg->ack_max_chars, &oc.verdict,
		    &oc.text, &oc.tlen) != 0)
			msg(MSG_TROUBLE, NULL, 0, "%s: out of memory classifying the findings",
			    jb->task->name);
	}
	end_ping(t, jb, res, run_status_ok(oc.rec.status) ? NULL : note, &oc);
	deliver(t, jb, &oc);
	tick_worse(t, run_status_ok(oc.rec.status) && oc.verdict != REPLY_UNDELIVERED &&
	    !oc.delivery_failed ? 0 : 1);
	/* the log's note: why it failed, or the triage's NO */
	persist(t, jb, res, note, &oc, NULL);
	free(oc.reports);
	free(oc.slots);
	free(oc.text);
	cheap_free(jb);
}

void
record_flush(struct tick *t, size_t njobs)
{
	struct state *st = NULL;
	struct outcome oc;
	char err[1024];
	size_t n = 0;
	int fd = -1, unsaved = 0;

	for (size_t j = 0; j < njobs; j++)
		n += t->jobs[j].cleared;
	if (n == 0)
		return;
	if ((fd = state_lock(t->lock, err, sizeof err)) < 0 ||
	    (st = claim_load_locked(t)) == NULL) {
		msg_fail("%s: %zu all clear%s not recorded", fd < 0 ? err : "no state", n,
		    n == 1 ? " is" : "s are");
		tick_worse(t, 1);
		unsaved = 1;
	}
	for (size_t j = 0; j < njobs && !unsaved; j++) {
		if (!t->jobs[j].cleared)
			continue;
		memset(&oc, 0, sizeof oc);
		oc.early = 1;
		oc.rec = t->jobs[j].clear_rec;
		if (merge_outcome(t, st, &t->jobs[j], &oc, &oc.rec, NULL, err, sizeof err) != 0)
			unsaved = 1;
	}
	if (!unsaved && state_save(st, t->cfg->state, err, sizeof err) != 0) {
		msg_fail("%s: %zu all clear%s not recorded", err, n, n == 1 ? " is" : "s are");
		tick_worse(t, 1);
		unsaved = 1;
	}
	for (size_t j = 0; j < njobs; j++) {
		if (!t->jobs[j].cleared)
			continue;
		memset(&oc, 0, sizeof oc);
		oc.early = 1;
		oc.rec = t->jobs[j].clear_rec;
		log_run(t, &t->jobs[j], NULL, NULL, &oc, &oc.rec, NULL, unsaved);
		t->jobs[j].cleared = 0;
		cheap_free(&t->jobs[j]);
	}
	if (fd >= 0)
		state_unlock(fd);
	state_free(st);
}

void
record_run(struct tick *t, struct job *jb, const struct child_result *res,
    const char *why_not_started)
{
	struct outcome oc;

	memset(&oc, 0, sizeof oc);
	classify(t, jb, res, why_not_started, &oc);
	end_ping(t, jb, res, why_not_started, &oc);
	deliver(t, jb, &oc);
	tick_worse(t, oc.rec.status == RUN_OK && oc.verdict != REPLY_UNDELIVERED &&
	    !oc.delivery_failed ? 0 : 1);
	if (jb->nmembers == 0)
		persist(t, jb, res, why_not_started, &oc, NULL);
	/* a batch: one reply, delivered once, recorded against each of its tasks (a failure
	 * too, so that each backs off) */
	for (size_t i = 0; i < jb->nmembers; i++) {
		jb->members[i].started = jb->started;
		persist(t, &jb->members[i], res, why_not_started, &oc, jb);
	}
	free(oc.reports);
	free(oc.slots);
	free(oc.text);
	reply_followups_free(oc.followups, oc.nfollowups);
	output_free(&oc.out);
	cheap_free(jb);
}

void
record_over_budget(struct tick *t, struct job *jb, const char *why, const char *alert,
    int log_it)
{
	struct outcome oc;
	struct log_entry e = { 0 };
	struct log_delivery *deliveries = NULL;
	struct state *st = NULL;
	static const struct task alert_task = { .name = BUDGET_ALERT_TASK,
						.title = "hb-run: budget reached" };
	struct job aj;
	char err[1024], when[40];
	int fd;

	memset(&oc, 0, sizeof oc);
	memset(&aj, 0, sizeof aj);
	if (alert != NULL) {
		/* to the default targets, through the outbox like any reply */
		aj.task = &alert_task;
		aj.agent = jb->agent;
		aj.reason = "budget";
		memcpy(aj.run_id, jb->run_id, sizeof aj.run_id);
		oc.replied = 1;
		oc.verdict = REPLY_DELIVER;
		oc.text = (char *)alert;
		oc.tlen = strlen(alert);
		deliver(t, &aj, &oc);
		oc.text = NULL;
		if (oc.delivery_failed)
			tick_worse(t, 1);
	}
	if ((fd = state_lock(t->lock, err, sizeof err)) < 0) {
		msg_fail("%s: the skip of %s is not recorded", err, jb->task->name);
		goto out;
	}
	st = claim_load_locked(t);
	oc.rec.status = RUN_OVER_BUDGET;
	if (st == NULL || merge_result(t, st, jb, &oc.rec, 0, err, sizeof err) != 0 ||
	    (oc.slots != NULL && outbox_settle(t, st, oc.slots, oc.reports, oc.nreports) != 0 &&
	    snprintf(err, sizeof err, "out of memory")) ||
	    state_save_claims(st, t->cfg->state, err, sizeof err) != 0)
		msg_fail("%s: the skip of %s is not recorded", st ? err : "no state",
		    jb->task->name);
	if (log_it || oc.nreports > 0) {
		e.start = (long long)time(NULL);
		util_time_iso((time_t)e.start, when, sizeof when);
		e.time = when;
		e.task = jb->task->name;
		e.run_id = jb->run_id;
		e.type = task_type_name(jb->task->type);
		e.reason = jb->reason;
		e.status = run_status_name(RUN_OVER_BUDGET);
		e.agent = jb->agent->name;
		e.note = why;
		e.duration_ms = 0;
		deliveries = log_deliveries(&oc, &e);
		if (log_append(t->cfg->log, &e, err, sizeof err) != 0) {
			msg_fail("%s", err);
			tick_worse(t, 1);
		}
	}
	state_unlock(fd);
out:
	state_free(st);
	free(deliveries);
	free(oc.reports);
	free(oc.slots);
}
