/* openai.h - the OpenAI chat completions API (POST BASE/chat/completions), as spoken by
 * OpenAI and by local servers (llama.cpp, Ollama, vLLM, LM Studio): the request body, the
 * reply (whole or streamed) and usage. Pure. Included by http/ and the tests. */
#ifndef HB_OPENAI_H
#define HB_OPENAI_H

#include <stddef.h>

#include "agents/llm.h"

/* The request body as a malloc'd JSON text; a stream asks for usage in its last chunk.
 * NULL when memory ran out. */
char *openai_request(const struct llm_request *q);

/* Reads a whole (non-streamed) response body into R. Returns 0, or -1 when it is not a
 * completion (R->bad says why; R->has_error when it is an error object). */
int openai_parse_response(const char *body, size_t len, struct llm_reply *r);

/* One SSE event of a streamed completion, for llm_sse_feed (ARG: the struct llm_reply).
 * Returns 0 to go on, -1 to stop: an error object (R->has_error) or an event that is not
 * JSON (R->bad). [DONE] sets R->done. */
int openai_sse_event(void *arg, const char *event, const char *data, size_t len);

#endif
