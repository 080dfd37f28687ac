/* builtin.h - the built-in checks of a task's check: line (git-changes, new-files,
 * file-changes, disk-space, todo-scan, url-changed): a table with one entry per built-in (its
 * name, its argument rule, its function), each taking the snapshot of the last run and giving
 * the new one (cJSON) and its findings (text, bounded). What needs another program (git, the
 * HTTP helper) goes through the caller's exec function; the rest reads the file system only.
 * The diffs, the threshold and the parsers are pure and exported for the unit tests.
 * Used by tasks/heartbeat.c (to validate a check: line) and runner/check.c. */
#ifndef HB_CHECKS_BUILTIN_H
#define HB_CHECKS_BUILTIN_H

#include <stddef.h>

#include <cJSON.h>

#define CHECK_LIST_MAX 20		/* items a finding lists before "and N more" */
#define CHECK_ENTRIES_MAX 10000		/* files file-changes and new-files look at, at most */
#define CHECK_FINDINGS_MAX (16 * 1024)	/* bytes of findings, at most */
#define CHECK_WORDS_MAX 32		/* words of a check: line */

struct state;

/* Runs ARGV (argv[0] a program's path, or a name looked up on PATH) with EXTRA (NULL-ended
 * "NAME=value" strings, or NULL) added to the environment; its standard output goes to *OUT
 * (malloc'd, NUL-terminated). Returns its exit status, or -1 with ERR set when it could not
 * run, timed out or was killed (*OUT is then NULL). On an exit status other than 0, ERR holds
 * the last line of its standard error. */
typedef int check_exec_fn(void *arg, char *const *argv, char *const *extra, char **out,
    size_t *outlen, char *err, size_t errlen);

/* What a built-in may use besides its arguments. */
struct check_ctx {
	check_exec_fn *exec;		/* runs git, the HTTP helper */
	void *arg;			/* exec's first argument */
	const char *helper;		/* hb-run-http's path, for url-changed */
	long long timeout_ms;		/* the check's time, for a request */
	long long now;			/* Unix seconds */
	const char *task;		/* the task's name */
	const char *state_file;		/* the state file and the activity log, for built-ins */
	const char *log_file;		/* about hb-run itself */
	const struct state *state;	/* the state as the tick read it, or NULL */
	/* hb-run's own health (runner/health.c), for daily-summary and hb-monitor: the
	 * summary of the last 24 h, and the monitor's findings with FAILS failures in a row
	 * a finding (0: the default), one line each ("": all is well), into *OUT (malloc'd).
	 * Return 0, or -1 with ERR set. NULL: not available. */
	int (*summary)(void *harg, char **out, char *err, size_t errlen);
	int (*monitor)(void *harg, long long fails, char **out, char *err, size_t errlen);
	void *harg;
};

/* A built-in's run: OLD is the snapshot of its last run (NULL: the first run, which finds
 * nothing); *SNAP gets the new one and *FINDINGS what changed (malloc'd, or NULL: all
 * clear). Returns 0, or -1 with ERR set: the check failed. */
typedef int check_run_fn(const struct check_ctx *ctx, int argc, char **argv,
    const cJSON *old, cJSON **snap, char **findings, char *err, size_t errlen);
/* A built-in's own argument rule beyond the count: 0, or -1 with ERR set. */
typedef int check_args_fn(int argc, char **argv, char *err, size_t errlen);

struct check_builtin {
	const char *name;
	const char *usage;		/* "git-changes PATH...", for messages */
	int min_args, max_args;		/* the arguments after the name; max -1: any */
	check_args_fn *args;		/* NULL: the count is the rule */
	check_run_fn *run;
};

/* The built-in named NAME, or NULL. */
const struct check_builtin *check_builtin_find(const char *name);
/* The built-ins' names, for messages: "git-changes, new-files, ...". */
const char *check_builtin_names(void);

/* Splits LINE into words at blanks; "double" or 'single' quotes keep blanks in a word.
 * Returns the number of words (argv[] NULL-ended, free with check_words_free), or -1 with
 * ERR set (an open quote, too many words, out of memory). */
int check_words(const char *line, char ***argv, char *err, size_t errlen);
void check_words_free(char **argv);

/* Is LINE a call of a built-in (its first word names one)? Then 1 and *B names it. */
int check_is_builtin(const char *line, const struct check_builtin **b);
/* Checks a check: line: a command (anything not naming a built-in) is fine, unless its
 * first word is a built-in's name misspelt (two edits at most); a built-in's arguments must
 * follow its rule. Returns 0, or -1 with ERR set. */
int check_validate(const char *line, char *err, size_t errlen);

/* ---- pure parts, for the unit tests ---- */

/* The usage percentage of a file system as df(1) shows it: used / (used + available),
 * rounded up, from statvfs's block counts. */
int check_disk_percent(unsigned long long blocks, unsigned long long bfree,
    unsigned long long bavail);
/* 1 when PERCENT_TEXT is a whole number from 1 to 100 (a "%" after it allowed), into *P. */
int check_percent_parse(const char *text, int *p);

/* The unchecked items ("- [ ] text", also "*" and "+", indented or not) of Markdown TEXT,
 * as an array of their texts, in order, each once. NULL: out of memory. */
cJSON *check_todo_items(const char *text, size_t len);
/* The strings of array NOW that are not in array OLD (OLD NULL: none are new), in NOW's
 * order: a new array, or NULL (out of memory). */
cJSON *check_new_strings(const cJSON *old, const cJSON *now);

/* Files: a snapshot is an object of path -> [mtime, size, inode]. The names in NOW not in
 * OLD (added), in OLD not in NOW (removed), and in both with another value (changed),
 * written as findings lines into F (see check_text). */
struct check_text {
	char *s;			/* malloc'd, NUL-terminated */
	size_t len;
	int oom;
};
void check_text_add(struct check_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Lists the LABEL lines of the N entries that NAMES (an array of strings) holds, the first
 * CHECK_LIST_MAX of them, and "and N more". */
void check_text_list(struct check_text *t, const char *label, const cJSON *names);
/* The file diff of two snapshots: arrays of the added, removed and changed names. */
int check_files_diff(const cJSON *old, const cJSON *now, cJSON **added, cJSON **removed,
    cJSON **changed);
/* hb-monitor: what identifies each problem of the findings TEXT, one a line, whatever its
 * figures and details: the words before a ';' or '(' that have no digit, without a plural
 * 's' ("x: failed 3 times in a row (last: error); in backoff for 2h more" and "x: failed 4
 * times in a row (last: timeout)" are one problem, "outbox: 1 message waiting" and
 * "outbox: 2 messages waiting" another). An array of strings, or NULL (out of memory). */
cJSON *check_problem_keys(const char *text);
/* 1 when NAME matches GLOB (fnmatch(3); no GLOB matches everything). */
int check_glob_match(const char *glob, const char *name);

#endif
