#!/bin/sh
# Runs every test of hb-run: unit tests, system tests, the croniter oracle, the stress tests,
# valgrind and a fuzzing smoke run; the unit and system tests a second time under
# AddressSanitizer + UndefinedBehaviorSanitizer, and a third time on the portable build when
# HB_PORTABLE_BIN names it (its unit tests beside it). Called by `make test`.
#
# Each suite's own output (bats' TAP, the counts each script prints) goes to a log file in
# build/test-logs/; this script prints one line per suite and, for a suite that failed, the
# end of its log. Its last line is the only count line: "tests: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 2
logs=${HB_TEST_LOGS:-build/test-logs}
mkdir -p "$logs" || exit 2
pass=0
fail=0
skip=0

# report LABEL LOG PASSED FAILED RC [SKIPPED]: one summary line; the end of LOG when something
# failed.
report() {
	skipped=
	[ "${6:-0}" -eq 0 ] || skipped=", $6 skipped"
	if [ "$3" -gt 0 ] && [ "$4" -eq 0 ] && [ "$5" -eq 0 ]; then
		printf 'ok    %-52s %6d checks%s\n' "$1" "$3" "$skipped"
	else
		printf 'FAIL  %-52s %6d ok, %d not ok%s, exit %d (log: %s)\n' "$1" "$3" "$4" \
		    "$skipped" "$5" "$2"
		grep -v '^ok ' "$2" | tail -n 40 | sed 's/^/    | /'
	fi
}

# counted LABEL NAME LOGNAME CMD...: runs CMD, whose output ends with "NAME: N passed, M failed".
counted() {
	label=$1 name=$2 log=$logs/$3.log
	shift 3
	"$@" >"$log" 2>&1
	rc=$?
	set -- $(sed -n "s/^$name: \([0-9]*\) passed, \([0-9]*\) failed\$/\1 \2/p" "$log" | tail -n 1)
	if [ $# -ne 2 ]; then
		set -- 0 1		# no count line: one failure
	fi
	f=$2
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=$((f + 1))
	pass=$((pass + $1))
	fail=$((fail + f))
	report "$label" "$log" "$1" "$f" "$rc"
}

# system LABEL LOGNAME: the bats suite, with the environment the caller set. A skipped test
# (TAP "ok N name # skip reason") is neither passed nor failed: counted apart, and named
# under the summary line and at the end of the suite's log.
system() {
	log=$logs/$2.log
	bats --tap tests/system >"$log" 2>&1
	rc=$?
	s=$(grep -c '^ok [0-9]* .* # skip\( .*\)\{0,1\}$' "$log")
	p=$(($(grep -c '^ok ' "$log") - s))
	f=$(grep -c '^not ok ' "$log")
	[ "$p" -gt 0 ] || [ "$f" -gt 0 ] || f=1	# a suite that ran nothing has failed
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	report "$1" "$log" "$p" "$f" "$rc" "$s"
	if [ "$s" -gt 0 ]; then
		sed -n 's/^ok [0-9]* \(.*\) # skip\( .*\)\{0,1\}$/skipped: \1:\2/p' "$log" |
		    sed 's/:$/: (no reason given)/' >"$log.skipped"
		sed 's/^/    | /' "$log.skipped"
		cat "$log.skipped" >>"$log"
		rm -f "$log.skipped"
	fi
}

counted "unit tests" unit unit build/unit-tests
system "system tests (bats)" system
counted "cron expressions against croniter" cron-oracle cron-oracle \
    /usr/bin/python3 tests/cron-oracle.py ./hb-run "${CRON_ORACLE_N:-10000}"
counted "stress: 20 overlapping ticks over simulated hours" overlap overlap \
    env HOURS="${STRESS_HOURS:-2}" CONCURRENCY=20 tests/stress/overlap.sh
counted "stress: SIGKILL at random moments" kill kill env ITERATIONS="${STRESS_KILLS:-200}" tests/stress/kill.sh
counted "valgrind: leaks and memory errors" valgrind valgrind tests/valgrind.sh
if [ -x tests/fuzz/run.sh ]; then
	counted "fuzzing smoke run (20,000 fixed inputs each)" fuzz fuzz \
	    env FUZZ_RUNS="${FUZZ_RUNS:-20000}" tests/fuzz/run.sh
fi

counted "unit tests under ASan + UBSan" unit unit-asan build/asan/unit-tests
asan_lib=$(${CC:-cc} -print-file-name=libasan.so)
HB_BIN=build/asan/hb-run HB_HTTP_BIN=build/asan/hb-run-http HB_ASAN_PRELOAD=$asan_lib \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    system "system tests under ASan + UBSan" system-asan
if [ -n "${HB_PORTABLE_BIN:-}" ]; then
	counted "unit tests, portable build" unit unit-portable \
	    "$(dirname "$HB_PORTABLE_BIN")/unit-tests"
	HB_BIN=$HB_PORTABLE_BIN system "system tests, portable build" system-portable
fi

echo "(logs: $logs/)"
if [ "$skip" -gt 0 ]; then
	echo "tests: $pass passed, $fail failed, $skip skipped"
else
	echo "tests: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
