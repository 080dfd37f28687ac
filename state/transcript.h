/* transcript.h - a session's conversation kept for HTTP agents (.heartbeat-sessions/ID.jsonl):
 * one JSON object a line, {"role": "user"|"assistant", "content": TEXT}, oldest first, bounded
 * (the oldest turns go first). Parsing, bounding and formatting are pure; load and append do
 * the file's I/O (append: re-read, add, bound, replace atomically, 0600). Used by http/ and
 * agents/. */
#ifndef HB_TRANSCRIPT_H
#define HB_TRANSCRIPT_H

#include <stddef.h>

#define TRANSCRIPT_MAX_TURNS	50
#define TRANSCRIPT_MAX_BYTES	(256 * 1024)

/* One turn of a conversation; ROLE is "user" or "assistant". */
struct transcript_turn {
	char *role;
	char *content;
};

/* Reads the turns in TEXT (LEN bytes) into a malloc'd array (*TURNS, *N; free with
 * transcript_free). A line that is not such an object is skipped and counted in *SKIPPED; a
 * conversation does not start with an assistant turn, so leading ones are dropped too.
 * Returns 0, or -1 when memory ran out. */
int transcript_parse(const char *text, size_t len, struct transcript_turn **turns, size_t *n,
    size_t *skipped);

/* Drops the oldest turns (freeing them) until at most MAX_TURNS remain and their lines take
 * at most MAX_BYTES, then any leading assistant turn; the last two turns always stay. */
void transcript_bound(struct transcript_turn *turns, size_t *n, size_t max_turns,
    size_t max_bytes);

/* The turns as JSON lines, malloc'd and NUL-terminated (*LEN its length); NULL when memory
 * ran out. */
char *transcript_format(const struct transcript_turn *turns, size_t n, size_t *len);

void transcript_free(struct transcript_turn *turns, size_t n);

/* Loads PATH (a missing file: no turns). Returns 0, or -1 with "PATH: why" in ERR. */
int transcript_load(const char *path, struct transcript_turn **turns, size_t *n, char *err,
    size_t errlen);

/* Adds the turns USER and ASSISTANT to PATH: reads it again (another run may have added to
 * it), bounds it, and replaces it atomically (0600, fsync, rename). Writers of the same
 * transcript take turns (flock on its directory). Returns 0, or -1 with ERR set. */
int transcript_append(const char *path, const char *user, const char *assistant, char *err,
    size_t errlen);

#endif
