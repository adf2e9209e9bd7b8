#!/usr/bin/env bash
# Import benchmark (prints figures; not a test). Generates N households (default 1,500,000) over the
# villages of Jiangxi, then on SQLite and on PostgreSQL:
#   1. our full validated import (`fupin import households.csv`), time and peak RSS;
#   2. the raw route on the same rows: the tables dumped to CSV, loaded into unindexed copies of the
#      same tables (sqlite3 `.import` / PostgreSQL `COPY`), then the same indexes built;
#   3. `region_stats` of the province for 2018 through the store (what the statistics API answers).
# Usage: bench/import.sh [N]   (env: REGIONS, BENCH_DIR, PG_BASE)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1500000}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-bench}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=fupin_bench
PG_RAW=fupin_bench_raw
export RUST_LOG=warn

command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install -y sqlite3" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }

echo "== build (release)"
cargo build --release -q -p fupin --bin fupin --example stats_timing
F=$PWD/target/release/fupin
STATS=$PWD/target/release/examples/stats_timing
mkdir -p "$W"

# run a command under /usr/bin/time -v; print wall seconds and peak RSS
timed() {
    local label=$1
    shift
    /usr/bin/time -v "$@" >"$W/last.out" 2>"$W/last.err" || { cat "$W/last.out" "$W/last.err" >&2; exit 1; }
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$W/last.err" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$W/last.err" | awk '{print $NF}')
    printf '%-48s wall %10s   peak RSS %6d MiB\n' "$label" "$wall" $((rss / 1024))
}

secs() { # wall time of a shell snippet in seconds
    local t0 t1
    t0=$(date +%s.%N)
    bash -c "$1" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

echo "== generate $N households"
if [[ ! -f "$W/gen/households.csv" || "$(cat "$W/gen/n" 2>/dev/null)" != "$N" ]]; then
    timed "fupin gen --households $N" "$F" gen --households "$N" --seed 1 --regions "$REGIONS" --out "$W/gen" --income-years 2018-2019
    echo "$N" >"$W/gen/n"
fi
wc -l "$W/gen/households.csv" "$W/gen/incomes.csv" | head -2
ls -la "$W/gen"

echo
echo "== SQLite"
rm -f "$W"/fupin.db*
DB="sqlite://$W/fupin.db"
"$F" --database-url "$DB" region import "$REGIONS" | tail -1
timed "fupin import households.csv (SQLite)" "$F" --database-url "$DB" import "$W/gen/households.csv"
tail -3 "$W/last.out"
timed "fupin import incomes.csv (SQLite)" "$F" --database-url "$DB" import "$W/gen/incomes.csv"
tail -2 "$W/last.out"
sqlite3 "$W/fupin.db" "SELECT 'households', COUNT(*) FROM households; SELECT 'persons', COUNT(*) FROM persons;"

echo "-- raw route: sqlite3 .import into unindexed copies, then the same indexes"
rm -f "$W"/raw.db* "$W"/h.csv "$W"/p.csv
sqlite3 -csv "$W/fupin.db" "SELECT * FROM households" >"$W/h.csv"
sqlite3 -csv "$W/fupin.db" "SELECT * FROM persons" >"$W/p.csv"
sqlite3 "$W/fupin.db" ".schema households" | grep -v "^CREATE INDEX" >"$W/raw_tables.sql"
sqlite3 "$W/fupin.db" ".schema persons" | grep -v "^CREATE \(UNIQUE \)\?INDEX" >>"$W/raw_tables.sql"
sqlite3 "$W/fupin.db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('households', 'persons') AND sql IS NOT NULL" >"$W/raw_indexes.sql"
sqlite3 "$W/raw.db" <"$W/raw_tables.sql" >/dev/null
cat >"$W/raw_load.sql" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
BEGIN;
.import --csv $W/h.csv households
.import --csv $W/p.csv persons
COMMIT;
SQL
t_load=$(secs "sqlite3 '$W/raw.db' < '$W/raw_load.sql'")
t_idx=$(secs "sqlite3 '$W/raw.db' < '$W/raw_indexes.sql'")
printf '%-48s load %6.1f s + indexes %6.1f s = %6.1f s\n' "raw route (SQLite)" "$t_load" "$t_idx" "$(echo "$t_load + $t_idx" | bc)"

echo "-- statistics through the store"
"$STATS" "$DB" 360000000000 2018 20

echo
echo "== PostgreSQL"
psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
PDB="$PG_BASE/$PG_DB"
"$F" --database-url "$PDB" region import "$REGIONS" | tail -1
timed "fupin import households.csv (PostgreSQL)" "$F" --database-url "$PDB" import "$W/gen/households.csv"
tail -3 "$W/last.out"
timed "fupin import incomes.csv (PostgreSQL)" "$F" --database-url "$PDB" import "$W/gen/incomes.csv"
tail -2 "$W/last.out"

echo "-- raw route: COPY into unindexed copies, then the same indexes"
psql "$PDB" -X -q -c "\\copy households TO '$W/pg_h.csv' CSV" -c "\\copy persons TO '$W/pg_p.csv' CSV"
psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_RAW WITH (FORCE)" -c "CREATE DATABASE $PG_RAW"
PRAW="$PG_BASE/$PG_RAW"
# the same columns and types, without keys or indexes
psql "$PDB" -X -A -t -c "SELECT 'CREATE TABLE ' || c.relname || ' (' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) || ');' FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE c.relname IN ('households', 'persons') GROUP BY c.relname" | psql "$PRAW" -X -q
psql "$PDB" -X -A -t -c "SELECT indexdef || ';' FROM pg_indexes WHERE tablename IN ('households', 'persons') ORDER BY tablename DESC, indexname" >"$W/pg_indexes.sql"
t_load=$(secs "psql '$PRAW' -X -q -c \"\\copy households FROM '$W/pg_h.csv' CSV\" -c \"\\copy persons FROM '$W/pg_p.csv' CSV\"")
t_idx=$(secs "psql '$PRAW' -X -q -f '$W/pg_indexes.sql'")
printf '%-48s load %6.1f s + indexes %6.1f s = %6.1f s\n' "raw route (PostgreSQL)" "$t_load" "$t_idx" "$(echo "$t_load + $t_idx" | bc)"

echo "-- statistics through the store"
"$STATS" "$PDB" 360000000000 2018 20
