/* supervise.h - running a child process and watching it, whatever it is (an agent template,
 * a check command through /bin/sh -c, a helper): fork/exec with no shell of our own, its own
 * process group, a given standard input, standard output and error captured within bounds,
 * a timeout that ends the whole group (SIGTERM, then SIGKILL). Every running child is
 * watched by the one poll loop of child_wait. Used by runner/. */
#ifndef HB_SUPERVISE_H
#define HB_SUPERVISE_H

#include <stddef.h>
#include <sys/types.h>

#define CHILD_KILL_GRACE_MS 5000

/* An agent's bounds: of standard output the first 512 KiB and the last 64 KiB are kept, of
 * standard error the first 4 KiB and the last 12 KiB. */
#define CHILD_OUT_HEAD (512 * 1024)
#define CHILD_OUT_TAIL (64 * 1024)
#define CHILD_ERR_HEAD (4 * 1024)
#define CHILD_ERR_TAIL (12 * 1024)

struct child_spec {
	const char *path;		/* the program to execute (no PATH search) */
	char *const *argv;		/* its arguments, argv[0] first; NULL: PATH alone */
	char *const *env;		/* its whole environment; NULL: hb-run's own */
	int stdin_fd;			/* its standard input; -1: /dev/null */
	long long timeout_ms;		/* from the start; -1: none */
	size_t out_head, out_tail;	/* standard output kept: the first and the last bytes */
	size_t err_head, err_tail;	/* the same for standard error */
};

struct child_result {
	int exec_failed;		/* the program could not be started */
	char exec_error[256];
	int timed_out;
	int has_exit;			/* exited normally: exit_code is meaningful */
	int exit_code;
	int signal;			/* killed by this signal, or 0 */
	long long duration_ms;
	char *out;			/* standard output (head + tail), NUL-terminated */
	size_t out_len;
	size_t out_total;		/* bytes the child wrote */
	char *err;			/* standard error (head + tail), NUL-terminated */
	size_t err_len;
	size_t err_total;
};

struct child;

/* Starts SPEC; NULL with ERR set when it could not even be forked. A program that cannot be
 * executed still gives a child, whose result says exec_failed. */
struct child *child_start(const struct child_spec *spec, char *err, size_t errlen);

/* Waits until one of CHILDREN[0..N) has finished, or WAIT_MS passed (-1: no limit). Returns
 * the index of a finished child (call child_finish on it), or -1. Finished children must be
 * removed from the array by the caller. */
int child_wait(struct child **children, size_t n, long long wait_ms);

/* Collects the result of a finished child and frees it. */
void child_finish(struct child *c, struct child_result *res);
void child_result_free(struct child_result *res);

/* Ends every child's process group now (SIGTERM, then SIGKILL after the grace period). */
void child_terminate(struct child **children, size_t n);

/* The pid of C's first process, which is also its process group's id. */
pid_t child_pid(const struct child *c);

/* Once no child runs: ends the orphans adopted as the child subreaper (platform_subreaper),
 * SIGTERM, then SIGKILL after the grace period, and reaps them. Without a subreaper there
 * are none to find: orphans went to init. */
void child_end_orphans(void);

/* MS as a poll(2) timeout: -1 stays -1 (no limit), longer than an int holds is cut to
 * INT_MAX (the caller loops), never wrapped into a negative "wait forever". */
int child_poll_ms(long long ms);

/* Monotonic milliseconds. */
long long child_now_ms(void);

#endif
