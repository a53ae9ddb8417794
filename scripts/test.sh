#!/usr/bin/env bash
# One command to set up and run every test against a real PostgreSQL + PostGIS:
#   ./scripts/test.sh          (extra arguments go to `swift test`, e.g. --filter Hours)
# Starts a throw-away embedded cluster in .testdb/, runs the browser test of the hotline console
# (headless Chromium; skipped when `swift test` arguments are given, unless BROWSER_TEST=1), then the
# suites (each in its own database created from a migrated template), then stops the cluster. The edge test
# (scripts/edge-test.py: sockets, timeouts, drain) runs beside the browser test, under the same rule (EDGE_TEST=1).
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_PACKAGES="chromium chromium-driver python3-selenium fonts-wqy-microhei"
source scripts/setup.sh
echo "==> building"
swift build --build-tests
BIN="$(swift build --show-bin-path)/servicecircle"
TESTDB="$PWD/.testdb"
"$BIN" db stop --data-dir "$TESTDB" >/dev/null 2>&1 || true
rm -rf "$TESTDB"
echo "==> starting test PostgreSQL in $TESTDB"
URL="$("$BIN" db start --data-dir "$TESTDB" --log-level warning)"
trap '"$BIN" db stop --data-dir "$TESTDB" --log-level warning || true' EXIT
browser_status=0
if [ $# -eq 0 ] || [ "${BROWSER_TEST:-}" = 1 ]; then
  echo "==> browser test (headless Chromium; screenshots in .artifacts/)"
  # Debian's python3 (where python3-selenium lives), whatever python3 comes first on PATH.
  /usr/bin/python3 scripts/browser-test.py --bin "$BIN" --database-url "$URL" || browser_status=$?
fi
edge_status=0
if [ $# -eq 0 ] || [ "${EDGE_TEST:-}" = 1 ]; then
  # Raw sockets against a real serve: 5,000 idle connections, timeouts, the connection cap, 414/431/408, drain.
  # It raises its own open-file limit to the hard one (and the servers it starts inherit it).
  echo "==> edge test (sockets; server logs in .artifacts/edge-*.log)"
  /usr/bin/python3 scripts/edge-test.py --bin "$BIN" --database-url "$URL" || edge_status=$?
fi
echo "==> running tests"
SERVICECIRCLE_TEST_DATABASE_URL="$URL" SERVICECIRCLE_HOME="$PWD" SERVICECIRCLE_BIN="$BIN" swift test --skip-build "$@"
[ "$browser_status" -eq 0 ] || exit "$browser_status"
exit "$edge_status"
