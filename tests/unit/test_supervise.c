/* test_supervise.c - the supervisor on any child, not only an agent template: a check command
 * through /bin/sh -c with its arguments, standard input from a file or /dev/null, its own
 * environment or hb-run's, output bounds, a timeout, a program that cannot run, and several
 * children watched by the one loop. Real processes, each row bounded by its timeout. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/supervise.h"
#include "tests/unit/unit.h"

struct row {
	const char *name;
	const char *cmd;		/* for /bin/sh -c; NULL: PATH alone is run */
	const char *path;
	const char *input;		/* standard input's content; NULL: /dev/null */
	char *const *env;		/* NULL: hb-run's own */
	long long timeout_ms;
	size_t out_head, out_tail;
	/* expected */
	int exec_failed, timed_out, has_exit, exit_code, sig;
	const char *out, *out_has, *err;
	size_t out_total;
};

static char *const env_x[] = { "X=from the spec", "PATH=/bin:/usr/bin", NULL };

static const struct row rows[] = {
	{ "a check command: exit status, output and error", "echo out; echo err >&2; exit 3",
	  "/bin/sh", NULL, NULL, 10000, 4096, 4096,
	  0, 0, 1, 3, 0, "out\n", NULL, "err\n", 4 },
	{ "standard input from a file", "cat", "/bin/sh", "a prompt\n", NULL, 10000, 4096, 4096,
	  0, 0, 1, 0, 0, "a prompt\n", NULL, "", 9 },
	{ "no standard input: /dev/null, at its end at once", "cat; echo end", "/bin/sh", NULL,
	  NULL, 10000, 4096, 4096, 0, 0, 1, 0, 0, "end\n", NULL, "", 4 },
	{ "its own environment, hb-run's left out", "echo \"$X\"; echo \"${HOME:-none}\"",
	  "/bin/sh", NULL, env_x, 10000, 4096, 4096,
	  0, 0, 1, 0, 0, "from the spec\nnone\n", NULL, "", 19 },
	{ "hb-run's environment when the spec gives none", "test -n \"$PATH\" && echo ok",
	  "/bin/sh", NULL, NULL, 10000, 4096, 4096, 0, 0, 1, 0, 0, "ok\n", NULL, "", 3 },
	{ "output past its bounds: head, a note, tail, all counted",
	  "printf 'aaaa bbbb cccc dddd eeee'", "/bin/sh", NULL, NULL, 10000, 5, 5,
	  0, 0, 1, 0, 0, NULL, "bytes cut here", "", 24 },
	{ "a timeout ends the group: SIGTERM", "sleep 30", "/bin/sh", NULL, NULL, 200, 4096,
	  4096, 0, 1, 0, 0, SIGTERM, "", NULL, "", 0 },
	{ "no timeout", "sleep 0.1; echo late", "/bin/sh", NULL, NULL, -1, 4096, 4096,
	  0, 0, 1, 0, 0, "late\n", NULL, "", 5 },
	{ "a program that cannot run", NULL, "/nonexistent/helper", NULL, NULL, 10000, 4096,
	  4096, 1, 0, 0, 0, 0, "", NULL, "", 0 },
};

/* A file holding TEXT, opened for reading; -1 on failure. */
static int
input_fd(const char *text)
{
	char path[] = "/tmp/hb-unit-supervise-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
one(const struct row *r)
{
	char *argv[] = { "sh", "-c", (char *)r->cmd, NULL };
	struct child_spec spec = { 0 };
	struct child_result res;
	struct child *c;
	char err[256];
	int fd = -1;

	ROW("%s", r->name);
	if (r->input != NULL && (fd = input_fd(r->input)) < 0) {
		CHECK(0, "cannot write the input file");
		ROW_END();
		return;
	}
	spec.path = r->path;
	spec.argv = r->cmd != NULL ? argv : NULL;
	spec.env = r->env;
	spec.stdin_fd = fd;
	spec.timeout_ms = r->timeout_ms;
	spec.out_head = r->out_head;
	spec.out_tail = r->out_tail;
	spec.err_head = 4096;
	spec.err_tail = 4096;
	c = child_start(&spec, err, sizeof err);
	if (fd >= 0)
		close(fd);
	if (!CHECK(c != NULL, "child_start: %s", err)) {
		ROW_END();
		return;
	}
	while (child_wait(&c, 1, -1) != 0)
		;
	child_finish(c, &res);
	CHECK_INT(res.exec_failed, r->exec_failed);
	CHECK_INT(res.timed_out, r->timed_out);
	CHECK_INT(res.has_exit, r->has_exit);
	CHECK_INT(res.exit_code, r->exit_code);
	CHECK_INT(res.signal, r->sig);
	if (r->exec_failed)
		CHECK_HAS(res.exec_error, "cannot run /nonexistent/helper");
	if (r->out != NULL)
		CHECK_STR(res.out, r->out);
	if (r->out_has != NULL)
		CHECK_HAS(res.out, r->out_has);
	CHECK_STR(res.err, r->err);
	CHECK_INT(res.out_total, r->out_total);
	child_result_free(&res);
	ROW_END();
}

/* Three children at once, finishing in reverse order of their start, through one loop. */
static void
several(void)
{
	static const char *cmds[] = { "sleep 1; echo first", "sleep 0.5; echo second",
				      "echo third" };
	char *argv[3][4];
	struct child *c[3];
	const char *order[3];
	size_t n = 0, done = 0;
	char err[256];

	ROW("three children through one loop, each collected as it ends");
	for (size_t i = 0; i < 3; i++) {
		struct child_spec spec = { .path = "/bin/sh", .stdin_fd = -1, .timeout_ms = 10000,
					   .out_head = 64, .err_head = 64 };

		argv[i][0] = "sh";
		argv[i][1] = "-c";
		argv[i][2] = (char *)cmds[i];
		argv[i][3] = NULL;
		spec.argv = argv[i];
		c[n] = child_start(&spec, err, sizeof err);
		if (CHECK(c[n] != NULL, "child_start: %s", err))
			n++;
	}
	while (n > 0) {
		struct child_result res;
		int i = child_wait(c, n, -1);

		if (i < 0)
			continue;
		child_finish(c[i], &res);
		c[i] = c[--n];
		order[done++] = strcmp(res.out, "first\n") == 0 ? "first" :
		    strcmp(res.out, "second\n") == 0 ? "second" : "third";
		child_result_free(&res);
	}
	CHECK_INT(done, 3);
	if (done == 3) {
		CHECK_STR(order[0], "third");
		CHECK_STR(order[1], "second");
		CHECK_STR(order[2], "first");
	}
	ROW_END();
}

void
test_supervise(void)
{
	for (size_t i = 0; i < NELEM(rows); i++)
		one(&rows[i]);
	several();
}
