/* supervise.c - start children and watch them: one poll(2) loop over every running child's
 * output pipes and pidfds (or, without pidfds, a look every 50 ms). A child is finished when
 * its process has exited, its pipes are closed and nothing of its process group is left:
 * leftovers get SIGTERM, then SIGKILL, as systemd does for a service, so that nothing
 * outlives the tick that started it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner/platform.h"
#include "runner/supervise.h"

#define ABANDON_MS 1000		/* after the group is gone, stop waiting for pipes held elsewhere */
#define POLL_FALLBACK_MS 50	/* without pidfds, how often to look for an exit */
#define MAX_ORPHANS 4096	/* looked at per round by child_end_orphans */

extern char **environ;

/* Captured output: the first HEAD bytes and the last TAIL bytes, the rest counted. */
struct capture {
	char *buf;			/* head, then the tail ring */
	size_t head_max, tail_max;
	size_t head_len;
	size_t ring_pos;		/* next write position in the tail ring */
	size_t total;			/* bytes the child wrote */
};

struct child {
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
child_poll_ms(long long ms)
{
	if (ms < 0)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

pid_t
child_pid(const struct child *ch)
{
	return ch->pid;
}

long long
child_now_ms(void)
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

/* In the child: its own process group, default signals, the given standard input, then
 * exec. PARENT: hb-run's pid. */
static void
in_child(const struct child_spec *spec, pid_t parent, int outw, int errw, int execw)
{
	char *const just_path[] = { (char *)spec->path, NULL };
	int in = spec->stdin_fd;
	sigset_t none;
	int e;

	setpgid(0, 0);
	/* hb-run killed outright (SIGKILL, the OOM killer) takes its child along: nobody is
	 * left to read the output. SIGTERM, as at a timeout; what an agent leaves in its group
	 * keeps the claim until the next tick ends it. Linux only; elsewhere the next tick
	 * ends the whole group. */
	if (platform_parent_death(parent) != 0)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);	/* ignored signals would stay ignored */
	if (in < 0 && (in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	if (dup2(in, 0) < 0 || dup2(outw, 1) < 0 || dup2(errw, 2) < 0)
		goto fail;
	execve(spec->path, spec->argv != NULL ? spec->argv : just_path,
	    spec->env != NULL ? spec->env : environ);
fail:
	e = errno;
	if (write(execw, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

struct child *
child_start(const struct child_spec *spec, char *err, size_t errlen)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, execp[2] = { -1, -1 };
	struct child *ch;
	pid_t parent;
	ssize_t r;
	int e = 0;

	ch = calloc(1, sizeof *ch);
	if (ch == NULL || capture_init(&ch->out, spec->out_head, spec->out_tail) != 0 ||
	    capture_init(&ch->err, spec->err_head, spec->err_tail) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ch->pidfd = ch->out_fd = ch->err_fd = -1;
	if (platform_pipe(outp) != 0 || platform_pipe(errp) != 0 || platform_pipe(execp) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	ch->start_ms = child_now_ms();
	ch->deadline_ms = spec->timeout_ms < 0 || spec->timeout_ms > LLONG_MAX - ch->start_ms ?
	    LLONG_MAX : ch->start_ms + spec->timeout_ms;
	parent = getpid();
	ch->pid = fork();
	if (ch->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (ch->pid == 0)
		in_child(spec, parent, outp[1], errp[1], execp[1]);
	setpgid(ch->pid, ch->pid);	/* also here: no window in which a kill misses it */
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
		ch->exec_failed = 1;
		snprintf(ch->exec_error, sizeof ch->exec_error, "cannot run %s: %s", spec->path,
		    strerror(e));
	}
	ch->out_fd = outp[0];
	ch->err_fd = errp[0];
	fcntl(ch->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(ch->err_fd, F_SETFL, O_NONBLOCK);
	ch->pidfd = platform_pidfd(ch->pid);	/* -1 without pidfds: we poll instead */
	return ch;
fail:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (execp[i] >= 0)
			close(execp[i]);
	}
	if (ch != NULL) {
		free(ch->out.buf);
		free(ch->err.buf);
		free(ch);
	}
	return NULL;
}

static void
mark_reaped(struct child *ch, long long now)
{
	ch->reaped = 1;
	ch->end_ms = now;
	if (ch->pidfd >= 0) {
		close(ch->pidfd);
		ch->pidfd = -1;
	}
}

static void
try_reap(struct child *ch, long long now)
{
	pid_t r;

	if (ch->reaped)
		return;
	do
		r = waitpid(ch->pid, &ch->status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == ch->pid || (r < 0 && errno == ECHILD))
		mark_reaped(ch, now);
}

/* A process of CH's group whose parent exited is reparented to hb-run, the subreaper (on
 * Linux): reap those that ended, or their zombies keep the group alive to kill(2) until the
 * grace runs out and SIGKILL goes to nobody. */
static void
reap_group(struct child *ch, long long now)
{
	pid_t r;
	int st;

	for (;;) {
		r = waitpid(-ch->pid, &st, WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		if (r == ch->pid && !ch->reaped) {
			ch->status = st;
			mark_reaped(ch, now);
		}
	}
}

static void
signal_group(struct child *ch, int sig, long long now)
{
	kill(-ch->pid, sig);
	if (sig == SIGKILL)
		ch->kill_ms = now;
	else if (ch->term_ms == 0)
		ch->term_ms = now;
}

/* When a finished child's pipes are given up: they are held by a process that left its group. */
static long long
settle_ms(const struct child *ch)
{
	return (ch->kill_ms > ch->end_ms ? ch->kill_ms : ch->end_ms) + ABANDON_MS;
}

/* Drives CH's timers; returns 1 when CH is finished. */
static int
step(struct child *ch, long long now)
{
	int group;

	try_reap(ch, now);
	reap_group(ch, now);
	if (!ch->reaped && ch->term_ms == 0 && now >= ch->deadline_ms) {
		ch->timed_out = 1;
		signal_group(ch, SIGTERM, now);
	}
	group = kill(-ch->pid, 0) == 0;
	/* The child is gone: whatever is left of its group goes too. */
	if (ch->reaped && group && ch->term_ms == 0)
		signal_group(ch, SIGTERM, now);
	if (ch->term_ms != 0 && ch->kill_ms == 0 && now >= ch->term_ms + CHILD_KILL_GRACE_MS &&
	    (!ch->reaped || group))
		signal_group(ch, SIGKILL, now);
	if (!ch->reaped || (group && ch->kill_ms == 0))
		return 0;
	if ((ch->out_fd >= 0 || ch->err_fd >= 0) && now >= settle_ms(ch)) {
		if (ch->out_fd >= 0)
			close(ch->out_fd);
		if (ch->err_fd >= 0)
			close(ch->err_fd);
		ch->out_fd = ch->err_fd = -1;
	}
	return ch->out_fd < 0 && ch->err_fd < 0;
}

/* The next time CH's timers need attention, or -1. */
static long long
next_event(const struct child *ch)
{
	if (!ch->reaped && ch->term_ms == 0)
		return ch->deadline_ms;
	if (ch->term_ms != 0 && ch->kill_ms == 0)
		return ch->term_ms + CHILD_KILL_GRACE_MS;
	if (ch->reaped)
		return settle_ms(ch);
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
child_wait(struct child **children, size_t n, long long wait_ms)
{
	long long until = wait_ms < 0 ? -1 : child_now_ms() + wait_ms;
	struct pollfd *pfd;
	int found = -1;

	pfd = calloc(3 * n + 1, sizeof *pfd);
	if (pfd == NULL)
		return -1;
	for (;;) {
		long long now = child_now_ms(), next = until;
		size_t np = 0;
		int timeout;

		for (size_t i = 0; i < n; i++) {
			struct child *ch = children[i];
			long long ev;

			if (step(ch, now)) {
				found = (int)i;
				goto out;
			}
			ev = next_event(ch);
			if (ev >= 0 && (next < 0 || ev < next))
				next = ev;
			if (!ch->reaped && ch->pidfd < 0 && (next < 0 || now + POLL_FALLBACK_MS < next))
				next = now + POLL_FALLBACK_MS;
			/* waiting for leftovers to die: they may hold no pipe to wake us */
			if (ch->reaped && ch->term_ms != 0 && ch->kill_ms == 0 &&
			    (next < 0 || now + POLL_FALLBACK_MS < next))
				next = now + POLL_FALLBACK_MS;
			if (ch->out_fd >= 0)
				pfd[np++] = (struct pollfd){ .fd = ch->out_fd, .events = POLLIN };
			if (ch->err_fd >= 0)
				pfd[np++] = (struct pollfd){ .fd = ch->err_fd, .events = POLLIN };
			if (ch->pidfd >= 0)
				pfd[np++] = (struct pollfd){ .fd = ch->pidfd, .events = POLLIN };
		}
		if (until >= 0 && now >= until)
			goto out;
		timeout = next < 0 ? -1 : child_poll_ms(next > now ? next - now : 0);
		if (poll(pfd, np, timeout) < 0)
			goto out;	/* EINTR: let the caller look at its signal flags */
		for (size_t i = 0; i < n; i++) {
			struct child *ch = children[i];

			if (ch->out_fd >= 0)
				drain(&ch->out_fd, &ch->out);
			if (ch->err_fd >= 0)
				drain(&ch->err_fd, &ch->err);
		}
	}
out:
	free(pfd);
	return found;
}

void
child_finish(struct child *ch, struct child_result *res)
{
	memset(res, 0, sizeof *res);
	res->exec_failed = ch->exec_failed;
	memcpy(res->exec_error, ch->exec_error, sizeof res->exec_error);
	res->timed_out = ch->timed_out;
	if (WIFEXITED(ch->status) && !ch->exec_failed) {
		res->has_exit = 1;
		res->exit_code = WEXITSTATUS(ch->status);
	} else if (WIFSIGNALED(ch->status)) {
		res->signal = WTERMSIG(ch->status);
	}
	res->duration_ms = ch->end_ms - ch->start_ms;
	res->out_total = ch->out.total;
	res->err_total = ch->err.total;
	res->out = capture_take(&ch->out, &res->out_len);
	res->err = capture_take(&ch->err, &res->err_len);
	if (ch->pidfd >= 0)
		close(ch->pidfd);
	free(ch);
}

void
child_result_free(struct child_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof *res);
}

void
child_terminate(struct child **children, size_t n)
{
	long long now = child_now_ms();

	for (size_t i = 0; i < n; i++)
		if (children[i]->term_ms == 0)
			signal_group(children[i], SIGTERM, now);
}

/* hb-run is the child subreaper of its children (where the system has one): a process that
 * left a child's group and outlived it ends up as our child. Once no child runs, whatever is
 * left is ended (SIGTERM, then SIGKILL) and reaped, so no orphan outlives the tick. */
void
child_end_orphans(void)
{
	long long until = child_now_ms() + CHILD_KILL_GRACE_MS;
	pid_t pids[MAX_ORPHANS];
	int sig = SIGTERM;

	for (;;) {
		int n;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;	/* orphans that ended already */
		n = platform_children(pids, MAX_ORPHANS);
		if (n < 0)
			return;
		for (int i = 0; i < n; i++)
			kill(pids[i], sig);
		if (n == 0 || sig == SIGKILL)
			break;
		if (child_now_ms() >= until)
			sig = SIGKILL;
		else
			poll(NULL, 0, 50);
	}
	while (waitpid(-1, NULL, sig == SIGKILL ? 0 : WNOHANG) > 0)
		;
}
