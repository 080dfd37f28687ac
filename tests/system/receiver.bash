# receiver.bash - the recording receiver (fixtures/receiver.js) on 127.0.0.1, for the
# delivery tests: start and stop it, tell it what to answer, read what it recorded.
# Load after helpers.

RECV="$BATS_TEST_DIRNAME/fixtures/receiver.js"

# receiver [PORT]: starts the receiver (on PORT, else a free port); sets PORT, HOST, RPID.
receiver() {
	command -v node >/dev/null || skip "node is not installed"
	rm -f "$WS/port"
	node "$RECV" "$WS/port" "$WS/requests.jsonl" ${1:-} &
	RPID=$!
	echo "$RPID" >>"$WS/pids/receiver"
	for _ in $(seq 200); do
		[ -s "$WS/port" ] && break
		sleep 0.05
	done
	[ -s "$WS/port" ] || fail "the receiver did not start"
	PORT=$(cat "$WS/port")
	HOST="127.0.0.1:$PORT"
}

receiver_stop() {
	if [ -n "${RPID:-}" ]; then
		kill "$RPID" 2>/dev/null || true
		wait "$RPID" 2>/dev/null || true
	fi
	RPID=
}

# plan ACTION...: what the receiver answers to the next requests.
plan() {
	curl -sf -X POST "http://$HOST/_plan" --data-binary "$*" >/dev/null
}

# How many requests the receiver recorded.
nreq() {
	if [ -f "$WS/requests.jsonl" ]; then wc -l <"$WS/requests.jsonl" | tr -d ' '; else echo 0; fi
}

# req N EXPR: the Nth request recorded (1-based), through the Python expression EXPR over R.
req() {
	"$HBT_PY" - "$1" "$2" "$WS/requests.jsonl" <<'PY'
import json, sys
n, expr, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
try:
    lines = [json.loads(l) for l in open(log) if l.strip()]
except FileNotFoundError:
    lines = []
R = lines[n - 1] if 0 < n <= len(lines) else None
v = eval(expr)
print(json.dumps(v) if not isinstance(v, str) else v)
PY
}
