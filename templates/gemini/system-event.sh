#!/bin/sh
# hb-run template: a systemEvent through Google's Gemini CLI, in the workspace's main session.
# hb-run-requires: gemini
# Gemini makes its own session ids ("session_id" in its JSON output); hb-run keeps the last
# one and hands it back as HB_AGENT_SESSION, which this template resumes (--resume ID).
# Without it, or when the resume fails, a new session starts and hb-run records its id. See
# agent-turn.sh for the rest of the environment and the output.
set -eu
command -v gemini >/dev/null 2>&1 || {
	echo "gemini not found in PATH ($PATH); set PATH in the crontab" >&2
	exit 127
}
set -- --output-format json
[ -n "${HB_MODEL:-}" ] && set -- "$@" --model "$HB_MODEL"
[ "${HB_DANGEROUS:-0}" = 1 ] && set -- "$@" --approval-mode yolo --skip-trust
session=${HB_AGENT_SESSION:-}
[ -n "$session" ] || exec gemini "$@" --prompt "" <"$HB_PROMPT_FILE"
# --resume=ID: one argument, whatever the id looks like. The resumed run's output is kept
# until it has succeeded, so that the reply of a failed resume never precedes the new one's.
status=0
out=$(gemini "$@" --resume="$session" --prompt "" <"$HB_PROMPT_FILE") || status=$?
if [ "$status" -eq 0 ]; then
	printf '%s\n' "$out"
	exit 0
fi
[ -z "$out" ] || printf '%s\n' "$out" >&2
# If the session is gone, start a new one rather than failing at every heartbeat; when that
# fails too, the run fails with its status, so hb-run records the error and backs off.
echo "hb-run: resuming gemini session $session failed (exit $status); starting a new one" >&2
exec gemini "$@" --prompt "" <"$HB_PROMPT_FILE"
