/* test_transcript.c - session transcripts of HTTP agents: lines read (bad ones and a leading
 * assistant turn skipped), the bound (50 turns, 256 KiB, the newest pair always kept),
 * formatting that reads back the same, and an append that leaves a 0600 file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/transcript.h"
#include "tests/unit/unit.h"

/* "role:content|role:content|..." */
static void
describe(const struct transcript_turn *t, size_t n, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s:%s", i ? "|" : "", t[i].role,
		    t[i].content);
}

static void
test_parse(void)
{
	static const struct {
		const char *in;
		const char *want;
		size_t skipped;
	} rows[] = {
		{ "", "", 0 },
		{ "{\"role\":\"user\",\"content\":\"a\"}\n{\"role\":\"assistant\",\"content\":\"b\"}\n",
		  "user:a|assistant:b", 0 },
		{ "{\"role\":\"user\",\"content\":\"no newline at the end\"}",
		  "user:no newline at the end", 0 },
		{ "\n  \n{\"role\":\"user\",\"content\":\"x\"}\r\n", "user:x", 0 },
		{ "{\"role\":\"assistant\",\"content\":\"orphan\"}\n{\"role\":\"user\",\"content\":\"q\"}\n",
		  "user:q", 1 },
		{ "not json\n{\"role\":\"system\",\"content\":\"s\"}\n{\"role\":\"user\"}\n"
		  "{\"role\":\"user\",\"content\":5}\n{\"role\":\"user\",\"content\":\"ok\"}\n"
		  "{\"role\":\"user\",\"cont", "user:ok", 5 },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		struct transcript_turn *t = NULL;
		size_t n = 99, skipped = 99;
		char buf[512];

		ROW("%s", unit_quote(rows[i].in));
		CHECK_INT(transcript_parse(rows[i].in, strlen(rows[i].in), &t, &n, &skipped), 0);
		describe(t, n, buf, sizeof buf);
		CHECK_STR(buf, rows[i].want);
		CHECK_INT(skipped, rows[i].skipped);
		transcript_free(t, n);
	}
	ROW_END();
}

/* N turns alternating user/assistant from "u0", each content LEN bytes long (at least its
 * name). */
static struct transcript_turn *
make(size_t n, size_t len, int first_assistant)
{
	struct transcript_turn *t = calloc(n, sizeof *t);

	for (size_t i = 0; i < n; i++) {
		int asst = (int)(i % 2) != first_assistant ? 1 : 0;
		char name[32];
		size_t k = (size_t)snprintf(name, sizeof name, "%c%zu", asst ? 'a' : 'u', i);

		t[i].role = strdup(asst ? "assistant" : "user");
		t[i].content = malloc((len > k ? len : k) + 1);
		memset(t[i].content, '.', len > k ? len : k);
		memcpy(t[i].content, name, k);
		t[i].content[len > k ? len : k] = '\0';
	}
	return t;
}

static void
test_bound(void)
{
	static const struct {
		size_t n, len, max_turns, max_bytes;
		int first_assistant;
		size_t want_n;
		const char *want_first;
	} rows[] = {
		{ 4, 1, 50, 256 * 1024, 0, 4, "u0" },
		{ 52, 1, 50, 256 * 1024, 0, 50, "u2" },
		{ 51, 1, 50, 256 * 1024, 1, 50, "u1" },	/* a0 goes: the count and the role agree */
		{ 52, 1, 50, 256 * 1024, 1, 49, "u3" },	/* a0, u1 for the count, then a2 */
		{ 10, 100000, 50, 256 * 1024, 0, 2, "u8" },	/* 2 lines of ~100 KB fit, 3 do not */
		{ 10, 30000, 50, 256 * 1024, 0, 8, "u2" },
		{ 2, 400000, 50, 256 * 1024, 0, 2, "u0" },	/* the newest pair always stays */
		{ 3, 1, 50, 256 * 1024, 1, 2, "u1" },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		size_t n = rows[i].n;
		struct transcript_turn *t = make(n, rows[i].len, rows[i].first_assistant);
		size_t flen = 0;
		char *f;

		ROW("%zu turns of %zu bytes, bound %zu turns %zu bytes", n, rows[i].len,
		    rows[i].max_turns, rows[i].max_bytes);
		transcript_bound(t, &n, rows[i].max_turns, rows[i].max_bytes);
		CHECK_INT(n, rows[i].want_n);
		CHECK(strncmp(t[0].content, rows[i].want_first, strlen(rows[i].want_first)) == 0 &&
		    strchr(".", t[0].content[strlen(rows[i].want_first)]) != NULL,
		    "first turn %.8s, expected %s", t[0].content, rows[i].want_first);
		CHECK_STR(t[0].role, "user");
		f = transcript_format(t, n, &flen);
		CHECK(n <= 2 || flen <= rows[i].max_bytes, "%zu bytes left", flen);
		free(f);
		transcript_free(t, n);
	}
	ROW_END();
}

static void
test_roundtrip(void)
{
	struct transcript_turn in[] = {
		{ "user", "line 1\nline 2 \"quoted\" \\ tab\t caf\xc3\xa9" },
		{ "assistant", "" },
	};
	struct transcript_turn *out = NULL;
	size_t len = 0, n = 0, skipped = 0;
	char *text = transcript_format(in, 2, &len);

	CHECK_INT(transcript_parse(text, len, &out, &n, &skipped), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(out[0].content, in[0].content);
		CHECK_STR(out[1].role, "assistant");
		CHECK_STR(out[1].content, "");
	}
	CHECK_INT(len > 0 && text[len - 1] == '\n', 1);
	transcript_free(out, n);
	free(text);
}

static void
test_append(void)
{
	char dir[] = "/tmp/hb-unit-transcript.XXXXXX", path[128], err[256] = "";
	struct transcript_turn *t = NULL;
	struct stat sb;
	size_t n = 0;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp failed");
		return;
	}
	snprintf(path, sizeof path, "%s/s.jsonl", dir);
	CHECK_INT(transcript_load(path, &t, &n, err, sizeof err), 0);	/* missing: empty */
	CHECK_INT(n, 0);
	transcript_free(t, n);
	for (int i = 0; i < 30; i++) {
		char u[32], a[32];

		snprintf(u, sizeof u, "q%d", i);
		snprintf(a, sizeof a, "r%d", i);
		CHECK(transcript_append(path, u, a, err, sizeof err) == 0, "append: %s", err);
	}
	CHECK_INT(transcript_load(path, &t, &n, err, sizeof err), 0);
	CHECK_INT(n, TRANSCRIPT_MAX_TURNS);
	if (n == TRANSCRIPT_MAX_TURNS) {
		CHECK_STR(t[0].content, "q5");
		CHECK_STR(t[n - 1].content, "r29");
	}
	transcript_free(t, n);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	unlink(path);
	rmdir(dir);
}

void
test_transcript(void)
{
	test_parse();
	test_bound();
	test_roundtrip();
	test_append();
}
