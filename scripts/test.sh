#!/usr/bin/env bash
# One command to set up and run every test against a real PostgreSQL + PostGIS:
#   ./scripts/test.sh          (extra arguments go to `swift test`, e.g. --filter Hours, and skip the script tests)
# Builds once, starts one throw-away embedded cluster in .testdb/, then runs, in two waves:
#   1. in parallel: the Swift suites (each in its own database made from a migrated template), the browser test
#      of the hotline console (headless Chromium), the README/docs examples (scripts/doc-examples.py), the hotline
#      fixtures (scripts/hotline-test.py: /v1/ask on every caller sentence), and the contract test
#      (scripts/schemathesis.py, on its own database);
#   2. after them, the tests that measure time and must not share the machine with wave 1: the database
#      outage (scripts/outage-test.py) and the HTTP edge test (scripts/edge-test.py: 5,000 idle connections,
#      timeouts, the connection cap, 408/414/431, drain; it raises its own open-file limit to the hard one).
# Each wave's output goes to .artifacts/test-*.log and is printed when the wave ends. Exits non-zero when any
# part failed. Set SCRIPT_TESTS=1 to run the script tests together with a `swift test` filter.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_PACKAGES="chromium chromium-driver python3-selenium python3-venv fonts-wqy-microhei gdal-bin"
source scripts/setup.sh
started=$(date +%s)
echo "==> building"
swift build --build-tests
BIN="$(swift build --show-bin-path)/servicecircle"
TESTDB="$PWD/.testdb"
ART="$PWD/.artifacts"
mkdir -p "$ART"
"$BIN" db stop --data-dir "$TESTDB" >/dev/null 2>&1 || true
rm -rf "$TESTDB"
echo "==> starting test PostgreSQL in $TESTDB"
URL="$("$BIN" db start --data-dir "$TESTDB" --log-level warning)"
trap '"$BIN" db stop --data-dir "$TESTDB" --log-level warning || true' EXIT

scripts=0
if [ $# -eq 0 ] || [ "${SCRIPT_TESTS:-}" = 1 ] || [ "${BROWSER_TEST:-}" = 1 ]; then scripts=1; fi

declare -A pids=()
run_bg() { # name command...: runs in the background, output to .artifacts/test-<name>.log
  local name=$1; shift
  ( "$@" ) >"$ART/test-$name.log" 2>&1 &
  pids[$name]=$!
}
failed=()
wait_all() {
  for name in "${!pids[@]}"; do
    if wait "${pids[$name]}"; then status=0; else status=$?; fi
    echo "==> $name (exit $status)"
    cat "$ART/test-$name.log"
    [ "$status" -eq 0 ] || failed+=("$name")
  done
  pids=()
}

if [ "$scripts" = 1 ]; then echo "==> wave 1: Swift suites, browser, doc examples, schemathesis (in parallel)"; else echo "==> wave 1: Swift suites"; fi
run_bg swift env SERVICECIRCLE_TEST_DATABASE_URL="$URL" SERVICECIRCLE_HOME="$PWD" SERVICECIRCLE_BIN="$BIN" \
  swift test --skip-build "$@"
if [ "$scripts" = 1 ]; then
  # Debian's python3 (where python3-selenium lives), whatever python3 comes first on PATH.
  run_bg browser /usr/bin/python3 scripts/browser-test.py --bin "$BIN" --database-url "$URL"
  run_bg doc-examples /usr/bin/python3 scripts/doc-examples.py --bin "$BIN" --database-url "$URL"
  run_bg hotline /usr/bin/python3 scripts/hotline-test.py --bin "$BIN" --database-url "$URL"
  [ -f scripts/schemathesis.py ] && run_bg schemathesis /usr/bin/python3 scripts/schemathesis.py --bin "$BIN" --database-url "$URL"
fi
wait_all

if [ "$scripts" = 1 ]; then
  echo "==> wave 2: timing-sensitive tests (one at a time)"
  run_bg outage /usr/bin/python3 scripts/outage-test.py --bin "$BIN"
  wait_all
  run_bg edge /usr/bin/python3 scripts/edge-test.py --bin "$BIN" --database-url "$URL"
  wait_all
fi

echo "==> test run took $(( $(date +%s) - started )) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test parts passed"
