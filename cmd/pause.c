/* pause.c - hb-run pause [task ...] [--for duration] and hb-run resume [task ...]: a pause of
 * the workspace or of some tasks, kept in the state file (under the lock) until resumed or for
 * a while. A tick leaves a paused task alone (it stays due); a paused workspace's tick does
 * nothing and says nothing. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "runner/msg.h"
#include "runner/tick.h"
#include "runner/util.h"
#include "state/state.h"
#include "tasks/duration.h"

/* "until 2026-01-05T11:00:00+00:00", or "until resumed". */
static void
until_text(long long until, char *buf, size_t len)
{
	char when[40];

	if (until <= 0) {
		snprintf(buf, len, "until resumed");
		return;
	}
	util_time_iso((time_t)until, when, sizeof when);
	snprintf(buf, len, "until %s", when);
}

/* Pauses (PAUSE) or resumes the tasks NAMES (none: the workspace), under the lock. */
static int
pause_change(const struct config *cfg, const struct heartbeat *hb, char **names, size_t n,
    int pause, long long secs)
{
	struct state *st = NULL;
	char err[1024], lock[PATH_MAX], until_s[64];
	long long now = (long long)time(NULL), until = secs > 0 ? now + secs : 0;
	int fd, ret = 2, r, *was = NULL;

	for (size_t i = 0; i < n; i++)
		if (heartbeat_find(hb, names[i]) == NULL) {
			msg(MSG_ERROR, cfg->tasks, 0, "no task named '%s'", names[i]);
			return 2;
		}
	was = calloc(n + 1, sizeof *was);
	if (was == NULL) {
		msg_fail("out of memory");
		return 1;
	}
	if (state_lock_path(cfg->state, lock, sizeof lock) != 0)
		snprintf(lock, sizeof lock, "%s", TICK_LOCK_FILE);
	fd = state_lock(lock, err, sizeof err);
	if (fd < 0) {
		msg_error("%s", err);
		free(was);
		return 2;
	}
	/* A corrupt file is left for a tick to move aside: no pause is worth losing it. */
	if ((r = state_load(cfg->state, &st, err, sizeof err)) != 0) {
		msg_error("%s", err);
		goto out;
	}
	for (size_t i = 0; i < (n ? n : 1); i++) {
		const char *name = n ? names[i] : NULL;
		struct state_pause p;

		state_pause_get(st, name, now, &p);
		was[i] = p.paused;
		if (pause ? state_pause_set(st, name, now, until) != 0 :
		    state_pause_clear(st, name) < 0) {
			msg_fail("out of memory");
			ret = 1;
			goto out;
		}
	}
	if (state_save(st, cfg->state, err, sizeof err) != 0) {
		msg_fail("%s", err);
		ret = 1;
		goto out;
	}
	until_text(until, until_s, sizeof until_s);
	for (size_t i = 0; i < (n ? n : 1); i++) {
		const char *what = n ? names[i] : "the workspace";

		if (pause)
			printf("paused %s %s%s\n", what, until_s,
			    n ? "" : ": ticks run nothing (hb-run resume)");
		else if (was[i])
			printf("resumed %s\n", what);
		else
			printf("%s was not paused\n", what);
	}
	ret = 0;
out:
	state_free(st);
	state_unlock(fd);
	free(was);
	return ret;
}

static int
pause_main(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv,
    int pause)
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	long long secs = 0;
	const char *why;
	int ch;

	optind = 0;	/* 0: glibc starts afresh, permuting options to the front */
	while ((ch = getopt_long(argc, argv, "", pause ? opts : opts + 1, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (duration_parse(optarg, &secs, &why) != 0) {
				msg_error("pause: --for %s: %s", optarg, why);
				return 2;
			}
			break;
		default:
			return CMD_USAGE;
		}
	}
	return pause_change(cfg, hb, argv + optind, (size_t)(argc - optind), pause, secs);
}

int
cmd_pause(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv)
{
	return pause_main(cfg, hb, argc, argv, 1);
}

int
cmd_resume(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv)
{
	return pause_main(cfg, hb, argc, argv, 0);
}
