#!/usr/bin/env bats
# agents.bats - named agents: [agent.NAME] sections, [agent] default, the flat keys of wave 1,
# -o agent.NAME.key; unknown agents; what check finds; dangerous tasks; usage and cost read
# from an agent's JSON output; the agent CLI's own session id kept for the main session; HTTP
# agents run through the helper (a fake one here, fixtures/fake-hb-run-http).

load helpers

FAKE_HTTP="$BATS_TEST_DIRNAME/fixtures/fake-hb-run-http"

# A template at $1 that records its HB_ variables (tpl.TASK.N.env) and prints "from $2".
named_agent() {
	agent_script "$1" <<EOF
cat >/dev/null
n=1
while [ -e "\$HB_WORKSPACE/tpl.\$HB_TASK.\$n.env" ]; do n=\$((n + 1)); done
env | grep '^HB_' | sort >"\$HB_WORKSPACE/tpl.\$HB_TASK.\$n.env"
echo "from $2"
EOF
}

# What the Nth run (default: the last) of task T saw in variable V, from a named_agent.
tpl_seen() {
	local t=$1 v=$2 n=${3:-} f
	if [ -z "$n" ]; then
		n=1
		while [ -e "$WS/tpl.$t.$((n + 1)).env" ]; do n=$((n + 1)); done
	fi
	f="$WS/tpl.$t.$n.env"
	[ -f "$f" ] || { echo "no run $n of $t" >&2; return 1; }
	sed -n "s/^$v=//p" "$f"
}

claude_result() {
	printf '{"type":"result","subtype":"success","is_error":%s,"duration_ms":2831,"num_turns":1,"result":"%s","session_id":"8d0a4a3e-3c8e-4f34-9a4b-6f7f2b6f0e11","total_cost_usd":0.0123,"usage":{"input_tokens":4,"cache_creation_input_tokens":1520,"cache_read_input_tokens":14210,"output_tokens":12,"service_tier":"standard"}}\n' "$1" "$2"
}

@test "named agents: a task's agent: picks its [agent.NAME] section; the others run the default" {
	named_agent "$WS/alpha.sh" alpha
	heartbeat <<'MD'
tasks:
  - name: one
    agent: alpha
    prompt: first
  - name: two
    prompt: second
MD
	cat >hb-run.ini <<INI
[agent.alpha]
agent_turn = $WS/alpha.sh
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[[ "$output" == *"=== one ==="*"from alpha"* ]]
	[[ "$output" == *"=== two ==="*"reply from two"* ]]
	[ "$(tpl_seen one HB_AGENT)" = alpha ]
	[ "$(seen two HB_AGENT)" = default ]	# the flat keys' agent (helpers: fixtures/agent.sh)
	[ "$(py '[e["agent"] for e in L]')" = '["alpha", "default"]' ]
}

@test "named agents: [agent] default picks the default agent; -o agent.NAME.key defines one" {
	named_agent "$WS/alpha.sh" alpha
	named_agent "$WS/beta.sh" beta
	heartbeat <<'MD'
tasks:
  - name: one
    prompt: first
  - name: two
    agent: default
    prompt: second
  - name: three
    agent: beta
    prompt: third
MD
	cat >hb-run.ini <<INI
[agent]
default = alpha
[agent.alpha]
agent_turn = $WS/alpha.sh
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00" -o "agent.beta.agent_turn=$WS/beta.sh"
	[ "$status" -eq 0 ]
	[ "$(tpl_seen one HB_AGENT)" = alpha ]
	[ "$(tpl_seen two HB_AGENT)" = alpha ]
	[ "$(tpl_seen three HB_AGENT)" = beta ]
	[[ "$output" == *"=== three ==="*"from beta"* ]]
	[ "$(runs_of)" -eq 0 ]		# the flat agent ran nothing

	# HB_AGENT_DEFAULT is the flat key's variable, over the file
	HB_AGENT_DEFAULT=beta run --separate-stderr hb_at "2026-01-05 10:00:00" \
	    -o "agent.beta.agent_turn=$WS/beta.sh"
	[ "$status" -eq 0 ]
	[ "$(tpl_seen one HB_AGENT)" = beta ]
}

@test "flat keys: [agent] agent_turn and system_event still run every task, as agent 'default'" {
	named_agent "$WS/turn.sh" turn
	named_agent "$WS/event.sh" event
	heartbeat <<'MD'
tasks:
  - name: t
    prompt: a turn
  - name: e
    type: systemEvent
    prompt: an event
MD
	unset HB_AGENT_AGENT_TURN HB_AGENT_SYSTEM_EVENT
	cat >hb-run.ini <<INI
[agent]
agent_turn = $WS/turn.sh
system_event = $WS/event.sh
model = m-flat
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[[ "$output" == *"from turn"*"from event"* ]]
	[ "$(tpl_seen t HB_AGENT)" = default ]
	[ "$(tpl_seen e HB_AGENT)" = default ]
	[ "$(tpl_seen t HB_MODEL)" = m-flat ]
	# the environment overrides the flat keys as before
	HB_AGENT_AGENT_TURN="$WS/event.sh" run --separate-stderr hb_at "2026-01-05 10:00:00" t
	[ "$status" -eq 0 ]
	[[ "$output" == *"from event"* ]]
}

@test "unknown agent in a task: HEARTBEAT.md:LINE, exit 2; the other tasks run" {
	heartbeat <<'MD'
tasks:
  - name: good
    prompt: fine
  - name: bad
    interval: 30m
    agent: nosuch
    prompt: never
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:6: unknown agent 'nosuch'"* ]]
	[ "$(runs_of good)" -eq 1 ]
	[ "$(runs_of bad)" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:6: unknown agent 'nosuch'"* ]]
}

@test "agent configuration errors: hb-run.ini:LINE, exit 2, nothing runs" {
	heartbeat <<'MD'
tasks:
  - name: a
    prompt: p
MD
	cat >hb-run.ini <<'INI'
[agent]
default = nosuch

[agent.local]
api = gemini
url = ftp://127.0.0.1/v1

[agent.mixed]
api = openai
agent_turn = x.sh
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:2: agent.default: no agent named 'nosuch'"* ]]
	[[ "$stderr" == *"hb-run.ini:5: bad agent.local.api 'gemini'"* ]]
	[[ "$stderr" == *"hb-run.ini:6: bad agent.local.url"* ]]
	[[ "$stderr" == *"hb-run.ini:10: agent.mixed.agent_turn applies to command agents"* ]]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
}

@test "check: every agent in use: missing and unexecutable templates, a CLI not on PATH" {
	agent_script "$WS/needs.sh" <<'EOF'
# hb-run-requires: hbt-no-such-cli
echo hi
EOF
	printf '#!/bin/sh\necho hi\n' >"$WS/noexec.sh"
	heartbeat <<'MD'
tasks:
  - name: a
    agent: gone
    prompt: p
  - name: b
    agent: noexec
    prompt: p
  - name: c
    agent: needs
    type: systemEvent
    prompt: p
  - name: d
    prompt: p
MD
	cat >hb-run.ini <<INI
[agent.gone]
agent_turn = $WS/missing.sh

[agent.noexec]
agent_turn = $WS/noexec.sh

[agent.needs]
system_event = $WS/needs.sh

[agent.unused]
agent_turn = $WS/also-missing.sh
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:2: agent.gone.agent_turn: agent template $WS/missing.sh not found"* ]]
	[[ "$stderr" == *"hb-run.ini:5: agent.noexec.agent_turn: agent template $WS/noexec.sh is not executable"* ]]
	[[ "$stderr" == *"hb-run.ini:8: agent.needs.system_event: agent template $WS/needs.sh needs 'hbt-no-such-cli', which is not on PATH"* ]]
	[[ "$stderr" != *also-missing* ]]	# an agent no task uses is not checked
	[ "$(runs_of)" -eq 0 ]
}

@test "check: HTTP agents: an unset key_env, a key_file open to others or missing, a missing helper" {
	heartbeat <<'MD'
tasks:
  - name: a
    agent: local
    prompt: p
  - name: b
    agent: cloud
    prompt: p
  - name: c
    agent: other
    prompt: p
MD
	echo secret >"$WS/key"
	chmod 644 "$WS/key"
	cat >hb-run.ini <<INI
[runner]
http_helper = $WS/no-helper

[agent.local]
api = openai
url = http://127.0.0.1:8080/v1
key_env = HBT_UNSET_KEY

[agent.cloud]
api = anthropic
key_file = $WS/key

[agent.other]
api = anthropic
key_file = $WS/no-key
INI
	unset HBT_UNSET_KEY
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:7: agent.local.key_env: the variable HBT_UNSET_KEY is not set"* ]]
	[[ "$stderr" == *"hb-run.ini:11: agent.cloud.key_file: $WS/key is open to others (mode 0644)"* ]]
	[[ "$stderr" == *"hb-run.ini:15: agent.other.key_file: $WS/no-key: No such file"* ]]
	[[ "$stderr" == *"agent local is an HTTP agent, but its helper $WS/no-helper"*missing* ]]

	# all set right: no problems
	chmod 600 "$WS/key"
	echo secret >"$WS/no-key"
	chmod 600 "$WS/no-key"
	HBT_UNSET_KEY=x run --separate-stderr hb_at "2026-01-05 09:00:00" \
	    -o "runner.http_helper=$FAKE_HTTP" check
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "dangerous: HB_DANGEROUS=1 for the task, 0 otherwise; marked in status, the log and -v" {
	heartbeat <<'MD'
tasks:
  - name: risky
    dangerous: true
    prompt: do it
  - name: safe
    prompt: look only
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00" -v
	[ "$status" -eq 0 ]
	[ "$(seen risky HB_DANGEROUS)" = 1 ]
	[ "$(seen safe HB_DANGEROUS)" = 0 ]
	[[ "$stderr" == *"note: risky: dangerous: agent default runs it in its unattended permission mode"* ]]
	[[ "$stderr" != *"safe: dangerous"* ]]
	[ "$(py '[e.get("dangerous") for e in L]')" = '[true, null]' ]
	run --separate-stderr hb_at "2026-01-05 09:01:00" status
	[ "$status" -eq 0 ]
	[[ "$(grep '^risky ' <<<"$output")" == *"agentTurn!"* ]]
	[[ "$(grep '^safe ' <<<"$output")" != *"!"* ]]
	run --separate-stderr hb_at "2026-01-05 09:01:00" status --json
	[ "$(printf '%s' "$output" | "$HBT_PY" -c 'import json,sys; print([t["dangerous"] for t in json.load(sys.stdin)])')" = "[True, False]" ]
}

@test "usage: a claude-json agent's tokens and cost go to the log, the state, status and log" {
	agent_script "$WS/cj.sh" <<EOF
cat >/dev/null
$(declare -f claude_result)
claude_result false "Disk 93% full on /srv"
EOF
	heartbeat <<'MD'
tasks:
  - name: disk
    agent: cj
    prompt: check the disk
MD
	cat >hb-run.ini <<INI
[agent.cj]
agent_turn = $WS/cj.sh
output = claude-json
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '=== disk ===\nDisk 93%% full on /srv')" ]	# the reply, not the JSON
	[ -z "$stderr" ]
	[ "$(py 'L[-1]["input_tokens"], L[-1]["output_tokens"], L[-1]["cost_usd"]')" = "[15734, 12, 0.0123]" ]
	[ "$(py 'L[-1]["cached_input_tokens"]')" = 14210 ]
	[ "$(py 'L[-1]["reply"]')" = "Disk 93% full on /srv" ]
	[ "$(py 'L[-1]["agent"]')" = cj ]
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ]
	[ "$(py 'S["disk"]["last_input_tokens"], S["disk"]["last_output_tokens"], S["disk"]["last_cost_usd"]')" = "[15734, 12, 0.0123]" ]
	[ "$(py 'S["disk"]["tokens_in"], S["disk"]["tokens_out"], round(S["disk"]["cost_usd"], 6)')" = "[31468, 24, 0.0246]" ]
	run --separate-stderr hb_at "2026-01-05 09:31:00" status
	# the second run's reply is the first one's text: a duplicate, not delivered again
	[[ "$output" == *"disk "*cj*"ok, duplicate"*"15734/12 tokens, \$0.0123"* ]]
	run --separate-stderr hb_at "2026-01-05 09:31:00" status --json
	[ "$(printf '%s' "$output" | "$HBT_PY" -c 'import json,sys; t=json.load(sys.stdin)[0]; print(t["agent"], t["last_input_tokens"], t["tokens_in"], round(t["cost_usd"], 6))')" = "cj 15734 31468 0.0246" ]
	run --separate-stderr hb_at "2026-01-05 09:31:00" log -n 1
	[[ "$output" == *"disk"*"15734/12 tokens \$0.0123"* ]]
}

@test "usage: prices turn a codex-json agent's tokens into a cost; without them the cost is unknown" {
	agent_script "$WS/cx.sh" <<'EOF'
cat >/dev/null
echo '{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}'
echo '{"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"HEARTBEAT_OK"}}'
echo '{"type":"turn.completed","usage":{"input_tokens":2000000,"cached_input_tokens":1000,"output_tokens":100000}}'
EOF
	heartbeat <<'MD'
tasks:
  - name: priced
    agent: cx
    prompt: p
  - name: free
    agent: cx2
    prompt: p
MD
	cat >hb-run.ini <<INI
[agent.cx]
agent_turn = $WS/cx.sh
output = codex-json
price_in = 1.25
price_out = 10
[agent.cx2]
agent_turn = $WS/cx.sh
output = codex-json
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ -z "$output" ]		# HEARTBEAT_OK, suppressed
	[ "$(py 'L[0]["cost_usd"], L[0]["input_tokens"], L[0]["output_tokens"]')" = "[3.5, 2000000, 100000]" ]
	[ "$(py '"cost_usd" in L[1], L[1]["input_tokens"]')" = "[false, 2000000]" ]
	[ "$(py '"last_cost_usd" in S["free"]')" = false ]
}

@test "an agent that reports an error (is_error) fails the run with its message; nothing is delivered" {
	agent_script "$WS/cj.sh" <<EOF
cat >/dev/null
$(declare -f claude_result)
claude_result true "Invalid API key · Please run /login"
EOF
	heartbeat <<'MD'
tasks:
  - name: t
    agent: cj
    prompt: p
MD
	printf '[agent.cj]\nagent_turn = %s\noutput = claude-json\n' "$WS/cj.sh" >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"t: agent cj reported an error: Invalid API key · Please run /login"* ]]
	[ "$(py 'S["t"]["last_status"], S["t"]["consecutive_errors"]')" = '["error", 1]' ]
	[ "$(py 'L[-1]["status"]')" = error ]
	[[ "$(py 'L[-1]["note"]')" == *"reported an error: Invalid API key"* ]]
	[ "$(py 'L[-1]["cost_usd"]')" = 0.0123 ]		# it still cost what it cost
}

@test "output that is not the agent's format is delivered as text, with a warning" {
	agent_script "$WS/cj.sh" <<'EOF'
cat >/dev/null
echo "Error: something odd, and no JSON"
EOF
	heartbeat <<'MD'
tasks:
  - name: t
    agent: cj
    prompt: p
MD
	printf '[agent.cj]\nagent_turn = %s\noutput = claude-json\n' "$WS/cj.sh" >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '=== t ===\nError: something odd, and no JSON')" ]
	[[ "$stderr" == *"warning: t: agent cj: its output is not claude-json"*"delivered as text"* ]]
	[[ "$(py 'L[-1]["note"]')" == *"not claude-json"* ]]
	[ "$(py 'L[-1]["reply_verdict"]')" = delivered ]
}

@test "agent session: a codex-json systemEvent's thread id is kept per agent and handed back as HB_AGENT_SESSION" {
	agent_script "$WS/cx.sh" <<'EOF'
cat >/dev/null
env | grep '^HB_' | sort >"$HB_WORKSPACE/cx.$HB_TASK.$(ls "$HB_WORKSPACE" | grep -c "^cx\.$HB_TASK\.")"
if [ -n "$HB_AGENT_SESSION" ]; then id=$HB_AGENT_SESSION; else id=thread-$HB_TASK-1; fi
echo "{\"type\":\"thread.started\",\"thread_id\":\"$id\"}"
echo '{"type":"item.completed","item":{"type":"agent_message","text":"HEARTBEAT_OK"}}'
EOF
	heartbeat <<'MD'
tasks:
  - name: ev
    type: systemEvent
    agent: cx
    prompt: an event
  - name: turn
    agent: cx
    prompt: a turn
MD
	printf '[agent.cx]\nagent_turn = %s\noutput = codex-json\n' "$WS/cx.sh" >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	grep -qx 'HB_AGENT_SESSION=' "$WS/cx.ev.0"
	[ "$(py 'S["_sessions"]["main"]["agent_sessions"]')" = '{"cx": "thread-ev-1"}' ]
	[ "$(py 'L[0]["agent_session"]')" = thread-ev-1 ]
	run --separate-stderr hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ]
	grep -qx 'HB_AGENT_SESSION=thread-ev-1' "$WS/cx.ev.1"
	grep -qx 'HB_SESSION_NEW=0' "$WS/cx.ev.1"
	# an agentTurn has no history: no agent session in, none kept
	grep -qx 'HB_AGENT_SESSION=' "$WS/cx.turn.1"
	[ "$(py 'S["_sessions"]["main"]["agent_sessions"]')" = '{"cx": "thread-ev-1"}' ]
}

@test "HTTP agent: the helper runs with the HB_HTTP_ settings; usage recorded; a systemEvent gets a private transcript" {
	heartbeat <<'MD'
tasks:
  - name: ask
    agent: local
    timeout: 2m
    prompt: anything new?
  - name: talk
    agent: local
    type: systemEvent
    model: qwen3-8b
    prompt: go on
MD
	cat >hb-run.ini <<INI
[runner]
http_helper = $FAKE_HTTP

[agent.local]
api = openai
url = http://127.0.0.1:8080/v1
model = qwen3-0.6b
key_env = HBT_MODEL_KEY
system_prompt = You are woken by a heartbeat.
max_tokens = 300
temperature = 0.2
stall_timeout = 90s
price_in = 0.5
price_out = 2
INI
	local t0
	t0=$(epoch "2026-01-05 09:00:00")
	HBT_MODEL_KEY=hbt-secret-value-123 run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[[ "$output" == *"=== ask ==="*"HB_HTTP_API=openai"* ]]
	local env="$WS/http/ask.1.env" sid
	grep -qx 'HB_HTTP_API=openai' "$env"
	grep -qx 'HB_HTTP_URL=http://127.0.0.1:8080/v1' "$env"
	grep -qx 'HB_HTTP_MODEL=qwen3-0.6b' "$env"
	grep -qx 'HB_MODEL=qwen3-0.6b' "$env"
	grep -qx 'HB_HTTP_KEY_ENV=HBT_MODEL_KEY' "$env"
	grep -qx 'HBT_MODEL_KEY=hbt-secret-value-123' "$env"	# the key's variable reaches it
	grep -qx 'HB_HTTP_SYSTEM_PROMPT=You are woken by a heartbeat.' "$env"
	grep -qx 'HB_HTTP_MAX_TOKENS=300' "$env"
	grep -qx 'HB_HTTP_TEMPERATURE=0.2' "$env"
	grep -qx 'HB_HTTP_STALL_TIMEOUT=90' "$env"
	grep -qx 'HB_HTTP_PRICE_IN=0.5' "$env"
	grep -qx 'HB_HTTP_PRICE_OUT=2' "$env"
	grep -qx 'HB_HTTP_TRANSCRIPT=' "$env"
	grep -qx 'HB_HTTP_TURN_LEN=0' "$env"
	grep -qx 'HB_AGENT=local' "$env"
	grep -qx 'HB_DANGEROUS=0' "$env"
	grep -q '^HB_PROMPT_FILE=' "$env"
	[ "$(cat "$WS/http/ask.1.stdin")" = "anything new?" ]
	# the deadline: the run's 2 minutes from its start, less a margin
	local deadline
	deadline=$(sed -n 's/^HB_HTTP_DEADLINE=//p' "$env")
	[ "$deadline" -gt $(( (t0 + 100) * 1000 )) ]
	[ "$deadline" -le $(( (t0 + 125) * 1000 )) ]
	# the systemEvent: its model, and the main session's transcript
	sid=$(py 'S["_sessions"]["main"]["id"]')
	grep -qx 'HB_HTTP_MODEL=qwen3-8b' "$WS/http/talk.1.env"
	grep -qx "HB_HTTP_TRANSCRIPT=$WS/.heartbeat-sessions/$sid.jsonl" "$WS/http/talk.1.env"
	grep -qx 'HB_HTTP_TURN_LEN=5' "$WS/http/talk.1.env"	# "go on": the context is not kept
	[ "$(stat -c %a "$WS/.heartbeat-sessions")" = 700 ]
	[ "$(stat -c %a "$WS/.heartbeat-sessions/$sid.jsonl")" = 600 ]
	[ "$(wc -l <"$WS/.heartbeat-sessions/$sid.jsonl")" -eq 2 ]
	# usage as the helper said it; the key nowhere in what hb-run keeps
	[ "$(py 'L[0]["input_tokens"], L[0]["output_tokens"], L[0]["cost_usd"], L[0]["model"]')" = '[812, 25, 0.0004, "qwen3-0.6b"]' ]
	[ "$(py 'S["talk"]["tokens_in"]')" = 812 ]
	refute grep -q hbt-secret-value .heartbeat-log.jsonl .heartbeat-state.json
	# the next systemEvent goes on in the same transcript
	HBT_MODEL_KEY=k run --separate-stderr hb_at "2026-01-05 09:30:00" talk
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$WS/.heartbeat-sessions/$sid.jsonl")" -eq 4 ]
}

@test "HTTP agent: a failing helper fails the run with its message; a missing helper is an error" {
	heartbeat <<'MD'
tasks:
  - name: ask
    agent: local
    prompt: p
MD
	printf '[runner]\nhttp_helper = %s\n[agent.local]\napi = openai\nurl = http://127.0.0.1:8080/v1\n' \
	    "$FAKE_HTTP" >hb-run.ini
	echo 1 >http.exit
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ask: the agent failed with exit status 1"* ]]
	[[ "$stderr" == *"429 Too Many Requests (rate_limit_error: slow down)"* ]]
	[ "$(py 'L[-1]["status"]')" = error ]
	rm http.exit
	run --separate-stderr hb_at "2026-01-05 10:00:00" -o "runner.http_helper=$WS/none"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ask: agent local: the HTTP helper $WS/none is missing"* ]]
	[ "$(py 'L[-1]["status"]')" = error ]
}
