/* fuzz_tz.c - libFuzzer harness for tz_parse (TZif bytes, as read from /usr/share/zoneinfo).
 * A zone that parses is then queried everywhere: offsets stay in range, transitions advance
 * and really change the offset, and local times map back to instants that show them.
 * fuzz_tzposix.c includes this file for check_zone(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/cron.h"
#include "tasks/schedule.h"
#include "tasks/tz.h"
#include "tests/fuzz/fuzz.h"

#define MAX_OFFSET 93599		/* tz.c's limit: 24:59:59 and an hour of DST */
#define RULE_LIMIT ((int64_t)1 << 50)	/* tz.h: beyond, the edge offset holds */

static const int64_t fixed_times[] = {
	INT64_MIN, INT64_MIN + 1, -RULE_LIMIT - 1, -RULE_LIMIT, -62135596800LL, -2208988800LL,
	-1009843200LL, -1, 0, 1, 1000000000LL, 1150000000LL, 1772953199LL, 1772953200LL,
	1775314800LL, 1793512800LL, 2147483647LL, 2147483648LL, 4108690800LL, 253402300799LL,
	RULE_LIMIT - 1, RULE_LIMIT, RULE_LIMIT + 1, INT64_MAX - 1, INT64_MAX,
};
#define NFIXED (sizeof fixed_times / sizeof fixed_times[0])

/* Whole-minute and mixed schedules that cron_next must handle in any zone. */
static const char *const zone_crons[] = { "30 2 * * *", "*/7 * * * *", "0 0 L 2 *" };

static int64_t
take64(const uint8_t *data, size_t size, size_t at)
{
	uint64_t u = 0;

	for (size_t i = 0; i < 8; i++)
		u = u << 8 | (size > 0 ? data[(at + i) % size] : 0);
	return (int64_t)u;
}

static void
check_local(const struct tz *z, int64_t local)
{
	int64_t out[2] = { 0, 0 }, gap = INT64_MIN;
	int n = tz_local_to_utc(z, local, out, &gap);

	CHECK(n >= 0 && n <= 2, "tz_local_to_utc(%lld) returned %d", (long long)local, n);
	if (local > RULE_LIMIT || local < -RULE_LIMIT) {
		CHECK(n == 1, "local %lld beyond 2^50 gave %d instants", (long long)local, n);
		return;
	}
	for (int i = 0; i < n; i++)
		CHECK(out[i] + tz_offset(z, out[i]) == local, "local %lld -> %lld shows %lld",
		    (long long)local, (long long)out[i],
		    (long long)(out[i] + tz_offset(z, out[i])));
	if (n == 2)
		CHECK(out[0] < out[1], "local %lld: %lld, %lld not ascending", (long long)local,
		    (long long)out[0], (long long)out[1]);
	if (n == 0) {
		/* The gap ends at an offset change that jumps over LOCAL. */
		CHECK(gap != INT64_MIN, "local %lld: skipped without a gap end", (long long)local);
		CHECK(gap + tz_offset(z, gap - 1) <= local && local < gap + tz_offset(z, gap),
		    "local %lld: gap end %lld (%ld -> %ld) does not cover it", (long long)local,
		    (long long)gap, tz_offset(z, gap - 1), tz_offset(z, gap));
	}
}

static void
check_instant(const struct tz *z, int64_t t)
{
	long off = tz_offset(z, t);
	int64_t next = tz_next_transition(z, t), out[2], gap;
	char buf[64];
	int n;

	CHECK(off >= -MAX_OFFSET && off <= MAX_OFFSET, "offset %ld at %lld", off, (long long)t);
	CHECK(next > t || (t == INT64_MAX && next == INT64_MAX), "next transition %lld after %lld",
	    (long long)next, (long long)t);
	if (next != INT64_MAX) {
		CHECK(tz_offset(z, next) != tz_offset(z, next - 1),
		    "transition %lld (after %lld) changes nothing", (long long)next, (long long)t);
		CHECK(tz_offset(z, next - 1) == off, "offset changes between %lld and %lld, before "
		    "the transition %lld", (long long)t, (long long)(next - 1), (long long)next);
	}
	/* The instant T shows the wall clock T + OFF: mapping it back finds T (unless a
	 * wall-clock time repeats three times or more, which returns only two). Beyond 2^50 s
	 * tz_local_to_utc answers with the edge offset: not checked there. */
	if (t <= RULE_LIMIT && t >= -RULE_LIMIT && t + off <= RULE_LIMIT &&
	    t + off >= -RULE_LIMIT) {
		n = tz_local_to_utc(z, t + off, out, &gap);
		CHECK(n >= 1, "instant %lld: its local time %lld maps to nothing", (long long)t,
		    (long long)(t + off));
		CHECK(out[0] == t || (n == 2 && (out[1] == t || out[1] < t)),
		    "instant %lld: its local time maps to %lld%s", (long long)t, (long long)out[0],
		    n == 2 ? " and another" : "");
	}
	if (t > -RULE_LIMIT && t < RULE_LIMIT) {
		sched_format_time(z, t, buf, sizeof buf);
		CHECK(strlen(buf) >= 25, "sched_format_time(%lld) = '%s'", (long long)t, buf);
	}
}

static void
check_cron(const struct tz *z, const struct cron *c, const char *expr, int64_t s)
{
	int64_t n = cron_next(c, z, s), local, n2;

	if (n == CRON_NEVER)
		return;
	CHECK(n > s, "cron '%s': next(%lld) = %lld", expr, (long long)s, (long long)n);
	local = n + tz_offset(z, n);
	/* It fires at a matching wall-clock minute, or where a skipped stretch ends. */
	CHECK(cron_next_civil(c, local, local + 1) == local ||
	    tz_offset(z, n - 1) != tz_offset(z, n), "cron '%s': next(%lld) = %lld shows %lld,"
	    " which does not match", expr, (long long)s, (long long)n, (long long)local);
	n2 = cron_next(c, z, s + (n - s) / 2);
	CHECK(n2 >= n, "cron '%s': not monotonic: next(%lld) = %lld, next(%lld) = %lld", expr,
	    (long long)s, (long long)n, (long long)(s + (n - s) / 2), (long long)n2);
}

/* Queries zone Z everywhere; DATA (SIZE bytes) picks a few more instants. */
static void
check_zone(const struct tz *z, const uint8_t *data, size_t size)
{
	int64_t t, tr, starts[4];
	size_t i;
	int k;

	for (i = 0; i < NFIXED; i++) {
		check_instant(z, fixed_times[i]);
		check_local(z, fixed_times[i]);
	}
	for (i = 0; i < 4; i++) {
		t = take64(data, size, i * 8);
		check_instant(z, t);
		check_local(z, t);
		check_instant(z, t % RULE_LIMIT);
		check_local(z, t % ((int64_t)1 << 35));
	}
	/* Walk the transitions from 1900 on: they advance; the wall clock around each one. */
	t = -2208988800LL;
	for (k = 0; k < 64; k++) {
		long before, after;

		tr = tz_next_transition(z, t);
		if (tr == INT64_MAX)
			break;
		CHECK(tr > t, "transitions do not advance: %lld after %lld", (long long)tr,
		    (long long)t);
		if (tr > RULE_LIMIT)
			break;
		before = tz_offset(z, tr - 1);
		after = tz_offset(z, tr);
		check_instant(z, tr - 1);
		check_instant(z, tr);
		for (int64_t d = -61; d <= 61; d += 61) {
			check_local(z, tr + before + d);
			check_local(z, tr + after + d);
		}
		check_local(z, tr + (before + after) / 2);
		t = tr;
	}
	starts[0] = 1767225600LL;			/* 2026-01-01 */
	starts[1] = take64(data, size, 3) % ((int64_t)1 << 34);
	starts[2] = tz_next_transition(z, 1767225600LL);
	starts[3] = -2208988800LL;
	for (i = 0; i < sizeof zone_crons / sizeof zone_crons[0]; i++) {
		struct cron c;
		char why[160];

		CHECK(cron_parse(zone_crons[i], &c, why, sizeof why) == 0, "%s: %s",
		    zone_crons[i], why);
		for (k = 0; k < 4; k++) {
			if (starts[k] == INT64_MAX)
				continue;
			check_cron(z, &c, zone_crons[i], starts[k] - 1);
			check_cron(z, &c, zone_crons[i], starts[k] - 3601);
		}
	}
}

#ifndef FUZZ_TZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	struct tz *z = tz_parse(data, size, &why);

	if (z == NULL) {
		CHECK(why != NULL && *why != '\0', "refused without a reason");
		return 0;
	}
	check_zone(z, data, size);
	tz_free(z);
	return 0;
}
#endif
