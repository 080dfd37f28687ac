#!/usr/bin/env bats
# oneshot.bats - one-shot tasks (schedule, tasks, cancel): the limits, their run once through
# the tick and the retries of a failed one; follow-ups an agent asks for (by the command and
# by the reply directive) and their limits; [runner] jitter and enabled; every: 0.

load helpers

T0="2026-01-05 09:00:00"

# A workspace with one daily task (so that HEARTBEAT.md is not empty).
pulse() {
	heartbeat <<'MD'
tasks:
  - name: pulse
    interval: 1d
    prompt: Every day
MD
}

# The id of the one-shot named $1 (the first), from hb-run tasks --json at $T0.
id_of() {
	hb_at "$T0" tasks --json | "$HBT_PY" -c '
import json, sys
print([t["id"] for t in json.load(sys.stdin) if t["name"] == sys.argv[1]][0])' "$1"
}

# How many one-shots wait (the state file).
pending() {
	py 'len(S.get("_oneshots", [])) if S else 0'
}

@test "schedule, tasks (text and --json), cancel" {
	pulse
	run --separate-stderr hb_at "$T0" schedule "Check the CI" --in 30m --name ci
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" =~ ^scheduled\ [0-9a-f]{8}\ \(ci\)\ for\ 2026-01-05T09:30:00\+00:00$ ]] ||
	    fail "$output"
	run --separate-stderr hb_at "$T0" schedule "Remind me" --at "2026-01-05 17:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	ci=$(id_of ci)
	[[ "$ci" =~ ^[0-9a-f]{8}$ ]]
	run --separate-stderr hb_at "$T0" tasks
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "$ci  ci    2026-01-05 09:30"*"Check the CI"* ]] || fail "$output"
	[[ "${lines[2]}" == *" once  2026-01-05 17:00"*"Remind me"* ]] || fail "$output"
	run --separate-stderr hb_at "$T0" status
	[[ "$output" == *"one-shot tasks"*"$ci  ci"* ]] || fail "$output"
	[ "$(py 'S["_oneshots"][0]["at"]')" -eq "$(epoch '2026-01-05 09:30:00')" ]
	[ "$(py 'S["_oneshots"][0]["prompt"]')" = "Check the CI" ]
	run --separate-stderr hb_at "$T0" cancel "$ci"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$output" = "cancelled $ci (ci)" ]
	[ "$(pending)" -eq 1 ]
	run --separate-stderr hb_at "$T0" cancel "$ci"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"cancel: no one-shot task '$ci' waits (hb-run tasks)"* ]]
	# a cancelled one never runs
	quiet=$(hb_at "2026-01-05 09:31:00" 2>&1)
	[ "$(runs_of "ci#$ci")" -eq 0 ]
}

@test "schedule: the limits (24 h ahead, 10 waiting) and bad input, each with a clear error" {
	pulse
	run --separate-stderr hb_at "$T0" schedule "x" --in 25h
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"schedule: at most 24 h ahead (that is 25 h 00 m from now)"* ]] ||
	    fail "$stderr"
	run --separate-stderr hb_at "$T0" schedule "x" --at "2026-01-06 09:30"
	[ "$status" -eq 2 ]
	run --separate-stderr hb_at "$T0" schedule "x" --at "2026-01-05 08:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"schedule: that time has passed"* ]] || fail "$stderr"
	run --separate-stderr hb_at "$T0" schedule "x" --at "tea time"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"schedule: bad --at 'tea time'"* ]] || fail "$stderr"
	run --separate-stderr hb_at "$T0" schedule "x" --at 25:00
	[ "$status" -eq 2 ]
	run --separate-stderr hb_at "$T0" schedule "x" --in soon
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"schedule: bad --in 'soon'"* ]] || fail "$stderr"
	run --separate-stderr hb_at "$T0" schedule "x" --in 1m --agent nosuch
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"schedule: unknown agent 'nosuch'"* ]] || fail "$stderr"
	run --separate-stderr hb_at "$T0" schedule "x" --in 1m --notify "tgram://nochat"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"schedule: bad --notify target"* ]] || fail "$stderr"
	run --separate-stderr hb_at "$T0" schedule "x" --in 1m --name "bad name"
	[ "$status" -eq 2 ]
	run --separate-stderr hb_at "$T0" schedule "x" --in 1m --at 17:00
	[ "$status" -eq 2 ]
	run --separate-stderr hb_at "$T0" schedule --in 1m
	[ "$status" -eq 2 ]
	[ "$(pending)" -eq 0 ]
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run --separate-stderr hb_at "$T0" schedule "task $i" --in "${i}m" --agent demo
		[ "$status" -eq 0 ] || fail "$i: exit $status: $stderr"
	done
	run --separate-stderr hb_at "$T0" schedule "eleven" --in 11m
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run: schedule: at most 10 one-shot tasks may wait; cancel one (hb-run tasks)"* ]] ||
	    fail "$stderr"
	[ "$(pending)" -eq 10 ]
	[ "$(py 'S["_oneshots"][0]["agent"]')" = demo ]
}

@test "schedule --at HH:MM is the next such time in [runner] timezone: today, or tomorrow once passed" {
	pulse
	printf '[runner]\ntimezone = Europe/Berlin\n' >hb-run.ini
	# 09:00 UTC is 10:00 in Berlin
	run --separate-stderr hb_at "$T0" schedule "later today" --at 17:00
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"for 2026-01-05T17:00:00+01:00" ]] || fail "$output"
	run --separate-stderr hb_at "$T0" schedule "tomorrow" --at 09:30
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"for 2026-01-06T09:30:00+01:00" ]] || fail "$output"
	run --separate-stderr hb_at "$T0" schedule "dated" --at "2026-01-05 18:15"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(py 'S["_oneshots"][2]["at"]')" -eq "$(epoch '2026-01-05 17:15:00')" ]
}

@test "a one-shot runs once at its time through the tick, then is gone; the log keeps its run with its name and id" {
	heartbeat </dev/null	# nothing in HEARTBEAT.md: the one-shot still runs
	run --separate-stderr hb_at "$T0" schedule "Check the CI" --in 30m --name ci
	[ "$status" -eq 0 ] || fail "$stderr"
	id=$(id_of ci)
	run --separate-stderr hb_at "2026-01-05 09:29:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output" ] && [ -z "$stderr" ]
	[ "$(runs_of "ci#$id")" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 09:29:00" -n
	[[ "$output" == *"skip ci#$id: not due until 2026-01-05T09:30:00+00:00"* ]] || fail "$output"
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of "ci#$id")" -eq 1 ]
	[[ "$output" == *"reply from ci#$id"* ]] || fail "$output"
	grep -qx "Check the CI" "$WS/rec/ci#$id.1.prompt"
	[ "$(seen "ci#$id" HB_REASON)" = at ]
	[ "$(pending)" -eq 0 ]
	[ "$(py '"ci#'"$id"'" in S')" = false ]
	[ "$(py '[(e["task"], e["status"]) for e in L]')" = "[[\"ci#$id\", \"ok\"]]" ]
	for t in "2026-01-05 09:31:00" "2026-01-05 10:30:00" "2026-01-06 09:30:00"; do
		run --separate-stderr hb_at "$t"
		[ "$status" -eq 0 ]
	done
	[ "$(runs_of "ci#$id")" -eq 1 ]
	run --separate-stderr hb_at "2026-01-06 09:30:00" tasks
	[ "$output" = "no one-shot tasks wait" ]
}

@test "a one-shot survives a reboot: a claim from an earlier boot (its pid alive again) does not hold it" {
	needs_linux_platform "boot id"
	pulse
	run --separate-stderr hb_at "$T0" schedule "After the reboot" --in 10m --name rb
	[ "$status" -eq 0 ] || fail "$stderr"
	id=$(id_of rb)
	# the state as a tick of the earlier boot left it: the one-shot claimed by a pid that
	# now names a live process (ours), in another boot
	"$HBT_PY" - "rb#$id" "$$" <<'PY'
import json, sys
with open(".heartbeat-state.json") as f:
    s = json.load(f)
s[sys.argv[1]] = {"running": {"pid": int(sys.argv[2]), "started_ts": 1767603600,
                  "run_id": "0badc1a1-0000-4000-8000-000000000009",
                  "boot_id": "00000000-0000-4000-8000-000000000000"}}
with open(".heartbeat-state.json", "w") as f:
    json.dump(s, f)
PY
	run --separate-stderr hb_at "2026-01-05 09:10:00"
	[ "$(runs_of "rb#$id")" -eq 1 ] || fail "exit $status: $stderr"
	[ "$(pending)" -eq 0 ]
}

@test "a failed one-shot is retried with the backoff, then dropped after 5 failures with one message" {
	pulse
	run --separate-stderr hb_at "$T0" schedule "Flaky" --in 10m --name flaky
	[ "$status" -eq 0 ] || fail "$stderr"
	id=$(id_of flaky)
	echo 3 >"exit.flaky#$id"
	hb_at "$T0" >/dev/null 2>&1 || true	# pulse runs
	# backoffs after 1, 2, 3, 4 failures: 30 s, 1 m, 5 m, 15 m
	n=0
	for t in "09:10:00" "09:10:20" "09:11:00" "09:11:50" "09:12:10" "09:16:00" "09:17:10" \
	    "09:31:00" "09:32:20"; do
		run --separate-stderr hb_at "2026-01-05 $t"
		if [ "$(runs_of "flaky#$id")" -gt "$n" ]; then
			n=$(runs_of "flaky#$id")
			[ "$status" -eq 1 ] || fail "$t: exit $status"
		fi
		if [ "$n" -lt 5 ]; then
			[ "$(pending)" -eq 1 ] || fail "dropped after $n failures at $t"
			[[ "$stderr" != *dropped* ]] || fail "$t: $stderr"
		fi
		echo "$t $n" >>runs.txt
	done
	[ "$(cut -d' ' -f2 runs.txt | tr '\n' ' ')" = "1 1 2 2 3 3 4 4 5 " ] || fail "$(cat runs.txt)"
	[ "$(pending)" -eq 0 ]
	[ "$(grep -c dropped <<<"$stderr")" -eq 1 ] || fail "$stderr"
	[[ "$stderr" == *"flaky#$id: one-shot task failed 5 times in a row; dropped (its runs are in the log)"* ]] ||
	    fail "$stderr"
	[ "$(py 'len([e for e in L if e["task"] == "flaky#'"$id"'" and e["status"] == "error"])')" -eq 5 ]
	[ "$(py '"flaky#'"$id"'" in S')" = false ]
	run --separate-stderr hb_at "2026-01-05 10:30:00"
	[ "$(runs_of "flaky#$id")" -eq 5 ]
}

@test "a one-shot that failed once and then succeeds is gone; tasks shows the failure while it waits" {
	pulse
	hb_at "$T0" schedule "Flaky" --in 10m --name flaky >/dev/null
	id=$(id_of flaky)
	echo 1 >"exit.flaky#$id"
	run --separate-stderr hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 1 ]
	run --separate-stderr hb_at "2026-01-05 09:10:10" tasks
	[[ "$output" == *"[failed 1 time, retried]"* ]] || fail "$output"
	rm "exit.flaky#$id"
	run --separate-stderr hb_at "2026-01-05 09:11:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of "flaky#$id")" -eq 2 ]
	[ "$(pending)" -eq 0 ]
}

@test "two overlapping ticks never run a one-shot twice" {
	pulse
	hb_at "$T0" >/dev/null 2>&1
	agent_script slow.sh <<EOF
echo \$\$ >>"\$HB_WORKSPACE/pids/agents"
echo "\$HB_TASK \$HB_RUN_ID" >>"\$HB_WORKSPACE/runs"
sleep 1
echo "ran \$HB_TASK \$HB_RUN_ID"
EOF
	export HB_AGENT_AGENT_TURN="$WS/slow.sh"
	for i in 1 2 3; do
		hb_at "$T0" schedule "one-shot $i" --in 5m --name "o$i" >/dev/null
	done
	for i in 1 2 3 4 5 6; do
		hb_at "2026-01-05 09:05:00" >"out.$i" 2>&1 &
		echo $! >>"$WS/pids/ticks"
	done
	wait
	[ "$(wc -l <runs)" -eq 3 ] || fail "$(cat runs out.*)"
	[ "$(cut -d' ' -f1 runs | sort -u | wc -l)" -eq 3 ]
	[ "$(pending)" -eq 0 ]
	[ "$(py 'len([e for e in L if "#" in e["task"]])')" -eq 3 ]
}

@test "a tick that planned a one-shot which another tick then ran and removed does not run it again" {
	# tick B plans, then waits its jitter (1 s of 2 s for this path) before it claims;
	# meanwhile tick A (no jitter) runs the one-shot and removes it
	for d in a b c d e f g h i j; do
		p="$WS/ws-$d"
		v=$("$HBT_PY" -c '
import sys
h = 14695981039346656037
for b in sys.argv[1].encode():
    h = ((h ^ b) * 1099511628211) % 2**64
print(h % 2)' "$p")
		[ "$v" -eq 1 ] && break
	done
	[ "$v" -eq 1 ]
	mkdir "$p"
	printf 'tasks:\n  - name: a\n    interval: 1d\n    prompt: p\n' >"$p/HEARTBEAT.md"
	printf '[runner]\njitter = 2s\n' >"$p/hb-run.ini"
	hb_at "$T0" -C "$p" -o runner.jitter=0 >/dev/null 2>&1
	hb_at "$T0" -C "$p" schedule "only once" --in 5m --name once >/dev/null
	hb_at "2026-01-05 09:05:00" -C "$p" -v >b.out 2>&1 &
	echo $! >>"$WS/pids/ticks"
	sleep 0.4
	run --separate-stderr hb_at "2026-01-05 09:05:00" -C "$p" -o runner.jitter=0
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	wait
	grep -q "jitter: waiting 1s" b.out || fail "$(cat b.out)"
	[ "$(grep -c '^once#' "$p/rec/order")" -eq 1 ] || fail "$(cat "$p/rec/order" b.out)"
}

@test "follow-up by command: hb-run schedule inside a run finds the workspace, records the parent, inherits agent and dangerous" {
	needs_linux_platform "boot id"
	heartbeat <<'MD'
tasks:
  - name: watch
    interval: 1d
    agent: helper
    dangerous: true
    prompt: Watch the CI
MD
	agent_script follow.sh <<EOF
echo \$\$ >>"\$HB_WORKSPACE/pids/agents"
cd /
# run with no -C: HB_WORKSPACE names the workspace
if [ "\$HB_TASK" = watch ]; then
	# on the tick's fake clock (the sanitizer pass preloads nothing into the agents)
	LD_PRELOAD="${HB_ASAN_PRELOAD:+$HB_ASAN_PRELOAD }\$HBT_FAKETIME_LIB" \
	    "$HB_BIN" schedule "Check the CI again" --in 30m --name ci-again >"\$HB_WORKSPACE/sched.out" 2>&1
	echo "\$HB_RUN_ID" >"\$HB_WORKSPACE/parent"
fi
echo "watched \$HB_TASK, dangerous=\$HB_DANGEROUS"
EOF
	printf '[agent.helper]\nagent_turn = %s\n' "$WS/follow.sh" >hb-run.ini
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	grep -q '^scheduled [0-9a-f]\{8\} (ci-again) for 2026-01-05T09:30:' sched.out || fail "$(cat sched.out)"
	[ "$(pending)" -eq 1 ]
	[ "$(py 'S["_oneshots"][0]["parent_run"]')" = "$(cat parent)" ]
	[ "$(py 'S["_oneshots"][0]["parent_task"]')" = watch ]
	[ "$(py 'S["_oneshots"][0]["agent"]')" = helper ]
	[ "$(py 'S["_oneshots"][0]["dangerous"]')" = true ]
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"watched ci-again#"*", dangerous=1"* ]] || fail "$output"
	[ "$(pending)" -eq 0 ]
	# from outside a run, a stale HB_RUN_ID is refused, not believed
	HB_RUN_ID=0badc1a1-0000-4000-8000-000000000001 HB_TASK=watch \
	    run --separate-stderr hb_at "$T0" schedule "x" --in 1m
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"names no running run of task 'watch'"* ]] || fail "$stderr"
}

@test "follow-up by command from a tick configured elsewhere (-c, -o): it lands in that tick's state file" {
	needs_linux_platform "boot id"
	mkdir conf
	heartbeat <<'MD'
tasks:
  - name: ignored
    interval: 1d
    prompt: not this file
MD
	cat >conf/tasks.md <<'MD'
tasks:
  - name: watch
    interval: 1d
    agent: helper
    prompt: Watch the CI
MD
	agent_script follow.sh <<EOF
echo \$\$ >>"\$HB_WORKSPACE/pids/agents"
env | grep '^HB_RUNNER_' | sort >"\$HB_WORKSPACE/runner.env"
"$HB_BIN" schedule "Check the CI again" --in 30m >"\$HB_WORKSPACE/sched.out" 2>&1
echo "ran \$HB_TASK"
EOF
	printf '[runner]\ntasks = conf/tasks.md\n[agent.helper]\nagent_turn = %s\n' "$WS/follow.sh" \
	    >conf/hb.ini
	HB_RUNNER_TIMEOUT=5m run --separate-stderr hb_at "$T0" -c conf/hb.ini \
	    -o runner.state=conf/state.json -o runner.log=conf/log.jsonl
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	grep -q '^scheduled [0-9a-f]\{8\}' sched.out || fail "$(cat sched.out)"
	[ "$(cat runner.env)" = "$(printf 'HB_RUNNER_LOG=conf/log.jsonl\nHB_RUNNER_STATE=conf/state.json\nHB_RUNNER_TASKS=conf/tasks.md')" ]
	[ "$(jq -r '._oneshots[0].parent_task' conf/state.json)" = watch ]
	if [ -e .heartbeat-state.json ]; then
		[ "$(jq -r '._oneshots | length' .heartbeat-state.json)" = 0 ]
	fi
}

@test "follow-up by reply directive: the line is taken out of the delivered text and schedules a one-shot" {
	heartbeat <<'MD'
tasks:
  - name: watch
    interval: 1d
    prompt: Watch the CI
MD
	printf 'CI is red on main.\nHEARTBEAT_FOLLOWUP: 30m Check the CI again\n' >reply.watch
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"CI is red on main."* ]]
	[[ "$output" != *HEARTBEAT_FOLLOWUP* ]] || fail "$output"
	[[ "$output" != *"Check the CI again"* ]] || fail "$output"
	[ "$(pending)" -eq 1 ]
	[ "$(py 'S["_oneshots"][0]["name"]')" = watch ]
	[ "$(py 'S["_oneshots"][0]["prompt"]')" = "Check the CI again" ]
	[ "$(py 'S["_oneshots"][0]["at"]')" -eq "$(epoch '2026-01-05 09:30:00')" ]
	[ "$(py 'S["_oneshots"][0]["parent_run"] == L[0]["run_id"]')" = true ]
	# a reply that is only a directive and HEARTBEAT_OK is an ack: nothing delivered
	id=$(py 'S["_oneshots"][0]["id"]')
	printf 'HEARTBEAT_OK\nHEARTBEAT_FOLLOWUP: 17:00 remind me at five\n' >"reply.watch#$id"
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output" ] || fail "$output"
	[ "$(pending)" -eq 1 ]
	[ "$(py 'S["_oneshots"][0]["prompt"]')" = "remind me at five" ]
	[ "$(py 'S["_oneshots"][0]["at"]')" -eq "$(epoch '2026-01-05 17:00:00')" ]
}

@test "a runaway agent asking for 50 follow-ups (by command and by directive) gets 3 per run and one message" {
	heartbeat <<'MD'
tasks:
  - name: cmd
    interval: 1d
    prompt: loop on the command
  - name: directive
    interval: 1d
    prompt: loop on the directive
MD
	agent_script runaway.sh <<EOF
echo \$\$ >>"\$HB_WORKSPACE/pids/agents"
i=0
while [ \$i -lt 50 ]; do
	i=\$((i + 1))
	if [ "\$HB_TASK" = cmd ]; then
		"$HB_BIN" schedule "step \$i" --in "\${i}m" >/dev/null 2>>"\$HB_WORKSPACE/refusals"
	else
		echo "HEARTBEAT_FOLLOWUP: \${i}m step \$i"
	fi
done
echo "done \$HB_TASK"
EOF
	export HB_AGENT_AGENT_TURN="$WS/runaway.sh"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(pending)" -eq 6 ]
	[ "$(py 'len([o for o in S["_oneshots"] if o["parent_task"] == "cmd"])')" -eq 3 ]
	[ "$(py 'len([o for o in S["_oneshots"] if o["parent_task"] == "directive"])')" -eq 3 ]
	[ "$(grep -c 'at most 3 per run' refusals)" -eq 47 ]
	[ "$(grep -c 'cmd: 47 follow-ups refused' <<<"$stderr")" -eq 1 ] || fail "$stderr"
	[ "$(grep -c 'directive: 47 follow-ups refused' <<<"$stderr")" -eq 1 ] || fail "$stderr"
	[ "$(grep -c 'follow-ups refused' <<<"$stderr")" -eq 2 ] || fail "$stderr"
	[[ "$output" != *HEARTBEAT_FOLLOWUP* ]] || fail "$output"
	[ "$(py '[e["note"] for e in L if e["task"] == "cmd"]')" = '["47 follow-ups refused"]' ]
	# the 10 waiting hold for follow-ups too
	for i in 1 2 3 4; do hb_at "$T0" schedule "fill $i" --in 1h >/dev/null; done
	run --separate-stderr hb_at "2026-01-06 09:00:00"
	[ "$(pending)" -le 10 ]
}

@test "jitter: a fixed delay per workspace path, below [runner] jitter; none for -n, manual runs or a tick with nothing due" {
	pulse
	printf '[runner]\njitter = 3s\n' >hb-run.ini
	want=$("$HBT_PY" -c '
import sys
h = 14695981039346656037
for b in sys.argv[1].encode():
    h = ((h ^ b) * 1099511628211) % 2**64
print(h % 3)' "$WS")
	start=$(date +%s.%N)
	run --separate-stderr hb_at "$T0" -v
	end=$(date +%s.%N)
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	if [ "$want" -gt 0 ]; then
		[[ "$stderr" == *"jitter: waiting ${want}s"* ]] || fail "want $want: $stderr"
		"$HBT_PY" -c "import sys; sys.exit(0 if $end - $start >= $want else 1)" ||
		    fail "took $start..$end, want $want s"
	else
		[[ "$stderr" != *"jitter: waiting"* ]] || fail "$stderr"
	fi
	# nothing due: no wait, no note
	run --separate-stderr hb_at "2026-01-05 09:10:00" -v
	[[ "$stderr" != *jitter* ]] || fail "$stderr"
	# -n and a manual run do not wait
	run --separate-stderr hb_at "2026-01-06 09:10:00" -n -v
	[[ "$stderr" != *jitter* ]] || fail "$stderr"
	run --separate-stderr hb_at "2026-01-06 09:10:00" -v pulse
	[[ "$stderr" != *jitter* ]] || fail "$stderr"
	# check says the delay; another path, another delay; the same path, the same delay,
	# always below the jitter
	for d in a b c d e f g h; do
		mkdir -p "$WS/ws-$d"
		cp HEARTBEAT.md "$WS/ws-$d/"
		printf '[runner]\njitter = 1h\n' >"$WS/ws-$d/hb-run.ini"
		want=$("$HBT_PY" -c '
import sys
h = 14695981039346656037
for b in sys.argv[1].encode():
    h = ((h ^ b) * 1099511628211) % 2**64
print(h % 3600)' "$WS/ws-$d")
		for k in 1 2; do
			run --separate-stderr hb_at "$T0" -C "$WS/ws-$d" check
			[ "$status" -eq 0 ] || fail "exit $status: $stderr"
			[[ "$output" == *"note: jitter: ticks with work wait ${want}s (of 1h)"* ]] ||
			    fail "want $want: $output"
		done
		echo "$want" >>delays
	done
	[ "$(sort -u delays | wc -l)" -ge 7 ] || fail "$(cat delays)"
}

@test "jitter: the delay a tick waits is the one its path gives (2s jitter, measured)" {
	# find a workspace path whose delay is 1 s of a 2 s jitter
	for d in a b c d e f g h i j; do
		p="$WS/ws-$d"
		v=$("$HBT_PY" -c '
import sys
h = 14695981039346656037
for b in sys.argv[1].encode():
    h = ((h ^ b) * 1099511628211) % 2**64
print(h % 2)' "$p")
		[ "$v" -eq 1 ] && break
	done
	[ "$v" -eq 1 ]
	mkdir "$p"
	cp /dev/null "$p/HEARTBEAT.md"
	printf 'tasks:\n  - name: a\n    interval: 1d\n    prompt: p\n' >"$p/HEARTBEAT.md"
	printf '[runner]\njitter = 2s\n' >"$p/hb-run.ini"
	for k in 1 2; do
		start=$(date +%s%N)
		run --separate-stderr hb_at "2026-01-0$((4 + k)) 09:00:00" -C "$p" -v
		end=$(date +%s%N)
		[ "$status" -eq 0 ] || fail "exit $status: $stderr"
		[[ "$stderr" == *"jitter: waiting 1s"* ]] || fail "$stderr"
		ms=$(((end - start) / 1000000))
		[ "$ms" -ge 1000 ] || fail "took $ms ms"
		[ "$ms" -lt 6000 ] || fail "took $ms ms"
	done
}

@test "[runner] enabled = false: a tick does nothing and says nothing; -n, status and check say off; a named task still runs" {
	pulse
	printf '[runner]\nenabled = false\n' >hb-run.ini
	hb_at "$T0" schedule "one-shot" --in 1m >/dev/null
	run --separate-stderr hb_at "2026-01-05 09:05:00"
	[ "$status" -eq 0 ]
	[ -z "$output" ] && [ -z "$stderr" ]
	[ "$(runs_of)" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 09:05:00" -n
	[[ "$output" == *"off ([runner] enabled = false): a tick runs nothing"* ]] || fail "$output"
	run --separate-stderr hb_at "2026-01-05 09:05:00" status
	[[ "$output" == *"hb-run is off ([runner] enabled = false)"* ]] || fail "$output"
	run --separate-stderr hb_at "2026-01-05 09:05:00" check
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"hb-run is off"* ]] || fail "$output"
	run --separate-stderr hb_at "2026-01-05 09:05:00" pulse
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of pulse)" -eq 1 ]
	printf '[runner]\nenabled = maybe\n' >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:05:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"bad runner.enabled 'maybe'"* ]] || fail "$stderr"
	printf '[runner]\nenabled = true\n' >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:05:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of)" -eq 2 ]
}

@test "every: 0m (OpenClaw) means off: never due, status and check say so; not an error" {
	heartbeat <<'MD'
tasks:
  - name: off
    every: 0m
    prompt: never
  - name: on
    every: 30m
    prompt: often
MD
	run --separate-stderr hb_at "$T0" check
	[ "$status" -eq 0 ] || fail "exit $status: $stderr $output"
	[[ "$output" == *"task 'off' is off (every: 0)"* ]] || fail "$output"
	for t in "$T0" "2026-01-05 10:00:00" "2026-01-06 10:00:00"; do
		run --separate-stderr hb_at "$t"
		[ "$status" -eq 0 ]
	done
	[ "$(runs_of off)" -eq 0 ]
	[ "$(runs_of on)" -eq 3 ]
	run --separate-stderr hb_at "$T0" status
	[[ "$(grep '^off ' <<<"$output")" == *"off (every 0)"*" off "* ]] || fail "$output"
	run --separate-stderr hb_at "$T0" -n
	[[ "$output" == *"skip off: off (every: 0)"* ]] || fail "$output"
}

@test "a one-shot whose agent left the configuration: check warns, the default agent runs it" {
	pulse
	printf '[agent.helper]\nagent_turn = %s\n' "$HBT_FIXTURES/agent.sh" >hb-run.ini
	run --separate-stderr hb_at "$T0" schedule "by helper" --in 5m --agent helper --name h
	[ "$status" -eq 0 ] || fail "$stderr"
	id=$(id_of h)
	: >hb-run.ini
	run --separate-stderr hb_at "$T0" check
	[[ "$stderr" == *"warning: .heartbeat-state.json: one-shot task h#$id: agent 'helper' is not configured; the default agent runs it"* ]] ||
	    fail "$stderr"
	run --separate-stderr hb_at "2026-01-05 09:05:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(seen "h#$id" HB_AGENT)" = default ]
}
