#!/bin/sh
# hb-run template: a systemEvent through opencode, in the workspace's main session.
# hb-run-requires: opencode
# opencode makes its own session ids (the "sessionID" of its JSON events); hb-run keeps the
# last one and hands it back as HB_AGENT_SESSION, which this template continues
# (run --session ID). Without it, or when that fails, a new session starts and hb-run records
# its id. See agent-turn.sh for the rest of the environment and the output.
set -eu
command -v opencode >/dev/null 2>&1 || {
	echo "opencode not found in PATH ($PATH); set PATH in the crontab" >&2
	exit 127
}
set -- run --format json
[ -n "${HB_MODEL:-}" ] && set -- "$@" --model "$HB_MODEL"
[ "${HB_DANGEROUS:-0}" = 1 ] && set -- "$@" --auto
session=${HB_AGENT_SESSION:-}
[ -n "$session" ] || exec opencode "$@" <"$HB_PROMPT_FILE"
# --session=ID: one argument, whatever the id looks like. The continued run's output is kept
# until it has succeeded, so that the reply of a failed run never precedes the new one's.
status=0
out=$(opencode "$@" --session="$session" <"$HB_PROMPT_FILE") || status=$?
if [ "$status" -eq 0 ]; then
	printf '%s\n' "$out"
	exit 0
fi
[ -z "$out" ] || printf '%s\n' "$out" >&2
# If the session is gone, start a new one rather than failing at every heartbeat; when that
# fails too, the run fails with its status, so hb-run records the error and backs off.
echo "hb-run: continuing opencode session $session failed (exit $status); starting a new one" >&2
exec opencode "$@" <"$HB_PROMPT_FILE"
