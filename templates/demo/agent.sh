#!/bin/sh
# hb-run demo agent: answers the way an agent would, with no agent CLI and no network, so
# that a first tick shows a suppressed reply and a delivered one. It reads the prompt from
# standard input like a real template and looks at the machine for itself:
#   - a prompt about email or an inbox: there is no mailbox here, so HEARTBEAT_OK;
#   - a prompt about disk space: the real fill level of the workspace's file system, an
#     alert at 90% or more, otherwise HEARTBEAT_OK with the figure (short, so suppressed);
#   - anything else: a short status report (load, uptime), which is delivered.
set -eu
prompt=$(cat)
case $prompt in
*[Ee]mail* | *[Ii]nbox*)
	echo "HEARTBEAT_OK"
	;;
*[Dd]isk*)
	use=$(df -P "${HB_WORKSPACE:-.}" | awk 'NR == 2 { sub("%", "", $5); print $5 }')
	if [ "$use" -ge 90 ]; then
		echo "Disk alert: the file system holding ${HB_WORKSPACE:-.} is ${use}% full."
	else
		echo "HEARTBEAT_OK (disk ${use}% full)"
	fi
	;;
*)
	read -r load1 load5 load15 _ </proc/loadavg
	up=$(awk '{ printf "%dh%02dm", $1 / 3600, $1 % 3600 / 60 }' /proc/uptime)
	echo "Status report for task $HB_TASK ($HB_REASON run):"
	echo "- load average: $load1 $load5 $load15"
	echo "- up for $up"
	echo "Nothing else stands out."
	;;
esac
