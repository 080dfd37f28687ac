/* init.c - hb-run init: writes a commented HEARTBEAT.md (effectively empty: its example
 * tasks sit in an HTML comment) and hb-run.ini (every key commented out) into the workspace,
 * so that nothing runs until they are edited. Never overwrites a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "runner/msg.h"

static const char heartbeat_text[] =
    "# Heartbeat\n"
    "\n"
    "<!--\n"
    "hb-run runs the tasks of this file through an AI agent, each on its own schedule, and\n"
    "prints (cron mails) only the replies that need you. While this file holds nothing but\n"
    "headers, empty list items and comments, a tick does nothing: no agent, no tokens.\n"
    "\n"
    "To start, move a tasks: block like this one out of the comment and edit it:\n"
    "\n"
    "tasks:\n"
    "  - name: inbox-triage\n"
    "    interval: 30m\n"
    "    prompt: \"Check my inbox for urgent email. Reply HEARTBEAT_OK if nothing is urgent.\"\n"
    "  - name: weekday-brief\n"
    "    cron: \"0 9 * * 1-5\"\n"
    "    timeout: 15m\n"
    "    prompt: |\n"
    "      Summarise what changed in my projects since yesterday.\n"
    "      Reply HEARTBEAT_OK if nothing did.\n"
    "\n"
    "Text outside this comment and the tasks: block is context, added to every prompt (a\n"
    "file with text but no tasks: block is one task, run every 30m, as OpenClaw's).\n"
    "Schedules: interval: 30m, cron: \"0 9 * * 1-5\" (with tz: Europe/Berlin), at: 2026-12-01\n"
    "09:00. See heartbeat.md(5).\n"
    "\n"
    "Cheap first: a task's check: runs before its agent, which starts only when the check\n"
    "finds something (check: git-changes ~/src, new-files ~/Mail/new, disk-space / 90,\n"
    "todo-scan TODO.md, hb-monitor, or any shell command: exit 0 with output is a finding).\n"
    "A check with no prompt: is itself the alert, no model at all.\n"
    "-->\n";

static const char config_text[] =
    "; hb-run.ini: this workspace's configuration. Every key is optional: the values shown\n"
    "; are the defaults; remove the ';' before a key to change it. HB_RUNNER_TIMEOUT=20m in\n"
    "; the environment, or -o runner.timeout=20m, overrides a key. See hb-run(1).\n"
    "\n"
    "[runner]\n"
    "; the interval of a task that names no schedule\n"
    ";default_interval = 30m\n"
    "; how long an agent may run before it is ended (a task's timeout: wins)\n"
    ";timeout = 10m\n"
    "; how many agents may run at once\n"
    ";max_concurrent = 1\n"
    "; the zone of cron and at: schedules without tz: (empty: the system's)\n"
    ";timezone =\n"
    "; a fixed delay below this, per workspace, before a tick with work starts on it\n"
    ";jitter = 0\n"
    "; false: ticks run nothing (a task named on the command line still runs)\n"
    ";enabled = true\n"
    "; true: the due tasks of a tick go to their agent in one prompt, one reply\n"
    ";batch = false\n"
    "\n"
    "[budget]\n"
    "; daily limits for all agents together (200k tokens, $2.50); reached: no agent runs\n"
    "; until local midnight, one alert says so\n"
    ";daily_tokens =\n"
    ";daily_cost =\n"
    "\n"
    "[triage]\n"
    "; the agent (a small model, say an [agent.NAME]) that answers a task's triage:\n"
    "; question YES or NO about what its check found, before the task's own agent\n"
    ";agent =\n"
    "\n"
    "[agent]\n"
    "; the agent of tasks without agent: claude, codex, gemini, opencode or demo (built in:\n"
    "; the CLI must be on the PATH the tick gets), or NAME of an [agent.NAME] section\n"
    ";default = claude\n"
    "; the model handed to the agent (a task's model: wins); empty: the CLI's own\n"
    ";model =\n"
    "\n"
    "; An HTTP agent: any OpenAI-compatible server (llama.cpp, Ollama, vLLM, ...).\n"
    ";[agent.local]\n"
    ";api = openai\n"
    ";url = http://127.0.0.1:8080/v1\n"
    ";model = qwen3-0.6b\n"
    ";key_env =                    ; the NAME of the variable holding the key, never the key\n";

/* Writes TEXT to the new file PATH (MODE), which must not exist. Returns 0, or -1 said. */
static int
init_write(const char *path, const char *text, mode_t mode)
{
	size_t len = strlen(text), off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0) {
		msg_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			msg_error("%s: %s", path, strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		msg_error("%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int
cmd_init(const char *workspace, const char *tasks, const char *config, int argc)
{
	struct stat sb;
	int exists = 0;

	if (argc != 1)
		return CMD_USAGE;
	/* Either file there already: write neither, so that a half-made workspace never
	 * results from a second init. */
	if (lstat(tasks, &sb) == 0) {
		msg_error("%s/%s exists: init writes only new files (edit it, or remove it first)",
		    workspace, tasks);
		exists = 1;
	}
	if (lstat(config, &sb) == 0) {
		msg_error("%s/%s exists: init writes only new files (edit it, or remove it first)",
		    workspace, config);
		exists = 1;
	}
	if (exists)
		return 2;
	if (init_write(tasks, heartbeat_text, 0644) != 0)
		return 2;
	if (init_write(config, config_text, 0600) != 0) {
		unlink(tasks);
		return 2;
	}
	printf("wrote %s/%s: example tasks in a comment; until you move them out, a tick runs "
	    "nothing\n", workspace, tasks);
	printf("wrote %s/%s: every key at its default (the agent: claude)\n", workspace, config);
	printf("\nNext:\n"
	    "  edit %s               tasks, schedules, prompts (see heartbeat.md(5))\n"
	    "  hb-run -C %s check    every problem, as file:line\n"
	    "  hb-run -C %s -n       what a tick would run now, and why\n"
	    "  hb-run -C %s install cron [--every 30m]   a tick from your crontab (or: systemd, "
	    "launchd)\n", tasks, workspace, workspace, workspace);
	return 0;
}
