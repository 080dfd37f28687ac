#!/bin/sh
# Runs every test of hb-run: unit tests, system tests, the croniter oracle, the stress tests,
# valgrind and a fuzzing smoke run; the unit and system tests a second time under
# AddressSanitizer + UndefinedBehaviorSanitizer. Its last line counts them all:
# "tests: N passed, N failed". Called by `make test`.
set -u
cd "$(dirname "$0")/.." || exit 2
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

# counted LABEL NAME CMD...: runs CMD, whose output ends with "NAME: N passed, M failed".
counted() {
	label=$1 name=$2
	shift 2
	echo "== $label"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	set -- $(sed -n "s/^$name: \([0-9]*\) passed, \([0-9]*\) failed\$/\1 \2/p" "$log" | tail -n 1)
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

counted "unit tests" unit build/unit-tests
system "hb-run"
counted "cron expressions against croniter" cron-oracle \
    /usr/bin/python3 tests/cron-oracle.py ./hb-run "${CRON_ORACLE_N:-10000}"
counted "20 overlapping ticks over simulated hours" overlap \
    env HOURS="${STRESS_HOURS:-2}" CONCURRENCY=20 tests/stress/overlap.sh
counted "SIGKILL at random moments" kill env ITERATIONS="${STRESS_KILLS:-200}" tests/stress/kill.sh
counted "valgrind: leaks and memory errors" valgrind tests/valgrind.sh
if [ -x tests/fuzz/run.sh ]; then
	counted "fuzzing smoke run (the corpora, then 20,000 fixed inputs each)" fuzz \
	    env FUZZ_RUNS="${FUZZ_RUNS:-20000}" tests/fuzz/run.sh
fi

counted "unit tests under ASan + UBSan" unit build/asan/unit-tests
asan_lib=$(${CC:-cc} -print-file-name=libasan.so)
HB_BIN=build/asan/hb-run HB_ASAN_PRELOAD=$asan_lib \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    system "build/asan/hb-run (ASan + UBSan)"

echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
