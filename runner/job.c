/* job.c - one job from claim to result: the agent template, the prompt file (0600, named by
 * the run id), the agent's environment, the start; then the loop that supervises every
 * running agent, starts the next when one ends, and hands each result to record. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/claim.h"
#include "runner/context.h"
#include "runner/job.h"
#include "runner/msg.h"
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

static void
env_free(char **env)
{
	if (env == NULL)
		return;
	for (size_t i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "HB_", 3) == 0)	/* ours; the rest belong to environ */
			free(env[i]);
	free(env);
}

/* The agent's environment: hb-run's own, minus stale HB_ run variables, plus this run's. */
static char **
job_env(struct tick *t, struct job *jb)
{
	const char *model = jb->task->model ? jb->task->model : t->cfg->model;
	const char *names[] = { "HB_TASK", "HB_TYPE", "HB_PROMPT_FILE", "HB_SESSION_ID",
		"HB_SESSION_NEW", "HB_MODEL", "HB_WORKSPACE", "HB_RUN_ID", "HB_REASON" };
	const char *values[] = { jb->task->name, task_type_name(jb->task->type),
		jb->prompt_path, jb->session, jb->session_new ? "1" : "0", model,
		t->workspace, jb->run_id, jb->reason };
	size_t n = 0, k = 0, nv = sizeof names / sizeof names[0];
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + nv + 1, sizeof *env);
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int ours = 0;

		for (size_t v = 0; v < nv; v++) {
			size_t l = strlen(names[v]);

			ours |= strncmp(environ[i], names[v], l) == 0 && environ[i][l] == '=';
		}
		if (!ours && strncmp(environ[i], "HB_", 3) != 0)
			env[k++] = environ[i];
	}
	for (size_t v = 0; v < nv; v++)
		if ((env[k++] = env_pair(names[v], values[v])) == NULL) {
			env_free(env);
			return NULL;
		}
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
	char *prompt = heartbeat_prompt(t->hb, jb->task);
	size_t len, off = 0;
	int fd;

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
	env_free(jb->env);
	jb->env = NULL;
}

/* Starts job JB; on failure records it as an error at once. Returns 0 if it runs. */
static int
start_job(struct tick *t, struct job *jb)
{
	const char *tpl = jb->task->type == TASK_SYSTEM_EVENT ? t->cfg->system_event :
	    t->cfg->agent_turn;
	long long timeout = jb->task->timeout ? jb->task->timeout : t->cfg->timeout;
	struct child_spec spec;
	char path[PATH_MAX], err[PATH_MAX + 128];
	int fd;

	jb->started = (long long)time(NULL);
	if (tick_template_path(tpl, path, sizeof path) != 0) {
		snprintf(err, sizeof err, "agent template %s not found (looked in the workspace, "
		    HB_TEMPLATEDIR " and next to hb-run)", tpl);
		record_run(t, jb, NULL, err);
		return -1;
	}
	if (trust_check(path, err, sizeof err) != 0) {
		record_run(t, jb, NULL, err);
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
	jb->env = job_env(t, jb);
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
	spec.timeout_ms = timeout > LLONG_MAX / 1000 ? LLONG_MAX : timeout * 1000;
	spec.out_head = CHILD_OUT_HEAD;
	spec.out_tail = CHILD_OUT_TAIL;
	spec.err_head = CHILD_ERR_HEAD;
	spec.err_tail = CHILD_ERR_TAIL;
	msg_note("%s: starting %s (%s)", jb->task->name, path, jb->reason);
	jb->agent = child_start(&spec, err, sizeof err);
	close(fd);
	if (jb->agent == NULL) {
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

	child_finish(jb->agent, &res);
	jb->agent = NULL;
	if (jb->task->type == TASK_SYSTEM_EVENT && !res.exec_failed)
		t->session_used = 1;
	if (res.duration_ms >= 0)
		msg_note("%s: finished in %lld ms", jb->task->name, res.duration_ms);
	record_run(t, jb, &res, NULL);
	child_result_free(&res);
	job_cleanup(jb);
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

void
job_run_all(struct tick *t, size_t njobs)
{
	size_t max = (size_t)t->cfg->max_concurrent, nrun = 0, left = njobs;
	struct child **agents = calloc(max, sizeof *agents);
	struct job **running = calloc(max, sizeof *running);
	long long stagger = t->o->catchup ? t->cfg->catchup_stagger * 1000 : 0;
	long long next_start = 0;
	char *started = calloc(njobs + 1, 1);
	int stopping = 0;

	if (agents == NULL || running == NULL || started == NULL) {
		msg_fail("out of memory");
		tick_worse(t, 1);
		goto out;
	}
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
			agents[nrun] = t->jobs[j].agent;
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
	free(agents);
	free(running);
	free(started);
}
