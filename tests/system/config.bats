#!/usr/bin/env bats
# config.bats - hb-run.ini, the HB_SECTION_KEY environment and -o: errors with file:line,
# and the order defaults < file < environment < command line.

load helpers

one_task() {
	heartbeat <<'MD'
tasks:
  - name: job
    interval: 30m
    prompt: do the job
MD
}

@test "a bad hb-run.ini value: hb-run.ini:LINE, exit 2, nothing runs" {
	one_task
	cat >hb-run.ini <<'INI'
[runner]
timeout = 10m
catchup_max = lots
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:3:"*catchup_max* ]]
	[ -z "$output" ]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
	[ ! -e .heartbeat-log.jsonl ]
}

@test "hb-run.ini: an unknown key, a bad duration and a syntax error are all reported with their lines" {
	one_task
	cat >hb-run.ini <<'INI'
; comment
[runner]
timeout = 0
colour = blue

[agent]
this line is not an assignment
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:3:"*timeout* ]]
	[[ "$stderr" == *"hb-run.ini:4:"*colour* ]]
	[[ "$stderr" == *"hb-run.ini:7:"* ]]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
}

@test "overrides: -o beats the environment, which beats hb-run.ini" {
	one_task
	cat >hb-run.ini <<'INI'
[agent]
model = file-model
INI
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(seen job HB_MODEL)" = file-model ]

	HB_AGENT_MODEL=env-model run --separate-stderr hb_at "2026-01-05 09:01:00" job
	[ "$status" -eq 0 ]
	[ "$(seen job HB_MODEL)" = env-model ]

	HB_AGENT_MODEL=env-model run --separate-stderr hb_at "2026-01-05 09:02:00" \
	    -o agent.model=opt-model job
	[ "$status" -eq 0 ]
	[ "$(seen job HB_MODEL)" = opt-model ]

	run --separate-stderr hb_at "2026-01-05 09:03:00" -o agent.model=opt-model job
	[ "$status" -eq 0 ]
	[ "$(seen job HB_MODEL)" = opt-model ]
	[ "$(runs_of job)" -eq 4 ]
}

@test "overrides: the agent template from the file, the environment and -o" {
	one_task
	unset HB_AGENT_AGENT_TURN
	agent_script "$WS/file-agent.sh" <<'EOF'
cat >/dev/null
echo file >>"$HB_WORKSPACE/who"
EOF
	agent_script "$WS/opt-agent.sh" <<'EOF'
cat >/dev/null
echo opt >>"$HB_WORKSPACE/who"
EOF
	printf '[agent]\nagent_turn = file-agent.sh\n' >hb-run.ini
	run hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(cat who)" = file ]
	# the environment beats the file: the fixture agent records the run
	HB_AGENT_AGENT_TURN="$HBT_FIXTURES/agent.sh" run hb_at "2026-01-05 09:01:00" job
	[ "$status" -eq 0 ]
	[ "$(runs_of job)" -eq 1 ]
	# -o beats both
	HB_AGENT_AGENT_TURN="$HBT_FIXTURES/agent.sh" run hb_at "2026-01-05 09:02:00" \
	    -o "agent.agent_turn=$WS/opt-agent.sh" job
	[ "$status" -eq 0 ]
	[ "$(runs_of job)" -eq 1 ]
	[ "$(tr '\n' ' ' <who)" = "file opt " ]
}

@test "overrides: runner settings from the environment and -o take effect (timeout)" {
	one_task
	agent_script "$WS/slow.sh" <<'EOF'
echo $$ >>"$HB_WORKSPACE/pids/agents"
exec sleep 30
EOF
	export HB_AGENT_AGENT_TURN="$WS/slow.sh"
	printf '[runner]\ntimeout = 1h\n' >hb-run.ini
	HB_RUNNER_TIMEOUT=20m run --separate-stderr hb_at "2026-01-05 09:00:00" -o runner.timeout=1s
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"timed out"* ]]
	[ "$(py 'L[-1]["status"]')" = timeout ]
}

@test "a bad -o or environment value is a configuration error: exit 2, nothing runs" {
	one_task
	run --separate-stderr hb_at "2026-01-05 09:00:00" -o runner.nosuch=1
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"runner.nosuch"* ]]
	HB_RUNNER_TIMEOUT=soon run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *HB_RUNNER_TIMEOUT* ]]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
}
