/* install.c - hb-run install cron|systemd|launchd [--every D] [--print] and hb-run uninstall
 * [cron|systemd|launchd]: the tick of this workspace for the current user, as a marked block
 * in the crontab, a systemd user service and timer, or a launchd agent, each with the PATH
 * under which the agent CLIs are found. One per workspace: installing again replaces it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "runner/msg.h"
#include "runner/platform.h"
#include "runner/tick.h"
#include "runner/util.h"
#include "state/fileio.h"
#include "tasks/duration.h"

#define DEFAULT_EVERY (30 * 60)
#define OUTPUT_MAX (4L << 20)		/* of crontab -l, systemctl */

enum target { T_CRON, T_SYSTEMD, T_LAUNCHD, T_ALL };

static const char *const target_names[] = { "cron", "systemd", "launchd" };

struct inst {
	enum target target;
	const char *workspace;
	char exe[PATH_MAX];
	char home[PATH_MAX - 256];	/* room for what goes after it */
	char name[128];			/* hb-run-BASE-HASH: units, label */
	char *path;			/* the PATH the tick gets */
	long long every;		/* seconds, as asked */
	long long step;			/* what the calendar gives: a divisor of an hour or a day */
	char every_s[32], step_s[32];
	int print;
};

/* ---- running a program ----------------------------------------------------------------- */

/* Appends what FD has to *BUF (*LEN bytes so far, at most OUTPUT_MAX kept). Returns 0 at
 * end of file, 1 while there is more. */
static int
drain(int fd, char **buf, size_t *len)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof chunk);
	char *b;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	if (*len + (size_t)n > (size_t)OUTPUT_MAX)
		return 1;	/* read on, keep nothing more */
	b = realloc(*buf, *len + (size_t)n + 1);
	if (b == NULL)
		return 1;
	memcpy(b + *len, chunk, (size_t)n);
	*len += (size_t)n;
	b[*len] = '\0';
	*buf = b;
	return 1;
}

/* Runs ARGV (looked up on PATH), INPUT (or nothing) on its standard input, and collects its
 * standard output and error into *OUT and *ERR (malloc'd, NUL-terminated). Returns its exit
 * status (127: it could not be started), or -1 when no process could be made. */
static int
run_prog(char *const argv[], const char *input, char **out, char **err)
{
	int in[2] = { -1, -1 }, po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = -1;
	size_t olen = 0, elen = 0, ilen = input ? strlen(input) : 0, ioff = 0;
	pid_t pid;

	*out = calloc(1, 1);
	*err = calloc(1, 1);
	if (*out == NULL || *err == NULL || platform_pipe(in) != 0 || platform_pipe(po) != 0 ||
	    platform_pipe(pe) != 0)
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(po[1]);
	close(pe[1]);
	in[0] = po[1] = pe[1] = -1;
	fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	if (ilen == 0) {
		close(in[1]);
		in[1] = -1;
	}
	while (po[0] >= 0 || pe[0] >= 0) {
		struct pollfd p[3] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 },
		    { in[1], POLLOUT, 0 } };

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (in[1] >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in[1], input + ioff, ilen - ioff);

			if (w > 0)
				ioff += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || ioff == ilen) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (po[0] >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !drain(po[0], out, &olen)) {
			close(po[0]);
			po[0] = -1;
		}
		if (pe[0] >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !drain(pe[0], err, &elen)) {
			close(pe[0]);
			pe[0] = -1;
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return status;
}

/* The first line of TEXT, for a message. */
static const char *
first_line(char *text)
{
	text[strcspn(text, "\n")] = '\0';
	return text[0] ? text : "no message";
}

/* ---- text ------------------------------------------------------------------------------ */

/* Writes S to F for /bin/sh: as it is when it is plain, else in single quotes. */
static void
sh_quote(FILE *f, const char *s)
{
	if (s[0] != '\0' && s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_./:@+,=-")] == '\0') {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

/* Writes a crontab command line: cron turns an unescaped '%' into a newline. */
static void
cron_escape(FILE *f, const char *line)
{
	for (; *line; line++) {
		if (*line == '%')
			fputc('\\', f);
		fputc(*line, f);
	}
}

/* Writes S to F as one systemd word: quoted, with '%' (specifiers) doubled, and '$' too
 * where variables are expanded (EXEC: ExecStart=, not Environment=). */
static void
unit_quote(FILE *f, const char *s, int exec)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		else if (*s == '%' || (exec && *s == '$'))
			fputc(*s, f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* ---- what to install ------------------------------------------------------------------- */

/* The calendar step for a tick every SECS seconds: cron and OnCalendar repeat within an
 * hour or a day, so a step must divide the one above it. Rounds down (a tick too many costs
 * a process that finds nothing due; a task's own schedule still decides when it runs). */
static long long
install_step(long long secs)
{
	static const int mins[] = { 30, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1 };
	static const int hours[] = { 12, 8, 6, 4, 3, 2, 1 };

	if (secs >= 86400)
		return 86400;
	if (secs >= 3600) {
		for (size_t i = 0; i < sizeof hours / sizeof *hours; i++)
			if (secs >= hours[i] * 3600LL)
				return hours[i] * 3600LL;
	}
	for (size_t i = 0; i < sizeof mins / sizeof *mins; i++)
		if (secs >= mins[i] * 60LL)
			return mins[i] * 60LL;
	return 60;
}

/* FNV-1a, 32 bits: the workspace's part of the names. */
static uint32_t
fnv32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* hb-run-BASE-HASH: the workspace's last component, made safe, and a hash of its path, so
 * that two workspaces of one name do not meet. */
static void
install_name(const char *ws, char *out, size_t len)
{
	const char *base = strrchr(ws, '/');
	char b[25];
	size_t n = 0;

	base = base != NULL && base[1] != '\0' ? base + 1 : "root";
	for (; *base && n < sizeof b - 1; base++)
		b[n++] = isalnum((unsigned char)*base) || *base == '-' || *base == '_' ? *base : '_';
	b[n] = '\0';
	snprintf(out, len, "hb-run-%s-%08x", b, fnv32(ws));
}

/* Adds the programs named by the "# hb-run-requires:" lines of template NAME to LIST. */
static void
requires_of(const char *name, char ***list, size_t *n)
{
	char path[PATH_MAX], line[1024];
	FILE *f;

	if (name == NULL || tick_template_path(name, path, sizeof path) != 0 ||
	    (f = fopen(path, "re")) == NULL)
		return;		/* check says why */
	while (fgets(line, sizeof line, f) != NULL) {
		char *req = strstr(line, "hb-run-requires:");

		if (line[0] != '#' || req == NULL)
			continue;
		req += strlen("hb-run-requires:");
		for (char *w = strtok(req, " \t\r\n,"); w != NULL; w = strtok(NULL, " \t\r\n,")) {
			char **l;
			int seen = 0;

			for (size_t i = 0; i < *n; i++)
				seen |= strcmp((*list)[i], w) == 0;
			if (seen || (l = realloc(*list, (*n + 1) * sizeof *l)) == NULL)
				continue;
			*list = l;
			if ((l[*n] = strdup(w)) != NULL)
				(*n)++;
		}
	}
	fclose(f);
}

/* Is there an executable file DIR/NAME? */
static int
exec_in(const char *dir, const char *name)
{
	char file[PATH_MAX];
	struct stat sb;

	snprintf(file, sizeof file, "%s/%s", dir, name);
	return stat(file, &sb) == 0 && S_ISREG(sb.st_mode) && access(file, X_OK) == 0;
}

/* Adds DIR (DLEN bytes) to the PATH *SEEN (LEN bytes), unless it is there already. */
static void
path_add(char **seen, size_t *len, const char *dir, size_t dlen)
{
	char *s;

	if (dlen == 0 || dir[0] != '/')
		return;		/* relative entries mean nothing under cron */
	for (const char *p = *seen; p != NULL && *p;) {
		size_t n = strcspn(p, ":");

		if (n == dlen && memcmp(p, dir, n) == 0)
			return;
		p += n + (p[n] == ':');
	}
	s = realloc(*seen, *len + dlen + 2);
	if (s == NULL)
		return;
	if (*len > 0)
		s[(*len)++] = ':';
	memcpy(s + *len, dir, dlen);
	*len += dlen;
	s[*len] = '\0';
	*seen = s;
}

/* The PATH a tick gets: ours (absolute entries, once each), then the folders where the
 * agent CLIs that the templates in use require were found when ours lacks them, then
 * /usr/bin and /bin. */
static char *
install_path(const struct config *cfg, const struct heartbeat *hb, const char *home)
{
	/* where agent CLIs' installers put them: "~" is HOME */
	static const char *const extra[] = { "~/.local/bin", "~/bin", "~/.npm-global/bin",
	    "~/.bun/bin", "~/.opencode/bin", "~/.volta/bin", "~/.cargo/bin", "/usr/local/bin",
	    "/opt/homebrew/bin", "/opt/local/bin", "/snap/bin" };
	const char *env = getenv("PATH");
	char **req = NULL, *path = NULL, dir[PATH_MAX];
	size_t nreq = 0, len = 0;
	const struct agent *def = config_agent(cfg, NULL);

	/* The default agent always (a fresh HEARTBEAT.md names none yet), and each task's. */
	if (def != NULL && def->kind == AGENT_COMMAND) {
		requires_of(def->agent_turn, &req, &nreq);
		requires_of(def->system_event, &req, &nreq);
	}
	for (size_t i = 0; i < hb->ntasks; i++) {
		const struct agent *a = config_agent(cfg, hb->tasks[i].agent);

		if (a != NULL && a->kind == AGENT_COMMAND)
			requires_of(hb->tasks[i].type == TASK_SYSTEM_EVENT ? a->system_event :
			    a->agent_turn, &req, &nreq);
	}
	for (const char *p = env ? env : ""; *p;) {
		size_t n = strcspn(p, ":");

		path_add(&path, &len, p, n);
		p += n + (p[n] == ':');
	}
	for (size_t i = 0; i < nreq; i++) {
		int found = 0;

		for (const char *p = path ? path : ""; *p && !found;) {
			size_t n = strcspn(p, ":");

			snprintf(dir, sizeof dir, "%.*s", (int)n, p);
			found = exec_in(dir, req[i]);
			p += n + (p[n] == ':');
		}
		for (size_t k = 0; k < sizeof extra / sizeof *extra && !found; k++) {
			if (extra[k][0] == '~')
				snprintf(dir, sizeof dir, "%s%s", home, extra[k] + 1);
			else
				snprintf(dir, sizeof dir, "%s", extra[k]);
			if ((found = exec_in(dir, req[i])))
				path_add(&path, &len, dir, strlen(dir));
		}
		if (!found)
			msg_warn("the agent CLI '%s' is neither on PATH nor in the usual folders: "
			    "install it, or run install again with its folder on PATH", req[i]);
		free(req[i]);
	}
	free(req);
	path_add(&path, &len, "/usr/bin", 8);
	path_add(&path, &len, "/bin", 4);
	return path;
}

/* ---- cron ------------------------------------------------------------------------------ */

/* Is PROG (a path, or a name looked up on PATH) an executable? */
static int
prog_exists(const char *prog)
{
	const char *p = getenv("PATH");
	char dir[PATH_MAX];

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0;
	for (p = p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(dir, sizeof dir, "%.*s", (int)n, n ? p : ".");
		if (exec_in(dir, prog))
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

static const char *
crontab_prog(void)
{
	const char *p = getenv("HB_CRONTAB");

	return p != NULL && p[0] != '\0' ? p : "crontab";
}

/* The block's markers: they name the workspace, so that each has its own block. */
static void
cron_markers(const struct inst *in, char *begin, char *end, size_t len)
{
	snprintf(begin, len, "# >>> hb-run %s >>>\n", in->workspace);
	snprintf(end, len, "# <<< hb-run %s <<<\n", in->workspace);
}

static char *
cron_block(const struct inst *in)
{
	char begin[PATH_MAX + 32], end[PATH_MAX + 32], *text = NULL, *cmd = NULL;
	size_t len = 0, clen = 0;
	FILE *f = open_memstream(&text, &len), *c = open_memstream(&cmd, &clen);
	long long m = in->step / 60;

	if (f == NULL || c == NULL) {
		if (f != NULL)
			fclose(f);
		if (c != NULL)
			fclose(c);
		free(text);
		free(cmd);
		return NULL;
	}
	fputs("PATH=", c);
	sh_quote(c, in->path);
	fputc(' ', c);
	sh_quote(c, in->exe);
	fputs(" -C ", c);
	sh_quote(c, in->workspace);
	fclose(c);

	cron_markers(in, begin, end, sizeof begin);
	fputs(begin, f);
	fprintf(f, "# The tick of this workspace, every %s, and a catch-up after boot. Written by\n"
	    "# hb-run install cron; hb-run uninstall cron removes this block. Cron mails what\n"
	    "# hb-run prints (only what needs you) to MAILTO, by default you; to keep it in a file\n"
	    "# instead, end both lines with >>FILE 2>&1.\n", in->step_s);
	if (in->step != in->every)
		fprintf(f, "# Asked: every %s, which cron cannot repeat evenly: every %s instead "
		    "(each task's\n# own schedule still decides when it runs).\n", in->every_s,
		    in->step_s);
	if (in->step >= 86400)
		fputs("0 0 * * * ", f);
	else if (in->step == 3600)
		fputs("0 * * * * ", f);
	else if (in->step >= 3600)
		fprintf(f, "0 */%lld * * * ", in->step / 3600);
	else if (m == 1)
		fputs("* * * * * ", f);
	else
		fprintf(f, "*/%lld * * * * ", m);
	cron_escape(f, cmd);
	fputs("\n@reboot sleep 60 && ", f);
	cron_escape(f, cmd);
	fputs(" --catchup\n", f);
	fputs(end, f);
	free(cmd);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Reads the user's crontab into *OUT ("" when there is none). Returns 0, or 2 said. */
static int
crontab_read(char **out)
{
	char *argv[] = { (char *)crontab_prog(), "-l", NULL }, *err = NULL;
	int st = run_prog(argv, NULL, out, &err);

	if (st != 0 && err != NULL && strstr(err, "no crontab") != NULL) {
		(*out)[0] = '\0';	/* none yet */
		st = 0;
	}
	if (st != 0)
		msg_error("%s -l: %s", argv[0], st < 0 ? strerror(errno) : first_line(err));
	free(err);
	return st == 0 ? 0 : 2;
}

/* Installs TEXT as the user's crontab (none when it is empty). Returns 0, or 2 said. */
static int
crontab_write(const char *text)
{
	char *argv[] = { (char *)crontab_prog(), text[0] ? "-" : "-r", NULL }, *out = NULL;
	char *err = NULL;
	int st = run_prog(argv, text[0] ? text : NULL, &out, &err);

	if (st != 0)
		msg_error("%s %s: %s", argv[0], argv[1], st < 0 ? strerror(errno) :
		    first_line(err));
	free(out);
	free(err);
	return st == 0 ? 0 : 2;
}

/* Finds this workspace's block in TAB: *AT its offset, *LEN its length (to the end of the
 * end marker's line). Returns 1 when found. */
static int
cron_find(const struct inst *in, const char *tab, size_t *at, size_t *len)
{
	char begin[PATH_MAX + 32], end[PATH_MAX + 32];
	const char *b, *e;

	cron_markers(in, begin, end, sizeof begin);
	for (b = tab; (b = strstr(b, begin)) != NULL; b++)
		if (b == tab || b[-1] == '\n')
			break;
	if (b == NULL)
		return 0;
	for (e = b; (e = strstr(e, end)) != NULL; e++)
		if (e[-1] == '\n')
			break;
	if (e == NULL)
		return 0;	/* a begin marker without its end: not ours to cut */
	*at = (size_t)(b - tab);
	*len = (size_t)(e - b) + strlen(end);
	return 1;
}

static int
cron_install(const struct inst *in)
{
	char *block = cron_block(in), *tab = NULL, *new = NULL;
	size_t at, len;
	int ret = 2;

	if (block == NULL) {
		msg_fail("out of memory");
		return 1;
	}
	if (in->print) {
		fputs(block, stdout);
		free(block);
		return 0;
	}
	if (crontab_read(&tab) != 0)
		goto out;
	if (cron_find(in, tab, &at, &len)) {
		if (len == strlen(block) && memcmp(tab + at, block, len) == 0) {
			printf("crontab: the tick of %s is installed already (every %s)\n",
			    in->workspace, in->step_s);
			ret = 0;
			goto out;
		}
		if (asprintf(&new, "%.*s%s%s", (int)at, tab, block, tab + at + len) < 0)
			new = NULL;
	} else {
		size_t n = strlen(tab);

		if (asprintf(&new, "%s%s%s", tab, n > 0 && tab[n - 1] != '\n' ? "\n" : "",
		    block) < 0)
			new = NULL;
	}
	if (new == NULL) {
		msg_fail("out of memory");
		ret = 1;
		goto out;
	}
	if ((ret = crontab_write(new)) == 0)
		printf("crontab: installed the tick of %s, every %s, and its catch-up after boot "
		    "(hb-run uninstall cron removes them)\n", in->workspace, in->step_s);
out:
	free(block);
	free(tab);
	free(new);
	return ret;
}

/* Returns 0 when the block was removed, 1 when there was none, 2 on error (said). */
static int
cron_uninstall(const struct inst *in)
{
	char *tab = NULL, *new = NULL;
	size_t at, len;
	int ret;

	if (crontab_read(&tab) != 0)
		return 2;
	if (!cron_find(in, tab, &at, &len)) {
		free(tab);
		return 1;
	}
	if (asprintf(&new, "%.*s%s", (int)at, tab, tab + at + len) < 0) {
		free(tab);
		msg_fail("out of memory");
		return 2;
	}
	ret = crontab_write(new);
	if (ret == 0)
		printf("crontab: removed the tick of %s\n", in->workspace);
	free(tab);
	free(new);
	return ret;
}

/* ---- files: systemd, launchd ----------------------------------------------------------- */

/* mkdir -p DIR (MODE for what it makes). */
static int
mkdirs(const char *dir, mode_t mode)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s", dir);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) != 0 && errno != EEXIST) {
				msg_error("%s: %s", p, strerror(errno));
				return -1;
			}
			*s = c;
			if (c == '\0')
				return 0;
		}
	}
}

/* Writes TEXT to DIR/FILE (0644), or prints it under a "# PATH" line (--print). */
static int
file_put(const struct inst *in, const char *dir, const char *file, const char *text,
    const char *comment)
{
	char path[PATH_MAX], err[PATH_MAX + 256];

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (in->print) {
		if (comment != NULL)
			printf("%s %s\n", comment, path);
		fputs(text, stdout);
		return 0;
	}
	if (mkdirs(dir, 0755) != 0)
		return -1;
	if (fileio_write_atomic(path, text, strlen(text), 1, err, sizeof err) != 0) {
		msg_error("%s", err);
		return -1;
	}
	chmod(path, 0644);
	return 0;
}

static void
systemd_dir(const struct inst *in, char *out, size_t len)
{
	const char *x = getenv("XDG_CONFIG_HOME");

	if (x != NULL && x[0] == '/')
		snprintf(out, len, "%s/systemd/user", x);
	else
		snprintf(out, len, "%s/.config/systemd/user", in->home);
}

static const char *
systemctl_prog(void)
{
	const char *p = getenv("HB_SYSTEMCTL");

	return p != NULL && p[0] != '\0' ? p : "systemctl";
}

/* systemctl --user ARGS...: returns 0 when it worked, else says why (a note: the units are
 * in place all the same) and returns -1. */
static int
systemctl(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = { (char *)systemctl_prog(), "--user", (char *)a1, (char *)a2, (char *)a3,
	    (char *)a4, NULL }, *out = NULL, *err = NULL;
	int st = run_prog(argv, NULL, &out, &err);

	if (st != 0)
		fprintf(stderr, "hb-run: note: systemctl --user %s: %s\n", a1, st < 0 ?
		    strerror(errno) : first_line(err));
	free(out);
	free(err);
	return st == 0 ? 0 : -1;
}

/* One unit: F gets its head comment. */
static char *
unit_text(const struct inst *in, const char *suffix, int catchup)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int timer = strcmp(suffix, "timer") == 0;
	long long delay = in->step / 10 < 300 ? in->step / 10 : 300;

	if (f == NULL)
		return NULL;
	fprintf(f, "# %s%s.%s: written by hb-run install systemd for the workspace\n# %s;"
	    " hb-run uninstall systemd removes it.\n", in->name, catchup ? "-catchup" : "",
	    suffix, in->workspace);
	if (!timer) {
		fprintf(f, "# What a tick prints goes to the journal: journalctl --user -u %s%s\n",
		    in->name, catchup ? "-catchup" : "");
		fprintf(f, "[Unit]\nDescription=hb-run %s of %s\nDocumentation=man:hb-run(1)\n\n",
		    catchup ? "catch-up after boot" : "tick", in->workspace);
		fputs("[Service]\nType=oneshot\nEnvironment=", f);
		{
			char *env = NULL;

			if (asprintf(&env, "PATH=%s", in->path) >= 0)
				unit_quote(f, env, 0);
			free(env);
		}
		fputs("\nExecStart=", f);
		unit_quote(f, in->exe, 1);
		fputs(" -C ", f);
		unit_quote(f, in->workspace, 1);
		fputs(catchup ? " --catchup\n" : "\n", f);
	} else if (catchup) {
		fprintf(f, "[Unit]\nDescription=hb-run catch-up of %s, a minute after the user's "
		    "manager starts\n\n[Timer]\nOnStartupSec=60\n\n[Install]\n"
		    "WantedBy=timers.target\n", in->workspace);
	} else {
		fprintf(f, "[Unit]\nDescription=hb-run tick of %s, every %s\n\n[Timer]\n",
		    in->workspace, in->step_s);
		if (in->step != in->every)
			fprintf(f, "# Asked: every %s, which a calendar cannot repeat evenly: every "
			    "%s instead.\n", in->every_s, in->step_s);
		if (in->step >= 86400)
			fputs("OnCalendar=*-*-* 00:00:00\n", f);
		else if (in->step >= 3600)
			fprintf(f, "OnCalendar=*-*-* 00/%lld:00:00\n", in->step / 3600);
		else
			fprintf(f, "OnCalendar=*-*-* *:00/%lld:00\n", in->step / 60);
		fprintf(f, "Persistent=true\nRandomizedDelaySec=%lld\n\n[Install]\n"
		    "WantedBy=timers.target\n", delay > 0 ? delay : 1);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int
systemd_install(const struct inst *in)
{
	static const struct { const char *suffix; int catchup; } units[] = {
		{ "service", 0 }, { "timer", 0 }, { "service", 1 }, { "timer", 1 } };
	char dir[PATH_MAX], file[256], timer[160], ctimer[160];

	systemd_dir(in, dir, sizeof dir);
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		char *text = unit_text(in, units[i].suffix, units[i].catchup);
		int r;

		if (text == NULL) {
			msg_fail("out of memory");
			return 1;
		}
		snprintf(file, sizeof file, "%s%s.%s", in->name, units[i].catchup ? "-catchup" :
		    "", units[i].suffix);
		if (in->print && i > 0)
			putchar('\n');
		r = file_put(in, dir, file, text, "#");
		free(text);
		if (r != 0)
			return 2;
	}
	if (in->print)
		return 0;
	printf("systemd: wrote %s/%s.{service,timer} (a tick every %s) and %s-catchup.{service,"
	    "timer}\n", dir, in->name, in->step_s, in->name);
	snprintf(timer, sizeof timer, "%s.timer", in->name);
	snprintf(ctimer, sizeof ctimer, "%s-catchup.timer", in->name);
	if (systemctl("daemon-reload", NULL, NULL, NULL) != 0 ||
	    systemctl("enable", "--now", timer, ctimer) != 0) {
		printf("systemd: the units are in place, not started: where a user manager runs, "
		    "start them with\n  systemctl --user daemon-reload && systemctl --user enable "
		    "--now %s %s\n", timer, ctimer);
		return 0;
	}
	printf("systemd: enabled and started %s and %s\n", timer, ctimer);
	return 0;
}

static int
systemd_uninstall(const struct inst *in)
{
	static const char *const files[] = { ".timer", ".service", "-catchup.timer",
	    "-catchup.service" };
	char dir[PATH_MAX], path[PATH_MAX + 200], timer[160], ctimer[160];
	int removed = 0;

	systemd_dir(in, dir, sizeof dir);
	snprintf(path, sizeof path, "%s/%s.timer", dir, in->name);
	if (access(path, F_OK) != 0) {
		snprintf(path, sizeof path, "%s/%s.service", dir, in->name);
		if (access(path, F_OK) != 0)
			return 1;
	}
	snprintf(timer, sizeof timer, "%s.timer", in->name);
	snprintf(ctimer, sizeof ctimer, "%s-catchup.timer", in->name);
	systemctl("disable", "--now", timer, ctimer);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s/%s%s", dir, in->name, files[i]);
		if (unlink(path) == 0)
			removed++;
		else if (errno != ENOENT)
			msg_error("%s: %s", path, strerror(errno));
	}
	systemctl("daemon-reload", NULL, NULL, NULL);
	printf("systemd: removed the %d units of %s (%s)\n", removed, in->workspace, in->name);
	return 0;
}

static void
launchd_label(const struct inst *in, char *out, size_t len)
{
	snprintf(out, len, "local.%s", in->name);
}

static char *
plist_text(const struct inst *in)
{
	char *text = NULL, label[160], log[PATH_MAX + 32];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	launchd_label(in, label, sizeof label);
	snprintf(log, sizeof log, "%s/.heartbeat-launchd.log", in->workspace);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//"
	    "DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n", f);
	fputs("<!-- The tick of an hb-run workspace, written by hb-run install launchd;\n"
	    "     hb-run uninstall launchd removes it. RunAtLoad: a tick at login and boot\n"
	    "     catches up on what was missed. -->\n", f);
	fputs("<plist version=\"1.0\">\n<dict>\n\t<key>Label</key>\n\t<string>", f);
	util_xml_escape(f, label);
	fputs("</string>\n\t<key>ProgramArguments</key>\n\t<array>\n\t\t<string>", f);
	util_xml_escape(f, in->exe);
	fputs("</string>\n\t\t<string>-C</string>\n\t\t<string>", f);
	util_xml_escape(f, in->workspace);
	fprintf(f, "</string>\n\t</array>\n\t<key>StartInterval</key>\n\t<integer>%lld</integer>\n"
	    "\t<key>RunAtLoad</key>\n\t<true/>\n\t<key>EnvironmentVariables</key>\n\t<dict>\n"
	    "\t\t<key>PATH</key>\n\t\t<string>", in->every);
	util_xml_escape(f, in->path);
	fputs("</string>\n\t</dict>\n\t<key>WorkingDirectory</key>\n\t<string>", f);
	util_xml_escape(f, in->workspace);
	fputs("</string>\n\t<key>StandardOutPath</key>\n\t<string>", f);
	util_xml_escape(f, log);
	fputs("</string>\n\t<key>StandardErrorPath</key>\n\t<string>", f);
	util_xml_escape(f, log);
	fputs("</string>\n</dict>\n</plist>\n", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* launchctl ARG PLIST, on macOS; elsewhere (and there when it fails) a note of what to run. */
static void
launchctl(const char *arg, const char *plist)
{
#ifdef __APPLE__
	char *argv[] = { "launchctl", (char *)arg, (char *)plist, NULL }, *out = NULL, *err = NULL;
	int st = run_prog(argv, NULL, &out, &err);

	if (st != 0)
		fprintf(stderr, "hb-run: note: launchctl %s: %s\n", arg, st < 0 ? strerror(errno) :
		    first_line(err));
	free(out);
	free(err);
#else
	printf("launchd: not macOS: launchctl %s %s is left to you there\n", arg, plist);
#endif
}

static int
launchd_install(const struct inst *in)
{
	char dir[PATH_MAX], label[160], file[200], path[PATH_MAX + 200];
	char *text = plist_text(in);
	int r;

	if (text == NULL) {
		msg_fail("out of memory");
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/Library/LaunchAgents", in->home);
	launchd_label(in, label, sizeof label);
	snprintf(file, sizeof file, "%s.plist", label);
	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (!in->print && access(path, F_OK) == 0)
		launchctl("unload", path);	/* the old one, so that the new one loads */
	r = file_put(in, dir, file, text, NULL);
	free(text);
	if (r != 0)
		return 2;
	if (in->print)
		return 0;
	printf("launchd: wrote %s: a tick every %s, and one at login\n", path, in->every_s);
	launchctl("load", path);
	return 0;
}

static int
launchd_uninstall(const struct inst *in)
{
	char label[160], path[PATH_MAX + 200];

	launchd_label(in, label, sizeof label);
	snprintf(path, sizeof path, "%s/Library/LaunchAgents/%s.plist", in->home, label);
	if (access(path, F_OK) != 0)
		return 1;
	launchctl("unload", path);
	if (unlink(path) != 0) {
		msg_error("%s: %s", path, strerror(errno));
		return 2;
	}
	printf("launchd: removed %s\n", path);
	return 0;
}

/* ---- the commands ---------------------------------------------------------------------- */

static int
target_of(const char *s, enum target *t)
{
	for (size_t i = 0; i < sizeof target_names / sizeof *target_names; i++)
		if (strcmp(s, target_names[i]) == 0) {
			*t = (enum target)i;
			return 0;
		}
	msg_error("unknown target '%s': cron, systemd or launchd", s);
	return -1;
}

/* What every target needs: the workspace, the executable, HOME, the names. */
static int
inst_init(struct inst *in, const char *workspace)
{
	const char *home = getenv("HOME");

	in->workspace = workspace;
	for (const char *s = workspace; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			msg_error("the workspace's path holds a control character: cron and systemd "
			    "cannot name it");
			return 2;
		}
	if (platform_exe_path(in->exe, sizeof in->exe) != 0) {
		msg_error("cannot find hb-run's own path, to name it in the tick's command line");
		return 2;
	}
	if (home == NULL || home[0] != '/') {
		const struct passwd *pw = getpwuid(getuid());

		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home == NULL) {
		msg_error("HOME is not set");
		return 2;
	}
	snprintf(in->home, sizeof in->home, "%s", home);
	install_name(workspace, in->name, sizeof in->name);
	return 0;
}

int
cmd_install(const struct config *cfg, const struct heartbeat *hb, const char *workspace,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "every", required_argument, NULL, 'e' },
		{ "print", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct inst in;
	const char *why;
	int ch, ret;

	memset(&in, 0, sizeof in);
	in.every = DEFAULT_EVERY;
	optind = 0;	/* 0: glibc starts afresh, permuting options to the front */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			if (duration_parse(optarg, &in.every, &why) != 0) {
				msg_error("install: --every %s: %s", optarg, why);
				return 2;
			}
			break;
		case 'p':
			in.print = 1;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (optind != argc - 1)
		return CMD_USAGE;
	if (target_of(argv[optind], &in.target) != 0)
		return 2;
	if ((ret = inst_init(&in, workspace)) != 0)
		return ret;
	if (in.every < 60) {
		msg_warn("--every: ticks are at least a minute apart: every 1m");
		in.every = 60;
	}
	in.step = in.target == T_LAUNCHD ? in.every : install_step(in.every);
	duration_format(in.every, in.every_s, sizeof in.every_s);
	duration_format(in.step, in.step_s, sizeof in.step_s);
	if (in.step != in.every)
		msg_warn("every %s cannot be repeated evenly by %s: a tick every %s instead (each "
		    "task's own schedule still decides when it runs)", in.every_s,
		    target_names[in.target], in.step_s);
	in.path = install_path(cfg, hb, in.home);
	if (in.path == NULL) {
		msg_fail("out of memory");
		return 1;
	}
	switch (in.target) {
	case T_CRON:
		ret = cron_install(&in);
		break;
	case T_SYSTEMD:
		ret = systemd_install(&in);
		break;
	default:
		ret = launchd_install(&in);
		break;
	}
	free(in.path);
	return ret;
}

int
cmd_uninstall(const char *workspace, int argc, char **argv)
{
	struct inst in;
	enum target t = T_ALL;
	int ret = 0, found = 0;

	memset(&in, 0, sizeof in);
	if (argc > 2)
		return CMD_USAGE;
	if (argc == 2 && (argv[1][0] == '-' || target_of(argv[1], &t) != 0))
		return argv[1][0] == '-' ? CMD_USAGE : 2;
	if ((ret = inst_init(&in, workspace)) != 0)
		return ret;
	/* Without a target: each one that holds this workspace's tick (a crontab that cannot
	 * be read, where there is no cron at all, is no error then). */
	for (int i = T_CRON; i <= T_LAUNCHD; i++) {
		int r;

		if (t != T_ALL && t != (enum target)i)
			continue;
		in.target = (enum target)i;
		if (i == T_CRON && t == T_ALL && !prog_exists(crontab_prog()))
			continue;
		r = i == T_CRON ? cron_uninstall(&in) : i == T_SYSTEMD ? systemd_uninstall(&in) :
		    launchd_uninstall(&in);
		if (r == 0)
			found = 1;
		else if (r == 2)
			ret = 2;
	}
	if (!found && ret == 0)
		printf("no tick of %s is installed%s%s\n", workspace, t == T_ALL ? "" : " for ",
		    t == T_ALL ? "" : target_names[t]);
	return ret;
}
