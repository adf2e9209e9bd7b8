#!/usr/bin/env bash
# Department lists benchmark (prints figures; not a test). Generates N households (default 1,500,000)
# over the villages of Jiangxi with `fupin gen` (the departments' employment, training, pension,
# school and medical lists by ID number among its files, about two rows a household), loads the
# registry, takes a copy of it (SQLite: the file, after a checkpoint; PostgreSQL: `CREATE DATABASE …
# TEMPLATE`), then on SQLite and on PostgreSQL, list after list:
#   1. our validated import of the list (`fupin import dept-*.csv`) into the registry: wall time and
#      peak RSS, and the audit rows it added (audit_log + audit_pending, before and after);
#   2. the raw route of the same list into the copy, which stood where the registry stood before the
#      import (the copy takes the lists in the same order): one `sqlite3` / `psql` session, one
#      transaction with the import's session settings (SQLite: foreign keys on, 64 MiB page cache, no
#      memory map; PostgreSQL: work_mem 64MB, maintenance_work_mem 256MB, and JIT off), that
#        - loads the CSV file itself into a scratch table (`.import` / `\copy`),
#        - joins it with the active persons on the ID number (the registry's partial unique index)
#          and their households, keeping rows whose name, when given, is the registered one and
#          whose (person, kind, start date) is not stored yet (the import's natural key),
#        - inserts the measures into `measures` (kind, category, the details JSON of the form,
#          the destination derived from the employer's region against the household's village),
#          their history rows (`measure_history`, the measure's data as JSON), the services
#          figures (`measure_stats`: summed per village, month, kind and destination, then rolled
#          up to every level — the prefixes of 0, 2, 4, 6, 9 and 12 digits — and summed again,
#          `INSERT … ON CONFLICT DO UPDATE`),
#          and the audit rows (`audit_pending`: one per measure with its data as JSON, and one for
#          the import), all into the real tables with their indexes, keys and foreign keys as they
#          stand.
#      The audit rows: the import appends its records to `audit_pending` unchained, for the sealer
#      to chain and sign after the commit (in neither route's time); the raw route approximates
#      them by a plain `INSERT … SELECT` of rows of the same shape (region, time, actor, action,
#      entity, id, the measure's data as JSON — the history row's text, where the import
#      serialises it twice), as many as the import wrote (both counts are printed). PostgreSQL's
#      `json_build_object` writes its JSON with spaces, about 15% longer than the import's. What
#      the raw route leaves out: the import's checks of every row (dates, amounts, choices, ages,
#      repeats in the file), the rejected rows' report, and the screening for monitoring that the
#      import redoes for the households whose measures count in it (the medical list's
#      out-of-pocket costs). Each list's raw route runs right after its import, so both find the
#      machine in the same state;
#   3. after the five lists: the two databases compared (measures and history rows per kind, the
#      mean size of the history's and audit's JSON, and whether `measure_stats` is identical), and
#      the old figure kept for reference: the rows each list wrote dumped to CSV and loaded into
#      EMPTY unindexed copies of measures, measure_history and measure_stats (no audit rows, no
#      look-up, no foreign keys), then the same indexes built;
#   4. the province's services report over HTTP for the generated year (20 calls; curl's total time
#      and the largest latency the server logged).
# Each figure is printed with the load average at the time (the machine may be shared); run it under
# `flock /work/bench.lock` or the like where several province benchmarks could run at once.
# PROFILE=1 also records where the imports' time goes: `perf record -a -g -F 499` of the machine
# while each import runs ($BENCH_DIR/perf-LIST.data and perf-pg-LIST.data; `perf report -i …
# --no-children --sort comm,dso,sym`), and on PostgreSQL every statement of 100 ms or more in the
# server's log while the lists are loaded (`log_min_duration_statement`, reset after; needs a
# superuser; the marks in $BENCH_DIR/pg-profile-marks.txt); both cost the import a little time.
# Usage: bench/dept_lists.sh [N]   (env: REGIONS, BENCH_DIR, PG_BASE, PG_DB, PG_RAW, SKIP_SQLITE, SKIP_PG,
#        SKIP_EMPTY (leave out the old empty-copies figure), SKIP_HTTP, YEAR, PROFILE,
#        FUPIN_BIN: a fupin binary to use instead of building the release one)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1500000}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-bench-dept}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=${PG_DB:-fupin_bench_dept}
PG_RAW=${PG_RAW:-fupin_bench_dept_raw}
PG_COPY=${PG_DB}_copy
YEAR=${YEAR:-2019}
LISTS="dept-employment dept-training dept-pension dept-school dept-medical"
TABLES="measures measure_history measure_stats"
export RUST_LOG=warn
export PGOPTIONS='-c client_min_messages=warning'

command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install -y sqlite3" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl missing: apt-get install -y curl" >&2; exit 1; }
if [[ -n "${PROFILE:-}" ]]; then command -v perf >/dev/null || { echo "perf missing" >&2; exit 1; }; fi

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "== $(date -u '+%F %T') UTC, load average $(load), $(nproc) cores"
if [[ -n "${FUPIN_BIN:-}" ]]; then
    F=$(realpath "$FUPIN_BIN")
else
    echo "== build (release)"
    cargo build --release -q -p fupin --bin fupin
    F=$PWD/target/release/fupin
fi
export FUPIN_DATA_DIR="$W/data"
mkdir -p "$W"

# run a command under /usr/bin/time -v: LAST_SECS (wall), LAST_RSS (MiB), LAST_WALL (as printed)
timed() {
    /usr/bin/time -v "$@" >"$W/last.out" 2>"$W/last.err" || { cat "$W/last.out" "$W/last.err" >&2; return 1; }
    LAST_WALL=$(grep "Elapsed (wall clock)" "$W/last.err" | awk '{print $NF}')
    LAST_SECS=$(echo "$LAST_WALL" | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s}')
    LAST_RSS=$(($(grep "Maximum resident set size" "$W/last.err" | awk '{print $NF}') / 1024))
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
        "$(load)"
}

# ---- the raw route's SQL, per dialect (D=sqlite or D=pg) and list ----

# a yuan amount of a list column in fen (blank: 0)
fen() {
    if [[ $D == sqlite ]]; then
        echo "CAST(ROUND(CAST(COALESCE(NULLIF(l.$1, ''), '0') AS REAL) * 100) AS INTEGER)"
    else
        echo "round(COALESCE(NULLIF(l.$1, ''), '0')::numeric * 100)::bigint"
    fi
}
int() { if [[ $D == sqlite ]]; then echo "CAST(l.$1 AS INTEGER)"; else echo "l.$1::int"; fi; }
# 是/否 as 0/1, and as a JSON boolean
yes01() { if [[ $D == sqlite ]]; then echo "(l.$1 = '是')"; else echo "(l.$1 = '是')::int"; fi; }
yesj() { if [[ $D == sqlite ]]; then echo "json(CASE WHEN l.$1 = '是' THEN 'true' ELSE 'false' END)"; else echo "(l.$1 = '是')"; fi; }
jtrue() { if [[ $D == sqlite ]]; then echo "json('true')"; else echo "true"; fi; }
jfalse() { if [[ $D == sqlite ]]; then echo "json('false')"; else echo "false"; fi; }
# a JSON object as text
jobj() { if [[ $D == sqlite ]]; then echo "json_object($1)"; else echo "json_build_object($1)::text"; fi; }
# a boolean expression as 0/1
b01() { if [[ $D == sqlite ]]; then echo "($1)"; else echo "($1)::int"; fi; }

# The list's columns in file order (as `fupin gen` writes them), and what its rows become: KIND,
# DETAILS (the form's JSON), DEST (employment's destination), and the services figures A, B, C1–C3
# (core's measures::Tally of the form).
list_sql_parts() {
    DEST=NULL
    A=0 B=0 C1=0 C2=0 C3=0
    case $1 in
    dept-employment)
        COLS="id_number name employer employer_region_code employment_form start_date months monthly_wage_yuan provider"
        local e form
        if [[ $D == sqlite ]]; then e="substr(l.employer_region_code || '000000000000', 1, 12)"; else e="rpad(l.employer_region_code, 12, '0')"; fi
        form="CASE l.employment_form WHEN '外出务工' THEN 'migrant_work' WHEN '扶贫车间' THEN 'workshop' WHEN '公益性岗位' THEN 'public_welfare_post' WHEN '自主创业' THEN 'self_employed' ELSE 'flexible' END"
        KIND="CASE WHEN l.employment_form = '公益性岗位' THEN '0301' ELSE '0201' END"
        DEST="CASE WHEN substr($e, 1, 2) <> substr(h.village_code, 1, 2) THEN 'cross_province' WHEN substr($e, 1, 6) = substr(h.village_code, 1, 6) THEN 'in_county' ELSE 'in_province' END"
        DETAILS=$(jobj "'form', 'employment', 'employer', l.employer, 'employer_region_code', $e, 'employment_form', $form, 'months', $(int months), 'monthly_wage_fen', $(fen monthly_wage_yuan), 'destination', $DEST")
        A="$(fen monthly_wage_yuan) * $(int months)"
        C1=$(b01 "l.employment_form = '扶贫车间'")
        C2=$(b01 "l.employment_form = '公益性岗位'")
        ;;
    dept-training)
        COLS="id_number name course training_type start_date hours certificate subsidy_yuan provider"
        KIND="'0202'"
        DETAILS=$(jobj "'form', 'training', 'course', l.course, 'training_type', CASE l.training_type WHEN '岗前培训' THEN 'pre_job' WHEN '技能提升' THEN 'upgrading' ELSE 'startup' END, 'hours', $(int hours), 'certificate', $(yesj certificate), 'subsidy_fen', $(fen subsidy_yuan), 'living_allowance_fen', 0")
        A=$(fen subsidy_yuan)
        C1=$(yes01 certificate)
        ;;
    dept-pension)
        COLS="id_number name start_date receiving premium_yuan provider"
        KIND="'0804'"
        DETAILS=$(jobj "'form', 'pension', 'enrolled', $(jtrue), 'receiving', $(yesj receiving), 'premium_paid_by_government_fen', $(fen premium_yuan)")
        A=$(fen premium_yuan)
        C1=1
        C2=$(yes01 receiving)
        C3=$(b01 "$(fen premium_yuan) > 0")
        ;;
    dept-school)
        COLS="id_number name school stage start_date tuition_yuan grant_yuan provider"
        KIND="'0401'"
        DETAILS=$(jobj "'form', 'education', 'school', l.school, 'stage', CASE l.stage WHEN '学前' THEN 'preschool' WHEN '小学' THEN 'primary' WHEN '初中' THEN 'junior_secondary' WHEN '高中' THEN 'senior_secondary' WHEN '中职' THEN 'vocational' ELSE 'higher' END, 'tuition_waived_fen', $(fen tuition_yuan), 'grant_fen', $(fen grant_yuan), 'yulu_fen', 0, 'dropout', $(jfalse)")
        A=$(fen tuition_yuan)
        B=$(fen grant_yuan)
        C1=$(b01 "$(fen tuition_yuan) > 0")
        ;;
    dept-medical)
        COLS="id_number name start_date signed_doctor serious_illness assistance_yuan out_of_pocket_yuan provider"
        KIND="'0503'"
        DETAILS=$(jobj "'form', 'health', 'signed_doctor', $(yesj signed_doctor), 'serious_illness', $(yesj serious_illness), 'medical_assistance_fen', $(fen assistance_yuan), 'out_of_pocket_fen', $(fen out_of_pocket_yuan)")
        A=$(fen assistance_yuan)
        B=$(fen out_of_pocket_yuan)
        C1=$(yes01 signed_doctor)
        C2=$(yes01 serious_illness)
        ;;
    esac
}

# The raw route of list $1 (file $2) in dialect $D, as one script for sqlite3 / psql.
raw_route_sql() {
    local l=$1 file=$2 now at start month
    list_sql_parts "$l"
    local cols
    cols=$(for c in $COLS; do printf '%s TEXT, ' "$c"; done | sed 's/, $//')
    if [[ $D == sqlite ]]; then
        now="strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'"
        at="strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        start="l.start_date"
        month="CAST(substr(start_date, 1, 4) || substr(start_date, 6, 2) AS INTEGER)"
        cat <<EOF
.bail on
PRAGMA foreign_keys = ON;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -65536;
PRAGMA mmap_size = 0;
BEGIN;
CREATE TEMP TABLE raw_list ($cols);
.import --csv --skip 1 $file raw_list
EOF
    else
        now="now()"
        at="to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        start="l.start_date::date"
        month="to_char(start_date, 'YYYYMM')::int"
        cat <<EOF
\\set ON_ERROR_STOP on
BEGIN;
SET LOCAL work_mem = '64MB';
SET LOCAL maintenance_work_mem = '256MB';
SET LOCAL jit = off;
CREATE TEMP TABLE raw_list ($cols) ON COMMIT DROP;
\\copy raw_list FROM '$file' CSV HEADER
ANALYZE raw_list;
EOF
    fi
    local oncommit=""
    [[ $D == pg ]] && oncommit=" ON COMMIT DROP"
    local stats_sets="" c
    for c in measures amount_fen a_fen b_fen c1 c2 c3; do stats_sets+="$c = measure_stats.$c + excluded.$c, "; done
    stats_sets=${stats_sets%, }
    local entity_id="m.id"
    [[ $D == pg ]] && entity_id="m.id::text"
    local history_json
    if [[ $D == sqlite ]]; then
        history_json=$(jobj "'household_id', m.household_id, 'person_id', m.person_id, 'category', m.category, 'kind', m.kind, 'start_date', m.start_date, 'end_date', m.end_date, 'amount_fen', m.amount_fen, 'provider', m.provider, 'status', m.status, 'note', m.note, 'details', json(m.details)")
    else
        history_json=$(jobj "'household_id', m.household_id, 'person_id', m.person_id, 'category', m.category, 'kind', m.kind, 'start_date', m.start_date, 'end_date', m.end_date, 'amount_fen', m.amount_fen, 'provider', m.provider, 'status', m.status, 'note', m.note, 'details', m.details::json")
    fi
    cat <<EOF
-- the rows that name an active registered person by ID number, not stored yet
CREATE TEMP TABLE raw_new${oncommit} AS
SELECT p.household_id, p.id AS person_id, h.village_code, $KIND AS kind, $start AS start_date,
       NULLIF(l.provider, '') AS provider, $DETAILS AS details, $DEST AS destination,
       $A AS a_fen, $B AS b_fen, $C1 AS c1, $C2 AS c2, $C3 AS c3
FROM raw_list l
JOIN persons p ON p.id_number = l.id_number AND p.active
JOIN households h ON h.id = p.household_id
WHERE (l.name IS NULL OR l.name = '' OR l.name = p.name)
  AND NOT EXISTS (SELECT 1 FROM measures x WHERE x.person_id = p.id AND x.kind = $KIND AND x.start_date = $start);
CREATE TEMP TABLE raw_mark${oncommit} AS SELECT COALESCE(MAX(id), 0) AS lo FROM measures;
INSERT INTO measures (household_id, person_id, village_code, category, kind, start_date, end_date, amount_fen,
                      provider, origin, status, note, details, destination, version, created_by, created_at,
                      updated_by, updated_at)
SELECT household_id, person_id, village_code, substr(kind, 1, 2), kind, start_date, NULL, 0,
       provider, 'imported', 'active', NULL, details, destination, 1, 'bench', $now, 'bench', $now
FROM raw_new;
INSERT INTO measure_history (measure_id, version, action, data, origin, actor, recorded_at)
SELECT m.id, 1, 'create', $history_json, 'imported', 'bench', $now
FROM measures m WHERE m.id > (SELECT lo FROM raw_mark);
-- summed per village first, then rolled up to every level and summed again
CREATE TEMP TABLE raw_villages${oncommit} AS
SELECT village_code, $month AS month, kind, COALESCE(destination, '') AS destination, COUNT(*) AS measures,
       SUM(a_fen) AS a_fen, SUM(b_fen) AS b_fen, SUM(c1) AS c1, SUM(c2) AS c2, SUM(c3) AS c3
FROM raw_new GROUP BY village_code, $month, kind, COALESCE(destination, '');
INSERT INTO measure_stats (region_code, month, kind, destination, measures, amount_fen, a_fen, b_fen, c1, c2, c3)
SELECT u.up, s.month, s.kind, s.destination, SUM(s.measures), 0, SUM(s.a_fen), SUM(s.b_fen),
       SUM(s.c1), SUM(s.c2), SUM(s.c3)
FROM raw_villages s
JOIN (SELECT DISTINCT v.code, substr(v.code, 1, k.n) || substr('000000000000', 1, 12 - k.n) AS up
      FROM (SELECT DISTINCT village_code AS code FROM raw_villages) v
      CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 2 UNION ALL SELECT 4 UNION ALL SELECT 6
                  UNION ALL SELECT 9 UNION ALL SELECT 12) k) u ON u.code = s.village_code
WHERE TRUE
GROUP BY u.up, s.month, s.kind, s.destination
ON CONFLICT (region_code, month, kind, destination) DO UPDATE SET $stats_sets;
INSERT INTO audit_pending (region_code, at, actor, client, action, entity, entity_id, before_json, after_json)
SELECT m.village_code, $at, 'bench', NULL, 'measure.import', 'measure', $entity_id, NULL, hh.data
FROM measure_history hh JOIN measures m ON m.id = hh.measure_id
WHERE hh.measure_id > (SELECT lo FROM raw_mark);
INSERT INTO audit_pending (region_code, at, actor, client, action, entity, entity_id, before_json, after_json)
SELECT NULL, $at, 'bench', NULL, 'import', 'import', NULL, NULL,
       '{"kind":"$l","created":' || COUNT(*) || ',"updated":0,"unchanged":0,"rejected":0}' FROM raw_new;
COMMIT;
EOF
}

# PROFILE=1: sample the whole machine (the fupin process, and the PostgreSQL server's backend)
# while an import runs; perf starts and stops outside the import's timing
profile_start() {
    [[ -n "${PROFILE:-}" ]] || return 0
    perf record -q -a -g -F 499 -o "$W/perf-$1.data" >/dev/null 2>&1 &
    PERF_PID=$!
    sleep 1
}
profile_stop() {
    [[ -n "${PROFILE:-}" ]] || return 0
    kill -INT "$PERF_PID"
    wait "$PERF_PID" || true
}

# audit rows of a database (sealed and waiting)
audit_rows_sqlite() { sqlite3 "$1" "SELECT (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM audit_pending)"; }
audit_rows_pg() { psql "$1" -X -A -t -c "SELECT (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM audit_pending)"; }

# one list's line: import and raw route, their ratio, peak RSS (of the fupin process, and of sqlite3
# or psql: on PostgreSQL the server's memory is in neither), audit rows each added, load average
list_line() { # label import_s import_rss raw_s raw_rss import_audit raw_audit
    printf '   %-16s import %7.2f s (peak RSS %4d MiB)   raw %7.2f s (peak RSS %4d MiB)   ratio %5.2f   audit rows %s / %s   (load %s)\n' \
        "$1" "$2" "$3" "$4" "$5" "$(echo "scale=4; $2 / $4" | bc)" "$6" "$7" "$(load)"
}

# ---- the old figure: the rows one list wrote, loaded into empty unindexed copies ----

# The rows one list wrote (their ids reserved by its import, between the largest id before it and
# the largest after), their history, and the figures of the kinds it records (no two lists record
# the same kind). lo=0, hi=large: every list's rows.
list_where() {
    case $1 in
    measures) echo "id > $2 AND id <= $3" ;;
    measure_history) echo "measure_id > $2 AND measure_id <= $3" ;;
    measure_stats) echo "kind IN (SELECT DISTINCT kind FROM measures WHERE id > $2 AND id <= $3)" ;;
    esac
}

sqlite_empty() {
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
    EMPTY_SECS=$(echo "$(secs "sqlite3 '$W/raw.db' < '$W/raw_load.sql'") + $(secs "sqlite3 '$W/raw.db' < '$W/raw_indexes.sql'")" | bc)
    rm -f "$W"/raw.db* "$W"/raw_*.csv
}

pg_empty() {
    local lo=$1 hi=$2 t
    psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_RAW WITH (FORCE)" -c "CREATE DATABASE $PG_RAW"
    local praw="$PG_BASE/$PG_RAW" in_list copy_cmds
    in_list=$(for t in $TABLES; do printf "'%s'," "$t"; done | sed 's/,$//')
    for t in $TABLES; do psql "$PDB" -X -q -c "\\copy (SELECT * FROM $t WHERE $(list_where "$t" "$lo" "$hi")) TO '$W/pg_$t.csv' CSV"; done
    psql "$PDB" -X -A -t -c "SELECT 'CREATE TABLE ' || c.relname || ' (' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) || ');' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE c.relkind = 'r' AND c.relname IN ($in_list) GROUP BY c.relname" | psql "$praw" -X -q
    psql "$PDB" -X -A -t -c "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ($in_list) ORDER BY tablename, indexname" >"$W/pg_indexes.sql"
    copy_cmds=$(for t in $TABLES; do printf -- "-c \"\\\\copy %s FROM '%s' CSV\" " "$t" "$W/pg_$t.csv"; done)
    EMPTY_SECS=$(echo "$(secs "psql '$praw' -X -q $copy_cmds") + $(secs "psql '$praw' -X -q -f '$W/pg_indexes.sql'")" | bc)
    psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_RAW WITH (FORCE)"
    rm -f "$W"/pg_*.csv
}

# The old figure, for reference: each list's rows loaded into empty unindexed copies by `route`
# (sqlite_empty or pg_empty), list by list between the bounds its import left
old_figures() {
    local route=$1 prev=${BOUND[start]} l
    echo "-- old figure, for reference: the rows each list wrote loaded into EMPTY unindexed copies of $TABLES (no look-up, no foreign keys, no audit rows), then the same indexes   (load $(load))"
    for l in $LISTS; do
        "$route" "$prev" "${BOUND[$l]}"
        printf '   %-16s empty copies %6.1f s   (load %s)\n' "$l" "$EMPTY_SECS" "$(load)"
        prev=${BOUND[$l]}
    done
}

echo "== generate $N households and the departments' lists"
if [[ ! -f "$W/gen/dept-medical.csv" || "$(cat "$W/gen/n" 2>/dev/null)" != "$N" ]]; then
    rm -rf "$W/gen"
    "$F" gen --households "$N" --seed 1 --regions "$REGIONS" --out "$W/gen" --income-years "$YEAR-$YEAR" | tail -3
    echo "$N" >"$W/gen/n"
fi
for l in $LISTS; do
    D=sqlite list_sql_parts "$l"
    cols=$(head -1 "$W/gen/$l.csv" | awk -F, '{print NF}')
    [[ $cols == $(echo "$COLS" | wc -w) ]] || { echo "$l.csv has $cols columns, the raw route expects: $COLS" >&2; exit 1; }
    printf '   %-20s %10s rows\n' "$l" "$(($(wc -l <"$W/gen/$l.csv") - 1))"
done

if [[ -z "${SKIP_SQLITE:-}" ]]; then
    echo
    echo "== SQLite"
    D=sqlite
    DB="sqlite://$W/fupin.db"
    RAWDB=$W/fupin-raw.db
    rm -f "$W"/fupin.db* "$RAWDB"*
    "$F" --database-url "$DB" region import "$REGIONS" | tail -1
    "$F" --database-url "$DB" import "$W/gen/households.csv" | tail -1
    "$F" --database-url "$DB" audit verify | sed -n 1p
    sqlite3 "$W/fupin.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    cp "$W/fupin.db" "$RAWDB"
    echo "-- each list: fupin import into the registry, then the raw route into its copy (.import + set-based SQL)"
    declare -A BOUND
    BOUND[start]=$(sqlite3 "$W/fupin.db" "SELECT COALESCE(MAX(id), 0) FROM measures")
    for l in $LISTS; do
        a0=$(audit_rows_sqlite "$W/fupin.db")
        profile_start "$l"
        timed "$F" --database-url "$DB" import "$W/gen/$l.csv"
        profile_stop
        echo "   $(tail -1 "$W/last.out")"
        imp_s=$LAST_SECS imp_rss=$LAST_RSS
        imp_audit=$(($(audit_rows_sqlite "$W/fupin.db") - a0))
        BOUND[$l]=$(sqlite3 "$W/fupin.db" "SELECT COALESCE(MAX(id), 0) FROM measures")
        raw_route_sql "$l" "$W/gen/$l.csv" >"$W/raw-$l.sql"
        a0=$(audit_rows_sqlite "$RAWDB")
        if timed sqlite3 "$RAWDB" ".read $W/raw-$l.sql"; then
            list_line "$l" "$imp_s" "$imp_rss" "$LAST_SECS" "$LAST_RSS" "$imp_audit" "$(($(audit_rows_sqlite "$RAWDB") - a0))"
        else
            echo "   $l: raw route failed ($W/raw-$l.sql)"
        fi
    done
    echo "-- the two databases after the lists: registry (import) | copy (raw route)"
    sqlite3 "$W/fupin.db" "ATTACH '$RAWDB' AS r;
        SELECT '   measures of ' || kind || ': ' || (SELECT COUNT(*) FROM main.measures a WHERE a.kind = k.kind) || ' | ' || (SELECT COUNT(*) FROM r.measures b WHERE b.kind = k.kind)
          FROM (SELECT DISTINCT kind FROM main.measures) k ORDER BY kind;
        SELECT '   measure_history rows ' || (SELECT COUNT(*) FROM main.measure_history) || ' | ' || (SELECT COUNT(*) FROM r.measure_history)
          || ', mean JSON ' || (SELECT CAST(AVG(length(data)) AS INTEGER) FROM main.measure_history) || ' | ' || (SELECT CAST(AVG(length(data)) AS INTEGER) FROM r.measure_history) || ' bytes';
        SELECT '   measure audit rows ' || (SELECT COUNT(*) FROM main.audit_pending WHERE action = 'measure.import') || ' | ' || (SELECT COUNT(*) FROM r.audit_pending WHERE action = 'measure.import')
          || ' waiting, mean JSON ' || (SELECT CAST(AVG(length(after_json)) AS INTEGER) FROM main.audit_pending WHERE action = 'measure.import') || ' | ' || (SELECT CAST(AVG(length(after_json)) AS INTEGER) FROM r.audit_pending WHERE action = 'measure.import') || ' bytes';
        SELECT '   measure_stats ' || (SELECT COUNT(*) FROM main.measure_stats) || ' | ' || (SELECT COUNT(*) FROM r.measure_stats) || ' rows, '
          || (SELECT COUNT(*) FROM (SELECT * FROM main.measure_stats EXCEPT SELECT * FROM r.measure_stats)) || ' | '
          || (SELECT COUNT(*) FROM (SELECT * FROM r.measure_stats EXCEPT SELECT * FROM main.measure_stats)) || ' rows not in the other';"
    [[ -n "${SKIP_EMPTY:-}" ]] || old_figures sqlite_empty
    [[ -n "${SKIP_HTTP:-}" ]] || http_report "$DB"
fi

if [[ -z "${SKIP_PG:-}" ]]; then
    echo
    echo "== PostgreSQL"
    D=pg
    psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $PG_COPY WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
    PDB="$PG_BASE/$PG_DB"
    PCOPY="$PG_BASE/$PG_COPY"
    "$F" --database-url "$PDB" region import "$REGIONS" | tail -1
    "$F" --database-url "$PDB" import "$W/gen/households.csv" | tail -1
    "$F" --database-url "$PDB" audit verify | sed -n 1p
    psql "$PG_BASE/postgres" -X -q -c "CREATE DATABASE $PG_COPY TEMPLATE $PG_DB STRATEGY FILE_COPY"
    if [[ -n "${PROFILE:-}" ]]; then
        psql "$PG_BASE/postgres" -X -q -c "ALTER SYSTEM SET log_min_duration_statement = 100" -c "SELECT pg_reload_conf()" >/dev/null
        trap 'psql "$PG_BASE/postgres" -X -q -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null' EXIT
    fi
    echo "-- each list: fupin import into the registry, then the raw route into its copy (\\copy + set-based SQL)"
    declare -A BOUND
    BOUND[start]=$(psql "$PDB" -X -A -t -c "SELECT COALESCE(MAX(id), 0) FROM measures")
    for l in $LISTS; do
        a0=$(audit_rows_pg "$PDB")
        [[ -z "${PROFILE:-}" ]] || psql "$PDB" -X -q -A -t -c "SELECT 'profile: import of $l starts ' || now()" | tee -a "$W/pg-profile-marks.txt"
        profile_start "pg-$l"
        timed "$F" --database-url "$PDB" import "$W/gen/$l.csv"
        profile_stop
        echo "   $(tail -1 "$W/last.out")"
        imp_s=$LAST_SECS imp_rss=$LAST_RSS
        imp_audit=$(($(audit_rows_pg "$PDB") - a0))
        BOUND[$l]=$(psql "$PDB" -X -A -t -c "SELECT COALESCE(MAX(id), 0) FROM measures")
        raw_route_sql "$l" "$W/gen/$l.csv" >"$W/raw-pg-$l.sql"
        a0=$(audit_rows_pg "$PCOPY")
        if timed psql "$PCOPY" -X -q -f "$W/raw-pg-$l.sql"; then
            list_line "$l" "$imp_s" "$imp_rss" "$LAST_SECS" "$LAST_RSS" "$imp_audit" "$(($(audit_rows_pg "$PCOPY") - a0))"
        else
            echo "   $l: raw route failed ($W/raw-pg-$l.sql)"
        fi
    done
    if [[ -n "${PROFILE:-}" ]]; then
        psql "$PG_BASE/postgres" -X -q -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
        trap - EXIT
    fi
    echo "-- the two databases after the lists: registry (import) | copy (raw route)"
    facts() {
        psql "$1" -X -A -t -F ' ' -c "SELECT kind, COUNT(*) FROM measures GROUP BY kind ORDER BY kind" | tr '\n' ' '
        echo
        psql "$1" -X -A -t -F ' ' -c "SELECT 'history', COUNT(*), round(AVG(length(data))) FROM measure_history"
        psql "$1" -X -A -t -F ' ' -c "SELECT 'audit', COUNT(*), round(AVG(length(after_json))) FROM audit_pending WHERE action = 'measure.import'"
        psql "$1" -X -A -t -F ' ' -c "SELECT 'stats', COUNT(*), md5(string_agg(concat_ws(',', region_code, month, kind, destination, measures, amount_fen, a_fen, b_fen, c1, c2, c3), ';' ORDER BY region_code, month, kind, destination)) FROM measure_stats"
    }
    paste -d'|' <(facts "$PDB") <(facts "$PCOPY") | sed 's/^/   /'
    echo "   (measures per kind; history rows and mean JSON bytes; measure audit rows waiting and mean JSON bytes; measure_stats rows and digest)"
    [[ -n "${SKIP_EMPTY:-}" ]] || old_figures pg_empty
    [[ -n "${SKIP_HTTP:-}" ]] || http_report "$PDB"
fi
