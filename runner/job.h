/* job.h - the per-job pipeline: a claimed job's prompt file, environment and agent, started,
 * supervised (one poll loop for all of them) and finished, each result handed to record.
 * Included by the tick's stages (runner/, with context.h). */
#ifndef HB_JOB_H
#define HB_JOB_H

#include <stddef.h>

#include "agents/output.h"

struct tick;
struct job;

/* The folder of HTTP agents' session transcripts, in the workspace. */
#define JOB_SESSIONS_DIR ".heartbeat-sessions"

/* The header above a check's findings in the agent's prompt. */
#define JOB_FINDINGS_HEADER "## Check findings"

/* The prompt file of run RUN_ID: $TMPDIR/hb-run-prompt-RUN_ID (malloc'd), or NULL. */
char *job_prompt_path(const char *run_id);
/* Runs the first NJOBS of t->jobs (claimed): at most max_concurrent at once, --catchup's
 * starts staggered, systemEvent runs in turn; records each as it ends. A signal
 * (*t->caught) ends the running agents and gives back the claims of the rest. */
void job_run_all(struct tick *t, size_t njobs);

struct child;
struct child_result;
struct agent;

/* Waits for child C alone, ending it when a signal comes (*t->caught), and collects its
 * result into RES (free with child_result_free). */
void job_wait(struct tick *t, struct child *c, struct child_result *res);
/* Runs agent A on PROMPT for JB's task, as an agentTurn of its own (the triage), and waits
 * for it: the run's timeout, prompt file and environment are those of an agent run. Returns
 * 0 with RES filled and *FORMAT saying how to read its output, or -1 with ERR set (it did
 * not start). */
int job_ask(struct tick *t, const struct job *jb, const struct agent *a, const char *prompt,
    struct child_result *res, enum output_format *format, char *err, size_t errlen);

#endif
