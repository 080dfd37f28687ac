#!/bin/sh
# Measures hb-run with HTTP agents, end to end, against the local test server
# (tests/system/fixtures/llm-server.js), which answers at once:
#  1. a tick with nothing due, ten tasks on an `api = openai` agent: median wall time against
#     a minimal C program (target: at most 1.5x), and hb-run not linked with libcurl;
#  2. a whole tick running one task on that agent (hb-run, then hb-run-http, the reply
#     delivered and recorded) against `curl` posting the same request to the same server
#     (target: at most 1.5x), with what the time goes to: the helper alone, and a tick whose
#     agent is a minimal command template;
#  3. the peak memory of hb-run and of hb-run-http while a 100 MB reply streams through a
#     whole tick, and their sum (target: at most 16 MiB).
# Usage: bench/agents.sh [HB_BIN [HTTP_BIN]]   (needs node, curl, hyperfine, GNU time)
set -eu
cd "$(dirname "$0")/.."
bin=$(pwd)/${1:-hb-run}
http=$(pwd)/${2:-hb-run-http}
runs=${RUNS:-1000}
tick_runs=${TICK_RUNS:-200}
ws=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$ws"
}
trap cleanup EXIT INT TERM

node tests/system/fixtures/llm-server.js "$ws/port" "$ws/requests.jsonl" &
pid=$!
i=0
while [ ! -s "$ws/port" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
port=$(cat "$ws/port")
url=http://127.0.0.1:$port/v1

printf 'int main(void){return 0;}\n' >"$ws/min.c"
${CC:-cc} -std=gnu11 ${CFLAGS:--O2 -g} -o "$ws/min" "$ws/min.c"
# a minimal command agent: reads the prompt, prints the reply the server would
cat >"$ws/agent.c" <<'EOF'
#include <stdio.h>
#include <unistd.h>
int main(void){char b[4096];while(read(0,b,sizeof b)>0);fputs("Hello from request 1\n",stdout);return 0;}
EOF
${CC:-cc} -std=gnu11 ${CFLAGS:--O2 -g} -o "$ws/agent" "$ws/agent.c"

# hyperfine's median of each command, in seconds, one a line
medians() {
	hyperfine -N --style none --export-csv "$ws/h.csv" "$@" >/dev/null 2>&1
	awk -F, 'NR > 1 { print $4 }' "$ws/h.csv"
}

# --- 1. nothing due --------------------------------------------------------------------------
mkdir "$ws/idle"
now=$(date +%s)
{
	echo "# Benchmark heartbeat"
	echo
	echo "tasks:"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		echo "  - name: task-$i"
		echo "    agent: local"
		echo "    interval: $((i + 1))h"
		echo "    prompt: \"Check thing number $i and reply HEARTBEAT_OK if all is well.\""
	done
} >"$ws/idle/HEARTBEAT.md"
{
	echo "{"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		echo "  \"task-$i\": {\"last_run\": $((now - 60)), \"last_status\": \"ok\", \"runs\": 3},"
	done
	echo "  \"_version\": 1"
	echo "}"
} >"$ws/idle/.heartbeat-state.json"
cat >"$ws/idle/hb-run.ini" <<EOF
[runner]
http_helper = $http

[agent.local]
api = openai
url = $url
model = bench
price_in = 0.5
price_out = 2
EOF
out=$("$bin" -C "$ws/idle" 2>&1) || { echo "bench: the idle tick failed: $out" >&2; exit 1; }
[ -z "$out" ] || { echo "bench: the idle tick printed: $out" >&2; exit 1; }
set -- $(medians --warmup 100 --runs "$runs" "$ws/min" "$bin -C $ws/idle")
if ldd "$bin" | grep -q libcurl; then curl_linked=yes; else curl_linked=no; fi
awk -v m="$1" -v h="$2" -v n="$runs" -v c="$curl_linked" 'BEGIN {
	printf "tick, 10 tasks on an HTTP agent, none due (median of %d runs):\n", n
	printf "  hb-run              %7.0f us\n", h * 1e6
	printf "  minimal C program   %7.0f us\n", m * 1e6
	printf "  ratio               %7.2f (target <= 1.5)\n", h / m
	printf "  hb-run links libcurl: %s (target: no)\n", c
}'

# --- 2. one task, a whole tick ----------------------------------------------------------
mkdir "$ws/one" "$ws/cmd"
cat >"$ws/one/HEARTBEAT.md" <<'EOF'
tasks:
  - name: ask
    agent: local
    interval: 1h
    prompt: "Check the inbox and reply HEARTBEAT_OK if nothing is new."
EOF
cp "$ws/idle/hb-run.ini" "$ws/one/"
cp "$ws/one/HEARTBEAT.md" "$ws/cmd/"
printf '[agent.local]\nagent_turn = %s\n' "$ws/agent" >"$ws/cmd/hb-run.ini"
# one tick first: it must deliver the reply, and it shows the request to replay with curl
"$bin" -C "$ws/one" ask >"$ws/one.out" || { echo "bench: the tick failed" >&2; exit 1; }
grep -q 'Hello from request' "$ws/one.out" || { echo "bench: no reply delivered" >&2; exit 1; }
tail -n 1 "$ws/requests.jsonl" | node -e '
let s = ""; process.stdin.on("data", (d) => s += d).on("end", () =>
  process.stdout.write(JSON.stringify(JSON.parse(s).body)));' >"$ws/body.json"
node -e 'process.stdout.write(require(process.argv[1]).messages.slice(-1)[0].content)' \
    "$ws/body.json" >"$ws/prompt"
cat >"$ws/curl.sh" <<EOF
#!/bin/sh
exec curl -sfN -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \\
    --data-binary @"$ws/body.json" $url/chat/completions >/dev/null
EOF
cat >"$ws/helper.sh" <<EOF
#!/bin/sh
exec env -i HB_HTTP_API=openai HB_HTTP_URL=$url HB_HTTP_MODEL=bench "$http" <"$ws/prompt" >/dev/null
EOF
cat >"$ws/tick.sh" <<EOF
#!/bin/sh
exec "$bin" -C "$ws/one" ask >/dev/null
EOF
cat >"$ws/cmdtick.sh" <<EOF
#!/bin/sh
exec "$bin" -C "$ws/cmd" ask >/dev/null
EOF
chmod +x "$ws/curl.sh" "$ws/helper.sh" "$ws/tick.sh" "$ws/cmdtick.sh"
set -- $(medians --warmup 10 --runs "$tick_runs" "$ws/curl.sh" "$ws/tick.sh" "$ws/helper.sh" \
    "$ws/cmdtick.sh")
awk -v c="$1" -v t="$2" -v h="$3" -v k="$4" -v n="$tick_runs" 'BEGIN {
	printf "one task on an HTTP agent, a whole tick (median of %d runs):\n", n
	printf "  hb-run + hb-run-http  %7.2f ms\n", t * 1e3
	printf "  curl, the same request %6.2f ms\n", c * 1e3
	printf "  ratio                 %7.2f (target <= 1.5)\n", t / c
	printf "  of which: hb-run-http alone %.2f ms; a tick with a minimal command agent %.2f ms\n", h * 1e3, k * 1e3
}'

# --- 3. a 100 MB reply through a whole tick ---------------------------------------------
# The helper runs under GNU time (its own peak); hb-run's own peak (VmHWM) is read from
# /proc while it runs, since GNU time on hb-run would report the larger of it and its child.
cat >"$ws/timed-helper.sh" <<EOF
#!/bin/sh
exec /usr/bin/time -f '%M' -o "$ws/helper.rss" "$http"
EOF
chmod +x "$ws/timed-helper.sh"
sed -i "s|^http_helper = .*|http_helper = $ws/timed-helper.sh|" "$ws/one/hb-run.ini"
curl -sf -X POST "http://127.0.0.1:$port/_plan" --data-binary big >/dev/null
start=$(date +%s%3N)
"$bin" -C "$ws/one" -o runner.timeout=5m ask >"$ws/big.out" 2>"$ws/big.err" &
hb=$!
hwm=0
while kill -0 "$hb" 2>/dev/null; do
	v=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$hb/status" 2>/dev/null) || v=
	[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
	sleep 0.01
done
wait "$hb" || { echo "bench: the 100 MB tick failed: $(cat "$ws/big.err")" >&2; exit 1; }
[ ! -s "$ws/big.err" ] || { echo "bench: the 100 MB tick said: $(cat "$ws/big.err")" >&2; exit 1; }
end=$(date +%s%3N)
h=$(cat "$ws/helper.rss")
echo "a 100 MB streamed reply through a whole tick:"
echo "  hb-run peak RSS       $hwm KiB"
echo "  hb-run-http peak RSS  $h KiB"
echo "  sum                   $((hwm + h)) KiB (target <= 16384)"
echo "  wall time             $((end - start)) ms; delivered $(wc -c <"$ws/big.out") bytes"
