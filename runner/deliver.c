/* deliver.c - a message to a target: the requests target_build makes, each carried out by a
 * child under supervise.c (hb-run-http for HTTP, or the service's program), one after the
 * other, stopping at the first that does not go through; what each child's exit means for
 * its service; standard output written here too. Secrets stay out of every reason. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "delivery/target.h"
#include "runner/config.h"
#include "runner/deliver.h"
#include "runner/supervise.h"
#include "runner/tick.h"
#include "runner/trust.h"

#define OUT_KEEP 4096		/* of a delivery child's standard output and error */
#define EX_TEMPFAIL 75		/* sysexits.h: try again later */

extern char **environ;

const char *
deliver_result_name(enum deliver_result r)
{
	return r == DELIVER_OK ? "delivered" : r == DELIVER_RETRY ? "retry" : "failed";
}

int
deliver_find_program(const char *name, char *out, size_t len)
{
	static const char *const mta_dirs[] = { "/usr/sbin", "/usr/lib", "/usr/local/sbin" };
	const char *path = getenv("PATH");
	struct stat sb;

	if (strchr(name, '/') != NULL) {
		snprintf(out, len, "%s", name);
		return stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0 ? 0 : -1;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; ; p++) {
		size_t n = strcspn(p, ":");

		snprintf(out, len, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
		if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0)
			return 0;
		p += n;
		if (*p == '\0')
			break;
	}
	for (size_t i = 0; strcmp(name, "sendmail") == 0 && i < 3; i++) {
		snprintf(out, len, "%s/%s", mta_dirs[i], name);
		if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

int
deliver_stdout(int *shown, const char *title, const char *note, const char *text, size_t len,
    char *err, size_t errlen)
{
	char *head = NULL;
	struct iovec iov[3];
	int n, niov = 0, ret = -1;

	/* The header is built apart from the text, which is written where it lies: a reply of
	 * half a megabyte is not copied again. writev keeps the block one write. */
	n = asprintf(&head, "%s=== %s ===\n%s", shown && *shown ? "\n" : "", title,
	    note ? note : "");
	if (n < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	iov[niov++] = (struct iovec){ .iov_base = head, .iov_len = (size_t)n };
	if (text != NULL) {
		iov[niov++] = (struct iovec){ .iov_base = (void *)text, .iov_len = len };
		iov[niov++] = (struct iovec){ .iov_base = "\n", .iov_len = 1 };
	}
	fflush(stdout);		/* whatever stdio holds goes first */
	for (int i = 0; i < niov;) {
		ssize_t w = writev(STDOUT_FILENO, iov + i, niov - i);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s", strerror(w < 0 ? errno : ENOSPC));
			goto out;
		}
		while (i < niov && (size_t)w >= iov[i].iov_len)
			w -= (ssize_t)iov[i++].iov_len;
		if (i < niov) {
			iov[i].iov_base = (char *)iov[i].iov_base + w;
			iov[i].iov_len -= (size_t)w;
		}
	}
	if (shown != NULL)
		(*shown)++;
	ret = 0;
out:
	free(head);
	return ret;
}

/* Replaces every occurrence of SECRET (when it is long enough to mean something) in S. */
static void
scrub(char *s, const char *secret)
{
	size_t sl = secret ? strlen(secret) : 0;
	char *p;

	if (sl < 4)
		return;
	while ((p = strstr(s, secret)) != NULL) {
		memmove(p + 3, p + sl, strlen(p + sl) + 1);
		memcpy(p, "***", 3);
	}
}

/* The reason, with whatever of the target a program may have echoed taken out. */
static void
scrub_reason(char *reason, const char *target, const struct target *t)
{
	scrub(reason, target);
	scrub(reason, t->url);
	scrub(reason, t->password);
	scrub(reason, t->token);
	if (t->kind == TARGET_APPRISE)
		scrub(reason, t->user);
}

/* The first line of TEXT that is not blank, printable, at most 300 bytes, into BUF. */
static void
first_line(const char *text, size_t len, char *buf, size_t size)
{
	size_t i = 0, n, o = 0;

	buf[0] = '\0';
	if (text == NULL)
		return;
	while (i < len && (text[i] == '\n' || text[i] == '\r' || text[i] == ' '))
		i++;
	n = i;
	while (n < len && text[n] != '\n' && text[n] != '\r' && n - i < 300)
		n++;
	for (; i < n && o + 1 < size; i++)
		buf[o++] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? ' ' : text[i];
	buf[o] = '\0';
}

/* A file holding BODY, already unlinked, at offset 0, for a child's standard input (a pipe
 * could hold less than a message). Returns its descriptor or -1 with ERR set. */
static int
body_file(const char *body, size_t len, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX];
	size_t off = 0;
	int fd;

	snprintf(path, sizeof path, "%s/hb-run-message-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	unlink(path);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	while (off < len) {
		ssize_t w = write(fd, body + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "a temporary file: %s", strerror(w < 0 ? errno : ENOSPC));
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "a temporary file: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

char **
deliver_env(char *const *extra)
{
	size_t n = 0, k = 0, ne = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	while (extra != NULL && extra[ne] != NULL)
		ne++;
	if ((env = calloc(n + ne + 1, sizeof *env)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "HB_", 3) != 0)
			env[k++] = environ[i];
	for (size_t i = 0; i < ne; i++)
		env[k++] = extra[i];
	return env;
}

/* What a program's failure means. NAME: the program as the user knows it. */
static enum deliver_result
program_verdict(const struct target *t, const struct target_request *req, int code,
    const char *line, char *reason, size_t len)
{
	const char *name = req->argv != NULL ? req->argv[0] : "hb-run-http";

	if (req->url != NULL) {		/* hb-run-http: its own line says it all */
		if (strncmp(line, "hb-run-http: ", 13) == 0)
			line += 13;
		snprintf(reason, len, "%s", line[0] ? line : "the HTTP helper failed");
		return code == EX_TEMPFAIL ? DELIVER_RETRY : DELIVER_FAILED;
	}
	snprintf(reason, len, "%s exited with status %d%s%s", name, code, line[0] ? ": " : "",
	    line);
	if (t->kind == TARGET_APPRISE) {
		/* apprise: 1 is "a notification failed" (a service down, or a URL it could not
		 * load), 2 and 3 are misuse */
		if (code == 1 && strstr(line, "at least one server URL") != NULL) {
			snprintf(reason, len, "apprise cannot read this URL (apprise exited with "
			    "status 1)");
			return DELIVER_FAILED;
		}
		return code == 1 ? DELIVER_RETRY : DELIVER_FAILED;
	}
	return code == EX_TEMPFAIL ? DELIVER_RETRY : DELIVER_FAILED;
}

/* Carries out one request of target T. */
static enum deliver_result
run_request(const struct deliver_ctx *ctx, const char *target, const struct target *t,
    const struct target_request *req, char *reason, size_t len)
{
	long long timeout_ms = ctx->timeout_ms > 0 ? ctx->timeout_ms :
	    ctx->cfg->delivery_timeout * 1000;
	char prog[PATH_MAX + 128], err[PATH_MAX + 256], line[400], *http_argv[2] = { NULL, NULL };
	char *extra[6] = { NULL }, **env = NULL;
	struct child_result res;
	struct child_spec spec;
	struct child *c;
	enum deliver_result r = DELIVER_FAILED;
	int fd = -1;

	memset(&res, 0, sizeof res);
	if (req->url != NULL) {
		if (tick_helper_path(ctx->cfg, prog, sizeof prog) != 0) {
			snprintf(reason, len, "the HTTP helper %.400s is missing", prog);
			return DELIVER_FAILED;
		}
		http_argv[0] = prog;
		if (asprintf(&extra[0], "HB_HTTP_MODE=post") < 0 ||
		    asprintf(&extra[1], "HB_HTTP_URL=%s", req->url) < 0 ||
		    asprintf(&extra[2], "HB_HTTP_HEADERS=%s", req->headers ? req->headers : "") < 0 ||
		    asprintf(&extra[3], "HB_HTTP_TIMEOUT=%lld", timeout_ms) < 0 ||
		    asprintf(&extra[4], "HB_HTTP_METHOD=%s", ctx->method ? ctx->method : "POST") <
		    0) {
			snprintf(reason, len, "out of memory");
			for (int i = 0; i < 5; i++)
				extra[i] = NULL;	/* what asprintf left is undefined */
			goto out;
		}
		env = deliver_env(extra);
	} else {
		if (deliver_find_program(req->argv[0], prog, sizeof prog) != 0) {
			if (t->kind == TARGET_EXEC)
				snprintf(reason, len, "%s: no such executable file", req->argv[0]);
			else
				snprintf(reason, len, "%s is not installed (not found on PATH%s)",
				    req->argv[0], strcmp(req->argv[0], "sendmail") == 0 ?
				    ", /usr/sbin or /usr/lib" : "");
			return DELIVER_FAILED;
		}
		if (t->kind == TARGET_EXEC && trust_check(prog, err, sizeof err) != 0) {
			snprintf(reason, len, "%.480s", err);
			return DELIVER_FAILED;
		}
		env = deliver_env(req->env);
	}
	if (env == NULL) {
		snprintf(reason, len, "out of memory");
		goto out;
	}
	if ((fd = body_file(req->body ? req->body : "", req->body_len, err, sizeof err)) < 0) {
		snprintf(reason, len, "%.480s", err);
		r = DELIVER_RETRY;
		goto out;
	}
	memset(&spec, 0, sizeof spec);
	spec.path = prog;
	spec.argv = req->url != NULL ? http_argv : req->argv;
	spec.env = env;
	spec.stdin_fd = fd;
	/* the helper ends its request itself at the timeout; the grace covers its start */
	spec.timeout_ms = timeout_ms + (req->url != NULL ? 5000 : 0);
	spec.out_head = spec.err_head = OUT_KEEP;
	spec.out_tail = spec.err_tail = 0;
	if ((c = child_start(&spec, err, sizeof err)) == NULL) {
		snprintf(reason, len, "%.480s", err);
		r = DELIVER_RETRY;
		goto out;
	}
	while (child_wait(&c, 1, -1) < 0)
		;
	child_finish(c, &res);
	if (res.exec_failed) {
		snprintf(reason, len, "%s", res.exec_error);
	} else if (res.timed_out) {
		snprintf(reason, len, "%s: no answer in %lld s", req->url ? "the service" :
		    req->argv[0], ctx->cfg->delivery_timeout);
		r = DELIVER_RETRY;
	} else if (!res.has_exit) {
		snprintf(reason, len, "%s was killed by signal %d", req->url ? "hb-run-http" :
		    req->argv[0], res.signal);
		r = DELIVER_RETRY;
	} else if (res.exit_code == 0) {
		r = DELIVER_OK;
	} else {
		first_line(res.err, res.err_len, line, sizeof line);
		if (line[0] == '\0')
			first_line(res.out, res.out_len, line, sizeof line);
		r = program_verdict(t, req, res.exit_code, line, reason, len);
	}
	if (r != DELIVER_OK)
		scrub_reason(reason, target, t);
out:
	if (fd >= 0)
		close(fd);
	child_result_free(&res);
	for (int i = 0; i < 5; i++)
		free(extra[i]);
	free(env);
	return r;
}

enum deliver_result
deliver_http(const struct deliver_ctx *ctx, const char *url, const char *body, size_t len,
    char *reason, size_t rlen)
{
	struct target t;
	struct target_request req;

	memset(&t, 0, sizeof t);
	memset(&req, 0, sizeof req);
	t.kind = TARGET_JSON;
	t.url = (char *)url;
	req.url = (char *)url;
	req.body = (char *)(body ? body : "");
	req.body_len = body ? len : 0;
	reason[0] = '\0';
	return run_request(ctx, url, &t, &req, reason, rlen);
}

enum deliver_result
deliver_send(const struct deliver_ctx *ctx, const char *target, const struct target_msg *m,
    size_t first_part, struct deliver_report *rep)
{
	struct target_request *reqs = NULL;
	struct target_opts o = { NULL, 0 };
	struct target t;
	char err[256], path[PATH_MAX];
	long long start = child_now_ms();
	size_t n = 0;

	memset(rep, 0, sizeof *rep);
	target_redact(target, rep->target, sizeof rep->target);
	rep->result = DELIVER_FAILED;
	if (target_parse(target, &t, err, sizeof err) != 0) {
		snprintf(rep->reason, sizeof rep->reason, "bad target: %s", err);
		return rep->result;
	}
	if (t.kind == TARGET_STDOUT) {
		rep->parts = 1;
		if (first_part > 0 || deliver_stdout(ctx->shown, m->task, NULL, m->text, m->len, err,
		    sizeof err) == 0) {
			rep->result = DELIVER_OK;
			rep->parts_done = 1;
		} else {
			snprintf(rep->reason, sizeof rep->reason, "standard output: %s", err);
		}
		goto out;
	}
	o.telegram_api = ctx->cfg->telegram_api;
#ifdef __APPLE__
	o.osascript = 1;
#else
	o.osascript = deliver_find_program("notify-send", path, sizeof path) != 0 &&
	    deliver_find_program("osascript", path, sizeof path) == 0;
#endif
	(void)path;
	if (target_build(&t, m, &o, &reqs, &n, err, sizeof err) != 0) {
		snprintf(rep->reason, sizeof rep->reason, "%s", err);
		rep->result = DELIVER_RETRY;
		goto out;
	}
	rep->parts = n;
	rep->parts_done = first_part < n ? first_part : n;
	rep->result = DELIVER_OK;
	for (size_t i = rep->parts_done; i < n; i++) {
		rep->result = run_request(ctx, target, &t, &reqs[i], rep->reason,
		    sizeof rep->reason);
		if (rep->result != DELIVER_OK)
			break;
		rep->parts_done++;
	}
	if (rep->result != DELIVER_OK && n > 1) {
		char part[64];

		snprintf(part, sizeof part, " (part %zu of %zu)", rep->parts_done + 1, n);
		if (strlen(rep->reason) + strlen(part) < sizeof rep->reason)
			strcat(rep->reason, part);
	}
out:
	target_requests_free(reqs, n);
	target_free(&t);
	rep->duration_ms = child_now_ms() - start;
	return rep->result;
}
