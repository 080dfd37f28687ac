/* test_checks.c - checks/builtin.c's pure parts: the check: line's words and validation, the
 * disk-space threshold, the todo items and what is new among them, the file diff, the glob;
 * and runner/check.c's reading of a triage answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "checks/builtin.h"
#include "runner/check.h"
#include "tasks/heartbeat.h"
#include "tests/unit/unit.h"

static const struct {
	const char *line;
	int ok;
	const char *err;	/* a part of the error */
} validate_rows[] = {
	{ "git-changes .", 1, NULL },
	{ "git-changes a b 'c d'", 1, NULL },
	{ "git-changes", 0, "one or more arguments" },
	{ "new-files inbox", 1, NULL },
	{ "new-files inbox '*.pdf'", 1, NULL },
	{ "new-files", 0, "new-files DIR [GLOB]" },
	{ "new-files a b c", 0, "one or two arguments" },
	{ "file-changes src docs", 1, NULL },
	{ "disk-space / 90", 1, NULL },
	{ "disk-space / 90%", 1, NULL },
	{ "disk-space / 1", 1, NULL },
	{ "disk-space / 100", 1, NULL },
	{ "disk-space / 0", 0, "bad percent '0'" },
	{ "disk-space / 101", 0, "from 1 to 100" },
	{ "disk-space / 9x", 0, "bad percent" },
	{ "disk-space / -5", 0, "bad percent" },
	{ "disk-space /", 0, "two arguments" },
	{ "todo-scan TODO.md", 1, NULL },
	{ "todo-scan a b", 0, "one argument" },
	{ "url-changed https://example.com/x", 1, NULL },
	{ "url-changed ftp://example.com/x", 0, "not an http:// or https:// URL" },
	{ "git-changes 'open", 0, "open ' quote" },
	/* anything else is a command for /bin/sh -c */
	{ "test -s inbox/new && ls inbox/new", 1, NULL },
	{ "./my-check.sh 'unbalanced", 1, NULL },
	{ "git-changes-extra x", 1, NULL },
	{ "git-change .", 0, "unknown built-in 'git-change'; did you mean 'git-changes'?" },
	{ "  todoscan x", 0, "did you mean 'todo-scan'?" },
	{ "disk-spaces / 9", 0, "did you mean 'disk-space'?" },
	{ "ls -l", 1, NULL },
	{ "hb-monitor", 1, NULL },
	{ "hb-monitor 5", 1, NULL },
	{ "hb-monitor 0", 0, "bad FAILS '0'" },
	{ "hb-monitor 1001", 0, "from 1 to 1000" },
	{ "hb-monitor 3 4", 0, "hb-monitor [FAILS]" },
	{ "hb-monitr", 0, "did you mean 'hb-monitor'?" },
	{ "daily-summary", 1, NULL },
	{ "daily-summary x", 0, "daily-summary" },
};

static void
test_validate(void)
{
	char err[200];

	for (size_t i = 0; i < NELEM(validate_rows); i++) {
		int r;

		ROW("%s", validate_rows[i].line);
		err[0] = '\0';
		r = check_validate(validate_rows[i].line, err, sizeof err);
		CHECK_INT(r == 0, validate_rows[i].ok);
		if (validate_rows[i].err != NULL)
			CHECK_HAS(err, validate_rows[i].err);
		ROW_END();
	}
}

static void
test_words(void)
{
	char **argv = NULL, err[100];
	int n = check_words("  a \"b c\" d'e f'g  ", &argv, err, sizeof err);

	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(argv[0], "a");
		CHECK_STR(argv[1], "b c");
		CHECK_STR(argv[2], "de fg");
		CHECK(argv[3] == NULL, "argv ends in NULL");
	}
	check_words_free(argv);
	CHECK_INT(check_words("", &argv, err, sizeof err), 0);
	check_words_free(argv);
}

/* statvfs counts (blocks, free, available for users) and df's percentage */
static const struct {
	unsigned long long blocks, bfree, bavail;
	int percent;
} disk_rows[] = {
	{ 1000, 1000, 1000, 0 },
	{ 1000, 0, 0, 100 },
	{ 1000, 500, 500, 50 },
	{ 1000, 501, 500, 50 },		/* used 499 / 999: 49.95 -> 50 */
	{ 1000, 100, 50, 95 },		/* reserved blocks: used 900 / 950 = 94.7 -> 95 */
	{ 1000, 900, 900, 10 },
	{ 1000, 899, 899, 11 },		/* 101 / 1000 = 10.1 -> 11 (df rounds up) */
	{ 0, 0, 0, 0 },
	{ 1000, 1200, 1000, 0 },	/* a free count above the size reads as nothing used */
};

static void
test_disk(void)
{
	int p = 0;

	for (size_t i = 0; i < NELEM(disk_rows); i++) {
		ROW("blocks %llu free %llu avail %llu", disk_rows[i].blocks, disk_rows[i].bfree,
		    disk_rows[i].bavail);
		CHECK_INT(check_disk_percent(disk_rows[i].blocks, disk_rows[i].bfree,
		    disk_rows[i].bavail), disk_rows[i].percent);
		ROW_END();
	}
	CHECK(check_percent_parse("90", &p) && p == 90, "90");
	CHECK(check_percent_parse("100%", &p) && p == 100, "100%%");
	CHECK(!check_percent_parse("0", &p), "0");
	CHECK(!check_percent_parse("+5", &p), "+5");
	CHECK(!check_percent_parse("5%%", &p), "5%%%%");
	CHECK(!check_percent_parse("", &p), "empty");
}

/* a cJSON array's strings joined by '|' */
static char *
joined(const cJSON *a)
{
	static char buf[512];
	const cJSON *it;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, a)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? "|" : "",
		    it->valuestring);
	return buf;
}

static const struct {
	const char *md, *items;
} todo_rows[] = {
	{ "# Todo\n- [ ] write the report\n- [x] call Bob\n", "write the report" },
	{ "* [ ] a\n+ [ ] b\n  - [ ] nested\n", "a|b|nested" },
	{ "- [ ]   spaced   \r\n- [ ]\n- [ ] \n", "spaced" },
	{ "- [ ]x not an item\n-[ ] nor this\n- [X] done\n", "" },
	{ "- [ ] twice\n- [ ] twice\n", "twice" },
	{ "\tno items here", "" },
	{ "- [ ] last line without newline", "last line without newline" },
};

static void
test_todo(void)
{
	cJSON *old, *now, *fresh;

	for (size_t i = 0; i < NELEM(todo_rows); i++) {
		cJSON *a = check_todo_items(todo_rows[i].md, strlen(todo_rows[i].md));

		ROW("%s", unit_quote(todo_rows[i].md));
		CHECK_STR(joined(a), todo_rows[i].items);
		ROW_END();
		cJSON_Delete(a);
	}
	old = check_todo_items("- [ ] a\n- [ ] b\n", 16);
	now = check_todo_items("- [ ] b\n- [ ] c\n- [x] a\n- [ ] d\n", 32);
	fresh = check_new_strings(old, now);
	CHECK_STR(joined(fresh), "c|d");
	cJSON_Delete(fresh);
	fresh = check_new_strings(NULL, now);
	CHECK_STR(joined(fresh), "b|c|d");
	cJSON_Delete(fresh);
	cJSON_Delete(old);
	cJSON_Delete(now);
}

static void
test_files_diff(void)
{
	cJSON *old = cJSON_Parse("{\"a\":[1,10,5],\"b\":[2,20,6],\"c\":[3,30,7]}");
	cJSON *now = cJSON_Parse("{\"a\":[1,10,5],\"b\":[9,20,6],\"d\":[4,40,8],\"c2\":[3,30,9]}");
	cJSON *added, *removed, *changed;
	struct check_text t = { 0 };

	CHECK_INT(check_files_diff(old, now, &added, &removed, &changed), 0);
	CHECK_STR(joined(added), "d|c2");
	CHECK_STR(joined(removed), "c");
	CHECK_STR(joined(changed), "b");
	cJSON_Delete(added);
	cJSON_Delete(removed);
	cJSON_Delete(changed);
	/* a listing is bounded: CHECK_LIST_MAX lines, then "and N more" */
	added = cJSON_CreateArray();
	for (int i = 0; i < CHECK_LIST_MAX + 5; i++) {
		char name[16];

		snprintf(name, sizeof name, "f%d", i);
		cJSON_AddItemToArray(added, cJSON_CreateString(name));
	}
	check_text_list(&t, "added: ", added);
	CHECK_HAS(t.s, "added: f0\n");
	CHECK_HAS(t.s, "and 5 more\n");
	CHECK(t.s != NULL && strstr(t.s, "f20") == NULL, "f20 is not listed");
	free(t.s);
	cJSON_Delete(added);
	cJSON_Delete(old);
	cJSON_Delete(now);
}

static const struct {
	const char *glob, *name;
	int match;
} glob_rows[] = {
	{ NULL, "report.pdf", 1 },
	{ NULL, ".hidden", 0 },
	{ "*.pdf", "report.pdf", 1 },
	{ "*.pdf", "report.PDF", 0 },
	{ "*.pdf", ".x.pdf", 0 },
	{ "invoice-??.csv", "invoice-01.csv", 1 },
	{ "invoice-??.csv", "invoice-1.csv", 0 },
	{ "[ab]*", "beta", 1 },
};

static void
test_glob(void)
{
	for (size_t i = 0; i < NELEM(glob_rows); i++) {
		ROW("%s ~ %s", glob_rows[i].glob ? glob_rows[i].glob : "(none)", glob_rows[i].name);
		CHECK_INT(check_glob_match(glob_rows[i].glob, glob_rows[i].name),
		    glob_rows[i].match);
		ROW_END();
	}
}

static const struct {
	const char *answer;
	int verdict;
	const char *reason;
} triage_rows[] = {
	{ "YES: the disk is nearly full", 1, "the disk is nearly full" },
	{ "no - only a typo fix", 0, "only a typo fix" },
	{ "**No.** Nothing new.\n", 0, "Nothing new." },
	{ "Yes\nThe build broke on main.", 1, "The build broke on main." },
	{ "  \n yes, look at it", 1, "look at it" },
	{ "Maybe, hard to say", -1, "Maybe, hard to say" },
	{ "Nope", -1, "Nope" },
	{ "yesterday's report is late", -1, "yesterday's report is late" },
	{ "", -1, "" },
	{ "\x01\x02 gibberish \x7f", -1, "gibberish" },
};

static void
test_triage(void)
{
	char reason[320];

	for (size_t i = 0; i < NELEM(triage_rows); i++) {
		ROW("%s", unit_quote(triage_rows[i].answer));
		CHECK_INT(check_triage_answer(triage_rows[i].answer, strlen(triage_rows[i].answer),
		    reason, sizeof reason), triage_rows[i].verdict);
		CHECK_HAS(reason, triage_rows[i].reason);
		ROW_END();
	}
}

static const struct {
	const char *md;
	int ntasks;
	const char *diag;	/* the first problem, or NULL */
} hb_rows[] = {
	{ "tasks:\n- name: a\n  check: disk-space / 90\n", 1, NULL },
	{ "tasks:\n- name: a\n  check: ls inbox\n  prompt: sort it\n  triage: worth it?\n", 1,
	  NULL },
	{ "tasks:\n- name: a\n  prompt: p\n  triage: worth it?\n", 0, "has no check:" },
	{ "tasks:\n- name: a\n  check: ls\n  triage: worth it?\n", 0, "has no prompt" },
	{ "tasks:\n- name: a\n  check: disk-space / 0\n", 0, "bad check: disk-space: bad percent" },
	{ "tasks:\n- name: a\n  check:\n  prompt: p\n", 0, "empty check" },
	{ "tasks:\n- name: a\n", 0, "has no prompt" },
};

static void
test_heartbeat_keys(void)
{
	for (size_t i = 0; i < NELEM(hb_rows); i++) {
		struct heartbeat hb;

		ROW("%s", unit_quote(hb_rows[i].md));
		CHECK_INT(heartbeat_parse(hb_rows[i].md, strlen(hb_rows[i].md), 1800, &hb), 0);
		CHECK_INT(hb.ntasks, hb_rows[i].ntasks);
		if (hb_rows[i].diag != NULL)
			CHECK_HAS(hb.ndiags > 0 ? hb.diags[0].msg : NULL, hb_rows[i].diag);
		else
			CHECK_INT(hb.nerrors, 0);
		if (hb.ntasks == 1)
			CHECK(hb.tasks[0].check != NULL && hb.tasks[0].prompt != NULL,
			    "check and prompt set");
		heartbeat_free(&hb);
		ROW_END();
	}
}

/* hb-monitor's problems: one a line, their figures and details left out. */
static const struct {
	const char *text;
	const char *keys;	/* the keys as JSON */
} key_rows[] = {
	{ "", "[]" },
	{ "x: failed 3 times in a row (last: error); in backoff for 2h more\n",
	  "[\"x: failed time in a row\"]" },
	{ "x: failed 4 times in a row (last: timeout)", "[\"x: failed time in a row\"]" },
	{ "a: overdue: due for 1h30m and not run\noutbox: 2 messages waiting, the oldest for 3h "
	  "(to ntfy://t, 4 tries)\n\n",
	  "[\"a: overdue: due for and not run\",\"outbox: message waiting, the oldest for\"]" },
	{ "outbox: 1 message waiting, the oldest for 2h",
	  "[\"outbox: message waiting, the oldest for\"]" },
	{ "b: a run started 2h ago has not ended", "[\"b: a run started ago ha not ended\"]" },
};

static void
test_problem_keys(void)
{
	for (size_t i = 0; i < NELEM(key_rows); i++) {
		cJSON *k;
		char *s;

		ROW("%s", key_rows[i].text);
		k = check_problem_keys(key_rows[i].text);
		s = k ? cJSON_PrintUnformatted(k) : NULL;
		CHECK_STR(s, key_rows[i].keys);
		free(s);
		cJSON_Delete(k);
		ROW_END();
	}
}

void
test_checks(void)
{
	test_problem_keys();
	test_heartbeat_keys();
	test_validate();
	test_words();
	test_disk();
	test_todo();
	test_files_diff();
	test_glob();
	test_triage();
}
