/* test_reply.c - reply_classify against the reply rules of DESIGN.md: empty, NO_REPLY,
 * HEARTBEAT_OK at the edges (with punctuation and markup), ack_max_chars counted in code
 * points, and what is delivered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/reply.h"
#include "tests/unit/unit.h"

#define ACK_MAX 300	/* the default of ack_max_chars */

static const struct {
	const char *text;
	size_t ack_max;
	enum reply_verdict verdict;
	const char *out;	/* REPLY_DELIVER: the delivered text */
} rows[] = {
	/* 1. empty */
	{ "", ACK_MAX, REPLY_EMPTY, NULL },
	{ "   \n\t \r\n", ACK_MAX, REPLY_EMPTY, NULL },
	/* 2. exactly NO_REPLY */
	{ "NO_REPLY", ACK_MAX, REPLY_NO_REPLY, NULL },
	{ "  NO_REPLY\n", ACK_MAX, REPLY_NO_REPLY, NULL },
	{ "NO_REPLY please", ACK_MAX, REPLY_DELIVER, "NO_REPLY please" },
	{ "NO_REPLY.", ACK_MAX, REPLY_DELIVER, "NO_REPLY." },
	{ "no_reply", ACK_MAX, REPLY_DELIVER, "no_reply" },
	/* 3. the token at the edges */
	{ "HEARTBEAT_OK", ACK_MAX, REPLY_ACK, NULL },
	{ "  HEARTBEAT_OK \n", ACK_MAX, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK", 0, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK All quiet.", ACK_MAX, REPLY_ACK, NULL },
	{ "All quiet. HEARTBEAT_OK", ACK_MAX, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK All quiet. HEARTBEAT_OK", ACK_MAX, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK HEARTBEAT_OK", ACK_MAX, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK\nHEARTBEAT_OK\nHEARTBEAT_OK\n", ACK_MAX, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK.", ACK_MAX, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK!!!!", ACK_MAX, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK!!!!!", ACK_MAX, REPLY_ACK, NULL },	/* at the start: any tail */
	/* what is left once the edge tokens are gone (ack_max 0: always delivered) */
	{ "HEARTBEAT_OK Disk at 91%.", 0, REPLY_DELIVER, "Disk at 91%." },
	{ "Disk at 91%. HEARTBEAT_OK", 0, REPLY_DELIVER, "Disk at 91%." },
	{ "HEARTBEAT_OK Disk at 91%. HEARTBEAT_OK", 0, REPLY_DELIVER, "Disk at 91%." },
	{ "HEARTBEAT_OK HEARTBEAT_OK Disk at 91%.", 0, REPLY_DELIVER, "Disk at 91%." },
	{ "Disk at 91%. HEARTBEAT_OK HEARTBEAT_OK", 0, REPLY_DELIVER, "Disk at 91%." },
	/* at the end: at most 4 non-word characters after it */
	{ "Disk at 91%. HEARTBEAT_OK.", 0, REPLY_DELIVER, "Disk at 91%." },
	{ "Disk at 91%. HEARTBEAT_OK!!!!", 0, REPLY_DELIVER, "Disk at 91%." },
	{ "Disk at 91%. HEARTBEAT_OK !?\n", 0, REPLY_DELIVER, "Disk at 91%." },
	{ "Disk at 91%. HEARTBEAT_OK!!!!!", ACK_MAX, REPLY_DELIVER,
	  "Disk at 91%. HEARTBEAT_OK!!!!!" },
	{ "Disk at 91%. HEARTBEAT_OK .....", ACK_MAX, REPLY_DELIVER,
	  "Disk at 91%. HEARTBEAT_OK ....." },
	/* ... counted in code points: four emoji are 16 bytes but 4 characters */
	{ "All quiet HEARTBEAT_OK \xe2\x9c\x85", ACK_MAX, REPLY_ACK, NULL },
	{ "All quiet HEARTBEAT_OK\xf0\x9f\x91\x8d\xf0\x9f\x91\x8d\xf0\x9f\x91\x8d\xf0\x9f\x91\x8d",
	  ACK_MAX, REPLY_ACK, NULL },
	{ "All quiet HEARTBEAT_OK \xf0\x9f\x91\x8d\xf0\x9f\x91\x8d\xf0\x9f\x91\x8d"
	  "\xf0\x9f\x91\x8d", ACK_MAX, REPLY_DELIVER,
	  "All quiet HEARTBEAT_OK \xf0\x9f\x91\x8d\xf0\x9f\x91\x8d\xf0\x9f\x91\x8d"
	  "\xf0\x9f\x91\x8d" },
	/* markup around the token belongs to the edge */
	{ "**HEARTBEAT_OK**", ACK_MAX, REPLY_ACK, NULL },
	{ "`HEARTBEAT_OK`", ACK_MAX, REPLY_ACK, NULL },
	{ "<b>HEARTBEAT_OK</b>", ACK_MAX, REPLY_ACK, NULL },
	{ "_HEARTBEAT_OK_", ACK_MAX, REPLY_ACK, NULL },
	{ "**HEARTBEAT_OK**.", ACK_MAX, REPLY_ACK, NULL },
	{ "Disk full. **HEARTBEAT_OK**", 0, REPLY_DELIVER, "Disk full." },
	{ "Disk full. `HEARTBEAT_OK`", 0, REPLY_DELIVER, "Disk full." },
	{ "Disk full. <b>HEARTBEAT_OK</b>", 0, REPLY_DELIVER, "Disk full." },
	{ "Disk full. _HEARTBEAT_OK_", 0, REPLY_DELIVER, "Disk full." },
	{ "Disk full. **HEARTBEAT_OK**!", 0, REPLY_DELIVER, "Disk full." },
	{ "**HEARTBEAT_OK** Disk full.", 0, REPLY_DELIVER, "Disk full." },
	{ "<b>HEARTBEAT_OK</b>\nDisk full.", 0, REPLY_DELIVER, "Disk full." },
	{ "All quiet. **HEARTBEAT_OK**", ACK_MAX, REPLY_ACK, NULL },
	/* 5. a token in the middle is text: delivered unchanged (trimmed) */
	{ "Checked: HEARTBEAT_OK but disk A is full.", ACK_MAX, REPLY_DELIVER,
	  "Checked: HEARTBEAT_OK but disk A is full." },
	{ "  Line one\nHEARTBEAT_OK in the middle\nLine three \n", ACK_MAX, REPLY_DELIVER,
	  "Line one\nHEARTBEAT_OK in the middle\nLine three" },
	/* not the token */
	{ "HEARTBEAT_OKAY", ACK_MAX, REPLY_DELIVER, "HEARTBEAT_OKAY" },
	{ "HEARTBEAT_OKAY, all fine", ACK_MAX, REPLY_DELIVER, "HEARTBEAT_OKAY, all fine" },
	{ "All fine XHEARTBEAT_OK", ACK_MAX, REPLY_DELIVER, "All fine XHEARTBEAT_OK" },
	{ "NOT_HEARTBEAT_OK", ACK_MAX, REPLY_DELIVER, "NOT_HEARTBEAT_OK" },
	{ "HEARTBEAT", ACK_MAX, REPLY_DELIVER, "HEARTBEAT" },
	/* a delivered text keeps its inner lines */
	{ "HEARTBEAT_OK\nDisk A at 91%.\n\nPlease look.\n", 0, REPLY_DELIVER,
	  "Disk A at 91%.\n\nPlease look." },
	{ "Disk full.\n\n- disk A 91%\n- disk B 95%\nHEARTBEAT_OK\n", 0, REPLY_DELIVER,
	  "Disk full.\n\n- disk A 91%\n- disk B 95%" },
	/* 4. ack_max_chars */
	{ "HEARTBEAT_OK hello", 5, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK hello!", 5, REPLY_DELIVER, "hello!" },
	{ "hello HEARTBEAT_OK", 5, REPLY_ACK, NULL },
	{ "hello! HEARTBEAT_OK", 5, REPLY_DELIVER, "hello!" },
	{ "HEARTBEAT_OK h\xc3\xa9llo", 5, REPLY_ACK, NULL },	/* 6 bytes, 5 characters */
	{ "HEARTBEAT_OK \xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 3, REPLY_ACK, NULL },
	{ "HEARTBEAT_OK \xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 3, REPLY_DELIVER,
	  "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac" },
};

/* Classifies TEXT from a buffer of exactly LEN bytes (no NUL after it, for the sanitizer)
 * and checks the verdict and the delivered text. */
static void
check_reply(const char *text, size_t len, size_t ack_max, enum reply_verdict verdict,
    const char *want)
{
	enum reply_verdict got = (enum reply_verdict)-1;
	char *buf = malloc(len > 0 ? len : 1), *out = (char *)"unset";
	size_t outlen = 12345;

	if (buf == NULL)
		abort();
	memcpy(buf, text, len);
	CHECK(reply_classify(buf, len, ack_max, &got, &out, &outlen) == 0, "returned -1");
	CHECK(got == verdict, "verdict %s, expected %s", reply_verdict_name(got),
	    reply_verdict_name(verdict));
	if (verdict == REPLY_DELIVER) {
		CHECK_STR(out, want);
		CHECK(out == NULL || outlen == strlen(out), "outlen %zu for %zu bytes", outlen,
		    out ? strlen(out) : 0);
	} else {
		CHECK(out == NULL, "*out is %s for a suppressed reply", unit_quote(out));
		CHECK_INT(outlen, 0);
	}
	if (got == REPLY_DELIVER)
		free(out);
	free(buf);
}

/* PREFIX, then N copies of UNIT, then SUFFIX, in a malloc'd string. */
static char *
repeat(const char *prefix, const char *unit, size_t n, const char *suffix)
{
	size_t pl = strlen(prefix), ul = strlen(unit), sl = strlen(suffix);
	char *s = malloc(pl + n * ul + sl + 1), *p;

	if (s == NULL)
		abort();
	memcpy(s, prefix, pl);
	p = s + pl;
	for (size_t i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, suffix, sl + 1);
	return s;
}

/* The ack_max_chars boundary: the token plus N characters (UNIT is one character). */
static const struct {
	const char *what, *prefix, *unit, *suffix;
	size_t n;
	enum reply_verdict verdict;
} boundary_rows[] = {
	{ "token + 300 ASCII", "HEARTBEAT_OK ", "a", "", 300, REPLY_ACK },
	{ "token + 301 ASCII", "HEARTBEAT_OK ", "a", "", 301, REPLY_DELIVER },
	{ "300 ASCII + token", "", "a", " HEARTBEAT_OK", 300, REPLY_ACK },
	{ "301 ASCII + token", "", "a", " HEARTBEAT_OK", 301, REPLY_DELIVER },
	{ "token + 300 x e-acute (600 bytes)", "HEARTBEAT_OK ", "\xc3\xa9", "", 300, REPLY_ACK },
	{ "token + 301 x e-acute", "HEARTBEAT_OK ", "\xc3\xa9", "", 301, REPLY_DELIVER },
	{ "300 x e-acute + token", "", "\xc3\xa9", "\nHEARTBEAT_OK", 300, REPLY_ACK },
	{ "301 x e-acute + token", "", "\xc3\xa9", "\nHEARTBEAT_OK", 301, REPLY_DELIVER },
	{ "token + 300 emoji (1200 bytes)", "HEARTBEAT_OK\n", "\xf0\x9f\x92\x9a", "", 300,
	  REPLY_ACK },
	{ "token + 301 emoji", "HEARTBEAT_OK\n", "\xf0\x9f\x92\x9a", "", 301, REPLY_DELIVER },
};

static const struct {
	const char *s;
	size_t n;
} codepoint_rows[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ "\xc3\xa9", 1 },
	{ "\xe2\x82\xac", 1 },
	{ "\xf0\x9f\x91\x8d", 1 },
	{ "a\xc3\xa9\xf0\x9f\x91\x8d z", 5 },
};

void
test_reply(void)
{
	for (size_t i = 0; i < NELEM(rows); i++) {
		ROW("reply_classify(%s, ack_max %zu)", unit_quote(rows[i].text), rows[i].ack_max);
		check_reply(rows[i].text, strlen(rows[i].text), rows[i].ack_max, rows[i].verdict,
		    rows[i].out);
		ROW_END();
	}

	for (size_t i = 0; i < NELEM(boundary_rows); i++) {
		char *text = repeat(boundary_rows[i].prefix, boundary_rows[i].unit,
		    boundary_rows[i].n, boundary_rows[i].suffix);
		char *want = repeat("", boundary_rows[i].unit, boundary_rows[i].n, "");

		ROW("reply_classify: %s", boundary_rows[i].what);
		check_reply(text, strlen(text), ACK_MAX, boundary_rows[i].verdict, want);
		ROW_END();
		free(text);
		free(want);
	}

	/* LEN bounds the text: what follows it is not read. */
	ROW("reply_classify: LEN ends the text");
	{
		const char *text = "HEARTBEAT_OK but the disk is full";
		enum reply_verdict v = REPLY_DELIVER;
		char *out = NULL;
		size_t outlen = 0;

		CHECK(reply_classify(text, 12, 0, &v, &out, &outlen) == 0 && v == REPLY_ACK,
		    "the first 12 bytes are the token alone, got %s", reply_verdict_name(v));
		if (v == REPLY_DELIVER)
			free(out);
	}
	ROW_END();

	for (size_t i = 0; i < NELEM(codepoint_rows); i++) {
		ROW("reply_codepoints(%s)", unit_quote(codepoint_rows[i].s));
		CHECK_INT(reply_codepoints(codepoint_rows[i].s, strlen(codepoint_rows[i].s)),
		    codepoint_rows[i].n);
		ROW_END();
	}

	ROW("reply_verdict_name");
	CHECK_STR(reply_verdict_name(REPLY_DELIVER), "delivered");
	CHECK_STR(reply_verdict_name(REPLY_EMPTY), "empty");
	CHECK_STR(reply_verdict_name(REPLY_NO_REPLY), "no_reply");
	CHECK_STR(reply_verdict_name(REPLY_ACK), "heartbeat_ok");
	ROW_END();
}
