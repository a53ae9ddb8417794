#!/usr/bin/env bash
# The national-scale benchmark of GET /v1/nearest (BENCHMARKS.md):
#   ./scripts/bench-nearest.sh            1,000,000 outlets, 20 s per run, 32 connections
#   COUNT=100000 DURATION=10 ./scripts/bench-nearest.sh
# Generates the catalogue with the seed generator, loads it with COPY into a private cluster in
# .bench/ (reused by later runs of the same COUNT), then in one run measures with wrk:
#   /healthz (the server's cheapest route), /v1/nearest from the in-memory read model, /v1/nearest
#   from PostGIS, and with pgbench the raw PostGIS KNN query the PostGIS path is built on.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_PACKAGES="wrk curl" source scripts/setup.sh

COUNT="${COUNT:-1000000}"
DURATION="${DURATION:-20}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${BENCH_PORT:-18080}"
BUSINESS="${BUSINESS:-ebike_registration}"
BENCH="$PWD/.bench"
mkdir -p "$BENCH"

echo "==> building (release)"
swift build -c release --product servicecircle
BIN="$PWD/.build/release/servicecircle"

URL="$("$BIN" db start --data-dir "$BENCH/db" --log-level warning)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  "$BIN" db stop --data-dir "$BENCH/db" --log-level warning || true
}
trap cleanup EXIT
SOCKET_DIR="$(sed -e 's/.*host=\([^&]*\).*/\1/' <<<"$URL")"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -U servicecircle -d servicecircle)
"$BIN" seed --calendar-only --database-url "$URL" --log-level warning >/dev/null

if [ "$(cat "$BENCH/loaded" 2>/dev/null || true)" != "$COUNT" ]; then
  echo "==> generating $COUNT outlets"
  start=$(date +%s)
  "$BIN" generate-seed --count "$COUNT" --format csv --out "$BENCH/outlets.csv"
  echo "    generated in $(( $(date +%s) - start )) s"
  echo "==> loading with COPY"
  start=$(date +%s)
  "${PSQL[@]}" <<SQL
TRUNCATE outlets, outlet_history RESTART IDENTITY;
\copy outlets (code, name, kind, address, province, city, district, district_code, phone, lat, lon, operating_state, businesses, hours) FROM '$BENCH/outlets.csv' WITH (FORMAT csv, HEADER true)
VACUUM ANALYZE outlets;
SQL
  echo "    loaded in $(( $(date +%s) - start )) s"
  echo "$COUNT" > "$BENCH/loaded"
  rm -f "$BENCH"/clustered-*
fi
if [ ! -f "$BENCH/clustered-$COUNT" ]; then
  # Rows in spatial order, as a production table would be kept: a 5 km query then reads a few pages.
  echo "==> CLUSTER outlets USING outlets_location_gist"
  "${PSQL[@]}" -c "CLUSTER outlets USING outlets_location_gist" -c "ANALYZE outlets"
  touch "$BENCH/clustered-$COUNT"
fi
echo "    outlets: $("${PSQL[@]}" -At -c "SELECT count(*) FROM outlets")," \
     "offering $BUSINESS: $("${PSQL[@]}" -At -c "SELECT count(*) FROM outlets WHERE businesses @> '{$BUSINESS}'")"

# Query points in populated areas: near random outlets (up to ~3 km away), fixed for repeatability.
"${PSQL[@]}" <<SQL
-- One backend reading the table from its start, so the seed gives the same points every run.
SET max_parallel_workers_per_gather = 0;
SET synchronize_seqscans = off;
SELECT setseed(0.42);
DROP TABLE IF EXISTS bench_points;
CREATE TABLE bench_points AS
  SELECT row_number() OVER () AS i, lat + (random() - 0.5) * 0.054 AS lat, lon + (random() - 0.5) * 0.062 AS lon
    FROM (SELECT lat, lon FROM outlets ORDER BY random() LIMIT 2000) s;
ALTER TABLE bench_points ADD COLUMN g geography(Point, 4326);
UPDATE bench_points SET g = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
CREATE UNIQUE INDEX ON bench_points (i);
SQL
{
  echo "local paths = {"
  "${PSQL[@]}" -At -F ' ' -c "SELECT lat, lon FROM bench_points ORDER BY i" |
    awk -v b="$BUSINESS" '{ printf "  \"/v1/nearest?lat=%.6f&lon=%.6f&business=%s\",\n", $1, $2, b }'
  echo "}"
  # Each request formatted once per wrk thread, not once per request: the load client's own work per
  # request stays as small as for /healthz, so the ratio measures the server.
  cat <<'LUA'
local requests = {}
init = function(args)
  for i, p in ipairs(paths) do requests[i] = wrk.format("GET", p) end
end
local n = 0
request = function()
  n = n + 1
  return requests[(n % #requests) + 1]
end
LUA
} > "$BENCH/nearest.lua"
# The same points on a weekday morning (most outlets open: no fallbacks), for comparison with "now".
DAYTIME="${DAYTIME:-2026-11-24T10:00:00%2B08:00}"
sed -e "s|&business=$BUSINESS\"|\&business=$BUSINESS\&at=$DAYTIME\"|" "$BENCH/nearest.lua" > "$BENCH/nearest-daytime.lua"

rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

start_server() {  # $1 = read model mode
  "$BIN" serve --database-url "$URL" --no-seed --port "$PORT" --read-model "$1" --log-level warning --rate-limit 0 &
  SERVER_PID=$!
  local t0=$(date +%s%N)
  local deadline=$(( $(date +%s) + 600 ))
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server died" >&2; exit 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "server not ready after 600 s" >&2; exit 1; }
    sleep 0.2
  done
  READY_S=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
}
# Graceful stop drains requests; a path too slow to drain within 10 s is killed so the next run starts clean.
stop_server() {
  kill -TERM "$SERVER_PID"
  ( sleep 10; kill -KILL "$SERVER_PID" 2>/dev/null ) & local killer=$!
  wait "$SERVER_PID" 2>/dev/null || true
  kill "$killer" 2>/dev/null || true
  SERVER_PID=""
}

RESULTS="$BENCH/results.md"
: > "$RESULTS"
row() { echo "$*" | tee -a "$RESULTS"; }

# The server's CPU time (user + system) in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))

# wrk --latency prints "50%" and "99%" lines; normalise them to milliseconds. The server's CPU time per request
# is steadier than req/s on shared cores (the load client runs on the same two cores).
declare -A RPS
wrk_run() {  # $1 = label, rest = wrk arguments
  local label="$1"; shift
  curl -sf "${@: -1}" >/dev/null || { echo "$label: first request failed" >&2; exit 1; }
  local c0; c0=$(cpu_ticks)
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" > "$BENCH/wrk-$label.txt"
  local c1; c1=$(cpu_ticks)
  awk -v label="$label" -v ticks=$(( c1 - c0 )) -v tick_us="$TICK_US" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /requests in/ { n = $1 }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "| %s | %.0f | %.2f | %.2f | %s | %.0f |\n", label, rps, p50, p99, (bad == "" ? 0 : bad), (n > 0 ? ticks * tick_us / n : 0) }
  ' "$BENCH/wrk-$label.txt" | tee -a "$RESULTS"
  RPS[$label]=$(awk '/Requests\/sec/ { print $2 }' "$BENCH/wrk-$label.txt")
}

echo
row "Run: $(date -u +%Y-%m-%dT%H:%MZ) (Shanghai $(TZ=Asia/Shanghai date +%a\ %H:%M)), $COUNT outlets, business=$BUSINESS, $CONNECTIONS connections, ${DURATION} s each, $(nproc) cores"
row ""
row "| what | req/s | p50 ms | p99 ms | non-2xx | server CPU µs/req |"
row "|---|---|---|---|---|---|"

start_server memory
MEM_READY="$READY_S"; MEM_RSS="$(rss_mb "$SERVER_PID")"
wrk_run "healthz" "http://127.0.0.1:$PORT/healthz"
wrk_run "nearest-memory" -s "$BENCH/nearest.lua" "http://127.0.0.1:$PORT/v1/nearest?lat=30.58&lon=114.30&business=$BUSINESS"
wrk_run "nearest-memory-daytime" -s "$BENCH/nearest-daytime.lua" "http://127.0.0.1:$PORT/v1/nearest?lat=30.58&lon=114.30&business=$BUSINESS"
MEM_RSS_AFTER="$(rss_mb "$SERVER_PID")"
stop_server
# A killed client leaves its running queries behind; end them so the next measurement starts clean.
"${PSQL[@]}" -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null

start_server postgis
PG_RSS="$(rss_mb "$SERVER_PID")"
wrk_run "nearest-postgis" -s "$BENCH/nearest.lua" "http://127.0.0.1:$PORT/v1/nearest?lat=30.58&lon=114.30&business=$BUSINESS"
wrk_run "nearest-postgis-daytime" -s "$BENCH/nearest-daytime.lua" "http://127.0.0.1:$PORT/v1/nearest?lat=30.58&lon=114.30&business=$BUSINESS"
stop_server
# A killed client leaves its running queries behind; end them so the next measurement starts clean.
"${PSQL[@]}" -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null

# The raw PostGIS KNN query under pgbench: the same filters and points, no HTTP, no hours.
cat > "$BENCH/knn.sql" <<SQL
\set i random(1, 2000)
SELECT o.id, ST_Distance(o.location, p.g, true)
  FROM outlets o, (SELECT g FROM bench_points WHERE i = :i) p
 WHERE o.operating_state = 'active' AND o.businesses @> '{$BUSINESS}'
   AND ST_DWithin(o.location, p.g, 5000, true)
 ORDER BY o.location <-> p.g LIMIT 5;
SQL
rm -f "$BENCH"/pgbench_log.*
(cd "$BENCH" && pgbench -n -h "$SOCKET_DIR" -U servicecircle -c "$CONNECTIONS" -j 2 -T "$DURATION" -f knn.sql -l servicecircle) > "$BENCH/pgbench.txt"
cat "$BENCH"/pgbench_log.* | awk '{ print $3 }' | sort -n | awk -v tps="$(awk '/^tps/ { print $3 }' "$BENCH/pgbench.txt")" '
  { v[NR] = $1 } END { printf "| pgbench raw KNN | %.0f | %.2f | %.2f | 0 | — |\n", tps, v[int(NR * 0.5)] / 1000, v[int(NR * 0.99)] / 1000 }' | tee -a "$RESULTS"
PGB_TPS=$(awk '/^tps/ { print $3 }' "$BENCH/pgbench.txt")
row ""
row "Ratios in this run: read model / \`/healthz\`: $(awk -v a="${RPS[nearest-memory]}" -v b="${RPS[healthz]}" 'BEGIN { printf "%.2f", a / b }')× at now," \
    "$(awk -v a="${RPS[nearest-memory-daytime]}" -v b="${RPS[healthz]}" 'BEGIN { printf "%.2f", a / b }')× at 10:00 (target ≥ 0.5×);" \
    "read model / pgbench raw KNN: $(awk -v a="${RPS[nearest-memory]}" -v b="$PGB_TPS" 'BEGIN { printf "%.0f", a / b }')× at now."

# The read model's search + JSON body in process (no HTTP), single thread, same points, both instants.
row ""
row "In process (\`servicecircle bench nearest\`, one thread, no HTTP; search + JSON body per query):"
"$BIN" bench nearest --database-url "$URL" --rounds 5 --at "$(TZ=Asia/Shanghai date +%Y-%m-%dT%H:%M:%S+08:00),${DAYTIME//%2B/+}" |
  grep '^at ' | sed 's/^/- /' | tee -a "$RESULTS"

row ""
row "Read model: ready ${MEM_READY} s after start; server RSS ${MEM_RSS} MB loaded, ${MEM_RSS_AFTER} MB after the runs; PostGIS-only server RSS ${PG_RSS} MB."
echo "==> results in $RESULTS"
