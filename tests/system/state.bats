#!/usr/bin/env bats
# state.bats - the state file: compatible with the plain {"task": {"last_run": N}} format,
# and keys hb-run does not know survive its writes.

load helpers

email_check() {
	heartbeat <<'MD'
tasks:
  - name: email-check
    interval: 30m
    prompt: Check email
MD
}

@test "plain state format: a recent last_run is not due, nothing is written" {
	email_check
	printf '{"email-check": {"last_run": %s}}\n' "$(epoch '2026-01-05 08:45:00')" \
	    >.heartbeat-state.json
	cp .heartbeat-state.json state.before
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(runs_of)" -eq 0 ]
	cmp state.before .heartbeat-state.json
	run --separate-stderr hb_at "2026-01-05 09:00:00" status --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | "$HBT_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["due"])')" = False ]
}

@test "plain state format: an old last_run is due; the task runs and the file is updated" {
	email_check
	printf '{"email-check": {"last_run": %s}}\n' "$(epoch '2026-01-05 07:00:00')" \
	    >.heartbeat-state.json
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of email-check)" -eq 1 ]
	[ "${lines[0]}" = "=== email-check ===" ]
	[ "$(py 'S["email-check"]["last_run"]')" -eq "$(epoch '2026-01-05 09:00:00')" ]
	[ "$(py 'S["email-check"]["last_status"]')" = ok ]
	# the plain reader's view still works: last_run is whole Unix seconds
	[ "$(py 'type(S["email-check"]["last_run"]).__name__')" = int ]
}

@test "unknown keys survive a run: top-level _mine, a task's note, another program's task" {
	email_check
	cat >.heartbeat-state.json <<JSON
{
  "_mine": {"list": [1, 2, {"deep": "value"}], "flag": true, "nothing": null},
  "email-check": {"last_run": $(epoch '2026-01-05 07:00:00'), "note": "x"},
  "not-in-heartbeat": {"last_run": 1712847600, "custom": [3]}
}
JSON
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of email-check)" -eq 1 ]
	[ "$(py 'S["_mine"]')" = '{"list": [1, 2, {"deep": "value"}], "flag": true, "nothing": null}' ]
	[ "$(py 'S["email-check"]["note"]')" = x ]
	[ "$(py 'S["email-check"]["runs"]')" = 1 ]
	[ "$(py 'S["not-in-heartbeat"]')" = '{"last_run": 1712847600, "custom": [3]}' ]
	# and again, through a second write
	run hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of email-check)" -eq 2 ]
	[ "$(py 'S["email-check"]["note"]')" = x ]
	[ "$(py 'S["_mine"]["list"][2]["deep"]')" = value ]
	# hb-run's own files are private
	[ "$(stat -c %a .heartbeat-state.json)" = 600 ]
	[ "$(stat -c %a .heartbeat-log.jsonl)" = 600 ]
	[ -z "$(ls -A | grep '^\.heartbeat-state\.json\.')" ]
}
