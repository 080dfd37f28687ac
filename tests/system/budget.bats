#!/usr/bin/env bats
# budget.bats - daily budgets: [budget] daily_tokens and daily_cost per workspace, budget:
# per task. Spending comes from what the agents report (the claude CLI's total_cost_usd,
# through a fake claude on the PATH run by the shipped template; the tokens a real llama.cpp
# server counts). Reached: no agent runs until the next local day of [runner] timezone, the
# task stays due, one alert a day says so, the skip is logged once; status shows spent and
# left. Local midnight in Berlin, and its 23 h and 25 h days.

load helpers

MODEL="$BATS_TEST_DIRNAME/../data/llama-2-tiny-random.gguf"
LLAMA_PACKAGES="$BATS_TEST_DIRNAME/../agents/llama"

# A fake claude CLI on the PATH: it insists on --output-format json, counts its starts in
# $WS/starts, and prints a result costing $COST (a file, default 0.30) with 100 input and
# 20 output tokens.
fake_claude() {
	mkdir -p "$WS/bin"
	agent_script "$WS/bin/claude" <<'SH'
cat >/dev/null
case " $* " in *" --output-format json "*) ;; *) echo "fake claude: no json: $*" >&2; exit 2 ;; esac
echo "$HB_TASK" >>"$HB_WORKSPACE/starts"
n=$(wc -l <"$HB_WORKSPACE/starts")
cost=$(cat "$HB_WORKSPACE/cost" 2>/dev/null || echo 0.30)
printf '{"type":"result","subtype":"success","is_error":false,"result":"report %s from %s","total_cost_usd":%s,"usage":{"input_tokens":100,"output_tokens":20}}\n' "$n" "$HB_TASK" "$cost"
SH
	export PATH="$WS/bin:$PATH"
}

starts() {
	if [ -f "$WS/starts" ]; then wc -l <"$WS/starts" | tr -d ' '; else echo 0; fi
}

one_task() {
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 30m
    prompt: Look around
MD
}

# tick TIME: a tick at TIME (UTC) that must exit 0.
tick() {
	run --separate-stderr hb_at "$@"
	[ "$status" -eq 0 ] || fail "tick at $1: exit $status: $stderr"
}

@test "budget: daily_cost from the claude CLI's cost: one alert, the task stays due, status shows spent and left, the next local day runs" {
	fake_claude
	one_task
	printf '[runner]\ntimezone = Europe/Berlin\n[agent]\ndefault = claude\n[budget]\ndaily_cost = $0.50\n' >hb-run.ini
	tick "2026-12-01 21:00:00"			# 22:00 in Berlin
	[[ "$output" == *"report 1 from a"* ]]
	tick "2026-12-01 21:30:00"
	[[ "$output" == *"report 2 from a"* ]]
	[ "$(py 'S["_budget"]["day"], round(S["_budget"]["cost"], 6), S["_budget"]["tokens"]')" = '["2026-12-01", 0.6, 240]' ]
	# reached: no agent, one alert through the default targets (stdout), the skip logged
	tick "2026-12-01 22:00:00"
	[ "$(starts)" -eq 2 ]
	[ "$(grep -c '^===' <<<"$output")" -eq 1 ]
	[[ "$output" == *"=== hb-run: budget reached ==="* ]]
	[[ "$output" == *'The daily budget of this workspace is reached: $0.6000 of $0.50 spent on 2026-12-01. No agent runs until 2026-12-02 00:00'* ]]
	[ "$(py 'L[-1]["status"], L[-1]["task"]')" = '["over_budget", "a"]' ]
	[ "$(py 'L[-1]["deliveries"][0]["result"]')" = delivered ]
	[ "$(py 'S["a"]["runs"], S["a"].get("running", False)')" = '[2, false]' ]
	# said once: the next ticks of the day run nothing, print nothing, log nothing
	tick "2026-12-01 22:30:00"
	[ -z "$output" ]
	tick "2026-12-01 22:59:00"
	[ -z "$output" ]
	[ "$(py 'len(L)')" = 3 ]
	[ "$(starts)" -eq 2 ]
	tick "2026-12-01 22:59:10" -n
	[[ "$output" == *"would run a:"* ]]
	[[ "$output" == *"no agent would start: the workspace's daily budget is reached (\$0.6000 of \$0.50 on 2026-12-01): no agent runs until 2026-12-02 00:00"* ]]
	tick "2026-12-01 22:59:30" status
	[[ "$output" == *'workspace: 240 tokens, $0.6000 of $0.50 ($0.0000 left): reached, no agent runs today'* ]]
	[[ "$output" == *"  over budget  "* ]]
	tick "2026-12-01 22:59:30" status --json
	[ "$(printf '%s' "$output" | "$HBT_PY" -c 'import json,sys; b=json.load(sys.stdin)[0]["budget"]; print(b["day"], b["workspace"]["cost_spent"], b["workspace"]["cost_left"], b["workspace"]["reached"])')" = "2026-12-01 0.6 0 True" ]
	# local midnight (23:00 UTC): a new day, the due task runs
	tick "2026-12-01 23:00:00"
	[[ "$output" == *"report 3 from a"* ]]
	[ "$(py 'S["_budget"]["day"], round(S["_budget"]["cost"], 6)')" = '["2026-12-02", 0.3]' ]
	tick "2026-12-01 23:00:30" status
	[[ "$output" == *'workspace: 120 tokens, $0.3000 of $0.50 ($0.2000 left)'* ]]
}

@test "budget: Berlin's 23-hour day ends at 22:00 UTC, its 25-hour day at 23:00 UTC" {
	fake_claude
	one_task
	printf '[runner]\ntimezone = Europe/Berlin\n[agent]\ndefault = claude\n[budget]\ndaily_tokens = 100\n' >hb-run.ini
	# 2026-03-29: 00:00 CET is 23:00 UTC the day before; the next midnight is 22:00 UTC
	tick "2026-03-28 23:30:00"
	[ "$(starts)" -eq 1 ]
	[ "$(py 'S["_budget"]["day"], S["_budget"]["tokens"]')" = '["2026-03-29", 120]' ]
	tick "2026-03-29 21:59:00"			# 23:59 CEST
	[ "$(starts)" -eq 1 ]
	[[ "$output" == *"120 tokens of 100 spent on 2026-03-29. No agent runs until 2026-03-30 00:00"* ]]
	tick "2026-03-29 22:00:00"			# 00:00 CEST, March 30
	[ "$(starts)" -eq 2 ]
	[ "$(py 'S["_budget"]["day"]')" = 2026-03-30 ]
	# 2026-10-25: 00:00 CEST is 22:00 UTC the day before; the next midnight is 23:00 UTC
	tick "2026-10-24 22:30:00"
	[ "$(starts)" -eq 3 ]
	[ "$(py 'S["_budget"]["day"]')" = 2026-10-25 ]
	tick "2026-10-25 22:59:00"			# 23:59 CET
	[ "$(starts)" -eq 3 ]
	[[ "$output" == *"spent on 2026-10-25"* ]]
	tick "2026-10-25 23:00:00"
	[ "$(starts)" -eq 4 ]
	[ "$(py 'S["_budget"]["day"]')" = 2026-10-26 ]
}

@test "budget: a task's own budget stops that task only; its alert names it, once" {
	fake_claude
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 30m
    budget: $0.50
    prompt: Look around
  - name: b
    interval: 30m
    prompt: Look elsewhere
MD
	printf '[agent]\ndefault = claude\n' >hb-run.ini
	tick "2026-01-05 09:00:00"
	tick "2026-01-05 09:30:00"
	[ "$(grep -c '^a$' "$WS/starts")" -eq 2 ]
	tick "2026-01-05 10:00:00"
	[ "$(grep -c '^a$' "$WS/starts")" -eq 2 ]
	[ "$(grep -c '^b$' "$WS/starts")" -eq 3 ]
	[[ "$output" == *'Task a reached its daily budget: $0.6000 of $0.50 spent on 2026-01-05'* ]]
	tick "2026-01-05 10:30:00"
	[ "$(grep -c '^b$' "$WS/starts")" -eq 4 ]
	[[ "$output" != *"budget"* ]]
	[ "$(py '[e["task"] for e in L if e["status"] == "over_budget"]')" = '["a"]' ]
	tick "2026-01-05 10:31:00" status
	[[ "$output" == *'a: 240 tokens, $0.6000 of $0.50 ($0.0000 left): reached, its agent does not run today'* ]]
	# the workspace counts every run, the task its own
	[ "$(py 'round(S["_budget"]["cost"], 6), round(S["_budget"]["tasks"]["a"]["cost"], 6)')" = '[1.8, 0.6]' ]
	tick "2026-01-06 00:00:00"
	[ "$(grep -c '^a$' "$WS/starts")" -eq 3 ]
}

@test "budget: a batch counts once against the workspace, and a reached budget skips each of its tasks" {
	fake_claude
	heartbeat <<'MD'
tasks:
  - name: a
    prompt: A
  - name: b
    prompt: B
MD
	printf '[runner]\nbatch = true\n[agent]\ndefault = claude\n[budget]\ndaily_cost = 0.25\n' >hb-run.ini
	tick "2026-01-05 09:00:00"
	[ "$(starts)" -eq 1 ]
	[ "$(py 'round(S["_budget"]["cost"], 6), S["_budget"]["tokens"]')" = '[0.3, 120]' ]
	tick "2026-01-05 09:30:00"
	[ "$(starts)" -eq 1 ]
	[ "$(py '[e["task"] for e in L if e["status"] == "over_budget"]')" = '["a", "b"]' ]
	[ "$(grep -c '^===' <<<"$output")" -eq 1 ]
}

@test "budget: daily_tokens with the token counts of a real llama.cpp server" {
	command -v node >/dev/null || skip "node is not installed"
	[ -f "$LLAMA_PACKAGES/node_modules/node-llama-cpp/package.json" ] ||
	    skip "node-llama-cpp is not installed in tests/agents/llama (make test-deps)"
	node "$HBT_FIXTURES/llama-server.js" "$MODEL" "$WS/port" "$WS/requests.jsonl" \
	    2>"$WS/server.err" &
	SERVER_PID=$!
	echo "$SERVER_PID" >"$WS/pids/server"
	for _ in $(seq 600); do
		[ -s "$WS/port" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$WS/port" ] || fail "llama-server.js did not start: $(cat "$WS/server.err")"
	heartbeat <<'MD'
tasks:
  - name: ask
    agent: local
    interval: 30m
    prompt: Check the inbox.
MD
	printf '[runner]\nhttp_helper = %s\ntimezone = Europe/Berlin\n[agent.local]\napi = openai\nurl = http://127.0.0.1:%s/v1\nmodel = tiny\n[budget]\ndaily_tokens = 20\n' \
	    "$BATS_TEST_DIRNAME/../../hb-run-http" "$(cat "$WS/port")" >hb-run.ini
	tick "2026-12-01 21:00:00"
	[ "$(wc -l <"$WS/requests.jsonl")" -eq 1 ]
	spent=$(py 'L[0]["input_tokens"] + L[0]["output_tokens"]')
	[ "$spent" -gt 20 ]
	[ "$(py 'S["_budget"]["tokens"]')" = "$spent" ]
	tick "2026-12-01 21:30:00"
	[ "$(wc -l <"$WS/requests.jsonl")" -eq 1 ]		# no request: the budget is spent
	[[ "$output" == *"$spent tokens of 20 spent on 2026-12-01"* ]]
	tick "2026-12-01 23:00:00"			# midnight in Berlin
	[ "$(wc -l <"$WS/requests.jsonl")" -eq 2 ]
	kill "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
}

@test "budget: without budgets the state keeps no figures" {
	fake_claude
	one_task
	printf '[agent]\ndefault = claude\n' >hb-run.ini
	tick "2026-01-05 09:00:00"
	[ "$(py '"_budget" in S')" = false ]
	tick "2026-01-05 09:01:00" status
	[[ "$output" != *"Budget"* ]]
}

@test "check: bad budgets are errors naming file and line" {
	heartbeat <<'MD'
tasks:
  - name: a
    budget: -5
    prompt: p
  - name: b
    budget: lots
    prompt: p
  - name: c
    budget: 50k tokens, $0.50
    prompt: p
MD
	printf '[budget]\ndaily_tokens = -1\ndaily_cost = abc\n[runner]\nbatch = maybe\n' >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:3: bad budget '-5'"* ]]
	[[ "$stderr" == *"HEARTBEAT.md:6: bad budget 'lots'"* ]]
	[[ "$stderr" != *"HEARTBEAT.md:9"* ]]
	[[ "$stderr" == *"hb-run.ini:2: bad budget.daily_tokens '-1'"* ]]
	[[ "$stderr" == *"hb-run.ini:3: bad budget.daily_cost 'abc': expected a cost in USD"* ]]
	[[ "$stderr" == *"hb-run.ini:5: bad runner.batch 'maybe'"* ]]
}
