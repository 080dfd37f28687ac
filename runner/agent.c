/* agent.c - start agent templates and watch them: one poll(2) loop over every running agent's
 * output pipes and pidfds. An agent is finished when its process has exited, its pipes are
 * closed and nothing of its process group is left: leftovers get SIGTERM, then SIGKILL, as
 * systemd does for a service, so that nothing outlives the tick that started it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

#include "runner/agent.h"

#define OUT_HEAD (512 * 1024)
#define OUT_TAIL (64 * 1024)
#define ERR_HEAD (4 * 1024)
#define ERR_TAIL (12 * 1024)
#define ABANDON_MS 1000		/* after the group is gone, stop waiting for pipes held elsewhere */
#define POLL_FALLBACK_MS 50	/* without pidfds, how often to look for an exit */

struct agent {
	pid_t pid;
	int pidfd;
	int reaped;
	int status;
	int out_fd, err_fd;
	struct capture out, err;
	long long start_ms, deadline_ms, end_ms;
	long long term_ms, kill_ms;	/* when SIGTERM / SIGKILL went to the group; 0: not yet */
	int timed_out;
	int exec_failed;
	char exec_error[256];
};

int
agent_poll_ms(long long ms)
{
	if (ms < 0)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

pid_t
agent_pid(const struct agent *a)
{
	return a->pid;
}

long long
agent_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
capture_init(struct capture *c, size_t head, size_t tail)
{
	memset(c, 0, sizeof *c);
	c->head_max = head;
	c->tail_max = tail;
	c->buf = malloc(head + tail + 1);
	return c->buf ? 0 : -1;
}

static void
capture_add(struct capture *c, const char *p, size_t n)
{
	char *ring = c->buf + c->head_max;

	c->total += n;
	if (c->head_len < c->head_max) {
		size_t k = c->head_max - c->head_len;

		if (k > n)
			k = n;
		memcpy(c->buf + c->head_len, p, k);
		c->head_len += k;
		p += k;
		n -= k;
	}
	if (c->tail_max == 0)
		return;
	if (n > c->tail_max) {		/* only the last tail_max bytes can survive */
		p += n - c->tail_max;
		n = c->tail_max;
	}
	while (n > 0) {
		size_t k = c->tail_max - c->ring_pos;

		if (k > n)
			k = n;
		memcpy(ring + c->ring_pos, p, k);
		c->ring_pos = (c->ring_pos + k) % c->tail_max;
		p += k;
		n -= k;
	}
}

/* Turns the capture into one string: head, a note of what was cut, tail. */
static char *
capture_take(struct capture *c, size_t *len)
{
	size_t in_ring = c->total - c->head_len, cut = 0, off = 0, start;
	char *ring = c->buf + c->head_max, *s;
	char note[96];
	int nlen = 0;

	if (in_ring > c->tail_max) {
		cut = in_ring - c->tail_max;
		in_ring = c->tail_max;
	}
	if (cut > 0)
		nlen = snprintf(note, sizeof note, "\n[hb-run: %zu bytes cut here]\n", cut);
	s = malloc(c->head_len + (size_t)nlen + in_ring + 1);
	if (s == NULL) {
		*len = 0;
		return NULL;
	}
	memcpy(s, c->buf, c->head_len);
	off = c->head_len;
	memcpy(s + off, note, (size_t)nlen);
	off += (size_t)nlen;
	/* The ring's oldest byte is at ring_pos once it has wrapped. */
	start = c->total - c->head_len >= c->tail_max ? c->ring_pos : 0;
	for (size_t i = 0; i < in_ring; i++) {
		char ch = ring[(start + i) % (c->tail_max ? c->tail_max : 1)];

		/* After a cut the tail begins at the next white space: no half word (half a
		 * secret whose prefix was cut away), no half UTF-8 sequence. */
		if (cut > 0 && off == c->head_len + (size_t)nlen && ch != ' ' && ch != '\n' &&
		    ch != '\t' && i + 1 < in_ring)
			continue;
		s[off++] = ch;
	}
	s[off] = '\0';
	*len = off;
	free(c->buf);
	c->buf = NULL;
	return s;
}

/* The child: its own process group, default signals, the prompt on stdin, then exec.
 * PARENT: hb-run's pid. */
static void
child(const struct agent_spec *spec, pid_t parent, int outw, int errw, int execw)
{
	sigset_t none;
	int e;

	setpgid(0, 0);
#ifdef __linux__
	/* hb-run killed outright (SIGKILL, the OOM killer) takes its agent along: nobody is
	 * left to read the reply. SIGTERM, as at a timeout; what the agent leaves in its group
	 * keeps the claim until the next tick ends it. Checked after setting it: hb-run may
	 * have died in between, and the signal would then never come. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
#else
	(void)parent;
#endif
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);	/* ignored signals would stay ignored */
	if (dup2(spec->stdin_fd, 0) < 0 || dup2(outw, 1) < 0 || dup2(errw, 2) < 0)
		goto fail;
	execve(spec->path, (char *const[]){ (char *)spec->path, NULL }, spec->env);
fail:
	e = errno;
	if (write(execw, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

struct agent *
agent_start(const struct agent_spec *spec, char *err, size_t errlen)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, execp[2] = { -1, -1 };
	struct agent *a;
	pid_t parent;
	ssize_t r;
	int e = 0;

	a = calloc(1, sizeof *a);
	if (a == NULL || capture_init(&a->out, OUT_HEAD, OUT_TAIL) != 0 ||
	    capture_init(&a->err, ERR_HEAD, ERR_TAIL) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	a->pidfd = a->out_fd = a->err_fd = -1;
	if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0 ||
	    pipe2(execp, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	a->start_ms = agent_now_ms();
	a->deadline_ms = spec->timeout_ms > LLONG_MAX - a->start_ms ? LLONG_MAX :
	    a->start_ms + spec->timeout_ms;
	parent = getpid();
	a->pid = fork();
	if (a->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (a->pid == 0)
		child(spec, parent, outp[1], errp[1], execp[1]);
	setpgid(a->pid, a->pid);	/* also here: no window in which a kill misses it */
	close(outp[1]);
	close(errp[1]);
	close(execp[1]);
	outp[1] = errp[1] = execp[1] = -1;
	do
		r = read(execp[0], &e, sizeof e);
	while (r < 0 && errno == EINTR);
	close(execp[0]);
	execp[0] = -1;
	if (r == (ssize_t)sizeof e) {
		a->exec_failed = 1;
		snprintf(a->exec_error, sizeof a->exec_error, "cannot run %s: %s", spec->path,
		    strerror(e));
	}
	a->out_fd = outp[0];
	a->err_fd = errp[0];
	fcntl(a->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(a->err_fd, F_SETFL, O_NONBLOCK);
	a->pidfd = pidfd_open(a->pid, 0);	/* -1 on old kernels: we poll instead */
	return a;
fail:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (execp[i] >= 0)
			close(execp[i]);
	}
	if (a != NULL) {
		free(a->out.buf);
		free(a->err.buf);
		free(a);
	}
	return NULL;
}

static void
mark_reaped(struct agent *a, long long now)
{
	a->reaped = 1;
	a->end_ms = now;
	if (a->pidfd >= 0) {
		close(a->pidfd);
		a->pidfd = -1;
	}
}

static void
try_reap(struct agent *a, long long now)
{
	pid_t r;

	if (a->reaped)
		return;
	do
		r = waitpid(a->pid, &a->status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == a->pid || (r < 0 && errno == ECHILD))
		mark_reaped(a, now);
}

/* A process of A's group whose parent exited is reparented to hb-run, the subreaper: reap
 * those that ended, or their zombies keep the group alive to kill(2) until the grace runs
 * out and SIGKILL goes to nobody. */
static void
reap_group(struct agent *a, long long now)
{
	pid_t r;
	int st;

	for (;;) {
		r = waitpid(-a->pid, &st, WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		if (r == a->pid && !a->reaped) {
			a->status = st;
			mark_reaped(a, now);
		}
	}
}

static void
signal_group(struct agent *a, int sig, long long now)
{
	kill(-a->pid, sig);
	if (sig == SIGKILL)
		a->kill_ms = now;
	else if (a->term_ms == 0)
		a->term_ms = now;
}

/* When a finished agent's pipes are given up: they are held by a process that left its group. */
static long long
settle_ms(const struct agent *a)
{
	return (a->kill_ms > a->end_ms ? a->kill_ms : a->end_ms) + ABANDON_MS;
}

/* Drives A's timers; returns 1 when A is finished. */
static int
step(struct agent *a, long long now)
{
	int group;

	try_reap(a, now);
	reap_group(a, now);
	if (!a->reaped && a->term_ms == 0 && now >= a->deadline_ms) {
		a->timed_out = 1;
		signal_group(a, SIGTERM, now);
	}
	group = kill(-a->pid, 0) == 0;
	/* The agent is gone: whatever is left of its group goes too. */
	if (a->reaped && group && a->term_ms == 0)
		signal_group(a, SIGTERM, now);
	if (a->term_ms != 0 && a->kill_ms == 0 && now >= a->term_ms + AGENT_KILL_GRACE_MS &&
	    (!a->reaped || group))
		signal_group(a, SIGKILL, now);
	if (!a->reaped || (group && a->kill_ms == 0))
		return 0;
	if ((a->out_fd >= 0 || a->err_fd >= 0) && now >= settle_ms(a)) {
		if (a->out_fd >= 0)
			close(a->out_fd);
		if (a->err_fd >= 0)
			close(a->err_fd);
		a->out_fd = a->err_fd = -1;
	}
	return a->out_fd < 0 && a->err_fd < 0;
}

/* The next time A's timers need attention, or -1. */
static long long
next_event(const struct agent *a)
{
	if (!a->reaped && a->term_ms == 0)
		return a->deadline_ms;
	if (a->term_ms != 0 && a->kill_ms == 0)
		return a->term_ms + AGENT_KILL_GRACE_MS;
	if (a->reaped)
		return settle_ms(a);
	return -1;
}

static void
drain(int *fd, struct capture *c)
{
	char buf[65536];

	for (;;) {
		ssize_t r = read(*fd, buf, sizeof buf);

		if (r > 0) {
			capture_add(c, buf, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		close(*fd);	/* EOF, or an error: either way nothing more comes */
		*fd = -1;
		return;
	}
}

int
agent_wait(struct agent **agents, size_t n, long long wait_ms)
{
	long long until = wait_ms < 0 ? -1 : agent_now_ms() + wait_ms;
	struct pollfd *pfd;
	int found = -1;

	pfd = calloc(3 * n + 1, sizeof *pfd);
	if (pfd == NULL)
		return -1;
	for (;;) {
		long long now = agent_now_ms(), next = until;
		size_t np = 0;
		int timeout;

		for (size_t i = 0; i < n; i++) {
			struct agent *a = agents[i];
			long long ev;

			if (step(a, now)) {
				found = (int)i;
				goto out;
			}
			ev = next_event(a);
			if (ev >= 0 && (next < 0 || ev < next))
				next = ev;
			if (!a->reaped && a->pidfd < 0 && (next < 0 || now + POLL_FALLBACK_MS < next))
				next = now + POLL_FALLBACK_MS;
			/* waiting for leftovers to die: they may hold no pipe to wake us */
			if (a->reaped && a->term_ms != 0 && a->kill_ms == 0 &&
			    (next < 0 || now + POLL_FALLBACK_MS < next))
				next = now + POLL_FALLBACK_MS;
			if (a->out_fd >= 0)
				pfd[np++] = (struct pollfd){ .fd = a->out_fd, .events = POLLIN };
			if (a->err_fd >= 0)
				pfd[np++] = (struct pollfd){ .fd = a->err_fd, .events = POLLIN };
			if (a->pidfd >= 0)
				pfd[np++] = (struct pollfd){ .fd = a->pidfd, .events = POLLIN };
		}
		if (until >= 0 && now >= until)
			goto out;
		timeout = next < 0 ? -1 : agent_poll_ms(next > now ? next - now : 0);
		if (poll(pfd, np, timeout) < 0)
			goto out;	/* EINTR: let the caller look at its signal flags */
		for (size_t i = 0; i < n; i++) {
			struct agent *a = agents[i];

			if (a->out_fd >= 0)
				drain(&a->out_fd, &a->out);
			if (a->err_fd >= 0)
				drain(&a->err_fd, &a->err);
		}
	}
out:
	free(pfd);
	return found;
}

void
agent_finish(struct agent *a, struct agent_result *res)
{
	memset(res, 0, sizeof *res);
	res->exec_failed = a->exec_failed;
	memcpy(res->exec_error, a->exec_error, sizeof res->exec_error);
	res->timed_out = a->timed_out;
	if (WIFEXITED(a->status) && !a->exec_failed) {
		res->has_exit = 1;
		res->exit_code = WEXITSTATUS(a->status);
	} else if (WIFSIGNALED(a->status)) {
		res->signal = WTERMSIG(a->status);
	}
	res->duration_ms = a->end_ms - a->start_ms;
	res->out_total = a->out.total;
	res->err_total = a->err.total;
	res->out = capture_take(&a->out, &res->out_len);
	res->err = capture_take(&a->err, &res->err_len);
	if (a->pidfd >= 0)
		close(a->pidfd);
	free(a);
}

void
agent_result_free(struct agent_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof *res);
}

void
agent_terminate(struct agent **agents, size_t n)
{
	long long now = agent_now_ms();

	for (size_t i = 0; i < n; i++)
		if (agents[i]->term_ms == 0)
			signal_group(agents[i], SIGTERM, now);
}
