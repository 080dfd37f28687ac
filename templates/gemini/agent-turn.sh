#!/bin/sh
# hb-run template: one agentTurn through Google's Gemini CLI (headless, gemini -p), in a new
# session.
# hb-run-requires: gemini
# hb-run runs this with no shell in between and hands it, in the environment: HB_TASK,
# HB_TYPE, HB_PROMPT_FILE (the full prompt; it is on standard input too), HB_MODEL,
# HB_DANGEROUS (1 when the task may act without asking), HB_WORKSPACE, HB_RUN_ID, HB_REASON.
# Standard output is one JSON object (--output-format json): "response" is the reply,
# "stats" the token counts, "session_id" Gemini's own session id. Standard error goes to
# hb-run's log; the exit status is the run's.
set -eu
command -v gemini >/dev/null 2>&1 || {
	echo "gemini not found in PATH ($PATH); set PATH in the crontab" >&2
	exit 127
}
# Without HB_DANGEROUS=1 the approval mode stays Gemini's default (in headless mode a tool
# that needs approval is refused) and so does its folder trust: Gemini then refuses (exit 55)
# a workspace it does not trust; trust it once (run gemini there) or set
# GEMINI_CLI_TRUST_WORKSPACE=true in the crontab. With HB_DANGEROUS=1, --skip-trust trusts the
# workspace for the run, as yolo mode needs.
set -- --output-format json
[ -n "${HB_MODEL:-}" ] && set -- "$@" --model "$HB_MODEL"
[ "${HB_DANGEROUS:-0}" = 1 ] && set -- "$@" --approval-mode yolo --skip-trust
# The prompt comes on standard input, never on the command line; an empty --prompt makes the
# run headless, and Gemini appends it (nothing) to what it reads from standard input.
exec gemini "$@" --prompt "" <"$HB_PROMPT_FILE"
