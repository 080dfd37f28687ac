#!/bin/bash
# overlap.sh - many concurrent ticks on one workspace over many simulated hours: every agent
# start is counted against the slots that were due, and each must have run exactly once.
#
# For each simulated tick time T (every 5 simulated minutes, HOURS simulated hours from
# START), CONCURRENCY hb-run processes start at once (a barrier releases them together), each
# with libfaketime's clock starting at T ("@T", running on). The fake agent appends
# "TASK T RUN_ID HB_RUN_PID" to a shared file with one write. The next T starts after a short
# real pause, once the processes of T have finished their fast work: the slow task (1.1-2 s of
# real time) is not waited for, so that later ticks find it still running in an older tick.
# At most MAX_INFLIGHT hb-run processes are alive at once.
#
# At the end (everything waited for) the runs are checked against a model of the due rule:
#   fast interval tasks: run at the first tick, then due again at last + interval -
#     min(60 s, interval/10): with ticks 5 min apart, every ceil((interval - tol)/5min) ticks;
#   the cron task (*/10): the first tick only records a baseline; then every tick on a slot;
#   the slow task (interval 5m): never two runs overlapping in real time, never two for one T,
#     and a run at every T whose ticks all started after the previous run's hb-run had exited
#     (at such a T it was due and not held); at the other T it may or may not run;
#   one-shot tasks (hb-run schedule before the first tick, at times between the ticks): each
#     runs once, at the first tick at or after its time; each asks (hb-run schedule from inside
#     its run) for a follow-up 3 minutes later, which runs once at the next tick; the chain
#     task asks by its reply (HEARTBEAT_FOLLOWUP: 7m) for a follow-up that asks for the next:
#     one run every 10 minutes, each once;
#   plus: no run id twice, every hb-run exited 0 and printed nothing, the log and the state
#   agree with the agent's own record, no claim and no temp file is left.
#
# Environment: HOURS (default 2), CONCURRENCY (20), START ("2026-01-05 09:00:00", UTC),
# MAX_INFLIGHT (3 x CONCURRENCY), PAUSE (real seconds between ticks, 0.05), SETTLE_LIMIT
# (seconds a tick's fast work may take, 60), HB_BIN (the binary, default ../../hb-run),
# KEEP=1 (keep the temp directory). Last line: "overlap: N passed, M failed".
set -u
export LC_ALL=C TZ=UTC

HOURS=${HOURS:-2}
CONCURRENCY=${CONCURRENCY:-20}
START=${START:-"2026-01-05 09:00:00"}
MAX_INFLIGHT=${MAX_INFLIGHT:-$((CONCURRENCY * 3))}
PAUSE=${PAUSE:-0.05}
SETTLE_LIMIT=${SETTLE_LIMIT:-60}
STEP=300
HERE=$(cd "$(dirname "$0")" && pwd)
HB_BIN=${HB_BIN:-$HERE/../../hb-run}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

STRESS_NAME=overlap
. "$HERE/lib.sh"

case $HOURS in '' | *[!0-9]*) bail "HOURS must be a whole number of hours" ;; esac
case $CONCURRENCY in '' | *[!0-9]* | 0) bail "CONCURRENCY must be a positive number" ;; esac
[ "$MAX_INFLIGHT" -ge "$CONCURRENCY" ] || MAX_INFLIGHT=$CONCURRENCY
stress_setup
NT=$((HOURS * 3600 / STEP))
[ "$NT" -ge 2 ] || bail "HOURS must be at least 1"

REC=$D/rec OUT=$D/out
mkdir "$REC" "$OUT" "$D/go"

# Processes we started carry STRESS_MARK=$D in their environment (hb-run and its agents);
# the wrappers are our own children. The cleanup ends those still alive, by pid.
WRAPPERS=()
cleanup() {
	local p
	trap - EXIT INT TERM
	for p in "${WRAPPERS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in $(ours); do
		[ "$p" != $$ ] && kill -KILL "$p" 2>/dev/null
	done
	exec 9<&-
	if [ "${KEEP:-0}" = 1 ]; then
		echo "overlap: kept $D" >&2
	else
		rm -rf "$D"
	fi
}
trap cleanup EXIT

cat >"$WS/HEARTBEAT.md" <<'MD'
# Overlap stress test

Context line: keep replies short.

tasks:
  - name: every5
    interval: 5m
    prompt: fast, every 5 minutes
  - name: every10
    interval: 10m
    prompt: fast, every 10 minutes
  - name: every15
    interval: 15m
    type: systemEvent
    prompt: fast, every 15 minutes, in the main session
  - name: hourly
    interval: 1h
    prompt: fast, every hour
  - name: cron10
    cron: "*/10 * * * *"
    prompt: fast, on every tenth minute
  - name: chain
    interval: 1d
    prompt: starts a chain of follow-ups, each asking for the next
  - name: slow
    interval: 5m
    type: agentTurn
    prompt: slow, longer than the gap between ticks
MD

# The fake agent. It runs on the real clock (the tick time is in STRESS_T). One append per
# run to rec/runs; the slow task also records its real start and end, and says while it runs
# that its hb-run is busy with it (rec/holding.T.PID), for the driver's settling.
cat >"$D/agent.sh" <<'SH'
#!/bin/sh
unset LD_PRELOAD FAKETIME FAKETIME_DONT_RESET
r=$STRESS_DIR/rec
if [ "$HB_TASK" = slow ]; then
	: >"$r/holding.$STRESS_T.$PPID"
	s=$(date +%s.%N)
	case $HB_RUN_ID in
	[0-3]*) d=1.1 ;;
	[4-7]*) d=1.4 ;;
	[89ab]*) d=1.7 ;;
	*) d=2.0 ;;
	esac
	sleep "$d"
	e=$(date +%s.%N)
	echo "slow $STRESS_T $HB_RUN_ID $PPID $s $e" >>"$r/slow"
	rm -f "$r/holding.$STRESS_T.$PPID"
fi
echo "$HB_TASK $STRESS_T $HB_RUN_ID $PPID" >>"$r/runs"
case $HB_TASK in
chain*)
	echo "HEARTBEAT_FOLLOWUP: 7m the next link of the chain" ;;
os*)
	# a follow-up by the command, at the tick's fake time; no -C: HB_WORKSPACE says where
	LD_PRELOAD=$STRESS_FAKELIB FAKETIME="@$(date -u -d "@$STRESS_T" '+%Y-%m-%d %H:%M:%S')" \
	    "$STRESS_HB" schedule "the follow-up of $HB_TASK" --in 3m --name cmdfu \
	    >/dev/null 2>>"$r/schedule-errors" ;;
esac
echo HEARTBEAT_OK
SH
chmod 755 "$D/agent.sh"
export HB_AGENT_AGENT_TURN="$D/agent.sh" HB_AGENT_SYSTEM_EVENT="$D/agent.sh"
: >"$REC/runs"
: >"$REC/slow"
: >"$REC/exits"
: >"$REC/batches"
: >"$REC/schedule-errors"
export STRESS_HB=$HB_BIN STRESS_FAKELIB=$FAKELIB

# One-shot tasks os1..os6, between the ticks (7 + 17k minutes after the start), each written
# down as "NAME AT" (Unix seconds).
: >"$REC/oneshots"
for k in 1 2 3 4 5 6; do
	at=$((T0 + 420 + (k - 1) * 1020))
	[ "$at" -lt $((T0 + (NT - 1) * STEP)) ] || break
	STRESS_MARK=$D TMPDIR=$D/tmp LD_PRELOAD=$FAKELIB FAKETIME="@$START" \
	    "$HB_BIN" -C "$WS" schedule "one-shot $k" --in "$((at - T0))s" --name "os$k" \
	    >/dev/null || bail "hb-run schedule failed"
	echo "os$k $at" >>"$REC/oneshots"
done

# one T I FAKESTR: a wrapper (a subshell): waits for the barrier of T, runs one hb-run at the
# fake time, and records "T I PID RC LAUNCHED ENDED" (real seconds) when it has exited.
one() {
	local t=$1 i=$2 f=$3 p rc t0
	until [ -e "$D/go/$t" ]; do
		nap 0.002
	done
	t0=$EPOCHREALTIME
	STRESS_MARK=$D STRESS_DIR=$D STRESS_T=$t TMPDIR=$D/tmp LD_PRELOAD=$FAKELIB \
	    FAKETIME="@$f" FAKETIME_DONT_RESET=1 "$HB_BIN" -C "$WS" \
	    >>"$OUT/out.$t" 2>>"$OUT/err.$t" 9<&- &
	p=$!
	wait "$p"
	rc=$?
	echo "$t $i $p $rc $t0 $EPOCHREALTIME" >>"$OUT/exits.$t"
}

# live: how many wrappers are still running (and forgets the others).
live() {
	local p keep=()
	for p in "${WRAPPERS[@]}"; do
		kill -0 "$p" 2>/dev/null && keep+=("$p")
	done
	WRAPPERS=("${keep[@]}")
	LIVE=${#WRAPPERS[@]}
}

# settle T: waits until every hb-run of T has exited or is running the slow agent.
settled_late=0
settle() {
	local t=$1 n h until=$((SECONDS + SETTLE_LIMIT))
	local -a lines holders
	while :; do
		lines=()
		[ -f "$OUT/exits.$t" ] && mapfile -t lines <"$OUT/exits.$t"
		holders=("$REC"/holding."$t".*)
		[ -e "${holders[0]}" ] || holders=()
		n=$((${#lines[@]} + ${#holders[@]}))
		[ "$n" -ge "$CONCURRENCY" ] && return 0
		if [ "$SECONDS" -ge "$until" ]; then
			echo "overlap: tick $t did not settle in ${SETTLE_LIMIT}s" \
			    "(${#lines[@]} exited, ${#holders[@]} in the slow agent)" >&2
			settled_late=$((settled_late + 1))
			return 1
		fi
		nap 0.005
	done
}

echo "overlap: $NT ticks from $START UTC, every 5 simulated minutes ($HOURS h)," \
    "$CONCURRENCY hb-run processes each; workspace $WS"
began=$SECONDS
max_live=0
for ((k = 0; k < NT; k++)); do
	t=$((T0 + k * STEP))
	printf -v fstr '%(%Y-%m-%d %H:%M:%S)T' "$t"
	live
	stuck=$((SECONDS + SETTLE_LIMIT))
	while [ $((LIVE + CONCURRENCY)) -gt "$MAX_INFLIGHT" ] && [ "$SECONDS" -lt "$stuck" ]; do
		nap 0.01
		live
	done
	if [ $((LIVE + CONCURRENCY)) -gt "$MAX_INFLIGHT" ]; then
		echo "overlap: $LIVE hb-run processes still alive after ${SETTLE_LIMIT}s: stopping" >&2
		settled_late=$((settled_late + 1))
		break
	fi
	for ((i = 1; i <= CONCURRENCY; i++)); do
		one "$t" "$i" "$fstr" &
		WRAPPERS+=("$!")
	done
	live
	[ "$LIVE" -gt "$max_live" ] && max_live=$LIVE
	echo "$t $EPOCHREALTIME" >>"$REC/batches"
	: >"$D/go/$t"
	settle "$t"
	nap "$PAUSE"
	if [ $((k % 24)) -eq 23 ]; then
		echo "overlap: ... $((k + 1))/$NT ticks, $(wc -l <"$REC/runs") agent runs," \
		    "$((SECONDS - began)) s"
	fi
done
# Everything still running ends by itself (the slow task: 2 s); a hung hb-run is a failure.
stuck=$((SECONDS + SETTLE_LIMIT))
live
while [ "$LIVE" -gt 0 ] && [ "$SECONDS" -lt "$stuck" ]; do
	nap 0.05
	live
done
if [ "$LIVE" -gt 0 ]; then
	echo "overlap: $LIVE hb-run processes did not end within ${SETTLE_LIMIT}s of the last tick:" >&2
	ps -o pid,ppid,etimes,args -p "$(ours | paste -sd, -)" >&2 2>/dev/null
	settled_late=$((settled_late + 1))
	for p in $(ours); do kill -KILL "$p" 2>/dev/null; done
fi
wait
elapsed=$((SECONDS - began))
cat "$OUT"/exits.* >"$REC/exits" 2>/dev/null

"$PY" - "$D" "$T0" "$NT" "$STEP" "$CONCURRENCY" "$elapsed" "$max_live" "$settled_late" <<'PY'
import glob, json, os, sys

D, T0, NT, STEP, C, elapsed, max_live, late = sys.argv[1], *map(int, sys.argv[2:])
WS, REC, OUT = D + "/ws", D + "/rec", D + "/out"
ticks = [T0 + k * STEP for k in range(NT)]
passed = failed = 0

def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok     %s" % what)
    else:
        failed += 1
        print("FAILED %s%s" % (what, ("\n       " + detail.replace("\n", "\n       ")) if detail else ""))

def iso(t):
    import time
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(t))

runs = [l.split() for l in open(REC + "/runs") if l.strip()]
slow = [l.split() for l in open(REC + "/slow") if l.strip()]
exits = [l.split() for l in open(REC + "/exits") if l.strip()]
batches = {int(l.split()[0]): float(l.split()[1]) for l in open(REC + "/batches") if l.strip()}

# -- every hb-run started, ended, exit 0, silent
check(len(exits) == NT * C, "every hb-run process ran to its end (%d of %d)" % (len(exits), NT * C))
bad = [e for e in exits if e[3] != "0"]
check(not bad, "every hb-run exited 0", "\n".join("tick %s #%s pid %s: exit %s" % (iso(int(e[0])), e[1], e[2], e[3]) for e in bad[:10]))
noise = []
for f in sorted(glob.glob(OUT + "/err.*")) + sorted(glob.glob(OUT + "/out.*")):
    text = open(f, errors="replace").read()
    if text.strip():
        noise.append("%s (tick %s): %s" % (os.path.basename(f), iso(int(f.rsplit(".", 1)[1])), text.strip()[:600]))
check(not noise, "no hb-run printed anything (replies are HEARTBEAT_OK, no errors)", "\n".join(noise[:8]))
check(late == 0, "every tick's fast work finished within the settle limit (%d late)" % late)

# -- the model
INTERVALS = {"every5": 300, "every10": 600, "every15": 900, "hourly": 3600}
def tol(i):
    return min(60, i // 10)
model = {}
for name, iv in INTERVALS.items():
    last, want = None, []
    for t in ticks:
        if last is None or t >= last + iv - tol(iv):
            want.append(t)
            last = t
    model[name] = want
last, want = ticks[0], []		# cron */10: a baseline at the first tick
for t in ticks[1:]:
    slot = t - t % 600
    if slot > last:
        want.append(t)
        last = t
model["cron10"] = want

got = {}
for r in runs:
    got.setdefault(r[0], []).append(int(r[1]))
dups_total = missed_total = extra_total = 0
for name in ["every5", "every10", "every15", "hourly", "cron10"]:
    g = got.get(name, [])
    counts = {}
    for t in g:
        counts[t] = counts.get(t, 0) + 1
    dups = {t: c for t, c in counts.items() if c > 1}
    want = set(model[name])
    missed = sorted(want - set(counts))
    extra = sorted(set(counts) - want)
    dups_total += sum(c - 1 for c in dups.values())
    missed_total += len(missed)
    extra_total += len(extra)
    print("       %-8s model %4d runs, agent %4d runs, %d duplicate, %d missed, %d unexpected"
          % (name, len(want), len(g), sum(c - 1 for c in dups.values()), len(missed), len(extra)))
    check(not dups, "%s: never twice at one tick" % name,
          "; ".join("%s ran %d times" % (iso(t), c) for t, c in sorted(dups.items())[:10]))
    check(not missed and not extra, "%s: ran exactly at the due ticks" % name,
          ("missed: " + ", ".join(iso(t) for t in missed[:10]) if missed else "") +
          (("\n" if missed else "") + "unexpected: " + ", ".join(iso(t) for t in extra[:10]) if extra else ""))

ids = [r[2] for r in runs]
dup_ids = len(ids) - len(set(ids))
check(dup_ids == 0, "no run id twice among %d agent runs" % len(ids))

# -- the slow task
srun = sorted((float(s[4]), float(s[5]), int(s[1]), s[2], int(s[3])) for s in slow)
check(len(srun) == len(got.get("slow", [])), "every slow run recorded its real start and end")
overl = [(a, b) for a, b in zip(srun, srun[1:]) if b[0] < a[1]]
check(not overl, "slow: no two runs overlapped in real time",
      "\n".join("run at %s (%.3f-%.3f) and run at %s (%.3f-%.3f)" % (iso(a[2]), a[0], a[1], iso(b[2]), b[0], b[1]) for a, b in overl[:5]))
sc = {}
for s in srun:
    sc[s[2]] = sc.get(s[2], 0) + 1
sdup = {t: c for t, c in sc.items() if c > 1}
dups_total += sum(c - 1 for c in sdup.values())
check(not sdup, "slow: never twice at one tick", ", ".join(iso(t) for t in sdup))
# When did the hb-run that ran each slow run exit (real time)?
exit_of = {(int(e[0]), int(e[2])): float(e[5]) for e in exits}
free = held = smissed = 0
misses = []
for t in ticks:
    prev = [s for s in srun if s[2] < t]
    if prev:
        p = prev[-1]
        ended = exit_of.get((p[2], p[4]))
        if ended is None or ended >= batches[t]:
            held += 1	# its hb-run may still have held the claim when the ticks of t looked
            continue
    free += 1
    if t not in sc:
        smissed += 1
        misses.append(t)
missed_total += smissed
print("       slow     %d runs; %d ticks found it free (a run required), %d ticks may have found it held"
      % (len(srun), free, held))
check(smissed == 0, "slow: ran at every tick at which it was due and not held",
      "no run at: " + ", ".join(iso(t) for t in misses[:10]))
check(held > 0, "slow: later ticks did find it still running (the test overlapped at all)")

# -- one-shots and follow-ups
last = ticks[-1]
def first_tick(at):
    return next((t for t in ticks if t >= at), None)
osat = {l.split()[0]: int(l.split()[1]) for l in open(REC + "/oneshots") if l.strip()}
once = {}
for r in runs:
    if "#" in r[0]:
        once.setdefault(r[0], []).append(int(r[1]))
twice = {n: ts for n, ts in once.items() if len(ts) > 1}
dups_total += sum(len(ts) - 1 for ts in twice.values())
check(not twice, "one-shots: each ran once (%d one-shot runs)" % len(once),
      "; ".join("%s at %s" % (n, ", ".join(iso(t) for t in ts)) for n, ts in list(twice.items())[:5]))
osruns = {n.split("#")[0]: ts[0] for n, ts in once.items() if n.startswith("os")}
wrong = ["%s due %s ran %s" % (n, iso(at), iso(osruns[n]) if n in osruns else "never")
         for n, at in osat.items() if osruns.get(n) != first_tick(at)]
check(not wrong, "one-shots: each of the %d scheduled ran at the first tick at or after its time" % len(osat),
      "\n".join(wrong))
fu = sorted(ts[0] for n, ts in once.items() if n.startswith("cmdfu#"))
want = sorted(t + STEP for t in osruns.values() if t + STEP <= last)
check(fu == want, "follow-ups by command: one per one-shot run, at the next tick (%d)" % len(fu),
      "got %s, want %s" % ([iso(t) for t in fu], [iso(t) for t in want]))
chain = sorted([int(r[1]) for r in runs if r[0] == "chain"] + [ts[0] for n, ts in once.items() if n.startswith("chain#")])
want = [t for t in ticks if (t - ticks[0]) % 600 == 0]
check(chain == want, "follow-ups by reply: the chain ran every 10 minutes, once each (%d runs)" % len(chain),
      "got %s" % [iso(t) for t in chain[:12]])
serr = open(REC + "/schedule-errors").read()
check(not serr.strip(), "every hb-run schedule from inside a run succeeded", serr[:600])

# -- the log and the state agree with the agent
L = [json.loads(l) for l in open(WS + "/.heartbeat-log.jsonl") if l.strip()]
notok = [e for e in L if e.get("status") != "ok"]
check(not notok, "the log has only ok runs (no interrupted, error, timeout)",
      "\n".join(json.dumps(e)[:300] for e in notok[:5]))
check(sorted(e["run_id"] for e in L) == sorted(ids), "the log names exactly the runs the agent saw (%d entries)" % len(L))
S = json.load(open(WS + "/.heartbeat-state.json"))
names = ["every5", "every10", "every15", "hourly", "cron10", "slow", "chain"]
wrong = ["%s: state runs %s, agent %d" % (n, S.get(n, {}).get("runs"), len(got.get(n, []))) for n in names
         if S.get(n, {}).get("runs", 0) != len(got.get(n, []))]
check(not wrong, "the state counts exactly the runs the agent saw", "\n".join(wrong))
claims = [n for n in names if "running" in S.get(n, {})]
check(not claims, "no claim is left in the state", ", ".join(claims))
waiting = {"%s#%s" % (o["name"], o["id"]) for o in S.get("_oneshots", [])}
late_os = [n for n in waiting if [o for o in S["_oneshots"] if "%s#%s" % (o["name"], o["id"]) == n][0]["at"] <= last]
check(not late_os, "no one-shot is left waiting whose time has come", ", ".join(late_os))
orphans = [k for k in S if "#" in k and k not in waiting]
check(not orphans, "no state is left of one-shots that ran", ", ".join(orphans[:10]))
stale = [n for n in names if got.get(n) and not (max(got[n]) <= S[n].get("last_run", 0) <= max(got[n]) + 5)]
check(not stale, "each task's last_run is the tick of its last run", ", ".join(stale))
left = glob.glob(WS + "/.heartbeat-state.json.*") + glob.glob(D + "/tmp/*")
check(not left, "no temp, corrupt or prompt file is left", " ".join(os.path.basename(f) for f in left[:10]))

print("overlap: figures: %d ticks, %d hb-run processes, %d agent runs (%s), %d duplicates, %d missed, %d unexpected, "
      "at most %d hb-run wrappers alive at once, %d s"
      % (NT, len(exits), len(runs), ", ".join("%s %d" % (n, len(got.get(n, []))) for n in names),
         dups_total, missed_total, extra_total, max_live, elapsed))
print("overlap: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
