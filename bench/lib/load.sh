# shellcheck shell=bash
# bench/lib/load.sh — one fixed-rate load measurement → one JSON row. Sourced (bash,
# `set -euo pipefail` callers welcome); needs python3, taskset and oha.
#
# Settings (environment):
#   LOAD_OUT       JSON Lines file the rows are appended to (required).
#   LOAD_RATE      requests per second (default 100).
#   LOAD_DURATION  seconds measured (default 10).
#   LOAD_WARMUP    seconds of unmeasured warm-up at the same rate first (default 1; 0 = none).
#   LOAD_CPU       the core the load generator is pinned to (default 1). Pin the server
#                  (and its database) yourself: `taskset -c 0 …`.
#   OHA            the oha binary (default .cache/tools/bin/oha, else oha on PATH).
#
# load_url APP BACKEND PAGE SIZE SERVER_PID DB_PID URL [OHA_ARGS...]
#   Runs `oha --no-tui --output-format json -q RATE -z DURATIONs --latency-correction
#   --wait-ongoing-requests-after-deadline OHA_ARGS... URL` pinned to LOAD_CPU (latency is
#   measured from each request's intended send time, so a slow server cannot hide its
#   queue), then appends a row and prints a one-line summary. OHA_ARGS carry headers
#   (-H 'Cookie: …'), method (-m POST) and body (-d …).
# load_cmd APP BACKEND PAGE SIZE SERVER_PID DB_PID -- COMMAND...
#   The same with another open-loop generator: COMMAND (run pinned to LOAD_CPU, with
#   LOAD_RATE and LOAD_DURATION in its environment) prints one JSON object with
#   requests, errors, p50_ms, p99_ms, p999_ms. No warm-up.
#
#   APP      e.g. bisidder, axum-bare, axum-1query, ephios.
#   BACKEND  sqlite | postgres.
#   PAGE     a short name: dashboard, request-list, case, create-request, …
#   SIZE     the data set's size label (e.g. 10k), or "" for none (null in the row).
#   SERVER_PID  the server's process; CPU and memory are summed over it and every
#            descendant (so a pre-forking server's workers count too).
#   DB_PID   the database server's main process (PostgreSQL's postmaster), or "-" for none
#            (SQLite runs inside the server). Its CPU is summed over it and its descendants.
#
# Row (one JSON object per line):
#   {"app","backend","page","size","rate","duration_s","requests","p50_ms","p99_ms",
#    "p999_ms","error_rate","rss_mb","cpu_ms_per_req","db_cpu_ms_per_req","loadavg"}
#   requests: completed + failed; error_rate: (non-2xx/3xx answers + transport errors) /
#   requests; rss_mb: peak resident memory (VmHWM, summed over the server's processes)
#   at the end of the measurement — the peak since the server started; cpu_ms_per_req:
#   Δ(utime+stime) of the server's processes / requests; db_cpu_ms_per_req: the same for
#   the database server's processes (null without one); loadavg: 1-minute load average
#   at the end.

LOAD_RATE="${LOAD_RATE:-100}"
LOAD_DURATION="${LOAD_DURATION:-10}"
LOAD_WARMUP="${LOAD_WARMUP:-1}"
LOAD_CPU="${LOAD_CPU:-1}"

_load_oha() {
    if [[ -n "${OHA:-}" ]]; then
        printf '%s\n' "$OHA"
    elif [[ -x .cache/tools/bin/oha ]]; then
        printf '%s\n' "$PWD/.cache/tools/bin/oha"
    else
        command -v oha
    fi
}

# Process statistics: `snap PID|-` prints "cpu_ms rss_kb" summed over the tree;
# `row …` builds the JSON row from oha's (or a generator's) JSON on stdin.
_LOAD_PY='
import json, os, sys

def tree(root):
    kids = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(p))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out

def snap(pid):
    if pid == "-":
        return None, None
    tick = os.sysconf("SC_CLK_TCK")
    cpu, rss = 0.0, 0
    for p in tree(int(pid)):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) * 1000.0 / tick
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        rss += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return cpu, rss

mode = sys.argv[1]
if mode == "snap":
    cpu, rss = snap(sys.argv[2])
    print("-" if cpu is None else f"{cpu:.0f}", "-" if rss is None else rss)
    sys.exit(0)

app, backend, page, size, rate, duration, server, db, cpu0, db0, kind = sys.argv[2:13]
raw = sys.stdin.read()
try:
    res = json.loads(raw)
except ValueError:
    sys.exit(f"load: no JSON from the load generator: {raw[:500]!r}")
if kind == "oha":
    codes = res.get("statusCodeDistribution", {})
    errs = res.get("errorDistribution", {})
    ok = sum(n for c, n in codes.items() if 200 <= int(c) < 400)
    requests = sum(codes.values()) + sum(errs.values())
    errors = requests - ok
    pct = res.get("latencyPercentiles", {})
    p = lambda k: None if pct.get(k) is None else round(pct[k] * 1000.0, 2)
    p50, p99, p999 = p("p50"), p("p99"), p("p99.9")
    if errs:
        print("    transport errors:", json.dumps(errs)[:300], file=sys.stderr)
    bad = {c: n for c, n in codes.items() if not 200 <= int(c) < 400}
    if bad:
        print("    error answers:", json.dumps(bad), file=sys.stderr)
else:
    requests, errors = res["requests"], res["errors"]
    r2 = lambda v: None if v is None else round(v, 2)
    p50, p99, p999 = r2(res["p50_ms"]), r2(res["p99_ms"]), r2(res["p999_ms"])
cpu1, rss = snap(server)
dbc1, _ = snap(db)
per = lambda a, b: None if a is None or b == "-" or not requests else round((a - float(b)) / requests, 3)
row = {
    "app": app, "backend": backend, "page": page, "size": size or None,
    "rate": float(rate) if "." in rate else int(rate), "duration_s": float(duration),
    "requests": requests, "p50_ms": p50, "p99_ms": p99, "p999_ms": p999,
    "error_rate": round(errors / requests, 4) if requests else None,
    "rss_mb": None if rss is None else round(rss / 1024.0, 1),
    "cpu_ms_per_req": per(cpu1, cpu0),
    "db_cpu_ms_per_req": per(dbc1, db0),
    "loadavg": float(open("/proc/loadavg").read().split()[0]),
}
print(json.dumps(row))
'

_load_snap() { python3 -c "$_LOAD_PY" snap "$1" | cut -d ' ' -f 1; }

# _load_finish KIND APP BACKEND PAGE SIZE SERVER_PID DB_PID CPU0 DB0 < generator-json
_load_finish() {
    local kind="$1" row
    shift
    row="$(python3 -c "$_LOAD_PY" row "$1" "$2" "$3" "$4" "$LOAD_RATE" "$LOAD_DURATION" \
        "$5" "$6" "$7" "$8" "$kind")"
    printf '%s\n' "$row" >>"$LOAD_OUT"
    python3 -c '
import json, sys
r = {k: ("–" if v is None else v) for k, v in json.loads(sys.argv[1]).items()}
r["size"] = "" if r["size"] == "–" else r["size"]
print("    {app:<12} {backend:<8} {page:<16} {size:<4} {requests:>5} req  p50 {p50_ms} ms  "
      "p99 {p99_ms} ms  p99.9 {p999_ms} ms  errors {error_rate}  rss {rss_mb} MB  "
      "cpu {cpu_ms_per_req} ms/req  db cpu {db_cpu_ms_per_req} ms/req".format(**r))
' "$row"
}

load_url() {
    local app="$1" backend="$2" page="$3" size="$4" server="$5" db="$6" url="$7"
    shift 7
    : "${LOAD_OUT:?LOAD_OUT must name the JSON Lines file}"
    local oha cpu0 db0 json
    oha="$(_load_oha)"
    local common=(--no-tui --output-format json -q "$LOAD_RATE" --latency-correction
        --wait-ongoing-requests-after-deadline)
    if [[ "$LOAD_WARMUP" != 0 ]]; then
        taskset -c "$LOAD_CPU" "$oha" "${common[@]}" -z "${LOAD_WARMUP}s" "$@" "$url" >/dev/null
    fi
    cpu0="$(_load_snap "$server")"
    db0="$(_load_snap "$db")"
    json="$(taskset -c "$LOAD_CPU" "$oha" "${common[@]}" -z "${LOAD_DURATION}s" "$@" "$url")"
    _load_finish oha "$app" "$backend" "$page" "$size" "$server" "$db" "$cpu0" "$db0" <<<"$json"
}

load_cmd() {
    local app="$1" backend="$2" page="$3" size="$4" server="$5" db="$6"
    shift 6
    [[ "${1:-}" == "--" ]] && shift
    : "${LOAD_OUT:?LOAD_OUT must name the JSON Lines file}"
    local cpu0 db0 json
    cpu0="$(_load_snap "$server")"
    db0="$(_load_snap "$db")"
    json="$(LOAD_RATE="$LOAD_RATE" LOAD_DURATION="$LOAD_DURATION" taskset -c "$LOAD_CPU" "$@")"
    _load_finish cmd "$app" "$backend" "$page" "$size" "$server" "$db" "$cpu0" "$db0" <<<"$json"
}
