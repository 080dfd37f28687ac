#!/usr/bin/env bats
# http.bats - hb-run-http, the helper for HTTP agents, run directly as hb-run runs it (the
# HB_HTTP_ settings in its environment, the prompt on standard input) against a real server
# on 127.0.0.1 (fixtures/llm-server.js) that fails on request and counts what it got: the
# reply object, retries and their waits, what is never retried, stalls and cut streams,
# keys (never shown), transcripts, and memory under a 100 MB reply.

bats_require_minimum_version 1.5.0

FIXTURES="$BATS_TEST_DIRNAME/fixtures"
KEY=sk-test-0123456789abcdef-SECRET

setup() {
	HTTP_BIN="${HB_HTTP_BIN:-$BATS_TEST_DIRNAME/../../hb-run-http}"
	case $HTTP_BIN in /*) ;; *) HTTP_BIN="$PWD/$HTTP_BIN" ;; esac
	[ -x "$HTTP_BIN" ] || skip "no binary at $HTTP_BIN (run make first)"
	command -v node >/dev/null || skip "node is not installed"
	WS=$(mktemp -d "${TMPDIR:-/tmp}/hb-http.XXXXXX")
	cd "$WS" || return 1
	node "$FIXTURES/llm-server.js" "$WS/port" "$WS/requests.jsonl" &
	SERVER_PID=$!
	for _ in $(seq 100); do
		[ -s "$WS/port" ] && break
		sleep 0.05
	done
	[ -s "$WS/port" ] || { echo "the test server did not start" >&2; return 1; }
	PORT=$(cat "$WS/port")
	HOST="127.0.0.1:$PORT"
	printf 'Check the inbox.\n' >"$WS/prompt"
}

teardown() {
	[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null
	[ -n "${SERVER_PID:-}" ] && wait "$SERVER_PID" 2>/dev/null
	cd / && [ -n "${WS:-}" ] && rm -rf "$WS"
}

# plan ACTION...: what the server does for the next requests (then "ok").
plan() {
	curl -sf -X POST "http://$HOST/_plan" --data-binary "$*" >/dev/null
}

requests() {
	curl -sf "http://$HOST/_count"
}

# helper API [VAR=VALUE...]: runs hb-run-http for API (openai or anthropic) against the test
# server, the prompt file on standard input, with a clean environment plus the given settings.
helper() {
	local api=$1 url
	shift
	if [ "$api" = openai ]; then url="http://$HOST/v1"; else url="http://$HOST"; fi
	timeout -k 5 120 env -i PATH="$PATH" HB_HTTP_API="$api" HB_HTTP_URL="$url" \
	    HB_HTTP_MODEL=test-model TEST_KEY="$KEY" HB_HTTP_KEY_ENV=TEST_KEY \
	    HB_HTTP_DEADLINE=$(($(date +%s%3N) + 60000)) "$@" "$HTTP_BIN" <"$WS/prompt"
}

# A value from the JSON on standard input: jq FILTER.
field() {
	jq -r "$1"
}

# The Nth request the server logged (1-based), filtered by jq.
request() {
	sed -n "${1}p" "$WS/requests.jsonl" | jq -c "$2"
}

now_ms() {
	date +%s%3N
}

# The error line names the host, and the key appears nowhere.
no_key_anywhere() {
	[[ "$output" != *"$KEY"* ]]
	[[ "$stderr" != *"$KEY"* ]]
}

@test "openai, streamed: one JSON object with the reply, usage, cost and model; no key, no Authorization" {
	run --separate-stderr helper openai HB_HTTP_KEY_ENV= HB_HTTP_PRICE_IN=2 HB_HTTP_PRICE_OUT=10 \
	    HB_HTTP_SYSTEM_PROMPT="Be brief." HB_HTTP_MAX_TOKENS=77 HB_HTTP_TEMPERATURE=0.2
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	[ "$(echo "$output" | field .result)" = "Hello from request 1" ]
	[ "$(echo "$output" | field .usage.input_tokens)" = 12 ]
	[ "$(echo "$output" | field .usage.output_tokens)" = 5 ]
	[ "$(echo "$output" | field .cost_usd)" = 7.4e-05 ]
	[ "$(echo "$output" | field .model)" = test-model ]
	[ "$(echo "$output" | field .truncated)" = 0 ]
	[ "$(request 1 .path)" = '"/v1/chat/completions"' ]
	[ "$(request 1 .auth)" = null ]
	[ "$(request 1 .body.stream)" = true ]
	[ "$(request 1 .body.stream_options.include_usage)" = true ]
	[ "$(request 1 .body.max_tokens)" = 77 ]
	[ "$(request 1 .body.temperature)" = 0.2 ]
	[ "$(request 1 '.body.messages[0]')" = '{"role":"system","content":"Be brief."}' ]
	[ "$(request 1 '.body.messages[1]')" = '{"role":"user","content":"Check the inbox.\n"}' ]
}

@test "openai with a key: Authorization: Bearer KEY" {
	run --separate-stderr helper openai
	[ "$status" -eq 0 ]
	[ "$(request 1 .auth)" = "\"Bearer $KEY\"" ]
	no_key_anywhere
}

@test "anthropic, streamed: x-api-key and anthropic-version; usage from message_start and message_delta" {
	run --separate-stderr helper anthropic HB_HTTP_PRICE_IN=3 HB_HTTP_PRICE_OUT=15 \
	    HB_HTTP_SYSTEM_PROMPT="You are woken by a heartbeat."
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | field .result)" = "Hello from request 1" ]
	[ "$(echo "$output" | field .usage.input_tokens)" = 12 ]
	[ "$(echo "$output" | field .usage.output_tokens)" = 5 ]
	[ "$(echo "$output" | field .cost_usd)" = 0.000111 ]
	[ "$(request 1 .path)" = '"/v1/messages"' ]
	[ "$(request 1 .xkey)" = "\"$KEY\"" ]
	[ "$(request 1 .version)" = '"2023-06-01"' ]
	[ "$(request 1 .body.system)" = '"You are woken by a heartbeat."' ]
	[ "$(request 1 .body.max_tokens)" = 1024 ]
	no_key_anywhere
}

@test "not streamed (HB_HTTP_STREAM=0): both APIs read the whole reply" {
	run --separate-stderr helper openai HB_HTTP_STREAM=0
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | field .result)" = "Hello from request 1" ]
	[ "$(request 1 .body.stream)" = false ]
	run --separate-stderr helper anthropic HB_HTTP_STREAM=0
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | field .result)" = "Hello from request 2" ]
	[ "$(echo "$output" | field .usage.output_tokens)" = 5 ]
}

@test "429 with retry-after: 1 is tried again after a second, then succeeds" {
	plan r429
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr helper anthropic
	t1=$(now_ms)
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq 2 ]
	[ $((t1 - t0)) -ge 1000 ]
	[ $((t1 - t0)) -lt 4000 ]
}

@test "retry-after-ms wins over retry-after; an HTTP date is honoured too" {
	plan r429ms
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr helper openai
	t1=$(now_ms)
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq 2 ]
	[ $((t1 - t0)) -ge 300 ]
	[ $((t1 - t0)) -lt 3000 ]
	plan r429date
	t0=$(now_ms)
	run --separate-stderr helper openai
	t1=$(now_ms)
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq 4 ]
	[ $((t1 - t0)) -ge 900 ]	# the date has whole seconds: 1 to 2 s ahead
	[ $((t1 - t0)) -lt 5000 ]
}

@test "529 then 500 then success: three requests, backoff between them" {
	plan r529 r500
	run --separate-stderr helper anthropic
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(requests)" -eq 3 ]
	[ "$(echo "$output" | field .result)" = "Hello from request 3" ]
}

@test "401: not retried; one line naming the host, the status, the API's message and the tries; the key never shown" {
	plan r401 ok
	run --separate-stderr helper anthropic
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$(requests)" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == "hb-run-http: $HOST: 401 Unauthorized (authentication_error: Incorrect API key provided: [key]); 1 try, not retried" ]]
	no_key_anywhere
}

@test "400, 404 and a quota 429 (insufficient_quota) are not retried" {
	plan r400 ok
	run --separate-stderr helper openai
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$HOST: 400 Bad Request (invalid_request_error: max_tokens: too large); 1 try"* ]]
	[ "$(requests)" -eq 1 ]
	plan quota ok
	run --separate-stderr helper openai
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$HOST: 429 Too Many Requests (insufficient_quota: You exceeded your current quota"* ]]
	[[ "$stderr" == *"1 try, not retried" ]]
	[ "$(requests)" -eq 2 ]
	run --separate-stderr helper openai HB_HTTP_URL="http://$HOST/nothing-here"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$HOST: 404 Not Found (not_found_error: no route"* ]]
	[ "$(requests)" -eq 2 ]
}

@test "a server that keeps failing: backoff within the deadline, no retry storm" {
	plan r500 r500 r500 r500 r500 r500 r500 r500 r500 r500 r500 r500
	local t0 t1 deadline
	t0=$(now_ms)
	deadline=$((t0 + 4000))
	run --separate-stderr helper openai HB_HTTP_DEADLINE=$deadline
	t1=$(now_ms)
	[ "$status" -eq 1 ]
	[ "$t1" -le $((deadline + 500)) ]
	# waits of 0.5-1 s, 1-2 s, 2-4 s: at most 4 requests fit in 4 s, at least 2
	[ "$(requests)" -ge 2 ]
	[ "$(requests)" -le 4 ]
	[[ "$stderr" == "hb-run-http: $HOST: 500 Internal Server Error (api_error: internal trouble); gave up after $(requests) tries"* ]]
}

@test "retry-after past the deadline: gives up at once, saying so" {
	plan r503long
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr helper anthropic HB_HTTP_DEADLINE=$((t0 + 20000))
	t1=$(now_ms)
	[ "$status" -eq 1 ]
	[ "$(requests)" -eq 1 ]
	[ $((t1 - t0)) -lt 3000 ]
	[[ "$stderr" == *"503 Service Unavailable (api_error: down for maintenance); gave up after 1 try (the next would pass the deadline)" ]]
}

@test "connection refused: names the host and curl's error; retried within the deadline" {
	local port t0 t1
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	t0=$(now_ms)
	run --separate-stderr helper openai HB_HTTP_URL="http://127.0.0.1:$port/v1" \
	    HB_HTTP_DEADLINE=$((t0 + 3000))
	t1=$(now_ms)
	[ "$status" -eq 1 ]
	[ $((t1 - t0)) -lt 3500 ]
	[[ "$stderr" == "hb-run-http: 127.0.0.1:$port: Couldn't connect to server ("*"); gave up after "*" tries (the next would pass the deadline)" ]]
}

@test "a stream that stalls before any text is tried again; one that stalls midway is an error naming the stall" {
	plan stall
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr helper openai HB_HTTP_STALL_TIMEOUT=1
	t1=$(now_ms)
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq 2 ]
	[ $((t1 - t0)) -lt 6000 ]
	plan stallmid ok
	run --separate-stderr helper anthropic HB_HTTP_STALL_TIMEOUT=1
	[ "$status" -eq 1 ]
	[ "$(requests)" -eq 3 ]
	[[ "$stderr" == "hb-run-http: $HOST: 200 OK, but the stream stalled (nothing for 1 s) after 8 bytes of text; 1 try, not retried" ]]
}

@test "a stream cut before any text is tried again; cut after some text is an error naming the cut" {
	plan cut0
	run --separate-stderr helper anthropic
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq 2 ]
	plan cut ok
	run --separate-stderr helper openai
	[ "$status" -eq 1 ]
	[ "$(requests)" -eq 3 ]
	[[ "$stderr" == "hb-run-http: $HOST: 200 OK, but the stream was cut after 8 bytes of text ("*"); 1 try, not retried" ]]
}

@test "an overloaded error inside a 200 stream, before any text, is tried again" {
	plan streamerr
	run --separate-stderr helper anthropic
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq 2 ]
	plan streamerr streamerr streamerr streamerr
	run --separate-stderr helper openai HB_HTTP_DEADLINE=$(($(now_ms) + 2500))
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"200 OK, but the stream ended in an error (server_error: The server had an error); gave up after"* ]]
}

@test "a reply that is not JSON: an error, not retried" {
	plan badjson
	run --separate-stderr helper openai
	[ "$status" -eq 1 ]
	[[ "$stderr" == "hb-run-http: $HOST: 200 OK, but an event of the stream is not a JSON object; 1 try, not retried" ]]
	plan badjson
	run --separate-stderr helper openai HB_HTTP_STREAM=0
	[ "$status" -eq 1 ]
	[[ "$stderr" == "hb-run-http: $HOST: 200 OK, but the reply is not a JSON object; 1 try, not retried" ]]
	[ "$(requests)" -eq 2 ]
}

@test "a 100 MB streamed reply: its head and last 64 KiB kept in at most 512 KiB of output, the cut counted, peak RSS under 16 MiB" {
	[ -x /usr/bin/time ] || skip "GNU time is not installed"
	plan big
	local rss
	/usr/bin/time -f 'RSS %M' -o "$WS/rss" env -i HB_HTTP_API=openai \
	    HB_HTTP_URL="http://$HOST/v1" "$HTTP_BIN" <"$WS/prompt" >"$WS/out.json" 2>"$WS/err"
	[ ! -s "$WS/err" ]
	rss=$(sed -n 's/^RSS //p' "$WS/rss")
	echo "# peak RSS: $rss KiB" >&3
	# AddressSanitizer's shadow memory and quarantine are not the helper's own
	ldd "$HTTP_BIN" | grep -q libasan || [ "$rss" -lt 16384 ]
	[ "$(field .truncated <"$WS/out.json")" -gt 100000000 ]
	# all of it reaches hb-run, which keeps an agent's first 512 KiB and last 64 KiB whole
	[ "$(wc -c <"$WS/out.json")" -le 524288 ]
	# after the note of the cut: a blank line, the last 64 KiB, jq's newline
	[ "$(field .result <"$WS/out.json" | sed '1,/ bytes cut /d' | wc -c)" -eq $((1 + 65536 + 1)) ]
	field .result <"$WS/out.json" | head -n 1 | grep -qx BEGIN
	field .result <"$WS/out.json" | tail -n 1 | grep -qx END
	field .result <"$WS/out.json" | grep -q '^\[\.\.\. [0-9]* bytes cut \.\.\.\]$'
	[ "$(field .usage.output_tokens <"$WS/out.json")" = 25600 ]
}

@test "key from a file: 0600 works; readable by others, a directory or a symlink is refused (exit 2, no request)" {
	printf '%s\n' "$KEY" >"$WS/key"
	chmod 600 "$WS/key"
	run --separate-stderr helper anthropic HB_HTTP_KEY_ENV= HB_HTTP_KEY_FILE="$WS/key"
	[ "$status" -eq 0 ]
	[ "$(request 1 .xkey)" = "\"$KEY\"" ]
	chmod 644 "$WS/key"
	run --separate-stderr helper anthropic HB_HTTP_KEY_ENV= HB_HTTP_KEY_FILE="$WS/key"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "hb-run-http: key file $WS/key: group or others may read it (mode 644); chmod 600 it" ]]
	no_key_anywhere
	chmod 640 "$WS/key"
	run --separate-stderr helper anthropic HB_HTTP_KEY_ENV= HB_HTTP_KEY_FILE="$WS/key"
	[ "$status" -eq 2 ]
	mkdir "$WS/keydir"
	chmod 700 "$WS/keydir"
	run --separate-stderr helper anthropic HB_HTTP_KEY_ENV= HB_HTTP_KEY_FILE="$WS/keydir"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not a regular file" ]]
	chmod 600 "$WS/key"
	ln -s "$WS/key" "$WS/keylink"
	run --separate-stderr helper anthropic HB_HTTP_KEY_ENV= HB_HTTP_KEY_FILE="$WS/keylink"
	[ "$status" -eq 2 ]
	[ "$(requests)" -eq 1 ]
}

@test "configuration errors exit 2 before any request: no key variable, a bad URL, a bad API, a bad number" {
	run --separate-stderr helper anthropic HB_HTTP_KEY_ENV=NO_SUCH_VAR
	[ "$status" -eq 2 ]
	[ "$stderr" = "hb-run-http: the key variable NO_SUCH_VAR is not set" ]
	run --separate-stderr helper anthropic HB_HTTP_KEY_ENV=
	[ "$status" -eq 2 ]
	run --separate-stderr helper openai HB_HTTP_URL=ftp://example.com/v1
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not an http:// or https:// URL" ]]
	run --separate-stderr helper gemini
	[ "$status" -eq 2 ]
	run --separate-stderr helper openai HB_HTTP_MAX_TOKENS=lots
	[ "$status" -eq 2 ]
	run --separate-stderr helper openai TEST_KEY="$(printf 'a\r\nX-Evil: 1')"
	[ "$status" -eq 2 ]
	[ "$(requests)" -eq 0 ]
}

@test "the key is in no argument and no message: not in /proc/PID/cmdline of a running helper" {
	plan stall
	env -i TEST_KEY="$KEY" HB_HTTP_KEY_ENV=TEST_KEY HB_HTTP_API=openai \
	    HB_HTTP_URL="http://$HOST/v1" HB_HTTP_STALL_TIMEOUT=30 \
	    "$HTTP_BIN" <"$WS/prompt" >"$WS/out" 2>"$WS/err" &
	local pid=$!	# env execs the helper: the same process
	for _ in $(seq 100); do
		[ "$(requests)" -ge 1 ] && break
		sleep 0.05
	done
	[ "$(requests)" -ge 1 ]
	[ "$(tr '\0' ' ' <"/proc/$pid/comm")" = "hb-run-http" ] ||
	    [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *hb-run-http* ]]
	if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$KEY"; then echo "the key is in the command line" >&2; return 1; fi
	kill "$pid"
	wait "$pid" || true
	if grep -qF "$KEY" "$WS/out" "$WS/err"; then echo "the key is in the output" >&2; return 1; fi
}

@test "transcripts: earlier turns go before the prompt; the new pair is appended (0600); 50 turns at most" {
	local t="$WS/sessions/s1.jsonl"
	mkdir -m 700 "$WS/sessions"
	run --separate-stderr helper anthropic HB_HTTP_TRANSCRIPT="$t"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$t")" -eq 2 ]
	[ "$(stat -c %a "$t")" = 600 ]
	[ "$(sed -n 1p "$t")" = '{"role":"user","content":"Check the inbox.\n"}' ]
	[ "$(sed -n 2p "$t")" = '{"role":"assistant","content":"Hello from request 1"}' ]
	printf 'Next step.\n' >"$WS/prompt"
	run --separate-stderr helper anthropic HB_HTTP_TRANSCRIPT="$t"
	[ "$status" -eq 0 ]
	[ "$(request 2 '.body.messages | length')" -eq 3 ]
	[ "$(request 2 '.body.messages[1].content')" = '"Hello from request 1"' ]
	[ "$(request 2 '.body.messages[2].content')" = '"Next step.\n"' ]
	[ "$(wc -l <"$t")" -eq 4 ]
	# HB_HTTP_TURN_LEN: the request has the whole prompt, the transcript only its first bytes
	# (the task's own prompt; the context after it is sent afresh with every request)
	printf 'Task.\n\nAdditional context from HEARTBEAT.md:\nctx\n' >"$WS/prompt"
	run --separate-stderr helper anthropic HB_HTTP_TRANSCRIPT="$t" HB_HTTP_TURN_LEN=5
	[ "$status" -eq 0 ]
	[ "$(request 3 '.body.messages[4].content')" = '"Task.\n\nAdditional context from HEARTBEAT.md:\nctx\n"' ]
	[ "$(sed -n 5p "$t")" = '{"role":"user","content":"Task."}' ]
	sed -i 5,6d "$t"
	# a failed request keeps the transcript as it was
	plan r401
	run --separate-stderr helper anthropic HB_HTTP_TRANSCRIPT="$t"
	[ "$status" -eq 1 ]
	[ "$(wc -l <"$t")" -eq 4 ]
	# 60 turns: the request sends them all, the file keeps the newest 50
	for i in $(seq 30); do
		printf '{"role":"user","content":"q%d"}\n{"role":"assistant","content":"a%d"}\n' "$i" "$i"
	done >"$t"
	run --separate-stderr helper openai HB_HTTP_TRANSCRIPT="$t"
	[ "$status" -eq 0 ]
	[ "$(request 5 '.body.messages | length')" -eq 61 ]
	[ "$(wc -l <"$t")" -eq 50 ]
	[ "$(sed -n 1p "$t")" = '{"role":"user","content":"q7"}' ]
	[ "$(sed -n 50p "$t")" = '{"role":"assistant","content":"Hello from request 5"}' ]
}

@test "TLS is verified: a self-signed server is refused (not retried) unless ca_file names its certificate" {
	command -v openssl >/dev/null || skip "openssl is not installed"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 -keyout "$WS/tls.key" -out "$WS/tls.crt" \
	    2>/dev/null
	node "$FIXTURES/llm-server.js" "$WS/tlsport" "$WS/tls.jsonl" "$WS/tls.crt" "$WS/tls.key" &
	local tls_pid=$! port
	for _ in $(seq 100); do
		[ -s "$WS/tlsport" ] && break
		sleep 0.05
	done
	port=$(cat "$WS/tlsport")
	run --separate-stderr helper anthropic HB_HTTP_URL="https://127.0.0.1:$port"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "hb-run-http: 127.0.0.1:$port: "*"certificate"*"; 1 try, not retried" ]]
	[ ! -s "$WS/tls.jsonl" ]
	run --separate-stderr helper anthropic HB_HTTP_URL="https://127.0.0.1:$port" \
	    HB_HTTP_CA_FILE="$WS/tls.crt"
	kill "$tls_pid"
	wait "$tls_pid" || true
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | field .result)" = "Hello from request 1" ]
	[ "$(wc -l <"$WS/tls.jsonl")" -eq 1 ]
}

@test "only hb-run-http links libcurl" {
	ldd "$HTTP_BIN" | grep -q libcurl
	local hb="$BATS_TEST_DIRNAME/../../hb-run"
	[ -x "$hb" ] || skip "no hb-run binary"
	if ldd "$hb" | grep -q libcurl; then echo "hb-run links libcurl" >&2; return 1; fi
}
