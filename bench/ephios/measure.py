"""Process statistics and result rows for bench/ephios.sh (plain python3, no venv).

    measure.py snap GUNICORN_PID POSTGRES_PID|-
        prints JSON {"app_cpu_ms", "db_cpu_ms", "rss_kb"}: utime+stime summed over each
        process tree (the gunicorn master and its workers; the postmaster and its
        backends), and VmHWM summed over the gunicorn tree.
    measure.py pss GUNICORN_PID
        prints the gunicorn tree's summed proportional set size (shared pages counted once).
    measure.py quiet GUNICORN_PID
        waits (at most 90 s) until the gunicorn tree has used < 20 ms CPU in 0.5 s, so
        requests a saturated server still had queued do not spill into the next page.
    measure.py summary ROW_JSON
        prints the row as one line for the log.
    measure.py row PAGE RATE DURATION EXPECTED_STATUS SNAP_BEFORE SNAP_AFTER OHA_JSON
        prints the result row (the keys bench/results/ephios.jsonl carries) and, on
        stderr, anything that was not the expected answer.
"""

import json
import os
import sys
import time


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


def usage(pid):
    """(cpu_ms, vmhwm_kb) summed over pid's tree."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu, hwm = 0.0, 0
    for p in tree(int(pid)):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) * 1000.0 / tick
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return cpu, hwm


def pss(pid):
    """(processes, Pss kB): proportional set size summed over pid's tree (shared pages
    divided among the processes that share them)."""
    procs, total = 0, 0
    for p in tree(int(pid)):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        procs += 1
        except OSError:
            pass
    return procs, total


def snap(app_pid, db_pid):
    app_cpu, rss = usage(app_pid)
    db_cpu = None if db_pid == "-" else usage(db_pid)[0]
    return {"app_cpu_ms": app_cpu, "db_cpu_ms": db_cpu, "rss_kb": rss}


def quiet(app_pid):
    deadline = time.time() + 90
    last = usage(app_pid)[0]
    while time.time() < deadline:
        time.sleep(0.5)
        now = usage(app_pid)[0]
        if now - last < 20:
            return
        last = now
    print("    the server was still busy 90 s after the load ended", file=sys.stderr)


def row(page, rate, duration, expected, before, after, oha_json):
    before, after = json.loads(before), json.loads(after)
    with open(oha_json) as f:
        res = json.load(f)
    codes = {int(c): n for c, n in (res.get("statusCodeDistribution") or {}).items()}
    errs = res.get("errorDistribution") or {}
    requests = sum(codes.values()) + sum(errs.values())
    ok = codes.get(int(expected), 0)
    bad = {c: n for c, n in codes.items() if c != int(expected)}
    if bad:
        print(f"    unexpected answers: {json.dumps(bad)}", file=sys.stderr)
    if errs:
        print(f"    transport errors: {json.dumps(errs)[:300]}", file=sys.stderr)
    pct = res.get("latencyPercentiles") or {}

    def ms(key):
        v = pct.get(key)
        return None if v is None else round(v * 1000.0, 2)

    def per(key):
        if after[key] is None or not requests:
            return None
        return round((after[key] - before[key]) / requests, 2)

    out = {
        "app": "ephios",
        "backend": "postgres",
        "page": page,
        "rate": int(rate),
        "duration_s": int(duration),
        "requests": requests,
        "p50_ms": ms("p50"),
        "p99_ms": ms("p99"),
        "p999_ms": ms("p99.9"),
        "error_rate": round((requests - ok) / requests, 4) if requests else None,
        "rss_mb": round(after["rss_kb"] / 1024.0, 1),
        "cpu_ms_per_req": per("app_cpu_ms"),
        "db_cpu_ms_per_req": per("db_cpu_ms"),
    }
    print(json.dumps(out))


def main():
    mode = sys.argv[1]
    if mode == "snap":
        print(json.dumps(snap(sys.argv[2], sys.argv[3])))
    elif mode == "summary":
        r = json.loads(sys.argv[2])
        print("    {page:<17} {rate:>4}/s {requests:>5} req  p50 {p50_ms} ms  p99 {p99_ms} ms  "
              "p99.9 {p999_ms} ms  errors {error_rate}  rss {rss_mb} MB  cpu {cpu_ms_per_req} "
              "ms/req  db {db_cpu_ms_per_req} ms/req".format(**r))
    elif mode == "pss":
        procs, kb = pss(sys.argv[2])
        print(f"{procs} processes, {kb / 1024.0:.0f} MB")
    elif mode == "quiet":
        quiet(sys.argv[2])
    elif mode == "row":
        row(*sys.argv[2:9])
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
