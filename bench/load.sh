#!/usr/bin/env bash
# Load benchmark (prints figures; not a test). A province: N generated households (default
# 1,500,000) over the villages of Jiangxi, with their 2016–2019 incomes, plus cadres paired with
# PAIRED of them; then, on SQLite and on PostgreSQL, `fupin serve` (release build) under the load
# generator `crates/fupin/examples/load.rs`: CLIENTS clients (64) for DURATION seconds (60) mixing region
# statistics, household lists, household pages, household reads and visit writes as an officer of
# the province. Afterwards the visits in the database are counted against the acknowledged ones.
# Targets on a 2-core machine: SQLite ≥ 2,000 reads/s and ≥ 300 writes/s, PostgreSQL ≥ 3,000
# reads/s and ≥ 500 writes/s, p99 < 100 ms, no 5xx.
# Usage: bench/load.sh [N]   (env: REGIONS, BENCH_DIR, PG_BASE, PG_DB, PORT, CLIENTS, DURATION, PAIRED, MIX,
#                             BACKENDS="sqlite postgres", INCOMES=0 to skip incomes, PROFILE=debug
#                             for a quick check of the script itself)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1500000}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-load}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=${PG_DB:-fupin_load}
CLIENTS=${CLIENTS:-64}
DURATION=${DURATION:-60}
PAIRED=${PAIRED:-5000}
BACKENDS=${BACKENDS:-sqlite postgres}
INCOMES=${INCOMES:-1}
PORT=${PORT:-18940}
export RUST_LOG=warn
command -v curl >/dev/null || { echo "curl missing: apt-get install -y curl" >&2; exit 1; }

PROFILE=${PROFILE:-release}
echo "== build ($PROFILE)"
if [[ $PROFILE == release ]]; then
    cargo build --release -q -p fupin --bin fupin --example load
else
    cargo build -q -p fupin --bin fupin --example load
fi
F=$PWD/target/$PROFILE/fupin
# the audit key of the benchmark databases, beside them rather than in the working directory
export FUPIN_DATA_DIR="$W/data"
LOAD=$PWD/target/$PROFILE/examples/load
mkdir -p "$W"

if [[ ! -s $W/gen-$N/households.csv ]]; then
    echo "== generate $N households"
    rm -rf "$W/gen-$N"
    "$F" gen --households "$N" --regions "$REGIONS" --out "$W/gen-$N" --income-years 2016-2019
fi
G=$W/gen-$N

# PAIRED households (the first of the file), each paired with a cadre of its county; 5 per cadre
echo "== cadres and pairings for $PAIRED households"
awk -F, -v n="$PAIRED" 'NR > 1 && $2 != "" { print $1 "," $2; if (++k >= n) exit }' "$G/households.csv" >"$W/paired.txt"
{
    echo "帮扶单位,单位级别,干部姓名,职级,联系电话,管理区划代码"
    awk -F, '{ c = int((NR - 1) / 5); if (!(c in seen)) { seen[c] = 1; printf "负载测试帮扶单位,市,测试干部%05d,科级,139%08d,%s000000\n", c, c, substr($2, 1, 6) } }' "$W/paired.txt"
} >"$W/cadres.csv"
{
    echo "户编码,帮扶单位,帮扶干部,干部联系电话,开始日期,结束日期,结束原因"
    awk -F, '{ c = int((NR - 1) / 5); printf "%s,负载测试帮扶单位,测试干部%05d,139%08d,2020-01-01,,\n", $1, c, c }' "$W/paired.txt"
} >"$W/pairings.csv"

query() { # URL SQL: one value per line
    if [[ $1 == postgres* ]]; then
        psql "$1" -X -q -t -A -F, -c "$2"
    else
        sqlite3 -csv "${1#sqlite://}" "$2"
    fi
}

run_backend() {
    local backend=$1 url
    if [[ $backend == sqlite ]]; then
        rm -f "$W/load.db" "$W/load.db-wal" "$W/load.db-shm"
        url="sqlite://$W/load.db"
    else
        psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
        psql "$PG_BASE/postgres" -X -q -c "CREATE DATABASE $PG_DB"
        url="$PG_BASE/$PG_DB"
    fi
    echo
    echo "======== $backend"
    local t0=$SECONDS
    "$F" --database-url "$url" region import "$REGIONS" >/dev/null
    "$F" --database-url "$url" import "$G/households.csv" >/dev/null 2>>"$W/import.log"
    if [[ $INCOMES == 1 ]]; then
        "$F" --database-url "$url" import "$G/incomes.csv" >/dev/null 2>>"$W/import.log"
    fi
    "$F" --database-url "$url" import "$W/cadres.csv" >/dev/null 2>>"$W/import.log"
    "$F" --database-url "$url" import "$W/pairings.csv" >/dev/null 2>>"$W/import.log"
    echo "loaded in $((SECONDS - t0)) s: $(query "$url" 'SELECT COUNT(*) FROM households') households, $(query "$url" 'SELECT COUNT(*) FROM persons') persons, $(query "$url" 'SELECT COUNT(*) FROM pairings') pairings"
    FUPIN_PASSWORD=load-officer-pass "$F" --database-url "$url" user add load-officer --display-name 负载测试 >/dev/null
    "$F" --database-url "$url" user grant load-officer officer 360000000000 >/dev/null

    query "$url" "SELECT code FROM regions ORDER BY code" >"$W/regions.txt"
    query "$url" "SELECT household_id, cadre_id FROM pairings" >"$W/visits.txt"
    local max before after
    max=$(query "$url" "SELECT MAX(id) FROM households")
    before=$(query "$url" "SELECT COUNT(*) FROM visits")

    "$F" --database-url "$url" serve --bind "127.0.0.1:$PORT" >"$W/serve-$backend.log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
    local token
    token=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/login" -H 'content-type: application/json' \
        -d '{"username":"load-officer","password":"load-officer-pass"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
    "$LOAD" --base "http://127.0.0.1:$PORT" --token "$token" --regions "$W/regions.txt" \
        --visits "$W/visits.txt" --max-household "$max" --clients "$CLIENTS" --seconds "$DURATION" \
        ${MIX:+--mix "$MIX"} | tee "$W/load-$backend.txt"
    # metrics of the server itself: its latency histogram agrees with the client's view
    curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/metrics" >"$W/metrics-$backend.txt" || true
    kill -TERM "$pid"
    wait "$pid" || { echo "server exit status $?"; }
    after=$(query "$url" "SELECT COUNT(*) FROM visits")
    local acked
    acked=$(awk '/^visits_acknowledged/ { print $2 }' "$W/load-$backend.txt")
    if [[ $((after - before)) -eq $acked ]]; then
        echo "visits: $acked acknowledged, $((after - before)) in the database: all present"
    else
        echo "visits: $acked acknowledged, $((after - before)) in the database: MISMATCH"
    fi
    echo "server log lines at error level: $(grep -c ' ERROR ' "$W/serve-$backend.log" || true)"
}

for b in $BACKENDS; do
    run_backend "$b"
done
