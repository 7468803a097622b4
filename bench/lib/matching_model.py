"""The matching benchmark's integer program, read from `NAME.model.json` (written by
`bench_matching solve`, crates/matching/examples/bench_matching), shared by the two
reference solvers. Each solver imports this and runs in its OWN process
(bench/lib/matching_highs.py, bench/lib/matching_cpsat.py).

Model: binary x[e] per eligible (request, bisidder) edge e, with the crate's cost;
  * each request at most once;
  * per bisidder at most `slots` (free case slots) requests;
  * per bisidder and week at most `budget` minutes of the requests' `work`;
  * per bisidder at most one of any two requests that clash (overlap, or too little
    time for the journey between them). Pairs that overlap in time are written as
    cliques ("at most one of these meetings running at the same moment"), which is the
    same constraint set but a tighter LP relaxation; the remaining clashing pairs (the
    journey does not fit between them) are written pairwise.
Objective, lexicographic as the crate's batch optimiser: most requests assigned, then
least total cost.

Exact reduction before solving (`Model.reduce`): a bisidder is *unconstrained* when
every request still eligible for them (or fixed to them) fits together: no more than
their slots, within every weekly budget, no two clashing. Their constraints can never
bind, so they are left out. A request whose cheapest remaining edge leads to an
unconstrained bisidder is fixed there: in any optimal plan it can move there (nothing
at that bisidder can stop it) without assigning fewer or costing more, so some optimal
plan contains that edge. Fixing a request removes its other edges, which may make more
bisiddere unconstrained; repeated until nothing changes. The solvers then decide only
the remaining edges; the fixed ones are part of every solution they report.
"""

import collections
import json


class Model:
    def __init__(self, path):
        with open(path) as f:
            d = json.load(f)
        self.name = d["name"]
        self.n_requests = d["requests"]
        self.edges = [tuple(e) for e in d["edges"]]  # (request, bisidder, cost)
        self.slots = d["slots"]
        self.work = d["work"]
        self.week = d["week"]
        self.spans = d["spans"]
        self.budget = {(b, w): m for b, w, m in d["budget"]}
        self.clashes = set(map(tuple, d["clashes"]))
        self.by_request = collections.defaultdict(list)
        self.by_bisidder = collections.defaultdict(list)
        for i, (r, b, _) in enumerate(self.edges):
            self.by_request[r].append(i)
            self.by_bisidder[b].append(i)

        self.worth = self.n_requests * max((c for _, _, c in self.edges), default=0) + 1
        self.fixed = []
        self.free = list(range(len(self.edges)))
        self.constrained = set(self.by_bisidder)

    def fits(self, b, reqs):
        """Whether bisidder b can hold all of `reqs` together."""
        if len(reqs) > self.slots[b]:
            return False
        minutes = collections.Counter()
        for r in reqs:
            minutes[self.week[r]] += self.work[r]
        if any(m > self.budget[(b, w)] for w, m in minutes.items()):
            return False
        rs = sorted(reqs)
        return not any((r1, r2) in self.clashes for i, r1 in enumerate(rs) for r2 in rs[i + 1 :])

    def reduce(self):
        """The exact reduction described above; sets `fixed`, `free`, `constrained`."""
        alive = [True] * len(self.edges)
        fixed_at = collections.defaultdict(list)
        done = set()
        changed = True
        while changed:
            changed = False
            unconstrained = set()
            for b, es in self.by_bisidder.items():
                reqs = [self.edges[i][0] for i in es if alive[i]] + fixed_at[b]
                if self.fits(b, reqs):
                    unconstrained.add(b)
            for r, es in self.by_request.items():
                if r in done:
                    continue
                live = [i for i in es if alive[i]]
                if not live:
                    continue
                best = min(live, key=lambda i: (self.edges[i][2], i))
                b = self.edges[best][1]
                if b in unconstrained:
                    self.fixed.append(best)
                    fixed_at[b].append(r)
                    done.add(r)
                    for i in live:
                        alive[i] = False
                    changed = True
        self.free = [i for i in range(len(self.edges)) if alive[i]]
        self.constrained = set(self.by_bisidder) - unconstrained
        self.fixed_value = sum(self.worth - self.edges[i][2] for i in self.fixed)

    def rows(self):
        """Every constraint over the free edges as (edge indices, coefficients, upper
        bound), lower bound 0."""
        free = set(self.free)
        for es in self.by_request.values():
            es = [i for i in es if i in free]
            if len(es) > 1:
                yield es, [1] * len(es), 1
        for b, es in self.by_bisidder.items():
            if b not in self.constrained:
                continue
            es = [i for i in es if i in free]
            if len(es) > self.slots[b]:
                yield es, [1] * len(es), self.slots[b]
            weeks = collections.defaultdict(list)
            for i in es:
                weeks[self.week[self.edges[i][0]]].append(i)
            for w, ws in weeks.items():
                work = [self.work[self.edges[i][0]] for i in ws]
                if sum(work) > self.budget[(b, w)]:
                    yield ws, work, self.budget[(b, w)]
            for group in self.clash_groups(es):
                yield group, [1] * len(group), 1

    def clash_groups(self, es):
        """At-most-one groups for one bisidder's edges `es`: maximal sets of meetings that
        overlap at one moment (sweep over start and end times), then clashing pairs that
        do not overlap."""
        at = {self.edges[i][0]: i for i in es}
        reqs = sorted(at, key=lambda r: self.spans[r][0])
        events = []
        for r in reqs:
            s, e = self.spans[r]
            events.append((s, 1, r))
            events.append((e, 0, r))  # ends sort before starts at the same moment
        events.sort()
        active, grew = set(), False
        for _, kind, r in events:
            if kind == 1:
                active.add(r)
                grew = True
            else:
                if grew and len(active) > 1:
                    yield [at[x] for x in sorted(active)]
                grew = False
                active.discard(r)
        for i, r1 in enumerate(reqs):
            s1, e1 = self.spans[r1]
            for r2 in reqs[i + 1 :]:
                s2, e2 = self.spans[r2]
                overlap = s1 < e2 and s2 < e1
                if not overlap and (min(r1, r2), max(r1, r2)) in self.clashes:
                    yield [at[r1], at[r2]]


def write_solution(path, solver, status, proved, seconds, chosen, edges, **extra):
    with open(path, "w") as f:
        f.write(f"solver {solver}\nstatus {status}\nproved {1 if proved else 0}\n")
        f.write(f"time_s {seconds:.3f}\n")
        for k, v in extra.items():
            f.write(f"{k} {v}\n")
        for i in chosen:
            f.write(f"pair {edges[i][0]} {edges[i][1]}\n")


def package_version(name):
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # noqa: BLE001 - the version is only reported
        return "?"
