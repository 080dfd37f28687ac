#!/usr/bin/env bats
# templates.bats - the shipped agent-CLI templates, run by hb-run against a fake CLI on the
# PATH that records its arguments (one per line) and fails or answers as the test says.

load helpers

TEMPLATES="$BATS_TEST_DIRNAME/../../templates"

# A fake `claude`: appends its arguments to claude.args (a line each, then "--"), reads the
# prompt, answers "claude reply" or exits with the status in claude.exit.N (N: its call count).
fake_claude() {
	mkdir -p "$WS/bin"
	cat >"$WS/bin/claude" <<'EOF2'
#!/bin/sh
n=$(( $(cat "$HB_WORKSPACE/claude.calls" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$HB_WORKSPACE/claude.calls"
for a in "$@"; do printf '%s\n' "$a"; done >>"$HB_WORKSPACE/claude.args"
echo -- >>"$HB_WORKSPACE/claude.args"
cat >/dev/null
if [ -f "$HB_WORKSPACE/claude.exit.$n" ]; then
	echo "claude call $n failing" >&2
	exit "$(cat "$HB_WORKSPACE/claude.exit.$n")"
fi
echo "claude reply $n"
EOF2
	chmod +x "$WS/bin/claude"
	export PATH="$WS/bin:$PATH"
	export HB_AGENT_AGENT_TURN="$TEMPLATES/claude/agent-turn.sh"
	export HB_AGENT_SYSTEM_EVENT="$TEMPLATES/claude/system-event.sh"
}

event_task() {
	heartbeat <<MD
tasks:
  - name: ev
    type: systemEvent
    interval: 30m
    ${1:-}
    prompt: an event
MD
}

@test "claude system-event: resume and re-create both failing is a failed run (exit 1, error, backoff)" {
	fake_claude
	event_task
	run hb_at "2026-01-05 09:00:00"		# creates the session
	[ "$status" -eq 0 ]
	echo 1 >"$WS/claude.exit.2"		# the resume fails
	echo 7 >"$WS/claude.exit.3"		# and so does the re-creation
	run hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 1 ]
	[ "$(cat "$WS/claude.calls")" -eq 3 ]
	[ "$(py 'S["ev"]["last_status"]')" = error ]
	[ "$(py 'S["ev"]["last_exit"]')" = 7 ]
	[ "$(py 'S["ev"]["consecutive_errors"]')" = 1 ]
	# the second call resumed, the third created the same session again
	[ "$(awk 'BEGIN{RS="--\n"} NR==2' "$WS/claude.args" | grep -c -- --resume)" -eq 1 ]
	[ "$(awk 'BEGIN{RS="--\n"} NR==3' "$WS/claude.args" | grep -c -- --session-id)" -eq 1 ]
}

@test "claude system-event: a failed resume that re-creates the session is a success" {
	fake_claude
	event_task
	run hb_at "2026-01-05 09:00:00"
	echo 1 >"$WS/claude.exit.2"
	run hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ]
	[[ "$output" == *"claude reply 3"* ]]
	[ "$(py 'S["ev"]["last_status"]')" = ok ]
}

@test "claude templates: a model with spaces, flags and globs reaches claude as one argument" {
	fake_claude
	event_task 'model: "x --dangerously-skip-permissions *"'
	touch "$WS/a-file-a-glob-would-find"
	run hb_at "2026-01-05 09:00:00"		# HB_SESSION_NEW=1
	[ "$status" -eq 0 ]
	run hb_at "2026-01-05 09:30:00"		# resume
	[ "$status" -eq 0 ]
	[ "$(grep -cx -- 'x --dangerously-skip-permissions \*' "$WS/claude.args")" -eq 2 ]
	refute grep -qx -- '--dangerously-skip-permissions' "$WS/claude.args"
	refute grep -q 'a-file-a-glob-would-find' "$WS/claude.args"
	# and the agentTurn template too
	heartbeat <<'MD'
tasks:
  - name: turn
    interval: 30m
    model: "y --dangerously-skip-permissions *"
    prompt: a turn
MD
	run hb_at "2026-01-05 10:00:00"
	[ "$status" -eq 0 ]
	grep -qx -- 'y --dangerously-skip-permissions \*' "$WS/claude.args"
}
