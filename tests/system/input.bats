#!/usr/bin/env bats
# input.bats - HEARTBEAT.md and hb-run.ini as users really write them: files made for OpenClaw
# run unchanged (a block in a code fence, a block without tasks), with warnings that a tick
# shows once per change (cron mails every line);
# lost tasks, no-break spaces, NUL bytes and UTF-16 named with file:line; what check finds in
# templates, zones and the workspace; zones without tzdata; times in runner.timezone.

load helpers

two_tasks() {
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 30m
    prompt: first
  - name: b
    interval: 30m
    prompt: second
MD
}

# ---- item 14: files written for OpenClaw ----------------------------------------------

@test "an unknown key: the task runs; a tick warns once per change of the file, check always" {
	heartbeat <<'MD'
tasks:
  - name: daily
    interval: 24h
    startAt: "07:00"
    prompt: write the daily log
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"warning: HEARTBEAT.md:4: unknown key 'startAt' is ignored"* ]]
	[ "$(runs_of daily)" -eq 1 ]
	run --separate-stderr hb_at "2026-01-06 09:00:00"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(runs_of daily)" -eq 2 ]
	run --separate-stderr hb_at "2026-01-06 09:30:00" check
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"HEARTBEAT.md:4: unknown key 'startAt'"* ]]
	[[ "$output" == *"1 task, no errors, 1 warning"* ]]
	# the file changes (a typo now): the tick says so again, once
	sed -i 's/startAt/intervall/' HEARTBEAT.md
	run --separate-stderr hb_at "2026-01-07 09:00:00"
	[[ "$stderr" == *"HEARTBEAT.md:4: unknown key 'intervall' is ignored; did you mean 'interval'?"* ]]
	run --separate-stderr hb_at "2026-01-08 09:00:00"
	[ -z "$stderr" ]
	[ "$(runs_of daily)" -eq 4 ]
}

@test "a Markdown list right after the block ends it: no error, the task runs" {
	heartbeat <<'MD'
tasks:
  - name: a
    prompt: first
- remember the milk
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of a)" -eq 1 ]
	grep -q 'remember the milk' rec/a.1.stdin
}

@test "the only tasks: block is in a yaml fence: its tasks run; check notes it, a tick is quiet" {
	heartbeat <<'MD'
# Heartbeat

Process only the due tasks below.

```yaml
tasks:
  - name: inbox
    interval: 1h
    prompt: Check the inbox
```

Be brief.
MD
	echo HEARTBEAT_OK >reply.inbox
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == *"HEARTBEAT.md:6: the tasks: block inside a code fence is used, as OpenClaw does"* ]]
	[[ "$output" == *"1 task, no problems"* ]]
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ -z "$output" ]
	[ "$(runs_of inbox)" -eq 1 ]
	[ "$(runs_of heartbeat)" -eq 0 ]
	grep -q 'Process only the due tasks below' rec/inbox.1.stdin
	grep -q 'Be brief' rec/inbox.1.stdin
	refute grep -q '```' rec/inbox.1.stdin
}

@test "a fenced block beside a real block, or with the block commented out: ignored, with a warning" {
	heartbeat <<'MD'
tasks:
  - name: a
    prompt: first

Example:
```yaml
tasks:
  - name: b
    prompt: second
```
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"HEARTBEAT.md:7: the tasks: block inside a code fence is ignored"* ]]
	[[ "$output" != *"is used"* ]]
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$(runs_of a)" -eq 1 ]
	[ "$(runs_of b)" -eq 0 ]
	heartbeat <<'MD'
Notes.
<!--
tasks:
  - name: a
    prompt: first
-->
```yaml
tasks:
  - name: b
    prompt: second
```
MD
	run --separate-stderr hb_at "2026-01-05 10:00:00" check
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"HEARTBEAT.md:8: the tasks: block inside a code fence is ignored"* ]]
	[[ "$output" == *"no tasks: block, the whole file is the task 'heartbeat'"* ]]
}

@test "a tasks: block without tasks beside real text: the whole file is the task 'heartbeat'" {
	heartbeat <<'MD'
# Heartbeat

- Check the inbox for anything urgent.

tasks:
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == *"HEARTBEAT.md:5: the tasks: block has no tasks; the whole file is the task 'heartbeat'"* ]]
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(runs_of heartbeat)" -eq 1 ]
	grep -q 'Check the inbox for anything urgent' rec/heartbeat.1.stdin
	# only headers and an empty block: effectively empty, nothing runs
	rm -rf rec .heartbeat-state.json .heartbeat-log.jsonl
	printf '# Heartbeat\n\ntasks:\n' >HEARTBEAT.md
	run --separate-stderr hb_at "2026-01-05 10:00:00" check
	[ "$status" -eq 0 ]
	[[ "$output" == *"effectively empty"* ]]
	run --separate-stderr hb_at "2026-01-05 10:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
}

@test "YAML front matter over a 'keep this file empty' template: effectively empty" {
	heartbeat <<'MD'
---
summary: "the heartbeat template"
read_when:
  - setting up a workspace
---
# HEARTBEAT.md

# Keep this file empty to skip heartbeat calls.
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
	[[ "$output" == *"effectively empty"* ]]
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
}

# ---- item 15: tasks that silently became context -------------------------------------

@test "a comment line in column 0 inside the block: the tasks after it still run" {
	cp "$HBT_FIXTURES/input-comment/HEARTBEAT.md" .
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of a)" -eq 1 ]
	[ "$(runs_of b)" -eq 1 ]
	refute grep -q 'name: b' rec/a.1.stdin
}

@test "a no-break space in the indentation: an error naming file:line" {
	cp "$HBT_FIXTURES/input-nbsp/HEARTBEAT.md" .
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:5: no-break space (U+00A0) in the indentation"* ]]
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[ "$(runs_of a)" -eq 1 ]
	[ "$(runs_of b)" -eq 0 ]
	refute grep -q 'name: b' rec/a.1.stdin
}

@test "a second tasks: line: its tasks join the block, with a warning" {
	heartbeat <<'MD'
tasks:
  - name: a
    prompt: first
tasks:
  - name: b
    prompt: second
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"HEARTBEAT.md:4: a second 'tasks:' line"* ]]
	[ "$(runs_of a)" -eq 1 ]
	[ "$(runs_of b)" -eq 1 ]
}

@test "a task after the block's end: a warning naming its line" {
	heartbeat <<'MD'
tasks:
  - name: a
    prompt: first
Evening:
  - name: b
    prompt: second
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"HEARTBEAT.md:5: this task is outside the tasks: block, which line 4"* ]]
}

@test "NUL bytes in HEARTBEAT.md and hb-run.ini: errors with file:line" {
	printf 'tasks:\n  - name: a\n    prompt: fir\0st\n  - name: b\n    prompt: second\n' >HEARTBEAT.md
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:3: NUL byte"* ]]
	two_tasks
	printf '[runner]\ntimeout = 5m\0 junk\n' >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:2: NUL byte"* ]]
}

@test "UTF-16 HEARTBEAT.md and hb-run.ini: errors, nothing runs" {
	printf 'tasks:\n  - name: a\n    prompt: first\n' | iconv -f UTF-8 -t UTF-16 >HEARTBEAT.md
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:1: the file is UTF-16"* ]]
	[ "$(runs_of)" -eq 0 ]
	two_tasks
	printf '[runner]\ntimeout = 5m\n' | iconv -f UTF-8 -t UTF-16LE >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:1: the file is UTF-16"* ]]
}

# ---- item 16: what check finds ------------------------------------------------------

@test "check: a template's required CLI that is not on PATH" {
	two_tasks
	agent_script "$WS/needs.sh" <<'SH'
# hb-run-requires: no-such-agent-cli
exit 0
SH
	HB_AGENT_AGENT_TURN="$WS/needs.sh" run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"needs 'no-such-agent-cli', which is not on PATH"* ]]
	mkdir bin && printf '#!/bin/sh\n' >bin/no-such-agent-cli && chmod +x bin/no-such-agent-cli
	HB_AGENT_AGENT_TURN="$WS/needs.sh" PATH="$WS/bin:$PATH" \
	    run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 0 ]
}

@test "check: a template with no #!, a missing interpreter, or a directory" {
	two_tasks
	printf 'echo HEARTBEAT_OK\n' >noshebang.sh && chmod +x noshebang.sh
	HB_AGENT_AGENT_TURN="$WS/noshebang.sh" run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"has no '#!' line"* ]]
	printf '#!/no/such/interpreter\necho HEARTBEAT_OK\n' >badinterp.sh && chmod +x badinterp.sh
	HB_AGENT_AGENT_TURN="$WS/badinterp.sh" run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"interpreter '/no/such/interpreter' is not an executable file"* ]]
	mkdir tdir
	HB_AGENT_AGENT_TURN="$WS/tdir" run --separate-stderr hb_at "2026-01-05 09:00:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"tdir is not a file"* ]]
}

@test "check: TZ naming no zone is a warning (cron tasks would fire at UTC times)" {
	heartbeat <<'MD'
tasks:
  - name: a
    cron: "0 9 * * *"
    prompt: first
MD
	run --separate-stderr env TZ=Nowhere/Atlantis "$HB_BIN" check
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"warning: TZ='Nowhere/Atlantis'"*"using UTC"* ]]
}

@test "check: a workspace the tick cannot write to" {
	two_tasks
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "no setpriv to drop root"
		chmod 755 "$WS"
		chmod 644 HEARTBEAT.md
		run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		    env HB_AGENT_AGENT_TURN="$HBT_FIXTURES/agent.sh" "$HB_BIN" check
	else
		chmod 555 "$WS"
		run --separate-stderr "$HB_BIN" check
		chmod 755 "$WS"
	fi
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"runner.state: "*"a tick could not save"* ]]
}

# ---- item 17: no tzdata ------------------------------------------------------------

@test "no zoneinfo files and TZ set: status, -n and a tick fall back to UTC with a warning" {
	heartbeat <<'MD'
tasks:
  - name: a
    cron: "0 9 * * *"
    prompt: first
  - name: once
    at: "2026-01-05 10:00"
    prompt: second
MD
	run --separate-stderr env TZ=Europe/Berlin TZDIR=/nonexistent "$HB_BIN" status
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"warning: TZ='Europe/Berlin'"*"using UTC"* ]]
	[[ "$output" == *"09:00+00:00"* ]]
	run --separate-stderr env TZ=Europe/Berlin TZDIR=/nonexistent "$HB_BIN" -n
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"using UTC"* ]]
	run --separate-stderr env TZ=Europe/Berlin TZDIR=/nonexistent "$HB_BIN"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"using UTC"* ]]
	run --separate-stderr env TZ=Europe/Berlin TZDIR=/nonexistent "$HB_BIN"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

# ---- item 18: times in runner.timezone ---------------------------------------------

@test "status, -n and log show times in runner.timezone, with the offset" {
	heartbeat <<'MD'
tasks:
  - name: a
    interval: 1h
    prompt: first
MD
	printf '[runner]\ntimezone = Asia/Tokyo\n' >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 09:10:00" status
	[ "$status" -eq 0 ]
	[[ "$output" == *"2026-01-05 18:00+09:00"*"2026-01-05 18:59+09:00"* ]]
	run --separate-stderr hb_at "2026-01-05 09:10:00" status --json
	[[ "$output" == *'"last_run":'*'"2026-01-05T18:00:00+09:00"'* ]]
	run --separate-stderr hb_at "2026-01-05 09:10:00" -n
	[[ "$stderr$output" == *"18:59:00+09:00"* ]]
	run --separate-stderr hb_at "2026-01-05 09:10:00" log
	[[ "$output" == "2026-01-05T18:00:00+09:00"* ]]
}
