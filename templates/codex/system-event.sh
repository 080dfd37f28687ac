#!/bin/sh
# hb-run template: a systemEvent through OpenAI's Codex CLI, in the workspace's main session.
# hb-run-requires: codex
# Codex makes its own session ids (the thread_id of its thread.started event); hb-run keeps
# the last one and hands it back as HB_AGENT_SESSION, which this template resumes
# (codex exec resume ID). Without it, or when the resume fails, a new session starts and
# hb-run records its id. See agent-turn.sh for the rest of the environment and the output.
set -eu
command -v codex >/dev/null 2>&1 || {
	echo "codex not found in PATH ($PATH); set PATH in the crontab" >&2
	exit 127
}
set -- --json --skip-git-repo-check
[ -n "${HB_MODEL:-}" ] && set -- "$@" --model "$HB_MODEL"
[ "${HB_DANGEROUS:-0}" = 1 ] && set -- "$@" --dangerously-bypass-approvals-and-sandbox
session=${HB_AGENT_SESSION:-}
case $session in
-*)
	echo "hb-run: session id '$session' starts with '-'; starting a new session" >&2
	session=
	;;
esac
[ -n "$session" ] || exec codex exec "$@" - <"$HB_PROMPT_FILE"
# The resumed run's output is kept until it has succeeded, so that the reply of a failed
# resume never precedes the new session's.
status=0
out=$(codex exec resume "$@" "$session" - <"$HB_PROMPT_FILE") || status=$?
if [ "$status" -eq 0 ]; then
	printf '%s\n' "$out"
	exit 0
fi
[ -z "$out" ] || printf '%s\n' "$out" >&2
# If the session is gone, start a new one rather than failing at every heartbeat; when that
# fails too, the run fails with its status, so hb-run records the error and backs off.
echo "hb-run: resuming codex session $session failed (exit $status); starting a new one" >&2
exec codex exec "$@" - <"$HB_PROMPT_FILE"
