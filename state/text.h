/* text.h - outside text (an agent's reply, its standard error) made safe to show on a
 * terminal and to keep in JSON: valid UTF-8, no NUL, no control characters but newline and
 * tab, so no escape sequence reaches a terminal. Pure. Used by state/ and runner/. */
#ifndef HB_TEXT_H
#define HB_TEXT_H

#include <stddef.h>

/* Copies the N bytes at S (NUL bytes included) into a malloc'd, NUL-terminated string in
 * which every invalid UTF-8 byte, NUL, C0 or C1 control character (newline and tab aside)
 * and DEL is replaced by U+FFFD; a carriage return before a newline is dropped. *OUTLEN
 * receives its length (at most 3 * N). Returns NULL when memory ran out. */
char *text_printable(const char *s, size_t n, size_t *outlen);

#endif
