#!/bin/bash
# valgrind.sh - representative hb-run invocations under valgrind's memcheck: every one must
# exit as it should (the status it has without valgrind) with no memory error and no definite
# or indirect leak (valgrind's --error-exitcode=99 and its ERROR SUMMARY). The agents are
# not traced (--trace-children=no): they are the tests' own shell scripts.
#
# Checks: a tick that runs agents (a delivered reply, a suppressed one, a failing agent, a
# 1s timeout, a systemEvent), a tick with nothing due, a manual run, --catchup, status,
# status --json, log, log --json, log --task, check (good, broken), next (several
# expressions, a zone, a bad one), a dry run (would run / skip), a corrupt state file (moved
# aside), bad configurations (file, environment, missing -c), usage errors, --help,
# --version. Environment: HB_BIN (default ./hb-run), VG_TIMEOUT (seconds per run, 300),
# KEEP=1. Last line: "valgrind: N passed, M failed".
set -u
export LC_ALL=C TZ=UTC

HERE=$(cd "$(dirname "$0")" && pwd)
HB_BIN=${HB_BIN:-$HERE/../hb-run}
VG_TIMEOUT=${VG_TIMEOUT:-300}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

bail() {
	echo "valgrind: $*" >&2
	echo "valgrind: 0 passed, 1 failed"
	exit 1
}
command -v valgrind >/dev/null || bail "valgrind is not installed (apt-get install valgrind)"
[ -x "$HB_BIN" ] || bail "no binary at $HB_BIN (run make hb-run first)"
HB_BIN=$(cd "$(dirname "$HB_BIN")" && pwd)/$(basename "$HB_BIN")

for v in $(compgen -e); do
	case $v in HB_BIN) ;; HB_*) unset "$v" ;; esac
done

D=$(mktemp -d "${TMPDIR:-/tmp}/hb-valgrind.XXXXXX") || bail "mktemp failed"
D=$(cd "$D" && pwd -P)
cleanup() {
	local p
	trap - EXIT INT TERM
	# Whatever of ours still runs (a valgrind'ed hb-run, an agent): by the marker, by pid.
	for p in $(grep -lzxF "VG_MARK=$D" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do
		[ "$p" != $$ ] && kill -KILL "$p" 2>/dev/null
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "valgrind: kept $D" >&2
	else
		rm -rf "$D"
	fi
}
trap cleanup EXIT
trap 'echo "valgrind: interrupted" >&2; exit 130' INT TERM
export VG_MARK=$D
mkdir "$D/tmp" "$D/ws" "$D/fresh" "$D/broken" "$D/badcfg"
export TMPDIR=$D/tmp
# A private copy of the binary: others may rebuild ./hb-run while this runs.
for try in 1 2 3 4 5 6; do
	cp "$HB_BIN" "$D/hb-run" 2>/dev/null && "$D/hb-run" --version >/dev/null 2>&1 && break
	[ "$try" = 6 ] && bail "cannot copy a working binary from $HB_BIN"
	sleep 2
done
HB_BIN=$D/hb-run

# The fake agent: the reply is chosen by the task's name.
cat >"$D/agent.sh" <<'SH'
#!/bin/sh
cat >/dev/null
case $HB_TASK in
deliver) printf 'The disk is 93%% full.\nSee /var/log.\n' ;;
quiet) echo "**HEARTBEAT_OK**" ;;
event) echo "HEARTBEAT_OK all quiet" ;;
fails) echo "something broke" >&2; exit 3 ;;
slow) exec sleep 30 ;;
*) echo "reply from $HB_TASK" ;;
esac
SH
chmod 755 "$D/agent.sh"
export HB_AGENT_AGENT_TURN="$D/agent.sh" HB_AGENT_SYSTEM_EVENT="$D/agent.sh"

cat >"$D/ws/HEARTBEAT.md" <<'MD'
# Valgrind workspace

Context that goes with every prompt.

tasks:
  - name: deliver
    interval: 30m
    prompt: "Check the disk"
  - name: quiet
    every: 1h
    prompt: |
      Check the inbox.
      Reply HEARTBEAT_OK if nothing is urgent.
  - name: event
    interval: 2h
    type: systemEvent
    prompt: A system event
  - name: fails
    interval: 30m
    prompt: This agent fails
  - name: slow
    interval: 30m
    timeout: 1s
    prompt: This agent times out
  - name: weekday
    cron: "0 9 * * 1-5"
    tz: Europe/Berlin
    prompt: A weekday brief
  - name: once
    at: "2030-01-01 09:00"
    prompt: Once
MD
cp "$D/ws/HEARTBEAT.md" "$D/fresh/HEARTBEAT.md"
cat >"$D/broken/HEARTBEAT.md" <<'MD'
tasks:
  - name: good
    interval: 30m
    prompt: fine
  - name: bad duration
    interval: -5m
    prompt: no
  - name: unknown
    colour: blue
    prompt: no
  - name: good
    prompt: a duplicate
  - name: badcron
    cron: "61 * * * *"
    prompt: no
  - name: badzone
    cron: "0 9 * * *"
    tz: Mars/Olympus
    prompt: no
MD
cp "$D/ws/HEARTBEAT.md" "$D/badcfg/HEARTBEAT.md"
cat >"$D/badcfg/hb-run.ini" <<'INI'
[runner]
timeout = banana
max_concurrent = -3
unknown_key = 1
[nosuchsection]
x = y
INI

passed=0
failed=0
n=0
VG=(valgrind --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=no
    --track-fds=no --num-callers=30)

# vg NAME DIR WANT [ENV=VALUE...] -- ARGS...: runs hb-run -C DIR ARGS under valgrind; passes
# when it exits WANT (a list such as "0" or "0|1"), valgrind reports no error, and the extra
# check in $EXPECT (a shell command over $out and $err, if set) holds.
vg() {
	local name=$1 dir=$2 want=$3 rc ok=1 why=""
	local -a envs=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	n=$((n + 1))
	local log="$D/vg.$n.log" out="$D/out.$n" err="$D/err.$n"
	env "${envs[@]}" timeout -k 5 "$VG_TIMEOUT" "${VG[@]}" --log-file="$log" \
	    "$HB_BIN" -C "$dir" "$@" >"$out" 2>"$err" </dev/null
	rc=$?
	if [ "$rc" = 99 ]; then
		ok=0 why="valgrind found errors (exit 99)"
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		ok=0 why="timed out after ${VG_TIMEOUT}s"
	elif ! eval "case $rc in $want) true ;; *) false ;; esac"; then
		ok=0 why="exit $rc, wanted $want"
	fi
	if [ "$ok" = 1 ] && ! grep -q "ERROR SUMMARY: 0 errors" "$log"; then
		ok=0 why="valgrind's summary is not 0 errors"
	fi
	if [ "$ok" = 1 ] && [ -n "${EXPECT:-}" ] && ! (eval "$EXPECT") >/dev/null 2>&1; then
		ok=0 why="output check failed: $EXPECT"
	fi
	if [ "$ok" = 1 ]; then
		passed=$((passed + 1))
		echo "ok     $name (exit $rc)"
	else
		failed=$((failed + 1))
		echo "FAILED $name: $why"
		echo "       command: hb-run -C $dir $*"
		echo "       --- stdout"
		sed -n '1,15s/^/       | /p' "$out"
		echo "       --- stderr"
		sed -n '1,15s/^/       | /p' "$err"
		echo "       --- valgrind"
		grep -v '^==[0-9]*== *$' "$log" | sed -n '1,60s/^/       | /p'
	fi
	EXPECT=
}

json_ok() {
	"$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"
}
jsonl_ok() {
	"$PY" -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$1"
}

began=$SECONDS
echo "valgrind: $("${VG[0]}" --version), $HB_BIN; temp $D"

EXPECT='grep -q "^=== deliver ===" "$out" && ! grep -q quiet "$out" && grep -q "timed out" "$err" && grep -q "exit status 3" "$err"'
vg "a tick that runs agents (delivered, suppressed, failing, 1s timeout, systemEvent)" "$D/ws" 1 -- -v
EXPECT='[ ! -s "$out" ] && [ ! -s "$err" ]'
vg "a tick with nothing due" "$D/ws" 0 --
EXPECT='grep -q "^=== deliver ===" "$out"'
vg "a manual run: hb-run run deliver" "$D/ws" 0 -- run deliver
EXPECT='grep -q deliver "$out" && grep -q weekday "$out"'
vg "status" "$D/ws" "0|1" -- status
EXPECT='json_ok "$out"'
vg "status --json" "$D/ws" "0|1" -- status --json
EXPECT='grep -q deliver "$out"'
vg "log" "$D/ws" 0 -- log
EXPECT='jsonl_ok "$out" && [ -s "$out" ]'
vg "log --json" "$D/ws" 0 -- log --json
EXPECT='[ "$(wc -l <"$out")" -le 2 ] && jsonl_ok "$out"'
vg "log -n 2 --task deliver --json" "$D/ws" 0 -- log -n 2 --task deliver --json
EXPECT='[ ! -s "$err" ]'
vg "check (a good HEARTBEAT.md)" "$D/ws" 0 -- check
EXPECT='grep -q "HEARTBEAT.md:" "$err"'
vg "check (a broken HEARTBEAT.md)" "$D/broken" 2 -- check
EXPECT='grep -q "HEARTBEAT.md:" "$err"'
vg "a tick with a broken HEARTBEAT.md (the good task runs)" "$D/broken" 2 --
EXPECT='[ "$(wc -l <"$out")" = 4 ]'
vg "next '*/15 * * * *' --count 4" "$D/ws" 0 -- next '*/15 * * * *' --count 4
EXPECT='grep -q "+01:00" "$out"'
vg "next '0 9 * * 1-5' --tz Europe/Berlin --from 2026-03-27T00:00" "$D/ws" 0 -- next '0 9 * * 1-5' --tz Europe/Berlin --from "2026-03-27 00:00" --count 5
EXPECT='[ -s "$out" ]'
vg "next '30 2 * * *' --tz America/New_York (DST)" "$D/ws" 0 -- next '30 2 * * *' --tz America/New_York --from "2026-03-07 00:00" --count 3
EXPECT='[ -s "$out" ]'
vg "next '0 12 * jan-mar mon,fri' (names)" "$D/ws" 0 -- next '0 12 * jan-mar mon,fri' --count 3
EXPECT='[ -s "$out" ]'
vg "next @weekly" "$D/ws" 0 -- next @weekly --count 2
EXPECT='[ -s "$err" ]'
vg "next with a bad expression" "$D/ws" 2 -- next '* * * *' --count 2
EXPECT='[ -s "$err" ]'
vg "next with an unknown zone" "$D/ws" 2 -- next '0 9 * * *' --tz Nowhere/Land
before=$(cat "$D/ws/.heartbeat-state.json" "$D/ws/.heartbeat-log.jsonl" | cksum)
EXPECT='grep -q "^skip " "$out" && [ "$(cat "$D/ws/.heartbeat-state.json" "$D/ws/.heartbeat-log.jsonl" | cksum)" = "$before" ]'
vg "a dry run (nothing due: skip lines)" "$D/ws" 0 -- -n
EXPECT='grep -q "^would run deliver" "$out" && [ ! -e "$D/fresh/.heartbeat-state.json" ]'
vg "a dry run in a fresh workspace (would run)" "$D/fresh" 0 -- --dry-run
EXPECT='grep -q "^=== deliver ===" "$out"'
vg "--catchup (at most 3, 1s apart)" "$D/fresh" "0|1" HB_RUNNER_CATCHUP_STAGGER=1s HB_RUNNER_CATCHUP_MAX=3 -- --catchup
printf '{"deliver": {"last_run": 17' >"$D/ws/.heartbeat-state.json"
EXPECT='grep -q "moved it aside" "$err" && ls "$D"/ws/.heartbeat-state.json.corrupt-* && json_ok "$D/ws/.heartbeat-state.json"'
vg "a corrupt state file (moved aside, rebuilt)" "$D/ws" 1 --
printf '{"deliver": {"last_run": "yesterday"}}' >"$D/ws/.heartbeat-state.json"
EXPECT='grep -q "cannot read last_run" "$err"'
vg "a state file with a wrong type (check: a warning)" "$D/ws" 0 -- check
rm -f "$D/ws/.heartbeat-state.json"
EXPECT='grep -q "banana" "$err"'
vg "a bad configuration file (a tick)" "$D/badcfg" 2 --
EXPECT='grep -q "banana" "$err"'
vg "a bad configuration file (check)" "$D/badcfg" 2 -- check
EXPECT='[ -s "$err" ]'
vg "a bad configuration in the environment" "$D/ws" 2 HB_RUNNER_TIMEOUT=0 HB_RUNNER_ACK_MAX_CHARS=lots -- status
EXPECT='[ -s "$err" ]'
vg "a missing -c file" "$D/ws" 2 -- -c "$D/nope.ini" status
EXPECT='[ -s "$err" ]'
vg "-o with a bad key" "$D/ws" 2 -- -o runner.nosuch=1 -o agent=x status
EXPECT='grep -q deliver "$out"'
vg "-o with a good key (status)" "$D/ws" "0|1" -- -o runner.timeout=5m -o agent.model=m status
EXPECT='grep -q "HEARTBEAT.md" "$err"'
vg "-o and a missing HEARTBEAT.md" "$D/tmp" 2 -- -o runner.timeout=5m
EXPECT='[ -s "$err" ]'
vg "-o and a workspace that does not exist (-C)" "$D/ws" 2 -- -C "$D/nonexistent" -o runner.timeout=5m status
EXPECT='grep -q "no task named" "$err"'
vg "an unknown task name" "$D/ws" 2 -- nosuchtask
EXPECT='[ -s "$err" ]'
vg "an unknown option" "$D/ws" 2 -- --frobnicate
EXPECT='[ -s "$err" ]'
vg "a missing HEARTBEAT.md" "$D/tmp" 2 --
EXPECT='grep -q "^usage:" "$out"'
vg "--help" "$D/ws" 0 -- --help
EXPECT='grep -q "^hb-run " "$out"'
vg "--version" "$D/ws" 0 -- --version

echo "valgrind: $n runs in $((SECONDS - began)) s"
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
