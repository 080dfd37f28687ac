/* transcript.c - an HTTP agent's session transcript: JSON lines read, bounded and replaced
 * atomically. The bound keeps a request (which sends the whole transcript) and the file small. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "state/fileio.h"
#include "state/transcript.h"

/* A file larger than this was not written by us: only its end is read. */
#define TRANSCRIPT_READ_MAX	(4L * 1024 * 1024)

void
transcript_free(struct transcript_turn *turns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(turns[i].role);
		free(turns[i].content);
	}
	free(turns);
}

/* One line: 1 and *T filled when it is a turn, 0 when not, -1 when memory ran out. */
static int
parse_line(const char *line, size_t len, struct transcript_turn *t)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *role, *content;
	int rc = 0;

	if (j == NULL)
		return 0;
	role = cJSON_GetObjectItemCaseSensitive(j, "role");
	content = cJSON_GetObjectItemCaseSensitive(j, "content");
	if (cJSON_IsString(role) && cJSON_IsString(content) &&
	    (strcmp(role->valuestring, "user") == 0 ||
	    strcmp(role->valuestring, "assistant") == 0)) {
		t->role = strdup(role->valuestring);
		t->content = strdup(content->valuestring);
		if (t->role == NULL || t->content == NULL) {
			free(t->role);
			free(t->content);
			rc = -1;
		} else {
			rc = 1;
		}
	}
	cJSON_Delete(j);
	return rc;
}

int
transcript_parse(const char *text, size_t len, struct transcript_turn **turns, size_t *n,
    size_t *skipped)
{
	struct transcript_turn *v = NULL, *p;
	size_t cnt = 0, cap = 0, skip = 0, i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len, s = i;
		int rc;

		i = e + 1;
		while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
			s++;
		if (s == e)
			continue;	/* blank */
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(v, cap * sizeof *v)) == NULL)
				goto oom;
			v = p;
		}
		rc = parse_line(text + s, e - s, &v[cnt]);
		if (rc < 0)
			goto oom;
		if (rc == 0 || (cnt == 0 && strcmp(v[cnt].role, "assistant") == 0)) {
			if (rc > 0) {
				free(v[cnt].role);
				free(v[cnt].content);
			}
			skip++;
			continue;
		}
		cnt++;
	}
	*turns = v;
	*n = cnt;
	if (skipped != NULL)
		*skipped = skip;
	return 0;
oom:
	transcript_free(v, cnt);
	return -1;
}

/* The length of turn T's line, its newline included (as transcript_format writes it). */
static size_t
line_size(const struct transcript_turn *t)
{
	cJSON *j = cJSON_CreateObject();
	char *s;
	size_t n = 0;

	if (j != NULL && cJSON_AddStringToObject(j, "role", t->role) != NULL &&
	    cJSON_AddStringToObject(j, "content", t->content) != NULL &&
	    (s = cJSON_PrintUnformatted(j)) != NULL) {
		n = strlen(s) + 1;
		free(s);
	} else {
		n = strlen(t->content) * 6 + 64;	/* the most it could take */
	}
	cJSON_Delete(j);
	return n;
}

void
transcript_bound(struct transcript_turn *turns, size_t *n, size_t max_turns, size_t max_bytes)
{
	size_t total = 0, drop = 0;

	for (size_t i = 0; i < *n; i++)
		total += line_size(&turns[i]);
	while (*n - drop > 2 && (*n - drop > max_turns || total > max_bytes)) {
		total -= line_size(&turns[drop]);
		drop++;
	}
	while (*n - drop > 2 && strcmp(turns[drop].role, "assistant") == 0)
		drop++;
	for (size_t i = 0; i < drop; i++) {
		free(turns[i].role);
		free(turns[i].content);
	}
	memmove(turns, turns + drop, (*n - drop) * sizeof *turns);
	*n -= drop;
}

char *
transcript_format(const struct transcript_turn *turns, size_t n, size_t *len)
{
	char *out = NULL, *s, *p;
	size_t o = 0, cap = 0;

	for (size_t i = 0; i < n; i++) {
		cJSON *j = cJSON_CreateObject();
		size_t k;

		if (j == NULL || cJSON_AddStringToObject(j, "role", turns[i].role) == NULL ||
		    cJSON_AddStringToObject(j, "content", turns[i].content) == NULL ||
		    (s = cJSON_PrintUnformatted(j)) == NULL) {
			cJSON_Delete(j);
			free(out);
			return NULL;
		}
		cJSON_Delete(j);
		k = strlen(s);
		if (o + k + 2 > cap) {
			cap = (o + k + 2) * 2;
			if ((p = realloc(out, cap)) == NULL) {
				free(s);
				free(out);
				return NULL;
			}
			out = p;
		}
		memcpy(out + o, s, k);
		o += k;
		out[o++] = '\n';
		free(s);
	}
	if (out == NULL && (out = malloc(1)) == NULL)
		return NULL;
	out[o] = '\0';
	*len = o;
	return out;
}

int
transcript_load(const char *path, struct transcript_turn **turns, size_t *n, char *err,
    size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int cut = 0, rc;

	*turns = NULL;
	*n = 0;
	rc = fileio_read_tail(path, TRANSCRIPT_READ_MAX, &text, &len, &cut, err, errlen);
	if (rc == FILEIO_MISSING)
		return 0;
	if (rc != 0)
		return -1;
	rc = transcript_parse(text, len, turns, n, NULL);
	free(text);
	if (rc != 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

int
transcript_append(const char *path, const char *user, const char *assistant, char *err,
    size_t errlen)
{
	struct transcript_turn *turns = NULL, *p;
	size_t n = 0, len = 0;
	char *dir = NULL, *text = NULL;
	int dfd = -1, rc = -1;

	/* The directory, not the file, is locked: the file is replaced by rename. */
	if ((dir = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || flock(dfd, LOCK_EX) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (transcript_load(path, &turns, &n, err, errlen) != 0)
		goto out;
	if ((p = realloc(turns, (n + 2) * sizeof *turns)) == NULL)
		goto oom;
	turns = p;
	turns[n].role = strdup("user");
	turns[n].content = strdup(user);
	turns[n + 1].role = strdup("assistant");
	turns[n + 1].content = strdup(assistant);
	n += 2;
	for (size_t i = n - 2; i < n; i++)
		if (turns[i].role == NULL || turns[i].content == NULL)
			goto oom;
	transcript_bound(turns, &n, TRANSCRIPT_MAX_TURNS, TRANSCRIPT_MAX_BYTES);
	if ((text = transcript_format(turns, n, &len)) == NULL)
		goto oom;
	rc = fileio_write_atomic(path, text, len, 1, err, errlen);
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
out:
	transcript_free(turns, n);
	free(text);
	free(dir);
	if (dfd >= 0)
		close(dfd);
	return rc;
}
