/* test_text.c - text_printable: what an agent prints, made safe for a terminal and for
 * JSON. NUL bytes do not cut the text, invalid UTF-8 and control characters become U+FFFD. */
#include <stdlib.h>
#include <string.h>

#include "state/text.h"
#include "tests/unit/unit.h"

#define FFFD "\xef\xbf\xbd"

void
test_text(void)
{
	static const struct {
		const char *in;
		size_t len;		/* 0: strlen(in) */
		const char *out;
	} rows[] = {
		{ "", 0, "" },
		{ "plain text", 0, "plain text" },
		{ "line\nnext\ttab", 0, "line\nnext\ttab" },
		{ "crlf\r\nline", 0, "crlf\nline" },
		{ "lone\rcr", 0, "lone" FFFD "cr" },
		/* a NUL byte is counted, never a terminator */
		{ "HEARTBEAT_OK\0alert", 18, "HEARTBEAT_OK" FFFD "alert" },
		{ "\0", 1, FFFD },
		/* escape sequences: title, clear screen, clipboard (OSC 52), CSI as C1 */
		{ "\x1b]0;pwned\x07", 0, FFFD "]0;pwned" FFFD },
		{ "\x1b[2J\x1b[H", 0, FFFD "[2J" FFFD "[H" },
		{ "\x1b]52;c;ZXZpbA==\x1b\\", 0, FFFD "]52;c;ZXZpbA==" FFFD "\\" },
		{ "\xc2\x9b" "2J", 0, FFFD "2J" },
		{ "del\x7f", 0, "del" FFFD },
		/* valid UTF-8 is kept */
		{ "caf\xc3\xa9 \xe2\x9c\x85 \xf0\x9f\x91\x8d", 0, "caf\xc3\xa9 \xe2\x9c\x85 \xf0\x9f\x91\x8d" },
		{ "\xc2\xa0nbsp", 0, "\xc2\xa0nbsp" },
		{ "\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf" },
		/* invalid UTF-8: one U+FFFD per bad byte */
		{ "bad\xff", 0, "bad" FFFD },
		{ "\xc3", 0, FFFD },			/* cut short */
		{ "\xc3(", 0, FFFD "(" },
		{ "\xc0\xaf", 0, FFFD FFFD },		/* overlong */
		{ "\xe0\x80\xaf", 0, FFFD FFFD FFFD },	/* overlong */
		{ "\xed\xa0\x80", 0, FFFD FFFD FFFD },	/* a surrogate */
		{ "\xf4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD },	/* past U+10FFFF */
		{ "\x80\xbf", 0, FFFD FFFD },		/* lone continuation bytes */
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].in), outlen = 99;
		char *out;

		ROW("%s", unit_quoten(rows[i].in, len));
		out = text_printable(rows[i].in, len, &outlen);
		CHECK_STR(out, rows[i].out);
		CHECK_INT(outlen, strlen(rows[i].out));
		free(out);
	}
	ROW_END();
}
