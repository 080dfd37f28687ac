#!/bin/sh
# Model calls and tokens of the shipped example HEARTBEAT.md over one simulated day: a tick
# every 30 minutes from 00:00 to 23:30 UTC (libfaketime), every task on an HTTP agent
# (api = openai) at a local OpenAI-shaped server that counts the calls and the tokens it is
# sent, once with a call per task and once with [runner] batch = true. The server counts a
# token per 4 characters of the messages (the usual rule of thumb) and always answers
# HEARTBEAT_OK; the tokens the log records (what hb-run's budgets count) are printed too.
# Usage: bench/batch.sh [HB_BIN [HTTP_BIN]]   (needs python3 and libfaketime)
set -eu
cd "$(dirname "$0")/.."
bin=$(pwd)/${1:-hb-run}
http=$(pwd)/${2:-hb-run-http}
day=${DAY:-2026-12-01}
ft=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -n 1 || true)
[ -n "$ft" ] || { echo "bench/batch.sh: libfaketime is not installed" >&2; exit 1; }
ws=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$ws"
}
trap cleanup EXIT INT TERM

python3 bench/token-server.py "$ws/port" &
pid=$!
i=0
while [ ! -s "$ws/port" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
port=$(cat "$ws/port")

# counts: the server's calls and tokens so far, "CALLS TOKENS"
counts() {
	python3 -c 'import json, sys, urllib.request
c = json.load(urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1]))
print(c["calls"], c["tokens"])' "$port"
}

# day MODE BATCH: one simulated day in a fresh workspace; prints the figures
day() {
	mode=$1
	w="$ws/$1"
	mkdir "$w"
	cp HEARTBEAT.md "$w/"
	printf '[runner]\nhttp_helper = %s\nbatch = %s\ntimezone = UTC\n[agent]\ndefault = bench\n' \
	    "$http" "$2" >"$w/hb-run.ini"
	printf '[agent.bench]\napi = openai\nurl = http://127.0.0.1:%s/v1\nmodel = bench\n' \
	    "$port" >>"$w/hb-run.ini"
	set -- $(counts)
	c0=$1 t0=$2
	for h in $(seq 0 23); do
		for m in 00 30; do
			env TZ=UTC LD_PRELOAD="$ft" FAKETIME="@$day $(printf %02d "$h"):$m:00" \
			    FAKETIME_DONT_RESET=1 "$bin" -C "$w" >/dev/null
		done
	done
	set -- $(counts)
	logged=$(python3 -c 'import json, sys
n = 0
for l in open(sys.argv[1]):
    e = json.loads(l)
    n += e.get("input_tokens", 0) + e.get("output_tokens", 0)
print(n)' "$w/.heartbeat-log.jsonl")
	runs=$(wc -l <"$w/.heartbeat-log.jsonl")
	printf '%-9s  %5d  %9d  %11d  %13d\n' "$mode" $(( $1 - c0 )) "$runs" $(( $2 - t0 )) "$logged"
}

echo "the shipped HEARTBEAT.md over $day, a tick every 30 min (48 ticks):"
printf '%-9s  %5s  %9s  %11s  %13s\n' mode calls "task runs" "tokens sent" "tokens logged"
day per-task false
day batched true
