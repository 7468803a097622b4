"""Markdown for bench/results/web.md from the rows bench/web.sh wrote.

usage: web_report.py WEB_JSONL SCALE_JSONL RATE DURATION SCALE_DURATION SECONDS LOADAVG
"""

import datetime
import json
import sys

web_path, scale_path, rate, duration, scale_duration, seconds, loadavg = sys.argv[1:8]
rows = [json.loads(line) for line in open(web_path) if line.strip()]
scale = [json.loads(line) for line in open(scale_path) if line.strip()]

P99_BAR_MS = 50.0
RSS_BAR_MB = 150.0


def f(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


def bar(r):
    if r["app"] != "bisidder":
        return ""
    ok = (
        r["p99_ms"] is not None
        and r["p99_ms"] < P99_BAR_MS
        and (r["rss_mb"] or 0) < RSS_BAR_MB
        and (r["error_rate"] or 0) == 0
    )
    return "met" if ok else "**missed**"


now = datetime.datetime.now(datetime.timezone.utc).strftime("%d %B %Y, %H:%M UTC")
out = []
out.append(f"Measured {now} by `bench/web.sh` in {seconds} s; load average at the end {loadavg}. ")
out.append(
    f"Server (and PostgreSQL) on core 0, load generator on core 1; {rate} requests/s fixed rate "
    f"with latency correction, {duration} s per measurement after a 1 s warm-up "
    f"(scale: {scale_duration} s). Bars: p99 < {P99_BAR_MS:.0f} ms, memory < {RSS_BAR_MB:.0f} MB, no errors.\n"
)
out.append("### Pages and API calls (10k requests)\n")
out.append(
    "| app | backend | page | requests | p50 ms | p99 ms | p99.9 ms | errors | peak RSS MB | CPU ms/req | DB CPU ms/req | bar |"
)
out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    if r["size"] not in (None, "10k"):
        continue
    out.append(
        f"| {r['app']} | {r['backend']} | {r['page']} | {r['requests']} | {f(r['p50_ms'], 2)} | "
        f"{f(r['p99_ms'], 2)} | {f(r['p999_ms'], 2)} | {f(100 * r['error_rate'] if r['error_rate'] is not None else None, 1)} % | "
        f"{f(r['rss_mb'])} | {f(r['cpu_ms_per_req'], 2)} | {f(r['db_cpu_ms_per_req'], 2)} | {bar(r)} |"
    )

pages = ["dashboard", "request-list", "case", "directory-search"]
out.append("\n### Scale: database size and the main pages (p50 / p99 ms)\n")
out.append(
    "| backend | size | requests | persons | cases | appointments | database | "
    + " | ".join(pages)
    + " | peak RSS MB |"
)
out.append("|---|---|---|---|---|---|---|" + "---|" * len(pages) + "---|")
for s in scale:
    cells = []
    rss = []
    for p in pages:
        m = [r for r in rows if r["app"] == "bisidder" and r["backend"] == s["backend"]
             and r["size"] == s["size"] and r["page"] == p]
        if m:
            r = m[-1]
            cell = f"{f(r['p50_ms'])} / {f(r['p99_ms'])}"
            if r["p99_ms"] is None or r["p99_ms"] >= P99_BAR_MS or (r["error_rate"] or 0) > 0:
                cell = f"**{cell}**"
            cells.append(cell)
            rss.append(r["rss_mb"] or 0)
        else:
            cells.append("–")
    out.append(
        f"| {s['backend']} | {s['size']} | {s['requests']:,} | {s['persons']:,} | {s['cases']:,} | "
        f"{s['appointments']:,} | {s['size_bytes'] / 1e6:,.0f} MB | " + " | ".join(cells)
        + f" | {f(max(rss) if rss else None)} |"
    )
print("\n".join(out))
