#!/usr/bin/python3
"""Contract test: schemathesis against a running `servicecircle serve` and the OpenAPI document.

Creates its own database (sc_schemathesis, dropped and re-created on every run so the seed data and every run
are the same) on the test cluster, starts `servicecircle serve` on a free port (migrations and seed load at
start), creates an editor key with `servicecircle keys create`, and runs schemathesis over every operation of
the document with that key as `Authorization: Bearer <key>`, a fixed seed, `--checks all` and every phase
(examples, coverage, fuzzing, stateful). Schemathesis is installed (pinned) in .venv-tools/ on first use.

    /usr/bin/python3 scripts/schemathesis.py --bin .build/debug/servicecircle --database-url postgres://…

By default the document tested is the one in the tree (Sources/ServiceCircleAPI/Resources/openapi.json), so an
edit to it is tested without a rebuild; `--schema served` tests the one the binary serves at /openapi.json.
Reports (JUnit, NDJSON, the server's log) go to .artifacts/schemathesis/. Prints `schemathesis: N passed,
M failed` (API operations; an operation fails when any check failed on any of its cases) and exits non-zero
when any failed. Arguments after `--` go to `schemathesis run` as they are (e.g. `-- --include-path /v1/nearest`).
Works as root and as a normal user; needs PyPI only the first time (to fill .venv-tools/).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Server, database_url, free_port  # noqa: E402

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(PROJECT, ".venv-tools")
ARTIFACTS = os.path.join(PROJECT, ".artifacts", "schemathesis")
DOCUMENT = os.path.join(PROJECT, "Sources", "ServiceCircleAPI", "Resources", "openapi.json")
CONFIG = os.path.join(PROJECT, "scripts", "schemathesis.toml")
# Pinned: a newer schemathesis adds checks and changes generation, so a version bump is a change of its own.
REQUIREMENTS = ["schemathesis==4.32.5", "openapi-spec-validator==0.9.0"]
SEED = 20260307
# Per operation in the fuzzing phase (the examples, coverage and stateful phases add their own cases on top). 38
# operations: about 4,500 requests in all, about 3 minutes on an idle two-core machine against a release build
# (most of it the coverage phase, which this number does not change).
MAX_EXAMPLES = 20


def log(msg):
    print(f"schemathesis.py: {msg}", flush=True)


def ensure_venv():
    """.venv-tools/ with the pinned tools (Debian's python3 or whichever runs this script)."""
    py = os.path.join(VENV, "bin", "python")
    stamp = os.path.join(VENV, "requirements.txt")
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if os.path.exists(py) and os.path.exists(stamp) and open(stamp).read() == wanted:
        return
    if not os.path.exists(py):
        log(f"creating {VENV}")
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    log("installing " + " ".join(REQUIREMENTS))
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS], check=True)
    with open(stamp, "w") as f:
        f.write(wanted)


def psql():
    found = shutil.which("psql")
    if found:
        return found
    for v in sorted(os.listdir("/usr/lib/postgresql"), reverse=True) if os.path.isdir("/usr/lib/postgresql") else []:
        p = f"/usr/lib/postgresql/{v}/bin/psql"
        if os.access(p, os.X_OK):
            return p
    raise RuntimeError("psql not found (Debian: postgresql-client)")


def recreate_database(base, name):
    """Drops the run's database so every run starts from the same seed data (serve creates it again)."""
    sql = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    subprocess.run([psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url(base, "postgres"), "-c", sql],
                   check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))


def create_key(binary, url):
    out = subprocess.run([binary, "keys", "create", "--database-url", url, "--name", "schemathesis", "--role", "admin",
                          "--log-level", "warning", "--project-dir", PROJECT],
                         cwd=PROJECT, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    key = out.stdout.strip().splitlines()[-1].strip()
    if not key:
        raise RuntimeError("`servicecircle keys create` printed no key")
    return key


def count_junit(path):
    """(passed, failed, skipped) API operations from schemathesis' JUnit report: one testcase per operation."""
    passed = failed = skipped = 0
    failing = []
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failing.append(case.get("name"))
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failing


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the built servicecircle")
    ap.add_argument("--database-url", required=True, help="the test cluster (a database of its own is created on it)")
    ap.add_argument("--database", default="sc_schemathesis", help="that database's name (dropped first; default %(default)s)")
    ap.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    ap.add_argument("--schema", default=DOCUMENT, help="the OpenAPI document: a file, or `served` (default: the tree's)")
    ap.add_argument("--max-examples", type=int, default=MAX_EXAMPLES, help="fuzzed cases per operation (default %(default)s)")
    ap.add_argument("--seed", type=int, default=SEED, help="hypothesis seed (default %(default)s)")
    # One worker: Debian 12's Python 3.11.2 fails with "AST constructor recursion depth mismatch" when two
    # threads build hypothesis strategies at once.
    ap.add_argument("--workers", default="1", help="schemathesis workers (default %(default)s)")
    ap.add_argument("extra", nargs="*", help="after --: more `schemathesis run` arguments")
    args = ap.parse_args()

    os.makedirs(ARTIFACTS, exist_ok=True)
    ensure_venv()
    st = os.path.join(VENV, "bin", "schemathesis")
    binary = os.path.abspath(args.bin)
    schema = args.schema
    if schema != "served":
        schema = os.path.abspath(schema)
        # The document must be a valid OpenAPI 3.1 document before its behaviour is worth testing.
        v = subprocess.run([os.path.join(VENV, "bin", "openapi-spec-validator"), schema])
        if v.returncode != 0:
            print("schemathesis: 0 passed, 1 failed (openapi-spec-validator rejects the document)")
            return 1

    url = database_url(args.database_url, args.database)
    recreate_database(args.database_url, args.database)
    port = args.port or free_port()
    server = Server(binary, url, os.path.join(ARTIFACTS, "serve.log"), port=port, extra=("--project-dir", PROJECT))
    started = time.time()
    try:
        server.wait_ready()
        log(f"server ready on {server.base} in {time.time() - started:.0f} s")
        key = create_key(binary, url)
        junit = os.path.join(ARTIFACTS, "junit.xml")
        if os.path.exists(junit):
            os.remove(junit)
        cmd = [st, "--config-file", CONFIG, "run", server.base + "/openapi.json" if schema == "served" else schema,
               "--url", server.base,
               "--header", f"Authorization: Bearer {key}",
               "--checks", "all",
               "--seed", str(args.seed),
               "--max-examples", str(args.max_examples),
               "--workers", str(args.workers),
               "--generation-database", "none",
               "--continue-on-failure",
               "--request-timeout", "30",
               "--no-color",
               "--report", "junit,ndjson",
               "--report-dir", ARTIFACTS,
               "--report-junit-path", junit,
               "--report-ndjson-path", os.path.join(ARTIFACTS, "events.ndjson"),
               *args.extra]
        shown = [c if not c.startswith("Authorization:") else "Authorization: Bearer ***" for c in cmd]
        log(" ".join(shown))
        t0 = time.time()
        # The hooks (positive cases within the documented cross-field rules) look up known places and regions here.
        env = dict(os.environ, SC_SCHEMATHESIS_BASE_URL=server.base)
        rc = subprocess.run(cmd, cwd=PROJECT, env=env).returncode
        log(f"schemathesis exited {rc} after {time.time() - t0:.0f} s")
        if not server.alive():
            log(f"the server DIED during the run (exit {server.proc.returncode}; see {server.log.name})")
            rc = rc or 1
    finally:
        server.stop()
    if not os.path.exists(junit):
        print("schemathesis: 0 passed, 1 failed (no report: schemathesis did not run to the end)")
        return 1
    passed, failed, skipped, failing = count_junit(junit)
    if failing:
        log("failing operations: " + ", ".join(failing))
    if rc != 0 and failed == 0:
        failed = 1  # schemathesis failed without naming an operation (an error of its own, a dead server)
    print(f"schemathesis: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or rc != 0 else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # setup failed (no server, no key): still a result line the test command can read
        log(f"error: {e}")
        print("schemathesis: 0 passed, 1 failed")
        sys.exit(1)
