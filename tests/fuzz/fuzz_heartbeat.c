/* fuzz_heartbeat.c - libFuzzer harness for heartbeat_parse (HEARTBEAT.md, any bytes).
 * Invariants: every task has a valid, unique name, a non-empty prompt and a sane schedule;
 * tasks and problems point at lines of the file (a problem may name the line after the
 * last), in file order; an "empty" file has neither tasks nor problems. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/duration.h"
#include "tasks/heartbeat.h"
#include "tests/fuzz/fuzz.h"

#define DEFAULT_INTERVAL 1800

static struct tz *utc;

/* Lines as heartbeat.c counts them: a final newline ends the last line, a UTF-8 BOM is
 * not text. */
static long
count_lines(const uint8_t *data, size_t size)
{
	size_t i = size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	long n = size > i && data[size - 1] != '\n';

	for (; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static void
check_task(const struct heartbeat *hb, size_t i, long nlines)
{
	const struct task *t = &hb->tasks[i];
	const struct schedule *s = &t->sched;
	char desc[256], *full;

	CHECK(t->name != NULL && heartbeat_name_valid(t->name), "task %zu: bad name '%s'", i,
	    t->name ? t->name : "(null)");
	/* no prompt: only a task whose check's findings are the alert */
	CHECK(t->prompt != NULL && (t->prompt[0] != '\0' || t->check != NULL),
	    "task '%s': empty prompt", t->name);
	CHECK(t->check == NULL || t->check[0] != '\0', "task '%s': empty check", t->name);
	CHECK(heartbeat_find(hb, t->name) == t, "task '%s' (line %d) is not the first of its name",
	    t->name, t->line);
	CHECK(t->line >= 1 && t->line <= nlines, "task '%s' at line %d of %ld", t->name, t->line,
	    nlines);
	CHECK(i == 0 || hb->tasks[i - 1].line < t->line, "task '%s' (line %d) after line %d",
	    t->name, t->line, hb->tasks[i - 1].line);
	CHECK(t->type == TASK_AGENT_TURN || t->type == TASK_SYSTEM_EVENT, "task '%s': type %d",
	    t->name, (int)t->type);
	CHECK(t->enabled == 0 || t->enabled == 1, "task '%s': enabled %d", t->name, t->enabled);
	CHECK(t->timeout >= 0 && t->timeout <= DURATION_MAX, "task '%s': timeout %lld", t->name,
	    t->timeout);
	CHECK(t->tz == NULL || (t->tz[0] != '\0' && t->tz_line >= 1 && t->tz_line <= nlines),
	    "task '%s': tz '%s' at line %d", t->name, t->tz ? t->tz : "", t->tz_line);
	CHECK(t->model == NULL || t->model[0] != '\0', "task '%s': empty model", t->name);
	switch (s->kind) {
	case SCHED_INTERVAL:
		/* 0: every: 0m, OpenClaw's "off" */
		CHECK(((s->interval > 0 && s->interval <= DURATION_MAX) ||
		    (s->interval == 0 && !t->enabled)) &&
		    (!s->is_default || s->interval == DEFAULT_INTERVAL),
		    "task '%s': interval %lld", t->name, s->interval);
		break;
	case SCHED_CRON:
		CHECK(memchr(s->expr, '\0', sizeof s->expr) != NULL && s->expr[0] != '\0',
		    "task '%s': cron expression not kept", t->name);
		CHECK(s->cron.reboot || cron_next(&s->cron, utc, 1767225600LL) != CRON_NEVER,
		    "task '%s': cron '%s' never fires", t->name, s->expr);
		break;
	case SCHED_AT:
		CHECK(memchr(s->expr, '\0', sizeof s->expr) != NULL && s->expr[0] != '\0',
		    "task '%s': at time not kept", t->name);
		break;
	default:
		CHECK(0, "task '%s': schedule kind %d", t->name, (int)s->kind);
	}
	sched_describe(s, desc, sizeof desc);
	full = heartbeat_prompt(hb, t);
	if (full != NULL) {
		CHECK(strncmp(full, t->prompt, strlen(t->prompt)) == 0,
		    "task '%s': the full prompt does not start with its prompt", t->name);
		CHECK(hb->context == NULL || strstr(full, hb->context) != NULL,
		    "task '%s': the full prompt lacks the context", t->name);
		free(full);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct heartbeat hb;
	long nlines = count_lines(data, size);
	size_t i;

	if (utc == NULL && (utc = tz_utc()) == NULL)
		abort();
	if (heartbeat_parse((const char *)data, size, DEFAULT_INTERVAL, &hb) != 0) {
		CHECK(hb.tasks == NULL && hb.ntasks == 0 && hb.diags == NULL,
		    "out of memory, but the result was kept");
		return 0;
	}
	for (i = 0; i < hb.ndiags; i++) {
		CHECK(hb.diags[i].line >= 1 && hb.diags[i].line <= nlines + 1,
		    "problem at line %d of %ld: %s", hb.diags[i].line, nlines, hb.diags[i].msg);
		CHECK(hb.diags[i].msg[0] != '\0' &&
		    memchr(hb.diags[i].msg, '\0', sizeof hb.diags[i].msg) != NULL,
		    "problem at line %d without a message", hb.diags[i].line);
		/* heartbeat.h: "problems, in line order". */
		CHECK(i == 0 || hb.diags[i - 1].line <= hb.diags[i].line,
		    "problems out of line order: line %d ('%s') after line %d ('%s')",
		    hb.diags[i].line, hb.diags[i].msg, hb.diags[i - 1].line, hb.diags[i - 1].msg);
	}
	for (i = 0; i < hb.ntasks; i++)
		check_task(&hb, i, nlines);
	CHECK(!hb.empty || (hb.ntasks == 0 && hb.ndiags == 0 && hb.context == NULL),
	    "empty, with %zu tasks and %zu problems", hb.ntasks, hb.ndiags);
	CHECK(!hb.implicit || (hb.ntasks == 1 &&
	    strcmp(hb.tasks[0].name, "heartbeat") == 0), "implicit task, %zu tasks", hb.ntasks);
	for (i = 0; i < hb.nnotes; i++)
		CHECK(hb.notes[i].line >= 1 && hb.notes[i].line <= nlines && hb.has_block,
		    "note at line %d of %ld: %s", hb.notes[i].line, nlines, hb.notes[i].msg);
	CHECK(hb.has_block || hb.implicit || hb.ntasks == 0, "tasks without a block");
	/* (A NUL byte ends the context early: HEARTBEAT.md is text.) */
	CHECK(hb.context == NULL || hb.context[0] != '\0' || memchr(data, '\0', size) != NULL,
	    "empty context kept");
	if (hb.ntasks > 0) {
		size_t before = hb.ntasks, nd = hb.ndiags;

		heartbeat_drop(&hb, hb.ntasks - 1, 1, "dropped by the fuzzer");
		CHECK(hb.ntasks == before - 1 && hb.ndiags == nd + 1, "heartbeat_drop miscounted");
	}
	heartbeat_free(&hb);
	return 0;
}
