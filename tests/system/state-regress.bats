#!/usr/bin/env bats
# state-regress.bats - the state file under stress from outside: workspaces that share a state
# file or a log, a clock that went back, at: tasks that fail or change their time, a state file
# replaced during a run, hand edits, and ids from the file that would name other files.

load helpers

# hold_lock FILE SECONDS: holds a flock(2) of FILE in the background for that long, then
# touches $WS/released and lets go. Returns once the lock is held. (Its output goes nowhere:
# bats waits for every process that holds its descriptors.)
hold_lock() {
	flock "$1" sh -c 'touch "$WS/held"; sleep "$0"; touch "$WS/released"' "$2" \
	    </dev/null >/dev/null 2>&1 3>&- &
	echo $! >>"$WS/pids/holder"
	while [ ! -e "$WS/held" ]; do sleep 0.05; done
}

one_task() {
	mkdir -p "$1"
	cat >"$1/HEARTBEAT.md" <<'MD'
tasks:
  - name: a
    interval: 30m
    prompt: do a
MD
}

# ---- 4. workspaces that share a state file or a log ----------------------------------------

@test "a workspace whose state = another's state file takes that workspace's lock" {
	one_task "$WS/one"
	one_task "$WS/two"
	printf '[runner]\nstate = ../one/.heartbeat-state.json\n' >"$WS/two/hb-run.ini"
	hold_lock "$WS/one/.heartbeat.lock" 2
	run --separate-stderr hb_at "2026-01-05 09:00:00" -C "$WS/two"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -e "$WS/released" ] || fail "the tick did not wait for the lock of the state file"
	[ "$("$HBT_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["a"]["runs"])' \
	    "$WS/one/.heartbeat-state.json")" = 1 ]
	[ ! -e "$WS/two/.heartbeat-state.json" ]
}

@test "two workspaces with state = one shared file both lock FILE.lock next to it" {
	one_task "$WS/one"
	one_task "$WS/two"
	printf '[runner]\nstate = ../shared.json\n' >"$WS/one/hb-run.ini"
	printf '[runner]\nstate = %s/shared.json\n' "$WS" >"$WS/two/hb-run.ini"
	hold_lock "$WS/shared.json.lock" 2
	run --separate-stderr hb_at "2026-01-05 09:00:00" -C "$WS/one"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -e "$WS/released" ] || fail "the tick did not wait for shared.json.lock"
	# the other workspace sees the run: a is not due there
	run --separate-stderr hb_at "2026-01-05 09:10:00" -C "$WS/two"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ ! -e "$WS/two/rec" ]
}

@test "log rotation waits for a lock of the log file itself" {
	one_task "$WS"
	"$HBT_PY" -c 'import sys; sys.stdout.write(("{\"task\": \"old\"}\n") * 300000)' \
	    >.heartbeat-log.jsonl
	cp .heartbeat-log.jsonl old.log
	hold_lock "$WS/.heartbeat-log.jsonl" 2
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -e "$WS/released" ] || fail "the rotation did not wait for the log's lock"
	cmp old.log .heartbeat-log.jsonl.1
	[ "$(wc -l <.heartbeat-log.jsonl)" -eq 1 ]
	[ "$(py 'L[0]["task"]')" = a ]
}

# ---- 5. a clock that went back ---------------------------------------------------------------

@test "a last_run from the future (the clock went back): warned once, the task is due; status says so" {
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 30m
    prompt: do a
  - name: off
    interval: 30m
    enabled: false
    prompt: never
MD
	printf '{"a": {"last_run": %s}, "off": {"last_run": %s}}\n' \
	    "$(epoch '2027-06-01 00:00:00')" "$(epoch '2027-06-02 00:00:00')" >.heartbeat-state.json
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of a)" -eq 1 ]
	[ "$(grep -c 'clock went back' <<<"$stderr")" -eq 1 ] || fail "$stderr"
	[ "$(py 'S["_clock"]["seen"]')" -eq "$(epoch '2027-06-02 00:00:00')" ]
	[ "$(py 'S["a"]["last_run"]')" -eq "$(epoch '2026-01-05 09:00:00')" ]
	# the next run: no second warning for the same times
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of a)" -eq 2 ]
	[[ "$stderr" != *"clock went back"* ]] || fail "warned again: $stderr"
	run --separate-stderr hb_at "2026-01-05 09:31:00" status
	[ "$status" -eq 0 ]
	[[ "$output" == *"clock went back"* ]] || fail "$output"
}

@test "a claim from the future whose pid cannot be checked (no pid_start) does not hold the task" {
	one_task "$WS"
	sleep 60 </dev/null >/dev/null 2>&1 3>&- &
	live=$!
	echo "$live" >>pids/sleeper
	printf '{"a": {"last_run": %s, "running": {"pid": %s, "started": %s, "run_id": "6f1c2b3a-1111-4222-8333-944455556666"}}}\n' \
	    "$(epoch '2026-01-05 08:00:00')" "$live" "$(epoch '2027-01-01 00:00:00')" \
	    >.heartbeat-state.json
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of a)" -eq 1 ]
	[ "$(grep -c 'clock went back' <<<"$stderr")" -eq 1 ] || fail "$stderr"
	[ "$(py '[e["status"] for e in L]')" = '["interrupted", "ok"]' ]
	kill "$live"
}

# ---- 6. at: tasks that fail, or whose time changes -------------------------------------------

at_task() {
	heartbeat <<MD
tasks:
  - name: r
    at: $1
    prompt: remind me
MD
}

@test "a failed at: run is retried with the error backoff until it succeeds, then done" {
	at_task "2026-01-05 09:00"
	echo 1 >exit.r
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	[ "$(runs_of r)" -eq 1 ]
	[ "$(py 'S["r"].get("done", False)')" = false ]
	[ "$(py 'S["r"]["consecutive_errors"]')" = 1 ]
	# within the 30 s backoff: not yet
	run --separate-stderr hb_at "2026-01-05 09:00:20"
	[ "$status" -eq 0 ] && [ "$(runs_of r)" -eq 1 ]
	run --separate-stderr hb_at "2026-01-05 09:01:00"
	[ "$status" -eq 1 ] && [ "$(runs_of r)" -eq 2 ]
	rm exit.r
	run --separate-stderr hb_at "2026-01-05 09:05:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of r)" -eq 3 ]
	[ "$(py 'S["r"]["done"]')" = true ]
	[ "$(py 'S["r"]["done_at"]')" -eq "$(epoch '2026-01-05 09:00:00')" ]
	run --separate-stderr hb_at "2026-01-05 12:00:00"
	[ "$status" -eq 0 ] && [ "$(runs_of r)" -eq 3 ]
}

@test "a failing at: task gives up after 25 attempts in a row, and says so once" {
	at_task "2026-01-05 09:00"
	printf '{"r": {"last_run": %s, "last_status": "error", "runs": 24, "consecutive_errors": 24}}\n' \
	    "$(epoch '2026-01-06 07:00:00')" >.heartbeat-state.json
	echo 1 >exit.r
	run --separate-stderr hb_at "2026-01-06 08:00:00"
	[ "$status" -eq 1 ]
	[ "$(runs_of r)" -eq 1 ]
	[ "$(grep -c 'giving up' <<<"$stderr")" -eq 1 ] || fail "$stderr"
	[ "$(py 'S["r"]["done"]')" = true ]
	run --separate-stderr hb_at "2026-01-06 12:00:00"
	[ "$status" -eq 0 ] && [ "$(runs_of r)" -eq 1 ]
	[ -z "$stderr" ]
}

@test "an at: task whose time is changed to a later one after it ran runs again at the new time" {
	at_task "2026-01-05 09:00"
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] && [ "$(runs_of r)" -eq 1 ]
	at_task "2026-01-05 12:00"
	run --separate-stderr hb_at "2026-01-05 11:00:00"
	[ "$status" -eq 0 ] && [ "$(runs_of r)" -eq 1 ]
	run --separate-stderr hb_at "2026-01-05 12:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of r)" -eq 2 ]
	[ "$(py 'S["r"]["done_at"]')" -eq "$(epoch '2026-01-05 12:00:00')" ]
	run --separate-stderr hb_at "2026-01-05 13:00:00"
	[ "$status" -eq 0 ] && [ "$(runs_of r)" -eq 2 ]
}

# ---- 7. the state file replaced while a systemEvent runs -------------------------------------

event_and_task() {
	heartbeat <<'MD'
tasks:
  - name: ev
    type: systemEvent
    interval: 30m
    prompt: event
  - name: a
    interval: 30m
    prompt: do a
MD
}

@test "a systemEvent during whose run the state file turned corrupt is recorded; the fresh state is written" {
	event_and_task
	# hb-run records the agent's process group in its claim once it runs: spoil the file
	# after that write, not before it (where the write would repair it)
	agent_script "$WS/spoil.sh" <<EOF
n=0
while ! grep -q pgid "\$HB_WORKSPACE/.heartbeat-state.json" && [ \$n -lt 100 ]; do
	sleep 0.05
	n=\$((n + 1))
done
printf 'not JSON' >"\$HB_WORKSPACE/.heartbeat-state.json"
exec "$HBT_FIXTURES/agent.sh"
EOF
	export HB_AGENT_SYSTEM_EVENT="$WS/spoil.sh"
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"moved it aside"* ]] || fail "$stderr"
	[[ "$stderr" != *"out of memory"* ]] || fail "$stderr"
	[ "$(runs_of ev)" -eq 1 ] && [ "$(runs_of a)" -eq 1 ]
	[ "$(py 'S["ev"]["runs"]')" = 1 ]
	[ "$(py 'S["ev"]["last_status"]')" = ok ]
	[ "$(py 'S["_sessions"]["main"]["id"]')" = "$(seen ev HB_SESSION_ID)" ]
	[ "$(py 'S["_sessions"]["main"]["used"]')" = true ]
	# the next tick does not run everything again
	run --separate-stderr hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of)" -eq 2 ]
}

@test "a systemEvent whose _sessions entry vanished during its run is recorded" {
	event_and_task
	agent_script "$WS/drop.sh" <<EOF
n=0
while ! grep -q pgid "\$HB_WORKSPACE/.heartbeat-state.json" && [ \$n -lt 100 ]; do
	sleep 0.05
	n=\$((n + 1))
done
"$HBT_PY" - "\$HB_WORKSPACE/.heartbeat-state.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s.pop("_sessions", None)
json.dump(s, open(sys.argv[1] + ".new", "w"))
PY
mv "\$HB_WORKSPACE/.heartbeat-state.json.new" "\$HB_WORKSPACE/.heartbeat-state.json"
exec "$HBT_FIXTURES/agent.sh"
EOF
	export HB_AGENT_SYSTEM_EVENT="$WS/drop.sh"
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(py 'S["ev"]["runs"]')" = 1 ]
	[ "$(py 'S["_sessions"]["main"]["id"]')" = "$(seen ev HB_SESSION_ID)" ]
	[ "$(py 'S["_sessions"]["main"]["used"]')" = true ]
	run --separate-stderr hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 0 ] && [ "$(runs_of)" -eq 2 ]
}

# ---- 8. hand edits -----------------------------------------------------------------------------

@test "hand edits: a top-level string and a string last_run cost no history; what cannot be read is named" {
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 30m
    prompt: do a
  - name: b
    interval: 30m
    prompt: do b
  - name: c
    interval: 30m
    prompt: do c
  - name: d
    interval: 30m
    prompt: do d
MD
	cat >.heartbeat-state.json <<JSON
{"notes": "x", "list": [1, 2], "d": "my note",
 "a": {"last_run": "2026-01-05 08:00", "runs": 2, "mine": true},
 "b": {"last_run": $(epoch '2026-01-05 08:45:00'), "runs": 7},
 "c": {"last_run": "$(epoch '2026-01-05 08:50:00')", "runs": 4}}
JSON
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ] || fail "check: exit $status: $stderr"
	[[ "$stderr" == *"task 'a': cannot read last_run"* ]] || fail "check: $stderr"
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(ls -a | grep -c 'corrupt')" -eq 0 ]
	[ "$(runs_of a)" -eq 1 ] && [ "$(runs_of b)" -eq 0 ] && [ "$(runs_of c)" -eq 0 ]
	[ "$(runs_of d)" -eq 1 ]
	[[ "$stderr" == *"task 'a': cannot read last_run"* ]] || fail "$stderr"
	[[ "$stderr" == *"task 'd': cannot read the task's entry"* ]] || fail "$stderr"
	[ "$(grep -c 'cannot read' <<<"$stderr")" -eq 2 ] || fail "$stderr"
	[ "$(py 'S["notes"]')" = x ]
	[ "$(py 'S["list"]')" = '[1, 2]' ]
	[ "$(py 'S["a"]["runs"]')" = 3 ]
	[ "$(py 'S["a"]["mine"]')" = true ]
	[ "$(py 'S["b"]["runs"]')" = 7 ]
	[ "$(py 'S["c"]["runs"]')" = 4 ]
	[ "$(py 'S["d"]["_value"]')" = "my note" ]
	[ "$(py 'S["d"]["runs"]')" = 1 ]
}

@test "a last_run in milliseconds (13 digits) is read as such" {
	one_task "$WS"
	printf '{"a": {"last_run": %s000}}\n' "$(epoch '2026-01-05 08:45:00')" \
	    >.heartbeat-state.json
	run --separate-stderr hb_at "2026-01-05 09:00:00" status --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | "$HBT_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["last_run_ts"])')" = "$(epoch '2026-01-05 08:45:00')" ]
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] && [ "$(runs_of a)" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 09:15:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of a)" -eq 1 ]
	[[ "$stderr" != *"clock went back"* ]] || fail "$stderr"
}

# ---- 19. ids from the state file that would name other files ----------------------------------

@test "a dead claim's run_id that is not a UUID never reaches unlink" {
	one_task "$WS"
	mkdir "$WS/tmp/hb-run-prompt-"
	echo keep >"$WS/tmp/victim"
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	printf '{"a": {"last_run": %s, "running": {"pid": %s, "started": %s, "run_id": "/../victim"}}}\n' \
	    "$(epoch '2026-01-05 08:00:00')" "$dead" "$(epoch '2026-01-05 08:00:00')" \
	    >.heartbeat-state.json
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of a)" -eq 1 ]
	[ -e "$WS/tmp/victim" ] || fail "the file named by the run_id was removed"
}

@test "a main session id that is not a UUID is replaced by a fresh one" {
	heartbeat <<'MD'
tasks:
  - name: ev
    type: systemEvent
    interval: 30m
    prompt: event
MD
	printf '{"_sessions": {"main": {"id": "../x", "created": 1, "used": true}}}\n' \
	    >.heartbeat-state.json
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	id=$(seen ev HB_SESSION_ID)
	[[ "$id" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || fail "id $id"
	[ "$(seen ev HB_SESSION_NEW)" = 1 ]
	[ "$(py 'S["_sessions"]["main"]["id"]')" = "$id" ]
}
