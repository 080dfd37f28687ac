#!/usr/bin/env bats
# outbox.bats - no alert lost: the outbox (a receiver down, then up; a 400; 24 h and 100
# queued; hb-run killed in a delivery; a tick that only flushes), quiet hours and their
# digest, active hours across midnight and DST, de-duplication, and pings (healthchecks.io
# and Cronitor) against a recording receiver on 127.0.0.1 (fixtures/receiver.js).

load helpers
load receiver

teardown() {
	local f pid
	receiver_stop
	for f in "$WS"/pids/*; do
		[ -f "$f" ] || continue
		while read -r pid; do
			case $pid in '' | *[!0-9]*) continue ;; esac
			hbt_ours "$pid" && kill -KILL "$pid" 2>/dev/null
		done <"$f"
	done
	cd / || true
	[ -n "${WS:-}" ] && [ -d "$WS" ] && rm -rf "$WS"
}

say() {
	printf '%s\n' "$1" >"$WS/reply"
}

# An agent that replies with $WS/reply and counts its runs in $WS/runs.
reply_agent() {
	agent_script "$WS/agent.sh" <<'EOF'
echo run >>"$HBT_WS/runs"
cat "$HBT_WS/reply"
EOF
	export HB_AGENT_AGENT_TURN="$WS/agent.sh"
	say "${1:-Disk at 91% on /dev/sda.}"
}

agent_runs() {
	if [ -f "$WS/runs" ]; then wc -l <"$WS/runs" | tr -d ' '; else echo 0; fi
}

# task NOTIFY INTERVAL [EXTRA-KEY-LINES]
task() {
	{
		echo "tasks:"
		echo "  - name: disk"
		echo "    prompt: check the disk"
		echo "    interval: $2"
		if [ -n "$1" ]; then echo "    notify: $1"; fi
		if [ -n "${3:-}" ]; then printf '%s\n' "$3"; fi
	} >"$WS/HEARTBEAT.md"
}

T0="2026-01-05 09:00:00"

@test "outbox: the receiver down for three ticks, then up: every alert arrives once, in order; the outbox empties" {
	receiver
	P=$PORT
	receiver_stop
	reply_agent "alert 1"
	task "json://$HOST/a" 1m
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[[ "$stderr" == *"kept in the outbox"* ]]
	[ "$(py 'len(S["_outbox"])')" = 1 ]
	[ "$(py 'S["_outbox"][0]["tries"]')" = 1 ]
	[ "$(py 'L[-1]["deliveries"][0]["result"]')" = retry ]
	say "alert 2"
	run --separate-stderr hb_at "2026-01-05 09:01:00"
	[ "$status" -eq 0 ]
	say "alert 3"
	run --separate-stderr hb_at "2026-01-05 09:02:00"
	[ "$status" -eq 0 ]
	[ "$(py '[a["text"] for a in S["_outbox"]]')" = '["alert 1", "alert 2", "alert 3"]' ]
	[ "$(py 'S["_outbox"][0]["tries"]')" = 2 ]
	[ "$(py 'S["_outbox"][0]["last_reason"]')" != "" ]
	receiver "$P"
	say "alert 4"
	run --separate-stderr hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(nreq)" = 4 ]
	for n in 1 2 3 4; do
		[ "$(req $n 'R["json"]["message"]')" = "alert $n" ]
	done
	[ "$(py '"_outbox" in S')" = false ]
	[ "$(agent_runs)" = 4 ]
	# what became of each alert sent from the outbox is logged as an entry of its own
	[ "$(py '[(e["status"], e["reply"], e["tries"]) for e in L if e["reason"] == "outbox"]')" = \
	    '[["delivered", "alert 1", 3], ["delivered", "alert 2", 1], ["delivered", "alert 3", 1]]' ]
	[ "$(py '[e["deliveries"][0]["target"] for e in L if e["reason"] == "outbox"][0]')" = "json://$HOST/a" ]
	run hb log
	[[ "$output" == *" disk "*" delivered "*" outbox"* ]]
}

@test "outbox: a 400 is reported at once on stdout with the reason, and not kept" {
	receiver
	plan r400
	reply_agent
	task "json://$HOST/a" 1h
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 1 ]
	[ "$output" = "=== disk ===
[hb-run: not delivered to json://$HOST/a: $HOST: 400 Bad Request: {\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}]
Disk at 91% on /dev/sda." ]
	[ "$(py '"_outbox" in S')" = false ]
}

@test "outbox: after 24 h a message goes to stdout with the reason and leaves the outbox; that tick starts no agent" {
	receiver
	receiver_stop
	reply_agent
	task "json://$HOST/a" 3d
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	run --separate-stderr hb_at "2026-01-05 09:01:30"
	[ "$status" -eq 0 ]
	[ "$(py 'S["_outbox"][0]["tries"]')" = 2 ]
	run --separate-stderr hb_at "2026-01-06 09:00:30"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "=== disk ===" ]]
	[[ "${lines[1]}" == "[hb-run: not delivered to json://$HOST/a: given up after 24 h (tried 2 times since 2026-01-05T09:00:00+00:00; last: $HOST: "*"]" ]]
	[ "${lines[2]}" = "Disk at 91% on /dev/sda." ]
	[ "$(py '"_outbox" in S')" = false ]
	[ "$(agent_runs)" = 1 ]
	[ "$(py '[L[-1][k] for k in ("status", "task", "reason", "tries", "reply", "note")]')" = \
	    '["expired", "disk", "outbox", 2, "Disk at 91% on /dev/sda.", "given up after 24 h"]' ]
	[ "$(py 'L[-1]["deliveries"][0]["target"]')" = "json://$HOST/a" ]
}

@test "outbox: past 100 queued the oldest goes to stdout with the reason" {
	receiver
	receiver_stop
	reply_agent "the newest"
	task "json://$HOST/a" 1h
	"$HBT_PY" - "$HOST" "$(epoch "$T0")" <<'PY'
import json, sys, uuid
host, t0 = sys.argv[1], int(sys.argv[2])
ob = [{"id": str(uuid.uuid4()), "task": "disk", "target": "json://%s/a" % host,
       "text": "old %d" % i, "at": t0 - 3600 + i, "first_try": t0 - 3600 + i, "tries": 3,
       "next_try": t0 + 3600, "last_reason": "down"} for i in range(100)]
json.dump({"_outbox": ob}, open(".heartbeat-state.json", "w"))
PY
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "=== disk ===" ]
	[[ "${lines[1]}" == *"the outbox holds more than 100 messages; the oldest leave it"* ]]
	[ "${lines[2]}" = "old 0" ]
	[ "$(py 'len(S["_outbox"])')" = 100 ]
	[ "$(py 'S["_outbox"][0]["text"]')" = "old 1" ]
	[ "$(py 'S["_outbox"][-1]["text"]')" = "the newest" ]
	[ "$(py '[(e["status"], e["reply"], e["tries"]) for e in L if e["reason"] == "outbox"]')" = \
	    '[["expired", "old 0", 3]]' ]
}

@test "outbox: status shows what waits and what is held (text and --json); -n says what a flush would send" {
	reply_agent
	task "json://127.0.0.1:9/a" 1d
	"$HBT_PY" - "$(epoch "$T0")" <<'PY'
import json, sys, uuid
t0 = int(sys.argv[1])
one = lambda i, nt: {"id": str(uuid.uuid4()), "task": "disk", "target": "json://127.0.0.1:9/a",
                     "text": "old %d" % i, "at": t0 - 3600 + i * 60, "tries": 1, "next_try": nt}
json.dump({"disk": {"last_run": t0 - 60},
           "_outbox": [one(0, t0 + 900), one(1, t0 + 960), one(2, t0 + 960)],
           "_held": [one(3, 0), one(4, 0)]}, open(".heartbeat-state.json", "w"))
PY
	run --separate-stderr hb_at "$T0" status
	[ "$status" -eq 0 ]
	[[ "$output" == *"

outbox: 3 messages waiting (oldest 2026-01-05 08:00+00:00, next try 09:15+00:00); held for quiet hours: 2" ]]
	run --separate-stderr hb_at "$T0" status --json
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | "$HBT_PY" -c 'import json,sys; a=json.load(sys.stdin); print(type(a).__name__, a[0]["outbox_waiting"], a[0]["outbox_held"])')" = "list 3 2" ]
	run --separate-stderr hb_at "2026-01-05 09:15:30" -n
	[ "$status" -eq 0 ]
	[[ "$output" == *"would send 3 queued messages"* ]]
	"$HBT_PY" -c 'import json; S=json.load(open(".heartbeat-state.json")); del S["_held"]; json.dump(S, open(".heartbeat-state.json", "w"))'
	run --separate-stderr hb_at "$T0" -n
	[[ "$output" != *"would send"* ]]
	run --separate-stderr hb_at "$T0" status
	[[ "$output" == *"outbox: 3 messages waiting (oldest 2026-01-05 08:00+00:00, next try 09:15+00:00)" ]]
}

@test "outbox: hb-run SIGKILLed during a delivery loses nothing: the next tick sends it again" {
	receiver
	plan hang
	reply_agent
	task "json://$HOST/a" 1h
	(
		cd "$WS" || exit 1
		if [ -n "${HB_ASAN_PRELOAD:-}" ]; then
			# the sanitizer pass: libasan first, through the loader (see hb_at)
			exec env -u LD_PRELOAD TZ=UTC TMPDIR="$WS/tmp" HB_DELIVERY_TIMEOUT=60s \
			    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			    FAKETIME="@$T0" FAKETIME_DONT_RESET=1 "$(hbt_find_ldso "$HB_BIN")" \
			    --preload "$HB_ASAN_PRELOAD $HBT_FAKETIME_LIB" "$HB_BIN" >"$WS/out1" 2>&1
		fi
		exec env TZ=UTC TMPDIR="$WS/tmp" HB_DELIVERY_TIMEOUT=60s \
		    LD_PRELOAD="$HBT_FAKETIME_LIB" FAKETIME="@$T0" FAKETIME_DONT_RESET=1 \
		    "$HB_BIN" >"$WS/out1" 2>&1
	) &
	HPID=$!
	echo "$HPID" >>"$WS/pids/hb"
	for _ in $(seq 300); do
		[ "$(nreq)" -ge 1 ] && break
		sleep 0.05
	done
	[ "$(nreq)" = 1 ]
	# the helper is hb-run's child: recorded, so that teardown ends it
	for c in $(cat /proc/"$HPID"/task/*/children 2>/dev/null); do echo "$c" >>"$WS/pids/hb"; done
	[ "$(py 'len(S["_outbox"])')" = 1 ]
	kill -KILL "$HPID"
	wait "$HPID" 2>/dev/null || true
	plan ok
	run --separate-stderr hb_at "2026-01-05 09:02:00"
	[ "$status" -eq 0 ]
	[ "$(nreq)" = 2 ]
	[ "$(req 2 'R["json"]["message"]')" = "Disk at 91% on /dev/sda." ]
	[ "$(py '"_outbox" in S')" = false ]
	# the killed run was not recorded: the task ran again, and its same text is a duplicate
	[ "$(agent_runs)" = 2 ]
	[ "$(py 'L[-1]["reply_verdict"]')" = duplicate ]
}

@test "outbox: a tick that only flushes starts no agent; one with nothing yet to retry writes nothing" {
	receiver
	P=$PORT
	receiver_stop
	reply_agent
	task "json://$HOST/a" 1h
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	before=$(stat -c '%i %Y' .heartbeat-state.json; sha1sum <.heartbeat-state.json)
	run --separate-stderr hb_at "2026-01-05 09:00:30"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(stat -c '%i %Y' .heartbeat-state.json; sha1sum <.heartbeat-state.json)" = "$before" ]
	receiver "$P"
	run --separate-stderr hb_at "2026-01-05 09:01:30"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(nreq)" = 1 ]
	[ "$(agent_runs)" = 1 ]
	[ "$(py '"_outbox" in S')" = false ]
}

@test "quiet hours across midnight hold the replies, then send one digest per target at their end" {
	receiver
	reply_agent "alert at night 1"
	task "stdout, json://$HOST/a" 3h
	export HB_DELIVERY_QUIET_HOURS=22:00-07:00 HB_DELIVERY_QUIET_TZ=UTC
	run --separate-stderr hb_at "2026-01-05 23:00:00"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(py 'L[-1]["reply_verdict"]')" = held ]
	say "alert at night 2"
	run --separate-stderr hb_at "2026-01-06 02:00:00"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(nreq)" = 0 ]
	[ "$(py 'len(S["_held"])')" = 4 ]
	say "morning news"
	run --separate-stderr hb_at "2026-01-06 07:05:00"
	[ "$status" -eq 0 ]
	[ "$(nreq)" = 2 ]
	[ "$(req 1 'R["json"]["title"]')" = "hb-run: 2 alerts held during quiet hours (22:00-07:00)" ]
	[ "$(req 1 'R["json"]["message"]')" = "== disk (2026-01-05T23:00:00+00:00) ==
alert at night 1

== disk (2026-01-06T02:00:00+00:00) ==
alert at night 2" ]
	[ "$(req 2 'R["json"]["message"]')" = "morning news" ]
	[ "$output" = "=== digest ===
== disk (2026-01-05T23:00:00+00:00) ==
alert at night 1

== disk (2026-01-06T02:00:00+00:00) ==
alert at night 2

=== disk ===
morning news" ]
	[ "$(py '"_held" in S or "_outbox" in S')" = false ]
}

@test "dedupe: the same text within 24 h is logged duplicate and not sent; after 24 h it is sent again; a run by name always" {
	receiver
	reply_agent "Disk at 91%."
	task "json://$HOST/a" 1h
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$(nreq)" = 1 ]
	run --separate-stderr hb_at "2026-01-05 10:00:00"
	[ "$status" -eq 0 ]
	[ "$(nreq)" = 1 ]
	[ "$(py 'L[-1]["reply_verdict"]')" = duplicate ]
	[ "$(py 'S["disk"]["last_reply"]')" = duplicate ]
	[ "$(py 'len(S["disk"]["last_alert_hash"])')" = 16 ]
	[ "$(py 'S["disk"]["last_alert_at"]')" = "$(epoch "$T0")" ]
	run --separate-stderr hb_at "2026-01-06 09:00:30"
	[ "$status" -eq 0 ]
	[ "$(nreq)" = 2 ]
	[ "$(py 'L[-1]["reply_verdict"]')" = delivered ]
	# a run by name is always delivered
	run --separate-stderr hb_at "2026-01-06 09:05:00" disk
	[ "$status" -eq 0 ]
	[ "$(nreq)" = 3 ]
}

@test "active hours across midnight: outside them the task does not run and stays due; -n says until when; a manual run runs" {
	reply_agent "news"
	task "stdout" 1h "    active_hours: 20:00-08:00"
	run --separate-stderr hb_at "2026-01-05 12:00:00"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(agent_runs)" = 0 ]
	[ ! -e .heartbeat-state.json ]
	run --separate-stderr hb_at "2026-01-05 12:00:00" -n
	[ "$output" = "skip disk: outside its active hours 20:00-08:00 until 20:00" ]
	run --separate-stderr hb_at "2026-01-05 23:00:00"
	[ "$(agent_runs)" = 1 ]
	say "more news"
	run --separate-stderr hb_at "2026-01-06 01:00:00"
	[ "$(agent_runs)" = 2 ]
	run --separate-stderr hb_at "2026-01-06 09:00:00"
	[ "$status" -eq 0 ]
	[ "$(agent_runs)" = 2 ]
	run --separate-stderr hb_at "2026-01-06 09:00:00" -n
	[ "$output" = "skip disk: outside its active hours 20:00-08:00 until 20:00" ]
	say "by hand"
	run --separate-stderr hb_at "2026-01-06 09:00:00" disk
	[ "$status" -eq 0 ]
	[ "$(agent_runs)" = 3 ]
	[ "$output" = "=== disk ===
by hand" ]
	# still due in the evening: it ran by hand at 09:00, an hour is up
	say "evening"
	run --separate-stderr hb_at "2026-01-06 20:00:30"
	[ "$(agent_runs)" = 4 ]
}

@test "active hours in America/New_York across the DST change of 2026-03-08 follow the wall clock" {
	reply_agent "news"
	task "stdout" 1h "    tz: America/New_York
    active_hours: 08:00-20:00"
	# 11:30 UTC is 07:30 EDT (06:30 had the clock not changed): outside
	run --separate-stderr hb_at "2026-03-08 11:30:00"
	[ "$status" -eq 0 ]
	[ "$(agent_runs)" = 0 ]
	# 12:30 UTC is 08:30 EDT: inside
	run --separate-stderr hb_at "2026-03-08 12:30:00"
	[ "$(agent_runs)" = 1 ]
	# 00:30 UTC the next day is 20:30 EDT (19:30 in EST): outside, and it stays due
	say "late"
	run --separate-stderr hb_at "2026-03-09 00:30:00"
	[ "$(agent_runs)" = 1 ]
	run --separate-stderr hb_at "2026-03-09 00:30:00" -n
	[ "$output" = "skip disk: outside its active hours 08:00-20:00 until 08:00" ]
	# the day before the change, 00:30 UTC is 19:30 EST: inside
	rm -f .heartbeat-state.json
	run --separate-stderr hb_at "2026-03-07 00:30:00"
	[ "$(agent_runs)" = 2 ]
}

@test "check: bad quiet_hours, active_hours and ping URLs are reported with their line, a ping's key not shown" {
	reply_agent
	task "stdout" 1h "    active_hours: 8-20
    ping: ftp://hc-ping.com/SECRET-UUID"
	printf '[delivery]\nquiet_hours = 22:00-25:00\nping = hc:nothttp/SECRET2\n' >hb-run.ini
	run --separate-stderr hb check
	[ "$status" -eq 2 ]
	all="$output$stderr"
	[[ "$all" == *"HEARTBEAT.md:6: bad active_hours: '8-20' is not HH:MM-HH:MM"* ]]
	[[ "$all" == *"HEARTBEAT.md:7: bad ping: a ping is an http:// or https:// URL"* ]]
	[[ "$all" == *"hb-run.ini:2: bad delivery.quiet_hours: '22:00-25:00' is not HH:MM-HH:MM"* ]]
	[[ "$all" == *"hb-run.ini:3: bad delivery.ping: a ping is an http:// or https:// URL"* ]]
	[[ "$all" != *SECRET* ]]
}

@test "pings: start, then success (healthchecks.io's shape); none on a tick with nothing due" {
	receiver
	reply_agent "all fine"
	task "stdout" 1h "    ping: http://$HOST/ping/5bf6-uuid"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "=== disk ===
all fine" ]
	[ "$(nreq)" = 2 ]
	[ "$(req 1 'R["method"] + " " + R["path"]')" = "GET /ping/5bf6-uuid/start" ]
	[ "$(req 2 'R["method"] + " " + R["path"]')" = "GET /ping/5bf6-uuid" ]
	[[ "$stderr" != *5bf6-uuid* ]]
	run --separate-stderr hb_at "2026-01-05 09:10:00"
	[ "$status" -eq 0 ]
	[ "$(nreq)" = 2 ]
}

@test "pings: a failure pings URL/<exit status> with the end of the output as the POST body" {
	receiver
	agent_script "$WS/agent.sh" <<'EOF'
echo "partial output"
echo "the disk is on fire" >&2
exit 3
EOF
	export HB_AGENT_AGENT_TURN="$WS/agent.sh"
	task "stdout" 1h
	export HB_DELIVERY_PING="http://$HOST/ping/abc"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 1 ]
	[ "$(nreq)" = 2 ]
	[ "$(req 1 'R["method"] + " " + R["path"]')" = "GET /ping/abc/start" ]
	[ "$(req 2 'R["method"] + " " + R["path"]')" = "POST /ping/abc/3" ]
	[ "$(req 2 'R["body"]')" = "partial output
the disk is on fire" ]
}

@test "pings: a ping server that is down never fails the task and is said once; ping: none turns it off" {
	receiver
	P=$PORT
	receiver_stop
	reply_agent "all fine"
	task "stdout" 1h "    ping: hc:http://$HOST/ping/SECRET-UUID"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "=== disk ===
all fine" ]
	[ "$(grep -c 'the ping to' <<<"$stderr")" = 1 ]
	[[ "$stderr" == *"warning: disk: the ping to http://$HOST/*** failed"* ]]
	[[ "$stderr" != *SECRET-UUID* ]]
	[ "$(py 'len(S["_pings"])')" = 1 ]
	say "still fine"
	run --separate-stderr hb_at "2026-01-05 10:00:30"
	[ "$status" -eq 0 ]
	[[ "$stderr" != *"the ping to"* ]]
	receiver "$P"
	say "fine again"
	run --separate-stderr hb_at "2026-01-05 11:01:00"
	[ "$status" -eq 0 ]
	[ "$(nreq)" = 2 ]
	[ "$(py '"_pings" in S')" = false ]
	task "stdout" 1h "    ping: none"
	export HB_DELIVERY_PING="http://$HOST/ping/default"
	say "no ping"
	run --separate-stderr hb_at "2026-01-05 12:02:00"
	[ "$(nreq)" = 2 ]
}

@test "pings: Cronitor's ?state=run, complete and fail" {
	receiver
	reply_agent "all fine"
	task "stdout" 1h "    ping: cronitor:http://$HOST/p/KEY123/backup"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$(req 1 'R["method"] + " " + R["path"]')" = "GET /p/KEY123/backup?state=run" ]
	[ "$(req 2 'R["method"] + " " + R["path"]')" = "GET /p/KEY123/backup?state=complete" ]
	agent_script "$WS/agent.sh" <<'EOF'
exit 4
EOF
	run --separate-stderr hb_at "2026-01-05 10:00:30"
	[ "$status" -eq 1 ]
	[ "$(req 3 'R["path"]')" = "/p/KEY123/backup?state=run" ]
	[ "$(req 4 'R["method"] + " " + R["path"]')" = "GET /p/KEY123/backup?state=fail" ]
}
