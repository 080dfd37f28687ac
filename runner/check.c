/* check.c - the cheap tiers: a task's check runs first (a command's exit status and output,
 * or a built-in's snapshot diff), each program it needs supervised as an agent is (its own
 * process group, bounded time and output, ended by a signal). All clear, a failure, or the
 * findings of a task without a prompt end the run here; else the [triage] agent may end it
 * (NO), and the findings go on to the task's agent. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "agents/output.h"
#include "checks/builtin.h"
#include "runner/budget.h"
#include "runner/check.h"
#include "runner/context.h"
#include "runner/deliver.h"
#include "runner/health.h"
#include "runner/job.h"
#include "runner/msg.h"
#include "runner/ping.h"
#include "runner/record.h"
#include "runner/supervise.h"
#include "runner/tick.h"
#include "runner/util.h"
#include "tasks/duration.h"

#define CHECK_OUT_HEAD CHECK_FINDINGS_MAX	/* of a command check's output: the start ... */
#define CHECK_OUT_TAIL (4 * 1024)		/* ... and the end */
#define CHECK_ERR_KEEP (4 * 1024)		/* of standard error: the first and last */
#define EXEC_OUT_MAX (1024 * 1024)		/* a built-in's program's output, at most */
#define STDERR_LINES 10

/* A check's run: its deadline, for the programs a built-in runs one after the other. */
struct check_run {
	struct tick *t;
	const struct job *jb;
	long long deadline;		/* monotonic ms */
	int interrupted;		/* a signal ended a program */
};

/* The check's time: [runner] check_timeout, or the task's timeout: when it is shorter. */
static long long
check_timeout_ms(const struct tick *t, const struct job *jb)
{
	long long s = t->cfg->check_timeout;

	if (jb->task->timeout > 0 && jb->task->timeout < s)
		s = jb->task->timeout;
	return s > LLONG_MAX / 1000 ? LLONG_MAX : s * 1000;
}

/* The last non-empty line of S, into BUF. */
static void
last_line(const char *s, size_t len, char *buf, size_t blen)
{
	size_t end = len, start;

	while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == '\r' || s[end - 1] == ' '))
		end--;
	start = end;
	while (start > 0 && s[start - 1] != '\n')
		start--;
	snprintf(buf, blen, "%.*s", (int)(end - start > 300 ? 300 : end - start), s + start);
}

/* check_exec_fn for the built-ins: ARGV through the supervisor, within the check's time. */
static int
check_exec(void *arg, char *const *argv, char *const *extra, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct check_run *cr = arg;
	struct child_result res;
	struct child_spec spec;
	struct child *c;
	char prog[PATH_MAX], **env;
	long long left = cr->deadline - child_now_ms();
	int r = -1;

	*out = NULL;
	*outlen = 0;
	err[0] = '\0';
	if (argv[0][0] == '/')
		snprintf(prog, sizeof prog, "%s", argv[0]);
	else if (deliver_find_program(argv[0], prog, sizeof prog) != 0) {
		snprintf(err, errlen, "%s is not installed (not found on PATH)", argv[0]);
		return -1;
	}
	if (left <= 0) {
		snprintf(err, errlen, "no time left for %s", argv[0]);
		return -1;
	}
	if ((env = deliver_env(extra)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(&spec, 0, sizeof spec);
	spec.path = prog;
	spec.argv = argv;
	spec.env = env;
	spec.stdin_fd = -1;
	spec.timeout_ms = left;
	spec.out_head = EXEC_OUT_MAX;
	spec.err_head = spec.err_tail = CHECK_ERR_KEEP;
	if ((c = child_start(&spec, err, errlen)) == NULL) {
		free(env);
		return -1;
	}
	job_wait(cr->t, c, &res);
	free(env);
	if (*cr->t->caught != 0) {
		cr->interrupted = 1;
		snprintf(err, errlen, "interrupted by signal %d", (int)*cr->t->caught);
	} else if (res.exec_failed) {
		snprintf(err, errlen, "%s", res.exec_error);
	} else if (res.timed_out) {
		snprintf(err, errlen, "%s timed out", argv[0]);
	} else if (!res.has_exit) {
		snprintf(err, errlen, "%s was killed by signal %d", argv[0], res.signal);
	} else if (res.out_total > EXEC_OUT_MAX) {
		snprintf(err, errlen, "%s printed more than %d bytes", argv[0], EXEC_OUT_MAX);
	} else {
		r = res.exit_code;
		if (r != 0)
			last_line(res.err ? res.err : "", res.err_len, err, errlen);
		else {
			*out = res.out;
			*outlen = res.out_len;
			res.out = NULL;
		}
	}
	child_result_free(&res);
	return r;
}

/* 1 when S (LEN bytes) holds something besides white space. */
static int
has_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 1;
	return 0;
}

/* A command check: /bin/sh -c LINE in the workspace. Exit 0 with output: found (the output
 * into jb->findings), 1 or no output: clear; else it failed (the run is recorded here).
 * Returns 1 found, 0 clear, -1 recorded. */
static int
run_command(struct tick *t, struct job *jb, struct check_run *cr)
{
	char *argv[] = { "sh", "-c", jb->task->check, NULL }, *extra[4] = { NULL };
	char err[512], dur[32], note[600];
	struct child_result res;
	struct child_spec spec;
	struct child *c;
	char **env;
	int r = -1;

	if (asprintf(&extra[0], "HB_TASK=%s", jb->task->name) < 0 ||
	    asprintf(&extra[1], "HB_WORKSPACE=%s", t->workspace) < 0 ||
	    asprintf(&extra[2], "HB_RUN_ID=%s", jb->run_id) < 0 ||
	    (env = deliver_env(extra)) == NULL) {
		record_early(t, jb, RUN_ERROR, "out of memory", NULL, NULL);
		goto out;
	}
	memset(&spec, 0, sizeof spec);
	spec.path = "/bin/sh";
	spec.argv = argv;
	spec.env = env;
	spec.stdin_fd = -1;
	spec.timeout_ms = cr->deadline - child_now_ms();
	spec.out_head = CHECK_OUT_HEAD;
	spec.out_tail = CHECK_OUT_TAIL;
	spec.err_head = spec.err_tail = CHECK_ERR_KEEP;
	msg_note("%s: checking: %s", jb->task->name, jb->task->check);
	if ((c = child_start(&spec, err, sizeof err)) == NULL) {
		free(env);
		snprintf(note, sizeof note, "the check could not start: %s", err);
		msg_fail("%s: %s", jb->task->name, note);
		record_early(t, jb, RUN_ERROR, note, NULL, NULL);
		goto out;
	}
	job_wait(t, c, &res);
	free(env);
	util_duration_ms(res.duration_ms, dur, sizeof dur);
	if (*t->caught != 0 && !(res.has_exit && res.exit_code <= 1)) {
		snprintf(note, sizeof note, "the check was interrupted by signal %d",
		    (int)*t->caught);
		msg_fail("%s: %s; it runs again when due", jb->task->name, note);
		record_early(t, jb, RUN_INTERRUPTED, note, NULL, &res);
	} else if (res.has_exit && res.exit_code == 0 && has_text(res.out, res.out_len)) {
		jb->findings = res.out;
		res.out = NULL;
		r = 1;
	} else if (res.has_exit && (res.exit_code == 1 || res.exit_code == 0)) {
		r = 0;
		record_early(t, jb, RUN_CLEAR, NULL, NULL, &res);
	} else {
		char limit[32];

		if (res.exec_failed)
			snprintf(note, sizeof note, "the check could not start: %s", res.exec_error);
		else if (res.timed_out) {
			duration_format(check_timeout_ms(t, jb) / 1000, limit, sizeof limit);
			snprintf(note, sizeof note, "the check timed out after %s; its process group "
			    "was ended", limit);
		} else if (res.has_exit)
			snprintf(note, sizeof note, "the check failed with exit status %d after %s",
			    res.exit_code, dur);
		else
			snprintf(note, sizeof note, "the check was killed by signal %d after %s",
			    res.signal, dur);
		msg_fail("%s: %s", jb->task->name, note);
		if (res.err_len > 0)
			msg_detail(res.err, res.err_len, STDERR_LINES);
		record_early(t, jb, res.timed_out ? RUN_TIMEOUT : RUN_ERROR, note, NULL, &res);
	}
	child_result_free(&res);
out:
	for (int i = 0; i < 3; i++)
		free(extra[i]);
	return r;
}

/* daily-summary's text, for the tick HARG. */
static int
summary_of(void *harg, char **out, char *err, size_t errlen)
{
	const struct tick *t = harg;

	return health_summary(t->cfg, t->now, out, err, errlen);
}

/* hb-monitor's findings, for the tick HARG. */
static int
monitor_of(void *harg, long long fails, char **out, char *err, size_t errlen)
{
	const struct tick *t = harg;

	return health_monitor(t->cfg, t->hb, t->now, fails, out, err, errlen);
}

/* A built-in check, with the snapshot of its last run from ST (a snapshot of another
 * check: line counts as none). Returns 1 found, 0 clear, -1 recorded. */
static int
run_builtin(struct tick *t, struct job *jb, const struct state *st, struct check_run *cr)
{
	const struct check_builtin *b = NULL;
	const cJSON *old = st ? state_task_check(st, jb->task->name) : NULL;
	struct check_ctx ctx;
	char **argv = NULL, err[700], note[800], helper[PATH_MAX + 64];
	cJSON *snap = NULL;
	char *findings = NULL;
	long long start = child_now_ms();
	int argc, r;

	if (old != NULL && !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(old, "on")))
		old = NULL;
	if (old != NULL && strcmp(cJSON_GetObjectItemCaseSensitive(old, "on")->valuestring,
	    jb->task->check) != 0)
		old = NULL;
	argc = check_words(jb->task->check, &argv, err, sizeof err);
	if (argc < 1 || (b = check_builtin_find(argv[0])) == NULL) {
		snprintf(note, sizeof note, "bad check: %s", argc < 0 ? err : jb->task->check);
		msg_fail("%s: %s", jb->task->name, note);
		record_early(t, jb, RUN_ERROR, note, NULL, NULL);
		check_words_free(argv);
		return -1;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.exec = check_exec;
	ctx.arg = cr;
	ctx.timeout_ms = cr->deadline - start;
	ctx.now = (long long)t->now;
	ctx.task = jb->task->name;
	ctx.state_file = t->cfg->state;
	ctx.log_file = t->cfg->log;
	ctx.state = st;
	ctx.summary = summary_of;
	ctx.monitor = monitor_of;
	ctx.harg = t;
	if (tick_helper_path(t->cfg, helper, sizeof helper) == 0)
		ctx.helper = helper;
	else
		ctx.helper = "hb-run-http";
	msg_note("%s: checking: %s", jb->task->name, jb->task->check);
	r = b->run(&ctx, argc - 1, argv + 1, old, &snap, &findings, err, sizeof err);
	check_words_free(argv);
	if (r == 0 && snap != NULL && !cJSON_AddStringToObject(snap, "on", jb->task->check)) {
		r = -1;
		snprintf(err, sizeof err, "out of memory");
	}
	if (r != 0) {
		cJSON_Delete(snap);
		free(findings);
		snprintf(note, sizeof note, cr->interrupted ? "the check was %s" :
		    "the check failed: %s", err);
		msg_fail("%s: %s%s", jb->task->name, note, cr->interrupted ?
		    "; it runs again when due" : "");
		record_early(t, jb, cr->interrupted ? RUN_INTERRUPTED : RUN_ERROR, note, NULL, NULL);
		return -1;
	}
	jb->check_snap = snap;
	if (findings == NULL) {
		record_early(t, jb, RUN_CLEAR, NULL, NULL, NULL);
		return 0;
	}
	jb->findings = findings;
	return 1;
}

int
check_triage_answer(const char *text, size_t len, char *reason, size_t rlen)
{
	size_t i = 0, w, end, n;
	int verdict = -1;

	while (i < len && (isspace((unsigned char)text[i]) || strchr("*_`#>\"'", text[i])))
		i++;
	for (w = i; w < len && isalpha((unsigned char)text[w]); w++)
		;
	if (w - i == 3 && strncasecmp(text + i, "yes", 3) == 0)
		verdict = 1;
	else if (w - i == 2 && strncasecmp(text + i, "no", 2) == 0)
		verdict = 0;
	if (verdict < 0)
		w = i;		/* the reason is the whole first line */
	while (w < len && (strchr("*_`\"'.,:;!-", text[w]) || text[w] == ' ' || text[w] == '\t'))
		w++;
	for (end = w; end < len && text[end] != '\n'; end++)
		;
	if (end == w && end < len) {	/* nothing after the word: the next line */
		for (w = end; w < len && isspace((unsigned char)text[w]); w++)
			;
		for (end = w; end < len && text[end] != '\n'; end++)
			;
	}
	n = 0;
	for (size_t k = w; k < end && n + 1 < rlen && n < 300; k++)
		reason[n++] = (unsigned char)text[k] < 0x20 || text[k] == 0x7f ? ' ' : text[k];
	while (n > 0 && isspace((unsigned char)reason[n - 1]))
		n--;
	if (rlen > 0)
		reason[n] = '\0';
	return verdict;
}

/* Asks the [triage] agent whether JB's findings need the agent. Returns 1 to go on, 0
 * when it said NO, -1 when a signal ended it (recorded). */
static int
triage(struct tick *t, struct job *jb)
{
	const struct agent *a = config_agent(t->cfg, t->cfg->triage_agent);
	struct child_result res;
	enum output_format fmt = OUTPUT_TEXT;
	struct output o;
	char *prompt = NULL, err[600];
	int v;

	jb->tier = "triage";
	memset(&res, 0, sizeof res);
	memset(&o, 0, sizeof o);
	if (a == NULL || asprintf(&prompt, "You decide whether the findings of an automatic check "
	    "need a closer look by an agent, for the task '%s'.\n\nQuestion: %s\n\nFindings:\n%s\n"
	    "\nAnswer YES or NO on the first line, then give one line of reason.\n",
	    jb->task->name, jb->task->triage, jb->findings) < 0) {
		prompt = NULL;
		snprintf(err, sizeof err, a == NULL ? "no [triage] agent" : "out of memory");
		goto failed;
	}
	if (job_ask(t, jb, a, prompt, &res, &fmt, err, sizeof err) != 0)
		goto failed;
	if (*t->caught != 0) {
		snprintf(err, sizeof err, "the triage was interrupted by signal %d", (int)*t->caught);
		msg_fail("%s: %s; it runs again when due", jb->task->name, err);
		record_early(t, jb, RUN_INTERRUPTED, err, NULL, NULL);
		child_result_free(&res);
		free(prompt);
		return -1;
	}
	if (res.exec_failed || !res.has_exit || res.exit_code != 0 || res.timed_out) {
		char line[320] = "";

		last_line(res.err ? res.err : "", res.err_len, line, sizeof line);
		snprintf(err, sizeof err, "%s%s%s", res.exec_failed ? res.exec_error :
		    res.timed_out ? "it timed out" : "it failed", line[0] ? ": " : "", line);
		goto failed;
	}
	if (output_read(fmt, res.out, res.out_len, &o) != 0 || o.is_error) {
		snprintf(err, sizeof err, "%s", o.is_error && o.text ? o.text : "out of memory");
		goto failed;
	}
	jb->triage_in = o.input_tokens;
	jb->triage_out = o.output_tokens;
	jb->triage_cost = o.cost_usd;
	if (o.cost_usd < 0 && a->has_price && (o.input_tokens >= 0 || o.output_tokens >= 0))
		jb->triage_cost = ((o.input_tokens > 0 ? (double)o.input_tokens : 0) * a->price_in +
		    (o.output_tokens > 0 ? (double)o.output_tokens : 0) * a->price_out) / 1e6;
	v = check_triage_answer(o.text ? o.text : "", o.len, jb->triage_reason,
	    sizeof jb->triage_reason);
	jb->triage = v == 1 ? "yes" : v == 0 ? "no" : "unclear";
	msg_note("%s: triage says %s: %s", jb->task->name, jb->triage, jb->triage_reason);
	output_free(&o);
	child_result_free(&res);
	free(prompt);
	if (v == 0) {
		char note[400];

		snprintf(note, sizeof note, "triaged out: %s", jb->triage_reason);
		record_early(t, jb, RUN_TRIAGED_OUT, note, NULL, NULL);
		return 0;
	}
	if (v < 0)
		snprintf(jb->triage_reason + strlen(jb->triage_reason), sizeof jb->triage_reason -
		    strlen(jb->triage_reason), "%s(neither YES nor NO: the agent runs)",
		    jb->triage_reason[0] ? " " : "");
	return 1;
failed:
	/* A broken triage must not silence what the check found: the agent runs. */
	jb->triage = "failed";
	snprintf(jb->triage_reason, sizeof jb->triage_reason, "%.300s", err);
	msg_warn("%s: the triage by agent %s failed (%s); the agent runs", jb->task->name,
	    t->cfg->triage_agent, err);
	output_free(&o);
	child_result_free(&res);
	free(prompt);
	return 1;
}

enum check_next
check_stage(struct tick *t, struct job *jb, const struct state *st)
{
	struct check_run cr = { t, jb, child_now_ms() + check_timeout_ms(t, jb), 0 };
	const struct check_builtin *b;
	int found;

	jb->triage_in = jb->triage_out = -1;
	jb->triage_cost = -1;
	ping_send(t, jb, PING_START, 0, NULL, 0);
	jb->start_pinged = 1;
	jb->started = (long long)time(NULL);
	jb->stage_ms = child_now_ms();
	jb->tier = "check";
	if (check_is_builtin(jb->task->check, &b))
		found = run_builtin(t, jb, st, &cr);
	else
		found = run_command(t, jb, &cr);
	if (found <= 0)
		return CHECK_DONE;
	msg_note("%s: the check found something", jb->task->name);
	if (jb->task->prompt[0] == '\0') {
		/* no agent: the findings are the alert */
		record_early(t, jb, RUN_OK, NULL, jb->findings, NULL);
		return CHECK_DONE;
	}
	/* a reached budget asks no model, the small one included: budget_gate records it */
	if (jb->task->triage != NULL && !budget_spent_up(t, jb->task) && triage(t, jb) <= 0)
		return CHECK_DONE;
	jb->tier = "agent";
	return CHECK_GO_ON;
}
