/* record.h - what becomes of a finished run: its outcome classified (ok, error, timeout,
 * interrupted; the reply's verdict), the reply delivered, the result saved in the state and
 * logged. Included by the tick's stages (runner/, with context.h). */
#ifndef HB_RECORD_H
#define HB_RECORD_H

struct tick;
struct job;
struct child_result;

/* Records the run of JB: RES is what the agent did, or NULL with WHY_NOT_STARTED saying why
 * it never ran. Says what went wrong and raises t->status. */
void record_run(struct tick *t, struct job *jb, const struct child_result *res,
    const char *why_not_started);

/* Records that JB did not start: a daily budget is reached (WHY says which). Its claim
 * is given back, so the task stays due; LOG_IT: the skip is logged (once a day a task).
 * ALERT: the text of the day's alert, delivered to the default targets first; or NULL. */
void record_over_budget(struct tick *t, struct job *jb, const char *why, const char *alert,
    int log_it);
/* Records a run that ended before its agent, at its check or its triage (jb->tier):
 * STATUS (clear, triaged_out, ok, error, timeout, interrupted), NOTE (said already; may be
 * NULL), RES the check command's result (may be NULL). ALERT: the findings of a task without
 * a prompt, delivered as its reply. */
void record_early(struct tick *t, struct job *jb, int status, const char *note,
    const char *alert, const struct child_result *res);
/* An all clear waits (jb->cleared) to be saved with the others of the tick's checks: one
 * write of the state for all of them. Saves and logs those of the first NJOBS jobs. */
void record_flush(struct tick *t, size_t njobs);

#endif
