/* test_llm.c - what both model APIs share: the SSE reader (events split at any byte, every
 * line end), reply text kept in bounded memory, API error objects, and the retry rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/llm.h"
#include "tests/unit/unit.h"

/* The events seen, as "event|data;" one after another. */
struct seen {
	char buf[4096];
	size_t len;
	int stop_after;		/* > 0: ask to stop after this many events */
	int n;
};

static int
collect(void *arg, const char *event, const char *data, size_t len)
{
	struct seen *s = arg;

	s->len += (size_t)snprintf(s->buf + s->len, sizeof s->buf - s->len, "%s|%.*s;", event,
	    (int)len, data);
	s->n++;
	return s->stop_after > 0 && s->n >= s->stop_after ? -1 : 0;
}

static void
test_sse(void)
{
	static const struct {
		const char *in;
		const char *want;
	} rows[] = {
		{ "data: a\n\n", "|a;" },
		{ "data:a\n\n", "|a;" },
		{ "data:  two spaces\n\n", "| two spaces;" },
		{ "data: a\r\n\r\n", "|a;" },
		{ "data: a\r\rdata: b\r\r", "|a;|b;" },
		{ "event: message_start\ndata: {}\n\n", "message_start|{};" },
		{ "data: one\ndata: two\n\n", "|one\ntwo;" },
		{ ": keep-alive\n\ndata: x\n\n", "|x;" },
		{ "id: 7\nretry: 10\ndata: x\nunknown: y\n\n", "|x;" },
		{ "event: ping\n\n", "" },		/* no data: no event */
		{ "data\n\n", "|;" },			/* a field without a colon */
		{ "data: [DONE]\n\n", "|[DONE];" },
		{ "data: no end", "" },			/* cut: dropped */
		{ "event: a\ndata: 1\n\ndata: 2\n\n", "a|1;|2;" },	/* the name is per event */
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		size_t n = strlen(rows[i].in);

		/* whole, then split at every byte, then one byte at a time */
		for (size_t cut = 0; cut <= n + 1; cut++) {
			struct llm_sse s;
			struct seen seen = { .len = 0 };

			ROW("%s split at %zu", unit_quote(rows[i].in), cut);
			llm_sse_init(&s);
			if (cut <= n) {
				CHECK_INT(llm_sse_feed(&s, rows[i].in, cut, collect, &seen), 0);
				CHECK_INT(llm_sse_feed(&s, rows[i].in + cut, n - cut, collect, &seen), 0);
			} else {
				for (size_t b = 0; b < n; b++)
					CHECK_INT(llm_sse_feed(&s, rows[i].in + b, 1, collect, &seen), 0);
			}
			seen.buf[seen.len] = '\0';
			CHECK_STR(seen.buf, rows[i].want);
			llm_sse_free(&s);
		}
	}
	ROW_END();

	/* the callback stops the reader */
	{
		struct llm_sse s;
		struct seen seen = { .len = 0, .stop_after = 1 };

		llm_sse_init(&s);
		CHECK_INT(llm_sse_feed(&s, "data: 1\n\ndata: 2\n\n", 18, collect, &seen), -1);
		CHECK_INT(seen.n, 1);
		llm_sse_free(&s);
	}
	/* an event past LLM_EVENT_MAX is refused, in one line or in many */
	{
		struct llm_sse s;
		struct seen seen = { .len = 0 };
		size_t big = LLM_EVENT_MAX + 100;
		char *line = malloc(big + 8);

		memset(line, 'x', big + 8);
		memcpy(line, "data: ", 6);
		line[big + 6] = '\n';
		llm_sse_init(&s);
		CHECK_INT(llm_sse_feed(&s, line, big + 7, collect, &seen), -2);
		llm_sse_free(&s);
		llm_sse_init(&s);
		memcpy(line, "data: ", 6);
		line[1000] = '\n';
		for (size_t k = 0; k < 2000; k++)
			if (llm_sse_feed(&s, line, 1001, collect, &seen) != 0)
				break;
		CHECK_INT(llm_sse_feed(&s, line, 1001, collect, &seen), -2);
		CHECK_INT(seen.n, 0);
		llm_sse_free(&s);
		free(line);
	}
}

static void
test_text_bound(void)
{
	static const size_t sizes[] = { 0, 1, 100, LLM_HEAD_MAX, LLM_HEAD_MAX + 1,
		LLM_HEAD_MAX + LLM_TAIL_MAX, LLM_HEAD_MAX + LLM_TAIL_MAX + 1, 3 * 1024 * 1024 };
	static const size_t pieces[] = { 1, 7, 4096, 100000, 5000000 };

	for (size_t i = 0; i < NELEM(sizes); i++)
		for (size_t p = 0; p < NELEM(pieces); p++) {
			struct llm_text t;
			size_t total = sizes[i], len = 0, at = 0;
			unsigned long long cut = 99;
			char buf[8192], *out;
			int ok = 1;

			ROW("%zu bytes in pieces of %zu", total, pieces[p]);
			llm_text_init(&t);
			/* byte k is 'a' + k % 26, so that every kept byte can be checked */
			while (at < total) {
				size_t k = pieces[p] < total - at ? pieces[p] : total - at;
				char *piece = malloc(k);

				for (size_t b = 0; b < k; b++)
					piece[b] = (char)('a' + (at + b) % 26);
				ok &= llm_text_append(&t, piece, k) == 0;
				free(piece);
				at += k;
			}
			CHECK(ok, "append failed");
			out = llm_text_result(&t, &len, &cut);
			if (total <= LLM_HEAD_MAX + LLM_TAIL_MAX) {
				CHECK_INT(cut, 0);
				CHECK_INT(len, total);
				for (size_t b = 0; b < total && ok; b++)
					ok = out[b] == (char)('a' + b % 26);
				CHECK(ok, "the text changed");
			} else {
				size_t nl = (size_t)snprintf(buf, sizeof buf,
				    "\n\n[... %zu bytes cut ...]\n\n",
				    total - LLM_HEAD_MAX - LLM_TAIL_MAX);

				CHECK_INT(cut, total - LLM_HEAD_MAX - LLM_TAIL_MAX);
				CHECK_INT(len, LLM_HEAD_MAX + nl + LLM_TAIL_MAX);
				CHECK(memcmp(out + LLM_HEAD_MAX, buf, nl) == 0, "no note of the cut");
				for (size_t b = 0; b < LLM_HEAD_MAX && ok; b++)
					ok = out[b] == (char)('a' + b % 26);
				for (size_t b = 0; b < LLM_TAIL_MAX && ok; b++)
					ok = out[LLM_HEAD_MAX + nl + b] ==
					    (char)('a' + (total - LLM_TAIL_MAX + b) % 26);
				CHECK(ok, "the kept text changed");
			}
			CHECK(out != NULL && out[len] == '\0', "not terminated");
			free(out);
			/* at most 1000 bytes of the head and 300 of the tail: the newest 300 */
			out = llm_text_result_max(&t, 1000, 300, &len, &cut);
			{
				size_t h = total < 1000 ? total : 1000;
				size_t tl = t.tlen < 300 ? t.tlen : 300;

				CHECK_INT(cut, total - h - tl);
				for (size_t b = 0; b < h && ok; b++)
					ok = out[b] == (char)('a' + b % 26);
				for (size_t b = 0; b < tl && ok; b++)
					ok = out[len - tl + b] == (char)('a' + (total - tl + b) % 26);
				CHECK(ok, "the text kept within the smaller bounds changed");
			}
			free(out);
			llm_text_free(&t);
		}
	ROW_END();
}

static void
test_errors(void)
{
	static const struct {
		const char *body;
		int found;
		const char *type, *code, *message;
	} rows[] = {
		{ "{\"error\": {\"message\": \"slow down\", \"type\": \"rate_limit_error\", "
		  "\"code\": null}}", 1, "rate_limit_error", "", "slow down" },
		{ "{\"error\": {\"message\": \"quota\", \"type\": \"insufficient_quota\", "
		  "\"code\": \"insufficient_quota\"}}", 1, "insufficient_quota",
		  "insufficient_quota", "quota" },
		{ "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
		  "\"message\": \"Overloaded\"}}", 1, "overloaded_error", "", "Overloaded" },
		{ "{\"error\": {\"code\": 500, \"message\": \"llama\", \"type\": \"server_error\"}}",
		  1, "server_error", "500", "llama" },
		{ "{\"error\": \"model 'x' not found\"}", 1, "", "", "model 'x' not found" },
		{ "{\"error\": {}}", 0, "", "", "" },
		{ "{\"detail\": \"nope\"}", 0, "", "", "" },
		{ "<html>502</html>", 0, "", "", "" },
		{ "", 0, "", "", "" },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		struct llm_error e;

		ROW("%s", unit_quote(rows[i].body));
		CHECK_INT(llm_error_parse(rows[i].body, strlen(rows[i].body), &e), rows[i].found);
		CHECK_STR(e.type, rows[i].type);
		CHECK_STR(e.code, rows[i].code);
		CHECK_STR(e.message, rows[i].message);
	}
	ROW_END();
}

static void
test_retry_rules(void)
{
	static const struct {
		long status;
		const char *type, *code;
		int retry;
	} rows[] = {
		{ 0, "", "", 1 }, { 408, "", "", 1 }, { 409, "", "", 1 }, { 429, "", "", 1 },
		{ 429, "rate_limit_error", "", 1 }, { 429, "insufficient_quota", "", 0 },
		{ 429, "", "insufficient_quota", 0 }, { 500, "", "", 1 }, { 502, "", "", 1 },
		{ 503, "", "", 1 }, { 529, "overloaded_error", "", 1 }, { 599, "", "", 1 },
		{ 400, "", "", 0 }, { 401, "", "", 0 }, { 403, "", "", 0 }, { 404, "", "", 0 },
		{ 413, "", "", 0 }, { 422, "", "", 0 }, { 301, "", "", 0 }, { 600, "", "", 0 },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		struct llm_error e;

		memset(&e, 0, sizeof e);
		snprintf(e.type, sizeof e.type, "%s", rows[i].type);
		snprintf(e.code, sizeof e.code, "%s", rows[i].code);
		ROW("%ld %s %s", rows[i].status, rows[i].type, rows[i].code);
		CHECK_INT(llm_status_retryable(rows[i].status, &e), rows[i].retry);
		if (!rows[i].type[0] && !rows[i].code[0])
			CHECK_INT(llm_status_retryable(rows[i].status, NULL), rows[i].retry);
	}
	ROW_END();

	/* backoff: 1, 2, 4, 8, 16, 30, 30 s, each jittered to half of it up to all of it */
	{
		static const long long base[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };

		for (int t = 1; t <= (int)NELEM(base); t++) {
			ROW("backoff after %d tries", t);
			CHECK_INT(llm_backoff_ms(t, 0), base[t - 1] / 2);
			CHECK(llm_backoff_ms(t, 0.999) <= base[t - 1] &&
			    llm_backoff_ms(t, 0.999) > base[t - 1] * 9 / 10, "r near 1");
			CHECK_INT(llm_backoff_ms(t, 5), llm_backoff_ms(t, 0.999));
		}
		ROW_END();
	}
	/* retry-after: ms wins, then seconds, then an HTTP date (from 1994-11-06 08:49:30) */
	{
		static const struct {
			const char *ms, *after;
			long long want;
		} ra[] = {
			{ NULL, NULL, -1 }, { "300", "30", 300 }, { "1.5", NULL, 1 },
			{ NULL, "2", 2000 }, { NULL, " 0 ", 0 }, { NULL, "1.5", 1500 },
			{ "junk", "3", 3000 }, { NULL, "-1", -1 }, { NULL, "soon", -1 },
			{ NULL, "Sun, 06 Nov 1994 08:49:37 GMT", 7000 },
			{ NULL, "Sun, 06 Nov 1994 08:49:00 GMT", 0 },	/* past: now */
			{ NULL, "Sun, 06 Nov 1994 08:49:37 GMT trailing", -1 },
		};

		for (size_t i = 0; i < NELEM(ra); i++) {
			ROW("retry-after-ms %s, retry-after %s", unit_quote(ra[i].ms),
			    unit_quote(ra[i].after));
			CHECK_INT(llm_retry_after(ra[i].ms, ra[i].after, 784111770LL * 1000),
			    ra[i].want);
		}
		ROW_END();
	}
	CHECK_STR(llm_status_reason(429), "Too Many Requests");
	CHECK_STR(llm_status_reason(529), "Overloaded");
	CHECK_STR(llm_status_reason(299), "");
}

void
test_llm(void)
{
	test_sse();
	test_text_bound();
	test_errors();
	test_retry_rules();
}
