/* llm.c - the parts of talking to a model API that do not depend on which API: bounded reply
 * text, the SSE reader, error objects and the retry rules. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "agents/llm.h"

void
llm_text_init(struct llm_text *t)
{
	memset(t, 0, sizeof *t);
}

void
llm_text_free(struct llm_text *t)
{
	free(t->head);
	free(t->tail);
	llm_text_init(t);
}

int
llm_text_append(struct llm_text *t, const char *s, size_t n)
{
	t->total += n;
	if (t->hlen < LLM_HEAD_MAX) {
		size_t k = LLM_HEAD_MAX - t->hlen;

		if (k > n)
			k = n;
		if (t->hlen + k > t->hcap) {
			size_t cap = t->hcap ? t->hcap : 4096;
			char *p;

			while (cap < t->hlen + k)
				cap *= 2;
			if (cap > LLM_HEAD_MAX)
				cap = LLM_HEAD_MAX;
			if ((p = realloc(t->head, cap)) == NULL)
				return -1;
			t->head = p;
			t->hcap = cap;
		}
		memcpy(t->head + t->hlen, s, k);
		t->hlen += k;
		s += k;
		n -= k;
	}
	if (n == 0)
		return 0;
	if (t->tail == NULL && (t->tail = malloc(LLM_TAIL_MAX)) == NULL)
		return -1;
	if (n > LLM_TAIL_MAX) {		/* only the last LLM_TAIL_MAX bytes can stay */
		s += n - LLM_TAIL_MAX;
		n = LLM_TAIL_MAX;
	}
	while (n > 0) {
		size_t k = LLM_TAIL_MAX - t->tpos;

		if (k > n)
			k = n;
		memcpy(t->tail + t->tpos, s, k);
		t->tpos = (t->tpos + k) % LLM_TAIL_MAX;
		t->tlen = t->tlen + k > LLM_TAIL_MAX ? LLM_TAIL_MAX : t->tlen + k;
		s += k;
		n -= k;
	}
	return 0;
}

char *
llm_text_result(const struct llm_text *t, size_t *len, unsigned long long *cut)
{
	return llm_text_result_max(t, LLM_HEAD_MAX, LLM_TAIL_MAX, len, cut);
}

char *
llm_text_result_max(const struct llm_text *t, size_t head_max, size_t tail_max, size_t *len,
    unsigned long long *cut)
{
	size_t hlen = t->hlen < head_max ? t->hlen : head_max;
	size_t tlen = t->tlen < tail_max ? t->tlen : tail_max;
	unsigned long long c = t->total - hlen - tlen;
	char note[80] = "";
	size_t nl = 0, o = 0;
	char *out;

	if (c > 0)
		nl = (size_t)snprintf(note, sizeof note, "\n\n[... %llu bytes cut ...]\n\n", c);
	if ((out = malloc(hlen + nl + tlen + 1)) == NULL)
		return NULL;
	if (hlen > 0)
		memcpy(out, t->head, hlen);
	o = hlen;
	memcpy(out + o, note, nl);
	o += nl;
	if (tlen > 0) {
		/* the ring's oldest byte is at tpos when full, at 0 otherwise; the newest TLEN
		 * bytes start TLEN before its end */
		size_t start = t->tlen == LLM_TAIL_MAX ? t->tpos : 0, first;

		start = (start + (t->tlen - tlen)) % LLM_TAIL_MAX;
		first = LLM_TAIL_MAX - start < tlen ? LLM_TAIL_MAX - start : tlen;
		memcpy(out + o, t->tail + start, first);
		memcpy(out + o + first, t->tail, tlen - first);
		o += tlen;
	}
	out[o] = '\0';
	*len = o;
	*cut = c;
	return out;
}

void
llm_reply_init(struct llm_reply *r)
{
	memset(r, 0, sizeof *r);
	llm_text_init(&r->text);
}

void
llm_reply_free(struct llm_reply *r)
{
	llm_text_free(&r->text);
	llm_reply_init(r);
}

void
llm_sse_init(struct llm_sse *s)
{
	memset(s, 0, sizeof *s);
}

void
llm_sse_free(struct llm_sse *s)
{
	free(s->line);
	free(s->data);
	llm_sse_init(s);
}

static int
grow(char **buf, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 256;
	char *p;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if ((p = realloc(*buf, c)) == NULL)
		return -1;
	*buf = p;
	*cap = c;
	return 0;
}

/* One complete line (without its end): a field of the current event, or its end. */
static int
sse_line(struct llm_sse *s, llm_sse_fn fn, void *arg)
{
	const char *line = s->line ? s->line : "";
	size_t n = s->llen, flen, vlen;
	const char *colon, *val;
	int rc = 0;

	if (n == 0) {			/* a blank line ends the event */
		if (s->has_data) {
			s->data[s->dlen] = '\0';
			if (fn(arg, s->event, s->data, s->dlen) != 0)
				rc = -1;
		}
		s->dlen = 0;
		s->has_data = 0;
		s->event[0] = '\0';
		return rc;
	}
	if (line[0] == ':')		/* a comment (a keep-alive) */
		return 0;
	colon = memchr(line, ':', n);
	flen = colon ? (size_t)(colon - line) : n;
	val = colon ? colon + 1 : line + n;
	vlen = colon ? n - flen - 1 : 0;
	if (vlen > 0 && *val == ' ')
		val++, vlen--;
	if (flen == 4 && memcmp(line, "data", 4) == 0) {
		size_t need = s->dlen + (s->has_data ? 1 : 0) + vlen + 1;

		if (need > LLM_EVENT_MAX + 1 || grow(&s->data, &s->dcap, need) != 0)
			return -2;
		if (s->has_data)
			s->data[s->dlen++] = '\n';
		memcpy(s->data + s->dlen, val, vlen);
		s->dlen += vlen;
		s->has_data = 1;
	} else if (flen == 5 && memcmp(line, "event", 5) == 0) {
		if (vlen >= sizeof s->event)
			vlen = sizeof s->event - 1;
		memcpy(s->event, val, vlen);
		s->event[vlen] = '\0';
	}
	return 0;			/* id:, retry: and unknown fields are ignored */
}

int
llm_sse_feed(struct llm_sse *s, const char *buf, size_t n, llm_sse_fn fn, void *arg)
{
	size_t i = 0;

	while (i < n) {
		char c = buf[i];

		if (c == '\n' && s->after_cr) {	/* the LF of a CRLF */
			s->after_cr = 0;
			i++;
			continue;
		}
		s->after_cr = 0;
		if (c == '\n' || c == '\r') {
			int rc;

			s->after_cr = c == '\r';
			i++;
			if (s->discard) {	/* the end of a line too long to keep */
				s->discard = 0;
				s->llen = 0;
				return -2;
			}
			rc = sse_line(s, fn, arg);
			s->llen = 0;
			if (rc != 0)
				return rc;
			continue;
		}
		/* the rest of the line up to its end, in one copy */
		{
			const char *end = buf + n, *p = buf + i;
			size_t k;

			while (p < end && *p != '\n' && *p != '\r')
				p++;
			k = (size_t)(p - (buf + i));
			if (!s->discard) {
				if (s->llen + k > LLM_EVENT_MAX + 16)
					s->discard = 1;
				else if (grow(&s->line, &s->lcap, s->llen + k + 1) != 0)
					return -2;
				else {
					memcpy(s->line + s->llen, buf + i, k);
					s->llen += k;
				}
			}
			i += k;
		}
	}
	return 0;
}

static void
copy_str(char *dst, size_t size, const cJSON *v)
{
	if (cJSON_IsString(v) && v->valuestring != NULL)
		snprintf(dst, size, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(dst, size, "%.0f", v->valuedouble);
}

int
llm_error_from_json(const void *cjson, struct llm_error *e)
{
	const cJSON *j = cjson, *err;

	memset(e, 0, sizeof *e);
	if (j == NULL)
		return 0;
	if (cJSON_IsString(j)) {	/* {"error": "text"} */
		copy_str(e->message, sizeof e->message, j);
		return 1;
	}
	if (!cJSON_IsObject(j))
		return 0;
	err = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (err != NULL && (cJSON_IsObject(err) || cJSON_IsString(err)))
		return llm_error_from_json(err, e);
	copy_str(e->type, sizeof e->type, cJSON_GetObjectItemCaseSensitive(j, "type"));
	copy_str(e->code, sizeof e->code, cJSON_GetObjectItemCaseSensitive(j, "code"));
	copy_str(e->message, sizeof e->message, cJSON_GetObjectItemCaseSensitive(j, "message"));
	return e->message[0] != '\0' || e->type[0] != '\0' || e->code[0] != '\0';
}

int
llm_error_parse(const char *body, size_t len, struct llm_error *e)
{
	cJSON *j = cJSON_ParseWithLength(body, len), *err;
	int found = 0;

	memset(e, 0, sizeof *e);
	if (j == NULL)
		return 0;
	err = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (err != NULL)
		found = llm_error_from_json(err, e);
	cJSON_Delete(j);
	return found;
}

int
llm_json_add_turns(void *array, const struct transcript_turn *turns, size_t n, const char *prompt)
{
	cJSON *a = array, *m;

	for (size_t i = 0; i <= n; i++) {
		const char *role = i < n ? turns[i].role : "user";
		const char *content = i < n ? turns[i].content : prompt;

		if ((m = cJSON_CreateObject()) == NULL)
			return -1;
		cJSON_AddItemToArray(a, m);
		if (cJSON_AddStringToObject(m, "role", role) == NULL ||
		    cJSON_AddStringToObject(m, "content", content ? content : "") == NULL)
			return -1;
	}
	return 0;
}

long long
llm_json_count(const void *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 1e15)
		return -1;
	return (long long)v->valuedouble;
}

void
llm_json_copy(char *dst, size_t size, const void *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (cJSON_IsString(v) && v->valuestring != NULL)
		snprintf(dst, size, "%s", v->valuestring);
}

int
llm_status_retryable(long status, const struct llm_error *e)
{
	if (status == 429)
		return !(e != NULL && (strcmp(e->code, "insufficient_quota") == 0 ||
		    strcmp(e->type, "insufficient_quota") == 0));
	return status == 0 || status == 408 || status == 409 || (status >= 500 && status <= 599);
}

int
llm_stream_error_retryable(const struct llm_error *e)
{
	static const char *const kinds[] = {
		"overloaded_error", "api_error", "server_error", "rate_limit_error",
	};

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(e->type, kinds[i]) == 0 || strcmp(e->code, kinds[i]) == 0)
			return 1;
	return 0;
}

long long
llm_backoff_ms(int try, double r)
{
	long long d = 1000;

	for (int i = 1; i < try && d < 30000; i++)
		d *= 2;
	if (d > 30000)
		d = 30000;
	if (r < 0)
		r = 0;
	if (r >= 1)
		r = 0.999;
	return d / 2 + (long long)((double)(d / 2) * r);
}

/* A whole non-negative decimal number (fraction allowed), as milliseconds times SCALE. */
static long long
number_ms(const char *s, double scale)
{
	char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' || !(v >= 0) || v > 1e9)
		return -1;
	return (long long)(v * scale);
}

long long
llm_retry_after(const char *retry_after_ms, const char *retry_after, long long now_ms)
{
	long long v;
	struct tm tm;
	const char *end;

	if (retry_after_ms != NULL && (v = number_ms(retry_after_ms, 1)) >= 0)
		return v;
	if (retry_after == NULL)
		return -1;
	if ((v = number_ms(retry_after, 1000)) >= 0)
		return v;
	/* an HTTP date: "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate) */
	memset(&tm, 0, sizeof tm);
	end = strptime(retry_after, " %a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0')
		return -1;
	v = (long long)timegm(&tm) * 1000 - now_ms;
	return v < 0 ? 0 : v;
}

const char *
llm_status_reason(long status)
{
	static const struct {
		long status;
		const char *reason;
	} reasons[] = {
		{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 402, "Payment Required" },
		{ 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 409, "Conflict" }, { 413, "Content Too Large" },
		{ 415, "Unsupported Media Type" }, { 422, "Unprocessable Content" },
		{ 429, "Too Many Requests" }, { 500, "Internal Server Error" },
		{ 501, "Not Implemented" }, { 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" }, { 529, "Overloaded" },
	};

	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "";
}

int
llm_reply_append(struct llm_reply *r, const cJSON *s)
{
	if (cJSON_IsString(s) && s->valuestring != NULL && s->valuestring[0] != '\0' &&
	    llm_text_append(&r->text, s->valuestring, strlen(s->valuestring)) != 0)
		return r->oom = 1, -1;
	return 0;
}

/* The host (and port) of URL, without any user:password@, into HOST. -1 when URL is not
 * http:// or https:// with a host. */
int
llm_url_host(const char *url, char *host, size_t size)
{
	const char *p, *end, *at;
	size_t n;

	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return -1;
	end = p + strcspn(p, "/?#");
	for (at = end; at > p && at[-1] != '@'; at--)
		;
	if (at > p)
		p = at;
	n = (size_t)(end - p);
	if (n == 0 || n >= size)
		return -1;
	memcpy(host, p, n);
	host[n] = '\0';
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return -1;
	return 0;
}
