/* text.h - outside text (an agent's reply, its standard error) made safe to show on a
 * terminal and to keep in JSON: valid UTF-8, no NUL, no control characters but newline and
 * tab, so no escape sequence reaches a terminal; and a text's hash, to know it again
 * without keeping it. Pure. Used by state/, checks/ and runner/. */
#ifndef HB_TEXT_H
#define HB_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Copies the N bytes at S (NUL bytes included) into a malloc'd, NUL-terminated string in
 * which every invalid UTF-8 byte, NUL, C0 or C1 control character (newline and tab aside)
 * and DEL is replaced by U+FFFD; a carriage return before a newline is dropped. *OUTLEN
 * receives its length (at most 3 * N). Returns NULL when memory ran out. */
char *text_printable(const char *s, size_t n, size_t *outlen);

#define TEXT_HASH_START 14695981039346656037ULL	/* FNV-1a's offset basis */

/* Feeds the N bytes at S to the 64-bit FNV-1a hash H (begun as TEXT_HASH_START). */
uint64_t text_hash(uint64_t h, const void *s, size_t n);
/* The hash of the N bytes at S as 16 hex digits: enough to know a text again. */
void text_hash_hex(const char *s, size_t n, char out[17]);

#endif
