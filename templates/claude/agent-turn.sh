#!/bin/sh
# hb-run template: one agentTurn through Claude Code, in a fresh session.
# hb-run-requires: claude
# hb-run runs this with no shell in between and hands it, in the environment: HB_TASK,
# HB_TYPE, HB_PROMPT_FILE (the full prompt; it is on standard input too), HB_SESSION_ID (a new
# UUID each run), HB_SESSION_NEW, HB_MODEL, HB_WORKSPACE, HB_RUN_ID, HB_REASON, HB_AGENT,
# HB_DANGEROUS and HB_AGENT_SESSION.
# Standard output is the reply, as Claude Code's JSON result (hb-run reads it as claude-json:
# the reply, the tokens, the cost), standard error goes to hb-run's log, the exit status is
# the run's. A task marked dangerous: true (HB_DANGEROUS=1) runs without permission prompts.
# Copy it into your workspace and point agent_turn at the copy to change it, for instance to
# add --allowedTools.
set -eu
command -v claude >/dev/null 2>&1 || {
	echo "claude not found in PATH ($PATH); set PATH in the crontab" >&2
	exit 127
}
set -- -p --output-format json --session-id "$HB_SESSION_ID"
[ -n "${HB_MODEL:-}" ] && set -- "$@" --model "$HB_MODEL"
# Without HB_DANGEROUS=1 Claude Code keeps its permission checks: in print mode a tool that
# needs approval is refused.
[ "${HB_DANGEROUS:-0}" = 1 ] && set -- "$@" --dangerously-skip-permissions
# The prompt comes on standard input, never on the command line (where ps would show it).
exec claude "$@" <"$HB_PROMPT_FILE"
