/* report.c - hb-run report [--since duration] [-o file] [--text]: the activity log of a
 * window as one self-contained HTML page (summary, timeline per task, alerts, failures,
 * tokens and cost, the outbox, pending one-shot tasks, next due times), or as text. The page
 * loads nothing: inline CSS and SVG only. Read-only but for the file it writes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cmd/cmd.h"
#include "delivery/target.h"
#include "runner/msg.h"
#include "runner/plan.h"
#include "runner/platform.h"
#include "runner/util.h"
#include "runner/zone.h"
#include "state/activity.h"
#include "state/fileio.h"
#include "state/log.h"
#include "state/state.h"
#include "tasks/duration.h"

#define DEFAULT_SINCE (7 * 86400)
#define ONESHOTS_KEY "_oneshots"
#define EXCERPT_MAX 2000	/* bytes of an outbox message or a prompt shown */

/* The outcomes from the most telling down: a timeline column shows its first that happened. */
static const enum act_outcome severity[ACT_NOUTCOMES] = {
	ACT_FAILED, ACT_INTERRUPTED, ACT_OVER_BUDGET, ACT_DELIVERED, ACT_TRIAGED, ACT_DEFERRED,
	ACT_OTHER, ACT_CLEAR, ACT_OK
};

/* Each outcome's light-mode color, also written on the SVG marks themselves: a mail client
 * that drops the style sheet still shows them (the style sheet wins where it applies). */
static const char *const outcome_color[ACT_NOUTCOMES] = {
	"#7db37c", "#2f6fdf", "#b9dba0", "#3fa7a7", "#d64141", "#e88a2e", "#9aa3ad", "#9457b5",
	"#8d6e63"
};
#define BAR_COLOR "#3a78c9"

static const char *const outcome_label[ACT_NOUTCOMES] = {
	"ran (ok)", "delivered", "clear", "triaged out", "failed", "interrupted", "deferred",
	"over budget", "other"
};

static const char css[] =
    ":root{color-scheme:light dark;--bg:#fff;--fg:#1d2126;--mut:#5d6773;--card:#f3f5f7;"
    "--line:#d7dce2;--bar:#3a78c9;--ok:#7db37c;--delivered:#2f6fdf;--clear:#b9dba0;"
    "--triaged:#3fa7a7;--failed:#d64141;--interrupted:#e88a2e;--deferred:#9aa3ad;"
    "--budget:#9457b5;--other:#8d6e63}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#14171b;--fg:#e4e7ea;--mut:#9aa4ae;"
    "--card:#1f2429;--line:#333a42;--bar:#5b9be6;--ok:#5f9a5e;--delivered:#5b8ff0;"
    "--clear:#b3c94a;--failed:#ec5d5d}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0 auto;max-width:1100px;padding:12px;background:var(--bg);color:var(--fg);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "overflow-wrap:anywhere}\n"
    "h1{font-size:1.35em;margin:.2em 0}h2{font-size:1.1em;margin:1.4em 0 .4em;"
    "border-bottom:1px solid var(--line)}\n"
    ".mut{color:var(--mut)}.small{font-size:.85em}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:8px}.card{background:var(--card);"
    "border-radius:6px;padding:6px 10px;min-width:7em;flex:1 1 7em}"
    ".card b{display:block;font-size:1.3em}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 12px;margin:.4em 0}"
    ".sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:4px;"
    "vertical-align:-1px}\n"
    ".tl{display:grid;grid-template-columns:minmax(5em,11em) 1fr;gap:2px 8px;"
    "align-items:center}\n"
    ".tl svg{width:100%;height:16px;display:block;background:var(--card)}\n"
    ".axis{display:flex;justify-content:space-between}\n"
    ".o-ok{fill:var(--ok);background:var(--ok)}"
    ".o-delivered{fill:var(--delivered);background:var(--delivered)}"
    ".o-clear{fill:var(--clear);background:var(--clear)}"
    ".o-triaged_out{fill:var(--triaged);background:var(--triaged)}"
    ".o-failed{fill:var(--failed);background:var(--failed)}"
    ".o-interrupted{fill:var(--interrupted);background:var(--interrupted)}"
    ".o-deferred{fill:var(--deferred);background:var(--deferred)}"
    ".o-over_budget{fill:var(--budget);background:var(--budget)}"
    ".o-other{fill:var(--other);background:var(--other)}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 6px;"
    "border-bottom:1px solid var(--line);vertical-align:top}td.n,th.n{text-align:right;"
    "white-space:nowrap}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}"
    "\n.chart svg{width:100%;height:90px;display:block}.chart rect{fill:var(--bar)}\n"
    ".hbar{display:grid;grid-template-columns:minmax(4em,9em) 1fr auto;gap:2px 6px;"
    "align-items:center}.hbar span.b{display:block;height:10px;background:var(--bar);"
    "border-radius:2px}\n"
    ".item{border-left:3px solid var(--line);padding:2px 0 2px 8px;margin:8px 0}"
    ".item.f{border-color:var(--failed)}.item.a{border-color:var(--delivered)}\n"
    "pre{margin:4px 0;padding:6px 8px;background:var(--card);border-radius:4px;"
    "overflow:auto;max-height:18em;white-space:pre;font:12px/1.4 ui-monospace,Menlo,"
    "Consolas,monospace}\n"
    ".chip{white-space:nowrap;margin-right:8px}\n"
    "@media (max-width:600px){.tl{grid-template-columns:1fr}.tl svg{margin-bottom:4px}"
    ".rt tr:first-child{display:none}.rt tr{display:block;padding:4px 0;"
    "border-bottom:1px solid var(--line)}.rt td{display:inline-block;border:0;"
    "padding:1px 8px 1px 0}.rt td:first-child,.rt td.o{display:block}"
    ".rt td:first-child{font-weight:600}.rt td[data-l]::before{content:attr(data-l) \": \";"
    "color:var(--mut)}}\n";

/* Writes S (N bytes) as HTML text: what is invisible or a control made visible, then the
 * five special characters escaped. */
static void
html_n(FILE *f, const char *s, size_t n)
{
	char *v;

	if (s == NULL)
		return;
	if ((v = activity_visible(s, n)) == NULL)
		return;
	util_xml_escape(f, v);
	free(v);
}

/* Writes the string S as HTML text (nothing for NULL). */
static void
html(FILE *f, const char *s)
{
	if (s != NULL)
		html_n(f, s, strlen(s));
}

/* S with secrets blanked as the log blanks them, cut at MAX bytes; malloc'd, or NULL. */
static char *
redacted(const char *s, size_t max)
{
	size_t n = strlen(s);
	char *copy;

	if (n > max)
		n = max;
	while (n > 0 && n < strlen(s) && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	if ((copy = malloc(n * 11 + 1)) == NULL)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	log_redact(copy, n);
	return copy;
}

/* A time for people, in the activity's zone. */
static void
when_html(FILE *f, const struct activity *a, long long t)
{
	char buf[32];

	activity_time(a, t, buf, sizeof buf);
	fputs(buf, f);
}

/* The outcome that colors a timeline column with counts N. */
static enum act_outcome
worst(const unsigned int *n)
{
	for (int i = 0; i < ACT_NOUTCOMES; i++)
		if (n[severity[i]] > 0)
			return severity[i];
	return ACT_NOUTCOMES;
}

/* The totals: runs, alerts, failures, tokens, cost, and the outcomes as the legend. */
static void
summary_html(FILE *f, const struct activity *a)
{
	const struct act_counts *c = &a->total;

	fprintf(f, "<div class=\"cards\">"
	    "<div class=\"card\"><b>%lld</b>runs</div>"
	    "<div class=\"card\"><b>%lld</b>alerts delivered</div>"
	    "<div class=\"card\"><b>%lld</b>failures</div>"
	    "<div class=\"card\"><b>%lld / %lld</b>tokens in / out</div>"
	    "<div class=\"card\"><b>$%.4f</b>cost</div></div>\n",
	    c->runs, c->n[ACT_DELIVERED], c->n[ACT_FAILED], c->tokens_in,
	    c->tokens_out, c->cost_usd);
	fputs("<div class=\"legend\">", f);
	for (int o = 0; o < ACT_NOUTCOMES; o++)
		fprintf(f, "<span class=\"chip\"><span class=\"sw o-%s\"></span>%s %lld</span>",
		    activity_outcome_name(o), outcome_label[o], c->n[o]);
	fputs("</div>\n", f);
	if (c->outbox_sent > 0 || c->outbox_failed > 0)
		fprintf(f, "<p>Outbox: %lld message%s sent at a later tick, %lld failed tr%s or "
		    "given up.</p>\n", c->outbox_sent, c->outbox_sent == 1 ? "" : "s",
		    c->outbox_failed, c->outbox_failed == 1 ? "y" : "ies");
	if (a->unreadable > 0)
		fprintf(f, "<p class=\"mut\">%lld line%s of the log %s not entries.</p>\n",
		    a->unreadable, a->unreadable == 1 ? "" : "s", a->unreadable == 1 ? "is" : "are");
	if (a->truncated)
		fprintf(f, "<p class=\"mut\">Tasks past the first %d are counted under "
		    "\"...\".</p>\n", ACT_TASKS_MAX);
}

/* One timeline row: a column per ACT_BINS-th of the window, colored by its worst run. */
static void
timeline_row(FILE *f, const struct activity *a, const struct act_task *t)
{
	long long span = a->until - a->since + 1;

	fputs("<div class=\"small\">", f);
	html(f, t->name);
	fprintf(f, "</div><svg viewBox=\"0 0 %d 10\" preserveAspectRatio=\"none\" role=\"img\">",
	    ACT_BINS);
	for (int b = 0; b < ACT_BINS; b++) {
		enum act_outcome w = worst(t->bins[b]);

		if (w == ACT_NOUTCOMES)
			continue;
		fprintf(f, "<rect class=\"o-%s\" fill=\"%s\" x=\"%d\" y=\"0\" width=\"1\" "
		    "height=\"10\"><title>", activity_outcome_name(w), outcome_color[w], b);
		when_html(f, a, a->since + span * b / ACT_BINS);
		fputs(":", f);
		for (int o = 0; o < ACT_NOUTCOMES; o++)
			if (t->bins[b][o] > 0)
				fprintf(f, " %s %u", outcome_label[o], t->bins[b][o]);
		fputs("</title></rect>", f);
	}
	fputs("</svg>\n", f);
}

/* A timeline row per task, with the window's ends below. */
static void
timeline_html(FILE *f, const struct activity *a)
{
	fputs("<h2>Timeline</h2>\n", f);
	if (a->ntasks == 0) {
		fputs("<p class=\"mut\">No runs in this window.</p>\n", f);
		return;
	}
	fputs("<div class=\"tl\">\n", f);
	for (size_t i = 0; i < a->ntasks; i++)
		timeline_row(f, a, &a->tasks[i]);
	fputs("<div></div><div class=\"axis small mut\"><span>", f);
	when_html(f, a, a->since);
	fputs("</span><span>", f);
	when_html(f, a, a->until);
	fputs("</span></div>\n</div>\n", f);
}

/* The table of runs per task, by outcome, with tokens and cost. */
static void
tasks_html(FILE *f, const struct activity *a)
{
	if (a->ntasks == 0)
		return;
	fputs("<h2>Per task</h2>\n<div class=\"scroll\"><table class=\"rt\"><tr><th>task</th>"
	    "<th class=\"n\">runs</th><th>outcomes</th><th class=\"n\">tokens in/out</th>"
	    "<th class=\"n\">cost</th></tr>\n", f);
	for (size_t i = 0; i < a->ntasks; i++) {
		const struct act_counts *c = &a->tasks[i].c;

		fputs("<tr><td>", f);
		html(f, a->tasks[i].name);
		fprintf(f, "</td><td class=\"n\" data-l=\"runs\">%lld</td><td class=\"small o\">",
		    c->runs);
		for (int o = 0; o < ACT_NOUTCOMES; o++)
			if (c->n[o] > 0)
				fprintf(f, "<span class=\"chip\"><span class=\"sw o-%s\"></span>%s "
				    "%lld</span> ", activity_outcome_name(o), outcome_label[o],
				    c->n[o]);
		if (c->outbox_sent > 0 || c->outbox_failed > 0)
			fprintf(f, "(outbox: sent %lld, failed %lld)", c->outbox_sent,
			    c->outbox_failed);
		fprintf(f, "</td><td class=\"n\" data-l=\"tokens\">%lld/%lld</td>"
		    "<td class=\"n\" data-l=\"cost\">$%.4f</td></tr>\n",
		    c->tokens_in, c->tokens_out, c->cost_usd);
	}
	fputs("</table></div>\n", f);
}

/* A bar chart of V (N values, one per day from A's first day) titled TITLE. */
static void
day_chart(FILE *f, const struct activity *a, const char *title, const double *v, size_t n,
    int money)
{
	double max = 0;

	for (size_t i = 0; i < n; i++)
		max = v[i] > max ? v[i] : max;
	fprintf(f, "<div class=\"chart\"><div>%s per day <span class=\"mut small\">(max ", title);
	fprintf(f, money ? "$%.4f" : "%.0f", max);
	fprintf(f, ")</span></div><svg viewBox=\"0 0 %zu 100\" preserveAspectRatio=\"none\" "
	    "role=\"img\">", n * 10);
	for (size_t i = 0; max > 0 && i < n; i++) {
		char day[16];
		int h = (int)(v[i] * 100 / max + 0.5);

		if (v[i] <= 0)
			continue;
		activity_day(a->first_day + (long long)i, day, sizeof day);
		fprintf(f, "<rect fill=\"" BAR_COLOR "\" x=\"%zu\" y=\"%d\" width=\"8\" "
		    "height=\"%d\"><title>%s: ", i * 10 + 1, 100 - (h < 1 ? 1 : h), h < 1 ? 1 : h,
		    day);
		fprintf(f, money ? "$%.4f" : "%.0f", v[i]);
		fputs("</title></rect>", f);
	}
	fputs("</svg><div class=\"axis small mut\"><span>", f);
	{
		char d0[16], d1[16];

		activity_day(a->first_day, d0, sizeof d0);
		activity_day(a->first_day + (long long)n - 1, d1, sizeof d1);
		fprintf(f, "%s</span><span>%s", d0, d1);
	}
	fputs("</span></div></div>\n", f);
}

/* Bars per task of tokens (in + out) or cost. */
static void
task_chart(FILE *f, const struct activity *a, int money)
{
	double max = 0;

	for (size_t i = 0; i < a->ntasks; i++) {
		const struct act_counts *c = &a->tasks[i].c;
		double v = money ? c->cost_usd : (double)(c->tokens_in + c->tokens_out);

		max = v > max ? v : max;
	}
	fprintf(f, "<div class=\"chart\"><div>%s per task</div><div class=\"hbar small\">",
	    money ? "Cost" : "Tokens");
	for (size_t i = 0; i < a->ntasks; i++) {
		const struct act_counts *c = &a->tasks[i].c;
		double v = money ? c->cost_usd : (double)(c->tokens_in + c->tokens_out);

		fputs("<span>", f);
		html(f, a->tasks[i].name);
		fprintf(f, "</span><svg viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" "
		    "style=\"height:10px\" role=\"img\"><rect fill=\"" BAR_COLOR "\" x=\"0\" "
		    "y=\"0\" width=\"%.1f\" "
		    "height=\"10\"></rect></svg><span class=\"n\">", max > 0 ? v * 100 / max : 0);
		fprintf(f, money ? "$%.4f" : "%.0f", v);
		fputs("</span>", f);
	}
	fputs("</div></div>\n", f);
}

/* Tokens and cost per day and per task. */
static void
charts_html(FILE *f, const struct activity *a)
{
	double *tokens = calloc(a->ndays + 1, sizeof *tokens);
	double *cost = calloc(a->ndays + 1, sizeof *cost);

	fputs("<h2>Tokens and cost</h2>\n<div class=\"charts\">\n", f);
	if (tokens != NULL && cost != NULL) {
		for (size_t i = 0; i < a->ndays; i++) {
			tokens[i] = (double)(a->days[i].tokens_in + a->days[i].tokens_out);
			cost[i] = a->days[i].cost_usd;
		}
		day_chart(f, a, "Tokens", tokens, a->ndays, 0);
		day_chart(f, a, "Cost", cost, a->ndays, 1);
	}
	if (a->ntasks > 0) {
		task_chart(f, a, 0);
		task_chart(f, a, 1);
	}
	fputs("</div>\n", f);
	free(tokens);
	free(cost);
}

/* The newest alerts delivered, with their text and where they went. */
static void
alerts_html(FILE *f, const struct activity *a)
{
	const struct act_item *it;

	fprintf(f, "<h2>Alerts delivered (%zu)</h2>\n", a->alerts.seen);
	if (a->total.outbox_sent > 0)
		fprintf(f, "<p class=\"mut\">Including %lld sent later by the outbox.</p>\n",
		    a->total.outbox_sent);
	if (a->alerts.seen == 0)
		fputs("<p class=\"mut\">None.</p>\n", f);
	if (a->alerts.seen > ACT_LIST_MAX)
		fprintf(f, "<p class=\"mut\">The newest %d.</p>\n", ACT_LIST_MAX);
	for (size_t i = 0; (it = activity_item(&a->alerts, i)) != NULL; i++) {
		fputs("<div class=\"item a\"><div><b>", f);
		html(f, it->task);
		fputs("</b> <span class=\"mut\">", f);
		when_html(f, a, it->ts);
		if (it->outbox)
			fputs(", sent by the outbox", f);
		if (it->targets != NULL) {
			fputs(" &rarr; ", f);
			html(f, it->targets);
		}
		fputs("</span></div><pre>", f);
		html(f, it->text);
		fputs("</pre></div>\n", f);
	}
}

/* The newest failures, with their note and the end of their standard error. */
static void
failures_html(FILE *f, const struct activity *a)
{
	const struct act_item *it;
	char dur[32];

	fprintf(f, "<h2>Failures (%zu)</h2>\n", a->failures.seen);
	if (a->failures.seen == 0)
		fputs("<p class=\"mut\">None.</p>\n", f);
	if (a->failures.seen > ACT_LIST_MAX)
		fprintf(f, "<p class=\"mut\">The newest %d.</p>\n", ACT_LIST_MAX);
	for (size_t i = 0; (it = activity_item(&a->failures, i)) != NULL; i++) {
		fputs("<div class=\"item f\"><div><b>", f);
		html(f, it->task);
		fputs("</b> <span class=\"mut\">", f);
		when_html(f, a, it->ts);
		fputs(", ", f);
		html(f, it->status);
		if (it->has_exit)
			fprintf(f, ", exit %d", it->exit_code);
		if (it->signal > 0)
			fprintf(f, ", signal %d", it->signal);
		util_duration_ms(it->duration_ms, dur, sizeof dur);
		fprintf(f, ", after %s</span></div>", dur);
		if (it->note != NULL) {
			fputs("<div class=\"small\">", f);
			html(f, it->note);
			fputs("</div>", f);
		}
		if (it->text != NULL) {
			fputs("<pre>", f);
			html(f, it->text);
			fputs("</pre>", f);
		}
		fputs("</div>\n", f);
	}
}

/* The workspace's tasks with their next due time, from the plan a tick would make now. */
static void
next_html(FILE *f, const struct config *cfg, const struct heartbeat *hb,
    const struct state *st, time_t now)
{
	struct plan_item *items;
	char boot[UUID_LEN];

	fputs("<h2>Next due</h2>\n", f);
	if (hb->ntasks == 0 || (items = calloc(hb->ntasks, sizeof *items)) == NULL) {
		fputs("<p class=\"mut\">No tasks.</p>\n", f);
		return;
	}
	platform_boot_id(boot, sizeof boot);
	plan_make(hb, st, now, boot, 0, cfg->timezone, items);
	fputs("<div class=\"scroll\"><table class=\"rt\"><tr><th>task</th><th>schedule</th><th>next due</th>"
	    "<th>last</th></tr>\n", f);
	for (size_t i = 0; i < hb->ntasks; i++) {
		const struct plan_item *it = &items[i];
		char sched[128], next[40] = "-";

		sched_describe(&it->task->sched, sched, sizeof sched);
		if (!it->task->enabled)
			snprintf(next, sizeof next, "disabled");
		else if (it->paused)
			snprintf(next, sizeof next, "paused");
		else if (it->held)
			snprintf(next, sizeof next, "running");
		else if (it->due)
			snprintf(next, sizeof next, "now");
		else if (it->next != (time_t)-1)
			util_time_short(it->next, next, sizeof next);
		fputs("<tr><td>", f);
		html(f, it->task->name);
		fputs("</td><td data-l=\"schedule\">", f);
		html(f, sched);
		fputs("</td><td data-l=\"next due\">", f);
		html(f, next);
		fputs("</td><td data-l=\"last\">", f);
		html(f, it->ts.last_status[0] ? it->ts.last_status : "-");
		if (it->ts.consecutive_errors > 0)
			fprintf(f, " (%lld in a row)", it->ts.consecutive_errors);
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n", f);
	free(items);
}

/* The messages under KEY (the outbox, or those held for quiet hours), titled TITLE. */
static void
alerts_of_state(FILE *f, const struct activity *a, const struct state *st, const char *key,
    const char *title)
{
	struct state_alert *al = NULL;
	size_t n = 0;

	if (state_alerts_count(st, key) == 0 || state_alerts_get(st, key, &al, &n) != 0)
		n = 0;
	fprintf(f, "<h3>%s (%zu)</h3>\n", title, n);
	for (size_t i = 0; i < n; i++) {
		char shown[300], *text = redacted(al[i].text, EXCERPT_MAX);

		/* the state keeps the whole target, secrets and all: shown as logs show it */
		target_redact(al[i].target, shown, sizeof shown);
		fputs("<div class=\"item\"><div><b>", f);
		html(f, al[i].task && al[i].task[0] ? al[i].task : "digest");
		fputs("</b> <span class=\"mut\">", f);
		when_html(f, a, al[i].at);
		fputs(" &rarr; ", f);
		html(f, shown);
		fprintf(f, ", %lld tr%s", al[i].tries, al[i].tries == 1 ? "y" : "ies");
		if (al[i].next_try > 0) {
			fputs(", next try ", f);
			when_html(f, a, al[i].next_try);
		}
		fputs("</span></div>", f);
		if (al[i].last_reason != NULL) {
			char *why = redacted(al[i].last_reason, EXCERPT_MAX);

			fputs("<div class=\"small\">last: ", f);
			html(f, why);
			fputs("</div>", f);
			free(why);
		}
		fputs("<pre>", f);
		html(f, text);
		fputs("</pre></div>\n", f);
		free(text);
	}
	state_alerts_free(al, n);
}

/* One pending one-shot task: an object with id, name, at and prompt, as far as it has them. */
static void
oneshot_html(FILE *f, const struct activity *a, const cJSON *o)
{
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "at");
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "id"));
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "name"));
	const char *prompt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "prompt"));
	char *p;

	if (id == NULL)
		id = o->string;		/* kept as an object keyed by id */
	fputs("<div class=\"item\"><div><b>", f);
	html(f, name ? name : id ? id : "?");
	fputs("</b> <span class=\"mut\">", f);
	if (cJSON_IsNumber(at))
		when_html(f, a, (long long)at->valuedouble);
	else
		html(f, cJSON_GetStringValue(at) ? cJSON_GetStringValue(at) : "?");
	if (id != NULL && name != NULL) {
		fputs(", ", f);
		html(f, id);
	}
	fputs("</span></div>", f);
	if (prompt != NULL && (p = redacted(prompt, EXCERPT_MAX)) != NULL) {
		fputs("<pre>", f);
		html(f, p);
		fputs("</pre>", f);
		free(p);
	}
	fputs("</div>\n", f);
}

/* The one-shot tasks waiting in the state (its "_oneshots", a list or an object by id). */
static void
oneshots_html(FILE *f, const struct activity *a, const struct state *st)
{
	const cJSON *list = st ? state_item(st, ONESHOTS_KEY) : NULL, *o;
	int n = cJSON_IsArray(list) || cJSON_IsObject(list) ? cJSON_GetArraySize(list) : 0;

	fprintf(f, "<h3>One-shot tasks pending (%d)</h3>\n", n);
	if (n == 0)
		return;
	cJSON_ArrayForEach(o, list)
		if (cJSON_IsObject(o))
			oneshot_html(f, a, o);
}

/* The page. STATE_ERR: why the state file could not be read, or NULL. */
static void
page_html(FILE *f, const struct config *cfg, const struct heartbeat *hb,
    const struct activity *a, const struct state *st, const char *state_err, time_t now)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'\">\n<title>hb-run activity</title>\n<style>\n", f);
	fputs(css, f);
	fputs("</style></head><body>\n<h1>hb-run activity</h1>\n<p class=\"mut\">", f);
	when_html(f, a, a->since);
	fputs(" &ndash; ", f);
	when_html(f, a, a->until);
	fprintf(f, " &middot; %lld log entr%s</p>\n", a->entries, a->entries == 1 ? "y" : "ies");
	summary_html(f, a);
	timeline_html(f, a);
	tasks_html(f, a);
	charts_html(f, a);
	alerts_html(f, a);
	failures_html(f, a);
	fputs("<h2>Waiting</h2>\n", f);
	if (st == NULL) {
		fputs("<p>The state file could not be read: ", f);
		html(f, state_err);
		fputs("</p>\n", f);
	} else {
		alerts_of_state(f, a, st, STATE_OUTBOX, "Outbox");
		alerts_of_state(f, a, st, STATE_HELD, "Held for quiet hours");
		oneshots_html(f, a, st);
		next_html(f, cfg, hb, st, now);
	}
	fputs("</body></html>\n", f);
}

/* Writes the report of the last SINCE seconds: HTML (or TEXT) to OUT, or standard output. */
static int
report_write(const struct config *cfg, const struct heartbeat *hb, long long since,
    const char *out, int text)
{
	struct activity a;
	struct state *st = NULL;
	char err[1024], state_err[1024] = "", *buf = NULL;
	size_t len = 0;
	time_t now = time(NULL);
	const struct tz *zone = zone_get(cfg->timezone, err, sizeof err);
	int ret = 2;
	FILE *f;

	if (activity_init(&a, (long long)now - since, (long long)now, zone) != 0) {
		msg_fail("out of memory");
		return 1;
	}
	if (activity_read(cfg->log, &a, err, sizeof err) != 0) {
		msg_error("%s", err);
		goto out;
	}
	if (text) {
		buf = activity_text(&a);
		len = buf ? strlen(buf) : 0;
	} else {
		if (state_load(cfg->state, &st, state_err, sizeof state_err) != 0)
			msg_warn("%s", state_err);
		if ((f = open_memstream(&buf, &len)) != NULL) {
			page_html(f, cfg, hb, &a, st, state_err, now);
			if (fclose(f) != 0) {
				free(buf);
				buf = NULL;
			}
		}
	}
	if (buf == NULL) {
		msg_fail("out of memory");
		ret = 1;
		goto out;
	}
	if (out != NULL) {
		/* alerts and stderr are private: the file is the user's alone (0600) */
		if (fileio_write_atomic(out, buf, len, 0, err, sizeof err) != 0) {
			msg_error("%s", err);
			goto out;
		}
	} else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		msg_error("standard output: cannot write the report");
		goto out;
	}
	ret = 0;
out:
	free(buf);
	state_free(st);
	activity_free(&a);
	return ret;
}

int
cmd_report(const struct config *cfg, const struct heartbeat *hb, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "text", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	long long since = DEFAULT_SINCE;
	const char *out = NULL, *why;
	int text = 0, ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (duration_parse(optarg, &since, &why) != 0) {
				msg_error("report: --since %s: %s", optarg, why);
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 't':
			text = 1;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (optind < argc)
		return CMD_USAGE;
	return report_write(cfg, hb, since, out, text);
}
