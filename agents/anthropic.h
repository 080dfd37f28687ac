/* anthropic.h - the Anthropic Messages API (POST BASE/v1/messages): the request body, the
 * reply (whole or streamed: message_start, content_block_delta, message_delta, message_stop)
 * and usage. Pure. Included by http/ and the tests. */
#ifndef HB_ANTHROPIC_H
#define HB_ANTHROPIC_H

#include <stddef.h>

#include "agents/llm.h"

/* The request body as a malloc'd JSON text. NULL when memory ran out. */
char *anthropic_request(const struct llm_request *q);

/* Reads a whole (non-streamed) response body into R. Returns 0, or -1 when it is not a
 * message (R->bad says why; R->has_error when it is an error object). */
int anthropic_parse_response(const char *body, size_t len, struct llm_reply *r);

/* One SSE event of a streamed message, for llm_sse_feed (ARG: the struct llm_reply).
 * Returns 0 to go on, -1 to stop: an error event (R->has_error) or an event that is not
 * JSON (R->bad). message_stop sets R->done. */
int anthropic_sse_event(void *arg, const char *event, const char *data, size_t len);

#endif
