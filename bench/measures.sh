#!/usr/bin/env bash
# Poverty-measures benchmark (prints figures; not a test). A province: N generated households
# (default 1,500,000, `fupin gen --seed 1`) over the villages of Jiangxi with their incomes and the
# verification of the year's exits, imported into SQLite and PostgreSQL; then the measures
# (`GET /api/v1/regions/{code}/measures`, timed through the store by the example `measures_timing`)
# of the province, of its largest county and of its largest village for YEAR, RUNS times each. Before
# each scope the kept measure facts (`village_measure_facts`) are emptied, so that the first run is
# cold (computes and keeps every village's facts of the year) and the others warm (read them).
# Targets on a 2-core machine: province ≤ 3 s on SQLite and ≤ 2 s on PostgreSQL, county ≤ 200 ms,
# village ≤ 20 ms. The load average is printed with the figures (the machine may be shared).
# Usage: bench/measures.sh [N]   (env: REGIONS, BENCH_DIR, PG_BASE, PG_DB (fupin_measures), YEAR (2018),
#                                 RUNS (5), BACKENDS="sqlite postgres"; SQLITE_DB=path / PG_URL=url to time a
#                                 database loaded already, e.g. bench/province.sh's, without loading;
#                                 FUPIN_BIN and TIMING_BIN for binaries built already; LOAD_ONLY=1
#                                 to load without timing, e.g. both backends side by side)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1500000}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-measures}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=${PG_DB:-fupin_measures}
YEAR=${YEAR:-2018}
RUNS=${RUNS:-5}
BACKENDS=${BACKENDS:-sqlite postgres}
export RUST_LOG=warn
command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install -y sqlite3" >&2; exit 1; }

if [[ -n "${FUPIN_BIN:-}" && -n "${TIMING_BIN:-}" ]]; then
    F=$(realpath "$FUPIN_BIN")
    T=$(realpath "$TIMING_BIN")
else
    echo "== build (release)"
    cargo build --release -q -p fupin --bin fupin --example measures_timing
    F=$PWD/target/release/fupin
    T=$PWD/target/release/examples/measures_timing
fi
export FUPIN_DATA_DIR="$W/data"
mkdir -p "$W"

G=$W/gen-$N
if [[ -z "${SQLITE_DB:-}${PG_URL:-}" && ! -s $G/incomes.csv ]]; then
    echo "== generate $N households"
    rm -rf "$G"
    "$F" gen --households "$N" --seed 1 --regions "$REGIONS" --out "$G" --income-years 2016-2019
fi

load() { # DATABASE_URL: regions, households, incomes, the exits' verification
    local db=$1
    "$F" --database-url "$db" region import "$REGIONS" | tail -1
    for f in households incomes household-years; do
        [[ -s $G/$f.csv ]] || continue
        local t0=$SECONDS
        "$F" --database-url "$db" import "$G/$f.csv" | tail -1
        echo "   import $f.csv: $((SECONDS - t0)) s"
    done
}

for b in $BACKENDS; do
    echo
    case $b in
    sqlite)
        echo "== SQLite"
        FILE=${SQLITE_DB:-$W/fupin.db}
        DB="sqlite://$FILE"
        if [[ -z "${SQLITE_DB:-}" && (! -s $W/fupin.db || "$(cat "$W/loaded" 2>/dev/null)" != "$N") ]]; then
            rm -f "$W"/fupin.db*
            load "$DB"
            echo "$N" >"$W/loaded"
        fi
        clear() { sqlite3 "$FILE" "DELETE FROM village_measure_facts" 2>/dev/null || true; }
        COUNTY=$(sqlite3 "$FILE" "SELECT substr(village_code, 1, 6) || '000000' FROM households GROUP BY substr(village_code, 1, 6) ORDER BY COUNT(*) DESC LIMIT 1")
        VILLAGE=$(sqlite3 "$FILE" "SELECT village_code FROM households GROUP BY village_code ORDER BY COUNT(*) DESC LIMIT 1")
        ;;
    postgres)
        echo "== PostgreSQL"
        DB=${PG_URL:-$PG_BASE/$PG_DB}
        if [[ -z "${PG_URL:-}" && "$(psql "$DB" -X -A -t -c 'SELECT COUNT(*) FROM households' 2>/dev/null)" != "$N" ]]; then
            psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
            load "$DB"
        fi
        clear() { psql "$DB" -X -q -c "DELETE FROM village_measure_facts" 2>/dev/null || true; }
        COUNTY=$(psql "$DB" -X -A -t -c "SELECT substr(village_code, 1, 6) || '000000' FROM households GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
        VILLAGE=$(psql "$DB" -X -A -t -c "SELECT village_code FROM households GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
        ;;
    *) echo "unknown backend $b" >&2; exit 2 ;;
    esac
    [[ -n "${LOAD_ONLY:-}" ]] && continue
    # the store's migrations (the kept facts' tables) before the first timing
    "$F" --database-url "$DB" migrate >/dev/null
    for scope in 360000000000 "$COUNTY" "$VILLAGE"; do
        clear
        echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
        "$T" "$DB" "$YEAR" "$RUNS" "$scope"
        echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
    done
done
