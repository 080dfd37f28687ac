/* test_state.c - what the state file's reader believes: Unix times in seconds or in
 * milliseconds (state_seconds), and ids taken from the file only when they are UUIDs
 * (state_is_uuid); a run's usage (the last run's, and the totals); the agent sessions kept
 * in the main session. */
#include <stdio.h>
#include <string.h>

#include "state/state.h"
#include "tests/unit/unit.h"

static const struct {
	double v;
	int ok;
	long long secs;
} seconds_rows[] = {
	{ 1712847600, 0, 1712847600 },		/* seconds, 10 digits */
	{ 1712847600000.0, 0, 1712847600 },	/* milliseconds, 13 digits */
	{ 1712847600999.0, 0, 1712847600 },	/* milliseconds: the fraction goes */
	{ 99999999999.0, 0, 99999999999 },	/* 11 digits: still seconds (the year 5138) */
	{ 100000000000.0, 0, 100000000 },	/* 12 digits: milliseconds (1973) */
	{ 0, 0, 0 },
	{ 86400.5, 0, 86400 },
	{ -1712847600000.0, 0, -1712847600 },
	{ 9007199254740992.0, 0, 9007199254740 },
	{ 9007199254740994.0, -1, 0 },		/* beyond 2^53: not a time */
	{ 1e300, -1, 0 },
};

static const struct {
	const char *s;
	int ok;
} uuid_rows[] = {
	{ "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", 1 },
	{ "00000000-0000-0000-0000-000000000000", 1 },
	{ "../x", 0 },
	{ "", 0 },
	{ "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4", 0 },	/* short */
	{ "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d0", 0 },	/* long */
	{ "0B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D", 0 },	/* hb-run writes lower case */
	{ "0b1c2d3e/4f50-4a6b-8c7d-9e0f1a2b3c4d", 0 },
	{ "../../../../../../../../../../etc/pa", 0 },	/* 36 characters */
	{ "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c/.", 0 },
};

/* Runs recorded one after another, and what the task's state reads after each. */
static const struct {
	long long in, out;
	double cost;
	long long last_in, last_out, total_in, total_out;
	double last_cost, total_cost;
} usage_rows[] = {
	{ 100, 10, 0.5, 100, 10, 100, 10, 0.5, 0.5 },
	{ 200, 20, -1, 200, 20, 300, 30, -1, 0.5 },	/* no cost said: none is last */
	{ -1, -1, -1, -1, -1, 300, 30, -1, 0.5 },	/* no usage at all */
	{ 0, 5, 0.25, 0, 5, 300, 35, 0.25, 0.75 },
};

static void
test_usage(void)
{
	struct state *st = state_new();
	struct task_state ts;

	if (!CHECK(st != NULL, "state_new"))
		return;
	for (size_t i = 0; i < NELEM(usage_rows); i++) {
		struct run_record r = { .tick_start = 1000 + (long long)i, .status = RUN_OK,
					.input_tokens = usage_rows[i].in,
					.output_tokens = usage_rows[i].out,
					.cost_usd = usage_rows[i].cost };

		ROW("usage: run %zu", i + 1);
		CHECK_INT(state_task_record(st, "t", &r), 0);
		state_task_get(st, "t", &ts);
		CHECK_INT(ts.last_input_tokens, usage_rows[i].last_in);
		CHECK_INT(ts.last_output_tokens, usage_rows[i].last_out);
		CHECK_INT(ts.tokens_in, usage_rows[i].total_in);
		CHECK_INT(ts.tokens_out, usage_rows[i].total_out);
		CHECK(ts.last_cost_usd == usage_rows[i].last_cost, "last cost %g", ts.last_cost_usd);
		CHECK(ts.cost_usd - usage_rows[i].total_cost < 1e-9 &&
		    usage_rows[i].total_cost - ts.cost_usd < 1e-9, "cost %g", ts.cost_usd);
		CHECK(ts.unreadable[0] == '\0', "unreadable: %s", ts.unreadable);
		ROW_END();
	}
	state_free(st);

	ROW("usage: a task never run has none");
	st = state_new();
	if (CHECK(st != NULL, "state_new")) {
		state_task_get(st, "none", &ts);
		CHECK_INT(ts.last_input_tokens, -1);
		CHECK_INT(ts.last_output_tokens, -1);
		CHECK(ts.last_cost_usd < 0, "last cost %g", ts.last_cost_usd);
		CHECK_INT(ts.tokens_in, 0);
		state_free(st);
	}
	ROW_END();
}

static void
test_agent_sessions(void)
{
	static const char id1[] = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
	static const char id2[] = "00000000-0000-0000-0000-000000000000";
	struct state *st = state_new();
	char err[256];
	int is_new;

	if (!CHECK(st != NULL, "state_new"))
		return;
	ROW("agent sessions: none before one is kept; one per agent");
	CHECK(state_session(st, "main", id1, &is_new) != NULL, "state_session");
	CHECK_STR(state_session_agent(st, "main", "codex"), NULL);
	CHECK_INT(state_session_agent_set(st, "main", "codex", "0199a213-81c0-7800"), 0);
	CHECK_INT(state_session_agent_set(st, "main", "gemini", "ses_494719016ffe85dk"), 0);
	CHECK_STR(state_session_agent(st, "main", "codex"), "0199a213-81c0-7800");
	CHECK_STR(state_session_agent(st, "main", "gemini"), "ses_494719016ffe85dk");
	CHECK_INT(state_session_agent_set(st, "main", "codex", "t-2"), 0);
	CHECK_STR(state_session_agent(st, "main", "codex"), "t-2");
	CHECK_INT(state_session_agent_set(st, "other", "codex", "t-3"), -1);	/* no session */
	ROW_END();

	ROW("agent totals: kept for one session id of the agent's; another id has none");
	{
		long long tot[3] = { 7, 7, 7 }, want[3] = { 22, 5, 14 }, more[3] = { 40, 0, 9 };

		CHECK_INT(state_session_agent_totals(st, "main", "codex", "t-2", tot), -1);
		CHECK(tot[0] == 0 && tot[1] == 0 && tot[2] == 0, "none: zeros");
		CHECK_INT(state_session_agent_totals_set(st, "main", "codex", "t-2", want), 0);
		CHECK_INT(state_session_agent_totals(st, "main", "codex", "t-2", tot), 0);
		CHECK(tot[0] == 22 && tot[1] == 5 && tot[2] == 14, "%lld %lld %lld", tot[0],
		    tot[1], tot[2]);
		CHECK_INT(state_session_agent_totals(st, "main", "codex", "t-1", tot), -1);
		CHECK_INT(state_session_agent_totals(st, "main", "gemini", "t-2", tot), -1);
		CHECK_INT(state_session_agent_totals(st, "main", "codex", NULL, tot), -1);
		CHECK_INT(state_session_agent_totals_set(st, "main", "codex", "t-4", more), 0);
		CHECK_INT(state_session_agent_totals(st, "main", "codex", "t-2", tot), -1);
		CHECK_INT(state_session_agent_totals(st, "main", "codex", "t-4", tot), 0);
		CHECK(tot[0] == 40 && tot[1] == 0 && tot[2] == 9, "%lld", tot[0]);
		CHECK_INT(state_session_agent_totals_set(st, "other", "codex", "t-4", more), -1);
	}
	ROW_END();
	state_free(st);

	ROW("agent sessions: a hand edit that is no id is not handed on; a new session has none");
	{
		const char *text = "{\"_sessions\": {\"main\": {\"id\": \"" "0b1c2d3e-4f50-4a6b-"
		    "8c7d-9e0f1a2b3c4d\", \"used\": true, \"agent_sessions\": {\"codex\": "
		    "\"a b; rm -rf ~\", \"gemini\": 7, \"opencode\": \"ses_1\"}}}}";

		st = NULL;
		if (CHECK(state_parse(text, strlen(text), "s.json", &st, err, sizeof err) == 0,
		    "%s", err)) {
			CHECK_STR(state_session_agent(st, "main", "codex"), NULL);
			CHECK_STR(state_session_agent(st, "main", "gemini"), NULL);
			CHECK_STR(state_session_agent(st, "main", "opencode"), "ses_1");
		}
		state_free(st);
		text = "{\"_sessions\": {\"main\": {\"id\": \"not-a-uuid\", \"agent_sessions\": "
		    "{\"codex\": \"t-1\"}}}}";
		st = NULL;
		if (CHECK(state_parse(text, strlen(text), "s.json", &st, err, sizeof err) == 0,
		    "%s", err)) {
			CHECK(state_session(st, "main", id2, &is_new) != NULL, "state_session");
			CHECK_INT(is_new, 1);
			CHECK_STR(state_session_agent(st, "main", "codex"), NULL);
		}
		state_free(st);
	}
	ROW_END();
}

/* The day's spending (_budget): added up, marks set once, forgotten on a new day; a hand
 * edit of the wrong type reads as nothing spent. */
static void
test_spent(void)
{
	struct state *st = state_new();
	struct state_spent s;
	char err[256];

	if (!CHECK(st != NULL, "state_new"))
		return;
	ROW("spent: added for the workspace and a task; marks once; a new day starts at 0");
	state_spent_get(st, "2026-12-01", NULL, &s);
	CHECK_INT(s.tokens, 0);
	CHECK_INT(state_spent_add(st, "2026-12-01", NULL, 100, 0.25), 0);
	CHECK_INT(state_spent_add(st, "2026-12-01", "a", 20, 0.5), 0);
	state_spent_get(st, "2026-12-01", NULL, &s);
	CHECK_INT(s.tokens, 120);
	CHECK(s.cost == 0.75, "cost %g", s.cost);
	state_spent_get(st, "2026-12-01", "a", &s);
	CHECK_INT(s.tokens, 20);
	CHECK_INT(s.alerted, 0);
	CHECK_INT(state_spent_mark(st, "2026-12-01", "a", "alerted"), 0);
	CHECK_INT(state_spent_mark(st, "2026-12-01", "a", "alerted"), 1);
	state_spent_get(st, "2026-12-01", "a", &s);
	CHECK_INT(s.alerted, 1);
	state_spent_get(st, "2026-12-02", NULL, &s);
	CHECK_INT(s.tokens, 0);
	CHECK_INT(state_spent_add(st, "2026-12-02", NULL, 5, 0), 0);
	state_spent_get(st, "2026-12-02", "a", &s);
	CHECK_INT(s.tokens + s.alerted, 0);
	state_spent_get(st, "2026-12-01", NULL, &s);
	CHECK_INT(s.tokens, 0);		/* the day before is gone */
	ROW_END();
	state_free(st);

	ROW("spent: a hand-edited _budget of the wrong shape reads as nothing, and is replaced");
	{
		const char *text = "{\"_budget\": {\"day\": \"2026-12-01\", \"tokens\": \"many\", "
		    "\"tasks\": 3}}";

		st = NULL;
		if (CHECK(state_parse(text, strlen(text), "s.json", &st, err, sizeof err) == 0,
		    "%s", err)) {
			state_spent_get(st, "2026-12-01", NULL, &s);
			CHECK_INT(s.tokens, 0);
			state_spent_get(st, "2026-12-01", "a", &s);
			CHECK_INT(s.tokens, 0);
			CHECK_INT(state_spent_add(st, "2026-12-01", "a", 7, 0), 0);
			state_spent_get(st, "2026-12-01", "a", &s);
			CHECK_INT(s.tokens, 7);
		}
		state_free(st);
	}
}

/* "_oneshots": entries without an id, a prompt or a time are skipped (a hand edit); add,
 * has, del; the follow-ups refused to a run are counted, then read and forgotten. */
static void
test_oneshots(void)
{
	static const char text[] = "{\"_oneshots\": [{\"id\": \"aaaa0001\", \"name\": \"ci\", "
	    "\"prompt\": \"p\", \"at\": 100, \"dangerous\": true, \"parent_run\": \"r1\"}, "
	    "{\"id\": \"aaaa0002\", \"prompt\": \"no time\"}, 7, {\"prompt\": \"no id\", "
	    "\"at\": 5}, {\"id\": \"aaaa0003\", \"prompt\": \"q\", \"at\": 200}]}";
	struct state *st = NULL;
	struct state_oneshot *a = NULL, x = { .name = "n", .prompt = "r", .at = 300 };
	char err[256];
	size_t n = 0;

	ROW("_oneshots: read, added to, removed from");
	if (!CHECK(state_parse(text, strlen(text), "s.json", &st, err, sizeof err) == 0, "%s",
	    err)) {
		ROW_END();
		return;
	}
	if (CHECK(state_oneshots_get(st, &a, &n) == 0, "out of memory") && CHECK_INT(n, 2)) {
		CHECK_STR(a[0].id, "aaaa0001");
		CHECK_STR(a[0].name, "ci");
		CHECK_INT(a[0].at, 100);
		CHECK_INT(a[0].dangerous, 1);
		CHECK_STR(a[0].parent_run, "r1");
		CHECK_STR(a[1].name, "once");	/* none given */
		CHECK_STR(a[1].agent, NULL);
	}
	state_oneshots_free(a, n);
	CHECK_INT(state_oneshot_count(st), 5);		/* the entries, read or not */
	snprintf(x.id, sizeof x.id, "bbbb0001");
	CHECK_INT(state_oneshot_add(st, &x), 0);
	CHECK_INT(state_oneshot_has(st, "bbbb0001"), 1);
	CHECK_INT(state_oneshot_del(st, "aaaa0001"), 1);
	CHECK_INT(state_oneshot_del(st, "aaaa0001"), 0);
	CHECK_INT(state_oneshot_has(st, "aaaa0001"), 0);
	if (CHECK(state_oneshots_get(st, &a, &n) == 0, "out of memory") && CHECK_INT(n, 2)) {
		CHECK_STR(a[0].id, "aaaa0003");
		CHECK_STR(a[1].id, "bbbb0001");
		CHECK_INT(a[1].at, 300);
	}
	state_oneshots_free(a, n);
	CHECK_INT(state_followups_refused(st, "r1", 1), 1);
	CHECK_INT(state_followups_refused(st, "r1", 2), 3);
	CHECK_INT(state_followups_refused(st, "r1", 0), 3);
	CHECK_INT(state_followups_refused(st, "r1", 0), 0);	/* read once */
	state_free(st);
	ROW_END();
}

void
test_state(void)
{
	for (size_t i = 0; i < NELEM(seconds_rows); i++) {
		long long got = -7;
		int r;

		ROW("state_seconds(%.17g)", seconds_rows[i].v);
		r = state_seconds(seconds_rows[i].v, &got);
		CHECK_INT(r, seconds_rows[i].ok);
		if (r == 0)
			CHECK_INT(got, seconds_rows[i].secs);
		ROW_END();
	}
	for (size_t i = 0; i < NELEM(uuid_rows); i++) {
		ROW("state_is_uuid(%s)", uuid_rows[i].s);
		CHECK_INT(state_is_uuid(uuid_rows[i].s), uuid_rows[i].ok);
		ROW_END();
	}
	test_usage();
	test_agent_sessions();
	test_spent();
	test_oneshots();
}
