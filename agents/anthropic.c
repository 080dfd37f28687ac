/* anthropic.c - the Messages API: request bodies, whole replies and stream events. Input
 * tokens count the cached ones too (cache_creation_input_tokens, cache_read_input_tokens):
 * the model read them all. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "agents/anthropic.h"

char *
anthropic_request(const struct llm_request *q)
{
	cJSON *root = cJSON_CreateObject(), *msgs;
	char *out = NULL;

	if (root == NULL)
		return NULL;
	if (cJSON_AddStringToObject(root, "model", q->model ? q->model : "") == NULL ||
	    cJSON_AddNumberToObject(root, "max_tokens",
	    (double)(q->max_tokens > 0 ? q->max_tokens : 1024)) == NULL)
		goto out;
	if (q->system != NULL && q->system[0] != '\0' &&
	    cJSON_AddStringToObject(root, "system", q->system) == NULL)
		goto out;
	if ((msgs = cJSON_AddArrayToObject(root, "messages")) == NULL ||
	    llm_json_add_turns(msgs, q->turns, q->nturns, q->prompt) != 0)
		goto out;
	if (q->has_temperature &&
	    cJSON_AddNumberToObject(root, "temperature", q->temperature) == NULL)
		goto out;
	if (cJSON_AddBoolToObject(root, "stream", q->stream) == NULL)
		goto out;
	out = cJSON_PrintUnformatted(root);
out:
	cJSON_Delete(root);
	return out;
}

/* Usage of a message (message_start, a whole reply) or of message_delta, which repeats the
 * running output count (and, in newer versions, the input count). */
static void
take_usage(struct llm_reply *r, const cJSON *usage)
{
	static const char *const inputs[] = {
		"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
	};
	long long in = -1, v;

	if (!cJSON_IsObject(usage))
		return;
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
		if ((v = llm_json_count(usage, inputs[i])) >= 0)
			in = (in < 0 ? 0 : in) + v;
	if (in >= 0) {
		r->input_tokens = in;
		r->have_usage = 1;
	}
	if ((v = llm_json_count(usage, "output_tokens")) >= 0) {
		r->output_tokens = v;
		r->have_usage = 1;
	}
}

static int
take_error(struct llm_reply *r, const cJSON *j)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");

	if (!(cJSON_IsString(type) && strcmp(type->valuestring, "error") == 0) &&
	    cJSON_GetObjectItemCaseSensitive(j, "error") == NULL)
		return 0;
	if (!llm_error_from_json(j, &r->error))
		snprintf(r->error.message, sizeof r->error.message, "an error without a message");
	r->has_error = 1;
	return 1;
}

int
anthropic_parse_response(const char *body, size_t len, struct llm_reply *r)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *content, *block;
	int rc = -1;

	if (j == NULL || !cJSON_IsObject(j)) {
		snprintf(r->bad, sizeof r->bad, "the reply is not a JSON object");
		goto out;
	}
	if (take_error(r, j))
		goto out;
	content = cJSON_GetObjectItemCaseSensitive(j, "content");
	if (!cJSON_IsArray(content)) {
		snprintf(r->bad, sizeof r->bad, "the reply has no content");
		goto out;
	}
	cJSON_ArrayForEach(block, content) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");

		if (cJSON_IsString(type) && strcmp(type->valuestring, "text") == 0 &&
		    llm_reply_append(r, cJSON_GetObjectItemCaseSensitive(block, "text")) != 0)
			goto out;
	}
	llm_json_copy(r->model, sizeof r->model, j, "model");
	llm_json_copy(r->finish, sizeof r->finish, j, "stop_reason");
	take_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	r->done = 1;
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

int
anthropic_sse_event(void *arg, const char *event, const char *data, size_t len)
{
	struct llm_reply *r = arg;
	cJSON *j = cJSON_ParseWithLength(data, len);
	const cJSON *type, *delta, *msg;
	const char *t;
	int rc = -1;

	(void)event;	/* the data's "type" says the same, and is always there */
	r->events++;
	if (j == NULL || !cJSON_IsObject(j)) {
		snprintf(r->bad, sizeof r->bad, "an event of the stream is not a JSON object");
		goto out;
	}
	if (take_error(r, j))
		goto out;
	type = cJSON_GetObjectItemCaseSensitive(j, "type");
	t = cJSON_IsString(type) ? type->valuestring : "";
	if (strcmp(t, "message_start") == 0) {
		msg = cJSON_GetObjectItemCaseSensitive(j, "message");
		llm_json_copy(r->model, sizeof r->model, msg, "model");
		take_usage(r, cJSON_GetObjectItemCaseSensitive(msg, "usage"));
	} else if (strcmp(t, "content_block_delta") == 0) {
		delta = cJSON_GetObjectItemCaseSensitive(j, "delta");
		type = cJSON_GetObjectItemCaseSensitive(delta, "type");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "text_delta") == 0 &&
		    llm_reply_append(r, cJSON_GetObjectItemCaseSensitive(delta, "text")) != 0)
			goto out;
	} else if (strcmp(t, "content_block_start") == 0) {
		/* a text block may start with text of its own */
		delta = cJSON_GetObjectItemCaseSensitive(j, "content_block");
		type = cJSON_GetObjectItemCaseSensitive(delta, "type");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "text") == 0 &&
		    llm_reply_append(r, cJSON_GetObjectItemCaseSensitive(delta, "text")) != 0)
			goto out;
	} else if (strcmp(t, "message_delta") == 0) {
		delta = cJSON_GetObjectItemCaseSensitive(j, "delta");
		llm_json_copy(r->finish, sizeof r->finish, delta, "stop_reason");
		take_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	} else if (strcmp(t, "message_stop") == 0) {
		r->done = 1;
		rc = -1;
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}
