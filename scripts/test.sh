#!/usr/bin/env bash
# One command to set up and run every test against a real PostgreSQL + PostGIS:
#   ./scripts/test.sh          (extra arguments go to `swift test`, e.g. --filter Hours)
# Starts a throw-away embedded cluster in .testdb/, runs the browser test of the hotline console
# (headless Chromium; skipped when `swift test` arguments are given, unless BROWSER_TEST=1), then the
# suites (each in its own database created from a migrated template), then stops the cluster.
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
echo "==> running tests"
SERVICECIRCLE_TEST_DATABASE_URL="$URL" SERVICECIRCLE_HOME="$PWD" SERVICECIRCLE_BIN="$BIN" swift test --skip-build "$@"
exit "$browser_status"
