#!/bin/sh
# hb-run template: one agentTurn through Claude Code, in a fresh session.
# hb-run-requires: claude
# hb-run runs this with no shell in between and hands it, in the environment: HB_TASK,
# HB_TYPE, HB_PROMPT_FILE (the full prompt; it is on standard input too), HB_SESSION_ID (a new
# UUID each run), HB_SESSION_NEW, HB_MODEL, HB_DANGEROUS (1 when the task may act without
# asking), HB_WORKSPACE, HB_RUN_ID and HB_REASON.
# Standard output is Claude Code's JSON result (--output-format json, read by hb-run's
# claude-json output format): "result" is the reply, "usage" and "total_cost_usd" what it
# cost, "session_id" the session. Standard error goes to hb-run's log, the exit status is the
# run's. Copy it into your workspace and point [agent] agent_turn at the copy to change it,
# for instance to add --allowedTools for unattended use of some tools only.
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
