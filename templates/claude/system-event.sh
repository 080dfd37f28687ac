#!/bin/sh
# hb-run template: a systemEvent through Claude Code, in the workspace's main session.
# hb-run-requires: claude
# hb-run keeps one session id per workspace (HB_SESSION_ID, in its state file); the first run
# creates the session (HB_SESSION_NEW=1), later runs resume it so the agent keeps its
# context between heartbeats. See agent-turn.sh for the rest of the environment.
set -eu
command -v claude >/dev/null 2>&1 || {
	echo "claude not found in PATH ($PATH); set PATH in the crontab" >&2
	exit 127
}
model=
[ -n "${HB_MODEL:-}" ] && model="--model $HB_MODEL"
if [ "${HB_SESSION_NEW:-1}" = 1 ]; then
	# shellcheck disable=SC2086
	exec claude -p --output-format text --session-id "$HB_SESSION_ID" $model <"$HB_PROMPT_FILE"
fi
# If the session is gone (the first run failed before Claude saved it, or its history was
# cleared), start it again under the same id rather than failing at every heartbeat.
# shellcheck disable=SC2086
if claude -p --output-format text --resume "$HB_SESSION_ID" $model <"$HB_PROMPT_FILE"; then
	exit 0
fi
status=$?
claude -p --output-format text --session-id "$HB_SESSION_ID" $model <"$HB_PROMPT_FILE" ||
	exit "$status"
