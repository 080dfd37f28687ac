#!/bin/sh
# Measures the cheap tier: the median wall time and the child processes of a tick whose 10
# tasks are due and whose built-in checks find nothing (two each of git-changes, new-files,
# file-changes, disk-space, todo-scan; no agent starts), against a tick with nothing due in
# the same workspace, and against a tick of one plain command check (/bin/sh -c true).
# Then a simulated week (336 ticks, every 30 minutes, under libfaketime) of the shipped
# HEARTBEAT.md, as it is and with checks in front of three of its four tasks (a week in which
# they find nothing), every task on an HTTP agent at a local server that counts the model
# calls and the tokens it is sent (bench/token-server.py): the agent runs and the tokens, as
# counted; and what the runs would cost as Claude Code agentTurns, at their usual 15734 in /
# 12 out each (its system prompt and tools, far above the bare prompt).
# Usage: bench/checks.sh [HB_BIN [HTTP_BIN]]   (needs git, hyperfine, strace, faketime,
# python3: make test-deps)
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$root/${1:-hb-run}
http=$root/${2:-hb-run-http}
runs=${RUNS:-50}
ws=$(mktemp -d)
spid=
trap '[ -z "$spid" ] || kill "$spid" 2>/dev/null; rm -rf "$ws"' EXIT INT TERM

mkdir -p "$ws/w/inbox" "$ws/w/docs/a" "$ws/w/cmd"
cd "$ws/w"
git init -q repo
git -C repo -c user.name=b -c user.email=b@example.com commit -q --allow-empty -m one
for i in $(seq 50); do echo "$i" >"docs/a/f$i.md"; echo "$i" >"inbox/r$i.pdf"; done
printf -- '- [ ] one\n- [x] two\n' >TODO.md
printf '#!/bin/sh\necho "an agent ran" >>agent-runs\n' >agent.sh
chmod +x agent.sh
printf '[agent]\nagent_turn = %s/agent.sh\n' "$ws/w" >hb-run.ini
{
	echo "tasks:"
	n=0
	for c in "git-changes repo" "new-files inbox" "file-changes docs" "disk-space . 100" \
	    "todo-scan TODO.md" "git-changes repo" "new-files inbox '*.pdf'" "file-changes TODO.md docs" \
	    "disk-space / 100" "todo-scan TODO.md"; do
		echo "  - name: t$n"
		echo "    interval: 30m"
		echo "    check: $c"
		echo "    prompt: Look at what the check found."
		n=$((n + 1))
	done
} >HEARTBEAT.md
cp hb-run.ini cmd/
printf 'tasks:\n  - name: c\n    interval: 30m\n    check: "true"\n    prompt: p\n' >cmd/HEARTBEAT.md
"$bin" >/dev/null		# the first run takes the snapshots
(cd cmd && "$bin" >/dev/null)
[ ! -e agent-runs ] || { echo "bench: an agent ran" >&2; exit 1; }

# Makes every task due again, snapshots kept: last_run an hour back.
cat >"$ws/due.py" <<'PY'
import json, sys
p = sys.argv[1]
s = json.load(open(p))
for k, v in s.items():
    if isinstance(v, dict) and "last_run" in v:
        v["last_run"] -= 3600
json.dump(s, open(p, "w"))
PY

hyperfine -N --style none --warmup 3 --runs "$runs" --export-csv "$ws/c.csv" \
    --prepare "python3 $ws/due.py $ws/w/.heartbeat-state.json" "$bin -C $ws/w" \
    --prepare "true" "$bin -C $ws/w" \
    --prepare "python3 $ws/due.py $ws/w/cmd/.heartbeat-state.json" "$bin -C $ws/w/cmd" \
    >/dev/null 2>&1
[ ! -e agent-runs ] || { echo "bench: an agent ran" >&2; exit 1; }

# The processes a tick starts (execve calls, hb-run's own not counted).
children() {
	strace -f -qq -e trace=execve -o "$ws/trace" "$bin" -C "$1" >/dev/null 2>&1
	grep -c 'execve(' "$ws/trace" | awk '{ print $1 - 1 }'
}
python3 "$ws/due.py" "$ws/w/.heartbeat-state.json"
due=$(children "$ws/w")
idle=$(children "$ws/w")
python3 "$ws/due.py" "$ws/w/cmd/.heartbeat-state.json"
cmd=$(children "$ws/w/cmd")
awk -F, -v n="$runs" -v due="$due" -v idle="$idle" -v cmd="$cmd" '
NR == 2 { a = $4 } NR == 3 { b = $4 } NR == 4 { c = $4 } END {
	printf "tick of 10 due tasks whose built-in checks find nothing, median of %d runs:\n", n
	printf "  10 built-in checks, all clear   %7.2f ms  %2d child processes, 0 agents\n", a * 1000, due
	printf "  nothing due                     %7.2f ms  %2d child processes\n", b * 1000, idle
	printf "  one command check (sh -c true)  %7.2f ms  %2d child processes\n", c * 1000, cmd
}' "$ws/c.csv"

# A week of ticks on the shipped example, without and with checks.
faketime_lib=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -n 1)
[ -n "$faketime_lib" ] || { echo "bench: libfaketime is not installed" >&2; exit 1; }
python3 "$root/bench/token-server.py" "$ws/port" &
spid=$!
i=0
while [ ! -s "$ws/port" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
port=$(cat "$ws/port")
# counts: the server's model calls and tokens so far, "CALLS TOKENS"
counts() {
	python3 -c 'import json, sys, urllib.request
c = json.load(urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1]))
print(c["calls"], c["tokens"])' "$port"
}
for v in plain checks; do
	mkdir -p "$ws/$v/Mail/new" "$ws/$v/src"
	printf '[runner]\nhttp_helper = %s\ntimezone = UTC\n[agent]\ndefault = bench\n' "$http" \
	    >"$ws/$v/hb-run.ini"
	printf '[agent.bench]\napi = openai\nurl = http://127.0.0.1:%s/v1\nmodel = bench\n' \
	    "$port" >>"$ws/$v/hb-run.ini"
	git -C "$ws/$v/src" init -q
done
cp "$root/HEARTBEAT.md" "$ws/plain/HEARTBEAT.md"
python3 - "$ws/plain/HEARTBEAT.md" "$ws/checks/HEARTBEAT.md" <<'PY'
import sys
text = open(sys.argv[1]).read()
checks = {
    "inbox-triage": "    check: new-files Mail/new\n",
    "disk-watch": "    check: disk-space . 100\n",
    "weekday-brief": "    check: git-changes src\n",
}
out = []
for line in text.splitlines(True):
    out.append(line)
    if line.strip().startswith("- name:"):
        name = line.split(":", 1)[1].strip()
        if name in checks:
            out.append(checks[name])
open(sys.argv[2], "w").write("".join(out))
PY
# week DIR: 336 ticks in DIR; prints "CALLS TOKENS" the server counted
week() {
	set -- "$1" $(counts)
	t=$(date -d '2026-01-05 00:00:00 UTC' +%s)
	for i in $(seq 0 335); do
		when=$(date -u -d "@$((t + i * 1800))" '+%Y-%m-%d %H:%M:%S')
		(cd "$1" && TZ=UTC LD_PRELOAD="$faketime_lib" FAKETIME="@$when" NO_FAKE_STAT=1 \
		    "$bin" >/dev/null 2>&1) || true
	done
	c0=$2 t0=$3
	set -- $(counts)
	echo $(($1 - c0)) $(($2 - t0))
}
set -- $(week "$ws/plain") $(week "$ws/checks")
echo "a week of ticks every 30 minutes on the shipped HEARTBEAT.md (nothing to find):"
echo "                  agent runs  tokens (counted)  as Claude Code runs (15746 each)"
printf "  as shipped      %10d  %16d  %32d\n" "$1" "$2" $(($1 * 15746))
printf "  with checks     %10d  %16d  %32d\n" "$3" "$4" $(($3 * 15746))
