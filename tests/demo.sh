#!/bin/sh
# `make demo`: the main job on the shipped example, with the demo agent instead of a real
# agent CLI: a first tick (one reply suppressed as HEARTBEAT_OK, one delivered), a second tick
# that has nothing to do, then status and log. The workspace is build/demo.
set -eu
cd "$(dirname "$0")/.."
ws=build/demo
rm -rf "$ws"
mkdir -p "$ws"
cp HEARTBEAT.md hb-run.ini "$ws/"
HB_AGENT_AGENT_TURN=$(pwd)/templates/demo/agent.sh
HB_AGENT_SYSTEM_EVENT=$HB_AGENT_AGENT_TURN
export HB_AGENT_AGENT_TURN HB_AGENT_SYSTEM_EVENT

step() {
	printf '\n$ %s\n' "$*"
	set +e
	"$@"
	rc=$?
	set -e
	[ "$rc" -eq 0 ] || printf '(exit status %d)\n' "$rc"
	return "$rc"
}

echo "A workspace with the shipped HEARTBEAT.md and hb-run.ini, the demo agent standing in for"
echo "Claude Code (HB_AGENT_AGENT_TURN=templates/demo/agent.sh)."
echo "First tick: every task is due; HEARTBEAT_OK replies are dropped, the rest is printed:"
step ./hb-run -C "$ws"
echo
echo "Second tick, a moment later: nothing is due, so nothing runs and nothing is printed:"
step ./hb-run -C "$ws"
step ./hb-run -C "$ws" status
step ./hb-run -C "$ws" log
