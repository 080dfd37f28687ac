#!/usr/bin/env bats
# checks.bats - cheap first: a task's check: before its agent (a command's exit status and
# output; the built-ins against real things the tests make: a git repository, folders, the
# file system's usage, a Markdown file, a local HTTP server), the triage by a small model
# (the stand-in llm-server.js answering YES and NO; the real llama.cpp server when it is
# installed), [runner] defer_load and nice, and a day of ticks that costs nothing.

load helpers

HTTP_BIN="${HB_HTTP_BIN:-$BATS_TEST_DIRNAME/../../hb-run-http}"
case $HTTP_BIN in /*) ;; *) HTTP_BIN="$PWD/$HTTP_BIN" ;; esac
MODEL="$BATS_TEST_DIRNAME/../data/llama-2-tiny-random.gguf"
LLAMA_PACKAGES="$BATS_TEST_DIRNAME/../agents/llama"
T0="2026-01-05 09:00:00"
# stat() as it is: libfaketime would shift file times by each tick's own offset
export NO_FAKE_STAT=1

# start_server FIXTURE ARGS...: node FIXTURE ARGS... PORTFILE LOGFILE in the background
# (stopped by its pid); sets HOST.
start_server() {
	local fixture=$1 i
	shift
	command -v node >/dev/null || skip "node is not installed"
	node "$HBT_FIXTURES/$fixture" "$@" "$WS/port" "$WS/requests.jsonl" 2>"$WS/server.err" &
	SERVER_PID=$!
	echo "$SERVER_PID" >"$WS/pids/server"
	for i in $(seq 600); do
		[ -s "$WS/port" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$WS/port" ] || fail "$fixture did not start: $(cat "$WS/server.err")"
	HOST="127.0.0.1:$(cat "$WS/port")"
}

# start_web DIR: python3 -m http.server serving DIR on 127.0.0.1 (stopped by its pid); sets
# WEB (host:port).
start_web() {
	local port i
	port=$("$HBT_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$HBT_PY" -m http.server --bind 127.0.0.1 --directory "$1" "$port" \
	    >"$WS/web.log" 2>&1 &
	WEB_PID=$!
	echo "$WEB_PID" >"$WS/pids/web"
	for i in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	WEB="127.0.0.1:$port"
}

stop_servers() {
	local p
	for p in "${SERVER_PID:-}" "${WEB_PID:-}"; do
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null || true
	done
	SERVER_PID= WEB_PID=
}

eval "hbc_base_teardown() $(declare -f teardown | tail -n +2)"
teardown() {
	stop_servers
	hbc_base_teardown
}

# The stand-in's plan for its next requests.
plan() {
	curl -sf -X POST "http://$HOST/_plan" --data-binary "$*" >/dev/null
}
requests() {
	curl -sf "http://$HOST/_count"
}

# tick [TIME]: a tick at TIME (default T0) under bats' run, stdout and stderr apart.
tick() {
	hb_at "${1:-$T0}"
}

# One task with CHECK as its check: and PROMPT (none when empty) as its prompt.
one_task() {
	{
		printf 'tasks:\n- name: watch\n  interval: 30m\n  check: %s\n' "$1"
		[ -z "${2:-}" ] || printf '  prompt: %s\n' "$2"
	} >HEARTBEAT.md
}

# The last log entry's FIELD.
last() {
	py "L[-1].get(\"$1\")"
}

# ---- command checks ----------------------------------------------------------------------

@test "a check that finds something: the agent gets its output under '## Check findings'; tier agent" {
	one_task 'printf "disk nearly full\n"' 'Look into it.'
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of watch)" -eq 1 ]
	grep -qx '## Check findings' rec/watch.1.prompt
	grep -qx 'disk nearly full' rec/watch.1.prompt
	[ "$(head -n 1 rec/watch.1.prompt)" = "Look into it." ]
	[ "$(last status)" = ok ]
	[ "$(last tier)" = agent ]
	[ "$(last findings)" = "disk nearly full" ]
	[ "$(py 'S["watch"]["last_tier"]')" = agent ]
	[[ "$output" == *"reply from watch"* ]]
}

@test "-n: a task with a check says the check comes first, and the triage after it" {
	start_server llm-server.js
	triage_ini
	triage_task
	run --separate-stderr hb_at "$T0" -n
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$output" = "$(printf 'would run watch: every 30m, never ran\n  check first: cat findings.txt; then the triage by agent small')" ] ||
	    fail "$output"
	[ "$(requests)" -eq 0 ]
	[ ! -e .heartbeat-log.jsonl ]
}

@test "a check that exits 1, or prints nothing: all clear; counts as run, no agent, 0 tokens, logged clear" {
	one_task 'echo something; exit 1' 'Look into it.'
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output$stderr" ]
	[ "$(runs_of)" -eq 0 ]
	[ "$(last status)" = clear ]
	[ "$(last tier)" = check ]
	[ "$(last exit)" = 1 ]
	[ "$(py '"input_tokens" in L[-1] or "agent" in L[-1] or "reply" in L[-1]')" = false ]
	[ "$(py 'S["watch"]["last_run"]')" -eq "$(epoch "$T0")" ]
	[ "$(py 'S["watch"]["consecutive_errors"]')" -eq 0 ]
	# not due again until its interval passed
	run --separate-stderr tick "2026-01-05 09:10:00"
	[ "$(py 'len(L)')" -eq 1 ]
	one_task 'true' 'Look into it.'
	run --separate-stderr tick "2026-01-05 09:31:00"
	[ "$status" -eq 0 ]
	[ "$(runs_of)" -eq 0 ]
	[ "$(last status)" = clear ]
	[ "$(last exit)" = 0 ]
	run --separate-stderr hb_at "2026-01-05 09:32:00" status
	[[ "$output" == *"clear (exit 0), "*", tier check"* ]]
	run --separate-stderr hb_at "2026-01-05 09:32:00" status --json
	[ "$(echo "$output" | jq -r '.[0].last_tier')" = check ]
	[ "$(echo "$output" | jq -r '.[0].last_status')" = clear ]
	run --separate-stderr hb_at "2026-01-05 09:32:00" log
	[[ "$output" == *" watch "*" clear "*" interval check"* ]]
}

@test "a check that exits 2: the run fails (its status and stderr said), backoff; no agent" {
	one_task 'echo "cannot reach the db" >&2; exit 2' 'Look into it.'
	run --separate-stderr tick
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"watch: the check failed with exit status 2 after"* ]]
	[[ "$stderr" == *"cannot reach the db"* ]]
	[ "$(runs_of)" -eq 0 ]
	[ "$(last status)" = error ]
	[ "$(last tier)" = check ]
	[[ "$(last stderr)" == *"cannot reach the db"* ]]
	[ "$(py 'S["watch"]["consecutive_errors"]')" -eq 1 ]
	# the backoff: due again after 30 s, not at once... and after the interval anyway
	run --separate-stderr hb_at "2026-01-05 09:31:00" status --json
	[ "$(echo "$output" | jq -r '.[0].backoff_s')" -gt 0 ]
}

@test "a check that runs too long is ended with its process group at check_timeout: a timeout" {
	one_task 'echo $$ >>pids/check; sleep 30 & echo $! >>pids/check; wait' 'Look into it.'
	printf '[runner]\ncheck_timeout = 1s\n' >hb-run.ini
	SECONDS=0
	run --separate-stderr tick
	[ "$status" -eq 1 ]
	[ "$SECONDS" -lt 15 ]
	[[ "$stderr" == *"watch: the check timed out after 1s; its process group was ended"* ]]
	[ "$(last status)" = timeout ]
	while read -r pid; do
		gone "$pid" || fail "check process $pid is still there"
	done <pids/check
	[ "$(runs_of)" -eq 0 ]
}

@test "a check's huge output is bounded: the findings and the agent's prompt stay small" {
	one_task 'head -c 5000000 /dev/zero | tr "\0" x; echo; echo THE-END' 'Look into it.'
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of watch)" -eq 1 ]
	[ "$(stat -c %s rec/watch.1.prompt)" -lt 40000 ]
	grep -q 'THE-END' rec/watch.1.prompt
	grep -q 'bytes cut here' rec/watch.1.prompt
	[ "$(py 'len(L[-1]["findings"])')" -le 8300 ]
}

@test "a check and no prompt: the findings themselves are delivered, no model; clear delivers nothing" {
	one_task 'echo "backup older than a day: $(cat age)"'
	echo 26h >age
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$output" = "$(printf '=== watch ===\nbackup older than a day: 26h')" ]
	[ "$(runs_of)" -eq 0 ]
	[ "$(last status)" = ok ]
	[ "$(last tier)" = check ]
	[ "$(last reply_verdict)" = delivered ]
	[ "$(py '"agent" in L[-1]')" = false ]
	# the same findings again within 24 h: a duplicate, not sent twice
	run --separate-stderr tick "2026-01-05 09:31:00"
	[ -z "$output" ]
	[ "$(last reply_verdict)" = duplicate ]
	echo 27h >age
	run --separate-stderr tick "2026-01-05 10:01:00"
	[[ "$output" == *"backup older than a day: 27h"* ]]
}

@test "SIGTERM during a check: it is ended, the claim given back, logged interrupted; still due" {
	one_task 'echo $PPID >>pids/hb; echo $$ >>pids/check; exec sleep 30' 'Look into it.'
	hb_at "$T0" >bg.out 2>bg.err 3>&- &
	local bg=$! i
	for i in $(seq 100); do [ -s pids/check ] && break; sleep 0.1; done
	[ -s pids/check ] || fail "the check did not start: $(cat bg.err)"
	[ "$(py '"running" in S["watch"]')" = true ]
	kill -TERM "$(cat pids/hb)"
	local st=0
	wait "$bg" || st=$?
	[ "$st" -eq 143 ] || fail "exit $st: $(cat bg.err)"
	grep -q "watch: the check was interrupted by signal 15" bg.err
	[ "$(last status)" = interrupted ]
	[ "$(py '"running" in S["watch"] or "last_run" in S["watch"]')" = false ]
	gone "$(cat pids/check)"
	[ "$(runs_of)" -eq 0 ]
}

# ---- built-ins ---------------------------------------------------------------------------

# git in a test: no user configuration needed.
g() {
	git -C repo -c user.name=t -c user.email=t@example.com "$@"
}

@test "git-changes: first run a snapshot; commits on any branch, a new or deleted branch, a changed working tree" {
	command -v git >/dev/null || skip "git is not installed"
	git init -q repo
	g commit -q --allow-empty -m one
	one_task 'git-changes repo'
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	# no change
	run --separate-stderr tick "2026-01-05 09:31:00"
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	# a commit, and a new branch
	g commit -q --allow-empty -m two
	g commit -q --allow-empty -m 'three: the fix'
	g branch feature
	run --separate-stderr tick "2026-01-05 10:01:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"repo: refs/heads/"*" moved "*" -> "*"
  "*" three: the fix
  "*" two"* ]]
	[[ "$output" == *"repo: new refs/heads/feature at "* ]]
	[ "$(last tier)" = check ]
	# the working tree
	echo hello >repo/new.txt
	run --separate-stderr tick "2026-01-05 10:31:00"
	[[ "$output" == *"repo: the working tree changed:"*"?? new.txt"* ]]
	# a deleted branch; the tree clean again
	g branch -q -D feature
	rm repo/new.txt
	run --separate-stderr tick "2026-01-05 11:01:00"
	[[ "$output" == *"repo: refs/heads/feature deleted"* ]]
	[[ "$output" == *"repo: the working tree is clean again"* ]]
	[ "$(py 'S["watch"]["check"]["on"]')" = "git-changes repo" ]
}

@test "git-changes: a path that is not a repository is a check failure naming it" {
	command -v git >/dev/null || skip "git is not installed"
	mkdir plain
	one_task 'git-changes plain'
	run --separate-stderr tick
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"watch: the check failed: git-changes: plain: not a git repository"* ]]
	[ "$(last status)" = error ]
}

@test "new-files: files that appeared (name, size), by glob, bounded; a removal finds nothing" {
	mkdir inbox
	echo old >inbox/old.pdf
	one_task "new-files inbox '*.pdf'"
	run --separate-stderr tick
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	printf 'twelve bytes' >inbox/invoice.pdf
	echo x >inbox/notes.txt
	run --separate-stderr tick "2026-01-05 09:31:00"
	[ "$output" = "$(printf '=== watch ===\n1 new file in inbox:\ninvoice.pdf (12 bytes)')" ]
	rm inbox/invoice.pdf
	run --separate-stderr tick "2026-01-05 10:01:00"
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	for i in $(seq 30); do echo "$i" >"inbox/f$i.pdf"; done
	run --separate-stderr tick "2026-01-05 10:31:00"
	[[ "$output" == *"30 new files in inbox:"*"and 10 more"* ]]
	[ "$(echo "$output" | grep -c '\.pdf (')" -eq 20 ]
}

@test "file-changes: added, changed, removed files under a tree; the bound on entries is said" {
	mkdir -p tree/a/b
	echo 1 >tree/a/one
	echo 2 >tree/a/b/two
	echo 3 >tree/three
	one_task 'file-changes tree'
	run --separate-stderr tick
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	run --separate-stderr tick "2026-01-05 09:31:00"
	[ -z "$output" ]
	echo changed-size >tree/a/b/two
	echo 4 >tree/a/four
	rm tree/three
	run --separate-stderr tick "2026-01-05 10:01:00"
	[[ "$output" == *"Files changed under tree: 1 added, 1 changed, 1 removed"* ]]
	[[ "$output" == *"added: tree/a/four"* ]]
	[[ "$output" == *"changed: tree/a/b/two"* ]]
	[[ "$output" == *"removed: tree/three"* ]]
	# a replaced file (a new inode, same size and time) is a change too
	cp -p tree/a/one tree/a/one.new
	mv tree/a/one.new tree/a/one
	run --separate-stderr tick "2026-01-05 10:31:00"
	[[ "$output" == *"changed: tree/a/one"* ]]
	# more files than the bound
	mkdir tree/many
	(cd tree/many && seq 10010 | xargs touch)
	run --separate-stderr tick "2026-01-05 11:01:00"
	[[ "$output" == *"(only the first 10000 files were looked at)"* ]]
	[ "$(py 'S["watch"]["check"]["truncated"]')" = true ]
}

@test "file-changes: a path that does not exist is a check failure naming it" {
	one_task 'file-changes nowhere'
	run --separate-stderr tick
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"watch: the check failed: file-changes: nowhere: No such file or directory"* ]]
}

@test "disk-space: usage at or above the threshold (df's figure) finds, once; below it is clear" {
	local used
	used=$(df -P . | awk 'NR == 2 { sub("%", "", $5); print $5 }')
	[ "$used" -ge 2 ] && [ "$used" -le 99 ] || skip "usage $used% leaves no room for thresholds"
	# just above the usage: clear
	one_task "disk-space . $((used + 1))"
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	# at the usage: found, on the first run of this check
	one_task "disk-space . $used"
	run --separate-stderr tick "2026-01-05 09:31:00"
	[[ "$output" == *"The file system of . is ${used}% full (the threshold is ${used}%)"* ]]
	# still over: not said again
	run --separate-stderr tick "2026-01-05 10:01:00"
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	# another check: line starts afresh and finds again (its text, the same within 24 h,
	# is held back as a duplicate)
	one_task "disk-space ./ $used"
	run --separate-stderr tick "2026-01-05 10:31:00"
	[[ "$output" == *"The file system of ./ is ${used}% full"* ]]
}

@test "disk-space: a small tmpfs filled to the threshold (root only)" {
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
	mkdir mnt
	mount -t tmpfs -o size=1m tmpfs mnt 2>/dev/null || skip "cannot mount a tmpfs here"
	one_task 'disk-space mnt 50'
	run --separate-stderr tick
	local first=$output
	head -c 700000 /dev/zero >mnt/fill
	run --separate-stderr tick "2026-01-05 09:31:00"
	local second=$output
	umount mnt
	[ -z "$first" ]
	[[ "$second" == *"The file system of mnt is "*"% full (the threshold is 50%)"* ]]
}

@test "disk-space: a path that does not exist is a check failure" {
	one_task 'disk-space /nonexistent/x 90'
	run --separate-stderr tick
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"watch: the check failed: disk-space: /nonexistent/x: No such file or directory"* ]]
}

@test "todo-scan: new unchecked items ('Found 3 new tasks'), not the old or the checked ones" {
	printf '# Todo\n- [ ] old one\n- [x] done\n' >TODO.md
	one_task 'todo-scan TODO.md'
	run --separate-stderr tick
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	run --separate-stderr tick "2026-01-05 09:31:00"
	[ -z "$output" ]
	printf -- '- [ ] call the bank\n- [ ] renew the domain\n  * [ ] water the plants\n- [x] also done\n' >>TODO.md
	run --separate-stderr tick "2026-01-05 10:01:00"
	[ "$output" = "$(printf '=== watch ===\nFound 3 new tasks in TODO.md:\n- [ ] call the bank\n- [ ] renew the domain\n- [ ] water the plants')" ]
	# an item checked off (removed from the unchecked ones): nothing new
	sed -i 's/- \[ \] call the bank/- [x] call the bank/' TODO.md
	run --separate-stderr tick "2026-01-05 10:31:00"
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	rm TODO.md
	run --separate-stderr tick "2026-01-05 11:01:00"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"watch: the check failed: todo-scan: TODO.md: no such file"* ]]
}

@test "url-changed: through hb-run-http; first run a snapshot, the same page clear, a new one found, a 404 a failure naming host and status" {
	command -v curl >/dev/null || skip "curl is not installed"
	mkdir site
	echo "version 1" >site/page.html
	start_web site
	printf '[runner]\nhttp_helper = %s\n' "$HTTP_BIN" >hb-run.ini
	one_task "url-changed http://$WEB/page.html"
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	run --separate-stderr tick "2026-01-05 09:31:00"
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	echo "version 2, longer" >site/page.html
	run --separate-stderr tick "2026-01-05 10:01:00"
	[ "$output" = "$(printf '=== watch ===\nhttp://%s/page.html changed: now 18 bytes (was 10).' "$WEB")" ]
	rm site/page.html
	run --separate-stderr tick "2026-01-05 10:31:00"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"watch: the check failed: url-changed: $WEB: 404"* ]]
	# the page back as it was last seen: the snapshot was kept through the failure
	echo "version 2, longer" >site/page.html
	run --separate-stderr tick "2026-01-05 11:01:00"
	[ -z "$output" ]
	[ "$(last status)" = clear ]
	stop_servers
}

# ---- triage ------------------------------------------------------------------------------

# hb-run.ini: the helper, and [agent.small] (openai) at the stand-in as the triage agent.
triage_ini() {
	{
		printf '[runner]\nhttp_helper = %s\n\n' "$HTTP_BIN"
		printf '[triage]\nagent = small\n\n'
		printf '[agent.small]\napi = openai\nurl = http://%s/v1\nmodel = tiny\n' "$HOST"
		printf 'price_in = 1\nprice_out = 2\n'
	} >hb-run.ini
}

triage_task() {
	cat >HEARTBEAT.md <<'MD'
tasks:
- name: watch
  interval: 30m
  check: cat findings.txt
  triage: Does this need a person today?
  prompt: Deal with it.
MD
}

@test "triage NO: the agent does not run; logged triaged_out with the reason and the triage's tokens apart" {
	start_server llm-server.js
	triage_ini
	triage_task
	echo "a typo was fixed" >findings.txt
	plan no
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output" ]
	[ "$(runs_of)" -eq 0 ]
	[ "$(requests)" -eq 1 ]
	[ "$(last status)" = triaged_out ]
	[ "$(last tier)" = triage ]
	[ "$(last triage)" = no ]
	[ "$(last triage_reason)" = "nothing new (request 1)" ]
	[ "$(last triage_input_tokens)" = 12 ]
	[ "$(last triage_output_tokens)" = 5 ]
	[ "$(last triage_cost_usd)" = 2.2e-05 ]
	[ "$(py '"input_tokens" in L[-1]')" = false ]
	[ "$(py 'S["watch"]["consecutive_errors"]')" -eq 0 ]
	# what the small model was asked: the question and the findings
	jq -r '.body.messages[-1].content' "$WS/requests.jsonl" >asked
	grep -q 'Does this need a person today?' asked
	grep -q 'a typo was fixed' asked
	grep -q 'Answer YES or NO' asked
	run --separate-stderr hb_at "2026-01-05 09:01:00" log
	[[ "$output" == *"triaged_out"*"triage"*"(triage 12/5 tokens)"* ]]
}

@test "triage and budgets: its tokens count against [budget] daily_tokens; once reached, no triage is asked (over_budget)" {
	start_server llm-server.js
	triage_ini
	printf '\n[budget]\ndaily_tokens = 20\n' >>hb-run.ini
	triage_task
	echo "a typo was fixed" >findings.txt
	plan no
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(last status)" = triaged_out ]
	[ "$(py 'S["_budget"]["tokens"]')" -eq 17 ]		# the triage's 12 + 5
	echo "another typo" >findings.txt
	plan no
	run --separate-stderr tick "2026-01-05 09:31:00"
	[ "$(last status)" = triaged_out ]
	[ "$(py 'S["_budget"]["tokens"]')" -eq 34 ]
	# reached: the next finding asks no model at all, and the task stays due
	echo "a third change" >findings.txt
	run --separate-stderr tick "2026-01-05 10:01:00"
	[ "$(requests)" -eq 2 ]
	[ "$(last status)" = over_budget ]
	[ "$(runs_of)" -eq 0 ]
	[[ "$output" == *"budget reached"* ]]
}

@test "triage YES: the agent runs with the findings; the triage's verdict in the log" {
	start_server llm-server.js
	triage_ini
	triage_task
	echo "the backup failed" >findings.txt
	plan yes
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of watch)" -eq 1 ]
	grep -qx 'the backup failed' rec/watch.1.prompt
	[ "$(last status)" = ok ]
	[ "$(last tier)" = agent ]
	[ "$(last triage)" = yes ]
	[ "$(last triage_reason)" = "worth a look (request 1)" ]
	[[ "$output" == *"reply from watch"* ]]
}

@test "triage: an unclear answer counts as YES (said in the log); a failing triage agent lets the agent run" {
	start_server llm-server.js
	triage_ini
	triage_task
	echo "something" >findings.txt
	plan ok
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of watch)" -eq 1 ]
	[ "$(last triage)" = unclear ]
	[[ "$(last triage_reason)" == *"neither YES nor NO: the agent runs"* ]]
	echo "something else" >findings.txt
	plan r401
	run --separate-stderr tick "2026-01-05 09:31:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"watch: the triage by agent small failed ("*"401"*"); the agent runs"* ]]
	[ "$(runs_of watch)" -eq 2 ]
	[ "$(last triage)" = failed ]
	[ "$(last status)" = ok ]
}

@test "triage with the real llama.cpp server: its gibberish is unclear, so the agent runs" {
	[ -f "$LLAMA_PACKAGES/node_modules/node-llama-cpp/package.json" ] ||
	    skip "node-llama-cpp is not installed in tests/agents/llama (make test-deps)"
	start_server llama-server.js "$MODEL"
	triage_ini
	triage_task
	echo "the certificate expires in 3 days" >findings.txt
	run --separate-stderr hb
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(runs_of watch)" -eq 1 ]
	[ "$(last triage)" = unclear ]
	[ "$(py 'L[-1]["triage_input_tokens"] > 0')" = true ]
}

@test "hb-monitor: a task failing 3 times in a row is found (once, not at every tick); a new problem is found again" {
	heartbeat <<'MD'
tasks:
- name: flaky
  interval: 30m
  prompt: work
- name: other
  interval: 30m
  prompt: work too
- name: watchdog
  interval: 30m
  check: hb-monitor 3
MD
	echo 1 >exit.flaky
	# the checks run before the agents: the first run sees nothing wrong yet
	run --separate-stderr tick
	[ "$(py '[e["status"] for e in L if e["task"] == "watchdog"]')" = '["clear"]' ]
	# flaky fails on (its backoff lets it run again at these ticks)
	local at
	for at in "2026-01-05 10:00:00" "2026-01-05 11:00:00"; do
		run --separate-stderr tick "$at"
	done
	[ "$(py 'S["flaky"]["consecutive_errors"]')" -eq 3 ]
	[ "$(py '[e["status"] for e in L if e["task"] == "watchdog"][-1]')" = clear ]
	run --separate-stderr tick "2026-01-05 12:30:00"
	[ "$(py '[e["status"] for e in L if e["task"] == "watchdog"][-1]')" = ok ]
	[[ "$output" == *"=== watchdog ==="*"flaky: failed 3 times in a row (last: error)"* ]]
	[ "$(runs_of watchdog)" -eq 0 ]		# no model: the findings are the alert
	# the same problem at the next tick (more failures, another backoff): not said again
	run --separate-stderr tick "2026-01-05 14:00:00"
	[[ "$output" != *"=== watchdog ==="* ]]
	[ "$(py '[e["status"] for e in L if e["task"] == "watchdog"][-1]')" = clear ]
	# a new problem: other fails three times too; both are said
	echo 1 >exit.other
	for at in "2026-01-05 15:30:00" "2026-01-05 17:00:00" "2026-01-05 18:30:00" \
	    "2026-01-05 20:00:00"; do
		run --separate-stderr tick "$at"
	done
	[ "$(py 'S["other"]["consecutive_errors"]')" -ge 3 ]
	[ "$(py 'sum(1 for e in L if e["task"] == "watchdog" and e.get("reply_verdict") == "delivered")')" -eq 2 ] ||
	    fail "$(py '[(e["task"], e["time"], e["status"], e.get("reply")) for e in L]')"
	[ "$(py '[e for e in L if e["task"] == "watchdog" and e.get("reply_verdict") == "delivered"][-1]["reply"]')" != "" ]
	py '[e for e in L if e["task"] == "watchdog" and e.get("reply_verdict") == "delivered"][-1]["reply"]' |
	    grep -q 'other: failed [0-9]* times in a row'
}

@test "daily-summary: the last 24 h of runs per task, as report --text says it, delivered without a model" {
	heartbeat <<'MD'
tasks:
- name: inbox
  interval: 30m
  prompt: check the inbox
- name: summary
  cron: "0 8 * * *"
  check: daily-summary
MD
	echo 'two new mails' >reply.inbox
	run --separate-stderr tick "2026-01-05 07:00:00"
	run --separate-stderr tick "2026-01-05 07:30:00"
	# what hb-run report --text says of the last 24 h just before the summary's tick
	run --separate-stderr hb_at "2026-01-05 07:59:00" report --text --since 24h
	[ "$status" -eq 0 ]
	local line text
	line=$(printf '%s\n' "$output" | grep '^  inbox: ')
	[ "$line" = "  inbox: 2 runs (ok 1, delivered 1), 0/0 tokens, \$0.0000" ]
	run --separate-stderr tick "2026-01-05 08:00:00"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"=== summary ==="*"$line"* ]]
	[ "$(runs_of summary)" -eq 0 ]
	text=$(py '[e for e in L if e["task"] == "summary"][-1]["reply"]')
	[[ "$text" == *"hb-run activity from 2026-01-04 08:00 to 2026-01-05 08:00"* ]]
	[[ "$text" == *"Alerts delivered: 1; failures: 0"* ]]
}

@test "check: hb-monitor and daily-summary arguments" {
	one_task 'hb-monitor 0'
	run --separate-stderr hb_at "$T0" check
	[ "$status" -eq 2 ]
	[[ "$output$stderr" == *"HEARTBEAT.md:4:"*"hb-monitor: bad FAILS '0'"* ]]
	one_task 'daily-summary now'
	run --separate-stderr hb_at "$T0" check
	[ "$status" -eq 2 ]
	[[ "$output$stderr" == *"HEARTBEAT.md:4:"*"daily-summary"* ]]
	one_task 'hb-monitor'
	run --separate-stderr hb_at "$T0" check
	[ "$status" -eq 0 ] || fail "$output $stderr"
}

@test "check: bad check: and triage: lines are errors naming file:line" {
	cat >HEARTBEAT.md <<'MD'
tasks:
- name: a
  check: disk-space / 0
- name: b
  check: git-change .
- name: c
  prompt: p
  triage: worth it?
- name: d
  check: ls
  prompt: p
  triage: worth it?
- name: e
  check: new-files
MD
	run --separate-stderr hb check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:3: bad check: disk-space: bad percent '0': a whole number from 1 to 100"* ]]
	[[ "$stderr" == *"HEARTBEAT.md:5: bad check: unknown built-in 'git-change'; did you mean 'git-changes'?"* ]]
	[[ "$stderr" == *"HEARTBEAT.md:8: triage: asks about a check's findings: task 'c' has no check:"* ]]
	[[ "$stderr" == *"HEARTBEAT.md:12: triage: needs an agent to ask: set [triage] agent in hb-run.ini"* ]]
	[[ "$stderr" == *"HEARTBEAT.md:14: bad check: new-files takes one or two arguments: use new-files DIR [GLOB]"* ]]
	printf '[triage]\nagent = nosuch\n' >hb-run.ini
	run --separate-stderr hb check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"hb-run.ini:2: triage.agent: no agent named 'nosuch'"* ]]
}

# ---- defer_load, nice --------------------------------------------------------------------

@test "defer_load: above it due tasks stay due, logged deferred, said once, nothing on stdout" {
	awk '{ exit !($1 > 0.01) }' /proc/loadavg || skip "the machine is idle: no load to defer on"
	one_task 'echo found' 'Look into it.'
	printf '[runner]\ndefer_load = 0.0001\n' >hb-run.ini
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$output" ]
	[[ "$stderr" == *"above [runner] defer_load 0.0001: due tasks wait until it drops (said once)"* ]]
	[ "$(last status)" = deferred ]
	[ "$(runs_of)" -eq 0 ]
	[ "$(py '"last_run" in S.get("watch", {})')" = false ]
	run --separate-stderr tick "2026-01-05 09:05:00"
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ]
	[ "$(py '[e["status"] for e in L]')" = '["deferred", "deferred"]' ]
	# the load below the limit: it runs, and the next deferral is said again
	printf '[runner]\ndefer_load = 1000\n' >hb-run.ini
	run --separate-stderr tick "2026-01-05 09:10:00"
	[ "$(runs_of watch)" -eq 1 ]
	[ "$(py '"_deferred" in S')" = false ]
}

@test "nice: checks and agents run at the configured niceness" {
	one_task 'echo "niceness $(nice)"'
	printf '[runner]\nnice = 7\n' >hb-run.ini
	run --separate-stderr tick
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$output" == *"niceness 7"* ]]
}

# ---- a day of ticks ----------------------------------------------------------------------

# day FROM: 48 ticks, every 30 minutes from FROM (Unix seconds); CHANGE_AT (a tick index)
# runs change() before that tick.
day() {
	local from=$1 i when
	for i in $(seq 0 47); do
		[ "$i" != "${CHANGE_AT:-}" ] || change
		when=$(TZ=UTC date -d "@$((from + i * 1800))" '+%Y-%m-%d %H:%M:%S')
		hb_at "$when" >>day.out 2>>day.err || fail "tick $i: exit $?: $(cat day.err)"
	done
}

day_workspace() {
	mkdir -p inbox tree
	printf -- '- [ ] old\n' >TODO.md
	echo a >tree/a
	cat >HEARTBEAT.md <<'MD'
tasks:
- name: todo
  interval: 30m
  check: todo-scan TODO.md
  triage: Is any of these new tasks urgent?
  prompt: Plan the new tasks.
- name: inbox
  interval: 1h
  check: new-files inbox
  prompt: Sort the new files.
- name: tree
  interval: 2h
  check: file-changes tree
  prompt: Review the changes.
- name: disk
  interval: 30m
  check: disk-space . 100
  prompt: Free some space.
- name: cmd
  interval: 30m
  check: test -e alarm && echo alarm
  prompt: Answer the alarm.
MD
}

change() {
	printf -- '- [ ] renew the certificate\n' >>TODO.md
}

@test "a day of ticks whose checks find nothing: 0 agent starts, 0 tokens; one change: one triage, one agent run" {
	start_server llm-server.js
	triage_ini
	day_workspace
	day "$(epoch "$T0")"
	[ ! -s day.out ] || fail "stdout: $(cat day.out)"
	[ ! -s day.err ] || fail "stderr: $(cat day.err)"
	[ "$(runs_of)" -eq 0 ]
	[ "$(requests)" -eq 0 ]
	[ "$(py 'sum(e.get("input_tokens", 0) + e.get("output_tokens", 0) for e in L)')" -eq 0 ]
	[ "$(py 'sorted(set(e["status"] for e in L))')" = '["clear"]' ]
	[ "$(py 'len(L)')" -eq $((48 * 3 + 24 + 12)) ]

	# the next day, one new task in TODO.md at noon
	plan yes
	CHANGE_AT=6 day "$(epoch "2026-01-06 09:00:00")"
	[ "$(runs_of)" -eq 1 ]
	[ "$(runs_of todo)" -eq 1 ]
	[ "$(requests)" -eq 1 ]
	grep -q 'renew the certificate' rec/todo.1.prompt
	[ "$(py 'len([e for e in L if e.get("triage")])')" -eq 1 ]
	[ "$(py 'len([e for e in L if e.get("tier") == "agent"])')" -eq 1 ]
}

@test "check: a workspace of checks without prompts needs no agent; git-changes needs git, url-changed the helper" {
	cat >HEARTBEAT.md <<'MD'
tasks:
- name: d
  check: disk-space / 99
- name: g
  check: git-changes .
- name: u
  check: url-changed http://127.0.0.1:9/x
MD
	printf '[agent]\nagent_turn = /nonexistent/agent.sh\n[runner]\nhttp_helper = %s\n' "$HTTP_BIN" >hb-run.ini
	run --separate-stderr hb check
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$output" = "HEARTBEAT.md: 3 tasks, no problems" ]
	printf '[runner]\nhttp_helper = /nonexistent/hb-run-http\n' >hb-run.ini
	mkdir bin
	run --separate-stderr env PATH="$WS/bin" "$HB_BIN" check
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEARTBEAT.md:5: check: git-changes needs git, which is not on PATH"* ]]
	[[ "$stderr" == *"HEARTBEAT.md:7: check: url-changed needs the HTTP helper /nonexistent/hb-run-http"* ]]
}
