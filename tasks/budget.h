/* budget.h - daily budgets of tokens and money: their syntax ("50000", "50k tokens", "1.5M",
 * "$0.50", or both: "50k tokens, $0.50"), the local day an instant belongs to and the
 * instant it ends, and whether what was spent reached a limit. Pure: the zone and the time
 * are parameters. Used by tasks/heartbeat.c (budget:), runner/ and the unit tests. */
#ifndef HB_BUDGET_H
#define HB_BUDGET_H

#include <stddef.h>
#include <stdint.h>

struct tz;

struct budget {
	long long tokens;	/* input + output tokens a day; -1: no limit */
	double cost;		/* USD a day; < 0: no limit */
};

#define BUDGET_TOKENS	0x1	/* budget_reached: the token limit */
#define BUDGET_COST	0x2	/* ... the cost limit */

/* Parses a budget: a token count ("50000", "50k", "1.5M", with an optional "tokens"), a cost
 * ("$0.50", or "0.50 USD"), or one of each separated by a comma. Limits are positive.
 * Returns 0, or -1 with ERR saying what is wrong. */
int budget_parse(const char *s, struct budget *b, char *err, size_t errlen);
/* A token count alone (hb-run.ini's daily_tokens). Returns 0 or -1 with ERR set. */
int budget_parse_tokens(const char *s, long long *out, char *err, size_t errlen);
/* A cost alone, with or without "$" (hb-run.ini's daily_cost). Returns 0 or -1. */
int budget_parse_cost(const char *s, double *out, char *err, size_t errlen);

/* The local day of instant T in zone Z, "YYYY-MM-DD", into DAY (11 bytes). */
void budget_day(const struct tz *z, int64_t t, char day[11]);
/* The instant the local day of T ends: the next local midnight (the end of the gap when
 * the clock skips midnight). A day is 23 or 25 hours long when the clock changes. */
int64_t budget_day_end(const struct tz *z, int64_t t);

/* Which limits of B (BUDGET_TOKENS, BUDGET_COST) TOKENS and COST reached; 0: none. */
int budget_reached(const struct budget *b, long long tokens, double cost);

#endif
