/* post.c - a delivery's one POST: HB_HTTP_URL, the HB_HTTP_HEADERS lines, the body from
 * standard input, HB_HTTP_TIMEOUT milliseconds for the whole of it; a GET instead (a ping)
 * when HB_HTTP_METHOD=GET; with HB_HTTP_HASH set, the line printed is the status, the
 * body's hash and its length (the url-changed check). Messages name the host
 * only: a webhook's URL and the headers hold its secrets. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "agents/llm.h"
#include "http/post.h"
#include "state/fileio.h"

#define BODY_MAX	(4L * 1024 * 1024)	/* a message, in the widest case */
#define REPLY_KEEP	4096			/* of the response: its start */
#define DEFAULT_TIMEOUT_MS 10000

struct reply {
	char buf[REPLY_KEEP + 1];
	size_t len;
	uint64_t hash;		/* FNV-1a of the whole body (HB_HTTP_HASH) */
	unsigned long long total;
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? v : "";
}

static size_t
on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct reply *r = arg;
	size_t n = size * nmemb, room = REPLY_KEEP - r->len;

	for (size_t i = 0; i < n; i++) {
		r->hash ^= (unsigned char)p[i];
		r->hash *= 1099511628211ULL;
	}
	r->total += n;

	if (room > 0) {
		memcpy(r->buf + r->len, p, n < room ? n : room);
		r->len += n < room ? n : room;
		r->buf[r->len] = '\0';
	}
	return n;	/* the rest is read and dropped */
}

/* The first line of the response, printable, at most 200 bytes, into LINE. */
static void
first_line(const struct reply *r, char *line, size_t size)
{
	size_t n = strcspn(r->buf, "\r\n"), o = 0;

	if (n > 200)
		n = 200;
	for (size_t i = 0; i < n && o + 1 < size; i++)
		line[o++] = (unsigned char)r->buf[i] < 0x20 || r->buf[i] == 0x7f ? ' ' : r->buf[i];
	line[o] = '\0';
}

int
post_main(void)
{
	const char *url = env("HB_HTTP_URL"), *hdrs = env("HB_HTTP_HEADERS"),
	    *ca = env("HB_HTTP_CA_FILE"), *tv = env("HB_HTTP_TIMEOUT"),
	    *method = env("HB_HTTP_METHOD");
	struct curl_slist *list = NULL;
	struct reply *r = NULL;
	char host[256], cerr[CURL_ERROR_SIZE] = "", line[256], *body = NULL, *end;
	long timeout = DEFAULT_TIMEOUT_MS, status = 0;
	size_t blen = 0;
	int rc = 2;
	CURL *c = NULL;
	CURLcode cc;

	if (llm_url_host(url, host, sizeof host) != 0) {
		fprintf(stderr, "hb-run-http: HB_HTTP_URL is not an http:// or https:// URL\n");
		return 2;
	}
	if (method[0] != '\0' && strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
		fprintf(stderr, "hb-run-http: HB_HTTP_METHOD: '%s' is not GET or POST\n", method);
		return 2;
	}
	if (tv[0] != '\0') {
		errno = 0;
		timeout = strtol(tv, &end, 10);
		if (errno != 0 || *end != '\0' || timeout < 1 || timeout > 3600000) {
			fprintf(stderr, "hb-run-http: HB_HTTP_TIMEOUT: '%s' is not a number of "
			    "milliseconds from 1 to 3600000\n", tv);
			return 2;
		}
	}
	if ((body = fileio_read_fd(STDIN_FILENO, BODY_MAX, &blen)) == NULL) {
		fprintf(stderr, "hb-run-http: reading the body: %s\n", strerror(errno ? errno :
		    EFBIG));
		return 2;
	}
	/* one header a line; a line without a colon is refused, not sent */
	for (const char *h = hdrs; *h != '\0';) {
		size_t n = strcspn(h, "\n");
		char *one = strndup(h, n);
		struct curl_slist *more;

		if (one == NULL)
			goto oom;
		if (n > 0 && one[n - 1] == '\r')
			one[n - 1] = '\0';
		if (one[0] != '\0') {
			if (strchr(one, ':') == NULL || one[0] == ':') {
				free(one);
				fprintf(stderr, "hb-run-http: HB_HTTP_HEADERS: a line is not "
				    "'Name: value'\n");
				goto out;
			}
			more = curl_slist_append(list, one);
			if (more == NULL) {
				free(one);
				goto oom;
			}
			list = more;
		}
		free(one);
		h += n;
		if (*h == '\n')
			h++;
	}
	if ((list = curl_slist_append(list, "Expect:")) == NULL || (r = calloc(1, sizeof *r)) ==
	    NULL)
		goto oom;
	r->hash = 14695981039346656037ULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (c = curl_easy_init()) == NULL) {
		fprintf(stderr, "hb-run-http: cannot set up libcurl\n");
		rc = 1;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hb-run-http/" HB_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
	}
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	first_line(r, line, sizeof line);
	if (env("HB_HTTP_HASH")[0] != '\0')
		printf("%ld %016" PRIx64 " %llu\n", status, r->hash, r->total);
	else
		printf("%ld %s\n", status, line);
	fflush(stdout);
	if (status >= 200 && status <= 299) {
		/* accepted: a connection cut after the status changes nothing */
		rc = 0;
	} else if (status > 0) {
		const char *reason = llm_status_reason(status);

		fprintf(stderr, "hb-run-http: %s: %ld%s%s%s%s\n", host, status, reason[0] ? " " :
		    "", reason, line[0] ? ": " : "", line);
		rc = status == 408 || status == 425 || status == 429 || status >= 500 ?
		    POST_EXIT_TEMPFAIL : 1;
	} else {
		fprintf(stderr, "hb-run-http: %s: %s\n", host, cc == CURLE_OPERATION_TIMEDOUT ?
		    "no answer in time" : cerr[0] ? cerr : curl_easy_strerror(cc));
		switch (cc) {
		case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY: case CURLE_SEND_ERROR: case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE: case CURLE_OPERATION_TIMEDOUT:
			rc = POST_EXIT_TEMPFAIL;
			break;
		default:
			rc = 1;	/* TLS verification, a bad URL: trying again changes nothing */
		}
	}
	goto out;
oom:
	fprintf(stderr, "hb-run-http: out of memory\n");
	rc = 1;
out:
	if (c != NULL) {
		curl_easy_cleanup(c);
		curl_global_cleanup();
	}
	curl_slist_free_all(list);
	if (body != NULL)
		memset(body, 0, blen);
	free(body);
	free(r);
	return rc;
}
