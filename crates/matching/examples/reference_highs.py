"""Exact optimum of an instance written by `examples/export.rs`, with HiGHS (MIP).

The benchmark's reference solver for SPEC §8 ("within 2 % of the exact optimum"): it
runs in its own process and is not part of the crate.

    python3 -m venv /tmp/mip-venv && /tmp/mip-venv/bin/pip install highspy
    CARGO_TARGET_DIR=/tmp/matching-target cargo run --release -p matching --example export --features gen -- scarce 300 250 2 > /tmp/scarce.json
    /tmp/mip-venv/bin/python crates/matching/examples/reference_highs.py /tmp/scarce.json

Model: binary x[e] per eligible (request, bisidder) edge; each request at most once;
per bisidder at most `slots` requests, per week at most `budget` minutes of `work`, and
at most one of each pair of requests that clash. Lexicographic objective as the crate's:
most requests assigned, then least total cost with that many.
"""

import collections
import json
import sys

import highspy


def model(d):
    h = highspy.Highs()
    h.silent()
    edges = d["edges"]
    x = [h.addVariable(lb=0, ub=1, type=highspy.HighsVarType.kInteger) for _ in edges]
    by_r, by_b = collections.defaultdict(list), collections.defaultdict(list)
    for i, (r, b, _) in enumerate(edges):
        by_r[r].append(i)
        by_b[b].append(i)
    for es in by_r.values():
        h.addConstr(sum(x[i] for i in es) <= 1)
    clash = set(map(tuple, d["clashes"]))
    budget = {(b, w): m for b, w, m in d["budget"]}
    for b, es in by_b.items():
        h.addConstr(sum(x[i] for i in es) <= d["slots"][b])
        weeks = collections.defaultdict(list)
        for i in es:
            weeks[d["week"][edges[i][0]]].append(i)
        for w, ws in weeks.items():
            h.addConstr(sum(d["work"][edges[i][0]] * x[i] for i in ws) <= budget[(b, w)])
        at = {edges[i][0]: i for i in es}
        for r1 in at:
            for r2 in at:
                if r1 < r2 and (r1, r2) in clash:
                    h.addConstr(x[at[r1]] + x[at[r2]] <= 1)
    return h, x, edges


def main():
    d = json.load(open(sys.argv[1]))
    h, x, edges = model(d)
    # One objective, lexicographic: one more assignment is worth more than any cost
    # difference between two plans (at most requests × the largest cost).
    worth = d["requests"] * max((c for _, _, c in edges), default=0) + 1
    h.maximize(sum((worth - c) * x[i] for i, (_, _, c) in enumerate(edges)))
    chosen = [i for i, v in enumerate(h.getSolution().col_value) if v > 0.5]
    status = h.modelStatusToString(h.getModelStatus())
    print(f"{status}: assigned {len(chosen)}, total cost {sum(edges[i][2] for i in chosen)}")


if __name__ == "__main__":
    main()
