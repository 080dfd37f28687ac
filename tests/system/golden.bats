#!/usr/bin/env bats
# golden.bats - regression cases kept as files, as mandoc keeps its inputs and outputs: each
# folder tests/system/fixtures/CASE/ holds a HEARTBEAT.md, and optionally state.json (the state
# file before), hb-run.ini, files/ (copied into the workspace: reply.TASK for the fake
# agent), args (hb-run's arguments, one line; none: a tick) and time (the
# clock, UTC; default 2026-01-05 09:00:00). expected.out is what hb-run printed: standard
# output, then standard error after "--- stderr", then "--- exit N", with the workspace's path
# written as $WS. A behaviour change shows up as a diff. After a deliberate change:
#     GOLDEN_UPDATE=1 bats tests/system/golden.bats
# rewrites the expected.out files; review them with git diff.

load helpers

golden() {
	local dir="$HBT_FIXTURES/$1" when="2026-01-05 09:00:00" args=() got
	[ -f "$dir/HEARTBEAT.md" ] || fail "no case $1"
	cp "$dir/HEARTBEAT.md" "$WS/HEARTBEAT.md"
	[ ! -f "$dir/state.json" ] || cp "$dir/state.json" "$WS/.heartbeat-state.json"
	[ ! -f "$dir/hb-run.ini" ] || cp "$dir/hb-run.ini" "$WS/hb-run.ini"
	[ ! -d "$dir/files" ] || cp -R "$dir/files/." "$WS/"
	[ ! -f "$dir/time" ] || when=$(cat "$dir/time")
	[ ! -f "$dir/args" ] || read -r -a args <"$dir/args"
	run --separate-stderr hb_frozen "$when" "${args[@]}"
	got=$(printf '$ hb-run %s\n%s\n--- stderr\n%s\n--- exit %d\n' "${args[*]}" "$output" \
	    "$stderr" "$status" | sed "s|$WS|\$WS|g")
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		printf '%s\n' "$got" >"$dir/expected.out"
		return 0
	fi
	diff -u "$dir/expected.out" <(printf '%s\n' "$got") >&2 || fail "$1: output differs"
}

@test "golden: malformed lines are reported as HEARTBEAT.md:LINE; the valid tasks run" {
	golden malformed
}

@test "golden: a dry run on a fresh workspace says what would run and why" {
	golden dry-run-fresh
}

@test "golden: a dry run with a state: due, not due, first sight, disabled, done, running" {
	golden dry-run-state
}

@test "golden: check reports every problem of a broken workspace with file:line" {
	golden check-broken
}

@test "golden: check on a good workspace" {
	golden check-good
}

@test "golden: an effectively empty HEARTBEAT.md does nothing and says nothing" {
	golden empty
}

@test "golden: an OpenClaw checklist without a tasks: block is one task, heartbeat" {
	golden openclaw-checklist
}

@test "golden: status shows every task's schedule, last run, next due and last result" {
	golden status
}

@test "golden: a plain-format state file with recent runs: nothing is due, nothing printed" {
	golden plain-state
}

@test "golden: replies are delivered under their headers; HEARTBEAT_OK acks are not" {
	golden replies
}
