/* activity.c - the activity model: the log's entries of a window counted per task, per day
 * and per timeline column, with the newest alerts and failures kept whole. The log is read
 * a line at a time, so a year of it costs what one line does in memory. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/activity.h"
#include "tasks/tz.h"

#define ROTATED_MAX 99		/* PATH.1 ... PATH.99 */
#define TEXT_LIST_MAX 10	/* items of a list the text shows */
#define TEXT_LINE_MAX 120	/* characters of an alert the text shows */
#define OTHER_TASKS "..."

static const char *const outcome_names[ACT_NOUTCOMES] = {
	"ok", "delivered", "clear", "triaged_out", "failed", "interrupted", "deferred",
	"over_budget", "other"
};

/* The local day of T (days since 1970) in A's zone. */
static long long
day_of(const struct activity *a, long long t)
{
	long long l = t + (a->zone ? tz_offset(a->zone, t) : 0);

	return l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
}

int
activity_init(struct activity *a, long long since, long long until, const struct tz *zone)
{
	long long last;

	memset(a, 0, sizeof *a);
	a->since = since;
	a->until = until < since ? since : until;
	a->zone = zone;
	a->first_day = day_of(a, a->since);
	last = day_of(a, a->until);
	if (last - a->first_day + 1 > ACT_DAYS_MAX)
		a->first_day = last - ACT_DAYS_MAX + 1;
	a->ndays = (size_t)(last - a->first_day + 1);
	a->days = calloc(a->ndays, sizeof *a->days);
	return a->days != NULL ? 0 : -1;
}

/* Frees what item IT holds and empties it. */
static void
item_free(struct act_item *it)
{
	free(it->task);
	free(it->status);
	free(it->text);
	free(it->note);
	free(it->targets);
	memset(it, 0, sizeof *it);
}

void
activity_free(struct activity *a)
{
	for (size_t i = 0; i < a->ntasks; i++)
		free(a->tasks[i].name);
	free(a->tasks);
	free(a->days);
	for (size_t i = 0; i < ACT_LIST_MAX; i++) {
		item_free(&a->alerts.item[i]);
		item_free(&a->failures.item[i]);
	}
	memset(a, 0, sizeof *a);
}

enum act_outcome
activity_outcome(const char *status, const char *verdict)
{
	static const struct {
		const char *status;
		enum act_outcome o;
	} map[] = {
		{ "error", ACT_FAILED }, { "timeout", ACT_FAILED },
		{ "interrupted", ACT_INTERRUPTED }, { "deferred", ACT_DEFERRED },
		{ "over_budget", ACT_OVER_BUDGET }, { "triaged_out", ACT_TRIAGED },
	};

	if (status == NULL)
		return ACT_OTHER;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(status, map[i].status) == 0)
			return map[i].o;
	/* a check that delivers its findings itself ran too */
	if (verdict != NULL && strcmp(verdict, "delivered") == 0)
		return ACT_DELIVERED;
	if (verdict != NULL && strcmp(verdict, "undelivered") == 0)
		return ACT_FAILED;	/* it had something to say, and nobody heard it */
	if (strcmp(status, "clear") == 0)
		return ACT_CLEAR;
	if (strcmp(status, "ok") == 0)
		return ACT_OK;
	return ACT_OTHER;
}

const char *
activity_outcome_name(enum act_outcome o)
{
	return o < ACT_NOUTCOMES ? outcome_names[o] : "?";
}

/* The task NAME of A, added when new; past ACT_TASKS_MAX, the catch-all "...". */
static struct act_task *
task_of(struct activity *a, const char *name)
{
	size_t *last = &a->hint;	/* entries come in runs of one task: look there first */
	struct act_task *t;

	if (*last < a->ntasks && strcmp(a->tasks[*last].name, name) == 0)
		return &a->tasks[*last];
	for (size_t i = 0; i < a->ntasks; i++)
		if (strcmp(a->tasks[i].name, name) == 0)
			return &a->tasks[*last = i];
	if (a->ntasks >= ACT_TASKS_MAX) {
		a->truncated = 1;
		name = OTHER_TASKS;
		for (size_t i = 0; i < a->ntasks; i++)
			if (strcmp(a->tasks[i].name, name) == 0)
				return &a->tasks[*last = i];
	}
	t = realloc(a->tasks, (a->ntasks + 1) * sizeof *t);
	if (t == NULL)
		return NULL;
	a->tasks = t;
	t += a->ntasks;
	memset(t, 0, sizeof *t);
	if ((t->name = strdup(name)) == NULL)
		return NULL;
	*last = a->ntasks++;
	return t;
}

/* String KEY of E, or NULL. */
static const char *
str_of(const cJSON *e, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, key));
}

/* Number KEY of E, or -1 when it is absent or not a number. */
static double
num_of(const cJSON *e, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);

	return cJSON_IsNumber(v) && v->valuedouble >= 0 ? v->valuedouble : -1;
}

/* Adds a run's cost to C. */
static void
count_usage(struct act_counts *c, const cJSON *e)
{
	static const char *const in[] = { "input_tokens", "triage_input_tokens" };
	static const char *const out[] = { "output_tokens", "triage_output_tokens" };
	static const char *const cost[] = { "cost_usd", "triage_cost_usd" };
	double v;

	for (size_t i = 0; i < 2; i++) {
		if ((v = num_of(e, in[i])) > 0)
			c->tokens_in += (long long)v;
		if ((v = num_of(e, out[i])) > 0)
			c->tokens_out += (long long)v;
		if ((v = num_of(e, cost[i])) > 0)
			c->cost_usd += v;
	}
}

/* Counts a run of outcome O in C, or an outbox event (SENT or not) when O is ACT_NOUTCOMES. */
static void
count_one(struct act_counts *c, enum act_outcome o, int sent, const cJSON *e)
{
	if (o < ACT_NOUTCOMES) {
		c->n[o]++;
		c->runs++;
		count_usage(c, e);
	} else if (sent) {
		c->outbox_sent++;
	} else {
		c->outbox_failed++;
	}
}

/* A copy of the last ACT_TAIL_MAX bytes of S, from a line start where one is near, never
 * inside a UTF-8 sequence; NULL for an empty S. */
static char *
tail_of(const char *s)
{
	size_t n;
	const char *p, *nl;

	if (s == NULL || *s == '\0')
		return NULL;
	n = strlen(s);
	if (n <= ACT_TAIL_MAX)
		return strdup(s);
	p = s + n - ACT_TAIL_MAX;
	nl = memchr(p, '\n', ACT_TAIL_MAX / 4);
	if (nl != NULL)
		p = nl + 1;
	while (((unsigned char)*p & 0xC0) == 0x80)
		p++;
	return strdup(p);
}

/* "ntfy://host/topic delivered, stdout delivered": what became of the reply at its targets. */
static char *
targets_of(const cJSON *e)
{
	const cJSON *d, *arr = cJSON_GetObjectItemCaseSensitive(e, "deliveries");
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
		return NULL;
	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	cJSON_ArrayForEach(d, arr) {
		const char *t = str_of(d, "target"), *r = str_of(d, "result");

		fprintf(f, "%s%s %s", d == arr->child ? "" : ", ", t ? t : "?", r ? r : "?");
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Keeps entry E (of TASK) as the newest item of L. Returns 0, or -1 when memory ran out. */
static int
keep(struct act_list *l, const cJSON *e, long long ts, const char *task, const char *status,
    int alert)
{
	struct act_item *it = &l->item[l->seen % ACT_LIST_MAX];
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(e, "exit");
	const char *note = str_of(e, "note");
	double v;

	item_free(it);
	l->seen++;
	it->ts = ts;
	it->task = strdup(task);
	it->status = strdup(status);
	if (it->task == NULL || it->status == NULL)
		return -1;
	it->text = alert ? (str_of(e, "reply") ? strdup(str_of(e, "reply")) : NULL) :
	    tail_of(str_of(e, "stderr"));
	if (note != NULL && *note != '\0' && (it->note = strdup(note)) == NULL)
		return -1;
	if (alert)
		it->targets = targets_of(e);
	if (cJSON_IsNumber(x)) {
		it->has_exit = 1;
		it->exit_code = x->valueint;
	}
	if ((v = num_of(e, "signal")) > 0)
		it->signal = (int)v;
	if ((v = num_of(e, "duration_ms")) >= 0)
		it->duration_ms = (long long)v;
	it->outbox = alert && str_of(e, "reason") && strcmp(str_of(e, "reason"), "outbox") == 0;
	return 0;
}

int
activity_add(struct activity *a, const cJSON *e)
{
	const cJSON *tsv = cJSON_GetObjectItemCaseSensitive(e, "ts");
	const char *task = str_of(e, "task"), *status = str_of(e, "status");
	const char *reason = str_of(e, "reason");
	enum act_outcome o = ACT_NOUTCOMES;
	struct act_task *t;
	long long ts, day;
	int sent = 0, event;

	if (!cJSON_IsNumber(tsv) || !isfinite(tsv->valuedouble))
		return 0;
	ts = (long long)tsv->valuedouble;
	if (ts < a->since || ts > a->until)
		return 0;
	if (task == NULL || *task == '\0')
		task = "?";
	if (status == NULL)
		status = "?";
	a->entries++;
	/* a message the outbox sent, or gave up on, at a later tick: not a run */
	event = reason != NULL && strcmp(reason, "outbox") == 0 &&
	    cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "tries"));
	if (event)
		sent = strcmp(status, "delivered") == 0;
	else
		o = activity_outcome(status, str_of(e, "reply_verdict"));
	if ((t = task_of(a, task)) == NULL)
		return -1;
	count_one(&t->c, o, sent, e);
	count_one(&a->total, o, sent, e);
	day = day_of(a, ts) - a->first_day;
	if (day >= 0 && (size_t)day < a->ndays)
		count_one(&a->days[day], o, sent, e);
	if (o < ACT_NOUTCOMES) {
		long long span = a->until - a->since + 1;
		size_t bin = (size_t)((double)(ts - a->since) * ACT_BINS / (double)span);

		t->bins[bin < ACT_BINS ? bin : ACT_BINS - 1][o]++;
	}
	if (o == ACT_DELIVERED || (event && sent))
		return keep(&a->alerts, e, ts, t->name, status, 1);
	if (o == ACT_FAILED || (event && strcmp(status, "expired") == 0))
		return keep(&a->failures, e, ts, t->name, status, 0);
	return 0;
}

const struct act_item *
activity_item(const struct act_list *l, size_t i)
{
	if (i >= l->seen || i >= ACT_LIST_MAX)
		return NULL;
	return &l->item[(l->seen - 1 - i) % ACT_LIST_MAX];
}

/* Whether LINE surely lies outside A's window, read without parsing the whole line: log.c
 * writes {"time":"...","ts":N first. Any other line is parsed. */
static int
outside_window(const struct activity *a, const char *line, size_t len)
{
	static const char head[] = "{\"time\":\"", ts[] = ",\"ts\":";
	const char *p, *end = line + (len < 128 ? len : 128);
	char *stop;
	double v;

	if (len < sizeof head || memcmp(line, head, sizeof head - 1) != 0)
		return 0;
	for (p = line + sizeof head - 1; p < end && *p != '"' && *p != '\\'; p++)
		;
	if (p >= end || *p != '"' || (size_t)(end - p) < sizeof ts ||
	    memcmp(p + 1, ts, sizeof ts - 1) != 0)
		return 0;
	p += sizeof ts;
	errno = 0;
	v = strtod(p, &stop);
	if (stop == p || errno != 0 || (*stop != ',' && *stop != '}'))
		return 0;
	return v < (double)a->since || v >= (double)a->until + 1;
}

/* Reads one file into A. A missing file has no entries. */
static int
read_one(const char *path, struct activity *a, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		cJSON *o;

		if (outside_window(a, line, (size_t)n))
			continue;
		o = cJSON_ParseWithLength(line, (size_t)n);
		if (!cJSON_IsObject(o)) {
			a->unreadable += line[0] != '\n';
		} else if (activity_add(a, o) != 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			ret = -1;
		}
		cJSON_Delete(o);
		if (ret != 0)
			break;
	}
	if (ret == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ret = -1;
	}
	free(line);
	fclose(f);
	return ret;
}

int
activity_read(const char *path, struct activity *a, char *err, size_t errlen)
{
	char rotated[4096];
	int k;

	/* log.c rotates to PATH.1; older copies, where something keeps them, are PATH.2 ... */
	for (k = 0; k < ROTATED_MAX; k++) {
		snprintf(rotated, sizeof rotated, "%s.%d", path, k + 1);
		if (access(rotated, F_OK) != 0)
			break;
	}
	for (; k > 0; k--) {
		snprintf(rotated, sizeof rotated, "%s.%d", path, k);
		if (read_one(rotated, a, err, errlen) != 0)
			return -1;
	}
	return read_one(path, a, err, errlen);
}

void
activity_day(long long d, char *buf, size_t len)
{
	int64_t y;
	int m, dd;

	tz_civil_from_days(d, &y, &m, &dd);
	snprintf(buf, len, "%04lld-%02d-%02d", (long long)y, m, dd);
}

void
activity_time(const struct activity *a, long long t, char *buf, size_t len)
{
	long long l = t + (a->zone ? tz_offset(a->zone, t) : 0);
	long long d = day_of(a, t), s = l - d * 86400;
	char day[16];

	activity_day(d, day, sizeof day);
	snprintf(buf, len, "%s %02lld:%02lld", day, s / 3600, s / 60 % 60);
}

/* The length of the UTF-8 sequence at S (N bytes left) and its code point, or 0 when it is
 * not a valid one. */
static size_t
utf8_at(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	*cp = c;
	return len;
}

/* Characters that change how the text around them shows, without showing themselves. */
static int
invisible(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9F) || c == 0x200B || (c >= 0x200E && c <= 0x200F) ||
	    (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF ||
	    (c >= 0xFFF9 && c <= 0xFFFB) || c == 0x061C;
}

char *
activity_visible(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(n * 6 + 1), *o = out;	/* "\u202e" is 6 bytes for 3 */

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t len = utf8_at(p + i, n - i, &c);

		if (len == 0) {
			o += sprintf(o, "\\x%02x", p[i]);
			i++;
		} else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
			o += sprintf(o, "\\x%02x", (unsigned)c);
			i++;
		} else if (invisible(c)) {
			o += sprintf(o, "\\u%04x", (unsigned)c);
			i += len;
		} else {
			memcpy(o, p + i, len);
			o += len;
			i += len;
		}
	}
	*o = '\0';
	return out;
}

/* "ok 10, delivered 2, failed 1" for the outcomes of C that happened ("none" for none). */
static void
outcomes_text(FILE *f, const struct act_counts *c)
{
	int any = 0;

	for (int o = 0; o < ACT_NOUTCOMES; o++)
		if (c->n[o] > 0)
			fprintf(f, "%s%s %lld", any++ ? ", " : "", outcome_names[o], c->n[o]);
	if (!any)
		fputs("none", f);
}

/* The line of C: runs, outcomes, the outbox, tokens and cost. */
static void
counts_text(FILE *f, const struct act_counts *c)
{
	fprintf(f, "%lld run%s (", c->runs, c->runs == 1 ? "" : "s");
	outcomes_text(f, c);
	fputs(")", f);
	if (c->outbox_sent > 0 || c->outbox_failed > 0)
		fprintf(f, ", outbox sent %lld, failed %lld", c->outbox_sent, c->outbox_failed);
	fprintf(f, ", %lld/%lld tokens, $%.4f\n", c->tokens_in, c->tokens_out, c->cost_usd);
}

/* The first line of S, made visible, cut at MAX characters (code points) with "...". */
static void
first_line(FILE *f, const char *s, size_t max)
{
	const char *nl;
	char *v;
	size_t n, k = 0, i;

	while (s != NULL && (*s == '\n' || *s == ' ' || *s == '\t'))
		s++;
	if (s == NULL || *s == '\0')
		return;
	nl = strchr(s, '\n');
	n = nl ? (size_t)(nl - s) : strlen(s);
	if ((v = activity_visible(s, n)) == NULL)
		return;
	for (i = 0; v[i] != '\0' && k < max; i++)
		k += ((unsigned char)v[i] & 0xC0) != 0x80;
	while (((unsigned char)v[i] & 0xC0) == 0x80)
		i++;
	fprintf(f, "%.*s%s", (int)i, v, v[i] != '\0' || nl != NULL ? " ..." : "");
	free(v);
}

/* The last non-blank line of S, made visible and cut as first_line does. */
static void
last_line(FILE *f, const char *s, size_t max)
{
	const char *end, *p;

	if (s == NULL)
		return;
	end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (p = end; p > s && p[-1] != '\n'; p--)
		;
	{
		char *copy = strndup(p, (size_t)(end - p));

		if (copy != NULL)
			first_line(f, copy, max);
		free(copy);
	}
}

/* The newest failures, a line each: time, task, status, the last line of stderr. */
static void
failures_text(FILE *f, const struct activity *a)
{
	const struct act_item *it;
	char when[32];

	if (a->failures.seen == 0)
		return;
	fprintf(f, "\nFailures (%zu, newest first):\n", a->failures.seen);
	for (size_t i = 0; i < TEXT_LIST_MAX && (it = activity_item(&a->failures, i)); i++) {
		activity_time(a, it->ts, when, sizeof when);
		fprintf(f, "  %s  ", when);
		first_line(f, it->task, TEXT_LINE_MAX);
		fprintf(f, "  %s", it->status);
		if (it->has_exit)
			fprintf(f, " (exit %d)", it->exit_code);
		if (it->text != NULL || it->note != NULL) {
			fputs(": ", f);
			last_line(f, it->text != NULL ? it->text : it->note, TEXT_LINE_MAX);
		}
		fputs("\n", f);
	}
}

/* The newest alerts, a line each: time, task, the first line of the text. */
static void
alerts_text(FILE *f, const struct activity *a)
{
	const struct act_item *it;
	char when[32];

	if (a->alerts.seen == 0)
		return;
	fprintf(f, "\nAlerts delivered (%zu, newest first):\n", a->alerts.seen);
	for (size_t i = 0; i < TEXT_LIST_MAX && (it = activity_item(&a->alerts, i)); i++) {
		activity_time(a, it->ts, when, sizeof when);
		fprintf(f, "  %s  ", when);
		first_line(f, it->task, TEXT_LINE_MAX);
		fputs(it->outbox ? " (from the outbox): " : ": ", f);
		first_line(f, it->text, TEXT_LINE_MAX);
		fputs("\n", f);
	}
}

char *
activity_text(const struct activity *a)
{
	char from[32], to[32], day[16], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	activity_time(a, a->since, from, sizeof from);
	activity_time(a, a->until, to, sizeof to);
	fprintf(f, "hb-run activity from %s to %s\n", from, to);
	fputs("Total: ", f);
	counts_text(f, &a->total);
	fprintf(f, "Alerts delivered: %lld", a->total.n[ACT_DELIVERED]);
	if (a->total.outbox_sent > 0)
		fprintf(f, " (and %lld sent later by the outbox)", a->total.outbox_sent);
	fprintf(f, "; failures: %lld\n", a->total.n[ACT_FAILED]);
	if (a->unreadable > 0)
		fprintf(f, "Lines that are not log entries: %lld\n", a->unreadable);
	if (a->ntasks > 0)
		fputs("\nPer task:\n", f);
	for (size_t i = 0; i < a->ntasks; i++) {
		fputs("  ", f);
		first_line(f, a->tasks[i].name, TEXT_LINE_MAX);
		fputs(": ", f);
		counts_text(f, &a->tasks[i].c);
	}
	if (a->total.runs > 0 || a->total.outbox_sent > 0 || a->total.outbox_failed > 0) {
		fputs("\nPer day:\n", f);
		for (size_t i = 0; i < a->ndays; i++) {
			const struct act_counts *c = &a->days[i];

			if (c->runs == 0 && c->outbox_sent == 0 && c->outbox_failed == 0)
				continue;
			activity_day(a->first_day + (long long)i, day, sizeof day);
			fprintf(f, "  %s: ", day);
			counts_text(f, c);
		}
	}
	failures_text(f, a);
	alerts_text(f, a);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
