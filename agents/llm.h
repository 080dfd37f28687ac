/* llm.h - what the model APIs (agents/openai.c, agents/anthropic.c) share: conversation turns,
 * the request's settings, a reply gathered in bounded memory, an incremental SSE reader, the
 * API's error object, and the retry rules (which failures to retry, how long to wait). Pure:
 * no I/O, the clock is a parameter. Included by agents/ and http/. */
#ifndef HB_LLM_H
#define HB_LLM_H

#include <stddef.h>
#include <time.h>

#include "state/transcript.h"

/* A reply keeps its first LLM_HEAD_MAX and its last LLM_TAIL_MAX bytes; the rest is counted. */
#define LLM_HEAD_MAX	(512 * 1024)
#define LLM_TAIL_MAX	(64 * 1024)
/* One SSE event (its data lines together) may be at most this long. */
#define LLM_EVENT_MAX	(1024 * 1024)

/* hb-run-http's exit status when the run's deadline ended a request that had no whole reply
 * yet (0: a reply, 1: the request failed, 2: a configuration error): hb-run records the run
 * as a timeout. */
#define LLM_EXIT_TIMEOUT	3
/* The most hb-run-http prints: within what hb-run keeps whole of an agent's output (its first
 * 512 KiB and last 64 KiB), so that the JSON object reaches it uncut. */
#define LLM_PRINT_MAX	(512 * 1024)

enum llm_api { LLM_OPENAI, LLM_ANTHROPIC };

/* What a request asks. TURNS come before PROMPT (the new user turn). */
struct llm_request {
	const char *model;		/* NULL or "": not sent (openai only) */
	const char *system;		/* NULL or "": none */
	const struct transcript_turn *turns;
	size_t nturns;
	const char *prompt;
	long max_tokens;
	int completion_tokens;		/* openai: send it as max_completion_tokens, as OpenAI's
					 * own API wants (its newer models refuse max_tokens);
					 * compatible servers know max_tokens */
	int has_temperature;
	double temperature;
	int stream;
};

/* Text gathered in bounded memory: the first LLM_HEAD_MAX bytes, a ring of the last
 * LLM_TAIL_MAX, and the total seen. */
struct llm_text {
	char *head;
	size_t hlen, hcap;
	char *tail;			/* ring of LLM_TAIL_MAX bytes, allocated once needed */
	size_t tpos, tlen;		/* next write position, bytes held */
	unsigned long long total;
};

/* An API's error object: {"error": {"type", "code", "message"}} (openai) or
 * {"type": "error", "error": {"type", "message"}} (anthropic); {"error": "text"} too. */
struct llm_error {
	char type[64];
	char code[64];
	char message[512];
};

/* A reply as it is read. */
struct llm_reply {
	struct llm_text text;
	long long input_tokens, output_tokens;
	int have_usage;
	char model[128];
	char finish[64];		/* finish_reason / stop_reason, "" when none came */
	int done;			/* the stream's end marker came ([DONE], message_stop) */
	int events;			/* events that carried data */
	int has_error;
	struct llm_error error;
	int oom;			/* memory ran out: the text is incomplete */
	char bad[128];			/* what was wrong with the reply, "" when nothing */
};

/* The SSE reader's state: the line being read and the event's data so far. */
struct llm_sse {
	char *line;
	size_t llen, lcap;
	char *data;
	size_t dlen, dcap;
	int has_data;
	char event[64];
	int after_cr;			/* the last byte seen was a CR: a LF next ends nothing */
	int discard;			/* the current line is too long: skip to its end */
};

/* Called for each complete event: EVENT ("" when no event: line), DATA (NUL-terminated, LEN
 * bytes). Returns 0 to go on, -1 to stop reading (llm_sse_feed then returns -1). */
typedef int (*llm_sse_fn)(void *arg, const char *event, const char *data, size_t len);

void llm_text_init(struct llm_text *t);
void llm_text_free(struct llm_text *t);
/* Adds N bytes. Returns 0, or -1 when memory ran out. */
int llm_text_append(struct llm_text *t, const char *s, size_t n);

/* The host (and port) of URL, without any user:password@, into HOST (SIZE bytes). -1 when
 * URL is not http:// or https:// with a host, or holds a control character or a space. */
int llm_url_host(const char *url, char *host, size_t size);

struct cJSON;
/* Appends the JSON string S (anything else, or "", adds nothing) to R's text; -1 with R->oom
 * set when memory ran out. */
int llm_reply_append(struct llm_reply *r, const struct cJSON *s);
/* The text as one malloc'd, NUL-terminated string: the head, then when bytes were cut a note
 * "[... N bytes cut ...]" between blank lines, then the tail. *LEN its length, *CUT the
 * bytes left out. NULL when memory ran out. */
char *llm_text_result(const struct llm_text *t, size_t *len, unsigned long long *cut);
/* The same, keeping at most HEAD_MAX bytes of the head and the last TAIL_MAX of the tail. */
char *llm_text_result_max(const struct llm_text *t, size_t head_max, size_t tail_max,
    size_t *len, unsigned long long *cut);

void llm_reply_init(struct llm_reply *r);
void llm_reply_free(struct llm_reply *r);

void llm_sse_init(struct llm_sse *s);
void llm_sse_free(struct llm_sse *s);
/* Feeds N bytes of an event stream; events may be split anywhere. Lines end in LF, CRLF or
 * CR. Returns 0, -1 when FN asked to stop, -2 when an event grew past LLM_EVENT_MAX or
 * memory ran out. An event not ended by a blank line at the end of the stream is dropped
 * (as the SSE standard says). */
int llm_sse_feed(struct llm_sse *s, const char *buf, size_t n, llm_sse_fn fn, void *arg);

/* Reads an API error object from BODY (LEN bytes). Returns 1 when one was found (E filled),
 * else 0. */
int llm_error_parse(const char *body, size_t len, struct llm_error *e);
/* Reads the error object CJSON (a cJSON *) that is the value of "error", or an anthropic
 * error event. Returns 1 when it is one. */
int llm_error_from_json(const void *cjson, struct llm_error *e);

/* For the API modules: appends the turns and then the prompt as {"role", "content"} objects
 * to the cJSON array ARRAY. Returns 0, or -1 when memory ran out. */
int llm_json_add_turns(void *array, const struct transcript_turn *turns, size_t n, const char *prompt);
/* The whole number NAME of cJSON object OBJ, or -1 when it is absent or not a number. */
long long llm_json_count(const void *obj, const char *name);
/* Copies the string NAME of cJSON object OBJ into DST (SIZE bytes) when it is one. */
void llm_json_copy(char *dst, size_t size, const void *obj, const char *name);

/* Should a try that ended with HTTP STATUS (0: no response) and error E (NULL: none) be
 * tried again? 408, 409, 429 (not insufficient_quota), 5xx, 529: yes; others: no. */
int llm_status_retryable(long status, const struct llm_error *e);
/* An error inside a 200 stream (overloaded, a server error): worth another try? */
int llm_stream_error_retryable(const struct llm_error *e);
/* The wait before try number TRY + 1 (TRY >= 1 tries done): 1 s, 2 s, 4 s ... capped at
 * 30 s, jittered to between half and all of it by R (0 <= R < 1). In milliseconds. */
long long llm_backoff_ms(int try, double r);
/* The wait a retry-after-ms or retry-after header asks, in milliseconds from NOW_MS (Unix
 * ms): RETRY_AFTER_MS (NULL: absent) wins, else RETRY_AFTER as seconds or an HTTP date.
 * Returns -1 when neither is present or readable. */
long long llm_retry_after(const char *retry_after_ms, const char *retry_after, long long now_ms);
/* The reason phrase of an HTTP status ("Too Many Requests"), "" when unknown. */
const char *llm_status_reason(long status);

#endif
