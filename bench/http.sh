#!/bin/sh
# Measures hb-run-http against the local test server (tests/system/fixtures/llm-server.js),
# which answers at once: the median wall time of one streamed request by hb-run-http and by
# `curl` posting the same body (the ratio's target: at most 1.5), and the peak memory of
# hb-run-http while a 100 MB reply streams (target: under 16 MiB).
# Usage: bench/http.sh [HTTP_BIN]   (needs node, curl, hyperfine, GNU time: make test-deps)
set -eu
cd "$(dirname "$0")/.."
bin=$(pwd)/${1:-hb-run-http}
runs=${RUNS:-200}
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

printf 'Check the inbox and reply HEARTBEAT_OK if nothing is new.\n' >"$ws/prompt"
cat >"$ws/helper.sh" <<EOF
#!/bin/sh
exec env -i HB_HTTP_API=openai HB_HTTP_URL=$url HB_HTTP_MODEL=bench "$bin" <"$ws/prompt" >/dev/null
EOF
chmod +x "$ws/helper.sh"
# the request hb-run-http sends, as the server logged it, for curl to send the same
"$ws/helper.sh"
tail -n 1 "$ws/requests.jsonl" | node -e '
let s = ""; process.stdin.on("data", (d) => s += d).on("end", () =>
  process.stdout.write(JSON.stringify(JSON.parse(s).body)));' >"$ws/body.json"
cat >"$ws/curl.sh" <<EOF
#!/bin/sh
exec curl -sfN -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
    --data-binary @"$ws/body.json" $url/chat/completions >/dev/null
EOF
chmod +x "$ws/curl.sh"

hyperfine -N --style none --warmup 10 --runs "$runs" --export-json "$ws/h.json" \
    "$ws/helper.sh" "$ws/curl.sh" >/dev/null 2>&1
node -e '
const r = require(process.argv[1]).results;
const ms = (x) => (x.median * 1000).toFixed(2);
console.log(`one streamed request, median of ${r[0].times.length} runs:`);
console.log(`  hb-run-http   ${ms(r[0])} ms`);
console.log(`  curl          ${ms(r[1])} ms`);
console.log(`  ratio         ${(r[0].median / r[1].median).toFixed(2)} (target <= 1.5)`);
' "$ws/h.json"

curl -sf -X POST "http://127.0.0.1:$port/_plan" --data-binary big >/dev/null
start=$(date +%s%3N)
/usr/bin/time -f '%M' -o "$ws/rss" env -i HB_HTTP_API=openai HB_HTTP_URL="$url" "$bin" \
    <"$ws/prompt" >"$ws/big.json"
end=$(date +%s%3N)
echo "100 MB streamed reply:"
echo "  peak RSS      $(cat "$ws/rss") KiB (target < 16384)"
echo "  wall time     $((end - start)) ms"
echo "  output        $(wc -c <"$ws/big.json") bytes"
