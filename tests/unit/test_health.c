/* test_health.c - the readers behind the built-ins: the daily summary is the report's text
 * over the last 24 hours of the log (its rotated file included), and hb-monitor reads a
 * state file and the plan into findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/config.h"
#include "runner/health.h"
#include "state/activity.h"
#include "tasks/heartbeat.h"
#include "tests/unit/unit.h"

#define NOW 1767603600LL	/* 2026-01-05 09:00 UTC */

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A configuration whose log and state are in DIR, times in UTC. */
static int
config_in(struct config *c, const char *dir)
{
	char opt[4200];

	if (config_init(c) != 0)
		return -1;
	snprintf(opt, sizeof opt, "runner.log=%s/log.jsonl", dir);
	config_set_option(c, opt);
	snprintf(opt, sizeof opt, "runner.state=%s/state.json", dir);
	config_set_option(c, opt);
	config_set_option(c, "runner.timezone=UTC");
	config_finish(c);
	return c->nerrors == 0 ? 0 : -1;
}

static void
summary(const char *dir)
{
	struct config c;
	struct activity a;
	char path[4200], err[512], *s = NULL, *want = NULL;

	ROW("daily summary: the last 24 hours, the rotated file first");
	snprintf(path, sizeof path, "%s/log.jsonl.1", dir);
	CHECK_INT(write_file(path,
	    "{\"ts\":1767510000,\"task\":\"old\",\"status\":\"error\"}\n"
	    "{\"ts\":1767520000,\"task\":\"disk\",\"status\":\"error\",\"stderr\":\"full\"}\n"), 0);
	snprintf(path, sizeof path, "%s/log.jsonl", dir);
	CHECK_INT(write_file(path,
	    "{\"ts\":1767600000,\"task\":\"disk\",\"status\":\"ok\",\"reply_verdict\":"
	    "\"delivered\",\"reply\":\"Disk at 91%\",\"input_tokens\":900,\"output_tokens\":9,"
	    "\"cost_usd\":0.002}\n"), 0);
	if (CHECK_INT(config_in(&c, dir), 0)) {
		CHECK_INT(health_summary(&c, (time_t)NOW, &s, err, sizeof err), 0);
		CHECK_HAS(s, "hb-run activity from 2026-01-04 09:00 to 2026-01-05 09:00\n");
		CHECK_HAS(s, "Total: 2 runs (delivered 1, failed 1), 900/9 tokens, $0.0020\n");
		CHECK(s != NULL && strstr(s, "old") == NULL, "a run of 26 hours ago counts");
		/* the same text as the report's over the same window */
		if (CHECK_INT(activity_init(&a, NOW - 86400, NOW, NULL), 0)) {
			CHECK_INT(activity_read(c.log, &a, err, sizeof err), 0);
			want = activity_text(&a);
			CHECK_STR(s, want);
			activity_free(&a);
		}
	}
	config_free(&c);
	free(s);
	free(want);
	ROW_END();
}

static void
monitor(const char *dir)
{
	static const char tasks[] =
	    "tasks:\n"
	    "  - name: flaky\n    interval: 30m\n    prompt: Look.\n"
	    "  - name: fine\n    interval: 30m\n    prompt: Look.\n";
	struct config c;
	struct heartbeat hb;
	char path[4200], err[512], state[2048], *s = NULL;

	ROW("hb-monitor: a task failing in a row and an outbox that does not drain");
	snprintf(state, sizeof state,
	    "{\"flaky\":{\"last_run\":%lld,\"last_status\":\"error\",\"consecutive_errors\":4},"
	    "\"fine\":{\"last_run\":%lld,\"last_status\":\"ok\",\"consecutive_errors\":0},"
	    "\"_outbox\":[{\"id\":\"11111111-2222-4333-8444-555555555555\",\"task\":\"fine\","
	    "\"target\":\"json://user:secret@example.com/hook\",\"text\":\"x\",\"at\":%lld,"
	    "\"tries\":5,\"last_reason\":\"HTTP 502\"}]}", NOW - 60, NOW - 60, NOW - 7200);
	snprintf(path, sizeof path, "%s/state.json", dir);
	CHECK_INT(write_file(path, state), 0);
	CHECK_INT(heartbeat_parse(tasks, sizeof tasks - 1, 1800, &hb), 0);
	if (CHECK_INT(config_in(&c, dir), 0)) {
		CHECK_INT(health_monitor(&c, &hb, (time_t)NOW, 0, &s, err, sizeof err), 0);
		CHECK_STR(s, "flaky: failed 4 times in a row (last: error); in backoff for 14m more\n"
		    "outbox: 1 message waiting, the oldest for 2h (to json://user:***@example.com/"
		    "hook, 5 tries; last: HTTP 502)\n");
		free(s);
		s = NULL;
		/* a higher threshold: the failures alone are no finding yet */
		CHECK_INT(health_monitor(&c, &hb, (time_t)NOW, 5, &s, err, sizeof err), 0);
		CHECK(s != NULL && strstr(s, "flaky") == NULL, "5 in a row: %s", s ? s : "");
	}
	heartbeat_free(&hb);
	config_free(&c);
	free(s);
	ROW_END();
}

void
test_health(void)
{
	char dir[] = "/tmp/hb-unit-health.XXXXXX", path[4200];

	if (!CHECK(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	summary(dir);
	monitor(dir);
	for (const char *const *f = (const char *const[]){ "log.jsonl", "log.jsonl.1",
	    "state.json", NULL }; *f != NULL; f++) {
		snprintf(path, sizeof path, "%s/%s", dir, *f);
		unlink(path);
	}
	rmdir(dir);
}
