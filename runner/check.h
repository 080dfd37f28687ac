/* check.h - the cheap tiers of a run, before any agent: the task's check (a command through
 * /bin/sh -c, or a built-in of checks/builtin.h, with its snapshot from the state), then its
 * triage (the [triage] agent asked YES or NO about the findings). Included by the tick's
 * stages (runner/, with context.h). */
#ifndef HB_RUNNER_CHECK_H
#define HB_RUNNER_CHECK_H

struct tick;
struct job;
struct state;

enum check_next {
	CHECK_GO_ON,		/* the agent runs, with jb->findings */
	CHECK_DONE,		/* the run was recorded: all clear, a failure, triaged out, its
				 * findings delivered (no prompt), or a signal */
};

/* Runs the check of JB's task (it has one), and its triage, with the snapshots of ST (the
 * state as the plan read it, or NULL). Says what became of it. */
enum check_next check_stage(struct tick *t, struct job *jb, const struct state *st);

/* Reads a triage agent's answer TEXT (LEN bytes): 1 for YES, 0 for NO, -1 when it says
 * neither; its reason (the rest of its first line, else its second line, printable, one
 * line) into REASON. Pure: for the unit tests. */
int check_triage_answer(const char *text, size_t len, char *reason, size_t rlen);

#endif
