/* main.c - the unit-test runner: the harness behind unit.h and the list of suites.
 * `unit-tests [-v] [SUITE...]`; the last line of output is "unit: N passed, N failed",
 * and the exit status is 1 when anything failed. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/unit.h"

static int passed, failed;

/* The open row: its name, where it started (ROW's file:line), how many checks ran and failed in it. */
static struct {
	int open;
	char name[160];
	const char *file;
	int line;
	int checks, failures;
} row;

static void
vreport(const char *file, int line, const char *fmt, va_list ap)
{
	printf("%s:%d: ", file, line);
	if (row.open)
		printf("[%s] ", row.name);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

static void
report(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, line, fmt, ap);
	va_end(ap);
}

/* Counts one outcome: into the open row, or as a test of its own. */
static void
count(int ok)
{
	if (row.open) {
		row.checks++;
		if (!ok)
			row.failures++;
	} else if (ok) {
		passed++;
	} else {
		failed++;
	}
}

int
unit_check(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!ok) {
		va_start(ap, fmt);
		vreport(file, line, fmt, ap);
		va_end(ap);
	}
	count(ok);
	return ok;
}

int
unit_check_int(long long got, long long want, const char *expr, const char *file, int line)
{
	int ok = got == want;

	if (!ok)
		report(file, line, "%s is %lld, expected %lld", expr, got, want);
	count(ok);
	return ok;
}

int
unit_check_str(const char *got, const char *want, const char *expr, const char *file,
    int line)
{
	int ok = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;

	if (!ok)
		report(file, line, "%s is %s, expected %s", expr, unit_quote(got),
		    unit_quote(want));
	count(ok);
	return ok;
}

int
unit_check_has(const char *hay, const char *needle, const char *expr, const char *file,
    int line)
{
	int ok = hay != NULL && strstr(hay, needle) != NULL;

	if (!ok)
		report(file, line, "%s is %s, expected it to contain %s", expr, unit_quote(hay),
		    unit_quote(needle));
	count(ok);
	return ok;
}

void
unit_row(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (row.open)
		unit_row_end();
	va_start(ap, fmt);
	vsnprintf(row.name, sizeof row.name, fmt, ap);
	va_end(ap);
	row.open = 1;
	row.checks = 0;
	row.failures = 0;
	row.file = file;
	row.line = line;
}

void
unit_row_end(void)
{
	if (!row.open)
		return;
	if (row.checks == 0) {
		printf("%s:%d: [%s] row checked nothing\n", row.file, row.line, row.name);
		row.failures = 1;
	}
	if (row.failures > 0)
		failed++;
	else
		passed++;
	row.open = 0;
}

const char *
unit_quoten(const char *s, size_t n)
{
	static char bufs[4][600];
	static int next;
	char *b = bufs[next++ % 4];
	size_t o = 0, i;

	if (s == NULL)
		return "(null)";
	b[o++] = '"';
	for (i = 0; i < n && o < sizeof bufs[0] - 10; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			o += (size_t)sprintf(b + o, "\\n");
		else if (c == '\r')
			o += (size_t)sprintf(b + o, "\\r");
		else if (c == '\t')
			o += (size_t)sprintf(b + o, "\\t");
		else if (c == '"' || c == '\\')
			o += (size_t)sprintf(b + o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)sprintf(b + o, "\\x%02x", c);
		else
			b[o++] = (char)c;
	}
	if (i < n)
		o += (size_t)sprintf(b + o, "...");
	b[o++] = '"';
	b[o] = '\0';
	return b;
}

const char *
unit_quote(const char *s)
{
	return s == NULL ? "(null)" : unit_quoten(s, strlen(s));
}

/* A suite still being written elsewhere: it runs once its file is linked in. */
void test_tz(void) __attribute__((weak));

static const struct suite {
	const char *name;
	void (*run)(void);
} suites[] = {
	{ "duration", test_duration },
	{ "schedule", test_schedule },
	{ "cron", test_cron },
	{ "tz", test_tz },
	{ "heartbeat", test_heartbeat },
	{ "names", test_names_table },
	{ "reply", test_reply },
	{ "config", test_config },
	{ "fileio", test_fileio },
	{ "text", test_text },
	{ "state", test_state },
	{ "supervise", test_supervise },
	{ "output", test_output },
	{ "llm", test_llm },
	{ "openai", test_openai },
	{ "anthropic", test_anthropic },
	{ "transcript", test_transcript },
	{ "target", test_target },
	{ "hours", test_hours },
	{ "ping", test_ping },
	{ "activity", test_activity },
	{ "monitor", test_monitor },
	{ "health", test_health },
	{ "budget", test_budget },
	{ "oneshot", test_oneshot },
	{ "checks", test_checks },
};

/* 1 when suite NAME is among ARGV[1..ARGC), or when no suite was named. */
static int
wanted(const char *name, int argc, char **argv)
{
	for (int a = 1; a < argc; a++)
		if (strcmp(argv[a], name) == 0)
			return 1;
	return argc <= 1;
}

int
main(int argc, char **argv)
{
	int verbose = 0;
	size_t i;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		argc--, argv++;
	}
	for (int a = 1; a < argc; a++) {
		for (i = 0; i < NELEM(suites) && strcmp(suites[i].name, argv[a]) != 0; i++)
			;
		if (i == NELEM(suites)) {
			fprintf(stderr, "usage: unit-tests [-v] [SUITE...]; no suite '%s'\n",
			    argv[a]);
			return 2;
		}
	}
	for (i = 0; i < NELEM(suites); i++) {
		int p0 = passed, f0 = failed;

		if (suites[i].run == NULL || !wanted(suites[i].name, argc, argv))
			continue;
		suites[i].run();
		unit_row_end();
		if (verbose || failed > f0)
			printf("%s: %d passed, %d failed\n", suites[i].name, passed - p0,
			    failed - f0);
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed > 0;
}
