/* log.c - append-only JSON-lines activity log. Each entry is written with one write(2) to a
 * file opened O_APPEND, so entries from concurrent ticks do not interleave. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/fileio.h"
#include "state/log.h"
#include "state/text.h"

#define LOG_READ_MAX (LOG_ROTATE_BYTES * 4)

static int
token_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' ||
	    c == '/' || c == '=';
}

/* Replaces the N bytes at S + AT with "[redacted]" when they are at least MIN long;
 * returns the new length of S. S has room for the marker (see log_redact). */
static size_t
blank_out(char *s, size_t len, size_t at, size_t n, size_t min)
{
	static const char mark[] = "[redacted]";
	size_t m = sizeof mark - 1;

	if (n < min)
		return len;
	memmove(s + at + m, s + at + n, len - at - n + 1);
	memcpy(s + at, mark, m);
	return len - n + m;
}

size_t
log_redact(char *s, size_t len)
{
	static const char *const prefixes[] = { "sk-", "ghp_", "gho_", "github_pat_", "xoxb-",
		"xoxp-", "glpat-", "AKIA", "AIza" };
	static const char *const params[] = { "token=", "key=", "api_key=", "apikey=",
		"access_token=", "secret=", "password=", "passwd=", "sig=", "signature=" };

	for (size_t i = 0; i < len; i++) {
		size_t j, n;

		/* https://user:password@host: the credentials */
		if (i + 3 <= len && memcmp(s + i, "://", 3) == 0) {
			for (j = i + 3; j < len && s[j] != '@' && s[j] != '/' && !isspace((unsigned
			    char)s[j]); j++)
				;
			if (j < len && s[j] == '@' && memchr(s + i + 3, ':', j - i - 3) != NULL) {
				len = blank_out(s, len, i + 3, j - i - 3, 1);
				i += 3;
			}
			continue;
		}
		/* "Bearer abc...", "sk-abc...": tokens long enough to be secrets */
		if (i + 7 <= len && strncasecmp(s + i, "bearer ", 7) == 0) {
			for (n = 0; i + 7 + n < len && token_char((unsigned char)s[i + 7 + n]); n++)
				;
			len = blank_out(s, len, i + 7, n, 8);
			continue;
		}
		if (i > 0 && token_char((unsigned char)s[i - 1]))
			continue;	/* only at the start of a word */
		for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
			size_t pl = strlen(prefixes[p]);

			if (i + pl > len || memcmp(s + i, prefixes[p], pl) != 0)
				continue;
			for (n = pl; i + n < len && token_char((unsigned char)s[i + n]); n++)
				;
			len = blank_out(s, len, i + pl, n - pl, 12);
			break;
		}
		for (size_t p = 0; p < sizeof params / sizeof params[0]; p++) {
			size_t pl = strlen(params[p]);

			if (i + pl > len || strncasecmp(s + i, params[p], pl) != 0)
				continue;
			for (n = 0; i + pl + n < len && s[i + pl + n] != '&' &&
			    !isspace((unsigned char)s[i + pl + n]) && s[i + pl + n] != '"'; n++)
				;
			len = blank_out(s, len, i + pl, n, 1);
			break;
		}
	}
	return len;
}

/* Adds at most LOG_TEXT_MAX bytes of S as KEY, cut at a UTF-8 boundary, secrets blanked,
 * made printable (valid UTF-8, so that the line stays JSON; NUL bytes no longer cut it). */
static void
add_text(cJSON *o, const char *key, const char *s, size_t n)
{
	char *safe = NULL, *copy = NULL;
	size_t keep;

	if (s == NULL)
		return;
	/* Redact a little more than is kept, so that the cut cannot split a secret's prefix
	 * from the secret; then cut, and never keep half a word at the cut. */
	keep = n > LOG_TEXT_MAX + 256 ? LOG_TEXT_MAX + 256 : n;
	safe = text_printable(s, keep, &keep);
	/* Each redaction can lengthen a short secret to the marker's 10 bytes; a secret is
	 * at least one byte, so 11 times the length always holds the result. */
	if (safe != NULL)
		copy = malloc(keep * 11 + 1);
	if (copy == NULL)
		goto out;
	memcpy(copy, safe, keep + 1);
	n = log_redact(copy, keep);
	if (n > LOG_TEXT_MAX) {
		n = LOG_TEXT_MAX;
		while (n > 0 && token_char((unsigned char)copy[n]) &&
		    token_char((unsigned char)copy[n - 1]))
			n--;
		while (n > 0 && ((unsigned char)copy[n] & 0xC0) == 0x80)
			n--;
		copy[n] = '\0';
	}
	cJSON_AddStringToObject(o, key, copy);
out:
	free(copy);
	free(safe);
}

/* Opens PATH for appending, rotating it first when it is too big. The rotation happens under
 * a flock(2) of the log file itself, not of a workspace: workspaces that share a log take the
 * same lock, and a writer that waited checks that the name still holds the file it locked,
 * so that two of them never rotate twice (the second rename would drop the first's ".1").
 * Returns the descriptor, or -1 with ERR set. */
static int
open_rotated(const char *path, struct stat *sb, int *rotate_failed, char *err, size_t errlen)
{
	char rotated[4096];
	struct stat now;
	int fd = -1, saved;

	*rotate_failed = 0;
	for (int tries = 0; tries < 100; tries++) {
		fd = fileio_open_regular(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0600,
		    err, errlen);
		if (fd < 0) {
			if (fd == -2)
				snprintf(err, errlen, "%s: %s", path, strerror(ENOENT));
			return -1;
		}
		if (fstat(fd, sb) != 0)
			goto fail;
		if (sb->st_size <= LOG_ROTATE_BYTES || *rotate_failed)
			return fd;
		while (flock(fd, LOCK_EX) != 0)
			if (errno != EINTR)
				goto fail;
		if (stat(path, &now) == 0 && now.st_dev == sb->st_dev && now.st_ino == sb->st_ino &&
		    now.st_size > LOG_ROTATE_BYTES) {
			snprintf(rotated, sizeof rotated, "%s.1", path);
			if (rename(path, rotated) != 0) {
				saved = errno;
				/* Keep the entry, but not without bound: past LOG_READ_MAX, `log`
				 * could no longer show the newest entries whole. */
				if (sb->st_size > LOG_READ_MAX) {
					snprintf(err, errlen, "%s: cannot rotate it to %s: %s; the "
					    "entry is not written", path, rotated, strerror(saved));
					close(fd);
					return -1;
				}
				snprintf(err, errlen, "%s: cannot rotate it to %s: %s", path, rotated,
				    strerror(saved));
				*rotate_failed = 1;	/* append anyway, and say so */
			}
		}
		close(fd);	/* releases the lock; the next turn opens the new file */
		fd = -1;
	}
	errno = EAGAIN;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int
log_append(const char *path, const struct log_entry *e, char *err, size_t errlen)
{
	char last;
	struct stat sb;
	cJSON *o = NULL;
	char *line = NULL, *printed = NULL;
	size_t n;
	int fd = -1, ret = -1, saved, rotate_failed = 0;

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
	if (e->agent)
		cJSON_AddStringToObject(o, "agent", e->agent);
	if (e->batch)
		cJSON_AddStringToObject(o, "batch", e->batch);
	if (e->dangerous)
		cJSON_AddTrueToObject(o, "dangerous");
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
		add_text(o, "note", e->note, strlen(e->note));
	if (e->usage != NULL && e->usage->input_tokens >= 0)
		cJSON_AddNumberToObject(o, "input_tokens", (double)e->usage->input_tokens);
	if (e->usage != NULL && e->usage->cached_tokens >= 0)
		cJSON_AddNumberToObject(o, "cached_input_tokens", (double)e->usage->cached_tokens);
	if (e->usage != NULL && e->usage->output_tokens >= 0)
		cJSON_AddNumberToObject(o, "output_tokens", (double)e->usage->output_tokens);
	if (e->usage != NULL && e->usage->cost_usd >= 0)
		cJSON_AddNumberToObject(o, "cost_usd", e->usage->cost_usd);
	if (e->model)
		add_text(o, "model", e->model, strlen(e->model));
	if (e->agent_session)
		cJSON_AddStringToObject(o, "agent_session", e->agent_session);
	if (e->ndeliveries > 0) {
		cJSON *arr = cJSON_AddArrayToObject(o, "deliveries");

		for (size_t i = 0; arr != NULL && i < e->ndeliveries; i++) {
			const struct log_delivery *d = &e->deliveries[i];
			cJSON *one = cJSON_CreateObject();

			if (one == NULL || !cJSON_AddItemToArray(arr, one)) {
				cJSON_Delete(one);
				goto oom;
			}
			/* redacted already (target_redact), in its own way */
			cJSON_AddStringToObject(one, "target", d->target);
			cJSON_AddStringToObject(one, "result", d->result);
			if (d->reason != NULL && d->reason[0] != '\0')
				add_text(one, "reason", d->reason, strlen(d->reason));
			if (d->parts > 1) {
				cJSON_AddNumberToObject(one, "parts", (double)d->parts);
				cJSON_AddNumberToObject(one, "parts_done", (double)d->parts_done);
			}
		}
	}
	if (e->has_tries)
		cJSON_AddNumberToObject(o, "tries", (double)e->tries);
	if (e->tier)
		cJSON_AddStringToObject(o, "tier", e->tier);
	if (e->findings)
		add_text(o, "findings", e->findings, strlen(e->findings));
	if (e->triage) {
		const struct log_usage *u = e->triage_usage;

		cJSON_AddStringToObject(o, "triage", e->triage);
		add_text(o, "triage_reason", e->triage_reason ? e->triage_reason : "",
		    e->triage_reason ? strlen(e->triage_reason) : 0);
		if (u != NULL && u->input_tokens >= 0)
			cJSON_AddNumberToObject(o, "triage_input_tokens", (double)u->input_tokens);
		if (u != NULL && u->output_tokens >= 0)
			cJSON_AddNumberToObject(o, "triage_output_tokens", (double)u->output_tokens);
		if (u != NULL && u->cost_usd >= 0)
			cJSON_AddNumberToObject(o, "triage_cost_usd", u->cost_usd);
	}
	if (e->slots > 0) {
		cJSON_AddNumberToObject(o, "slots", (double)e->slots);
		cJSON_AddNumberToObject(o, "missed", (double)(e->slots - 1));
	}
	printed = cJSON_PrintUnformatted(o);
	if (printed == NULL)
		goto oom;
	n = strlen(printed);
	line = malloc(n + 2);	/* room for a newline before it and one after */
	if (line == NULL)
		goto oom;
	memcpy(line, printed, n);
	line[n++] = '\n';	/* no NUL: the buffer is not used as a string */

	fd = open_rotated(path, &sb, &rotate_failed, err, errlen);
	if (fd < 0)
		goto out;
	/* A line cut short earlier (a crash, a full disk) must not swallow this one. */
	if (sb.st_size > 0 && pread(fd, &last, 1, sb.st_size - 1) == 1 && last != '\n') {
		memmove(line + 1, line, n);
		line[0] = '\n';
		n++;
	}
	if (fileio_write_all(fd, line, n) != 0) {
		saved = errno;
		/* Take back the part that was written: no half line in the log. */
		if (ftruncate(fd, sb.st_size) != 0) {
			/* nothing better to do: the next entry starts on a line of its own */
		}
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
		goto out;
	}
	if (rotate_failed)
		goto out;
	ret = 0;
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
out:
	if (fd >= 0)
		close(fd);
	free(line);
	cJSON_free(printed);
	cJSON_Delete(o);
	return ret;
}

static int
each_in(const char *path, void (*fn)(const cJSON *, void *), void *arg, char *err,
    size_t errlen)
{
	char *text = NULL, *p, *nl;
	size_t len;
	int r, cut;

	/* A log that grew past the bound (its rotation failed) still shows its newest
	 * entries: read its tail, from the first whole line. */
	r = fileio_read_tail(path, LOG_READ_MAX, &text, &len, &cut, err, errlen);
	if (r == FILEIO_MISSING)
		return 0;
	if (r != 0)
		return -1;
	p = text;
	if (cut) {
		nl = memchr(text, '\n', len);
		p = nl ? nl + 1 : text + len;
	}
	for (; p < text + len; p = nl + 1) {
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
