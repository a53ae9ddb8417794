#!/usr/bin/env python3
"""The hotline fixtures against a real server: starts `servicecircle serve` on its own database `sc_hotline` of the
test cluster (seeded by serve) and scores GET /v1/ask on every file of Tests/Fixtures/hotline/ by the README's rules
(scripts/hotline/evaluate.py). Fails when sentences.jsonl (written before the resolver) scores below 95 % or a blind
file (written by helpers who never saw the resolver's code) below 85 %. The server log: .artifacts/hotline-serve.log.

    scripts/hotline-test.py --bin .build/debug/servicecircle --database-url postgres://…"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "hotline"))
import evaluate  # noqa: E402
from testlib import PROJECT, Server, database_url  # noqa: E402

MINIMUM = {"sentences.jsonl": 0.95, "blind.jsonl": 0.85, "blind-2.jsonl": 0.85}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--database-url", required=True)
    args = ap.parse_args()
    artifacts = os.path.join(PROJECT, ".artifacts")
    os.makedirs(artifacts, exist_ok=True)
    server = Server(os.path.abspath(args.bin), database_url(args.database_url, "sc_hotline"), os.path.join(artifacts, "hotline-serve.log"))
    try:
        server.wait_ready()
        sys.argv = ["evaluate.py", "--base", server.base] + [a for k, v in MINIMUM.items() for a in ("--min-rate", f"{k}={v}")]
        return evaluate.main()
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
