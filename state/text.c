/* text.c - making outside text printable. An agent's output is data, not terminal
 * commands: an escape sequence in it could retitle the window, clear the screen or set the
 * clipboard of whoever reads cron's mail or the log. */
#include <stdio.h>
#include <stdlib.h>

#include "state/text.h"

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

/* Length of the valid UTF-8 sequence at S (N bytes left), or 0; 0 for a C0 control or DEL
 * too. */
static size_t
valid_at(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if (s[0] >= 0x20 && s[0] < 0x7F)
		return 1;
	if (s[0] < 0x80)
		return 0;	/* a C0 control or DEL */
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

char *
text_printable(const char *s, size_t n, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = malloc(3 * n + 1), *o = out;
	size_t i = 0, len;

	if (out == NULL)
		return NULL;
	while (i < n) {
		if (u[i] == '\n' || u[i] == '\t') {
			*o++ = (char)u[i++];
		} else if (u[i] == '\r' && i + 1 < n && u[i + 1] == '\n') {
			i++;
		} else if (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F) {
			/* U+0080-U+009F, the C1 controls (CSI, OSC, ...): one character */
			for (size_t k = 0; k < sizeof replacement - 1; k++)
				*o++ = replacement[k];
			i += 2;
		} else if ((len = valid_at(u + i, n - i)) > 0) {
			for (size_t k = 0; k < len; k++)
				*o++ = (char)u[i++];
		} else {
			for (size_t k = 0; k < sizeof replacement - 1; k++)
				*o++ = replacement[k];
			i++;
		}
	}
	*o = '\0';
	if (outlen != NULL)
		*outlen = (size_t)(o - out);
	return out;
}

uint64_t
text_hash(uint64_t h, const void *s, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

void
text_hash_hex(const char *s, size_t n, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)text_hash(TEXT_HASH_START, s, n));
}
