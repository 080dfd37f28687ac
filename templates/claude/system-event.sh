#!/bin/sh
# hb-run template: a systemEvent through Claude Code, in the workspace's main session.
# hb-run-requires: claude
# hb-run keeps one session id per workspace (HB_SESSION_ID, in its state file); the first run
# creates the session (HB_SESSION_NEW=1), later runs resume it so the agent keeps its
# context between heartbeats. See agent-turn.sh for the rest of the environment and the output.
set -eu
command -v claude >/dev/null 2>&1 || {
	echo "claude not found in PATH ($PATH); set PATH in the crontab" >&2
	exit 127
}
# Every value is one argument: a model named "x --flag *" stays one word, never flags or globs.
set -- -p --output-format json
[ -n "${HB_MODEL:-}" ] && set -- "$@" --model "$HB_MODEL"
[ "${HB_DANGEROUS:-0}" = 1 ] && set -- "$@" --dangerously-skip-permissions
if [ "${HB_SESSION_NEW:-1}" = 1 ]; then
	exec claude "$@" --session-id "$HB_SESSION_ID" <"$HB_PROMPT_FILE"
fi
# The resumed run's output is kept until it has succeeded, so that the JSON of a failed
# resume never precedes the re-created session's.
status=0
out=$(claude "$@" --resume "$HB_SESSION_ID" <"$HB_PROMPT_FILE") || status=$?
if [ "$status" -eq 0 ]; then
	printf '%s\n' "$out"
	exit 0
fi
[ -z "$out" ] || printf '%s\n' "$out" >&2
# If the session is gone (the first run failed before Claude saved it, or its history was
# cleared), start it again under the same id rather than failing at every heartbeat. When
# that fails too, the run fails with its status, so hb-run records the error and backs off.
echo "hb-run: resuming session $HB_SESSION_ID failed (exit $status); starting it again" >&2
exec claude "$@" --session-id "$HB_SESSION_ID" <"$HB_PROMPT_FILE"
