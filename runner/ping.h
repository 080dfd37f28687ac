/* ping.h - a run's pings to a monitoring service (healthchecks.io, Cronitor): start, then
 * success or failure with the exit status, through hb-run-http. A ping never fails the
 * task; a URL that fails is said once, remembered in the state ("_pings") until it works
 * again. Included by runner/ (job.c, record.c, with context.h). */
#ifndef HB_RUNNER_PING_H
#define HB_RUNNER_PING_H

#include <stddef.h>

#include "delivery/ping.h"

struct tick;
struct job;
struct state;

#define PING_TIMEOUT_MS	10000	/* all the tries of one ping together */
#define PING_TRIES	3	/* a try and two retries */

/* The ping URL of JB's task (its ping:, else [delivery] ping), or NULL. */
const char *ping_of(const struct tick *t, const struct job *jb);

/* Sends event EV of JB's run (EXIT: its exit status, or -1; BODY, LEN bytes: the end of
 * its output, for a failure) when its task has a ping; a failure goes to jb->ping_*. Never
 * takes longer than PING_TIMEOUT_MS and a few seconds of the helper's start. */
void ping_send(struct tick *t, struct job *jb, enum ping_event ev, int exit,
    const char *body, size_t len);

/* Under the lock, into ST: a ping that failed is said once (and remembered), one that
 * works again is forgotten. */
int ping_settle(struct tick *t, struct state *st, const struct job *jb);

#endif
