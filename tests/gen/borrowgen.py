#!/usr/bin/env python3
"""tests/gen/borrowgen.py - random Vex programs with references and mutations
(issue 7 item 7: "a program the checker accepts that then reports under ASan
is a soundness bug").

    python3 tests/gen/borrowgen.py [--seed S] [--funcs N] > prog.vx

A program is N functions `fn tK(k: i32): i32` plus fixed helpers and a
`main`. Each function declares a few owners (`v0`, `v1`: Vec<i32>; `s0`: a
struct with a Vec field and a scalar field; `o0`: Option<Vec<i32>>; `g0`:
Vec<Vec<i32>>) and then runs random statements: references of every shape
(`&v0[i]`, `&v0`, `&s0.items[0]`, `&s0.n`, `&g0[1][0]`, `&v0!`, a tuple
`(&v0[0], 1)`, `Some(&v0)`), uses of them, mutations that free or move the
memory a reference may point at (`v0 = [..]`, 64 pushes that force a
reallocation, `s0.items = [..]`, a `&T!` helper that grows its argument
while reading another reference, a `&S!` method given a reference into its
receiver), moves (`consume(v0)`, `let w = v0`, `{ v0 }.len()`,
`(if .. { v0 } else { v1 }).len()`), `if`/`else`, `for` loops, `match` on an
integer and matching through `&o0`/`&o0!`.

Every Vec stays non-empty on every path (a clear is followed by a push), so
indexing `[0]` never panics: a run stops only on a sanitizer report. `main`
takes the number of the first function to run (`prog 7` runs t7, t8, ...)
and prints `@tK` on stderr before calling tK, so the driver
(tests/gen/borrowcheck.py) can tell which function a report comes from and
carry on after it.

The module is also a library for the driver: gen_function() returns a
function as a tree of statements (a str is one line, a list [head, body,
tail...] a compound statement) that render() prints and the minimiser cuts.
"""
import argparse
import random

HELPERS = """\
struct S { items: Vec<i32>, n: i32 }
fn consume(v: Vec<i32>): i32 { v.len() as i32 }
fn peek(r: &i32): i32 { *r }
fn size(r: &Vec<i32>): i32 { r.len() as i32 }
fn grow(v: &Vec<i32>!, k: i32) { for i in 0..64 { v.push(k + i) } }
fn grow_and_read(v: &Vec<i32>!, r: &i32): i32 {
    for i in 0..64 { v.push(i) }
    *r
}
fn (self: &S!) refill(old: &i32): i32 {
    self.items = [1]
    for i in 0..64 { self.items.push(i) }
    *old
}
fn (self: &S) first(): i32 { self.items[0] }
"""


class Gen:
    """One function's worth of random statements."""

    def __init__(self, rng):
        self.r = rng
        self.n = 0          # fresh-name counter
        self.scopes = [[]]  # names of references in scope: (name, kind, mutable)
        self.moved = set()  # owners that may be moved on this path

    def fresh(self, p):
        self.n += 1
        return f"{p}{self.n}"

    def refs(self):
        return [x for s in self.scopes for x in s]

    def owner_ok(self, name):
        """Use an owner that may be moved only rarely (that is E0400)."""
        return name not in self.moved or self.r.random() < 0.08

    def vec(self):
        """An owning Vec<i32> place, as text."""
        c = self.r.choice(["v0", "v0", "v1", "v1", "s0.items", "g0[0]", "g0[1]"])
        base = c.split(".")[0].split("[")[0]
        if not self.owner_ok(base):
            c = "v1" if base == "v0" else "v0"
        return c

    def lit(self):
        return "[" + ", ".join(str(self.r.randint(1, 9)) for _ in range(self.r.randint(1, 3))) + "]"

    # ---- statements ----
    def make_ref(self):
        r = self.r
        name = self.fresh("r")
        v = self.vec()
        kind = r.choice(["int", "int", "vec", "tup", "tupv", "opt", "mutvec", "int", "field_n", "nested"])
        mut = r.random() < 0.25
        let = "let! " if mut else "let "
        if kind == "int":
            i = r.choice(["0", "0", f"{v}.len() - 1"])
            s = f"{let}{name} = &{v}[{i}]"
        elif kind == "nested":
            kind = "int"
            s = f"{let}{name} = &g0[{r.randint(0, 1)}][0]"
        elif kind == "field_n":
            kind = "int"
            s = f"{let}{name} = &s0.n"
        elif kind == "vec":
            s = f"{let}{name} = &{v}"
        elif kind == "tup":
            mut = False
            s = f"let {name} = (&{v}[0], {r.randint(0, 9)})"
        elif kind == "tupv":
            mut = False
            s = f"let {name} = (&{v}, {r.randint(0, 9)})"
        elif kind == "opt":
            mut = False
            s = f"let {name} = Some(&{v})"
        else:  # mutvec
            mut = False
            if v.startswith("g0"):
                s = f"let {name} = &{v}!"
            else:
                s = f"let {name} = &{v}!"
        self.scopes[-1].append((name, kind, mut))
        return s

    def use_ref(self):
        refs = self.refs()
        if not refs:
            return self.make_ref()
        name, kind, mut = self.r.choice(refs)
        if kind == "int":
            return self.r.choice([f"x0 += *{name}", f"x0 += peek({name})", f"$println(*{name})"])
        if kind == "vec":
            return self.r.choice([f"x0 += {name}.len() as i32", f"x0 += {name}[0]", f"x0 += size({name})"])
        if kind == "tup":
            return f"x0 += *{name}.0 + {name}.1"
        if kind == "tupv":
            return f"x0 += {name}.0.len() as i32 + {name}.1"
        if kind == "opt":
            return [f"match {name} {{", [f"Some(q) => x0 += q.len() as i32,", "None => {}"], "}"]
        # mutvec
        return self.r.choice([f"{name}.push(x0)", f"x0 += {name}.len() as i32", f"grow({name}, 3)"])

    def repoint(self):
        """Point a `let!` reference somewhere else, maybe at an inner local."""
        muts = [x for x in self.refs() if x[2]]
        if not muts:
            return self.make_ref()
        name, kind, _ = self.r.choice(muts)
        if kind == "int":
            if self.r.random() < 0.4:
                return [f"{{", [f"let u = {self.lit()}", f"{name} = &u[0]", f"x0 += *{name}"], "}"]
            return f"{name} = &{self.vec()}[0]"
        if kind == "vec":
            if self.r.random() < 0.4:
                return [f"{{", [f"let u = {self.lit()}", f"{name} = &u", f"x0 += {name}.len() as i32"], "}"]
            return f"{name} = &{self.vec()}"
        return self.use_ref()

    def mutate(self):
        r = self.r
        v = self.vec()
        return r.choice([
            f"{v}.push({r.randint(0, 9)})",
            f"for i in 0..64 {{ {v}.push(i) }}",
            f"{v} = {self.lit()}",
            f"{v}.clear()\n{v}.push(1)",
            f"{v}.insert(0, {v}.len() as i32)",
            f"{v}.push({v}[0])",
            "s0.n += 1",
            f"s0 = S {{ items: {self.lit()}, n: 2 }}",
            f"g0 = [{self.lit()}, {self.lit()}]",
            f"g0.push({self.lit()})",
            f"o0 = Some({self.lit()})",
            "o0 = None",
            f"grow(&{v}!, 5)",
            f"x0 += grow_and_read(&{v}!, &{self.vec()}[0])",
            f"x0 += s0.refill(&{self.vec()}[0])",
            "x0 += s0.first()",
        ])

    def move(self):
        r = self.r
        v = r.choice(["v0", "v1"])
        other = "v1" if v == "v0" else "v0"
        s = r.choice([
            f"x0 += consume({v})",
            f"let w{self.fresh('')} = {v}",
            f"x0 += {{ {v} }}.len() as i32",
            f"x0 += (if k > 2 {{ {v} }} else {{ {other} }}).len() as i32",
            f"x0 += consume(s0.items)",
            f"let m{self.fresh('')} = match {{ {v} }} {{ z => z.len() as i32 }}",
        ])
        moved = ["s0"] if "s0.items" in s else [v] + ([other] if "else" in s else [])
        if r.random() < 0.5:
            # re-initialise at once
            re = [f"{m} = {self.lit()}" if m != "s0" else f"s0 = S {{ items: {self.lit()}, n: 0 }}" for m in moved]
            return [s] + re
        self.moved.update(moved)
        return s

    def block(self, depth, n):
        self.scopes.append([])
        out = self.stmts(depth + 1, n)
        self.scopes.pop()
        return out

    def compound(self, depth):
        r = self.r
        c = r.choice(["if"] * 4 + ["for"] * 3 + ["match"] * 2 + ["matchref"] * 2 + ["matchmut"])
        if c == "if":
            moved = set(self.moved)
            a = self.block(depth, r.randint(1, 3))
            ma = self.moved
            self.moved = set(moved)
            b = self.block(depth, r.randint(0, 2))
            self.moved |= ma
            return [f"if k > {r.randint(0, 5)} {{", a, "} else {", b, "}"]
        if c == "for":
            return [f"for i in 0..{r.randint(1, 3)} {{", self.block(depth, r.randint(1, 4)), "}"]
        if c == "match":
            moved = set(self.moved)
            a = self.block(depth, r.randint(1, 2))
            ma = self.moved
            self.moved = set(moved)
            b = self.block(depth, r.randint(0, 2))
            self.moved |= ma
            return ["match k {", [[f"{r.randint(0, 5)} => {{", a, "}"], ["_ => {", b, "}"]], "}"]
        if c == "matchref":
            self.scopes.append([("q", "vec", False)])
            body = self.stmts(depth + 1, r.randint(1, 2))
            self.scopes.pop()
            return ["match &o0 {", [["Some(q) => {", body, "}"], "None => {}"], "}"]
        # matchmut
        self.scopes.append([("q", "mutvec", False)])
        body = self.stmts(depth + 1, r.randint(1, 2))
        self.scopes.pop()
        return ["match &o0! {", [["Some(q) => {", body, "}"], "None => {}"], "}"]

    def stmt(self, depth):
        r = self.r
        x = r.random()
        if depth < 2 and x < 0.18:
            return self.compound(depth)
        if x < 0.40:
            return self.make_ref()
        if x < 0.62:
            return self.use_ref()
        if x < 0.85:
            return self.mutate()
        if x < 0.92:
            return self.repoint()
        return self.move()

    def stmts(self, depth, n):
        out = []
        for _ in range(n):
            s = self.stmt(depth)
            if isinstance(s, list) and s and isinstance(s[0], str) and not s[0].endswith("{"):
                out.extend(s)  # a flat group (a move and its re-initialisation)
            else:
                out.append(s)
        return out


def gen_function(rng, idx, nstmts=None):
    """A function as (header, body tree, footer)."""
    g = Gen(rng)
    pre = [
        f"let! v0: Vec<i32> = {g.lit()}",
        f"let! v1: Vec<i32> = {g.lit()}",
        f"let! s0 = S {{ items: {g.lit()}, n: 1 }}",
        f"let! o0: Option<Vec<i32>> = Some({g.lit()})",
        f"let! g0: Vec<Vec<i32>> = [{g.lit()}, {g.lit()}]",
        "let! x0 = 0",
    ]
    body = g.stmts(0, nstmts or rng.randint(3, 9))
    return (f"fn t{idx}(k: i32): i32 {{", pre + body, "    x0\n}")


def render_tree(tree, ind="    "):
    out = []
    for s in tree:
        if isinstance(s, str):
            for line in s.split("\n"):
                out.append(ind + line)
        else:
            # a compound statement [head, body, tail, body, tail...]: its
            # strings at this level, its bodies (lists of statements) deeper
            for part in s:
                if isinstance(part, str):
                    out.extend(ind + line for line in part.split("\n"))
                else:
                    out.extend(render_tree(part, ind + "    "))
    return out


def render_function(fn):
    head, body, tail = fn
    return "\n".join([head] + render_tree(body) + [tail])


def render_program(fns, ks=None):
    """fns: list of (idx, function); ks: the k argument of each."""
    parts = [HELPERS]
    for i, fn in fns:
        parts.append(render_function(fn))
    main = ["fn main() {",
            "    let a = os.args()",
            "    let from = if a.len() > 1 { a[1].parse_i64().unwrap_or(0) } else { 0 }"]
    for i, fn in fns:
        k = (ks or {}).get(i, i % 6)
        main.append(f"    if from <= {i} {{")
        main.append(f'        $eprintln("@t{i}")')
        main.append(f"        $println(t{i}({k}))")
        main.append("    }")
    main.append("}")
    parts.append("\n".join(main))
    return "\n".join(parts) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--funcs", type=int, default=20)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    fns = [(i, gen_function(rng, i)) for i in range(a.funcs)]
    print(render_program(fns), end="")


if __name__ == "__main__":
    main()
