#!/bin/sh
# Measures hb-run report on a year of runs: a 100,000-line activity log (20 tasks, split
# into the log and nine rotated files, PATH.9 the oldest) rendered as HTML over the whole
# year and over the last week, and as text: wall time and peak memory (GNU time's %M).
# Usage: bench/report.sh [HB_BIN]   (needs python3 and GNU time: make test-deps)
set -eu
cd "$(dirname "$0")/.."
bin=$(pwd)/${1:-hb-run}
lines=${LINES_TOTAL:-100000}
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT INT TERM

printf 'tasks:\n' >"$ws/HEARTBEAT.md"
for i in $(seq 1 20); do
	printf '  - name: task-%02d\n    interval: 30m\n    prompt: Look.\n' "$i" >>"$ws/HEARTBEAT.md"
done
python3 - "$ws" "$lines" "$(date +%s)" <<'PY'
import json, random, sys
ws, total, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(7)
step = 366 * 86400 // total
files, per = 10, total // 10
out = None
for i in range(total):
    if i % per == 0:
        k = files - 1 - i // per
        out = open(f"{ws}/.heartbeat-log.jsonl" + (f".{k}" if k else ""), "w")
    ts = now - 366 * 86400 + i * step
    r = random.random()
    e = {"time": "2026-01-01T00:00:00+00:00", "ts": ts, "task": f"task-{i % 20 + 1:02d}",
         "run_id": "0b6f3c52-5d9e-4f7e-9d1c-3c0f1f6f2a%02d" % (i % 100), "type": "agentTurn",
         "reason": "interval", "status": "ok", "agent": "claude", "exit": 0,
         "duration_ms": 4000 + i % 3000}
    if r < 0.03:
        e.update(status="error", exit=1, stderr="Traceback (most recent call last):\n" * 8 +
                 "RuntimeError: the service answered 503\n")
    elif r < 0.10:
        e.update(reply_verdict="delivered", reply="Disk at 91% on /dev/sda; 3 new issues. " * 4,
                 deliveries=[{"target": "ntfys://ntfy.sh/***", "result": "delivered"}])
    else:
        e.update(reply_verdict="heartbeat_ok", reply="HEARTBEAT_OK")
    if e["status"] == "ok":
        e.update(input_tokens=15000 + i % 500, cached_input_tokens=12000, output_tokens=40,
                 cost_usd=0.0123, model="claude-sonnet-4-5")
    out.write(json.dumps(e, separators=(",", ":")) + "\n")
PY
bytes=$(cat "$ws"/.heartbeat-log.jsonl* | wc -c)
printf 'hb-run report on %d log lines (%d files, %d MB):\n' "$lines" \
    "$(ls "$ws"/.heartbeat-log.jsonl* | wc -l)" $((bytes / 1048576))
measure() {
	label=$1
	shift
	/usr/bin/time -f '%e %M' -o "$ws/time" "$bin" -C "$ws" report "$@" >/dev/null
	read -r secs kb <"$ws/time"
	printf '  %-28s %6.2f s  %6d KB peak\n' "$label" "$secs" "$kb"
}
measure "--since 366d (the year)" --since 366d -o "$ws/year.html"
measure "--since 7d (the default)" -o "$ws/week.html"
measure "--text --since 366d" --text --since 366d
printf '  page sizes: year %d KB, week %d KB\n' $(($(wc -c <"$ws/year.html") / 1024)) \
    $(($(wc -c <"$ws/week.html") / 1024))
