#!/bin/bash
# kill.sh - SIGKILL hb-run at random moments, hundreds of times, and check after every kill
# that nothing was lost and that the next tick finds everything in order.
#
# A workspace with two tasks (alpha: agentTurn every 1m; beta: systemEvent every 2m) whose
# fake agent takes 2 to 100 ms and fails now and then (exit 1). Iteration i, at fake time
# T = START + i * 4h (so that both tasks are due, error backoff included):
#   1. start hb-run at T (a tick; every third iteration a manual run: hb-run alpha beta),
#      sleep a random 0..MAX_DELAY_MS ms, kill -9 it. Its agent runs in its own process group
#      and outlives it: every process carrying this test's marker is then killed by group;
#   2. check: the state file parses as JSON (when there is one); no file was moved aside as
#      corrupt; the state never falls behind the log (a log entry whose state update is
#      missing is a lost run); it gets ahead of it by at most one run per kill, and only when
#      the kill fell between writing the state and appending the log line (see below); a claim
#      left by a killed tick disappears only together with an 'interrupted' log entry;
#   3. (three times in four; else the next kill comes first) an unkilled tick at T + 2h: it
#      must exit 0 or 1 (never a JSON or state error), log every dead claim as 'interrupted',
#      run both tasks once (state and log in step), and leave no claim and no process behind.
#
# The window: record() merges a run into the state (temp file, fsync, rename) and then
# appends its log line, both under the lock. A SIGKILL between the rename and the append
# leaves the state counting a run the log does not show: state `runs` = log ok/error entries
# + 1 for that task. Nothing repairs it later, so the difference is the number of kills that
# fell in that window; the test confirms each one (last_run is that tick, no log line for it).
#
# A second window of the same kind: a tick that finds a dead claim appends its 'interrupted'
# line and then saves the state without the claim. A SIGKILL between the two leaves the claim,
# and the next tick logs it 'interrupted' once more. A run id logged 'interrupted' twice is
# accepted only after such a kill (the claim still in the state, its entry already logged),
# once per kill; any other duplicate fails.
#
# Temp files of a killed writer (.heartbeat-state.json.tmp.*) and prompt files in TMPDIR may
# be left behind: they are counted and reported, and must not disturb any later tick.
#
# Environment: ITERATIONS (default 200), MAX_DELAY_MS (80), SEED (the kill delays; random),
# LIMIT (seconds an unkilled tick may take, 60), START
# ("2026-01-05 09:00:00", UTC), HB_BIN, KEEP=1, VERBOSE=1 (name every kill that fell in one
# of the windows). Last line: "kill: N passed, M failed".
set -u
export LC_ALL=C TZ=UTC

ITERATIONS=${ITERATIONS:-200}
MAX_DELAY_MS=${MAX_DELAY_MS:-80}
SEED=${SEED:-$(( $(date +%s) % 100000 ))}
START=${START:-"2026-01-05 09:00:00"}
LIMIT=${LIMIT:-60}	# seconds any unkilled hb-run may take
HERE=$(cd "$(dirname "$0")" && pwd)
HB_BIN=${HB_BIN:-$HERE/../../hb-run}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

STRESS_NAME=kill
. "$HERE/lib.sh"

case $ITERATIONS in '' | *[!0-9]* | 0) bail "ITERATIONS must be a positive number" ;; esac
case $MAX_DELAY_MS in '' | *[!0-9]*) bail "MAX_DELAY_MS must be a number" ;; esac
stress_setup
RANDOM=$SEED

# Processes we start carry STRESS_MARK=$D (hb-run, its agents and theirs): see ours.
# end_ours: kills every process of ours and its process group, until none is left.
# Prints how many were found.
end_ours() {
	local p n=0 tries=0 found
	while :; do
		found=$(ours)
		[ -z "$found" ] && break
		for p in $found; do
			[ "$p" = $$ ] && continue
			kill -KILL -- "-$p" 2>/dev/null
			kill -KILL "$p" 2>/dev/null
			n=$((n + 1))
		done
		tries=$((tries + 1))
		[ "$tries" -gt 200 ] && { echo "kill: cannot end: $found" >&2; break; }
		read -r -t 0.005 -u 9 _	# (not nap: this runs in the cleanup too)
	done
	ENDED=$n
}
cleanup() {
	trap - EXIT INT TERM
	[ -n "${PYC_PID:-}" ] && kill "$PYC_PID" 2>/dev/null
	end_ours
	exec 9<&-
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kill: kept $D" >&2
	else
		rm -rf "$D"
	fi
}
trap cleanup EXIT

cat >"$WS/HEARTBEAT.md" <<'MD'
# Kill stress test

tasks:
  - name: alpha
    interval: 1m
    prompt: a few milliseconds of work
  - name: beta
    interval: 2m
    type: systemEvent
    prompt: a few milliseconds of work, in the main session
MD
# The fake agent: 2 to 100 ms, exit 1 for one run id in sixteen, a short reply.
cat >"$D/agent.sh" <<'SH'
#!/bin/sh
unset LD_PRELOAD FAKETIME FAKETIME_DONT_RESET
case $HB_RUN_ID in
?[0-3]*) sleep 0.002 ;;
?[4-7]*) sleep 0.01 ;;
?[89ab]*) sleep 0.04 ;;
*) sleep 0.1 ;;
esac
echo "$HB_TASK $HB_RUN_ID" >>"$STRESS_DIR/agent-runs"
case $HB_RUN_ID in
f*) echo "failing on purpose" >&2; exit 1 ;;
esac
echo HEARTBEAT_OK
SH
chmod 755 "$D/agent.sh"
export HB_AGENT_AGENT_TURN="$D/agent.sh" HB_AGENT_SYSTEM_EVENT="$D/agent.sh"

# hb T ARGS...: hb-run in the workspace at fake time T (Unix seconds), in the background.
hb() {
	local t=$1 f
	shift
	printf -v f '%(%Y-%m-%d %H:%M:%S)T' "$t"
	STRESS_MARK=$D STRESS_DIR=$D TMPDIR=$D/tmp LD_PRELOAD=$FAKELIB FAKETIME="@$f" \
	    FAKETIME_DONT_RESET=1 "$HB_BIN" -C "$WS" "$@" >"$D/hb.out" 2>"$D/hb.err" 9<&- &
	HBPID=$!
}

# The checker: a python coprocess that keeps the counts between iterations. It reads
# commands ("kill I T RC MODE", "tick I T RC", "final") and answers with lines ending in END.
cat >"$D/check.py" <<'PY'
import glob, json, os, shutil, sys, time

D = sys.argv[1]
WS = D + "/ws"
STATE = WS + "/.heartbeat-state.json"
LOG = WS + "/.heartbeat-log.jsonl"
TASKS = ["alpha", "beta"]
passed = failed = 0
log_off = 0
log_cnt = {t: 0 for t in TASKS}	# ok/error entries per task
diff = {t: 0 for t in TASKS}		# state runs - log_cnt
window = 0				# kills confirmed between state write and log append
dead = {}				# task -> run_id of a claim a killed tick left
seen_corrupt = set()
dup_allowed = set()			# run ids that may be logged 'interrupted' once more
intr_window = 0				# kills between an 'interrupted' entry and its state save
VERBOSE = os.environ.get("VERBOSE") == "1"
ids_done = set()
interrupted = {}			# run_id -> times logged interrupted
stats = {"killed": 0, "finished": 0, "claims_left": 0, "no_state_change": 0,
         "verify": 0, "tmp_max": 0, "manual": 0}
out = []

def say(s):
    out.append(s)

def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        say("FAILED " + what)
    return ok

def load_state(tag):
    if not os.path.exists(STATE):
        return None, True
    try:
        with open(STATE) as f:
            return json.load(f), True
    except Exception as e:
        keep = D + "/bad-state.%d" % len(glob.glob(D + "/bad-state.*"))
        shutil.copy(STATE, keep)
        say("  state file unparsable (%s); a copy is in %s; its start:\n%s" % (e, keep, open(STATE, errors="replace").read()[:400]))
        return None, False

def new_entries():
    global log_off
    es = []
    if not os.path.exists(LOG):
        return es
    with open(LOG, "rb") as f:
        f.seek(log_off)
        data = f.read()
    end = data.rfind(b"\n") + 1	# a line is whole only with its newline
    log_off += end
    for l in data[:end].split(b"\n"):
        if l.strip():
            try:
                es.append(json.loads(l))
            except Exception as e:
                check(False, "a log line parses as JSON: %r" % l[:200])
    return es

def absorb(es):
    """Counts new log entries; returns the ok/error ones per task and the interrupted ones."""
    done = {t: [] for t in TASKS}
    intr = []
    for e in es:
        st, task, rid = e.get("status"), e.get("task"), e.get("run_id")
        if st in ("ok", "error", "timeout"):
            check(st != "timeout", "no run timed out (%s %s)" % (task, rid))
            check(rid not in ids_done, "run id %s has one ok/error log entry, not two" % rid)
            ids_done.add(rid)
            if task in log_cnt:
                log_cnt[task] += 1
                done[task].append(e)
        elif st == "interrupted":
            if interrupted.get(rid, 0) > 0:
                # Allowed only after a kill between that append and the state save that
                # drops the claim (see cmd_kill); once per such kill.
                check(rid in dup_allowed, "run id %s is logged 'interrupted' twice only after a kill between "
                      "the first entry and the state save that drops its claim" % rid)
                dup_allowed.discard(rid)
            interrupted[rid] = interrupted.get(rid, 0) + 1
            intr.append(e)
        else:
            check(False, "a known status in the log: %s" % json.dumps(e)[:300])
    return done, intr

def common(tag, T):
    """The checks after any hb-run: the state parses, nothing was moved aside, counts."""
    S, ok = load_state(tag)
    check(ok, "%s: the state file parses as JSON" % tag)
    corrupt = set(glob.glob(STATE + ".corrupt*")) - seen_corrupt
    seen_corrupt.update(corrupt)
    check(not corrupt, "%s: no state file was moved aside as corrupt (%s)" % (tag, " ".join(corrupt)))
    tmp = len(glob.glob(STATE + ".tmp.*"))
    stats["tmp_max"] = max(stats["tmp_max"], tmp)
    es = new_entries()
    done, intr = absorb(es)
    new = {}
    for t in TASKS:
        runs = (S or {}).get(t, {}).get("runs", 0) if S is not None else None
        new[t] = None if runs is None else runs - log_cnt[t]
    if corrupt and S is not None:
        # The state was rebuilt from nothing (failed above): count from here on, so that
        # one failure does not repeat in every later check.
        say("  the state was rebuilt: the counts start again from it")
        for t in TASKS:
            diff[t] = new[t]
        dead.clear()
    return S, done, intr, new

def forget_dead(S, intr, tag):
    """A dead claim may go only with an 'interrupted' entry for its run id."""
    logged = {e.get("run_id") for e in intr}
    for t, rid in list(dead.items()):
        if rid in logged:
            del dead[t]
            continue
        cur = ((S or {}).get(t) or {}).get("running") or {}
        if cur.get("run_id") != rid:
            check(interrupted.get(rid, 0) > 0,
                  "%s: the dead claim %s of %s was logged 'interrupted' before it went" % (tag, rid, t))
            del dead[t]

def cmd_kill(i, T, rc, mode):
    tag = "iteration %d (kill, %s)" % (i, mode)
    S, done, intr, new = common(tag, T)
    stats["manual"] += mode == "manual"
    stats["killed" if rc == 137 else "finished"] += 1
    global window
    if S is None and not os.path.exists(STATE):
        stats["no_state_change"] += 1
        return
    if S is None:
        return
    forget_dead(S, intr, tag)
    # The killed tick logged a dead claim 'interrupted' but died before saving the state
    # without it: the next tick logs it again (the same kind of window as the one below).
    global intr_window
    for e in intr:
        t, rid = e.get("task"), e.get("run_id")
        if rc == 137 and ((S.get(t) or {}).get("running") or {}).get("run_id") == rid:
            dup_allowed.add(rid)
            intr_window += 1
            if VERBOSE:
                say("  %s: killed between logging the dead claim of %s 'interrupted' and saving the state" % (tag, t))
    inc = 0
    for t in TASKS:
        d = new[t] - diff[t]
        if not check(d >= 0, "%s: %s: the state does not fall behind the log (state runs %s, log %d, before %d ahead)"
                     % (tag, t, S.get(t, {}).get("runs"), log_cnt[t], diff[t])):
            continue
        if d > 0:
            inc += d
            st = S.get(t, {})
            confirmed = rc == 137 and d == 1 and T <= st.get("last_run", 0) <= T + 60 and \
                "running" not in st and not done[t]
            check(confirmed, "%s: %s: the state is ahead of the log only by a kill between the state write "
                  "and the log append (state runs %s, log %d, last_run %s, tick %d, exit %d)"
                  % (tag, t, st.get("runs"), log_cnt[t], st.get("last_run"), T, rc))
            if confirmed:
                window += 1
                if VERBOSE:
                        say("  %s: killed between the state write and the log append of %s" % (tag, t))
        diff[t] = new[t]
    check(inc <= 1, "%s: at most one run ahead per kill (%d)" % (tag, inc))
    for t in TASKS:
        run = (S.get(t) or {}).get("running")
        if run:
            stats["claims_left"] += 1
            if rc != 137:
                check(False, "%s: %s: a tick that ended by itself leaves no claim" % (tag, t))
            dead[t] = run.get("run_id")

def cmd_tick(i, T, rc, errfile):
    tag = "iteration %d (tick after it)" % i
    stats["verify"] += 1
    err = open(errfile, errors="replace").read()
    check(rc in (0, 1), "%s: exit 0 or 1 (%d)%s" % (tag, rc, ("\n" + err[:800]) if rc not in (0, 1) else ""))
    bad = [l for l in err.splitlines() if any(w in l for w in
           ("JSON", "corrupt", "moved it aside", "is not a number", "not recorded", "cannot"))]
    check(not bad, "%s: no state error on stderr: %s" % (tag, " | ".join(bad[:3])))
    S, done, intr, new = common(tag, T)
    if S is None:
        check(False, "%s: there is a state file" % tag)
        return
    logged = {e.get("run_id") for e in intr}
    for t, rid in list(dead.items()):
        check(rid in logged, "%s: the dead claim of %s (run %s) was logged 'interrupted'" % (tag, t, rid))
        del dead[t]
    for t in TASKS:
        check(len(done[t]) == 1, "%s: %s ran once (%d log entries)" % (tag, t, len(done[t])))
        check(new[t] == diff[t], "%s: %s: state and log moved in step (ahead %d, was %d)" % (tag, t, new[t], diff[t]))
        diff[t] = new[t]
        check("running" not in S.get(t, {}), "%s: %s: no claim is left" % (tag, t))

def cmd_final():
    S, ok = load_state("final")
    dup = sum(1 for n in interrupted.values() if n > 1)
    tmp = glob.glob(STATE + ".tmp.*")
    prompts = glob.glob(D + "/tmp/hb-run-prompt-*")
    agent_runs = sum(1 for _ in open(D + "/agent-runs")) if os.path.exists(D + "/agent-runs") else 0
    say("kill: figures: %d kills landed, %d hb-runs had finished before their kill (%d manual runs); "
        "%d claims left by killed hb-runs; %d unkilled ticks; %d agent starts; %d log entries ok/error, %d interrupted "
        "(%d run ids logged interrupted twice, %d kills between such an entry and its state save); state ahead of log: %s (%d kills confirmed in the window); "
        "temp files left: %d state (%d at most at once), %d prompt files"
        % (stats["killed"], stats["finished"], stats["manual"], stats["claims_left"], stats["verify"], agent_runs,
           sum(log_cnt.values()), sum(interrupted.values()), dup, intr_window,
           ", ".join("%s %d" % (t, diff[t]) for t in TASKS), window, len(tmp), stats["tmp_max"], len(prompts)))
    check(sum(diff.values()) == window, "final: the state is ahead of the log by exactly the confirmed window kills (%d, %d)" % (sum(diff.values()), window))
    check(ok and S is not None, "final: the state parses")

for line in sys.stdin:
    a = line.split()
    out = []
    if a[0] == "kill":
        cmd_kill(int(a[1]), int(a[2]), int(a[3]), a[4])
    elif a[0] == "tick":
        cmd_tick(int(a[1]), int(a[2]), int(a[3]), a[4])
    elif a[0] == "final":
        cmd_final()
        out.append("COUNTS %d %d" % (passed, failed))
    for s in out:
        print(s)
    print("END", flush=True)
PY

coproc PYC { "$PY" -u "$D/check.py" "$D"; }
PYC_PID=$PYC_PID
# ask LINE: sends LINE to the checker and prints its answer; FAILED lines are counted.
FAILS=0
ask() {
	local l
	echo "$1" >&"${PYC[1]}"
	while IFS= read -r l <&"${PYC[0]}"; do
		[ "$l" = END ] && return 0
		case $l in
		FAILED*) FAILS=$((FAILS + 1)) ;;
		COUNTS*) COUNTS=${l#COUNTS } && continue ;;
		esac
		echo "$l"
	done
	echo "kill: the checker died" >&2
	return 1
}

echo "kill: $ITERATIONS iterations, kills 0-${MAX_DELAY_MS} ms after the start, SEED=$SEED; workspace $WS"
began=$SECONDS
ended_agents=0
for ((i = 0; i < ITERATIONS; i++)); do
	t=$((T0 + i * 14400))
	if [ $((i % 3)) = 2 ]; then
		mode=manual
		hb "$t" alpha beta
	else
		mode=tick
		hb "$t"
	fi
	ms=$((RANDOM % (MAX_DELAY_MS + 1)))
	printf -v delay '%d.%03d' $((ms / 1000)) $((ms % 1000))
	nap "$delay"
	kill -KILL "$HBPID" 2>/dev/null
	wait "$HBPID" 2>/dev/null	# (no "Killed" notice from bash)
	rc=$?
	end_ours
	ended_agents=$((ended_agents + ENDED))
	if [ "$rc" != 137 ] && [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		echo "kill: iteration $i: hb-run ended by itself with exit $rc:" >&2
		cat "$D/hb.err" >&2
		FAILS=$((FAILS + 1))
	fi
	ask "kill $i $t $rc $mode" || break
	# three times in four, an unkilled tick; else the next kill comes first
	if [ $((RANDOM % 4)) != 0 ] || [ $((i + 1)) = "$ITERATIONS" ]; then
		hb $((t + 7200))
		waited=0
		while kill -0 "$HBPID" 2>/dev/null && [ "$waited" -lt $((LIMIT * 100)) ]; do
			nap 0.01
			waited=$((waited + 1))
		done
		if kill -0 "$HBPID" 2>/dev/null; then
			echo "kill: iteration $i: the unkilled tick took over ${LIMIT}s; killed" >&2
			kill -KILL "$HBPID"
		fi
		wait "$HBPID" 2>/dev/null
		rc=$?
		end_ours
		if [ "$ENDED" != 0 ]; then
			echo "FAILED iteration $i (tick after it): $ENDED processes of its agents outlived it"
			FAILS=$((FAILS + 1))
		fi
		ask "tick $i $((t + 7200)) $rc $D/hb.err" || break
	fi
	if [ $(((i + 1) % 100)) = 0 ]; then
		echo "kill: ... $((i + 1))/$ITERATIONS iterations, $((SECONDS - began)) s"
	fi
done
ask final
echo "kill: $ended_agents agent processes outlived their killed hb-run and were ended; $((SECONDS - began)) s"
# FAILS: the checker's FAILED lines (one per failed check) and the driver's own failures.
set -- ${COUNTS:-0 1}
[ -n "${COUNTS:-}" ] || FAILS=$((FAILS + 1))
echo "kill: $1 passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
