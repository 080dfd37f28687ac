#!/usr/bin/env bats
# deliver.bats - replies delivered to their targets: a real receiver on 127.0.0.1
# (fixtures/receiver.js) records every request, so each test checks the exact request the
# service documents (ntfy's JSON publishing and its auth, Slack's, Discord's and Telegram's
# bodies, Discord's split in order, hb-run's json:// body), the apprise CLI for a scheme
# hb-run does not speak, exec: and mailto: (a fake sendmail), failures (the receiver down,
# 500, 400: a retry kept in the outbox, a failure on stdout with the reason, exit 1), redaction
# and check.

load helpers
load receiver

teardown() {
	receiver_stop
	cd / || true
	[ -n "${WS:-}" ] && [ -d "$WS" ] && rm -rf "$WS"
}

# A fake agent that replies with the text of $WS/reply.
reply_agent() {
	agent_script "$WS/agent.sh" <<'EOF'
cat "$HBT_WS/reply"
EOF
	export HB_AGENT_AGENT_TURN="$WS/agent.sh"
	printf '%s\n' "${1:-Disk at 91% on /dev/sda.}" >"$WS/reply"
}

# task NOTIFY [EXTRA-KEY-LINES]: one task "disk" that notifies NOTIFY.
task() {
	{
		echo "tasks:"
		echo "  - name: disk"
		echo "    prompt: check the disk"
		if [ -n "$1" ]; then echo "    notify: $1"; fi
		if [ -n "${2:-}" ]; then printf '%s\n' "$2"; fi
	} >"$WS/HEARTBEAT.md"
}

T0="2026-01-05 09:00:00"

@test "deliver: the default target is stdout, as before" {
	reply_agent
	task ""
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "=== disk ===
Disk at 91% on /dev/sda." ]
	[ "$(py 'L[-1]["deliveries"]')" = '[{"target": "stdout", "result": "delivered"}]' ]
}

@test "deliver: ntfy: JSON publishing to the server's root with topic, title, priority; stdout stays quiet" {
	receiver
	reply_agent
	task "ntfy://$HOST/alerts" "    title: Disk alert
    priority: high"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(nreq)" = 1 ]
	[ "$(req 1 'R["method"]')" = POST ]
	[ "$(req 1 'R["path"]')" = / ]
	[ "$(req 1 'R["headers"]["content-type"]')" = application/json ]
	[ "$(req 1 'R["json"]')" = '{"topic": "alerts", "message": "Disk at 91% on /dev/sda.", "title": "Disk alert", "priority": 4}' ]
	[ "$(req 1 '"authorization" in R["headers"]')" = false ]
	[ "$(py 'L[-1]["deliveries"][0]["result"]')" = delivered ]
	[ "$(py 'L[-1]["reply_verdict"]')" = delivered ]
}

@test "deliver: ntfy auth: user:password is Basic, a token (user part or ?token=) is Bearer, and neither is shown" {
	receiver
	reply_agent
	task "ntfy://phil:s3cr3t-pw@$HOST/alerts, ntfy://tk_tokentoken1@$HOST/a2, ntfy://$HOST/a3?token=tk_tokentoken2"
	run --separate-stderr hb_at "$T0" -v
	[ "$status" -eq 0 ]
	[ "$(req 1 'R["headers"]["authorization"]')" = "Basic $(printf phil:s3cr3t-pw | base64)" ]
	[ "$(req 2 'R["headers"]["authorization"]')" = "Bearer tk_tokentoken1" ]
	[ "$(req 3 'R["headers"]["authorization"]')" = "Bearer tk_tokentoken2" ]
	[ "$(req 2 'R["json"]["topic"]')" = a2 ]
	[[ "$stderr" == *"delivered to ntfy://phil:***@$HOST/al***"* ]]
	[[ "$stderr" == *"delivered to ntfy://***@$HOST/a2***"* ]]
	refute grep -q -e s3cr3t-pw -e tk_tokentoken .heartbeat-log.jsonl
	[[ "$stderr" != *s3cr3t-pw* && "$stderr" != *tk_tokentoken* ]]
}

@test "deliver: an ntfy topic is a secret: its first 2 characters alone in stderr and the log" {
	receiver
	reply_agent
	task "ntfy://$HOST/topicSeCrEt"
	run --separate-stderr hb_at "$T0" -v
	[ "$status" -eq 0 ]
	[ "$(req 1 'R["json"]["topic"]')" = topicSeCrEt ]
	[[ "$stderr" == *"delivered to ntfy://$HOST/to***"* ]]
	[[ "$stderr" != *topicSeCrEt* ]]
	[ "$(py 'L[-1]["deliveries"][0]["target"]')" = "ntfy://$HOST/to***" ]
	refute grep -q topicSeCrEt .heartbeat-log.jsonl
}

@test "deliver: ntfy cuts a message past 4096 bytes and says so" {
	receiver
	reply_agent "$(for i in $(seq 200); do printf 'line %03d of a long report ......................\n' "$i"; done)"
	task "ntfy://$HOST/alerts"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$(req 1 'len(R["json"]["message"].encode())')" -le 4096 ]
	[[ "$(req 1 'R["json"]["message"]')" == *"more bytes not sent; the reply is in the hb-run log]" ]]
	[[ "$(req 1 'R["json"]["message"]')" == "line 001 of a long report"* ]]
}

@test "deliver: Slack by the webhook's path shape: {\"text\"} with the title and Slack's escapes" {
	receiver
	reply_agent "Disk <sda> & <sdb> at 91%."
	task "http://$HOST/services/T0001/B0002/XXXXsecretXXXX"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(req 1 'R["path"]')" = /services/T0001/B0002/XXXXsecretXXXX ]
	[ "$(req 1 'R["headers"]["content-type"]')" = application/json ]
	[ "$(req 1 'R["json"]')" = '{"text": "*disk*\nDisk &lt;sda&gt; &amp; &lt;sdb&gt; at 91%."}' ]
	[ "$(py 'L[-1]["deliveries"][0]["target"]')" = "http://$HOST/services/T0001/B0002/***" ]
	refute grep -q XXXXsecretXXXX .heartbeat-log.jsonl
}

@test "deliver: Discord: {\"content\"}, no mentions, 5000 characters split at 2000 in order on line ends" {
	receiver
	reply_agent "$(for i in $(seq 100); do printf 'line %03d: ........................................\n' "$i"; done)"
	task "http://$HOST/api/webhooks/123456/tok-SECRET_1"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$(nreq)" = 3 ]
	for n in 1 2 3; do
		[ "$(req $n 'R["path"]')" = /api/webhooks/123456/tok-SECRET_1 ]
		[ "$(req $n 'len(R["json"]["content"])')" -le 2000 ]
		[ "$(req $n 'R["json"]["allowed_mentions"]')" = '{"parse": []}' ]
	done
	[[ "$(req 1 'R["json"]["content"]')" == "**disk**
line 001: "* ]]
	# in order, whole lines, nothing lost or doubled
	"$HBT_PY" - "$WS/requests.jsonl" <<'PY'
import json, sys
parts = [json.loads(l)["json"]["content"] for l in open(sys.argv[1])]
text = "\n".join(parts)
want = "**disk**\n" + "\n".join("line %03d: %s" % (i, "." * 40) for i in range(1, 101))
assert text == want, (text[:200], want[:200])
assert all(p.splitlines()[-1].startswith("line ") for p in parts)
PY
	[ "$(py 'L[-1]["deliveries"][0]')" = "{\"target\": \"http://$HOST/api/webhooks/123456/***\", \"result\": \"delivered\", \"parts\": 3, \"parts_done\": 3}" ]
}

@test "deliver: Telegram: sendMessage with chat_id and text, through [delivery] telegram_api" {
	receiver
	reply_agent
	task "tgram://123456:AAH-secret_token/-100777" "    priority: low"
	export HB_DELIVERY_TELEGRAM_API="http://$HOST"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$(req 1 'R["path"]')" = /bot123456:AAH-secret_token/sendMessage ]
	[ "$(req 1 'R["json"]')" = '{"chat_id": "-100777", "text": "disk\nDisk at 91% on /dev/sda.", "disable_notification": true}' ]
	[ "$(py 'L[-1]["deliveries"][0]["target"]')" = "tgram://123456:***/-100777" ]
	refute grep -q AAH-secret_token .heartbeat-log.jsonl
}

@test "deliver: json:// posts the documented body, with +Header parameters and basic auth" {
	receiver
	reply_agent
	task "json://hook:pw-SECRET@$HOST/hook?+X-Source=hb-run" "    title: Disk alert
    priority: urgent"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$(req 1 'R["path"]')" = /hook ]
	[ "$(req 1 'R["headers"]["x-source"]')" = hb-run ]
	[ "$(req 1 'R["headers"]["authorization"]')" = "Basic $(printf hook:pw-SECRET | base64)" ]
	[ "$(req 1 'sorted(R["json"])')" = '["host", "message", "priority", "run_id", "task", "time", "title"]' ]
	[ "$(req 1 'R["json"]["task"]')" = disk ]
	[ "$(req 1 'R["json"]["title"]')" = "Disk alert" ]
	[ "$(req 1 'R["json"]["message"]')" = "Disk at 91% on /dev/sda." ]
	[ "$(req 1 'R["json"]["priority"]')" = urgent ]
	[ "$(req 1 'R["json"]["run_id"]')" = "$(py 'L[-1]["run_id"]')" ]
	[ "$(req 1 'R["json"]["host"]')" = "$(hostname)" ]
	[[ "$(req 1 'R["json"]["time"]')" == 2026-01-05T09:00:0?Z ]]
}

@test "deliver: apprise delivers a scheme hb-run does not speak (form://), the URL not on its command line" {
	receiver
	command -v apprise >/dev/null || skip "apprise is not installed"
	reply_agent
	task "form://$HOST/form-hook"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(req 1 'R["path"]')" = /form-hook ]
	[ "$(req 1 'R["form"]["title"]')" = disk ]
	[ "$(req 1 'R["form"]["message"]')" = "Disk at 91% on /dev/sda." ]
	[ "$(py 'L[-1]["deliveries"][0]["target"]')" = "form://***" ]
}

@test "deliver: exec: the message on stdin, HB_TASK, HB_TITLE, HB_PRIORITY, HB_RUN_ID; exit 0 delivers" {
	reply_agent
	agent_script "$WS/page.sh" <<'EOF'
cat >"$HBT_WS/paged"
env | grep -E '^HB_(TASK|TITLE|PRIORITY|RUN_ID)=' | sort >"$HBT_WS/paged.env"
EOF
	task "exec:./page.sh" "    title: Disk alert"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(cat "$WS/paged")" = "Disk at 91% on /dev/sda." ]
	[ "$(cat "$WS/paged.env")" = "HB_PRIORITY=default
HB_RUN_ID=$(py 'L[-1]["run_id"]')
HB_TASK=disk
HB_TITLE=Disk alert" ]
}

@test "deliver: exec: exit 75 is a retry (kept in the outbox), another status a failure (the reply on stdout with the reason)" {
	reply_agent
	agent_script "$WS/busy.sh" <<'EOF'
echo "pager busy" >&2
exit 75
EOF
	agent_script "$WS/broken.sh" <<'EOF'
echo "no such pager" >&2
exit 3
EOF
	task "exec:./busy.sh, exec:./broken.sh"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 1 ]
	[ "$output" = "=== disk ===
[hb-run: not delivered to exec:./broken.sh: ./broken.sh exited with status 3: no such pager]
Disk at 91% on /dev/sda." ]
	[ "$(py '[d["result"] for d in L[-1]["deliveries"]]')" = '["retry", "failed"]' ]
	[[ "$stderr" == *"disk: not delivered to exec:./busy.sh: ./busy.sh exited with status 75: pager busy; kept in the outbox and tried again at later ticks"* ]]
	[ "$(py '[a["target"] for a in S["_outbox"]]')" = '["exec:./busy.sh"]' ]
}

@test "deliver: mailto: through sendmail -t -oi with To, Subject, a UTF-8 Content-Type" {
	reply_agent "Plattenplatz: 91 % belegt."
	mkdir "$WS/bin"
	agent_script "$WS/bin/sendmail" <<'EOF'
printf '%s\n' "$@" >"$HBT_WS/sendmail.args"
cat >"$HBT_WS/sendmail.in"
EOF
	task "mailto:ops@example.com" "    title: Platte fast voll – sda"
	PATH="$WS/bin:$PATH" run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$(cat "$WS/sendmail.args")" = "-t
-oi" ]
	grep -qx 'To: ops@example.com' "$WS/sendmail.in"
	grep -qx "Subject: =?UTF-8?B?$(printf 'Platte fast voll – sda' | base64 -w0)?=" "$WS/sendmail.in"
	grep -qx 'Content-Type: text/plain; charset=UTF-8' "$WS/sendmail.in"
	[ "$(sed '1,/^$/d' "$WS/sendmail.in")" = "Plattenplatz: 91 % belegt." ]
}

@test "deliver: the receiver down: a retry, kept in the outbox and said on stderr; stdout stays quiet" {
	receiver
	receiver_stop
	reply_agent
	task "ntfy://$HOST/alerts"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[[ "$stderr" == *"not delivered to ntfy://$HOST/al***: $HOST: "*"; kept in the outbox"* ]]
	[ "$(py 'L[-1]["deliveries"][0]["result"]')" = retry ]
	[ "$(py 'S["_outbox"][0]["text"]')" = "Disk at 91% on /dev/sda." ]
	[[ "$(py 'L[-1]["deliveries"][0]["reason"]')" == "$HOST: "* ]]
}

@test "deliver: a 500 is a retry, a 400 a failure, each said; stdout as a target is shown once" {
	receiver
	reply_agent
	plan r500 r400
	task "stdout, json://$HOST/a, tgram://1:SECRETX/2"
	export HB_DELIVERY_TELEGRAM_API="http://$HOST"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 1 ]
	[ "$output" = "=== disk ===
Disk at 91% on /dev/sda.

=== disk ===
[hb-run: not delivered to tgram://1:***/2: $HOST: 400 Bad Request: {\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}]" ]
	[ "$(py '[d["result"] for d in L[-1]["deliveries"]]')" = '["delivered", "retry", "failed"]' ]
	[[ "$stderr" != *SECRETX* ]]
}

@test "deliver: a 429 and a service that never answers are retries; the timeout is [delivery] timeout" {
	receiver
	reply_agent
	plan r429 hang
	task "json://$HOST/a, json://$HOST/b"
	export HB_DELIVERY_TIMEOUT=2s
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$(py '[d["result"] for d in L[-1]["deliveries"]]')" = '["retry", "retry"]' ]
	[[ "$(py 'L[-1]["deliveries"][0]["reason"]')" == *"429 Too Many Requests"* ]]
	[[ "$(py 'L[-1]["deliveries"][1]["reason"]')" == *"no answer in time"* ]]
}

@test "deliver: [delivery] notify is the default; a task's notify: replaces it" {
	receiver
	reply_agent
	cat >"$WS/HEARTBEAT.md" <<'EOF'
tasks:
  - name: a
    prompt: p
  - name: b
    notify: stdout
    prompt: q
EOF
	printf '[delivery]\nnotify = [json://%s/default]\n' "$HOST" >"$WS/hb-run.ini"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 0 ]
	[ "$output" = "=== b ===
Disk at 91% on /dev/sda." ]
	[ "$(nreq)" = 1 ]
	[ "$(req 1 'R["json"]["task"]')" = a ]
}

@test "deliver: check: bad targets (redacted), a missing apprise, sendmail, notify-send, an exec: program" {
	cat >"$WS/HEARTBEAT.md" <<'EOF'
tasks:
  - name: a
    notify: tgram://123:SECRETSECRET
    prompt: p
  - name: b
    notify: [stdout, "mailto:me@example.com", desktop://, exec:./nope.sh, form://h/x]
    prompt: q
EOF
	run --separate-stderr env PATH=/nonexistent "$HB_BIN" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:3: bad notify target 'tgram://***': tgram: no chat id"* ]]
	if [ ! -x /usr/sbin/sendmail ] && [ ! -x /usr/lib/sendmail ] && [ ! -x /usr/local/sbin/sendmail ]; then
		[[ "$stderr" == *"HEARTBEAT.md:6: notify: mailto:me@example.com: sendmail is not installed"* ]]
	fi
	[[ "$stderr" == *"HEARTBEAT.md:6: notify: desktop://: notify-send is not installed"* ]]
	[[ "$stderr" == *"HEARTBEAT.md:6: notify: exec:./nope.sh: ./nope.sh: no such executable file"* ]]
	[[ "$stderr" == *"HEARTBEAT.md:6: notify: form://***: apprise is not installed"* ]]
	[[ "$stderr" != *SECRETSECRET* ]]
}

@test "deliver: check passes with every program in place, and reads [delivery] notify" {
	mkdir "$WS/bin"
	for p in sendmail notify-send apprise; do printf '#!/bin/sh\n' >"$WS/bin/$p"; chmod +x "$WS/bin/$p"; done
	agent_script "$WS/page.sh" </dev/null
	printf '[delivery]\nnotify = stdout, exec:./page.sh, pover://u@t\n' >"$WS/hb-run.ini"
	cat >"$WS/HEARTBEAT.md" <<'EOF'
tasks:
  - name: b
    notify: mailto:me@example.com, desktop://
    prompt: q
  - name: c
    prompt: r
EOF
	run --separate-stderr env PATH="$WS/bin:/usr/bin:/bin" "$HB_BIN" check
	[ "$status" -eq 0 ]
	printf '[delivery]\nnotify = exec:./gone.sh\n' >"$WS/hb-run.ini"
	run --separate-stderr env PATH="$WS/bin:/usr/bin:/bin" "$HB_BIN" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"delivery.notify: exec:./gone.sh: ./gone.sh: no such executable file"* ]]
}

@test "deliver: a bad [delivery] notify is a configuration error naming the line, its secret redacted" {
	task ""
	printf '[delivery]\nnotify = ntfy://me:SECRETPW@\n' >"$WS/hb-run.ini"
	run --separate-stderr hb_at "$T0"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:2: bad delivery.notify target 'ntfy://***'"* ]]
	[[ "$stderr" != *SECRETPW* ]]
}
