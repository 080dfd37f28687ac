/* ping.c - the pings of a run: each one a GET (or healthchecks' failure, a POST carrying
 * the end of the output) through hb-run-http, retried at once a couple of times within
 * PING_TIMEOUT_MS. What failed is said once per URL: the state remembers it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/context.h"
#include "runner/deliver.h"
#include "runner/msg.h"
#include "runner/outbox.h"
#include "runner/ping.h"
#include "runner/supervise.h"
#include "state/state.h"
#include "state/text.h"

const char *
ping_of(const struct tick *t, const struct job *jb)
{
	const char *p = jb->task->ping ? jb->task->ping : t->cfg->ping;

	if (p == NULL || p[0] == '\0' || strcmp(p, "none") == 0)
		return NULL;
	return p;
}

void
ping_send(struct tick *t, struct job *jb, enum ping_event ev, int exit, const char *body,
    size_t len)
{
	struct deliver_ctx ctx = { .cfg = t->cfg };
	const char *p = ping_of(t, jb), *base;
	long long until = child_now_ms() + PING_TIMEOUT_MS;
	enum deliver_result r = DELIVER_RETRY;
	enum ping_kind kind;
	char reason[512], shown[300], err[200];
	char *url = NULL;
	int post = 0;

	if (p == NULL || ping_parse(p, &kind, &base, err, sizeof err) != 0)
		return;		/* checked when read */
	if ((url = ping_url(kind, base, ev, exit, &post)) == NULL) {
		snprintf(reason, sizeof reason, "out of memory");
		goto failed;
	}
	ctx.method = post ? "POST" : "GET";
	for (int i = 0; i < PING_TRIES && r == DELIVER_RETRY; i++) {
		long long left = until - child_now_ms();

		if (left < 500)
			break;
		ctx.timeout_ms = left;
		r = deliver_http(&ctx, url, post ? body : NULL, post ? len : 0, reason,
		    sizeof reason);
	}
	free(url);
	if (r == DELIVER_OK) {
		msg_note("%s: pinged %s (%s)", jb->task->name, ping_redact(p, shown, sizeof shown),
		    ev == PING_START ? "start" : ev == PING_SUCCESS ? "success" : "failure");
		return;
	}
failed:
	if (!jb->ping_failed) {
		jb->ping_failed = 1;
		snprintf(jb->ping_reason, sizeof jb->ping_reason, "%.300s", reason);
	}
	msg_note("%s: ping to %s failed: %s", jb->task->name, ping_redact(p, shown,
	    sizeof shown), reason);
}

int
ping_settle(struct tick *t, struct state *st, const struct job *jb)
{
	const char *p = ping_of(t, jb);
	char key[17], shown[300];
	long long since;

	if (p == NULL)
		return 0;
	text_hash_hex(p, strlen(p), key);
	since = state_ping_failing(st, key);
	if (jb->ping_failed && since == 0) {
		msg_warn("%s: the ping to %s failed: %s (the task is not affected; said once, "
		    "until the ping works again)", jb->task->name, ping_redact(p, shown,
		    sizeof shown), jb->ping_reason);
		return state_ping_set(st, key, (long long)t->now);
	}
	if (!jb->ping_failed && since != 0) {
		msg_note("%s: the ping to %s works again", jb->task->name, ping_redact(p, shown,
		    sizeof shown));
		return state_ping_set(st, key, 0);
	}
	return 0;
}
