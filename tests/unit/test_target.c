/* test_target.c - delivery/target.c with tables: target URLs parsed (and refused), the
 * requests built for each service (URL, headers, exact body), splitting and cutting at the
 * services' limits, notify lists, priorities, and redaction (no secret survives). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/target.h"
#include "tests/unit/unit.h"

static const struct {
	const char *s;
	enum target_kind kind;		/* -1: refused */
	const char *url;		/* where requests go, or NULL */
	const char *host, *topic, *user, *password, *token, *id0;
	const char *err;		/* refused: a part of the message */
} parses[] = {
	{ "stdout", TARGET_STDOUT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "ntfy://alerts", TARGET_NTFY, "https://ntfy.sh/", "ntfy.sh", "alerts", NULL, NULL, NULL,
	  "alerts", NULL },
	{ "ntfy://ntfy.example.com/alerts", TARGET_NTFY, "http://ntfy.example.com/",
	  "ntfy.example.com", "alerts", NULL, NULL, NULL, "alerts", NULL },
	{ "ntfys://ntfy.example.com:8443/alerts", TARGET_NTFY, "https://ntfy.example.com:8443/",
	  "ntfy.example.com", "alerts", NULL, NULL, NULL, "alerts", NULL },
	{ "ntfy://ntfy.sh/alerts", TARGET_NTFY, "https://ntfy.sh/", "ntfy.sh", "alerts", NULL,
	  NULL, NULL, "alerts", NULL },
	{ "ntfy://me:p%40ss@127.0.0.1:8080/a-b_c", TARGET_NTFY, "http://127.0.0.1:8080/",
	  "127.0.0.1", "a-b_c", "me", "p@ss", NULL, "a-b_c", NULL },
	{ "ntfys://tk_abc123@ntfy.example.com/alerts", TARGET_NTFY, "https://ntfy.example.com/",
	  "ntfy.example.com", "alerts", NULL, NULL, "tk_abc123", "alerts", NULL },
	{ "ntfy://host/alerts?token=tk_xyz", TARGET_NTFY, "http://host/", "host", "alerts", NULL,
	  NULL, "tk_xyz", "alerts", NULL },
	{ "ntfy://", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "no topic" },
	{ "ntfy://host/bad.topic", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "topic" },
	{ "ntfy://host:99999/t", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "port" },
	{ "https://hooks.slack.com/services/T000/B000/XXXX", TARGET_SLACK,
	  "https://hooks.slack.com/services/T000/B000/XXXX", "hooks.slack.com", NULL, NULL, NULL,
	  NULL, NULL, NULL },
	{ "http://127.0.0.1:9/services/T1/B2/secret", TARGET_SLACK,
	  "http://127.0.0.1:9/services/T1/B2/secret", "127.0.0.1", NULL, NULL, NULL, NULL, NULL,
	  NULL },
	{ "slack://T1/B2/secret", TARGET_SLACK, "https://hooks.slack.com/services/T1/B2/secret",
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "https://discord.com/api/webhooks/123/tok-EN_1", TARGET_DISCORD,
	  "https://discord.com/api/webhooks/123/tok-EN_1", "discord.com", NULL, NULL, NULL, NULL,
	  NULL, NULL },
	{ "http://127.0.0.1:9/api/webhooks/123/tok", TARGET_DISCORD,
	  "http://127.0.0.1:9/api/webhooks/123/tok", "127.0.0.1", NULL, NULL, NULL, NULL, NULL,
	  NULL },
	{ "discord://123/tok", TARGET_DISCORD, "https://discord.com/api/webhooks/123/tok", NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "tgram://123456:ABC-def_9/-100777", TARGET_TELEGRAM, NULL, NULL, NULL, NULL, NULL,
	  "123456:ABC-def_9", "-100777", NULL },
	{ "tgram://bot123456:ABC/@news", TARGET_TELEGRAM, NULL, NULL, NULL, NULL, NULL,
	  "123456:ABC", "@news", NULL },
	{ "tgram://123456:ABC", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "no chat id" },
	{ "tgram://nocolon/1", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "bot token" },
	{ "json://127.0.0.1:8080/hook", TARGET_JSON, "http://127.0.0.1:8080/hook", "127.0.0.1",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "jsons://u:p@example.com/a/b?x=1&+X-Key=v", TARGET_JSON, "https://example.com/a/b?x=1",
	  "example.com", NULL, "u", "p", NULL, NULL, NULL },
	{ "json://example.com", TARGET_JSON, "http://example.com/", "example.com", NULL, NULL,
	  NULL, NULL, NULL, NULL },
	{ "json:///path", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "no host" },
	{ "mailto:me@example.com", TARGET_MAILTO, NULL, NULL, NULL, NULL, NULL, NULL,
	  "me@example.com", NULL },
	{ "mailto:a@x.org,b@y.org", TARGET_MAILTO, NULL, NULL, NULL, NULL, NULL, NULL, "a@x.org",
	  NULL },
	{ "mailto:", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "needs an address" },
	{ "mailto:nobody", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "not an address" },
	{ "mailto:<a@b.c>", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "'<'" },
	{ "mailto://user:pass@gmail.com", TARGET_APPRISE, "mailto://user:pass@gmail.com", NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "desktop://", TARGET_DESKTOP, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "desktop://x", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "nothing after" },
	{ "exec:/usr/local/bin/page me", TARGET_EXEC, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL },
	{ "exec:", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "needs a program" },
	{ "pover://user@token", TARGET_APPRISE, "pover://user@token", NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL },
	{ "https://example.com/some/hook", TARGET_APPRISE, "https://example.com/some/hook", NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "slack://botname@T1/B2/C3/#general", TARGET_APPRISE, "slack://botname@T1/B2/C3/#general",
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "ntfy", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "not a target" },
	{ "email me", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "space" },
	{ "ntfy://a\tb", -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "control character" },
};

static void
test_parse(void)
{
	char err[256];

	for (size_t i = 0; i < NELEM(parses); i++) {
		struct target t;
		int rc = target_parse(parses[i].s, &t, err, sizeof err);

		ROW("parse %s", unit_quote(parses[i].s));
		if ((int)parses[i].kind < 0) {
			CHECK(rc == -1, "refused");
			CHECK_HAS(err, parses[i].err);
			ROW_END();
			continue;
		}
		if (!CHECK(rc == 0, "parsed (%s)", err)) {
			ROW_END();
			continue;
		}
		CHECK_INT(t.kind, parses[i].kind);
		if (parses[i].url)
			CHECK_STR(t.url, parses[i].url);
		if (parses[i].host)
			CHECK_STR(t.host, parses[i].host);
		if (parses[i].topic)
			CHECK_STR(t.topic, parses[i].topic);
		if (parses[i].user)
			CHECK_STR(t.user, parses[i].user);
		if (parses[i].password)
			CHECK_STR(t.password, parses[i].password);
		if (parses[i].token)
			CHECK_STR(t.token, parses[i].token);
		if (parses[i].id0)
			CHECK(t.nids > 0 && strcmp(t.ids[0], parses[i].id0) == 0, "first id %s",
			    unit_quote(t.nids ? t.ids[0] : NULL));
		if (t.kind == TARGET_EXEC)
			CHECK_STR(t.program, "/usr/local/bin/page me");
		if (t.kind == TARGET_JSON && t.headers && *t.headers)
			CHECK_STR(t.headers, "X-Key: v\n");
		ROW_END();
		target_free(&t);
	}
}

/* Redaction: what stays, and the secrets that must not. */
static const struct {
	const char *s, *want, *secret;
} redactions[] = {
	{ "stdout", "stdout", NULL },
	/* on ntfy.sh a topic is as good as a password: its first 2 characters stay */
	{ "ntfy://alertsXyZ", "ntfy://al***", "alertsXyZ" },
	{ "ntfy://a", "ntfy://a***", NULL },
	{ "ntfy://ntfy.sh/alertsXyZ", "ntfy://ntfy.sh/al***", "alertsXyZ" },
	{ "ntfys://ntfy.example.com:8443/topicOne/topicTwo",
	  "ntfys://ntfy.example.com:8443/to***/to***", "topicOne" },
	{ "ntfy://me:hunter22@host/alerts", "ntfy://me:***@host/al***", "hunter22" },
	{ "ntfys://tk_secret1@host/alerts", "ntfys://***@host/al***", "tk_secret1" },
	{ "ntfy://host/alerts?token=tk_secret2", "ntfy://host/al***?token=***", "tk_secret2" },
	{ "https://hooks.slack.com/services/T000/B000/SeCrEt3",
	  "https://hooks.slack.com/services/T000/B000/***", "SeCrEt3" },
	{ "slack://T1/B2/SeCrEt4", "slack://T1/B2/***", "SeCrEt4" },
	{ "https://discord.com/api/webhooks/123/SeCrEt5", "https://discord.com/api/webhooks/123/***",
	  "SeCrEt5" },
	{ "discord://123/SeCrEt6", "discord://123/***", "SeCrEt6" },
	{ "tgram://123456:SeCrEt7/-100777", "tgram://123456:***/-100777", "SeCrEt7" },
	{ "json://u:SeCrEt8@host:1/hook", "json://u:***@host:1/hook", "SeCrEt8" },
	{ "json://host/webhook/SeCrEt9-uuid", "json://host/webhook/***", "SeCrEt9" },
	{ "json://host/0123456789abcdefSECRET", "json://host/***", "SECRET" },
	{ "json://host/h?+Authorization=SeCrEt10", "json://host/h?+Authorization=***",
	  "SeCrEt10" },
	{ "pover://user@SeCrEt11", "pover://***", "SeCrEt11" },
	{ "https://example.com/x/SeCrEt12", "https://***", "SeCrEt12" },
	{ "tgram://SeCrEt13", "tgram://***", "SeCrEt13" },		/* refused: scheme only */
	{ "mailto:me@example.com", "mailto:me@example.com", NULL },
	{ "exec:/bin/page", "exec:/bin/page", NULL },
	{ "garbage SeCrEt14", "***", "SeCrEt14" },
};

static void
test_redact(void)
{
	char out[512];

	for (size_t i = 0; i < NELEM(redactions); i++) {
		ROW("redact %s", unit_quote(redactions[i].s));
		target_redact(redactions[i].s, out, sizeof out);
		CHECK_STR(out, redactions[i].want);
		if (redactions[i].secret)
			CHECK(strstr(out, redactions[i].secret) == NULL, "no secret in %s",
			    unit_quote(out));
		ROW_END();
	}
	ROW("a short buffer is cut, not overrun");
	target_redact("ntfy://alerts", out, 5);
	CHECK_STR(out, "ntfy");
	ROW_END();
}

static const struct {
	const char *s;
	size_t n;
	const char *items[4];
	const char *err;
} lists[] = {
	{ "stdout", 1, { "stdout" }, NULL },
	{ "stdout, ntfy://alerts", 2, { "stdout", "ntfy://alerts" }, NULL },
	{ "[stdout, \"ntfy://alerts\"]", 2, { "stdout", "ntfy://alerts" }, NULL },
	{ "[ 'mailto:a@x.org,b@y.org' , exec:/bin/x ]", 2, { "mailto:a@x.org,b@y.org",
	  "exec:/bin/x" }, NULL },
	{ "\"a, b\"", 1, { "a, b" }, NULL },
	{ "a,,b", 0, { NULL }, "empty target" },
	{ "[]", 0, { NULL }, "empty list" },
	{ "[a, b", 0, { NULL }, "closes with" },
	{ "\"a", 0, { NULL }, "not closed" },
	{ "\"a\" b", 0, { NULL }, "expected ','" },
	{ "", 0, { NULL }, "empty" },
};

static void
test_lists(void)
{
	char err[256];

	for (size_t i = 0; i < NELEM(lists); i++) {
		char **l = NULL;
		size_t n = 0;
		int rc = target_list_split(lists[i].s, &l, &n, err, sizeof err);

		ROW("list %s", unit_quote(lists[i].s));
		if (lists[i].err) {
			CHECK(rc == -1, "refused");
			CHECK_HAS(err, lists[i].err);
		} else if (CHECK(rc == 0, "split (%s)", err) && CHECK_INT(n, lists[i].n)) {
			for (size_t k = 0; k < n; k++)
				CHECK_STR(l[k], lists[i].items[k]);
		}
		ROW_END();
		target_list_free(l, n);
	}
}

static void
test_priority(void)
{
	static const struct { const char *s; int p; } rows[] = {
		{ "min", 1 }, { "low", 2 }, { "default", 3 }, { "high", 4 }, { "urgent", 5 },
		{ "max", 5 }, { "HIGH", 4 }, { "1", 1 }, { "5", 5 }, { "0", -1 }, { "6", -1 },
		{ "", -1 }, { "loud", -1 }, { "12", -1 },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		ROW("priority %s", unit_quote(rows[i].s));
		CHECK_INT(target_priority_parse(rows[i].s), rows[i].p);
		ROW_END();
	}
	ROW("priority names");
	CHECK_STR(target_priority_name(0), "default");
	CHECK_STR(target_priority_name(4), "high");
	ROW_END();
}

static void
test_split_cut(void)
{
	size_t off[8], len[8], n, outlen;
	char *big, *cut;

	ROW("split: short text is one piece");
	n = target_split("hello\n", 6, 10, off, len);
	CHECK_INT(n, 1);
	CHECK_INT(len[0], 5);		/* the final newline dropped */
	ROW_END();

	ROW("split: on a line boundary in the second half");
	n = target_split("aaaa\nbbbb\ncc", 12, 8, off, len);
	CHECK_INT(n, 2);
	CHECK_INT(off[0], 0);
	CHECK_INT(len[0], 4);
	CHECK_INT(off[1], 5);
	CHECK_INT(len[1], 7);		/* "bbbb\ncc" */
	ROW_END();

	ROW("split: no newline: between characters, counted in code points");
	/* six 2-byte characters, at most 4 per piece */
	n = target_split("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 12, 4, off, len);
	CHECK_INT(n, 2);
	CHECK_INT(len[0], 8);
	CHECK_INT(off[1], 8);
	CHECK_INT(len[1], 4);
	ROW_END();

	ROW("split: a newline in the first half is not used");
	n = target_split("a\nbbbbbbbbbb", 12, 8, off, len);
	CHECK_INT(n, 2);
	CHECK_INT(len[0], 8);
	ROW_END();

	ROW("cut: short text unchanged");
	cut = target_cut("abc", 3, 10, &outlen);
	CHECK_STR(cut, "abc");
	free(cut);
	ROW_END();

	ROW("cut: 10000 bytes to 4096, the cut said, never more than the limit");
	big = malloc(10001);
	for (size_t i = 0; i < 10000; i++)
		big[i] = (char)(i % 61 == 60 ? '\n' : 'x');
	big[10000] = '\0';
	cut = target_cut(big, 10000, 4096, &outlen);
	CHECK(outlen <= 4096, "%zu bytes", outlen);
	CHECK_HAS(cut, "more bytes not sent; the reply is in the hb-run log]");
	{
		size_t kept = (size_t)(strstr(cut, "\n[... ") - cut), more = 0;

		sscanf(strstr(cut, "[... ") + 5, "%zu", &more);
		CHECK_INT(kept + more, 10000);
		CHECK(kept > 3000, "kept %zu", kept);
		CHECK(big[kept] == '\n', "cut at a line's end");
	}
	free(cut);
	ROW_END();

	ROW("cut: never inside a UTF-8 character");
	for (size_t i = 0; i + 3 <= 9999; i += 3)
		memcpy(big + i, "\xe2\x82\xac", 3);	/* euro signs, no newline */
	cut = target_cut(big, 9999, 4096, &outlen);
	CHECK(outlen <= 4096, "%zu bytes", outlen);
	CHECK(((size_t)(strstr(cut, "\n[... ") - cut)) % 3 == 0, "whole characters");
	free(cut);
	free(big);
	ROW_END();
}

/* Builds the requests of target S for message M. */
static int
build(const char *s, const struct target_msg *m, const struct target_opts *o,
    struct target_request **r, size_t *n)
{
	struct target t;
	char err[256];
	int rc;

	if (target_parse(s, &t, err, sizeof err) != 0)
		return -1;
	rc = target_build(&t, m, o, r, n, err, sizeof err);
	target_free(&t);
	return rc;
}

static void
test_build(void)
{
	struct target_msg m = { "disk", "Disk alert", "Disk at 91% <sda> & more.", 25, 4,
		1767603600, "run-1", "box" };
	struct target_opts o = { NULL, 0 };
	struct target_request *r = NULL;
	size_t n = 0;

	ROW("ntfy: JSON publishing to the root, topic, title, priority, bearer token");
	if (CHECK(build("ntfy://tk_abc@127.0.0.1:9/alerts", &m, &o, &r, &n) == 0 && n == 1,
	    "built")) {
		CHECK_STR(r[0].url, "http://127.0.0.1:9/");
		CHECK_STR(r[0].headers, "Content-Type: application/json\n"
		    "Authorization: Bearer tk_abc\n");
		CHECK_STR(r[0].body, "{\"topic\":\"alerts\",\"message\":\"Disk at 91% <sda> & "
		    "more.\",\"title\":\"Disk alert\",\"priority\":4}");
	}
	target_requests_free(r, n);
	ROW_END();

	ROW("ntfy: basic auth, one request per topic");
	if (CHECK(build("ntfy://me:pw@h/a/b", &m, &o, &r, &n) == 0 && n == 2, "built")) {
		CHECK_HAS(r[0].headers, "Authorization: Basic bWU6cHc=\n");
		CHECK_HAS(r[1].body, "\"topic\":\"b\"");
	}
	target_requests_free(r, n);
	ROW_END();

	ROW("slack: {\"text\"} with the title in bold and &, <, > escaped");
	if (CHECK(build("slack://T/B/C", &m, &o, &r, &n) == 0 && n == 1, "built")) {
		CHECK_STR(r[0].url, "https://hooks.slack.com/services/T/B/C");
		CHECK_STR(r[0].body, "{\"text\":\"*Disk alert*\\nDisk at 91% &lt;sda&gt; &amp; "
		    "more.\"}");
	}
	target_requests_free(r, n);
	ROW_END();

	ROW("discord: {\"content\"}, no mentions parsed");
	if (CHECK(build("discord://1/T", &m, &o, &r, &n) == 0 && n == 1, "built"))
		CHECK_STR(r[0].body, "{\"allowed_mentions\":{\"parse\":[]},\"content\":"
		    "\"**Disk alert**\\nDisk at 91% <sda> & more.\"}");
	target_requests_free(r, n);
	ROW_END();

	ROW("telegram: sendMessage per chat, the API base overridable");
	o.telegram_api = "http://127.0.0.1:9/";
	m.priority = 2;
	if (CHECK(build("tgram://12:AB/-100/@ch", &m, &o, &r, &n) == 0 && n == 2, "built")) {
		CHECK_STR(r[0].url, "http://127.0.0.1:9/bot12:AB/sendMessage");
		CHECK_STR(r[0].body, "{\"chat_id\":\"-100\",\"text\":\"Disk alert\\nDisk at 91% "
		    "<sda> & more.\",\"disable_notification\":true}");
		CHECK_HAS(r[1].body, "\"chat_id\":\"@ch\"");
	}
	target_requests_free(r, n);
	o.telegram_api = NULL;
	m.priority = 4;
	if (build("tgram://12:AB/1", &m, &o, &r, &n) == 0 && n == 1)
		CHECK_STR(r[0].url, "https://api.telegram.org/bot12:AB/sendMessage");
	target_requests_free(r, n);
	ROW_END();

	ROW("json: the documented body, headers from +Name=value");
	if (CHECK(build("json://u:p@h:1/hook?+X-Key=v", &m, &o, &r, &n) == 0 && n == 1,
	    "built")) {
		CHECK_STR(r[0].url, "http://h:1/hook");
		CHECK_STR(r[0].headers, "Content-Type: application/json\n"
		    "Authorization: Basic dTpw\nX-Key: v\n");
		CHECK_STR(r[0].body, "{\"task\":\"disk\",\"title\":\"Disk alert\",\"message\":"
		    "\"Disk at 91% <sda> & more.\",\"priority\":\"high\",\"time\":"
		    "\"2026-01-05T09:00:00Z\",\"run_id\":\"run-1\",\"host\":\"box\"}");
	}
	target_requests_free(r, n);
	ROW_END();

	ROW("mailto: sendmail -t -oi and the mail's headers");
	if (CHECK(build("mailto:a@x.org,b@y.org", &m, &o, &r, &n) == 0 && n == 1, "built")) {
		CHECK(r[0].url == NULL, "not HTTP");
		CHECK_STR(r[0].argv[0], "sendmail");
		CHECK_STR(r[0].argv[1], "-t");
		CHECK_STR(r[0].argv[2], "-oi");
		CHECK(r[0].argv[3] == NULL, "three arguments");
		CHECK_STR(r[0].body, "To: a@x.org, b@y.org\nSubject: Disk alert\nMIME-Version: "
		    "1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: "
		    "8bit\nX-Mailer: hb-run\n\nDisk at 91% <sda> & more.\n");
	}
	target_requests_free(r, n);
	ROW_END();

	ROW("mailto: a title that is not ASCII is RFC 2047, a newline in it cannot add headers");
	m.title = "Disque pl\xc3\xa9in\nBcc: x@evil";
	if (CHECK(build("mailto:a@x.org", &m, &o, &r, &n) == 0 && n == 1, "built")) {
		CHECK_HAS(r[0].body, "Subject: =?UTF-8?B?");
		CHECK(strstr(r[0].body, "\nBcc:") == NULL, "no header injected");
	}
	target_requests_free(r, n);
	m.title = "Disk alert";
	ROW_END();

	ROW("desktop: notify-send with the urgency; osascript on macOS");
	if (CHECK(build("desktop://", &m, &o, &r, &n) == 0 && n == 1, "built")) {
		CHECK_STR(r[0].argv[0], "notify-send");
		CHECK_STR(r[0].argv[2], "critical");
		CHECK_STR(r[0].argv[6], "Disk alert");
		CHECK_STR(r[0].argv[7], "Disk at 91% <sda> & more.");
	}
	target_requests_free(r, n);
	o.osascript = 1;
	if (CHECK(build("desktop://", &m, &o, &r, &n) == 0 && n == 1, "built"))
		CHECK_STR(r[0].argv[0], "osascript");
	target_requests_free(r, n);
	o.osascript = 0;
	ROW_END();

	ROW("exec: the program, the message on stdin, HB_ variables");
	if (CHECK(build("exec:./page.sh", &m, &o, &r, &n) == 0 && n == 1, "built")) {
		CHECK_STR(r[0].argv[0], "./page.sh");
		CHECK_STR(r[0].body, "Disk at 91% <sda> & more.");
		CHECK_STR(r[0].env[0], "HB_TASK=disk");
		CHECK_STR(r[0].env[1], "HB_TITLE=Disk alert");
		CHECK_STR(r[0].env[2], "HB_PRIORITY=high");
		CHECK_STR(r[0].env[3], "HB_RUN_ID=run-1");
	}
	target_requests_free(r, n);
	ROW_END();

	ROW("apprise: the URL in APPRISE_URLS, never on the command line");
	if (CHECK(build("pover://user@SECRET", &m, &o, &r, &n) == 0 && n == 1, "built")) {
		CHECK_STR(r[0].argv[0], "apprise");
		CHECK_STR(r[0].argv[2], "Disk alert");
		CHECK(r[0].argv[3] == NULL, "no URL argument");
		CHECK_STR(r[0].env[0], "APPRISE_URLS=pover://user@SECRET");
	}
	target_requests_free(r, n);
	ROW_END();

	ROW("stdout: nothing to build; the default title is the task's name");
	CHECK(build("stdout", &m, &o, &r, &n) == 0 && n == 0, "none");
	m.title = NULL;
	if (CHECK(build("json://h/", &m, &o, &r, &n) == 0 && n == 1, "built"))
		CHECK_HAS(r[0].body, "\"title\":\"disk\"");
	target_requests_free(r, n);
	ROW_END();
}

/* Discord: 4500 characters of lines in order, in pieces of at most 2000, on line ends. */
static void
test_discord_split(void)
{
	struct target_msg m = { "t", NULL, NULL, 0, 0, 0, "r", "h" };
	struct target_request *r = NULL;
	size_t n = 0, total = 0;
	char *text = malloc(8000);

	for (int i = 0; i < 100; i++)
		total += (size_t)sprintf(text + total, "line %03d %s\n", i,
		    "...................................");
	m.text = text;
	m.len = total;
	ROW("discord: %zu bytes split at 2000 characters, on line ends, in order", total);
	if (CHECK(build("discord://1/T", &m, NULL, &r, &n) == 0, "built") &&
	    CHECK_INT(n, 3)) {
		CHECK_HAS(r[0].body, "\"content\":\"**t**\\nline 000");
		CHECK_HAS(r[1].body, "\"content\":\"line 0");
		CHECK_HAS(r[2].body, "line 099 ....");
		for (size_t i = 0; i < n; i++) {
			CHECK(strlen(r[i].body) < 2000 + 80, "piece %zu: %zu bytes", i,
			    strlen(r[i].body));
			CHECK(strstr(r[i].body, "\\n\"}") == NULL, "no trailing newline");
		}
	}
	target_requests_free(r, n);
	free(text);
	ROW_END();
}

void
test_target(void)
{
	test_parse();
	test_redact();
	test_lists();
	test_priority();
	test_split_cut();
	test_build();
	test_discord_split();
}
