/* msg.c - hb-run's message funnel: errors and warnings always, notes with -v, and the
 * worst level seen, which decides the exit status. Under cron every line becomes mail, so
 * nothing here prints unless asked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/msg.h"
#include "state/text.h"

int msg_verbose;
static enum msg_level worst = MSG_NOTE;

void
msg_v(enum msg_level lvl, const char *file, int line, const char *fmt, va_list ap)
{
	static const char *const prefix[] = { "note: ", "warning: ", "", "", "" };
	char text[4096], where[4200] = "";

	if (lvl > worst)
		worst = lvl;
	if (lvl == MSG_NOTE && !msg_verbose)
		return;
	vsnprintf(text, sizeof text, fmt, ap);
	if (file != NULL && line > 0)
		snprintf(where, sizeof where, "%s:%d: ", file, line);
	else if (file != NULL)
		snprintf(where, sizeof where, "%s: ", file);
	/* One write per line so that concurrent ticks do not interleave. */
	fprintf(stderr, "hb-run: %s%s%s\n", prefix[lvl], where, text);
}

void
msg(enum msg_level lvl, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_v(lvl, file, line, fmt, ap);
	va_end(ap);
}

int
msg_exit_status(void)
{
	return worst == MSG_ERROR ? 2 : worst == MSG_FAILURE ? 1 : 0;
}

void
msg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_v(MSG_ERROR, NULL, 0, fmt, ap);
	va_end(ap);
}

void
msg_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_v(MSG_FAILURE, NULL, 0, fmt, ap);
	va_end(ap);
}

void
msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_v(MSG_WARNING, NULL, 0, fmt, ap);
	va_end(ap);
}

void
msg_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_v(MSG_NOTE, NULL, 0, fmt, ap);
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
