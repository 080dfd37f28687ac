#!/usr/bin/env bats
# clis.bats - the shipped agent-CLI templates against the real CLIs, installed at pinned
# versions in tests/agents/node_modules by `make test-deps` (tests/agents/install.sh).
#
# All four run for real, offline, against local stand-ins for their APIs
# (fixtures/anthropic-server.js for Claude Code, gemini-server.js for Gemini CLI,
# openai-server.js for Codex's Responses API and opencode's chat completions). For the
# argument checks and the failures (a failed resume, a failing or missing CLI), the CLIs run
# as fakes that accept only the flags the installed CLI's own --help lists (read at test
# time, so the tests follow the pinned versions), record their arguments and standard input,
# and print output shaped like the real CLI's JSON.
#
# Tasks name the built-in agents (agent: claude, codex, gemini, opencode), so hb-run runs the
# shipped templates from the build tree and reads their output in each CLI's format: the
# reply, the tokens and cost, the CLI's own session id (kept, and handed back to the next
# systemEvent as HB_AGENT_SESSION); a task's dangerous: true reaches the template as
# HB_DANGEROUS=1. The tests of the templates' own edge cases (HB_DANGEROUS values other than
# 1, failed resumes, a missing CLI) run them directly, with the environment hb-run gives them.

load helpers

TEMPLATES="$BATS_TEST_DIRNAME/../../templates"
AGENTS_BIN="$BATS_TEST_DIRNAME/../agents/node_modules/.bin"

# The flags each installed CLI's --help lists, one a line, in $BATS_FILE_TMPDIR/flags/NAME
# (NAME: claude, codex-exec, codex-exec-resume, gemini, opencode-run). opencode prints its
# help on standard error.
setup_file() {
	local d="$BATS_FILE_TMPDIR/flags" h="$BATS_FILE_TMPDIR/home"
	mkdir -p "$d" "$h"
	helpflags() {
		local name=$1 cli=$2
		shift 2
		[ -x "$AGENTS_BIN/$cli" ] || return 0
		HOME=$h CODEX_HOME=$h/.codex timeout 60 "$AGENTS_BIN/$cli" "$@" --help 2>&1 |
		    sed -nE 's/^ +((-[A-Za-z0-9], )?--?[A-Za-z][A-Za-z0-9-]*).*/\1/p' |
		    tr ',' '\n' | tr -d ' ' | sort -u >"$d/$name"
	}
	mkdir -p "$h/.codex"
	helpflags claude claude
	helpflags codex-exec codex exec
	helpflags codex-exec-resume codex exec resume
	helpflags gemini gemini
	helpflags opencode-run opencode run
}

# refute CMD...: fails when CMD succeeds (a bare `! CMD` does not fail a bats test).
refute() {
	! "$@"
}

# need_cli NAME: skips the test unless the real CLI is installed.
need_cli() {
	[ -x "$AGENTS_BIN/$1" ] || skip "$1 is not installed in tests/agents (make test-deps)"
}

# --- the real Claude Code against a local Messages API ----------------------------------

# start_server FIXTURE: starts a stand-in API (its pid in $WS/pids/, so that teardown ends it
# if the test does not) recording into $WS/api; sets API_URL.
start_server() {
	mkdir -p "$WS/api" "$WS/home"
	node "$HBT_FIXTURES/$1" "$WS/api" 2>"$WS/api/stderr" &
	API_PID=$!
	echo "$API_PID" >"$WS/pids/api"
	local i
	for i in $(seq 100); do
		[ -s "$WS/api/port" ] && break
		sleep 0.1
	done
	[ -s "$WS/api/port" ] || fail "the API stand-in did not start: $(cat "$WS/api/stderr")"
	API_URL="http://127.0.0.1:$(cat "$WS/api/port")"
}

# Starts the Messages API stand-in and points Claude Code at it, with a scratch HOME and
# nothing sent anywhere else.
start_api() {
	start_server anthropic-server.js
	export ANTHROPIC_BASE_URL="$API_URL"
	export ANTHROPIC_API_KEY=anything DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1
	export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 HOME="$WS/home"
	export PATH="$AGENTS_BIN:$PATH"
}

stop_api() {
	kill -TERM "$API_PID" 2>/dev/null || true
	wait "$API_PID" 2>/dev/null || true
}

# api EXPR: a Python expression over R, the recorded requests in order (each {method, url,
# body}), and M, those that are model calls carrying the word MARK (the test's prompts do).
# (Modules json and os are at hand.)
api() {
	"$HBT_PY" - "$1" "$WS/api" <<'PY'
import glob, json, os, sys
d = sys.argv[2]
files = sorted(glob.glob(os.path.join(d, "request.*.json")),
               key=lambda f: int(f.rsplit(".", 2)[1]))
R = [json.load(open(f)) for f in files]
M = [r for r in R if any(p in r["url"] for p in ("/v1/messages", "GenerateContent",
                                                   "/v1/responses", "/chat/completions"))
     and "MARK" in json.dumps(r["body"])]
v = eval(sys.argv[1])
print(json.dumps(v) if not isinstance(v, str) else v)
PY
}

# reply_is N: the last run's reply (in the log) is exactly the model's Nth answer: hb-run read
# it out of the CLI's JSON.
reply_is() {
	local r
	r=$(py 'L[-1]["reply"]')
	[ "$r" = "fake reply $1" ] || fail "the reply is not 'fake reply $1': $r"
}

@test "claude (real CLI): an agentTurn reaches the API with the task's model; the reply, tokens and cost are recorded" {
	need_cli claude
	start_api
	heartbeat <<'MD'
tasks:
  - name: turn
    agent: claude
    interval: 30m
    model: claude-test-model-1
    prompt: look at the MARK and say what you see
MD
	run hb
	[ "$status" -eq 0 ]
	[[ "$output" == *"fake reply"* ]]
	[ "$(api 'len(M)')" -eq 1 ]
	[ "$(api 'M[0]["url"]')" = "/v1/messages?beta=true" ]
	[ "$(api 'M[0]["body"]["model"]')" = claude-test-model-1 ]
	[ "$(api 'M[0]["body"]["stream"]')" = true ]
	[ "$(py 'S["turn"]["last_status"]')" = ok ]
	[ "$(py 'L[-1]["agent"]')" = claude ]
	reply_is "$(api '[i + 1 for i, r in enumerate(R) if r is M[0]][0]')"	# the server's count
	# the usage Claude Code reported: the server's 11 input and 7 output tokens
	[ "$(py 'L[-1]["input_tokens"], L[-1]["output_tokens"]')" = "[11, 7]" ]
	# and its total_cost_usd, which a direct run of the template for the same model shows
	echo "look at the MARK again" >"$WS/prompt"
	run --separate-stderr env HB_PROMPT_FILE="$WS/prompt" HB_SESSION_ID=3e5c1b7a-2d4f-4a6b-8c9d-0e1f2a3b4c5d \
	    HB_SESSION_NEW=1 HB_MODEL=claude-test-model-1 HB_TASK=t HB_TYPE=agentTurn \
	    "$TEMPLATES/claude/agent-turn.sh"
	stop_api
	[ "$status" -eq 0 ]
	echo "$output" >"$WS/direct.json"
	local cost
	cost=$(py 'L[-1]["cost_usd"]')
	"$HBT_PY" - "$WS/direct.json" "$cost" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))["total_cost_usd"]
got = float(sys.argv[2])
assert want > 0 and abs(got - want) < 1e-9, (got, want)
PY
	# status: the last run's tokens and cost
	run --separate-stderr hb status
	[ "$status" -eq 0 ]
	[[ "$(grep '^turn ' <<<"$output")" == *"claude "*"ok, delivered"*"11/7 tokens, \$0.0"* ]] ||
	    fail "status: $output"
	run --separate-stderr hb status --json
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | "$HBT_PY" -c 'import json, sys; t = json.load(sys.stdin)[0]; print(t["last_input_tokens"], t["last_output_tokens"], t["last_cost_usd"])')" = "11 7 $cost" ]
}

@test "claude (real CLI) and [budget] daily_cost: the cost Claude Code reports reaches it; the next task does not start, one alert" {
	need_cli claude
	start_api
	heartbeat <<'MD'
tasks:
  - name: first
    agent: claude
    interval: 30m
    model: claude-test-model-1
    prompt: look at the MARK and say what you see
  - name: second
    agent: claude
    interval: 30m
    model: claude-test-model-1
    prompt: look at the MARK once more
MD
	printf '[budget]\ndaily_cost = 0.000001\n' >hb-run.ini
	run --separate-stderr hb
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(api 'len(M)')" -eq 1 ]
	[ "$(py '[(e["task"], e["status"]) for e in L]')" = '[["first", "ok"], ["second", "over_budget"]]' ]
	[[ "$output" == *"=== hb-run: budget reached ==="* ]] || fail "$output"
	# what the day spent is the cost Claude Code reported for the first run
	"$HBT_PY" - "$(py 'L[0]["cost_usd"]')" "$(py 'S["_budget"]["cost"]')" <<'PY'
import sys
got, spent = float(sys.argv[1]), float(sys.argv[2])
assert got > 0 and abs(got - spent) < 1e-12, (got, spent)
PY
	# the next tick: second is still due and held; no model call, nothing said again
	run --separate-stderr hb
	stop_api
	[ "$status" -eq 0 ]
	[ -z "$output" ] || fail "$output"
	[ "$(api 'len(M)')" -eq 1 ]
	[ "$(py 'len(L)')" -eq 2 ]
	run --separate-stderr hb status
	[[ "$output" == *"over budget"* ]] || fail "$output"
}

@test "claude (real CLI): the template prints Claude Code's JSON: result, usage, cost, session id" {
	need_cli claude
	start_api
	echo "what is the MARK" >"$WS/prompt"
	run --separate-stderr env HB_PROMPT_FILE="$WS/prompt" HB_SESSION_ID=0b7c9e2e-52f4-4c1e-9d52-6a3c1d1f0e11 \
	    HB_SESSION_NEW=1 HB_MODEL=claude-test-model-2 HB_TASK=t HB_TYPE=agentTurn \
	    "$TEMPLATES/claude/agent-turn.sh"
	stop_api
	[ "$status" -eq 0 ]
	echo "$output" >"$WS/out.json"
	"$HBT_PY" - "$WS/out.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["type"] == "result" and o["is_error"] is False, o
assert o["result"].startswith("fake reply "), o["result"]
assert o["session_id"] == "0b7c9e2e-52f4-4c1e-9d52-6a3c1d1f0e11", o["session_id"]
assert o["usage"]["input_tokens"] == 11 and o["usage"]["output_tokens"] == 7, o["usage"]
assert isinstance(o["total_cost_usd"], (int, float)), o
assert "claude-test-model-2" in o["modelUsage"], o["modelUsage"]
PY
}

@test "claude (real CLI): a systemEvent creates the main session, then resumes it with the first turn" {
	need_cli claude
	start_api
	heartbeat <<'MD'
tasks:
  - name: ev
    agent: claude
    type: systemEvent
    interval: 30m
    model: claude-test-model-3
    prompt: check the MARK again
MD
	run hb ev
	[ "$status" -eq 0 ]
	[ "$(api 'len(M)')" -eq 1 ]
	sid=$(py 'list(S["_sessions"].values())[0]["id"]')
	[ -n "$sid" ]
	# Claude Code saved the session under hb-run's id
	ls "$WS"/home/.claude/projects/*/"$sid.jsonl"
	run hb ev
	stop_api
	[ "$status" -eq 0 ]
	[ "$(api 'len(M)')" -eq 2 ]
	[ "$(api 'M[1]["body"]["model"]')" = claude-test-model-3 ]
	# the resumed request carries the first turn: its prompt and the model's first answer
	[ "$(api 'len(M[1]["body"]["messages"]) > len(M[0]["body"]["messages"])')" = true ]
	api 'json.dumps(M[1]["body"]["messages"])' | grep -q 'fake reply'
	[ "$(api 'json.dumps(M[1]["body"]["messages"]).count("check the MARK again")')" -ge 2 ]
	[ "$(py 'S["ev"]["runs"]')" -eq 2 ]
	[ "$(py 'list(S["_sessions"].values())[0]["id"]')" = "$sid" ]
	[ "$(py 'L[-1]["agent_session"]')" = "$sid" ]	# Claude Code's session_id: hb-run's
	reply_is "$(api '[i + 1 for i, r in enumerate(R) if r is M[1]][0]')"
}

@test "claude (real CLI): a dangerous: true task runs Claude Code with permissions bypassed, the others do not" {
	need_cli claude
	start_api
	# Claude Code refuses to skip permissions as root outside a sandbox it knows of.
	[ "$(id -u)" != 0 ] || export IS_SANDBOX=1
	heartbeat <<'MD'
tasks:
  - name: risky
    agent: claude
    dangerous: true
    interval: 30m
    prompt: the MARK, unattended
  - name: safe
    agent: claude
    interval: 30m
    prompt: the MARK, asking first
MD
	run hb
	stop_api
	[ "$status" -eq 0 ] || fail "hb-run: $output"
	[ "$(api 'len(M)')" -eq 2 ]
	[ "$(py '[e["status"] for e in L]')" = '["ok", "ok"]' ]
	# Claude Code keeps the permission mode of each session in its transcript
	local risky safe
	risky=$(py '[e["agent_session"] for e in L if e["task"] == "risky"][0]')
	safe=$(py '[e["agent_session"] for e in L if e["task"] == "safe"][0]')
	grep -q '"permissionMode":"bypassPermissions"' "$WS"/home/.claude/projects/*/"$risky.jsonl"
	refute grep -q '"permissionMode":"bypassPermissions"' "$WS"/home/.claude/projects/*/"$safe.jsonl"
	grep -q '"permissionMode":"default"' "$WS"/home/.claude/projects/*/"$safe.jsonl"
}

# --- the real Gemini CLI against a local Gemini API ---------------------------------------

# Starts the Gemini API stand-in and points Gemini CLI at it: an API key (the auth type in a
# scratch HOME's settings), the workspace trusted through the environment.
start_gemini_api() {
	start_server gemini-server.js
	mkdir -p "$WS/home/.gemini"
	echo '{"security": {"auth": {"selectedType": "gemini-api-key"}}}' \
	    >"$WS/home/.gemini/settings.json"
	export GOOGLE_GEMINI_BASE_URL="$API_URL" GEMINI_API_KEY=anything HOME="$WS/home"
	export GEMINI_CLI_TRUST_WORKSPACE=true
	export PATH="$AGENTS_BIN:$PATH"
}

@test "gemini (real CLI): an agentTurn through hb-run reaches the API with the model; reply and tokens recorded" {
	need_cli gemini
	start_gemini_api
	heartbeat <<'MD'
tasks:
  - name: turn
    agent: gemini
    interval: 30m
    model: gemini-test-model-1
    prompt: look at the MARK and say what you see
MD
	run hb
	stop_api
	[ "$status" -eq 0 ]
	[[ "$output" == *"fake reply"* ]]
	[ "$(api 'len(M)')" -eq 1 ]
	[[ "$(api 'M[0]["url"]')" == "/v1beta/models/gemini-test-model-1:streamGenerateContent"* ]]
	api 'json.dumps(M[0]["body"]["contents"][-1])' | grep -q 'look at the MARK'
	[ "$(py 'L[-1]["agent"]')" = gemini ]
	reply_is "$(api '[i + 1 for i, r in enumerate(R) if r is M[0]][0]')"
	# Gemini's stats: the server's 11 prompt and 7 candidate tokens
	[ "$(py 'L[-1]["input_tokens"], L[-1]["output_tokens"]')" = "[11, 7]" ]
	# an agentTurn keeps no agent session
	[ "$(py '(S.get("_sessions") or {}).get("main", {}).get("agent_sessions", {})')" = '{}' ]
}

@test "gemini (real CLI): a systemEvent's session_id comes back as HB_AGENT_SESSION and resumes with the first turn; a lost session starts anew" {
	need_cli gemini
	start_gemini_api
	heartbeat <<'MD'
tasks:
  - name: ev
    agent: gemini
    type: systemEvent
    interval: 30m
    model: gemini-test-model-2
    prompt: check the MARK again
MD
	run --separate-stderr hb ev
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	sid=$(py 'S["_sessions"]["main"]["agent_sessions"]["gemini"]')
	[ -n "$sid" ]
	[ "$(py 'L[-1]["agent_session"]')" = "$sid" ]
	# Gemini saved the session under its id
	grep -rlq "$sid" "$WS/home/.gemini/tmp"
	run --separate-stderr hb ev
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[ "$(api 'len(M)')" -eq 2 ]
	[ "$(api 'M[1]["url"]')" = "$(api 'M[0]["url"]')" ]
	# the resumed request carries the first turn: its prompt and the model's answer
	[ "$(api '[c["role"] for c in M[1]["body"]["contents"]][-3:]')" = '["user", "model", "user"]' ]
	[ "$(api 'json.dumps(M[1]["body"]["contents"]).count("check the MARK again")')" -ge 2 ]
	api 'json.dumps(M[1]["body"]["contents"])' | grep -q 'fake reply'
	[ "$(py 'S["_sessions"]["main"]["agent_sessions"]["gemini"]')" = "$sid" ]
	reply_is "$(api '[i + 1 for i, r in enumerate(R) if r is M[1]][0]')"
	# a session Gemini does not know: the resume fails, a new session answers, and hb-run
	# keeps the new session's id
	"$HBT_PY" - <<'PY'
import json
with open(".heartbeat-state.json") as f:
    s = json.load(f)
s["_sessions"]["main"]["agent_sessions"]["gemini"] = "0f0e0d0c-0b0a-4908-8706-050403020100"
with open(".heartbeat-state.json", "w") as f:
    json.dump(s, f)
PY
	run --separate-stderr hb ev
	stop_api
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[[ "$(py 'L[-1]["stderr"]')" == *"resuming gemini session 0f0e0d0c-0b0a-4908-8706-050403020100 failed"* ]]
	new=$(py 'S["_sessions"]["main"]["agent_sessions"]["gemini"]')
	[ -n "$new" ] && [ "$new" != "$sid" ] && [ "$new" != 0f0e0d0c-0b0a-4908-8706-050403020100 ]
	[ "$(py 'L[-1]["agent_session"]')" = "$new" ]
	[ "$(api 'len(M)')" -eq 3 ]
	reply_is "$(api '[i + 1 for i, r in enumerate(R) if r is M[2]][0]')"
}

# --- the real Codex CLI against a local Responses API -------------------------------------

# Starts the OpenAI stand-in and points Codex at it: a custom model provider in a scratch
# CODEX_HOME's config.toml (Codex 0.171 speaks only the Responses API to any provider), with
# the two things Codex would otherwise fetch at every run turned off: analytics
# (ab.chatgpt.com) and its plugins (github.com, api.github.com, chatgpt.com). Anything still
# meant for elsewhere goes to the stand-in as a proxy, which records it: the tests see it.
start_codex_api() {
	start_server openai-server.js
	mkdir -p "$WS/home/.codex"
	cat >"$WS/home/.codex/config.toml" <<EOF
model_provider = "local"

[analytics]
enabled = false

[features]
plugins = false

[model_providers.local]
name = "local stand-in"
base_url = "$API_URL/v1"
wire_api = "responses"
env_key = "LOCAL_MODEL_KEY"
EOF
	export HOME="$WS/home" CODEX_HOME="$WS/home/.codex" LOCAL_MODEL_KEY=anything
	export HTTPS_PROXY="$API_URL" HTTP_PROXY="$API_URL" ALL_PROXY="$API_URL"
	export NO_PROXY=127.0.0.1,localhost
	export PATH="$AGENTS_BIN:$PATH"
}

# codex_rollout ID: the file in which Codex keeps thread ID.
codex_rollout() {
	local f
	f=$(find "$WS/home/.codex/sessions" -name "rollout-*-$1.jsonl")
	[ -n "$f" ] || fail "no rollout for thread $1"
	echo "$f"
}

@test "codex (real CLI): an agentTurn through hb-run reaches the local API with the task's model; reply and tokens recorded" {
	need_cli codex
	start_codex_api
	heartbeat <<'MD'
tasks:
  - name: turn
    agent: codex
    interval: 30m
    model: codex-test-model-1
    prompt: look at the MARK and say what you see
MD
	run --separate-stderr hb
	stop_api
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[[ "$output" == *"fake reply"* ]]
	# one model call, and nothing else went anywhere (no proxied CONNECT, no other path)
	[ "$(api '[r["method"] + " " + r["url"] for r in R]')" = '["POST /v1/responses"]' ]
	[ "$(api 'len(M)')" -eq 1 ]
	[ "$(api 'M[0]["body"]["model"]')" = codex-test-model-1 ]
	[ "$(api 'M[0]["body"]["stream"]')" = true ]
	api 'json.dumps(M[0]["body"]["input"][-1])' | grep -q 'look at the MARK'
	[ "$(py 'S["turn"]["last_status"]')" = ok ]
	[ "$(py 'L[-1]["agent"]')" = codex ]
	reply_is "$(api '[i + 1 for i, r in enumerate(R) if r is M[0]][0]')"
	# the usage Codex reported from the server's: 11 input and 7 output tokens
	[ "$(py 'L[-1]["input_tokens"], L[-1]["output_tokens"]')" = "[11, 7]" ]
	# an agentTurn keeps no agent session, and ran in Codex's read-only sandbox
	[ "$(py '(S.get("_sessions") or {}).get("main", {}).get("agent_sessions", {})')" = '{}' ]
	grep -q '"sandbox_policy":{"type":"read-only"}' "$(codex_rollout "$(py 'L[-1]["agent_session"]')")"
}

@test "codex (real CLI): a systemEvent's thread id comes back as HB_AGENT_SESSION and resumes with the first turn; a lost thread starts anew" {
	need_cli codex
	start_codex_api
	heartbeat <<'MD'
tasks:
  - name: ev
    agent: codex
    type: systemEvent
    interval: 30m
    model: codex-test-model-2
    prompt: check the MARK again
MD
	run --separate-stderr hb ev
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	sid=$(py 'S["_sessions"]["main"]["agent_sessions"]["codex"]')
	[ -n "$sid" ]
	[ "$(py 'L[-1]["agent_session"]')" = "$sid" ]
	codex_rollout "$sid"
	run --separate-stderr hb ev
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[ "$(api 'len(M)')" -eq 2 ]
	[ "$(api 'M[1]["body"]["model"]')" = codex-test-model-2 ]
	# the resumed request carries the first turn: its prompt and the model's answer
	[ "$(api '[i["role"] for i in M[1]["body"]["input"] if i.get("type") == "message"][-3:]')" = '["user", "assistant", "user"]' ]
	[ "$(api 'json.dumps(M[1]["body"]["input"]).count("check the MARK again")')" -ge 2 ]
	api 'json.dumps(M[1]["body"]["input"])' | grep -q 'fake reply'
	[ "$(py 'S["_sessions"]["main"]["agent_sessions"]["codex"]')" = "$sid" ]
	reply_is "$(api '[i + 1 for i, r in enumerate(R) if r is M[1]][0]')"
	# Codex counts the thread's tokens so far (22 and 14 now): the run's are what they grew by
	[ "$(py 'L[-1]["input_tokens"], L[-1]["output_tokens"]')" = "[11, 7]" ]
	[ "$(py 'S["ev"]["tokens_in"], S["ev"]["tokens_out"]')" = "[22, 14]" ]
	# a thread Codex does not know: the resume fails, a new thread answers, and hb-run keeps
	# the new thread's id
	"$HBT_PY" - <<'PY'
import json
with open(".heartbeat-state.json") as f:
    s = json.load(f)
s["_sessions"]["main"]["agent_sessions"]["codex"] = "0f0e0d0c-0b0a-4908-8706-050403020100"
with open(".heartbeat-state.json", "w") as f:
    json.dump(s, f)
PY
	run --separate-stderr hb ev
	stop_api
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[[ "$(py 'L[-1]["stderr"]')" == *"resuming codex session 0f0e0d0c-0b0a-4908-8706-050403020100 failed"* ]]
	new=$(py 'S["_sessions"]["main"]["agent_sessions"]["codex"]')
	[ -n "$new" ] && [ "$new" != "$sid" ] && [ "$new" != 0f0e0d0c-0b0a-4908-8706-050403020100 ]
	[ "$(py 'L[-1]["agent_session"]')" = "$new" ]
	[ "$(api 'len(M)')" -eq 3 ]
	reply_is "$(api '[i + 1 for i, r in enumerate(R) if r is M[2]][0]')"
	[ "$(py 'L[-1]["input_tokens"], L[-1]["output_tokens"]')" = "[11, 7]" ]	# a new thread's
	[ "$(api '[r["method"] + " " + r["url"] for r in R if r["url"] != "/v1/responses"]')" = '[]' ]
}

@test "codex (real CLI): a dangerous: true task runs Codex without its sandbox, the others in it" {
	need_cli codex
	start_codex_api
	heartbeat <<'MD'
tasks:
  - name: risky
    agent: codex
    dangerous: true
    interval: 30m
    prompt: the MARK, unattended
  - name: safe
    agent: codex
    interval: 30m
    prompt: the MARK, sandboxed
MD
	run --separate-stderr hb
	stop_api
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[ "$(api 'len(M)')" -eq 2 ]
	[ "$(py '[e["status"] for e in L]')" = '["ok", "ok"]' ]
	# Codex keeps each turn's sandbox in its rollout
	local risky safe
	risky=$(codex_rollout "$(py '[e["agent_session"] for e in L if e["task"] == "risky"][0]')")
	safe=$(codex_rollout "$(py '[e["agent_session"] for e in L if e["task"] == "safe"][0]')")
	grep -q '"sandbox_policy":{"type":"danger-full-access"}' "$risky"
	refute grep -q '"sandbox_policy":{"type":"danger-full-access"}' "$safe"
	grep -q '"sandbox_policy":{"type":"read-only"}' "$safe"
}

# --- the real opencode against a local OpenAI-compatible API --------------------------------

# Starts the OpenAI stand-in and points opencode at it: a provider on opencode's bundled
# @ai-sdk/openai-compatible (nothing fetched at run time) in a scratch HOME's opencode.json,
# with its models, bash left to ask (the dangerous: true test runs it), and no title
# generation (a second model call per new session). opencode would otherwise reach out at
# every start for its model list (models.opencode.ai: OPENCODE_DISABLE_MODELS_FETCH) and to
# npm-install @opencode-ai/plugin into its config folder, for the plugins kept there (none
# here): package.json and package-lock.json say it is, as npm would after installing it.
# Anything still meant for elsewhere goes to the stand-in as a proxy, which records it.
start_opencode_api() {
	start_server openai-server.js
	local c="$WS/home/.config/opencode"
	mkdir -p "$c/node_modules"
	cat >"$c/opencode.json" <<EOF
{
  "model": "local/opencode-default-model",
  "provider": {
    "local": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "local stand-in",
      "options": { "baseURL": "$API_URL/v1", "apiKey": "anything" },
      "models": {
        "opencode-default-model": { "name": "default" },
        "opencode-test-model-1": { "name": "test 1" },
        "opencode-test-model-2": { "name": "test 2" }
      }
    }
  },
  "agent": { "title": { "disable": true } },
  "permission": { "bash": "ask" }
}
EOF
	echo '{"dependencies": {"@opencode-ai/plugin": "1.18.33"}}' >"$c/package.json"
	echo '{"packages": {"": {"dependencies": {"@opencode-ai/plugin": "1.18.33"}}}}' \
	    >"$c/package-lock.json"
	export HOME="$WS/home" XDG_CONFIG_HOME="$WS/home/.config"
	export XDG_DATA_HOME="$WS/home/.local/share" XDG_CACHE_HOME="$WS/home/.cache"
	export XDG_STATE_HOME="$WS/home/.local/state" OPENCODE_DISABLE_MODELS_FETCH=1
	export HTTPS_PROXY="$API_URL" HTTP_PROXY="$API_URL" ALL_PROXY="$API_URL"
	export NO_PROXY=127.0.0.1,localhost
	export PATH="$AGENTS_BIN:$PATH"
}

@test "opencode (real CLI): an agentTurn through hb-run reaches the local API with the task's model; reply and tokens recorded" {
	need_cli opencode
	start_opencode_api
	heartbeat <<'MD'
tasks:
  - name: turn
    agent: opencode
    interval: 30m
    model: local/opencode-test-model-1
    prompt: look at the MARK and say what you see
MD
	run --separate-stderr hb
	stop_api
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[[ "$output" == *"fake reply"* ]]
	# one model call, and nothing else went anywhere (no proxied CONNECT, no other path)
	[ "$(api '[r["method"] + " " + r["url"] for r in R]')" = '["POST /v1/chat/completions"]' ]
	[ "$(api 'M[0]["body"]["model"]')" = opencode-test-model-1 ]
	[ "$(api 'M[0]["body"]["stream"]')" = true ]
	api 'json.dumps(M[0]["body"]["messages"][-1])' | grep -q 'look at the MARK'
	[ "$(py 'S["turn"]["last_status"]')" = ok ]
	[ "$(py 'L[-1]["agent"]')" = opencode ]
	reply_is 1
	# the usage opencode reported from the server's: 11 input and 7 output tokens
	[ "$(py 'L[-1]["input_tokens"], L[-1]["output_tokens"]')" = "[11, 7]" ]
	[ "$(py '(S.get("_sessions") or {}).get("main", {}).get("agent_sessions", {})')" = '{}' ]
}

@test "opencode (real CLI): a systemEvent's session id comes back as HB_AGENT_SESSION and continues with the first turn; a lost session starts anew" {
	need_cli opencode
	start_opencode_api
	heartbeat <<'MD'
tasks:
  - name: ev
    agent: opencode
    type: systemEvent
    interval: 30m
    model: local/opencode-test-model-2
    prompt: check the MARK again
MD
	run --separate-stderr hb ev
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	sid=$(py 'S["_sessions"]["main"]["agent_sessions"]["opencode"]')
	[[ "$sid" == ses_* ]] || fail "session: $sid"
	[ "$(py 'L[-1]["agent_session"]')" = "$sid" ]
	run --separate-stderr hb ev
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[ "$(api 'len(M)')" -eq 2 ]
	[ "$(api 'M[1]["body"]["model"]')" = opencode-test-model-2 ]
	# the continued request carries the first turn: its prompt and the model's answer
	[ "$(api '[m["role"] for m in M[1]["body"]["messages"]][-3:]')" = '["user", "assistant", "user"]' ]
	[ "$(api 'json.dumps(M[1]["body"]["messages"]).count("check the MARK again")')" -ge 2 ]
	api 'json.dumps(M[1]["body"]["messages"])' | grep -q 'fake reply 1'
	[ "$(py 'S["_sessions"]["main"]["agent_sessions"]["opencode"]')" = "$sid" ]
	reply_is 2
	# a session opencode does not know: continuing it fails, a new session answers, and
	# hb-run keeps the new session's id
	"$HBT_PY" - <<'PY'
import json
with open(".heartbeat-state.json") as f:
    s = json.load(f)
s["_sessions"]["main"]["agent_sessions"]["opencode"] = "ses_0123abcdEF"
with open(".heartbeat-state.json", "w") as f:
    json.dump(s, f)
PY
	run --separate-stderr hb ev
	stop_api
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[[ "$(py 'L[-1]["stderr"]')" == *"continuing opencode session ses_0123abcdEF failed"* ]]
	new=$(py 'S["_sessions"]["main"]["agent_sessions"]["opencode"]')
	[[ "$new" == ses_* ]] && [ "$new" != "$sid" ] && [ "$new" != ses_0123abcdEF ]
	[ "$(py 'L[-1]["agent_session"]')" = "$new" ]
	[ "$(api 'len(M)')" -eq 3 ]
	reply_is 3
	[ "$(api '[r["method"] + " " + r["url"] for r in R if r["url"] != "/v1/chat/completions"]')" = '[]' ]
}

@test "opencode (real CLI): a dangerous: true task may run the shell tool the rules leave to ask, the others may not" {
	need_cli opencode
	start_opencode_api
	heartbeat <<MD
tasks:
  - name: risky
    agent: opencode
    dangerous: true
    interval: 30m
    prompt: "SHELL: touch $WS/ran-risky"
  - name: safe
    agent: opencode
    interval: 30m
    prompt: "SHELL: touch $WS/ran-safe"
MD
	run --separate-stderr hb
	stop_api
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	# the model asked for the command in both tasks; opencode ran it for the dangerous one
	# only, and sent its result back for the answer
	[ -e "$WS/ran-risky" ]
	[ ! -e "$WS/ran-safe" ]
	[ "$(api '[r["body"]["messages"][-1]["role"] for r in R]')" = '["user", "tool", "user"]' ] ||
	    fail "requests: $(api '[r["body"]["messages"][-1]["role"] for r in R]')"
	[[ "$(py '[e["stderr"] for e in L if e["task"] == "safe"][0]')" == *"permission requested: bash"*"auto-rejecting"* ]]
	[ "$(py '[e["reply"] for e in L if e["task"] == "risky"][0]')" = "fake reply 2" ]
}

# --- fakes that know the real flags -----------------------------------------------------

# fake_cli NAME: a fake NAME on the PATH. It refuses (exit 2) any option that the real
# CLI's --help (for the subcommand used) does not list; appends its arguments to NAME.args
# (a line each, then "--"); keeps its standard input as NAME.stdin.N (N: its call count);
# then exits with the status in NAME.exit.N, after printing a partial line, or prints JSON
# shaped like the real CLI's, with the session id in NAME.session (else a new one).
fake_cli() {
	local name=$1
	need_cli "$name"
	mkdir -p "$WS/bin"
	{
		echo '#!/bin/sh'
		echo "name=$name flags=$BATS_FILE_TMPDIR/flags"
		cat <<'EOF'
w=$HBT_WS
n=$(( $(cat "$w/$name.calls" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$w/$name.calls"
for a in "$@"; do printf '%s\n' "$a"; done >>"$w/$name.args"
echo -- >>"$w/$name.args"
help=$name
case $name in
codex)
	[ "${1:-}" = exec ] || { echo "fake codex: not exec: $1" >&2; exit 2; }
	shift; help=codex-exec
	if [ "${1:-}" = resume ]; then shift; help=codex-exec-resume; fi
	;;
opencode)
	[ "${1:-}" = run ] || { echo "fake opencode: not run: $1" >&2; exit 2; }
	shift; help=opencode-run
	;;
esac
# Every option must be one the real CLI lists; an option's value is the next argument.
# (A bare "-" is codex's "read the prompt from stdin".)
skip=0
for a in "$@"; do
	if [ "$skip" = 1 ]; then skip=0; continue; fi
	case $a in
	-) ;;
	-*)
		grep -qxF -- "${a%%=*}" "$flags/$help" || {
			echo "fake $name: $a is not an option of the real CLI ($help)" >&2
			exit 2
		}
		case $a in
		*=*) ;;
		--json | --skip-git-repo-check | --dangerously-bypass-approvals-and-sandbox | \
		    --yolo | --auto | --continue | --last | -p | --print | --skip-trust | \
		    --dangerously-skip-permissions) ;;
		*) skip=1 ;;
		esac
		;;
	esac
done
cat >"$w/$name.stdin.$n"
sid=$(cat "$w/$name.session" 2>/dev/null || echo "$name-session-$n")
if [ -f "$w/$name.exit.$n" ]; then
	echo "{\"partial\": \"$name call $n\"}"
	echo "$name call $n failing" >&2
	exit "$(cat "$w/$name.exit.$n")"
fi
case $name in
codex)
	echo "{\"type\":\"thread.started\",\"thread_id\":\"$sid\"}"
	echo '{"type":"turn.started"}'
	echo "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":\"agent_message\",\"text\":\"codex reply $n\"}}"
	echo '{"type":"turn.completed","usage":{"input_tokens":11,"cached_input_tokens":0,"output_tokens":7}}'
	;;
gemini)
	echo "{\"session_id\": \"$sid\", \"response\": \"gemini reply $n\", \"stats\": {\"models\": {\"m\": {\"tokens\": {\"input\": 11, \"prompt\": 11, \"candidates\": 7, \"total\": 18, \"cached\": 0, \"thoughts\": 0, \"tool\": 0}}}}}"
	;;
opencode)
	echo "{\"type\":\"step_start\",\"timestamp\":1,\"sessionID\":\"$sid\",\"part\":{\"type\":\"step-start\"}}"
	echo "{\"type\":\"text\",\"timestamp\":2,\"sessionID\":\"$sid\",\"part\":{\"type\":\"text\",\"text\":\"opencode reply $n\"}}"
	echo "{\"type\":\"step_finish\",\"timestamp\":3,\"sessionID\":\"$sid\",\"part\":{\"type\":\"step-finish\",\"reason\":\"stop\",\"cost\":0,\"tokens\":{\"input\":11,\"output\":7,\"reasoning\":0,\"cache\":{\"read\":0,\"write\":0}}}}"
	;;
claude)
	echo "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"claude reply $n\",\"session_id\":\"$sid\",\"total_cost_usd\":0.001,\"usage\":{\"input_tokens\":11,\"output_tokens\":7}}"
	;;
esac
EOF
	} >"$WS/bin/$name"
	chmod +x "$WS/bin/$name"
	export PATH="$WS/bin:$PATH"
}

# call N NAME: the arguments of NAME's Nth call, a line each.
call() {
	awk -v n="$1" 'BEGIN { RS = "--\n" } NR == n { printf "%s", $0 }' "$WS/$2.args"
}

# template NAME FILE [VAR=VALUE...]: runs a template directly, as hb-run would, with a fresh
# prompt file and the given variables (HB_DANGEROUS, HB_AGENT_SESSION, ...). Use under run.
template() {
	local name=$1 file=$2
	shift 2
	echo "the prompt of $name/$file" >"$WS/prompt"
	env HB_TASK=t HB_TYPE=systemEvent HB_PROMPT_FILE="$WS/prompt" HB_WORKSPACE="$WS" \
	    HB_RUN_ID=r HB_REASON=manual HB_SESSION_ID=9a1c3f1e-6a0b-4f7e-8a51-3e3d0c2b1a00 \
	    HB_SESSION_NEW=1 "$@" "$TEMPLATES/$name/$file.sh" <"$WS/prompt"
}

# The option each CLI takes for unattended use, as the templates pass it.
dangerous_flag() {
	case $1 in
	claude) echo --dangerously-skip-permissions ;;
	codex) echo --dangerously-bypass-approvals-and-sandbox ;;
	gemini) echo yolo ;;	# --approval-mode yolo
	opencode) echo --auto ;;
	esac
}

# Through hb-run, with the built-in agent NAME: an agentTurn and a first systemEvent with a
# model that looks like flags, then a dangerous: true agentTurn.
through_hb_run() {
	local name=$1 flag
	flag=$(dangerous_flag "$name")
	fake_cli "$name"
	heartbeat <<MD
tasks:
  - name: turn
    agent: $name
    interval: 30m
    model: "x --yolo --auto *"
    prompt: the turn's prompt
  - name: ev
    agent: $name
    type: systemEvent
    interval: 30m
    model: "x --yolo --auto *"
    prompt: the event's prompt
  - name: risky
    agent: $name
    dangerous: true
    interval: 30m
    prompt: the risky prompt
MD
	touch "$WS/a-file-a-glob-would-find"
	run hb
	[ "$status" -eq 0 ] || fail "hb-run failed: $output"
	[ "$(cat "$WS/$name.calls")" -eq 3 ] || fail "calls: $(cat "$WS/$name.calls")"
	[ "$(py '[e["task"] for e in L]')" = '["turn", "ev", "risky"]' ]
	# the delivered replies are exactly the model's text, out of the CLI's JSON
	[ "$(py '[e["reply"] for e in L]')" = "[\"$name reply 1\", \"$name reply 2\", \"$name reply 3\"]" ]
	[ "$output" = "$(printf '=== turn ===\n%s reply 1\n\n=== ev ===\n%s reply 2\n\n=== risky ===\n%s reply 3' "$name" "$name" "$name")" ] ||
	    fail "delivered: $output"
	# and the tokens the CLI reported
	[ "$(py '[(e["input_tokens"], e["output_tokens"]) for e in L]')" = "[[11, 7], [11, 7], [11, 7]]" ]
	# the model is one argument, and nothing a glob or a split would make of it
	[ "$(grep -cxF -- 'x --yolo --auto *' "$WS/$name.args")" -eq 2 ]
	refute grep -q a-file-a-glob-would-find "$WS/$name.args"
	# the permission flag for the dangerous task only
	[ -z "$(call 1 "$name" | grep -xF -- "$flag")" ] || fail "$flag without dangerous: true"
	[ -z "$(call 2 "$name" | grep -xF -- "$flag")" ] || fail "$flag without dangerous: true"
	[ -n "$(call 3 "$name" | grep -xF -- "$flag")" ] || fail "no $flag: $(call 3 "$name")"
	# the prompt on standard input, never on the command line
	refute grep -q "the turn's prompt\|the event's prompt\|the risky prompt" "$WS/$name.args"
	grep -q "the turn's prompt" "$WS/$name.stdin.1"
	grep -q "the event's prompt" "$WS/$name.stdin.2"
	grep -q "the risky prompt" "$WS/$name.stdin.3"
	[ "$(py '[S[t]["last_status"] for t in ("turn", "ev", "risky")]')" = '["ok", "ok", "ok"]' ]
	# the systemEvent's session id, as the CLI reported it, is kept for the agent
	[ "$(py 'S["_sessions"]["main"]["agent_sessions"]')" = "{\"$name\": \"$name-session-2\"}" ]
}

@test "codex templates via hb-run: real flags only (exec --json), model as one argument, prompt on stdin" {
	through_hb_run codex
	[ "$(call 1 codex | head -n 1)" = exec ]
	call 1 codex | grep -qx -- --json
	call 1 codex | tail -n 1 | grep -qx -- -
	refute grep -qx resume "$WS/codex.args"
}

@test "gemini templates via hb-run: real flags only (--output-format json, headless), model as one argument" {
	through_hb_run gemini
	[ "$(call 1 gemini | grep -A1 -x -- --output-format | tail -n 1)" = json ]
	call 1 gemini | grep -qx -- --prompt
	refute grep -qx -- --resume "$WS/gemini.args"
}

@test "opencode templates via hb-run: real flags only (run --format json), model as one argument" {
	through_hb_run opencode
	[ "$(call 1 opencode | head -n 1)" = run ]
	[ "$(call 1 opencode | grep -A1 -x -- --format | tail -n 1)" = json ]
	refute grep -q -- --session "$WS/opencode.args"
}

@test "claude templates via hb-run: real flags only (-p --output-format json), model as one argument" {
	through_hb_run claude
	[ "$(call 1 claude | grep -A1 -x -- --output-format | tail -n 1)" = json ]
	call 1 claude | grep -qx -- --session-id
}

@test "every template: HB_DANGEROUS=1 passes the CLI's unattended flag, other values do not" {
	local name file
	for name in claude codex gemini opencode; do
		fake_cli "$name"
		for file in agent-turn system-event; do
			rm -f "$WS/$name.args"
			run template "$name" "$file" HB_DANGEROUS=1
			[ "$status" -eq 0 ] || fail "$name/$file: $output"
			grep -qxF -- "$(dangerous_flag "$name")" "$WS/$name.args" ||
			    fail "$name/$file: no permission flag: $(cat "$WS/$name.args")"
			[ "$name" != gemini ] || grep -qx -- --approval-mode "$WS/$name.args"
			[ "$name" != gemini ] || grep -qx -- --skip-trust "$WS/$name.args"
			rm -f "$WS/$name.args"
			run template "$name" "$file" HB_DANGEROUS=yes
			[ "$status" -eq 0 ]
			refute grep -qxF -- "$(dangerous_flag "$name")" "$WS/$name.args" ||
			    fail "$name/$file: a permission flag without HB_DANGEROUS=1"
			refute grep -qx -- --skip-trust "$WS/$name.args"
		done
	done
}

@test "codex, gemini, opencode through hb-run: a systemEvent's session id comes back as HB_AGENT_SESSION and resumes" {
	fake_cli codex
	fake_cli gemini
	fake_cli opencode
	# the session ids the fakes report, shaped like each CLI's
	echo 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b >"$WS/codex.session"
	echo 4e1f0c6a-1b2c-4d3e-9f80-a1b2c3d4e5f6 >"$WS/gemini.session"
	echo ses_0123abcdEF >"$WS/opencode.session"
	heartbeat <<'MD'
tasks:
  - name: ev-codex
    agent: codex
    type: systemEvent
    interval: 30m
    prompt: an event
  - name: ev-gemini
    agent: gemini
    type: systemEvent
    interval: 30m
    prompt: an event
  - name: ev-opencode
    agent: opencode
    type: systemEvent
    interval: 30m
    prompt: an event
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	# new sessions: nothing to resume
	[ "$(call 1 codex | sed -n 2p)" != resume ]
	refute grep -q -- --resume "$WS/gemini.args"
	refute grep -q -- --session "$WS/opencode.args"
	[ "$(py 'S["_sessions"]["main"]["agent_sessions"]')" = '{"codex": "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "gemini": "4e1f0c6a-1b2c-4d3e-9f80-a1b2c3d4e5f6", "opencode": "ses_0123abcdEF"}' ] ||
	    fail "agent sessions: $(py 'S["_sessions"]["main"]["agent_sessions"]')"
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ] || fail "hb-run: $stderr"
	[ "$(call 2 codex | sed -n 1,2p | tr '\n' ' ')" = "exec resume " ]
	[ "$(call 2 codex | tail -n 2 | tr '\n' ' ')" = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b - " ]
	call 2 gemini | grep -qx -- --resume=4e1f0c6a-1b2c-4d3e-9f80-a1b2c3d4e5f6
	call 2 opencode | grep -qx -- --session=ses_0123abcdEF
	[ "$(py '[e["reply"] for e in L[3:]]')" = '["codex reply 2", "gemini reply 2", "opencode reply 2"]' ]
	# the agentTurn templates never resume
	run template codex agent-turn HB_AGENT_SESSION=0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b
	[ "$status" -eq 0 ]
	[ -z "$(call 3 codex | grep 0199a1b2)" ]
}

@test "codex, gemini, opencode system-event: a failed resume starts a new session; its output is not the reply" {
	local name
	for name in codex gemini opencode; do
		fake_cli "$name"
		echo 1 >"$WS/$name.exit.1"
		run --separate-stderr template "$name" system-event HB_AGENT_SESSION=old-session
		[ "$status" -eq 0 ] || fail "$name: $output"
		[ "$(cat "$WS/$name.calls")" -eq 2 ]
		[[ "$output" == *"$name reply 2"* ]]
		[[ "$output" != *"$name call 1"* ]] || fail "$name: the failed resume's output is in the reply"
		[[ "$stderr" == *"$name call 1"* ]]
		[ -z "$(call 2 "$name" | grep old-session)" ]
	done
}

@test "every system-event: resume and new session both failing fail with the second status" {
	local name
	for name in codex gemini opencode; do
		fake_cli "$name"
		echo 1 >"$WS/$name.exit.1"
		echo 7 >"$WS/$name.exit.2"
		run template "$name" system-event HB_AGENT_SESSION=old-session
		[ "$status" -eq 7 ] || fail "$name: exit $status"
	done
	fake_cli claude
	echo 1 >"$WS/claude.exit.1"
	echo 7 >"$WS/claude.exit.2"
	run template claude system-event HB_SESSION_NEW=0
	[ "$status" -eq 7 ]
}

@test "every template: a failing CLI fails the run with its status (through hb-run)" {
	local name
	for name in claude codex gemini opencode; do
		fake_cli "$name"
		echo 5 >"$WS/$name.exit.1"
		heartbeat <<MD
tasks:
  - name: turn
    agent: $name
    interval: 30m
    prompt: p
MD
		rm -f "$WS/.heartbeat-state.json"
		run hb
		[ "$status" -eq 1 ] || fail "$name: hb-run exit $status"
		[ "$(py 'S["turn"]["last_status"]')" = error ]
		[ "$(py 'S["turn"]["last_exit"]')" = 5 ]
	done
}

@test "every template: a CLI missing from PATH is exit 127 with a message naming it" {
	local name file
	mkdir -p "$WS/nobin"
	for name in claude codex gemini opencode; do
		grep -qx "# hb-run-requires: $name" "$TEMPLATES/$name/agent-turn.sh"
		grep -qx "# hb-run-requires: $name" "$TEMPLATES/$name/system-event.sh"
		for file in agent-turn system-event; do
			run -127 --separate-stderr template "$name" "$file" PATH="$WS/nobin"
			[ "$status" -eq 127 ] || fail "$name/$file: exit $status"
			[[ "$stderr" == *"$name not found in PATH"* ]]
		done
	done
	# and hb-run records it as a failed run
	heartbeat <<'MD'
tasks:
  - name: turn
    agent: codex
    interval: 30m
    prompt: p
MD
	run env PATH="$WS/nobin" "$HB_BIN" -C "$WS"
	[ "$status" -eq 1 ]
	[ "$(py 'S["turn"]["last_exit"]')" = 127 ]
}

@test "check: agent: codex needs codex on PATH; with it there, check is clean" {
	mkdir -p "$WS/nobin"
	heartbeat <<'MD'
tasks:
  - name: turn
    agent: codex
    interval: 30m
    prompt: p
  - name: ev
    agent: codex
    type: systemEvent
    interval: 30m
    prompt: p
MD
	run --separate-stderr env PATH="$WS/nobin" "$HB_BIN" -C "$WS" check
	[ "$status" -eq 2 ] || fail "check: exit $status"
	[[ "$stderr" == *"agent codex (built in), agent_turn: "*"codex/agent-turn.sh needs 'codex', which is not on PATH"* ]] ||
	    fail "check: $stderr"
	[[ "$stderr" == *"codex/system-event.sh needs 'codex', which is not on PATH"* ]]
	fake_cli codex
	run --separate-stderr env PATH="$WS/bin:$WS/nobin" "$HB_BIN" -C "$WS" check
	[ "$status" -eq 0 ] || fail "check: exit $status: $stderr"
	[ -z "$stderr" ]
	[ ! -e "$WS/codex.calls" ]	# check runs nothing
}

@test "the fakes know the real CLIs' flags (read from the installed --help)" {
	need_cli claude
	need_cli codex
	need_cli gemini
	need_cli opencode
	local f="$BATS_FILE_TMPDIR/flags"
	grep -qx -- --output-format "$f/claude"
	grep -qx -- --dangerously-skip-permissions "$f/claude"
	grep -qx -- --json "$f/codex-exec"
	grep -qx -- --dangerously-bypass-approvals-and-sandbox "$f/codex-exec-resume"
	grep -qx -- --skip-git-repo-check "$f/codex-exec-resume"
	grep -qx -- --approval-mode "$f/gemini"
	grep -qx -- --resume "$f/gemini"
	grep -qx -- --skip-trust "$f/gemini"
	grep -qx -- --format "$f/opencode-run"
	grep -qx -- --session "$f/opencode-run"
	grep -qx -- --auto "$f/opencode-run"
	# and a fake refuses a flag the real CLI lacks
	refute grep -qx -- --no-such-flag "$f/codex-exec"
	fake_cli codex
	run -2 codex exec --json --no-such-flag - </dev/null
	[[ "$output" == *"--no-such-flag is not an option of the real CLI"* ]]
	fake_cli opencode
	run -2 opencode run --full-auto </dev/null
}
