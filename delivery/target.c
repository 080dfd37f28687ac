/* target.c - the targets: Apprise-style URLs read into their parts, each service's request
 * built as that service documents it (ntfy's JSON publishing, Slack's and Discord's webhook
 * bodies, Telegram's sendMessage, hb-run's own JSON body, a mail for sendmail -t, the argv of
 * notify-send, osascript, a program or apprise), and the secrets of a URL redacted. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cJSON.h>

#include "delivery/target.h"

/* The spans of "scheme://userinfo@hostport/path?query#fragment" in a string. */
struct span {
	const char *s;
	size_t n;
	int set;
};

struct url_parts {
	struct span scheme, userinfo, hostport, path, query;
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Splits S at "://" and the usual delimiters. Returns -1 when S has no "scheme://". */
static int
split_url(const char *s, struct url_parts *u)
{
	const char *p = s, *auth, *end, *at;

	memset(u, 0, sizeof *u);
	if (!isalpha((unsigned char)*p))
		return -1;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (strncmp(p, "://", 3) != 0)
		return -1;
	u->scheme = (struct span){ s, (size_t)(p - s), 1 };
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	for (at = end; at > auth && at[-1] != '@'; at--)
		;
	if (at > auth) {
		u->userinfo = (struct span){ auth, (size_t)(at - 1 - auth), 1 };
		auth = at;
	}
	u->hostport = (struct span){ auth, (size_t)(end - auth), 1 };
	p = end;
	if (*p == '/') {
		size_t n = strcspn(p, "?#");

		u->path = (struct span){ p, n, 1 };
		p += n;
	}
	if (*p == '?') {
		size_t n = strcspn(p + 1, "#");

		u->query = (struct span){ p + 1, n, 1 };
	}
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* N bytes at S, percent-decoded, malloc'd; NULL when memory ran out or a %00 came. */
static char *
decode(const char *s, size_t n)
{
	char *d = malloc(n + 1), *o = d;

	if (d == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			if (hi == 0 && lo == 0) {
				free(d);
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return d;
}

static char *
dup_span(struct span sp)
{
	return strndup(sp.s, sp.n);
}

const char *
target_kind_name(enum target_kind k)
{
	static const char *const names[] = { "stdout", "ntfy", "slack", "discord", "telegram",
		"json", "mailto", "desktop", "exec", "apprise" };

	return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

void
target_free(struct target *t)
{
	free(t->host);
	free(t->path);
	free(t->user);
	free(t->password);
	free(t->token);
	free(t->topic);
	for (size_t i = 0; i < t->nids; i++)
		free(t->ids[i]);
	free(t->ids);
	free(t->url);
	free(t->headers);
	free(t->program);
	memset(t, 0, sizeof *t);
}

static int
add_id(struct target *t, const char *s, size_t n)
{
	char **more = realloc(t->ids, (t->nids + 1) * sizeof *more);

	if (more == NULL)
		return -1;
	t->ids = more;
	if ((t->ids[t->nids] = decode(s, n)) == NULL)
		return -1;
	t->nids++;
	return 0;
}

/* The non-empty segments of path span P, each added as an id. Returns their number or -1. */
static long
path_ids(struct target *t, struct span p)
{
	const char *s = p.s, *end = p.s + p.n;
	long n = 0;

	while (s < end) {
		const char *e;

		while (s < end && *s == '/')
			s++;
		for (e = s; e < end && *e != '/'; e++)
			;
		if (e > s) {
			if (add_id(t, s, (size_t)(e - s)) != 0)
				return -1;
			n++;
		}
		s = e;
	}
	return n;
}

/* The segments of path span P: their number, the spans of the first MAX in SEG. */
static size_t
path_segments(struct span p, struct span *seg, size_t max)
{
	const char *s = p.s, *end = p.s + p.n;
	size_t n = 0;

	while (s < end) {
		const char *e;

		while (s < end && *s == '/')
			s++;
		for (e = s; e < end && *e != '/'; e++)
			;
		if (e > s) {
			if (n < max)
				seg[n] = (struct span){ s, (size_t)(e - s), 1 };
			n++;
		}
		s = e;
	}
	return n;
}

static int
span_is(struct span sp, const char *word)
{
	return sp.n == strlen(word) && strncasecmp(sp.s, word, sp.n) == 0;
}

/* The host and port of span HP into T. Returns 0, or -1 with ERR set. */
static int
read_hostport(struct target *t, struct span hp, char *err, size_t errlen)
{
	const char *colon;
	size_t hn = hp.n;

	if (hp.n > 0 && hp.s[0] == '[') {
		const char *close = memchr(hp.s, ']', hp.n);

		if (close == NULL) {
			seterr(err, errlen, "an IPv6 address needs its closing ']'");
			return -1;
		}
		colon = close + 1 < hp.s + hp.n && close[1] == ':' ? close + 1 : NULL;
		if (colon == NULL && close + 1 != hp.s + hp.n) {
			seterr(err, errlen, "bad host");
			return -1;
		}
	} else {
		colon = memchr(hp.s, ':', hp.n);
	}
	if (colon != NULL) {
		long port = 0;
		const char *d = colon + 1;

		hn = (size_t)(colon - hp.s);
		if (d == hp.s + hp.n) {
			seterr(err, errlen, "empty port");
			return -1;
		}
		for (; d < hp.s + hp.n; d++) {
			if (!isdigit((unsigned char)*d) || (port = port * 10 + (*d - '0')) > 65535) {
				seterr(err, errlen, "bad port: expected a number from 1 to 65535");
				return -1;
			}
		}
		if (port == 0) {
			seterr(err, errlen, "bad port: expected a number from 1 to 65535");
			return -1;
		}
		t->port = (int)port;
	}
	if (hn == 0)
		return 0;
	for (size_t i = 0; i < hn; i++) {
		unsigned char c = (unsigned char)hp.s[i];

		if (!(isalnum(c) || c == '-' || c == '.' || c == '_' || c == '[' || c == ']' ||
		    c == ':' || c >= 0x80)) {
			seterr(err, errlen, "bad character '%c' in the host", c);
			return -1;
		}
	}
	t->host = strndup(hp.s, hn);
	return t->host == NULL ? -1 : 0;
}

/* user[:password] of span UI into T. */
static int
read_userinfo(struct target *t, struct span ui)
{
	const char *colon;

	if (!ui.set)
		return 0;
	colon = memchr(ui.s, ':', ui.n);
	if (colon == NULL)
		return (t->user = decode(ui.s, ui.n)) == NULL ? -1 : 0;
	if ((t->user = decode(ui.s, (size_t)(colon - ui.s))) == NULL)
		return -1;
	return (t->password = decode(colon + 1, ui.n - (size_t)(colon - ui.s) - 1)) == NULL ?
	    -1 : 0;
}

/* "http[s]://host[:port]" and PATH (NULL: "/") as a malloc'd URL. */
static char *
make_url(const struct target *t, const char *path)
{
	char *u = NULL;

	/* "%.0d" prints nothing for 0: no port */
	if (asprintf(&u, "%s://%s%s%.0d%s", t->tls ? "https" : "http", t->host,
	    t->port ? ":" : "", t->port, path && *path ? path : "/") < 0)
		return NULL;
	return u;
}

/* The value of query parameter NAME in span Q, decoded and malloc'd; NULL when absent. */
static char *
query_param(struct span q, const char *name)
{
	const char *s = q.s, *end = q.s + q.n;
	size_t nl = strlen(name);

	while (s < end) {
		const char *e = memchr(s, '&', (size_t)(end - s));

		if (e == NULL)
			e = end;
		if ((size_t)(e - s) > nl && strncasecmp(s, name, nl) == 0 && s[nl] == '=')
			return decode(s + nl + 1, (size_t)(e - s - (ptrdiff_t)nl - 1));
		s = e + 1;
	}
	return NULL;
}

/* json://: the "+Name=value" parameters become headers; the others stay in the URL. */
static int
json_query(struct target *t, struct span q, char **rest, char *err, size_t errlen)
{
	const char *s = q.s, *end = q.s + q.n;
	size_t hl = 0, rl = 0;

	t->headers = calloc(1, q.n * 2 + 2);
	*rest = calloc(1, q.n + 2);
	if (t->headers == NULL || *rest == NULL)
		return -1;
	while (s < end) {
		const char *e = memchr(s, '&', (size_t)(end - s)), *eq;

		if (e == NULL)
			e = end;
		eq = memchr(s, '=', (size_t)(e - s));
		if (*s == '+' && eq != NULL && eq > s + 1) {
			char *name = decode(s + 1, (size_t)(eq - s - 1)), *value = decode(eq + 1,
			    (size_t)(e - eq - 1));
			int bad = name == NULL || value == NULL;

			for (char *c = name; !bad && *c; c++)
				bad = !(isalnum((unsigned char)*c) || *c == '-' || *c == '_');
			for (char *c = value; !bad && *c; c++)
				bad = (unsigned char)*c < 0x20 || *c == 0x7f;
			if (bad) {
				free(name);
				free(value);
				seterr(err, errlen, "bad header parameter: +Name=value, the name of "
				    "letters, digits, '-' and '_'");
				return -1;
			}
			hl += (size_t)sprintf(t->headers + hl, "%s: %s\n", name, value);
			free(name);
			free(value);
		} else if (e > s) {
			rl += (size_t)sprintf(*rest + rl, "%s%.*s", rl ? "&" : "?", (int)(e - s), s);
		}
		s = e + 1;
	}
	return 0;
}

/* Is span SEG a plausible webhook id (digits) / token (URL-safe characters)? */
static int
token_like(struct span seg, int digits_only)
{
	if (seg.n == 0)
		return 0;
	for (size_t i = 0; i < seg.n; i++) {
		unsigned char c = (unsigned char)seg.s[i];

		if (digits_only ? !isdigit(c) : !(isalnum(c) || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* An http(s) URL of Discord's webhook shape: /api/webhooks/ID/TOKEN. */
static int
discord_shape(struct span path)
{
	struct span seg[5];

	return path_segments(path, seg, 5) == 4 && span_is(seg[0], "api") &&
	    span_is(seg[1], "webhooks") && token_like(seg[2], 1) && token_like(seg[3], 0);
}

/* An http(s) URL of Slack's incoming webhook shape: /services/T.../B.../SECRET. */
static int
slack_shape(struct span path)
{
	struct span seg[5];

	return path_segments(path, seg, 5) == 4 && span_is(seg[0], "services") &&
	    token_like(seg[1], 0) && token_like(seg[2], 0) && token_like(seg[3], 0);
}

static int
parse_mailto(const char *rest, struct target *t, char *err, size_t errlen)
{
	const char *s = rest;

	if (*s == '\0') {
		seterr(err, errlen, "mailto: needs an address (mailto:user@example.com)");
		return -1;
	}
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		const char *at = memchr(s, '@', n);

		for (size_t i = 0; i < n; i++)
			if (strchr("<>()\"\\;: ", s[i]) != NULL) {
				seterr(err, errlen, "mailto: '%c' in an address: write plain "
				    "user@example.com addresses, separated by commas", s[i]);
				return -1;
			}
		if (at == NULL || at == s || at == s + n - 1) {
			seterr(err, errlen, "mailto: '%.*s' is not an address (user@example.com)",
			    (int)(n > 80 ? 80 : n), s);
			return -1;
		}
		if (add_id(t, s, n) != 0)
			return -1;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* tgram://[bot]ID:SECRET/CHAT[/CHAT...] */
static int
parse_telegram(struct url_parts *u, struct target *t, char *err, size_t errlen)
{
	struct span tok = u->userinfo.set ? u->userinfo : u->hostport;
	const char *colon;
	long n;

	if (u->userinfo.set) {
		seterr(err, errlen, "tgram: expected tgram://BOT_TOKEN/CHAT_ID");
		return -1;
	}
	if (tok.n > 3 && strncasecmp(tok.s, "bot", 3) == 0)
		tok.s += 3, tok.n -= 3;
	colon = memchr(tok.s, ':', tok.n);
	if (colon == NULL || colon == tok.s || colon == tok.s + tok.n - 1 ||
	    !token_like((struct span){ tok.s, (size_t)(colon - tok.s), 1 }, 1) ||
	    !token_like((struct span){ colon + 1, tok.n - (size_t)(colon - tok.s) - 1, 1 }, 0)) {
		seterr(err, errlen, "tgram: the bot token is the digits of the bot's id, ':' and "
		    "its secret, as @BotFather gives it (tgram://123456:ABC-def/CHAT_ID)");
		return -1;
	}
	if ((t->token = strndup(tok.s, tok.n)) == NULL)
		return -1;
	if ((n = u->path.set ? path_ids(t, u->path) : 0) < 0)
		return -1;
	if (n == 0) {
		seterr(err, errlen, "tgram: no chat id (tgram://BOT_TOKEN/CHAT_ID)");
		return -1;
	}
	for (size_t i = 0; i < t->nids; i++)
		for (const char *c = t->ids[i]; *c; c++)
			if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_' || *c == '@')) {
				seterr(err, errlen, "tgram: bad chat id: use its number (-100... for "
				    "groups and channels) or @channelname");
				return -1;
			}
	return 0;
}

/* ntfy://topic, ntfy[s]://[auth@]host[:port]/topic[/topic...] */
static int
parse_ntfy(struct url_parts *u, struct target *t, char *err, size_t errlen)
{
	long n = 0;

	if (!u->path.set || path_segments(u->path, NULL, 0) == 0) {
		/* ntfy://topic: the topic on ntfy.sh */
		if (u->hostport.n == 0 || memchr(u->hostport.s, ':', u->hostport.n) != NULL) {
			seterr(err, errlen, "ntfy: no topic (ntfy://topic, ntfys://host/topic)");
			return -1;
		}
		if (add_id(t, u->hostport.s, u->hostport.n) != 0 ||
		    (t->host = strdup(TARGET_NTFY_HOST)) == NULL)
			return -1;
	} else {
		if (read_hostport(t, u->hostport, err, errlen) != 0)
			return -1;
		if (t->host == NULL) {
			seterr(err, errlen, "ntfy: no host");
			return -1;
		}
		if ((n = path_ids(t, u->path)) < 0)
			return -1;
	}
	for (size_t i = 0; i < t->nids; i++)
		for (const char *c = t->ids[i]; *c; c++)
			if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_')) {
				seterr(err, errlen, "ntfy: a topic is letters, digits, '-' and '_'");
				return -1;
			}
	if ((t->topic = strdup(t->ids[0])) == NULL)
		return -1;
	/* ntfy.sh is served over https whatever the scheme says, as Apprise does. */
	t->tls = strcmp(t->scheme, "ntfys") == 0 || strcasecmp(t->host, TARGET_NTFY_HOST) == 0;
	if (read_userinfo(t, u->userinfo) != 0)
		return -1;
	/* Apprise: ntfy://TOKEN@host, or ?token=TOKEN; a user and password: basic auth */
	if (t->user != NULL && t->password == NULL) {
		t->token = t->user;
		t->user = NULL;
	}
	if (u->query.set) {
		char *tok = query_param(u->query, "token");

		if (tok != NULL) {
			free(t->token);
			t->token = tok;
		}
	}
	if (t->token != NULL && t->token[0] == '\0') {
		seterr(err, errlen, "ntfy: empty access token");
		return -1;
	}
	return (t->url = make_url(t, "/")) == NULL ? -1 : 0;
}

int
target_parse(const char *s, struct target *t, char *err, size_t errlen)
{
	struct url_parts u;
	char *rest = NULL;
	int oom = 0;

	memset(t, 0, sizeof *t);
	seterr(err, errlen, "out of memory");
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			seterr(err, errlen, "a control character in the target");
			return -1;
		}
	if (strcmp(s, "stdout") == 0) {
		t->kind = TARGET_STDOUT;
		return 0;
	}
	if (strncasecmp(s, "exec:", 5) == 0) {
		t->kind = TARGET_EXEC;
		snprintf(t->scheme, sizeof t->scheme, "exec");
		if (s[5] == '\0') {
			seterr(err, errlen, "exec: needs a program (exec:/path/to/program)");
			return -1;
		}
		return (t->program = strdup(s + 5)) == NULL ? -1 : 0;
	}
	if (strncasecmp(s, "mailto:", 7) == 0 && strncmp(s + 7, "//", 2) != 0) {
		t->kind = TARGET_MAILTO;
		snprintf(t->scheme, sizeof t->scheme, "mailto");
		if (parse_mailto(s + 7, t, err, errlen) != 0)
			goto bad;
		return 0;
	}
	if (strchr(s, ' ') != NULL) {
		seterr(err, errlen, "a space in a URL (write it as %%20)");
		return -1;
	}
	if (split_url(s, &u) != 0 || u.scheme.n >= sizeof t->scheme) {
		seterr(err, errlen, "not a target: use stdout, a URL (ntfy://topic, "
		    "https://hooks.slack.com/..., tgram://..., json://host/path, ...), "
		    "mailto:ADDRESS or exec:PROGRAM");
		return -1;
	}
	for (size_t i = 0; i < u.scheme.n; i++)
		t->scheme[i] = (char)tolower((unsigned char)u.scheme.s[i]);
	t->scheme[u.scheme.n] = '\0';

	if (strcmp(t->scheme, "desktop") == 0) {
		t->kind = TARGET_DESKTOP;
		if (u.hostport.n > 0 || u.userinfo.set || (u.path.set && u.path.n > 1)) {
			seterr(err, errlen, "desktop:// takes nothing after it");
			return -1;
		}
		return 0;
	}
	if (strcmp(t->scheme, "ntfy") == 0 || strcmp(t->scheme, "ntfys") == 0) {
		t->kind = TARGET_NTFY;
		if (parse_ntfy(&u, t, err, errlen) != 0)
			goto bad;
		return 0;
	}
	if (strcmp(t->scheme, "tgram") == 0) {
		t->kind = TARGET_TELEGRAM;
		t->tls = 1;
		if (parse_telegram(&u, t, err, errlen) != 0)
			goto bad;
		return 0;
	}
	if (strcmp(t->scheme, "json") == 0 || strcmp(t->scheme, "jsons") == 0) {
		t->kind = TARGET_JSON;
		t->tls = t->scheme[4] == 's';
		if (read_hostport(t, u.hostport, err, errlen) != 0)
			goto bad;
		if (t->host == NULL) {
			seterr(err, errlen, "json: no host (json://host[:port]/path)");
			goto bad;
		}
		if (read_userinfo(t, u.userinfo) != 0 ||
		    (u.path.set && (t->path = dup_span(u.path)) == NULL))
			goto oom;
		if (u.query.set && json_query(t, u.query, &rest, err, errlen) != 0)
			goto bad;
		{
			char *p = NULL;

			if (asprintf(&p, "%s%s", t->path ? t->path : "/", rest ? rest : "") < 0)
				goto oom;
			t->url = make_url(t, p);
			free(p);
		}
		free(rest);
		return t->url == NULL ? -1 : 0;
	}
	if (strcmp(t->scheme, "http") == 0 || strcmp(t->scheme, "https") == 0) {
		t->tls = t->scheme[4] == 's';
		if (read_hostport(t, u.hostport, err, errlen) != 0)
			goto bad;
		if (t->host == NULL) {
			seterr(err, errlen, "no host in the URL");
			goto bad;
		}
		if (u.path.set && !u.query.set && !u.userinfo.set && (discord_shape(u.path) ||
		    slack_shape(u.path))) {
			t->kind = discord_shape(u.path) ? TARGET_DISCORD : TARGET_SLACK;
			if ((t->path = dup_span(u.path)) == NULL || (t->url = strdup(s)) == NULL)
				goto oom;
			return 0;
		}
		free(t->host);
		t->host = NULL;
		t->port = 0;
		/* an https URL of another shape: apprise knows more webhooks (Teams, ...) */
	}
	/* slack://A/B/C and discord://ID/TOKEN: Apprise's forms of the webhook URLs */
	if ((strcmp(t->scheme, "slack") == 0 || strcmp(t->scheme, "discord") == 0) &&
	    !u.userinfo.set && !u.query.set) {
		int slack = t->scheme[0] == 's';
		struct span seg[4], hp = u.hostport;
		size_t n = u.path.set ? path_segments(u.path, seg + 1, 3) : 0;

		seg[0] = hp;
		if (hp.n > 0 && n == (slack ? 2u : 1u) && token_like(seg[0], !slack) &&
		    token_like(seg[1], 0) && (!slack || token_like(seg[2], 0))) {
			t->kind = slack ? TARGET_SLACK : TARGET_DISCORD;
			t->tls = 1;
			if (asprintf(&t->url, slack ? "https://hooks.slack.com/services/%.*s/%.*s/%.*s" :
			    "https://discord.com/api/webhooks/%.*s/%.*s", (int)seg[0].n, seg[0].s,
			    (int)seg[1].n, seg[1].s, (int)(slack ? seg[2].n : 0),
			    slack ? seg[2].s : "") < 0) {
				t->url = NULL;
				goto oom;
			}
			return 0;
		}
	}
	t->kind = TARGET_APPRISE;
	return (t->url = strdup(s)) == NULL ? -1 : 0;
oom:
	oom = 1;
bad:
	if (oom)
		seterr(err, errlen, "out of memory");
	free(rest);
	target_free(t);
	return -1;
}

/* ---- redaction ---------------------------------------------------------------------- */

/* Appends N bytes of S to the buffer at OUT (LEN bytes, *AT used). */
static void
put(char *out, size_t len, size_t *at, const char *s, size_t n)
{
	if (*at >= len)
		return;
	if (n > len - 1 - *at)
		n = len - 1 - *at;
	memcpy(out + *at, s, n);
	*at += n;
	out[*at] = '\0';
}

static void
puts_(char *out, size_t len, size_t *at, const char *s)
{
	put(out, len, at, s, strlen(s));
}

/* The query span Q with every value replaced by ***. */
static void
put_query(char *out, size_t len, size_t *at, struct span q)
{
	const char *s = q.s, *end = q.s + q.n;

	puts_(out, len, at, "?");
	while (s < end) {
		const char *e = memchr(s, '&', (size_t)(end - s)), *eq;

		if (e == NULL)
			e = end;
		eq = memchr(s, '=', (size_t)(e - s));
		put(out, len, at, s, (size_t)((eq ? eq : e) - s));
		if (eq != NULL)
			puts_(out, len, at, "=***");
		if (e < end)
			puts_(out, len, at, "&");
		s = e + 1;
	}
}

char *
target_redact(const char *s, char *out, size_t len)
{
	struct target t;
	struct url_parts u;
	struct span seg[8];
	char err[200];
	size_t at = 0, nseg;

	if (len == 0)
		return out;
	out[0] = '\0';
	if (target_parse(s, &t, err, sizeof err) != 0) {
		/* a bad target: its scheme at most, since what is wrong may be anywhere */
		if (split_url(s, &u) == 0) {
			put(out, len, &at, u.scheme.s, u.scheme.n);
			puts_(out, len, &at, "://***");
		} else if (strncasecmp(s, "exec:", 5) == 0 || strncasecmp(s, "mailto:", 7) == 0) {
			for (size_t i = 0; s[i] != '\0'; i++)
				put(out, len, &at, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? "?" :
				    s + i, 1);
		} else {
			puts_(out, len, &at, "***");
		}
		return out;
	}
	switch (t.kind) {
	case TARGET_STDOUT: case TARGET_EXEC: case TARGET_MAILTO: case TARGET_DESKTOP:
		puts_(out, len, &at, s);
		break;
	case TARGET_APPRISE:
		split_url(s, &u);
		put(out, len, &at, u.scheme.s, u.scheme.n);
		puts_(out, len, &at, "://***");
		break;
	case TARGET_TELEGRAM:
		split_url(s, &u);
		puts_(out, len, &at, "tgram://");
		put(out, len, &at, t.token, strcspn(t.token, ":") + 1);
		puts_(out, len, &at, "***");
		put(out, len, &at, u.path.s, u.path.n);
		break;
	default:
		split_url(s, &u);
		put(out, len, &at, s, u.scheme.n + 3);
		if (u.userinfo.set) {
			const char *colon = memchr(u.userinfo.s, ':', u.userinfo.n);

			/* user:***@, and a lone user (ntfy's token) is all secret: ***@ */
			if (colon != NULL)
				put(out, len, &at, u.userinfo.s, (size_t)(colon - u.userinfo.s) + 1);
			puts_(out, len, &at, "***@");
		}
		nseg = u.path.set ? path_segments(u.path, seg, 8) : 0;
		if (t.kind == TARGET_NTFY) {
			/* on ntfy.sh anyone who knows a topic reads it: a topic is a secret, of
			 * which 2 characters stay to tell one from another */
			if (nseg > 0)
				put(out, len, &at, u.hostport.s, u.hostport.n);
			for (size_t i = 0; i < t.nids; i++) {
				if (nseg > 0)
					puts_(out, len, &at, "/");
				put(out, len, &at, t.ids[i], strlen(t.ids[i]) < 2 ?
				    strlen(t.ids[i]) : 2);
				puts_(out, len, &at, "***");
			}
		} else {
			put(out, len, &at, u.hostport.s, u.hostport.n);
		}
		if (t.kind == TARGET_NTFY) {
			/* said above */
		} else if (t.kind == TARGET_SLACK || t.kind == TARGET_DISCORD) {
			/* the last segment is the webhook's secret */
			const char *last = nseg > 0 && nseg <= 8 ? seg[nseg - 1].s :
			    u.path.set ? u.path.s + u.path.n : NULL;

			if (last != NULL) {
				put(out, len, &at, u.path.s, (size_t)(last - u.path.s));
				puts_(out, len, &at, "***");
			} else {
				puts_(out, len, &at, "/***");
			}
		} else if (t.kind == TARGET_JSON) {
			/* a webhook's path may be its secret: its first segment alone is kept,
			 * and only when short */
			if (nseg > 0 && seg[0].n < 16) {
				put(out, len, &at, u.path.s, (size_t)(seg[0].s + seg[0].n - u.path.s));
				if (nseg > 1)
					puts_(out, len, &at, "/***");
			} else if (nseg > 0) {
				puts_(out, len, &at, "/***");
			} else if (u.path.set) {
				put(out, len, &at, u.path.s, u.path.n);
			}
		} else if (u.path.set) {
			put(out, len, &at, u.path.s, u.path.n);
		}
		if (u.query.set)
			put_query(out, len, &at, u.query);
		break;
	}
	target_free(&t);
	return out;
}

/* ---- lists -------------------------------------------------------------------------- */

void
target_list_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int
target_list_split(const char *s, char ***out, size_t *n, char *err, size_t errlen)
{
	const char *p = s, *end;
	char **list = NULL;
	size_t cnt = 0;
	int flow = 0;

	*out = NULL;
	*n = 0;
	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p < end && *p == '[') {
		if (end[-1] != ']') {
			seterr(err, errlen, "a list that opens with '[' closes with ']'");
			return -1;
		}
		p++, end--;
		flow = 1;
	}
	for (;;) {
		const char *a, *b;
		char q = 0, **more;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			q = *p++;
			a = p;
			while (p < end && *p != q)
				p++;
			if (p == end) {
				seterr(err, errlen, "a quote (%c) is not closed", q);
				goto bad;
			}
			b = p++;
			while (p < end && isspace((unsigned char)*p))
				p++;
			if (p < end && *p != ',') {
				seterr(err, errlen, "expected ',' after a quoted target");
				goto bad;
			}
		} else {
			a = p;
			while (p < end && *p != ',')
				p++;
			b = p;
			while (b > a && isspace((unsigned char)b[-1]))
				b--;
		}
		if (b == a) {
			if (flow && cnt == 0 && p >= end) {
				seterr(err, errlen, "an empty list: name at least one target");
				goto bad;
			}
			seterr(err, errlen, "an empty target in the list");
			goto bad;
		}
		if ((more = realloc(list, (cnt + 1) * sizeof *more)) == NULL)
			goto oom;
		list = more;
		if ((list[cnt] = strndup(a, (size_t)(b - a))) == NULL)
			goto oom;
		cnt++;
		if (p >= end)
			break;
		p++;	/* the comma */
	}
	*out = list;
	*n = cnt;
	return 0;
oom:
	seterr(err, errlen, "out of memory");
bad:
	target_list_free(list, cnt);
	return -1;
}

/* ---- priorities --------------------------------------------------------------------- */

static const char *const prio_names[] = { "min", "low", "default", "high", "urgent" };

int
target_priority_parse(const char *s)
{
	if (s[0] >= '1' && s[0] <= '5' && s[1] == '\0')
		return s[0] - '0';
	for (int i = 0; i < 5; i++)
		if (strcasecmp(s, prio_names[i]) == 0)
			return i + 1;
	if (strcasecmp(s, "max") == 0)
		return 5;
	return -1;
}

const char *
target_priority_name(int p)
{
	return p >= 1 && p <= 5 ? prio_names[p - 1] : "default";
}

/* ---- splitting and cutting ---------------------------------------------------------- */

/* The length of the UTF-8 character at S (at most LEFT bytes). */
static size_t
char_len(const char *s, size_t left)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 : 1;

	if (n > left)
		n = left;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return i;
	return n;
}

size_t
target_split(const char *text, size_t len, size_t max, size_t *off, size_t *plen)
{
	size_t pos = 0, n = 0;

	if (max == 0)
		max = 1;
	while (pos < len) {
		size_t end = pos, chars = 0, next, piece_end;

		while (end < len && chars < max) {
			end += char_len(text + end, len - end);
			chars++;
		}
		if (end >= len) {
			piece_end = len;
			next = len;
		} else {
			size_t i, half = pos + (end - pos) / 2;

			for (i = end; i > half && text[i - 1] != '\n'; i--)
				;
			if (i > half) {
				piece_end = i - 1;	/* the newline is dropped */
				next = i;
			} else {
				piece_end = end;
				next = end;
			}
		}
		if (piece_end > pos && text[piece_end - 1] == '\n')
			piece_end--;
		if (off != NULL)
			off[n] = pos;
		if (plen != NULL)
			plen[n] = piece_end - pos;
		n++;
		pos = next;
	}
	return n;
}

#define CUT_NOTE "\n[... %zu more bytes not sent; the reply is in the hb-run log]"

char *
target_cut(const char *text, size_t len, size_t max, size_t *outlen)
{
	char note[128], *s;
	size_t keep, nl;
	int notelen;

	if (len <= max) {
		if ((s = malloc(len + 1)) == NULL)
			return NULL;
		memcpy(s, text, len);
		s[len] = '\0';
		*outlen = len;
		return s;
	}
	notelen = snprintf(note, sizeof note, CUT_NOTE, len);	/* the longest it can be */
	keep = max > (size_t)notelen ? max - (size_t)notelen : 0;
	while (keep > 0 && ((unsigned char)text[keep] & 0xc0) == 0x80)
		keep--;
	for (nl = keep; nl > keep - keep / 4 && nl > 0 && text[nl - 1] != '\n'; nl--)
		;
	if (nl > keep - keep / 4 && nl > 0)
		keep = nl - 1;
	notelen = snprintf(note, sizeof note, CUT_NOTE, len - keep);
	if ((s = malloc(keep + (size_t)notelen + 1)) == NULL)
		return NULL;
	memcpy(s, text, keep);
	memcpy(s + keep, note, (size_t)notelen + 1);
	*outlen = keep + (size_t)notelen;
	return s;
}

/* ---- requests ----------------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* N bytes at S in base64, malloc'd. */
static char *
base64(const char *s, size_t n)
{
	char *o = malloc((n + 2) / 3 * 4 + 1), *p = o;
	const unsigned char *u = (const unsigned char *)s;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) |
		    (i + 2 < n ? u[i + 2] : 0);

		*p++ = b64[v >> 18 & 63];
		*p++ = b64[v >> 12 & 63];
		*p++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*p++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*p = '\0';
	return o;
}

/* The title: the message's, else the task's name; control characters made spaces, cut to
 * TARGET_TITLE_MAX bytes on a character boundary. Into BUF. */
static const char *
title_of(const struct target_msg *m, char *buf, size_t size)
{
	const char *t = m->title && *m->title ? m->title : m->task ? m->task : "hb-run";
	size_t n = strlen(t);

	if (n > TARGET_TITLE_MAX)
		n = TARGET_TITLE_MAX;
	if (n >= size)
		n = size - 1;
	while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80 && t[n] != '\0')
		n--;
	memcpy(buf, t, n);
	buf[n] = '\0';
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return buf;
}

static int
ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* Appends a request to *R (*N of them). Takes URL, HEADERS, ARGV, ENV and BODY. */
static int
add_request(struct target_request **r, size_t *n, char *url, char *headers, char **argv,
    char **env, char *body, size_t blen)
{
	struct target_request *more = realloc(*r, (*n + 1) * sizeof *more);

	if (more == NULL) {
		free(url);
		free(headers);
		if (argv != NULL)
			for (char **a = argv; *a; a++)
				free(*a);
		free(argv);
		if (env != NULL)
			for (char **e = env; *e; e++)
				free(*e);
		free(env);
		free(body);
		return -1;
	}
	*r = more;
	more[*n] = (struct target_request){ url, headers, argv, env, body, blen };
	(*n)++;
	return 0;
}

/* An HTTP request of URL, headers HDR and BODY, each taken over (NULL: memory ran out, and
 * the others are freed). Returns 0 or -1. */
static int
add_http(struct target_request **r, size_t *n, char *url, char *hdr, char *body, size_t blen)
{
	if (url == NULL || hdr == NULL || body == NULL) {
		free(url);
		free(hdr);
		free(body);
		return -1;
	}
	return add_request(r, n, url, hdr, NULL, NULL, body, blen);
}

/* A NULL-terminated vector of copies of the NULL-terminated arguments. */
static char **
strv(const char *first, ...)
{
	const char *a;
	char **v = NULL, **more;
	size_t n = 0;
	va_list ap;

	va_start(ap, first);
	for (a = first; ; a = va_arg(ap, const char *)) {
		if ((more = realloc(v, (n + 1) * sizeof *v)) == NULL)
			goto oom;
		v = more;
		if (a == NULL) {
			v[n] = NULL;
			break;
		}
		if ((v[n] = strdup(a)) == NULL)
			goto oom;
		n++;
	}
	va_end(ap);
	return v;
oom:
	va_end(ap);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return NULL;
}

/* The JSON text of O (deleted), or NULL; its length in *LEN. */
static char *
json_text(cJSON *o, size_t *len)
{
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	if (s != NULL)
		*len = strlen(s);
	return s;
}

/* "Authorization: ..." for basic or bearer auth, or "" (into BUF). -1: out of memory. */
static int
auth_header(const struct target *t, char **hdr)
{
	char *pair = NULL, *enc = NULL;
	int r;

	*hdr = NULL;
	if (t->token != NULL && t->kind == TARGET_NTFY)
		return asprintf(hdr, "Authorization: Bearer %s\n", t->token) < 0 ? -1 : 0;
	if (t->user == NULL || t->password == NULL)
		return (*hdr = strdup("")) == NULL ? -1 : 0;
	if (asprintf(&pair, "%s:%s", t->user, t->password) < 0)
		return -1;
	enc = base64(pair, strlen(pair));
	memset(pair, 0, strlen(pair));
	free(pair);
	if (enc == NULL)
		return -1;
	r = asprintf(hdr, "Authorization: Basic %s\n", enc) < 0 ? -1 : 0;
	free(enc);
	return r;
}

/* Slack's text: &, < and > escaped as its formatting rules ask. */
static char *
slack_escape(const char *s, size_t n)
{
	char *o = malloc(n * 5 + 1), *p = o;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *e = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ?
		    "&gt;" : NULL;

		if (e != NULL) {
			memcpy(p, e, strlen(e));
			p += strlen(e);
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	return o;
}

/* Slack, Discord, Telegram: the title line and the text, split at the service's limit, one
 * request per piece (per chat, for Telegram), in order. */
static int
build_chat(const struct target *t, const struct target_msg *m, const struct target_opts *o,
    const char *title, struct target_request **r, size_t *n)
{
	size_t max = t->kind == TARGET_DISCORD ? TARGET_DISCORD_MAX : t->kind == TARGET_SLACK ?
	    TARGET_SLACK_MAX : TARGET_TELEGRAM_MAX;
	/* the title on a line of its own, bold where the service reads Markdown */
	const char *bold = t->kind == TARGET_DISCORD ? "**" : t->kind == TARGET_SLACK ? "*" : "";
	size_t *off = NULL, *plen = NULL, np, nchat = t->kind == TARGET_TELEGRAM ? t->nids : 1;
	char *all = NULL, *tg_url = NULL;
	int len, rc = -1;

	len = asprintf(&all, "%s%s%s\n%.*s", bold, title, bold, (int)m->len, m->text);
	if (len < 0)
		return -1;
	np = target_split(all, (size_t)len, max, NULL, NULL);
	off = calloc(np + 1, sizeof *off);
	plen = calloc(np + 1, sizeof *plen);
	if (off == NULL || plen == NULL)
		goto out;
	target_split(all, (size_t)len, max, off, plen);
	if (t->kind == TARGET_TELEGRAM) {
		const char *api = o && o->telegram_api && *o->telegram_api ? o->telegram_api :
		    TARGET_TELEGRAM_API;
		size_t al = strlen(api);

		while (al > 0 && api[al - 1] == '/')
			al--;
		if (asprintf(&tg_url, "%.*s/bot%s/sendMessage", (int)al, api, t->token) < 0) {
			tg_url = NULL;
			goto out;
		}
	}
	for (size_t c = 0; c < nchat; c++)
		for (size_t i = 0; i < np; i++) {
			cJSON *j = cJSON_CreateObject();
			char *piece = strndup(all + off[i], plen[i]), *body, *url, *hdr;
			size_t blen = 0;

			if (j == NULL || piece == NULL) {
				cJSON_Delete(j);
				free(piece);
				goto out;
			}
			if (t->kind == TARGET_SLACK) {
				char *esc = slack_escape(piece, plen[i]);

				cJSON_AddStringToObject(j, "text", esc ? esc : "");
				free(esc);
				if (esc == NULL) {
					cJSON_Delete(j);
					j = NULL;
				}
			} else if (t->kind == TARGET_DISCORD) {
				cJSON *am = cJSON_AddObjectToObject(j, "allowed_mentions");

				cJSON_AddStringToObject(j, "content", piece);
				/* a reply that says @everyone must not ping a whole server */
				if (am != NULL)
					cJSON_AddArrayToObject(am, "parse");
			} else {
				cJSON_AddStringToObject(j, "chat_id", t->ids[c]);
				cJSON_AddStringToObject(j, "text", piece);
				if (m->priority == 1 || m->priority == 2)
					cJSON_AddBoolToObject(j, "disable_notification", 1);
			}
			free(piece);
			body = json_text(j, &blen);
			url = strdup(tg_url ? tg_url : t->url);
			hdr = strdup("Content-Type: application/json\n");
			if (add_http(r, n, url, hdr, body, blen) != 0)
				goto out;
		}
	rc = 0;
out:
	free(all);
	free(off);
	free(plen);
	free(tg_url);
	return rc;
}

/* ntfy's JSON publishing: POST / {"topic", "message", "title", "priority"}; one request
 * per topic; the message cut at TARGET_NTFY_MAX bytes. */
static int
build_ntfy(const struct target *t, const struct target_msg *m, const char *title,
    struct target_request **r, size_t *n)
{
	size_t clen;
	char *text = target_cut(m->text, m->len, TARGET_NTFY_MAX, &clen), *auth = NULL;
	int rc = -1;

	if (text == NULL || auth_header(t, &auth) != 0)
		goto out;
	for (size_t i = 0; i < t->nids; i++) {
		cJSON *j = cJSON_CreateObject();
		char *body, *url = strdup(t->url), *hdr = NULL;
		size_t blen = 0;

		if (j != NULL) {
			cJSON_AddStringToObject(j, "topic", t->ids[i]);
			cJSON_AddStringToObject(j, "message", text);
			cJSON_AddStringToObject(j, "title", title);
			cJSON_AddNumberToObject(j, "priority", m->priority ? m->priority : 3);
		}
		body = json_text(j, &blen);
		if (asprintf(&hdr, "Content-Type: application/json\n%s", auth) < 0)
			hdr = NULL;
		if (add_http(r, n, url, hdr, body, blen) != 0)
			goto out;
	}
	rc = 0;
out:
	free(text);
	free(auth);
	return rc;
}

/* hb-run's own webhook body (see hb-run(1), DELIVERY). */
static int
build_json(const struct target *t, const struct target_msg *m, const char *title,
    struct target_request **r, size_t *n)
{
	cJSON *j = cJSON_CreateObject();
	char when[32] = "", *body, *url = strdup(t->url), *hdr = NULL, *auth = NULL, *text;
	time_t tt = (time_t)m->time;
	struct tm tm;
	size_t blen = 0;

	if (gmtime_r(&tt, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	text = strndup(m->text, m->len);
	if (j != NULL && text != NULL) {
		cJSON_AddStringToObject(j, "task", m->task ? m->task : "");
		cJSON_AddStringToObject(j, "title", title);
		cJSON_AddStringToObject(j, "message", text);
		cJSON_AddStringToObject(j, "priority", target_priority_name(m->priority));
		cJSON_AddStringToObject(j, "time", when);
		cJSON_AddStringToObject(j, "run_id", m->run_id ? m->run_id : "");
		cJSON_AddStringToObject(j, "host", m->host ? m->host : "");
	}
	free(text);
	body = json_text(j, &blen);
	if (body != NULL && url != NULL && auth_header(t, &auth) == 0 &&
	    asprintf(&hdr, "Content-Type: application/json\n%s%s", auth,
	    t->headers ? t->headers : "") >= 0) {
		free(auth);
		return add_request(r, n, url, hdr, NULL, NULL, body, blen);
	}
	free(auth);
	free(body);
	free(url);
	return -1;
}

/* A mail for sendmail -t -oi: To, Subject (RFC 2047 when it is not ASCII), UTF-8 text. */
static int
build_mail(const struct target *t, const struct target_msg *m, const char *title,
    struct target_request **r, size_t *n)
{
	char *to = NULL, *subject = NULL, *mail = NULL, **argv;
	size_t tl = 0;
	int len;

	for (size_t i = 0; i < t->nids; i++)
		tl += strlen(t->ids[i]) + 2;
	if ((to = calloc(1, tl + 1)) == NULL)
		return -1;
	for (size_t i = 0; i < t->nids; i++) {
		if (i > 0)
			strcat(to, ", ");
		strcat(to, t->ids[i]);
	}
	if (ascii_only(title)) {
		subject = strdup(title);
	} else {
		char *enc = base64(title, strlen(title));

		if (enc != NULL && asprintf(&subject, "=?UTF-8?B?%s?=", enc) < 0)
			subject = NULL;
		free(enc);
	}
	len = subject == NULL ? -1 : asprintf(&mail, "To: %s\nSubject: %s\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n"
	    "X-Mailer: hb-run\n\n%.*s%s", to, subject, (int)m->len, m->text,
	    m->len > 0 && m->text[m->len - 1] == '\n' ? "" : "\n");
	free(to);
	free(subject);
	if (len < 0)
		return -1;
	if ((argv = strv("sendmail", "-t", "-oi", (char *)NULL)) == NULL) {
		free(mail);
		return -1;
	}
	return add_request(r, n, NULL, NULL, argv, NULL, mail, (size_t)len);
}

/* The environment of an exec: program. */
static char **
exec_env(const struct target_msg *m, const char *title)
{
	char *e[4] = { NULL }, **v = NULL;
	int ok;

	ok = asprintf(&e[0], "HB_TASK=%s", m->task ? m->task : "") >= 0;
	if (!ok)
		e[0] = NULL;
	if (ok && !(ok = asprintf(&e[1], "HB_TITLE=%s", title) >= 0))
		e[1] = NULL;
	if (ok && !(ok = asprintf(&e[2], "HB_PRIORITY=%s", target_priority_name(m->priority)) >= 0))
		e[2] = NULL;
	if (ok && !(ok = asprintf(&e[3], "HB_RUN_ID=%s", m->run_id ? m->run_id : "") >= 0))
		e[3] = NULL;
	if (ok)
		v = strv(e[0], e[1], e[2], e[3], (char *)NULL);
	for (int i = 0; i < 4; i++)
		free(e[i]);
	return v;
}

int
target_build(const struct target *t, const struct target_msg *m, const struct target_opts *o,
    struct target_request **out, size_t *n, char *err, size_t errlen)
{
	char title[TARGET_TITLE_MAX + 1], **argv = NULL, **env = NULL, *body = NULL;
	size_t blen = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	title_of(m, title, sizeof title);
	switch (t->kind) {
	case TARGET_STDOUT:
		return 0;
	case TARGET_NTFY:
		rc = build_ntfy(t, m, title, out, n);
		break;
	case TARGET_SLACK: case TARGET_DISCORD: case TARGET_TELEGRAM:
		rc = build_chat(t, m, o, title, out, n);
		break;
	case TARGET_JSON:
		rc = build_json(t, m, title, out, n);
		break;
	case TARGET_MAILTO:
		rc = build_mail(t, m, title, out, n);
		break;
	case TARGET_DESKTOP: {
		const char *urgency = m->priority == 1 || m->priority == 2 ? "low" :
		    m->priority >= 4 ? "critical" : "normal";

		if ((body = target_cut(m->text, m->len, TARGET_DESKTOP_MAX, &blen)) == NULL)
			break;
		if (o != NULL && o->osascript)
			argv = strv("osascript", "-e", "on run argv", "-e", "display notification "
			    "(item 2 of argv) with title (item 1 of argv)", "-e", "end run", title,
			    body, (char *)NULL);
		else
			argv = strv("notify-send", "-u", urgency, "-a", "hb-run", "--", title, body,
			    (char *)NULL);
		if (argv == NULL)
			break;
		rc = add_request(out, n, NULL, NULL, argv, NULL, body, blen);
		body = NULL;
		break;
	}
	case TARGET_EXEC:
		if ((env = exec_env(m, title)) == NULL || (argv = strv(t->program,
		    (char *)NULL)) == NULL || (body = strndup(m->text, m->len)) == NULL) {
			if (env != NULL)
				for (char **e = env; *e; e++)
					free(*e);
			free(env);
			if (argv != NULL)
				free(argv[0]);
			free(argv);
			break;
		}
		rc = add_request(out, n, NULL, NULL, argv, env, body, m->len);
		body = NULL;
		break;
	case TARGET_APPRISE: {
		char *u = NULL;

		/* the URL in the environment, not on the command line, where ps shows it */
		if (asprintf(&u, "APPRISE_URLS=%s", t->url) < 0)
			break;
		env = strv(u, (char *)NULL);
		memset(u, 0, strlen(u));
		free(u);
		if (env == NULL || (argv = strv("apprise", "-t", title, (char *)NULL)) == NULL ||
		    (body = strndup(m->text, m->len)) == NULL) {
			if (env != NULL)
				for (char **e = env; *e; e++)
					free(*e);
			free(env);
			if (argv != NULL)
				for (char **a = argv; *a; a++)
					free(*a);
			free(argv);
			break;
		}
		rc = add_request(out, n, NULL, NULL, argv, env, body, m->len);
		body = NULL;
		break;
	}
	}
	free(body);
	if (rc != 0) {
		target_requests_free(*out, *n);
		*out = NULL;
		*n = 0;
		seterr(err, errlen, "out of memory");
	}
	return rc;
}

void
target_requests_free(struct target_request *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].url);
		free(r[i].headers);
		if (r[i].argv != NULL)
			for (char **a = r[i].argv; *a; a++)
				free(*a);
		free(r[i].argv);
		if (r[i].env != NULL)
			for (char **e = r[i].env; *e; e++)
				free(*e);
		free(r[i].env);
		if (r[i].body != NULL)
			memset(r[i].body, 0, r[i].body_len);
		free(r[i].body);
	}
	free(r);
}
