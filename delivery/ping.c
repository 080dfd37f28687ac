/* ping.c - ping URLs: which service's convention a URL follows and the URL of each event.
 * healthchecks.io: /start, the bare URL, /<exit status> (its path, before any query);
 * Cronitor: ?state=run, complete, fail. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "delivery/ping.h"

const char *
ping_kind_name(enum ping_kind kind)
{
	return kind == PING_CRONITOR ? "cronitor" : "healthchecks";
}

/* The host part of an http(s) URL at U: its offset and length, or -1. */
static int
host_span(const char *u, size_t *off, size_t *n)
{
	size_t skip;

	if (strncasecmp(u, "http://", 7) == 0)
		skip = 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		skip = 8;
	else
		return -1;
	*off = skip;
	*n = strcspn(u + skip, "/?#");
	return *n > 0 ? 0 : -1;
}

static int
host_is(const char *host, size_t n, const char *domain)
{
	size_t d = strlen(domain);
	const char *colon = memchr(host, ':', n);

	if (colon != NULL)
		n = (size_t)(colon - host);
	return n >= d && strncasecmp(host + n - d, domain, d) == 0 &&
	    (n == d || host[n - d - 1] == '.');
}

int
ping_parse(const char *s, enum ping_kind *kind, const char **url, char *err, size_t errlen)
{
	size_t off, n;
	int prefixed = 1;

	if (strncasecmp(s, "hc:", 3) == 0) {
		*kind = PING_HC;
		s += 3;
	} else if (strncasecmp(s, "cronitor:", 9) == 0) {
		*kind = PING_CRONITOR;
		s += 9;
	} else {
		*kind = PING_HC;
		prefixed = 0;
	}
	if (host_span(s, &off, &n) != 0) {
		snprintf(err, errlen, "a ping is an http:// or https:// URL with a host (optionally "
		    "after hc: or cronitor:)");
		return -1;
	}
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f) {
			snprintf(err, errlen, "a ping URL has no spaces or control characters");
			return -1;
		}
	if (strchr(s, '#') != NULL) {
		snprintf(err, errlen, "a ping URL has no #fragment");
		return -1;
	}
	if (!prefixed && (host_is(s + off, n, "cronitor.link") || host_is(s + off, n,
	    "cronitor.io")))
		*kind = PING_CRONITOR;
	*url = s;
	return 0;
}

char *
ping_url(enum ping_kind kind, const char *url, enum ping_event ev, int exit, int *post)
{
	size_t q = strcspn(url, "?");
	char *out = NULL, code[32];
	int r;

	*post = 0;
	if (kind == PING_CRONITOR) {
		static const char *const state[] = { "run", "complete", "fail" };

		r = asprintf(&out, "%s%sstate=%s", url, url[q] ? "&" : "?", state[ev]);
		return r < 0 ? NULL : out;
	}
	/* healthchecks: the event is a path segment, before the query */
	while (q > 0 && url[q - 1] == '/')
		q--;
	switch (ev) {
	case PING_START:
		snprintf(code, sizeof code, "/start");
		break;
	case PING_SUCCESS:
		code[0] = '\0';
		break;
	default:
		if (exit >= 0)
			snprintf(code, sizeof code, "/%d", exit);
		else
			snprintf(code, sizeof code, "/fail");
		*post = 1;
	}
	r = asprintf(&out, "%.*s%s%s", (int)q, url, code, url + strcspn(url, "?"));
	return r < 0 ? NULL : out;
}

char *
ping_redact(const char *url, char *out, size_t len)
{
	const char *u = url;
	size_t off, n;

	if (strncasecmp(u, "hc:", 3) == 0)
		u += 3;
	else if (strncasecmp(u, "cronitor:", 9) == 0)
		u += 9;
	if (host_span(u, &off, &n) != 0) {
		snprintf(out, len, "***");
		return out;
	}
	/* no user:password@ either */
	{
		const char *h = u + off, *at = NULL;

		for (size_t i = 0; i < n; i++)
			if (h[i] == '@')
				at = h + i;
		if (at != NULL) {
			n -= (size_t)(at + 1 - h);
			off += (size_t)(at + 1 - h);
		}
	}
	snprintf(out, len, "%.*s%.*s%s", (int)(strchr(u, ':') - u + 3), u, (int)n, u + off,
	    u[off + n] ? "/***" : "");
	return out;
}
