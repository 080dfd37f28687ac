/* fetch.c - the tries of one request with libcurl. Memory stays bounded whatever the server
 * sends: a stream goes through the SSE reader into llm_text (head and tail kept), a whole
 * reply or an error body is read up to a cap. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "agents/anthropic.h"
#include "agents/openai.h"
#include "http/fetch.h"

/* Clears N bytes at P in a way the compiler keeps (explicit_bzero is not everywhere). */
static void
wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

#define WHOLE_MAX	(8 * 1024 * 1024)	/* a non-streamed reply */
#define ERROR_MAX	(64 * 1024)		/* an error body: the rest is not read into memory */

enum mode { MODE_NONE, MODE_SSE, MODE_WHOLE, MODE_ERROR };

/* What one try saw. */
struct attempt {
	const struct fetch_settings *fs;
	CURL *curl;
	enum mode mode;
	long status;
	struct llm_sse sse;
	struct llm_reply *reply;
	char *body;
	size_t blen, bcap;
	int too_big;		/* a whole reply past WHOLE_MAX */
	int stopped;		/* the reader stopped: the end, an error event, bad data */
	int sse_bad;		/* an event past LLM_EVENT_MAX, or memory ran out */
	long long last_byte;	/* when the last byte came (or the try started), Unix ms */
	int stalled;		/* ended: nothing came for stall_s */
	int out_of_time;	/* ended by the deadline (the run's timeout, less a margin) */
	char retry_after[64], retry_after_ms[64], content_type[128];
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

/* Copies header value V (N bytes, without the line end) into DST. */
static void
header_value(char *dst, size_t size, const char *v, size_t n)
{
	while (n > 0 && isspace((unsigned char)*v))
		v++, n--;
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t
on_header(char *buf, size_t size, size_t nitems, void *arg)
{
	struct attempt *a = arg;
	size_t n = size * nitems;
	static const struct {
		const char *name;
		size_t off;
	} wanted[] = {
		{ "retry-after:", offsetof(struct attempt, retry_after) },
		{ "retry-after-ms:", offsetof(struct attempt, retry_after_ms) },
		{ "content-type:", offsetof(struct attempt, content_type) },
	};

	a->last_byte = now_ms();
	if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {	/* a new response (after a 100) */
		a->retry_after[0] = a->retry_after_ms[0] = a->content_type[0] = '\0';
		return n;
	}
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
		size_t k = strlen(wanted[i].name);

		if (n > k && strncasecmp(buf, wanted[i].name, k) == 0)
			header_value((char *)a + wanted[i].off, 64, buf + k, n - k);
	}
	return n;
}

static int
keep(struct attempt *a, const char *buf, size_t n, size_t max)
{
	size_t room = max - a->blen;

	if (n > room) {
		n = room;
		if (a->mode == MODE_WHOLE)
			a->too_big = 1;
	}
	if (a->blen + n + 1 > a->bcap) {
		size_t cap = a->bcap ? a->bcap : 16384;
		char *p;

		while (cap < a->blen + n + 1)
			cap *= 2;
		if ((p = realloc(a->body, cap)) == NULL)
			return -1;
		a->body = p;
		a->bcap = cap;
	}
	memcpy(a->body + a->blen, buf, n);
	a->blen += n;
	a->body[a->blen] = '\0';
	return 0;
}

static size_t
on_data(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct attempt *a = arg;
	size_t n = size * nmemb;
	int rc;

	a->last_byte = now_ms();
	if (a->mode == MODE_NONE) {
		curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &a->status);
		if (a->status < 200 || a->status > 299)
			a->mode = MODE_ERROR;
		else if (strncasecmp(a->content_type, "text/event-stream", 17) == 0 ||
		    (a->content_type[0] == '\0' && a->fs->stream && n > 0 && buf[0] != '{'))
			a->mode = MODE_SSE;
		else
			a->mode = MODE_WHOLE;	/* also a server that would not stream */
	}
	switch (a->mode) {
	case MODE_SSE:
		rc = llm_sse_feed(&a->sse, buf, n,
		    a->fs->api == LLM_OPENAI ? openai_sse_event : anthropic_sse_event, a->reply);
		if (rc == -2)
			a->sse_bad = 1;
		if (rc != 0) {
			a->stopped = 1;
			return 0;	/* nothing more is wanted: end the transfer */
		}
		if (a->reply->oom) {
			a->stopped = 1;
			return 0;
		}
		return n;
	case MODE_WHOLE:
		if (keep(a, buf, n, WHOLE_MAX) != 0 || a->too_big)
			return 0;
		return n;
	default:
		if (a->blen < ERROR_MAX && keep(a, buf, n, ERROR_MAX) != 0)
			return 0;
		return n;
	}
}

/* Called about once a second even when nothing comes: ends a try that stalled. (libcurl's
 * low-speed limit averages over several seconds, so it would see a stall late.) */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct attempt *a = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (now_ms() - a->last_byte >= a->fs->stall_s * 1000) {
		a->stalled = 1;
		return 1;
	}
	return 0;
}

/* One line naming the API's error: " (type: message)" or "". */
static void
describe_error(char *dst, size_t size, const struct llm_error *e)
{
	const char *kind = e->type[0] ? e->type : e->code;

	if (kind[0] && e->message[0])
		snprintf(dst, size, " (%s: %s)", kind, e->message);
	else if (kind[0] || e->message[0])
		snprintf(dst, size, " (%s)", kind[0] ? kind : e->message);
	else
		dst[0] = '\0';
}

/* "429 Too Many Requests" */
static void
describe_status(char *dst, size_t size, long status)
{
	const char *reason = llm_status_reason(status);

	snprintf(dst, size, "%ld%s%s", status, reason[0] ? " " : "", reason);
}

enum verdict { V_DONE, V_RETRY, V_FAIL };

/* Sets up and performs one try into A; returns what it came to, with ERR describing a
 * failure (to be followed by the tries). */
static enum verdict
try_once(struct attempt *a, long long deadline, char *err, size_t errlen, long long *wait_ms)
{
	const struct fetch_settings *fs = a->fs;
	struct curl_slist *hdrs = NULL, *h;
	char cerr[CURL_ERROR_SIZE] = "", keyhdr[4200], what[700], status[64];
	long long left = deadline - now_ms();
	enum verdict v = V_FAIL;
	CURLcode rc;
	int stalled;

	*wait_ms = -1;
	if (left < 1000)
		left = 1000;
	if ((a->curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "%s: cannot set up libcurl", fs->host);
		return V_FAIL;
	}
	h = curl_slist_append(NULL, "Content-Type: application/json");
	hdrs = h;
	h = h ? curl_slist_append(hdrs, fs->stream ? "Accept: text/event-stream" :
	    "Accept: application/json") : NULL;
	h = h ? curl_slist_append(hdrs, "Expect:") : NULL;
	if (h && fs->api == LLM_ANTHROPIC)
		h = curl_slist_append(hdrs, "anthropic-version: 2023-06-01");
	if (h && fs->key != NULL) {
		snprintf(keyhdr, sizeof keyhdr, fs->api == LLM_OPENAI ? "Authorization: Bearer %s" :
		    "x-api-key: %s", fs->key);
		h = curl_slist_append(hdrs, keyhdr);
		wipe(keyhdr, sizeof keyhdr);
	}
	if (h == NULL) {
		snprintf(err, errlen, "%s: out of memory", fs->host);
		goto out;
	}
	curl_easy_setopt(a->curl, CURLOPT_URL, fs->url);
	curl_easy_setopt(a->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(a->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(a->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(a->curl, CURLOPT_USERAGENT, "hb-run-http/" HB_VERSION);
	curl_easy_setopt(a->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(a->curl, CURLOPT_POSTFIELDS, fs->body);
	curl_easy_setopt(a->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(fs->body));
	curl_easy_setopt(a->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(a->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (fs->ca_file != NULL)
		curl_easy_setopt(a->curl, CURLOPT_CAINFO, fs->ca_file);
	curl_easy_setopt(a->curl, CURLOPT_CONNECTTIMEOUT_MS, left < 30000 ? (long)left : 30000L);
	curl_easy_setopt(a->curl, CURLOPT_TIMEOUT_MS, (long)left);
	a->last_byte = now_ms();
	curl_easy_setopt(a->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(a->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(a->curl, CURLOPT_XFERINFODATA, a);
	curl_easy_setopt(a->curl, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(a->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(a->curl, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(a->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(a->curl, CURLOPT_WRITEDATA, a);

	rc = curl_easy_perform(a->curl);
	curl_slist_free_all(hdrs);
	hdrs = NULL;
	if (a->status == 0)
		curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &a->status);
	stalled = rc == CURLE_ABORTED_BY_CALLBACK && a->stalled;
	/* the whole-transfer limit is the deadline (the connect limit may be shorter) */
	a->out_of_time = rc == CURLE_OPERATION_TIMEDOUT && now_ms() + 100 >= deadline;
	describe_status(status, sizeof status, a->status);

	/* An HTTP error: the status and the API's own message decide. */
	if (a->status >= 300 || (a->status > 0 && a->status < 200)) {
		struct llm_error e;
		int has = a->blen > 0 && llm_error_parse(a->body, a->blen, &e);

		if (!has)
			memset(&e, 0, sizeof e);
		describe_error(what, sizeof what, &e);
		snprintf(err, errlen, "%s: %s%s", fs->host, status, what);
		if (llm_status_retryable(a->status, has ? &e : NULL)) {
			*wait_ms = llm_retry_after(a->retry_after_ms[0] ? a->retry_after_ms : NULL,
			    a->retry_after[0] ? a->retry_after : NULL, now_ms());
			v = V_RETRY;
		}
		goto out;
	}
	/* No response at all: a connection error (or a stall before the headers). */
	if (a->status == 0) {
		if (stalled)
			snprintf(err, errlen, "%s: no response for %ld s", fs->host, fs->stall_s);
		else if (rc == CURLE_OPERATION_TIMEDOUT)
			snprintf(err, errlen, "%s: no response before the deadline", fs->host);
		else
			snprintf(err, errlen, "%s: %s%s%s%s", fs->host, curl_easy_strerror(rc),
			    cerr[0] ? " (" : "", cerr, cerr[0] ? ")" : "");
		switch (rc) {
		case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY: case CURLE_SEND_ERROR: case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE:
			v = V_RETRY;
			break;
		case CURLE_ABORTED_BY_CALLBACK:
			v = stalled ? V_RETRY : V_FAIL;
			break;
		default:
			v = V_FAIL;	/* TLS verification, a bad URL: trying again changes nothing */
		}
		goto out;
	}
	/* 2xx */
	if (a->reply->oom) {
		snprintf(err, errlen, "%s: %s, but memory ran out reading the reply", fs->host, status);
		goto out;
	}
	if (a->mode == MODE_WHOLE || a->mode == MODE_NONE) {
		if (a->too_big) {
			snprintf(err, errlen, "%s: %s, but the reply is longer than %d MiB (it was not "
			    "streamed)", fs->host, status, WHOLE_MAX >> 20);
			goto out;
		}
		if (rc != CURLE_OK) {
			if (stalled)
				snprintf(err, errlen, "%s: %s, but then nothing came for %ld s", fs->host,
				    status, fs->stall_s);
			else if (a->out_of_time)
				snprintf(err, errlen, "%s: %s, but no reply came before the deadline",
				    fs->host, status);
			else
				snprintf(err, errlen, "%s: %s, but the reply was cut (%s)", fs->host,
				    status, cerr[0] ? cerr : curl_easy_strerror(rc));
			v = V_RETRY;	/* nothing was handed on yet */
			goto out;
		}
		if ((fs->api == LLM_OPENAI ? openai_parse_response :
		    anthropic_parse_response)(a->body ? a->body : "", a->blen, a->reply) == 0)
			v = V_DONE;
		else if (a->reply->has_error) {
			describe_error(what, sizeof what, &a->reply->error);
			snprintf(err, errlen, "%s: %s, but an error came%s", fs->host, status, what);
			if (llm_stream_error_retryable(&a->reply->error))
				v = V_RETRY;
		} else {
			snprintf(err, errlen, "%s: %s, but %s", fs->host, status, a->reply->bad);
		}
		goto out;
	}
	/* a stream */
	if (a->reply->has_error) {
		describe_error(what, sizeof what, &a->reply->error);
		snprintf(err, errlen, "%s: %s, but the stream ended in an error%s", fs->host, status,
		    what);
		if (a->reply->text.total == 0 && llm_stream_error_retryable(&a->reply->error))
			v = V_RETRY;
		goto out;
	}
	if (a->reply->bad[0] || a->sse_bad) {
		snprintf(err, errlen, "%s: %s, but %s", fs->host, status, a->reply->bad[0] ?
		    a->reply->bad : "an event of the stream is too long");
		goto out;
	}
	if (a->reply->done || (rc == CURLE_OK && a->reply->finish[0])) {
		v = V_DONE;
		goto out;
	}
	if (stalled)
		snprintf(err, errlen, "%s: %s, but the stream stalled (nothing for %ld s) after %llu "
		    "bytes of text", fs->host, status, fs->stall_s, a->reply->text.total);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(err, errlen, "%s: %s, but the stream had not ended by the deadline (%llu "
		    "bytes of text)", fs->host, status, a->reply->text.total);
	else
		snprintf(err, errlen, "%s: %s, but the stream was cut after %llu bytes of text (%s)",
		    fs->host, status, a->reply->text.total,
		    rc == CURLE_OK ? "no end of message" : cerr[0] ? cerr : curl_easy_strerror(rc));
	/* a cut stream is tried again only when none of its text came */
	if (a->reply->text.total == 0 && rc != CURLE_OPERATION_TIMEDOUT)
		v = V_RETRY;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(a->curl);
	a->curl = NULL;
	return v;
}

int
fetch_run(const struct fetch_settings *fs, struct llm_reply *r, int *tries, char *err,
    size_t errlen)
{
	char last[1024] = "";
	int n = 0;

	srand48((long)now_ms() ^ (long)getpid());
	for (;;) {
		struct attempt a;
		enum verdict v;
		long long wait = -1, backoff;

		memset(&a, 0, sizeof a);
		a.fs = fs;
		a.reply = r;
		llm_reply_free(r);
		llm_sse_init(&a.sse);
		n++;
		v = try_once(&a, fs->deadline_ms, last, sizeof last, &wait);
		llm_sse_free(&a.sse);
		free(a.body);
		*tries = n;
		if (v == V_DONE)
			return 0;
		if (a.out_of_time) {
			snprintf(err, errlen, "%s; %d %s, out of time", last, n,
			    n == 1 ? "try" : "tries");
			llm_reply_free(r);
			return -2;
		}
		if (v == V_FAIL) {
			snprintf(err, errlen, "%s; %d %s, not retried", last, n,
			    n == 1 ? "try" : "tries");
			break;
		}
		backoff = llm_backoff_ms(n, drand48());
		if (wait < 0)
			wait = backoff;
		if (n >= fs->max_tries) {
			snprintf(err, errlen, "%s; gave up after %d tries", last, n);
			break;
		}
		if (now_ms() + wait >= fs->deadline_ms) {
			snprintf(err, errlen, "%s; gave up after %d %s (the next would pass the deadline)",
			    last, n, n == 1 ? "try" : "tries");
			break;
		}
		{
			struct timespec ts = { (time_t)(wait / 1000), (long)(wait % 1000) * 1000000L };

			while (nanosleep(&ts, &ts) != 0)
				;
		}
	}
	llm_reply_free(r);
	return -1;
}
