#!/bin/sh
# Measures the cost of finding cron slots, the code that decides due-ness (`hb-run next`).
# (a) For a set of hard expressions (rare dates, N#K, L, sparse steps, DST in New York and
#     Lord Howe), the time to compute one next slot, without process start-up: each
#     expression runs as `hb-run next EXPR --count N`, N chosen so that a run takes about
#     TARGET_MS (default 400 ms), and as `--count 1`; (median(N) - median(1)) / (N - 1) is the
#     cost of a slot. With valgrind, the instructions per slot too, which do not depend on how
#     busy the machine is. Target: the worst expression stays under 1 ms (1000 us) per slot.
# (b) The wall time of `hb-run next '*/5 * * * *' --count 10000` and of one hard expression
#     with 10,000 slots, start-up included: the median of several runs (hyperfine -N when
#     installed, else a loop timed with date +%s%N).
# Prints the figures; exits non-zero only on errors (a failing run, a missing binary), not
# when a target is missed.
# Usage: bench/cron.sh [HB_BIN]   (RUNS=5 TARGET_MS=400 CALLGRIND=1 BENCH_RUNS=20)
set -eu
cd "$(dirname "$0")/.."
case ${1:-hb-run} in
/*) bin=${1:-hb-run} ;;
*) bin=$(pwd)/${1:-hb-run} ;;
esac
runs=${RUNS:-5}
target_ms=${TARGET_MS:-400}
callgrind=${CALLGRIND:-1}
bench_runs=${BENCH_RUNS:-20}
max_count=5000000

[ -x "$bin" ] || { echo "bench: no binary at $bin (run make first)" >&2; exit 1; }
date +%s%N | grep -q '^[0-9]*$' || { echo "bench: date +%s%N is not supported" >&2; exit 1; }
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT INT TERM
# An empty workspace: no hb-run.ini may change the zone; every expression names its own.
cd "$ws"

# The expressions: label | expression | zone | --from
cat >"$ws/exprs" <<'EOF'
feb-29|0 0 29 2 *|UTC|2026-01-01 00:00
feb-last|0 0 L 2 *|UTC|2026-01-01 00:00
31st-or-5th-fri|0 0 31 * 5#5|UTC|2026-01-01 00:00
5th-mon-of-feb|0 0 * 2 1#5|UTC|2026-01-01 00:00
feb-29-or-feb-mon|0 0 29 2 1|UTC|2026-01-01 00:00
new-years-eve|59 23 31 12 *|UTC|2026-01-01 00:00
yearly-just-after|0 0 1 1 *|UTC|2026-01-01 00:00:01
sparse-steps|*/7 */5 */3 */2 *|UTC|2026-01-01 00:00
ny-daily-0230|30 2 * * *|America/New_York|2026-03-07 00:00
ny-gap-sun-in-mar|30 2 * 3 0|America/New_York|2026-03-01 00:00
ny-rep-sun-in-nov|30 1 * 11 0|America/New_York|2026-11-01 00:00
ny-feb-29|0 0 29 2 *|America/New_York|2026-01-01 00:00
howe-gap-sun-in-oct|15 2 * 10 0|Australia/Lord_Howe|2026-10-01 00:00
howe-rep-sun-in-apr|45 1 * 4 0|Australia/Lord_Howe|2026-04-01 00:00
howe-5th-mon-feb|0 0 * 2 1#5|Australia/Lord_Howe|2026-01-01 00:00
every-5-min (ref)|*/5 * * * *|UTC|2026-01-01 00:00
EOF

# ns EXPR ZONE FROM COUNT: nanoseconds of one `hb-run next` run (output to /dev/null).
ns() {
	s=$(date +%s%N)
	"$bin" next "$1" --tz "$3" --from "$4" --count "$2" >/dev/null ||
	    { echo "bench: hb-run next '$1' --tz $3 --from '$4' --count $2 failed" >&2; exit 1; }
	e=$(date +%s%N)
	echo $((e - s))
}

# median_ns EXPR COUNT ZONE FROM: the median of $runs runs.
median_ns() {
	i=0
	: >"$ws/t"
	while [ $i -lt "$runs" ]; do
		ns "$1" "$2" "$3" "$4" >>"$ws/t"
		i=$((i + 1))
	done
	sort -n "$ws/t" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# instructions EXPR COUNT ZONE FROM: instructions executed (valgrind callgrind).
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
	    "$bin" next "$1" --tz "$3" --from "$4" --count "$2" 2>&1 >/dev/null |
	    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

have_vg=0
if [ "$callgrind" = 1 ] && command -v valgrind >/dev/null 2>&1; then
	have_vg=1
fi

echo "hb-run next: the cost of one slot (median of $runs runs; start-up subtracted)"
printf '%-20s %-19s %-20s %9s %10s %12s\n' EXPRESSION "" ZONE SLOTS "US/SLOT" \
    "$([ $have_vg = 1 ] && echo INSTR/SLOT)"
: >"$ws/results"
while IFS='|' read -r label expr zone from; do
	# a first run to size N: about target_ms per run, at most max_count slots
	t=$(ns "$expr" 2000 "$zone" "$from")
	n=$(awk -v t="$t" -v ms="$target_ms" -v max="$max_count" 'BEGIN {
		n = 2000 * ms * 1e6 / (t > 1 ? t : 1)
		if (n < 2000) n = 2000
		if (n > max) n = max
		printf "%d\n", n
	}')
	tn=$(median_ns "$expr" "$n" "$zone" "$from")
	t1=$(median_ns "$expr" 1 "$zone" "$from")
	us=$(awk -v a="$tn" -v b="$t1" -v n="$n" 'BEGIN {
		d = (a - b) / (n - 1) / 1000; printf "%.3f\n", d < 0 ? 0 : d }')
	ipc="-"
	if [ $have_vg = 1 ]; then
		# about 5 ms of native work per valgrind run: a few hundred ms under valgrind
		m=$(awk -v n="$n" -v ms="$target_ms" 'BEGIN {
			m = n * 5 / ms; if (m < 20) m = 20; printf "%d\n", m }')
		i1=$(instructions "$expr" 1 "$zone" "$from")
		im=$(instructions "$expr" "$m" "$zone" "$from")
		if [ -n "$i1" ] && [ -n "$im" ]; then
			ipc=$(awk -v a="$im" -v b="$i1" -v m="$m" 'BEGIN {
				printf "%.0f\n", (a - b) / (m - 1) }')
		fi
	fi
	printf '%-20s %-19s %-20s %9s %10s %12s\n' "$label" "$expr" "$zone" "$n" "$us" "$ipc"
	printf '%s|%s|%s|%s|%s\n' "$us" "$label" "$expr" "$zone" "$ipc" >>"$ws/results"
done <"$ws/exprs"

sort -t '|' -k1,1 -g "$ws/results" | tail -n 1 | awk -F '|' '{
	printf "worst: %.3f us per slot (%s: %s in %s)", $1, $2, $3, $4
	if ($5 != "-") printf ", %s instructions per slot", $5
	printf "\n"
	printf "target: worst case under 1000 us per slot: %s\n", ($1 < 1000 ? "met" : "NOT MET")
}'
if [ $have_vg = 1 ]; then
	sort -t '|' -k5,5 -g "$ws/results" | tail -n 1 | awk -F '|' '{
		printf "most instructions per slot: %s (%s: %s in %s)\n", $5, $2, $3, $4 }'
fi

echo
echo "hb-run next printing 10,000 slots (start-up included)"
# label | expression | zone
cat >"$ws/print" <<'EOF'
*/5 * * * *|UTC
0 0 * 2 1#5|America/New_York
EOF
while IFS='|' read -r expr zone; do
	"$bin" next "$expr" --tz "$zone" --from '2026-01-01 00:00' --count 10000 >"$ws/out" ||
	    { echo "bench: hb-run next '$expr' failed" >&2; exit 1; }
	lines=$(wc -l <"$ws/out" | tr -d ' ')
	[ "$lines" -eq 10000 ] || { echo "bench: '$expr' printed $lines lines" >&2; exit 1; }
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N --warmup 3 --runs "$bench_runs" --export-csv "$ws/h.csv" \
		    "$bin next '$expr' --tz $zone --from '2026-01-01 00:00' --count 10000" \
		    >/dev/null 2>&1 || { echo "bench: hyperfine failed on '$expr'" >&2; exit 1; }
		# columns: command,mean,stddev,median,user,system,min,max (seconds)
		med=$(awk -F, 'NR == 2 { printf "%.0f\n", $(NF - 4) * 1e9 }' "$ws/h.csv")
		how="hyperfine -N, $bench_runs runs"
	else
		runs=$bench_runs
		med=$(median_ns "$expr" 10000 "$zone" "2026-01-01 00:00")
		how="date +%s%N, $bench_runs runs"
	fi
	awk -v t="$med" -v e="$expr" -v z="$zone" -v h="$how" 'BEGIN {
		printf "next %-13s --tz %-16s --count 10000: median %.2f ms (%.3f us per slot; %s)\n",
		    "\x27" e "\x27", z, t / 1e6, t / 1e3 / 10000, h }'
done <"$ws/print"
