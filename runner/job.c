/* job.c - one job from claim to result: the agent's program (its template, or the HTTP
 * helper), the prompt file (0600, named by the run id), the environment, the start; then the
 * loop that supervises every running agent, starts the next when one ends, and hands each
 * result to record. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "runner/budget.h"
#include "runner/check.h"
#include "runner/claim.h"
#include "runner/context.h"
#include "runner/job.h"
#include "runner/msg.h"
#include "runner/ping.h"
#include "runner/record.h"
#include "runner/supervise.h"
#include "runner/tick.h"
#include "runner/trust.h"
#include "runner/util.h"

#ifndef HB_TEMPLATEDIR
#define HB_TEMPLATEDIR "/usr/local/share/hb-run/templates"
#endif

extern char **environ;

/* The prompt file of run RUN_ID: $TMPDIR/hb-run-prompt-RUN_ID (malloc'd), or NULL. */
char *
job_prompt_path(const char *run_id)
{
	const char *tmp = getenv("TMPDIR");
	char *p = NULL;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	return asprintf(&p, "%s/hb-run-prompt-%s", tmp, run_id) < 0 ? NULL : p;
}

static char *
env_pair(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

/* Frees ENV: its strings from env[OURS] on are ours, the rest belong to environ. */
static void
env_free(char **env, size_t ours)
{
	if (env == NULL)
		return;
	for (size_t i = ours; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/* The variables a run gets, beyond hb-run's own environment. */
struct env_list {
	const char *name[48];
	char value[48][PATH_MAX];
	size_t n;
};

static void __attribute__((format(printf, 3, 4)))
env_add(struct env_list *l, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= sizeof l->name / sizeof l->name[0])
		return;
	l->name[l->n] = name;
	va_start(ap, fmt);
	vsnprintf(l->value[l->n], sizeof l->value[l->n], fmt, ap);
	va_end(ap);
	l->n++;
}

/* Milliseconds of the wall clock. */
static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An HTTP agent's settings, for the helper (see hb-run(1), HTTP AGENTS). TIMEOUT_MS is the
 * run's; the helper must have given up retrying a little before it ends. */
static void
http_env(const struct job *jb, const char *model, long long timeout_ms, struct env_list *l)
{
	const struct agent *a = jb->agent;
	long long margin = timeout_ms / 10 < 5000 ? timeout_ms / 10 : 5000, now = wall_ms();
	env_add(l, "HB_HTTP_API", "%s", a->api ? a->api : "");
	env_add(l, "HB_HTTP_URL", "%s", a->url ? a->url : "");
	env_add(l, "HB_HTTP_MODEL", "%s", model);
	env_add(l, "HB_HTTP_KEY_ENV", "%s", a->key_env ? a->key_env : "");
	env_add(l, "HB_HTTP_KEY_FILE", "%s", a->key_file ? a->key_file : "");
	env_add(l, "HB_HTTP_CA_FILE", "%s", a->ca_file ? a->ca_file : "");
	env_add(l, "HB_HTTP_SYSTEM_PROMPT", "%s", a->system_prompt ? a->system_prompt : "");
	env_add(l, "HB_HTTP_MAX_TOKENS", "%lld", a->max_tokens);
	env_add(l, "HB_HTTP_TEMPERATURE", "%s", a->temperature ? a->temperature : "");
	env_add(l, "HB_HTTP_STALL_TIMEOUT", "%lld", a->stall_timeout);
	env_add(l, "HB_HTTP_DEADLINE", "%lld", timeout_ms >= LLONG_MAX - now ? LLONG_MAX :
	    now + timeout_ms - margin);
	env_add(l, "HB_HTTP_PRICE_IN", "%.10g", a->price_in);
	env_add(l, "HB_HTTP_PRICE_OUT", "%.10g", a->price_out);
	env_add(l, "HB_HTTP_TRANSCRIPT", "%s", jb->transcript ? jb->transcript : "");
	/* the prompt starts with the task's own; the transcript keeps only that part */
	env_add(l, "HB_HTTP_TURN_LEN", "%zu", jb->transcript ? strlen(jb->task->prompt) : 0);
}

/* The agent's environment: hb-run's own, minus every HB_ variable (stale run variables, our
 * configuration), plus this run's. The variable an HTTP agent's key_env names is kept even
 * when it starts with HB_. */
static char **
job_env(struct tick *t, struct job *jb, long long timeout_ms)
{
	const struct agent *a = jb->agent;
	const char *model = jb->task->model ? jb->task->model : a->model ? a->model : "";
	const char *keep = a->kind == AGENT_HTTP && a->key_env && *a->key_env ? a->key_env : NULL;
	struct env_list *l = calloc(1, sizeof *l);
	size_t n = 0, k = 0;
	char **env = NULL;

	if (l == NULL)
		return NULL;
	env_add(l, "HB_TASK", "%s", jb->task->name);
	env_add(l, "HB_TYPE", "%s", task_type_name(jb->asking ? TASK_AGENT_TURN : jb->task->type));
	env_add(l, "HB_PROMPT_FILE", "%s", jb->prompt_path);
	env_add(l, "HB_SESSION_ID", "%s", jb->session);
	env_add(l, "HB_SESSION_NEW", "%s", jb->session_new ? "1" : "0");
	env_add(l, "HB_MODEL", "%s", model);
	env_add(l, "HB_WORKSPACE", "%s", t->workspace);
	/* the files this tick uses, however it was configured (-c, -o, HB_RUNNER_*): an
	 * hb-run the agent starts (schedule, status) works on the same ones */
	env_add(l, "HB_RUNNER_TASKS", "%s", t->cfg->tasks);
	env_add(l, "HB_RUNNER_STATE", "%s", t->cfg->state);
	env_add(l, "HB_RUNNER_LOG", "%s", t->cfg->log);
	env_add(l, "HB_RUN_ID", "%s", jb->run_id);
	env_add(l, "HB_REASON", "%s", jb->reason);
	env_add(l, "HB_AGENT", "%s", a->name);
	env_add(l, "HB_DANGEROUS", "%s", jb->task->dangerous ? "1" : "0");
	env_add(l, "HB_AGENT_SESSION", "%s", jb->agent_session);
	if (jb->nmembers > 0) {		/* a batch: its tasks' names, space-separated */
		char names[PATH_MAX];
		size_t off = 0;

		names[0] = '\0';
		for (size_t i = 0; i < jb->nmembers && off < sizeof names; i++)
			off += (size_t)snprintf(names + off, sizeof names - off, "%s%s",
			    i ? " " : "", jb->members[i].task->name);
		env_add(l, "HB_BATCH", "%s", names);
	}
	if (a->kind == AGENT_HTTP)
		http_env(jb, model, timeout_ms, l);
	while (environ[n] != NULL)
		n++;
	env = calloc(n + l->n + 1, sizeof *env);
	if (env == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		size_t kl = keep ? strlen(keep) : 0;

		if (strncmp(environ[i], "HB_", 3) != 0 ||
		    (keep && strncmp(environ[i], keep, kl) == 0 && environ[i][kl] == '='))
			env[k++] = environ[i];
	}
	jb->env_ours = k;
	for (size_t v = 0; v < l->n; v++)
		if ((env[k++] = env_pair(l->name[v], l->value[v])) == NULL) {
			env_free(env, jb->env_ours);
			env = NULL;
			goto out;
		}
out:
	free(l);
	return env;
}

/* FD was opened write-only; the agent reads its standard input from the same file, so hand
 * back a descriptor that can do both. Returns it, or -1. */
static int
reopen_read(int fd, const char *path)
{
	int rw = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);

	close(fd);
	return rw;
}

/* Writes the prompt to a fresh 0600 file; returns its descriptor (at offset 0) or -1. */
static int
prompt_file(struct tick *t, struct job *jb, char *err, size_t errlen)
{
	char *prompt = jb->prompt_text ? strdup(jb->prompt_text) : heartbeat_prompt(t->hb,
	    jb->task);
	size_t len, off = 0;
	int fd;

	if (prompt != NULL && jb->findings != NULL && !jb->asking) {
		char *with = NULL;

		if (asprintf(&with, "%s\n\n" JOB_FINDINGS_HEADER "\n\n%s", prompt,
		    jb->findings) < 0)
			with = NULL;
		free(prompt);
		prompt = with;
	}

	if (prompt == NULL || (jb->prompt_path = job_prompt_path(jb->run_id)) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(prompt);
		return -1;
	}
	/* Named by the run id, so that the tick that finds this run's claim dead can remove
	 * it; the id is random, and O_EXCL | O_NOFOLLOW refuse anything planted there. */
	fd = open(jb->prompt_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && (fd = reopen_read(fd, jb->prompt_path)) < 0) {
		snprintf(err, errlen, "%s: %s", jb->prompt_path, strerror(errno));
		unlink(jb->prompt_path);
		free(jb->prompt_path);
		jb->prompt_path = NULL;
		free(prompt);
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", jb->prompt_path, strerror(errno));
		free(jb->prompt_path);
		jb->prompt_path = NULL;
		free(prompt);
		return -1;
	}
	len = strlen(prompt);
	while (off < len) {
		ssize_t w = write(fd, prompt + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	free(prompt);
	if (off < len || lseek(fd, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: %s", jb->prompt_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Removes the prompt file and frees what the run of JB held. */
static void
job_cleanup(struct job *jb)
{
	if (jb->prompt_path != NULL) {
		unlink(jb->prompt_path);
		free(jb->prompt_path);
		jb->prompt_path = NULL;
	}
	env_free(jb->env, jb->env_ours);
	jb->env = NULL;
	free(jb->transcript);
	jb->transcript = NULL;
}

/* The transcript of an HTTP agent's systemEvent session: .heartbeat-sessions/ID.jsonl in
 * the workspace, in a folder only the user may enter, created 0600 when missing, so that the
 * helper finds it private. Returns 0, or -1 with ERR set. */
static int
transcript(struct tick *t, struct job *jb, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat sb;
	int fd;

	snprintf(dir, sizeof dir, "%s/" JOB_SESSIONS_DIR, t->workspace);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a folder", dir);
		return -1;
	}
	if ((sb.st_mode & 077) != 0 && sb.st_uid == geteuid() && chmod(dir, 0700) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (asprintf(&jb->transcript, "%s/%s.jsonl", dir, jb->session) < 0) {
		jb->transcript = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = open(jb->transcript, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", jb->transcript, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* The program that runs JB: its agent's template for the task's type, or the helper for an
 * HTTP agent. Returns 0 with its path in PATH, or -1 with ERR set. */
static int
program(struct tick *t, struct job *jb, char *path, size_t len, char *err, size_t errlen)
{
	const struct agent *a = jb->agent;
	const char *tpl = jb->task->type == TASK_SYSTEM_EVENT && !jb->asking ? a->system_event :
	    a->agent_turn;

	if (a->kind == AGENT_HTTP) {
		jb->output = OUTPUT_HB_JSON;
		if (tick_helper_path(t->cfg, path, len) != 0) {
			snprintf(err, errlen, "agent %s: the HTTP helper %s is missing", a->name,
			    path);
			return -1;
		}
		return 0;
	}
	jb->output = config_agent_output(a, tpl);
	if (tick_template_path(tpl, path, len) != 0) {
		snprintf(err, errlen, "agent template %s not found (looked in the workspace, "
		    HB_TEMPLATEDIR " and next to hb-run)", tpl);
		return -1;
	}
	return 0;
}

/* Starts job JB; on failure records it as an error at once. Returns 0 if it runs. */
static int
start_job(struct tick *t, struct job *jb)
{
	long long timeout = jb->task->timeout ? jb->task->timeout : t->cfg->timeout;
	long long timeout_ms = timeout > LLONG_MAX / 1000 ? LLONG_MAX : timeout * 1000;
	struct child_spec spec;
	char path[PATH_MAX + 64], err[PATH_MAX + 256];
	int fd;

	/* a daily budget reached: no agent starts (recorded, said once a day) */
	if (budget_gate(t, jb) != 0)
		return -1;
	/* the start ping: bounded by its timeout, and only for a run that starts now */
	if (!jb->start_pinged)
		ping_send(t, jb, PING_START, 0, NULL, 0);
	if (jb->started == 0)
		jb->started = (long long)time(NULL);
	if (program(t, jb, path, sizeof path, err, sizeof err) != 0 ||
	    trust_check(path, err, sizeof err) != 0) {
		record_run(t, jb, NULL, err);
		return -1;
	}
	if (jb->agent->kind == AGENT_HTTP && jb->task->type == TASK_SYSTEM_EVENT &&
	    transcript(t, jb, err, sizeof err) != 0) {
		record_run(t, jb, NULL, err);
		job_cleanup(jb);
		return -1;
	}
	fd = prompt_file(t, jb, err, sizeof err);
	if (fd < 0) {
		record_run(t, jb, NULL, err);
		job_cleanup(jb);
		return -1;
	}
	/* systemEvent runs take turns (may_start): once one has run, the session exists. */
	if (jb->task->type == TASK_SYSTEM_EVENT && t->session_used)
		jb->session_new = 0;
	jb->env = job_env(t, jb, timeout_ms);
	if (jb->env == NULL) {
		close(fd);
		record_run(t, jb, NULL, "out of memory");
		job_cleanup(jb);
		return -1;
	}
	memset(&spec, 0, sizeof spec);
	spec.path = path;
	spec.env = jb->env;
	spec.stdin_fd = fd;
	spec.timeout_ms = timeout_ms;
	spec.out_head = CHILD_OUT_HEAD;
	spec.out_tail = CHILD_OUT_TAIL;
	spec.err_head = CHILD_ERR_HEAD;
	spec.err_tail = CHILD_ERR_TAIL;
	msg_note("%s: starting %s (%s, agent %s)", jb->task->name, path, jb->reason,
	    jb->agent->name);
	if (jb->task->dangerous)
		msg_note("%s: dangerous: agent %s runs it in its unattended permission mode "
		    "(HB_DANGEROUS=1)", jb->task->name, jb->agent->name);
	jb->child = child_start(&spec, err, sizeof err);
	close(fd);
	if (jb->child == NULL) {
		record_run(t, jb, NULL, err);
		job_cleanup(jb);
		return -1;
	}
	claim_group(t, jb);
	return 0;
}

static void
finish_job(struct tick *t, struct job *jb)
{
	struct child_result res;

	child_finish(jb->child, &res);
	jb->child = NULL;
	if (jb->task->type == TASK_SYSTEM_EVENT && !res.exec_failed)
		t->session_used = 1;
	if (res.duration_ms >= 0)
		msg_note("%s: finished in %lld ms", jb->task->name, res.duration_ms);
	record_run(t, jb, &res, NULL);
	child_result_free(&res);
	job_cleanup(jb);
}

void
job_wait(struct tick *t, struct child *c, struct child_result *res)
{
	int ended = 0;

	for (;;) {
		if (*t->caught != 0 && !ended) {
			child_terminate(&c, 1);
			ended = 1;
		}
		if (child_wait(&c, 1, -1) == 0)
			break;
	}
	child_finish(c, res);
}

int
job_ask(struct tick *t, const struct job *jb, const struct agent *a, const char *prompt,
    struct child_result *res, enum output_format *format, char *err, size_t errlen)
{
	long long timeout = jb->task->timeout ? jb->task->timeout : t->cfg->timeout;
	long long timeout_ms = timeout > LLONG_MAX / 1000 ? LLONG_MAX : timeout * 1000;
	struct child_spec spec;
	struct child *c;
	struct job q = *jb;
	char path[PATH_MAX + 64];
	int fd, r = -1;

	q.agent = a;
	q.asking = 1;
	q.prompt_text = prompt;
	q.findings = NULL;
	q.prompt_path = NULL;
	q.env = NULL;
	q.transcript = NULL;
	q.session_new = 1;
	q.agent_session[0] = '\0';
	if (util_uuid(q.session) != 0 || util_uuid(q.run_id) != 0) {
		snprintf(err, errlen, "no randomness for a run id");
		return -1;
	}
	if (program(t, &q, path, sizeof path, err, errlen) != 0 ||
	    trust_check(path, err, errlen) != 0)
		return -1;
	if ((fd = prompt_file(t, &q, err, errlen)) < 0)
		goto out;
	if ((q.env = job_env(t, &q, timeout_ms)) == NULL) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memset(&spec, 0, sizeof spec);
	spec.path = path;
	spec.env = q.env;
	spec.stdin_fd = fd;
	spec.timeout_ms = timeout_ms;
	spec.out_head = CHILD_OUT_HEAD;
	spec.out_tail = CHILD_OUT_TAIL;
	spec.err_head = CHILD_ERR_HEAD;
	spec.err_tail = CHILD_ERR_TAIL;
	msg_note("%s: asking %s (triage agent %s)", jb->task->name, path, a->name);
	c = child_start(&spec, err, errlen);
	close(fd);
	if (c == NULL)
		goto out;
	job_wait(t, c, res);
	*format = q.output;
	r = 0;
out:
	job_cleanup(&q);
	return r;
}

/* Two systemEvent runs would share the main session: they take turns. */
static int
may_start(const struct tick *t, const struct job *jb, struct job **running, size_t nrun)
{
	(void)t;
	if (jb->task->type != TASK_SYSTEM_EVENT)
		return 1;
	for (size_t i = 0; i < nrun; i++)
		if (running[i]->task->type == TASK_SYSTEM_EVENT)
			return 0;
	return 1;
}

/* May JB join a batch? An agentTurn task without a budget: or ping: of its own: their
 * figures and pings are the task's alone. */
static int
batchable(const struct job *jb)
{
	return jb->nmembers == 0 && jb->task->type == TASK_AGENT_TURN &&
	    !jb->task->has_budget && jb->task->ping == NULL && jb->task->check == NULL;
}

/* Can one agent turn run A and B: the same agent, model and permission mode? */
static int
same_turn(const struct job *a, const struct job *b)
{
	const char *ma = a->task->model ? a->task->model : "";
	const char *mb = b->task->model ? b->task->model : "";

	return batchable(a) && batchable(b) && a->agent == b->agent && strcmp(ma, mb) == 0 &&
	    a->task->dangerous == b->task->dangerous;
}

/* Do tasks A and B deliver to the same targets (both the default ones, or the same list)? */
static int
same_targets(const struct task *a, const struct task *b)
{
	if (a->nnotify != b->nnotify)
		return 0;
	for (size_t i = 0; i < a->nnotify; i++)
		if (strcmp(a->notify[i], b->notify[i]) != 0)
			return 0;
	return 1;
}

static void
batch_task_free(struct task *bt)
{
	if (bt == NULL)
		return;
	free(bt->name);
	free(bt->prompt);
	free(bt->title);
	free(bt);
}

/* The task that stands for the N jobs of M in one turn: named "_batch.AGENT", titled
 * "batch: a, b, c" (the header of its delivery); its prompt holds each task's; the longest
 * timeout, the highest priority; the tasks' targets when they all share them, else the
 * default ones. Returns it (free with batch_task_free), or NULL. */
static struct task *
batch_task(const struct job *m, size_t n, long long dflt_timeout)
{
	struct task *bt = calloc(1, sizeof *bt);
	const struct task **tasks = calloc(n, sizeof *tasks);
	size_t len = 0;
	FILE *f = NULL;
	int shared = 1;

	if (bt == NULL || tasks == NULL || asprintf(&bt->name, "_batch.%s", m[0].agent->name) < 0 ||
	    (f = open_memstream(&bt->title, &len)) == NULL)
		goto fail;
	fputs("batch:", f);
	for (size_t i = 0; i < n; i++) {
		const struct task *k = m[i].task;
		long long to = k->timeout ? k->timeout : dflt_timeout;

		tasks[i] = k;
		fprintf(f, "%s %s", i ? "," : "", k->name);
		bt->timeout = to > bt->timeout ? to : bt->timeout;
		bt->priority = k->priority > bt->priority ? k->priority : bt->priority;
		shared &= same_targets(k, m[0].task);
	}
	if (fclose(f) != 0 || (bt->prompt = heartbeat_batch_text(tasks, n)) == NULL) {
		f = NULL;
		goto fail;
	}
	bt->type = TASK_AGENT_TURN;
	bt->enabled = 1;
	bt->model = m[0].task->model;		/* borrowed, as the fields below */
	bt->agent = m[0].task->agent;
	bt->dangerous = m[0].task->dangerous;
	if (shared) {
		bt->notify = m[0].task->notify;
		bt->nnotify = m[0].task->nnotify;
	}
	free(tasks);
	return bt;
fail:
	if (f != NULL)
		fclose(f);
	free(tasks);
	batch_task_free(bt);
	return NULL;
}

/* [runner] batch: the due agentTurn tasks that one turn can run (same_turn) become one job
 * each group, in the place of the group's first; the others leave t->jobs. Manual runs and
 * --catchup run each task on its own. Returns the new number of jobs. */
static size_t
batch_form(struct tick *t, size_t njobs)
{
	if (!t->cfg->batch || t->o->catchup || t->o->nnames > 0)
		return njobs;
	for (size_t i = 0; i < njobs; i++) {
		struct job b, *m;
		size_t n = 0, k = i + 1;

		for (size_t j = i; j < njobs; j++)
			n += same_turn(&t->jobs[i], &t->jobs[j]);
		if (n < 2 || (m = calloc(n, sizeof *m)) == NULL)
			continue;	/* out of memory: they run one by one */
		n = 0;
		for (size_t j = i; j < njobs; j++)
			if (same_turn(&t->jobs[i], &t->jobs[j]))
				m[n++] = t->jobs[j];
		memset(&b, 0, sizeof b);
		if ((b.own_task = batch_task(m, n, t->cfg->timeout)) == NULL) {
			free(m);
			continue;
		}
		b.task = b.own_task;
		b.agent = m[0].agent;
		b.reason = m[0].reason;
		memcpy(b.run_id, m[0].run_id, sizeof b.run_id);	/* its claim names it */
		memcpy(b.session, m[0].session, sizeof b.session);
		b.session_new = m[0].session_new;
		b.members = m;
		b.nmembers = n;
		for (size_t j = i + 1; j < njobs; j++)
			if (!same_turn(&m[0], &t->jobs[j]))
				t->jobs[k++] = t->jobs[j];
		njobs = k;
		t->jobs[i] = b;
		msg_note("%s: one turn of agent %s for %zu tasks", b.task->title, b.agent->name, n);
	}
	return njobs;
}

void
job_run_all(struct tick *t, size_t njobs)
{
	size_t max = (size_t)t->cfg->max_concurrent, nrun = 0, left;
	struct child **agents = calloc(max, sizeof *agents);
	struct job **running = calloc(max, sizeof *running);
	long long stagger = t->o->catchup ? t->cfg->catchup_stagger * 1000 : 0;
	long long next_start = 0;
	char *started;
	struct state *snaps = NULL;
	int stopping = 0;

	left = njobs = batch_form(t, njobs);
	started = calloc(njobs + 1, 1);

	if (agents == NULL || running == NULL || started == NULL) {
		msg_fail("out of memory");
		tick_worse(t, 1);
		goto out;
	}
	/* The cheap tiers first, one task at a time: a check (and its triage) that settles
	 * the run records it here, and its agent never starts. */
	for (size_t j = 0; j < njobs && !stopping; j++) {
		char err[1024];

		if (t->jobs[j].task->check == NULL)
			continue;
		if (*t->caught != 0) {
			stopping = 1;
			claim_release_unstarted(t, started, njobs);
			break;
		}
		/* the snapshots: the state as it is now, read once (no lock: a reader always
		 * sees a whole file, and only this run writes its task's snapshot) */
		if (snaps == NULL && state_load(t->cfg->state, &snaps, err, sizeof err) != 0)
			snaps = NULL;
		if (check_stage(t, &t->jobs[j], snaps) != CHECK_GO_ON) {
			started[j] = 1;
			left--;
		}
	}
	state_free(snaps);
	snaps = NULL;
	record_flush(t, njobs);
	while ((left > 0 && !stopping) || nrun > 0) {
		long long now = child_now_ms(), wait = -1;
		int idx;

		if (*t->caught != 0 && !stopping) {
			stopping = 1;
			child_terminate(agents, nrun);
			claim_release_unstarted(t, started, njobs);
		}
		for (size_t j = 0; j < njobs && !stopping && nrun < max && now >= next_start; j++) {
			if (started[j] || !may_start(t, &t->jobs[j], running, nrun))
				continue;
			started[j] = 1;
			left--;
			if (start_job(t, &t->jobs[j]) != 0)
				continue;
			agents[nrun] = t->jobs[j].child;
			running[nrun++] = &t->jobs[j];
			if (stagger > 0) {
				next_start = now + stagger;
				break;
			}
		}
		if (left > 0 && !stopping && nrun < max && next_start > now)
			wait = next_start - now;
		if (nrun == 0) {
			if (wait > 0)
				poll(NULL, 0, child_poll_ms(wait));
			continue;
		}
		idx = child_wait(agents, nrun, wait);
		if (idx < 0)
			continue;
		finish_job(t, running[idx]);
		agents[idx] = agents[nrun - 1];
		running[idx] = running[nrun - 1];
		nrun--;
	}
out:
	/* what a batch and the checks left on the jobs (a signal gave unstarted claims back) */
	for (size_t j = 0; j < njobs; j++) {
		batch_task_free(t->jobs[j].own_task);
		free(t->jobs[j].members);
		free(t->jobs[j].findings);
		t->jobs[j].findings = NULL;
		cJSON_Delete(t->jobs[j].check_snap);
		t->jobs[j].check_snap = NULL;
	}
	free(agents);
	free(running);
	free(started);
}
