#!/bin/sh
# Runs every test of hb-run: the unit tests and the system tests, first with the normal
# build, then with the AddressSanitizer + UndefinedBehaviorSanitizer build. Its last line
# counts them all: "tests: N passed, N failed". Called by `make test`.
set -u
cd "$(dirname "$0")/.." || exit 2
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

# unit BINARY: runs a unit-test binary; its last line is "unit: N passed, N failed".
unit() {
	echo "== unit tests: $1"
	"$1" >"$log" 2>&1
	rc=$?
	cat "$log"
	set -- $(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log" | tail -n 1)
	if [ $# -ne 2 ]; then
		echo "   (no count line: counted as one failure)"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + $1))
	fail=$((fail + $2))
	[ "$rc" -eq 0 ] || [ "$2" -gt 0 ] || fail=$((fail + 1))
}

# system LABEL: the bats suite, with the environment the caller set.
system() {
	echo "== system tests: $1"
	bats --tap tests/system >"$log" 2>&1
	cat "$log"
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	[ "$p" -gt 0 ] || f=$((f + 1))	# a suite that ran nothing has failed
	pass=$((pass + p))
	fail=$((fail + f))
}

# oracle: cron next-slot times against croniter (Debian's python3-croniter), in UTC.
oracle() {
	echo "== cron expressions against croniter"
	/usr/bin/python3 tests/cron-oracle.py ./hb-run "${CRON_ORACLE_N:-10000}" >"$log" 2>&1
	rc=$?
	cat "$log"
	set -- $(sed -n 's/^cron-oracle: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log")
	if [ $# -ne 2 ]; then
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + $1))
	fail=$((fail + $2))
	[ "$rc" -eq 0 ] || [ "$2" -gt 0 ] || fail=$((fail + 1))
}

unit build/unit-tests
system "hb-run"
oracle
unit build/asan/unit-tests
asan_lib=$(${CC:-cc} -print-file-name=libasan.so)
HB_BIN=build/asan/hb-run HB_ASAN_PRELOAD=$asan_lib \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    system "build/asan/hb-run (ASan + UBSan)"

echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
