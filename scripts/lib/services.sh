# shellcheck shell=bash
# Throwaway services for scripts/test.sh: PostgreSQL, an SMTP sink, the app.
# Each start_* registers its own stop with on_cleanup. Sourced; needs lib/common.sh
# and TEST_TMP (a private temporary directory).

# ---- PostgreSQL ---------------------------------------------------------------------

pg_bindir() { # newest /usr/lib/postgresql/*/bin
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$dir" && -x "$dir/initdb" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    printf '%s\n' "$dir"
}

# The server refuses to run as root, so as root its commands run as `postgres`.
as_postgres() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

PG_BIN=""
PG_DIR=""

# start_postgres: a fresh cluster in $TEST_TMP/postgres listening on 127.0.0.1:$PG_PORT
# only, with a password-login superuser bisidder/bisidder. Exports TEST_DATABASE_URL.
start_postgres() {
    PG_BIN="$(pg_bindir)"
    PG_DIR="$TEST_TMP/postgres"
    pick_port PG_PORT 55432
    mkdir -p "$PG_DIR/data" "$PG_DIR/socket"
    if [[ $EUID -eq 0 ]]; then
        chmod 711 "$TEST_TMP"
        chown -R postgres:postgres "$PG_DIR"
    fi
    note "$("$PG_BIN/postgres" --version) on 127.0.0.1:$PG_PORT, data in $PG_DIR/data"

    # No locale: byte-order collation, the same as SQLite's BINARY. Local socket
    # connections are trusted (to create the role); TCP ones need the password.
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --no-locale -E UTF8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
        { cat "$PG_DIR/initdb.log" >&2; return 1; }
    cat >>"$PG_DIR/data/postgresql.conf" <<EOF

# scripts/test.sh: throwaway test cluster
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR/socket'
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 300
EOF

    on_cleanup stop_postgres
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null ||
        { cat "$PG_DIR/server.log" >&2; return 1; }
    local i
    for ((i = 0; i < 60; i++)); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
        sleep 0.5
    done
    "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT"

    as_postgres "$PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 -h "$PG_DIR/socket" -p "$PG_PORT" \
        -U postgres -d postgres -c "CREATE ROLE bisidder LOGIN SUPERUSER PASSWORD 'bisidder'"
    export TEST_DATABASE_URL="postgres://bisidder:bisidder@127.0.0.1:$PG_PORT/postgres"
    # Prove the URL the tests get works, password and all.
    PGPASSWORD=bisidder "$PG_BIN/psql" -q -X -t -A -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PG_PORT" -U bisidder -d postgres -c 'SELECT 1' >/dev/null
    note "TEST_DATABASE_URL=$TEST_DATABASE_URL"
}

stop_postgres() {
    [[ -n "$PG_DIR" && -f "$PG_DIR/data/postmaster.pid" ]] || return 0
    note "stopping postgres"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null ||
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null
}

# ---- SMTP sink ----------------------------------------------------------------------

# start_smtp PYTHON: aiosmtpd writing every message into a Maildir.
# Exports TEST_SMTP_ADDR and TEST_MAILDIR.
start_smtp() {
    local python="$1" pid
    pick_port SMTP_PORT 2525
    export TEST_MAILDIR="$TEST_TMP/maildir"
    "$python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$TEST_MAILDIR" \
        </dev/null >"$TEST_TMP/smtp.log" 2>&1 &
    pid=$!
    on_cleanup "stop_pid $pid 'smtp sink'"
    wait_for_port "$SMTP_PORT" 30 "$pid" ||
        { cat "$TEST_TMP/smtp.log" >&2; die "SMTP sink did not start on 127.0.0.1:$SMTP_PORT"; }
    export TEST_SMTP_ADDR="127.0.0.1:$SMTP_PORT"
    note "TEST_SMTP_ADDR=$TEST_SMTP_ADDR TEST_MAILDIR=$TEST_MAILDIR"
}

# ---- the application ----------------------------------------------------------------

APP_LOG=""
APP_ENV=()

# start_app BINARY ARGS...: in the background on a temporary SQLite database; waits for
# GET /readyz to answer 200 (at most 120 s), showing the app's log if it does not.
start_app() {
    local pid deadline
    pick_port APP_PORT 18080
    APP_URL="http://localhost:$APP_PORT"
    APP_LOG="$TEST_TMP/app.log"
    mkdir -p "$TEST_TMP/app-data"
    APP_ENV=(
        "DATABASE_URL=sqlite://$TEST_TMP/e2e.db"
        "BISIDDER_BIND=127.0.0.1:$APP_PORT"
        "BISIDDER_PUBLIC_URL=$APP_URL"
        "BISIDDER_DATA_DIR=$TEST_TMP/app-data"
        "BISIDDER_SMTP_URL=smtp://${TEST_SMTP_ADDR:-127.0.0.1:${SMTP_PORT:-2525}}"
        # Every journey signs in from the same address; the per-address limit itself is
        # tested in the Rust suite, so here it must not stop a dozen deliberate sign-ins.
        "BISIDDER_LOGIN_ATTEMPTS=1000"
    )
    env "${APP_ENV[@]}" "$@" </dev/null >"$APP_LOG" 2>&1 &
    pid=$!
    on_cleanup "stop_pid $pid app"
    note "app pid $pid at $APP_URL, log $APP_LOG"
    deadline=$((SECONDS + 120))
    until curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$APP_PORT/readyz" 2>/dev/null; do
        local problem=""
        kill -0 "$pid" 2>/dev/null || problem="the app exited before GET /readyz answered 200"
        ((SECONDS < deadline)) || problem="the app did not answer GET /readyz with 200 within 120 s"
        if [[ -n "$problem" ]]; then
            printf -- '---- app log (last 200 lines) ----\n' >&2
            tail -n 200 "$APP_LOG" >&2 || true
            die "$problem"
        fi
        sleep 0.5
    done
}

# app_cli ARGS...: run the app's CLI against the same database and settings.
app_cli() {
    env "${APP_ENV[@]}" "$@"
}
