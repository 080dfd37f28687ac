/* test_budget.c - tasks/budget.c: the syntax of limits, the local day and its end across
 * midnight and Berlin's DST changes of 2026 (March 29: a 23 h day; October 25: 25 h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "tasks/budget.h"
#include "tasks/heartbeat.h"
#include "tasks/tz.h"
#include "tests/unit/unit.h"

#define BERLIN "CET-1CEST,M3.5.0,M10.5.0/3"
#define YS(y, m) ((y) - ((m) <= 2))
#define DAYS(y, m, d) ((YS(y, m) / 400) * 146097 + (YS(y, m) % 400) * 365 + (YS(y, m) % 400) / 4 \
    - (YS(y, m) % 400) / 100 + (153 * ((m) + ((m) > 2 ? -3 : 9)) + 2) / 5 + (d) - 1 - 719468)
#define U(y, mo, d, h, mi) ((int64_t)DAYS(y, mo, d) * 86400 + (h) * 3600 + (mi) * 60)

static const struct {
	const char *s;
	int ok;
	long long tokens;
	double cost;
} parse_rows[] = {
	{ "50000", 1, 50000, -1 },
	{ "50k", 1, 50000, -1 },
	{ "50k tokens", 1, 50000, -1 },
	{ "1.5M tokens", 1, 1500000, -1 },
	{ " 200 K ", 1, 200000, -1 },
	{ "$0.50", 1, -1, 0.5 },
	{ "0.50 USD", 1, -1, 0.5 },
	{ "50k tokens, $0.50", 1, 50000, 0.5 },
	{ "$2, 1M", 1, 1000000, 2 },
	{ "-5", 0, 0, 0 },
	{ "0", 0, 0, 0 },
	{ "$0", 0, 0, 0 },
	{ "$-1", 0, 0, 0 },
	{ "lots", 0, 0, 0 },
	{ "", 0, 0, 0 },
	{ "1.5", 0, 0, 0 },
	{ "50k bananas", 0, 0, 0 },
	{ "5k, 6k", 0, 0, 0 },
	{ "$1k", 0, 0, 0 },
};

static const struct {
	const char *zone;
	int64_t t;
	const char *day;
	int64_t end;
} day_rows[] = {
	{ "UTC0", U(2026, 12, 1, 23, 59), "2026-12-01", U(2026, 12, 2, 0, 0) },
	{ "UTC0", U(2026, 12, 2, 0, 0), "2026-12-02", U(2026, 12, 3, 0, 0) },
	{ BERLIN, U(2026, 12, 1, 22, 59), "2026-12-01", U(2026, 12, 1, 23, 0) },
	{ BERLIN, U(2026, 12, 1, 23, 0), "2026-12-02", U(2026, 12, 2, 23, 0) },
	/* the 23 h day: 00:00 CET is 23:00 UTC the day before, the next midnight CEST 22:00 */
	{ BERLIN, U(2026, 3, 29, 12, 0), "2026-03-29", U(2026, 3, 29, 22, 0) },
	{ BERLIN, U(2026, 3, 28, 23, 0), "2026-03-29", U(2026, 3, 29, 22, 0) },
	/* the 25 h day */
	{ BERLIN, U(2026, 10, 24, 22, 0), "2026-10-25", U(2026, 10, 25, 23, 0) },
	{ BERLIN, U(2026, 10, 25, 22, 59), "2026-10-25", U(2026, 10, 25, 23, 0) },
	/* west of Greenwich */
	{ "EST5EDT,M3.2.0,M11.1.0", U(2026, 12, 2, 3, 0), "2026-12-01", U(2026, 12, 2, 5, 0) },
};

/* budget: in HEARTBEAT.md, and the prompt of a batch: each task under its heading, the
 * context once. */
static void
test_budget_key(void)
{
	static const char text[] =
	    "Context line.\n"
	    "tasks:\n"
	    "  - name: a\n"
	    "    budget: 50k tokens, $0.50\n"
	    "    prompt: Prompt A\n"
	    "  - name: b\n"
	    "    budget: -3\n"
	    "    prompt: Prompt B\n"
	    "  - name: c\n"
	    "    prompt: Prompt C\n";
	struct heartbeat hb;
	const struct task *two[2];
	struct task bt;
	char *batch = NULL, *full = NULL;

	ROW("budget: parsed per task; a bad one skips its task with file:line");
	memset(&hb, 0, sizeof hb);
	CHECK_INT(heartbeat_parse(text, sizeof text - 1, 1800, &hb), 0);
	CHECK_INT(hb.ntasks, 2);
	CHECK_INT(hb.nerrors, 1);
	if (hb.ndiags > 0) {
		CHECK_INT(hb.diags[0].line, 7);
		CHECK_HAS(hb.diags[0].msg, "bad budget '-3'");
	}
	if (hb.ntasks == 2) {
		CHECK_INT(hb.tasks[0].has_budget, 1);
		CHECK_INT(hb.tasks[0].budget.tokens, 50000);
		CHECK(hb.tasks[0].budget.cost == 0.5, "cost %g", hb.tasks[0].budget.cost);
		CHECK_INT(hb.tasks[1].has_budget, 0);
	}
	ROW_END();
	ROW("batch prompt: each task's name and prompt under a heading, the context once");
	if (hb.ntasks == 2) {
		two[0] = &hb.tasks[0];
		two[1] = &hb.tasks[1];
		batch = heartbeat_batch_text(two, 2);
		memset(&bt, 0, sizeof bt);
		bt.prompt = batch;
		full = batch ? heartbeat_prompt(&hb, &bt) : NULL;
		CHECK_HAS(full, "\n\n## Task: a\n\nPrompt A\n\n## Task: c\n\nPrompt C\n\n");
		CHECK_HAS(full, "Context line.");
		CHECK(full == NULL || strstr(full, "Context line.") == NULL ||
		    strstr(strstr(full, "Context line.") + 1, "Context line.") == NULL,
		    "the context is there more than once");
	}
	ROW_END();
	free(batch);
	free(full);
	heartbeat_free(&hb);
}

void
test_budget(void)
{
	test_budget_key();
	char err[200], day[11];

	for (size_t i = 0; i < NELEM(parse_rows); i++) {
		struct budget b = { -7, -7 };
		int r = budget_parse(parse_rows[i].s, &b, err, sizeof err);

		ROW("parse %s", unit_quote(parse_rows[i].s));
		CHECK_INT(r == 0, parse_rows[i].ok);
		if (r == 0 && parse_rows[i].ok) {
			CHECK_INT(b.tokens, parse_rows[i].tokens);
			CHECK(b.cost == parse_rows[i].cost, "cost %g, want %g", b.cost,
			    parse_rows[i].cost);
		} else {
			CHECK(err[0] != '\0', "no reason");
		}
		ROW_END();
	}
	for (size_t i = 0; i < NELEM(day_rows); i++) {
		const char *why = NULL;
		struct tz *z = tz_parse_posix(day_rows[i].zone, &why);

		ROW("day of %lld in %s", (long long)day_rows[i].t, day_rows[i].zone);
		CHECK(z != NULL, "zone: %s", why ? why : "?");
		if (z != NULL) {
			budget_day(z, day_rows[i].t, day);
			CHECK_STR(day, day_rows[i].day);
			CHECK_INT(budget_day_end(z, day_rows[i].t), day_rows[i].end);
		}
		tz_free(z);
		ROW_END();
	}
	{
		struct budget b = { 100, 0.5 };
		long long t = 0;
		double c = 0;

		CHECK_INT(budget_reached(&b, 99, 0.49), 0);
		CHECK_INT(budget_reached(&b, 100, 0.1), BUDGET_TOKENS);
		CHECK_INT(budget_reached(&b, 5, 0.5), BUDGET_COST);
		b.tokens = -1;
		CHECK_INT(budget_reached(&b, 1000000, 0), 0);
		CHECK_INT(budget_parse_tokens("200k", &t, err, sizeof err), 0);
		CHECK_INT(t, 200000);
		CHECK_INT(budget_parse_tokens("$2", &t, err, sizeof err), -1);
		CHECK_INT(budget_parse_cost("2.50", &c, err, sizeof err), 0);
		CHECK(c == 2.5, "cost %g", c);
		CHECK_INT(budget_parse_cost("$2.50", &c, err, sizeof err), 0);
		CHECK_INT(budget_parse_cost("-1", &c, err, sizeof err), -1);
		CHECK_INT(budget_parse_cost("abc", &c, err, sizeof err), -1);
	}
}
