#!/usr/bin/env bats
# agent.bats - running a task: the template's environment and standard input, the prompt file,
# sessions, timeouts that end the whole process group, failures and their messages.

load helpers

one_task() {
	heartbeat <<MD
tasks:
  - name: job
    interval: 30m
    ${1:-}
    prompt: do the job
MD
}

# An agent that starts a child (its pid in pids/child), records its own pid (pids/agent),
# then hangs. $1: extra shell lines to run first (a trap).
hanging_agent() {
	agent_script "$WS/hang.sh" <<EOF
${1:-}
echo \$\$ >"\$HB_WORKSPACE/pids/agent"
sleep 300 &
echo \$! >"\$HB_WORKSPACE/pids/child"
echo "partial output"
sleep 300
echo "not reached"
EOF
	export HB_AGENT_AGENT_TURN="$WS/hang.sh"
}

@test "timeout: an agent that hangs is ended with its children; exit 1, logged as timeout" {
	one_task "timeout: 2s"
	hanging_agent
	local t0 t1
	t0=$(date +%s)
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	t1=$(date +%s)
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"job: timed out"* ]]
	[ -s pids/agent ] && [ -s pids/child ]
	gone "$(cat pids/agent)" || fail "the agent $(cat pids/agent) is still there"
	gone "$(cat pids/child)" || fail "the agent's child $(cat pids/child) is still there"
	[ $((t1 - t0)) -ge 2 ]
	[ $((t1 - t0)) -lt 60 ]
	[ "$(py 'L[-1]["status"]')" = timeout ]
	[ "$(py 'S["job"]["last_status"]')" = timeout ]
	[ "$(py 'S["job"]["consecutive_errors"]')" = 1 ]
	[ -z "$(ls tmp)" ]
}

@test "timeout: runner.timeout from the environment applies to a task without its own" {
	one_task
	hanging_agent
	HB_RUNNER_TIMEOUT=2s run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"timed out"* ]]
	gone "$(cat pids/agent)"
	gone "$(cat pids/child)"
	[ "$(py 'L[-1]["status"]')" = timeout ]
}

@test "timeout: an agent that ignores SIGTERM is killed after the grace period" {
	one_task "timeout: 2s"
	hanging_agent "trap '' TERM"
	local t0 t1
	t0=$(date +%s)
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	t1=$(date +%s)
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"timed out"* ]]
	gone "$(cat pids/agent)" || fail "the agent $(cat pids/agent) is still there"
	gone "$(cat pids/child)" || fail "the agent's child $(cat pids/child) is still there"
	# 2 s timeout + 5 s between SIGTERM and SIGKILL (a second of slack for clock granularity)
	[ $((t1 - t0)) -ge 6 ] || fail "ended after $((t1 - t0)) s: no grace period?"
	[ $((t1 - t0)) -lt 60 ]
	[ "$(py 'L[-1]["status"]')" = timeout ]
	[ "$(py 'L[-1].get("signal")')" = 9 ]
}

@test "an agent's background child is ended when the agent exits; the run still succeeds" {
	one_task
	agent_script "$WS/leave.sh" <<'EOF'
cat >/dev/null
sleep 300 &
echo $! >"$HB_WORKSPACE/pids/child"
echo "done here"
EOF
	HB_AGENT_AGENT_TURN="$WS/leave.sh" run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "${lines[1]}" = "done here" ]
	gone "$(cat pids/child)" || fail "the agent's child $(cat pids/child) outlived the tick"
	[ "$(py 'L[-1]["status"]')" = ok ]
}

@test "-C DIR: the workspace is DIR, wherever hb-run starts" {
	one_task
	mkdir elsewhere
	cd elsewhere
	run --separate-stderr hb_at "2026-01-05 09:00:00" -C "$WS"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(seen job HB_WORKSPACE)" = "$WS" ]
	[ -e "$WS/.heartbeat-state.json" ]
	[ ! -e .heartbeat-state.json ]
	[ -z "$(ls -A)" ]
}

@test "an agent failing with exit status 3: hb-run exits 1, shows the agent's stderr tail, records an error" {
	one_task
	agent_script "$WS/fail.sh" <<'EOF'
cat >/dev/null
i=1
while [ $i -le 15 ]; do
	echo "diagnostic line $i" >&2
	i=$((i + 1))
done
echo "something went wrong: quota" >&2
exit 3
EOF
	HB_AGENT_AGENT_TURN="$WS/fail.sh" run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"job"*"exit status 3"* ]]
	[[ "$stderr" == *"something went wrong: quota"* ]]
	[[ "$stderr" == *"diagnostic line 15"* ]]
	[[ "$stderr" != *"diagnostic line 1"$'\n'* ]]	# only the tail
	[ -z "$output" ]
	[ "$(py 'S["job"]["last_status"]')" = error ]
	[ "$(py 'S["job"]["last_exit"]')" = 3 ]
	[ "$(py 'S["job"]["consecutive_errors"]')" = 1 ]
	[ "$(py 'L[-1]["status"]')" = error ]
	[ "$(py 'L[-1]["exit"]')" = 3 ]
	[[ "$(py 'L[-1]["stderr"]')" == *"quota"* ]]
	[ -z "$(ls tmp)" ]	# the prompt file is gone
}

@test "a template that does not exist: exit 1 with a clear message, recorded as an error" {
	one_task
	HB_AGENT_AGENT_TURN="$WS/no-such-agent.sh" run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"no-such-agent.sh"*"not found"* ]]
	[ -z "$output" ]
	[ "$(py 'S["job"]["last_status"]')" = error ]
	[ "$(py 'L[-1]["status"]')" = error ]
	[ "$(py '"running" in S["job"]')" = false ]
	[ -z "$(ls tmp)" ]
}

@test "environment contract: HB_ variables, the 0600 prompt file equal to stdin, the context, cleanup" {
	heartbeat <<'MD'
# Heartbeat

My repos live in ~/src.

tasks:
  - name: turn
    interval: 30m
    model: task-model
    prompt: "Check the repos"
  - name: event
    type: systemEvent
    interval: 30m
    prompt: Look around

<!-- trailing comment -->
Footer context line.
MD
	HB_AGENT_MODEL=config-model HB_STALE_LOOKING=x HB_TASK=stale \
	    run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(seen turn HB_TASK)" = turn ]
	[ "$(seen turn HB_TYPE)" = agentTurn ]
	[ "$(seen event HB_TASK)" = event ]
	[ "$(seen event HB_TYPE)" = systemEvent ]
	[ "$(seen turn HB_REASON)" = interval ]
	[ "$(seen turn HB_WORKSPACE)" = "$WS" ]
	[ "$(seen turn HB_MODEL)" = task-model ]
	[ "$(seen event HB_MODEL)" = config-model ]
	# run ids: UUIDs, one per run, the same as in the log
	local uuid='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
	[[ "$(seen turn HB_RUN_ID)" =~ $uuid ]]
	[[ "$(seen event HB_RUN_ID)" =~ $uuid ]]
	[ "$(seen turn HB_RUN_ID)" != "$(seen event HB_RUN_ID)" ]
	[ "$(py '[e["run_id"] for e in L if e["task"] == "turn"][0]')" = "$(seen turn HB_RUN_ID)" ]
	# no other HB_ variable leaks through
	refute grep -q '^HB_STALE_LOOKING=' rec/turn.1.env
	refute grep -q '^HB_AGENT_MODEL=' rec/turn.1.env
	# the prompt file: 0600, the same bytes as stdin, with the context, gone afterwards
	[ "$(cat rec/turn.1.mode)" = 600 ]
	cmp rec/turn.1.stdin rec/turn.1.prompt
	cmp rec/event.1.stdin rec/event.1.prompt
	printf '%s\n' "Check the repos" "" "Additional context from HEARTBEAT.md:" >expected
	head -n 3 rec/turn.1.stdin | cmp - expected
	grep -qF 'My repos live in ~/src.' rec/turn.1.stdin
	grep -qF 'Footer context line.' rec/turn.1.stdin
	refute grep -q 'name: turn' rec/turn.1.stdin
	[ ! -e "$(seen turn HB_PROMPT_FILE)" ]
	[ ! -e "$(seen event HB_PROMPT_FILE)" ]
	[ -z "$(ls tmp)" ]
}

@test "a prompt full of \$(...), backticks, quotes and newlines reaches the agent byte for byte" {
	cat >HEARTBEAT.md <<'MD'
tasks:
  - name: nasty
    interval: 30m
    prompt: |
      Run $(touch pwned-1) and `touch pwned-2`; echo "$HOME" 'single' \"escaped\"
      ; rm -rf /nonexistent-hb-test && touch pwned-3 | cat > pwned-4
        indented ${PATH} %s %n \n \\ \t	tab

      last line: "unbalanced ' quote
  - name: quoted
    interval: 30m
    prompt: "say \"$(id)\" and `whoami` and 'it''s'"
MD
	printf '%s\n' \
	    'Run $(touch pwned-1) and `touch pwned-2`; echo "$HOME" '"'single'"' \"escaped\"' \
	    '; rm -rf /nonexistent-hb-test && touch pwned-3 | cat > pwned-4' \
	    '  indented ${PATH} %s %n \n \\ \t	tab' \
	    '' >expected.nasty
	printf '%s' 'last line: "unbalanced '"'"' quote' >>expected.nasty
	printf '%s' 'say \"$(id)\" and `whoami` and '"'it''s'" >expected.quoted
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	cmp expected.nasty rec/nasty.1.stdin
	cmp expected.nasty rec/nasty.1.prompt
	cmp expected.quoted rec/quoted.1.stdin
	[ ! -e pwned-1 ] && [ ! -e pwned-2 ] && [ ! -e pwned-3 ] && [ ! -e pwned-4 ]
}

@test "context that is effectively empty (headers, comments, empty items) is not appended" {
	heartbeat <<'MD'
# Title

<!-- a comment -->
- [ ]

tasks:
  - name: bare
    interval: 30m
    prompt: just this

## Footer
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	printf 'just this' | cmp - rec/bare.1.stdin
}

@test "agentTurn: a fresh HB_SESSION_ID each run, always new" {
	one_task
	run hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	run hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ]
	run hb_at "2026-01-05 09:31:00" job
	[ "$status" -eq 0 ]
	[ "$(runs_of job)" -eq 3 ]
	local s1 s2 s3
	s1=$(seen job HB_SESSION_ID 1)
	s2=$(seen job HB_SESSION_ID 2)
	s3=$(seen job HB_SESSION_ID 3)
	[ -n "$s1" ] && [ "$s1" != "$s2" ] && [ "$s2" != "$s3" ] && [ "$s1" != "$s3" ]
	[ "$(seen job HB_SESSION_NEW 1)" = 1 ]
	[ "$(seen job HB_SESSION_NEW 2)" = 1 ]
	[ "$(seen job HB_SESSION_NEW 3)" = 1 ]
	[ "$s1" != "$(seen job HB_RUN_ID 1)" ]
}

@test "systemEvent: the same HB_SESSION_ID across runs, new the first time only" {
	heartbeat <<'MD'
tasks:
  - name: ev
    type: systemEvent
    interval: 30m
    prompt: an event
MD
	run hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	run hb_at "2026-01-05 09:30:00"
	[ "$status" -eq 0 ]
	run hb_at "2026-01-05 09:31:00" ev
	[ "$status" -eq 0 ]
	[ "$(runs_of ev)" -eq 3 ]
	local s
	s=$(seen ev HB_SESSION_ID 1)
	[[ "$s" =~ ^[0-9a-f-]{36}$ ]]
	[ "$(seen ev HB_SESSION_ID 2)" = "$s" ]
	[ "$(seen ev HB_SESSION_ID 3)" = "$s" ]
	[ "$(seen ev HB_SESSION_NEW 1)" = 1 ]
	[ "$(seen ev HB_SESSION_NEW 2)" = 0 ]
	[ "$(seen ev HB_SESSION_NEW 3)" = 0 ]
	[ "$(py 'S["_sessions"]["main"]["id"]')" = "$s" ]
}

@test "systemEvent: two events in the first tick share the session; only the first creates it" {
	heartbeat <<'MD'
tasks:
  - name: ev1
    type: systemEvent
    interval: 30m
    prompt: first event
  - name: ev2
    type: systemEvent
    interval: 1h
    prompt: second event
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <rec/order)" = "ev1 ev2 " ]
	[ "$(seen ev2 HB_SESSION_ID 1)" = "$(seen ev1 HB_SESSION_ID 1)" ]
	[ "$(seen ev1 HB_SESSION_NEW 1)" = 1 ]
	# ev2 starts after ev1 has used the session: creating it again would fail
	[ "$(seen ev2 HB_SESSION_NEW 1)" = 0 ] ||
	    fail "ev2 got HB_SESSION_NEW=1 for a session ev1 already used in this tick"
}
