/* outbox.h - no alert lost: a message for a target is kept in the state (the outbox) before
 * it is sent, and stays there until a target takes it or refuses it for good; retried at
 * later ticks with backoff, in order per target; after 24 h (or past 100 queued) shown on
 * standard output with the reason. Also the quiet-hours hold (one digest per target when
 * they end) and the de-duplication of a task's alerts. Included by runner/ (record.c,
 * tick.c, with context.h). */
#ifndef HB_OUTBOX_H
#define HB_OUTBOX_H

#include <stddef.h>
#include <time.h>

#include "runner/deliver.h"
#include "runner/util.h"

struct tick;
struct job;
struct state;

#define OUTBOX_MAX	100		/* messages queued; past it the oldest go to stdout */
#define OUTBOX_EXPIRE	(24LL * 3600)	/* seconds a message is retried */
#define OUTBOX_DEDUPE	(24LL * 3600)	/* seconds within which a task's same text is a
					 * duplicate */

enum outbox_accept {
	ACCEPT_SEND,		/* queued: send what the slots say now */
	ACCEPT_DUPLICATE,	/* the task delivered this text within 24 h: nothing to send */
	ACCEPT_HELD,		/* quiet hours: held for the digest */
	ACCEPT_ERROR,		/* the state could not be read or written (said): send anyway */
};

/* What to do for one target of a reply. */
struct outbox_slot {
	int send;		/* send it now; 0: it waits behind earlier messages */
	char id[UUID_LEN];	/* its message in the outbox; "" for stdout (never queued) */
};


/* Seconds to wait before try TRIES + 1: 1 m, 5 m, 15 m, then every hour. */
long long outbox_backoff(long long tries);

/* Lock-free, from the state the plan read: 1 when the outbox has work at t->now (a retry
 * due, a message expired or in excess, a digest whose quiet hours ended). Cheap when both
 * are empty. */
int outbox_due(const struct tick *t, const struct state *st);

/* -n: when a flush is due (outbox_due), the messages due (their next try come, or
 * expired) and those held when the quiet hours are over; else 0. */
size_t outbox_pending(const struct tick *t, const struct state *st);

/* Under the lock, picks what is due (marking it in flight), sends it in order per target,
 * and records the results under the lock again. Expired messages go to standard output. */
void outbox_flush(struct tick *t);

/* Under the lock, for a reply TEXT (LEN bytes, printable) of JB to its N TARGETS: a
 * duplicate is dropped; during quiet hours it is held; else a message per target but
 * stdout is queued in flight before anything is sent, and SLOTS say what to send now. */
enum outbox_accept outbox_accept(struct tick *t, const struct job *jb, const char *text,
    size_t len, char *const *targets, size_t n, struct outbox_slot *slots, char pending_hash[17]);
/* When nothing had to be queued (the only target is stdout, outside quiet hours), the state is
 * not written: the text's hash for de-duplication comes back in PENDING_HASH, for the
 * caller to save with the run (one write, not two). Else PENDING_HASH is "". */

/* Into ST (loaded under the lock): the results REPS of the N SLOTS sent: delivered and
 * failed messages leave the outbox, the others wait for their next try. Returns 0 or -1. */
int outbox_settle(struct tick *t, struct state *st, const struct outbox_slot *slots,
    const struct deliver_report *reps, size_t n);

#endif
