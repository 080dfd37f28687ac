#!/usr/bin/env bats
# schedule.bats - cron, at and time zones through the real binary under a faked clock: the
# baseline of a cron task seen for the first time, slots (on time, late, missed after
# downtime), DST gaps and repeated hours, at: times (local, with an offset, in a gap), zones
# per task and from runner.timezone, @reboot, `hb-run next`, and what status and -n say.
#
# Ticks that must find nothing due a second before a slot run with the clock frozen
# (hb_frozen), so that no test depends on how quickly a busy machine starts hb-run. The
# rest use hb_at, whose clock runs on: a tick that starts late is still after its slot, and
# times recorded by such a tick are checked within a generous window (within).

load helpers

# within VALUE TIME: VALUE (Unix seconds) is TIME (UTC) or up to 30 s later.
within() {
	local e
	e=$(epoch "$2")
	[ "$1" -ge "$e" ] && [ "$1" -le $((e + 30)) ] ||
	    fail "$1 ($(TZ=UTC date -d "@$1" '+%F %T')) is not within 30 s after $2"
}

# A tick at TIME (hb_at) that must run nothing and print nothing.
quiet_tick() {
	run --separate-stderr "${2:-hb_at}" "$1"
	[ "$status" -eq 0 ] || fail "tick at $1: exit $status: $stderr"
	[ -z "$output" ] || fail "tick at $1 printed: $output"
}

# stdout of `status --json` in $output -> one field of one task
sfield() {
	printf '%s' "$output" | "$HBT_PY" -c '
import json, sys
for t in json.load(sys.stdin):
    if t["task"] == sys.argv[1]:
        v = t[sys.argv[2]]
        print(v if isinstance(v, str) else json.dumps(v))
' "$1" "$2"
}

every_five() {
	heartbeat <<'MD'
tasks:
  - name: five
    cron: "*/5 * * * *"
    prompt: Every five minutes
MD
}

# ---- cron: baseline, slots, late ticks, downtime -----------------------------------------

@test "cron: a task seen for the first time records a baseline and does not run" {
	heartbeat <<'MD'
tasks:
  - name: five
    cron: "*/5 * * * *"
    prompt: Every five minutes
  - name: nine
    cron: 0 9 * * *
    prompt: Daily at nine
MD
	# 09:02: nine's 09:00 slot and five's 09:00 slot have passed, but neither task was known
	run --separate-stderr hb_at "2026-01-05 09:02:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(runs_of)" -eq 0 ]
	within "$(py 'S["five"]["baseline"]')" "2026-01-05 09:02:00"
	within "$(py 'S["nine"]["baseline"]')" "2026-01-05 09:02:00"
	[ "$(py '"last_run" in S["five"] or "last_run" in S["nine"]')" = false ]
	[ ! -e .heartbeat-log.jsonl ]
	# the baseline stays: a later tick with nothing due changes nothing
	cp .heartbeat-state.json state.before
	quiet_tick "2026-01-05 09:03:00"
	cmp state.before .heartbeat-state.json
	# five first fires at its next slot; nine does not fire for the 09:00 it was not there for
	run --separate-stderr hb_at "2026-01-05 09:05:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of five)" -eq 1 ]
	[ "$(runs_of nine)" -eq 0 ]
	[ "$(py 'S["nine"]["baseline"]')" = "$(py 'S["five"]["baseline"]')" ]
	run --separate-stderr hb_at "2026-01-05 12:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of five)" -eq 2 ]
	[ "$(runs_of nine)" -eq 0 ]
	run --separate-stderr hb_at "2026-01-06 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of nine)" -eq 1 ]
	[ "$(seen nine HB_REASON)" = cron ]
}

@test "cron: */5 fires at its slot and not before (09:04:59 nothing, 09:05:00 runs, HB_REASON=cron)" {
	every_five
	quiet_tick "2026-01-05 09:01:00"	# the baseline
	quiet_tick "2026-01-05 09:04:59" hb_frozen
	[ "$(runs_of)" -eq 0 ]
	[ "$(py '"last_run" in S["five"]')" = false ]
	run --separate-stderr hb_at "2026-01-05 09:05:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of five)" -eq 1 ]
	[ "$(seen five HB_REASON)" = cron ]
	[ "${lines[0]}" = "=== five ===" ]
	within "$(py 'S["five"]["last_run"]')" "2026-01-05 09:05:00"
	[ "$(py 'L[-1]["reason"]')" = cron ]
	[ "$(py 'L[-1]["slots"]')" = 1 ]
	[ "$(py 'L[-1]["missed"]')" = 0 ]
	# the same slot does not fire twice; the next one fires at 09:10
	quiet_tick "2026-01-05 09:05:30"
	quiet_tick "2026-01-05 09:09:59" hb_frozen
	[ "$(runs_of five)" -eq 1 ]
	run --separate-stderr hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of five)" -eq 2 ]
	[ "$(py 'S["five"]["runs"]')" = 2 ]
}

@test "cron: a late tick still runs the slot it missed by minutes, once" {
	every_five
	quiet_tick "2026-01-05 09:01:00"
	run --separate-stderr hb_at "2026-01-05 09:08:30"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of five)" -eq 1 ]
	[ "$(seen five HB_REASON)" = cron ]
	[ "$(py 'L[-1]["slots"]')" = 1 ]
	[ "$(py 'L[-1]["missed"]')" = 0 ]
	within "$(py 'S["five"]["last_run"]')" "2026-01-05 09:08:30"
	# the late run does not move the schedule: the next slot is still 09:10
	quiet_tick "2026-01-05 09:09:59" hb_frozen
	run --separate-stderr hb_at "2026-01-05 09:10:20"
	[ "$status" -eq 0 ]
	[ "$(runs_of five)" -eq 2 ]
}

@test "cron: a later hour's slot the same day is found from a minute past the slot's minute (0 9 * * * seen at 08:30 fires at 09:00)" {
	heartbeat <<'MD'
tasks:
  - name: nine
    cron: 0 9 * * *
    prompt: Daily at nine
  - name: even
    cron: 0 */2 * * *
    prompt: Every second hour
MD
	quiet_tick "2026-01-05 08:30:00"	# the baselines
	run --separate-stderr hb_at "2026-01-05 08:31:00" status --json
	[ "$status" -eq 0 ]
	[ "$(sfield nine next_due_ts)" -eq "$(epoch '2026-01-05 09:00:00')" ] ||
	    fail "nine: next due $(sfield nine next_due), not 2026-01-05 09:00"
	[ "$(sfield even next_due_ts)" -eq "$(epoch '2026-01-05 10:00:00')" ] ||
	    fail "even: next due $(sfield even next_due), not 2026-01-05 10:00"
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of nine)" -eq 1 ] || fail "09:00: nine did not run"
	run --separate-stderr hb_at "2026-01-05 10:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of even)" -eq 1 ] || fail "10:00: even did not run"
	# the same through `hb-run next`
	run --separate-stderr hb next '0 9 * * *' --tz UTC --from '2026-01-05 08:30' --count 1
	[ "$output" = "2026-01-05T09:00:00+00:00" ]
	run --separate-stderr hb next '30 1 * * *' --tz America/New_York \
	    --from '2026-11-01 00:45' --count 1
	[ "$output" = "2026-11-01T01:30:00-04:00" ]
}

@test "cron: after downtime several missed slots make one run; the log says slots and missed" {
	every_five
	quiet_tick "2026-01-05 09:01:00"
	# down from 09:01 to 10:03: 09:05 ... 10:00 passed, 12 slots
	run --separate-stderr hb_at "2026-01-05 10:03:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of five)" -eq 1 ]
	[ "$(seen five HB_REASON)" = cron ]
	[ "$(py 'len(L)')" -eq 1 ]
	[ "$(py 'L[0]["slots"]')" = 12 ]
	[ "$(py 'L[0]["missed"]')" = 11 ]
	quiet_tick "2026-01-05 10:04:00"
	[ "$(runs_of five)" -eq 1 ]
	# a day of downtime after a run: still one run
	run --separate-stderr hb_at "2026-01-06 10:03:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of five)" -eq 2 ]
	[ "$(py 'len(L)')" -eq 2 ]
	[ "$(py 'L[1]["slots"]')" = 288 ]
	[ "$(py 'L[1]["missed"]')" = 287 ]
}

@test "cron: after downtime --catchup runs a missed cron task once, with HB_REASON=catchup" {
	heartbeat <<'MD'
tasks:
  - name: hourly
    cron: "@hourly"
    prompt: Every hour
MD
	quiet_tick "2026-01-05 09:30:00"
	HB_RUNNER_CATCHUP_STAGGER=0s run --separate-stderr hb_at "2026-01-05 14:10:00" --catchup
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of hourly)" -eq 1 ]
	[ "$(seen hourly HB_REASON)" = catchup ]
	[ "$(py 'L[-1]["reason"]')" = catchup ]
	[ "$(py 'L[-1]["slots"]')" = 5 ]
	[ "$(py 'L[-1]["missed"]')" = 4 ]
	quiet_tick "2026-01-05 14:20:00"
	[ "$(runs_of hourly)" -eq 1 ]
}

# ---- cron and DST -------------------------------------------------------------------------

@test "DST: a daily 02:30 in America/New_York runs at 03:00 EDT (07:00 UTC) on 2026-03-08, not at 06:30 UTC" {
	heartbeat <<'MD'
tasks:
  - name: daily
    cron: 30 2 * * *
    tz: America/New_York
    prompt: The nightly job
  - name: gapat
    at: 2026-03-08 02:30
    tz: America/New_York
    prompt: Once, at a time the clocks skip
MD
	quiet_tick "2026-03-07 12:00:00"	# the baseline; 02:30 EST (07:30 UTC) has passed
	# 06:30 UTC is 01:30 EST; a wrong reading of 02:30 as EDT would fire now
	quiet_tick "2026-03-08 06:30:00" hb_frozen
	quiet_tick "2026-03-08 06:59:59" hb_frozen
	[ "$(runs_of)" -eq 0 ]
	run --separate-stderr hb_at "2026-03-08 07:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of daily)" -eq 1 ]
	[ "$(seen daily HB_REASON)" = cron ]
	[ "$(py 'L[0]["slots"]')" = 1 ]
	# an at: time in the gap fires when the gap ends, too
	[ "$(runs_of gapat)" -eq 1 ]
	[ "$(seen gapat HB_REASON)" = at ]
	# 07:30 UTC is 03:30 EDT: no second run for a 02:30 read as EST
	quiet_tick "2026-03-08 07:30:00"
	quiet_tick "2026-03-08 12:00:00"
	[ "$(runs_of daily)" -eq 1 ]
	# the next day 02:30 EDT is 06:30 UTC
	run --separate-stderr hb_at "2026-03-08 12:00:00" status --json
	[ "$(sfield daily next_due_ts)" -eq "$(epoch '2026-03-09 06:30:00')" ]
	quiet_tick "2026-03-09 06:29:59" hb_frozen
	run --separate-stderr hb_at "2026-03-09 06:30:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of daily)" -eq 2 ]
	[ "$(runs_of gapat)" -eq 1 ]
}

@test "DST: in the repeated hour (fall back) a fixed-hour job runs once, a wildcard-hour job at each occurrence" {
	heartbeat <<'MD'
tasks:
  - name: fixed
    cron: 30 1 * * *
    tz: America/New_York
    prompt: Daily at 01:30
  - name: wild
    cron: 30 * * * *
    tz: America/New_York
    prompt: Every hour at half past
  - name: repat
    at: 2026-11-01 01:30
    tz: America/New_York
    prompt: Once, at a time that happens twice
MD
	# 2026-11-01: 01:30 EDT is 05:30 UTC, 01:30 EST is 06:30 UTC
	quiet_tick "2026-10-31 12:00:00"	# the baselines (08:00 EDT)
	run --separate-stderr hb_at "2026-11-01 05:00:00"	# 01:00 EDT
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(tr '\n' ' ' <rec/order)" = "wild " ]
	quiet_tick "2026-11-01 05:29:59" hb_frozen
	run --separate-stderr hb_at "2026-11-01 05:30:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(tr '\n' ' ' <rec/order)" = "wild fixed wild repat " ]
	[ "$(seen fixed HB_REASON)" = cron ]
	# the second 01:30: only the wildcard-hour job
	run --separate-stderr hb_at "2026-11-01 06:30:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of fixed)" -eq 1 ]
	[ "$(runs_of wild)" -eq 3 ]
	[ "$(runs_of repat)" -eq 1 ]
	quiet_tick "2026-11-01 06:59:00"
	run --separate-stderr hb_at "2026-11-01 07:30:00"	# 02:30 EST
	[ "$status" -eq 0 ]
	[ "$(runs_of fixed)" -eq 1 ]
	[ "$(runs_of wild)" -eq 4 ]
	# the next day's 01:30 EST is 06:30 UTC
	run --separate-stderr hb_at "2026-11-01 07:31:00" status --json
	[ "$(sfield fixed next_due_ts)" -eq "$(epoch '2026-11-02 06:30:00')" ]
	run --separate-stderr hb_frozen "2026-11-02 06:29:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of fixed)" -eq 1 ]
	run --separate-stderr hb_at "2026-11-02 06:30:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of fixed)" -eq 2 ]
	[ "$(runs_of repat)" -eq 1 ]
}

# ---- at -----------------------------------------------------------------------------------

@test "at: runs once at its time and never again; status shows it done (--json: done true)" {
	heartbeat <<'MD'
tasks:
  - name: once
    at: 2026-01-05 10:00
    prompt: Only this once
  - name: pulse
    interval: 1d
    prompt: Every day
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of once)" -eq 0 ]
	[ "$(runs_of pulse)" -eq 1 ]
	run --separate-stderr hb_at "2026-01-05 09:01:00" status --json
	[ "$status" -eq 0 ]
	[ "$(sfield once done)" = false ]
	[ "$(sfield once next_due_ts)" -eq "$(epoch '2026-01-05 10:00:00')" ]
	quiet_tick "2026-01-05 09:59:59" hb_frozen
	[ "$(runs_of once)" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 10:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of once)" -eq 1 ]
	[ "$(seen once HB_REASON)" = at ]
	[[ "$output" == *"=== once ==="* ]]
	[ "$(py 'S["once"]["done"]')" = true ]
	[ "$(py '[e["reason"] for e in L if e["task"] == "once"]')" = '["at"]' ]
	# never again: later that day, the next day, the next year, and from --catchup
	for t in "2026-01-05 10:01:00" "2026-01-05 10:31:00" "2026-01-06 10:00:00" \
	    "2027-01-05 10:00:00"; do
		run --separate-stderr hb_at "$t"
		[ "$status" -eq 0 ] || fail "tick at $t: exit $status: $stderr"
	done
	HB_RUNNER_CATCHUP_STAGGER=0s run --separate-stderr hb_at "2027-01-06 10:00:00" --catchup
	[ "$status" -eq 0 ]
	[ "$(runs_of once)" -eq 1 ]
	[ "$(runs_of pulse)" -gt 1 ]
	run --separate-stderr hb_at "2027-01-06 10:01:00" status
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$(printf '%s\n' "$output" | grep '^once ')" == once*"at 2026-01-05 10:00"*"2026-01-05 10:00"*done* ]]
	run --separate-stderr hb_at "2027-01-06 10:01:00" status --json
	[ "$status" -eq 0 ]
	[ "$(sfield once done)" = true ]
	[ "$(sfield once due)" = false ]
	[ "$(sfield once next_due)" = null ]
	[ "$(sfield once runs)" = 1 ]
}

@test "at: a time with an explicit offset (+02:00, Z, -05) is that instant, whatever the zone" {
	heartbeat <<'MD'
tasks:
  - name: plus
    at: "2026-01-05T10:00+02:00"
    tz: America/New_York
    prompt: 08:00 UTC
  - name: zulu
    at: 2026-01-05 08:30Z
    prompt: 08:30 UTC
  - name: minus
    at: '2026-01-05 05:00-05'
    tz: Asia/Tokyo
    prompt: 10:00 UTC
MD
	run --separate-stderr hb_at "2026-01-05 07:00:00" status --json
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(sfield plus next_due_ts)" -eq "$(epoch '2026-01-05 08:00:00')" ]
	[ "$(sfield zulu next_due_ts)" -eq "$(epoch '2026-01-05 08:30:00')" ]
	[ "$(sfield minus next_due_ts)" -eq "$(epoch '2026-01-05 10:00:00')" ]
	quiet_tick "2026-01-05 07:59:59" hb_frozen
	run --separate-stderr hb_at "2026-01-05 08:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(tr '\n' ' ' <rec/order)" = "plus " ]
	[ "$(seen plus HB_REASON)" = at ]
	quiet_tick "2026-01-05 08:29:59" hb_frozen
	run --separate-stderr hb_at "2026-01-05 08:30:00"
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <rec/order)" = "plus zulu " ]
	quiet_tick "2026-01-05 09:59:59" hb_frozen
	run --separate-stderr hb_at "2026-01-05 10:00:00"
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <rec/order)" = "plus zulu minus " ]
	[ "$(py '[S[t]["done"] for t in ("plus", "zulu", "minus")]')" = "[true, true, true]" ]
}

# ---- zones --------------------------------------------------------------------------------

@test "tz: an unknown zone is reported as HEARTBEAT.md:LINE, exit 2, and the other tasks still run" {
	heartbeat <<'MD'
tasks:
  - name: pulse
    interval: 30m
    prompt: Every half hour
  - name: lost
    cron: 0 9 * * *
    tz: Mars/Olympus
    prompt: Nowhere
  - name: berlin
    cron: "*/5 * * * *"
    tz: Europe/Berlin
    prompt: In Berlin
  - name: soon
    at: 2026-01-05 09:00
    tz: Not/AZone
    prompt: Never
MD
	run --separate-stderr hb_at "2026-01-05 09:01:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:7: "*"Mars/Olympus"* ]]
	[[ "$stderr" == *"HEARTBEAT.md:15: "*"Not/AZone"* ]]
	[ "$(runs_of pulse)" -eq 1 ]
	[ "$(runs_of lost)" -eq 0 ]
	[ "$(runs_of soon)" -eq 0 ]
	[[ "$output" == *"=== pulse ==="* ]]
	[ "$(py 'sorted(k for k in S if not k.startswith("_"))')" = '["berlin", "pulse"]' ]
	# the good cron task keeps its schedule
	run --separate-stderr hb_at "2026-01-05 09:05:00"
	[ "$status" -eq 2 ]
	[ "$(runs_of berlin)" -eq 1 ]
	[ "$(runs_of lost)" -eq 0 ]
	# check names the line too
	run --separate-stderr hb_at "2026-01-05 09:06:00" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:7: "*"Mars/Olympus"* ]]
}

@test "runner.timezone in hb-run.ini applies to tasks without tz:, not to those with one" {
	heartbeat <<'MD'
tasks:
  - name: tokyo
    cron: 0 9 * * *
    prompt: 09:00 in the configured zone
  - name: utc
    cron: 0 9 * * *
    tz: UTC
    prompt: 09:00 UTC
  - name: once
    at: 2026-01-05 09:00
    prompt: 09:00 in the configured zone, once
MD
	printf '[runner]\n; the zone of tasks without tz:\ntimezone = Asia/Tokyo\n' >hb-run.ini
	quiet_tick "2026-01-04 12:00:00"	# the baselines (21:00 in Tokyo)
	run --separate-stderr hb_at "2026-01-04 12:01:00" status --json
	[ "$status" -eq 0 ]
	[ "$(sfield tokyo next_due_ts)" -eq "$(epoch '2026-01-05 00:00:00')" ]
	[ "$(sfield utc next_due_ts)" -eq "$(epoch '2026-01-05 09:00:00')" ]
	[ "$(sfield once next_due_ts)" -eq "$(epoch '2026-01-05 00:00:00')" ]
	quiet_tick "2026-01-04 23:59:59" hb_frozen
	run --separate-stderr hb_at "2026-01-05 00:00:00"	# 09:00 in Tokyo
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(tr '\n' ' ' <rec/order)" = "tokyo once " ]
	quiet_tick "2026-01-05 08:59:59" hb_frozen
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <rec/order)" = "tokyo once utc " ]
	# `hb-run next` without --tz uses it too
	run --separate-stderr hb next '0 9 * * *' --from '2026-01-05 00:00' --count 1
	[ "$status" -eq 0 ]
	[ "$output" = "2026-01-05T09:00:00+09:00" ]
	# the environment overrides the file
	HB_RUNNER_TIMEZONE=America/New_York run --separate-stderr hb_at "2026-01-05 09:01:00" \
	    status --json
	[ "$status" -eq 0 ]
	[ "$(sfield tokyo next_due_ts)" -eq "$(epoch '2026-01-05 14:00:00')" ]
}

@test "runner.timezone: an unknown zone is hb-run.ini:LINE, exit 2, nothing runs" {
	every_five
	printf '[runner]\ntimeout = 10m\ntimezone = Mars/Olympus\n' >hb-run.ini
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:3:"*timezone*"Mars/Olympus"* ]]
	[ -z "$output" ]
	[ "$(runs_of)" -eq 0 ]
	[ ! -e .heartbeat-state.json ]
	[ ! -e .heartbeat-log.jsonl ]
	run --separate-stderr hb_at "2026-01-05 09:00:00" status
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:3:"* ]]
	run --separate-stderr hb next '0 9 * * *'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:3:"* ]]
	[ -z "$output" ]
}

# ---- @reboot ------------------------------------------------------------------------------

@test "@reboot: runs from --catchup once per boot; a plain tick never runs it" {
	needs_linux_platform "boot id (/proc)"
	[ -r /proc/sys/kernel/random/boot_id ] || skip "no boot id on this system"
	heartbeat <<'MD'
tasks:
  - name: boot
    cron: "@reboot"
    prompt: The machine started
  - name: pulse
    interval: 30m
    prompt: Every half hour
MD
	export HB_RUNNER_CATCHUP_STAGGER=0s
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(tr '\n' ' ' <rec/order)" = "pulse " ]
	run --separate-stderr hb_at "2026-01-05 09:01:00" --catchup
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(tr '\n' ' ' <rec/order)" = "pulse boot " ]
	[ "$(seen boot HB_REASON)" = catchup ]
	[ "$(py 'S["boot"]["last_boot"]')" = "$(cat /proc/sys/kernel/random/boot_id)" ]
	# the same boot: neither a second --catchup nor a plain tick runs it again
	quiet_tick "2026-01-05 09:02:00"
	run --separate-stderr hb_at "2026-01-05 09:03:00" --catchup
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr hb_at "2026-01-06 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of boot)" -eq 1 ]
	[ "$(runs_of pulse)" -eq 2 ]
	run --separate-stderr hb_at "2026-01-06 09:01:00" status
	[[ "$(printf '%s\n' "$output" | grep '^boot ')" == boot*@reboot*"at boot"* ]]
	# another boot (its id in the state is not this one's): --catchup runs it again, once
	"$HBT_PY" - <<'PY'
import json
with open(".heartbeat-state.json") as f:
    s = json.load(f)
s["boot"]["last_boot"] = "00000000-0000-4000-8000-000000000000"
with open(".heartbeat-state.json", "w") as f:
    json.dump(s, f)
PY
	quiet_tick "2026-01-06 09:05:00"
	run --separate-stderr hb_at "2026-01-06 09:06:00" --catchup
	[ "$status" -eq 0 ]
	[ "$(runs_of boot)" -eq 2 ]
	run --separate-stderr hb_at "2026-01-06 09:07:00" --catchup
	[ "$status" -eq 0 ]
	[ "$(runs_of boot)" -eq 2 ]
}

# ---- hb-run next --------------------------------------------------------------------------

@test "next: '0 9 * * 1-5' from Friday 2026-01-02 12:00 UTC prints exactly the next 3 weekday 09:00s" {
	run --separate-stderr hb next '0 9 * * 1-5' --from '2026-01-02 12:00' --count 3 --tz UTC
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$stderr" ]
	printf '2026-01-05T09:00:00+00:00\n2026-01-06T09:00:00+00:00\n2026-01-07T09:00:00+00:00\n' >expected
	printf '%s\n' "$output" | cmp - expected
	# a slot exactly at --from is the first
	run --separate-stderr hb next '0 9 * * 1-5' --from '2026-01-05 09:00' --count 1 --tz UTC
	[ "$output" = "2026-01-05T09:00:00+00:00" ]
	run --separate-stderr hb next '0 0 1 1 *' --from '2026-01-01 00:00:01' --count 2 --tz UTC
	[ "$output" = "$(printf '2027-01-01T00:00:00+00:00\n2028-01-01T00:00:00+00:00')" ]
}

@test "next: an expression that never fires exits 2 with a clear message" {
	local e
	for e in '0 0 30 2 *' '0 0 31 4,6,9,11 *' '0 0 31 2 *'; do
		run --separate-stderr hb next "$e" --tz UTC
		[ "$status" -eq 2 ] || fail "'$e': exit $status"
		[ -z "$output" ] || fail "'$e' printed: $output"
		[[ "$stderr" == *"$e"* ]] || fail "'$e': the message does not name it: $stderr"
		[[ "$stderr" == *never* ]] || fail "'$e': unclear: $stderr"
	done
	run --separate-stderr hb next '@reboot'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *reboot* ]]
	run --separate-stderr hb next '61 * * * *'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *minute* ]]
	# in HEARTBEAT.md too: its line, and the others run
	heartbeat <<'MD'
tasks:
  - name: never
    cron: 0 0 30 2 *
    prompt: never
  - name: pulse
    interval: 30m
    prompt: Every half hour
MD
	run --separate-stderr hb_at "2026-01-05 09:00:00"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:3: "*never* ]]
	[ "$(runs_of pulse)" -eq 1 ]
	[ "$(runs_of never)" -eq 0 ]
}

@test "next: 02:30 in America/New_York across the spring-forward gap and the repeated hour" {
	run --separate-stderr hb next '30 2 * * *' --tz America/New_York --from '2026-03-07 00:00' \
	    --count 3
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	printf '2026-03-07T02:30:00-05:00\n2026-03-08T03:00:00-04:00\n2026-03-09T02:30:00-04:00\n' >expected
	printf '%s\n' "$output" | cmp - expected
	# fall back: a fixed hour fires once, at its first occurrence; a wildcard hour at each
	run --separate-stderr hb next '30 1 * * *' --tz America/New_York --from '2026-10-31 12:00' \
	    --count 2
	[ "$output" = "$(printf '2026-11-01T01:30:00-04:00\n2026-11-02T01:30:00-05:00')" ]
	run --separate-stderr hb next '30 * * * *' --tz America/New_York --from '2026-11-01 00:00' \
	    --count 4
	[ "$output" = "$(printf '%s\n' 2026-11-01T00:30:00-04:00 2026-11-01T01:30:00-04:00 \
	    2026-11-01T01:30:00-05:00 2026-11-01T02:30:00-05:00)" ]
	# Lord Howe moves its clocks by half an hour: 02:15 on 2026-10-04 does not exist
	run --separate-stderr hb next '15 2 * * *' --tz Australia/Lord_Howe \
	    --from '2026-10-03 00:00' --count 3
	[ "$output" = "$(printf '%s\n' 2026-10-03T02:15:00+10:30 2026-10-04T02:30:00+11:00 \
	    2026-10-05T02:15:00+11:00)" ]
}

# ---- status and the dry run ---------------------------------------------------------------

@test "status: a cron task's next due time is the one 'hb-run next' computes" {
	heartbeat <<'MD'
tasks:
  - name: ny
    cron: 30 2 * * *
    tz: America/New_York
    prompt: p
  - name: howe
    cron: 0 2 * * 0
    tz: Australia/Lord_Howe
    prompt: p
  - name: feb
    cron: 0 0 L 2 *
    prompt: p
  - name: fifth
    cron: 0 0 * 2 1#5
    tz: Europe/Berlin
    prompt: p
  - name: weekdays
    cron: 0 9 * * 1-5
    tz: Asia/Tokyo
    prompt: p
  - name: odd
    cron: "*/7 */5 */3 */2 *"
    prompt: p
MD
	# before any tick (status records nothing): the first slot after now
	run --separate-stderr hb_frozen "2026-03-07 12:00:00" status --json
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ ! -e .heartbeat-state.json ]
	printf '%s' "$output" >status0.json
	quiet_tick "2026-03-07 12:00:00" hb_frozen	# the baselines, at 12:00:00 exactly
	run --separate-stderr hb_at "2026-03-07 12:01:00" status --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" >status1.json
	run --separate-stderr hb_at "2026-03-07 12:01:00" status
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >status1.txt
	local t expr zone want
	while read -r t zone expr; do
		# next --from includes its own instant; status wants the slot after the baseline
		run --separate-stderr hb next "$expr" --tz "$zone" --from "@$(epoch '2026-03-07 12:00:01')" \
		    --count 1
		[ "$status" -eq 0 ] || fail "next '$expr': $stderr"
		want=$(iso_epoch "$output")
		output=$(cat status0.json)
		[ "$(sfield "$t" next_due_ts)" -eq "$want" ] || fail "$t before the baseline: $(sfield "$t" next_due) != $output"
		output=$(cat status1.json)
		[ "$(sfield "$t" next_due_ts)" -eq "$want" ] || fail "$t: $(sfield "$t" next_due) != $output"
		# the table shows it in the local zone (UTC here), with the offset
		want=$(TZ=UTC date -d "@$want" '+%Y-%m-%d %H:%M+00:00')
		grep -q "^$t .* $want " status1.txt || fail "$t: no '$want' in: $(grep "^$t " status1.txt)"
	done <<'EOF'
ny America/New_York 30 2 * * *
howe Australia/Lord_Howe 0 2 * * 0
feb UTC 0 0 L 2 *
fifth Europe/Berlin 0 0 * 2 1#5
weekdays Asia/Tokyo 0 9 * * 1-5
odd UTC */7 */5 */3 */2 *
EOF
	# the DST cases themselves
	output=$(cat status1.json)
	[ "$(sfield ny next_due_ts)" -eq "$(epoch '2026-03-08 07:00:00')" ]
	[ "$(sfield feb next_due_ts)" -eq "$(epoch '2027-02-28 00:00:00')" ]
	# after a run: the slot after the run's start
	run --separate-stderr hb_at "2026-03-08 07:00:00" ny
	[ "$status" -eq 0 ]
	run --separate-stderr hb_at "2026-03-08 07:01:00" status --json
	run --separate-stderr hb next '30 2 * * *' --tz America/New_York \
	    --from "@$(( $(py 'S["ny"]["last_run"]') + 1 ))" --count 1
	want=$(iso_epoch "$output")
	[ "$want" -eq "$(epoch '2026-03-09 06:30:00')" ]
	run --separate-stderr hb_at "2026-03-08 07:01:00" status --json
	[ "$(sfield ny next_due_ts)" -eq "$want" ]
}

@test "dry run: -n explains cron tasks (first sight, not due until, due since) and changes nothing" {
	heartbeat <<'MD'
tasks:
  - name: five
    cron: "*/5 * * * *"
    prompt: Every five minutes
  - name: ny
    cron: 30 2 * * *
    tz: America/New_York
    prompt: Nightly
  - name: boot
    cron: "@reboot"
    prompt: At boot
MD
	# first sight: what the baseline would be, and nothing recorded
	run --separate-stderr hb_at "2026-01-05 09:01:00" -n
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"five"*"first"*"2026-01-05T09:05:00+00:00"* ]]
	[[ "$output" == *"ny"*"first"*"2026-01-06T07:30:00+00:00"* ]]
	[[ "$output" == *"boot"*"@reboot"* ]]
	[[ "$output" != *"would run"* ]]
	[ ! -e .heartbeat-state.json ]
	[ ! -e .heartbeat.lock ]
	[ "$(runs_of)" -eq 0 ]
	quiet_tick "2026-01-05 09:01:00"
	cp .heartbeat-state.json state.before
	# not due yet: until when
	run --separate-stderr hb_frozen "2026-01-05 09:04:59" -n
	[ "$status" -eq 0 ]
	[[ "$output" == *"five"*"not due until 2026-01-05T09:05:00+00:00"* ]]
	[[ "$output" != *"would run"* ]]
	# due: it would run, named with its schedule and the slot it is due for
	run --separate-stderr hb_at "2026-01-05 09:07:00" -n
	[ "$status" -eq 0 ]
	local line
	line=$(printf '%s\n' "$output" | grep '^would run five')
	[[ "$line" == *"cron */5 * * * *"* ]] || fail "no schedule in: $line"
	[[ "$line" == *"2026-01-05T09:05:00+00:00"* ]] || fail "no slot in: $line"
	[[ "$output" != *"would run ny"* ]]
	[[ "$output" != *"would run boot"* ]]
	[ "$(runs_of)" -eq 0 ]
	cmp state.before .heartbeat-state.json
	[ ! -e .heartbeat-log.jsonl ]
	# --catchup -n: @reboot would run
	run --separate-stderr hb_at "2026-01-05 09:07:00" -n --catchup
	[ "$status" -eq 0 ]
	[[ "$output" == *"would run boot"* ]]
	[ "$(runs_of)" -eq 0 ]
	cmp state.before .heartbeat-state.json
}
