/* config.c - configuration: a table of keys, each with its kind and limits, fed from the
 * file (through inih), the environment and the command line, in that order. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "runner/config.h"
#include "runner/zone.h"
#include "state/fileio.h"
#include "tasks/duration.h"

enum kind {
	KIND_STR,		/* any text, may be empty */
	KIND_PATH,		/* non-empty text */
	KIND_DURATION,		/* duration, > 0 */
	KIND_DURATION0,		/* duration, or 0 */
	KIND_COUNT,		/* integer within [min, max] */
	KIND_ZONE,		/* an IANA time zone name, or empty: the system's */
};

static const struct key {
	const char *section, *name;
	enum kind kind;
	size_t off;
	long long min, max;
	const char *dflt;
} keys[] = {
	{ "runner", "tasks", KIND_PATH, offsetof(struct config, tasks), 0, 0, "HEARTBEAT.md" },
	{ "runner", "state", KIND_PATH, offsetof(struct config, state), 0, 0,
	  ".heartbeat-state.json" },
	{ "runner", "log", KIND_PATH, offsetof(struct config, log), 0, 0,
	  ".heartbeat-log.jsonl" },
	{ "runner", "default_interval", KIND_DURATION, offsetof(struct config, default_interval),
	  0, 0, "30m" },
	{ "runner", "timeout", KIND_DURATION, offsetof(struct config, timeout), 0, 0, "10m" },
	{ "runner", "ack_max_chars", KIND_COUNT, offsetof(struct config, ack_max_chars), 0,
	  1000000, "300" },
	{ "runner", "catchup_max", KIND_COUNT, offsetof(struct config, catchup_max), 0, 1000,
	  "5" },
	{ "runner", "catchup_stagger", KIND_DURATION0, offsetof(struct config, catchup_stagger),
	  0, 0, "5s" },
	{ "runner", "max_concurrent", KIND_COUNT, offsetof(struct config, max_concurrent), 1, 64,
	  "1" },
	{ "runner", "timezone", KIND_ZONE, offsetof(struct config, timezone), 0, 0, "" },
	{ "agent", "agent_turn", KIND_PATH, offsetof(struct config, agent_turn), 0, 0,
	  "claude/agent-turn.sh" },
	{ "agent", "system_event", KIND_PATH, offsetof(struct config, system_event), 0, 0,
	  "claude/system-event.sh" },
	{ "agent", "model", KIND_STR, offsetof(struct config, model), 0, 0, "" },
};
#define NKEYS (sizeof keys / sizeof keys[0])

static void
add_error(struct config *c, const char *fmt, ...)
{
	char buf[1024], **e, *copy;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	copy = strdup(buf);
	e = realloc(c->errors, (c->nerrors + 1) * sizeof *e);
	if (copy == NULL || e == NULL) {
		free(copy);
		if (e != NULL)
			c->errors = e;
		c->nlost++;	/* out of memory: the text is lost, the problem is not */
		return;
	}
	c->errors = e;
	c->errors[c->nerrors++] = copy;
}

/* Sets key K from VALUE; WHERE names the source in messages. Returns 0 or -1. */
static int
set_key(struct config *c, const struct key *k, const char *value, const char *where)
{
	void *field = (char *)c + k->off;
	const char *why = NULL;
	char *copy, *end;
	long long n;
	size_t len = strlen(value), zeros;

	/* One pair of surrounding quotes is stripped, as in HEARTBEAT.md. */
	if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0]) {
		value++;
		len -= 2;
	}
	switch (k->kind) {
	case KIND_ZONE:
		if (len > 0) {
			char zerr[512], name[256];

			snprintf(name, sizeof name, "%.*s", (int)len, value);
			if (zone_get(name, zerr, sizeof zerr) == NULL) {
				add_error(c, "%s: bad %s.%s: %s", where, k->section, k->name, zerr);
				return -1;
			}
		}
		/* FALLTHROUGH */
	case KIND_PATH:
		if (len == 0 && k->kind == KIND_PATH) {
			add_error(c, "%s: %s.%s must not be empty", where, k->section, k->name);
			return -1;
		}
		/* FALLTHROUGH */
	case KIND_STR:
		copy = strndup(value, len);
		if (copy == NULL) {
			add_error(c, "%s: out of memory", where);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = copy;
		return 0;
	case KIND_DURATION:
	case KIND_DURATION0:
		copy = strndup(value, len);
		if (copy == NULL)
			return -1;
		zeros = strspn(copy, "0");
		if (k->kind == KIND_DURATION0 && zeros > 0 && (copy[zeros] == '\0' ||
		    (strchr("smhdw", copy[zeros]) != NULL && copy[zeros + 1] == '\0'))) {
			n = 0;	/* "0", "0s": no stagger */
		} else if (duration_parse(copy, &n, &why) != 0) {
			add_error(c, "%s: bad %s.%s '%s': %s", where, k->section, k->name, copy,
			    why);
			free(copy);
			return -1;
		}
		free(copy);
		*(long long *)field = n;
		return 0;
	case KIND_COUNT:
		copy = strndup(value, len);
		if (copy == NULL)
			return -1;
		errno = 0;
		n = strtoll(copy, &end, 10);
		if (errno != 0 || end == copy || *end != '\0' || n < k->min || n > k->max) {
			add_error(c, "%s: bad %s.%s '%s': expected a whole number from %lld to %lld",
			    where, k->section, k->name, copy, k->min, k->max);
			free(copy);
			return -1;
		}
		free(copy);
		*(long long *)field = n;
		return 0;
	}
	return -1;
}

static const struct key *
find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

int
config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NKEYS; i++)
		if (set_key(c, &keys[i], keys[i].dflt, "default") != 0)
			return -1;
	return 0;
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].kind == KIND_STR || keys[i].kind == KIND_PATH || keys[i].kind == KIND_ZONE)
			free(*(char **)((char *)c + keys[i].off));
	for (size_t i = 0; i < c->nerrors; i++)
		free(c->errors[i]);
	free(c->errors);
	free(c->file);
	memset(c, 0, sizeof *c);
}

/* inih reads through this: it counts lines so that the handler knows where it is, and it
 * checks each line's syntax itself, so that every bad line is reported (inih names only the
 * first), a long line is an error rather than two lines, and no indented line can become a
 * continuation of the key above it. inih sees only lines that are fine. */
struct reader {
	FILE *f;
	const char *file;
	int line;
	struct config *c;
	char *buf;
	size_t cap;
};

static char *
reader_gets(char *out, int size, void *arg)
{
	struct reader *r = arg;
	ssize_t n = getline(&r->buf, &r->cap, r->f);
	char *s;
	const char *bad = NULL;

	if (n < 0)
		return NULL;
	r->line++;
	s = r->buf;
	if (r->line == 1 && n >= 2 && (memcmp(s, "\xff\xfe", 2) == 0 ||
	    memcmp(s, "\xfe\xff", 2) == 0 || s[0] == '\0' || s[1] == '\0')) {
		add_error(r->c, "%s:1: the file is UTF-16 (or binary); save it as UTF-8", r->file);
		return NULL;	/* nothing in it would read as meant */
	}
	if (memchr(s, '\0', (size_t)n) != NULL) {
		add_error(r->c, "%s:%d: NUL byte in the line (is this a text file?)", r->file,
		    r->line);
		s[0] = '\0';	/* inih gets a blank line instead */
		n = 0;
	}
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		s[--n] = '\0';
	while (*s == ' ' || *s == '\t')
		s++, n--;
	if (r->line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3, n -= 3;		/* a UTF-8 byte order mark */
	if (n == 0 || *s == ';' || *s == '#')
		n = 0;			/* blank or a comment, whatever its length */
	else if (*s == '[' && strchr(s, ']') == NULL)
		bad = "expected ']' to close the section name";
	else if (*s != '[' && (strcspn(s, "=:") == 0 || s[strcspn(s, "=:")] == '\0'))
		bad = "expected 'key = value' or '[section]'";
	else if (n + 2 > (ssize_t)size)
		bad = "line too long";
	if (bad != NULL) {
		add_error(r->c, "%s:%d: syntax error: %s", r->file, r->line, bad);
		n = 0;			/* inih gets a blank line instead */
	}
	memcpy(out, s, (size_t)n);
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}

static int
handler(void *arg, const char *section, const char *name, const char *value)
{
	struct reader *r = arg;
	const struct key *k;
	char where[4200];

	snprintf(where, sizeof where, "%s:%d", r->file, r->line);
	if (name == NULL)	/* a section header alone */
		return 1;
	k = find_key(section, name);
	if (k == NULL) {
		int known = strcmp(section, "runner") == 0 || strcmp(section, "agent") == 0;

		if (known)
			add_error(r->c, "%s: unknown key '%s' in [%s]", where, name, section);
		else if (*section == '\0')
			add_error(r->c, "%s: '%s' is outside a section ([runner] or [agent])",
			    where, name);
		else
			add_error(r->c, "%s: unknown section [%s]", where, section);
		return 1;	/* go on: report every problem */
	}
	set_key(r->c, k, value, where);
	return 1;
}

void
config_read_file(struct config *c, const char *file, int required)
{
	struct reader r = { 0 };
	char err[4200];
	int res, fd;

	/* A FIFO in place of the file must not hang the tick: refuse what is not a file. */
	fd = fileio_open_regular(file, O_RDONLY, 0, err, sizeof err);
	if (fd == -2) {
		if (required)
			add_error(c, "%s: %s", file, strerror(ENOENT));
		return;
	}
	if (fd < 0) {
		add_error(c, "%s", err);
		return;
	}
	r.f = fdopen(fd, "r");
	if (r.f == NULL) {
		add_error(c, "%s: %s", file, strerror(errno));
		close(fd);
		return;
	}
	free(c->file);
	c->file = strdup(file);
	r.file = file;
	r.c = c;
	res = ini_parse_stream(reader_gets, &r, handler, &r);
	if (res > 0)		/* the reader lets through only lines inih accepts */
		add_error(c, "%s:%d: syntax error", file, res);
	else if (res < 0)
		add_error(c, "%s: out of memory", file);
	else if (ferror(r.f))
		add_error(c, "%s: %s", file, strerror(errno));
	free(r.buf);
	fclose(r.f);
}

extern char **environ;

void
config_read_env(struct config *c)
{
	/* One pass over the environment: most of it is not ours. */
	for (char **e = environ; *e != NULL; e++) {
		const char *v = *e, *eq;

		if (strncmp(v, "HB_", 3) != 0 || (eq = strchr(v, '=')) == NULL)
			continue;
		for (size_t i = 0; i < NKEYS; i++) {
			size_t sl = strlen(keys[i].section), nl = strlen(keys[i].name);
			char where[96];

			if ((size_t)(eq - v) != 3 + sl + 1 + nl ||
			    strncasecmp(v + 3, keys[i].section, sl) != 0 || v[3 + sl] != '_' ||
			    strncasecmp(v + 4 + sl, keys[i].name, nl) != 0)
				continue;
			snprintf(where, sizeof where, "environment %.*s", (int)(eq - v), v);
			set_key(c, &keys[i], eq + 1, where);
		}
	}
}

void
config_set_option(struct config *c, const char *opt)
{
	const char *dot = strchr(opt, '.'), *eq = strchr(opt, '=');
	char section[32], name[64], where[128];
	const struct key *k;

	snprintf(where, sizeof where, "option -o %s", opt);
	if (dot == NULL || eq == NULL || dot > eq || (size_t)(dot - opt) >= sizeof section ||
	    (size_t)(eq - dot - 1) >= sizeof name) {
		add_error(c, "%s: expected SECTION.KEY=VALUE", where);
		return;
	}
	snprintf(section, sizeof section, "%.*s", (int)(dot - opt), opt);
	snprintf(name, sizeof name, "%.*s", (int)(eq - dot - 1), dot + 1);
	k = find_key(section, name);
	if (k == NULL) {
		add_error(c, "%s: unknown key %s.%s", where, section, name);
		return;
	}
	set_key(c, k, eq + 1, where);
}
