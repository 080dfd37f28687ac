/* log.c - hb-run log [-n count] [--task task] [--json]: the last entries of the activity
 * log (the tier each run stopped at; the tokens and cost of each run, when its agent said),
 * as a table or as the JSON lines themselves. Read-only. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cmd/cmd.h"
#include "runner/msg.h"
#include "runner/util.h"
#include "state/log.h"
#include "state/state.h"

struct log_filter {
	const char *task;
	cJSON **ring;		/* the last COUNT matching entries */
	long count;
	long seen;
};

static void
keep_entry(const cJSON *e, void *arg)
{
	struct log_filter *f = arg;
	const char *task = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "task"));
	long slot;

	if (f->task != NULL && (task == NULL || strcmp(task, f->task) != 0))
		return;
	slot = f->seen++ % f->count;
	cJSON_Delete(f->ring[slot]);
	f->ring[slot] = cJSON_Duplicate(e, 1);
}

static const char *
str_of(const cJSON *e, const char *key, const char *dflt)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, key));

	return s ? s : dflt;
}

/* "  15734/12 tokens  $0.0123": what the run cost, when its agent said; else "". */
static void
usage_of(const cJSON *e, char *buf, size_t len)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(e, "input_tokens");
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(e, "output_tokens");
	const cJSON *cost = cJSON_GetObjectItemCaseSensitive(e, "cost_usd");
	size_t n = 0;

	buf[0] = '\0';
	if (cJSON_IsNumber(in) || cJSON_IsNumber(out)) {
		char a[24] = "?", b[24] = "?";

		if (cJSON_IsNumber(in))
			snprintf(a, sizeof a, "%.0f", in->valuedouble);
		if (cJSON_IsNumber(out))
			snprintf(b, sizeof b, "%.0f", out->valuedouble);
		n = (size_t)snprintf(buf, len, " %s/%s tokens", a, b);
	}
	if (cJSON_IsNumber(cost) && n < len)
		n += (size_t)snprintf(buf + n, len - n, " $%.4f", cost->valuedouble);
	in = cJSON_GetObjectItemCaseSensitive(e, "triage_input_tokens");
	out = cJSON_GetObjectItemCaseSensitive(e, "triage_output_tokens");
	if ((cJSON_IsNumber(in) || cJSON_IsNumber(out)) && n < len)
		snprintf(buf + n, len - n, " (triage %.0f/%.0f tokens)", cJSON_IsNumber(in) ?
		    in->valuedouble : 0, cJSON_IsNumber(out) ? out->valuedouble : 0);
}

static void
print_entry(const cJSON *e)
{
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(e, "exit");
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(e, "duration_ms");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(e, "ts");
	char dur[32] = "-", result[64], when[64], usage[160];
	const char *status = str_of(e, "status", "?");

	/* "time" was written in the zone of the tick that wrote it; show runner.timezone's */
	if (cJSON_IsNumber(ts))
		util_time_iso((time_t)ts->valuedouble, when, sizeof when);
	else
		snprintf(when, sizeof when, "%s", str_of(e, "time", "?"));

	if (cJSON_IsNumber(ms))
		util_duration_ms((long long)ms->valuedouble, dur, sizeof dur);
	if (strcmp(status, run_status_name(RUN_OK)) != 0 && cJSON_IsNumber(ex))
		snprintf(result, sizeof result, "%s (exit %d)", status, ex->valueint);
	else
		snprintf(result, sizeof result, "%s", status);
	usage_of(e, usage, sizeof usage);
	printf("%s  %-20s %-16s %-8s %-13s %-8s %-*s%s\n", when, str_of(e, "task", "?"),
	    result, dur, str_of(e, "reply_verdict", "-"), str_of(e, "reason", ""),
	    usage[0] ? 6 : 0, str_of(e, "tier", "-"), usage);	/* no blanks at the end */
}

static int
log_show(const struct config *cfg, long count, const char *task, int json)
{
	struct log_filter f = { task, NULL, count, 0 };
	char err[1024];
	int ret = 0;

	f.ring = calloc((size_t)count, sizeof *f.ring);
	if (f.ring == NULL) {
		msg_fail("out of memory");
		return 1;
	}
	if (log_each(cfg->log, keep_entry, &f, err, sizeof err) != 0) {
		msg_error("%s", err);
		ret = 2;
	}
	for (long i = f.seen > count ? f.seen - count : 0; i < f.seen; i++) {
		cJSON *e = f.ring[i % count];

		if (e == NULL)
			continue;
		if (json) {
			char *s = cJSON_PrintUnformatted(e);

			if (s != NULL)
				printf("%s\n", s);
			cJSON_free(s);
		} else {
			print_entry(e);
		}
	}
	for (long i = 0; i < count; i++)
		cJSON_Delete(f.ring[i]);
	free(f.ring);
	return ret;
}

int
cmd_log(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "task", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *task = NULL;
	long count = 20;
	int json = 0, ch;
	char *end;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || count < 1 || count > 1000000) {
				msg_error("log: bad count '%s'", optarg);
				return 2;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 't':
			task = optarg;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (optind < argc)
		return CMD_USAGE;
	return log_show(cfg, count, task, json);
}
