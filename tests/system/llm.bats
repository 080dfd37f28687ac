#!/usr/bin/env bats
# llm.bats - HTTP agents end to end: the real hb-run starting the real helper hb-run-http
# against servers on 127.0.0.1.
#
# A real inference server first (fixtures/llama-server.js: llama.cpp through node-llama-cpp,
# installed in tests/agents/llama by `make test-deps`, serving the random-weight test model
# tests/data/llama-2-tiny-random.gguf): a tick delivers a generated completion, with its
# tokens and their cost in the log, the state and `status`; a systemEvent sends its earlier
# turns, an agentTurn none. Then the failure-injecting stand-in (fixtures/llm-server.js) for
# both APIs: replies delivered, a 429 retried within the run's timeout, a 401 failing the run
# with one line, the key nowhere, a stall longer than the run's timeout ending as a timeout.

load helpers

MODEL="$BATS_TEST_DIRNAME/../data/llama-2-tiny-random.gguf"
MODEL_SHA256=81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb
LLAMA_PACKAGES="$BATS_TEST_DIRNAME/../agents/llama"
KEY=sk-e2e-0123456789abcdef-SECRET

# The helper: HB_HTTP_BIN (the sanitizer pass's), else the build's.
http_bin() {
	local b="${HB_HTTP_BIN:-$BATS_TEST_DIRNAME/../../hb-run-http}"
	case $b in /*) ;; *) b="$PWD/$b" ;; esac
	printf '%s\n' "$b"
}

# start_server FIXTURE ARGS...: starts node FIXTURE ARGS... PORTFILE LOGFILE in the background
# (its pid in $WS/pids/ for teardown, and in SERVER_PID), waits up to 60 s for its port; sets
# PORT and HOST. The requests it got are in $WS/requests.jsonl.
start_server() {
	local fixture=$1 i
	shift
	node "$HBT_FIXTURES/$fixture" "$@" "$WS/port" "$WS/requests.jsonl" 2>"$WS/server.err" &
	SERVER_PID=$!
	echo "$SERVER_PID" >"$WS/pids/server"
	for i in $(seq 600); do
		[ -s "$WS/port" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$WS/port" ] || fail "$fixture did not start: $(cat "$WS/server.err")"
	PORT=$(cat "$WS/port")
	HOST="127.0.0.1:$PORT"
}

# stop_server: ends the server by its pid (teardown would, but a test stops what it started).
stop_server() {
	[ -n "${SERVER_PID:-}" ] || return 0
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
}

# The teardown of helpers.bash, after stopping the server.
eval "hbl_base_teardown() $(declare -f teardown | tail -n +2)"
teardown() {
	stop_server
	hbl_base_teardown
}

# The llama.cpp server on the test model; skips when node-llama-cpp is not installed.
start_llama() {
	command -v node >/dev/null || skip "node is not installed"
	[ -f "$MODEL" ] || fail "the test model $MODEL is missing"
	[ "$(sha256sum "$MODEL" | cut -d' ' -f1)" = "$MODEL_SHA256" ] ||
	    fail "the test model $MODEL is not the one tests/data/README.md names"
	[ -f "$LLAMA_PACKAGES/node_modules/node-llama-cpp/package.json" ] ||
	    skip "node-llama-cpp is not installed in tests/agents/llama (make test-deps)"
	start_server llama-server.js "$MODEL"
}

# The failure-injecting stand-in for both APIs.
start_stub() {
	command -v node >/dev/null || skip "node is not installed"
	command -v curl >/dev/null || skip "curl is not installed"
	start_server llm-server.js
}

# plan ACTION...: what llm-server.js does for its next requests (then "ok").
plan() {
	curl -sf -X POST "http://$HOST/_plan" --data-binary "$*" >/dev/null
}

requests() {
	curl -sf "http://$HOST/_count"
}

# request N FILTER: the Nth request the server logged, through jq.
request() {
	sed -n "${1}p" "$WS/requests.jsonl" | jq -c "$2"
}

# ini [AGENT-KEYS...]: hb-run.ini with the real helper and an agent "local" (openai, at the
# server) and an agent "claude-api" (anthropic, at the server), each with the given lines.
ini() {
	{
		printf '[runner]\nhttp_helper = %s\n\n' "$(http_bin)"
		printf '[agent.local]\napi = openai\nurl = http://%s/v1\nmodel = tiny\n' "$HOST"
		printf 'price_in = 2\nprice_out = 10\n'
		printf '%s\n' "$@"
		printf '\n[agent.claude-api]\napi = anthropic\nurl = http://%s\n' "$HOST"
		printf 'model = claude-test\nkey_env = E2E_API_KEY\n'
		printf '%s\n' "$@"
	} >hb-run.ini
}

# tick ARGS...: the real hb-run in the workspace, on the real clock, with the key set.
tick() {
	E2E_API_KEY="$KEY" hb "$@"
}

# --- a real inference server --------------------------------------------------------------

@test "llama.cpp: a tick delivers a generated completion; tokens and cost in the log, the state and status" {
	start_llama
	heartbeat <<'MD'
tasks:
  - name: ask
    agent: local
    prompt: "Check the inbox."
MD
	ini
	run --separate-stderr tick
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	local reply
	reply=$(py 'L[0]["reply"]')
	[ -n "$reply" ]
	[[ "$output" == "=== ask ==="*"$reply"* ]]
	[ "$(py 'L[0]["status"], L[0]["agent"], L[0]["model"], L[0]["reply_verdict"]')" = \
	    '["ok", "local", "tiny", "delivered"]' ]
	# the tokens are the server's own counts: the prompt's, and at most its 16
	local tin tout
	[ "$(request 1 .path)" = '"/v1/chat/completions"' ]
	[ "$(request 1 .body.model)" = '"tiny"' ]
	[ "$(request 1 .body.stream)" = true ]
	[ "$(request 1 '.body.messages | length')" -eq 1 ]
	[ "$(request 1 '.body.messages[0].content')" = '"Check the inbox."' ]
	tin=$(py 'L[0]["input_tokens"]')
	tout=$(py 'L[0]["output_tokens"]')
	[ "$tin" -gt 3 ]
	[ "$tin" -lt 40 ]
	[ "$tout" -ge 1 ]
	[ "$tout" -le 16 ]
	# the cost from the prices, per million tokens: 2 in, 10 out
	[ "$(py "round(L[0]['cost_usd'] * 1e12) == round(($tin * 2 + $tout * 10) * 1e6)")" = true ]
	[ "$(py 'S["ask"]["last_input_tokens"], S["ask"]["last_output_tokens"]')" = "[$tin, $tout]" ]
	[ "$(py 'S["ask"]["tokens_in"], S["ask"]["tokens_out"]')" = "[$tin, $tout]" ]
	[ "$(py 'S["ask"]["last_cost_usd"] == L[0]["cost_usd"] == S["ask"]["cost_usd"]')" = true ]
	run --separate-stderr hb status
	[ "$status" -eq 0 ]
	[[ "$output" == *"ask "*"ok, delivered, "*", $tin/$tout tokens, \$0.0"* ]]
	stop_server
}

@test "llama.cpp: a systemEvent's second run sends the first run's turns; an agentTurn sends no history" {
	start_llama
	heartbeat <<'MD'
tasks:
  - name: talk
    agent: local
    type: systemEvent
    prompt: "How is the disk?"
  - name: ask
    agent: local
    prompt: "Check the inbox."
MD
	ini
	run --separate-stderr tick
	[ "$status" -eq 0 ]
	local first
	first=$(py '[e["reply"] for e in L if e["task"] == "talk"][0]')
	[ -n "$first" ]
	[ "$(wc -l <"$WS/requests.jsonl")" -eq 2 ]
	run --separate-stderr tick talk
	[ "$status" -eq 0 ]
	run --separate-stderr tick ask
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$WS/requests.jsonl")" -eq 4 ]
	# the requests in the order they came: talk, ask, talk, ask
	local n t
	for n in 1 2 3 4; do
		t=$(request "$n" '.body.messages[-1].content')
		case $n in
		1 | 3) [ "$t" = '"How is the disk?"' ] ;;
		*) [ "$t" = '"Check the inbox."' ] ;;
		esac
	done
	[ "$(request 1 '.body.messages | length')" -eq 1 ]
	# the second systemEvent: the first prompt, the first reply, the new prompt
	[ "$(request 3 '.body.messages | length')" -eq 3 ]
	[ "$(request 3 '.body.messages[0]')" = '{"role":"user","content":"How is the disk?"}' ]
	[ "$(request 3 '.body.messages[1].role')" = '"assistant"' ]
	[ "$(request 3 '.body.messages[1].content' | jq -r .)" = "$first" ]
	# the agentTurn: its prompt alone, both times
	[ "$(request 2 '.body.messages | length')" -eq 1 ]
	[ "$(request 4 '.body.messages | length')" -eq 1 ]
	# the second systemEvent's prompt counted more tokens than the first
	[ "$(py '[e["input_tokens"] for e in L if e["task"] == "talk"]' | jq '.[1] > .[0]')" = true ]
	stop_server
}

# --- the failure-injecting stand-in -------------------------------------------------------

@test "stand-in: an anthropic agent and an openai agent each deliver the server's reply" {
	start_stub
	heartbeat <<'MD'
tasks:
  - name: claude-task
    agent: claude-api
    prompt: "Check the inbox."
  - name: local-task
    agent: local
    prompt: "Check the disk."
MD
	ini
	run --separate-stderr tick
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[[ "$output" == *"=== claude-task ==="*"Hello from request 1"* ]]
	[[ "$output" == *"=== local-task ==="*"Hello from request 2"* ]]
	[ "$(request 1 .path)" = '"/v1/messages"' ]
	[ "$(request 1 .xkey)" = "\"$KEY\"" ]
	[ "$(request 1 .body.model)" = '"claude-test"' ]
	[ "$(request 2 .path)" = '"/v1/chat/completions"' ]
	[ "$(request 2 .auth)" = null ]		# local has no key_env
	[ "$(py '[(e["task"], e["status"], e["input_tokens"], e["output_tokens"]) for e in L]')" = \
	    '[["claude-task", "ok", 12, 5], ["local-task", "ok", 12, 5]]' ]
	stop_server
}

@test "stand-in: a 429 is tried again within the run's timeout and the run succeeds" {
	start_stub
	heartbeat <<'MD'
tasks:
  - name: ask
    agent: claude-api
    timeout: 20s
    prompt: "Check the inbox."
MD
	ini
	plan r429
	run --separate-stderr tick
	[ "$status" -eq 0 ]
	[[ "$output" == *"Hello from request 2"* ]]
	[ "$(requests)" -eq 2 ]
	[ "$(py 'L[0]["status"]')" = ok ]
	[ "$(py 'L[0]["duration_ms"] >= 1000')" = true ]	# retry-after: 1
	[ "$(py 'S["ask"]["consecutive_errors"]')" -eq 0 ]
	stop_server
}

@test "stand-in: a 401 fails the run with one line naming the host and status; exit 1; backoff recorded; the key nowhere" {
	start_stub
	heartbeat <<'MD'
tasks:
  - name: ask
    agent: claude-api
    prompt: "Check the inbox."
MD
	ini
	plan r401 ok
	run --separate-stderr tick
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$(requests)" -eq 1 ]
	[[ "$stderr" == *"ask: the agent failed with exit status 1"* ]]
	[ "$(printf '%s\n' "$stderr" | grep -c 'hb-run-http:')" -eq 1 ]
	[[ "$stderr" == *"hb-run-http: $HOST: 401 Unauthorized (authentication_error: Incorrect API key provided: [key]); 1 try, not retried"* ]]
	[ "$(py 'L[0]["status"], L[0]["exit"]')" = '["error", 1]' ]
	[[ "$(py 'L[0]["stderr"]')" == *"$HOST: 401 Unauthorized"* ]]
	[ "$(py 'S["ask"]["consecutive_errors"]')" -eq 1 ]
	run --separate-stderr hb status
	[[ "$output" == *"error (exit 1)"*"1 failure in a row, backoff 30s"* ]]
	# the key: in no log line, state field, output or message
	refute grep -qF "$KEY" .heartbeat-log.jsonl .heartbeat-state.json
	[[ "$stderr" != *"$KEY"* ]]
	run --separate-stderr hb log
	[[ "$output$stderr" != *"$KEY"* ]]
	# backing off: the next tick does not run it
	run --separate-stderr tick
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq 1 ]
	stop_server
}

@test "stand-in: a 100 MB reply through a whole tick: delivered as text, its head and end kept, usage recorded" {
	start_stub
	heartbeat <<'MD'
tasks:
  - name: ask
    agent: local
    timeout: 2m
    prompt: "Write a lot."
MD
	ini
	plan big
	run --separate-stderr tick
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]		# no warning: the helper's JSON reached hb-run whole
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = BEGIN ]
	[ "$(printf '%s\n' "$output" | tail -n 1)" = END ]
	printf '%s\n' "$output" | grep -q '^\[\.\.\. [0-9]* bytes cut \.\.\.\]$'
	[ "${#output}" -le 524288 ]
	[ "$(py 'L[0]["status"], L[0]["output_tokens"], L[0]["reply_verdict"]')" = '["ok", 25600, "delivered"]' ]
	[ "$(py '"note" in L[0]')" = false ]
	stop_server
}

@test "stand-in: a server stalling longer than the run's timeout ends the run as a timeout" {
	start_stub
	heartbeat <<'MD'
tasks:
  - name: ask
    agent: local
    timeout: 3s
    prompt: "Check the inbox."
MD
	ini "stall_timeout = 60s"
	plan stall
	local t0 t1
	t0=$(date +%s%3N)
	run --separate-stderr tick
	t1=$(date +%s%3N)
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ $((t1 - t0)) -lt 8000 ]
	[[ "$stderr" == *"ask: timed out after 3s"* ]]
	[[ "$stderr" == *"hb-run-http: $HOST: 200 OK, but no reply came before the deadline; 1 try, out of time"* ]]
	[ "$(py 'L[0]["status"]')" = timeout ]
	[ "$(requests)" -eq 1 ]
	# midway through a stream, the same
	plan stallmid
	run --separate-stderr tick ask
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"but the stream had not ended by the deadline (8 bytes of text); 1 try, out of time"* ]]
	[ "$(py 'L[-1]["status"]')" = timeout ]
	stop_server
}
