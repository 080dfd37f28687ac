/* post.h - hb-run-http's delivery mode (HB_HTTP_MODE=post): one POST, no retries (the
 * outbox retries across ticks), a short timeout, and an answer for hb-run in the exit status
 * (0 delivered, 75 worth retrying, 1 not) and one line on standard output (the status and
 * the first line of the response). Only http/hb-run-http.c includes it. */
#ifndef HB_POST_H
#define HB_POST_H

#define POST_EXIT_TEMPFAIL 75	/* EX_TEMPFAIL: the service is down, busy or unreachable */

/* Runs the mode from the HB_HTTP_* environment and standard input; returns the exit
 * status. */
int post_main(void);

#endif
