/* heartbeat.c - parse HEARTBEAT.md: the "tasks:" block (a small, strict subset of YAML:
 * "- name:" items, "key: value" lines, one pair of quotes, "|" and ">" blocks), the free
 * context around it, the implicit "heartbeat" task and the emptiness rules. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/builtin.h"
#include "delivery/ping.h"
#include "delivery/target.h"
#include "tasks/duration.h"
#include "tasks/budget.h"
#include "tasks/heartbeat.h"
#include "tasks/names.h"

#define CONTEXT_HEADER "Additional context from HEARTBEAT.md:"
#define IMPLICIT_NAME "heartbeat"
#define IMPLICIT_PROMPT \
	"Read HEARTBEAT.md (below, from the workspace). Follow it strictly. Do not infer or " \
	"repeat old tasks from prior chats. If nothing needs attention, reply HEARTBEAT_OK."

struct line {
	const char *s;
	size_t n;		/* without the newline and a trailing '\r' */
};

struct parser {
	struct line *lines;
	size_t nlines;
	long long default_interval;
	struct heartbeat *hb;
	struct names names;	/* the names of hb->tasks; each one's value is its index */
	int oom;
};

/* Keys of a task, as bits, to find duplicates. */
enum {
	K_NAME = 1 << 0, K_PROMPT = 1 << 1, K_SCHED = 1 << 2, K_TYPE = 1 << 3,
	K_TIMEOUT = 1 << 4, K_ENABLED = 1 << 5, K_TZ = 1 << 6, K_MODEL = 1 << 7,
	K_AGENT = 1 << 8, K_DANGEROUS = 1 << 9, K_NOTIFY = 1 << 10, K_TITLE = 1 << 11,
	K_PRIORITY = 1 << 12, K_ACTIVE = 1 << 13, K_PING = 1 << 14, K_BUDGET = 1 << 15,
	K_CHECK = 1 << 16, K_TRIAGE = 1 << 17,
};

/* ARR (N elements of SIZE bytes) with room for one more, or NULL when memory ran out (ARR
 * is left as it was). The array doubles when N is a power of two, so that N alone says how
 * much is allocated (an array that shrank has room to spare) and N additions take O(N). */
static void *
grow(void *arr, size_t n, size_t size)
{
	if (n > 0 && (n & (n - 1)) != 0)
		return arr;
	if (n > SIZE_MAX / 2 / size)
		return NULL;
	return realloc(arr, (n > 0 ? 2 * n : 1) * size);
}

static void
vdiag(struct parser *p, size_t line, int warn, const char *fmt, va_list ap)
{
	struct heartbeat *hb = p->hb;
	struct hb_diag *d;

	d = grow(hb->diags, hb->ndiags, sizeof *d);
	if (d == NULL) {
		p->oom = 1;
		return;
	}
	hb->diags = d;
	d += hb->ndiags++;
	d->line = (int)line + 1;
	d->warn = warn;
	hb->nerrors += !warn;
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
}

/* An error: the task it is in is skipped. LINE is 0-based. */
static void __attribute__((format(printf, 3, 4)))
diag(struct parser *p, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(p, line, 0, fmt, ap);
	va_end(ap);
}

/* A warning: the file still works, perhaps not as meant. */
static void __attribute__((format(printf, 3, 4)))
warn(struct parser *p, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(p, line, 1, fmt, ap);
	va_end(ap);
}

/* A note: how the file is read where that is not plain; check shows it, a tick does not. */
static void __attribute__((format(printf, 3, 4)))
note(struct parser *p, size_t line, const char *fmt, ...)
{
	struct heartbeat *hb = p->hb;
	struct hb_diag *d;
	va_list ap;

	d = grow(hb->notes, hb->nnotes, sizeof *d);
	if (d == NULL) {
		p->oom = 1;
		return;
	}
	hb->notes = d;
	d += hb->nnotes++;
	d->line = (int)line + 1;
	d->warn = 0;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
}

static char *
xstrndup(struct parser *p, const char *s, size_t n)
{
	char *r = malloc(n + 1);

	if (r == NULL) {
		p->oom = 1;
		return NULL;
	}
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static int
is_blank(const struct line *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!isspace((unsigned char)l->s[i]))
			return 0;
	return 1;
}

/* Leading spaces; -1 when the indentation holds a tab (YAML forbids it, and its width is
 * anybody's guess). */
static int
indent_of(const struct line *l)
{
	size_t i;

	for (i = 0; i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'); i++)
		if (l->s[i] == '\t')
			return -1;
	return (int)i;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static int
line_is(const struct line *l, const char *word)
{
	const char *s = l->s;
	size_t n = l->n;

	trim(&s, &n);
	return n == strlen(word) && memcmp(s, word, n) == 0;
}

/* ---- emptiness ---------------------------------------------------------------------- */

/* Is the text S (N bytes, trimmed, outside any HTML comment) one that carries no task?
 * Blank, an ATX header, an empty list item, or a code-fence marker. */
static int
ignorable_text(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return 1;
	if (s[0] == '#') {		/* "# Title" and "#" are headers; "#tag" is content */
		while (i < n && s[i] == '#')
			i++;
		return i == n || s[i] == ' ' || s[i] == '\t';
	}
	if (s[0] == '-' || s[0] == '*' || s[0] == '+') {	/* "-", "- [ ]", "* [x]" */
		i = 1;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < n && s[i] == '[') {
			if (i + 2 < n && s[i + 2] == ']' &&
			    (s[i + 1] == ' ' || s[i + 1] == 'x' || s[i + 1] == 'X'))
				i += 3;
			else if (i + 1 < n && s[i + 1] == ']')
				i += 2;
			else
				return 0;
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
		}
		return i == n;
	}
	if (n >= 3 && memcmp(s, "```", 3) == 0) {	/* "```" or "```lang" */
		for (i = 3; i < n; i++)
			if (s[i] == '`' || isspace((unsigned char)s[i]))
				return 0;
		return 1;
	}
	return 0;
}

/* Does line L carry content? *IN_COMMENT tracks an HTML comment across lines. */
static int
line_has_content(const struct line *l, int *in_comment)
{
	const char *s = l->s, *end = l->s + l->n, *t;
	char *buf;
	size_t bn = 0, tn;
	int content;

	if (!*in_comment && memmem(s, l->n, "<!--", 4) == NULL) {	/* the usual case */
		t = s;
		tn = l->n;
		trim(&t, &tn);
		return !ignorable_text(t, tn);
	}
	buf = malloc(l->n + 1);		/* the text outside comments */
	if (buf == NULL)
		return 1;
	while (s < end) {
		if (*in_comment) {
			const char *c = memmem(s, (size_t)(end - s), "-->", 3);

			if (c == NULL)
				break;
			s = c + 3;
			*in_comment = 0;
		} else if (end - s >= 4 && memcmp(s, "<!--", 4) == 0) {
			*in_comment = 1;
			s += 4;
			buf[bn++] = ' ';
		} else {
			buf[bn++] = *s++;
		}
	}
	t = buf;
	tn = bn;
	trim(&t, &tn);
	content = !ignorable_text(t, tn);
	free(buf);
	return content;
}

/* ---- the tasks block ---------------------------------------------------------------- */

struct draft {
	struct task t;
	unsigned keys;
	int bad;
	size_t line;
};

static void
task_free(struct task *t)
{
	free(t->name);
	free(t->prompt);
	free(t->tz);
	free(t->model);
	free(t->agent);
	target_list_free(t->notify, t->nnotify);
	free(t->title);
	free(t->ping);
	free(t->check);
	free(t->triage);
	memset(t, 0, sizeof *t);
}

static const struct task *
find_task(const struct heartbeat *hb, const char *name)
{
	for (size_t i = 0; i < hb->ntasks; i++)
		if (strcmp(hb->tasks[i].name, name) == 0)
			return &hb->tasks[i];
	return NULL;
}

static void
draft_finish(struct parser *p, struct draft *d)
{
	struct heartbeat *hb = p->hb;
	struct task *nt;
	void *first = NULL;
	int r;

	if (d->t.name == NULL && !d->bad) {
		task_free(&d->t);
		return;
	}
	if (!d->bad && !(d->keys & (K_PROMPT | K_CHECK))) {
		diag(p, d->line, "task '%s' has no prompt", d->t.name);
		d->bad = 1;
	}
	if (!d->bad && (d->keys & K_TRIAGE) && !(d->keys & K_CHECK)) {
		diag(p, (size_t)d->t.triage_line - 1, "triage: asks about a check's findings: task "
		    "'%s' has no check:", d->t.name);
		d->bad = 1;
	}
	if (!d->bad && (d->keys & K_TRIAGE) && !(d->keys & K_PROMPT)) {
		diag(p, (size_t)d->t.triage_line - 1, "triage: decides whether the agent runs: "
		    "task '%s' has no prompt: for an agent", d->t.name);
		d->bad = 1;
	}
	if (!d->bad && d->t.prompt == NULL && (d->t.prompt = xstrndup(p, "", 0)) == NULL)
		d->bad = 1;
	if (!d->bad && !p->oom) {
		r = names_add(&p->names, d->t.name, (void *)(uintptr_t)hb->ntasks, &first);
		if (r < 0)
			p->oom = 1;
		if (r > 0) {
			diag(p, d->line, "duplicate task name '%s' (first at line %d)", d->t.name,
			    hb->tasks[(uintptr_t)first].line);
			d->bad = 1;
		}
	}
	if (d->bad || p->oom) {
		task_free(&d->t);
		return;
	}
	if (!(d->keys & K_SCHED)) {
		d->t.sched.kind = SCHED_INTERVAL;
		d->t.sched.interval = p->default_interval;
		d->t.sched.is_default = 1;
	}
	if (d->t.sched.kind == SCHED_INTERVAL && d->t.sched.interval == 0)
		d->t.enabled = 0;	/* every: 0m, whatever enabled: says */
	nt = grow(hb->tasks, hb->ntasks, sizeof *nt);
	if (nt == NULL) {
		p->oom = 1;
		names_remove(&p->names, d->t.name);
		task_free(&d->t);
		return;
	}
	hb->tasks = nt;
	hb->tasks[hb->ntasks++] = d->t;
	memset(&d->t, 0, sizeof d->t);
}

/* Reads a "|" or ">" block scalar for the key on line KEYLINE (indented KEYIND); returns
 * the value and sets *NEXT to the first line after the block. */
static char *
block_scalar(struct parser *p, size_t keyline, int keyind, int fold, size_t *next)
{
	enum { NONE, TEXT, MORE } prev = NONE;
	size_t i, last = keyline, len = 0, off = 0;
	int common = -1, blanks = 0, breaks, kind;
	char *v;

	for (i = keyline + 1; i < p->nlines; i++) {
		int ind = 0;

		if (is_blank(&p->lines[i]))
			continue;
		/* Only spaces indent; a tab after them is part of the text. */
		while ((size_t)ind < p->lines[i].n && p->lines[i].s[ind] == ' ')
			ind++;
		if (ind <= keyind)
			break;
		if (common < 0 || ind < common)
			common = ind;
		last = i;
	}
	*next = last + 1;
	for (i = keyline + 1; i <= last; i++)
		len += p->lines[i].n + 1;
	v = malloc(len + 1);
	if (v == NULL) {
		p->oom = 1;
		return NULL;
	}
	/* "|" keeps every line break. ">" folds as YAML does: a break between two lines of
	 * text becomes a space, each blank line between them one break, and the breaks around
	 * more-indented lines stay. */
	for (i = keyline + 1; i <= last; i++) {
		const struct line *l = &p->lines[i];

		if (is_blank(l)) {
			blanks++;
			continue;
		}
		kind = l->s[common] == ' ' ? MORE : TEXT;
		if (prev == NONE || !fold)
			breaks = blanks + (prev != NONE);
		else if (prev == TEXT && kind == TEXT)
			breaks = blanks;
		else
			breaks = blanks + 1;
		if (fold && prev == TEXT && kind == TEXT && blanks == 0)
			v[off++] = ' ';
		while (breaks-- > 0)
			v[off++] = '\n';
		memcpy(v + off, l->s + common, l->n - (size_t)common);
		off += l->n - (size_t)common;
		prev = kind;
		blanks = 0;
	}
	v[off] = '\0';
	while (off > 0 && isspace((unsigned char)v[off - 1]))	/* clip trailing blank lines */
		v[--off] = '\0';
	return v;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *yes[] = { "true", "yes", "on" }, *no[] = { "false", "no", "off" };

	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

#define ONE_SCHEDULE "a task has one schedule: interval, every, cron or at"

/* The keys of a task. A handler applies "KEY: VALUE" to the draft; it returns -1 when the
 * value is bad (said with diag), and the task is then skipped. KEY is the name as written. */
typedef int key_set(struct parser *p, struct draft *d, size_t line, const char *key,
    const char *value);

static key_set set_name, set_prompt, set_interval, set_cron, set_at, set_type, set_timeout,
    set_enabled, set_tz, set_model, set_agent, set_dangerous, set_notify, set_title,
    set_priority, set_active_hours, set_ping, set_budget, set_check, set_triage;

#define KEY_NONEMPTY	0x1	/* an empty value is an error ("empty KEY") */

static const struct key {
	const char *name;
	const char *alias;	/* another name for the same key, or NULL */
	unsigned bit;		/* keys that share a bit exclude each other */
	key_set *set;
	unsigned flags;		/* KEY_* */
	const char *twice;	/* the error for a second key of this bit; NULL: "duplicate" */
} keys[] = {
	{ "name", NULL, K_NAME, set_name, 0, NULL },
	{ "prompt", NULL, K_PROMPT, set_prompt, 0, NULL },
	{ "interval", "every", K_SCHED, set_interval, 0, ONE_SCHEDULE },
	{ "cron", NULL, K_SCHED, set_cron, 0, ONE_SCHEDULE },
	{ "at", NULL, K_SCHED, set_at, 0, ONE_SCHEDULE },
	{ "type", NULL, K_TYPE, set_type, 0, NULL },
	{ "timeout", NULL, K_TIMEOUT, set_timeout, 0, NULL },
	{ "enabled", NULL, K_ENABLED, set_enabled, 0, NULL },
	{ "tz", NULL, K_TZ, set_tz, KEY_NONEMPTY, NULL },
	{ "model", NULL, K_MODEL, set_model, KEY_NONEMPTY, NULL },
	{ "agent", NULL, K_AGENT, set_agent, KEY_NONEMPTY, NULL },
	{ "dangerous", NULL, K_DANGEROUS, set_dangerous, 0, NULL },
	{ "notify", NULL, K_NOTIFY, set_notify, KEY_NONEMPTY, NULL },
	{ "title", NULL, K_TITLE, set_title, KEY_NONEMPTY, NULL },
	{ "priority", NULL, K_PRIORITY, set_priority, KEY_NONEMPTY, NULL },
	{ "active_hours", "activeHours", K_ACTIVE, set_active_hours, KEY_NONEMPTY, NULL },
	{ "ping", NULL, K_PING, set_ping, KEY_NONEMPTY, NULL },
	{ "budget", NULL, K_BUDGET, set_budget, KEY_NONEMPTY, NULL },
	{ "check", NULL, K_CHECK, set_check, KEY_NONEMPTY, NULL },
	{ "triage", NULL, K_TRIAGE, set_triage, KEY_NONEMPTY, NULL },
};

#define NKEYS (sizeof keys / sizeof keys[0])

/* Whether KEY is likely a typo of the known key NAME: one edit away (two for keys of six
 * letters or more), or the same but for case. */
static int
key_typo(const char *key, const char *name)
{
	size_t n = strlen(name);
	int dist = names_distance(key, name);

	return (n > 2 && dist <= (n >= 6 ? 2 : 1)) || strcasecmp(key, name) == 0;
}

/* The known key (or alias) that KEY is likely a typo of, or NULL. */
static const char *
key_typo_of(const char *key)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (key_typo(key, keys[i].name))
			return keys[i].name;
		if (keys[i].alias != NULL && key_typo(key, keys[i].alias))
			return keys[i].alias;
	}
	return NULL;
}

static int
set_name(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	(void)key;
	if (!heartbeat_name_valid(value)) {
		diag(p, line, "bad task name '%s': use letters, digits, '-', '_' and '.', "
		    "at most %d, not starting with '_'", value, TASK_NAME_MAX);
		return -1;
	}
	d->t.name = xstrndup(p, value, strlen(value));
	return 0;
}

static int
set_prompt(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	(void)key;
	if (*value == '\0') {
		diag(p, line, "empty prompt");
		return -1;
	}
	d->t.prompt = xstrndup(p, value, strlen(value));
	return 0;
}

static int
set_interval(struct parser *p, struct draft *d, size_t line, const char *key,
    const char *value)
{
	const char *why = NULL;

	d->t.sched.kind = SCHED_INTERVAL;
	if (value[0] == '0' && (value[strspn(value, "0")] == '\0' ||
	    (strchr("smhdw", value[strspn(value, "0")]) != NULL &&
	    value[strspn(value, "0") + 1] == '\0'))) {
		d->t.sched.interval = 0;	/* OpenClaw's "every: 0m": the task is off */
		return 0;
	}
	if (duration_parse(value, &d->t.sched.interval, &why) != 0) {
		diag(p, line, "bad %s '%s': %s", key, value, why);
		return -1;
	}
	return 0;
}

static int
set_cron(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	char whyc[160];

	(void)key;
	d->t.sched.kind = SCHED_CRON;
	if (strlen(value) >= sizeof d->t.sched.expr) {
		diag(p, line, "cron expression too long");
		return -1;
	}
	if (cron_parse(value, &d->t.sched.cron, whyc, sizeof whyc) != 0) {
		diag(p, line, "bad cron '%s': %s", value, whyc);
		return -1;
	}
	snprintf(d->t.sched.expr, sizeof d->t.sched.expr, "%s", value);
	return 0;
}

static int
set_at(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	const char *why = NULL;

	(void)key;
	d->t.sched.kind = SCHED_AT;
	if (strlen(value) >= sizeof d->t.sched.expr ||
	    sched_parse_time(value, &d->t.sched.at_local, &d->t.sched.at_has_offset,
	    &d->t.sched.at_offset, &why) != 0) {
		diag(p, line, "bad at '%s': %s", value, why ? why : "too long");
		return -1;
	}
	snprintf(d->t.sched.expr, sizeof d->t.sched.expr, "%s", value);
	return 0;
}

static int
set_type(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	(void)key;
	if (strcmp(value, "agentTurn") == 0) {
		d->t.type = TASK_AGENT_TURN;
	} else if (strcmp(value, "systemEvent") == 0) {
		d->t.type = TASK_SYSTEM_EVENT;
	} else {
		diag(p, line, "bad type '%s': use agentTurn or systemEvent", value);
		return -1;
	}
	return 0;
}

static int
set_timeout(struct parser *p, struct draft *d, size_t line, const char *key,
    const char *value)
{
	const char *why = NULL;

	(void)key;
	if (duration_parse(value, &d->t.timeout, &why) != 0) {
		diag(p, line, "bad timeout '%s': %s", value, why);
		return -1;
	}
	return 0;
}

/* A yes-or-no key KEY into *FLAG. */
static int
set_flag(struct parser *p, size_t line, const char *key, const char *value, int *flag)
{
	if (parse_bool(value, flag) != 0) {
		diag(p, line, "bad %s '%s': use true or false (or yes/no, on/off)", key, value);
		return -1;
	}
	return 0;
}

static int
set_enabled(struct parser *p, struct draft *d, size_t line, const char *key,
    const char *value)
{
	return set_flag(p, line, key, value, &d->t.enabled);
}

static int
set_tz(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	(void)key;
	d->t.tz = xstrndup(p, value, strlen(value));
	d->t.tz_line = (int)line + 1;
	return 0;
}

static int
set_model(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	(void)line;
	(void)key;
	d->t.model = xstrndup(p, value, strlen(value));
	return 0;
}

static int
set_agent(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	(void)key;
	/* The name is checked against the configuration by the caller, which knows it. */
	if (!heartbeat_name_valid(value)) {
		diag(p, line, "bad agent name '%s': use letters, digits, '-', '_' and '.'", value);
		return -1;
	}
	d->t.agent = xstrndup(p, value, strlen(value));
	d->t.agent_line = (int)line + 1;
	return 0;
}

static int
set_dangerous(struct parser *p, struct draft *d, size_t line, const char *key,
    const char *value)
{
	return set_flag(p, line, key, value, &d->t.dangerous);
}

/* notify: one target or a list of them ("a, b" or "[a, 'b']"), each of which must parse.
 * A bad target is named with its secrets redacted. */
static int
set_notify(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	char err[200], shown[200];
	int bad = 0;

	(void)key;
	if (target_list_split(value, &d->t.notify, &d->t.nnotify, err, sizeof err) != 0) {
		if (strcmp(err, "out of memory") == 0)
			p->oom = 1;
		else
			diag(p, line, "bad notify: %s", err);
		return -1;
	}
	for (size_t i = 0; i < d->t.nnotify; i++) {
		struct target tg;

		if (target_parse(d->t.notify[i], &tg, err, sizeof err) != 0) {
			diag(p, line, "bad notify target '%s': %s",
			    target_redact(d->t.notify[i], shown, sizeof shown), err);
			bad = 1;
		}
		target_free(&tg);
	}
	d->t.notify_line = (int)line + 1;
	return bad ? -1 : 0;
}

static int
set_title(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	(void)line;
	(void)key;
	d->t.title = xstrndup(p, value, strlen(value));
	return 0;
}

static int
set_priority(struct parser *p, struct draft *d, size_t line, const char *key,
    const char *value)
{
	(void)key;
	if ((d->t.priority = target_priority_parse(value)) < 0) {
		diag(p, line, "bad priority '%s': use min, low, default, high or urgent (or 1 to "
		    "5)", value);
		return -1;
	}
	return 0;
}

/* active_hours: HH:MM-HH:MM in the task's zone; outside it the task waits, due. */
static int
set_active_hours(struct parser *p, struct draft *d, size_t line, const char *key,
    const char *value)
{
	char err[200];

	(void)key;
	if (hours_parse(value, &d->t.active, err, sizeof err) != 0) {
		diag(p, line, "bad active_hours: %s", err);
		return -1;
	}
	d->t.has_active = 1;
	return 0;
}

/* ping: a healthchecks.io or Cronitor URL; "none" turns [delivery] ping off for the task.
 * A bad URL is not quoted: its path is the check's key. */
static int
set_ping(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	enum ping_kind k;
	const char *u;
	char err[200];

	(void)key;
	if (strcmp(value, "none") != 0 && ping_parse(value, &k, &u, err, sizeof err) != 0) {
		diag(p, line, "bad ping: %s", err);
		return -1;
	}
	d->t.ping = xstrndup(p, value, strlen(value));
	return 0;
}

/* budget: a daily limit of tokens ("50000", "50k tokens"), of cost ("$0.50"), or both
 * ("50k tokens, $0.50"): see tasks/budget.h. */
static int
set_budget(struct parser *p, struct draft *d, size_t line, const char *key,
    const char *value)
{
	char err[200];

	(void)key;
	if (budget_parse(value, &d->t.budget, err, sizeof err) != 0) {
		diag(p, line, "bad budget '%s': %s", value, err);
		return -1;
	}
	d->t.has_budget = 1;
	return 0;
}

/* check: a command for /bin/sh -c, or a built-in with its arguments (checks/builtin.h). */
static int
set_check(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	char err[200];

	(void)key;
	if (check_validate(value, err, sizeof err) != 0) {
		diag(p, line, "bad check: %s", err);
		return -1;
	}
	d->t.check = xstrndup(p, value, strlen(value));
	d->t.check_line = (int)line + 1;
	return 0;
}

/* triage: the question the [triage] agent answers YES or NO about the findings. */
static int
set_triage(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	(void)key;
	d->t.triage = xstrndup(p, value, strlen(value));
	d->t.triage_line = (int)line + 1;
	return 0;
}

/* Applies "KEY: VALUE" (VALUE owned by the caller) to draft D; LINE for messages. */
static void
apply_key(struct parser *p, struct draft *d, size_t line, const char *key, const char *value)
{
	const struct key *k = NULL;
	const char *typo;

	for (size_t i = 0; i < NKEYS && k == NULL; i++)
		if (strcmp(key, keys[i].name) == 0 ||
		    (keys[i].alias != NULL && strcmp(key, keys[i].alias) == 0))
			k = &keys[i];
	if (k == NULL) {
		/* A warning, not an error: files written for OpenClaw or other tools carry keys
		 * of theirs (runAt:, activeHours:), and OpenClaw runs such a task. */
		if ((typo = key_typo_of(key)) != NULL)
			warn(p, line, "unknown key '%s' is ignored; did you mean '%s'?", key, typo);
		else
			warn(p, line, "unknown key '%s' is ignored", key);
		return;
	}
	if (d->keys & k->bit) {
		if (k->twice != NULL)
			diag(p, line, "%s", k->twice);
		else
			diag(p, line, "duplicate key '%s'", key);
		d->bad = 1;
		return;
	}
	d->keys |= k->bit;
	if ((k->flags & KEY_NONEMPTY) && *value == '\0') {
		diag(p, line, "empty %s", key);
		d->bad = 1;
		return;
	}
	if (k->set(p, d, line, key, value) != 0)
		d->bad = 1;
}

static int
starts_with(const char *s, size_t n, const char *word)
{
	return n >= strlen(word) && memcmp(s, word, strlen(word)) == 0;
}

/* Does line L (trimmed) read "- name:"? */
static int
is_task_item(const struct line *l)
{
	const char *s = l->s;
	size_t n = l->n;

	trim(&s, &n);
	if (!starts_with(s, n, "- "))
		return 0;
	s += 2, n -= 2;
	trim(&s, &n);
	return starts_with(s, n, "name:");
}

/* Is the indentation of L made of spaces and a no-break space (U+00A0), which looks like a
 * space in an editor but is not one? */
static int
nbsp_indent(const struct line *l)
{
	size_t i = 0;

	while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	return i + 1 < l->n && (unsigned char)l->s[i] == 0xc2 && (unsigned char)l->s[i + 1] == 0xa0;
}

/* Line I starts in column 0 inside the block: a "# comment" or a second "tasks:". Does the
 * block go on after it (the next line that is neither blank nor such a line is a task item
 * or an indented "key:")? Then it is a YAML comment, not the end of the block. */
static int
block_goes_on(const struct parser *p, size_t i)
{
	for (i++; i < p->nlines; i++) {
		const struct line *l = &p->lines[i];
		const char *s = l->s;
		size_t n = l->n, k = 0;

		if (is_blank(l) || l->s[0] == '#')
			continue;
		if (is_task_item(l))
			return 1;
		if (l->s[0] != ' ')
			return 0;
		trim(&s, &n);
		while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_' || s[k] == '-'))
			k++;
		return k > 0 && k < n && s[k] == ':' && (k + 1 == n || s[k + 1] == ' ');
	}
	return 0;
}

/* Does S (N bytes, after an item's '-') start with "KEY:", KEY a task's key or a typo of one?
 * Then the item is a task gone wrong, not a Markdown list. */
static int
names_task_key(const char *s, size_t n)
{
	char key[32];
	size_t k = 0;

	trim(&s, &n);
	while (k < n && k < sizeof key - 1 && (isalnum((unsigned char)s[k]) || s[k] == '_'))
		k++;
	if (k == 0 || k >= n || s[k] != ':')
		return 0;
	memcpy(key, s, k);
	key[k] = '\0';
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(key, keys[i].name) == 0)
			return 1;
	return key_typo_of(key) != NULL;
}

/* Parses the block from line FIRST; returns the first line after it. */
static size_t
parse_block(struct parser *p, size_t first)
{
	struct draft d;
	int in_task = 0, dash_ind = 0, item_ind = -1, after_blank = 0;
	size_t i;

	memset(&d, 0, sizeof d);
	for (i = first; i < p->nlines && !p->oom;) {
		const struct line *l = &p->lines[i];
		const char *s, *colon, *v;
		size_t n, vn, klen;
		char key[32], *value;
		int ind, item = 0;

		if (is_blank(l)) {
			after_blank = 1;
			i++;
			continue;
		}
		if (memchr(l->s, '\0', l->n) != NULL) {
			diag(p, i, "NUL byte in the line (is this a text file?)");
			d.bad = 1;
			i++;
			continue;
		}
		if (nbsp_indent(l)) {
			const char *t = l->s;
			size_t tn = l->n;

			diag(p, i, "no-break space (U+00A0) in the indentation; indent with spaces");
			while (tn > 0 && (*t == ' ' || *t == '\t' || (tn > 1 &&
			    (unsigned char)t[0] == 0xc2 && (unsigned char)t[1] == 0xa0))) {
				tn -= *t == ' ' || *t == '\t' ? 1 : 2;
				t += *t == ' ' || *t == '\t' ? 1 : 2;
			}
			if (starts_with(t, tn, "- ")) {
				/* an item: skip its lines as one bad task */
				if (in_task)
					draft_finish(p, &d);
				memset(&d, 0, sizeof d);
				in_task = 1;
				d.line = i;
				dash_ind = 0;
			}
			d.bad = 1;
			i++;
			continue;
		}
		if (l->s[0] != ' ' && l->s[0] != '\t' && l->s[0] != '-') {
			if (l->s[0] != '#' && !line_is(l, "tasks:"))
				break;		/* the block ends here */
			if (!block_goes_on(p, i))
				break;
			if (line_is(l, "tasks:"))
				warn(p, i, "a second 'tasks:' line (the block starts at line %zu); "
				    "the tasks after it belong to the block", first);
			i++;
			continue;
		}
		ind = indent_of(l);
		if (ind < 0) {
			diag(p, i, "tab in indentation; indent with spaces");
			d.bad = 1;
			i++;
			continue;
		}
		s = l->s + ind;
		n = l->n - (size_t)ind;
		if (*s == '#') {	/* a YAML comment */
			i++;
			continue;
		}
		if (*s == '-' && (n == 1 || s[1] == ' ') && !is_task_item(l) &&
		    !names_task_key(s + 1, n - 1) && (item_ind < 0 || ind < item_ind || (ind == item_ind && after_blank))) {
			/* A Markdown list after the block (OpenClaw ends its block there too): less
			 * indented than the tasks, it plainly is one; otherwise say so. */
			if (item_ind < 0 || ind >= item_ind)
				warn(p, i, "'%.*s' is not a task ('- name: ...'): the tasks: block "
				    "ends here", (int)(n > 40 ? 40 : n), s);
			break;
		}
		after_blank = 0;
		if (*s == '-' && (n == 1 || s[1] == ' ')) {
			item = 1;
			if (item_ind < 0)
				item_ind = ind;
			s++, n--;
			trim(&s, &n);
			if (n < 5 || memcmp(s, "name:", 5) != 0) {
				diag(p, i, "a task starts with '- name:'");
				if (in_task)
					draft_finish(p, &d);
				memset(&d, 0, sizeof d);
				d.bad = 1;	/* skip its lines, but report them */
				in_task = 1;
				d.line = i;
				dash_ind = ind;
				i++;
				continue;
			}
			if (in_task)
				draft_finish(p, &d);
			memset(&d, 0, sizeof d);
			d.t.enabled = 1;
			d.line = i;
			d.t.line = (int)i + 1;
			in_task = 1;
			dash_ind = ind;
		} else if (!in_task) {
			diag(p, i, "expected a task ('- name: ...')");
			i++;
			continue;
		} else if (ind <= dash_ind) {
			diag(p, i, "'%.*s' is not indented under its task", (int)(n > 40 ? 40 : n), s);
			d.bad = 1;
			i++;
			continue;
		}
		trim(&s, &n);
		colon = memchr(s, ':', n);
		klen = colon ? (size_t)(colon - s) : 0;
		for (size_t k = 0; k < klen; k++)
			if (!isalnum((unsigned char)s[k]) && s[k] != '_' && s[k] != '-')
				klen = 0;
		if (klen == 0 || klen >= sizeof key ||
		    ((size_t)(colon - s) + 1 < n && colon[1] != ' ' && colon[1] != '\t')) {
			diag(p, i, "expected 'key: value'");
			d.bad = 1;
			i++;
			continue;
		}
		memcpy(key, s, klen);
		key[klen] = '\0';
		v = colon + 1;
		vn = n - klen - 1;
		trim(&v, &vn);
		if (vn >= 1 && (v[0] == '|' || v[0] == '>') &&
		    (vn == 1 || (vn == 2 && (v[1] == '-' || v[1] == '+')))) {
			/* the key sits at the dash's indent + 2 on an item line */
			int keyind = item ? dash_ind : ind;
			size_t next;

			value = block_scalar(p, i, keyind, v[0] == '>', &next);
			if (value != NULL)
				apply_key(p, &d, i, key, value);
			free(value);
			i = next;
			continue;
		}
		/* a notify: list reads its own quotes, item by item ("a", "b") */
		if (vn >= 2 && (v[0] == '"' || v[0] == '\'') && v[vn - 1] == v[0] &&
		    strcmp(key, "notify") != 0) {
			v++;
			vn -= 2;
		}
		value = xstrndup(p, v, vn);
		if (value != NULL)
			apply_key(p, &d, i, key, value);
		free(value);
		i++;
	}
	if (in_task)
		draft_finish(p, &d);
	task_free(&d.t);
	return i;
}

/* ---- the whole file ----------------------------------------------------------------- */

static int
split_lines(struct parser *p, const char *text, size_t len)
{
	size_t cap = 64, i = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {	/* UTF-8 BOM */
		text += 3;
		len -= 3;
	}
	p->lines = malloc(cap * sizeof *p->lines);
	if (p->lines == NULL)
		return -1;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		if (p->nlines == cap) {
			struct line *nlines = realloc(p->lines, 2 * cap * sizeof *nlines);

			if (nlines == NULL)
				return -1;
			p->lines = nlines;
			cap *= 2;
		}
		p->lines[p->nlines].s = text + i;
		p->lines[p->nlines].n = n > 0 && text[i + n - 1] == '\r' ? n - 1 : n;
		p->nlines++;
		i += n + 1;
	}
	return 0;
}

/* Joins lines [A, B) into a string, without leading and trailing blank lines. */
static char *
join_lines(struct parser *p, size_t a, size_t b, char *into, size_t *off)
{
	while (a < b && is_blank(&p->lines[a]))
		a++;
	while (b > a && is_blank(&p->lines[b - 1]))
		b--;
	for (size_t i = a; i < b; i++) {
		if (*off > 0)	/* also between the text before the block and after it */
			into[(*off)++] = '\n';
		memcpy(into + *off, p->lines[i].s, p->lines[i].n);
		*off += p->lines[i].n;
	}
	into[*off] = '\0';
	return into;
}

/* A leading YAML front matter block ("---" ... "---" or "..."), metadata for other tools:
 * returns the first line after it, or 0 when there is none. */
static size_t
front_matter(const struct parser *p)
{
	if (p->nlines == 0 || !line_is(&p->lines[0], "---") || p->lines[0].s[0] != '-')
		return 0;
	for (size_t i = 1; i < p->nlines; i++)
		if (p->lines[i].s[0] == '-' ? line_is(&p->lines[i], "---") :
		    p->lines[i].s[0] == '.' && line_is(&p->lines[i], "..."))
			return i + 1;
	return 0;
}

#define NONE ((size_t)-1)

/* Where the tasks: lines are, from line FROM up to line TO. */
struct tasks_lines {
	size_t block;		/* the first one outside fences and comments: the block */
	int has_block;
	int commented;		/* one inside an HTML comment: the block is switched off */
	size_t fenced, fence;	/* the first one in an untagged, yaml or yml fence, and the
				 * line of that fence; fence == NONE: none */
	size_t example;		/* the first one in any fence followed by a task, or NONE */
};

/* Is S (N bytes, trimmed) a fence marker that may hold YAML: "```", "```yaml", "```yml"? */
static int
yaml_fence(const char *s, size_t n)
{
	s += 3, n -= 3;
	trim(&s, &n);
	return n == 0 || (n == 4 && strncasecmp(s, "yaml", 4) == 0) ||
	    (n == 3 && strncasecmp(s, "yml", 3) == 0);
}

/* Does line L read "tasks:" once the comment marks around it are taken off? */
static int
commented_tasks(const struct line *l)
{
	const char *s = l->s;
	size_t n = l->n;

	trim(&s, &n);
	if (starts_with(s, n, "<!--"))
		s += 4, n -= 4;
	if (n >= 3 && memcmp(s + n - 3, "-->", 3) == 0)
		n -= 3;
	trim(&s, &n);
	return n == 6 && memcmp(s, "tasks:", 6) == 0;
}

/* Finds the tasks: lines of lines [FROM, TO); stops at the block when STOP is set. A fence
 * marker inside a comment is no fence, and a "<!--" inside a fence no comment. */
static void
find_tasks_lines(const struct parser *p, size_t from, size_t to, int stop, struct tasks_lines *w)
{
	int in_comment = 0, in_fence = 0, usable = 0;
	size_t fence = 0;

	memset(w, 0, sizeof *w);
	w->fence = w->example = NONE;
	for (size_t i = from; i < to; i++) {
		const struct line *l = &p->lines[i];
		const char *s = l->s;
		size_t n = l->n;
		int was_in_comment = in_comment;

		trim(&s, &n);
		if (!in_comment && starts_with(s, n, "```")) {
			if (!in_fence) {
				fence = i;
				usable = yaml_fence(s, n);
			}
			in_fence = !in_fence;
			continue;
		}
		if (in_fence) {
			if (!line_is(l, "tasks:"))
				continue;
			if (usable && w->fence == NONE) {
				w->fenced = i;
				w->fence = fence;
			}
			if (w->example == NONE && i + 1 < to && is_task_item(&p->lines[i + 1]))
				w->example = i;
			continue;
		}
		line_has_content(l, &in_comment);	/* tracks the comment state */
		if (!was_in_comment && line_is(l, "tasks:") && !w->has_block) {
			w->has_block = 1;
			w->block = i;
			if (stop)
				return;
		} else if ((was_in_comment || in_comment || memmem(l->s, l->n, "<!--", 4) != NULL) &&
		    commented_tasks(l)) {
			w->commented = 1;
		}
	}
}

/* The block ended at line END: a task item or a tasks: line from line FROM on is read as
 * context, which is rarely what was meant. */
static void
stray_tasks(struct parser *p, size_t start, size_t end, size_t from)
{
	int in_comment = 0, in_fence = 0;
	const struct line *e = &p->lines[end];

	for (size_t i = from; i < p->nlines; i++) {
		const struct line *l = &p->lines[i];
		const char *s = l->s;
		size_t n = l->n;
		int was_in_comment = in_comment;

		trim(&s, &n);
		if (!in_comment && starts_with(s, n, "```")) {
			in_fence = !in_fence;
			continue;
		}
		line_has_content(l, &in_comment);
		if (in_fence || was_in_comment)
			continue;
		if (line_is(l, "tasks:")) {
			warn(p, i, "a second tasks: block (the first is at line %zu) is read as "
			    "context; put every task in one block", start + 1);
			return;
		}
		if (is_task_item(l)) {
			warn(p, i, "this task is outside the tasks: block, which line %zu ('%.*s') "
			    "ended; it is read as context", end + 1, (int)(e->n > 30 ? 30 : e->n),
			    e->s);
			return;
		}
	}
}

int
heartbeat_parse(const char *text, size_t len, long long default_interval, struct heartbeat *hb)
{
	struct parser p;
	struct tasks_lines w;
	size_t i, start = 0, end = 0, off = 0, fm = 0, nd, ne;
	size_t fence = NONE, close = 0;	/* a block in a code fence: its marker lines */
	int in_comment = 0, content = 0, no_tasks = 0, implicit;
	char *ctx = NULL;

	memset(hb, 0, sizeof *hb);
	memset(&p, 0, sizeof p);
	p.hb = hb;
	p.default_interval = default_interval;
	if (len >= 2 && (memcmp(text, "\xff\xfe", 2) == 0 || memcmp(text, "\xfe\xff", 2) == 0 ||
	    text[0] == '\0' || text[1] == '\0')) {
		/* Every other byte a NUL: nothing in it would parse as meant. */
		diag(&p, 0, "the file is UTF-16 (or binary); save it as UTF-8");
		if (p.oom)
			goto oom;
		return 0;
	}
	if (split_lines(&p, text, len) != 0)
		goto oom;
	fm = front_matter(&p);

	/* The block is the first tasks: line outside code fences and HTML comments. Without
	 * one, OpenClaw still runs a block in a fence (files written for it put the block in a
	 * ```yaml fence under "run the tasks below"), so the first one in a fence that may hold
	 * YAML is the block; unless a commented-out tasks: line says the block is off. */
	find_tasks_lines(&p, fm, p.nlines, 1, &w);
	if (w.has_block) {
		hb->has_block = 1;
		start = w.block;
	} else if (!w.commented && w.fence != NONE) {
		hb->has_block = 1;
		start = w.fenced;
		fence = w.fence;
		for (close = start + 1; close < p.nlines; close++) {
			const char *s = p.lines[close].s;
			size_t n = p.lines[close].n;

			trim(&s, &n);
			if (starts_with(s, n, "```"))
				break;
		}
	}
	if (hb->has_block) {
		size_t nlines = p.nlines;

		nd = hb->ndiags;
		ne = hb->nerrors;
		if (fence != NONE)
			p.nlines = close;	/* the block ends at the closing fence too */
		end = parse_block(&p, start + 1);
		p.nlines = nlines;
		if (hb->ntasks == 0 && hb->nerrors == ne) {
			/* Nothing task-like in it (a list that ends it is not a mistake then): as
			 * OpenClaw, the file is read as if it had no block. */
			no_tasks = 1;
			hb->ndiags = nd;
		}
	}
	if (hb->has_block && fence == NONE) {
		if (end < p.nlines)
			stray_tasks(&p, start, end, end);
		if (w.example == NONE) {	/* none before the block: one after it? */
			struct tasks_lines after;

			find_tasks_lines(&p, end, p.nlines, 0, &after);
			w.example = after.example;
		}
	} else if (fence != NONE && close + 1 < p.nlines) {
		stray_tasks(&p, start, close, close + 1);
	}
	if (fence == NONE && w.example != NONE)
		warn(&p, w.example, "the tasks: block inside a code fence is ignored; take it out "
		    "of the fence to run its tasks");
	if (p.oom)
		goto oom;

	/* Context: the lines outside the block, its fence and the front matter. */
	for (i = fm; i < p.nlines; i++) {
		if (hb->has_block && i >= start && i < end)
			continue;
		if (memchr(p.lines[i].s, '\0', p.lines[i].n) != NULL)
			diag(&p, i, "NUL byte in the line (is this a text file?)");
		if (fence != NONE && (i == fence || i == close))
			continue;
		if (line_has_content(&p.lines[i], &in_comment))
			content = 1;
	}
	implicit = content && (!hb->has_block || no_tasks);
	if (content) {
		ctx = malloc(len + 2);
		if (ctx == NULL)
			goto oom;
		/* join_lines adds a '\n' between the parts that add text */
		if (implicit) {
			join_lines(&p, fm, p.nlines, ctx, &off);
		} else if (fence == NONE) {
			join_lines(&p, fm, start, ctx, &off);
			join_lines(&p, end, p.nlines, ctx, &off);
		} else {
			join_lines(&p, fm, fence, ctx, &off);
			join_lines(&p, fence + 1, start, ctx, &off);
			join_lines(&p, end, close, ctx, &off);
			if (close < p.nlines)
				join_lines(&p, close + 1, p.nlines, ctx, &off);
		}
	}
	if (implicit && hb->has_block)
		note(&p, start, "the tasks: block has no tasks; the whole file is the task '%s'",
		    IMPLICIT_NAME);
	else if (fence != NONE && hb->ntasks > 0)
		note(&p, start, "the tasks: block inside a code fence is used, as OpenClaw does");
	if (p.oom)
		goto oom;

	if (implicit) {
		/* An OpenClaw checklist: the whole file is one task. */
		struct task *t = calloc(1, sizeof *t);
		size_t plen = strlen(IMPLICIT_PROMPT) + strlen(ctx) + 32;

		if (t == NULL)
			goto oom;
		hb->tasks = t;
		hb->ntasks = 1;
		hb->implicit = 1;
		t->line = 1;
		t->enabled = 1;
		t->type = TASK_AGENT_TURN;
		t->sched.kind = SCHED_INTERVAL;
		t->sched.interval = default_interval;
		t->sched.is_default = 1;
		t->name = xstrndup(&p, IMPLICIT_NAME, strlen(IMPLICIT_NAME));
		t->prompt = malloc(plen);
		if (t->name == NULL || t->prompt == NULL)
			goto oom;
		snprintf(t->prompt, plen, "%s\n\nHEARTBEAT.md:\n%s", IMPLICIT_PROMPT, ctx);
		free(ctx);
		ctx = NULL;
	}
	/* Problems in line order: a task's missing prompt is found at its end. */
	for (i = 1; i < hb->ndiags; i++)
		for (size_t k = i; k > 0 && hb->diags[k - 1].line > hb->diags[k].line; k--) {
			struct hb_diag tmp = hb->diags[k];

			hb->diags[k] = hb->diags[k - 1];
			hb->diags[k - 1] = tmp;
		}
	hb->context = ctx;
	/* Effectively empty: no task, nothing wrong, and no real text. (A tasks: block with no
	 * task beside real text makes the implicit task.) */
	hb->empty = hb->ntasks == 0 && hb->ndiags == 0 && !content;
	names_free(&p.names);
	free(p.lines);
	return 0;
oom:
	free(ctx);
	names_free(&p.names);
	free(p.lines);
	heartbeat_free(hb);
	return -1;
}

void
heartbeat_free(struct heartbeat *hb)
{
	for (size_t i = 0; i < hb->ntasks; i++)
		task_free(&hb->tasks[i]);
	free(hb->tasks);
	free(hb->context);
	free(hb->diags);
	free(hb->notes);
	memset(hb, 0, sizeof *hb);
}

char *
heartbeat_prompt(const struct heartbeat *hb, const struct task *t)
{
	size_t len = strlen(t->prompt) + 1;
	char *s;

	if (hb->context != NULL)
		len += strlen(hb->context) + sizeof CONTEXT_HEADER + 4;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	if (hb->context != NULL)
		snprintf(s, len, "%s\n\n" CONTEXT_HEADER "\n%s", t->prompt, hb->context);
	else
		snprintf(s, len, "%s", t->prompt);
	return s;
}

char *
heartbeat_batch_text(const struct task *const *tasks, size_t n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	fprintf(f, "Several heartbeat tasks are due at once; each has a heading below. Work "
	    "through each one. Reply HEARTBEAT_OK alone when none of them needs attention; "
	    "otherwise answer under each task's heading.");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\n\n## Task: %s\n\n%s", tasks[i]->name, tasks[i]->prompt);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

void
heartbeat_drop(struct heartbeat *hb, size_t i, int line, const char *msg)
{
	struct hb_diag *d = grow(hb->diags, hb->ndiags, sizeof *d);

	if (d != NULL) {
		hb->diags = d;
		d[hb->ndiags].line = line;
		d[hb->ndiags].warn = 0;
		hb->nerrors++;
		snprintf(d[hb->ndiags].msg, sizeof d[hb->ndiags].msg, "%s", msg);
		hb->ndiags++;
	}
	task_free(&hb->tasks[i]);
	memmove(&hb->tasks[i], &hb->tasks[i + 1], (hb->ntasks - i - 1) * sizeof *hb->tasks);
	hb->ntasks--;
	hb->empty = 0;
}

const struct task *
heartbeat_find(const struct heartbeat *hb, const char *name)
{
	return find_task(hb, name);
}

int
heartbeat_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > TASK_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && strchr("-_.", name[i]) == NULL)
			return 0;
	/* State keys that start with '_' are hb-run's own; "." and ".." read as paths. */
	return name[0] != '_' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

const char *
task_type_name(enum task_type t)
{
	return t == TASK_SYSTEM_EVENT ? "systemEvent" : "agentTurn";
}
