#!/usr/bin/env bash
# The annual-report benchmark (SPEC §8 "Reports"): ten years of generated national data
# (1,000,000 cases, 200,000 reports of concern) loaded into a fresh SQLite file and a
# fresh PostgreSQL database, then the annual report of the latest year timed on each.
# Prints a markdown table. See bench/README.md.
#
#   bench/annual.sh [--cases N] [--reports N] [--runs N] [--seed N]
#
# PostgreSQL: BENCH_DATABASE_URL (or else TEST_DATABASE_URL) names a server on which a
# database is created for the run and dropped afterwards; with neither set, a throwaway
# server is started (scripts/lib/services.sh) and stopped again.
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/bisidder-bench.XXXXXX")"
on_exit() {
    local rc=$?
    trap - EXIT
    run_cleanups
    rm -rf "$TEST_TMP"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "build (release)"
cargo build --release --quiet -p bisidder --example annual_bench

PG_URL="${BENCH_DATABASE_URL:-${TEST_DATABASE_URL:-}}"
if [[ -z "$PG_URL" ]]; then
    step "throwaway PostgreSQL"
    start_postgres
    PG_URL="$TEST_DATABASE_URL"
fi

step "generate, load and time the annual report"
note "$(nproc) cores; load average before: $(cut -d ' ' -f 1-3 /proc/loadavg)"
"$TARGET_DIR/release/examples/annual_bench" \
    --sqlite "$TEST_TMP/annual.db" --postgres "$PG_URL" "$@"
note "load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
finish_step
