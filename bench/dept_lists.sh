#!/usr/bin/env bash
# Department lists benchmark (prints figures; not a test). Generates N households (default 1,500,000)
# over the villages of Jiangxi with `fupin gen` (the departments' employment, training, pension,
# school and medical lists by ID number among its files, about two rows a household), loads the
# registry, then on SQLite and on PostgreSQL:
#   1. our validated import of the five lists (`fupin import dept-*.csv`), time and peak RSS each;
#   2. the raw route on the same rows: the tables the imports wrote (measures, measure_history,
#      measure_stats; not the audit tables, which hold the registry load's records too, so the raw
#      route is the cheaper for it) dumped to CSV, loaded into unindexed copies of the same tables
#      (sqlite3 `.import` / PostgreSQL `COPY`), then the same indexes built;
#   3. the province's services report over HTTP for the generated year (20 calls; curl's total time
#      and the largest latency the server logged).
# Each figure is printed with the load average at the time (the machine may be shared); run it under
# `flock /work/bench.lock` or the like where several province benchmarks could run at once.
# Usage: bench/dept_lists.sh [N]   (env: REGIONS, BENCH_DIR, PG_BASE, PG_DB, PG_RAW, SKIP_SQLITE, SKIP_PG, YEAR,
#        FUPIN_BIN: a fupin binary to use instead of building the release one)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1500000}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-bench-dept}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=${PG_DB:-fupin_bench_dept}
PG_RAW=${PG_RAW:-fupin_bench_dept_raw}
YEAR=${YEAR:-2019}
LISTS="dept-employment dept-training dept-pension dept-school dept-medical"
TABLES="measures measure_history measure_stats"
export RUST_LOG=warn

command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install -y sqlite3" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl missing: apt-get install -y curl" >&2; exit 1; }

echo "== $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
if [[ -n "${FUPIN_BIN:-}" ]]; then
    F=$(realpath "$FUPIN_BIN")
else
    echo "== build (release)"
    cargo build --release -q -p fupin --bin fupin
    F=$PWD/target/release/fupin
fi
export FUPIN_DATA_DIR="$W/data"
mkdir -p "$W"

timed() {
    local label=$1
    shift
    /usr/bin/time -v "$@" >"$W/last.out" 2>"$W/last.err" || { cat "$W/last.out" "$W/last.err" >&2; exit 1; }
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$W/last.err" | awk '{print $NF}')
    LAST_SECS=$(echo "$wall" | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s}')
    rss=$(grep "Maximum resident set size" "$W/last.err" | awk '{print $NF}')
    printf '%-52s wall %10s   peak RSS %6d MiB   (load %s)\n' "$label" "$wall" $((rss / 1024)) "$(cut -d' ' -f1-3 /proc/loadavg)"
}

secs() {
    local t0 t1
    t0=$(date +%s.%N)
    bash -c "$1" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

# the province's services report over HTTP: 20 calls by a viewer of the province
http_report() {
    local db=$1 port=18941 log=$W/serve.log token t
    FUPIN_PASSWORD=bench-viewer-pass "$F" --database-url "$db" user add bench-viewer --display-name 基准查看 >/dev/null 2>&1 || true
    "$F" --database-url "$db" user grant bench-viewer viewer 360000000000 >/dev/null 2>&1 || true
    RUST_LOG=info "$F" --database-url "$db" serve --bind "127.0.0.1:$port" >"$log" 2>&1 &
    local pid=$!
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
    token=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/login" -H 'content-type: application/json' \
        -d '{"username":"bench-viewer","password":"bench-viewer-pass"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
    local url="http://127.0.0.1:$port/api/v1/regions/360000000000/services-report?from=$YEAR-01-01&to=$YEAR-12-31"
    t=$(for _ in $(seq 20); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$url"
    done | sort -n)
    curl -s -H "Authorization: Bearer $token" "$url" | head -c 400
    echo
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    printf 'GET …/360000000000/services-report %s (20 calls, curl total): median %s ms, max %s ms; largest server latency_ms %s   (load %s)\n' \
        "$YEAR" "$(echo "$t" | sed -n 10p | awk '{printf "%.2f", $1 * 1000}')" "$(echo "$t" | tail -1 | awk '{printf "%.2f", $1 * 1000}')" \
        "$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep 'services-report' | grep -o 'latency_ms=[0-9]*' | cut -d= -f2 | sort -n | tail -1)" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# The rows one list wrote (for its own raw route): its measures (their ids reserved by its import,
# between the largest id before it and the largest after), their history, and the figures of the
# kinds it records (no two lists record the same kind). lo=0, hi=large: every list's rows.
list_where() {
    case $1 in
    measures) echo "id > $2 AND id <= $3" ;;
    measure_history) echo "measure_id > $2 AND measure_id <= $3" ;;
    measure_stats) echo "kind IN (SELECT DISTINCT kind FROM measures WHERE id > $2 AND id <= $3)" ;;
    esac
}

# a list's import against its raw route, both in seconds
ratio_line() {
    printf '   %-22s import %7.1f s   raw route %6.1f s   ratio %5.2f\n' "$1" "$2" "$3" "$(echo "scale=4; $2 / $3" | bc)"
}

# SQLite raw route of the rows between measure ids lo and hi: prints "seconds" last
sqlite_raw() {
    local lo=$1 hi=$2 t
    rm -f "$W"/raw.db* "$W"/raw_*.csv "$W"/raw_tables.sql "$W"/raw_indexes.sql
    for t in $TABLES; do
        sqlite3 -csv "$W/fupin.db" "SELECT * FROM $t WHERE $(list_where "$t" "$lo" "$hi")" >"$W/raw_$t.csv"
        sqlite3 "$W/fupin.db" ".schema $t" | grep -v "^CREATE \(UNIQUE \)\?INDEX" >>"$W/raw_tables.sql"
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
    RAW_LOAD=$(secs "sqlite3 '$W/raw.db' < '$W/raw_load.sql'")
    RAW_IDX=$(secs "sqlite3 '$W/raw.db' < '$W/raw_indexes.sql'")
    RAW_SECS=$(echo "$RAW_LOAD + $RAW_IDX" | bc)
}

# PostgreSQL raw route of the rows between measure ids lo and hi
pg_raw() {
    local lo=$1 hi=$2 t
    psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_RAW WITH (FORCE)" -c "CREATE DATABASE $PG_RAW"
    PRAW="$PG_BASE/$PG_RAW"
    IN_LIST=$(for t in $TABLES; do printf "'%s'," "$t"; done | sed 's/,$//')
    for t in $TABLES; do psql "$PDB" -X -q -c "\\copy (SELECT * FROM $t WHERE $(list_where "$t" "$lo" "$hi")) TO '$W/pg_$t.csv' CSV"; done
    psql "$PDB" -X -A -t -c "SELECT 'CREATE TABLE ' || c.relname || ' (' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) || ');' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE c.relkind = 'r' AND c.relname IN ($IN_LIST) GROUP BY c.relname" | psql "$PRAW" -X -q
    psql "$PDB" -X -A -t -c "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ($IN_LIST) ORDER BY tablename, indexname" >"$W/pg_indexes.sql"
    COPY_CMDS=$(for t in $TABLES; do printf -- "-c \"\\\\copy %s FROM '%s' CSV\" " "$t" "$W/pg_$t.csv"; done)
    RAW_LOAD=$(secs "psql '$PRAW' -X -q $COPY_CMDS")
    RAW_IDX=$(secs "psql '$PRAW' -X -q -f '$W/pg_indexes.sql'")
    RAW_SECS=$(echo "$RAW_LOAD + $RAW_IDX" | bc)
}

echo "== generate $N households and the departments' lists"
if [[ ! -f "$W/gen/dept-medical.csv" || "$(cat "$W/gen/n" 2>/dev/null)" != "$N" ]]; then
    rm -rf "$W/gen"
    "$F" gen --households "$N" --seed 1 --regions "$REGIONS" --out "$W/gen" --income-years "$YEAR-$YEAR" | tail -3
    echo "$N" >"$W/gen/n"
fi
for l in $LISTS; do printf '   %-20s %10s rows\n' "$l" "$(($(wc -l <"$W/gen/$l.csv") - 1))"; done

if [[ -z "${SKIP_SQLITE:-}" ]]; then
    echo
    echo "== SQLite"
    DB="sqlite://$W/fupin.db"
    rm -f "$W"/fupin.db*
    "$F" --database-url "$DB" region import "$REGIONS" | tail -1
    "$F" --database-url "$DB" import "$W/gen/households.csv" | tail -1
    "$F" --database-url "$DB" audit verify | sed -n 1p
    declare -A T_IMPORT BOUND
    BOUND[start]=$(sqlite3 "$W/fupin.db" "SELECT COALESCE(MAX(id), 0) FROM measures")
    for l in $LISTS; do
        timed "fupin import $l.csv (SQLite)" "$F" --database-url "$DB" import "$W/gen/$l.csv"
        tail -1 "$W/last.out"
        T_IMPORT[$l]=$LAST_SECS
        BOUND[$l]=$(sqlite3 "$W/fupin.db" "SELECT COALESCE(MAX(id), 0) FROM measures")
    done
    echo "-- raw route: sqlite3 .import of the same rows into unindexed copies, then the same indexes"
    sqlite_raw 0 9223372036854775807
    printf '%-52s load %6.1f s + indexes %6.1f s = %6.1f s   (load %s)\n' "raw route (SQLite)" "$RAW_LOAD" "$RAW_IDX" "$RAW_SECS" "$(cut -d' ' -f1-3 /proc/loadavg)"
    for t in $TABLES; do printf '   %-24s %10s rows\n' "$t" "$(sqlite3 "$W/raw.db" "SELECT COUNT(*) FROM $t")"; done
    echo "-- per list: the rows each wrote, by the raw route (load + indexes), against its import   (load $(cut -d' ' -f1-3 /proc/loadavg))"
    prev=${BOUND[start]}
    for l in $LISTS; do
        sqlite_raw "$prev" "${BOUND[$l]}"
        ratio_line "$l" "${T_IMPORT[$l]}" "$RAW_SECS"
        prev=${BOUND[$l]}
    done
    http_report "$DB"
fi

if [[ -z "${SKIP_PG:-}" ]]; then
    echo
    echo "== PostgreSQL"
    psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
    PDB="$PG_BASE/$PG_DB"
    "$F" --database-url "$PDB" region import "$REGIONS" | tail -1
    "$F" --database-url "$PDB" import "$W/gen/households.csv" | tail -1
    "$F" --database-url "$PDB" audit verify | sed -n 1p
    declare -A T_IMPORT BOUND
    BOUND[start]=$(psql "$PDB" -X -A -t -c "SELECT COALESCE(MAX(id), 0) FROM measures")
    for l in $LISTS; do
        timed "fupin import $l.csv (PostgreSQL)" "$F" --database-url "$PDB" import "$W/gen/$l.csv"
        tail -1 "$W/last.out"
        T_IMPORT[$l]=$LAST_SECS
        BOUND[$l]=$(psql "$PDB" -X -A -t -c "SELECT COALESCE(MAX(id), 0) FROM measures")
    done
    echo "-- raw route: COPY of the same rows into unindexed copies, then the same indexes"
    pg_raw 0 9223372036854775807
    printf '%-52s load %6.1f s + indexes %6.1f s = %6.1f s   (load %s)\n' "raw route (PostgreSQL)" "$RAW_LOAD" "$RAW_IDX" "$RAW_SECS" "$(cut -d' ' -f1-3 /proc/loadavg)"
    for t in $TABLES; do printf '   %-24s %10s rows\n' "$t" "$(psql "$PRAW" -X -A -t -c "SELECT COUNT(*) FROM $t")"; done
    echo "-- per list: the rows each wrote, by the raw route (load + indexes), against its import   (load $(cut -d' ' -f1-3 /proc/loadavg))"
    prev=${BOUND[start]}
    for l in $LISTS; do
        pg_raw "$prev" "${BOUND[$l]}"
        ratio_line "$l" "${T_IMPORT[$l]}" "$RAW_SECS"
        prev=${BOUND[$l]}
    done
    http_report "$PDB"
fi
