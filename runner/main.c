/* main.c - hb-run's command line: options, configuration, HEARTBEAT.md, then one command.
 * The only place that prints usage and exits; the exit status is the worst problem seen. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "runner/config.h"
#include "runner/msg.h"
#include "runner/platform.h"
#include "runner/tick.h"
#include "runner/trust.h"
#include "runner/util.h"
#include "runner/zone.h"
#include "state/fileio.h"
#include "state/text.h"
#include "tasks/heartbeat.h"

#ifndef HB_VERSION
#define HB_VERSION "0.1.0"
#endif

#define TASKS_MAX_BYTES (16L << 20)
#define WARNED_KEY "_warned"	/* state: a digest of the warnings a tick last showed */

static const char usage_text[] =
    "usage: hb-run [-C dir] [-c file] [-o section.key=value] [-n] [-v] [--catchup] [task ...]\n"
    "       hb-run [options] run task ...\n"
    "       hb-run [options] status [--json]\n"
    "       hb-run [options] check\n"
    "       hb-run [options] log [-n count] [--task task] [--json]\n"
    "       hb-run [options] report [--since duration] [-o file] [--text]\n"
    "       hb-run next expression [--from time] [--count n] [--tz zone]\n"
    "       hb-run [-C dir] init\n"
    "       hb-run [options] install cron|systemd|launchd [--every duration] [--print]\n"
    "       hb-run [-C dir] uninstall [cron|systemd|launchd]\n"
    "       hb-run [options] pause [task ...] [--for duration]\n"
    "       hb-run [options] resume [task ...]\n"
    "       hb-run [options] schedule prompt --in duration | --at time [--name name]\n"
    "              [--agent agent] [--notify target]\n"
    "       hb-run [options] tasks [--json]\n"
    "       hb-run [options] cancel id\n"
    "       hb-run --help | --version\n";

static const char help_text[] =
    "\n"
    "Runs the due tasks of HEARTBEAT.md through an agent, once, and exits: start it from\n"
    "cron. Replies that only say HEARTBEAT_OK are dropped; the rest go to their targets\n"
    "(notify:, [delivery] notify; standard output by default).\n"
    "\n"
    "  -C dir          the workspace (default: the current directory)\n"
    "  -c file         the configuration file (default: hb-run.ini, if present)\n"
    "  -o sec.key=val  set a configuration key, over the file and the environment\n"
    "  -n, --dry-run   say what would run and why; change nothing\n"
    "  -v, --verbose   say what happens, on standard error\n"
    "  --catchup       after downtime: at most catchup_max due tasks, staggered\n"
    "\n"
    "Exit status: 0 all went well, 1 a task failed, 2 a usage or configuration error.\n"
    "See hb-run(1) and heartbeat.md(5).\n";

static const struct option global_opts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "catchup", no_argument, NULL, 'K' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct cli {
	const char *dir;
	const char *config_file;
	char **sets;
	size_t nsets;
	int dashdash;		/* "--" ended the options: the rest are task names */
	struct tick_opts tick;
};

/* Warnings: the file still works, perhaps not as meant. Collected, then shown by the
 * command: always by check and status, once per change by a tick (see warnings_once). */
struct warning {
	const char *file;	/* NULL: none (else it outlives the list: cfg->tasks) */
	int line;
	char *text;
};
static struct warning *warnings;
static size_t nwarnings;

static void __attribute__((format(printf, 3, 4)))
warning_add(const char *file, int line, const char *fmt, ...)
{
	struct warning *w = realloc(warnings, (nwarnings + 1) * sizeof *w);
	va_list ap;

	if (w == NULL)
		return;
	warnings = w;
	w += nwarnings;
	w->file = file;
	w->line = line;
	va_start(ap, fmt);
	if (vasprintf(&w->text, fmt, ap) >= 0)
		nwarnings++;
	va_end(ap);
}

static void
warnings_show(void)
{
	for (size_t i = 0; i < nwarnings; i++)
		msg(MSG_WARNING, warnings[i].file, warnings[i].line, "%s", warnings[i].text);
}

static void
warnings_free(void)
{
	for (size_t i = 0; i < nwarnings; i++)
		free(warnings[i].text);
	free(warnings);
	warnings = NULL;
	nwarnings = 0;
}

/* A tick under cron: every line it prints is mail. So a tick shows its warnings only when
 * they differ from the ones the last tick showed (a digest kept in the state file), and
 * forgets them when they are gone, so that they show again when they come back. Returns
 * the state it read when it wrote none (the tick plans on it rather than read it again),
 * else NULL. */
static struct state *
warnings_once(const struct config *cfg)
{
	uint64_t h = TEXT_HASH_START;
	struct state *st = NULL;
	char mark[20] = "", err[1024], lock[PATH_MAX];
	const char *old;
	int fd, same;

	for (size_t i = 0; i < nwarnings; i++) {
		/* the text as shown, after "warning: " */
		const struct warning *w = &warnings[i];
		char *line;

		if (w->file == NULL)
			h = text_hash(h, w->text, strlen(w->text) + 1);
		else if (asprintf(&line, "%s:%d: %s", w->file, w->line, w->text) >= 0) {
			h = text_hash(h, line, strlen(line) + 1);
			free(line);
		}
	}
	snprintf(mark, sizeof mark, "%016llx", (unsigned long long)h);
	if (state_load(cfg->state, &st, err, sizeof err) != 0) {
		warnings_show();	/* the tick reports the state file itself */
		return NULL;
	}
	old = state_mark_get(st, WARNED_KEY);
	same = nwarnings == 0 ? old == NULL : old != NULL && strcmp(old, mark) == 0;
	if (same)
		return st;
	state_free(st);
	st = NULL;
	warnings_show();
	if (state_lock_path(cfg->state, lock, sizeof lock) != 0)
		snprintf(lock, sizeof lock, "%s", TICK_LOCK_FILE);
	fd = state_lock(lock, err, sizeof err);
	if (fd < 0) {
		msg(MSG_TROUBLE, NULL, 0, "%s", err);
		return NULL;
	}
	if (state_load(cfg->state, &st, err, sizeof err) == 0 &&
	    state_mark_set(st, WARNED_KEY, nwarnings > 0 ? mark : NULL) == 0 &&
	    state_save(st, cfg->state, err, sizeof err) != 0)
		msg(MSG_TROUBLE, NULL, 0, "%s", err);
	state_free(st);
	state_unlock(fd);
	return NULL;
}

static void
usage_exit(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

/* A command's CMD_USAGE means the usage and exit status 2; other statuses pass. */
static int
usage_status(int status)
{
	if (status != CMD_USAGE)
		return status;
	fputs(usage_text, stderr);
	return 2;
}

/* cron may start us with a standard descriptor closed; a pipe must never land there. */
static void
ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) < 0)
			exit(2);
}

/* Global options, from ARGV[optind] on. PERMUTE: options may follow operands. */
static void
parse_global(struct cli *c, int argc, char **argv, int permute)
{
	int ch;

	for (;;) {
		/* Without permuting, getopt would swallow a "--" silently: note it, so that the
		 * second pass (which permutes) does not read what follows as options. */
		if (!permute && optind < argc && strcmp(argv[optind], "--") == 0) {
			c->dashdash = 1;
			optind++;
			break;
		}
		ch = getopt_long(argc, argv, permute ? "C:c:o:nv" : "+C:c:o:nv", global_opts,
		    NULL);
		if (ch == -1)
			break;
		switch (ch) {
		case 'C':
			c->dir = optarg;
			break;
		case 'c':
			c->config_file = optarg;
			break;
		case 'o': {
			char **s = realloc(c->sets, (c->nsets + 1) * sizeof *s);

			if (s == NULL)
				exit(1);
			c->sets = s;
			c->sets[c->nsets++] = optarg;
			break;
		}
		case 'n':
			c->tick.dry_run = 1;
			break;
		case 'v':
			msg_verbose = 1;
			break;
		case 'K':
			c->tick.catchup = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			exit(0);
		case 'V':
			/* The portable build says so (its tests skip what it lacks). */
			if (strcmp(platform_name(), "linux") == 0)
				printf("hb-run %s\n", HB_VERSION);
			else
				printf("hb-run %s (%s)\n", HB_VERSION, platform_name());
			exit(0);
		default:
			usage_exit();
		}
	}
}

/* Loads the configuration; returns the number of problems reported. */
static int
load_config(struct config *cfg, const struct cli *c)
{
	if (config_init(cfg) != 0) {
		msg_fail("out of memory");
		exit(1);
	}
	config_read_file(cfg, c->config_file ? c->config_file : CONFIG_FILE,
	    c->config_file != NULL);
	config_read_env(cfg);
	for (size_t i = 0; i < c->nsets; i++)
		config_set_option(cfg, c->sets[i]);
	config_finish(cfg);
	for (size_t i = 0; i < cfg->nerrors; i++)
		msg_error("%s", cfg->errors[i]);
	if (cfg->nlost > 0) {
		msg_error("out of memory: %zu more configuration problem%s not shown", cfg->nlost,
		    cfg->nlost == 1 ? "" : "s");
		return (int)(cfg->nerrors + cfg->nlost);
	}
	if (cfg->file != NULL) {
		char err[4200];

		if (trust_check(cfg->file, err, sizeof err) != 0) {
			msg_error("%s", err);
			return (int)cfg->nerrors + 1;
		}
	}
	return (int)cfg->nerrors;
}

/* Reads and parses HEARTBEAT.md; returns the number of problems reported, or -1 when the
 * file cannot be read at all. */
static int
load_tasks(const struct config *cfg, struct heartbeat *hb)
{
	char *text = NULL, err[PATH_MAX + 512];
	size_t len;
	int r;

	memset(hb, 0, sizeof *hb);
	if (trust_check(cfg->tasks, err, sizeof err) != 0 && access(cfg->tasks, F_OK) == 0) {
		msg_error("%s", err);
		return -1;
	}
	r = fileio_read(cfg->tasks, TASKS_MAX_BYTES, &text, &len, err, sizeof err);
	if (r == FILEIO_MISSING) {
		msg(MSG_ERROR, cfg->tasks, 0, "no such file (create it, or set runner.tasks)");
		return -1;
	}
	if (r != 0) {
		msg_error("%s", err);
		return -1;
	}
	if (heartbeat_parse(text, len, cfg->default_interval, hb) != 0) {
		free(text);
		msg_fail("%s: out of memory", cfg->tasks);
		exit(1);
	}
	free(text);
	/* A zone is part of the schedule: an unknown one is a problem of its line. So is an
	 * agent that is not configured. */
	for (size_t i = 0; i < hb->ntasks;) {
		const struct task *t = &hb->tasks[i];

		if (t->tz != NULL && zone_get(t->tz, err, sizeof err) == NULL) {
			heartbeat_drop(hb, i, t->tz_line, err);
		} else if (t->agent != NULL && config_agent(cfg, t->agent) == NULL) {
			/* The agent is part of the task: an unknown one is a problem of its line. */
			snprintf(err, sizeof err, "unknown agent '%s': no [agent.%s] in %s and not a "
			    "built-in agent (%s)", t->agent, t->agent, cfg->file ? cfg->file :
			    CONFIG_FILE, config_builtin_names());
			heartbeat_drop(hb, i, t->agent_line, err);
		} else if (t->triage != NULL && (cfg->triage_agent == NULL ||
		    cfg->triage_agent[0] == '\0')) {
			snprintf(err, sizeof err, "triage: needs an agent to ask: set [triage] agent "
			    "in %s (an [agent.NAME] on a small model, say)", cfg->file ? cfg->file :
			    CONFIG_FILE);
			heartbeat_drop(hb, i, t->triage_line, err);
		} else {
			i++;
		}
	}
	for (size_t i = 0; i < hb->ndiags; i++)
		if (hb->diags[i].warn)
			warning_add(cfg->tasks, hb->diags[i].line, "%s", hb->diags[i].msg);
		else
			msg(MSG_ERROR, cfg->tasks, hb->diags[i].line, "%s", hb->diags[i].msg);
	return (int)hb->nerrors;
}

/* 1 when one-shot tasks wait: a HEARTBEAT.md with nothing to run still ticks for them. */
static int
pending_oneshots(const struct config *cfg)
{
	struct state *st = NULL;
	char err[1024];
	int any;

	if (state_load(cfg->state, &st, err, sizeof err) != 0)
		return 0;
	any = state_oneshot_count(st) > 0;
	state_free(st);
	return any;
}

/* Everything after the command line: the workspace, the configuration, HEARTBEAT.md and
 * the command. Returns the exit status; main frees what the command line allocated. */
static int
run_command(struct cli *c, const char *cmd, int argc, char **argv)
{
	struct config cfg;
	struct heartbeat hb;
	char workspace[PATH_MAX];
	int problems, tp, status;

	/* init makes the workspace it is pointed at (not its parents), private to the user. */
	if (c->dir != NULL && cmd != NULL && strcmp(cmd, "init") == 0 && chdir(c->dir) != 0 &&
	    errno == ENOENT && mkdir(c->dir, 0700) == 0)
		printf("made the workspace %s\n", c->dir);
	/* schedule from inside a run: the run's workspace, where the agent may have gone */
	if (c->dir == NULL && cmd != NULL && strcmp(cmd, "schedule") == 0 &&
	    getenv("HB_WORKSPACE") != NULL && *getenv("HB_WORKSPACE") != '\0')
		c->dir = getenv("HB_WORKSPACE");
	if (c->dir != NULL && chdir(c->dir) != 0) {
		msg_error("%s: %s", c->dir, strerror(errno));
		return 2;
	}
	if (getcwd(workspace, sizeof workspace) == NULL) {
		msg_error("cannot name the workspace: %s", strerror(errno));
		return 2;
	}
	/* Neither needs a configuration or HEARTBEAT.md (nor may a broken one stop them). */
	if (cmd != NULL && strcmp(cmd, "init") == 0)
		return usage_status(cmd_init(workspace, "HEARTBEAT.md", c->config_file ?
		    c->config_file : CONFIG_FILE, argc));
	if (cmd != NULL && strcmp(cmd, "uninstall") == 0)
		return usage_status(cmd_uninstall(workspace, argc, argv));
	problems = load_config(&cfg, c);
	if (problems > 0 && (cmd == NULL || strcmp(cmd, "check") != 0)) {
		config_free(&cfg);
		return 2;
	}
	/* Times for people are shown in the configured zone (config.c checked it). */
	{
		char zerr[512];

		util_time_zone(zone_get(cfg.timezone, zerr, sizeof zerr));
	}
	if (zone_fallback() != NULL)
		warning_add(NULL, 0, "%s", zone_fallback());
	if (cmd != NULL && (strcmp(cmd, "log") == 0 || strcmp(cmd, "next") == 0 ||
	    strcmp(cmd, "tasks") == 0 || strcmp(cmd, "cancel") == 0)) {
		/* none needs HEARTBEAT.md */
		warnings_show();
		if (strcmp(cmd, "log") == 0)
			status = usage_status(cmd_log(&cfg, argc, argv));
		else if (strcmp(cmd, "next") == 0)
			status = usage_status(cmd_next(&cfg, argc, argv));
		else if (strcmp(cmd, "tasks") == 0)
			status = usage_status(cmd_tasks(&cfg, argc, argv));
		else
			status = usage_status(cmd_cancel(&cfg, argc, argv));
		config_free(&cfg);
		warnings_free();
		return status;
	}
	tp = load_tasks(&cfg, &hb);
	if (tp < 0) {
		config_free(&cfg);
		warnings_free();
		return 2;
	}
	problems += tp;

	if (cmd != NULL && strcmp(cmd, "check") == 0) {
		warnings_show();
		status = usage_status(cmd_check(&cfg, &hb, problems, nwarnings, argc));
	} else if (cmd != NULL && (strcmp(cmd, "install") == 0 || strcmp(cmd, "pause") == 0 ||
	    strcmp(cmd, "resume") == 0)) {
		/* A workspace with problems is fixed first: check says what they are. */
		warnings_show();
		if (problems > 0)
			status = 2;
		else if (strcmp(cmd, "install") == 0)
			status = usage_status(cmd_install(&cfg, &hb, workspace, argc, argv));
		else
			status = usage_status((strcmp(cmd, "pause") == 0 ? cmd_pause : cmd_resume)(&cfg,
			    &hb, argc, argv));
	} else if (cmd != NULL && strcmp(cmd, "report") == 0) {
		warnings_show();
		status = usage_status(cmd_report(&cfg, &hb, argc, argv));
		if (problems > 0 && status == 0)
			status = 2;
	} else if (cmd != NULL && strcmp(cmd, "schedule") == 0) {
		/* HEARTBEAT.md names the task of a run that asks for a follow-up */
		warnings_show();
		status = usage_status(cmd_schedule(&cfg, &hb, argc, argv));
	} else if (cmd != NULL && strcmp(cmd, "status") == 0) {
		warnings_show();
		status = usage_status(cmd_status(&cfg, &hb, argc, argv));
		if (problems > 0 && status == 0)
			status = 2;
	} else {
		int unknown = 0;

		status = problems > 0 ? 2 : 0;
		for (size_t i = 0; i < c->tick.nnames; i++)
			if (heartbeat_find(&hb, c->tick.names[i]) == NULL) {
				msg(MSG_ERROR, cfg.tasks, 0, "no task named '%s'", c->tick.names[i]);
				unknown = 1;
			}
		if (unknown) {
			/* A named task that does not exist: run none of them. */
			status = 2;
		} else if (hb.empty && !pending_oneshots(&cfg)) {
			msg_note("%s is effectively empty: nothing to do", cfg.tasks);
		} else {
			struct state *st = NULL;
			int ts;

			if (c->tick.dry_run || problems > 0)
				warnings_show();
			else
				st = warnings_once(&cfg);
			ts = tick_run(&cfg, &hb, workspace, &c->tick, st);

			if (ts > status)
				status = ts;
		}
	}
	heartbeat_free(&hb);
	config_free(&cfg);
	warnings_free();
	return status;
}

int
main(int argc, char **argv)
{
	struct cli c;
	const char *cmd = NULL;
	int status;

	ensure_std_fds();
	platform_init(argv[0]);
	/* A reader that went away must not kill us between an agent's end and its record. */
	signal(SIGPIPE, SIG_IGN);
	/* A file past the size limit (ulimit -f) must fail its write with EFBIG, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	memset(&c, 0, sizeof c);
	parse_global(&c, argc, argv, 0);
	if (optind < argc && !c.dashdash) {
		const char *w = argv[optind];

		static const char *const words[] = { "run", "status", "check", "log", "next",
		    "init", "install", "uninstall", "pause", "resume", "report", "schedule", "tasks",
		    "cancel" };

		for (size_t i = 0; i < sizeof words / sizeof *words; i++)
			if (strcmp(w, words[i]) == 0)
				cmd = w;
	}
	if (cmd == NULL || strcmp(cmd, "run") == 0) {
		/* A tick: the rest are task names, with options anywhere. */
		if (cmd != NULL)
			optind++;
		argc -= optind - 1;
		argv += optind - 1;
		optind = 0;	/* 0, not 1: glibc then rescans, permuting options to the front */
		if (c.dashdash)
			optind = 1;	/* after "--": task names only */
		else
			parse_global(&c, argc, argv, 1);
		c.tick.names = argv + optind;
		c.tick.nnames = (size_t)(argc - optind);
		if (cmd != NULL && c.tick.nnames == 0)
			usage_exit();
		if (c.tick.catchup && c.tick.nnames > 0) {
			msg_error("--catchup runs due tasks; it takes no task names");
			usage_exit();
		}
	} else {
		argc -= optind;
		argv += optind;
	}

	status = run_command(&c, cmd, argc, argv);
	zone_free_all();
	free(c.sets);
	/* The worst message decides. A status beyond it stands: 128 + a signal, or what no
	 * message says (the usage, a standard output that could not be written). */
	return msg_exit_status() > status ? msg_exit_status() : status;
}
