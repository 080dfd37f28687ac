/* openai.c - the chat completions API: request bodies, whole replies and stream chunks.
 * Local servers differ in small ways (usage absent or null, no [DONE] after the last
 * finish_reason, an error as a plain string): what is missing is left unknown, never guessed. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "agents/openai.h"

char *
openai_request(const struct llm_request *q)
{
	cJSON *root = cJSON_CreateObject(), *msgs, *m, *opts;
	char *out = NULL;

	if (root == NULL)
		return NULL;
	if (q->model != NULL && q->model[0] != '\0' &&
	    cJSON_AddStringToObject(root, "model", q->model) == NULL)
		goto out;
	if ((msgs = cJSON_AddArrayToObject(root, "messages")) == NULL)
		goto out;
	if (q->system != NULL && q->system[0] != '\0') {
		if ((m = cJSON_CreateObject()) == NULL)
			goto out;
		cJSON_AddItemToArray(msgs, m);
		if (cJSON_AddStringToObject(m, "role", "system") == NULL ||
		    cJSON_AddStringToObject(m, "content", q->system) == NULL)
			goto out;
	}
	if (llm_json_add_turns(msgs, q->turns, q->nturns, q->prompt) != 0)
		goto out;
	if (q->max_tokens > 0 &&
	    cJSON_AddNumberToObject(root, q->completion_tokens ? "max_completion_tokens" :
	    "max_tokens", (double)q->max_tokens) == NULL)
		goto out;
	if (q->has_temperature &&
	    cJSON_AddNumberToObject(root, "temperature", q->temperature) == NULL)
		goto out;
	if (cJSON_AddBoolToObject(root, "stream", q->stream) == NULL)
		goto out;
	if (q->stream) {
		if ((opts = cJSON_AddObjectToObject(root, "stream_options")) == NULL ||
		    cJSON_AddTrueToObject(opts, "include_usage") == NULL)
			goto out;
	}
	out = cJSON_PrintUnformatted(root);
out:
	cJSON_Delete(root);
	return out;
}

static void
take_usage(struct llm_reply *r, const cJSON *usage)
{
	long long in, outn;

	if (!cJSON_IsObject(usage))
		return;
	in = llm_json_count(usage, "prompt_tokens");
	outn = llm_json_count(usage, "completion_tokens");
	if (in < 0 && outn < 0)
		return;
	r->input_tokens = in < 0 ? 0 : in;
	r->output_tokens = outn < 0 ? 0 : outn;
	r->have_usage = 1;
}

/* The parts every chunk or reply may carry: model, usage, an error. 1: an error. */
static int
take_common(struct llm_reply *r, const cJSON *j)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");

	if (err != NULL && !cJSON_IsNull(err)) {
		if (!llm_error_from_json(err, &r->error))
			snprintf(r->error.message, sizeof r->error.message, "an error without a message");
		r->has_error = 1;
		return 1;
	}
	llm_json_copy(r->model, sizeof r->model, j, "model");
	take_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	return 0;
}

/* Text of "content" in MSG (a message or a delta): a string, or parts with "text". */
static int
take_content(struct llm_reply *r, const cJSON *msg)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(msg, "content"), *part;

	if (cJSON_IsString(c))
		return llm_reply_append(r, c);
	if (!cJSON_IsArray(c))
		return 0;
	cJSON_ArrayForEach(part, c)
		if (llm_reply_append(r, cJSON_GetObjectItemCaseSensitive(part, "text")) != 0)
			return -1;
	return 0;
}

int
openai_parse_response(const char *body, size_t len, struct llm_reply *r)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *choice, *msg;
	int rc = -1;

	if (j == NULL || !cJSON_IsObject(j)) {
		snprintf(r->bad, sizeof r->bad, "the reply is not a JSON object");
		goto out;
	}
	if (take_common(r, j))
		goto out;
	choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
	msg = cJSON_GetObjectItemCaseSensitive(choice, "message");
	if (!cJSON_IsObject(msg)) {
		snprintf(r->bad, sizeof r->bad, "the reply has no choices[0].message");
		goto out;
	}
	if (take_content(r, msg) != 0)
		goto out;
	llm_json_copy(r->finish, sizeof r->finish, choice, "finish_reason");
	r->done = 1;
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

int
openai_sse_event(void *arg, const char *event, const char *data, size_t len)
{
	struct llm_reply *r = arg;
	cJSON *j;
	const cJSON *choice, *delta;
	int rc = -1;

	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		r->done = 1;
		return -1;	/* nothing comes after it */
	}
	r->events++;
	j = cJSON_ParseWithLength(data, len);
	if (j == NULL || !cJSON_IsObject(j)) {
		snprintf(r->bad, sizeof r->bad, "an event of the stream is not a JSON object");
		goto out;
	}
	if ((event != NULL && strcmp(event, "error") == 0 && !r->has_error &&
	    llm_error_from_json(j, &r->error) && (r->has_error = 1)) || take_common(r, j))
		goto out;
	choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
	delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
	if (cJSON_IsObject(delta) && take_content(r, delta) != 0)
		goto out;
	llm_json_copy(r->finish, sizeof r->finish, choice, "finish_reason");
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}
