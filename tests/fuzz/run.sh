#!/bin/sh
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) into build/fuzz/ and runs each for
# FUZZ_TIME seconds (default 60) on a copy of its seed corpus (tests/fuzz/corpus/NAME), so
# that the repository's corpus is never changed. Its last line counts the harnesses:
# "fuzz: N passed, N failed"; a harness passes when it ran and found nothing.
# Usage: tests/fuzz/run.sh [NAME ...]   (default: all). Needs clang and libclang-rt-14-dev.
set -u
cd "$(dirname "$0")/../.." || exit 2

FUZZ_TIME=${FUZZ_TIME:-60}
# FUZZ_RUNS: a fixed number of inputs per harness with a fixed seed instead of a time: the
# same inputs every time, so that a smoke run in CI cannot fail at random.
FUZZ_RUNS=${FUZZ_RUNS:-}
if [ -n "$FUZZ_RUNS" ]; then
	limit="-runs=$FUZZ_RUNS -seed=1"
else
	limit="-max_total_time=$FUZZ_TIME"
fi
FUZZ_CC=${FUZZ_CC:-clang}
OUT=build/fuzz
ALL="heartbeat duration cron time tz tzposix state config reply output sse response target check"
[ $# -gt 0 ] && ALL="$*"

if ! PKG_CFLAGS=$(pkg-config --cflags inih libcjson) ||
    ! PKG_LIBS=$(pkg-config --libs inih libcjson); then
	echo "fuzz: missing libraries (inih libcjson): run 'make deps'" >&2
	exit 2
fi
if ! command -v "$FUZZ_CC" >/dev/null; then
	echo "fuzz: no $FUZZ_CC: apt-get install clang libclang-rt-14-dev" >&2
	exit 2
fi

# ASan's default quarantine (256 MB) alone brings a long run near -rss_limit_mb=512.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
export ASAN_OPTIONS

CFLAGS="-std=gnu11 -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all -Wall -Wextra \
-I. -D_GNU_SOURCE"
mkdir -p "$OUT/obj" || exit 2

# The modules, instrumented once (fuzzer-no-link: coverage without a second main).
echo "== building the modules"
objs=
for src in checks/*.c delivery/*.c agents/*.c tasks/*.c state/*.c runner/*.c cmd/*.c; do
	[ "$src" = runner/main.c ] && continue
	obj=$OUT/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
	# shellcheck disable=SC2086
	if [ ! -e "$obj" ] ||
	    [ -n "$(find checks delivery agents tasks state runner cmd -name '*.[ch]' -newer "$obj" | head -n 1)" ]; then
		$FUZZ_CC $CFLAGS -fsanitize=fuzzer-no-link,address,undefined $PKG_CFLAGS \
		    -c -o "$obj" "$src" || { echo "fuzz: $src does not build" >&2; exit 2; }
	fi
	objs="$objs $obj"
done

# The first line of a log that says what went wrong: a sanitizer, libFuzzer or a CHECK.
FOUND='ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant failed'
pass=0
fail=0
for name in $ALL; do
	bin=$OUT/fuzz_$name
	log=$OUT/$name.log
	corpus=$OUT/corpus-$name
	art=$OUT/artifacts-$name/
	# shellcheck disable=SC2086
	if ! $FUZZ_CC $CFLAGS -fsanitize=fuzzer,address,undefined -o "$bin" \
	    $PKG_CFLAGS "tests/fuzz/fuzz_$name.c" $objs $PKG_LIBS >"$log" 2>&1; then
		echo "fuzz_$name: FAILED: does not build (see $log)"
		fail=$((fail + 1))
		continue
	fi
	rm -rf "$corpus" "$art"
	mkdir -p "$corpus" "$art"
	[ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$corpus/"
	# shellcheck disable=SC2086
	"$bin" $limit -timeout=5 -rss_limit_mb=512 -print_final_stats=1 \
	    -artifact_prefix="$art" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	found=$(ls "$art" 2>/dev/null | head -n 1)
	if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
		echo "fuzz_$name: ${execs:-?} executions, nothing found"
		pass=$((pass + 1))
	else
		what=$(grep -m 1 -E "$FOUND" "$log" | sed 's/^==[0-9]*==//')
		printf '%s\n' "fuzz_$name: ${execs:-?} executions, FAILED (exit $rc):" \
		    "    ${what:-see $log}"
		[ -n "$found" ] && echo "    reproducer: $art$found (log: $log)"
		fail=$((fail + 1))
	fi
done

# A harness that crashed left its temp file (fuzz_config.c): remove those of dead processes.
for f in /tmp/hb-fuzz-config-*.ini; do
	[ -e "$f" ] || continue
	pid=${f##*-}
	kill -0 "${pid%.ini}" 2>/dev/null || rm -f "$f"
done

echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
