/* fuzz_config.c - libFuzzer harness for hb-run.ini: config_read_file on the input, written
 * to a temp file of this process (/tmp/hb-fuzz-config-PID.ini, rewritten for each input),
 * then config_set_option on the input's first line, as -o would pass it, then config_finish.
 * Invariants: every value stays within its key's limits, every problem names where it was
 * found, and every agent that was not said to be bad can run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/config.h"
#include "runner/zone.h"
#include "tasks/duration.h"
#include "tests/fuzz/fuzz.h"

static char path[64];
static FILE *tmp;

static void
remove_tmp(void)
{
	if (tmp != NULL)
		fclose(tmp);
	unlink(path);
}

static void
check_values(const struct config *c)
{
	char err[512];

	CHECK(c->tasks && *c->tasks && c->state && *c->state && c->log && *c->log &&
	    c->agent_turn && *c->agent_turn && c->system_event && *c->system_event,
	    "an empty path");
	CHECK(c->timezone != NULL && c->model != NULL, "a missing string");
	CHECK(c->default_interval > 0 && c->default_interval <= DURATION_MAX,
	    "default_interval %lld", c->default_interval);
	CHECK(c->timeout > 0 && c->timeout <= DURATION_MAX, "timeout %lld", c->timeout);
	CHECK(c->catchup_stagger >= 0 && c->catchup_stagger <= DURATION_MAX,
	    "catchup_stagger %lld", c->catchup_stagger);
	CHECK(c->ack_max_chars >= 0 && c->ack_max_chars <= 1000000, "ack_max_chars %lld",
	    c->ack_max_chars);
	CHECK(c->catchup_max >= 0 && c->catchup_max <= 1000, "catchup_max %lld", c->catchup_max);
	CHECK(c->max_concurrent >= 1 && c->max_concurrent <= 64, "max_concurrent %lld",
	    c->max_concurrent);
	/* A zone was accepted only when it loads. */
	CHECK(c->timezone[0] == '\0' || zone_get(c->timezone, err, sizeof err) != NULL,
	    "timezone '%s' kept but does not load", c->timezone);
	for (size_t i = 0; i < c->nerrors; i++)
		CHECK(c->errors[i] != NULL && c->errors[i][0] != '\0', "problem %zu is empty", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char *opt;
	size_t n, nfile;

	if (tmp == NULL) {
		snprintf(path, sizeof path, "/tmp/hb-fuzz-config-%ld.ini", (long)getpid());
		if ((tmp = fopen(path, "w")) == NULL)
			abort();
		atexit(remove_tmp);
	}
	if (ftruncate(fileno(tmp), 0) != 0 || fseek(tmp, 0, SEEK_SET) != 0 ||
	    fwrite(data, 1, size, tmp) != size || fflush(tmp) != 0)
		abort();
	if (config_init(&c) != 0)
		return 0;	/* out of memory */
	check_values(&c);
	CHECK(c.nerrors == 0, "the defaults have problems: %s", c.errors[0]);
	config_read_file(&c, path, 1);
	CHECK(c.file != NULL && strcmp(c.file, path) == 0, "file '%s'", c.file ? c.file : "");
	check_values(&c);
	nfile = c.nerrors;
	for (size_t i = 0; i < nfile; i++)
		CHECK(strncmp(c.errors[i], path, strlen(path)) == 0 &&
		    c.errors[i][strlen(path)] == ':', "problem '%s' does not name the file",
		    c.errors[i]);
	/* The first line as "-o section.key=value". */
	for (n = 0; n < size && data[n] != '\n' && data[n] != '\0'; n++)
		;
	if ((opt = malloc(n + 1)) != NULL) {
		memcpy(opt, data, n);
		opt[n] = '\0';
		config_set_option(&c, opt);
		check_values(&c);
		for (size_t i = nfile; i < c.nerrors; i++)
			CHECK(strncmp(c.errors[i], "option -o ", 10) == 0,
			    "problem '%s' does not name the option", c.errors[i]);
		free(opt);
	}
	nfile = c.nerrors;
	config_finish(&c);
	for (size_t i = nfile; i < c.nerrors; i++)
		CHECK(strncmp(c.errors[i], "option -o ", 10) == 0 ||
		    (strncmp(c.errors[i], path, strlen(path)) == 0 &&
		    c.errors[i][strlen(path)] == ':'), "problem '%s' says not where",
		    c.errors[i]);
	CHECK(config_agent(&c, NULL) != NULL || c.nerrors > 0, "no default agent");
	for (size_t i = 0; i < c.nagents; i++) {
		const struct agent *a = &c.agents[i];

		CHECK(config_agent(&c, a->name) == a, "agent '%s' is not found", a->name);
		if (a->bad || c.nerrors > 0)
			continue;
		if (a->kind == AGENT_HTTP)
			CHECK(a->api != NULL && a->url != NULL, "HTTP agent '%s' without api or url",
			    a->name);
		else
			CHECK(a->agent_turn != NULL && a->system_event != NULL,
			    "command agent '%s' without a template", a->name);
	}
	config_free(&c);
	zone_free_all();
	return 0;
}
