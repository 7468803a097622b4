#!/usr/bin/env bash
# The peer in the web benchmark (SPEC §8 "Web", issue 7): ephios, a volunteer
# shift-planning application (Django) from PyPI, installed and run the way its
# deployment guide says (venv, PostgreSQL, `migrate`, `build`, gunicorn), filled with
# data comparable to Bisidder's benchmark and measured on the pages that stand beside
# Bisidder's, at fixed rates with latency correction: gunicorn and PostgreSQL on core 0,
# oha on core 1. See bench/EPHIOS.md.
#
#   bench/ephios.sh [--quick]
#
# Settings (environment): BENCH_RATES (requests/s, default "50 200"; --quick: "50"),
# BENCH_DURATION (s per measurement, default 15; --quick: 5), BENCH_DATABASE_URL (a
# PostgreSQL server to create the database on instead of a throwaway one; its CPU is
# then not measured), EPHIOS_WORKERS (gunicorn workers, default 3).
# Writes bench/results/ephios.jsonl (one JSON object per measurement) and
# bench/results/ephios.md.
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh

QUICK=0
for arg in "$@"; do
    case "$arg" in
    --quick) QUICK=1 ;;
    *) die "usage: bench/ephios.sh [--quick]" ;;
    esac
done
if ((QUICK)); then
    RATES="${BENCH_RATES:-50}"
    DURATION="${BENCH_DURATION:-5}"
else
    RATES="${BENCH_RATES:-50 200}"
    DURATION="${BENCH_DURATION:-15}"
fi
WORKERS="${EPHIOS_WORKERS:-3}"
PASSWORD="bench-Passw0rd!"
VENV="$ROOT/.cache/ephios-venv"
LOCK="$ROOT/bench/ephios/requirements.txt"
DATA_DIR="$ROOT/.cache/ephios-data" # ephios's DATA_DIR: static files, VAPID key (built once)
RESULTS="$ROOT/bench/results"
OUT_JSONL="$RESULTS/ephios.jsonl"
OUT_MD="$RESULTS/ephios.md"
PY=python3

TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/ephios-bench.XXXXXX")"
GUNICORN_PID=""
on_exit() {
    local rc=$?
    trap - EXIT
    [[ -z "$GUNICORN_PID" ]] || stop_pid "$GUNICORN_PID" gunicorn
    run_cleanups
    rm -rf "$TEST_TMP"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
STARTED=$SECONDS

# ---- tools ------------------------------------------------------------------------

step "oha and the ephios venv"
OHA="$ROOT/.cache/tools/bin/oha"
if [[ ! -x "$OHA" ]]; then
    cargo install oha --locked --version 1.16.0 --root "$ROOT/.cache/tools"
fi
note "$("$OHA" --version)"

# The venv: Python 3.11 (ephios needs >= 3.11), every package pinned with its hash.
# psycopg2 (ephios's `pgsql` extra) builds from source: needs gcc and libpq-dev.
want="$(file_hash "$LOCK")"
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.lock.sha256" 2>/dev/null)" != "$want" ]]; then
    python_bin="$(command -v python3.11 || command -v python3)"
    "$python_bin" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
        die "the lockfile is for CPython 3.11; $python_bin is $("$python_bin" --version)"
    note "installing ephios into $VENV (first time: about 3 minutes)"
    rm -rf "$VENV"
    "$python_bin" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$LOCK"
    printf '%s\n' "$want" >"$VENV/.lock.sha256"
    rm -f "$DATA_DIR/.built"
fi
EPHIOS_VERSION="$("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("ephios"))')"
note "ephios $EPHIOS_VERSION, $("$VENV/bin/gunicorn" --version 2>&1 | head -n 1)"

# ---- PostgreSQL -------------------------------------------------------------------

PG_PID="-"
PG_SERVER="${BENCH_DATABASE_URL:-}"
if [[ -z "$PG_SERVER" ]]; then
    step "throwaway PostgreSQL on core 0"
    start_postgres >/dev/null
    PG_SERVER="$TEST_DATABASE_URL"
    PG_PID="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
    for pid in $PG_PID $(ps -o pid= --ppid "$PG_PID"); do
        taskset -a -c -p 0 "$pid" >/dev/null
    done
    note "postmaster $PG_PID pinned to core 0 (its backends inherit the affinity)"
else
    PG_BIN="$(pg_bindir)"
    note "using BENCH_DATABASE_URL's server: its CPU is not measured"
fi
DB_NAME="ephios_bench_$$"
PG_BASE="${PG_SERVER%/*}"
DB_URL="$PG_BASE/$DB_NAME"
"$PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 "$PG_SERVER" -c "CREATE DATABASE $DB_NAME ENCODING 'UTF8' TEMPLATE template0"
on_cleanup "\"$PG_BIN/psql\" -q -X \"$PG_SERVER\" -c 'DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)' >/dev/null"

# ---- configuration, as the deployment guide's ephios.env ----------------------------

pick_port EPHIOS_PORT 18430
BASE="http://127.0.0.1:$EPHIOS_PORT"
export ENV_PATH="$TEST_TMP/ephios.env"
cat >"$ENV_PATH" <<EOF
DEBUG=False
DATA_DIR=$DATA_DIR
LOG_DIR=$TEST_TMP/logs
DATABASE_URL=$DB_URL
ALLOWED_HOSTS=127.0.0.1
SITE_URL=https://127.0.0.1:$EPHIOS_PORT
SECRET_KEY=$(random_password 50)
EMAIL_URL=dummymail://
DEFAULT_FROM_EMAIL=ephios@bench.example
SERVER_EMAIL=ephios@bench.example
ADMINS=Benchmark <admin@bench.example>
TRUST_X_FORWARDED_PROTO=True
EOF
ephios() { "$VENV/bin/python" -m ephios "$@"; }

if [[ ! -f "$DATA_DIR/.built" ]]; then
    step "python -m ephios build (static files, translations, VAPID key; once per venv)"
    ephios build >"$TEST_TMP/build.log" 2>&1 || { tail -n 30 "$TEST_TMP/build.log" >&2; die "ephios build failed"; }
    touch "$DATA_DIR/.built"
fi

# ---- data ---------------------------------------------------------------------------

# Fresh shifts for accept-offer: oha picks each URL at random from a list, so every rate
# gets its own pool three times the number of requests it could send (a pick may repeat
# a shift taken earlier in the run; the report counts the signups that really happened).
POOLS=()
FRESH=0
for rate in $RATES; do
    n=$((3 * rate * DURATION))
    POOLS+=("$n")
    FRESH=$((FRESH + n))
done
# At least the default full run's pools, so --quick and the full run share one dump.
((FRESH >= 11250)) || FRESH=11250
FRESH=$((FRESH + 10)) # 10 for the checks
# Migrating takes 1-2 minutes and seeding one more on this machine, so the seeded database
# is kept as a dump (.cache/ephios-seed-*.dump) for 7 days, keyed by the lockfile, the
# seed script and the size; it is restored into a fresh database every run.
key="$(printf '%s %s %s' "$(file_hash "$LOCK" bench/ephios/seed.py)" "$FRESH" "$PG_BIN" | sha256sum | cut -c 1-16)"
DUMP="$ROOT/.cache/ephios-seed-$key.dump"
SEED_JSON="$ROOT/.cache/ephios-seed-$key.json"
if [[ -f "$DUMP" && -f "$SEED_JSON" && -n "$(find "$DUMP" -mtime -7)" ]]; then
    step "restore the seeded database ($(basename "$DUMP"), made $(date -r "$DUMP" -u +'%F %H:%M UTC'))"
    "$PG_BIN/pg_restore" --no-owner --no-privileges -d "$DB_URL" "$DUMP"
    "$PG_BIN/psql" -q -X "$DB_URL" -c ANALYZE
else
    step "python -m ephios migrate"
    ephios migrate -v0 >"$TEST_TMP/migrate.log" 2>&1 || { tail -n 30 "$TEST_TMP/migrate.log" >&2; die "migrate failed"; }
    step "seed: 3,000 volunteers, 10,000 events, $FRESH fresh shifts"
    "$VENV/bin/python" bench/ephios/seed.py --password "$PASSWORD" --fresh-shifts "$FRESH" \
        --out "$TEST_TMP/seed.json" >"$TEST_TMP/seed.log" 2>&1 ||
        { tail -n 30 "$TEST_TMP/seed.log" >&2; die "seeding failed"; }
    rm -f "$ROOT"/.cache/ephios-seed-*.dump "$ROOT"/.cache/ephios-seed-*.json
    "$PG_BIN/pg_dump" -Fc -f "$DUMP.tmp" "$DB_URL"
    mv "$DUMP.tmp" "$DUMP"
    cp "$TEST_TMP/seed.json" "$SEED_JSON"
fi
seed() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$SEED_JSON" "$1"; }
note "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(", ".join(f"{k} {d[k]:,}" for k in ("users","groups","events","shifts","participations","object_permissions")))' "$SEED_JSON")"

# ---- gunicorn on core 0 -------------------------------------------------------------

step "gunicorn ($WORKERS sync workers) on core 0"
# As the guide's systemd unit, without --max-requests: a worker restarting in the middle
# of a 15-second measurement would be measured as the page's latency.
taskset -c 0 "$VENV/bin/gunicorn" ephios.wsgi --name ephios --workers "$WORKERS" \
    --bind "127.0.0.1:$EPHIOS_PORT" </dev/null >"$TEST_TMP/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
deadline=$((SECONDS + 90))
until curl -fsS -o /dev/null --max-time 5 -H 'X-Forwarded-Proto: https' "$BASE/accounts/login/" 2>/dev/null; do
    kill -0 "$GUNICORN_PID" 2>/dev/null || { tail -n 50 "$TEST_TMP/gunicorn.log" >&2; die "gunicorn exited"; }
    ((SECONDS < deadline)) || die "gunicorn did not answer within 90 s"
    sleep 0.3
done
note "gunicorn master $GUNICORN_PID at $BASE"

# ---- sign in, check every page answers with real content ----------------------------

step "sign in and check the pages"
login() { "$VENV/bin/python" bench/ephios/login.py "$BASE" "$1" "$PASSWORD"; }
jget() { $PY -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
planner="$(login "$(seed planner)")"
volunteer="$(login "$(seed volunteer)")"
P_COOKIE="$(jget "$planner" cookie)"
P_CSRF="$(jget "$planner" csrf)"
V_COOKIE="$(jget "$volunteer" cookie)"
V_CSRF="$(jget "$volunteer" csrf)"
ORIGIN="https://127.0.0.1:$EPHIOS_PORT"

CASE_PATH="$(seed case_path)"
SEARCH_PATH="/users/?query=$(seed search_query)&group=$(seed search_group)"
CREATE_PATH="/events/create/$(seed event_type)/"
CREATE_BODY="title=Sanitetsvagt+Roskilde+Festival&location=Roskilde%2C+Dyrskuepladsen&description=Kontakt%3A+Lise+Hansen.&visible_for=$(seed search_group)"

# check NAME PATH STATUS TEXT [CURL_ARGS...]: 6 requests (every worker warms up); the
# last answer must have STATUS and contain TEXT (a page) or lead to TEXT (a redirect).
check() {
    local name="$1" path="$2" status="$3" text="$4" i got
    shift 4
    for ((i = 0; i < 6; i++)); do
        got="$(curl -s -o "$TEST_TMP/page.html" -w '%{http_code} %{redirect_url}' \
            -H 'X-Forwarded-Proto: https' "$@" "$BASE$path")"
    done
    [[ "${got%% *}" == "$status" ]] || die "$name: GET/POST $path answered '$got', not $status"
    if [[ "$status" == 200 ]]; then
        grep -qF -- "$text" "$TEST_TMP/page.html" || die "$name: $path does not contain '$text'"
        note "$name: $path → 200, $(wc -c <"$TEST_TMP/page.html") bytes, contains '$text'"
    else
        [[ "$got" == *"$text"* ]] || die "$name: $path redirected to '${got#* }', not to …$text…"
        note "$name: $path → $status to ${got#* }"
    fi
}
P_GET=(-H "Cookie: $P_COOKIE")
P_POST=(-H "Cookie: $P_COOKIE" -H "X-CSRFToken: $P_CSRF" -H "Origin: $ORIGIN"
    -H "Content-Type: application/x-www-form-urlencoded")
V_POST=(-H "Cookie: $V_COOKIE" -H "X-CSRFToken: $V_CSRF" -H "Origin: $ORIGIN"
    -H "Content-Type: application/x-www-form-urlencoded")
SIGNUP_BODY="signup_choice=sign_up&quick_action=1"

check dashboard / 200 "Planner Benchmark" "${P_GET[@]}"
check request-list /events/ 200 'href="/events/' "${P_GET[@]}"
n="$(grep -oE 'href="/events/[0-9]+-[^"]*/"' "$TEST_TMP/page.html" | sort -u | wc -l)"
((n >= 50)) || die "request-list: /events/ links only $n events"
note "request-list: links $n events (upcoming, the first page)"
check case-page "$CASE_PATH" 200 "$(seed case_title)" "${P_GET[@]}"
check directory-search "$SEARCH_PATH" 200 "Jensen" "${P_GET[@]}"
check create-request "$CREATE_PATH" 302 "/createshift/" "${P_POST[@]}" --data "$CREATE_BODY"
$PY -c 'import json,sys; print("\n".join(f"/shifts/{i}/signup/" for i in json.load(open(sys.argv[1]))["fresh_shift_ids"]))' \
    "$SEED_JSON" >"$TEST_TMP/fresh.txt"
check accept-offer "$(tail -n 1 "$TEST_TMP/fresh.txt")" 302 "/events/" "${V_POST[@]}" --data "$SIGNUP_BODY"
signups() {
    "$PG_BIN/psql" -X -A -t "$DB_URL" -c "SELECT count(*) FROM localparticipation l JOIN abstractparticipation a ON a.id = l.abstractparticipation_ptr_id WHERE l.user_id = $(seed volunteer_id) AND a.state = 1"
}
[[ "$(signups)" == 1 ]] || die "accept-offer: the check's signup did not confirm a participation"
note "accept-offer: the volunteer's participation is confirmed in the database"

# ---- measure -----------------------------------------------------------------------

mkdir -p "$RESULTS"
: >"$OUT_JSONL"
NOTES="$TEST_TMP/notes.txt"
: >"$NOTES"

# measure PAGE RATE EXPECTED_STATUS URL_OR_FILE [OHA_ARGS...]
measure() {
    local page="$1" rate="$2" expected="$3" target="$4" before after row
    shift 4
    before="$($PY bench/ephios/measure.py snap "$GUNICORN_PID" "$PG_PID")"
    taskset -c 1 "$OHA" --no-tui --output-format json -q "$rate" -z "${DURATION}s" \
        --latency-correction --wait-ongoing-requests-after-deadline \
        -H 'X-Forwarded-Proto: https' "$@" "$target" >"$TEST_TMP/oha.json"
    after="$($PY bench/ephios/measure.py snap "$GUNICORN_PID" "$PG_PID")"
    row="$($PY bench/ephios/measure.py row "$page" "$rate" "$DURATION" "$expected" "$before" "$after" "$TEST_TMP/oha.json")"
    printf '%s\n' "$row" >>"$OUT_JSONL"
    $PY bench/ephios/measure.py summary "$row"
    $PY bench/ephios/measure.py quiet "$GUNICORN_PID"
}

offset=0
i=0
for rate in $RATES; do
    step "measure at $rate requests/s, $DURATION s each"
    measure dashboard "$rate" 200 "$BASE/" "${P_GET[@]}"
    measure request-list "$rate" 200 "$BASE/events/" "${P_GET[@]}"
    measure case-page "$rate" 200 "$BASE$CASE_PATH" "${P_GET[@]}"
    measure directory-search "$rate" 200 "$BASE$SEARCH_PATH" "${P_GET[@]}"
    measure create-request "$rate" 302 "$BASE$CREATE_PATH" -m POST "${P_POST[@]}" -d "$CREATE_BODY"
    pool="${POOLS[$i]}"
    sed -n "$((offset + 1)),$((offset + pool))p" "$TEST_TMP/fresh.txt" | sed "s|^|$BASE|" >"$TEST_TMP/pool.txt"
    offset=$((offset + pool))
    i=$((i + 1))
    s0="$(signups)"
    measure accept-offer "$rate" 302 "$TEST_TMP/pool.txt" --urls-from-file -m POST "${V_POST[@]}" -d "$SIGNUP_BODY"
    s1="$(signups)"
    sent="$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["requests"])' "$OUT_JSONL")"
    note "accept-offer at $rate/s: $((s1 - s0)) new confirmed participations from $sent requests (the rest picked a shift already taken in this run)"
    printf 'accept-offer at %s/s: %s new confirmed participations from %s requests\n' "$rate" "$((s1 - s0))" "$sent" >>"$NOTES"
done
printf 'gunicorn memory at the end as proportional set size (shared pages counted once): %s\n' \
    "$($PY bench/ephios/measure.py pss "$GUNICORN_PID")" >>"$NOTES"

# ---- report ------------------------------------------------------------------------

step "report"
$PY - "$OUT_JSONL" "$NOTES" "$SEED_JSON" "$EPHIOS_VERSION" "$WORKERS" "$DURATION" \
    "$((SECONDS - STARTED))" "$(cut -d ' ' -f 1-3 /proc/loadavg)" "$PG_PID" >"$OUT_MD" <<'EOF'
import json, sys
rows_f, notes_f, seed_f, version, workers, duration, took, load, pg = sys.argv[1:10]
rows = [json.loads(l) for l in open(rows_f) if l.strip()]
seed = json.load(open(seed_f))
f = lambda v: "–" if v is None else (f"{v:,.1f}" if isinstance(v, float) else f"{v:,}")
print(f"### ephios {version} (peer), PostgreSQL\n")
where = "and PostgreSQL on core 0" if pg != "-" else "on core 0 (PostgreSQL: BENCH_DATABASE_URL's server)"
print(f"gunicorn {workers} sync workers {where}, oha on core 1; {duration} s per "
      f"measurement at a fixed rate with latency correction. Data: {seed['users']:,} users, "
      f"{seed['events']:,} events, {seed['shifts']:,} shifts, {seed['participations']:,} participations. "
      f"Run took {took} s; load average at the end {load}.\n")
print("| page (Bisidder's) | rate/s | requests | p50 ms | p99 ms | p99.9 ms | errors | RSS MB | CPU ms/req | PostgreSQL CPU ms/req |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['page']} | {r['rate']} | {r['requests']:,} | {f(r['p50_ms'])} | {f(r['p99_ms'])} | "
          f"{f(r['p999_ms'])} | {r['error_rate']:.1%} | {f(r['rss_mb'])} | {f(r['cpu_ms_per_req'])} | "
          f"{f(r['db_cpu_ms_per_req'])} |")
print()
print(f"* requests: answers within the measurement and the wait for outstanding ones; at a rate "
      f"R oha would send R × {duration} if the server kept up, and never has more than 50 "
      f"requests outstanding (its default connections), so fewer means ephios was saturated.")
for line in open(notes_f):
    print(f"* {line.strip()}")
if pg == "-":
    print("* PostgreSQL was BENCH_DATABASE_URL's server: its CPU is not measured.")
print("\nLatency is measured from each request's intended send time, so when ephios cannot keep "
      "up with the rate the queue it builds is in the figures. RSS is the sum of the gunicorn "
      "master's and workers' peak resident memory (VmHWM); CPU per request counts gunicorn's "
      "processes, PostgreSQL's separately (all its processes). What each page is in ephios: "
      "bench/EPHIOS.md.")
EOF
cat "$OUT_MD"
finish_step
print_timings
