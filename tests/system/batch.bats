#!/usr/bin/env bats
# batch.bats - [runner] batch = true: the due agentTurn tasks of a tick that one agent can
# run go to it as one prompt (each task's name and prompt under a heading, the context
# once), one agent start, one reply delivered once, recorded against each task (state and
# log, one line per task sharing the batch id, the usage on the first line only). A
# systemEvent task, a task on another agent, a manual run are not batched; a failed batch
# fails each task.

load helpers

five_tasks() {
	heartbeat <<'MD'
# Ops

Context: the repos live in ~/src.

tasks:
  - name: a
    interval: 30m
    prompt: Prompt of A
  - name: b
    interval: 30m
    prompt: Prompt of B
  - name: c
    interval: 30m
    prompt: Prompt of C
  - name: d
    interval: 30m
    prompt: Prompt of D
  - name: e
    interval: 30m
    prompt: Prompt of E
MD
	printf '[runner]\nbatch = true\n' >"$WS/hb-run.ini"
}

@test "batch: five due tasks make one agent start, one delivery, five records" {
	five_tasks
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of)" -eq 1 ]
	[ "$(runs_of _batch.default)" -eq 1 ]
	# one delivery: one header, naming the tasks, and the reply once
	[ "$(grep -c '^===' <<<"$output")" -eq 1 ]
	[[ "$output" == *"=== batch: a, b, c, d, e ==="* ]]
	[ "$(grep -c 'reply from _batch.default' <<<"$output")" -eq 1 ]
	# the prompt: each task's heading and prompt, the context once
	p="$WS/rec/_batch.default.1.prompt"
	for t in a b c d e; do
		grep -qxF "## Task: $t" "$p"
		grep -qxF "Prompt of ${t^^}" "$p"
	done
	[ "$(grep -c 'Context: the repos live in' "$p")" -eq 1 ]
	[ "$(grep -c 'Additional context from HEARTBEAT.md:' "$p")" -eq 1 ]
	[ "$(seen _batch.default HB_BATCH)" = "a b c d e" ]
	# five records: state and log, one batch id, the first task's run id
	for t in a b c d e; do
		[ "$(py "S['$t']['runs']")" = 1 ]
		[ "$(py "S['$t']['last_status']")" = ok ]
		[ "$(py "S['$t']['last_reply']")" = delivered ]
	done
	[ "$(py 'len(L)')" = 5 ]
	[ "$(py '[e["task"] for e in L]')" = '["a", "b", "c", "d", "e"]' ]
	[ "$(py 'len({e["batch"] for e in L})')" = 1 ]
	[ "$(py 'L[0]["batch"] == L[0]["run_id"]')" = true ]
	[ "$(seen _batch.default HB_RUN_ID)" = "$(py 'L[0]["batch"]')" ]
	[ "$(py 'len({e["run_id"] for e in L})')" = 5 ]
	# nothing left claimed; the next tick (not due) runs nothing
	[ "$(py '[k for k in S if not k.startswith("_") and S[k].get("running")]')" = '[]' ]
	run --separate-stderr hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	[ "$(runs_of)" -eq 1 ]
}

@test "batch: HEARTBEAT_OK from the batch suppresses the whole reply" {
	five_tasks
	echo HEARTBEAT_OK >"$WS/reply._batch.default"
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	for t in a b c d e; do
		[ "$(py "S['$t']['last_reply']")" = heartbeat_ok ]
	done
}

@test "batch: a systemEvent task and a task on another agent run on their own" {
	heartbeat <<'MD'
tasks:
  - name: a
    prompt: Prompt of A
  - name: b
    prompt: Prompt of B
  - name: ev
    type: systemEvent
    prompt: Prompt of EV
  - name: other
    agent: other
    prompt: Prompt of OTHER
MD
	cat >"$WS/hb-run.ini" <<EOF
[runner]
batch = true
[agent.other]
agent_turn = $HBT_FIXTURES/agent.sh
[runner]
batch = true
[agent.other]
agent_turn = $HBT_FIXTURES/agent.sh
EOF
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of)" -eq 3 ]
	[ "$(runs_of _batch.default)" -eq 1 ]
	[ "$(runs_of ev)" -eq 1 ]
	[ "$(runs_of other)" -eq 1 ]
	refute grep -q 'Prompt of EV\|Prompt of OTHER' "$WS/rec/_batch.default.1.prompt"
	[ "$(py '[e["task"] for e in L if "batch" in e]')" = '["a", "b"]' ]
	[ "$(py '[e["task"] for e in L if "batch" not in e]')" = '["ev", "other"]' ]
}

@test "batch: a manual run and a lone due task run as before" {
	five_tasks
	run --separate-stderr hb_at "2026-01-05 09:00:00" a b
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of a)" -eq 1 ] && [ "$(runs_of b)" -eq 1 ]
	[ "$(runs_of _batch.default)" -eq 0 ]
	# the tick after: c, d, e are due (a and b ran by name), one batch of three
	run --separate-stderr hb_at "2026-01-05 09:05:00"
	[ "$(runs_of _batch.default)" -eq 1 ]
	[ "$(grep -c '## Task:' "$WS/rec/_batch.default.1.prompt")" -eq 3 ]
	# a batch of one is a normal run
	run --separate-stderr hb_at "2026-01-05 09:29:30" a
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$(runs_of b)" -eq 2 ]
	[ "$(runs_of _batch.default)" -eq 1 ]
}

@test "batch: a failed batch gives each task the error, and each backs off" {
	five_tasks
	echo 3 >"$WS/exit._batch.default"
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	[ "$(runs_of)" -eq 1 ]
	[[ "$stderr" == *"_batch.default: the agent failed with exit status 3"* ]]
	for t in a b c d e; do
		[ "$(py "S['$t']['last_status']")" = error ]
		[ "$(py "S['$t']['consecutive_errors']")" = 1 ]
	done
	[ "$(py '[e["status"] for e in L]')" = '["error", "error", "error", "error", "error"]' ]
}

@test "batch: the agent's usage is on the batch's first log line only" {
	five_tasks
	agent_script "$WS/usage.sh" <<'SH'
cat >/dev/null
echo "$HB_TASK" >>"$HB_WORKSPACE/starts"
printf '{"type":"result","subtype":"success","is_error":false,"result":"all five %s","total_cost_usd":0.25,"usage":{"input_tokens":1000,"output_tokens":200}}\n' "$$"
SH
	printf '[runner]\nbatch = true\n[agent]\ndefault = cj\n[agent.cj]\nagent_turn = %s\noutput = claude-json\n' \
	    "$WS/usage.sh" >"$WS/hb-run.ini"
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(wc -l <"$WS/starts")" -eq 1 ]
	[ "$(py '[e.get("input_tokens") for e in L]')" = '[1000, null, null, null, null]' ]
	[ "$(py 'sum(e.get("cost_usd", 0) for e in L)')" = 0.25 ]
	# and in the state: the first task's totals hold it, the others none
	[ "$(py '[S[t].get("tokens_in", 0) for t in "abcde"]')" = '[1000, 0, 0, 0, 0]' ]
	[ "$(py 'sum(S[t].get("cost_usd", 0) for t in "abcde")')" = 0.25 ]
}

@test "batch: an at: task in a batch is done after it; the others are not" {
	heartbeat <<'MD'
tasks:
  - name: once
    at: 2026-01-05 08:00
    prompt: Once
  - name: often
    interval: 30m
    prompt: Often
MD
	printf '[runner]\nbatch = true\ntimezone = UTC\n' >"$WS/hb-run.ini"
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of _batch.default)" -eq 1 ]
	[ "$(py 'S["once"].get("done"), S["often"].get("done")')" = '[true, null]' ]
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$(runs_of often)" -eq 1 ]		# alone now: a normal run
	[ "$(runs_of _batch.default)" -eq 1 ]
}
