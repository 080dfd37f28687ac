#!/bin/sh
# Measures how a tick with nothing due grows with the number of tasks: HEARTBEAT.md files of
# 10, 100, 1,000 and 10,000 tasks (half on an interval, half on a cron expression in one of
# three zones), every task run a minute ago. Prints the median wall time of each tick beside a
# minimal C program, and the ratios the targets are set on:
#   10,000 tasks <= 40x the minimal program and <= 12x the 1,000-task tick; 10 tasks <= 1.5x.
# Then `hb-run check` on 100,000 tasks, once.
# Usage: bench/scale.sh [HB_BIN]   (needs hyperfine: make test-deps)
set -eu
cd "$(dirname "$0")/.."
bin=$(pwd)/${1:-hb-run}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
now=$(date +%s)

# workspace N: a workspace of N tasks, none due, in $tmp/wN.
workspace() {
	w=$tmp/w$1
	mkdir -p "$w"
	awk -v n="$1" -v now="$now" -v ws="$w" 'BEGIN {
		split("Europe/Berlin America/New_York Asia/Tokyo", zone, " ")
		md = ws "/HEARTBEAT.md"; st = ws "/.heartbeat-state.json"
		print "# Benchmark heartbeat\n\nMany tasks, none due.\n\ntasks:" > md
		print "{" > st
		for (i = 0; i < n; i++) {
			print "  - name: task-" i > md
			if (i % 2) {
				printf "    cron: \"%d %d * * 1-5\"\n    tz: %s\n", i % 60, 3 + i % 4, zone[1 + i % 3] > md
			} else
				printf "    interval: %dh\n", 1 + i % 24 > md
			print "    prompt: \"Check thing number " i " and reply HEARTBEAT_OK if all is well.\"" > md
			printf "  \"task-%d\": {\"last_run\": %d, \"last_status\": \"ok\", \"runs\": 3},\n", i, now - 60 > st
		}
		print "  \"_version\": 1\n}" > st
	}'
	out=$("$bin" -C "$w" 2>&1) || { echo "bench: the $1-task tick failed: $out" >&2; exit 1; }
	[ -z "$out" ] || { echo "bench: the $1-task tick printed: $out" >&2; exit 1; }
}

printf 'int main(void){return 0;}\n' >"$tmp/min.c"
${CC:-cc} -std=gnu11 ${CFLAGS:--O2 -g} -o "$tmp/min" "$tmp/min.c"

# median CMD: the median wall time of CMD in microseconds (RUNS runs, fewer for big ones).
median() {
	runs=$1
	shift
	hyperfine -N --warmup 3 --runs "$runs" --export-csv "$tmp/t.csv" "$*" >/dev/null 2>&1
	awk -F, 'NR == 2 { printf "%.0f", $4 * 1e6 }' "$tmp/t.csv"
}

base=$(median 500 "$tmp/min")
printf '%-26s %12s %10s\n' "no-op tick" "median (us)" "x minimal"
printf '%-26s %12s %10s\n' "minimal C program" "$base" "1.00"
for n in 10 100 1000 10000; do
	workspace $n
	case $n in 10000) r=30 ;; 1000) r=100 ;; *) r=500 ;; esac
	t=$(median $r "$bin -C $tmp/w$n")
	eval "t$n=$t"
	printf '%-26s %12s %10.2f\n' "$n tasks" "$t" "$(echo "$t $base" | awk '{ print $1 / $2 }')"
done
awk -v a="$t10" -v b="$base" -v c="$t1000" -v d="$t10000" 'BEGIN {
	printf "10 tasks / minimal:        %6.2f (target <= 1.5)\n", a / b
	printf "10,000 tasks / minimal:    %6.2f (target <= 40)\n", d / b
	printf "10,000 / 1,000 tasks:      %6.2f (target <= 12)\n", d / c
}'

workspace 100000
start=$(date +%s%N)
"$bin" -C "$tmp/w100000" check >/dev/null 2>&1 || true
end=$(date +%s%N)
printf 'check, 100,000 tasks:      %6.2f s\n' "$(echo "$start $end" | awk '{ print ($2 - $1) / 1e9 }')"
