/* job.h - the per-job pipeline: a claimed job's prompt file, environment and agent, started,
 * supervised (one poll loop for all of them) and finished, each result handed to record.
 * Included by the tick's stages (runner/, with context.h). */
#ifndef HB_JOB_H
#define HB_JOB_H

#include <stddef.h>

struct tick;

/* The folder of HTTP agents' session transcripts, in the workspace. */
#define JOB_SESSIONS_DIR ".heartbeat-sessions"

/* The prompt file of run RUN_ID: $TMPDIR/hb-run-prompt-RUN_ID (malloc'd), or NULL. */
char *job_prompt_path(const char *run_id);
/* Runs the first NJOBS of t->jobs (claimed): at most max_concurrent at once, --catchup's
 * starts staggered, systemEvent runs in turn; records each as it ends. A signal
 * (*t->caught) ends the running agents and gives back the claims of the rest. */
void job_run_all(struct tick *t, size_t njobs);

#endif
