#!/usr/bin/env bash
# Import benchmark (prints figures; not a test). Generates N households (default 1,500,000) over the
# villages of Jiangxi, then on SQLite and on PostgreSQL:
#   1. our full validated import (`fupin import households.csv`), time and peak RSS;
#   2. the raw route on the same rows: every table the import wrote (households, persons, their
#      histories, the audit records (those the import sealed at commit, and those left for the
#      sealer), the statistics aggregates, the pairing figures a household import keeps: the households
#      without a cadre and their count per region) dumped to CSV, loaded into unindexed
#      copies of the same tables (sqlite3 `.import` / PostgreSQL `COPY`), then the same indexes built;
#   3. `region_stats` of the province for 2018 through the store, and the statistics API over HTTP.
# Usage: bench/import.sh [N]   (env: REGIONS, BENCH_DIR, PG_BASE, PG_DB and PG_RAW (the databases of the
#   PostgreSQL run, default fupin_bench and fupin_bench_raw), BENCH_PORT (HTTP step, default 18931);
#   INCOMES=1 also imports incomes; ONLY=sqlite or ONLY=pg runs one database)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1500000}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-bench}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=${PG_DB:-fupin_bench}
PG_RAW=${PG_RAW:-fupin_bench_raw}
# every table the import writes rows into: the raw routes load the same rows into the same tables
# (and the villages' household counts); a table the schema lacks (an older build) is left out
ALL_TABLES="households persons status_history member_changes audit_log audit_pending village_year_stats village_year_causes households_without_cadre pairing_coverage village_households"
export RUST_LOG=warn

command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install -y sqlite3" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl missing: apt-get install -y curl" >&2; exit 1; }

echo "== build (release)"
cargo build --release -q -p fupin --bin fupin --example stats_timing
F=$PWD/target/release/fupin
# the audit key of the benchmark databases, beside them rather than in the working directory
export FUPIN_DATA_DIR="$W/data"
STATS=$PWD/target/release/examples/stats_timing
mkdir -p "$W"

# run a command under /usr/bin/time -v; print wall seconds, user+sys CPU seconds (of the process:
# the PostgreSQL server's are not in it) and peak RSS
timed() {
    local label=$1
    shift
    /usr/bin/time -v "$@" >"$W/last.out" 2>"$W/last.err" || { cat "$W/last.out" "$W/last.err" >&2; exit 1; }
    local wall rss cpu
    wall=$(grep "Elapsed (wall clock)" "$W/last.err" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$W/last.err" | awk '{print $NF}')
    cpu=$(grep -E "(User|System) time \(seconds\)" "$W/last.err" | awk '{s += $NF} END {printf "%.1f", s}')
    printf '%-48s wall %10s   CPU %8s s   peak RSS %6d MiB\n' "$label" "$wall" "$cpu" $((rss / 1024))
}

# GET /api/v1/regions/{province}/stats over HTTP on the loaded database: a viewer of the province
# signs in, then 20 calls; prints curl's total times (an upper bound of the server's) and the
# largest latency the server logged
http_stats() {
    local db=$1 port=${BENCH_PORT:-18931} log=$W/serve.log token t
    FUPIN_PASSWORD=bench-viewer-pass "$F" --database-url "$db" user add bench-viewer --display-name 基准查看 >/dev/null 2>&1 || true
    "$F" --database-url "$db" user grant bench-viewer viewer 360000000000 >/dev/null 2>&1 || true
    RUST_LOG=info "$F" --database-url "$db" serve --bind "127.0.0.1:$port" >"$log" 2>&1 &
    local pid=$!
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
    token=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/login" -H 'content-type: application/json' \
        -d '{"username":"bench-viewer","password":"bench-viewer-pass"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
    t=$(for _ in $(seq 20); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" \
            "http://127.0.0.1:$port/api/v1/regions/360000000000/stats?year=2018"
    done | sort -n)
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    printf 'GET /api/v1/regions/360000000000/stats?year=2018 (20 calls, curl total): median %s ms, max %s ms; largest server latency_ms %s\n' \
        "$(echo "$t" | sed -n 10p | awk '{printf "%.2f", $1 * 1000}')" "$(echo "$t" | tail -1 | awk '{printf "%.2f", $1 * 1000}')" \
        "$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep '/stats' | grep -o 'latency_ms=[0-9]*' | cut -d= -f2 | sort -n | tail -1)"
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
wc -l "$W/gen/households.csv" "$W/gen/incomes.csv"
ls -la "$W/gen"

if [[ ${ONLY:-} != pg ]]; then
echo
echo "== SQLite"
rm -f "$W"/fupin.db*
DB="sqlite://$W/fupin.db"
"$F" --database-url "$DB" region import "$REGIONS" | tail -1
timed "fupin import households.csv (SQLite)" "$F" --database-url "$DB" import "$W/gen/households.csv"
tail -3 "$W/last.out"
if [[ -n "${INCOMES:-}" ]]; then
    timed "fupin import incomes.csv (SQLite)" "$F" --database-url "$DB" import "$W/gen/incomes.csv"
    tail -2 "$W/last.out"
fi
sqlite3 "$W/fupin.db" "SELECT 'households', COUNT(*) FROM households; SELECT 'persons', COUNT(*) FROM persons;"

TABLES=$(for t in $ALL_TABLES; do [[ -n $(sqlite3 "$W/fupin.db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '$t'") ]] && printf '%s ' "$t"; done; true)
echo "-- raw route: sqlite3 .import of the same rows into unindexed copies of the same tables, then the same indexes"
rm -f "$W"/raw.db* "$W"/raw_*.csv "$W"/raw_tables.sql "$W"/raw_indexes.sql
for t in $TABLES; do
    sqlite3 -csv "$W/fupin.db" "SELECT * FROM $t" >"$W/raw_$t.csv"
    # the table alone: neither its indexes (built after the load) nor its triggers (the raw route
    # loads rows as they are; the measures' version triggers also name a table it does not copy)
    sqlite3 "$W/fupin.db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'table' AND name = '$t'" >>"$W/raw_tables.sql"
    sqlite3 "$W/fupin.db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = '$t' AND sql IS NOT NULL" >>"$W/raw_indexes.sql"
done
sqlite3 "$W/raw.db" <"$W/raw_tables.sql" >/dev/null
{
    echo "PRAGMA journal_mode = WAL;"
    echo "PRAGMA synchronous = NORMAL;"
    echo "BEGIN;"
    for t in $TABLES; do echo ".import --csv $W/raw_$t.csv $t"; done
    echo "COMMIT;"
} >"$W/raw_load.sql"
t_load=$(secs "sqlite3 '$W/raw.db' < '$W/raw_load.sql'")
t_idx=$(secs "sqlite3 '$W/raw.db' < '$W/raw_indexes.sql'")
printf '%-48s load %6.1f s + indexes %6.1f s = %6.1f s\n' "raw route (SQLite)" "$t_load" "$t_idx" "$(echo "$t_load + $t_idx" | bc)"
for t in $TABLES; do printf '   %-24s %10s rows\n' "$t" "$(sqlite3 "$W/raw.db" "SELECT COUNT(*) FROM $t")"; done

echo "-- statistics through the store, then over HTTP"
"$STATS" "$DB" 360000000000 2018 20
http_stats "$DB"

fi
if [[ ${ONLY:-} != sqlite ]]; then
echo
echo "== PostgreSQL"
psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
PDB="$PG_BASE/$PG_DB"
"$F" --database-url "$PDB" region import "$REGIONS" | tail -1
timed "fupin import households.csv (PostgreSQL)" "$F" --database-url "$PDB" import "$W/gen/households.csv"
tail -3 "$W/last.out"
if [[ -n "${INCOMES:-}" ]]; then
    timed "fupin import incomes.csv (PostgreSQL)" "$F" --database-url "$PDB" import "$W/gen/incomes.csv"
    tail -2 "$W/last.out"
fi

TABLES=$(for t in $ALL_TABLES; do [[ -n $(psql "$PDB" -X -A -t -c "SELECT to_regclass('public.$t')") ]] && printf '%s ' "$t"; done; true)
echo "-- raw route: COPY of the same rows into unindexed copies of the same tables, then the same indexes"
psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_RAW WITH (FORCE)" -c "CREATE DATABASE $PG_RAW"
PRAW="$PG_BASE/$PG_RAW"
IN_LIST=$(for t in $TABLES; do printf "'%s'," "$t"; done | sed 's/,$//')
for t in $TABLES; do psql "$PDB" -X -q -c "\\copy $t TO '$W/pg_$t.csv' CSV"; done
# the same columns and types, without keys or indexes
psql "$PDB" -X -A -t -c "SELECT 'CREATE TABLE ' || c.relname || ' (' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) || ');' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE c.relkind = 'r' AND c.relname IN ($IN_LIST) GROUP BY c.relname" | psql "$PRAW" -X -q
psql "$PDB" -X -A -t -c "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ($IN_LIST) ORDER BY tablename, indexname" >"$W/pg_indexes.sql"
COPY_CMDS=$(for t in $TABLES; do printf -- "-c \"\\\\copy %s FROM '%s' CSV\" " "$t" "$W/pg_$t.csv"; done)
t_load=$(secs "psql '$PRAW' -X -q $COPY_CMDS")
t_idx=$(secs "psql '$PRAW' -X -q -f '$W/pg_indexes.sql'")
printf '%-48s load %6.1f s + indexes %6.1f s = %6.1f s\n' "raw route (PostgreSQL)" "$t_load" "$t_idx" "$(echo "$t_load + $t_idx" | bc)"
for t in $TABLES; do printf '   %-24s %10s rows\n' "$t" "$(psql "$PRAW" -X -A -t -c "SELECT COUNT(*) FROM $t")"; done

echo "-- statistics through the store, then over HTTP"
"$STATS" "$PDB" 360000000000 2018 20
http_stats "$PDB"
fi
