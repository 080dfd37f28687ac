/* test_activity.c - the activity model: outcomes from status and verdict (names this
 * version does not know count as other), counting per task, per day and per timeline
 * column inside the window only, outbox events apart from runs, the newest alerts and
 * failures, text made visible, and the summary text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "state/activity.h"
#include "tests/unit/unit.h"

#define T0 1767225600LL		/* 2026-01-01 00:00 UTC */

static void
outcomes(void)
{
	static const struct {
		const char *status, *verdict;
		enum act_outcome want;
	} rows[] = {
		{ "ok", "heartbeat_ok", ACT_OK },
		{ "ok", "empty", ACT_OK },
		{ "ok", "duplicate", ACT_OK },
		{ "ok", NULL, ACT_OK },
		{ "ok", "delivered", ACT_DELIVERED },
		{ "ok", "undelivered", ACT_FAILED },
		{ "error", "delivered", ACT_FAILED },
		{ "error", NULL, ACT_FAILED },
		{ "timeout", NULL, ACT_FAILED },
		{ "interrupted", NULL, ACT_INTERRUPTED },
		{ "clear", NULL, ACT_CLEAR },
		{ "clear", "delivered", ACT_DELIVERED },	/* a check that delivers its findings */
		{ "triaged_out", NULL, ACT_TRIAGED },
		{ "deferred", NULL, ACT_DEFERRED },
		{ "over_budget", NULL, ACT_OVER_BUDGET },
		{ "something_new", NULL, ACT_OTHER },
		{ "", NULL, ACT_OTHER },
		{ NULL, NULL, ACT_OTHER },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		ROW("outcome %s/%s", rows[i].status ? rows[i].status : "(null)",
		    rows[i].verdict ? rows[i].verdict : "(null)");
		CHECK_STR(activity_outcome_name(activity_outcome(rows[i].status, rows[i].verdict)),
		    activity_outcome_name(rows[i].want));
		ROW_END();
	}
}

/* Adds the JSON line S to A. */
static void
add(struct activity *a, const char *s)
{
	cJSON *o = cJSON_Parse(s);

	CHECK(o != NULL, "bad test line %s", s);
	CHECK_INT(activity_add(a, o), 0);
	cJSON_Delete(o);
}

static const struct act_task *
find(const struct activity *a, const char *name)
{
	for (size_t i = 0; i < a->ntasks; i++)
		if (strcmp(a->tasks[i].name, name) == 0)
			return &a->tasks[i];
	return NULL;
}

static void
counting(void)
{
	static const char *const lines[] = {
		/* before the window: not counted */
		"{\"ts\":1767225599,\"task\":\"a\",\"status\":\"error\"}",
		"{\"ts\":1767225600,\"task\":\"a\",\"status\":\"ok\",\"reply_verdict\":\"heartbeat_ok\","
		"\"input_tokens\":100,\"output_tokens\":10,\"cost_usd\":0.5}",
		"{\"ts\":1767229200,\"task\":\"a\",\"status\":\"ok\",\"reply_verdict\":\"delivered\","
		"\"reply\":\"first alert\",\"deliveries\":[{\"target\":\"stdout\","
		"\"result\":\"delivered\"}],\"input_tokens\":200,\"output_tokens\":20,"
		"\"cost_usd\":0.25,\"triage_input_tokens\":7}",
		"{\"ts\":1767315600,\"task\":\"b\",\"status\":\"error\",\"exit\":3,"
		"\"stderr\":\"noise\\nthe real error\\n\"}",
		"{\"ts\":1767315700,\"task\":\"b\",\"status\":\"brand_new\"}",
		"{\"ts\":1767315800,\"task\":\"b\",\"status\":\"clear\"}",
		/* an outbox event: a later delivery, not a run */
		"{\"ts\":1767315900,\"task\":\"a\",\"reason\":\"outbox\",\"status\":\"delivered\","
		"\"tries\":2,\"reply\":\"late alert\"}",
		"{\"ts\":1767316000,\"task\":\"a\",\"reason\":\"outbox\",\"status\":\"failed\","
		"\"tries\":3,\"reply\":\"x\"}",
		/* no time, no task: the first is skipped, the second counts as "?" */
		"{\"task\":\"a\",\"status\":\"ok\"}",
		"{\"ts\":1767316100,\"status\":\"ok\"}",
		/* the last second of the window counts; the next does not */
		"{\"ts\":1767830400,\"task\":\"a\",\"status\":\"timeout\"}",
		"{\"ts\":1767830401,\"task\":\"a\",\"status\":\"ok\"}",
	};
	struct activity a;
	const struct act_task *t;
	const struct act_item *it;

	ROW("counting over a week");
	CHECK_INT(activity_init(&a, T0, T0 + 7 * 86400, NULL), 0);
	for (size_t i = 0; i < NELEM(lines); i++)
		add(&a, lines[i]);
	CHECK_INT(a.ndays, 8);
	CHECK_INT(a.entries, 9);
	CHECK_INT(a.total.runs, 7);
	CHECK_INT(a.total.n[ACT_OK], 2);
	CHECK_INT(a.total.n[ACT_DELIVERED], 1);
	CHECK_INT(a.total.n[ACT_FAILED], 2);
	CHECK_INT(a.total.n[ACT_CLEAR], 1);
	CHECK_INT(a.total.n[ACT_OTHER], 1);
	CHECK_INT(a.total.outbox_sent, 1);
	CHECK_INT(a.total.outbox_failed, 1);
	CHECK_INT(a.total.tokens_in, 307);
	CHECK_INT(a.total.tokens_out, 30);
	CHECK(a.total.cost_usd > 0.7499 && a.total.cost_usd < 0.7501, "cost %f",
	    a.total.cost_usd);
	CHECK_INT(a.ntasks, 3);
	t = find(&a, "a");
	CHECK(t != NULL, "task a");
	if (t != NULL) {
		CHECK_INT(t->c.runs, 3);
		CHECK_INT(t->bins[0][ACT_OK], 1);
		CHECK_INT(t->bins[ACT_BINS - 1][ACT_FAILED], 1);
	}
	CHECK(find(&a, "?") != NULL, "a run without a task counts as ?");
	CHECK_INT(a.days[0].runs, 2);
	CHECK_INT(a.days[1].runs, 4);
	CHECK_INT(a.days[7].runs, 1);
	CHECK_INT(a.alerts.seen, 2);
	it = activity_item(&a.alerts, 0);
	CHECK(it != NULL && it->outbox && strcmp(it->text, "late alert") == 0, "newest alert");
	it = activity_item(&a.alerts, 1);
	CHECK(it != NULL && !it->outbox && strcmp(it->text, "first alert") == 0 &&
	    it->targets != NULL && strcmp(it->targets, "stdout delivered") == 0, "first alert");
	CHECK(activity_item(&a.alerts, 2) == NULL, "two alerts");
	CHECK_INT(a.failures.seen, 2);
	it = activity_item(&a.failures, 1);
	CHECK(it != NULL && it->has_exit && it->exit_code == 3 &&
	    strcmp(it->text, "noise\nthe real error\n") == 0, "failure with stderr");
	activity_free(&a);
	ROW_END();
}

static void
ring(void)
{
	struct activity a;
	char line[200];

	ROW("the newest ACT_LIST_MAX alerts are kept");
	CHECK_INT(activity_init(&a, T0, T0 + 86400, NULL), 0);
	for (int i = 0; i < ACT_LIST_MAX + 7; i++) {
		snprintf(line, sizeof line, "{\"ts\":%lld,\"task\":\"t\",\"status\":\"ok\","
		    "\"reply_verdict\":\"delivered\",\"reply\":\"alert %d\"}", T0 + i, i);
		add(&a, line);
	}
	CHECK_INT(a.alerts.seen, ACT_LIST_MAX + 7);
	CHECK_STR(activity_item(&a.alerts, 0)->text, "alert 56");
	CHECK_STR(activity_item(&a.alerts, ACT_LIST_MAX - 1)->text, "alert 7");
	CHECK(activity_item(&a.alerts, ACT_LIST_MAX) == NULL, "no more");
	activity_free(&a);
	ROW_END();
}

static void
visible(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} rows[] = {
		{ "plain <b>&</b>", 0, "plain <b>&</b>" },
		{ "line\nnext\ttab", 0, "line\nnext\ttab" },
		{ "\x1b[31mred", 0, "\\x1b[31mred" },
		{ "a\0b", 3, "a\\x00b" },
		{ "del\x7f", 0, "del\\x7f" },
		{ "cr\r", 0, "cr\\x0d" },
		{ "evil\xe2\x80\xae" "txt.exe", 0, "evil\\u202etxt.exe" },
		{ "\xe2\x81\xa6iso", 0, "\\u2066iso" },
		{ "zero\xe2\x80\x8bwidth", 0, "zero\\u200bwidth" },
		{ "\xc2\x9b" "2J", 0, "\\u009b2J" },
		{ "bad\xff", 0, "bad\\xff" },
		{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },	/* a surrogate */
		{ "caf\xc3\xa9 \xf0\x9f\x91\x8d", 0, "caf\xc3\xa9 \xf0\x9f\x91\x8d" },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		size_t n = rows[i].len ? rows[i].len : strlen(rows[i].in);
		char *v = activity_visible(rows[i].in, n);

		ROW("visible %s", unit_quoten(rows[i].in, n));
		CHECK_STR(v, rows[i].out);
		ROW_END();
		free(v);
	}
}

static void
text(void)
{
	struct activity a;
	char *s;

	ROW("the summary text");
	CHECK_INT(activity_init(&a, T0, T0 + 86400, NULL), 0);
	add(&a, "{\"ts\":1767229200,\"task\":\"disk\",\"status\":\"ok\",\"reply_verdict\":"
	    "\"delivered\",\"reply\":\"Disk at 91%\\u001b[2J\\nsecond line\",\"input_tokens\":"
	    "1500,\"output_tokens\":12,\"cost_usd\":0.0123}");
	add(&a, "{\"ts\":1767232800,\"task\":\"disk\",\"status\":\"timeout\",\"stderr\":"
	    "\"step 1\\nkilled after 10m\\n\"}");
	s = activity_text(&a);
	CHECK_HAS(s, "hb-run activity from 2026-01-01 00:00 to 2026-01-02 00:00\n");
	CHECK_HAS(s, "Total: 2 runs (delivered 1, failed 1), 1500/12 tokens, $0.0123\n");
	CHECK_HAS(s, "Alerts delivered: 1; failures: 1\n");
	CHECK_HAS(s, "  disk: 2 runs (delivered 1, failed 1), 1500/12 tokens, $0.0123\n");
	CHECK_HAS(s, "  2026-01-01: 2 runs");
	CHECK_HAS(s, "  2026-01-01 02:00  disk  timeout: killed after 10m\n");
	CHECK_HAS(s, "  2026-01-01 01:00  disk: Disk at 91%\\x1b[2J ...\n");
	free(s);
	activity_free(&a);
	ROW_END();
}

/* activity_read skips lines outside the window before parsing them, by the layout log.c
 * writes; a line of another layout is parsed whole. */
static void
reading(void)
{
	static const char lines[] =
	    "{\"time\":\"2025-12-31T00:00:00+00:00\",\"ts\":1767139200,\"task\":\"a\","
	    "\"status\":\"ok\"}\n"
	    "{\"time\":\"2026-01-01T01:00:00+00:00\",\"ts\":1767229200,\"task\":\"a\","
	    "\"status\":\"ok\"}\n"
	    /* a "ts" nested before the real one does not fool the quick look */
	    "{\"x\":{\"ts\":1},\"ts\":1767229300,\"task\":\"b\",\"status\":\"ok\"}\n"
	    "{\"time\":\"\\\",\\\"ts\\\":1\",\"ts\":1767229400,\"task\":\"c\","
	    "\"status\":\"ok\"}\n"
	    "\n"
	    "[1,2]\n"
	    "{\"time\":\"2026-01-01T01:00:00+00:00\",\"ts\":1767229500,\"task\":\"d\","
	    "\"status\":\"ok\"}";	/* the last line without its newline */
	char path[] = "/tmp/hb-unit-activity.XXXXXX", err[256];
	struct activity a;
	int fd = mkstemp(path);

	ROW("activity_read: the quick look at the time, odd lines");
	CHECK(fd >= 0 && write(fd, lines, sizeof lines - 1) == (ssize_t)(sizeof lines - 1),
	    "cannot write %s", path);
	if (fd >= 0)
		close(fd);
	CHECK_INT(activity_init(&a, T0, T0 + 86400, NULL), 0);
	CHECK_INT(activity_read(path, &a, err, sizeof err), 0);
	CHECK_INT(a.total.runs, 4);
	CHECK_INT(a.ntasks, 4);
	CHECK_INT(a.unreadable, 1);
	activity_free(&a);
	unlink(path);
	ROW_END();
}

void
test_activity(void)
{
	outcomes();
	counting();
	ring();
	visible();
	text();
	reading();
}
