#!/usr/bin/python3
"""cron-oracle.py - hb-run's cron schedules against croniter (a differential test).

Usage: /usr/bin/python3 tests/cron-oracle.py [HB_BIN] [N]      (defaults: ./hb-run 10000)

Generates N random cron expressions with a fixed seed (minutes, hours, days, months and
weekdays as '*', values, lists, ranges, steps '*/n' and 'a-b/n', 'N/step', month and weekday
names in mixed case and in ranges, 0 and 7 for Sunday, ranges ending at 7, 'L', 'N#K', restricted
day-of-month together with restricted day-of-week, nicknames), and for each compares the first
K fire times after a random start time T, in UTC:

  hb-run:    HB_BIN next EXPR --from @T --count K --tz UTC     (a slot exactly at T counts)
  croniter:  get_next() from T - 1, K times                     (strictly after, so >= T)

croniter is Debian's python3-croniter 1.3.5, imported from /usr/bin/python3. Its DST answers
are wrong, so everything is compared in UTC (the DST rules are covered by tests/unit/test_cron.c).

Expressions that hb-run refuses as never firing ("0 0 30 2 *") are checked to have no croniter
result within its bounded search (croniter's max_years_between_matches, here 100 years); any
other refusal of a generated expression is a failure (the generator only writes valid ones).

Known differences, and what this script does about them
---------------------------------------------------------
The contract is cronie's (entry.c): a day-of-month or day-of-week field whose text starts with
'*' is unrestricted (DOM_STAR / DOW_STAR); when either field is unrestricted a day must match
both fields (AND), otherwise either (OR). hb-run adds 'L' and 'N#K' to that dialect. Where
croniter 1.3.5 departs from it, croniter is demonstrably the odd one out, so those expressions
are not compared with croniter's own answer. Rather than dropping them, the script asks
croniter for the pieces and combines them by cronie's rule (each piece is an expression
croniter gets right: one day-of-month value, one day-of-week item), so they are still
compared; each class is counted in the summary:

 1. star-step: croniter decides AND/OR by the *expanded* sets, not the text: '*/2' in
    day-of-month or day-of-week counts as restricted, so "0 0 */2 * 5" ORs (every odd day and
    every Friday) where cronie ANDs (odd-day Fridays). Remedy: croniter(..., day_or=False).
 2. full-range: the converse: a field that lists every value without starting with '*'
    ("1-31", "0-7", "sun-sat", "mon,tue,...") collapses to '*' in croniter and ANDs, where
    cronie ORs ("0 0 1-31 * 5" fires every day in cronie, only on Fridays in croniter).
    Remedy: the union of the day-of-month part and the day-of-week part.
 3. nth-or: with 'N#K' in day-of-week and a restricted day-of-month, croniter's OR keeps the
    N#K filter when it evaluates the day-of-month side, so the day-of-month days are lost:
    "0 0 13 * 5#2" gives only second Fridays, never the 13th. Remedy: the union, as in 2.
 4. nth-mixed: croniter refuses 'N#K' mixed with plain weekdays ("1#1,5"; CroniterUnsupported-
    SyntaxError), or silently drops the plain one when it names the same weekday ("5#3,5" is
    only third Fridays). Remedy: one croniter query per day-of-week item, then the union.
 5. dom-overflow: croniter's day-of-month search adds "wanted day - today" days, so a wanted day
    the month does not have (30, 31 in February) lands a few days into the next month and
    skips the days before it: "0 0 1,31 * *" from 2 February gives 31 March, not 1 March (and
    "0 0 1,30 * *" skips 1 March too), and 'L' beside a day >= 29 loses the short months'
    last days ("0 0 31,L * *" from 1 April gives 31 May, not 30 April). Whenever the smallest
    wanted day is <= the largest - 29, or 'L' comes with a day >= 29, the script queries
    croniter per day-of-month value and takes the union.
 6. or-dead-dom: with both fields restricted (OR) and a day-of-month that no allowed month has
    ("0 0 31 2 5": every Friday in February, as the day-of-week side alone), croniter finds
    nothing: its day-of-month side raises CroniterBadDateError and takes the whole answer with
    it. Remedy: the union, as in 2.
The composition is plain set algebra (AND distributes over the union of the items); croniter
still parses every field and finds every time. No form is excluded outright.

CRON_ORACLE_SEED=S picks another seed (for exploring; the default is fixed).

Output: one line per mismatch (up to 20), some counts, and last a line exactly
"cron-oracle: N passed, M failed"; the exit status is 1 when anything failed (2: usage).
"""
import datetime
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time

try:
    from croniter import croniter, CroniterBadDateError
    from croniter.croniter import CroniterError
except ImportError:
    sys.stderr.write("cron-oracle: no croniter: apt-get install python3-croniter, and run "
                     "this with /usr/bin/python3\n")
    sys.exit(2)

SEED = int(os.environ.get("CRON_ORACLE_SEED", "20260411"))  # fixed; the variable explores
K = 5                   # fire times compared per expression
MAX_YEARS = 100         # croniter's bounded search (the rarest valid day here recurs in 40)
MAX_REPORT = 20

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
NICKNAMES = ["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"]
MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30,
              12: 31}


# --- the generator ---------------------------------------------------------------------

def mixed_case(rng, name):
    r = rng.random()
    if r < 0.5:
        return name
    if r < 0.7:
        return name.upper()
    if r < 0.85:
        return name.capitalize()
    return "".join(c.upper() if rng.random() < 0.5 else c for c in name)


def step_for(rng, size):
    """A step, mostly small, up to the size of the field's range (hb-run's limit)."""
    if rng.random() < 0.85:
        return rng.randint(1, min(size, 12))
    return rng.randint(1, size)


class Field:
    """One field's generator: LO..HI, optional names (value lo + i), extras."""

    def __init__(self, lo, hi, names=None, name_base=0, hi_gen=None):
        self.lo, self.hi = lo, hi
        self.names, self.name_base = names, name_base
        self.hi_gen = hi_gen if hi_gen is not None else hi   # dow: 7 is Sunday too

    def value(self, rng, v):
        if self.names and 0 <= v - self.name_base < len(self.names) and rng.random() < 0.4:
            return mixed_case(rng, self.names[v - self.name_base])
        return str(v)

    def atom(self, rng, kind):
        lo, hi = self.lo, self.hi_gen
        size = self.hi - self.lo + 1 + (1 if self.hi_gen > self.hi else 0)
        if kind == "value":
            return self.value(rng, rng.randint(lo, hi))
        if kind == "range":
            a = rng.randint(lo, hi)
            b = rng.randint(a, hi)
            return self.value(rng, a) + "-" + self.value(rng, b)
        if kind == "rangestep":
            a = rng.randint(lo, hi)
            b = rng.randint(a, hi)
            return self.value(rng, a) + "-" + self.value(rng, b) + "/" + str(step_for(rng, size))
        if kind == "starstep":
            return "*/" + str(step_for(rng, size))
        if kind == "nstep":
            return self.value(rng, rng.randint(lo, hi)) + "/" + str(step_for(rng, size))
        raise ValueError(kind)

    def gen(self, rng, star=0.3):
        r = rng.random()
        if r < star:
            return "*"
        r = rng.random()
        if r < 0.35:
            return self.atom(rng, "value")
        if r < 0.5:
            return ",".join(self.atom(rng, "value") for _ in range(rng.randint(2, 4)))
        if r < 0.6:
            return self.atom(rng, "range")
        if r < 0.7:
            return self.atom(rng, "rangestep")
        if r < 0.82:
            return self.atom(rng, "starstep")
        if r < 0.88:
            return self.atom(rng, "nstep")
        kinds = ["value", "value", "range", "rangestep", "starstep", "nstep"]
        return ",".join(self.atom(rng, rng.choice(kinds)) for _ in range(rng.randint(2, 3)))


MINUTE = Field(0, 59)
HOUR = Field(0, 23)
DOM = Field(1, 31)
MONTH = Field(1, 12, MONTHS, 1)
DOW = Field(0, 6, DAYS, 0, hi_gen=7)


def gen_dom(rng):
    r = rng.random()
    if r < 0.06:
        return "L"
    if r < 0.10:
        items = [DOM.atom(rng, rng.choice(["value", "value", "range", "starstep"]))
                 for _ in range(rng.randint(1, 2))] + ["L"]
        rng.shuffle(items)
        return ",".join(items)
    if r < 0.16:    # late days: month ends, and (with few months) never-firing expressions
        return ",".join(str(rng.randint(28, 31)) for _ in range(rng.randint(1, 2)))
    return DOM.gen(rng, star=0.45)


def gen_month(rng, dom):
    if dom[0].isdigit() and rng.random() < 0.25:      # February and the 30-day months
        return ",".join(mixed_case(rng, MONTHS[m - 1]) if rng.random() < 0.5 else str(m)
                        for m in rng.sample([2, 4, 6, 9, 11], rng.randint(1, 2)))
    return MONTH.gen(rng, star=0.5)


def gen_nth(rng):
    w = rng.randint(0, 7)
    ws = mixed_case(rng, DAYS[w % 7]) if rng.random() < 0.4 else str(w)
    return ws + "#" + str(rng.randint(1, 5))


def gen_dow(rng):
    r = rng.random()
    if r < 0.10:
        return gen_nth(rng)
    if r < 0.13:
        return ",".join(gen_nth(rng) for _ in range(2))
    if r < 0.16:    # N#K mixed with plain weekdays
        items = [gen_nth(rng), DOW.atom(rng, rng.choice(["value", "range"]))]
        rng.shuffle(items)
        return ",".join(items)
    if r < 0.22:    # ranges ending at 7, and 7 itself
        a = rng.randint(0, 7)
        return rng.choice([DOW.value(rng, a) + "-7", "7", "0,7",
                           DOW.value(rng, min(a, 6)) + "-7/2"])
    return DOW.gen(rng, star=0.45)


def gen_expr(rng):
    if rng.random() < 0.03:
        return mixed_case(rng, rng.choice(NICKNAMES))
    dom = gen_dom(rng)
    fields = [MINUTE.gen(rng, 0.15), HOUR.gen(rng, 0.3), dom, gen_month(rng, dom), gen_dow(rng)]
    sep = " " if rng.random() < 0.9 else rng.choice(["  ", "\t", " \t "])
    return sep.join(fields)


def gen_start(rng):
    """Unix seconds between 1975 and 2150; often on a whole minute (a slot may be exactly there)."""
    t = rng.randint(157766400, 5680281600) // 60 * 60
    if rng.random() < 0.5:
        t += rng.randint(1, 59)
    return t


# --- the reference: croniter, combined by cronie's day rule where croniter departs -----

def croniter_next(expr, start, k, day_or=True):
    """The first K times after START (strictly) from croniter; fewer when none in MAX_YEARS."""
    it = croniter(expr, start, day_or=day_or, max_years_between_matches=MAX_YEARS)
    out = []
    for _ in range(k):
        try:
            out.append(int(it.get_next(float)))
        except CroniterBadDateError:
            break
    return out


def union(runs, k):
    return sorted(set(t for run in runs for t in run))[:k]


def croniter_field(expr_fields, index):
    """croniter's expansion of one field (a list of values, or ['*'])."""
    return croniter.expand(" ".join(expr_fields))[0][index]


def possible(d, w, months):
    """False when day D (a number or 'l') can never be weekday item W in MONTHS: a day the
    months do not have, or an N#K whose K-th week does not hold D. Only saves time: croniter
    would search its MAX_YEARS for nothing."""
    longest = max(MONTH_DAYS[x] for x in months)
    shortest = min(MONTH_DAYS[x] - (x == 2) for x in months)
    lo, hi = (shortest, longest) if d == "l" else (int(d), int(d))
    if lo > longest:
        return False
    if "#" in w:
        k = int(w.split("#")[1])
        return hi >= 7 * k - 6 and lo <= 7 * k
    return True


def reference(expr, start, k, prune=True):
    """(times, how): the first K fire times after START by cronie's rules, via croniter.
    PRUNE: skip pieces that cannot fire (see possible())."""
    if expr.lstrip().startswith("@"):
        return croniter_next(expr.strip(), start, k), "native"
    m, h, dom, mon, dow = expr.split()
    cronie_and = dom.startswith("*") or dow.startswith("*")
    dow_items = dow.split(",")
    nth_items = [w for w in dow_items if "#" in w]
    dom_set = croniter_field([m, h, dom, mon, "*"], 2)
    # with N#K croniter's weekday set is never '*' (and it refuses N#K mixed with plain days)
    dow_set = croniter_field([m, h, "*", mon, dow], 4) if not nth_items else []
    croniter_and = dom_set == ["*"] or dow_set == ["*"]
    numeric = [d for d in dom_set if isinstance(d, int)]

    reasons = []
    if cronie_and and not croniter_and:
        reasons.append("star-step")
    if not cronie_and and croniter_and:
        reasons.append("full-range")
    if nth_items and not cronie_and:
        reasons.append("nth-or")
    if nth_items and len(nth_items) < len(dow_items):
        reasons.append("nth-mixed")
    if numeric and (min(numeric) <= max(numeric) - 29 or
                    ("l" in dom_set and max(numeric) >= 29)):
        reasons.append("dom-overflow")
    if not cronie_and and not croniter_and and "l" not in dom_set:
        months = croniter_field([m, h, "*", mon, "*"], 3)
        longest = max(MONTH_DAYS[x] for x in (range(1, 13) if months == ["*"] else months))
        if min(numeric) > longest:
            reasons.append("or-dead-dom")
    if not reasons:
        return croniter_next(expr, start, k), "native"

    # The pieces: single day-of-month values (or '*'), single day-of-week items.
    doms = ["*"] if dom_set == ["*"] else [str(d) for d in dom_set]
    if "dom-overflow" not in reasons and dom_set != ["*"]:
        doms = [dom]            # croniter handles this set whole
    runs = []
    months = croniter_field([m, h, "*", mon, "*"], 3)
    months = list(range(1, 13)) if months == ["*"] else months
    if cronie_and:
        dws = ["*"] if dow == "*" else dow_items
        for d in doms:
            for w in dws:
                if prune and len(doms) > 1 and not possible(d, w, months):
                    continue
                runs.append(croniter_next(" ".join([m, h, d, mon, w]), start, k, day_or=False))
    else:
        for d in doms:
            runs.append(croniter_next(" ".join([m, h, d, mon, "*"]), start, k))
        for w in dow_items:
            runs.append(croniter_next(" ".join([m, h, "*", mon, w]), start, k))
    return union(runs, k), "+".join(reasons)


# --- hb-run ------------------------------------------------------------------------------

def hb_next(hb, expr, start, k, cwd, env):
    """(times, error): hb-run's first K fire times from START (inclusive), or its refusal."""
    p = subprocess.run([hb, "next", expr, "--from", "@%d" % start, "--count", str(k),
                        "--tz", "UTC"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        return None, (p.stderr.strip() or "exit status %d" % p.returncode)
    out = []
    for line in p.stdout.split():
        out.append(int(datetime.datetime.fromisoformat(line).timestamp()))
    return out, None


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S+00:00")


# --- one case, in a worker ----------------------------------------------------------------

_hb = _cwd = _env = None


def _init(hb, cwd):
    global _hb, _cwd, _env
    _hb, _cwd = hb, cwd
    _env = {k: v for k, v in os.environ.items() if not k.startswith("HB_")}
    _env["TZ"] = "UTC"


def check(case):
    """(status, how, message): status 'pass', 'fail' or 'never' (a confirmed never-firing)."""
    expr, start = case
    got, err = hb_next(_hb, expr, start, K, _cwd, _env)
    try:
        # a refusal as never firing is confirmed by croniter's own bounded search, unpruned
        want, how = reference(expr, start - 1, K, prune=err is None)
    except CroniterError as e:
        return "fail", "croniter", "%r: croniter refuses it: %s" % (expr, e)
    if err is not None:
        if "never fire" in err:
            if want:
                return ("fail", how, "%r: hb-run says it never fires; croniter: %s" %
                        (expr, iso(want[0])))
            return "never", how, None
        return "fail", how, "%r: hb-run refuses it: %s" % (expr, err)
    if got != want:
        for i in range(max(len(got), len(want))):
            g = iso(got[i]) if i < len(got) else "(none)"
            w = iso(want[i]) if i < len(want) else "(none)"
            if g != w:
                break
        return ("fail", how, "%r from @%d (%s): fire %d: hb-run %s, croniter %s [%s]" %
                (expr, start, iso(start), i + 1, g, w, how))
    return "pass", how, None


def main(argv):
    hb = argv[1] if len(argv) > 1 else "./hb-run"
    try:
        n = int(argv[2]) if len(argv) > 2 else 10000
    except ValueError:
        n = -1
    if len(argv) > 3 or n < 0:
        sys.stderr.write("usage: cron-oracle.py [HB_BIN] [N]\n")
        return 2
    hb = os.path.abspath(hb)
    if not os.access(hb, os.X_OK):
        sys.stderr.write("cron-oracle: %s is not an executable\n" % hb)
        return 2

    rng = random.Random(SEED)
    cases = [(gen_expr(rng), gen_start(rng)) for _ in range(n)]

    t0 = time.time()
    passed = failed = never = reported = 0
    hows = {}
    with tempfile.TemporaryDirectory(prefix="cron-oracle.") as cwd:
        with multiprocessing.Pool(os.cpu_count() or 1, _init, (hb, cwd)) as pool:
            for status, how, message in pool.imap(check, cases, chunksize=64):
                if status == "fail":
                    failed += 1
                    if reported < MAX_REPORT:
                        print(message)
                        reported += 1
                else:
                    passed += 1
                    never += status == "never"
                    hows[how] = hows.get(how, 0) + 1
    if failed > reported:
        print("... and %d more mismatches" % (failed - reported))
    print("compared: %s" % ", ".join("%s %d" % (h, c) for h, c in sorted(hows.items())))
    print("never firing (hb-run refuses, croniter finds nothing in %d years): %d" %
          (MAX_YEARS, never))
    print("%d expressions in %.1f s (seed %d, %d fire times each)" %
          (n, time.time() - t0, SEED, K))
    print("cron-oracle: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
