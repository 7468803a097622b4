#!/usr/bin/env bash
# The web benchmark (SPEC §8 "Web" and issue 7's "Scale"): the server (and PostgreSQL) on
# core 0, the load generator on core 1, fixed rate with latency correction. First the
# ceiling (a bare axum handler, one SELECT through the app's pool), then Bisidder's
# dashboard, request list, case page, create request, accept offer and directory search
# on SQLite and on PostgreSQL; then the main pages at 100k and 1M requests. See
# bench/WEB.md.
#
#   bench/web.sh [--quick]
#
# Writes bench/results/web.jsonl (one row per measurement, format in bench/lib/load.sh)
# and bench/results/web.md. PostgreSQL: a throwaway server (scripts/lib/services.sh),
# pinned to core 0 like the app; BENCH_DATABASE_URL names another server instead (then
# neither pinned nor measured for CPU unless it runs here). Settings: RATE (requests/s,
# default 100), DURATION (s, default 10; 3 with --quick), SIZES_SQLITE / SIZES_POSTGRES
# (scale sizes in requests, default "100000" each; none with --quick; add 1000000 for 1M).
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=bench/lib/load.sh
source bench/lib/load.sh

QUICK=0
for arg in "$@"; do
    case "$arg" in
    --quick) QUICK=1 ;;
    *) die "usage: bench/web.sh [--quick]" ;;
    esac
done
RATE="${RATE:-100}"
if ((QUICK)); then
    DURATION="${DURATION:-3}"
    SIZES_SQLITE="${SIZES_SQLITE:-}"
    SIZES_POSTGRES="${SIZES_POSTGRES:-}"
    SCALE_DURATION="${SCALE_DURATION:-3}"
else
    DURATION="${DURATION:-10}"
    SIZES_SQLITE="${SIZES_SQLITE:-100000}"
    SIZES_POSTGRES="${SIZES_POSTGRES:-100000}"
    SCALE_DURATION="${SCALE_DURATION:-5}"
fi
export LOAD_RATE="$RATE" LOAD_DURATION="$DURATION" LOAD_CPU=1 LOAD_WARMUP=1

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/bisidder"
HELPER="$TARGET_DIR/release/web_bench"
RESULTS="$ROOT/bench/results"
mkdir -p "$RESULTS"
export LOAD_OUT="$RESULTS/web.jsonl"
SCALE_OUT="$RESULTS/web-scale.jsonl"
: >"$LOAD_OUT"
: >"$SCALE_OUT"

TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/bisidder-web.XXXXXX")"
SERVER_PID=""
on_exit() {
    local rc=$?
    trap - EXIT
    stop_server
    run_cleanups
    rm -rf "$TEST_TMP"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
STARTED=$SECONDS

step "tools and build (release)"
if [[ ! -x .cache/tools/bin/oha ]]; then
    cargo install oha --locked --version 1.16.0 --root .cache/tools
fi
export OHA="$ROOT/.cache/tools/bin/oha"
"$OHA" --version
cargo build --release --quiet -p bisidder --bin bisidder -p web_bench
note "$(nproc) cores; load average: $(cut -d ' ' -f 1-3 /proc/loadavg)"
note "rate $RATE/s, $DURATION s per measurement (scale: $SCALE_DURATION s), 1 s warm-up"

# ---- servers ------------------------------------------------------------------------

stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

wait_ready() { # url
    local deadline=$((SECONDS + 60))
    until curl -fsS -o /dev/null --max-time 5 "$1" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 50 "$TEST_TMP/server.log" >&2; die "server exited"; }
        ((SECONDS < deadline)) || die "server did not answer $1 within 60 s"
        sleep 0.2
    done
}

# start_bisidder DB_URL DATA_DIR: `bisidder serve` (release) on core 0.
start_bisidder() {
    pick_port APP_PORT 18380
    APP_URL="http://127.0.0.1:$APP_PORT"
    DATABASE_URL="$1" BISIDDER_BIND="127.0.0.1:$APP_PORT" BISIDDER_PUBLIC_URL="$APP_URL" \
        BISIDDER_DATA_DIR="$2" BISIDDER_LOGIN_ATTEMPTS=1000 \
        taskset -c 0 "$BIN" serve </dev/null >"$TEST_TMP/server.log" 2>&1 &
    SERVER_PID=$!
    wait_ready "$APP_URL/readyz"
}

# start_ceiling DB_URL DATA_DIR: the bare axum and one-query handlers on core 0.
start_ceiling() {
    pick_port APP_PORT 18380
    APP_URL="http://127.0.0.1:$APP_PORT"
    taskset -c 0 "$HELPER" ceiling --db "$1" --data-dir "$2" --bind "127.0.0.1:$APP_PORT" \
        </dev/null >"$TEST_TMP/server.log" 2>&1 &
    SERVER_PID=$!
    wait_ready "$APP_URL/bare"
}

# seed NAME DB_URL DATA_DIR REQUESTS: the seed's JSON goes to $TEST_TMP/NAME.json.
seed() {
    local t=$SECONDS
    "$HELPER" seed --db "$2" --data-dir "$3" --requests "$4" \
        >"$TEST_TMP/$1.json" 2>"$TEST_TMP/$1.seed.log" ||
        { cat "$TEST_TMP/$1.seed.log" >&2; die "seeding $1 failed"; }
    note "seeded $1 in $((SECONDS - t)) s: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(", ".join(f"{k} {d[k]}" for k in ("requests","persons","cases","appointments","size_bytes")))' "$TEST_TMP/$1.json")"
}

field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TEST_TMP/$1.json" "$2"; }

# ---- PostgreSQL ---------------------------------------------------------------------

PG_SERVER="${BENCH_DATABASE_URL:-}"
PG_PID="-"
if [[ -z "$PG_SERVER" ]]; then
    step "throwaway PostgreSQL on core 0"
    start_postgres >/dev/null
    PG_SERVER="$TEST_DATABASE_URL"
    PG_PID="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
    for pid in $PG_PID $(ps -o pid= --ppid "$PG_PID"); do
        taskset -a -c -p 0 "$pid" >/dev/null
    done
    note "postmaster $PG_PID pinned to core 0"
fi
PG_BASE="${PG_SERVER%/*}"

pg_create() { # name → URL
    psql -q -X -v ON_ERROR_STOP=1 "$PG_SERVER" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
    printf '%s/%s\n' "$PG_BASE" "$1"
}
pg_drop() { psql -q -X "$PG_SERVER" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null || true; }

# db_url BACKEND NAME → a fresh database's URL
db_url() {
    if [[ "$1" == sqlite ]]; then
        printf 'sqlite://%s/%s.db\n' "$TEST_TMP" "$2"
    else
        pg_create "$2"
    fi
}
db_drop() {
    if [[ "$1" == sqlite ]]; then
        rm -f "$TEST_TMP/$2.db" "$TEST_TMP/$2.db-wal" "$TEST_TMP/$2.db-shm"
    else
        pg_drop "$2"
    fi
}
size_label() { # 10000 → 10k, 1000000 → 1M
    local n="$1"
    if ((n % 1000000 == 0)); then printf '%dM' $((n / 1000000)); else printf '%dk' $((n / 1000)); fi
}

# The pages every size measures (a signed-in coordinator; the directory is public).
measure_pages() { # BACKEND SIZE NAME DB_PID
    local backend="$1" size="$2" name="$3" dbpid="$4" cookie case
    cookie="$("$HELPER" signin --url "$APP_URL" --email "$(field "$name" coordinator)" --password "$(field "$name" password)")"
    case="$(field "$name" case_id)"
    load_url bisidder "$backend" dashboard "$size" "$SERVER_PID" "$dbpid" "$APP_URL/start" -H "Cookie: $cookie"
    load_url bisidder "$backend" request-list "$size" "$SERVER_PID" "$dbpid" "$APP_URL/intake" -H "Cookie: $cookie"
    load_url bisidder "$backend" case "$size" "$SERVER_PID" "$dbpid" "$APP_URL/cases/$case" -H "Cookie: $cookie"
    load_url bisidder "$backend" directory-search "$size" "$SERVER_PID" "$dbpid" \
        "$APP_URL/bisiddere?kommune=0751&meeting_type=children"
}

scale_row() { # BACKEND SIZE NAME
    python3 -c '
import json, sys
d = json.load(open(sys.argv[3]))
print(json.dumps({"backend": sys.argv[1], "size": sys.argv[2], **{k: d[k] for k in
      ("requests", "persons", "cases", "appointments", "size_bytes")}}))' "$1" "$2" "$TEST_TMP/$3.json" >>"$SCALE_OUT"
}

MEETING_DATE="$(date -d '+14 days' +%F)"
CREATE_BODY="{\"first_name\":\"Mads\",\"age\":\"14\",\"contact_phone\":\"70203040\",\"postcode\":\"8000\",\"authority\":\"kommune\",\"meeting_date\":\"$MEETING_DATE\",\"meeting_time\":\"10:00\"}"

for backend in sqlite postgres; do
    dbpid="-"
    [[ "$backend" == postgres ]] && dbpid="$PG_PID"
    sizes="$SIZES_SQLITE"
    [[ "$backend" == postgres ]] && sizes="$SIZES_POSTGRES"

    step "$backend: seed 10k (the demo and its history cloned)"
    name="web_10k"
    url="$(db_url "$backend" "$name")"
    seed "$name" "$url" "$TEST_TMP/data-$backend" 10000
    scale_row "$backend" 10k "$name"

    step "$backend: ceiling"
    start_ceiling "$url" "$TEST_TMP/data-$backend"
    load_url axum-bare "$backend" bare "" "$SERVER_PID" "$dbpid" "$APP_URL/bare"
    load_url axum-1query "$backend" one-query "" "$SERVER_PID" "$dbpid" "$APP_URL/one"
    stop_server

    step "$backend: Bisidder at 10k requests"
    start_bisidder "$url" "$TEST_TMP/data-$backend"
    measure_pages "$backend" 10k "$name" "$dbpid"
    load_url bisidder "$backend" create-request 10k "$SERVER_PID" "$dbpid" "$APP_URL/api/v1/requests" \
        -m POST -T application/json -H "Authorization: Bearer $(field "$name" requester_token)" -d "$CREATE_BODY"
    # Fresh offers only now, so they do not crowd the queue the pages above showed.
    "$HELPER" offers --db "$url" --data-dir "$TEST_TMP/data-$backend" \
        --n "$(python3 -c "import math; print(math.ceil($RATE * $DURATION) + 10)")" >"$TEST_TMP/offers.txt"
    load_cmd bisidder "$backend" accept-offer 10k "$SERVER_PID" "$dbpid" -- \
        "$HELPER" accept --url "$APP_URL" --token "$(field "$name" bisidder_token)" \
        --offers "$TEST_TMP/offers.txt" --rate "$RATE" --duration "$DURATION"
    stop_server
    db_drop "$backend" "$name"

    for n in $sizes; do
        label="$(size_label "$n")"
        step "$backend: scale $label requests"
        name="web_$label"
        url="$(db_url "$backend" "$name")"
        seed "$name" "$url" "$TEST_TMP/data-$backend" "$n"
        scale_row "$backend" "$label" "$name"
        start_bisidder "$url" "$TEST_TMP/data-$backend"
        LOAD_DURATION="$SCALE_DURATION" measure_pages "$backend" "$label" "$name" "$dbpid"
        stop_server
        db_drop "$backend" "$name"
    done
done

step "report"
python3 bench/lib/web_report.py "$LOAD_OUT" "$SCALE_OUT" "$RATE" "$DURATION" "$SCALE_DURATION" \
    "$((SECONDS - STARTED))" "$(cut -d ' ' -f 1-3 /proc/loadavg)" >"$RESULTS/web.md"
cat "$RESULTS/web.md"
finish_step
printf '\n'
printf '%s\n' "${STEP_TIMES[@]}"
