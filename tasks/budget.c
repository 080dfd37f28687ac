/* budget.c - budget arithmetic: the syntax of a limit, the local day and its end, and the
 * test of spending against limits. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tasks/budget.h"
#include "tasks/tz.h"

#define TOKENS_MAX 1e15		/* far above any day's use, and exact in a double */
#define COST_MAX 1e9

/* S (LEN bytes) without the spaces around it: *START and the new length. */
static size_t
trim(const char *s, size_t len, const char **start)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	*start = s;
	return len;
}

/* A decimal number at the start of S (LEN bytes): its value and the bytes it took, or 0. */
static size_t
number(const char *s, size_t len, double *v)
{
	char buf[64], *end;

	if (len == 0 || len >= sizeof buf || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	if (errno != 0 || end == buf || !isfinite(*v))
		return 0;
	return (size_t)(end - buf);
}

/* One part, S (LEN bytes, trimmed): a token count or a cost. TOKENS or COST gets it. */
static int
part(const char *s, size_t len, long long *tokens, double *cost, char *err, size_t errlen)
{
	double v, mult = 1;
	size_t n, rest;
	const char *r;
	int money = 0;

	if (len > 0 && s[0] == '$') {
		money = 1;
		s++;
		len--;
	}
	if ((n = number(s, len, &v)) == 0)
		goto bad;
	rest = trim(s + n, len - n, &r);
	if (!money && rest > 0 && (r[0] == 'k' || r[0] == 'K' || r[0] == 'M')) {
		mult = r[0] == 'M' ? 1e6 : 1e3;
		rest = trim(r + 1, rest - 1, &r);
	}
	if (!money && mult == 1 && rest == 3 && strncasecmp(r, "usd", 3) == 0)
		money = 1;
	else if (!money && rest == 6 && strncasecmp(r, "tokens", 6) == 0)
		;
	else if (rest != 0)
		goto bad;
	if (money) {
		if (!(v > 0 && v < COST_MAX)) {
			snprintf(err, errlen, "a cost must be above $0 (leave the key out for no "
			    "limit)");
			return -1;
		}
		*cost = v;
		return 0;
	}
	v *= mult;
	if (!(v >= 1 && v < TOKENS_MAX) || v != (double)(long long)v) {
		snprintf(err, errlen, "a token count must be a whole number from 1 up (leave the "
		    "key out for no limit)");
		return -1;
	}
	*tokens = (long long)v;
	return 0;
bad:
	snprintf(err, errlen, "expected tokens as in 50000, 50k or 1.5M tokens, or a cost in "
	    "USD as in $0.50");
	return -1;
}

int
budget_parse(const char *s, struct budget *b, char *err, size_t errlen)
{
	const char *comma = strchr(s, ','), *p;
	long long tokens = -1;
	double cost = -1;
	size_t len;

	len = trim(s, comma ? (size_t)(comma - s) : strlen(s), &p);
	if (part(p, len, &tokens, &cost, err, errlen) != 0)
		return -1;
	if (comma != NULL) {
		long long t2 = -1;
		double c2 = -1;

		len = trim(comma + 1, strlen(comma + 1), &p);
		if (part(p, len, &t2, &c2, err, errlen) != 0)
			return -1;
		if ((t2 >= 0 && tokens >= 0) || (c2 >= 0 && cost >= 0)) {
			snprintf(err, errlen, "give at most one token count and one cost");
			return -1;
		}
		if (t2 >= 0)
			tokens = t2;
		if (c2 >= 0)
			cost = c2;
	}
	b->tokens = tokens;
	b->cost = cost;
	return 0;
}

int
budget_parse_tokens(const char *s, long long *out, char *err, size_t errlen)
{
	struct budget b;

	if (budget_parse(s, &b, err, errlen) != 0)
		return -1;
	if (b.tokens < 0 || b.cost >= 0) {
		snprintf(err, errlen, "expected a token count, as in 200000 or 200k");
		return -1;
	}
	*out = b.tokens;
	return 0;
}

int
budget_parse_cost(const char *s, double *out, char *err, size_t errlen)
{
	const char *p;
	size_t len = trim(s, strlen(s), &p);
	long long tokens = -1;
	double cost = -1;
	char buf[64];

	/* "0.50" is dollars here: the key says what it counts */
	if (len > 0 && len + 2 < sizeof buf && p[0] != '$') {
		snprintf(buf, sizeof buf, "$%.*s", (int)len, p);
		p = buf;
		len++;
	}
	if (part(p, len, &tokens, &cost, err, errlen) != 0 || cost < 0) {
		if (strncmp(err, "a cost", 6) != 0)
			snprintf(err, errlen, "expected a cost in USD, as in 2.50 or $2.50");
		return -1;
	}
	*out = cost;
	return 0;
}

/* The local day of T in Z, as days since 1970-01-01. */
static int64_t
local_days(const struct tz *z, int64_t t)
{
	int64_t local = t + tz_offset(z, t);

	return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

void
budget_day(const struct tz *z, int64_t t, char day[11])
{
	int64_t y;
	int m, d;

	tz_civil_from_days(local_days(z, t), &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;	/* beyond any clock hb-run meets */
	snprintf(day, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
	    (unsigned)d % 100u);
}

int64_t
budget_day_end(const struct tz *z, int64_t t)
{
	int64_t out[2], gap = 0;

	if (tz_local_to_utc(z, (local_days(z, t) + 1) * 86400, out, &gap) == 0)
		return gap;
	return out[0];
}

int
budget_reached(const struct budget *b, long long tokens, double cost)
{
	int r = 0;

	if (b->tokens >= 0 && tokens >= b->tokens)
		r |= BUDGET_TOKENS;
	if (b->cost >= 0 && cost >= b->cost)
		r |= BUDGET_COST;
	return r;
}
