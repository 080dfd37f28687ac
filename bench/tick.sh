#!/bin/sh
# Measures the cost of a tick with nothing due: a HEARTBEAT.md of 10 tasks, all run a minute
# ago. Prints the median wall time of `hb-run` and of a minimal C program built with the same
# compiler and flags, their ratio (target: at most 1.5), the instructions each executes
# (valgrind, repeatable whatever the load), and the processes hb-run starts (target: none).
# Usage: bench/tick.sh [HB_BIN]   (needs hyperfine, strace, valgrind: make test-deps)
set -eu
cd "$(dirname "$0")/.."
bin=$(pwd)/${1:-hb-run}
runs=${RUNS:-2000}
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT INT TERM

now=$(date +%s)
{
	echo "# Benchmark heartbeat"
	echo
	echo "Ten tasks, none due."
	echo
	echo "tasks:"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		echo "  - name: task-$i"
		echo "    interval: $((i + 1))h"
		echo "    prompt: \"Check thing number $i and reply HEARTBEAT_OK if all is well.\""
	done
} >"$ws/HEARTBEAT.md"
{
	echo "{"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		echo "  \"task-$i\": {\"last_run\": $((now - 60)), \"last_status\": \"ok\", \"runs\": 3},"
	done
	echo "  \"_version\": 1"
	echo "}"
} >"$ws/.heartbeat-state.json"
cp hb-run.ini "$ws/"

printf 'int main(void){return 0;}\n' >"$ws/min.c"
${CC:-cc} -std=gnu11 ${CFLAGS:--O2 -g} -o "$ws/min" "$ws/min.c"

# Nothing may be due: the tick must print nothing and exit 0.
out=$(cd "$ws" && "$bin" 2>&1) || { echo "bench: the tick failed: $out" >&2; exit 1; }
[ -z "$out" ] || { echo "bench: the tick printed: $out" >&2; exit 1; }

hyperfine -N --warmup 100 --runs "$runs" --export-csv "$ws/t.csv" \
    "$ws/min" "$bin -C $ws" >/dev/null 2>&1
# columns: command,mean,stddev,median,user,system,min,max (seconds)
min_med=$(awk -F, 'NR == 2 { print $4 }' "$ws/t.csv")
hb_med=$(awk -F, 'NR == 3 { print $4 }' "$ws/t.csv")
awk -v a="$hb_med" -v b="$min_med" -v n="$runs" 'BEGIN {
	printf "tick, 10 tasks, none due: median %.0f us over %d runs\n", a * 1e6, n
	printf "minimal C program:        median %.0f us\n", b * 1e6
	printf "ratio: %.2f (target <= 1.5)\n", a / b
}'

ins() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
	    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf 'instructions: tick %s, minimal program %s\n' "$(ins "$bin" -C "$ws")" "$(ins "$ws/min")"

# Every process hb-run starts shows up as an execve after its own.
execs=$(strace -f -qq -e trace=execve,fork,vfork,clone,clone3 -o "$ws/strace" "$bin" -C "$ws" &&
    grep -c -E 'execve|fork|clone' "$ws/strace")
printf 'process calls in the tick (execve of hb-run itself included): %s (target: 1)\n' "$execs"
sc=$(strace -f -c -o "$ws/count" "$bin" -C "$ws"; awk '/total/ { print $4 }' "$ws/count")
printf 'system calls in the tick: %s\n' "$sc"
