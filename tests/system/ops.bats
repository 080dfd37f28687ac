#!/usr/bin/env bats
# ops.bats - operations: hb-run init, install/uninstall (cron, systemd, launchd) on a fake
# HOME, a real cron daemon ticking hb-run, pause/resume, the Kubernetes CronJob.

load helpers

# The helpers' teardown, after ours: what the cron tests put into the system comes out
# even when a test fails (the /etc/cron.d file, the cron daemon we started, root's crontab).
eval "$(declare -f teardown | sed '1s/^teardown/hbt_teardown/')"
teardown() {
	if [ -n "${WS:-}" ]; then
		[ -f "$WS/crond-file" ] && rm -f "$(cat "$WS/crond-file")"
		[ -f "$WS/cron-pid" ] && kill "$(cat "$WS/cron-pid")" 2>/dev/null
		[ -f "$WS/restore" ] && sh "$WS/restore"
	fi
	hbt_teardown
}

# A fake HOME, and a crontab program (HB_CRONTAB) that keeps the table in a file, as
# crontab(1) does: -l prints it (or says there is none), - replaces it, -r removes it.
ops_setup() {
	HB_EXE=$(readlink -f "$HB_BIN")	# as hb-run names itself in what it installs
	export HOME="$WS/home"
	mkdir -p "$HOME"
	unset XDG_CONFIG_HOME
	export CRONTAB_FILE="$WS/crontab.table"
	cat >"$WS/fake-crontab" <<'EOF'
#!/bin/sh
echo "$*" >>"$CRONTAB_FILE.calls"
case $1 in
-l) [ -f "$CRONTAB_FILE" ] || { echo "no crontab for $(id -un)" >&2; exit 1; }
    cat "$CRONTAB_FILE" ;;
-) cat >"$CRONTAB_FILE" ;;
-r) [ -f "$CRONTAB_FILE" ] || { echo "no crontab for $(id -un)" >&2; exit 1; }
    rm -f "$CRONTAB_FILE" ;;
*) exit 2 ;;
esac
EOF
	chmod +x "$WS/fake-crontab"
	export HB_CRONTAB="$WS/fake-crontab"
	# systemctl that records its calls and fails when told to (no user manager)
	cat >"$WS/fake-systemctl" <<'EOF'
#!/bin/sh
echo "$*" >>"$HBT_WS/systemctl.calls"
[ -f "$HBT_WS/systemctl.fail" ] && { echo "Failed to connect to bus: No medium found" >&2; exit 1; }
exit 0
EOF
	chmod +x "$WS/fake-systemctl"
	export HB_SYSTEMCTL="$WS/fake-systemctl"
}

# A workspace dir (default: $WS/ws) with one task.
make_ws() {
	local d=${1:-$WS/ws}
	mkdir -p "$d"
	printf 'tasks:\n  - name: t\n    interval: 30m\n    prompt: hello\n' >"$d/HEARTBEAT.md"
}

# ---- init -----------------------------------------------------------------------------

@test "init: writes a commented HEARTBEAT.md (0644) and hb-run.ini (0600), says what next" {
	ops_setup
	run hb -C "$WS/new" init
	[ "$status" -eq 0 ]
	[ -f "$WS/new/HEARTBEAT.md" ]
	[ -f "$WS/new/hb-run.ini" ]
	[ "$(stat -c %a "$WS/new/HEARTBEAT.md")" = 644 ]
	[ "$(stat -c %a "$WS/new/hb-run.ini")" = 600 ]
	[ "$(stat -c %a "$WS/new")" = 700 ]
	[[ $output == *"wrote $WS/new/HEARTBEAT.md"* ]]
	[[ $output == *"wrote $WS/new/hb-run.ini"* ]]
	[[ $output == *"hb-run -C $WS/new check"* ]]
	[[ $output == *"hb-run -C $WS/new -n"* ]]
	[[ $output == *"hb-run -C $WS/new install cron"* ]]
	# the example is there, inside a comment
	grep -q '^  - name: inbox-triage' "$WS/new/HEARTBEAT.md"
	grep -q '^<!--' "$WS/new/HEARTBEAT.md"
}

@test "init: the files are effectively empty: check says so, a tick runs nothing, writes nothing" {
	ops_setup
	hb -C "$WS/new" init >/dev/null
	run hb -C "$WS/new" check
	[ "$status" -eq 0 ]
	[ "$output" = "HEARTBEAT.md: no tasks (effectively empty): ticks do nothing" ]
	run --separate-stderr hb -C "$WS/new"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ ! -e "$WS/new/.heartbeat-state.json" ]
	[ ! -e "$WS/new/.heartbeat-log.jsonl" ]
	[ ! -e "$WS/rec" ]
	run hb -C "$WS/new" -n
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "init: the example tasks, moved out of the comment, are valid" {
	ops_setup
	hb -C "$WS/new" init >/dev/null
	sed -i -e '/^<!--$/d' -e '/^-->$/d' "$WS/new/HEARTBEAT.md"
	# the prose around the example becomes context; the block parses
	run hb -C "$WS/new" check
	[ "$status" -eq 0 ]
	[[ $output == *"2 tasks"* ]]
}

@test "init: refuses to overwrite HEARTBEAT.md or hb-run.ini (exit 2, naming it), writes neither" {
	ops_setup
	mkdir "$WS/a" "$WS/b"
	echo "mine" >"$WS/a/HEARTBEAT.md"
	run hb -C "$WS/a" init
	[ "$status" -eq 2 ]
	[[ $output == *"$WS/a/HEARTBEAT.md exists"* ]]
	[ "$(cat "$WS/a/HEARTBEAT.md")" = mine ]
	[ ! -e "$WS/a/hb-run.ini" ]
	echo "; mine" >"$WS/b/hb-run.ini"
	run hb -C "$WS/b" init
	[ "$status" -eq 2 ]
	[[ $output == *"$WS/b/hb-run.ini exists"* ]]
	[ "$(cat "$WS/b/hb-run.ini")" = "; mine" ]
	[ ! -e "$WS/b/HEARTBEAT.md" ]
	# and a second init of a fresh workspace
	hb -C "$WS/c" init >/dev/null
	cp "$WS/c/HEARTBEAT.md" "$WS/c.md"
	run hb -C "$WS/c" init
	[ "$status" -eq 2 ]
	cmp "$WS/c/HEARTBEAT.md" "$WS/c.md"
}

# ---- install cron ----------------------------------------------------------------------

@test "install cron --print: the marked block, the PATH, */N and @reboot; writes nothing" {
	ops_setup
	make_ws
	run --separate-stderr env PATH="/opt/x/bin:rel/bin:/usr/bin:/bin" "$HB_BIN" -C "$WS/ws" \
	    install cron --print
	[ "$status" -eq 0 ]
	[ ! -e "$CRONTAB_FILE.calls" ]
	[ "${lines[0]}" = "# >>> hb-run $WS/ws >>>" ]
	[ "${lines[${#lines[@]} - 1]}" = "# <<< hb-run $WS/ws <<<" ]
	local cmd="PATH=/opt/x/bin:/usr/bin:/bin $HB_EXE -C $WS/ws"
	printf '%s\n' "${lines[@]}" | grep -qxF "*/30 * * * * $cmd"
	printf '%s\n' "${lines[@]}" | grep -qxF "@reboot sleep 60 && $cmd --catchup"
	[ "$(printf '%s\n' "${lines[@]}" | grep -vc '^#')" -eq 2 ]
}

@test "install cron --every: steps that fit an hour or a day; others rounded down, and said" {
	ops_setup
	make_ws
	for e in 1m:'\* \* \* \* \*' 5m:'\*/5 \* \* \* \*' 45m:'\*/30 \* \* \* \*' \
	    1h:'0 \* \* \* \*' 90m:'0 \* \* \* \*' 2h:'0 \*/2 \* \* \*' 5h:'0 \*/4 \* \* \*' \
	    1d:'0 0 \* \* \*' 3d:'0 0 \* \* \*'; do
		run --separate-stderr hb -C "$WS/ws" install cron --print --every "${e%%:*}"
		[ "$status" -eq 0 ]
		printf '%s\n' "${lines[@]}" | grep -q "^${e#*:} PATH=" ||
		    fail "--every ${e%%:*}: $output"
		case ${e%%:*} in
		45m | 90m | 5h | 3d)
			[[ $stderr == *"cannot be repeated evenly by cron"* ]]
			[[ $output == *"# Asked: every "* ]] ;;
		*)
			[[ $stderr != *"evenly"* ]] ;;
		esac
	done
	run hb -C "$WS/ws" install cron --print --every 0
	[ "$status" -eq 2 ]
	run hb -C "$WS/ws" install cron --print --every 30s
	[ "$status" -eq 0 ]
	[[ $output == *"* * * * * PATH="* ]]
}

@test "install: a workspace path with spaces, quotes and % is quoted for sh and escaped for cron" {
	ops_setup
	local d="$WS/my 'ws' 100%"
	make_ws "$d"
	run --separate-stderr env PATH=/usr/bin:/bin "$HB_BIN" -C "$d" install cron --print
	[ "$status" -eq 0 ]
	printf '%s\n' "${lines[@]}" | grep -qxF "*/30 * * * * PATH=/usr/bin:/bin $HB_EXE -C '$WS/my '\\''ws'\\'' 100\\%'"
	# what cron hands to /bin/sh (% unescaped) names the workspace exactly
	local line
	line=$(printf '%s\n' "${lines[@]}" | grep '^\*/30' | sed -e 's/^\*\/30 \* \* \* \* //' -e 's/\\%/%/g')
	line=${line/"$HB_EXE"/printf '%s\\n'}
	run sh -c "$line"
	[ "${lines[1]}" = "$d" ]
}

@test "install cron: the folder of the agent CLI a template requires joins the PATH" {
	ops_setup
	make_ws
	mkdir -p "$HOME/.local/bin"
	printf '#!/bin/sh\n' >"$HOME/.local/bin/claude"
	chmod +x "$HOME/.local/bin/claude"
	run --separate-stderr env PATH=/usr/bin:/bin "$HB_BIN" -C "$WS/ws" \
	    -o agent.default=claude install cron --print
	[ "$status" -eq 0 ]
	[[ $output == *"PATH=/usr/bin:/bin:$HOME/.local/bin "* ]]
	[ -z "$stderr" ]
	# not found anywhere: a warning, the block all the same
	rm "$HOME/.local/bin/claude"
	run --separate-stderr env PATH=/usr/bin:/bin "$HB_BIN" -C "$WS/ws" \
	    -o agent.default=claude install cron --print
	[ "$status" -eq 0 ]
	[[ $stderr == *"the agent CLI 'claude' is neither on PATH nor in the usual folders"* ]]
	[[ $output == *"PATH=/usr/bin:/bin "* ]]
}

@test "install cron: idempotent; two workspaces coexist; uninstall leaves the rest byte for byte" {
	ops_setup
	make_ws "$WS/ws"
	make_ws "$WS/ws2"
	# a crontab of the user's own, with no newline trouble and a line that looks like ours
	printf 'MAILTO=me@example.com\n# my jobs\n0 3 * * * backup --all  # 100%%\n\n# >>> hb-run /elsewhere >>>\n' \
	    >"$CRONTAB_FILE"
	printf '@daily cleanup\n' >>"$CRONTAB_FILE"
	cp "$CRONTAB_FILE" "$WS/before"

	run hb -C "$WS/ws" install cron
	[ "$status" -eq 0 ]
	[[ $output == *"crontab: installed the tick of $WS/ws, every 30m"* ]]
	head -c "$(stat -c %s "$WS/before")" "$CRONTAB_FILE" | cmp - "$WS/before"
	grep -qxF "# >>> hb-run $WS/ws >>>" "$CRONTAB_FILE"
	cp "$CRONTAB_FILE" "$WS/once"

	run hb -C "$WS/ws" install cron
	[ "$status" -eq 0 ]
	[[ $output == *"installed already"* ]]
	cmp "$CRONTAB_FILE" "$WS/once"

	# another --every replaces the block in place
	run hb -C "$WS/ws" install cron --every 10m
	[ "$status" -eq 0 ]
	[ "$(grep -c "^# >>> hb-run $WS/ws >>>" "$CRONTAB_FILE")" -eq 1 ]
	grep -q '^\*/10 ' "$CRONTAB_FILE"
	refute grep -q '^\*/30 ' "$CRONTAB_FILE"

	run hb -C "$WS/ws2" install cron --every 1h
	[ "$status" -eq 0 ]
	[ "$(grep -c '^# >>> hb-run ' "$CRONTAB_FILE")" -eq 3 ]	# with /elsewhere's
	grep -q "^0 \* \* \* \* .* -C $WS/ws2\$" "$CRONTAB_FILE"
	grep -q "^\*/10 \* \* \* \* .* -C $WS/ws\$" "$CRONTAB_FILE"

	run hb -C "$WS/ws" uninstall cron
	[ "$status" -eq 0 ]
	[[ $output == *"crontab: removed the tick of $WS/ws"* ]]
	refute grep -q " -C $WS/ws\$" "$CRONTAB_FILE"
	grep -q " -C $WS/ws2\$" "$CRONTAB_FILE"
	run hb -C "$WS/ws2" uninstall
	[ "$status" -eq 0 ]
	cmp "$CRONTAB_FILE" "$WS/before"

	# nothing left to remove
	run hb -C "$WS/ws2" uninstall cron
	[ "$status" -eq 0 ]
	[[ $output == *"no tick of $WS/ws2 is installed for cron"* ]]
	cmp "$CRONTAB_FILE" "$WS/before"
}

@test "install cron: no crontab before, none after uninstall; a crontab that cannot be read is left alone" {
	ops_setup
	make_ws
	run hb -C "$WS/ws" install cron
	[ "$status" -eq 0 ]
	[ "$(grep -vc '^#' "$CRONTAB_FILE")" -eq 2 ]
	run hb -C "$WS/ws" uninstall cron
	[ "$status" -eq 0 ]
	[ ! -e "$CRONTAB_FILE" ]
	# crontab -l fails for another reason: install stops, writes nothing
	printf '#!/bin/sh\necho "$*" >>"$CRONTAB_FILE.calls"\necho "You are not allowed to use this program" >&2\nexit 1\n' \
	    >"$WS/fake-crontab"
	: >"$CRONTAB_FILE.calls"
	run hb -C "$WS/ws" install cron
	[ "$status" -eq 2 ]
	[[ $output == *"not allowed"* ]]
	[ "$(cat "$CRONTAB_FILE.calls")" = "-l" ]
}

@test "install cron: HEARTBEAT.md with problems, or none: nothing installed" {
	ops_setup
	mkdir "$WS/ws"
	run hb -C "$WS/ws" install cron
	[ "$status" -eq 2 ]
	printf 'tasks:\n  - name: t\n    interval: nope\n    prompt: x\n' >"$WS/ws/HEARTBEAT.md"
	run hb -C "$WS/ws" install cron
	[ "$status" -eq 2 ]
	[ ! -e "$CRONTAB_FILE.calls" ]
	run hb -C "$WS/ws" install
	[ "$status" -eq 2 ]
	run hb -C "$WS/ws" install nosuch
	[ "$status" -eq 2 ]
}

# The real crontab(1), for root: root's crontab is saved first and put back in teardown.
@test "install cron with the real crontab: root's table round trip, byte for byte" {
	[ "$(id -u)" = 0 ] || skip "needs root (to change root's crontab and put it back)"
	command -v crontab >/dev/null || skip "crontab is not installed (Debian: cron)"
	make_ws
	HB_EXE=$(readlink -f "$HB_BIN")
	export HOME="$WS/home"
	mkdir -p "$HOME"
	unset HB_CRONTAB
	local had=1
	crontab -l >"$WS/saved" 2>/dev/null || had=0
	# restore whatever happens
	if [ "$had" = 1 ]; then
		echo "crontab '$WS/saved'" >"$WS/restore"
	else
		echo "crontab -r 2>/dev/null" >"$WS/restore"
	fi
	printf '# a job of mine\n17 4 * * * true\n' | crontab -
	crontab -l >"$WS/before"

	run hb -C "$WS/ws" install cron --every 5m
	[ "$status" -eq 0 ]
	crontab -l >"$WS/after"
	grep -qxF "# >>> hb-run $WS/ws >>>" "$WS/after"
	grep -q "^\*/5 \* \* \* \* PATH=.* $HB_EXE -C $WS/ws\$" "$WS/after"
	run hb -C "$WS/ws" install cron --every 5m
	crontab -l | cmp - "$WS/after"
	run hb -C "$WS/ws" uninstall cron
	[ "$status" -eq 0 ]
	crontab -l | cmp - "$WS/before"
	sh "$WS/restore"
	rm "$WS/restore"
}

# ---- a real cron daemon ----------------------------------------------------------------

# Debian's cron, in the foreground, runs the line that install cron prints (as an
# /etc/cron.d file, with its user field) for two real minutes: the task of interval 1m runs
# once a minute, never twice, and its reply lands where the line sends cron's output.
@test "real cron: hb-run ticks every minute; the task runs once per minute; output lands in the file" {
	[ "$(id -u)" = 0 ] || skip "needs root (cron reads /etc/cron.d as root)"
	command -v cron >/dev/null || skip "cron is not installed (Debian: cron)"
	ops_setup
	mkdir "$WS/ws"
	printf 'tasks:\n  - name: minute\n    interval: 1m\n    prompt: tick\n' >"$WS/ws/HEARTBEAT.md"
	# each reply differs (a repeated alert within 24 h would be held back as a duplicate)
	printf '#!/bin/sh\n"%s"\necho "at $(date +%%s%%N)"\n' "$HBT_FIXTURES/agent.sh" >"$WS/ws/agent.sh"
	chmod 755 "$WS/ws/agent.sh"
	printf '[agent]\nagent_turn = %s\n' "$WS/ws/agent.sh" >"$WS/ws/hb-run.ini"
	mkdir "$WS/ws/pids"
	chmod 755 "$WS" "$WS/ws"

	run --separate-stderr hb -C "$WS/ws" install cron --print --every 1m
	[ "$status" -eq 0 ]
	local line
	line=$(printf '%s\n' "${lines[@]}" | grep '^\* \* \* \* \* ')
	[ -n "$line" ]
	# the /etc/cron.d form: a user field after the five time fields; the output to a file,
	# as the block's comment says
	local name="hbrun-test-$$-$RANDOM"
	echo "/etc/cron.d/$name" >"$WS/crond-file"
	{
		echo 'MAILTO=""'
		echo "* * * * * root ${line#* * * * * } >>$WS/cron.out 2>&1"
	} >"/etc/cron.d/$name"
	chmod 644 "/etc/cron.d/$name"

	local pid
	if pid=$(pgrep -x cron | head -n 1) && [ -n "$pid" ]; then
		: # a cron daemon runs already: it reads the file within the minute
	else
		cron -f -L 15 >"$WS/cron.log" 2>&1 &
		pid=$!
		echo "$pid" >"$WS/cron-pid"
	fi
	# two top-of-minute firings, and a few seconds for the second run to end
	local deadline=$((SECONDS + 150))
	while [ "$(WS=$WS/ws runs_of minute)" -lt 2 ] && [ $SECONDS -lt $deadline ]; do
		sleep 1
	done
	sleep 3
	rm -f "/etc/cron.d/$name"
	if [ -f "$WS/cron-pid" ]; then
		kill "$(cat "$WS/cron-pid")" 2>/dev/null
		wait "$(cat "$WS/cron-pid")" 2>/dev/null || true
		rm -f "$WS/cron-pid"
	fi
	local n
	n=$(WS=$WS/ws runs_of minute)
	[ "$n" -ge 2 ] || fail "ran $n times in 150 s; cron.out: $(cat "$WS/cron.out" 2>/dev/null)"
	# once per minute: the runs started in distinct minutes, each within seconds of :00
	local i m seen=""
	for i in $(seq 1 "$n"); do
		m=$(cut -d. -f1 "$WS/ws/rec/minute.$i.start")
		[ $((m % 60)) -lt 20 ] || fail "run $i started at second $((m % 60)) of its minute"
		m=$((m / 60))
		[[ " $seen " != *" $m "* ]] || fail "two runs in minute $m"
		seen="$seen $m"
	done
	[ "$(grep -c '^=== minute ===$' "$WS/cron.out")" -eq "$n" ]
	[ "$(grep -c '^reply from minute$' "$WS/cron.out")" -eq "$n" ]
	[ "$(cd "$WS/ws" && py 'S["minute"]["runs"]')" -eq "$n" ]
	# the tick saw the PATH the line gave it
	grep -q "^HB_REASON=interval$" "$WS/ws/rec/minute.1.env"
}

# ---- systemd ---------------------------------------------------------------------------

@test "install systemd: a user service and timer (and the catch-up pair), verified; systemctl enable --now" {
	ops_setup
	make_ws
	run --separate-stderr hb -C "$WS/ws" install systemd --every 15m
	[ "$status" -eq 0 ]
	local d="$HOME/.config/systemd/user" u
	u=$(cd "$d" && ls *.timer | grep -v catchup)
	u=${u%.timer}
	[[ $u == hb-run-ws-???????? ]]
	[ -f "$d/$u.service" ] && [ -f "$d/$u.timer" ]
	[ -f "$d/$u-catchup.service" ] && [ -f "$d/$u-catchup.timer" ]
	[ "$(stat -c %a "$d/$u.service")" = 644 ]
	grep -qxF "Type=oneshot" "$d/$u.service"
	grep -qxF "ExecStart=\"$HB_EXE\" -C \"$WS/ws\"" "$d/$u.service"
	grep -q '^Environment="PATH=/' "$d/$u.service"
	grep -qxF "ExecStart=\"$HB_EXE\" -C \"$WS/ws\" --catchup" "$d/$u-catchup.service"
	grep -qxF "OnCalendar=*-*-* *:00/15:00" "$d/$u.timer"
	grep -qxF "Persistent=true" "$d/$u.timer"
	grep -q "^RandomizedDelaySec=[0-9]" "$d/$u.timer"
	grep -qxF "WantedBy=timers.target" "$d/$u.timer"
	grep -qxF "OnStartupSec=60" "$d/$u-catchup.timer"
	grep -qxF -- "--user daemon-reload" "$WS/systemctl.calls"
	grep -qxF -- "--user enable --now $u.timer $u-catchup.timer" "$WS/systemctl.calls"
	[[ $output == *"enabled and started $u.timer"* ]]

	# systemd's own reading of the units: no complaint at all
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	run systemd-analyze verify --man=no "$d/$u.service" "$d/$u.timer" \
	    "$d/$u-catchup.service" "$d/$u-catchup.timer"
	[ "$status" -eq 0 ] || fail "$output"
	[ -z "$output" ] || fail "systemd-analyze: $output"
	# and its calendar: every 15 minutes
	run systemd-analyze calendar --iterations=3 "$(sed -n 's/^OnCalendar=//p' "$d/$u.timer")"
	[ "$status" -eq 0 ]
	[[ $output == *":15:00"* || $output == *":30:00"* || $output == *":45:00"* || $output == *":00:00"* ]]
}

@test "install systemd: --print writes nothing; no user manager is a note; uninstall removes the units" {
	ops_setup
	make_ws
	run --separate-stderr hb -C "$WS/ws" install systemd --print --every 2h
	[ "$status" -eq 0 ]
	[ ! -e "$HOME/.config" ]
	[ ! -e "$WS/systemctl.calls" ]
	[[ $output == *"# $HOME/.config/systemd/user/hb-run-ws-"*".timer"* ]]
	[[ $output == *"OnCalendar=*-*-* 00/2:00:00"* ]]

	touch "$WS/systemctl.fail"
	run --separate-stderr hb -C "$WS/ws" install systemd
	[ "$status" -eq 0 ]
	[[ $stderr == *"note: systemctl --user daemon-reload: Failed to connect to bus"* ]]
	[[ $output == *"not started"*"systemctl --user enable --now"* ]]
	[ "$(ls "$HOME/.config/systemd/user" | wc -l)" -eq 4 ]
	# a second workspace has its own units
	make_ws "$WS/other/ws"
	hb -C "$WS/other/ws" install systemd >/dev/null 2>&1
	[ "$(ls "$HOME/.config/systemd/user" | wc -l)" -eq 8 ]

	rm "$WS/systemctl.fail"
	run hb -C "$WS/ws" uninstall systemd
	[ "$status" -eq 0 ]
	[ "$(ls "$HOME/.config/systemd/user" | wc -l)" -eq 4 ]
	grep -q -- "--user disable --now hb-run-ws-.*\.timer" "$WS/systemctl.calls"
	run hb -C "$WS/ws" uninstall systemd
	[[ $output == *"no tick of $WS/ws is installed for systemd"* ]]
}

# ---- launchd ---------------------------------------------------------------------------

@test "install launchd: a well-formed plist with the keys launchd needs; uninstall removes it" {
	ops_setup
	make_ws "$WS/w&s"
	run --separate-stderr hb -C "$WS/w&s" install launchd --every 45m
	[ "$status" -eq 0 ]
	local f
	f=$(ls "$HOME"/Library/LaunchAgents/local.hb-run-w_s-*.plist)
	[ -f "$f" ]
	run "$HBT_PY" - "$f" "$HB_EXE" "$WS/w&s" <<'PY'
import plistlib, sys
f, exe, ws = sys.argv[1:]
with open(f, "rb") as fh:
    p = plistlib.load(fh)
assert p["Label"] + ".plist" == f.rsplit("/", 1)[1], p["Label"]
assert p["ProgramArguments"] == [exe, "-C", ws], p["ProgramArguments"]
assert p["StartInterval"] == 2700, p["StartInterval"]
assert p["RunAtLoad"] is True
assert {"/usr/bin", "/bin"} <= set(p["EnvironmentVariables"]["PATH"].split(":"))
assert p["StandardOutPath"].startswith(ws + "/"), p["StandardOutPath"]
assert p["StandardErrorPath"].startswith(ws + "/")
print("ok")
PY
	[ "$output" = ok ] || fail "$output"
	# --print is the same file, and writes nothing
	run --separate-stderr hb -C "$WS/w&s" install launchd --every 45m --print
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | cmp - "$f"
	run hb -C "$WS/w&s" uninstall launchd
	[ "$status" -eq 0 ]
	[ ! -e "$f" ]
}

@test "uninstall without a target removes the tick from wherever it is" {
	ops_setup
	make_ws
	hb -C "$WS/ws" install cron >/dev/null 2>&1
	hb -C "$WS/ws" install systemd >/dev/null 2>&1
	hb -C "$WS/ws" install launchd >/dev/null 2>&1
	run hb -C "$WS/ws" uninstall
	[ "$status" -eq 0 ]
	[[ $output == *"crontab: removed"* ]]
	[[ $output == *"systemd: removed the 4 units"* ]]
	[[ $output == *"launchd: removed"* ]]
	[ ! -e "$CRONTAB_FILE" ]
	[ -z "$(ls "$HOME/.config/systemd/user")" ]
	[ -z "$(ls "$HOME/Library/LaunchAgents")" ]
	run hb -C "$WS/ws" uninstall
	[ "$status" -eq 0 ]
	[ "$output" = "no tick of $WS/ws is installed" ]
}

# ---- pause / resume --------------------------------------------------------------------

pause_ws() {
	heartbeat <<'EOF'
tasks:
  - name: a
    interval: 1h
    prompt: a
  - name: b
    interval: 1h
    prompt: b
EOF
}

@test "pause TASK --for 2h: the tick skips it and it stays due; status and -n say so; it expires" {
	pause_ws
	run hb_at '2026-01-05 09:00:00' pause a --for 2h
	[ "$status" -eq 0 ]
	[ "$output" = "paused a until 2026-01-05T11:00:00+00:00" ]
	[ "$(py 'S["a"]["paused"]["until"]')" = "$(epoch '2026-01-05 11:00:00')" ]

	run hb_at '2026-01-05 09:00:10' -n
	[[ $output == *"would run b: every 1h, never ran"* ]]
	[[ $output == *"skip a: paused until 2026-01-05T11:00:00+00:00 (due)"* ]]
	run hb_at '2026-01-05 09:00:10'
	[ "$status" -eq 0 ]
	[ "$(runs_of a)" -eq 0 ]
	[ "$(runs_of b)" -eq 1 ]
	run hb_at '2026-01-05 10:30:00' status
	[ "$status" -eq 0 ]
	[[ $output == *"a "*"paused "*"never ran; paused until 2026-01-05 11:00+00:00 (due)"* ]]
	run hb_at '2026-01-05 10:30:00' status --json
	[[ $output == *'"paused":	true'* ]]
	[[ $output == *'"paused_until":	"2026-01-05T11:00:00+00:00"'* ]]

	run hb_at '2026-01-05 10:59:00'
	[ "$(runs_of a)" -eq 0 ]
	# two hours on, the pause is over: a runs at once (it stayed due)
	run hb_at '2026-01-05 11:00:05'
	[ "$status" -eq 0 ]
	[ "$(runs_of a)" -eq 1 ]
	run hb_at '2026-01-05 11:00:10' status
	[[ $output != *"paused"* ]]
}

@test "pause TASK until resumed; a manual run still runs it; resume; unknown names" {
	pause_ws
	run hb_at '2026-01-05 09:00:00' pause b
	[ "$output" = "paused b until resumed" ]
	run hb_at '2026-01-05 09:00:00' status
	[[ $output == *"paused until resumed (due)"* ]]
	run hb_at '2026-01-05 09:00:00'
	[ "$(runs_of b)" -eq 0 ]
	run hb_at '2026-01-05 12:00:00' b
	[ "$status" -eq 0 ]
	[ "$(runs_of b)" -eq 1 ]
	run hb_at '2026-01-05 14:00:00'
	[ "$(runs_of b)" -eq 1 ]
	run hb_at '2026-01-05 14:00:00' resume b
	[ "$output" = "resumed b" ]
	run hb_at '2026-01-05 14:00:00' resume b
	[ "$output" = "b was not paused" ]
	run hb_at '2026-01-05 14:00:05'
	[ "$(runs_of b)" -eq 2 ]

	run hb_at '2026-01-05 14:00:00' pause nosuch
	[ "$status" -eq 2 ]
	[[ $output == *"no task named 'nosuch'"* ]]
	run hb_at '2026-01-05 14:00:00' pause a --for soon
	[ "$status" -eq 2 ]
	run hb_at '2026-01-05 14:00:00' resume --for 2h
	[ "$status" -eq 2 ]
}

@test "pause: a paused workspace's tick does nothing and says nothing; status and -n say so; resume" {
	pause_ws
	echo '{"a": {"last_run": 1}, "mine": [1, 2]}' >.heartbeat-state.json
	run hb_at '2026-01-05 09:00:00' pause
	[ "$status" -eq 0 ]
	[ "$output" = "paused the workspace until resumed: ticks run nothing (hb-run resume)" ]
	[ "$(py 'S["mine"]')" = "[1, 2]" ]
	cp .heartbeat-state.json "$WS/st"
	run --separate-stderr hb_at '2026-01-05 09:00:00' -v
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(runs_of)" -eq 0 ]
	cmp .heartbeat-state.json "$WS/st"
	[ ! -e .heartbeat-log.jsonl ]
	run hb_at '2026-01-05 09:00:00' -n
	[ "$output" = "paused until resumed: a tick runs nothing (hb-run resume)" ]
	run hb_at '2026-01-05 09:00:00' status
	[[ $output == *"The workspace is paused until resumed: ticks run nothing (hb-run resume)."* ]]

	run hb_at '2026-01-05 09:10:00' resume
	[ "$output" = "resumed the workspace" ]
	run hb_at '2026-01-05 09:10:05'
	[ "$(runs_of)" -eq 2 ]
}

@test "pause --for: a paused workspace wakes by itself" {
	pause_ws
	run hb_at '2026-01-05 09:00:00' pause --for 30m
	[ "$output" = "paused the workspace until 2026-01-05T09:30:00+00:00: ticks run nothing (hb-run resume)" ]
	run hb_at '2026-01-05 09:29:00'
	[ "$(runs_of)" -eq 0 ]
	run hb_at '2026-01-05 09:30:01'
	[ "$(runs_of)" -eq 2 ]
}

# ---- Kubernetes ------------------------------------------------------------------------

@test "templates/kubernetes/cronjob.yaml parses, with Forbid, a deadline, the claim and the Secret" {
	"$HBT_PY" -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed"
	run "$HBT_PY" - "$HBT_DIR/../../templates/kubernetes/cronjob.yaml" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
cj = [d for d in docs if d["kind"] == "CronJob"][0]
pvc = [d for d in docs if d["kind"] == "PersistentVolumeClaim"][0]
assert cj["apiVersion"] == "batch/v1"
s = cj["spec"]
assert s["concurrencyPolicy"] == "Forbid"
assert isinstance(s["startingDeadlineSeconds"], int)
assert len(s["schedule"].split()) == 5
pod = s["jobTemplate"]["spec"]["template"]["spec"]
assert pod["restartPolicy"] == "Never"
c = pod["containers"][0]
assert c["image"] == "HB_RUN_IMAGE"
assert c["command"][:3] == ["hb-run", "-C", "/workspace"]
assert any(m["mountPath"] == "/workspace" for m in c["volumeMounts"])
assert any("secretKeyRef" in e.get("valueFrom", {}) for e in c["env"])
claim = [v for v in pod["volumes"] if "persistentVolumeClaim" in v][0]
assert claim["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
print("ok")
PY
	[ "$output" = ok ] || fail "$output"
}

# ---- goldens ---------------------------------------------------------------------------

# What install --print shows, with the workspace, the executable and the hash in the names
# replaced by placeholders: tests/system/fixtures/ops-install/TARGET.golden.
@test "install --print: cron, systemd and launchd match their goldens" {
	ops_setup
	make_ws
	local t
	for t in cron systemd launchd; do
		run --separate-stderr env PATH=/usr/bin:/bin "$HB_BIN" -C "$WS/ws" install "$t" \
		    --print --every 45m
		[ "$status" -eq 0 ]
		printf '%s\n' "$output" | sed -e "s|$HB_EXE|@EXE@|g" -e "s|$HOME|@HOME@|g" \
		    -e "s|$WS/ws|@WS@|g" -e 's/hb-run-ws-[0-9a-f]\{8\}/hb-run-ws-@HASH@/g' \
		    >"$WS/$t.out"
		diff -u "$HBT_FIXTURES/ops-install/$t.golden" "$WS/$t.out"
	done
}
