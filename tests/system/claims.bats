#!/usr/bin/env bats
# claims.bats - claims across ticks: an agent whose hb-run was killed outright (its process
# group keeps the claim; the next tick ends it before running the task again), the main
# session claimed by one systemEvent run at a time, background children of an agent, and
# waits longer than an int of milliseconds.

load helpers

T0="2026-01-05 09:00:00"

# HEARTBEAT.md with the one task "job" (interval 30m).
one_job() {
	heartbeat <<MD
tasks:
  - name: job
    interval: 30m
    prompt: do the job
MD
}

# hb_bg TIME ARGS...: a tick (hb_at) in the background, its output in $WS/bg.out and
# $WS/bg.err (or $WS/bg-$HBC_NAME.*), away from bats' descriptors; its pid in BG.
hb_bg() {
	local name=${HBC_NAME:-bg}
	hb_at "$@" >"$WS/$name.out" 2>"$WS/$name.err" 3>&- &
	BG=$!
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; fails after SECONDS.
wait_for() {
	local n=$(($1 * 10))
	shift
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# hb_fast TIME ARGS...: as hb_at, with the clock running $HBC_SPEED (x1000: a thousand
# times) as fast; libfaketime scales poll(2) timeouts alike.
hb_fast() {
	local when=$1 ldso
	shift
	if [ -n "${HB_ASAN_PRELOAD:-}" ]; then
		ldso=$(hbt_find_ldso "$HB_BIN")
		"$ldso" --help 2>/dev/null | grep -q -- --preload || skip "no ld.so --preload"
		timeout -k 5 "$HBT_LIMIT" env -u LD_PRELOAD TZ=UTC TMPDIR="$WS/tmp" \
		    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		    FAKETIME="@$when $HBC_SPEED" FAKETIME_DONT_RESET=1 \
		    "$ldso" --preload "$HB_ASAN_PRELOAD $HBT_FAKETIME_LIB" "$HB_BIN" "$@"
	else
		timeout -k 5 "$HBT_LIMIT" env TZ=UTC TMPDIR="$WS/tmp" \
		    LD_PRELOAD="$HBT_FAKETIME_LIB" FAKETIME="@$when $HBC_SPEED" \
		    FAKETIME_DONT_RESET=1 "$HB_BIN" "$@"
	fi
}

# Milliseconds of the real clock.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# The pid of the hb-run that runs the agent: the agent's parent, read from /proc.
parent_of() {
	awk '{ print $4 }' "/proc/$1/stat"
}

# An agent (claim-agent.sh) that records whether the leftover child of an earlier run still
# lives when it starts ($WS/overlap), and, while $WS/hang exists, leaves a child in its group
# (pids/child; with $WS/stubborn, one that ignores SIGTERM) and hangs.
claim_agent() {
	agent_script "$WS/claim-agent.sh" <<'EOF'
w="$HB_WORKSPACE"
echo $$ >>"$w/pids/agent"
if [ -s "$w/pids/child" ] && kill -0 "$(tail -n 1 "$w/pids/child")" 2>/dev/null &&
    [ "$(sed 's/.*) //' "/proc/$(tail -n 1 "$w/pids/child")/stat" | cut -c 1)" != Z ]; then
	echo "beside $(tail -n 1 "$w/pids/child")" >>"$w/overlap"
fi
"$HBT_FIXTURES/agent.sh"
if [ -e "$w/hang" ]; then
	if [ -e "$w/stubborn" ]; then
		sh -c 'trap "" TERM; while :; do sleep 1; done' &
	else
		sleep 300 &
	fi
	echo $! >>"$w/pids/child"
	echo ready >"$w/ready"
	while :; do
		sleep 1
	done
fi
EOF
	export HB_AGENT_AGENT_TURN="$WS/claim-agent.sh" HBT_FIXTURES
}

# ---- item: an agent outliving a hb-run killed by SIGKILL -----------------------------------

@test "SIGKILL of hb-run: the agent gets a parent-death signal; its leftover group holds the claim until the next tick ends it, then the task runs once" {
	needs_linux_platform "parent-death signal and process start times (/proc)"
	local hbpid agent child
	one_job
	claim_agent
	touch hang
	hb_bg "$T0"
	wait_for 60 test -s ready || fail "the agent did not start: $(cat bg.err)"
	agent=$(head -n 1 pids/agent)
	child=$(tail -n 1 pids/child)
	hbpid=$(parent_of "$agent")
	# the claim names the agent's process group and its start time
	wait_for 10 test "$(py 'S["job"]["running"].get("pgid")')" = "$agent" ||
	    fail "no group in the claim: $(cat .heartbeat-state.json)"
	[ "$(py 'S["job"]["running"]["pgid_start"] > 0')" = true ]
	kill -KILL "$hbpid"
	wait "$BG" || true
	# the agent itself dies with hb-run; its child in the group lives on
	wait_for 10 gone "$agent" || fail "the agent outlived hb-run"
	! gone "$child" || fail "the child died too: nothing to test"
	# a dry run and status see the task as still running
	run --separate-stderr hb_frozen "2026-01-05 09:00:30" -n
	[[ "$output" == *"skip job: running"* ]] || fail "$output"
	rm hang
	run --separate-stderr hb_frozen "2026-01-05 09:00:30"
	[ "$status" -eq 0 ] || fail "next tick: exit $status: $stderr"
	[ ! -e overlap ] || fail "a second copy ran beside the first: $(cat overlap)"
	gone "$child" || fail "the leftover group lives on"
	[[ "$stderr" == *"job: its last run was interrupted"* ]] || fail "$stderr"
	[ "$(runs_of job)" -eq 2 ] || fail "runs: $(runs_of job); $stderr"
	[ "$(py '[e["status"] for e in L]')" = '["interrupted", "ok"]' ]
	[ "$(py '"running" in S["job"]')" = false ]
}

@test "SIGKILL of hb-run, a leftover that ignores SIGTERM: the next tick ends it within the grace (SIGKILL), bounded, then runs the task" {
	# the portable build: the group's zombies, left to init, count as live (kill(2)) and
	# can hold the claim past the tick that killed the group
	needs_linux_platform "parent-death signal and /proc, which tells a group's zombies apart"
	local hbpid agent child t0 t1
	one_job
	claim_agent
	touch hang stubborn
	hb_bg "$T0"
	wait_for 60 test -s ready || fail "the agent did not start: $(cat bg.err)"
	agent=$(head -n 1 pids/agent)
	child=$(tail -n 1 pids/child)
	hbpid=$(parent_of "$agent")
	wait_for 10 test "$(py 'S["job"]["running"].get("pgid")')" = "$agent" || fail "no group"
	kill -KILL "$hbpid"
	wait "$BG" || true
	wait_for 10 gone "$agent" || fail "the agent outlived hb-run"
	rm hang
	t0=$(now_ms)
	run --separate-stderr hb_frozen "2026-01-05 09:00:30"
	t1=$(now_ms)
	echo "# ending a leftover group that ignores SIGTERM: $((t1 - t0)) ms" >&3
	[ "$status" -eq 0 ] || fail "next tick: exit $status: $stderr"
	gone "$child" || fail "the leftover lives on"
	[ ! -e overlap ] || fail "a second copy ran beside the first: $(cat overlap)"
	[ $((t1 - t0)) -ge 4000 ] && [ $((t1 - t0)) -lt 20000 ] || fail "took $((t1 - t0)) ms"
	[ "$(runs_of job)" -eq 2 ] || fail "runs: $(runs_of job); $stderr"
}

@test "a claim naming a process group whose first process has another start time: not its group, left alone; the claim is stale" {
	needs_linux_platform "process start times (/proc)"
	local boot start
	one_job
	boot=$(cat /proc/sys/kernel/random/boot_id)
	# a group of our own that stands in for a leftover agent group, and a dead tick's pid
	setsid sh -c 'sleep 300 & echo $! >>"$WS/pids/child"; exec sleep 300' </dev/null >/dev/null 2>&1 &
	echo $! >>pids/leader
	wait_for 10 test -s pids/child
	leader=$(cat pids/leader)
	wait_for 10 test "$(awk '{ print $5 }' /proc/$leader/stat)" = "$leader"
	start=$(sed 's/.*) //' "/proc/$leader/stat" | cut -d ' ' -f 20)
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	"$HBT_PY" - "$dead" "$leader" "$((start + 1000))" "$boot" "$(epoch "$T0")" <<'PY'
import json, sys
dead, pgid, start, boot, now = sys.argv[1:]
s = {"job": {"last_run": int(now) - 3600, "runs": 1,
             "running": {"pid": int(dead), "started": int(now) - 60, "pgid": int(pgid),
                         "pgid_start": int(start),
                         "run_id": "0badc1a1-0000-4000-8000-000000000002", "boot_id": boot}}}
json.dump(s, open(".heartbeat-state.json", "w"))
PY
	# the start time differs: the group is not the claim's; it is left alone
	run --separate-stderr hb_frozen "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"its last run was interrupted"* ]] || fail "$stderr"
	[ "$(runs_of job)" -eq 1 ]
	! gone "$leader" && ! gone "$(cat pids/child)" || fail "a stranger's group was ended"
}

# ---- item: one systemEvent run at a time in the main session, across ticks ----------------

two_events() {
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 30m
    type: systemEvent
    prompt: do a
  - name: b
    interval: 30m
    type: systemEvent
    prompt: do b
MD
	export HB_AGENT_SYSTEM_EVENT="$HBT_FIXTURES/robust-agent.sh"
}

@test "systemEvent runs of overlapping ticks never share the main session: the second is left for a later tick" {
	two_events
	echo wait >mode.a
	HBC_NAME=first hb_bg "$T0" a
	first=$BG
	wait_for 60 test -s ready.a || fail "a did not start: $(cat first.err)"
	[ "$(py 'S["_sessions"]["main"]["running"]["pid"]')" = "$(tail -n 1 pids/hb)" ] ||
	    fail "no session claim: $(cat .heartbeat-state.json)"
	# a cron tick while a runs: b is due, but the session is taken
	run --separate-stderr hb_frozen "2026-01-05 09:00:10" -v
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of b)" -eq 0 ] || fail "b ran beside a"
	[[ "$stderr" == *"b: the main session is in use"* ]] || fail "$stderr"
	[ "$(py '"running" in S.get("b", {})')" = false ]
	# a manual run of b is refused too
	run --separate-stderr hb_frozen "2026-01-05 09:00:15" b
	[ "$(runs_of b)" -eq 0 ] || fail "b ran beside a"
	[[ "$stderr" == *"b: the main session is in use"* ]] || fail "$stderr"
	touch release
	wait "$first" || fail "first tick: $(cat first.err)"
	[ "$(seen a HB_SESSION_NEW)" = 1 ]
	[ "$(py '"running" in S["_sessions"]["main"]')" = false ]
	rm mode.a
	run --separate-stderr hb_frozen "2026-01-05 09:00:20"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of b)" -eq 1 ]
	[ "$(seen b HB_SESSION_NEW)" = 0 ]
	[ "$(seen b HB_SESSION_ID)" = "$(seen a HB_SESSION_ID)" ]
	[ "$(py '"running" in S["_sessions"]["main"]')" = false ]
}

@test "the main session's claim of a tick that is gone is stale: the next systemEvent runs" {
	two_events
	echo wait >mode.a
	hb_bg "$T0" a
	wait_for 60 test -s ready.a || fail "a did not start: $(cat bg.err)"
	kill -KILL "$(tail -n 1 pids/hb)"
	wait "$BG" || true
	# on Linux the agent gets a parent-death signal; elsewhere the next tick ends it
	if linux_platform; then
		wait_for 10 gone "$(tail -n 1 pids/agent)" || fail "the agent outlived hb-run"
	fi
	rm mode.a
	run --separate-stderr hb_frozen "2026-01-05 09:00:20" b
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of b)" -eq 1 ]
	[ "$(py '"running" in S["_sessions"]["main"]')" = false ]
}

# ---- item: background children of an agent ------------------------------------------------

@test "an agent that leaves a background child (sleep 30 &): the tick ends and reaps it at once, no 5 s wait, no SIGKILL" {
	local t0 t1
	one_job
	agent_script "$WS/bg.sh" <<'EOF'
cat >/dev/null
echo $$ >>"$HB_WORKSPACE/pids/agent"
sleep 30 &
echo $! >>"$HB_WORKSPACE/pids/child"
echo done
EOF
	export HB_AGENT_AGENT_TURN="$WS/bg.sh"
	t0=$(now_ms)
	run --separate-stderr hb_at "$T0"
	t1=$(now_ms)
	echo "# an agent with a background child: hb-run took $((t1 - t0)) ms" >&3
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "${lines[1]}" = done ] || fail "$output"
	gone "$(cat pids/child)" || fail "the child lives on"
	[ $((t1 - t0)) -lt 3000 ] || fail "took $((t1 - t0)) ms"
	[ "$(py 'L[-1]["status"]')" = ok ]
}

# ---- item: waits longer than 24.8 days ------------------------------------------------------

@test "a catch-up stagger of 40 days (more ms than an int holds) is waited out, not forever: with a fast clock the second task starts" {
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 30m
    prompt: do a
  - name: b
    interval: 30m
    prompt: do b
MD
	# an agent that takes next to no time, so that most of the stagger is still ahead
	agent_script "$WS/quick.sh" <<'EOF'
cat >/dev/null
echo "$HB_TASK" >>"$HB_WORKSPACE/ran"
EOF
	export HB_AGENT_AGENT_TURN="$WS/quick.sh"
	export HB_RUNNER_CATCHUP_STAGGER=40d HB_RUNNER_TIMEOUT=1000d
	# 40 days pass in about 3.5 s of real time at this speed (libfaketime scales poll(2))
	HBT_LIMIT=30 HBC_SPEED=x1000000 run --separate-stderr hb_fast "$T0" --catchup
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(cat ran)" = "$(printf 'a\nb')" ] || fail "ran: $(cat ran); $stderr"
}
