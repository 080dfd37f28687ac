#!/usr/bin/env bats
# tick.bats - one tick at a time under a faked clock: what runs, what is printed, what is
# recorded; the due rule over several ticks; --catchup; manual runs; the dry run.

load helpers

two_tasks() {
	heartbeat <<'MD'
# Test heartbeat

Some context for every task.

tasks:
  - name: alpha
    interval: 30m
    prompt: "Check alpha"
  - name: quiet
    interval: 30m
    prompt: Check quiet
MD
	echo "**HEARTBEAT_OK**" >"$WS/reply.quiet"
}

@test "first run: replies are delivered in file order, each under its header, a blank line between" {
	two_tasks
	cat >>HEARTBEAT.md <<'MD'
  - name: beta
    interval: 30m
    prompt: Check beta
MD
	printf 'line one\n\nline two\n' >reply.beta
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	printf '=== alpha ===\nreply from alpha\n\n=== beta ===\nline one\n\nline two\n' >expected
	printf '%s\n' "$output" | cmp - expected
	[ "$(tr '\n' ' ' <rec/order)" = "alpha quiet beta " ]
}

@test "first run: every task runs, the reply is delivered under its header, HEARTBEAT_OK is only logged" {
	two_tasks
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of alpha)" -eq 1 ]
	[ "$(runs_of quiet)" -eq 1 ]
	# stdout: exactly the delivered reply, under its header
	[ "${lines[0]}" = "=== alpha ===" ]
	[ "${lines[1]}" = "reply from alpha" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "$output" != *HEARTBEAT_OK* ]]
	[[ "$output" != *quiet* ]]
	[ -z "$stderr" ]
	# the state
	[ "$(py 'S["alpha"]["last_run"]')" -eq "$(epoch '2026-01-05 09:00:00')" ]
	[ "$(py 'S["quiet"]["last_run"]')" -eq "$(epoch '2026-01-05 09:00:00')" ]
	[ "$(py 'S["alpha"]["last_status"]')" = ok ]
	[ "$(py 'S["alpha"]["runs"]')" = 1 ]
	[ "$(py '"running" in S["alpha"]')" = false ]
	# the log: both runs, the suppressed reply kept there
	[ "$(py 'len(L)')" -eq 2 ]
	[ "$(py '[e["task"] for e in L]')" = '["alpha", "quiet"]' ]
	[ "$(py 'L[0]["reply_verdict"]')" = delivered ]
	[ "$(py 'L[1]["reply_verdict"]')" = heartbeat_ok ]
	[[ "$(py 'L[1]["reply"]')" == *"HEARTBEAT_OK"* ]]
	[ "$(py 'L[1]["status"]')" = ok ]
	[ "$(py 'L[1]["reason"]')" = interval ]
}

@test "replies: empty, NO_REPLY and short HEARTBEAT_OK acks are dropped; the rest delivered" {
	heartbeat <<'MD'
tasks:
  - name: empty
    prompt: p
  - name: noreply
    prompt: p
  - name: ack
    prompt: p
  - name: long
    prompt: p
  - name: middle
    prompt: p
MD
	printf '  \n\n' >reply.empty
	printf '  NO_REPLY\n' >reply.noreply
	printf 'HEARTBEAT_OK all quiet here.\n' >reply.ack
	{
		printf 'HEARTBEAT_OK '
		head -c 400 /dev/zero | tr '\0' x
		printf '\n'
	} >reply.long
	printf 'Say HEARTBEAT_OK only when all is fine; the disk is full.\n' >reply.middle
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of)" -eq 5 ]
	[[ "$output" != *"=== empty ==="* ]]
	[[ "$output" != *"=== noreply ==="* ]]
	[[ "$output" != *"=== ack ==="* ]]
	[[ "$output" != *NO_REPLY* ]]
	[[ "$output" == *"=== long ==="$'\n'"xxxx"* ]]
	[[ "$output" == *"=== middle ==="$'\n'"Say HEARTBEAT_OK only when all is fine; the disk is full."* ]]
	[ "$(py '[e["reply_verdict"] for e in L]')" = '["empty", "no_reply", "heartbeat_ok", "delivered", "delivered"]' ]
}

@test "a task still running in another tick is left alone: exit 0, nothing printed" {
	heartbeat <<'MD'
tasks:
  - name: slow
    interval: 30m
    prompt: take your time
MD
	agent_script "$WS/slow.sh" <<'EOF'
cat >/dev/null
echo $$ >>"$HB_WORKSPACE/pids/agents"
touch "$HB_WORKSPACE/slow.started"
sleep 3
echo "slow reply"
EOF
	export HB_AGENT_AGENT_TURN="$WS/slow.sh"
	hb_at "2026-01-05 09:00:00" >first.out 2>first.err &
	echo $! >>pids/background
	local i=0
	while [ ! -e slow.started ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e slow.started ]
	[ "$(py '"running" in S["slow"]')" = true ]
	run --separate-stderr hb_at "2026-01-05 09:00:05"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	run --separate-stderr hb_at "2026-01-05 09:00:05" status --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | "$HBT_PY" -c '
import json, sys
t = json.load(sys.stdin)[0]
assert t["running"]["pid"] > 0 and t["due"] is False, t'
	wait "$(cat pids/background)"
	[ "$(cat first.out)" = "$(printf '=== slow ===\nslow reply')" ]
	[ "$(py 'S["slow"]["runs"]')" = 1 ]
	[ "$(py '"running" in S["slow"]')" = false ]
	[ "$(py 'len(L)')" -eq 1 ]
}

@test "not yet due: a tick 10 minutes later runs nothing, prints nothing and leaves the state byte for byte" {
	two_tasks
	run hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	cp .heartbeat-state.json state.before
	cp .heartbeat-log.jsonl log.before
	run --separate-stderr hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(runs_of)" -eq 2 ]
	cmp state.before .heartbeat-state.json
	cmp log.before .heartbeat-log.jsonl
}

@test "due again: 30 minutes later every task runs again" {
	two_tasks
	run hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	run hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 0 ]
	echo "alpha again" >reply.alpha	# the same text again would be a duplicate
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of alpha)" -eq 2 ]
	[ "$(runs_of quiet)" -eq 2 ]
	[ "${lines[0]}" = "=== alpha ===" ]
	[ "$(py 'S["alpha"]["runs"]')" = 2 ]
	[ "$(py 'S["alpha"]["last_run"]')" -eq "$(epoch '2026-01-05 09:30:00')" ]
	[ "$(py 'len(L)')" -eq 4 ]
}

@test "cron every 30 minutes with late starts: a 30m task runs at every tick, no half-rate drift" {
	heartbeat <<'MD'
tasks:
  - name: inbox
    interval: 30m
    prompt: Check the inbox
MD
	local t
	for t in 09:00:07 09:30:02 10:00:09 10:30:00; do
		echo "inbox at $t" >reply.inbox	# a new text each time: no duplicate
		run --separate-stderr hb_at "2026-01-05 $t"
		[ "$status" -eq 0 ] || fail "tick at $t: exit $status: $stderr"
		[ "${lines[0]}" = "=== inbox ===" ] || fail "tick at $t ran nothing: '$output'"
	done
	[ "$(runs_of inbox)" -eq 4 ]
	[ "$(py 'S["inbox"]["runs"]')" = 4 ]
	[ "$(py 'S["inbox"]["last_run"]')" -eq "$(epoch '2026-01-05 10:30:00')" ]
}

@test "catch-up: at most catchup_max tasks, the most overdue first, staggered; the rest stay due" {
	heartbeat <<'MD'
tasks:
  - name: t1
    interval: 30m
    prompt: one
  - name: t2
    interval: 30m
    prompt: two
  - name: t3
    interval: 30m
    prompt: three
  - name: t4
    interval: 30m
    prompt: four
  - name: t5
    interval: 30m
    prompt: five
  - name: t6
    interval: 30m
    prompt: six
MD
	# Overdue, most first: t5 (04:00), t2 (05:00), t6 (06:00), t1, t4, t3.
	cat >.heartbeat-state.json <<JSON
{
  "t1": {"last_run": $(epoch '2026-01-05 07:00:00')},
  "t2": {"last_run": $(epoch '2026-01-05 05:00:00')},
  "t3": {"last_run": $(epoch '2026-01-05 08:00:00')},
  "t4": {"last_run": $(epoch '2026-01-05 07:30:00')},
  "t5": {"last_run": $(epoch '2026-01-05 04:00:00')},
  "t6": {"last_run": $(epoch '2026-01-05 06:00:00')}
}
JSON
	local t0 t1
	t0=$(date +%s)
	HB_RUNNER_CATCHUP_MAX=3 HB_RUNNER_CATCHUP_STAGGER=1s \
	    run --separate-stderr hb_at "2026-01-05 09:00:00" --catchup
	t1=$(date +%s)
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of)" -eq 3 ]
	[ "$(tr '\n' ' ' <rec/order)" = "t5 t2 t6 " ]
	[ "$(seen t5 HB_REASON)" = catchup ]
	# Started ~1 s apart: forked at least 1 s apart by the kernel's start times, which no
	# shell start-up delay blurs. The agents' fake clock only shows that they ran on the fake
	# date: libfaketime's shared clock (FAKETIME_DONT_RESET) was seen to restart in each child
	# on a loaded machine, so its order is not an oracle for the spacing.
	"$HBT_PY" - "$(getconf CLK_TCK)" t5 t2 t6 <<'PY'
import sys
hz = int(sys.argv[1])
names = sys.argv[2:]
fork = [int(open("rec/%s.1.forked" % n).read()) / hz for n in names]
fake = [float(open("rec/%s.1.start" % n).read()) for n in names]
for a, b in zip(fork, fork[1:]):
    assert b - a >= 0.95, ("forked too close together", names, fork)
assert fake[0] < 1767603600 + 60, ("not the fake clock", fake)
PY
	[ $((t1 - t0)) -ge 2 ]
	for t in t1 t3 t4; do
		[ "$(runs_of $t)" -eq 0 ]
	done
	# the next normal tick runs the other three, and only them
	run --separate-stderr hb_at "2026-01-05 09:05:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of)" -eq 6 ]
	[ "$(tail -n 3 rec/order | sort | tr '\n' ' ')" = "t1 t3 t4 " ]
	[ "$(seen t1 HB_REASON)" = interval ]
}

@test "manual run: 'hb-run TASK' runs a task that is not due, with HB_REASON=manual" {
	two_tasks
	run hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 09:05:00" alpha
	[ "$status" -eq 0 ]
	[ "$(runs_of alpha)" -eq 2 ]
	[ "$(runs_of quiet)" -eq 1 ]
	[ "$(seen alpha HB_REASON)" = manual ]
	[ "${lines[0]}" = "=== alpha ===" ]
	[ "$(py 'S["alpha"]["last_run"]')" -eq "$(epoch '2026-01-05 09:05:00')" ]
	[ "$(py 'L[-1]["reason"]')" = manual ]
	[ "$(py 'S["alpha"]["runs"]')" = 2 ]
}

@test "manual run: 'hb-run run NAME' runs a task named like a command" {
	heartbeat <<'MD'
tasks:
  - name: status
    interval: 30m
    prompt: a task called status
  - name: other
    interval: 30m
    prompt: other
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00" run status
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of status)" -eq 1 ]
	[ "$(runs_of other)" -eq 0 ]
	[ "$(seen status HB_REASON)" = manual ]
	[ "${lines[0]}" = "=== status ===" ]
	[ "$(py 'S["status"]["runs"]')" = 1 ]
}

@test "manual run: an unknown task name exits 2 and runs nothing" {
	two_tasks
	run --separate-stderr hb_at "2026-01-05 09:00:00" nosuch
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"nosuch"* ]]
	[ -z "$output" ]
	run --separate-stderr hb_at "2026-01-05 09:00:00" alpha nosuch
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no task named 'nosuch'"* ]]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
	[ ! -e .heartbeat-log.jsonl ]
}

@test "dry run: -n says what would run and why, starts no agent and writes no file" {
	two_tasks
	run --separate-stderr hb_at "2026-01-05 09:00:00" -n
	[ "$status" -eq 0 ]
	[[ "$output" == *"would run alpha"* ]]
	[[ "$output" == *"would run quiet"* ]]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
	[ ! -e .heartbeat-log.jsonl ]
	[ ! -e .heartbeat.lock ]
	[ -z "$(ls tmp)" ]
	# with a state: the due task would run, the other is skipped, nothing changes
	run hb_at "2026-01-05 09:00:00" quiet
	[ "$status" -eq 0 ]
	cp .heartbeat-state.json state.before
	cp .heartbeat-log.jsonl log.before
	run --separate-stderr hb_at "2026-01-05 09:10:00" --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"would run alpha"* ]]
	[[ "$output" != *"would run quiet"* ]]
	[[ "$output" == *"quiet"*"not due"* ]]
	[ "$(runs_of)" -eq 1 ]
	cmp state.before .heartbeat-state.json
	cmp log.before .heartbeat-log.jsonl
}

@test "malformed HEARTBEAT.md lines: reported as HEARTBEAT.md:LINE, exit 2, the valid tasks still run" {
	heartbeat <<'MD'
tasks:
  - name: good
    interval: 30m
    prompt: fine
  - name: colourful
    cron: "61 * * * *"
    prompt: has a bad cron expression
  - name: slow
    interval: -5m
    prompt: bad interval
  - name: good2
    prompt: also fine
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:6: "*cron* ]]
	[[ "$stderr" == *"HEARTBEAT.md:9: "*interval* ]]
	[ "$(runs_of good)" -eq 1 ]
	[ "$(runs_of good2)" -eq 1 ]
	[ "$(runs_of colourful)" -eq 0 ]
	[ "$(runs_of slow)" -eq 0 ]
	[[ "$output" == *"=== good ==="* ]]
	[ "$(py 'sorted(k for k in S if not k.startswith("_"))')" = '["good", "good2"]' ]
}

@test "an effectively empty HEARTBEAT.md: exit 0, no output, no agent, no state" {
	heartbeat <<'MD'
# Heartbeat

## Nothing here yet

-
- [ ]
* [x]
+

<!-- a comment
     over several lines -->
```
```sh
```
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
	[ ! -e .heartbeat-log.jsonl ]
	[ ! -e .heartbeat.lock ]
}

@test "a missing HEARTBEAT.md is a configuration error: exit 2" {
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md"* ]]
	[ -z "$output" ]
	[ ! -e .heartbeat-state.json ]
}

@test "an OpenClaw-style HEARTBEAT.md without a tasks: block runs one task named heartbeat" {
	heartbeat <<'MD'
# Heartbeat checklist

- Check email for anything urgent
- Look at the calendar for the next 2 hours
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of)" -eq 1 ]
	[ "$(runs_of heartbeat)" -eq 1 ]
	[ "$(seen heartbeat HB_TYPE)" = agentTurn ]
	grep -q HEARTBEAT_OK rec/heartbeat.1.stdin
	grep -qF -- "- Check email for anything urgent" rec/heartbeat.1.stdin
	grep -qF -- "- Look at the calendar for the next 2 hours" rec/heartbeat.1.stdin
	[ "${lines[0]}" = "=== heartbeat ===" ]
	[ "$(py 'S["heartbeat"]["runs"]')" = 1 ]
	# scheduled every default_interval (30m): not due 10 minutes later
	run hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of)" -eq 1 ]
}
