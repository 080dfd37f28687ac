#!/usr/bin/env bats
# commands.bats - status, log, check, --help, --version and usage errors.

load helpers

three_tasks() {
	heartbeat <<'MD'
# Heartbeat

tasks:
  - name: alpha
    interval: 30m
    prompt: Check alpha
  - name: quiet
    type: systemEvent
    interval: 1h
    prompt: Check quiet
  - name: broken
    interval: 30m
    prompt: Always fails
MD
	echo HEARTBEAT_OK >"$WS/reply.quiet"
	echo 4 >"$WS/exit.broken"
}

# stdout of `status --json` in $output -> one field of one task
status_field() {
	printf '%s' "$output" | "$HBT_PY" -c '
import json, sys
for t in json.load(sys.stdin):
    if t["task"] == sys.argv[1]:
        v = t[sys.argv[2]]
        print(v if isinstance(v, str) else json.dumps(v))
' "$1" "$2"
}

@test "status: a table of every task with its schedule, last run, next due and last result" {
	three_tasks
	run hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	run --separate-stderr hb_at "2026-01-05 09:10:00" status
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "${lines[0]}" == TASK* ]]
	[[ "${lines[0]}" == *"NEXT DUE"* ]]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[1]}" == alpha*agentTurn*"2026-01-05 09:00"*ok* ]]
	[[ "${lines[2]}" == quiet*systemEvent*"2026-01-05 09:00"*ok* ]]
	[[ "${lines[3]}" == broken*agentTurn*"2026-01-05 09:00"*error* ]]
	# status reads; it never writes
	cp .heartbeat-state.json state.before
	run hb_at "2026-01-05 09:10:00" status
	cmp state.before .heartbeat-state.json
}

@test "status --json: task, type, last_run, next_due, last_status for every task" {
	three_tasks
	run hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	heartbeat <<'MD'
tasks:
  - name: alpha
    interval: 30m
    prompt: Check alpha
  - name: quiet
    type: systemEvent
    interval: 1h
    prompt: Check quiet
  - name: broken
    interval: 30m
    prompt: Always fails
  - name: fresh
    interval: 2h
    prompt: never ran yet
MD
	run --separate-stderr hb_at "2026-01-05 09:10:00" status --json
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | "$HBT_PY" -c 'import json,sys; print([t["task"] for t in json.load(sys.stdin)])')" = "['alpha', 'quiet', 'broken', 'fresh']" ]
	[ "$(status_field alpha type)" = agentTurn ]
	[ "$(status_field quiet type)" = systemEvent ]
	[ "$(status_field alpha last_run)" = "2026-01-05T09:00:00+00:00" ]
	[[ "$(status_field alpha next_due)" == 2026-01-05T09:2[9]:00+00:00 ||
	   "$(status_field alpha next_due)" == 2026-01-05T09:30:00+00:00 ]]
	[[ "$(status_field quiet next_due)" == 2026-01-05T09:5[4-9]:00+00:00 ||
	   "$(status_field quiet next_due)" == 2026-01-05T10:00:00+00:00 ]]
	[ "$(status_field alpha last_status)" = ok ]
	[ "$(status_field quiet last_status)" = ok ]
	[ "$(status_field broken last_status)" = error ]
	[ "$(status_field fresh last_run)" = null ]
	[ "$(status_field fresh last_status)" = null ]
	[ "$(status_field fresh due)" = true ]
	[ "$(status_field alpha due)" = false ]
}

@test "log: text, --json, --task T and -n 1" {
	three_tasks
	run hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	run hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 1 ]
	# 09:00: alpha quiet broken; 09:30: alpha broken
	run --separate-stderr hb_at "2026-01-05 09:31:00" log
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[0]}" == *2026-01-05T09:00:00*alpha*ok* ]]
	[[ "${lines[2]}" == *broken*error* ]]
	[[ "${lines[4]}" == *2026-01-05T09:30:00*broken* ]]

	run --separate-stderr hb_at "2026-01-05 09:31:00" log --json
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "$(printf '%s\n' "$output" | "$HBT_PY" -c '
import json, sys
e = [json.loads(l) for l in sys.stdin]
print(" ".join(x["task"] + ":" + x["status"] for x in e))')" = \
	    "alpha:ok quiet:ok broken:error alpha:ok broken:error" ]

	run --separate-stderr hb_at "2026-01-05 09:31:00" log --task alpha
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *alpha* && "${lines[1]}" == *alpha* ]]
	[[ "$output" != *broken* && "$output" != *quiet* ]]

	run --separate-stderr hb_at "2026-01-05 09:31:00" log -n 1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *2026-01-05T09:30:00*broken* ]]

	run --separate-stderr hb_at "2026-01-05 09:31:00" log -n 1 --task alpha --json
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(printf '%s' "$output" | "$HBT_PY" -c 'import json,sys; e=json.load(sys.stdin); print(e["task"], e["time"], e["reason"])')" = \
	    "alpha 2026-01-05T09:30:00+00:00 interval" ]

	run --separate-stderr hb_at "2026-01-05 09:31:00" log -n 0
	[ "$status" -eq 2 ]
}

@test "log: no log yet prints nothing and succeeds" {
	three_tasks
	run --separate-stderr hb_at "2026-01-05 09:00:00" log
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -e .heartbeat-log.jsonl ]
}

@test "check: a good workspace exits 0 with a summary and writes nothing" {
	three_tasks
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == *"HEARTBEAT.md"*"3 tasks"* ]]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
	[ ! -e .heartbeat-log.jsonl ]
	[ ! -e .heartbeat.lock ]
}

@test "check: a paused workspace and a paused task are notes naming until when; the exit status stays 0" {
	three_tasks
	run hb_at "2026-01-05 09:00:00" pause alpha --for 2h
	[ "$status" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == *"note: task 'alpha' is paused until 2026-01-05 11:00+00:00 (hb-run resume alpha)"* ]]
	[[ "$output" != *"workspace is paused"* ]]
	run hb_at "2026-01-05 09:00:00" pause
	[ "$status" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
	[[ "$output" == *"note: the workspace is paused until resumed: ticks run nothing (hb-run resume)"* ]]
	[[ "$output" == *"3 tasks, no problems"* ]]
	run --separate-stderr hb_at "2026-01-05 12:00:00" check
	[[ "$output" != *"task 'alpha' is paused"* ]]
}

@test "check: a broken workspace exits 2 and reports every problem with file:line" {
	heartbeat <<'MD'
tasks:
  - name: ok-task
    interval: 30m
    prompt: fine
  - name: bad name!
    prompt: x
  - name: no-prompt
    interval: 30m
  - name: ok-task
    prompt: duplicate
  - name: sched
    interval: 0x
    prompt: zero
MD
	cat >hb-run.ini <<'INI'
[runner]
max_concurrent = 0
INI
	export HB_AGENT_AGENT_TURN="$WS/missing-agent.sh"
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:5: "* ]]	# the bad name
	[[ "$stderr" == *"HEARTBEAT.md:7: "*prompt* ]]
	[[ "$stderr" == *"HEARTBEAT.md:9: "*duplicate* ]]
	[[ "$stderr" == *"HEARTBEAT.md:12: "* ]]	# interval 0x (0 alone is off)
	[[ "$stderr" == *"hb-run.ini:2: "*max_concurrent* ]]
	[[ "$stderr" == *"missing-agent.sh"*"not found"* ]]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
}

@test "check: a state file that is not valid JSON is reported with its position" {
	three_tasks
	printf '{\n  "alpha": {"last_run": 1,}\n' >.heartbeat-state.json
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *".heartbeat-state.json:2:"* ]]
}

@test "--help exits 0 with the usage; --version prints the version" {
	run --separate-stderr hb --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: hb-run"* ]]
	[[ "$output" == *"--catchup"* ]]
	[ -z "$stderr" ]
	run --separate-stderr hb --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^hb-run\ [0-9]+\.[0-9]+\.[0-9]+( \(portable\))?$ ]]
	local v
	v=$(sed -n 's/^VERSION *= *//p' "$BATS_TEST_DIRNAME/../../Makefile")
	[ -z "$v" ] || [ "$output" = "hb-run $v" ] || [ "$output" = "hb-run $v (portable)" ]
	# the portable build says so; a build with the Linux calls does not
	case $HB_BIN in
	*/portable/*) [[ "$output" == *"(portable)" ]] ;;
	*) [[ "$output" != *portable* ]] || [ "$(uname -s)" != Linux ] ;;
	esac
}

@test "an unknown option exits 2 with the usage on stderr and runs nothing" {
	three_tasks
	run --separate-stderr hb_at "2026-01-05 09:00:00" --no-such-option
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"usage: hb-run"* ]]
	[ -z "$output" ]
	run --separate-stderr hb_at "2026-01-05 09:00:00" status --bogus
	[ "$status" -eq 2 ]
	run --separate-stderr hb_at "2026-01-05 09:00:00" log --bogus
	[ "$status" -eq 2 ]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
}
