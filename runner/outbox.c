/* outbox.c - the outbox, the quiet-hours hold and de-duplication, around deliver.c. A
 * message is written to the state (marked in flight by this tick) before it is sent, and
 * leaves it only once a target took or refused it: a tick killed in between leaves it in
 * flight by a dead process, which the next tick sends again (at least once, never lost). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/claim.h"
#include "runner/context.h"
#include "runner/msg.h"
#include "runner/outbox.h"
#include "runner/platform.h"
#include "runner/zone.h"
#include "state/log.h"
#include "state/state.h"
#include "state/text.h"
#include "tasks/hours.h"

#define DIGEST_TASK "digest"

long long
outbox_backoff(long long tries)
{
	static const long long steps[] = { 60, 300, 900, 3600 };

	if (tries < 1)
		return steps[0];
	return tries <= 4 ? steps[tries - 1] : 3600;
}

/* The quiet hours, when configured: 1 when NOW lies inside them. */
static int
quiet_now(const struct tick *t, time_t now, struct hours *h)
{
	const char *zname = t->cfg->quiet_tz && t->cfg->quiet_tz[0] ? t->cfg->quiet_tz :
	    t->cfg->timezone;
	const struct tz *z;
	char err[256];

	if (t->cfg->quiet_hours == NULL || t->cfg->quiet_hours[0] == '\0' ||
	    hours_parse(t->cfg->quiet_hours, h, err, sizeof err) != 0)
		return 0;
	if ((z = zone_get(zname, err, sizeof err)) == NULL &&
	    (z = zone_get("UTC", err, sizeof err)) == NULL)
		return 0;
	return hours_inside(h, z, (int64_t)now);
}

/* A message in flight by another live tick. */
static int
in_flight(const struct state_alert *a)
{
	return a->sending_pid != 0 && a->sending_pid != (long)getpid() &&
	    platform_pid_is((pid_t)a->sending_pid, a->sending_start);
}

int
outbox_due(const struct tick *t, const struct state *st)
{
	struct state_alert *a = NULL;
	struct hours h;
	size_t n = 0, nq = state_alerts_count(st, STATE_OUTBOX);
	int due = 0;

	if (state_alerts_count(st, STATE_HELD) > 0 && !quiet_now(t, t->now, &h))
		return 1;
	if (nq == 0)
		return 0;
	if (nq > OUTBOX_MAX)
		return 1;
	if (state_alerts_get(st, STATE_OUTBOX, &a, &n) != 0)
		return 1;	/* let the flush say it, under the lock */
	for (size_t i = 0; i < n && !due; i++)
		due = !in_flight(&a[i]) && ((long long)t->now >= a[i].next_try ||
		    (long long)t->now - a[i].at >= OUTBOX_EXPIRE);
	state_alerts_free(a, n);
	return due;
}

size_t
outbox_pending(const struct tick *t, const struct state *st)
{
	struct state_alert *a = NULL;
	struct hours h;
	size_t n = 0, na = 0;

	if (!outbox_due(t, st))
		return 0;
	if (state_alerts_get(st, STATE_OUTBOX, &a, &na) == 0)
		for (size_t i = 0; i < na; i++)
			n += !in_flight(&a[i]) && ((long long)t->now >= a[i].next_try ||
			    (long long)t->now - a[i].at >= OUTBOX_EXPIRE);
	state_alerts_free(a, na);
	if (!quiet_now(t, t->now, &h))
		n += state_alerts_count(st, STATE_HELD);
	return n;
}

/* Moves item I of A (N items) out, shifting the rest. */
static void
take_out(struct state_alert *a, size_t *n, size_t i)
{
	free(a[i].task);
	free(a[i].target);
	free(a[i].title);
	free(a[i].text);
	free(a[i].last_reason);
	memmove(&a[i], &a[i + 1], (*n - i - 1) * sizeof *a);
	(*n)--;
}

static int
alert_copy(struct state_alert *dst, const struct state_alert *src)
{
	*dst = *src;
	dst->task = strdup(src->task ? src->task : "");
	dst->target = strdup(src->target);
	dst->text = strdup(src->text);
	dst->title = src->title ? strdup(src->title) : NULL;
	dst->last_reason = src->last_reason ? strdup(src->last_reason) : NULL;
	if (dst->task == NULL || dst->target == NULL || dst->text == NULL ||
	    (src->title && dst->title == NULL) || (src->last_reason && dst->last_reason == NULL))
		return -1;
	return 0;
}

/* Logs what became of message A at this tick, as an entry of its own (a run's entry says
 * only what became of its reply at that tick): STATUS delivered, failed or expired, with
 * the delivery REP (NULL: none tried now, WHY says why it left the outbox). */
static void
log_event(struct tick *t, const struct state_alert *a, const char *status,
    const struct deliver_report *rep, const char *why)
{
	struct log_entry e = { 0 };
	struct log_delivery d = { 0 };
	char shown[300], when[40], err[1024];

	util_time_iso(t->now, when, sizeof when);
	e.start = (long long)t->now;
	e.time = when;
	e.task = a->task && a->task[0] ? a->task : DIGEST_TASK;
	e.reason = "outbox";
	e.status = status;
	e.has_tries = 1;
	e.tries = a->tries + (rep != NULL);
	e.reply = a->text;
	e.reply_len = strlen(a->text);
	e.reply_total = e.reply_len;
	if (rep != NULL) {
		e.duration_ms = rep->duration_ms;
		d.target = rep->target;
		d.result = deliver_result_name(rep->result);
		d.reason = rep->reason;
		d.parts = (long long)rep->parts;
		d.parts_done = (long long)rep->parts_done;
	} else {
		target_redact(a->target, shown, sizeof shown);
		d.target = shown;
		d.result = deliver_result_name(DELIVER_FAILED);
		d.reason = a->last_reason;
		e.note = why;
	}
	e.deliveries = &d;
	e.ndeliveries = 1;
	if (log_append(t->cfg->log, &e, err, sizeof err) != 0) {
		msg_fail("%s", err);
		tick_worse(t, 1);
	}
}

/* Shows message A on standard output, given up on for WHY. */
static void
give_up(struct tick *t, const struct state_alert *a, const char *why)
{
	char shown[300], when[40], *note = NULL, err[256];
	const char *task = a->task && a->task[0] ? a->task : DIGEST_TASK;

	target_redact(a->target, shown, sizeof shown);
	util_time_iso((time_t)(a->first_try ? a->first_try : a->at), when, sizeof when);
	msg_fail("%s: not delivered to %s: %s; shown on standard output", task, shown, why);
	if (asprintf(&note, "[hb-run: not delivered to %s: %s (tried %lld times since %s%s%s)]\n",
	    shown, why, a->tries, when, a->last_reason ? "; last: " : "",
	    a->last_reason ? a->last_reason : "") < 0)
		note = NULL;
	if (deliver_stdout(&t->delivered, task, note, a->text, strlen(a->text), err,
	    sizeof err) != 0)
		msg_fail("%s: the message could not be written to standard output either: %s",
		    task, err);
	free(note);
	tick_worse(t, 1);
	log_event(t, a, "expired", NULL, why);
}

/* Drops the expired messages and those past OUTBOX_MAX (the oldest) from A into GONE
 * (with the reason in each one's last_reason slot of WHY). Messages in flight elsewhere
 * stay. */
static void
expire(struct tick *t, struct state_alert *a, size_t *n)
{
	for (size_t i = 0; i < *n;) {
		if (!in_flight(&a[i]) && (long long)t->now - a[i].at >= OUTBOX_EXPIRE) {
			give_up(t, &a[i], "given up after 24 h");
			take_out(a, n, i);
			continue;
		}
		i++;
	}
	while (*n > OUTBOX_MAX) {
		give_up(t, &a[0], "the outbox holds more than 100 messages; the oldest leave it");
		take_out(a, n, 0);
	}
}

/* Turns the held alerts into one digest per target, appended to the outbox A. Returns 0
 * or -1 (out of memory). */
static int
digests(struct tick *t, struct state_alert *held, size_t nh, struct state_alert **a,
    size_t *n)
{
	const char *win = t->cfg->quiet_hours && t->cfg->quiet_hours[0] ? t->cfg->quiet_hours :
	    NULL;
	char *done = calloc(nh + 1, 1), when[40];
	int r = -1;

	if (done == NULL)
		return -1;
	for (size_t i = 0; i < nh; i++) {
		struct state_alert d, *more;
		char *text = NULL, *title = NULL;
		size_t count = 0, tl = 0;
		FILE *f;

		if (done[i])
			continue;
		if ((f = open_memstream(&text, &tl)) == NULL)
			goto out;
		for (size_t j = i; j < nh; j++) {
			if (done[j] || strcmp(held[j].target, held[i].target) != 0)
				continue;
			done[j] = 1;
			util_time_iso((time_t)held[j].at, when, sizeof when);
			fprintf(f, "%s== %s (%s) ==\n%s\n", count ? "\n" : "",
			    held[j].task && held[j].task[0] ? held[j].task : DIGEST_TASK, when,
			    held[j].text);
			count++;
		}
		fclose(f);
		if (text != NULL && tl > 0 && text[tl - 1] == '\n')
			text[--tl] = '\0';
		if (text == NULL || asprintf(&title, "hb-run: %zu alert%s held during quiet hours"
		    "%s%s%s", count, count == 1 ? "" : "s", win ? " (" : "", win ? win : "",
		    win ? ")" : "") < 0) {
			free(text);
			goto out;
		}
		memset(&d, 0, sizeof d);
		if (util_uuid(d.id) != 0)
			snprintf(d.id, sizeof d.id, "%s", held[i].id);
		d.task = (char *)"";
		d.target = held[i].target;
		d.title = title;
		d.text = text;
		d.at = (long long)t->now;
		d.next_try = (long long)t->now;
		more = realloc(*a, (*n + 1) * sizeof **a);
		if (more == NULL || alert_copy(&more[*n], &d) != 0) {
			if (more != NULL)
				*a = more;
			free(text);
			free(title);
			goto out;
		}
		*a = more;
		(*n)++;
		free(text);
		free(title);
	}
	r = 0;
out:
	free(done);
	return r;
}

/* Sends message A (in flight by us) to its target. */
static void
send_one(struct tick *t, const struct state_alert *a, struct deliver_report *rep)
{
	struct deliver_ctx ctx = { .cfg = t->cfg, .shown = &t->delivered };
	struct target_msg m;
	char host[256] = "";

	if (gethostname(host, sizeof host) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	memset(&m, 0, sizeof m);
	m.task = a->task && a->task[0] ? a->task : DIGEST_TASK;
	m.title = a->title;
	m.text = a->text;
	m.len = strlen(a->text);
	m.priority = a->priority;
	m.time = a->at;
	m.run_id = a->id;
	m.host = host;
	deliver_send(&ctx, a->target, &m, (size_t)a->parts_done, rep);
}

/* Applies REP to the message ID in A: delivered and failed ones leave, the others wait. */
static int
settle_one(struct tick *t, struct state_alert *a, size_t *n, const char *id,
    const struct deliver_report *rep)
{
	for (size_t i = 0; i < *n; i++) {
		struct state_alert *x = &a[i];
		char *r;

		if (strcmp(x->id, id) != 0)
			continue;
		if (rep->result != DELIVER_RETRY) {
			take_out(a, n, i);
			return 0;
		}
		x->sending_pid = 0;
		x->sending_start = 0;
		if (x->first_try == 0)
			x->first_try = (long long)t->now;
		x->tries++;
		x->next_try = (long long)t->now + outbox_backoff(x->tries);
		x->parts_done = (long long)rep->parts_done;
		if ((r = strdup(rep->reason)) == NULL)
			return -1;
		free(x->last_reason);
		x->last_reason = r;
		return 0;
	}
	return 0;	/* gone meanwhile (expired by another tick): nothing to do */
}

int
outbox_settle(struct tick *t, struct state *st, const struct outbox_slot *slots,
    const struct deliver_report *reps, size_t n)
{
	struct state_alert *a = NULL;
	size_t na = 0;
	int r = 0;

	if (state_alerts_get(st, STATE_OUTBOX, &a, &na) != 0)
		return -1;
	for (size_t i = 0; i < n && r == 0; i++)
		if (slots[i].send && slots[i].id[0] != '\0')
			r = settle_one(t, a, &na, slots[i].id, &reps[i]);
	if (r == 0)
		r = state_alerts_set(st, STATE_OUTBOX, a, na);
	state_alerts_free(a, na);
	return r;
}

/* Says what became of a message sent from the outbox. */
static void
report(struct tick *t, const struct state_alert *a, const struct deliver_report *rep)
{
	const char *task = a->task && a->task[0] ? a->task : DIGEST_TASK;
	char *note = NULL, err[256];

	if (rep->result == DELIVER_OK) {
		msg_note("%s: delivered to %s from the outbox in %lld ms", task, rep->target,
		    rep->duration_ms);
		log_event(t, a, "delivered", rep, NULL);
		return;
	}
	if (rep->result == DELIVER_RETRY) {
		msg_note("%s: still not delivered to %s: %s; kept in the outbox", task,
		    rep->target, rep->reason);
		return;
	}
	msg_fail("%s: not delivered to %s: %s", task, rep->target, rep->reason);
	if (asprintf(&note, "[hb-run: not delivered to %s: %s]\n", rep->target, rep->reason) < 0)
		note = NULL;
	if (deliver_stdout(&t->delivered, task, note, a->text, strlen(a->text), err,
	    sizeof err) != 0)
		msg_fail("%s: the message could not be written to standard output either: %s",
		    task, err);
	free(note);
	tick_worse(t, 1);
	log_event(t, a, "failed", rep, NULL);
}

void
outbox_flush(struct tick *t)
{
	struct state_alert *a = NULL, *held = NULL, *mine = NULL;
	struct deliver_report *reps = NULL;
	struct outbox_slot *slots = NULL;
	struct state *st = NULL;
	struct hours qh;
	char err[1024], *blocked = NULL;
	size_t na = 0, nh = 0, nm = 0;
	long long pid_start = platform_pid_start(getpid());
	int fd, changed = 0;

	if ((fd = state_lock(t->lock, err, sizeof err)) < 0) {
		msg_fail("%s; the outbox waits for a later tick", err);
		tick_worse(t, 1);
		return;
	}
	if ((st = claim_load_locked(t)) == NULL)
		goto unlock;
	if (state_alerts_get(st, STATE_OUTBOX, &a, &na) != 0 ||
	    state_alerts_get(st, STATE_HELD, &held, &nh) != 0)
		goto oom;
	if (nh > 0 && !quiet_now(t, t->now, &qh)) {
		if (digests(t, held, nh, &a, &na) != 0)
			goto oom;
		state_alerts_set(st, STATE_HELD, NULL, 0);
		changed = 1;
	}
	{
		size_t before = na;

		expire(t, a, &na);
		changed |= na != before;
	}
	/* In order per target: a target's messages go from its first, which must be due and
	 * not in flight elsewhere; BLOCKED marks the targets that wait. */
	if (na > 0 && ((blocked = calloc(na, 1)) == NULL || (mine = calloc(na,
	    sizeof *mine)) == NULL))
		goto oom;
	for (size_t i = 0; i < na; i++) {
		size_t first = i;

		for (size_t j = 0; j < i; j++)
			if (strcmp(a[j].target, a[i].target) == 0) {
				first = j;
				break;
			}
		if (first == i)
			blocked[i] = in_flight(&a[i]) || (long long)t->now < a[i].next_try;
		else
			blocked[i] = blocked[first];
		if (blocked[i])
			continue;
		a[i].sending_pid = (long)getpid();
		a[i].sending_start = pid_start;
		if (alert_copy(&mine[nm++], &a[i]) != 0)
			goto oom;
		changed = 1;
	}
	if (changed && (state_alerts_set(st, STATE_OUTBOX, a, na) != 0 ||
	    state_save(st, t->cfg->state, err, sizeof err) != 0)) {
		msg_fail("%s; the outbox waits for a later tick", err);
		tick_worse(t, 1);
		goto unlock;	/* not marked: not sent */
	}
	state_free(st);
	st = NULL;
	state_unlock(fd);
	fd = -1;

	if (nm == 0)
		goto out;
	if ((reps = calloc(nm, sizeof *reps)) == NULL || (slots = calloc(nm, sizeof *slots)) ==
	    NULL)
		goto oom;
	for (size_t i = 0; i < nm; i++) {
		int stop = 0;

		/* after a message a target did not take, its later ones wait */
		for (size_t j = 0; j < i; j++)
			stop |= slots[j].send && reps[j].result == DELIVER_RETRY &&
			    strcmp(mine[j].target, mine[i].target) == 0;
		snprintf(slots[i].id, sizeof slots[i].id, "%s", mine[i].id);
		if (stop || *t->caught != 0)
			continue;
		send_one(t, &mine[i], &reps[i]);
		slots[i].send = 1;
		report(t, &mine[i], &reps[i]);
	}
	if ((fd = state_lock(t->lock, err, sizeof err)) < 0) {
		msg_fail("%s; the outbox's results are not recorded (the messages are sent again)",
		    err);
		tick_worse(t, 1);
		goto out;
	}
	if ((st = claim_load_locked(t)) == NULL)
		goto unlock;
	/* the ones not sent give up their flight mark */
	{
		struct state_alert *b = NULL;
		size_t nb = 0;

		if (state_alerts_get(st, STATE_OUTBOX, &b, &nb) != 0)
			goto oom;
		for (size_t i = 0; i < nm; i++)
			for (size_t k = 0; !slots[i].send && k < nb; k++)
				if (strcmp(b[k].id, slots[i].id) == 0 &&
				    b[k].sending_pid == (long)getpid())
					b[k].sending_pid = 0;
		if (state_alerts_set(st, STATE_OUTBOX, b, nb) != 0) {
			state_alerts_free(b, nb);
			goto oom;
		}
		state_alerts_free(b, nb);
	}
	if (outbox_settle(t, st, slots, reps, nm) != 0)
		goto oom;
	if (state_save(st, t->cfg->state, err, sizeof err) != 0) {
		msg_fail("%s; the outbox's results are not recorded", err);
		tick_worse(t, 1);
	}
	goto unlock;
oom:
	msg_fail("out of memory: the outbox waits for a later tick");
	tick_worse(t, 1);
unlock:
	if (fd >= 0)
		state_unlock(fd);
out:
	state_free(st);
	state_alerts_free(a, na);
	state_alerts_free(held, nh);
	state_alerts_free(mine, nm);
	free(reps);
	free(slots);
	free(blocked);
}

enum outbox_accept
outbox_accept(struct tick *t, const struct job *jb, const char *text, size_t len,
    char *const *targets, size_t n, struct outbox_slot *slots, char pending_hash[17])
{
	struct state_alert *a = NULL, *held = NULL, x;
	struct state *st = NULL;
	struct hours qh;
	char hash[17], old[32], err[1024];
	size_t na = 0, nh = 0;
	long long at = 0, pid_start = platform_pid_start(getpid());
	enum outbox_accept r = ACCEPT_ERROR;
	int fd, quiet;

	size_t queued = 0;

	pending_hash[0] = '\0';
	memset(slots, 0, n * sizeof *slots);
	for (size_t i = 0; i < n; i++)
		slots[i].send = 1;
	if ((fd = state_lock(t->lock, err, sizeof err)) < 0) {
		msg_fail("%s: %s; delivered without the outbox", jb->task->name, err);
		return ACCEPT_ERROR;
	}
	if ((st = claim_load_locked(t)) == NULL)
		goto out;
	text_hash_hex(text, len, hash);
	/* a run by name was asked for by a person: it is shown, duplicate or not */
	if (strcmp(jb->reason, "manual") != 0 &&
	    state_task_last_alert(st, jb->task->name, old, sizeof old, &at) &&
	    strcmp(old, hash) == 0 && (long long)t->now - at < OUTBOX_DEDUPE && at <=
	    (long long)t->now) {
		r = ACCEPT_DUPLICATE;
		goto out;
	}
	if (state_task_set_last_alert(st, jb->task->name, hash, (long long)t->now) != 0 ||
	    state_alerts_get(st, STATE_OUTBOX, &a, &na) != 0 ||
	    state_alerts_get(st, STATE_HELD, &held, &nh) != 0)
		goto oom;
	quiet = quiet_now(t, t->now, &qh);
	for (size_t i = 0; i < n; i++) {
		struct state_alert **list = quiet ? &held : &a, *more;
		size_t *cnt = quiet ? &nh : &na;
		int behind = 0;

		if (!quiet && strcmp(targets[i], "stdout") == 0)
			continue;	/* written at once; it cannot wait for a better time */
		memset(&x, 0, sizeof x);
		if (util_uuid(x.id) != 0)
			goto oom;
		x.task = (char *)jb->task->name;
		x.target = targets[i];
		x.title = jb->task->title;
		x.text = (char *)text;
		x.priority = jb->task->priority;
		x.at = (long long)t->now;
		x.next_try = (long long)t->now;
		for (size_t j = 0; !quiet && j < na; j++)
			behind |= strcmp(a[j].target, targets[i]) == 0;
		if (!quiet && !behind) {
			x.sending_pid = (long)getpid();
			x.sending_start = pid_start;
		}
		if ((more = realloc(*list, (*cnt + 1) * sizeof *more)) == NULL)
			goto oom;
		*list = more;
		if (alert_copy(&more[*cnt], &x) != 0) {
			(*cnt)++;
			goto oom;
		}
		(*cnt)++;
		queued++;
		snprintf(slots[i].id, sizeof slots[i].id, "%s", x.id);
		slots[i].send = !quiet && !behind;
	}
	if (queued == 0) {
		/* stdout alone: nothing waits in the state, so the run's own save records the
		 * hash; a tick that shows a reply writes the state once, not twice */
		snprintf(pending_hash, 17, "%s", hash);
		r = ACCEPT_SEND;
		goto out;
	}
	if (!quiet)
		expire(t, a, &na);
	if (state_alerts_set(st, STATE_OUTBOX, a, na) != 0 ||
	    state_alerts_set(st, STATE_HELD, held, nh) != 0)
		goto oom;
	if (state_save(st, t->cfg->state, err, sizeof err) != 0) {
		msg_fail("%s: %s; delivered without the outbox", jb->task->name, err);
		for (size_t i = 0; i < n; i++) {
			slots[i].send = 1;
			slots[i].id[0] = '\0';
		}
		goto out;
	}
	r = quiet ? ACCEPT_HELD : ACCEPT_SEND;
	goto out;
oom:
	msg_fail("%s: out of memory; delivered without the outbox", jb->task->name);
	for (size_t i = 0; i < n; i++) {
		slots[i].send = 1;
		slots[i].id[0] = '\0';
	}
out:
	state_alerts_free(a, na);
	state_alerts_free(held, nh);
	state_free(st);
	state_unlock(fd);
	return r;
}
