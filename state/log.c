/* log.c - append-only JSON-lines activity log. Each entry is written with one write(2) to a
 * file opened O_APPEND, so entries from concurrent ticks do not interleave. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/fileio.h"
#include "state/log.h"

#define LOG_READ_MAX (LOG_ROTATE_BYTES * 4)

/* Adds at most LOG_TEXT_MAX bytes of S as KEY, cut at a UTF-8 boundary. */
static void
add_text(cJSON *o, const char *key, const char *s, size_t n)
{
	char *copy;

	if (s == NULL)
		return;
	if (n > LOG_TEXT_MAX) {
		n = LOG_TEXT_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	copy = malloc(n + 1);
	if (copy == NULL)
		return;
	memcpy(copy, s, n);
	copy[n] = '\0';
	/* cJSON stops at a NUL byte; an agent's output may hold one, which is fine. */
	cJSON_AddStringToObject(o, key, copy);
	free(copy);
}

int
log_append(const char *path, const struct log_entry *e, char *err, size_t errlen)
{
	char rotated[4096];
	struct stat sb;
	cJSON *o = NULL;
	char *line = NULL;
	size_t n;
	int fd = -1, ret = -1;

	o = cJSON_CreateObject();
	if (o == NULL)
		goto oom;
	cJSON_AddStringToObject(o, "time", e->time ? e->time : "");
	cJSON_AddNumberToObject(o, "ts", (double)e->start);
	cJSON_AddStringToObject(o, "task", e->task);
	cJSON_AddStringToObject(o, "run_id", e->run_id ? e->run_id : "");
	if (e->type)
		cJSON_AddStringToObject(o, "type", e->type);
	cJSON_AddStringToObject(o, "reason", e->reason ? e->reason : "");
	cJSON_AddStringToObject(o, "status", e->status);
	if (e->has_exit)
		cJSON_AddNumberToObject(o, "exit", e->exit_code);
	else
		cJSON_AddNullToObject(o, "exit");
	if (e->signal)
		cJSON_AddNumberToObject(o, "signal", e->signal);
	cJSON_AddNumberToObject(o, "duration_ms", (double)e->duration_ms);
	if (e->verdict)
		cJSON_AddStringToObject(o, "reply_verdict", e->verdict);
	add_text(o, "reply", e->reply, e->reply_len);
	if (e->reply)
		cJSON_AddNumberToObject(o, "reply_bytes", (double)e->reply_total);
	if (e->stderr_len > 0)
		add_text(o, "stderr", e->stderr_text, e->stderr_len);
	if (e->note)
		cJSON_AddStringToObject(o, "note", e->note);
	if (e->slots > 0) {
		cJSON_AddNumberToObject(o, "slots", (double)e->slots);
		cJSON_AddNumberToObject(o, "missed", (double)(e->slots - 1));
	}
	line = cJSON_PrintUnformatted(o);
	if (line == NULL)
		goto oom;
	n = strlen(line);
	line[n++] = '\n';	/* replaces the NUL; the buffer is not used as a string again */

	if (stat(path, &sb) == 0 && sb.st_size > LOG_ROTATE_BYTES) {
		snprintf(rotated, sizeof rotated, "%s.1", path);
		rename(path, rotated);	/* callers hold the workspace lock */
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, n) != (ssize_t)n) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
out:
	if (fd >= 0)
		close(fd);
	cJSON_free(line);
	cJSON_Delete(o);
	return ret;
}

static int
each_in(const char *path, void (*fn)(const cJSON *, void *), void *arg, char *err,
    size_t errlen)
{
	char *text = NULL, *p, *nl;
	size_t len;
	int r;

	r = fileio_read(path, LOG_READ_MAX, &text, &len, err, errlen);
	if (r == FILEIO_MISSING)
		return 0;
	if (r != 0)
		return -1;
	for (p = text; p < text + len; p = nl + 1) {
		cJSON *o;

		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (nl == NULL)
			nl = text + len;
		*nl = '\0';
		o = cJSON_Parse(p);
		if (cJSON_IsObject(o))
			fn(o, arg);
		cJSON_Delete(o);
	}
	free(text);
	return 0;
}

int
log_each(const char *path, void (*fn)(const cJSON *, void *), void *arg, char *err,
    size_t errlen)
{
	char rotated[4096];

	snprintf(rotated, sizeof rotated, "%s.1", path);
	if (each_in(rotated, fn, arg, err, errlen) != 0)
		return -1;
	return each_in(path, fn, arg, err, errlen);
}
