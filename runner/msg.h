/* msg.h - the one funnel for hb-run's own messages on standard error.
 * Every line starts with "hb-run: "; input errors read "file:line: what".
 * Included by runner/ only: tasks/ and state/ return errors, never print. */
#ifndef HB_MSG_H
#define HB_MSG_H

#include <stddef.h>

extern int msg_verbose;		/* -v: notes are shown */

void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Shows the last MAXLINES lines of TEXT (an agent's standard error), indented, after an
 * error that explains them. */
void msg_detail(const char *text, size_t len, int maxlines);

#endif
