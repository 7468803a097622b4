"""Exact reference for the matching benchmark: OR-tools CP-SAT, in its own process.

    matching_cpsat.py NAME.model.json NAME.cpsat.sol TIME_LIMIT_SECONDS [--no-reduce]

One integer objective that is lexicographic: maximise the sum over chosen edges of
(W - cost), W = requests x largest cost + 1, so one more assignment outweighs any cost
difference. CP-SAT is exact on integers (gap limits 0); `proved 1` when it ends OPTIMAL
within the time limit. Workers: CPSAT_WORKERS (default 8, CP-SAT's portfolio; on two
cores they share them). Model and the exact reduction applied first:
bench/lib/matching_model.py.
"""

import os
import sys
import time

from ortools.sat.python import cp_model

from matching_model import Model, package_version, write_solution


def main():
    model_path, out_path, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
    workers = int(os.environ.get("CPSAT_WORKERS", "8"))
    start = time.monotonic()
    m = Model(model_path)
    if "--no-reduce" not in sys.argv:
        m.reduce()
    model = cp_model.CpModel()
    x = {e: model.new_bool_var(f"x{e}") for e in m.free}
    for es, coef, ub in m.rows():
        if ub == 1 and all(c == 1 for c in coef):
            model.add_at_most_one(x[i] for i in es)
        else:
            model.add(sum(c * x[i] for i, c in zip(es, coef)) <= ub)
    model.maximize(sum((m.worth - m.edges[e][2]) * x[e] for e in m.free))
    build = time.monotonic() - start
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(1.0, limit - build)
    solver.parameters.num_workers = workers
    code = solver.solve(model)
    found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    chosen = [e for e in m.free if found and solver.value(x[e])]
    write_solution(out_path, "cpsat", solver.status_name(code), code == cp_model.OPTIMAL,
                   time.monotonic() - start, m.fixed + chosen if found else [], m.edges, found=int(found), time_limit_s=f"{limit:g}",
                   build_s=f"{build:.2f}", fixed=len(m.fixed), columns=len(m.free), workers=workers,
                   worth=m.worth, objective_bound=f"{solver.best_objective_bound + m.fixed_value:.0f}",
                   version=package_version("ortools"))


if __name__ == "__main__":
    main()
