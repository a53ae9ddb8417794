#!/usr/bin/env python3
"""Scores GET /v1/ask against the hotline fixtures (Tests/Fixtures/hotline/*.jsonl) by the rules of their README.

    evaluate.py --base http://127.0.0.1:8080 [--fixture sentences.jsonl ...] [--min-rate 0.95] [--show-failures]

Prints, per fixture file, the pass rate and every failing sentence with the reasons; exits 1 when a file named with
--min-rate scores below it (`--min-rate sentences.jsonl=0.95`). Standard library only."""
import argparse
import json
import os
import sys
import urllib.parse
import urllib.request

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "hotline")


def ask(base, q, now):
    url = base + "/v1/ask?" + urllib.parse.urlencode({"q": q, "now": now})
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, json.loads(r.read())


def check(expect, body):
    """The reasons a sentence fails (empty when it passes)."""
    u = body["understood"]
    why = []
    place, cov = u.get("place"), u.get("coverage") or {}
    region = cov.get("region")
    if "district_code" in expect:
        want = expect["district_code"]
        if want is None:
            if place is not None or region is not None:
                why.append(f"place: expected none, got {place and place.get('full_name')} / {region and region.get('code')}")
        else:
            got = place["district_code"] if place else (region or {}).get("code")
            if got != want:
                why.append(f"district_code: expected {want}, got {got} ({place and place.get('full_name')})")
    if "in_catalogue" in expect and cov.get("in_catalogue") != expect["in_catalogue"]:
        why.append(f"in_catalogue: expected {expect['in_catalogue']}, got {cov.get('in_catalogue')}")
    clarify_kinds = {c["kind"] for c in u.get("clarify", [])}
    want_clarify = set(expect.get("clarify", []))
    if clarify_kinds != want_clarify:
        why.append(f"clarify: expected {sorted(want_clarify)}, got {sorted(clarify_kinds)}")
    got_codes = [b["code"] for b in u.get("businesses", [])]
    want_codes = expect.get("businesses", [])
    if "business" in want_clarify and want_codes:
        options = {o["value"] for c in u.get("clarify", []) if c["kind"] == "business" for o in c["options"]}
        if len(got_codes) != 1 or got_codes[0] not in want_codes:
            why.append(f"businesses: expected one of {want_codes}, got {got_codes}")
        if options != set(want_codes):
            why.append(f"business options: expected {sorted(want_codes)}, got {sorted(options)}")
    elif set(got_codes) != set(want_codes):
        why.append(f"businesses: expected {sorted(want_codes)}, got {sorted(got_codes)}")
    at = u.get("at", "")
    if "date" in expect:
        date, clock = at[:10], at[11:16]
        if date != expect["date"]:
            why.append(f"date: expected {expect['date']}, got {at}")
        else:
            lo, hi = f"{expect['hour_from']:02d}:00", f"{expect['hour_to']:02d}:00"
            if not (lo <= clock <= hi):
                why.append(f"time: expected {lo}–{hi}, got {clock}")
        if "time" in expect and clock != expect["time"]:
            why.append(f"clock: expected {expect['time']}, got {clock}")
    if "outlet_kinds" in expect:
        kinds = set(u.get("kinds", []))
        if not kinds or not kinds <= set(expect["outlet_kinds"]):
            why.append(f"outlet_kinds: expected within {expect['outlet_kinds']}, got {sorted(kinds)}")
    if "online_channel" in expect:
        channels = {o["channel"] for o in body.get("online", [])}
        if expect["online_channel"] not in channels:
            why.append(f"online_channel: expected {expect['online_channel']}, got {sorted(channels)}")
        if body.get("answer") is not None:
            why.append("online only: an outlet answer was given")
    elif body.get("online"):
        why.append(f"online: none expected, got {[o['word'] for o in body['online']]}")
    if cov.get("in_catalogue") is False and body.get("answer") is not None:
        why.append("out of catalogue: an outlet answer was given")
    if not body.get("read_back_zh"):
        why.append("read_back_zh is empty")
    return why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--fixture", action="append", help="file name under Tests/Fixtures/hotline (default: every *.jsonl)")
    ap.add_argument("--min-rate", action="append", default=[], help="FILE=RATE: fail when FILE scores below RATE")
    ap.add_argument("--show-failures", action="store_true", default=True)
    args = ap.parse_args()
    files = args.fixture or sorted(f for f in os.listdir(FIXTURES) if f.endswith(".jsonl"))
    minimum = dict((k, float(v)) for k, v in (m.split("=") for m in args.min_rate))
    failed_files = []
    for name in files:
        rows = [json.loads(line) for line in open(os.path.join(FIXTURES, name), encoding="utf-8") if line.strip()]
        passed = 0
        for row in rows:
            status, body = ask(args.base, row["q"], row["now"])
            why = [f"HTTP {status}"] if status != 200 else check(row["expect"], body)
            if why:
                print(f"FAIL {name} {row['id']} {row['q']}")
                for w in why:
                    print(f"     {w}")
            else:
                passed += 1
        rate = passed / len(rows) if rows else 1.0
        print(f"==> {name}: {passed}/{len(rows)} pass ({rate:.1%})")
        if name in minimum and rate < minimum[name]:
            failed_files.append(f"{name} {rate:.1%} < {minimum[name]:.0%}")
    if failed_files:
        print("BELOW THE REQUIRED RATE:", "; ".join(failed_files))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
