#!/usr/bin/env bash
# The coverage benchmark of BENCHMARKS.md: all of Wuhan (13 districts, the seed demand), one business, Saturday,
# cell_m=500, against the seed catalogue, server-side time as the server reports it (Server-Timing header).
#   ./scripts/bench-coverage.sh              20 requests per variant
#   RUNS=50 ./scripts/bench-coverage.sh
# Builds in release, starts `serve` on a private cluster in .bench-coverage/ (seeded on its first start), warms up,
# then times: the JSON answer (k=0), with three suggestions (k=3), the SVG map, and 黄陂区 alone.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_PACKAGES="curl" source scripts/setup.sh

RUNS="${RUNS:-20}"
PORT="${BENCH_PORT:-18085}"
BUSINESS="${BUSINESS:-ebike_registration}"
DIR="$PWD/.bench-coverage"
mkdir -p "$DIR"

echo "==> building (release)"
swift build -c release --product servicecircle
BIN="$PWD/.build/release/servicecircle"

SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  "$BIN" db stop --data-dir "$DIR/db" --log-level warning >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "==> starting the server (first start loads SeedData: calendar, outlets, regions, demand)"
"$BIN" serve --data-dir "$DIR/db" --port "$PORT" --log-level warning --rate-limit 0 &
SERVER_PID=$!
deadline=$(( $(date +%s) + 300 ))
until curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited" >&2; exit 1; }
  [ "$(date +%s)" -lt "$deadline" ] || { echo "server not ready after 300 s" >&2; exit 1; }
  sleep 1
done
# Readiness covers migrations; wait for the seed's demand too.
until curl -fsS "http://127.0.0.1:$PORT/v1/regions/420100" 2>/dev/null | grep -q '"demand_points":[1-9]'; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "seed not loaded after 300 s" >&2; exit 1; }
  sleep 1
done
echo "$(curl -fsS "http://127.0.0.1:$PORT/v1/regions/420100" |
  sed -e 's/.*"demand_points":\([0-9]*\).*"demand_population":\([0-9]*\).*/    Wuhan demand: \1 points, \2 residents/')"

measure() { # name, path
  local name="$1" path="$2" out=()
  for _ in 1 2 3; do curl -fsS -o /dev/null "http://127.0.0.1:$PORT$path"; done
  for _ in $(seq "$RUNS"); do
    curl -fsS -D "$DIR/last.headers" -o "$DIR/last.out" "http://127.0.0.1:$PORT$path"
    out+=("$(tr -d '\r' < "$DIR/last.headers" | sed -n 's/^[Ss]erver-[Tt]iming: coverage;dur=\([0-9.]*\).*/\1/p')")
  done
  printf '%s\n' "${out[@]}" | sort -n | awk -v name="$name" -v bytes="$(wc -c < "$DIR/last.out")" '
    { v[NR] = $1 } END {
      printf "%-34s n=%d  median %.1f ms  min %.1f ms  p90 %.1f ms  max %.1f ms  (%d bytes)\n",
        name, NR, v[int((NR + 1) / 2)], v[1], v[int(NR * 0.9 + 0.5)], v[NR], bytes }'
  echo "    last request: $(tr -d '\r' < "$DIR/last.headers" | sed -n 's/^[Ss]erver-[Tt]iming: //p')"
}

Q="business=$BUSINESS&during=saturday&cell_m=500"
echo "==> server-side time (Server-Timing), $RUNS requests each after 3 warm-ups"
measure "Wuhan (420100) JSON"             "/v1/coverage?region=420100&$Q"
measure "Wuhan (420100) JSON, k=3"        "/v1/coverage?region=420100&$Q&k=3"
measure "Wuhan (420100) SVG, k=3"         "/v1/coverage.svg?region=420100&$Q&k=3"
measure "黄陂区 (420116) JSON, k=3"        "/v1/coverage?region=420116&$Q&k=3"
curl -fsS "http://127.0.0.1:$PORT/v1/coverage?region=420100&$Q&k=3" |
  grep -o '"headline_zh":"[^"]*"' | head -1
