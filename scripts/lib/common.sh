# shellcheck shell=bash
# Shared helpers for scripts/test.sh: banners, skipping, cleanup, ports.
# Sourced, not executed. Expects `set -euo pipefail` in the caller.

# ---- banners and timing -----------------------------------------------------------

STEP_NAME=""
STEP_STARTED=0
STEP_TIMES=()

step() { # name
    finish_step
    STEP_NAME="$1"
    STEP_STARTED=$SECONDS
    printf '\n==> %s\n' "$STEP_NAME"
}

finish_step() {
    if [[ -n "$STEP_NAME" ]]; then
        STEP_TIMES+=("$(printf '%5ss  %s' "$((SECONDS - STEP_STARTED))" "$STEP_NAME")")
        STEP_NAME=""
    fi
}

note() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---- skipping stages for local iteration ------------------------------------------

# skipped VAR: true when VAR=1 and we are not in CI (CI=true never skips anything).
skipped() {
    [[ "${CI:-}" != "true" && "${!1:-0}" == "1" ]]
}

warn_ignored_skips() {
    [[ "${CI:-}" == "true" ]] || return 0
    local var
    for var in $(compgen -v SKIP_); do
        [[ "${!var}" == "1" ]] && note "CI=true: ignoring $var=1"
    done
    return 0
}

# ---- cleanup: run registered commands in reverse order on exit --------------------

CLEANUPS=()

on_cleanup() { # command string, evaluated at exit
    CLEANUPS+=("$1")
}

run_cleanups() {
    local i
    for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${CLEANUPS[$i]}" || true
    done
    CLEANUPS=()
}

# stop_pid PID NAME: TERM, wait up to 10 s, then KILL.
stop_pid() {
    local pid="$1" name="$2" i
    kill -0 "$pid" 2>/dev/null || return 0
    note "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# ---- ports ------------------------------------------------------------------------

port_in_use() { # port
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pick_port VAR DEFAULT: if VAR is set, that port must be free; otherwise take the
# first free port from DEFAULT upwards. Sets and exports VAR.
pick_port() {
    local var="$1" port
    if [[ -n "${!var:-}" ]]; then
        port="${!var}"
        port_in_use "$port" && die "$var=$port is already in use on 127.0.0.1"
    else
        for ((port = $2; port < $2 + 100; port++)); do
            port_in_use "$port" || break
        done
        port_in_use "$port" && die "no free port in $2..$(($2 + 99)) for $var"
    fi
    printf -v "$var" '%s' "$port"
    export "${var?}"
}

# wait_for_port PORT SECONDS PID: until 127.0.0.1:PORT accepts a connection; fails
# early if PID has exited.
wait_for_port() {
    local port="$1" pid="$3" deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        port_in_use "$port" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

# ---- small utilities --------------------------------------------------------------

# random_password LENGTH: letters and digits from /dev/urandom.
random_password() {
    head -c 96 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | cut -c "1-$1"
}

# file_hash FILE...: one hash over the files' contents, for "changed since" stamps.
file_hash() {
    cat "$@" | sha256sum | cut -d ' ' -f 1
}

print_timings() {
    printf '\n==> timings\n'
    ((${#STEP_TIMES[@]} == 0)) || printf '%s\n' "${STEP_TIMES[@]}"
}
