/* agent.h - running an agent template: fork/exec with no shell, its own process group, the
 * prompt on standard input, standard output and error captured within bounds, a timeout
 * that ends the whole group (SIGTERM, then SIGKILL). Used by the tick. */
#ifndef HB_AGENT_H
#define HB_AGENT_H

#include <stddef.h>
#include <sys/types.h>

#define AGENT_KILL_GRACE_MS 5000

struct agent_spec {
	const char *path;		/* the template to execute */
	char *const *env;		/* its whole environment */
	int stdin_fd;			/* read by the agent as standard input */
	long long timeout_ms;
};

/* Captured output: the first HEAD bytes and the last TAIL bytes, the rest counted. */
struct capture {
	char *buf;			/* head, then the tail ring */
	size_t head_max, tail_max;
	size_t head_len;
	size_t ring_pos;		/* next write position in the tail ring */
	size_t total;			/* bytes the agent wrote */
};

struct agent_result {
	int exec_failed;		/* the template could not be started */
	char exec_error[256];
	int timed_out;
	int has_exit;			/* exited normally: exit_code is meaningful */
	int exit_code;
	int signal;			/* killed by this signal, or 0 */
	long long duration_ms;
	char *out;			/* standard output (head + tail), NUL-terminated */
	size_t out_len;
	size_t out_total;
	char *err;			/* standard error (its tail), NUL-terminated */
	size_t err_len;
	size_t err_total;
};

struct agent;

/* Starts the template; NULL with ERR set when it could not even be forked. */
struct agent *agent_start(const struct agent_spec *spec, char *err, size_t errlen);

/* Waits until one of AGENTS[0..N) has finished, or WAIT_MS passed (-1: no limit). Returns the
 * index of a finished agent (call agent_finish on it), or -1. Finished agents must be removed
 * from the array by the caller. */
int agent_wait(struct agent **agents, size_t n, long long wait_ms);

/* Collects the result of a finished agent and frees it. */
void agent_finish(struct agent *a, struct agent_result *res);
void agent_result_free(struct agent_result *res);

/* Ends every agent's process group now (SIGTERM, then SIGKILL after the grace period). */
void agent_terminate(struct agent **agents, size_t n);

/* The pid of A's first process, which is also its process group's id. */
pid_t agent_pid(const struct agent *a);

/* MS as a poll(2) timeout: -1 stays -1 (no limit), longer than an int holds is cut to
 * INT_MAX (the caller loops), never wrapped into a negative "wait forever". */
int agent_poll_ms(long long ms);

/* Monotonic milliseconds. */
long long agent_now_ms(void);

#endif
