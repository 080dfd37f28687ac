#!/bin/sh
# Measures delivery: the median wall time of a tick that runs one task (an instant fake
# agent) and delivers its alert to stdout, and of the same tick delivering to an ntfy-shaped
# receiver on 127.0.0.1 (tests/system/fixtures/receiver.js) through hb-run-http: the
# difference is what a delivery costs. Then the tick with nothing due in a HEARTBEAT.md of 10
# tasks with notify: lists, ping: URLs and active_hours, [delivery] quiet_hours and ping set,
# against a minimal C program (target: at most 1.5 times).
# Usage: bench/deliver.sh [HB_BIN]   (needs node, hyperfine: make test-deps)
set -eu
cd "$(dirname "$0")/.."
bin=$(pwd)/${1:-hb-run}
runs=${RUNS:-100}
noop_runs=${NOOP_RUNS:-1000}
ws=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$ws"
}
trap cleanup EXIT INT TERM

node tests/system/fixtures/receiver.js "$ws/port" "$ws/requests.jsonl" &
pid=$!
i=0
while [ ! -s "$ws/port" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
port=$(cat "$ws/port")

# Two workspaces, the same but for the target.
for t in stdout ntfy; do
	mkdir "$ws/$t"
	printf '#!/bin/sh\necho "Disk at 91%% on /dev/sda."\n' >"$ws/$t/agent.sh"
	chmod +x "$ws/$t/agent.sh"
	printf '[agent]\nagent_turn = agent.sh\nsystem_event = agent.sh\n' >"$ws/$t/hb-run.ini"
done
target_stdout=stdout
target_ntfy="ntfy://127.0.0.1:$port/alerts"
for t in stdout ntfy; do
	eval "target=\$target_$t"
	cat >"$ws/$t/HEARTBEAT.md" <<EOF
tasks:
  - name: disk
    interval: 30m
    notify: $target
    prompt: Check the disk.
EOF
done
# each run finds the task due: the state is removed before it
(cd "$ws/ntfy" && "$bin" >/dev/null) || { echo "bench: the ntfy tick failed" >&2; exit 1; }
[ "$(wc -l <"$ws/requests.jsonl")" -eq 1 ] || { echo "bench: no request came" >&2; exit 1; }

hyperfine -N --style none --warmup 5 --runs "$runs" --export-csv "$ws/d.csv" \
    --prepare "rm -f $ws/stdout/.heartbeat-state.json $ws/ntfy/.heartbeat-state.json" \
    "$bin -C $ws/stdout" "$bin -C $ws/ntfy" >/dev/null 2>&1
awk -F, -v n="$runs" 'NR == 2 { a = $4 } NR == 3 { b = $4 } END {
	printf "tick with one alert, median of %d runs:\n", n
	printf "  to stdout              %.2f ms\n", a * 1000
	printf "  to ntfy (127.0.0.1)    %.2f ms\n", b * 1000
	printf "  a delivery costs       %.2f ms (hb-run-http started, one POST)\n", (b - a) * 1000
}' "$ws/d.csv"

# The no-op tick: 10 tasks with notify: lists, none due.
mkdir "$ws/noop"
now=$(date +%s)
{
	echo "tasks:"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		echo "  - name: task-$i"
		echo "    interval: $((i + 1))h"
		echo "    notify: [stdout, \"ntfy://ntfy.example.com/alerts-$i\", tgram://123456:ABC-def/-100$i, json://hooks.example.com/hb, exec:/usr/local/bin/page]"
		echo "    title: Check $i"
		echo "    priority: high"
		echo "    ping: https://hc-ping.com/0f6c1a2e-4b1d-4a7e-9c55-00000000000$i"
		echo "    active_hours: 07:00-23:00"
		echo "    prompt: \"Check thing number $i and reply HEARTBEAT_OK if all is well.\""
	done
} >"$ws/noop/HEARTBEAT.md"
{
	echo "{"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		echo "  \"task-$i\": {\"last_run\": $((now - 60)), \"last_status\": \"ok\", \"runs\": 3},"
	done
	echo "  \"_version\": 1"
	echo "}"
} >"$ws/noop/.heartbeat-state.json"
printf '[delivery]\nnotify = stdout, ntfys://ntfy.example.com/all\nquiet_hours = 22:00-07:00\nping = https://cronitor.link/p/KEY/hb\n' >"$ws/noop/hb-run.ini"
printf 'int main(void){return 0;}\n' >"$ws/min.c"
${CC:-cc} -std=gnu11 ${CFLAGS:--O2 -g} -o "$ws/min" "$ws/min.c"
out=$("$bin" -C "$ws/noop" 2>&1) || { echo "bench: the no-op tick failed: $out" >&2; exit 1; }
[ -z "$out" ] || { echo "bench: the no-op tick printed: $out" >&2; exit 1; }
hyperfine -N --style none --warmup 100 --runs "$noop_runs" --export-csv "$ws/n.csv" \
    "$ws/min" "$bin -C $ws/noop" >/dev/null 2>&1
awk -F, -v n="$noop_runs" 'NR == 2 { a = $4 } NR == 3 { b = $4 } END {
	printf "no-op tick, 10 tasks with notify:, ping:, active_hours, quiet hours: median %.0f us over %d runs\n", b * 1e6, n
	printf "minimal C program:                                                   median %.0f us\n", a * 1e6
	printf "ratio: %.2f (target <= 1.5)\n", b / a
}' "$ws/n.csv"
