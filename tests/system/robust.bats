#!/usr/bin/env bats
# robust.bats - hb-run when things go wrong: signals while an agent runs, a tick killed
# outright, agents that leave processes behind or print a gigabyte, error backoff, corrupt
# state files, a full disk, a read-only workspace, root's ownership checks, prompts full of
# shell syntax, secrets in the log, file modes and planted symlinks, a reused pid in a claim.

load helpers

T0="2026-01-05 09:00:00"

# ---- helpers of this file ------------------------------------------------------------------

# The teardown of helpers.bash, after unmounting what a test mounted (listed in $WS/mounts).
eval "hbr_base_teardown() $(declare -f teardown | tail -n +2)"
teardown() {
	local m
	if [ -n "${WS:-}" ] && [ -f "$WS/mounts" ]; then
		while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		done <"$WS/mounts"
	fi
	hbr_base_teardown
}

# HEARTBEAT.md with the one task "job": interval $1 (default 30m); $2: one more key line.
one_job() {
	heartbeat <<MD
tasks:
  - name: job
    interval: ${1:-30m}
    prompt: do the job
${2:+    $2}
MD
}

# hb_t SECONDS ARGS...: hb_frozen at the Unix time SECONDS.
hb_t() {
	local when
	when=$(TZ=UTC date -d "@$1" '+%Y-%m-%d %H:%M:%S')
	shift
	hb_frozen "$when" "$@"
}

# hb_via TIME ARGS...: as hb_at, with the command prefix in the array HBR_WRAP (setpriv, GNU
# time) between timeout and the binary, so that the prefix applies to hb-run itself.
HBR_WRAP=()
hb_via() {
	local when=$1 ldso
	shift
	if [ -n "${HB_ASAN_PRELOAD:-}" ]; then
		ldso=$(hbt_find_ldso "$HB_BIN")
		if [ -z "$ldso" ] || ! "$ldso" --help 2>/dev/null | grep -q -- --preload; then
			timeout -k 5 "$HBT_LIMIT" "${HBR_WRAP[@]}" env TZ=UTC TMPDIR="$WS/tmp" \
			    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			    LD_PRELOAD="$HB_ASAN_PRELOAD $HBT_FAKETIME_LIB" \
			    FAKETIME="@$when" FAKETIME_DONT_RESET=1 "$HB_BIN" "$@"
			return
		fi
		timeout -k 5 "$HBT_LIMIT" "${HBR_WRAP[@]}" env -u LD_PRELOAD TZ=UTC \
		    TMPDIR="$WS/tmp" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		    FAKETIME="@$when" FAKETIME_DONT_RESET=1 \
		    "$ldso" --preload "$HB_ASAN_PRELOAD $HBT_FAKETIME_LIB" "$HB_BIN" "$@"
	else
		timeout -k 5 "$HBT_LIMIT" "${HBR_WRAP[@]}" env TZ=UTC TMPDIR="$WS/tmp" \
		    LD_PRELOAD="$HBT_FAKETIME_LIB" FAKETIME="@$when" FAKETIME_DONT_RESET=1 \
		    "$HB_BIN" "$@"
	fi
}

# hb_bg TIME ARGS...: a tick (hb_at) in the background, its output in $WS/bg.out and
# $WS/bg.err, away from bats' descriptors. wait_bg waits for it: BG_STATUS.
hb_bg() {
	hb_at "$@" >"$WS/bg.out" 2>"$WS/bg.err" 3>&- &
	BG=$!
}
wait_bg() {
	BG_STATUS=0
	wait "$BG" || BG_STATUS=$?
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

# all_gone FILE...: every pid listed in the files is gone (a zombie counts as gone), each
# given up to 5 s to be reaped. Prints those still there.
all_gone() {
	local f pid left=
	for f in "$@"; do
		[ -f "$f" ] || continue
		while read -r pid; do
			[ -n "$pid" ] || continue
			wait_for 5 gone "$pid" || left="$left $pid($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null))"
		done <"$f"
	done
	[ -z "$left" ] || { echo "still there:$left" >&2; return 1; }
}

# The live processes (zombies aside) that carry this test's marker: "PID COMMAND" a line.
leftovers() {
	"$HBT_PY" - "$WS" <<'PY'
import os, sys
mark = ("HBT_WS=" + sys.argv[1]).encode()
for p in os.listdir("/proc"):
    if not p.isdigit() or int(p) == os.getpid():
        continue
    try:
        with open("/proc/%s/environ" % p, "rb") as f:
            env = f.read().split(b"\0")
        with open("/proc/%s/stat" % p) as f:
            stat = f.read()
        with open("/proc/%s/cmdline" % p, "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        continue
    if mark in env and stat[stat.rindex(")") + 2] != "Z":
        print(p, cmd)
PY
}

# Milliseconds of the real (monotonic enough) clock.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# Fails unless the test runs as root.
need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# ---- 1. SIGTERM, SIGINT, SIGHUP while an agent runs ----------------------------------------

# signal_while_running SIG NUMBER: a tick gets SIG while its agent runs (after one good run).
signal_while_running() {
	local sig=$1 num=$2 last
	one_job
	export HB_AGENT_AGENT_TURN="$HBT_FIXTURES/robust-agent.sh"
	run --separate-stderr hb_frozen "$T0"
	[ "$status" -eq 0 ] || fail "first tick: exit $status: $stderr"
	last=$(py 'S["job"]["last_run"]')

	echo hang >mode.job
	hb_bg "2026-01-05 09:30:00"
	wait_for 60 test -s ready.job || fail "the agent did not start: $(cat bg.err)"
	[ "$(py 'S["job"]["running"]["pid"]')" = "$(tail -n 1 pids/hb)" ]
	kill -"$sig" "$(tail -n 1 pids/hb)"
	wait_bg
	[ "$BG_STATUS" -eq $((128 + num)) ] || fail "exit $BG_STATUS after SIG$sig: $(cat bg.err)"
	grep -q "job: interrupted by signal $num" bg.err || fail "no message: $(cat bg.err)"
	[ "$(py 'L[-1]["task"]')" = job ]
	[ "$(py 'L[-1]["status"]')" = interrupted ]
	# no claim left, no new last_run: the run did not happen
	[ "$(py '"running" in S["job"]')" = false ]
	[ "$(py 'S["job"]["last_run"]')" = "$last" ]
	[ "$(py 'S["job"]["runs"]')" = 1 ]
	all_gone pids/agent pids/child pids/hb
	[ -z "$(leftovers)" ] || fail "left behind: $(leftovers)"
	[ -z "$(ls tmp)" ] || fail "prompt files left: $(ls tmp)"

	# still due: the next tick runs it
	rm mode.job
	run --separate-stderr hb_frozen "2026-01-05 09:30:20"
	[ "$status" -eq 0 ] || fail "next tick: exit $status: $stderr"
	[ "$(runs_of job)" -eq 3 ]
	[ "$(py 'S["job"]["last_run"]')" -eq "$(epoch '2026-01-05 09:30:20')" ]
	[ "$(py 'S["job"]["runs"]')" = 2 ]
	[ "$(py '[e["status"] for e in L]')" = '["ok", "interrupted", "ok"]' ]
}

@test "SIGTERM while an agent runs: exit 143, logged interrupted, claim released, still due, nothing left" {
	signal_while_running TERM 15
}

@test "SIGINT while an agent runs: exit 130, logged interrupted, claim released, still due, nothing left" {
	signal_while_running INT 2
}

@test "SIGHUP while an agent runs: exit 129, logged interrupted, claim released, still due, nothing left" {
	signal_while_running HUP 1
}

@test "SIGTERM while an agent that ignores SIGTERM runs: it is killed after the 5 s grace; exit 143" {
	local t0 t1
	one_job
	export HB_AGENT_AGENT_TURN="$HBT_FIXTURES/robust-agent.sh"
	echo hang-ignore >mode.job
	hb_bg "$T0"
	wait_for 60 test -s ready.job || fail "the agent did not start: $(cat bg.err)"
	t0=$(now_ms)
	kill -TERM "$(tail -n 1 pids/hb)"
	wait_bg
	t1=$(now_ms)
	echo "# SIGTERM to exit, with an agent ignoring SIGTERM: $((t1 - t0)) ms" >&3
	[ "$BG_STATUS" -eq 143 ] || fail "exit $BG_STATUS: $(cat bg.err)"
	[ $((t1 - t0)) -ge 4000 ] || fail "ended after $((t1 - t0)) ms: no grace period?"
	[ $((t1 - t0)) -lt 60000 ]
	all_gone pids/agent pids/child pids/hb
	[ -z "$(leftovers)" ] || fail "left behind: $(leftovers)"
	[ "$(py 'L[-1]["status"]')" = interrupted ]
	[ "$(py 'L[-1].get("signal")')" = 9 ]
	[ "$(py '"running" in S["job"]')" = false ]
	[ "$(py '"last_run" in S["job"]')" = false ]
	rm mode.job
	run --separate-stderr hb_frozen "2026-01-05 09:00:30"
	[ "$status" -eq 0 ] || fail "next tick: exit $status: $stderr"
	[ "$(runs_of job)" -eq 2 ]
	[ "$(py 'S["job"]["last_status"]')" = ok ]
}

@test "SIGTERM while the first of two due tasks runs: the second, not started, is released too; both run next tick" {
	heartbeat <<'MD'
tasks:
  - name: first
    interval: 30m
    prompt: do first
  - name: second
    interval: 30m
    prompt: do second
MD
	export HB_AGENT_AGENT_TURN="$HBT_FIXTURES/robust-agent.sh"
	echo hang >mode.first
	hb_bg "$T0"
	wait_for 60 test -s ready.first || fail "the agent did not start: $(cat bg.err)"
	[ "$(py 'sorted(k for k in S if not k.startswith("_") and "running" in S[k])')" = '["first", "second"]' ]
	kill -TERM "$(tail -n 1 pids/hb)"
	wait_bg
	[ "$BG_STATUS" -eq 143 ] || fail "exit $BG_STATUS: $(cat bg.err)"
	[ "$(runs_of second)" -eq 0 ]
	[ "$(py '[(e["task"], e["status"]) for e in L]')" = '[["first", "interrupted"]]' ]
	[ "$(py '[k for k in S if not k.startswith("_") and ("running" in S[k] or "last_run" in S[k])]')" = '[]' ] ||
	    fail "$(cat .heartbeat-state.json)"
	all_gone pids/agent pids/child pids/hb
	rm mode.first
	run --separate-stderr hb_frozen "2026-01-05 09:00:30"
	[ "$status" -eq 0 ] || fail "next tick: exit $status: $stderr"
	[[ "$stderr" != *interrupted* ]] || fail "$stderr"
	[ "$(runs_of first)" -eq 2 ] && [ "$(runs_of second)" -eq 1 ]
}

@test "SIGTERM between two staggered --catchup starts: the run that ended is kept, the one not started is released" {
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 30m
    prompt: do a
  - name: b
    interval: 30m
    prompt: do b
MD
	export HB_AGENT_AGENT_TURN="$HBT_FIXTURES/robust-agent.sh"
	export HB_RUNNER_CATCHUP_STAGGER=60s
	hb_bg "$T0" --catchup
	wait_for 60 test -s .heartbeat-log.jsonl || fail "a did not run: $(cat bg.err)"
	[ "$(py '"running" in S["b"]')" = true ]
	kill -TERM "$(tail -n 1 pids/hb)"
	wait_bg
	[ "$BG_STATUS" -eq 143 ] || fail "exit $BG_STATUS: $(cat bg.err)"
	[ "$(runs_of a)" -eq 1 ] && [ "$(runs_of b)" -eq 0 ]
	[ "$(py '[(e["task"], e["status"]) for e in L]')" = '[["a", "ok"]]' ]
	[ "$(py 'S["a"]["last_status"]')" = ok ]
	[ "$(py 'sorted(S.get("b", {}))')" = '[]' ] || fail "$(cat .heartbeat-state.json)"
	unset HB_RUNNER_CATCHUP_STAGGER
	run --separate-stderr hb_frozen "2026-01-05 09:00:30"
	[ "$status" -eq 0 ] || fail "next tick: exit $status: $stderr"
	[ "$(runs_of a)" -eq 1 ] && [ "$(runs_of b)" -eq 1 ]
}

# ---- 2. SIGKILL ------------------------------------------------------------------------------

@test "SIGKILL while an agent runs: the next tick warns, logs the run interrupted and runs the task again, once" {
	local hbpid agent run_id
	one_job
	export HB_AGENT_AGENT_TURN="$HBT_FIXTURES/robust-agent.sh"
	echo wait >mode.job
	hb_bg "$T0"
	wait_for 60 test -s ready.job || fail "the agent did not start: $(cat bg.err)"
	hbpid=$(tail -n 1 pids/hb)
	agent=$(tail -n 1 pids/agent)
	[ "$(py 'S["job"]["running"]["pid"]')" = "$hbpid" ]
	run_id=$(py 'S["job"]["running"]["run_id"]')
	kill -KILL "$hbpid"
	wait_bg
	[ "$BG_STATUS" -eq 137 ]
	# The claim stays behind; the agent gets its parent-death signal and ends unrecorded
	# (claims.bats covers an agent that leaves processes in its group). Without one (the
	# portable build) it lives on, holding the claim, until the next tick ends its group.
	[ "$(py '"running" in S["job"]')" = true ]
	if linux_platform; then
		wait_for 30 gone "$agent" || fail "the agent outlived hb-run"
	fi
	[ "$(py 'len(L)')" = 0 ]
	[ "$(py '"last_run" in S["job"]')" = false ]

	rm mode.job
	run --separate-stderr hb_frozen "2026-01-05 09:00:30"
	[ "$status" -eq 0 ] || fail "next tick: exit $status: $stderr"
	[[ "$stderr" == *"warning: job: its last run was interrupted (the tick that ran it, pid $hbpid, is gone)"* ]] ||
	    fail "no warning: $stderr"
	[ "$(runs_of job)" -eq 2 ]
	[ "$(py '[e["status"] for e in L]')" = '["interrupted", "ok"]' ]
	[ "$(py 'L[0]["run_id"]')" = "$run_id" ]
	[ "$(py 'L[1]["run_id"]')" != "$run_id" ]
	[ "$(py '"running" in S["job"]')" = false ]
	[ "$(py 'S["job"]["runs"]')" = 1 ]
	[ "$(py 'S["job"]["last_run"]')" -eq "$(epoch '2026-01-05 09:00:30')" ]
	# once: a later tick neither warns again nor runs it
	run --separate-stderr hb_frozen "2026-01-05 09:01:00"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || fail "exit $status: $stderr"
	[ "$(runs_of job)" -eq 2 ]
	[ "$(py 'len(L)')" = 2 ]
	[ -z "$(leftovers)" ] || fail "left behind: $(leftovers)"
}

# ---- 3. processes an agent leaves behind ---------------------------------------------------

@test "timeout: grandchildren that ignore SIGTERM and a setsid escapee holding stdout all end; hb-run returns in ~10 s" {
	needs_linux_platform "child subreaper"
	local t0 t1
	one_job 30m "timeout: 2s"
	agent_script "$WS/spawn.sh" <<'EOF'
cat >/dev/null
w="$HB_WORKSPACE"
echo $$ >>"$w/pids/agent"
sh -c 'trap "" TERM; echo $$ >>"$HB_WORKSPACE/pids/stubborn"; exec sleep 300' &
sh -c 'trap "" TERM; sleep 300 & echo $! >>"$HB_WORKSPACE/pids/stubborn"; wait' &
echo $! >>"$w/pids/stubborn"
setsid sh -c 'echo $$ >>"$HB_WORKSPACE/pids/escaped"; exec sleep 300' &
echo "partial reply"
sleep 300
EOF
	export HB_AGENT_AGENT_TURN="$WS/spawn.sh"
	t0=$(now_ms)
	run --separate-stderr hb_at "$T0"
	t1=$(now_ms)
	echo "# timeout 2s, stubborn grandchildren and a setsid escapee: hb-run took $((t1 - t0)) ms" >&3
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"job: timed out"* ]]
	[ "$(wc -l <pids/stubborn)" -eq 3 ] && [ -s pids/escaped ] || fail "the agent did not spawn"
	all_gone pids/agent pids/stubborn pids/escaped
	[ -z "$(leftovers)" ] || fail "left behind: $(leftovers)"
	# 2 s timeout + 5 s grace + 1 s for the pipes + a margin for a busy machine
	[ $((t1 - t0)) -lt 15000 ] || fail "took $((t1 - t0)) ms"
	[ "$(py 'L[-1]["status"]')" = timeout ]
	[[ "$(py 'L[-1]["reply"]')" == "partial reply"* ]]
}

@test "an agent that exits at once, leaving a setsid escapee that ignores SIGTERM and holds stdout: the run is ok, the escapee ends" {
	needs_linux_platform "child subreaper"
	local t0 t1
	one_job
	agent_script "$WS/escape.sh" <<'EOF'
cat >/dev/null
echo $$ >>"$HB_WORKSPACE/pids/agent"
setsid sh -c 'trap "" TERM; echo $$ >>"$HB_WORKSPACE/pids/escaped"; exec sleep 300' &
while [ ! -s "$HB_WORKSPACE/pids/escaped" ]; do sleep 0.05; done
echo "all done"
EOF
	export HB_AGENT_AGENT_TURN="$WS/escape.sh"
	t0=$(now_ms)
	run --separate-stderr hb_at "$T0"
	t1=$(now_ms)
	echo "# an escapee ignoring SIGTERM: hb-run took $((t1 - t0)) ms" >&3
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "${lines[0]}" = "=== job ===" ] && [ "${lines[1]}" = "all done" ]
	all_gone pids/agent pids/escaped
	[ -z "$(leftovers)" ] || fail "left behind: $(leftovers)"
	[ $((t1 - t0)) -lt 15000 ] || fail "took $((t1 - t0)) ms"
	[ "$(py 'L[-1]["status"]')" = ok ]
}

# ---- 4. a gigabyte of output -----------------------------------------------------------------

@test "an agent printing 1 GiB: hb-run stays under 16 MiB, logs reply_bytes, delivers head + cut note + tail" {
	local gib=1073741824 peak hwm=0 v hbpid limit=16384 t0 t1
	command -v /usr/bin/time >/dev/null || skip "GNU time (Debian package time) is not installed"
	one_job
	agent_script "$WS/flood.sh" <<EOF
cat >/dev/null
echo \$\$ >>"\$HB_WORKSPACE/pids/agent"
echo \$PPID >"\$HB_WORKSPACE/pids/hb"
head -c $gib /dev/zero | tr '\\0' x
EOF
	export HB_AGENT_AGENT_TURN="$WS/flood.sh"
	HBR_WRAP=(/usr/bin/time -f %M -o "$WS/peak")
	t0=$(now_ms)
	hb_via "$T0" >"$WS/out" 2>"$WS/err" 3>&- &
	BG=$!
	# hb-run's own high-water mark, while it runs (the agent's processes are not in it)
	wait_for 60 test -s pids/hb || fail "the agent did not start: $(cat err)"
	hbpid=$(cat pids/hb)
	while kill -0 "$hbpid" 2>/dev/null; do
		# hb-run may exit between kill -0 and the read: then there is nothing to read
		v=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$hbpid/status" 2>/dev/null ||
		    true)
		[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
		sleep 0.2
	done
	wait_bg
	t1=$(now_ms)
	peak=$(tail -n 1 peak)
	echo "# 1 GiB reply: peak RSS of hb-run ${peak} KiB (GNU time %M, an upper bound: it includes the agent's processes), VmHWM polled ${hwm} KiB; $((t1 - t0)) ms" >&3
	[ "$BG_STATUS" -eq 0 ] || fail "exit $BG_STATUS: $(cat err)"
	# The sanitizer's shadow memory and quarantine are not hb-run's: a looser bound there.
	[ -z "${HB_ASAN_PRELOAD:-}" ] || limit=65536
	[ "$peak" -lt "$limit" ] || fail "peak $peak KiB"
	[ "$hwm" -lt "$limit" ] || fail "VmHWM $hwm KiB"
	[ "$(py 'L[-1]["reply_bytes"]')" = "$gib" ]
	[ "$(py 'L[-1]["status"]')" = ok ]
	[ "$(py 'len(L[-1]["reply"]) <= 8192')" = true ]
	# delivered: 512 KiB of head, the note, 64 KiB of tail
	[ "$(head -n 1 out)" = "=== job ===" ]
	[ "$(grep -c "^\[hb-run: $((gib - 524288 - 65536)) bytes cut here\]$" out)" -eq 1 ]
	[ "$(wc -c <out)" -lt 600000 ]
	[ "$(tr -d 'x\n' <out | wc -c)" -eq "$(printf '=== job ===[hb-run: %d bytes cut here]' $((gib - 524288 - 65536)) | tr -d 'x' | wc -c)" ]
}

# ---- 5. error backoff ------------------------------------------------------------------------

@test "backoff: a failing 1m task; ticks the interval would allow wait 1m after 2 failures, 5m after 3; status shows it; success resets" {
	local t
	t=$(epoch "$T0")
	one_job 1m
	echo 1 >exit.job
	run --separate-stderr hb_t "$t"
	[ "$status" -eq 1 ] && [ "$(runs_of job)" -eq 1 ]
	[ "$(py 'S["job"]["consecutive_errors"]')" = 1 ]
	# 40 s later: not run (the interval's 54 s come first; the 30 s backoff is inside them)
	run --separate-stderr hb_t $((t + 40))
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ "$(runs_of job)" -eq 1 ]
	run --separate-stderr hb_t $((t + 40)) status
	[[ "$output" == *"1 failure in a row, backoff 30s"* ]] || fail "$output"
	# second failure
	run --separate-stderr hb_t $((t + 60))
	[ "$status" -eq 1 ] && [ "$(runs_of job)" -eq 2 ]
	[ "$(py 'S["job"]["consecutive_errors"]')" = 2 ]
	# 55 s later the interval (60 s - 6 s tolerance) would run it; the 1m backoff does not
	run --separate-stderr hb_t $((t + 115))
	[ "$status" -eq 0 ] && [ "$(runs_of job)" -eq 2 ] || fail "ran inside the backoff"
	run --separate-stderr hb_t $((t + 115)) status
	[[ "$output" == *"2 failures in a row, backoff 1m"* ]] || fail "$output"
	run --separate-stderr hb_t $((t + 115)) status --json
	[ "$(echo "$output" | "$HBT_PY" -c 'import json,sys; o=json.load(sys.stdin)[0]; print(o["backoff_s"], o["consecutive_errors"], o["due"], o["next_due_ts"])')" = "60 2 False $((t + 120))" ]
	# after the backoff it runs: third failure, 5m
	run --separate-stderr hb_t $((t + 120))
	[ "$status" -eq 1 ] && [ "$(runs_of job)" -eq 3 ]
	run --separate-stderr hb_t $((t + 360))
	[ "$status" -eq 0 ] && [ "$(runs_of job)" -eq 3 ] || fail "ran inside the backoff"
	run --separate-stderr hb_t $((t + 360)) status --json
	[ "$(echo "$output" | "$HBT_PY" -c 'import json,sys; o=json.load(sys.stdin)[0]; print(o["backoff_s"], o["consecutive_errors"], o["next_due_ts"])')" = "300 3 $((t + 420))" ]
	run --separate-stderr hb_t $((t + 360)) status
	[[ "$output" == *"3 failures in a row, backoff 5m"* ]] || fail "$output"
	# a success resets it
	rm exit.job
	run --separate-stderr hb_t $((t + 420))
	[ "$status" -eq 0 ] && [ "$(runs_of job)" -eq 4 ]
	[ "$(py 'S["job"]["consecutive_errors"]')" = 0 ]
	[ "$(py 'S["job"]["last_status"]')" = ok ]
	run --separate-stderr hb_t $((t + 420)) status
	[[ "$output" != *backoff* ]] || fail "$output"
	run --separate-stderr hb_t $((t + 474))
	[ "$status" -eq 0 ] && [ "$(runs_of job)" -eq 5 ] || fail "the interval alone does not rule again"
}

@test "backoff ladder: 30s, 1m, 5m, 15m, 1h, 1h after 1..6 consecutive failures of a 10s task" {
	local t last step k=0 steps=(30 60 300 900 3600 3600)
	t=$(epoch "$T0")
	one_job 10s
	echo 7 >exit.job
	run --separate-stderr hb_t "$t"
	[ "$status" -eq 1 ]
	last=$t
	for step in "${steps[@]}"; do
		k=$((k + 1))
		run --separate-stderr hb_t $((last + step - 1))
		[ "$status" -eq 0 ] && [ "$(runs_of job)" -eq "$k" ] ||
		    fail "after $k failures: ran $((step - 1)) s later (exit $status)"
		run --separate-stderr hb_t $((last + step - 1)) status --json
		[ "$(echo "$output" | "$HBT_PY" -c 'import json,sys; o=json.load(sys.stdin)[0]; print(o["backoff_s"], o["next_due_ts"])')" = "$step $((last + step))" ]
		run --separate-stderr hb_t $((last + step))
		[ "$status" -eq 1 ] && [ "$(runs_of job)" -eq $((k + 1)) ] ||
		    fail "after $k failures: did not run $step s later (exit $status)"
		last=$((last + step))
		[ "$(py 'S["job"]["consecutive_errors"]')" = $((k + 1)) ]
	done
}

# ---- 6. corrupt state files ------------------------------------------------------------------

two_jobs() {
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 30m
    prompt: do a
  - name: b
    cron: "*/15 * * * *"
    prompt: do b
MD
}

# corrupt_state: the state file's bytes on standard input.
corrupt_state() {
	local t moved
	t=$(epoch "$T0")
	two_jobs
	cat >.heartbeat-state.json
	cp .heartbeat-state.json old.bytes
	run --separate-stderr hb_frozen "$T0"
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	[ -z "$output" ]
	[[ "$stderr" == *"hb-run: .heartbeat-state.json"* ]] || fail "the file is not named: $stderr"
	moved=".heartbeat-state.json.corrupt-$t"
	[[ "$stderr" == *"moved it aside to $moved"* ]] || fail "$stderr"
	[ "$(runs_of)" -eq 0 ]
	[ "$(ls -a | grep -c '^\.heartbeat-state\.json\.corrupt-')" -eq 1 ]
	cmp old.bytes "$moved"
	# a fresh state: every task counts from now, nothing claimed, nothing ran
	[ "$(py 'S["a"]["baseline"]')" -eq "$t" ]
	[ "$(py 'S["b"]["baseline"]')" -eq "$t" ]
	[ "$(py '[k for k in S if not k.startswith("_") and set(S[k]) != {"baseline"}]')" = '[]' ] ||
	    fail "more than baselines: $(cat .heartbeat-state.json)"
	[ "$(py 'len(L)')" = 0 ]
	# an interval later both run as usual
	run --separate-stderr hb_frozen "2026-01-05 09:30:00"
	[ "$status" -eq 0 ] || fail "next tick: exit $status: $stderr"
	[ -z "$stderr" ]
	[ "$(runs_of a)" -eq 1 ] && [ "$(runs_of b)" -eq 1 ]
	[ "$(py 'S["a"]["last_run"]')" -eq "$(epoch '2026-01-05 09:30:00')" ]
	[ "$(py '[e["status"] for e in L]')" = '["ok", "ok"]' ]
	cmp old.bytes "$moved"
}

@test "corrupt state, not JSON: named, moved aside, exit 1, nothing runs, fresh baselines; fine an interval later" {
	printf 'this is not JSON at all\n' | corrupt_state
}

@test "corrupt state, truncated JSON: named, moved aside, exit 1, nothing runs, fresh baselines; fine an interval later" {
	printf '{\n\t"a":\t{\n\t\t"last_run":\t1767600000,\n\t\t"runs":\t3\n\t},\n\t"b":\t{\n\t\t"last_r' |
	    corrupt_state
}

@test "corrupt state, a top-level array: named, moved aside, exit 1, nothing runs, fresh baselines" {
	printf '[{"a": {"last_run": 1767600000}}]\n' | corrupt_state
}

@test "corrupt state, binary garbage: named, moved aside, exit 1, nothing runs, fresh baselines" {
	printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x01{"a":\x00\x9f\x92\x96' | corrupt_state
}

@test "corrupt state and a task named on the command line: the named task runs (asked for), no claim is left behind" {
	two_jobs
	printf 'not JSON\n' >.heartbeat-state.json
	run --separate-stderr hb_frozen "$T0" a
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"moved it aside"* ]]
	[ "$(runs_of a)" -eq 1 ] || fail "the named task did not run once: $(runs_of a)"
	[ "$(runs_of b)" -eq 0 ] || fail "a task that was not named ran"
	[ "$(py '"running" in S["a"]')" = false ] ||
	    fail "a claim left behind: $(cat .heartbeat-state.json)"
	run --separate-stderr hb_frozen "2026-01-05 09:00:10" a
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$stderr" != *interrupted* ]] || fail "a finished run is reported interrupted: $stderr"
	[ "$(py '[e["status"] for e in L]')" = '["ok", "ok"]' ]
}

@test "corrupt state and --catchup with an @reboot task: it runs once for this boot, no claim is left behind" {
	needs_linux_platform "boot id (/proc)"
	heartbeat <<'MD'
tasks:
  - name: boot
    cron: "@reboot"
    prompt: after boot
MD
	printf 'not JSON\n' >.heartbeat-state.json
	run --separate-stderr hb_frozen "$T0" --catchup
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	[ "$(runs_of boot)" -eq 1 ] || fail "@reboot did not run once: $(runs_of boot)"
	[ "$(py '"running" in S.get("boot", {})')" = false ] ||
	    fail "a claim left behind: $(cat .heartbeat-state.json)"
	run --separate-stderr hb_frozen "2026-01-05 09:00:10" --catchup
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$stderr" != *interrupted* ]] || fail "a finished run is reported interrupted: $stderr"
	[ "$(runs_of boot)" -eq 1 ] || fail "@reboot ran twice in one boot"
}

# ---- 7. a full disk --------------------------------------------------------------------------

# A 64 KiB tmpfs at $WS/full (skips when mounting is not allowed); the state lives there.
small_disk() {
	mkdir "$WS/full"
	mount -t tmpfs -o size=64k,mode=0700 tmpfs "$WS/full" 2>/dev/null ||
	    skip "cannot mount a tmpfs here"
	echo "$WS/full" >>"$WS/mounts"
	export HB_RUNNER_STATE=full/state.json
}

# spy EXPR: as py, over the state file in full/.
spy() {
	"$HBT_PY" -c 'import json, sys
S = json.load(open("full/state.json"))
v = eval(sys.argv[1])
print(json.dumps(v) if not isinstance(v, str) else v)' "$1"
}

# Fills $WS/full to the last block.
fill_disk() {
	dd if=/dev/zero of="$WS/full/fill" bs=4096 2>/dev/null || true
	if (echo x >"$WS/full/probe") 2>/dev/null; then
		fail "the disk is not full"
	fi
	rm -f "$WS/full/probe"
}

@test "full disk: a tick that cannot save its claims fails clearly, runs nothing, leaves the state intact" {
	small_disk
	one_job
	run --separate-stderr hb_frozen "$T0"
	[ "$status" -eq 0 ] || fail "first tick: exit $status: $stderr"
	cp full/state.json state.before
	fill_disk
	run --separate-stderr hb_frozen "2026-01-05 09:30:00"
	[ "$status" -ne 0 ] || fail "exit 0 on a full disk"
	[[ "$stderr" == *"full/state.json"*"No space left on device"* ]] || fail "$stderr"
	[[ "$stderr" == *"nothing was run"* ]] || fail "$stderr"
	cmp state.before full/state.json
	[ "$(runs_of job)" -eq 1 ]
	[ "$(ls full | tr '\n' ' ')" = "fill state.json state.json.lock " ] || fail "left in full/: $(ls full)"
	[ -z "$(ls tmp)" ]
	# room again: the next tick runs it
	rm full/fill
	run --separate-stderr hb_frozen "2026-01-05 09:30:10"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of job)" -eq 2 ]
	[ "$(spy '"running" in S["job"]')" = false ]
	[ "$(spy 'S["job"]["last_run"]')" -eq "$(epoch '2026-01-05 09:30:10')" ]
}

@test "full disk while an agent runs: the result cannot be saved (non-zero, a message), the state is intact, the next tick recovers" {
	small_disk
	one_job
	export HB_AGENT_AGENT_TURN="$HBT_FIXTURES/robust-agent.sh"
	run --separate-stderr hb_frozen "$T0"
	[ "$status" -eq 0 ] || fail "first tick: exit $status: $stderr"
	echo wait >mode.job
	hb_bg "2026-01-05 09:30:00"
	wait_for 60 test -s ready.job || fail "the agent did not start: $(cat bg.err)"
	cp full/state.json state.claimed
	fill_disk
	touch release
	wait_bg
	[ "$BG_STATUS" -ne 0 ] || fail "exit 0: $(cat bg.err)"
	grep -q "No space left on device" bg.err || fail "$(cat bg.err)"
	grep -q "the run of job is not recorded" bg.err || fail "$(cat bg.err)"
	cmp state.claimed full/state.json
	[ "$(ls full | tr '\n' ' ')" = "fill state.json state.json.lock " ] || fail "left in full/: $(ls full)"
	all_gone pids/agent pids/hb
	rm full/fill mode.job
	run --separate-stderr hb_frozen "2026-01-05 09:30:20"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of job)" -eq 3 ]
	[ "$(spy '"running" in S["job"]')" = false ]
	[ "$(spy 'S["job"]["last_run"]')" -eq "$(epoch '2026-01-05 09:30:20')" ]
}

# ---- 8. a workspace hb-run may not write -----------------------------------------------------

# Runs hb-run as nobody from here on (skips when that is not possible).
as_nobody() {
	need_root
	setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null ||
	    skip "setpriv cannot switch to nobody"
	HBR_WRAP=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
	chmod 0755 "$WS"
	chmod 1777 "$WS/tmp"
}

@test "read-only workspace, unprivileged: a tick with no lock file fails non-zero, naming it; nothing is written" {
	one_job
	as_nobody
	run --separate-stderr hb_via "$T0"
	[ "$status" -ne 0 ] || fail "exit 0"
	[[ "$stderr" == *".heartbeat.lock"*"Permission denied"* ]] || fail "$stderr"
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ] && [ ! -e .heartbeat-log.jsonl ] && [ ! -e .heartbeat.lock ]
}

@test "read-only workspace, unprivileged: a tick that cannot replace the state fails non-zero, runs nothing, loses nothing" {
	one_job
	run --separate-stderr hb_frozen "$T0"
	[ "$status" -eq 0 ] || fail "first tick: exit $status: $stderr"
	as_nobody
	# its own files are writable for it; the directory is not
	chown nobody .heartbeat-state.json .heartbeat-log.jsonl .heartbeat.lock
	cp -p .heartbeat-state.json state.before
	cp -p .heartbeat-log.jsonl log.before
	run --separate-stderr hb_via "2026-01-05 09:30:00"
	[ "$status" -ne 0 ] || fail "exit 0"
	[[ "$stderr" == *".heartbeat-state.json"*"Permission denied"* ]] || fail "$stderr"
	[[ "$stderr" == *"nothing was run"* ]] || fail "$stderr"
	[ "$(runs_of job)" -eq 1 ]
	cmp state.before .heartbeat-state.json
	cmp log.before .heartbeat-log.jsonl
	[ -z "$(ls -A | grep '\.tmp\.')" ]
}

# ---- 9. root: who may write what hb-run reads ------------------------------------------------

@test "as root: HEARTBEAT.md writable by others is refused, exit 2; nothing runs" {
	need_root
	one_job
	chmod 0666 HEARTBEAT.md
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 2 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"HEARTBEAT.md: writable by group or others: refused"* ]] || fail "$stderr"
	[ "$(runs_of)" -eq 0 ] && [ ! -e .heartbeat-state.json ]
	chmod 0644 HEARTBEAT.md
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of job)" -eq 1 ]
}

@test "as root: hb-run.ini owned by another user is refused, exit 2; nothing runs" {
	need_root
	one_job
	printf '[runner]\ntimeout = 5m\n' >hb-run.ini
	chown nobody hb-run.ini
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 2 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"hb-run.ini: owned by uid $(id -u nobody), not root: refused"* ]] || fail "$stderr"
	[ "$(runs_of)" -eq 0 ] && [ ! -e .heartbeat-state.json ]
	chown root hb-run.ini
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
}

@test "as root: a group-writable agent template fails the task with a clear message; it is not run" {
	need_root
	one_job
	cp "$HBT_FIXTURES/agent.sh" "$WS/tpl.sh"
	chmod 0775 "$WS/tpl.sh"
	export HB_AGENT_AGENT_TURN="$WS/tpl.sh"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"job: $WS/tpl.sh: writable by group or others: refused"* ]] || fail "$stderr"
	[ "$(runs_of)" -eq 0 ]
	[ "$(py 'L[-1]["status"]')" = error ]
	[[ "$(py 'L[-1]["note"]')" == *"writable by group or others"* ]]
	[ "$(py 'S["job"]["last_status"]')" = error ]
	chmod 0755 "$WS/tpl.sh"
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of job)" -eq 1 ]
}

@test "as root: a world-writable workspace is refused unless sticky; normal modes work" {
	need_root
	one_job
	chmod 0777 "$WS"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 2 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"the directory of it, .: writable by group or others: refused"* ]] || fail "$stderr"
	[ "$(runs_of)" -eq 0 ]
	chmod 1777 "$WS"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "sticky: exit $status: $stderr"
	chmod 0700 "$WS"
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ] || fail "0700: exit $status: $stderr"
	[ "$(runs_of job)" -eq 2 ]
}

# ---- 10. prompts full of shell syntax --------------------------------------------------------

@test "injection corpus: prompt and context reach the agent byte for byte on stdin and in HB_PROMPT_FILE; nothing is executed" {
	"$HBT_PY" "$HBT_FIXTURES/robust-corpus.py" "$WS"
	[ "$(wc -c <expected.prompt)" -gt 100000 ]
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of job)" -eq 1 ]
	cmp expected.prompt rec/job.1.stdin
	cmp expected.prompt rec/job.1.prompt
	[ "$(seen job HB_MODEL)" = "$(cat expected.model)" ]
	[ -z "$(ls -d "$WS"/canary-* / /canary-* 2>/dev/null | grep canary)" ] ||
	    fail "executed: $(ls -d "$WS"/canary-* 2>/dev/null)"
	# the dry run and status read the same file without running any of it
	run --separate-stderr hb_at "$T0" -n
	run --separate-stderr hb_at "$T0" status
	[ "$status" -eq 0 ]
	[ -z "$(ls -d "$WS"/canary-* 2>/dev/null)" ]
}

# ---- 11. secrets -----------------------------------------------------------------------------

@test "secrets in a reply, in stderr and in a note are blanked in the log, and absent from status and log" {
	local s secrets
	heartbeat <<'MD'
tasks:
  - name: talk
    interval: 30m
    prompt: say it
  - name: lost
    interval: 30m
    type: systemEvent
    prompt: never runs
MD
	agent_script "$WS/leak.sh" <<'EOF'
cat >/dev/null
echo "key sk-live1234567890abcdefXYZ here"
echo "Authorization: Bearer abcdEFGH12345678ijkl"
echo "clone https://alice:s3cr3tpass@git.example.com/repo.git"
echo "GET https://api.example.com/v1?token=tokSupersecret99&x=1"
echo "err sk-err1234567890abcdefQ" >&2
echo "Authorization: bearer errBearer12345678" >&2
echo "push https://bob:errPass99@h.example.com/x" >&2
echo "GET /v1?api_key=errKey123456&y=2" >&2
EOF
	export HB_AGENT_AGENT_TURN="$WS/leak.sh"
	export HB_AGENT_SYSTEM_EVENT="/nonexistent/https://carol:notePass77@h/x?token=noteTok123 Bearer noteBearer12345678 sk-noteSk1234567890ab.sh"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 1 ] || fail "exit $status: $stderr"
	[ "$(py '[e["status"] for e in L]')" = '["ok", "error"]' ]
	[[ "$(py 'L[0]["reply"]')" == *"[redacted]"* ]]
	[[ "$(py 'L[0]["stderr"]')" == *"[redacted]"* ]]
	[[ "$(py 'L[1]["note"]')" == *"[redacted]"* ]]
	secrets="live1234567890abcdefXYZ abcdEFGH12345678ijkl s3cr3tpass tokSupersecret99
	    err1234567890abcdefQ errBearer12345678 errPass99 errKey123456
	    notePass77 noteTok123 noteBearer12345678 noteSk1234567890ab"
	for s in $secrets; do
		! grep -qF "$s" .heartbeat-log.jsonl || fail "$s is in the log: $(cat .heartbeat-log.jsonl)"
		! grep -qF "$s" .heartbeat-state.json || fail "$s is in the state"
	done
	run --separate-stderr hb_at "$T0" status
	[ "$status" -eq 0 ] || fail "status: exit $status: $stderr"
	for s in $secrets; do [[ "$output$stderr" != *"$s"* ]] || fail "$s in status: $output"; done
	run --separate-stderr hb_at "$T0" status --json
	[ "$status" -eq 0 ]
	for s in $secrets; do [[ "$output$stderr" != *"$s"* ]] || fail "$s in status --json: $output"; done
	run --separate-stderr hb_at "$T0" log --json
	[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 2 ]
	for s in $secrets; do [[ "$output$stderr" != *"$s"* ]] || fail "$s in log --json: $output"; done
	run --separate-stderr hb_at "$T0" log
	[ "$status" -eq 0 ]
	for s in $secrets; do [[ "$output$stderr" != *"$s"* ]] || fail "$s in log: $output"; done
}

@test "a secret cut by the log's 8 KiB limit on a reply leaves no part of it in the log" {
	one_job
	agent_script "$WS/long.sh" <<'EOF'
cat >/dev/null
head -c 8180 /dev/zero | tr '\0' a
echo " sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
EOF
	export HB_AGENT_AGENT_TURN="$WS/long.sh"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(py 'len(L[-1]["reply"])')" -le 8192 ]
	! grep -q ABCDEFGH .heartbeat-log.jsonl ||
	    fail "part of the secret is in the log: ...$(py 'L[-1]["reply"][-20:]')"
}

@test "a bearer token that begins the kept tail of a long stderr is still blanked in the log" {
	one_job
	# stderr: 5000 bytes, " Bearer ", then exactly the 12 KiB that hb-run keeps as the
	# tail, which therefore starts with the token
	agent_script "$WS/noisy.sh" <<'EOF'
cat >/dev/null
{
	head -c 5000 /dev/zero | tr '\0' b
	printf ' Bearer '
	printf 'TOKENSECRET0123456789'
	head -c $((12288 - 21)) /dev/zero | tr '\0' c
} >&2
echo "reply"
EOF
	export HB_AGENT_AGENT_TURN="$WS/noisy.sh"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$(py 'L[-1]["stderr"]')" == *"bytes cut here"* ]]
	! grep -q TOKENSECRET0123456789 .heartbeat-log.jsonl ||
	    fail "the token is in the log: $(py 'L[-1]["stderr"][4090:4160]')"
}

# ---- 12. file modes, planted symlinks --------------------------------------------------------

@test "state, log, lock and prompt file are created 0600, whatever the umask" {
	one_job
	umask 000
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(stat -c %a .heartbeat-state.json)" = 600 ]
	[ "$(stat -c %a .heartbeat-log.jsonl)" = 600 ]
	[ "$(stat -c %a .heartbeat.lock)" = 600 ]
	[ "$(cat rec/job.1.mode)" = 600 ]
	[ -z "$(ls tmp)" ]
	# a state file the user made 0644 is replaced by a 0600 one
	chmod 0644 .heartbeat-state.json
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a .heartbeat-state.json)" = 600 ]
}

@test "a symlink planted as the log is not followed: the target is unchanged, hb-run reports it" {
	one_job
	mkdir other
	printf 'precious\n' >other/target
	cp other/target target.before
	ln -s "$WS/other/target" .heartbeat-log.jsonl
	run --separate-stderr hb_at "$T0"
	[ "$status" -ne 0 ] || fail "exit 0: $stderr"
	[[ "$stderr" == *".heartbeat-log.jsonl"* ]] || fail "$stderr"
	cmp target.before other/target
	[ -L .heartbeat-log.jsonl ]
	# a dangling one is not followed either
	rm other/target
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -ne 0 ] || fail "exit 0: $stderr"
	[ ! -e other/target ]
}

@test "symlinks planted as the lock and the state file: their targets are unchanged" {
	one_job
	mkdir other
	printf 'lock target\n' >other/lock
	printf '{"job": {"last_run": 1}}\n' >other/state
	cp other/lock lock.before
	cp other/state state.before
	ln -s "$WS/other/lock" .heartbeat.lock
	run --separate-stderr hb_at "$T0"
	[ "$status" -ne 0 ] || fail "exit 0 with a symlinked lock: $stderr"
	[[ "$stderr" == *".heartbeat.lock"* ]] || fail "$stderr"
	[ "$(runs_of)" -eq 0 ]
	cmp lock.before other/lock
	rm .heartbeat.lock
	ln -s "$WS/other/state" .heartbeat-state.json
	run --separate-stderr hb_at "$T0"
	cmp state.before other/state
	[ "$(stat -c %a other/state)" = "$(stat -c %a state.before)" ]
}

# ---- 13. a pid reused by another process -----------------------------------------------------

# seed_claim PID PID_START BOOT: a state whose task "job" ran an hour ago and is claimed by PID
# since a minute before $T0.
seed_claim() {
	"$HBT_PY" - "$1" "$2" "$3" "$(epoch "$T0")" <<'PY'
import json, sys
pid, start, boot, now = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = {"job": {"last_run": now - 3600, "last_status": "ok", "runs": 1, "consecutive_errors": 0,
             "running": {"pid": int(pid), "pid_start": int(start), "started": now - 60,
                         "run_id": "0badc1a1-0000-4000-8000-000000000001", "boot_id": boot}},
     "_version": 1}
with open(".heartbeat-state.json", "w") as f:
    json.dump(s, f, indent=1)
PY
}

# A live process of this test that is not hb-run: its pid in SLEEPER, its start time in START.
start_sleeper() {
	sleep 300 </dev/null >/dev/null 2>&1 3>&- &
	SLEEPER=$!
	echo "$SLEEPER" >>"$WS/pids/sleeper"
	wait_for 10 test -r "/proc/$SLEEPER/stat"
	START=$(sed 's/.*) //' "/proc/$SLEEPER/stat" | cut -d ' ' -f 20)
	[ -n "$START" ] && [ "$START" -gt 0 ]
}

@test "pid reuse: a claim naming a live process with another start time is stale: logged interrupted, the task runs" {
	needs_linux_platform "process start times (/proc)"
	local boot
	boot=$(cat /proc/sys/kernel/random/boot_id)
	one_job
	start_sleeper
	seed_claim "$SLEEPER" $((START + 1000)) "$boot"
	run --separate-stderr hb_frozen "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"warning: job: its last run was interrupted (the tick that ran it, pid $SLEEPER,"* ]] || fail "$stderr"
	[ "$(runs_of job)" -eq 1 ]
	[ "$(py '[e["status"] for e in L]')" = '["interrupted", "ok"]' ]
	[ "$(py 'L[0]["run_id"]')" = 0badc1a1-0000-4000-8000-000000000001 ]
	[ "$(py '"running" in S["job"]')" = false ]
	[ "$(py 'S["job"]["runs"]')" = 2 ]
	! gone "$SLEEPER" || fail "the sleeper was touched"
}

@test "pid reuse: the same live process and start time holds the claim; another boot's claim is stale" {
	needs_linux_platform "process start times and boot id (/proc)"
	local boot
	boot=$(cat /proc/sys/kernel/random/boot_id)
	one_job
	start_sleeper
	seed_claim "$SLEEPER" "$START" "$boot"
	cp .heartbeat-state.json state.before
	run --separate-stderr hb_frozen "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of)" -eq 0 ]
	cmp state.before .heartbeat-state.json
	run --separate-stderr hb_frozen "$T0" status
	[[ "$output" == *"running (pid $SLEEPER)"* ]] || fail "$output"
	# the same process, but the claim was made in another boot
	seed_claim "$SLEEPER" "$START" "00000000-1111-4222-8333-444444444444"
	run --separate-stderr hb_frozen "$T0"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"its last run was interrupted"* ]] || fail "$stderr"
	[ "$(runs_of job)" -eq 1 ]
	[ "$(py '"running" in S["job"]')" = false ]
}
