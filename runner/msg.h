/* msg.h - the one funnel for hb-run's own messages on standard error: every line starts
 * with "hb-run: ", input errors read "file:line: what". The funnel keeps the worst level
 * seen, and main's exit status follows it. Included by runner/ and cmd/ only: tasks/ and
 * state/ return errors, never print. */
#ifndef HB_MSG_H
#define HB_MSG_H

#include <stdarg.h>
#include <stddef.h>

extern int msg_verbose;		/* -v: notes are shown */

/* From the least to the worst; msg_exit_status maps the worst one seen. */
enum msg_level {
	MSG_NOTE,		/* what happens, shown with -v ("note: "); exit 0 */
	MSG_WARNING,		/* it works, perhaps not as meant ("warning: "); exit 0 */
	MSG_TROUBLE,		/* said as an error, yet the command did what it could: exit 0
				 * (a manual run refused, a log line or a mark not written) */
	MSG_FAILURE,		/* a run, or the tick's own work, failed: exit 1 */
	MSG_ERROR,		/* bad input, usage or configuration: exit 2 */
};

/* Says FMT at level LVL, about FILE (NULL: none) at LINE (0: the whole file). */
void msg(enum msg_level lvl, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void msg_v(enum msg_level lvl, const char *file, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* The exit status the worst level seen so far calls for: 0, 1 or 2. */
int msg_exit_status(void);

/* Shorthands, no file: MSG_ERROR, MSG_FAILURE, MSG_WARNING, MSG_NOTE. */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Shows the last MAXLINES lines of TEXT (an agent's standard error), indented, after an
 * error that explains them. */
void msg_detail(const char *text, size_t len, int maxlines);

#endif
