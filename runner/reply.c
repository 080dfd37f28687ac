/* reply.c - reply classification. The token HEARTBEAT_OK is stripped at the edges of a reply,
 * repeatedly: at the start, or at the end followed by at most 4 non-word characters; Markdown
 * and HTML markup around it counts as part of the edge. A reply that was only an
 * acknowledgement (at most ack_max_chars left) is suppressed. A token in the middle is text. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "runner/reply.h"

#define TOKEN "HEARTBEAT_OK"
#define TOKLEN (sizeof TOKEN - 1)
#define END_PUNCT_MAX 4

static int
is_word(unsigned char c)
{
	return isalnum(c) || c == '_';
}

static int
is_markup(unsigned char c)
{
	return c == '*' || c == '_' || c == '`' || c == '~';
}

/* Length of an HTML tag starting at S (before END), or 0. */
static size_t
tag_at(const char *s, const char *end)
{
	const char *p = s + 1;

	if (s >= end || *s != '<')
		return 0;
	if (p < end && *p == '/')
		p++;
	if (p >= end || !isalpha((unsigned char)*p))
		return 0;
	for (; p < end && p - s < 64; p++) {
		if (*p == '>')
			return (size_t)(p - s) + 1;
		if (*p == '<' || *p == '\n')
			return 0;
	}
	return 0;
}

/* Length of an HTML tag ending just before END (after START), or 0. */
static size_t
tag_before(const char *start, const char *end)
{
	const char *p;

	if (end <= start || end[-1] != '>')
		return 0;
	for (p = end - 2; p >= start && end - p <= 64; p--) {
		if (*p == '<')
			return tag_at(p, end) == (size_t)(end - p) ? (size_t)(end - p) : 0;
		if (*p == '>' || *p == '\n')
			return 0;
	}
	return 0;
}

static const char *
skip_markup_fwd(const char *s, const char *end)
{
	for (;;) {
		size_t t = tag_at(s, end);

		if (t > 0)
			s += t;
		else if (s < end && is_markup((unsigned char)*s))
			s++;
		else
			return s;
	}
}

static const char *
skip_markup_back(const char *start, const char *e)
{
	for (;;) {
		size_t t = tag_before(start, e);

		if (t > 0)
			e -= t;
		else if (e > start && is_markup((unsigned char)e[-1]))
			e--;
		else
			return e;
	}
}

static void
trim(const char **a, const char **b)
{
	while (*a < *b && isspace((unsigned char)**a))
		(*a)++;
	while (*b > *a && isspace((unsigned char)(*b)[-1]))
		(*b)--;
}

/* Strips a token at the start of [*A, *B); returns 1 if it did. */
static int
strip_start(const char **a, const char *b)
{
	const char *p = skip_markup_fwd(*a, b), *q;

	if ((size_t)(b - p) < TOKLEN || memcmp(p, TOKEN, TOKLEN) != 0)
		return 0;
	q = skip_markup_fwd(p + TOKLEN, b);
	if (q < b && is_word((unsigned char)*q))	/* HEARTBEAT_OKAY is a word */
		return 0;
	/* The separator after a leading token ("HEARTBEAT_OK: ...") goes with it. */
	while (q < b && strchr(".,:;!-", *q) != NULL && *q != '\0')
		q++;
	*a = q;
	return 1;
}

/* Strips a token at the end of [A, *B), followed by at most END_PUNCT_MAX non-word
 * characters (markup aside); returns 1 if it did. */
static int
strip_end(const char *a, const char **b)
{
	const char *e = *b, *t;
	int punct = 0;

	for (;;) {
		size_t tag = tag_before(a, e);

		if (tag > 0) {
			e -= tag;
		} else if (e > a && is_markup((unsigned char)e[-1])) {
			e--;
		} else if (e > a && !is_word((unsigned char)e[-1])) {
			/* one code point: step over UTF-8 continuation bytes */
			do
				e--;
			while (e > a && ((unsigned char)*e & 0xC0) == 0x80);
			if (++punct > END_PUNCT_MAX)
				return 0;
		} else {
			break;
		}
	}
	if ((size_t)(e - a) < TOKLEN || memcmp(e - TOKLEN, TOKEN, TOKLEN) != 0)
		return 0;
	t = skip_markup_back(a, e - TOKLEN);
	if (t > a && is_word((unsigned char)t[-1]))	/* XHEARTBEAT_OK is a word */
		return 0;
	*b = t;
	return 1;
}

size_t
reply_codepoints(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

int
reply_classify(const char *text, size_t len, size_t ack_max_chars,
    enum reply_verdict *verdict, char **out, size_t *outlen)
{
	const char *a = text, *b = text + len;
	int stripped = 0, changed;

	*out = NULL;
	*outlen = 0;
	trim(&a, &b);
	if (a == b) {
		*verdict = REPLY_EMPTY;
		return 0;
	}
	if ((size_t)(b - a) == 8 && memcmp(a, "NO_REPLY", 8) == 0) {
		*verdict = REPLY_NO_REPLY;
		return 0;
	}
	do {
		changed = strip_start(&a, b) || strip_end(a, &b);
		stripped |= changed;
		trim(&a, &b);
	} while (changed && a < b);

	if (stripped && reply_codepoints(a, (size_t)(b - a)) <= ack_max_chars) {
		*verdict = REPLY_ACK;
		return 0;
	}
	*verdict = REPLY_DELIVER;
	*out = malloc((size_t)(b - a) + 1);
	if (*out == NULL)
		return -1;
	memcpy(*out, a, (size_t)(b - a));
	(*out)[b - a] = '\0';
	*outlen = (size_t)(b - a);
	return 0;
}

const char *
reply_verdict_name(enum reply_verdict v)
{
	switch (v) {
	case REPLY_DELIVER:
		return "delivered";
	case REPLY_EMPTY:
		return "empty";
	case REPLY_NO_REPLY:
		return "no_reply";
	case REPLY_ACK:
		return "heartbeat_ok";
	case REPLY_UNDELIVERED:
		return "undelivered";
	case REPLY_DUPLICATE:
		return "duplicate";
	case REPLY_HELD:
		return "held";
	}
	return "?";
}

void
reply_followups_free(char **lines, size_t n)
{
	for (size_t i = 0; lines != NULL && i < n; i++)
		free(lines[i]);
	free(lines);
}

int
reply_followups(const char *text, size_t len, char **rest, size_t *restlen,
    char ***lines, size_t *nlines)
{
	size_t plen = strlen(REPLY_FOLLOWUP), i = 0, k = 0;
	char *out = malloc(len + 1), **l = NULL;

	*rest = NULL;
	*lines = NULL;
	*nlines = 0;
	if (out == NULL)
		return -1;
	while (i < len) {
		const char *s = text + i, *nl = memchr(s, '\n', len - i);
		size_t n = nl ? (size_t)(nl - s) + 1 : len - i, b = 0, e;

		while (b < n && (s[b] == ' ' || s[b] == '\t'))
			b++;
		if (n - b < plen || memcmp(s + b, REPLY_FOLLOWUP, plen) != 0) {
			memcpy(out + k, s, n);
			k += n;
			i += n;
			continue;
		}
		b += plen;
		e = nl ? n - 1 : n;
		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
			e--;
		{
			char **nlist = realloc(l, (*nlines + 1) * sizeof *l);

			if (nlist == NULL || (nlist[*nlines] = strndup(s + b, e - b)) == NULL) {
				reply_followups_free(nlist ? nlist : l, *nlines);
				free(out);
				*nlines = 0;
				return -1;
			}
			l = nlist;
			(*nlines)++;
		}
		i += n;
	}
	out[k] = '\0';
	*rest = out;
	*restlen = k;
	*lines = l;
	return 0;
}
