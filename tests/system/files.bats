#!/usr/bin/env bats
# files.bats - hb-run and the files around it: FIFOs in place of its files, a lock held by
# someone else (bounded wait, the holder named, signals honoured), replies that cannot be
# written or that hold NUL bytes, invalid UTF-8 and escape sequences, a full disk under the
# log, a failed rotation, an oversized log, and small command-line edges.

load helpers

T0="2026-01-05 09:00:00"

# HEARTBEAT.md with the one task "job" every 30m; $1: one more key line.
one_job() {
	heartbeat <<MD
tasks:
  - name: job
    interval: 30m
    prompt: do the job
${1:+    $1}
MD
}

# A process that holds the workspace lock, with its pid in the lock file; sets HOLDER.
hold_lock() {
	flock -x "$WS/.heartbeat.lock" sh -c 'echo $$ >"$1"; exec sleep 60' sh "$WS/.heartbeat.lock" &
	for _ in $(seq 50); do
		[ -s "$WS/.heartbeat.lock" ] && break
		sleep 0.1
	done
	HOLDER=$(cat "$WS/.heartbeat.lock")
	echo "$HOLDER" >>"$WS/pids/holder"
}

# hb_at under a file size limit of 200 KiB.
limited() {
	(
		ulimit -f 200
		hb_at "$@"
	)
}

# ---- item: FIFOs -------------------------------------------------------------------------

@test "a FIFO as the state file, the log, HEARTBEAT.md, hb-run.ini or a zone file is refused at once, never waited on" {
	local f
	export HBT_LIMIT=8
	for f in .heartbeat-state.json .heartbeat-log.jsonl HEARTBEAT.md hb-run.ini zone; do
		rm -rf "$WS"/* "$WS"/.heartbeat* 2>/dev/null
		mkdir -p "$WS/tmp" "$WS/pids" "$WS/zones"
		if [ "$f" = zone ]; then
			one_job "tz: Fifo/Zone"
			mkdir "$WS/zones/Fifo"
			mkfifo "$WS/zones/Fifo/Zone"
		else
			one_job
			[ "$f" = HEARTBEAT.md ] && rm -f "$WS/HEARTBEAT.md"
			mkfifo "$WS/$f"
		fi
		SECONDS=0
		TZDIR="$WS/zones" run --separate-stderr hb_at "$T0"
		echo "$f: status $status after ${SECONDS}s; stderr: $stderr"
		[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "$f: hb-run blocked"
		[ "$status" -ne 0 ]
		[[ $stderr == *"not a regular file"* ]]
	done
}

# ---- item: the lock ----------------------------------------------------------------------

@test "a lock held too long: the tick gives up after about 10 s, naming the holder's pid; nothing runs" {
	export HBT_LIMIT=30
	one_job
	hold_lock
	SECONDS=0
	run --separate-stderr hb_at "$T0"
	echo "status $status after ${SECONDS}s; stderr: $stderr"
	[ "$status" -eq 2 ]
	[ "$SECONDS" -ge 9 ] && [ "$SECONDS" -le 20 ]
	[[ $stderr == *"held by pid $HOLDER"* ]]
	[ "$(runs_of job)" = 0 ]
}

@test "SIGTERM while a tick waits for the lock ends it at once with 143" {
	export HBT_LIMIT=30
	one_job
	hold_lock
	hb_at "$T0" 2>"$WS/err" &
	local pid=$! tpid
	sleep 2
	tpid=$(pgrep -P "$pid")	# timeout(1), which passes the signal on to hb-run
	echo "$tpid" >>"$WS/pids/tick"
	SECONDS=0
	kill -TERM "$tpid"
	local rc=0
	wait "$pid" || rc=$?
	cat "$WS/err"
	echo "rc $rc after ${SECONDS}s"
	[ "$rc" -eq 143 ]
	[ "$SECONDS" -le 3 ]
	grep -q "interrupted by signal 15" "$WS/err"
	[ "$(runs_of job)" = 0 ]
}

# ---- item: delivery ----------------------------------------------------------------------

@test "a reply written to /dev/full is not delivered: an error, the log keeps it as undelivered, exit 1" {
	one_job
	echo "Disk 95% full" >"$WS/reply.job"
	hb_at "$T0" >/dev/full 2>"$WS/err" && rc=0 || rc=$?
	cat "$WS/err"
	[ "$rc" -eq 1 ]
	grep -q "job: the reply could not be written to standard output: No space left on device" "$WS/err"
	[ "$(py 'L[-1]["reply_verdict"]')" = undelivered ]
	[ "$(py 'L[-1]["reply"]')" = "Disk 95% full" ]
	[[ $(py 'L[-1]["note"]') == *"No space left on device"* ]]
}

@test "a reply written to a closed pipe is not delivered: an error, exit 1" {
	one_job
	echo "Disk 95% full" >"$WS/reply.job"
	{
		rc=0
		hb_at "$T0" 2>"$WS/err" || rc=$?
		echo "$rc" >"$WS/rc"
	} | true
	cat "$WS/err"
	[ "$(cat "$WS/rc")" -eq 1 ]
	grep -q "could not be written to standard output: Broken pipe" "$WS/err"
	[ "$(py 'L[-1]["reply_verdict"]')" = undelivered ]
}

# ---- item: what a reply may hold ---------------------------------------------------------

@test "a NUL byte after HEARTBEAT_OK does not hide the alert behind it, on stdout or in the log" {
	one_job
	printf 'HEARTBEAT_OK\0ALERT: disk full' >"$WS/reply.job"
	export HB_RUNNER_ACK_MAX_CHARS=0	# whatever follows the token is delivered
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[[ $output == *"ALERT: disk full"* ]]
	[[ $(py 'L[-1]["reply"]') == *"ALERT: disk full"* ]]
}

@test "invalid UTF-8 in a reply leaves the log line valid JSON; the reply is delivered with U+FFFD" {
	one_job
	printf 'bad \xff\xfe bytes \xc3' >"$WS/reply.job"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	"$HBT_PY" -c 'import sys, json; [json.loads(l.decode("utf-8")) for l in open(sys.argv[1], "rb")]' \
	    "$WS/.heartbeat-log.jsonl"
	[ "$(py 'L[-1]["reply"]')" = "bad �� bytes �" ]
	[[ $output == *"bad �� bytes �"* ]]
}

@test "terminal escape sequences from an agent (title, clear screen, clipboard) never reach stdout or stderr raw" {
	one_job
	printf 'hello \033]0;pwned\007 \033[2J \033]52;c;ZXZpbA==\033\\ \302\233 done\n' >"$WS/reply.job"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[[ $output == *hello*done* ]]
	[[ $output != *$'\033'* ]]
	[[ $output != *$'\007'* ]]
	[[ $output != *$'\302\233'* ]]
	# an agent that fails: its stderr is shown, made printable too
	agent_script "$WS/bad.sh" <<'SH'
printf 'oops \033]0;pwned\007\n' >&2
exit 3
SH
	HB_AGENT_AGENT_TURN="$WS/bad.sh" run --separate-stderr hb_at "2026-01-05 10:00:00"
	[ "$status" -eq 1 ]
	[[ $stderr == *oops* ]]
	[[ $stderr != *$'\033'* ]]
}

# ---- item: the log on a full disk, rotation, size ----------------------------------------

@test "a full disk under the log (ulimit -f): no half line, the real reason, exit 1; the next tick appends whole lines" {
	one_job
	# 204790 bytes of whole lines: 10 bytes short of the 200 KiB limit
	"$HBT_PY" - "$WS/.heartbeat-log.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    n = 0
    while n < 204790 - 200:
        line = json.dumps({"task": "old", "status": "ok", "pad": "x" * 100}) + "\n"
        f.write(line); n += len(line)
    rest = 204790 - n - 1
    f.write(json.dumps({"task": "old", "pad": "y" * (rest - len(json.dumps({"task": "old", "pad": ""})))}) + "\n")
PY
	[ "$(stat -c %s "$WS/.heartbeat-log.jsonl")" -eq 204790 ]
	run --separate-stderr limited "$T0"
	echo "status $status; stderr: $stderr"
	[ "$status" -eq 1 ]
	[[ $stderr == *"File too large"* ]]
	[[ $stderr != *"No such process"* ]]
	[ "$(stat -c %s "$WS/.heartbeat-log.jsonl")" -eq 204790 ]
	run hb_at "2026-01-05 09:40:00"
	[ "$status" -eq 0 ]
	[ "$(py 'L[-1]["task"]')" = job ]
}

@test "a rotation that fails is reported (exit 1), and the entry is still appended" {
	one_job
	head -c $((4 * 1024 * 1024 + 10)) /dev/zero | tr '\0' '\n' >"$WS/.heartbeat-log.jsonl"
	mkdir -p "$WS/.heartbeat-log.jsonl.1/keep"
	run --separate-stderr hb_at "$T0"
	echo "status $status; stderr: $stderr"
	[ "$status" -eq 1 ]
	[[ $stderr == *"cannot rotate"* ]]
	[ "$(py 'L[-1]["task"]')" = job ]
}

@test "log on a log past 16 MiB shows its newest entries" {
	"$HBT_PY" - "$WS/.heartbeat-log.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    line = json.dumps({"time": "2026-01-01T00:00:00Z", "task": "old", "status": "ok", "pad": "x" * 1000}) + "\n"
    for _ in range(17 * 1024):
        f.write(line)
    f.write(json.dumps({"time": "2026-01-05T09:00:00Z", "task": "newest", "status": "ok"}) + "\n")
PY
	run --separate-stderr hb log -n 1 --json
	echo "status $status; stderr: $stderr"
	[ "$status" -eq 0 ]
	[[ $output == *'"task":"newest"'* ]]
}

# ---- small edges -------------------------------------------------------------------------

@test "next --from at the ends of int64 is refused (exit 2), no overflow" {
	run --separate-stderr hb next '0 9 * * *' --from @-9223372036854775808
	[ "$status" -eq 2 ]
	[[ $stderr == *"out of range"* ]]
	run --separate-stderr hb next '0 9 * * *' --from @9223372036854775807
	[ "$status" -eq 2 ]
	run hb next '0 9 * * *' --from @-62135596800 --count 1
	[ "$status" -eq 0 ]
	[ "$output" = "0001-01-01T09:00:00+00:00" ]
}

@test "'--' ends the options: hb-run -- -n runs the task named -n" {
	heartbeat <<'MD'
tasks:
  - name: -n
    interval: 30m
    prompt: do it
MD
	run --separate-stderr hb_at "$T0" -- -n
	echo "status $status; stderr: $stderr"
	[ "$status" -eq 0 ]
	[[ $output == *"=== -n ==="*"reply from -n"* ]]
	[ "$(py 'L[-1]["task"]')" = -n ]
}

@test "-v: notes say note:, errors do not" {
	one_job
	echo HEARTBEAT_OK >"$WS/reply.job"
	run --separate-stderr hb_at "$T0" -v
	[ "$status" -eq 0 ]
	[[ $stderr == *"hb-run: note: job: reply suppressed"* ]]
}

@test "the man page's @reboot line waits for the network, as crontab.example does" {
	grep -q '^@reboot.*sleep 60 && hb\\-run' "$BATS_TEST_DIRNAME/../../man/hb-run.1"
	grep -q '^@reboot sleep 60 && hb-run' "$BATS_TEST_DIRNAME/../../crontab.example"
}
