/* test_ping.c - delivery/ping.c: which kind a ping URL is, the URL of each event, and the
 * redaction of the check's key. */
#include <stdlib.h>
#include <string.h>

#include "delivery/ping.h"
#include "tests/unit/unit.h"

static const struct {
	const char *s;
	int ok;
	const char *kind, *start, *success, *fail;	/* fail: exit status 3 */
	int fail_post;
	const char *redacted;
} rows[] = {
	{ "https://hc-ping.com/5bf6-uuid", 1, "healthchecks", "https://hc-ping.com/5bf6-uuid/start",
	  "https://hc-ping.com/5bf6-uuid", "https://hc-ping.com/5bf6-uuid/3", 1,
	  "https://hc-ping.com/***" },
	{ "https://hc-ping.com/5bf6-uuid/", 1, "healthchecks",
	  "https://hc-ping.com/5bf6-uuid/start", "https://hc-ping.com/5bf6-uuid",
	  "https://hc-ping.com/5bf6-uuid/3", 1, "https://hc-ping.com/***" },
	{ "http://127.0.0.1:8000/ping/abc?rid=1", 1, "healthchecks",
	  "http://127.0.0.1:8000/ping/abc/start?rid=1", "http://127.0.0.1:8000/ping/abc?rid=1",
	  "http://127.0.0.1:8000/ping/abc/3?rid=1", 1, "http://127.0.0.1:8000/***" },
	{ "https://cronitor.link/p/KEY123/backup", 1, "cronitor",
	  "https://cronitor.link/p/KEY123/backup?state=run",
	  "https://cronitor.link/p/KEY123/backup?state=complete",
	  "https://cronitor.link/p/KEY123/backup?state=fail", 0, "https://cronitor.link/***" },
	{ "cronitor:http://127.0.0.1:9/p/K/n?env=prod", 1, "cronitor",
	  "http://127.0.0.1:9/p/K/n?env=prod&state=run",
	  "http://127.0.0.1:9/p/K/n?env=prod&state=complete",
	  "http://127.0.0.1:9/p/K/n?env=prod&state=fail", 0, "http://127.0.0.1:9/***" },
	{ "hc:https://cronitor.link/x", 1, "healthchecks", "https://cronitor.link/x/start",
	  "https://cronitor.link/x", "https://cronitor.link/x/3", 1, "https://cronitor.link/***" },
	{ "https://u:pw@example.com/p", 1, "healthchecks", "https://u:pw@example.com/p/start",
	  "https://u:pw@example.com/p", "https://u:pw@example.com/p/3", 1,
	  "https://example.com/***" },
	{ "https://notcronitor.link/x", 1, "healthchecks", NULL, NULL, NULL, 1, NULL },
	{ "ftp://hc-ping.com/x", 0, NULL, NULL, NULL, NULL, 0, NULL },
	{ "hc-ping.com/x", 0, NULL, NULL, NULL, NULL, 0, NULL },
	{ "https:///x", 0, NULL, NULL, NULL, NULL, 0, NULL },
	{ "https://h/x y", 0, NULL, NULL, NULL, NULL, 0, NULL },
	{ "cronitor:", 0, NULL, NULL, NULL, NULL, 0, NULL },
};

void
test_ping(void)
{
	for (size_t i = 0; i < NELEM(rows); i++) {
		enum ping_kind k;
		const char *url = NULL;
		char err[200], red[200], *u;
		int post = -1;

		ROW("ping %s", unit_quote(rows[i].s));
		CHECK_INT(ping_parse(rows[i].s, &k, &url, err, sizeof err) == 0, rows[i].ok);
		if (!rows[i].ok) {
			ROW_END();
			continue;
		}
		CHECK_STR(ping_kind_name(k), rows[i].kind);
		if (rows[i].start != NULL) {
			u = ping_url(k, url, PING_START, 0, &post);
			CHECK_STR(u, rows[i].start);
			CHECK_INT(post, 0);
			free(u);
			u = ping_url(k, url, PING_SUCCESS, 0, &post);
			CHECK_STR(u, rows[i].success);
			free(u);
			u = ping_url(k, url, PING_FAIL, 3, &post);
			CHECK_STR(u, rows[i].fail);
			CHECK_INT(post, rows[i].fail_post);
			free(u);
			CHECK_STR(ping_redact(rows[i].s, red, sizeof red), rows[i].redacted);
		}
		ROW_END();
	}
	{
		char *u;
		int post;

		u = ping_url(PING_HC, "https://hc-ping.com/x", PING_FAIL, -1, &post);
		CHECK_STR(u, "https://hc-ping.com/x/fail");
		free(u);
	}
}
