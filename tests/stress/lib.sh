# lib.sh - what the stress scripts share; sourced by tests/stress/*.sh (bash), after they set
# STRESS_NAME (the word of their count line) and their own settings.
#   bail MESSAGE      report, print "NAME: 0 passed, 1 failed" and exit 1
#   stress_setup      check the binary, libfaketime and python3; drop the caller's HB_
#                     settings; make the work folder $D (with $WS and $D/tmp) and a FIFO on
#                     descriptor 9; copy the binary to $D/hb-run (HB_BIN then names it)
#   ours              the pids of the processes we started (they carry STRESS_MARK=$D)
#   nap SECONDS       sleep without a fork; stops the script when a signal set STOP

bail() {
	echo "$STRESS_NAME: $*" >&2
	echo "$STRESS_NAME: 0 passed, 1 failed"
	exit 1
}

stress_setup() {
	local try v
	[ -x "$HB_BIN" ] || bail "no binary at $HB_BIN (run make hb-run first)"
	HB_BIN=$(cd "$(dirname "$HB_BIN")" && pwd)/$(basename "$HB_BIN")
	FAKELIB=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -n 1)
	if [ -z "$FAKELIB" ]; then
		for FAKELIB in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
			[ -e "$FAKELIB" ] && break
		done
	fi
	[ -e "$FAKELIB" ] || bail "libfaketime is not installed"
	[ -n "$PY" ] || bail "python3 is not installed"
	T0=$(date -u -d "$START" +%s) || bail "bad START '$START'"
	# A user's own HB_ settings must not leak in.
	for v in $(compgen -e); do
		case $v in HB_BIN) ;; HB_*) unset "$v" ;; esac
	done
	D=$(mktemp -d "${TMPDIR:-/tmp}/hb-$STRESS_NAME.XXXXXX") || bail "mktemp failed"
	D=$(cd "$D" && pwd -P)
	trap 'rm -rf "$D"' EXIT	# until the caller sets its own cleanup
	WS=$D/ws
	mkdir "$WS" "$D/tmp"
	mkfifo "$D/fifo"
	exec 9<>"$D/fifo"	# read -t on it: a sleep without a fork
	# A private copy of the binary: others may rebuild ./hb-run while this runs.
	for try in 1 2 3 4 5 6; do
		cp "$HB_BIN" "$D/hb-run" 2>/dev/null && "$D/hb-run" --version >/dev/null 2>&1 && break
		[ "$try" = 6 ] && bail "cannot copy a working binary from $HB_BIN"
		sleep 2
	done
	HB_BIN=$D/hb-run
}

ours() {
	grep -lzxF "STRESS_MARK=$D" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
}

# A signal only sets a flag; the script stops at its next nap. (bash 5.2 can crash when a
# trap that exits runs inside "read -t", which is what the naps are.)
STOP=
trap 'STOP=1' INT TERM
nap() {
	read -r -t "$1" -u 9 _
	if [ -n "$STOP" ]; then
		echo "$STRESS_NAME: interrupted" >&2
		exit 130
	fi
}
