#!/bin/sh
# Measures the cheap tier: the median wall time and the child processes of a tick whose 10
# tasks are due and whose built-in checks find nothing (two each of git-changes, new-files,
# file-changes, disk-space, todo-scan; no agent starts), against a tick with nothing due in
# the same workspace, and against a tick of one plain command check (/bin/sh -c true).
# Usage: bench/checks.sh [HB_BIN]   (needs git, hyperfine, strace: make test-deps)
set -eu
cd "$(dirname "$0")/.."
bin=$(pwd)/${1:-hb-run}
runs=${RUNS:-50}
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT INT TERM

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
