#!/usr/bin/env bash
# The one test command: installs what a fresh Debian 12 machine lacks, starts a
# throwaway PostgreSQL and SMTP sink, runs the Rust checks and tests on SQLite and
# PostgreSQL, then the browser journeys (Playwright + axe-core in Debian's Chromium)
# against the app with demo data. Stops everything it started, pass or fail.
#
#   scripts/test.sh
#
# For local iteration, a stage can be skipped with SKIP_<STAGE>=1 (never in CI, where
# CI=true ignores them): SKIP_INSTALL, SKIP_PG, SKIP_SMTP, SKIP_FMT, SKIP_CLIPPY,
# SKIP_CARGO_TEST, SKIP_E2E, SKIP_DENY, SKIP_FUZZ (cargo-fuzz), SKIP_API_FUZZ (schemathesis
# and sqlmap). BISIDDER_FUZZ_LONG=1 runs the long variants of the fuzzing suites. Ports (first free one from the default upwards unless
# set): PG_PORT=55432, SMTP_PORT=2525, APP_PORT=18080.
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/security.sh
source scripts/lib/security.sh

VENV="$ROOT/.cache/venv"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/bisidder-test.XXXXXX")"
CARGO_LOG="$TEST_TMP/cargo-test.log"
E2E_LOG="$TEST_TMP/e2e.log"

on_exit() {
    local rc=$?
    set +e
    trap - EXIT
    # Finish cleaning up even if interrupted again or nobody reads our output.
    trap '' INT TERM HUP PIPE
    if [[ $rc -ne 0 ]]; then
        [[ -n "$STEP_NAME" ]] && printf '\n==> FAILED in step: %s\n' "$STEP_NAME"
        finish_step
        run_cleanups
        local logs="$ROOT/.cache/test-logs"
        rm -rf "$logs" && mkdir -p "$logs"
        cp -f "$TEST_TMP"/*.log "$logs"/ 2>/dev/null
        [[ -n "$PG_DIR" ]] && cp -f "$PG_DIR/server.log" "$logs/postgres.log" 2>/dev/null
        note "logs kept in $logs"
        print_timings
        printf '==> FAILED after %ss (exit %s)\n' "$SECONDS" "$rc"
    fi
    run_cleanups
    rm -rf "$TEST_TMP"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

warn_ignored_skips

# ---- 1. install what is missing ------------------------------------------------------

step "install what is missing"
if skipped SKIP_INSTALL; then
    note "skipped (SKIP_INSTALL=1)"
else
    install_system_packages
    install_python_venv "$VENV" scripts/requirements-test.txt
    install_node_modules e2e
fi

# ---- 2. PostgreSQL ---------------------------------------------------------------------

step "start PostgreSQL (throwaway cluster)"
if skipped SKIP_PG; then
    note "skipped (SKIP_PG=1); TEST_DATABASE_URL=${TEST_DATABASE_URL:-<unset: SQLite only>}"
else
    start_postgres
fi

# ---- 3. SMTP sink -------------------------------------------------------------------------

step "start SMTP sink (aiosmtpd)"
if skipped SKIP_SMTP; then
    note "skipped (SKIP_SMTP=1)"
else
    start_smtp "$VENV/bin/python"
fi

# ---- 4. Rust checks and tests -------------------------------------------------------------

step "cargo fmt --check"
if skipped SKIP_FMT; then note "skipped (SKIP_FMT=1)"; else
    cargo fmt --all -- --check
fi

step "cargo clippy -D warnings"
if skipped SKIP_CLIPPY; then note "skipped (SKIP_CLIPPY=1)"; else
    cargo clippy --locked --workspace --all-targets -- -D warnings
fi

step "cargo deny (licences, sources) and unsafe_code = forbid"
if skipped SKIP_DENY; then note "skipped (SKIP_DENY=1)"; else
    check_unsafe_forbidden
    run_cargo_deny
fi

step "cargo test (SQLite${TEST_DATABASE_URL:+ and PostgreSQL})"
if skipped SKIP_CARGO_TEST; then note "skipped (SKIP_CARGO_TEST=1)"; else
    cargo test --locked --workspace 2>&1 | tee "$CARGO_LOG"
fi

step "fuzz targets${BISIDDER_FUZZ_LONG:+ (long: cargo-fuzz)}"
if skipped SKIP_FUZZ; then note "skipped (SKIP_FUZZ=1)"; else
    run_cargo_fuzz
fi

# ---- 5. browser journeys ------------------------------------------------------------------

if ! skipped SKIP_E2E || ! skipped SKIP_API_FUZZ; then
    step "cargo build -p bisidder"
    cargo build --locked -p bisidder
    BIN="$TARGET_DIR/debug/bisidder"

    step "start the app with demo data (TOTP required)"
    start_app "$BIN" demo --require-totp
fi

if skipped SKIP_E2E; then
    step "browser journeys"
    note "skipped (SKIP_E2E=1)"
else
    E2E_EMAIL="e2e-coordinator@example.org"
    E2E_PASSWORD="$(random_password 20)"
    app_cli "$BIN" user create --email "$E2E_EMAIL" --name "E2E Koordinator" \
        --password "$E2E_PASSWORD" --org demo-bv --role coordinator

    step "browser journeys (Playwright + axe-core)"
    note "$(/usr/bin/chromium --version 2>/dev/null || echo 'no /usr/bin/chromium')"
    (cd e2e && BASE_URL="$APP_URL" E2E_EMAIL="$E2E_EMAIL" E2E_PASSWORD="$E2E_PASSWORD" \
        npx --no -- playwright test) 2>&1 | tee "$E2E_LOG"
fi

# ---- 6. the API and forms under attack (after the journeys: they add data) ------------

if skipped SKIP_API_FUZZ; then
    step "schemathesis and sqlmap"
    note "skipped (SKIP_API_FUZZ=1)"
else
    step "schemathesis: every operation, every role${BISIDDER_FUZZ_LONG:+ (long)}"
    make_role_tokens "$BIN" demo-bv
    run_schemathesis "$APP_URL"

    step "sqlmap: API and form parameters (SQLite)${BISIDDER_FUZZ_LONG:+ (long)}"
    run_sqlmap "$APP_URL" SQLite

    # The same SQL runs on both backends; the PostgreSQL pass belongs to the long variant.
    if [[ -n "${TEST_DATABASE_URL:-}" && "${BISIDDER_FUZZ_LONG:-0}" == "1" ]]; then
        step "sqlmap: API and form parameters (PostgreSQL)${BISIDDER_FUZZ_LONG:+ (long)}"
        start_pg_app "$BIN"
        make_role_tokens "$BIN" demo-bv
        run_sqlmap "$PG_APP_URL" PostgreSQL
    fi
fi

# ---- 7. stop everything, then the summary (the exit trap cleans up on failure) ------

finish_step
passed=0
failed=0
if [[ -f "$CARGO_LOG" ]]; then
    # "test result: ok. 12 passed; 0 failed; 0 ignored; ..."
    read -r p f < <(awk '/^test result:/ { p += $4; f += $6 } END { print p + 0, f + 0 }' "$CARGO_LOG")
    passed=$((passed + p)) failed=$((failed + f))
fi
if [[ -f "$E2E_LOG" ]]; then
    # Playwright's list reporter ends with "  5 passed (31.2s)".
    p="$(sed -nE 's/^ *([0-9]+) passed.*/\1/p' "$E2E_LOG" | tail -n 1)"
    f="$(sed -nE 's/^ *([0-9]+) failed.*/\1/p' "$E2E_LOG" | tail -n 1)"
    passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0}))
fi
step "stop services"
run_cleanups
finish_step
print_timings
if [[ -f "$TEST_TMP/fuzz-summary.txt" ]]; then
    printf '\n==> fuzzing\n'
    cat "$TEST_TMP/fuzz-summary.txt"
fi
printf '==> OK in %ss\n' "$SECONDS"
printf 'summary: %s passed, %s failed\n' "$passed" "$failed"
