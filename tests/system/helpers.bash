# helpers.bash - shared by the system tests: a fresh workspace per test, the binary under a
# faked clock (hb_at), fake agents, and small readers for the state file and the log.
#
# The binary is ${HB_BIN:-../../hb-run}; on the portable build (build/portable/hb-run) the
# tests of the Linux-only parts skip (needs_linux_platform). When HB_ASAN_PRELOAD names
# libasan.so (the sanitizer pass, HB_BIN=build/asan/hb-run), libasan is preloaded first and
# libfaketime after it.

bats_require_minimum_version 1.5.0

HBT_DIR="$BATS_TEST_DIRNAME"
HBT_FIXTURES="$HBT_DIR/fixtures"
HBT_PY=/usr/bin/python3
[ -x "$HBT_PY" ] || HBT_PY=$(command -v python3)

# The longest any one hb-run may take before the test gives up on it (seconds).
HBT_LIMIT=${HBT_LIMIT:-90}

# libfaketime, found portably: the Debian package's file list, else the usual places.
hbt_find_faketime() {
	local f
	f=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -n 1)
	if [ -z "$f" ]; then
		for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
		    /usr/lib64/faketime/libfaketime.so.1 /usr/local/lib/faketime/libfaketime.so.1; do
			[ -e "$f" ] && break
		done
	fi
	[ -e "$f" ] && printf '%s\n' "$f"
}

# The dynamic loader named in the binary's ELF header (for --preload, see hb_at).
hbt_find_ldso() {
	local f
	f=$(readelf -l "$1" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)\]$/\1/p')
	if [ -z "$f" ]; then
		for f in /lib64/ld-linux-*.so.* /lib/ld-linux-*.so.* /lib/*/ld-linux-*.so.*; do
			[ -x "$f" ] && break
		done
	fi
	[ -x "$f" ] && printf '%s\n' "$f"
}

setup() {
	local v

	HB_BIN="${HB_BIN:-$BATS_TEST_DIRNAME/../../hb-run}"
	case $HB_BIN in /*) ;; *) HB_BIN="$PWD/$HB_BIN" ;; esac
	[ -x "$HB_BIN" ] || skip "no binary at $HB_BIN (run make first)"
	HBT_FAKETIME_LIB=$(hbt_find_faketime) || skip "libfaketime is not installed"
	export HBT_FAKETIME_LIB

	# A user's own HB_ settings must not leak into the tests.
	for v in $(compgen -e); do
		case $v in
		HB_BIN | HB_ASAN_PRELOAD) ;;
		HB_*) unset "$v" ;;
		esac
	done

	WS=$(mktemp -d "${TMPDIR:-/tmp}/hb-system.XXXXXX")
	WS=$(cd "$WS" && pwd -P)	# hb-run names the workspace by its physical path
	mkdir "$WS/tmp" "$WS/pids"
	export WS
	# Every process a test starts carries this marker, so that teardown kills only ours.
	export HBT_WS="$WS"
	cd "$WS" || return 1

	export HB_AGENT_AGENT_TURN="$HBT_FIXTURES/agent.sh"
	export HB_AGENT_SYSTEM_EVENT="$HBT_FIXTURES/agent.sh"
}

# Is PID a live process of this test? (Its environment carries our marker.)
hbt_ours() {
	{ tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null | grep -qxF "HBT_WS=$WS"
}

teardown() {
	local f pid

	[ -n "${WS:-}" ] && [ -d "$WS" ] || return 0
	cd / || true
	# Processes the tests started record their pids in $WS/pids/ (fake agents, their
	# children, background hb-runs); end those still alive, and only if they are ours.
	for f in "$WS"/pids/*; do
		[ -f "$f" ] || continue
		while read -r pid; do
			case $pid in '' | *[!0-9]*) continue ;; esac
			hbt_ours "$pid" && kill -KILL "$pid" 2>/dev/null
		done <"$f"
	done
	rm -rf "$WS"
}

# hb_at TIME ARGS...: runs the binary in the workspace with the clock starting at TIME
# (UTC, "2026-01-05 09:00:00") and running on; child processes (the fake agents) continue
# the same fake clock (FAKETIME_DONT_RESET). Use it under bats' run.
#
# The sanitizer pass preloads libasan first and libfaketime second. They go to the dynamic
# loader's --preload, not into LD_PRELOAD: an LD_PRELOAD of both would be inherited by the
# agents, and an uninstrumented /bin/sh with libasan and libfaketime preloaded deadlocks at
# start. The fake agents preload libfaketime themselves ($HBT_FAKETIME_LIB) to read the clock.
# Leak detection is off under the faked clock (the last ASAN_OPTIONS setting wins).
hb_at() {
	local when=$1 ldso
	shift
	if [ -n "${HB_ASAN_PRELOAD:-}" ]; then
		ldso=$(hbt_find_ldso "$HB_BIN")
		if [ -z "$ldso" ] || ! "$ldso" --help 2>/dev/null | grep -q -- --preload; then
			# an older glibc: LD_PRELOAD it is (fake agents may then hang)
			timeout -k 5 "$HBT_LIMIT" env TZ=UTC TMPDIR="$WS/tmp" \
			    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			    LD_PRELOAD="$HB_ASAN_PRELOAD $HBT_FAKETIME_LIB" \
			    FAKETIME="@$when" FAKETIME_DONT_RESET=1 "$HB_BIN" "$@"
			return
		fi
		timeout -k 5 "$HBT_LIMIT" env -u LD_PRELOAD TZ=UTC TMPDIR="$WS/tmp" \
		    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		    FAKETIME="@$when" FAKETIME_DONT_RESET=1 \
		    "$ldso" --preload "$HB_ASAN_PRELOAD $HBT_FAKETIME_LIB" "$HB_BIN" "$@"
	else
		timeout -k 5 "$HBT_LIMIT" env TZ=UTC TMPDIR="$WS/tmp" \
		    LD_PRELOAD="$HBT_FAKETIME_LIB" FAKETIME="@$when" FAKETIME_DONT_RESET=1 \
		    "$HB_BIN" "$@"
	fi
}

# The plain binary, real clock (for --help and the like).
hb() {
	timeout -k 5 "$HBT_LIMIT" env TZ=UTC TMPDIR="$WS/tmp" "$HB_BIN" "$@"
}

# Unix seconds of a UTC time.
epoch() {
	TZ=UTC date -d "$1" +%s
}

# py EXPR: prints a Python expression over S (the state file, or None) and L (the log
# entries, a list), e.g. py 'S["a"]["runs"]'.
py() {
	"$HBT_PY" - "$1" <<'PY'
import json, os, sys
S = None
if os.path.exists(".heartbeat-state.json"):
    with open(".heartbeat-state.json") as f:
        S = json.load(f)
L = []
if os.path.exists(".heartbeat-log.jsonl"):
    with open(".heartbeat-log.jsonl") as f:
        L = [json.loads(l) for l in f if l.strip()]
v = eval(sys.argv[1])
print(json.dumps(v) if not isinstance(v, str) else v)
PY
}

# How many times the fake agent ran task T (or all tasks).
runs_of() {
	if [ ! -f "$WS/rec/order" ]; then
		echo 0
	elif [ -z "${1:-}" ]; then
		wc -l <"$WS/rec/order" | tr -d ' '
	else
		grep -cxF "$1" "$WS/rec/order" || true
	fi
}

# What the Nth run (default: the last) of task T saw in variable V.
seen() {
	local t=$1 v=$2 n=${3:-}
	[ -n "$n" ] || n=$(runs_of "$t")
	sed -n "s/^$v=//p" "$WS/rec/$t.$n.env"
}

# Writes HEARTBEAT.md from standard input.
heartbeat() {
	cat >"$WS/HEARTBEAT.md"
}

# A fake agent script at PATH with the body on standard input (sh, set -u not set).
agent_script() {
	{
		echo '#!/bin/sh'
		cat
	} >"$1"
	chmod +x "$1"
}

# Is process PID gone? A zombie counts as gone: nobody may be left to reap an orphan.
gone() {
	local st
	kill -0 "$1" 2>/dev/null || return 0
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ "$st" = Z ] || [ -z "$st" ]
}

# Does the binary have the Linux-only calls of runner/platform.c (the subreaper, the
# parent-death signal, /proc start times, the boot id)? Not the portable build, whose
# `hb-run --version` ends in "(portable)" (make portable, macOS, the BSDs).
linux_platform() {
	if [ -z "${HBT_PORTABLE:-}" ]; then
		HBT_PORTABLE=no
		case $("$HB_BIN" --version 2>/dev/null) in *"(portable)") HBT_PORTABLE=yes ;; esac
	fi
	[ "$HBT_PORTABLE" = no ]
}

# needs_linux_platform WHAT: skips the test on the portable build, which lacks WHAT; the skip
# names it, and tests/run-all.sh counts and lists the skips.
needs_linux_platform() {
	linux_platform || skip "needs the Linux-only $*: portable build"
}

# refute CMD...: fails the test when CMD succeeds. (A bare "! CMD" never fails a bats test:
# errexit ignores a negated command.)
refute() {
	if "$@"; then
		fail "expected to fail: $*"
	fi
}

# Fails the test with a message.
fail() {
	echo "$*" >&2
	return 1
}

# hb_frozen TIME ARGS...: as hb_at, but the clock stands still at TIME (UTC) for hb-run and
# the agents it starts; the monotonic clock is left real, so that timeouts still end. For a
# tick a second before a slot, which must not depend on how quickly the machine starts it.
hb_frozen() {
	local when=$1 ldso
	shift
	if [ -n "${HB_ASAN_PRELOAD:-}" ]; then
		ldso=$(hbt_find_ldso "$HB_BIN")
		if [ -z "$ldso" ] || ! "$ldso" --help 2>/dev/null | grep -q -- --preload; then
			timeout -k 5 "$HBT_LIMIT" env TZ=UTC TMPDIR="$WS/tmp" \
			    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			    LD_PRELOAD="$HB_ASAN_PRELOAD $HBT_FAKETIME_LIB" \
			    FAKETIME="$when" FAKETIME_DONT_RESET=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
			    "$HB_BIN" "$@"
			return
		fi
		timeout -k 5 "$HBT_LIMIT" env -u LD_PRELOAD TZ=UTC TMPDIR="$WS/tmp" \
		    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		    FAKETIME="$when" FAKETIME_DONT_RESET=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
		    "$ldso" --preload "$HB_ASAN_PRELOAD $HBT_FAKETIME_LIB" "$HB_BIN" "$@"
	else
		timeout -k 5 "$HBT_LIMIT" env TZ=UTC TMPDIR="$WS/tmp" \
		    LD_PRELOAD="$HBT_FAKETIME_LIB" FAKETIME="$when" FAKETIME_DONT_RESET=1 \
		    FAKETIME_DONT_FAKE_MONOTONIC=1 "$HB_BIN" "$@"
	fi
}

# The Unix seconds of an ISO 8601 time with an offset, as `hb-run next` prints them.
iso_epoch() {
	"$HBT_PY" -c 'import datetime, sys; print(int(datetime.datetime.fromisoformat(sys.argv[1]).timestamp()))' "$1"
}
