/* claim.h - the tick's claims, taken and given back under the lock: a task claimed by a
 * live tick runs nowhere else. Included by the tick's stages (runner/, with context.h). */
#ifndef HB_CLAIM_H
#define HB_CLAIM_H

#include <stddef.h>

#include "runner/plan.h"
#include "state/state.h"

struct tick;
struct job;

/* Under the lock: loads the state; a corrupt file is moved aside and replaced (every task
 * counts from now). Returns it, or NULL (said, and t->status raised). */
struct state *claim_load_locked(struct tick *t);
/* Ends the agents' process groups left by dead ticks that still hold a task or the main
 * session. Returns how many it ended. */
int claim_end_leftovers(struct tick *t, const struct plan_item *items);
/* Under the lock: reloads, re-plans, clears dead claims, claims this tick's jobs (t->jobs),
 * saves. Returns the number of jobs claimed, or -1. */
long claim_jobs(struct tick *t, struct plan_item *items);
/* Under the lock: adds the running agent's process group to the claims of JB. */
void claim_group(struct tick *t, struct job *jb);
/* Under the lock: gives back the claims of the jobs (of the first NJOBS) whose STARTED[j] is
 * 0: a signal came before they ran. */
void claim_release_unstarted(struct tick *t, const char *started, size_t njobs);

#endif
