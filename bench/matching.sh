#!/usr/bin/env bash
# The matching benchmark (SPEC §8 "Speed", matching; issue 7): generated national
# instances on real Danish geography (plentiful, scarce, a burst with cancellations),
# solved by our batch optimiser, by one-at-a-time online assignment and by two exact
# reference solvers (HiGHS MIP and OR-tools CP-SAT, each in its own process, same
# objective and hard constraints), every solution checked by an independent checker.
# Writes bench/results/matching.md and prints it. See bench/MATCHING.md.
#
#   bench/matching.sh [--quick] [--solver-time SECONDS] [--out FILE]
#
# --quick: 3 instances, 3 timed runs each, 8 s per reference solve (about a minute);
# the full run: 5 instances (two seeds of plentiful and scarce, one burst), 5 runs,
# 30 s per reference solve (about 4 minutes on 2 cores). The solvers' venv (.cache/bench-venv) is created from
# the hash-pinned bench/requirements-solvers.txt on first use and reused while the
# lockfile is unchanged.
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

QUICK=0
SOLVER_TIME=""
OUT="$ROOT/bench/results/matching.md"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --solver-time) SOLVER_TIME="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done
QUICK_ARG=()
if [[ "$QUICK" == 1 ]]; then
    QUICK_ARG=(--quick)
    SOLVER_TIME="${SOLVER_TIME:-8}"
else
    SOLVER_TIME="${SOLVER_TIME:-30}"
fi

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$ROOT/.cache/bench-venv"
LOCK="$ROOT/bench/requirements-solvers.txt"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bisidder-matching.XXXXXX")"
on_exit() {
    local rc=$?
    trap - EXIT
    rm -rf "$WORK"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
STARTED=$SECONDS

step "build (release): the matching crate's benchmark driver"
cargo build --release --quiet -p matching --example bench_matching --features gen
DRIVER="$TARGET_DIR/release/examples/bench_matching"

step "reference solvers' venv ($VENV)"
STAMP="$VENV/.lock-sha256"
WANT="$(sha256sum "$LOCK" | cut -d ' ' -f 1)"
if [[ ! -x "$VENV/bin/python" || "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]]; then
    PYTHON="$(command -v python3.11 || command -v python3)"
    note "creating it with $("$PYTHON" --version) from $LOCK"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        --require-hashes --only-binary=:all: -r "$LOCK"
    echo "$WANT" >"$STAMP"
else
    note "up to date with $LOCK"
fi
"$VENV/bin/python" -c 'import highspy, ortools; print("    highspy and ortools", ortools.__version__)'

step "instances, our batch optimiser and online assignment"
note "$(nproc) cores; load average: $(cut -d ' ' -f 1-3 /proc/loadavg)"
"$DRIVER" solve "$WORK" "${QUICK_ARG[@]}"

step "exact references: HiGHS and CP-SAT, each in its own process (limit ${SOLVER_TIME} s each)"
for model in "$WORK"/*.model.json; do
    name="$(basename "$model" .model.json)"
    for solver in highs cpsat; do
        t0=$SECONDS
        if "$VENV/bin/python" "bench/lib/matching_$solver.py" "$model" \
            "$WORK/$name.$solver.sol" "$SOLVER_TIME"; then
            note "$name $solver: $(grep -m1 '^status' "$WORK/$name.$solver.sol" | cut -d ' ' -f 2) in $((SECONDS - t0)) s"
        else
            note "$name $solver: FAILED (left out of the table)"
            rm -f "$WORK/$name.$solver.sol"
        fi
    done
done

step "independent check of every solution, figures"
mkdir -p "$(dirname "$OUT")"
"$DRIVER" report "$WORK" "${QUICK_ARG[@]}" >"$OUT.tmp"
printf '\nTotal run time of the benchmark: %d s.\n' "$((SECONDS - STARTED))" >>"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
finish_step
printf '\n'
cat "$OUT"
for t in "${STEP_TIMES[@]}"; do
    printf '%s\n' "$t"
done
