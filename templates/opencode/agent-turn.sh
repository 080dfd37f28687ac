#!/bin/sh
# hb-run template: one agentTurn through opencode (opencode run), in a new session.
# hb-run-requires: opencode
# hb-run runs this with no shell in between and hands it, in the environment: HB_TASK,
# HB_TYPE, HB_PROMPT_FILE (the full prompt; it is on standard input too), HB_MODEL
# (provider/model, as opencode names them), HB_DANGEROUS (1 when the task may act without
# asking), HB_WORKSPACE, HB_RUN_ID, HB_REASON.
# Standard output is opencode's JSON event stream (run --format json, one object a line, each
# with its "sessionID"): "text" parts are the reply, "step_finish" parts carry tokens and
# cost. Standard error goes to hb-run's log; the exit status is the run's.
set -eu
command -v opencode >/dev/null 2>&1 || {
	echo "opencode not found in PATH ($PATH); set PATH in the crontab" >&2
	exit 127
}
# Without HB_DANGEROUS=1 opencode's own permission rules apply (a request to ask is refused
# in a run nobody watches); --auto approves what the rules do not deny.
set -- run --format json
[ -n "${HB_MODEL:-}" ] && set -- "$@" --model "$HB_MODEL"
[ "${HB_DANGEROUS:-0}" = 1 ] && set -- "$@" --auto
# No message argument: opencode run reads the prompt from standard input.
exec opencode "$@" <"$HB_PROMPT_FILE"
