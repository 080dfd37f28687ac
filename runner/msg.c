/* msg.c - hb-run's message funnel: errors and warnings always, notes with -v.
 * Under cron every line becomes mail, so nothing here prints unless asked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/msg.h"
#include "state/text.h"

int msg_verbose;

static void
msg_out(const char *level, const char *fmt, va_list ap)
{
	char line[4096];

	vsnprintf(line, sizeof line, fmt, ap);
	/* One write per line so that concurrent ticks do not interleave. */
	fprintf(stderr, "hb-run: %s%s\n", level, line);
}

void
msg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_out("", fmt, ap);
	va_end(ap);
}

void
msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_out("warning: ", fmt, ap);
	va_end(ap);
}

void
msg_note(const char *fmt, ...)
{
	va_list ap;

	if (!msg_verbose)
		return;
	va_start(ap, fmt);
	msg_out("note: ", fmt, ap);
	va_end(ap);
}

void
msg_detail(const char *text, size_t len, int maxlines)
{
	size_t start = len;
	int lines = 0;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	for (start = len; start > 0; start--)
		if (text[start - 1] == '\n' && ++lines == maxlines)
			break;
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t n = nl ? (size_t)(nl - (text + start)) : len - start;

		char *safe = text_printable(text + start, n, NULL);	/* an agent's bytes */

		if (safe != NULL)
			fprintf(stderr, "  | %s\n", safe);
		free(safe);
		start += n + 1;
	}
}
