#!/usr/bin/env python3
"""tests/gen/borrowcheck.py - drive borrowgen.py against the checker and ASan.

    python3 tests/gen/borrowcheck.py [--programs P] [--funcs N] [--seed S]
                                     [--jobs J] [--minimize M] [--out DIR]

Writes P random programs of N functions each (borrowgen.py, seeds S, S+1,
...) and classifies every FUNCTION:

  accepted, ASan-clean   `vex check` accepts it and it runs clean under the
                         ASan+UBSan build
  rejected Exxxx         the checker rejects it (E04xx: ownership; any other
                         code is counted apart - a generator bug or a
                         compiler bug that is not the borrow checker's)
  SOUNDNESS BUG          accepted, then ASan or UBSan reports while it runs
  panicked               accepted, then a Vex panic (should not happen: the
                         generator keeps every Vec non-empty)

A program is checked with `vex check` (VEX, default bin/vex); on an error
the function the diagnostic points into is set aside as rejected and the
rest is checked again, until what is left is accepted. That is built once
with the ASan build (VEX_ASAN, default build/asan/bin/vex; `make
VARIANT=asan all`) and run; `main` prints `@tK` on stderr before each
function, so a report is charged to the function that was running, and the
run starts again after it.

Each soundness bug is written to DIR (default /tmp/borrowcheck) as a
program of that one function; the first M (default 8) of each distinct
report are minimised (statements removed, compound statements replaced by
their bodies, while the program is still accepted and still reports the
same way). The summary goes to stdout.
"""
import argparse
import concurrent.futures as cf
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import borrowgen  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VEX = os.environ.get("VEX", os.path.join(ROOT, "bin/vex"))
VEX_ASAN = os.environ.get("VEX_ASAN", os.path.join(ROOT, "build/asan/bin/vex"))
ENV = dict(os.environ,
           ASAN_OPTIONS="detect_leaks=0:halt_on_error=1",
           UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
SAN_RE = re.compile(r"ERROR: AddressSanitizer: (attempting [\w-]+|[\w-]+)|runtime error: (.*)")


def run(cmd, cwd, timeout=60):
    try:
        p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True,
                           errors="replace", timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 124, "", "timeout"


def line_map(fns):
    """Line ranges (1-based, inclusive) of each function in render_program."""
    line = borrowgen.HELPERS.count("\n") + 1
    ranges = []
    for i, fn in fns:
        n = borrowgen.render_function(fn).count("\n") + 1
        ranges.append((line, line + n - 1, i))
        line += n
    return ranges


def check(fns, ks, work):
    """vex check; returns (rc, code, line, first stderr line)."""
    src = os.path.join(work, "p.vx")
    with open(src, "w") as f:
        f.write(borrowgen.render_program(fns, ks))
    rc, _, err = run([VEX, "check", src], work)
    m = re.search(r"^error\[(\w+)\]: (.*)$", err, re.M)
    loc = re.search(r"^ *--> [^\n]*:(\d+):\d+", err, re.M)
    return rc, (m.group(1) if m else None), (int(loc.group(1)) if loc else None), (m.group(0) if m else err[:200])


def sanitize_kind(err):
    m = SAN_RE.search(err)
    if not m:
        return None
    if m.group(1):
        return "ASan " + m.group(1)
    # UBSan: drop addresses and numbers so equal reports compare equal
    return "UBSan " + re.sub(r"0x[0-9a-f]+|\d+", "N", m.group(2)).strip()[:80]


def build_and_run(fns, ks, work):
    """Build with ASan and run function by function.
    Returns ({idx: (status, detail)}, build_error)."""
    src = os.path.join(work, "p.vx")
    with open(src, "w") as f:
        f.write(borrowgen.render_program(fns, ks))
    exe = os.path.join(work, "p")
    rc, _, err = run([VEX_ASAN, "build", src, "-o", exe], work, timeout=300)
    if rc != 0:
        return {}, err[:2000]
    order = [i for i, _ in fns]
    res = {}
    start = 0
    while start < len(order):
        rc, out, err = run([exe, str(order[start])], work)
        marks = re.findall(r"^@t(\d+)$", err, re.M)
        kind = sanitize_kind(err)
        if rc == 0 and not kind:
            for i in order[start:]:
                res[i] = ("clean", "")
            break
        last = int(marks[-1]) if marks else order[start]
        pos = order.index(last)
        for i in order[start:pos]:
            res[i] = ("clean", "")
        if kind:
            res[last] = ("bug", kind)
        elif "panic:" in err:
            res[last] = ("panicked", re.search(r"panic: .*", err).group(0))
        elif rc == 124:
            res[last] = ("timeout", "")
        else:
            res[last] = ("crashed", f"exit {rc}: {err[-300:]}")
        start = pos + 1
    return res, None


def one_program(seed, nfuncs, workroot):
    rng = random.Random(seed)
    fns = [(i, borrowgen.gen_function(rng, i)) for i in range(nfuncs)]
    ks = {i: rng.randint(0, 5) for i in range(nfuncs)}
    work = tempfile.mkdtemp(dir=workroot)
    status = {}
    notes = []
    try:
        live = list(fns)
        while live:
            rc, code, line, msg = check(live, ks, work)
            if rc == 0:
                break
            if rc != 1 or code is None or line is None:
                notes.append(f"seed {seed}: vex check exit {rc}: {msg}")
                for i, _ in live:
                    status[i] = ("checker-crash", msg)
                live = []
                break
            owner = [i for a, b, i in line_map(live) if a <= line <= b]
            if not owner:
                notes.append(f"seed {seed}: diagnostic outside the functions: {msg} (line {line})")
                for i, _ in live:
                    status[i] = ("generator", msg)
                live = []
                break
            status[owner[0]] = ("rejected", code, msg)
            live = [(i, f) for i, f in live if i != owner[0]]
        if live:
            res, berr = build_and_run(live, ks, work)
            if berr is not None:
                notes.append(f"seed {seed}: accepted but the ASan build failed: {berr[:300]}")
                for i, _ in live:
                    status[i] = ("build-failed", berr[:300])
            else:
                status.update(res)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return seed, fns, ks, status, notes


def reproduces(fn, k, kind, workroot):
    work = tempfile.mkdtemp(dir=workroot)
    try:
        rc, code, line, msg = check([(0, fn)], {0: k}, work)
        if rc != 0:
            return False
        res, berr = build_and_run([(0, fn)], {0: k}, work)
        return berr is None and res.get(0, ("",))[0] == "bug" and res[0][1] == kind
    finally:
        shutil.rmtree(work, ignore_errors=True)


def paths(tree, prefix=()):
    """Every statement position in a body tree, deepest last."""
    out = []
    for j, s in enumerate(tree):
        p = prefix + (j,)
        out.append(p)
        if isinstance(s, list):
            for b, part in enumerate(s):
                if isinstance(part, list):
                    out.extend(paths(part, p + (b,)))
    return out


def edit(tree, path, how):
    """A copy of tree with the statement at path removed (how='cut') or
    replaced by the statements of its bodies (how='flatten')."""
    tree = list(tree)
    j = path[0]
    if len(path) == 1:
        s = tree[j]
        if how == "cut":
            return tree[:j] + tree[j + 1:]
        if not isinstance(s, list):
            return None
        inner = [x for part in s if isinstance(part, list) for x in part]
        # an arm list holds arms, not statements: flatten those one more level
        flat = []
        for x in inner:
            if isinstance(x, list) and x and isinstance(x[0], str) and "=>" in x[0]:
                flat.extend(y for part in x if isinstance(part, list) for y in part)
            elif isinstance(x, str) and "=>" in x:
                continue
            else:
                flat.append(x)
        return tree[:j] + flat + tree[j + 1:]
    s = list(tree[j])
    b = path[1]
    sub = edit(s[b], path[2:], how)
    if sub is None:
        return None
    s[b] = sub
    tree[j] = s
    return tree


def minimise(fn, k, kind, workroot, budget=150):
    head, body, tail = fn
    tries = 0
    changed = True
    while changed and tries < budget:
        changed = False
        for p in reversed(paths(body)):
            for how in ("cut", "flatten"):
                nb = edit(body, p, how)
                if nb is None or nb == body:
                    continue
                tries += 1
                if reproduces((head, nb, tail), k, kind, workroot):
                    body = nb
                    changed = True
                    break
            if changed or tries >= budget:
                break
    return (head, body, tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--programs", type=int, default=50)
    ap.add_argument("--funcs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--minimize", type=int, default=8)
    ap.add_argument("--out", default="/tmp/borrowcheck")
    a = ap.parse_args()
    for v in (VEX, VEX_ASAN):
        if not os.access(v, os.X_OK):
            sys.exit(f"borrowcheck: no {v} (make; make VARIANT=asan all)")
    os.makedirs(a.out, exist_ok=True)
    workroot = tempfile.mkdtemp(prefix="borrowcheck.")
    ENV["XDG_CACHE_HOME"] = os.path.join(workroot, "cache")
    counts = {}
    bugs = []
    notes = []
    try:
        with cf.ThreadPoolExecutor(a.jobs) as ex:
            futs = [ex.submit(one_program, a.seed + p, a.funcs, workroot) for p in range(a.programs)]
            for n, fu in enumerate(cf.as_completed(futs), 1):
                seed, fns, ks, status, pnotes = fu.result()
                notes.extend(pnotes)
                byidx = dict(fns)
                for i, st in status.items():
                    if st[0] == "rejected":
                        key = "rejected " + (st[1] if st[1].startswith("E04") else "other " + st[1])
                    elif st[0] == "clean":
                        key = "accepted, ASan-clean"
                    elif st[0] == "bug":
                        key = "accepted but ASan reports (SOUNDNESS BUG)"
                        bugs.append((seed, i, byidx[i], ks[i], st[1]))
                    else:
                        key = st[0]
                    counts[key] = counts.get(key, 0) + 1
                    if st[0] == "rejected" and not st[1].startswith("E04"):
                        counts.setdefault("_other_msgs", {}).setdefault(st[2][:100], 0)
                        counts["_other_msgs"][st[2][:100]] += 1
                if n % 25 == 0:
                    print(f"# {n}/{a.programs} programs", file=sys.stderr, flush=True)
        # write every bug, minimise the first few of each kind
        bykind = {}
        for seed, i, fn, k, kind in bugs:
            bykind.setdefault(kind, []).append((seed, i, fn, k))
            name = f"bug_s{seed}_t{i}.vx"
            with open(os.path.join(a.out, name), "w") as f:
                f.write(f"// borrowcheck: seed {seed} function t{i}, {kind}\n")
                f.write(borrowgen.render_program([(0, fn)], {0: k}))
        minimised = []
        left = a.minimize
        for kind, lst in sorted(bykind.items(), key=lambda x: -len(x[1])):
            for seed, i, fn, k in lst[:max(1, left // max(1, len(bykind)))]:
                if left <= 0:
                    break
                left -= 1
                if not reproduces(fn, k, kind, workroot):
                    notes.append(f"seed {seed} t{i}: does not reproduce alone ({kind})")
                    continue
                m = minimise(fn, k, kind, workroot)
                name = f"min_s{seed}_t{i}.vx"
                text = borrowgen.render_program([(0, m)], {0: k})
                with open(os.path.join(a.out, name), "w") as f:
                    f.write(f"// borrowcheck: seed {seed} function t{i}, minimised; {kind}\n" + text)
                minimised.append((name, kind, borrowgen.render_function(m)))
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    other = counts.pop("_other_msgs", {})
    total = sum(counts.values())
    print(f"borrowcheck: {a.programs} programs, {total} functions (seeds {a.seed}..{a.seed + a.programs - 1}, {a.funcs} per program)")
    for key in sorted(counts):
        print(f"  {counts[key]:6d}  {key}")
    if other:
        print("rejections with a code other than E04xx:")
        for msg, c in sorted(other.items(), key=lambda x: -x[1]):
            print(f"  {c:6d}  {msg}")
    if bugs:
        print("soundness bugs by report:")
        for kind, lst in sorted(bykind.items(), key=lambda x: -len(x[1])):
            print(f"  {len(lst):6d}  {kind}")
        print(f"programs in {a.out}")
    for name, kind, text in minimised:
        print(f"\n== {name} ({kind})\n{text}")
    for n in notes:
        print("note:", n)


if __name__ == "__main__":
    main()
