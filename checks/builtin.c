/* builtin.c - the built-in checks: the table, the word splitter and validator of a check:
 * line, and each built-in's snapshot and diff. Every built-in's first run only takes its
 * snapshot, but for those whose finding is a state and not a change: disk-space and
 * hb-monitor may find at once, daily-summary always finds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "checks/builtin.h"
#include "state/fileio.h"
#include "state/text.h"
#include "tasks/names.h"

#define TODO_FILE_MAX (4L * 1024 * 1024)	/* todo-scan reads at most this much */

static check_run_fn run_git, run_new_files, run_file_changes, run_disk, run_todo, run_url,
    run_monitor, run_summary;
static check_args_fn args_disk, args_url, args_monitor;

static const struct check_builtin builtins[] = {
	{ "git-changes", "git-changes PATH...", 1, -1, NULL, run_git },
	{ "new-files", "new-files DIR [GLOB]", 1, 2, NULL, run_new_files },
	{ "file-changes", "file-changes PATH...", 1, -1, NULL, run_file_changes },
	{ "disk-space", "disk-space PATH PERCENT", 2, 2, args_disk, run_disk },
	{ "todo-scan", "todo-scan FILE", 1, 1, NULL, run_todo },
	{ "url-changed", "url-changed URL", 1, 1, args_url, run_url },
	{ "hb-monitor", "hb-monitor [FAILS]", 0, 1, args_monitor, run_monitor },
	{ "daily-summary", "daily-summary", 0, 0, NULL, run_summary },
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

const struct check_builtin *
check_builtin_find(const char *name)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

const char *
check_builtin_names(void)
{
	static char names[256];

	if (names[0] == '\0')
		for (size_t i = 0; i < NBUILTINS; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
			    i ? ", " : "", builtins[i].name);
	return names;
}

/* ---- the check: line ---------------------------------------------------------------- */

void
check_words_free(char **argv)
{
	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

int
check_words(const char *line, char ***out, char *err, size_t errlen)
{
	char **argv = calloc(CHECK_WORDS_MAX + 1, sizeof *argv);
	int n = 0;

	*out = NULL;
	if (argv == NULL)
		goto oom;
	for (const char *p = line;;) {
		char *w, q;
		size_t len = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (n == CHECK_WORDS_MAX) {
			snprintf(err, errlen, "more than %d words", CHECK_WORDS_MAX);
			check_words_free(argv);
			return -1;
		}
		if ((w = malloc(strlen(p) + 1)) == NULL)
			goto oom;
		argv[n++] = w;
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if (*p != '"' && *p != '\'') {
				w[len++] = *p++;
				continue;
			}
			q = *p++;
			while (*p != '\0' && *p != q)
				w[len++] = *p++;
			if (*p != q) {
				snprintf(err, errlen, "an open %c quote", q);
				w[len] = '\0';
				check_words_free(argv);
				return -1;
			}
			p++;
		}
		w[len] = '\0';
	}
	*out = argv;
	return n;
oom:
	snprintf(err, errlen, "out of memory");
	check_words_free(argv);
	return -1;
}

int
check_is_builtin(const char *line, const struct check_builtin **b)
{
	size_t n;
	char name[64];

	line += strspn(line, " \t");
	n = strcspn(line, " \t");
	if (n == 0 || n >= sizeof name)
		return 0;
	memcpy(name, line, n);
	name[n] = '\0';
	*b = check_builtin_find(name);
	return *b != NULL;
}

/* The built-in that WORD (the first word of a check: line, not a built-in) is a typo of:
 * at most two edits away. NULL: none, WORD is a command. */
static const struct check_builtin *
builtin_typo(const char *line)
{
	char word[64];
	size_t n;

	line += strspn(line, " \t");
	n = strcspn(line, " \t");
	if (n == 0 || n >= sizeof word)
		return NULL;
	memcpy(word, line, n);
	word[n] = '\0';
	for (size_t i = 0; i < NBUILTINS; i++)
		if (names_distance(word, builtins[i].name) <= 2)
			return &builtins[i];
	return NULL;
}

int
check_validate(const char *line, char *err, size_t errlen)
{
	const struct check_builtin *b;
	char **argv = NULL, werr[128];
	int argc, r = 0;

	if (!check_is_builtin(line, &b)) {
		if ((b = builtin_typo(line)) == NULL)
			return 0;
		snprintf(err, errlen, "unknown built-in '%.*s'; did you mean '%s'? (the built-ins: "
		    "%s)", (int)strcspn(line + strspn(line, " \t"), " \t"),
		    line + strspn(line, " \t"), b->name, check_builtin_names());
		return -1;
	}
	if ((argc = check_words(line, &argv, werr, sizeof werr)) < 0) {
		snprintf(err, errlen, "%s: %s", b->name, werr);
		return -1;
	}
	argc--;
	if (argc < b->min_args || (b->max_args >= 0 && argc > b->max_args)) {
		snprintf(err, errlen, "%s takes %s: use %s", b->name, b->max_args < 0 ?
		    "one or more arguments" : b->min_args == b->max_args ? (b->min_args == 1 ?
		    "one argument" : "two arguments") : "one or two arguments", b->usage);
		r = -1;
	} else if (b->args != NULL) {
		r = b->args(argc, argv + 1, err, errlen);
	}
	check_words_free(argv);
	return r;
}

/* ---- findings text ------------------------------------------------------------------ */

void
check_text_add(struct check_text *t, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL, *grown;
	int n;

	if (t->oom || t->len >= CHECK_FINDINGS_MAX)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->oom = 1;
		return;
	}
	if (t->len + (size_t)n > CHECK_FINDINGS_MAX) {
		n = (int)(CHECK_FINDINGS_MAX - t->len);
		s[n] = '\0';
	}
	grown = realloc(t->s, t->len + (size_t)n + 1);

	if (grown == NULL) {
		t->oom = 1;
		free(s);
		return;
	}
	t->s = grown;
	memcpy(t->s + t->len, s, (size_t)n + 1);
	t->len += (size_t)n;
	free(s);
}

void
check_text_list(struct check_text *t, const char *label, const cJSON *names)
{
	int n = cJSON_GetArraySize(names), i = 0;
	const cJSON *it;

	cJSON_ArrayForEach(it, names) {
		if (i++ == CHECK_LIST_MAX)
			break;
		check_text_add(t, "%s%s\n", label, cJSON_GetStringValue(it) ?
		    cJSON_GetStringValue(it) : "?");
	}
	if (n > CHECK_LIST_MAX)
		check_text_add(t, "and %d more\n", n - CHECK_LIST_MAX);
}

/* ---- pure parts --------------------------------------------------------------------- */

int
check_disk_percent(unsigned long long blocks, unsigned long long bfree,
    unsigned long long bavail)
{
	unsigned long long used = blocks >= bfree ? blocks - bfree : 0, all = used + bavail;

	if (all == 0)
		return 0;
	return (int)((used * 100 + all - 1) / all);	/* rounded up, as df does */
}

int
check_percent_parse(const char *text, int *p)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (end == text || errno != 0 || (*end != '\0' && strcmp(end, "%") != 0) ||
	    v < 1 || v > 100 || text[0] == '+' || text[0] == ' ')
		return 0;
	*p = (int)v;
	return 1;
}

/* Is S (N bytes, leading blanks skipped) an unchecked item? Then its text in *ITEM. */
static int
todo_item(const char *s, size_t n, const char **item, size_t *ilen)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i + 5 > n || (s[i] != '-' && s[i] != '*' && s[i] != '+') || s[i + 1] != ' ' ||
	    memcmp(s + i + 2, "[ ]", 3) != 0)
		return 0;
	i += 5;
	if (i < n && s[i] != ' ' && s[i] != '\t')
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (i == n)
		return 0;
	*item = s + i;
	*ilen = n - i;
	return 1;
}

/* 1 when array A holds the string S. */
static int
has_string(const cJSON *a, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, a)
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return 1;
	return 0;
}

cJSON *
check_todo_items(const char *text, size_t len)
{
	cJSON *a = cJSON_CreateArray();
	const char *item;
	size_t ilen;

	for (size_t off = 0; a != NULL && off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;

		if (todo_item(text + off, n, &item, &ilen)) {
			char *s = strndup(item, ilen);
			cJSON *str = s ? cJSON_CreateString(s) : NULL;

			free(s);
			if (str == NULL) {
				cJSON_Delete(a);
				return NULL;
			}
			if (has_string(a, str->valuestring))
				cJSON_Delete(str);
			else
				cJSON_AddItemToArray(a, str);
		}
		off += n + 1;
	}
	return a;
}

cJSON *
check_new_strings(const cJSON *old, const cJSON *now)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *it;

	cJSON_ArrayForEach(it, now) {
		if (a == NULL)
			return NULL;
		if (!cJSON_IsString(it) || (old != NULL && has_string(old, it->valuestring)))
			continue;
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(it->valuestring))) {
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

int
check_files_diff(const cJSON *old, const cJSON *now, cJSON **added, cJSON **removed,
    cJSON **changed)
{
	const cJSON *it, *o;

	*added = cJSON_CreateArray();
	*removed = cJSON_CreateArray();
	*changed = cJSON_CreateArray();
	if (*added == NULL || *removed == NULL || *changed == NULL)
		goto oom;
	cJSON_ArrayForEach(it, now) {
		o = cJSON_GetObjectItemCaseSensitive(old, it->string);
		if (o == NULL) {
			if (!cJSON_AddItemToArray(*added, cJSON_CreateString(it->string)))
				goto oom;
		} else if (!cJSON_Compare(o, it, 1)) {
			if (!cJSON_AddItemToArray(*changed, cJSON_CreateString(it->string)))
				goto oom;
		}
	}
	cJSON_ArrayForEach(it, old)
		if (cJSON_GetObjectItemCaseSensitive(now, it->string) == NULL &&
		    !cJSON_AddItemToArray(*removed, cJSON_CreateString(it->string)))
			goto oom;
	return 0;
oom:
	cJSON_Delete(*added);
	cJSON_Delete(*removed);
	cJSON_Delete(*changed);
	*added = *removed = *changed = NULL;
	return -1;
}

int
check_glob_match(const char *glob, const char *name)
{
	if (glob == NULL)
		return name[0] != '.';	/* hidden files are no one's new work */
	return fnmatch(glob, name, FNM_PERIOD) == 0;
}

/* ---- the built-ins ------------------------------------------------------------------ */

/* Hands the findings of T to *FINDINGS (NULL when empty); -1 when memory ran out. */
static int
text_done(struct check_text *t, char **findings, char *err, size_t errlen)
{
	if (t->oom) {
		free(t->s);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*findings = t->len > 0 ? t->s : NULL;
	if (t->len == 0)
		free(t->s);
	return 0;
}

/* disk-space's PERCENT: a whole number from 1 to 100. */
static int
args_disk(int argc, char **argv, char *err, size_t errlen)
{
	int p;

	(void)argc;
	if (!check_percent_parse(argv[1], &p)) {
		snprintf(err, errlen, "disk-space: bad percent '%s': a whole number from 1 to 100",
		    argv[1]);
		return -1;
	}
	return 0;
}

/* disk-space PATH PERCENT: usage at or above PERCENT. It finds when the usage reaches the
 * threshold, first run included, and again only after it went below. */
static int
run_disk(const struct check_ctx *ctx, int argc, char **argv, const cJSON *old, cJSON **snap,
    char **findings, char *err, size_t errlen)
{
	struct statvfs sv;
	int p = 0, used, was_over;

	(void)ctx;
	(void)argc;
	check_percent_parse(argv[1], &p);
	if (statvfs(argv[0], &sv) != 0) {
		snprintf(err, errlen, "disk-space: %s: %s", argv[0], strerror(errno));
		return -1;
	}
	used = check_disk_percent((unsigned long long)sv.f_blocks,
	    (unsigned long long)sv.f_bfree, (unsigned long long)sv.f_bavail);
	was_over = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(old, "over"));
	*snap = cJSON_CreateObject();
	if (*snap == NULL || !cJSON_AddNumberToObject(*snap, "percent", used) ||
	    !cJSON_AddBoolToObject(*snap, "over", used >= p)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*findings = NULL;
	if (used >= p && !was_over && asprintf(findings, "The file system of %s is %d%% full "
	    "(the threshold is %d%%): %llu MB free.\n", argv[0], used, p,
	    (unsigned long long)sv.f_bavail * sv.f_frsize / 1000000) < 0) {
		*findings = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* todo-scan FILE: unchecked items that were not there last time. */
static int
run_todo(const struct check_ctx *ctx, int argc, char **argv, const cJSON *old, cJSON **snap,
    char **findings, char *err, size_t errlen)
{
	struct check_text t = { 0 };
	char *text = NULL, rerr[512];
	cJSON *items, *fresh = NULL;
	size_t len;
	int r;

	(void)ctx;
	(void)argc;
	r = fileio_read(argv[0], TODO_FILE_MAX, &text, &len, rerr, sizeof rerr);
	if (r != 0) {
		if (r == FILEIO_MISSING)
			snprintf(err, errlen, "todo-scan: %s: no such file", argv[0]);
		else
			snprintf(err, errlen, "todo-scan: %s", rerr);
		return -1;
	}
	items = check_todo_items(text, len);
	free(text);
	*snap = cJSON_CreateObject();
	if (items == NULL || *snap == NULL) {
		cJSON_Delete(items);
		goto oom;
	}
	cJSON_AddItemToObject(*snap, "items", items);
	old = cJSON_GetObjectItemCaseSensitive(old, "items");
	*findings = NULL;
	if (!cJSON_IsArray(old))
		return 0;	/* the first run */
	if ((fresh = check_new_strings(old, items)) == NULL)
		goto oom;
	if (cJSON_GetArraySize(fresh) > 0) {
		check_text_add(&t, "Found %d new task%s in %s:\n", cJSON_GetArraySize(fresh),
		    cJSON_GetArraySize(fresh) == 1 ? "" : "s", argv[0]);
		check_text_list(&t, "- [ ] ", fresh);
	}
	cJSON_Delete(fresh);
	return text_done(&t, findings, err, errlen);
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* [mtime, size, inode] of SB. */
static cJSON *
file_sig(const struct stat *sb)
{
	cJSON *a = cJSON_CreateArray();
#ifdef __APPLE__
	double mtime = (double)sb->st_mtimespec.tv_sec + sb->st_mtimespec.tv_nsec / 1e9;
#else
	double mtime = (double)sb->st_mtim.tv_sec + sb->st_mtim.tv_nsec / 1e9;
#endif

	if (a != NULL && (!cJSON_AddItemToArray(a, cJSON_CreateNumber(mtime)) ||
	    !cJSON_AddItemToArray(a, cJSON_CreateNumber((double)sb->st_size)) ||
	    !cJSON_AddItemToArray(a, cJSON_CreateNumber((double)sb->st_ino)))) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

/* The walk of file-changes and new-files. */
struct walk {
	cJSON *files;		/* path -> [mtime, size, inode] */
	size_t n;
	int truncated;		/* CHECK_ENTRIES_MAX was reached */
	int oom;
	int names;		/* new-files: keyed by name, hidden files left out */
	const char *glob;	/* new-files: names that match it; NULL: all */
};

/* Adds PATH (SB) to W. */
static void
walk_add(struct walk *w, const char *path, const struct stat *sb)
{
	cJSON *sig;

	if (w->n >= CHECK_ENTRIES_MAX) {
		w->truncated = 1;
		return;
	}
	if ((sig = file_sig(sb)) == NULL || !cJSON_AddItemToObject(w->files, path, sig)) {
		cJSON_Delete(sig);
		w->oom = 1;
		return;
	}
	w->n++;
}

/* Every file under DIR (recursing when DEPTH allows; symbolic links are not followed; .git
 * folders are left out) into W. */
static void
walk_dir(struct walk *w, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while (!w->oom && !w->truncated && (de = readdir(d)) != NULL) {
		struct stat sb;
		char *p = NULL;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
			w->oom = 1;
			break;
		}
		if (lstat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode) && depth > 0 && strcmp(de->d_name, ".git") != 0)
				walk_dir(w, p, depth - 1);
			else if (!S_ISDIR(sb.st_mode) && !w->names)
				walk_add(w, p, &sb);
			else if (!S_ISDIR(sb.st_mode) && check_glob_match(w->glob, de->d_name))
				walk_add(w, de->d_name, &sb);
		}
		free(p);
	}
	closedir(d);
}

/* file-changes PATH...: files added, removed or changed (mtime, size, inode) under each. */
static int
run_file_changes(const struct check_ctx *ctx, int argc, char **argv, const cJSON *old,
    cJSON **snap, char **findings, char *err, size_t errlen)
{
	struct walk w = { 0 };
	struct check_text t = { 0 };
	cJSON *added = NULL, *removed = NULL, *changed = NULL;
	const cJSON *was;

	(void)ctx;
	*findings = NULL;
	if ((w.files = cJSON_CreateObject()) == NULL)
		goto oom;
	for (int i = 0; i < argc; i++) {
		struct stat sb;

		if (lstat(argv[i], &sb) != 0) {
			snprintf(err, errlen, "file-changes: %s: %s", argv[i], strerror(errno));
			cJSON_Delete(w.files);
			return -1;
		}
		if (S_ISDIR(sb.st_mode))
			walk_dir(&w, argv[i], 64);
		else
			walk_add(&w, argv[i], &sb);
	}
	if (w.oom || (*snap = cJSON_CreateObject()) == NULL)
		goto oom;
	cJSON_AddItemToObject(*snap, "files", w.files);
	cJSON_AddBoolToObject(*snap, "truncated", w.truncated);
	was = cJSON_GetObjectItemCaseSensitive(old, "files");
	if (!cJSON_IsObject(was))
		return 0;	/* the first run */
	if (check_files_diff(was, w.files, &added, &removed, &changed) != 0)
		goto oom;
	if (cJSON_GetArraySize(added) + cJSON_GetArraySize(removed) +
	    cJSON_GetArraySize(changed) > 0) {
		check_text_add(&t, "Files changed under %s%s: %d added, %d changed, %d removed\n",
		    argv[0], argc > 1 ? " and more" : "", cJSON_GetArraySize(added),
		    cJSON_GetArraySize(changed), cJSON_GetArraySize(removed));
		check_text_list(&t, "added: ", added);
		check_text_list(&t, "changed: ", changed);
		check_text_list(&t, "removed: ", removed);
	}
	if (w.truncated && t.len > 0)
		check_text_add(&t, "(only the first %d files were looked at)\n", CHECK_ENTRIES_MAX);
	cJSON_Delete(added);
	cJSON_Delete(removed);
	cJSON_Delete(changed);
	return text_done(&t, findings, err, errlen);
oom:
	if (*snap == NULL)
		cJSON_Delete(w.files);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* new-files DIR [GLOB]: files that appeared in DIR (not below it), with their sizes. */
static int
run_new_files(const struct check_ctx *ctx, int argc, char **argv, const cJSON *old,
    cJSON **snap, char **findings, char *err, size_t errlen)
{
	struct walk w = { 0 };
	struct check_text t = { 0 };
	const cJSON *was, *it;
	struct stat sb;
	int n = 0, shown = 0;

	(void)ctx;
	*findings = NULL;
	if (stat(argv[0], &sb) != 0) {
		snprintf(err, errlen, "new-files: %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "new-files: %s: not a folder", argv[0]);
		return -1;
	}
	if ((w.files = cJSON_CreateObject()) == NULL)
		goto oom;
	w.names = 1;
	w.glob = argc > 1 ? argv[1] : NULL;
	walk_dir(&w, argv[0], 0);
	if (w.oom || (*snap = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(w.files);
		goto oom;
	}
	cJSON_AddItemToObject(*snap, "files", w.files);
	was = cJSON_GetObjectItemCaseSensitive(old, "files");
	if (!cJSON_IsObject(was))
		return 0;	/* the first run */
	cJSON_ArrayForEach(it, w.files)
		n += cJSON_GetObjectItemCaseSensitive(was, it->string) == NULL;
	if (n == 0)
		return 0;
	check_text_add(&t, "%d new file%s in %s:\n", n, n == 1 ? "" : "s", argv[0]);
	cJSON_ArrayForEach(it, w.files) {
		if (cJSON_GetObjectItemCaseSensitive(was, it->string) != NULL)
			continue;
		if (shown++ == CHECK_LIST_MAX)
			break;
		check_text_add(&t, "%s (%.0f bytes)\n", it->string,
		    cJSON_GetArrayItem(it, 1)->valuedouble);
	}
	if (n > CHECK_LIST_MAX)
		check_text_add(&t, "and %d more\n", n - CHECK_LIST_MAX);
	return text_done(&t, findings, err, errlen);
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Runs git -C PATH A1 A2 [A3 A4] (A3, A4 may be NULL) through the exec function; its
 * output in *OUT. */
static int
git(const struct check_ctx *ctx, const char *path, const char *a1, const char *a2,
    const char *a3, const char *a4, char **out, char *err, size_t errlen)
{
	char *argv[] = { "git", "-C", (char *)path, (char *)a1, (char *)a2, (char *)a3,
	    (char *)a4, NULL };
	char *extra[] = { "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C", NULL };
	char gerr[512];
	size_t len;
	int r = ctx->exec(ctx->arg, argv, extra, out, &len, gerr, sizeof gerr);

	if (r == 0)
		return 0;
	if (r > 0 && strstr(gerr, "not a git repository") != NULL)
		snprintf(err, errlen, "git-changes: %s: not a git repository", path);
	else if (r > 0 && strstr(gerr, "cannot change to") != NULL)
		snprintf(err, errlen, "git-changes: %s: no such folder", path);
	else
		snprintf(err, errlen, "git-changes: %s: git %s: %s", path, a1, gerr[0] ? gerr :
		    "failed");
	free(*out);
	*out = NULL;
	return -1;
}

/* The commits from OLD to NOW in repository PATH, at most 5 of them, one line each, into T
 * (indented). A history git cannot walk (a forced push, a pruned commit) lists none. */
static void
git_commits(const struct check_ctx *ctx, struct check_text *t, const char *path,
    const char *old, const char *now)
{
	char range[200], *out = NULL, err[256];

	snprintf(range, sizeof range, "%s..%s", old, now);
	if (git(ctx, path, "log", "--format=%h %s", "--max-count=5", range, &out, err,
	    sizeof err) != 0)
		return;
	for (const char *p = out; *p != '\0';) {
		size_t n = strcspn(p, "\n");

		if (n > 0)
			check_text_add(t, "  %.*s\n", (int)(n > 200 ? 200 : n), p);
		p += n + (p[n] == '\n');
	}
	free(out);
}

/* The refs of git's for-each-ref output ("SHA REF" lines) as an object ref -> sha. */
static cJSON *
git_refs(const char *out)
{
	cJSON *refs = cJSON_CreateObject();

	for (const char *p = out; refs != NULL && *p != '\0';) {
		size_t n = strcspn(p, "\n"), sp = strcspn(p, " ");

		if (sp < n && sp > 0) {
			char *sha = strndup(p, sp), *ref = strndup(p + sp + 1, n - sp - 1);

			if (sha == NULL || ref == NULL || !cJSON_AddStringToObject(refs, ref, sha)) {
				cJSON_Delete(refs);
				refs = NULL;
			}
			free(sha);
			free(ref);
		}
		p += n + (p[n] == '\n');
	}
	return refs;
}

/* What changed in one repository PATH since OLD (its snapshot), into T. */
static void
git_diff(const struct check_ctx *ctx, struct check_text *t, const char *path,
    const cJSON *old, const cJSON *refs, const char *status, const char *hash)
{
	const cJSON *was = cJSON_GetObjectItemCaseSensitive(old, "refs"), *it, *o;
	const char *oh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(old, "status"));
	int lines = 0;

	cJSON_ArrayForEach(it, refs) {
		o = cJSON_GetObjectItemCaseSensitive(was, it->string);
		if (o == NULL)
			check_text_add(t, "%s: new %s at %.10s\n", path, it->string, it->valuestring);
		else if (cJSON_IsString(o) && strcmp(o->valuestring, it->valuestring) != 0) {
			check_text_add(t, "%s: %s moved %.10s -> %.10s\n", path, it->string,
			    o->valuestring, it->valuestring);
			git_commits(ctx, t, path, o->valuestring, it->valuestring);
		}
	}
	cJSON_ArrayForEach(it, was)
		if (cJSON_GetObjectItemCaseSensitive(refs, it->string) == NULL)
			check_text_add(t, "%s: %s deleted\n", path, it->string);
	if (oh == NULL || strcmp(oh, hash) == 0)
		return;
	if (status[0] == '\0') {
		check_text_add(t, "%s: the working tree is clean again\n", path);
		return;
	}
	check_text_add(t, "%s: the working tree changed:\n", path);
	for (const char *p = status; *p != '\0'; lines++) {
		size_t n = strcspn(p, "\n");

		if (lines < CHECK_LIST_MAX)
			check_text_add(t, "  %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	if (lines > CHECK_LIST_MAX)
		check_text_add(t, "  and %d more\n", lines - CHECK_LIST_MAX);
}

/* git-changes PATH...: new commits on any branch (every ref), a changed working tree. */
static int
run_git(const struct check_ctx *ctx, int argc, char **argv, const cJSON *old, cJSON **snap,
    char **findings, char *err, size_t errlen)
{
	struct check_text t = { 0 };
	const cJSON *was = cJSON_GetObjectItemCaseSensitive(old, "repos");
	cJSON *repos;

	*findings = NULL;
	if ((*snap = cJSON_CreateObject()) == NULL ||
	    (repos = cJSON_AddObjectToObject(*snap, "repos")) == NULL)
		goto oom;
	for (int i = 0; i < argc; i++) {
		char *out = NULL, *status = NULL, hash[17];
		cJSON *repo, *refs;

		if (git(ctx, argv[i], "for-each-ref", "--format=%(objectname) %(refname)", NULL,
		    NULL, &out, err, errlen) != 0)
			goto fail;
		refs = git_refs(out);
		free(out);
		if (refs == NULL)
			goto oom;
		if (git(ctx, argv[i], "status", "--porcelain", NULL, NULL, &status, err,
		    errlen) != 0) {
			cJSON_Delete(refs);
			goto fail;
		}
		text_hash_hex(status, strlen(status), hash);
		if (cJSON_IsObject(was) &&
		    (repo = cJSON_GetObjectItemCaseSensitive(was, argv[i])) != NULL)
			git_diff(ctx, &t, argv[i], repo, refs, status, hash);
		free(status);
		if ((repo = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToObject(repos, argv[i], repo)) {
			cJSON_Delete(repo);
			cJSON_Delete(refs);
			goto oom;
		}
		cJSON_AddItemToObject(repo, "refs", refs);
		cJSON_AddStringToObject(repo, "status", hash);
	}
	return text_done(&t, findings, err, errlen);
oom:
	snprintf(err, errlen, "out of memory");
fail:
	free(t.s);
	return -1;
}

/* url-changed's URL: http:// or https://. */
static int
args_url(int argc, char **argv, char *err, size_t errlen)
{
	(void)argc;
	if (strncmp(argv[0], "http://", 7) != 0 && strncmp(argv[0], "https://", 8) != 0) {
		snprintf(err, errlen, "url-changed: '%s' is not an http:// or https:// URL",
		    argv[0]);
		return -1;
	}
	return 0;
}

/* url-changed URL: the page's content hash changed (a GET through hb-run-http). */
static int
run_url(const struct check_ctx *ctx, int argc, char **argv, const cJSON *old, cJSON **snap,
    char **findings, char *err, size_t errlen)
{
	char *hargv[] = { (char *)ctx->helper, NULL }, *extra[6] = { NULL }, *out = NULL;
	char herr[512], hash[64] = "";
	const char *was = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(old, "hash"));
	long status = 0;
	unsigned long long bytes = 0;
	size_t len;
	int r = -1, rc;

	(void)argc;
	*findings = NULL;
	/* the request ends a little before the check's time (the helper takes an hour at
	 * most) */
	if (asprintf(&extra[0], "HB_HTTP_URL=%s", argv[0]) < 0 ||
	    asprintf(&extra[1], "HB_HTTP_TIMEOUT=%lld", ctx->timeout_ms > 3602000 ? 3600000 :
	    ctx->timeout_ms > 5000 ? ctx->timeout_ms - 2000 : ctx->timeout_ms) < 0) {
		extra[0] = extra[1] = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	extra[2] = "HB_HTTP_MODE=post";
	extra[3] = "HB_HTTP_METHOD=GET";
	extra[4] = "HB_HTTP_HASH=1";
	rc = ctx->exec(ctx->arg, hargv, extra, &out, &len, herr, sizeof herr);
	if (rc != 0) {
		const char *why = strncmp(herr, "hb-run-http: ", 13) == 0 ? herr + 13 : herr;

		snprintf(err, errlen, "url-changed: %s", why[0] ? why : "the HTTP helper failed");
		goto out;
	}
	if (sscanf(out, "%ld %63s %llu", &status, hash, &bytes) != 3) {
		snprintf(err, errlen, "url-changed: the HTTP helper's answer is not understood");
		goto out;
	}
	if ((*snap = cJSON_CreateObject()) == NULL || !cJSON_AddStringToObject(*snap, "hash", hash) ||
	    !cJSON_AddNumberToObject(*snap, "bytes", (double)bytes)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (was != NULL && strcmp(was, hash) != 0 && asprintf(findings, "%s changed: now %llu "
	    "bytes (was %.0f).\n", argv[0], bytes, cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(old, "bytes"))) < 0) {
		*findings = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r = 0;
out:
	free(extra[0]);
	free(extra[1]);
	free(out);
	return r;
}

/* hb-monitor's FAILS: a whole number from 1 to 1000. */
static int
args_monitor(int argc, char **argv, char *err, size_t errlen)
{
	char *end;
	long long n;

	if (argc == 0)
		return 0;
	errno = 0;
	n = strtoll(argv[0], &end, 10);
	if (errno != 0 || end == argv[0] || *end != '\0' || n < 1 || n > 1000) {
		snprintf(err, errlen, "hb-monitor: bad FAILS '%s': a whole number from 1 to 1000",
		    argv[0]);
		return -1;
	}
	return 0;
}

cJSON *
check_problem_keys(const char *text)
{
	cJSON *keys = cJSON_CreateArray();
	const char *p = text ? text : "";

	while (keys != NULL && *p != '\0') {
		size_t n = strcspn(p, "\n");
		struct check_text k = { 0 };
		const char *w = p, *end = p + strcspn(p, "\n;(");

		if (end > p + n)
			end = p + n;
		while (w < end) {
			size_t wl;
			int digits = 0;

			while (w < end && *w == ' ')
				w++;
			wl = strcspn(w, " \n");
			if (w + wl > end)
				wl = (size_t)(end - w);
			for (size_t i = 0; i < wl; i++)
				digits |= w[i] >= '0' && w[i] <= '9';
			/* "1 message" and "2 messages" are one problem: no plural 's' */
			if (wl > 0 && !digits)
				check_text_add(&k, "%s%.*s", k.len ? " " : "",
				    (int)(wl > 1 && w[wl - 1] == 's' ? wl - 1 : wl), w);
			w += wl;
		}
		if (k.oom || (k.len > 0 && !cJSON_AddItemToArray(keys, cJSON_CreateString(k.s)))) {
			free(k.s);
			cJSON_Delete(keys);
			return NULL;
		}
		free(k.s);
		p += n + (p[n] == '\n');
	}
	return keys;
}

/* hb-monitor [FAILS]: hb-run's own health. A state, not a change: it may find on its first
 * run; then it finds again only when a problem appears that the last run did not see, so
 * that the same problems are not said at every tick. */
static int
run_monitor(const struct check_ctx *ctx, int argc, char **argv, const cJSON *old, cJSON **snap,
    char **findings, char *err, size_t errlen)
{
	long long fails = argc > 0 ? strtoll(argv[0], NULL, 10) : 0;
	char *text = NULL;
	cJSON *keys, *fresh;

	*findings = NULL;
	if (ctx->monitor == NULL) {
		snprintf(err, errlen, "hb-monitor: not available here");
		return -1;
	}
	if (ctx->monitor(ctx->harg, fails, &text, err, errlen) != 0)
		return -1;
	if ((keys = check_problem_keys(text)) == NULL)
		goto oom;
	if ((*snap = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(keys);
		goto oom;
	}
	cJSON_AddItemToObject(*snap, "problems", keys);
	old = old != NULL ? cJSON_GetObjectItemCaseSensitive(old, "problems") : NULL;
	if ((fresh = check_new_strings(cJSON_IsArray(old) ? old : NULL, keys)) == NULL)
		goto oom;
	if (cJSON_GetArraySize(fresh) > 0) {
		*findings = text;
		text = NULL;
	}
	cJSON_Delete(fresh);
	free(text);
	return 0;
oom:
	free(text);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* daily-summary: the runs, failures, alerts, tokens and cost of the last 24 h, per task,
 * as hb-run report --text --since 24h says them. It always finds: schedule it once a day. */
static int
run_summary(const struct check_ctx *ctx, int argc, char **argv, const cJSON *old, cJSON **snap,
    char **findings, char *err, size_t errlen)
{
	(void)argc;
	(void)argv;
	(void)old;
	*snap = NULL;
	*findings = NULL;
	if (ctx->summary == NULL) {
		snprintf(err, errlen, "daily-summary: not available here");
		return -1;
	}
	return ctx->summary(ctx->harg, findings, err, errlen);
}
