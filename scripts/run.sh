#!/usr/bin/env bash
# One command to set up and run ServiceCircle on its embedded PostgreSQL with the seed data:
#   ./scripts/run.sh            (extra arguments go to `servicecircle serve`, e.g. --port 9090)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
echo "==> building (release)"
swift build -c release --product servicecircle
echo "==> serving on http://${HOST:-127.0.0.1}:${PORT:-8080} (Ctrl-C stops the service and its database)"
exec .build/release/servicecircle serve "$@"
