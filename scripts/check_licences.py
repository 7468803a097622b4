#!/usr/bin/env python3
"""Licences and sources of every crate in Cargo.lock, against deny.toml's policy.

The quick form of `cargo deny check licenses sources` for every CI run (cargo-deny takes
longer to build than a CI run may; BISIDDER_FUZZ_LONG=1 runs the real one). Reads the
same deny.toml: [licenses] allow (SPDX expressions: OR needs one allowed side, AND both,
"A WITH B" must be allowed as written; the legacy "A/B" means OR) and [sources]
allow-registry. Exit 1 with one line per offending crate.

    python3 scripts/check_licences.py [--manifest-path Cargo.toml]
"""
import json
import re
import subprocess
import sys
import tomllib

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def allowed(expr: str, allow: set[str]) -> bool:
    tokens = re.findall(r"\(|\)|[A-Za-z0-9.+\-]+(?:\s+WITH\s+[A-Za-z0-9.+\-]+)?", expr.replace("/", " OR "))
    pos = 0

    def parse_or() -> bool:
        nonlocal pos
        ok = parse_and()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            ok = parse_and() or ok
        return ok

    def parse_and() -> bool:
        nonlocal pos
        ok = parse_atom()
        while pos < len(tokens) and tokens[pos] == "AND":
            pos += 1
            ok = parse_atom() and ok
        return ok

    def parse_atom() -> bool:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"incomplete licence expression: {expr!r}")
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            ok = parse_or()
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ValueError(f"unbalanced licence expression: {expr!r}")
            pos += 1
            return ok
        return re.sub(r"\s+", " ", tok) in allow

    ok = parse_or()
    if pos != len(tokens):
        raise ValueError(f"cannot read licence expression: {expr!r}")
    return ok


def main() -> int:
    manifest = sys.argv[sys.argv.index("--manifest-path") + 1] if "--manifest-path" in sys.argv else "Cargo.toml"
    with open("deny.toml", "rb") as f:
        policy = tomllib.load(f)
    allow = set(policy["licenses"]["allow"])
    registries = {"registry+" + r for r in policy["sources"].get("allow-registry", [])} or {CRATES_IO}
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--locked", "--format-version", "1", "--manifest-path", manifest],
        check=True, capture_output=True, text=True).stdout)
    # Only crates that can end up in a build: the resolved graph.
    used = {n["id"] for n in meta["resolve"]["nodes"]}
    problems, checked = [], 0
    for p in meta["packages"]:
        if p["id"] not in used:
            continue
        checked += 1
        name = f'{p["name"]} {p["version"]}'
        if p["source"] is not None and p["source"] not in registries:
            problems.append(f"{name}: source {p['source']} is not an allowed registry")
        lic = p.get("license")
        if not lic:
            problems.append(f"{name}: no SPDX licence expression (license-file: {p.get('license_file')})")
            continue
        try:
            if not allowed(lic, allow):
                problems.append(f"{name}: licence {lic!r} is not on deny.toml's allow-list")
        except ValueError as e:
            problems.append(f"{name}: {e}")
    for line in problems:
        print(line)
    print(f"{checked} crates: {len(problems)} with a licence or source outside deny.toml")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
