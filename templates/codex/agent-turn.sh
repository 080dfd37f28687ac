#!/bin/sh
# hb-run template: one agentTurn through OpenAI's Codex CLI (codex exec), in a new session.
# hb-run-requires: codex
# hb-run runs this with no shell in between and hands it, in the environment: HB_TASK,
# HB_TYPE, HB_PROMPT_FILE (the full prompt; it is on standard input too), HB_MODEL,
# HB_DANGEROUS (1 when the task may act without asking), HB_WORKSPACE, HB_RUN_ID, HB_REASON.
# Standard output is Codex's JSONL event stream (exec --json): the reply is the last
# agent_message item, the token counts are in turn.completed, Codex's own session id is the
# thread_id of thread.started. Standard error goes to hb-run's log; the exit status is the run's.
set -eu
command -v codex >/dev/null 2>&1 || {
	echo "codex not found in PATH ($PATH); set PATH in the crontab" >&2
	exit 127
}
# --skip-git-repo-check: a workspace need not be a git repository. Without HB_DANGEROUS=1,
# Codex keeps its default for exec: a read-only sandbox, nothing run outside it.
set -- exec --json --skip-git-repo-check
[ -n "${HB_MODEL:-}" ] && set -- "$@" --model "$HB_MODEL"
[ "${HB_DANGEROUS:-0}" = 1 ] && set -- "$@" --dangerously-bypass-approvals-and-sandbox
# "-": the prompt is read from standard input, never put on the command line.
exec codex "$@" - <"$HB_PROMPT_FILE"
