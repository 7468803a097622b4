"""Exact reference for the matching benchmark: HiGHS (MIP), in its own process.

    matching_highs.py NAME.model.json NAME.highs.sol TIME_LIMIT_SECONDS [--no-reduce]

One integer objective that is lexicographic: maximise the sum over chosen edges of
(W - cost), W = requests x largest cost + 1, so one more assignment outweighs any cost
difference (two solves, count then cost with the count fixed, were slower: the dense
count row stalls presolve). Relative gap tolerance 0 and absolute 0.5 (the objective
is integral), so `proved 1` (status Optimal within the time limit) is the exact optimum.
Model and the exact reduction applied first: bench/lib/matching_model.py.
"""

import sys
import time

import highspy
import numpy as np

from matching_model import Model, package_version, write_solution


def main():
    model_path, out_path, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
    start = time.monotonic()
    m = Model(model_path)
    if "--no-reduce" not in sys.argv:
        m.reduce()
    col = {e: j for j, e in enumerate(m.free)}
    n = len(m.free)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.5)
    cols = np.arange(n, dtype=np.int32)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kInteger))
    starts, index, value, upper = [], [], [], []
    for es, coef, ub in m.rows():
        starts.append(len(index))
        index.extend(col[i] for i in es)
        value.extend(coef)
        upper.append(ub)
    k = len(upper)
    if k:
        h.addRows(k, np.full(k, -highspy.kHighsInf), np.array(upper, dtype=float), len(index),
                  np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32),
                  np.array(value, dtype=float))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.changeColsCost(n, cols, np.array([m.worth - m.edges[e][2] for e in m.free], dtype=float))
    build = time.monotonic() - start
    h.setOptionValue("time_limit", max(1.0, limit - build))
    if n:
        h.run()
        code = h.getModelStatus()
        proved = code == highspy.HighsModelStatus.kOptimal
        status = h.modelStatusToString(code)
        values = h.getSolution().col_value
        bound = h.getInfo().mip_dual_bound
        found = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
        chosen = [m.free[j] for j in range(n) if values[j] > 0.5]
    else:
        proved, status, bound, chosen, found = True, "Optimal", 0.0, [], True
    write_solution(out_path, "highs", status.replace(" ", "_"), proved, time.monotonic() - start,
                   m.fixed + chosen if found else [], m.edges, found=int(found), time_limit_s=f"{limit:g}", build_s=f"{build:.2f}",
                   fixed=len(m.fixed), rows=k, columns=n, worth=m.worth,
                   dual_bound=f"{bound + m.fixed_value:.1f}", version=package_version("highspy"))


if __name__ == "__main__":
    main()
