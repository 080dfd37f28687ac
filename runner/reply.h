/* reply.h - what to do with an agent's reply: HEARTBEAT_OK and NO_REPLY handling as OpenClaw
 * does it. Pure. Used by the tick and by the tests. */
#ifndef HB_REPLY_H
#define HB_REPLY_H

#include <stddef.h>

enum reply_verdict {
	REPLY_DELIVER,		/* show it to a person */
	REPLY_EMPTY,		/* empty or whitespace only: suppressed */
	REPLY_NO_REPLY,		/* exactly NO_REPLY: suppressed */
	REPLY_ACK,		/* HEARTBEAT_OK with at most ack_max_chars besides: suppressed */
	REPLY_UNDELIVERED,	/* to deliver, but it could not be written (never classified) */
	REPLY_DUPLICATE,	/* to deliver, but the task delivered the same text within 24 h */
	REPLY_HELD,		/* to deliver, held for the digest at the end of quiet hours */
};

/* Classifies the reply TEXT (LEN bytes, not necessarily NUL-terminated). For REPLY_DELIVER,
 * *OUT receives the text to deliver (the reply without edge tokens, trimmed; malloc'd) and
 * *OUTLEN its length; otherwise *OUT is NULL. Returns -1 when memory ran out. */
int reply_classify(const char *text, size_t len, size_t ack_max_chars,
    enum reply_verdict *verdict, char **out, size_t *outlen);

const char *reply_verdict_name(enum reply_verdict v);

#define REPLY_FOLLOWUP "HEARTBEAT_FOLLOWUP:"	/* a line asking for a follow-up */

/* Takes the follow-up lines ("HEARTBEAT_FOLLOWUP: 30m Check the CI again", leading blanks
 * allowed) out of TEXT (LEN bytes): *REST receives the text without them (malloc'd, NUL-
 * terminated, *RESTLEN bytes), *LINES what follows each "HEARTBEAT_FOLLOWUP:", trimmed (a
 * malloc'd array of malloc'd strings, *NLINES of them; NULL when none). Returns -1 when
 * memory ran out. */
int reply_followups(const char *text, size_t len, char **rest, size_t *restlen,
    char ***lines, size_t *nlines);
void reply_followups_free(char **lines, size_t n);

/* Unicode code points in S (N bytes of UTF-8). */
size_t reply_codepoints(const char *s, size_t n);

#endif
