/* unit.h - the unit tests' harness: checks that count and report file:line, grouped into
 * table rows (a row passes when every check in it passes, and counts once).
 * Included by the tests/unit/ sources only. */
#ifndef HB_UNIT_H
#define HB_UNIT_H

#include <stddef.h>

/* One check. Outside a row it counts as one test; inside a row it decides whether the row
 * passes. On failure it prints "file:line: [row] message". Each evaluates to COND. */
#define CHECK(cond, ...) unit_check((cond) != 0, __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(got, want) \
	unit_check_int((long long)(got), (long long)(want), #got, __FILE__, __LINE__)
#define CHECK_STR(got, want) unit_check_str((got), (want), #got, __FILE__, __LINE__)
/* NEEDLE occurs in HAY (a NULL HAY fails). */
#define CHECK_HAS(hay, needle) unit_check_has((hay), (needle), #hay, __FILE__, __LINE__)

/* A table row: ROW("fmt", ...) names it (the name shows in failures), ROW_END() counts it.
 * A row that checked nothing is a failure: every row must assert something. */
#define ROW(...) unit_row(__FILE__, __LINE__, __VA_ARGS__)
#define ROW_END() unit_row_end()

int unit_check(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int unit_check_int(long long got, long long want, const char *expr, const char *file,
    int line);
int unit_check_str(const char *got, const char *want, const char *expr, const char *file,
    int line);
int unit_check_has(const char *hay, const char *needle, const char *expr, const char *file,
    int line);
void unit_row(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void unit_row_end(void);

/* S quoted as a C string literal, for messages ("(null)" for NULL). Returns one of a few
 * rotating static buffers, so a message may quote several strings. */
const char *unit_quote(const char *s);
/* The same for N bytes that need not end in NUL. */
const char *unit_quoten(const char *s, size_t n);

/* Number of elements of a table. */
#define NELEM(a) (sizeof (a) / sizeof (a)[0])

/* The suites, one per module (tests/unit/test_MODULE.c). */
void test_duration(void);
void test_schedule(void);
void test_cron(void);
void test_heartbeat(void);
void test_names_table(void);	/* test_names.c */
void test_reply(void);
void test_config(void);
void test_fileio(void);
void test_text(void);
void test_state(void);
void test_supervise(void);
void test_output(void);
void test_llm(void);
void test_openai(void);
void test_anthropic(void);
void test_transcript(void);
void test_target(void);
void test_hours(void);
void test_ping(void);
void test_activity(void);
void test_monitor(void);
void test_health(void);
void test_budget(void);
void test_oneshot(void);
void test_checks(void);

#endif
