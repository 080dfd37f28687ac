/* tick.c - one tick. The plan is made without the lock (a reader always sees a whole state
 * file), so that a tick with nothing due takes no lock and writes nothing. Due tasks are
 * claimed under the lock, run with no lock held, and each result is merged into a freshly
 * loaded state under the lock again. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "runner/budget.h"
#include "runner/claim.h"
#include "runner/context.h"
#include "runner/job.h"
#include "runner/msg.h"
#include "runner/oneshot.h"
#include "runner/outbox.h"
#include "runner/plan.h"
#include "runner/platform.h"
#include "runner/supervise.h"
#include "runner/tick.h"
#include "runner/util.h"
#include "state/log.h"
#include "state/state.h"
#include "state/text.h"

#ifndef HB_TEMPLATEDIR
#define HB_TEMPLATEDIR "/usr/local/share/hb-run/templates"
#endif

#ifndef HB_LIBEXECDIR
#define HB_LIBEXECDIR "/usr/local/libexec/hb-run"
#endif

#define HELPER "hb-run-http"
#define LOCK_FILE TICK_LOCK_FILE

/* SIGTERM, SIGINT or SIGHUP: end the running agents, record them, exit 128 + the signal. */
static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll(2) returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	state_lock_stop_on(&caught);	/* a signal also ends a wait for the lock */
}

/* Finds template NAME: absolute, else in the workspace, else in the installed templates,
 * else in the build tree that holds the executable. */
int
tick_template_path(const char *name, char *out, size_t len)
{
	char exe[PATH_MAX], *slash;

	if (name[0] == '/' || access(name, F_OK) == 0) {
		snprintf(out, len, "%s", name);
		return access(out, F_OK);
	}
	snprintf(out, len, "%s/%s", HB_TEMPLATEDIR, name);
	if (access(out, F_OK) == 0)
		return 0;
	/* A build tree: templates/ beside the executable, or two folders up at most (the
	 * sanitizer and portable builds live in build/asan/ and build/portable/). */
	if (platform_exe_path(exe, sizeof exe) == 0) {
		for (int up = 0; up < 3 && (slash = strrchr(exe, '/')) != NULL; up++) {
			*slash = '\0';
			snprintf(out, len, "%s/templates/%s", exe, name);
			if (access(out, F_OK) == 0)
				return 0;
		}
	}
	snprintf(out, len, "%s", name);
	return -1;
}

int
tick_helper_path(const struct config *cfg, char *out, size_t len)
{
	char exe[PATH_MAX], *slash;

	if (cfg->http_helper != NULL && cfg->http_helper[0] != '\0') {
		snprintf(out, len, "%s", cfg->http_helper);
		return access(out, X_OK);
	}
	if (platform_exe_path(exe, sizeof exe) == 0 && (slash = strrchr(exe, '/')) != NULL) {
		*slash = '\0';
		snprintf(out, len, "%s/" HELPER, exe);
		if (access(out, X_OK) == 0)
			return 0;
	}
	snprintf(out, len, HB_LIBEXECDIR "/" HELPER);
	if (access(out, X_OK) == 0)
		return 0;
	/* A build tree: the sanitizer and portable builds live in build/asan/ and
	 * build/portable/, two folders below the helper. */
	if (platform_exe_path(exe, sizeof exe) == 0) {
		for (int up = 0; up < 3 && (slash = strrchr(exe, '/')) != NULL; up++) {
			*slash = '\0';
			if (up == 0)
				continue;	/* beside hb-run: looked there first */
			snprintf(out, len, "%s/" HELPER, exe);
			if (access(out, X_OK) == 0)
				return 0;
		}
	}
	snprintf(out, len, HELPER " (looked next to hb-run and in " HB_LIBEXECDIR ")");
	return -1;
}

long long
tick_jitter(const char *workspace, long long jitter)
{
	if (jitter <= 0)
		return 0;
	return (long long)(text_hash(TEXT_HASH_START, workspace, strlen(workspace)) %
	    (uint64_t)jitter);
}

/* [runner] jitter: before a tick that has work starts on it, it waits its workspace's
 * fixed delay (see tick_jitter), so that a fleet started at :00 does not reach one API at
 * once. A signal ends the wait. Returns 0, or -1 when a signal came. */
static int
jitter_wait(struct tick *t)
{
	long long d = tick_jitter(t->workspace, t->cfg->jitter);
	long long until;

	if (d <= 0)
		return 0;
	msg_note("jitter: waiting %llds (this workspace's fixed delay within [runner] jitter)",
	    d);
	until = child_now_ms() + d * 1000;
	while (caught == 0 && child_now_ms() < until) {
		long long left = until - child_now_ms();

		poll(NULL, 0, left > 1000 ? 1000 : (int)(left > 0 ? left : 0));
	}
	t->now = time(NULL);	/* the claims re-plan at the time the work starts */
	return caught != 0 ? -1 : 0;
}

#define DEFERRED_KEY "_deferred"	/* since when due tasks wait for a busy machine */

/* The 1-minute load average per core, when it is above [runner] defer_load: then 1 with it
 * in *PER_CORE; else 0. */
static int
busy(const struct config *cfg, double *per_core)
{
	double load[1], limit;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cfg->defer_load == NULL || cfg->defer_load[0] == '\0' || getloadavg(load, 1) != 1)
		return 0;
	limit = strtod(cfg->defer_load, NULL);
	*per_core = load[0] / (double)(cores > 0 ? cores : 1);
	return *per_core > limit;
}

/* The machine is busy: the NJOBS chosen stay due, each logged "deferred". Said once (on
 * standard error), until a tick runs them: the state remembers since when (DEFERRED_KEY).
 * Without DEFER, the tick runs: the mark is forgotten. */
static void
defer(struct tick *t, size_t njobs, int on, double per_core)
{
	struct state *st;
	char err[1024], since[24], when[40], note[200];
	int fd;

	if ((fd = state_lock(t->lock, err, sizeof err)) < 0) {
		msg_fail("%s", err);
		tick_worse(t, 1);
		return;
	}
	if ((st = claim_load_locked(t)) == NULL)
		goto out;
	if (!on) {
		if (state_mark_set(st, DEFERRED_KEY, NULL) != 0 ||
		    state_save(st, t->cfg->state, err, sizeof err) != 0)
			msg_fail("%s", err);
		goto out;
	}
	if (state_mark_get(st, DEFERRED_KEY) == NULL) {
		msg_warn("the load average is %.2f per core, above [runner] defer_load %s: due "
		    "tasks wait until it drops (said once)", per_core, t->cfg->defer_load);
		snprintf(since, sizeof since, "%lld", (long long)t->now);
		if (state_mark_set(st, DEFERRED_KEY, since) != 0 ||
		    state_save(st, t->cfg->state, err, sizeof err) != 0)
			msg_fail("%s", err);
	}
	util_time_iso(t->now, when, sizeof when);
	snprintf(note, sizeof note, "the load average is %.2f per core, above defer_load %s",
	    per_core, t->cfg->defer_load);
	for (size_t i = 0; i < njobs; i++) {
		struct log_entry e = { 0 };

		e.start = (long long)t->now;
		e.time = when;
		e.task = t->jobs[i].task->name;
		e.type = task_type_name(t->jobs[i].task->type);
		e.reason = t->jobs[i].reason;
		e.status = run_status_name(RUN_DEFERRED);
		e.note = note;
		if (log_append(t->cfg->log, &e, err, sizeof err) != 0) {
			msg_fail("%s", err);
			tick_worse(t, 1);
			break;
		}
	}
out:
	state_free(st);
	state_unlock(fd);
}

/* [runner] nice: a tick that runs something lowers its priority, and so that of every
 * check, agent and delivery it starts (never raises it). */
static void
lower_priority(const struct config *cfg)
{
	int cur;

	errno = 0;
	cur = getpriority(PRIO_PROCESS, 0);

	if (cfg->nice > 0 && !(cur == -1 && errno != 0) && cfg->nice > cur &&
	    setpriority(PRIO_PROCESS, 0, (int)cfg->nice) != 0)
		msg_warn("[runner] nice %lld: %s", cfg->nice, strerror(errno));
}

int
tick_run(const struct config *cfg, const struct heartbeat *file_hb, const char *workspace,
    const struct tick_opts *opts, struct state *st)
{
	struct plan_item *items = NULL;
	struct heartbeat ext = *file_hb;	/* HEARTBEAT.md's tasks and the one-shots */
	const struct heartbeat *hb = &ext;
	struct tick t;
	char err[1024];
	size_t n;
	long claimed;
	double per_core = 0;
	int corrupt = 0, first_sight = 0, flush, deferred = 0;

	memset(&t, 0, sizeof t);
	t.cfg = cfg;
	t.hb = hb;
	t.workspace = workspace;
	t.o = opts;
	t.now = time(NULL);
	t.caught = &caught;
	platform_boot_id(t.boot, sizeof t.boot);
	if (state_lock_path(cfg->state, t.lock, sizeof t.lock) != 0)
		snprintf(t.lock, sizeof t.lock, "%s", LOCK_FILE);
	if (!cfg->enabled && opts->nnames == 0) {
		/* [runner] enabled = false: off for ticks, silent; a named task still runs */
		if (opts->dry_run)
			printf("off ([runner] enabled = false): a tick runs nothing\n");
		goto out;
	}

	/* The plan, without the lock: most ticks end here. A corrupt state file is dealt with
	 * under the lock, in claim_jobs(). */
	switch (st != NULL ? 0 : state_load(cfg->state, &st, err, sizeof err)) {
	case 0:
		break;
	case STATE_CORRUPT:
		if (!opts->dry_run) {
			st = state_new();	/* plan on nothing; claim_jobs() sets it right */
			corrupt = 1;
			break;
		}
		/* FALLTHROUGH */
	default:
		msg_error("%s", err);
		t.status = 2;
		goto out;
	}
	if (st == NULL || oneshot_tasks(file_hb, st, &ext) != 0) {
		msg_fail("out of memory");
		t.status = 1;
		goto out;
	}
	items = calloc(hb->ntasks + 1, sizeof *items);
	t.jobs = calloc(hb->ntasks + opts->nnames + 1, sizeof *t.jobs);
	if (items == NULL || t.jobs == NULL) {
		msg_fail("out of memory");
		t.status = 1;
		goto out;
	}
	if (opts->nnames == 0) {
		struct state_pause wp;
		char until[40];

		/* hb-run pause: a tick of a paused workspace does nothing and says nothing (a
		 * task named on the command line still runs). */
		state_pause_get(st, NULL, (long long)t.now, &wp);
		if (wp.paused && opts->dry_run) {
			if (wp.until > 0)
				util_time_iso((time_t)wp.until, until, sizeof until);
			printf("paused until %s: a tick runs nothing (hb-run resume)\n",
			    wp.until > 0 ? until : "resumed");
		}
		if (wp.paused)
			goto out;
	}
	plan_make(hb, st, t.now, t.boot, opts->catchup, cfg->timezone, items);
	plan_session(&t, st);
	if (!opts->dry_run && claim_end_leftovers(&t, items) > 0) {
		plan_make(hb, st, t.now, t.boot, opts->catchup, cfg->timezone, items);
		plan_session(&t, st);
	}
	n = plan_select(&t, items, opts->dry_run || corrupt);
	if (opts->dry_run) {
		size_t queued = outbox_pending(&t, st);

		plan_dry_run(&t, items, n);
		budget_dry_run(&t, st, n);
		if (queued > 0)
			printf("would send %zu queued message%s\n", queued, queued == 1 ? "" : "s");
		goto out;
	}
	/* A busy machine: due tasks wait (a task named on the command line does not). */
	if (n > 0 && opts->nnames == 0 && busy(cfg, &per_core)) {
		defer(&t, n, 1, per_core);
		n = 0;
		deferred = 1;
	} else if (n > 0 && state_mark_get(st, DEFERRED_KEY) != NULL) {
		defer(&t, n, 0, 0);
	}
	/* The outbox: messages to send again, a digest whose quiet hours ended. Empty, it costs
	 * the look at two keys. */
	flush = outbox_due(&t, st);
	if (n == 0) {
		for (size_t i = 0; i < hb->ntasks; i++)
			first_sight |= items[i].needs_baseline;
		if (!first_sight && !corrupt && !flush)
			goto out;	/* the usual tick: nothing to do, nothing written */
	}

	catch_signals();
	if (opts->nnames == 0 && jitter_wait(&t) != 0)
		goto done;
	lower_priority(cfg);
	if (flush)
		outbox_flush(&t);	/* earlier messages first: they keep their order */
	if ((n == 0 && !first_sight && !corrupt) || deferred)
		goto done;		/* only the outbox: no agent starts */
	claimed = claim_jobs(&t, items);
	if (claimed > 0 && caught == 0) {
		platform_subreaper();
		job_run_all(&t, (size_t)claimed);
		child_end_orphans();
	} else if (claimed > 0) {
		char *none = calloc((size_t)claimed, 1);	/* a signal came first */

		if (none != NULL)
			claim_release_unstarted(&t, none, (size_t)claimed);
		free(none);
	}
done:
	if (caught != 0)
		t.status = 128 + caught;
out:
	state_free(st);
	free(items);
	free(t.jobs);
	oneshot_tasks_free(file_hb, &ext);
	return t.status;
}
