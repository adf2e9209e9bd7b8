#!/usr/bin/env bash
# Visit writes during a large import (prints figures; not a test). Generates N households (default
# 300,000) over the villages of Jiangxi with their cadres and pairings, loads them, then on SQLite
# and on PostgreSQL starts the annual income update (`fupin import incomes.csv` into the non-empty
# registry) and, while it runs, records a visit over HTTP every half second as an officer of the
# province: the latency of each (curl's total time) and its status, and the import's wall time.
# Usage: bench/import_visits.sh [N]   (env: REGIONS, BENCH_DIR, PG_BASE, SKIP_SQLITE, SKIP_PG,
# FUPIN_BIN: a fupin binary to use instead of building one)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-300000}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-bench-visits}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=fupin_bench_visits
PORT=18937
export RUST_LOG=warn

command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install -y sqlite3" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl missing: apt-get install -y curl" >&2; exit 1; }

if [[ -n "${FUPIN_BIN:-}" ]]; then
    F=$FUPIN_BIN # a binary built already (e.g. another revision, to compare)
else
    echo "== build (release)"
    cargo build --release -q -p fupin --bin fupin
    F=$PWD/target/release/fupin
fi
export FUPIN_DATA_DIR="$W/data"
mkdir -p "$W"

echo "== generate $N households with cadres and pairings"
if [[ ! -f "$W/gen/incomes.csv" || "$(cat "$W/gen/n" 2>/dev/null)" != "$N" ]]; then
    rm -rf "$W/gen"
    "$F" gen --households "$N" --seed 1 --regions "$REGIONS" --out "$W/gen" --income-years 2018-2019 | tail -3
    echo "$N" >"$W/gen/n"
fi
wc -l "$W/gen/households.csv" "$W/gen/incomes.csv" "$W/gen/pairings.csv"

# load everything the visits need, but not the incomes
load() {
    local db=$1
    "$F" --database-url "$db" region import "$REGIONS" | tail -1
    for f in households cadres pairings; do
        "$F" --database-url "$db" import "$W/gen/$f.csv" | tail -1
    done
    FUPIN_PASSWORD=bench-officer-pass "$F" --database-url "$db" user add bench-officer --display-name 基准办公 >/dev/null
    "$F" --database-url "$db" user grant bench-officer officer 360000000000 >/dev/null
    # seal what the loads left for the sealer, so that the run starts from a sealed log
    "$F" --database-url "$db" audit verify | sed -n 1,2p
}

# record visits while the income import runs; $2 runs a query and prints "household|cadre"
run() {
    local label=$1 db=$2 pick=$3 log=$W/serve-$1.log
    RUST_LOG=info "$F" --database-url "$db" serve --bind "127.0.0.1:$PORT" >"$log" 2>&1 &
    local srv=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
    local token hc household cadre
    token=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/login" -H 'content-type: application/json' \
        -d '{"username":"bench-officer","password":"bench-officer-pass"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
    hc=$($pick)
    household=${hc%%|*}
    cadre=${hc##*|}
    local body="{\"household_id\":$household,\"date\":\"$(date +%F)\",\"kind\":\"走访\",\"cadre_ids\":[$cadre]}"
    # one visit before the import, as the baseline
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" \
        -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$PORT/api/v1/visits" >"$W/visits-$label.base"
    local t0 t1
    t0=$(date +%s.%N)
    "$F" --database-url "$db" import "$W/gen/incomes.csv" >"$W/import-$label.out" 2>&1 &
    local imp=$!
    : >"$W/visits-$label.txt"
    while kill -0 "$imp" 2>/dev/null; do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" \
            -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$PORT/api/v1/visits" >>"$W/visits-$label.txt"
        sleep 0.5
    done
    wait "$imp" || { echo "import failed:"; tail -5 "$W/import-$label.out"; }
    t1=$(date +%s.%N)
    kill "$srv"
    wait "$srv" 2>/dev/null || true
    tail -1 "$W/import-$label.out"
    printf '%-12s income import wall %6.1f s\n' "$label" "$(echo "$t1 - $t0" | bc)"
    printf '%-12s visit before the import: %s\n' "$label" "$(awk '{printf "HTTP %s, %.0f ms", $1, $2 * 1000}' "$W/visits-$label.base")"
    local n ok
    n=$(wc -l <"$W/visits-$label.txt")
    ok=$(grep -c '^201 ' "$W/visits-$label.txt" || true)
    printf '%-12s visits during the import: %d (%d answered 201; others: %s)\n' "$label" "$n" "$ok" \
        "$(awk '$1 != 201 {print $1}' "$W/visits-$label.txt" | sort | uniq -c | tr '\n' ' ')"
    awk '{print $2 * 1000}' "$W/visits-$label.txt" | sort -n | awk -v l="$label" '
        { v[NR] = $1 }
        END { if (NR == 0) { print l " no visits"; exit }
              p = int(NR * 0.95 + 0.5); if (p < 1) p = 1
              printf "%-12s visit latency ms: median %.0f, p95 %.0f, max %.0f\n", l, v[int((NR + 1) / 2)], v[p], v[NR] }'
}

if [[ -z "${SKIP_SQLITE:-}" ]]; then
    echo
    echo "== SQLite"
    rm -f "$W"/fupin.db*
    DB="sqlite://$W/fupin.db"
    load "$DB"
    pick_sqlite() { sqlite3 "$W/fupin.db" "SELECT household_id || '|' || cadre_id FROM pairings WHERE end_date IS NULL ORDER BY id LIMIT 1"; }
    run sqlite "$DB" pick_sqlite
fi

if [[ -z "${SKIP_PG:-}" ]]; then
    echo
    echo "== PostgreSQL"
    psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
    PDB="$PG_BASE/$PG_DB"
    load "$PDB"
    pick_pg() { psql "$PDB" -X -A -t -c "SELECT household_id || '|' || cadre_id FROM pairings WHERE end_date IS NULL ORDER BY id LIMIT 1"; }
    run postgres "$PDB" pick_pg
fi
